"""Pairwise precision / recall / F1 of a clustering against ground truth.

Counted from group sizes (pairs within a group = n(n-1)/2), so scoring 1M identities
never materializes a pair list.
"""

from __future__ import annotations

from dataclasses import dataclass

import polars as pl


@dataclass(frozen=True)
class PairScores:
    """Pairwise scores: a pair is two identities; predicted = same customer_key."""

    true_pairs: int
    predicted_pairs: int
    correct_pairs: int

    @property
    def precision(self) -> float:
        return self.correct_pairs / self.predicted_pairs if self.predicted_pairs else 1.0

    @property
    def recall(self) -> float:
        return self.correct_pairs / self.true_pairs if self.true_pairs else 1.0

    @property
    def f1(self) -> float:
        p, r = self.precision, self.recall
        return 2 * p * r / (p + r) if p + r else 0.0


def _pairs(frame: pl.DataFrame, *by: str) -> int:
    n = frame.group_by(*by).len()["len"].cast(pl.Int64)
    return int((n * (n - 1) // 2).sum())


def pairwise_scores(labels: pl.DataFrame, *, truth: str, predicted: str) -> PairScores:
    """Scores of column ``predicted`` against column ``truth`` (one row per identity)."""
    return PairScores(
        true_pairs=_pairs(labels, truth),
        predicted_pairs=_pairs(labels, predicted),
        correct_pairs=_pairs(labels, truth, predicted),
    )


def _touching(labels: pl.DataFrame, keep: pl.Expr, *by: str) -> int:
    """Pairs grouped by ``by`` with at least one identity matching ``keep``."""
    return _pairs(labels, *by) - _pairs(labels.filter(~keep), *by)


def scores_touching(
    labels: pl.DataFrame, keep: pl.Expr, *, truth: str, predicted: str
) -> PairScores:
    """Scores over the pairs with at least one identity for which ``keep`` holds.

    E.g. ``keep = pl.col("source") == "amazon"``: how well Amazon identities are joined
    to anyone (counted from group sizes, like :func:`pairwise_scores`).
    """
    return PairScores(
        true_pairs=_touching(labels, keep, truth),
        predicted_pairs=_touching(labels, keep, predicted),
        correct_pairs=_touching(labels, keep, truth, predicted),
    )


def _between(labels: pl.DataFrame, a: str, b: str, *by: str) -> int:
    """Pairs grouped by ``by`` with one identity of source ``a`` and one of ``b``."""
    left = labels.filter(pl.col("source") == a).group_by(*by).len().rename({"len": "na"})
    if a == b:
        n = left["na"].cast(pl.Int64)
        return int((n * (n - 1) // 2).sum())
    right = labels.filter(pl.col("source") == b).group_by(*by).len().rename({"len": "nb"})
    both = left.join(right, on=list(by))
    return int((both["na"].cast(pl.Int64) * both["nb"].cast(pl.Int64)).sum())


def scores_between(
    labels: pl.DataFrame, a: str, b: str, *, truth: str, predicted: str
) -> PairScores:
    """Scores over the pairs of one identity of source ``a`` and one of source ``b``.

    E.g. ``("pos", "shopify")``: how well store profiles are joined to web accounts
    (``a == b``: pairs within one source, its duplicates).
    """
    return PairScores(
        true_pairs=_between(labels, a, b, truth),
        predicted_pairs=_between(labels, a, b, predicted),
        correct_pairs=_between(labels, a, b, truth, predicted),
    )


def world_scores(xref: pl.DataFrame, truth: pl.DataFrame) -> dict[str, object]:
    """``core.customer_xref`` scored against a sample world's ``truth/identities.csv``.

    Overall, per source (pairs touching that source's identities), per source pair
    (``"pos~shopify"``: one identity of each) and without POS.
    """
    labels = xref.select("source", "source_customer_id", "customer_key").join(
        truth.select("source", "source_customer_id", "person_id"),
        on=["source", "source_customer_id"],
        how="inner",
    )

    def row(s: PairScores) -> dict[str, object]:
        return {
            "precision": round(s.precision, 4),
            "recall": round(s.recall, 4),
            "f1": round(s.f1, 4),
            "true_pairs": s.true_pairs,
            "predicted_pairs": s.predicted_pairs,
        }

    args = {"truth": "person_id", "predicted": "customer_key"}
    sources = sorted(labels["source"].unique().to_list())
    web = labels.filter(pl.col("source") != "pos")
    return {
        "identities": labels.height,
        "unmatched_truth": truth.height - labels.height,
        "unmatched_xref": xref.height - labels.height,
        "overall": row(pairwise_scores(labels, **args)),
        "without_pos": row(pairwise_scores(web, **args)),
        "per_source": {
            source: row(scores_touching(labels, pl.col("source") == source, **args))
            for source in sorted(labels["source"].unique().to_list())
        },
        "per_source_pair": {
            f"{a}~{b}": row(scores_between(labels, a, b, **args))
            for i, a in enumerate(sources)
            for b in sources[i:]
        },
        "per_source_without_pos": {
            source: row(scores_touching(web, pl.col("source") == source, **args))
            for source in sorted(web["source"].unique().to_list())
        },
    }
