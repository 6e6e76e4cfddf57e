"""Amazon SP-API Orders v0 sync: Login-with-Amazon token, getOrders + getOrderItems.

* LWA: the refresh token is exchanged for a short-lived access token
  (``POST /auth/o2/token``, ``grant_type=refresh_token``), cached until a minute before
  it expires, and sent as ``x-amz-access-token``.
* ``getOrders`` with ``LastUpdatedAfter`` (never later than now minus 2 minutes, as the
  API requires) and ``MarketplaceIds``; further pages by ``NextToken``.
* ``getOrderItems`` per order of the page; those responses land with the page.
* 429: ``Retry-After`` if given, else one request's worth of the
  ``x-amzn-RateLimit-Limit`` rate (requests per second), else back-off.
* Buyer data: ``getOrders`` returns the buyer's relay email, name and the shipping
  address's name and phone only when called with a Restricted Data Token (Tokens API
  ``createRestrictedDataToken`` for ``GET /orders/v0/orders`` with the ``buyerInfo`` and
  ``shippingAddress`` data elements), which needs the restricted roles on the app. The
  client asks for one; if Amazon refuses (no role), it syncs with the plain LWA token and
  the sync report says the buyer data is missing: identity resolution then has only the
  ZIP and city of Amazon buyers. ``OMS_HUB_AMAZON_PII=off`` skips the request.

Environment: ``OMS_HUB_AMAZON_LWA_CLIENT_ID``, ``OMS_HUB_AMAZON_LWA_CLIENT_SECRET``,
``OMS_HUB_AMAZON_REFRESH_TOKEN``, ``OMS_HUB_AMAZON_MARKETPLACE_IDS`` (comma-separated),
optional ``OMS_HUB_AMAZON_ENDPOINT`` (https://sellingpartnerapi-na.amazon.com),
``OMS_HUB_AMAZON_LWA_URL`` (https://api.amazon.com/auth/o2/token),
``OMS_HUB_AMAZON_LOOKBACK_MINUTES`` (15), ``OMS_HUB_AMAZON_START`` (first sync),
``OMS_HUB_AMAZON_PII`` (``on``; ``off`` never asks for a Restricted Data Token).
"""

from __future__ import annotations

import json
import logging
import time
import urllib.parse
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime, timedelta

from oms_hub.connectors.common.http import (
    AuthError,
    ConnectorError,
    Response,
    RetryPolicy,
    request,
    with_query,
)
from oms_hub.connectors.common.incremental import (
    Page,
    SyncReport,
    parse_iso,
    sync_orders,
    utc_iso,
)
from oms_hub.connectors.common.settings import SyncWindow, env
from oms_hub.home import Home

SOURCE = "amazon"
LATEST_ALLOWED = timedelta(minutes=2)
ORDERS_PATH = "/orders/v0/orders"
RDT_PATH = "/tokens/2021-03-01/restrictedDataToken"
#: What a Restricted Data Token for getOrders unlocks: the buyer (relay email, name) and
#: the shipping address's name, street and phone.
PII_ELEMENTS = ("buyerInfo", "shippingAddress")
NO_PII_NOTE = (
    "Amazon refused a Restricted Data Token (the app lacks the restricted roles): orders "
    "were synced without buyer email, name and shipping name/phone"
)

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class AmazonSettings:
    """LWA credentials and marketplaces (secrets kept out of ``repr``)."""

    client_id: str = field(repr=False)
    client_secret: str = field(repr=False)
    refresh_token: str = field(repr=False)
    marketplace_ids: tuple[str, ...] = ()
    endpoint: str = "https://sellingpartnerapi-na.amazon.com"
    lwa_url: str = "https://api.amazon.com/auth/o2/token"
    window: SyncWindow | None = None
    pii: bool = True  # ask for a Restricted Data Token for getOrders

    @classmethod
    def from_env(cls) -> AmazonSettings | None:
        """Settings from ``OMS_HUB_AMAZON_*``; None when not configured."""
        cid, secret = env("OMS_HUB_AMAZON_LWA_CLIENT_ID"), env("OMS_HUB_AMAZON_LWA_CLIENT_SECRET")
        refresh, markets = (
            env("OMS_HUB_AMAZON_REFRESH_TOKEN"),
            env("OMS_HUB_AMAZON_MARKETPLACE_IDS"),
        )
        if not (cid and secret and refresh and markets):
            return None
        return cls(
            client_id=cid,
            client_secret=secret,
            refresh_token=refresh,
            marketplace_ids=tuple(m.strip() for m in markets.split(",") if m.strip()),
            endpoint=(env("OMS_HUB_AMAZON_ENDPOINT") or cls.endpoint).rstrip("/"),
            lwa_url=env("OMS_HUB_AMAZON_LWA_URL") or cls.lwa_url,
            window=SyncWindow.from_env("OMS_HUB_AMAZON"),
            pii=(env("OMS_HUB_AMAZON_PII") or "on").strip().lower() not in ("off", "0", "no"),
        )


def rate_limit_hint(resp: Response) -> float | None:
    """Seconds for one request at the ``x-amzn-RateLimit-Limit`` rate (requests/second)."""
    try:
        rate = float(resp.headers.get("x-amzn-ratelimit-limit", ""))
    except ValueError:
        return None
    return 1.0 / rate if rate > 0 else None


def not_too_recent(t: datetime) -> datetime:
    """``LastUpdatedAfter`` must be at least two minutes in the past."""
    return min(t, datetime.now(UTC) - LATEST_ALLOWED)


