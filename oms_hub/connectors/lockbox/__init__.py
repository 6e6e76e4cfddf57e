"""Bank lockbox / remittance receipt files (CSV): which customer paid which invoice, how much.

A lockbox file is what the bank sends for a day's deposits: one row per remittance
item (a check or wire applied to one invoice). Columns, in any order, case-insensitive:
``deposit_date`` (YYYY-MM-DD), ``batch``, ``item``, ``check_number``,
``customer_account`` (the remitter's account), ``invoice_number``, ``amount``,
``currency``. Pure: bytes in, staged rows + quarantine out. A row with no invoice
number, an amount that is not positive money, an unreadable date or a currency that is
not ISO 4217 is quarantined with the reason; a file without the columns is one
rejected record.
"""

from __future__ import annotations

import io

import polars as pl

from oms_hub.connectors.common.result import ParseResult, quarantine_rows
from oms_hub.connectors.common.values import parse_money
from oms_hub.quality.card_numbers import mask_card_numbers
from oms_hub.quality.contracts.base import MONEY_DTYPE

SOURCE = "lockbox"
COLUMNS = (
    "deposit_date",
    "batch",
    "item",
    "check_number",
    "customer_account",
    "invoice_number",
    "amount",
    "currency",
)
STAGED_SCHEMA: dict[str, pl.DataType] = {
    "receipt_id": pl.String(),
    "deposited_on": pl.Date(),
    "check_number": pl.String(),
    "customer_account": pl.String(),
    "invoice_id": pl.String(),
    "amount": MONEY_DTYPE,
    "currency": pl.String(),
    "source": pl.String(),
    "landed_file": pl.String(),
    "locator": pl.String(),
    "version_key": pl.String(),
}


def _unreadable(landed_file: str, message: str) -> ParseResult:
    q = quarantine_rows(
        pl.DataFrame(
            {
                "locator": ["file"],
                "error_code": ["unreadable_file"],
                "error": [message],
                "excerpt": [""],
            }
        ),
        source=SOURCE,
        landed_file=landed_file,
        stage="parse",
    )
    return ParseResult(staged=pl.DataFrame(schema=STAGED_SCHEMA), quarantine=q, records=1)


def _t(name: str) -> pl.Expr:
    return pl.col(name).cast(pl.String).fill_null("")


def parse_lockbox(payload: bytes, *, landed_file: str) -> ParseResult:
    """Parse one lockbox CSV; every data row is staged or quarantined."""
    try:
        raw = pl.read_csv(io.BytesIO(payload), infer_schema=False, encoding="utf8-lossy")
    except Exception as error:  # any unreadable file is one rejected record
        return _unreadable(landed_file, f"not a CSV file ({type(error).__name__})")
    raw = raw.rename({c: c.strip().lower() for c in raw.columns})
    missing = [c for c in COLUMNS if c not in raw.columns]
    if missing:
        return _unreadable(landed_file, f"lockbox file lacks column(s) {', '.join(missing)}")
    text = raw.select([pl.col(c).str.strip_chars() for c in COLUMNS])
    masked, _ = mask_card_numbers(text)
    rows = masked.with_row_index("n", offset=2).with_columns(  # row 1 is the header
        locator=pl.format("row {}", pl.col("n")),
        excerpt=pl.concat_str([_t(c) for c in COLUMNS], separator=","),
        amount_v=parse_money(pl.col("amount")),
        date_v=pl.col("deposit_date").str.to_date("%Y-%m-%d", strict=False),
    )
    rules = [
        (
            "missing_invoice",
            pl.col("invoice_number").fill_null("") == "",
            pl.lit("no invoice number: the remittance names no invoice to apply to"),
        ),
        (
            "bad_amount",
            pl.col("amount_v").is_null() | (pl.col("amount_v") <= 0),
            pl.format("amount '{}' is not positive money", _t("amount")),
        ),
        (
            "bad_date",
            pl.col("date_v").is_null(),
            pl.format("deposit date '{}' is not YYYY-MM-DD", _t("deposit_date")),
        ),
        (
            "bad_currency",
            ~pl.col("currency").fill_null("").str.contains(r"^[A-Za-z]{3}$"),
            pl.format("currency '{}' is not ISO 4217", _t("currency")),
        ),
    ]
    code = pl.lit(None, pl.String)
    message = pl.lit(None, pl.String)
    for name, cond, msg in reversed(rules):
        code = pl.when(cond.fill_null(True)).then(pl.lit(name)).otherwise(code)
        message = pl.when(cond.fill_null(True)).then(msg).otherwise(message)
    checked = rows.with_columns(error_code=code, error=message)
    bad = checked.filter(pl.col("error_code").is_not_null())
    quarantine = quarantine_rows(bad, source=SOURCE, landed_file=landed_file, stage="parse")
    key = pl.format(
        "{}:{}:{}", pl.col("deposit_date"), _t("batch"), pl.coalesce(pl.col("item"), pl.col("n"))
    )
    staged = (
        checked.filter(pl.col("error_code").is_null())
        .with_columns(
            receipt_id=key,
            deposited_on=pl.col("date_v"),
            invoice_id=pl.col("invoice_number"),
            amount=pl.col("amount_v"),
            currency=pl.col("currency").str.to_uppercase(),
            source=pl.lit(SOURCE),
            landed_file=pl.lit(landed_file),
            version_key=pl.format("receipt:{}", key),
        )
        .select([pl.col(n).cast(t) for n, t in STAGED_SCHEMA.items()])
    )
    return ParseResult(staged=staged, quarantine=quarantine, records=raw.height)
