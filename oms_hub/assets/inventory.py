"""Inventory: the stock ledger, counts and discrepancies; positions after allocation."""

import dagster as dg

from oms_hub.assets._meta import to_metadata
from oms_hub.assets.orders import _check
from oms_hub.assets.resources import HubHome
from oms_hub.assets.staging import staging_key
from oms_hub.quality.checks import references
from oms_hub.sources import INVENTORY_COUNTS, INVENTORY_MOVEMENTS
from oms_hub.steps.allocation import allocations_within_available, build_allocations
from oms_hub.steps.inventory import build_stock_ledger
from oms_hub.steps.merchandising import build_merchandising
from oms_hub.storage.lake import Lake

_DEPS = [
    *[staging_key(s.folder) for s in (*INVENTORY_MOVEMENTS, *INVENTORY_COUNTS)],
    ["core", "order_lines"],
    ["core", "orders"],
    ["core", "returns"],
    ["core", "products"],
    ["core", "locations"],
    ["edi", "inventory_advice"],
    ["edi", "shipments"],
]


@dg.multi_asset(
    specs=[
        dg.AssetSpec(
            ["core", "inventory_movements"],
            description="Signed stock ledger per SKU x location from every source.",
            deps=_DEPS,
            kinds={"parquet"},
        ),
        dg.AssetSpec(
            ["core", "inventory_counts"],
            description="Store counts and warehouse snapshots, latest version.",
            deps=_DEPS,
            kinds={"parquet"},
        ),
        dg.AssetSpec(
            ["core", "inventory_discrepancies"],
            description="Counts that disagree with the books, with the likely cause.",
            deps=_DEPS,
            kinds={"parquet"},
        ),
        dg.AssetSpec(
            ["core", "return_checks"],
            description="Each return against what was paid; over-refunds flagged once.",
            deps=_DEPS,
            kinds={"parquet"},
        ),
    ],
    group_name="inventory",
)
def stock_ledger(hub: HubHome):
    """Rebuild the ledger from every source, reconcile counts, post unexplained deltas."""
    summary = build_stock_ledger(hub.home())
    meta = to_metadata(summary)
    for key, rows in (
        ("inventory_movements", "movements"),
        ("inventory_counts", "counts"),
        ("inventory_discrepancies", "discrepancies"),
        ("return_checks", "return_checks"),
    ):
        yield dg.MaterializeResult(
            asset_key=["core", key], metadata={**meta, "dagster/row_count": summary[rows]}
        )


@dg.asset_check(
    asset=["core", "inventory_movements"],
    blocking=True,
    description="Every movement's SKU is in core.products.",
)
def movements_have_known_skus(hub: HubHome) -> dg.AssetCheckResult:
    """Unknown SKUs go to quarantine, not into the ledger."""
    return _check(
        references(Lake(hub.home()), "core.inventory_movements", "sku", "core.products", "sku")
    )


@dg.multi_asset(
    specs=[
        dg.AssetSpec(
            ["core", "allocations"],
            description="Which location ships each open online line, by which rule and why.",
            deps=[["core", "inventory_movements"], *_DEPS[-5:]],
            kinds={"parquet"},
        ),
        dg.AssetSpec(
            ["core", "inventory_positions"],
            description="On hand, allocated and available to promise per SKU x location.",
            deps=[["core", "inventory_movements"], ["core", "products"]],
            kinds={"parquet"},
        ),
    ],
    group_name="inventory",
)
def allocation(hub: HubHome):
    """Allocate open lines under the rules in force; publish positions with them."""
    summary = build_allocations(hub.home())
    meta = to_metadata(summary)
    yield dg.MaterializeResult(
        asset_key=["core", "allocations"],
        metadata={**meta, "dagster/row_count": summary["allocation_rows"]},
    )
    yield dg.MaterializeResult(
        asset_key=["core", "inventory_positions"],
        metadata={**meta, "dagster/row_count": summary["positions"]},
    )


@dg.asset_check(
    asset=["core", "allocations"],
    blocking=True,
    description="No location is allocated more than it has available to promise.",
)
def allocations_within_stock(hub: HubHome) -> dg.AssetCheckResult:
    """Allocated units per SKU x location <= on hand - safety stock."""
    return _check(allocations_within_available(Lake(hub.home())))


@dg.multi_asset(
    specs=[
        dg.AssetSpec(
            ["marts", "rpt_reorder"],
            description="What to reorder where; also reports/reorder.xlsx and .html.",
            deps=[["core", "inventory_positions"], ["core", "allocations"]],
            kinds={"parquet", "excel", "html"},
        ),
        dg.AssetSpec(
            ["marts", "rpt_sell_through"],
            description="Sell-through by SKU, category, channel, week and month; also "
            "reports/sell_through.xlsx and .html.",
            deps=[["core", "inventory_movements"], ["core", "order_lines"], ["core", "returns"]],
            kinds={"parquet", "excel", "html"},
        ),
    ],
    group_name="reports",
)
def merchandising(hub: HubHome):
    """Rebuild the merchandiser marts and their report files."""
    summary = build_merchandising(hub.home())
    meta = to_metadata(summary)
    yield dg.MaterializeResult(
        asset_key=["marts", "rpt_reorder"],
        metadata={**meta, "dagster/row_count": summary["reorder_rows"]},
    )
    yield dg.MaterializeResult(
        asset_key=["marts", "rpt_sell_through"],
        metadata={**meta, "dagster/row_count": summary["sell_through_rows"]},
    )


defs = dg.Definitions(
    assets=[stock_ledger, allocation, merchandising],
    asset_checks=[movements_have_known_skus, allocations_within_stock],
)
