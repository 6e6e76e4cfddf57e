"""EDI 846 inventory advice -> quantities per SKU x warehouse at the advice time.

A staged stream, not a canonical table: the inventory tables (positions, counts,
discrepancies) are built by the inventory domain, which reads this stream. One row per
item quantity a warehouse partner reported (``LIN`` + ``QTY``), with the partner's
warehouse id mapped to our ``location_id`` through the trading-partner file.

An 846 is loaded as a whole; an item that resolves to no SKU does not hold the other
counts back: it is quarantined as *flagged* with the identifiers it was sent with.
A warehouse the partner file does not map, or a sender that is not a partner, rejects
the advice (every count in it would be unplaceable).
"""

from __future__ import annotations

import polars as pl

from oms_hub.connectors.common.result import quarantine_rows
from oms_hub.connectors.edi.partners import Partners
from oms_hub.orders.edi_conform import resolve_items
from oms_hub.quality.contracts import contract

ADVICE_SCHEMA = pl.Schema(
    {
        "sku": pl.String,
        "location_id": pl.String,
        "partner_id": pl.String,
        "partner_warehouse_id": pl.String,
        "advised_at": pl.Datetime("us", "UTC"),
        "quantity": pl.Decimal(18, 4),
        "quantity_qualifier": pl.String,
        "uom": pl.String,
        "document_number": pl.String,
        "source": pl.String,
        "landed_file": pl.String,
        "locator": pl.String,
        "version_key": pl.String,
    }
)


def inventory_advice(
    staged: pl.DataFrame, products: pl.DataFrame, partners: Partners
) -> tuple[pl.DataFrame, pl.DataFrame]:
    """(advice rows, quarantine rows) from the winning staged 846 documents."""
    docs = (
        staged.filter(pl.col("document_type") == "846")
        .pipe(partners.locate_senders)
        .with_columns(
            error_code=pl.when(pl.col("partner_id").is_null())
            .then(pl.lit("unknown_partner"))
            .when(pl.col("location_id").is_null())
            .then(pl.lit("unknown_location")),
            error=pl.when(pl.col("partner_id").is_null())
            .then(pl.format("sender '{}' is not a configured trading partner", pl.col("sender_id")))
            .when(pl.col("location_id").is_null())
            .then(
                pl.format(
                    "warehouse '{}' of partner {} is not mapped to a location",
                    pl.col("warehouse_id").fill_null("(none)"),
                    pl.col("sender_id"),
                )
            ),
            excerpt=pl.format("846 {} from {}", pl.col("document_number"), pl.col("sender_id")),
        )
    )
    rejected = docs.filter(pl.col("error_code").is_not_null())
    ok = docs.filter(pl.col("error_code").is_null())
    items = (
        ok.select(
            "sender_id",
            "warehouse_id",
            "location_id",
            "document_at",
            "document_number",
            "source",
            "landed_file",
            "locator",
            "version_key",
            "lines",
        )
        .explode("lines")
        .unnest("lines")
        .filter(pl.col("line_number").is_not_null())
        .with_columns(partner_id=pl.col("sender_id"))
    )
    items = resolve_items(items, products, partners)
    # An advice none of whose items resolve is rejected as a whole; otherwise flagged.
    items = items.with_columns(
        _any=pl.col("sku").is_not_null().any().over("landed_file", "locator")
    )
    unmapped = items.filter(pl.col("sku").is_null()).select(
        "landed_file",
        "locator",
        "_any",
        error_code=pl.lit("unknown_sku"),
        error=pl.format(
            "846 line {}: no SKU for item {} (count {} not loaded)",
            pl.col("line_number"),
            pl.col("item_identifiers").fill_null("(no identifiers)"),
            pl.col("quantity"),
        ),
        excerpt=pl.col("item_identifiers"),
    )
    advice = items.filter(pl.col("sku").is_not_null()).select(
        "sku",
        "location_id",
        "partner_id",
        partner_warehouse_id="warehouse_id",
        advised_at="document_at",
        quantity="quantity",
        quantity_qualifier="quantity_qualifier",
        uom="uom",
        document_number="document_number",
        source="source",
        landed_file="landed_file",
        locator="locator",
        version_key="version_key",
    )
    all_unmapped = (
        unmapped.filter(~pl.col("_any"))
        .group_by("landed_file", "locator", maintain_order=True)
        .agg(
            error_code=pl.col("error_code").first(),
            error=pl.col("error").str.join("; "),
            excerpt=pl.col("excerpt").str.join("; "),
        )
    )
    rejected = pl.concat(
        [rejected.select("landed_file", "locator", "error_code", "error", "excerpt"), all_unmapped]
    )
    parts = [
        quarantine_rows(group, source="edi", landed_file=lf, stage="conform", action=action)
        for frame, action in ((rejected, "rejected"), (unmapped.filter(pl.col("_any")), "flagged"))
        for (lf,), group in frame.group_by("landed_file", maintain_order=True)
    ]
    quarantine = pl.concat(parts) if parts else contract("ops.quarantine").empty()
    return advice.cast(dict(ADVICE_SCHEMA)).sort("landed_file", "locator", "sku"), quarantine
