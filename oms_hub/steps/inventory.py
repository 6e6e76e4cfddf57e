"""Step: the stock ledger, counts, discrepancies (and the positions after allocation)."""

from __future__ import annotations

import time
from typing import Any

import polars as pl

from oms_hub.connectors.common.result import quarantine_rows
from oms_hub.home import Home
from oms_hub.inventory.ledger import (
    LEDGER,
    build_ledger,
    return_movements,
    sale_movements,
    shipment_movements,
    stock_file_movements,
)
from oms_hub.inventory.reconcile import (
    COUNTS,
    DISCREPANCIES,
    counts_from_edi_advice,
    latest_counts,
    reconcile_counts,
)
from oms_hub.inventory.refund_checks import CHECKS, check_refunds
from oms_hub.inventory.web_shipments import (
    LOCATION_MAP_FILE,
    SHIP_FROM_FILE,
    default_shipments,
    load_location_map,
    load_ship_from,
    shopify_shipments,
)
from oms_hub.orders.versions import mark_latest
from oms_hub.quality.contracts import contract
from oms_hub.sources import INVENTORY_COUNTS, INVENTORY_MOVEMENTS, SHOPIFY
from oms_hub.steps.catalog import file_order
from oms_hub.steps.staging import StagedSource, staged_rows
from oms_hub.storage.lake import Lake, write_parquet_atomic

#: The staged EDI 846 stream (written by the EDI channel's steps, if it is installed).
EDI_ADVICE_STREAM = "edi/inventory_advice"
#: The staged EDI 945 shipment stream (idem): warehouse shipments of EDI orders.
EDI_SHIPMENT_STREAM = "edi/shipments"
#: Shopify fulfillments as shipped lines (same shape as the 945 stream), rebuilt each run.
SHOPIFY_SHIPMENT_STREAM = "shopify/shipments"
#: WooCommerce / Amazon MFN orders shipped from a configured DC (opt-in), idem.
DEFAULT_SHIPMENT_STREAM = "web/default_shipments"


def _staged(home: Home, specs: tuple[StagedSource, ...]) -> pl.LazyFrame | None:
    frames = [f for spec in specs if (f := staged_rows(home, spec)) is not None]
    return pl.concat(frames, how="diagonal_relaxed") if frames else None


def table(lake: Lake, name: str) -> pl.LazyFrame:
    """A lake table, or its empty contract shape before it was ever written."""
    return lake.scan(name) if lake.has_data(name) else contract(name).empty().lazy()


def _known(frame: pl.DataFrame, lake: Lake, what: str) -> tuple[pl.DataFrame, pl.DataFrame]:
    """Split rows whose SKU and location are in the catalog from those that are not."""
    skus = table(lake, "core.products").select("sku").collect()["sku"]
    locs = table(lake, "core.locations").select("location_id").collect()["location_id"]
    bad_sku = ~pl.col("sku").is_in(skus.implode())
    bad_loc = ~pl.col("location_id").is_in(locs.implode())
    checked = frame.with_columns(
        error_code=pl.when(bad_sku)
        .then(pl.lit("unknown_sku"))
        .when(bad_loc)
        .then(pl.lit("unknown_location")),
        error=pl.when(bad_sku)
        .then(pl.format(f"{what} names SKU '{{}}', not in core.products", pl.col("sku")))
        .when(bad_loc)
        .then(
            pl.format(f"{what} names location '{{}}', not in core.locations", pl.col("location_id"))
        ),
    )
    bad = checked.filter(pl.col("error_code").is_not_null())
    quarantine = (
        pl.concat(
            [
                quarantine_rows(
                    part.with_columns(
                        excerpt=pl.format("{} {}", pl.col("location_id"), pl.col("sku"))
                    ),
                    source="inventory",
                    landed_file=file,
                    stage="conform",
                )
                for (file,), part in bad.partition_by("landed_file", as_dict=True).items()
            ]
        )
        if bad.height
        else contract("ops.quarantine").empty()
    )
    return checked.filter(pl.col("error_code").is_null()).drop("error_code", "error"), quarantine


def stage_shopify_shipments(home: Home, order: pl.LazyFrame) -> dict[str, Any]:
    """Rebuild ``staging/shopify/shipments`` from the latest staged Shopify orders."""
    lake = Lake(home)
    rows = staged_rows(home, SHOPIFY)
    if rows is None:
        return {"shopify_shipped_lines": 0, "shopify_units_shipped": 0}
    latest = mark_latest(rows, order).filter(pl.col("is_latest")).collect()
    shipped, flagged = shopify_shipments(
        latest,
        table(lake, "core.orders").select("order_id").collect(),
        table(lake, "core.products").select("sku").collect(),
        table(lake, "core.locations").select("location_id", "name").collect(),
        load_location_map(home.root / LOCATION_MAP_FILE),
    )
    write_parquet_atomic(
        shipped, lake.root / "staging" / SHOPIFY_SHIPMENT_STREAM / "shipments.parquet"
    )
    lake.write_part("ops.quarantine", "conform/shopify_shipments", flagged)
    return {
        "shopify_shipped_lines": shipped.height,
        "shopify_units_shipped": int(shipped.get_column("quantity").sum() or 0),
        "shopify_shipments_flagged": flagged.height,
    }


