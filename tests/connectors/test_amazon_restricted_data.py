"""Amazon buyer data needs a Restricted Data Token; without the role the sync still runs.

The local SP-API stand-in (``api_servers.AmazonServer``) answers getOrders with buyer
email, name and the shipping name/phone only to a Restricted Data Token, as Amazon does,
and refuses the token (403) when the app lacks the restricted roles.
"""

from __future__ import annotations

import json
import sys
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from api_samples import amazon_items, amazon_order
from api_servers import AmazonServer

from oms_hub.connectors.amazon.client import NO_PII_NOTE, AmazonClient, AmazonSettings
from oms_hub.connectors.common.http import RetryPolicy
from oms_hub.connectors.common.settings import SyncWindow
from oms_hub.home import Home

sys.dont_write_bytecode = True
WINDOW = SyncWindow(lookback=timedelta(minutes=5), initial_since=datetime(2026, 9, 1, tzinfo=UTC))


def _buyer_order(order_id: str) -> dict:
    order = amazon_order(order_id)
    order["BuyerInfo"] = {"BuyerEmail": "x7k2m9q4r1@marketplace.amazon.com", "BuyerName": "Kate"}
    order["ShippingAddress"] = {
        "Name": "Kate Oneil",
        "AddressLine1": "12 Elm Street",
        "City": "Seattle",
        "StateOrRegion": "WA",
        "PostalCode": "98101",
        "CountryCode": "US",
        "Phone": "+1 206-555-0100",
    }
    return order


def _sync(tmp_path: Path, *, pii_role: bool, pii: bool = True) -> tuple[dict, AmazonServer]:
    home = Home(tmp_path)
    with AmazonServer() as amz:
        amz.pii_role = pii_role
        for n in range(3):  # two pages of getOrders (page size 2)
            oid = f"113-000000{n}-1234567"
            amz.put(_buyer_order(oid), amazon_items(oid, [("SKU-1", 1, "21.98")]))
        client = AmazonClient(
            AmazonSettings(
                AmazonServer.CLIENT_ID,
                AmazonServer.CLIENT_SECRET,
                AmazonServer.REFRESH,
                ("ATVPDKIKX0DER",),
                endpoint=amz.url,
                lwa_url=f"{amz.url}/auth/o2/token",
                window=WINDOW,
                pii=pii,
            ),
            RetryPolicy(attempts=3, base_delay=0.001, sleep=lambda s: None),
        )
        report = client.sync(home)
    orders = [
        order
        for page in sorted((home.landing / "amazon").glob("*.json"))
        if not page.name.startswith("items-")
        for order in (json.loads(page.read_bytes()).get("payload") or {}).get("Orders", [])
    ]
    assert len(orders) == 3
    return {"report": report, "orders": orders, "client": client}, amz


def test_with_the_role_orders_carry_buyer_data_and_one_token_serves_every_page(
    tmp_path: Path,
) -> None:
    got, amz = _sync(tmp_path, pii_role=True)
    assert amz.rdt_requests == 1  # cached for its lifetime, not asked per page
    assert got["client"].pii_granted is True
    assert got["report"].notes == ()
    for order in got["orders"]:
        assert order["BuyerInfo"]["BuyerEmail"].endswith("@marketplace.amazon.com")
        assert order["ShippingAddress"]["Phone"] == "+1 206-555-0100"


def test_without_the_role_the_sync_runs_and_says_what_is_missing(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    got, amz = _sync(tmp_path, pii_role=False)
    assert amz.rdt_requests == 1  # refused once, not asked again for the next page
    assert got["client"].pii_granted is False
    assert got["report"].notes == (NO_PII_NOTE,)
    assert got["report"].as_dict()["notes"] == [NO_PII_NOTE]  # a list for Dagster metadata
    assert NO_PII_NOTE in caplog.text
    for order in got["orders"]:
        assert "BuyerInfo" not in order
        assert set(order["ShippingAddress"]) == {"City", "StateOrRegion", "PostalCode",
                                                 "CountryCode"}  # fmt: skip


def test_pii_off_never_asks_for_a_restricted_token(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    got, amz = _sync(tmp_path, pii_role=True, pii=False)
    assert amz.rdt_requests == 0
    assert got["report"].notes == ()
    assert all("BuyerInfo" not in order for order in got["orders"])
    for value, expected in (("off", False), ("on", True), (None, True)):
        for name, setting in (
            ("OMS_HUB_AMAZON_LWA_CLIENT_ID", "id"),
            ("OMS_HUB_AMAZON_LWA_CLIENT_SECRET", "secret"),
            ("OMS_HUB_AMAZON_REFRESH_TOKEN", "refresh"),
            ("OMS_HUB_AMAZON_MARKETPLACE_IDS", "ATVPDKIKX0DER"),
        ):
            monkeypatch.setenv(name, setting)
        if value is None:
            monkeypatch.delenv("OMS_HUB_AMAZON_PII", raising=False)
        else:
            monkeypatch.setenv("OMS_HUB_AMAZON_PII", value)
        settings = AmazonSettings.from_env()
        assert settings is not None
        assert settings.pii is expected
