"""The allocation engine: which location ships each open line, decided set-wise.

Lines are taken in priority order (order time, order id, line number). For each
strategy of the rule set in force, every line gets its candidate locations ranked once
(one vectorized distance/score matrix, ``lines x locations``). Then the engine works in
*rounds*, never line by line:

1. every unplaced line proposes to its current candidate;
2. proposals are grouped per SKU x location (and per location x day for capacity) and
   sorted by priority; a running sum says how much stock (capacity) the proposals
   before each one would use, so each proposal is accepted if what is left after its
   predecessors still covers it (this is the greedy result for the group, computed
   with cumulative sums);
3. accepted proposals consume stock; a rejected line moves to its next candidate, or
   stays put for another round if the location could still serve it (a line before
   it was rejected) so small lines are not starved by a big one ahead of them.

Rounds end when every line is placed or out of candidates; then the strategy's
``when_short`` applies (``split``: the same rounds, but each location grants what it
can; ``next``: the next strategy; ``backorder``). At most a few dozen rounds of numpy
work, whatever the number of lines.

The engine never allocates more than a location's available-to-promise: on hand minus
existing allocations minus safety stock minus the line's channel threshold.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

import numpy as np
import polars as pl

from oms_hub.allocation.rules import Rules, RuleSet, Strategy
from oms_hub.quality.contracts import contract

ALLOCATIONS = "core.allocations"
EARTH_KM = 6371.0088
#: Keys are packed into one score lexicographically in buckets of this many steps.
_BUCKETS = 1000.0
#: Distance is compared in steps of this many km, so later sort keys can break near ties.
DISTANCE_STEP_KM = 5.0
MAX_ROUNDS = 500

LINE_COLUMNS = {
    "order_id": pl.String,
    "line_number": pl.Int32,
    "sku": pl.String,
    "quantity": pl.Int32,
    "channel": pl.String,
    "ordered_at": pl.Datetime("us", "UTC"),
    "ship_to_lat": pl.Float64,
    "ship_to_lon": pl.Float64,
    "pickup_location_id": pl.String,
}


@dataclass
class _Placed:
    """Decisions collected over the rounds (parallel arrays)."""

    line: list[np.ndarray] = field(default_factory=list)
    loc: list[np.ndarray] = field(default_factory=list)
    qty: list[np.ndarray] = field(default_factory=list)
    label: list[np.ndarray] = field(default_factory=list)
    rank: list[np.ndarray] = field(default_factory=list)

    def add(self, line, loc, qty, label, rank) -> None:
        self.line.append(line)
        self.loc.append(loc)
        self.qty.append(qty)
        self.label.append(np.full(len(line), label, dtype=np.int32))
        self.rank.append(rank)


def haversine_km(lat1, lon1, lat2, lon2) -> np.ndarray:
    """Great-circle distance in km (numpy broadcasting)."""
    p1, p2 = np.radians(lat1), np.radians(lat2)
    dphi = p2 - p1
    dlmb = np.radians(lon2) - np.radians(lon1)
    a = np.sin(dphi / 2) ** 2 + np.cos(p1) * np.cos(p2) * np.sin(dlmb / 2) ** 2
    return 2 * EARTH_KM * np.arcsin(np.sqrt(np.clip(a, 0, 1)))


class _World:
    """Dense arrays for one allocation run: locations, stock and capacity."""

    def __init__(
        self,
        lines: pl.DataFrame,
        stock: pl.DataFrame,
        locations: pl.DataFrame,
        rules: Rules,
    ) -> None:
        self.loc_ids = locations["location_id"].to_list()
        self.n_loc = len(self.loc_ids)
        loc_index = {loc: i for i, loc in enumerate(self.loc_ids)}
        self.lat = locations["lat"].to_numpy().astype(np.float64)
        self.lon = locations["lon"].to_numpy().astype(np.float64)
        self.kind = locations["kind"].to_numpy()
        self.ships = locations["ships_online"].to_numpy().astype(bool)
        attrs = [rules.locations.get(loc) for loc in self.loc_ids]
        self.priority = np.array([a.priority if a else 100 for a in attrs], dtype=np.float64)
        self.cost = np.array([a.cost_per_unit if a else 5.0 for a in attrs], dtype=np.float64)
        self.capacity = np.array(
            [a.capacity_per_day if a and a.capacity_per_day else 0 for a in attrs], dtype=np.int64
        )

        skus = pl.concat([lines["sku"], stock["sku"]]).unique().sort()
        self.skus = skus
        sku_ix = pl.DataFrame({"sku": skus, "_s": pl.int_range(len(skus), eager=True)})
        s = stock.join(sku_ix, on="sku").with_columns(
            pl.col("location_id").replace_strict(loc_index, default=-1).alias("_l")
        )
        s = s.filter(pl.col("_l") >= 0)
        self.avail = np.zeros(len(skus) * self.n_loc, dtype=np.int64)
        np.add.at(
            self.avail,
            s["_s"].to_numpy() * self.n_loc + s["_l"].to_numpy(),
            s["available"].to_numpy().astype(np.int64),
        )
        self.initial = self.avail.copy()
        self.sku_ix = sku_ix
        self.loc_index = loc_index
        #: Units each location already took per day (``location * n_days + day``), for
        #: capacity rules; sized by ``allocate`` once the order days are known.
        self.n_days = 1
        self.used = np.zeros(self.n_loc, dtype=np.int64)


def _prepare_lines(lines: pl.DataFrame, world: _World, rules: Rules) -> pl.DataFrame:
    thresholds = {c: rules.channel_thresholds.get(c, 0) for c in rules.channel_thresholds}
    return (
        lines.sort("ordered_at", "order_id", "line_number")
        .join(world.sku_ix, on="sku", how="left")
        .with_columns(
            pl.col("channel")
            .replace_strict(thresholds, default=0, return_dtype=pl.Int64)
            .alias("_thr"),
            pl.col("pickup_location_id")
            .replace_strict(world.loc_index, default=-1, return_dtype=pl.Int64)
            .alias("_pickup"),
            (pl.col("ordered_at").dt.date().cast(pl.Int32)).alias("_day"),
        )
        .with_row_index("_line")
    )


def _scores(world: _World, strategy: Strategy, lat: np.ndarray, lon: np.ndarray, sku: np.ndarray):
    """Candidate order per line (``lines x locations``), number of valid candidates, km."""
    f = strategy.filters
    eligible = np.isin(world.kind, list(f.kind))
    if f.ships_online is not None:
        eligible &= world.ships == f.ships_online
    if f.locations is not None:
        eligible &= np.isin(np.array(world.loc_ids), list(f.locations))
    km = haversine_km(lat[:, None], lon[:, None], world.lat[None, :], world.lon[None, :])
    km = np.where(np.isnan(km), 0.0, km)
    score = np.zeros(km.shape, dtype=np.float64)
    for key in strategy.sort:
        if key == "distance":
            part = np.minimum(np.floor(km / DISTANCE_STEP_KM), _BUCKETS - 1)
        elif key == "stock_balance":  # most stock first
            stock = world.initial.reshape(-1, world.n_loc)[sku]
            top = max(float(stock.max()) if stock.size else 1.0, 1.0)
            part = _BUCKETS - 1 - np.clip(np.floor(stock / top * (_BUCKETS - 1)), 0, _BUCKETS - 1)
        elif key == "cost":
            top = max(float(world.cost.max()), 1e-9)
            part = np.broadcast_to(np.floor(world.cost / top * (_BUCKETS - 1)), km.shape)
        else:  # priority
            part = np.broadcast_to(np.clip(world.priority, 0, _BUCKETS - 1), km.shape)
        score = score * _BUCKETS + part
    bad = np.broadcast_to(~eligible[None, :], km.shape).copy()
    if f.max_distance_km is not None:
        bad |= km > f.max_distance_km
    score = np.where(bad, np.inf, score)
    order = np.argsort(score, axis=1, kind="stable").astype(np.int16)
    valid = np.isfinite(score).sum(axis=1)
    return order, valid, km


def _group_cumsum(keys: np.ndarray, values: np.ndarray) -> np.ndarray:
    """Sum of ``values`` before each element within its run of equal ``keys`` (sorted)."""
    total = np.cumsum(values) - values
    starts = np.r_[True, keys[1:] != keys[:-1]]
    base = np.maximum.accumulate(np.where(starts, total, 0))
    return total - base


def _capacity_left(world: _World, cap: np.ndarray, loc: np.ndarray, day: np.ndarray) -> np.ndarray:
    """Units each (location, day) may still ship (a large number where uncapped)."""
    taken = world.used[loc * world.n_days + day]
    return np.where(cap[loc] > 0, cap[loc] - taken, np.iinfo(np.int64).max // 4)


def _consume_capacity(world: _World, loc: np.ndarray, day: np.ndarray, qty: np.ndarray) -> None:
    world.used += np.bincount(
        loc * world.n_days + day, weights=qty, minlength=len(world.used)
    ).astype(np.int64)


def _skip_hopeless(
    world: _World,
    active: np.ndarray,
    ptr: np.ndarray,
    *,
    order,
    valid: np.ndarray,
    sku: np.ndarray,
    rem: np.ndarray,
    thr: np.ndarray,
    day: np.ndarray,
    min_available: int,
    capacity: np.ndarray,
    split: bool,
) -> np.ndarray:
    """Move pointers past candidates that cannot serve the line even with no competitor.

    Stock and capacity only go down during a run, so such a candidate can never accept
    the line later either. Skipping it saves rounds, and keeps a proposal that cannot win
    out of the running sums where it would crowd out the lines behind it.
    """
    for _ in range(world.n_loc):
        if len(active) == 0:
            break
        cur = order[active, ptr[active]].astype(np.int64)
        need = (
            np.full(len(active), min_available) if split else np.maximum(rem[active], min_available)
        )
        stock_ok = world.avail[sku[active] * world.n_loc + cur] - thr[active] >= need
        cap_need = 1 if split else rem[active]
        cap_ok = _capacity_left(world, capacity, cur, day[active]) >= cap_need
        hopeless = ~(stock_ok & cap_ok)
        if not hopeless.any():
            break
        ptr[active[hopeless]] += 1
        active = active[ptr[active] < valid[active]]
    return active


def _run_strategy(
    world: _World,
    *,
    lines: np.ndarray,
    sku: np.ndarray,
    rem: np.ndarray,
    thr: np.ndarray,
    day: np.ndarray,
    order: np.ndarray,
    valid: np.ndarray,
    min_available: int,
    capacity: np.ndarray,
    split: bool,
    placed: _Placed,
    label: int,
) -> None:
    """Rounds of proposals for the given lines (indices into the run's line arrays).

    ``rem`` (remaining units per line of the run) is updated in place.
    """
    active = lines[rem[lines] > 0]
    ptr = np.zeros(len(rem), dtype=np.int64)
    n_loc = world.n_loc
    for _ in range(MAX_ROUNDS):
        active = active[(rem[active] > 0) & (ptr[active] < valid[active])]
        active = _skip_hopeless(
            world,
            active,
            ptr,
            order=order,
            valid=valid,
            sku=sku,
            rem=rem,
            thr=thr,
            day=day,
            min_available=min_available,
            capacity=capacity,
            split=split,
        )
        if len(active) == 0:
            return
        cand = order[active, ptr[active]].astype(np.int64)
        key = sku[active].astype(np.int64) * n_loc + cand
        o = np.lexsort((active, key))
        a, k, c = active[o], key[o], cand[o]
        q = rem[a]
        before = world.avail[k] - thr[a] - _group_cumsum(k, q)
        qualifies = before >= min_available
        if split:
            grant = np.where(qualifies, np.clip(before, 0, q), 0)
        else:
            grant = np.where(qualifies & (before >= q), q, 0)
        # Capacity per location x day, over what stock allows, in priority order.
        d = day[a]
        ck = c * world.n_days + d
        o2 = np.lexsort((a, ck))
        inv2 = np.empty_like(o2)
        inv2[o2] = np.arange(len(o2))
        cap_left = _capacity_left(world, capacity, c, d)
        cap_before = cap_left[o2] - _group_cumsum(ck[o2], grant[o2])
        cap_ok = cap_before[inv2]
        if split:
            grant = np.minimum(grant, np.clip(cap_ok, 0, None))
        else:
            grant = np.where(cap_ok >= grant, grant, 0)
        took = grant > 0
        if took.any():
            # bincount, not ufunc.at (much slower); counts stay far below 2**53.
            world.avail -= np.bincount(
                k[took], weights=grant[took], minlength=len(world.avail)
            ).astype(np.int64)
            _consume_capacity(world, c[took], d[took], grant[took])
            rem[a[took]] -= grant[took]
            placed.add(a[took], c[took], grant[took], label, ptr[a[took]])
        if split:
            ptr[a] += 1
            continue
        # Whole lines: a rejected line retries here only if what is left could serve it.
        left = world.avail[k] - thr[a]
        retry = (
            ~took
            & (left >= np.maximum(q, min_available))
            & (_capacity_left(world, capacity, c, d) >= q)
        )
        ptr[a[~took & ~retry]] += 1


def allocate(
    lines: pl.DataFrame,
    stock: pl.DataFrame,
    locations: pl.DataFrame,
    rules: Rules,
    *,
    as_of: datetime,
) -> pl.DataFrame:
    """Allocate open ``lines`` against ``stock`` under ``rules``; return core.allocations.

    ``lines`` has the columns of ``LINE_COLUMNS`` (ship-to coordinates may be null: the
    distance is then unknown and ranks as 0); ``stock`` has ``sku, location_id,
    available`` = on hand - existing allocations - safety stock (channel thresholds are
    applied per line here); ``locations`` is core.locations.
    """
    if lines.is_empty():
        return contract(ALLOCATIONS).empty()
    lines = lines.select([pl.col(n).cast(t) for n, t in LINE_COLUMNS.items()])
    world = _World(lines, stock, locations, rules)
    prepared = _prepare_lines(lines, world, rules)
    n = prepared.height
    sku = prepared["_s"].fill_null(-1).to_numpy().astype(np.int64)
    rem = prepared["quantity"].to_numpy().astype(np.int64).copy()
    thr = prepared["_thr"].to_numpy().astype(np.int64)
    day = prepared["_day"].to_numpy().astype(np.int64)
    day = day - day.min()
    world.n_days = int(day.max()) + 1
    world.used = np.zeros(world.n_loc * world.n_days, dtype=np.int64)
    lat = prepared["ship_to_lat"].fill_null(np.nan).to_numpy().astype(np.float64)
    lon = prepared["ship_to_lon"].fill_null(np.nan).to_numpy().astype(np.float64)
    pickup = prepared["_pickup"].to_numpy()
    channel = prepared["channel"].to_numpy()
    is_pickup = prepared["pickup_location_id"].is_not_null().to_numpy()
    order_day = prepared["ordered_at"].dt.date()
    placed = _Placed()
    labels: list[str] = []
    reasons: list[str] = []

    known = sku >= 0  # a SKU nobody stocks is backordered
    sku_safe = np.where(known, sku, 0)
    set_of_line = np.full(n, -1, dtype=np.int64)
    for i, rule_set in enumerate(rules.rule_sets):
        set_of_line[(order_day >= rule_set.effective_from).to_numpy()] = i

    # Pickup in store: that store only, whole or backordered.
    pick = np.flatnonzero(is_pickup & known & (pickup >= 0))
    if len(pick):
        label = len(labels)
        labels.append(f"{rules.version}/pickup")
        reasons.append("pickup in store: allocated to the customer's store")
        order = pickup[pick][:, None].astype(np.int16)
        big_order = np.zeros((n, 1), dtype=np.int16)
        big_order[pick] = order
        valid = np.zeros(n, dtype=np.int64)
        valid[pick] = 1
        _run_strategy(
            world,
            lines=pick,
            sku=sku_safe,
            rem=rem,
            thr=thr,
            day=day,
            order=big_order,
            valid=valid,
            min_available=1,
            capacity=np.zeros(world.n_loc, dtype=np.int64),
            split=False,
            placed=placed,
            label=label,
        )

    for i, rule_set in enumerate(rules.rule_sets):
        members = np.flatnonzero((set_of_line == i) & ~is_pickup & known)
        if len(members) == 0:
            continue
        _run_rule_set(
            world,
            rule_set,
            rules,
            members,
            sku_safe,
            rem,
            thr,
            day,
            lat,
            lon,
            channel,
            placed,
            labels,
            reasons,
        )
    return _assemble(
        prepared,
        world,
        placed,
        labels,
        reasons,
        rem,
        set_of_line,
        is_pickup,
        rules,
        as_of,
        lat,
        lon,
    )


def _run_rule_set(
    world: _World,
    rule_set: RuleSet,
    rules: Rules,
    members: np.ndarray,
    sku: np.ndarray,
    rem: np.ndarray,
    thr: np.ndarray,
    day: np.ndarray,
    lat: np.ndarray,
    lon: np.ndarray,
    channel: np.ndarray,
    placed: _Placed,
    labels: list[str],
    reasons: list[str],
) -> None:
    n = len(rem)
    for strategy in rule_set.strategies:
        members = members[rem[members] > 0]
        if len(members) == 0:
            return
        served = members
        if strategy.channels is not None:
            served = members[np.isin(channel[members], list(strategy.channels))]
            if len(served) == 0:
                continue
        sub_order, sub_valid, _ = _scores(world, strategy, lat[served], lon[served], sku[served])
        order = _Remap(served, sub_order)
        valid = np.zeros(n, dtype=np.int64)
        valid[served] = sub_valid
        f = strategy.filters
        capacity = world.capacity.copy()
        if f.capacity_per_day is not None:  # the strategy's cap for the kinds it uses
            capacity[np.isin(world.kind, list(f.kind))] = f.capacity_per_day
        desc = _describe(strategy)
        passes = [(False, desc)]
        if strategy.when_short == "split":
            passes.append((True, desc + "; split: no single location had the whole line"))
        for split, reason in passes:
            label = len(labels)
            labels.append(f"{rules.version}/{rule_set.name}/{strategy.name}")
            reasons.append(reason)
            _run_strategy(
                world,
                lines=served,
                sku=sku,
                rem=rem,
                thr=thr,
                day=day,
                order=order,
                valid=valid,
                min_available=f.min_available,
                capacity=capacity,
                split=split,
                placed=placed,
                label=label,
            )
        if strategy.when_short == "backorder":  # the rest of these lines waits
            members = np.setdiff1d(members, served, assume_unique=True)


class _Remap:
    """``order[line, j]`` for a candidate matrix stored only for member lines."""

    def __init__(self, members: np.ndarray, sub: np.ndarray) -> None:
        self.pos = np.full(int(members.max()) + 1, -1, dtype=np.int64)
        self.pos[members] = np.arange(len(members))
        self.sub = sub

    def __getitem__(self, index):
        rows, cols = index
        return self.sub[self.pos[rows], cols]


def _describe(strategy: Strategy) -> str:
    f = strategy.filters
    parts = [f"kind={'/'.join(f.kind)}"]
    if f.ships_online is not None:
        parts.append(f"ships_online={str(f.ships_online).lower()}")
    parts.append(f"min_available={f.min_available}")
    if f.capacity_per_day:
        parts.append(f"capacity_per_day={f.capacity_per_day}")
    if f.max_distance_km:
        parts.append(f"max_distance_km={f.max_distance_km:g}")
    return f"{strategy.name}: {' '.join(parts)}; sorted by {', '.join(strategy.sort)}"


def _assemble(
    prepared: pl.DataFrame,
    world: _World,
    placed: _Placed,
    labels: list[str],
    reasons: list[str],
    rem: np.ndarray,
    set_of_line: np.ndarray,
    is_pickup: np.ndarray,
    rules: Rules,
    as_of: datetime,
    lat: np.ndarray,
    lon: np.ndarray,
) -> pl.DataFrame:
    def cat(parts, dtype):
        return np.concatenate(parts).astype(dtype) if parts else np.zeros(0, dtype=dtype)

    line = cat(placed.line, np.int64)
    loc = cat(placed.loc, np.int64)
    got = pl.DataFrame(
        {
            "_line": line,
            "_loc": loc,
            "quantity": cat(placed.qty, np.int64),
            "_label": cat(placed.label, np.int64),
            "_rank": cat(placed.rank, np.int64),
            "distance_km": haversine_km(lat[line], lon[line], world.lat[loc], world.lon[loc]),
        }
    )
    got = (
        got.with_columns(pl.col("distance_km").fill_nan(None))
        .group_by("_line", "_loc", "_label", maintain_order=True)
        .agg(pl.col("quantity").sum(), pl.col("_rank").first(), pl.col("distance_km").first())
    )
    short = np.flatnonzero(rem > 0)
    back = pl.DataFrame(
        {"_line": short.astype(np.int64), "quantity": rem[short].astype(np.int64)}
    ).with_columns(
        pl.Series("_pickup", is_pickup[short]),
        pl.Series("_set", set_of_line[short]),
    )
    set_names_s = pl.Series([f"{rules.version}/{r.name}" for r in rules.rule_sets] or ["-"])
    back = back.with_columns(
        pl.when(pl.col("_pickup"))
        .then(pl.lit(f"{rules.version}/pickup"))
        .when(pl.col("_set") < 0)
        .then(pl.lit(f"{rules.version}/none"))
        .otherwise(
            pl.col("_set").replace_strict(
                list(range(len(set_names_s))), set_names_s.to_list(), default="-"
            )
        )
        .alias("rule"),
        pl.when(pl.col("_pickup"))
        .then(pl.lit("backordered: the pickup store has not enough available to promise"))
        .when(pl.col("_set") < 0)
        .then(pl.lit("backordered: no rule set in force on the order day"))
        .otherwise(pl.lit("backordered: no location passing the filters has it available"))
        .alias("reason"),
        pl.lit(None, pl.String).alias("location_id"),
        pl.lit(None, pl.Float64).alias("distance_km"),
    )
    label_s = pl.Series(labels or ["-"])
    reason_s = pl.Series(reasons or ["-"])
    loc_s = pl.Series(world.loc_ids)
    placed_rows = got.with_columns(
        pl.col("_label").replace_strict(list(range(len(label_s))), label_s.to_list()).alias("rule"),
        pl.format(
            "{}; choice {} of the candidates",
            pl.col("_label").replace_strict(list(range(len(reason_s))), reason_s.to_list()),
            pl.col("_rank") + 1,
        ).alias("reason"),
        pl.col("_loc")
        .replace_strict(list(range(len(loc_s))), loc_s.to_list())
        .alias("location_id"),
    )
    cols = ["_line", "location_id", "quantity", "rule", "reason", "distance_km"]
    rows = pl.concat([placed_rows.select(cols), back.select(cols)])
    keys = prepared.select("_line", "order_id", "line_number", "sku")
    out = (
        rows.join(keys, on="_line")
        .with_columns(pl.len().over("_line").alias("_parts"))
        .with_columns(
            pl.when(pl.col("location_id").is_null())
            .then(pl.lit("backordered"))
            .when(pl.col("_parts") > 1)
            .then(pl.lit("split"))
            .otherwise(pl.lit("allocated"))
            .alias("status"),
            pl.lit(as_of).cast(pl.Datetime("us", "UTC")).alias("allocated_at"),
        )
        .sort("_line", pl.col("location_id").is_null(), "location_id")
    )
    return contract(ALLOCATIONS).conform(out)
