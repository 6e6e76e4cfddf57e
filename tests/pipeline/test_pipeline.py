"""Real Dagster materializations into temporary warehouses, scored against ground truth."""

from __future__ import annotations

import hashlib
import shutil

import duckdb
import polars as pl

from oms_hub.home import Home
from oms_hub.pipeline import run_pipeline
from oms_hub.storage.lake import Lake


def query(home: Home, sql: str) -> pl.DataFrame:
    con = duckdb.connect(str(home.catalog), read_only=True)
    try:
        return pl.from_arrow(con.sql(sql).to_arrow_table())
    finally:
        con.close()


def test_channel_sales_match_ground_truth_to_the_cent(built_home: Home) -> None:
    truth = pl.read_csv(built_home.truth / "channel_sales_daily.csv", infer_schema=False)
    mart = query(
        built_home,
        """
        select day::varchar as day, channel, orders::varchar as orders, units::varchar as units,
               gross_sales::varchar as gross_sales, net_sales::varchar as net_sales
        from marts.rpt_channel_sales_daily order by day, channel""",
    )
    assert mart.height > 0
    assert mart.rows() == truth.select(mart.columns).rows()


def test_every_injected_bad_row_is_quarantined_and_nothing_else(built_home: Home) -> None:
    injected = pl.read_csv(built_home.truth / "pos_injected.csv", infer_schema=False)
    errors = pl.concat(
        [
            injected.filter(pl.col("kind") != "card_number_in_notes").select(
                "file", "row_number", "kind"
            ),
            pl.read_csv(built_home.truth / "inventory_injected.csv", infer_schema=False),
        ]
    )
    expected = set(zip(errors["file"], "row " + errors["row_number"], strict=True))
    rejected = query(
        built_home,
        "select landed_file, locator, error_code from ops.quarantine where action = 'rejected'",
    )
    assert set(zip(rejected["landed_file"], rejected["locator"], strict=True)) == expected
    # The reason names the same problem the generator planted.
    got = dict(
        zip(rejected["landed_file"] + rejected["locator"], rejected["error_code"], strict=True)
    )
    for row in errors.iter_rows(named=True):
        assert got[row["file"] + "row " + row["row_number"]] == row["kind"]


def test_planted_card_numbers_are_masked_everywhere(built_home: Home) -> None:
    planted = pl.read_csv(built_home.truth / "pos_injected.csv", infer_schema=False).filter(
        pl.col("kind") == "card_number_in_notes"
    )
    assert planted.height > 0
    flagged = query(
        built_home,
        "select count(*) as n from ops.quarantine where action = 'flagged'"
        " and landed_file like 'pos/square-items-%'",
    )
    assert flagged.item() == planted.height
    # staff also type card numbers into Customer Directory memos: every such row is flagged
    memos = pl.concat(
        pl.read_csv(p, infer_schema=False).select("Memo")
        for p in sorted((built_home.landing / "pos" / "customers").glob("*.csv"))
    )["Memo"].drop_nulls()
    in_memos = int(memos.str.replace_all(r"[ -]", "").str.contains(r"\d{13,19}").sum())
    directory_flags = query(
        built_home,
        "select count(*) as n from ops.quarantine where action = 'flagged'"
        " and landed_file like 'pos/customers/%' and error_code = 'card_number_masked'",
    )
    assert directory_flags.item() == in_memos
    notes = query(built_home, "select note from core.orders where note is not null")[
        "note"
    ].to_list()
    text = " ".join(notes)
    assert "************1111" in text or "************4444" in text
    for card in (
        "4111 1111 1111 1111",
        "4111-1111-1111-1111",
        "4111111111111111",
        "5555 5555 5555 4444",
        "5555-5555-5555-4444",
        "5555555555554444",
    ):
        assert card not in text


def test_landed_equals_loaded_plus_quarantined(built_home: Home) -> None:
    audit = query(built_home, "select * from ops.load_audit")
    assert audit.height > 0
    assert audit["unaccounted"].abs().sum() == 0
    assert (
        audit["records"]
        == audit["loaded"] + audit["quarantined"] + audit["superseded"] + audit["pending"]
    ).all()
    # Independently: the raw files hold exactly as many data rows as the audit says.
    raw = sum(
        len(pl.read_csv(built_home.landing / f, infer_schema=False, truncate_ragged_lines=True))
        for f in audit["landed_file"]
    )
    assert raw == audit["records"].sum()


def test_duplicate_file_counted_once(built_home: Home) -> None:
    duplicates = pl.read_csv(built_home.truth / "duplicate_files.csv")
    files = query(built_home, "select landed_file, duplicate_of from ops.landed_files")
    marked = dict(zip(files["landed_file"], files["duplicate_of"], strict=True))
    for dup, original in duplicates.iter_rows():
        assert marked[dup] == original
    audited = set(query(built_home, "select landed_file from ops.load_audit")["landed_file"])
    assert not audited & set(duplicates["duplicate"])


