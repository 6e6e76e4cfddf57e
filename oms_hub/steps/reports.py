"""Step: build marts.rpt_channel_sales_daily for a range of days, and its report files."""

from __future__ import annotations

from datetime import date
from pathlib import Path
from typing import Any

import polars as pl

from oms_hub.home import Home
from oms_hub.reports.channel_sales import channel_sales_daily, sold_lines
from oms_hub.reports.render import html_table, line_chart_svg, write_html_page, write_xlsx
from oms_hub.steps.orders import days_between
from oms_hub.storage.lake import Lake

TABLE = "marts.rpt_channel_sales_daily"


def build_channel_sales(home: Home, first: date, last: date) -> dict[str, Any]:
    """Recompute the mart for ``first``..``last`` from core lines and returns."""
    lake = Lake(home)
    days = days_between(first, last)
    in_range = pl.col("_d").is_between(first, last)
    lines = sold_lines(lake.scan("core.order_lines"), lake.scan("core.orders")).with_columns(
        _d=pl.col("ordered_at").dt.date()
    )
    returns = lake.scan("core.returns").with_columns(_d=pl.col("returned_at").dt.date())
    daily = channel_sales_daily(
        lines.filter(in_range).drop("_d"), returns.filter(in_range).drop("_d")
    )
    written = lake.write_days(TABLE, daily, day_of=pl.col("day"), days=days)
    files = write_channel_sales_files(home)
    return {
        "days": len(days),
        "rows": sum(written.values()),
        "net_sales": str(daily.get_column("net_sales").sum()),
        "files": [str(f) for f in files],
    }


def write_channel_sales_files(home: Home) -> list[Path]:
    """Write the whole mart as ``reports/channel_sales_daily.{xlsx,html}``."""
    full = Lake(home).read(TABLE).sort("day", "channel", "currency")
    xlsx = write_xlsx(full, home.reports / "channel_sales_daily.xlsx", sheet="channel sales")
    totals = (
        full.group_by("channel", "currency")
        .agg(pl.col("orders", "units", "gross_sales", "discounts", "returns", "net_sales").sum())
        .sort("channel")
    )
    page = write_html_page(
        home.reports / "channel_sales_daily.html",
        title="Channel sales, daily",
        sections=[
            (
                "About these figures",
                f"<p>{full.height} rows from <code>marts.rpt_channel_sales_daily</code>, "
                f"{full['day'].min()} to {full['day'].max()}. Days are UTC calendar days (a late "
                "evening sale on the US west coast counts on the next day). Net sales = gross "
                "sales &minus; discounts &minus; returns, before tax; returns count on the day "
                "of the refund.</p>",
            ),
            (
                "Net sales per day",
                line_chart_svg(
                    full,
                    x="day",
                    y="net_sales",
                    series="channel",
                    title="Net sales (before tax) by channel",
                ),
            ),
            (
                "Orders per day",
                line_chart_svg(
                    full, x="day", y="orders", series="channel", title="Orders by channel"
                ),
            ),
            ("Totals for the period", html_table(totals)),
            ("Daily figures", html_table(full.sort("day", descending=True))),
        ],
    )
    return [xlsx, page]
