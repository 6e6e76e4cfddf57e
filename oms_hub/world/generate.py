"""``generate_world``: the seeded sample world, written to a hub home folder."""

from __future__ import annotations

import datetime
from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

import polars as pl

from oms_hub.world import model
from oms_hub.world.cards import build_cards
from oms_hub.world.edi_partners import SOURCE as EDI_SOURCE
from oms_hub.world.edi_partners import EdiWriter
from oms_hub.world.files import write_csv
from oms_hub.world.inventory import SOURCE as INVENTORY_SOURCE
from oms_hub.world.inventory import InventoryWriter
from oms_hub.world.places import LOCATIONS, STORES
from oms_hub.world.pos_square import SOURCE as POS_SOURCE
from oms_hub.world.pos_square import SquarePosWriter
from oms_hub.world.truth import TruthBook
from oms_hub.world.web_api import ApiWorldWriter, api_orders_per_day
from oms_hub.world.web_settlements import web_settlement_world, write_web_settlements

#: Bump when the same arguments would produce different files (2: WooCommerce card
#: titles, homes and who shops where, session 4).
GENERATOR_VERSION = 2
CATALOG_SOURCE = "catalog"
CATALOG_FILES = ("products.csv", "locations.csv")

Progress = Callable[[str, int, int], None]


class WorldConflictError(ValueError):
    """The landing folder already holds files that this world would not write."""


@dataclass(frozen=True)
class WorldSummary:
    """What :func:`generate_world` wrote.

    ``orders`` are POS transactions, ``order_lines`` the sale rows written (injected rows
    included), ``refund_lines`` the refund rows written, ``customers`` the distinct people
    behind the customer ids that appear in the files, ``files_written`` the files written
    to ``landing/`` (the duplicate re-export included; truth files not counted).
    """

    orders: int
    order_lines: int
    refund_lines: int
    products: int
    locations: int
    customers: int
    customer_ids: int
    files_written: int
    injected: dict[str, int] = field(hash=False)
    landing: Path
    truth: Path
    api_orders: dict[str, int] = field(default_factory=dict, hash=False)
    edi_orders: int = 0
    edi_files: int = 0
    #: Files written to ``landing/inventory/`` (not in ``files_written``) and injected
    #: count discrepancies per cause (see ``oms_hub.world.inventory``).
    inventory_files: int = 0
    inventory_discrepancies: dict[str, int] = field(default_factory=dict, hash=False)
    #: Settlement files written to ``landing/settlements/`` for the web payments (not in
    #: ``files_written``; see ``oms_hub.world.web_settlements``).
    settlement_files: int = 0
    #: Square Customer Directory exports written to ``landing/pos/customers/`` (not in
    #: ``files_written``; see ``oms_hub.world.pos_directory``).
    directory_files: int = 0

    def as_dict(self) -> dict[str, Any]:
        """Plain JSON-friendly values (paths as strings)."""
        out = asdict(self)
        out["landing"] = str(self.landing)
        out["truth"] = str(self.truth)
        out["injected"] = dict(self.injected)
        out["api_orders"] = dict(self.api_orders)
        out["inventory_discrepancies"] = dict(self.inventory_discrepancies)
        return out


def locations_frame() -> pl.DataFrame:
    """``locations.csv`` as written to ``landing/catalog/``."""
    return pl.DataFrame(
        {
            "location_id": [loc.location_id for loc in LOCATIONS],
            "name": [loc.name for loc in LOCATIONS],
            "kind": [loc.kind for loc in LOCATIONS],
            "address": [loc.address for loc in LOCATIONS],
            "city": [loc.city for loc in LOCATIONS],
            "region": [loc.region for loc in LOCATIONS],
            "postal_code": [loc.postal_code for loc in LOCATIONS],
            "country": [loc.country for loc in LOCATIONS],
            "lat": [f"{loc.lat:.4f}" for loc in LOCATIONS],
            "lon": [f"{loc.lon:.4f}" for loc in LOCATIONS],
            "time_zone": [loc.time_zone for loc in LOCATIONS],
            "currency": [loc.currency for loc in LOCATIONS],
            "ships_online": [loc.ships_online for loc in LOCATIONS],
        }
    )


