"""EDI trading partners of the sample world: purchase orders in, warehouse stock advice.

Three B2B buyers send one interchange a day holding that day's purchase orders: two
in X12 850 (``ACMESTORES`` identifies items by our SKU and UPC, ``BIGBOXCO`` by UPC and
its own item number) and one in EDIFACT ORDERS D96A with a decimal comma
(``5412345000013``, by GTIN-13 and our SKU as supplier article). The 3PL ``3PLWEST``
sends an 846 per warehouse and day with on-hand quantities. These ids match the
packaged trading-partner file (``oms_hub/connectors/edi/partners.yaml``). The 3PL also
reports what it shipped of the EDI orders with X12 945s (``oms_hub.world.edi_shipments``);
its 846 quantities are the DCs' book stock when the stock world is written (the hub then
finds no 846 discrepancy), random otherwise.

Planted problems, listed in ``truth/edi_injected.csv`` (file, document number, kind =
the error code the pipeline must report): an order with an unknown item
(``unknown_sku``), a line count that disagrees with its trailer (``count_mismatch``),
a wrong segment count (``envelope_error``); and one interchange re-sent under another
file name (same control number, new send time) that must be loaded once.

Orders, lines and money are drawn with numpy/polars per day; segments are formatted
with polars string expressions; only the per-file envelopes are assembled in Python.
EDI orders are their own count (``edi_orders``) and random stream, so POS files are
byte-identical with or without them.
"""

from __future__ import annotations

import datetime
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import polars as pl

from oms_hub.world import seeds
from oms_hub.world.edi_shipments import interchange_945, plan_shipments
from oms_hub.world.files import write_csv
from oms_hub.world.model import Catalog
from oms_hub.world.money import decimal_text
from oms_hub.world.places import STORES
from oms_hub.world.truth import TruthBook

SOURCE = "edi"
RECEIVER = "OMSHUB"


@dataclass(frozen=True)
class Buyer:
    """A B2B customer sending purchase orders."""

    partner_id: str
    name: str
    syntax: str  # "x12" | "edifact"
    ids: tuple[str, str]  # the two item-id qualifiers its lines carry


BUYERS = (
    Buyer("ACMESTORES", "Acme Stores Inc.", "x12", ("VN", "UP")),
    Buyer("BIGBOXCO", "BigBox Co.", "x12", ("UP", "IN")),
    Buyer("5412345000013", "Europa Handel GmbH", "edifact", ("EN", "SA")),
)
WAREHOUSE_PARTNER = "3PLWEST"
#: The 3PL's warehouse ids and the locations they are (partners.yaml maps them).
WAREHOUSES = (("WHSE01", "DC-WEST"), ("WHSE02", "DC-EAST"))
INJECTED_KINDS = ("unknown_sku", "count_mismatch", "envelope_error")
#: The 846s are stated for 05:00 UTC, before the weekly WMS snapshot (06:00), so a count
#: correction posted at the snapshot never lands on the same instant as an advice.
ADVICE_HOUR = 5


@dataclass
class EdiStats:
    """What the writer produced."""

    files: list[str] = field(default_factory=list)
    orders: int = 0
    lines: int = 0
    advice_rows: int = 0
    injected: dict[str, int] = field(default_factory=dict)
    resent: str | None = None
    shipments: int = 0
    shipment_files: int = 0
    shipments_injected: dict[str, int] = field(default_factory=dict)


def _clean(text: pl.Expr) -> pl.Expr:
    """Names without any X12/EDIFACT service character (partners strip them too)."""
    return text.str.replace_all(r"[*~>+:'?|^]", " ")


