"""Shopify fulfillments -> shipped lines per fulfillment x SKU x location.

A Shopify order says where its goods left from: each fulfillment names the shop
location that shipped it (GraphQL ``Order.fulfillments { location { id name } }``,
REST ``fulfillments[].location_id``) and the units of each line item it shipped. The
parsers stage those as the order row's ``shipments`` list; here they become shipped
lines in the shape of the EDI 945 stream (``SHIPMENT_SCHEMA``) so the ledger turns
them into ``sale`` movements out of that location (``shipment_id`` = fulfillment id,
reference = the order), and allocation plans only the units not yet shipped.

Shop locations map to ``core.locations`` by ``config/shopify-locations.yaml`` in the
home (``{<Shopify location id or name>: <location_id>}``, what a retailer writes
once when they set up the shop), else by the Shopify location's name equal to a
location's ``name`` or ``location_id`` (case-insensitive), so a shop whose locations
are named like the stores and DCs needs no file. A REST fulfillment carries only the
location's numeric id, so it needs the file.

Only fulfillments of orders loaded in ``core.orders`` count; a ``cancelled`` /
``error`` / ``failure`` fulfillment shipped nothing. A fulfilled line whose location
or SKU is unknown is quarantined (``flagged``: the order itself is loaded) with
``unknown_location`` / ``unknown_sku`` / ``bad_quantity`` (negative units), never
dropped in silence.
"""

from __future__ import annotations

from pathlib import Path

import polars as pl
import yaml

from oms_hub.connectors.common.json_orders import SHIPMENT
from oms_hub.connectors.common.result import quarantine_rows
from oms_hub.inventory.edi_shipments import SHIPMENT_SCHEMA
from oms_hub.quality.contracts import contract

#: Per-home mapping of Shopify locations to ours.
LOCATION_MAP_FILE = Path("config") / "shopify-locations.yaml"
_NOT_SHIPPED = ["cancelled", "error", "failure"]


def load_location_map(path: Path) -> dict[str, str]:
    """``{shopify location id or name (lower case): location_id}`` (empty when no file)."""
    if not path.exists():
        return {}
    data = yaml.safe_load(path.read_text()) or {}
    if not isinstance(data, dict):
        raise ValueError(f"{path}: expected a mapping of Shopify location -> location_id")
    return {str(k).strip().lower(): str(v) for k, v in data.items()}


def _map_frame(locations: pl.DataFrame, mapping: dict[str, str]) -> pl.DataFrame:
    """Lower-case key -> location_id: the configured file first, then names and ids."""
    by_name = pl.concat(
        [
            locations.select(
                key=pl.col("name").str.strip_chars().str.to_lowercase(), loc="location_id"
            ),
            locations.select(key=pl.col("location_id").str.to_lowercase(), loc="location_id"),
        ]
    )
    configured = pl.DataFrame(
        {"key": list(mapping), "loc": list(mapping.values())},
        schema={"key": pl.String, "loc": pl.String},
    )
    return pl.concat([configured, by_name]).unique("key", keep="first", maintain_order=True)


def shopify_shipments(
    staged: pl.DataFrame,
    orders: pl.DataFrame,
    products: pl.DataFrame,
    locations: pl.DataFrame,
    mapping: dict[str, str],
) -> tuple[pl.DataFrame, pl.DataFrame]:
    """(shipped lines, flagged quarantine rows) from the latest staged Shopify orders."""
    keys = _map_frame(locations, mapping)
    if "shipments" not in staged.columns:  # staged before fulfillments were read
        staged = staged.with_columns(shipments=pl.lit(None, dtype=pl.List(SHIPMENT)))
    rows = (
        staged.select(
            "source",
            "landed_file",
            "locator",
            "version_key",
            order_id=pl.format("{}:{}", pl.col("source"), pl.col("source_order_id")),
            s=pl.col("shipments"),
        )
        .join(orders.select("order_id"), on="order_id", how="semi")
        .explode("s")
        .filter(pl.col("s").is_not_null())
        .unnest("s")
        .filter(~pl.col("status").fill_null("success").is_in(_NOT_SHIPPED))
        .filter(pl.col("quantity") != 0)
    )
    known = locations.get_column("location_id")
    ref_key = pl.col("location_ref").str.to_lowercase()
    name_key = pl.col("location_name").str.strip_chars().str.to_lowercase()
    rows = (
        rows.join(
            keys.rename({"key": "_ref", "loc": "_by_ref"}),
            left_on=ref_key,
            right_on="_ref",
            how="left",
        )
        .join(
            keys.rename({"key": "_nm", "loc": "_by_name"}),
            left_on=name_key,
            right_on="_nm",
            how="left",
        )
        .with_columns(location_id=pl.coalesce("_by_ref", "_by_name"))
        .with_columns(
            location_id=pl.when(pl.col("location_id").is_in(known.implode())).then("location_id")
        )
    )
    skus = products.get_column("sku").implode()
    excerpt = pl.format(
        "fulfillment {} of {}: {} x {} from {}",
        pl.col("fulfillment_id"),
        pl.col("order_id"),
        pl.col("quantity"),
        pl.col("sku").fill_null("(no sku)"),
        pl.coalesce("location_name", "location_ref", pl.lit("(no location)")),
    )
    checked = rows.with_columns(
        error_code=pl.when(pl.col("location_id").is_null())
        .then(pl.lit("unknown_location"))
        .when(~pl.col("sku").is_in(skus).fill_null(False))
        .then(pl.lit("unknown_sku"))
        .when(pl.col("quantity") < 0)
        .then(pl.lit("bad_quantity")),
        error=pl.when(pl.col("location_id").is_null())
        .then(
            pl.format(
                "Shopify location '{}' ({}) is not mapped to a location; add it to {}",
                pl.col("location_name").fill_null("(no name)"),
                pl.col("location_ref").fill_null("no id"),
                pl.lit(str(LOCATION_MAP_FILE)),
            )
        )
        .when(~pl.col("sku").is_in(skus).fill_null(False))
        .then(pl.format("fulfilled SKU '{}' is not in core.products", pl.col("sku")))
        .when(pl.col("quantity") < 0)
        .then(pl.format("{} units fulfilled: a shipment cannot be negative", pl.col("quantity"))),
        excerpt=excerpt,
    )
    bad = checked.filter(pl.col("error_code").is_not_null())
    parts = [
        quarantine_rows(group, source="shopify", landed_file=lf, stage="conform", action="flagged")
        for (lf,), group in bad.group_by("landed_file", maintain_order=True)
    ]
    quarantine = pl.concat(parts) if parts else contract("ops.quarantine").empty()
    good = (
        checked.filter(pl.col("error_code").is_null())
        .group_by("fulfillment_id", "order_id", "sku", "location_id", maintain_order=True)
        .agg(
            pl.col("shipped_at").first(),
            pl.col("quantity").sum().cast(pl.Int64),
            pl.col("location_ref").first(),
            *[pl.col(c).first() for c in ("source", "landed_file", "locator", "version_key")],
        )
        .with_columns(
            line_number=pl.int_range(1, pl.len() + 1).over("fulfillment_id").cast(pl.Int32)
        )
        .select(
            shipment_id="fulfillment_id",
            order_id="order_id",
            line_number="line_number",
            sku="sku",
            location_id="location_id",
            shipped_at="shipped_at",
            quantity="quantity",
            partner_id=pl.lit("shopify"),
            partner_warehouse_id="location_ref",
            carrier=pl.lit(None, pl.String),
            source="source",
            landed_file="landed_file",
            locator="locator",
            version_key="version_key",
        )
    )
    shipped = good.cast(dict(SHIPMENT_SCHEMA)).sort("shipped_at", "shipment_id", "line_number")
    return shipped, quarantine


