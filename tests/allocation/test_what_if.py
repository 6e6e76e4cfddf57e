"""The what-if command on the built world: rules side by side, clear errors."""

from __future__ import annotations

from pathlib import Path

import pytest

from oms_hub.cli import main
from oms_hub.home import Home

REPO = Path(__file__).resolve().parents[2]
EXAMPLES = REPO / "examples" / "allocation"


def test_help(capsys) -> None:
    with pytest.raises(SystemExit) as exit_info:
        main(["simulate-rules", "--help"])
    assert exit_info.value.code == 0
    assert "RULES.yaml" in capsys.readouterr().out


def test_store_first_versus_warehouse_first_side_by_side(built_home: Home, capsys) -> None:
    home = str(built_home.root)
    assert (
        main(
            [
                "simulate-rules",
                str(EXAMPLES / "warehouse-first.yaml"),
                "--home",
                home,
                "--sample",
                "400",
            ]
        )
        == 0
    )
    out = capsys.readouterr().out.splitlines()
    assert out[0].startswith("400 sample online lines")
    rows = {line.split()[0]: line.split()[1:] for line in out[2:]}
    assert rows["lines"] == ["400", "400"]
    in_force_km, candidate_km = (float(v) for v in rows["avg_ship_km"])
    # Stores are nearer the customers than two distribution centers.
    assert in_force_km < candidate_km
    in_force_share, candidate_share = (float(v) for v in rows["store_share"])
    assert in_force_share > 0.5
    assert candidate_share == 0.0
    assert set(rows) >= {"split_rate", "backordered_lines", "stockouts"}


def test_invalid_rules_file_is_one_line_naming_the_place(
    built_home: Home, tmp_path, capsys
) -> None:
    bad = tmp_path / "bad.yaml"
    bad.write_text(
        (EXAMPLES / "stores-first.yaml").read_text().replace("when_short: next", "when_short: wait")
    )
    code = main(["simulate-rules", str(bad), "--home", str(built_home.root), "--sample", "10"])
    err = capsys.readouterr().err.strip().splitlines()
    assert code == 2
    assert len(err) == 1
    assert err[0].startswith("oms-hub: error: bad.yaml:15 rule_sets[0].strategies[0].when_short")


def test_outcome_figures_on_a_hand_made_allocation() -> None:
    import polars as pl

    from oms_hub.allocation.what_if import outcome

    allocations = pl.DataFrame(
        {
            "order_id": ["a", "b", "b", "c"],
            "line_number": [1, 1, 1, 1],
            "sku": ["X", "X", "X", "Y"],
            "location_id": ["S1", "S1", "DC", None],
            "quantity": [2, 1, 3, 4],
            "distance_km": [10.0, 10.0, 100.0, None],
        }
    )
    stock = pl.DataFrame(
        {"sku": ["X", "X", "Y"], "location_id": ["S1", "DC", "S1"], "available": [4, 50, 0]}
    )
    locations = pl.DataFrame({"location_id": ["S1", "DC"], "kind": ["store", "warehouse"]})
    got = outcome(allocations, stock, locations, held_back=1)
    assert got["lines"] == 3
    assert got["split_rate"] == round(1 / 3, 4)
    assert got["avg_ship_km"] == round((20 + 10 + 300) / 6, 1)
    assert got["backordered_lines"] == 1
    assert got["backordered_units"] == 4
    assert got["stockouts"] == 1  # S1 had 4 - 1 held back = 3 to promise; 3 used
    assert got["store_share"] == 0.5
