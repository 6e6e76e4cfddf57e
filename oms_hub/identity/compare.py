"""Comparison vectors: how well each candidate pair agrees, field by field.

Each field becomes a small integer *level* (higher = stronger agreement, ``-1`` = one
side is missing, which the model treats as its own level and so as neutral evidence).
The similarities are computed set-wise in DuckDB (``jaro_winkler_similarity``,
``damerau_levenshtein``) over all pairs at once.

DuckDB's ``damerau_levenshtein`` costs about ten times its ``levenshtein``, and most
candidate pairs differ a lot (namesakes' emails and phones): every "at most k edits" test
asks ``levenshtein`` first (a transposition costs it two edits, so more than 2k rules a
pair out) and runs the exact one on the few pairs left (``_edits_within``). The email's
digits are extracted once per identity, not once per pair. A million-identity world's
eleven million pairs compared in a fraction of the time, same levels.
"""

from __future__ import annotations

import duckdb
import polars as pl


def _edits_within(a: str, b: str, k: int) -> str:
    """SQL: the Damerau-Levenshtein distance of ``a`` and ``b`` is at most ``k``.

    Same truth value as ``damerau_levenshtein(a, b) <= k`` (null when a side is null); the
    CASE runs the slow exact distance only where the fast bound leaves it in doubt.
    """
    return (
        f"(case when levenshtein({a}, {b}) > {2 * k} then false "
        f"else damerau_levenshtein({a}, {b}) <= {k} end)"
    )


