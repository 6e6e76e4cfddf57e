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
        "postal_code", "country", "seen_at", "first_seen_at", "landed_file", "locator",
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
