"""Mart contracts: the published reports."""

from __future__ import annotations

import pandera.polars as pa
import polars as pl

from oms_hub.quality.contracts.base import CHANNELS, Money, TableContract


class ChannelSalesDaily(pa.DataFrameModel):
    """marts.rpt_channel_sales_daily: one row per UTC day x channel x currency."""

    day: pl.Date = pa.Field(description="UTC calendar day of the sale or refund.")
    channel: str = pa.Field(isin=list(CHANNELS), description="Sales channel.")
    currency: str = pa.Field(str_length=3, description="ISO 4217 currency of the amounts.")
    orders: pl.Int64 = pa.Field(
        ge=0, description="Distinct orders with at least one line sold that day."
    )
    units: pl.Int64 = pa.Field(ge=0, description="Units sold that day.")
    gross_sales: Money = pa.Field(ge=0, description="Sum of line gross amounts (before discounts).")
    discounts: Money = pa.Field(ge=0, description="Sum of line discounts, positive.")
    returns: Money = pa.Field(ge=0, description="Net amount refunded that day, positive.")
    net_sales: Money = pa.Field(description="gross_sales - discounts - returns (before tax).")
    tax: Money = pa.Field(description="Tax on the lines sold that day.")


TABLES = [
    TableContract(
        "marts.rpt_channel_sales_daily",
        ChannelSalesDaily,
        "Daily sales by channel: orders, units, gross, discounts, returns, net.",
        True,
    ),
]
