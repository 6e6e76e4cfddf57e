"""Step: allocate the open online lines, then write the positions that include them."""

from __future__ import annotations

import os
import time
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

import polars as pl

from oms_hub.allocation.engine import ALLOCATIONS, LINE_COLUMNS, allocate
from oms_hub.allocation.rules import Rules, load_rules
from oms_hub.allocation.what_if import compare, sample_lines
from oms_hub.home import Home
from oms_hub.inventory.ledger import LEDGER
from oms_hub.inventory.positions import POSITIONS, positions_as_of
from oms_hub.quality.checks import CheckOutcome
from oms_hub.steps.inventory import table
from oms_hub.storage.lake import Lake

#: Where a home keeps its own rules (else $OMS_HUB_ALLOCATION_RULES, else the default).
RULES_FILE = Path("config") / "allocation-rules.yaml"
EPOCH = datetime(1970, 1, 1, tzinfo=UTC)


class NothingToReplay(RuntimeError):
    """The home has no warehouse to replay against."""


def rules_path(home: Home) -> Path | None:
    """The rules file in force for a home (None: the packaged default)."""
    env = os.environ.get("OMS_HUB_ALLOCATION_RULES")
    if env:
        return Path(env)
    own = home.root / RULES_FILE
    return own if own.exists() else None


def online_lines(lake: Lake, *, open_only: bool = True) -> pl.LazyFrame:
    """Non-POS order lines with the order's ship-to and pickup store (open orders only)."""
    orders = table(lake, "core.orders").filter(pl.col("channel") != "pos")
    if open_only:
        orders = orders.filter(pl.col("status") == "open")
    heads = orders.select("order_id", "ship_to_lat", "ship_to_lon", "pickup_location_id")
    lines = table(lake, "core.order_lines").join(heads, on="order_id", how="inner")
    if open_only:
        lines = _not_yet_shipped(lines, table(lake, LEDGER))
    return lines.select(list(LINE_COLUMNS))


def _not_yet_shipped(lines: pl.LazyFrame, ledger: pl.LazyFrame) -> pl.LazyFrame:
    """Open lines less what was already shipped (EDI 945 and Shopify fulfillment sales in
    the ledger: any ``sale`` with a ``shipment_id``).

    Shipped units of an order x SKU cover its lines in line order; a line fully shipped
    drops out, a partly shipped one keeps its remaining units to allocate.
    """
    shipped = (
        ledger.filter((pl.col("kind") == "sale") & pl.col("shipment_id").is_not_null())
        .group_by(pl.col("reference").alias("order_id"), "sku")
        .agg(_shipped=(-pl.col("quantity")).sum().cast(pl.Int64))
    )
    qty = pl.col("quantity").cast(pl.Int64)
    before = qty.cum_sum().over("order_id", "sku", order_by="line_number") - qty
    covered = (pl.col("_shipped").fill_null(0) - before).clip(0, None)
    covered = pl.min_horizontal(covered, qty)
    return (
        lines.join(shipped, on=["order_id", "sku"], how="left")
        .with_columns(quantity=(qty - covered).cast(pl.Int32))
        .filter(pl.col("quantity") > 0)
        .drop("_shipped")
    )


def free_stock(ledger: pl.LazyFrame, as_of: datetime, products: pl.LazyFrame) -> pl.DataFrame:
    """``sku, location_id, available`` = on hand - safety stock, before any allocation."""
    base = positions_as_of(ledger, as_of, products=products)
    return base.select(
        "sku", "location_id", (pl.col("on_hand") - pl.col("safety_stock")).alias("available")
    )


def ledger_end(ledger: pl.LazyFrame) -> datetime:
    """The last moment the ledger knows of (a deterministic 'now' for a rebuild)."""
    last = ledger.select(pl.col("moved_at").max()).collect().item()
    return last or EPOCH


