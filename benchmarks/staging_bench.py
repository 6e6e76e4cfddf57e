"""Benchmark: staging a generated world, the files it leaves, and what reading them costs.

Usage::

    PYTHONPATH=. .venv/bin/python benchmarks/staging_bench.py --world 100000 \
        [--api-orders M] [--work /tmp/staging-bench] [--label after]

Generates the sample world once into ``--work/world-N-M`` (30 days, seed 7; reused when
present), then hard-links its landing folder into a fresh home ``--work/home-N-M-<label>``
and times: registering the landed files, staging every stream (first run), staging again
(nothing new: the cost of deciding that), the catalog step, reading the identity feeds
(``collect_identities``: the staged rows of every feed) and the whole customers step. It counts the files under
``lake/staging`` and ``lake/ops/quarantine`` and prints one JSON line (also appended to
``--out``). Only public step functions are used, so the same script measures an older
checkout (``PYTHONPATH=/path/to/old/checkout``) for a before/after comparison.

``--upgrade LABEL`` instead copies the home a previous run left under that label (e.g. one
staged file by file by the older checkout), stages it again with this code (which merges
its small batches) and times the same steps: the first run after an upgrade.
"""

from __future__ import annotations

import argparse
import os
import resource
import shutil
import subprocess
import sys
import time
from pathlib import Path

from recording import command, record

ROOT = Path(__file__).resolve().parent.parent


def _files(folder: Path) -> int:
    return sum(len(names) for _, _, names in os.walk(folder)) if folder.is_dir() else 0


def run(orders: int, api_orders: int, work: Path, label: str, upgrade: str | None) -> dict:
    """Stage a fresh copy of the world's landing folder and time the readers."""
    import oms_hub
    from oms_hub.home import Home
    from oms_hub.sources import STAGED_SOURCES
    from oms_hub.steps.catalog import build_catalog
    from oms_hub.steps.customers import build_customers, collect_identities
    from oms_hub.steps.landing import register_landed_files
    from oms_hub.steps.staging import stage_new_files
    from oms_hub.world import generate_world

    world = work / f"world-{orders}-{api_orders}"
    if not (world / "landing").is_dir():
        shutil.rmtree(world, ignore_errors=True)
        generate_world(world, orders=orders, days=30, seed=7, api_orders=api_orders)
    root = work / f"home-{orders}-{api_orders}-{label}"
    shutil.rmtree(root, ignore_errors=True)
    root.mkdir(parents=True)
    if upgrade:  # data files are only ever replaced by rename, so hard links are safe
        old = work / f"home-{orders}-{api_orders}-{upgrade}"
        for name in ("landing", "lake"):
            shutil.copytree(old / name, root / name, copy_function=os.link)
        # the landing manifest, not the identity state (the customers step runs in full)
        shutil.copytree(old / "state", root / "state", ignore=shutil.ignore_patterns("identity"))
    else:
        shutil.copytree(world / "landing", root / "landing", copy_function=os.link)
    home = Home(root)
    files_before = {
        "files_lake_staging_before": _files(home.lake / "staging"),
        "files_lake_ops_quarantine_before": _files(home.lake / "ops" / "quarantine"),
    }
    seconds: dict[str, float] = {}

    def timed(name: str, fn, *args):
        started = time.perf_counter()
        out = fn(*args)
        seconds[name] = round(time.perf_counter() - started, 2)
        return out

    timed("register", register_landed_files, home)
    first = timed("stage_first", lambda: [stage_new_files(home, s) for s in STAGED_SOURCES])
    timed("stage_again", lambda: [stage_new_files(home, s) for s in STAGED_SOURCES])
    timed("catalog_step", build_catalog, home)
    timed("customer_feeds", collect_identities, home)  # the reading part of the next step
    timed("customers_step", build_customers, home)
    commit = subprocess.run(
        ["git", "rev-parse", "--short", "HEAD"],
        capture_output=True,
        text=True,
        cwd=Path(oms_hub.__file__).parent,
    ).stdout.strip()
    return {
        "case": "staging",
        "label": label,
        "commit": commit,
        "orders": orders,
        "api_orders": api_orders,
        "landed_files": _files(root / "landing"),
        "files_parsed": sum(s["files_parsed"] for s in first),
        "files_lake_staging": _files(home.lake / "staging"),
        "files_lake_ops_quarantine": _files(home.lake / "ops" / "quarantine"),
        "compacted": sum(int(s.get("compacted_batches", 0)) for s in first),
        **(files_before if upgrade else {}),
        "seconds": seconds,
        "peak_rss_mb": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024),
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--world", type=int, required=True, metavar="ORDERS")
    parser.add_argument("--api-orders", type=int, default=None, metavar="M")
    parser.add_argument("--work", type=Path, default=ROOT / "benchmarks/work/staging")
    parser.add_argument("--label", default="run", help="names the home folder and the result")
    parser.add_argument("--upgrade", metavar="LABEL", help="restage the home of run LABEL")
    parser.add_argument("--out", type=Path, default=ROOT / "benchmarks/results/staging.jsonl")
    args = parser.parse_args(argv)
    api = args.world // 4 if args.api_orders is None else args.api_orders
    figures = run(args.world, api, args.work, args.label, args.upgrade)
    figures["command"] = command("staging_bench.py", argv)
    record(figures, args.out, indent=1)
    return 0


if __name__ == "__main__":
    sys.exit(main())
