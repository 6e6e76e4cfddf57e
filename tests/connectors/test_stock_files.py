"""Stock-file parsers: every record staged or quarantined with a reason, signs and times right."""

from __future__ import annotations

from datetime import UTC, datetime

import polars as pl

from oms_hub.connectors.inventory import (
    parse_opening_balances,
    parse_receipts,
    parse_store_counts,
    parse_transfers,
    parse_wms_snapshot,
    stock_file_kind,
)


def _balanced(result) -> None:
    assert result.records == result.staged.height + result.rejected


def test_file_kinds_from_names() -> None:
    assert stock_file_kind("inventory/opening-balances-2026-10-01.csv") == "opening"
    assert stock_file_kind("inventory/receipts-2026-10-02.csv") == "receipts"
    assert stock_file_kind("inventory/transfers-2026-10-02.csv") == "transfers"
    assert stock_file_kind("inventory/pos-stock-count-STORE-NYC-01-2026-10-04.csv") == (
        "store_counts"
    )
    assert stock_file_kind("inventory/wms-snapshot-DC-EAST-2026-10-07.csv") == "wms_snapshots"
    assert stock_file_kind("inventory/notes.txt") is None


def test_store_count_local_time_with_offset_becomes_utc_and_bad_rows_quarantine() -> None:
    payload = (
        b"Location ID,SKU,Item Name,Counted Qty,Counted At,Count Type\n"
        b'STORE-NYC-01,SKU-000001,"Skillet, 10""",4,2026-10-04 08:00:00 -04:00,cycle count\n'
        b"STORE-NYC-01,SKU-000002,Mug,twelve,2026-10-04 08:00:00 -04:00,cycle count\n"
        b"STORE-NYC-01,SKU-000003,Mug,2,not a time,cycle count\n"
        b"STORE-NYC-01,SKU-000004,Mug,-1,2026-10-04 08:00:00 -04:00,cycle count\n"
        b"STORE-NYC-01,,Mug,1,2026-10-04 08:00:00 -04:00,cycle count\n"
    )
    result = parse_store_counts(payload, landed_file="inventory/c.csv")
    _balanced(result)
    assert result.staged.height == 1
    row = result.staged.row(0, named=True)
    assert row["counted_at"] == datetime(2026, 10, 4, 12, tzinfo=UTC)
    assert row["counted_qty"] == 4
    assert row["locator"] == "row 1"
    codes = dict(zip(result.quarantine["locator"], result.quarantine["error_code"], strict=True))
    assert codes == {
        "row 2": "bad_quantity",
        "row 3": "bad_timestamp",
        "row 4": "bad_quantity",
        "row 5": "missing_field",
    }
    assert "twelve" in result.quarantine.filter(pl.col("locator") == "row 2")["error"].item()


def test_transfer_events_take_from_sender_and_give_to_receiver() -> None:
    payload = (
        b"transfer_id,event,from_location_id,to_location_id,sku,quantity,event_at\n"
        b"TR-1,shipped,DC-EAST,STORE-NYC-01,SKU-000001,5,2026-10-02T14:00:00Z\n"
        b"TR-1,received,DC-EAST,STORE-NYC-01,SKU-000001,5,2026-10-04T10:00:00Z\n"
        b"TR-2,lost,DC-EAST,STORE-NYC-01,SKU-000001,5,2026-10-04T10:00:00Z\n"
    )
    result = parse_transfers(payload, landed_file="inventory/t.csv")
    _balanced(result)
    rows = result.staged.select("kind", "location_id", "quantity", "counterpart_location_id")
    assert rows.rows() == [
        ("transfer_out", "DC-EAST", -5, "STORE-NYC-01"),
        ("transfer_in", "STORE-NYC-01", 5, "DC-EAST"),
    ]
    assert result.quarantine["error_code"].to_list() == ["bad_event"]
    assert result.staged["version_key"].n_unique() == 2


def test_opening_receipts_and_wms_snapshot() -> None:
    opening = parse_opening_balances(
        b"location_id,sku,on_hand,as_of\nDC-EAST,SKU-000001,40,2026-10-01T00:00:00Z\n"
        b"DC-EAST,SKU-000002,4O,2026-10-01T00:00:00Z\n",
        landed_file="inventory/o.csv",
    )
    _balanced(opening)
    assert opening.staged["quantity"].to_list() == [40]
    receipts = parse_receipts(
        b"receipt_id,po_number,location_id,sku,quantity,received_at\n"
        b"R1,PO-1,DC-WEST,SKU-000001,0,2026-10-02T10:00:00Z\n"
        b"R2,PO-1,DC-WEST,SKU-000001,12,2026-10-02T10:00:00Z\n",
        landed_file="inventory/r.csv",
    )
    _balanced(receipts)
    assert receipts.staged.select("kind", "reference", "quantity").rows() == [("receipt", "R2", 12)]
    assert receipts.quarantine["error_code"].to_list() == ["bad_quantity"]  # zero units
    wms = parse_wms_snapshot(
        b"WHSE_ID,ITEM_NO,QTY_ON_HAND,SNAPSHOT_UTC\nDC-WEST,SKU-000001,7,2026-10-07T06:00:00Z\n"
        b"DC-WEST,SKU-000002,7,2026-13-45T99:00:00Z\n",
        landed_file="inventory/w.csv",
    )
    _balanced(wms)
    assert wms.staged["count_source"].to_list() == ["wms_snapshot"]
    assert wms.quarantine["error_code"].to_list() == ["bad_timestamp"]


def test_empty_file_stages_nothing_with_the_right_columns() -> None:
    result = parse_wms_snapshot(
        b"WHSE_ID,ITEM_NO,QTY_ON_HAND,SNAPSHOT_UTC\n", landed_file="inventory/w.csv"
    )
    assert result.records == 0
    assert result.staged.height == 0
    assert {"sku", "counted_at", "version_key", "locator"} <= set(result.staged.columns)
