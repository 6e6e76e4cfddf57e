"""Allocation rules load from YAML; invalid files fail with file, line and field."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from oms_hub.allocation.rules import RulesError, load_rules, parse_rules

GOOD = """\
version: "v1"
channel_thresholds: {web: 1}
rule_sets:
  - name: warehouse-first
    effective_from: 2026-01-01
    strategies:
      - name: warehouses
        filters: {kind: [warehouse]}
        sort: [distance]
        when_short: next
  - name: stores-first
    effective_from: 2026-10-01
    strategies:
      - name: stores
        filters: {kind: [store], min_available: 2}
        sort: [distance, stock_balance]
        when_short: split
"""


def test_default_rules_load_and_switch_on_the_first_of_october() -> None:
    rules = load_rules()
    assert rules.in_force(dt.date(2026, 9, 30)).name == "warehouse-first"
    assert rules.in_force(dt.date(2026, 10, 1)).name == "stores-first"
    assert rules.in_force(dt.date(2024, 12, 31)) is None
    assert rules.channel_thresholds["marketplace"] == 2


def test_good_rules_parse() -> None:
    rules = parse_rules(GOOD)
    assert [r.name for r in rules.rule_sets] == ["warehouse-first", "stores-first"]
    assert rules.rule_sets[1].strategies[0].filters.min_available == 2


@pytest.mark.parametrize(
    ("old", "new", "where", "message"),
    [
        (
            "sort: [distance, stock_balance]",
            "sort: [distance, dist]",
            "rules.yaml:16 ",
            "rule_sets[1].strategies[0].sort: unknown sort 'dist'",
        ),
        (
            "when_short: split",
            "when_short: maybe",
            "rules.yaml:17 ",
            "rule_sets[1].strategies[0].when_short",
        ),
        (
            "effective_from: 2026-10-01",
            "effective_from: 2026-01-01",
            "rules.yaml:4 ",
            "share an effective_from",
        ),
        ("{web: 1}", "{webshop: 1}", "rules.yaml:2 ", "unknown channel 'webshop'"),
        ("min_available: 2", "min_available: 0", "rules.yaml:15 ", "min_available"),
        ("kind: [warehouse]", "kind: [depot]", "rules.yaml:8 ", "kind"),
        (
            "        sort: [distance]\n",
            "        sort: [distance]\n        colour: red\n",
            "rules.yaml:10 ",
            "colour",
        ),
    ],
)
def test_invalid_rules_say_where(old: str, new: str, where: str, message: str) -> None:
    assert old in GOOD
    with pytest.raises(RulesError) as info:
        parse_rules(GOOD.replace(old, new, 1))
    text = str(info.value)
    assert text.startswith(where), text
    assert message in text, text


def test_yaml_syntax_and_missing_file(tmp_path: Path) -> None:
    with pytest.raises(RulesError, match=r"^rules.yaml:\d+: not valid YAML"):
        parse_rules("version: [unclosed\n")
    with pytest.raises(RulesError, match="expected a mapping"):
        parse_rules("- just a list\n")
    with pytest.raises(RulesError, match="cannot read rules file"):
        load_rules(tmp_path / "nope.yaml")
