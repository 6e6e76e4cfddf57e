"""Helpers for the world tests: build a world, read its files back, re-detect problems.

The readers and validators here deliberately do not import the generator's helpers: they
re-implement the documented file format, so a bug in the generator cannot hide itself.
(A uniquely named module, not ``conftest``, so ``import`` cannot pick up another folder's.)
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass
from pathlib import Path

import polars as pl

from oms_hub.world import WorldSummary, generate_world

MONEY_RE = r"^-?\$\d{1,3}(,\d{3})*\.\d{2}$"
SQUARE_ZONES = {
    "Eastern Time (US & Canada)",
    "Central Time (US & Canada)",
    "Mountain Time (US & Canada)",
    "Pacific Time (US & Canada)",
    "Arizona",
}
ERROR_KINDS = {
    "bad_money",
    "unknown_sku",
    "bad_date",
    "unknown_time_zone",
    "missing_transaction_id",
    "net_mismatch",
    "bad_quantity",
}
_DIGIT_RUN = re.compile(r"\d(?:[ -]?\d){12,18}")


@dataclass(frozen=True)
class World:
    home: Path
    summary: WorldSummary

    @property
    def landing(self) -> Path:
        return self.home / "landing"

    @property
    def truth(self) -> Path:
        return self.home / "truth"


def build(home: Path, **kwargs: object) -> World:
    return World(home, generate_world(home, **kwargs))


def luhn_ok(digits: str) -> bool:
    total = 0
    for i, ch in enumerate(reversed(digits)):
        d = int(ch)
        if i % 2 == 1:
            d *= 2
            if d > 9:
                d -= 9
        total += d
    return total % 10 == 0


def card_numbers(text: str | None) -> list[str]:
    """Luhn-valid 13-19 digit numbers (spaces/dashes allowed between digits) in ``text``."""
    if not text:
        return []
    found = []
    for match in _DIGIT_RUN.finditer(text):
        digits = re.sub(r"\D", "", match.group())
        if luhn_ok(digits):
            found.append(digits)
    return found


def read_pos(landing: Path) -> pl.DataFrame:
    """Every POS row as text, plus ``file`` (relative to landing) and 1-based ``row_number``.

    Files with the same bytes are read once (originals preferred over ``-reexport``).
    """
    files = sorted((landing / "pos").glob("*.csv"), key=lambda p: ("reexport" in p.name, p.name))
    seen: set[str] = set()
    frames = []
    for path in files:
        digest = hashlib.sha256(path.read_bytes()).hexdigest()
        if digest in seen:
            continue
        seen.add(digest)
        frame = pl.read_csv(path, infer_schema=False)
        frames.append(
            frame.with_columns(
                pl.lit(f"pos/{path.name}").alias("file"),
                pl.int_range(1, pl.len() + 1).cast(pl.Int64).alias("row_number"),
            )
        )
    return pl.concat(frames)


def money_cents(col: str) -> pl.Expr:
    """Parse Square money text to integer cents (null when unparseable)."""
    text = pl.col(col)
    digits = text.str.replace_all(r"[$,.\-]", "")
    parsed = digits.cast(pl.Int64, strict=False)
    signed = pl.when(text.str.starts_with("-")).then(-parsed).otherwise(parsed)
    return pl.when(text.str.contains(MONEY_RE)).then(signed).otherwise(None)


def detect_problems(rows: pl.DataFrame, skus: set[str]) -> pl.DataFrame:
    """Re-derive, from the text alone, which problem each row has: ``file, row_number, kind``."""
    parsed_date = pl.coalesce(
        pl.col("Date").str.strptime(pl.Date, "%Y-%m-%d", strict=False),
        pl.col("Date").str.strptime(pl.Date, "%m/%d/%Y", strict=False),
    )
    gross, disc, net = (
        money_cents("Gross Sales"),
        money_cents("Discounts"),
        money_cents("Net Sales"),
    )
    money_ok = pl.all_horizontal(
        [pl.col(c).str.contains(MONEY_RE) for c in ("Gross Sales", "Discounts", "Net Sales", "Tax")]
    )
    qty_ok = pl.col("Qty").str.contains(r"^-?[1-9]\d*$")
    checks = {
        "bad_money": ~money_ok,
        "unknown_sku": ~pl.col("SKU").is_in(list(skus)),
        "bad_date": parsed_date.is_null(),
        "unknown_time_zone": ~pl.col("Time Zone").is_in(list(SQUARE_ZONES)),
        "missing_transaction_id": pl.col("Transaction ID").is_null(),
        "net_mismatch": money_ok & (net != gross + disc),
        "bad_quantity": ~qty_ok,
    }
    found = [
        rows.filter(expr.fill_null(True)).select("file", "row_number", pl.lit(kind).alias("kind"))
        for kind, expr in checks.items()
    ]
    notes = rows.filter(pl.col("Notes").is_not_null()).select("file", "row_number", "Notes")
    card_rows = [
        (f, r) for f, r, text in notes.iter_rows() if card_numbers(text)
    ]  # few rows: notes are rare
    found.append(
        pl.DataFrame(
            card_rows, schema={"file": pl.String, "row_number": pl.Int64}, orient="row"
        ).with_columns(pl.lit("card_number_in_notes").alias("kind"))
    )
    return pl.concat(found).sort("file", "row_number", "kind")
