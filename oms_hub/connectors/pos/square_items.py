"""Parse Square "Item Details" CSV exports into staged POS rows.

One CSV row is one item line; rows sharing a ``Transaction ID`` form a sale. Refunds
are rows with ``Event Type`` = ``Refund``, negative quantity and money, carrying the
sale's transaction id. Quirks handled: dates as ``2026-10-01`` or ``10/01/2026``, local
times with a Rails zone name (``Eastern Time (US & Canada)``), money as text
(``$1,275.00``, ``-$0.95``), ragged rows, card numbers typed into notes.

How a sale was paid: ``Card Brand`` (``Visa``, ``MasterCard``...) and ``PAN Suffix``
(the card's last four digits), both blank for cash and absent from older exports (they
are optional). They are staged as ``card_brand`` / ``card_last4``: the identity step
uses brand + last four as evidence that two customers are one person. A ``PAN Suffix``
that is not exactly four digits (a full card number keyed in, letters) never reaches
the lake: the sale still loads, with both card fields empty, and the row is flagged in
the quarantine (``bad_pan_suffix``) with its digits hidden.

The parser is pure: bytes in, ``ParseResult`` out. Every row is either staged or
quarantined with a reason; a card number anywhere is masked and the row flagged.
SKU and store checks against the catalog happen later, in conform.
"""

from __future__ import annotations

import polars as pl

from oms_hub.connectors.common.csv_records import ROW, ragged_rule, read_csv_records
from oms_hub.connectors.common.result import ParseResult, quarantine_rows
from oms_hub.connectors.common.timezones import iana_zone, local_to_utc
from oms_hub.connectors.common.values import (
    parse_int,
    parse_money,
    parse_time_of_day,
    parse_us_or_iso_date,
)
from oms_hub.quality.card_numbers import mask_card_numbers
from oms_hub.quality.contracts import MONEY_DTYPE

SOURCE = "pos"

SQUARE_COLUMNS = [
    "Date",
    "Time",
    "Time Zone",
    "Category",
    "Item",
    "Qty",
    "Price Point Name",
    "SKU",
    "Modifiers Applied",
    "Gross Sales",
    "Discounts",
    "Net Sales",
    "Tax",
    "Transaction ID",
    "Payment ID",
    "Device Name",
    "Notes",
    "Details",
    "Event Type",
    "Location",
    "Customer ID",
    "Customer Name",
    "Customer Reference ID",
    "Itemization Type",
    "Card Brand",
    "PAN Suffix",
]
REQUIRED = [
    "Date",
    "Time",
    "Time Zone",
    "Qty",
    "SKU",
    "Gross Sales",
    "Net Sales",
    "Transaction ID",
    "Event Type",
    "Location",
]
MONEY_COLUMNS = {"Gross Sales": "gross", "Discounts": "discount", "Net Sales": "net", "Tax": "tax"}

#: Staged POS row schema (lake/staging/pos): what conform reads.
STAGED_SCHEMA = pl.Schema(
    {
        "source": pl.String,
        "landed_file": pl.String,
        "locator": pl.String,
        "row_number": pl.Int32,
        "event_type": pl.String,
        "transaction_id": pl.String,
        "payment_id": pl.String,
        "event_at": pl.Datetime("us", "UTC"),
        "local_date": pl.Date,
        "local_time_zone": pl.String,
        "location_name": pl.String,
        "category": pl.String,
        "item_name": pl.String,
        "sku": pl.String,
        "quantity": pl.Int32,
        "gross": MONEY_DTYPE,
        "discount": MONEY_DTYPE,
        "net": MONEY_DTYPE,
        "tax": MONEY_DTYPE,
        "customer_id": pl.String,
        "customer_name": pl.String,
        "notes": pl.String,
        "device_name": pl.String,
        "has_card_number": pl.Boolean,
        "card_brand": pl.String,
        "card_last4": pl.String,
        "version_key": pl.String,
    }
)


def _blank(column: str) -> pl.Expr:
    return pl.col(column).is_null() | (pl.col(column).str.strip_chars() == "")


