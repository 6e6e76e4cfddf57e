"""The one row shape every settlement parser stages, and the checks they share.

Sign convention after parsing, whatever the processor writes: ``gross`` is the money the
transaction moved for the merchant (positive for a charge, negative for a refund or a
chargeback), ``fee`` is what the processor kept (positive = charged), and
``net = gross - fee`` (a row whose own net disagrees is quarantined).
"""

from __future__ import annotations

import polars as pl

from oms_hub.connectors.common.result import ParseResult, quarantine_rows
from oms_hub.connectors.common.values import parse_money
from oms_hub.quality.card_numbers import mask_card_numbers
from oms_hub.quality.contracts.base import MONEY_DTYPE

KINDS = ("charge", "refund", "chargeback", "chargeback_reversal", "fee", "payout", "adjustment")

STAGED_SCHEMA: dict[str, pl.DataType] = {
    "processor": pl.String(),
    "settlement_id": pl.String(),
    "transaction_ref": pl.String(),
    "processor_ref": pl.String(),
    "order_ref": pl.String(),
    "kind": pl.String(),
    "gross": MONEY_DTYPE,
    "fee": MONEY_DTYPE,
    "net": MONEY_DTYPE,
    "currency": pl.String(),
    "settled_on": pl.Date(),
    "source": pl.String(),
    "landed_file": pl.String(),
    "locator": pl.String(),
    "version_key": pl.String(),
}


def _t(name: str) -> pl.Expr:
    """A column as text for a message (null shown as empty, so the message is never null)."""
    return pl.col(name).cast(pl.String).fill_null("")


def finish(
    raw: pl.DataFrame,
    *,
    source: str,
    landed_file: str,
    records: int,
    earlier_quarantine: pl.DataFrame | None = None,
) -> ParseResult:
    """Validate a parser's text rows and split them into staged and quarantined.

    ``raw`` has text columns ``processor, settlement_id, transaction_ref, processor_ref,
    order_ref, kind`` (already mapped; null = unknown type, with ``raw_type``), ``gross,
    fee`` (signed text), ``net`` (text or null when the format gives none), ``currency``,
    ``settled_on`` (Date or null), ``locator`` and ``excerpt``.
    """
    masked, _ = mask_card_numbers(raw)
    parsed = masked.with_columns(
        gross_v=parse_money(pl.col("gross")),
        fee_v=parse_money(pl.coalesce(pl.col("fee"), pl.lit("0"))),
        net_v=parse_money(pl.col("net")),
    )
    rules = [
        ("unknown_type", pl.col("kind").is_null(), pl.format("unknown type '{}'", _t("raw_type"))),
        (
            "bad_amount",
            pl.col("gross_v").is_null(),
            pl.format("amount '{}' is not money", _t("gross")),
        ),
        ("bad_amount", pl.col("fee_v").is_null(), pl.format("fee '{}' is not money", _t("fee"))),
        (
            "bad_amount",
            pl.col("net").is_not_null() & pl.col("net_v").is_null(),
            pl.format("net '{}' is not money", _t("net")),
        ),
        ("bad_date", pl.col("settled_on").is_null(), pl.lit("no readable date")),
        (
            "bad_currency",
            ~pl.col("currency").fill_null("").str.contains(r"^[A-Za-z]{3}$"),
            pl.format("currency '{}' is not ISO 4217", _t("currency")),
        ),
        (
            "net_mismatch",
            pl.col("net_v").is_not_null()
            & (pl.col("gross_v") - pl.col("fee_v") != pl.col("net_v")),
            pl.format("net {} is not amount {} - fee {}", _t("net_v"), _t("gross_v"), _t("fee_v")),
        ),
    ]
    code = pl.lit(None, pl.String)
    message = pl.lit(None, pl.String)
    for name, cond, text in reversed(rules):
        code = pl.when(cond.fill_null(False)).then(pl.lit(name)).otherwise(code)
        message = pl.when(cond.fill_null(False)).then(text).otherwise(message)
    checked = parsed.with_columns(
        error_code=code, error=message, excerpt=pl.col("excerpt").fill_null("")
    )
    bad = checked.filter(pl.col("error_code").is_not_null())
    quarantine = quarantine_rows(bad, source=source, landed_file=landed_file, stage="parse")
    if earlier_quarantine is not None and earlier_quarantine.height:
        quarantine = pl.concat([earlier_quarantine, quarantine])
    good = checked.filter(pl.col("error_code").is_null()).with_columns(
        gross=pl.col("gross_v"),
        fee=pl.col("fee_v"),
        net=(pl.col("gross_v") - pl.col("fee_v")).cast(MONEY_DTYPE),
        currency=pl.col("currency").str.to_uppercase(),
        source=pl.lit(source),
        landed_file=pl.lit(landed_file),
        version_key=pl.format("{}:{}:{}", "processor", "transaction_ref", "kind"),
    )
    staged = good.select([pl.col(n).cast(t) for n, t in STAGED_SCHEMA.items()])
    return ParseResult(staged=staged, quarantine=quarantine, records=records)


def unreadable(source: str, landed_file: str, message: str) -> ParseResult:
    """A file no parser can read: one quarantine row, nothing staged."""
    q = quarantine_rows(
        pl.DataFrame(
            {
                "locator": ["file"],
                "error_code": ["unreadable_file"],
                "error": [message],
                "excerpt": [""],
            }
        ),
        source=source,
        landed_file=landed_file,
        stage="parse",
    )
    return ParseResult(staged=pl.DataFrame(schema=STAGED_SCHEMA), quarantine=q, records=1)
