"""The columnar path for clean Shopify GraphQL pages: polars reads and maps a whole page.

``parse_shopify_orders`` tries this first. polars decodes the page against the fixed
shape of our ``orders`` query (a value of the wrong type fails the whole decode) and
every field is mapped with expressions, not per order. If anything is unusual - a
decode error, a missing id or amount, a malformed time or amount, a key repeated in
the page, a card-number candidate, a URL-encoded UTM value, ``nodes`` instead of
``edges`` - it returns ``None`` and the page goes through the record-by-record path,
which rejects exactly the bad records with their reasons. Both paths produce the same
staged rows (``tests/connectors/test_api_order_parsers.py`` checks it on world pages).
"""

from __future__ import annotations

import io

import polars as pl

from oms_hub.connectors.common.json_orders import (
    LAST4_RE,
    PAYMENT_KINDS,
    STAGED_SCHEMA,
    with_unit_prices,
)
from oms_hub.quality.card_numbers import CANDIDATE, card_number_mask
from oms_hub.quality.contracts import MONEY_DTYPE

_MONEY = pl.Struct({"shopMoney": pl.Struct({"amount": pl.String, "currencyCode": pl.String})})
_LINE = pl.Struct(
    {
        "id": pl.String,
        "sku": pl.String,
        "name": pl.String,
        "quantity": pl.Int64,
        "originalTotalSet": _MONEY,
        "totalDiscountSet": _MONEY,
        "taxLines": pl.List(pl.Struct({"priceSet": _MONEY})),
    }
)
_REFUND_LINE = pl.Struct(
    {
        "id": pl.String,
        "quantity": pl.Int64,
        "restockType": pl.String,
        "lineItem": pl.Struct({"id": pl.String, "sku": pl.String}),
        "subtotalSet": _MONEY,
        "totalTaxSet": _MONEY,
    }
)
_FULFILLED = pl.Struct({"quantity": pl.Int64, "lineItem": pl.Struct({"sku": pl.String})})
_NODE = pl.Struct(
    {
        "id": pl.String,
        "name": pl.String,
        "createdAt": pl.String,
        "updatedAt": pl.String,
        "cancelledAt": pl.String,
        "closedAt": pl.String,
        "sourceName": pl.String,
        "note": pl.String,
        "displayFulfillmentStatus": pl.String,
        "currencyCode": pl.String,
        "email": pl.String,
        "phone": pl.String,
        "customer": pl.Struct(
            {
                "id": pl.String,
                "firstName": pl.String,
                "lastName": pl.String,
                "email": pl.String,
                "phone": pl.String,
            }
        ),
        "shippingAddress": pl.Struct(
            {
                "firstName": pl.String,
                "lastName": pl.String,
                "zip": pl.String,
                "countryCodeV2": pl.String,
            }
        ),
        "billingAddress": pl.Struct({"firstName": pl.String, "lastName": pl.String}),
        "customerJourneySummary": pl.Struct({"firstVisit": pl.Struct({"landingPage": pl.String})}),
        "totalPriceSet": _MONEY,
        "totalTaxSet": _MONEY,
        "totalDiscountsSet": _MONEY,
        "totalShippingPriceSet": _MONEY,
        "totalRefundedSet": _MONEY,
        "lineItems": pl.Struct({"edges": pl.List(pl.Struct({"node": _LINE}))}),
        "refunds": pl.List(
            pl.Struct(
                {
                    "id": pl.String,
                    "createdAt": pl.String,
                    "refundLineItems": pl.Struct(
                        {"edges": pl.List(pl.Struct({"node": _REFUND_LINE}))}
                    ),
                }
            )
        ),
        "fulfillments": pl.List(
            pl.Struct(
                {
                    "id": pl.String,
                    "createdAt": pl.String,
                    "status": pl.String,
                    "location": pl.Struct({"id": pl.String, "name": pl.String}),
                    "fulfillmentLineItems": pl.Struct(
                        {"edges": pl.List(pl.Struct({"node": _FULFILLED}))}
                    ),
                }
            )
        ),
        "transactions": pl.List(
            pl.Struct(
                {
                    "id": pl.String,
                    "kind": pl.String,
                    "status": pl.String,
                    "gateway": pl.String,
                    "processedAt": pl.String,
                    "createdAt": pl.String,
                    "authorizationCode": pl.String,
                    "amountSet": _MONEY,
                    # ``... on CardPaymentDetails { company number }``; another kind of
                    # payment details (PayPal wallet, Shop Pay Installments) is ``{}``
                    "paymentDetails": pl.Struct({"company": pl.String, "number": pl.String}),
                }
            )
        ),
    }
)
PAGE = pl.Schema(
    {"data": pl.Struct({"orders": pl.Struct({"edges": pl.List(pl.Struct({"node": _NODE}))})})}
)
_MONEY_RE = r"^-?\d{1,15}(\.\d{1,2})?$"
_TIME_FMT = "%Y-%m-%dT%H:%M:%S%.f%#z"


