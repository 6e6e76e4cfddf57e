"""The analysts' DuckDB catalog: views over the lake, rebuilt and swapped.

``oms.duckdb`` holds no data, only views (one per contract table that has files in the
lake) with table and column comments, plus ``ops.data_dictionary``. Publishing builds a
complete new catalog in a temporary file and renames it over the old one. So:

* an analyst holding ``duckdb -readonly warehouse/oms.duckdb`` open keeps reading the
  old file (POSIX keeps an open inode alive) and is never blocked by a writer lock;
* a new connection sees the new catalog; a killed publish leaves the old one;
* writes are serialized by an exclusive file lock (and, in Dagster, by the
  ``duckdb_catalog`` pool of size 1), so two publishes never race.

Because the catalog is a pure function of the contracts and the lake, any asset may
publish it after writing its tables; the result does not depend on who ran last.
"""

from __future__ import annotations

import os
import uuid
from contextlib import AbstractContextManager
from pathlib import Path

import duckdb
import polars as pl

from oms_hub.home import Home
from oms_hub.quality.contracts import TABLES, TableContract
from oms_hub.storage.lake import Lake
from oms_hub.storage.locks import exclusive_lock

SCHEMAS = ("core", "finance", "marts", "ops")
STORAGE_VERSION = "v1.0.0"


def _quote(text: str) -> str:
    return "'" + text.replace("'", "''") + "'"


def catalog_lock(home: Home) -> AbstractContextManager[None]:
    """Hold the exclusive lock that serializes every write of the catalog."""
    return exclusive_lock(home.state / "catalog.lock")


def _live_parse_parts(lake: Lake) -> str:
    """SQL filter on ``filename``: keep parse-quarantine parts of live staged batches only
    (other parts, e.g. conform days or unrecognized landed files, pass as they are).

    Staging writes its quarantine in batches (``oms_hub.storage.batches``): a part is
    visible once its batch's log exists, and hidden once a merged batch's log names it as
    replaced, so the view never shows a row twice or loses one, whatever a crash left.
    The rule is evaluated when the view is queried (log names via ``glob``, which never
    fails on an empty folder), so merges after publishing are honoured: the replaced ids
    are read from every batch log written by this code (``p…``/``m…``; ``read_parquet``
    fails on a pattern matching nothing, so the clause is left out while no such log
    exists: a catalog published before the lake's first staging run under batches shows
    the batches that run merges away twice until the next publish or staging run).
    """
    from oms_hub.sources import STAGED_SOURCES  # late: sources import the staging step

    streams = [s.files(lake) for s in STAGED_SOURCES]
    logs = " union all ".join(
        f"select file from glob({_quote(str(f.log_dir / '*.parquet'))})" for f in streams
    )
    batch_of_log = (
        r"regexp_replace(file, '^.*/staging/(.+)/log/v[0-9]+/([^/]+)\.parquet$', '\1/\2')"
    )
    live = f"select {batch_of_log} as batch from ({logs})"
    merge_logs = lake.root / "staging" / "*" / "*" / "log" / "v*" / "[pm]*.parquet"
    if any(lake.root.glob(str(merge_logs.relative_to(lake.root)))):
        live += (
            " except select regexp_replace(filename, '^.*/staging/(.+)/log/v[0-9]+/[^/]+$', "
            f"'\\1') || '/' || from_batch from read_parquet({_quote(str(merge_logs))}, "
            "union_by_name = true) where from_batch is not null"
        )
    batched = " or ".join(
        f"starts_with(filename, {_quote(str(f.quarantine_dir) + '/')})" for f in streams
    )
    part_batch = r"regexp_replace(filename, '^.*/ops/quarantine/parse/(.+)/data\.parquet$', '\1')"
    return f"not ({batched}) or {part_batch} in ({live})"


def view_sql(contract: TableContract, lake: Lake) -> list[str]:
    """DDL for one table's view and its comments."""
    name = contract.name
    cols = ", ".join(f'"{c}"' for c, *_ in contract.columns())
    where = f" where {_live_parse_parts(lake)}" if name == "ops.quarantine" else ""
    statements = [
        f"create or replace view {name} as select {cols} from read_parquet("
        f"{_quote(lake.table_glob(name))}, union_by_name = true, hive_partitioning = false)"
        + where,
        f"comment on view {name} is {_quote(contract.description)}",
    ]
    statements += [
        f'comment on column {name}."{c}" is {_quote(desc)}' for c, _, desc, _ in contract.columns()
    ]
    return statements


def data_dictionary_frame() -> pl.DataFrame:
    """One row per published column: what ``ops.data_dictionary`` and the docs show."""
    rows = [
        {
            "table_name": t.name,
            "column_name": c,
            "type": str(dtype),
            "nullable": nullable,
            "description": desc,
        }
        for t in TABLES.values()
        for c, dtype, desc, nullable in t.columns()
    ]
    return pl.DataFrame(rows)


def publish_catalog(home: Home) -> list[str]:
    """Rebuild ``oms.duckdb`` from the lake and swap it in; return the published tables."""
    lake = Lake(home)
    home.root.mkdir(parents=True, exist_ok=True)
    published: list[str] = []
    with catalog_lock(home):
        tmp = home.root / f".oms.duckdb.{uuid.uuid4().hex}.tmp"
        try:
            # Old storage format on purpose: the `duckdb` CLI analysts install may be a
            # release behind the Python package; views need nothing newer.
            con = duckdb.connect(
                str(tmp), config={"storage_compatibility_version": STORAGE_VERSION}
            )
            try:
                for schema in SCHEMAS:
                    con.execute(f"create schema if not exists {schema}")
                for contract in TABLES.values():
                    if not lake.has_data(contract.name):
                        continue
                    for statement in view_sql(contract, lake):
                        con.execute(statement)
                    published.append(contract.name)
                dictionary = data_dictionary_frame()  # noqa: F841 (read by DuckDB below)
                con.execute("create table ops.data_dictionary as select * from dictionary")
                con.execute(
                    "comment on table ops.data_dictionary is "
                    "'Every published column with its type and meaning.'"
                )
                for column, desc in [
                    ("table_name", "Qualified table name (schema.table)."),
                    ("column_name", "Column name."),
                    ("type", "Type as written to Parquet (polars notation)."),
                    ("nullable", "True when the column may be null."),
                    ("description", "What the column means."),
                ]:
                    con.execute(f"comment on column ops.data_dictionary.{column} is {_quote(desc)}")
                con.execute("checkpoint")
            finally:
                con.close()
            os.replace(tmp, home.catalog)
        finally:
            tmp.unlink(missing_ok=True)
            Path(f"{tmp}.wal").unlink(missing_ok=True)
    return published
