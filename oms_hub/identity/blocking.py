"""Candidate pairs: identities that agree exactly on at least one blocking key.

Comparing every identity with every other is n²; blocking keeps only pairs that share
an email, a phone, a phonetic surname within a postal code, … (the list is configuration,
``identity.yaml``). Each key is a SQL expression over the standardized columns; the
pairs of all keys are unioned in DuckDB. A key value shared by more than
``max_block_size`` identities (a very common name) is skipped for that key: such a
block costs quadratic work and tells little; the other keys still find true pairs.

A key may be *one-sided* (``either``): its pairs are kept only when at least one of the
two identities meets a condition. An initial ("R. Smith") must meet every "R…" of its
surname, but two full names that merely share an initial need not be compared: at 1M
identities that is 3.5M pairs of 4M for that key.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import duckdb
import numpy as np
import polars as pl


@dataclass(frozen=True)
class BlockingKey:
    """A blocking key: a SQL expression, and optionally a condition one side must meet."""

    expr: str
    either: str | None = None

    @property
    def text(self) -> str:
        """How the key is stored with the identity state (changes force new hashes)."""
        return self.expr if self.either is None else f"{self.expr} [either: {self.either}]"

    @classmethod
    def parse(cls, raw: Any) -> BlockingKey:
        """A key from its YAML form: an expression, or ``{key: EXPR, either: CONDITION}``."""
        if isinstance(raw, BlockingKey):
            return raw
        if isinstance(raw, str) and raw.strip():
            return cls(raw)
        if (
            isinstance(raw, dict)
            and set(raw) <= {"key", "either"}
            and isinstance(raw.get("key"), str)
        ):
            either = raw.get("either")
            if either is not None and not (isinstance(either, str) and either.strip()):
                raise ValueError(f"blocking key {raw['key']!r}: either must be a SQL condition")
            return cls(raw["key"], either)
        raise ValueError(
            f"a blocking key is a SQL expression or {{key: EXPR, either: CONDITION}}, got {raw!r}"
        )


Keys = Sequence["str | BlockingKey"]


def _parsed(keys: Keys) -> list[BlockingKey]:
    return [BlockingKey.parse(k) for k in keys]


def key_texts(keys: Keys) -> tuple[str, ...]:
    """The keys as stored with the identity state."""
    return tuple(k.text for k in _parsed(keys))


def _keys_sql(table: str, keys: Keys) -> str:
    parts = [
        f"select rid, {i}::utinyint as k, hash({key.expr}) as v, "
        f"coalesce(({key.either or 'true'})::boolean, false) as e "
        f"from {table} where ({key.expr}) is not null"
        for i, key in enumerate(_parsed(keys))
    ]
    return " union all ".join(parts)


def block_keys(
    con: duckdb.DuckDBPyConnection, table: str, keys: Keys, *, max_block_size: int
) -> str:
    """Create temp table ``_bk(rid, k, v, e)`` of the usable key values of ``table``
    (``e``: the identity meets its key's ``either`` condition); returns its name."""
    con.execute(
        f"""
        create or replace temp table _bk as
        with kv as materialized ({_keys_sql(table, keys)}),
        usable as (
            select k, v from kv group by k, v having count(*) between 2 and {int(max_block_size)}
        )
        select rid, k, v, e from kv semi join usable using (k, v)
        """
    )
    return "_bk"


def candidate_pairs(
    con: duckdb.DuckDBPyConnection,
    table: str,
    keys: Keys,
    *,
    max_block_size: int,
    new_from: int | None = None,
) -> pl.DataFrame:
    """Distinct pairs ``(l, r)`` with ``l < r`` of identity row ids that share a key.

    ``table`` is a DuckDB table/view of standardized identities with ``rid``. With
    ``new_from`` only pairs touching an identity whose ``rid >= new_from`` are made (the
    incremental run: new identities against everyone).
    """
    bk = block_keys(con, table, keys, max_block_size=max_block_size)
    touching = (
        "" if new_from is None else f"and (a.rid >= {int(new_from)} or b.rid >= {int(new_from)})"
    )
    if new_from is None:
        sql = f"""
            select distinct a.rid as l, b.rid as r
            from {bk} a join {bk} b on a.k = b.k and a.v = b.v and a.rid < b.rid and (a.e or b.e)
        """
    else:
        sql = f"""
            with fresh as (select * from {bk} where rid >= {int(new_from)})
            select distinct least(a.rid, b.rid) as l, greatest(a.rid, b.rid) as r
            from fresh a join {bk} b on a.k = b.k and a.v = b.v and a.rid <> b.rid and (a.e or b.e)
            where true {touching}
        """
    return con.sql(f"{sql} order by l, r").pl()


def key_hashes(con: duckdb.DuckDBPyConnection, table: str, keys: Keys) -> pl.DataFrame:
    """``rid, bk_0 .. bk_<k-1>``: each identity's hashed value of every blocking key, and
    ``bke_<i>`` for a one-sided key: whether the identity meets its condition.

    Kept with the identity state so an incremental run needs no key work on the identities
    it already knows.
    """
    cols = []
    for i, key in enumerate(_parsed(keys)):
        # DuckDB hashes NULL to a constant: a missing value must stay null, or every
        # identity without it would share one block in the incremental run
        cols.append(f"case when ({key.expr}) is not null then hash({key.expr}) end as bk_{i}")
        if key.either is not None:
            cols.append(f"coalesce(({key.either})::boolean, false) as bke_{i}")
    return con.sql(f"select rid, {', '.join(cols)} from {table} order by rid").pl()


def hash_columns(keys: Keys) -> list[str]:
    """The state columns ``key_hashes`` makes for ``keys``."""
    out = []
    for i, key in enumerate(_parsed(keys)):
        out.append(f"bk_{i}")
        if key.either is not None:
            out.append(f"bke_{i}")
    return out


def incremental_pairs(
    known: pl.DataFrame, fresh: pl.DataFrame, *, max_block_size: int
) -> pl.DataFrame:
    """Candidate pairs touching a fresh identity, from key hashes alone (polars).

    ``known`` and ``fresh`` are ``key_hashes`` frames (disjoint rids). Only known identities
    sharing a key value with a fresh one are looked at; block sizes count every identity
    holding the value, so a very common value is skipped exactly as in a full run.
    """
    parts = []
    for col in [c for c in fresh.columns if c.startswith("bk_")]:
        flag = f"bke_{col[3:]}"
        side = pl.col(flag).fill_null(False) if flag in fresh.columns else pl.lit(True)
        new = fresh.select("rid", pl.col(col).alias("v"), side.alias("e")).drop_nulls("v")
        if new.height == 0:
            continue
        old = known.select("rid", pl.col(col).alias("v"), side.alias("e")).filter(
            pl.col("v").is_in(new.get_column("v").unique().implode())
        )
        block = pl.concat([old, new])
        usable = block.group_by("v").len().filter(pl.col("len").is_between(2, max_block_size))
        block = block.join(usable.select("v"), on="v", how="semi")
        pairs = new.join(usable.select("v"), on="v", how="semi").join(block, on="v", suffix="_o")
        parts.append(
            pairs.filter((pl.col("rid") != pl.col("rid_o")) & (pl.col("e") | pl.col("e_o"))).select(
                pl.min_horizontal("rid", "rid_o").alias("l"),
                pl.max_horizontal("rid", "rid_o").alias("r"),
            )
        )
    if not parts:
        return pl.DataFrame(schema={"l": pl.UInt32, "r": pl.UInt32})
    return pl.concat(parts).cast(pl.UInt32).unique().sort("l", "r")


def _pair_codes(pairs: pl.DataFrame) -> np.ndarray:
    """One uint64 per pair ``(l, r)``: ``l`` in the high half, so codes sort as pairs do."""
    left = pairs["l"].cast(pl.UInt64).to_numpy()
    return (left << np.uint64(32)) | pairs["r"].cast(pl.UInt64).to_numpy()


def not_candidates(sample: pl.DataFrame, candidates: pl.DataFrame) -> pl.DataFrame:
    """The pairs of ``sample`` that are not among ``candidates`` (both ``l < r``).

    A binary search of the sample's codes in the candidates' sorted codes: a hash join
    would build a table over every candidate pair (1.3 GB at eleven million pairs) to
    drop a handful of a hundred thousand random pairs.
    """
    codes = _pair_codes(candidates)
    if len(codes) > 1 and not bool(np.all(codes[1:] >= codes[:-1])):
        codes = np.sort(codes)
    wanted = _pair_codes(sample)
    at = np.searchsorted(codes, wanted).clip(max=max(len(codes) - 1, 0))
    found = codes[at] == wanted if len(codes) else np.zeros(len(wanted), dtype=bool)
    return sample.filter(pl.Series(~found))


def random_pairs(n: int, k: int, *, seed: int = 0) -> pl.DataFrame:
    """About ``k`` distinct random pairs ``(l, r)``, ``l < r``, of ``n`` identities.

    Nearly all are non-matches: what chance agreement looks like (the model's u).
    """
    if n < 2:
        return pl.DataFrame(schema={"l": pl.UInt32, "r": pl.UInt32})
    rng = np.random.default_rng(seed)
    a = rng.integers(0, n, size=k, dtype=np.int64)
    b = rng.integers(0, n, size=k, dtype=np.int64)
    keep = a != b
    return (
        pl.DataFrame({"l": np.minimum(a, b)[keep], "r": np.maximum(a, b)[keep]})
        .cast(pl.UInt32)
        .unique()
        .sort("l", "r")
    )
