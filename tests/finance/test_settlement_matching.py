"""Matching that does not lean on the generator: fee schedule from YAML, fallbacks, world files."""

from __future__ import annotations

import datetime
from decimal import Decimal
from pathlib import Path

import polars as pl
import pytest

from oms_hub.connectors.settlements.formats import parse_settlement_file
from oms_hub.finance.fees import FeesError, fees_path, load_fees
from oms_hub.finance.reconcile import EXPECTED_SCHEMA, OPTIONAL_SCHEMA, reconcile
from oms_hub.steps.finance import amazon_expected
from oms_hub.world import generate_world

D = Decimal
SETTLED_SCHEMA = {
    "processor": pl.String,
    "processor_ref": pl.String,
    "order_ref": pl.String,
    "kind": pl.String,
    "gross": pl.Decimal(18, 2),
    "fee": pl.Decimal(18, 2),
    "currency": pl.String,
    "settled_on": pl.Date,
}
DAY = datetime.date(2026, 3, 1)


def _expected(rows: list[tuple]) -> pl.DataFrame:
    names = [*EXPECTED_SCHEMA, *OPTIONAL_SCHEMA]
    return pl.DataFrame(rows, schema=names, orient="row").cast(
        {**EXPECTED_SCHEMA, **OPTIONAL_SCHEMA}  # type: ignore[arg-type]
    )


def _settled(rows: list[tuple]) -> pl.DataFrame:
    return pl.DataFrame(rows, schema=list(SETTLED_SCHEMA), orient="row").cast(
        SETTLED_SCHEMA  # type: ignore[arg-type]
    )


def test_fee_schedule_is_yaml_and_a_mistake_names_the_field(tmp_path: Path) -> None:
    schedule = load_fees()
    assert schedule.processors["amazon"].rate_on == "pre_tax"
    assert set(schedule.processors) == {"stripe", "shopify_payments", "paypal", "amazon"}
    bad = tmp_path / "config" / "settlement-fees.yaml"
    bad.parent.mkdir()
    bad.write_text("processors:\n  stripe:\n    rate: '2.9'\n")
    assert fees_path(tmp_path) == bad  # a home's own schedule wins
    with pytest.raises(FeesError, match=r"settlement-fees.yaml: processors.stripe.rate: "):
        load_fees(bad)
    bad.write_text("processors:\n  stripe:\n    rate: '0.02'\n    fixed: '0.25'\n")
    own = load_fees(bad)
    out = reconcile(
        _expected([("w:1", "stripe", "ch_1", "1", "charge", "100.00", "USD", DAY, None, None)]),
        _settled([("stripe", "ch_1", "1", "charge", "100.00", "2.25", "usd", DAY)]),
        schedule=own,
    )
    assert out.select("status", "expected_fee").row(0) == ("matched", D("2.25"))


def test_amazon_fee_excludes_tax_and_allows_an_unknown_size_tier_per_unit() -> None:
    """15 % of 100.00 (tax 8.00 excluded) + 2 FBA units x 4.30 = 23.60, +- 0.05 + 2 x 1.25."""
    expected = _expected(
        [
            ("amazon:A", "amazon", "A", "A", "charge", "108.00", "USD", DAY, "8.00", 2),
            ("amazon:B", "amazon", "B", "B", "charge", "108.00", "USD", DAY, "8.00", 2),
            ("amazon:C", "amazon", "C", "C", "charge", "108.00", "USD", DAY, "8.00", 0),
        ]
    )
    settled = _settled(
        [
            ("amazon", "A", "A", "charge", "108.00", "25.00", "USD", DAY),  # bigger tier
            ("amazon", "B", "B", "charge", "108.00", "28.00", "USD", DAY),  # a fee too many
            ("amazon", "C", "C", "charge", "108.00", "15.03", "USD", DAY),  # per-item rounding
        ]
    )
    out = reconcile(expected, settled).sort("processor_ref")
    assert out.select("status", "expected_fee", "difference").rows() == [
        ("matched", D("23.60"), D("0.00")),
        ("fee_variance", D("23.60"), D("-4.40")),
        ("matched", D("15.00"), D("0.00")),
    ]


