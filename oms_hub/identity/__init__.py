"""Customer identity resolution: one customer across every channel.

The engine is pure (frames in, frames out) and importable without Dagster:

* ``standardize`` — canonical names, emails, phones, addresses, companies;
* ``blocking`` — candidate pairs by several exact keys, unioned in DuckDB;
* ``compare`` — per-field agreement levels computed set-wise in DuckDB;
* ``model`` — unsupervised Fellegi–Sunter weights (recordlinkage ECM);
* ``cluster`` — connected components with a guard against chains;
* ``keys`` — stable customer keys across runs, merge/split events;
* ``survivorship`` — golden records;
* ``resolve`` — the full and incremental runs that tie them together.

Input contract: a frame of *source identities* with the columns of
``standardize.SOURCE_COLUMNS`` (source, source_customer_id, first_name, last_name, email,
phone, address_line1, address_line2, city, region, postal_code, country, birth_date,
company, seen_at); any column but source and source_customer_id may be null or absent.
"""

from oms_hub.identity.config import IdentityConfig, IdentityConfigError, load_config
from oms_hub.identity.resolve import (
    IdentityInputError,
    IdentityState,
    Resolution,
    resolve,
    resolve_incremental,
)
from oms_hub.identity.standardize import SOURCE_COLUMNS, standardize_identities

__all__ = [
    "SOURCE_COLUMNS",
    "IdentityConfig",
    "IdentityConfigError",
    "IdentityInputError",
    "IdentityState",
    "Resolution",
    "load_config",
    "resolve",
    "resolve_incremental",
    "standardize_identities",
]
