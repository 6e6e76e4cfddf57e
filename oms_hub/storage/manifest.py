"""The landing manifest: which raw files exist, by content, and connector cursors.

A file is known by the SHA-256 of its bytes, not by its name: the same bytes landed
twice (a re-export, a re-sent file, a copy dropped by hand) are recorded as a duplicate
of the first and parsed once. The manifest is SQLite in WAL mode so connectors in
other processes can land files while a run scans; it is operational state, not
warehouse data, and is exported to ``ops.landed_files`` for analysts.
"""

from __future__ import annotations

import hashlib
import os
import sqlite3
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

import polars as pl

from oms_hub.home import SOURCES, Home

_SCHEMA = """
create table if not exists landed_files (
    path        text primary key,   -- relative to landing/, e.g. 'pos/square-items-….csv'
    source      text not null,
    sha256      text not null,
    size_bytes  integer not null,
    mtime_ns    integer not null,
    landed_at   text not null,      -- ISO-8601 UTC, when the manifest first saw the path
    duplicate_of text               -- path of the first file with the same bytes, if any
);
create index if not exists landed_files_sha on landed_files(sha256);
create table if not exists cursors (
    source     text not null,
    name       text not null,
    value      text not null,
    updated_at text not null,
    primary key (source, name)
);
"""

#: Files a connector writes while downloading; never registered until renamed.
PARTIAL_SUFFIXES = (".part", ".tmp", ".partial", ".filepart")


@dataclass(frozen=True)
class LandedFile:
    """One registered landing file."""

    path: str
    source: str
    sha256: str
    size_bytes: int
    landed_at: str
    duplicate_of: str | None

    @property
    def is_duplicate(self) -> bool:
        """True when the same bytes were landed earlier under another path."""
        return self.duplicate_of is not None


def sha256_file(path: Path, chunk: int = 1 << 20) -> str:
    """Hash a file in chunks so large payloads never sit in memory whole."""
    digest = hashlib.sha256()
    with path.open("rb") as fh:
        while block := fh.read(chunk):
            digest.update(block)
    return digest.hexdigest()


