"""Synthetic customer identities with ground truth, for scoring identity resolution.

A population of people, each seen by the retailer's channels as one or more *source
identities* with the drift real data has: nicknames (``Kate`` for ``Katherine``),
typos (a letter dropped, swapped or replaced), upper case, moves (30 % of people move
once: identities seen after the move carry the new address), new email addresses (25 %
change once, likewise in time), marketplace relay emails, missing phones, phone and address
formats that differ by channel, ZIP+4 codes, and households (people who share an
address and a phone). Every identity carries ``person_id``, the truth.

Vectorized (numpy + polars, no per-row Python) and seeded: the same arguments give the
same frame. It has its own random stream and does not change any other world output.
"""

from __future__ import annotations

import datetime as dt

import numpy as np
import polars as pl

from oms_hub.world import seeds
from oms_hub.world.vocab import FIRST_NAMES, LAST_NAMES

_SYLLABLES = (
    "ka", "ri", "mo", "lan", "ber", "to", "ne", "sha", "vi", "dor", "el", "mar", "quin",
    "ta", "lo", "ren", "ash", "bel", "cor", "da", "fen", "gar", "hal", "is", "jo", "kel",
    "lin", "mer", "nor", "os", "pel", "ros", "sol", "tem", "ul", "van", "wes", "yor", "zan",
    "bri", "cla", "dre", "fro", "gle", "ho", "kri", "mu", "ph", "stan", "tre", "ow", "ay",
)  # fmt: skip
_STREET_TYPES = ("Street", "Avenue", "Road", "Lane", "Drive", "Court", "Place", "Boulevard")
_STREET_ABBR = ("St", "Ave", "Rd", "Ln", "Dr", "Ct", "Pl", "Blvd")
_DOMAINS = ("gmail.com", "yahoo.com", "outlook.com", "icloud.com", "aol.com", "proton.me",
            "hotmail.com", "comcast.net")  # fmt: skip
_REGIONS = ("NY", "CA", "TX", "FL", "IL", "PA", "OH", "GA", "NC", "MI", "NJ", "VA", "WA",
            "AZ", "MA", "TN", "IN", "MO", "MD", "WI", "CO", "MN", "OR", "SC")  # fmt: skip
_SOURCES = ("pos", "shopify", "woocommerce", "amazon", "edi")
_SOURCE_P = np.array([0.30, 0.30, 0.15, 0.20, 0.05])


def _syllable_names(rng: np.random.Generator, n: int, parts: int) -> list[str]:
    """``n`` distinct made-up names of ``parts`` syllables (capitalized)."""
    syl = np.array(_SYLLABLES)
    picks = rng.integers(0, len(syl), size=(n * 2, parts))
    names = pl.Series(["".join(row) for row in syl[picks].tolist()]).unique(maintain_order=True)
    return names.head(n).str.to_titlecase().to_list()


def _zipf_choice(rng: np.random.Generator, k: int, n: int, offset: float = 20.0) -> np.ndarray:
    weights = 1.0 / (np.arange(k) + offset)
    return rng.choice(k, size=n, p=weights / weights.sum())


def _typo(text: pl.Expr, kind: pl.Expr, at: pl.Expr, letter: pl.Expr) -> pl.Expr:
    """Apply typo ``kind`` (0 none, 1 drop, 2 swap with next, 3 replace) at position ``at``."""
    at = pl.min_horizontal(at, pl.max_horizontal(text.str.len_chars() - 2, pl.lit(0)))
    head, cur, nxt, tail = (
        text.str.slice(0, at),
        text.str.slice(at, 1),
        text.str.slice(at + 1, 1),
        text.str.slice(at + 2),
    )
    return (
        pl.when(kind == 1)
        .then(pl.concat_str([head, nxt, tail]))
        .when(kind == 2)
        .then(pl.concat_str([head, nxt, cur, tail]))
        .when(kind == 3)
        .then(pl.concat_str([head, letter, nxt, tail]))
        .otherwise(text)
    )


