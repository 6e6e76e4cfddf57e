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
    # 3 buyers + 1 warehouse partner a day, plus the re-sent interchange.
    assert with_edi.edi_files == 2 * 4 + 1


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
