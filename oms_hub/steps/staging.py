"""Step: parse every landed file not parsed yet, once per content hash, into batches.

A run parses its new files into **batches** (``oms_hub.storage.batches``): one rows file,
one parse-log file and one parse-quarantine part per batch of up to ``BATCH_FILES``
files or ``BATCH_ROWS`` rows, instead of three files per landed file. A source that
lands one small document per order (Amazon order items, EDI over SFTP, frequent API
syncs) would otherwise leave hundreds of thousands of tiny files that every reader and
the audit must open.

The parse log (one row per landed file: how many records it held, which
``ops.load_audit`` balances against what was loaded) is also the record of what is
staged: a file whose content hash is in a live log of the current parser version is not
parsed again, a file landed twice under two names is parsed once, and a parser upgrade
(new version number) re-parses everything. When a stream has collected more than
``COMPACT_ABOVE`` small batches (many small runs, or the one-file batches of a lake
staged before batches existed), the run merges them into full ones (``compact_stream``).
"""

from __future__ import annotations

import os
import time
from collections import deque
from collections.abc import Callable
from concurrent.futures import Future, ThreadPoolExecutor
from contextlib import AbstractContextManager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import polars as pl

from oms_hub.connectors.common.csv_records import CsvHeaderError
from oms_hub.connectors.common.result import ParseResult, quarantine_rows
from oms_hub.home import Home
from oms_hub.quality.contracts import contract
from oms_hub.steps import Progress, no_progress
from oms_hub.storage.batches import (
    FROM_BATCH,
    MERGED,
    PARSED,
    BatchState,
    StreamFiles,
    live_logs,
    live_rows,
    new_batch_id,
    read_state,
    scan_logs,
    sweep,
)
from oms_hub.storage.lake import Lake, write_parquet_atomic
from oms_hub.storage.locks import exclusive_lock
from oms_hub.storage.manifest import LandedFile, LandingManifest

Parser = Callable[[bytes, str], ParseResult]

PARSE_LOG_SCHEMA = pl.Schema(
    {
        "source": pl.String,
        "landed_file": pl.String,
        "sha256": pl.String,
        "parser": pl.String,
        "records": pl.Int64,
        "staged": pl.Int64,
        "rejected": pl.Int64,
        "flagged": pl.Int64,
    }
)
#: What a batch's log file holds: the parse log plus, in a merged batch, the batch each
#: file came from (the batches the merge replaces).
_BATCH_LOG_SCHEMA = pl.Schema({**PARSE_LOG_SCHEMA, FROM_BATCH: pl.String})

#: A batch closes at this many files: the per-file frames of one batch are held in memory
#: until it is written, and 10,000 small documents (an Amazon order's items, an EDI
#: document) are a few MB; a full batch is also what stops being "small".
BATCH_FILES = 10_000
#: ... or once it holds this many staged + quarantined rows (checked after each file, so
#: a batch holds at most this plus one file). A POS export day is ~10-100k rows; 500k
#: rows of the widest stream stay within a few hundred MB while keeping files few.
BATCH_ROWS = 500_000
#: A batch under a quarter of both limits is "small"; more than this many small live
#: batches in a stream and the run merges them (a daily run of a few hundred files
#: compacts about monthly; a lake staged one file per batch compacts on its first run).
COMPACT_ABOVE = 32


@dataclass(frozen=True)
class StagedSource:
    """One stream of a source: which landed files it takes, its parser and version.

    A source may have several streams with different row shapes (the catalog has
    products and locations); each stream stages into its own folder.
    """

    source: str
    stream: str
    version: int
    accepts: Callable[[str], bool]
    parser: Parser

    @property
    def folder(self) -> str:
        """``<source>/<stream>``, the staging folder of the stream."""
        return f"{self.source}/{self.stream}"

    def files(self, lake: Lake) -> StreamFiles:
        """The stream's batch folders under the current parser version."""
        return StreamFiles(lake.root, self.folder, self.version)

    def rows_dir(self, lake: Lake) -> Path:
        """Folder of the staged rows for this parser version."""
        return self.files(lake).rows_dir


