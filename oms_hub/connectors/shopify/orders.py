"""Parse Shopify order pages: Admin GraphQL ``orders`` responses and REST ``orders.json`` bodies.

A page is known by its content, not its name: ``{"data": {"orders": ...}}`` is a
GraphQL connection (``edges[].node`` or ``nodes[]``), ``{"orders": [...]}`` (or a
single ``{"order": {...}}``) is REST. Both map to the same staged row, so an order
fetched once by GraphQL and once by an old REST export is one version history.

Quirks handled as data: ids above 2**53 (REST numbers, GraphQL ``gid://`` strings) stay
exact strings; times carry the shop's offset (``-05:00``), kept beside the UTC instant;
shop money (``shopMoney`` / ``shop_money``, the books' currency) is used, not the
presentment currency; ``source_name`` ``shopify_draft_order`` / phone orders are the
``phone`` channel; landing-site UTM parameters become ``source_code``; refunds carry
their ``refund_line_items`` with ``restock_type``; ``cancelled_at`` cancels. The card
that paid (``card_brand`` / ``card_last4``) comes from the first successful sale or
capture with card details (``_paying_card``); only its last four digits are kept.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from oms_hub.connectors.common.json_orders import (
    NO_QUARANTINE,
    PAYMENT_KINDS,
    BadRecord,
    Record,
    card_last4,
    document_failure,
    load_json,
    parse_records,
    utm_source,
)
from oms_hub.connectors.common.result import ParseResult
from oms_hub.connectors.shopify.graphql_fast import fast_graphql_page

SOURCE = "shopify"
ZERO = Decimal("0.00")


def _gid(value: str) -> str:
    """'gid://shopify/Order/5678901234567890123' -> '5678901234567890123'."""
    return value.rsplit("/", 1)[-1] if value.startswith("gid://") else value


def _channel(source_name: str | None) -> str:
    name = (source_name or "").lower()
    return "phone" if ("draft" in name or "phone" in name) else "web"


def _status(cancelled: bool, closed: bool, fulfillment: str | None) -> str:
    if cancelled:
        return "cancelled"
    if closed or (fulfillment or "").lower() == "fulfilled":
        return "completed"
    return "open"


def _source_code(source_name: str | None, landing: str | None) -> str | None:
    return utm_source(landing) or (f"shopify:{source_name}" if source_name else None)


def _nodes(rec: Record, key: str) -> list[Record]:
    """A GraphQL connection (``{edges: [{node}]}`` / ``{nodes: []}``) or a plain list."""
    conn = rec.raw(key)
    if isinstance(conn, list):
        return rec.items(key)
    if conn is None:
        return []
    c = rec.obj(key)
    assert c is not None
    if c.raw("nodes") is not None:
        return c.items("nodes")
    return [c.child(e.raw("node"), f"{e.what}.node") for e in c.items("edges")]


def _shop(rec: Record | None, key: str, *, required: bool = True) -> Decimal | None:
    """``<key>.shopMoney.amount`` of a GraphQL MoneyBag."""
    if rec is not None:
        try:  # the common, well-formed case without building nested Records
            amount = rec.data[key]["shopMoney"]["amount"]
        except (KeyError, TypeError):
            pass
        else:
            if isinstance(amount, str):
                return rec.money(key, value=amount)
    bag = rec.obj(key) if rec is not None else None
    shop = bag.obj("shopMoney") if bag is not None else None
    if shop is None:
        if required:
            raise BadRecord("missing_field", f"{rec.what if rec else '?'}: '{key}' is missing")
        return None
    return shop.money("amount")


def _customer(rec: Record, given: str, family: str) -> dict[str, Any]:
    cust = rec.obj("customer")
    ship = rec.obj("shippingAddress") or rec.obj("shipping_address")
    bill = rec.obj("billingAddress") or rec.obj("billing_address")
    name = None
    # the account's name; a guest (no customer) typed one into the shipping address,
    # else the billing address
    for who in (cust, ship, bill):
        if who is not None and name is None:
            parts = [who.text(given), who.text(family)]
            name = " ".join(p for p in parts if p) or None
    return {
        "source_customer_id": _gid(cust.ident("id")) if cust is not None else None,
        "customer_name": name,
        "customer_email": rec.text("email") or (cust.text("email") if cust else None),
        "customer_phone": rec.text("phone") or (cust.text("phone") if cust else None),
        "ship_postal_code": ship.text("zip") if ship else None,
        "ship_country": (ship.text("countryCodeV2") or ship.text("country_code")) if ship else None,
    }


def _location_ref(loc: Record | None) -> str | None:
    """The numeric id of a GraphQL ``Location`` (``gid://shopify/Location/<id>``)."""
    ident = loc.text("id", mask=False) if loc else None
    return _gid(ident) if ident else None


def _graphql_shipments(rec: Record) -> list[dict[str, Any]]:
    """Shipped units per fulfillment (``fulfillments { location fulfillmentLineItems }``)."""
    out = []
    for ff in rec.items("fulfillments"):
        shipped_at, _ = ff.timestamp("createdAt")
        loc = ff.obj("location")
        for fl in _nodes(ff, "fulfillmentLineItems"):
            item = fl.obj("lineItem")
            out.append(
                {
                    "fulfillment_id": _gid(ff.ident("id")),
                    "shipped_at": shipped_at,
                    "status": (ff.text("status") or "").lower() or None,
                    "location_ref": _location_ref(loc),
                    "location_name": loc.text("name") if loc else None,
                    "sku": item.text("sku") if item else None,
                    "quantity": fl.integer("quantity"),
                }
            )
    return out


def _rest_shipments(rec: Record) -> list[dict[str, Any]]:
    """Shipped units per REST fulfillment (``fulfillments[].location_id``, ``line_items``)."""
    out = []
    for ff in rec.items("fulfillments"):
        shipped_at, _ = ff.timestamp("created_at")
        for li in ff.items("line_items"):
            out.append(
                {
                    "fulfillment_id": ff.ident("id"),
                    "shipped_at": shipped_at,
                    "status": (ff.text("status") or "").lower() or None,
                    "location_ref": ff.text("location_id", mask=False),
                    "location_name": None,
                    "sku": li.text("sku"),
                    "quantity": li.integer("quantity"),
                }
            )
    return out


#: Transactions that took the order's money (their card is the one that paid).
_PAID_KINDS = ("sale", "capture")


def _paying_card(
    transactions: list[Record], details_key: str, company_key: str, number_key: str
) -> dict[str, str | None]:
    """``card_brand`` / ``card_last4`` of the first successful sale or capture with card
    details (GraphQL ``paymentDetails { ... on CardPaymentDetails { company number } }``,
    REST transaction ``payment_details``); both None when no card paid.

    The number passes the card-number screen first (``Record.text`` masks and flags a
    full number), then only its last four digits are kept.
    """
    for tx in transactions:
        if (tx.text("kind") or "").lower() not in _PAID_KINDS:
            continue
        if (tx.text("status") or "success").lower() != "success":
            continue
        details = tx.obj(details_key)
        if details is None:
            continue
        brand = (details.text(company_key) or "").strip() or None
        last4 = card_last4(details.text(number_key))
        if brand is not None or last4 is not None:
            return {"card_brand": brand, "card_last4": last4}
    return {"card_brand": None, "card_last4": None}


def _graphql_order(rec: Record) -> dict[str, Any]:
    order_id = _gid(rec.ident("id"))
    ordered_at, offset = rec.timestamp("createdAt")
    updated_at, _ = rec.timestamp("updatedAt")
    lines = []
    for n, li in enumerate(_nodes(rec, "lineItems"), start=1):
        qty = li.integer("quantity")
        gross = _shop(li, "originalTotalSet")
        discount = _shop(li, "totalDiscountSet", required=False) or ZERO
        tax = sum((_shop(t, "priceSet") for t in li.items("taxLines")), ZERO)
        lines.append(
            {
                "line_number": n,
                "line_id": _gid(li.ident("id")),
                "sku": li.text("sku"),
                "item_name": li.text("name"),
                "quantity": qty,
                "unit_price": None,  # set for the whole page in polars
                "gross_amount": gross,
                "discount_amount": discount,
                "line_total": gross - discount,
                "tax_amount": tax,
            }
        )
    refunds = []
    for rf in rec.items("refunds"):
        refunded_at, _ = rf.timestamp("createdAt")
        for rl in _nodes(rf, "refundLineItems"):
            item = rl.obj("lineItem")
            refunds.append(
                {
                    "refund_id": _gid(rf.ident("id")),
                    "refund_line_id": _gid(
                        rl.text("id", mask=False) or (item.ident("id") if item else "")
                    ),
                    "refunded_at": refunded_at,
                    "line_id": _gid(item.ident("id")) if item else None,
                    "sku": item.text("sku") if item else None,
                    "quantity": rl.integer("quantity"),
                    "refund_amount": _shop(rl, "subtotalSet"),
                    "tax_refund": _shop(rl, "totalTaxSet", required=False) or ZERO,
                    "restock_type": (rl.text("restockType") or "").lower() or None,
                }
            )
    payments = [
        {
            "payment_id": _gid(tx.ident("id")),
            "kind": _kind(tx.text("kind")),
            "status": (tx.text("status") or "").lower() or None,
            "processed_at": tx.timestamp("processedAt", required=False)[0]
            or tx.timestamp("createdAt")[0],
            "amount": _shop(tx, "amountSet"),
            "currency": _shop_currency(tx, "amountSet"),
            "gateway": tx.text("gateway"),
            "processor_ref": tx.text("authorizationCode"),
        }
        for tx in rec.items("transactions")
    ]
    card = _paying_card(rec.items("transactions"), "paymentDetails", "company", "number")
    journey = rec.obj("customerJourneySummary")
    visit = journey.obj("firstVisit") if journey else None
    landing = visit.text("landingPage") if visit else None
    source_name = rec.text("sourceName")
    return {
        "version_key": order_id,
        "version_at": updated_at,
        "document": "order",
        "source_order_id": order_id,
        "order_number": rec.text("name"),
        "channel": _channel(source_name),
        "status": _status(
            rec.raw("cancelledAt") is not None,
            rec.raw("closedAt") is not None,
            rec.text("displayFulfillmentStatus"),
        ),
        "source_code": _source_code(source_name, landing),
        "ordered_at": ordered_at,
        "ordered_at_offset": offset,
        "currency": rec.text("currencyCode", required=True),
        "gross_amount": sum((x["gross_amount"] for x in lines), ZERO),
        "discount_amount": _shop(rec, "totalDiscountsSet", required=False) or ZERO,
        "tax_amount": _shop(rec, "totalTaxSet", required=False) or ZERO,
        "shipping_amount": _shop(rec, "totalShippingPriceSet", required=False) or ZERO,
        "total": _shop(rec, "totalPriceSet"),
        "refunded_amount": _shop(rec, "totalRefundedSet", required=False) or ZERO,
        "priced": True,
        **_customer(rec, "firstName", "lastName"),
        "fulfilled_by": "merchant",
        "note": rec.text("note"),
        **card,
        "lines": lines,
        "refunds": refunds,
        "payments": payments,
        "shipments": _graphql_shipments(rec),
    }


def _rest_money(rec: Record | None, key: str) -> Decimal | None:
    """``<key>.shop_money.amount`` of a REST price set."""
    bag = rec.obj(key) if rec is not None else None
    shop = bag.obj("shop_money") if bag is not None else None
    return shop.money("amount") if shop is not None else None


def _kind(kind: str | None) -> str:
    return PAYMENT_KINDS.get((kind or "").lower(), "other")


def _shop_currency(rec: Record, key: str) -> str | None:
    bag = rec.obj(key)
    shop = bag.obj("shopMoney") if bag is not None else None
    return shop.text("currencyCode") if shop is not None else None


def _rest_payment(tx: Record, currency: str | None, at: Any = None) -> dict[str, Any]:
    """A REST transaction: only its id, gateway and authorization (a processor token)."""
    processed, _ = tx.timestamp("processed_at", required=False)
    if processed is None:
        processed, _ = tx.timestamp("created_at", required=at is None)
    return {
        "payment_id": tx.ident("id"),
        "kind": _kind(tx.text("kind")),
        "status": tx.text("status"),
        "processed_at": processed or at,
        "amount": tx.money("amount"),
        "currency": tx.text("currency") or currency,
        "gateway": tx.text("gateway"),
        "processor_ref": tx.text("authorization"),
    }


def _rest_order(rec: Record) -> dict[str, Any]:
    order_id = rec.ident("id")
    ordered_at, offset = rec.timestamp("created_at")
    updated_at, _ = rec.timestamp("updated_at")
    lines = []
    for n, li in enumerate(rec.items("line_items"), start=1):
        qty = li.integer("quantity")
        gross = li.money("price") * qty
        discount = li.money("total_discount", required=False) or ZERO
        tax = sum((t.money("price") for t in li.items("tax_lines")), ZERO)
        lines.append(
            {
                "line_number": n,
                "line_id": li.ident("id"),
                "sku": li.text("sku"),
                "item_name": li.text("name") or li.text("title"),
                "quantity": qty,
                "unit_price": None,  # set for the whole page in polars
                "gross_amount": gross,
                "discount_amount": discount,
                "line_total": gross - discount,
                "tax_amount": tax,
            }
        )
    refunds = []
    refunded = ZERO
    currency = rec.text("currency", required=True)
    payments = [_rest_payment(tx, currency) for tx in rec.items("transactions")]
    # The REST Order resource carries no card details; an order export that embeds its
    # Transaction resources (``payment_details.credit_card_company`` / ``_number``) does.
    card = _paying_card(
        rec.items("transactions"), "payment_details", "credit_card_company", "credit_card_number"
    )
    for rf in rec.items("refunds"):
        refunded_at, _ = rf.timestamp("created_at")
        for tx in rf.items("transactions"):
            payments.append(_rest_payment(tx, currency, refunded_at))
            if (tx.text("kind") or "refund") == "refund" and tx.text("status") in (None, "success"):
                refunded += tx.money("amount")
        for rl in rf.items("refund_line_items"):
            item = rl.obj("line_item")
            refunds.append(
                {
                    "refund_id": rf.ident("id"),
                    "refund_line_id": rl.ident("id"),
                    "refunded_at": refunded_at,
                    "line_id": rl.text("line_item_id", mask=False),
                    "sku": item.text("sku") if item else None,
                    "quantity": rl.integer("quantity"),
                    "refund_amount": rl.money("subtotal"),
                    "tax_refund": rl.money("total_tax", required=False) or ZERO,
                    "restock_type": rl.text("restock_type"),
                }
            )
    source_name = rec.text("source_name")
    return {
        "version_key": order_id,
        "version_at": updated_at,
        "document": "order",
        "source_order_id": order_id,
        "order_number": rec.text("name"),
        "channel": _channel(source_name),
        "status": _status(
            rec.raw("cancelled_at") is not None,
            rec.raw("closed_at") is not None,
            rec.text("fulfillment_status"),
        ),
        "source_code": _source_code(source_name, rec.text("landing_site")),
        "ordered_at": ordered_at,
        "ordered_at_offset": offset,
        "currency": currency,
        "gross_amount": sum((x["gross_amount"] for x in lines), ZERO),
        "discount_amount": rec.money("total_discounts", required=False) or ZERO,
        "tax_amount": rec.money("total_tax", required=False) or ZERO,
        "shipping_amount": _rest_money(rec, "total_shipping_price_set") or ZERO,
        "total": rec.money("total_price"),
        "refunded_amount": refunded,
        "priced": True,
        **_customer(rec, "first_name", "last_name"),
        "fulfilled_by": "merchant",
        "note": rec.text("note"),
        **card,
        "lines": lines,
        "refunds": refunds,
        "payments": payments,
        "shipments": _rest_shipments(rec),
    }


def _page(doc: Any) -> tuple[list[Any], Any]:
    """The records of a page and the function that reads one, by the page's shape."""
    if isinstance(doc, dict):
        data = doc.get("data")
        if isinstance(data, dict) and isinstance(data.get("orders"), dict):
            conn = data["orders"]
            if isinstance(conn.get("nodes"), list):
                return conn["nodes"], _graphql_order
            edges = conn.get("edges")
            if isinstance(edges, list):
                return [e.get("node") if isinstance(e, dict) else e for e in edges], _graphql_order
        if isinstance(doc.get("orders"), list):
            return doc["orders"], _rest_order
        if isinstance(doc.get("order"), dict):
            return [doc["order"]], _rest_order
        if doc.get("errors"):
            raise BadRecord(
                "api_error", f"the page is an error response: {str(doc['errors'])[:200]}"
            )
    raise BadRecord(
        "unknown_document",
        "not a Shopify orders page (expected data.orders edges/nodes or an 'orders' array)",
    )


def parse_shopify_orders(payload: bytes, *, landed_file: str, fast: bool = True) -> ParseResult:
    """Stage each order of a Shopify page; quarantine the ones that cannot be read.

    A clean GraphQL page is read columnar (``graphql_fast``); anything else goes record
    by record.
    """
    if fast:
        staged = fast_graphql_page(payload, source=SOURCE, landed_file=landed_file)
        if staged is not None:
            return ParseResult(staged=staged, quarantine=NO_QUARANTINE, records=staged.height)
    try:
        records, fn = _page(load_json(payload))
    except BadRecord as error:
        return document_failure(error, source=SOURCE, landed_file=landed_file, payload=payload)
    return parse_records(
        records, source=SOURCE, landed_file=landed_file, what="order", record_fn=fn
    )
