"""Settlement files through a real Dagster run: staged, audited, reconciled, booked."""

from __future__ import annotations

from decimal import Decimal

import duckdb
import polars as pl

from oms_hub.home import Home
from oms_hub.pipeline import run_pipeline
from oms_hub.steps.finance import expected_payments
from oms_hub.world.settlements import settlement_world, write_settlement_world


def test_settlements_are_loaded_reconciled_and_booked(built_home: Home, copy_home) -> None:
    home = copy_home(built_home)
    world = settlement_world(400, seed=4)
    write_settlement_world(home.root, world)
    report = run_pipeline(home)
    assert all(report.checks.values()), report.checks
    con = duckdb.connect(str(home.catalog), read_only=True)
    try:
        one = lambda sql: con.execute(sql).fetchall()[0][0]  # noqa: E731
        rows = one("select count(*) from finance.settlements")
        assert rows > 300
        audit = con.execute(
            "select sum(records), sum(loaded), sum(quarantined) from ops.load_audit "
            "where source = 'settlements'"
        ).fetchall()[0]
        assert audit == (rows, rows, 0)
        fees = one("select sum(fee) from finance.settlements where fee <> 0")
        booked = one(
            "select sum(debit) - sum(credit) from finance.gl_journal "
            "where source_event = 'processor_fee' and account = '6100'"
        )
        assert booked == fees != 0
        taken = one("select sum(abs(gross)) from finance.settlements where kind = 'chargeback'")
        assert taken > 0
        assert (
            one(
                "select sum(debit) from finance.gl_journal "
                "where source_event = 'chargeback' and account = '6200'"
            )
            == taken
        )
        statuses = dict(
            con.execute(
                "select status, count(*) from finance.payment_reconciliation group by 1"
            ).fetchall()
        )
        # This world has no web payments, so nothing was expected: every settled charge or
        # refund is unexpected, every chargeback reported once.
        charges = one(
            "select count(*) from (select distinct processor, processor_ref, kind "
            "from finance.settlements where kind in ('charge', 'refund'))"
        )
        assert sum(statuses.values()) >= charges
        assert set(statuses) <= {"unexpected_settlement", "chargeback"}
    finally:
        con.close()


def test_expected_payments_follow_the_gateway_and_settlement_reference() -> None:
    payments = pl.DataFrame(
        {
            "payment_id": ["shopify:1", "shopify:2", "woocommerce:3", "amazon:4", "pos:5"],
            "order_id": ["shopify:A", "shopify:A", "woocommerce:B", "amazon:C", "pos:D"],
            "channel": ["web", "web", "web", "marketplace", "pos"],
            "kind": ["capture", "refund", "sale", "capture", "sale"],
            "status": ["success", "success", "completed", None, "success"],
            "processed_at": [None] * 5,
            "amount": [
                Decimal("50.00"),
                Decimal("5.00"),
                Decimal("20.00"),
                Decimal("9.99"),
                Decimal("3.00"),
            ],
            "currency": ["USD"] * 5,
            "gateway": ["shopify_payments", "shopify_payments", "stripe", None, "cash"],
            "processor_ref": ["tok1", "tok2", "ch_9", None, None],
            "source": ["shopify", "shopify", "woocommerce", "amazon", "pos"],
            "landed_file": ["f"] * 5,
            "locator": ["order 1"] * 5,
        }
    )
    orders = pl.DataFrame(
        {
            "order_id": ["shopify:A", "woocommerce:B", "amazon:C"],
            "order_number": ["#1001", "77", None],
            "source_order_id": ["A", "B", "111-222"],
        }
    )
    out = expected_payments(payments.lazy(), orders.lazy()).collect().sort("order_id", "kind")
    assert out.select("processor", "processor_ref", "kind", "expected_amount").rows() == [
        ("amazon", "111-222", "charge", Decimal("9.99")),
        ("shopify_payments", "#1001", "charge", Decimal("50.00")),
        ("shopify_payments", "#1001", "refund", Decimal("5.00")),
        ("stripe", "ch_9", "charge", Decimal("20.00")),
    ]
