"""The landing manifest: files are known by content; duplicates are parsed once."""

from __future__ import annotations

import os

from oms_hub.home import Home
from oms_hub.storage.manifest import LandingManifest


def test_same_bytes_under_two_names_is_one_file(tmp_path) -> None:
    home = Home(tmp_path)
    manifest = LandingManifest(home)
    first = manifest.land_bytes("pos", "a.csv", b"x,y\n1,2\n")
    second = manifest.land_bytes("pos", "b.csv", b"x,y\n1,2\n")
    assert not first.is_duplicate
    assert second.duplicate_of == "pos/a.csv"
    assert second.sha256 == first.sha256


def test_hand_dropped_files_are_found_and_partials_skipped(tmp_path) -> None:
    home = Home(tmp_path)
    folder = home.landing_for("pos")
    folder.mkdir(parents=True)
    (folder / "dropped.csv").write_bytes(b"a\n1\n")
    (folder / "upload.csv.part").write_bytes(b"half")
    (folder / ".hidden").write_bytes(b"x")
    fresh = LandingManifest(home).scan()
    assert [f.path for f in fresh] == ["pos/dropped.csv"]
    assert LandingManifest(home).scan() == []  # nothing new the second time


def test_a_changed_file_is_rehashed(tmp_path) -> None:
    home = Home(tmp_path)
    manifest = LandingManifest(home)
    landed = manifest.land_bytes("catalog", "products.csv", b"v1")
    path = home.landing / landed.path
    path.write_bytes(b"v2 longer")
    os.utime(path, ns=(1, 1))
    (changed,) = manifest.scan()
    assert changed.sha256 != landed.sha256
    assert changed.landed_at == landed.landed_at  # first sight of the path is kept


def test_cursors_persist(tmp_path) -> None:
    home = Home(tmp_path)
    LandingManifest(home).set_cursor("shopify", "updated_at", "2026-10-01T00:00:00Z")
    assert LandingManifest(home).get_cursor("shopify", "updated_at") == "2026-10-01T00:00:00Z"
    assert LandingManifest(home).get_cursor("shopify", "other") is None


def test_unknown_source_folder_is_an_error(tmp_path) -> None:
    import pytest

    with pytest.raises(ValueError, match="unknown source 'ftp'"):
        LandingManifest(Home(tmp_path)).land_bytes("ftp", "x", b"")
