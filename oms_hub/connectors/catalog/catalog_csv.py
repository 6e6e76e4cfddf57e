"""Parse catalog CSVs: ``products*.csv`` and ``locations*.csv`` under landing/catalog/.

Each row is typed and checked; a row that fails goes to quarantine with the column
and value that failed, the rest load. Which kind a file is comes from its name.
"""

from __future__ import annotations

from pathlib import PurePosixPath

import polars as pl

from oms_hub.connectors.common.csv_records import ROW, ragged_rule, read_csv_records
from oms_hub.connectors.common.result import ParseResult, quarantine_rows
from oms_hub.connectors.common.values import parse_int, parse_money
from oms_hub.quality.card_numbers import mask_card_numbers

SOURCE = "catalog"

PRODUCT_COLUMNS = [
    "sku",
    "upc",
    "name",
    "category",
    "cost",
    "price",
    "currency",
    "pack_size",
    "lead_time_days",
    "safety_stock_units",
    "review_period_days",
]
LOCATION_COLUMNS = [
    "location_id",
    "name",
    "kind",
    "address",
    "city",
    "region",
    "postal_code",
    "country",
    "lat",
    "lon",
    "time_zone",
    "currency",
    "ships_online",
]


def catalog_kind(landed_file: str) -> str | None:
    """'products' or 'locations' from the file name, else None (not a catalog file)."""
    name = PurePosixPath(landed_file).name.lower()
    if not name.endswith(".csv"):
        return None
    for kind in ("products", "locations"):
        if name.startswith(kind):
            return kind
    return None


def _split(
    typed: pl.DataFrame,
    rules: list[tuple[str, pl.Expr, pl.Expr]],
    header: list[str],
    landed_file: str,
) -> tuple[pl.DataFrame, pl.DataFrame]:
    rules = [ragged_rule(len(header)), *rules]
    checked = typed.with_columns(
        error_code=pl.coalesce(
            [pl.when(c.fill_null(False)).then(pl.lit(code)) for code, c, _ in rules]
        ),
        error=pl.concat_str(
            [pl.when(c.fill_null(False)).then(m) for _, c, m in rules],
            separator="; ",
            ignore_nulls=True,
        ),
        locator=pl.format("row {}", pl.col(ROW)),
    )
    bad = checked.filter(pl.col("error_code").is_not_null()).with_columns(
        excerpt=pl.concat_str([pl.col(c).fill_null("") for c in header], separator=",")
    )
    good = checked.filter(pl.col("error_code").is_null()).with_columns(
        source=pl.lit(SOURCE), landed_file=pl.lit(landed_file)
    )
    return good, quarantine_rows(bad, source=SOURCE, landed_file=landed_file, stage="parse")


def _required(columns: list[str]) -> list[tuple[str, pl.Expr, pl.Expr]]:
    return [
        (
            "missing_field",
            pl.col(c).is_null() | (pl.col(c).str.strip_chars() == ""),
            pl.lit(f"required field '{c}' is empty"),
        )
        for c in columns
    ]


