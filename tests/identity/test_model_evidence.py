"""How the model weighs evidence: term frequencies, missing values, m learned from emails."""

from __future__ import annotations

import duckdb
import numpy as np
import polars as pl

from oms_hub.identity.compare import FIELDS, compare_pairs
from oms_hub.identity.model import (
    MIN_ANCHOR_PAIRS,
    TF_BOUND,
    MatchModel,
    comparison_patterns,
    counted_exact_u,
    fit_fs_em,
)
from oms_hub.identity.standardize import standardize_identities


def _levels(people: list[tuple[str, str, str | None]], pairs: list[tuple[int, int]]):
    """Comparison levels of ``pairs`` over identities (first, last, email)."""
    frame = pl.DataFrame(
        {
            "source": ["t"] * len(people),
            "source_customer_id": [str(i) for i in range(len(people))],
            "first_name": [p[0] for p in people],
            "last_name": [p[1] for p in people],
            "email": [p[2] for p in people],
        }
    )
    std = standardize_identities(frame)
    con = duckdb.connect()
    try:
        con.register("std_src", std)
        con.execute("create table std as select * from std_src")
        pairs_frame = pl.DataFrame(
            {"l": [a for a, _ in pairs], "r": [b for _, b in pairs]},
            schema={"l": pl.UInt32, "r": pl.UInt32},
        )
        return compare_pairs(con, "std", pairs_frame)
    finally:
        con.close()


def _model() -> MatchModel:
    """Hand-set parameters: names agree exactly in 80 % of matches, 1 % of non-matches."""
    m = {f: {-1: 0.1, 0: 0.1, 1: 0.0, 2: 0.0, 3: 0.8} for f in FIELDS}
    u = {f: {-1: 0.1, 0: 0.89, 1: 0.0, 2: 0.0, 3: 0.01} for f in FIELDS}
    return MatchModel._build(FIELDS, 1e-3, m, u)


def test_sharing_a_rare_surname_is_stronger_evidence_than_sharing_a_common_one() -> None:
    # 40 Smiths, 2 Quinbertres; every pair compared has the same first name and no email
    people = [("Ana", "Smith", None)] * 40 + [("Ana", "Quinbertre", None)] * 2
    levels = _levels(people, [(0, 1), (40, 41)])
    assert levels["last"].to_list() == [3, 3]  # both agree exactly on the surname
    assert levels["tf_last"].to_list() == [40 / 42, 2 / 42]  # share holding the value
    odds = _model().log_odds(levels)
    assert odds[1] > odds[0]
    # each adjustment is log(u_exact / share), bounded: a value held by everyone can
    # only lower the evidence so far
    assert odds[1] - odds[0] <= 2 * TF_BOUND
    smith, rare = _model()._tf_adjustment(levels, "last")
    assert smith == max(np.log(0.01) - np.log(40 / 42), -TF_BOUND)
    assert rare == min(np.log(0.01) - np.log(2 / 42), TF_BOUND)


def test_a_value_missing_on_one_side_is_neutral_and_a_different_one_counts_against() -> None:
    people = [("Ana", "Quinbertre", "ana@x.org"), ("Ana", "Quinbertre", None)]
    people += [("Ana", "Quinbertre", "ana@x.org"), ("Ana", "Quinbertre", "other@y.org")]
    levels = _levels(people, [(0, 1), (2, 3)])
    assert levels["email"].to_list() == [-1, 0]
    model = _model()
    missing, different = model.log_odds(levels)
    without_email = model.log_odds(levels.with_columns(pl.lit(-1, pl.Int8).alias("email")))
    assert missing == without_email[0]  # nothing added for the missing email
    assert different < missing


def _patterns(rows: list[tuple[int, int, int]]) -> pl.DataFrame:
    """Candidate-pair levels: (first, email, count) expanded; other fields missing."""
    first, email = [], []
    for f, e, n in rows:
        first += [f] * n
        email += [e] * n
    n = len(first)
    cols = {f: pl.Series(f, [-1] * n, dtype=pl.Int8) for f in FIELDS}
    cols["first"] = pl.Series("first", first, dtype=pl.Int8)
    cols["email"] = pl.Series("email", email, dtype=pl.Int8)
    return pl.DataFrame(list(cols.values()))


def test_m_is_learned_from_the_pairs_that_share_an_exact_email() -> None:
    # pairs sharing an email: first name exact 60 %, a nickname 30 %, different 10 %;
    # plus many namesake pairs (first name exact, email different)
    anchors = [(3, 2, 300), (2, 2, 150), (0, 2, 50)]
    levels = _patterns([*anchors, (3, 0, 5_000)])
    random = _patterns([(0, 0, 9_000), (3, 0, 100), (-1, -1, 900)])
    anchored = fit_fs_em(levels, random, FIELDS, n_identities=20_000)
    share = anchored.m["first"]
    present = sum(v for k, v in share.items() if k >= 0)
    assert abs(share[3] / present - 0.6) < 1e-3
    assert abs(share[2] / present - 0.3) < 1e-3
    assert abs(share[0] / present - 0.1) < 1e-3
    plain = fit_fs_em(levels, random, FIELDS, n_identities=20_000, anchor=False)
    assert plain.m["first"] != anchored.m["first"]
    # too few email pairs: plain EM
    few = _patterns([(3, 2, MIN_ANCHOR_PAIRS - 1), (3, 0, 5_000)])
    assert fit_fs_em(few, random, FIELDS, n_identities=20_000).m == (
        fit_fs_em(few, random, FIELDS, n_identities=20_000, anchor=False).m
    )


