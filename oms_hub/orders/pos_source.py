"""The POS channel as an order source: Square rows of a day -> core order frames."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import polars as pl

from oms_hub.orders.pos_conform import ConformedOrders, conform_pos
from oms_hub.orders.source import DayInput, OrderSource
from oms_hub.orders.versions import mark_latest

STREAM = "pos/square_items"


def _days(staged: dict[str, pl.LazyFrame]) -> pl.LazyFrame:
    return staged[STREAM].select("landed_file", day=pl.col("event_at").dt.date()).unique()


def _conform_day(day_input: DayInput) -> ConformedOrders:
    day = day_input.day
    start = datetime(day.year, day.month, day.day, tzinfo=UTC)
    window = day_input.staged[STREAM].filter(
        (pl.col("event_at") >= start) & (pl.col("event_at") < start + timedelta(days=1))
    )
    latest = mark_latest(window, day_input.file_order).filter(pl.col("is_latest")).collect()
    return conform_pos(latest, day_input.catalog.products, day_input.catalog.locations)


POS_ORDERS = OrderSource(name="pos", streams=(STREAM,), days=_days, conform_day=_conform_day)
