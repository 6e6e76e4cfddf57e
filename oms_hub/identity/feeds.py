"""Identity feeds: how each channel's staged rows become source identities.

Each feed turns the staged streams of one source into the source-identity frame
(``standardize.SOURCE_COLUMNS``): one row per ``(source, source_customer_id)``, its
latest values, ``seen_at`` (latest sighting), ``first_seen_at`` and the lineage
(``landed_file``, ``locator``) of the latest sighting. A channel adds its feed to
``IDENTITY_FEEDS``; the customers step reads them all.

Today: POS (Square ``Customer ID`` + ``Customer Name`` on sale rows). Web, marketplace
and EDI feeds arrive with those channels (emails, phones, addresses, companies).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import polars as pl

from oms_hub.identity.standardize import SOURCE_COLUMNS, split_full_name


@dataclass(frozen=True)
class IdentityFeed:
    """A source's identities, derived from its staged streams (``<source>/<stream>``)."""

    source: str
    streams: tuple[str, ...]
    extract: Callable[[dict[str, pl.LazyFrame]], pl.LazyFrame]


def _pos_identities(staged: dict[str, pl.LazyFrame]) -> pl.LazyFrame:
    """Square customer profiles seen on sale/refund rows: id + the name on the profile."""
    rows = staged["pos/square_items"].filter(pl.col("customer_id").is_not_null())
    first, last = split_full_name(pl.col("customer_name"))
    latest = (
        rows.sort("event_at", "landed_file", "row_number")
        .group_by("customer_id")
        .agg(
            pl.col("customer_name").drop_nulls().last(),
            pl.col("event_at").max().alias("seen_at"),
            pl.col("event_at").min().alias("first_seen_at"),
            pl.col("landed_file").last(),
            pl.col("locator").last(),
        )
    )
    return latest.select(
        pl.lit("pos").alias("source"),
        pl.col("customer_id").alias("source_customer_id"),
        first.alias("first_name"),
        last.alias("last_name"),
        *[
            pl.lit(None, dtype=t).alias(c)
            for c, t in SOURCE_COLUMNS.items()
            if c
            not in {
                "source",
                "source_customer_id",
                "first_name",
                "last_name",
                "seen_at",
                "first_seen_at",
                "landed_file",
                "locator",
            }
        ],
        "seen_at",
        "first_seen_at",
        "landed_file",
        "locator",
    )


POS_IDENTITIES = IdentityFeed("pos", ("pos/square_items",), _pos_identities)

#: Every channel that lands customer identities.
IDENTITY_FEEDS: tuple[IdentityFeed, ...] = (POS_IDENTITIES,)
