"""Stock files: opening balances, receipts, transfers, store counts, WMS snapshots."""

from oms_hub.connectors.inventory.stock_files import (
    parse_opening_balances,
    parse_receipts,
    parse_store_counts,
    parse_transfers,
    parse_wms_snapshot,
    stock_file_kind,
)

__all__ = [
    "parse_opening_balances",
    "parse_receipts",
    "parse_store_counts",
    "parse_transfers",
    "parse_wms_snapshot",
    "stock_file_kind",
]
