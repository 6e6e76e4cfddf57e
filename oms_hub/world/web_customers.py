"""Who buys on the web shops and on Amazon: the world's People, as each channel sees them.

The same persons shop in stores (POS ``Customer ID``) and online, so identity
resolution can be scored across channels against one ``person_id`` space. Each person
gets contact details drawn from their own stream (``seeds.PEOPLE_CONTACTS``; the
People draws and so the POS files are untouched): a primary email, a later "new"
email, a phone and a ZIP code plus the ZIP they moved to (people living in a store's
trade area have a ZIP of that area, drawn on ``seeds.PEOPLE_HOMES``: ``homes``). Each
channel then sees a *variant* (``profiles``):

* the name as typed (exact, nickname, initial, a dropped letter, upper case, or first
  and last name typed into each other's field);
* the primary email, or the new one; the phone in a channel-specific format or not
  given; the old ZIP or the one after moving house.

Shopify and WooCommerce know a customer account per person (one profile, its latest
values) and guest checkouts (``order:<id>`` identities, drawn per order); a guest
still types a name into the shipping address (Shopify's ``shippingAddress``,
WooCommerce's ``billing``). Amazon has no buyer id: seller-fulfilled (MFN) orders carry
``BuyerInfo`` (``BuyerEmail``, the buyer's anonymized relay address, the same on all
of one buyer's orders to this seller, and the buyer name) and the ship-to ZIP, as
getOrders does with a Restricted Data Token; Amazon-fulfilled (AFN) orders carry
nothing personal, so they are anonymous sales, not identities.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import polars as pl

from oms_hub.world import seeds
from oms_hub.world.homes import draw_homes, home_zips
from oms_hub.world.model import People

DOMAINS = ("gmail.com", "yahoo.com", "outlook.com", "icloud.com", "aol.com", "hotmail.com")
#: Share of orders checked out as a guest (no customer account).
GUEST_SHARE = {"shopify": 0.15, "woocommerce": 0.25, "amazon": 0.0}
#: Share of profiles that give the new email / the post-move ZIP / no phone.
NEW_EMAIL_P = 0.12
MOVED_P = 0.10
#: Amazon: the phone of the shipping address, which Amazon's address form asks for
#: (assumed given on 90 % of addresses); getOrders returns it for seller-fulfilled
#: orders only (``_buyers`` drops it for FBA ones).
NO_PHONE_P = {"shopify": 0.35, "woocommerce": 0.2, "amazon": 0.1}


@dataclass(frozen=True)
class Contacts:
    """Contact details of every person (row = person index)."""

    frame: pl.DataFrame  # email, new_email, area/exchange/line, zip, new_zip, relay


def build_contacts(seed: int, people: People) -> Contacts:
    """Emails, phone and ZIP codes per person, from their own random streams."""
    n = len(people)
    rng = seeds.rng_for(seed, seeds.PEOPLE_CONTACTS)
    first = people.first_of(np.arange(n))
    last = people.last_of(np.arange(n))
    # what people type into an address: accents dropped (José -> jose), letters only
    letters = lambda s: (  # noqa: E731
        s.str.normalize("NFKD").str.to_lowercase().str.replace_all("[^a-z]", "")
    )
    domain = pl.Series(DOMAINS).gather(rng.integers(0, len(DOMAINS), size=n))
    new_domain = pl.Series(DOMAINS).gather(rng.integers(0, len(DOMAINS), size=n))
    number = pl.Series(rng.integers(1, 999, size=n))
    year = pl.Series(rng.integers(1950, 2005, size=n))
    area = rng.integers(201, 990, size=n)
    exchange = rng.integers(200, 1000, size=n)
    line = rng.integers(0, 10_000, size=n)
    zips = rng.integers(1_000, 99_950, size=n)
    moved = rng.integers(1_000, 99_950, size=n)
    # residents of a store's trade area live (and half of the movers stay) in its 3-digit
    # ZIP area; drawn on PEOPLE_HOMES, so every draw of this stream is unchanged
    zips, moved = home_zips(draw_homes(seed, n), zips, moved)
    frame = (
        pl.DataFrame(
            {
                "f": letters(first),
                "l": letters(last),
                "domain": domain,
                "new_domain": new_domain,
                "number": number,
                "year": year,
                "area": area,
                "exchange": exchange,
                "line": line,
                "zip": zips,
                "new_zip": moved,
            }
        )
        .select(
            email=pl.format("{}.{}{}@{}", "f", "l", "number", "domain"),
            new_email=pl.format(
                "{}{}{}@{}", pl.col("f").str.slice(0, 1), "l", "year", "new_domain"
            ),
            area="area",
            exchange="exchange",
            line=pl.col("line").cast(pl.String).str.zfill(4),
            zip=pl.col("zip").cast(pl.String).str.zfill(5),
            new_zip=pl.col("new_zip").cast(pl.String).str.zfill(5),
        )
        .with_columns(_unique("email"), _unique("new_email"))
    )
    # drawn last, so the draws above (and every address they made) are unchanged
    relay = pl.Series(rng.integers(0, 1 << 40, size=n)).cast(pl.String).str.zfill(13)
    frame = frame.with_columns(relay=pl.format("{}@marketplace.amazon.com", relay))
    return Contacts(frame.with_columns(_unique("relay")))


def _unique(column: str) -> pl.Expr:
    """An address belongs to one person: a namesake's clash gets a suffix (``x.y12.2@``)."""
    seen = pl.int_range(pl.len()).over(column)
    local, domain = (
        pl.col(column).str.extract(r"^(.*)@", 1),
        pl.col(column).str.extract("@(.*)$", 1),
    )
    return (
        pl.when(seen == 0)
        .then(pl.col(column))
        .otherwise(pl.format("{}.{}@{}", local, seen + 1, domain))
        .alias(column)
    )


