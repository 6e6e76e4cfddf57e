"""The in-store channel: Square "Item Details" CSV exports, one file per store per day.

Per day everything is drawn from ``rng_for(seed, POS_SQUARE, day)``: transactions and
their lines, discounts, which rows get corrupted, and which lines are refunded later.
Refunds wait in a small buffer until their day comes round, then land in that day's file
of the same store. Money is integer cents until it is formatted as Square text.

How each sale was paid (``Card Brand``, ``PAN Suffix``, the last two columns) comes from
its own stream, ``rng_for(seed, POS_SQUARE_CARDS, day)``, so adding the columns moved no
other number: a sale on an *Instant Profile* is always paid with the card that created the
profile (one card per profile, stream ``POS_SQUARE_PROFILE_CARDS``); any other sale with a
profile is paid by one of the person's cards 80 % of the time (a quarter of those through
a phone wallet, showing the wallet's device number), else in cash (both columns blank); a
sale without a profile by an anonymous card 80 % of the time, else in cash. A refund shows
the card of the sale it refunds.

Who buys at which store: identified shoppers live near their store. 90 % of a store's
sales with a customer profile go to a profile of a person living in its trade area
(``homes``: the store's 3-digit ZIP area), the rest to anyone; whether a sale is a
resident's is drawn on its own per-day stream (``POS_SQUARE_LOCALS``), so the sales
themselves (counts, lines, amounts, stores, payments drawn) are what they always were.
"""

from __future__ import annotations

import datetime
import zoneinfo
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import polars as pl

from oms_hub.connectors.pos.square_items import SQUARE_COLUMNS
from oms_hub.world import seeds
from oms_hub.world.cards import BRAND_P, SQUARE_BRANDS, Cards
from oms_hub.world.files import copy_file, write_csv
from oms_hub.world.homes import ELSEWHERE, home_stores
from oms_hub.world.ids import ALPHANUMERIC, UPPER_DIGITS, random_ids
from oms_hub.world.model import LINES_PER_ORDER_P, QTY_P, Catalog, People
from oms_hub.world.money import round_div, usd_text
from oms_hub.world.places import STORES
from oms_hub.world.pos_directory import (
    directory_profiles,
    draw_profiles,
    export_days,
    write_export,
)
from oms_hub.world.truth import TruthBook
from oms_hub.world.web_customers import build_contacts

SOURCE = "pos"
CHANNEL = "pos"

#: Header of a Square "Item Details" export, in order (one definition of the format,
#: shared with the parser that reads it).
SQUARE_ITEM_COLUMNS: tuple[str, ...] = tuple(SQUARE_COLUMNS)

#: Injected problems that make a row invalid (it must be quarantined, not loaded).
POS_ERROR_KINDS: tuple[str, ...] = (
    "bad_money",
    "unknown_sku",
    "bad_date",
    "unknown_time_zone",
    "missing_transaction_id",
    "net_mismatch",
    "bad_quantity",
)
#: Injected content that is NOT an error: the row is valid and counts in every total.
POS_NOTE_KINDS: tuple[str, ...] = ("card_number_in_notes",)
POS_INJECTED_KINDS: tuple[str, ...] = POS_ERROR_KINDS + POS_NOTE_KINDS
_CODE = {kind: code for code, kind in enumerate(POS_INJECTED_KINDS, start=1)}
_CARD_CODE = _CODE["card_number_in_notes"]

INJECT_RATE = 0.002
REFUND_RATE = 0.03
MAX_REFUND_DELAY_DAYS = 10
DISCOUNT_RATE = 0.15
CUSTOMER_RATE = 0.40
#: Of the sales with a customer profile, the share made by a resident of the store's trade
#: area (``homes``); the rest by anyone (commuters, travellers). Assumed, not measured.
LOCAL_SALE_SHARE = 0.90
US_DATE_FILE_RATE = 0.10
NOTE_RATE = 0.005
#: Of the sales not on an instant profile: paid by card (else cash), and of those with a
#: profile, paid through a phone wallet. Assumed, not measured.
CARD_RATE = 0.80
WALLET_RATE = 0.25
#: Relative traffic of the opening hours 9:00 ... 20:00 (stores close at 21:00).
HOUR_WEIGHTS = np.array([2, 4, 6, 9, 10, 8, 6, 6, 8, 9, 7, 4], dtype=np.float64)

