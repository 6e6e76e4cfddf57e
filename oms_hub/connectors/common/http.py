"""A small HTTP client for the API connectors: retries, throttling, clear failures.

Stdlib ``urllib`` only. What every API connector needs from its transport:

* 5xx and connection errors are retried with exponential back-off, then fail loudly
  (``TransportError``) - the caller has not moved its cursor, so nothing is lost;
* 429 is honoured: ``Retry-After`` if present, else the caller's hint (e.g. the
  ``x-amzn-RateLimit-Limit`` requests-per-second header), else back-off;
* 401/403 stop at once (``AuthError``): retrying a bad credential only locks accounts.

Secrets travel in headers the caller passes; they are never put into an exception
message, a log line or the returned metadata (errors name the URL path and status only).
"""

from __future__ import annotations

import json
import time
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any


class ConnectorError(RuntimeError):
    """A sync stopped; the message says why in one line, without secrets."""


class AuthError(ConnectorError):
    """The API refused the credentials (401/403): fix configuration, do not retry."""


class TransportError(ConnectorError):
    """The API kept failing (5xx, network) after the retries."""


@dataclass(frozen=True)
class Response:
    """Status, headers (lower-case names) and the raw body."""

    status: int
    headers: Mapping[str, str]
    body: bytes

    def json(self) -> Any:
        """The body decoded as JSON."""
        return json.loads(self.body)


@dataclass
class RetryPolicy:
    """How hard to try. ``sleep`` is injectable so tests can count waits."""

    attempts: int = 5
    base_delay: float = 0.5
    max_delay: float = 30.0
    timeout: float = 30.0
    sleep: Callable[[float], None] = time.sleep
    waits: list[float] = field(default_factory=list)

    def wait(self, seconds: float) -> None:
        """Sleep (capped) and remember how long, for the sync report."""
        seconds = max(0.0, min(seconds, self.max_delay))
        self.waits.append(seconds)
        self.sleep(seconds)


def _path(url: str) -> str:
    """The URL without query string (queries may hold tokens)."""
    parts = urllib.parse.urlsplit(url)
    return f"{parts.scheme}://{parts.netloc}{parts.path}"


def request(
    method: str,
    url: str,
    *,
    headers: Mapping[str, str] | None = None,
    body: bytes | None = None,
    policy: RetryPolicy,
    throttle_hint: Callable[[Response], float | None] | None = None,
) -> Response:
    """Send one request with retries; return the first non-retryable response (2xx/4xx).

    Raises ``AuthError`` on 401/403 and ``TransportError`` when retries run out.
    """
    last = ""
    for attempt in range(policy.attempts):
        req = urllib.request.Request(url, data=body, method=method, headers=dict(headers or {}))
        try:
            with urllib.request.urlopen(req, timeout=policy.timeout) as resp:
                return Response(
                    resp.status, {k.lower(): v for k, v in resp.headers.items()}, resp.read()
                )
        except urllib.error.HTTPError as error:
            resp = Response(
                error.code, {k.lower(): v for k, v in error.headers.items()}, error.read()
            )
        except (urllib.error.URLError, TimeoutError, ConnectionError) as error:
            reason = getattr(error, "reason", error)
            last = f"network error ({type(reason).__name__})"
            policy.wait(policy.base_delay * 2**attempt)
            continue
        if resp.status in (401, 403):
            raise AuthError(
                f"{method} {_path(url)} was refused with HTTP {resp.status}: "
                "check the connector's credentials (environment variables)"
            )
        if resp.status == 429:
            last = "HTTP 429 (throttled)"
            hint = _retry_after(resp) or (throttle_hint(resp) if throttle_hint else None)
            policy.wait(hint if hint is not None else policy.base_delay * 2**attempt)
            continue
        if resp.status >= 500:
            last = f"HTTP {resp.status}"
            policy.wait(policy.base_delay * 2**attempt)
            continue
        return resp
    raise TransportError(
        f"{method} {_path(url)} failed after {policy.attempts} attempts (last: {last}); "
        "the cursor was not moved, the next sync resumes here"
    )


def _retry_after(resp: Response) -> float | None:
    value = resp.headers.get("retry-after")
    try:
        return float(value) if value is not None else None
    except ValueError:
        return None


def with_query(url: str, params: Mapping[str, Any]) -> str:
    """``url?k=v&...`` with proper escaping (values None are left out)."""
    query = urllib.parse.urlencode({k: v for k, v in params.items() if v is not None}, doseq=True)
    return f"{url}?{query}" if query else url
