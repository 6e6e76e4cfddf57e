"""Jobs and schedules."""

import dagster as dg

from oms_hub.assets.partitions import daily

#: Everything: land, parse, conform, report, audit, publish.
daily_pipeline = dg.define_asset_job(
    "daily_pipeline",
    selection=dg.AssetSelection.all(),
    partitions_def=daily,
    description="Scan landing, parse new files, rebuild the day's core tables and marts, "
    "audit and publish the catalog.",
)

#: Runs yesterday's partition at 02:00 UTC, after stores' end-of-day exports land.
daily_schedule = dg.build_schedule_from_partitioned_job(
    daily_pipeline, hour_of_day=2, minute_of_hour=0
)

defs = dg.Definitions(jobs=[daily_pipeline], schedules=[daily_schedule])
