"""Finance contracts: the general ledger, settlements, and B2B receivables."""

from __future__ import annotations

import pandera.polars as pa
import polars as pl

from oms_hub.quality.contracts.base import Lineage, Money, TableContract


class GlJournal(Lineage):
    """finance.gl_journal: one row per journal line; one balanced entry per business event."""

    entry_id: str = pa.Field(
        description="Journal entry id = the business event id '<event>:<business key>' "
        "(deterministic: a re-run posts nothing new)."
    )
    line_number: pl.Int32 = pa.Field(ge=1, description="1-based line within the entry.")
    posted_on: pl.Date = pa.Field(
        description="Posting date: the event's day, or the first day of the first open "
        "period when the event's period was closed."
    )
    period: str = pa.Field(description="Accounting period posted to, 'YYYY-MM'.")
    event_date: pl.Date = pa.Field(description="Day the business event happened (UTC).")
    late_posting: bool = pa.Field(
        description="True when the event's own period was closed and it posted later."
    )
    journal: str = pa.Field(description="Journal the rule books into (SALES, INVENTORY, BANK).")
    account: str = pa.Field(description="Account code from the chart of accounts.")
    account_name: str = pa.Field(description="Account name from the chart of accounts.")
    debit: Money = pa.Field(ge=0, description="Debit in the transaction currency.")
    credit: Money = pa.Field(ge=0, description="Credit in the transaction currency.")
    currency: str = pa.Field(str_length=3, description="ISO 4217 transaction currency.")
    fx_rate: pl.Decimal(18, 8) = pa.Field(
        gt=0, description="Base-currency units per transaction-currency unit on the event day."
    )
    debit_base: Money = pa.Field(ge=0, description="Debit in the base currency, to the cent.")
    credit_base: Money = pa.Field(ge=0, description="Credit in the base currency, to the cent.")
    base_currency: str = pa.Field(str_length=3, description="The ledger's base currency.")
    source_event: str = pa.Field(
        description="Business event: sale, b2b_invoice, shipment, refund, restock, "
        "processor_fee, payout, chargeback, chargeback_reversal or b2b_payment."
    )
    source_ref: str = pa.Field(
        description="The business record: order id, return id, or '<order>@<location>'."
    )
    memo: str = pa.Field(nullable=True, description="Line memo (rule memo, else event memo).")


class TrialBalance(pa.DataFrameModel):
    """finance.trial_balance: per period x account, base-currency totals."""

    period: str = pa.Field(description="Accounting period, 'YYYY-MM'.")
    account: str = pa.Field(description="Account code.")
    account_name: str = pa.Field(description="Account name.")
    account_type: str = pa.Field(
        isin=["asset", "liability", "equity", "revenue", "expense"], description="Account type."
    )
    debit: Money = pa.Field(ge=0, description="Sum of base-currency debits in the period.")
    credit: Money = pa.Field(ge=0, description="Sum of base-currency credits in the period.")
    balance: Money = pa.Field(description="Debit - credit for the period.")
    currency: str = pa.Field(str_length=3, description="Base currency of the amounts.")


class Periods(pa.DataFrameModel):
    """finance.periods: every period closed, and when."""

    period: str = pa.Field(unique=True, description="Closed accounting period, 'YYYY-MM'.")
    closed_at: str = pa.Field(description="When the period was closed (ISO 8601, UTC).")


