"""Square Customer Directory exports: the contact details behind the POS customer profiles.

Square's "Item Details" export names a sale's customer profile (``Customer ID``,
``Customer Name``) but nothing else about them. What the store knows about a customer
lives in the Customer Directory, which a merchant exports from the Dashboard
(Customers > Import/Export) as a CSV, one row per profile (``SQUARE_DIRECTORY_COLUMNS``).

How profiles get their details here, per profile (own random stream,
``seeds.POS_SQUARE_DIRECTORY``, drawn once by ``draw_profiles`` before the first sale:
the item files use only the creation source, since an *Instant Profile*'s sales are paid
with the card that created it):

* ``Creation Source``: an *Instant Profile* (created from the name on a payment card:
  a name only), *Email Collection* (a digital receipt: an email), *Loyalty* (signed up
  with a phone number, sometimes a birthday) or *Directory* (typed in by staff: email,
  phone, often a ZIP, sometimes a birthday);
* the person's email and phone (the same ones the web shops see, ``web_customers``),
  with the same drift as there: the newer email of some people, the ZIP after a move;
  phones as ``+15551234567`` or ``(555) 123-4567``;
* a memo now and then; staff sometimes type a card number into it (Square warns
  against it), which the parser masks;
* visit statistics from the item files: first and last visit, transactions, total spend.

A full export is written weekly (every 7th day and the last day) to
``landing/pos/customers/export-YYYYMMDD-235900.csv``, listing every profile that has
visited by then; a later export supersedes the earlier rows of the same profile.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import polars as pl

from oms_hub.world import seeds
from oms_hub.world.files import write_csv
from oms_hub.world.money import usd_text
from oms_hub.world.web_customers import MOVED_P, NEW_EMAIL_P, Contacts

#: Header of a Square Customer Directory export, in order.
SQUARE_DIRECTORY_COLUMNS: tuple[str, ...] = (
    "Square Customer ID",
    "First Name",
    "Last Name",
    "Email Address",
    "Phone Number",
    "Nickname",
    "Company Name",
    "Street Address 1",
    "Street Address 2",
    "City",
    "State",
    "Postal Code",
    "Birthday",
    "Memo",
    "Reference ID",
    "Creation Source",
    "First Visit",
    "Last Visit",
    "Transaction Count",
    "Total Spend",
    "Email Subscription Status",
    "Instant Profile",
)
FOLDER = "customers"
EXPORT_EVERY_DAYS = 7

CREATION_SOURCES = ("Instant Profile", "Email Collection", "Loyalty", "Directory")
INSTANT = CREATION_SOURCES.index("Instant Profile")
#: Share of profiles per creation source, and per source the chance of each detail.
_SOURCE_P = np.array([0.15, 0.30, 0.30, 0.25])
_EMAIL_P = np.array([0.0, 1.0, 0.5, 0.8])
_PHONE_P = np.array([0.0, 0.15, 1.0, 0.7])
_ZIP_P = np.array([0.0, 0.1, 0.3, 0.6])
_BIRTHDAY_P = np.array([0.0, 0.0, 0.4, 0.2])
MEMO_P = 0.04
CARD_MEMO_P = 0.1  # of the memos
_MEMOS = ("prefers text", "VIP", "allergic to wool", "ask about wedding registry", "tax exempt")
_CARD_MEMOS = ("card on file 4111 1111 1111 1111", "pays w/ 5555-5555-5555-4444")


def export_name(day: datetime.date) -> str:
    """``customers/export-YYYYMMDD-235900.csv`` (relative to ``landing/pos/``)."""
    return f"{FOLDER}/export-{day:%Y%m%d}-235900.csv"


def export_days(days: int) -> list[int]:
    """Day indexes with a directory export: every 7th day and the last day."""
    picks = [d for d in range(days) if d % EXPORT_EVERY_DAYS == EXPORT_EVERY_DAYS - 1]
    return sorted({*picks, days - 1}) if days else []


@dataclass(frozen=True)
class ProfileDraws:
    """Every random choice about the profiles' directory rows, drawn once per world.

    Drawn before any sale is written, because the item files need ``kind``: a sale on an
    *Instant Profile* is paid with the card that created it (``pos_square``).
    """

    born: np.ndarray  # (people,) days since 1970 of each person's birth date
    kind: np.ndarray  # (profiles,) index into CREATION_SOURCES
    has_email: np.ndarray
    has_phone: np.ndarray
    has_zip: np.ndarray
    has_birthday: np.ndarray
    new_email: np.ndarray
    moved: np.ndarray
    e164: np.ndarray
    memo: np.ndarray
    card_memo: np.ndarray
    memo_pick: np.ndarray
    subscribed: np.ndarray

    @property
    def instant(self) -> np.ndarray:
        """Per profile: created from the name on a payment card (an *Instant Profile*)."""
        return self.kind == INSTANT


def draw_profiles(seed: int, n_people: int, n_profiles: int) -> ProfileDraws:
    """The directory draws of ``n_profiles`` profiles (stream ``POS_SQUARE_DIRECTORY``)."""
    rng = seeds.rng_for(seed, seeds.POS_SQUARE_DIRECTORY)
    # per person (so duplicate profiles of one person agree): birth date
    born = rng.integers(-10_950, 12_780, size=n_people)  # 1940 .. 2004
    n = n_profiles
    kind = rng.choice(len(CREATION_SOURCES), size=n, p=_SOURCE_P)
    has_email = rng.random(n) < _EMAIL_P[kind]
    has_phone = rng.random(n) < _PHONE_P[kind]
    has_zip = rng.random(n) < _ZIP_P[kind]
    has_birthday = rng.random(n) < _BIRTHDAY_P[kind]
    new_email = rng.random(n) < NEW_EMAIL_P
    moved = rng.random(n) < MOVED_P
    e164 = rng.random(n) < 0.6
    memo = rng.random(n) < MEMO_P
    card_memo = rng.random(n) < CARD_MEMO_P
    memo_pick = rng.integers(0, 1 << 30, size=n)
    subscribed = rng.random(n) < 0.7
    return ProfileDraws(
        born=born,
        kind=kind,
        has_email=has_email,
        has_phone=has_phone,
        has_zip=has_zip,
        has_birthday=has_birthday,
        new_email=new_email,
        moved=moved,
        e164=e164,
        memo=memo,
        card_memo=card_memo,
        memo_pick=memo_pick,
        subscribed=subscribed,
    )


def directory_profiles(
    draws: ProfileDraws,
    contacts: Contacts,
    profile_person: np.ndarray,
    profile_ids: pl.Series,
    profile_names: pl.Series,
) -> pl.DataFrame:
    """The static part of every profile's directory row (one row per profile, in order)."""
    n = len(profile_person)
    kind = draws.kind
    memo_pick = draws.memo_pick
    c = contacts.frame[profile_person] if n else contacts.frame.clear()
    names = profile_names.str.strip_chars()
    comma = names.str.contains(",")
    birth = pl.Series(draws.born[profile_person]).cast(pl.Date)
    frame = pl.DataFrame(
        {
            "id": profile_ids,
            "name": names,
            "comma": comma,
            "kind": kind,
            "has_email": draws.has_email,
            "has_phone": draws.has_phone,
            "has_zip": draws.has_zip,
            "has_birthday": draws.has_birthday,
            "use_new_email": draws.new_email,
            "moved": draws.moved,
            "e164": draws.e164,
            "memo": draws.memo,
            "card_memo": draws.card_memo,
            "memo_pick": memo_pick,
            "subscribed": draws.subscribed,
            "birth": birth,
        }
    ).hstack(c)
    phone = (
        pl.when(pl.col("e164"))
        .then(pl.format("+1{}{}{}", "area", "exchange", "line"))
        .otherwise(pl.format("({}) {}-{}", "area", "exchange", "line"))
    )
    memo_text = (
        pl.when(pl.col("card_memo"))
        .then(pl.Series(_CARD_MEMOS).gather(memo_pick % len(_CARD_MEMOS)))
        .otherwise(pl.Series(_MEMOS).gather(memo_pick % len(_MEMOS)))
    )
    return frame.select(
        pl.col("id").alias("Square Customer ID"),
        pl.when(pl.col("comma"))
        .then(pl.col("name").str.extract(r",\s*(.*)$", 1))
        .otherwise(pl.col("name").str.extract(r"^(\S+)", 1))
        .alias("First Name"),
        pl.when(pl.col("comma"))
        .then(pl.col("name").str.extract(r"^([^,]*),", 1))
        .otherwise(pl.col("name").str.extract(r"^\S+\s+(.*)$", 1))
        .alias("Last Name"),
        pl.when(pl.col("has_email"))
        .then(pl.when(pl.col("use_new_email")).then("new_email").otherwise("email"))
        .alias("Email Address"),
        pl.when(pl.col("has_phone")).then(phone).alias("Phone Number"),
        pl.lit(None, pl.String).alias("Nickname"),
        pl.lit(None, pl.String).alias("Company Name"),
        pl.lit(None, pl.String).alias("Street Address 1"),
        pl.lit(None, pl.String).alias("Street Address 2"),
        pl.lit(None, pl.String).alias("City"),
        pl.lit(None, pl.String).alias("State"),
        pl.when(pl.col("has_zip"))
        .then(pl.when(pl.col("moved")).then("new_zip").otherwise("zip"))
        .alias("Postal Code"),
        pl.when(pl.col("has_birthday"))
        .then(pl.col("birth").dt.strftime("%Y-%m-%d"))
        .alias("Birthday"),
        pl.when(pl.col("memo")).then(memo_text).alias("Memo"),
        pl.lit(None, pl.String).alias("Reference ID"),
        pl.Series(CREATION_SOURCES).gather(kind).alias("Creation Source"),
        pl.when(pl.col("has_email"))
        .then(
            pl.when(pl.col("subscribed"))
            .then(pl.lit("subscribed"))
            .otherwise(pl.lit("unsubscribed"))
        )
        .alias("Email Subscription Status"),
        pl.when(pl.col("kind") == INSTANT)
        .then(pl.lit("Yes"))
        .otherwise(pl.lit("No"))
        .alias("Instant Profile"),
    )


