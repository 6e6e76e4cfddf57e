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
