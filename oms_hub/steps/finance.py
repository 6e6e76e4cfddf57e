"""Step: post new business events to the general ledger; publish trial balance and exports.

The journal is append-only: each run derives every event from the core tables, posts
only those whose entry id is not in ``finance.gl_journal`` yet (so a re-run posts
nothing), dates late events past closed periods, and rewrites the trial balance and the
export files from the whole journal.
"""

from __future__ import annotations

import os
import time
from pathlib import Path
from typing import Any

import polars as pl

from oms_hub.finance.config import Postings, load_postings
from oms_hub.finance.events import (
    all_events,
    inventory_events,
    invoice_events,
    order_events,
    receipt_events,
    refund_events,
    settlement_events,
)
from oms_hub.finance.exports import write_exports
from oms_hub.finance.fees import fees_path, load_fees
from oms_hub.finance.periods import closed_periods
from oms_hub.finance.posting import RATES_SCHEMA, post_events, trial_balance, unbalanced_entries
from oms_hub.finance.reconcile import EXPECTED_SCHEMA, OPTIONAL_SCHEMA, reconcile, with_optional
from oms_hub.home import Home
from oms_hub.orders.versions import mark_latest
from oms_hub.quality.contracts import contract
from oms_hub.sources import SETTLEMENTS
from oms_hub.steps.catalog import file_order
from oms_hub.steps.staging import staged_rows
from oms_hub.storage.lake import Lake

JOURNAL = "finance.gl_journal"
TRIAL_BALANCE = "finance.trial_balance"
PERIODS = "finance.periods"
SETTLEMENT_TABLE = "finance.settlements"
RECONCILIATION = "finance.payment_reconciliation"
#: A home's own chart and rules (else $OMS_HUB_FINANCE_POSTINGS, else the packaged default).
POSTINGS_FILE = Path("config") / "finance-postings.yaml"
#: A home's dated rate table: currency, valid_from (YYYY-MM-DD), rate (base per unit).
RATES_FILE = Path("config") / "fx-rates.csv"


def postings_path(home: Home) -> Path | None:
    """The postings file in force for a home (None: the packaged default)."""
    own = home.root / POSTINGS_FILE
    if own.exists():
        return own
    env = os.environ.get("OMS_HUB_FINANCE_POSTINGS")
    return Path(env) if env else None


def load_rates(home: Home) -> pl.DataFrame:
    """The home's rate table (empty: single-currency books)."""
    path = home.root / RATES_FILE
    if not path.exists():
        return pl.DataFrame(schema=RATES_SCHEMA)
    raw = pl.read_csv(path, infer_schema=False)
    missing = {"currency", "valid_from", "rate"} - set(raw.columns)
    if missing:
        raise ValueError(f"{path.name}: missing column(s) {', '.join(sorted(missing))}")
    return raw.select(
        pl.col("currency"),
        pl.col("valid_from").str.to_date("%Y-%m-%d"),
        pl.col("rate").str.to_decimal(scale=8).cast(RATES_SCHEMA["rate"]),
    )


def _table(lake: Lake, name: str) -> pl.LazyFrame:
    return lake.scan(name) if lake.has_data(name) else contract(name).empty().lazy()


def business_events(lake: Lake) -> pl.DataFrame:
    """Every business event derivable from the core tables the lake holds."""
    return all_events(
        [
            order_events(_table(lake, "core.orders")),
            invoice_events(_table(lake, "finance.ar_invoices"), _table(lake, "core.orders")),
            refund_events(_table(lake, "core.returns")),
            inventory_events(
                _table(lake, "core.inventory_movements"), _table(lake, "core.products")
            ),
            settlement_events(_table(lake, SETTLEMENT_TABLE)),
            receipt_events(_table(lake, "finance.ar_receipts")),
        ]
    )


