"""Storage: the landing manifest, the Parquet lake and the DuckDB catalog."""

from oms_hub.storage.catalog import publish_catalog
from oms_hub.storage.lake import Lake
from oms_hub.storage.manifest import LandedFile, LandingManifest

__all__ = ["Lake", "LandedFile", "LandingManifest", "publish_catalog"]
