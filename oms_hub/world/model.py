"""The retailer behind every channel: catalog, people and the trading calendar.

Everything here is seeded and vectorized; channel writers (``pos_square``, and later the
web shop, marketplace and EDI writers) sample from these objects.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass

import numpy as np
import polars as pl

from oms_hub.world import seeds
from oms_hub.world.ids import upc_check_digit
from oms_hub.world.money import decimal_text, round_div
from oms_hub.world.vocab import CATEGORIES, COLORS, FIRST_NAMES, LAST_NAMES

#: Distribution of lines per order (1-8 lines, mean about 2.55).
LINES_PER_ORDER_P = np.array([0.33, 0.27, 0.17, 0.10, 0.06, 0.035, 0.02, 0.015])
#: Distribution of the quantity on one line (1-5 units).
QTY_P = np.array([0.62, 0.22, 0.09, 0.05, 0.02])
#: Busier Fridays and weekends (Monday first).
WEEKDAY_TRAFFIC = np.array([0.85, 0.85, 0.90, 0.95, 1.10, 1.40, 1.25])

CATEGORY_NAMES: tuple[str, ...] = tuple(CATEGORIES)
_MATERIALS = 8
_NOUNS = 10
_COLOR_SLOTS = len(COLORS) + 1
_SUFFIX_SLOTS = 5
_PER_CATEGORY = _MATERIALS * _NOUNS * _COLOR_SLOTS * _SUFFIX_SLOTS
#: Product 1 is always the Kitchen "Cast Iron Skillet, 10"" (comma and double quote).
_QUOTED_PRODUCT_CODE = CATEGORY_NAMES.index("Kitchen") * _PER_CATEGORY + 2


def product_count(orders: int) -> int:
    """Catalog size for a world of ``orders`` orders: ``clamp(orders // 20, 100, 5000)``."""
    return int(min(max(orders // 20, 100), 5000))


@dataclass(frozen=True)
class Catalog:
    """Products with their prices (integer cents) and how popular each one is."""

    products: pl.DataFrame
    price_cents: np.ndarray
    popularity: np.ndarray

    def __len__(self) -> int:
        return self.products.height

    def sample(self, rng: np.random.Generator, n: int) -> np.ndarray:
        """``n`` product indices drawn by popularity."""
        return rng.choice(len(self.price_cents), size=n, p=self.popularity).astype(np.int32)

    def csv_frame(self) -> pl.DataFrame:
        """``products.csv`` as written to ``landing/catalog/``."""
        return self.products.select(
            "sku",
            "upc",
            "name",
            "category",
            decimal_text(pl.col("cost_cents")).alias("cost"),
            decimal_text(pl.col("price_cents")).alias("price"),
            pl.lit("USD").alias("currency"),
            "pack_size",
            "lead_time_days",
            "safety_stock_units",
            "review_period_days",
        )


def build_catalog(seed: int, n_products: int, expected_daily_units: float) -> Catalog:
    """A seeded catalog of ``n_products`` distinct products over eight categories."""
    rng = seeds.rng_for(seed, seeds.CATALOG)
    total_codes = len(CATEGORY_NAMES) * _PER_CATEGORY
    others = rng.choice(total_codes - 1, size=n_products - 1, replace=False)
    others = others + (others >= _QUOTED_PRODUCT_CODE)
    codes = np.concatenate([[_QUOTED_PRODUCT_CODE], others]).astype(np.int64)

    category = codes // _PER_CATEGORY
    rest = codes % _PER_CATEGORY
    material = rest // (_NOUNS * _COLOR_SLOTS * _SUFFIX_SLOTS)
    noun = (rest // (_COLOR_SLOTS * _SUFFIX_SLOTS)) % _NOUNS
    color = (rest // _SUFFIX_SLOTS) % _COLOR_SLOTS
    suffix = rest % _SUFFIX_SLOTS

    materials = pl.Series([m for mats, _, _, _ in CATEGORIES.values() for m in mats])
    nouns = pl.Series([n for _, ns, _, _ in CATEGORIES.values() for n in ns])
    suffixes = pl.Series([s for _, _, sfx, _ in CATEGORIES.values() for s in ("", *sfx)])
    colors = pl.Series(["", *(f" - {c}" for c in COLORS)])
    names = pl.DataFrame(
        {
            "m": materials.gather(category * _MATERIALS + material),
            "n": nouns.gather(category * _NOUNS + noun),
            "c": colors.gather(color),
            "s": suffixes.gather(category * _SUFFIX_SLOTS + suffix),
        }
    ).select(pl.concat_str([pl.col("m"), pl.lit(" "), pl.col("n"), pl.col("c"), pl.col("s")]))

    bounds = np.array([b for _, _, _, b in CATEGORIES.values()], dtype=np.float64)
    lo, hi = np.log(bounds[category, 0]), np.log(bounds[category, 1])
    dollars = np.floor(np.exp(rng.uniform(lo, hi))).astype(np.int64)
    ending = rng.choice(np.array([99, 0, 50]), size=n_products, p=[0.6, 0.25, 0.15])
    price = dollars * 100 + ending
    cost = round_div(price * rng.integers(3500, 6501, size=n_products), 10_000)

    ranks = rng.permutation(n_products)
    weights = 1.0 / (ranks + 8.0) ** 0.9
    popularity = weights / weights.sum()

    company = rng.choice(np.array([36000, 71234, 81234, 85006, 609876, 688955, 742832]), 7)
    base = (
        company[rng.integers(0, len(company), n_products)] * 100_000
        + rng.permutation(100_000)[:n_products]
    )
    upc = base * 10 + upc_check_digit(base)

    lead_time = rng.integers(3, 22, size=n_products)
    pack_size = rng.choice(np.array([1, 6, 12, 24]), size=n_products, p=[0.55, 0.2, 0.15, 0.1])
    stores = 12
    daily_per_location = popularity * expected_daily_units / stores
    safety = np.maximum(1, np.ceil(1.65 * np.sqrt(lead_time * daily_per_location))).astype(int)

    index = pl.int_range(1, n_products + 1, eager=True)
    products = pl.DataFrame(
        {
            "sku": ("SKU-" + index.cast(pl.String).str.zfill(6)),
            "upc": pl.Series(upc).cast(pl.String).str.zfill(12),
            "name": names.to_series(),
            "category": pl.Series(CATEGORY_NAMES).gather(category),
            "cost_cents": cost,
            "price_cents": price,
            "pack_size": pack_size,
            "lead_time_days": lead_time,
            "safety_stock_units": safety,
            "review_period_days": np.full(n_products, 7),
        }
    )
    return Catalog(products=products, price_cents=price, popularity=popularity)


def person_count(orders: int) -> int:
    """How many distinct people live in a world of ``orders`` orders."""
    return max(50, orders // 3)


#: How a source spells a person's name (kind codes used by ``People.name_variants``).
EXACT, NICKNAME, INITIAL, TYPO, UPPER, LAST_FIRST = range(6)
_VARIANT_P = np.array([0.60, 0.12, 0.08, 0.10, 0.05, 0.05])


@dataclass(frozen=True)
class People:
    """The people who shop with the retailer, under their true names."""

    first: np.ndarray  # index into FIRST_NAMES
    last: np.ndarray  # index into LAST_NAMES

    def __len__(self) -> int:
        return len(self.first)

    @staticmethod
    def person_ids(person: np.ndarray) -> pl.Series:
        """Stable person ids: ``P00000042``."""
        return "P" + pl.Series(person, dtype=pl.Int64).cast(pl.String).str.zfill(8)

    def name_variants(
        self, rng: np.random.Generator, person: np.ndarray, *, exact_allowed: np.ndarray
    ) -> pl.Series:
        """How a source spells each given person's name.

        Mostly ``First Last``; otherwise a nickname (``Bob``), an initial (``R. Smith``),
        a typo (one letter of the last name dropped), upper case or ``Last, First``.
        Where ``exact_allowed`` is false a variant other than the exact name is used.
        """
        n = len(person)
        kind = rng.choice(len(_VARIANT_P), size=n, p=_VARIANT_P)
        forced = rng.integers(1, len(_VARIANT_P), size=n)
        kind = np.where(exact_allowed, kind, forced)
        first_idx, last_idx = self.first[person], self.last[person]
        nick_of = np.array([bool(nick) for _, nick in FIRST_NAMES])
        kind = np.where((kind == NICKNAME) & ~nick_of[first_idx], INITIAL, kind)
        last_len = np.array([len(s) for s in LAST_NAMES])[last_idx]
        kind = np.where((kind == TYPO) & (last_len < 4), UPPER, kind)
        drop_at = 1 + rng.integers(0, 1 << 30, size=n) % np.maximum(last_len - 2, 1)

        first = pl.Series([f for f, _ in FIRST_NAMES]).gather(first_idx)
        nick = pl.Series([k for _, k in FIRST_NAMES]).gather(first_idx)
        last = pl.Series(LAST_NAMES).gather(last_idx)
        f, k, la = pl.col("first"), pl.col("nick"), pl.col("last")
        at = pl.col("drop_at")
        return (
            pl.DataFrame(
                {"first": first, "nick": nick, "last": last, "kind": kind, "drop_at": drop_at}
            )
            .select(
                pl.when(pl.col("kind") == NICKNAME)
                .then(pl.concat_str([k, la], separator=" "))
                .when(pl.col("kind") == INITIAL)
                .then(pl.concat_str([f.str.slice(0, 1), pl.lit(". "), la]))
                .when(pl.col("kind") == TYPO)
                .then(pl.concat_str([f, pl.lit(" "), la.str.slice(0, at), la.str.slice(at + 1)]))
                .when(pl.col("kind") == UPPER)
                .then(pl.concat_str([f, la], separator=" ").str.to_uppercase())
                .when(pl.col("kind") == LAST_FIRST)
                .then(pl.concat_str([la, f], separator=", "))
                .otherwise(pl.concat_str([f, la], separator=" "))
                .alias("name")
            )
            .to_series()
        )

    def true_names(self, person: np.ndarray) -> pl.Series:
        """``First Last`` as the person would write it."""
        first = pl.Series([f for f, _ in FIRST_NAMES]).gather(self.first[person])
        last = pl.Series(LAST_NAMES).gather(self.last[person])
        return first + " " + last


def build_people(seed: int, n_persons: int) -> People:
    """A seeded population of ``n_persons`` people (names repeat, as in life)."""
    rng = seeds.rng_for(seed, seeds.PEOPLE)
    first = rng.integers(0, len(FIRST_NAMES), size=n_persons)
    last = rng.integers(0, len(LAST_NAMES), size=n_persons)
    return People(first=first, last=last)


def orders_per_day(seed: int, orders: int, days: int, start: datetime.date) -> np.ndarray:
    """Split ``orders`` over ``days`` days: busier Fridays and weekends, some noise."""
    rng = seeds.rng_for(seed, seeds.CALENDAR)
    weekday = (start.weekday() + np.arange(days)) % 7
    weights = WEEKDAY_TRAFFIC[weekday] * rng.lognormal(0.0, 0.08, size=days)
    return rng.multinomial(orders, weights / weights.sum())
