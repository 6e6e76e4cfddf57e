"""Merchandiser reports over the stock ledger: reorder suggestions and sell-through.

Reorder policy (periodic review, order-up-to): with ``v`` the units that left a location
per day over the last 28 days (shelf sales, online orders allocated to it, transfers
out to other locations),

* ``reorder_point = ceil(v x lead time) + safety stock``;
* ``order_up_to = ceil(v x (lead time + review period)) + safety stock``;
* ``suggested_order_qty`` = what brings net stock (on hand + in transit - allocated) up
  to ``order_up_to``, rounded up to whole supplier packs.

A row is published when the location needs attention: nothing on hand (``out``), fewer
days of cover than the lead time (``critical``) or net stock below the reorder point
(``low``).
"""

from __future__ import annotations

from datetime import datetime, timedelta

import polars as pl

from oms_hub.quality.contracts import contract

WINDOW_DAYS = 28
PAIR = ["sku", "location_id"]


def _window(frame: pl.LazyFrame, column: str, as_of: datetime) -> pl.LazyFrame:
    start = as_of - timedelta(days=WINDOW_DAYS)
    at = pl.col(column)
    return frame.filter((at > pl.lit(start)) & (at <= pl.lit(as_of)))


def reorder(
    *,
    ledger: pl.LazyFrame,
    positions: pl.DataFrame,
    allocations: pl.LazyFrame,
    lines: pl.LazyFrame,
    products: pl.LazyFrame,
    as_of: datetime,
) -> pl.DataFrame:
    """marts.rpt_reorder rows as of ``as_of``."""
    recent = _window(ledger, "moved_at", as_of)
    out_of = (
        recent.filter(pl.col("kind").is_in(["sale", "transfer_out"]))
        .group_by(PAIR)
        .agg(
            (-pl.col("quantity").filter(pl.col("kind") == "sale").sum())
            .cast(pl.Int64)
            .alias("units_28d_pos"),
            (-pl.col("quantity").filter(pl.col("kind") == "transfer_out").sum())
            .cast(pl.Int64)
            .alias("units_28d_replenishment"),
        )
    )
    online = (
        allocations.filter(pl.col("location_id").is_not_null())
        .join(
            _window(lines, "ordered_at", as_of).select("order_id", "line_number"),
            on=["order_id", "line_number"],
        )
        .group_by(PAIR)
        .agg(pl.col("quantity").sum().cast(pl.Int64).alias("units_28d_online"))
    )
    facts = products.select(
        "sku",
        "name",
        "category",
        "lead_time_days",
        "review_period_days",
        "pack_size",
    )
    v = pl.col("daily_velocity")
    lt, rp = pl.col("lead_time_days"), pl.col("review_period_days")
    net = pl.col("on_hand") + pl.col("in_transit_in") - pl.col("allocated")
    frame = (
        positions.lazy()
        .select("sku", "location_id", "on_hand", "in_transit_in", "allocated", "safety_stock")
        .join(out_of, on=PAIR, how="left")
        .join(online, on=PAIR, how="left")
        .join(facts, on="sku", how="left")
        .with_columns(
            pl.col("units_28d_pos", "units_28d_online", "units_28d_replenishment").fill_null(0),
            pl.lit(as_of).cast(pl.Datetime("us", "UTC")).alias("as_of"),
        )
        .with_columns(
            (
                (
                    pl.col("units_28d_pos")
                    + pl.col("units_28d_online")
                    + pl.col("units_28d_replenishment")
                )
                / WINDOW_DAYS
            ).alias("daily_velocity")
        )
        .with_columns(
            pl.when(v > 0).then(pl.col("on_hand") / v).alias("days_of_cover"),
            ((v * lt).ceil().cast(pl.Int64) + pl.col("safety_stock")).alias("reorder_point"),
            ((v * (lt + rp)).ceil().cast(pl.Int64) + pl.col("safety_stock")).alias("order_up_to"),
        )
        .with_columns(
            (
                ((pl.col("order_up_to") - net).clip(lower_bound=0) + pl.col("pack_size") - 1)
                // pl.col("pack_size")
                * pl.col("pack_size")
            )
            .cast(pl.Int64)
            .alias("suggested_order_qty"),
            pl.when(pl.col("on_hand") <= 0)
            .then(pl.lit("out"))
            .when(pl.col("days_of_cover") < lt)
            .then(pl.lit("critical"))
            .when(net < pl.col("reorder_point"))
            .then(pl.lit("low"))
            .alias("low_stock_alert"),
        )
        .filter(pl.col("low_stock_alert").is_not_null())
        .sort("low_stock_alert", "days_of_cover", "sku", "location_id", nulls_last=False)
        .collect()
    )
    return contract("marts.rpt_reorder").conform(frame)