def staged_rows(home: Home, spec: StagedSource) -> pl.LazyFrame | None:
    """All staged rows of a source (None before anything was staged).

    Only the rows files of live batches (committed, not replaced by a merge) are read.
    """
    paths = live_rows(spec.files(Lake(home)))
    return pl.scan_parquet(paths) if paths else None


def parse_logs(home: Home, specs: list[StagedSource]) -> pl.DataFrame:
    """The parse log rows of the current parser version of each source."""
    lake = Lake(home)
    paths = [p for spec in specs for p in live_logs(spec.files(lake))]
    if not paths:
        return pl.DataFrame(schema=PARSE_LOG_SCHEMA)
    return scan_logs(paths).select(*PARSE_LOG_SCHEMA).collect()


def quarantine_scan(home: Home, specs: list[StagedSource]) -> pl.LazyFrame:
    """All of ``ops.quarantine`` as readers must see it: the given streams' parse parts of
    live batches only (what ``Lake.scan("ops.quarantine")`` does for every stream)."""
    lake = Lake(home)
    return lake.scan_quarantine([spec.files(lake) for spec in specs])


def stream_lock(home: Home, spec: StagedSource) -> AbstractContextManager[None]:
    """Hold the stream's writer lock: one staging run or compaction at a time.

    Readers take no lock: they only read live batches, which writers never change.
    """
    return exclusive_lock(home.state / "staging-locks" / f"{spec.folder.replace('/', '_')}.lock")


def _file_failure(file: LandedFile, error: Exception) -> ParseResult:
    """A file that cannot be parsed at all becomes one quarantine row naming why."""
    frame = pl.DataFrame(
        {
            "locator": ["file"],
            "error_code": ["unreadable_file"],
            "error": [f"{type(error).__name__}: {error}"[:500]],
            "excerpt": [None],
        },
        schema_overrides={"excerpt": pl.String},
    )
    return ParseResult(
        staged=pl.DataFrame(),
        quarantine=quarantine_rows(frame, source=file.source, landed_file=file.path, stage="parse"),
        records=1,
    )


def _parse(home: Home, spec: StagedSource, file: LandedFile) -> ParseResult:
    try:
        return spec.parser((home.landing / file.path).read_bytes(), file.path)
    except (CsvHeaderError, pl.exceptions.PolarsError, UnicodeError) as error:
        return _file_failure(file, error)


def _counts(result: ParseResult) -> dict[str, int]:
    return {
        "records": result.records,
        "staged": result.staged.height,
        "rejected": result.rejected,
        "flagged": result.quarantine.height - result.rejected,
    }


def _write_batch(
    files: StreamFiles,
    batch: str,
    rows: list[pl.DataFrame],
    quarantine: list[pl.DataFrame],
    log: pl.DataFrame,
) -> None:
    """Rows, then quarantine, then the log: the log's atomic rename commits the batch."""
    rows = [r for r in rows if r.width]
    if rows:
        write_parquet_atomic(pl.concat(rows, how="vertical"), files.rows_path(batch))
    part = pl.concat(quarantine, how="diagonal_relaxed") if quarantine else pl.DataFrame()
    write_parquet_atomic(contract("ops.quarantine").conform(part), files.quarantine_path(batch))
    write_parquet_atomic(log.cast(dict(_BATCH_LOG_SCHEMA)), files.log_path(batch))


