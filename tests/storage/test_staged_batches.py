"""Staged batches: same rows as per-file staging, each file parsed once, crash-safe, merged.

Real files in a temporary home: a small generated world with API channels (the Amazon
stream lands one small items document per order, the shape batches exist for), staged
either the way lakes were staged before batches (three files per landed file, written
here as that code wrote them) or by ``stage_new_files``. Crashes are simulated by leaving
on disk exactly what a killed writer leaves.
"""

from __future__ import annotations

import dataclasses
import os
import shutil
from pathlib import Path

import duckdb
import polars as pl
import pytest
from polars.testing import assert_frame_equal

from oms_hub.cli import main
from oms_hub.home import Home
from oms_hub.quality.contracts import contract
from oms_hub.sources import STAGED_SOURCES, STREAMS
from oms_hub.steps import staging
from oms_hub.steps.landing import register_landed_files
from oms_hub.steps.staging import (
    StagedSource,
    compact,
    parse_logs,
    quarantine_scan,
    stage_new_files,
    staged_rows,
)
from oms_hub.storage.batches import is_batch_id, read_state
from oms_hub.storage.catalog import publish_catalog
from oms_hub.storage.lake import Lake, write_parquet_atomic
from oms_hub.storage.manifest import LandingManifest
from oms_hub.world import generate_world

AMAZON = STREAMS["amazon/orders"]
SPECS = list(STAGED_SOURCES)


@pytest.fixture(scope="module")
def landed(tmp_path_factory: pytest.TempPathFactory) -> Home:
    """A small world with API orders, landed and registered, nothing staged."""
    root = tmp_path_factory.mktemp("batches")
    generate_world(root, orders=300, days=2, seed=5, api_orders=900)
    home = Home(root)
    register_landed_files(home)
    return home


@pytest.fixture
def fresh(landed: Home, tmp_path: Path):
    def _copy(name: str) -> Home:
        shutil.copytree(landed.root, tmp_path / name)
        return Home(tmp_path / name)

    return _copy


@pytest.fixture
def small_batches(monkeypatch: pytest.MonkeyPatch) -> None:
    """Batch limits small enough that this world makes several batches per stream."""
    monkeypatch.setattr(staging, "BATCH_FILES", 40)
    monkeypatch.setattr(staging, "COMPACT_ABOVE", 3)


def stage_per_file(home: Home, spec: StagedSource) -> None:
    """Stage the way lakes were staged before batches: rows, quarantine, log per file."""
    lake = Lake(home)
    for file in LandingManifest(home).files(spec.source):
        if file.is_duplicate or not spec.accepts(file.path):
            continue
        result = staging._parse(home, spec, file)
        if result.staged.width:
            write_parquet_atomic(result.staged, spec.rows_dir(lake) / f"{file.sha256}.parquet")
        lake.write_part(
            "ops.quarantine",
            f"parse/{spec.folder}/{file.sha256}",
            contract("ops.quarantine").conform(result.quarantine),
        )
        log = pl.DataFrame(
            [{"source": spec.source, "landed_file": file.path, "sha256": file.sha256,
              "parser": f"v{spec.version}", **staging._counts(result)}],
            schema=staging.PARSE_LOG_SCHEMA,
        )  # fmt: skip
        write_parquet_atomic(log, spec.files(lake).log_path(file.sha256))


def _sorted(frame: pl.DataFrame) -> pl.DataFrame:
    return frame.sort([c for c, t in frame.schema.items() if not t.is_nested()])


def snapshot(home: Home) -> dict[str, pl.DataFrame]:
    """Everything a reader of staging sees, in a comparable order."""
    seen = {
        spec.folder: _sorted(rows.collect())
        for spec in SPECS
        if (rows := staged_rows(home, spec)) is not None
    }
    seen["logs"] = _sorted(parse_logs(home, SPECS))
    seen["quarantine"] = _sorted(quarantine_scan(home, SPECS).collect())
    assert_frame_equal(_sorted(Lake(home).read("ops.quarantine")), seen["quarantine"])
    return seen


def assert_same(a: dict[str, pl.DataFrame], b: dict[str, pl.DataFrame]) -> None:
    assert a.keys() == b.keys()
    for name in a:
        assert a[name].height == b[name].height, name
        assert_frame_equal(a[name], b[name])


