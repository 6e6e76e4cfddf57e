"""Benchmark: how far the unsupervised model is from what its evidence allows.

Usage::

    .venv/bin/python benchmarks/identity_ceiling.py --world 20000 [--api-orders 5000]

Takes the sample world that ``identity_bench.py --world ORDERS`` resolved (generating and
resolving it first when ``--work`` does not hold it yet), re-scores its candidate pairs
with the saved model, and trains a *supervised* classifier on the same comparison
vectors with the ground truth as labels (gradient-boosted trees: every level, the term
frequencies, the model's log-odds and whether each side is a POS identity;
out-of-fold over 5 folds grouped by person, so no person is scored by a model that saw
them). Both sets of probabilities are clustered exactly as the engine clusters (guard
included) at several thresholds and scored pairwise against the truth.

The supervised model knows the answers the engine never sees, so its F1 is a ceiling
for these comparison features and this blocking: what is left between it and 1.0 is
evidence the data does not hold, not weights left to tune. (scikit-learn comes with
recordlinkage; it is used here only, never by the engine.)
"""

from __future__ import annotations

import argparse
import datetime as dt
import importlib
import json
import sys
from pathlib import Path

import duckdb
import numpy as np
import polars as pl

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "benchmarks"))

THRESHOLDS = (0.5, 0.7, 0.8, 0.9, 0.95, 0.98)


def _world(orders: int, api_orders: int, work: Path) -> Path:
    root = work / f"world-{orders}-{api_orders}"
    if not (root / "state" / "identity" / "model.json").exists():
        from identity_bench import run_world

        run_world(orders, api_orders, work)
    return root


def ceiling(root: Path) -> dict:
    """Unsupervised and supervised-oracle P/R/F1 per threshold on the world at ``root``."""
    from sklearn.ensemble import HistGradientBoostingClassifier
    from sklearn.model_selection import GroupKFold

    # the module, not the function ``oms_hub.identity.resolve`` that shadows its name
    engine = importlib.import_module("oms_hub.identity.resolve")
    from oms_hub.identity.config import load_config
    from oms_hub.identity.evaluate import pairwise_scores
    from oms_hub.identity.model import MatchModel

    config = load_config()
    state = root / "state" / "identity"
    truth = pl.read_csv(root / "truth" / "identities.csv", infer_schema=False).select(
        "source", "source_customer_id", "person_id"
    )
    rows = pl.read_parquet(state / "identities.parquet").sort("rid")
    person = rows.join(truth, on=["source", "source_customer_id"], how="left")["person_id"]
    std = engine._std_from_rows(rows)
    model = MatchModel.from_json((state / "model.json").read_text())
    con = duckdb.connect()
    try:
        scored, *_ = engine._score(con, std, config, new_from=None, model=model, say=print)
    finally:
        con.close()
    left, right = scored["l"].cast(pl.Int64), scored["r"].cast(pl.Int64)
    labels = (person.gather(left) == person.gather(right)).to_numpy()
    is_pos = rows["source"] == "pos"
    features = scored.drop("l", "r", "prob").with_columns(
        pl.col("tf_first").log().fill_null(0.0), pl.col("tf_last").log().fill_null(0.0)
    )
    x = np.column_stack(
        [
            features.to_numpy(),
            model.log_odds(scored),
            is_pos.gather(left).to_numpy(),
            is_pos.gather(right).to_numpy(),
        ]
    )
    oracle = np.zeros(len(labels))
    groups = person.gather(left).to_numpy()
    for train, test in GroupKFold(5).split(x, labels, groups):
        clf = HistGradientBoostingClassifier(max_iter=300, learning_rate=0.05, random_state=0)
        oracle[test] = clf.fit(x[train], labels[train]).predict_proba(x[test])[:, 1]
    base = rows.drop(
        [c for c in rows.columns if c.startswith(("bk_", "bke_"))], "customer_key", "match_score"
    )
    out: dict = {
        "identities": rows.height,
        "candidate_pairs": scored.height,
        "true_pairs_among_candidates": int(labels.sum()),
    }
    for name, prob in (("unsupervised", scored["prob"].to_numpy()), ("supervised_oracle", oracle)):
        out[name] = {}
        for t in THRESHOLDS:
            resolved, _, _ = engine._finish(
                base, std, scored.with_columns(pl.Series("prob", prob)),
                config.with_(match_threshold=t), previous=None, frozen=None,
                run_at=dt.datetime.now(dt.UTC), stats={},
            )  # fmt: skip
            s = pairwise_scores(
                resolved.select("source", "source_customer_id", "customer_key").join(
                    truth, on=["source", "source_customer_id"]
                ),
                truth="person_id",
                predicted="customer_key",
            )
            out[name][str(t)] = {
                "precision": round(s.precision, 4),
                "recall": round(s.recall, 4),
                "f1": round(s.f1, 4),
            }
    return out


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--world", type=int, required=True, metavar="ORDERS")
    parser.add_argument("--api-orders", type=int, default=None, metavar="M")
    parser.add_argument("--work", type=Path, default=ROOT / "benchmarks/work/identity")
    args = parser.parse_args(argv)
    api = args.world // 4 if args.api_orders is None else args.api_orders
    figures = {
        "world": args.world,
        "api_orders": api,
        **ceiling(_world(args.world, api, args.work)),
    }
    figures["command"] = " ".join(["benchmarks/identity_ceiling.py", *(argv or sys.argv[1:])])
    print(json.dumps(figures, indent=1))
    return 0


if __name__ == "__main__":
    sys.exit(main())
