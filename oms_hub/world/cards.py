"""Payment cards of the sample world's people: what a card payment shows of them.

A card payment never shows the card number, but every processor shows its brand and
last four digits: Square's Item Details export ("Card Brand", "PAN Suffix", one value
per sale row), Shopify's order transactions (``OrderTransaction.paymentDetails`` as
``CardPaymentDetails``: ``company``, ``number`` masked as ``•••• •••• •••• 4242``),
a WooCommerce order paid through Payment Plugins for Stripe WooCommerce
(``payment_method_title`` ``Visa ending in 4242``).
Retailers count store customers by brand + last four; the hub uses them as evidence that
a store profile and a web customer are one person (``oms_hub/identity``).

How the world draws them (own stream, ``seeds.PEOPLE_CARDS``; no other stream moves):

* each person holds 1, 2 or 3 cards (50 / 35 / 15 %), each of a brand (Visa 55 %,
  Mastercard 28 %, American Express 10 %, Discover 7 %) with random last four digits;
* a card payment uses the person's first card 70 % of the time, else another of theirs;
* a phone wallet payment (Apple Pay, Google Pay) shows the brand and the last four of
  the *device account number*, one per person, not of the card (``wallet_last4``).

Assumed, not measured: the card counts, the brand mix and the 70 % (a person's main
card); ``docs/sample-world.md`` lists them with the other assumptions.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import polars as pl

from oms_hub.world import seeds

#: Brand names per processor, in the order of ``BRAND_P``.
SQUARE_BRANDS: tuple[str, ...] = ("Visa", "MasterCard", "American Express", "Discover")
SHOPIFY_BRANDS: tuple[str, ...] = ("Visa", "Mastercard", "American Express", "Discover")
#: Payment Plugins for Stripe WooCommerce (``woo-stripe-payment``) titles a card by
#: WooCommerce's ``wc_get_credit_card_type_label`` of Stripe's ``card.brand``
#: (``visa``, ``mastercard``, ``amex``, ``discover``): core labels ``Visa``,
#: ``MasterCard``, ``Discover``, and ``Amex`` (the plugin's own label for ``amex``).
WOO_STRIPE_BRANDS: tuple[str, ...] = ("Visa", "MasterCard", "Amex", "Discover")
BRAND_P = np.array([0.55, 0.28, 0.10, 0.07])
CARDS_P = np.array([0.50, 0.35, 0.15])
MAIN_CARD_P = 0.70
MAX_CARDS = len(CARDS_P)


@dataclass(frozen=True)
class Cards:
    """Every person's cards: ``brand`` / ``last4`` per person and slot, ``count`` used slots."""

    brand: np.ndarray  # (people, MAX_CARDS) index into the *_BRANDS tuples
    last4: np.ndarray  # (people, MAX_CARDS) 0..9999
    count: np.ndarray  # (people,) 1..MAX_CARDS
    wallet_brand: np.ndarray  # (people,) brand of the phone wallet's main card
    wallet_last4: np.ndarray  # (people,) last four of the wallet's device account number

    def pick(self, rng: np.random.Generator, person: np.ndarray) -> np.ndarray:
        """The card slot each payment of ``person`` uses (main card 70 %, else another)."""
        n = len(person)
        count = self.count[person]
        other = 1 + rng.integers(0, 1 << 30, size=n) % np.maximum(count - 1, 1)
        main = rng.random(n) < MAIN_CARD_P
        return np.where(main | (count == 1), 0, other)

    def shown(
        self, person: np.ndarray, slot: np.ndarray, wallet: np.ndarray
    ) -> tuple[np.ndarray, np.ndarray]:
        """Brand index and last four a payment shows: the card in ``slot``, or where
        ``wallet`` (a phone-wallet payment) the wallet's device account number."""
        brand = np.where(wallet, self.wallet_brand[person], self.brand[person, slot])
        last4 = np.where(wallet, self.wallet_last4[person], self.last4[person, slot])
        return brand, last4


def as_text(
    brand: np.ndarray, last4: np.ndarray, names: tuple[str, ...]
) -> tuple[pl.Series, pl.Series]:
    """Brand names (as ``names`` spells them) and zero-padded last four; null where
    ``brand`` is negative (no card)."""
    card = pl.Series(brand >= 0)
    text = pl.Series(names).gather(np.maximum(brand, 0))
    digits = pl.Series(last4, dtype=pl.Int64).cast(pl.String).str.zfill(4)
    frame = pl.DataFrame({"card": card, "b": text, "d": digits})
    out = frame.select(pl.when("card").then("b"), pl.when("card").then("d"))
    return out.to_series(0), out.to_series(1)


def build_cards(seed: int, n_people: int) -> Cards:
    """The cards of ``n_people`` people of the world ``seed``."""
    rng = seeds.rng_for(seed, seeds.PEOPLE_CARDS)
    count = rng.choice(MAX_CARDS, size=n_people, p=CARDS_P) + 1
    brand = rng.choice(len(BRAND_P), size=(n_people, MAX_CARDS), p=BRAND_P)
    last4 = rng.integers(0, 10_000, size=(n_people, MAX_CARDS))
    wallet_last4 = rng.integers(0, 10_000, size=n_people)
    return Cards(
        brand=brand,
        last4=last4,
        count=count,
        wallet_brand=brand[:, 0].copy(),
        wallet_last4=wallet_last4,
    )
