"""The DuckDB catalog: comments visible, swaps atomic, read-only readers never blocked."""

from __future__ import annotations

import subprocess
import sys
import textwrap
import time

import duckdb
import polars as pl

from oms_hub.home import Home
from oms_hub.quality.contracts import contract
from oms_hub.storage.catalog import publish_catalog
from oms_hub.storage.lake import Lake


def _home_with_products(tmp_path) -> Home:
    home = Home(tmp_path)
    Lake(home).write("core.products", contract("core.products").empty())
    return home


def test_views_carry_table_and_column_comments(tmp_path) -> None:
    home = _home_with_products(tmp_path)
    assert publish_catalog(home) == ["core.products"]
    con = duckdb.connect(str(home.catalog), read_only=True)
    comments = dict(
        con.execute(
            "select column_name, comment from duckdb_columns() "
            "where schema_name = 'core' and table_name = 'products'"
        ).fetchall()
    )
    assert comments["sku"]
    assert all(comments.values())
    assert con.execute("select count(*) from ops.data_dictionary").fetchone()[0] > 50
    assert con.execute("select * from core.products").fetchall() == []


def test_unbuilt_tables_are_not_published(tmp_path) -> None:
    home = _home_with_products(tmp_path)
    publish_catalog(home)
    con = duckdb.connect(str(home.catalog), read_only=True)
    views = {
        r[0]
        for r in con.execute("select view_name from duckdb_views() where not internal").fetchall()
    }
    assert "orders" not in views


READER = textwrap.dedent("""
    import sys, time, duckdb
    con = duckdb.connect(sys.argv[1], read_only=True)   # held open for the whole run
    print("ready", flush=True)
    deadline = time.time() + float(sys.argv[2])
    n = 0
    while time.time() < deadline:
        n += con.execute("select count(*) from core.products").fetchone()[0] >= 0
    print(n, flush=True)
""")


def test_read_only_analyst_is_never_blocked_during_writes(tmp_path) -> None:
    """Another process holds a read-only connection while the catalog is republished."""
    home = _home_with_products(tmp_path)
    publish_catalog(home)
    reader = subprocess.Popen(
        [sys.executable, "-c", READER, str(home.catalog), "4"],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    assert reader.stdout.readline().strip() == "ready"
    lake = Lake(home)
    for n in range(5):  # writer: new data and a new catalog, while the reader reads
        frame = pl.concat([contract("core.products").empty()] * 1)
        lake.write("core.products", frame)
        assert "core.products" in publish_catalog(home)
        time.sleep(0.2 + n * 0.01)
    out, err = reader.communicate(timeout=30)
    assert reader.returncode == 0, err
    assert int(out.strip()) > 0  # it kept reading the whole time
    # And a fresh read-only connection sees the new catalog.
    duckdb.connect(str(home.catalog), read_only=True).execute(
        "select * from core.products"
    ).fetchall()
