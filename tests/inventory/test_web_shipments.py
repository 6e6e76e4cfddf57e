"""Shopify fulfillments: parsed with their location, mapped to ours, shipped out of it."""

from __future__ import annotations

import json
import sys
from pathlib import Path

import polars as pl

from oms_hub.connectors.shopify.orders import parse_shopify_orders
from oms_hub.inventory.ledger import build_ledger, shipment_movements
from oms_hub.inventory.web_shipments import load_location_map, shopify_shipments

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "connectors"))
from api_samples import shopify_graphql_node, shopify_graphql_page, shopify_rest_order


def _fulfillment(fid: int, *, loc_id: int | None, name: str | None, items, status="SUCCESS"):
    return {
        "id": f"gid://shopify/Fulfillment/{fid}",
        "createdAt": "2026-10-02T09:30:00-04:00",
        "status": status,
        "location": None
        if loc_id is None
        else {"id": f"gid://shopify/Location/{loc_id}", "name": name},
        "fulfillmentLineItems": {
            "edges": [{"node": {"quantity": q, "lineItem": {"sku": s}}} for s, q in items]
        },
    }


def _page(*fulfillments) -> bytes:
    node = shopify_graphql_node(1001, updated_at="2026-10-02T10:00:00-04:00", sku="SKU-A", qty=3)
    node["displayFulfillmentStatus"] = "FULFILLED"
    node["fulfillments"] = list(fulfillments)
    return json.dumps(shopify_graphql_page([node], cursor=None)).encode()


def test_graphql_fulfillments_are_staged_with_their_location_on_both_paths() -> None:
    page = _page(
        _fulfillment(1, loc_id=11, name="East Distribution Center", items=[("SKU-A", 2)]),
        _fulfillment(2, loc_id=12, name="Back Bay", items=[("SKU-A", 1)]),
    )
    fast = parse_shopify_orders(page, landed_file="f.json")
    slow = parse_shopify_orders(page, landed_file="f.json", fast=False)
    assert fast.staged.equals(slow.staged)
    rows = fast.staged.select("shipments").explode("shipments").unnest("shipments")
    assert rows.select(
        "fulfillment_id", "location_ref", "location_name", "sku", "quantity"
    ).rows() == [
        ("1", "11", "East Distribution Center", "SKU-A", 2),
        ("2", "12", "Back Bay", "SKU-A", 1),
    ]
    assert str(rows["shipped_at"][0]) == "2026-10-02 13:30:00+00:00"


def test_rest_fulfillments_carry_the_location_id() -> None:
    order = shopify_rest_order(77, lines=[("SKU-A", 2, "10.00")])
    order["fulfillments"] = [
        {
            "id": 900,
            "created_at": "2026-10-02T09:30:00-04:00",
            "status": "success",
            "location_id": 65_000_000_001,
            "line_items": [{"sku": "SKU-A", "quantity": 2}],
        }
    ]
    staged = parse_shopify_orders(json.dumps({"orders": [order]}).encode(), landed_file="r.json")
    rows = staged.staged.select("shipments").explode("shipments").unnest("shipments")
    assert rows.select("fulfillment_id", "location_ref", "sku", "quantity").rows() == [
        ("900", "65000000001", "SKU-A", 2)
    ]


LOCATIONS = pl.DataFrame(
    {
        "location_id": ["DC-EAST", "STORE-BOS-01"],
        "name": ["East Distribution Center", "Back Bay"],
    }
)
PRODUCTS = pl.DataFrame({"sku": ["SKU-A"]})
ORDERS = pl.DataFrame({"order_id": ["shopify:1001"]})


def _ship(page: bytes, mapping: dict[str, str] | None = None):
    staged = parse_shopify_orders(page, landed_file="f.json").staged
    return shopify_shipments(staged, ORDERS, PRODUCTS, LOCATIONS, mapping or {})


def test_shipped_lines_leave_the_named_location_and_become_sales() -> None:
    shipped, flagged = _ship(
        _page(
            _fulfillment(1, loc_id=11, name="East Distribution Center", items=[("SKU-A", 2)]),
            _fulfillment(2, loc_id=12, name="back bay ", items=[("SKU-A", 1)]),
            _fulfillment(
                3,
                loc_id=11,
                name="East Distribution Center",
                items=[("SKU-A", 5)],
                status="CANCELLED",
            ),
        )
    )
    assert flagged.height == 0
    assert shipped.select("shipment_id", "order_id", "location_id", "quantity").rows() == [
        ("1", "shopify:1001", "DC-EAST", 2),
        ("2", "shopify:1001", "STORE-BOS-01", 1),
    ]
    moves = build_ledger([shipment_movements(shipped.lazy())]).collect()
    assert moves.select("kind", "location_id", "quantity", "reference", "shipment_id").sort(
        "shipment_id"
    ).rows() == [
        ("sale", "DC-EAST", -2, "shopify:1001", "1"),
        ("sale", "STORE-BOS-01", -1, "shopify:1001", "2"),
    ]


