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

from oms_hub.quality.contracts import CHANNELS

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


def run_suite(table: str, frame: pl.DataFrame) -> SuiteOutcome:
    """Validate a frame against the suite of a published table."""
    import great_expectations as gx  # heavy import, only when a check runs

    context = gx.get_context(mode="ephemeral")
    context.variables.progress_bars = gx.data_context.types.base.ProgressBarsConfig(globally=False)
    source = context.data_sources.add_pandas("oms_hub")
    batch_definition = source.add_dataframe_asset(table).add_batch_definition_whole_dataframe("all")
    suite = context.suites.add(gx.ExpectationSuite(name=table))
    for expectation in SUITES[table](gx):
        suite.add_expectation(expectation)
    # GE compares numbers; exact Decimals become floats only for this comparison.
    pdf = frame.with_columns(pl.col(pl.Decimal).cast(pl.Float64)).to_pandas()
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


def gx_validate(batch_definition: Any, suite: Any, pdf: Any) -> Any:
    """Validate one pandas frame (kept separate so the GE call is easy to find)."""
    return batch_definition.get_batch(batch_parameters={"dataframe": pdf}).validate(suite)
