"""What-if: replay a period of online lines under two rule sets and compare the outcome.

Both replays start from the same stock (the books at the start of the period, minus
safety stock) and allocate the same lines; only the rules differ. The figures:

* ``split_rate`` — share of lines shipped from more than one location;
* ``avg_ship_km`` — units-weighted mean distance from the shipping location to the
  ship-to address (pickups and unknown addresses left out);
* ``backordered_lines`` / ``backordered_units`` — what no location could ship;
* ``stockouts`` — SKU x location pairs that had stock to promise before and none after
  (available - safety stock - the largest channel threshold of the rules);
* ``store_share`` — share of shipped units that left from stores.

Until an online channel lands real lines, ``sample_lines`` makes a seeded set of online
lines from the world's catalog, stores and POS demand, so the rules can be tried out.
"""

from __future__ import annotations

import datetime as dt

import numpy as np
import polars as pl

from oms_hub.allocation.engine import LINE_COLUMNS, allocate
from oms_hub.allocation.rules import Rules

METRICS = (
    "lines",
    "units",
    "split_rate",
    "avg_ship_km",
    "backordered_lines",
    "backordered_units",
    "stockouts",
    "store_share",
)


def outcome(
    allocations: pl.DataFrame,
    stock: pl.DataFrame,
    locations: pl.DataFrame,
    *,
    held_back: int = 0,
) -> dict[str, float]:
    """The what-if figures of one replay."""
    per_line = allocations.group_by("order_id", "line_number").agg(
        pl.col("location_id").drop_nulls().n_unique().alias("sources"),
        pl.col("quantity").filter(pl.col("location_id").is_null()).sum().alias("short"),
    )
    lines = per_line.height
    placed = allocations.filter(pl.col("location_id").is_not_null())
    with_km = placed.filter(pl.col("distance_km").is_not_null())
    km = (
        (with_km["distance_km"] * with_km["quantity"]).sum() / with_km["quantity"].sum()
        if with_km.height
        else 0.0
    )
    used = placed.group_by("sku", "location_id").agg(pl.col("quantity").sum().alias("used"))
    stockouts = (
        stock.filter(pl.col("available") - held_back > 0)
        .join(used, on=["sku", "location_id"])
        .filter(pl.col("available") - pl.col("used") - held_back <= 0)
        .height
    )
    stores = placed.join(
        locations.select("location_id", "kind"), on="location_id", how="left"
    ).filter(pl.col("kind") == "store")
    shipped = placed["quantity"].sum()
    return {
        "lines": lines,
        "units": int(allocations["quantity"].sum()),
        "split_rate": round(per_line.filter(pl.col("sources") > 1).height / lines, 4)
        if lines
        else 0.0,
        "avg_ship_km": round(float(km), 1),
        "backordered_lines": per_line.filter(pl.col("short") > 0).height,
        "backordered_units": int(per_line["short"].sum()),
        "stockouts": stockouts,
        "store_share": round(stores["quantity"].sum() / shipped, 4) if shipped else 0.0,
    }


def compare(
    lines: pl.DataFrame,
    stock: pl.DataFrame,
    locations: pl.DataFrame,
    rule_sets: dict[str, Rules],
    *,
    as_of: dt.datetime,
) -> pl.DataFrame:
    """One column of figures per named rules file, side by side."""
    columns = {"metric": list(METRICS)}
    for name, rules in rule_sets.items():
        held_back = max(rules.channel_thresholds.values(), default=0)
        result = outcome(
            allocate(lines, stock, locations, rules, as_of=as_of),
            stock,
            locations,
            held_back=held_back,
        )
        columns[name] = [str(result[m]) for m in METRICS]
    return pl.DataFrame(columns)


def sample_lines(
    *,
    products: pl.DataFrame,
    locations: pl.DataFrame,
    demand: pl.DataFrame | None,
    n: int,
    first: dt.date,
    last: dt.date,
    seed: int = 7,
) -> pl.DataFrame:
    """``n`` seeded online lines: ship-to points around the stores' cities, SKUs drawn by
    store demand (``demand``: ``sku, units``) or evenly, order times over the period."""
    rng = np.random.default_rng([seed, 90])
    stores = locations.filter(pl.col("kind") == "store")
    if stores.is_empty() or products.is_empty():
        return pl.DataFrame(schema=LINE_COLUMNS)
    skus = products["sku"]
    weights = np.ones(len(skus))
    if demand is not None and demand.height:
        joined = products.select("sku").join(demand, on="sku", how="left")
        weights = joined["units"].fill_null(0).to_numpy().astype(float) + 0.5
    near = rng.integers(0, stores.height, n)
    span = max(1, ((last - first).days + 1) * 86_400)
    start = dt.datetime.combine(first, dt.time(), tzinfo=dt.UTC)
    seconds = np.sort(rng.integers(0, span, n))
    frame = pl.DataFrame(
        {
            "order_id": [f"whatif:{i:07d}" for i in range(n)],
            "line_number": np.ones(n, dtype=np.int32),
            "sku": skus.gather(rng.choice(len(skus), size=n, p=weights / weights.sum())),
            "quantity": (rng.choice(3, size=n, p=[0.75, 0.18, 0.07]) + 1).astype(np.int32),
            "channel": np.where(rng.random(n) < 0.7, "web", "marketplace"),
            "ordered_at": pl.Series(seconds * 1_000_000).cast(pl.Duration("us")) + start,
            "ship_to_lat": stores["lat"].to_numpy()[near] + rng.normal(0, 1.2, n),
            "ship_to_lon": stores["lon"].to_numpy()[near] + rng.normal(0, 1.6, n),
            "pickup_location_id": pl.Series([None] * n, dtype=pl.String),
        }
    )
    return frame.select([pl.col(c).cast(t) for c, t in LINE_COLUMNS.items()])
