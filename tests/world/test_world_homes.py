"""Where the world's people live, and that identified store shoppers live near their store."""

from __future__ import annotations

import hashlib

import numpy as np
import polars as pl
import pytest
from world_helpers import World

from oms_hub.world.homes import LOCAL_SHARE, draw_homes, home_stores
from oms_hub.world.model import build_people, person_count
from oms_hub.world.places import STORES
from oms_hub.world.web_customers import build_contacts

PREFIX = [s.postal_code[:3] for s in STORES]
TRAFFIC = np.array([s.traffic for s in STORES]) / sum(s.traffic for s in STORES)


@pytest.fixture(scope="module")
def people_contacts() -> tuple[np.ndarray, pl.DataFrame]:
    """Home stores and contacts of a 5,000-person world (seed 7)."""
    people = build_people(7, 5_000)
    return home_stores(7, 5_000), build_contacts(7, people).frame


def _digest(frame: pl.DataFrame) -> str:
    return hashlib.sha256(frame.write_csv().encode()).hexdigest()[:16]


def test_seven_in_ten_people_live_in_a_store_area_drawn_by_traffic() -> None:
    stores = home_stores(7, 60_000)
    local = stores >= 0
    assert abs(local.mean() - LOCAL_SHARE) < 0.01
    assert set(np.unique(stores)) == {-1, *range(len(STORES))}
    per_store = np.bincount(stores[local], minlength=len(STORES)) / local.sum()
    assert np.abs(per_store - TRAFFIC).max() < 0.01  # Brooklyn (busiest) has most residents


def test_homes_are_deterministic_and_seeded() -> None:
    assert np.array_equal(home_stores(7, 2_000), home_stores(7, 2_000))
    assert not np.array_equal(home_stores(7, 2_000), home_stores(8, 2_000))
    homes = draw_homes(7, 2_000)
    assert np.array_equal(homes.store, home_stores(7, 2_000))


def test_residents_zips_are_in_their_stores_three_digit_area(people_contacts) -> None:
    stores, contacts = people_contacts
    frame = contacts.with_columns(store=pl.Series(stores))
    residents = frame.filter(pl.col("store") >= 0).with_columns(
        prefix=pl.col("store").replace_strict(dict(enumerate(PREFIX)), return_dtype=pl.String)
    )
    assert residents["zip"].str.contains(r"^[0-9]{5}$").all()
    assert (residents["zip"].str.slice(0, 3) == residents["prefix"]).all()
    # two random digits: many ZIPs per area (Boston's 021xx keeps its leading zero)
    assert residents.group_by("store").agg(pl.col("zip").n_unique())["zip"].min() > 60
    assert residents.filter(pl.col("prefix") == "021")["zip"].str.starts_with("021").all()
    # half of the moves stay in the area (and then to another ZIP), half go anywhere
    in_area = residents["new_zip"].str.slice(0, 3) == residents["prefix"]
    assert 0.45 < in_area.mean() < 0.56
    stayed = residents.filter(in_area)
    assert (stayed["new_zip"] != stayed["zip"]).all()


def test_other_contact_draws_are_unchanged(people_contacts) -> None:
    # digests of build_contacts(7, build_people(7, 5000)) before homes existed (main
    # 815154c): emails, phones, relay addresses and the ZIPs of the people living elsewhere
    # (and of the moves that left the area) are byte-identical
    stores, contacts = people_contacts
    homes = draw_homes(7, 5_000)
    assert _digest(contacts.drop("zip", "new_zip")) == "51d04adb965309b6"
    elsewhere = pl.Series(stores == -1)
    assert _digest(contacts.filter(elsewhere).select("zip", "new_zip")) == "0ac6f0cf42bddcd1"
    moved_away = pl.Series((stores == -1) | ~homes.moved_local)
    assert _digest(contacts.filter(moved_away).select("new_zip")) == "44cd5dd81eadf97a"


