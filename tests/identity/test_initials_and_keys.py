"""Initials and surname typos: one-sided blocking keys, the initial's own level, and the
given name an initial's email spells out."""

from __future__ import annotations

from pathlib import Path

import duckdb
import polars as pl
import pytest

from oms_hub.identity.blocking import (
    BlockingKey,
    candidate_pairs,
    incremental_pairs,
    key_hashes,
)
from oms_hub.identity.compare import compare_pairs
from oms_hub.identity.config import IdentityConfigError, load_config
from oms_hub.identity.standardize import first_from_email, standardize_identities

INITIAL_KEY = BlockingKey("left(first, 1) || ':' || last", either="length(first) = 1")


def _std(people: list[tuple[str, str, str | None]]) -> pl.DataFrame:
    return standardize_identities(
        pl.DataFrame(
            {
                "source": ["t"] * len(people),
                "source_customer_id": [str(i) for i in range(len(people))],
                "first_name": [p[0] for p in people],
                "last_name": [p[1] for p in people],
                "email": [p[2] for p in people],
            }
        )
    )


def _pairs(std: pl.DataFrame, keys, *, new_from: int | None = None) -> list[tuple[int, int]]:
    con = duckdb.connect()
    try:
        con.register("std", std)
        return candidate_pairs(con, "std", keys, max_block_size=50, new_from=new_from).rows()
    finally:
        con.close()


def test_a_one_sided_key_pairs_an_initial_with_every_name_it_may_stand_for_only() -> None:
    std = _std([("R.", "Smith", None), ("Robert", "Smith", None), ("Rachel", "Smith", None)])
    # the initial meets both; the two full names that merely share an initial do not meet
    assert _pairs(std, [INITIAL_KEY]) == [(0, 1), (0, 2)]
    # without the condition the key is an ordinary one
    assert _pairs(std, [INITIAL_KEY.expr]) == [(0, 1), (0, 2), (1, 2)]


def test_incremental_pairs_honour_the_one_sided_condition_like_a_full_run() -> None:
    std = _std([("Robert", "Smith", None), ("R", "Smith", None), ("Rachel", "Smith", None)])
    con = duckdb.connect()
    try:
        con.register("std", std)
        hashes = key_hashes(con, "std", [INITIAL_KEY])
    finally:
        con.close()
    assert "bke_0" in hashes.columns
    # Rachel arrives last: she meets the initial, not Robert
    late = incremental_pairs(hashes.head(2), hashes.tail(1), max_block_size=50)
    assert late.rows() == [(1, 2)]
    assert late.rows() == [p for p in _pairs(std, [INITIAL_KEY], new_from=2)]


def test_blocking_keys_in_yaml_may_be_one_sided_and_bad_ones_are_named(tmp_path: Path) -> None:
    good = tmp_path / "good.yaml"
    good.write_text(
        "blocking_keys:\n  - email\n"
        "  - key: left(first, 1) || ':' || last\n    either: length(first) = 1\n"
    )
    keys = load_config(good).blocking_keys
    assert keys == (BlockingKey("email"), INITIAL_KEY)
    assert keys[1].text == "left(first, 1) || ':' || last [either: length(first) = 1]"
    bad = tmp_path / "bad.yaml"
    bad.write_text("blocking_keys:\n  - key: email\n    when: length(first) = 1\n")
    with pytest.raises(IdentityConfigError, match="blocking_keys: a blocking key is"):
        load_config(bad)
    assert any(k.either for k in load_config().blocking_keys)


def test_a_surname_with_a_letter_dropped_is_still_a_candidate_pair() -> None:
    std = _std([("Fropel", "Keltostan", None), ("Fropel", "Keltotan", None),
                ("Fropel", "Marsh", None)])  # fmt: skip
    assert _pairs(std, load_config().blocking_keys) == [(0, 1)]


@pytest.mark.parametrize(
    ("first", "last", "email", "want"),
    [
        ("k", "frokrimo", "kelros.frokrimo285@gmail.com", "kelros"),
        ("k", "frokrimo", "kelros_frokrimo@x.com", "kelros"),
        ("k", "frokrimo", "kelrosfrokrimo@x.com", "kelros"),
        # not an initial, or the email does not spell a name before the surname
        ("kelros", "frokrimo", "kelros.frokrimo@x.com", None),
        ("m", "phhallan", "mphhallan2004@aol.com", None),
        ("j", "smith", "js@x.com", None),
        # the email's name does not start with the initial
        ("k", "smith", "john.smith@x.com", None),
        ("k", "frokrimo", None, None),
    ],
)
def test_an_initial_is_spelled_out_from_its_own_email(
    first: str, last: str, email: str | None, want: str | None
) -> None:
    frame = pl.DataFrame({"f": [first], "l": [last], "e": [email]}, schema={"f": pl.String, "l": pl.String, "e": pl.String})  # fmt: skip
    got = frame.select(first_from_email(pl.col("f"), pl.col("l"), pl.col("e"))).item()
    assert got == want


