"""What an order source plugs into the conform step.

An ``OrderSource`` names the staged streams it reads and two pure functions: which UTC
days its staged rows touch, and how one day's rows become core orders, lines and returns.
The conform step (``oms_hub.steps.orders``) loops over the registered sources day by day,
concatenates their frames and writes each day partition; a new channel only adds an
``OrderSource`` to ``oms_hub.sources.ORDER_SOURCES``.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date

import polars as pl

from oms_hub.orders.pos_conform import ConformedOrders


@dataclass(frozen=True)
class Catalog:
    """The master data conform checks against."""

    products: pl.DataFrame
    locations: pl.DataFrame


@dataclass(frozen=True)
class DayInput:
    """Everything a source's conform function may read for one UTC day."""

    day: date
    staged: dict[str, pl.LazyFrame]  # stream name -> all staged rows of that stream
    file_order: pl.LazyFrame  # landed_file, landed_at: which version is latest
    catalog: Catalog


@dataclass(frozen=True)
class OrderSource:
    """A channel's contribution to core.orders / core.order_lines / core.returns.

    ``days`` maps the staged streams to ``(landed_file, day)`` rows: every UTC day a
    file's records land on (orders by order time, returns by refund time).
    ``conform_day`` returns only rows of ``DayInput.day``; the writer refuses others.
    """

    name: str
    streams: tuple[str, ...]
    days: Callable[[dict[str, pl.LazyFrame]], pl.LazyFrame]
    conform_day: Callable[[DayInput], ConformedOrders]
