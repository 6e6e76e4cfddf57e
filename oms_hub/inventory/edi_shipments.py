"""EDI 945 warehouse shipping advice -> shipped lines per order x SKU x warehouse.

The 3PL that runs our distribution centres reports every shipment it made with an X12
945 (W06: our order id as the depositor order number, ship date, shipment id; N1*SF: the
warehouse it left from; G62*11: ship date and time; W12: units shipped per item; W03:
total units). Why a 945 and not an 856: the 856 is the *seller's* advance ship notice to
the buyer (hierarchical HL loops of shipment/order/pack/item), while the 945 is what a
warehouse sends its depositor to confirm it shipped a warehouse order, with shipped
quantities per line; that is exactly what the stock ledger and the invoice need.

A staged stream, not a canonical table: ``lake/staging/edi/shipments/``, one row per
shipped line, rebuilt from the latest version of every 945 (``version_key`` is sender +
shipment id, so a corrected 945 replaces the first). The inventory domain turns the rows
into ``sale`` movements out of the warehouse; finance dates invoices by them.

A 945 is accepted or rejected whole (a shipment with one wrong line is a wrong
shipment): ``unknown_partner`` (sender not a trading partner), ``unknown_location``
(ship-from warehouse not mapped), ``unknown_order`` (no live EDI order with that id),
``unknown_sku`` (an item no identifier resolves), ``bad_quantity`` (fractional units),
``sku_not_on_order`` (the item is not on the order) and ``over_shipped`` (units shipped
for an item, with the earlier accepted shipments of the order, exceed what was ordered).
Several 945s per order (partial shipments) are normal.
"""

from __future__ import annotations

import polars as pl

from oms_hub.connectors.common.result import quarantine_rows
from oms_hub.connectors.edi.partners import Partners
from oms_hub.orders.edi_conform import resolve_items
from oms_hub.quality.contracts import contract

SHIPMENT_SCHEMA = pl.Schema(
    {
        "shipment_id": pl.String,
        "order_id": pl.String,
        "line_number": pl.Int32,
        "sku": pl.String,
        "location_id": pl.String,
        "shipped_at": pl.Datetime("us", "UTC"),
        "quantity": pl.Int64,
        "partner_id": pl.String,
        "partner_warehouse_id": pl.String,
        "carrier": pl.String,
        "source": pl.String,
        "landed_file": pl.String,
        "locator": pl.String,
        "version_key": pl.String,
    }
)

_DOC_KEYS = ["landed_file", "locator"]


def _shipment_id(references: pl.Expr) -> pl.Expr:
    return (
        references.list.eval(
            pl.when(pl.element().struct.field("qualifier") == "SI").then(
                pl.element().struct.field("value")
            )
        )
        .list.drop_nulls()
        .list.first()
    )


