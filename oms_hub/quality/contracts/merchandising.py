"""Merchandiser marts: what to reorder, and how fast stock sells through."""

from __future__ import annotations

import pandera.polars as pa
import polars as pl

from oms_hub.quality.contracts.base import CHANNELS, TableContract, UtcTimestamp


class RptReorder(pa.DataFrameModel):
    """marts.rpt_reorder: one row per SKU x location that needs stock."""

    sku: str = pa.Field(description="Item (core.products).")
    location_id: str = pa.Field(description="Store or warehouse (core.locations).")
    name: str = pa.Field(description="Item name (core.products).")
    category: str = pa.Field(description="Merchandise category.")
    as_of: UtcTimestamp = pa.Field(description="Moment the stock and velocity are measured at.")
    on_hand: pl.Int64 = pa.Field(description="Sellable units on hand by the books.")
    in_transit_in: pl.Int64 = pa.Field(ge=0, description="Units on their way by transfer.")
    allocated: pl.Int64 = pa.Field(ge=0, description="Units promised to open online orders.")
    units_28d_pos: pl.Int64 = pa.Field(ge=0, description="Units sold in store, last 28 days.")
    units_28d_online: pl.Int64 = pa.Field(
        ge=0,
        description="Units of web, marketplace, EDI and phone orders allocated to the "
        "location, last 28 days.",
    )
    units_28d_replenishment: pl.Int64 = pa.Field(
        ge=0, description="Units shipped out to other locations by transfer, last 28 days."
    )
    daily_velocity: pl.Float64 = pa.Field(
        ge=0, description="All units out of the location in the last 28 days / 28."
    )
    days_of_cover: pl.Float64 = pa.Field(
        nullable=True, description="on_hand / daily_velocity; null when nothing moved."
    )
    lead_time_days: pl.Int32 = pa.Field(ge=0, description="Supplier lead time.")
    review_period_days: pl.Int32 = pa.Field(ge=1, description="Days between reorder reviews.")
    safety_stock: pl.Int64 = pa.Field(ge=0, description="Safety stock units (core.products).")
    reorder_point: pl.Int64 = pa.Field(
        ge=0, description="ceil(velocity x lead time) + safety stock."
    )
    order_up_to: pl.Int64 = pa.Field(
        ge=0, description="ceil(velocity x (lead time + review period)) + safety stock."
    )
    pack_size: pl.Int32 = pa.Field(ge=1, description="Units per supplier case.")
    suggested_order_qty: pl.Int64 = pa.Field(
        ge=0,
        description="order_up_to - (on_hand + in_transit_in - allocated), rounded up to "
        "whole packs; 0 when stock suffices.",
    )
    low_stock_alert: str = pa.Field(
        isin=["out", "critical", "low"],
        description="out (nothing on hand), critical (cover shorter than the lead time), "
        "low (net stock below the reorder point).",
    )


class RptSellThrough(pa.DataFrameModel):
    """marts.rpt_sell_through: one row per SKU x channel x week or month."""

    period: str = pa.Field(isin=["week", "month"], description="'week' (ISO, Monday) or 'month'.")
    period_start: pl.Date = pa.Field(description="First day of the period (UTC).")
    sku: str = pa.Field(description="Item (core.products).")
    category: str = pa.Field(description="Merchandise category.")
    channel: str = pa.Field(isin=list(CHANNELS), description="Sales channel.")
    units_sold: pl.Int64 = pa.Field(ge=0, description="Units sold in the period and channel.")
    units_returned: pl.Int64 = pa.Field(ge=0, description="Units returned in the period.")
    begin_on_hand: pl.Int64 = pa.Field(
        description="Sellable units on hand over all locations at the start of the period."
    )
    units_received: pl.Int64 = pa.Field(
        ge=0, description="Units received from suppliers in the period (all locations)."
    )
    sell_through_pct: pl.Float64 = pa.Field(
        nullable=True,
        description="units_sold / (begin_on_hand + units_received) x 100; null without stock.",
    )


TABLES = [
    TableContract(
        "marts.rpt_reorder",
        RptReorder,
        "What to reorder where: velocity, cover, reorder point and a pack-rounded quantity.",
    ),
    TableContract(
        "marts.rpt_sell_through",
        RptSellThrough,
        "Sell-through by SKU, category, channel, week and month.",
    ),
]
