"""Orders: day-partitioned core orders, lines and returns from every order source."""

from datetime import date

import dagster as dg

from oms_hub.assets._meta import to_metadata
from oms_hub.assets.partitions import daily, single_run
from oms_hub.assets.resources import HubHome
from oms_hub.assets.staging import staging_key
from oms_hub.quality.checks import CheckOutcome, references, unique_key
from oms_hub.sources import ORDER_SOURCES
from oms_hub.steps.orders import conform_orders
from oms_hub.storage.lake import Lake

#: Conform reads every order source's staged streams, the catalog and the resolved
#: customers (customer_xref depends on staging only, so there is no cycle).
_CONFORM_DEPS = [
    *[staging_key(name) for source in ORDER_SOURCES for name in source.streams],
    ["core", "products"],
    ["core", "locations"],
    ["core", "customer_xref"],
]


def _window(context: dg.AssetExecutionContext) -> tuple[date, date]:
    window = context.partition_time_window
    first = window.start.date()
    last = date.fromordinal(window.end.date().toordinal() - 1)
    return first, last


@dg.multi_asset(
    specs=[
        dg.AssetSpec(
            ["core", "orders"],
            description="Orders, latest version, by UTC order day.",
            deps=_CONFORM_DEPS,
            kinds={"parquet"},
        ),
        dg.AssetSpec(
            ["core", "order_lines"],
            description="Order lines by UTC order day.",
            deps=_CONFORM_DEPS,
            kinds={"parquet"},
        ),
        dg.AssetSpec(
            ["core", "returns"],
            description="Returned / refunded lines by UTC refund day.",
            deps=_CONFORM_DEPS,
            kinds={"parquet"},
        ),
        dg.AssetSpec(
            ["core", "payments"],
            description="Payment and refund transactions by UTC processing day.",
            deps=_CONFORM_DEPS,
            kinds={"parquet"},
        ),
    ],
    partitions_def=daily,
    backfill_policy=single_run,
    group_name="orders",
)
def core_orders(context: dg.AssetExecutionContext, hub: HubHome):
    """Conform the staged rows of the partition's days into the core order tables."""
    first, last = _window(context)
    summary = conform_orders(hub.home(), first, last)
    meta = to_metadata(summary)
    for key in ("orders", "order_lines", "returns", "payments"):
        rows = key
        yield dg.MaterializeResult(
            asset_key=["core", key], metadata={**meta, "dagster/row_count": summary[rows]}
        )


def _check(outcome: CheckOutcome) -> dg.AssetCheckResult:
    return dg.AssetCheckResult(
        passed=outcome.passed,
        metadata={
            "failing_rows": outcome.failing_rows,
            "sample": dg.MetadataValue.json(outcome.sample),
            **{k: v for k, v in outcome.details.items()},
        },
    )


@dg.asset_check(asset=["core", "orders"], description="order_id is unique across every day.")
def order_ids_unique(hub: HubHome) -> dg.AssetCheckResult:
    """One row per order, whatever partitions were built."""
    return _check(unique_key(Lake(hub.home()), "core.orders", ["order_id"]))


@dg.asset_check(
    asset=["core", "order_lines"],
    blocking=True,
    description="Every line's SKU is in core.products.",
)
def lines_have_known_skus(hub: HubHome) -> dg.AssetCheckResult:
    """Unknown SKUs must have gone to quarantine, not into the lines."""
    return _check(references(Lake(hub.home()), "core.order_lines", "sku", "core.products", "sku"))


@dg.asset_check(
    asset=["core", "order_lines"],
    blocking=True,
    description="Every line belongs to an order in core.orders.",
)
def lines_have_orders(hub: HubHome) -> dg.AssetCheckResult:
    """No orphan lines."""
    return _check(
        references(Lake(hub.home()), "core.order_lines", "order_id", "core.orders", "order_id")
    )


defs = dg.Definitions(
    assets=[core_orders],
    asset_checks=[order_ids_unique, lines_have_known_skus, lines_have_orders],
)
