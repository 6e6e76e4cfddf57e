"""How the world's store sales were paid: Square's ``Card Brand`` and ``PAN Suffix``."""

from __future__ import annotations

import polars as pl
from world_helpers import World

from oms_hub.connectors.pos import parse_square_items

BRANDS = {"Visa", "MasterCard", "American Express", "Discover"}


def _payments(pos_rows: pl.DataFrame) -> pl.DataFrame:
    """One row per sale (its first line), with the card it shows."""
    return (
        pos_rows.filter(
            (pl.col("Event Type") == "Payment") & pl.col("Transaction ID").is_not_null()
        )
        .group_by("Transaction ID")
        .agg(pl.col("Customer ID", "Card Brand", "PAN Suffix").first())
    )


def _instant_profiles(world: World) -> pl.Series:
    exports = sorted((world.landing / "pos" / "customers").glob("export-*.csv"))
    last = pl.read_csv(exports[-1], infer_schema=False)
    return last.filter(pl.col("Instant Profile") == "Yes")["Square Customer ID"]


def test_card_columns_hold_a_brand_and_four_digits_or_nothing(pos_rows: pl.DataFrame) -> None:
    brand, suffix = pl.col("Card Brand"), pl.col("PAN Suffix")
    both = pos_rows.select((brand.is_null() == suffix.is_null()).all()).item()
    assert both  # cash: both blank; card: both filled
    cards = pos_rows.filter(suffix.is_not_null())
    assert set(cards["Card Brand"].unique()) == BRANDS
    assert cards["PAN Suffix"].str.contains(r"^[0-9]{4}$").all()
    assert cards["PAN Suffix"].str.starts_with("0").any()  # zero-padded, never shortened


def test_every_line_and_refund_of_a_sale_shows_the_sale_card(pos_rows: pl.DataFrame) -> None:
    with_id = pos_rows.filter(pl.col("Transaction ID").is_not_null())
    per_sale = with_id.group_by("Transaction ID").agg(
        pl.struct("Card Brand", "PAN Suffix").n_unique().alias("cards"),
        (pl.col("Event Type") == "Refund").any().alias("refunded"),
    )
    assert per_sale["cards"].max() == 1
    assert per_sale["refunded"].sum() > 20  # refund rows were really compared


def test_card_and_cash_shares(pos_rows: pl.DataFrame, world: World) -> None:
    sales = _payments(pos_rows)
    instant = _instant_profiles(world)
    other = sales.filter(~pl.col("Customer ID").is_in(instant.implode()).fill_null(False))
    card = other["PAN Suffix"].is_not_null()
    assert 0.76 < card.mean() < 0.84  # card 80 %, cash 20 %
    anonymous = other.filter(pl.col("Customer ID").is_null())["PAN Suffix"].is_not_null()
    assert 0.75 < anonymous.mean() < 0.85
    visa = sales.filter(pl.col("Card Brand").is_not_null())["Card Brand"] == "Visa"
    assert 0.48 < visa.mean() < 0.62


def test_an_instant_profile_always_pays_with_the_card_that_created_it(
    pos_rows: pl.DataFrame, world: World
) -> None:
    instant = _instant_profiles(world)
    assert instant.len() > 50
    sales = _payments(pos_rows).filter(pl.col("Customer ID").is_in(instant.implode()))
    assert sales["PAN Suffix"].null_count() == 0  # never cash
    per_profile = sales.group_by("Customer ID").agg(
        pl.len().alias("sales"), pl.struct("Card Brand", "PAN Suffix").n_unique().alias("cards")
    )
    assert per_profile.filter(pl.col("sales") >= 2).height > 20  # repeat visits exist
    assert per_profile["cards"].max() == 1
    # other profiles do switch cards (several cards, phone wallets), so the rule is real
    others = (
        _payments(pos_rows)
        .filter(
            pl.col("Customer ID").is_not_null() & ~pl.col("Customer ID").is_in(instant.implode())
        )
        .drop_nulls("PAN Suffix")
        .group_by("Customer ID")
        .agg(pl.struct("Card Brand", "PAN Suffix").n_unique().alias("cards"))
    )
    assert others["cards"].max() > 1


def test_world_files_stage_their_cards_through_the_parser(world: World) -> None:
    path = max((world.landing / "pos").glob("square-items-*.csv"), key=lambda p: p.stat().st_size)
    result = parse_square_items(path.read_bytes(), landed_file=f"pos/{path.name}")
    assert result.quarantine.filter(pl.col("error_code") == "bad_pan_suffix").height == 0
    raw = pl.read_csv(path, infer_schema=False).with_columns(
        pl.format("row {}", pl.int_range(1, pl.len() + 1)).alias("locator")
    )
    staged = result.staged.join(raw.select("locator", "Card Brand", "PAN Suffix"), on="locator")
    assert staged.height == result.staged.height > 50
    assert staged["card_last4"].is_not_null().sum() > 0
    assert staged["card_last4"].is_null().sum() > 0
    assert (
        staged.select(
            (pl.col("card_last4").eq_missing(pl.col("PAN Suffix")))
            & pl.col("card_brand").eq_missing(pl.col("Card Brand"))
        )
        .to_series()
        .all()
    )
