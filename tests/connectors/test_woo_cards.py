"""WooCommerce orders: the paying card from ``payment_method_title`` (Payment Plugins for
Stripe WooCommerce), never more than its last four, and into the identity feed."""

from __future__ import annotations

import json

import polars as pl
import pytest
from api_samples import woo_order

from oms_hub.connectors.woocommerce import parse_woocommerce_orders
from oms_hub.identity.feeds import WEB_IDENTITIES
from oms_hub.identity.standardize import card


def _order(order_id: int, gateway: str | None, title: str | None, **kw: object) -> dict:
    order = woo_order(order_id, **kw)  # type: ignore[arg-type]
    order["payment_method"] = gateway
    if title is not None:
        order["payment_method_title"] = title
    return order


def _parse(*orders: dict):
    result = parse_woocommerce_orders(json.dumps(list(orders)).encode(), landed_file="w.json")
    assert result.records == result.staged.height + result.rejected
    return result


@pytest.mark.parametrize(
    ("gateway", "title", "brand", "last4"),
    [
        ("stripe_cc", "Visa ending in 4242", "Visa", "4242"),
        ("stripe_cc", "MasterCard ending in 0044", "MasterCard", "0044"),  # leading zero kept
        ("stripe_cc", "American Express ending in 1005", "American Express", "1005"),
        ("stripe_applepay", "Amex ending in 0005", "Amex", "0005"),
        ("stripe_googlepay", "Discover 1117 (Google Pay)", "Discover", "1117"),
        ("stripe_cc", "  Visa ending in 4242 ", "Visa", "4242"),
        ("ppcp-gateway", "PayPal", None, None),
        ("stripe", "Credit Card (Stripe)", None, None),  # the WooCommerce Stripe gateway
        ("stripe_cc", "", None, None),
        ("stripe_cc", None, None, None),  # no title at all
        ("cod", "Cash on delivery", None, None),
    ],
)
def test_the_title_gives_the_card_that_paid(
    gateway: str, title: str | None, brand: str | None, last4: str | None
) -> None:
    result = _parse(_order(7, gateway, title))
    assert result.staged.select("card_brand", "card_last4").row(0) == (brand, last4)
    assert result.quarantine.height == 0
    # the payment keeps the gateway as the processor's name (finance maps ``stripe*``)
    assert result.staged["payments"][0][0]["gateway"] == gateway


def test_brands_as_the_plugin_writes_them_are_the_codes_of_the_other_channels() -> None:
    """Woo's ``MasterCard`` / ``Amex`` are Shopify's ``Mastercard`` / ``American Express``
    for the identity step (staged as written, folded there)."""
    pairs = [("MasterCard", "Mastercard"), ("Amex", "American Express"), ("Visa", "VISA")]
    frame = pl.DataFrame({"woo": [w for w, _ in pairs], "other": [o for _, o in pairs]})
    codes = frame.select(
        woo=card(pl.col("woo"), pl.lit("0044")), other=card(pl.col("other"), pl.lit("0044"))
    )
    assert (
        codes["woo"].to_list()
        == codes["other"].to_list()
        == [
            "mastercard:0044",
            "amex:0044",
            "visa:0044",
        ]
    )


@pytest.mark.parametrize(
    ("title", "luhn_valid"),
    [
        ("Visa ending in 4111111111111111", True),  # a full card number in the title
        ("Visa ending in 4111 1111 1111 1111", True),
        ("MasterCard 5555555555554444 (Google Pay)", True),
        ("Visa ending in 1234567890123", False),  # 13 digits, not a card number
        ("Visa ending in 12345", False),
        ("Visa ending in 424", False),
        ("Visa ending in ****", False),
    ],
)
def test_digits_that_are_not_a_last_four_stage_no_card_and_are_flagged(
    title: str, luhn_valid: bool
) -> None:
    result = _parse(_order(8, "stripe_cc", title), _order(9, "stripe_cc", "Visa ending in 4242"))
    assert result.rejected == 0  # the orders load; only the card is left out
    assert result.staged.select("card_brand", "card_last4").rows() == [
        (None, None),
        ("Visa", "4242"),
    ]
    flags = result.quarantine.filter(pl.col("error_code") == "bad_pan_suffix")
    assert flags.select("locator", "action").rows() == [("order 1", "flagged")]
    assert "last four" in flags["error"].item()
    # nothing of the digits reaches the lake: not the staged rows, not the excerpt
    staged_text = result.staged.write_json()
    for run in ("4111", "1111 1111", "5555", "12345", "424"):
        if run in title:
            assert run not in flags["excerpt"].item()
            assert run not in staged_text.replace("4242", "")
    assert flags["excerpt"].item().startswith("payment_method=stripe_cc, payment_method_title=")
    # a card number is also caught by the mask over every text field, as anywhere
    masked = result.quarantine.filter(pl.col("error_code") == "card_number_masked")
    assert masked["locator"].to_list() == (["order 1"] if luhn_valid else [])
    assert result.staged["has_card_number"].to_list() == [luhn_valid, False]


def test_a_woo_identity_carries_the_card_it_pays_with_most() -> None:
    """Parsed Woo orders -> the WooCommerce identity feed: ``card_brand`` / ``card_last4``
    of the most used card and ``cards`` of all, as a Shopify identity has them."""
    account = {"modified_gmt": "2026-10-03T10:00:00"}
    orders = [
        _order(21, "stripe_cc", "Visa ending in 4242"),
        _order(22, "stripe_cc", "Visa ending in 4242", **account),
        _order(23, "stripe_googlepay", "Amex 0005 (Google Pay)"),
        _order(24, "ppcp-gateway", "PayPal"),
    ]
    for order in orders:
        order["customer_id"] = 501
    guest = _order(25, "stripe_applepay", "MasterCard ending in 0044")
    guest["customer_id"] = 0
    staged = _parse(*orders, guest).staged
    woo = next(feed for feed in WEB_IDENTITIES if feed.source == "woocommerce")
    out = woo.extract({"woocommerce/orders": staged.lazy()}).collect().sort("source_customer_id")
    assert out.select("source_customer_id", "card_brand", "card_last4", "cards").rows() == [
        ("501", "Visa", "4242", "Visa 4242; Amex 0005"),
        ("order:25", "MasterCard", "0044", "MasterCard 0044"),
    ]
