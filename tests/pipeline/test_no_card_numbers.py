"""Card numbers planted in POS notes, web notes and addresses, and EDI free text never
reach the warehouse: every text column of every published table is scanned."""

from __future__ import annotations

import json
import re

import duckdb
import polars as pl

from oms_hub.home import Home
from oms_hub.pipeline import run_pipeline
from oms_hub.quality.card_numbers import card_number_mask
from oms_hub.world import generate_world
from tests.connectors.api_samples import shopify_rest_order

CARDS = ("4111 1111 1111 1111", "5555-5555-5555-4444", "378282246310005")


def _plant_web_and_edi(home: Home) -> None:
    order = shopify_rest_order(
        9_100_000_000_001,
        lines=(("SKU-000001", 1, "10.00"),),
        note=f"customer read out {CARDS[0]} on the phone",
    )
    order["shipping_address"] = {
        "address1": f"{CARDS[1]} Main St",
        "zip": "10001",
        "country_code": "US",
        "name": f"Ann {CARDS[2]}",
    }
    (home.landing / "shopify" / "hand-dropped-orders.json").write_text(
        json.dumps({"orders": [order]})
    )
    edi = next(
        p for p in sorted((home.landing / "edi").glob("po-*.x12")) if "PID*F****" in p.read_text()
    )
    text = edi.read_text()
    planted = text.replace("PID*F****", f"PID*F****PAY WITH {CARDS[0]} ", 1)
    (home.landing / "edi" / "po-planted-card.x12").write_text(planted)


#: Full card numbers keyed into Square's ``PAN Suffix`` (one not Luhn-valid, so no PAN scan
#: would catch it), and letters.
BAD_SUFFIXES = ("1234567812345678", "4242424242424242", "ab12")


def _plant_pan_suffixes(home: Home) -> None:
    """Overwrite the ``PAN Suffix`` of the first card sales of one POS file."""
    path = max((home.landing / "pos").glob("square-items-*.csv"), key=lambda p: p.stat().st_size)
    lines = path.read_text().split("\n")
    card_rows = [i for i, line in enumerate(lines) if re.search(r",Visa,\d{4}$", line)]
    for i, suffix in zip(card_rows, BAD_SUFFIXES, strict=False):
        lines[i] = lines[i][:-4] + suffix
    path.write_text("\n".join(lines))


def test_no_card_number_in_any_text_column(tmp_path) -> None:
    home = Home(tmp_path / "home")
    generate_world(home.root, orders=1_500, days=3, seed=5, api_orders=150, edi_orders=12)
    _plant_web_and_edi(home)
    _plant_pan_suffixes(home)
    raw = "\n".join(p.read_text(errors="replace") for p in home.landing.rglob("*") if p.is_file())
    for card in CARDS:
        assert card in raw  # planted in the raw files
    assert "card_number_in_notes" in (home.truth / "pos_injected.csv").read_text()  # POS too
    report = run_pipeline(home)
    assert all(report.checks.values())
    con = duckdb.connect(str(home.catalog), read_only=True)
    columns = con.execute(
        "select table_schema, table_name, column_name from information_schema.columns "
        "where data_type = 'VARCHAR' and table_schema in ('core','finance','marts','ops')"
    ).fetchall()
    assert len(columns) > 100
    by_table: dict[str, list[str]] = {}
    for schema, table, column in columns:
        by_table.setdefault(f"{schema}.{table}", []).append(column)
    hits, scanned = [], 0
    for table, cols in by_table.items():
        names = ", ".join(f'"{c}"' for c in cols)
        frame = pl.from_arrow(con.sql(f"select {names} from {table}").to_arrow_table())
        scanned += frame.height
        for column in frame.columns:
            if frame.select(card_number_mask(pl.col(column)).any()).item():
                hits.append(f"{table}.{column}")
    assert scanned > 1000
    assert hits == []
    flagged = con.execute(
        "select source, count(*) from ops.quarantine where action = 'flagged' group by 1"
    ).fetchall()
    assert {"pos", "shopify", "edi"} <= {s for s, _ in flagged}  # each source noticed and masked
    bad_pan = con.execute(
        "select count(*) from ops.quarantine where error_code = 'bad_pan_suffix'"
    ).fetchall()
    assert bad_pan == [(len(BAD_SUFFIXES),)]
    staged = pl.read_parquet(home.lake / "staging" / "pos" / "square_items" / "rows" / "v2")
    assert staged.get_column("card_last4").str.contains(r"^[0-9]{4}$").sum() > 100
    leaked = []
    for part in home.lake.rglob("*.parquet"):
        frame = pl.read_parquet(part)
        for column, dtype in frame.schema.items():
            if dtype == pl.String and frame[column].str.contains("12345678|42424242").any():
                leaked.append(f"{part.relative_to(home.lake)}:{column}")
    assert leaked == []
