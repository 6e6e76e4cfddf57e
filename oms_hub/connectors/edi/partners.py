"""Trading partners: who sends EDI, which account they are, how their items resolve.

The configuration is data a business edits without a developer (YAML), validated on
load: a mistake stops with one line naming the file, the partner and the field. The
default file ships with the package (it describes the sample world's partners);
``OMS_HUB_EDI_PARTNERS`` points at another.

.. code-block:: yaml

    partners:
      - id: ACMESTORES          # ISA06 / UNB02 sender id, as sent
        name: Acme Stores
        customer_account: ACME  # core.orders.source_customer_id
        currency: USD           # when the document states none
        item_qualifiers: [VN, UP, BP]   # optional: which ids to trust, in order
        buyer_parts: {B-77: SKU-000123} # optional: buyer part number -> our SKU
        warehouses: {WH1: DC-EAST}      # optional: partner warehouse id -> location_id
        payment_terms_days: 30          # optional: net terms of its invoices (default 30)
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import polars as pl
import yaml

DEFAULT_PATH = Path(__file__).with_name("partners.yaml")

#: Qualifiers naming our SKU, a UPC/GTIN, or the buyer's part number (X12 and EDIFACT).
OUR_SKU = ("VN", "VP", "SK", "SA", "MF", "SRV")
GTIN = ("UP", "UK", "EN", "UA", "EA")
BUYER_PART = ("BP", "IN")
KNOWN_QUALIFIERS = OUR_SKU + GTIN + BUYER_PART
#: Net terms when a partner states none: invoices fall due 30 days after invoicing.
DEFAULT_TERMS_DAYS = 30


class PartnerConfigError(ValueError):
    """The trading-partner file is wrong; the message names the place."""


@dataclass(frozen=True)
class Partner:
    """One trading partner's settings."""

    id: str
    name: str
    customer_account: str
    currency: str
    item_qualifiers: tuple[str, ...] = KNOWN_QUALIFIERS
    buyer_parts: dict[str, str] = field(default_factory=dict)
    warehouses: dict[str, str] = field(default_factory=dict)
    payment_terms_days: int = DEFAULT_TERMS_DAYS


@dataclass(frozen=True)
class Partners:
    """All partners, and the frames conform joins against."""

    partners: tuple[Partner, ...]

    def frame(self) -> pl.DataFrame:
        """One row per partner: id, name, customer_account, currency, payment_terms_days."""
        return pl.DataFrame(
            {
                "partner_id": [p.id for p in self.partners],
                "partner_name": [p.name for p in self.partners],
                "customer_account": [p.customer_account for p in self.partners],
                "partner_currency": [p.currency for p in self.partners],
                "payment_terms_days": [p.payment_terms_days for p in self.partners],
            },
            schema={
                "partner_id": pl.String,
                "partner_name": pl.String,
                "customer_account": pl.String,
                "partner_currency": pl.String,
                "payment_terms_days": pl.Int32,
            },
        )

    def qualifier_ranks(self) -> pl.DataFrame:
        """partner_id, qualifier, rank: which item ids a partner's documents are read by."""
        rows = [(p.id, q, n) for p in self.partners for n, q in enumerate(p.item_qualifiers)]
        return pl.DataFrame(
            rows,
            schema={"partner_id": pl.String, "qualifier": pl.String, "rank": pl.Int32},
            orient="row",
        )

    def buyer_parts(self) -> pl.DataFrame:
        """partner_id, value (buyer part number), sku."""
        rows = [(p.id, k, v) for p in self.partners for k, v in p.buyer_parts.items()]
        return pl.DataFrame(
            rows,
            schema={"partner_id": pl.String, "value": pl.String, "sku": pl.String},
            orient="row",
        )

    def warehouses(self) -> pl.DataFrame:
        """partner_id, warehouse_id (theirs), location_id (ours)."""
        rows = [(p.id, k, v) for p in self.partners for k, v in p.warehouses.items()]
        return pl.DataFrame(
            rows,
            schema={"partner_id": pl.String, "warehouse_id": pl.String, "location_id": pl.String},
            orient="row",
        )

    def locate_senders(self, docs: pl.DataFrame) -> pl.DataFrame:
        """``docs`` plus ``partner_id`` (null: sender unknown) and ``location_id`` (null:
        the sender's ``warehouse_id`` maps to none of our locations).

        Shared by every document a partner's warehouse sends about itself (846 advice,
        945 shipments), so both reject an unknown sender or warehouse the same way.
        """
        return docs.join(
            self.frame().select("partner_id"),
            left_on="sender_id",
            right_on="partner_id",
            how="left",
            coalesce=False,
        ).join(
            self.warehouses(),
            left_on=["sender_id", "warehouse_id"],
            right_on=["partner_id", "warehouse_id"],
            how="left",
        )


