from __future__ import annotations

import datetime
import re

import polars as pl
import pytest
from world_helpers import ERROR_KINDS, World, card_numbers, detect_problems, money_cents

ALL_KINDS = ERROR_KINDS | {"card_number_in_notes"}


def test_every_kind_is_injected(world: World, injected: pl.DataFrame) -> None:
    counts = dict(injected["kind"].value_counts().iter_rows())
    assert set(counts) == ALL_KINDS
    assert all(n >= 1 for n in counts.values())
    assert counts == {k: v for k, v in world.summary.injected.items() if v}
    rate = injected.height / world.summary.order_lines
    assert 0.001 < rate < 0.006  # about 0.2 % plus one forced row of each kind


def test_truth_rows_are_exactly_the_rows_that_are_broken(
    pos_rows: pl.DataFrame, injected: pl.DataFrame, products: pl.DataFrame
) -> None:
    """Re-detect every problem from the text alone: the sets must match row for row."""
    detected = detect_problems(pos_rows, set(products["sku"]))
    expected = injected.select("file", "row_number", "kind").sort("file", "row_number", "kind")
    assert detected.to_dicts() == expected.to_dicts()


def test_injected_rows_are_corrupted_as_described(
    pos_rows: pl.DataFrame, injected: pl.DataFrame, products: pl.DataFrame
) -> None:
    rows = injected.join(pos_rows, on=["file", "row_number"], how="left")
    assert rows["Location"].null_count() == 0  # every located row exists
    assert (rows["Event Type"] == "Payment").all()
    skus = set(products["sku"])
    for row in rows.iter_rows(named=True):
        kind = row["kind"]
        if kind != "missing_transaction_id":
            assert row["Transaction ID"] == row["transaction_id"]
        if kind == "bad_money":
            assert row["Gross Sales"].endswith("O") or not any(
                c.isdigit() for c in row["Gross Sales"]
            )
        elif kind == "unknown_sku":
            assert row["SKU"] not in skus
            assert row["SKU"].startswith("SKU-")
        elif kind == "bad_date":
            for fmt in ("%Y-%m-%d", "%m/%d/%Y"):
                with pytest.raises(ValueError, match=r"does not match|out of range|unconverted"):
                    datetime.datetime.strptime(row["Date"], fmt)
            assert re.fullmatch(r"\d{4}-\d{2}-\d{2}|\d{2}/\d{2}/\d{4}", row["Date"])
        elif kind == "unknown_time_zone":
            assert row["Time Zone"] not in {
                "Eastern Time (US & Canada)",
                "Central Time (US & Canada)",
                "Mountain Time (US & Canada)",
                "Pacific Time (US & Canada)",
                "Arizona",
            }
        elif kind == "missing_transaction_id":
            assert row["Transaction ID"] is None
            assert row["transaction_id"]  # truth still names the transaction
        elif kind == "net_mismatch":
            cents = pl.DataFrame([row]).select(
                money_cents("Gross Sales") + money_cents("Discounts") - money_cents("Net Sales")
            )
            assert cents.item() != 0
        elif kind == "bad_quantity":
            assert row["Qty"] in ("two", "0")
        elif kind == "card_number_in_notes":
            numbers = card_numbers(row["Notes"])
            assert len(numbers) == 1
            assert len(numbers[0]) == 16
            assert (" " in row["Notes"]) or ("-" in row["Notes"])


def test_missing_transaction_row_still_belongs_to_a_transaction(
    pos_rows: pl.DataFrame, injected: pl.DataFrame
) -> None:
    missing = injected.filter(pl.col("kind") == "missing_transaction_id")
    row = missing.join(pos_rows, on=["file", "row_number"]).row(0, named=True)
    siblings = pos_rows.filter(pl.col("Payment ID") == row["Payment ID"])
    named = siblings["Transaction ID"].drop_nulls().unique().to_list()
    assert named in ([], [row["transaction_id"]])
