"""Resolve source identities into customers: standardize -> block -> compare -> score ->
cluster -> key -> golden record.

``resolve`` is the full run (fits the model on this data). ``resolve_incremental`` adds
new identities to a previous result: only pairs that touch a new identity are blocked and
scored (with the saved model), existing customers are kept whole (their identities are
frozen together), and only the customers that changed get new golden records. Both are
pure: frames in, frames out; ``IdentityState`` saves/loads what the next run needs.
"""

from __future__ import annotations

import datetime as dt
import json
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import duckdb
import polars as pl

from oms_hub.identity.blocking import (
    candidate_pairs,
    hash_columns,
    incremental_pairs,
    key_hashes,
    key_texts,
    not_candidates,
    random_pairs,
)
from oms_hub.identity.cluster import cluster_pairs
from oms_hub.identity.compare import FIELDS, compare_pairs
from oms_hub.identity.config import IdentityConfig, load_config
from oms_hub.identity.keys import EVENT_SCHEMA, assign_keys
from oms_hub.identity.model import COUNTED_EXACT, MatchModel, card_u, fit_fs_em, fit_model
from oms_hub.identity.standardize import SOURCE_COLUMNS, ensure_columns, standardize_identities
from oms_hub.identity.survivorship import golden_records

Progress = Callable[[str], None]

XREF_COLUMNS = ("source", "source_customer_id", "customer_key", "match_score")


class IdentityInputError(ValueError):
    """The identities cannot be resolved as given (e.g. duplicate ids)."""


@dataclass
class IdentityState:
    """What a later incremental run needs: every identity (raw + standardized + key),
    the customers, the fitted model."""

    rows: pl.DataFrame
    customers: pl.DataFrame
    model: MatchModel
    #: the blocking keys the rows' ``bk_<i>`` hash columns were computed with
    keys: tuple[str, ...] = ()

    def save(self, folder: Path) -> None:
        """Write the state (parquet + JSON), each file atomically."""
        folder.mkdir(parents=True, exist_ok=True)
        for name, frame in (("identities", self.rows), ("customers", self.customers)):
            tmp = folder / f".{name}.parquet.tmp"
            frame.write_parquet(tmp)
            tmp.replace(folder / f"{name}.parquet")
        tmp = folder / ".blocking.json.tmp"
        tmp.write_text(json.dumps(list(self.keys), indent=1))
        tmp.replace(folder / "blocking.json")
        tmp = folder / ".model.json.tmp"  # written last: its presence marks a complete state
        tmp.write_text(self.model.to_json())
        tmp.replace(folder / "model.json")

    @classmethod
    def load(cls, folder: Path) -> IdentityState | None:
        """The saved state, or None when there is none yet."""
        if not (folder / "model.json").exists():
            return None
        return cls(
            rows=pl.read_parquet(folder / "identities.parquet"),
            customers=pl.read_parquet(folder / "customers.parquet"),
            model=MatchModel.from_json((folder / "model.json").read_text()),
            keys=tuple(json.loads((folder / "blocking.json").read_text()))
            if (folder / "blocking.json").exists()
            else (),
        )


@dataclass
class Resolution:
    """The outcome of a run: xref per identity, customers, key events, stats."""

    xref: pl.DataFrame
    customers: pl.DataFrame
    events: pl.DataFrame
    state: IdentityState
    stats: dict[str, float] = field(default_factory=dict)


def _identity(frame: pl.DataFrame) -> pl.DataFrame:
    frame = ensure_columns(frame)
    if frame["source"].null_count() or frame["source_customer_id"].null_count():
        raise IdentityInputError("every identity needs a source and a source_customer_id")
    ident = frame.select(
        pl.concat_str(["source", "source_customer_id"], separator="\x1f").alias("identity"),
        *SOURCE_COLUMNS,
    )
    dupes = ident.filter(pl.col("identity").is_duplicated())
    if dupes.height:
        first = dupes.row(0, named=True)
        raise IdentityInputError(
            f"{dupes['identity'].n_unique()} identities appear more than once "
            f"(e.g. {first['source']}/{first['source_customer_id']}); pass one row per identity"
        )
    return ident


def _standardized(raw: pl.DataFrame, config: IdentityConfig) -> pl.DataFrame:
    # a state saved before a source column existed lacks it: standardization nulls it
    return standardize_identities(
        raw.select(c for c in SOURCE_COLUMNS if c in raw.columns),
        default_country=config.default_country,
    )


