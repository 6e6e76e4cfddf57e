"""Order contracts: orders, order lines, returns (every channel)."""

from __future__ import annotations

import pandera.polars as pa
import polars as pl

from oms_hub.quality.contracts.base import (
    CHANNELS,
    Lineage,
    Money,
    TableContract,
    UnitPrice,
    UtcTimestamp,
)


class Orders(Lineage):
    """core.orders: one row per order, its latest version."""

    order_id: str = pa.Field(unique=True, description="Hub order id: '<source>:<source_order_id>'.")
    channel: str = pa.Field(
        isin=list(CHANNELS), description="Sales channel: web, marketplace, edi, pos or phone."
    )
    source_order_id: str = pa.Field(
        description="The order's id in its source system (e.g. Square Transaction ID)."
    )
    customer_key: str = pa.Field(
        nullable=True,
        description="Resolved customer (core.customers); null until identity resolution has run "
        "or for anonymous sales.",
    )
    source_customer_id: str = pa.Field(
        nullable=True, description="The customer's id in the source system, if the sale named one."
    )
    customer_name: str = pa.Field(nullable=True, description="Customer name as the source gave it.")
    ordered_at: UtcTimestamp = pa.Field(description="When the order was placed, UTC.")
    local_time_zone: str = pa.Field(
        nullable=True, description="IANA zone the source stated the time in (the original offset)."
    )
    ordered_at_offset: str = pa.Field(
        nullable=True,
        description="UTC offset the source stated the order time with (e.g. '-05:00'); null "
        "for sources that give a zone name instead (see local_time_zone).",
    )
    updated_at: UtcTimestamp = pa.Field(
        nullable=True,
        description="The source's last-update time of the version loaded (API sources), UTC.",
    )
    order_number: str = pa.Field(
        nullable=True, description="Order number shown to the customer (e.g. Shopify '#1001')."
    )
    customer_email: str = pa.Field(
        nullable=True, description="Customer e-mail as the source gave it (absent when restricted)."
    )
    customer_phone: str = pa.Field(nullable=True, description="Customer phone as given.")
    ship_postal_code: str = pa.Field(nullable=True, description="Shipping address postal code.")
    ship_country: str = pa.Field(nullable=True, description="Shipping address country code.")
    fulfilled_by: str = pa.Field(
        nullable=True,
        description="Who ships: 'merchant', or 'amazon' (FBA / AFN, Amazon's own inventory); "
        "an unknown source value is kept as 'other:<value>'. Null for POS.",
    )
    location_id: str = pa.Field(
        nullable=True, description="Store where the order was taken (POS), else null."
    )
    currency: str = pa.Field(
        str_length=3, description="ISO 4217 currency of every amount on the order."
    )
    gross_amount: Money = pa.Field(
        description="Sum of line gross amounts (quantity x price), before discounts."
    )
    discount_amount: Money = pa.Field(
        ge=0, description="Sum of line discounts, as a positive amount."
    )
    tax_amount: Money = pa.Field(description="Sum of line taxes.")
    shipping_amount: Money = pa.Field(
        nullable=True, description="Shipping charged (after shipping discounts); null for POS."
    )
    charge_amount: Money = pa.Field(
        nullable=True,
        ge=0,
        description="Order-level charges (EDI SAC freight/handling), positive; null where the "
        "channel has none (POS).",
    )
    total: Money = pa.Field(
        description="Amount charged: gross - discounts + tax + shipping (+ charges)."
    )
    refunded_amount: Money = pa.Field(
        nullable=True,
        ge=0,
        description="Money refunded on the order at its latest version, positive (web and "
        "marketplace sources; POS refunds are only in core.returns).",
    )
    status: str = pa.Field(
        isin=["open", "completed", "cancelled"],
        description="Order status at its latest version. Returns do not rewrite it: join core.returns.",
    )
    source_code: str = pa.Field(
        nullable=True,
        description="Marketing / origin code: UTM source or campaign for web, 'store:<location_id>' for POS.",
    )
    ship_to_lat: pl.Float64 = pa.Field(
        nullable=True,
        ge=-90,
        le=90,
        description="Latitude of the ship-to address (geocoded), for allocation by distance; "
        "null for store sales or when unknown.",
    )
    ship_to_lon: pl.Float64 = pa.Field(
        nullable=True, ge=-180, le=180, description="Longitude of the ship-to address."
    )
    pickup_location_id: str = pa.Field(
        nullable=True,
        description="Store the customer collects from (pickup in store), else null; such "
        "orders allocate to that store only.",
    )
    line_count: pl.Int32 = pa.Field(ge=1, description="Number of loaded lines on the order.")
    note: str = pa.Field(nullable=True, description="Free-text note (card numbers masked).")