def build_ledger(home: Home, postings: Postings | None = None) -> dict[str, Any]:
    """Post what is new, then rewrite the trial balance, periods and exports."""
    started = time.perf_counter()
    lake = Lake(home)
    postings = postings or load_postings(postings_path(home))
    closed = closed_periods(home)
    existing = lake.read(JOURNAL) if lake.has_data(JOURNAL) else contract(JOURNAL).empty()
    events = business_events(lake)
    posted = post_events(
        events,
        postings,
        rates=load_rates(home),
        closed=set(closed),
        already_posted=existing["entry_id"].unique(),
    )
    new = contract(JOURNAL).conform(posted.lines)
    journal = pl.concat([existing, new]) if new.height else existing
    unbalanced = unbalanced_entries(journal)
    if unbalanced.height:  # never write books that do not balance
        raise ValueError(
            f"{unbalanced.height} journal entries do not balance, e.g. {unbalanced['entry_id'][0]}"
        )
    if new.height or not lake.has_data(JOURNAL):
        lake.write(JOURNAL, journal)
    tb = contract(TRIAL_BALANCE).conform(trial_balance(journal, postings))
    lake.write(TRIAL_BALANCE, tb)
    periods = pl.DataFrame(
        {"period": list(closed), "closed_at": list(closed.values())},
        schema={"period": pl.String, "closed_at": pl.String},
    )
    lake.write(PERIODS, contract(PERIODS).conform(periods))
    files = write_exports(journal, tb, home.reports)
    if posted.unposted.height:
        posted.unposted.write_csv(home.reports / "finance" / "unposted_events.csv")
    suspense = new.filter(pl.col("account") == postings.suspense_account)
    return {
        "events": events.height,
        "entries_posted": new["entry_id"].n_unique(),
        "lines_posted": new.height,
        "journal_lines": journal.height,
        "late_postings": new.filter(pl.col("late_posting"))["entry_id"].n_unique(),
        "suspense_entries": suspense["entry_id"].n_unique(),
        "unposted_events": posted.unposted.height,
        "closed_periods": len(closed),
        "postings_version": postings.version,
        "export_files": len(files),
        "seconds": round(time.perf_counter() - started, 3),
    }


def expected_payments(payments: pl.LazyFrame, orders: pl.LazyFrame) -> pl.LazyFrame:
    """What each processor should settle, from core.payments.

    Captures and sales that succeeded are expected charges, refunds expected refunds.
    The processor follows the gateway (Amazon: the marketplace itself); its settlement
    reference is the payment's processor_ref, except Shopify Payments (the order name)
    and Amazon (the Amazon order id), which settle by order. Payments through no known
    processor (cash, manual) are not expected in any settlement.
    """
    gateway = pl.col("gateway").fill_null("").str.to_lowercase()
    processor = (
        pl.when(pl.col("source") == "amazon")
        .then(pl.lit("amazon"))
        .when(gateway.str.contains("shopify_payments|shopify payments"))
        .then(pl.lit("shopify_payments"))
        .when(gateway.str.contains("stripe"))
        .then(pl.lit("stripe"))
        .when(gateway.str.contains("paypal|ppcp"))  # WooCommerce PayPal Payments: ppcp-gateway
        .then(pl.lit("paypal"))
    )
    ok = pl.col("status").is_null() | pl.col("status").str.to_lowercase().is_in(
        ["success", "succeeded", "completed", "paid", "captured"]
    )
    order_ref = pl.coalesce(pl.col("order_number"), pl.col("source_order_id"))
    return (
        payments.filter(pl.col("kind").is_in(["sale", "capture", "refund"]) & ok)
        .join(
            orders.select("order_id", "order_number", "source_order_id"), on="order_id", how="left"
        )
        .with_columns(processor=processor)
        .filter(pl.col("processor").is_not_null())
        .select(
            "order_id",
            "processor",
            processor_ref=pl.when(pl.col("processor") == "shopify_payments")
            .then(pl.col("order_number"))
            .when(pl.col("processor") == "amazon")
            .then(pl.col("source_order_id"))
            .otherwise(pl.col("processor_ref")),
            order_ref=order_ref,
            kind=pl.when(pl.col("kind") == "refund")
            .then(pl.lit("refund"))
            .otherwise(pl.lit("charge")),
            expected_amount=pl.col("amount"),
            currency=pl.col("currency"),
            expected_on=pl.col("processed_at").cast(pl.Datetime("us", "UTC")).dt.date(),
        )
        .cast(EXPECTED_SCHEMA)  # type: ignore[arg-type]
    )


