"""Shopify: order pages (Admin GraphQL and REST) and the Admin API client."""

from oms_hub.connectors.shopify.orders import parse_shopify_orders

__all__ = ["parse_shopify_orders"]
