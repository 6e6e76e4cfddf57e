from __future__ import annotations

import duckdb
import polars as pl
from world_helpers import ERROR_KINDS, World, build, read_pos


def _recompute(pos_rows: pl.DataFrame, bad: pl.DataFrame, locations: pl.DataFrame) -> pl.DataFrame:
    """channel_sales_daily from the landed text, in SQL, independently of the generator."""
    con = duckdb.connect()
    con.register("pos_rows", pos_rows)
    con.register("bad", bad)
    con.register("locations", locations)
    return con.sql(
        """
        WITH clean AS (
            SELECT r.* FROM pos_rows r
            ANTI JOIN bad b ON r.file = b.file AND r.row_number = b.row_number
        ), typed AS (
            SELECT
                CAST(timezone('UTC', timezone(l.time_zone,
                    CAST(try_strptime(c."Date", ['%Y-%m-%d', '%m/%d/%Y']) AS DATE)
                    + CAST(c."Time" AS TIME))) AS DATE) AS day,
                c."Event Type" AS event,
                c."Transaction ID" AS tid,
                CAST(c."Qty" AS BIGINT) AS qty,
                CAST(replace(replace(c."Gross Sales", '$', ''), ',', '') AS DECIMAL(18, 2)) AS gross,
                CAST(replace(replace(c."Net Sales", '$', ''), ',', '') AS DECIMAL(18, 2)) AS net
            FROM clean c JOIN locations l ON l.name = c."Location"
        )
        SELECT
            strftime(day, '%Y-%m-%d') AS day,
            'pos' AS channel,
            count(DISTINCT tid) FILTER (WHERE event = 'Payment') AS orders,
            coalesce(sum(qty) FILTER (WHERE event = 'Payment'), 0) AS units,
            CAST(coalesce(sum(gross) FILTER (WHERE event = 'Payment'), 0) AS VARCHAR)
                AS gross_sales,
            CAST(sum(net) AS VARCHAR) AS net_sales
        FROM typed GROUP BY day ORDER BY day
        """
    ).pl()


def _truth(world: World) -> pl.DataFrame:
    return pl.read_csv(
        world.truth / "channel_sales_daily.csv",
        schema_overrides={"day": pl.String, "gross_sales": pl.String, "net_sales": pl.String},
    )


def test_daily_sales_truth_matches_the_files(
    world: World, pos_rows: pl.DataFrame, injected: pl.DataFrame, locations: pl.DataFrame
) -> None:
    bad = injected.filter(pl.col("kind").is_in(list(ERROR_KINDS)))
    recomputed = _recompute(pos_rows, bad, locations)
    truth = _truth(world)
    assert truth.columns == ["day", "channel", "orders", "units", "gross_sales", "net_sales"]
    assert recomputed.to_dicts() == truth.to_dicts()
    # Evening sales in the west land on the UTC day after the last local day.
    assert truth["day"].max() == "2026-10-09"
    assert truth["day"].to_list() == sorted(truth["day"].to_list())


def test_truth_excludes_errors_but_counts_card_rows(
    world: World, pos_rows: pl.DataFrame, injected: pl.DataFrame, locations: pl.DataFrame
) -> None:
    """Dropping the card rows too (or keeping an error row) must change the totals."""
    truth = _truth(world).to_dicts()
    too_many = injected  # also drops valid card-number rows
    assert _recompute(pos_rows, too_many, locations).to_dicts() != truth


def test_duplicate_file_is_byte_identical_and_counts_once(world: World) -> None:
    dups = pl.read_csv(world.truth / "duplicate_files.csv")
    assert dups.height == 1
    duplicate, original = dups.row(0)
    assert duplicate.endswith("-reexport.csv")
    a, b = world.landing / duplicate, world.landing / original
    assert a.read_bytes() == b.read_bytes()
    assert b.read_bytes().count(b"\n") > 1  # not just a header


def test_identities(world: World, pos_rows: pl.DataFrame) -> None:
    ids = pl.read_csv(world.truth / "identities.csv", infer_schema=False)
    assert ids.columns == ["source", "source_customer_id", "person_id", "name_variant"]
    assert set(ids["source"]) == {"pos"}
    assert ids["source_customer_id"].n_unique() == ids.height == world.summary.customer_ids
    assert ids["person_id"].n_unique() == world.summary.customers
    assert ids["person_id"].str.contains(r"^P\d{8}$").all()
    assert ids["source_customer_id"].str.contains(r"^[A-Z0-9]{26}$").all()
    seen = pos_rows.select("Customer ID", "Customer Name").drop_nulls().unique()
    joined = seen.join(
        ids, left_on="Customer ID", right_on="source_customer_id", how="full", coalesce=True
    )
    assert joined.height == ids.height  # exactly the ids that appear in the files
    assert (joined["Customer Name"] == joined["name_variant"]).all()
    # some people shop under two profiles with different spellings
    assert ids["person_id"].is_duplicated().any()
    twice = ids.filter(pl.col("person_id").is_duplicated())
    assert (
        twice.group_by("person_id").agg(pl.col("name_variant").n_unique())["name_variant"].max()
        == 2
    )


def test_world_json(world: World) -> None:
    import json

    data = json.loads((world.truth / "world.json").read_text())
    assert data["arguments"] == {"orders": 3000, "days": 8, "seed": 11, "start": "2026-10-01"}
    summary = world.summary.as_dict()
    for key in ("orders", "order_lines", "refund_lines", "products", "customers"):
        assert data["summary"][key] == summary[key]
    assert summary["orders"] == 3000
    assert isinstance(summary["landing"], str)


def test_truth_matches_files_in_a_dst_week(tmp_path) -> None:
    """Across the end of DST (2026-11-01) the UTC day still follows each store's zone."""
    world = build(
        tmp_path, orders=1_500, days=4, seed=2, start=__import__("datetime").date(2026, 10, 30)
    )
    rows = read_pos(world.landing)
    bad = pl.read_csv(world.truth / "pos_injected.csv").filter(
        pl.col("kind").is_in(list(ERROR_KINDS))
    )
    locations = pl.read_csv(world.landing / "catalog" / "locations.csv", infer_schema=False)
    assert _recompute(rows, bad, locations).to_dicts() == _truth(world).to_dicts()
