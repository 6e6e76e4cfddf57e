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

WORLD = {"orders": 200, "days": 7, "seed": 5, "api_orders": 2_000, "inventory": False}
KEYS = ["processor", "order_ref", "kind"]


def _settlement_bytes(root: Path) -> dict[str, bytes]:
    folder = root / "landing" / "settlements"
    return {str(p.relative_to(folder)): p.read_bytes() for p in sorted(folder.rglob("*.*"))}


def test_reconciliation_of_the_generated_world_matches_its_truth(tmp_path: Path) -> None:
    """All four processors settle the world's payments; every status as the truth says."""
    summary = generate_world(tmp_path / "a", **WORLD)
    generate_world(tmp_path / "b", **WORLD)
    files = _settlement_bytes(tmp_path / "a")
    assert files == _settlement_bytes(tmp_path / "b")
    assert summary.settlement_files == len(files) >= 4
    assert {name.split("/")[0] for name in files} == {
        "amazon",
        "paypal",
        "shopify_payments",
        "stripe",
    }
    home = Home(tmp_path / "a")
    report = run_pipeline(home)
    assert all(report.checks.values()), report.checks
    con = duckdb.connect(str(home.catalog), read_only=True)
    try:
        rows = con.execute(
            "select processor, order_ref, kind, status, matched_by "
            "from finance.payment_reconciliation"
        ).fetchall()
        one = lambda sql: con.execute(sql).fetchall()[0][0]  # noqa: E731
        # WooCommerce orders paid with PayPal keep their gateway and PayPal's id; the
        # card ones (Payment Plugins for Stripe: card, Apple Pay, Google Pay gateways)
        # their Stripe charge id
        sales = con.execute(
            "select gateway, processor_ref from core.payments "
            "where source = 'woocommerce' and kind = 'sale'"
        ).fetchall()
        paypal = [(g, ref) for g, ref in sales if not g.startswith("stripe")]
        assert paypal
        assert {g for g, _ in paypal} == {"ppcp-gateway"}
        assert all(len(ref) == 17 and not ref.startswith("ch_") for _, ref in paypal)
        cards = [(g, ref) for g, ref in sales if g.startswith("stripe")]
        assert {g for g, _ in cards} == {"stripe_cc", "stripe_applepay", "stripe_googlepay"}
        assert all(ref.startswith("ch_3W") for _, ref in cards)
        # Amazon's fees, chargebacks and deposits are booked like everyone's
        for event, account in (("processor_fee", "6100"), ("payout", "1010")):
            booked = one(
                "select count(*) from finance.gl_journal j join finance.settlements s "
                f"on j.source_ref = s.processor || ':' || s.transaction_ref || ':' || s.kind "
                f"where s.processor = 'amazon' and j.source_event = '{event}' "
                f"and j.account = '{account}'"
            )
            assert booked > 0, event
        assert one("select sum(debit_base) - sum(credit_base) from finance.gl_journal") == 0
    finally:
        con.close()
    got = pl.DataFrame(rows, schema=[*KEYS, "got", "matched_by"], orient="row")
    truth = pl.read_csv(home.root / "truth" / TRUTH_FILE, infer_schema=False)
    assert truth.height > 1_000
    assert got.height == truth.height  # nothing reconciled that the truth does not know
    scored = truth.join(got, on=KEYS, how="left")
    for processor, part in scored.group_by("processor"):
        accuracy = (part["got"] == part["status"]).sum() / part.height
        assert accuracy >= 0.99, (processor, part.filter(pl.col("got") != pl.col("status")))
        faults = part.filter(pl.col("status") != "matched")
        assert faults.height > 0, processor
        assert (faults["got"] == faults["status"]).all(), processor
    statuses = dict(got.group_by("got").len().iter_rows())
    assert statuses["matched"] / got.height > 0.85
    for fault in ("missing_settlement", "amount_mismatch", "fee_variance", "chargeback"):
        assert statuses.get(fault, 0) > 0, statuses
    assert statuses.get("unexpected_settlement", 0) > 0
    # refunds whose settlement lost its order reference were found by amount and date
    assert set(got["matched_by"].drop_nulls()) == {"reference", "order", "amount_date"}


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
