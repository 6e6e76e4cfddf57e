"""Benchmark: generate a POS world of a given size, run every pipeline step, record figures.

Usage::

    .venv/bin/python benchmarks/pipeline_bench.py --lines 1000000 [--days 30] [--seed 7]
        [--work benchmarks/work] [--out benchmarks/results/pos_pipeline.jsonl]

Each step is the same function the Dagster asset calls (``oms_hub.steps``), timed on its
own, with the peak resident memory of the process sampled every 20 ms while it runs.
One JSON line per run is appended to ``--out`` (wall seconds, rows, rows/s and peak MB per
step, plus the command and the commit), and a table is printed.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import shutil
import subprocess
import sys
import threading
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from oms_hub.home import Home
from oms_hub.steps.audit import build_load_audit
from oms_hub.steps.catalog import build_catalog
from oms_hub.steps.landing import register_landed_files
from oms_hub.steps.orders import conform_orders, stage_pos, staged_days
from oms_hub.steps.reports import build_channel_sales
from oms_hub.storage.catalog import publish_catalog
from oms_hub.world import generate_world

PAGE = os.sysconf("SC_PAGE_SIZE")


def rss_mb() -> float:
    """Current resident set size of this process in MB."""
    with open("/proc/self/statm") as fh:
        return int(fh.read().split()[1]) * PAGE / 2**20


class PeakMemory:
    """Sample RSS in a thread while a block runs; ``peak`` is the highest seen (MB)."""

    def __init__(self, every: float = 0.02) -> None:
        self.every, self.peak, self._stop = every, 0.0, threading.Event()

    def __enter__(self) -> PeakMemory:
        self.peak = rss_mb()
        self._thread = threading.Thread(target=self._run, daemon=True)
        self._thread.start()
        return self

    def _run(self) -> None:
        while not self._stop.wait(self.every):
            self.peak = max(self.peak, rss_mb())

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        self._thread.join()
        self.peak = max(self.peak, rss_mb())


def timed(
    name: str, rows_of: Callable[[dict[str, Any]], int], fn: Callable[[], dict[str, Any]]
) -> dict[str, Any]:
    with PeakMemory() as memory:
        started = time.perf_counter()
        summary = fn()
        seconds = time.perf_counter() - started
    rows = rows_of(summary)
    step = {
        "step": name,
        "seconds": round(seconds, 3),
        "rows": rows,
        "rows_per_s": round(rows / seconds) if seconds else None,
        "peak_mb": round(memory.peak),
    }
    print(
        f"  {name:<22} {seconds:8.2f} s  {rows:>11,} rows  {step['rows_per_s'] or 0:>11,} rows/s  "
        f"peak {step['peak_mb']:>6,} MB",
        flush=True,
    )
    return step


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--lines", type=int, default=1_000_000, help="target order lines")
    parser.add_argument("--days", type=int, default=30)
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--work", default="benchmarks/work", help="scratch folder (deleted first)")
    parser.add_argument("--out", default="benchmarks/results/pos_pipeline.jsonl")
    args = parser.parse_args(argv)

    work = Path(args.work) / f"pos-{args.lines}"
    shutil.rmtree(work, ignore_errors=True)
    home = Home(work.resolve())
    orders = max(1, round(args.lines / 2.5))
    print(
        f"POS pipeline benchmark: ~{args.lines:,} lines ({orders:,} orders), {args.days} days, "
        f"home {home.root}",
        flush=True,
    )
    steps = [
        timed(
            "generate",
            lambda s: s.order_lines + s.refund_lines,
            lambda: generate_world(home.root, orders=orders, days=args.days, seed=args.seed),
        )
    ]
    steps.append(
        timed("land (hash, manifest)", lambda s: s["files"], lambda: register_landed_files(home))
    )
    steps.append(timed("catalog", lambda s: s["products"], lambda: build_catalog(home)))
    steps.append(timed("parse POS", lambda s: s["records"], lambda: stage_pos(home)))
    days = staged_days(home)
    steps.append(
        timed(
            "conform orders",
            lambda s: s["order_lines"] + s["returns"],
            lambda: conform_orders(home, days[0], days[-1]),
        )
    )
    steps.append(
        timed(
            "channel sales mart",
            lambda s: s["rows"],
            lambda: build_channel_sales(home, days[0], days[-1]),
        )
    )
    steps.append(timed("load audit", lambda s: s["records"], lambda: build_load_audit(home)))
    steps.append(timed("publish catalog", lambda s: len(s), lambda: publish_catalog(home)))
    # A second run over the same landing: what an idle schedule tick costs.
    steps.append(
        timed(
            "re-run: land+parse",
            lambda s: s["records"],
            lambda: (register_landed_files(home), stage_pos(home))[1],
        )
    )

    pipeline = [s for s in steps if s["step"] not in ("generate", "re-run: land+parse")]
    total = sum(s["seconds"] for s in pipeline)
    lines = next(s["rows"] for s in steps if s["step"] == "parse POS")
    print(
        f"  {'pipeline total':<22} {total:8.2f} s  {lines:>11,} lines  {round(lines / total):>11,} lines/s"
    )
    commit = subprocess.run(
        ["git", "rev-parse", "--short", "HEAD"], capture_output=True, text=True
    ).stdout.strip()
    record = {
        "benchmark": "pos_pipeline",
        "command": " ".join([Path(sys.argv[0]).as_posix(), *(argv or sys.argv[1:])]),
        "commit": commit,
        "when": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()),
        "machine": f"{platform.machine()} {os.cpu_count()} cores {platform.python_version()}",
        "lines": lines,
        "orders": orders,
        "days": args.days,
        "pipeline_seconds": round(total, 3),
        "pipeline_lines_per_s": round(lines / total),
        "steps": steps,
    }
    out = Path(args.out)
    out.parent.mkdir(parents=True, exist_ok=True)
    with out.open("a") as fh:
        fh.write(json.dumps(record) + "\n")
    print(f"appended to {out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
