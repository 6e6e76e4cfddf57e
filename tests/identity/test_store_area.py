"""Where a store customer shops (its store's trade area) as evidence of where it lives."""

from __future__ import annotations

import datetime as dt

import duckdb
import polars as pl
import pytest

from oms_hub.identity.compare import compare_pairs
from oms_hub.identity.feeds import POS_IDENTITIES
from oms_hub.identity.standardize import postal, postal_area, standardize_identities

T = dt.datetime(2026, 10, 1, tzinfo=dt.UTC)


@pytest.mark.parametrize(
    ("code", "country", "want"),
    [
        ("11201", "US", "112"),  # a ZIP's 3-digit prefix (sectional center)
        ("02115-1234", "US", "021"),  # ZIP+4, leading zero kept
        ("K1A 0B1", "CA", "K1A"),  # forward sortation area
        ("SW1A 1AA", "GB", "SW1A"),  # outward code
        ("M1 1AE", "GB", "M1"),
        ("75008", "FR", "75008"),  # elsewhere: the code itself
        (None, "US", None),
    ],
)
def test_postal_area(code: str | None, country: str, want: str | None) -> None:
    frame = pl.DataFrame({"c": [code], "k": [country]}, schema={"c": pl.String, "k": pl.String})
    area = frame.select(postal_area(postal(pl.col("c"), pl.col("k")), pl.col("k"))).item()
    assert area == want


def test_a_store_profile_agrees_with_a_home_in_its_store_area() -> None:
    std = standardize_identities(
        pl.DataFrame(
            {
                "first_name": ["KATE", "Kate", "Kate", "Bob", "Ann"],
                "last_name": ["ONEIL", "O'Neil", "O'Neil", "Smith", "Lee"],
                # a card-name store profile at the Brooklyn store; two web customers;
                # another store profile with no home; a web customer with no postal code
                "postal_code": [None, "11215", "98101", None, None],
                "store_postal_code": ["11201", None, None, "11201", None],
            }
        )
    )
    assert std["store_area"].to_list() == ["112", None, None, "112", None]
    assert std["area"].to_list() == [None, "112", "981", None, None]
    con = duckdb.connect()
    try:
        con.register("s", std)
        con.execute("create table std as select * from s")
        pairs = pl.DataFrame(
            {"l": [0, 0, 0, 0, 1], "r": [1, 2, 3, 4, 2]}, schema={"l": pl.UInt32, "r": pl.UInt32}
        )
        levels = compare_pairs(con, "std", pairs)
    finally:
        con.close()
    # home in the store's area / elsewhere / two store profiles of one area / nothing /
    # two homes (the address compares those)
    assert levels["store_area"].to_list() == [2, 0, 1, -1, -1]


def _items(rows: list[tuple[str, str, dt.datetime]]) -> pl.LazyFrame:
    return pl.LazyFrame(
        {
            "landed_file": [f"pos/f{i}.csv" for i in range(len(rows))],
            "locator": [f"row {i + 1}" for i in range(len(rows))],
            "row_number": list(range(1, len(rows) + 1)),
            "event_at": [at for _, _, at in rows],
            "customer_id": [c for c, _, _ in rows],
            "customer_name": ["Kate O'Neil"] * len(rows),
            "location_name": [store for _, store, _ in rows],
        }
    )


LOCATIONS = pl.LazyFrame(
    {
        "location_id": ["STORE-NYC-01", "STORE-BOS-01", "DC-EAST"],
        "name": ["Brooklyn Heights", "Back Bay", "East DC"],
        "kind": ["store", "store", "warehouse"],
        "postal_code": ["11201", "02115", "07001"],
    }
)


def test_the_pos_feed_gives_each_profile_the_store_it_buys_at_most() -> None:
    day = dt.timedelta(days=1)
    items = _items(
        [
            ("A", "Brooklyn Heights", T), ("A", "Back Bay", T + day),
            ("A", "Brooklyn Heights", T + 2 * day),  # mostly Brooklyn
            ("B", "Brooklyn Heights", T), ("B", "Back Bay", T + day),  # a tie: the latest
            ("C", "Somewhere Else", T),  # a store core.locations does not know
        ]
    )  # fmt: skip
    out = (
        POS_IDENTITIES.extract({"pos/square_items": items, "core.locations": LOCATIONS})
        .collect()
        .sort("source_customer_id")
    )
    assert out["store_postal_code"].to_list() == ["11201", "02115", None]
    # without core.locations (the catalog not built yet): one row per profile, no store
    bare = POS_IDENTITIES.extract({"pos/square_items": items}).collect()
    assert bare.height == 3
    assert bare["store_postal_code"].null_count() == 3
