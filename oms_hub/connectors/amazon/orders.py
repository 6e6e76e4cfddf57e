"""Parse Amazon Selling Partner API Orders v0 payloads: ``getOrders`` and ``getOrderItems``.

Two documents, known by content: a ``getOrders`` page (``payload.Orders``) stages one
*header* row per order, keyed ``order:<AmazonOrderId>`` and versioned by
``LastUpdateDate``; a ``getOrderItems`` response (``payload.OrderItems``) stages one
*items* row (the order's lines), keyed ``items:<AmazonOrderId>``. Conform joins the
latest header with the latest items of the order.

Quirks handled as data: booleans as strings (``"IsGift": "false"``); an unknown
``FulfillmentChannel`` is kept as ``other:<value>`` (AFN = Amazon's own inventory,
MFN = the merchant); ``Pending`` orders carry no ``OrderTotal`` and items without
``ItemPrice`` (staged unpriced; conform holds them back until a priced version lands);
restricted PII (``BuyerInfo``, address lines) is simply absent; ``OrderItemId`` keeps its
leading zeros (it is text). ``ItemPrice`` is the price of the whole line, not the unit.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from oms_hub.connectors.common.json_orders import (
    BadRecord,
    Record,
    document_failure,
    load_json,
    parse_records,
)
from oms_hub.connectors.common.result import ParseResult

SOURCE = "amazon"
ZERO = Decimal("0.00")

_STATUS = {"Canceled": "cancelled", "Shipped": "completed", "InvoiceUnconfirmed": "completed"}
_FULFILLED_BY = {"AFN": "amazon", "MFN": "merchant"}


def _amount(rec: Record, key: str) -> tuple[Decimal | None, str | None]:
    """An SP-API ``Money`` object -> (amount, currency); absent -> (None, None)."""
    money = rec.obj(key)
    if money is None:
        return None, None
    return money.money("Amount"), money.text("CurrencyCode", required=True)


def _header(rec: Record) -> dict[str, Any]:
    order_id = rec.ident("AmazonOrderId")
    ordered_at, offset = rec.timestamp("PurchaseDate")
    updated_at, _ = rec.timestamp("LastUpdateDate")
    total, currency = _amount(rec, "OrderTotal")
    for key in ("IsPrime", "IsBusinessOrder", "IsPremiumOrder", "IsReplacementOrder"):
        rec.flag(key)  # booleans may be strings; anything else is a wrong type
    channel = rec.text("FulfillmentChannel")
    buyer = rec.obj("BuyerInfo")
    ship = rec.obj("ShippingAddress")
    sales_channel = rec.text("SalesChannel")
    return {
        "version_key": f"order:{order_id}",
        "version_at": updated_at,
        "document": "header",
        "source_order_id": order_id,
        "order_number": order_id,
        "channel": "marketplace",
        "status": _STATUS.get(rec.text("OrderStatus", required=True) or "", "open"),
        "source_code": f"amazon:{sales_channel}" if sales_channel else "amazon",
        "ordered_at": ordered_at,
        "ordered_at_offset": offset,
        "currency": currency,
        "total": total,
        "priced": total is not None,
        "customer_name": buyer.text("BuyerName") if buyer else None,
        "customer_email": buyer.text("BuyerEmail") if buyer else None,
        # the buyer's phone in the shipping address (seller-fulfilled orders only)
        "customer_phone": ship.text("Phone") if ship else None,
        "ship_postal_code": ship.text("PostalCode") if ship else None,
        "ship_country": ship.text("CountryCode") if ship else None,
        "fulfilled_by": _FULFILLED_BY.get(channel or "", f"other:{channel}" if channel else None),
        "lines": [],
        "refunds": [],
    }


def _items(rec: Record) -> dict[str, Any]:
    """An order-items document (its ``payload``) as one staged row of lines."""
    order_id = rec.ident("AmazonOrderId")
    lines = []
    priced = True
    shipping = ZERO
    currency = None
    gift = False
    for n, it in enumerate(rec.items("OrderItems"), start=1):
        qty = it.integer("QuantityOrdered")
        gross, cur = _amount(it, "ItemPrice")
        discount, _ = _amount(it, "PromotionDiscount")
        tax, _ = _amount(it, "ItemTax")
        ship, _ = _amount(it, "ShippingPrice")
        ship_discount, _ = _amount(it, "ShippingDiscount")
        gift = bool(it.flag("IsGift")) or gift
        if gross is None:
            priced = False
        currency = currency or cur
        shipping += (ship or ZERO) - (ship_discount or ZERO)
        discount = discount or ZERO
        lines.append(
            {
                "line_number": n,
                "line_id": it.ident("OrderItemId"),
                "sku": it.text("SellerSKU"),
                "item_name": it.text("Title"),
                "quantity": qty,
                "unit_price": None,  # set for the whole page in polars
                "gross_amount": gross,
                "discount_amount": discount,
                "line_total": gross - discount if gross is not None else None,
                "tax_amount": tax or ZERO,
            }
        )
    if not lines:
        raise BadRecord("missing_field", f"{rec.what}: no OrderItems")
    return {
        "version_key": f"items:{order_id}",
        "document": "items",
        "source_order_id": order_id,
        "channel": "marketplace",
        "currency": currency,
        "shipping_amount": shipping,
        "priced": priced,
        "note": "gift" if gift else None,
        "lines": lines,
        "refunds": [],
    }


def parse_amazon_orders(payload: bytes, *, landed_file: str) -> ParseResult:
    """Stage a getOrders page (headers) or a getOrderItems response (lines)."""
    try:
        doc = load_json(payload)
        body = doc.get("payload") if isinstance(doc, dict) else None
        if isinstance(doc, dict) and doc.get("errors") and not isinstance(body, dict):
            codes = ", ".join(str(e.get("code")) for e in doc["errors"] if isinstance(e, dict))
            raise BadRecord("api_error", f"the document is an error response: {codes}")
        if isinstance(body, dict) and isinstance(body.get("Orders"), list):
            return parse_records(
                body["Orders"],
                source=SOURCE,
                landed_file=landed_file,
                what="order",
                record_fn=_header,
            )
        if isinstance(body, dict) and "OrderItems" in body:
            return parse_records(
                [body], source=SOURCE, landed_file=landed_file, what="items", record_fn=_items
            )
        raise BadRecord("unknown_document", "not an SP-API getOrders or getOrderItems payload")
    except BadRecord as error:
        return document_failure(error, source=SOURCE, landed_file=landed_file, payload=payload)
