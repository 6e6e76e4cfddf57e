"""Receivables: B2B (EDI) invoices on shipment, receipts applied to them, and their aging.

Why a sub-ledger next to the journal: the journal says how much account 1200 holds;
collections needs to know *which* invoice is open, since when and how late. Pure
polars: frames in, frames out; the step does the I/O.

* **Invoice**: one per EDI order not cancelled **that has shipped**, for the order's
  total (to the cent), invoice id ``INV-<partner>-<PO number>``, invoiced on the day of
  its first shipment: the first ``core.inventory_movements`` row of kind ``sale`` that
  references the order (a warehouse shipment reported by an EDI 945). Why one invoice
  at the first shipment and not one per shipment: the buyer's PO is the unit its
  accounts-payable matches (PO, receipt, invoice), and partial shipments in the sample
  trade are completed within days; the balance still open is the order's, and the
  ledger posts the cost of each part as it ships. An order not shipped yet is not
  invoiced (no receivable, no revenue): finance recognises B2B revenue when the goods
  leave. ``invoice_unshipped=True`` (``$OMS_HUB_AR_INVOICE_UNSHIPPED=1``) restores the
  old fallback for hubs with no shipping feed: unshipped orders are invoiced on the
  order day plus ``FALLBACK_SHIP_DAYS``. ``shipped_from`` says which rule dated each
  invoice (``shipment`` / ``order_date``). The ``b2b_invoice`` journal entry is dated
  on the invoice day, so the sub-ledger and account 1200 agree day by day.
* **Terms**: due ``payment_terms_days`` after invoicing, from the partner's entry in the
  EDI partner file (matched on the order's customer account).
* **Receipts** (lockbox rows) apply to the invoice they name; a receipt naming no known
  invoice stays unapplied (``finance.ar_receipts.applied = false``).
* **Aging** at an as-of date: balance = amount - receipts deposited on or before it;
  invoices with a zero balance drop out; bucket by days past due: ``current`` (not yet
  due), ``1-30``, ``31-60``, ``61-90``, ``90+``. An overpaid invoice shows a negative
  balance in its bucket (a credit to refund or apply).
"""

from __future__ import annotations

import datetime as dt

import polars as pl

from oms_hub.quality.contracts.base import MONEY_DTYPE

FALLBACK_SHIP_DAYS = 0
BUCKETS = ("current", "1-30", "31-60", "61-90", "90+")

INVOICE_SCHEMA: dict[str, pl.DataType] = {
    "invoice_id": pl.String(),
    "order_id": pl.String(),
    "po_number": pl.String(),
    "partner_id": pl.String(),
    "customer_account": pl.String(),
    "customer_key": pl.String(),
    "invoiced_on": pl.Date(),
    "shipped_from": pl.String(),
    "terms_days": pl.Int32(),
    "due_on": pl.Date(),
    "amount": MONEY_DTYPE,
    "gross": MONEY_DTYPE,
    "discount": MONEY_DTYPE,
    "tax": MONEY_DTYPE,
    "shipping": MONEY_DTYPE,
    "charges": MONEY_DTYPE,
    "currency": pl.String(),
}


def _money(name: str) -> pl.Expr:
    return pl.col(name).fill_null(0).cast(MONEY_DTYPE)


def shipped_days(movements: pl.LazyFrame) -> pl.LazyFrame:
    """order_id, shipped_on: the first sale movement that references each order."""
    return (
        movements.filter((pl.col("kind") == "sale") & pl.col("reference").is_not_null())
        .group_by(pl.col("reference").alias("order_id"))
        .agg(shipped_on=pl.col("moved_at").min().dt.date())
    )