#: Luhn-valid test card numbers (the public test PANs of the card networks).
TEST_CARDS: tuple[str, ...] = (
    "4111111111111111",
    "5555555555554444",
    "4242424242424242",
    "4012888888881881",
    "5105105105105100",
    "5200828282828210",
    "4000056655665556",
)
_CARD_NOTES: tuple[str, ...] = (
    "customer paid with {} call back",
    "card {} declined twice, ran again",
    "manual entry {} per manager",
    "cust asked to keep {} on file",
)
_BENIGN_NOTES = ("gift receipt", "price match", "loyalty signup", "gift wrap", "exchange")
_REFUND_NOTES = ("wrong size", "damaged", "changed mind", "gift return")
_BAD_MONEY = ("twelve", "N/A", "$--", "USD twelve")
_BAD_TZ = ("Atlantis Time", "Mars Standard Time", "Middle Earth Time (ME)", "GMT+25")
_BAD_QTY = ("two", "0")


def pos_file_name(location_id: str, day: datetime.date, *, reexport: bool = False) -> str:
    """``square-items-<location_id>-<YYYY-MM-DD>[-reexport].csv``."""
    suffix = "-reexport" if reexport else ""
    return f"square-items-{location_id}-{day.isoformat()}{suffix}.csv"


def _card_note_texts() -> pl.Series:
    texts = []
    for template in _CARD_NOTES:
        for card in TEST_CARDS:
            for sep in (" ", "-"):
                grouped = sep.join(card[i : i + 4] for i in range(0, 16, 4))
                texts.append(template.format(grouped))
    return pl.Series(texts)


def _store_times(rng: np.random.Generator, n: int) -> np.ndarray:
    hour = rng.choice(len(HOUR_WEIGHTS), size=n, p=HOUR_WEIGHTS / HOUR_WEIGHTS.sum()) + 9
    return (hour * 3600 + rng.integers(0, 3600, size=n)).astype(np.int32)


def _pick(options: tuple[str, ...], rand: pl.Expr) -> pl.Expr:
    """``options[rand % len(options)]`` as an expression."""
    expr = pl.lit(options[0])
    for i, option in enumerate(options[1:], start=1):
        expr = pl.when(rand % len(options) == i).then(pl.lit(option)).otherwise(expr)
    return expr


@dataclass
class PosStats:
    """What the POS writer produced."""

    orders: int = 0
    sale_lines: int = 0
    refund_lines: int = 0
    injected: dict[str, int] = field(default_factory=lambda: dict.fromkeys(POS_INJECTED_KINDS, 0))
    files: list[str] = field(default_factory=list)
    #: Customer Directory exports (``landing/pos/customers/``; not in ``files``).
    directory_files: list[str] = field(default_factory=list)


