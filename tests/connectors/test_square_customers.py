"""Square Customer Directory export parser: staged profiles, quarantine with reasons, masking."""

from __future__ import annotations

import datetime as dt
import re
from decimal import Decimal

import polars as pl
import pytest

from oms_hub.connectors.common.csv_records import CsvHeaderError
from oms_hub.connectors.pos import parse_square_customers
from oms_hub.sources import STREAMS, recognized
from oms_hub.world.pos_directory import SQUARE_DIRECTORY_COLUMNS

FILE = "pos/customers/export-20261031-235900.csv"
HEADER = ",".join(SQUARE_DIRECTORY_COLUMNS)


def _row(**values: str) -> str:
    fields = {c: "" for c in SQUARE_DIRECTORY_COLUMNS}
    fields.update({k.replace("_", " "): v for k, v in values.items()})
    return ",".join(f'"{v}"' if "," in v else v for v in fields.values())


def test_directory_rows_are_staged_with_typed_fields_and_a_version_per_profile() -> None:
    body = "\n".join(
        [
            HEADER,
            _row(
                **{"Square Customer ID": "AB12", "Email Address": "Kate@X.org"},
                First_Name="Kate",
                Last_Name="O'Neil",
                Phone_Number="(555) 123-4567",
                Postal_Code="02139",
                Birthday="03-12-1985",
                Creation_Source="Loyalty",
                First_Visit="2026-10-01",
                Last_Visit="2026-10-30",
                Transaction_Count="3",
                Total_Spend="$1,036.89",
                Instant_Profile="No",
            ),
            _row(
                **{"Square Customer ID": "CD34"},
                First_Name="Bob",
                Last_Name="Smith",
                Birthday="03-12",
                Instant_Profile="Yes",
            ),
        ]
    )
    result = parse_square_customers(body.encode(), landed_file=FILE)
    assert result.records == 2
    assert result.rejected == 0
    kate, bob = result.staged.sort("customer_id").iter_rows(named=True)
    assert kate["version_key"] == "customer:AB12"
    assert kate["version_at"] == dt.datetime(2026, 10, 31, 23, 59, tzinfo=dt.UTC)
    assert kate["locator"] == "row 1"
    assert (kate["first_name"], kate["last_name"], kate["email"]) == (
        "Kate",
        "O'Neil",
        "Kate@X.org",
    )
    assert kate["birth_date"] == dt.date(1985, 3, 12)
    assert kate["total_spend"] == Decimal("1036.89")
    assert kate["transaction_count"] == 3
    assert kate["last_visit"] == dt.date(2026, 10, 30)
    assert kate["instant_profile"] is False
    # a year-less birthday is kept as text, with no birth date; blanks are nulls
    assert bob["birthday"] == "03-12"
    assert bob["birth_date"] is None
    assert bob["email"] is None
    assert bob["instant_profile"] is True


def test_bad_rows_are_quarantined_with_reasons_and_card_numbers_masked() -> None:
    body = "\n".join(
        [
            HEADER,
            _row(First_Name="No", Last_Name="Id"),
            _row(**{"Square Customer ID": "DUP"}, First_Name="A", Last_Name="One"),
            _row(**{"Square Customer ID": "DUP"}, First_Name="A", Last_Name="Two"),
            _row(**{"Square Customer ID": "B1"}, First_Name="B", Last_Name="B", Total_Spend="lots"),
            _row(**{"Square Customer ID": "B2"}, First_Name="B", Last_Name="B", Last_Visit="31/31/2026"),
            _row(**{"Square Customer ID": "B3"}, First_Name="B", Last_Name="B", Transaction_Count="two"),
            _row(**{"Square Customer ID": "B4"}, First_Name="B", Last_Name="B", Birthday="someday"),
            "RAGGED,Only,Three",
            _row(**{"Square Customer ID": "OK1"}, First_Name="Card", Last_Name="Memo",
                 Memo="card on file 4111 1111 1111 1111"),
        ]
    )  # fmt: skip
    result = parse_square_customers(body.encode(), landed_file=FILE)
    assert result.records == 9
    assert result.staged.height + result.rejected == result.records
    codes = dict(
        result.quarantine.filter(pl.col("action") == "rejected")
        .select("locator", "error_code")
        .iter_rows()
    )
    assert codes == {
        "row 1": "missing_customer_id",
        "row 2": "duplicate_customer_id",
        "row 3": "duplicate_customer_id",
        "row 4": "bad_money",
        "row 5": "bad_visit_date",
        "row 6": "bad_transaction_count",
        "row 7": "bad_birthday",
        "row 8": "ragged_row",
    }
    assert result.staged["customer_id"].to_list() == ["OK1"]
    memo = result.staged["memo"][0]
    assert memo.startswith("card on file")
    assert "4111111111111111" not in re.sub(r"\D", "", memo)
    flagged = result.quarantine.filter(pl.col("action") == "flagged")
    assert flagged["error_code"].to_list() == ["card_number_masked"]
    assert "4111 1111 1111 1111" not in " ".join(result.quarantine["excerpt"].to_list())


def test_a_file_without_the_required_columns_is_a_header_error() -> None:
    with pytest.raises(CsvHeaderError, match="Square Customer ID"):
        parse_square_customers(b"Name,Email\nKate,k@x.org\n", landed_file=FILE)


def test_directory_exports_have_their_own_stream_and_are_not_item_files() -> None:
    customers, items = STREAMS["pos/square_customers"], STREAMS["pos/square_items"]
    assert customers.accepts(FILE)
    assert not items.accepts(FILE)
    assert items.accepts("pos/square-items-L1-2026-10-01.csv")
    assert not customers.accepts("pos/square-items-L1-2026-10-01.csv")
    assert recognized("pos", FILE)