def edi_shipments(
    staged: pl.DataFrame,
    orders: pl.DataFrame,
    lines: pl.DataFrame,
    products: pl.DataFrame,
    partners: Partners,
) -> tuple[pl.DataFrame, pl.DataFrame]:
    """(shipped lines, quarantine rows) from the winning staged 945 documents.

    ``orders`` / ``lines`` are ``core.orders`` / ``core.order_lines`` (any channel; only
    live EDI orders can be shipped by a 945).
    """
    live = orders.filter((pl.col("channel") == "edi") & (pl.col("status") != "cancelled"))
    docs = (
        staged.filter(pl.col("document_type") == "945")
        .with_columns(
            shipment_id=_shipment_id(pl.col("references")), order_id=pl.col("document_number")
        )
        .pipe(partners.locate_senders)
        .join(
            live.select("order_id", _live=pl.lit(True)),
            on="order_id",
            how="left",
        )
    )
    doc_error = (
        pl.when(pl.col("partner_id").is_null())
        .then(
            pl.struct(
                code=pl.lit("unknown_partner"),
                text=pl.format(
                    "sender '{}' is not a configured trading partner", pl.col("sender_id")
                ),
            )
        )
        .when(pl.col("location_id").is_null())
        .then(
            pl.struct(
                code=pl.lit("unknown_location"),
                text=pl.format(
                    "ship-from warehouse '{}' of partner {} is not mapped to a location",
                    pl.col("warehouse_id").fill_null("(none)"),
                    pl.col("sender_id"),
                ),
            )
        )
        .when(pl.col("_live").is_null())
        .then(
            pl.struct(
                code=pl.lit("unknown_order"),
                text=pl.format(
                    "945 {} ships order '{}', which is not a live EDI order",
                    pl.col("shipment_id"),
                    pl.col("order_id"),
                ),
            )
        )
    )
    docs = docs.with_columns(_err=doc_error)
    items = (
        docs.select(
            *_DOC_KEYS,
            "source",
            "version_key",
            "shipment_id",
            "order_id",
            "location_id",
            "sender_id",
            "warehouse_id",
            "carrier",
            "document_at",
            "lines",
            "_err",
        )
        .explode("lines")
        .unnest("lines")
        .filter(pl.col("line_number").is_not_null())
        .with_columns(partner_id=pl.col("sender_id"))
    )
    items = resolve_items(items, products, partners)
    ordered = (
        lines.join(live.select("order_id"), on="order_id", how="semi")
        .group_by("order_id", "sku")
        .agg(_ordered=pl.col("quantity").sum().cast(pl.Int64))
    )
    whole = pl.col("quantity") == pl.col("quantity").floor()
    items = items.join(ordered, on=["order_id", "sku"], how="left").with_columns(
        _line_err=pl.when(pl.col("sku").is_null())
        .then(
            pl.struct(
                code=pl.lit("unknown_sku"),
                text=pl.format(
                    "W12 line {}: no SKU for item {}",
                    pl.col("line_number"),
                    pl.col("item_identifiers").fill_null("(no identifiers)"),
                ),
            )
        )
        .when(~whole)
        .then(
            pl.struct(
                code=pl.lit("bad_quantity"),
                text=pl.format(
                    "W12 line {}: {} units is not a whole number",
                    pl.col("line_number"),
                    pl.col("quantity"),
                ),
            )
        )
        .when(pl.col("_err").is_null() & pl.col("_ordered").is_null())
        .then(
            pl.struct(
                code=pl.lit("sku_not_on_order"),
                text=pl.format(
                    "W12 line {}: {} is not on order {}",
                    pl.col("line_number"),
                    pl.col("sku"),
                    pl.col("order_id"),
                ),
            )
        )
    )
    # Over-shipment: running units per order x SKU over the otherwise valid shipments in
    # ship order; a shipment that takes the total above what was ordered is rejected.
    bad_doc = (pl.col("_err").is_not_null() | pl.col("_line_err").is_not_null().any()).over(
        _DOC_KEYS
    )
    items = items.with_columns(_bad=bad_doc)
    valid = (
        items.filter(~pl.col("_bad"))
        .group_by("order_id", "sku", "shipment_id", *_DOC_KEYS, "document_at")
        .agg(_units=pl.col("quantity").sum().cast(pl.Int64), _ordered=pl.col("_ordered").first())
        .sort("document_at", "shipment_id", *_DOC_KEYS)
        .with_columns(_running=pl.col("_units").cum_sum().over("order_id", "sku"))
        .filter(pl.col("_running") > pl.col("_ordered"))
        .select(
            *_DOC_KEYS,
            _over=pl.format(
                "{} units of {} shipped by {} bring order {} to {}, {} were ordered",
                pl.col("_units"),
                pl.col("sku"),
                pl.col("shipment_id"),
                pl.col("order_id"),
                pl.col("_running"),
                pl.col("_ordered"),
            ),
        )
        .group_by(_DOC_KEYS)
        .agg(_over=pl.col("_over").str.join("; "))
    )
    items = items.join(valid, on=_DOC_KEYS, how="left")
    rejected = (
        items.filter(pl.col("_bad") | pl.col("_over").is_not_null())
        .group_by(_DOC_KEYS, maintain_order=True)
        .agg(
            error_code=pl.coalesce(
                pl.col("_err").struct.field("code").first(),
                pl.col("_line_err").struct.field("code").drop_nulls().first(),
                pl.lit("over_shipped"),
            ),
            # (a shipment with line errors is never checked for over-shipment)
            error=pl.coalesce(
                pl.col("_err").struct.field("text").first(),
                pl.col("_over").first(),
                pl.col("_line_err").struct.field("text").drop_nulls().str.join("; "),
            ),
            excerpt=pl.format(
                "945 {} for {}", pl.col("shipment_id").first(), pl.col("order_id").first()
            ),
        )
    )
    # A 945 with no W12 line at all never gets here: the parser rejects it.
    good = items.filter(~pl.col("_bad") & pl.col("_over").is_null()).select(
        "shipment_id",
        "order_id",
        "line_number",
        "sku",
        "location_id",
        shipped_at="document_at",
        quantity=pl.col("quantity").cast(pl.Int64),
        partner_id="sender_id",
        partner_warehouse_id="warehouse_id",
        carrier="carrier",
        source="source",
        landed_file="landed_file",
        locator="locator",
        version_key="version_key",
    )
    parts = [
        quarantine_rows(group, source="edi", landed_file=lf, stage="conform")
        for (lf,), group in rejected.group_by("landed_file", maintain_order=True)
    ]
    quarantine = pl.concat(parts) if parts else contract("ops.quarantine").empty()
    shipped = good.cast(dict(SHIPMENT_SCHEMA)).sort("shipped_at", "shipment_id", "line_number")
    return shipped, quarantine