def invoices(
    orders: pl.LazyFrame,
    partners: pl.DataFrame,
    shipped: pl.LazyFrame,
    *,
    invoice_unshipped: bool = False,
) -> pl.LazyFrame:
    """One invoice per shipped EDI order not cancelled (see the module docstring)."""
    terms = partners.lazy().select(
        "partner_id", "customer_account", pl.col("payment_terms_days").alias("terms_days")
    )
    edi = orders.filter((pl.col("channel") == "edi") & (pl.col("status") != "cancelled"))
    partner = pl.col("order_id").str.split(":").list.get(1, null_on_oob=True)
    return (
        edi.with_columns(partner_id=partner)
        .join(shipped, on="order_id", how="left" if invoice_unshipped else "inner")
        .join(terms.drop("customer_account"), on="partner_id", how="left")
        .with_columns(
            invoiced_on=pl.coalesce(
                "shipped_on",
                pl.col("ordered_at").dt.date() + pl.duration(days=FALLBACK_SHIP_DAYS),
            ),
            shipped_from=pl.when(pl.col("shipped_on").is_not_null())
            .then(pl.lit("shipment"))
            .otherwise(pl.lit("order_date")),
            terms_days=pl.col("terms_days").fill_null(30).cast(pl.Int32),
        )
        .select(
            invoice_id=pl.format("INV-{}-{}", "partner_id", "source_order_id"),
            order_id="order_id",
            po_number="source_order_id",
            partner_id="partner_id",
            customer_account="source_customer_id",
            customer_key="customer_key",
            invoiced_on="invoiced_on",
            shipped_from="shipped_from",
            terms_days="terms_days",
            due_on=pl.col("invoiced_on") + pl.duration(days=pl.col("terms_days")),
            amount=_money("total"),
            gross=_money("gross_amount"),
            discount=_money("discount_amount"),
            tax=_money("tax_amount"),
            shipping=_money("shipping_amount"),
            charges=_money("charge_amount"),
            currency="currency",
        )
        .cast(INVOICE_SCHEMA)  # type: ignore[arg-type]
        .sort("invoiced_on", "invoice_id")
    )


def applied_receipts(receipts: pl.LazyFrame, invoice_ids: pl.LazyFrame) -> pl.LazyFrame:
    """Receipts with ``applied``: true when the invoice they name exists."""
    known = invoice_ids.select("invoice_id").unique().with_columns(applied=pl.lit(True))
    return receipts.join(known, on="invoice_id", how="left").with_columns(
        pl.col("applied").fill_null(False)
    )


def bucket(days_past_due: pl.Expr) -> pl.Expr:
    """current (not yet due), 1-30, 31-60, 61-90, 90+ days past due."""
    return (
        pl.when(days_past_due <= 0)
        .then(pl.lit("current"))
        .when(days_past_due <= 30)
        .then(pl.lit("1-30"))
        .when(days_past_due <= 60)
        .then(pl.lit("31-60"))
        .when(days_past_due <= 90)
        .then(pl.lit("61-90"))
        .otherwise(pl.lit("90+"))
    )


def ar_aging(invoices: pl.LazyFrame, receipts: pl.LazyFrame, as_of: dt.date) -> pl.LazyFrame:
    """Open invoices at ``as_of``: balance after receipts deposited by then, and bucket."""
    paid = (
        receipts.filter(pl.col("deposited_on") <= as_of)
        .group_by("invoice_id")
        .agg(
            paid=pl.col("amount").sum().cast(MONEY_DTYPE), last_paid_on=pl.col("deposited_on").max()
        )
    )
    days = (pl.lit(as_of) - pl.col("due_on")).dt.total_days().cast(pl.Int32)
    return (
        invoices.filter(pl.col("invoiced_on") <= as_of)
        .join(paid, on="invoice_id", how="left")
        .with_columns(paid=pl.col("paid").fill_null(0).cast(MONEY_DTYPE))
        .with_columns(balance=(pl.col("amount") - pl.col("paid")).cast(MONEY_DTYPE))
        .filter(pl.col("balance") != 0)
        .with_columns(days_past_due=days)
        .select(
            "invoice_id",
            "order_id",
            "partner_id",
            "customer_account",
            "customer_key",
            "invoiced_on",
            "due_on",
            "amount",
            "paid",
            "balance",
            "currency",
            "days_past_due",
            bucket(pl.col("days_past_due")).alias("bucket"),
            "last_paid_on",
            pl.lit(as_of).alias("as_of"),
        )
        .sort("invoice_id")
    )
