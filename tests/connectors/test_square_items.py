"""Square item-details parser: every quirk of the format, and every way a row goes bad."""

from __future__ import annotations

import csv
import io
from datetime import UTC, datetime
from decimal import Decimal

import polars as pl
import pytest

from oms_hub.connectors.common.csv_records import CsvHeaderError
from oms_hub.connectors.pos import SQUARE_COLUMNS, parse_square_items

GOOD = {
    "Date": "2026-10-01",
    "Time": "13:45:12",
    "Time Zone": "Eastern Time (US & Canada)",
    "Category": "Apparel",
    "Item": "Merino Sock",
    "Qty": "2",
    "Price Point Name": "Regular",
    "SKU": "SKU-000001",
    "Modifiers Applied": "",
    "Gross Sales": "$1,275.00",
    "Discounts": "-$0.95",
    "Net Sales": "$1,274.05",
    "Tax": "$0.10",
    "Transaction ID": "T1",
    "Payment ID": "P1",
    "Device Name": "Register 1",
    "Notes": "",
    "Details": "",
    "Event Type": "Payment",
    "Location": "Brooklyn",
    "Customer ID": "",
    "Customer Name": "",
    "Customer Reference ID": "",
    "Itemization Type": "Physical Item",
}


def export(*rows: dict[str, str], extra_lines: list[str] | None = None) -> bytes:
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=SQUARE_COLUMNS, lineterminator="\n")
    writer.writeheader()
    for row in rows:
        writer.writerow({**GOOD, **row})
    for line in extra_lines or []:
        out.write(line + "\n")
    return out.getvalue().encode()


def parse(payload: bytes):
    result = parse_square_items(payload, landed_file="pos/test.csv")
    assert result.staged.height + result.rejected == result.records  # nothing lost
    return result


def only_error(payload: bytes) -> str:
    result = parse(payload)
    rejected = result.quarantine.filter(pl.col("action") == "rejected")
    assert rejected.height == 1, rejected
    return rejected.get_column("error_code").item()


def test_good_row_is_typed_exactly() -> None:
    row = parse(export({})).staged.row(0, named=True)
    assert row["gross"] == Decimal("1275.00")
    assert row["discount"] == Decimal("-0.95")
    assert row["net"] == Decimal("1274.05")
    assert row["event_at"] == datetime(2026, 10, 1, 17, 45, 12, tzinfo=UTC)  # EDT is UTC-4
    assert row["local_time_zone"] == "America/New_York"
    assert row["event_type"] == "sale"
    assert (row["landed_file"], row["locator"]) == ("pos/test.csv", "row 1")


@pytest.mark.parametrize(
    ("zone", "time", "utc_hour", "utc_day"),
    [
        ("Pacific Time (US & Canada)", "21:30:00", 4, 2),  # late sale lands on the next UTC day
        ("Arizona", "10:00:00", 17, 1),  # no daylight saving
        ("Central Time (US & Canada)", "10:00:00", 15, 1),
        ("America/Denver", "10:00:00", 16, 1),  # an IANA name is accepted too
    ],
)
def test_time_zones(zone: str, time: str, utc_hour: int, utc_day: int) -> None:
    at = parse(export({"Time Zone": zone, "Time": time})).staged.get_column("event_at").item()
    assert (at.day, at.hour) == (utc_day, utc_hour)


def test_us_date_format() -> None:
    at = parse(export({"Date": "10/03/2026"})).staged.get_column("event_at").item()
    assert at.date().isoformat() == "2026-10-03"


def test_autumn_ambiguous_hour_takes_earlier_instant() -> None:
    at = (
        parse(export({"Date": "2026-11-01", "Time": "01:30:00"}))
        .staged.get_column("event_at")
        .item()
    )
    assert at == datetime(2026, 11, 1, 5, 30, tzinfo=UTC)  # 01:30 EDT, not EST


def test_refund_rows_are_negative_and_keyed_by_day() -> None:
    refund = {
        "Event Type": "Refund",
        "Qty": "-1",
        "Gross Sales": "-$10.00",
        "Discounts": "$0.00",
        "Net Sales": "-$10.00",
        "Tax": "-$0.80",
        "Date": "2026-10-05",
    }
    row = parse(export(refund)).staged.row(0, named=True)
    assert row["event_type"] == "refund"
    assert row["quantity"] == -1
    assert row["version_key"] == "refund:T1:2026-10-05"


@pytest.mark.parametrize(
    ("change", "code"),
    [
        ({"Gross Sales": "$12.3O"}, "bad_money"),
        ({"Tax": "ten cents"}, "bad_money"),
        ({"Date": "2026-13-45"}, "bad_date"),
        ({"Time": "25:61"}, "bad_time"),
        ({"Time Zone": "Atlantis Time"}, "unknown_time_zone"),
        ({"Transaction ID": ""}, "missing_transaction_id"),
        ({"Net Sales": "$1,000.00"}, "net_mismatch"),
        ({"Qty": "two"}, "bad_quantity"),
        ({"Qty": "0"}, "bad_quantity"),
        ({"Qty": "-2"}, "bad_quantity"),  # a sale with a negative quantity
        ({"Event Type": "Void"}, "unknown_event_type"),
        ({"SKU": ""}, "missing_field"),
        ({"Date": "2026-03-08", "Time": "02:30:00"}, "nonexistent_local_time"),  # spring forward
    ],
)
def test_bad_rows_are_quarantined_with_a_reason(change: dict[str, str], code: str) -> None:
    assert only_error(export({}, change)) == code
    result = parse(export({}, change))
    assert result.staged.height == 1  # the good row in the same file still loads
    bad = result.quarantine.filter(pl.col("action") == "rejected").row(0, named=True)
    assert bad["locator"] == "row 2"
    assert bad["stage"] == "parse"
    assert bad["error"]


