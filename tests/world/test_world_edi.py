"""The EDI partners of the sample world: deterministic, parseable, POS untouched."""

from __future__ import annotations

from pathlib import Path

import polars as pl

from oms_hub.connectors.edi import parse_edi
from oms_hub.world import generate_world


def _files(root: Path, source: str) -> dict[str, bytes]:
    folder = root / "landing" / source
    return {
        p.relative_to(folder).as_posix(): p.read_bytes()
        for p in sorted(folder.rglob("*"))
        if p.is_file()
    }


def test_edi_is_deterministic_and_leaves_pos_byte_identical(tmp_path: Path) -> None:
    plain = generate_world(tmp_path / "plain", orders=300, days=2, seed=9)
    with_edi = generate_world(tmp_path / "edi", orders=300, days=2, seed=9, edi_orders=30)
    generate_world(tmp_path / "again", orders=300, days=2, seed=9, edi_orders=30)
    assert _files(tmp_path / "plain", "pos") == _files(tmp_path / "edi", "pos")
    assert _files(tmp_path / "plain", "catalog") == _files(tmp_path / "edi", "catalog")
    assert _files(tmp_path / "edi", "edi") == _files(tmp_path / "again", "edi")
    assert not (tmp_path / "plain" / "landing" / "edi").exists()
    assert with_edi.edi_orders == 30
    assert with_edi.files_written == plain.files_written + with_edi.edi_files
    # 3 buyers + 1 warehouse partner (846) a day, plus the re-sent interchange, plus the
    # 3PL's 945s: day 0's orders ship from day 1 on, so one shipping day in two days.
    assert with_edi.edi_files == 2 * 4 + 1 + 1
    assert (tmp_path / "edi" / "landing" / "edi" / "ship-3PLWEST-20261002.x12").exists()


def test_every_edi_file_parses_and_only_planted_problems_are_rejected(tmp_path: Path) -> None:
    generate_world(tmp_path, orders=300, days=2, seed=9, edi_orders=60)
    planted = pl.read_csv(tmp_path / "truth" / "edi_injected.csv", infer_schema=False)
    parse_kinds = planted.filter(pl.col("kind") != "unknown_sku")
    rejected = 0
    for name, payload in _files(tmp_path, "edi").items():
        result = parse_edi(payload, landed_file=f"edi/{name}")
        assert result.records == result.staged.height + result.rejected
        mine = parse_kinds.filter(pl.col("file") == f"edi/{name}")
        assert sorted(
            result.quarantine.filter(pl.col("action") == "rejected")["error_code"].to_list()
        ) == sorted(mine["kind"].to_list()), name
        rejected += result.rejected
    assert rejected == parse_kinds.height > 0


def test_945_shipments_leave_the_dcs_books_and_846s_report_them(tmp_path: Path) -> None:
    plain = tmp_path / "plain"
    generate_world(plain, orders=600, days=5, seed=4)
    generate_world(tmp_path / "edi", orders=600, days=5, seed=4, edi_orders=50)
    truth = tmp_path / "edi" / "truth"
    shipped = pl.read_csv(truth / "edi_shipments.csv")
    assert shipped["shipment_id"].n_unique() > 5
    # never more units than the order holds (several 945s per order allowed)
    units = pl.read_csv(truth / "edi_orders.csv").select("order_id", "units")
    per = shipped.group_by("order_id").agg(pl.col("quantity").sum()).join(units, on="order_id")
    assert per.height == shipped["order_id"].n_unique()
    assert (per["quantity"] <= per["units"]).all()
    assert per["quantity"].min() > 0
    assert (per["quantity"] < per["units"]).any()  # some orders shipped in part so far
    # The DCs' books lose exactly what shipped; stores are untouched.
    before = pl.read_csv(plain / "truth" / "inventory_on_hand.csv")
    after = pl.read_csv(truth / "inventory_on_hand.csv")
    diff = (
        before.join(after, on=["sku", "location_id"], suffix="_after")
        .with_columns(out=pl.col("on_hand") - pl.col("on_hand_after"))
        .filter(pl.col("out") != 0)
    )
    want = shipped.group_by("sku", "location_id").agg(out=pl.col("quantity").sum())
    assert (
        diff.select("sku", "location_id", "out")
        .sort("sku", "location_id")
        .equals(want.sort("sku", "location_id"))
    )
    # Every 945 file parses; only the planted ones are rejected later (conform stage).
    for path in sorted((tmp_path / "edi" / "landing" / "edi").glob("ship-*.x12")):
        result = parse_edi(path.read_bytes(), landed_file=f"edi/{path.name}")
        assert result.quarantine.is_empty()
        assert result.staged.height > 0
    assert set(pl.read_csv(truth / "edi_shipments_injected.csv")["kind"]) == {
        "unknown_order",
        "unknown_sku",
        "over_shipped",
    }
