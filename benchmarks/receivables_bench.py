"""Receivables throughput: lockbox generation + parsing, aging, and 810 generation.

    PYTHONPATH=$PWD /work/main/.venv/bin/python benchmarks/receivables_bench.py --invoices 200000

Synthetic invoices (no pipeline run): the lockbox world pays them by fate, the hub's
lockbox parser reads the CSV, ``ar_aging`` ages them at a fixed date and the result is
scored against the generator's truth; then 1,000 X12 810s are generated.
"""

from __future__ import annotations

import argparse
import datetime as dt
import time
from decimal import Decimal

import numpy as np
import polars as pl

from oms_hub.connectors.edi.invoice810 import InvoiceHeader, InvoiceLine, invoice_810
from oms_hub.connectors.lockbox import parse_lockbox
from oms_hub.finance.receivables import ar_aging
from oms_hub.quality.contracts.base import MONEY_DTYPE
from oms_hub.world.lockbox import lockbox_world


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--invoices", type=int, default=200_000)
    n = ap.parse_args().invoices
    rng = np.random.default_rng(1)
    inv = pl.DataFrame(
        {
            "invoice_id": [f"INV-{i:08d}" for i in range(n)],
            "order_id": [f"edi:X:{i}" for i in range(n)],
            "partner_id": ["X"] * n,
            "customer_account": ["B2B-X"] * n,
            "customer_key": pl.Series([None] * n, dtype=pl.String),
            "invoiced_on": dt.date(2026, 10, 1),
            "due_on": pl.Series(rng.integers(0, 90, n)).cast(pl.Int64),
            "amount": pl.Series(rng.integers(1_000, 5_000_000, n)).cast(MONEY_DTYPE) / 100,
            "currency": ["USD"] * n,
        }
    ).with_columns(
        due_on=pl.lit(dt.date(2026, 10, 31)) + pl.duration(days=pl.col("due_on")),
        amount=pl.col("amount").cast(MONEY_DTYPE),
    )
    t = time.perf_counter()
    rows, truth = lockbox_world(inv, seed=7)
    payload = rows.write_csv().encode()
    gen = time.perf_counter() - t
    t = time.perf_counter()
    parsed = parse_lockbox(payload, landed_file="lockbox/bench.csv")
    parse = time.perf_counter() - t
    t = time.perf_counter()
    aged = ar_aging(inv.lazy(), parsed.staged.lazy(), dt.date(2027, 12, 31)).collect()
    age = time.perf_counter() - t
    expected = truth.join(inv, on="invoice_id").filter(pl.col("amount") != pl.col("paid"))
    right = aged.join(
        expected.select("invoice_id", (pl.col("amount") - pl.col("paid")).alias("want")),
        on="invoice_id",
    ).filter(pl.col("balance") == pl.col("want"))
    header = InvoiceHeader(
        "INV-1", "PO1", "X", "X Co", "B2B-X", dt.date(2026, 10, 1), dt.date(2026, 10, 1),
        dt.date(2026, 10, 31), 30, "USD", Decimal("300.00"), Decimal(0), Decimal(0),
        Decimal(0), Decimal(0),
    )  # fmt: skip
    lines = [InvoiceLine(f"SKU-{k}", 1, Decimal("100.00")) for k in range(3)]
    t = time.perf_counter()
    for _ in range(1_000):
        invoice_810(header, lines)
    x810 = time.perf_counter() - t
    print(
        f"invoices {n:,}; lockbox rows {parsed.records:,} generated in {gen:.2f} s, parsed in "
        f"{parse:.2f} s ({parsed.records / parse:,.0f} rows/s, {parsed.rejected} quarantined); "
        f"aging {age:.2f} s: {aged.height:,} open, {right.height:,}/{expected.height:,} "
        f"balances exact; 1,000 810s in {x810:.3f} s"
    )


if __name__ == "__main__":
    main()