class _Unusual(Exception):
    """The page needs the record-by-record path."""


def _text(e: pl.Expr) -> pl.Expr:
    return pl.when(e == "").then(None).otherwise(e)


def _gid(e: pl.Expr) -> pl.Expr:
    return e.str.replace(r"^gid://.*/", "")


def _amount(bag: pl.Expr) -> pl.Expr:
    return bag.struct.field("shopMoney").struct.field("amount")


def _time(e: pl.Expr) -> pl.Expr:
    return e.str.to_datetime(_TIME_FMT, strict=False, time_zone="UTC", time_unit="us")


def _offset(e: pl.Expr) -> pl.Expr:
    tail = e.str.extract(r"([+-]\d{2}:\d{2}|Z)$")
    return pl.when(tail == "Z").then(pl.lit("+00:00")).otherwise(tail)


class _Checks:
    """Collects 'is this column clean' conditions; any failure means the slow path."""

    def __init__(self, frame: pl.DataFrame) -> None:
        self.frame = frame

    def require(self, *conditions: pl.Expr, texts: tuple[pl.Expr, ...] = ()) -> None:
        ok = self.frame.select(pl.all_horizontal(*conditions).all()).item()
        if not ok:
            raise _Unusual
        # Card numbers: a cheap digit-run screen first; the Luhn check only if it hits.
        if (
            texts
            and self.frame.select(
                pl.any_horizontal(t.str.contains(CANDIDATE).fill_null(False) for t in texts).any()
            ).item()
        ):
            clean = self.frame.select(
                pl.all_horizontal(~card_number_mask(t).fill_null(False) for t in texts).all()
            ).item()
            if not clean:
                raise _Unusual


def _money_ok(text: pl.Expr, *, required: bool) -> pl.Expr:
    ok = text.str.contains(_MONEY_RE)
    return ok.fill_null(not required)


def _money(text: pl.Expr) -> pl.Expr:
    return text.cast(MONEY_DTYPE)


def _lines(nodes: pl.DataFrame) -> pl.DataFrame:
    flat = (
        nodes.select("_o", edges=pl.col("node").struct.field("lineItems").struct.field("edges"))
        .explode("edges")
        .filter(pl.col("edges").is_not_null())
        .select("_o", li=pl.col("edges").struct.field("node"))
    )
    f = pl.col("li").struct.field
    tax = f("taxLines").list.eval(
        pl.element().struct.field("priceSet").struct.field("shopMoney").struct.field("amount")
    )
    flat = flat.with_columns(
        _id=_text(f("id")),
        _gross=_amount(f("originalTotalSet")),
        _disc=_amount(f("totalDiscountSet")),
        _tax=tax,
        quantity=f("quantity"),
        sku=_text(f("sku")),
        item_name=_text(f("name")),
    )
    _Checks(flat).require(
        pl.col("_id").is_not_null(),
        pl.col("quantity").is_not_null(),
        _money_ok(pl.col("_gross"), required=True),
        _money_ok(pl.col("_disc"), required=False),
        pl.col("_tax").list.eval(pl.element().str.contains(_MONEY_RE).fill_null(False)).list.all(),
        pl.col("li").struct.field("taxLines").list.eval(pl.element().is_not_null()).list.all(),
        texts=(
            pl.col("sku"),
            pl.col("item_name"),
        ),
    )
    gross = _money(pl.col("_gross"))
    discount = pl.coalesce(_money(pl.col("_disc")), pl.lit(0).cast(MONEY_DTYPE))
    return flat.with_columns(
        line_number=pl.int_range(1, pl.len() + 1).over("_o").cast(pl.Int32),
        line_id=_gid(pl.col("_id")),
        quantity=pl.col("quantity").cast(pl.Int32),
        unit_price=pl.lit(None, dtype=pl.Decimal(18, 4)),
        gross_amount=gross,
        discount_amount=discount,
        line_total=gross - discount,
        tax_amount=pl.col("_tax").list.eval(pl.element().cast(MONEY_DTYPE)).list.sum(),
    )


