"""Step: ops.load_audit, the proof that no landed record was lost.

For every parsed file: records = loaded + quarantined + superseded + pending, where
*pending* are winning rows of days whose partitions were never built. Anything left
over is ``unaccounted`` and fails the asset check.
"""

from __future__ import annotations

from datetime import date
from typing import Any

import polars as pl

from oms_hub.home import Home
from oms_hub.orders.versions import mark_latest
from oms_hub.quality.contracts import contract
from oms_hub.sources import STAGED_SOURCES
from oms_hub.steps.catalog import file_order
from oms_hub.steps.staging import parse_logs, staged_rows
from oms_hub.storage.lake import Lake

#: Core tables whose rows are loaded records (orders are derived from their lines).
RECORD_TABLES = ("core.order_lines", "core.returns", "core.products", "core.locations")


def _per_file(frame: pl.LazyFrame, name: str) -> pl.LazyFrame:
    return frame.group_by("landed_file").agg(pl.len().cast(pl.Int64).alias(name))


def build_load_audit(home: Home) -> dict[str, Any]:
    """Balance every parsed file's records against where they ended up."""
    lake = Lake(home)
    logs = parse_logs(home, list(STAGED_SOURCES))
    # Counted per table, not de-duplicated: a record loaded twice must show, not hide.
    loaded = (
        pl.concat(
            [_per_file(lake.scan(t), "loaded") for t in RECORD_TABLES if lake.has_data(t)]
            or [pl.LazyFrame(schema={"landed_file": pl.String, "loaded": pl.Int64})]
        )
        .group_by("landed_file")
        .agg(pl.col("loaded").sum())
    )
    quarantine = (
        lake.scan("ops.quarantine")
        if lake.has_data("ops.quarantine")
        else contract("ops.quarantine").empty().lazy()
    )
    rejected = quarantine.filter(pl.col("action") == "rejected")

    order = file_order(home)
    superseded_parts, pending_parts = [], []
    for spec in STAGED_SOURCES:
        rows = staged_rows(home, spec)
        if rows is None:
            continue
        has_day = "event_at" in rows.collect_schema()
        # Only the columns the accounting needs, so memory stays small at 10M rows.
        keep = ["landed_file", "locator", "version_key", *(["event_at"] if has_day else [])]
        marked = mark_latest(rows.select(keep), order)
        superseded_parts.append(marked.filter(~pl.col("is_latest")).select("landed_file"))
        if has_day:
            # Winning rows of days never built: neither loaded nor conformed yet.
            pending_parts.append(
                marked.filter(pl.col("is_latest"))
                .filter(~pl.col("event_at").dt.date().is_in(_built_days(lake)))
                .select("landed_file")
            )
    none = pl.LazyFrame(schema={"landed_file": pl.String})
    audit = (
        logs.lazy()
        .join(loaded, on="landed_file", how="left")
        .join(_per_file(rejected, "quarantined"), on="landed_file", how="left")
        .join(
            _per_file(pl.concat(superseded_parts or [none]), "superseded"),
            on="landed_file",
            how="left",
        )
        .join(
            _per_file(pl.concat(pending_parts or [none]), "pending"), on="landed_file", how="left"
        )
        .with_columns(pl.col("loaded", "quarantined", "superseded", "pending").fill_null(0))
        .with_columns(
            unaccounted=pl.col("records")
            - pl.col("loaded")
            - pl.col("quarantined")
            - pl.col("superseded")
            - pl.col("pending")
        )
        .sort("landed_file")
        .collect()
    )
    lake.write("ops.load_audit", contract("ops.load_audit").conform(audit))
    return {
        "files": audit.height,
        "records": int(audit.get_column("records").sum()),
        "loaded": int(audit.get_column("loaded").sum()),
        "quarantined": int(audit.get_column("quarantined").sum()),
        "superseded": int(audit.get_column("superseded").sum()),
        "pending": int(audit.get_column("pending").sum()),
        "unaccounted": int(audit.get_column("unaccounted").abs().sum()),
    }


def _built_days(lake: Lake) -> list[date]:
    """Days whose core.order_lines partition exists."""
    folder = lake.table_dir("core.order_lines")
    if not folder.is_dir():
        return []
    return [date.fromisoformat(p.name.removeprefix("day=")) for p in folder.glob("day=*")]
