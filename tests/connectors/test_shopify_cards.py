"""The paying card of a Shopify order: brand + last four, from its transactions, never more.

Through the real client against the local Admin GraphQL server (which answers the
``transactions`` selection the client sends, ``... on CardPaymentDetails`` included) and
the real parsers, both paths (columnar and record by record).
"""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from typing import Any

import polars as pl
from api_samples import shopify_graphql_node, shopify_graphql_page, shopify_rest_order
from api_servers import ShopifyServer

from oms_hub.connectors.common.http import RetryPolicy
from oms_hub.connectors.common.settings import SyncWindow
from oms_hub.connectors.shopify import parse_shopify_orders
from oms_hub.connectors.shopify.client import ShopifyClient, ShopifySettings
from oms_hub.connectors.shopify.graphql_fast import fast_graphql_page
from oms_hub.home import Home

WINDOW = SyncWindow(lookback=timedelta(minutes=5), initial_since=datetime(2026, 9, 1, tzinfo=UTC))


def _tx(
    n: int,
    kind: str,
    details: dict[str, Any] | None,
    *,
    status: str = "SUCCESS",
    gateway: str = "shopify_payments",
) -> dict[str, Any]:
    return {
        "id": f"gid://shopify/OrderTransaction/{n}",
        "kind": kind,
        "status": status,
        "gateway": gateway,
        "processedAt": "2026-10-01T14:01:00Z",
        "authorizationCode": f"ch_{n}",
        "amountSet": {"shopMoney": {"amount": "10.00", "currencyCode": "USD"}},
        "paymentDetails": details,
    }


def _card(company: str, number: str) -> dict[str, Any]:
    # stored as the API holds it: fields the query does not ask for are not served
    return {
        "__typename": "CardPaymentDetails",
        "company": company,
        "number": number,
        "name": "Bo Ng",
        "bin": "424242",
        "wallet": None,
    }


def _orders() -> dict[int, list[dict[str, Any]]]:
    """Order id -> its transactions, one case each."""
    apple_pay = {**_card("Mastercard", "•••• •••• •••• 0187"), "wallet": "APPLE_PAY"}
    return {
        1: [_tx(11, "SALE", _card(" Visa ", "•••• •••• •••• 4242"))],  # card, brand padded
        2: [_tx(21, "SALE", apple_pay)],  # phone wallet: the device account's last four
        3: [_tx(31, "SALE", {"__typename": "PaypalWalletPaymentDetails"})],  # details: {}
        4: [_tx(41, "SALE", None, gateway="manual")],  # no payment details at all
        5: [  # authorized then captured: the capture's card
            _tx(51, "AUTHORIZATION", _card("American Express", "•••• •••••• •1005")),
            _tx(52, "CAPTURE", _card("American Express", "•••• •••••• •1005")),
        ],
        6: [  # a declined card, then another one that paid
            _tx(61, "SALE", _card("Visa", "•••• •••• •••• 0002"), status="FAILURE"),
            _tx(62, "SALE", _card("Discover", "•••• •••• •••• 1117")),
            _tx(63, "REFUND", _card("Discover", "•••• •••• •••• 1117")),
        ],
    }


EXPECTED = {
    "1": ("Visa", "4242"),
    "2": ("Mastercard", "0187"),
    "3": (None, None),
    "4": (None, None),
    "5": ("American Express", "1005"),
    "6": ("Discover", "1117"),
}


def _sync(home: Home, nodes: list[dict[str, Any]]) -> list[bytes]:
    """Serve ``nodes`` on the local server, sync them with the real client, return the pages."""
    with ShopifyServer() as shop:
        for node in nodes:
            shop.put(node)
        client = ShopifyClient(
            ShopifySettings(shop.url, ShopifyServer.TOKEN, page_size=4, window=WINDOW),
            RetryPolicy(attempts=3, base_delay=0.001, sleep=lambda s: None),
        )
        report = client.sync(home)
    assert report.records == len(nodes)
    return [p.read_bytes() for p in sorted((home.landing / "shopify").glob("*.json"))]


def _nodes(cases: dict[int, list[dict[str, Any]]]) -> list[dict[str, Any]]:
    nodes = []
    for n, (oid, txs) in enumerate(cases.items()):
        node = shopify_graphql_node(oid, updated_at=f"2026-10-02T1{n}:00:00Z")
        nodes.append({**node, "transactions": txs})
    return nodes


