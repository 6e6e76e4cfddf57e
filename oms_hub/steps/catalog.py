"""Step: stage catalog files and publish core.products and core.locations."""

from __future__ import annotations

from typing import Any

import polars as pl

from oms_hub.home import Home
from oms_hub.orders.versions import mark_latest
from oms_hub.quality.contracts import contract
from oms_hub.sources import CATALOG_LOCATIONS, CATALOG_PRODUCTS
from oms_hub.steps.staging import StagedSource, stage_new_files, staged_rows
from oms_hub.storage.lake import Lake
from oms_hub.storage.manifest import LandingManifest


def file_order(home: Home) -> pl.LazyFrame:
    """landed_file -> landed_at, the order in which versions supersede each other."""
    return LandingManifest(home).frame().lazy().select("landed_file", "landed_at")


def _latest(home: Home, spec: StagedSource, table: str, key: str) -> pl.DataFrame:
    rows = staged_rows(home, spec)
    if rows is None:
        return contract(table).empty()
    latest = mark_latest(rows, file_order(home)).filter(pl.col("is_latest")).sort(key).collect()
    return contract(table).conform(latest)


def build_catalog(home: Home) -> dict[str, Any]:
    """Parse new catalog files; write the latest version of every product and location."""
    staged = [stage_new_files(home, spec) for spec in (CATALOG_PRODUCTS, CATALOG_LOCATIONS)]
    lake = Lake(home)
    products = _latest(home, CATALOG_PRODUCTS, "core.products", "sku")
    locations = _latest(home, CATALOG_LOCATIONS, "core.locations", "location_id")
    lake.write("core.products", products)
    lake.write("core.locations", locations)
    return {
        "products": products.height,
        "locations": locations.height,
        "stores": locations.filter(pl.col("kind") == "store").height,
        "rejected": sum(s["rejected"] for s in staged),
        "files_parsed": sum(s["files_parsed"] for s in staged),
    }