#: Field -> SQL level expression over ``a`` (left) and ``b`` (right) standardized rows.
LEVELS: dict[str, str] = {
    # 4 same canonical name (nicknames folded), 3 nearly the same spelling, 2 one side is
    # an initial the other's name starts with ("R." ~ "Robert": card names, receipts),
    # 1 loosely alike (or swapped with the surname), 0 different. The initial has its own
    # level: it is far rarer among chance pairs than "loosely alike" and, folded into it,
    # was weighed as little as a passing resemblance.
    # an initial of the formal name counts too ("R." ~ "Bob": a card shows the legal name)
    # ``spelled``: the given name an initial's own email spells out (standardize.py); an
    # initial whose email says "Kelros" is not Karen (unless one side has the names swapped)
    # nor is it when one spelling starts with the other: "brilo.vanderberg@" read against
    # the surname "Berg" spells "brilovander", which is still Brilo
    "first": f"""case when a.first is null or b.first is null then -1
        when (a.spelled is not null or b.spelled is not null)
          and length(coalesce(a.spelled, a.first_canon)) > 1
          and length(coalesce(b.spelled, b.first_canon)) > 1
          and jaro_winkler_similarity(coalesce(a.spelled, a.first_canon),
                                      coalesce(b.spelled, b.first_canon)) < 0.9
          and not starts_with(coalesce(a.spelled, a.first_canon), coalesce(b.spelled, b.first_canon))
          and not starts_with(coalesce(b.spelled, b.first_canon), coalesce(a.spelled, a.first_canon))
          and jaro_winkler_similarity(coalesce(a.spelled, a.first_canon), b.last) < 0.9
          and jaro_winkler_similarity(a.last, coalesce(b.spelled, b.first_canon)) < 0.9 then 0
        when a.first_canon = b.first_canon then 4
        when jaro_winkler_similarity(a.first, b.first) >= 0.92
          or jaro_winkler_similarity(a.first_canon, b.first_canon) >= 0.92 then 3
        when least(length(a.first), length(b.first)) = 1
          and (a.first[1] = b.first[1] or a.first_canon[1] = b.first_canon[1]) then 2
        when jaro_winkler_similarity(a.first, b.first) >= 0.80
          or {_edits_within("a.first", "b.first", 1)}
          or jaro_winkler_similarity(a.first_canon, b.first_canon) >= 0.80
          or jaro_winkler_similarity(a.first_canon, b.last) >= 0.9
          or jaro_winkler_similarity(a.last, b.first_canon) >= 0.9 then 1
        else 0 end""",
    "last": """case when a.last is null or b.last is null then -1
        when a.last = b.last then 3
        when jaro_winkler_similarity(a.last, b.last) >= 0.92 then 2
        when jaro_winkler_similarity(a.last, b.last) >= 0.80 or a.last_sx = b.last_sx
          or jaro_winkler_similarity(a.last, b.first) >= 0.9
          or jaro_winkler_similarity(a.first, b.last) >= 0.9 then 1
        else 0 end""",
    # a marketplace relay address (``relay``) counts on exact agreement only: it stands
    # for one buyer of one marketplace and never meets a real address. A near miss is a
    # typo only where the digits agree: namesakes' addresses are built from the same name
    # and differ in their numbers (jsmith12@ / jsmith21@ are two people, not a slip)
    "email": """case when a.email is null or b.email is null then
          case when a.relay = b.relay then 2 else -1 end
        when a.email = b.email then 2
        when a.email_digits <> b.email_digits
          or abs(length(a.email) - length(b.email)) > 2 then 0
        when damerau_levenshtein(a.email, b.email) <= 2 then 1
        else 0 end""",
    "phone": f"""case when a.phone is null or b.phone is null then -1
        when a.phone = b.phone then 2
        when {_edits_within("a.phone", "b.phone", 1)} then 1
        else 0 end""",
    # one comparison for where someone lives: street address, postal code and city are
    # strongly correlated, and counting them as three independent fields over-weighs a
    # shared (or a changed) home. There is no separate postal-code field: where a side
    # has no street (web and store identities mostly have a postal code alone) it would
    # count the same move twice (measured, session 4: F1 +0.001 on the 20k world, +0.0015
    # on the synthetic 10k and 100k sets, -0.0002 on FEBRL3)
    "address": f"""case
        when (a.addr is null and a.postal is null and a.city is null)
          or (b.addr is null and b.postal is null and b.city is null) then -1
        when a.addr = b.addr
          and (a.postal is null or b.postal is null or {_edits_within("a.postal", "b.postal", 1)})
          then 4
        when ((a.house = b.house and jaro_winkler_similarity(a.street, b.street) >= 0.88)
              or jaro_winkler_similarity(a.addr, b.addr) >= 0.92)
          and (a.postal is null or b.postal is null or {_edits_within("a.postal", "b.postal", 1)}
               or a.city = b.city)
          then 3
        when (a.postal = b.postal and a.city = b.city)
          or (jaro_winkler_similarity(a.addr, b.addr) >= 0.8
              and ({_edits_within("a.postal", "b.postal", 1)} or a.city = b.city))
          then 2
        when a.postal = b.postal or a.city = b.city then 1
        else 0 end""",
    # a city only adds evidence when the postal codes do not already agree: the same
    # postal code nearly always means the same city (counting both double-counts it)
    "city": """case when a.city is null or b.city is null then -1
        when a.postal = b.postal then -1
        when a.city = b.city then 2
        when jaro_winkler_similarity(a.city, b.city) >= 0.88 then 1
        else 0 end""",
    "birth_date": f"""case when a.birth_date is null or b.birth_date is null then -1
        when a.birth_date = b.birth_date then 3
        when {_edits_within("a.birth_date", "b.birth_date", 1)}
          or (a.birth_date[1:4] = b.birth_date[1:4] and a.birth_date[6:7] = b.birth_date[9:10]
              and a.birth_date[9:10] = b.birth_date[6:7]) then 2
        when a.birth_date[1:4] = b.birth_date[1:4] then 1
        else 0 end""",
    # the cards an identity pays with (brand + last four): one card seen in a store and on
    # the web shop is strong evidence; none in common is weak (people hold several)
    "card": """case when a.card is null or b.card is null then -1
        when a.card = b.card or list_has_any(a.cards, b.cards) then 2
        else 0 end""",
    # where a store customer shops against where the other identity lives: identified
    # store shoppers mostly live in their store's trade area (postal_area), namesakes
    # mostly elsewhere. 2: one side's store area is the other's home area, 1: two store
    # profiles shop in one area (one person's two profiles mostly do, namesakes seldom),
    # 0: compared and different, -1: nothing to compare
    "store_area": """case
        when a.store_area = b.area or b.store_area = a.area then 2
        when (a.store_area is not null and b.area is not null)
          or (b.store_area is not null and a.area is not null) then 0
        when a.store_area = b.store_area then 1
        when a.store_area is not null and b.store_area is not null then 0
        else -1 end""",
    "company": """case when a.company is null or b.company is null then -1
        when a.company = b.company then 2
        when jaro_winkler_similarity(a.company, b.company) >= 0.9 then 1
        else 0 end""",
}