def _text(where: str, entry: dict[str, Any], key: str, *, length: int | None = None) -> str:
    value = entry.get(key)
    if not isinstance(value, str | int) or str(value).strip() == "":
        raise PartnerConfigError(f"{where}: '{key}' is required and must be text")
    text = str(value).strip()
    if length is not None and (len(text) != length or not text.isalpha() or not text.isupper()):
        raise PartnerConfigError(f"{where}: '{key}' must be a {length}-letter code, got {text!r}")
    return text


def _mapping(where: str, entry: dict[str, Any], key: str) -> dict[str, str]:
    value = entry.get(key, {}) or {}
    if not isinstance(value, dict):
        raise PartnerConfigError(f"{where}: '{key}' must be a mapping")
    return {str(k): str(v) for k, v in value.items()}


def _terms(where: str, entry: dict[str, Any]) -> int:
    value = entry.get("payment_terms_days", DEFAULT_TERMS_DAYS)
    if isinstance(value, bool) or not isinstance(value, int) or not 0 <= value <= 365:
        raise PartnerConfigError(
            f"{where}: 'payment_terms_days' must be a whole number of days 0..365, got {value!r}"
        )
    return value


def parse_partners(text: str, *, origin: str = "<partners>") -> Partners:
    """Validate a partners YAML document."""
    try:
        data = yaml.safe_load(text)
    except yaml.YAMLError as error:
        raise PartnerConfigError(f"{origin}: not valid YAML ({error})") from None
    if not isinstance(data, dict) or not isinstance(data.get("partners"), list):
        raise PartnerConfigError(f"{origin}: expected a top-level 'partners' list")
    out: list[Partner] = []
    seen: set[str] = set()
    for n, entry in enumerate(data["partners"], start=1):
        where = f"{origin}: partners[{n}]"
        if not isinstance(entry, dict):
            raise PartnerConfigError(f"{where}: each partner is a mapping")
        pid = _text(where, entry, "id")
        where = f"{origin}: partner {pid!r}"
        if pid in seen:
            raise PartnerConfigError(f"{where}: listed twice")
        seen.add(pid)
        unknown = set(entry) - {
            "id",
            "name",
            "customer_account",
            "currency",
            "item_qualifiers",
            "buyer_parts",
            "warehouses",
            "syntax",
            "payment_terms_days",
        }
        if unknown:
            raise PartnerConfigError(f"{where}: unknown field(s) {', '.join(sorted(unknown))}")
        quals = entry.get("item_qualifiers", list(KNOWN_QUALIFIERS))
        if not isinstance(quals, list) or not quals:
            raise PartnerConfigError(f"{where}: 'item_qualifiers' must be a non-empty list")
        bad = [q for q in quals if q not in KNOWN_QUALIFIERS]
        if bad:
            raise PartnerConfigError(
                f"{where}: item_qualifiers {bad} unknown; use {', '.join(KNOWN_QUALIFIERS)}"
            )
        out.append(
            Partner(
                id=pid,
                name=_text(where, entry, "name"),
                customer_account=_text(where, entry, "customer_account"),
                currency=_text(where, entry, "currency", length=3),
                item_qualifiers=tuple(quals),
                buyer_parts=_mapping(where, entry, "buyer_parts"),
                warehouses=_mapping(where, entry, "warehouses"),
                payment_terms_days=_terms(where, entry),
            )
        )
    return Partners(tuple(out))


def load_partners(path: str | os.PathLike[str] | None = None) -> Partners:
    """Load the partners file: ``path``, else ``$OMS_HUB_EDI_PARTNERS``, else the default."""
    chosen = Path(path or os.environ.get("OMS_HUB_EDI_PARTNERS") or DEFAULT_PATH)
    try:
        text = chosen.read_text(encoding="utf-8")
    except OSError as error:
        raise PartnerConfigError(f"{chosen}: cannot read ({error.strerror})") from None
    return parse_partners(text, origin=str(chosen))
