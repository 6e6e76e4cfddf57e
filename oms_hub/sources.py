"""The registries: which parser reads which landed files, and which sources make orders.

Adding a source means adding its ``StagedSource`` entries (parsing) and, for a sales
channel, its ``OrderSource`` (conform) here; the staging and conform steps, the load
audit and the Dagster assets pick them up from these lists.
"""

from __future__ import annotations

from oms_hub.connectors.amazon import parse_amazon_orders
from oms_hub.connectors.catalog import catalog_kind, parse_locations, parse_products
from oms_hub.connectors.edi import parse_edi
from oms_hub.connectors.inventory import (
    parse_opening_balances,
    parse_receipts,
    parse_store_counts,
    parse_transfers,
    parse_wms_snapshot,
    stock_file_kind,
)
from oms_hub.connectors.lockbox import parse_lockbox
from oms_hub.connectors.pos import parse_square_customers, parse_square_items
from oms_hub.connectors.settlements.formats import parse_settlement_file
from oms_hub.connectors.shopify import parse_shopify_orders
from oms_hub.connectors.woocommerce import parse_woocommerce_orders
from oms_hub.orders.edi_source import EDI_ORDERS
from oms_hub.orders.pos_source import POS_ORDERS
from oms_hub.orders.source import OrderSource
from oms_hub.orders.web_sources import AMAZON_ORDERS, SHOPIFY_ORDERS, WOOCOMMERCE_ORDERS
from oms_hub.steps.staging import StagedSource


def _is_square_items(path: str) -> bool:
    name = path.rsplit("/", 1)[-1].lower()
    return name.endswith(".csv") and "items" in name and not _is_square_customers(path)


POS_SQUARE = StagedSource(
    source="pos",
    stream="square_items",
    version=2,  # v2: staged rows carry ``card_brand`` / ``card_last4`` (Card Brand, PAN Suffix)
    accepts=_is_square_items,
    parser=lambda payload, path: parse_square_items(payload, landed_file=path),
)


def _is_square_customers(path: str) -> bool:
    # Customer Directory exports: CSV files under landing/pos/customers/
    parts = path.lower().split("/")
    return parts[-1].endswith(".csv") and "customers" in parts[1:-1]


POS_SQUARE_CUSTOMERS = StagedSource(
    source="pos",
    stream="square_customers",
    version=1,
    accepts=_is_square_customers,
    parser=lambda payload, path: parse_square_customers(payload, landed_file=path),
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
    # v2: staged rows carry ``shipments`` (Shopify fulfillments); v3: ``card_brand`` /
    # ``card_last4`` (the paying card's brand and last four, from the transactions)
    version=3,
    accepts=_is_json,
    parser=lambda payload, path: parse_shopify_orders(payload, landed_file=path),
)
WOOCOMMERCE = StagedSource(
    source="woocommerce",
    stream="orders",
    # the shared staged shape: v2 ``shipments``, v3 ``card_brand`` / ``card_last4``; v4:
    # Woo rows fill them (from ``payment_method_title``, Payment Plugins for Stripe)
    version=4,
    accepts=_is_json,
    parser=lambda payload, path: parse_woocommerce_orders(payload, landed_file=path),
)
AMAZON = StagedSource(
    source="amazon",
    stream="orders",
    version=3,  # the shared staged shape: v2 ``shipments``, v3 ``card_brand`` / ``card_last4``
    accepts=_is_json,
    parser=lambda payload, path: parse_amazon_orders(payload, landed_file=path),
)


#: Partners name EDI files as they like: everything in landing/edi/ but hidden files is
#: an interchange to read (a file that is not becomes one rejected record saying so).
EDI_DOCUMENTS = StagedSource(
    source="edi",
    stream="documents",
    version=1,
    accepts=lambda path: not path.rsplit("/", 1)[-1].startswith("."),
    parser=lambda payload, path: parse_edi(payload, landed_file=path),
)


#: Processor settlement files (landing/settlements/<processor>/...): the folder names the
#: format (stripe, shopify_payments, amazon, paypal).
SETTLEMENTS = StagedSource(
    source="settlements",
    stream="transactions",
    version=1,
    accepts=lambda path: not path.rsplit("/", 1)[-1].startswith("."),
    parser=parse_settlement_file,
)


#: Bank lockbox remittance files (landing/lockbox/*.csv): B2B receipts against invoices.
LOCKBOX = StagedSource(
    source="lockbox",
    stream="receipts",
    version=1,
    accepts=lambda path: (
        path.lower().endswith(".csv") and not path.rsplit("/", 1)[-1].startswith(".")
    ),
    parser=lambda payload, path: parse_lockbox(payload, landed_file=path),
)


def _stock_stream(stream: str, parse) -> StagedSource:
    return StagedSource(
        source="inventory",
        stream=stream,
        version=1,
        accepts=lambda path: stock_file_kind(path) == stream,
        parser=lambda payload, path: parse(payload, landed_file=path),
    )


#: Stock files (landing/inventory/): movement streams and count streams.
INVENTORY_MOVEMENTS: tuple[StagedSource, ...] = (
    _stock_stream("opening", parse_opening_balances),
    _stock_stream("receipts", parse_receipts),
    _stock_stream("transfers", parse_transfers),
)
INVENTORY_COUNTS: tuple[StagedSource, ...] = (
    _stock_stream("store_counts", parse_store_counts),
    _stock_stream("wms_snapshots", parse_wms_snapshot),
)

STAGED_SOURCES: tuple[StagedSource, ...] = (
    CATALOG_PRODUCTS,
    CATALOG_LOCATIONS,
    POS_SQUARE,
    POS_SQUARE_CUSTOMERS,
    SHOPIFY,
    WOOCOMMERCE,
    AMAZON,
    EDI_DOCUMENTS,
    *INVENTORY_MOVEMENTS,
    *INVENTORY_COUNTS,
    SETTLEMENTS,
    LOCKBOX,
)

#: Channels whose staged rows become core orders, lines and returns.
ORDER_SOURCES: tuple[OrderSource, ...] = (
    POS_ORDERS,
    EDI_ORDERS,
    SHOPIFY_ORDERS,
    WOOCOMMERCE_ORDERS,
    AMAZON_ORDERS,
)

#: Staged streams that are a record's final stop for now (no canonical table yet): a
#: record counts as loaded in ops.load_audit when its (landed_file, locator) is in one.
#: Paths are under lake/staging/.
TERMINAL_STREAMS: tuple[str, ...] = ("edi/inventory_advice", "edi/shipments")

#: Staged streams whose records load as customer identities only (no canonical table of
#: their own): a record counts as loaded when core.customer_xref carries its
#: (landed_file, locator), the lineage of the identity it describes.
IDENTITY_STREAMS: tuple[str, ...] = ("pos/square_customers",)

#: Staged streams by ``<source>/<stream>`` name.
STREAMS: dict[str, StagedSource] = {s.folder: s for s in STAGED_SOURCES}


def recognized(source: str, path: str) -> bool:
    """True when some stream of the source accepts the landed file."""
    return any(s.source == source and s.accepts(path) for s in STAGED_SOURCES)


def implemented_sources() -> set[str]:
    """Sources that have at least one parser today."""
    return {s.source for s in STAGED_SOURCES}
