"""Where everything lives: the folders under ``OMS_HUB_HOME``.

One object answers "where is X" so no module builds paths by hand, and tests point the
whole hub at a temporary folder by constructing a different ``Home``.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

DEFAULT_HOME = Path("warehouse")

#: Sources that own a folder under ``landing/`` (design.md, section 2).
SOURCES: tuple[str, ...] = (
    "shopify",
    "woocommerce",
    "amazon",
    "edi",
    "pos",
    "settlements",
    "lockbox",
    "inventory",
    "catalog",
)


@dataclass(frozen=True)
class Home:
    """The root of one hub installation and the well-known folders beneath it."""

    root: Path

    @classmethod
    def from_env(cls, override: str | os.PathLike[str] | None = None) -> Home:
        """Resolve the home from an explicit path, else ``$OMS_HUB_HOME``, else ``./warehouse``."""
        raw = override or os.environ.get("OMS_HUB_HOME") or DEFAULT_HOME
        return cls(Path(raw).expanduser().resolve())

    @property
    def landing(self) -> Path:
        """Raw payloads exactly as received, one folder per source."""
        return self.root / "landing"

    def landing_for(self, source: str) -> Path:
        """The landing folder of one source."""
        if source not in SOURCES:
            raise ValueError(f"unknown source {source!r}; expected one of {', '.join(SOURCES)}")
        return self.landing / source

    @property
    def truth(self) -> Path:
        """Ground truth of a generated sample world; never read by the pipeline."""
        return self.root / "truth"

    @property
    def lake(self) -> Path:
        """Parquet tables, the storage of record."""
        return self.root / "lake"

    @property
    def catalog(self) -> Path:
        """The analysts' DuckDB catalog of views over the lake."""
        return self.root / "oms.duckdb"

    @property
    def reports(self) -> Path:
        """Files people open: spreadsheets, HTML pages, journal CSVs."""
        return self.root / "reports"

    @property
    def outbox(self) -> Path:
        """Documents to send back to partners."""
        return self.root / "outbox"

    @property
    def state(self) -> Path:
        """Operational state: the landing manifest, connector cursors, locks."""
        return self.root / "state"
