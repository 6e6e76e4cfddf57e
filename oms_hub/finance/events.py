"""Business events derived from the core tables, one row per event, in one shape.

An event is what finance books as one journal entry: an order sold or invoiced, goods
shipped (cost out of inventory), a line refunded, goods restocked. Each row carries a
deterministic ``event_id`` (``<event>:<business key>``) so the same event found on a
later run is recognised and not posted again, the day it happened, its currency, the
amount fields the posting rules may name (``config.AMOUNT_FIELDS``; null where the
event has none) and the lineage of the record it came from.
"""

from __future__ import annotations

import polars as pl

from oms_hub.finance.config import AMOUNT_FIELDS
from oms_hub.quality.contracts.base import MONEY_DTYPE

EVENT_SCHEMA: dict[str, pl.DataType] = {
    "event_id": pl.String(),
    "event": pl.String(),
    "source_ref": pl.String(),
    "occurred_on": pl.Date(),
    "currency": pl.String(),
    "memo": pl.String(),
    **{f: MONEY_DTYPE for f in AMOUNT_FIELDS},
    "source": pl.String(),
    "landed_file": pl.String(),
    "locator": pl.String(),
}


def shape(frame: pl.LazyFrame) -> pl.LazyFrame:
    """Give a partial event frame the full event shape (missing amounts null)."""
    have = set(frame.collect_schema().names())
    return frame.select(
        [
            (pl.col(n) if n in have else pl.lit(None)).cast(t).alias(n)
            for n, t in EVENT_SCHEMA.items()
        ]
    )


def _money(expr: pl.Expr) -> pl.Expr:
    return expr.fill_null(0).cast(MONEY_DTYPE)


def order_events(orders: pl.LazyFrame) -> pl.LazyFrame:
    """A sale per order that was not cancelled. EDI orders are not sales at order time:
    they are B2B invoices on terms, booked when invoiced (``invoice_events``)."""
    return shape(
        orders.filter((pl.col("status") != "cancelled") & (pl.col("channel") != "edi")).select(
            event=pl.when(pl.col("channel") == "edi")
            .then(pl.lit("b2b_invoice"))
            .otherwise(pl.lit("sale")),
            source_ref=pl.col("order_id"),
            occurred_on=pl.col("ordered_at").dt.date(),
            currency=pl.col("currency"),
            memo=pl.format("{} order {}", pl.col("channel"), pl.col("source_order_id")),
            total=_money(pl.col("total")),
            discount=_money(pl.col("discount_amount")),
            gross=_money(pl.col("gross_amount")),
            tax=_money(pl.col("tax_amount")),
            shipping=_money(pl.col("shipping_amount")),
            charges=_money(pl.col("charge_amount")),
            source=pl.col("source"),
            landed_file=pl.col("landed_file"),
            locator=pl.col("locator"),
        )
    ).with_columns(event_id=pl.format("{}:{}", pl.col("event"), pl.col("source_ref")))


def invoice_events(invoices: pl.LazyFrame, orders: pl.LazyFrame) -> pl.LazyFrame:
    """A ``b2b_invoice`` per ``finance.ar_invoices`` row, dated on its invoice day.

    The invoice day is the day the order shipped (see ``finance.receivables``), so
    receivables (account 1200) and revenue are booked when the goods leave, and the
    sub-ledger and the journal agree day by day. Lineage is the order's record.
    """
    lineage = orders.select("order_id", "channel", "source", "landed_file", "locator")
    return shape(
        invoices.join(lineage, on="order_id", how="left").select(
            event=pl.lit("b2b_invoice"),
            source_ref=pl.col("order_id"),
            occurred_on=pl.col("invoiced_on"),
            currency=pl.col("currency"),
            memo=pl.format(
                "{} order {} invoice {}",
                pl.col("channel").fill_null("edi"),
                pl.col("po_number"),
                pl.col("invoice_id"),
            ),
            total=_money(pl.col("amount")),
            discount=_money(pl.col("discount")),
            gross=_money(pl.col("gross")),
            tax=_money(pl.col("tax")),
            shipping=_money(pl.col("shipping")),
            charges=_money(pl.col("charges")),
            source=pl.col("source"),
            landed_file=pl.col("landed_file"),
            locator=pl.col("locator"),
        )
    ).with_columns(event_id=pl.format("b2b_invoice:{}", pl.col("source_ref")))


def refund_events(returns: pl.LazyFrame) -> pl.LazyFrame:
    """A refund per returned line: net refund plus the tax given back."""
    return shape(
        returns.select(
            event=pl.lit("refund"),
            source_ref=pl.col("return_id"),
            occurred_on=pl.col("returned_at").dt.date(),
            currency=pl.col("currency"),
            memo=pl.format("refund on {} ({})", pl.col("order_id"), pl.col("sku")),
            refund=_money(pl.col("refund_amount")),
            tax_refund=_money(pl.col("tax_refund")),
            refund_total=_money(pl.col("refund_amount") + pl.col("tax_refund")),
            source=pl.col("source"),
            landed_file=pl.col("landed_file"),
            locator=pl.col("locator"),
        )
    ).with_columns(event_id=pl.format("refund:{}", pl.col("source_ref")))


