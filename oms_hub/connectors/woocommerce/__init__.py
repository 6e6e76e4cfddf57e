"""WooCommerce: REST v3 order pages and the REST client."""

from oms_hub.connectors.woocommerce.orders import parse_woocommerce_orders

__all__ = ["parse_woocommerce_orders"]
