"""Stable customer keys: a new run never renumbers a customer that still exists.

Each cluster of the current run inherits the previous key most of its identities held
(ties: the older, i.e. smaller, key), provided that key's identities are mostly in this
cluster. A cluster with no previous key gets the next unused number. What changed is
written as events so downstream facts can follow:

* ``merge``: a previous key whose identities now sit in a cluster that kept another
  key (``from_key`` -> ``to_key``);
* ``split``: some identities of a previous key now form or joined another cluster
  (``from_key`` -> the other cluster's key).
"""

from __future__ import annotations

import datetime as dt

import polars as pl

KEY_PREFIX = "C"
_KEY_DIGITS = 9

EVENT_SCHEMA = {
    "event_at": pl.Datetime("us", "UTC"),
    "kind": pl.String,
    "from_key": pl.String,
    "to_key": pl.String,
    "identities": pl.UInt32,
    "reason": pl.String,
}


def key_number(keys: pl.Expr) -> pl.Expr:
    """The number inside a key (``C000000042`` -> 42)."""
    return keys.str.slice(len(KEY_PREFIX)).cast(pl.Int64)


def format_keys(numbers: pl.Expr) -> pl.Expr:
    """``42`` -> ``C000000042``."""
    return pl.lit(KEY_PREFIX) + numbers.cast(pl.String).str.zfill(_KEY_DIGITS)


def assign_keys(
    members: pl.DataFrame, previous: pl.DataFrame | None, *, run_at: dt.datetime
) -> tuple[pl.DataFrame, pl.DataFrame]:
    """Customer key per identity, and the merge/split events against ``previous``.

    ``members``: ``rid, cluster, identity, match_score`` (identity = stable text id of a
    source identity). ``previous``: ``identity, customer_key`` of the last run, or None.
    Returns (``rid, customer_key``, events).
    """
    prev = (
        previous.select("identity", pl.col("customer_key").alias("prev_key"))
        if previous is not None and previous.height
        else pl.DataFrame(schema={"identity": pl.String, "prev_key": pl.String})
    )
    m = members.select("rid", "cluster", "identity").join(prev, on="identity", how="left")
    votes = m.filter(pl.col("prev_key").is_not_null()).group_by("cluster", "prev_key").len()
    # where each previous key mostly went
    home = (
        votes.sort(["prev_key", "len", "cluster"], descending=[False, True, False])
        .group_by("prev_key", maintain_order=True)
        .first()
    )
    # each cluster keeps the strongest previous key that calls it home
    kept = (
        home.sort(["cluster", "len", "prev_key"], descending=[False, True, False])
        .group_by("cluster", maintain_order=True)
        .first()
        .select("cluster", pl.col("prev_key").alias("customer_key"))
    )

    next_number = 1
    if prev.height:
        next_number = int(prev.select(key_number(pl.col("prev_key")).max()).item() or 0) + 1
    clusters = (
        m.group_by("cluster")
        .agg(pl.col("identity").min().alias("first_identity"))
        .join(kept, on="cluster", how="left")
    )
    fresh = clusters.filter(pl.col("customer_key").is_null()).sort("first_identity")
    fresh = fresh.with_columns(
        format_keys(pl.int_range(pl.len(), dtype=pl.Int64) + next_number).alias("customer_key")
    )
    cluster_keys = pl.concat([clusters.filter(pl.col("customer_key").is_not_null()), fresh]).select(
        "cluster", "customer_key"
    )
    keys = m.join(cluster_keys, on="cluster", how="left").select("rid", "customer_key", "prev_key")

    moved = (
        keys.filter(
            pl.col("prev_key").is_not_null() & (pl.col("prev_key") != pl.col("customer_key"))
        )
        .join(home.select("prev_key", pl.col("cluster").alias("home")), on="prev_key")
        .join(cluster_keys.rename({"cluster": "home", "customer_key": "home_key"}), on="home")
        .with_columns(
            pl.when(pl.col("home_key") == pl.col("prev_key"))
            .then(pl.lit("split"))
            .otherwise(pl.lit("merge"))
            .alias("kind")
        )
        .group_by("kind", "prev_key", "customer_key")
        .agg(pl.len().cast(pl.UInt32).alias("identities"))
    )
    events = moved.select(
        pl.lit(run_at).cast(pl.Datetime("us", "UTC")).alias("event_at"),
        "kind",
        pl.col("prev_key").alias("from_key"),
        pl.col("customer_key").alias("to_key"),
        "identities",
        pl.when(pl.col("kind") == "merge")
        .then(pl.lit("identities of both customers now link by match score"))
        .otherwise(pl.lit("identities no longer link to the rest of the customer"))
        .alias("reason"),
    ).sort("kind", "from_key", "to_key")
    return keys.select("rid", "customer_key").sort("rid"), events.cast(EVENT_SCHEMA)
