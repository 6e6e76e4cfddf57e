"""Staging: one asset per registered parser stream (oms_hub.sources.STAGED_SOURCES).

Catalog streams are staged by the catalog asset itself; every other stream gets an
asset ``staging/<source>_<stream>`` here, so a new source needs no Dagster code.
"""

import dagster as dg

from oms_hub.assets._meta import to_metadata
from oms_hub.assets.resources import HubHome
from oms_hub.sources import STAGED_SOURCES
from oms_hub.steps.staging import StagedSource, stage_new_files


def staging_key(stream: str) -> list[str]:
    """``pos/square_items`` -> ``["staging", "pos_square_items"]``."""
    return ["staging", stream.replace("/", "_")]


def _staging_asset(spec: StagedSource) -> dg.AssetsDefinition:
    @dg.asset(
        key=staging_key(spec.folder),
        deps=[["ops", "landed_files"]],
        group_name="staging",
        kinds={"parquet"},
        description=f"{spec.source} files ({spec.stream}, parser v{spec.version}) parsed once per "
        "content hash into batches (small ones merged); bad records to ops.quarantine with a "
        "reason, card numbers masked.",
    )
    def _stage(context: dg.AssetExecutionContext, hub: HubHome) -> dg.MaterializeResult:
        def progress(message: str, done: int, total: int) -> None:
            if done == total or done % 25 == 0:
                context.log.info(f"[{done}/{total}] {message}")

        return dg.MaterializeResult(
            metadata=to_metadata(stage_new_files(hub.home(), spec, progress))
        )

    return _stage


STAGING_ASSETS = [_staging_asset(spec) for spec in STAGED_SOURCES if spec.source != "catalog"]

defs = dg.Definitions(assets=STAGING_ASSETS)