#: Per-home ship-from DC of the channels whose APIs name no location (opt-in).
SHIP_FROM_FILE = Path("config") / "web-ship-from.yaml"
#: Sources whose completed, merchant-fulfilled orders may ship from a configured DC.
DEFAULT_SHIP_SOURCES = ("woocommerce", "amazon")


def load_ship_from(path: Path, known: pl.Series) -> dict[str, str]:
    """``{source: location_id}`` from ``config/web-ship-from.yaml`` (empty when no file).

    A source not in ``DEFAULT_SHIP_SOURCES`` or a location not in ``core.locations`` is a
    configuration error, raised with one clear line (not a data problem to quarantine).
    """
    if not path.exists():
        return {}
    data = yaml.safe_load(path.read_text()) or {}
    if not isinstance(data, dict):
        raise ValueError(f"{path}: expected a mapping of source -> location_id")
    out = {str(k): str(v) for k, v in data.items()}
    for source, loc in out.items():
        if source not in DEFAULT_SHIP_SOURCES:
            raise ValueError(f"{path}: '{source}' is not one of {', '.join(DEFAULT_SHIP_SOURCES)}")
        if loc not in set(known.to_list()):
            raise ValueError(f"{path}: location '{loc}' for {source} is not in core.locations")
    return out


def default_shipments(
    orders: pl.DataFrame, lines: pl.DataFrame, ship_from: dict[str, str]
) -> pl.DataFrame:
    """Completed merchant-fulfilled WooCommerce / Amazon MFN orders as shipped from the
    configured DC, whole, at the order's last update (the moment it was completed).

    WooCommerce has no fulfillment location in its API and Amazon's seller-fulfilled
    orders report only that they shipped; Amazon FBA (``fulfilled_by = 'amazon'``) is
    Amazon's stock, never ours. ``shipment_id`` is ``<order_id>:shipped``.
    """
    if not ship_from:
        return pl.DataFrame(schema=SHIPMENT_SCHEMA)
    source = pl.col("order_id").str.extract(r"^([^:]+):")
    done = orders.filter(
        (pl.col("status") == "completed") & (pl.col("fulfilled_by") == "merchant")
    ).with_columns(_source=source)
    mapping = pl.DataFrame(
        {"_source": list(ship_from), "location_id": list(ship_from.values())},
        schema={"_source": pl.String, "location_id": pl.String},
    )
    done = done.join(mapping, on="_source", how="inner").select(
        "order_id", "location_id", "updated_at", "_source"
    )
    return (
        lines.join(done, on="order_id", how="inner")
        .select(
            shipment_id=pl.format("{}:shipped", pl.col("order_id")),
            order_id="order_id",
            line_number="line_number",
            sku="sku",
            location_id="location_id",
            shipped_at="updated_at",
            quantity=pl.col("quantity").cast(pl.Int64),
            partner_id=pl.col("_source"),
            partner_warehouse_id=pl.lit(None, pl.String),
            carrier=pl.lit(None, pl.String),
            source="source",
            landed_file="landed_file",
            locator="locator",
            version_key=pl.col("order_id"),
        )
        .cast(dict(SHIPMENT_SCHEMA))
        .sort("shipped_at", "shipment_id", "line_number")
    )
