from __future__ import annotations

import datetime
import json

import polars as pl
from world_helpers import ERROR_KINDS, MONEY_RE, SQUARE_ZONES, World, money_cents

HEADER = (
    "Date,Time,Time Zone,Category,Item,Qty,Price Point Name,SKU,Modifiers Applied,Gross Sales,"
    "Discounts,Net Sales,Tax,Transaction ID,Payment ID,Device Name,Notes,Details,Event Type,"
    "Location,Customer ID,Customer Name,Customer Reference ID,Itemization Type,Card Brand,"
    "PAN Suffix"
)
RAILS_TO_IANA = {
    "Eastern Time (US & Canada)": "America/New_York",
    "Central Time (US & Canada)": "America/Chicago",
    "Mountain Time (US & Canada)": "America/Denver",
    "Pacific Time (US & Canada)": "America/Los_Angeles",
    "Arizona": "America/Phoenix",
}


def _clean(pos_rows: pl.DataFrame, injected: pl.DataFrame) -> pl.DataFrame:
    errors = injected.filter(pl.col("kind").is_in(list(ERROR_KINDS)))
    return pos_rows.join(errors, on=["file", "row_number"], how="anti")


def test_one_file_per_store_per_day_with_exact_header(world: World) -> None:
    folder = world.landing / "pos"
    names = sorted(p.name for p in folder.iterdir() if p.is_file())
    # the Customer Directory exports live in their own folder (weekly + the last day)
    exports = sorted(p.name for p in (folder / "customers").iterdir())
    assert exports == ["export-20261007-235900.csv", "export-20261008-235900.csv"]
    assert world.summary.directory_files == len(exports)
    stores = pl.read_csv(world.landing / "catalog" / "locations.csv").filter(
        pl.col("kind") == "store"
    )["location_id"]
    days = [datetime.date(2026, 10, 1) + datetime.timedelta(days=d) for d in range(8)]
    expected = {f"square-items-{s}-{d.isoformat()}.csv" for s in stores for d in days}
    originals = {n for n in names if not n.endswith("-reexport.csv")}
    assert originals == expected
    assert len(names) == len(expected) + 1
    assert world.summary.files_written == len(names) + 2
    for path in (p for p in folder.iterdir() if p.is_file()):
        first = path.read_bytes().split(b"\n", 1)[0]
        assert first.decode("utf-8") == HEADER


def test_money_text_format(pos_rows: pl.DataFrame, injected: pl.DataFrame) -> None:
    clean = _clean(pos_rows, injected)
    for col in ("Gross Sales", "Discounts", "Net Sales", "Tax"):
        assert clean[col].str.contains(MONEY_RE).all(), col
    # thousands separators really occur, and cents are exact: net = gross + discounts
    assert clean["Gross Sales"].str.contains(",").any()
    sums = clean.select(
        money_cents("Gross Sales").alias("g"),
        money_cents("Discounts").alias("d"),
        money_cents("Net Sales").alias("n"),
    )
    assert (sums["n"] == sums["g"] + sums["d"]).all()


def test_sale_lines_look_like_square(
    world: World, pos_rows: pl.DataFrame, injected: pl.DataFrame, products: pl.DataFrame
) -> None:
    sales = _clean(pos_rows, injected).filter(pl.col("Event Type") == "Payment")
    assert sales.height > 5_000
    qty = sales["Qty"].cast(pl.Int64)
    assert qty.min() == 1
    assert qty.max() == 5
    # Gross = Qty x catalog price
    priced = sales.join(
        products.select(pl.col("sku").alias("SKU"), "price", "name", "category"), on="SKU"
    )
    assert priced.height == sales.height
    price_cents = priced["price"].str.replace(".", "", literal=True).cast(pl.Int64)
    gross = priced.select(money_cents("Gross Sales")).to_series()
    assert (gross == priced["Qty"].cast(pl.Int64) * price_cents).all()
    assert (priced["Item"] == priced["name"]).all()
    assert (priced["Category"] == priced["category"]).all()
    # Discounts: zero or negative, on about 15 % of lines, 5-30 % off
    disc = priced.select(money_cents("Discounts")).to_series()
    assert (disc <= 0).all()
    share = (disc < 0).mean()
    assert 0.10 < share < 0.20
    pct = (-disc.filter(disc < 0) / gross.filter(disc < 0)).to_numpy()
    assert pct.min() >= 0.045
    assert pct.max() <= 0.305
    # Tax = round(net x store rate)
    rates = json.loads((world.truth / "world.json").read_text())["store_tax_rates_pct"]
    locations = pl.read_csv(world.landing / "catalog" / "locations.csv")
    rate_of = {
        name: float(rates[loc]) / 100
        for loc, name in locations.select("location_id", "name").iter_rows()
        if loc in rates
    }
    taxed = sales.select(
        money_cents("Net Sales").alias("net"),
        money_cents("Tax").alias("tax"),
        pl.col("Location").replace_strict(rate_of).alias("rate"),
    )
    assert taxed["rate"].is_between(0.06, 0.09).all()
    assert ((taxed["tax"] - taxed["net"] * taxed["rate"]).abs() <= 0.5 + 1e-6).all()
    assert set(sales["Itemization Type"]) == {"Physical Item"}
    assert sales["Device Name"].str.contains(r"^Register \d$").all()
    assert sales["Transaction ID"].str.contains(r"^[A-Za-z0-9]{22}$").all()


