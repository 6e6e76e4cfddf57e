"""Stock positions as of any moment: on hand, allocated, available to promise.

``available_to_promise = on_hand - allocated - safety_stock - channel_threshold``, never
below zero: the units the hub may still promise to a new online order from a location.
"""

from __future__ import annotations

from datetime import datetime

import polars as pl

from oms_hub.inventory.ledger import in_transit
from oms_hub.quality.contracts import contract

POSITIONS = "core.inventory_positions"


def positions_as_of(
    ledger: pl.LazyFrame,
    as_of: datetime,
    *,
    products: pl.LazyFrame,
    allocations: pl.LazyFrame | None = None,
    channel_threshold: int = 0,
) -> pl.DataFrame:
    """Positions of every SKU x location the ledger (or an allocation) knows, at ``as_of``.

    Movements at or before ``as_of`` count. ``allocations`` are open allocation rows
    (``sku, location_id, quantity``; backordered rows have no location and are ignored).
    """
    moment = pl.lit(as_of).cast(pl.Datetime("us", "UTC"))
    past = ledger.filter(pl.col("moved_at") <= moment)
    stock = past.group_by("sku", "location_id").agg(
        pl.col("quantity")
        .filter(pl.col("bucket") == "sellable")
        .sum()
        .cast(pl.Int64)
        .alias("on_hand"),
        pl.col("quantity")
        .filter(pl.col("bucket") == "damaged")
        .sum()
        .cast(pl.Int64)
        .alias("damaged"),
    )
    transit = (
        in_transit(ledger)
        .filter(
            (pl.col("shipped_at") <= moment)
            & (pl.col("received_at").is_null() | (pl.col("received_at") > moment))
        )
        .group_by("sku", "location_id")
        .agg(pl.col("quantity").sum().alias("in_transit_in"))
    )
    if allocations is None:
        allocations = pl.LazyFrame(
            schema={"sku": pl.String, "location_id": pl.String, "quantity": pl.Int32}
        )
    held = (
        allocations.filter(pl.col("location_id").is_not_null())
        .group_by("sku", "location_id")
        .agg(pl.col("quantity").sum().cast(pl.Int64).alias("allocated"))
    )
    keys = pl.concat([f.select("sku", "location_id") for f in (stock, transit, held)]).unique()
    safety = products.select(
        "sku", pl.col("safety_stock_units").cast(pl.Int64).alias("safety_stock")
    )
    frame = (
        keys.join(stock, on=["sku", "location_id"], how="left")
        .join(transit, on=["sku", "location_id"], how="left")
        .join(held, on=["sku", "location_id"], how="left")
        .join(safety, on="sku", how="left")
        .with_columns(
            pl.col("on_hand", "damaged", "in_transit_in", "allocated", "safety_stock").fill_null(0),
            pl.lit(channel_threshold, pl.Int64).alias("channel_threshold"),
            moment.alias("as_of"),
        )
        .with_columns(
            pl.max_horizontal(
                pl.col("on_hand")
                - pl.col("allocated")
                - pl.col("safety_stock")
                - pl.col("channel_threshold"),
                pl.lit(0, pl.Int64),
            ).alias("available_to_promise")
        )
        .sort("sku", "location_id")
        .collect()
    )
    return contract(POSITIONS).conform(frame)
