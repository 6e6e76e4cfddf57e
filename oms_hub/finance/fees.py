"""The processor fee schedule finance expects, as data (YAML), validated on load.

Reconciliation judges a settled fee against this schedule, never against how a
generator or a test computed it: a processor's real price list (tiers, rounding,
surcharges) is known only roughly, so each processor has a tolerance, absolute and per
unit it fulfilled. See ``default_fees.yaml`` for the shape.
"""

from __future__ import annotations

import os
from decimal import Decimal
from pathlib import Path
from typing import Literal

import polars as pl
import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError

from oms_hub.quality.contracts.base import MONEY_DTYPE

DEFAULT_FEES = Path(__file__).with_name("default_fees.yaml")
#: A home's own schedule (else $OMS_HUB_SETTLEMENT_FEES, else the packaged default).
HOME_FEES = Path("config") / "settlement-fees.yaml"
RATE_DTYPE = pl.Decimal(18, 6)


class FeesError(ValueError):
    """The fee schedule is invalid; the message names the file and the field."""


class ProcessorFee(BaseModel):
    """One processor's price for a charge and the slack allowed around it."""

    model_config = ConfigDict(extra="forbid", frozen=True)
    rate: Decimal = Field(ge=0, le=1)
    fixed: Decimal = Field(default=Decimal("0"), ge=0)
    rate_on: Literal["total", "pre_tax"] = "total"
    per_unit: Decimal = Field(default=Decimal("0"), ge=0)
    tolerance: Decimal = Field(default=Decimal("0.01"), ge=0)
    tolerance_per_unit: Decimal = Field(default=Decimal("0"), ge=0)


class FeeSchedule(BaseModel):
    """Every processor's fee; a processor not listed is expected to charge nothing."""

    model_config = ConfigDict(extra="forbid", frozen=True)
    version: int = 1
    processors: dict[str, ProcessorFee]

    def frame(self) -> pl.DataFrame:
        """The schedule as one row per processor (for a join)."""
        rows = [(name, *p.model_dump().values()) for name, p in self.processors.items()]
        names = ["processor", *ProcessorFee.model_fields]
        return pl.DataFrame(rows, schema=names, orient="row").with_columns(
            rate=pl.col("rate").cast(RATE_DTYPE),
            per_unit=pl.col("per_unit").cast(MONEY_DTYPE),
            fixed=pl.col("fixed").cast(MONEY_DTYPE),
            tolerance=pl.col("tolerance").cast(MONEY_DTYPE),
            tolerance_per_unit=pl.col("tolerance_per_unit").cast(MONEY_DTYPE),
        )


def fees_path(root: Path | None) -> Path:
    """The schedule in force for a home root (None: env, else the packaged default)."""
    if root is not None and (root / HOME_FEES).exists():
        return root / HOME_FEES
    env = os.environ.get("OMS_HUB_SETTLEMENT_FEES")
    return Path(env) if env else DEFAULT_FEES


def load_fees(path: Path | None = None) -> FeeSchedule:
    """Read and validate a fee schedule; a mistake fails in one line."""
    path = path or DEFAULT_FEES
    try:
        data = yaml.safe_load(path.read_text())
        return FeeSchedule.model_validate(data)
    except yaml.YAMLError as error:
        raise FeesError(f"{path.name}: not YAML: {error}") from None
    except ValidationError as error:
        first = error.errors()[0]
        where = ".".join(str(p) for p in first["loc"])
        raise FeesError(f"{path.name}: {where}: {first['msg']}") from None
