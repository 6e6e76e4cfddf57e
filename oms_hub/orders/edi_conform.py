"""Conform staged EDI purchase orders (X12 850, EDIFACT ORDERS) into core order frames.

Pure: the winning staged documents of a day, the catalog and the trading partners in,
core.orders / core.order_lines plus conform-stage quarantine out. Item identifiers are
resolved set-wise (explode lines, explode ids, join on SKU / GTIN / buyer part number,
keep each line's best-ranked match by the partner's qualifier order). A purchase order
is accepted whole or not at all: a partner that is not configured, a line whose item
cannot be resolved or whose quantity is not a whole number rejects the order, and the
quarantine row lists the identifiers that failed.

Money: line gross = quantity x unit price (rounded to the cent, as stated by the
partner's own line amount rule); line allowances (SAC A on the line) are the line
discount; header allowances add to the order discount, charges (SAC C) to
``charge_amount``; total = gross - discounts + charges. Tax is not on a PO: 0.
"""

from __future__ import annotations

import polars as pl

from oms_hub.connectors.common.result import quarantine_rows
from oms_hub.connectors.edi.partners import BUYER_PART, GTIN, OUR_SKU, Partners
from oms_hub.orders.pos_conform import ConformedOrders
from oms_hub.quality.contracts import MONEY_DTYPE, UNIT_PRICE_DTYPE, contract

CHANNEL = "edi"
ORDER_DOCUMENTS = ("850", "ORDERS")


def _digits(expr: pl.Expr) -> pl.Expr:
    """A GTIN compared by value: GTIN-12/13/14 of the same item differ by leading zeros."""
    return expr.str.strip_chars().str.strip_chars_start("0")


def resolve_items(items: pl.DataFrame, products: pl.DataFrame, partners: Partners) -> pl.DataFrame:
    """Resolve ``items`` (key columns + ``partner_id`` + ``item_ids``) to ``sku``.

    Returns the input with ``sku`` (null when nothing matched) and ``item_identifiers``
    (the identifiers as sent, for the quarantine message).
    """
    keyed = items.with_row_index("_item")
    ids = (
        keyed.select("_item", "partner_id", "item_ids")
        .explode("item_ids")
        .unnest("item_ids")
        .filter(pl.col("value").is_not_null())
        .join(partners.qualifier_ranks(), on=["partner_id", "qualifier"], how="inner")
    )
    by_sku = ids.filter(pl.col("qualifier").is_in(list(OUR_SKU))).join(
        products.select(value="sku", sku="sku"), on="value"
    )
    upc = products.filter(pl.col("upc").is_not_null()).select(
        _gtin=_digits(pl.col("upc")), sku="sku"
    )
    by_gtin = (
        ids.filter(pl.col("qualifier").is_in(list(GTIN)))
        .with_columns(_gtin=_digits(pl.col("value")))
        .join(upc, on="_gtin")
        .drop("_gtin")
    )
    by_part = ids.filter(pl.col("qualifier").is_in(list(BUYER_PART))).join(
        partners.buyer_parts(), on=["partner_id", "value"]
    )
    best = (
        pl.concat([by_sku, by_gtin, by_part], how="diagonal_relaxed")
        .sort("_item", "rank")
        .unique("_item", keep="first")
        .select("_item", "sku")
    )
    shown = (
        keyed.select("_item", "item_ids")
        .explode("item_ids")
        .unnest("item_ids")
        .group_by("_item")
        .agg(
            item_identifiers=pl.format("{} {}", pl.col("qualifier"), pl.col("value"))
            .drop_nulls()
            .str.join(", ")
        )
    )
    return (
        keyed.join(best, on="_item", how="left")
        .join(shown, on="_item", how="left")
        .sort("_item")
        .drop("_item")
    )


def _quarantine(rejected: pl.DataFrame) -> pl.DataFrame:
    parts = [
        quarantine_rows(group, source="edi", landed_file=landed_file, stage="conform")
        for (landed_file,), group in rejected.group_by("landed_file", maintain_order=True)
    ]
    return pl.concat(parts) if parts else contract("ops.quarantine").empty()


