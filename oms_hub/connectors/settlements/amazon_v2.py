"""Amazon settlement report, flat file V2 (tab-separated) -> settlement rows.

The first data row is the settlement summary (settlement-id, dates, ``total-amount``,
no transaction type): when it carries a ``total-amount`` it is staged as the report's
``payout`` (the deposit to the bank: gross = minus the total, dated by ``deposit-date``);
every other row is one amount of one transaction
(``amount-type`` ItemPrice / ItemFees / Promotion / other, ``amount-description``
Principal, Tax, Commission...). A record here is one transaction: the amounts of an
``order-id`` x ``transaction-type`` x ``posted-date``, summed: gross = item price and
promotion amounts, fee = minus the item fees (Amazon writes fees negative). A row whose
amount is not a number is quarantined on its own and left out of its transaction's sum.
"""

from __future__ import annotations

import io

import polars as pl

from oms_hub.connectors.common.result import ParseResult, quarantine_rows
from oms_hub.connectors.settlements.common import finish, unreadable
from oms_hub.quality.contracts.base import MONEY_DTYPE

SOURCE = "settlements"
REQUIRED = [
    "settlement-id",
    "currency",
    "transaction-type",
    "order-id",
    "amount-type",
    "amount-description",
    "amount",
    "posted-date",
]
TYPES = {
    "Order": "charge",
    "Refund": "refund",
    "Chargeback Refund": "chargeback",
    "A-to-z Guarantee Claim": "chargeback",
    "other-transaction": "adjustment",
}


def parse(payload: bytes, landed_file: str) -> ParseResult:
    """Parse one settlement flat file V2."""
    try:
        frame = pl.read_csv(
            io.BytesIO(payload),
            separator="\t",
            infer_schema=False,
            quote_char=None,
            truncate_ragged_lines=True,
        )
    except pl.exceptions.PolarsError as error:
        return unreadable(SOURCE, landed_file, f"not a settlement flat file: {error}")
    missing = [c for c in REQUIRED if c not in frame.columns]
    if missing:
        return unreadable(
            SOURCE, landed_file, f"not a settlement flat file V2: lacks {', '.join(missing)}"
        )
    rows = frame.with_row_index("row", offset=1).filter(
        pl.col("transaction-type").is_not_null()  # the summary row is not a transaction
    )
    amount = pl.col("amount").str.strip_chars().cast(MONEY_DTYPE, strict=False)
    rows = rows.with_columns(amount_v=amount)
    bad = rows.filter(pl.col("amount_v").is_null()).select(
        locator=pl.format("row {}", "row"),
        error_code=pl.lit("bad_amount"),
        error=pl.format("amount '{}' is not money", "amount"),
        excerpt=pl.concat_str([pl.col(c).fill_null("") for c in REQUIRED], separator="\t"),
    )
    good = rows.filter(pl.col("amount_v").is_not_null())
    kind_of = pl.col("amount-type")
    tx = (
        good.group_by("settlement-id", "order-id", "transaction-type", "posted-date", "currency")
        .agg(
            gross=pl.col("amount_v").filter(kind_of.is_in(["ItemPrice", "Promotion"])).sum(),
            fee=-pl.col("amount_v").filter(kind_of == "ItemFees").sum(),
            other=pl.col("amount_v")
            .filter(~kind_of.is_in(["ItemPrice", "Promotion", "ItemFees"]))
            .sum(),
            first_row=pl.col("row").min(),
            last_row=pl.col("row").max(),
        )
        .sort("first_row")
    )
    raw = tx.select(
        processor=pl.lit("amazon"),
        settlement_id=pl.col("settlement-id"),
        transaction_ref=pl.format("{}:{}:{}", "order-id", "transaction-type", "posted-date"),
        processor_ref=pl.col("order-id"),
        order_ref=pl.col("order-id"),
        kind=pl.col("transaction-type").replace_strict(TYPES, default=None),
        raw_type=pl.col("transaction-type"),
        gross=(pl.col("gross") + pl.col("other")).cast(MONEY_DTYPE).cast(pl.String),
        fee=pl.col("fee").cast(MONEY_DTYPE).cast(pl.String),
        net=pl.lit(None, pl.String),
        currency=pl.col("currency"),
        settled_on=pl.col("posted-date").str.slice(0, 10).str.to_date("%Y-%m-%d", strict=False),
        locator=pl.when(pl.col("first_row") == pl.col("last_row"))
        .then(pl.format("row {}", "first_row"))
        .otherwise(pl.format("rows {}-{}", "first_row", "last_row")),
        excerpt=pl.format("{}\t{}\t{}", "order-id", "transaction-type", "posted-date"),
    )
    payout = _payout(frame)
    if payout.height:
        raw = pl.concat([payout, raw], how="diagonal_relaxed")
    early = quarantine_rows(bad, source=SOURCE, landed_file=landed_file, stage="parse")
    return finish(
        raw,
        source=SOURCE,
        landed_file=landed_file,
        records=raw.height + bad.height,
        earlier_quarantine=early,
    )


def _payout(frame: pl.DataFrame) -> pl.DataFrame:
    """The summary row as the report's deposit (none when the file gives no total)."""
    if "total-amount" not in frame.columns:
        return pl.DataFrame()
    day = pl.coalesce(
        *(pl.col(c) for c in ("deposit-date", "settlement-end-date") if c in frame.columns),
        pl.lit(None, pl.String),
    )
    total = pl.col("total-amount").str.strip_chars()
    return (
        frame.with_row_index("row", offset=1)
        .filter(pl.col("transaction-type").is_null() & (total.fill_null("") != ""))
        .select(
            processor=pl.lit("amazon"),
            settlement_id=pl.col("settlement-id"),
            transaction_ref=pl.format("settlement:{}", pl.col("settlement-id")),
            processor_ref=pl.col("settlement-id"),
            order_ref=pl.lit(None, pl.String),
            kind=pl.lit("payout"),
            raw_type=pl.lit("settlement summary"),
            # money leaves the processor for the bank: negative, like Stripe's payouts
            gross=pl.when(total.str.starts_with("-"))
            .then(total.str.slice(1))
            .otherwise(pl.format("-{}", total)),
            fee=pl.lit("0"),
            net=pl.lit(None, pl.String),
            currency=pl.col("currency"),
            settled_on=day.str.slice(0, 10).str.to_date("%Y-%m-%d", strict=False),
            locator=pl.format("row {}", "row"),
            excerpt=pl.format("{}\t{}", pl.col("settlement-id"), total),
        )
    )