class _Batcher:
    """Collects parsed files and writes a batch whenever one is full."""

    def __init__(self, spec: StagedSource, files: StreamFiles) -> None:
        self.spec, self.files = spec, files
        self.rows: list[pl.DataFrame] = []
        self.quarantine: list[pl.DataFrame] = []
        self.log: list[dict[str, Any]] = []
        self.held = 0
        self.batches = 0

    def add(self, file: LandedFile, result: ParseResult) -> dict[str, int]:
        counts = _counts(result)
        self.rows.append(result.staged)
        self.quarantine.append(result.quarantine)
        self.log.append(
            {
                "source": self.spec.source,
                "landed_file": file.path,
                "sha256": file.sha256,
                "parser": f"v{self.spec.version}",
                **counts,
                FROM_BATCH: None,
            }
        )
        self.held += result.staged.height + result.quarantine.height
        if len(self.log) >= BATCH_FILES or self.held >= BATCH_ROWS:
            self.flush()
        return counts

    def flush(self) -> None:
        if not self.log:
            return
        log = pl.DataFrame(self.log, schema=_BATCH_LOG_SCHEMA)
        _write_batch(self.files, new_batch_id(PARSED), self.rows, self.quarantine, log)
        self.rows, self.quarantine, self.log, self.held = [], [], [], 0
        self.batches += 1


def _staged_shas(files: StreamFiles, state: BatchState) -> set[str]:
    """Content hashes already staged under the current parser version (read once)."""
    paths = live_logs(files, state)
    if not paths:
        return set()
    return set(scan_logs(paths).select("sha256").collect().get_column("sha256").to_list())


def stage_new_files(
    home: Home, spec: StagedSource, progress: Progress = no_progress, *, workers: int | None = None
) -> dict[str, Any]:
    """Parse the source's landed files that have no staged output yet, in batches.

    Files are independent, so they are parsed on a small thread pool (polars releases the
    GIL while it works), at most a few files ahead of the batch being filled so memory
    stays bounded. Before parsing, leftovers of a crashed run are deleted; after it,
    small batches are merged when there are too many.
    """
    lake = Lake(home)
    files = spec.files(lake)
    started = time.perf_counter()
    with stream_lock(home, spec):
        swept = sweep(files)
        landed = [
            f
            for f in LandingManifest(home).files(spec.source)
            if not f.is_duplicate and spec.accepts(f.path)
        ]
        done = _staged_shas(files, read_state(files))
        todo: list[LandedFile] = []
        for file in landed:  # one per content hash, the first landed (files, not rows)
            if file.sha256 not in done:
                done.add(file.sha256)
                todo.append(file)
        totals = {"records": 0, "staged": 0, "rejected": 0, "flagged": 0}
        batcher = _Batcher(spec, files)
        workers = workers or min(4, os.cpu_count() or 1)
        window = 4 * workers
        with ThreadPoolExecutor(max_workers=workers) as pool:
            queue: deque[tuple[LandedFile, Future[ParseResult]]] = deque()
            pending = iter(todo)
            for n in range(1, len(todo) + 1):
                while len(queue) < window and (nxt := next(pending, None)) is not None:
                    queue.append((nxt, pool.submit(_parse, home, spec, nxt)))
                file, future = queue.popleft()
                for key, value in batcher.add(file, future.result()).items():
                    totals[key] += value
                progress(f"parsed {file.path}", n, len(todo))
        batcher.flush()
        parsed_seconds = time.perf_counter() - started
        compacted = _compact_if_needed(files, progress)
    return {
        "source": spec.source,
        "stream": spec.stream,
        "files_total": len(landed),
        "files_parsed": len(todo),
        **totals,
        "batches_written": batcher.batches,
        **compacted,
        "leftovers_deleted": swept["leftovers"],
        "replaced_deleted": swept["replaced"],
        "seconds": round(time.perf_counter() - started, 3),
        "records_per_second": round(totals["records"] / parsed_seconds)
        if parsed_seconds > 0 and todo
        else 0,
    }


# --- compaction ---------------------------------------------------------------------------


