from decimal import Decimal

import polars as pl
import pytest

from oms_hub.connectors.common.values import parse_int, parse_money, parse_us_or_iso_date


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("$1,275.00", Decimal("1275.00")),
        ("-$0.95", Decimal("-0.95")),
        ("$-0.95", Decimal("-0.95")),
        ("($12.50)", Decimal("-12.50")),
        ("$0.00", Decimal("0.00")),
        ("12", Decimal("12.00")),
        (" $1,000,000.10 ", Decimal("1000000.10")),
        ("$12.3O", None),
        ("twelve", None),
        ("$1,27.00", None),  # malformed thousands group
        ("$1.234", None),  # more than cents
        ("", None),
    ],
)
def test_parse_money(text: str, expected: Decimal | None) -> None:
    value = pl.select(parse_money(pl.lit(text))).item()
    assert value == expected


def test_money_stays_decimal() -> None:
    frame = pl.DataFrame({"t": ["$0.10", "$0.20"]}).select(parse_money(pl.col("t")))
    assert frame.dtypes[0] == pl.Decimal(18, 2)
    assert frame.to_series().sum() == Decimal("0.30")  # no float drift


@pytest.mark.parametrize(
    ("text", "ok"),
    [("2026-10-01", True), ("10/01/2026", True), ("2026-13-45", False), ("02/30/2026", False)],
)
def test_parse_dates(text: str, ok: bool) -> None:
    assert (pl.select(parse_us_or_iso_date(pl.lit(text))).item() is not None) is ok


@pytest.mark.parametrize(
    ("text", "expected"), [("2", 2), ("-1", -1), ("2.0", 2), ("two", None), ("2.5", None)]
)
def test_parse_int(text: str, expected: int | None) -> None:
    assert pl.select(parse_int(pl.lit(text))).item() == expected