def inventory_events(movements: pl.LazyFrame, products: pl.LazyFrame) -> pl.LazyFrame:
    """Shipments (cost out, per order x location, and per warehouse shipment when a 945
    reported it, so each part of a partial shipment posts its own cost), restocks (cost
    back, per return), opening stock and supplier receipts (cost in, per document x
    location).

    Cost is units x the product's unit cost in the catalog (the hub keeps no cost
    layers; FIFO costing would replace this one join).
    """
    cost = products.select("sku", pl.col("cost").alias("unit_cost"), "currency")
    kinds = {
        "sale": "shipment",
        "return_restock": "restock",
        "opening": "opening_stock",
        "receipt": "stock_receipt",
    }
    moves = movements.filter(pl.col("kind").is_in(list(kinds))).join(cost, on="sku", how="inner")
    per_event = (
        moves.with_columns(
            event=pl.col("kind").replace_strict(kinds, return_dtype=pl.String),
            line_cost=(pl.col("quantity").abs().cast(MONEY_DTYPE) * pl.col("unit_cost")).cast(
                MONEY_DTYPE
            ),
        )
        .with_columns(
            reference=pl.coalesce("reference", pl.format("{}", pl.col("moved_at").dt.date()))
        )
        .with_columns(
            shipment_id=pl.col("shipment_id")
            if "shipment_id" in movements.collect_schema().names()
            else pl.lit(None, dtype=pl.String)
        )
        .group_by("event", "reference", "location_id", "shipment_id", "currency")
        .agg(
            occurred_on=pl.col("moved_at").min().dt.date(),
            cost=pl.col("line_cost").sum().cast(MONEY_DTYPE),
            source=pl.col("source").sort_by("landed_file", "locator").first(),
            landed_file=pl.col("landed_file").sort().first(),
            locator=pl.col("locator").sort_by("landed_file", "locator").first(),
        )
        .with_columns(
            source_ref=pl.format("{}@{}", pl.col("reference"), pl.col("location_id"))
            + pl.when(pl.col("shipment_id").is_not_null())
            .then(pl.format("/{}", pl.col("shipment_id")))
            .otherwise(pl.lit("")),
            memo=pl.format(
                "{} {} at {}", pl.col("event"), pl.col("reference"), pl.col("location_id")
            ),
        )
    )
    return shape(per_event).with_columns(
        event_id=pl.format("{}:{}", pl.col("event"), pl.col("source_ref"))
    )


def all_events(parts: list[pl.LazyFrame]) -> pl.DataFrame:
    """Every event, one row per event_id, in a stable order."""
    if not parts:
        return pl.DataFrame(schema=EVENT_SCHEMA)
    return (
        pl.concat([shape(p) for p in parts])
        .unique("event_id", keep="first", maintain_order=True)
        .sort("occurred_on", "event_id")
        .collect()
    )


def settlement_events(settlements: pl.LazyFrame) -> pl.LazyFrame:
    """From processor settlements: fees, chargebacks and their reversals, payouts.

    Sales and refunds themselves are already booked from the orders and returns; the
    settlement adds what only the processor knows (the fee it kept, money it took back
    or returned, money it paid to the bank).
    """
    # the row's version key: a transaction id, with the kind (a file may reuse an id for
    # a charge and its dispute)
    key = pl.format("{}:{}:{}", pl.col("processor"), pl.col("transaction_ref"), pl.col("kind"))
    lineage = [pl.col("source"), pl.col("landed_file"), pl.col("locator")]
    common = [
        pl.col("settled_on").alias("occurred_on"),
        pl.col("currency"),
        key.alias("source_ref"),
        *lineage,
    ]
    fees = settlements.filter(pl.col("fee") != 0).select(
        *common,
        event=pl.lit("processor_fee"),
        memo=pl.format("{} fee on {}", pl.col("processor"), pl.col("transaction_ref")),
        fee=pl.col("fee"),
    )
    moves = settlements.filter(
        pl.col("kind").is_in(["chargeback", "chargeback_reversal", "payout"])
    ).select(
        *common,
        event=pl.col("kind"),
        memo=pl.format("{} {} {}", pl.col("processor"), pl.col("kind"), pl.col("transaction_ref")),
        amount=pl.col("gross").abs().cast(MONEY_DTYPE),
    )
    return pl.concat([shape(fees), shape(moves)]).with_columns(
        event_id=pl.format("{}:{}", pl.col("event"), pl.col("source_ref"))
    )


def receipt_events(receipts: pl.LazyFrame) -> pl.LazyFrame:
    """A ``b2b_payment`` per lockbox receipt: cash in, receivable down.

    An unapplied receipt (its invoice unknown) still credits receivables: the money is
    the customer's, and the open item shows as a credit once the invoice is found.
    """
    return shape(
        receipts.select(
            event=pl.lit("b2b_payment"),
            source_ref=pl.col("receipt_id"),
            occurred_on=pl.col("deposited_on"),
            currency=pl.col("currency"),
            memo=pl.format("lockbox receipt on {}", pl.col("invoice_id")),
            amount=pl.col("amount").cast(MONEY_DTYPE),
            source=pl.col("source"),
            landed_file=pl.col("landed_file"),
            locator=pl.col("locator"),
        )
    ).with_columns(event_id=pl.format("b2b_payment:{}", pl.col("source_ref")))
