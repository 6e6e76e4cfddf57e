"""The real connectors against local API servers, end to end into a warehouse.

Each server holds orders in its API's native shape and misbehaves on purpose: several
pages, throttling (Shopify ``THROTTLED``, Woo/Amazon 429 with a hint), a transient 5xx,
and an interruption (the API goes down mid-sync; the next sync resumes at the page it
had not landed). Then orders change at the source (a newer version, a refund, a
cancellation), a second sync fetches them, and one pipeline run must show each order
exactly once at its latest version with totals to the cent.
"""

from __future__ import annotations

import shutil
import sys
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from pathlib import Path

import duckdb
import polars as pl
import pytest
from api_samples import amazon_items, amazon_order, money, shopify_graphql_node, woo_order
from api_servers import AmazonServer, ShopifyServer, WooServer

from oms_hub.connectors.amazon.client import AmazonClient, AmazonSettings
from oms_hub.connectors.common.http import AuthError, RetryPolicy, TransportError
from oms_hub.connectors.common.incremental import IncrementalSync
from oms_hub.connectors.common.settings import SyncWindow
from oms_hub.connectors.shopify.client import ShopifyClient, ShopifySettings
from oms_hub.connectors.woocommerce.client import WooClient, WooSettings
from oms_hub.home import Home
from oms_hub.pipeline import run_pipeline

sys.dont_write_bytecode = True
WINDOW = SyncWindow(lookback=timedelta(minutes=5), initial_since=datetime(2026, 9, 1, tzinfo=UTC))


def _policy() -> RetryPolicy:
    return RetryPolicy(attempts=3, base_delay=0.001, sleep=lambda s: None)


def _skus(home: Home) -> list[str]:
    products = pl.read_csv(next((home.landing / "catalog").glob("*products*.csv")))
    return products.get_column(products.columns[0]).head(4).to_list()


def _gql_refund(order_id: int, sku: str, amount: str, at: str) -> dict:
    bag = {"shopMoney": {"amount": amount, "currencyCode": "USD"}}
    zero = {"shopMoney": {"amount": "0.00", "currencyCode": "USD"}}
    return {
        "id": f"gid://shopify/Refund/{order_id}9",
        "createdAt": at,
        "refundLineItems": {
            "edges": [
                {
                    "node": {
                        "id": f"gid://shopify/RefundLineItem/{order_id}8",
                        "quantity": 1,
                        "restockType": "RETURN",
                        "lineItem": {"id": f"gid://shopify/LineItem/{order_id}1", "sku": sku},
                        "subtotalSet": bag,
                        "totalTaxSet": zero,
                    }
                }
            ]
        },
    }


def _sync_until_done(client, home: Home, server, down_from: int = 4) -> list:
    """First sync dies mid-way (the API goes down); the second resumes and finishes."""
    server.bad.down_from = down_from
    with pytest.raises(TransportError, match="cursor was not moved"):
        client.sync(home)
    state = IncrementalSync(
        home,
        source=client_source(client),
        stream="orders",
        lookback=WINDOW.lookback,
        initial_since=WINDOW.initial_since,
    ).state()
    assert state.in_progress  # resumable, nothing lost
    assert state.page is not None
    server.bad.down_from = None
    report = client.sync(home)
    assert report.resumed
    return [report]


def client_source(client) -> str:
    return {ShopifyClient: "shopify", WooClient: "woocommerce", AmazonClient: "amazon"}[
        type(client)
    ]


