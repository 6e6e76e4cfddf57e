"""marts.rpt_channel_sales_daily: what each channel sold each UTC day.

net_sales = gross_sales - discounts - returns, all before tax. Returns count on the
day the refund happened (not the day of the original sale), as finance books them.
"""

from __future__ import annotations

import polars as pl

from oms_hub.quality.contracts import MONEY_DTYPE, contract

_KEY = ["day", "channel", "currency"]


def sold_lines(order_lines: pl.LazyFrame, orders: pl.LazyFrame) -> pl.LazyFrame:
    """Lines of orders that were not cancelled: a cancelled order sold nothing."""
    cancelled = orders.filter(pl.col("status") == "cancelled").select("order_id")
    return order_lines.join(cancelled, on="order_id", how="anti")


def channel_sales_daily(order_lines: pl.LazyFrame, returns: pl.LazyFrame) -> pl.DataFrame:
    """Aggregate lines and returns to day x channel x currency."""
    sold = (
        order_lines.with_columns(day=pl.col("ordered_at").dt.date())
        .group_by(_KEY)
        .agg(
            orders=pl.col("order_id").n_unique().cast(pl.Int64),
            units=pl.col("quantity").sum().cast(pl.Int64),
            gross_sales=pl.col("gross_amount").sum(),
            discounts=pl.col("discount_amount").sum(),
            tax=pl.col("tax_amount").sum(),
        )
    )
    refunded = (
        returns.with_columns(day=pl.col("returned_at").dt.date())
        .group_by(_KEY)
        .agg(returns=pl.col("refund_amount").sum())
    )
    zero = pl.lit(0).cast(MONEY_DTYPE)
    daily = (
        sold.join(refunded, on=_KEY, how="full", coalesce=True)
        .with_columns(
            orders=pl.col("orders").fill_null(0),
            units=pl.col("units").fill_null(0),
            gross_sales=pl.col("gross_sales").fill_null(zero),
            discounts=pl.col("discounts").fill_null(zero),
            tax=pl.col("tax").fill_null(zero),
            returns=pl.col("returns").fill_null(zero),
        )
        .with_columns(net_sales=pl.col("gross_sales") - pl.col("discounts") - pl.col("returns"))
        .sort(_KEY)
        .collect()
    )
    return contract("marts.rpt_channel_sales_daily").conform(daily)
