"""Read a delimited file into text columns, keeping a record locator and a field count.

polars parses the records (fast, all columns as text). A ragged record (more or fewer
fields than the header) is something polars pads or truncates silently, so the field
count of every record is measured separately, set-wise: the file is split into physical
lines, quoted sections are removed with a regex and the separators left are counted.
When a file has quoted fields that span lines, physical lines and records no longer
line up one to one; the count is then unknown (null) for that file and the caller's
value checks remain the guard.
"""

from __future__ import annotations

import csv
import io

import polars as pl

ROW = "__row"
FIELDS = "__fields"


class CsvHeaderError(ValueError):
    """The file has no usable header: nothing in it can be loaded."""


def read_header(text: str) -> list[str]:
    """The header fields of CSV text (only the first record is parsed)."""
    first = text.split("\n", 1)[0].rstrip("\r")
    fields = next(csv.reader(io.StringIO(first)), [])
    return [f.strip() for f in fields]


def _field_counts(text: str) -> pl.Series:
    """Fields per non-blank physical line after the header."""
    lines = pl.Series("line", text.splitlines()[1:], dtype=pl.String)
    counted = pl.DataFrame({"line": lines}).filter(pl.col("line").str.strip_chars() != "")
    return counted.select(
        pl.col("line")
        .str.replace_all(r'"(?:[^"]|"")*"', "")
        .str.count_matches(",")
        .add(1)
        .cast(pl.Int32)
        .alias(FIELDS)
    ).to_series()


def read_csv_records(payload: bytes, *, required: list[str]) -> tuple[pl.DataFrame, list[str]]:
    """Parse CSV bytes into all-text columns plus ``__row`` and ``__fields``.

    ``__row`` is the 1-based data record number (header excluded, blank lines skipped
    but counted, so it points at the physical record). ``__fields`` is the number of
    fields the record really had (null when it cannot be known, see module docstring).
    Raises ``CsvHeaderError`` when a required column is missing from the header.
    """
    text = payload.decode("utf-8-sig", errors="replace")
    header = read_header(text)
    missing = [c for c in required if c not in header]
    if missing:
        raise CsvHeaderError(f"header lacks column(s) {', '.join(missing)}; found {header[:8]}")
    frame = pl.read_csv(
        io.BytesIO(text.encode("utf-8")),
        has_header=False,
        skip_rows=1,
        new_columns=header,
        schema_overrides={n: pl.String for n in header},
        infer_schema=False,
        truncate_ragged_lines=True,
        raise_if_empty=False,
    )
    if frame.width < len(header):  # every record shorter than the header
        frame = frame.with_columns(
            [pl.lit(None, pl.String).alias(c) for c in header[frame.width :]]
        )
    frame = frame.select(header[: frame.width] if frame.width <= len(header) else header)
    frame = (
        frame.with_row_index(ROW, offset=1)
        .with_columns(pl.col(ROW).cast(pl.Int32))
        .filter(~pl.all_horizontal(pl.exclude(ROW).is_null()))
    )
    counts = _field_counts(text)
    fields = (
        counts
        if counts.len() == frame.height
        else pl.repeat(None, frame.height, dtype=pl.Int32, eager=True)
    )
    return frame.with_columns(fields.alias(FIELDS)), header


def ragged_rule(header_fields: int) -> tuple[str, pl.Expr, pl.Expr]:
    """The quarantine rule for a record whose field count differs from the header's."""
    return (
        "ragged_row",
        pl.col(FIELDS).is_not_null() & (pl.col(FIELDS) != header_fields),
        pl.format(f"row has {{}} fields, the header has {header_fields}", pl.col(FIELDS)),
    )