def _unblocked_pairs(con: duckdb.DuckDBPyConnection, max_block_size: int) -> dict[str, float]:
    """Pairs agreeing exactly on email / phone whose value is too common to block on."""
    out = {}
    for name in COUNTED_EXACT:
        (pairs,) = con.execute(
            f"""select coalesce(sum(c * (c - 1) / 2), 0) from (
                  select count(*) as c from std_all where {name} is not null group by {name}
                  having count(*) > {int(max_block_size)})"""
        ).fetchone()
        out[name] = float(pairs)
    return out


def _score(
    con: duckdb.DuckDBPyConnection, std: pl.DataFrame, config: IdentityConfig, *,
    new_from: int | None, model: MatchModel | None, say: Progress,
    hashes: pl.DataFrame | None = None,
) -> tuple[pl.DataFrame, MatchModel, pl.DataFrame, dict[str, float]]:  # fmt: skip
    """Candidate pairs scored, the model, every identity's blocking-key hashes, stats."""
    stats: dict[str, float] = {}
    t = time.perf_counter()
    if hashes is None:  # full run: every identity's keys, and every pair sharing one
        con.register("std_all", std)
        con.execute("create or replace temp table std as select * from std_all")
        pairs = candidate_pairs(
            con, "std", config.blocking_keys, max_block_size=config.max_block_size
        )
        hashes = key_hashes(con, "std", config.blocking_keys)
    else:  # incremental: pairs from stored key hashes; compare only the rows they touch
        # rid is the row number of ``hashes`` and ``std`` (known first): slices, not filters
        pairs = incremental_pairs(
            hashes.slice(0, new_from), hashes.slice(new_from), max_block_size=config.max_block_size
        )
        touched = pl.concat([pairs["l"], pairs["r"]]).unique().sort()
        con.register("_touched", std[touched.cast(pl.Int64)])
        con.execute("create or replace temp table std as select * from _touched")
    stats["pairs"] = pairs.height
    stats["seconds_blocking"] = time.perf_counter() - t
    say(f"blocking: {pairs.height:,} candidate pairs")
    t = time.perf_counter()
    levels = compare_pairs(con, "std", pairs, population=std)
    stats["seconds_comparing"] = time.perf_counter() - t
    t = time.perf_counter()
    if model is None:
        if levels.height == 0:
            model = MatchModel._build(FIELDS, 0.5, {f: {} for f in FIELDS}, {f: {} for f in FIELDS})
        elif config.model == "recordlinkage-ecm":
            model = fit_model(levels, FIELDS, sample=config.training_pairs)
        else:
            # random pairs that no blocking key links: (nearly) all non-matches, even
            # when the input is so small that random pairs would hit its duplicates
            sample = not_candidates(random_pairs(std.height, config.random_pairs), pairs)
            chance = compare_pairs(con, "std", sample, population=std)
            model = fit_fs_em(
                levels,
                chance,
                FIELDS,
                n_identities=std.height,
                anchor=config.m_from_email_pairs,
                skipped_pairs=(
                    _unblocked_pairs(con, config.max_block_size) if config.count_exact_u else None
                ),
                derived_u={"card": u} if (u := card_u(std["cards"])) is not None else None,
            )
        say(f"model: {config.model} fitted, prior match share {model.prior:.3g}")
    scored = levels.with_columns(pl.Series("prob", model.probability(levels)))
    if config.first_name_veto:
        scored = scored.with_columns(
            pl.when((pl.col("first") == 0) & (pl.col("birth_date") != 3))
            .then(0.0)
            .otherwise(pl.col("prob"))
            .alias("prob")
        )
    stats["seconds_scoring"] = time.perf_counter() - t
    return scored, model, hashes, stats


