"""Sample bank lockbox files for B2B invoices, with the truth of what each invoice got.

Standalone like the settlement world (``settlements.py``): it takes the invoices the
hub issued (``finance.ar_invoices``: invoice_id, customer_account, amount, currency,
due_on) and draws, on its own random stream (``seeds.LOCKBOX``), a fate per invoice:
``paid`` in full by the due date, ``partial`` (one payment of 20-80 %), ``late`` (in
full 1-120 days after the due date) or ``unpaid``. Two malformed remittance rows (no
invoice number, an unreadable amount) are added so the quarantine path is exercised.
Files are written one per deposit day to ``landing/lockbox/``; the truth is
``truth/lockbox_truth.csv`` (invoice_id, fate, paid). POS and every other stream are
untouched.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import polars as pl

from oms_hub.quality.contracts.base import MONEY_DTYPE
from oms_hub.world.seeds import LOCKBOX, rng_for

FATES = ("paid", "partial", "late", "unpaid")
FATE_WEIGHTS = (0.4, 0.2, 0.15, 0.25)
MALFORMED_ROWS = 2


def lockbox_world(invoices: pl.DataFrame, *, seed: int) -> tuple[pl.DataFrame, pl.DataFrame]:
    """(lockbox rows as text, truth per invoice) for the given invoices."""
    inv = invoices.sort("invoice_id")
    n = inv.height
    rng = rng_for(seed, LOCKBOX)
    fate = np.array(FATES)[rng.choice(len(FATES), size=n, p=FATE_WEIGHTS)]
    share = rng.integers(20, 81, size=n)  # percent paid on a partial payment
    early = rng.integers(0, 15, size=n)  # days before due a payment arrives
    late = rng.integers(1, 121, size=n)  # days after due a late payment arrives
    cents = (inv["amount"].cast(MONEY_DTYPE) * 100).cast(pl.Int64).to_numpy()
    paid_cents = np.where(
        fate == "unpaid", 0, np.where(fate == "partial", cents * share // 100, cents)
    )
    offset = np.where(fate == "late", late, -early)
    truth = inv.select("invoice_id").with_columns(
        fate=pl.Series(fate),
        paid=(pl.Series(paid_cents).cast(MONEY_DTYPE) / 100).cast(MONEY_DTYPE),
    )
    pays = (
        inv.with_columns(
            paid_cents=pl.Series(paid_cents),
            deposit=pl.col("due_on") + pl.duration(days=pl.Series(offset)),
        )
        .filter(pl.col("paid_cents") > 0)
        .sort("deposit", "invoice_id")
    )
    rows = pays.select(
        deposit_date=pl.col("deposit").dt.strftime("%Y-%m-%d"),
        batch=pl.lit("001"),
        item=(pl.int_range(pl.len()).over("deposit") + 1).cast(pl.String),
        check_number=pl.format("CHK{}", pl.int_range(pl.len()) + 100001),
        customer_account=pl.col("customer_account"),
        invoice_number=pl.col("invoice_id"),
        amount=(pl.col("paid_cents").cast(MONEY_DTYPE) / 100).cast(MONEY_DTYPE).cast(pl.String),
        currency=pl.col("currency"),
    )
    if rows.height:
        day = rows["deposit_date"][0]
        bad = pl.DataFrame(
            {
                "deposit_date": [day, day],
                "batch": ["999", "999"],
                "item": ["1", "2"],
                "check_number": ["CHK-BAD1", "CHK-BAD2"],
                "customer_account": ["B2B-UNKNOWN", "B2B-UNKNOWN"],
                "invoice_number": ["", "INV-UNREADABLE"],
                "amount": ["100.00", "12,3O"],
                "currency": ["USD", "USD"],
            }
        )
        rows = pl.concat([rows, bad])
    return rows, truth


def write_lockbox_world(home: Path, invoices: pl.DataFrame, *, seed: int) -> list[Path]:
    """Write one lockbox CSV per deposit day and the truth; return the files written."""
    rows, truth = lockbox_world(invoices, seed=seed)
    folder = home / "landing" / "lockbox"
    folder.mkdir(parents=True, exist_ok=True)
    (home / "truth").mkdir(parents=True, exist_ok=True)
    truth.write_csv(home / "truth" / "lockbox_truth.csv")
    written: list[Path] = []
    for day, part in rows.partition_by("deposit_date", as_dict=True, maintain_order=True).items():
        path = folder / f"lockbox-{day[0].replace('-', '')}.csv"
        part.write_csv(path)
        written.append(path)
    return written
