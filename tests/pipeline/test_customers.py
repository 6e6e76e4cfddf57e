"""Customer assets materialized by real Dagster runs over the small sample world."""

from __future__ import annotations

import polars as pl

from oms_hub.home import Home
from oms_hub.identity.evaluate import pairwise_scores
from oms_hub.pipeline import run_pipeline
from oms_hub.storage.lake import Lake
from tests.pipeline.test_pipeline import query


def test_every_pos_identity_is_resolved_without_false_merges(built_home: Home) -> None:
    truth = pl.read_csv(built_home.truth / "identities.csv", infer_schema=False)
    xref = query(built_home, "select * from core.customer_xref")
    assert xref.height == truth.height > 0
    labels = xref.join(truth, on=["source", "source_customer_id"])
    assert labels.height == truth.height
    scores = pairwise_scores(labels, truth="person_id", predicted="customer_key")
    # POS identities carry only a name: the model does not merge on a name alone
    assert scores.precision >= 0.99
    customers = query(built_home, "select * from core.customers")
    assert set(customers["customer_key"]) == set(xref["customer_key"])
    assert customers["identities"].sum() == xref.height
    assert (xref["landed_file"].str.starts_with("pos/")).all()


def test_customer_360_adds_up_to_the_orders_of_known_customers(built_home: Home) -> None:
    mart = query(built_home, "select * from marts.customer_360")
    expected = query(
        built_home,
        """select count(*) as orders, sum(o.total) as revenue
           from core.orders o join core.customer_xref x
             on x.source = o.source and x.source_customer_id = o.source_customer_id""",
    ).row(0, named=True)
    assert mart["orders"].sum() == expected["orders"] > 0
    assert mart["revenue"].sum() == expected["revenue"]
    assert (mart["orders"] == mart["orders_pos"]).all()
    assert (mart["lifetime_value"] == mart["revenue"] - mart["refunded"]).all()
    assert (mart["first_order_at"] <= mart["last_order_at"]).all()


def test_rerun_keeps_customer_keys_and_reports_nothing_changed(built_home: Home, copy_home) -> None:
    home = copy_home(built_home)
    before = Lake(home).read("core.customer_xref")
    report = run_pipeline(home, select="group:customers")
    assert all(report.checks.values()), report.checks
    after = Lake(home).read("core.customer_xref")
    assert after.sort("source_customer_id").equals(before.sort("source_customer_id"))
    assert Lake(home).read("core.customer_key_events").height == 0


def test_a_new_export_adds_customers_incrementally_without_renumbering(
    built_home: Home, copy_home
) -> None:
    home = copy_home(built_home)
    lake = Lake(home)
    before = lake.read("core.customer_xref")
    pos = sorted((home.landing / "pos").glob("square-items-*.csv"))
    rows = pl.read_csv(pos[0], infer_schema=False)
    sale = rows.filter(pl.col("Event Type") == "Payment").head(1)
    extra = sale.with_columns(
        pl.lit("ZZNEWCUSTOMER0000000000001").alias("Customer ID"),
        pl.lit("Zebedee Quillfeather").alias("Customer Name"),
        (pl.col("Transaction ID") + "X").alias("Transaction ID"),
        (pl.col("Payment ID") + "X").alias("Payment ID"),
    )
    extra.write_csv(pos[0].with_name(pos[0].stem + "-late.csv"))
    report = run_pipeline(home)
    assert all(report.checks.values()), report.checks
    after = lake.read("core.customer_xref")
    assert after.height == before.height + 1
    kept = after.join(before, on=["source", "source_customer_id"], suffix="_before")
    assert (kept["customer_key"] == kept["customer_key_before"]).all()
    new = after.filter(pl.col("source_customer_id") == "ZZNEWCUSTOMER0000000000001").row(
        0, named=True
    )
    assert new["customer_key"] > before["customer_key"].max()
    assert new["landed_file"].endswith("-late.csv")
    mart = lake.read("marts.customer_360").filter(pl.col("customer_key") == new["customer_key"])
    assert mart["orders"].to_list() == [1]
