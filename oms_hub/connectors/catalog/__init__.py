"""Catalog: products and locations master data (CSV)."""

from oms_hub.connectors.catalog.catalog_csv import catalog_kind, parse_locations, parse_products

__all__ = ["catalog_kind", "parse_locations", "parse_products"]