class SquarePosWriter:
    """Writes the POS channel of a world, one day at a time, into ``landing/pos/``."""

    def __init__(
        self,
        *,
        landing: Path,
        seed: int,
        start: datetime.date,
        orders_per_day: np.ndarray,
        catalog: Catalog,
        people: People,
        cards: Cards,
        force_every_kind: bool,
        stock_sink: Callable[[datetime.date, pl.DataFrame], None] | None = None,
    ) -> None:
        self.landing = landing
        self.stock_sink = stock_sink
        self.folder = landing / SOURCE
        self.seed = seed
        self.start = start
        self.days = len(orders_per_day)
        self.orders_per_day = orders_per_day
        self.catalog = catalog
        self.cards = cards
        self.stats = PosStats()
        self._pending: dict[int, list[pl.DataFrame]] = {}
        self._card_notes = _card_note_texts()
        self._brands = dict(enumerate(SQUARE_BRANDS))

        self._store_ids = [s.location_id for s in STORES]
        self._store_names = pl.Series([s.name for s in STORES])
        self._store_zones = pl.Series([s.square_time_zone for s in STORES])
        self._tax = np.array([s.tax_rate_milli_pct for s in STORES], dtype=np.int64)
        self._registers = np.array([s.registers for s in STORES], dtype=np.int64)
        traffic = np.array([s.traffic for s in STORES])
        self._traffic = traffic / traffic.sum()
        self._zones = [zoneinfo.ZoneInfo(s.time_zone) for s in STORES]
        self._sku = catalog.products["sku"]
        self._item = catalog.products["name"]
        self._category = catalog.products["category"]

        self._build_customers(people)
        self._export_days = set(export_days(self.days))
        self._directory: pl.DataFrame | None = None
        self._people = people
        plan = seeds.rng_for(seed, seeds.POS_SQUARE_PLAN)
        busy = np.flatnonzero(orders_per_day > 0)
        self.first_busy_day = int(busy[0]) if len(busy) else -1
        self.duplicate_day = int(busy[plan.integers(len(busy))]) if len(busy) else 0
        self.duplicate_store = int(plan.choice(len(STORES), p=self._traffic))
        self._forced: dict[int, list[int]] = {}
        if force_every_kind and len(busy):
            for i, kind in enumerate(POS_INJECTED_KINDS):
                day = int(busy[i * len(busy) // len(POS_INJECTED_KINDS)])
                self._forced.setdefault(day, []).append(_CODE[kind])

    # -- customers ------------------------------------------------------------------------
    def _build_customers(self, people: People) -> None:
        """Square customer profiles: most people have one, some two (a duplicate profile)."""
        rng = seeds.rng_for(self.seed, seeds.POS_SQUARE_CUSTOMERS)
        per_person = rng.choice(3, size=len(people), p=[0.35, 0.57, 0.08])
        person = np.repeat(np.arange(len(people)), per_person)
        first_of_person = np.ones(len(person), dtype=bool)
        first_of_person[1:] = person[1:] != person[:-1]
        self._profile_person = person
        self._profile_ids = random_ids(rng, len(person), 26, UPPER_DIGITS)
        self._profile_names = people.name_variants(rng, person, exact_allowed=first_of_person)
        self._profile_order = rng.permutation(len(person))
        self._build_local_orders(home_stores(self.seed, len(people))[person])
        self._used = np.zeros(len(person), dtype=bool)
        # visit statistics for the Customer Directory exports (no random draws)
        self._first_day = np.full(len(person), -1, dtype=np.int64)
        self._last_day = np.full(len(person), -1, dtype=np.int64)
        self._visits = np.zeros(len(person), dtype=np.int64)
        self._spend = np.zeros(len(person), dtype=np.int64)
        # Directory draws (own stream), needed now: an instant profile's sales use its card.
        self._draws = draw_profiles(self.seed, len(people), len(person))
        self._instant = self._draws.instant
        card_rng = seeds.rng_for(self.seed, seeds.POS_SQUARE_PROFILE_CARDS)
        self._instant_slot = self.cards.pick(card_rng, person)

    def _build_local_orders(self, profile_home: np.ndarray) -> None:
        """Per store, its residents' profiles in loyalty order (no random draws).

        ``_local_order[_local_start[s] : _local_start[s] + _local_size[s]]`` are the profiles
        of the people living in store ``s``'s trade area, in the order of ``_profile_order``
        (so the skew towards a few loyal customers holds within each store).
        """
        home = profile_home[self._profile_order]
        resident = home != ELSEWHERE
        by_store = np.argsort(home[resident], kind="stable")
        self._local_order = self._profile_order[resident][by_store]
        self._local_size = np.bincount(home[resident], minlength=len(STORES))
        self._local_start = np.cumsum(self._local_size) - self._local_size

    def _payments(self, d: int, profile: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """Card brand (index into ``SQUARE_BRANDS``) and last four per transaction; -1 = cash.

        Own stream per day, so no other number of the day moves.
        """
        rng = seeds.rng_for(self.seed, seeds.POS_SQUARE_CARDS, d)
        n = len(profile)
        by_card = rng.random(n) < CARD_RATE
        wallet = rng.random(n) < WALLET_RATE
        brand = rng.choice(len(BRAND_P), size=n, p=BRAND_P)  # anonymous cards
        last4 = rng.integers(0, 10_000, size=n)
        has = profile >= 0
        instant = np.zeros(n, dtype=bool)
        if has.any():
            who = profile[has]
            person = self._profile_person[who]
            slot = self.cards.pick(rng, person)
            inst = self._instant[who]
            slot = np.where(inst, self._instant_slot[who], slot)
            brand[has], last4[has] = self.cards.shown(person, slot, ~inst & wallet[has])
            instant[has] = inst
        cash = ~instant & ~by_card
        return (
            np.where(cash, -1, brand).astype(np.int8),
            np.where(cash, -1, last4).astype(np.int16),
        )

    def _sample_profiles(self, d: int, rng: np.random.Generator, store: np.ndarray) -> np.ndarray:
        """Customer profile per transaction at ``store``, -1 for none.

        ``LOCAL_SALE_SHARE`` of the identified sales go to a resident of the store's trade
        area, the others (commuters, travellers) to anyone; a few loyal customers come
        often (the ``u ** 1.6`` rank) within either group. Which group is drawn on its own
        per-day stream, so the day's ``POS_SQUARE`` draws are the ones they always were.
        """
        n = len(store)
        has = rng.random(n) < CUSTOMER_RATE
        size = len(self._profile_order)
        if size == 0:
            return np.full(n, -1, dtype=np.int64)
        skew = rng.random(n) ** 1.6
        rank = np.minimum((size * skew).astype(np.int64), size - 1)
        profile = self._profile_order[rank]
        local = seeds.rng_for(self.seed, seeds.POS_SQUARE_LOCALS, d).random(n) < LOCAL_SALE_SHARE
        group = self._local_size[store]
        local &= group > 0
        if local.any():
            local_rank = np.minimum((group * skew).astype(np.int64), np.maximum(group - 1, 0))
            at = np.minimum(self._local_start[store] + local_rank, len(self._local_order) - 1)
            profile = np.where(local, self._local_order[at], profile)
        return np.where(has, profile, -1)

    # -- one day --------------------------------------------------------------------------
    def file_names(self) -> list[str]:
        """Every file this writer will produce, relative to ``landing/pos/``."""
        names = [
            pos_file_name(store, self.start + datetime.timedelta(days=d))
            for d in range(self.days)
            for store in self._store_ids
        ]
        names.append(self._duplicate_names()[0])
        return names

    def _duplicate_names(self) -> tuple[str, str]:
        store = self._store_ids[self.duplicate_store]
        day = self.start + datetime.timedelta(days=self.duplicate_day)
        return pos_file_name(store, day, reexport=True), pos_file_name(store, day)

    def _sales(self, d: int, rng: np.random.Generator) -> pl.DataFrame:
        """The day's sale lines (numbers only; formatting comes later)."""
        n = int(self.orders_per_day[d])
        store_of_order = np.repeat(
            np.arange(len(STORES), dtype=np.int16), rng.multinomial(n, self._traffic)
        )
        lines = rng.choice(len(LINES_PER_ORDER_P), size=n, p=LINES_PER_ORDER_P) + 1
        secs = _store_times(rng, n)
        device = 1 + rng.integers(0, 1 << 30, size=n) % self._registers[store_of_order]
        profile = self._sample_profiles(d, rng, store_of_order)
        tid = random_ids(rng, n, 22, ALPHANUMERIC)
        pid = random_ids(rng, n, 29, ALPHANUMERIC)

        order = np.repeat(np.arange(n), lines)
        m = len(order)
        line_no = np.arange(m) - np.repeat(np.cumsum(lines) - lines, lines)
        store = store_of_order[order]
        sku = self.catalog.sample(rng, m)
        if d == self.first_busy_day and m:
            sku[0] = 0  # 'Cast Iron Skillet, 10"' sells at least once: CSV quoting is exercised
        sku = self._distinct_per_order(rng, order, sku)
        qty = (rng.choice(len(QTY_P), size=m, p=QTY_P) + 1).astype(np.int64)
        gross = qty * self.catalog.price_cents[sku]
        pct = rng.integers(5, 31, size=m)
        disc = np.where(rng.random(m) < DISCOUNT_RATE, -round_div(gross * pct, 100), 0)
        net = gross + disc
        tax = round_div(net * self._tax[store], 100_000)
        note_pick = rng.integers(0, 1 << 30, size=m)
        note = pl.Series(_BENIGN_NOTES).gather(note_pick % len(_BENIGN_NOTES))
        has_note = rng.random(m) < NOTE_RATE

        inject = np.where(
            rng.random(m) < INJECT_RATE, rng.integers(1, len(POS_INJECTED_KINDS) + 1, size=m), 0
        ).astype(np.int8)
        forced = self._forced.get(d, [])
        if forced and m:
            rows = rng.choice(m, size=min(len(forced), m), replace=False)
            inject[rows] = forced[: len(rows)]
        inject_rand = rng.integers(0, 1 << 30, size=m)

        card_brand, card_last4 = self._payments(d, profile)

        self._used[profile[profile >= 0]] = True
        self._count_visits(d, profile, order, net + tax)
        self.stats.orders += n
        self.stats.sale_lines += m
        return pl.DataFrame(
            {
                "store": store,
                "secs": secs[order],
                "tid": tid.gather(order),
                "pid": pid.gather(order),
                "device": device[order],
                "profile": profile[order],
                "line_no": line_no.astype(np.int16),
                "event": np.zeros(m, dtype=np.int8),
                "sku": sku,
                "qty": qty,
                "gross": gross,
                "disc": disc,
                "net": net,
                "tax": tax,
                "note": _masked(note, has_note),
                "inject": inject,
                "inject_rand": inject_rand,
                "card_brand": card_brand[order],
                "card_last4": card_last4[order],
            }
        )

    def _count_visits(
        self, d: int, profile: np.ndarray, order: np.ndarray, paid: np.ndarray
    ) -> None:
        """Directory statistics: first/last visit, transactions and spend per profile."""
        known = profile >= 0
        who = profile[known]
        if not len(who):
            return
        per_order = np.bincount(order, weights=paid, minlength=len(profile))
        per_order = np.rint(per_order).astype(np.int64)
        self._first_day[who] = np.where(self._first_day[who] < 0, d, self._first_day[who])
        self._last_day[who] = d
        np.add.at(self._visits, who, 1)
        np.add.at(self._spend, who, per_order[known])

    def _write_directory(self, d: int) -> None:
        """A Square Customer Directory export as of the end of day ``d`` (own stream)."""
        if self._directory is None:
            self._directory = directory_profiles(
                self._draws,
                build_contacts(self.seed, self._people),
                self._profile_person,
                self._profile_ids,
                self._profile_names,
            )
        name = write_export(
            self.folder,
            self.start,
            d,
            self._directory,
            self._first_day,
            self._last_day,
            self._visits,
            self._spend,
        )
        self.stats.directory_files.append(f"{SOURCE}/{name}")

    def _distinct_per_order(
        self, rng: np.random.Generator, order: np.ndarray, sku: np.ndarray
    ) -> np.ndarray:
        """Redraw repeated products within an order, as Square puts one line per item."""
        n_products = len(self.catalog)
        while True:
            key = order.astype(np.int64) * n_products + sku
            by_key = np.argsort(key, kind="stable")
            ordered = key[by_key]
            repeats = by_key[1:][ordered[1:] == ordered[:-1]]
            if len(repeats) == 0:
                return sku
            sku[repeats] = self.catalog.sample(rng, len(repeats))

    def _schedule_refunds(self, d: int, sales: pl.DataFrame, rng: np.random.Generator) -> None:
        """Pick ~3 % of the day's clean sale lines to be refunded 1-10 days later."""
        eligible = (sales["inject"] == 0).to_numpy()
        chosen = np.flatnonzero(eligible & (rng.random(sales.height) < REFUND_RATE))
        k = len(chosen)
        delay = rng.integers(1, MAX_REFUND_DELAY_DAYS + 1, size=k)
        src = sales[chosen]
        qty = src["qty"].to_numpy()
        refund_qty = 1 + rng.integers(0, 1 << 30, size=k) % qty
        store = src["store"].to_numpy()
        secs = _store_times(rng, k)
        device = 1 + rng.integers(0, 1 << 30, size=k) % self._registers[store]
        reason = rng.integers(0, 2 * len(_REFUND_NOTES), size=k)
        price = self.catalog.price_cents[src["sku"].to_numpy()]
        gross = -refund_qty * price
        disc = round_div(-src["disc"].to_numpy() * refund_qty, qty)
        net = gross + disc
        tax = round_div(net * self._tax[store], 100_000)
        notes = pl.Series(_REFUND_NOTES).gather(reason % len(_REFUND_NOTES))
        refunds = src.with_columns(
            pl.Series("secs", secs),
            pl.Series("device", device),
            pl.Series("event", np.ones(k, dtype=np.int8)),
            pl.Series("qty", -refund_qty),
            pl.Series("gross", gross),
            pl.Series("disc", disc),
            pl.Series("net", net),
            pl.Series("tax", tax),
            _masked(notes, reason < len(_REFUND_NOTES)).alias("note"),
            pl.Series("due", d + delay),
        )
        for (due,), part in refunds.partition_by("due", as_dict=True).items():
            if due < self.days:
                self._pending.setdefault(int(due), []).append(part.drop("due"))

    def write_day(self, d: int, truth: TruthBook) -> None:
        """Generate, write and account for day ``d`` (days must come in order)."""
        rng = seeds.rng_for(self.seed, seeds.POS_SQUARE, d)
        day = self.start + datetime.timedelta(days=d)
        us_dates = rng.random(len(STORES)) < US_DATE_FILE_RATE
        sales = self._sales(d, rng)
        self._schedule_refunds(d, sales, rng)
        refunds = self._pending.pop(d, [])
        self.stats.refund_lines += sum(r.height for r in refunds)
        rows = (
            pl.concat([sales, *refunds])
            .sort("store", "secs", "tid", "line_no")
            .with_columns(pl.int_range(1, pl.len() + 1).over("store").alias("row_number"))
        )

        iso, us = day.isoformat(), day.strftime("%m/%d/%Y")
        file_date = pl.Series([us if flag else iso for flag in us_dates])
        files = pl.Series([pos_file_name(s, day) for s in self._store_ids])
        noon = datetime.datetime.combine(day, datetime.time(12))
        utc_offset = pl.Series(
            [int(noon.replace(tzinfo=z).utcoffset().total_seconds()) for z in self._zones]
        )
        store = rows["store"]
        rows = rows.with_columns(
            file_date.gather(store).alias("file_date"),
            pl.Series("us_date", us_dates).gather(store),
            files.gather(store).alias("file"),
            (
                pl.lit(day)
                + pl.duration(days=(pl.col("secs") - utc_offset.gather(store)) // 86_400)
            ).alias("utc_day"),
        )
        self._account(rows, truth)
        if self.stock_sink is not None:  # the stock writer needs the clean rows (files unchanged)
            kind = pl.col("inject")
            clean = rows.filter((kind == 0) | (kind == _CARD_CODE))
            self.stock_sink(day, clean.select("store", "secs", "sku", "qty", "note"))
        self._write_files(d, day, self._format(rows))
        if d in self._export_days:
            self._write_directory(d)

    def _account(self, rows: pl.DataFrame, truth: TruthBook) -> None:
        kind = pl.col("inject")
        clean = (kind == 0) | (kind == _CARD_CODE)
        truth.add_sales(
            CHANNEL,
            rows.filter(clean).select(
                pl.col("utc_day").alias("day"),
                pl.col("tid").alias("order_id"),
                (pl.col("event") == 0).alias("is_sale"),
                pl.col("qty").alias("units"),
                pl.col("gross").alias("gross_cents"),
                pl.col("net").alias("net_cents"),
            ),
        )
        injected = rows.filter(kind > 0).select(
            (pl.lit(f"{SOURCE}/") + pl.col("file")).alias("file"),
            pl.col("row_number").cast(pl.Int64),
            pl.col("tid").alias("transaction_id"),
            pl.col("inject").cast(pl.Int64).alias("code"),
        )
        for code, count in injected["code"].value_counts().iter_rows():
            self.stats.injected[POS_INJECTED_KINDS[code - 1]] += count
        kinds = pl.Series(POS_INJECTED_KINDS)
        truth.add_injected(injected.with_columns(kinds.gather(injected["code"] - 1).alias("kind")))

    def _format(self, rows: pl.DataFrame) -> pl.DataFrame:
        """Square text for every column, with the injected corruptions applied."""
        kind = pl.col("inject")
        rand = pl.col("inject_rand")
        secs = pl.col("secs")

        def two(e: pl.Expr) -> pl.Expr:
            return e.cast(pl.String).str.zfill(2)

        profile = rows["profile"]
        safe_profile = profile.clip(lower_bound=0)
        has_customer = profile >= 0
        # net_mismatch: Net Sales off by 1 cent to 5 dollars, up or down
        net_delta = (1 + rand % 500) * pl.when(rand % 2 == 0).then(1).otherwise(-1)
        frame = rows.with_columns(
            self._category.gather(rows["sku"]).alias("category"),
            self._item.gather(rows["sku"]).alias("item"),
            self._sku.gather(rows["sku"]).alias("sku_text"),
            self._store_zones.gather(rows["store"]).alias("zone"),
            self._store_names.gather(rows["store"]).alias("location"),
            _masked(self._profile_ids.gather(safe_profile), has_customer).alias("cust_id"),
            _masked(self._profile_names.gather(safe_profile), has_customer).alias("cust_name"),
            self._card_notes.gather(rows["inject_rand"] % self._card_notes.len()).alias(
                "card_note"
            ),
            usd_text(pl.col("gross")).alias("gross_text"),
            usd_text(pl.col("disc")).alias("disc_text"),
            usd_text(
                pl.col("net") + pl.when(kind == _CODE["net_mismatch"]).then(net_delta).otherwise(0)
            ).alias("net_text"),
            usd_text(pl.col("tax")).alias("tax_text"),
        )
        bad_date = (
            pl.when(pl.col("us_date"))
            .then(
                pl.concat_str(
                    [
                        _pick(("13/45/", "02/30/", "00/12/"), rand),
                        pl.col("file_date").str.slice(6, 4),
                    ]
                )
            )
            .otherwise(
                pl.concat_str(
                    [
                        pl.col("file_date").str.slice(0, 4),
                        _pick(("-13-45", "-02-30", "-00-12"), rand),
                    ]
                )
            )
        )
        gross_text = pl.col("gross_text")
        return frame.select(
            "store",
            pl.when(kind == _CODE["bad_date"])
            .then(bad_date)
            .otherwise(pl.col("file_date"))
            .alias("Date"),
            pl.concat_str(
                [two(secs // 3600), two(secs // 60 % 60), two(secs % 60)], separator=":"
            ).alias("Time"),
            pl.when(kind == _CODE["unknown_time_zone"])
            .then(_pick(_BAD_TZ, rand))
            .otherwise(pl.col("zone"))
            .alias("Time Zone"),
            pl.col("category").alias("Category"),
            pl.col("item").alias("Item"),
            pl.when(kind == _CODE["bad_quantity"])
            .then(_pick(_BAD_QTY, rand))
            .otherwise(pl.col("qty").cast(pl.String))
            .alias("Qty"),
            pl.lit("Regular").alias("Price Point Name"),
            pl.when(kind == _CODE["unknown_sku"])
            .then(
                pl.concat_str(
                    [pl.lit("SKU-9"), (rand % 100_000).cast(pl.String).str.zfill(5), pl.lit("X")]
                )
            )
            .otherwise(pl.col("sku_text"))
            .alias("SKU"),
            pl.lit(None, dtype=pl.String).alias("Modifiers Applied"),
            pl.when(kind == _CODE["bad_money"])
            .then(
                pl.when(rand % 2 == 0)
                .then(gross_text.str.slice(0, gross_text.str.len_chars() - 1) + pl.lit("O"))
                .otherwise(_pick(_BAD_MONEY, rand // 2))
            )
            .otherwise(gross_text)
            .alias("Gross Sales"),
            pl.col("disc_text").alias("Discounts"),
            pl.col("net_text").alias("Net Sales"),
            pl.col("tax_text").alias("Tax"),
            pl.when(kind == _CODE["missing_transaction_id"])
            .then(pl.lit(None, dtype=pl.String))
            .otherwise(pl.col("tid"))
            .alias("Transaction ID"),
            pl.col("pid").alias("Payment ID"),
            (pl.lit("Register ") + pl.col("device").cast(pl.String)).alias("Device Name"),
            pl.when(kind == _CARD_CODE)
            .then(pl.col("card_note"))
            .otherwise(pl.col("note"))
            .alias("Notes"),
            pl.lit(None, dtype=pl.String).alias("Details"),
            pl.when(pl.col("event") == 0)
            .then(pl.lit("Payment"))
            .otherwise(pl.lit("Refund"))
            .alias("Event Type"),
            pl.col("location").alias("Location"),
            pl.col("cust_id").alias("Customer ID"),
            pl.col("cust_name").alias("Customer Name"),
            pl.lit(None, dtype=pl.String).alias("Customer Reference ID"),
            pl.lit("Physical Item").alias("Itemization Type"),
            pl.when(pl.col("card_brand") >= 0)
            .then(
                pl.col("card_brand").replace_strict(
                    self._brands, default=None, return_dtype=pl.String
                )
            )
            .alias("Card Brand"),
            pl.when(pl.col("card_last4") >= 0)
            .then(pl.col("card_last4").cast(pl.String).str.zfill(4))
            .alias("PAN Suffix"),
        )

    def _write_files(self, d: int, day: datetime.date, frame: pl.DataFrame) -> None:
        self.folder.mkdir(parents=True, exist_ok=True)
        parts = frame.partition_by("store", as_dict=True, maintain_order=True, include_key=False)
        empty = frame.clear().drop("store")
        for s, store in enumerate(self._store_ids):
            name = pos_file_name(store, day)
            write_csv(parts.get((s,), empty), self.folder / name)
            self.stats.files.append(f"{SOURCE}/{name}")
        if d == self.duplicate_day:
            duplicate, original = self._duplicate_names()
            copy_file(self.folder / original, self.folder / duplicate)
            self.stats.files.append(f"{SOURCE}/{duplicate}")

    def finish(self, truth: TruthBook) -> int:
        """Record identities and the duplicate file; returns the number of distinct people seen."""
        used = np.flatnonzero(self._used)
        truth.add_identities(
            pl.DataFrame(
                {
                    "source": pl.repeat(SOURCE, len(used), dtype=pl.String, eager=True),
                    "source_customer_id": self._profile_ids.gather(used),
                    "person_id": People.person_ids(self._profile_person[used]),
                    "name_variant": self._profile_names.gather(used),
                }
            )
        )
        duplicate, original = self._duplicate_names()
        truth.add_duplicate(f"{SOURCE}/{duplicate}", f"{SOURCE}/{original}")
        return len(np.unique(self._profile_person[used]))


def _masked(values: pl.Series, keep: np.ndarray | pl.Series) -> pl.Series:
    """``values`` where ``keep`` else null."""
    keep = pl.Series(keep) if not isinstance(keep, pl.Series) else keep
    return pl.select(pl.when(keep).then(values).otherwise(None)).to_series().alias(values.name)
