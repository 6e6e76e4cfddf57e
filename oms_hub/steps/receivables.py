"""Step: B2B receivables. Invoice shipped EDI orders (an X12 810 each, to outbox/edi/),
load lockbox receipts, and age what is still open.

The invoices and aging are rebuilt from the core tables every run (pure logic in
``oms_hub.finance.receivables``); an 810 is written once per invoice (an existing file is
left alone, and its bytes are a function of the invoice, so a rewrite would be equal).
The as-of date of the aging is ``$OMS_HUB_AR_AS_OF`` (YYYY-MM-DD) when set, else today
(UTC).
"""

from __future__ import annotations

import datetime as dt
import os
import time
from typing import Any

import polars as pl

from oms_hub.connectors.edi.invoice810 import InvoiceHeader, InvoiceLine, invoice_810
from oms_hub.connectors.edi.partners import load_partners
from oms_hub.finance.receivables import applied_receipts, ar_aging, invoices, shipped_days
from oms_hub.home import Home
from oms_hub.orders.versions import mark_latest
from oms_hub.quality.contracts import contract
from oms_hub.sources import LOCKBOX
from oms_hub.steps.catalog import file_order
from oms_hub.steps.staging import staged_rows
from oms_hub.storage.lake import Lake

INVOICES = "finance.ar_invoices"
RECEIPTS = "finance.ar_receipts"
AGING = "finance.ar_aging"


def as_of_date() -> dt.date:
    """The aging date: ``$OMS_HUB_AR_AS_OF`` or today (UTC); a bad value is a one-line error."""
    text = os.environ.get("OMS_HUB_AR_AS_OF")
    if not text:
        return dt.datetime.now(dt.UTC).date()
    try:
        return dt.date.fromisoformat(text)
    except ValueError:
        raise ValueError(f"OMS_HUB_AR_AS_OF={text!r} is not a YYYY-MM-DD date") from None


def invoice_unshipped() -> bool:
    """``$OMS_HUB_AR_INVOICE_UNSHIPPED``: also invoice EDI orders no shipment was reported
    for, on the order day (for a hub without a warehouse shipping feed). Off by default."""
    text = os.environ.get("OMS_HUB_AR_INVOICE_UNSHIPPED", "").strip().lower()
    if text in ("", "0", "false", "no"):
        return False
    if text in ("1", "true", "yes"):
        return True
    raise ValueError(f"OMS_HUB_AR_INVOICE_UNSHIPPED={text!r} is not one of 1/0, true/false")


def _table(lake: Lake, name: str) -> pl.LazyFrame:
    return lake.scan(name) if lake.has_data(name) else contract(name).empty().lazy()


def _write_810s(home: Home, invoiced: pl.DataFrame, lines: pl.LazyFrame, names: pl.Expr) -> int:
    """Write the 810s not in the outbox yet; return how many were written."""
    outbox = home.outbox / "edi"
    present = [p.name for p in outbox.iterdir()] if outbox.is_dir() else []
    todo = invoiced.with_columns(invoice_file=names).filter(~pl.col("invoice_file").is_in(present))
    if todo.is_empty():
        return 0
    outbox.mkdir(parents=True, exist_ok=True)
    per_order = (
        lines.join(todo.lazy().select("order_id"), on="order_id", how="semi")
        .sort("order_id", "line_number")
        .group_by("order_id", maintain_order=True)
        .agg("sku", "quantity", "unit_price")
        .collect()
    )
    by_order = {row["order_id"]: row for row in per_order.iter_rows(named=True)}
    partners = {p.id: p.name for p in load_partners().partners}
    for row in todo.iter_rows(named=True):  # one file per invoice: I/O, not data work
        header = InvoiceHeader(
            invoice_id=row["invoice_id"],
            po_number=row["po_number"],
            partner_id=row["partner_id"] or "",
            partner_name=partners.get(row["partner_id"], row["partner_id"] or ""),
            customer_account=row["customer_account"] or "",
            invoiced_on=row["invoiced_on"],
            shipped_on=row["invoiced_on"],
            due_on=row["due_on"],
            terms_days=row["terms_days"],
            currency=row["currency"],
            total=row["amount"],
            discount=row["discount"],
            tax=row["tax"],
            shipping=row["shipping"],
            charges=row["charges"],
        )
        got = by_order.get(row["order_id"], {"sku": [], "quantity": [], "unit_price": []})
        items = [
            InvoiceLine(s, q, p)
            for s, q, p in zip(got["sku"], got["quantity"], got["unit_price"], strict=True)
        ]
        tmp = outbox / f".{row['invoice_file']}.part"
        tmp.write_bytes(invoice_810(header, items))
        tmp.replace(outbox / row["invoice_file"])
    return todo.height


def build_receivables(home: Home, as_of: dt.date | None = None) -> dict[str, Any]:
    """Invoices (+ 810s), receipts and the aging at ``as_of``."""
    started = time.perf_counter()
    lake = Lake(home)
    as_of = as_of or as_of_date()
    invoiced = invoices(
        _table(lake, "core.orders"),
        load_partners().frame(),
        shipped_days(_table(lake, "core.inventory_movements")),
        invoice_unshipped=invoice_unshipped(),
    ).collect()
    names = pl.format("810-{}-{}.x12", "partner_id", "invoice_id").str.replace_all(
        r"[^A-Za-z0-9_.\-]", ""
    )
    written = _write_810s(home, invoiced, _table(lake, "core.order_lines"), names)
    table = contract(INVOICES).conform(invoiced.with_columns(invoice_file=names))
    lake.write(INVOICES, table)
    rows = staged_rows(home, LOCKBOX)
    if rows is None:
        receipts = contract(RECEIPTS).empty()
    else:
        latest = mark_latest(rows, file_order(home)).filter(pl.col("is_latest"))
        receipts = contract(RECEIPTS).conform(
            applied_receipts(latest, table.lazy().select("invoice_id"))
            .sort("deposited_on", "receipt_id")
            .collect()
        )
    lake.write(RECEIPTS, receipts)
    aging = contract(AGING).conform(ar_aging(table.lazy(), receipts.lazy(), as_of).collect())
    lake.write(AGING, aging)
    buckets = dict(aging.group_by("bucket").agg(pl.col("balance").sum()).iter_rows())
    return {
        "invoices": table.height,
        "invoices_from_shipments": table.filter(pl.col("shipped_from") == "shipment").height,
        "invoice_files_written": written,
        "receipts": receipts.height,
        "receipts_unapplied": receipts.filter(~pl.col("applied")).height,
        "open_invoices": aging.height,
        "as_of": as_of.isoformat(),
        **{f"balance_{k}": str(v) for k, v in sorted(buckets.items())},
        "seconds": round(time.perf_counter() - started, 3),
    }
