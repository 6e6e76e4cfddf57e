"""X12 945 warehouse shipping advice: fields read set-wise, bad segments rejected with a
reason, acknowledged in the 997 like every other set."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import polars as pl
import pytest

from oms_hub.connectors.edi import parse_edi
from oms_hub.connectors.edi.acks import acknowledge
from tests.connectors.edi.samples import x12_945, x12_interchange

DIGEST = "cd" * 32


def _parse(*sets: list[str]):
    payload = x12_interchange([("SW", list(sets))], sender="3PLWEST")
    return parse_edi(payload, landed_file="edi/ship.x12"), payload


def test_945_fields_lines_and_shipment_version_key() -> None:
    result, _ = _parse(x12_945(), x12_945("edi:BIGBOXCO:PO-9", "SH-2", set_control="0002"))
    assert result.records == 2 == result.staged.height
    assert result.quarantine.is_empty()
    row = result.staged.row(0, named=True)
    assert row["document_type"] == "945"
    assert row["document_number"] == "edi:ACMESTORES:PO-1001"  # W06-02, our order id
    assert row["version_key"] == "shipment:3PLWEST:SH-1"  # a corrected 945 supersedes
    assert row["document_at"] == dt.datetime(2026, 10, 3, 14, 32, tzinfo=dt.UTC)  # G62*11
    assert row["warehouse_id"] == "WHSE01"  # N1*SF, not the buyer's N1*ST store
    assert row["carrier"] == "UPS Ground"
    assert {"qualifier": "SI", "value": "SH-1"} in row["references"]
    assert {"qualifier": "PO", "value": "PO-1001"} in row["references"]
    assert row["declared_quantity_total"] == Decimal("12")
    assert [(ln["quantity"], ln["quantity_qualifier"]) for ln in row["lines"]] == [
        (Decimal("10"), "CC"),
        (Decimal("2"), "CP"),
    ]
    assert row["lines"][0]["item_ids"] == [{"qualifier": "VN", "value": "SKU-1"}]


def test_945_upc_in_w12_06_is_an_item_id() -> None:
    s = x12_945(items=(("SKU-1", "1", "1"),))
    s = [seg.replace("EA**VN*SKU-1", "EA*012345678905*VN*SKU-1") for seg in s]
    result, _ = _parse(s)
    assert result.staged["lines"][0][0]["item_ids"] == [
        {"qualifier": "UP", "value": "012345678905"},
        {"qualifier": "VN", "value": "SKU-1"},
    ]


@pytest.mark.parametrize(
    ("mutate", "code", "words"),
    [
        (lambda s: [x for x in s if not x.startswith("W06")], "missing_segment", "no W06"),
        (
            lambda s: [x.replace("W06*N*edi:ACMESTORES:PO-1001", "W06*N*") for x in s],
            "missing_field",
            "W06-02",
        ),
        (lambda s: [x.replace("*SH-1*", "**") for x in s], "missing_field", "W06-04"),
        (lambda s: [x.replace("20261003", "20261345") for x in s], "bad_date", "ship date"),
        (
            lambda s: [x for x in s if not x.startswith(("W12", "LX"))],
            "missing_segment",
            "no W12",
        ),
        (lambda s: [x.replace("W03*12", "W03*13") for x in s], "count_mismatch", "W03-01"),
        (
            lambda s: [x.replace("*10*10*0*", "*10*ten*0*").replace("W03*12", "W03*2") for x in s],
            "bad_quantity",
            "ten",
        ),
        (lambda s: [x.replace("**VN*SKU-1", "**") for x in s], "missing_field", "names no item"),
    ],
)
def test_bad_945_is_rejected_with_a_reason_and_the_997_says_so(mutate, code, words) -> None:
    body = mutate(x12_945())
    # keep SE01 honest so only the planted problem shows
    body = [*body[:-1], f"SE*{len(body)}*0001"]
    result, payload = _parse(body, x12_945("edi:X:PO-2", "SH-2", set_control="0002"))
    assert result.records == 2
    assert result.staged["version_key"].to_list() == ["shipment:3PLWEST:SH-2"]
    rejected = result.quarantine.filter(pl.col("action") == "rejected")
    assert rejected["error_code"].to_list() == [code]
    assert words in rejected["error"][0]
    (ack,) = acknowledge(payload, digest=DIGEST)
    text = ack.payload.decode()
    assert "AK2*945*0001~" in text
    assert "AK2*945*0002~" in text
    assert "AK5*R" in text
    assert "AK9*P*2*2*1" in text
    if code == "bad_quantity":  # the 997 points at W12-03, units shipped
        assert "AK4*3**6" in text


def test_good_945_is_acknowledged_accepted() -> None:
    _, payload = _parse(x12_945())
    (ack,) = acknowledge(payload, digest=DIGEST)
    assert ack.accepted == 1
    assert ack.rejected == 0
    assert "AK1*SW*1~" in ack.payload.decode()
