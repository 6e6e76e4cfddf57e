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


#: Made-up syllables for the long tail of rare names (``Quinbertre``, ``Lanosha``).
_NAME_SYLLABLES = (
    "ka", "ri", "mo", "lan", "ber", "to", "ne", "sha", "vi", "dor", "el", "mar", "quin",
    "ta", "lo", "ren", "ash", "bel", "cor", "da", "fen", "gar", "hal", "is", "jo", "kel",
    "lin", "mer", "nor", "os", "pel", "ros", "sol", "tem", "ul", "van", "wes", "yor", "zan",
    "bri", "cla", "dre", "fro", "gle", "ho", "kri", "mu", "ph", "stan", "tre", "ow", "ay",
)  # fmt: skip
#: Size of the name vocabularies: the world's real names first (the common ones), then
#: made-up rare ones. Zipf-like shares ``1 / (rank + offset)`` over them give a population
#: whose most common surname holds ~0.8 % of people (Smith holds 0.83 % in the 2010 US
#: census) and whose most common given name ~2 %, so namesakes are as rare as in life.
FIRST_NAME_COUNT, FIRST_NAME_OFFSET = 2_000, 10.0
LAST_NAME_COUNT, LAST_NAME_OFFSET = 50_000, 15.0


def syllable_names(rng: np.random.Generator, n: int, parts: int, *, avoid=()) -> pl.Series:
    """Up to ``n`` distinct made-up names of ``parts`` syllables (capitalized), vectorized."""
    syl = pl.Series(_NAME_SYLLABLES)
    picks = rng.integers(0, len(_NAME_SYLLABLES), size=(n * 2, parts))
    names = pl.DataFrame({f"s{i}": syl.gather(picks[:, i]) for i in range(parts)}).select(
        pl.concat_str(pl.all()).str.to_titlecase().alias("name")
    )
    names = names.filter(~pl.col("name").is_in(list(avoid)))
    return names.unique(maintain_order=True).head(n).to_series()


def _zipf_ranks(rng: np.random.Generator, k: int, n: int, offset: float) -> np.ndarray:
    """``n`` draws of ranks ``0..k-1`` with probability proportional to ``1 / (rank + offset)``."""
    weights = 1.0 / (np.arange(k) + offset)
    cdf = np.cumsum(weights / weights.sum())
    return np.minimum(np.searchsorted(cdf, rng.random(n), side="right"), k - 1)


@dataclass(frozen=True)
class People:
    """The people who shop with the retailer, under their true names.

    ``first``/``last`` index the name vocabularies ``first_names`` (with ``nicknames``,
    "" when there is none) and ``last_names``.
    """

    first: np.ndarray
    last: np.ndarray
    first_names: pl.Series
    nicknames: pl.Series
    last_names: pl.Series

    def __len__(self) -> int:
        return len(self.first)

    @staticmethod
    def person_ids(person: np.ndarray) -> pl.Series:
        """Stable person ids: ``P00000042``."""
        return "P" + pl.Series(person, dtype=pl.Int64).cast(pl.String).str.zfill(8)

    def first_of(self, person: np.ndarray) -> pl.Series:
        """True given name of each given person."""
        return self.first_names.gather(self.first[person])

    def last_of(self, person: np.ndarray) -> pl.Series:
        """True surname of each given person."""
        return self.last_names.gather(self.last[person])

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
        nick_of = (self.nicknames != "").to_numpy()
        kind = np.where((kind == NICKNAME) & ~nick_of[first_idx], INITIAL, kind)
        last_len = self.last_names.str.len_chars().to_numpy()[last_idx]
        kind = np.where((kind == TYPO) & (last_len < 4), UPPER, kind)
        drop_at = 1 + rng.integers(0, 1 << 30, size=n) % np.maximum(last_len - 2, 1)

        first = self.first_names.gather(first_idx)
        nick = self.nicknames.gather(first_idx)
        last = self.last_names.gather(last_idx)
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
        return self.first_of(person) + " " + self.last_of(person)


def build_people(seed: int, n_persons: int) -> People:
    """A seeded population of ``n_persons`` people with a long-tailed name distribution.

    The world's real names (``vocab``) are the common ones; made-up names from syllables
    (their own stream, ``seeds.PEOPLE_NAMES``) make the long tail of rare names. Names
    repeat as in a real population: a few very common, most rare.
    """
    vocab = seeds.rng_for(seed, seeds.PEOPLE_NAMES)
    real_first = [f for f, _ in FIRST_NAMES]
    made_first = syllable_names(vocab, FIRST_NAME_COUNT - len(real_first), 2, avoid=real_first)
    made_last = syllable_names(vocab, LAST_NAME_COUNT - len(LAST_NAMES), 3, avoid=LAST_NAMES)
    first_names = pl.concat([pl.Series("name", real_first), made_first])
    nicknames = pl.concat(
        [pl.Series("name", [k for _, k in FIRST_NAMES]), pl.Series("name", [""] * len(made_first))]
    )
    last_names = pl.concat([pl.Series("name", list(LAST_NAMES)), made_last])
    rng = seeds.rng_for(seed, seeds.PEOPLE)
    first = _zipf_ranks(rng, len(first_names), n_persons, FIRST_NAME_OFFSET)
    last = _zipf_ranks(rng, len(last_names), n_persons, LAST_NAME_OFFSET)
    return People(
        first=first,
        last=last,
        first_names=first_names,
        nicknames=nicknames,
        last_names=last_names,
    )


def orders_per_day(seed: int, orders: int, days: int, start: datetime.date) -> np.ndarray:
    """Split ``orders`` over ``days`` days: busier Fridays and weekends, some noise."""
    rng = seeds.rng_for(seed, seeds.CALENDAR)
    weekday = (start.weekday() + np.arange(days)) % 7
    weights = WEEKDAY_TRAFFIC[weekday] * rng.lognormal(0.0, 0.08, size=days)
    return rng.multinomial(orders, weights / weights.sum())
