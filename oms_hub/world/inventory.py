"""Stock of the sample world: opening balances, receipts, transfers and counts.

Written to ``landing/inventory/`` in the formats of the systems that produce them (a
stock-ledger export, supplier receipt and transfer logs, POS stock-count exports per
store, a WMS on-hand snapshot per warehouse), with the true book stock and every
injected count discrepancy (and its cause) in ``truth/``.

The writer needs the POS sales and refunds as they were written (clean rows only: the
hub never loads quarantined rows), so the POS writer hands it each day's clean
movements through a sink; POS files are unchanged by this. The EDI writer hands it the
3PL's shipments of EDI orders the same way (``take_shipments``: sales out of the DCs),
and asks it for the DCs' book stock for the 846 advice (``book_before``). Everything else draws from
the world's own inventory streams (``seeds.INVENTORY*``).

Book stock here is computed exactly as the hub must compute it: every movement strictly
before a count's time counts; a refund goes back on the shelf unless its note says
"damaged" (the hub's POS conform reads that note as the condition). The
physical stock differs from the book only by injected shrink, which the hub learns (and
posts as a count correction) at the count that reveals it.
"""

from __future__ import annotations

import datetime
import zoneinfo
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import polars as pl

from oms_hub.world import seeds
from oms_hub.world.files import write_csv
from oms_hub.world.model import Catalog
from oms_hub.world.places import LOCATIONS, STORES, WAREHOUSES

SOURCE = "inventory"
US_PER_S = 1_000_000
US_PER_DAY = 86_400 * US_PER_S

#: Causes of an injected count discrepancy (truth ``cause`` values).
CAUSES = ("unposted_return", "sale_after_count", "transfer_in_transit", "unexplained_shrink")
#: Share of first counts of a SKU x location that get each cause injected (when possible).
CAUSE_RATE = 0.03
#: Share of count rows made unreadable (quarantined by the parser).
BAD_ROW_RATE = 0.002
#: A store counts a share of the range once a week, before opening, at 08:00 local time.
STORE_COUNT_SHARE = 0.3
STORE_COUNT_HOUR = 8
#: Warehouses send a full WMS on-hand snapshot every week at 06:00 UTC.
WMS_HOUR_UTC = 6
#: How long after a count a posted refund still explains a count that was too high.
RETURN_WINDOW_US = 7 * US_PER_DAY
#: The part of the day after a count during which a sale explains a count that was too low.
SALE_WINDOW_US = 16 * 3600 * US_PER_S

_LOC_IDS = [loc.location_id for loc in LOCATIONS]
_STORE_IX = np.array([_LOC_IDS.index(s.location_id) for s in STORES], dtype=np.int32)
_DC_IX = np.array([_LOC_IDS.index(w.location_id) for w in WAREHOUSES], dtype=np.int32)
#: West of -100 degrees a store is served by DC-WEST, else by DC-EAST.
_SERVING_DC = np.array(
    [_LOC_IDS.index("DC-WEST" if s.lon < -100 else "DC-EAST") for s in STORES], dtype=np.int32
)

#: Movement kinds the writer tracks (codes in the ``kind`` column).
OPENING, RECEIPT, TRANSFER_OUT, TRANSFER_IN, SALE, REFUND, REFUND_DAMAGED = range(7)


def _epoch_us(day: datetime.date, hour: int = 0) -> int:
    moment = datetime.datetime.combine(day, datetime.time(hour), tzinfo=datetime.UTC)
    return int(moment.timestamp()) * US_PER_S


def _iso(col: str) -> pl.Expr:
    return pl.col(col).cast(pl.Datetime("us", "UTC")).dt.strftime("%Y-%m-%dT%H:%M:%SZ")


@dataclass
class InventoryStats:
    """What the inventory writer produced."""

    files: list[str] = field(default_factory=list)
    receipts: int = 0
    transfers: int = 0
    count_rows: int = 0
    discrepancies: dict[str, int] = field(default_factory=lambda: dict.fromkeys(CAUSES, 0))
    bad_rows: int = 0


