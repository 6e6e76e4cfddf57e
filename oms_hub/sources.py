"""The registries: which parser reads which landed files, and which sources make orders.

Adding a source means adding its ``StagedSource`` entries (parsing) and, for a sales
channel, its ``OrderSource`` (conform) here; the staging and conform steps, the load
audit and the Dagster assets pick them up from these lists.
"""

from __future__ import annotations

from oms_hub.connectors.amazon import parse_amazon_orders
from oms_hub.connectors.catalog import catalog_kind, parse_locations, parse_products
from oms_hub.connectors.pos import parse_square_items
from oms_hub.connectors.shopify import parse_shopify_orders
from oms_hub.connectors.woocommerce import parse_woocommerce_orders
from oms_hub.orders.pos_source import POS_ORDERS
from oms_hub.orders.source import OrderSource
from oms_hub.orders.web_sources import AMAZON_ORDERS, SHOPIFY_ORDERS, WOOCOMMERCE_ORDERS
from oms_hub.steps.staging import StagedSource


def _is_square_items(path: str) -> bool:
    name = path.rsplit("/", 1)[-1].lower()
    return name.endswith(".csv") and "items" in name


POS_SQUARE = StagedSource(
    source="pos",
    stream="square_items",
    version=1,
    accepts=_is_square_items,
    parser=lambda payload, path: parse_square_items(payload, landed_file=path),
)
CATALOG_PRODUCTS = StagedSource(
    source="catalog",
    stream="products",
    version=1,
    accepts=lambda path: catalog_kind(path) == "products",
    parser=lambda payload, path: parse_products(payload, landed_file=path),
)
CATALOG_LOCATIONS = StagedSource(
    source="catalog",
    stream="locations",
    version=1,
    accepts=lambda path: catalog_kind(path) == "locations",
    parser=lambda payload, path: parse_locations(payload, landed_file=path),
)


def _is_json(path: str) -> bool:
    # Which API document a JSON file holds is decided by its content, in the parser.
    return path.lower().endswith(".json")


SHOPIFY = StagedSource(
    source="shopify",
    stream="orders",
    version=1,
    accepts=_is_json,
    parser=lambda payload, path: parse_shopify_orders(payload, landed_file=path),
)
WOOCOMMERCE = StagedSource(
    source="woocommerce",
    stream="orders",
    version=1,
    accepts=_is_json,
    parser=lambda payload, path: parse_woocommerce_orders(payload, landed_file=path),
)
AMAZON = StagedSource(
    source="amazon",
    stream="orders",
    version=1,
    accepts=_is_json,
    parser=lambda payload, path: parse_amazon_orders(payload, landed_file=path),
)

STAGED_SOURCES: tuple[StagedSource, ...] = (
    CATALOG_PRODUCTS,
    CATALOG_LOCATIONS,
    POS_SQUARE,
    SHOPIFY,
    WOOCOMMERCE,
    AMAZON,
)

#: Channels whose staged rows become core orders, lines and returns.
ORDER_SOURCES: tuple[OrderSource, ...] = (
    POS_ORDERS,
    SHOPIFY_ORDERS,
    WOOCOMMERCE_ORDERS,
    AMAZON_ORDERS,
)

#: Staged streams by ``<source>/<stream>`` name.
STREAMS: dict[str, StagedSource] = {s.folder: s for s in STAGED_SOURCES}


def recognized(source: str, path: str) -> bool:
    """True when some stream of the source accepts the landed file."""
    return any(s.source == source and s.accepts(path) for s in STAGED_SOURCES)


def implemented_sources() -> set[str]:
    """Sources that have at least one parser today."""
    return {s.source for s in STAGED_SOURCES}
