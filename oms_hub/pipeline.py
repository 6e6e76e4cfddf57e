"""Run the pipeline through Dagster from the command line (or a benchmark).

The run has two phases because the day partitions worth building are only known once
the new files are parsed: first the unpartitioned ingest assets (landing scan, catalog,
staging), then one single run over the range of staged days for the partitioned
assets and everything downstream (audit, catalog publish). Both are real Dagster
materializations: with ``DAGSTER_HOME`` set they are recorded in that instance and show
up in ``dagster dev``.
"""

from __future__ import annotations

import os
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date
from typing import Any

import dagster as dg

from oms_hub.assets.partitions import daily
from oms_hub.home import Home
from oms_hub.steps.orders import staged_days

#: Everything that lands and parses files (fetchers, the landing scan, the catalog,
#: every staging stream): it runs first, unpartitioned.
INGEST = dg.AssetSelection.key_prefixes(["staging"]).upstream() | dg.AssetSelection.assets(
    ["core", "products"], ["core", "locations"]
)
QUIET = {"loggers": {"console": {"config": {"log_level": "WARNING"}}}}


class PipelineError(RuntimeError):
    """A step failed; the message names the step and the cause."""


@dataclass
class RunReport:
    """What a pipeline run did: per-asset metadata, check outcomes, days, timings."""

    days: tuple[date, date] | None = None
    assets: dict[str, dict[str, Any]] = field(default_factory=dict)
    checks: dict[str, bool] = field(default_factory=dict)
    seconds: dict[str, float] = field(default_factory=dict)


def _instance() -> dg.DagsterInstance:
    return (
        dg.DagsterInstance.get()
        if os.environ.get("DAGSTER_HOME")
        else dg.DagsterInstance.ephemeral()
    )


def _record(report: RunReport, result: dg.ExecuteInProcessResult) -> None:
    for event in result.get_asset_materialization_events():
        mat = event.event_specific_data.materialization
        report.assets[mat.asset_key.to_user_string()] = {
            k: getattr(v, "value", v) for k, v in mat.metadata.items()
        }
    for evaluation in result.get_asset_check_evaluations():
        report.checks[f"{evaluation.asset_key.to_user_string()}:{evaluation.check_name}"] = (
            evaluation.passed
        )


def _materialize(
    phase: str,
    selection: dg.AssetSelection,
    home: Home,
    report: RunReport,
    tags: dict[str, str] | None = None,
) -> None:
    from oms_hub.definitions import defs

    graph = defs.resolve_asset_graph()
    if not selection.resolve(graph):
        return
    started = time.perf_counter()
    os.environ["OMS_HUB_HOME"] = str(home.root)
    assets = list(defs.assets or [])
    checks = list(defs.asset_checks or [])
    result = dg.materialize(
        [*assets, *checks],
        selection=selection,
        resources={"hub": defs.resources["hub"]},
        instance=_instance(),
        run_config=QUIET,
        tags=tags,
        raise_on_error=False,
    )
    report.seconds[phase] = round(time.perf_counter() - started, 3)
    _record(report, result)
    if not result.success:
        failures = [
            f"{e.step_key}: {e.event_specific_data.error.message.strip().splitlines()[-1]}"
            for e in result.all_events
            if e.is_step_failure
            and e.event_specific_data
            and getattr(e.event_specific_data, "error", None)
        ]
        raise PipelineError(
            f"{phase} failed: " + ("; ".join(failures) or "see the Dagster run log")
        )


def run_pipeline(
    home: Home,
    *,
    select: str | None = None,
    first: date | None = None,
    last: date | None = None,
    say: Callable[[str], None] = lambda _: None,
) -> RunReport:
    """Materialize the pipeline (or the ``select`` subset) over what is landed.

    ``select`` is a Dagster asset selection string (e.g. ``'key:core/*'`` or
    ``'group:reports'``). ``first``/``last`` bound the days rebuilt; by default every
    day that staged data falls on.
    """
    report = RunReport()
    wanted = _selection(select)
    say("ingest: scanning landing/, parsing new files")
    _materialize("ingest", wanted & INGEST, home, report)
    days = staged_days(home)
    if not days:
        say("no staged order data: nothing to build by day")
        _materialize("publish", wanted - INGEST - _partitioned(), home, report)
        return report
    lo, hi = max(first or days[0], _first_partition()), min(last or days[-1], _last_partition())
    if lo > hi:
        raise PipelineError(
            f"no partition between {first or days[0]} and {last or days[-1]} "
            f"(partitions start {daily.start.date()}; set OMS_HUB_FIRST_DAY)"
        )
    report.days = (lo, hi)
    say(f"build: {lo} .. {hi} ({(hi - lo).days + 1} days) as one run")
    _materialize(
        "build",
        wanted - INGEST,
        home,
        report,
        tags={
            "dagster/asset_partition_range_start": lo.isoformat(),
            "dagster/asset_partition_range_end": hi.isoformat(),
        },
    )
    return report


def _selection(select: str | None) -> dg.AssetSelection:
    """Parse a selection string; one that is invalid or matches nothing is an error."""
    if not select:
        return dg.AssetSelection.all()
    from oms_hub.definitions import defs

    try:
        selection = dg.AssetSelection.from_string(select)
        matched = selection.resolve(defs.resolve_asset_graph())
    except Exception as error:  # Dagster raises several types for bad syntax
        raise PipelineError(f"invalid --select {select!r}: {error}") from None
    if not matched:
        raise PipelineError(
            f"--select {select!r} matches no asset (try 'group:reports' or 'key:core/*')"
        )
    return selection


def _partitioned() -> dg.AssetSelection:
    from oms_hub.definitions import defs

    graph = defs.resolve_asset_graph()
    return dg.AssetSelection.assets(
        *[k for k in graph.get_all_asset_keys() if graph.get(k).is_partitioned]
    )


def _first_partition() -> date:
    return daily.start.date()


def _last_partition() -> date:
    keys = daily.get_partition_keys()
    return date.fromisoformat(keys[-1])