def _refunds(nodes: pl.DataFrame) -> pl.DataFrame:
    refunds = (
        nodes.select("_o", rf=pl.col("node").struct.field("refunds"))
        .explode("rf")
        .filter(pl.col("rf").is_not_null())
        .with_columns(
            _rid=_text(pl.col("rf").struct.field("id")),
            _at=pl.col("rf").struct.field("createdAt"),
        )
    )
    _Checks(refunds).require(pl.col("_rid").is_not_null(), _time(pl.col("_at")).is_not_null())
    lines = (
        refunds.with_columns(
            edges=pl.col("rf").struct.field("refundLineItems").struct.field("edges")
        )
        .explode("edges")
        .filter(pl.col("edges").is_not_null())
        .with_columns(rl=pl.col("edges").struct.field("node"))
    )
    f = pl.col("rl").struct.field
    item = f("lineItem").struct.field
    lines = lines.with_columns(
        _item_id=_text(item("id")),
        _rl_id=_text(f("id")),
        _sub=_amount(f("subtotalSet")),
        _tax=_amount(f("totalTaxSet")),
        quantity=f("quantity"),
        sku=_text(item("sku")),
        restock=_text(f("restockType")),
    )
    _Checks(lines).require(
        pl.col("quantity").is_not_null(),
        _money_ok(pl.col("_sub"), required=True),
        _money_ok(pl.col("_tax"), required=False),
        # the record path needs the line item's id whenever the line item is present
        pl.col("rl").struct.field("lineItem").is_null() | pl.col("_item_id").is_not_null(),
        texts=(pl.col("sku"),),
    )
    return lines.select(
        "_o",
        r=pl.struct(
            refund_id=_gid(pl.col("_rid")),
            refund_line_id=_gid(pl.coalesce("_rl_id", "_item_id", pl.lit(""))),
            refunded_at=_time(pl.col("_at")),
            line_id=_gid(pl.col("_item_id")),
            sku="sku",
            quantity=pl.col("quantity").cast(pl.Int32),
            refund_amount=_money(pl.col("_sub")),
            tax_refund=pl.coalesce(_money(pl.col("_tax")), pl.lit(0).cast(MONEY_DTYPE)),
            restock_type=pl.col("restock").str.to_lowercase(),
        ),
    )


def _transactions(nodes: pl.DataFrame) -> pl.DataFrame:
    """One row per transaction (``_o`` the order, ``_t`` its place in the order's list)."""
    return (
        nodes.select("_o", tx=pl.col("node").struct.field("transactions"))
        .explode("tx")
        .with_row_index("_t")
        .filter(pl.col("tx").is_not_null())
    )


