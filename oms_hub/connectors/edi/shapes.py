"""The shapes both EDI syntaxes produce: staged documents and per-document errors.

X12 850/846/945 and EDIFACT ORDERS are staged into one stream, one row per transaction
set / message, so a file is parsed by one parser whatever it holds (partners mix
syntaxes and document types freely). Parties, references, charges and lines are
nested lists of structs; conform and the inventory-advice step flatten what they need.
"""

from __future__ import annotations

import polars as pl

QTY_DTYPE = pl.Decimal(18, 4)
PRICE_DTYPE = pl.Decimal(18, 4)
AMOUNT_DTYPE = pl.Decimal(18, 2)

PAIR = pl.Struct({"qualifier": pl.String, "value": pl.String})

PARTY = pl.Struct(
    {
        "role": pl.String,
        "id_qualifier": pl.String,
        "party_id": pl.String,
        "name": pl.String,
        "address": pl.String,
        "city": pl.String,
        "region": pl.String,
        "postal_code": pl.String,
        "country": pl.String,
    }
)

CHARGE = pl.Struct(
    {"indicator": pl.String, "code": pl.String, "amount": AMOUNT_DTYPE, "line": pl.Int32}
)

LINE = pl.Struct(
    {
        "line_number": pl.Int32,
        "source_line_id": pl.String,
        "quantity": QTY_DTYPE,
        "quantity_qualifier": pl.String,
        "uom": pl.String,
        "unit_price": PRICE_DTYPE,
        "line_amount": AMOUNT_DTYPE,
        "item_ids": pl.List(PAIR),
        "description": pl.String,
    }
)

#: One staged row per transaction set (X12) or message (EDIFACT).
STAGED_SCHEMA = pl.Schema(
    {
        "source": pl.String,
        "landed_file": pl.String,
        "locator": pl.String,
        "version_key": pl.String,
        "syntax": pl.String,
        "document_type": pl.String,
        "sender_id": pl.String,
        "receiver_id": pl.String,
        "interchange_control": pl.String,
        "group_control": pl.String,
        "set_control": pl.String,
        "syntax_version": pl.String,
        "document_number": pl.String,
        "document_purpose": pl.String,
        "document_date": pl.Date,
        "document_at": pl.Datetime("us", "UTC"),
        "currency": pl.String,
        "warehouse_id": pl.String,
        "carrier": pl.String,
        "declared_line_count": pl.Int64,
        "declared_quantity_total": QTY_DTYPE,
        "declared_amount": AMOUNT_DTYPE,
        "parties": pl.List(PARTY),
        "references": pl.List(PAIR),
        "charges": pl.List(CHARGE),
        "lines": pl.List(LINE),
        "has_card_number": pl.Boolean,
    }
)

#: Problems found in a document: what the quarantine and the 997/CONTRL report.
#: ``seg_tag``/``seg_pos`` point at the segment (position within the set), ``element``
#: at the element; ``ack_code`` is the X12 AK304/AK403/AK502 code for that level.
ERROR_SCHEMA = pl.Schema(
    {
        "doc": pl.Int64,
        "error_code": pl.String,
        "error": pl.String,
        "seg_tag": pl.String,
        "seg_pos": pl.Int64,
        "element": pl.Int32,
        "ack_code": pl.String,
    }
)


def errors_where(
    frame: pl.DataFrame,
    condition: pl.Expr,
    *,
    code: str,
    message: pl.Expr,
    ack_code: str,
    seg_tag: pl.Expr | None = None,
    seg_pos: pl.Expr | None = None,
    element: int | None = None,
) -> pl.DataFrame:
    """Error rows (``ERROR_SCHEMA``) for the rows of ``frame`` (with a ``doc`` column) that fail."""
    return (
        frame.filter(condition.fill_null(False))
        .select(
            doc=pl.col("doc"),
            error_code=pl.lit(code),
            error=message,
            seg_tag=seg_tag if seg_tag is not None else pl.lit(None, dtype=pl.String),
            seg_pos=seg_pos if seg_pos is not None else pl.lit(None, dtype=pl.Int64),
            element=pl.lit(element, dtype=pl.Int32),
            ack_code=pl.lit(ack_code),
        )
        .cast(dict(ERROR_SCHEMA))
    )


def fmt(template: str, *values: pl.Expr | str) -> pl.Expr:
    """``pl.format`` that prints a missing value as '' instead of nulling the message."""
    exprs = [pl.col(v) if isinstance(v, str) else v for v in values]
    return pl.format(template, *[e.cast(pl.String).fill_null("") for e in exprs])


def no_errors() -> pl.DataFrame:
    """An empty error frame."""
    return pl.DataFrame(schema=ERROR_SCHEMA)


def parse_decimal(text: pl.Expr, dtype: pl.DataType) -> pl.Expr:
    """'12.50', '12,50' (decimal comma), '-3', '.5' -> Decimal; anything else -> null."""
    t = text.str.strip_chars().str.replace(",", ".", literal=True)
    ok = t.str.contains(r"^[+-]?(\d+\.?\d*|\.\d+)$")
    return pl.when(ok).then(t.str.replace(r"^\+", "").cast(dtype, strict=False))


def parse_ccyymmdd(text: pl.Expr) -> pl.Expr:
    """'20261001' (or YYMMDD '261001') -> Date; impossible dates -> null."""
    t = text.str.strip_chars()
    return pl.coalesce(
        pl.when(t.str.len_chars() == 8).then(t.str.to_date("%Y%m%d", strict=False)),
        pl.when(t.str.len_chars() == 6).then(t.str.to_date("%y%m%d", strict=False)),
    )
