"""Landing: register raw files by content hash."""

import dagster as dg

from oms_hub.assets._meta import to_metadata
from oms_hub.assets.fetch import FETCH_KEYS
from oms_hub.assets.resources import HubHome
from oms_hub.steps.landing import register_landed_files


@dg.asset(
    key=["ops", "landed_files"],
    deps=[["edi", "sftp_inbox"], *FETCH_KEYS],  # fetchers land files before the scan
    group_name="landing",
    kinds={"parquet"},
    description="Every file under landing/<source>/, registered by SHA-256 (the same bytes "
    "twice are one file). Hand-dropped files count like fetched ones.",
)
def landed_files(hub: HubHome) -> dg.MaterializeResult:
    """Scan landing/ and publish ops.landed_files."""
    return dg.MaterializeResult(metadata=to_metadata(register_landed_files(hub.home())))


defs = dg.Definitions(assets=[landed_files])
