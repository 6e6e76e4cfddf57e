"""Local stand-ins for the Shopify, WooCommerce and SP-API endpoints (stdlib http.server).

Each server keeps a list of orders (tests edit it between syncs), answers the real
request shapes with the real paging, and can be told to misbehave on chosen request
numbers: throttle (``THROTTLED`` / 429 with a retry hint), fail once with a 5xx, or go
down (5xx on every request from some point: an interruption). ``requests`` records
every request so tests can assert what the connector did.
"""

from __future__ import annotations

import json
import threading
import urllib.parse
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

Reply = tuple[int, dict[str, str], bytes]


def _json(status: int, doc: Any, headers: dict[str, str] | None = None) -> Reply:
    return status, {"Content-Type": "application/json", **(headers or {})}, json.dumps(doc).encode()


def _t(text: str) -> datetime:
    t = datetime.fromisoformat(text)
    return (t if t.tzinfo else t.replace(tzinfo=UTC)).astimezone(UTC)


@dataclass
class Misbehaviour:
    """Which request numbers (1-based, counted per server) go wrong, and how."""

    throttle: set[int] = field(default_factory=set)
    blip: set[int] = field(default_factory=set)  # one 5xx
    down_from: int | None = None  # 5xx from this request on (until cleared)


class ApiServer:
    """A threaded HTTP server on 127.0.0.1 with a random port."""

    def __init__(
        self, route: Callable[[str, str, dict[str, list[str]], dict[str, str], bytes], Reply]
    ):
        self.route = route
        self.requests: list[tuple[str, str]] = []
        self.bad = Misbehaviour()
        server = self

        class Handler(BaseHTTPRequestHandler):
            def _serve(self) -> None:
                length = int(self.headers.get("Content-Length") or 0)
                body = self.rfile.read(length) if length else b""
                url = urllib.parse.urlsplit(self.path)
                query = urllib.parse.parse_qs(url.query)
                server.requests.append((self.command, self.path))
                status, headers, payload = server.dispatch(
                    self.command,
                    url.path,
                    query,
                    {k.lower(): v for k, v in self.headers.items()},
                    body,
                )
                self.send_response(status)
                for k, v in headers.items():
                    self.send_header(k, v)
                self.send_header("Content-Length", str(len(payload)))
                self.end_headers()
                self.wfile.write(payload)

            do_GET = _serve
            do_POST = _serve

            def log_message(self, *args: object) -> None:
                pass

        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.httpd.server_address[1]}"
        self.thread = threading.Thread(target=self.httpd.serve_forever, daemon=True)

    def dispatch(self, method: str, path: str, query: dict, headers: dict, body: bytes) -> Reply:
        n = len(self.requests)
        if self.bad.down_from is not None and n >= self.bad.down_from:
            return _json(503, {"error": "service unavailable"})
        if n in self.bad.blip:
            return _json(502, {"error": "bad gateway"})
        if n in self.bad.throttle:
            return self.throttled()
        return self.route(method, path, query, headers, body)

    def throttled(self) -> Reply:
        return _json(429, {"errors": [{"code": "QuotaExceeded"}]}, {"Retry-After": "0.01"})

    def __enter__(self) -> ApiServer:
        self.thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.httpd.shutdown()
        self.httpd.server_close()


# --- Shopify Admin GraphQL ---------------------------------------------------------

Selection = dict[str, "Selection | None"]


def _selection(text: str, at: int = 0) -> tuple[Selection, int]:
    """A GraphQL selection set ``{ a b { c } ... on T { d } }`` -> {name: sub or None}.

    Enough of GraphQL for our orders query: fields, nested selections, inline
    fragments (``"... on T"``); arguments (``(first: 100)``) are skipped.
    """
    tokens: Selection = {}
    last: str | None = None
    i = at
    while i < len(text):
        ch = text[i]
        if ch == "}":
            return tokens, i + 1
        if ch == "{":
            assert last is not None, text[max(0, i - 40) : i + 1]
            tokens[last], i = _selection(text, i + 1)
            continue
        if ch == "(":
            i = text.index(")", i) + 1
            continue
        if text.startswith("...", i):
            j = text.index("{", i)
            last = " ".join(text[i:j].split())  # "... on CardPaymentDetails"
            i = j
            continue
        if ch.isalnum() or ch == "_":
            j = i
            while j < len(text) and (text[j].isalnum() or text[j] == "_"):
                j += 1
            last = text[i:j]
            tokens[last] = None
            i = j
            continue
        i += 1
    return tokens, i


def _transactions_selection(query: str) -> Selection | None:
    """What the query asks of ``Order.transactions`` (None: it does not ask for them)."""
    at = query.find("transactions")
    if at < 0:
        return None
    return _selection(query, query.index("{", at) + 1)[0]


