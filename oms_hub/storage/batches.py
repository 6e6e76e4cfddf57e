"""Staged batches: which files hold a stream's staged rows, and which of them readers see.

Staging writes the files it parses in one run as *batches*: one rows file, one parse-log
file and one parse-quarantine part per batch, all named by the batch id::

    lake/staging/<source>/<stream>/rows/v<parser>/<batch>.parquet   (absent if no rows)
    lake/staging/<source>/<stream>/log/v<parser>/<batch>.parquet    (one row per file)
    lake/ops/quarantine/parse/<source>/<stream>/<batch>/data.parquet

The rules that make this crash-safe without a lock on the readers:

* **A batch is committed iff its log file exists.** The log is written last (after the
  rows and the quarantine part), with an atomic rename, so a crash leaves either no log
  (the batch never happened; its leftovers are deleted by the next run and its files are
  parsed again) or a complete batch.
* A compaction merges small batches into a new one (id ``m…``) whose log carries, per
  file, the batch it came from (``from_batch``). **Once that log exists the batches it
  names are replaced** and readers ignore them while their files still exist; the next
  run deletes them (not the merging run: a reader in another run that listed them just
  before the merge may still be reading them).
* Readers read only the **live** batches: committed and not replaced.

A per-file layout written before batches (``<sha256>.parquet`` rows/log, quarantine part
``<sha256>/``) is the same thing with a batch of one file whose id is the content hash,
so existing lakes read unchanged and are merged by the first compaction.

Ids: ``p<UTC time>-<random>`` for a batch of newly parsed files, ``m<UTC time>-<random>``
for a merged one (neither can be mistaken for a hex content hash); sorting ids sorts
batches by creation time.
"""

from __future__ import annotations

import os
import re
import shutil
import uuid
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

import polars as pl

#: Log column naming, in a merged batch's log, the batch each file row came from.
FROM_BATCH = "from_batch"
PARSED, MERGED = "p", "m"
_ID = re.compile(r"^(?:[0-9a-f]{64}|[pm]\d{8}T\d{12}-[0-9a-f]{8})$")


def new_batch_id(kind: str) -> str:
    """A fresh id for a batch of newly parsed (``p``) or merged (``m``) files."""
    return f"{kind}{datetime.now(UTC):%Y%m%dT%H%M%S%f}-{uuid.uuid4().hex[:8]}"


def is_batch_id(name: str) -> bool:
    """True for the ids this module writes (and legacy content hashes)."""
    return bool(_ID.match(name))


@dataclass(frozen=True)
class StreamFiles:
    """The folders of one stream under one parser version."""

    lake: Path
    folder: str  # "<source>/<stream>"
    version: int

    @property
    def stream_dir(self) -> Path:
        return self.lake / "staging" / self.folder

    @property
    def rows_dir(self) -> Path:
        return self.stream_dir / "rows" / f"v{self.version}"

    @property
    def log_dir(self) -> Path:
        return self.stream_dir / "log" / f"v{self.version}"

    @property
    def quarantine_dir(self) -> Path:
        return self.lake / "ops" / "quarantine" / "parse" / self.folder

    def rows_path(self, batch: str) -> Path:
        return self.rows_dir / f"{batch}.parquet"

    def log_path(self, batch: str) -> Path:
        return self.log_dir / f"{batch}.parquet"

    def quarantine_path(self, batch: str) -> Path:
        return self.quarantine_dir / batch / "data.parquet"


def _names(folder: Path) -> set[str]:
    """Batch ids of the committed-looking ``<id>.parquet`` files of a folder."""
    if not folder.is_dir():
        return set()
    return {
        p.name.removesuffix(".parquet")
        for p in folder.iterdir()
        if p.name.endswith(".parquet") and not p.name.startswith(".")
    }


@dataclass(frozen=True)
class BatchState:
    """What is on disk for one stream: committed and replaced batches, rows files present."""

    committed: frozenset[str]
    replaced: frozenset[str]
    with_rows: frozenset[str]

    @property
    def live(self) -> list[str]:
        """Committed, not replaced: what readers read (sorted: oldest batch first)."""
        return sorted(self.committed - self.replaced)


def read_state(files: StreamFiles) -> BatchState:
    """List the stream's folders once and read the replaced ids of its merged batches."""
    committed = _names(files.log_dir)
    merged = sorted(b for b in committed if b.startswith(MERGED))
    replaced: set[str] = set()
    if merged:
        logs = pl.read_parquet([files.log_path(b) for b in merged], columns=[FROM_BATCH])
        replaced = set(logs.get_column(FROM_BATCH).drop_nulls().to_list())
    return BatchState(frozenset(committed), frozenset(replaced), frozenset(_names(files.rows_dir)))


