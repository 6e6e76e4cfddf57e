"""What the sample world's 3PL ships: X12 945 warehouse shipping advice for EDI orders.

Every clean EDI purchase order (one the hub loads) gets a fate, drawn per day from its
own random stream (``seeds.EDI_SHIPMENTS``) so orders and POS files do not change:

* ``complete`` (~67 %): one 945 one to four days after the order, every line in full;
* ``partial`` (~20 %): a first 945 with part of the units (at least one of every line),
  the rest in a second 945 two to six days later;
* ``never`` (~10 %): not shipped within the world's window;
* ``bad`` (~3 %, and one of each kind on day 0 when the day has enough orders): a 945
  the hub must quarantine, one day after the order, with the kind in the truth:
  ``unknown_order`` (the depositor order number names no order), ``unknown_sku`` (the
  first line's UPC and vendor item are unknown) or ``over_shipped`` (the first line ships
  more units than were ordered). The order then stays unshipped.

A shipment due after the world's last day is not written (shipped later, outside the
window). The warehouse is the DC that serves the order's ship-to store (west of -100
degrees: DC-WEST / WHSE01, else DC-EAST / WHSE02). Ship times are whole minutes between
08:00 and 18:00 UTC. The 945s of a ship day go in one interchange,
``ship-3PLWEST-<yyyymmdd>.x12``; the good shipments also feed the stock world (sales out
of the DC), so the DCs' books and the hub's ledger agree.
"""

from __future__ import annotations

import datetime

import numpy as np
import polars as pl

from oms_hub.world import seeds
from oms_hub.world.places import STORES

#: Shares of clean orders per fate (the rest ship complete).
NEVER_RATE = 0.10
BAD_RATE = 0.03
PARTIAL_RATE = 0.20
BAD_KINDS = ("unknown_order", "unknown_sku", "over_shipped")
#: (3PL warehouse id, our location) serving a store west / east of -100 degrees.
WEST, EAST = ("WHSE01", "DC-WEST"), ("WHSE02", "DC-EAST")

SHIPMENT_COLUMNS = {
    "shipment_id": pl.String,
    "order_id": pl.String,
    "w06_order": pl.String,
    "po": pl.String,
    "ship_day": pl.Int64,
    "minute": pl.Int64,
    "warehouse": pl.String,
    "location_id": pl.String,
    "line": pl.Int64,
    "product": pl.Int64,
    "sku": pl.String,
    "upc": pl.String,
    "ordered": pl.Int64,
    "shipped": pl.Int64,
    "kind": pl.String,  # "" for a good shipment, else the injected problem
}


def plan_shipments(
    seed: int, d: int, days: int, orders: pl.DataFrame, lines: pl.DataFrame
) -> pl.DataFrame:
    """Shipment lines (``SHIPMENT_COLUMNS``) for day ``d``'s clean ``orders`` / ``lines``.

    ``orders``: ``o, po, partner_id, store``; ``lines``: ``o, line, product, sku, upc, qty``.
    Only shipments dated inside the window (ship day < ``days``) are returned.
    """
    rng = seeds.rng_for(seed, seeds.EDI_SHIPMENTS, d)
    n = orders.height
    if n == 0:
        return pl.DataFrame(schema=SHIPMENT_COLUMNS)
    u = rng.random(n)
    fate = np.full(n, "complete", dtype=object)
    fate[u < NEVER_RATE + BAD_RATE + PARTIAL_RATE] = "partial"
    fate[u < NEVER_RATE + BAD_RATE] = "bad"
    fate[u < NEVER_RATE] = "never"
    bad_kind = rng.integers(0, len(BAD_KINDS), n)
    if d == 0 and n > len(BAD_KINDS):  # every kind shows up in small worlds
        fate[: len(BAD_KINDS)] = "bad"
        bad_kind[: len(BAD_KINDS)] = np.arange(len(BAD_KINDS))
    delay1 = np.where(fate == "bad", 1, rng.integers(1, 5, n))
    delay2 = rng.integers(2, 7, n)
    minute1 = rng.integers(8 * 60, 18 * 60, n)
    minute2 = rng.integers(8 * 60, 18 * 60, n)
    share = rng.uniform(0.3, 0.7, n)
    extra = rng.integers(1, 6, n)
    west = np.array([s.lon < -100 for s in STORES])[orders["store"].to_numpy()]
    heads = orders.select("o", "po", "partner_id").with_columns(
        order_id=pl.format("edi:{}:{}", "partner_id", "po"),
        fate=pl.Series(fate.astype(str)),
        bad=pl.Series([BAD_KINDS[k] for k in bad_kind]),
        day1=pl.Series(d + delay1),
        day2=pl.Series(d + delay1 + delay2),
        minute1=pl.Series(minute1),
        minute2=pl.Series(minute2),
        share=pl.Series(share),
        extra=pl.Series(extra),
        warehouse=pl.Series(np.where(west, WEST[0], EAST[0])),
        location_id=pl.Series(np.where(west, WEST[1], EAST[1])),
    )
    joined = lines.select("o", "line", "product", "sku", "upc", "qty").join(heads, on="o")
    first_qty = (
        pl.when(pl.col("fate") == "partial")
        .then((pl.col("qty") * pl.col("share")).ceil().cast(pl.Int64).clip(1, None))
        .when((pl.col("fate") == "bad") & (pl.col("bad") == "over_shipped") & (pl.col("line") == 1))
        .then(pl.col("qty") + pl.col("extra"))
        .otherwise(pl.col("qty"))
    )
    first = joined.filter(pl.col("fate") != "never").with_columns(
        part=pl.lit(1),
        ship_day=pl.col("day1"),
        minute=pl.col("minute1"),
        shipped=first_qty.cast(pl.Int64),
    )
    second = (
        joined.filter(pl.col("fate") == "partial")
        .with_columns(
            part=pl.lit(2),
            ship_day=pl.col("day2"),
            minute=pl.col("minute2"),
            shipped=(pl.col("qty") - first_qty).cast(pl.Int64),
        )
        .filter(pl.col("shipped") > 0)
    )
    is_bad = pl.col("fate") == "bad"
    bogus_item = is_bad & (pl.col("bad") == "unknown_sku") & (pl.col("line") == 1)
    return (
        pl.concat([first, second])
        .filter(pl.col("ship_day") < days)
        .with_columns(
            shipment_id=pl.format("SH-{}-{}", "po", "part")
            + pl.when(is_bad).then(pl.lit("-X")).otherwise(pl.lit("")),
            w06_order=pl.when(is_bad & (pl.col("bad") == "unknown_order"))
            .then(pl.format("edi:{}:{}-NOPO", "partner_id", "po"))
            .otherwise(pl.col("order_id")),
            upc=pl.when(bogus_item)
            .then(pl.format("999{}", pl.col("upc").str.slice(3)))
            .otherwise(pl.col("upc")),
            sku=pl.when(bogus_item)
            .then(pl.format("NOSUCH-{}", pl.col("sku")))
            .otherwise(pl.col("sku")),
            kind=pl.when(is_bad).then(pl.col("bad")).otherwise(pl.lit("")),
            ordered=pl.col("qty"),
        )
        .select(list(SHIPMENT_COLUMNS))
        .cast(SHIPMENT_COLUMNS)  # type: ignore[arg-type]
        .sort("ship_day", "minute", "shipment_id", "line")
    )


