"""The allocation step over open online orders in a real lake, with the home's rules file."""

from __future__ import annotations

from datetime import UTC, datetime
from decimal import Decimal

import polars as pl

from oms_hub.home import Home
from oms_hub.quality.contracts import contract
from oms_hub.steps.allocation import RULES_FILE, build_allocations
from oms_hub.storage.lake import Lake

AT = datetime(2026, 10, 20, 18, tzinfo=UTC)
LINEAGE = {"source": "shopify", "landed_file": "shopify/orders-test.json"}

RULES = """\
version: "{version}"
rule_sets:
  - name: stores-first
    effective_from: 2026-10-01
    strategies:
      - {{name: stores, filters: {{kind: [store]}}, sort: [distance], when_short: next}}
      - {{name: warehouses, filters: {{kind: [warehouse]}}, sort: [distance], when_short: split}}
{extra}"""
WAREHOUSE_FROM_OCT_15 = """\
  - name: warehouse-first
    effective_from: 2026-10-15
    strategies:
      - {name: warehouses, filters: {kind: [warehouse]}, sort: [distance], when_short: next}
"""


def _stocked(lake: Lake, location: str) -> str:
    positions = lake.read("core.inventory_positions").filter(pl.col("location_id") == location)
    return positions.sort("available_to_promise", "sku", descending=[True, False])["sku"][0]


def _add_open_orders(lake: Lake, sea_sku: str, nyc_sku: str) -> None:
    heads = [
        ("shopify:w1", "open", 47.61, -122.33, None),
        ("shopify:w2", "open", 40.75, -73.95, "STORE-NYC-01"),
        ("shopify:w3", "completed", 47.61, -122.33, None),
    ]
    money = {
        "gross_amount": Decimal("10.00"),
        "discount_amount": Decimal("0.00"),
        "tax_amount": Decimal("0.00"),
        "currency": "USD",
    }
    orders = pl.DataFrame(
        [
            {
                "order_id": oid,
                "channel": "web",
                "source_order_id": oid[8:],
                "customer_key": None,
                "source_customer_id": None,
                "customer_name": None,
                "ordered_at": AT,
                "local_time_zone": None,
                "location_id": None,
                "total": Decimal("10.00"),
                "status": status,
                "source_code": None,
                "ship_to_lat": lat,
                "ship_to_lon": lon,
                "pickup_location_id": pickup,
                "line_count": 1,
                "note": None,
                "locator": f"order {i}",
                **money,
                **LINEAGE,
            }
            for i, (oid, status, lat, lon, pickup) in enumerate(heads, start=1)
        ]
    )
    lines = pl.DataFrame(
        [
            {
                "order_id": oid,
                "line_number": 1,
                "channel": "web",
                "ordered_at": AT,
                "location_id": None,
                "sku": sea_sku if oid != "shopify:w2" else nyc_sku,
                "item_name": None,
                "quantity": 1,
                "unit_price": Decimal("10"),
                "line_total": Decimal("10.00"),
                "locator": f"order {i}",
                **money,
                **LINEAGE,
            }
            for i, (oid, *_rest) in enumerate(heads, start=1)
        ]
    )
    lake.write_part("core.orders", "test-web", _conform("core.orders", orders))
    lake.write_part("core.order_lines", "test-web", _conform("core.order_lines", lines))


def _conform(table: str, frame: pl.DataFrame) -> pl.DataFrame:
    """Shape hand-made rows; columns other channels add later are left empty (null)."""
    schema = contract(table).polars_schema()
    missing = [pl.lit(None, t).alias(c) for c, t in schema.items() if c not in frame.columns]
    return contract(table).conform(frame.with_columns(missing))


def test_open_online_lines_are_allocated_under_the_homes_rules(built_home: Home, copy_home) -> None:
    home = copy_home(built_home)
    lake = Lake(home)
    sea_sku, nyc_sku = _stocked(lake, "STORE-SEA-01"), _stocked(lake, "STORE-NYC-01")
    _add_open_orders(lake, sea_sku, nyc_sku)
    (home.root / RULES_FILE).parent.mkdir(parents=True, exist_ok=True)
    (home.root / RULES_FILE).write_text(RULES.format(version="h1", extra=""))

    summary = build_allocations(home)
    assert summary["open_lines"] == 2  # the completed order is not allocated
    out = lake.read("core.allocations").sort("order_id")
    assert out.select("order_id", "location_id", "status", "rule").rows() == [
        ("shopify:w1", "STORE-SEA-01", "allocated", "h1/stores-first/stores"),
        ("shopify:w2", "STORE-NYC-01", "allocated", "h1/pickup"),
    ]
    positions = lake.read("core.inventory_positions")
    assert positions["allocated"].sum() == 2
    sea = positions.filter(
        (pl.col("location_id") == "STORE-SEA-01") & (pl.col("sku") == sea_sku)
    ).row(0, named=True)
    assert sea["allocated"] == 1
    assert sea["available_to_promise"] == max(
        sea["on_hand"] - 1 - sea["safety_stock"] - sea["channel_threshold"], 0
    )

    # The business adds "warehouse first from 15 October": decisions change from that day.
    (home.root / RULES_FILE).write_text(RULES.format(version="h2", extra=WAREHOUSE_FROM_OCT_15))
    build_allocations(home)
    again = lake.read("core.allocations").sort("order_id")
    assert again.select("order_id", "location_id", "rule").rows() == [
        ("shopify:w1", "DC-WEST", "h2/warehouse-first/warehouses"),
        ("shopify:w2", "STORE-NYC-01", "h2/pickup"),
    ]
