"""Clusters: linked pairs -> customers, with a guard against chains.

Linked pairs (match probability >= threshold) form a graph whose connected components
are customers (scipy's sparse connected components, linear time). Transitivity can
chain clearly different people together (A~B, B~C, but A and C are not the same person:
a shared household phone, a typo'd email). The guard looks, inside each component, for
*cannot-link* evidence: a candidate pair that was compared, did not link, and is clearly
different (neither name alike, or different birth dates and given names at most an
initial apart, or given names not clearly different and a match probability below
``cannot_link_below``: the pair's own fields conflict so strongly, such as two
different phone numbers, that only a chain of weak links can have joined them; a pair
the first-name veto zeroed is not such evidence); it also caps the size of a component. (Making every pair of clearly
different given names cannot-link, so that an initial cannot chain Jane and John
Smith, was measured in session 3: +0.001 F1 on the 20k world, -0.004 on FEBRL3, whose
corrupted given names it takes for different people; not kept.) A flagged component is
re-clustered with only its stronger links (``guard_thresholds`` in turn); if still
flagged, its weakest link is cut, again and again (all flagged components at once per
round, up to ``max_cuts`` rounds), and as a last resort only mutual-best links are kept
(each identity keeps at most its single best partner, so no chain can form).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import polars as pl
from scipy.sparse import coo_matrix
from scipy.sparse.csgraph import connected_components


@dataclass(frozen=True)
class ClusterResult:
    """Per identity (``rid``): its cluster (smallest rid in it) and best link score."""

    clusters: pl.DataFrame  # rid, cluster, match_score
    guard_splits: int  # components the guard had to re-cluster


def _components(n: int, left: np.ndarray, right: np.ndarray) -> np.ndarray:
    """Component label per node; labels are the smallest node id of each component."""
    graph = coo_matrix((np.ones(len(left), dtype=np.int8), (left, right)), shape=(n, n))
    _, labels = connected_components(graph, directed=False)
    smallest = np.full(labels.max() + 1 if n else 0, n, dtype=np.int64)
    np.minimum.at(smallest, labels, np.arange(n))
    return smallest[labels]


def clearly_different(scored: pl.DataFrame, cannot_link_below: float = 0.0) -> pl.Expr:
    """Cannot-link rule over a scored pair's levels and probability (see module docstring)."""
    names_differ = (pl.col("first") == 0) & (pl.col("last") == 0)
    dob_differs = (
        (pl.col("birth_date") == 0) & (pl.col("first") <= 2)
        if "birth_date" in scored.columns
        else pl.lit(False)
    )
    # given names alike (a veto's zero is not evidence of anything but the name)
    conflict = (pl.col("prob") < cannot_link_below) & (pl.col("first") != 0)
    return names_differ | dob_differs | conflict


def _flagged(labels: np.ndarray, cannot: pl.DataFrame, max_size: int) -> np.ndarray:
    """Component labels that hold a cannot-link pair or are too large."""
    left = labels[cannot["l"].to_numpy()] if cannot.height else np.array([], dtype=np.int64)
    right = labels[cannot["r"].to_numpy()] if cannot.height else np.array([], dtype=np.int64)
    inside = np.unique(left[left == right])
    sizes = np.bincount(labels, minlength=len(labels))
    too_big = np.flatnonzero(sizes > max_size)
    return np.union1d(inside, too_big)


def _mutual_best(edges: pl.DataFrame) -> pl.DataFrame:
    """Edges that are the best link of both their ends (ties broken by the other id)."""
    both = pl.concat(
        [
            edges.select(pl.col("l").alias("node"), pl.col("r").alias("other"), "prob"),
            edges.select(pl.col("r").alias("node"), pl.col("l").alias("other"), "prob"),
        ]
    )
    best = (
        both.sort(["node", "prob", "other"], descending=[False, True, False])
        .group_by("node", maintain_order=True)
        .first()
    )
    pairs = best.select(
        pl.min_horizontal("node", "other").alias("l"), pl.max_horizontal("node", "other").alias("r")
    )
    mutual = pairs.group_by("l", "r").len().filter(pl.col("len") == 2).drop("len")
    return edges.join(mutual, on=["l", "r"], how="semi")


def cluster_pairs(
    n: int,
    scored: pl.DataFrame,
    *,
    threshold: float,
    guard_thresholds: tuple[float, ...],
    max_cluster_size: int,
    max_cuts: int = 30,
    frozen: pl.DataFrame | None = None,
    cannot_link_below: float = 0.0,
) -> ClusterResult:
    """Cluster ``n`` identities given scored candidate pairs.

    ``scored`` has ``l, r, prob`` and the comparison levels. ``frozen`` pairs ``(l, r)``
    are links that must hold (an incremental run keeps existing customers whole).
    """
    edges = scored.filter(pl.col("prob") >= threshold).select("l", "r", "prob")
    cannot = scored.filter(
        (pl.col("prob") < threshold) & clearly_different(scored, cannot_link_below)
    ).select("l", "r")
    fixed = (
        frozen.select(pl.col("l").cast(pl.Int64), pl.col("r").cast(pl.Int64))
        if frozen is not None
        else pl.DataFrame(schema={"l": pl.Int64, "r": pl.Int64})
    )
    edges = edges.with_columns(pl.col("l").cast(pl.Int64), pl.col("r").cast(pl.Int64))

    def label(current: pl.DataFrame) -> np.ndarray:
        left = np.concatenate([current["l"].to_numpy(), fixed["l"].to_numpy()])
        right = np.concatenate([current["r"].to_numpy(), fixed["r"].to_numpy()])
        return _components(n, left, right)

    labels = label(edges)
    flagged = _flagged(labels, cannot, max_cluster_size)
    split = len(flagged)
    steps: list[float | str] = [*guard_thresholds, *["cut"] * max_cuts, "mutual"]
    for step in steps:
        if len(flagged) == 0:
            break
        comp = pl.Series("comp", labels[edges["l"].to_numpy()])
        mask = comp.is_in(pl.Series(flagged))
        keep = edges.filter(~mask)
        suspect = edges.filter(mask)
        if step == "mutual":
            suspect = _mutual_best(suspect)
        elif step == "cut":
            weakest = (
                suspect.with_columns(comp.filter(mask))
                .sort("prob", "l", "r")
                .group_by("comp", maintain_order=True)
                .first()
            )
            suspect = suspect.join(weakest.select("l", "r"), on=["l", "r"], how="anti")
        else:
            suspect = suspect.filter(pl.col("prob") >= step)
        edges = pl.concat([keep, suspect])
        labels = label(edges)
        flagged = _flagged(labels, cannot, max_cluster_size)

    ends = pl.concat(
        [
            edges.select(pl.col("l").alias("rid"), "prob"),
            edges.select(pl.col("r").alias("rid"), "prob"),
        ]
    )
    best = ends.group_by("rid").agg(pl.col("prob").max().alias("match_score"))
    clusters = (
        pl.DataFrame({"rid": np.arange(n, dtype=np.int64), "cluster": labels})
        .join(best, on="rid", how="left")
        .sort("rid")
    )
    return ClusterResult(clusters=clusters, guard_splits=split)
