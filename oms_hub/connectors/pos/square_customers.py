"""Parse Square Customer Directory exports (Dashboard > Customers > Export) into staged rows.

One CSV row is one customer profile: ``Square Customer ID`` (the ``Customer ID`` the
item-details exports carry on a sale), the name in two fields, email, phone, postal
address, birthday, memo, creation source and visit statistics. Columns are found by
header name (Square has added columns over the years); only ``Square Customer ID``,
``First Name`` and ``Last Name`` must be present, the others are null when absent.

Quirks handled: birthdays as ``1985-03-12``, ``03-12-1985``, ``03/12/1985`` or without
a year (``03-12``: kept as text in ``birthday``, ``birth_date`` null), money as Square
text (``$1,036.89``), card numbers typed into a memo (masked, the row flagged).

Pure: bytes in, ``ParseResult`` out. Every row is staged or quarantined with a reason:
no customer id, the same customer id twice in one export, a ragged row, a visit date,
transaction count or total spend that does not read. ``version_key`` is
``customer:<id>`` and ``version_at`` the export time Square puts in the file name
(``export-YYYYMMDD-HHMMSS.csv``; null for a file named otherwise): a later export
supersedes the earlier rows of a profile.
"""

from __future__ import annotations

import polars as pl

from oms_hub.connectors.common.csv_records import ROW, ragged_rule, read_csv_records
from oms_hub.connectors.common.result import ParseResult, quarantine_rows
from oms_hub.connectors.common.values import parse_money, parse_us_or_iso_date
from oms_hub.quality.card_numbers import mask_card_numbers
from oms_hub.quality.contracts import MONEY_DTYPE

SOURCE = "pos"
REQUIRED = ["Square Customer ID", "First Name", "Last Name"]
#: Export column -> staged text column.
TEXT_COLUMNS = {
    "First Name": "first_name",
    "Last Name": "last_name",
    "Email Address": "email",
    "Phone Number": "phone",
    "Nickname": "nickname",
    "Company Name": "company",
    "Street Address 1": "address_line1",
    "Street Address 2": "address_line2",
    "City": "city",
    "State": "region",
    "Postal Code": "postal_code",
    "Memo": "memo",
    "Reference ID": "reference_id",
    "Creation Source": "creation_source",
    "Email Subscription Status": "email_subscription",
}
OPTIONAL = [
    *TEXT_COLUMNS,
    "Birthday",
    "First Visit",
    "Last Visit",
    "Transaction Count",
    "Total Spend",
    "Instant Profile",
]

#: Staged Square customer profile schema (lake/staging/pos/square_customers).
STAGED_SCHEMA = pl.Schema(
    {
        "source": pl.String,
        "landed_file": pl.String,
        "locator": pl.String,
        "version_key": pl.String,
        "version_at": pl.Datetime("us", "UTC"),
        "row_number": pl.Int32,
        "customer_id": pl.String,
        **dict.fromkeys(TEXT_COLUMNS.values(), pl.String),
        "birthday": pl.String,
        "birth_date": pl.Date,
        "first_visit": pl.Date,
        "last_visit": pl.Date,
        "transaction_count": pl.Int64,
        "total_spend": MONEY_DTYPE,
        "instant_profile": pl.Boolean,
        "has_card_number": pl.Boolean,
    }
)


def _blank(column: str) -> pl.Expr:
    return pl.col(column).str.strip_chars().fill_null("") == ""


def _birth_date(text: pl.Expr) -> pl.Expr:
    """'1985-03-12', '03-12-1985' or '03/12/1985' -> Date; year-less or unreadable -> null."""
    t = text.str.strip_chars()
    return pl.coalesce(
        t.str.to_date("%Y-%m-%d", strict=False),
        t.str.to_date("%m-%d-%Y", strict=False),
        t.str.to_date("%m/%d/%Y", strict=False),
    )


def _rules(header_fields: int) -> list[tuple[str, pl.Expr, pl.Expr]]:
    """(error_code, condition, message) per check; the first failing one is the code."""
    return [
        ragged_rule(header_fields),
        (
            "missing_customer_id",
            _blank("Square Customer ID"),
            pl.lit("no Square Customer ID: the profile cannot be linked to any sale"),
        ),
        (
            "duplicate_customer_id",
            pl.len().over(pl.col("Square Customer ID").str.strip_chars()) > 1,
            pl.format(
                "Square Customer ID {} appears more than once in this export",
                pl.col("Square Customer ID"),
            ),
        ),
        (
            "bad_birthday",
            ~_blank("Birthday")
            & _birth_date(pl.col("Birthday")).is_null()
            & ~pl.col("Birthday").str.strip_chars().str.contains(r"^\d{2}[-/]\d{2}$"),
            pl.format("birthday '{}' is not a date", pl.col("Birthday")),
        ),
        (
            "bad_visit_date",
            (~_blank("First Visit") & parse_us_or_iso_date(pl.col("First Visit")).is_null())
            | (~_blank("Last Visit") & parse_us_or_iso_date(pl.col("Last Visit")).is_null()),
            pl.format(
                "visit dates '{}' / '{}' are not dates",
                pl.col("First Visit").fill_null(""),
                pl.col("Last Visit").fill_null(""),
            ),
        ),
        (
            "bad_transaction_count",
            ~_blank("Transaction Count")
            & ~pl.col("Transaction Count").str.strip_chars().str.contains(r"^\d+$"),
            pl.format("transaction count '{}' is not a whole number", pl.col("Transaction Count")),
        ),
        (
            "bad_money",
            ~_blank("Total Spend") & parse_money(pl.col("Total Spend")).is_null(),
            pl.format("total spend '{}' is not money", pl.col("Total Spend")),
        ),
    ]