def _batch_sizes(files: StreamFiles, state: BatchState) -> pl.DataFrame:
    """``batch, files, rows`` of every live batch (rows = staged + quarantined records)."""
    paths = live_logs(files, state)
    if not paths:
        return pl.DataFrame(schema={"batch": pl.String, "files": pl.UInt32, "rows": pl.Int64})
    return (
        scan_logs(paths)
        .group_by("_path")
        .agg(
            files=pl.len(),
            rows=(pl.col("staged") + pl.col("rejected") + pl.col("flagged")).sum(),
        )
        .select(pl.col("_path").str.extract(r"([^/]+)\.parquet$").alias("batch"), "files", "rows")
        .sort("batch")
        .collect()
    )


def _small(sizes: pl.DataFrame) -> pl.DataFrame:
    return sizes.filter((pl.col("files") < BATCH_FILES // 4) & (pl.col("rows") < BATCH_ROWS // 4))


def _groups(small: pl.DataFrame) -> list[list[str]]:
    """Consecutive small batches packed into merged batches of at most the batch limits."""
    groups: list[list[str]] = [[]]
    n_files = n_rows = 0
    for batch, count, rows in small.iter_rows():  # one row per batch, not per record
        if groups[-1] and (n_files + count > BATCH_FILES or n_rows + rows > BATCH_ROWS):
            groups.append([])
            n_files = n_rows = 0
        groups[-1].append(batch)
        n_files += count
        n_rows += rows
    return [g for g in groups if len(g) > 1]


def _merge(files: StreamFiles, group: list[str], with_rows: frozenset[str]) -> None:
    """Write one merged batch replacing ``group``; its log commits the replacement."""
    rows = [files.rows_path(b) for b in group if b in with_rows]
    quarantine = [p for b in group if (p := files.quarantine_path(b)).is_file()]
    logs = (
        scan_logs([files.log_path(b) for b in group])
        .select(
            *PARSE_LOG_SCHEMA, pl.col("_path").str.extract(r"([^/]+)\.parquet$").alias(FROM_BATCH)
        )
        .collect()
    )
    _write_batch(
        files,
        new_batch_id(MERGED),
        [pl.read_parquet(rows)] if rows else [],
        [pl.read_parquet(quarantine, hive_partitioning=False)] if quarantine else [],
        logs,
    )


def _compact_if_needed(files: StreamFiles, progress: Progress) -> dict[str, int]:
    state = read_state(files)
    if len(_small(_batch_sizes(files, state))) <= COMPACT_ABOVE:
        return {"compacted_batches": 0, "merged_batches": 0}
    return compact_stream(files, progress, state=state)


def compact_stream(
    files: StreamFiles, progress: Progress = no_progress, *, state: BatchState | None = None
) -> dict[str, int]:
    """Merge the stream's small live batches into full ones.

    Call while holding the stream's lock. Each merged batch is committed by its log,
    which names the batches it replaces; from then on readers ignore those, so a crash at
    any point leaves readers seeing every row exactly once. The replaced files are
    deleted by the next run's sweep, not now: a reader in another run that listed them
    just before the merge may still be reading them.
    """
    state = state or read_state(files)
    groups = _groups(_small(_batch_sizes(files, state)))
    total = sum(len(g) for g in groups)
    done = 0
    for group in groups:
        _merge(files, group, state.with_rows)
        done += len(group)
        progress(f"compacted {files.folder}", done, total)
    return {"compacted_batches": total, "merged_batches": len(groups)}


def compact(home: Home, spec: StagedSource, progress: Progress = no_progress) -> dict[str, Any]:
    """Merge a stream's small batches now, however few (``oms-hub compact``)."""
    files = spec.files(Lake(home))
    started = time.perf_counter()
    with stream_lock(home, spec):
        swept = sweep(files)
        result = compact_stream(files, progress)
        state = read_state(files)
    return {
        "stream": spec.folder,
        **result,
        "live_batches": len(state.live),
        "leftovers_deleted": swept["leftovers"],
        "replaced_deleted": swept["replaced"],
        "seconds": round(time.perf_counter() - started, 3),
    }
