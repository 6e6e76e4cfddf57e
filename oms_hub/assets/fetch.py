"""API fetchers: land new Shopify, WooCommerce and Amazon pages (no-ops when unconfigured).

Each is a thin asset over ``oms_hub.steps.fetch``; ``ops/landed_files`` depends on them,
so any run that scans landing/ fetches first. ``api_ingest`` (fetch, scan, parse) runs
every 15 minutes by default (``OMS_HUB_API_SYNC_CRON``); the daily pipeline conforms.
"""

from __future__ import annotations

import os

import dagster as dg

from oms_hub.assets._meta import to_metadata
from oms_hub.assets.resources import HubHome
from oms_hub.steps.fetch import API_SOURCES, ApiSource, fetch_api_source

FETCH_KEYS = [["landing", f"{api.source}_orders"] for api in API_SOURCES]


def _fetch_asset(api: ApiSource) -> dg.AssetsDefinition:
    @dg.asset(
        key=["landing", f"{api.source}_orders"],
        group_name="landing",
        kinds={"json"},
        description=f"New {api.source} order pages fetched from its API into "
        f"landing/{api.source}/ (incremental, resumable). Does nothing unless "
        f"{', '.join(api.variables)} are set.",
        pool=f"api_{api.source}",
    )
    def fetch(hub: HubHome) -> dg.MaterializeResult:
        return dg.MaterializeResult(metadata=to_metadata(fetch_api_source(hub.home(), api)))

    return fetch


fetch_assets = [_fetch_asset(api) for api in API_SOURCES]

api_ingest = dg.define_asset_job(
    "api_ingest",
    selection=dg.AssetSelection.assets(*FETCH_KEYS)
    | dg.AssetSelection.assets(["ops", "landed_files"])
    | dg.AssetSelection.key_prefixes(["staging"]),
    description="Fetch new API pages, register them and parse them into staging.",
)

api_ingest_schedule = dg.ScheduleDefinition(
    job=api_ingest,
    cron_schedule=os.environ.get("OMS_HUB_API_SYNC_CRON", "*/15 * * * *"),
    execution_timezone="UTC",
)

defs = dg.Definitions(assets=fetch_assets, jobs=[api_ingest], schedules=[api_ingest_schedule])
