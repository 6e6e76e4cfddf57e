"""Posting events: balanced entries, base-currency rounding, closed periods, idempotence."""

from __future__ import annotations

import datetime
from decimal import Decimal

import polars as pl

from oms_hub.finance.config import load_postings
from oms_hub.finance.events import EVENT_SCHEMA, shape
from oms_hub.finance.periods import close_period, closed_periods, posting_dates
from oms_hub.finance.posting import RATES_SCHEMA, post_events, trial_balance, unbalanced_entries
from oms_hub.home import Home

D = Decimal
POSTINGS = load_postings()


def _sale(
    ref: str, day: str, currency: str, gross: str, disc: str, tax: str, ship: str, total: str
):
    return {
        "event_id": f"sale:{ref}",
        "event": "sale",
        "source_ref": ref,
        "occurred_on": datetime.date.fromisoformat(day),
        "currency": currency,
        "memo": f"order {ref}",
        "gross": D(gross),
        "discount": D(disc),
        "tax": D(tax),
        "shipping": D(ship),
        "charges": D("0"),
        "total": D(total),
        "source": "test",
        "landed_file": "f",
        "locator": "row 1",
    }


def _events(*rows: dict) -> pl.DataFrame:
    partial = pl.DataFrame(list(rows), schema={k: EVENT_SCHEMA[k] for k in rows[0]})
    return shape(partial.lazy()).collect()


RATES = pl.DataFrame(
    {
        "currency": ["EUR", "EUR", "GBP"],
        "valid_from": [
            datetime.date(2026, 1, 1),
            datetime.date(2026, 2, 1),
            datetime.date(2026, 1, 1),
        ],
        "rate": [D("1.08333333"), D("1.10000000"), D("1.27000000")],
    },
    schema=RATES_SCHEMA,
)


def _by(entry: pl.DataFrame, account: str, col: str) -> Decimal:
    return entry.filter(pl.col("account") == account)[col].sum()


def test_a_sale_posts_one_balanced_entry_with_every_component() -> None:
    lines = post_events(
        _events(_sale("A", "2026-01-10", "USD", "100.00", "10.00", "7.20", "5.00", "102.20")),
        POSTINGS,
    ).lines
    assert lines["entry_id"].unique().to_list() == ["sale:A"]
    assert lines["line_number"].to_list() == [1, 2, 3, 4, 5]
    assert _by(lines, "1100", "debit") == D("102.20")
    assert _by(lines, "4100", "debit") == D("10.00")
    assert _by(lines, "4000", "credit") == D("100.00")
    assert _by(lines, "2100", "credit") == D("7.20")
    assert _by(lines, "4200", "credit") == D("5.00")
    assert unbalanced_entries(lines).height == 0
    assert lines["posted_on"].unique().to_list() == [datetime.date(2026, 1, 10)]
    assert lines["debit"].dtype == pl.Decimal(18, 2)


def test_foreign_currency_converts_by_dated_rate_and_rounds_to_the_rounding_account() -> None:
    # 99.99 EUR at 1.08333333: 108.32 = 72.21 + 36.11, nothing left to round.
    event = _sale("E", "2026-01-20", "EUR", "66.66", "0.00", "33.33", "0.00", "99.99")
    lines = post_events(_events(event), POSTINGS, rates=RATES).lines
    assert unbalanced_entries(lines).height == 0
    assert lines["fx_rate"].unique().to_list() == [D("1.08333333")]
    assert _by(lines, "1100", "debit_base") == D("108.32")  # 99.99 x 1.08333333
    assert _by(lines, "4000", "credit_base") == D("72.21")
    assert _by(lines, "2100", "credit_base") == D("36.11")
    assert lines.filter(pl.col("account") == POSTINGS.rounding_account).height == 0
    # A February event uses the February rate.
    feb = post_events(
        _events(_sale("F", "2026-02-02", "EUR", "10.00", "0", "0", "0", "10.00")),
        POSTINGS,
        rates=RATES,
    ).lines
    assert _by(feb, "1100", "debit_base") == D("11.00")


