"""Identifiers and check digits, generated a whole column at a time."""

from __future__ import annotations

import numpy as np
import polars as pl

UPPER_DIGITS = b"ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789"
ALPHANUMERIC = b"0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"


def random_ids(
    rng: np.random.Generator, n: int, length: int, alphabet: bytes = ALPHANUMERIC
) -> pl.Series:
    """``n`` random ASCII identifiers of ``length`` characters drawn from ``alphabet``."""
    table = np.frombuffer(alphabet, dtype=np.uint8)
    codes = rng.integers(0, len(table), size=(n, length), dtype=np.uint8)
    raw = np.ascontiguousarray(table[codes]).view(f"S{length}").ravel()
    return pl.Series(raw).cast(pl.String)


def upc_check_digit(base11: np.ndarray) -> np.ndarray:
    """UPC-A check digit for 11-digit integer bases (digits 1, 3, ..., 11 weigh 3)."""
    base = np.asarray(base11, dtype=np.int64)
    powers = 10 ** np.arange(10, -1, -1, dtype=np.int64)
    digits = (base[:, None] // powers[None, :]) % 10
    weights = np.where(np.arange(11) % 2 == 0, 3, 1)
    return (10 - (digits * weights).sum(axis=1) % 10) % 10


def luhn_valid(number: str) -> bool:
    """Whether a string of digits (separators ignored) passes the Luhn check."""
    digits = [int(c) for c in number if c.isdigit()]
    total = 0
    for i, d in enumerate(reversed(digits)):
        if i % 2 == 1:
            d = d * 2 - 9 if d > 4 else d * 2
        total += d
    return len(digits) > 0 and total % 10 == 0
