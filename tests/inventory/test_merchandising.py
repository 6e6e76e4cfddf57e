"""Merchandiser marts on the built world and on a hand-made case."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import polars as pl

from oms_hub.home import Home
from oms_hub.inventory.ledger import build_ledger
from oms_hub.inventory.positions import positions_as_of
from oms_hub.quality.contracts import contract
from oms_hub.reports.stock import reorder
from oms_hub.storage.lake import Lake


def test_reorder_rounds_up_to_whole_packs_and_flags_levels() -> None:
    t0 = datetime(2026, 10, 1, tzinfo=UTC)
    rows = [("A", "S1", t0, "opening", 30), ("B", "S1", t0, "opening", 0)]
    rows += [("A", "S1", t0 + timedelta(days=d, hours=12), "sale", -2) for d in range(14)]
    ledger = build_ledger(
        [
            contract("core.inventory_movements")
            .conform(
                pl.DataFrame(
                    [
                        {
                            "sku": s,
                            "location_id": loc,
                            "moved_at": at,
                            "kind": k,
                            "quantity": q,
                            "bucket": "sellable",
                            "reference": None,
                            "counterpart_location_id": None,
                            "source": "t",
                            "landed_file": "f",
                            "locator": "row 1",
                        }
                        for s, loc, at, k, q in rows
                    ]
                )
            )
            .lazy()
        ]
    )
    as_of = t0 + timedelta(days=14)
    products = pl.LazyFrame(
        {
            "sku": ["A", "B"],
            "name": ["a", "b"],
            "category": ["Home", "Toys"],
            "safety_stock_units": [3, 1],
            "lead_time_days": [10, 5],
            "review_period_days": [7, 7],
            "pack_size": [6, 12],
        }
    ).with_columns(pl.col("lead_time_days", "review_period_days", "pack_size").cast(pl.Int32))
    positions = positions_as_of(ledger, as_of, products=products)
    empty_alloc = contract("core.allocations").empty().lazy()
    out = reorder(
        ledger=ledger,
        positions=positions,
        allocations=empty_alloc,
        lines=contract("core.order_lines").empty().lazy(),
        products=products,
        as_of=as_of,
    )
    a = out.filter(pl.col("sku") == "A").row(0, named=True)
    # 28 units sold in the 28-day window -> 1/day; 2 left -> 2 days of cover < 10 lead time.
    assert a["units_28d_pos"] == 28
    assert a["daily_velocity"] == 1.0
    assert a["low_stock_alert"] == "critical"
    assert a["reorder_point"] == 10 + 3
    assert a["order_up_to"] == 17 + 3
    assert a["suggested_order_qty"] == 18  # 20 - 2 = 18 -> 3 packs of 6
    b = out.filter(pl.col("sku") == "B").row(0, named=True)
    assert b["low_stock_alert"] == "out"
    assert b["suggested_order_qty"] == 12  # safety stock 1 -> one pack of 12


def test_marts_add_up_to_the_core_tables(built_home: Home) -> None:
    lake = Lake(built_home)
    through = lake.read("marts.rpt_sell_through")
    sold = lake.read("core.order_lines")["quantity"].sum()
    for period in ("week", "month"):
        assert through.filter(pl.col("period") == period)["units_sold"].sum() == sold
    returned = lake.read("core.returns")["quantity"].sum()
    assert through.filter(pl.col("period") == "month")["units_returned"].sum() == returned
    to_order = lake.read("marts.rpt_reorder")
    assert to_order.height > 0
    assert (to_order["suggested_order_qty"] % to_order["pack_size"] == 0).all()
    assert set(to_order["low_stock_alert"]) <= {"out", "critical", "low"}
    for name in ("reorder.xlsx", "reorder.html", "sell_through.xlsx", "sell_through.html"):
        assert (built_home.reports / name).stat().st_size > 1000, name
    page = (built_home.reports / "sell_through.html").read_text()
    assert "<svg" in page
