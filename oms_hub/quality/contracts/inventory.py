"""Inventory and fulfilment contracts: movements, counts, positions, discrepancies, allocations."""

from __future__ import annotations

import pandera.polars as pa
import polars as pl

from oms_hub.quality.contracts.base import Lineage, Money, TableContract, UtcTimestamp

MOVEMENT_KINDS = [
    "opening",
    "receipt",
    "transfer_out",
    "transfer_in",
    "sale",
    "return_restock",
    "return_damaged",
    "adjustment",
    "count_correction",
]
DISCREPANCY_CAUSES = [
    "transfer_in_transit",
    "unposted_return",
    "sale_after_count",
    "unexplained_shrink",
    "unexplained_overage",
]


class InventoryMovements(Lineage):
    """core.inventory_movements: the signed stock ledger, one row per movement."""

    sku: str = pa.Field(description="Item moved (core.products).")
    location_id: str = pa.Field(description="Location whose stock the movement changes.")
    moved_at: UtcTimestamp = pa.Field(description="When the movement happened, UTC.")
    kind: str = pa.Field(
        isin=MOVEMENT_KINDS,
        description="opening, receipt, transfer_out, transfer_in, sale, return_restock, "
        "return_damaged, adjustment or count_correction.",
    )
    bucket: str = pa.Field(
        isin=["sellable", "damaged"],
        description="Stock bucket changed: 'sellable' on hand, or the non-sellable 'damaged' bucket.",
    )
    quantity: pl.Int32 = pa.Field(
        description="Signed units: positive adds to the bucket, negative takes away."
    )
    reference: str = pa.Field(
        nullable=True,
        description="Business document: receipt id, transfer id, order id, return id or count.",
    )
    counterpart_location_id: str = pa.Field(
        nullable=True, description="The other end of a transfer (sender or receiver)."
    )
    shipment_id: str = pa.Field(
        nullable=True,
        description="Warehouse shipment that moved a sale (EDI 945 W06-04); null for store "
        "sales and every other kind. An order shipped in parts has one per part.",
    )


class InventoryCounts(Lineage):
    """core.inventory_counts: every physical count or on-hand snapshot received."""

    sku: str = pa.Field(description="Item counted.")
    location_id: str = pa.Field(description="Location counted.")
    counted_at: UtcTimestamp = pa.Field(description="Time the count is stated for, UTC.")
    counted_qty: pl.Int32 = pa.Field(ge=0, description="Units the counter reported.")
    count_source: str = pa.Field(
        description="Who counted: 'pos_stock_count' (store), 'wms_snapshot' (warehouse), "
        "'edi_846' (partner inventory advice)."
    )


class InventoryPositions(pa.DataFrameModel):
    """core.inventory_positions: stock per SKU x location as of a moment."""

    sku: str = pa.Field(description="Item (core.products).")
    location_id: str = pa.Field(description="Location (core.locations).")
    as_of: UtcTimestamp = pa.Field(description="Moment the position is computed for, UTC.")
    on_hand: pl.Int64 = pa.Field(
        description="Sellable units on hand by the books (may be negative if the books are off)."
    )
    damaged: pl.Int64 = pa.Field(ge=0, description="Returned units in the non-sellable bucket.")
    in_transit_in: pl.Int64 = pa.Field(
        ge=0, description="Units shipped to this location by transfer and not yet received."
    )
    allocated: pl.Int64 = pa.Field(
        ge=0, description="Units promised to open orders (core.allocations) not yet shipped."
    )
    safety_stock: pl.Int64 = pa.Field(ge=0, description="Units held back (core.products).")
    channel_threshold: pl.Int64 = pa.Field(
        ge=0, description="Extra units held back from online channels (allocation rules)."
    )
    available_to_promise: pl.Int64 = pa.Field(
        ge=0,
        description="on_hand - allocated - safety_stock - channel_threshold, never below zero.",
    )


