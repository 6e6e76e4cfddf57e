"""Settlement reconciliation scored against the settlement world's ground truth.

    PYTHONPATH=. .venv/bin/python benchmarks/settlement_bench.py --payments 200000

Draws expected payments across Stripe, Shopify Payments, Amazon and PayPal with injected
amount mismatches, fee variances, missing and unexpected settlements and chargebacks
(``oms_hub.world.settlements``), parses the four native files with the hub's parsers,
reconciles, and scores each status against the truth (accuracy = rows given the true
status / truth rows; per status: recall).
"""

from __future__ import annotations

import argparse
import time

import polars as pl

from oms_hub.connectors.settlements.formats import parse_settlement_file
from oms_hub.finance.reconcile import reconcile
from oms_hub.world.settlements import settlement_world

KEYS = ["processor", "processor_ref", "kind"]


def score(truth: pl.DataFrame, found: pl.DataFrame) -> tuple[pl.DataFrame, float]:
    """Per-status recall and overall accuracy of ``found`` against ``truth``."""
    joined = truth.join(
        found.select(*KEYS, "order_ref", got="status"),
        on=[*KEYS, "order_ref"],
        how="left",
        nulls_equal=True,
    )
    per_status = (
        joined.group_by("status")
        .agg(truth=pl.len(), right=(pl.col("got") == pl.col("status")).sum())
        .with_columns(recall_pct=(pl.col("right") / pl.col("truth") * 100).round(2))
        .sort("status")
    )
    return per_status, float(per_status["right"].sum() / max(truth.height, 1))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--payments", type=int, default=200_000)
    parser.add_argument("--seed", type=int, default=7)
    args = parser.parse_args()
    timings: dict[str, float] = {}
    t = time.perf_counter()
    world = settlement_world(args.payments, seed=args.seed)
    timings["generate"] = round(time.perf_counter() - t, 2)
    t = time.perf_counter()
    results = [parse_settlement_file(payload, name) for name, payload in world.files.items()]
    staged = pl.concat([r.staged for r in results])
    timings["parse"] = round(time.perf_counter() - t, 2)
    t = time.perf_counter()
    found = reconcile(world.expected, staged)
    timings["reconcile"] = round(time.perf_counter() - t, 2)
    per_status, accuracy = score(world.truth, found)
    print(
        f"{args.payments:,} expected payments, {staged.height:,} settlement rows, seed {args.seed}"
    )
    print(per_status)
    print(f"status accuracy: {accuracy:.4%} (target >= 99%)")
    print("seconds:", timings)


if __name__ == "__main__":
    main()