def profiles(
    rng: np.random.Generator,
    people: People,
    contacts: Contacts,
    person: np.ndarray,
    source: str,
) -> pl.DataFrame:
    """How ``source`` sees each given person: first/last name, email, phone, ZIP.

    Vectorized over ``person``; ``first_name``/``last_name`` are the form fields (a
    ``Last, First`` variant lands swapped: the surname typed in the first-name field).
    """
    n = len(person)
    name = people.name_variants(rng, person, exact_allowed=np.ones(n, dtype=bool))
    new_email = rng.random(n) < NEW_EMAIL_P
    moved = rng.random(n) < MOVED_P
    no_phone = rng.random(n) < NO_PHONE_P[source]
    phone_style = rng.integers(0, 3, size=n)
    c = contacts.frame[person] if n else contacts.frame.clear()
    text = name.str.strip_chars()
    comma = text.str.contains(",")
    frame = pl.DataFrame(
        {
            "person": person.astype(np.int64),
            "name": text,
            "comma": comma,
            "use_new_email": new_email,
            "moved": moved,
            "no_phone": no_phone,
            "phone_style": phone_style,
        }
    ).hstack(c)
    phone = (
        pl.when(pl.col("phone_style") == 0)
        .then(pl.format("({}) {}-{}", "area", "exchange", "line"))
        .when(pl.col("phone_style") == 1)
        .then(pl.format("{}.{}.{}", "area", "exchange", "line"))
        .otherwise(pl.format("+1{}{}{}", "area", "exchange", "line"))
    )
    return frame.select(
        "person",
        "name",
        first_name=pl.when(pl.col("comma"))
        .then(pl.col("name").str.extract(r"^([^,]*),", 1))
        .otherwise(pl.col("name").str.extract(r"^(\S+)", 1)),
        last_name=pl.when(pl.col("comma"))
        .then(pl.col("name").str.extract(r",\s*(.*)$", 1))
        .otherwise(pl.col("name").str.extract(r"^\S+\s+(.*)$", 1)),
        email=pl.when(pl.col("use_new_email")).then("new_email").otherwise("email"),
        phone=pl.when(~pl.col("no_phone")).then(phone),
        zip=pl.when(pl.col("moved")).then("new_zip").otherwise("zip"),
    )