def amazon_expected(orders: pl.LazyFrame, lines: pl.LazyFrame) -> pl.LazyFrame:
    """What Amazon should settle for the Amazon orders, decided from the orders themselves.

    The Orders API shows no payment transactions, so ``core.payments`` has no Amazon rows.
    Amazon pays a seller when an order ships: every Amazon order the hub has as
    ``completed`` (Shipped) is one expected charge of its total (price + tax + shipping),
    expected on its last update (the ship day as the hub knows it), with its tax (the
    referral fee excludes it) and its units fulfilled by Amazon (the FBA fee is per unit).
    Open, pending and cancelled orders are not expected yet. Refunds Amazon settles are
    not in the Orders API either, so they show as unexpected settlements.
    """
    units = lines.group_by("order_id").agg(_units=pl.col("quantity").cast(pl.Int64).sum())
    return (
        orders.filter((pl.col("source") == "amazon") & (pl.col("status") == "completed"))
        .join(units, on="order_id", how="left")
        .select(
            "order_id",
            processor=pl.lit("amazon"),
            processor_ref=pl.col("source_order_id"),
            order_ref=pl.coalesce(pl.col("order_number"), pl.col("source_order_id")),
            kind=pl.lit("charge"),
            expected_amount=pl.col("total"),
            currency=pl.col("currency"),
            expected_on=pl.col("updated_at").dt.date(),
            tax_amount=pl.col("tax_amount"),
            fulfilled_units=pl.when(pl.col("fulfilled_by") == "amazon")
            .then(pl.col("_units").fill_null(0))
            .otherwise(0),
        )
        .cast({**EXPECTED_SCHEMA, **OPTIONAL_SCHEMA})  # type: ignore[arg-type]
    )


def build_settlements(home: Home) -> dict[str, Any]:
    """Latest settlement rows, and every expected payment reconciled against them."""
    started = time.perf_counter()
    lake = Lake(home)
    rows = staged_rows(home, SETTLEMENTS)
    if rows is None:
        settled = contract(SETTLEMENT_TABLE).empty()
    else:
        settled = contract(SETTLEMENT_TABLE).conform(
            mark_latest(rows, file_order(home))
            .filter(pl.col("is_latest"))
            .sort("processor", "settled_on", "transaction_ref", "landed_file", "locator")
            .collect()
        )
    lake.write(SETTLEMENT_TABLE, settled)
    orders = _table(lake, "core.orders")
    from_payments = expected_payments(_table(lake, "core.payments"), orders)
    # Amazon orders a payment row already covers are not expected twice.
    from_orders = amazon_expected(orders, _table(lake, "core.order_lines")).join(
        from_payments.select("order_id"), on="order_id", how="anti"
    )
    expected = pl.concat(
        [with_optional(from_payments), from_orders], how="vertical_relaxed"
    ).collect()
    schedule = load_fees(fees_path(home.root))
    result = contract(RECONCILIATION).conform(reconcile(expected, settled, schedule=schedule))
    lake.write(RECONCILIATION, result)
    counts = dict(result.group_by("status").len().iter_rows())
    per_processor = dict(result.group_by("processor").len().iter_rows())
    return {
        **{f"rows_{k}": v for k, v in sorted(per_processor.items())},
        "settlement_rows": settled.height,
        "expected_payments": expected.height,
        "reconciliation_rows": result.height,
        **{f"status_{k}": v for k, v in sorted(counts.items())},
        "seconds": round(time.perf_counter() - started, 3),
    }
