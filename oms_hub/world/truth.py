"""Ground truth of a generated world, written to ``<home>/truth/`` (never to landing).

Channel writers feed what they generated into a :class:`TruthBook` as they go; the book
keeps only small aggregates, so it streams alongside the data.
"""

from __future__ import annotations

import datetime
import json
from collections.abc import Iterable
from pathlib import Path
from typing import Any

import polars as pl

from oms_hub.world.files import write_csv
from oms_hub.world.money import decimal_text

INJECTED_COLUMNS = ("file", "row_number", "transaction_id", "kind")
IDENTITY_COLUMNS = ("source", "source_customer_id", "person_id", "name_variant")


class TruthBook:
    """Accumulates the ground truth of one world while it is generated."""

    def __init__(self) -> None:
        self._daily: pl.DataFrame | None = None
        self._injected: list[pl.DataFrame] = []
        self._identities: list[pl.DataFrame] = []
        self._duplicates: list[tuple[str, str]] = []

    def add_sales(self, channel: str, rows: pl.DataFrame) -> None:
        """Add clean rows of one batch to the daily channel sales.

        ``rows`` has columns ``day`` (UTC date), ``order_id``, ``is_sale`` (bool),
        ``units``, ``gross_cents``, ``net_cents``. All sale rows of one order must arrive
        in the same batch (orders are counted as distinct ids per batch).
        """
        sale = pl.col("is_sale")
        batch = (
            rows.group_by("day")
            .agg(
                pl.col("order_id").filter(sale).n_unique().cast(pl.Int64).alias("orders"),
                pl.col("units").filter(sale).sum().cast(pl.Int64).alias("units"),
                pl.col("gross_cents").filter(sale).sum().cast(pl.Int64).alias("gross_cents"),
                pl.col("net_cents").sum().cast(pl.Int64).alias("net_cents"),
            )
            .with_columns(pl.lit(channel).alias("channel"))
        )
        batch = batch.select("day", "channel", "orders", "units", "gross_cents", "net_cents")
        merged = batch if self._daily is None else pl.concat([self._daily, batch])
        self._daily = merged.group_by("day", "channel").agg(
            pl.col("orders", "units", "gross_cents", "net_cents").sum()
        )
        self._daily = self._daily.select(batch.columns)

    def add_injected(self, rows: pl.DataFrame) -> None:
        """Rows deliberately corrupted or planted: ``file, row_number, transaction_id, kind``."""
        if rows.height:
            self._injected.append(rows.select(INJECTED_COLUMNS))

    def add_identities(self, rows: pl.DataFrame) -> None:
        """Source identities: ``source, source_customer_id, person_id, name_variant``."""
        self._identities.append(rows.select(IDENTITY_COLUMNS))

    def add_duplicate(self, duplicate: str, original: str) -> None:
        """A landed file that is a byte-identical copy of another (paths relative to landing)."""
        self._duplicates.append((duplicate, original))

    def injected(self) -> pl.DataFrame:
        """All injected rows so far, sorted by file and row."""
        if not self._injected:
            return pl.DataFrame(
                schema={
                    "file": pl.String,
                    "row_number": pl.Int64,
                    "transaction_id": pl.String,
                    "kind": pl.String,
                }
            )
        return pl.concat(self._injected).sort("file", "row_number")

    def daily_sales(self) -> pl.DataFrame:
        """``channel_sales_daily.csv`` as written."""
        daily = self._daily
        if daily is None:
            daily = pl.DataFrame(
                schema={
                    "day": pl.Date,
                    "channel": pl.String,
                    "orders": pl.Int64,
                    "units": pl.Int64,
                    "gross_cents": pl.Int64,
                    "net_cents": pl.Int64,
                }
            )
        return daily.sort("day", "channel").select(
            "day",
            "channel",
            "orders",
            "units",
            decimal_text(pl.col("gross_cents")).alias("gross_sales"),
            decimal_text(pl.col("net_cents")).alias("net_sales"),
        )

    def identities(self) -> pl.DataFrame:
        """All source identities, sorted by source and id."""
        if not self._identities:
            return pl.DataFrame(schema=dict.fromkeys(IDENTITY_COLUMNS, pl.String))
        return pl.concat(self._identities).sort("source", "source_customer_id", "person_id")

    def write(self, folder: Path, world: dict[str, Any]) -> list[Path]:
        """Write every truth file into ``folder``; returns the paths written."""
        folder.mkdir(parents=True, exist_ok=True)
        written = [
            write_csv(self.injected(), folder / "pos_injected.csv"),
            write_csv(
                pl.DataFrame(
                    self._duplicates,
                    schema={"duplicate": pl.String, "original": pl.String},
                    orient="row",
                ),
                folder / "duplicate_files.csv",
            ),
            write_csv(self.daily_sales(), folder / "channel_sales_daily.csv"),
            write_csv(self.identities(), folder / "identities.csv"),
        ]
        path = folder / "world.json"
        text = json.dumps(world, indent=2, sort_keys=True, default=_json_default) + "\n"
        tmp = path.with_name(f".{path.name}.tmp")
        tmp.write_text(text, encoding="utf-8")
        tmp.replace(path)
        written.append(path)
        return written


def _json_default(value: object) -> Any:
    if isinstance(value, datetime.date):
        return value.isoformat()
    if isinstance(value, Path):
        return value.as_posix()
    if isinstance(value, Iterable):
        return list(value)
    raise TypeError(f"not JSON serializable: {value!r}")
