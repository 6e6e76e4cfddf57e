"""Allocation rules as data: a versioned YAML file of dated rule sets.

A business changes how orders are fulfilled by editing this file, not the code::

    version: "2026-10-a"
    channel_thresholds: {web: 1, marketplace: 2}   # units held back per online channel
    locations:                                     # optional per-location attributes
      DC-EAST: {priority: 1, cost_per_unit: 4.10, capacity_per_day: 5000}
    rule_sets:
      - name: warehouse-first
        effective_from: 2026-01-01
        strategies:
          - name: b2b
            channels: [edi]           # only these channels' lines (default: all)
            filters: {kind: [warehouse]}
            sort: [priority]
            when_short: split
          - name: warehouses
            filters: {kind: [warehouse], ships_online: true}
            sort: [distance]
            when_short: next          # split | next | backorder
          - name: stores
            filters: {kind: [store], ships_online: true, min_available: 2}
            sort: [distance, stock_balance]
            when_short: split
      - name: stores-first
        effective_from: 2026-10-01    # from 1 October, ship from stores first
        strategies: [...]

A line uses the rule set with the latest ``effective_from`` on or before its order
day. Strategies are tried in order: a strategy's filters choose the candidate
locations, its sort ranks them, and ``when_short`` says what to do when no single
candidate can ship the whole line: ``split`` it across the candidates, try the ``next``
strategy, or ``backorder`` it. Whatever the last strategy cannot place is backordered.
Pickup-in-store lines ignore strategies: they allocate to their store or backorder.

A file that does not follow this shape fails on load with a message naming the file,
the line and the field (``rules.yaml:14 rule_sets[0].strategies[1].sort[0]: unknown
sort 'dist'; expected one of ...``).
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator

from oms_hub.quality.contracts import CHANNELS

SORTS = ("distance", "stock_balance", "cost", "priority")
DEFAULT_RULES = Path(__file__).with_name("default_rules.yaml")


class RulesError(ValueError):
    """The rules file is invalid; the message says where."""


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class Filters(_Strict):
    """Which locations a strategy may use."""

    kind: tuple[Literal["store", "warehouse"], ...] = ("store", "warehouse")
    ships_online: bool | None = True
    #: Units that must remain available (after safety stock) for a location to qualify.
    min_available: int = Field(default=1, ge=1)
    #: Units a location may ship per day over all SKUs (overrides ``locations``).
    capacity_per_day: int | None = Field(default=None, ge=1)
    max_distance_km: float | None = Field(default=None, gt=0)
    locations: tuple[str, ...] | None = None


class Strategy(_Strict):
    """One step of a rule set."""

    name: str = Field(min_length=1)
    #: Channels whose lines this strategy serves (all when omitted); lines of other
    #: channels pass on to the next strategy.
    channels: tuple[str, ...] | None = None
    filters: Filters = Filters()
    sort: tuple[str, ...] = ("distance",)
    when_short: Literal["split", "next", "backorder"] = "next"

    @field_validator("channels")
    @classmethod
    def _known_channels(cls, value: tuple[str, ...] | None) -> tuple[str, ...] | None:
        for channel in value or ():
            if channel not in CHANNELS:
                raise ValueError(f"unknown channel {channel!r}; expected one of {CHANNELS}")
        return value

    @field_validator("sort")
    @classmethod
    def _known_sorts(cls, value: tuple[str, ...]) -> tuple[str, ...]:
        for key in value:
            if key not in SORTS:
                raise ValueError(f"unknown sort {key!r}; expected one of {', '.join(SORTS)}")
        return value


class RuleSet(_Strict):
    """Strategies in force from a day on."""

    name: str = Field(min_length=1)
    effective_from: datetime.date
    strategies: tuple[Strategy, ...] = Field(min_length=1)


class LocationAttributes(_Strict):
    """What a location costs, how much it can ship, and a custom rank."""

    priority: int = 100
    cost_per_unit: float = Field(default=5.0, ge=0)
    capacity_per_day: int | None = Field(default=None, ge=1)


class Rules(_Strict):
    """A whole rules file."""

    version: str = Field(min_length=1)
    channel_thresholds: dict[str, int] = {}
    locations: dict[str, LocationAttributes] = {}
    rule_sets: tuple[RuleSet, ...] = Field(min_length=1)

    @field_validator("channel_thresholds")
    @classmethod
    def _channels(cls, value: dict[str, int]) -> dict[str, int]:
        for channel, units in value.items():
            if channel not in CHANNELS:
                raise ValueError(f"unknown channel {channel!r}; expected one of {CHANNELS}")
            if units < 0:
                raise ValueError(f"threshold for {channel} must be >= 0, got {units}")
        return value

    @field_validator("rule_sets")
    @classmethod
    def _distinct_dates(cls, value: tuple[RuleSet, ...]) -> tuple[RuleSet, ...]:
        days = [r.effective_from for r in value]
        if len(set(days)) != len(days):
            raise ValueError("two rule sets share an effective_from date")
        return tuple(sorted(value, key=lambda r: r.effective_from))

    def in_force(self, day: datetime.date) -> RuleSet | None:
        """The rule set a line ordered on ``day`` uses (None before the first one)."""
        current = None
        for rule_set in self.rule_sets:
            if rule_set.effective_from <= day:
                current = rule_set
        return current


@dataclass(frozen=True)
class _Where:
    line: int


def _line_map(text: str) -> dict[tuple[Any, ...], int]:
    """YAML path -> 1-based line number, so errors can point into the file."""
    lines: dict[tuple[Any, ...], int] = {}

    def walk(node: yaml.Node, path: tuple[Any, ...]) -> None:
        lines[path] = node.start_mark.line + 1
        if isinstance(node, yaml.MappingNode):
            for key, value in node.value:
                walk(value, (*path, key.value))
                lines[(*path, key.value, "__key__")] = key.start_mark.line + 1
        elif isinstance(node, yaml.SequenceNode):
            for i, item in enumerate(node.value):
                walk(item, (*path, i))

    root = yaml.compose(text)
    if root is not None:
        walk(root, ())
    return lines


def _path_text(loc: tuple[Any, ...]) -> str:
    out = ""
    for part in loc:
        out += f"[{part}]" if isinstance(part, int) else (f".{part}" if out else str(part))
    return out or "(top level)"


def parse_rules(text: str, *, name: str = "rules.yaml") -> Rules:
    """Validate rules text; raise :class:`RulesError` naming the file, line and field."""
    try:
        data = yaml.safe_load(text)
    except yaml.YAMLError as error:
        mark = getattr(error, "problem_mark", None)
        where = f"{name}:{mark.line + 1}" if mark else name
        raise RulesError(f"{where}: not valid YAML ({getattr(error, 'problem', error)})") from None
    if not isinstance(data, dict):
        raise RulesError(f"{name}: expected a mapping with version and rule_sets")
    try:
        return Rules.model_validate(data)
    except ValidationError as error:
        lines = _line_map(text)
        first = error.errors()[0]
        loc = tuple(p for p in first["loc"] if not (isinstance(p, str) and "[" in p))
        line = None
        for cut in range(len(loc), -1, -1):
            line = lines.get(loc[:cut])
            if line is not None:
                break
        message = first["msg"].removeprefix("Value error, ")
        more = f" (and {error.error_count() - 1} more)" if error.error_count() > 1 else ""
        raise RulesError(f"{name}:{line or 1} {_path_text(loc)}: {message}{more}") from None


def load_rules(path: Path | None = None) -> Rules:
    """Load and validate a rules file (the packaged default when ``path`` is None)."""
    target = Path(path) if path else DEFAULT_RULES
    try:
        text = target.read_text(encoding="utf-8")
    except OSError as error:
        raise RulesError(f"cannot read rules file {target}: {error.strerror}") from None
    return parse_rules(text, name=target.name)