def test_rounding_difference_is_posted_when_lines_round_apart() -> None:
    # 0.01 + 0.01 + 0.01 at 1.5 -> lines 0.02 each (half-even 0.015 -> 0.02), total 0.03 -> 0.04/0.05
    event = _sale("R", "2026-01-05", "GBP", "0.01", "0", "0.01", "0.01", "0.03")
    rates = RATES.with_columns(rate=pl.lit(D("1.50000000")).cast(RATES_SCHEMA["rate"]))
    lines = post_events(_events(event), POSTINGS, rates=rates).lines
    rounding = lines.filter(pl.col("account") == POSTINGS.rounding_account)
    assert rounding.height == 1
    assert rounding["debit"][0] == 0
    assert rounding["credit"][0] == 0
    assert rounding["debit_base"][0] + rounding["credit_base"][0] > 0
    assert unbalanced_entries(lines).height == 0


def test_missing_rate_leaves_the_event_unposted_with_a_reason() -> None:
    posted = post_events(
        _events(_sale("J", "2026-01-05", "JPY", "1000", "0", "0", "0", "1000")),
        POSTINGS,
        rates=RATES,
    )
    assert posted.lines.height == 0
    assert posted.unposted["error_code"].to_list() == ["no_fx_rate"]
    assert "no JPY -> USD rate on or before 2026-01-05" in posted.unposted["error"][0]


def test_totals_the_source_cannot_explain_go_to_suspense_and_still_balance() -> None:
    lines = post_events(
        _events(_sale("S", "2026-01-10", "USD", "100.00", "0", "0", "0", "100.05")), POSTINGS
    ).lines
    assert _by(lines, POSTINGS.suspense_account, "credit") == D("0.05")
    assert unbalanced_entries(lines).height == 0


def test_second_run_posts_nothing_new() -> None:
    events = _events(
        _sale("A", "2026-01-10", "USD", "10", "0", "1", "0", "11"),
        _sale("B", "2026-01-11", "USD", "20", "0", "2", "0", "22"),
    )
    first = post_events(events, POSTINGS).lines
    again = post_events(events, POSTINGS, already_posted=first["entry_id"].unique()).lines
    assert first["entry_id"].n_unique() == 2
    assert again.height == 0


def test_a_late_event_for_a_closed_month_posts_in_the_first_open_month(tmp_path) -> None:
    home = Home(tmp_path)
    assert close_period(home, "2026-01", at=datetime.datetime(2026, 2, 3, tzinfo=datetime.UTC))
    assert close_period(home, "2026-02")
    assert not close_period(home, "2026-01")  # closing is recorded once
    closed = closed_periods(home)
    assert closed["2026-01"] == "2026-02-03T00:00:00+00:00"
    lines = post_events(
        _events(
            _sale("L", "2026-01-30", "USD", "10", "0", "0", "0", "10"),
            _sale("M", "2026-04-02", "USD", "10", "0", "0", "0", "10"),
        ),
        POSTINGS,
        closed=set(closed),
    ).lines
    late = lines.filter(pl.col("entry_id") == "sale:L")
    assert late["posted_on"].unique().to_list() == [datetime.date(2026, 3, 1)]
    assert late["period"].unique().to_list() == ["2026-03"]
    assert late["event_date"].unique().to_list() == [datetime.date(2026, 1, 30)]
    assert late["late_posting"].all()
    on_time = lines.filter(pl.col("entry_id") == "sale:M")
    assert on_time["posted_on"].unique().to_list() == [datetime.date(2026, 4, 2)]
    assert not on_time["late_posting"].any()


def test_posting_dates_across_a_year_end() -> None:
    dates = posting_dates(pl.Series([datetime.date(2025, 12, 31)]), {"2025-12", "2026-01"})
    assert dates["posted_on"].to_list() == [datetime.date(2026, 2, 1)]


def test_trial_balance_nets_to_zero_per_period() -> None:
    lines = post_events(
        _events(
            _sale("A", "2026-01-10", "USD", "10", "1", "1", "2", "12"),
            _sale("E", "2026-02-10", "EUR", "10.01", "0", "0.99", "0", "11.00"),
        ),
        POSTINGS,
        rates=RATES,
    ).lines
    tb = trial_balance(lines, POSTINGS)
    sums = tb.group_by("period").agg(pl.col("balance").sum()).sort("period")
    assert sums["period"].to_list() == ["2026-01", "2026-02"]
    assert sums["balance"].to_list() == [D("0.00"), D("0.00")]
