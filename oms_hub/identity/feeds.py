"""Identity feeds: how each channel's staged rows become source identities.

Each feed turns the staged streams of one source into the source-identity frame
(``standardize.SOURCE_COLUMNS``): one row per ``(source, source_customer_id)``, its
latest values, ``seen_at`` (latest sighting), ``first_seen_at`` and the lineage
(``landed_file``, ``locator``) of the latest sighting. A channel adds its feed to
``IDENTITY_FEEDS``; the customers step reads them all.

POS: Square ``Customer ID`` + ``Customer Name`` on sale rows. Web shops and Amazon:
the customer fields of their staged order rows (``source_customer_id``,
``customer_name``, ``customer_email``, ``customer_phone``, ``ship_postal_code``,
``ship_country``); a guest checkout (no customer id) is the identity
``order:<source_order_id>``. A feed whose streams are not registered (a channel not
built yet) is skipped (``active_feeds``). EDI (companies) adds its feed the same way.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
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

#: Staged order-row columns the web/marketplace feed reads.
_WEB_FIELDS = ("customer_name", "customer_email", "customer_phone", "ship_postal_code")


def guest_identity(source_order_id: pl.Expr) -> pl.Expr:
    """The identity of a checkout without a customer account: ``order:<id>``."""
    return pl.concat_str([pl.lit("order:"), source_order_id])


def order_identity() -> pl.Expr:
    """The source identity an order row belongs to: its customer id, else its guest id.

    Over core.orders (or staged order rows): ``coalesce(source_customer_id,
    'order:' || source_order_id)``; with ``source`` it is the ``core.customer_xref`` key.
    A guest id that no feed made an identity (a POS sale without a customer, an
    anonymous Amazon order) simply finds no customer.
    """
    return pl.coalesce(pl.col("source_customer_id"), guest_identity(pl.col("source_order_id")))


def with_customer_keys(orders: pl.DataFrame, xref: pl.DataFrame) -> pl.DataFrame:
    """``orders`` with ``customer_key`` filled from ``core.customer_xref`` (else null).

    One left join on ``(source, order_identity())``; row order and columns unchanged.
    """
    keys = xref.select(
        "source", pl.col("source_customer_id").alias("_identity"), "customer_key"
    ).unique(["source", "_identity"])
    return (
        orders.drop("customer_key")
        .with_columns(order_identity().alias("_identity"))
        .join(keys, on=["source", "_identity"], how="left", maintain_order="left")
        .select(orders.columns)
    )


def _web_identities(stream: str) -> Callable[[dict[str, pl.LazyFrame]], pl.LazyFrame]:
    def extract(staged: dict[str, pl.LazyFrame]) -> pl.LazyFrame:
        rows = staged[stream]
        names = rows.collect_schema().names()
        if not set(_WEB_FIELDS) <= set(names):
            return pl.LazyFrame(schema=SOURCE_COLUMNS)
        # a postal code alone identifies nobody (Amazon hides the buyer): such orders
        # are anonymous sales, not identities
        who = ("customer_name", "customer_email", "customer_phone")
        rows = rows.filter(pl.any_horizontal(pl.col(c).is_not_null() for c in who))
        rows = rows.with_columns(
            pl.coalesce("source_customer_id", guest_identity(pl.col("source_order_id"))).alias(
                "_identity"
            )
        )
        latest = (
            rows.sort("ordered_at", "landed_file", "locator")
            .group_by("source", "_identity")
            .agg(
                *[pl.col(c).drop_nulls().last() for c in (*_WEB_FIELDS, "ship_country")],
                pl.col("ordered_at").max().alias("seen_at"),
                pl.col("ordered_at").min().alias("first_seen_at"),
                pl.col("landed_file").last(),
                pl.col("locator").last(),
            )
        )
        first, last = split_full_name(pl.col("customer_name"))
        return latest.select(
            "source",
            pl.col("_identity").alias("source_customer_id"),
            first.alias("first_name"),
            last.alias("last_name"),
            pl.col("customer_email").alias("email"),
            pl.col("customer_phone").alias("phone"),
            pl.col("ship_postal_code").alias("postal_code"),
            pl.col("ship_country").alias("country"),
            "seen_at",
            "first_seen_at",
            "landed_file",
            "locator",
        )

    return extract


WEB_IDENTITIES = tuple(
    IdentityFeed(source, (f"{source}/orders",), _web_identities(f"{source}/orders"))
    for source in ("shopify", "woocommerce", "amazon")
)

#: Every channel that lands customer identities.
IDENTITY_FEEDS: tuple[IdentityFeed, ...] = (POS_IDENTITIES, *WEB_IDENTITIES)


def active_feeds(registered: Iterable[str]) -> list[IdentityFeed]:
    """The feeds whose staged streams (``<source>/<stream>``) are all registered."""
    known = set(registered)
    return [feed for feed in IDENTITY_FEEDS if set(feed.streams) <= known]