def test_an_initial_has_its_own_level_and_its_email_can_contradict_a_given_name() -> None:
    std = _std([
        ("K.", "Frokrimo", "kelros.frokrimo285@gmail.com"),  # 0: an initial whose email says Kelros
        ("Kelros", "Frokrimo", None),  # 1
        ("Karen", "Frokrimo", None),  # 2
        ("K", "Frokrimo", None),  # 3: an initial, no email
        ("Frokrimo", "Kelros", None),  # 4: names swapped
        ("Kate", "Frokrimo", None),  # 5
    ])  # fmt: skip
    assert std["first"].to_list()[0] == "k"  # the typed initial is kept
    assert std["spelled"].to_list()[:2] == ["kelros", None]
    con = duckdb.connect()
    try:
        con.register("s", std)
        con.execute("create table std as select * from s")
        pairs = pl.DataFrame(
            {"l": [0, 0, 3, 0, 1, 3], "r": [1, 2, 2, 4, 2, 5]},
            schema={"l": pl.UInt32, "r": pl.UInt32},
        )
        levels = compare_pairs(con, "std", pairs)
        first = dict(zip(zip(levels["l"], levels["r"], strict=True), levels["first"], strict=True))
    finally:
        con.close()
    # K.(Kelros)~Kelros: initial; K.(Kelros)~Karen: different; K~Karen: initial;
    # K.(Kelros)~swapped Kelros: not contradicted; Kelros~Karen: loosely alike at most;
    # K~Kate: initial (not nearly the same spelling, as "k" and "kate" might score)
    assert first[(0, 1)] == 2
    assert first[(0, 2)] == 0
    assert first[(3, 2)] == 2
    assert first[(0, 4)] != 0
    assert first[(1, 2)] <= 1
    assert first[(3, 5)] == 2


def test_an_initial_meets_the_formal_name_of_a_nickname_and_a_longer_spelling() -> None:
    std = _std([
        ("R.", "Ashtempel", None),  # 0: a card's initial of Robert
        ("Bob", "Ashtempel", None),  # 1
        # 2: the email spells "brilovander" against the surname "Berg" typed here
        ("B.", "Berg", "brilo.vanderberg79@gmail.com"),
        ("Brilo", "Berg", None),  # 3
        ("Bertram", "Berg", None),  # 4
        ("Tony", "Ashtempel", None),  # 5
    ])  # fmt: skip
    assert std["spelled"].to_list()[2] == "brilovander"
    # R. and Bob share no letter: only the formal name's initial pairs them
    assert (0, 1) in _pairs(std, load_config().blocking_keys)
    con = duckdb.connect()
    try:
        con.register("s", std)
        con.execute("create table std as select * from s")
        pairs = pl.DataFrame(
            {"l": [0, 2, 2, 0], "r": [1, 3, 4, 5]}, schema={"l": pl.UInt32, "r": pl.UInt32}
        )
        levels = compare_pairs(con, "std", pairs)
        first = dict(zip(zip(levels["l"], levels["r"], strict=True), levels["first"], strict=True))
    finally:
        con.close()
    assert first[(0, 1)] == 2  # R. ~ Bob (Robert): the initial level
    assert first[(2, 3)] == 2  # B. (brilovander) ~ Brilo: not contradicted
    assert first[(2, 4)] == 0  # B. (brilovander) ~ Bertram: contradicted
    assert first[(0, 5)] == 0  # R. ~ Tony (Anthony): different


def test_incremental_pairs_equal_the_full_run_s_when_keys_are_missing() -> None:
    # emails missing on most identities: a missing value is no block (DuckDB hashes NULL
    # to a constant, which once paired every identity without an email with every other)
    std = _std([("Ann", "Lee", "ann@x.org"), ("Bo", "Li", None), ("Cy", "Ng", None),
                ("Ann", "Lee", "ann@x.org"), ("Di", "Wu", None)])  # fmt: skip
    keys = ["email", "first_canon || ':' || last"]
    con = duckdb.connect()
    try:
        con.register("std", std)
        hashes = key_hashes(con, "std", keys)
    finally:
        con.close()
    assert hashes["bk_0"].null_count() == 3
    late = incremental_pairs(hashes.head(3), hashes.tail(2), max_block_size=50)
    assert late.rows() == _pairs(std, keys, new_from=3) == [(0, 3)]


@pytest.mark.parametrize(
    ("line", "message"),
    [
        ("cannot_link_below: 1e-5", r"must be a number, got '1e-5' \(YAML reads 1e-5 as text"),
        ("cannot_link_below: 0.9", "cannot_link_below must be below match_threshold"),
        ("cannot_link_below: true", "cannot_link_below must be a number, got True"),
    ],
)
def test_a_bad_cannot_link_probability_is_named(tmp_path: Path, line: str, message: str) -> None:
    path = tmp_path / "identity.yaml"
    path.write_text(f"blocking_keys: [email]\nmatch_threshold: 0.7\n{line}\n")
    with pytest.raises(IdentityConfigError, match=message):
        load_config(path)
    path.write_text("blocking_keys: [email]\nmatch_threshold: 0.7\ncannot_link_below: 1.0e-5\n")
    assert load_config(path).cannot_link_below == 1e-5


def test_a_deployment_config_overrides_the_shipped_one_key_by_key(tmp_path: Path) -> None:
    shipped = load_config()
    partial = tmp_path / "partial.yaml"
    partial.write_text("match_threshold: 0.8\n")
    config = load_config(partial)
    assert config.match_threshold == 0.8
    # everything it does not name is the shipped setting, blocking keys included
    assert config.blocking_keys == shipped.blocking_keys
    assert config.cannot_link_below == shipped.cannot_link_below
    whole = tmp_path / "keys.yaml"
    whole.write_text("blocking_keys: [email, phone]\n")  # a list is taken whole
    assert [k.expr for k in load_config(whole).blocking_keys] == ["email", "phone"]
    assert load_config(whole).match_threshold == shipped.match_threshold