class Settlements(Lineage):
    """finance.settlements: processor settlement rows (Stripe, Shopify Payments, Amazon, PayPal)."""

    processor: str = pa.Field(
        isin=["stripe", "shopify_payments", "amazon", "paypal"],
        description="Payment processor: stripe, shopify_payments, amazon or paypal.",
    )
    settlement_id: str = pa.Field(
        nullable=True, description="Payout / settlement the row was paid out in, if given."
    )
    transaction_ref: str = pa.Field(description="The row's own id in the processor's file.")
    processor_ref: str = pa.Field(
        nullable=True,
        description="Payment reference matched to core.payments (charge id, order name, "
        "Amazon order id, PayPal transaction id; the original charge for a chargeback).",
    )
    order_ref: str = pa.Field(nullable=True, description="Order reference the processor names.")
    kind: str = pa.Field(
        isin=[
            "charge",
            "refund",
            "chargeback",
            "chargeback_reversal",
            "fee",
            "payout",
            "adjustment",
        ],
        description="charge, refund, chargeback, chargeback_reversal, fee, payout or adjustment.",
    )
    gross: Money = pa.Field(
        description="Money moved for the merchant: positive charge, negative refund/chargeback."
    )
    fee: Money = pa.Field(description="Fee the processor kept (positive = charged).")
    net: Money = pa.Field(description="What reached the balance: gross - fee.")
    currency: str = pa.Field(str_length=3, description="ISO 4217 currency.")
    settled_on: pl.Date = pa.Field(description="Day the processor booked the row.")


class PaymentReconciliation(pa.DataFrameModel):
    """finance.payment_reconciliation: each expected payment / unexpected settlement, status."""

    order_id: str = pa.Field(nullable=True, description="Hub order (null: nobody expected it).")
    processor: str = pa.Field(description="Payment processor the money moves through.")
    processor_ref: str = pa.Field(nullable=True, description="Payment reference matched on.")
    order_ref: str = pa.Field(nullable=True, description="Order reference the processor names.")
    kind: str = pa.Field(description="charge, refund, or chargeback (a stray chargeback).")
    expected_amount: Money = pa.Field(nullable=True, description="What the hub expected, positive.")
    settled_amount: Money = pa.Field(nullable=True, description="What settled, positive.")
    fee: Money = pa.Field(nullable=True, description="Fee the processor kept.")
    expected_fee: Money = pa.Field(nullable=True, description="Fee the schedule says.")
    status: str = pa.Field(
        isin=[
            "matched",
            "missing_settlement",
            "amount_mismatch",
            "fee_variance",
            "unexpected_settlement",
            "chargeback",
        ],
        description="matched, missing_settlement, amount_mismatch, fee_variance, "
        "unexpected_settlement or chargeback.",
    )
    difference: Money = pa.Field(
        description="settled - expected (fee variance: expected fee - fee; chargeback: minus "
        "the amount taken back)."
    )
    currency: str = pa.Field(nullable=True, description="ISO 4217 currency.")
    matched_by: str = pa.Field(
        nullable=True,
        isin=["reference", "order", "amount_date"],
        description="How the settlement was found: the processor reference, the order "
        "reference, or amount + date window (null: nothing settled).",
    )


class ArInvoices(pa.DataFrameModel):
    """finance.ar_invoices: one invoice per B2B (EDI) order, issued on shipment."""

    invoice_id: str = pa.Field(
        unique=True, description="Invoice number 'INV-<partner>-<PO number>' (X12 810 BIG02)."
    )
    order_id: str = pa.Field(description="The EDI order invoiced (core.orders).")
    po_number: str = pa.Field(description="The partner's purchase-order number.")
    partner_id: str = pa.Field(nullable=True, description="EDI trading partner (ISA06 sender).")
    customer_account: str = pa.Field(
        nullable=True,
        description="The partner's customer account (core.orders.source_customer_id).",
    )
    customer_key: str = pa.Field(
        nullable=True, description="Resolved customer (core.customers) of the order, if any."
    )
    invoiced_on: pl.Date = pa.Field(description="Invoice date: the day the order shipped.")
    shipped_from: str = pa.Field(
        isin=["shipment", "order_date"],
        description="Where the ship day came from: 'shipment' (a sale movement in "
        "core.inventory_movements) or 'order_date' (none reported: the order day).",
    )
    terms_days: pl.Int32 = pa.Field(ge=0, description="Net terms in days (partner config).")
    due_on: pl.Date = pa.Field(description="Net due date: invoiced_on + terms_days.")
    amount: Money = pa.Field(description="Invoice total = the order's total, to the cent.")
    gross: Money = pa.Field(description="Sum of line gross amounts.")
    discount: Money = pa.Field(ge=0, description="Discounts (positive).")
    tax: Money = pa.Field(description="Tax invoiced.")
    shipping: Money = pa.Field(description="Shipping invoiced.")
    charges: Money = pa.Field(ge=0, description="Other charges invoiced (SAC).")
    currency: str = pa.Field(str_length=3, description="ISO 4217 currency.")
    invoice_file: str = pa.Field(description="The X12 810 written for it, under outbox/edi/.")


