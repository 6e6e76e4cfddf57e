"""EDI end to end: partner files fetched from a real sshd, parsed, conformed, acknowledged,
acknowledgements uploaded; scored against the generator's ground truth."""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from pathlib import Path

import dagster as dg
import duckdb
import polars as pl
import pytest

from oms_hub.assets.edi import edi_inbox_sensor, inbox_run_requests
from oms_hub.home import Home
from oms_hub.pipeline import run_pipeline
from oms_hub.steps.edi import advice_path
from oms_hub.world import generate_world
from tests.connectors.sftp.sshd import Sshd, start_sshd


def query(home: Home, sql: str) -> pl.DataFrame:
    with duckdb.connect(str(home.catalog), read_only=True) as con:
        return con.sql(sql).pl()


@pytest.fixture(scope="module")
def sshd(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Sshd]:
    server = start_sshd(tmp_path_factory.mktemp("sshd"))
    try:
        yield server
    finally:
        server.stop()


@pytest.fixture(scope="module")
def edi_home(tmp_path_factory: pytest.TempPathFactory, sshd: Sshd) -> Iterator[Home]:
    """A small world whose EDI files wait on the SFTP server, then a full pipeline run."""
    root = tmp_path_factory.mktemp("edi_world")
    generate_world(root, orders=400, days=3, seed=5, edi_orders=36)
    home = Home(root)
    moved = sorted((home.landing / "edi").iterdir())
    # 3 buyers + the 3PL's 846 a day, the re-sent interchange, the 3PL's 945 days
    assert len(moved) == 3 * 4 + 1 + sum(p.name.startswith("ship-") for p in moved)
    for path in moved:
        shutil.move(path, sshd.root / "inbox" / path.name)
    (home.landing / "edi").rmdir()
    with pytest.MonkeyPatch.context() as mp:
        for key, value in sshd.env().items():
            mp.setenv(key, value)
        report = run_pipeline(home)
        assert all(report.checks.values()), report.checks
        assert report.assets["edi/sftp_inbox"]["files_fetched"] == len(moved)
        yield home


def test_files_fetched_archived_and_acknowledged_over_sftp(edi_home: Home, sshd: Sshd) -> None:
    assert list((sshd.root / "inbox").iterdir()) == []
    archived = sorted(p.name for p in (sshd.root / "archive").iterdir())
    assert len(archived) == 13 + sum(n.startswith("ship-") for n in archived)
    assert sorted(p.name for p in (edi_home.landing / "edi").iterdir()) == archived
    sent = sorted(p.name for p in (sshd.root / "outbox").iterdir())
    assert sent == sorted(p.name for p in (edi_home.outbox / "edi").iterdir())
    # One acknowledgement per inbound interchange: 997s for X12, CONTRL for EDIFACT.
    assert sum(n.startswith("997-") for n in sent) == sum(n.endswith(".x12") for n in archived)
    assert sum(n.startswith("CONTRL-") for n in sent) == sum(n.endswith(".edi") for n in archived)


def test_edi_orders_match_truth_to_the_cent(edi_home: Home) -> None:
    truth = pl.read_csv(edi_home.truth / "edi_orders.csv", infer_schema=False)
    got = query(
        edi_home,
        "select order_id, gross_amount::varchar as gross, charge_amount::varchar as charges, "
        "total::varchar as total, line_count from core.orders where channel = 'edi' order by 1",
    )
    assert got.get_column("order_id").to_list() == truth.get_column("order_id").to_list()
    assert got.get_column("total").to_list() == truth.get_column("total").to_list()
    assert got.get_column("charges").to_list() == truth.get_column("charges").to_list()
    sales = pl.read_csv(edi_home.truth / "channel_sales_daily.csv", infer_schema=False).filter(
        pl.col("channel") == "edi"
    )
    mart = query(
        edi_home,
        "select strftime(day, '%Y-%m-%d') as day, orders::varchar as orders, "
        "gross_sales::varchar as gross_sales from marts.rpt_channel_sales_daily "
        "where channel = 'edi' order by day",
    )
    assert mart.rows() == sales.select("day", "orders", "gross_sales").rows()


