"""The EDI channel as an order source: staged 850 / ORDERS documents of a day -> core."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import polars as pl

from oms_hub.connectors.edi.partners import load_partners
from oms_hub.orders.edi_conform import ORDER_DOCUMENTS, conform_edi_orders
from oms_hub.orders.pos_conform import ConformedOrders
from oms_hub.orders.source import DayInput, OrderSource
from oms_hub.orders.versions import mark_latest

STREAM = "edi/documents"


def _orders(staged: dict[str, pl.LazyFrame]) -> pl.LazyFrame:
    return staged[STREAM].filter(pl.col("document_type").is_in(ORDER_DOCUMENTS))


def _days(staged: dict[str, pl.LazyFrame]) -> pl.LazyFrame:
    return _orders(staged).select("landed_file", day=pl.col("document_at").dt.date()).unique()


def _conform_day(day_input: DayInput) -> ConformedOrders:
    day = day_input.day
    start = datetime(day.year, day.month, day.day, tzinfo=UTC)
    # Latest version first, over every day: a revised PO may move to another day.
    latest = (
        mark_latest(_orders(day_input.staged), day_input.file_order)
        .filter(pl.col("is_latest"))
        .filter(
            (pl.col("document_at") >= start) & (pl.col("document_at") < start + timedelta(days=1))
        )
        .collect()
    )
    return conform_edi_orders(latest, day_input.catalog.products, load_partners())


EDI_ORDERS = OrderSource(name="edi", streams=(STREAM,), days=_days, conform_day=_conform_day)