def view_count(home: Home, *, publish: bool = True) -> int:
    """Rows of ops.quarantine as an analyst sees them in the DuckDB catalog."""
    if publish:
        publish_catalog(home)
    con = duckdb.connect(str(home.catalog), read_only=True)
    try:
        return con.execute("select count(*) from ops.quarantine").fetchall()[0][0]
    finally:
        con.close()


def count_files(home: Home) -> int:
    folders = (home.lake / "staging", home.lake / "ops" / "quarantine")
    return sum(len(names) for folder in folders for _, _, names in os.walk(folder))


@pytest.fixture
def per_file(fresh) -> Home:
    home = fresh("per_file")
    for spec in SPECS:
        stage_per_file(home, spec)
    return home


def test_batches_read_back_as_per_file_staging_and_rerun_parses_nothing(
    fresh, per_file: Home, small_batches: None
) -> None:
    home = fresh("batched")
    summaries = {s.folder: stage_new_files(home, s) for s in SPECS}
    amazon = summaries[AMAZON.folder]
    assert amazon["files_parsed"] > 100
    assert amazon["batches_written"] > 2
    assert_same(snapshot(home), snapshot(per_file))
    assert view_count(home) == view_count(per_file) == snapshot(home)["quarantine"].height
    assert count_files(home) < count_files(per_file) / 10
    files = count_files(home)
    again = [stage_new_files(home, s) for s in SPECS]
    assert [s["files_parsed"] for s in again] == [0] * len(SPECS)
    assert [s["batches_written"] for s in again] == [0] * len(SPECS)
    assert count_files(home) == files


def test_a_per_file_lake_reads_unchanged_and_is_merged_by_the_next_run(per_file: Home) -> None:
    before, files_before = snapshot(per_file), count_files(per_file)
    view_before = view_count(per_file)
    summary = stage_new_files(per_file, AMAZON)
    assert summary["files_parsed"] == 0
    assert summary["compacted_batches"] == len(before["logs"].filter(pl.col("source") == "amazon"))
    assert summary["merged_batches"] == 1
    assert_same(snapshot(per_file), before)
    assert view_count(per_file) == view_before
    files = AMAZON.files(Lake(per_file))
    assert len(read_state(files).live) == 1
    assert count_files(per_file) > files_before  # replaced files wait for the next run
    again = stage_new_files(per_file, AMAZON)
    assert again["files_parsed"] == again["compacted_batches"] == 0
    assert_same(snapshot(per_file), before)
    assert count_files(per_file) < files_before - 3 * 180
    assert len(list(files.rows_dir.iterdir())) == 1


def test_a_crash_mid_run_commits_whole_batches_and_the_rerun_parses_the_rest(
    fresh, per_file: Home, small_batches: None
) -> None:
    home = fresh("crash")
    seen: list[str] = []

    def dies_on_the_100th(payload: bytes, landed_file: str):
        seen.append(landed_file)
        if len(seen) == 100:
            raise KeyboardInterrupt  # what a killed worker looks like to the run
        return AMAZON.parser(payload, landed_file)

    with pytest.raises(KeyboardInterrupt):
        stage_new_files(home, dataclasses.replace(AMAZON, parser=dies_on_the_100th), workers=1)
    state = read_state(AMAZON.files(Lake(home)))
    assert len(state.live) == 2  # two full batches of 40 committed before the crash
    assert parse_logs(home, [AMAZON]).height == 80
    rerun = stage_new_files(home, AMAZON)
    assert rerun["files_parsed"] == len(parse_logs(home, [AMAZON])) - 80
    for spec in SPECS:
        stage_new_files(home, spec)
    assert_same(snapshot(home), snapshot(per_file))


def test_uncommitted_leftovers_are_invisible_and_swept(fresh, small_batches: None) -> None:
    home = fresh("leftovers")
    stage_new_files(home, AMAZON)
    expected, view = snapshot(home), view_count(home)
    files = AMAZON.files(Lake(home))
    live = read_state(files).live[0]
    ghost = "p20000101T000000000000-deadbeef"  # a batch killed before its log
    shutil.copy(files.rows_path(live), files.rows_path(ghost))
    files.quarantine_path(ghost).parent.mkdir(parents=True)
    shutil.copy(files.quarantine_path(live), files.quarantine_path(ghost))
    tmp = files.log_dir / f".{ghost}.parquet.0123.tmp"  # a log killed mid-write
    tmp.write_bytes(b"PAR1 half a file")
    assert_same(snapshot(home), expected)
    assert view_count(home) == view
    summary = stage_new_files(home, AMAZON)
    assert summary["files_parsed"] == 0
    assert summary["leftovers_deleted"] == 2
    assert not files.rows_path(ghost).exists()
    assert not tmp.exists()
    assert not files.quarantine_path(ghost).parent.exists()
    assert_same(snapshot(home), expected)


