"""Steps: stage order files, then conform a range of days into the core order tables."""

from __future__ import annotations

import time
from datetime import date, timedelta
from typing import Any

import polars as pl

from oms_hub.home import Home
from oms_hub.identity.feeds import with_customer_keys
from oms_hub.orders.source import Catalog, DayInput
from oms_hub.quality.contracts import contract
from oms_hub.sources import ORDER_SOURCES, POS_SQUARE, STREAMS
from oms_hub.steps import Progress, no_progress
from oms_hub.steps.catalog import file_order
from oms_hub.steps.staging import stage_new_files, staged_rows
from oms_hub.storage.lake import Lake

#: Each core order table and the timestamp that puts a row in a day partition.
ORDER_TABLES = {
    "core.orders": "ordered_at",
    "core.order_lines": "ordered_at",
    "core.returns": "returned_at",
    "core.payments": "processed_at",
}


class ConformError(RuntimeError):
    """A source's conform function broke its contract (a bug, not bad data)."""


def stage_pos(home: Home, progress: Progress = no_progress) -> dict[str, Any]:
    """Parse new POS exports into staging (once per content hash)."""
    return stage_new_files(home, POS_SQUARE, progress)


def order_staged(home: Home) -> dict[str, dict[str, pl.LazyFrame]]:
    """Per order source, its staged streams (sources with nothing staged are left out)."""
    out: dict[str, dict[str, pl.LazyFrame]] = {}
    for source in ORDER_SOURCES:
        frames = {name: staged_rows(home, STREAMS[name]) for name in source.streams}
        if any(f is not None for f in frames.values()):
            out[source.name] = {
                name: f if f is not None else pl.LazyFrame(schema={"landed_file": pl.String})
                for name, f in frames.items()
            }
    return out


def file_days(home: Home) -> pl.DataFrame:
    """``(landed_file, day)``: every UTC day each staged order file has records on."""
    staged = order_staged(home)
    parts = [s.days(staged[s.name]) for s in ORDER_SOURCES if s.name in staged]
    if not parts:
        return pl.DataFrame(schema={"landed_file": pl.String, "day": pl.Date})
    return pl.concat(parts).unique().sort("day", "landed_file").collect()


def staged_days(home: Home) -> list[date]:
    """Every UTC day that staged order data falls on: the partitions worth building."""
    days = file_days(home).get_column("day").drop_nulls().unique().sort()
    return days.to_list()


def days_between(first: date, last: date) -> list[date]:
    """Every day from ``first`` to ``last`` inclusive."""
    return [first + timedelta(days=n) for n in range((last - first).days + 1)]


def _table(lake: Lake, name: str) -> pl.DataFrame:
    return lake.read(name) if lake.has_data(name) else contract(name).empty()


def conform_orders(
    home: Home, first: date, last: date, progress: Progress = no_progress
) -> dict[str, Any]:
    """Rebuild the core order tables for the UTC days ``first``..``last`` (inclusive).

    Each order gets its ``customer_key`` from ``core.customer_xref`` (the identity is
    ``source`` + ``source_customer_id``, or ``order:<source_order_id>`` for a guest;
    ``identity.feeds.order_identity``); orders of no known identity keep it null.
    Works one day at a time, so memory is bounded by a day's volume however long the
    range; every registered order source contributes its rows of the day. Every day in
    the range is rewritten, so a day whose rows moved or vanished ends up empty rather
    than stale.
    """
    started = time.perf_counter()
    lake = Lake(home)
    days = days_between(first, last)
    staged = order_staged(home)
    catalog = Catalog(_table(lake, "core.products"), _table(lake, "core.locations"))
    # customer keys resolved so far (the customers step runs before the conform)
    xref = _table(lake, "core.customer_xref")
    order = file_order(home).collect().lazy()
    counts = dict.fromkeys(ORDER_TABLES, 0)
    rejected = 0
    for n, day in enumerate(days, start=1):
        results = [
            source.conform_day(DayInput(day, staged[source.name], order, catalog))
            for source in ORDER_SOURCES
            if source.name in staged
        ]
        for table, column in ORDER_TABLES.items():
            attr = table.split(".")[1]
            frames = [f for r in results if (f := getattr(r, attr)) is not None] or [
                contract(table).empty()
            ]
            frame = pl.concat(frames)
            if table == "core.orders":
                frame = with_customer_keys(frame, xref)
            outside = frame.filter(pl.col(column).dt.date() != day).height
            if outside:
                raise ConformError(
                    f"{table}: {outside} rows conformed for {day} fall on other days"
                )
            lake.write_days(table, frame, day_of=pl.col(column).dt.date(), days=[day])
            counts[table] += frame.height
        quarantine = pl.concat(
            [r.quarantine for r in results] or [contract("ops.quarantine").empty()]
        )
        lake.write_part("ops.quarantine", f"conform/orders/day={day.isoformat()}", quarantine)
        rejected += quarantine.height
        progress(f"conformed {day}", n, len(days))
    elapsed = time.perf_counter() - started
    return {
        "days": len(days),
        "orders": counts["core.orders"],
        "order_lines": counts["core.order_lines"],
        "returns": counts["core.returns"],
        "payments": counts["core.payments"],
        "rejected": rejected,
        "seconds": round(elapsed, 3),
        "lines_per_second": round(counts["core.order_lines"] / elapsed) if elapsed else 0,
    }