def test_planted_problems_are_quarantined_with_their_reason(edi_home: Home) -> None:
    planted = pl.read_csv(edi_home.truth / "edi_injected.csv", infer_schema=False)
    assert set(planted.get_column("kind")) == {"unknown_sku", "count_mismatch", "envelope_error"}
    rejected = query(
        edi_home,
        "select landed_file, error_code, excerpt from ops.quarantine "
        "where source = 'edi' and action = 'rejected' and excerpt not like '945 %'",
    )
    assert rejected.height == planted.height
    for row in planted.iter_rows(named=True):
        hits = rejected.filter(
            (pl.col("landed_file") == row["file"])
            & (pl.col("error_code") == row["kind"])
            & pl.col("excerpt").str.contains(row["document_number"], literal=True)
        )
        assert hits.height == 1, row


def test_resent_interchange_loaded_once_and_audit_balances(edi_home: Home) -> None:
    audit = query(edi_home, "select * from ops.load_audit where source = 'edi'")
    assert audit.get_column("unaccounted").abs().sum() == 0
    # The same interchange under two names: whichever landed first is superseded whole.
    copies = audit.filter(pl.col("landed_file").str.starts_with("edi/po-ACMESTORES-20261002"))
    assert copies.height == 2
    loser = copies.sort("superseded").row(1, named=True)
    winner = copies.sort("superseded").row(0, named=True)
    assert loser["superseded"] > 0
    assert loser["loaded"] == 0
    assert loser["superseded"] + loser["quarantined"] == loser["records"]
    assert winner["superseded"] == 0
    assert winner["loaded"] == loser["superseded"]
    dupes = query(
        edi_home, "select order_id, count(*) as n from core.orders group by 1 having n > 1"
    )
    assert dupes.is_empty()


def test_inventory_advice_matches_truth(edi_home: Home) -> None:
    truth = pl.read_csv(edi_home.truth / "edi_inventory.csv", infer_schema=False)
    advice = pl.read_parquet(advice_path(edi_home))
    got = advice.select(
        advised_at=pl.col("advised_at").dt.strftime("%Y-%m-%dT%H:%M:%SZ"),
        location_id="location_id",
        sku="sku",
        quantity=pl.col("quantity").cast(pl.Int64).cast(pl.String),
    ).sort("advised_at", "location_id", "sku")
    assert got.rows() == truth.rows()


def test_sensor_requests_one_run_per_new_file(sshd: Sshd, monkeypatch: pytest.MonkeyPatch) -> None:
    for key, value in sshd.env().items():
        monkeypatch.setenv(key, value)
    (sshd.root / "inbox" / "a.x12").write_bytes(b"ISA first")
    (sshd.root / "inbox" / "b.x12.part").write_bytes(b"ISA partial")
    try:
        first = edi_inbox_sensor(dg.build_sensor_context(cursor=None))
        assert [r.run_key for r in first.run_requests] == [
            f"a.x12:9:{int((sshd.root / 'inbox' / 'a.x12').stat().st_mtime)}"
        ]
        again = edi_inbox_sensor(dg.build_sensor_context(cursor=first.cursor))
        assert again.run_requests == []
    finally:
        for name in ("a.x12", "b.x12.part"):
            (sshd.root / "inbox" / name).unlink()


def test_sensor_cursor_and_unconfigured_skip(monkeypatch: pytest.MonkeyPatch) -> None:
    result = inbox_run_requests([("x.edi", 5, 1)], None)
    assert result.run_requests[0].run_config == {
        "ops": {"edi__sftp_inbox": {"config": {"names": ["x.edi"]}}}
    }
    changed = inbox_run_requests([("x.edi", 6, 2)], result.cursor)
    assert [r.run_key for r in changed.run_requests] == ["x.edi:6:2"]
    monkeypatch.delenv("OMS_HUB_EDI_SFTP_HOST", raising=False)
    skipped = edi_inbox_sensor(dg.build_sensor_context())
    assert isinstance(skipped, dg.SkipReason)


def test_demo_without_sftp_reports_the_no_op(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from oms_hub.steps.edi import fetch_inbox, send_outbox

    monkeypatch.delenv("OMS_HUB_EDI_SFTP_HOST", raising=False)
    home = Home(tmp_path)
    assert fetch_inbox(home)["configured"] is False
    assert "not set" in send_outbox(home)["note"]