def _check_landing(landing: Path, planned: dict[str, list[str]]) -> None:
    """Refuse to mix two worlds: existing files must all be ones this world rewrites."""
    for source, names in planned.items():
        folder = landing / source
        if not folder.is_dir():
            continue
        allowed = set(names)
        stray = sorted(
            p.name for p in folder.iterdir() if p.is_file() and not p.name.startswith(".")
        )
        stray = [name for name in stray if name not in allowed]
        if stray:
            raise WorldConflictError(
                f"{folder} already holds {len(stray)} file(s) this world would not write "
                f"(e.g. {stray[0]}); generate into an empty home"
            )


def generate_world(
    home: Path,
    *,
    orders: int = 20_000,
    days: int = 30,
    seed: int = 7,
    start: datetime.date = datetime.date(2026, 10, 1),
    progress: Progress | None = None,
    api_orders: int = 0,
    edi_orders: int = 0,
    inventory: bool = True,
) -> WorldSummary:
    """Generate the seeded sample world into ``home/landing/`` with truth in ``home/truth/``.

    Same arguments give byte-identical files. Work streams day by day, so memory stays
    flat whatever ``orders`` is.

    Parameters
    ----------
    home
        The hub home folder (``OMS_HUB_HOME``).
    orders
        Total orders (POS transactions) over all days; about 2.5 lines each.
    days
        Number of trading days, starting at ``start``.
    seed
        World seed.
    start
        First trading day (store-local calendar).
    progress
        Called as ``progress(step, done, total)`` while work advances.
    api_orders
        Orders of the API channels (Shopify, WooCommerce, Amazon; see
        ``oms_hub.world.web_api``), on top of the POS ``orders``. 0 (the default) writes
        a POS-only world.
    edi_orders
        B2B purchase orders sent over EDI (X12 850 / EDIFACT ORDERS) over all days, plus
        daily 846 stock advice; 0 writes no EDI files. A separate count: POS files are
        the same whatever it is.
    inventory
        Also write stock files (``landing/inventory/``) and their truth. POS files are
        the same either way.

    Examples
    --------
    >>> summary = generate_world(Path("/tmp/world"), orders=1_000, days=3)  # doctest: +SKIP
    >>> summary.files_written  # doctest: +SKIP
    39
    """
    if isinstance(orders, bool) or not isinstance(orders, int) or orders < 0:
        raise ValueError(f"orders must be a non-negative integer, got {orders!r}")
    if isinstance(days, bool) or not isinstance(days, int) or days < 1:
        raise ValueError(f"days must be a positive integer, got {days!r}")
    if isinstance(edi_orders, bool) or not isinstance(edi_orders, int) or edi_orders < 0:
        raise ValueError(f"edi_orders must be a non-negative integer, got {edi_orders!r}")
    if not isinstance(start, datetime.date) or isinstance(start, datetime.datetime):
        raise ValueError(f"start must be a date, got {start!r}")
    if isinstance(api_orders, bool) or not isinstance(api_orders, int) or api_orders < 0:
        raise ValueError(f"api_orders must be a non-negative integer, got {api_orders!r}")
    report = progress or (lambda _step, _done, _total: None)

    home = Path(home)
    landing, truth_dir = home / "landing", home / "truth"
    per_day = model.orders_per_day(seed, orders, days, start)
    n_products = model.product_count(orders)
    expected_daily_units = orders * 2.55 * 1.68 / days
    catalog = model.build_catalog(seed, n_products, expected_daily_units)
    people = model.build_people(seed, model.person_count(orders))
    cards = build_cards(seed, len(people))
    stock = (
        InventoryWriter(
            landing=landing,
            seed=seed,
            start=start,
            days=days,
            catalog=catalog,
            expected_daily_units=expected_daily_units,
        )
        if inventory
        else None
    )
    pos = SquarePosWriter(
        landing=landing,
        seed=seed,
        start=start,
        orders_per_day=per_day,
        catalog=catalog,
        people=people,
        cards=cards,
        force_every_kind=orders >= 1_000,
        stock_sink=stock.take_pos if stock else None,
    )
    edi = EdiWriter(
        landing=landing,
        seed=seed,
        start=start,
        days=days,
        orders=edi_orders,
        catalog=catalog,
        stock_sink=stock.take_shipments if stock else None,
    )
    planned = {
        CATALOG_SOURCE: list(CATALOG_FILES),
        POS_SOURCE: pos.file_names(),
        EDI_SOURCE: edi.file_names(),
    }
    if stock:
        planned[INVENTORY_SOURCE] = stock.possible_file_names()
    _check_landing(landing, planned)

    report("catalog", 0, 1)
    catalog_dir = landing / CATALOG_SOURCE
    catalog_dir.mkdir(parents=True, exist_ok=True)
    write_csv(catalog.csv_frame(), catalog_dir / "products.csv")
    write_csv(locations_frame(), catalog_dir / "locations.csv")
    report("catalog", 1, 1)

    truth = TruthBook()
    (landing / POS_SOURCE).mkdir(parents=True, exist_ok=True)
    for d in range(days):
        pos.write_day(d, truth)
        edi.write_day(d, truth)
        report("pos", d + 1, days)
    customers = pos.finish(truth)
    api = None
    if api_orders:
        api = ApiWorldWriter(
            landing=landing,
            seed=seed,
            start=start,
            days=days,
            orders_per_day=api_orders_per_day(seed, api_orders, days, start),
            catalog=catalog,
            people=people,
            cards=cards,
        )
        for d in range(days):
            api.write_day(d)
            report("api", d + 1, days)
    settlement_files: list[str] = []
    if api is not None:  # the processors settle the web payments (own stream)
        web_money = web_settlement_world(
            api.payment_frame(),
            seed=seed,
            start=start,
            days=days,
            shipments=api.amazon_shipments(),
        )
        settlement_files = write_web_settlements(home, web_money)
    edi.finish(truth_dir)
    if stock and api is not None:  # fulfilled Shopify orders left their ship-from location
        stock.take_shipments(api.shopify_fulfillments())
    if stock:
        report("inventory", 0, 1)
        stock.write(truth_dir)
        report("inventory", 1, 1)
    # the 3PL's 846s report the DCs' book stock (random without a stock world)
    edi.write_advice(truth_dir, stock.book_before if stock else None)

    stats = pos.stats
    summary = WorldSummary(
        orders=stats.orders,
        order_lines=stats.sale_lines,
        refund_lines=stats.refund_lines,
        products=n_products,
        locations=len(LOCATIONS),
        customers=customers,
        customer_ids=truth.identities().height,
        files_written=len(CATALOG_FILES)
        + len(stats.files)
        + len(edi.stats.files)
        + (len(api.stats.files) if api else 0),
        injected=dict(stats.injected),
        landing=landing,
        truth=truth_dir,
        edi_orders=edi.stats.orders,
        edi_files=len(edi.stats.files),
        inventory_files=len(stock.stats.files) if stock else 0,
        inventory_discrepancies=dict(stock.stats.discrepancies) if stock else {},
        api_orders=dict(api.stats.orders) if api else {},
        settlement_files=len(settlement_files),
        directory_files=len(stats.directory_files),
    )
    report("truth", 0, 1)
    world = {
        "generator": {"name": "oms_hub.world", "version": GENERATOR_VERSION},
        "arguments": {"orders": orders, "days": days, "seed": seed, "start": start},
        "summary": {
            k: v
            for k, v in summary.as_dict().items()
            if k not in ("landing", "truth")
            and not (k.startswith("edi_") and not v)
            and (k != "settlement_files" or v)
            and (k != "api_orders" or v)
        },
        "channels": {"pos": {"source": POS_SOURCE, "files": len(stats.files)}},
        "inventory": stock.truth_summary() if stock else None,
        "store_tax_rates_pct": {
            s.location_id: f"{s.tax_rate_milli_pct / 1000:.3f}" for s in STORES
        },
    }
    if api is not None:
        world["arguments"]["api_orders"] = api_orders
        for source, count in api.stats.orders.items():
            world["channels"][source] = {"source": source, "orders": count}
    if edi.enabled:
        world["arguments"]["edi_orders"] = edi_orders
        world["channels"]["edi"] = {
            "source": EDI_SOURCE,
            "files": len(edi.stats.files),
            "orders": edi.stats.orders,
            "order_lines": edi.stats.lines,
            "inventory_advice_rows": edi.stats.advice_rows,
            "injected": dict(edi.stats.injected),
            "resent_interchange": edi.stats.resent,
            "shipments": edi.stats.shipments,
            "shipment_files": edi.stats.shipment_files,
            "shipments_injected": dict(edi.stats.shipments_injected),
        }
    if api is not None:
        truth.add_identities(api.identity_truth())
    truth.write(truth_dir, world)
    if api is not None:
        write_csv(api.truth_frame(), truth_dir / "api_orders.csv")
    report("truth", 1, 1)
    return summary
