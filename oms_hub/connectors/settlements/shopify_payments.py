"""Shopify Payments payout transactions export (CSV) -> settlement rows.

Columns used: ``Transaction Date``, ``Type`` (charge, refund, chargeback, chargeback
won, adjustment, payout...), ``Order`` (order name, e.g. ``#1001``), ``Payout ID``,
``Amount``, ``Fee``, ``Net``, ``Currency``. Shopify gives no transaction id, so a row is
identified by order, type, time and amount; its processor reference is the order name.
"""

from __future__ import annotations

import polars as pl

from oms_hub.connectors.common.csv_records import ROW, CsvHeaderError, read_csv_records
from oms_hub.connectors.common.result import ParseResult
from oms_hub.connectors.settlements.common import finish, unreadable

SOURCE = "settlements"
REQUIRED = ["Transaction Date", "Type", "Order", "Amount", "Fee", "Net", "Currency"]
TYPES = {
    "charge": "charge",
    "refund": "refund",
    "chargeback": "chargeback",
    "chargeback won": "chargeback_reversal",
    "chargeback reversal": "chargeback_reversal",
    "adjustment": "adjustment",
    "payout": "payout",
    "shopify payments fee": "fee",
}


def parse(payload: bytes, landed_file: str) -> ParseResult:
    """Parse one payout-transactions CSV."""
    try:
        frame, _ = read_csv_records(payload, required=REQUIRED)
    except CsvHeaderError as error:
        return unreadable(SOURCE, landed_file, f"not a Shopify payout transactions file: {error}")
    payout = pl.col("Payout ID") if "Payout ID" in frame.columns else pl.lit(None, pl.String)
    raw = frame.select(
        processor=pl.lit("shopify_payments"),
        settlement_id=payout,
        transaction_ref=pl.format("{}:{}:{}:{}", "Order", "Type", "Transaction Date", "Amount"),
        processor_ref=pl.col("Order"),
        order_ref=pl.col("Order"),
        kind=pl.col("Type").str.to_lowercase().replace_strict(TYPES, default=None),
        raw_type=pl.col("Type"),
        gross=pl.col("Amount"),
        fee=pl.col("Fee"),
        net=pl.col("Net"),
        currency=pl.col("Currency"),
        settled_on=pl.col("Transaction Date")
        .str.slice(0, 10)
        .str.to_date("%Y-%m-%d", strict=False),
        locator=pl.format("row {}", pl.col(ROW)),
        excerpt=pl.concat_str([pl.col(c).fill_null("") for c in REQUIRED], separator=","),
    )
    return finish(raw, source=SOURCE, landed_file=landed_file, records=frame.height)