def stage_default_shipments(home: Home) -> dict[str, Any]:
    """Rebuild ``staging/web/default_shipments`` (empty unless ``config/web-ship-from.yaml``
    names a DC for WooCommerce and/or Amazon seller-fulfilled orders)."""
    lake = Lake(home)
    ship_from = load_ship_from(
        home.root / SHIP_FROM_FILE,
        table(lake, "core.locations").select("location_id").collect()["location_id"],
    )
    shipped = default_shipments(
        table(lake, "core.orders")
        .select("order_id", "status", "fulfilled_by", "updated_at")
        .collect(),
        table(lake, "core.order_lines")
        .select("order_id", "line_number", "sku", "quantity", "source", "landed_file", "locator")
        .collect(),
        ship_from,
    )
    write_parquet_atomic(
        shipped, lake.root / "staging" / DEFAULT_SHIPMENT_STREAM / "shipments.parquet"
    )
    return {"default_dc_units_shipped": int(shipped.get_column("quantity").sum() or 0)}


def build_stock_ledger(home: Home) -> dict[str, Any]:
    """Rebuild core.inventory_movements, core.inventory_counts and the discrepancies."""
    started = time.perf_counter()
    lake = Lake(home)
    order = file_order(home).collect().lazy()
    parts: list[pl.LazyFrame] = []
    rejected = []
    staged_moves = _staged(home, INVENTORY_MOVEMENTS)
    if staged_moves is not None:
        moves, bad = _known(stock_file_movements(staged_moves, order).collect(), lake, "movement")
        parts.append(moves.lazy())
        rejected.append(bad)
    parts.append(sale_movements(table(lake, "core.order_lines"), table(lake, "core.orders")))
    parts.append(return_movements(table(lake, "core.returns")))
    web = {**stage_shopify_shipments(home, order), **stage_default_shipments(home)}
    for stream in (EDI_SHIPMENT_STREAM, SHOPIFY_SHIPMENT_STREAM, DEFAULT_SHIPMENT_STREAM):
        shipped = lake.root / "staging" / stream / "shipments.parquet"
        if shipped.exists():  # warehouse (EDI 945) / shop (fulfillment) shipments, checked
            parts.append(shipment_movements(pl.scan_parquet(shipped)))
    base = build_ledger(parts).collect()

    staged_counts = _staged(home, INVENTORY_COUNTS)
    counts = contract(COUNTS).empty()
    if staged_counts is not None:
        counts, bad = _known(latest_counts(staged_counts, order), lake, "count")
        rejected.append(bad)
    advice = lake.root / "staging" / EDI_ADVICE_STREAM / "advice.parquet"
    if advice.exists():  # partner stock advice (EDI 846), already mapped and checked
        counts = pl.concat([counts, counts_from_edi_advice(pl.read_parquet(advice))])
    discrepancies, corrections = reconcile_counts(counts, base.lazy())
    ledger = build_ledger([base.lazy(), corrections.lazy()]).collect()

    lake.write(LEDGER, contract(LEDGER).conform(ledger))
    lake.write(COUNTS, counts)
    lake.write(DISCREPANCIES, discrepancies)
    checks = check_refunds(table(lake, "core.returns"), table(lake, "core.order_lines"))
    lake.write(CHECKS, checks)
    quarantine = pl.concat(rejected) if rejected else contract("ops.quarantine").empty()
    lake.write_part("ops.quarantine", "conform/inventory", quarantine)
    by_kind = dict(ledger.group_by("kind").agg(pl.len()).sort("kind").iter_rows())
    causes = dict(
        discrepancies.group_by("likely_cause").agg(pl.len()).sort("likely_cause").iter_rows()
    )
    return {
        "movements": ledger.height,
        "movements_by_kind": by_kind,
        "counts": counts.height,
        "discrepancies": discrepancies.height,
        "causes": causes,
        "rejected": quarantine.height,
        "return_checks": checks.height,
        "return_flags": dict(checks.group_by("flag").agg(pl.len()).sort("flag").iter_rows()),
        **web,
        "seconds": round(time.perf_counter() - started, 3),
    }