FIELDS: tuple[str, ...] = tuple(LEVELS)

#: Fields whose exact agreement is weighed by how common the agreeing value is
#: (term-frequency adjustment): sharing the surname "Smith" says less than sharing
#: "Quinbertre", and sharing a city-centre ZIP code where a store's shoppers live less
#: than sharing a rural one. Field -> (column, the level its agreement shows as).
TF_FIELDS: dict[str, tuple[str, int]] = {
    "first": ("first_canon", 4),
    "last": ("last", 3),
    "address": ("postal", 1),  # the same postal code, no street to compare
}


def term_frequencies(con: duckdb.DuckDBPyConnection, population: str | pl.DataFrame) -> None:
    """Temp tables ``_tf_<field>(v, p)``: share of identities holding each value.

    ``population``: a DuckDB table name, or a polars frame (read in place, registered
    only for these counts).
    """
    registered = isinstance(population, pl.DataFrame)
    table = "_tf_population" if registered else population
    if registered:
        con.register(table, population.select(col for col, _ in TF_FIELDS.values()))
    try:
        for name, (column, _) in TF_FIELDS.items():
            con.execute(
                f"""create or replace temp table _tf_{name} as
                    select {column} as v, count(*) / (select count(*) from {table}) as p
                    from {table} where {column} is not null group by 1"""
            )
    finally:
        if registered:
            con.unregister(table)


def compare_pairs(
    con: duckdb.DuckDBPyConnection,
    table: str,
    pairs: pl.DataFrame,
    *,
    population: str | pl.DataFrame | None = None,
    chunk: int = 2_000_000,
) -> pl.DataFrame:
    """``pairs`` (l, r) plus one Int8 level column per field and, for the fields of
    ``TF_FIELDS``, ``tf_<field>``: the share of identities with the agreeing value (null
    unless the values are equal). Term frequencies are counted over ``population``
    (default: ``table``), so ``table`` may hold just the identities the pairs touch.

    Rows come out sorted by ``(l, r)``. The pairs are compared ``chunk`` at a time: a
    million identities' eleven million pairs compared at once held their levels about
    three times over (DuckDB's result, Arrow's copy, the sort), 1.5 GB where one chunk's
    overhead is a tenth of that.
    """
    term_frequencies(con, table if population is None else population)
    # per identity, what a per-pair expression would redo for every pair it is in
    con.execute(
        f"""create or replace temp table _compared as
            select *, regexp_replace(email, '[^0-9]', '', 'g') as email_digits from {table}"""
    )
    levels = ",\n".join(f"({sql})::tinyint as {name}" for name, sql in LEVELS.items())
    tf_cols = ",\n".join(
        f"case when a.{col} = b.{col} then tf_{name}.p end as tf_{name}"
        for name, (col, _) in TF_FIELDS.items()
    )
    tf_joins = "\n".join(
        f"left join _tf_{name} tf_{name} on tf_{name}.v = a.{col}"
        for name, (col, _) in TF_FIELDS.items()
    )
    query = f"""
        select p.l, p.r, {levels}, {tf_cols}
        from _pairs p join _compared a on a.rid = p.l join _compared b on b.rid = p.r
        {tf_joins}
        """
    pairs = pairs.select("l", "r").sort("l", "r")
    parts = []
    try:
        for offset in range(0, max(pairs.height, 1), chunk):
            con.register("_pairs", pairs.slice(offset, chunk))
            parts.append(con.sql(query).pl().sort("l", "r"))
    finally:
        con.unregister("_pairs")
        con.execute("drop table if exists _compared")
    return pl.concat(parts, rechunk=False) if len(parts) > 1 else parts[0]