def test_a_merge_killed_before_or_after_its_log_never_shows_a_row_twice(
    fresh, small_batches: None
) -> None:
    home = fresh("merge")
    stage_new_files(home, AMAZON)
    expected, view = snapshot(home), view_count(home)
    files = AMAZON.files(Lake(home))
    state = read_state(files)
    group = state.live[:3]
    # Killed after the merged batch was committed, before the replaced ones were deleted.
    staging._merge(files, group, state.with_rows)
    after = read_state(files)
    assert set(group) <= after.replaced
    assert len(after.live) == len(state.live) - 2
    assert_same(snapshot(home), expected)
    assert view_count(home, publish=False) == view  # the view published before the merge
    assert view_count(home) == view
    # Killed before the next merge's log: its rows and quarantine are leftovers.
    staging._merge(files, after.live[:2], after.with_rows)
    newest = max(b for b in read_state(files).committed if b.startswith("m"))
    files.log_path(newest).unlink()
    assert_same(snapshot(home), expected)
    assert view_count(home) == view
    stage_new_files(home, AMAZON)  # sweeps both, then merges what is small
    final = read_state(files)
    assert not final.replaced & final.committed
    assert not (set(group) | {newest}) & final.committed
    assert not files.rows_path(newest).exists()
    assert all(is_batch_id(b) for b in final.committed)
    assert_same(snapshot(home), expected)
    assert view_count(home) == view


def test_a_parser_version_bump_parses_everything_again_once(fresh, small_batches: None) -> None:
    home = fresh("bump")
    first = stage_new_files(home, AMAZON)
    expected = snapshot(home)
    bumped = dataclasses.replace(AMAZON, version=AMAZON.version + 1)
    summary = stage_new_files(home, bumped)
    assert summary["files_parsed"] == first["files_parsed"]
    assert stage_new_files(home, bumped)["files_parsed"] == 0
    logs = parse_logs(home, [bumped])
    assert logs.height == expected["logs"].filter(pl.col("source") == "amazon").height
    assert set(logs.get_column("parser")) == {f"v{bumped.version}"}
    rows = staged_rows(home, bumped)
    assert rows is not None
    assert_frame_equal(_sorted(rows.collect()), expected[AMAZON.folder])
    stream = bumped.files(Lake(home)).stream_dir
    assert [p.name for p in (stream / "rows").iterdir()] == [f"v{bumped.version}"]


def test_the_compact_command_merges_small_runs(fresh, capsys) -> None:
    home = fresh("command")
    lake = Lake(home)
    files = AMAZON.files(lake)
    landed = [f for f in LandingManifest(home).files("amazon") if AMAZON.accepts(f.path)]
    # Five small runs, as five syncs a day would leave.
    for n in range(5):
        allowed = {f.path for f in landed[: (n + 1) * len(landed) // 5]}
        spec = dataclasses.replace(AMAZON, accepts=lambda p, allowed=allowed: p in allowed)
        stage_new_files(home, spec)
    expected = snapshot(home)
    assert len(read_state(files).live) == 5
    assert main(["compact", "--home", str(home.root), "amazon/orders"]) == 0
    assert "amazon/orders: merged 5 small batches into 1; 1 batches now" in capsys.readouterr().out
    assert_same(snapshot(home), expected)
    assert compact(home, AMAZON)["compacted_batches"] == 0  # nothing small left to merge
    assert main(["compact", "--home", str(home.root), "amazon/nope"]) == 2
    assert "unknown stream 'amazon/nope'" in capsys.readouterr().err


def test_a_file_landed_again_under_another_name_is_not_parsed_again(fresh) -> None:
    home = fresh("twice")
    first = stage_new_files(home, AMAZON)
    original = next(f for f in LandingManifest(home).files("amazon") if AMAZON.accepts(f.path))
    copy = Path(original.path).with_name("again-" + Path(original.path).name)
    shutil.copy(home.landing / original.path, home.landing / copy)
    register_landed_files(home)
    again = stage_new_files(home, AMAZON)
    assert again["files_total"] == first["files_total"]  # the copy is a known duplicate
    assert again["files_parsed"] == 0
    assert parse_logs(home, [AMAZON]).height == first["files_parsed"]
