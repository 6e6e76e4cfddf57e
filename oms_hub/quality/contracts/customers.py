"""Customer contracts: resolved customers, the identity cross-reference, key history,
and the customer 360 mart."""

from __future__ import annotations

import pandera.polars as pa
import polars as pl

from oms_hub.quality.contracts.base import Lineage, Money, TableContract, UtcTimestamp


class Customers(pa.DataFrameModel):
    """core.customers: one row per resolved person or company (golden record)."""

    customer_key: str = pa.Field(
        unique=True,
        description="Stable customer key ('C' + 9 digits); never renumbered across runs.",
    )
    name: str = pa.Field(
        nullable=True, description="Name as most of the customer's identities spell it."
    )
    email: str = pa.Field(
        nullable=True,
        description="Most used identifying email (lower case; marketplace relay addresses never).",
    )
    phone: str = pa.Field(nullable=True, description="Most recently seen phone, E.164.")
    address: str = pa.Field(
        nullable=True, description="Most recently seen postal address, one line as given."
    )
    birth_date: str = pa.Field(
        nullable=True, description="Most frequent birth date (YYYY-MM-DD), if any source has it."
    )
    company: str = pa.Field(nullable=True, description="Most frequent company name (B2B).")
    first_seen_at: UtcTimestamp = pa.Field(
        nullable=True, description="Earliest sighting of any of the customer's identities, UTC."
    )
    last_seen_at: UtcTimestamp = pa.Field(
        nullable=True, description="Latest sighting of any of the customer's identities, UTC."
    )
    identities: pl.Int32 = pa.Field(
        ge=1, description="Source identities resolved into this customer (core.customer_xref)."
    )
    sources: str = pa.Field(
        description="Comma-separated sources that know the customer (e.g. 'amazon,pos')."
    )


class CustomerXref(Lineage):
    """core.customer_xref: one row per source identity."""

    source_customer_id: str = pa.Field(
        description="The customer's id in its source (e.g. Square Customer ID)."
    )
    customer_key: str = pa.Field(description="Resolved customer (core.customers).")
    match_score: float = pa.Field(
        nullable=True,
        ge=0,
        le=1,
        description="Best match probability linking this identity to another of its customer; "
        "null when it is the customer's only identity.",
    )


class CustomerKeyEvents(pa.DataFrameModel):
    """core.customer_key_events: one row per merge or split of customer keys."""

    event_at: UtcTimestamp = pa.Field(description="When the resolution run recorded it, UTC.")
    kind: str = pa.Field(
        isin=["merge", "split"],
        description="merge: from_key's identities joined to_key; split: some of from_key's "
        "identities now belong to to_key.",
    )
    from_key: str = pa.Field(description="The key the identities had before.")
    to_key: str = pa.Field(description="The key they have now.")
    identities: pl.UInt32 = pa.Field(ge=1, description="Identities that moved.")
    reason: str = pa.Field(description="Why, in words.")


class Customer360(pa.DataFrameModel):
    """marts.customer_360: one row per customer x currency."""

    customer_key: str = pa.Field(description="Customer (core.customers).")
    name: str = pa.Field(nullable=True, description="Customer name (golden record).")
    currency: str = pa.Field(str_length=3, description="ISO 4217 currency of the amounts.")
    orders: pl.Int64 = pa.Field(ge=0, description="Orders placed, every channel.")
    revenue: Money = pa.Field(description="Sum of order totals (tax included), every channel.")
    orders_web: pl.Int64 = pa.Field(ge=0, description="Orders on the web shops.")
    revenue_web: Money = pa.Field(description="Order totals on the web shops.")
    orders_marketplace: pl.Int64 = pa.Field(ge=0, description="Orders on marketplaces.")
    revenue_marketplace: Money = pa.Field(description="Order totals on marketplaces.")
    orders_edi: pl.Int64 = pa.Field(ge=0, description="Orders by EDI.")
    revenue_edi: Money = pa.Field(description="Order totals by EDI.")
    orders_pos: pl.Int64 = pa.Field(ge=0, description="Orders in stores (POS).")
    revenue_pos: Money = pa.Field(description="Order totals in stores (POS).")
    orders_phone: pl.Int64 = pa.Field(ge=0, description="Orders by phone.")
    revenue_phone: Money = pa.Field(description="Order totals by phone.")
    returned_lines: pl.Int64 = pa.Field(ge=0, description="Returned / refunded lines.")
    refunded: Money = pa.Field(ge=0, description="Net amount refunded (before tax), positive.")
    first_order_at: UtcTimestamp = pa.Field(nullable=True, description="First order, UTC.")
    last_order_at: UtcTimestamp = pa.Field(nullable=True, description="Latest order, UTC.")
    lifetime_value: Money = pa.Field(
        description="revenue - refunded: what the customer has been worth so far."
    )


TABLES = [
    TableContract("core.customers", Customers, "Resolved customers (golden records)."),
    TableContract("core.customer_xref", CustomerXref, "Every source identity -> its customer_key."),
    TableContract(
        "core.customer_key_events",
        CustomerKeyEvents,
        "History of customer-key merges and splits, so facts can follow.",
    ),
    TableContract(
        "marts.customer_360",
        Customer360,
        "Per customer: orders and revenue by channel, returns, first/last order, value.",
    ),
]
