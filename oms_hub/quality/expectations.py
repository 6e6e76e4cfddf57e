"""great-expectations suites for the published marts, run inside Dagster asset checks.

GE 1.x is used directly (``dagster-ge`` is stale): an ephemeral context, a pandas data
source over the frame under test, and one suite per published table. The result is
reduced to plain numbers and the failing expectations with a sample of bad values, so
the asset check can show them as metadata.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from typing import Any

import polars as pl

from oms_hub.home import Home
from oms_hub.quality.contracts import CHANNELS

DOCS_SITE = "oms_hub"

os.environ.setdefault("GX_ANALYTICS_ENABLED", "false")


@dataclass(frozen=True)
class SuiteOutcome:
    """What a suite run found."""

    success: bool
    evaluated: int
    failed: int
    failures: list[dict[str, Any]] = field(default_factory=list)


def _channel_sales_expectations(gx: Any) -> list[Any]:
    e = gx.expectations
    return [
        e.ExpectTableRowCountToBeBetween(min_value=1),
        *[
            e.ExpectColumnValuesToNotBeNull(column=c)
            for c in ("day", "channel", "currency", "orders", "units", "gross_sales", "net_sales")
        ],
        e.ExpectColumnValuesToBeInSet(column="channel", value_set=list(CHANNELS)),
        e.ExpectColumnValuesToMatchRegex(column="currency", regex=r"^[A-Z]{3}$"),
        e.ExpectCompoundColumnsToBeUnique(column_list=["day", "channel", "currency"]),
        *[
            e.ExpectColumnValuesToBeBetween(column=c, min_value=0)
            for c in ("orders", "units", "gross_sales", "discounts", "returns")
        ],
        # Discounts can never exceed what was sold.
        e.ExpectColumnPairValuesAToBeGreaterThanB(
            column_A="gross_sales", column_B="discounts", or_equal=True
        ),
    ]


SUITES = {"marts.rpt_channel_sales_daily": _channel_sales_expectations}


def run_suite(table: str, frame: pl.DataFrame, *, home: Home | None = None) -> SuiteOutcome:
    """Validate a frame against the suite of a published table.

    With a ``home``, GE keeps its project in ``state/gx`` and every validation is added to
    the Data Docs site in ``reports/data_docs/`` (``index.html`` lists the suites and the
    history of runs); without one, an ephemeral context validates and keeps nothing.
    """
    import great_expectations as gx  # heavy import, only when a check runs

    context = (
        gx.get_context(mode="file", project_root_dir=str(home.state))
        if home
        else gx.get_context(mode="ephemeral")
    )
    context.variables.progress_bars = gx.data_context.types.base.ProgressBarsConfig(globally=False)
    source = context.data_sources.add_or_update_pandas("oms_hub")
    asset = source.add_dataframe_asset(table)
    batch_definition = asset.add_batch_definition_whole_dataframe("all")
    suite = gx.ExpectationSuite(name=table)
    for expectation in SUITES[table](gx):
        suite.add_expectation(expectation)
    suite = context.suites.add_or_update(suite)
    # GE compares numbers; exact Decimals become floats only for this comparison.
    pdf = frame.with_columns(pl.col(pl.Decimal).cast(pl.Float64)).to_pandas()
    if home:
        result = _validate_with_docs(gx, context, home, table, batch_definition, suite, pdf)
    else:
        result = gx_validate(batch_definition, suite, pdf)
    failures = [
        {
            "expectation": r.expectation_config.type,
            "kwargs": {k: v for k, v in r.expectation_config.kwargs.items() if k != "batch_id"},
            "unexpected_count": r.result.get("unexpected_count"),
            "sample": [str(v) for v in (r.result.get("partial_unexpected_list") or [])[:5]],
        }
        for r in result.results
        if not r.success
    ]
    return SuiteOutcome(
        success=bool(result.success),
        evaluated=int(result.statistics["evaluated_expectations"]),
        failed=int(result.statistics["unsuccessful_expectations"]),
        failures=failures,
    )


def _validate_with_docs(
    gx: Any, context: Any, home: Home, table: str, batch_definition: Any, suite: Any, pdf: Any
) -> Any:
    """Run a checkpoint that records the result and updates the Data Docs site."""
    if DOCS_SITE not in context.get_site_names():
        context.add_data_docs_site(
            site_name=DOCS_SITE,
            site_config={
                "class_name": "SiteBuilder",
                "store_backend": {
                    "class_name": "TupleFilesystemStoreBackend",
                    "base_directory": str(home.reports / "data_docs"),
                },
                "site_index_builder": {"class_name": "DefaultSiteIndexBuilder"},
            },
        )
    definition = context.validation_definitions.add_or_update(
        gx.ValidationDefinition(name=table, data=batch_definition, suite=suite)
    )
    checkpoint = context.checkpoints.add_or_update(
        gx.Checkpoint(
            name=table,
            validation_definitions=[definition],
            actions=[gx.checkpoint.UpdateDataDocsAction(name="data_docs", site_names=[DOCS_SITE])],
        )
    )
    run = checkpoint.run(batch_parameters={"dataframe": pdf})
    return next(iter(run.run_results.values()))


def gx_validate(batch_definition: Any, suite: Any, pdf: Any) -> Any:
    """Validate one pandas frame (kept separate so the GE call is easy to find)."""
    return batch_definition.get_batch(batch_parameters={"dataframe": pdf}).validate(suite)
