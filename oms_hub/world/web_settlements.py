"""Settlement files for the generated world's own web payments.

``generate_world`` hands the payments its web pages show (``ApiWorldWriter.payment_frame``:
Shopify charges and refunds through Shopify Payments, WooCommerce ones through Stripe;
Amazon's Orders API shows no payments and the world has no PayPal checkout, so neither
gets a file) to ``web_settlement_world``, which settles them in each processor's native
format with the faults finance must catch injected at small rates (amount mismatches,
fee variances, missing settlements, chargebacks, plus settlements nobody expected). The
truth (``truth/web_settlement_truth.csv``) is the status each expected payment and each
planted stray should get in ``finance.payment_reconciliation``. Own random stream
(``seeds.SETTLEMENTS_WEB``): no other file of the world changes. Vectorized.
"""

from __future__ import annotations

import datetime
from pathlib import Path

import numpy as np
import polars as pl

from oms_hub.world.seeds import SETTLEMENTS_WEB, rng_for
from oms_hub.world.settlements import (
    INJECT,
    SOURCE,
    SettlementWorld,
    _fee_cents,
    _settled,
    _shopify,
    _stripe,
)

#: processor -> file written under ``landing/settlements/`` and its writer.
FILES = {
    "shopify_payments": ("shopify_payments/payout_transactions-world.csv", _shopify),
    "stripe": ("stripe/balance_history-world.csv", _stripe),
}
TRUTH_FILE = "web_settlement_truth.csv"


def _plan(payments: pl.DataFrame, seed: int) -> pl.DataFrame:
    """The payments with the fault each one gets (same shape as the standalone plan)."""
    rng = rng_for(seed, SETTLEMENTS_WEB)
    n = payments.height
    fault_draw = rng.random(n)
    delta = rng.integers(1, 500, n) * np.where(rng.random(n) < 0.5, -1, 1)
    fee_delta = rng.integers(50, 300, n)
    edges = np.cumsum(list(INJECT.values()))
    faults = np.array([*INJECT, "matched"], dtype=object)[
        np.searchsorted(edges, fault_draw, side="right")
    ]
    refund = pl.col("kind") == "refund"
    return (
        payments.sort("processor", "order_ref", "kind")
        .with_columns(
            i=pl.int_range(0, pl.len(), dtype=pl.Int64),
            refund=refund,
            status=pl.Series(faults, dtype=pl.String),
            delta=pl.Series(delta, dtype=pl.Int64),
            fee_delta=pl.Series(fee_delta, dtype=pl.Int64),
        )
        .with_columns(
            # A chargeback only happens to a charge; a refund drawn for one is just matched.
            status=pl.when((pl.col("status") == "chargeback") & refund)
            .then(pl.lit("matched"))
            .otherwise("status"),
            fee_cents=pl.when(refund)
            .then(pl.lit(0, pl.Int64))
            .otherwise(_fee_cents(pl.col("processor"), pl.col("cents"))),
        )
    )


def web_settlement_world(
    payments: pl.DataFrame, *, seed: int, start: datetime.date, days: int
) -> SettlementWorld:
    """Settle ``payments`` (processor, order_ref, processor_ref, kind, cents, date)."""
    present = tuple(p for p in FILES if p in set(payments["processor"].to_list()))
    plan = _plan(payments, seed)
    if not present:
        empty = plan.select("processor", "order_ref", "kind", "status")
        return SettlementWorld(expected=plan, files={}, truth=empty)
    settled = _settled(plan, rng_for(seed, SETTLEMENTS_WEB, 1), start, days, present)
    truth = pl.concat(
        [
            plan.select("processor", "order_ref", "kind", "status"),
            settled.filter(pl.col("i") >= plan.height).select(
                "processor", "order_ref", "kind", status=pl.lit("unexpected_settlement")
            ),
        ]
    ).sort("processor", "order_ref", "kind")
    files = {
        name: write(settled.filter(pl.col("processor") == processor))
        for processor, (name, write) in FILES.items()
        if processor in present
    }
    return SettlementWorld(expected=plan, files=files, truth=truth)


def write_web_settlements(root: Path, world: SettlementWorld) -> list[str]:
    """Write the files under ``landing/settlements/`` and the truth under ``truth/``."""
    written = []
    for name, payload in world.files.items():
        path = root / "landing" / SOURCE / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(payload)
        written.append(f"{SOURCE}/{name}")
    (root / "truth").mkdir(parents=True, exist_ok=True)
    world.truth.write_csv(root / "truth" / TRUTH_FILE)
    return written
