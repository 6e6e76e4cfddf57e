"""The staged shape every JSON order API is read into, and the per-record plumbing.

Shopify, WooCommerce and Amazon each describe an order differently; their parsers map
one source record to one staged row of ``STAGED_SCHEMA`` (order header + a nested
``lines`` list + a nested ``refunds`` list), so one conform (``oms_hub.orders.web_conform``)
serves all of them.

Why the record walk is Python: a page is a nested JSON tree, and the contract is that a
record with a wrong type or a missing id is quarantined *alone* while the rest of the
page loads. ``json.loads`` (C) decodes the page once, with ``parse_float=Decimal`` so
a bare-number price keeps its exact digits and integers of any size (Shopify ids above
2**53) stay exact Python ints; each record is then checked field by field into plain
tuples, and everything after that (timestamps, masking flags, duplicates, the frame
itself) is columnar. ``benchmarks/web_parse_bench.py`` measures the cost.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Iterable
from datetime import UTC, datetime
from decimal import Decimal, InvalidOperation
from typing import Any

import polars as pl

from oms_hub.connectors.common.result import ParseResult, quarantine_rows
from oms_hub.quality.card_numbers import CANDIDATE, mask_text
from oms_hub.quality.contracts import MONEY_DTYPE, UNIT_PRICE_DTYPE, UTC_DTYPE, contract

LINE = pl.Struct(
    {
        "line_number": pl.Int32,
        "line_id": pl.String,
        "sku": pl.String,
        "item_name": pl.String,
        "quantity": pl.Int32,
        "unit_price": UNIT_PRICE_DTYPE,
        "gross_amount": MONEY_DTYPE,
        "discount_amount": MONEY_DTYPE,
        "line_total": MONEY_DTYPE,
        "tax_amount": MONEY_DTYPE,
    }
)
REFUND = pl.Struct(
    {
        "refund_id": pl.String,
        "refund_line_id": pl.String,
        "refunded_at": UTC_DTYPE,
        "line_id": pl.String,
        "sku": pl.String,
        "quantity": pl.Int32,
        "refund_amount": MONEY_DTYPE,
        "tax_refund": MONEY_DTYPE,
        "restock_type": pl.String,
    }
)

PAYMENT = pl.Struct(
    {
        "payment_id": pl.String,
        "kind": pl.String,
        "status": pl.String,
        "processed_at": UTC_DTYPE,
        "amount": MONEY_DTYPE,
        "currency": pl.String,
        "gateway": pl.String,
        "processor_ref": pl.String,
    }
)

#: One shipped unit group of a fulfillment (Shopify): where it left from and when. A
#: fulfillment with several items is several rows sharing ``fulfillment_id``.
SHIPMENT = pl.Struct(
    {
        "fulfillment_id": pl.String,
        "shipped_at": UTC_DTYPE,
        "status": pl.String,
        "location_ref": pl.String,
        "location_name": pl.String,
        "sku": pl.String,
        "quantity": pl.Int32,
    }
)

#: One staged row per source record (an order, or for Amazon also an order-items document).
STAGED_SCHEMA = pl.Schema(
    {
        "source": pl.String,
        "landed_file": pl.String,
        "locator": pl.String,
        "version_key": pl.String,
        "version_at": UTC_DTYPE,
        "document": pl.String,  # "order" (header + lines) / "header" / "items" (Amazon)
        "source_order_id": pl.String,
        "order_number": pl.String,
        "channel": pl.String,
        "status": pl.String,
        "source_code": pl.String,
        "ordered_at": UTC_DTYPE,
        "ordered_at_offset": pl.String,
        "currency": pl.String,
        "gross_amount": MONEY_DTYPE,
        "discount_amount": MONEY_DTYPE,
        "tax_amount": MONEY_DTYPE,
        "shipping_amount": MONEY_DTYPE,
        "total": MONEY_DTYPE,
        "refunded_amount": MONEY_DTYPE,
        "priced": pl.Boolean,
        "source_customer_id": pl.String,
        "customer_name": pl.String,
        "customer_email": pl.String,
        "customer_phone": pl.String,
        "ship_postal_code": pl.String,
        "ship_country": pl.String,
        "fulfilled_by": pl.String,
        "note": pl.String,
        # the paying card as the processor shows it (Shopify ``CardPaymentDetails``):
        # brand and the last four digits only, never more (``card_last4``)
        "card_brand": pl.String,
        "card_last4": pl.String,
        "has_card_number": pl.Boolean,
        "lines": pl.List(LINE),
        "refunds": pl.List(REFUND),
        "payments": pl.List(PAYMENT),
        "shipments": pl.List(SHIPMENT),
    }
)
FIELDS = list(STAGED_SCHEMA.names())
_HEADER_FIELDS = FIELDS[3:]  # what a record function returns (lineage is added here)
_FLAG_AT = FIELDS.index("has_card_number")

#: Source transaction kinds -> core.payments.kind.
PAYMENT_KINDS = {
    "sale": "sale",
    "capture": "capture",
    "authorization": "authorization",
    "refund": "refund",
    "void": "void",
    "change": "other",
    "suggested_refund": "other",
    "emv_authorization": "authorization",
}

_MONEY_RE = re.compile(r"^-?\d{1,15}(\.\d{1,2})?$")
#: The last four digits of a masked card number (``•••• •••• •••• 4242``,
#: ``************4242``): exactly four digits at the end, not part of a longer run.
LAST4_RE = r"(?:^|[^0-9])([0-9]{4})\s*$"
_LAST4 = re.compile(LAST4_RE)
_PAN_SCREEN = re.compile(CANDIDATE)


class BadRecord(ValueError):
    """A record that cannot be staged: ``code`` is the quarantine error code."""

    def __init__(self, code: str, message: str) -> None:
        super().__init__(message)
        self.code = code


class Record:
    """Field access on one source record that turns every surprise into ``BadRecord``.

    It also remembers whether any text it handed out held a card number (masked).
    """

    __slots__ = ("_flag", "data", "what")

    def __init__(self, data: Any, what: str, _flag: list[bool] | None = None) -> None:
        if not isinstance(data, dict):
            raise BadRecord("wrong_type", f"{what} is a {type(data).__name__}, not an object")
        self.data = data
        self.what = what
        self._flag = _flag if _flag is not None else [False]

    @property
    def flagged(self) -> bool:
        """Did any text of this record (or its nested objects) hold a card number?"""
        return self._flag[0]

    def child(self, value: Any, what: str) -> Record:
        """A nested object, sharing the card-number flag with its parent."""
        return Record(value, what, self._flag)

    def raw(self, key: str) -> Any:
        """The value as decoded (None when absent)."""
        return self.data.get(key)

    def text(
        self, key: str, *, required: bool = False, value: Any = None, mask: bool = True
    ) -> str | None:
        """A string field (numbers are accepted and printed exactly); card numbers masked."""
        v = self.data.get(key) if value is None else value
        if v is None or v == "":
            if required:
                raise BadRecord("missing_field", f"{self.what}: '{key}' is missing")
            return None
        if isinstance(v, bool) or not isinstance(v, str | int | Decimal):
            raise BadRecord(
                "wrong_type", f"{self.what}: '{key}' is a {type(v).__name__}, not text: {v!r:.60}"
            )
        s = str(v)
        if mask and len(s) >= 13 and _PAN_SCREEN.search(s):
            masked = mask_text(s)
            if masked != s:
                self._flag[0] = True
                return masked
        return s

    def ident(self, key: str) -> str:
        """A required id (string or integer of any size, kept exact)."""
        return self.text(key, required=True, mask=False)  # type: ignore[return-value]

    def obj(self, key: str) -> Record | None:
        """A nested object, or None when absent/null."""
        v = self.data.get(key)
        return None if v is None else self.child(v, f"{self.what}.{key}")

    def items(self, key: str) -> list[Record]:
        """A nested array of objects (absent -> empty)."""
        v = self.data.get(key)
        if v is None:
            return []
        if not isinstance(v, list):
            raise BadRecord("wrong_type", f"{self.what}: '{key}' is not an array")
        return [self.child(x, f"{self.what}.{key}[{i}]") for i, x in enumerate(v)]

    def money(self, key: str, *, required: bool = True, value: Any = None) -> Decimal | None:
        """An amount given as text ('12.50') or number; at most 2 decimals."""
        v = self.data.get(key) if value is None else value
        if v is None or v == "":
            if required:
                raise BadRecord("missing_field", f"{self.what}: amount '{key}' is missing")
            return None
        if isinstance(v, bool) or not isinstance(v, str | int | Decimal):
            raise BadRecord("wrong_type", f"{self.what}: amount '{key}' is {v!r:.60}")
        s = str(v).strip()
        if not _MONEY_RE.match(s):
            raise BadRecord("bad_money", f"{self.what}: amount '{key}' is not money: {s!r:.60}")
        return Decimal(s)

    def number(self, key: str) -> Decimal:
        """A required bare number (JSON number; a string here is a wrong type)."""
        v = self.data.get(key)
        if isinstance(v, bool) or not isinstance(v, int | Decimal):
            raise BadRecord("wrong_type", f"{self.what}: '{key}' must be a number, got {v!r:.60}")
        return Decimal(v)

    def integer(self, key: str, *, value: Any = None) -> int:
        """A required whole number (JSON number or digits in a string)."""
        v = self.data.get(key) if value is None else value
        if isinstance(v, str) and v.strip().lstrip("-").isdigit():
            return int(v)
        if isinstance(v, int) and not isinstance(v, bool):
            return v
        if isinstance(v, Decimal) and v == v.to_integral_value():
            return int(v)
        raise BadRecord("wrong_type", f"{self.what}: '{key}' must be a whole number, got {v!r:.60}")

    def flag(self, key: str) -> bool | None:
        """A boolean given as JSON true/false or as the strings 'true'/'false' (Amazon)."""
        v = self.data.get(key)
        if v is None or isinstance(v, bool):
            return v
        if isinstance(v, str) and v.lower() in ("true", "false"):
            return v.lower() == "true"
        raise BadRecord("wrong_type", f"{self.what}: '{key}' is not a boolean: {v!r:.60}")

    def timestamp(
        self, key: str, *, required: bool = True, naive_is_utc: bool = False
    ) -> tuple[datetime | None, str | None]:
        """An ISO-8601 time -> (UTC instant, the offset as written, e.g. '-05:00')."""
        v = self.data.get(key)
        if v is None or v == "":
            if required:
                raise BadRecord("missing_field", f"{self.what}: time '{key}' is missing")
            return None, None
        if not isinstance(v, str):
            raise BadRecord("wrong_type", f"{self.what}: time '{key}' is {v!r:.60}")
        try:
            t = datetime.fromisoformat(v)
        except ValueError:
            raise BadRecord(
                "bad_timestamp", f"{self.what}: '{key}' is not a time: {v!r:.60}"
            ) from None
        if t.tzinfo is None:
            if not naive_is_utc:
                raise BadRecord("bad_timestamp", f"{self.what}: '{key}' has no offset: {v!r:.60}")
            t = t.replace(tzinfo=UTC)
        return t.astimezone(UTC), offset_text(t)


def card_last4(masked_number: str | None) -> str | None:
    """The last four digits of an (already masked) card number, or None.

    Only a number *ending in exactly four digits* gives them: a run of more digits at
    the end (an unmasked number that is no card, a token) gives None, so nothing longer
    than four digits of a card field is ever staged.
    """
    if not masked_number:
        return None
    found = _LAST4.search(masked_number)
    return found.group(1) if found else None


def offset_text(t: datetime) -> str:
    """'+05:30' / '-05:00' / '+00:00' for an aware datetime."""
    off = t.utcoffset()
    minutes = int(off.total_seconds() // 60) if off is not None else 0
    sign = "-" if minutes < 0 else "+"
    return f"{sign}{abs(minutes) // 60:02d}:{abs(minutes) % 60:02d}"


def with_unit_prices(staged: pl.DataFrame) -> pl.DataFrame:
    """Set every line's ``unit_price``: gross / quantity to 4 decimals (0 for quantity 0).

    Computed for a whole page in polars, the same way for every parser and path.
    """
    gross, qty = pl.field("gross_amount"), pl.field("quantity")
    price = (
        pl.when(qty != 0)
        .then((gross.cast(pl.Decimal(38, 6)) / qty).round(4))
        .otherwise(pl.lit(0))
        .cast(UNIT_PRICE_DTYPE)
    )
    return staged.with_columns(
        pl.col("lines").list.eval(pl.element().struct.with_fields(unit_price=price))
    )


def load_json(payload: bytes) -> Any:
    """Decode a whole page; exact decimals and integers. Raises ``BadRecord`` if unreadable."""
    try:
        return json.loads(payload, parse_float=Decimal)
    except (UnicodeDecodeError, json.JSONDecodeError) as error:
        raise BadRecord("bad_json", f"not valid JSON ({error})") from None


def _excerpt(value: Any) -> str:
    try:
        text = json.dumps(value, default=str)
    except (TypeError, ValueError):
        text = repr(value)
    return mask_text(text[:600])[:300]


NO_QUARANTINE = contract("ops.quarantine").empty()

RecordFn = Callable[[Record], dict[str, Any]]

#: Key under which a record function returns flags about a record it still stages:
#: ``[(error_code, error, excerpt), ...]`` (each becomes a ``flagged`` quarantine row).
FLAGS = "_flags"


def parse_records(
    records: Iterable[Any],
    *,
    source: str,
    landed_file: str,
    what: str,
    record_fn: RecordFn,
) -> ParseResult:
    """Stage every record ``record_fn`` accepts; quarantine the others with its reason.

    ``record_fn`` returns the record's ``STAGED_SCHEMA`` values by name (absent names are
    null; lineage and ``has_card_number`` are added here). A record flagged for a card number is staged
    (masked) and also gets a ``flagged`` quarantine row, as does each flag ``record_fn``
    returns under ``FLAGS``. A key repeated within the page keeps its newest copy; the
    other copies are rejected as ``duplicate_in_page``.
    """
    rows: list[tuple] = []
    bad: list[tuple[str, str, str, str]] = []
    notes: list[tuple[str, str, str, str]] = []
    n = 0
    for n, data in enumerate(records, start=1):
        locator = f"{what} {n}"
        try:
            rec = Record(data, f"{what} {n}")
            values = record_fn(rec)
        except BadRecord as error:
            bad.append((locator, error.code, str(error), _excerpt(data)))
            continue
        except (InvalidOperation, ArithmeticError, TypeError, AttributeError) as error:
            bad.append((locator, "wrong_type", f"{what} {n}: {error}", _excerpt(data)))
            continue
        values["has_card_number"] = rec.flagged
        notes.extend((locator, *flag) for flag in values.get(FLAGS, ()))
        rows.append((source, landed_file, locator, *[values.get(f) for f in _HEADER_FIELDS]))
    staged = with_unit_prices(pl.DataFrame(rows, schema=STAGED_SCHEMA, orient="row"))
    repeated = staged.height > 1 and staged.get_column("version_key").n_unique() < staged.height
    if not (bad or repeated or notes or any(r[_FLAG_AT] for r in rows)):
        return ParseResult(staged=staged, quarantine=NO_QUARANTINE, records=n)
    dup = staged.select(
        (
            pl.int_range(pl.len()).sort_by("version_at", descending=True).over("version_key") > 0
        ).alias("dup")
    ).to_series()
    quarantine = [
        pl.DataFrame(
            bad,
            schema={
                "locator": pl.String,
                "error_code": pl.String,
                "error": pl.String,
                "excerpt": pl.String,
            },
            orient="row",
        )
    ]
    if dup.any():
        quarantine.append(
            staged.filter(dup).select(
                "locator",
                error_code=pl.lit("duplicate_in_page"),
                error=pl.format(
                    "{} {} appears again in this page; the newest copy is kept",
                    pl.lit(what),
                    pl.col("source_order_id"),
                ),
                excerpt=pl.col("version_key"),
            )
        )
        staged = staged.filter(~dup)
    rejected = quarantine_rows(
        pl.concat(quarantine), source=source, landed_file=landed_file, stage="parse"
    )
    quarantine_schema = {c: pl.String for c in ("locator", "error_code", "error", "excerpt")}
    noted = pl.DataFrame(notes, schema=quarantine_schema, orient="row").join(
        staged.select("locator"), on="locator", how="semi", maintain_order="left"
    )  # a flag of a copy rejected as a duplicate goes with it
    flagged = quarantine_rows(
        pl.concat(
            [
                staged.filter(pl.col("has_card_number")).select(
                    "locator",
                    error_code=pl.lit("card_number_masked"),
                    error=pl.lit("a card number was found in a text field and masked"),
                    excerpt=pl.col("version_key"),
                ),
                noted,
            ]
        ),
        source=source,
        landed_file=landed_file,
        stage="parse",
        action="flagged",
    )
    return ParseResult(staged=staged, quarantine=pl.concat([rejected, flagged]), records=n)


def document_failure(
    error: BadRecord, *, source: str, landed_file: str, payload: bytes
) -> ParseResult:
    """A page that is not readable at all (truncated JSON, unknown shape): one rejected record."""
    frame = pl.DataFrame(
        {
            "locator": ["document"],
            "error_code": [error.code],
            "error": [str(error)[:500]],
            "excerpt": [mask_text(payload[:300].decode("utf-8", "replace"))],
        }
    )
    return ParseResult(
        staged=pl.DataFrame(schema=STAGED_SCHEMA),
        quarantine=quarantine_rows(frame, source=source, landed_file=landed_file, stage="parse"),
        records=1,
    )


UTM_RE = re.compile(r"[?&]utm_(source|campaign)=([^&#]+)")


def utm_source(url: str | None) -> str | None:
    """'utm:<source>[/<campaign>]' from a landing-site URL, or None."""
    if not url:
        return None
    found = dict(m.groups() for m in UTM_RE.finditer(url))
    if "source" not in found:
        return None
    from urllib.parse import unquote_plus

    code = f"utm:{unquote_plus(found['source'])}"
    if "campaign" in found:
        code += f"/{unquote_plus(found['campaign'])}"
    return code
