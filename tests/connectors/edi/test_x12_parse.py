"""X12 parsing: separators, groups, 850/846 content, every envelope check."""

from __future__ import annotations

from decimal import Decimal

import polars as pl
import pytest

from oms_hub.connectors.edi import parse_edi
from tests.connectors.edi.samples import x12_846, x12_850, x12_interchange


def _parse(payload: bytes):
    result = parse_edi(payload, landed_file="edi/t.x12")
    assert result.records == result.staged.height + result.rejected
    return result


@pytest.mark.parametrize(
    ("element", "component", "terminator"),
    [
        ("*", ">", "~"),
        ("*", ":", "~\n"),
        ("*", ">", "~\r\n"),
        ("|", "^", "\n"),
        ("\x1d", "\x1f", "\x1c"),
        ("+", ":", "'"),
    ],
)
def test_separators_come_from_isa(element: str, component: str, terminator: str) -> None:
    payload = x12_interchange(
        [("PO", [x12_850()])], element=element, component=component, terminator=terminator
    )
    result = _parse(payload)
    assert result.rejected == 0
    row = result.staged.row(0, named=True)
    assert row["document_number"] == "PO-1001"
    assert [line["quantity"] for line in row["lines"]] == [Decimal(10), Decimal(3)]
    assert row["lines"][0]["item_ids"] == [{"qualifier": "VN", "value": "SKU-1"}]
    assert row["lines"][0]["line_amount"] == Decimal("125.00")


def test_850_fields() -> None:
    row = _parse(x12_interchange([("PO", [x12_850()])])).staged.row(0, named=True)
    assert row["currency"] == "USD"
    assert row["carrier"] == "UPS Ground"
    assert row["version_key"] == "order:BUYER1:PO-1001"
    roles = {p["role"]: p for p in row["parties"]}
    assert roles["ST"]["city"] == "Springfield"
    assert roles["ST"]["postal_code"] == "62701"
    assert roles["BY"]["party_id"] == "ACME"
    assert row["references"] == [{"qualifier": "DP", "value": "042"}]
    assert row["lines"][0]["description"] == "Item 1"
    assert row["declared_line_count"] == 2


def test_any_qualifier_pairs_on_po1() -> None:
    po = x12_850(lines=(("2", "1.5", "UP", "012345678905*VN*SKU-9*BP*B-1"),))
    # The CTT hash total of the builder counts quantities only: still 2.
    row = _parse(x12_interchange([("PO", [po])])).staged.row(0, named=True)
    assert row["lines"][0]["item_ids"] == [
        {"qualifier": "UP", "value": "012345678905"},
        {"qualifier": "VN", "value": "SKU-9"},
        {"qualifier": "BP", "value": "B-1"},
    ]


def test_several_groups_and_sets() -> None:
    payload = x12_interchange(
        [
            ("PO", [x12_850("A", set_control="0001"), x12_850("B", set_control="0002")]),
            ("IB", [x12_846("0003", (("SKU-1", "40"), ("SKU-2", "0")))]),
        ]
    )
    result = _parse(payload)
    assert result.records == 3
    staged = result.staged.sort("locator")
    assert staged.get_column("document_type").sort().to_list() == ["846", "850", "850"]
    inv = staged.filter(pl.col("document_type") == "846").row(0, named=True)
    assert inv["warehouse_id"] == "WH1"
    assert inv["document_at"].isoformat() == "2026-10-02T06:30:00+00:00"
    assert [(ln["item_ids"][0]["value"], ln["quantity"]) for ln in inv["lines"]] == [
        ("SKU-1", Decimal(40)),
        ("SKU-2", Decimal(0)),
    ]
    assert inv["lines"][0]["quantity_qualifier"] == "33"


def _mutate(payload: bytes, old: str, new: str) -> bytes:
    text = payload.decode()
    assert old in text
    return text.replace(old, new, 1).encode()


