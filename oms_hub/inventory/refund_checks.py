"""Refunds against what was paid: each refund counted once, an excess flagged once.

For every returned line (``core.returns``) the refund is matched to the line(s) of the
order that sold the SKU (``core.order_lines``: net line total plus tax). Refunds of the
same order line are accumulated in time order; a refund that takes the running total
above what was paid carries the part above (``over_refund_amount``) and the flag
``over_refund``. Later refunds add only their own excess, so summing
``over_refund_amount`` gives the total paid out too much exactly once, and summing
``refund_amount`` gives every refund once (``return_id`` is unique).

A refund whose sale is not in the warehouse (sold before the first loaded day, or on a
channel not loaded yet) is ``unmatched``: it cannot be checked, and says so.
"""

from __future__ import annotations

import polars as pl

from oms_hub.quality.contracts import MONEY_DTYPE, contract

CHECKS = "core.return_checks"


def check_refunds(returns: pl.LazyFrame, lines: pl.LazyFrame) -> pl.DataFrame:
    """core.return_checks: one row per return with paid, refunded to date and excess."""
    paid = lines.group_by("order_id", "sku").agg(
        (pl.col("line_total") + pl.col("tax_amount")).sum().alias("paid_amount"),
        pl.col("quantity").sum().cast(pl.Int64).alias("sold_quantity"),
    )
    refund = (pl.col("refund_amount") + pl.col("tax_refund")).cast(MONEY_DTYPE)
    zero = pl.lit(0).cast(MONEY_DTYPE)
    excess_to_date = pl.max_horizontal(pl.col("refunded_to_date") - pl.col("paid_amount"), zero)
    excess_before = pl.max_horizontal(
        pl.col("refunded_to_date") - pl.col("total_refund") - pl.col("paid_amount"), zero
    )
    frame = (
        returns.with_columns(refund.alias("total_refund"))
        .join(paid, on=["order_id", "sku"], how="left")
        .sort("order_id", "sku", "returned_at", "return_id")
        .with_columns(
            pl.col("total_refund").cum_sum().over("order_id", "sku").alias("refunded_to_date"),
            pl.col("quantity").cast(pl.Int64).cum_sum().over("order_id", "sku").alias("_units"),
        )
        .with_columns(
            pl.when(pl.col("paid_amount").is_null())
            .then(None)
            .otherwise(excess_to_date - excess_before)
            .cast(MONEY_DTYPE)
            .alias("over_refund_amount"),
        )
        .with_columns(
            pl.when(pl.col("paid_amount").is_null())
            .then(pl.lit("unmatched"))
            .when(pl.col("over_refund_amount") > 0)
            .then(pl.lit("over_refund"))
            .when(pl.col("_units") > pl.col("sold_quantity"))
            .then(pl.lit("over_quantity"))
            .otherwise(pl.lit("ok"))
            .alias("flag"),
            pl.when(pl.col("location_id").is_null())
            .then(pl.lit("not_restocked"))
            .when(pl.col("condition") == "damaged")
            .then(pl.lit("damaged"))
            .otherwise(pl.lit("sellable"))
            .alias("stock_bucket"),
        )
        .sort("returned_at", "return_id")
        .collect()
    )
    return contract(CHECKS).conform(frame)
