"""Outbound X12 810 invoices: one interchange per B2B invoice. Pure: invoice in, bytes out.

Layout (version 004010): ISA / GS*IN / ST*810, BIG (invoice date, invoice number, the
partner's PO number), CUR, N1*BT (bill-to: partner name, our account for it), ITD (net
terms: days and net due date), DTM*011 (shipped), one IT1 per order line (quantity,
unit price, our SKU as VN), TDS (invoice total in cents, implied two decimals), TXI
(tax), SAC (allowance for discounts, charges for shipping and other charges), CTT (line
count), SE / GE / IEA with counts. The totals add up exactly as the order's do: TDS =
sum(IT1 quantity x price) - discount + tax + shipping + charges.

Control numbers are derived from the invoice id, so regenerating an invoice gives the
same bytes (idempotent re-runs).
"""

from __future__ import annotations

import datetime as dt
import hashlib
from dataclasses import dataclass
from decimal import Decimal

#: Our interchange id (ISA06 / GS02) on outbound documents.
OUR_ID = "OMSHUB"


@dataclass(frozen=True)
class InvoiceHeader:
    """What an 810 states about one invoice (amounts Decimal, to the cent)."""

    invoice_id: str
    po_number: str
    partner_id: str
    partner_name: str
    customer_account: str
    invoiced_on: dt.date
    shipped_on: dt.date
    due_on: dt.date
    terms_days: int
    currency: str
    total: Decimal
    discount: Decimal
    tax: Decimal
    shipping: Decimal
    charges: Decimal


@dataclass(frozen=True)
class InvoiceLine:
    """One IT1 line."""

    sku: str
    quantity: int
    unit_price: Decimal


def control_number(invoice_id: str) -> str:
    """A 9-digit interchange control number that is a function of the invoice id."""
    return f"{int(hashlib.sha256(invoice_id.encode()).hexdigest()[:8], 16) % 1_000_000_000:09d}"


def _cents(amount: Decimal) -> str:
    return str(int((amount * 100).to_integral_value()))


def _clean(text: str) -> str:
    # the separators of this interchange must not appear inside an element
    return "".join(" " if ch in "*~>" else ch for ch in text)


def invoice_810(header: InvoiceHeader, lines: list[InvoiceLine]) -> bytes:
    """The 810 interchange for one invoice."""
    control = control_number(header.invoice_id)
    when = header.invoiced_on
    receiver = _clean(header.partner_id)
    body = [
        "ST*810*0001",
        f"BIG*{when:%Y%m%d}*{_clean(header.invoice_id)}**{_clean(header.po_number)}",
        f"CUR*SE*{header.currency}",
        f"N1*BT*{_clean(header.partner_name)}*91*{_clean(header.customer_account)}",
        f"ITD*05*3****{header.due_on:%Y%m%d}*{header.terms_days}",
        f"DTM*011*{header.shipped_on:%Y%m%d}",
        *(
            f"IT1*{n}*{line.quantity}*EA*{line.unit_price}**VN*{_clean(line.sku)}"
            for n, line in enumerate(lines, start=1)
        ),
        f"TDS*{_cents(header.total)}",
    ]
    if header.tax:
        body.append(f"TXI*ST*{header.tax}")
    for flag, code, amount in (
        ("A", "C310", header.discount),
        ("C", "D240", header.shipping),
        ("C", "H090", header.charges),
    ):
        if amount:
            body.append(f"SAC*{flag}*{code}***{_cents(amount)}")
    body.append(f"CTT*{len(lines)}")
    body.append(f"SE*{len(body) + 1}*0001")
    segments = [
        f"ISA*00*{'':10}*00*{'':10}*ZZ*{OUR_ID:<15.15}*ZZ*{receiver:<15.15}*{when:%y%m%d}*"
        f"0000*U*00401*{control}*0*P*>",
        f"GS*IN*{OUR_ID}*{receiver}*{when:%Y%m%d}*0000*1*X*004010",
        *body,
        "GE*1*1",
        f"IEA*1*{control}",
    ]
    return ("~\n".join(segments) + "~\n").encode()