def _both(page: bytes) -> pl.DataFrame:
    fast = parse_shopify_orders(page, landed_file="shopify/p.json")
    slow = parse_shopify_orders(page, landed_file="shopify/p.json", fast=False)
    assert fast.staged.equals(slow.staged)
    assert fast.quarantine.equals(slow.quarantine)
    return fast.staged


def test_card_wallet_and_no_card_orders_through_the_local_api(tmp_path) -> None:
    pages = _sync(Home(tmp_path), _nodes(_orders()))
    assert len(pages) == 2
    # the server answered the client's selection: card fields asked for, nothing else
    served = {
        e["node"]["id"]: [t["paymentDetails"] for t in e["node"]["transactions"]]
        for p in pages
        for e in json.loads(p)["data"]["orders"]["edges"]
    }
    assert served["gid://shopify/Order/1"] == [
        {"company": " Visa ", "number": "•••• •••• •••• 4242"}
    ]
    assert served["gid://shopify/Order/3"] == [{}]  # a PayPal wallet payment: not a card
    assert served["gid://shopify/Order/4"] == [None]
    body = b"".join(pages)
    assert b"424242" not in body  # bin: not asked for
    assert b"APPLE_PAY" not in body  # wallet: not asked for
    # the clean pages take the columnar path, and it agrees with the record path
    assert all(fast_graphql_page(p, source="shopify", landed_file="p") is not None for p in pages)
    staged = pl.concat([_both(p) for p in pages])
    got = {
        r[0]: (r[1], r[2])
        for r in staged.select("source_order_id", "card_brand", "card_last4").rows()
    }
    assert got == EXPECTED
    assert not staged["has_card_number"].any()
    # the payments keep their gateways; the card is only on the order row
    gateways = staged.explode("payments").select(pl.col("payments").struct.field("gateway"))
    assert set(gateways.to_series()) == {"shopify_payments", "manual"}


def test_a_full_card_number_in_number_is_masked_and_never_staged(tmp_path) -> None:
    cases = {
        7: [_tx(71, "SALE", _card("Visa", "4111 1111 1111 1111"))],  # a real PAN, unmasked
        8: [_tx(81, "SALE", _card("Visa", "4111111111111111"))],
        9: [_tx(91, "SALE", _card("Visa", "1234567812345678"))],  # 16 digits, not a card
        10: [_tx(101, "SALE", _card("Visa", "•••• 42"))],  # fewer than four digits
    }
    pages = _sync(Home(tmp_path), _nodes(cases))
    # a card number anywhere on the page: the record path, which masks and flags it
    assert any(fast_graphql_page(p, source="shopify", landed_file="p") is None for p in pages)
    staged = pl.concat([_both(p) for p in pages])
    rows = {
        r[0]: r[1:]
        for r in staged.select("source_order_id", "card_last4", "has_card_number").rows()
    }
    assert rows == {
        "7": ("1111", True),
        "8": ("1111", True),
        "9": (None, False),  # ends in a run of 16 digits: no last four taken from it
        "10": (None, False),
    }
    text = staged.select(pl.col(pl.String)).write_csv() + str(staged["payments"].to_list())
    for pan in ("4111 1111 1111 1111", "4111111111111111", "1234567812345678"):
        assert pan not in text
    flagged = parse_shopify_orders(pages[0], landed_file="p").quarantine
    assert set(flagged["error_code"]) == {"card_number_masked"}
    assert set(flagged["action"]) == {"flagged"}


def test_a_page_without_transactions_or_card_details_stages_null_cards() -> None:
    node = shopify_graphql_node(12, updated_at="2026-10-02T00:00:00Z")  # no transactions
    staged = _both(json.dumps(shopify_graphql_page([node], cursor=None)).encode())
    assert staged.select("card_brand", "card_last4").row(0) == (None, None)


def test_rest_orders_carry_a_card_only_when_their_transactions_embed_payment_details() -> None:
    plain = shopify_rest_order(13)  # the REST Order resource: no card details
    carded = shopify_rest_order(14)
    carded["transactions"] = [
        {
            "id": 141,
            "kind": "sale",
            "status": "success",
            "gateway": "shopify_payments",
            "amount": "10.00",
            "created_at": "2026-10-01T14:01:00Z",
            "payment_details": {
                "credit_card_company": "Visa",
                "credit_card_number": "•••• •••• •••• 4242",
            },
        }
    ]
    result = parse_shopify_orders(
        json.dumps({"orders": [plain, carded]}).encode(), landed_file="shopify/rest.json"
    )
    assert result.staged.select("card_brand", "card_last4").rows() == [
        (None, None),
        ("Visa", "4242"),
    ]
