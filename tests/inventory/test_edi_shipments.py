"""945 shipments checked against the orders, then as stock movements and COGS events."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import polars as pl

from oms_hub.connectors.edi import parse_edi
from oms_hub.connectors.edi.partners import load_partners
from oms_hub.finance.events import inventory_events
from oms_hub.inventory.edi_shipments import edi_shipments
from oms_hub.inventory.ledger import build_ledger, sale_movements, shipment_movements
from oms_hub.quality.contracts import contract
from tests.connectors.edi.samples import x12_945, x12_interchange

ACME = "edi:ACMESTORES:PO-1001"


def _orders() -> pl.DataFrame:
    return pl.DataFrame(
        {
            "order_id": [ACME, "edi:ACMESTORES:PO-CXL", "pos:1"],
            "channel": ["edi", "edi", "pos"],
            "status": ["open", "cancelled", "completed"],
        }
    )


def _lines() -> pl.DataFrame:
    return pl.DataFrame(
        {
            "order_id": [ACME, ACME, "edi:ACMESTORES:PO-CXL"],
            "sku": ["SKU-1", "SKU-2", "SKU-1"],
            "quantity": [10, 3, 5],
        },
        schema_overrides={"quantity": pl.Int32},
    )


def _products() -> pl.DataFrame:
    return pl.DataFrame(
        {
            "sku": ["SKU-1", "SKU-2", "SKU-3"],
            "upc": ["012345678905", "012345678912", "012345678929"],
            "cost": [Decimal("2.50"), Decimal("4.00"), Decimal("1.00")],
            "currency": ["USD"] * 3,
        },
        schema_overrides={"cost": pl.Decimal(18, 2)},
    )


def _staged(*sets: list[str], control: str = "000000101") -> pl.DataFrame:
    payload = x12_interchange([("SW", list(sets))], sender="3PLWEST", control=control)
    result = parse_edi(payload, landed_file=f"edi/ship-{control}.x12")
    assert result.quarantine.is_empty()
    return result.staged


def _run(staged: pl.DataFrame):
    return edi_shipments(staged, _orders(), _lines(), _products(), load_partners())


def test_partial_shipments_are_kept_apart_and_map_to_the_dc() -> None:
    staged = _staged(
        x12_945(shipment="SH-1", items=(("SKU-1", "10", "6"), ("SKU-2", "3", "3"))),
        x12_945(
            shipment="SH-2", items=(("SKU-1", "10", "4"),), set_control="0002", ship_date="20261005"
        ),
    )
    shipped, quarantine = _run(staged)
    assert quarantine.is_empty()
    assert shipped.select("shipment_id", "sku", "quantity", "location_id").rows() == [
        ("SH-1", "SKU-1", 6, "DC-WEST"),
        ("SH-1", "SKU-2", 3, "DC-WEST"),
        ("SH-2", "SKU-1", 4, "DC-WEST"),
    ]
    assert set(shipped["order_id"]) == {ACME}
    assert shipped["shipped_at"].to_list()[-1] == dt.datetime(2026, 10, 5, 14, 32, tzinfo=dt.UTC)

    moves = build_ledger([shipment_movements(shipped.lazy())]).collect()
    contract("core.inventory_movements").conform(moves)  # the ledger contract holds
    assert set(moves["kind"]) == {"sale"}
    assert set(moves["reference"]) == {ACME}
    assert moves["quantity"].sum() == -13
    assert sorted(moves["shipment_id"].unique()) == ["SH-1", "SH-2"]
    assert set(moves["landed_file"]) == {"edi/ship-000000101.x12"}

    # COGS: one shipment event per 945, so the second part posts its own cost later.
    events = inventory_events(moves.lazy(), _products().lazy()).collect()
    assert events.select("event_id", "cost", "occurred_on").sort("event_id").rows() == [
        (f"shipment:{ACME}@DC-WEST/SH-1", Decimal("27.00"), dt.date(2026, 10, 3)),
        (f"shipment:{ACME}@DC-WEST/SH-2", Decimal("10.00"), dt.date(2026, 10, 5)),
    ]


def test_store_sales_keep_their_event_ids() -> None:
    lines = pl.DataFrame(
        {
            "order_id": ["pos:1"],
            "sku": ["SKU-3"],
            "location_id": ["S1"],
            "ordered_at": [dt.datetime(2026, 10, 1, 12, tzinfo=dt.UTC)],
            "quantity": [2],
            "source": ["pos"],
            "landed_file": ["pos/a.csv"],
            "locator": ["row 2"],
        }
    )
    moves = build_ledger([sale_movements(lines.lazy(), _orders().lazy())]).collect()
    assert moves["shipment_id"].to_list() == [None]
    events = inventory_events(moves.lazy(), _products().lazy()).collect()
    assert events["event_id"].to_list() == ["shipment:pos:1@S1"]


def test_bad_945s_are_quarantined_whole_with_the_reason() -> None:
    staged = _staged(
        x12_945("edi:ACMESTORES:NOPE", "SH-A"),
        x12_945(shipment="SH-B", items=(("SKU-9", "1", "1"),), set_control="0002"),
        x12_945(shipment="SH-C", items=(("SKU-3", "1", "1"),), set_control="0003"),
        x12_945("edi:ACMESTORES:PO-CXL", "SH-D", set_control="0004"),
        x12_945(shipment="SH-E", warehouse="WHSE99", set_control="0005"),
        x12_945(shipment="SH-F", items=(("SKU-1", "10", "7"),), set_control="0006"),
        x12_945(
            shipment="SH-G",
            items=(("SKU-1", "10", "4"), ("SKU-2", "3", "1")),
            set_control="0007",
            ship_date="20261004",
        ),
    )
    shipped, quarantine = _run(staged)
    codes = dict(
        zip(
            quarantine["excerpt"].str.extract(r"^945 (\S+)"),
            quarantine["error_code"],
            strict=True,
        )
    )
    assert codes == {
        "SH-A": "unknown_order",
        "SH-B": "unknown_sku",
        "SH-C": "sku_not_on_order",
        "SH-D": "unknown_order",  # cancelled orders do not ship
        "SH-E": "unknown_location",
        "SH-G": "over_shipped",  # 7 + 4 of SKU-1 > 10 ordered; SH-F came first
    }
    assert set(quarantine["stage"]) == {"conform"}
    msg = quarantine.filter(pl.col("error_code") == "over_shipped")["error"][0]
    assert "bring order edi:ACMESTORES:PO-1001 to 11, 10 were ordered" in msg
    # SH-G is rejected whole: its good SKU-2 line does not move stock either.
    assert shipped.select("shipment_id", "sku", "quantity").rows() == [("SH-F", "SKU-1", 7)]
