"""The canonical tables, defined once (one module per domain).

Each table of design.md section 2 is a pandera ``DataFrameModel``. The same class is
used to validate every frame before it is written, to generate the DuckDB view DDL and
column comments, and to generate the data dictionary (``docs/data-dictionary.md``).
Adding a column means adding one annotated field here with a description; a column
without a description fails ``tests/quality/test_contracts.py``.

Conventions (enforced by the types below): money is ``Decimal(18, 2)`` with a
``currency`` column beside it; timestamps are UTC microseconds; every row carries
lineage (``source``, ``landed_file``, ``locator``).
"""

from __future__ import annotations

from oms_hub.quality.contracts import (
    catalog,
    customers,
    finance,
    inventory,
    marts,
    merchandising,
    ops,
    orders,
)
from oms_hub.quality.contracts.base import (
    CHANNELS,
    MONEY_DTYPE,
    UNIT_PRICE_DTYPE,
    UTC_DTYPE,
    Lineage,
    Money,
    TableContract,
    UnitPrice,
    UtcTimestamp,
)

#: Every published table, in the order the data dictionary lists them. A new domain adds
#: its module's ``TABLES`` here.
TABLES: dict[str, TableContract] = {
    t.name: t
    for module in (catalog, orders, customers, inventory, ops, marts, merchandising, finance)
    for t in module.TABLES
}


def contract(name: str) -> TableContract:
    """Look a contract up by qualified name, with a clear error for typos."""
    try:
        return TABLES[name]
    except KeyError:
        raise KeyError(f"no table contract {name!r}; known: {', '.join(sorted(TABLES))}") from None


__all__ = [
    "CHANNELS",
    "MONEY_DTYPE",
    "TABLES",
    "UNIT_PRICE_DTYPE",
    "UTC_DTYPE",
    "Lineage",
    "Money",
    "TableContract",
    "UnitPrice",
    "UtcTimestamp",
    "contract",
]