def _project(value: Any, sel: Selection | None) -> Any:
    """``value`` as the API answers a selection: requested fields only, null when unset.

    A union value (``paymentDetails``) keeps its ``__typename`` in the store; an inline
    fragment on another type selects nothing from it, so it comes back as ``{}``.
    """
    if sel is None or value is None:
        return value
    if isinstance(value, list):
        return [_project(v, sel) for v in value]
    out: dict[str, Any] = {}
    for name, sub in sel.items():
        if name.startswith("... on "):
            if value.get("__typename", "CardPaymentDetails") == name[len("... on ") :]:
                out.update(_project(value, sub))
            continue
        out[name] = _project(value.get(name), sub)
    return out


class ShopifyServer(ApiServer):
    """``POST /admin/api/<v>/graphql.json`` answering the orders query."""

    TOKEN = "shpat_test_token"

    def __init__(self) -> None:
        self.orders: dict[str, dict[str, Any]] = {}
        super().__init__(self._route)

    def put(self, node: dict[str, Any]) -> None:
        self.orders[node["id"]] = node

    def throttled(self) -> Reply:
        # Shopify answers 200 with a THROTTLED error and the bucket state.
        return _json(
            200,
            {
                "errors": [{"message": "Throttled", "extensions": {"code": "THROTTLED"}}],
                "extensions": {
                    "cost": {
                        "requestedQueryCost": 50,
                        "actualQueryCost": None,
                        "throttleStatus": {
                            "maximumAvailable": 1000.0,
                            "currentlyAvailable": 49.0,
                            "restoreRate": 1000.0,
                        },
                    }
                },
            },
        )

    @staticmethod
    def _answer(node: dict[str, Any], asked: Selection | None) -> dict[str, Any]:
        """The stored order as the query sees it: its ``transactions`` as asked for."""
        if "transactions" not in node:
            return node
        if asked is None:
            return {k: v for k, v in node.items() if k != "transactions"}
        return {**node, "transactions": _project(node["transactions"], asked)}

    def _route(self, method: str, path: str, query: dict, headers: dict, body: bytes) -> Reply:
        if headers.get("x-shopify-access-token") != self.TOKEN:
            return _json(401, {"errors": "[API] Invalid API key or access token"})
        if method != "POST" or not path.endswith("/graphql.json"):
            return _json(404, {"errors": "Not Found"})
        request = json.loads(body)
        variables = request["variables"]
        asked = _transactions_selection(request["query"])
        after = _t(variables["query"].split("'")[1])
        rows = sorted(
            (n for n in self.orders.values() if _t(n["updatedAt"]) > after),
            key=lambda n: (_t(n["updatedAt"]), n["id"]),
        )
        start = int(variables["after"] or 0)
        chunk = rows[start : start + variables["first"]]
        end = start + len(chunk)
        return _json(
            200,
            {
                "data": {
                    "orders": {
                        "edges": [
                            {"cursor": str(start + i + 1), "node": self._answer(n, asked)}
                            for i, n in enumerate(chunk)
                        ],
                        "pageInfo": {"hasNextPage": end < len(rows), "endCursor": str(end)},
                    }
                },
                "extensions": {
                    "cost": {
                        "requestedQueryCost": 50,
                        "actualQueryCost": 20,
                        "throttleStatus": {
                            "maximumAvailable": 1000.0,
                            "currentlyAvailable": 40.0,  # below the cost: the client must wait
                            "restoreRate": 1000.0,
                        },
                    }
                },
            },
        )


# --- WooCommerce REST v3 -------------------------------------------------------------