def write_export(
    folder: Path,
    start: datetime.date,
    day_index: int,
    static: pl.DataFrame,
    first_day: np.ndarray,
    last_day: np.ndarray,
    visits: np.ndarray,
    spend_cents: np.ndarray,
) -> str:
    """Write the directory as of the end of day ``day_index``; returns its landing name."""
    day = start + datetime.timedelta(days=day_index)
    seen = np.flatnonzero(first_day >= 0)
    stats = pl.DataFrame(
        {
            "_row": seen,
            "first": pl.Series(first_day[seen]).cast(pl.Int32),
            "last": pl.Series(last_day[seen]).cast(pl.Int32),
            "visits": visits[seen],
            "spend": spend_cents[seen],
        }
    )
    as_date = lambda c: (pl.lit(start) + pl.duration(days=pl.col(c))).dt.strftime("%Y-%m-%d")  # noqa: E731
    rows = (
        static[seen]
        .hstack(stats)
        .with_columns(
            as_date("first").alias("First Visit"),
            as_date("last").alias("Last Visit"),
            pl.col("visits").cast(pl.String).alias("Transaction Count"),
            usd_text(pl.col("spend")).alias("Total Spend"),
        )
        .sort("Square Customer ID")
        .select(SQUARE_DIRECTORY_COLUMNS)
    )
    name = export_name(day)
    path = folder / name
    path.parent.mkdir(parents=True, exist_ok=True)
    write_csv(rows, path)
    return name
