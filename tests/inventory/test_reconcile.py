"""Counts against the books, on hand-made ledgers: each cause, and corrections carried on."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import polars as pl

from oms_hub.inventory.ledger import build_ledger
from oms_hub.inventory.positions import positions_as_of
from oms_hub.inventory.reconcile import reconcile_counts
from oms_hub.quality.contracts import contract

T0 = datetime(2026, 10, 1, tzinfo=UTC)


def h(hours: float) -> datetime:
    return T0 + timedelta(hours=hours)


def moves(rows: list[tuple]) -> pl.LazyFrame:
    """(sku, location, at, kind, quantity, reference, counterpart[, bucket])"""
    if not rows:
        return contract("core.inventory_movements").empty().lazy()
    frame = pl.DataFrame(
        [
            {
                "sku": r[0],
                "location_id": r[1],
                "moved_at": r[2],
                "kind": r[3],
                "quantity": r[4],
                "reference": r[5],
                "counterpart_location_id": r[6],
                "bucket": r[7] if len(r) > 7 else "sellable",
                "source": "test",
                "landed_file": "f",
                "locator": f"row {i}",
            }
            for i, r in enumerate(rows, start=1)
        ]
    )
    return build_ledger([contract("core.inventory_movements").conform(frame).lazy()])


def counts(rows: list[tuple]) -> pl.DataFrame:
    """(sku, location, at, qty)"""
    return contract("core.inventory_counts").conform(
        pl.DataFrame(
            [
                {
                    "sku": r[0],
                    "location_id": r[1],
                    "counted_at": r[2],
                    "counted_qty": r[3],
                    "count_source": "pos_stock_count",
                    "source": "inventory",
                    "landed_file": "inventory/c.csv",
                    "locator": f"row {i}",
                }
                for i, r in enumerate(rows, start=1)
            ]
        )
    )


def test_each_cause_is_recognised() -> None:
    ledger = moves(
        [
            ("A", "S1", h(0), "opening", 10, None, None),
            ("B", "S1", h(0), "opening", 10, None, None),
            ("C", "S1", h(0), "opening", 10, None, None),
            ("D", "S1", h(0), "opening", 10, None, None),
            ("E", "S1", h(0), "opening", 10, None, None),
            # A: 3 units shipped to S1 at h5, received at h30 (count at h10 sees them)
            ("A", "DC", h(5), "transfer_out", -3, "TR-1", "S1"),
            ("A", "S1", h(30), "transfer_in", 3, "TR-1", "DC"),
            # B: a return posted at h40, after the count at h10
            ("B", "S1", h(40), "return_restock", 2, "RET-1", None),
            # C: sales after the stated count time: 1 at h11, 2 at h12
            ("C", "S1", h(11), "sale", -1, "O-1", None),
            ("C", "S1", h(12), "sale", -2, "O-2", None),
            # E: a sale long after the count window does not explain anything
            ("E", "S1", h(40), "sale", -1, "O-3", None),
        ]
    )
    found, corrections = reconcile_counts(
        counts(
            [
                ("A", "S1", h(10), 13),  # +3 in transit
                ("B", "S1", h(10), 12),  # +2 unposted return
                ("C", "S1", h(10), 7),  # -3 = both sales after the count
                ("D", "S1", h(10), 8),  # -2 nothing explains
                ("E", "S1", h(10), 9),  # -1 but the sale is 30 h later: shrink
            ]
        ),
        ledger,
    )
    got = {r["sku"]: (r["delta"], r["likely_cause"], r["evidence"]) for r in found.to_dicts()}
    assert got == {
        "A": (3, "transfer_in_transit", "TR-1"),
        "B": (2, "unposted_return", "RET-1"),
        "C": (-3, "sale_after_count", "O-1 O-2"),
        "D": (-2, "unexplained_shrink", None),
        "E": (-1, "unexplained_shrink", None),
    }
    assert found.filter(pl.col("sku") == "A")["expected_on_hand"].item() == 10
    assert sorted(corrections["sku"].to_list()) == ["D", "E"]
    assert corrections["kind"].unique().to_list() == ["count_correction"]
    assert corrections.sort("sku")["quantity"].to_list() == [-2, -1]


def test_a_correction_changes_what_later_counts_are_compared_with() -> None:
    ledger = moves(
        [
            ("A", "S1", h(0), "opening", 10, None, None),
            ("A", "S1", h(50), "sale", -1, "O-1", None),
        ]
    )
    found, corrections = reconcile_counts(
        counts(
            [
                ("A", "S1", h(10), 8),  # 2 stolen: corrected to 8
                ("A", "S1", h(100), 7),  # 8 - 1 sale = 7: agrees after the correction
                ("A", "S1", h(200), 8),  # one more than the books: overage
            ]
        ),
        ledger,
    )
    assert found.select("counted_at", "expected_on_hand", "delta", "likely_cause").rows() == [
        (h(10), 10, -2, "unexplained_shrink"),
        (h(200), 7, 1, "unexplained_overage"),
    ]
    full = build_ledger([ledger, corrections.lazy()])
    end = positions_as_of(
        full, h(300), products=pl.LazyFrame({"sku": ["A"], "safety_stock_units": [0]})
    )
    assert end["on_hand"].to_list() == [8]


def test_no_counts_no_discrepancies() -> None:
    found, corrections = reconcile_counts(contract("core.inventory_counts").empty(), moves([]))
    assert found.is_empty()
    assert corrections.is_empty()


def test_positions_as_of_any_moment_with_damaged_bucket_and_transit() -> None:
    ledger = moves(
        [
            ("A", "S1", h(0), "opening", 10, None, None),
            ("A", "DC", h(0), "opening", 50, None, None),
            ("A", "DC", h(5), "transfer_out", -4, "TR-9", "S1"),
            ("A", "S1", h(20), "transfer_in", 4, "TR-9", "DC"),
            ("A", "S1", h(8), "return_damaged", 1, "RET-2", None, "damaged"),
            ("A", "S1", h(9), "sale", -3, "O-1", None),
        ]
    )
    products = pl.LazyFrame({"sku": ["A"], "safety_stock_units": [2]})
    allocations = pl.LazyFrame({"sku": ["A"], "location_id": ["S1"], "quantity": [4]})
    mid = positions_as_of(
        ledger, h(10), products=products, allocations=allocations, channel_threshold=1
    )
    s1 = mid.filter(pl.col("location_id") == "S1").row(0, named=True)
    assert (s1["on_hand"], s1["damaged"], s1["in_transit_in"], s1["allocated"]) == (7, 1, 4, 4)
    assert s1["available_to_promise"] == 0  # 7 - 4 - 2 - 1 = 0
    late = positions_as_of(ledger, h(30), products=products)
    assert late.filter(pl.col("location_id") == "S1")["on_hand"].item() == 11
    assert late.filter(pl.col("location_id") == "DC")["available_to_promise"].item() == 44
    early = positions_as_of(ledger, h(1), products=products)
    assert early.filter(pl.col("location_id") == "S1")["in_transit_in"].item() == 0


def test_partner_stock_advice_is_compared_but_never_moves_the_books() -> None:
    from decimal import Decimal

    from oms_hub.inventory.reconcile import counts_from_edi_advice

    advice = pl.DataFrame(
        {
            "sku": ["A", "A", "A"],
            "location_id": ["DC", "DC", "DC"],
            "advised_at": [h(10), h(10), h(10)],
            "quantity": [Decimal("7"), Decimal("2.5"), Decimal("99")],
            "quantity_qualifier": ["33", "33", "02"],
            "source": ["edi"] * 3,
            "landed_file": ["edi/inv.x12"] * 3,
            "locator": ["ST 0001", "ST 0001", "ST 0001"],
        },
        schema_overrides={"quantity": pl.Decimal(18, 4)},
    )
    counts_ = counts_from_edi_advice(advice)
    assert counts_.select("counted_qty", "count_source").rows() == [(7, "edi_846")]
    ledger = moves([("A", "DC", h(0), "opening", 10, None, None)])
    found, corrections = reconcile_counts(counts_, ledger)
    assert found.select("delta", "likely_cause", "corrected").rows() == [
        (-3, "unexplained_shrink", False)
    ]
    assert corrections.is_empty()
