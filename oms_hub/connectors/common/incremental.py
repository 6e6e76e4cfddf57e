"""Incremental sync of an "updated since" API, resumable page by page.

The state lives in the landing manifest as one JSON cursor per source and stream:

* ``since`` - high-water mark (the newest source update time seen by the last complete
  sync); the next sync asks for records updated after ``since - lookback``, so records
  updated while a sync was running, or with clocks slightly apart, are fetched again
  (the version rule keeps the newest, re-fetched copies are superseded);
* ``window_start``, ``page``, ``max_seen`` - the sync in progress: after each landed
  page the position of the next one is saved, so a sync that is interrupted (crash,
  5xx storm, kill) resumes at the page it had not landed yet.

The high-water mark is the *source's* clock (the newest ``updated_at`` in the pages),
never the local clock, so skew between the machines cannot skip records.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from dataclasses import asdict, dataclass, replace
from datetime import UTC, datetime, timedelta
from typing import Any

from oms_hub.connectors.common.http import RetryPolicy
from oms_hub.connectors.common.settings import SyncWindow
from oms_hub.home import Home
from oms_hub.storage.manifest import LandingManifest


@dataclass
class SyncState:
    """What the manifest remembers between syncs (see the module docstring)."""

    since: str | None = None
    window_start: str | None = None
    page: str | None = None
    max_seen: str | None = None

    @property
    def in_progress(self) -> bool:
        """Is there an interrupted sync to resume?"""
        return self.window_start is not None


@dataclass(frozen=True)
class Page:
    """One fetched page: its raw bytes, the next page's cursor, its newest update time.

    ``extra`` are documents fetched for this page (Amazon's getOrderItems per order),
    ``(name, bytes)``; they land with it.
    """

    body: bytes
    next_page: str | None
    newest: datetime | None
    records: int
    extra: tuple[tuple[str, bytes], ...] = ()


@dataclass(frozen=True)
class SyncReport:
    """What a sync did (metadata for the Dagster asset; no secrets)."""

    source: str
    pages: int
    records: int
    files: list[str]
    window_start: str
    since: str | None
    resumed: bool
    waits: int  # back-off / throttle waits of the client so far
    notes: tuple[str, ...] = ()  # what the operator should know (e.g. data the API withheld)

    def as_dict(self) -> dict[str, Any]:
        """JSON-friendly."""
        d = asdict(self)
        d["files"] = len(self.files)
        d["notes"] = list(self.notes)
        return d


def utc_iso(t: datetime) -> str:
    """'2026-10-01T12:00:00Z' (seconds precision, UTC)."""
    return t.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def parse_iso(text: str) -> datetime:
    """An ISO time (``Z`` or offset; naive = UTC) as an aware UTC datetime."""
    t = datetime.fromisoformat(text)
    return (t if t.tzinfo else t.replace(tzinfo=UTC)).astimezone(UTC)


class IncrementalSync:
    """Drive ``fetch(window_start, page_cursor) -> Page`` until the last page.

    ``fetch`` does the HTTP (with its retries and throttling); this class owns the
    cursor discipline and the landing of every page as received.
    """

    def __init__(
        self,
        home: Home,
        *,
        source: str,
        stream: str,
        lookback: timedelta,
        initial_since: datetime,
        clamp: Callable[[datetime], datetime] = lambda t: t,
    ) -> None:
        self.manifest = LandingManifest(home)
        self.source = source
        self.stream = stream
        self.lookback = lookback
        self.initial_since = initial_since
        self.clamp = clamp

    def state(self) -> SyncState:
        """The saved state (empty before the first sync)."""
        raw = self.manifest.get_cursor(self.source, self.stream)
        return SyncState(**json.loads(raw)) if raw else SyncState()

    def _save(self, state: SyncState) -> None:
        self.manifest.set_cursor(self.source, self.stream, json.dumps(asdict(state)))

    def run(
        self, fetch: Callable[[datetime, str | None], Page], *, max_pages: int | None = None
    ) -> SyncReport:
        """Fetch and land pages; move the cursor only past what has landed.

        ``max_pages`` stops early, leaving the sync resumable (used to bound a run).
        """
        state = self.state()
        resumed = state.in_progress
        if not resumed:
            since = parse_iso(state.since) if state.since else self.initial_since
            state.window_start = utc_iso(self.clamp(since - self.lookback))
            state.page = None
            state.max_seen = state.since
        window_start = parse_iso(state.window_start)  # type: ignore[arg-type]
        stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%S%fZ")
        files: list[str] = []
        records = 0
        for n in _count():
            if max_pages is not None and n > max_pages:
                return self._report(state, files, records, resumed, done=False)
            page = fetch(window_start, state.page)
            for name, body in page.extra:
                extra = self.manifest.land_bytes(self.source, f"{name}-{stamp}-p{n:04d}.json", body)
                files.append(extra.path)
            landed = self.manifest.land_bytes(
                self.source, f"{self.stream}-{stamp}-p{n:04d}.json", page.body
            )
            files.append(landed.path)
            records += page.records
            if page.newest is not None and (
                state.max_seen is None or page.newest > parse_iso(state.max_seen)
            ):
                state.max_seen = utc_iso(page.newest)
            state.page = page.next_page
            if page.next_page is None:
                break
            self._save(state)
        done = SyncState(since=state.max_seen or utc_iso(window_start))
        self._save(done)
        return self._report(state, files, records, resumed, done=True)

    def _report(
        self, state: SyncState, files: list[str], records: int, resumed: bool, *, done: bool
    ) -> SyncReport:
        if not done:
            self._save(state)
        return SyncReport(
            source=self.source,
            pages=len(files),
            records=records,
            files=files,
            window_start=state.window_start or "",
            since=self.state().since,
            resumed=resumed,
            waits=0,
        )


def _count() -> Iterator[int]:
    n = 1
    while True:
        yield n
        n += 1


def sync_orders(
    home: Home,
    *,
    source: str,
    window: SyncWindow,
    fetch: Callable[[datetime, str | None], Page],
    policy: RetryPolicy,
    max_pages: int | None = None,
    clamp: Callable[[datetime], datetime] = lambda t: t,
) -> SyncReport:
    """Land every ``orders`` page changed since the last sync (minus the lookback).

    The one sync every API client runs; it reports the client's back-off waits too.
    """
    sync = IncrementalSync(
        home,
        source=source,
        stream="orders",
        lookback=window.lookback,
        initial_since=window.initial_since,
        clamp=clamp,
    )
    report = sync.run(fetch, max_pages=max_pages)
    return replace(report, waits=len(policy.waits))
