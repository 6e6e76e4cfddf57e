"""``oms-hub dedupe`` on small labelled files, and its one-line errors."""

from __future__ import annotations

from pathlib import Path

import polars as pl
import pytest

from oms_hub.cli import main
from oms_hub.identity.dedupe import INPUT_COLUMNS
from oms_hub.identity.evaluate import pairwise_scores


@pytest.mark.parametrize("suffix", [".csv", ".parquet"])
def test_dedupe_writes_one_key_per_record_and_finds_the_duplicates(
    labelled: pl.DataFrame, tmp_path: Path, suffix: str, capsys: pytest.CaptureFixture[str]
) -> None:
    source = tmp_path / f"people{suffix}"
    records = labelled.head(1_500).select(INPUT_COLUMNS)
    if suffix == ".csv":
        records.write_csv(source)
    else:
        records.write_parquet(source)
    target = tmp_path / "out" / "keys.csv"
    assert main(["dedupe", str(source), "--out", str(target)]) == 0
    out = pl.read_csv(target, infer_schema=False)
    assert out.columns == ["record_id", "customer_key"]
    assert out["record_id"].to_list() == records["record_id"].to_list()
    assert out["customer_key"].null_count() == 0
    labels = out.join(labelled.select("record_id", "person_id"), on="record_id")
    assert pairwise_scores(labels, truth="person_id", predicted="customer_key").f1 >= 0.95
    assert "customers" in capsys.readouterr().out


def test_dedupe_accepts_absent_columns(tmp_path: Path) -> None:
    source = tmp_path / "few.csv"
    source.write_text("record_id,email\n1,a@x.org\n2, A@X.ORG \n3,b@y.org\n")
    target = tmp_path / "keys.parquet"
    assert main(["dedupe", str(source), "--out", str(target)]) == 0
    keys = pl.read_parquet(target).sort("record_id")["customer_key"].to_list()
    assert keys[0] == keys[1] != keys[2]


@pytest.mark.parametrize(
    ("content", "name", "message"),
    [
        ("email\na@x.org\n", "a.csv", "no record_id column"),
        ("record_id,email\n1,a@x.org\n1,b@x.org\n", "b.csv", "record_id must be unique"),
        ("record_id\n1\n", "c.txt", "unsupported input format"),
    ],
)
def test_dedupe_errors_are_one_line(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], content: str, name: str, message: str
) -> None:
    source = tmp_path / name
    source.write_text(content)
    assert main(["dedupe", str(source), "--out", str(tmp_path / "k.csv")]) == 2
    err = capsys.readouterr().err.strip().splitlines()[-1]
    assert err.startswith("oms-hub: error:")
    assert message in err


def test_dedupe_missing_input_and_bad_threshold(tmp_path: Path, capsys) -> None:
    assert main(["dedupe", str(tmp_path / "nope.csv"), "--out", str(tmp_path / "k.csv")]) == 2
    assert "input file not found" in capsys.readouterr().err
    (tmp_path / "a.csv").write_text("record_id\n1\n")
    code = main(["dedupe", str(tmp_path / "a.csv"), "--out", str(tmp_path / "k.csv"),
                 "--threshold", "1.5"])  # fmt: skip
    assert code == 2
    assert "match_threshold must be between 0 and 1" in capsys.readouterr().err
