"""The sample world's API channels: native pages in, each order once at its latest state out."""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

import duckdb
import numpy as np
import polars as pl
import pytest

from oms_hub.home import Home
from oms_hub.identity.evaluate import world_scores
from oms_hub.identity.feeds import order_identity
from oms_hub.pipeline import run_pipeline
from oms_hub.storage.lake import Lake
from oms_hub.world import generate_world
from oms_hub.world.homes import home_stores
from oms_hub.world.model import People, build_people, person_count
from oms_hub.world.places import STORES
from oms_hub.world.web_customers import build_contacts

WORLD = {"orders": 600, "days": 4, "seed": 5}


def _digests(folder: Path) -> dict[str, str]:
    return {
        p.relative_to(folder).as_posix(): hashlib.sha256(p.read_bytes()).hexdigest()
        for p in sorted(folder.rglob("*"))
        if p.is_file()
    }


@pytest.fixture(scope="module")
def api_world(tmp_path_factory: pytest.TempPathFactory) -> Home:
    root = tmp_path_factory.mktemp("apiworld")
    generate_world(root, **WORLD, api_orders=900)
    home = Home(root)
    report = run_pipeline(home)
    assert all(report.checks.values()), report.checks
    return home


def test_pos_files_are_unchanged_by_the_api_channels(api_world: Home, tmp_path: Path) -> None:
    generate_world(tmp_path, **WORLD)
    pos_only = _digests(tmp_path / "landing" / "pos")
    assert pos_only == _digests(api_world.landing / "pos")
    assert not (tmp_path / "truth" / "api_orders.csv").exists()


def test_api_pages_are_deterministic(api_world: Home, tmp_path: Path) -> None:
    generate_world(tmp_path, **WORLD, api_orders=900)
    for source in ("shopify", "woocommerce", "amazon"):
        assert _digests(tmp_path / "landing" / source) == _digests(api_world.landing / source)


def test_core_orders_match_the_truth_to_the_cent(api_world: Home) -> None:
    con = duckdb.connect(str(api_world.catalog), read_only=True)
    try:
        got = pl.from_arrow(
            con.sql(
                "select order_id, status, cast(total as varchar) as total, "
                "cast(coalesce(refunded_amount, 0) as varchar) as refunded, "
                "cast(line_count as bigint) as lines from core.orders where source <> 'pos'"
            ).to_arrow_table()
        )
        held = con.execute(
            "select count(*) from ops.quarantine where error_code = 'awaiting_prices'"
        ).fetchone()[0]
    finally:
        con.close()
    truth = pl.read_csv(api_world.truth / "api_orders.csv", infer_schema=False)
    expected = truth.filter(~pl.col("status").str.starts_with("held"))
    assert set(truth["source"].unique()) == {"shopify", "woocommerce", "amazon"}
    assert got.height == expected.height
    assert set(truth["status"]) >= {"open", "completed", "cancelled"}
    joined = expected.join(got, on="order_id", how="left", suffix="_got")
    for column in ("status", "total", "refunded"):
        assert (joined[column] == joined[f"{column}_got"]).all(), column
    assert (joined["lines"].cast(pl.Int64) == joined["lines_got"]).all()
    # One sale per Shopify / Woo order, one refund per refunded one; tokens only.
    con = duckdb.connect(str(api_world.catalog), read_only=True)
    try:
        kinds = dict(
            con.execute(
                "select kind, count(*) from core.payments where source <> 'pos' group by 1"
            ).fetchall()
        )
        sales_match = con.execute(
            "select count(*) from core.payments p join core.orders o using (order_id) "
            "where p.kind = 'sale' and p.amount = o.total"
        ).fetchone()[0]
    finally:
        con.close()
    web = expected.filter(pl.col("source") != "amazon")
    assert kinds == {
        "sale": web.height,
        "refund": web.filter(pl.col("refunded") != "0.00").height,
    }
    assert sales_match == web.height
    # A Pending Amazon order still unpriced at the end is held: header and items document.
    assert held == 2 * truth.filter(pl.col("status") == "held:awaiting_prices").height


