"""The Shopify, WooCommerce and Amazon parsers: quirks as data, bad records quarantined."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from decimal import Decimal

import polars as pl
from api_samples import (
    BIG_ID,
    amazon_items,
    amazon_order,
    shopify_graphql_node,
    shopify_graphql_page,
    shopify_refund,
    shopify_rest_order,
    woo_order,
)

from oms_hub.connectors.amazon import parse_amazon_orders
from oms_hub.connectors.shopify import parse_shopify_orders
from oms_hub.connectors.woocommerce import parse_woocommerce_orders


def _bytes(doc: object) -> bytes:
    return json.dumps(doc).encode()


def _balanced(result) -> None:
    assert result.records == result.staged.height + result.rejected


def test_shopify_rest_and_graphql_read_the_same_order_with_its_big_id_exact() -> None:
    rest = parse_shopify_orders(
        _bytes({"orders": [shopify_rest_order(BIG_ID)]}), landed_file="shopify/a.json"
    )
    gql = parse_shopify_orders(
        _bytes(
            shopify_graphql_page(
                [shopify_graphql_node(BIG_ID, updated_at="2026-10-02T00:00:00Z")], cursor=None
            )
        ),
        landed_file="shopify/b.json",
    )
    assert rest.staged["source_order_id"].to_list() == [str(BIG_ID)]
    assert gql.staged["source_order_id"].to_list() == [str(BIG_ID)]
    assert float(BIG_ID) != BIG_ID  # the id really is beyond float precision
    _balanced(rest)
    _balanced(gql)


def test_shopify_times_go_to_utc_keeping_the_offset_and_shop_money_is_used() -> None:
    order = shopify_rest_order(1, created_at="2026-10-01T22:30:00-04:00")
    row = parse_shopify_orders(_bytes({"orders": [order]}), landed_file="s.json").staged.row(
        0, named=True
    )
    assert row["ordered_at"] == datetime(2026, 10, 2, 2, 30, tzinfo=UTC)
    assert row["ordered_at_offset"] == "-04:00"
    assert row["shipping_amount"] == Decimal("5.00")  # shop money, not the EUR presentment
    assert row["currency"] == "USD"


def test_shopify_refund_lines_keep_restock_type_and_draft_orders_are_phone() -> None:
    order = shopify_rest_order(
        2,
        source_name="shopify_draft_order",
        landing_site=None,
        refunds=[shopify_refund(5, 21, "SKU-1", 1, "10.00", "2026-10-05T10:00:00Z")],
    )
    row = parse_shopify_orders(_bytes({"orders": [order]}), landed_file="s.json").staged.row(
        0, named=True
    )
    assert row["channel"] == "phone"
    assert row["source_code"] == "shopify:shopify_draft_order"
    assert row["refunds"][0]["restock_type"] == "return"
    assert row["refunded_amount"] == Decimal("10.00")


def test_shopify_bad_records_quarantine_alone() -> None:
    good = shopify_rest_order(3)
    wrong_total = dict(shopify_rest_order(4), total_price={"amount": 1})
    bad_qty = shopify_rest_order(5)
    bad_qty["line_items"][0]["quantity"] = "two"
    result = parse_shopify_orders(
        _bytes({"orders": [good, wrong_total, bad_qty, {"name": "#1"}]}), landed_file="s.json"
    )
    _balanced(result)
    assert result.staged["source_order_id"].to_list() == ["3"]
    assert result.quarantine["error_code"].to_list() == [
        "wrong_type",
        "wrong_type",
        "missing_field",
    ]
    assert result.quarantine["locator"].to_list() == ["order 2", "order 3", "order 4"]


def test_truncated_or_unknown_pages_are_one_rejected_record() -> None:
    truncated = parse_shopify_orders(b'{"orders": [{"id": 1', landed_file="s.json")
    assert (truncated.records, truncated.quarantine["error_code"].item()) == (1, "bad_json")
    other = parse_shopify_orders(b'{"products": []}', landed_file="s.json")
    assert other.quarantine["error_code"].item() == "unknown_document"
    throttled = parse_shopify_orders(
        _bytes({"errors": [{"message": "Throttled", "extensions": {"code": "THROTTLED"}}]}),
        landed_file="s.json",
    )
    assert throttled.quarantine["error_code"].item() == "api_error"


def test_card_number_in_a_note_is_masked_and_flagged() -> None:
    order = shopify_rest_order(6, note="card 4111 1111 1111 1111 pls")
    result = parse_shopify_orders(_bytes({"orders": [order]}), landed_file="s.json")
    assert "1111 1111 1111" not in result.staged["note"].item()
    assert result.quarantine.filter(action="flagged")["locator"].to_list() == ["order 1"]
    assert result.rejected == 0


def test_woocommerce_quirks() -> None:
    result = parse_woocommerce_orders(
        _bytes([woo_order(7, lines=[("SKU-1", 3, "10.00")], refunds=["2.50", "1.00"])]),
        landed_file="w.json",
    )
    row = result.staged.row(0, named=True)
    assert row["ordered_at"] == datetime(2026, 10, 1, 15, 30, tzinfo=UTC)  # _gmt without Z
    assert row["ordered_at_offset"] == "-05:00"  # local date_created minus the GMT one
    assert row["refunded_amount"] == Decimal("3.50")  # negative refund totals, flipped
    assert row["lines"][0]["item_name"] == "Hoodie & Cap"  # HTML entities decoded
    assert row["customer_name"] == "Zoë Ray"
    assert row["lines"][0]["unit_price"] == Decimal("3.3333")
    assert row["total"] == Decimal("14.00")


def test_woocommerce_admin_orders_are_phone_and_a_string_price_is_a_wrong_type() -> None:
    bad = woo_order(9)
    bad["line_items"][0]["price"] = "1.11"
    result = parse_woocommerce_orders(
        _bytes([woo_order(8, created_via="admin"), bad]), landed_file="w.json"
    )
    assert result.staged["channel"].to_list() == ["phone"]
    assert result.quarantine["error"].item() == (
        "order 2.line_items[0]: 'price' must be a number, got '1.11'"
    )


def test_woocommerce_error_body_is_one_rejected_record() -> None:
    body = {"code": "woocommerce_rest_cannot_view", "message": "no", "data": {"status": 401}}
    result = parse_woocommerce_orders(_bytes(body), landed_file="w.json")
    assert result.quarantine["error_code"].to_list() == ["api_error"]


def test_amazon_orders_page_quirks() -> None:
    orders = [
        amazon_order("1", fulfillment="AFN"),
        amazon_order("2", fulfillment="NEWTHING"),
        amazon_order("3", status="Pending", total=None),
        dict(amazon_order("4"), IsPrime="maybe"),
        {k: v for k, v in amazon_order("5").items() if k != "AmazonOrderId"},
    ]
    result = parse_amazon_orders(_bytes({"payload": {"Orders": orders}}), landed_file="a.json")
    _balanced(result)
    staged = result.staged
    assert staged["fulfilled_by"].to_list() == ["amazon", "other:NEWTHING", "merchant"]
    assert staged["priced"].to_list() == [True, True, False]
    assert staged["customer_email"].null_count() == 3  # restricted PII simply absent
    assert result.quarantine["error_code"].to_list() == ["wrong_type", "missing_field"]


def test_amazon_items_keep_leading_zeros_and_line_prices() -> None:
    result = parse_amazon_orders(
        _bytes(amazon_items("1", [("SKU-1", 2, "21.98")])), landed_file="i.json"
    )
    line = result.staged.row(0, named=True)["lines"][0]
    assert line["line_id"] == "00000000000001"
    assert (line["gross_amount"], line["unit_price"]) == (Decimal("21.98"), Decimal("10.9900"))
    error = parse_amazon_orders(
        _bytes({"errors": [{"code": "Unauthorized", "message": "Access denied"}]}),
        landed_file="e.json",
    )
    assert error.quarantine["error_code"].item() == "api_error"


def test_graphql_columnar_path_equals_the_record_path_on_world_pages(tmp_path) -> None:
    from oms_hub.world import generate_world

    generate_world(tmp_path, orders=100, days=3, seed=3, api_orders=1_500)
    pages = sorted((tmp_path / "landing" / "shopify").glob("*.json"))
    assert pages
    checked = 0
    for page in pages:
        body = page.read_bytes()
        fast = parse_shopify_orders(body, landed_file="p.json")
        slow = parse_shopify_orders(body, landed_file="p.json", fast=False)
        assert fast.staged.equals(slow.staged), page.name
        assert fast.records == slow.records
        checked += fast.records
    refunds = sum(
        parse_shopify_orders(p.read_bytes(), landed_file="p").staged["refunds"].list.len().sum()
        for p in pages
    )
    assert checked >= 700
    assert refunds > 0  # the comparison covered refunds and transactions too
    # ... and the paying cards: every order shows the card the world paid it with
    staged = pl.concat(
        parse_shopify_orders(p.read_bytes(), landed_file=p.name, fast=False).staged for p in pages
    ).select(
        order_id=pl.format("shopify:{}", "source_order_id"), brand="card_brand", last4="card_last4"
    )
    truth = pl.read_csv(tmp_path / "truth" / "api_orders.csv", infer_schema=False).filter(
        pl.col("source") == "shopify"
    )
    joined = truth.join(staged.unique(), on="order_id", how="left")
    assert joined.height == truth.height
    assert joined["card_brand"].eq_missing(joined["brand"]).all()
    assert joined["card_last4"].eq_missing(joined["last4"]).all()
    assert 0 < joined["last4"].null_count() < joined.height  # cards and orders without


def test_graphql_page_with_a_bad_record_or_a_card_number_goes_record_by_record() -> None:
    node = shopify_graphql_node(11, updated_at="2026-10-02T00:00:00Z")
    carded = dict(shopify_graphql_node(12, updated_at="2026-10-02T00:00:00Z"))
    carded["note"] = "paid with 4111-1111-1111-1111"
    broken = dict(shopify_graphql_node(13, updated_at="2026-10-02T00:00:00Z"))
    broken["totalPriceSet"] = {"shopMoney": {"amount": "12.345", "currencyCode": "USD"}}
    result = parse_shopify_orders(
        _bytes(shopify_graphql_page([node, carded, broken], cursor=None)), landed_file="g.json"
    )
    _balanced(result)
    assert result.staged["source_order_id"].to_list() == ["11", "12"]
    assert "4111-1111-1111-1111" not in (result.staged["note"][1] or "")
    assert result.quarantine.select("locator", "action", "error_code").rows() == [
        ("order 3", "rejected", "bad_money"),
        ("order 2", "flagged", "card_number_masked"),
    ]


def test_a_shopify_guest_is_named_by_the_shipping_address_else_the_billing_address() -> None:
    # a guest checkout has no customer object, but a shipped order always has the name
    # typed into the shipping (and billing) address
    account = shopify_graphql_node(21, updated_at="2026-10-02T00:00:00Z")
    shipped = {**shopify_graphql_node(22, updated_at="2026-10-02T00:00:00Z"), "customer": None}
    shipped["shippingAddress"] = {"firstName": "Kate", "lastName": "O'Neil", "zip": "02139"}
    shipped["billingAddress"] = {"firstName": "Katherine", "lastName": "O'Neil"}
    billed = {**shipped, "id": "gid://shopify/Order/23", "shippingAddress": {"zip": "02139"}}
    nameless = {**billed, "id": "gid://shopify/Order/24", "billingAddress": None}
    page = _bytes(shopify_graphql_page([account, shipped, billed, nameless], cursor=None))
    fast = parse_shopify_orders(page, landed_file="g.json")
    slow = parse_shopify_orders(page, landed_file="g.json", fast=False)
    assert fast.staged.equals(slow.staged)
    rows = fast.staged.select("source_customer_id", "customer_name").rows()
    assert rows == [
        ("42", "Bo Ng"),  # the account's name wins over the address's
        (None, "Kate O'Neil"),
        (None, "Katherine O'Neil"),
        (None, None),
    ]
    rest = shopify_rest_order(25)
    rest.update(
        customer=None,
        shipping_address={"first_name": "Ann", "last_name": "Lee", "zip": "10001"},
    )
    staged = parse_shopify_orders(_bytes({"orders": [rest]}), landed_file="r.json").staged
    assert staged.select("source_customer_id", "customer_name").row(0) == (None, "Ann Lee")


def test_an_amazon_seller_fulfilled_order_carries_the_buyer_s_relay_name_and_phone() -> None:
    mfn = amazon_order("7")
    mfn["BuyerInfo"] = {"BuyerEmail": "0000012345678@marketplace.amazon.com", "BuyerName": "Kate"}
    mfn["ShippingAddress"] = {**mfn["ShippingAddress"], "Phone": "(206) 555-0100"}
    fba = amazon_order("8", fulfillment="AFN")  # no BuyerInfo, no phone: anonymous
    result = parse_amazon_orders(_bytes({"payload": {"Orders": [mfn, fba]}}), landed_file="a.json")
    _balanced(result)
    rows = result.staged.select("customer_name", "customer_email", "customer_phone").rows()
    assert rows == [
        ("Kate", "0000012345678@marketplace.amazon.com", "(206) 555-0100"),
        (None, None, None),
    ]
