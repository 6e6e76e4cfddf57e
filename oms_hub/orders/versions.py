"""Which version of a source record wins: the newest by the source's clock, else the latest file.

Every staged row carries a ``version_key`` (e.g. ``sale:<transaction id>``). When the
same key appears in several landed files (a corrected re-export, a re-fetched page),
the rows of one file win as a whole, and the others are *superseded*: neither loaded
nor quarantined, but counted as such in ``ops.load_audit``.

A stream whose records carry their own update time (an API's ``updated_at``) stages it
as an optional ``version_at`` column: the version with the latest ``version_at`` wins,
whatever order the pages were landed in (a lookback re-fetch may land an older copy
after a newer one). Without that column, or where it is null or tied, the file landed
last wins (the POS and catalog behaviour).
"""

from __future__ import annotations

import polars as pl

VERSION_AT = "version_at"


def mark_latest(staged: pl.LazyFrame, file_order: pl.LazyFrame) -> pl.LazyFrame:
    """Add ``is_latest``: does the row belong to the winning file of its version key?

    ``file_order`` has ``landed_file`` and ``landed_at``; ties are broken by the file
    path so the choice is deterministic. If ``staged`` has a ``version_at`` column it
    ranks first (nulls lowest).
    """
    ranked = staged.join(
        file_order.select("landed_file", "landed_at"), on="landed_file", how="left"
    )
    by_source_clock = VERSION_AT in staged.collect_schema().names()
    order = (
        [VERSION_AT, "landed_at", "landed_file"]
        if by_source_clock
        else [
            "landed_at",
            "landed_file",
        ]
    )
    winner = (
        ranked.select("version_key", *order)
        .unique()
        .sort(order, nulls_last=False)
        .group_by("version_key")
        .agg(pl.col("landed_file").last().alias("_winner"))
    )
    return (
        ranked.join(winner, on="version_key", how="left")
        .with_columns(is_latest=pl.col("landed_file") == pl.col("_winner"))
        .drop("_winner", "landed_at")
    )
