"""Shopify, WooCommerce and Amazon as order sources (see ``oms_hub.orders.source``).

Versions: an order's winning version is the one with the latest source update time
(``version_at``), so a lookback re-fetch that lands an older copy later changes nothing.
A day's work selects the orders that touch the day (placed on it, or refunded on it),
takes the winning version of each among *all* its versions, and conforms those.
"""

from __future__ import annotations

import polars as pl

from oms_hub.orders.pos_conform import ConformedOrders
from oms_hub.orders.source import DayInput, OrderSource
from oms_hub.orders.versions import mark_latest
from oms_hub.orders.web_conform import conform_web, in_day

SHOPIFY_STREAM = "shopify/orders"
WOOCOMMERCE_STREAM = "woocommerce/orders"
AMAZON_STREAM = "amazon/orders"

_REFUND_AT = pl.col("refunds").list.eval(pl.element().struct.field("refunded_at"))
_PAID_AT = pl.col("payments").list.eval(pl.element().struct.field("processed_at"))


def _order_days(stream: str):
    def days(staged: dict[str, pl.LazyFrame]) -> pl.LazyFrame:
        rows = staged[stream]
        placed = rows.select("landed_file", day=pl.col("ordered_at").dt.date())
        later = [
            rows.select("landed_file", day=at)
            .explode("day")
            .drop_nulls("day")
            .select("landed_file", day=pl.col("day").dt.date())
            for at in (_REFUND_AT, _PAID_AT)
        ]
        return pl.concat([placed, *later]).drop_nulls("day").unique()

    return days


def _order_conform(stream: str, source: str):
    def conform_day(day_input: DayInput) -> ConformedOrders:
        day = day_input.day
        rows = day_input.staged[stream]
        touching = rows.filter(
            in_day(pl.col("ordered_at"), day)
            | _REFUND_AT.list.eval(in_day(pl.element(), day)).list.any()
            | _PAID_AT.list.eval(in_day(pl.element(), day)).list.any()
        ).select("version_key")
        candidates = rows.join(touching.unique(), on="version_key", how="semi")
        latest = mark_latest(candidates, day_input.file_order).filter(pl.col("is_latest"))
        return conform_web(latest.collect(), day, day_input.catalog, source=source)

    return conform_day


SHOPIFY_ORDERS = OrderSource(
    name="shopify",
    streams=(SHOPIFY_STREAM,),
    days=_order_days(SHOPIFY_STREAM),
    conform_day=_order_conform(SHOPIFY_STREAM, "shopify"),
)
WOOCOMMERCE_ORDERS = OrderSource(
    name="woocommerce",
    streams=(WOOCOMMERCE_STREAM,),
    days=_order_days(WOOCOMMERCE_STREAM),
    conform_day=_order_conform(WOOCOMMERCE_STREAM, "woocommerce"),
)


# --- Amazon: a header document and an items document per order -----------------------

_ITEM_COLUMNS = ("shipping_amount", "note", "lines")


def _amazon_days(staged: dict[str, pl.LazyFrame]) -> pl.LazyFrame:
    rows = staged[AMAZON_STREAM]
    headers = rows.filter(pl.col("document") == "header")
    placed = headers.select("landed_file", day=pl.col("ordered_at").dt.date())
    order_day = headers.select("source_order_id", day=pl.col("ordered_at").dt.date()).unique()
    items = (
        rows.filter(pl.col("document") == "items")
        .select("landed_file", "source_order_id")
        .join(order_day, on="source_order_id", how="inner")
        .select("landed_file", "day")
    )
    return pl.concat([placed, items]).unique()


def _amazon_conform(day_input: DayInput) -> ConformedOrders:
    day = day_input.day
    rows = day_input.staged[AMAZON_STREAM]
    headers = rows.filter(pl.col("document") == "header")
    ids = headers.filter(in_day(pl.col("ordered_at"), day)).select("source_order_id").unique()
    header = (
        mark_latest(headers.join(ids, on="source_order_id", how="semi"), day_input.file_order)
        .filter(pl.col("is_latest"))
        .drop(*_ITEM_COLUMNS, "is_latest")
    )
    items = (
        mark_latest(
            rows.filter(pl.col("document") == "items").join(ids, on="source_order_id", how="semi"),
            day_input.file_order,
        )
        .filter(pl.col("is_latest"))
        .select(
            "source_order_id",
            *_ITEM_COLUMNS,
            items_priced="priced",
            items_currency="currency",
            lines_landed_file="landed_file",
            lines_locator="locator",
        )
    )
    joined = header.join(items, on="source_order_id", how="left").with_columns(
        currency=pl.coalesce("currency", "items_currency"),
        priced=pl.col("priced") & pl.col("items_priced").fill_null(True),
    )
    return conform_web(joined.collect(), day, day_input.catalog, source="amazon")


AMAZON_ORDERS = OrderSource(
    name="amazon", streams=(AMAZON_STREAM,), days=_amazon_days, conform_day=_amazon_conform
)