class InventoryWriter:
    """Writes ``landing/inventory/`` for a world and keeps its stock ground truth."""

    def __init__(
        self,
        *,
        landing: Path,
        seed: int,
        start: datetime.date,
        days: int,
        catalog: Catalog,
        expected_daily_units: float,
    ) -> None:
        self.folder = landing / SOURCE
        self.seed = seed
        self.start = start
        self.days = days
        self.catalog = catalog
        self.stats = InventoryStats()
        self.end_us = _epoch_us(start + datetime.timedelta(days=days))
        popularity = catalog.popularity
        traffic = np.array([s.traffic for s in STORES])
        #: Expected units per day per store x SKU (stores in STORES order).
        self.store_daily = np.outer(traffic / traffic.sum(), popularity) * expected_daily_units
        self._pos: list[pl.DataFrame] = []

    # -- POS sink -------------------------------------------------------------------------
    def take_pos(self, day: datetime.date, rows: pl.DataFrame) -> None:
        """Clean POS rows of one day: ``store`` (STORES index), ``secs`` (local), ``sku``, ``qty``.

        ``qty`` is the Square quantity (negative on refunds), so the stock change is ``-qty``.
        """
        offsets = np.array(
            [
                int(
                    datetime.datetime.combine(day, datetime.time(12))
                    .replace(tzinfo=zoneinfo.ZoneInfo(s.time_zone))
                    .utcoffset()
                    .total_seconds()
                )
                for s in STORES
            ],
            dtype=np.int64,
        )
        store = rows["store"].to_numpy().astype(np.int64)
        secs = rows["secs"].to_numpy().astype(np.int64)
        qty = rows["qty"].to_numpy().astype(np.int64)
        # A refund noted "damaged" goes to the damaged bucket, not back on the shelf.
        damaged = (rows["note"] == "damaged").fill_null(False).to_numpy()
        self._pos.append(
            pl.DataFrame(
                {
                    "loc": _STORE_IX[store],
                    "sku": rows["sku"].to_numpy().astype(np.int32),
                    "at": _epoch_us(day) + (secs - offsets[store]) * US_PER_S,
                    "delta": -qty,
                    "kind": np.where(
                        qty > 0, SALE, np.where(damaged, REFUND_DAMAGED, REFUND)
                    ).astype(np.int8),
                }
            )
        )

    def take_shipments(self, rows: pl.DataFrame) -> None:
        """Warehouse shipments (``loc, sku, at, delta, kind``; kind ``SALE``, delta < 0)."""
        self._pos.append(rows.select(_EVENT_COLUMNS).cast(_EVENT_SCHEMA))

    def book_before(self, queries: pl.DataFrame) -> pl.DataFrame:
        """``queries`` (``loc, sku, at`` + any columns) with ``book``: the sellable book
        stock strictly before ``at`` as the hub keeps it (movements plus the shrink it
        posted at earlier counts). Call after ``write``."""
        moves = pl.concat([self._events.select(_EVENT_COLUMNS[:4]), self._shrink]).sort("at")
        book = moves.with_columns(pl.col("delta").cum_sum().over("loc", "sku").alias("book"))
        return (
            queries.with_columns(pl.col("loc").cast(pl.Int32), pl.col("sku").cast(pl.Int32))
            .with_row_index("_q")
            .sort("at")
            .with_columns((pl.col("at") - 1).alias("_before"))
            .join_asof(
                book.select("loc", "sku", pl.col("at").alias("_t"), "book").sort("_t"),
                left_on="_before",
                right_on="_t",
                by=["loc", "sku"],
                strategy="backward",
                check_sortedness=False,
            )
            .with_columns(pl.col("book").fill_null(0).cast(pl.Int64))
            .sort("_q")
            .drop("_q", "_before", "_t")
        )

    # -- plan -----------------------------------------------------------------------------
    def _opening(self, rng: np.random.Generator) -> pl.DataFrame:
        n = len(self.catalog)
        safety = self.catalog.products["safety_stock_units"].to_numpy()
        store_qty = np.ceil(self.store_daily * 12).astype(np.int64) + safety[None, :] + 2
        store_qty += rng.poisson(2, size=store_qty.shape)
        dc_daily = np.zeros((len(WAREHOUSES), n))
        for w, ix in enumerate(_DC_IX):
            dc_daily[w] = self.store_daily[ix == _SERVING_DC].sum(axis=0)
        dc_qty = np.ceil(dc_daily * 30).astype(np.int64) + 10 + rng.poisson(5, size=dc_daily.shape)
        locs = np.concatenate([_STORE_IX, _DC_IX])
        qty = np.concatenate([store_qty, dc_qty])
        self._dc_daily = dc_daily
        return pl.DataFrame(
            {
                "loc": np.repeat(locs, n).astype(np.int32),
                "sku": np.tile(np.arange(n), len(locs)).astype(np.int32),
                "at": np.full(len(locs) * n, _epoch_us(self.start), dtype=np.int64),
                "delta": qty.ravel(),
                "kind": np.full(len(locs) * n, OPENING, dtype=np.int8),
            }
        )

    def _receipts(self, rng: np.random.Generator) -> pl.DataFrame:
        """Weekly supplier deliveries to each warehouse, in whole cases."""
        pack = self.catalog.products["pack_size"].to_numpy()
        parts = []
        for d in range(self.days):
            if d % 7 != 1:
                continue
            day = self.start + datetime.timedelta(days=d)
            for w, ix in enumerate(_DC_IX):
                want = self._dc_daily[w] * 7 * rng.uniform(0.8, 1.3, size=len(pack))
                qty = (np.ceil(want / pack) * pack).astype(np.int64)
                keep = np.flatnonzero(qty > 0)
                at = _epoch_us(day, 10) + rng.integers(0, 6 * 3600, size=len(keep)) * US_PER_S
                parts.append(
                    pl.DataFrame(
                        {
                            "loc": np.full(len(keep), ix, dtype=np.int32),
                            "sku": keep.astype(np.int32),
                            "at": at.astype(np.int64),
                            "delta": qty[keep],
                            "kind": np.full(len(keep), RECEIPT, dtype=np.int8),
                            "ref": np.full(len(keep), d * 10 + w, dtype=np.int64),
                        }
                    )
                )
        return pl.concat(parts) if parts else _empty_events(ref=True)

    def _transfers(self, rng: np.random.Generator) -> pl.DataFrame:
        """Warehouse-to-store replenishment every three days; 1-3 days in transit."""
        n = len(self.catalog)
        parts = []
        for d in range(self.days):
            day = self.start + datetime.timedelta(days=d)
            for s in range(len(STORES)):
                if (d + s) % 3 != 0:
                    continue
                want = self.store_daily[s] * 3 * rng.uniform(0.7, 1.5, size=n)
                qty = np.round(want).astype(np.int64)
                keep = np.flatnonzero(qty > 0)
                shipped = _epoch_us(day, 14) + rng.integers(0, 4 * 3600, size=len(keep)) * US_PER_S
                transit = rng.integers(1, 4, size=len(keep)) * US_PER_DAY
                received = (
                    shipped + transit + rng.integers(-2 * 3600, 2 * 3600, len(keep)) * US_PER_S
                )
                parts.append(
                    pl.DataFrame(
                        {
                            "from_loc": np.full(len(keep), _SERVING_DC[s], dtype=np.int32),
                            "to_loc": np.full(len(keep), _STORE_IX[s], dtype=np.int32),
                            "sku": keep.astype(np.int32),
                            "qty": qty[keep],
                            "shipped": shipped.astype(np.int64),
                            "received": received.astype(np.int64),
                        }
                    )
                )
        if not parts:
            return pl.DataFrame(
                schema={
                    "from_loc": pl.Int32,
                    "to_loc": pl.Int32,
                    "sku": pl.Int32,
                    "qty": pl.Int64,
                    "shipped": pl.Int64,
                    "received": pl.Int64,
                    "transfer": pl.Int64,
                }
            )
        out = (
            pl.concat(parts)
            .with_row_index("transfer")
            .with_columns(pl.col("transfer").cast(pl.Int64))
        )
        # Not yet received by the end of the world: in transit (no receipt written).
        return out.with_columns(
            pl.when(pl.col("received") < self.end_us).then(pl.col("received")).alias("received")
        )

    def _counts(self, rng: np.random.Generator) -> pl.DataFrame:
        """Which SKU x location is counted when (store cycle counts, weekly WMS snapshots)."""
        n = len(self.catalog)
        parts = []
        for d in range(self.days):
            day = self.start + datetime.timedelta(days=d)
            for s, store in enumerate(STORES):
                if (d + s) % 7 != 3:
                    continue
                skus = np.flatnonzero(rng.random(n) < STORE_COUNT_SHARE)
                local = datetime.datetime.combine(
                    day, datetime.time(STORE_COUNT_HOUR), tzinfo=zoneinfo.ZoneInfo(store.time_zone)
                )
                at = int(local.timestamp()) * US_PER_S
                offset = int(local.utcoffset().total_seconds())
                parts.append(
                    pl.DataFrame(
                        {
                            "loc": np.full(len(skus), _STORE_IX[s], dtype=np.int32),
                            "sku": skus.astype(np.int32),
                            "at": np.full(len(skus), at, dtype=np.int64),
                            "offset": np.full(len(skus), offset, dtype=np.int32),
                        }
                    )
                )
            if d % 7 == 6:
                for ix in _DC_IX:
                    parts.append(
                        pl.DataFrame(
                            {
                                "loc": np.full(n, ix, dtype=np.int32),
                                "sku": np.arange(n, dtype=np.int32),
                                "at": np.full(n, _epoch_us(day, WMS_HOUR_UTC), dtype=np.int64),
                                "offset": np.zeros(n, dtype=np.int32),
                            }
                        )
                    )
        return (
            pl.concat(parts)
            if parts
            else pl.DataFrame(
                schema={"loc": pl.Int32, "sku": pl.Int32, "at": pl.Int64, "offset": pl.Int32}
            )
        )

    # -- write ----------------------------------------------------------------------------
    def write(self, truth_dir: Path) -> None:
        """Plan, write every inventory file and the stock truth."""
        rng = seeds.rng_for(self.seed, seeds.INVENTORY)
        self.folder.mkdir(parents=True, exist_ok=True)
        opening = self._opening(rng)
        receipts = self._receipts(rng)
        transfers = self._transfers(rng)
        pos = pl.concat(self._pos) if self._pos else _empty_events()
        cols = ["loc", "sku", "at", "delta", "kind"]
        events = pl.concat(
            [
                opening.select(cols),
                receipts.select(cols),
                transfers.select(
                    pl.col("from_loc").alias("loc"),
                    "sku",
                    pl.col("shipped").alias("at"),
                    (-pl.col("qty")).alias("delta"),
                    pl.lit(TRANSFER_OUT, pl.Int8).alias("kind"),
                ),
                transfers.filter(pl.col("received").is_not_null()).select(
                    pl.col("to_loc").alias("loc"),
                    "sku",
                    pl.col("received").alias("at"),
                    pl.col("qty").alias("delta"),
                    pl.lit(TRANSFER_IN, pl.Int8).alias("kind"),
                ),
                pos.filter(pl.col("kind") != REFUND_DAMAGED).select(cols),
            ]
        ).sort("loc", "sku", "at")
        counts = self._plan_counts(
            seeds.rng_for(self.seed, seeds.INVENTORY_COUNTS), events, transfers
        )
        self._write_files(opening, receipts, transfers, counts)
        self._write_truth(truth_dir, events, counts)
        self._events = events
        self._shrink = (
            counts.filter(pl.col("cause") == "unexplained_shrink")
            .select("loc", "sku", "at", "delta")
            .cast({"loc": pl.Int32, "sku": pl.Int32, "at": pl.Int64, "delta": pl.Int64})
        )

    def _plan_counts(
        self, rng: np.random.Generator, events: pl.DataFrame, transfers: pl.DataFrame
    ) -> pl.DataFrame:
        """Counts with their book stock, injected causes and reported quantities."""
        counts = self._counts(seeds.rng_for(self.seed, seeds.INVENTORY_COUNTS, 1))
        book = events.with_columns(pl.col("delta").cum_sum().over("loc", "sku").alias("book"))
        counts = (
            counts.sort("at")
            .with_columns((pl.col("at") - 1).alias("_before"))
            .join_asof(
                book.select("loc", "sku", "at", "book").sort("at"),
                left_on="_before",
                right_on="at",
                by=["loc", "sku"],
                strategy="backward",
                suffix="_event",
                check_sortedness=False,
            )
            .drop("_before", "at_event")
            .with_columns(pl.col("book").fill_null(0))
            .sort("loc", "sku", "at")
            .with_row_index("count_id")
            .with_columns(
                (pl.int_range(pl.len()).over("loc", "sku") == 0).alias("first"),
            )
        )
        m = counts.height
        keys = ["count_id", "loc", "sku", "at"]
        # What could explain a count, per count (same windows the hub uses).
        sales = events.filter(pl.col("kind") == SALE).select(
            "loc", "sku", pl.col("at").alias("t"), (-pl.col("delta")).alias("q")
        )
        after = (
            counts.select(keys)
            .join(sales, on=["loc", "sku"])
            .filter((pl.col("t") > pl.col("at")) & (pl.col("t") <= pl.col("at") + SALE_WINDOW_US))
            .sort("count_id", "t")
            .with_columns(pl.col("q").cum_sum().over("count_id").alias("prefix"))
        )
        refunds = events.filter(pl.col("kind") == REFUND).select(
            "loc", "sku", pl.col("at").alias("t"), pl.col("delta").alias("q")
        )
        returns = (
            counts.select(keys)
            .join(refunds, on=["loc", "sku"])
            .filter((pl.col("t") > pl.col("at")) & (pl.col("t") <= pl.col("at") + RETURN_WINDOW_US))
            .sort("count_id", "t")
            .group_by("count_id", maintain_order=True)
            .agg(pl.col("q").first().alias("return_qty"))
        )
        transit = (
            counts.select(keys)
            .join(
                transfers.select(
                    pl.col("to_loc").alias("loc"), "sku", "qty", "shipped", "received"
                ),
                on=["loc", "sku"],
            )
            .filter(
                (pl.col("shipped") <= pl.col("at"))
                & (pl.col("received").is_null() | (pl.col("received") > pl.col("at")))
            )
            .group_by("count_id")
            .agg(pl.col("qty").sum().alias("transit_qty"))
        )
        n_after = after.group_by("count_id").agg(pl.len().alias("n_after"))
        counts = (
            counts.join(returns, on="count_id", how="left")
            .join(transit, on="count_id", how="left")
            .join(n_after, on="count_id", how="left")
            .with_columns(pl.col("n_after").fill_null(0))
            .sort("count_id")
        )
        # Pick the cause per count: at most one injected discrepancy per SKU x location, on
        # its first count, and only where no other cause could explain the same delta.
        u = rng.random((4, m))
        pick = rng.integers(0, 1 << 30, size=m)
        shrink_k = 1 + rng.integers(0, 3, size=m)
        c = counts.with_columns(
            *[pl.Series(f"u{i}", u[i]) for i in range(4)],
            pl.Series("pick", pick),
            pl.Series("k", shrink_k),
        )
        first = pl.col("first") & (pl.col("book") >= 0)
        no_transit = pl.col("transit_qty").is_null()
        cause = (
            pl.when(first & ~no_transit & (pl.col("u0") < CAUSE_RATE))
            .then(pl.lit("transfer_in_transit"))
            .when(first & no_transit & pl.col("return_qty").is_not_null() & (pl.col("u1") < 0.5))
            .then(pl.lit("unposted_return"))
            .when(first & (pl.col("n_after") > 0) & (pl.col("u2") < 2 * CAUSE_RATE))
            .then(pl.lit("sale_after_count"))
            .when(
                first
                & (pl.col("n_after") == 0)
                & (pl.col("book") >= pl.col("k"))
                & (pl.col("u3") < CAUSE_RATE)
            )
            .then(pl.lit("unexplained_shrink"))
        )
        c = c.with_columns(cause.alias("cause"))
        sold = (
            after.join(c.select("count_id", "n_after", "pick"), on="count_id")
            .with_columns(pl.int_range(1, pl.len() + 1).over("count_id").alias("rank"))
            .filter(pl.col("rank") == 1 + pl.col("pick") % pl.col("n_after"))
            .select("count_id", pl.col("prefix").alias("sold_qty"))
        )
        c = c.join(sold, on="count_id", how="left").sort("count_id")
        delta = (
            pl.when(pl.col("cause") == "transfer_in_transit")
            .then(pl.col("transit_qty"))
            .when(pl.col("cause") == "unposted_return")
            .then(pl.col("return_qty"))
            .when(pl.col("cause") == "sale_after_count")
            .then(-pl.col("sold_qty"))
            .when(pl.col("cause") == "unexplained_shrink")
            .then(-pl.col("k"))
            .otherwise(0)
        )
        # Physical stock = book - shrink revealed at earlier counts of the same pair.
        c = c.with_columns(delta.cast(pl.Int64).alias("delta")).with_columns(
            pl.when(pl.col("cause") == "unexplained_shrink")
            .then(pl.col("delta"))
            .otherwise(0)
            .alias("_shrink")
        )
        c = (
            c.with_columns(
                (pl.col("_shrink").cum_sum().over("loc", "sku") - pl.col("_shrink")).alias(
                    "earlier"
                )
            )
            .with_columns(
                (pl.col("book") + pl.col("earlier")).alias("expected"),
            )
            .with_columns((pl.col("expected") + pl.col("delta")).alias("reported"))
        )
        # A count cannot be negative: drop counts of pairs the books hold below zero (the
        # retailer's counter would not be sent to count stock the system says is gone).
        c = c.filter(pl.col("reported") >= 0).with_columns(
            pl.when(pl.col("cause").is_not_null() & (pl.col("delta") == 0))
            .then(None)
            .otherwise(pl.col("cause"))
            .alias("cause")
        )
        bad = rng.random(c.height) < BAD_ROW_RATE
        return c.with_columns(
            (pl.Series("bad", bad) & pl.col("cause").is_null()).alias("bad"),
            pl.Series("bad_kind", rng.integers(0, 2, size=c.height)),
        )

    def _write_files(
        self,
        opening: pl.DataFrame,
        receipts: pl.DataFrame,
        transfers: pl.DataFrame,
        counts: pl.DataFrame,
    ) -> None:
        loc = pl.Series(_LOC_IDS)
        sku = self.catalog.products["sku"]
        name = self.catalog.products["name"]
        files = self.stats.files

        def out(frame: pl.DataFrame, file: str) -> None:
            write_csv(frame, self.folder / file)
            files.append(file)

        out(
            opening.sort("loc", "sku").select(
                _lookup(loc, "loc").alias("location_id"),
                _lookup(sku, "sku").alias("sku"),
                pl.col("delta").alias("on_hand"),
                _iso("at").alias("as_of"),
            ),
            f"opening-balances-{self.start.isoformat()}.csv",
        )
        day = (pl.col("at") // US_PER_DAY).cast(pl.Int32)
        rec = receipts.sort("at", "loc", "sku").with_columns(day.alias("_day"))
        self.stats.receipts = rec.height
        for (d,), part in rec.partition_by("_day", as_dict=True, maintain_order=True).items():
            date = datetime.date(1970, 1, 1) + datetime.timedelta(days=int(d))
            out(
                part.select(
                    pl.format("RCV-{}-{}", pl.col("ref"), pl.col("sku")).alias("receipt_id"),
                    pl.format("PO-{}", pl.col("ref")).alias("po_number"),
                    _lookup(loc, "loc").alias("location_id"),
                    _lookup(sku, "sku").alias("sku"),
                    pl.col("delta").alias("quantity"),
                    _iso("at").alias("received_at"),
                ),
                f"receipts-{date.isoformat()}.csv",
            )
        self.stats.transfers = transfers.height
        shipped = transfers.select(
            "transfer",
            "from_loc",
            "to_loc",
            "sku",
            "qty",
            pl.lit("shipped").alias("event"),
            pl.col("shipped").alias("at"),
        )
        received = transfers.filter(pl.col("received").is_not_null()).select(
            "transfer",
            "from_loc",
            "to_loc",
            "sku",
            "qty",
            pl.lit("received").alias("event"),
            pl.col("received").alias("at"),
        )
        moves = (
            pl.concat([shipped, received])
            .sort("at", "transfer", "event")
            .with_columns(day.alias("_day"))
        )
        for (d,), part in moves.partition_by("_day", as_dict=True, maintain_order=True).items():
            date = datetime.date(1970, 1, 1) + datetime.timedelta(days=int(d))
            out(
                part.select(
                    pl.format("TR-{}", pl.col("transfer").cast(pl.String).str.zfill(7)).alias(
                        "transfer_id"
                    ),
                    "event",
                    _lookup(loc, "from_loc").alias("from_location_id"),
                    _lookup(loc, "to_loc").alias("to_location_id"),
                    _lookup(sku, "sku").alias("sku"),
                    pl.col("qty").alias("quantity"),
                    _iso("at").alias("event_at"),
                ),
                f"transfers-{date.isoformat()}.csv",
            )
        self._write_counts(counts, loc, sku, name)

    def _write_counts(
        self, counts: pl.DataFrame, loc: pl.Series, sku: pl.Series, name: pl.Series
    ) -> None:
        store_ix = set(_STORE_IX.tolist())
        counts = counts.with_columns(
            pl.col("loc").is_in(list(store_ix)).alias("is_store"),
            ((pl.col("at") + pl.col("offset").cast(pl.Int64) * US_PER_S) // US_PER_DAY).alias(
                "_lday"
            ),
        ).sort("loc", "_lday", "sku")
        qty_text = (
            pl.when(pl.col("bad") & (pl.col("bad_kind") == 0))
            .then(pl.lit("twelve"))
            .otherwise(pl.col("reported").cast(pl.String))
        )
        injected = []
        self.stats.count_rows = counts.height
        for (is_store, lx, d), part in counts.partition_by(
            "is_store", "loc", "_lday", as_dict=True, maintain_order=True
        ).items():
            date = datetime.date(1970, 1, 1) + datetime.timedelta(days=int(d))
            part = part.with_row_index("row_number", offset=1)
            loc_id = _LOC_IDS[lx]
            if is_store:
                local = (pl.col("at") + pl.col("offset").cast(pl.Int64) * US_PER_S).cast(
                    pl.Datetime("us")
                )
                off = pl.col("offset")
                sign = pl.when(off < 0).then(pl.lit("-")).otherwise(pl.lit("+"))
                offset_text = pl.format(
                    "{}{}:{}",
                    sign,
                    (off.abs() // 3600).cast(pl.String).str.zfill(2),
                    ((off.abs() % 3600) // 60).cast(pl.String).str.zfill(2),
                )
                when = (
                    pl.when(pl.col("bad") & (pl.col("bad_kind") == 1))
                    .then(pl.lit("not a time"))
                    .otherwise(
                        pl.format("{} {}", local.dt.strftime("%Y-%m-%d %H:%M:%S"), offset_text)
                    )
                )
                frame = part.select(
                    pl.lit(loc_id).alias("Location ID"),
                    _lookup(sku, "sku").alias("SKU"),
                    _lookup(name, "sku").alias("Item Name"),
                    qty_text.alias("Counted Qty"),
                    when.alias("Counted At"),
                    pl.lit("cycle count").alias("Count Type"),
                )
                file = f"pos-stock-count-{loc_id}-{date.isoformat()}.csv"
            else:
                when = (
                    pl.when(pl.col("bad") & (pl.col("bad_kind") == 1))
                    .then(pl.lit("2026-13-45T99:00:00Z"))
                    .otherwise(_iso("at"))
                )
                frame = part.select(
                    pl.lit(loc_id).alias("WHSE_ID"),
                    _lookup(sku, "sku").alias("ITEM_NO"),
                    qty_text.alias("QTY_ON_HAND"),
                    when.alias("SNAPSHOT_UTC"),
                )
                file = f"wms-snapshot-{loc_id}-{date.isoformat()}.csv"
            self.stats.files.append(file)
            write_csv(frame, self.folder / file)
            bad = part.filter(pl.col("bad"))
            if bad.height:
                injected.append(
                    bad.select(
                        pl.lit(f"{SOURCE}/{file}").alias("file"),
                        pl.col("row_number").cast(pl.Int64),
                        pl.when(pl.col("bad_kind") == 0)
                        .then(pl.lit("bad_quantity"))
                        .otherwise(pl.lit("bad_timestamp"))
                        .alias("kind"),
                    )
                )
        self._injected = (
            pl.concat(injected)
            if injected
            else pl.DataFrame(schema={"file": pl.String, "row_number": pl.Int64, "kind": pl.String})
        )
        self.stats.bad_rows = self._injected.height

    def _write_truth(self, truth_dir: Path, events: pl.DataFrame, counts: pl.DataFrame) -> None:
        truth_dir.mkdir(parents=True, exist_ok=True)
        loc = pl.Series(_LOC_IDS)
        sku = self.catalog.products["sku"]
        found = counts.filter(pl.col("cause").is_not_null())
        for cause, n in found["cause"].value_counts().iter_rows():
            self.stats.discrepancies[cause] = n
        write_csv(
            found.sort("at", "loc", "sku").select(
                _lookup(sku, "sku").alias("sku"),
                _lookup(loc, "loc").alias("location_id"),
                _iso("at").alias("counted_at"),
                pl.col("expected").alias("expected_on_hand"),
                pl.col("reported").alias("reported_on_hand"),
                "delta",
                "cause",
            ),
            truth_dir / "inventory_discrepancies.csv",
        )
        shrink = (
            counts.filter(pl.col("cause") == "unexplained_shrink")
            .group_by("loc", "sku")
            .agg(pl.col("delta").sum().alias("shrink"))
        )
        on_hand = (
            events.group_by("loc", "sku")
            .agg(pl.col("delta").sum().alias("book"))
            .join(shrink, on=["loc", "sku"], how="left")
            .with_columns((pl.col("book") + pl.col("shrink").fill_null(0)).alias("on_hand"))
            .sort("loc", "sku")
        )
        write_csv(
            on_hand.select(
                _lookup(sku, "sku").alias("sku"),
                _lookup(loc, "loc").alias("location_id"),
                "on_hand",
            ).sort("sku", "location_id"),
            truth_dir / "inventory_on_hand.csv",
        )
        write_csv(self._injected.sort("file", "row_number"), truth_dir / "inventory_injected.csv")

    def possible_file_names(self) -> list[str]:
        """Every name this writer may write (which days get which file depends on the data)."""
        dates = [
            (self.start + datetime.timedelta(days=d)).isoformat() for d in range(self.days + 1)
        ]
        names = [f"opening-balances-{self.start.isoformat()}.csv"]
        names += [f"{kind}-{d}.csv" for kind in ("receipts", "transfers") for d in dates]
        names += [f"pos-stock-count-{s.location_id}-{d}.csv" for s in STORES for d in dates]
        names += [f"wms-snapshot-{w.location_id}-{d}.csv" for w in WAREHOUSES for d in dates]
        return names

    def truth_summary(self) -> dict[str, object]:
        """What ``world.json`` says about stock."""
        return {
            "source": SOURCE,
            "files": len(self.stats.files),
            "receipts": self.stats.receipts,
            "transfers": self.stats.transfers,
            "count_rows": self.stats.count_rows,
            "bad_count_rows": self.stats.bad_rows,
            "discrepancies": dict(self.stats.discrepancies),
        }

    @staticmethod
    def truth_files() -> tuple[str, ...]:
        """Truth files the writer produces."""
        return ("inventory_discrepancies.csv", "inventory_on_hand.csv", "inventory_injected.csv")


_EVENT_SCHEMA = {
    "loc": pl.Int32,
    "sku": pl.Int32,
    "at": pl.Int64,
    "delta": pl.Int64,
    "kind": pl.Int8,
}
_EVENT_COLUMNS = list(_EVENT_SCHEMA)


def location_index(location_id: pl.Expr) -> pl.Expr:
    """The writer's location code (index in ``places.LOCATIONS``) of a location id."""
    return location_id.replace_strict(_LOC_IDS, list(range(len(_LOC_IDS))), return_dtype=pl.Int32)


def _lookup(values: pl.Series, column: str) -> pl.Expr:
    """``values[column]`` for an integer index column."""
    return pl.col(column).replace_strict(
        list(range(len(values))), values.to_list(), return_dtype=pl.String
    )


def _empty_events(*, ref: bool = False) -> pl.DataFrame:
    schema = {"loc": pl.Int32, "sku": pl.Int32, "at": pl.Int64, "delta": pl.Int64, "kind": pl.Int8}
    if ref:
        schema["ref"] = pl.Int64
    return pl.DataFrame(schema=schema)