def test_refunds_without_any_reference_pair_by_amount_within_the_date_window() -> None:
    day = lambda n: DAY + datetime.timedelta(days=n)  # noqa: E731
    expected = _expected(
        [
            ("w:1", "stripe", None, "1", "refund", "14.03", "USD", day(3), None, None),
            ("w:2", "stripe", None, "2", "refund", "14.03", "USD", day(5), None, None),
            ("w:3", "stripe", None, "3", "refund", "20.00", "USD", day(1), None, None),
            ("w:4", "stripe", "ch_4", "4", "charge", "14.03", "USD", day(3), None, None),
        ]
    )
    settled = _settled(
        [
            ("stripe", "re_b", None, "refund", "-14.03", "0", "usd", day(6)),
            ("stripe", "re_a", None, "refund", "-14.03", "0", "usd", day(4)),
            ("stripe", "re_c", None, "refund", "-20.00", "0", "usd", day(40)),  # too late
            ("stripe", "ch_4", "4", "charge", "14.03", "0.71", "usd", day(3)),
        ]
    )
    out = reconcile(expected, settled)
    got = {
        (r["order_ref"], r["kind"]): (r["processor_ref"], r["status"], r["matched_by"])
        for r in out.to_dicts()
    }
    assert got == {
        ("1", "refund"): ("re_a", "matched", "amount_date"),
        ("2", "refund"): ("re_b", "matched", "amount_date"),
        ("3", "refund"): (None, "missing_settlement", None),
        (None, "refund"): ("re_c", "unexpected_settlement", None),
        ("4", "charge"): ("ch_4", "matched", "reference"),
    }


def test_a_settlement_in_another_currency_is_an_amount_mismatch() -> None:
    expected = _expected([("w:1", "paypal", "T1", "1", "charge", "50.00", "USD", DAY, None, None)])
    settled = _settled([("paypal", "T1", "1", "charge", "50.00", "2.24", "CAD", DAY)])
    assert reconcile(expected, settled)["status"].to_list() == ["amount_mismatch"]


def test_amazon_expects_the_shipped_orders_with_their_tax_and_fba_units() -> None:
    ts = datetime.datetime(2026, 3, 2, 23, 30, tzinfo=datetime.UTC)
    orders = pl.DataFrame(
        {
            "order_id": ["amazon:A", "amazon:B", "amazon:C", "amazon:D", "shopify:E"],
            "source": ["amazon", "amazon", "amazon", "amazon", "shopify"],
            "source_order_id": ["A", "B", "C", "D", "E"],
            "order_number": ["A", "B", "C", "D", "#1"],
            "status": ["completed", "completed", "open", "cancelled", "completed"],
            "fulfilled_by": ["amazon", "merchant", "amazon", "amazon", "merchant"],
            "total": [D("108.00"), D("54.00"), D("10.00"), D("10.00"), D("9.00")],
            "tax_amount": [D("8.00"), D("4.00"), D("0"), D("0"), D("0")],
            "currency": ["USD"] * 5,
            "updated_at": [ts] * 5,
        }
    )
    lines = pl.DataFrame({"order_id": ["amazon:A", "amazon:A", "amazon:B"], "quantity": [1, 2, 5]})
    out = amazon_expected(orders.lazy(), lines.lazy()).collect().sort("order_id")
    assert out.select(
        "processor_ref", "expected_amount", "tax_amount", "fulfilled_units", "expected_on"
    ).rows() == [
        ("A", D("108.00"), D("8.00"), 3, datetime.date(2026, 3, 2)),
        ("B", D("54.00"), D("4.00"), 0, datetime.date(2026, 3, 2)),
    ]


def test_world_settlement_files_parse_whole_with_deposits_and_split_postings(
    tmp_path: Path,
) -> None:
    generate_world(tmp_path, orders=50, days=6, seed=3, api_orders=1_500, inventory=False)
    folder = tmp_path / "landing" / "settlements"
    results = {
        str(p.relative_to(folder)): parse_settlement_file(p.read_bytes(), str(p))
        for p in sorted(folder.rglob("*.*"))
    }
    for name, result in results.items():
        assert result.rejected == 0, (name, result.quarantine)
        assert result.records == result.staged.height > 0
    amazon = pl.concat([r.staged for n, r in results.items() if n.startswith("amazon/")])
    # one deposit per report, for exactly what the report's transactions net to
    deposits = amazon.filter(pl.col("kind") == "payout")
    assert deposits.height == sum(n.startswith("amazon/") for n in results)
    nets = (
        amazon.filter(pl.col("kind") != "payout").group_by("settlement_id").agg(pl.col("net").sum())
    )
    assert deposits.join(nets, on="settlement_id").select(
        (pl.col("gross") + pl.col("net_right")).abs().max()
    ).item() == D("0")
    # an order shipped over two days settles as two transactions
    per_order = amazon.filter(pl.col("kind") == "charge").group_by("order_ref").len()
    assert per_order["len"].max() == 2
    assert amazon.filter(pl.col("kind") == "charge")["fee"].min() > 0
    paypal = next(r.staged for n, r in results.items() if n.startswith("paypal/"))
    assert {"charge", "refund", "payout"} <= set(paypal["kind"])
    stripe = next(r.staged for n, r in results.items() if n.startswith("stripe/"))
    unreferenced = stripe.filter((pl.col("kind") == "refund") & pl.col("order_ref").is_null())
    assert stripe.filter(pl.col("kind") == "payout").height > 0
    assert (
        unreferenced.height
        + paypal.filter((pl.col("kind") == "refund") & pl.col("order_ref").is_null()).height
        > 0
    )
