"""Stripe balance-history export (itemized CSV) -> settlement rows.

Columns used: ``id`` (txn_...), ``Type``, ``Source`` (ch_/re_/dp_/po_ id), ``Amount``,
``Fee``, ``Net``, ``Currency``, ``Created (UTC)``, ``Description``, and the order id
the shop put in the charge metadata (``order_id (metadata)``), plus ``Transfer``
(the payout the row was paid out in), when present. Stripe writes refunds and disputes
with a negative amount, fees positive, ``Net = Amount - Fee``: the hub's convention.
"""

from __future__ import annotations

import polars as pl

from oms_hub.connectors.common.csv_records import ROW, CsvHeaderError, read_csv_records
from oms_hub.connectors.common.result import ParseResult
from oms_hub.connectors.settlements.common import finish, unreadable

SOURCE = "settlements"
REQUIRED = ["id", "Type", "Source", "Amount", "Fee", "Net", "Currency", "Created (UTC)"]
TYPES = {
    "charge": "charge",
    "payment": "charge",
    "refund": "refund",
    "payment_refund": "refund",
    "payout": "payout",
    "stripe_fee": "fee",
    "adjustment": "adjustment",
}


def _opt(frame: pl.DataFrame, name: str) -> pl.Expr:
    return pl.col(name) if name in frame.columns else pl.lit(None, pl.String)


def parse(payload: bytes, landed_file: str) -> ParseResult:
    """Parse one balance-history CSV."""
    try:
        frame, _ = read_csv_records(payload, required=REQUIRED)
    except CsvHeaderError as error:
        return unreadable(SOURCE, landed_file, f"not a Stripe balance history: {error}")
    description = _opt(frame, "Description").fill_null("").str.to_lowercase()
    kind = (
        pl.when(description.str.contains("chargeback reversal|dispute won"))
        .then(pl.lit("chargeback_reversal"))
        .when(description.str.contains("chargeback|dispute"))
        .then(pl.lit("chargeback"))
        .otherwise(pl.col("Type").str.to_lowercase().replace_strict(TYPES, default=None))
    )
    raw = frame.select(
        processor=pl.lit("stripe"),
        settlement_id=_opt(frame, "Transfer"),
        transaction_ref=pl.col("id"),
        processor_ref=pl.col("Source"),
        order_ref=_opt(frame, "order_id (metadata)"),
        kind=kind,
        raw_type=pl.col("Type"),
        gross=pl.col("Amount"),
        fee=pl.col("Fee"),
        net=pl.col("Net"),
        currency=pl.col("Currency"),
        settled_on=pl.col("Created (UTC)").str.slice(0, 10).str.to_date("%Y-%m-%d", strict=False),
        locator=pl.format("row {}", pl.col(ROW)),
        excerpt=pl.concat_str([pl.col(c).fill_null("") for c in REQUIRED], separator=","),
    )
    return finish(raw, source=SOURCE, landed_file=landed_file, records=frame.height)
