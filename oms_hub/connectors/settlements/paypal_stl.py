"""PayPal settlement report (STL, comma-separated with a record type per line) -> rows.

Each line starts with its record type: RH/FH/SH (report, file, section headers), CH
(column header: names the columns of the SB lines after it), SB (one transaction),
SF/SC/RF/RC/FF (footers and counts). Amounts are in minor units (cents) with separate
``CR``/``DR`` columns for the gross and the fee. Event codes: T00xx payments, T1107
refund, T1106/T1201 chargeback (reversal of a payment), T1202 chargeback cancelled,
T04xx withdrawals (payouts).
"""

from __future__ import annotations

import csv
import io

import polars as pl

from oms_hub.connectors.common.result import ParseResult
from oms_hub.connectors.settlements.common import finish, unreadable

SOURCE = "settlements"
_COLS = {
    "Transaction ID": "txn",
    "Invoice ID": "invoice",
    "PayPal Reference ID": "ref",
    "Transaction Event Code": "code",
    "Transaction Completion Date": "completed",
    "Transaction Debit or Credit": "dr_cr",
    "Gross Transaction Amount": "gross_minor",
    "Gross Transaction Currency": "currency",
    "Fee Debit or Credit": "fee_dr_cr",
    "Fee Amount": "fee_minor",
}


def _minor_to_text(minor: pl.Expr, negative: pl.Expr) -> pl.Expr:
    digits = minor.str.strip_chars()
    ok = digits.str.contains(r"^\d+$")
    padded = digits.str.zfill(3)
    text = pl.format("{}.{}", padded.str.slice(0, padded.str.len_chars() - 2), padded.str.slice(-2))
    return pl.when(~ok).then(digits).when(negative).then(pl.format("-{}", text)).otherwise(text)


def parse(payload: bytes, landed_file: str) -> ParseResult:
    """Parse one STL file (the CSV flavour)."""
    text = payload.decode("utf-8-sig", errors="replace")
    # Record types change the column layout line by line, so the csv module splits lines
    # (a small file per day); the data work below is polars.
    lines = list(csv.reader(io.StringIO(text)))
    header = next((line[1:] for line in lines if line and line[0] == "CH"), None)
    if header is None:
        return unreadable(SOURCE, landed_file, "not a PayPal STL file: no CH column header line")
    names = [" ".join(h.split()) for h in header]
    missing = [c for c in _COLS if c not in names]
    if missing:
        return unreadable(SOURCE, landed_file, f"PayPal STL header lacks {', '.join(missing)}")
    body = [(i + 1, line[1:]) for i, line in enumerate(lines) if line and line[0] == "SB"]
    frame = (
        pl.DataFrame(
            {
                "line": [i for i, _ in body],
                **{
                    _COLS.get(n, f"_{k}"): [(v[k] if k < len(v) else None) for _, v in body]
                    for k, n in enumerate(names)
                },
            },
            schema_overrides={"line": pl.Int32},
        )
        if body
        else pl.DataFrame(schema={"line": pl.Int32, **dict.fromkeys(_COLS.values(), pl.String)})
    )
    code = pl.col("code").fill_null("")
    kind = (
        pl.when(code.is_in(["T1106", "T1201"]))
        .then(pl.lit("chargeback"))
        .when(code == "T1202")
        .then(pl.lit("chargeback_reversal"))
        .when(code == "T1107")
        .then(pl.lit("refund"))
        .when(code.str.contains(r"^T00\d\d$"))
        .then(pl.lit("charge"))
        .when(code.str.contains(r"^T04\d\d$"))
        .then(pl.lit("payout"))
        .when(code.str.contains(r"^T01\d\d$"))
        .then(pl.lit("fee"))
    )
    raw = frame.select(
        processor=pl.lit("paypal"),
        settlement_id=pl.lit(None, pl.String),
        transaction_ref=pl.col("txn"),
        processor_ref=pl.when(kind.is_in(["chargeback", "chargeback_reversal"]))
        .then(pl.col("ref"))
        .otherwise(pl.col("txn")),
        # an empty Invoice ID (the shop sent none) is no reference
        order_ref=pl.when(pl.col("invoice").str.strip_chars() != "").then(pl.col("invoice")),
        kind=kind,
        raw_type=pl.col("code"),
        gross=_minor_to_text(pl.col("gross_minor"), pl.col("dr_cr").str.strip_chars() == "DR"),
        # a fee the processor takes is a DR; the hub counts it positive
        fee=_minor_to_text(pl.col("fee_minor"), pl.col("fee_dr_cr").str.strip_chars() == "CR"),
        net=pl.lit(None, pl.String),
        currency=pl.col("currency"),
        settled_on=pl.col("completed").str.slice(0, 10).str.to_date("%Y/%m/%d", strict=False),
        locator=pl.format("line {}", "line"),
        excerpt=pl.concat_str(
            [pl.col(c).fill_null("") for c in ("txn", "code", "gross_minor", "currency")],
            separator=",",
        ),
    )
    return finish(raw, source=SOURCE, landed_file=landed_file, records=frame.height)
