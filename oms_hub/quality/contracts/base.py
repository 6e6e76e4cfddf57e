"""Shared building blocks of every contract: money and time types, lineage, TableContract."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Annotated

import pandera.polars as pa
import polars as pl
from pandera.engines import polars_engine as pe

CHANNELS = ("web", "marketplace", "edi", "pos", "phone")

Money = Annotated[pe.Decimal, 18, 2]
UnitPrice = Annotated[pe.Decimal, 18, 4]
UtcTimestamp = Annotated[pe.DateTime, False, "UTC", "us"]

MONEY_DTYPE = pl.Decimal(18, 2)
UNIT_PRICE_DTYPE = pl.Decimal(18, 4)
UTC_DTYPE = pl.Datetime("us", "UTC")


class Lineage(pa.DataFrameModel):
    """Where a row came from; present on every conformed row."""

    source: str = pa.Field(description="Source system the row was read from (landing folder name).")
    landed_file: str = pa.Field(
        description="Path of the raw file under landing/ that holds the record."
    )
    locator: str = pa.Field(
        description="Where in the landed file the record is (e.g. 'row 12' or 'rows 3-5')."
    )


_LINEAGE = ("source", "landed_file", "locator")


@dataclass(frozen=True)
class TableContract:
    """A published table: its name, model, partitioning and a one-line description."""

    name: str
    model: type[pa.DataFrameModel]
    description: str
    partitioned_by_day: bool = False
    #: How the table's files are laid out, for a table written in named parts (the
    #: data dictionary says "one file" or "one file per UTC day" otherwise).
    layout: str | None = None

    @property
    def schema_name(self) -> str:
        """The DuckDB schema (core, finance, marts, ops)."""
        return self.name.split(".", 1)[0]

    def polars_schema(self) -> pl.Schema:
        """The exact polars schema the table is written with, in column order."""
        columns = self.model.to_schema().columns
        order = [n for n in columns if n not in _LINEAGE] + [n for n in columns if n in _LINEAGE]
        return pl.Schema({name: columns[name].dtype.type for name in order})

    def columns(self) -> list[tuple[str, pl.DataType, str, bool]]:
        """(name, polars type, description, nullable) per column, in table order."""
        cols = self.model.to_schema().columns
        return [
            (n, t, cols[n].description or "", cols[n].nullable)
            for n, t in self.polars_schema().items()
        ]

    def empty(self) -> pl.DataFrame:
        """An empty frame with the contract's schema."""
        return pl.DataFrame(schema=self.polars_schema())

    def conform(self, frame: pl.DataFrame) -> pl.DataFrame:
        """Select the contract's columns in order, cast to its types, and validate.

        Raises ``pandera.errors.SchemaError`` naming the column and the failing check.
        """
        schema = self.polars_schema()
        nullable = {name for name, _, _, may_be_null in self.columns() if may_be_null}
        missing = [n for n in schema if n not in frame.columns]
        required = [n for n in missing if n not in nullable]
        if required:
            raise ValueError(f"{self.name}: frame lacks required column(s) {', '.join(required)}")
        # A source that has no value for a nullable column simply leaves it out: it is null,
        # so adding a nullable column to a contract never breaks the other sources.
        shaped = frame.with_columns(
            [pl.lit(None, dtype=schema[n]).alias(n) for n in missing]
        ).select([pl.col(n).cast(t) for n, t in schema.items()])
        if shaped.is_empty():  # nothing to check beyond the schema the select just imposed
            return shaped
        return self.model.validate(shaped)
