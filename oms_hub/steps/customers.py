"""Steps: resolve every channel's identities into customers; build the customer 360.

``build_customers`` reads the identity feeds (``oms_hub.identity.feeds``), compares them
with the previous run's state (``state/identity/``) and runs only what is needed:
nothing when no identity changed, an incremental resolution when a few are new or
changed, a full one (keys kept stable against the previous run) otherwise. It writes
core.customers, core.customer_xref and appends merges/splits to
core.customer_key_events.

``build_customer_360`` joins core.orders to core.customer_xref by (source, the order's
identity: ``identity.feeds.order_identity``) rather than trusting
core.orders.customer_key: the conform fills that key as of its run, and a later merge
of customers reaches an order's day only when the day is conformed again.
"""

from __future__ import annotations

import datetime as dt
import time
from typing import Any

import polars as pl

from oms_hub.home import Home
from oms_hub.identity import IdentityState, load_config, resolve, resolve_incremental
from oms_hub.identity.feeds import active_feeds, order_identity
from oms_hub.identity.resolve import Resolution
from oms_hub.identity.standardize import SOURCE_COLUMNS, ensure_columns
from oms_hub.quality.contracts import CHANNELS, MONEY_DTYPE, contract
from oms_hub.sources import STREAMS
from oms_hub.steps.staging import staged_rows
from oms_hub.storage.lake import Lake

CUSTOMERS, XREF, EVENTS, C360 = (
    "core.customers",
    "core.customer_xref",
    "core.customer_key_events",
    "marts.customer_360",
)
#: Share of known identities above which a full run beats an incremental one.
INCREMENTAL_LIMIT = 0.2
#: An identity counts as changed when any of these differ (a new sighting too, so the
#: golden record's last_seen_at follows); lineage alone does not.
_VALUES = [c for c in SOURCE_COLUMNS if c not in ("landed_file", "locator")]


def collect_identities(home: Home) -> pl.DataFrame:
    """Every feed's source identities (the generic frame), one row per identity."""
    parts = []
    lake = Lake(home)
    for feed in active_feeds(STREAMS):
        staged = {name: staged_rows(home, STREAMS[name]) for name in feed.streams}
        if any(frame is None for frame in staged.values()):
            continue
        for name in feed.optional:
            if name in STREAMS and (rows := staged_rows(home, STREAMS[name])) is not None:
                staged[name] = rows
        for name in feed.tables:
            if lake.has_data(name):
                staged[name] = lake.scan(name)
        parts.append(ensure_columns(feed.extract(staged).collect()).select(*SOURCE_COLUMNS))
    if not parts:
        return ensure_columns(pl.DataFrame()).select(*SOURCE_COLUMNS)
    return pl.concat(parts).sort("source", "source_customer_id")


def _state_dir(home: Home):
    return home.state / "identity"


def build_customers(home: Home, *, run_at: dt.datetime | None = None) -> dict[str, Any]:
    """Resolve identities into customers (see module docstring); returns a summary."""
    lake = Lake(home)
    config = load_config()
    run_at = run_at or dt.datetime.now(dt.UTC)
    started = time.perf_counter()
    identities = collect_identities(home)
    seconds_feeds = time.perf_counter() - started
    state = IdentityState.load(_state_dir(home))
    mode = "full"
    if identities.height == 0:
        for name in (CUSTOMERS, XREF):
            lake.write(name, contract(name).empty())
        if not lake.has_data(EVENTS):
            lake.write(EVENTS, contract(EVENTS).empty())
        return {"identities": 0, "customers": 0, "mode": "none"}
    events = contract(EVENTS).empty()
    if state is None:
        result: Resolution | None = resolve(identities, config=config, run_at=run_at)
    else:
        # a state saved before a source column existed has it as null (so the
        # identities that now carry one count as changed, not as an error)
        known = ensure_columns(state.rows).select(_VALUES)
        changed = identities.join(known, on=_VALUES, how="anti", nulls_equal=True)
        if changed.height == 0:
            mode, result = "unchanged", None
        elif changed.height <= INCREMENTAL_LIMIT * state.rows.height:
            mode = "incremental"
            result = resolve_incremental(changed, state, config=config, run_at=run_at)
        else:
            result = resolve(identities, config=config, previous=state, run_at=run_at)
    if result is not None:
        state = result.state
        events = result.events
        state.save(_state_dir(home))
    assert state is not None
    keys = state.rows.select("source", "source_customer_id", "customer_key", "match_score")
    xref = identities.select("source", "source_customer_id", "landed_file", "locator").join(
        keys, on=["source", "source_customer_id"], how="left"
    )
    lake.write(XREF, contract(XREF).conform(xref))
    lake.write(CUSTOMERS, contract(CUSTOMERS).conform(state.customers))
    history = lake.read(EVENTS) if lake.has_data(EVENTS) else contract(EVENTS).empty()
    lake.write(
        EVENTS, contract(EVENTS).conform(pl.concat([history, events.select(history.columns)]))
    )
    stats = result.stats if result is not None else {}
    return {
        "mode": mode,
        "identities": identities.height,
        "customers": state.customers.height,
        "merges": int((events["kind"] == "merge").sum()),
        "splits": int((events["kind"] == "split").sum()),
        "seconds_feeds": round(seconds_feeds, 3),
        **{k: round(v, 3) if isinstance(v, float) else v for k, v in stats.items()},
    }


