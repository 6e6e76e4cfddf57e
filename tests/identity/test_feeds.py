"""Identity feeds: staged channel rows -> the source-identity frame."""

from __future__ import annotations

import datetime as dt

import polars as pl

from oms_hub.identity.feeds import WEB_IDENTITIES, active_feeds
from oms_hub.identity.standardize import SOURCE_COLUMNS

T = dt.datetime(2026, 10, 1, tzinfo=dt.UTC)


def test_web_feed_takes_the_latest_customer_fields_and_keys_guests_by_order() -> None:
    # the customer columns of a staged web order row (oms_hub/connectors/common/json_orders)
    staged = pl.LazyFrame(
        {
            "source": ["shopify"] * 5,
            "landed_file": ["shopify/p1.json", "shopify/p1.json", "shopify/p2.json", "shopify/p2.json", "shopify/p2.json"],
            "locator": ["order 1", "order 2", "order 1", "order 2", "order 3"],
            "source_order_id": ["1001", "1002", "1003", "1004", "1005"],
            "ordered_at": [T, T + dt.timedelta(days=1), T + dt.timedelta(days=2), T, T],
            "source_customer_id": ["77", "77", "77", None, None],
            "customer_name": ["Kate O'Neil", None, "Katherine O'Neil", "Guest Person", None],
            "customer_email": ["kate@x.org", "kate@x.org", None, "g@y.org", None],
            "customer_phone": [None, "555-123-4567", None, None, None],
            "ship_postal_code": ["02139", None, "10001", None, "98101"],
            "ship_country": ["US", "US", "US", None, "US"],
        }
    )  # fmt: skip
    feed = WEB_IDENTITIES[0]
    out = feed.extract({"shopify/orders": staged}).collect().sort("source_customer_id")
    assert out.columns == [
        "source", "source_customer_id", "first_name", "last_name", "email", "phone",
        "postal_code", "country", "card_brand", "card_last4", "cards", "seen_at",
        "first_seen_at", "landed_file", "locator",
    ]  # fmt: skip
    assert set(out.columns) <= set(SOURCE_COLUMNS)
    kate = out.row(0, named=True)
    assert kate["source_customer_id"] == "77"
    assert (kate["first_name"], kate["last_name"]) == ("Katherine", "O'Neil")
    assert kate["email"] == "kate@x.org"
    assert kate["phone"] == "555-123-4567"
    assert kate["postal_code"] == "10001"  # moved: the latest address wins
    assert (kate["first_seen_at"], kate["seen_at"]) == (T, T + dt.timedelta(days=2))
    assert (kate["landed_file"], kate["locator"]) == ("shopify/p2.json", "order 1")
    assert out.height == 2  # the order with only a postal code is anonymous
    guest = out.row(1, named=True)
    assert guest["source_customer_id"] == "order:1004"
    assert guest["email"] == "g@y.org"


def test_feeds_of_channels_not_built_are_skipped() -> None:
    assert [f.source for f in active_feeds(["pos/square_items"])] == ["pos"]
    names = [f.source for f in active_feeds(["pos/square_items", "amazon/orders"])]
    assert names == ["pos", "amazon"]


def _directory(rows: list[dict]) -> pl.LazyFrame:
    from oms_hub.connectors.pos.square_customers import STAGED_SCHEMA

    base = dict.fromkeys(STAGED_SCHEMA.names())
    return pl.LazyFrame([{**base, **r} for r in rows], schema=STAGED_SCHEMA)


