"""Counts against the books: discrepancies, their likely cause, and count corrections.

For every count, the books' on hand just *before* the stated count time is the
expectation (``expected_on_hand``). A count that disagrees is explained, where the data
shows it, by a timing difference:

* ``transfer_in_transit`` — the count is high by exactly the units shipped to the
  location and not yet received (the goods were counted off the truck);
* ``unposted_return`` — high by returns of the SKU at the location posted within 7 days
  after the count (back on the shelf before they were in the books);
* ``sale_after_count`` — low by the units sold within 16 hours after the stated count
  time (the count was stated for the opening but taken later);

otherwise ``unexplained_shrink`` (low) or ``unexplained_overage`` (high).

Timing differences resolve themselves, so only unexplained deltas are posted to the
ledger, as a ``count_correction`` at the count time (books set to the count) -- and only
for our own counts: a partner's stock advice (EDI 846, ``count_source = 'edi_846'``) is
compared and explained like a count, but never moves our books. A
correction changes what later counts of the same SKU x location are compared with, so
counts are reconciled in rounds: the 1st count of every pair at once, then the 2nd
with the 1st round's corrections, and so on (a loop over rounds, never over rows).
"""

from __future__ import annotations

from datetime import timedelta

import polars as pl

from oms_hub.inventory.ledger import in_transit
from oms_hub.orders.versions import mark_latest
from oms_hub.quality.contracts import contract

COUNTS = "core.inventory_counts"
#: Count sources that report discrepancies but never post corrections (partner views).
ADVISORY_SOURCES = ("edi_846",)
#: EDI 846 quantity qualifiers that state stock on hand (33 available, 17 on hand).
ON_HAND_QUALIFIERS = ("33", "17")
DISCREPANCIES = "core.inventory_discrepancies"
RETURN_WINDOW = timedelta(days=7)
SALE_WINDOW = timedelta(hours=16)
_PAIR = ["sku", "location_id"]


def latest_counts(staged: pl.LazyFrame, file_order: pl.LazyFrame) -> pl.DataFrame:
    """The latest version of every count row, shaped as core.inventory_counts."""
    latest = mark_latest(staged, file_order).filter(pl.col("is_latest")).collect()
    return contract(COUNTS).conform(latest.sort("counted_at", "location_id", "sku"))


def counts_from_edi_advice(advice: pl.DataFrame) -> pl.DataFrame:
    """EDI 846 inventory advice rows (``sku, location_id, advised_at, quantity,
    quantity_qualifier`` + lineage) as count rows with ``count_source = 'edi_846'``.

    Only on-hand qualifiers in whole units count; the rest is not a stock level.
    """
    whole = pl.col("quantity") == pl.col("quantity").round(0)
    return contract(COUNTS).conform(
        advice.filter(
            pl.col("quantity_qualifier").is_in(list(ON_HAND_QUALIFIERS))
            & whole
            & (pl.col("quantity") >= 0)
        ).select(
            "sku",
            "location_id",
            pl.col("advised_at").alias("counted_at"),
            pl.col("quantity").cast(pl.Int32).alias("counted_qty"),
            pl.lit("edi_846").alias("count_source"),
            "source",
            "landed_file",
            "locator",
        )
    )


def _book_before(counts: pl.DataFrame, ledger: pl.LazyFrame) -> pl.DataFrame:
    """Sellable book on hand strictly before each count's time (``book``)."""
    cum = (
        ledger.filter(pl.col("bucket") == "sellable")
        .group_by(*_PAIR, "moved_at")
        .agg(pl.col("quantity").sum().cast(pl.Int64).alias("q"))
        .sort(*_PAIR, "moved_at")
        .with_columns(pl.col("q").cum_sum().over(_PAIR).alias("book"))
        .select(*_PAIR, "moved_at", "book")
        .sort("moved_at")
        .collect()
    )
    return (
        counts.with_columns((pl.col("counted_at") - pl.duration(microseconds=1)).alias("_t"))
        .sort("_t")
        .join_asof(
            cum,
            left_on="_t",
            right_on="moved_at",
            by=_PAIR,
            strategy="backward",
            check_sortedness=False,
        )
        .drop("_t", "moved_at")
        .with_columns(pl.col("book").fill_null(0))
    )


def _prefixes(
    counts: pl.DataFrame, events: pl.LazyFrame, window: timedelta, sign: int
) -> pl.DataFrame:
    """Per count: running totals (and references) of ``events`` in (counted_at, +window]."""
    ev = events.select(
        *_PAIR, "moved_at", (pl.col("quantity") * sign).cast(pl.Int64).alias("q"), "reference"
    )
    joined = (
        counts.lazy()
        .select("count_id", *_PAIR, "counted_at")
        .join(ev, on=_PAIR)
        .filter(
            (pl.col("moved_at") > pl.col("counted_at"))
            & (pl.col("moved_at") <= pl.col("counted_at") + window)
        )
        .sort("count_id", "moved_at", "reference")
        .with_columns(pl.col("q").cum_sum().over("count_id").alias("prefix"))
        .group_by("count_id")
        .agg(pl.col("prefix"), pl.col("reference"))
    )
    return joined.collect()


