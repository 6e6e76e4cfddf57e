"""EDI shipments (X12 945) to invoices: throughput and exactness against the world's truth.

    PYTHONPATH=. .venv/bin/python benchmarks/edi_shipments_bench.py --edi-orders 20000

Generates a world with ``--edi-orders`` B2B purchase orders over 30 days (plus a small
POS world; the 3PL ships most EDI orders with 945s, some in parts, some not within the
window, a few planted bad ones), runs the steps the Dagster assets call (land, catalog,
parse, conform, EDI shipments, stock ledger, receivables, general ledger) and scores:

* shipped lines in ``lake/staging/edi/shipments`` equal to ``truth/edi_shipments.csv``;
* planted bad 945s quarantined with their kind (``truth/edi_shipments_injected.csv``);
* invoices: exactly the shipped orders, each dated on its first ship day
  (``shipped_from = 'shipment'``), and the ``b2b_invoice`` entry on the same day;
* one COGS ``shipment`` entry per 945, every entry balanced.
"""

from __future__ import annotations

import argparse
import datetime as dt
import shutil
from pathlib import Path

import polars as pl
from stopwatch import Stopwatch
from world_truth import planted_945s_caught

from oms_hub.home import Home
from oms_hub.sources import EDI_DOCUMENTS
from oms_hub.steps.catalog import build_catalog
from oms_hub.steps.edi import shipments_path, stage_shipments
from oms_hub.steps.finance import build_ledger
from oms_hub.steps.inventory import build_stock_ledger
from oms_hub.steps.landing import register_landed_files
from oms_hub.steps.orders import conform_orders, stage_pos, staged_days
from oms_hub.steps.receivables import build_receivables
from oms_hub.steps.staging import stage_new_files
from oms_hub.storage.lake import Lake
from oms_hub.world import generate_world


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--edi-orders", type=int, default=20_000)
    parser.add_argument("--orders", type=int, default=2_000, help="POS orders")
    parser.add_argument("--days", type=int, default=30)
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--work", type=Path, default=Path("benchmarks/work/edi_shipments"))
    args = parser.parse_args()
    shutil.rmtree(args.work, ignore_errors=True)
    home = Home(args.work.resolve())
    timed = Stopwatch(digits=2)

    timed(
        "generate",
        lambda: generate_world(
            home.root,
            orders=args.orders,
            days=args.days,
            seed=args.seed,
            edi_orders=args.edi_orders,
        ),
    )
    timed("land", register_landed_files, home)
    timed("catalog", build_catalog, home)
    timed("parse POS", stage_pos, home)
    parsed = timed("parse EDI (850/846/945)", stage_new_files, home, EDI_DOCUMENTS)
    days = staged_days(home)
    timed("conform", conform_orders, home, days[0], days[-1])
    shipped = timed("945 -> shipments", stage_shipments, home)
    timed("stock ledger", build_stock_ledger, home)
    timed("receivables", build_receivables, home, dt.date(2026, 12, 31))
    ledger = timed("general ledger", build_ledger, home)

    lake = Lake(home)
    truth = pl.read_csv(home.truth / "edi_shipments.csv").with_columns(
        pl.col("shipped_at").str.to_datetime(time_zone="UTC")
    )
    got = pl.read_parquet(shipments_path(home))
    key = ["shipment_id", "sku"]
    want = truth.group_by(key).agg(pl.col("quantity").sum())
    have = got.group_by(key).agg(pl.col("quantity").sum())
    same = want.join(have, on=[*key, "quantity"]).height
    caught, planted = planted_945s_caught(home, lake)
    first = truth.group_by("order_id").agg(day=pl.col("shipped_at").min().dt.date())
    inv = lake.read("finance.ar_invoices")
    dated = inv.join(first, on="order_id").filter(pl.col("invoiced_on") == pl.col("day")).height
    journal = lake.read("finance.gl_journal")
    entries = journal.group_by("entry_id").agg(
        d=pl.col("event_date").min(), diff=(pl.col("debit_base") - pl.col("credit_base")).sum()
    )
    b2b = entries.filter(pl.col("entry_id").str.starts_with("b2b_invoice:")).select(
        order_id=pl.col("entry_id").str.strip_prefix("b2b_invoice:"), d="d"
    )
    b2b_dated = b2b.join(first, on="order_id").filter(pl.col("d") == pl.col("day")).height
    cogs = entries.filter(pl.col("entry_id").str.contains("/SH-")).height
    shipments = truth["shipment_id"].n_unique()
    print(
        f"world: {args.edi_orders:,} EDI orders, {args.days} days, seed {args.seed}; "
        f"{parsed['files_parsed']} EDI files, {parsed['records']:,} EDI records parsed"
    )
    print(
        f"945 shipped lines equal to the world's: {same:,}/{want.height:,} (hub {have.height:,}); "
        f"planted bad 945s quarantined with their kind: {caught}/{planted}"
    )
    print(
        f"invoices: {inv.height:,} for {first.height:,} shipped orders, "
        f"{dated:,} dated on the first ship day, shipped_from={sorted(set(inv['shipped_from']))}; "
        f"b2b_invoice entries on the ship day: {b2b_dated:,}/{first.height:,}"
    )
    print(
        f"COGS shipment entries from 945s: {cogs:,} for {shipments:,} shipments; "
        f"unbalanced entries: {entries.filter(pl.col('diff') != 0).height}; "
        f"entries posted {ledger['entries_posted']:,}"
    )
    print(f"shipments step: {shipped}")
    print("seconds:", timed.seconds)


if __name__ == "__main__":
    main()