def parse_products(payload: bytes, *, landed_file: str) -> ParseResult:
    """Parse a products CSV into core.products rows (latest file wins per SKU in conform)."""
    raw, header = read_csv_records(payload, required=PRODUCT_COLUMNS)
    raw, _ = mask_card_numbers(raw, header)
    ints = ["pack_size", "lead_time_days", "safety_stock_units", "review_period_days"]
    typed = raw.with_columns(
        _cost=parse_money(pl.col("cost")),
        _price=parse_money(pl.col("price")),
        **{f"_{c}": parse_int(pl.col(c)) for c in ints},
    )
    rules = _required(["sku", "name", "category", "cost", "price", "currency", *ints])
    rules += [
        (
            f"bad_{c}",
            pl.col(f"_{c}").is_null() | (pl.col(f"_{c}") < 0),
            pl.format(f"{c} '{{}}' is not a non-negative amount", pl.col(c)),
        )
        for c in ("cost", "price")
    ]
    rules += [
        (
            f"bad_{c}",
            pl.col(f"_{c}").is_null() | (pl.col(f"_{c}") < 0),
            pl.format(f"{c} '{{}}' is not a non-negative whole number", pl.col(c)),
        )
        for c in ints
    ]
    rules += [
        (
            "bad_upc",
            pl.col("upc").is_not_null() & ~pl.col("upc").str.contains(r"^\d{12,14}$"),
            pl.format("upc '{}' is not 12-14 digits", pl.col("upc")),
        ),
        (
            "bad_currency",
            ~pl.col("currency").str.contains(r"^[A-Z]{3}$"),
            pl.format("currency '{}' is not an ISO 4217 code", pl.col("currency")),
        ),
        (
            "duplicate_sku",
            pl.col("sku").is_duplicated(),
            pl.format("sku '{}' appears more than once in the file", pl.col("sku")),
        ),
    ]
    good, quarantine = _split(typed, rules, header, landed_file)
    staged = good.select(
        "source",
        "landed_file",
        "locator",
        sku=pl.col("sku").str.strip_chars(),
        upc=pl.col("upc"),
        name=pl.col("name"),
        category=pl.col("category"),
        cost=pl.col("_cost"),
        price=pl.col("_price"),
        currency=pl.col("currency"),
        **{c: pl.col(f"_{c}") for c in ints},
        version_key=pl.format("product:{}", pl.col("sku").str.strip_chars()),
    )
    return ParseResult(staged=staged, quarantine=quarantine, records=raw.height)


def parse_locations(payload: bytes, *, landed_file: str) -> ParseResult:
    """Parse a locations CSV into core.locations rows."""
    raw, header = read_csv_records(payload, required=LOCATION_COLUMNS)
    typed = raw.with_columns(
        _lat=pl.col("lat").str.strip_chars().cast(pl.Float64, strict=False),
        _lon=pl.col("lon").str.strip_chars().cast(pl.Float64, strict=False),
        _ships=pl.col("ships_online")
        .str.strip_chars()
        .str.to_lowercase()
        .replace_strict(
            {"true": True, "1": True, "yes": True, "false": False, "0": False, "no": False},
            default=None,
            return_dtype=pl.Boolean,
        ),
    )
    rules = _required(
        [
            "location_id",
            "name",
            "kind",
            "country",
            "lat",
            "lon",
            "time_zone",
            "currency",
            "ships_online",
        ]
    )
    rules += [
        (
            "bad_kind",
            ~pl.col("kind").is_in(["store", "warehouse"]),
            pl.format("kind '{}' is neither store nor warehouse", pl.col("kind")),
        ),
        (
            "bad_coordinates",
            pl.col("_lat").is_null()
            | pl.col("_lon").is_null()
            | ~pl.col("_lat").is_between(-90, 90)
            | ~pl.col("_lon").is_between(-180, 180),
            pl.format("lat/lon '{}', '{}' are not coordinates", pl.col("lat"), pl.col("lon")),
        ),
        (
            "bad_ships_online",
            pl.col("_ships").is_null(),
            pl.format("ships_online '{}' is not true/false", pl.col("ships_online")),
        ),
        (
            "duplicate_location",
            pl.col("location_id").is_duplicated(),
            pl.format("location_id '{}' appears more than once", pl.col("location_id")),
        ),
    ]
    good, quarantine = _split(typed, rules, header, landed_file)
    staged = good.select(
        "source",
        "landed_file",
        "locator",
        location_id=pl.col("location_id").str.strip_chars(),
        name=pl.col("name").str.strip_chars(),
        kind="kind",
        address="address",
        city="city",
        region="region",
        postal_code="postal_code",
        country="country",
        lat=pl.col("_lat"),
        lon=pl.col("_lon"),
        time_zone="time_zone",
        currency="currency",
        ships_online=pl.col("_ships"),
        version_key=pl.format("location:{}", pl.col("location_id").str.strip_chars()),
    )
    return ParseResult(staged=staged, quarantine=quarantine, records=raw.height)
