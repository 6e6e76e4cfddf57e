"""Exact money: integer cents inside, text only at the edges.

Rounding is half away from zero on integer cents, so a refund of a whole line is exactly
the negative of the sale.
"""

from __future__ import annotations

import numpy as np
import polars as pl


def round_div(numerator: np.ndarray, denominator: int | np.ndarray) -> np.ndarray:
    """Integer ``numerator / denominator`` rounded half away from zero (denominator > 0)."""
    num = np.asarray(numerator, dtype=np.int64)
    magnitude = (np.abs(num) * 2 + denominator) // (2 * np.asarray(denominator, dtype=np.int64))
    return np.sign(num) * magnitude


def _thousands(dollars: pl.Expr) -> pl.Expr:
    """Non-negative integer dollars as text with ``,`` thousands separators."""
    millions = dollars // 1_000_000
    thousands = (dollars // 1_000) % 1_000
    units = dollars % 1_000

    def pad(e: pl.Expr) -> pl.Expr:
        return e.cast(pl.String).str.zfill(3)

    return (
        pl.when(dollars >= 1_000_000)
        .then(pl.concat_str([millions.cast(pl.String), pad(thousands), pad(units)], separator=","))
        .when(dollars >= 1_000)
        .then(pl.concat_str([thousands.cast(pl.String), pad(units)], separator=","))
        .otherwise(units.cast(pl.String))
    )


def usd_text(cents: pl.Expr) -> pl.Expr:
    """Square-style money text: ``$1,275.00``, ``$0.95``, ``-$0.95`` (never ``-$0.00``).

    Amounts up to one billion dollars are formatted with separators.
    """
    magnitude = cents.abs()
    body = pl.concat_str(
        [
            pl.lit("$"),
            _thousands(magnitude // 100),
            pl.lit("."),
            (magnitude % 100).cast(pl.String).str.zfill(2),
        ]
    )
    return pl.when(cents < 0).then(pl.lit("-") + body).otherwise(body)


def decimal_text(cents: pl.Expr) -> pl.Expr:
    """Plain two-decimal text without currency sign or separators: ``12.40``, ``-0.95``."""
    magnitude = cents.abs()
    body = pl.concat_str(
        [
            (magnitude // 100).cast(pl.String),
            pl.lit("."),
            (magnitude % 100).cast(pl.String).str.zfill(2),
        ]
    )
    return pl.when(cents < 0).then(pl.lit("-") + body).otherwise(body)
