from __future__ import annotations

import zoneinfo

import polars as pl
from world_helpers import World


def _upc_ok(upc: str) -> bool:
    digits = [int(c) for c in upc]
    odd = sum(digits[0:11:2])
    even = sum(digits[1:11:2])
    return (odd * 3 + even + digits[11]) % 10 == 0


def test_products_header_and_size(world: World, products: pl.DataFrame) -> None:
    assert products.columns == [
        "sku",
        "upc",
        "name",
        "category",
        "cost",
        "price",
        "currency",
        "pack_size",
        "lead_time_days",
        "safety_stock_units",
        "review_period_days",
    ]
    assert products.height == world.summary.products == 150  # clamp(3000 // 20, 100, 5000)


def test_upc_check_digits_are_valid(products: pl.DataFrame) -> None:
    upcs = products["upc"].to_list()
    assert all(len(u) == 12 and u.isdigit() for u in upcs)
    assert all(_upc_ok(u) for u in upcs)
    assert len(set(upcs)) == len(upcs)
    # A corrupted check digit must fail the same check (the test can fail).
    bad = upcs[0][:11] + str((int(upcs[0][11]) + 1) % 10)
    assert not _upc_ok(bad)


def test_product_columns(products: pl.DataFrame) -> None:
    assert products["sku"].str.contains(r"^SKU-\d{6}$").all()
    assert products["sku"].n_unique() == products.height
    assert products["cost"].str.contains(r"^\d+\.\d{2}$").all()
    assert products["price"].str.contains(r"^\d+\.\d{2}$").all()
    cost = products["cost"].str.replace(".", "", literal=True).cast(pl.Int64)
    price = products["price"].str.replace(".", "", literal=True).cast(pl.Int64)
    assert (price > cost).all()
    assert (cost > 0).all()
    assert set(products["currency"]) == {"USD"}
    assert set(products["pack_size"].cast(pl.Int64)) <= {1, 6, 12, 24}
    lead = products["lead_time_days"].cast(pl.Int64)
    assert lead.min() >= 3
    assert lead.max() <= 21
    assert (products["safety_stock_units"].cast(pl.Int64) >= 1).all()
    assert set(products["review_period_days"]) == {"7"}
    assert set(products["category"]) == {
        "Apparel",
        "Footwear",
        "Home",
        "Kitchen",
        "Beauty",
        "Toys",
        "Outdoor",
        "Electronics",
    }
    assert products["name"].n_unique() == products.height


def test_names_with_comma_and_quote_round_trip(world: World, products: pl.DataFrame) -> None:
    tricky = products.filter(pl.col("name").str.contains(",") & pl.col("name").str.contains('"'))
    assert tricky.height >= 1
    raw = (world.landing / "catalog" / "products.csv").read_text(encoding="utf-8")
    name = tricky["name"][0]
    assert '"' + name.replace('"', '""') + '"' in raw


def test_locations(locations: pl.DataFrame) -> None:
    assert locations.columns == [
        "location_id",
        "name",
        "kind",
        "address",
        "city",
        "region",
        "postal_code",
        "country",
        "lat",
        "lon",
        "time_zone",
        "currency",
        "ships_online",
    ]
    kinds = locations["kind"].value_counts().sort("kind")
    assert kinds.rows() == [("store", 12), ("warehouse", 2)]
    stores = locations.filter(pl.col("kind") == "store")
    assert stores["location_id"].str.contains(r"^STORE-[A-Z]{3}-\d{2}$").all()
    assert set(locations.filter(pl.col("kind") == "warehouse")["location_id"]) == {
        "DC-EAST",
        "DC-WEST",
    }
    assert stores["name"].n_unique() == 12
    for tz in locations["time_zone"]:
        zoneinfo.ZoneInfo(tz)  # raises if not a real IANA zone
    assert set(stores["time_zone"]) == {
        "America/New_York",
        "America/Chicago",
        "America/Denver",
        "America/Phoenix",
        "America/Los_Angeles",
    }
    lat, lon = locations["lat"].cast(pl.Float64), locations["lon"].cast(pl.Float64)
    assert lat.is_between(24, 49).all()  # contiguous US
    assert lon.is_between(-125, -66).all()
    assert set(locations["ships_online"]) == {"true", "false"}
    assert set(locations["country"]) == {"US"}
    assert set(locations["currency"]) == {"USD"}