def _identified_sales(pos_rows: pl.DataFrame, world: World) -> pl.DataFrame:
    """One row per sale with a profile: its store index and the person's home store."""
    truth = pl.read_csv(world.truth / "identities.csv", infer_schema=False)
    people = person_count(world.summary.orders)
    homes = home_stores(11, people)
    store_of = {s.name: i for i, s in enumerate(STORES)}
    sales = (
        pos_rows.filter(
            (pl.col("Event Type") == "Payment") & pl.col("Transaction ID").is_not_null()
        )
        .group_by("Transaction ID")
        .agg(pl.col("Customer ID", "Location").first())
        .drop_nulls("Customer ID")
        .join(
            truth.filter(pl.col("source") == "pos"),
            left_on="Customer ID",
            right_on="source_customer_id",
        )
        .with_columns(
            store=pl.col("Location").replace_strict(store_of, return_dtype=pl.Int64),
            person=pl.col("person_id").str.slice(1).cast(pl.Int64),
        )
    )
    return sales.with_columns(home=pl.Series(homes[sales["person"].to_numpy()]))


def test_a_stores_identified_sales_go_mostly_to_its_residents(
    pos_rows: pl.DataFrame, world: World
) -> None:
    sales = _identified_sales(pos_rows, world)
    assert sales.height > 1_000
    resident = sales["home"] == sales["store"]
    # 90 % by a resident, plus the residents among the 10 % drawn from anyone (~0.6 %);
    # a store-blind draw would give ~6 %
    assert 0.87 < resident.mean() < 0.94
    per_store = sales.group_by("store").agg((pl.col("home") == pl.col("store")).mean())
    assert per_store.height == len(STORES)
    assert per_store["home"].min() > 0.75
    # the non-residents are commuters/travellers from everywhere, elsewhere-livers included
    visitors = sales.filter(pl.col("home") != pl.col("store"))
    assert (visitors["home"] == -1).any()
    assert (visitors["home"] >= 0).any()


def test_a_few_loyal_customers_still_come_often(pos_rows: pl.DataFrame, world: World) -> None:
    sales = _identified_sales(pos_rows, world)
    visits = sales.group_by("Customer ID").len().sort("len", descending=True)["len"]
    top_tenth = visits.head(visits.len() // 10).sum() / visits.sum()
    assert 0.18 < top_tenth < 0.40  # the u ** 1.6 skew, within each store's residents
    assert visits.max() >= 5


def test_directory_postal_codes_are_the_persons_home_zips(world: World) -> None:
    # the Square Customer Directory takes its ZIPs from the people's contacts, so a
    # resident's store profile shows a ZIP of their area (or the one after a move)
    people = person_count(world.summary.orders)
    contacts = build_contacts(11, build_people(11, people)).frame.with_columns(
        person=pl.int_range(pl.len(), dtype=pl.Int64), home=pl.Series(home_stores(11, people))
    )
    export = sorted((world.landing / "pos" / "customers").glob("export-*.csv"))[-1]
    truth = pl.read_csv(world.truth / "identities.csv", infer_schema=False)
    zips = (
        pl.read_csv(export, infer_schema=False)
        .drop_nulls("Postal Code")
        .join(truth, left_on="Square Customer ID", right_on="source_customer_id")
        .with_columns(person=pl.col("person_id").str.slice(1).cast(pl.Int64))
        .join(contacts, on="person")
    )
    assert zips.height > 100
    code = pl.col("Postal Code")
    assert zips.select(((code == pl.col("zip")) | (code == pl.col("new_zip"))).all()).item()
    residents = zips.filter(pl.col("home") >= 0).with_columns(
        prefix=pl.col("home").replace_strict(dict(enumerate(PREFIX)), return_dtype=pl.String)
    )
    assert residents.height > 0.8 * zips.height  # store profiles are mostly residents'
    in_area = residents["Postal Code"].str.slice(0, 3) == residents["prefix"]
    assert in_area.mean() > 0.9  # all but some of the 5 % who moved out of the area
