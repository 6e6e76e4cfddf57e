"""The stock part of the world: POS files unchanged by it, files and truth consistent."""

from __future__ import annotations

from pathlib import Path

import polars as pl
from world_helpers import build


def test_pos_and_catalog_files_are_the_same_with_or_without_stock(tmp_path: Path) -> None:
    with_stock = build(tmp_path / "a", orders=1_200, days=4, seed=9)
    without = build(tmp_path / "b", orders=1_200, days=4, seed=9, inventory=False)

    def files(root: Path) -> list[str]:
        return sorted(p.relative_to(root).as_posix() for p in root.rglob("*") if p.is_file())

    for folder in ("pos", "catalog"):
        names = files(with_stock.landing / folder)
        assert names == files(without.landing / folder)
        for name in names:
            a = (with_stock.landing / folder / name).read_bytes()
            assert a == (without.landing / folder / name).read_bytes(), name
    assert not (without.landing / "inventory").exists()
    assert without.summary.inventory_files == 0
    assert with_stock.summary.inventory_files == len(
        list((with_stock.landing / "inventory").iterdir())
    )


def test_stock_files_and_truth_agree(tmp_path: Path) -> None:
    world = build(tmp_path, orders=3_000, days=10, seed=2)
    folder = world.landing / "inventory"
    names = sorted(p.name for p in folder.iterdir())
    assert names[0].startswith("opening-balances-")
    for prefix in ("receipts-", "transfers-", "pos-stock-count-", "wms-snapshot-"):
        assert any(n.startswith(prefix) for n in names), prefix
    truth = pl.read_csv(world.truth / "inventory_discrepancies.csv")
    assert set(truth["cause"]) == {
        "unposted_return",
        "sale_after_count",
        "transfer_in_transit",
        "unexplained_shrink",
    }
    assert (truth["reported_on_hand"] - truth["expected_on_hand"] == truth["delta"]).all()
    assert (truth["reported_on_hand"] >= 0).all()
    assert (truth["delta"] != 0).all()
    assert world.summary.inventory_discrepancies == dict(
        truth.group_by("cause").len().iter_rows()
    ) | {c: 0 for c in world.summary.inventory_discrepancies if c not in set(truth["cause"])}
    # Opening balance: one row per SKU x location (1 per product per location).
    opening = pl.read_csv(next(folder.glob("opening-balances-*.csv")))
    assert opening.height == world.summary.products * world.summary.locations
    assert (opening["on_hand"] > 0).all()
    # Every count file reports non-negative whole numbers except the injected bad rows.
    bad = pl.read_csv(world.truth / "inventory_injected.csv")
    assert set(bad["kind"]) <= {"bad_quantity", "bad_timestamp"}
