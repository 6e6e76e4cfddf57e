"""1M open lines across 50 locations in under a minute (slow: run with ``pytest -m slow``)."""

from __future__ import annotations

import datetime as dt
import sys
import time
from pathlib import Path

import polars as pl
import pytest

from oms_hub.allocation.engine import allocate
from oms_hub.allocation.rules import load_rules

sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "benchmarks"))
from allocation_bench import synthetic


@pytest.mark.slow
def test_million_lines_fifty_locations_under_a_minute() -> None:
    lines, stock, locations = synthetic(1_000_000, 50)
    started = time.perf_counter()
    out = allocate(
        lines, stock, locations, load_rules(), as_of=dt.datetime(2026, 10, 15, tzinfo=dt.UTC)
    )
    assert time.perf_counter() - started < 60
    assert out.group_by("order_id").agg(pl.col("quantity").sum())["quantity"].sum() == (
        lines["quantity"].sum()
    )
    used = (
        out.filter(pl.col("location_id").is_not_null())
        .group_by("sku", "location_id")
        .agg(pl.col("quantity").sum())
        .join(stock, on=["sku", "location_id"])
    )
    assert (used["quantity"] <= used["available"]).all()
