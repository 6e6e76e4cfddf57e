"""POS channel: Square-style item-detail CSV exports and Customer Directory exports."""

from oms_hub.connectors.pos.square_customers import parse_square_customers
from oms_hub.connectors.pos.square_items import SQUARE_COLUMNS, parse_square_items

__all__ = ["SQUARE_COLUMNS", "parse_square_customers", "parse_square_items"]
