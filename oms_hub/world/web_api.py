"""The web shop (Shopify, WooCommerce) and marketplace (Amazon) share of the sample world.

Orders are planned per source and day with numpy (own random stream per source and
day, ``seeds.WEB_*``), then written as the pages the APIs return, built by polars
(struct columns serialised with ``write_json``, no per-order Python on the data):

* ``landing/shopify/orders-<day>-p<n>.json`` - Admin GraphQL ``orders`` pages;
* ``landing/woocommerce/orders-<day>-p<n>.json`` - REST v3 order arrays;
* ``landing/amazon/orders-<day>-p<n>.json`` - getOrders pages, and one
  ``items-<AmazonOrderId>-v<k>.json`` getOrderItems response per order version (that
  document is per order in the real API, so it is one file each here too).

Each order lands in its creation-day page; about a quarter change later (fulfilled,
refunded, cancelled; Amazon ``Pending`` orders get their prices) and land again, in a
``updates-<day>`` page (named by the day the orders were placed) with a later update
time; what counts is that update time, not the file name or the landing order. Ground truth
(``truth/api_orders.csv``): every order's latest state, which core.orders must match.

The buyers are the world's People (``web_customers``): customer accounts and guest
checkouts with per-channel name, email, phone and ZIP variants; every source identity
goes to ``truth/identities.csv`` with its ``person_id`` (the same ids as POS).

A Shopify order's ``transactions`` show how it was paid (``shopify_card_payments``): by
one of the buyer's cards (``world/cards.py``; ``paymentDetails`` as ``CardPaymentDetails``
with ``company`` and the masked ``number``), by a phone wallet (the device account's
last four) or by a method without card details (``paymentDetails`` ``{}``). Own stream
per day (``seeds.WEB_SHOPIFY_CARDS``): no other number of the world moves, amounts and
settlements included (every Shopify payment still goes through Shopify Payments).

The WooCommerce shop takes cards through Payment Plugins for Stripe WooCommerce
(``woo_card_payments``): every order not paid with PayPal is paid by one of the buyer's
cards, at the card gateway ``stripe_cc`` or through a phone wallet (``stripe_applepay``,
``stripe_googlepay``), and its ``payment_method_title`` shows brand and last four as the
plugin's default display formats write them (``Visa ending in 4242``; Google Pay:
``Visa 4242 (Google Pay)``). Own stream per day (``seeds.WEB_WOO_CARDS``); the charge
still settles in the merchant's Stripe account (``ch_3W<id>``), so nothing else moves.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import polars as pl

from oms_hub.world import seeds
from oms_hub.world.cards import SHOPIFY_BRANDS, WOO_STRIPE_BRANDS, Cards, as_text, build_cards
from oms_hub.world.model import Catalog, People
from oms_hub.world.money import decimal_text, round_div
from oms_hub.world.places import LOCATIONS
from oms_hub.world.web_customers import GUEST_SHARE, Contacts, build_contacts, profiles

PAGE_SIZE = 250
TAX_MILLI_PCT = 8_000  # 8 %
#: Share of the API orders per source.
SHARES = {"shopify": 0.5, "woocommerce": 0.3, "amazon": 0.2}
STREAMS = {
    "shopify": seeds.WEB_SHOPIFY,
    "woocommerce": seeds.WEB_WOOCOMMERCE,
    "amazon": seeds.WEB_AMAZON,
}
SHOPIFY_ID_BASE = 6_000_000_000_000_000_000  # ids far above 2**53, as real shops have
#: Share (per mille) of WooCommerce checkouts paid with PayPal instead of Stripe.
PAYPAL_PER_MILLE = 250
#: Shopify orders paid by card through Shopify Payments (the rest: the PayPal wallet or
#: Shop Pay Installments, also through Shopify Payments, whose payment details are not
#: ``CardPaymentDetails``), and of the card payments the share made with a phone wallet.
SHOPIFY_CARD_SHARE = 0.75
SHOPIFY_WALLET_SHARE = 0.15
#: How Shopify masks a card number in ``CardPaymentDetails.number``.
MASKED_PREFIX = "•••• •••• •••• "
#: WooCommerce card payments (every order not paid with PayPal): the share made with a
#: phone wallet, and of those the share through Apple Pay (else Google Pay).
WOO_WALLET_SHARE = 0.15
WOO_APPLE_PAY_SHARE = 0.6
#: Gateway ids of Payment Plugins for Stripe WooCommerce (``woo-stripe-payment``).
WOO_CARD_GATEWAY = "stripe_cc"
WOO_APPLE_PAY_GATEWAY = "stripe_applepay"
WOO_GOOGLE_PAY_GATEWAY = "stripe_googlepay"


def woo_paid_with_paypal(order_id: pl.Expr) -> pl.Expr:
    """Whether a WooCommerce order was paid with PayPal: a hash of its id, no random draw
    (so every other number of the world stays what it was)."""
    return (order_id.cast(pl.Int64) * 2_654_435_761 % 1_000) < PAYPAL_PER_MILLE


def paypal_transaction_id(order_id: pl.Expr, refund: bool = False) -> pl.Expr:
    """A 17-character PayPal transaction id for a WooCommerce order (or its refund)."""
    oid = order_id.cast(pl.Int64)
    return pl.format(
        "{}{}{}",
        pl.lit("2R" if refund else "5"),
        (oid * 7_919 % 1_000_000).cast(pl.String).str.zfill(6),
        pl.format("W{}", oid.cast(pl.String).str.zfill(10 if refund else 9)),
    )


UTC = pl.Datetime("us", "UTC")


@dataclass
class ApiWorldStats:
    """What the API writers produced."""

    orders: dict[str, int] = field(default_factory=dict)
    files: list[str] = field(default_factory=list)


def split_orders(total: int) -> dict[str, int]:
    """``total`` API orders split over the sources by ``SHARES`` (exact sum)."""
    shopify = int(total * SHARES["shopify"])
    woo = int(total * SHARES["woocommerce"])
    return {"shopify": shopify, "woocommerce": woo, "amazon": total - shopify - woo}


def api_orders_per_day(seed: int, orders: int, days: int, start: datetime.date) -> np.ndarray:
    """Split the API orders over the days (own stream: POS counts are untouched)."""
    from oms_hub.world.model import WEEKDAY_TRAFFIC

    rng = seeds.rng_for(seed, seeds.API_CALENDAR)
    weekday = (start.weekday() + np.arange(days)) % 7
    weights = WEEKDAY_TRAFFIC[weekday] * rng.lognormal(0.0, 0.08, size=days)
    return rng.multinomial(orders, weights / weights.sum())


def _plan(
    seed: int,
    source: str,
    day_index: int,
    n: int,
    first_seq: int,
    day: datetime.date,
    last_day: datetime.date,
    catalog: Catalog,
) -> tuple[pl.DataFrame, pl.DataFrame]:
    """(orders, lines) of one source and day; money in integer cents."""
    rng = seeds.rng_for(seed, STREAMS[source], day_index)
    start = datetime.datetime(day.year, day.month, day.day, tzinfo=datetime.UTC)
    seconds = np.sort(rng.integers(0, 86_400, size=n))
    n_lines = 1 + rng.binomial(2, 0.35, size=n)
    order_of_line = np.repeat(np.arange(n), n_lines)
    product = catalog.sample(rng, order_of_line.size)
    qty = 1 + rng.binomial(2, 0.2, size=order_of_line.size)
    price = catalog.price_cents[product]
    lines = pl.DataFrame(
        {
            "o": order_of_line.astype(np.int64),
            "sku": catalog.products.get_column("sku").gather(product),
            "item_name": catalog.products.get_column("name").gather(product),
            "quantity": qty.astype(np.int64),
            "price_cents": price.astype(np.int64),
        }
    ).with_columns(
        line_number=pl.int_range(1, pl.len() + 1).over("o"),
        gross_cents=pl.col("quantity") * pl.col("price_cents"),
    )
    lines = lines.with_columns(
        tax_cents=pl.Series(round_div(lines["gross_cents"].to_numpy() * TAX_MILLI_PCT, 100_000))
    )
    sums = lines.group_by("o").agg(
        gross_cents=pl.col("gross_cents").sum(), tax_cents=pl.col("tax_cents").sum()
    )
    draw = rng.random(n)
    change_after = rng.integers(3_600, 3 * 86_400, size=n)
    shipping = np.where(rng.random(n) < 0.4, 599, 0)
    orders = (
        pl.DataFrame(
            {
                "o": np.arange(n, dtype=np.int64),
                "seq": np.arange(first_seq, first_seq + n, dtype=np.int64),
                "created_at": [start] * n if n else [],
                "shipping_cents": shipping.astype(np.int64),
                "draw": draw,
                "change_after": change_after.astype(np.int64),
            },
            schema_overrides={"created_at": UTC},
        )
        .with_columns(created_at=pl.col("created_at") + pl.duration(seconds=pl.Series(seconds)))
        .join(sums, on="o", how="left")
        .with_columns(
            total_cents=pl.col("gross_cents") + pl.col("tax_cents") + pl.col("shipping_cents"),
            v1_at=pl.col("created_at") + pl.duration(minutes=2),
            v2_at=pl.col("created_at") + pl.duration(seconds=pl.col("change_after")),
            change=pl.when(pl.col("draw") < 0.05)
            .then(pl.lit("cancelled"))
            .when(pl.col("draw") < 0.12)
            .then(pl.lit("refunded"))
            .when(pl.col("draw") < 0.25)
            .then(pl.lit("completed"))
            .otherwise(None),
            pending=pl.lit(source == "amazon") & (pl.col("draw") > 0.9),
        )
        .with_columns(
            change=pl.when(pl.lit(source == "amazon") & (pl.col("change") == "refunded"))
            .then(pl.lit("completed"))  # the Orders API shows no refunds (Finances API does)
            .otherwise(pl.col("change"))
        )
        .with_columns(
            # A change after the world's last day has not happened yet.
            change=pl.when(pl.col("v2_at").dt.date() <= last_day).then(pl.col("change")),
        )
        .with_columns(
            change=pl.when(
                pl.col("pending")
                & pl.col("change").is_null()
                & (pl.col("v2_at").dt.date() <= last_day)
            )
            .then(pl.lit("priced"))
            .otherwise(pl.col("change"))
        )
    )
    # The refund: one unit of line 1, its price and tax.
    first = lines.filter(pl.col("line_number") == 1).select(
        "o",
        refund_sku="sku",
        refund_cents="price_cents",
        refund_tax_cents=pl.Series(
            round_div(
                lines.filter(pl.col("line_number") == 1)["price_cents"].to_numpy() * TAX_MILLI_PCT,
                100_000,
            )
        ),
    )
    orders = orders.join(first, on="o", how="left").sort("o")
    return orders, lines


def _money(cents: pl.Expr) -> pl.Expr:
    return decimal_text(cents)


def _write(path: Path, payload: bytes) -> None:
    tmp = path.with_name(f".{path.name}.tmp")
    tmp.write_bytes(payload)
    tmp.replace(path)


def _pages(frame: pl.DataFrame) -> list[pl.DataFrame]:
    return (
        [frame.slice(i, PAGE_SIZE) for i in range(0, frame.height, PAGE_SIZE)]
        if frame.height
        else []
    )


# --- Shopify ---------------------------------------------------------------------------


def _bag(cents: pl.Expr) -> pl.Expr:
    amount = pl.struct(amount=_money(cents), currencyCode=pl.lit("USD"))
    return pl.struct(shopMoney=amount, presentmentMoney=amount)


#: Where a fulfilled Shopify order ships from, by order number: DC-EAST / DC-WEST
#: alternately, and every tenth order from a store that ships online (ship from store).
_SHIP_FROM_STORES = [loc for loc in LOCATIONS if loc.kind == "store" and loc.ships_online]
#: Shopify location ids of our locations (``gid://shopify/Location/<id>``), by index.
SHOPIFY_LOCATION_BASE = 70_000_000


def ship_from(seq: pl.Expr) -> pl.Expr:
    """Index in ``places.LOCATIONS`` of the location a fulfilled Shopify order left from."""
    ids = [loc.location_id for loc in LOCATIONS]
    stores = [ids.index(loc.location_id) for loc in _SHIP_FROM_STORES]
    dcs = [ids.index("DC-EAST"), ids.index("DC-WEST")]
    store = pl.lit(pl.Series(stores, dtype=pl.Int32)).gather((seq // 10) % len(stores))
    dc = pl.lit(pl.Series(dcs, dtype=pl.Int32)).gather(seq % 2)
    return pl.when(seq % 10 == 9).then(store).otherwise(dc).cast(pl.Int32)


def _shopify_fulfillments(orders: pl.DataFrame, lines: pl.DataFrame) -> pl.DataFrame:
    """``o`` -> ``fulfillments``: one fulfillment of every line, at the update time."""
    names = pl.Series([loc.name for loc in LOCATIONS])
    loc = ship_from(pl.col("seq"))
    when = pl.col("v2_at").dt.convert_time_zone("America/New_York")
    return (
        lines.join(orders.select("o", "order_id"), on="o")
        .sort("o", "line_number")
        .group_by("o", maintain_order=True)
        .agg(items=pl.struct(node=pl.struct("quantity", lineItem=pl.struct("sku"))))
        .join(orders.select("o", "order_id", "seq", "v2_at"), on="o")
        .select(
            "o",
            ff=pl.concat_list(
                pl.struct(
                    id=pl.format("gid://shopify/Fulfillment/{}", pl.col("order_id")),
                    createdAt=when.dt.strftime("%Y-%m-%dT%H:%M:%S%:z"),
                    status=pl.lit("SUCCESS"),
                    location=pl.struct(
                        id=pl.format("gid://shopify/Location/{}", loc + SHOPIFY_LOCATION_BASE),
                        name=pl.lit(names).gather(loc),
                    ),
                    fulfillmentLineItems=pl.struct(edges="items"),
                )
            ),
        )
    )


def _shopify_nodes(orders: pl.DataFrame, lines: pl.DataFrame, version: int) -> pl.DataFrame:
    gid = pl.format("gid://shopify/Order/{}", pl.col("order_id"))
    line_nodes = (
        lines.join(orders.select("o", "order_id"), on="o")
        .sort("o", "line_number")
        .group_by("o", maintain_order=True)
        .agg(
            edges=pl.struct(
                node=pl.struct(
                    id=pl.format(
                        "gid://shopify/LineItem/{}{}", pl.col("order_id"), pl.col("line_number")
                    ),
                    sku="sku",
                    name="item_name",
                    quantity="quantity",
                    originalTotalSet=_bag(pl.col("gross_cents")),
                    totalDiscountSet=_bag(pl.lit(0)),
                    taxLines=pl.concat_list(pl.struct(priceSet=_bag(pl.col("tax_cents")))),
                )
            )
        )
    )
    v2 = version == 2
    status = pl.col("change") if v2 else pl.lit(None, pl.String)
    refunded = v2 & (pl.col("change") == "refunded") if v2 else pl.lit(False)
    local = pl.col("created_at").dt.convert_time_zone("America/New_York")
    updated = (pl.col("v2_at") if v2 else pl.col("v1_at")).dt.convert_time_zone("America/New_York")
    refund = pl.struct(
        id=pl.format("gid://shopify/Refund/{}", pl.col("order_id")),
        createdAt=updated.dt.strftime("%Y-%m-%dT%H:%M:%S%:z"),
        refundLineItems=pl.struct(
            edges=pl.concat_list(
                pl.struct(
                    node=pl.struct(
                        id=pl.format("gid://shopify/RefundLineItem/{}", pl.col("order_id")),
                        quantity=pl.lit(1),
                        restockType=pl.lit("RETURN"),
                        lineItem=pl.struct(
                            id=pl.format("gid://shopify/LineItem/{}1", pl.col("order_id")),
                            sku="refund_sku",
                        ),
                        subtotalSet=_bag(pl.col("refund_cents")),
                        totalTaxSet=_bag(pl.col("refund_tax_cents")),
                    )
                )
            )
        ),
    )
    stamp = "%Y-%m-%dT%H:%M:%S%:z"
    # ``paymentDetails { ... on CardPaymentDetails { company number } }``; a payment
    # without card details is written ``{}`` (see ``_shopify_page``)
    details = pl.struct(
        company=pl.col("card_brand"),
        number=pl.when(pl.col("card_last4").is_not_null()).then(
            pl.lit(MASKED_PREFIX) + pl.col("card_last4")
        ),
    )
    sale = pl.struct(
        id=pl.format("gid://shopify/OrderTransaction/{}1", pl.col("order_id")),
        kind=pl.lit("SALE"),
        status=pl.lit("SUCCESS"),
        gateway=pl.lit("shopify_payments"),
        processedAt=local.dt.strftime(stamp),
        amountSet=_bag(pl.col("total_cents")),
        authorizationCode=pl.format("ch_{}", pl.col("order_id")),
        paymentDetails=details,
    )
    refund_tx = pl.struct(
        id=pl.format("gid://shopify/OrderTransaction/{}2", pl.col("order_id")),
        kind=pl.lit("REFUND"),
        status=pl.lit("SUCCESS"),
        gateway=pl.lit("shopify_payments"),
        processedAt=updated.dt.strftime(stamp),
        amountSet=_bag(pl.col("refund_cents") + pl.col("refund_tax_cents")),
        authorizationCode=pl.format("re_{}", pl.col("order_id")),
        paymentDetails=details,  # a refund goes back to the card that paid
    )
    fulfilled = _shopify_fulfillments(orders, lines)
    return (
        orders.join(line_nodes, on="o")
        .join(fulfilled, on="o", how="left")
        .sort("o")
        .select(
            cursor=pl.format("c{}", pl.col("order_id")),
            node=pl.struct(
                id=gid,
                name=pl.format("#{}", pl.col("seq") + 1001),
                createdAt=local.dt.strftime("%Y-%m-%dT%H:%M:%S%:z"),
                updatedAt=updated.dt.strftime("%Y-%m-%dT%H:%M:%S%:z"),
                cancelledAt=pl.when(status == "cancelled").then(
                    updated.dt.strftime("%Y-%m-%dT%H:%M:%S%:z")
                ),
                closedAt=pl.when(status == "completed").then(
                    updated.dt.strftime("%Y-%m-%dT%H:%M:%S%:z")
                ),
                sourceName=pl.when(pl.col("draw") > 0.97)
                .then(pl.lit("shopify_draft_order"))
                .otherwise(pl.lit("web")),
                displayFulfillmentStatus=pl.when(status == "completed")
                .then(pl.lit("FULFILLED"))
                .otherwise(pl.lit("UNFULFILLED")),
                currencyCode=pl.lit("USD"),
                email="c_email",
                phone="c_phone",
                customer=pl.when(pl.col("c_id").is_not_null()).then(
                    pl.struct(
                        id=pl.format("gid://shopify/Customer/{}", pl.col("c_id")),
                        firstName="c_first",
                        lastName="c_last",
                        email="c_email",
                        phone="c_phone",
                    )
                ),
                # the name typed at checkout for delivery: there for guests too
                shippingAddress=pl.struct(
                    firstName="c_first",
                    lastName="c_last",
                    zip="c_zip",
                    countryCodeV2=pl.lit("US"),
                ),
                customerJourneySummary=pl.struct(
                    firstVisit=pl.struct(
                        landingPage=pl.when(pl.col("draw") < 0.5)
                        .then(pl.lit("https://shop.example/?utm_source=google&utm_campaign=fall"))
                        .otherwise(pl.lit("https://shop.example/"))
                    )
                ),
                totalPriceSet=_bag(pl.col("total_cents")),
                totalTaxSet=_bag(pl.col("tax_cents")),
                totalDiscountsSet=_bag(pl.lit(0)),
                totalShippingPriceSet=_bag(pl.col("shipping_cents")),
                totalRefundedSet=_bag(
                    pl.when(refunded)
                    .then(pl.col("refund_cents") + pl.col("refund_tax_cents"))
                    .otherwise(0)
                ),
                lineItems=pl.struct("edges"),
                refunds=pl.when(refunded)
                .then(pl.concat_list(refund))
                .otherwise(pl.concat_list(refund).list.head(0)),
                transactions=pl.when(refunded)
                .then(pl.concat_list(sale, refund_tx))
                .otherwise(pl.concat_list(sale)),
                # a completed order was shipped: from where, when and what
                fulfillments=pl.when(status == "completed")
                .then(pl.col("ff"))
                .otherwise(pl.col("ff").list.head(0)),
            ),
        )
    )


#: A payment whose details are not ``CardPaymentDetails``, as polars writes it, and as
#: the API answers the query's ``... on CardPaymentDetails`` fragment for it.
_NO_CARD_DETAILS = (b'"paymentDetails":{"company":null,"number":null}', b'"paymentDetails":{}')


def _shopify_page(edges: pl.DataFrame, has_next: bool) -> bytes:
    body = edges.write_json().encode().replace(*_NO_CARD_DETAILS)
    end = edges["cursor"][-1] if edges.height else None
    info = f'{{"hasNextPage":{"true" if has_next else "false"},"endCursor":{"null" if end is None else chr(34) + end + chr(34)}}}'
    ext = (
        '"extensions":{"cost":{"requestedQueryCost":252,"actualQueryCost":120,'
        '"throttleStatus":{"maximumAvailable":2000.0,"currentlyAvailable":1880.0,"restoreRate":100.0}}}'
    )
    return (
        b'{"data":{"orders":{"edges":'
        + body
        + b',"pageInfo":'
        + info.encode()
        + b"}},"
        + ext.encode()
        + b"}"
    )


# --- WooCommerce -----------------------------------------------------------------------


def _woo_orders(orders: pl.DataFrame, lines: pl.DataFrame, version: int) -> pl.DataFrame:
    items = (
        lines.join(orders.select("o", "order_id"), on="o")
        .sort("o", "line_number")
        .group_by("o", maintain_order=True)
        .agg(
            line_items=pl.struct(
                id=pl.col("order_id") * 10 + pl.col("line_number"),
                name=pl.col("item_name").str.replace_all("&", "&amp;"),
                product_id=pl.lit(1),
                variation_id=pl.lit(0),
                quantity="quantity",
                subtotal=_money(pl.col("gross_cents")),
                subtotal_tax=_money(pl.col("tax_cents")),
                total=_money(pl.col("gross_cents")),
                total_tax=_money(pl.col("tax_cents")),
                sku="sku",
                price=pl.col("price_cents") / 100,  # a bare number, as Woo sends it
            )
        )
    )
    v2 = version == 2
    change = pl.col("change") if v2 else pl.lit(None, pl.String)
    status = (
        pl.when(change == "cancelled")
        .then(pl.lit("cancelled"))
        .when(change == "refunded")
        .then(pl.lit("refunded"))
        .when(change == "completed")
        .then(pl.lit("completed"))
        .otherwise(pl.lit("processing"))
    )
    refund = pl.struct(
        id=pl.col("order_id") * 100,
        reason=pl.lit("Damaged"),
        total=pl.lit("-") + _money(pl.col("refund_cents") + pl.col("refund_tax_cents")),
    )
    modified = pl.col("v2_at") if v2 else pl.col("v1_at")
    fmt = "%Y-%m-%dT%H:%M:%S"
    local = lambda c: c.dt.convert_time_zone("America/Chicago").dt.strftime(fmt)  # noqa: E731
    return (
        orders.join(items, on="o")
        .sort("o")
        .select(
            id="order_id",
            parent_id=pl.lit(0),
            number=pl.col("order_id").cast(pl.String),
            order_key=pl.format("wc_order_{}", pl.col("order_id")),
            created_via=pl.when(pl.col("draw") > 0.97)
            .then(pl.lit("admin"))
            .otherwise(pl.lit("checkout")),
            status=status,
            currency=pl.lit("USD"),
            date_created=local(pl.col("created_at")),
            date_created_gmt=pl.col("created_at").dt.strftime(fmt),
            date_modified=local(modified),
            date_modified_gmt=modified.dt.strftime(fmt),
            date_paid_gmt=(pl.col("created_at") + pl.duration(minutes=1)).dt.strftime(fmt),
            # PayPal Payments for WooCommerce ("ppcp-gateway") or a gateway of Payment
            # Plugins for Stripe WooCommerce with the card it shows (``woo_card_payments``)
            payment_method=pl.when(woo_paid_with_paypal(pl.col("order_id")))
            .then(pl.lit("ppcp-gateway"))
            .otherwise(pl.col("woo_gateway")),
            payment_method_title=pl.when(woo_paid_with_paypal(pl.col("order_id")))
            .then(pl.lit("PayPal"))
            .otherwise(pl.col("woo_title")),
            transaction_id=pl.when(woo_paid_with_paypal(pl.col("order_id")))
            .then(paypal_transaction_id(pl.col("order_id")))
            .otherwise(pl.format("ch_3W{}", pl.col("order_id"))),
            discount_total=pl.lit("0.00"),
            shipping_total=_money(pl.col("shipping_cents")),
            total=_money(pl.col("total_cents")),
            total_tax=_money(pl.col("tax_cents")),
            customer_id=pl.col("c_id").fill_null(0),  # 0: a guest checkout, as Woo sends it
            customer_note=pl.lit(""),
            billing=pl.struct(
                first_name="c_first",
                last_name="c_last",
                email="c_email",
                phone=pl.col("c_phone").fill_null(""),
                postcode="c_zip",
                country=pl.lit("US"),
            ),
            meta_data=pl.concat_list(
                pl.struct(
                    id=pl.lit(1),
                    key=pl.lit("_wc_order_attribution_utm_source"),
                    value=pl.lit("facebook"),
                )
            ),
            line_items="line_items",
            refunds=pl.when(change == "refunded")
            .then(pl.concat_list(refund))
            .otherwise(pl.concat_list(refund).list.head(0)),
        )
    )


# --- Amazon ----------------------------------------------------------------------------


def _amazon_orders(orders: pl.DataFrame, version: int) -> pl.DataFrame:
    v2 = version == 2
    change = pl.col("change") if v2 else pl.lit(None, pl.String)
    unpriced = pl.col("pending") & ~pl.lit(v2)
    status = (
        pl.when(unpriced)
        .then(pl.lit("Pending"))
        .when(change == "cancelled")
        .then(pl.lit("Canceled"))
        .when(change == "completed")
        .then(pl.lit("Shipped"))
        .otherwise(pl.lit("Unshipped"))
    )
    stamp = "%Y-%m-%dT%H:%M:%SZ"
    return orders.sort("o").select(
        AmazonOrderId="order_id",
        PurchaseDate=pl.col("created_at").dt.strftime(stamp),
        LastUpdateDate=(pl.col("v2_at") if v2 else pl.col("v1_at")).dt.strftime(stamp),
        OrderStatus=status,
        FulfillmentChannel=pl.when(pl.col("draw") < 0.5)
        .then(pl.lit("AFN"))
        .otherwise(pl.lit("MFN")),
        SalesChannel=pl.lit("Amazon.com"),
        OrderTotal=pl.when(~unpriced).then(
            pl.struct(CurrencyCode=pl.lit("USD"), Amount=_money(pl.col("total_cents")))
        ),
        MarketplaceId=pl.lit("ATVPDKIKX0DER"),
        IsPrime=pl.lit("false"),
        IsBusinessOrder=pl.lit("false"),
        # seller-fulfilled orders come with the buyer (Restricted Data Token); FBA ones not
        BuyerInfo=pl.when(pl.col("c_email").is_not_null()).then(
            pl.struct(BuyerEmail="c_email", BuyerName="c_name")
        ),
        ShippingAddress=pl.struct(PostalCode="c_zip", CountryCode=pl.lit("US"), Phone="c_phone"),
    )


def _amazon_items(orders: pl.DataFrame, lines: pl.DataFrame, version: int) -> pl.DataFrame:
    """One row per order: the getOrderItems document as JSON text."""
    unpriced = pl.col("pending") & pl.lit(version == 1)

    def money(cents: pl.Expr) -> pl.Expr:
        return pl.when(~unpriced).then(pl.struct(CurrencyCode=pl.lit("USD"), Amount=_money(cents)))

    ship_share = pl.when(pl.col("line_number") == 1).then(pl.col("shipping_cents")).otherwise(0)
    return (
        lines.join(orders.select("o", "order_id", "pending", "shipping_cents"), on="o")
        .sort("o", "line_number")
        .group_by("o", "order_id", maintain_order=True)
        .agg(
            OrderItems=pl.struct(
                ASIN=pl.format("B0{}", pl.col("sku").str.replace_all("[^0-9A-Z]", "")),
                SellerSKU="sku",
                OrderItemId=pl.format("0{}{}", pl.col("o") + 10_000_000, pl.col("line_number")),
                Title="item_name",
                QuantityOrdered="quantity",
                ItemPrice=money(pl.col("gross_cents")),
                ItemTax=money(pl.col("tax_cents")),
                ShippingPrice=money(ship_share),
                PromotionDiscount=money(pl.lit(0)),
                IsGift=pl.lit("false"),
            )
        )
        .select(
            "order_id",
            doc=pl.struct(
                payload=pl.struct(AmazonOrderId="order_id", OrderItems="OrderItems")
            ).struct.json_encode(),
        )
    )


# --- the writer ------------------------------------------------------------------------


class ApiWorldWriter:
    """Writes the API sources day by day (call ``write_day`` for each day, in order)."""

    def __init__(
        self,
        *,
        landing: Path,
        seed: int,
        start: datetime.date,
        days: int,
        orders_per_day: np.ndarray,
        catalog: Catalog,
        people: People,
        cards: Cards | None = None,
    ) -> None:
        self.landing = landing
        self.seed = seed
        self.start = start
        self.days = days
        self.catalog = catalog
        self.per_day = orders_per_day  # API orders per day (all sources)
        self.seq = dict.fromkeys(SHARES, 0)
        self.stats = ApiWorldStats(orders=dict.fromkeys(SHARES, 0))
        self.truth: list[pl.DataFrame] = []
        self.people = people
        self.cards = cards if cards is not None else build_cards(seed, len(people))
        self.contacts: Contacts = build_contacts(seed, people)
        self.accounts = {s: self._accounts(s) for s in ("shopify", "woocommerce")}
        self.identities: list[pl.DataFrame] = []
        self.payments: list[pl.DataFrame] = []
        self.shipments: list[pl.DataFrame] = []
        self.fulfilled: list[pl.DataFrame] = []

    def _accounts(self, source: str) -> pl.DataFrame:
        """Per person, the customer account ``source`` keeps (id + profile)."""
        n = len(self.people)
        key = list(SHARES).index(source)
        rng = seeds.rng_for(self.seed, seeds.WEB_CUSTOMERS, key, 0)
        base = 700_000 if source == "shopify" else 1
        ids = rng.permutation(n).astype(np.int64) + base
        prof = profiles(rng, self.people, self.contacts, np.arange(n), source)
        return prof.with_columns(c_id=pl.Series(ids))

    def _buyers(self, source: str, d: int, n: int) -> pl.DataFrame:
        """Who placed each of the day's ``n`` orders, as the page will show them."""
        key = list(SHARES).index(source)
        rng = seeds.rng_for(self.seed, seeds.WEB_CUSTOMERS, key, d + 1)
        person = rng.integers(0, len(self.people), size=n)
        guest = rng.random(n) < GUEST_SHARE[source]
        if source == "amazon":
            fba = rng.random(n) < 0.5
            prof = profiles(rng, self.people, self.contacts, person, source)
            # the buyer's relay address: one per buyer for this seller, on every order
            relay = self.contacts.frame.get_column("relay").gather(person)
            return prof.with_columns(
                c_id=pl.lit(None, pl.Int64),
                email=pl.when(~pl.Series(fba)).then(relay),
                name=pl.when(~pl.Series(fba)).then("name"),
                # ShippingAddress.Phone: suppressed on Amazon-fulfilled orders
                phone=pl.when(~pl.Series(fba)).then("phone"),
                zip=pl.col("zip"),
            )
        walk_in = profiles(rng, self.people, self.contacts, person, source).with_columns(
            c_id=pl.lit(None, pl.Int64)
        )
        account = self.accounts[source][person]
        o = pl.Series("_o", np.arange(n))
        pick = pl.Series(np.concatenate([~guest, guest]))
        return (
            pl.concat([account.with_columns(o), walk_in.select(account.columns).with_columns(o)])
            .filter(pick)
            .sort("_o")
            .drop("_o")
        )

    def with_buyers(self, source: str, d: int, orders: pl.DataFrame) -> pl.DataFrame:
        """Day ``d``'s order plan of ``source`` with its buyers (``c_*``) and, for Shopify
        and WooCommerce, the paying cards: what the pages are written from."""
        buyers = self._buyers(source, d, orders.height)
        orders = orders.hstack(
            buyers.select(
                c_person="person",
                c_id="c_id",
                c_name="name",
                c_first="first_name",
                c_last="last_name",
                c_email="email",
                c_phone="phone",
                c_zip="zip",
            )
        )
        if source == "shopify":
            orders = orders.hstack(self.shopify_card_payments(d, orders["c_person"]))
        if source == "woocommerce":
            orders = orders.hstack(
                self.woo_card_payments(d, orders["c_person"], orders["order_id"])
            )
        return orders

    def write_day(self, d: int) -> None:
        """Plan and write one day's orders for every API source."""
        day = self.start + datetime.timedelta(days=d)
        last = self.start + datetime.timedelta(days=self.days - 1)
        counts = split_orders(int(self.per_day[d]))
        for source, n in counts.items():
            orders, lines = _plan(
                self.seed, source, d, n, self.seq[source], day, last, self.catalog
            )
            self.seq[source] += n
            if not n:
                continue
            orders = orders.with_columns(order_id=self._ids(source, orders))
            orders = self.with_buyers(source, d, orders)
            self.identities.append(self._identity_rows(source, orders))
            self.stats.orders[source] += n
            folder = self.landing / source
            folder.mkdir(parents=True, exist_ok=True)
            changed = orders.filter(pl.col("change").is_not_null())
            for version, frame, stem in ((1, orders, "orders"), (2, changed, "updates")):
                self._write_source(
                    source, folder, frame, lines, version, f"{stem}-{day.isoformat()}"
                )
            self.truth.append(self._truth(source, orders, lines))
            if source == "shopify":
                self.fulfilled.append(self._shopify_stock(orders, lines))
            if source == "amazon":  # settled by Amazon when shipped (no payments on the page)
                self.shipments.append(self._amazon_shipments(orders, lines))
            else:
                self.payments.append(self._payment_rows(source, orders))

    def shopify_card_payments(self, d: int, person: pl.Series) -> pl.DataFrame:
        """How each of the day's Shopify orders (placed by ``person``) was paid.

        ``card_brand`` / ``card_last4`` as the order's ``CardPaymentDetails`` show them:
        one of the buyer's cards (``Cards.pick``: mostly their main card, so repeat
        orders mostly show the same card), for a phone-wallet payment the brand and the
        device account's last four; both null for a payment without card details.
        """
        rng = seeds.rng_for(self.seed, seeds.WEB_SHOPIFY_CARDS, d)
        who = person.to_numpy()
        n = len(who)
        card = rng.random(n) < SHOPIFY_CARD_SHARE
        wallet = rng.random(n) < SHOPIFY_WALLET_SHARE
        slot = self.cards.pick(rng, who)
        brand, last4 = self.cards.shown(who, slot, wallet)
        card_brand, card_last4 = as_text(np.where(card, brand, -1), last4, SHOPIFY_BRANDS)
        return pl.DataFrame(
            {"card_brand": card_brand, "card_last4": card_last4, "card_wallet": card & wallet}
        )

    def woo_card_payments(self, d: int, person: pl.Series, order_id: pl.Series) -> pl.DataFrame:
        """How each of the day's WooCommerce orders (placed by ``person``) was paid.

        An order paid with PayPal (``woo_paid_with_paypal``) shows no card (all null);
        every other one is paid by one of the buyer's cards (``Cards.pick``) at the
        Stripe card gateway, or - 15 % - through a phone wallet (Apple Pay 60 %, else
        Google Pay), which shows the device account number (``Cards.shown``).
        ``woo_gateway`` / ``woo_title`` are the order's ``payment_method`` /
        ``payment_method_title`` as the plugin's default display formats write them:
        ``type_ending_in`` (``{brand} ending in {last4}``) for cards and Apple Pay,
        ``gpay_name`` (``{brand} {last4} (Google Pay)``) for Google Pay. The draws are
        made for every order (PayPal ones too), so a day's numbers depend only on it.
        """
        rng = seeds.rng_for(self.seed, seeds.WEB_WOO_CARDS, d)
        who = person.to_numpy()
        n = len(who)
        wallet = rng.random(n) < WOO_WALLET_SHARE
        apple = rng.random(n) < WOO_APPLE_PAY_SHARE
        slot = self.cards.pick(rng, who)
        brand, last4 = self.cards.shown(who, slot, wallet)
        paypal = (
            pl.DataFrame({"order_id": order_id})
            .select(woo_paid_with_paypal(pl.col("order_id")))
            .to_series()
            .to_numpy()
        )
        card_brand, card_last4 = as_text(np.where(paypal, -1, brand), last4, WOO_STRIPE_BRANDS)
        paid = pl.DataFrame(
            {
                "card_brand": card_brand,
                "card_last4": card_last4,
                "card_wallet": ~paypal & wallet,
                "_apple": apple,
            }
        )
        card = pl.col("card_brand").is_not_null()
        google = pl.col("card_wallet") & ~pl.col("_apple")
        return paid.select(
            "card_brand",
            "card_last4",
            "card_wallet",
            woo_gateway=pl.when(~card)
            .then(None)
            .when(google)
            .then(pl.lit(WOO_GOOGLE_PAY_GATEWAY))
            .when(pl.col("card_wallet"))
            .then(pl.lit(WOO_APPLE_PAY_GATEWAY))
            .otherwise(pl.lit(WOO_CARD_GATEWAY)),
            woo_title=pl.when(google)
            .then(pl.format("{} {} (Google Pay)", "card_brand", "card_last4"))
            .otherwise(pl.format("{} ending in {}", "card_brand", "card_last4")),
        )

    def _ids(self, source: str, orders: pl.DataFrame) -> pl.Expr:
        if source == "shopify":
            return pl.col("seq") + SHOPIFY_ID_BASE
        if source == "woocommerce":
            return pl.col("seq") + 10_000
        return pl.format(
            "11{}-{}-{}",
            (pl.col("seq") % 10).cast(pl.String),
            (pl.col("seq") + 1_000_000).cast(pl.String).str.zfill(7),
            (pl.col("seq") * 7919 % 10_000_000).cast(pl.String).str.zfill(7),
        )

    def _write_source(
        self,
        source: str,
        folder: Path,
        orders: pl.DataFrame,
        lines: pl.DataFrame,
        version: int,
        stem: str,
    ) -> None:
        pages = _pages(orders)
        for n, page in enumerate(pages, start=1):
            path = folder / f"{stem}-p{n:04d}.json"
            has_next = n < len(pages)
            if source == "shopify":
                payload = _shopify_page(_shopify_nodes(page, lines, version), has_next)
            elif source == "woocommerce":
                payload = _woo_orders(page, lines, version).write_json().encode()
            else:
                body = _amazon_orders(page, version).write_json().encode()
                token = b',"NextToken":"' + f"{stem}-{n + 1}".encode() + b'"' if has_next else b""
                payload = b'{"payload":{"Orders":' + body + token + b"}}"
                items = _amazon_items(page, lines, version)
                for order_id, doc in items.iter_rows():  # one document per order, as the API
                    item_path = folder / f"items-{order_id}-v{version}.json"
                    _write(item_path, doc.encode())
                    self.stats.files.append(f"{source}/{item_path.name}")
            _write(path, payload)
            self.stats.files.append(f"{source}/{path.name}")

    def _truth(self, source: str, orders: pl.DataFrame, lines: pl.DataFrame) -> pl.DataFrame:
        units = lines.group_by("o").agg(units=pl.col("quantity").sum(), lines=pl.len())
        return orders.join(units, on="o").select(
            order_id=pl.format("{}:{}", pl.lit(source), pl.col("order_id")),
            source=pl.lit(source),
            ordered_at=pl.col("created_at"),
            status=pl.when(pl.col("pending") & pl.col("change").is_null())
            .then(pl.lit("held:awaiting_prices"))
            .when(pl.col("change") == "cancelled")
            .then(pl.lit("cancelled"))
            .when(pl.col("change") == "completed")
            .then(pl.lit("completed"))
            .when((pl.col("change") == "refunded") & pl.lit(source == "woocommerce"))
            .then(pl.lit("completed"))
            .otherwise(pl.lit("open")),
            units="units",
            lines=pl.col("lines").cast(pl.Int64),
            total=_money(pl.col("total_cents")),
            refunded=pl.when(pl.col("change") == "refunded")
            .then(_money(pl.col("refund_cents") + pl.col("refund_tax_cents")))
            .otherwise(pl.lit("0.00")),
            # the card the order's payment shows (Shopify, WooCommerce; null: no card)
            **{
                c: pl.col(c) if c in orders.columns else pl.lit(None, dtype)
                for c, dtype in (
                    ("card_brand", pl.String),
                    ("card_last4", pl.String),
                    ("card_wallet", pl.Boolean),
                )
            },
        )

    def _payment_rows(self, source: str, orders: pl.DataFrame) -> pl.DataFrame:
        """The money the pages show moving: each order's charge and, if refunded, refund.

        Shopify charges go through Shopify Payments, which settles by order name;
        WooCommerce ones through Stripe (charge ``ch_…``, refund ``re_…``, the order
        number in the charge metadata) or, for the checkouts paid with PayPal
        (``woo_paid_with_paypal``), through PayPal (17-character transaction ids, the
        order number as invoice id). ``processor_ref`` is what the settlement carries.
        """
        last = self.start + datetime.timedelta(days=self.days - 1)
        shopify = source == "shopify"
        ref = pl.format("#{}", pl.col("seq") + 1001) if shopify else pl.format("{}", "order_id")
        paypal = pl.lit(False) if shopify else woo_paid_with_paypal(pl.col("order_id"))
        processor = (
            pl.lit("shopify_payments")
            if shopify
            else pl.when(paypal).then(pl.lit("paypal")).otherwise(pl.lit("stripe"))
        )
        charge = orders.select(
            processor=processor,
            order_ref=ref,
            processor_ref=ref
            if shopify
            else pl.when(paypal)
            .then(paypal_transaction_id(pl.col("order_id")))
            .otherwise(pl.format("ch_3W{}", "order_id")),
            kind=pl.lit("charge"),
            cents="total_cents",
            date=pl.col("created_at").dt.date(),
        )
        refunded = orders.filter(
            (pl.col("change") == "refunded") & (pl.col("v2_at").dt.date() <= last)
        )
        refund = refunded.select(
            processor=processor,
            order_ref=ref,
            processor_ref=ref
            if shopify
            else pl.when(paypal)
            .then(paypal_transaction_id(pl.col("order_id"), refund=True))
            .otherwise(pl.format("re_3W{}", "order_id")),
            kind=pl.lit("refund"),
            cents=pl.col("refund_cents") + pl.col("refund_tax_cents"),
            date=pl.col("v2_at").dt.date(),
        )
        return pl.concat([charge, refund])

    def _amazon_shipments(self, orders: pl.DataFrame, lines: pl.DataFrame) -> pl.DataFrame:
        """The lines of the Amazon orders shipped within the world (what Amazon settles).

        Amazon pays an order when it ships (``Shipped`` on the page; FBA orders, as every
        shipped one here is, have ``AFN``); the line's share of shipping rides on line 1.
        """
        last = self.start + datetime.timedelta(days=self.days - 1)
        shipped = orders.filter(
            (pl.col("change") == "completed") & (pl.col("v2_at").dt.date() <= last)
        ).select(
            "o",
            "order_id",
            "shipping_cents",
            shipped_on=pl.col("v2_at").dt.date(),
            fba=pl.col("draw") < 0.5,
        )
        return (
            lines.join(shipped, on="o")
            .sort("o", "line_number")
            .select(
                order_ref="order_id",
                line_number=pl.col("line_number").cast(pl.Int64),
                sku="sku",
                quantity="quantity",
                gross_cents="gross_cents",
                tax_cents="tax_cents",
                ship_cents=pl.when(pl.col("line_number") == 1)
                .then(pl.col("shipping_cents"))
                .otherwise(0),
                fba="fba",
                shipped_on="shipped_on",
            )
        )

    @staticmethod
    def _shopify_stock(orders: pl.DataFrame, lines: pl.DataFrame) -> pl.DataFrame:
        """Stock events of the fulfilled Shopify orders (``oms_hub.world.inventory``)."""
        from oms_hub.world.inventory import SALE

        done = orders.filter(pl.col("change") == "completed").select(
            "o", loc=ship_from(pl.col("seq")), at=pl.col("v2_at").dt.epoch("us")
        )
        return lines.join(done, on="o").select(
            "loc",
            sku=(pl.col("sku").str.slice(4).cast(pl.Int32) - 1),
            at="at",
            delta=-pl.col("quantity").cast(pl.Int64),
            kind=pl.lit(SALE, pl.Int8),
        )

    def shopify_fulfillments(self) -> pl.DataFrame:
        """Stock events (``loc, sku, at, delta, kind``) of every shipped Shopify order."""
        schema = {
            "loc": pl.Int32,
            "sku": pl.Int32,
            "at": pl.Int64,
            "delta": pl.Int64,
            "kind": pl.Int8,
        }
        return _collected(self.fulfilled, schema)

    def amazon_shipments(self) -> pl.DataFrame:
        """Every shipped Amazon order line of the world (see ``_amazon_shipments``)."""
        schema = {
            "order_ref": pl.String,
            "line_number": pl.Int64,
            "sku": pl.String,
            "quantity": pl.Int64,
            "gross_cents": pl.Int64,
            "tax_cents": pl.Int64,
            "ship_cents": pl.Int64,
            "fba": pl.Boolean,
            "shipped_on": pl.Date,
        }
        return _collected(self.shipments, schema)

    def payment_frame(self) -> pl.DataFrame:
        """Every web payment and refund the pages show (see ``_payment_rows``)."""
        schema = {
            "processor": pl.String,
            "order_ref": pl.String,
            "processor_ref": pl.String,
            "kind": pl.String,
            "cents": pl.Int64,
            "date": pl.Date,
        }
        return _collected(self.payments, schema)

    @staticmethod
    def _identity_rows(source: str, orders: pl.DataFrame) -> pl.DataFrame:
        """The source identities of the day's orders (accounts, guests; not anonymous)."""
        known = orders.filter(pl.col("c_email").is_not_null() | pl.col("c_name").is_not_null())
        return known.select(
            source=pl.lit(source),
            source_customer_id=pl.coalesce(
                pl.col("c_id").cast(pl.String), pl.format("order:{}", pl.col("order_id"))
            ),
            person_id=People.person_ids(known["c_person"].to_numpy()),
            name_variant="c_name",
        )

    def identity_truth(self) -> pl.DataFrame:
        """Every web/marketplace source identity and its person (one row per identity)."""
        if not self.identities:
            return pl.DataFrame(
                schema=dict.fromkeys(
                    ("source", "source_customer_id", "person_id", "name_variant"), pl.String
                )
            )
        return pl.concat(self.identities).unique(
            ["source", "source_customer_id"], keep="last", maintain_order=True
        )

    def truth_frame(self) -> pl.DataFrame:
        """``truth/api_orders.csv``: every API order's latest state."""
        if not self.truth:
            return pl.DataFrame(schema={"order_id": pl.String, "source": pl.String})
        return pl.concat(self.truth).sort("order_id")


def _collected(frames: list[pl.DataFrame], schema: dict[str, pl.DataType]) -> pl.DataFrame:
    """The frames a writer collected day by day, as one frame of ``schema`` (empty if none)."""
    if not frames:
        return pl.DataFrame(schema=schema)
    return pl.concat(frames).cast(schema)  # type: ignore[arg-type]