def interchange_945(
    shipments: pl.DataFrame, *, sender: str, receiver: str, day: datetime.date, d: int
) -> str:
    """One X12 interchange holding a ship day's 945s (one ST per shipment)."""
    stamp = day.strftime("%Y%m%d")
    w12 = shipments.with_columns(
        seg=pl.format(
            "LX*{}~\nW12*{}*{}*{}*{}*EA*{}*VN*{}",
            "line",
            pl.when(pl.col("shipped") >= pl.col("ordered"))
            .then(pl.lit("CC"))
            .otherwise(pl.lit("CP")),
            "ordered",
            "shipped",
            (pl.col("ordered") - pl.col("shipped")).clip(0, None),
            "upc",
            "sku",
        )
    )
    per = (
        w12.group_by("shipment_id", maintain_order=True)
        .agg(
            pl.col("w06_order", "po", "minute", "warehouse", "location_id").first(),
            body=pl.col("seg").str.join("~\n"),
            n=pl.len(),
            units=pl.col("shipped").sum(),
        )
        .with_columns(st=pl.int_range(1, pl.len() + 1).cast(pl.String).str.zfill(4))
    )
    hhmm = pl.format(
        "{}{}",
        (pl.col("minute") // 60).cast(pl.String).str.zfill(2),
        (pl.col("minute") % 60).cast(pl.String).str.zfill(2),
    )
    sets = per.select(
        pl.concat_str(
            [
                pl.format("ST*945*{}~\n", "st"),
                pl.format("W06*N*{}*{}*{}**{}~\n", "w06_order", pl.lit(stamp), "shipment_id", "po"),
                pl.format("N1*SF*{}*92*{}~\n", "location_id", "warehouse"),
                pl.format("G62*11*{}*8*{}~\n", pl.lit(stamp), hhmm),
                pl.lit("W27*M*UPSN*UPS Ground~\n"),
                pl.col("body"),
                pl.format("~\nW03*{}~\n", "units"),
                pl.format("SE*{}*{}~\n", 7 + 2 * pl.col("n"), "st"),
            ]
        )
    )
    control = 800_000 + d + 1
    group = (
        f"GS*SW*{sender}*{receiver}*{stamp}*1900*{d + 1}*X*004010~\n"
        + sets.to_series().str.join("").item()
        + f"GE*{per.height}*{d + 1}~\n"
    )
    return (
        f"ISA*00*{'':10}*00*{'':10}*ZZ*{sender:<15}*ZZ*{receiver:<15}*"
        f"{day.strftime('%y%m%d')}*1900*U*00401*{control:09d}*0*P*>~\n"
        + group
        + f"IEA*1*{control:09d}~\n"
    )
