"""POS channel: Square-style item-detail CSV exports."""

from oms_hub.connectors.pos.square_items import SQUARE_COLUMNS, parse_square_items

__all__ = ["SQUARE_COLUMNS", "parse_square_items"]
