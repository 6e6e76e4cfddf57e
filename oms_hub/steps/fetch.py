"""Step: fetch new pages from an API source into landing/ (Dagster-free).

A source whose environment variables are unset is not configured: the step does
nothing and says which variables would switch it on. Nothing here prints or returns a
credential; the clients keep them out of ``repr`` and out of their error messages.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from oms_hub.connectors.amazon.client import AmazonClient, AmazonSettings
from oms_hub.connectors.shopify.client import ShopifyClient, ShopifySettings
from oms_hub.connectors.woocommerce.client import WooClient, WooSettings
from oms_hub.home import Home


@dataclass(frozen=True)
class ApiSource:
    """How to build a source's client from the environment, and what switches it on."""

    source: str
    variables: tuple[str, ...]
    client: Callable[[], Any | None]


API_SOURCES: tuple[ApiSource, ...] = (
    ApiSource(
        "shopify",
        ("OMS_HUB_SHOPIFY_SHOP_URL", "OMS_HUB_SHOPIFY_ACCESS_TOKEN"),
        lambda: (s := ShopifySettings.from_env()) and ShopifyClient(s),
    ),
    ApiSource(
        "woocommerce",
        ("OMS_HUB_WOOCOMMERCE_URL", "OMS_HUB_WOOCOMMERCE_KEY", "OMS_HUB_WOOCOMMERCE_SECRET"),
        lambda: (s := WooSettings.from_env()) and WooClient(s),
    ),
    ApiSource(
        "amazon",
        (
            "OMS_HUB_AMAZON_LWA_CLIENT_ID",
            "OMS_HUB_AMAZON_LWA_CLIENT_SECRET",
            "OMS_HUB_AMAZON_REFRESH_TOKEN",
            "OMS_HUB_AMAZON_MARKETPLACE_IDS",
        ),
        lambda: (s := AmazonSettings.from_env()) and AmazonClient(s),
    ),
)


def fetch_api_source(home: Home, api: ApiSource) -> dict[str, Any]:
    """Sync one source if configured; metadata either way (no secrets)."""
    client = api.client()
    if client is None:
        return {
            "source": api.source,
            "configured": False,
            "note": f"not configured: set {', '.join(api.variables)} to fetch from the API "
            f"(files dropped into landing/{api.source}/ are still ingested)",
        }
    return {"configured": True, **client.sync(home).as_dict()}
