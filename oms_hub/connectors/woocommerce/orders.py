"""Parse WooCommerce REST v3 ``GET /wp-json/wc/v3/orders`` pages (a JSON array of orders).

Quirks handled as data: ``date_*_gmt`` are UTC without a ``Z`` (the local ``date_*``
beside them gives the shop's offset, kept); a line's ``price`` is a bare JSON number
(decoded exactly) while every total is a string; refunds on an order are listed with
*negative* totals; product and customer names may carry HTML entities
(``Hoodie &amp; Cap``); orders created in the admin (``created_via: admin``) are phone
orders. A refund summary on the order carries no line detail, so Woo refunds show in
``core.orders.refunded_amount`` (not as returned lines).

The paying card: WooCommerce's order has no card fields, but a card gateway may put the
card into ``payment_method_title``. Payment Plugins for Stripe WooCommerce
(``woo-stripe-payment``; gateways ``stripe_cc``, ``stripe_applepay``,
``stripe_googlepay``) does by default: ``Visa ending in 4242`` (its "Credit Card
Display" ``type_ending_in``; brands as WooCommerce labels them: ``Visa``,
``MasterCard``, ``Amex``, ``Discover``) and for Google Pay ``Visa 4242 (Google Pay)``
(``gpay_name``). Those two forms are staged as ``card_brand`` (as written; the identity
step folds brand spellings) / ``card_last4``; any other title (``PayPal``, ``Credit Card
(Stripe)``, empty) gives no card. A title of that form whose digits are not exactly four
(a full card number, a misconfigured format) stages no card and is flagged
(``bad_pan_suffix``, digits hidden), as the Square parser does; the title itself is read
through the card-number mask like every text field and is not staged.
"""

from __future__ import annotations

import html
import re
from datetime import datetime
from decimal import Decimal
from typing import Any

from oms_hub.connectors.common.json_orders import (
    FLAGS,
    BadRecord,
    Record,
    document_failure,
    load_json,
    parse_records,
)
from oms_hub.connectors.common.result import ParseResult

SOURCE = "woocommerce"
ZERO = Decimal("0.00")

_STATUS = {
    "cancelled": "cancelled",
    "failed": "cancelled",
    "completed": "completed",
    "refunded": "completed",
}


#: ``<brand> ending in <last four>`` (``type_ending_in``) and ``<brand> <last four>
#: (Google Pay)`` (``gpay_name``); the brand holds no digit, ``digits`` is checked after.
_CARD_TITLES = (
    re.compile(r"^\s*(?P<brand>[^\d]+?)\s+ending in\s+(?P<digits>\S.*?)\s*$", re.IGNORECASE),
    re.compile(
        r"^\s*(?P<brand>[^\d(]+?)\s+(?P<digits>[\d*•#xX][\d*•#xX -]*?)\s*\(Google Pay\)\s*$",
        re.IGNORECASE,
    ),
)
_LAST4 = re.compile(r"[0-9]{4}")


def _paying_card(rec: Record) -> dict[str, Any]:
    """``card_brand`` / ``card_last4`` from ``payment_method_title`` (both None when it
    shows no card), and a ``bad_pan_suffix`` flag when it shows digits that are not a
    last four (nothing of them is staged)."""
    title = rec.text("payment_method_title")  # masked (and the record flagged) if a PAN
    found = next((m for t in _CARD_TITLES if title and (m := t.match(title))), None)
    if found is None:
        return {"card_brand": None, "card_last4": None}
    brand, digits = _unescape(found["brand"].strip()), found["digits"].strip()
    if _LAST4.fullmatch(digits):
        return {"card_brand": brand, "card_last4": digits}
    hidden = re.sub(r"\d", "#", title or "")
    return {
        "card_brand": None,
        "card_last4": None,
        FLAGS: [
            (
                "bad_pan_suffix",
                f"payment_method_title shows {len(digits)} characters where the card's last "
                "four digits belong; the order is loaded without its card brand and last four",
                f"payment_method={rec.text('payment_method') or ''}, payment_method_title={hidden}",
            )
        ],
    }


def _unescape(text: str | None) -> str | None:
    return html.unescape(text) if text and "&" in text else text


def _meta(rec: Record, key: str) -> str | None:
    for m in rec.items("meta_data"):
        if m.raw("key") == key:
            return m.text("value")
    return None


def _source_code(rec: Record, created_via: str | None) -> str | None:
    utm = _meta(rec, "_wc_order_attribution_utm_source")
    if utm:
        campaign = _meta(rec, "_wc_order_attribution_utm_campaign")
        return f"utm:{utm}" + (f"/{campaign}" if campaign else "")
    return f"woocommerce:{created_via}" if created_via else None


def _offset(rec: Record, ordered_at: datetime | None) -> str | None:
    """The shop's offset: local ``date_created`` minus ``date_created_gmt``."""
    local = rec.raw("date_created")
    if not isinstance(local, str) or ordered_at is None:
        return None
    try:
        naive_local = datetime.fromisoformat(local).replace(tzinfo=None)
    except ValueError:
        raise BadRecord("bad_timestamp", f"{rec.what}: 'date_created' is {local!r:.60}") from None
    minutes = round((naive_local - ordered_at.replace(tzinfo=None)).total_seconds() / 60)
    sign = "-" if minutes < 0 else "+"
    return f"{sign}{abs(minutes) // 60:02d}:{abs(minutes) % 60:02d}"