def _paying_cards(tx: pl.DataFrame) -> pl.DataFrame:
    """``_o -> card_brand, card_last4``: the first successful sale/capture with card details.

    Same rule as ``orders._paying_card``; a number that holds a card-number candidate
    sent the page to the record path already (``_payments``' checks), so the numbers
    here are masked ones.
    """
    f = pl.col("tx").struct.field
    details = f("paymentDetails").struct.field
    cards = tx.select(
        "_o",
        "_t",
        _kind=_text(f("kind")).str.to_lowercase(),
        _status=_text(f("status")).str.to_lowercase().fill_null("success"),
        card_brand=_text(_text(details("company")).str.strip_chars()),
        card_last4=_text(details("number")).str.extract(LAST4_RE, 1),
    ).filter(
        pl.col("_kind").is_in(["sale", "capture"])
        & (pl.col("_status") == "success")
        & (pl.col("card_brand").is_not_null() | pl.col("card_last4").is_not_null())
    )
    return cards.sort("_t").group_by("_o").agg(pl.col("card_brand", "card_last4").first())


def _payments(tx: pl.DataFrame) -> pl.DataFrame:
    f = pl.col("tx").struct.field
    processed = pl.coalesce(_time(_text(f("processedAt"))), _time(_text(f("createdAt"))))
    tx = tx.with_columns(
        _id=_text(f("id")),
        _amt=_amount(f("amountSet")),
        _at=processed,
        _raw_at=pl.coalesce(_text(f("processedAt")), _text(f("createdAt"))),
        _kind=_text(f("kind")).str.to_lowercase(),
    )
    _Checks(tx).require(
        pl.col("_id").is_not_null(),
        _money_ok(pl.col("_amt"), required=True),
        pl.col("_at").is_not_null(),
        # a processedAt that is present but unreadable is an error on the record path
        _text(f("processedAt")).is_null() | _time(_text(f("processedAt"))).is_not_null(),
        texts=(
            f("gateway"),
            f("authorizationCode"),
            f("status"),
            f("paymentDetails").struct.field("company"),
            f("paymentDetails").struct.field("number"),
        ),
    )
    return tx.select(
        "_o",
        p=pl.struct(
            payment_id=_gid(pl.col("_id")),
            kind=pl.col("_kind").replace_strict(PAYMENT_KINDS, default="other"),
            status=_text(f("status")).str.to_lowercase(),
            processed_at="_at",
            amount=_money(pl.col("_amt")),
            currency=_text(f("amountSet").struct.field("shopMoney").struct.field("currencyCode")),
            gateway=_text(f("gateway")),
            processor_ref=_text(f("authorizationCode")),
        ),
    )


def _shipments(nodes: pl.DataFrame) -> pl.DataFrame:
    """Fulfilled units per fulfillment, with the location they left from."""
    ff = (
        nodes.select("_o", ff=pl.col("node").struct.field("fulfillments"))
        .explode("ff")
        .filter(pl.col("ff").is_not_null())
    )
    g = pl.col("ff").struct.field
    ff = ff.with_columns(_fid=_text(g("id")), _at=_time(g("createdAt")))
    _Checks(ff).require(
        pl.col("_fid").is_not_null(),
        pl.col("_at").is_not_null(),
        texts=(g("location").struct.field("name"), g("status")),
    )
    items = (
        ff.with_columns(edges=g("fulfillmentLineItems").struct.field("edges"))
        .explode("edges")
        .filter(pl.col("edges").is_not_null())
        .with_columns(fl=pl.col("edges").struct.field("node"))
    )
    f = pl.col("fl").struct.field
    items = items.with_columns(quantity=f("quantity"), sku=_text(f("lineItem").struct.field("sku")))
    _Checks(items).require(pl.col("quantity").is_not_null(), texts=(pl.col("sku"),))
    loc = g("location").struct.field
    return items.select(
        "_o",
        s=pl.struct(
            fulfillment_id=_gid(pl.col("_fid")),
            shipped_at="_at",
            status=_text(g("status")).str.to_lowercase(),
            location_ref=_gid(_text(loc("id"))),
            location_name=_text(loc("name")),
            sku="sku",
            quantity=pl.col("quantity").cast(pl.Int32),
        ),
    )