def test_transactions_share_header_fields(pos_rows: pl.DataFrame, injected: pl.DataFrame) -> None:
    sales = _clean(pos_rows, injected).filter(pl.col("Event Type") == "Payment")
    per_tx = sales.group_by("Transaction ID").agg(
        pl.col("Date", "Time", "Payment ID", "Location", "Customer ID", "file").n_unique(),
        pl.len().alias("lines"),
    )
    for col in ("Date", "Time", "Payment ID", "Location", "Customer ID", "file"):
        assert (per_tx[col] == 1).all(), col
    assert per_tx["lines"].max() <= 8
    assert not sales.select(pl.struct("Transaction ID", "SKU").is_duplicated().any()).item()
    assert 2.2 < per_tx["lines"].mean() < 2.9
    with_customer = per_tx.join(
        sales.group_by("Transaction ID").agg(pl.col("Customer ID").is_not_null().any()),
        on="Transaction ID",
    )["Customer ID_right"].mean()
    assert 0.33 < with_customer < 0.47


def test_dates_times_and_zones(
    world: World, pos_rows: pl.DataFrame, injected: pl.DataFrame, locations: pl.DataFrame
) -> None:
    clean = _clean(pos_rows, injected)
    iso = clean["Date"].str.contains(r"^\d{4}-\d{2}-\d{2}$")
    us = clean["Date"].str.contains(r"^\d{2}/\d{2}/\d{4}$")
    assert (iso | us).all()
    formats = clean.with_columns(us.alias("us")).group_by("file").agg(pl.col("us").n_unique())
    assert (formats["us"] == 1).all()  # one date format per file
    us_files = clean.filter(us)["file"].n_unique()
    all_files = clean["file"].n_unique()
    assert 1 <= us_files <= all_files * 0.25
    # Date is the day in the file name
    file_day = clean["file"].str.extract(r"(\d{4}-\d{2}-\d{2})\.csv$")
    parsed = clean.select(
        pl.coalesce(
            pl.col("Date").str.strptime(pl.Date, "%Y-%m-%d", strict=False),
            pl.col("Date").str.strptime(pl.Date, "%m/%d/%Y", strict=False),
        )
    ).to_series()
    assert (parsed.cast(pl.String) == file_day).all()
    # store hours
    assert clean["Time"].str.contains(r"^\d{2}:\d{2}:\d{2}$").all()
    assert clean["Time"].min() >= "09:00:00"
    assert clean["Time"].max() < "21:00:00"
    # zone text matches the store's IANA zone
    zone = locations.select(pl.col("name").alias("Location"), "time_zone")
    joined = clean.join(zone, on="Location")
    assert joined.height == clean.height
    assert set(clean["Time Zone"]) == SQUARE_ZONES
    assert (joined["Time Zone"].replace_strict(RAILS_TO_IANA) == joined["time_zone"]).all()


def test_quoted_item_name_survives_csv(world: World, pos_rows: pl.DataFrame) -> None:
    tricky = pos_rows.filter(pl.col("Item").str.contains(",") & pl.col("Item").str.contains('"'))
    assert tricky.height >= 1
    # Every file parses into exactly 26 columns per record (checked by a strict reader)
    for path in (world.landing / "pos").glob("*.csv"):
        frame = pl.read_csv(path, infer_schema=False)
        assert frame.width == 26
        assert frame.height == path.read_bytes().count(b"\n") - 1
