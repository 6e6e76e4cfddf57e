"""Conform staged POS rows into core.orders, core.order_lines and core.returns.

Pure: staged rows (already narrowed to the latest versions) and the catalog in, the
three core frames plus conform-stage quarantine rows out. A sale row whose SKU or store
is unknown to the catalog is rejected with the identifiers that failed; the other lines
of the same sale still load (the order's totals are the sum of its loaded lines, and
the quarantine row shows the gap).
"""

from __future__ import annotations

from dataclasses import dataclass

import polars as pl

from oms_hub.connectors.common.result import quarantine_rows
from oms_hub.quality.contracts import MONEY_DTYPE, UNIT_PRICE_DTYPE, contract

CHANNEL = "pos"


@dataclass(frozen=True)
class ConformedOrders:
    """The core frames conform produced, plus what it rejected."""

    orders: pl.DataFrame
    order_lines: pl.DataFrame
    returns: pl.DataFrame
    quarantine: pl.DataFrame
    payments: pl.DataFrame | None = None  # sources without transactions leave it out


def _with_catalog(
    staged: pl.DataFrame, products: pl.DataFrame, locations: pl.DataFrame
) -> pl.DataFrame:
    stores = locations.select(
        location_name=pl.col("name"),
        location_id=pl.col("location_id"),
        currency=pl.col("currency"),
    ).unique("location_name", keep="first")
    skus = products.select("sku", _known_sku=pl.lit(True))
    return (
        staged.join(stores, on="location_name", how="left")
        .join(skus, on="sku", how="left")
        .with_columns(
            error_code=pl.when(pl.col("location_id").is_null())
            .then(pl.lit("unknown_location"))
            .when(pl.col("_known_sku").is_null())
            .then(pl.lit("unknown_sku")),
            error=pl.when(pl.col("location_id").is_null())
            .then(
                pl.format("Location '{}' is not a store in core.locations", pl.col("location_name"))
            )
            .when(pl.col("_known_sku").is_null())
            .then(pl.format("SKU '{}' is not in core.products", pl.col("sku"))),
        )
    )


def conform_pos(
    staged: pl.DataFrame, products: pl.DataFrame, locations: pl.DataFrame
) -> ConformedOrders:
    """Turn winning staged POS rows into validated core frames.

    ``staged`` must hold only winning versions (see ``orders.versions.mark_latest``).
    """
    checked = _with_catalog(staged, products, locations)
    rejected = checked.filter(pl.col("error_code").is_not_null())
    quarantine = pl.concat(
        [
            quarantine_rows(
                group.with_columns(
                    excerpt=pl.format(
                        "transaction {} sku {} location {} qty {} net {}",
                        pl.col("transaction_id"),
                        pl.col("sku"),
                        pl.col("location_name"),
                        pl.col("quantity"),
                        pl.col("net"),
                    )
                ),
                source="pos",
                landed_file=landed_file,
                stage="conform",
            )
            for (landed_file,), group in rejected.group_by("landed_file", maintain_order=True)
        ]
        or [contract("ops.quarantine").empty()]
    )
    ok = checked.filter(pl.col("error_code").is_null()).with_columns(
        order_id=pl.format("pos:{}", pl.col("transaction_id"))
    )

    sales = ok.filter(pl.col("event_type") == "sale").sort("landed_file", "row_number")
    lines = (
        sales.with_columns(
            line_number=pl.col("row_number").rank("ordinal").over("order_id").cast(pl.Int32),
            channel=pl.lit(CHANNEL),
            ordered_at=pl.col("event_at").min().over("order_id"),
            discount_amount=(-pl.col("discount")).cast(MONEY_DTYPE),
            unit_price=(pl.col("gross").cast(pl.Decimal(38, 6)) / pl.col("quantity"))
            .round(4)
            .cast(UNIT_PRICE_DTYPE),
        )
        .select(
            "order_id",
            "line_number",
            "channel",
            "ordered_at",
            "location_id",
            "sku",
            pl.col("item_name"),
            "quantity",
            "unit_price",
            gross_amount=pl.col("gross"),
            discount_amount="discount_amount",
            line_total=pl.col("net"),
            tax_amount=pl.col("tax"),
            currency="currency",
            source="source",
            landed_file="landed_file",
            locator="locator",
        )
        .sort("order_id", "line_number")
    )

    orders = (
        sales.sort("row_number")
        .group_by("order_id", maintain_order=True)
        .agg(
            source_order_id=pl.col("transaction_id").first(),
            source_customer_id=pl.col("customer_id").drop_nulls().first(),
            customer_name=pl.col("customer_name").drop_nulls().first(),
            ordered_at=pl.col("event_at").min(),
            local_time_zone=pl.col("local_time_zone").first(),
            location_id=pl.col("location_id").first(),
            currency=pl.col("currency").first(),
            gross_amount=pl.col("gross").sum(),
            discount_amount=(-pl.col("discount")).sum(),
            tax_amount=pl.col("tax").sum(),
            total=(pl.col("net") + pl.col("tax")).sum(),
            line_count=pl.len().cast(pl.Int32),
            note=pl.col("notes").drop_nulls().str.join("; "),
            source=pl.col("source").first(),
            landed_file=pl.col("landed_file").first(),
            first_row=pl.col("row_number").min(),
            last_row=pl.col("row_number").max(),
        )
        .with_columns(
            channel=pl.lit(CHANNEL),
            status=pl.lit("completed"),
            source_code=pl.format("store:{}", pl.col("location_id")),
            note=pl.when(pl.col("note") == "").then(None).otherwise(pl.col("note")),
            locator=pl.when(pl.col("first_row") == pl.col("last_row"))
            .then(pl.format("row {}", pl.col("first_row")))
            .otherwise(pl.format("rows {}-{}", pl.col("first_row"), pl.col("last_row"))),
        )
        .sort("order_id")
    )

    refunds = ok.filter(pl.col("event_type") == "refund").sort("landed_file", "row_number")
    returns = (
        refunds.with_columns(
            # Keyed by the refund's own instant, not its store-local day: conform runs per
            # UTC day, and two refunds of one sale on the same local day can fall on two
            # UTC days; a per-local-day counter would then restart in each and collide.
            _n=pl.col("row_number").rank("ordinal").over("order_id", "event_at"),
        )
        .select(
            return_id=pl.format(
                "{}:{}:{}",
                pl.col("order_id"),
                pl.col("event_at").dt.strftime("%Y%m%dT%H%M%SZ"),
                pl.col("_n"),
            ),
            order_id="order_id",
            channel=pl.lit(CHANNEL),
            returned_at=pl.col("event_at"),
            location_id="location_id",
            sku="sku",
            quantity=(-pl.col("quantity")),
            # Square has no condition field; cashiers write "damaged" in the notes.
            condition=pl.when(pl.col("notes").str.to_lowercase().str.contains(r"\bdamaged\b"))
            .then(pl.lit("damaged"))
            .otherwise(pl.lit("unknown")),
            refund_amount=(-pl.col("net")),
            tax_refund=(-pl.col("tax")),
            restock_type=pl.lit(None, dtype=pl.String),
            currency="currency",
            source="source",
            landed_file="landed_file",
            locator="locator",
        )
        .sort("return_id")
    )

    return ConformedOrders(
        orders=contract("core.orders").conform(orders),
        order_lines=contract("core.order_lines").conform(lines),
        returns=contract("core.returns").conform(returns),
        quarantine=quarantine,
    )
