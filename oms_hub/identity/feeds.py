"""Identity feeds: how each channel's staged rows become source identities.

Each feed turns the staged streams of one source into the source-identity frame
(``standardize.SOURCE_COLUMNS``): one row per ``(source, source_customer_id)``, its
latest values, ``seen_at`` (latest sighting), ``first_seen_at`` and the lineage
(``landed_file``, ``locator``) of the latest sighting. A channel adds its feed to
``IDENTITY_FEEDS``; the customers step reads them all.

Every feed also gives the card an identity pays with most (brand + last four digits,
``card_brand`` / ``card_last4`` of its staged rows, when the source exports them).

POS: Square ``Customer ID`` + ``Customer Name`` on sale rows, joined to the Customer
Directory export (``pos/square_customers``: first/last name, email, phone, postal
address, birthday) when one has landed, and the postal code of the store each profile
buys at most (``core.locations``). Web shops and Amazon:
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
    #: Streams that enrich the identities when they hold rows (passed to ``extract``
    #: only then): the feed works without them.
    optional: tuple[str, ...] = ()
    #: Warehouse tables (``core.locations``) that enrich them the same way: passed
    #: under their qualified name when the lake holds them.
    tables: tuple[str, ...] = ()


_POS_DIRECTORY = "pos/square_customers"
_LOCATIONS = "core.locations"
#: Contract columns the Customer Directory fills (directory column -> contract column).
_DIRECTORY_FIELDS = {
    "email": "email",
    "phone": "phone",
    "address_line1": "address_line1",
    "address_line2": "address_line2",
    "city": "city",
    "region": "region",
    "postal_code": "postal_code",
    "birth_date": "birth_date",
    "company": "company",
}


#: Staged columns of a card payment: brand and last four digits (Square ``Card Brand`` /
#: ``PAN Suffix``, Shopify ``CardPaymentDetails``, WooCommerce ``payment_method_title``);
#: absent in older staged data.
_CARD_FIELDS = ("card_brand", "card_last4")


def _main_card(rows: pl.LazyFrame, key: str) -> pl.LazyFrame:
    """Per ``key``: the card (brand, last four) its rows show most often, and ``cards``:
    every card they show (``Brand 1234; Brand 5678``, most used first); else nulls.

    People hold several cards but pay with one most of the time; the most used one is
    the identity's card (ties: the later brand/digits, for a stable answer), the others
    still say who it is when another channel saw one of them.
    """
    if not set(_CARD_FIELDS) <= set(rows.collect_schema().names()):
        return (
            rows.select(key)
            .unique()
            .with_columns(pl.lit(None, pl.String).alias(c) for c in (*_CARD_FIELDS, "cards"))
        )
    used = (
        rows.filter(pl.col("card_brand").is_not_null() & pl.col("card_last4").is_not_null())
        .group_by(key, *_CARD_FIELDS)
        .len()
        .sort(key, "len", *_CARD_FIELDS, descending=[False, True, True, True])
        .group_by(key, maintain_order=True)
        .agg(
            *[pl.col(c).first() for c in _CARD_FIELDS],
            pl.concat_str(_CARD_FIELDS, separator=" ").str.join("; ").alias("cards"),
        )
    )
    return rows.select(key).unique().join(used, on=key, how="left")


def _latest_directory_rows(directory: pl.LazyFrame) -> pl.LazyFrame:
    """One row per Square customer: the one of the latest export.

    Latest = the latest ``version_at`` (the export time in the file name), then the
    later file path, as the load audit ranks versions.
    """
    return (
        directory.sort("version_at", "landed_file", "row_number", nulls_last=False)
        .group_by("customer_id")
        .agg(pl.all().last())
    )


def _home_store(rows: pl.LazyFrame, locations: pl.LazyFrame | None) -> pl.LazyFrame:
    """Per profile, the postal code of the store it bought at most (ties: the latest).

    Identified store shoppers mostly live in their store's trade area, so where a profile
    shops is evidence of where it lives even when it gave no address (an instant profile
    is a card name and nothing else); the engine compares its area with the other
    identity's home area. The store is the export's ``Location`` name, looked up in
    core.locations as the POS conform does; null when the lake has no locations yet.
    """
    if locations is None:
        return (
            rows.select("customer_id")
            .unique()
            .with_columns(pl.lit(None, pl.String).alias("store_postal_code"))
        )
    stores = (
        locations.filter(pl.col("kind") == "store")
        .select(pl.col("name").alias("location_name"), pl.col("postal_code").cast(pl.String))
        .unique("location_name", keep="first")
    )
    visits = rows.group_by("customer_id", "location_name").agg(
        pl.len().alias("_n"), pl.col("event_at").max().alias("_last")
    )
    return (
        visits.sort(["customer_id", "_n", "_last"], descending=[False, True, True])
        .group_by("customer_id", maintain_order=True)
        .first()
        .join(stores, on="location_name", how="left")
        .select("customer_id", pl.col("postal_code").alias("store_postal_code"))
    )


def _pos_identities(staged: dict[str, pl.LazyFrame]) -> pl.LazyFrame:
    """Square customer profiles: seen on sale/refund rows and/or in a directory export.

    The sale rows give the profile id, the name as the receipt shows it and when the
    customer was seen; the directory (when landed) adds first/last name fields, email,
    phone, postal address and birthday. A profile only in the directory (a customer
    who has not bought in the exports landed) is an identity too. Lineage is the
    directory row when there is one (that is where the details come from), else the
    latest sale row.
    """
    rows = staged["pos/square_items"].filter(pl.col("customer_id").is_not_null())
    sales = (
        rows.sort("event_at", "landed_file", "row_number")
        .group_by("customer_id")
        .agg(
            pl.col("customer_name").drop_nulls().last(),
            pl.col("event_at").max().alias("seen_at"),
            pl.col("event_at").min().alias("first_seen_at"),
            pl.col("landed_file").last(),
            pl.col("locator").last(),
        )
        .join(_main_card(rows, "customer_id"), on="customer_id", how="left")
        .join(_home_store(rows, staged.get(_LOCATIONS)), on="customer_id", how="left")
    )
    if _POS_DIRECTORY in staged:
        directory = _latest_directory_rows(staged[_POS_DIRECTORY]).select(
            "customer_id",
            pl.col("first_name").alias("d_first"),
            pl.col("last_name").alias("d_last"),
            *[
                (pl.col(c).cast(pl.String) if c == "birth_date" else pl.col(c)).alias(f"d_{c}")
                for c in _DIRECTORY_FIELDS
            ],
            pl.col("first_visit").cast(pl.Datetime("us", "UTC")).alias("d_first_seen"),
            pl.col("last_visit").cast(pl.Datetime("us", "UTC")).alias("d_seen"),
            pl.col("landed_file").alias("d_landed_file"),
            pl.col("locator").alias("d_locator"),
        )
        sales = sales.join(directory, on="customer_id", how="full", coalesce=True)
    else:
        sales = sales.with_columns(
            *[pl.lit(None, pl.String).alias(c) for c in ("d_first", "d_last")],
            *[pl.lit(None, pl.String).alias(f"d_{c}") for c in _DIRECTORY_FIELDS],
            *[pl.lit(None, pl.Datetime("us", "UTC")).alias(c) for c in ("d_first_seen", "d_seen")],
            *[pl.lit(None, pl.String).alias(c) for c in ("d_landed_file", "d_locator")],
        )
    first, last = split_full_name(pl.col("customer_name"))
    has_directory = pl.col("d_landed_file").is_not_null()
    named = pl.col("d_first").is_not_null() | pl.col("d_last").is_not_null()
    columns: dict[str, pl.Expr] = {
        c: pl.lit(None, dtype=t) for c, t in SOURCE_COLUMNS.items()
    }  # what the directory does not say (country: the engine's default)
    columns.update(
        source=pl.lit("pos"),
        source_customer_id=pl.col("customer_id"),
        first_name=pl.when(named).then(pl.col("d_first")).otherwise(first),
        last_name=pl.when(named).then(pl.col("d_last")).otherwise(last),
        **{target: pl.col(f"d_{c}") for c, target in _DIRECTORY_FIELDS.items()},
        card_brand=pl.col("card_brand"),
        card_last4=pl.col("card_last4"),
        cards=pl.col("cards"),
        store_postal_code=pl.col("store_postal_code"),
        seen_at=pl.coalesce("seen_at", "d_seen"),
        first_seen_at=pl.min_horizontal("first_seen_at", "d_first_seen"),
        landed_file=pl.when(has_directory).then("d_landed_file").otherwise("landed_file"),
        locator=pl.when(has_directory).then("d_locator").otherwise("locator"),
    )
    return sales.select(
        *[expr.cast(SOURCE_COLUMNS[name]).alias(name) for name, expr in columns.items()]
    )


POS_IDENTITIES = IdentityFeed(
    "pos",
    ("pos/square_items",),
    _pos_identities,
    optional=(_POS_DIRECTORY,),
    tables=(_LOCATIONS,),
)

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
            .join(_main_card(rows, "_identity"), on="_identity", how="left")
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
            *_CARD_FIELDS,
            "cards",
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
