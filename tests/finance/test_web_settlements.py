"""The generated world's settlement files settle its own web payments (real pipeline)."""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path

import duckdb
import polars as pl

from oms_hub.finance.reconcile import EXPECTED_SCHEMA, reconcile
from oms_hub.home import Home
from oms_hub.pipeline import run_pipeline
from oms_hub.world import generate_world
from oms_hub.world.web_settlements import TRUTH_FILE

WORLD = {"orders": 200, "days": 4, "seed": 5, "api_orders": 1_200, "inventory": False}
KEYS = ["processor", "order_ref", "kind"]


def _settlement_bytes(root: Path) -> dict[str, bytes]:
    folder = root / "landing" / "settlements"
    return {str(p.relative_to(folder)): p.read_bytes() for p in sorted(folder.rglob("*.csv"))}


def test_reconciliation_of_the_generated_world_matches_its_truth(tmp_path: Path) -> None:
    summary = generate_world(tmp_path / "a", **WORLD)
    assert summary.settlement_files == 2
    generate_world(tmp_path / "b", **WORLD)
    assert _settlement_bytes(tmp_path / "a") == _settlement_bytes(tmp_path / "b")
    home = Home(tmp_path / "a")
    report = run_pipeline(home)
    assert all(report.checks.values()), report.checks
    con = duckdb.connect(str(home.catalog), read_only=True)
    try:
        rows = con.execute(
            "select processor, order_ref, kind, status from finance.payment_reconciliation"
        ).fetchall()
    finally:
        con.close()
    got = pl.DataFrame(rows, schema=[*KEYS, "got"], orient="row")
    truth = pl.read_csv(home.root / "truth" / TRUTH_FILE, infer_schema=False)
    assert truth.height > 1_000
    assert got.height == truth.height  # nothing reconciled that the truth does not know
    scored = truth.join(got, on=KEYS, how="left")
    accuracy = (scored["got"] == scored["status"]).sum() / truth.height
    assert accuracy >= 0.99, scored.filter(pl.col("got") != pl.col("status"))
    statuses = dict(got.group_by("got").len().iter_rows())
    assert statuses["matched"] / got.height > 0.85
    for fault in ("missing_settlement", "amount_mismatch", "fee_variance", "chargeback"):
        assert statuses.get(fault, 0) > 0, statuses
    assert statuses.get("unexpected_settlement", 0) > 0


def test_an_expected_payment_without_reference_matches_by_order() -> None:
    """A WooCommerce refund names no Stripe id: it settles by order number and kind."""
    expected = pl.DataFrame(
        {
            "order_id": ["woocommerce:10", "woocommerce:11"],
            "processor": ["stripe", "stripe"],
            "processor_ref": [None, None],
            "order_ref": ["10", "11"],
            "kind": ["refund", "refund"],
            "expected_amount": [Decimal("5.40"), Decimal("7.00")],
            "currency": ["USD", "USD"],
        }
    ).cast(EXPECTED_SCHEMA)  # type: ignore[arg-type]
    settled = pl.DataFrame(
        {
            "processor": ["stripe"],
            "processor_ref": ["re_10"],
            "order_ref": ["10"],
            "kind": ["refund"],
            "gross": [Decimal("-5.40")],
            "fee": [Decimal("0.00")],
            "currency": ["usd"],
        }
    )
    out = reconcile(expected, settled).sort("order_ref")
    assert out.select("processor_ref", "status").rows() == [
        ("re_10", "matched"),
        (None, "missing_settlement"),
    ]
