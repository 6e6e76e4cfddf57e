"""Which version of a source record wins: the one in the latest landed file.

Every staged row carries a ``version_key`` (e.g. ``sale:<transaction id>``). When the
same key appears in several landed files (a corrected re-export, a re-fetched page),
the rows from the file landed last win as a whole, and the others are *superseded*:
neither loaded nor quarantined, but counted as such in ``ops.load_audit``.
"""

from __future__ import annotations

import polars as pl


def mark_latest(staged: pl.LazyFrame, file_order: pl.LazyFrame) -> pl.LazyFrame:
    """Add ``is_latest``: does the row belong to the winning file of its version key?

    ``file_order`` has ``landed_file`` and ``landed_at``; ties on ``landed_at`` are broken
    by the file path so the choice is deterministic.
    """
    ranked = staged.join(
        file_order.select("landed_file", "landed_at"), on="landed_file", how="left"
    )
    winner = (
        ranked.select("version_key", "landed_at", "landed_file")
        .unique()
        .sort(["landed_at", "landed_file"], nulls_last=False)
        .group_by("version_key")
        .agg(pl.col("landed_file").last().alias("_winner"))
    )
    return (
        ranked.join(winner, on="version_key", how="left")
        .with_columns(is_latest=pl.col("landed_file") == pl.col("_winner"))
        .drop("_winner", "landed_at")
    )