def _finish(
    rows: pl.DataFrame,
    std: pl.DataFrame,
    scored: pl.DataFrame,
    config: IdentityConfig,
    *,
    previous: pl.DataFrame | None,
    frozen: pl.DataFrame | None,
    run_at: dt.datetime,
    stats: dict[str, float],
    new_from: int | None = None,
) -> tuple[pl.DataFrame, pl.DataFrame, pl.DataFrame]:
    """Cluster, key and attach keys/scores to ``rows``.

    With ``new_from`` (incremental) only clusters holding a new identity are re-keyed:
    existing customers are frozen whole, so every other cluster is exactly a customer
    of the previous run and keeps its key and scores.
    """
    t = time.perf_counter()
    result = cluster_pairs(
        std.height,
        scored,
        threshold=config.match_threshold,
        guard_thresholds=config.guard_thresholds,
        max_cluster_size=config.max_cluster_size,
        frozen=frozen,
        cannot_link_below=config.cannot_link_below,
    )
    stats["links"] = int((scored["prob"] >= config.match_threshold).sum())
    stats["guard_splits"] = result.guard_splits
    stats["seconds_clustering"] = time.perf_counter() - t
    t = time.perf_counter()
    clusters = result.clusters
    if new_from is not None:
        touched = clusters.filter(pl.col("rid") >= new_from).select("cluster").unique()
        clusters = clusters.join(touched, on="cluster", how="semi")
    members = clusters.join(
        rows.select(pl.col("rid").cast(pl.Int64), "identity"), on="rid", how="left"
    )
    keys, events = assign_keys(members, previous, run_at=run_at)
    stats["seconds_keys"] = time.perf_counter() - t
    fresh = keys.join(clusters.select("rid", "match_score"), on="rid").with_columns(
        pl.col("rid").cast(rows.schema["rid"])
    )
    if new_from is None:
        out = rows.drop("customer_key", "match_score", strict=False).join(
            fresh, on="rid", how="left"
        )
    else:  # keep the untouched customers' keys and scores as they were
        out = (
            rows.join(fresh, on="rid", how="left", suffix="_new")
            .with_columns(
                pl.coalesce("customer_key_new", "customer_key").alias("customer_key"),
                pl.max_horizontal("match_score_new", "match_score").alias("match_score"),
            )
            .drop("customer_key_new", "match_score_new")
        )
    return out, events, result.clusters


def _state_rows(raw: pl.DataFrame, std: pl.DataFrame) -> pl.DataFrame:
    """Raw columns + standardized columns (prefixed ``std_``) per rid."""
    return pl.concat(
        [
            raw,
            std.rename({c: f"std_{c}" for c in std.columns if c not in ("rid",)}),
        ],
        how="horizontal",
    )


def _columns(frame: pl.DataFrame, names: list[str], *, strip: str = "") -> pl.DataFrame:
    """Some columns of ``frame`` without copying them (``select`` on a frame of several
    chunks rechunks every column: 0.15 s per call on the 1M-identity state)."""
    return pl.DataFrame([frame.get_column(c).alias(c.removeprefix(strip)) for c in names])


def _std_from_rows(rows: pl.DataFrame) -> pl.DataFrame:
    return _columns(rows, ["rid", *[c for c in rows.columns if c.startswith("std_")]], strip="std_")


def _xref(rows: pl.DataFrame) -> pl.DataFrame:
    return rows.select(*XREF_COLUMNS, "rid").sort("rid").drop("rid")


def resolve(
    identities: pl.DataFrame,
    *,
    config: IdentityConfig | None = None,
    previous: IdentityState | None = None,
    run_at: dt.datetime | None = None,
    say: Progress = lambda _m: None,
) -> Resolution:
    """Full run over every identity; keys stay stable against ``previous`` if given."""
    config = config or load_config()
    run_at = run_at or dt.datetime.now(dt.UTC)
    started = time.perf_counter()
    raw = _identity(identities)
    std = _standardized(raw, config)
    stats = {"identities": raw.height}
    stats["seconds_standardizing"] = time.perf_counter() - started
    say(f"standardized {raw.height:,} identities")
    rows = _state_rows(raw, std)
    con = duckdb.connect()
    try:
        scored, model, hashes, s = _score(con, std, config, new_from=None, model=None, say=say)
    finally:
        con.close()
    stats.update(s)
    rows = pl.concat([rows, hashes.drop("rid")], how="horizontal")
    prev_keys = previous.rows.select("identity", "customer_key") if previous else None
    rows, events, _ = _finish(
        rows, std, scored, config, previous=prev_keys, frozen=None, run_at=run_at, stats=stats
    )
    t = time.perf_counter()
    customers = golden_records(rows)
    stats["seconds_survivorship"] = time.perf_counter() - t
    stats["customers"] = customers.height
    stats["seconds_total"] = time.perf_counter() - started
    say(f"resolved {raw.height:,} identities into {customers.height:,} customers")
    state = IdentityState(
        rows=rows, customers=customers, model=model, keys=key_texts(config.blocking_keys)
    )
    return Resolution(
        xref=_xref(rows), customers=customers, events=events, state=state, stats=stats
    )