def parse_square_customers(payload: bytes, *, landed_file: str) -> ParseResult:
    """Parse one Customer Directory export; every profile row is staged or quarantined.

    Raises ``CsvHeaderError`` when the header lacks a required column (the staging step
    turns that into one rejected record for the file).

    Examples
    --------
    >>> data = open("export-20261031-235900.csv", "rb").read()  # doctest: +SKIP
    >>> result = parse_square_customers(data, landed_file="pos/customers/export.csv")  # doctest: +SKIP
    >>> result.staged.height + result.rejected == result.records  # doctest: +SKIP
    True
    """
    raw, header = read_csv_records(payload, required=REQUIRED)
    for column in OPTIONAL:
        if column not in raw.columns:
            raw = raw.with_columns(pl.lit(None, dtype=pl.String).alias(column))
    # Mask card numbers in every text field before anything is kept or excerpted.
    raw, has_pan = mask_card_numbers(raw, header)
    raw = raw.with_columns(has_pan.alias("has_card_number"))

    rules = _rules(len(header))
    failing = [pl.when(cond.fill_null(False)).then(msg) for _, cond, msg in rules]
    codes = [pl.when(cond.fill_null(False)).then(pl.lit(code)) for code, cond, _ in rules]
    checked = raw.with_columns(
        error_code=pl.coalesce(codes),
        error=pl.concat_str(failing, separator="; ", ignore_nulls=True),
        locator=pl.format("row {}", pl.col(ROW)),
        excerpt=pl.concat_str(
            [pl.col(c).fill_null("") for c in ("Square Customer ID", *OPTIONAL)], separator=","
        ),
    )
    bad = checked.filter(pl.col("error_code").is_not_null())
    flagged = checked.filter(
        pl.col("error_code").is_null() & pl.col("has_card_number")
    ).with_columns(
        error_code=pl.lit("card_number_masked"),
        error=pl.lit("a card number was found in a text field and masked before loading"),
        excerpt=pl.col("Memo").fill_null(""),
    )
    quarantine = pl.concat(
        [
            quarantine_rows(bad, source=SOURCE, landed_file=landed_file, stage="parse"),
            quarantine_rows(
                flagged, source=SOURCE, landed_file=landed_file, stage="parse", action="flagged"
            ),
        ]
    )
    good = checked.filter(pl.col("error_code").is_null())
    text = {
        staged: pl.when(_blank(column)).then(None).otherwise(pl.col(column).str.strip_chars())
        for column, staged in TEXT_COLUMNS.items()
    }
    customer_id = pl.col("Square Customer ID").str.strip_chars()
    staged = good.select(
        source=pl.lit(SOURCE),
        landed_file=pl.lit(landed_file),
        locator=pl.col("locator"),
        version_key=pl.concat_str([pl.lit("customer:"), customer_id]),
        version_at=pl.lit(landed_file)
        .str.extract(r"export-(\d{8}-\d{6})[^/]*$", 1)
        .str.to_datetime("%Y%m%d-%H%M%S", strict=False, time_zone="UTC"),
        row_number=pl.col(ROW),
        customer_id=customer_id,
        **text,
        birthday=pl.when(_blank("Birthday")).then(None).otherwise(pl.col("Birthday")),
        birth_date=_birth_date(pl.col("Birthday")),
        first_visit=parse_us_or_iso_date(pl.col("First Visit")),
        last_visit=parse_us_or_iso_date(pl.col("Last Visit")),
        transaction_count=pl.col("Transaction Count")
        .str.strip_chars()
        .cast(pl.Int64, strict=False),
        total_spend=parse_money(pl.col("Total Spend")),
        instant_profile=pl.col("Instant Profile").str.strip_chars().str.to_lowercase() == "yes",
        has_card_number=pl.col("has_card_number"),
    ).cast(dict(STAGED_SCHEMA))
    return ParseResult(staged=staged, quarantine=quarantine, records=raw.height)
