"""Step: parse every landed file not parsed yet, once per content hash.

The staged rows of a file live at ``lake/staging/<source>/rows/v<parser>/<sha>.parquet``
and its parse-stage quarantine at ``lake/ops/quarantine/parse/<source>/<sha>/``. Both are
keyed by the file's content hash and the parser version, so re-running parses nothing
new, a file landed twice under two names is parsed once, and a parser upgrade (new
version number) re-parses everything. A parse log row per file records how many records
it held, which ``ops.load_audit`` balances against what was loaded.
"""

from __future__ import annotations

import glob
import os
import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import polars as pl

from oms_hub.connectors.common.csv_records import CsvHeaderError
from oms_hub.connectors.common.result import ParseResult, quarantine_rows
from oms_hub.home import Home
from oms_hub.quality.contracts import contract
from oms_hub.steps import Progress, no_progress
from oms_hub.storage.lake import Lake, write_parquet_atomic
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

    def rows_dir(self, lake: Lake) -> Path:
        """Folder of the staged rows for this parser version."""
        return lake.root / "staging" / self.folder / "rows" / f"v{self.version}"


def _log_path(lake: Lake, spec: StagedSource, sha: str) -> Path:
    return lake.root / "staging" / spec.folder / "log" / f"v{spec.version}" / f"{sha}.parquet"


def staged_rows(home: Home, spec: StagedSource) -> pl.LazyFrame | None:
    """All staged rows of a source (None before anything was staged)."""
    folder = spec.rows_dir(Lake(home))
    if not glob.glob(f"{folder}/*.parquet"):
        return None
    return pl.scan_parquet(f"{folder}/*.parquet")


def parse_logs(home: Home, specs: list[StagedSource]) -> pl.DataFrame:
    """The parse log rows of the current parser version of each source."""
    lake = Lake(home)
    paths = [p for spec in specs for p in glob.glob(str(_log_path(lake, spec, "*")))]
    if not paths:
        return pl.DataFrame(schema=PARSE_LOG_SCHEMA)
    return pl.read_parquet(paths)


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


def _stage_one(home: Home, spec: StagedSource, file: LandedFile) -> dict[str, int]:
    """Parse one file and write its staged rows, quarantine and (last) its parse log."""
    lake = Lake(home)
    try:
        result = spec.parser((home.landing / file.path).read_bytes(), file.path)
    except (CsvHeaderError, pl.exceptions.PolarsError, UnicodeError) as error:
        result = _file_failure(file, error)
    if result.staged.width:
        write_parquet_atomic(result.staged, spec.rows_dir(lake) / f"{file.sha256}.parquet")
    lake.write_part(
        "ops.quarantine",
        f"parse/{spec.folder}/{file.sha256}",
        contract("ops.quarantine").conform(result.quarantine),
    )
    counts = {
        "records": result.records,
        "staged": result.staged.height,
        "rejected": result.rejected,
        "flagged": result.quarantine.height - result.rejected,
    }
    log = pl.DataFrame(
        [
            {
                "source": spec.source,
                "landed_file": file.path,
                "sha256": file.sha256,
                "parser": f"v{spec.version}",
                **counts,
            }
        ],
        schema=PARSE_LOG_SCHEMA,
    )
    # The log is written last: its presence means the file is fully staged.
    write_parquet_atomic(log, _log_path(lake, spec, file.sha256))
    return counts


def stage_new_files(
    home: Home, spec: StagedSource, progress: Progress = no_progress, *, workers: int | None = None
) -> dict[str, Any]:
    """Parse the source's landed files that have no staged output yet.

    Files are independent, so they are parsed on a small thread pool (polars releases the
    GIL while it works); each file's outputs are written by the thread that parsed it.
    """
    lake = Lake(home)
    files = [
        f
        for f in LandingManifest(home).files(spec.source)
        if not f.is_duplicate and spec.accepts(f.path)
    ]
    todo = [f for f in files if not _log_path(lake, spec, f.sha256).exists()]
    started = time.perf_counter()
    totals = {"records": 0, "staged": 0, "rejected": 0, "flagged": 0}
    with ThreadPoolExecutor(max_workers=workers or min(4, os.cpu_count() or 1)) as pool:
        futures = [pool.submit(_stage_one, home, spec, f) for f in todo]
        for n, (file, future) in enumerate(zip(todo, futures, strict=True), start=1):
            for key, value in future.result().items():
                totals[key] += value
            progress(f"parsed {file.path}", n, len(todo))
    elapsed = time.perf_counter() - started
    return {
        "source": spec.source,
        "stream": spec.stream,
        "files_total": len(files),
        "files_parsed": len(todo),
        **totals,
        "seconds": round(elapsed, 3),
        "records_per_second": round(totals["records"] / elapsed) if elapsed > 0 and todo else 0,
    }
