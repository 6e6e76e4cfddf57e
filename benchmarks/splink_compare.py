"""Splink (DuckDB backend) on an identity benchmark input: the reference to beat.

Runs in its own environment (Splink is never a dependency of oms-hub)::

    python -m venv /tmp/splinkenv && /tmp/splinkenv/bin/pip install splink pyarrow
    /tmp/splinkenv/bin/python benchmarks/splink_compare.py benchmarks/work/identity/febrl3.parquet

Reads the Parquet ``identity_bench.py`` writes (source-identity columns + ``person_id``),
trains the standard unsupervised Splink model (u by random sampling, m by EM on two
blocking rules), predicts, clusters at 0.95 and prints one JSON line: pairwise
precision/recall/F1 and wall seconds. Imports only splink, pandas and pyarrow.
"""

from __future__ import annotations

import json
import sys
import time

import pandas as pd


def _pairs(sizes: pd.Series) -> int:
    return int((sizes * (sizes - 1) // 2).sum())


def main(path: str) -> dict:
    import splink.comparison_library as cl
    from splink import DuckDBAPI, Linker, SettingsCreator, block_on

    data = pd.read_parquet(path)
    df = pd.DataFrame(
        {
            "unique_id": data["source"] + ":" + data["source_customer_id"],
            "first_name": data["first_name"].str.lower().str.strip(),
            "surname": data["last_name"].str.lower().str.strip(),
            "email": data.get("email"),
            "phone": data.get("phone", pd.Series(dtype=str)).str.replace(r"\D", "", regex=True)
            if "phone" in data
            else None,
            "address": data["address_line1"].str.lower(),
            "postcode": data["postal_code"].str.slice(0, 5),
            "city": data["city"].str.lower(),
            "dob": data["birth_date"],
        }
    )
    df = df.astype(object).where(df.notna(), None)
    start = time.perf_counter()
    settings = SettingsCreator(
        link_type="dedupe_only",
        blocking_rules_to_generate_predictions=[
            block_on("first_name", "surname"),
            block_on("email"),
            block_on("phone"),
            block_on("surname", "postcode"),
            block_on("dob", "first_name"),
            block_on("address", "postcode"),
        ],
        comparisons=[
            cl.NameComparison("first_name"),
            cl.NameComparison("surname"),
            cl.EmailComparison("email"),
            cl.ExactMatch("phone"),
            cl.LevenshteinAtThresholds("address", 2),
            cl.ExactMatch("postcode"),
            cl.ExactMatch("city"),
            cl.LevenshteinAtThresholds("dob", 1),
        ],
    )
    try:  # Splink 5: the backend registers the frame
        linker = Linker(DuckDBAPI().register(df), settings)
    except TypeError:  # Splink 4
        linker = Linker(df, settings, db_api=DuckDBAPI())
    linker.training.estimate_u_using_random_sampling(max_pairs=1e6)
    linker.training.estimate_parameters_using_expectation_maximisation(
        block_on("first_name", "surname")
    )
    linker.training.estimate_parameters_using_expectation_maximisation(block_on("postcode"))
    predictions = linker.inference.predict(threshold_match_probability=0.5)
    clusters = linker.clustering.cluster_pairwise_predictions_at_threshold(predictions, 0.95)
    out = clusters.as_pandas_dataframe()[["unique_id", "cluster_id"]]
    seconds = time.perf_counter() - start
    truth = pd.DataFrame({"unique_id": df["unique_id"], "person_id": data["person_id"].astype(str)})
    labels = truth.merge(out, on="unique_id")
    true = _pairs(labels.groupby("person_id").size())
    predicted = _pairs(labels.groupby("cluster_id").size())
    correct = _pairs(labels.groupby(["person_id", "cluster_id"]).size())
    p = correct / predicted if predicted else 1.0
    r = correct / true if true else 1.0
    return {
        "splink": __import__("splink").__version__,
        "input": path,
        "identities": len(df),
        "seconds": round(seconds, 2),
        "precision": round(p, 4),
        "recall": round(r, 4),
        "f1": round(2 * p * r / (p + r), 4) if p + r else 0.0,
    }


if __name__ == "__main__":
    print(json.dumps(main(sys.argv[1])))