def test_pos_feed_joins_sale_profiles_to_the_latest_customer_directory_row() -> None:
    from oms_hub.identity.feeds import POS_IDENTITIES

    items = pl.LazyFrame(
        {
            "landed_file": ["pos/square-items-L1-2026-10-01.csv"] * 3,
            "locator": ["row 1", "row 2", "row 3"],
            "row_number": [1, 2, 3],
            "event_at": [T, T + dt.timedelta(hours=1), T],
            "customer_id": ["AB12", "AB12", "ITEMS_ONLY"],
            "customer_name": ["Kate O'Neil", "Kate O'Neil", "Bob Smith"],
        }
    )
    old, new = (
        "pos/customers/export-20261007-235900.csv",
        "pos/customers/export-20261014-235900.csv",
    )
    directory = _directory(
        [
            {"landed_file": new, "locator": "row 1", "row_number": 1, "customer_id": "AB12",
             "first_name": "Katherine", "last_name": "O'Neil", "email": "kate@x.org",
             "phone": "+15551234567", "postal_code": "02139", "birth_date": dt.date(1985, 3, 12),
             "version_at": dt.datetime(2026, 10, 14, 23, 59, tzinfo=dt.UTC)},
            {"landed_file": old, "locator": "row 1", "row_number": 1, "customer_id": "AB12",
             "first_name": "Kate", "last_name": "O'Neil", "email": "old@x.org",
             "version_at": dt.datetime(2026, 10, 7, 23, 59, tzinfo=dt.UTC)},
            {"landed_file": new, "locator": "row 2", "row_number": 2, "customer_id": "DIR_ONLY",
             "first_name": "Ana", "last_name": "Silva", "phone": "(555) 765-4321",
             "first_visit": dt.date(2026, 9, 1), "last_visit": dt.date(2026, 9, 20),
             "version_at": dt.datetime(2026, 10, 14, 23, 59, tzinfo=dt.UTC)},
        ]
    )  # fmt: skip
    out = (
        POS_IDENTITIES.extract({"pos/square_items": items, "pos/square_customers": directory})
        .collect()
        .sort("source_customer_id")
    )
    assert out.columns == list(SOURCE_COLUMNS)
    kate, directory_only, items_only = out.iter_rows(named=True)
    # the latest export's fields; first/last from the directory's own name fields
    assert kate["source_customer_id"] == "AB12"
    assert (kate["first_name"], kate["email"], kate["phone"]) == (
        "Katherine",
        "kate@x.org",
        "+15551234567",
    )
    assert kate["birth_date"] == "1985-03-12"
    assert kate["postal_code"] == "02139"
    assert (kate["landed_file"], kate["locator"]) == (new, "row 1")  # details come from there
    assert kate["seen_at"] == T + dt.timedelta(hours=1)  # the latest sale
    # a profile that has not bought in the landed item files is a customer too
    assert directory_only["source_customer_id"] == "DIR_ONLY"
    assert directory_only["seen_at"] == dt.datetime(2026, 9, 20, tzinfo=dt.UTC)
    assert directory_only["first_seen_at"] == dt.datetime(2026, 9, 1, tzinfo=dt.UTC)
    # a profile missing from the directory keeps the receipt name and the sale's lineage
    assert (items_only["first_name"], items_only["last_name"]) == ("Bob", "Smith")
    assert items_only["email"] is None
    assert items_only["locator"] == "row 3"
    # without a directory export the feed still works (names only)
    bare = POS_IDENTITIES.extract({"pos/square_items": items}).collect()
    assert bare.height == 2
    assert bare["email"].null_count() == 2


def test_feeds_give_each_identity_the_card_it_pays_with_most() -> None:
    from oms_hub.identity.feeds import POS_IDENTITIES

    # a Square profile paid three times with one card, once with another and once cash
    items = pl.LazyFrame(
        {
            "landed_file": ["pos/square-items-L1-2026-10-01.csv"] * 6,
            "locator": [f"row {i}" for i in range(1, 7)],
            "row_number": list(range(1, 7)),
            "event_at": [T + dt.timedelta(hours=i) for i in range(6)],
            "customer_id": ["AB12"] * 5 + ["CASH"],
            "customer_name": ["Kate O'Neil"] * 5 + ["Bo Li"],
            "card_brand": ["Visa", "Visa", "MasterCard", "Visa", None, None],
            "card_last4": ["4242", "4242", "0044", "4242", None, None],
        }
    )
    pos = POS_IDENTITIES.extract({"pos/square_items": items}).collect().sort("source_customer_id")
    assert pos.select("source_customer_id", "card_brand", "card_last4", "cards").rows() == [
        ("AB12", "Visa", "4242", "Visa 4242; MasterCard 0044"),
        ("CASH", None, None, None),
    ]
    # a web customer's orders: the card of most of them; staged data from before the
    # card columns existed gives no card, not an error
    orders = pl.LazyFrame(
        {
            "source": ["shopify"] * 3,
            "landed_file": ["shopify/p1.json"] * 3,
            "locator": ["order 1", "order 2", "order 3"],
            "source_order_id": ["1", "2", "3"],
            "ordered_at": [T, T, T],
            "source_customer_id": ["77"] * 3,
            "customer_name": ["Kate O'Neil"] * 3,
            "customer_email": ["kate@x.org"] * 3,
            "customer_phone": [None] * 3,
            "ship_postal_code": ["02139"] * 3,
            "ship_country": ["US"] * 3,
            "card_brand": ["Mastercard", "Visa", "Visa"],
            "card_last4": ["0044", "4242", "4242"],
        },
        schema_overrides={"customer_phone": pl.String},
    )
    web = WEB_IDENTITIES[0].extract({"shopify/orders": orders}).collect()
    assert web.select("card_brand", "card_last4").row(0) == ("Visa", "4242")
    old = WEB_IDENTITIES[0].extract({"shopify/orders": orders.drop("card_brand", "card_last4")})
    assert old.collect().select("card_brand", "card_last4").row(0) == (None, None)
