"""The chart of accounts and posting rules load from YAML and fail with where and why."""

from __future__ import annotations

import pytest

from oms_hub.finance.config import DEFAULT_POSTINGS, PostingsError, load_postings, parse_postings


def test_default_postings_load_and_cover_every_event() -> None:
    postings = load_postings()
    assert postings.base_currency == "USD"
    assert {
        "sale",
        "b2b_invoice",
        "shipment",
        "refund",
        "restock",
        "processor_fee",
        "payout",
        "chargeback",
        "chargeback_reversal",
        "b2b_payment",
    } <= set(postings.events)
    rules = postings.rules_frame()
    assert rules.filter(rules["account"].is_in(list(postings.accounts)).not_()).height == 0


def _broken(old: str, new: str) -> str:
    text = DEFAULT_POSTINGS.read_text()
    assert old in text
    return text.replace(old, new, 1)


@pytest.mark.parametrize(
    ("old", "new", "message"),
    [
        (
            '{account: "4000", credit: gross}',
            '{account: "4001", credit: gross}',
            "postings.yaml: events.sale.lines[2].account: unknown account '4001'",
        ),
        (
            '{account: "4000", credit: gross}',
            '{account: "4000", credit: grosss}',
            "postings.yaml: events.sale.lines[2].credit: event 'sale' has no amount 'grosss'",
        ),
        (
            '{account: "4000", credit: gross}',
            '{account: "4000", credit: gross, debit: gross}',
            "postings.yaml: events.sale.lines[2]: Value error, a line names exactly one",
        ),
        ("base_currency: USD", "base_currency: usd", "postings.yaml: base_currency:"),
        ('rounding_account: "7990"', 'rounding_account: "7999"', "rounding_account: unknown"),
        ("  payout:\n", "  payday:\n", "postings.yaml: events.payday: unknown event"),
        ("{name: Bank, type: asset}", "{name: Bank, type: assets}", "accounts.1010.type"),
    ],
)
def test_invalid_postings_name_file_and_field(old: str, new: str, message: str) -> None:
    with pytest.raises(PostingsError) as error:
        parse_postings(_broken(old, new), name="postings.yaml")
    assert str(error.value).startswith(message) or message in str(error.value)


def test_unreadable_and_non_mapping_files_fail_in_one_line(tmp_path) -> None:
    with pytest.raises(PostingsError, match=r"missing\.yaml: cannot read"):
        load_postings(tmp_path / "missing.yaml")
    with pytest.raises(PostingsError, match=r"x\.yaml: expected a mapping"):
        parse_postings("- a\n- b\n", name="x.yaml")
    with pytest.raises(PostingsError, match=r"x\.yaml: not valid YAML"):
        parse_postings("a: [\n", name="x.yaml")