def _grouped(frame: pl.DataFrame, column: str, name: str, n: int) -> pl.Series:
    """Per order ``_o`` in 0..n-1, the list of ``column`` values (empty when none)."""
    agg = frame.group_by("_o").agg(pl.col(column).alias(name))
    return (
        pl.DataFrame({"_o": pl.int_range(0, n, eager=True).cast(pl.UInt32)})
        .join(agg.with_columns(pl.col("_o").cast(pl.UInt32)), on="_o", how="left")
        .sort("_o")
        .get_column(name)
    )


def fast_graphql_page(payload: bytes, *, source: str, landed_file: str) -> pl.DataFrame | None:
    """The staged rows of a clean GraphQL page, or None when it needs the record path."""
    if b'"nodes"' in payload or b'"errors"' in payload:
        return None
    try:
        page = pl.read_json(io.BytesIO(payload), schema=PAGE)
        return _stage(page, source=source, landed_file=landed_file)
    except (_Unusual, pl.exceptions.PolarsError, ValueError, TypeError):
        return None


def _stage(page: pl.DataFrame, *, source: str, landed_file: str) -> pl.DataFrame | None:
    edges = page.select(e=pl.col("data").struct.field("orders").struct.field("edges")).explode("e")
    if edges.height == 0 or edges.get_column("e").null_count():
        return None
    nodes = edges.select(node=pl.col("e").struct.field("node")).with_row_index("_o")
    if nodes.get_column("node").null_count():
        return None
    n = nodes.height
    f = pl.col("node").struct.field
    cust = f("customer").struct.field
    ship = f("shippingAddress").struct.field
    landing = _text(
        f("customerJourneySummary").struct.field("firstVisit").struct.field("landingPage")
    )
    head = nodes.with_columns(
        _id=_text(f("id")),
        _created=f("createdAt"),
        _updated=f("updatedAt"),
        _total=_amount(f("totalPriceSet")),
        _disc=_amount(f("totalDiscountsSet")),
        _tax=_amount(f("totalTaxSet")),
        _ship=_amount(f("totalShippingPriceSet")),
        _refunded=_amount(f("totalRefundedSet")),
        currency=_text(f("currencyCode")),
        _source_name=_text(f("sourceName")),
        _landing=landing,
        _utm_source=landing.str.extract(r"[?&]utm_source=([^&#]+)"),
        _utm_campaign=landing.str.extract(r"[?&]utm_campaign=([^&#]+)"),
        order_number=_text(f("name")),
        note=_text(f("note")),
        # the customer account's name; a guest's (no customer) is the name typed into
        # the shipping address, else the billing address
        customer_name=pl.coalesce(
            *[
                _text(
                    pl.concat_str(
                        [_text(part("firstName")), _text(part("lastName"))],
                        separator=" ",
                        ignore_nulls=True,
                    )
                )
                for part in (cust, ship, f("billingAddress").struct.field)
            ]
        ),
        customer_email=pl.coalesce(_text(f("email")), _text(cust("email"))),
        customer_phone=pl.coalesce(_text(f("phone")), _text(cust("phone"))),
        source_customer_id=_gid(_text(cust("id"))),
        _customer_present=f("customer").is_not_null(),
        ship_postal_code=_text(ship("zip")),
        ship_country=_text(ship("countryCodeV2")),
    )
    _Checks(head).require(
        pl.col("_id").is_not_null(),
        pl.col("currency").is_not_null(),
        _time(pl.col("_created")).is_not_null(),
        _time(pl.col("_updated")).is_not_null(),
        _money_ok(pl.col("_total"), required=True),
        *[_money_ok(pl.col(c), required=False) for c in ("_disc", "_tax", "_ship", "_refunded")],
        ~pl.col("_customer_present") | pl.col("source_customer_id").is_not_null(),
        ~pl.concat_str([pl.col("_utm_source"), pl.col("_utm_campaign")], ignore_nulls=True)
        .str.contains(r"[%+]")
        .fill_null(False),
        texts=(
            pl.col("order_number"),
            pl.col("note"),
            pl.col("customer_name"),
            pl.col("customer_email"),
            pl.col("customer_phone"),
            pl.col("ship_postal_code"),
            pl.col("ship_country"),
            pl.col("_source_name"),
            pl.col("_landing"),
            pl.col("currency"),
            f("displayFulfillmentStatus"),
        ),
    )
    if head.get_column("_id").n_unique() < n:
        return None
    lines = _lines(nodes)
    refunds = _refunds(nodes)
    transactions = _transactions(nodes)
    payments = _payments(transactions)
    cards = _paying_cards(transactions)
    line_structs = lines.select(
        "_o",
        l=pl.struct(
            "line_number",
            "line_id",
            "sku",
            "item_name",
            "quantity",
            "unit_price",
            "gross_amount",
            "discount_amount",
            "line_total",
            "tax_amount",
        ),
    )
    gross = lines.group_by("_o").agg(g=pl.col("gross_amount").sum())
    zero = pl.lit(0).cast(MONEY_DTYPE)
    lower_name = pl.col("_source_name").str.to_lowercase().fill_null("")
    utm = pl.when(pl.col("_utm_source").is_not_null()).then(
        pl.format("utm:{}", pl.col("_utm_source"))
        + pl.when(pl.col("_utm_campaign").is_not_null())
        .then(pl.format("/{}", pl.col("_utm_campaign")))
        .otherwise(pl.lit(""))
    )
    staged = (
        head.join(gross, on="_o", how="left")
        .join(cards, on="_o", how="left")
        .sort("_o")
        .select(
            source=pl.lit(source),
            landed_file=pl.lit(landed_file),
            locator=pl.format("order {}", pl.col("_o") + 1),
            version_key=_gid(pl.col("_id")),
            version_at=_time(pl.col("_updated")),
            document=pl.lit("order"),
            source_order_id=_gid(pl.col("_id")),
            order_number="order_number",
            channel=pl.when(lower_name.str.contains("draft") | lower_name.str.contains("phone"))
            .then(pl.lit("phone"))
            .otherwise(pl.lit("web")),
            status=pl.when(f("cancelledAt").is_not_null())
            .then(pl.lit("cancelled"))
            .when(
                f("closedAt").is_not_null()
                | (f("displayFulfillmentStatus").str.to_lowercase() == "fulfilled")
            )
            .then(pl.lit("completed"))
            .otherwise(pl.lit("open")),
            source_code=pl.coalesce(utm, pl.format("shopify:{}", pl.col("_source_name"))),
            ordered_at=_time(pl.col("_created")),
            ordered_at_offset=_offset(pl.col("_created")),
            currency="currency",
            gross_amount=pl.col("g").fill_null(zero),
            discount_amount=pl.coalesce(_money(pl.col("_disc")), zero),
            tax_amount=pl.coalesce(_money(pl.col("_tax")), zero),
            shipping_amount=pl.coalesce(_money(pl.col("_ship")), zero),
            total=_money(pl.col("_total")),
            refunded_amount=pl.coalesce(_money(pl.col("_refunded")), zero),
            priced=pl.lit(True),
            source_customer_id="source_customer_id",
            customer_name=_text(pl.col("customer_name")),
            customer_email="customer_email",
            customer_phone="customer_phone",
            ship_postal_code="ship_postal_code",
            ship_country="ship_country",
            fulfilled_by=pl.lit("merchant"),
            note="note",
            card_brand="card_brand",
            card_last4="card_last4",
            has_card_number=pl.lit(False),
        )
        .with_columns(
            lines=_grouped(line_structs, "l", "lines", n),
            refunds=_grouped(refunds, "r", "refunds", n),
            payments=_grouped(payments, "p", "payments", n),
            shipments=_grouped(_shipments(nodes), "s", "shipments", n),
        )
    )
    shaped = staged.cast(STAGED_SCHEMA).select(STAGED_SCHEMA.names())
    return with_unit_prices(
        shaped.with_columns(
            pl.col(c).fill_null(pl.lit([], dtype=STAGED_SCHEMA[c]))
            for c in ("lines", "refunds", "payments", "shipments")
        )
    )
