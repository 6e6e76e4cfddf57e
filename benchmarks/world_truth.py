"""Checks of a staged world against its truth files, shared by the world benchmarks
(importable beside the scripts, like ``stopwatch``)."""

from __future__ import annotations

import polars as pl

from oms_hub.home import Home
from oms_hub.storage.lake import Lake


def planted_945s_caught(home: Home, lake: Lake) -> tuple[int, int]:
    """(caught, planted): the world's planted bad 945s found in ``ops.quarantine`` with
    their kind (the quarantine excerpt names the shipment: ``945 <id> for ...``)."""
    planted = pl.read_csv(home.truth / "edi_shipments_injected.csv")
    quarantined = lake.read("ops.quarantine").filter(pl.col("excerpt").str.starts_with("945 "))
    caught = planted.join(
        quarantined.select(
            shipment_id=pl.col("excerpt").str.extract(r"^945 (\S+) for"), kind="error_code"
        ),
        on=["shipment_id", "kind"],
        how="inner",
    ).height
    return caught, planted.height
