"""EDI shipments end to end, through real Dagster runs: the 3PL's 945s become DC stock
movements, invoices are dated by the first shipment, the b2b_invoice and COGS entries
by the ship day, and a second run posts nothing."""

from __future__ import annotations

from pathlib import Path

import duckdb
import polars as pl
import pytest

from oms_hub.home import Home
from oms_hub.pipeline import run_pipeline
from oms_hub.storage.lake import Lake
from oms_hub.world import generate_world


@pytest.fixture(scope="module")
def shipped_home(tmp_path_factory: pytest.TempPathFactory) -> tuple[Home, dict]:
    root: Path = tmp_path_factory.mktemp("edi_ship")
    generate_world(root, orders=400, days=6, seed=5, edi_orders=60)
    home = Home(root)
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("OMS_HUB_AR_AS_OF", "2026-12-31")
        first = run_pipeline(home)
        assert all(first.checks.values()), first.checks
        second = run_pipeline(home)
        assert all(second.checks.values()), second.checks
    return home, {"first": first.assets, "second": second.assets}


def query(home: Home, sql: str) -> pl.DataFrame:
    with duckdb.connect(str(home.catalog), read_only=True) as con:
        return con.sql(sql).pl()


def _truth(home: Home) -> pl.DataFrame:
    return pl.read_csv(home.truth / "edi_shipments.csv").with_columns(
        pl.col("shipped_at").str.to_datetime(time_zone="UTC")
    )


def test_945s_move_dc_stock_shipment_by_shipment(shipped_home) -> None:
    home, _ = shipped_home
    truth = _truth(home)
    assert truth["shipment_id"].n_unique() > 10
    assert truth.group_by("order_id").agg(pl.col("shipment_id").n_unique())["shipment_id"].max() > 1
    moves = query(
        home,
        "select shipment_id, sku, location_id, reference as order_id, moved_at, "
        "-quantity as quantity from core.inventory_movements where shipment_id is not null",
    ).cast({"quantity": pl.Int64})
    key = ["shipment_id", "sku", "location_id", "order_id", "shipped_at"]
    want = truth.group_by(key).agg(pl.col("quantity").sum()).sort(key)
    got = moves.rename({"moved_at": "shipped_at"}).group_by(key).agg(pl.col("quantity").sum())
    assert got.sort(key).equals(want.cast(got.schema))
    assert set(got["location_id"]) <= {"DC-WEST", "DC-EAST"}


def test_bad_945s_are_quarantined_with_their_kind(shipped_home) -> None:
    home, _ = shipped_home
    planted = pl.read_csv(home.truth / "edi_shipments_injected.csv")
    assert set(planted["kind"]) == {"unknown_order", "unknown_sku", "over_shipped"}
    found = query(
        home,
        "select landed_file as file, regexp_extract(excerpt, '^945 (\\S+) for', 1) shipment_id,"
        " error_code as kind from ops.quarantine where excerpt like '945 %'",
    )
    assert found.sort("shipment_id").equals(
        planted.select("file", "shipment_id", "kind").sort("shipment_id")
    )
    audit = query(
        home,
        "select sum(records - loaded - quarantined - superseded - pending) off, sum(pending) p "
        "from ops.load_audit where source = 'edi'",
    ).row(0)
    assert audit == (0, 0)


def test_invoices_come_from_shipments_on_the_first_ship_day(shipped_home) -> None:
    home, _ = shipped_home
    first = _truth(home).group_by("order_id").agg(invoiced_on=pl.col("shipped_at").min().dt.date())
    inv = query(
        home,
        "select order_id, invoiced_on, shipped_from, due_on - invoiced_on d, terms_days "
        "from finance.ar_invoices",
    )
    assert set(inv["shipped_from"]) == {"shipment"}
    assert inv.select("order_id", "invoiced_on").sort("order_id").equals(first.sort("order_id"))
    assert (inv["d"] == inv["terms_days"]).all()
    live = query(
        home, "select count(*) n from core.orders where channel='edi' and status<>'cancelled'"
    )["n"][0]
    assert live > inv.height  # the ones not shipped in the window are not invoiced yet
    outbox = sorted(p.name for p in (home.outbox / "edi").glob("810-*"))
    assert len(outbox) == inv.height
    text = next((home.outbox / "edi").glob("810-*")).read_text()
    assert "DTM*011*" in text  # shipped date on the 810


def test_gl_entries_are_dated_on_shipment_balanced_and_posted_once(shipped_home) -> None:
    home, assets = shipped_home
    entries = query(
        home,
        "select entry_id, min(event_date) d, sum(debit_base) - sum(credit_base) diff "
        "from finance.gl_journal group by entry_id",
    )
    assert (entries["diff"] == 0).all()
    b2b = entries.filter(pl.col("entry_id").str.starts_with("b2b_invoice:")).select(
        order_id=pl.col("entry_id").str.strip_prefix("b2b_invoice:"), invoiced_on="d"
    )
    inv = query(home, "select order_id, invoiced_on from finance.ar_invoices")
    assert b2b.sort("order_id").equals(inv.sort("order_id"))
    # one COGS entry per 945 shipment, dated on its ship day
    cogs = entries.filter(pl.col("entry_id").str.contains("/SH-")).select(
        shipment_id=pl.col("entry_id").str.extract(r"/(SH-.+)$"), d="d"
    )
    want = (
        _truth(home)
        .group_by("shipment_id")
        .agg(d=pl.col("shipped_at").min().dt.date())
        .sort("shipment_id")
    )
    assert cogs.sort("shipment_id").equals(want)
    # receivables (1200) in the journal equal the invoices
    ar = query(
        home,
        "select sum(debit) - sum(credit) v from finance.gl_journal "
        "where source_event = 'b2b_invoice' and account = '1200'",
    )["v"][0]
    assert ar == query(home, "select sum(amount) v from finance.ar_invoices")["v"][0]
    assert assets["second"]["finance/gl_journal"]["entries_posted"] == 0


def test_shipped_lines_are_not_allocated_again_and_846s_match_the_books(shipped_home) -> None:
    home, _ = shipped_home
    lake = Lake(home)
    allocated = (
        lake.read("core.allocations")
        .group_by("order_id", "sku")
        .agg(pl.col("quantity").sum().alias("allocated"))
    )
    ordered = query(
        home,
        "select l.order_id, l.sku, sum(l.quantity) ordered from core.order_lines l "
        "join core.orders o using (order_id) where o.channel='edi' and o.status='open' "
        "group by all",
    )
    shipped = (
        _truth(home).group_by("order_id", "sku").agg(pl.col("quantity").sum().alias("shipped"))
    )
    check = (
        ordered.join(shipped, on=["order_id", "sku"], how="left")
        .join(allocated, on=["order_id", "sku"], how="left")
        .with_columns(pl.col("shipped", "allocated").fill_null(0))
    )
    assert check.filter(pl.col("shipped") > 0).height > 0
    assert (check["allocated"] <= check["ordered"] - check["shipped"]).all()
    edi846 = query(
        home, "select count(*) n from core.inventory_discrepancies where count_source='edi_846'"
    )["n"][0]
    assert edi846 == 0
    assert (
        query(home, "select count(*) n from core.inventory_counts where count_source='edi_846'")[
            "n"
        ][0]
        > 0
    )
