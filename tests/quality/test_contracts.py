"""Contracts are the single definition of every table: typed, documented, enforced."""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path

import pandera.errors
import polars as pl
import pytest

from oms_hub.quality.contracts import TABLES, contract
from oms_hub.quality.dictionary import render_markdown

MONEY = {
    "total",
    "unit_price",
    "line_total",
    "refund_amount",
    "amount",
    "debit",
    "credit",
    "gross_amount",
    "discount_amount",
    "tax_amount",
    "gross_sales",
    "net_sales",
    "returns",
    "discounts",
    "tax",
    "cost",
    "price",
    "tax_refund",
}


@pytest.mark.parametrize("name", sorted(TABLES))
def test_every_column_is_documented_and_money_is_decimal(name: str) -> None:
    for column, dtype, description, _ in TABLES[name].columns():
        assert len(description) > 10, f"{name}.{column} needs a description"
        if column in MONEY:
            assert isinstance(dtype, pl.Decimal), f"{name}.{column} is money but {dtype}"
        if isinstance(dtype, pl.Datetime):
            assert dtype.time_zone == "UTC", f"{name}.{column} is not UTC"


def test_float_money_is_rejected() -> None:
    frame = contract("core.products").empty().with_columns(pl.col("price").cast(pl.Float64))
    with pytest.raises(pandera.errors.SchemaError):
        contract("core.products").model.validate(frame)


def test_conform_rejects_out_of_domain_values() -> None:
    row = {c: None for c in contract("core.returns").polars_schema()}
    row.update(
        return_id="r",
        order_id="o",
        channel="carrier pigeon",
        sku="s",
        quantity=1,
        condition="unknown",
        refund_amount=Decimal("1.00"),
        tax_refund=Decimal("0.00"),
        currency="USD",
        source="pos",
        landed_file="f",
        locator="row 1",
    )
    frame = pl.DataFrame([row], schema=contract("core.returns").polars_schema(), strict=False)
    with pytest.raises(pandera.errors.SchemaError, match="channel"):
        contract("core.returns").conform(frame)


def test_committed_data_dictionary_is_current() -> None:
    committed = (Path(__file__).parents[2] / "docs" / "data-dictionary.md").read_text()
    assert committed == render_markdown(), "run `make docs` and commit docs/data-dictionary.md"


def test_expectation_suite_catches_bad_rows_and_writes_data_docs(tmp_path) -> None:
    import datetime as dt

    from oms_hub.home import Home
    from oms_hub.quality.expectations import run_suite

    good = {
        "day": dt.date(2026, 10, 1),
        "channel": "pos",
        "currency": "USD",
        "orders": 2,
        "units": 3,
        "gross_sales": Decimal("10.00"),
        "discounts": Decimal("1.00"),
        "returns": Decimal("0.00"),
        "net_sales": Decimal("9.00"),
        "tax": Decimal("0.80"),
    }
    schema = contract("marts.rpt_channel_sales_daily").polars_schema()
    frame = pl.DataFrame([good, {**good, "day": dt.date(2026, 10, 2)}], schema=schema)
    home = Home(tmp_path)
    assert run_suite("marts.rpt_channel_sales_daily", frame, home=home).success
    bad = pl.DataFrame(
        [good, {**good, "channel": "fax", "discounts": Decimal("20.00")}], schema=schema
    )
    outcome = run_suite("marts.rpt_channel_sales_daily", bad, home=home)
    assert not outcome.success
    failed = {f["expectation"] for f in outcome.failures}
    assert {
        "expect_column_values_to_be_in_set",
        "expect_column_pair_values_a_to_be_greater_than_b",
    } <= failed
    assert (tmp_path / "reports" / "data_docs" / "index.html").exists()


def test_conform_fills_missing_nullable_columns_and_refuses_missing_required_ones() -> None:
    c = contract("core.returns")
    row = {
        "return_id": "r",
        "order_id": "o",
        "channel": "pos",
        "returned_at": __import__("datetime").datetime(
            2026, 10, 1, tzinfo=__import__("datetime").UTC
        ),
        "sku": "s",
        "quantity": 1,
        "condition": "unknown",
        "refund_amount": Decimal("1.00"),
        "tax_refund": Decimal("0.00"),
        "currency": "USD",
        "source": "pos",
        "landed_file": "f",
        "locator": "row 1",
    }
    conformed = c.conform(pl.DataFrame([row]))
    assert conformed["location_id"].to_list() == [None]  # nullable, absent -> null
    with pytest.raises(ValueError, match="lacks required column"):
        c.conform(pl.DataFrame([row]).drop("sku"))
