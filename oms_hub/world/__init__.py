"""The seeded sample world: a retailer's catalog, stores, customers and channel exports.

``generate_world(home)`` writes raw files to ``home/landing/<source>/`` exactly as each
channel would deliver them, with ground truth in ``home/truth/``. See
``docs/sample-world.md`` for every file and column.

Modules: ``model`` (catalog, people, calendar), ``places`` (stores and warehouses),
``pos_square`` (Square POS exports), ``truth`` (ground truth), ``money`` (cents and money
text), ``ids`` (identifiers, check digits), ``seeds`` (random streams), ``generate``
(orchestration). A new channel is a sibling of ``pos_square`` with its own stream.
"""

from oms_hub.world.generate import (
    GENERATOR_VERSION,
    WorldConflictError,
    WorldSummary,
    generate_world,
    locations_frame,
)
from oms_hub.world.ids import luhn_valid, upc_check_digit
from oms_hub.world.model import Catalog, People, build_catalog, build_people, product_count
from oms_hub.world.places import LOCATIONS, SQUARE_TIME_ZONE_NAMES, STORES, WAREHOUSES, Location
from oms_hub.world.pos_square import (
    POS_ERROR_KINDS,
    POS_INJECTED_KINDS,
    POS_NOTE_KINDS,
    SQUARE_ITEM_COLUMNS,
    TEST_CARDS,
    pos_file_name,
)

__all__ = [
    "GENERATOR_VERSION",
    "LOCATIONS",
    "POS_ERROR_KINDS",
    "POS_INJECTED_KINDS",
    "POS_NOTE_KINDS",
    "SQUARE_ITEM_COLUMNS",
    "SQUARE_TIME_ZONE_NAMES",
    "STORES",
    "TEST_CARDS",
    "WAREHOUSES",
    "Catalog",
    "Location",
    "People",
    "WorldConflictError",
    "WorldSummary",
    "build_catalog",
    "build_people",
    "generate_world",
    "locations_frame",
    "luhn_valid",
    "pos_file_name",
    "product_count",
    "upc_check_digit",
]