@pytest.fixture(scope="module")
def synced(tmp_path_factory: pytest.TempPathFactory, world_home: Home):
    root = tmp_path_factory.mktemp("api")
    shutil.copytree(world_home.root, root, dirs_exist_ok=True)
    home = Home(root)
    a, b, c, _ = _skus(home)
    truth: dict[str, tuple[str, Decimal]] = {}  # order_id -> (status, total)
    with ShopifyServer() as shop, WooServer() as woo, AmazonServer() as amz:
        # --- Shopify: 7 orders, pages of 3, THROTTLED on request 2, a 502 on request 3.
        shop_client = ShopifyClient(
            ShopifySettings(shop.url, ShopifyServer.TOKEN, page_size=3, window=WINDOW), _policy()
        )
        for n in range(7):
            oid = 9_007_199_254_740_993 + n  # 2**53 + 1 + n: not representable as a float
            shop.put(
                shopify_graphql_node(oid, updated_at=f"2026-10-02T1{n}:00:00Z", sku=a, qty=n + 1)
            )
            truth[f"shopify:{oid}"] = ("open", Decimal("10.00") * (n + 1))
        shop.bad.throttle, shop.bad.blip = {2}, {3}
        _sync_until_done(shop_client, home, shop)
        # --- WooCommerce: 5 orders, pages of 2, a 429 and a 500 blip.
        woo_client = WooClient(
            WooSettings(woo.url, WooServer.KEY, WooServer.SECRET, page_size=2, window=WINDOW),
            _policy(),
        )
        for n in range(5):
            woo.put(
                woo_order(100 + n, modified_gmt=f"2026-10-02T0{n}:00:00", lines=[(b, 1, "7.50")])
            )
            truth[f"woocommerce:{100 + n}"] = ("open", Decimal("11.50"))
        woo.bad.throttle, woo.bad.blip = {1}, {2}
        _sync_until_done(woo_client, home, woo)
        # --- Amazon: 5 orders (pages of 2) with items, 429 with x-amzn-RateLimit-Limit.
        amz_client = AmazonClient(
            AmazonSettings(
                AmazonServer.CLIENT_ID,
                AmazonServer.CLIENT_SECRET,
                AmazonServer.REFRESH,
                ("ATVPDKIKX0DER",),
                endpoint=amz.url,
                lwa_url=f"{amz.url}/auth/o2/token",
                window=WINDOW,
            ),
            _policy(),
        )
        for n in range(5):
            oid = f"113-000000{n}-1234567"
            amz.put(
                amazon_order(
                    oid, updated=f"2026-10-02T0{n}:30:00Z", total=money(Decimal("12.25") * 2)
                ),
                amazon_items(oid, [(c, 2, money(Decimal("12.25") * 2))]),
            )
            truth[f"amazon:{oid}"] = ("open", Decimal("24.50"))
        amz.bad.throttle, amz.bad.blip = {3}, {5}
        # token, page 1, items (429, retry), items (5xx, retry), page 2, then down.
        _sync_until_done(amz_client, home, amz, down_from=8)

        # --- Changes at the source, then an incremental sync of each.
        first = 9_007_199_254_740_993
        node = shopify_graphql_node(first, updated_at="2026-10-05T09:00:00Z", sku=a, qty=1)
        node["refunds"] = [_gql_refund(first, a, "10.00", "2026-10-05T09:00:00Z")]
        node["totalRefundedSet"] = {"shopMoney": {"amount": "10.00", "currencyCode": "USD"}}
        shop.put(node)
        shop.put(
            shopify_graphql_node(
                first + 1, updated_at="2026-10-05T10:00:00Z", sku=a, qty=2, cancelled=True
            )
        )
        truth[f"shopify:{first + 1}"] = ("cancelled", Decimal("20.00"))
        woo.put(
            woo_order(
                101, modified_gmt="2026-10-06T00:00:00", lines=[(b, 2, "15.00")], status="completed"
            )
        )
        truth["woocommerce:101"] = ("completed", Decimal("19.00"))
        amz.put(
            amazon_order(
                "113-0000000-1234567",
                updated="2026-10-06T00:00:00Z",
                status="Shipped",
                total="24.50",
                fulfillment="AFN",
            ),
            amazon_items("113-0000000-1234567", [(c, 2, "24.50")]),
        )
        truth["amazon:113-0000000-1234567"] = ("completed", Decimal("24.50"))
        reports = {
            "shopify": shop_client.sync(home),
            "woocommerce": woo_client.sync(home),
            "amazon": amz_client.sync(home),
        }
        requests = {
            "amazon_tokens": amz.token_requests,
            "waits": {
                "shopify": shop_client.policy.waits,
                "woocommerce": woo_client.policy.waits,
                "amazon": amz_client.policy.waits,
            },
        }
    result = run_pipeline(home)
    return home, truth, reports, requests, result


def _query(home: Home, sql: str) -> pl.DataFrame:
    con = duckdb.connect(str(home.catalog), read_only=True)
    try:
        return pl.from_arrow(con.sql(sql).to_arrow_table())
    finally:
        con.close()


