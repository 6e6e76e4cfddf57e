"""Receivables through real Dagster runs: shipped EDI orders invoiced (810s in the outbox),
lockbox receipts staged, audited and booked, finance.ar_aging published and scored
against the lockbox generator's truth."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from pathlib import Path

import duckdb
import polars as pl
import pytest

from oms_hub.home import Home
from oms_hub.pipeline import run_pipeline
from oms_hub.storage.lake import Lake
from oms_hub.world import generate_world
from oms_hub.world.lockbox import write_lockbox_world

AS_OF = "2027-06-30"  # after every generated deposit: balances = amount - all paid


@pytest.fixture(scope="module")
def ar_home(tmp_path_factory: pytest.TempPathFactory) -> Home:
    root = tmp_path_factory.mktemp("ar_world")
    generate_world(root, orders=400, days=6, seed=5, edi_orders=60)
    home = Home(root)
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("OMS_HUB_AR_AS_OF", AS_OF)
        first = run_pipeline(home)
        assert all(first.checks.values()), first.checks
        write_lockbox_world(root, Lake(home).read("finance.ar_invoices"), seed=3)
        second = run_pipeline(home)
        assert all(second.checks.values()), second.checks
        assert second.assets["finance/ar_aging"]["invoice_files_written"] == 0  # once only
    return home


def query(home: Home, sql: str) -> pl.DataFrame:
    with duckdb.connect(str(home.catalog), read_only=True) as con:
        return con.sql(sql).pl()


def test_invoices_equal_shipped_edi_orders_to_the_cent_with_an_810_each(ar_home: Home) -> None:
    got = query(
        ar_home,
        "select i.invoice_id, i.amount, o.total, i.invoice_file, i.due_on - i.invoiced_on as d, "
        "i.terms_days from finance.ar_invoices i join core.orders o using (order_id) order by 1",
    )
    shipped = pl.read_csv(ar_home.truth / "edi_shipments.csv")["order_id"].n_unique()
    assert got.height == shipped > 20
    assert (got["amount"] == got["total"]).all()
    assert (got["d"] == got["terms_days"]).all()
    outbox = ar_home.outbox / "edi"
    assert sorted(p.name for p in outbox.glob("810-*")) == sorted(got["invoice_file"])
    for row in got.iter_rows(named=True):
        text = (outbox / row["invoice_file"]).read_text()
        tds = next(s for s in text.split("~\n") if s.startswith("TDS*"))
        assert Decimal(tds.split("*")[1]) / 100 == row["amount"]


def test_ar_aging_is_published_and_matches_the_lockbox_truth(ar_home: Home) -> None:
    truth = pl.read_csv(ar_home.truth / "lockbox_truth.csv", infer_schema=False)
    inv = query(ar_home, "select invoice_id, amount, due_on from finance.ar_invoices")
    expected = (
        inv.join(truth, on="invoice_id")
        .with_columns(balance=pl.col("amount") - pl.col("paid").cast(pl.Decimal(18, 2)))
        .filter(pl.col("balance") != 0)
        .sort("invoice_id")
    )
    assert set(expected["fate"]) == {"partial", "unpaid"}
    aging = query(
        ar_home,
        "select invoice_id, balance, bucket, days_past_due, as_of from finance.ar_aging order by 1",
    )
    assert aging["invoice_id"].to_list() == expected["invoice_id"].to_list()
    assert aging["balance"].to_list() == expected["balance"].to_list()
    assert set(aging["as_of"]) == {dt.date.fromisoformat(AS_OF)}
    days = (dt.date.fromisoformat(AS_OF) - expected["due_on"]).dt.total_days()
    assert aging["days_past_due"].to_list() == days.to_list()
    assert set(aging["bucket"]) == {"90+"}


def test_receipts_are_audited_and_booked(ar_home: Home) -> None:
    audit = query(
        ar_home,
        "select sum(records) r, sum(loaded) l, sum(quarantined) q, sum(superseded) s, "
        "sum(pending) p from ops.load_audit where source = 'lockbox'",
    ).row(0)
    receipts = query(ar_home, "select count(*) n, sum(amount) a from finance.ar_receipts").row(0)
    assert audit == (receipts[0] + 2, receipts[0], 2, 0, 0)
    codes = query(
        ar_home, "select error_code from ops.quarantine where source='lockbox' order by 1"
    )["error_code"].to_list()
    assert codes == ["bad_amount", "missing_invoice"]
    booked = query(
        ar_home,
        "select sum(credit) - sum(debit) c from finance.gl_journal "
        "where source_event = 'b2b_payment' and account = '1200'",
    )["c"][0]
    assert booked == receipts[1] > 0
    assert Path(ar_home.catalog).exists()