def sell_through(
    *,
    ledger: pl.LazyFrame,
    lines: pl.LazyFrame,
    returns: pl.LazyFrame,
    products: pl.LazyFrame,
) -> pl.DataFrame:
    """marts.rpt_sell_through for every week and month with sales."""
    sold = lines.select("sku", "channel", pl.col("ordered_at").dt.date().alias("day"), "quantity")
    back = returns.select(
        "sku", "channel", pl.col("returned_at").dt.date().alias("day"), "quantity"
    )
    # A movement at exactly midnight (an opening balance) counts in that day's start.
    closes = (pl.col("moved_at") - pl.duration(microseconds=1)).dt.date()
    daily_stock = (
        ledger.filter(pl.col("bucket") == "sellable")
        .group_by("sku", closes.alias("day"))
        .agg(
            pl.col("quantity").sum().cast(pl.Int64).alias("net"),
            pl.col("quantity")
            .filter(pl.col("kind") == "receipt")
            .sum()
            .cast(pl.Int64)
            .alias("rcv"),
        )
        .sort("sku", "day")
        .with_columns(pl.col("net").cum_sum().over("sku").alias("end_of_day"))
        .collect()
    )
    parts = []
    for period, every in (("week", "1w"), ("month", "1mo")):
        start = pl.col("day").dt.truncate(every)
        units = (
            sold.group_by("sku", "channel", start.alias("period_start"))
            .agg(pl.col("quantity").sum().cast(pl.Int64).alias("units_sold"))
            .join(
                back.group_by("sku", "channel", start.alias("period_start")).agg(
                    pl.col("quantity").sum().cast(pl.Int64).alias("units_returned")
                ),
                on=["sku", "channel", "period_start"],
                how="full",
                coalesce=True,
            )
            .with_columns(pl.col("units_sold", "units_returned").fill_null(0))
            .collect()
        )
        received = (
            daily_stock.lazy()
            .group_by("sku", start.alias("period_start"))
            .agg(pl.col("rcv").sum().alias("units_received"))
            .collect()
        )
        begin = (
            units.select("sku", "period_start")
            .unique()
            .with_columns((pl.col("period_start") - pl.duration(days=1)).alias("_before"))
            .sort("_before")
            .join_asof(
                daily_stock.select("sku", "day", "end_of_day").sort("day"),
                left_on="_before",
                right_on="day",
                by="sku",
                strategy="backward",
                check_sortedness=False,
            )
            .select("sku", "period_start", pl.col("end_of_day").fill_null(0).alias("begin_on_hand"))
        )
        parts.append(
            units.join(begin, on=["sku", "period_start"], how="left")
            .join(received, on=["sku", "period_start"], how="left")
            .with_columns(pl.col("units_received").fill_null(0), pl.lit(period).alias("period"))
        )
    stock = pl.col("begin_on_hand") + pl.col("units_received")
    frame = (
        pl.concat(parts)
        .join(products.select("sku", "category").collect(), on="sku", how="left")
        .with_columns(
            pl.when(stock > 0)
            .then((pl.col("units_sold") / stock * 100).round(2))
            .alias("sell_through_pct")
        )
        .sort("period", "period_start", "sku", "channel")
    )
    return contract("marts.rpt_sell_through").conform(frame)