def test_each_order_exactly_once_at_its_latest_version_to_the_cent(synced) -> None:
    home, truth, _, _, result = synced
    assert all(result.checks.values()), result.checks
    got = _query(
        home,
        "select order_id, status, total from core.orders where source <> 'pos' order by order_id",
    )
    assert got.get_column("order_id").is_unique().all()
    assert {r[0]: (r[1], r[2]) for r in got.iter_rows()} == truth


def test_refund_from_the_incremental_sync_is_a_return(synced) -> None:
    home = synced[0]
    returns = _query(
        home,
        "select order_id, quantity, refund_amount, restock_type from core.returns where source = 'shopify'",
    )
    assert returns.rows() == [("shopify:9007199254740993", 1, Decimal("10.00"), "return")]


def test_incremental_sync_fetches_only_what_changed_and_moves_the_cursor(synced) -> None:
    reports = synced[2]
    # The changed orders, plus the newest one again: it is inside the 5-minute lookback.
    assert reports["shopify"].records == 3
    assert reports["woocommerce"].records == 2
    assert reports["amazon"].records == 2
    assert reports["shopify"].waits > 0  # the bucket was low: the client waited
    assert reports["shopify"].since == "2026-10-05T10:00:00Z"  # the source's clock


def test_audit_balances_all_landed_pages(synced) -> None:
    home = synced[0]
    audit = _query(
        home,
        "select source, sum(records) r, sum(loaded) l, sum(superseded) s, sum(quarantined) q, "
        "sum(unaccounted) u from ops.load_audit where source in ('shopify','woocommerce','amazon') "
        "group by source order by source",
    )
    rows = {r[0]: r[1:] for r in audit.iter_rows()}
    assert all(r[-1] == 0 for r in rows.values())
    # Old versions, and the first copy of each order re-fetched through the lookback.
    assert (rows["shopify"][2], rows["woocommerce"][2]) == (3, 2)
    # Two headers; their re-fetched items documents are byte-identical, so the landing
    # manifest already counts them as duplicate files (never parsed twice).
    assert rows["amazon"][2] == 2


def test_throttling_was_honoured_and_the_token_exchanged_once(synced) -> None:
    requests = synced[3]
    assert requests["amazon_tokens"] == 1


def test_auth_errors_stop_with_a_clear_message_without_secrets(tmp_path: Path) -> None:
    home = Home(tmp_path)
    with ShopifyServer() as shop, WooServer() as woo, AmazonServer() as amz:
        clients = [
            ShopifyClient(
                ShopifySettings(shop.url, "shpat_WRONG_SECRET", window=WINDOW), _policy()
            ),
            WooClient(WooSettings(woo.url, "ck_x", "cs_WRONG_SECRET", window=WINDOW), _policy()),
            AmazonClient(
                AmazonSettings(
                    "id",
                    "WRONG_SECRET",
                    "refresh",
                    ("M",),
                    endpoint=amz.url,
                    lwa_url=f"{amz.url}/auth/o2/token",
                    window=WINDOW,
                ),
                _policy(),
            ),
        ]
        for client in clients:
            with pytest.raises(AuthError) as caught:
                client.sync(home)
            assert "WRONG_SECRET" not in str(caught.value)
            assert "WRONG_SECRET" not in repr(client.settings)
        assert len(shop.requests) == 1  # no retry of a refused credential


def test_a_5xx_storm_fails_loudly_after_the_retries(tmp_path: Path) -> None:
    home = Home(tmp_path)
    waits: list[float] = []
    policy = RetryPolicy(attempts=4, base_delay=0.01, sleep=waits.append)
    with WooServer() as woo:
        woo.bad.down_from = 1
        client = WooClient(
            WooSettings(woo.url, WooServer.KEY, WooServer.SECRET, window=WINDOW), policy
        )
        with pytest.raises(TransportError, match="failed after 4 attempts"):
            client.sync(home)
        assert len(woo.requests) == 4
    assert waits == [0.01, 0.02, 0.04, 0.08]  # exponential back-off
    assert (
        not list((home.landing / "woocommerce").glob("*"))
        if (home.landing / "woocommerce").exists()
        else True
    )