def conform_edi_orders(
    staged: pl.DataFrame, products: pl.DataFrame, partners: Partners
) -> ConformedOrders:
    """Turn winning staged 850 / ORDERS documents into validated core frames."""
    docs = staged.filter(pl.col("document_type").is_in(ORDER_DOCUMENTS)).join(
        partners.frame(), left_on="sender_id", right_on="partner_id", how="left"
    )
    docs = docs.with_columns(
        order_id=pl.format("edi:{}:{}", pl.col("sender_id"), pl.col("document_number")),
        partner_id=pl.col("sender_id"),
    )
    lines = (
        docs.unique("order_id", keep="last", maintain_order=True)
        .select("order_id", "partner_id", "lines")
        .explode("lines")
        .unnest("lines")
        .filter(pl.col("line_number").is_not_null())
    )
    lines = resolve_items(lines, products, partners)
    line_allowances = (
        docs.select("order_id", "charges")
        .explode("charges")
        .unnest("charges")
        .filter(pl.col("indicator").is_not_null())
        .group_by("order_id", "line")
        .agg(
            _allow=pl.col("amount").filter(pl.col("indicator") == "A").sum(),
            _charge=pl.col("amount").filter(pl.col("indicator") == "C").sum(),
        )
    )
    lines = lines.join(
        line_allowances.rename({"line": "line_number"}), on=["order_id", "line_number"], how="left"
    ).with_columns(
        discount_amount=pl.col("_allow").fill_null(0).cast(MONEY_DTYPE),
        whole=(pl.col("quantity") == pl.col("quantity").floor())
        & (pl.col("quantity") <= 2_000_000_000),
    )
    line_problems = (
        lines.with_columns(
            problem=pl.when(pl.col("sku").is_null())
            .then(
                pl.format(
                    "line {}: no SKU for item {}",
                    pl.col("line_number"),
                    pl.col("item_identifiers").fill_null("(no identifiers)"),
                )
            )
            .when(~pl.col("whole"))
            .then(
                pl.format(
                    "line {}: quantity {} is not whole", pl.col("line_number"), pl.col("quantity")
                )
            )
        )
        .filter(pl.col("problem").is_not_null())
        .group_by("order_id")
        .agg(
            _code=pl.when(pl.col("sku").is_null().any())
            .then(pl.lit("unknown_sku"))
            .otherwise(pl.lit("bad_quantity"))
            .first(),
            _line_error=pl.col("problem").str.join("; "),
        )
    )
    docs = (
        docs.join(line_problems, on="order_id", how="left")
        .sort("landed_file", "locator")
        .with_columns(_dup=~pl.col("order_id").is_last_distinct())
    )
    docs = docs.with_columns(
        error_code=pl.when(pl.col("_dup"))
        .then(pl.lit("duplicate_document"))
        .when(pl.col("customer_account").is_null())
        .then(pl.lit("unknown_partner"))
        .when(pl.col("_code").is_not_null())
        .then(pl.col("_code")),
        error=pl.when(pl.col("_dup"))
        .then(pl.format("order {} appears again later in the same file", pl.col("document_number")))
        .when(pl.col("customer_account").is_null())
        .then(pl.format("sender '{}' is not a configured trading partner", pl.col("sender_id")))
        .when(pl.col("_code").is_not_null())
        .then(pl.col("_line_error")),
    )
    rejected = docs.filter(pl.col("error_code").is_not_null()).with_columns(
        excerpt=pl.format(
            "{} {} from {} ({} lines)",
            pl.col("document_type"),
            pl.col("document_number"),
            pl.col("sender_id"),
            pl.col("lines").list.len(),
        )
    )
    ok = docs.filter(pl.col("error_code").is_null()).with_columns(
        currency=pl.coalesce("currency", "partner_currency")
    )
    header = ok.select(
        "order_id",
        "locator",
        "landed_file",
        "source",
        "document_at",
        "currency",
    )
    order_lines = (
        lines.join(header, on="order_id", how="inner")
        .select(
            "order_id",
            line_number=pl.col("line_number"),
            channel=pl.lit(CHANNEL),
            ordered_at=pl.col("document_at"),
            location_id=pl.lit(None, dtype=pl.String),
            sku="sku",
            item_name="description",
            quantity=pl.col("quantity").cast(pl.Int32),
            unit_price=pl.col("unit_price").cast(UNIT_PRICE_DTYPE),
            gross_amount=pl.col("line_amount").cast(MONEY_DTYPE),
            discount_amount="discount_amount",
            line_total=(pl.col("line_amount") - pl.col("discount_amount")).cast(MONEY_DTYPE),
            tax_amount=pl.lit(0).cast(MONEY_DTYPE),
            currency="currency",
            source="source",
            landed_file="landed_file",
            locator="locator",
        )
        .sort("order_id", "line_number")
    )
    header_money = (
        ok.select("order_id", "charges")
        .explode("charges")
        .unnest("charges")
        .group_by("order_id")
        .agg(
            _allow=pl.col("amount").filter(pl.col("indicator") == "A").sum(),
            _charge=pl.col("amount").filter(pl.col("indicator") == "C").sum(),
        )
    )
    line_money = order_lines.group_by("order_id").agg(
        gross_amount=pl.col("gross_amount").sum(), line_count=pl.len().cast(pl.Int32)
    )
    buyer = (
        ok.select("order_id", "parties")
        .explode("parties")
        .unnest("parties")
        .filter(pl.col("role") == "BY")
        .unique("order_id", keep="first")
        .select("order_id", _buyer_name="name")
    )
    orders = (
        ok.join(line_money, on="order_id", how="inner")
        .join(header_money, on="order_id", how="left")
        .join(buyer, on="order_id", how="left")
        .select(
            "order_id",
            channel=pl.lit(CHANNEL),
            source_order_id="document_number",
            source_customer_id="customer_account",
            customer_name=pl.coalesce("_buyer_name", "partner_name"),
            ordered_at="document_at",
            location_id=pl.lit(None, dtype=pl.String),
            currency="currency",
            gross_amount=pl.col("gross_amount").cast(MONEY_DTYPE),
            discount_amount=pl.col("_allow").fill_null(0).cast(MONEY_DTYPE),
            tax_amount=pl.lit(0).cast(MONEY_DTYPE),
            charge_amount=pl.col("_charge").fill_null(0).cast(MONEY_DTYPE),
            total=(
                pl.col("gross_amount")
                - pl.col("_allow").fill_null(0)
                + pl.col("_charge").fill_null(0)
            ).cast(MONEY_DTYPE),
            status=pl.when(pl.col("document_purpose").is_in(["01", "1"]))
            .then(pl.lit("cancelled"))
            .otherwise(pl.lit("open")),
            source_code=pl.format("edi:{}", pl.col("sender_id")),
            line_count="line_count",
            note=pl.lit(None, dtype=pl.String),
            source="source",
            landed_file="landed_file",
            locator="locator",
        )
        .sort("order_id")
    )
    return ConformedOrders(
        orders=contract("core.orders").conform(orders),
        order_lines=contract("core.order_lines").conform(order_lines),
        returns=contract("core.returns").empty(),
        quarantine=_quarantine(
            rejected.select("landed_file", "locator", "error_code", "error", "excerpt")
        ),
    )