class InventoryDiscrepancies(Lineage):
    """core.inventory_discrepancies: one row per count that disagrees with the books."""

    sku: str = pa.Field(description="Item counted.")
    location_id: str = pa.Field(description="Location counted.")
    counted_at: UtcTimestamp = pa.Field(description="Time the count is stated for, UTC.")
    count_source: str = pa.Field(description="Who counted (see core.inventory_counts).")
    expected_on_hand: pl.Int64 = pa.Field(
        description="Book on hand just before counted_at (earlier count corrections included)."
    )
    reported_on_hand: pl.Int64 = pa.Field(ge=0, description="Units the count reported.")
    delta: pl.Int64 = pa.Field(description="reported - expected; never 0 in this table.")
    likely_cause: str = pa.Field(
        isin=DISCREPANCY_CAUSES,
        description="What the data shows: transfer_in_transit (units in transit to the "
        "location equal the delta), unposted_return (a return posted within 7 days after the "
        "count equals it), sale_after_count (sales within 16 h after the stated time add up to "
        "it), else unexplained_shrink (count low) / unexplained_overage (count high).",
    )
    evidence: str = pa.Field(
        nullable=True, description="The document(s) that explain the delta, when one does."
    )
    corrected: bool = pa.Field(
        description="True when a count_correction was posted to the ledger (unexplained "
        "deltas only; timing differences resolve themselves)."
    )


class Allocations(pa.DataFrameModel):
    """core.allocations: one row per order line x fulfilling location decision."""

    order_id: str = pa.Field(description="Order (core.orders).")
    line_number: pl.Int32 = pa.Field(ge=1, description="Line of the order.")
    sku: str = pa.Field(description="Item allocated.")
    location_id: str = pa.Field(
        nullable=True, description="Location that ships the units; null when backordered."
    )
    quantity: pl.Int32 = pa.Field(gt=0, description="Units this row covers.")
    status: str = pa.Field(
        isin=["allocated", "split", "backordered"],
        description="allocated (whole line from one location), split (one of several "
        "locations), backordered (units nobody can ship now).",
    )
    rule: str = pa.Field(
        description="Rule set version and strategy that decided ('<version>/<strategy>')."
    )
    reason: str = pa.Field(description="Why: the filters and sort that chose the location.")
    distance_km: pl.Float64 = pa.Field(
        nullable=True, description="Great-circle distance location -> ship-to, km."
    )
    allocated_at: UtcTimestamp = pa.Field(description="Time the decision is valid for, UTC.")


class ReturnChecks(Lineage):
    """core.return_checks: each return checked against what was paid for the line."""

    return_id: str = pa.Field(unique=True, description="Return (core.returns).")
    order_id: str = pa.Field(description="Order the goods were sold on.")
    sku: str = pa.Field(description="Item returned.")
    returned_at: UtcTimestamp = pa.Field(description="When the return was recorded, UTC.")
    quantity: pl.Int32 = pa.Field(gt=0, description="Units returned.")
    total_refund: Money = pa.Field(ge=0, description="refund_amount + tax_refund of this return.")
    paid_amount: Money = pa.Field(
        nullable=True,
        description="Net total plus tax paid for the SKU on the order; null when the sale is "
        "not in the warehouse.",
    )
    refunded_to_date: Money = pa.Field(
        ge=0, description="Refunds of the SKU on the order up to and including this one."
    )
    over_refund_amount: Money = pa.Field(
        nullable=True,
        ge=0,
        description="Part of this refund above what was paid (counted on the refund that "
        "crosses the line, never again).",
    )
    flag: str = pa.Field(
        isin=["ok", "over_refund", "over_quantity", "unmatched"],
        description="ok; over_refund (more money back than paid); over_quantity (more units "
        "back than sold); unmatched (sale not loaded).",
    )
    stock_bucket: str = pa.Field(
        isin=["sellable", "damaged", "not_restocked"],
        description="Where the units went: back on the shelf, the damaged bucket, or nowhere "
        "(no receiving location).",
    )
    currency: str = pa.Field(str_length=3, description="ISO 4217 currency of the amounts.")


TABLES = [
    TableContract(
        "core.inventory_movements",
        InventoryMovements,
        "Signed stock ledger per SKU x location from every source.",
    ),
    TableContract(
        "core.inventory_counts",
        InventoryCounts,
        "Physical counts and on-hand snapshots from stores and warehouses.",
    ),
    TableContract(
        "core.inventory_positions",
        InventoryPositions,
        "On hand, allocated and available-to-promise per SKU x location.",
    ),
    TableContract(
        "core.inventory_discrepancies",
        InventoryDiscrepancies,
        "Counts that disagree with the books, with the likely cause.",
    ),
    TableContract(
        "core.allocations",
        Allocations,
        "Which location ships each open order line, by which rule and why.",
    ),
    TableContract(
        "core.return_checks",
        ReturnChecks,
        "Each return checked against what was paid: over-refunds flagged once.",
    ),
]
