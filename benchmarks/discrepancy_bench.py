"""Discrepancy detection scored against the world's ground truth.

    PYTHONPATH=. .venv/bin/python benchmarks/discrepancy_bench.py --orders 100000 --days 30

Generates a world (POS + stock files with injected count discrepancies and their true
causes in ``truth/inventory_discrepancies.csv``, plus EDI orders whose 3PL shipments
(X12 945) leave the DCs and whose 846 stock advice reports the DCs' books, plus web and
marketplace orders whose Shopify fulfillments leave a DC or a store), runs the
steps the Dagster assets call (land, catalog, parse, conform, EDI shipments and advice,
stock ledger), and scores ``core.inventory_discrepancies``: recall with the right cause
per cause, precision (found rows that were injected, 846 rows included), the 945s
(shipped lines equal to the world's, planted bad ones quarantined with their kind) and
the end-of-period on hand against the world's books.
"""

from __future__ import annotations

import argparse
import shutil
from pathlib import Path

import polars as pl
from stopwatch import Stopwatch
from world_truth import planted_945s_caught

from oms_hub.home import Home
from oms_hub.sources import (
    AMAZON,
    EDI_DOCUMENTS,
    INVENTORY_COUNTS,
    INVENTORY_MOVEMENTS,
    SHOPIFY,
    WOOCOMMERCE,
)
from oms_hub.steps.allocation import build_allocations
from oms_hub.steps.catalog import build_catalog
from oms_hub.steps.edi import shipments_path, stage_inventory_advice, stage_shipments
from oms_hub.steps.inventory import build_stock_ledger
from oms_hub.steps.landing import register_landed_files
from oms_hub.steps.orders import conform_orders, stage_pos, staged_days
from oms_hub.steps.staging import stage_new_files
from oms_hub.storage.lake import Lake
from oms_hub.world import generate_world

KEYS = ["sku", "location_id", "counted_at"]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--orders", type=int, default=100_000)
    parser.add_argument("--days", type=int, default=30)
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--edi-orders", type=int, default=None, help="default: orders / 100")
    parser.add_argument(
        "--api-orders", type=int, default=None, help="web + marketplace orders; default orders / 4"
    )
    parser.add_argument("--work", type=Path, default=Path("benchmarks/work/discrepancies"))
    args = parser.parse_args()
    shutil.rmtree(args.work, ignore_errors=True)
    home = Home(args.work.resolve())
    timed = Stopwatch(digits=1)

    timed(
        "generate",
        lambda: generate_world(
            home.root,
            orders=args.orders,
            days=args.days,
            seed=args.seed,
            edi_orders=args.orders // 100 if args.edi_orders is None else args.edi_orders,
            api_orders=args.orders // 4 if args.api_orders is None else args.api_orders,
        ),
    )
    timed("land", register_landed_files, home)
    timed("catalog", build_catalog, home)
    timed(
        "parse",
        lambda: (
            [stage_pos(home)]
            + [
                stage_new_files(home, s)
                for s in (
                    EDI_DOCUMENTS,
                    SHOPIFY,
                    WOOCOMMERCE,
                    AMAZON,
                    *INVENTORY_MOVEMENTS,
                    *INVENTORY_COUNTS,
                )
            ]
        ),
    )
    days = staged_days(home)
    timed("conform", conform_orders, home, days[0], days[-1])
    timed("edi advice + shipments", lambda: (stage_inventory_advice(home), stage_shipments(home)))
    summary = timed("stock ledger + reconcile", build_stock_ledger, home)
    timed("allocate + positions", build_allocations, home)

    lake = Lake(home)
    truth = pl.read_csv(home.truth / "inventory_discrepancies.csv").with_columns(
        pl.col("counted_at").str.to_datetime(time_zone="UTC")
    )
    found = lake.read("core.inventory_discrepancies")
    joined = truth.join(found, on=KEYS, how="left")
    per_cause = (
        joined.group_by("cause")
        .agg(
            pl.len().alias("injected"),
            (pl.col("likely_cause") == pl.col("cause")).sum().alias("found_right"),
        )
        .with_columns(
            (pl.col("found_right") / pl.col("injected") * 100).round(2).alias("recall_pct")
        )
        .sort("cause")
    )
    right = int(per_cause["found_right"].sum())
    precision = found.join(truth, on=KEYS, how="semi").height / max(found.height, 1)
    on_hand = pl.read_csv(home.truth / "inventory_on_hand.csv").join(
        lake.read("core.inventory_positions"), on=["sku", "location_id"], how="full", coalesce=True
    )
    print(
        f"world: {args.orders:,} orders x {args.days} days, seed {args.seed}; "
        f"{summary['movements']:,} movements, {summary['counts']:,} count rows"
    )
    print(per_cause)
    print(
        f"recall with the right cause: {right}/{truth.height} = {right / truth.height:.2%}; "
        f"precision {precision:.2%} ({found.height} found)"
    )
    print(
        f"end on hand equal to the world's books: "
        f"{(on_hand['on_hand'] == on_hand['on_hand_right']).sum()}/{on_hand.height}"
    )
    ship_truth = home.truth / "edi_shipments.csv"
    if ship_truth.exists():
        want = pl.read_csv(ship_truth).group_by("shipment_id", "sku").agg(pl.col("quantity").sum())
        got = (
            pl.read_parquet(shipments_path(home))
            .group_by("shipment_id", "sku")
            .agg(pl.col("quantity").sum())
        )
        same = want.join(got, on=["shipment_id", "sku", "quantity"], how="inner").height
        caught, planted = planted_945s_caught(home, lake)
        print(
            f"945 shipped lines equal to the world's: {same}/{want.height} "
            f"(hub has {got.height}); planted bad 945s quarantined with their kind: "
            f"{caught}/{planted}"
        )
    web = pl.read_csv(home.truth / "api_orders.csv").filter(
        (pl.col("source") == "shopify") & (pl.col("status") == "completed")
    )
    print(
        f"Shopify fulfilled units out of their locations: {summary['shopify_units_shipped']:,} "
        f"(world: {int(web['units'].sum() or 0):,} units of {web.height:,} fulfilled orders); "
        f"flagged fulfilled lines: {summary['shopify_shipments_flagged']}"
    )
    edi846 = found.filter(pl.col("count_source") == "edi_846").height
    print(f"846 advice rows found as discrepancies: {edi846}")
    print("seconds:", timed.seconds)


if __name__ == "__main__":
    main()