def _card_columns() -> dict[str, pl.Expr]:
    """``_last4`` (four digits or null), ``_bad_pan`` and ``_pan_safe`` (digits hidden)."""
    pan = pl.col("PAN Suffix").str.strip_chars()
    bad = ~_blank("PAN Suffix") & ~pan.str.contains(r"^[0-9]{4}$")
    return {
        "_bad_pan": bad,
        "_last4": pl.when(_blank("PAN Suffix") | bad).then(None).otherwise(pan),
        # what an excerpt may show of the field: a bad value with every digit hidden
        "_pan_safe": pl.when(bad).then(pan.str.replace_all(r"\d", "#")).otherwise(pan),
    }


def _rules(header_fields: int) -> list[tuple[str, pl.Expr, pl.Expr]]:
    """(error_code, failing-row condition, message) in priority order."""
    rules: list[tuple[str, pl.Expr, pl.Expr]] = [ragged_rule(header_fields)]
    for column in REQUIRED:
        code = "missing_transaction_id" if column == "Transaction ID" else "missing_field"
        rules.append((code, _blank(column), pl.lit(f"required field '{column}' is empty")))
    rules += [
        (
            "bad_date",
            pl.col("_date").is_null(),
            pl.format("Date '{}' is not YYYY-MM-DD or MM/DD/YYYY", pl.col("Date")),
        ),
        (
            "bad_time",
            pl.col("_time").is_null(),
            pl.format("Time '{}' is not HH:MM[:SS]", pl.col("Time")),
        ),
        (
            "unknown_time_zone",
            pl.col("_zone").is_null(),
            pl.format("Time Zone '{}' is not a known zone name", pl.col("Time Zone")),
        ),
        (
            "nonexistent_local_time",
            pl.col("event_at").is_null(),
            pl.format(
                "{} {} does not exist in {} (clock change)",
                pl.col("Date"),
                pl.col("Time"),
                pl.col("_zone"),
            ),
        ),
    ]
    for column, alias in MONEY_COLUMNS.items():
        present = pl.col(column).is_not_null() & (pl.col(column).str.strip_chars() != "")
        rules.append(
            (
                "bad_money",
                present & pl.col(alias).is_null(),
                pl.format(f"{column} '{{}}' is not an amount", pl.col(column)),
            )
        )
    rules += [
        (
            "unknown_event_type",
            ~pl.col("event_type").is_in(["sale", "refund"]),
            pl.format("Event Type '{}' is neither Payment nor Refund", pl.col("Event Type")),
        ),
        (
            "bad_quantity",
            pl.col("_qty").is_null()
            | (pl.col("_qty") == 0)
            | ((pl.col("event_type") == "sale") & (pl.col("_qty") < 0))
            | ((pl.col("event_type") == "refund") & (pl.col("_qty") > 0)),
            pl.format(
                "Qty '{}' is not a non-zero whole number with the event's sign", pl.col("Qty")
            ),
        ),
        (
            "net_mismatch",
            pl.col("net") != pl.col("gross") + pl.col("discount").fill_null(0),
            pl.format(
                "Net Sales {} != Gross Sales {} + Discounts {}",
                pl.col("net"),
                pl.col("gross"),
                pl.col("discount").fill_null(0),
            ),
        ),
    ]
    return rules