class WooServer(ApiServer):
    """``GET /wp-json/wc/v3/orders?modified_after=&page=&per_page=`` with X-WP-TotalPages."""

    KEY, SECRET = "ck_test", "cs_test"

    def __init__(self) -> None:
        self.orders: dict[int, dict[str, Any]] = {}
        super().__init__(self._route)

    def put(self, order: dict[str, Any]) -> None:
        self.orders[order["id"]] = order

    def _route(self, method: str, path: str, query: dict, headers: dict, body: bytes) -> Reply:
        import base64

        expected = "Basic " + base64.b64encode(f"{self.KEY}:{self.SECRET}".encode()).decode()
        if headers.get("authorization") != expected:
            return _json(
                401,
                {
                    "code": "woocommerce_rest_cannot_view",
                    "message": "Sorry, you cannot list resources.",
                    "data": {"status": 401},
                },
            )
        if path != "/wp-json/wc/v3/orders":
            return _json(
                404, {"code": "rest_no_route", "message": "No route", "data": {"status": 404}}
            )
        after = _t(query["modified_after"][0])
        per_page = int(query.get("per_page", ["10"])[0])
        page = int(query.get("page", ["1"])[0])
        rows = sorted(
            (o for o in self.orders.values() if _t(o["date_modified_gmt"]) > after),
            key=lambda o: (_t(o["date_modified_gmt"]), o["id"]),
        )
        pages = max(1, -(-len(rows) // per_page))
        chunk = rows[(page - 1) * per_page : page * per_page]
        return _json(200, chunk, {"X-WP-Total": str(len(rows)), "X-WP-TotalPages": str(pages)})


# --- Amazon SP-API Orders v0 + LWA ---------------------------------------------------


class AmazonServer(ApiServer):
    """LWA ``POST /auth/o2/token`` and ``/orders/v0/orders[/<id>/orderItems]``."""

    CLIENT_ID, CLIENT_SECRET, REFRESH = "amzn1.client", "secret", "Atzr|refresh"
    ACCESS = "Atza|access"
    RDT = "Atz.sprdt|restricted"
    #: What getOrders keeps of a ShippingAddress without a Restricted Data Token.
    PUBLIC_ADDRESS = ("City", "StateOrRegion", "PostalCode", "CountryCode")

    def __init__(self) -> None:
        self.orders: dict[str, dict[str, Any]] = {}
        self.items: dict[str, dict[str, Any]] = {}
        self.page_size = 2
        self.token_requests = 0
        self.rdt_requests = 0
        self.pii_role = True  # the app holds the restricted roles (RDT granted)
        super().__init__(self._route)

    def _restricted_token(self, body: bytes) -> Reply:
        self.rdt_requests += 1
        if not self.pii_role:
            return _json(
                403,
                {
                    "errors": [
                        {
                            "code": "Unauthorized",
                            "message": "Application does not have access to one or more "
                            "requested data elements",
                        }
                    ]
                },
            )
        resources = json.loads(body or b"{}").get("restrictedResources") or []
        if not any(r.get("path") == "/orders/v0/orders" for r in resources):
            return _json(400, {"errors": [{"code": "InvalidInput", "message": "bad resource"}]})
        return _json(200, {"restrictedDataToken": self.RDT, "expiresIn": 3600})

    def _without_pii(self, order: dict[str, Any]) -> dict[str, Any]:
        """getOrders with a plain LWA token: no buyer data, a city-level address."""
        public = {k: v for k, v in order.items() if k != "BuyerInfo"}
        if isinstance(order.get("ShippingAddress"), dict):
            public["ShippingAddress"] = {
                k: v for k, v in order["ShippingAddress"].items() if k in self.PUBLIC_ADDRESS
            }
        return public

    def put(self, order: dict[str, Any], items: dict[str, Any]) -> None:
        self.orders[order["AmazonOrderId"]] = order
        self.items[order["AmazonOrderId"]] = items

    def throttled(self) -> Reply:
        return _json(
            429,
            {"errors": [{"code": "QuotaExceeded", "message": "You exceeded your quota"}]},
            {"x-amzn-RateLimit-Limit": "100.0"},  # requests/second: the client waits 1/100 s
        )

    def _route(self, method: str, path: str, query: dict, headers: dict, body: bytes) -> Reply:
        if path == "/auth/o2/token":
            form = urllib.parse.parse_qs(body.decode())
            self.token_requests += 1
            if form.get("client_secret") != [self.CLIENT_SECRET] or form.get("refresh_token") != [
                self.REFRESH
            ]:
                return _json(401, {"error": "invalid_client", "error_description": "bad client"})
            return _json(
                200, {"access_token": self.ACCESS, "token_type": "bearer", "expires_in": 3600}
            )
        token = headers.get("x-amz-access-token")
        if path == "/tokens/2021-03-01/restrictedDataToken" and token == self.ACCESS:
            return self._restricted_token(body)
        restricted = token == self.RDT and path == "/orders/v0/orders"
        if token != self.ACCESS and not restricted:
            return _json(
                403,
                {
                    "errors": [
                        {
                            "code": "Unauthorized",
                            "message": "Access to requested resource is denied.",
                        }
                    ]
                },
            )
        if path == "/orders/v0/orders":
            if "NextToken" in query:
                after_text, start_text = query["NextToken"][0].split("|")
                start = int(start_text)
            else:
                after_text, start = query["LastUpdatedAfter"][0], 0
                if _t(after_text) > datetime.now(UTC):
                    return _json(
                        400,
                        {
                            "errors": [
                                {
                                    "code": "InvalidInput",
                                    "message": "LastUpdatedAfter is in the future",
                                }
                            ]
                        },
                    )
            after = _t(after_text)
            rows = sorted(
                (o for o in self.orders.values() if _t(o["LastUpdateDate"]) > after),
                key=lambda o: (_t(o["LastUpdateDate"]), o["AmazonOrderId"]),
            )
            chunk = rows[start : start + self.page_size]
            if not restricted:
                chunk = [self._without_pii(o) for o in chunk]
            payload: dict[str, Any] = {"Orders": chunk, "LastUpdatedBefore": "2099-01-01T00:00:00Z"}
            if start + self.page_size < len(rows):
                payload["NextToken"] = f"{after_text}|{start + self.page_size}"
            return _json(200, {"payload": payload}, {"x-amzn-RateLimit-Limit": "0.0167"})
        parts = path.split("/")
        if len(parts) == 6 and parts[5] == "orderItems" and parts[4] in self.items:
            return _json(200, self.items[parts[4]], {"x-amzn-RateLimit-Limit": "0.5"})
        return _json(404, {"errors": [{"code": "NotFound", "message": "not found"}]})