def resolve_incremental(
    new_identities: pl.DataFrame,
    state: IdentityState,
    *,
    config: IdentityConfig | None = None,
    run_at: dt.datetime | None = None,
    say: Progress = lambda _m: None,
) -> Resolution:
    """Add (or update) identities against a previous run without re-resolving everyone.

    An identity already known is replaced by its new values. Existing customers stay whole
    (their identities are linked by frozen edges); new identities attach to them, form new
    customers, or merge customers they bridge (recorded as events).
    """
    config = config or load_config()
    run_at = run_at or dt.datetime.now(dt.UTC)
    started = time.perf_counter()
    fresh_raw = _identity(new_identities)
    updated = state.rows["identity"].is_in(fresh_raw["identity"])
    if updated.any():  # known identities with new values: drop the old rows, renumber
        old = state.rows.filter(~updated)
        old = old.with_columns(pl.int_range(old.height, dtype=pl.UInt32).alias("rid"))
    else:
        old = state.rows
    n_old = old.height
    # a state saved before a source column existed: null there (its identities whose
    # value is now known arrive as updated identities and replace their rows)
    old = ensure_columns(old)
    fresh_std = _standardized(fresh_raw, config).with_columns(pl.col("rid") + n_old)
    missing = [c for c in fresh_std.columns if c != "rid" and f"std_{c}" not in old.columns]
    if missing:  # a state saved before a standardized column existed: derive it now
        old = old.sort("rid")
        old_std = _standardized(old, config)
        old = old.with_columns(old_std.get_column(c).alias(f"std_{c}") for c in missing)
    fresh_rows = _state_rows(fresh_raw, fresh_std).with_columns(
        pl.lit(None, dtype=pl.String).alias("customer_key"),
        pl.lit(None, dtype=pl.Float64).alias("match_score"),
    )
    bk = hash_columns(config.blocking_keys)
    con = duckdb.connect()
    try:
        stale = state.keys != key_texts(config.blocking_keys)
        if stale or missing or not set(bk) <= set(old.columns):
            old = old.drop([c for c in old.columns if c.startswith(("bk_", "bke_"))])
            con.register("_old", _std_from_rows(old))
            old = pl.concat(
                [old, key_hashes(con, "_old", config.blocking_keys).drop("rid")], how="horizontal"
            )
        con.register("_fresh", fresh_std)
        fresh_rows = pl.concat(
            [fresh_rows, key_hashes(con, "_fresh", config.blocking_keys).drop("rid")],
            how="horizontal",
        )
    finally:
        con.close()
    if not old["rid"].is_sorted():  # rid must be the row number (see _score)
        old = old.sort("rid")
    rows = pl.concat([old, fresh_rows.select(old.columns).cast(old.schema)], how="vertical")
    std = _std_from_rows(rows)
    hashes = _columns(rows, ["rid", *bk])
    stats: dict[str, float] = {"identities": fresh_raw.height}
    stats["seconds_standardizing"] = time.perf_counter() - started
    say(f"standardized {fresh_raw.height:,} new identities ({n_old:,} known)")
    con = duckdb.connect()
    try:
        scored, model, _, s = _score(
            con, std, config, new_from=n_old, model=state.model, say=say, hashes=hashes
        )
    finally:
        con.close()
    stats.update(s)
    # keep existing customers whole: link each identity to its customer's first identity
    frozen = (
        _columns(old, ["rid", "customer_key"])
        .select(
            pl.col("rid").min().over("customer_key").cast(pl.Int64).alias("l"),
            pl.col("rid").cast(pl.Int64).alias("r"),
        )
        .filter(pl.col("l") != pl.col("r"))
    )
    previous = state.rows.select("identity", "customer_key")
    rows, events, _ = _finish(
        rows, std, scored, config, previous=previous, frozen=frozen, run_at=run_at,
        stats=stats, new_from=n_old,
    )  # fmt: skip
    t = time.perf_counter()
    touched = pl.concat(
        [
            rows.filter(pl.col("rid") >= n_old).select("customer_key"),
            events.select(pl.col("to_key").alias("customer_key")),
        ]
    ).unique()
    gone = events.filter(pl.col("kind") == "merge").select(pl.col("from_key").alias("customer_key"))
    replaced = pl.concat([touched, gone]).unique()
    customers = pl.concat(
        [
            state.customers.join(replaced, on="customer_key", how="anti"),
            golden_records(rows.join(touched, on="customer_key", how="semi")),
        ]
    ).sort("customer_key")
    stats["seconds_survivorship"] = time.perf_counter() - t
    stats["customers"] = customers.height
    stats["seconds_total"] = time.perf_counter() - started
    say(f"resolved {fresh_raw.height:,} new identities; {customers.height:,} customers")
    new_state = IdentityState(
        rows=rows, customers=customers, model=model, keys=key_texts(config.blocking_keys)
    )
    return Resolution(
        xref=_xref(rows),
        customers=customers,
        events=events.cast(EVENT_SCHEMA),
        state=new_state,
        stats=stats,
    )


__all__ = [
    "XREF_COLUMNS",
    "IdentityInputError",
    "IdentityState",
    "Resolution",
    "resolve",
    "resolve_incremental",
]
