"""Accounting periods (calendar months): which are closed, and where a late event posts.

Closing a month is recorded in ``state/finance/periods.yaml`` with the time it was
closed. A journal entry is dated on its event's day while that month is open; an event
that arrives after its month was closed posts on the first day of the first open month
after it (and says so: ``late_posting``), so a closed month's books never change.
"""

from __future__ import annotations

import datetime
import os
import re
from pathlib import Path

import polars as pl
import yaml

from oms_hub.home import Home

PERIOD = re.compile(r"^\d{4}-(0[1-9]|1[0-2])$")


def periods_file(home: Home) -> Path:
    """Where a home records its closed periods."""
    return home.state / "finance" / "periods.yaml"


def closed_periods(home: Home) -> dict[str, str]:
    """Closed period ('YYYY-MM') -> when it was closed (ISO UTC); empty if none."""
    path = periods_file(home)
    if not path.exists():
        return {}
    raw = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    closed = raw.get("closed") or []
    out: dict[str, str] = {}
    for i, row in enumerate(closed):
        period = str(row.get("period", "")) if isinstance(row, dict) else ""
        if not PERIOD.match(period):
            raise ValueError(f"{path.name}: closed[{i}].period: expected 'YYYY-MM', got {period!r}")
        out[period] = str(row.get("closed_at", ""))
    return out


def close_period(home: Home, period: str, *, at: datetime.datetime | None = None) -> bool:
    """Record ``period`` as closed (atomic rewrite). False if it already was."""
    if not PERIOD.match(period):
        raise ValueError(f"period must be 'YYYY-MM', got {period!r}")
    closed = closed_periods(home)
    if period in closed:
        return False
    at = at or datetime.datetime.now(datetime.UTC)
    closed[period] = at.astimezone(datetime.UTC).isoformat(timespec="seconds")
    path = periods_file(home)
    path.parent.mkdir(parents=True, exist_ok=True)
    body = {"closed": [{"period": p, "closed_at": closed[p]} for p in sorted(closed)]}
    tmp = path.with_suffix(".tmp")
    tmp.write_text(yaml.safe_dump(body, sort_keys=False), encoding="utf-8")
    os.replace(tmp, path)
    return True


def _next_month(day: datetime.date) -> datetime.date:
    return (day.replace(day=28) + datetime.timedelta(days=4)).replace(day=1)


def posting_dates(days: pl.Series, closed: set[str]) -> pl.DataFrame:
    """Map each event day to its posting day: itself if its month is open, else the
    first day of the first open month after it. Works per distinct month (few), not row."""
    months = sorted({d.replace(day=1) for d in days.drop_nulls().unique().to_list()})
    first_open: dict[datetime.date, datetime.date | None] = {}
    for month in months:
        probe = month
        while probe.strftime("%Y-%m") in closed:
            probe = _next_month(probe)
        first_open[month] = None if probe == month else probe
    frame = pl.DataFrame({"occurred_on": days.unique()}, schema={"occurred_on": pl.Date})
    moved = pl.DataFrame(
        {"month": list(first_open), "moved_to": list(first_open.values())},
        schema={"month": pl.Date, "moved_to": pl.Date},
    )
    return (
        frame.with_columns(month=pl.col("occurred_on").dt.truncate("1mo"))
        .join(moved, on="month", how="left")
        .select(
            "occurred_on",
            posted_on=pl.coalesce("moved_to", "occurred_on"),
            late_posting=pl.col("moved_to").is_not_null(),
        )
    )
