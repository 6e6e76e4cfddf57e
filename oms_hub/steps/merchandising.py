"""Step: the merchandiser marts (reorder, sell-through) and their report files."""

from __future__ import annotations

import html
import time
from pathlib import Path
from typing import Any

import polars as pl

from oms_hub.home import Home
from oms_hub.inventory.ledger import LEDGER
from oms_hub.inventory.positions import POSITIONS
from oms_hub.reports.render import html_table, line_chart_svg, write_html_page, write_xlsx
from oms_hub.reports.stock import reorder, sell_through
from oms_hub.steps.allocation import ledger_end
from oms_hub.steps.inventory import table
from oms_hub.storage.lake import Lake

REORDER = "marts.rpt_reorder"
SELL_THROUGH = "marts.rpt_sell_through"


def build_merchandising(home: Home) -> dict[str, Any]:
    """Rebuild both marts from the ledger, positions and orders; write reports/ files."""
    started = time.perf_counter()
    lake = Lake(home)
    ledger = table(lake, LEDGER)
    products = table(lake, "core.products")
    lines = table(lake, "core.order_lines")
    as_of = ledger_end(ledger)
    to_order = reorder(
        ledger=ledger,
        positions=table(lake, POSITIONS).collect(),
        allocations=table(lake, "core.allocations"),
        lines=lines,
        products=products,
        as_of=as_of,
    )
    through = sell_through(
        ledger=ledger, lines=lines, returns=table(lake, "core.returns"), products=products
    )
    lake.write(REORDER, to_order)
    lake.write(SELL_THROUGH, through)
    files = write_merchandising_files(home, to_order, through)
    alerts = dict(
        to_order.group_by("low_stock_alert").agg(pl.len()).sort("low_stock_alert").iter_rows()
    )
    return {
        "reorder_rows": to_order.height,
        "alerts": alerts,
        "suggested_units": int(to_order["suggested_order_qty"].sum()),
        "sell_through_rows": through.height,
        "files": [str(f) for f in files],
        "seconds": round(time.perf_counter() - started, 3),
    }


def write_merchandising_files(
    home: Home, to_order: pl.DataFrame, through: pl.DataFrame
) -> list[Path]:
    """``reports/reorder.{xlsx,html}`` and ``reports/sell_through.{xlsx,html}``."""
    reports = home.reports
    by_location = (
        to_order.group_by("location_id")
        .agg(
            (pl.col("low_stock_alert") == "out").sum().alias("out"),
            (pl.col("low_stock_alert") == "critical").sum().alias("critical"),
            (pl.col("low_stock_alert") == "low").sum().alias("low"),
            pl.col("suggested_order_qty").sum().alias("units_to_order"),
        )
        .sort("units_to_order", descending=True)
    )
    as_of = to_order["as_of"].max() if to_order.height else None
    reorder_page = write_html_page(
        reports / "reorder.html",
        title="Reorder suggestions",
        sections=[
            (
                "About these figures",
                f"<p>{to_order.height} SKU x location pairs need attention as of "
                f"{html.escape(str(as_of))}. Velocity = units that left the location in the "
                "last 28 days (store sales, online orders allocated to it, transfers to "
                "other locations) / 28. Suggested quantity = enough to reach lead time + "
                "review period of cover plus safety stock, rounded up to whole supplier "
                "packs. <b>out</b>: nothing on hand; <b>critical</b>: cover shorter than the "
                "lead time; <b>low</b>: below the reorder point.</p>",
            ),
            ("Alerts per location", html_table(by_location)),
            (
                "What to order",
                html_table(
                    to_order.select(
                        "low_stock_alert",
                        "location_id",
                        "sku",
                        "name",
                        "category",
                        "on_hand",
                        "in_transit_in",
                        "daily_velocity",
                        "days_of_cover",
                        "lead_time_days",
                        "pack_size",
                        "suggested_order_qty",
                    ).with_columns(pl.col("daily_velocity", "days_of_cover").round(1))
                ),
            ),
        ],
    )
    weekly = through.filter(pl.col("period") == "week")
    by_channel = weekly.group_by("period_start", "channel").agg(pl.col("units_sold").sum())
    by_category = (
        weekly.group_by("period_start", "category", "sku")
        .agg(
            pl.col("units_sold").sum(),
            pl.col("begin_on_hand").first(),
            pl.col("units_received").first(),
        )
        .group_by("period_start", "category")
        .agg(
            (
                pl.col("units_sold").sum()
                / (pl.col("begin_on_hand").sum() + pl.col("units_received").sum())
                * 100
            )
            .round(2)
            .alias("sell_through_pct")
        )
    )
    monthly = (
        through.filter(pl.col("period") == "month")
        .group_by("period_start", "category", "channel")
        .agg(pl.col("units_sold", "units_returned").sum())
        .sort("period_start", "category", "channel")
    )
    through_page = write_html_page(
        reports / "sell_through.html",
        title="Sell-through",
        sections=[
            (
                "About these figures",
                "<p>Sell-through = units sold in the period / (units on hand over all "
                "locations at the start of the period + units received from suppliers in the "
                "period). Weeks start on Monday; days are UTC.</p>",
            ),
            (
                "Units sold per week",
                line_chart_svg(
                    by_channel,
                    x="period_start",
                    y="units_sold",
                    series="channel",
                    title="Units sold by channel",
                ),
            ),
            (
                "Weekly sell-through % by category",
                line_chart_svg(
                    by_category,
                    x="period_start",
                    y="sell_through_pct",
                    series="category",
                    title="Sell-through % by category",
                ),
            ),
            ("Monthly units by category and channel", html_table(monthly)),
        ],
    )
    return [
        write_xlsx(
            # Excel has no time zones: the sheet shows UTC wall time.
            to_order.with_columns(pl.col("as_of").dt.replace_time_zone(None)),
            reports / "reorder.xlsx",
            sheet="reorder",
        ),
        reorder_page,
        write_xlsx(through, reports / "sell_through.xlsx", sheet="sell-through"),
        through_page,
    ]