def test_web_buyers_are_the_world_people_and_resolve_against_the_truth(api_world: Home) -> None:
    truth = pl.read_csv(api_world.truth / "identities.csv", infer_schema=False)
    xref = Lake(api_world).read("core.customer_xref")
    web_truth = truth.filter(pl.col("source") != "pos")
    web_xref = xref.filter(pl.col("source") != "pos")
    assert set(web_truth["source"]) == {"shopify", "woocommerce", "amazon"}
    # every web/marketplace identity the hub saw is in the truth, and the other way round
    keys = ["source", "source_customer_id"]
    assert web_xref.select(keys).sort(keys).equals(web_truth.select(keys).sort(keys))
    assert web_truth["source_customer_id"].str.starts_with("order:").any()  # guests
    # the same persons shop in stores and online (one person_id space)
    pos_people = set(truth.filter(pl.col("source") == "pos")["person_id"])
    assert len(pos_people & set(web_truth["person_id"])) > 50
    scores = world_scores(xref, truth)
    assert scores["unmatched_xref"] == 0
    # no placeholder buyers left: every web identity links to its person's others
    web = scores["without_pos"]
    assert web["true_pairs"] > 100
    assert web["precision"] >= 0.98, web
    assert web["recall"] >= 0.85, web
    # POS profiles get email/phone/ZIP from the Square Customer Directory exports, so
    # most of their pairs are found; instant profiles (a card name only) stay apart
    assert scores["overall"]["precision"] >= 0.98
    pos = scores["per_source"]["pos"]
    assert pos["true_pairs"] > 100
    assert pos["recall"] >= 0.75, pos
    assert pos["precision"] >= 0.98, pos
    pos_xref = xref.filter(pl.col("source") == "pos")
    assert pos_xref["landed_file"].str.starts_with("pos/customers/export-").all()


def test_web_orders_ship_to_their_buyers_home_zip(api_world: Home) -> None:
    # every channel takes a buyer's ZIP from the world's contacts: their home ZIP (in a
    # store's 3-digit trade area for the 70 % living near a store) or the one after a move
    seed, people = WORLD["seed"], person_count(WORLD["orders"])
    contacts = build_contacts(seed, build_people(seed, people)).frame.with_columns(
        person_id=People.person_ids(np.arange(people)), home=pl.Series(home_stores(seed, people))
    )
    truth = pl.read_csv(api_world.truth / "identities.csv", infer_schema=False)
    orders = (
        Lake(api_world)
        .read("core.orders")
        .filter(pl.col("source") != "pos")
        .select("source", "ship_postal_code", source_customer_id=order_identity())
        .join(truth, on=["source", "source_customer_id"])
        .join(contacts, on="person_id")
    )
    assert set(orders["source"]) == {"shopify", "woocommerce", "amazon"}
    assert orders.height > 300
    code = pl.col("ship_postal_code")
    assert orders.select(((code == pl.col("zip")) | (code == pl.col("new_zip"))).all()).item()
    prefixes = dict(enumerate(s.postal_code[:3] for s in STORES))
    residents = orders.filter(pl.col("home") >= 0).with_columns(
        prefix=pl.col("home").replace_strict(prefixes, return_dtype=pl.String)
    )
    assert 0.6 < residents.height / orders.height < 0.8  # web buyers live anywhere
    assert (residents["ship_postal_code"].str.slice(0, 3) == residents["prefix"]).mean() > 0.9


def test_orders_carry_the_customer_key_of_their_identity(api_world: Home) -> None:
    orders = Lake(api_world).read("core.orders")
    xref = Lake(api_world).read("core.customer_xref")
    expected = orders.select(
        "order_id", "source", order_identity().alias("source_customer_id")
    ).join(
        xref.select("source", "source_customer_id", "customer_key"),
        on=["source", "source_customer_id"],
        how="left",
    )
    got = orders.select("order_id", "customer_key").join(
        expected.select("order_id", expected_key="customer_key"), on="order_id"
    )
    assert got.height == orders.height
    assert got["customer_key"].equals(got["expected_key"], check_names=False)
    keyed = orders.filter(pl.col("customer_key").is_not_null())
    assert set(keyed["source"]) == {"pos", "shopify", "woocommerce", "amazon"}
    # guests (no customer id) are keyed through their order identity; anonymous sales not
    assert keyed.filter(pl.col("source_customer_id").is_null()).height > 0
    anonymous = orders.filter((pl.col("source") == "amazon") & pl.col("customer_email").is_null())
    assert anonymous.height > 0
    assert anonymous["customer_key"].is_null().all()
    # customer_360 counts exactly the keyed orders
    mart = Lake(api_world).read("marts.customer_360")
    assert mart["orders"].sum() == keyed.height