def parse_square_items(payload: bytes, *, landed_file: str) -> ParseResult:
    """Parse one Square item-details export.

    Parameters
    ----------
    payload:
        The file's bytes, exactly as landed.
    landed_file:
        Its path under ``landing/`` (recorded as lineage on every row).

    Examples
    --------
    >>> result = parse_square_items(open("square.csv", "rb").read(), landed_file="pos/square.csv")
    >>> result.staged.height + result.rejected == result.records
    True
    """
    raw, header = read_csv_records(payload, required=REQUIRED)
    for column in SQUARE_COLUMNS:
        if column not in raw.columns:
            raw = raw.with_columns(pl.lit(None, dtype=pl.String).alias(column))
    # Mask card numbers in every text field before anything is kept or excerpted.
    raw, has_pan = mask_card_numbers(raw, header)
    raw = raw.with_columns(has_pan.alias("has_card_number"))

    typed = raw.with_columns(
        _date=parse_us_or_iso_date(pl.col("Date")),
        _time=parse_time_of_day(pl.col("Time")),
        _zone=iana_zone(pl.col("Time Zone")),
        _qty=parse_int(pl.col("Qty")),
        event_type=pl.col("Event Type")
        .str.strip_chars()
        .str.to_lowercase()
        .replace({"payment": "sale", "refund": "refund"}),
        **{alias: parse_money(pl.col(column)) for column, alias in MONEY_COLUMNS.items()},
        **_card_columns(),
    ).with_columns(
        _local=pl.col("_date").dt.combine(pl.col("_time")),
    )
    typed = local_to_utc(typed, local="_local", zone="_zone", out="event_at")

    rules = _rules(len(header))
    failing = [pl.when(cond.fill_null(False)).then(msg) for _, cond, msg in rules]
    codes = [pl.when(cond.fill_null(False)).then(pl.lit(code)) for code, cond, _ in rules]
    checked = typed.with_columns(
        error_code=pl.coalesce(codes),
        error=pl.concat_str(failing, separator="; ", ignore_nulls=True),
        locator=pl.format("row {}", pl.col(ROW)),
    )

    shown = [pl.col("_pan_safe" if c == "PAN Suffix" else c).fill_null("") for c in SQUARE_COLUMNS]
    bad = checked.filter(pl.col("error_code").is_not_null()).with_columns(
        excerpt=pl.concat_str(shown, separator=",")
    )
    flagged = checked.filter(
        pl.col("error_code").is_null() & pl.col("has_card_number")
    ).with_columns(
        error_code=pl.lit("card_number_masked"),
        error=pl.lit("a card number was found in a text field and masked before loading"),
        excerpt=pl.col("Notes"),
    )
    bad_pan = checked.filter(pl.col("error_code").is_null() & pl.col("_bad_pan")).with_columns(
        error_code=pl.lit("bad_pan_suffix"),
        error=pl.format(
            "PAN Suffix of {} characters is not the card's last four digits; "
            "the sale is loaded without its card brand and last four",
            pl.col("PAN Suffix").str.strip_chars().str.len_chars(),
        ),
        excerpt=pl.format(
            "Card Brand={}, PAN Suffix={}",
            pl.col("Card Brand").fill_null(""),
            pl.col("_pan_safe"),
        ),
    )
    quarantine = pl.concat(
        [
            quarantine_rows(bad, source=SOURCE, landed_file=landed_file, stage="parse"),
            quarantine_rows(
                flagged, source=SOURCE, landed_file=landed_file, stage="parse", action="flagged"
            ),
            quarantine_rows(
                bad_pan, source=SOURCE, landed_file=landed_file, stage="parse", action="flagged"
            ),
        ]
    )

    good = checked.filter(pl.col("error_code").is_null())
    staged = good.select(
        source=pl.lit(SOURCE),
        landed_file=pl.lit(landed_file),
        locator=pl.col("locator"),
        row_number=pl.col(ROW),
        event_type=pl.col("event_type"),
        transaction_id=pl.col("Transaction ID").str.strip_chars(),
        payment_id=pl.col("Payment ID"),
        event_at=pl.col("event_at"),
        local_date=pl.col("_date"),
        local_time_zone=pl.col("_zone"),
        location_name=pl.col("Location").str.strip_chars(),
        category=pl.col("Category"),
        item_name=pl.col("Item"),
        sku=pl.col("SKU").str.strip_chars(),
        quantity=pl.col("_qty"),
        gross=pl.col("gross"),
        discount=pl.col("discount").fill_null(0),
        net=pl.col("net"),
        tax=pl.col("tax").fill_null(0),
        customer_id=pl.when(_blank("Customer ID")).then(None).otherwise(pl.col("Customer ID")),
        customer_name=pl.when(_blank("Customer Name"))
        .then(None)
        .otherwise(pl.col("Customer Name")),
        notes=pl.when(_blank("Notes")).then(None).otherwise(pl.col("Notes")),
        device_name=pl.col("Device Name"),
        has_card_number=pl.col("has_card_number"),
        card_brand=pl.when(_blank("Card Brand") | pl.col("_bad_pan"))
        .then(None)
        .otherwise(pl.col("Card Brand").str.strip_chars()),
        card_last4=pl.col("_last4"),
        # A sale is one version per transaction; each day's refunds of it are another record.
        version_key=pl.when(pl.col("event_type") == "sale")
        .then(pl.format("sale:{}", pl.col("Transaction ID").str.strip_chars()))
        .otherwise(
            pl.format("refund:{}:{}", pl.col("Transaction ID").str.strip_chars(), pl.col("_date"))
        ),
    ).cast(dict(STAGED_SCHEMA))
    return ParseResult(staged=staged, quarantine=quarantine, records=raw.height)
