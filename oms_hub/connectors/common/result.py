"""What a format parser returns, and the shape of its quarantine rows."""

from __future__ import annotations

from dataclasses import dataclass

import polars as pl

from oms_hub.quality.contracts import contract


@dataclass(frozen=True)
class ParseResult:
    """Rows a parser accepted (staged) and rows it rejected or flagged (quarantine).

    ``records`` counts every record the parser read, so that
    ``records == staged.height + rejected`` holds for every file.
    """

    staged: pl.DataFrame
    quarantine: pl.DataFrame
    records: int

    @property
    def rejected(self) -> int:
        """Records that were not staged."""
        return self.quarantine.filter(pl.col("action") == "rejected").height


def quarantine_rows(
    frame: pl.DataFrame, *, source: str, landed_file: str, stage: str, action: str = "rejected"
) -> pl.DataFrame:
    """Shape rows with ``locator``, ``error_code``, ``error``, ``excerpt`` into ops.quarantine."""
    return contract("ops.quarantine").conform(
        frame.select("locator", "error_code", "error", "excerpt").with_columns(
            source=pl.lit(source),
            landed_file=pl.lit(landed_file),
            stage=pl.lit(stage),
            action=pl.lit(action),
            excerpt=pl.col("excerpt").str.slice(0, 300),
        )
    )
