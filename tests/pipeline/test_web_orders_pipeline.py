"""Hand-dropped Shopify, WooCommerce and Amazon pages through a real Dagster run.

The world home provides the catalog (real SKUs); the test drops API pages into
``landing/<source>/`` the way a person (or an old export) would, including several
versions of the same order landed out of order, refunds, a cancellation, a Pending
Amazon order and broken records, and checks what the warehouse ends up with.
"""

from __future__ import annotations

import json
import sys
from decimal import Decimal
from pathlib import Path

import duckdb
import polars as pl
import pytest

from oms_hub.home import Home
from oms_hub.pipeline import run_pipeline
from oms_hub.storage.manifest import LandingManifest

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "connectors"))
from api_samples import (
    BIG_ID,
    amazon_items,
    amazon_order,
    shopify_graphql_node,
    shopify_graphql_page,
    shopify_refund,
    shopify_rest_order,
    woo_order,
)


def _skus(home: Home) -> list[str]:
    products = pl.read_csv(next((home.landing / "catalog").glob("*products*.csv")))
    return products.get_column(products.columns[0]).head(3).to_list()


def _drop(home: Home, source: str, name: str, doc: object) -> None:
    payload = doc if isinstance(doc, bytes) else json.dumps(doc).encode()
    LandingManifest(home).land_bytes(source, name, payload)


def query(home: Home, sql: str) -> pl.DataFrame:
    con = duckdb.connect(str(home.catalog), read_only=True)
    try:
        return pl.from_arrow(con.sql(sql).to_arrow_table())
    finally:
        con.close()


@pytest.fixture(scope="module")
def web_home(tmp_path_factory: pytest.TempPathFactory, world_home: Home) -> Home:
    import shutil

    root = tmp_path_factory.mktemp("web")
    shutil.copytree(world_home.root, root, dirs_exist_ok=True)
    home = Home(root)
    a, b, c = _skus(home)
    # Shopify: a newer version (REST export) landed first, the older GraphQL copy later.
    newer = shopify_rest_order(
        BIG_ID,
        updated_at="2026-10-03T09:00:00-04:00",
        lines=[(a, 2, "10.00")],
        refunds=[shopify_refund(77, BIG_ID * 10 + 1, a, 1, "10.00", "2026-10-03T09:00:00-04:00")],
    )
    _drop(home, "shopify", "export-orders.json", {"orders": [newer, {"id": None}]})
    old = shopify_graphql_node(BIG_ID, updated_at="2026-10-01T15:00:00Z", sku=a, qty=1)
    cancelled = shopify_graphql_node(1001, updated_at="2026-10-02T10:00:00Z", sku=b, cancelled=True)
    _drop(home, "shopify", "page-1.json", shopify_graphql_page([old, cancelled], cursor=None))
    _drop(home, "shopify", "page-2.json", b'{"data": {"orders": {"edges": [')  # truncated
    # WooCommerce: order 1 in two versions; order 2 has an unknown SKU (conform rejects it).
    _drop(home, "woocommerce", "orders-p1.json", [woo_order(1, lines=[(c, 3, "10.00")])])
    _drop(
        home,
        "woocommerce",
        "orders-p2.json",
        [
            woo_order(
                1,
                modified_gmt="2026-10-04T10:00:00",
                lines=[(c, 3, "10.00")],
                status="completed",
                refunds=["5.00"],
            ),
            woo_order(2, lines=[("NO-SUCH-SKU", 1, "4.00")]),
        ],
    )
    # Amazon: one priced order with items, one Pending without prices.
    _drop(
        home,
        "amazon",
        "orders-1.json",
        {
            "payload": {
                "Orders": [
                    amazon_order("111-0000001-0000001", total="21.98", fulfillment="AFN"),
                    amazon_order("111-0000001-0000002", status="Pending", total=None),
                ]
            }
        },
    )
    _drop(home, "amazon", "items-1.json", amazon_items("111-0000001-0000001", [(a, 2, "21.98")]))
    _drop(home, "amazon", "items-2.json", amazon_items("111-0000001-0000002", [(b, 1, None)]))
    report = run_pipeline(home)
    assert all(report.checks.values()), report.checks
    return home


