"""Reports: marts and the files people open."""

import dagster as dg

from oms_hub.assets._meta import to_metadata
from oms_hub.assets.orders import _check, _window
from oms_hub.assets.partitions import daily, single_run
from oms_hub.assets.resources import HubHome
from oms_hub.quality.checks import mart_reconciles_to_core
from oms_hub.quality.expectations import run_suite
from oms_hub.steps.reports import TABLE, build_channel_sales
from oms_hub.storage.lake import Lake


@dg.asset(
    key=["marts", "rpt_channel_sales_daily"],
    deps=[["core", "order_lines"], ["core", "returns"]],
    partitions_def=daily,
    backfill_policy=single_run,
    group_name="reports",
    kinds={"parquet", "excel", "html"},
    description="Orders, units, gross, discounts, returns and net sales per UTC day and "
    "channel; also reports/channel_sales_daily.xlsx and .html.",
)
def rpt_channel_sales_daily(
    context: dg.AssetExecutionContext, hub: HubHome
) -> dg.MaterializeResult:
    """Recompute the mart for the partition's days and rewrite the report files."""
    first, last = _window(context)
    summary = build_channel_sales(hub.home(), first, last)
    return dg.MaterializeResult(
        metadata={**to_metadata(summary), "dagster/row_count": summary["rows"]}
    )


@dg.asset_check(
    asset=["marts", "rpt_channel_sales_daily"],
    blocking=True,
    description="great-expectations suite: keys, domains, non-negative amounts.",
)
def channel_sales_expectations(hub: HubHome) -> dg.AssetCheckResult:
    """Run the GE suite over the whole published mart."""
    home = hub.home()
    outcome = run_suite(TABLE, Lake(home).read(TABLE), home=home)
    return dg.AssetCheckResult(
        passed=outcome.success,
        metadata={
            "evaluated_expectations": outcome.evaluated,
            "failed_expectations": outcome.failed,
            "failures": dg.MetadataValue.json(outcome.failures),
            "data_docs": dg.MetadataValue.path(str(home.reports / "data_docs" / "index.html")),
        },
    )


@dg.asset_check(
    asset=["marts", "rpt_channel_sales_daily"],
    description="Net sales in the mart equal core lines minus refunds, to the cent.",
)
def channel_sales_reconcile(hub: HubHome) -> dg.AssetCheckResult:
    """The mart adds up to the core tables."""
    return _check(mart_reconciles_to_core(Lake(hub.home())))


defs = dg.Definitions(
    assets=[rpt_channel_sales_daily],
    asset_checks=[channel_sales_expectations, channel_sales_reconcile],
)
