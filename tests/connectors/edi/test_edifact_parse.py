"""EDIFACT ORDERS parsing: UNA, release character, decimal comma, envelope checks."""

from __future__ import annotations

from decimal import Decimal

import pytest

from oms_hub.connectors.edi import parse_edi
from tests.connectors.edi.samples import edifact_orders


def _parse(payload: bytes):
    result = parse_edi(payload, landed_file="edi/t.edi")
    assert result.records == result.staged.height + result.rejected
    return result


def test_orders_with_defaults_and_no_una() -> None:
    result = _parse(edifact_orders(una=None))
    assert result.rejected == 0
    row = result.staged.row(0, named=True)
    assert (row["document_type"], row["syntax_version"], row["currency"]) == (
        "ORDERS",
        "D96A",
        "EUR",
    )
    assert row["version_key"] == "order:5412345000013:PO77"
    line = row["lines"][0]
    assert (line["quantity"], line["unit_price"], line["line_amount"]) == (
        Decimal(4),
        Decimal("12.5"),
        Decimal("50.00"),
    )
    assert line["item_ids"] == [{"qualifier": "EN", "value": "4000862141404"}]
    assert row["parties"][0]["name"] == "Acme GmbH"
    assert row["declared_amount"] == Decimal("50.00")


def test_decimal_comma() -> None:
    payload = edifact_orders(una="UNA:+,? '", decimal=",", lines=(("4000862141404", "3", "2.35"),))
    row = _parse(payload).staged.row(0, named=True)
    assert row["lines"][0]["unit_price"] == Decimal("2.35")
    assert row["declared_amount"] == Decimal("7.05")


def test_release_character_escapes_separators() -> None:
    payload = edifact_orders(order="PO?+77?:A?'B??")
    row = _parse(payload).staged.row(0, named=True)
    assert row["document_number"] == "PO+77:A'B?"


def test_una_with_other_service_characters() -> None:
    text = edifact_orders(una=None).decode()
    swapped = text.replace("+", "|").replace(":", "^").replace("'", "!")
    result = _parse(("UNA^|.\\ !" + swapped).encode())
    assert result.rejected == 0
    assert result.staged.row(0, named=True)["lines"][0]["quantity"] == Decimal(4)


@pytest.mark.parametrize(
    ("old", "new", "reason"),
    [
        ("UNZ+1+REF1", "UNZ+1+REF9", "UNZ02 REF9 does not match UNB05 REF1"),
        ("UNZ+1+", "UNZ+2+", "UNZ01 says 2 messages, the interchange has 1"),
        ("UNT+13+1", "UNT+13+2", "UNT02 2 does not match UNH01 1"),
        ("UNT+13+1", "UNT+12+1", "UNT01 says 12 segments, the message has 13"),
        ("'UNZ+1+REF1'", "'", "has no UNZ trailer"),
        ("CNT+2:1", "CNT+2:2", "CNT+2 says 2 lines"),
        ("MOA+79:50.00", "MOA+79:51.00", "MOA+79 total '51.00' is not the sum"),
        ("MOA+203:50.00", "MOA+203:49.99", "MOA+203 '49.99' is not quantity x price"),
        ("QTY+21:4:PCE", "QTY+21:x:PCE", "QTY+21 'x' is missing"),
        ("ORDERS:D:96A", "INVOIC:D:96A", "message type 'INVOIC:D:96A:UN' is not read"),
        ("ORDERS:D:96A", "ORDERS:D:93A", "is not read"),
        ("DTM+137:20261001", "DTM+137:20261399", "DTM+137 order date '20261399'"),
    ],
)
def test_errors_reject_with_reason(old: str, new: str, reason: str) -> None:
    text = edifact_orders().decode()
    assert old in text
    result = _parse(text.replace(old, new, 1).encode())
    assert (result.rejected, result.staged.height) == (1, 0)
    assert reason in result.quarantine.get_column("error")[0]


def test_later_directory_is_read() -> None:
    text = edifact_orders().decode().replace("ORDERS:D:96A", "ORDERS:D:01B")
    assert _parse(text.encode()).rejected == 0


def test_one_bad_message_does_not_reject_its_neighbours() -> None:
    text = edifact_orders().decode()
    head, rest = text.split("UNH+", 1)
    message = "UNH+" + rest.split("UNZ+")[0]
    second = message.replace("UNH+1+", "UNH+2+").replace("UNT+13+1", "UNT+13+2")
    second = second.replace("BGM+220+PO77", "BGM+220+PO78").replace("CNT+2:1", "CNT+2:5")
    payload = head + message + second + "UNZ+2+REF1'"
    result = _parse(payload.encode())
    assert (result.records, result.staged.height, result.rejected) == (2, 1, 1)
    assert result.staged["document_number"].to_list() == ["PO77"]
    assert "CNT+2 says 5 lines" in result.quarantine["error"][0]
