"""The card an identity pays with (brand + last four) as evidence of who it is."""

from __future__ import annotations

import duckdb
import polars as pl
import pytest

from oms_hub.identity import load_config, resolve
from oms_hub.identity.blocking import candidate_pairs
from oms_hub.identity.compare import compare_pairs
from oms_hub.identity.model import card_u
from oms_hub.identity.standardize import card, standardize_identities
from tests.identity.conftest import identities_only


@pytest.mark.parametrize(
    ("brand", "last4", "want"),
    [
        ("Visa", "4242", "visa:4242"),
        ("VISA", " 4242 ", "visa:4242"),
        ("MasterCard", "0044", "mastercard:0044"),
        ("Mastercard", "0044", "mastercard:0044"),
        ("American Express", "1005", "amex:1005"),
        ("AMEX", "1005", "amex:1005"),
        ("Discover", "0001", "discover:0001"),
        # a brand alone, digits alone, or more of the number than the last four: no card
        ("Visa", None, None),
        (None, "4242", None),
        ("Visa", "4111111111111111", None),
        ("Visa", "42a2", None),
    ],
)
def test_a_card_is_a_brand_code_and_exactly_four_digits(
    brand: str | None, last4: str | None, want: str | None
) -> None:
    frame = pl.DataFrame({"b": [brand], "d": [last4]}, schema={"b": pl.String, "d": pl.String})
    assert frame.select(card(pl.col("b"), pl.col("d"))).item() == want


def _std(rows: list[tuple[str, str, str | None, str | None]]) -> pl.DataFrame:
    return standardize_identities(
        pl.DataFrame(
            {
                "source": ["t"] * len(rows),
                "source_customer_id": [str(i) for i in range(len(rows))],
                "first_name": [r[0] for r in rows],
                "last_name": [r[1] for r in rows],
                "card_brand": [r[2] and r[2].split(":")[0] for r in rows],
                "card_last4": [r[2] and r[2].split(":")[1] for r in rows],
                "email": [r[3] for r in rows],
            }
        )
    )


def test_the_same_card_with_a_name_alike_is_a_candidate_and_agrees() -> None:
    std = _std([
        ("KELROS", "FROKRIMO", "Visa:4242", None),  # a Square instant profile: card name
        ("Kelros", "Frokrimo", "Visa:4242", "kelros@x.org"),  # the web shop
        ("Ana", "Silva", "Visa:4242", None),  # a stranger with the same brand and digits
        ("Kelros", "Frokrimo", "Visa:9999", None),  # another of his cards
    ])  # fmt: skip
    con = duckdb.connect()
    try:
        con.register("s", std)
        con.execute("create table std as select * from s")
        keys = [k for k in load_config().blocking_keys if "card" in k.expr]
        assert _pairs(con, keys) == [(0, 1)]  # the stranger is not blocked with them
        pairs = pl.DataFrame(
            {"l": [0, 0, 1], "r": [1, 3, 2]}, schema={"l": pl.UInt32, "r": pl.UInt32}
        )
        levels = compare_pairs(con, "std", pairs)
    finally:
        con.close()
    assert levels["card"].to_list() == [2, 0, 2]


def _pairs(con, keys) -> list[tuple[int, int]]:
    return candidate_pairs(con, "std", keys, max_block_size=200).rows()


def test_card_chance_agreement_follows_the_brand_mix() -> None:
    # two brands half and half: two cards agree on brand half the time, digits 1 in 10,000
    one = pl.Series([["visa:0001"], ["visa:0002"], ["mastercard:0003"], ["mastercard:0004"], None])
    assert card_u(one) == pytest.approx(0.5 / 10_000)
    # two cards on each side: four chances to have one in common
    two = pl.Series([["visa:0001", "mastercard:0003"], ["visa:0002", "mastercard:0004"]])
    assert card_u(two) == pytest.approx(4 * 0.5 / 10_000)
    assert card_u(pl.Series([None, None], dtype=pl.List(pl.String))) is None


def test_a_shared_card_links_a_card_name_only_store_profile_to_its_web_customer(
    labelled,
) -> None:
    # a realistic population around them; the store profile has nothing but the name on
    # the card and the card itself, the name is common enough not to link on its own
    people = pl.DataFrame(
        [
            {"source": "pos", "source_customer_id": "instant", "first_name": "J",
             "last_name": "Smith", "card_brand": "Visa", "card_last4": "4242"},
            {"source": "shopify", "source_customer_id": "77", "first_name": "Jane",
             "last_name": "Smith", "email": "jane.smith@x.org", "card_brand": "Visa",
             "card_last4": "4242"},
            {"source": "shopify", "source_customer_id": "78", "first_name": "Robert",
             "last_name": "Smith", "email": "robert.smith@y.org", "card_brand": "Visa",
             "card_last4": "1881"},
        ]
    )  # fmt: skip
    population = pl.concat([identities_only(labelled), people], how="diagonal_relaxed")
    with_cards = resolve(population).xref
    keys = dict(zip(*with_cards.select("source_customer_id", "customer_key"), strict=True))
    assert keys["instant"] == keys["77"]
    assert keys["instant"] != keys["78"]
    # without the card the initial and the surname are all there is: a weaker link
    no_cards = resolve(population.with_columns(pl.lit(None, pl.String).alias("card_last4"))).xref

    def score(xref: pl.DataFrame) -> float:
        return xref.filter(pl.col("source_customer_id") == "instant")["match_score"].item() or 0.0

    assert score(with_cards) > 0.999
    assert score(no_cards) < score(with_cards) - 0.01
