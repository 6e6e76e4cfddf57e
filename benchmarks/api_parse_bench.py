"""Benchmark: parse throughput of the Shopify, WooCommerce and Amazon parsers (orders/s).

Usage::

    .venv/bin/python benchmarks/api_parse_bench.py --orders 1000000 [--items-orders 100000]
        [--out benchmarks/results/api_parse.jsonl]

Pages are built in memory by the sample world's page writers (``oms_hub.world.web_api``:
250 orders per page, ~1.8 lines per order, the same JSON the APIs return), day by day so
memory stays flat; only the parser call is timed (bytes in, ``ParseResult`` out: JSON
decode, per-record checks, the staged frame with nested lines, quarantine frames).
Amazon ``getOrderItems`` documents hold one order each, so they are measured apart
(``--items-orders``) as documents/s. One JSON line per run is appended to ``--out``.
"""

from __future__ import annotations

import argparse
import datetime
import json
import os
import platform
import subprocess
import time
from pathlib import Path

import numpy as np

from oms_hub.connectors.amazon import parse_amazon_orders
from oms_hub.connectors.shopify import parse_shopify_orders
from oms_hub.connectors.woocommerce import parse_woocommerce_orders
from oms_hub.world import model, web_api

START = datetime.date(2026, 10, 1)
PER_DAY = 20_000


def _writer(seed: int, catalog: model.Catalog) -> web_api.ApiWorldWriter:
    """A world writer used only for its buyers and Shopify payments (writes nothing)."""
    people = model.build_people(seed, 20_000)
    return web_api.ApiWorldWriter(
        landing=Path("/nonexistent"),
        seed=seed,
        start=START,
        days=1,
        orders_per_day=np.zeros(1, dtype=np.int64),
        catalog=catalog,
        people=people,
    )


def _pages(seed: int, source: str, total: int, catalog: model.Catalog):
    """Yield (page bytes, orders in it) for ``total`` orders of ``source``."""
    writer = _writer(seed, catalog)
    seq, d = 0, 0
    while seq < total:
        n = min(PER_DAY, total - seq)
        day = START + datetime.timedelta(days=d)
        orders, lines = web_api._plan(seed, source, d, n, seq, day, day, catalog)
        orders = orders.with_columns(order_id=web_api.ApiWorldWriter._ids(None, source, orders))  # type: ignore[arg-type]
        orders = writer.with_buyers(source, d, orders)
        for page in web_api._pages(orders):
            if source == "shopify":
                body = web_api._shopify_page(web_api._shopify_nodes(page, lines, 1), True)
            elif source == "woocommerce":
                body = web_api._woo_orders(page, lines, 1).write_json().encode()
            elif source == "amazon":
                body = (
                    b'{"payload":{"Orders":'
                    + web_api._amazon_orders(page, 1).write_json().encode()
                    + b"}}"
                )
            else:
                raise ValueError(source)
            yield body, page.height
        seq += n
        d += 1


PARSERS = {
    "shopify": parse_shopify_orders,
    "woocommerce": parse_woocommerce_orders,
    "amazon": parse_amazon_orders,
    "amazon_items": parse_amazon_orders,
}


def run(source: str, total: int, catalog: model.Catalog) -> dict[str, float]:
    parser = PARSERS[source]
    gen_source = "amazon" if source == "amazon_items" else source
    parsed = staged = 0
    seconds = 0.0
    nbytes = 0
    for body, _ in _iter(source, total, catalog):
        started = time.perf_counter()
        result = parser(body, landed_file=f"{gen_source}/bench.json")
        seconds += time.perf_counter() - started
        parsed += result.records
        staged += result.staged.height
        nbytes += len(body)
    return {
        "source": source,
        "records": parsed,
        "staged": staged,
        "seconds": round(seconds, 2),
        "records_per_second": round(parsed / seconds) if seconds else 0,
        "mb": round(nbytes / 2**20, 1),
    }


def _iter(source: str, total: int, catalog: model.Catalog):
    if source == "amazon_items":
        # Items documents are built from the Amazon plan: one per order.
        seq, d = 0, 0
        while seq < total:
            n = min(PER_DAY, total - seq)
            day = START + datetime.timedelta(days=d)
            orders, lines = web_api._plan(7, "amazon", d, n, seq, day, day, catalog)
            orders = orders.with_columns(
                order_id=web_api.ApiWorldWriter._ids(None, "amazon", orders)
            )  # type: ignore[arg-type]
            for _, doc in web_api._amazon_items(orders, lines, 1).iter_rows():
                yield doc.encode(), 1
            seq += n
            d += 1
        return
    yield from _pages(7, source, total, catalog)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--orders", type=int, default=1_000_000)
    ap.add_argument("--items-orders", type=int, default=100_000)
    ap.add_argument("--out", type=Path, default=Path("benchmarks/results/api_parse.jsonl"))
    args = ap.parse_args()
    catalog = model.build_catalog(7, model.product_count(args.orders), 1000.0)
    results = [run(s, args.orders, catalog) for s in ("shopify", "woocommerce", "amazon")]
    results.append(run("amazon_items", args.items_orders, catalog))
    commit = subprocess.run(
        ["git", "rev-parse", "--short", "HEAD"], capture_output=True, text=True, check=False
    ).stdout.strip()
    record = {
        "command": f"benchmarks/api_parse_bench.py --orders {args.orders} --items-orders {args.items_orders}",
        "commit": commit,
        "machine": f"{platform.machine()} {os.cpu_count()} cores, Python {platform.python_version()}",
        "results": results,
    }
    args.out.parent.mkdir(parents=True, exist_ok=True)
    with args.out.open("a") as fh:
        fh.write(json.dumps(record) + "\n")
    print(f"{'source':<14}{'records':>10}{'seconds':>10}{'records/s':>12}{'MB':>8}")
    for r in results:
        print(
            f"{r['source']:<14}{r['records']:>10,}{r['seconds']:>10}{r['records_per_second']:>12,}{r['mb']:>8}"
        )


if __name__ == "__main__":
    main()
