"""Order records in the exact shapes the three APIs return, for tests and test servers.

Each builder takes the few facts a test cares about and fills the rest the way the
real API does (including its quirks), so a test reads as "order 1001, updated at T,
two lines" rather than a page of JSON.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

BIG_ID = 5_678_901_234_567_890_123  # above 2**53: a float would round it


def money(amount: Decimal | str) -> str:
    return f"{Decimal(amount):.2f}"


def shopify_rest_order(
    order_id: int,
    *,
    updated_at: str = "2026-10-01T11:00:00-04:00",
    created_at: str = "2026-10-01T10:00:00-04:00",
    lines: list[tuple[str, int, str]] = (("SKU-1", 2, "10.00"),),  # type: ignore[assignment]
    tax: str = "1.60",
    shipping: str = "5.00",
    discount: str = "0.00",
    cancelled: bool = False,
    refunds: list[dict[str, Any]] | None = None,
    landing_site: str | None = "/products/x?utm_source=google&utm_campaign=fall",
    source_name: str = "web",
    note: str | None = None,
) -> dict[str, Any]:
    gross = sum(Decimal(p) * q for _, q, p in lines)
    total = gross - Decimal(discount) + Decimal(tax) + Decimal(shipping)
    return {
        "id": order_id,
        "name": f"#{order_id % 100000}",
        "created_at": created_at,
        "updated_at": updated_at,
        "cancelled_at": updated_at if cancelled else None,
        "closed_at": None,
        "currency": "USD",
        "presentment_currency": "EUR",
        "total_price": money(total),
        "subtotal_price": money(gross - Decimal(discount)),
        "total_tax": tax,
        "total_discounts": discount,
        "total_shipping_price_set": {
            "shop_money": {"amount": shipping, "currency_code": "USD"},
            "presentment_money": {"amount": "4.60", "currency_code": "EUR"},
        },
        "source_name": source_name,
        "landing_site": landing_site,
        "email": "ann@example.com",
        "phone": None,
        "note": note,
        "fulfillment_status": None,
        "customer": {"id": 7_000_000_000_001, "first_name": "Ann", "last_name": "Lee"},
        "shipping_address": {"zip": "10001", "country_code": "US"},
        "line_items": [
            {
                "id": order_id * 10 + n,
                "sku": sku,
                "name": f"Item {sku}",
                "quantity": qty,
                "price": price,
                "total_discount": "0.00",
                "tax_lines": [{"price": tax}] if n == 1 else [],
            }
            for n, (sku, qty, price) in enumerate(lines, start=1)
        ],
        "refunds": refunds or [],
    }


def shopify_refund(
    refund_id: int, line_item_id: int, sku: str, qty: int, subtotal: str, created_at: str
) -> dict[str, Any]:
    return {
        "id": refund_id,
        "created_at": created_at,
        "refund_line_items": [
            {
                "id": refund_id * 10,
                "line_item_id": line_item_id,
                "quantity": qty,
                "restock_type": "return",
                "subtotal": subtotal,
                "total_tax": "0.00",
                "line_item": {"id": line_item_id, "sku": sku},
            }
        ],
        "transactions": [
            {
                "id": refund_id * 10 + 1,
                "kind": "refund",
                "status": "success",
                "amount": subtotal,
                "gateway": "shopify_payments",
                "authorization": f"re_{refund_id}",
                "created_at": created_at,
            }
        ],
        "order_adjustments": [],
    }


def shopify_graphql_node(
    order_id: int,
    *,
    updated_at: str,
    sku: str = "SKU-1",
    qty: int = 1,
    price: str = "10.00",
    cancelled: bool = False,
) -> dict[str, Any]:
    gross = Decimal(price) * qty

    def bag(a):
        return {
            "shopMoney": {"amount": money(a), "currencyCode": "USD"},
            "presentmentMoney": {"amount": money(a), "currencyCode": "USD"},
        }

    return {
        "id": f"gid://shopify/Order/{order_id}",
        "name": f"#{order_id % 100000}",
        "createdAt": "2026-10-01T14:00:00Z",
        "updatedAt": updated_at,
        "cancelledAt": updated_at if cancelled else None,
        "closedAt": None,
        "displayFulfillmentStatus": "UNFULFILLED",
        "sourceName": "web",
        "currencyCode": "USD",
        "email": "bo@example.com",
        "customer": {"id": "gid://shopify/Customer/42", "firstName": "Bo", "lastName": "Ng"},
        "shippingAddress": {"zip": "94107", "countryCodeV2": "US"},
        "customerJourneySummary": {
            "firstVisit": {"landingPage": "https://shop.example/?utm_source=newsletter"}
        },
        "totalPriceSet": bag(gross),
        "totalTaxSet": bag(0),
        "totalDiscountsSet": bag(0),
        "totalShippingPriceSet": bag(0),
        "totalRefundedSet": bag(0),
        "lineItems": {
            "edges": [
                {
                    "node": {
                        "id": f"gid://shopify/LineItem/{order_id}1",
                        "sku": sku,
                        "name": f"Item {sku}",
                        "quantity": qty,
                        "originalTotalSet": bag(gross),
                        "totalDiscountSet": bag(0),
                        "taxLines": [],
                    }
                }
            ]
        },
        "refunds": [],
    }


def shopify_graphql_page(
    nodes: list[dict[str, Any]], *, cursor: str | None, available: float = 1000.0
) -> dict[str, Any]:
    return {
        "data": {
            "orders": {
                "edges": [{"cursor": f"c{n['id'][-6:]}", "node": n} for n in nodes],
                "pageInfo": {"hasNextPage": cursor is not None, "endCursor": cursor},
            }
        },
        "extensions": {
            "cost": {
                "requestedQueryCost": 52,
                "actualQueryCost": 12,
                "throttleStatus": {
                    "maximumAvailable": 1000.0,
                    "currentlyAvailable": available,
                    "restoreRate": 50.0,
                },
            }
        },
    }


def woo_order(
    order_id: int,
    *,
    modified_gmt: str = "2026-10-02T10:00:00",
    created_gmt: str = "2026-10-01T15:30:00",
    created_local: str = "2026-10-01T10:30:00",
    lines: list[tuple[str, int, str]] = (("SKU-1", 3, "3.33"),),  # type: ignore[assignment]
    status: str = "processing",
    refunds: list[str] = (),  # type: ignore[assignment]
    created_via: str = "checkout",
) -> dict[str, Any]:
    items = []
    for n, (sku, qty, subtotal) in enumerate(lines, start=1):
        items.append(
            {
                "id": order_id * 10 + n,
                "name": "Hoodie &amp; Cap",
                "product_id": 90 + n,
                "variation_id": 0,
                "quantity": qty,
                "subtotal": subtotal,
                "subtotal_tax": "0.00",
                "total": subtotal,
                "total_tax": "0.00",
                "sku": sku,
                "price": round(float(Decimal(subtotal) / qty), 6),  # a bare JSON number
            }
        )
    total = sum(Decimal(s) for _, _, s in lines) + Decimal("4.00")
    return {
        "id": order_id,
        "parent_id": 0,
        "number": str(order_id),
        "order_key": f"wc_order_{order_id}",
        "created_via": created_via,
        "status": status,
        "currency": "USD",
        "date_created": created_local,
        "date_created_gmt": created_gmt,
        "date_modified": modified_gmt,
        "date_modified_gmt": modified_gmt,
        "date_paid_gmt": created_gmt,
        "payment_method": "stripe",
        "transaction_id": f"ch_{order_id}",
        "discount_total": "0.00",
        "shipping_total": "4.00",
        "total": money(total),
        "total_tax": "0.00",
        "customer_id": 12,
        "customer_note": "",
        "billing": {
            "first_name": "Zo&euml;",
            "last_name": "Ray",
            "email": "zoe@example.com",
            "phone": "555-0100",
            "postcode": "60601",
            "country": "US",
        },
        "shipping": {
            "first_name": "Zo&euml;",
            "last_name": "Ray",
            "postcode": "60601",
            "country": "US",
        },
        "meta_data": [{"id": 1, "key": "_wc_order_attribution_utm_source", "value": "facebook"}],
        "line_items": items,
        "refunds": [
            {"id": order_id * 100 + n, "reason": "", "total": f"-{r}"}
            for n, r in enumerate(refunds)
        ],
    }


def amazon_order(
    order_id: str,
    *,
    updated: str = "2026-10-02T08:00:00Z",
    purchased: str = "2026-10-01T18:00:00Z",
    status: str = "Unshipped",
    total: str | None = "21.98",
    fulfillment: str = "MFN",
) -> dict[str, Any]:
    order: dict[str, Any] = {
        "AmazonOrderId": order_id,
        "PurchaseDate": purchased,
        "LastUpdateDate": updated,
        "OrderStatus": status,
        "FulfillmentChannel": fulfillment,
        "SalesChannel": "Amazon.com",
        "MarketplaceId": "ATVPDKIKX0DER",
        "IsPrime": "false",
        "IsBusinessOrder": False,
        "ShippingAddress": {"PostalCode": "98101", "CountryCode": "US"},
    }
    if total is not None:
        order["OrderTotal"] = {"CurrencyCode": "USD", "Amount": total}
    return order


def amazon_items(order_id: str, lines: list[tuple[str, int, str | None]]) -> dict[str, Any]:
    items = []
    for n, (sku, qty, price) in enumerate(lines, start=1):
        item: dict[str, Any] = {
            "ASIN": f"B00{n:07d}",
            "SellerSKU": sku,
            "OrderItemId": f"000{n:011d}",
            "Title": f"Item {sku}",
            "QuantityOrdered": qty,
            "IsGift": "false",
        }
        if price is not None:
            item["ItemPrice"] = {"CurrencyCode": "USD", "Amount": price}
            item["ItemTax"] = {"CurrencyCode": "USD", "Amount": "0.00"}
            item["PromotionDiscount"] = {"CurrencyCode": "USD", "Amount": "0.00"}
        items.append(item)
    return {"payload": {"AmazonOrderId": order_id, "OrderItems": items}}
