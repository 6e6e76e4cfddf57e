"""WooCommerce REST v3 orders sync: ``modified_after`` + ``page``/``per_page`` paging.

The total number of pages comes in the ``X-WP-TotalPages`` response header; orders are
requested oldest-modified first (``orderby=modified&order=asc``) with
``dates_are_gmt=true`` so ``modified_after`` is UTC. Authentication is the REST API
consumer key and secret (HTTP Basic over HTTPS).

Environment: ``OMS_HUB_WOOCOMMERCE_URL`` (the store's base URL),
``OMS_HUB_WOOCOMMERCE_KEY``, ``OMS_HUB_WOOCOMMERCE_SECRET``, optional
``OMS_HUB_WOOCOMMERCE_PAGE_SIZE`` (100), ``OMS_HUB_WOOCOMMERCE_LOOKBACK_MINUTES`` (15),
``OMS_HUB_WOOCOMMERCE_START`` (first sync).
"""

from __future__ import annotations

import base64
from dataclasses import dataclass, field
from datetime import datetime

from oms_hub.connectors.common.http import ConnectorError, RetryPolicy, request, with_query
from oms_hub.connectors.common.incremental import Page, SyncReport, parse_iso, sync_orders
from oms_hub.connectors.common.settings import SyncWindow, env, env_int
from oms_hub.home import Home

SOURCE = "woocommerce"


@dataclass(frozen=True)
class WooSettings:
    """Store URL and REST keys (the secret is kept out of ``repr``)."""

    store_url: str
    consumer_key: str = field(repr=False)
    consumer_secret: str = field(repr=False)
    page_size: int = 100
    window: SyncWindow | None = None

    @classmethod
    def from_env(cls) -> WooSettings | None:
        """Settings from ``OMS_HUB_WOOCOMMERCE_*``; None when not configured."""
        url = env("OMS_HUB_WOOCOMMERCE_URL")
        key, secret = env("OMS_HUB_WOOCOMMERCE_KEY"), env("OMS_HUB_WOOCOMMERCE_SECRET")
        if not (url and key and secret):
            return None
        return cls(
            store_url=url.rstrip("/"),
            consumer_key=key,
            consumer_secret=secret,
            page_size=env_int("OMS_HUB_WOOCOMMERCE_PAGE_SIZE", 100),
            window=SyncWindow.from_env("OMS_HUB_WOOCOMMERCE"),
        )


class WooClient:
    """Fetches order pages; ``sync`` lands them and moves the cursor."""

    def __init__(self, settings: WooSettings, policy: RetryPolicy | None = None) -> None:
        self.settings = settings
        self.policy = policy or RetryPolicy()

    def fetch(self, window_start: datetime, page: str | None) -> Page:
        """One page of orders modified after ``window_start``."""
        number = int(page or 1)
        url = with_query(
            f"{self.settings.store_url}/wp-json/wc/v3/orders",
            {
                "modified_after": window_start.strftime("%Y-%m-%dT%H:%M:%S"),
                "dates_are_gmt": "true",
                "orderby": "modified",
                "order": "asc",
                "per_page": self.settings.page_size,
                "page": number,
            },
        )
        token = f"{self.settings.consumer_key}:{self.settings.consumer_secret}"
        auth = "Basic " + base64.b64encode(token.encode()).decode()
        resp = request("GET", url, headers={"Authorization": auth}, policy=self.policy)
        if resp.status >= 400:
            raise ConnectorError(
                f"WooCommerce answered HTTP {resp.status} for orders page {number}"
            )
        try:
            orders = resp.json()
            total_pages = int(resp.headers.get("x-wp-totalpages", "1"))
        except ValueError:
            raise ConnectorError(f"WooCommerce orders page {number} is not a JSON page") from None
        stamps = [
            parse_iso(o["date_modified_gmt"])
            for o in orders
            if isinstance(o, dict) and isinstance(o.get("date_modified_gmt"), str)
        ]
        return Page(
            body=resp.body,
            next_page=str(number + 1) if number < total_pages else None,
            newest=max(stamps, default=None),
            records=len(orders) if isinstance(orders, list) else 0,
        )

    def sync(self, home: Home, *, max_pages: int | None = None) -> SyncReport:
        """Land every page changed since the last sync (minus the lookback)."""
        window = self.settings.window or SyncWindow.from_env("OMS_HUB_WOOCOMMERCE")
        return sync_orders(
            home,
            source=SOURCE,
            window=window,
            fetch=self.fetch,
            policy=self.policy,
            max_pages=max_pages,
        )
