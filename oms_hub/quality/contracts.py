"""The canonical tables, defined once.

Each table of design.md section 2 is a pandera ``DataFrameModel``. The same class is
used to validate every frame before it is written, to generate the DuckDB view DDL and
column comments, and to generate the data dictionary (``docs/data-dictionary.md``).
Adding a column means adding one annotated field here with a description; a column
without a description fails ``tests/quality/test_contracts.py``.

Conventions (enforced by the types below): money is ``Decimal(18, 2)`` with a
``currency`` column beside it; timestamps are UTC microseconds; every row carries
lineage (``source``, ``landed_file``, ``locator``).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Annotated

import pandera.polars as pa
import polars as pl
from pandera.engines import polars_engine as pe

CHANNELS = ("web", "marketplace", "edi", "pos", "phone")

Money = Annotated[pe.Decimal, 18, 2]
UnitPrice = Annotated[pe.Decimal, 18, 4]
UtcTimestamp = Annotated[pe.DateTime, False, "UTC", "us"]

MONEY_DTYPE = pl.Decimal(18, 2)
UNIT_PRICE_DTYPE = pl.Decimal(18, 4)
UTC_DTYPE = pl.Datetime("us", "UTC")


class Lineage(pa.DataFrameModel):
    """Where a row came from; present on every conformed row."""

    source: str = pa.Field(description="Source system the row was read from (landing folder name).")
    landed_file: str = pa.Field(
        description="Path of the raw file under landing/ that holds the record."
    )
    locator: str = pa.Field(
        description="Where in the landed file the record is (e.g. 'row 12' or 'rows 3-5')."
    )


class Products(Lineage):
    """core.products: one row per SKU, the latest catalog version."""

    sku: str = pa.Field(unique=True, description="Stock-keeping unit, the retailer's item id.")
    upc: str = pa.Field(nullable=True, description="12-digit UPC-A barcode (GTIN-12).")
    name: str = pa.Field(description="Item name as sold.")
    category: str = pa.Field(description="Merchandise category.")
    cost: Money = pa.Field(ge=0, description="Unit cost to the retailer, in currency.")
    price: Money = pa.Field(ge=0, description="Regular unit selling price, in currency.")
    currency: str = pa.Field(str_length=3, description="ISO 4217 currency of cost and price.")
    pack_size: pl.Int32 = pa.Field(
        ge=1, description="Units per supplier case; orders round up to it."
    )
    lead_time_days: pl.Int32 = pa.Field(ge=0, description="Supplier lead time in days.")
    safety_stock_units: pl.Int32 = pa.Field(
        ge=0, description="Units kept back as safety stock per location."
    )
    review_period_days: pl.Int32 = pa.Field(ge=1, description="Days between reorder reviews.")


class Locations(Lineage):
    """core.locations: one row per store or warehouse."""

    location_id: str = pa.Field(unique=True, description="Location id (store or warehouse code).")
    name: str = pa.Field(description="Display name; POS exports name the store by it.")
    kind: str = pa.Field(isin=["store", "warehouse"], description="'store' or 'warehouse'.")
    address: str = pa.Field(nullable=True, description="Street address.")
    city: str = pa.Field(nullable=True, description="City the location is in.")
    region: str = pa.Field(nullable=True, description="State / province code.")
    postal_code: str = pa.Field(
        nullable=True, description="Postal code, as text (keeps leading zeros)."
    )
    country: str = pa.Field(description="ISO 3166-1 alpha-2 country code.")
    lat: pl.Float64 = pa.Field(ge=-90, le=90, description="Latitude, WGS84 degrees.")
    lon: pl.Float64 = pa.Field(ge=-180, le=180, description="Longitude, WGS84 degrees.")
    time_zone: str = pa.Field(description="IANA time zone of the location (e.g. America/New_York).")
    currency: str = pa.Field(str_length=3, description="ISO 4217 currency the location trades in.")
    ships_online: bool = pa.Field(description="True when the location may fulfil online orders.")


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
    total: Money = pa.Field(description="Amount charged: gross - discounts + tax.")
    status: str = pa.Field(
        isin=["open", "completed", "cancelled"],
        description="Order status at its latest version. Returns do not rewrite it: join core.returns.",
    )
    source_code: str = pa.Field(
        nullable=True,
        description="Marketing / origin code: UTM source or campaign for web, 'store:<location_id>' for POS.",
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
        unique=True, description="Hub return id: '<order_id>:R<n>:<date>' for POS refunds."
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
    currency: str = pa.Field(str_length=3, description="ISO 4217 currency of the amounts.")


class Quarantine(pa.DataFrameModel):
    """ops.quarantine: one row per rejected (or flagged) record."""

    source: str = pa.Field(description="Source of the landed file.")
    landed_file: str = pa.Field(description="Path of the raw file under landing/.")
    locator: str = pa.Field(description="Where in the file the record is (e.g. 'row 12').")
    stage: str = pa.Field(
        isin=["parse", "conform"], description="Step that rejected it: parse or conform."
    )
    action: str = pa.Field(
        isin=["rejected", "flagged"],
        description="'rejected': the record was not loaded; 'flagged': loaded, with something masked.",
    )
    error_code: str = pa.Field(description="Machine-readable reason, e.g. bad_money, unknown_sku.")
    error: str = pa.Field(description="Human-readable reason, naming the field and the bad value.")
    excerpt: str = pa.Field(
        nullable=True, description="The raw record, truncated, card numbers masked."
    )


class LandedFiles(pa.DataFrameModel):
    """ops.landed_files: one row per file path seen under landing/."""

    landed_file: str = pa.Field(unique=True, description="Path under landing/.")
    source: str = pa.Field(description="Source folder.")
    sha256: str = pa.Field(description="SHA-256 of the bytes; the file's identity.")
    size_bytes: pl.Int64 = pa.Field(ge=0, description="Size in bytes.")
    landed_at: UtcTimestamp = pa.Field(
        description="When the manifest first registered the path, UTC."
    )
    duplicate_of: str = pa.Field(
        nullable=True,
        description="Earlier path with the same bytes; such a file is not parsed again.",
    )


class LoadAudit(pa.DataFrameModel):
    """ops.load_audit: per parsed landed file, where each record went."""

    source: str = pa.Field(description="Source of the file.")
    landed_file: str = pa.Field(unique=True, description="Path under landing/.")
    records: pl.Int64 = pa.Field(ge=0, description="Records the parser read from the file.")
    loaded: pl.Int64 = pa.Field(ge=0, description="Records present in the conformed core tables.")
    quarantined: pl.Int64 = pa.Field(ge=0, description="Records rejected into ops.quarantine.")
    superseded: pl.Int64 = pa.Field(
        ge=0, description="Records replaced by a later version of the same record in a later file."
    )
    pending: pl.Int64 = pa.Field(
        ge=0, description="Records of days whose partitions have not been built yet."
    )
    unaccounted: pl.Int64 = pa.Field(
        description="records - loaded - quarantined - superseded - pending; anything but 0 is a bug."
    )


class ChannelSalesDaily(pa.DataFrameModel):
    """marts.rpt_channel_sales_daily: one row per UTC day x channel x currency."""

    day: pl.Date = pa.Field(description="UTC calendar day of the sale or refund.")
    channel: str = pa.Field(isin=list(CHANNELS), description="Sales channel.")
    currency: str = pa.Field(str_length=3, description="ISO 4217 currency of the amounts.")
    orders: pl.Int64 = pa.Field(
        ge=0, description="Distinct orders with at least one line sold that day."
    )
    units: pl.Int64 = pa.Field(ge=0, description="Units sold that day.")
    gross_sales: Money = pa.Field(ge=0, description="Sum of line gross amounts (before discounts).")
    discounts: Money = pa.Field(ge=0, description="Sum of line discounts, positive.")
    returns: Money = pa.Field(ge=0, description="Net amount refunded that day, positive.")
    net_sales: Money = pa.Field(description="gross_sales - discounts - returns (before tax).")
    tax: Money = pa.Field(description="Tax on the lines sold that day.")


_LINEAGE = ("source", "landed_file", "locator")


@dataclass(frozen=True)
class TableContract:
    """A published table: its name, model, partitioning and a one-line description."""

    name: str
    model: type[pa.DataFrameModel]
    description: str
    partitioned_by_day: bool = False

    @property
    def schema_name(self) -> str:
        """The DuckDB schema (core, finance, marts, ops)."""
        return self.name.split(".", 1)[0]

    def polars_schema(self) -> pl.Schema:
        """The exact polars schema the table is written with, in column order."""
        columns = self.model.to_schema().columns
        order = [n for n in columns if n not in _LINEAGE] + [n for n in columns if n in _LINEAGE]
        return pl.Schema({name: columns[name].dtype.type for name in order})

    def columns(self) -> list[tuple[str, pl.DataType, str, bool]]:
        """(name, polars type, description, nullable) per column, in table order."""
        cols = self.model.to_schema().columns
        return [
            (n, t, cols[n].description or "", cols[n].nullable)
            for n, t in self.polars_schema().items()
        ]

    def empty(self) -> pl.DataFrame:
        """An empty frame with the contract's schema."""
        return pl.DataFrame(schema=self.polars_schema())

    def conform(self, frame: pl.DataFrame) -> pl.DataFrame:
        """Select the contract's columns in order, cast to its types, and validate.

        Raises ``pandera.errors.SchemaError`` naming the column and the failing check.
        """
        schema = self.polars_schema()
        shaped = frame.select([pl.col(n).cast(t) for n, t in schema.items()])
        if shaped.is_empty():  # nothing to check beyond the schema the select just imposed
            return shaped
        return self.model.validate(shaped)


