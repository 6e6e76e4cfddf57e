from __future__ import annotations

import polars as pl
from world_helpers import World, money_cents


def _dated(rows: pl.DataFrame) -> pl.DataFrame:
    return rows.with_columns(
        pl.coalesce(
            pl.col("Date").str.strptime(pl.Date, "%Y-%m-%d", strict=False),
            pl.col("Date").str.strptime(pl.Date, "%m/%d/%Y", strict=False),
        ).alias("day")
    )


def test_refunds_follow_their_sale(world: World, pos_rows: pl.DataFrame) -> None:
    rows = _dated(pos_rows)
    refunds = rows.filter(pl.col("Event Type") == "Refund")
    sales = rows.filter(pl.col("Event Type") == "Payment")
    assert refunds.height == world.summary.refund_lines
    share = refunds.height / sales.height
    # 3 % of lines are refunded 1-10 days later; over 8 days only 28 of 80 (day, delay)
    # pairs land inside the world, so about 3 % x 0.35 = 1.05 % of lines remain.
    assert 0.007 < share < 0.014
    matched = refunds.join(
        sales.select(
            "Transaction ID",
            "SKU",
            pl.col("Location").alias("sale_location"),
            pl.col("day").alias("sale_day"),
            pl.col("Qty").cast(pl.Int64, strict=False).alias("sale_qty"),
            money_cents("Gross Sales").alias("sale_gross"),
            pl.col("Payment ID").alias("sale_payment"),
        ),
        on=["Transaction ID", "SKU"],
        how="left",
    )
    assert matched.height == refunds.height  # one sale line per refund
    assert matched["sale_day"].null_count() == 0
    assert (matched["Location"] == matched["sale_location"]).all()
    assert (matched["Payment ID"] == matched["sale_payment"]).all()
    delay = (matched["day"] - matched["sale_day"]).dt.total_days()
    assert delay.min() >= 1
    assert delay.max() <= 10
    qty = matched["Qty"].cast(pl.Int64)
    assert (qty < 0).all()
    assert (-qty <= matched["sale_qty"]).all()
    assert (-qty < matched["sale_qty"]).any()  # some partial refunds
    money = matched.select(
        money_cents("Gross Sales").alias("g"),
        money_cents("Discounts").alias("d"),
        money_cents("Net Sales").alias("n"),
        money_cents("Tax").alias("t"),
    )
    assert (money["g"] < 0).all()
    assert (money["d"] >= 0).all()  # a refund gives the discount back
    assert (money["n"] == money["g"] + money["d"]).all()
    assert (money["t"] <= 0).all()
    unit = matched["sale_gross"] // matched["sale_qty"]
    assert (money["g"] == qty * unit).all()
