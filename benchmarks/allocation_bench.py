"""Allocation engine throughput: N open lines across L locations, one run.

    PYTHONPATH=. .venv/bin/python benchmarks/allocation_bench.py --lines 1000000 --locations 50

Synthetic inputs (seeded): L locations spread over the continental US (a fifth of them
warehouses), 5,000 SKUs with random stock per location, lines with random ship-to
points and order times over 30 days across the two rule sets of the default rules
(warehouse-first until 30 September, stores-first from 1 October). Prints rows/s and the
status mix. Nothing is written to disk.
"""

from __future__ import annotations

import argparse
import datetime as dt
import resource
import time

import numpy as np
import polars as pl

from oms_hub.allocation.engine import allocate
from oms_hub.allocation.rules import load_rules


def synthetic(lines: int, locations: int, skus: int = 5_000, seed: int = 1):
    rng = np.random.default_rng(seed)
    n_dc = max(1, locations // 5)
    locs = pl.DataFrame(
        {
            "location_id": [f"DC-{i:02d}" for i in range(n_dc)]
            + [f"STORE-{i:03d}" for i in range(locations - n_dc)],
            "kind": ["warehouse"] * n_dc + ["store"] * (locations - n_dc),
            "lat": rng.uniform(26, 48, locations),
            "lon": rng.uniform(-123, -70, locations),
            "ships_online": rng.random(locations) < 0.8,
        }
    )
    stock = pl.DataFrame(
        {
            "sku": np.repeat([f"SKU-{i:06d}" for i in range(skus)], locations),
            "location_id": np.tile(locs["location_id"].to_numpy(), skus),
            "available": rng.poisson(
                np.tile(np.where(locs["kind"].to_numpy() == "warehouse", 400, 25), skus)
            ),
        }
    )
    start = dt.datetime(2026, 9, 15, tzinfo=dt.UTC)
    pop = 1.0 / (np.arange(skus) + 10.0)
    frame = pl.DataFrame(
        {
            "order_id": pl.int_range(lines, eager=True).cast(pl.String),
            "line_number": np.ones(lines, dtype=np.int32),
            "sku": pl.Series([f"SKU-{i:06d}" for i in range(skus)]).gather(
                rng.choice(skus, size=lines, p=pop / pop.sum())
            ),
            "quantity": rng.integers(1, 4, lines).astype(np.int32),
            "channel": np.where(rng.random(lines) < 0.7, "web", "marketplace"),
            "ordered_at": pl.Series(
                start + dt.timedelta(seconds=int(s)) for s in rng.integers(0, 30 * 86400, lines)
            ),
            "ship_to_lat": rng.uniform(26, 48, lines),
            "ship_to_lon": rng.uniform(-123, -70, lines),
            "pickup_location_id": pl.Series([None] * lines, dtype=pl.String),
        }
    )
    return frame, stock, locs


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--lines", type=int, default=1_000_000)
    parser.add_argument("--locations", type=int, default=50)
    args = parser.parse_args()
    lines, stock, locs = synthetic(args.lines, args.locations)
    rules = load_rules()
    started = time.perf_counter()
    result = allocate(lines, stock, locs, rules, as_of=dt.datetime(2026, 10, 15, tzinfo=dt.UTC))
    seconds = time.perf_counter() - started
    mix = result.group_by("status").agg(pl.col("quantity").sum(), pl.len()).sort("status")
    print(
        f"lines {args.lines:,} x locations {args.locations}: {seconds:.1f}s "
        f"({args.lines / seconds:,.0f} lines/s), {result.height:,} allocation rows"
    )
    print(mix)
    print(f"peak RSS {resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024:.0f} MB")


if __name__ == "__main__":
    main()