def test_an_amazon_buyer_keeps_one_relay_address_across_orders(api_world: Home) -> None:
    # SP-API BuyerInfo.BuyerEmail: the buyer's anonymized address, the same on every
    # order of that buyer to this seller (and a different one for every other buyer)
    orders = pl.concat(
        pl.DataFrame(json.loads(p.read_bytes())["payload"]["Orders"]).select(
            source_customer_id=pl.format("order:{}", "AmazonOrderId"),
            relay=pl.col("BuyerInfo").struct.field("BuyerEmail"),
        )
        for p in sorted((api_world.landing / "amazon").glob("orders-*.json"))
    ).drop_nulls("relay")
    truth = pl.read_csv(api_world.truth / "identities.csv", infer_schema=False)
    buyers = orders.join(truth.filter(pl.col("source") == "amazon"), on="source_customer_id")
    assert buyers.height == orders.height > 20
    assert buyers["relay"].str.ends_with("@marketplace.amazon.com").all()
    per_person = buyers.group_by("person_id").agg(pl.col("relay").n_unique(), pl.len())
    assert (per_person["relay"] == 1).all()
    assert (per_person["len"] > 1).any()  # some buyer did order twice
    assert buyers.group_by("relay").agg(pl.col("person_id").n_unique())["person_id"].max() == 1
    # and the hub resolves a buyer's orders to one customer
    xref = Lake(api_world).read("core.customer_xref").filter(pl.col("source") == "amazon")
    keys = buyers.join(xref, on="source_customer_id").group_by("relay")
    assert (keys.agg(pl.col("customer_key").n_unique())["customer_key"] == 1).all()


def test_fulfilled_shopify_orders_leave_their_location_and_dc_stock_drops(api_world: Home) -> None:
    """Every fulfilled Shopify order is a sale out of the location it shipped from: the
    hub's DC on hand equals the world's books, which include those shipments."""
    lake = Lake(api_world)
    moves = lake.read("core.inventory_movements").filter(
        (pl.col("source") == "shopify") & (pl.col("kind") == "sale")
    )
    truth = pl.read_csv(api_world.truth / "api_orders.csv").filter(
        (pl.col("source") == "shopify") & (pl.col("status") == "completed")
    )
    assert truth.height > 10
    assert moves["shipment_id"].null_count() == 0
    assert set(moves["reference"]) == set(truth["order_id"])
    assert -int(moves["quantity"].sum()) == int(truth["units"].sum())
    dc_units = -int(moves.filter(pl.col("location_id").str.starts_with("DC-"))["quantity"].sum())
    assert dc_units > 0
    dcs = pl.col("location_id").str.starts_with("DC-")
    books = pl.read_csv(api_world.truth / "inventory_on_hand.csv").filter(dcs)
    hub = lake.read("core.inventory_positions").filter(dcs).select("sku", "location_id", "on_hand")
    both = books.join(hub, on=["sku", "location_id"], how="full", coalesce=True).fill_null(0)
    assert (both["on_hand"] == both["on_hand_right"]).all()
    # the world's DC books count the Shopify shipments: the hub's on hand matches them
    # only because those units left (it would be dc_units higher without them)
    assert int(hub["on_hand"].sum()) == int(books["on_hand"].sum())


def test_a_configured_ship_from_dc_moves_stock_for_woo_and_amazon_mfn(api_world, copy_home) -> None:
    from oms_hub.steps.inventory import build_stock_ledger

    home = copy_home(api_world)
    (home.root / "config").mkdir(exist_ok=True)
    (home.root / "config" / "web-ship-from.yaml").write_text(
        "woocommerce: DC-EAST\namazon: DC-EAST\n"
    )
    east = (pl.col("location_id") == "DC-EAST") & (pl.col("bucket") == "sellable")
    before = int(Lake(home).read("core.inventory_movements").filter(east)["quantity"].sum())
    summary = build_stock_ledger(home)
    lake = Lake(home)
    orders = lake.read("core.orders").filter(
        pl.col("source").is_in(["woocommerce", "amazon"])
        & (pl.col("status") == "completed")
        & (pl.col("fulfilled_by") == "merchant")
    )
    want = int(
        lake.read("core.order_lines").join(orders, on="order_id", how="semi")["quantity"].sum()
    )
    assert want > 0
    assert summary["default_dc_units_shipped"] == want
    moved = lake.read("core.inventory_movements").filter(
        pl.col("shipment_id").str.ends_with(":shipped")
    )
    assert set(moved["location_id"]) == {"DC-EAST"}
    assert -int(moved["quantity"].sum()) == want
    # DC-EAST on hand drops by exactly those units (nothing else changed)
    after = int(lake.read("core.inventory_movements").filter(east)["quantity"].sum())
    assert after == before - want


def _staged_cards_against_truth(home: Home, spec, source: str) -> pl.DataFrame:
    """Each truth order of ``source`` with the card its latest staged row carries
    (``*_got``); asserts the two agree exactly and no more than four digits are staged."""
    from oms_hub.steps.staging import staged_rows

    rows = staged_rows(home, spec)
    assert rows is not None
    staged = (
        rows.sort("version_at")
        .group_by("source_order_id")
        .agg(pl.col("card_brand", "card_last4", "source_customer_id").last())
        .collect()
        .with_columns(order_id=pl.format(source + ":{}", "source_order_id"))
    )
    truth = pl.read_csv(home.truth / "api_orders.csv", infer_schema=False).filter(
        pl.col("source") == source
    )
    joined = truth.join(staged, on="order_id", how="left", suffix="_got")
    assert joined.height == truth.height > 100
    assert joined["card_brand"].eq_missing(joined["card_brand_got"]).all()
    assert joined["card_last4"].eq_missing(joined["card_last4_got"]).all()
    assert staged["card_last4"].drop_nulls().str.contains(r"^[0-9]{4}$").all()
    return joined


