"""Shopify Admin GraphQL orders sync: cursor paging under the cost-based throttle.

``orders(first: N, after: <endCursor>, sortKey: UPDATED_AT, query: "updated_at:>'T'")``.
Shopify meters GraphQL by query cost: every response reports
``extensions.cost.throttleStatus`` (``currentlyAvailable`` points, ``restoreRate`` per
second). Before asking again we wait until the bucket holds the last request's cost;
a ``THROTTLED`` error response is not landed, we wait for the bucket and ask again.

Environment: ``OMS_HUB_SHOPIFY_SHOP_URL`` (``https://<shop>.myshopify.com``),
``OMS_HUB_SHOPIFY_ACCESS_TOKEN`` (Admin API token), optional
``OMS_HUB_SHOPIFY_API_VERSION`` (2025-01), ``OMS_HUB_SHOPIFY_PAGE_SIZE`` (100),
``OMS_HUB_SHOPIFY_LOOKBACK_MINUTES`` (15), ``OMS_HUB_SHOPIFY_START`` (first sync).
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from oms_hub.connectors.common.http import ConnectorError, RetryPolicy, request
from oms_hub.connectors.common.incremental import (
    Page,
    SyncReport,
    parse_iso,
    sync_orders,
    utc_iso,
)
from oms_hub.connectors.common.settings import SyncWindow, env, env_int
from oms_hub.home import Home

SOURCE = "shopify"
MONEY = "shopMoney { amount currencyCode } presentmentMoney { amount currencyCode }"
ORDERS_QUERY = f"""
query Orders($first: Int!, $after: String, $query: String) {{
  orders(first: $first, after: $after, sortKey: UPDATED_AT, query: $query) {{
    edges {{ cursor node {{
      id name createdAt updatedAt cancelledAt closedAt sourceName note
      displayFinancialStatus displayFulfillmentStatus currencyCode presentmentCurrencyCode
      email phone discountCodes
      customer {{ id firstName lastName email phone }}
      shippingAddress {{ firstName lastName zip countryCodeV2 }}
      billingAddress {{ firstName lastName }}
      customerJourneySummary {{ firstVisit {{ landingPage }} }}
      totalPriceSet {{ {MONEY} }} subtotalPriceSet {{ {MONEY} }} totalTaxSet {{ {MONEY} }}
      totalDiscountsSet {{ {MONEY} }} totalShippingPriceSet {{ {MONEY} }}
      totalRefundedSet {{ {MONEY} }}
      transactions {{ id kind status gateway processedAt authorizationCode amountSet {{ {MONEY} }}
        paymentDetails {{ ... on CardPaymentDetails {{ company number }} }} }}
      lineItems(first: 100) {{ edges {{ node {{
        id sku name quantity
        originalTotalSet {{ {MONEY} }} totalDiscountSet {{ {MONEY} }}
        taxLines {{ priceSet {{ {MONEY} }} }}
      }} }} }}
      refunds {{ id createdAt
        refundLineItems(first: 100) {{ edges {{ node {{
          id quantity restockType lineItem {{ id sku }}
          subtotalSet {{ {MONEY} }} totalTaxSet {{ {MONEY} }}
        }} }} }}
      }}
    }} }}
    pageInfo {{ hasNextPage endCursor }}
  }}
}}
"""


@dataclass(frozen=True)
class ShopifySettings:
    """Where and how to fetch; the token is kept out of ``repr``."""

    shop_url: str
    access_token: str = field(repr=False)
    api_version: str = "2025-01"
    page_size: int = 100
    window: SyncWindow | None = None

    @classmethod
    def from_env(cls) -> ShopifySettings | None:
        """Settings from ``OMS_HUB_SHOPIFY_*``; None when not configured."""
        url, token = env("OMS_HUB_SHOPIFY_SHOP_URL"), env("OMS_HUB_SHOPIFY_ACCESS_TOKEN")
        if not (url and token):
            return None
        return cls(
            shop_url=url.rstrip("/"),
            access_token=token,
            api_version=env("OMS_HUB_SHOPIFY_API_VERSION") or "2025-01",
            page_size=env_int("OMS_HUB_SHOPIFY_PAGE_SIZE", 100),
            window=SyncWindow.from_env("OMS_HUB_SHOPIFY"),
        )


def _throttle(doc: dict[str, Any]) -> tuple[float, float, float] | None:
    """(requested cost, currently available, restore rate) from ``extensions.cost``."""
    cost = (doc.get("extensions") or {}).get("cost") or {}
    status = cost.get("throttleStatus") or {}
    try:
        return (
            float(cost.get("requestedQueryCost", 0)),
            float(status["currentlyAvailable"]),
            float(status["restoreRate"]) or 1.0,
        )
    except (KeyError, TypeError, ValueError):
        return None


def _throttled(doc: dict[str, Any]) -> bool:
    return any(
        (e.get("extensions") or {}).get("code") == "THROTTLED"
        for e in doc.get("errors") or []
        if isinstance(e, dict)
    )


class ShopifyClient:
    """Fetches order pages; ``sync`` lands them and moves the cursor."""

    def __init__(self, settings: ShopifySettings, policy: RetryPolicy | None = None) -> None:
        self.settings = settings
        self.policy = policy or RetryPolicy()
        self._wait_before_next = 0.0

    @property
    def endpoint(self) -> str:
        """The Admin GraphQL URL."""
        return f"{self.settings.shop_url}/admin/api/{self.settings.api_version}/graphql.json"

    def _post(self, variables: dict[str, Any]) -> tuple[bytes, dict[str, Any]]:
        body = json.dumps({"query": ORDERS_QUERY, "variables": variables}).encode()
        headers = {
            "Content-Type": "application/json",
            "X-Shopify-Access-Token": self.settings.access_token,
        }
        for _ in range(self.policy.attempts):
            if self._wait_before_next > 0:
                self.policy.wait(self._wait_before_next)
                self._wait_before_next = 0.0
            resp = request("POST", self.endpoint, headers=headers, body=body, policy=self.policy)
            try:
                doc = resp.json()
            except ValueError:
                raise ConnectorError(
                    f"Shopify returned HTTP {resp.status} with a body that is not JSON"
                ) from None
            bucket = _throttle(doc)
            if bucket is not None:
                requested, available, rate = bucket
                self._wait_before_next = max(0.0, (requested - available) / rate)
            if _throttled(doc):
                self._wait_before_next = max(self._wait_before_next, self.policy.base_delay)
                continue
            if resp.status >= 400 or doc.get("errors"):
                codes = [
                    (e.get("extensions") or {}).get("code") or e.get("message", "?")
                    for e in doc.get("errors") or []
                    if isinstance(e, dict)
                ]
                raise ConnectorError(f"Shopify GraphQL error (HTTP {resp.status}): {codes[:3]}")
            return resp.body, doc
        raise ConnectorError("Shopify kept throttling the query; try a smaller page size")

    def fetch(self, window_start: datetime, after: str | None) -> Page:
        """One page of orders updated after ``window_start``."""
        body, doc = self._post(
            {
                "first": self.settings.page_size,
                "after": after,
                "query": f"updated_at:>'{utc_iso(window_start)}'",
            }
        )
        conn = ((doc.get("data") or {}).get("orders")) or {}
        edges = conn.get("edges") or []
        info = conn.get("pageInfo") or {}
        stamps = [
            parse_iso(e["node"]["updatedAt"])
            for e in edges
            if isinstance(e, dict)
            and isinstance(e.get("node"), dict)
            and e["node"].get("updatedAt")
        ]
        return Page(
            body=body,
            next_page=info.get("endCursor") if info.get("hasNextPage") else None,
            newest=max(stamps, default=None),
            records=len(edges),
        )

    def sync(self, home: Home, *, max_pages: int | None = None) -> SyncReport:
        """Land every page changed since the last sync (minus the lookback)."""
        window = self.settings.window or SyncWindow.from_env("OMS_HUB_SHOPIFY")
        return sync_orders(
            home,
            source=SOURCE,
            window=window,
            fetch=self.fetch,
            policy=self.policy,
            max_pages=max_pages,
        )
