"""``oms-hub dedupe``: resolve any file of identities into customer keys.

Reads a CSV or Parquet file with ``record_id`` and any of ``first_name, last_name, email,
phone, address_line1, address_line2, city, region, postal_code, country, birth_date``
(plus optionally ``company``, ``card_brand`` with ``card_last4`` — the brand and last
four digits of the card the person pays with — and ``seen_at``); absent columns count
as null. Writes
``record_id, customer_key`` (CSV or Parquet, by the output's extension), one row per
input record, in input order.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import polars as pl

from oms_hub.identity.config import IdentityConfig, load_config
from oms_hub.identity.resolve import Resolution, resolve
from oms_hub.identity.standardize import SOURCE_COLUMNS

INPUT_COLUMNS = (
    "record_id", "first_name", "last_name", "email", "phone", "address_line1",
    "address_line2", "city", "region", "postal_code", "country", "birth_date",
)  # fmt: skip
_FORMATS = (".csv", ".parquet", ".pq")


class DedupeError(ValueError):
    """The input or output cannot be used (one line, names the file and the problem)."""


def read_identities(path: Path) -> pl.DataFrame:
    """The input file as text columns (CSV) or as stored (Parquet)."""
    if not path.is_file():
        raise DedupeError(f"input file not found: {path}")
    suffix = path.suffix.lower()
    try:
        if suffix == ".csv":
            frame = pl.read_csv(path, infer_schema=False)
        elif suffix in (".parquet", ".pq"):
            frame = pl.read_parquet(path)
        else:
            raise DedupeError(f"{path}: unsupported input format {suffix!r} (use .csv or .parquet)")
    except (pl.exceptions.PolarsError, OSError) as error:
        raise DedupeError(f"{path}: cannot read: {str(error).splitlines()[0]}") from None
    if "record_id" not in frame.columns:
        raise DedupeError(f"{path}: no record_id column (columns: {', '.join(frame.columns)})")
    ids = frame["record_id"].cast(pl.String)
    if ids.null_count():
        raise DedupeError(f"{path}: {ids.null_count()} rows have an empty record_id")
    dupes = ids.filter(ids.is_duplicated())
    if dupes.len():
        raise DedupeError(
            f"{path}: record_id must be unique; {dupes.n_unique()} repeat (e.g. {dupes[0]!r})"
        )
    return frame


def to_identities(frame: pl.DataFrame) -> pl.DataFrame:
    """Input columns -> the source-identity frame (source ``input``)."""
    known = [c for c in frame.columns if c in SOURCE_COLUMNS]
    return frame.select(
        pl.lit("input").alias("source"),
        pl.col("record_id").cast(pl.String).alias("source_customer_id"),
        *[pl.col(c).cast(pl.String) if c != "seen_at" else pl.col(c) for c in known],
    )


def dedupe_file(
    source: Path,
    target: Path,
    *,
    config: IdentityConfig | None = None,
    say: Callable[[str], None] = lambda _m: None,
) -> Resolution:
    """Resolve ``source`` and write ``record_id, customer_key`` to ``target``."""
    if target.suffix.lower() not in _FORMATS:
        raise DedupeError(f"{target}: unsupported output format (use .csv or .parquet)")
    frame = read_identities(source)
    say(f"read {frame.height:,} records from {source}")
    result = resolve(to_identities(frame), config=config or load_config(), say=say)
    out = result.xref.select(pl.col("source_customer_id").alias("record_id"), "customer_key")
    target.parent.mkdir(parents=True, exist_ok=True)
    tmp = target.with_name(f".{target.name}.tmp")
    if target.suffix.lower() == ".csv":
        out.write_csv(tmp)
    else:
        out.write_parquet(tmp)
    tmp.replace(target)
    return result