GOOD = x12_interchange(
    [("PO", [x12_850("A", set_control="0001"), x12_850("B", set_control="0002")])]
)


@pytest.mark.parametrize(
    ("old", "new", "reason", "rejected"),
    [
        ("IEA*1*000000101", "IEA*1*000000999", "IEA02 000000999 does not match ISA13 000000101", 2),
        ("IEA*1*", "IEA*2*", "IEA01 says 2 groups, the interchange has 1", 2),
        ("GE*2*1", "GE*2*7", "GE02 7 does not match GS06 1", 2),
        ("GE*2*1", "GE*3*1", "GE01 says 3 sets, the group has 2", 2),
        ("SE*15*0002", "SE*15*0009", "SE02 0009 does not match ST02 0002", 1),
        ("SE*15*0001", "SE*14*0001", "SE01 says 14 segments, the set has 15", 1),
        ("~IEA*1*000000101~", "~", "has no IEA trailer", 2),
        ("~GE*2*1~", "~", "has no GE trailer", 2),
        ("BEG*00*SA*A**20261001", "BEG*00*SA*A**20261341", "BEG05 '20261341' is not a CCYYMMDD", 1),
        ("PO1*1*10*EA*12.50", "PO1*1*ten*EA*12.50", "quantity 'ten' is not a valid", 1),
        ("CTT*2*13", "CTT*3*13", "CTT01 says 3 lines", 1),
        ("ST*850*0002", "ST*855*0002", "'855' is not read", 1),
    ],
)
def test_envelope_and_content_errors_reject_with_reason(
    old: str, new: str, reason: str, rejected: int
) -> None:
    result = _parse(_mutate(GOOD, old, new))
    assert result.rejected == rejected
    assert result.staged.height == 2 - rejected
    errors = result.quarantine.filter(pl.col("action") == "rejected").get_column("error")
    assert all(reason in e for e in errors), errors.to_list()


def test_segment_outside_a_set_rejects_the_interchange() -> None:
    result = _parse(_mutate(GOOD, "~ST*850*0002", "~XYZ*1~ST*850*0002"))
    assert result.rejected == 2
    assert "outside any transaction set (first: XYZ" in result.quarantine.get_column("error")[0]


def test_not_an_interchange_is_one_rejected_record() -> None:
    result = _parse(b"hello, world")
    assert (result.records, result.rejected) == (1, 1)
    assert result.quarantine.get_column("error_code").to_list() == ["not_an_interchange"]
    broken = _parse(b"ISA*00*short")
    assert broken.rejected == 1
    assert "fewer than 16 elements" in broken.quarantine.get_column("error")[0]


def test_resent_interchange_has_the_same_version_key() -> None:
    first = _parse(GOOD).staged
    again = parse_edi(GOOD, landed_file="edi/resent.x12").staged
    assert first.get_column("version_key").to_list() == again.get_column("version_key").to_list()


def test_card_number_in_free_text_is_masked_and_flagged() -> None:
    payload = _mutate(GOOD, "PID*F****Item 1", "PID*F****pay with 4111 1111 1111 1111")
    result = _parse(payload)
    text = str(result.staged.get_column("lines").to_list())
    assert "4111 1111 1111 1111" not in text
    assert "1111" in text
    flagged = result.quarantine.filter(pl.col("action") == "flagged")
    assert flagged.height == 1
    assert result.staged.get_column("has_card_number").sum() == 1


def test_several_interchanges_in_one_file_are_judged_separately() -> None:
    first = x12_interchange([("PO", [x12_850("A")])], control="000000001")
    second = x12_interchange([("PO", [x12_850("B")])], control="000000002").replace(
        b"IEA*1*000000002", b"IEA*1*000000003"
    )
    result = _parse(first + b"\r\n" + second)
    assert (result.records, result.staged.height, result.rejected) == (2, 1, 1)
    assert result.staged.get_column("document_number").to_list() == ["A"]
    assert "IEA02 000000003 does not match ISA13 000000002" in result.quarantine["error"][0]
