"""Steps: stage POS files, then conform a range of days into the core order tables."""

from __future__ import annotations

import time
from datetime import UTC, date, datetime, timedelta
from typing import Any

import polars as pl

from oms_hub.connectors.pos.square_items import STAGED_SCHEMA as POS_STAGED_SCHEMA
from oms_hub.home import Home
from oms_hub.orders.pos_conform import conform_pos
from oms_hub.orders.versions import mark_latest
from oms_hub.quality.contracts import contract
from oms_hub.sources import POS_SQUARE
from oms_hub.steps import Progress, no_progress
from oms_hub.steps.catalog import file_order
from oms_hub.steps.staging import stage_new_files, staged_rows
from oms_hub.storage.lake import Lake

#: Each core order table and the timestamp that puts a row in a day partition.
ORDER_TABLES = {
    "core.orders": "ordered_at",
    "core.order_lines": "ordered_at",
    "core.returns": "returned_at",
}


def stage_pos(home: Home, progress: Progress = no_progress) -> dict[str, Any]:
    """Parse new POS exports into staging (once per content hash)."""
    return stage_new_files(home, POS_SQUARE, progress)


def staged_days(home: Home) -> list[date]:
    """Every UTC day that staged POS rows fall on: the partitions worth building."""
    rows = staged_rows(home, POS_SQUARE)
    if rows is None:
        return []
    days = rows.select(pl.col("event_at").dt.date().unique()).collect().to_series()
    return sorted(d for d in days.to_list() if d is not None)


def days_between(first: date, last: date) -> list[date]:
    """Every day from ``first`` to ``last`` inclusive."""
    return [first + timedelta(days=n) for n in range((last - first).days + 1)]


def _table(lake: Lake, name: str) -> pl.DataFrame:
    return lake.read(name) if lake.has_data(name) else contract(name).empty()


def conform_orders(
    home: Home, first: date, last: date, progress: Progress = no_progress
) -> dict[str, Any]:
    """Rebuild the core order tables for the UTC days ``first``..``last`` (inclusive).

    Works one day at a time, so memory is bounded by a day's volume however long the
    range. Every day in the range is rewritten, so a day whose rows moved or vanished
    ends up empty rather than stale.
    """
    started = time.perf_counter()
    lake = Lake(home)
    days = days_between(first, last)
    rows = staged_rows(home, POS_SQUARE)
    products, locations = _table(lake, "core.products"), _table(lake, "core.locations")
    order = file_order(home).collect().lazy()
    counts = dict.fromkeys(ORDER_TABLES, 0)
    rejected = 0
    for n, day in enumerate(days, start=1):
        start = datetime(day.year, day.month, day.day, tzinfo=UTC)
        if rows is None:
            staged = pl.DataFrame(schema=POS_STAGED_SCHEMA)
        else:
            window = rows.filter(
                (pl.col("event_at") >= start) & (pl.col("event_at") < start + timedelta(days=1))
            )
            staged = mark_latest(window, order).filter(pl.col("is_latest")).collect()
        result = conform_pos(staged, products, locations)
        frames = {
            "core.orders": result.orders,
            "core.order_lines": result.order_lines,
            "core.returns": result.returns,
        }
        for table, column in ORDER_TABLES.items():
            written = lake.write_days(
                table, frames[table], day_of=pl.col(column).dt.date(), days=[day]
            )
            counts[table] += written[day]
        lake.write_part("ops.quarantine", f"conform/pos/day={day.isoformat()}", result.quarantine)
        rejected += result.quarantine.height
        progress(f"conformed {day}", n, len(days))
    elapsed = time.perf_counter() - started
    return {
        "days": len(days),
        "orders": counts["core.orders"],
        "order_lines": counts["core.order_lines"],
        "returns": counts["core.returns"],
        "rejected": rejected,
        "seconds": round(elapsed, 3),
        "lines_per_second": round(counts["core.order_lines"] / elapsed) if elapsed else 0,
    }