def customer_360(
    orders: pl.LazyFrame,
    returns: pl.LazyFrame,
    xref: pl.LazyFrame,
    customers: pl.LazyFrame,
) -> pl.DataFrame:
    """Per customer x currency: orders and revenue by channel, returns, first/last order.

    Pure: frames in, frame out. Orders attach to customers through
    (source, source_customer_id); returns through their order.
    """
    keyed = orders.select(
        "order_id",
        "channel",
        "source",
        # a guest checkout's identity is its order (see identity.feeds)
        order_identity().alias("source_customer_id"),
        "ordered_at",
        "currency",
        "total",
    ).join(
        xref.select("source", "source_customer_id", "customer_key"),
        on=["source", "source_customer_id"],
        how="inner",
    )
    zero = pl.lit(0, dtype=MONEY_DTYPE)
    per_channel = []
    for channel in CHANNELS:
        mine = pl.col("channel") == channel
        per_channel += [
            mine.sum().cast(pl.Int64).alias(f"orders_{channel}"),
            pl.when(mine).then(pl.col("total")).otherwise(zero).sum().alias(f"revenue_{channel}"),
        ]
    bought = keyed.group_by("customer_key", "currency").agg(
        pl.len().cast(pl.Int64).alias("orders"),
        pl.col("total").sum().alias("revenue"),
        *per_channel,
        pl.col("ordered_at").min().alias("first_order_at"),
        pl.col("ordered_at").max().alias("last_order_at"),
    )
    refunds = (
        returns.join(keyed.select("order_id", "customer_key"), on="order_id", how="inner")
        .group_by("customer_key", "currency")
        .agg(
            pl.len().cast(pl.Int64).alias("returned_lines"),
            pl.col("refund_amount").sum().alias("refunded"),
        )
    )
    out = (
        bought.join(refunds, on=["customer_key", "currency"], how="left")
        .join(customers.select("customer_key", "name"), on="customer_key", how="left")
        .with_columns(
            pl.col("returned_lines").fill_null(0),
            pl.col("refunded").fill_null(zero).cast(MONEY_DTYPE),
        )
        .with_columns(
            (pl.col("revenue") - pl.col("refunded")).cast(MONEY_DTYPE).alias("lifetime_value")
        )
        .sort("customer_key", "currency")
    )
    return out.collect()


def build_customer_360(home: Home) -> dict[str, Any]:
    """Write marts.customer_360 from the core tables."""
    lake = Lake(home)
    needed = ("core.orders", XREF, CUSTOMERS)
    if not all(lake.has_data(n) for n in needed):
        lake.write(C360, contract(C360).empty())
        return {"rows": 0}
    returns = (
        lake.scan("core.returns")
        if lake.has_data("core.returns")
        else contract("core.returns").empty().lazy()
    )
    frame = customer_360(lake.scan("core.orders"), returns, lake.scan(XREF), lake.scan(CUSTOMERS))
    frame = contract(C360).conform(frame)
    lake.write(C360, frame)
    return {
        "rows": frame.height,
        "customers": frame["customer_key"].n_unique(),
        "revenue": str(frame["revenue"].sum()),
    }