def test_shopify_orders_stage_the_card_that_paid_them(api_world: Home) -> None:
    """The lake's staged Shopify rows carry the world's cards: brand + last four only."""
    from oms_hub.sources import SHOPIFY

    joined = _staged_cards_against_truth(api_world, SHOPIFY, "shopify")
    assert joined["card_last4"].is_not_null().any()


def test_woocommerce_orders_stage_the_card_and_their_identities_carry_it(
    api_world: Home,
) -> None:
    """Woo's staged rows carry the card each order's title shows (Payment Plugins for
    Stripe), exactly the world's; every Woo identity that paid by card carries it."""
    from oms_hub.sources import WOOCOMMERCE
    from oms_hub.steps.customers import collect_identities

    joined = _staged_cards_against_truth(api_world, WOOCOMMERCE, "woocommerce")
    assert 0.65 < joined["card_last4"].is_not_null().mean() < 0.85  # PayPal: no card
    # the identities: an account's cards are the cards its orders showed
    identities = collect_identities(api_world).filter(pl.col("source") == "woocommerce")
    paid = (
        joined.filter(pl.col("card_last4").is_not_null())
        .select(
            source_customer_id=pl.coalesce(
                "source_customer_id", pl.format("order:{}", "source_order_id")
            ),
            card=pl.format("{} {}", "card_brand", "card_last4"),
        )
        .unique()
    )
    carded = identities.filter(pl.col("card_last4").is_not_null())
    assert carded.height > 50
    assert carded["cards"].str.contains(r"^[A-Za-z]+ [0-9]{4}(; [A-Za-z]+ [0-9]{4})*$").all()
    listed = carded.select("source_customer_id", card=pl.col("cards").str.split("; ")).explode(
        "card"
    )
    assert listed.sort(pl.all()).equals(
        paid.join(carded, on="source_customer_id", how="semi").sort(pl.all())
    )


def test_the_customers_step_upgrades_a_state_saved_before_store_areas(api_world, copy_home) -> None:
    """A deployment's saved identity state predates a source column (here the store a
    POS profile buys at): the next run must not fail, must fill it in and keep keys."""
    from oms_hub.identity import IdentityState
    from oms_hub.steps.customers import build_customers

    home = copy_home(api_world)
    folder = home.state / "identity"
    state = IdentityState.load(folder)
    assert state is not None
    assert state.rows["store_postal_code"].drop_nulls().len() > 0
    before = dict(state.rows.select("identity", "customer_key").iter_rows())
    newer = ["store_postal_code", "std_area", "std_store_area"]
    IdentityState(
        rows=state.rows.drop(newer), customers=state.customers, model=state.model,
        keys=state.keys,
    ).save(folder)  # fmt: skip
    summary = build_customers(home)
    assert summary["mode"] in ("full", "incremental")  # the POS profiles changed
    after = IdentityState.load(folder)
    assert after is not None
    assert after.rows["store_postal_code"].drop_nulls().len() > 0
    keys = dict(after.rows.select("identity", "customer_key").iter_rows())
    kept = sum(keys[i] == k for i, k in before.items())
    assert kept / len(before) > 0.99  # no renumbering


def test_the_amazon_documents_stage_into_a_few_batches_and_the_audit_balances(
    api_world: Home,
) -> None:
    """One items document per order lands, yet the stream stages into one batch."""
    from oms_hub.sources import STAGED_SOURCES, STREAMS
    from oms_hub.steps.staging import parse_logs, quarantine_scan

    amazon = STREAMS["amazon/orders"]
    files = amazon.files(Lake(api_world))
    assert parse_logs(api_world, [amazon]).height > 100
    assert len(list(files.rows_dir.iterdir())) == 1
    assert len(list(files.log_dir.iterdir())) == 1
    assert len(list(files.quarantine_dir.iterdir())) == 1
    audit = Lake(api_world).read("ops.load_audit")
    assert audit.get_column("unaccounted").abs().sum() == 0
    assert audit.height == parse_logs(api_world, list(STAGED_SOURCES)).height
    con = duckdb.connect(str(api_world.catalog), read_only=True)
    in_view = con.execute("select count(*) from ops.quarantine").fetchall()[0][0]
    assert in_view == quarantine_scan(api_world, list(STAGED_SOURCES)).collect().height > 0
