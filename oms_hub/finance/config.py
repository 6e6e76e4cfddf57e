"""Chart of accounts and posting rules as data (YAML), validated on load.

Finance changes how a business event is booked by editing the YAML, not the code::

    base_currency: USD
    rounding_account: "7990"
    suspense_account: "9999"
    accounts:
      "1100": {name: Payment clearing, type: asset}
    events:
      sale:
        journal: SALES
        lines:
          - {account: "1100", debit: total}
          - {account: "4000", credit: gross}

Each line names exactly one side (``debit`` or ``credit``) and the event amount field
it posts (one of ``AMOUNT_FIELDS``). A file that does not follow this shape fails on
load with one message naming the file and the field
(``postings.yaml: events.sale.lines[1].account: unknown account '4001'``).
"""

from __future__ import annotations

from pathlib import Path
from typing import Literal

import polars as pl
import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError, model_validator

DEFAULT_POSTINGS = Path(__file__).with_name("default_postings.yaml")

#: Business events the hub derives (oms_hub/finance/events.py) and the amount fields
#: each one carries. A rule may only post fields its event has.
EVENT_FIELDS: dict[str, tuple[str, ...]] = {
    "sale": ("total", "discount", "gross", "tax", "shipping", "charges"),
    "b2b_invoice": ("total", "discount", "gross", "tax", "shipping", "charges"),
    "shipment": ("cost",),
    "refund": ("refund", "tax_refund", "refund_total"),
    "restock": ("cost",),
    "opening_stock": ("cost",),
    "stock_receipt": ("cost",),
    "processor_fee": ("fee",),
    "payout": ("amount",),
    "chargeback": ("amount",),
    "chargeback_reversal": ("amount",),
    "b2b_payment": ("amount",),
}
AMOUNT_FIELDS: tuple[str, ...] = tuple(
    dict.fromkeys(f for fields in EVENT_FIELDS.values() for f in fields)
)


class PostingsError(ValueError):
    """The postings file is invalid; the message names the file and the field."""


class Account(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)
    name: str = Field(min_length=1)
    type: Literal["asset", "liability", "equity", "revenue", "expense"]


class Line(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)
    account: str
    debit: str | None = None
    credit: str | None = None
    memo: str | None = None

    @model_validator(mode="after")
    def _one_side(self) -> Line:
        if (self.debit is None) == (self.credit is None):
            raise ValueError("a line names exactly one of debit or credit")
        return self

    @property
    def side(self) -> str:
        return "debit" if self.debit is not None else "credit"

    @property
    def field(self) -> str:
        return self.debit if self.debit is not None else self.credit  # type: ignore[return-value]


class EventRule(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)
    journal: str = Field(min_length=1)
    lines: tuple[Line, ...] = Field(min_length=2)


class Postings(BaseModel):
    """A validated chart of accounts with its posting rules."""

    model_config = ConfigDict(extra="forbid", frozen=True)
    version: str
    base_currency: str = Field(pattern=r"^[A-Z]{3}$")
    rounding_account: str
    suspense_account: str
    accounts: dict[str, Account]
    events: dict[str, EventRule]

    def rules_frame(self) -> pl.DataFrame:
        """One row per rule line: event, journal, rule_line, account, side, field, memo."""
        rows = [
            (event, rule.journal, i + 1, line.account, line.side, line.field, line.memo)
            for event, rule in self.events.items()
            for i, line in enumerate(rule.lines)
        ]
        return pl.DataFrame(
            rows,
            schema={
                "event": pl.String,
                "journal": pl.String,
                "rule_line": pl.Int32,
                "account": pl.String,
                "side": pl.String,
                "field": pl.String,
                "rule_memo": pl.String,
            },
            orient="row",
        )

    def accounts_frame(self) -> pl.DataFrame:
        """The chart of accounts: account, account_name, account_type."""
        return pl.DataFrame(
            {
                "account": list(self.accounts),
                "account_name": [a.name for a in self.accounts.values()],
                "account_type": [a.type for a in self.accounts.values()],
            }
        )


def _check_references(p: Postings, name: str) -> None:
    """Accounts, events and fields named by the rules must exist."""
    for key in ("rounding_account", "suspense_account"):
        if getattr(p, key) not in p.accounts:
            raise PostingsError(f"{name}: {key}: unknown account {getattr(p, key)!r}")
    for event, rule in p.events.items():
        if event not in EVENT_FIELDS:
            raise PostingsError(
                f"{name}: events.{event}: unknown event; expected one of {', '.join(EVENT_FIELDS)}"
            )
        for i, line in enumerate(rule.lines):
            where = f"{name}: events.{event}.lines[{i}]"
            if line.account not in p.accounts:
                raise PostingsError(f"{where}.account: unknown account {line.account!r}")
            if line.field not in EVENT_FIELDS[event]:
                raise PostingsError(
                    f"{where}.{line.side}: event {event!r} has no amount {line.field!r}; "
                    f"expected one of {', '.join(EVENT_FIELDS[event])}"
                )


def parse_postings(text: str, *, name: str = "postings.yaml") -> Postings:
    """Parse and validate postings YAML; raise ``PostingsError`` naming file and field."""
    try:
        raw = yaml.safe_load(text)
    except yaml.YAMLError as error:
        raise PostingsError(
            f"{name}: not valid YAML ({getattr(error, 'problem', error)})"
        ) from None
    if not isinstance(raw, dict):
        raise PostingsError(f"{name}: expected a mapping with accounts and events")
    # YAML reads unquoted account codes as ints; account codes are text.
    for key in ("rounding_account", "suspense_account"):
        if key in raw and isinstance(raw[key], int):
            raw[key] = str(raw[key])
    if isinstance(raw.get("accounts"), dict):
        raw["accounts"] = {str(k): v for k, v in raw["accounts"].items()}
    try:
        postings = Postings.model_validate(raw)
    except ValidationError as error:
        first = error.errors()[0]
        path = ".".join(f"[{p}]" if isinstance(p, int) else str(p) for p in first["loc"]).replace(
            ".[", "["
        )
        raise PostingsError(f"{name}: {path or '(top)'}: {first['msg']}") from None
    _check_references(postings, name)
    return postings


def load_postings(path: Path | None = None) -> Postings:
    """Load a postings file (default: the packaged chart and rules)."""
    path = path or DEFAULT_POSTINGS
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as error:
        raise PostingsError(f"{path}: cannot read ({error.strerror})") from None
    return parse_postings(text, name=path.name)