class EdiWriter:
    """Writes the EDI partners' files day by day into ``landing/edi/``."""

    def __init__(
        self,
        *,
        landing: Path,
        seed: int,
        start: datetime.date,
        days: int,
        orders: int,
        catalog: Catalog,
        stock_sink: Callable[[pl.DataFrame], None] | None = None,
    ) -> None:
        self.folder = landing / SOURCE
        self.seed = seed
        self.start = start
        self.days = days
        self.catalog = catalog
        rng = seeds.rng_for(seed, seeds.EDI_PLAN)
        self.per_day = (
            rng.multinomial(orders, np.full(days, 1 / days)) if orders else np.zeros(days, int)
        )
        self.enabled = orders > 0
        self.stats = EdiStats()
        self._inventory: list[pl.DataFrame] = []
        self._orders: list[pl.DataFrame] = []
        self._injected: list[pl.DataFrame] = []
        self._shipments: list[pl.DataFrame] = []
        self._advice: list[tuple[int, pl.DataFrame]] = []
        #: Receives the good shipments as stock movements (``loc, sku, at, delta, kind``
        #: in ``oms_hub.world.inventory`` codes) so the DCs' books count them.
        self.stock_sink = stock_sink

    def _day(self, d: int) -> datetime.date:
        return self.start + datetime.timedelta(days=d)

    def file_names(self) -> list[str]:
        """Every file name the writer may produce (for the landing conflict check)."""
        if not self.enabled:
            return []
        names = []
        for d in range(self.days):
            stamp = self._day(d).strftime("%Y%m%d")
            names += [
                f"po-{b.partner_id}-{stamp}.{'x12' if b.syntax == 'x12' else 'edi'}" for b in BUYERS
            ]
            names.append(f"inv-{WAREHOUSE_PARTNER}-{stamp}.x12")
            names.append(f"ship-{WAREHOUSE_PARTNER}-{stamp}.x12")
        if self.days > 1:
            names.append(f"po-{BUYERS[0].partner_id}-{self._day(1).strftime('%Y%m%d')}-resend.x12")
        return names

    # -- orders --------------------------------------------------------------------
    def _plan(self, d: int) -> tuple[pl.DataFrame, pl.DataFrame]:
        """The day's orders (one row each) and their lines."""
        rng = seeds.rng_for(self.seed, seeds.EDI_ORDERS, d)
        n = int(self.per_day[d])
        buyer = rng.integers(0, len(BUYERS), n)
        n_lines = rng.integers(1, 6, n)
        injected = np.full(n, "", dtype=object)
        draw = rng.random(n)
        injected[draw < 0.06] = "unknown_sku"
        injected[(draw >= 0.06) & (draw < 0.1)] = "count_mismatch"
        injected[(draw >= 0.1) & (draw < 0.13)] = "envelope_error"
        if d == 0 and n >= len(INJECTED_KINDS) + 1:  # every kind shows up in small worlds
            injected[: len(INJECTED_KINDS)] = INJECTED_KINDS
        freight = np.where(rng.random(n) < 0.3, rng.integers(1500, 8001, n), 0)
        # Freight travels as an X12 SAC charge; the EDIFACT buyer sends none.
        edifact = np.array([b.syntax == "edifact" for b in BUYERS])[buyer]
        freight = np.where(edifact, 0, freight)
        store = rng.integers(0, len(STORES), n)
        stamp = self._day(d).strftime("%Y%m%d")
        orders = pl.DataFrame(
            {
                "o": np.arange(n),
                "buyer": buyer,
                "n_lines": n_lines,
                "injected": injected.astype(str),
                "freight_cents": freight,
                "store": store,
            }
        ).with_columns(
            po=pl.format("PO{}-{}", pl.lit(stamp), (pl.col("o") + 1).cast(pl.String).str.zfill(5)),
            partner_id=pl.col("buyer").replace_strict(
                {i: b.partner_id for i, b in enumerate(BUYERS)}, return_dtype=pl.String
            ),
        )
        total_lines = int(n_lines.sum())
        product = self.catalog.sample(rng, total_lines)
        quantity = rng.integers(1, 49, total_lines)
        products = self.catalog.products
        lines = (
            pl.DataFrame(
                {
                    "o": np.repeat(np.arange(n), n_lines),
                    "product": product,
                    "qty": quantity,
                }
            )
            .with_columns(line=pl.int_range(1, pl.len() + 1).over("o"))
            .with_columns(
                sku=products.get_column("sku").gather(pl.Series(product)),
                upc=products.get_column("upc").gather(pl.Series(product)),
                name=_clean(products.get_column("name").gather(pl.Series(product))),
                # Wholesale: 60 % of the shelf price, in cents.
                price_cents=pl.Series(self.catalog.price_cents[product] * 60 // 100),
            )
            .with_columns(amount_cents=pl.col("qty") * pl.col("price_cents"))
            .join(orders.select("o", "buyer", "injected"), on="o")
            .with_columns(
                # The unknown item is the order's first line.
                bogus=(pl.col("injected") == "unknown_sku") & (pl.col("line") == 1)
            )
        )
        return orders, lines

    def _x12_sets(self, orders: pl.DataFrame, lines: pl.DataFrame, buyer: Buyer) -> pl.DataFrame:
        """One row per PO: ``po``, ``body`` (its segments ST..SE joined by '~\\n')."""
        q1, q2 = buyer.ids
        id_value = {
            "VN": pl.col("sku"),
            "UP": pl.col("upc"),
            "IN": pl.format("BB{}", pl.col("sku").str.slice(4)),
        }
        po1 = lines.with_columns(
            seg=pl.when(pl.col("bogus"))
            .then(
                pl.format(
                    "PO1*{}*{}*EA*{}*PE*UP*999{}",
                    "line",
                    "qty",
                    decimal_text(pl.col("price_cents")),
                    pl.col("upc").str.slice(3),
                )
            )
            .otherwise(
                pl.format(
                    "PO1*{}*{}*EA*{}*PE*{}*{}*{}*{}",
                    "line",
                    "qty",
                    decimal_text(pl.col("price_cents")),
                    pl.lit(q1),
                    id_value[q1],
                    pl.lit(q2),
                    id_value[q2],
                )
            )
            + pl.format("~\nPID*F****{}", "name")
        )
        per_po = po1.group_by("o", maintain_order=True).agg(
            body=pl.col("seg").str.join("~\n"),
            n=pl.len(),
            units=pl.col("qty").sum(),
        )
        stores = pl.DataFrame(
            {
                "store": range(len(STORES)),
                "store_id": [s.location_id for s in STORES],
                "store_name": [s.name for s in STORES],
                "address": [s.address for s in STORES],
                "city": [s.city for s in STORES],
                "region": [s.region for s in STORES],
                "postal": [s.postal_code for s in STORES],
            }
        )
        header = (
            orders.join(per_po, on="o")
            .join(stores, on="store")
            .sort("o")
            .with_columns(st=pl.int_range(1, pl.len() + 1).cast(pl.String).str.zfill(4))
        )
        sac = pl.when(pl.col("freight_cents") > 0).then(
            pl.format("SAC*C*D240***{}~\n", pl.col("freight_cents"))
        )
        n_header = 9 + (pl.col("freight_cents") > 0).cast(pl.Int64)
        ctt_lines = pl.col("n") + (pl.col("injected") == "count_mismatch").cast(pl.Int64)
        se_count = (
            n_header + pl.col("n") * 2 + 2 + (pl.col("injected") == "envelope_error").cast(pl.Int64)
        )
        text = pl.concat_str(
            [
                pl.format("ST*850*{}~\n", "st"),
                pl.format("BEG*00*SA*{}**{}~\n", "po", pl.col("po").str.slice(2, 8)),
                pl.lit("CUR*BY*USD~\n"),
                pl.format("REF*DP*{}~\n", pl.col("store").cast(pl.String).str.zfill(3)),
                pl.lit(f"N1*BY*{buyer.name}*92*{buyer.partner_id}~\n"),
                pl.format("N1*ST*{}*92*{}~\n", "store_name", "store_id"),
                pl.format("N3*{}~\n", _clean(pl.col("address"))),
                pl.format("N4*{}*{}*{}*US~\n", "city", "region", "postal"),
                pl.lit("TD5****M*UPS Ground~\n"),
                sac.fill_null(""),
                pl.col("body"),
                pl.format("~\nCTT*{}*{}~\n", ctt_lines, "units"),
                pl.format("SE*{}*{}", se_count, "st"),
            ]
        )
        return header.select("po", "injected", body=text)

    def _edifact_messages(self, orders: pl.DataFrame, lines: pl.DataFrame) -> pl.DataFrame:
        """One row per ORDERS message (decimal comma, release-safe names)."""

        def comma(cents: pl.Expr) -> pl.Expr:
            return decimal_text(cents).str.replace(".", ",", literal=True)

        lin = lines.with_columns(
            seg=pl.concat_str(
                [
                    pl.when(pl.col("bogus"))
                    .then(
                        pl.lit("LIN+")
                        + pl.col("line").cast(pl.String)
                        + pl.lit("++0999999999999:EN'\n")
                    )
                    .otherwise(pl.format("LIN+{}++0{}:EN'\nPIA+5+{}:SA'\n", "line", "upc", "sku")),
                    pl.format("IMD+F++:::{}'\n", "name"),
                    pl.format("QTY+21:{}:PCE'\n", "qty"),
                    pl.format("PRI+AAA:{}'\n", comma(pl.col("price_cents"))),
                    pl.format("MOA+203:{}", comma(pl.col("amount_cents"))),
                ]
            ),
            n_segs=pl.when(pl.col("bogus")).then(5).otherwise(6),
        )
        per_po = lin.group_by("o", maintain_order=True).agg(
            body=pl.col("seg").str.join("'\n"),
            n=pl.len(),
            n_segs=pl.col("n_segs").sum(),
            total=pl.col("amount_cents").sum(),
        )
        msg = (
            orders.join(per_po, on="o")
            .sort("o")
            .with_columns(ref=pl.int_range(1, pl.len() + 1).cast(pl.String))
        )
        cnt = pl.col("n") + (pl.col("injected") == "count_mismatch").cast(pl.Int64)
        unt = 5 + pl.col("n_segs") + 4 + (pl.col("injected") == "envelope_error").cast(pl.Int64)
        buyer = BUYERS[2]
        text = pl.concat_str(
            [
                pl.format("UNH+{}+ORDERS:D:96A:UN'\n", "ref"),
                pl.format("BGM+220+{}+9'\n", "po"),
                pl.format("DTM+137:{}:102'\n", pl.col("po").str.slice(2, 8)),
                pl.lit("CUX+2:USD:9'\n"),
                pl.lit(f"NAD+BY+{buyer.partner_id}::9++{buyer.name}'\n"),
                pl.col("body"),
                pl.lit("'\nUNS+S'\n"),
                pl.format("MOA+79:{}'\n", comma(pl.col("total"))),
                pl.format("CNT+2:{}'\n", cnt),
                pl.format("UNT+{}+{}", unt, "ref"),
            ]
        )
        return msg.select("po", "injected", body=text)

    @staticmethod
    def _isa(sender: str, control: int, day: datetime.date, time: str, groups: list[str]) -> str:
        head = (
            f"ISA*00*{'':10}*00*{'':10}*ZZ*{sender:<15}*ZZ*{RECEIVER:<15}*"
            f"{day.strftime('%y%m%d')}*{time}*U*00401*{control:09d}*0*P*>~\n"
        )
        return head + "".join(groups) + f"IEA*{len(groups)}*{control:09d}~\n"

    def _write(self, name: str, text: str) -> None:
        path = self.folder / name
        tmp = path.with_name(f".{name}.tmp")
        tmp.write_bytes(text.encode())
        tmp.replace(path)
        self.stats.files.append(name)

    def write_day(self, d: int, truth: TruthBook) -> None:
        """Write day ``d``'s purchase orders and stock advice; feed the truth book."""
        if not self.enabled:
            return
        self.folder.mkdir(parents=True, exist_ok=True)
        day = self._day(d)
        stamp = day.strftime("%Y%m%d")
        orders, lines = self._plan(d)
        for b, buyer in enumerate(BUYERS):
            mine = orders.filter(pl.col("buyer") == b)
            my_lines = lines.filter(pl.col("buyer") == b)
            control = (b + 1) * 100_000 + d + 1
            if buyer.syntax == "x12":
                sets = self._x12_sets(mine, my_lines, buyer) if mine.height else None
                body = (
                    sets.get_column("body").str.join("~\n").item() + "~\n"
                    if sets is not None
                    else ""
                )
                n_sets = mine.height
                group = (
                    f"GS*PO*{buyer.partner_id}*{RECEIVER}*{stamp}*0800*{d + 1}*X*004010~\n"
                    + body
                    + f"GE*{n_sets}*{d + 1}~\n"
                )
                name = f"po-{buyer.partner_id}-{stamp}.x12"
                self._write(name, self._isa(buyer.partner_id, control, day, "0800", [group]))
                if d == 1 and b == 0:
                    resent = f"po-{buyer.partner_id}-{stamp}-resend.x12"
                    self._write(resent, self._isa(buyer.partner_id, control, day, "0815", [group]))
                    self.stats.resent = resent
                docs = sets
            else:
                msgs = self._edifact_messages(mine, my_lines) if mine.height else None
                body = (
                    msgs.get_column("body").str.join("'\n").item() + "'\n"
                    if msgs is not None
                    else ""
                )
                ref = f"EU{control}"
                text = (
                    "UNA:+,? '\n"
                    f"UNB+UNOC:3+{buyer.partner_id}:14+{RECEIVER}:ZZ+{day.strftime('%y%m%d')}:0900+{ref}'\n"
                    + body
                    + f"UNZ+{mine.height}+{ref}'\n"
                )
                name = f"po-{buyer.partner_id}-{stamp}.edi"
                self._write(name, text)
                docs = msgs
            if docs is not None:
                planted = docs.filter(pl.col("injected") != "")
                files = [(name, planted)]
                if buyer.syntax == "x12" and d == 1 and b == 0:
                    # The re-sent copy wins: conform problems show there only, parse
                    # problems in both copies (each file is parsed).
                    files = [
                        (name, planted.filter(pl.col("injected") != "unknown_sku")),
                        (self.stats.resent or name, planted),
                    ]
                self._injected += [
                    rows.select(
                        file=pl.lit(f"{SOURCE}/{file}"), document_number="po", kind="injected"
                    )
                    for file, rows in files
                ]
        clean = orders.filter(pl.col("injected") == "")
        clean_lines = lines.join(clean.select("o", "po", "partner_id", "freight_cents"), on="o")
        per_order = clean_lines.group_by("po", "partner_id", "freight_cents").agg(
            lines=pl.len(), units=pl.col("qty").sum(), gross_cents=pl.col("amount_cents").sum()
        )
        self._orders.append(
            per_order.select(
                order_id=pl.format("edi:{}:{}", "partner_id", "po"),
                day=pl.lit(day),
                lines="lines",
                units="units",
                gross_cents="gross_cents",
                charge_cents="freight_cents",
            )
        )
        truth.add_sales(
            "edi",
            clean_lines.select(
                day=pl.lit(day),
                order_id="po",
                is_sale=pl.lit(True),
                units="qty",
                gross_cents="amount_cents",
                net_cents="amount_cents",
            ),
        )
        self._plan_shipments(d, clean, clean_lines)
        self.stats.orders += orders.height
        self.stats.lines += lines.height
        for kind in orders.get_column("injected"):
            if kind:
                self.stats.injected[kind] = self.stats.injected.get(kind, 0) + 1
        self._plan_advice(d)

    def _plan_shipments(self, d: int, clean: pl.DataFrame, clean_lines: pl.DataFrame) -> None:
        """Plan what the 3PL ships of day ``d``'s clean orders; feed the stock world."""
        planned = plan_shipments(
            self.seed,
            d,
            self.days,
            clean.select("o", "po", "partner_id", "store"),
            clean_lines.select("o", "line", "product", "sku", "upc", "qty"),
        )
        self._shipments.append(planned)
        good = planned.filter(pl.col("kind") == "")
        if self.stock_sink is not None and good.height:
            from oms_hub.world.inventory import SALE, location_index

            start_us = int(
                datetime.datetime.combine(self.start, datetime.time(), datetime.UTC).timestamp()
            )
            self.stock_sink(
                good.select(
                    loc=location_index(pl.col("location_id")),
                    sku=pl.col("product").cast(pl.Int32),
                    at=(
                        (start_us + pl.col("ship_day") * 86_400 + pl.col("minute") * 60) * 1_000_000
                    ).cast(pl.Int64),
                    delta=-pl.col("shipped"),
                    kind=pl.lit(SALE, dtype=pl.Int8),
                )
            )

    def _plan_advice(self, d: int) -> None:
        """Which items each warehouse advises on day ``d`` (quantities: ``write_advice``)."""
        rng = seeds.rng_for(self.seed, seeds.EDI_INVENTORY, d)
        n_items = min(25, len(self.catalog))
        for w in range(len(WAREHOUSES)):
            pick = rng.choice(len(self.catalog), n_items, replace=False)
            qty = rng.integers(0, 501, n_items)
            self._advice.append(
                (
                    d,
                    pl.DataFrame(
                        {"w": np.full(n_items, w, dtype=np.int64), "product": pick, "qty": qty}
                    ),
                )
            )

    def write_advice(
        self, truth_dir: Path, book: Callable[[pl.DataFrame], pl.DataFrame] | None = None
    ) -> None:
        """Write the 846s and their truth. With ``book`` (the stock world's
        ``InventoryWriter.book_before``) each quantity is the DC's book stock just before
        the advice time, and an item the books hold below zero is left out."""
        if not self.enabled:
            return
        plans = []
        for d, plan in self._advice:
            day = self._day(d)
            at = int(
                datetime.datetime.combine(day, datetime.time(ADVICE_HOUR), datetime.UTC).timestamp()
            )
            plans.append(
                plan.with_columns(
                    d=pl.lit(d), at=pl.lit(at * 1_000_000, dtype=pl.Int64)
                ).with_row_index("_row")
            )
        if not plans:
            return
        planned = pl.concat(plans).with_columns(
            location_id=pl.col("w").replace_strict(
                {w: loc for w, (_, loc) in enumerate(WAREHOUSES)}, return_dtype=pl.String
            )
        )
        if book is not None:
            from oms_hub.world.inventory import location_index

            booked = book(
                planned.select(
                    "d",
                    "w",
                    "_row",
                    loc=location_index(pl.col("location_id")),
                    sku=pl.col("product").cast(pl.Int32),
                    at="at",
                )
            )
            planned = (
                planned.join(booked.select("d", "w", "_row", "book"), on=["d", "w", "_row"])
                .with_columns(qty=pl.col("book"))
                .filter(pl.col("qty") >= 0)
            )
        planned = planned.sort("d", "w", "_row")
        products = self.catalog.products
        for (d,), day_plan in planned.partition_by("d", as_dict=True, maintain_order=True).items():
            self._write_advice_day(int(d), day_plan, products)
        write_csv(
            pl.concat(self._inventory).sort("advised_at", "location_id", "sku"),
            truth_dir / "edi_inventory.csv",
        )

    def _write_advice_day(self, d: int, plan: pl.DataFrame, products: pl.DataFrame) -> None:
        day = self._day(d)
        stamp = day.strftime("%Y%m%d")
        groups = []
        for w, (warehouse, location) in enumerate(WAREHOUSES):
            mine = plan.filter(pl.col("w") == w)
            n_items = mine.height
            if n_items == 0:
                continue
            items = mine.select(
                n=pl.int_range(1, pl.len() + 1),
                sku=products.get_column("sku").gather(mine["product"]),
                upc=products.get_column("upc").gather(mine["product"]),
                qty=pl.col("qty"),
            )
            body = (
                items.select(
                    pl.format("LIN*{}*SK*{}*UP*{}~\nQTY*33*{}*EA", "n", "sku", "upc", "qty")
                )
                .to_series()
                .str.join("~\n")
                .item()
            )
            st = f"{len(groups) + 1:04d}"
            segments = 4 + 2 * n_items + 2
            hhmm = f"{ADVICE_HOUR:02d}00"
            groups.append(
                f"ST*846*{st}~\nBIA*00*SI*INV{stamp}{warehouse}*{stamp}~\nDTM*405*{stamp}*{hhmm}~\n"
                f"N1*WH*{location}*92*{warehouse}~\n{body}~\nCTT*{n_items}~\nSE*{segments}*{st}~\n"
            )
            self._inventory.append(
                items.select(
                    advised_at=pl.lit(f"{day.isoformat()}T{ADVICE_HOUR:02d}:00:00Z"),
                    location_id=pl.lit(location),
                    sku="sku",
                    quantity="qty",
                )
            )
            self.stats.advice_rows += n_items
        if not groups:  # nothing the books hold at or above zero to advise
            return
        group = (
            f"GS*IB*{WAREHOUSE_PARTNER}*{RECEIVER}*{stamp}*{ADVICE_HOUR:02d}00*{d + 1}*X*004010~\n"
            + "".join(groups)
            + f"GE*{len(groups)}*{d + 1}~\n"
        )
        control = 900_000 + d + 1
        self._write(
            f"inv-{WAREHOUSE_PARTNER}-{stamp}.x12",
            self._isa(WAREHOUSE_PARTNER, control, day, f"{ADVICE_HOUR:02d}00", [group]),
        )

    def _write_shipments(self, truth_dir: Path) -> None:
        """One 945 interchange per ship day; the shipments and the planted ones in truth."""
        shipments = (
            pl.concat(self._shipments).sort("ship_day", "minute", "shipment_id", "line")
            if self._shipments
            else None
        )
        if shipments is None or shipments.is_empty():
            return
        names = []
        for (sd,), part in shipments.partition_by(
            "ship_day", as_dict=True, maintain_order=True
        ).items():
            day = self._day(int(sd))
            name = f"ship-{WAREHOUSE_PARTNER}-{day.strftime('%Y%m%d')}.x12"
            self._write(
                name,
                interchange_945(
                    part, sender=WAREHOUSE_PARTNER, receiver=RECEIVER, day=day, d=int(sd)
                ),
            )
            names.append((int(sd), name))
        files = pl.DataFrame(
            {"ship_day": [n[0] for n in names], "file": [f"{SOURCE}/{n[1]}" for n in names]},
            schema={"ship_day": pl.Int64, "file": pl.String},
        )
        at = pl.format(
            "{}T{}:{}:00Z",
            (pl.lit(self.start) + pl.duration(days=pl.col("ship_day"))).dt.strftime("%Y-%m-%d"),
            (pl.col("minute") // 60).cast(pl.String).str.zfill(2),
            (pl.col("minute") % 60).cast(pl.String).str.zfill(2),
        )
        good = shipments.filter(pl.col("kind") == "")
        write_csv(
            good.select(
                "shipment_id",
                "order_id",
                "location_id",
                shipped_at=at,
                sku="sku",
                quantity="shipped",
            ).sort("shipment_id", "sku"),
            truth_dir / "edi_shipments.csv",
        )
        bad = (
            shipments.filter(pl.col("kind") != "")
            .unique("shipment_id", keep="first", maintain_order=True)
            .join(files, on="ship_day")
            .select("file", "shipment_id", order_id="w06_order", kind="kind")
            .sort("file", "shipment_id")
        )
        write_csv(bad, truth_dir / "edi_shipments_injected.csv")
        self.stats.shipments = good.get_column("shipment_id").n_unique()
        self.stats.shipment_files = len(names)
        self.stats.shipments_injected = dict(bad.group_by("kind").len().sort("kind").iter_rows())

    def finish(self, truth_dir: Path) -> None:
        """Write the 945 files and the EDI truth files (orders, planted problems,
        shipments); the 846s follow with ``write_advice`` once the stock is known."""
        if not self.enabled:
            return
        truth_dir.mkdir(parents=True, exist_ok=True)
        self._write_shipments(truth_dir)
        write_csv(
            pl.concat(self._orders)
            .with_columns(
                gross=decimal_text(pl.col("gross_cents")),
                charges=decimal_text(pl.col("charge_cents")),
                total=decimal_text(pl.col("gross_cents") + pl.col("charge_cents")),
            )
            .select("order_id", "day", "lines", "units", "gross", "charges", "total")
            .sort("order_id"),
            truth_dir / "edi_orders.csv",
        )
        injected = (
            pl.concat(self._injected)
            if self._injected
            else pl.DataFrame(
                schema={"file": pl.String, "document_number": pl.String, "kind": pl.String}
            )
        )
        write_csv(injected.sort("file", "document_number"), truth_dir / "edi_injected.csv")
