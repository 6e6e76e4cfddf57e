"""Operational contracts: quarantine, landed files, load audit."""

from __future__ import annotations

import pandera.polars as pa
import polars as pl

from oms_hub.quality.contracts.base import TableContract, UtcTimestamp


class Quarantine(pa.DataFrameModel):
    """ops.quarantine: one row per rejected (or flagged) record."""

    source: str = pa.Field(description="Source of the landed file.")
    landed_file: str = pa.Field(description="Path of the raw file under landing/.")
    locator: str = pa.Field(description="Where in the file the record is (e.g. 'row 12').")
    stage: str = pa.Field(
        isin=["parse", "conform"], description="Step that rejected it: parse or conform."
    )
    action: str = pa.Field(
        isin=["rejected", "flagged"],
        description="'rejected': the record was not loaded; 'flagged': loaded, with something masked or left empty.",
    )
    error_code: str = pa.Field(description="Machine-readable reason, e.g. bad_money, unknown_sku.")
    error: str = pa.Field(description="Human-readable reason, naming the field and the bad value.")
    excerpt: str = pa.Field(
        nullable=True, description="The raw record, truncated, card numbers masked."
    )


class LandedFiles(pa.DataFrameModel):
    """ops.landed_files: one row per file path seen under landing/."""

    landed_file: str = pa.Field(unique=True, description="Path under landing/.")
    source: str = pa.Field(description="Source folder.")
    sha256: str = pa.Field(description="SHA-256 of the bytes; the file's identity.")
    size_bytes: pl.Int64 = pa.Field(ge=0, description="Size in bytes.")
    landed_at: UtcTimestamp = pa.Field(
        description="When the manifest first registered the path, UTC."
    )
    duplicate_of: str = pa.Field(
        nullable=True,
        description="Earlier path with the same bytes; such a file is not parsed again.",
    )


class LoadAudit(pa.DataFrameModel):
    """ops.load_audit: per parsed landed file, where each record went."""

    source: str = pa.Field(description="Source of the file.")
    landed_file: str = pa.Field(unique=True, description="Path under landing/.")
    records: pl.Int64 = pa.Field(ge=0, description="Records the parser read from the file.")
    loaded: pl.Int64 = pa.Field(ge=0, description="Records present in the conformed core tables.")
    quarantined: pl.Int64 = pa.Field(ge=0, description="Records rejected into ops.quarantine.")
    superseded: pl.Int64 = pa.Field(
        ge=0, description="Records replaced by a later version of the same record in a later file."
    )
    pending: pl.Int64 = pa.Field(
        ge=0, description="Records of days whose partitions have not been built yet."
    )
    unaccounted: pl.Int64 = pa.Field(
        description="records - loaded - quarantined - superseded - pending; anything but 0 is a bug."
    )


TABLES = [
    TableContract(
        "ops.quarantine",
        Quarantine,
        "Rejected or flagged records with the reason.",
        layout=(
            "one part per staged batch of a stream (`parse/<source>/<stream>/<batch>/`; only"
            " the live batches' parts count, see `oms_hub/storage/batches.py`), per"
            " unrecognized landed file (`parse/unrecognized/<sha256>/`) and per conform"
            " step or day (`conform/orders/day=YYYY-MM-DD/`, `conform/inventory/`, ...);"
            " read it through `oms.duckdb` or `Lake.scan`, which show only what counts"
        ),
    ),
    TableContract("ops.landed_files", LandedFiles, "Every raw file seen under landing/."),
    TableContract(
        "ops.load_audit",
        LoadAudit,
        "Per landed file: records = loaded + quarantined + superseded + pending.",
    ),
]
