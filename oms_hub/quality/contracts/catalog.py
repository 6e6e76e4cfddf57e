"""Catalog contracts: products and locations."""

from __future__ import annotations

import pandera.polars as pa
import polars as pl

from oms_hub.quality.contracts.base import Lineage, Money, TableContract


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


TABLES = [
    TableContract("core.products", Products, "Products: one row per SKU (latest catalog)."),
    TableContract("core.locations", Locations, "Stores and warehouses with coordinates."),
]
