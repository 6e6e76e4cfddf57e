"""The Dagster code location: assembles per-domain definitions, nothing else."""

import dagster as dg

from oms_hub.assets import (
    automation,
    catalog,
    customers,
    landing,
    orders,
    reports,
    staging,
    warehouse,
)
from oms_hub.assets.resources import HubHome

defs = dg.Definitions.merge(
    landing.defs,
    catalog.defs,
    staging.defs,
    orders.defs,
    customers.defs,
    reports.defs,
    warehouse.defs,
    automation.defs,
    dg.Definitions(resources={"hub": HubHome()}),
)
