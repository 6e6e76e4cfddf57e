"""Partition definitions, all in one place.

Order, return and mart tables are partitioned by UTC calendar day of the event. The
first day defaults to 2025-01-01 and can be moved with ``OMS_HUB_FIRST_DAY``; the last
partition is today (``end_offset=1``) so a world that ends today is covered.
"""

import os

import dagster as dg

FIRST_DAY = os.environ.get("OMS_HUB_FIRST_DAY", "2025-01-01")

daily = dg.DailyPartitionsDefinition(start_date=FIRST_DAY, end_offset=1, timezone="UTC")

#: A backfill of many days runs as one run over the whole range (cheap set-wise work).
single_run = dg.BackfillPolicy.single_run()

#: The pool every DuckDB catalog writer runs in; its limit is 1 (see dagster.yaml).
DUCKDB_POOL = "duckdb_catalog"
