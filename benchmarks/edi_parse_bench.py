"""Benchmark: EDI parse throughput (segments/s) on a ~100 MB batch of interchanges.

Usage::

    .venv/bin/python benchmarks/edi_parse_bench.py [--mb 100] [--days 10] [--seed 7]
        [--work benchmarks/work/edi] [--out benchmarks/results/edi_parse.jsonl]

The batch is the sample world's EDI partners (X12 850 from two buyers, EDIFACT ORDERS
with a decimal comma from a third, X12 846 stock advice), scaled so the files add up to
about ``--mb`` megabytes. Each file goes through ``parse_edi`` (tokenize, envelope
checks, 850/846/ORDERS fields, quarantine) and then ``acknowledge`` (997 / CONTRL),
one file at a time on one thread, as the staging step calls them. One JSON line per run
is appended to ``--out`` and a summary printed.
"""

from __future__ import annotations

import argparse
import datetime
import json
import os
import platform
import shutil
import subprocess
import sys
import time
from pathlib import Path

from oms_hub.connectors.edi import parse_edi
from oms_hub.connectors.edi.acks import acknowledge
from oms_hub.connectors.edi.segments import sniff, tokenize_edifact, tokenize_x12
from oms_hub.world import model
from oms_hub.world.edi_partners import EdiWriter
from oms_hub.world.truth import TruthBook

#: Bytes of EDI per purchase order in the sample world (measured: ~20 segments, ~555 B with the 846s).
BYTES_PER_ORDER = 555


def build_batch(folder: Path, *, mb: float, days: int, seed: int) -> list[Path]:
    """Write the batch with the world's EDI writer; returns the files."""
    if folder.exists():
        shutil.rmtree(folder)
    folder.mkdir(parents=True)
    orders = int(mb * 1_000_000 / BYTES_PER_ORDER)
    catalog = model.build_catalog(seed, 2_000, 10_000.0)
    writer = EdiWriter(
        landing=folder,
        seed=seed,
        start=datetime.date(2026, 10, 1),
        days=days,
        orders=orders,
        catalog=catalog,
    )
    truth = TruthBook()
    for d in range(days):
        writer.write_day(d, truth)
    writer.finish(folder / "truth")  # the 3PL's 945 shipping advice
    writer.write_advice(folder / "truth")  # and its 846s (random quantities: no stock world)
    return sorted((folder / "edi").iterdir())


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--mb", type=float, default=100.0)
    parser.add_argument("--days", type=int, default=10)
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--work", type=Path, default=Path("benchmarks/work/edi"))
    parser.add_argument("--out", type=Path, default=Path("benchmarks/results/edi_parse.jsonl"))
    args = parser.parse_args()

    started = time.perf_counter()
    files = build_batch(args.work, mb=args.mb, days=args.days, seed=args.seed)
    generate_s = time.perf_counter() - started
    total_bytes = sum(p.stat().st_size for p in files)
    segments = records = staged = rejected = 0
    parse_s = ack_s = parse_cpu_s = 0.0
    biggest = max(files, key=lambda p: p.stat().st_size)
    for path in files:
        payload = path.read_bytes()
        tokens = tokenize_x12(payload) if sniff(payload) == "x12" else tokenize_edifact(payload)
        segments += tokens.frame.height
        c0, t0 = time.process_time(), time.perf_counter()
        result = parse_edi(payload, landed_file=f"edi/{path.name}")
        t1 = time.perf_counter()
        parse_cpu_s += time.process_time() - c0
        acknowledge(payload, digest="0" * 64)
        t2 = time.perf_counter()
        parse_s += t1 - t0
        ack_s += t2 - t1
        records += result.records
        staged += result.staged.height
        rejected += result.rejected
    record = {
        "benchmark": "edi_parse",
        "command": " ".join([Path(sys.executable).name, *sys.argv]),
        "commit": subprocess.run(
            ["git", "rev-parse", "--short", "HEAD"], capture_output=True, text=True, check=False
        ).stdout.strip(),
        "machine": f"{platform.machine()} {platform.system()} cpus={os.cpu_count()}",
        "files": len(files),
        "mb": round(total_bytes / 1e6, 1),
        "largest_file_mb": round(biggest.stat().st_size / 1e6, 1),
        "segments": segments,
        "documents": records,
        "staged": staged,
        "rejected": rejected,
        "generate_s": round(generate_s, 1),
        "parse_s": round(parse_s, 2),
        "segments_per_s": round(segments / parse_s),
        # CPU seconds of every thread: comparable on a busy machine, unlike wall time.
        "parse_cpu_s": round(parse_cpu_s, 2),
        "segments_per_cpu_s": round(segments / parse_cpu_s),
        "load_average": round(os.getloadavg()[0], 1),
        "mb_per_s": round(total_bytes / 1e6 / parse_s, 1),
        "ack_s": round(ack_s, 2),
    }
    args.out.parent.mkdir(parents=True, exist_ok=True)
    with args.out.open("a") as fh:
        fh.write(json.dumps(record) + "\n")
    for key, value in record.items():
        print(f"{key:>16}: {value}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
