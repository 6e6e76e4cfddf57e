"""The channel sales mart: cancelled orders sold nothing; refunds count on their own day."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import polars as pl

from oms_hub.reports.channel_sales import channel_sales_daily, sold_lines

T1 = dt.datetime(2026, 10, 1, 12, tzinfo=dt.UTC)
T2 = dt.datetime(2026, 10, 3, 12, tzinfo=dt.UTC)
MONEY = pl.Decimal(18, 2)


def _lines() -> pl.LazyFrame:
    return pl.LazyFrame(
        {
            "order_id": ["a", "a", "b"],
            "channel": ["web", "web", "web"],
            "currency": ["USD"] * 3,
            "ordered_at": [T1, T1, T1],
            "quantity": [1, 2, 5],
            "gross_amount": ["10.00", "20.00", "50.00"],
            "discount_amount": ["1.00", "0.00", "0.00"],
            "line_total": ["9.00", "20.00", "50.00"],
            "tax_amount": ["0.90", "2.00", "5.00"],
        }
    ).with_columns(
        pl.col("gross_amount", "discount_amount", "line_total", "tax_amount").cast(MONEY)
    )


def test_cancelled_orders_are_not_sales_and_refunds_land_on_their_day() -> None:
    orders = pl.LazyFrame({"order_id": ["a", "b"], "status": ["completed", "cancelled"]})
    returns = pl.LazyFrame(
        {
            "channel": ["web"],
            "currency": ["USD"],
            "returned_at": [T2],
            "refund_amount": [Decimal("9.00")],
        },
        schema_overrides={"refund_amount": MONEY},
    )
    daily = channel_sales_daily(sold_lines(_lines(), orders), returns)
    first = daily.filter(pl.col("day") == dt.date(2026, 10, 1)).row(0, named=True)
    assert (first["orders"], first["units"]) == (1, 3)
    assert first["gross_sales"] == Decimal("30.00")
    assert first["net_sales"] == Decimal("29.00")
    later = daily.filter(pl.col("day") == dt.date(2026, 10, 3)).row(0, named=True)
    assert (later["orders"], later["returns"], later["net_sales"]) == (
        0,
        Decimal("9.00"),
        Decimal("-9.00"),
    )