def test_each_order_once_at_its_latest_version(web_home: Home) -> None:
    orders = query(
        web_home,
        "select order_id, channel, status, total, refunded_amount, ordered_at_offset, "
        "source_code, fulfilled_by from core.orders where source <> 'pos' order by order_id",
    )
    by_id = {r["order_id"]: r for r in orders.iter_rows(named=True)}
    assert sorted(by_id) == [
        "amazon:111-0000001-0000001",
        "shopify:1001",
        f"shopify:{BIG_ID}",
        "woocommerce:1",
    ]
    big = by_id[f"shopify:{BIG_ID}"]  # the REST version (updated later) won over GraphQL
    assert big["total"] == Decimal("26.60")
    assert big["refunded_amount"] == Decimal("10.00")
    assert big["ordered_at_offset"] == "-04:00"
    assert big["source_code"] == "utm:google/fall"
    assert by_id["shopify:1001"]["status"] == "cancelled"
    woo = by_id["woocommerce:1"]
    assert (woo["status"], woo["total"], woo["refunded_amount"]) == (
        "completed",
        Decimal("14.00"),
        Decimal("5.00"),
    )
    amazon = by_id["amazon:111-0000001-0000001"]
    assert (amazon["channel"], amazon["fulfilled_by"], amazon["total"]) == (
        "marketplace",
        "amazon",
        Decimal("21.98"),
    )


def test_lines_and_returns_carry_exact_money(web_home: Home) -> None:
    lines = query(
        web_home,
        f"select quantity, gross_amount from core.order_lines where order_id = 'shopify:{BIG_ID}'",
    )
    assert lines.rows() == [(2, Decimal("20.00"))]
    returns = query(
        web_home,
        "select return_id, quantity, refund_amount, restock_type, returned_at from core.returns "
        "where source = 'shopify'",
    )
    assert returns.height == 1
    assert returns.row(0)[1:4] == (1, Decimal("10.00"), "return")
    assert str(returns.row(0)[4]).startswith("2026-10-03 13:00:00")


def test_payments_keep_only_processor_references(web_home: Home) -> None:
    payments = query(
        web_home,
        "select payment_id, order_id, kind, amount, processor_ref from core.payments "
        "where source <> 'pos' order by payment_id",
    )
    assert payments.rows() == [
        (f"shopify:{77 * 10 + 1}", f"shopify:{BIG_ID}", "refund", Decimal("10.00"), "re_77"),
        ("woocommerce:1:paid", "woocommerce:1", "sale", Decimal("14.00"), "ch_1"),
        ("woocommerce:1:refund:100", "woocommerce:1", "refund", Decimal("5.00"), None),
    ]


def test_bad_records_are_quarantined_with_reasons(web_home: Home) -> None:
    q = query(
        web_home,
        "select source, landed_file, locator, error_code from ops.quarantine "
        "where source <> 'pos' and action = 'rejected' order by all",
    )
    got = set(q.iter_rows())
    assert ("shopify", "shopify/export-orders.json", "order 2", "missing_field") in got
    assert ("shopify", "shopify/page-2.json", "document", "bad_json") in got
    assert ("woocommerce", "woocommerce/orders-p2.json", "order 2", "unknown_sku") in got
    assert ("amazon", "amazon/orders-1.json", "order 2", "awaiting_prices") in got
    assert ("amazon", "amazon/items-2.json", "items 1", "awaiting_prices") in got
    assert len(got) == 5


def test_audit_balances_every_api_page(web_home: Home) -> None:
    audit = query(
        web_home,
        "select landed_file, records, loaded, quarantined, superseded, unaccounted "
        "from ops.load_audit where source <> 'pos' and source <> 'catalog' order by landed_file",
    )
    rows = {r[0]: r[1:] for r in audit.iter_rows()}
    assert rows["shopify/page-1.json"] == (2, 1, 0, 1, 0)  # the old GraphQL copy superseded
    assert rows["shopify/export-orders.json"] == (2, 1, 1, 0, 0)
    assert rows["amazon/items-1.json"] == (1, 1, 0, 0, 0)
    assert rows["woocommerce/orders-p1.json"] == (1, 0, 0, 1, 0)
    assert all(r[-1] == 0 for r in rows.values())
