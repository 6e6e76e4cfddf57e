"""The Parquet lake: the storage of record, written so a reader never sees half a table.

Every table lives at ``lake/<schema>/<table>/``. An unpartitioned table is one file,
``data.parquet``; a day-partitioned table has one file per day,
``day=YYYY-MM-DD/data.parquet``. Writers write to a hidden temporary file beside the
target and ``os.replace`` it into place, which is atomic on POSIX file systems: a
killed run leaves the previous good file, and readers (including DuckDB views over a
glob) see either the old file or the new one, never a mix.
"""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterable
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING

import polars as pl

from oms_hub.home import Home

if TYPE_CHECKING:
    from oms_hub.storage.batches import StreamFiles

#: Deterministic Parquet settings: the same frame always gives the same bytes.
_PARQUET_OPTIONS = {"compression": "zstd", "statistics": True, "row_group_size": 256_000}


def write_parquet_atomic(frame: pl.DataFrame, target: Path) -> Path:
    """Write ``frame`` to ``target`` via a temporary file and an atomic rename."""
    target.parent.mkdir(parents=True, exist_ok=True)
    tmp = target.parent / f".{target.name}.{uuid.uuid4().hex}.tmp"
    try:
        frame.write_parquet(tmp, **_PARQUET_OPTIONS)
        os.replace(tmp, target)
    finally:
        tmp.unlink(missing_ok=True)
    return target


class Lake:
    """Paths and atomic writes for the tables of one home."""

    def __init__(self, home: Home) -> None:
        self.home = home
        self.root = home.lake

    def table_dir(self, qualified: str) -> Path:
        """``core.orders`` -> ``lake/core/orders``."""
        schema, table = qualified.split(".", 1)
        return self.root / schema / table

    def table_glob(self, qualified: str) -> str:
        """The glob that covers every file of a table (partitioned or not)."""
        return str(self.table_dir(qualified) / "**" / "*.parquet")

    def has_data(self, qualified: str) -> bool:
        """True once at least one file of the table has been written."""
        folder = self.table_dir(qualified)
        return folder.is_dir() and any(
            not p.name.startswith(".") for p in folder.rglob("*.parquet")
        )

    def write(self, qualified: str, frame: pl.DataFrame) -> Path:
        """Replace an unpartitioned table."""
        return write_parquet_atomic(frame, self.table_dir(qualified) / "data.parquet")

    def write_days(
        self, qualified: str, frame: pl.DataFrame, *, day_of: pl.Expr, days: Iterable[date]
    ) -> dict[date, int]:
        """Replace the given day partitions of a table with the rows of ``frame``.

        Every day in ``days`` is written, even with no rows, so a re-run over a day whose
        data disappeared leaves an empty partition rather than stale rows.
        ``day_of`` computes each row's day (e.g. ``pl.col("ordered_at").dt.date()``).
        Returns rows written per day.
        """
        counts: dict[date, int] = {}
        for day in sorted(set(days)):
            part = frame.filter(day_of == day)
            write_parquet_atomic(part, self.day_path(qualified, day))
            counts[day] = part.height
        return counts

    def day_path(self, qualified: str, day: date) -> Path:
        """The file of one day partition."""
        return self.table_dir(qualified) / f"day={day.isoformat()}" / "data.parquet"

    def write_part(self, qualified: str, part: str, frame: pl.DataFrame) -> Path:
        """Replace one named part of a table (e.g. the quarantine of one landed file)."""
        return write_parquet_atomic(frame, self.table_dir(qualified) / part / "data.parquet")

    def scan(self, qualified: str) -> pl.LazyFrame:
        """Lazily scan every file of a table.

        ``ops.quarantine`` holds the parse quarantine of staged batches, whose parts count
        only while their batch is live (``oms_hub.storage.batches``): those are filtered.
        """
        if qualified == "ops.quarantine":
            return self._scan_quarantine()
        return pl.scan_parquet(self.table_glob(qualified), hive_partitioning=False)

    def _scan_quarantine(self) -> pl.LazyFrame:
        # Late import: the staged streams are registered above the storage layer.
        from oms_hub.sources import STAGED_SOURCES

        return self.scan_quarantine([spec.files(self) for spec in STAGED_SOURCES])

    def scan_quarantine(self, streams: list[StreamFiles]) -> pl.LazyFrame:
        """``ops.quarantine`` as readers must see it, ``streams`` being the staged ones:
        their parse parts of live batches only, every other part as it is."""
        from oms_hub.quality.contracts import contract
        from oms_hub.storage.batches import visible_quarantine

        paths = visible_quarantine(self.table_dir("ops.quarantine"), streams)
        if not paths:
            return contract("ops.quarantine").empty().lazy()
        return pl.scan_parquet(paths, hive_partitioning=False)

    def read(self, qualified: str) -> pl.DataFrame:
        """Read a whole (small) table."""
        return self.scan(qualified).collect()
