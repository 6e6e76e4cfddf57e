from __future__ import annotations

import numpy as np
import polars as pl
import pytest

from oms_hub.world.money import decimal_text, round_div, usd_text


@pytest.mark.parametrize(
    ("cents", "usd", "plain"),
    [
        (0, "$0.00", "0.00"),
        (5, "$0.05", "0.05"),
        (95, "$0.95", "0.95"),
        (-95, "-$0.95", "-0.95"),
        (1240, "$12.40", "12.40"),
        (99_999, "$999.99", "999.99"),
        (100_000, "$1,000.00", "1000.00"),
        (127_500, "$1,275.00", "1275.00"),
        (-127_500, "-$1,275.00", "-1275.00"),
        (100_050_007, "$1,000,500.07", "1000500.07"),
        (-123_456_789_01, "-$123,456,789.01", "-123456789.01"),
    ],
)
def test_money_text(cents: int, usd: str, plain: str) -> None:
    frame = pl.DataFrame({"c": [cents]}).select(
        usd_text(pl.col("c")).alias("usd"), decimal_text(pl.col("c")).alias("plain")
    )
    assert frame.row(0) == (usd, plain)


def test_round_div_is_half_away_from_zero() -> None:
    num = np.array([5, 15, 25, -5, -15, 4, -4, 6, -6, 0])
    assert round_div(num, 10).tolist() == [1, 2, 3, -1, -2, 0, 0, 1, -1, 0]
    # Symmetric: a refund of a whole line is exactly the negative of the sale.
    rng = np.random.default_rng(0)
    values = rng.integers(-(10**9), 10**9, size=1000)
    assert (round_div(-values * 8875, 100_000) == -round_div(values * 8875, 100_000)).all()