def build_allocations(home: Home, rules: Rules | None = None) -> dict[str, Any]:
    """Allocate every open online line from scratch; write allocations and positions."""
    started = time.perf_counter()
    lake = Lake(home)
    rules = rules or load_rules(rules_path(home))
    ledger = table(lake, LEDGER)
    products = table(lake, "core.products")
    as_of = ledger_end(ledger)
    lines = online_lines(lake).collect()
    allocations = allocate(
        lines,
        free_stock(ledger, as_of, products),
        table(lake, "core.locations").collect(),
        rules,
        as_of=as_of,
    )
    threshold = max(rules.channel_thresholds.values(), default=0)
    positions = positions_as_of(
        ledger,
        as_of,
        products=products,
        allocations=allocations.lazy(),
        channel_threshold=threshold,
    )
    lake.write(ALLOCATIONS, allocations)
    lake.write(POSITIONS, positions)
    status = dict(allocations.group_by("status").agg(pl.len()).sort("status").iter_rows())
    return {
        "rules_version": rules.version,
        "open_lines": lines.height,
        "allocation_rows": allocations.height,
        "status": status,
        "positions": positions.height,
        "as_of": as_of.isoformat(),
        "seconds": round(time.perf_counter() - started, 3),
    }


def allocations_within_available(lake: Lake) -> CheckOutcome:
    """Check: per SKU x location, allocated units <= on hand - safety stock (ATP before)."""
    if not lake.has_data(POSITIONS):
        return CheckOutcome(passed=True, failing_rows=0)
    over = (
        lake.scan(POSITIONS)
        .filter(pl.col("allocated") > pl.col("on_hand") - pl.col("safety_stock"))
        .filter(pl.col("allocated") > 0)
        .select("sku", "location_id", "on_hand", "safety_stock", "allocated")
        .collect()
    )
    return CheckOutcome(
        passed=over.is_empty(),
        failing_rows=over.height,
        sample=over.head(5).to_dicts(),
    )


def simulate_rules(
    home: Home,
    candidate: Path,
    *,
    first: date | None = None,
    last: date | None = None,
    sample: int = 0,
    seed: int = 7,
) -> tuple[pl.DataFrame, str]:
    """Replay online lines of ``first``..``last`` under the rules in force and ``candidate``.

    Returns the side-by-side figures and a one-line note on what was replayed. With
    ``sample`` > 0, that many seeded sample lines are replayed instead of history (for a
    world with no online channel yet).
    """
    lake = Lake(home)
    in_force_path = rules_path(home)
    in_force = load_rules(in_force_path)
    other = load_rules(candidate)
    ledger = table(lake, LEDGER)
    products = table(lake, "core.products")
    locations = table(lake, "core.locations").collect()
    if locations.is_empty():
        raise NothingToReplay(f"no locations in {home.lake}: run the pipeline first (oms-hub run)")
    days = ledger.select(pl.col("moved_at").min().alias("lo"), pl.col("moved_at").max().alias("hi"))
    lo, hi = days.collect().row(0)
    first = first or (lo.date() if lo else date.today())
    last = last or (hi.date() if hi else first)
    if sample:
        demand = (
            table(lake, "core.order_lines")
            .group_by("sku")
            .agg(pl.col("quantity").sum().alias("units"))
            .collect()
        )
        lines = sample_lines(
            products=products.collect(),
            locations=locations,
            demand=demand,
            n=sample,
            first=first,
            last=last,
            seed=seed,
        )
        what = f"{lines.height:,} sample online lines (seed {seed})"
    else:
        lines = (
            online_lines(lake, open_only=False)
            .filter(pl.col("ordered_at").dt.date().is_between(first, last))
            .collect()
        )
        what = f"{lines.height:,} online lines ordered"
    start = datetime.combine(first, datetime.min.time(), tzinfo=UTC)
    stock = free_stock(ledger, start, products)
    names = {
        f"in force: {in_force.version} ({in_force_path.name if in_force_path else 'default'})": in_force,
        f"{candidate.name}: {other.version}": other,
    }
    table_ = compare(lines, stock, locations, names, as_of=start)
    note = f"{what} {first} .. {last}, stock as of {start.isoformat()}"
    return table_, note
