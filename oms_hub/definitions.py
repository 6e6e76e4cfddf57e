"""The Dagster code location: assembles per-domain definitions, nothing else."""

import dagster as dg

from oms_hub.assets import (
    automation,
    catalog,
    customers,
    edi,
    fetch,
    finance,
    inventory,
    landing,
    orders,
    reports,
    staging,
    warehouse,
)
from oms_hub.assets.resources import HubHome

defs = dg.Definitions.merge(
    fetch.defs,
    landing.defs,
    catalog.defs,
    staging.defs,
    orders.defs,
    inventory.defs,
    customers.defs,
    finance.defs,
    reports.defs,
    warehouse.defs,
    edi.defs,
    automation.defs,
    dg.Definitions(resources={"hub": HubHome()}),
)