def test_unknown_location_or_sku_is_flagged_with_a_reason_and_a_mapping_file_fixes_it(
    tmp_path: Path,
) -> None:
    page = _page(
        _fulfillment(1, loc_id=99, name="Pop-up Tent", items=[("SKU-A", 2)]),
        _fulfillment(2, loc_id=11, name="East Distribution Center", items=[("SKU-ZZ", 1)]),
    )
    shipped, flagged = _ship(page)
    assert shipped.height == 0
    assert flagged.select("error_code", "action", "locator").sort("error_code").rows() == [
        ("unknown_location", "flagged", "order 1"),
        ("unknown_sku", "flagged", "order 1"),
    ]
    assert "Pop-up Tent" in flagged.filter(pl.col("error_code") == "unknown_location")["error"][0]
    config = tmp_path / "shopify-locations.yaml"
    config.write_text("99: STORE-BOS-01\n")
    shipped, flagged = _ship(page, load_location_map(config))
    assert shipped.select("location_id", "quantity").rows() == [("STORE-BOS-01", 2)]
    assert flagged["error_code"].to_list() == ["unknown_sku"]


def test_allocation_plans_only_the_units_a_partial_fulfillment_left() -> None:
    from oms_hub.steps.allocation import _not_yet_shipped

    shipped, _ = _ship(
        _page(_fulfillment(1, loc_id=11, name="East Distribution Center", items=[("SKU-A", 2)]))
    )
    ledger = build_ledger([shipment_movements(shipped.lazy())])
    lines = pl.LazyFrame(
        {"order_id": ["shopify:1001"], "sku": ["SKU-A"], "line_number": [1], "quantity": [3]},
        schema_overrides={"line_number": pl.Int32, "quantity": pl.Int32},
    )
    left = _not_yet_shipped(lines, ledger).collect()
    assert left.select("order_id", "quantity").rows() == [("shopify:1001", 1)]


def test_completed_woo_and_amazon_mfn_orders_ship_from_the_configured_dc(tmp_path: Path) -> None:
    import datetime

    import pytest

    from oms_hub.inventory.web_shipments import default_shipments, load_ship_from

    at = datetime.datetime(2026, 10, 3, 12, tzinfo=datetime.UTC)
    orders = pl.DataFrame(
        {
            "order_id": ["woocommerce:1", "woocommerce:2", "amazon:A", "amazon:B", "shopify:9"],
            "status": ["completed", "open", "completed", "completed", "completed"],
            "fulfilled_by": ["merchant", "merchant", "merchant", "amazon", "merchant"],
            "updated_at": [at] * 5,
        }
    )
    lines = pl.DataFrame(
        {
            "order_id": ["woocommerce:1", "woocommerce:2", "amazon:A", "amazon:B", "shopify:9"],
            "line_number": [1, 1, 1, 1, 1],
            "sku": ["SKU-A"] * 5,
            "quantity": [2, 5, 1, 7, 9],
            "source": ["woocommerce", "woocommerce", "amazon", "amazon", "shopify"],
            "landed_file": ["f"] * 5,
            "locator": ["order 1"] * 5,
        }
    )
    known = pl.Series(["DC-EAST", "DC-WEST"])
    config = tmp_path / "web-ship-from.yaml"
    assert load_ship_from(config, known) == {}
    assert default_shipments(orders, lines, {}).height == 0
    config.write_text("woocommerce: DC-EAST\namazon: DC-WEST\n")
    shipped = default_shipments(orders, lines, load_ship_from(config, known))
    # open Woo order, Amazon FBA (Amazon's stock) and Shopify (own fulfillments) excluded
    assert shipped.select("shipment_id", "location_id", "quantity").sort("shipment_id").rows() == [
        ("amazon:A:shipped", "DC-WEST", 1),
        ("woocommerce:1:shipped", "DC-EAST", 2),
    ]
    moves = build_ledger([shipment_movements(shipped.lazy())]).collect()
    assert moves["quantity"].sum() == -3
    assert set(moves["kind"]) == {"sale"}
    config.write_text("woocommerce: DC-NOWHERE\n")
    with pytest.raises(ValueError, match="DC-NOWHERE"):
        load_ship_from(config, known)


def test_a_negative_fulfilled_quantity_is_flagged_not_restocked() -> None:
    shipped, flagged = _ship(
        _page(_fulfillment(1, loc_id=11, name="East Distribution Center", items=[("SKU-A", -2)]))
    )
    assert shipped.height == 0
    assert flagged["error_code"].to_list() == ["bad_quantity"]


def test_rows_staged_before_fulfillments_were_read_ship_nothing() -> None:
    staged = parse_shopify_orders(_page(), landed_file="f.json").staged.drop("shipments")
    shipped, flagged = shopify_shipments(staged, ORDERS, PRODUCTS, LOCATIONS, {})
    assert (shipped.height, flagged.height) == (0, 0)