def generate_identities(n_identities: int, *, seed: int = 7) -> pl.DataFrame:
    """``n_identities`` source identities of fewer people, with ``person_id`` truth.

    Columns: the source-identity contract (``oms_hub.identity.SOURCE_COLUMNS``) plus
    ``record_id`` and ``person_id``.
    """
    rng = seeds.rng_for(seed, seeds.IDENTITIES)
    n_people = max(1, int(n_identities / 2.2))
    # vocabularies: the world's names first (with nicknames), then made-up ones
    nick_rng = np.random.default_rng([seed, seeds.IDENTITIES, 1])
    firsts = [f for f, _ in FIRST_NAMES] + _syllable_names(nick_rng, 3000, 2)
    nicks = [k for _, k in FIRST_NAMES] + [""] * 3000
    lasts = list(LAST_NAMES) + _syllable_names(nick_rng, 80_000, 3)
    streets = _syllable_names(nick_rng, 4000, 2)
    cities = _syllable_names(nick_rng, 600, 2)

    # people
    p_first = _zipf_choice(rng, len(firsts), n_people)
    p_last = _zipf_choice(rng, len(lasts), n_people, offset=200.0)
    household = rng.random(n_people) < 0.08  # shares home and phone with the previous person
    p_last = np.where(household & (np.arange(n_people) > 0), np.roll(p_last, 1), p_last)
    dob = rng.integers(-10_950, 12_780, size=n_people)  # 1940 .. 2004
    phone = rng.integers(201, 990, size=n_people) * 10_000_000 + rng.integers(
        2_000_000, 9_999_999, size=n_people
    )
    email_num = rng.integers(0, 1000, size=(2, n_people))
    email_dom = rng.integers(0, len(_DOMAINS), size=(2, n_people))

    def homes() -> dict[str, np.ndarray]:
        city = rng.integers(0, len(cities), size=n_people)
        return {
            "house": rng.integers(1, 9999, size=n_people),
            "street": _zipf_choice(rng, len(streets), n_people, offset=50.0),
            "stype": rng.integers(0, len(_STREET_TYPES), size=n_people),
            "unit": np.where(rng.random(n_people) < 0.25, rng.integers(1, 40, size=n_people), 0),
            "city": city,
            "zip": 10_000 + (city * 137 + rng.integers(0, 5, size=n_people)) % 89_000,
            "zip4": rng.integers(1000, 9999, size=n_people),
        }

    home = [homes(), homes()]
    hh = np.flatnonzero(household)
    hh = hh[hh > 0]
    for h in home:
        for key in h:
            h[key][hh] = h[key][hh - 1]
    phone[hh] = phone[hh - 1]

    # identities: each person seen 1..n times
    per = 1 + np.minimum(rng.poisson(1.25, size=n_people), 7)
    person = np.repeat(np.arange(n_people), per)[:n_identities]
    if len(person) < n_identities:  # top up with single-identity people
        extra = rng.integers(0, n_people, size=n_identities - len(person))
        person = np.concatenate([person, extra])
    n = len(person)
    u = rng.random((12, n))
    # life happens in time: a person moves (and changes email) at most once, at some
    # moment; identities seen after it carry the new home (email), earlier ones the old
    seen_s = rng.integers(0, 700 * 86400, size=n)
    moves_at = np.where(
        rng.random(n_people) < 0.30, rng.integers(0, 700 * 86400, size=n_people), 1 << 40
    )
    new_email_at = np.where(
        rng.random(n_people) < 0.25, rng.integers(0, 700 * 86400, size=n_people), 1 << 40
    )
    moved = seen_s >= moves_at[person]
    new_email = seen_s >= new_email_at[person]
    relay = u[2] < 0.10
    no_email = (u[3] < 0.15) & ~relay
    no_phone = u[4] < 0.40
    no_address = u[5] < 0.20
    has_dob = u[6] < 0.25
    name_kind = rng.choice(6, size=n, p=[0.62, 0.14, 0.08, 0.09, 0.04, 0.03])
    # 0 exact, 1 nickname, 2 first typo, 3 last typo, 4 upper, 5 initial
    typo_kind = rng.integers(1, 4, size=n)
    typo_at = rng.integers(1, 6, size=n)
    letter = np.array(list("abcdefghijklmnopqrstuvwxyz"))[rng.integers(0, 26, size=n)]
    phone_fmt = rng.integers(0, 4, size=n)
    addr_fmt = rng.integers(0, 3, size=n)
    zip4 = u[7] < 0.10
    # never leave a record with nothing but a name
    no_email = np.where(no_phone & no_address, False, no_email)
    relay = np.where(no_phone & no_address, False, relay)

    h = {k: np.where(moved, home[1][k][person], home[0][k][person]) for k in home[0]}
    which_email = np.where(new_email, 1, 0)
    frame = pl.DataFrame(
        {
            "person": person,
            "first": pl.Series(firsts).gather(p_first[person]),
            "nick": pl.Series(nicks).gather(p_first[person]),
            "last": pl.Series(lasts).gather(p_last[person]),
            "kind": name_kind,
            "typo_kind": typo_kind,
            "typo_at": typo_at,
            "letter": letter,
            "email_num": email_num[which_email, person],
            "email_dom": pl.Series(_DOMAINS).gather(email_dom[which_email, person]),
            "which_email": which_email,
            "phone": phone[person],
            "phone_fmt": phone_fmt,
            "house": h["house"],
            "street": pl.Series(streets).gather(h["street"]),
            "stype": h["stype"],
            "unit": h["unit"],
            "city": pl.Series(cities).gather(h["city"]),
            "region": pl.Series(_REGIONS).gather(h["city"] % len(_REGIONS)),
            "zip": h["zip"],
            "zip4": h["zip4"],
            "addr_fmt": addr_fmt,
            "dob": dob[person],
        }
    )
    first, last, kind = pl.col("first"), pl.col("last"), pl.col("kind")
    nick_ok = pl.col("nick").str.len_chars() > 0
    first_out = (
        pl.when((kind == 1) & nick_ok)
        .then(pl.col("nick"))
        .when(kind == 2)
        .then(_typo(first, pl.col("typo_kind"), pl.col("typo_at"), pl.col("letter")))
        .when(kind == 4)
        .then(first.str.to_uppercase())
        .when(kind == 5)
        .then(first.str.slice(0, 1) + ".")
        .otherwise(first)
    )
    last_out = (
        pl.when(kind == 3)
        .then(_typo(last, pl.col("typo_kind"), pl.col("typo_at"), pl.col("letter")))
        .when(kind == 4)
        .then(last.str.to_uppercase())
        .otherwise(last)
    )
    local = pl.concat_str(
        [
            first.str.to_lowercase().str.replace_all(r"[^a-z]", ""),
            pl.when(pl.col("which_email") == 0).then(pl.lit(".")).otherwise(pl.lit("_")),
            last.str.to_lowercase().str.replace_all(r"[^a-z]", ""),
            pl.col("email_num").cast(pl.String),
        ]
    )
    digits = pl.col("phone").cast(pl.String)
    phone_out = (
        pl.when(pl.col("phone_fmt") == 0)
        .then(
            pl.format(
                "({}) {}-{}", digits.str.slice(0, 3), digits.str.slice(3, 3), digits.str.slice(6)
            )
        )
        .when(pl.col("phone_fmt") == 1)
        .then(
            pl.format(
                "{}-{}-{}", digits.str.slice(0, 3), digits.str.slice(3, 3), digits.str.slice(6)
            )
        )
        .when(pl.col("phone_fmt") == 2)
        .then(
            pl.format(
                "+1 {} {} {}", digits.str.slice(0, 3), digits.str.slice(3, 3), digits.str.slice(6)
            )
        )
        .otherwise(digits)
    )
    stype_long = pl.Series(_STREET_TYPES).gather(frame["stype"])
    stype_short = pl.Series(_STREET_ABBR).gather(frame["stype"])
    unit = pl.col("unit").cast(pl.String)
    line2 = (
        pl.when(pl.col("unit") == 0)
        .then(None)
        .when(pl.col("addr_fmt") == 0)
        .then("Apt " + unit)
        .when(pl.col("addr_fmt") == 1)
        .then("#" + unit)
        .otherwise("Unit " + unit)
    )
    zip5 = pl.col("zip").cast(pl.String).str.zfill(5)
    relay_addr = pl.format(
        "{}@marketplace.amazon.com",
        pl.int_range(pl.len()).hash(seed).cast(pl.String).str.slice(0, 14),
    )
    seen = dt.datetime(2025, 1, 1, tzinfo=dt.UTC)
    out = frame.with_columns(st_long=stype_long, st_short=stype_short, u_seen=seen_s).select(
        pl.format("R{}", pl.int_range(pl.len()).cast(pl.String).str.zfill(9)).alias("record_id"),
        pl.Series("source", _SOURCES).gather(rng.choice(len(_SOURCES), size=n, p=_SOURCE_P)),
        first_out.alias("first_name"),
        last_out.alias("last_name"),
        pl.when(pl.Series(relay))
        .then(relay_addr)
        .when(pl.Series(no_email))
        .then(None)
        .otherwise(pl.concat_str([local, pl.lit("@"), pl.col("email_dom")]))
        .alias("email"),
        pl.when(pl.Series(no_phone)).then(None).otherwise(phone_out).alias("phone"),
        pl.when(pl.Series(no_address))
        .then(None)
        .otherwise(
            pl.concat_str(
                [
                    pl.col("house").cast(pl.String),
                    pl.col("street"),
                    pl.when(pl.col("addr_fmt") == 0).then("st_long").otherwise("st_short"),
                ],
                separator=" ",
            )
        )
        .alias("address_line1"),
        pl.when(pl.Series(no_address)).then(None).otherwise(line2).alias("address_line2"),
        pl.when(pl.Series(no_address)).then(None).otherwise(pl.col("city")).alias("city"),
        pl.when(pl.Series(no_address)).then(None).otherwise(pl.col("region")).alias("region"),
        pl.when(pl.Series(no_address))
        .then(None)
        .when(pl.Series(zip4))
        .then(pl.concat_str([zip5, pl.col("zip4").cast(pl.String)], separator="-"))
        .otherwise(zip5)
        .alias("postal_code"),
        pl.lit("US").alias("country"),
        pl.when(pl.Series(has_dob))
        .then((pl.lit(dt.date(1970, 1, 1)) + pl.duration(days=pl.col("dob"))).cast(pl.String))
        .alias("birth_date"),
        pl.lit(None, dtype=pl.String).alias("company"),
        (pl.lit(seen) + pl.duration(seconds=pl.col("u_seen"))).alias("seen_at"),
        pl.format("P{}", pl.col("person").cast(pl.String).str.zfill(9)).alias("person_id"),
    )
    return out.with_columns(pl.col("record_id").alias("source_customer_id"))
