from __future__ import annotations

from pathlib import Path

from world_helpers import build


def _tree(root: Path) -> dict[str, bytes]:
    return {p.relative_to(root).as_posix(): p.read_bytes() for p in root.rglob("*") if p.is_file()}


def test_same_seed_gives_byte_identical_files(tmp_path: Path) -> None:
    a = build(tmp_path / "a", orders=1_500, days=4, seed=3)
    b = build(tmp_path / "b", orders=1_500, days=4, seed=3)
    tree_a, tree_b = _tree(tmp_path / "a"), _tree(tmp_path / "b")
    # landing files (POS + catalog, stock files, customer directory exports) + 5 truth files
    # + 3 stock truth files
    summary = a.summary
    assert summary.directory_files == 1  # 4 days: one export, on the last day
    landing = summary.files_written + summary.inventory_files + summary.directory_files
    assert len(tree_a) == landing + 5 + 3
    assert tree_a.keys() == tree_b.keys()
    differing = [name for name in tree_a if tree_a[name] != tree_b[name]]
    assert differing == []
    assert a.summary.as_dict() | {"landing": "", "truth": ""} == b.summary.as_dict() | {
        "landing": "",
        "truth": "",
    }


def test_different_seed_gives_different_world(tmp_path: Path) -> None:
    build(tmp_path / "a", orders=1_500, days=4, seed=3)
    build(tmp_path / "b", orders=1_500, days=4, seed=4)
    tree_a, tree_b = _tree(tmp_path / "a"), _tree(tmp_path / "b")
    pos = [n for n in tree_a if n.startswith("landing/pos/") and n in tree_b]
    assert sum(tree_a[n] != tree_b[n] for n in pos) >= len(pos) - 2
    assert tree_a["landing/catalog/products.csv"] != tree_b["landing/catalog/products.csv"]
    # The store list is fixed, not seeded.
    assert tree_a["landing/catalog/locations.csv"] == tree_b["landing/catalog/locations.csv"]


def test_regeneration_into_same_home_is_idempotent(tmp_path: Path) -> None:
    build(tmp_path, orders=1_200, days=3, seed=5)
    first = _tree(tmp_path)
    build(tmp_path, orders=1_200, days=3, seed=5)
    assert _tree(tmp_path) == first


def test_no_home_path_or_temp_files_in_outputs(tmp_path: Path) -> None:
    build(tmp_path, orders=1_200, days=3, seed=5)
    tree = _tree(tmp_path)
    assert not [n for n in tree if Path(n).name.startswith(".")]
    assert str(tmp_path).encode() not in tree["truth/world.json"]