def _lake_digest(home: Home) -> dict[str, str]:
    """Content of every lake table, independent of Parquet file metadata."""
    out = {}
    for path in sorted(home.lake.rglob("*.parquet")):
        if "staging" in path.parts:
            continue
        frame = pl.read_parquet(path)
        out[str(path.relative_to(home.lake))] = hashlib.sha256(
            frame.write_csv().encode()
        ).hexdigest()
    return out


def test_rerun_is_idempotent_and_same_bytes_landed_again_change_nothing(
    built_home: Home, copy_home
) -> None:
    home = copy_home(built_home)
    before = _lake_digest(home)
    # The same bytes landed again under another name, then a full re-run.
    some = sorted((home.landing / "pos").glob("*.csv"))[0]
    shutil.copy(some, some.with_name("square-items-copy-again.csv"))
    report = run_pipeline(home)
    assert all(report.checks.values())
    after = _lake_digest(home)
    changed = {k for k in before if before[k] != after.get(k)}
    assert changed == {"ops/landed_files/data.parquet"}  # only the new path is recorded
    assert report.assets["staging/pos_square_items"]["files_parsed"] == 0


def test_a_corrected_reexport_supersedes_the_earlier_version(built_home: Home, copy_home) -> None:
    home = copy_home(built_home)
    lines = Lake(home).read("core.order_lines")
    # A line without a discount, so its corrected amounts are quantity x unit price.
    target = (
        lines.filter(pl.col("discount_amount") == 0)
        .sort("order_id", "line_number")
        .row(0, named=True)
    )
    path = home.landing / target["landed_file"]
    original = pl.read_csv(path, infer_schema=False)
    row = int(target["locator"].split()[1]) - 1
    cents = int(target["unit_price"] * 100) * 9
    money = f"${cents // 100:,}.{cents % 100:02d}"
    changes = {"Qty": "9", "Gross Sales": money, "Net Sales": money}
    fixed = original.with_columns(
        *[
            pl.when(pl.int_range(pl.len()) == row).then(pl.lit(v)).otherwise(pl.col(c)).alias(c)
            for c, v in changes.items()
        ]
    )
    fixed.write_csv(path.with_name(path.stem + "-corrected.csv"))
    report = run_pipeline(home)
    assert all(report.checks.values())
    new = (
        Lake(home)
        .read("core.order_lines")
        .filter(
            (pl.col("order_id") == target["order_id"])
            & (pl.col("line_number") == target["line_number"])
        )
    )
    assert new["quantity"].item() == 9
    assert str(new["line_total"].item()) == money.replace("$", "").replace(",", "")
    assert new["landed_file"].item().endswith("-corrected.csv")
    audit = Lake(home).read("ops.load_audit").filter(pl.col("landed_file") == target["landed_file"])
    assert audit["superseded"].item() > 0
    assert audit["unaccounted"].item() == 0
    assert Lake(home).read("core.orders")["order_id"].is_unique().all()


def test_unreadable_and_unrecognized_files_are_quarantined_and_the_run_goes_on(
    built_home: Home, copy_home
) -> None:
    home = copy_home(built_home)
    (home.landing / "pos" / "square-items-broken.csv").write_bytes(b"Date,Time\n2026-10-01,10:00\n")
    (home.landing / "pos" / "notes.txt").write_bytes(b"hello")
    report = run_pipeline(home)
    assert all(report.checks.values())
    q = query(
        home, "select landed_file, error_code, error from ops.quarantine where locator = 'file'"
    )
    codes = dict(zip(q["landed_file"], q["error_code"], strict=True))
    assert codes == {
        "pos/square-items-broken.csv": "unreadable_file",
        "pos/notes.txt": "unrecognized_file",
    }
    assert "Transaction ID" in q.filter(pl.col("error_code") == "unreadable_file")["error"].item()


def test_building_some_days_leaves_the_rest_pending_not_lost(world_home: Home, copy_home) -> None:
    home = copy_home(world_home)
    from datetime import date

    report = run_pipeline(home, first=date(2026, 10, 2), last=date(2026, 10, 3))
    assert report.days == (date(2026, 10, 2), date(2026, 10, 3))
    assert all(report.checks.values())
    audit = Lake(home).read("ops.load_audit")
    assert audit["pending"].sum() > 0
    assert audit["unaccounted"].abs().sum() == 0
    built = Lake(home).read("core.order_lines")["ordered_at"].dt.date().unique().to_list()
    assert sorted(built) == [date(2026, 10, 2), date(2026, 10, 3)]
