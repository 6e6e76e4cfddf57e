"""Random streams of the sample world.

Every part of the world draws from its own generator, derived from the world seed and a
fixed stream number (and, for per-day work, the day index). Adding a channel or a column
to one stream never changes the numbers another stream draws, and any day of any channel
can be regenerated on its own.
"""

from __future__ import annotations

import numpy as np

#: Stream numbers. Never renumber: that would change every world ever generated.
CATALOG = 0
PEOPLE = 1
CALENDAR = 2
PEOPLE_CONTACTS = 3  # emails, phones, ZIPs of the people (web/marketplace customers)
PEOPLE_NAMES = 4  # the name vocabularies people draw from (common real + rare made-up)
PEOPLE_CARDS = 5  # the payment cards people hold (world/cards.py)
PEOPLE_HOMES = 6  # where people live: a store's trade area or elsewhere (world/homes.py)
POS_SQUARE = 10
POS_SQUARE_CUSTOMERS = 11
POS_SQUARE_PLAN = 12
POS_SQUARE_DIRECTORY = 13  # Square Customer Directory exports (contacts on profiles)
POS_SQUARE_CARDS = 14  # per day: how each Square sale was paid (card brand + last four)
POS_SQUARE_PROFILE_CARDS = 15  # the card behind each instant profile (drawn once)
POS_SQUARE_LOCALS = 16  # per day: is an identified sale by a resident of the store's area
EDI_PLAN = 20
EDI_ORDERS = 21
EDI_INVENTORY = 22
EDI_SHIPMENTS = 23  # 945 shipping advice of the EDI orders (world/edi_shipments.py)
INVENTORY = 50
INVENTORY_COUNTS = 51
WEB_SHOPIFY = 30
WEB_WOOCOMMERCE = 31
WEB_AMAZON = 32
API_CALENDAR = 33
WEB_CUSTOMERS = 34
WEB_SHOPIFY_CARDS = 35  # how each Shopify order was paid: card, phone wallet, other (web_api)
WEB_WOO_CARDS = 36  # which card / phone wallet paid each WooCommerce Stripe order (web_api)
IDENTITIES = 70  # synthetic identity sets for the identity-resolution benchmark
SETTLEMENTS = 60
LOCKBOX = 61  # bank lockbox receipts for B2B invoices (world/lockbox.py)
SETTLEMENTS_WEB = 65  # settlement faults of the generated world's web payments


def rng_for(seed: int, stream: int, *keys: int) -> np.random.Generator:
    """A generator for one stream (and optionally one day/partition) of a world.

    >>> int(rng_for(7, POS_SQUARE, 3).integers(10)) == int(rng_for(7, POS_SQUARE, 3).integers(10))
    True
    """
    return np.random.default_rng([seed, stream, *keys])
