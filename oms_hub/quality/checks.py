"""Table checks: one property each, pure over the lake, returning counts and samples.

The Dagster asset checks in ``oms_hub/assets`` call these; tests call them directly.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import polars as pl

from oms_hub.reports.channel_sales import sold_lines
from oms_hub.storage.lake import Lake


@dataclass(frozen=True)
class CheckOutcome:
    """Did the property hold, how many rows broke it, and a few of them."""

    passed: bool
    failing_rows: int
    sample: list[dict[str, Any]] = field(default_factory=list)
    details: dict[str, Any] = field(default_factory=dict)


def _outcome(bad: pl.DataFrame, **details: Any) -> CheckOutcome:
    return CheckOutcome(
        passed=bad.is_empty(),
        failing_rows=bad.height,
        sample=[{k: str(v) for k, v in r.items()} for r in bad.head(5).to_dicts()],
        details=details,
    )


def unique_key(lake: Lake, table: str, key: list[str]) -> CheckOutcome:
    """No two rows of the whole table (all partitions) share the key."""
    if not lake.has_data(table):
        return CheckOutcome(passed=True, failing_rows=0, details={"rows": 0})
    dupes = (
        lake.scan(table)
        .group_by(key)
        .agg(pl.len().alias("copies"))
        .filter(pl.col("copies") > 1)
        .collect()
    )
    return _outcome(dupes, rows=lake.scan(table).select(pl.len()).collect().item())


def references(
    lake: Lake, table: str, column: str, parent: str, parent_column: str
) -> CheckOutcome:
    """Every value of ``table.column`` exists in ``parent.parent_column``."""
    if not lake.has_data(table):
        return CheckOutcome(passed=True, failing_rows=0)
    parent_keys = (
        lake.scan(parent).select(pl.col(parent_column).alias(column)).unique()
        if lake.has_data(parent)
        else pl.LazyFrame(schema={column: pl.String})
    )
    orphans = (
        lake.scan(table)
        .join(parent_keys, on=column, how="anti")
        .select(column, "landed_file", "locator")
        .collect()
    )
    return _outcome(orphans)


def load_audit_balanced(lake: Lake) -> CheckOutcome:
    """For every parsed file, records = loaded + quarantined + superseded + pending."""
    audit = lake.read("ops.load_audit")
    bad = audit.filter(pl.col("unaccounted") != 0)
    return _outcome(bad, files=audit.height, records=int(audit.get_column("records").sum()))


def mart_reconciles_to_core(lake: Lake) -> CheckOutcome:
    """Total net sales in the mart equal core line totals minus refunds, to the cent."""
    mart = (
        lake.scan("marts.rpt_channel_sales_daily")
        .select(pl.col("net_sales").sum())
        .collect()
        .item()
    )
    built = lake.scan("marts.rpt_channel_sales_daily").select("day").unique()
    lines = (
        sold_lines(lake.scan("core.order_lines"), lake.scan("core.orders"))
        .with_columns(day=pl.col("ordered_at").dt.date())
        .join(built, on="day", how="semi")
        .select(pl.col("line_total").sum())
        .collect()
        .item()
    )
    refunds = (
        lake.scan("core.returns")
        .with_columns(day=pl.col("returned_at").dt.date())
        .join(built, on="day", how="semi")
        .select(pl.col("refund_amount").sum())
        .collect()
        .item()
    )
    expected = (lines or 0) - (refunds or 0)
    mart = mart or 0
    ok = mart == expected
    return CheckOutcome(
        passed=ok,
        failing_rows=0 if ok else 1,
        details={"mart_net_sales": str(mart), "core_net_sales": str(expected)},
    )
