"""Customers: identity resolution across channels and the customer 360 mart."""

import dagster as dg

from oms_hub.assets._meta import to_metadata
from oms_hub.assets.orders import _check
from oms_hub.assets.resources import HubHome
from oms_hub.assets.staging import staging_key
from oms_hub.identity.feeds import active_feeds
from oms_hub.quality.checks import references, unique_key
from oms_hub.sources import STREAMS
from oms_hub.steps.customers import build_customer_360, build_customers
from oms_hub.storage.lake import Lake

_FEED_DEPS = [
    staging_key(name)
    for feed in active_feeds(STREAMS)
    for name in (*feed.streams, *feed.optional)
    if name in STREAMS
] + [table.split(".") for table in sorted({t for f in active_feeds(STREAMS) for t in f.tables})]


@dg.multi_asset(
    specs=[
        dg.AssetSpec(
            ["core", "customers"],
            description="Resolved customers: one golden record per person or company.",
            deps=_FEED_DEPS,
            kinds={"parquet"},
        ),
        dg.AssetSpec(
            ["core", "customer_xref"],
            description="Every source identity -> customer_key, with its match score.",
            deps=_FEED_DEPS,
            kinds={"parquet"},
        ),
        dg.AssetSpec(
            ["core", "customer_key_events"],
            description="Merges and splits of customer keys (which keys, when, why).",
            deps=_FEED_DEPS,
            kinds={"parquet"},
        ),
    ],
    group_name="customers",
)
def core_customers(hub: HubHome):
    """Resolve every channel's identities (incrementally when few changed)."""
    summary = build_customers(hub.home())
    meta = to_metadata(summary)
    rows = {"customers": summary["customers"], "customer_xref": summary["identities"]}
    for key in ("customers", "customer_xref", "customer_key_events"):
        extra = {"dagster/row_count": rows[key]} if key in rows else {}
        yield dg.MaterializeResult(asset_key=["core", key], metadata={**meta, **extra})


@dg.asset(
    key=["marts", "customer_360"],
    deps=[
        ["core", "customers"],
        ["core", "customer_xref"],
        ["core", "orders"],
        ["core", "returns"],
    ],
    group_name="customers",
    kinds={"parquet"},
    description="Per customer: orders and revenue by channel, returns, first/last order, "
    "lifetime value.",
)
def customer_360(hub: HubHome) -> dg.MaterializeResult:
    """Rebuild the customer 360 from the core tables."""
    summary = build_customer_360(hub.home())
    return dg.MaterializeResult(
        metadata={**to_metadata(summary), "dagster/row_count": summary["rows"]}
    )


@dg.asset_check(
    asset=["core", "customer_xref"],
    blocking=True,
    description="Every identity's customer_key is in core.customers.",
)
def xref_keys_exist(hub: HubHome) -> dg.AssetCheckResult:
    """No identity points at a customer that does not exist."""
    return _check(
        references(
            Lake(hub.home()), "core.customer_xref", "customer_key", "core.customers", "customer_key"
        )
    )


@dg.asset_check(
    asset=["core", "customer_xref"], description="One row per (source, source_customer_id)."
)
def xref_identities_unique(hub: HubHome) -> dg.AssetCheckResult:
    """Each source identity is resolved exactly once."""
    return _check(
        unique_key(Lake(hub.home()), "core.customer_xref", ["source", "source_customer_id"])
    )


defs = dg.Definitions(
    assets=[core_customers, customer_360],
    asset_checks=[xref_keys_exist, xref_identities_unique],
)