class OrderLines(Lineage):
    """core.order_lines: one row per order line."""

    order_id: str = pa.Field(description="Order the line belongs to (core.orders).")
    line_number: pl.Int32 = pa.Field(
        ge=1, description="1-based position of the line within its order."
    )
    channel: str = pa.Field(isin=list(CHANNELS), description="Sales channel of the order.")
    ordered_at: UtcTimestamp = pa.Field(description="When the order was placed, UTC.")
    location_id: str = pa.Field(
        nullable=True, description="Store where the line was sold (POS), else null."
    )
    sku: str = pa.Field(description="Item sold (core.products).")
    item_name: str = pa.Field(nullable=True, description="Item name as the source printed it.")
    quantity: pl.Int32 = pa.Field(gt=0, description="Units sold.")
    unit_price: UnitPrice = pa.Field(
        description="Gross amount / quantity, 4 decimals (the source's line amounts are authoritative)."
    )
    gross_amount: Money = pa.Field(
        description="Quantity x price before discounts, as the source stated it."
    )
    discount_amount: Money = pa.Field(
        ge=0, description="Discount on the line, as a positive amount."
    )
    line_total: Money = pa.Field(
        description="Net amount of the line: gross - discount, before tax."
    )
    tax_amount: Money = pa.Field(description="Tax on the line.")
    currency: str = pa.Field(str_length=3, description="ISO 4217 currency of the amounts.")


class Returns(Lineage):
    """core.returns: one row per returned / refunded line."""

    return_id: str = pa.Field(
        unique=True,
        description="Hub return id: '<order_id>:<refund UTC instant YYYYMMDDTHHMMSSZ>:<n>' for POS "
        "refunds, "
        "'<order_id>:<refund id>:<refund line id>' for web refunds.",
    )
    order_id: str = pa.Field(
        description="Order the returned goods were sold on (may predate the warehouse)."
    )
    channel: str = pa.Field(isin=list(CHANNELS), description="Channel the return came through.")
    returned_at: UtcTimestamp = pa.Field(description="When the refund/return was recorded, UTC.")
    location_id: str = pa.Field(nullable=True, description="Store that took the return, if any.")
    sku: str = pa.Field(description="Item returned (core.products).")
    quantity: pl.Int32 = pa.Field(gt=0, description="Units returned, positive.")
    condition: str = pa.Field(
        isin=["sellable", "damaged", "unknown"],
        description="Condition of the goods; 'unknown' when the source does not say (Square).",
    )
    refund_amount: Money = pa.Field(
        ge=0, description="Net amount refunded for the line, positive, before tax."
    )
    tax_refund: Money = pa.Field(ge=0, description="Tax refunded, positive.")
    restock_type: str = pa.Field(
        nullable=True,
        description="What happened to the goods, as the source says (Shopify restock_type: "
        "return, cancel, no_restock, legacy_restock); null when the source does not say.",
    )
    currency: str = pa.Field(str_length=3, description="ISO 4217 currency of the amounts.")


class Payments(Lineage):
    """core.payments: one row per payment or refund transaction."""

    payment_id: str = pa.Field(
        unique=True, description="Hub payment id: '<source>:<transaction id in the source>'."
    )
    order_id: str = pa.Field(description="Order the money moved for (core.orders).")
    channel: str = pa.Field(isin=list(CHANNELS), description="Sales channel of the order.")
    kind: str = pa.Field(
        isin=["sale", "capture", "authorization", "refund", "void", "other"],
        description="What the transaction did; an authorization moves no money yet.",
    )
    status: str = pa.Field(
        nullable=True, description="Outcome as the source says (success, failure, pending...)."
    )
    processed_at: UtcTimestamp = pa.Field(description="When the transaction was processed, UTC.")
    amount: Money = pa.Field(ge=0, description="Amount of the transaction, positive.")
    currency: str = pa.Field(str_length=3, description="ISO 4217 currency of the amount.")
    gateway: str = pa.Field(nullable=True, description="Payment gateway / method name.")
    processor_ref: str = pa.Field(
        nullable=True,
        description="The processor's reference or authorization token, for reconciliation. "
        "Never a card number (masked at parse time if one appears).",
    )


TABLES = [
    TableContract("core.orders", Orders, "Orders from every channel, latest version.", True),
    TableContract("core.order_lines", OrderLines, "Order lines from every channel.", True),
    TableContract("core.returns", Returns, "Returned / refunded lines from every channel.", True),
    TableContract(
        "core.payments", Payments, "Payment and refund transactions (tokens only).", True
    ),
]
