"""The stock pipeline on the generated world, scored against its ground truth."""

from __future__ import annotations

import polars as pl

from oms_hub.home import Home
from oms_hub.storage.lake import Lake

PAIR = ["sku", "location_id"]


def _truth_discrepancies(home: Home) -> pl.DataFrame:
    return pl.read_csv(home.truth / "inventory_discrepancies.csv").with_columns(
        pl.col("counted_at").str.to_datetime(time_zone="UTC")
    )


def test_every_injected_discrepancy_is_found_with_its_cause(built_home: Home) -> None:
    truth = _truth_discrepancies(built_home)
    # Our own counts (partner 846 advice, where an EDI channel sends it, is scored apart).
    found = (
        Lake(built_home)
        .read("core.inventory_discrepancies")
        .filter(pl.col("count_source") != "edi_846")
    )
    assert truth.height >= 10
    assert truth["cause"].n_unique() >= 3
    joined = truth.join(found, on=[*PAIR, "counted_at"], how="left")
    assert joined.filter(pl.col("likely_cause") != pl.col("cause")).is_empty()
    assert joined["likely_cause"].null_count() == 0
    assert (joined["expected_on_hand"] == joined["expected_on_hand_right"]).all()
    assert (joined["reported_on_hand"] == joined["reported_on_hand_right"]).all()
    # ... and nothing that was not injected.
    assert found.height == truth.height


def test_end_on_hand_equals_the_worlds_books(built_home: Home) -> None:
    truth = pl.read_csv(built_home.truth / "inventory_on_hand.csv")
    positions = Lake(built_home).read("core.inventory_positions")
    joined = truth.join(positions, on=PAIR, how="full", coalesce=True)
    assert joined.height == truth.height == positions.height
    assert (joined["on_hand"] == joined["on_hand_right"]).all()


def test_on_hand_is_start_plus_receipts_minus_shipments_plus_restocks_and_adjustments(
    built_home: Home,
) -> None:
    lake = Lake(built_home)
    ledger = lake.read("core.inventory_movements")
    by_kind = ledger.pivot(
        on="kind", index=PAIR, values="quantity", aggregate_function="sum"
    ).fill_null(0)
    for kind in (
        "opening",
        "receipt",
        "transfer_in",
        "transfer_out",
        "sale",
        "return_restock",
        "count_correction",
        "adjustment",
    ):
        if kind not in by_kind.columns:
            by_kind = by_kind.with_columns(pl.lit(0).alias(kind))
    expected = by_kind.select(
        *PAIR,
        (
            pl.col("opening")
            + pl.col("receipt")
            + pl.col("transfer_in")
            - pl.col("transfer_out").abs()
            - pl.col("sale").abs()
            + pl.col("return_restock")
            + pl.col("count_correction")
            + pl.col("adjustment")
        ).alias("expected"),
    )
    positions = lake.read("core.inventory_positions").join(expected, on=PAIR)
    assert positions.height == lake.read("core.inventory_positions").height
    assert (positions["on_hand"] == positions["expected"]).all()
    # Sales in the ledger are exactly the POS units loaded, returns the refunds.
    lines = lake.read("core.order_lines")
    assert -ledger.filter(pl.col("kind") == "sale")["quantity"].sum() == lines["quantity"].sum()
    returns = lake.read("core.returns")
    restocked = ledger.filter(pl.col("kind").str.starts_with("return_"))["quantity"].sum()
    assert restocked == returns["quantity"].sum()
    # Refunds noted "damaged" go to the damaged bucket, not back on the shelf.
    damaged = returns.filter(pl.col("condition") == "damaged")["quantity"].sum()
    assert damaged > 0
    assert ledger.filter(pl.col("bucket") == "damaged")["quantity"].sum() == damaged
    assert lake.read("core.inventory_positions")["damaged"].sum() == damaged
    # ATP never below zero and follows its formula.
    p = lake.read("core.inventory_positions")
    formula = (p["on_hand"] - p["allocated"] - p["safety_stock"] - p["channel_threshold"]).clip(
        lower_bound=0
    )
    assert (p["available_to_promise"] == formula).all()


def test_without_open_online_lines_allocations_are_empty_and_valid(built_home: Home) -> None:
    lake = Lake(built_home)
    assert lake.has_data("core.allocations")
    allocations = lake.read("core.allocations")
    assert allocations.is_empty()
    assert "rule" in allocations.columns
    assert "reason" in allocations.columns
    assert lake.read("core.inventory_positions")["allocated"].sum() == 0


def test_counts_and_quarantine_account_for_every_count_row(built_home: Home) -> None:
    lake = Lake(built_home)
    audit = lake.read("ops.load_audit").filter(pl.col("source") == "inventory")
    assert audit.height > 0
    assert (audit["unaccounted"] == 0).all()
    injected = pl.read_csv(built_home.truth / "inventory_injected.csv")
    assert audit["quarantined"].sum() == injected.height