def reconcile_counts(
    counts: pl.DataFrame, ledger: pl.LazyFrame
) -> tuple[pl.DataFrame, pl.DataFrame]:
    """Compare counts with the books: (core.inventory_discrepancies, count corrections).

    ``ledger`` is the ledger *without* count corrections; the corrections returned are
    ledger rows (kind ``count_correction``) to add to it.
    """
    if counts.is_empty():
        return contract(DISCREPANCIES).empty(), contract("core.inventory_movements").empty()
    c = _book_before(counts.with_row_index("count_id"), ledger)
    transit = (
        c.lazy()
        .select("count_id", *_PAIR, "counted_at")
        .join(in_transit(ledger), on=_PAIR)
        .filter(
            (pl.col("shipped_at") <= pl.col("counted_at"))
            & (pl.col("received_at").is_null() | (pl.col("received_at") > pl.col("counted_at")))
        )
        .sort("count_id", "reference")
        .group_by("count_id")
        .agg(
            pl.col("quantity").sum().alias("transit_qty"), pl.col("reference").alias("transit_refs")
        )
        .collect()
    )
    returns = _prefixes(c, ledger.filter(pl.col("kind") == "return_restock"), RETURN_WINDOW, 1)
    sales = _prefixes(c, ledger.filter(pl.col("kind") == "sale"), SALE_WINDOW, -1)
    c = (
        c.join(transit, on="count_id", how="left")
        .join(
            returns.rename({"prefix": "return_prefix", "reference": "return_refs"}),
            on="count_id",
            how="left",
        )
        .join(
            sales.rename({"prefix": "sale_prefix", "reference": "sale_refs"}),
            on="count_id",
            how="left",
        )
        .with_columns(pl.int_range(pl.len()).over(_PAIR, order_by="counted_at").alias("round"))
    )
    carried = pl.DataFrame(schema={"sku": pl.String, "location_id": pl.String, "carry": pl.Int64})
    decided = []
    for r in range(int(c["round"].max()) + 1):
        part = _classify(c.filter(pl.col("round") == r).join(carried, on=_PAIR, how="left"))
        decided.append(part)
        carried = (
            pl.concat([carried, part.select(*_PAIR, pl.col("correction").alias("carry"))])
            .group_by(_PAIR)
            .agg(pl.col("carry").sum())
        )
    result = pl.concat(decided)
    found = result.filter(pl.col("delta") != 0).sort("counted_at", "location_id", "sku")
    discrepancies = contract(DISCREPANCIES).conform(found)
    corrections = contract("core.inventory_movements").conform(
        found.filter(pl.col("corrected")).select(
            "sku",
            "location_id",
            pl.col("counted_at").alias("moved_at"),
            pl.lit("count_correction").alias("kind"),
            pl.lit("sellable").alias("bucket"),
            pl.col("delta").cast(pl.Int32).alias("quantity"),
            pl.format("count {} {}", pl.col("landed_file"), pl.col("locator")).alias("reference"),
            pl.lit(None, pl.String).alias("counterpart_location_id"),
            "source",
            "landed_file",
            "locator",
        )
    )
    return discrepancies, corrections


def _classify(c: pl.DataFrame) -> pl.DataFrame:
    """Expected, delta and likely cause for one round of counts."""
    delta = pl.col("delta")
    c = c.with_columns(
        (pl.col("book") + pl.col("carry").fill_null(0)).alias("expected_on_hand"),
        pl.col("counted_qty").cast(pl.Int64).alias("reported_on_hand"),
    ).with_columns((pl.col("reported_on_hand") - pl.col("expected_on_hand")).alias("delta"))
    ret_match = pl.col("return_prefix").list.contains(delta).fill_null(False)
    sale_match = pl.col("sale_prefix").list.contains(-delta).fill_null(False)
    cause = (
        pl.when((delta > 0) & (pl.col("transit_qty") == delta).fill_null(False))
        .then(pl.lit("transfer_in_transit"))
        .when((delta > 0) & ret_match)
        .then(pl.lit("unposted_return"))
        .when((delta < 0) & sale_match)
        .then(pl.lit("sale_after_count"))
        .when(delta < 0)
        .then(pl.lit("unexplained_shrink"))
        .when(delta > 0)
        .then(pl.lit("unexplained_overage"))
    )
    c = c.with_columns(cause.alias("likely_cause"))
    # Evidence: the documents whose running total makes up the delta.
    timing = (
        c.filter(pl.col("likely_cause").is_in(["unposted_return", "sale_after_count"]))
        .select(
            "count_id",
            "delta",
            pl.when(pl.col("likely_cause") == "unposted_return")
            .then(pl.col("return_prefix"))
            .otherwise(pl.col("sale_prefix"))
            .alias("prefix"),
            pl.when(pl.col("likely_cause") == "unposted_return")
            .then(pl.col("return_refs"))
            .otherwise(pl.col("sale_refs"))
            .alias("refs"),
        )
        .explode("prefix", "refs")
        .filter(pl.col("prefix") <= pl.col("delta").abs())
        .group_by("count_id")
        .agg(pl.col("refs").unique(maintain_order=True).str.join(" ").alias("_timing_refs"))
    )
    unexplained = pl.col("likely_cause").is_in(["unexplained_shrink", "unexplained_overage"])
    unexplained = unexplained & ~pl.col("count_source").is_in(list(ADVISORY_SOURCES))
    return c.join(timing, on="count_id", how="left").with_columns(
        pl.when(pl.col("likely_cause") == "transfer_in_transit")
        .then(pl.col("transit_refs").list.join(" "))
        .otherwise(pl.col("_timing_refs"))
        .alias("evidence"),
        unexplained.fill_null(False).alias("corrected"),
        pl.when(unexplained).then(delta).otherwise(0).cast(pl.Int64).alias("correction"),
    )
