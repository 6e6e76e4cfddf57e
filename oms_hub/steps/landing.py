"""Step: register everything under landing/ and publish ops.landed_files."""

from __future__ import annotations

from typing import Any

import polars as pl

from oms_hub.connectors.common.result import quarantine_rows
from oms_hub.home import Home
from oms_hub.quality.contracts import contract
from oms_hub.sources import implemented_sources, recognized
from oms_hub.storage.lake import Lake
from oms_hub.storage.manifest import LandingManifest


def register_landed_files(home: Home) -> dict[str, Any]:
    """Scan landing/, hash new files, record duplicates, write ops.landed_files.

    A file in a source folder that no parser of that source recognizes is quarantined
    (one row naming the file) instead of being silently ignored. Files of sources that
    have no parser yet are counted as waiting.
    """
    manifest = LandingManifest(home)
    fresh = manifest.scan()
    frame = contract("ops.landed_files").conform(manifest.frame())
    lake = Lake(home)
    lake.write("ops.landed_files", frame)
    parsed_sources = implemented_sources()
    unrecognized = [
        f
        for f in manifest.files()
        if f.source in parsed_sources and not f.is_duplicate and not recognized(f.source, f.path)
    ]
    for file in unrecognized:
        row = pl.DataFrame(
            {
                "locator": ["file"],
                "error_code": ["unrecognized_file"],
                "error": [f"no {file.source} parser recognizes the file name {file.path!r}"],
                "excerpt": [None],
            },
            schema_overrides={"excerpt": pl.String},
        )
        lake.write_part(
            "ops.quarantine",
            f"parse/unrecognized/{file.sha256}",
            quarantine_rows(row, source=file.source, landed_file=file.path, stage="parse"),
        )
    waiting = frame.filter(~pl.col("source").is_in(sorted(parsed_sources))).height
    per_source = frame.group_by("source").agg(pl.len()).sort("source").rows()
    return {
        "files": frame.height,
        "new_files": len(fresh),
        "new_duplicates": sum(1 for f in fresh if f.is_duplicate),
        "duplicates": frame.filter(pl.col("duplicate_of").is_not_null()).height,
        "unrecognized_files": len(unrecognized),
        "files_waiting_for_a_connector": waiting,
        "files_per_source": dict(per_source),
    }
