"""Catalog: products and locations master data."""

import dagster as dg

from oms_hub.assets._meta import to_metadata
from oms_hub.assets.resources import HubHome
from oms_hub.steps.catalog import build_catalog


@dg.multi_asset(
    specs=[
        dg.AssetSpec(
            ["core", "products"],
            description="One row per SKU, latest catalog version.",
            deps=[["ops", "landed_files"]],
            kinds={"parquet"},
        ),
        dg.AssetSpec(
            ["core", "locations"],
            description="Stores and warehouses with coordinates.",
            deps=[["ops", "landed_files"]],
            kinds={"parquet"},
        ),
    ],
    group_name="catalog",
)
def catalog(hub: HubHome):
    """Parse new catalog CSVs and publish the latest products and locations."""
    summary = build_catalog(hub.home())
    meta = to_metadata(summary)
    yield dg.MaterializeResult(
        asset_key=["core", "products"], metadata={**meta, "dagster/row_count": summary["products"]}
    )
    yield dg.MaterializeResult(
        asset_key=["core", "locations"],
        metadata={**meta, "dagster/row_count": summary["locations"]},
    )


defs = dg.Definitions(assets=[catalog])
