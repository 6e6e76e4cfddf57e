"""Where the people live: in the trade area of one of the retailer's stores, or elsewhere.

Identified store shoppers live near the store: a store's loyalty, email-receipt and
card-name profiles come mostly from the people of its trade area, while web and
marketplace buyers live anywhere. The world models that with three **assumptions**
(not measured; chosen to be plausible for a small specialty chain):

* ``LOCAL_SHARE`` (70 %) of people live in the trade area of one of the stores, the
  store drawn by the stores' ``traffic`` weights (busier stores have more residents);
  the others live elsewhere in the US;
* a trade area is the store's 3-digit ZIP prefix (Brooklyn Heights 11201 -> ``112xx``):
  a resident's home ZIP is the prefix and two random digits (``area_zips``);
* of the residents who moved house (``web_customers.MOVED_P``), ``LOCAL_MOVE_SHARE``
  (half) moved within their area, the others anywhere.

Everything here is drawn from its own stream, ``seeds.PEOPLE_HOMES``, in a fixed order,
so the contact draws (emails, phones, the ZIPs of people living elsewhere) and the POS
draws are unchanged. ``pos_square`` uses ``home_stores`` to pick which profiles buy at
which store; ``web_customers.build_contacts`` uses ``draw_homes`` for the ZIPs.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from oms_hub.world import seeds
from oms_hub.world.places import STORES

#: Share of people living in a store's trade area (assumed).
LOCAL_SHARE = 0.7
#: Of the residents who moved house, the share who moved within their area (assumed).
LOCAL_MOVE_SHARE = 0.5
#: Person not living in any store's trade area.
ELSEWHERE = -1

#: Each store's trade area as its 3-digit ZIP prefix (an int: 021 for Boston's 02115).
AREA_PREFIX: np.ndarray = np.array([int(s.postal_code[:3]) for s in STORES], dtype=np.int64)
_TRAFFIC = np.array([s.traffic for s in STORES], dtype=np.float64)


@dataclass(frozen=True)
class Homes:
    """Per person (row = person index): home store and the ZIP digits of their area."""

    store: np.ndarray  # index into STORES, ELSEWHERE (-1) for people living elsewhere
    suffix: np.ndarray  # the two digits after the area prefix of their ZIP
    moved_local: np.ndarray  # a move (when they made one) stayed within the area
    new_suffix: np.ndarray  # the two digits of the (other) ZIP they moved to in the area

    @property
    def local(self) -> np.ndarray:
        """Per person: lives in a store's trade area."""
        return self.store != ELSEWHERE


def draw_homes(seed: int, n_people: int) -> Homes:
    """Every draw about where the people live (stream ``PEOPLE_HOMES``, fixed order)."""
    rng = seeds.rng_for(seed, seeds.PEOPLE_HOMES)
    local = rng.random(n_people) < LOCAL_SHARE
    store = rng.choice(len(STORES), size=n_people, p=_TRAFFIC / _TRAFFIC.sum())
    suffix = rng.integers(0, 100, size=n_people)
    moved_local = rng.random(n_people) < LOCAL_MOVE_SHARE
    new_suffix = (suffix + rng.integers(1, 100, size=n_people)) % 100  # another ZIP
    return Homes(
        store=np.where(local, store, ELSEWHERE).astype(np.int64),
        suffix=suffix,
        moved_local=moved_local,
        new_suffix=new_suffix,
    )


def home_stores(seed: int, n_people: int) -> np.ndarray:
    """Per person the store whose trade area they live in (index into STORES), -1 = elsewhere.

    >>> stores = home_stores(7, 1000)
    >>> bool(((stores >= -1) & (stores < len(STORES))).all())
    True
    """
    return draw_homes(seed, n_people).store


def area_zips(store: np.ndarray, suffix: np.ndarray) -> np.ndarray:
    """The ZIP (as an int, zero-fill to 5 digits) of ``suffix`` in ``store``'s trade area.

    >>> int(area_zips(np.array([0]), np.array([7]))[0])  # Brooklyn Heights: 112xx
    11207
    """
    return AREA_PREFIX[store] * 100 + suffix


def home_zips(homes: Homes, zips: np.ndarray, moved: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """The ZIP and the moved-to ZIP of every person, given their uniform draws elsewhere.

    People living elsewhere keep ``zips`` / ``moved`` (uniform over the US) exactly; a
    resident lives at their area's prefix plus two digits and moved within the area
    (``moved_local``) or to the uniform ``moved`` ZIP.
    """
    local = homes.local
    area_store = np.where(local, homes.store, 0)
    zip_ = np.where(local, area_zips(area_store, homes.suffix), zips)
    new = np.where(local & homes.moved_local, area_zips(area_store, homes.new_suffix), moved)
    return zip_, new
