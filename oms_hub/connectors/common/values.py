"""Vectorized text-to-value parsing: money, dates, integers.

Each function returns a polars expression that yields null where the text is present
but not parseable, so the caller can quarantine exactly those rows
(``text is not null and value is null``) instead of silently nulling them.
"""

from __future__ import annotations

import polars as pl

from oms_hub.quality.contracts import MONEY_DTYPE

# $1,275.00  -$0.95  $-0.95  (0.95)  1275  1275.5  — thousands groups must be well formed.
_MONEY = r"^\(?-?\$?-?(\d{1,3}(,\d{3})+|\d+)(\.\d{1,2})?\)?$"


def parse_money(text: pl.Expr) -> pl.Expr:
    """'$1,275.00' -> Decimal('1275.00'); '-$0.95' and '($0.95)' -> Decimal('-0.95')."""
    t = text.str.strip_chars()
    negative = t.str.contains(r"^\(.*\)$") | t.str.contains("-")
    magnitude = t.str.replace_all(r"[()$,\-]", "").cast(MONEY_DTYPE, strict=False)
    parsed = pl.when(negative).then(-magnitude).otherwise(magnitude)
    return pl.when(t.str.contains(_MONEY)).then(parsed).otherwise(None).cast(MONEY_DTYPE)


def parse_us_or_iso_date(text: pl.Expr) -> pl.Expr:
    """'2026-10-01' or '10/01/2026' -> Date; anything else (or an impossible date) -> null."""
    t = text.str.strip_chars()
    return pl.coalesce(
        t.str.to_date("%Y-%m-%d", strict=False),
        t.str.to_date("%m/%d/%Y", strict=False),
    )


def parse_time_of_day(text: pl.Expr) -> pl.Expr:
    """'13:45:12' or '13:45' -> Time; otherwise null."""
    t = text.str.strip_chars()
    return pl.coalesce(
        t.str.to_time("%H:%M:%S", strict=False),
        t.str.to_time("%H:%M", strict=False),
    )


def parse_int(text: pl.Expr) -> pl.Expr:
    """'2' -> 2, ' -1 ' -> -1, '2.0' -> 2; 'two' or '2.5' -> null."""
    t = text.str.strip_chars().str.replace(r"\.0+$", "")
    return t.cast(pl.Int32, strict=False)
