"""Warehouse: the load audit and the analysts' DuckDB catalog."""

import dagster as dg

from oms_hub.assets._meta import to_metadata
from oms_hub.assets.orders import _check
from oms_hub.assets.partitions import DUCKDB_POOL
from oms_hub.assets.resources import HubHome
from oms_hub.quality.checks import load_audit_balanced
from oms_hub.steps.audit import build_load_audit
from oms_hub.storage.catalog import publish_catalog
from oms_hub.storage.lake import Lake

PUBLISHED = [
    ["ops", "landed_files"],
    ["core", "products"],
    ["core", "locations"],
    ["core", "orders"],
    ["core", "order_lines"],
    ["core", "returns"],
    ["marts", "rpt_channel_sales_daily"],
    ["core", "inventory_movements"],
    ["core", "inventory_counts"],
    ["core", "inventory_discrepancies"],
    ["core", "return_checks"],
    ["core", "allocations"],
    ["core", "inventory_positions"],
    ["marts", "rpt_reorder"],
    ["marts", "rpt_sell_through"],
    ["core", "customers"],
    ["core", "customer_xref"],
    ["core", "customer_key_events"],
    ["marts", "customer_360"],
    ["finance", "gl_journal"],
    ["finance", "trial_balance"],
    ["finance", "periods"],
    ["finance", "settlements"],
    ["finance", "payment_reconciliation"],
    ["finance", "ar_invoices"],
    ["finance", "ar_receipts"],
    ["finance", "ar_aging"],
]


@dg.asset(
    key=["ops", "load_audit"],
    deps=[
        ["core", "order_lines"],
        ["core", "returns"],
        ["core", "products"],
        ["core", "locations"],
        ["edi", "inventory_advice"],
        ["core", "inventory_movements"],
        ["core", "inventory_counts"],
        ["finance", "settlements"],
        ["finance", "ar_receipts"],
        ["core", "customer_xref"],
    ],
    group_name="warehouse",
    kinds={"parquet"},
    description="Per parsed file: records = loaded + quarantined + superseded + pending.",
)
def load_audit(hub: HubHome) -> dg.MaterializeResult:
    """Account for every landed record."""
    return dg.MaterializeResult(metadata=to_metadata(build_load_audit(hub.home())))


@dg.asset_check(
    asset=["ops", "load_audit"], blocking=True, description="No landed record is unaccounted for."
)
def every_record_accounted(hub: HubHome) -> dg.AssetCheckResult:
    """records = loaded + quarantined + superseded + pending, file by file."""
    return _check(load_audit_balanced(Lake(hub.home())))


@dg.asset(
    key=["warehouse", "oms_duckdb"],
    deps=[*PUBLISHED, ["ops", "load_audit"]],
    group_name="warehouse",
    kinds={"duckdb"},
    pool=DUCKDB_POOL,
    description="oms.duckdb: views over the lake with column comments; rebuilt in a temp "
    "file and swapped in, so read-only analysts are never blocked.",
)
def oms_duckdb(hub: HubHome) -> dg.MaterializeResult:
    """Publish the catalog (the only DuckDB writer)."""
    published = publish_catalog(hub.home())
    return dg.MaterializeResult(
        metadata={"tables": dg.MetadataValue.json(published), "path": str(hub.home().catalog)}
    )


defs = dg.Definitions(assets=[load_audit, oms_duckdb], asset_checks=[every_record_accounted])
