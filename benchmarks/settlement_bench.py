"""Settlement reconciliation scored against the settlement world's ground truth.

    PYTHONPATH=. .venv/bin/python benchmarks/settlement_bench.py --payments 200000
    PYTHONPATH=. .venv/bin/python benchmarks/settlement_bench.py --world 20000

Draws expected payments across Stripe, Shopify Payments, Amazon and PayPal with injected
amount mismatches, fee variances, missing and unexpected settlements and chargebacks
(``oms_hub.world.settlements``), parses the four native files with the hub's parsers,
reconciles, and scores each status against the truth (accuracy = rows given the true
status / truth rows; per status: recall).

``--world ORDERS`` instead generates a sample world with ORDERS web/marketplace orders
(``generate_world``, whose settlement files settle the web and marketplace payments
through all four processors; a small POS share), runs the real pipeline
(``run_pipeline``) into a temporary home and scores ``finance.payment_reconciliation``
against ``truth/web_settlement_truth.csv``, per status and per processor (accuracy, and
the share of injected faults found with the right status), plus how each row matched.
"""

from __future__ import annotations

import argparse
import tempfile
import time
from pathlib import Path

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


def per_processor(joined: pl.DataFrame) -> pl.DataFrame:
    """Per processor: status accuracy, and the share of injected faults given their status."""
    right = pl.col("got") == pl.col("status")
    fault = pl.col("status") != "matched"
    return (
        joined.group_by("processor")
        .agg(
            truth=pl.len(),
            accuracy_pct=(right.mean() * 100).round(2),
            faults=fault.sum(),
            faults_found_pct=(right.filter(fault).mean() * 100).round(2),
        )
        .sort("processor")
    )


def world_mode(orders: int, seed: int) -> None:
    """Generate a world, run the pipeline, score the reconciliation of its web payments."""
    import duckdb

    from oms_hub.home import Home
    from oms_hub.pipeline import run_pipeline
    from oms_hub.world import generate_world
    from oms_hub.world.web_settlements import TRUTH_FILE

    keys = ["processor", "order_ref", "kind"]
    timings: dict[str, float] = {}
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp)
        t = time.perf_counter()
        generate_world(root, orders=1_000, days=7, seed=seed, api_orders=orders, inventory=False)
        timings["generate"] = round(time.perf_counter() - t, 2)
        home = Home(root)
        t = time.perf_counter()
        report = run_pipeline(home)
        timings["pipeline"] = round(time.perf_counter() - t, 2)
        if not all(report.checks.values()):
            raise SystemExit(f"pipeline checks failed: {report.checks}")
        con = duckdb.connect(str(home.catalog), read_only=True)
        try:
            rows = con.execute(
                "select processor, order_ref, kind, status from finance.payment_reconciliation"
            ).fetchall()
            matched_by = pl.DataFrame(
                con.execute(
                    "select processor, matched_by, count(*) from finance.payment_reconciliation "
                    "group by all order by all"
                ).fetchall(),
                schema=["processor", "matched_by", "rows"],
                orient="row",
            )
        finally:
            con.close()
        truth = pl.read_csv(root / "truth" / TRUTH_FILE, infer_schema=False)
    found = pl.DataFrame(rows, schema=[*keys, "got"], orient="row")
    joined = truth.join(found, on=keys, how="left")
    per_status = (
        joined.group_by("processor", "status")
        .agg(truth=pl.len(), right=(pl.col("got") == pl.col("status")).sum())
        .with_columns(recall_pct=(pl.col("right") / pl.col("truth") * 100).round(2))
        .sort("processor", "status")
    )
    faults = joined.filter(pl.col("status") != "matched")
    accuracy = float((joined["got"] == joined["status"]).sum() / max(truth.height, 1))
    found_faults = float((faults["got"] == faults["status"]).sum() / max(faults.height, 1))
    print(
        f"world: {orders:,} web/marketplace orders, seed {seed}: {truth.height:,} truth rows, "
        f"{found.height:,} reconciliation rows"
    )
    with pl.Config(tbl_rows=60):
        print(per_status)
        print(per_processor(joined))
        print(matched_by)
    print(
        f"status accuracy: {accuracy:.4%}; injected faults found: {found_faults:.4%} "
        "(target >= 99%)"
    )
    print("seconds:", timings)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--payments", type=int, default=200_000)
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument(
        "--world",
        type=int,
        metavar="ORDERS",
        help="score a generated world with ORDERS web/marketplace orders instead",
    )
    args = parser.parse_args()
    if args.world is not None:
        world_mode(args.world, args.seed)
        return
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
    joined = world.truth.join(
        found.select(*KEYS, "order_ref", got="status"),
        on=[*KEYS, "order_ref"],
        how="left",
        nulls_equal=True,
    )
    print(
        f"{args.payments:,} expected payments, {staged.height:,} settlement rows, seed {args.seed}"
    )
    print(per_status)
    print(per_processor(joined))
    print(f"status accuracy: {accuracy:.4%} (target >= 99%)")
    print("seconds:", timings)


if __name__ == "__main__":
    main()
