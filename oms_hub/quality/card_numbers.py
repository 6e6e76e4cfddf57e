"""Find and mask payment card numbers (PANs) in free text, set-wise.

A candidate is a run of 13-19 digits, optionally grouped by single spaces or dashes.
It is a card number when it passes the Luhn check and starts with a known issuer
prefix (Visa 4, Mastercard 51-55 / 2221-2720, Amex 34/37, Discover 6011/65/644-649,
Diners 36/38/300-305, JCB 3528-3589). Order numbers and phone numbers are usually
not Luhn-valid with an issuer prefix, which keeps false positives rare.

Detection is vectorized in polars (regex extraction, then Luhn over the exploded
candidates). Masking rewrites only the texts that hold a card number, which are
exceptional, so that step may touch rows one by one without costing the hot path.
"""

from __future__ import annotations

import re

import polars as pl

CANDIDATE = r"\b\d(?:[ -]?\d){12,18}\b"
_CANDIDATE_RE = re.compile(CANDIDATE)
_ISSUER = r"^(4|5[1-5]|2(2[2-9][1-9]|2[3-9]\d|[3-6]\d\d|7[01]\d|720)|3[47]|6011|65|64[4-9]|3[68]|30[0-5]|35(2[89]|[3-8]\d))"


def _luhn_ok(digits: pl.Expr) -> pl.Expr:
    """Luhn check of a string expression of digits."""
    values = digits.str.reverse().str.split("").list.eval(pl.element().cast(pl.Int32))
    weighted = values.list.eval(
        pl.when(pl.int_range(pl.len()) % 2 == 1)
        .then(pl.element() * 2 - pl.when(pl.element() * 2 > 9).then(9).otherwise(0))
        .otherwise(pl.element())
    )
    return weighted.list.sum() % 10 == 0


def card_number_mask(text: pl.Expr) -> pl.Expr:
    """Boolean expression: does the text contain a Luhn-valid card number?"""
    return (
        text.str.extract_all(CANDIDATE)
        .list.eval(
            pl.element()
            .str.replace_all(r"[ -]", "")
            .pipe(
                lambda d: (
                    d.str.contains(_ISSUER) & d.str.len_chars().is_between(13, 19) & _luhn_ok(d)
                )
            )
        )
        .list.any()
        .fill_null(False)
    )


def _luhn_py(digits: str) -> bool:
    total = 0
    for i, ch in enumerate(reversed(digits)):
        d = int(ch)
        if i % 2 == 1:
            d = d * 2 - 9 if d > 4 else d * 2
        total += d
    return total % 10 == 0


def mask_text(text: str) -> str:
    """Mask every card number in one text, keeping its last four digits."""

    def repl(match: re.Match[str]) -> str:
        digits = re.sub(r"[ -]", "", match.group(0))
        if 13 <= len(digits) <= 19 and re.match(_ISSUER, digits) and _luhn_py(digits):
            return "*" * (len(digits) - 4) + digits[-4:]
        return match.group(0)

    return _CANDIDATE_RE.sub(repl, text)


def mask_card_numbers(
    frame: pl.DataFrame, columns: list[str] | None = None
) -> tuple[pl.DataFrame, pl.Series]:
    """Mask card numbers in every text column; return the frame and a per-row flag.

    Only rows that contain a card number are rewritten.
    """
    text_cols = columns or [c for c, t in frame.schema.items() if t == pl.String]
    nothing = pl.Series("has_card_number", [False] * frame.height, dtype=pl.Boolean)
    if not text_cols or frame.is_empty():
        return frame, nothing
    # Cheap screen first: most files hold no long digit run at all.
    if not frame.select(pl.any_horizontal(pl.col(text_cols).str.contains(CANDIDATE)).any()).item():
        return frame, nothing
    flags = frame.select([card_number_mask(pl.col(c)).alias(c) for c in text_cols])
    any_flag = flags.select(pl.any_horizontal(pl.all()).alias("has_card_number")).to_series()
    if not any_flag.any():
        return frame, any_flag
    # Only the flagged rows (exceptional) go through the per-text masking function.
    indexed = frame.with_row_index("__mask_order")
    flagged = indexed.filter(any_flag).with_columns(
        [
            pl.col(c).map_elements(mask_text, return_dtype=pl.String, skip_nulls=True)
            for c in text_cols
        ]
    )
    masked = (
        pl.concat([indexed.filter(~any_flag), flagged]).sort("__mask_order").drop("__mask_order")
    )
    return masked, any_flag