def _order(rec: Record) -> dict[str, Any]:
    order_id = rec.ident("id")
    ordered_at, _ = rec.timestamp("date_created_gmt", naive_is_utc=True)
    updated_at, _ = rec.timestamp("date_modified_gmt", naive_is_utc=True)
    offset = _offset(rec, ordered_at)
    lines = []
    for n, li in enumerate(rec.items("line_items"), start=1):
        qty = li.integer("quantity")
        li.number("price")  # a bare number by the API's contract; a string here is a wrong type
        gross = li.money("subtotal")
        net = li.money("total")
        lines.append(
            {
                "line_number": n,
                "line_id": li.ident("id"),
                "sku": li.text("sku"),
                "item_name": _unescape(li.text("name")),
                "quantity": qty,
                "unit_price": None,  # set for the whole page in polars
                "gross_amount": gross,
                "discount_amount": gross - net,
                "line_total": net,
                "tax_amount": li.money("total_tax", required=False) or ZERO,
            }
        )
    refunded = ZERO
    currency = rec.text("currency", required=True)
    paid_at, _ = rec.timestamp("date_paid_gmt", required=False, naive_is_utc=True)
    payments = []
    if paid_at is not None:
        payments.append(
            {
                "payment_id": f"{order_id}:paid",
                "kind": "sale",
                "status": "success",
                "processed_at": paid_at,
                "amount": rec.money("total"),
                "currency": currency,
                "gateway": rec.text("payment_method"),
                "processor_ref": rec.text("transaction_id"),
            }
        )
    for rf in rec.items("refunds"):
        amount = rf.money("total")
        if amount > 0:
            raise BadRecord("bad_money", f"{rec.what}: refund {rf.raw('id')} total is positive")
        refunded -= amount
        if paid_at is not None:
            payments.append(
                {
                    "payment_id": f"{order_id}:refund:{rf.ident('id')}",
                    "kind": "refund",
                    "status": "success",
                    "processed_at": updated_at,  # the summary has no refund date
                    "amount": -amount,
                    "currency": currency,
                    "gateway": rec.text("payment_method"),
                    "processor_ref": None,
                }
            )
    billing = rec.obj("billing")
    shipping = rec.obj("shipping")
    name = None
    if billing is not None:
        name = " ".join(p for p in (billing.text("first_name"), billing.text("last_name")) if p)
    customer_id = rec.raw("customer_id")
    created_via = rec.text("created_via")
    status = rec.text("status", required=True)
    return {
        "version_key": order_id,
        "version_at": updated_at,
        "document": "order",
        "source_order_id": order_id,
        "order_number": rec.text("number"),
        "channel": "phone" if created_via == "admin" else "web",
        "status": _STATUS.get(status or "", "open"),
        "source_code": _source_code(rec, created_via),
        "ordered_at": ordered_at,
        "ordered_at_offset": offset,
        "currency": currency,
        "gross_amount": sum((x["gross_amount"] for x in lines), ZERO),
        "discount_amount": rec.money("discount_total", required=False) or ZERO,
        "tax_amount": rec.money("total_tax", required=False) or ZERO,
        "shipping_amount": rec.money("shipping_total", required=False) or ZERO,
        "total": rec.money("total"),
        "refunded_amount": refunded,
        "priced": True,
        "source_customer_id": str(rec.integer("customer_id")) if customer_id else None,
        "customer_name": _unescape(name) or None,
        "customer_email": billing.text("email") if billing else None,
        "customer_phone": billing.text("phone") if billing else None,
        "ship_postal_code": (shipping.text("postcode") if shipping else None)
        or (billing.text("postcode") if billing else None),
        "ship_country": (shipping.text("country") if shipping else None)
        or (billing.text("country") if billing else None),
        "fulfilled_by": "merchant",
        "note": rec.text("customer_note"),
        **_paying_card(rec),
        "lines": lines,
        "refunds": [],
        "payments": payments,
    }


def _records(doc: Any) -> list[Any]:
    if isinstance(doc, list):
        return doc
    if isinstance(doc, dict) and "order_key" in doc:
        return [doc]
    if isinstance(doc, dict) and "code" in doc and "message" in doc:
        raise BadRecord("api_error", f"the page is an error response: {doc['code']}")
    raise BadRecord("unknown_document", "not a WooCommerce orders page (expected a JSON array)")


def parse_woocommerce_orders(payload: bytes, *, landed_file: str) -> ParseResult:
    """Stage each order of a WooCommerce page; quarantine the ones that cannot be read."""
    try:
        records = _records(load_json(payload))
    except BadRecord as error:
        return document_failure(error, source=SOURCE, landed_file=landed_file, payload=payload)
    return parse_records(
        records, source=SOURCE, landed_file=landed_file, what="order", record_fn=_order
    )