class AmazonClient:
    """Fetches getOrders pages (with their order items); ``sync`` lands them."""

    def __init__(self, settings: AmazonSettings, policy: RetryPolicy | None = None) -> None:
        self.settings = settings
        self.policy = policy or RetryPolicy()
        self._token: str | None = None
        self._token_expires = 0.0
        self._rdt: str | None = None
        self._rdt_expires = 0.0
        #: None until asked; False once Amazon refused a Restricted Data Token.
        self.pii_granted: bool | None = None if settings.pii else False

    def _access_token(self) -> str:
        if self._token and time.monotonic() < self._token_expires:
            return self._token
        form = urllib.parse.urlencode(
            {
                "grant_type": "refresh_token",
                "refresh_token": self.settings.refresh_token,
                "client_id": self.settings.client_id,
                "client_secret": self.settings.client_secret,
            }
        ).encode()
        resp = request(
            "POST",
            self.settings.lwa_url,
            headers={"Content-Type": "application/x-www-form-urlencoded"},
            body=form,
            policy=self.policy,
        )
        if resp.status >= 400:
            raise AuthError(
                f"Login with Amazon refused the token exchange (HTTP {resp.status}): check "
                "OMS_HUB_AMAZON_LWA_CLIENT_ID / _CLIENT_SECRET / OMS_HUB_AMAZON_REFRESH_TOKEN"
            )
        doc = resp.json()
        self._token = str(doc["access_token"])
        self._token_expires = time.monotonic() + float(doc.get("expires_in", 3600)) - 60
        return self._token

    def _orders_token(self) -> str:
        """The token for getOrders: a Restricted Data Token when Amazon grants one."""
        if self.pii_granted is False:
            return self._access_token()
        if self._rdt and time.monotonic() < self._rdt_expires:
            return self._rdt
        body = json.dumps(
            {
                "restrictedResources": [
                    {"method": "GET", "path": ORDERS_PATH, "dataElements": list(PII_ELEMENTS)}
                ]
            }
        ).encode()
        try:
            resp = request(
                "POST",
                f"{self.settings.endpoint}{RDT_PATH}",
                headers={
                    "x-amz-access-token": self._access_token(),
                    "Content-Type": "application/json",
                },
                body=body,
                policy=self.policy,
                throttle_hint=rate_limit_hint,
            )
        except AuthError:
            log.warning(NO_PII_NOTE)
            self.pii_granted = False
            return self._access_token()
        if resp.status >= 400:
            raise ConnectorError(f"SP-API {RDT_PATH} answered HTTP {resp.status}")
        doc = resp.json()
        self._rdt = str(doc["restrictedDataToken"])
        self._rdt_expires = time.monotonic() + float(doc.get("expiresIn", 3600)) - 60
        self.pii_granted = True
        return self._rdt

    def _get(self, path: str, params: dict[str, object], token: str | None = None) -> Response:
        url = with_query(f"{self.settings.endpoint}{path}", params)
        resp = request(
            "GET",
            url,
            headers={"x-amz-access-token": token or self._access_token()},
            policy=self.policy,
            throttle_hint=rate_limit_hint,
        )
        if resp.status >= 400:
            try:
                codes = [e.get("code") for e in resp.json().get("errors", [])]
            except (ValueError, AttributeError):
                codes = []
            raise ConnectorError(f"SP-API {path.split('?')[0]} answered HTTP {resp.status} {codes}")
        return resp

    def fetch(self, window_start: datetime, next_token: str | None) -> Page:
        """One getOrders page plus the getOrderItems response of each of its orders."""
        params: dict[str, object] = {"MarketplaceIds": ",".join(self.settings.marketplace_ids)}
        if next_token:
            params["NextToken"] = next_token
        else:
            params["LastUpdatedAfter"] = utc_iso(not_too_recent(window_start))
        resp = self._get(ORDERS_PATH, params, token=self._orders_token())
        payload = resp.json().get("payload") or {}
        orders = [o for o in payload.get("Orders") or [] if isinstance(o, dict)]
        extra = []
        for order in orders:
            order_id = order.get("AmazonOrderId")
            if not isinstance(order_id, str):
                continue  # the parser quarantines the header; there is nothing to fetch
            token = None
            while True:
                items = self._get(
                    f"/orders/v0/orders/{urllib.parse.quote(order_id)}/orderItems",
                    {"NextToken": token},
                )
                extra.append((f"items-{order_id}", items.body))
                token = (items.json().get("payload") or {}).get("NextToken")
                if not token:
                    break
        stamps = [parse_iso(o["LastUpdateDate"]) for o in orders if o.get("LastUpdateDate")]
        return Page(
            body=resp.body,
            next_page=payload.get("NextToken"),
            newest=max(stamps, default=None),
            records=len(orders),
            extra=tuple(extra),
        )

    def sync(self, home: Home, *, max_pages: int | None = None) -> SyncReport:
        """Land every page changed since the last sync (minus the lookback)."""
        window = self.settings.window or SyncWindow.from_env("OMS_HUB_AMAZON")
        report = sync_orders(
            home,
            source=SOURCE,
            window=window,
            fetch=self.fetch,
            policy=self.policy,
            max_pages=max_pages,
            clamp=not_too_recent,
        )
        if self.settings.pii and self.pii_granted is False:
            return replace(report, notes=(*report.notes, NO_PII_NOTE))
        return report
