"""Amazon Selling Partner API (Orders v0): payload parser and the SP-API client."""

from oms_hub.connectors.amazon.orders import parse_amazon_orders

__all__ = ["parse_amazon_orders"]