class LandingManifest:
    """Register landed files and keep connector cursors beside them."""

    def __init__(self, home: Home) -> None:
        self.home = home
        home.state.mkdir(parents=True, exist_ok=True)
        self.db_path = home.state / "manifest.sqlite"
        with self._connect() as con:
            con.executescript(_SCHEMA)

    @contextmanager
    def _connect(self) -> Iterator[sqlite3.Connection]:
        con = sqlite3.connect(self.db_path, timeout=60, isolation_level=None)
        try:
            con.execute("pragma journal_mode=wal")
            con.execute("pragma busy_timeout=60000")
            yield con
        finally:
            con.close()

    # -- landing -----------------------------------------------------------------
    def land_bytes(self, source: str, name: str, payload: bytes) -> LandedFile:
        """Write a payload into ``landing/<source>/`` atomically and register it.

        Connectors call this for every fetched page or file. The bytes are written to a
        temporary name and renamed, so a scan never sees half a file.
        """
        folder = self.home.landing_for(source)
        folder.mkdir(parents=True, exist_ok=True)
        target = folder / name
        tmp = folder / f".{name}.{uuid.uuid4().hex}.part"
        tmp.write_bytes(payload)
        os.replace(tmp, target)
        return self.register(target)

    def register(self, path: Path) -> LandedFile:
        """Record one file (idempotent: a known, unchanged path is returned as is)."""
        rel = path.relative_to(self.home.landing).as_posix()
        source = rel.split("/", 1)[0]
        if source not in SOURCES:
            raise ValueError(f"{rel}: not under a known source folder ({', '.join(SOURCES)})")
        stat = path.stat()
        with self._connect() as con:
            row = con.execute(
                "select path, source, sha256, size_bytes, landed_at, duplicate_of, mtime_ns "
                "from landed_files where path = ?",
                (rel,),
            ).fetchone()
            if row and row[3] == stat.st_size and row[6] == stat.st_mtime_ns:
                return LandedFile(*row[:6])
            digest = sha256_file(path)
            con.execute("begin immediate")
            first = con.execute(
                "select path from landed_files where sha256 = ? and path != ? "
                "order by landed_at, path limit 1",
                (digest, rel),
            ).fetchone()
            landed_at = row[4] if row else datetime.now(UTC).isoformat(timespec="microseconds")
            con.execute(
                "insert or replace into landed_files values (?, ?, ?, ?, ?, ?, ?)",
                (
                    rel,
                    source,
                    digest,
                    stat.st_size,
                    stat.st_mtime_ns,
                    landed_at,
                    first[0] if first else None,
                ),
            )
            con.execute("commit")
        return LandedFile(rel, source, digest, stat.st_size, landed_at, first[0] if first else None)

    def scan(self) -> list[LandedFile]:
        """Register every file under ``landing/`` (hand-dropped ones included).

        Hidden files and partial-upload names are skipped: they are still being written.
        Returns the files that were new or changed since the last scan.
        """
        known = {f.path: f for f in self.files()}
        fresh: list[LandedFile] = []
        for source in SOURCES:
            folder = self.home.landing / source
            if not folder.is_dir():
                continue
            candidates = [
                p
                for p in folder.rglob("*")
                if p.is_file()
                and not p.name.startswith(".")
                and not p.name.endswith(PARTIAL_SUFFIXES)
            ]
            # Oldest first, so when two new files share bytes the earlier one is the original.
            for path in sorted(candidates, key=lambda p: (p.stat().st_mtime_ns, p.as_posix())):
                before = known.get(path.relative_to(self.home.landing).as_posix())
                after = self.register(path)
                if before is None or before.sha256 != after.sha256:
                    fresh.append(after)
        return fresh

    def files(self, source: str | None = None) -> list[LandedFile]:
        """All registered files (optionally of one source), in landing order."""
        query = "select path, source, sha256, size_bytes, landed_at, duplicate_of from landed_files"
        args: tuple[str, ...] = ()
        if source:
            query += " where source = ?"
            args = (source,)
        with self._connect() as con:
            rows = con.execute(query + " order by landed_at, path", args).fetchall()
        return [LandedFile(*r) for r in rows]

    def frame(self) -> pl.DataFrame:
        """The manifest as a frame, the content of ``ops.landed_files``."""
        files = self.files()
        return pl.DataFrame(
            {
                "landed_file": [f.path for f in files],
                "source": [f.source for f in files],
                "sha256": [f.sha256 for f in files],
                "size_bytes": [f.size_bytes for f in files],
                "landed_at": [f.landed_at for f in files],
                "duplicate_of": [f.duplicate_of for f in files],
            },
            schema={
                "landed_file": pl.String,
                "source": pl.String,
                "sha256": pl.String,
                "size_bytes": pl.Int64,
                "landed_at": pl.String,
                "duplicate_of": pl.String,
            },
        ).with_columns(pl.col("landed_at").str.to_datetime(time_unit="us", time_zone="UTC"))

    # -- cursors -----------------------------------------------------------------
    def get_cursor(self, source: str, name: str) -> str | None:
        """A connector's saved position (e.g. last ``updated_at`` seen), if any."""
        with self._connect() as con:
            row = con.execute(
                "select value from cursors where source = ? and name = ?", (source, name)
            ).fetchone()
        return row[0] if row else None

    def set_cursor(self, source: str, name: str, value: str) -> None:
        """Save a connector's position after the pages up to it have landed."""
        now = datetime.now(UTC).isoformat(timespec="seconds")
        with self._connect() as con:
            con.execute(
                "insert into cursors values (?, ?, ?, ?) on conflict(source, name) "
                "do update set value = excluded.value, updated_at = excluded.updated_at",
                (source, name, value, now),
            )
