"""Golden records: one row per customer, chosen from its identities by rules.

* name: the spelling used by most identities (ties: the most recently seen);
* email: the identifying email used most often (ties: most recent); relay addresses
  never survive, they were nulled by standardization;
* phone, address: the most recently seen non-null value (people move and change phones);
* birth date, company: the most frequent non-null value (ties: most recent);
* first_seen_at / last_seen_at: over all identities; sources: which systems know them.

Computed in one DuckDB query (``arg_max`` over counts and recency), which is several
times faster than the equivalent sort-and-group chain at a million identities.
"""

from __future__ import annotations

import duckdb
import polars as pl

_ADDRESS_PARTS = ("address_line1", "address_line2", "city", "region", "postal_code", "country")


def _most_frequent(value: str) -> str:
    return f"""
        (select customer_key, arg_max({value}, struct_pack(n := n, last := last, v := {value})) as {value}
         from (select customer_key, {value}, count(*) as n, max(seen_at) as last
               from rows where {value} is not null group by all)
         group by customer_key) as mf_{value}"""


def golden_records(rows: pl.DataFrame) -> pl.DataFrame:
    """Customers from identity rows.

    ``rows``: raw source-identity columns plus ``customer_key`` and the standardized
    ``std_email`` / ``std_phone``. Returns one row per customer_key.
    """
    address = "concat_ws(', ', " + ", ".join(f"nullif(trim({c}), '')" for c in _ADDRESS_PARTS) + ")"
    prepared = rows.select(
        "customer_key",
        "source",
        "seen_at",
        pl.coalesce("first_seen_at", "seen_at").alias("first_seen"),
        pl.concat_str(
            [pl.col("first_name").str.strip_chars(), pl.col("last_name").str.strip_chars()],
            separator=" ",
            ignore_nulls=True,
        ).alias("name"),
        pl.col("std_email").alias("email"),
        pl.col("std_phone").alias("phone"),
        "birth_date",
        "company",
        *_ADDRESS_PARTS,
    )
    con = duckdb.connect()
    try:
        con.register("_rows", prepared)
        con.execute(
            f"""create temp table rows as select * replace (nullif(name, '') as name),
                case when address_line1 is not null then {address} end as address from _rows"""
        )
        result = con.sql(
            f"""
            select b.customer_key, mf_name.name, mf_email.email,
                   b.phone, b.address, mf_birth_date.birth_date, mf_company.company,
                   b.first_seen_at, b.last_seen_at, b.identities, b.sources
            from (
                select customer_key,
                       arg_max(phone, coalesce(seen_at, '-infinity'::timestamptz)) filter (where phone is not null) as phone,
                       arg_max(address, coalesce(seen_at, '-infinity'::timestamptz)) filter (where address is not null) as address,
                       min(first_seen) as first_seen_at, max(seen_at) as last_seen_at,
                       count(*)::integer as identities,
                       string_agg(distinct source, ',' order by source) as sources
                from rows group by customer_key
            ) b
            left join {_most_frequent("name")} using (customer_key)
            left join {_most_frequent("email")} using (customer_key)
            left join {_most_frequent("birth_date")} using (customer_key)
            left join {_most_frequent("company")} using (customer_key)
            order by b.customer_key
            """
        ).pl()
    finally:
        con.close()
    return result.with_columns(
        pl.col("first_seen_at", "last_seen_at").cast(pl.Datetime("us", "UTC"))
    )
