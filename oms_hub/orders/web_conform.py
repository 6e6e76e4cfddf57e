"""Conform staged API orders (Shopify, WooCommerce, Amazon) into the core order tables.

Pure: the winning version of each order (one row, lines and refunds nested, see
``oms_hub.connectors.common.json_orders``) and the catalog in; core.orders,
core.order_lines and core.returns rows of one UTC day plus conform quarantine out.

An order is loaded or rejected *as a whole*: the source's totals are the truth for the
order, so loading some lines of it would publish an order that does not add up. A
rejected order gets one quarantine row (on its order day) naming every reason; its
refunds are not loaded either.

Lines carry the locator of the record that holds them (the order, or the Amazon items
document via ``lines_landed_file`` / ``lines_locator``); refunds carry the order's.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import polars as pl

from oms_hub.connectors.common.result import quarantine_rows
from oms_hub.orders.pos_conform import ConformedOrders
from oms_hub.orders.source import Catalog
from oms_hub.quality.contracts import contract


def day_bounds(day: date) -> tuple[datetime, datetime]:
    """[start, end) of a UTC day."""
    start = datetime(day.year, day.month, day.day, tzinfo=UTC)
    return start, start + timedelta(days=1)


def in_day(column: pl.Expr, day: date) -> pl.Expr:
    """Does the timestamp fall on the UTC day?"""
    start, end = day_bounds(day)
    return (column >= start) & (column < end)


def _problems(latest: pl.DataFrame, catalog: Catalog) -> pl.DataFrame:
    """Per order (version_key): the reasons it cannot load, or nothing."""
    known = catalog.products.select("sku", _known=pl.lit(True))
    lines = (
        latest.select("version_key", "lines")
        .explode("lines")
        .unnest("lines")
        .join(known, on="sku", how="left")
    )
    line_issue = lines.with_columns(
        issue=pl.when(pl.col("line_number").is_null())
        .then(pl.lit("no_lines: the order has no line items"))
        .when(pl.col("sku").is_null())
        .then(pl.format("missing_sku: line {} has no SKU", pl.col("line_number")))
        .when(pl.col("_known").is_null())
        .then(pl.format("unknown_sku: SKU '{}' is not in core.products", pl.col("sku")))
        .when(pl.col("quantity") <= 0)
        .then(
            pl.format(
                "bad_quantity: line {} quantity {}", pl.col("line_number"), pl.col("quantity")
            )
        )
    ).select("version_key", "issue")
    refund_issue = (
        latest.select("version_key", "refunds")
        .explode("refunds")
        .unnest("refunds")
        .filter(pl.col("refund_id").is_not_null())
        .with_columns(
            issue=pl.when((pl.col("quantity") <= 0) | (pl.col("refund_amount") < 0)).then(
                pl.format(
                    "bad_refund: refund {} quantity {} amount {}",
                    pl.col("refund_id"),
                    pl.col("quantity"),
                    pl.col("refund_amount"),
                )
            )
        )
        .select("version_key", "issue")
    )
    order_issue = latest.select(
        "version_key",
        issue=pl.when(~pl.col("priced"))
        .then(
            pl.when(pl.col("status") == "cancelled")
            .then(pl.lit("cancelled_unpriced: cancelled before it was priced"))
            .otherwise(pl.lit("awaiting_prices: the order carries no prices yet (Pending)"))
        )
        .when(pl.col("currency").is_null())
        .then(pl.lit("missing_currency: the order states no currency")),
    )
    return (
        pl.concat([order_issue, line_issue, refund_issue])
        .drop_nulls("issue")
        .unique(maintain_order=True)
        .group_by("version_key", maintain_order=True)
        .agg(
            error_code=pl.col("issue").first().str.extract(r"^(\w+):"),
            error=pl.col("issue").str.join("; "),
        )
    )


def _with_line_lineage(latest: pl.DataFrame) -> pl.DataFrame:
    cols = latest.columns
    return latest.with_columns(
        lines_landed_file=pl.col("lines_landed_file")
        if "lines_landed_file" in cols
        else pl.col("landed_file"),
        lines_locator=pl.col("lines_locator") if "lines_locator" in cols else pl.col("locator"),
    )


def conform_web(
    latest: pl.DataFrame, day: date, catalog: Catalog, *, source: str
) -> ConformedOrders:
    """Core rows of ``day`` from the winning versions of the orders that touch it.

    ``latest`` holds one row per order (any order with an order time or a refund on
    ``day``); orders placed that day give orders and lines, refunds made that day give
    returns.
    """
    latest = _with_line_lineage(latest).with_columns(
        order_id=pl.format("{}:{}", pl.lit(source), pl.col("source_order_id"))
    )
    problems = _problems(latest, catalog)
    ok = latest.join(problems, on="version_key", how="anti")
    placed_bad = latest.join(problems, on="version_key", how="inner").filter(
        in_day(pl.col("ordered_at"), day)
    )
    quarantine = _quarantine(placed_bad, source)

    placed = ok.filter(in_day(pl.col("ordered_at"), day))
    lines = (
        placed.select(
            "order_id",
            "channel",
            "ordered_at",
            "currency",
            "lines",
            source="source",
            landed_file="lines_landed_file",
            locator="lines_locator",
        )
        .explode("lines")
        .unnest("lines")
        .with_columns(location_id=pl.lit(None, dtype=pl.String))
        .sort("order_id", "line_number")
    )
    line_sums = lines.group_by("order_id").agg(
        line_count=pl.len().cast(pl.Int32),
        _gross=pl.col("gross_amount").sum(),
        _discount=pl.col("discount_amount").sum(),
        _tax=pl.col("tax_amount").sum(),
    )
    orders = (
        placed.join(line_sums, on="order_id", how="left")
        .with_columns(
            local_time_zone=pl.lit(None, dtype=pl.String),
            location_id=pl.lit(None, dtype=pl.String),
            # Columns other channels added to core.orders (EDI charges; allocation's ship-to
            # point and pickup store): not in these APIs' order shape, so null here.
            updated_at=pl.col("version_at"),
            gross_amount=pl.coalesce("gross_amount", "_gross"),
            discount_amount=pl.coalesce("discount_amount", "_discount"),
            tax_amount=pl.coalesce("tax_amount", "_tax"),
        )
        .sort("order_id")
    )
    returns = _returns(ok, day)
    return ConformedOrders(
        orders=contract("core.orders").conform(orders),
        order_lines=contract("core.order_lines").conform(lines),
        returns=contract("core.returns").conform(returns),
        quarantine=quarantine,
        payments=contract("core.payments").conform(_payments(ok, day, source)),
    )


def _payments(ok: pl.DataFrame, day: date, source: str) -> pl.DataFrame:
    """Transactions of loaded orders processed on ``day`` (ids, gateway, tokens only)."""
    if "payments" not in ok.columns:
        return contract("core.payments").empty()
    return (
        ok.select("order_id", "channel", "payments", "source", "landed_file", "locator")
        .explode("payments")
        .unnest("payments")
        .filter(pl.col("payment_id").is_not_null() & in_day(pl.col("processed_at"), day))
        .with_columns(payment_id=pl.format("{}:{}", pl.lit(source), pl.col("payment_id")))
        .unique("payment_id", keep="first", maintain_order=True)
        .sort("payment_id")
    )


def _returns(ok: pl.DataFrame, day: date) -> pl.DataFrame:
    skus = (
        ok.select("order_id", "lines")
        .explode("lines")
        .unnest("lines")
        .select("order_id", "line_id", _line_sku="sku")
        .drop_nulls("line_id")
        .unique(["order_id", "line_id"], keep="first")
    )
    return (
        ok.select("order_id", "channel", "currency", "refunds", "source", "landed_file", "locator")
        .explode("refunds")
        .unnest("refunds")
        .filter(pl.col("refund_id").is_not_null() & in_day(pl.col("refunded_at"), day))
        .join(skus, on=["order_id", "line_id"], how="left")
        .select(
            return_id=pl.format(
                "{}:{}:{}", pl.col("order_id"), pl.col("refund_id"), pl.col("refund_line_id")
            ),
            order_id="order_id",
            channel="channel",
            returned_at="refunded_at",
            location_id=pl.lit(None, dtype=pl.String),
            sku=pl.coalesce("sku", "_line_sku"),
            quantity="quantity",
            condition=pl.lit("unknown"),
            refund_amount="refund_amount",
            tax_refund="tax_refund",
            restock_type="restock_type",
            currency="currency",
            source="source",
            landed_file="landed_file",
            locator="locator",
        )
        .sort("return_id")
    )


def _quarantine(rejected: pl.DataFrame, source: str) -> pl.DataFrame:
    """One row per rejected order record (and per Amazon items document)."""
    if rejected.is_empty():
        return contract("ops.quarantine").empty()
    excerpt = pl.format(
        "order {} version {} total {} {}",
        pl.col("source_order_id"),
        pl.col("version_at").dt.to_string("%Y-%m-%dT%H:%M:%SZ"),
        pl.col("total"),
        pl.col("currency"),
    )
    records = rejected.select("landed_file", "locator", "error_code", "error", excerpt=excerpt)
    lines_docs = rejected.filter(
        (pl.col("lines_landed_file") != pl.col("landed_file"))
        | (pl.col("lines_locator") != pl.col("locator"))
    ).select(
        landed_file="lines_landed_file",
        locator="lines_locator",
        error_code="error_code",
        error=pl.format("the order's header was rejected: {}", pl.col("error")),
        excerpt=excerpt,
    )
    both = pl.concat([records, lines_docs.drop_nulls("landed_file")])
    return pl.concat(
        [
            quarantine_rows(group, source=source, landed_file=landed_file, stage="conform")
            for (landed_file,), group in both.group_by("landed_file", maintain_order=True)
        ]
    )
