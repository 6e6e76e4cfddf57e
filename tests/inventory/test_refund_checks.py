"""Refunds against what was paid: an excess is flagged once and counted once."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from decimal import Decimal

import polars as pl

from oms_hub.inventory.refund_checks import check_refunds
from oms_hub.quality.contracts import contract

T0 = datetime(2026, 10, 1, tzinfo=UTC)
LINEAGE = {"source": "t", "landed_file": "f", "locator": "row 1"}


def _lines() -> pl.LazyFrame:
    return (
        contract("core.order_lines")
        .conform(
            pl.DataFrame(
                [
                    {
                        "order_id": "o1",
                        "line_number": 1,
                        "channel": "web",
                        "ordered_at": T0,
                        "location_id": None,
                        "sku": "A",
                        "item_name": "a",
                        "quantity": 2,
                        "unit_price": Decimal("10"),
                        "gross_amount": Decimal("20.00"),
                        "discount_amount": Decimal("0.00"),
                        "line_total": Decimal("20.00"),
                        "tax_amount": Decimal("1.60"),
                        "currency": "USD",
                        **LINEAGE,
                    }
                ]
            )
        )
        .lazy()
    )


def _returns(rows: list[tuple]) -> pl.LazyFrame:
    """(return_id, order_id, sku, quantity, refund, tax, days after, condition, location)"""
    return (
        contract("core.returns")
        .conform(
            pl.DataFrame(
                [
                    {
                        "return_id": r[0],
                        "order_id": r[1],
                        "channel": "web",
                        "returned_at": T0 + timedelta(days=r[6]),
                        "location_id": r[8],
                        "sku": r[2],
                        "quantity": r[3],
                        "condition": r[7],
                        "refund_amount": Decimal(r[4]),
                        "tax_refund": Decimal(r[5]),
                        "restock_type": None,
                        "currency": "USD",
                        **LINEAGE,
                    }
                    for r in rows
                ]
            )
        )
        .lazy()
    )


def test_excess_is_flagged_on_the_refund_that_crosses_and_counted_once() -> None:
    out = check_refunds(
        _returns(
            [
                ("r1", "o1", "A", 1, "10.00", "0.80", 1, "sellable", "S1"),
                ("r2", "o1", "A", 1, "12.00", "0.80", 2, "damaged", "S1"),  # 2.00 too much
                ("r3", "o1", "A", 1, "5.00", "0.00", 3, "unknown", None),  # all of it too much
                ("r4", "o9", "A", 1, "5.00", "0.40", 3, "unknown", "S1"),  # sale not loaded
            ]
        ),
        _lines(),
    )
    got = {r["return_id"]: r for r in out.to_dicts()}
    assert got["r1"]["flag"] == "ok"
    assert got["r1"]["over_refund_amount"] == Decimal("0.00")
    assert got["r2"]["flag"] == "over_refund"
    assert got["r2"]["over_refund_amount"] == Decimal("2.00")
    assert got["r3"]["flag"] == "over_refund"
    assert got["r3"]["over_refund_amount"] == Decimal("5.00")
    assert got["r4"]["flag"] == "unmatched"
    assert got["r4"]["paid_amount"] is None
    # Counted once: the excesses add up to refunds - paid exactly.
    total = sum(r["total_refund"] for r in out.to_dicts() if r["order_id"] == "o1")
    assert sum(got[k]["over_refund_amount"] for k in ("r1", "r2", "r3")) == total - Decimal("21.60")
    assert [got[k]["stock_bucket"] for k in ("r1", "r2", "r3")] == [
        "sellable",
        "damaged",
        "not_restocked",
    ]


def test_world_refunds_are_never_above_what_was_paid(built_home) -> None:
    from oms_hub.storage.lake import Lake

    checks = Lake(built_home).read("core.return_checks")
    returns = Lake(built_home).read("core.returns")
    assert checks.height == returns.height
    assert checks.filter(pl.col("flag").is_in(["over_refund", "over_quantity"])).is_empty()
    assert checks.filter(pl.col("flag") == "ok").height > 0