def scan_logs(paths: list[Path]) -> pl.LazyFrame:
    """Scan log files, ``_path`` naming each row's file; logs written before merges
    existed have no ``from_batch`` column (read as null)."""
    return pl.scan_parquet(
        paths, include_file_paths="_path", missing_columns="insert", extra_columns="ignore"
    )


def live_rows(files: StreamFiles, state: BatchState | None = None) -> list[Path]:
    """Rows files of the live batches (a batch whose every record was rejected has none)."""
    state = state or read_state(files)
    return [files.rows_path(b) for b in state.live if b in state.with_rows]


def live_logs(files: StreamFiles, state: BatchState | None = None) -> list[Path]:
    """Log files of the live batches."""
    state = state or read_state(files)
    return [files.log_path(b) for b in state.live]


def live_quarantine(files: StreamFiles, state: BatchState | None = None) -> list[Path]:
    """Parse-quarantine parts of the live batches."""
    state = state or read_state(files)
    return [p for b in state.live if (p := files.quarantine_path(b)).is_file()]


def visible_quarantine(quarantine_root: Path, streams: list[StreamFiles]) -> list[Path]:
    """Every ``ops.quarantine`` file a reader may see: the streams' parse parts of live
    batches, and every other part (conform days, unrecognized landed files: plain files
    replaced in place)."""
    if not quarantine_root.is_dir():
        return []
    batched = {f.quarantine_dir.relative_to(quarantine_root).parts for f in streams}
    others = [
        p
        for p in quarantine_root.rglob("*.parquet")
        if not p.name.startswith(".") and p.relative_to(quarantine_root).parts[:3] not in batched
    ]
    return sorted(others) + [p for f in streams for p in live_quarantine(f)]


def _delete_all(paths: list[str], *, rmdir: bool = False) -> None:
    """Delete many files (or emptied folders) on a few threads: a sweep after merging a
    lake staged file by file removes tens of thousands, and each is a slow syscall that
    releases the GIL."""

    def delete(path: str) -> None:
        try:
            (os.rmdir if rmdir else os.unlink)(path)
        except FileNotFoundError:
            pass
        except OSError:  # a folder holding more than its part (a stray temp file)
            shutil.rmtree(path, ignore_errors=True)

    if len(paths) < 64:
        for path in paths:
            delete(path)
        return
    with ThreadPoolExecutor(max_workers=8) as pool:
        list(pool.map(delete, paths, chunksize=256))


def sweep(files: StreamFiles) -> dict[str, int]:
    """Delete what no reader may see: uncommitted leftovers, replaced batches, old versions.

    Call it only while holding the stream's writer lock. Deletion order keeps every
    intermediate state correct: files of a replaced batch go before its log, plain logs
    before merged ones and older merged logs before newer, so a merged log is never
    removed while a batch it replaced still has a log (which would bring it back).
    """
    state = read_state(files)
    counts = {"leftovers": 0, "replaced": 0, "old_versions": 0}
    for folder in (files.rows_dir, files.log_dir):
        for tmp in folder.glob(".*.tmp") if folder.is_dir() else []:
            tmp.unlink(missing_ok=True)
    for batch in state.with_rows - state.committed:
        files.rows_path(batch).unlink(missing_ok=True)
        counts["leftovers"] += 1
    if files.quarantine_dir.is_dir():
        for part in files.quarantine_dir.iterdir():
            if part.name not in state.committed:  # leftovers and parts of older versions
                shutil.rmtree(part, ignore_errors=True)
                counts["leftovers"] += 1
    gone = sorted(state.replaced & state.committed)
    rows, parts = str(files.rows_dir), str(files.quarantine_dir)
    _delete_all([f"{rows}/{b}.parquet" for b in gone] + [f"{parts}/{b}/data.parquet" for b in gone])
    _delete_all([f"{parts}/{b}" for b in gone], rmdir=True)
    logs = str(files.log_dir)
    plain = [f"{logs}/{b}.parquet" for b in gone if not b.startswith(MERGED)]
    _delete_all(plain)  # plain logs first, then merged ones oldest first
    for batch in (b for b in gone if b.startswith(MERGED)):
        files.log_path(batch).unlink(missing_ok=True)
    counts["replaced"] = len(gone)
    for kind in ("rows", "log"):
        parent = files.stream_dir / kind
        for old in parent.glob("v*") if parent.is_dir() else []:
            if old.name != f"v{files.version}":
                shutil.rmtree(old, ignore_errors=True)
                counts["old_versions"] += 1
    return counts
