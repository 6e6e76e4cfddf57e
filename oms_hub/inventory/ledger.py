"""The stock ledger: every signed movement per SKU x location, from every source.

Why a ledger and not a running balance: a position "as of" any moment is then a sum
over the movements before it, counts can be compared with the books at their own time,
and every unit can be traced to the document that moved it.

Sources of movements:

* stock files (``inventory`` streams): opening balances, supplier receipts, transfer
  shipped (out of the sender) / received (into the receiver);
* ``core.order_lines`` of any channel that names the location the goods left from
  (``location_id`` set: store sales; an order still ``open`` is not a sale yet, it is
  allocated instead);
* warehouse shipments reported by the 3PL (EDI 945, staged ``edi/shipments``): a
  ``sale`` out of the distribution centre at the ship time, per shipment, referencing
  the order (so an order shipped in parts moves stock part by part);
* ``core.returns`` that name the receiving location: sellable (or unknown, as POS
  refunds are) back on the shelf, damaged into the non-sellable ``damaged`` bucket;
* count corrections decided by ``reconcile`` for deltas no document explains.
"""

from __future__ import annotations

import polars as pl

from oms_hub.orders.versions import mark_latest
from oms_hub.quality.contracts import contract

LEDGER = "core.inventory_movements"
_COLUMNS = list(contract(LEDGER).polars_schema().names())


def _shape(frame: pl.LazyFrame) -> pl.LazyFrame:
    schema = contract(LEDGER).polars_schema()
    have = set(frame.collect_schema().names())
    # shipment_id is the only column a source may leave out (null: not a warehouse shipment)
    return frame.select(
        [
            (pl.col(n) if n in have or n != "shipment_id" else pl.lit(None)).cast(t).alias(n)
            for n, t in schema.items()
        ]
    )


def stock_file_movements(staged: pl.LazyFrame, file_order: pl.LazyFrame) -> pl.LazyFrame:
    """Latest version of every staged stock-file movement (opening, receipt, transfers)."""
    latest = mark_latest(staged, file_order).filter(pl.col("is_latest"))
    return _shape(latest.with_columns(bucket=pl.lit("sellable")))


def sale_movements(lines: pl.LazyFrame, orders: pl.LazyFrame) -> pl.LazyFrame:
    """Lines that left a named location: completed orders' lines with a ``location_id``."""
    done = orders.filter(pl.col("status") == "completed").select("order_id")
    return _shape(
        lines.filter(pl.col("location_id").is_not_null())
        .join(done, on="order_id", how="semi")
        .select(
            "sku",
            "location_id",
            pl.col("ordered_at").alias("moved_at"),
            pl.lit("sale").alias("kind"),
            pl.lit("sellable").alias("bucket"),
            (-pl.col("quantity")).alias("quantity"),
            pl.col("order_id").alias("reference"),
            pl.lit(None, pl.String).alias("counterpart_location_id"),
            "source",
            "landed_file",
            "locator",
        )
    )


def shipment_movements(shipments: pl.LazyFrame) -> pl.LazyFrame:
    """Shipped lines (staged ``edi/shipments``) as sales out of the shipping warehouse."""
    return _shape(
        shipments.filter(pl.col("quantity") != 0).select(
            "sku",
            "location_id",
            pl.col("shipped_at").alias("moved_at"),
            pl.lit("sale").alias("kind"),
            pl.lit("sellable").alias("bucket"),
            (-pl.col("quantity")).alias("quantity"),
            pl.col("order_id").alias("reference"),
            pl.lit(None, pl.String).alias("counterpart_location_id"),
            "shipment_id",
            "source",
            "landed_file",
            "locator",
        )
    )


def return_movements(returns: pl.LazyFrame) -> pl.LazyFrame:
    """Returned units back into stock at the receiving location (damaged ones set apart)."""
    damaged = pl.col("condition") == "damaged"
    return _shape(
        returns.filter(pl.col("location_id").is_not_null()).select(
            "sku",
            "location_id",
            pl.col("returned_at").alias("moved_at"),
            pl.when(damaged)
            .then(pl.lit("return_damaged"))
            .otherwise(pl.lit("return_restock"))
            .alias("kind"),
            pl.when(damaged).then(pl.lit("damaged")).otherwise(pl.lit("sellable")).alias("bucket"),
            "quantity",
            pl.col("return_id").alias("reference"),
            pl.lit(None, pl.String).alias("counterpart_location_id"),
            "source",
            "landed_file",
            "locator",
        )
    )


def build_ledger(parts: list[pl.LazyFrame]) -> pl.LazyFrame:
    """Concatenate movement parts in a stable order (pair, time, kind, reference)."""
    if not parts:
        return contract(LEDGER).empty().lazy()
    return pl.concat([_shape(p) for p in parts]).sort(
        "sku",
        "location_id",
        "moved_at",
        "kind",
        "reference",
        "landed_file",
        "locator",
        nulls_last=True,
    )


def in_transit(ledger: pl.LazyFrame) -> pl.LazyFrame:
    """Transfers shipped and not (yet) received: ``reference, sku, location_id`` (receiver),
    ``quantity``, ``shipped_at``, ``received_at`` (null while in transit)."""
    out = ledger.filter(pl.col("kind") == "transfer_out").select(
        "reference",
        "sku",
        pl.col("counterpart_location_id").alias("location_id"),
        (-pl.col("quantity")).cast(pl.Int64).alias("quantity"),
        pl.col("moved_at").alias("shipped_at"),
    )
    received = (
        ledger.filter(pl.col("kind") == "transfer_in")
        .group_by("reference", "sku")
        .agg(pl.col("moved_at").min().alias("received_at"))
    )
    return out.join(received, on=["reference", "sku"], how="left")