def test_ragged_rows_longer_and_shorter() -> None:
    plain = {"Gross Sales": "$12.00", "Discounts": "$0.00", "Net Sales": "$12.00"}
    good_line = export(plain).decode().splitlines()[1]
    assert '"' not in good_line
    payload = export({}, extra_lines=[good_line + ",surplus", ",".join(good_line.split(",")[:10])])
    result = parse(payload)
    rejected = result.quarantine.filter(pl.col("action") == "rejected")
    assert rejected.get_column("error_code").to_list() == ["ragged_row", "ragged_row"]
    assert rejected.get_column("locator").to_list() == ["row 2", "row 3"]
    assert "27 fields" in rejected.get_column("error").to_list()[0]


def test_quoted_commas_quotes_and_blank_lines() -> None:
    payload = export({"Item": 'Sock, "Merino"'}) + b"\n\n"
    result = parse(payload)
    assert result.records == 1
    assert result.staged.get_column("item_name").item() == 'Sock, "Merino"'


def test_card_number_is_masked_and_flagged_but_row_loads() -> None:
    result = parse(export({"Notes": "paid with 4111-1111-1111-1111 call back"}))
    assert result.staged.get_column("notes").item() == "paid with ************1111 call back"
    flagged = result.quarantine.filter(pl.col("action") == "flagged")
    assert flagged.get_column("error_code").to_list() == ["card_number_masked"]
    assert "4111-1111" not in str(result.quarantine.rows()) + str(result.staged.rows())


def test_card_number_in_a_rejected_row_is_masked_in_the_excerpt() -> None:
    result = parse(export({"Notes": "5555 5555 5555 4444", "Gross Sales": "oops"}))
    excerpt = result.quarantine.get_column("excerpt").item()
    assert "************4444" in excerpt
    assert "5555 5555" not in excerpt


def test_missing_header_column_is_a_clear_error() -> None:
    with pytest.raises(CsvHeaderError, match="Transaction ID"):
        parse_square_items(b"Date,Time\n2026-10-01,10:00\n", landed_file="pos/x.csv")


# -- how the sale was paid: Card Brand, PAN Suffix -------------------------------------------


def test_card_brand_and_last_four_are_staged_as_text() -> None:
    result = parse(
        export(
            {"Card Brand": " American Express ", "PAN Suffix": "0042"},
            {"Transaction ID": "T2", "Card Brand": "", "PAN Suffix": ""},  # cash
        )
    )
    assert result.quarantine.height == 0
    staged = result.staged.sort("transaction_id")
    assert staged.schema["card_last4"] == pl.String
    assert staged.get_column("card_brand").to_list() == ["American Express", None]
    assert staged.get_column("card_last4").to_list() == ["0042", None]  # leading zero kept


def test_an_export_without_the_card_columns_parses_unchanged() -> None:
    old_columns = SQUARE_COLUMNS[: SQUARE_COLUMNS.index("Card Brand")]
    assert len(old_columns) == len(SQUARE_COLUMNS) - 2
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=old_columns, lineterminator="\n", extrasaction="ignore")
    writer.writeheader()
    writer.writerow(GOOD)
    old = parse(out.getvalue().encode())
    new = parse(export({}))
    assert old.quarantine.height == 0
    assert old.staged.get_column("card_brand").to_list() == [None]
    assert old.staged.get_column("card_last4").to_list() == [None]
    assert old.staged.equals(new.staged)


@pytest.mark.parametrize(
    "suffix",
    [
        "4111111111111111",  # a full, Luhn-valid card number keyed into the field
        "4111 1111 1111 1112",  # a full number that is not Luhn-valid (not masked as a PAN)
        "12345",
        "123",
        "abcd",
        "42-42",
        "\u0664\u0662\u0664\u0662",  # Arabic-Indic digits: not ASCII, not a last four
    ],
)
def test_a_pan_suffix_that_is_not_four_digits_never_reaches_the_lake(suffix: str) -> None:
    result = parse(export({"Card Brand": "Visa", "PAN Suffix": suffix}))
    assert result.rejected == 0
    assert result.staged.height == 1  # a valid sale: it loads, without its card
    row = result.staged.row(0, named=True)
    assert row["card_brand"] is None
    assert row["card_last4"] is None
    flagged = result.quarantine.filter(pl.col("error_code") == "bad_pan_suffix")
    assert flagged.height == 1
    assert flagged.row(0, named=True)["action"] == "flagged"
    assert flagged.row(0, named=True)["locator"] == "row 1"
    assert "PAN Suffix" in flagged.row(0, named=True)["error"]
    shown = str(result.staged.rows()) + str(result.quarantine.rows())
    digits = "".join(ch for ch in suffix if ch.isdigit())
    if len(digits) > 4:
        assert digits[:8] not in shown.replace(" ", "").replace("-", "")


def test_a_bad_pan_suffix_in_a_rejected_row_is_hidden_in_the_excerpt() -> None:
    result = parse(export({"PAN Suffix": "1234567812345678", "Gross Sales": "oops"}))
    assert result.rejected == 1
    excerpt = result.quarantine.filter(pl.col("action") == "rejected").get_column("excerpt")
    assert "################" in excerpt.item()
    assert "12345678" not in str(result.quarantine.rows())
