"""Pairwise scores per source pair, counted from group sizes."""

from __future__ import annotations

import polars as pl

from oms_hub.identity.evaluate import scores_between, world_scores


def test_scores_between_two_sources_count_only_cross_pairs() -> None:
    labels = pl.DataFrame(
        {
            "source": ["pos", "pos", "shopify", "shopify", "amazon"],
            "source_customer_id": ["p1", "p2", "s1", "s2", "a1"],
            "person_id": ["A", "A", "A", "B", "B"],
            "customer_key": ["K1", "K2", "K1", "K3", "K3"],
        }
    )
    args = {"truth": "person_id", "predicted": "customer_key"}
    cross = scores_between(labels, "pos", "shopify", **args)
    # true pos~shopify pairs: (p1,s1), (p2,s1); predicted: (p1,s1)
    assert (cross.true_pairs, cross.predicted_pairs, cross.correct_pairs) == (2, 1, 1)
    within = scores_between(labels, "pos", "pos", **args)
    assert (within.true_pairs, within.predicted_pairs, within.correct_pairs) == (1, 0, 0)
    scores = world_scores(labels.drop("person_id"), labels.drop("customer_key"))
    assert set(scores["per_source_pair"]) == {
        "amazon~amazon", "amazon~pos", "amazon~shopify", "pos~pos", "pos~shopify",
        "shopify~shopify",
    }  # fmt: skip
    assert scores["per_source_pair"]["amazon~shopify"]["recall"] == 1.0
