"""The WooCommerce shop's card payments (Payment Plugins for Stripe WooCommerce)."""

from __future__ import annotations

import json
from pathlib import Path

import polars as pl
import pytest

from oms_hub.world import generate_world, seeds
from oms_hub.world.cards import WOO_STRIPE_BRANDS

WORLD = {"orders": 600, "days": 4, "seed": 3, "api_orders": 4_000}
PAYMENT_FIELDS = ("payment_method", "payment_method_title")


def _tree(root: Path) -> dict[str, bytes]:
    return {p.relative_to(root).as_posix(): p.read_bytes() for p in root.rglob("*") if p.is_file()}


def _woo_orders(root: Path) -> pl.DataFrame:
    """Every WooCommerce order version of the world's pages (payment fields + id)."""
    rows = [
        {k: o[k] for k in ("id", "transaction_id", "customer_id", *PAYMENT_FIELDS)}
        for page in sorted((root / "landing" / "woocommerce").glob("*.json"))
        for o in json.loads(page.read_bytes())
    ]
    return pl.DataFrame(rows)


@pytest.fixture(scope="module")
def woo_world(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("woo")
    generate_world(root, **WORLD)
    return root


def test_stripe_orders_show_the_buyer_s_card_as_the_plugin_titles_it(woo_world: Path) -> None:
    orders = _woo_orders(woo_world).unique("id")  # both versions of an order say the same
    assert orders.height > 1_000
    paypal = orders.filter(pl.col("payment_method") == "ppcp-gateway")
    stripe = orders.filter(pl.col("payment_method") != "ppcp-gateway")
    # PayPal checkouts as before: a quarter, chosen by a hash of the id
    assert set(paypal["payment_method_title"]) == {"PayPal"}
    assert 0.2 < paypal.height / orders.height < 0.3
    # every other order is a card payment at one of the plugin's gateways ...
    gateways = stripe["payment_method"].value_counts().to_dict(as_series=False)
    counts = dict(zip(gateways["payment_method"], gateways["count"], strict=True))
    assert set(counts) == {"stripe_cc", "stripe_applepay", "stripe_googlepay"}
    wallets = counts["stripe_applepay"] + counts["stripe_googlepay"]
    assert 0.11 < wallets / stripe.height < 0.19  # 15 % phone wallets (assumed)
    assert 0.45 < counts["stripe_applepay"] / wallets < 0.75  # 60 % of them Apple Pay
    # ... titled by its default display format, brand as WooCommerce labels it
    form = (
        pl.when(pl.col("payment_method") == "stripe_googlepay")
        .then(pl.col("payment_method_title").str.extract(r"^(.+) ([0-9]{4}) \(Google Pay\)$", 1))
        .otherwise(pl.col("payment_method_title").str.extract(r"^(.+) ending in [0-9]{4}$", 1))
    )
    brands = stripe.select(form.alias("brand"))["brand"]
    assert brands.null_count() == 0
    assert set(brands) == set(WOO_STRIPE_BRANDS)
    # the charge still settles in the merchant's Stripe account under the same id
    same_id = stripe.select((pl.col("transaction_id") == pl.format("ch_3W{}", "id")).all())
    assert same_id.item()


def test_truth_holds_the_card_each_woo_page_shows(woo_world: Path) -> None:
    truth = pl.read_csv(woo_world / "truth" / "api_orders.csv", infer_schema=False).filter(
        pl.col("source") == "woocommerce"
    )
    pages = (
        _woo_orders(woo_world)
        .unique("id")
        .select(
            order_id=pl.format("woocommerce:{}", "id"),
            gateway="payment_method",
            title="payment_method_title",
        )
    )
    joined = truth.join(pages, on="order_id")
    assert joined.height == truth.height
    carded = joined.filter(pl.col("card_last4").is_not_null())
    assert carded.height == joined.filter(pl.col("gateway") != "ppcp-gateway").height
    google = pl.col("gateway") == "stripe_googlepay"
    shown = pl.when(google).then(pl.format("{} {} (Google Pay)", "card_brand", "card_last4"))
    shown = shown.otherwise(pl.format("{} ending in {}", "card_brand", "card_last4"))
    wallet = pl.col("gateway").is_in(["stripe_applepay", "stripe_googlepay"])
    checked = carded.select(
        title=pl.col("title") == shown,
        wallet=pl.col("card_wallet")
        == pl.when(wallet).then(pl.lit("true")).otherwise(pl.lit("false")),
    )
    assert checked["title"].all()
    assert checked["wallet"].all()
    # a customer's repeat card payments mostly show the same (main) card
    repeat = (
        carded.filter(pl.col("card_wallet") == "false")
        .join(
            _woo_orders(woo_world)
            .unique("id")
            .select(order_id=pl.format("woocommerce:{}", "id"), customer=pl.col("customer_id")),
            on="order_id",
        )
        .filter(pl.col("customer") != 0)
        .group_by("customer", "card_brand", "card_last4")
        .len()
        .group_by("customer")
        .agg(top=pl.col("len").max(), total=pl.col("len").sum())
        .filter(pl.col("total") >= 2)
    )
    assert repeat.height > 10
    assert repeat["top"].sum() / repeat["total"].sum() > 0.6


def test_the_woo_card_stream_moves_nothing_else(
    woo_world: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Another number for the Woo card stream changes the cards, and only them: every
    other file is byte-identical, the Woo pages differ only in their payment fields."""
    monkeypatch.setattr(seeds, "WEB_WOO_CARDS", 99)
    generate_world(tmp_path, **WORLD)
    a, b = _tree(woo_world), _tree(tmp_path)
    assert a.keys() == b.keys()
    differing = {name for name in a if a[name] != b[name]}
    woo_pages = {n for n in differing if n.startswith("landing/woocommerce/")}
    assert differing - woo_pages == {"truth/api_orders.csv"}
    assert len(woo_pages) > 5
    for name in woo_pages:
        x, y = json.loads(a[name]), json.loads(b[name])
        assert [{k: v for k, v in o.items() if k not in PAYMENT_FIELDS} for o in x] == [
            {k: v for k, v in o.items() if k not in PAYMENT_FIELDS} for o in y
        ], name
    truth_a, truth_b = (
        pl.read_csv(t / "truth" / "api_orders.csv", infer_schema=False)
        for t in (woo_world, tmp_path)
    )
    cards = ["card_brand", "card_last4", "card_wallet"]
    assert truth_a.drop(cards).equals(truth_b.drop(cards))
    assert truth_a.filter(pl.col("source") != "woocommerce").equals(
        truth_b.filter(pl.col("source") != "woocommerce")
    )