def test_exact_email_u_is_counted_over_all_pairs_when_sampling_is_blind() -> None:
    # 400 candidate pairs share an email; 4 of them have clearly different given names
    # (a family address): the non-matches among all pairs sharing an email
    levels = _patterns([(3, 2, 396), (0, 2, 4), (3, 0, 1_000)])
    u = {"first": {0: 0.8, 3: 0.01, -1: 0.19}, "email": {0: 0.6, -1: 0.4}}
    counted = counted_exact_u(levels, u, n_identities=10_000, skipped_pairs={"email": 10.0})
    all_pairs = 10_000 * 9_999 / 2
    assert counted["email"] == (4 / 0.8 + 10.0 + 0.5) / all_pairs
    assert counted["phone"] == 0.5 / all_pairs  # no pair shares a phone: half a pair
    # none seen is not zero, and the fewer such pairs, the stronger an exact email
    clean = counted_exact_u(
        _patterns([(3, 2, 400)]), u, n_identities=10_000, skipped_pairs={"email": 0.0}
    )
    assert 0 < clean["email"] < counted["email"]
    # a sample that saw enough agreements keeps its own estimate
    seen = {**u, "email": {0: 0.6, -1: 0.3999, 2: 1e-4}}
    assert "email" not in counted_exact_u(
        levels, seen, n_identities=10_000, skipped_pairs={"email": 0.0}
    )
    # the counted u reaches the weights (no 1e-6 floor): an exact email outweighs the
    # floor-limited estimate
    random = _patterns([(0, 0, 8_000), (3, 0, 100), (-1, -1, 1_900)])
    with_count = fit_fs_em(levels, random, FIELDS, n_identities=10_000, skipped_pairs={})
    sampled = fit_fs_em(levels, random, FIELDS, n_identities=10_000)
    # counted u (4 / 0.8 + 0.5) / 5e7 = 1.1e-7 against the 1e-6 floor: log 9 = 2.2 more
    assert with_count.weights["email"][2] > sampled.weights["email"][2] + 2


def test_a_relay_address_matches_the_same_relay_only_and_never_a_real_email() -> None:
    relay = "0000012345678@marketplace.amazon.com"
    people = [
        ("Ana", "Quinbertre", relay),  # 0: an Amazon order
        ("Ana", "Quinbertre", relay.upper()),  # 1: the same buyer's next order
        ("Ana", "Quinbertre", "0000012345679@marketplace.amazon.com"),  # 2: one digit off
        ("Ana", "Quinbertre", "ana@x.org"),  # 3: a web shop account
        ("Ana", "Quinbertre", "noreply@example.com"),  # 4: a placeholder
        ("Ana", "Quinbertre", "noreply@example.com"),  # 5: the same placeholder
    ]
    levels = _levels(people, [(0, 1), (0, 2), (0, 3), (4, 5)])
    # same relay: an exact email agreement; a near relay is not a typo of it (-1, not 1);
    # a relay against a real address and placeholders say nothing
    assert levels["email"].to_list() == [2, -1, -1, -1]
    std = standardize_identities(
        pl.DataFrame({"source": ["amazon"] * 3, "source_customer_id": ["1", "2", "3"],
                      "email": [relay, "ana@x.org", "noreply@example.com"]})
    )  # fmt: skip
    # a relay is never the identity's email (survivorship, the email anchor of m, any
    # cross-channel comparison); it is kept apart for the exact match only
    assert std["email"].to_list() == [None, "ana@x.org", None]
    assert std["relay"].to_list() == [relay, None, None]


def test_identities_sharing_a_relay_address_are_candidates() -> None:
    from oms_hub.identity.blocking import candidate_pairs
    from oms_hub.identity.config import load_config

    relay = "0000012345678@marketplace.amazon.com"
    frame = pl.DataFrame(
        {
            "source": ["amazon"] * 3,
            "source_customer_id": ["order:1", "order:2", "order:3"],
            # BuyerName may be the recipient's: the relay is all the two orders share
            "first_name": ["Kate", "Sam", "Bo"],
            "last_name": ["O'Neil", "Lee", "Li"],
            "email": [relay, relay, "0000099999999@marketplace.amazon.com"],
            "postal_code": ["02139", "10001", "98101"],
        }
    )
    std = standardize_identities(frame)
    con = duckdb.connect()
    try:
        con.register("std", std)
        pairs = candidate_pairs(con, "std", load_config().blocking_keys, max_block_size=200)
    finally:
        con.close()
    assert pairs.rows() == [(0, 1)]


def test_comparison_patterns_packed_equal_the_column_wise_group_by() -> None:
    rng = np.random.default_rng(3)
    fields = ("first", "last", "email")
    levels = pl.DataFrame(
        {f: rng.integers(-1, 5, size=5_000) for f in fields}, schema={f: pl.Int8 for f in fields}
    )

    def as_set(codes: np.ndarray, counts: np.ndarray) -> set[tuple[int, ...]]:
        return {(*map(int, row), int(n)) for row, n in zip(codes, counts, strict=True)}

    expected = levels.group_by(fields).len()
    want = {tuple(row) for row in expected.rows()}
    assert as_set(*comparison_patterns(levels, fields)) == want
    # a level the packing cannot hold is grouped column-wise, same answer
    odd = levels.with_columns(pl.lit(20, dtype=pl.Int8).alias("email"))
    got = as_set(*comparison_patterns(odd, fields))
    assert got == {tuple(row) for row in odd.group_by(fields).len().rows()}