class ArReceipts(Lineage):
    """finance.ar_receipts: bank lockbox remittance rows (latest version of each)."""

    receipt_id: str = pa.Field(description="'<deposit date>:<batch>:<item>' in the lockbox file.")
    deposited_on: pl.Date = pa.Field(description="Day the bank deposited the payment.")
    check_number: str = pa.Field(nullable=True, description="Check / wire reference.")
    customer_account: str = pa.Field(nullable=True, description="Remitter account the bank read.")
    invoice_id: str = pa.Field(description="Invoice the remittance names.")
    amount: Money = pa.Field(gt=0, description="Amount received (positive).")
    currency: str = pa.Field(str_length=3, description="ISO 4217 currency.")
    applied: bool = pa.Field(
        description="True when the named invoice exists in finance.ar_invoices (else unapplied cash)."
    )


class ArAging(pa.DataFrameModel):
    """finance.ar_aging: open B2B invoices at an as-of date, with balance and age bucket."""

    invoice_id: str = pa.Field(unique=True, description="Invoice (finance.ar_invoices).")
    order_id: str = pa.Field(description="The EDI order invoiced.")
    partner_id: str = pa.Field(nullable=True, description="EDI trading partner.")
    customer_account: str = pa.Field(nullable=True, description="The partner's customer account.")
    customer_key: str = pa.Field(
        nullable=True, description="Resolved customer (core.customers) of the order, if any."
    )
    invoiced_on: pl.Date = pa.Field(description="Invoice date (ship day).")
    due_on: pl.Date = pa.Field(description="Net due date.")
    amount: Money = pa.Field(description="Invoice total.")
    paid: Money = pa.Field(description="Receipts applied, deposited on or before as_of.")
    balance: Money = pa.Field(description="amount - paid (never 0: settled invoices drop out).")
    currency: str = pa.Field(str_length=3, description="ISO 4217 currency.")
    days_past_due: pl.Int32 = pa.Field(description="as_of - due_on in days (<= 0: not yet due).")
    bucket: str = pa.Field(
        isin=["current", "1-30", "31-60", "61-90", "90+"],
        description="Age bucket: current (not yet due), 1-30, 31-60, 61-90 or 90+ days past due.",
    )
    last_paid_on: pl.Date = pa.Field(nullable=True, description="Latest receipt's deposit day.")
    as_of: pl.Date = pa.Field(description="The day the aging is taken at.")


TABLES = [
    TableContract(
        "finance.gl_journal", GlJournal, "General-ledger journal lines, one entry per event."
    ),
    TableContract(
        "finance.trial_balance", TrialBalance, "Trial balance per period and account (base)."
    ),
    TableContract("finance.periods", Periods, "Closed accounting periods and when closed."),
    TableContract("finance.settlements", Settlements, "Processor settlement rows, latest version."),
    TableContract(
        "finance.payment_reconciliation",
        PaymentReconciliation,
        "Expected payments vs settlements: status and difference.",
    ),
    TableContract("finance.ar_invoices", ArInvoices, "B2B invoices issued on shipment (X12 810)."),
    TableContract("finance.ar_receipts", ArReceipts, "Lockbox receipts, latest version of each."),
    TableContract("finance.ar_aging", ArAging, "Open B2B invoices: balance and age bucket."),
]