TABLES: dict[str, TableContract] = {
    t.name: t
    for t in [
        TableContract("core.products", Products, "Products: one row per SKU (latest catalog)."),
        TableContract("core.locations", Locations, "Stores and warehouses with coordinates."),
        TableContract("core.orders", Orders, "Orders from every channel, latest version.", True),
        TableContract("core.order_lines", OrderLines, "Order lines from every channel.", True),
        TableContract(
            "core.returns", Returns, "Returned / refunded lines from every channel.", True
        ),
        TableContract("ops.quarantine", Quarantine, "Rejected or flagged records with the reason."),
        TableContract("ops.landed_files", LandedFiles, "Every raw file seen under landing/."),
        TableContract(
            "ops.load_audit",
            LoadAudit,
            "Per landed file: records = loaded + quarantined + superseded + pending.",
        ),
        TableContract(
            "marts.rpt_channel_sales_daily",
            ChannelSalesDaily,
            "Daily sales by channel: orders, units, gross, discounts, returns, net.",
            True,
        ),
    ]
}


def contract(name: str) -> TableContract:
    """Look a contract up by qualified name, with a clear error for typos."""
    try:
        return TABLES[name]
    except KeyError:
        raise KeyError(f"no table contract {name!r}; known: {', '.join(sorted(TABLES))}") from None
