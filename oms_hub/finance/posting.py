"""Turn business events into balanced journal entries under the posting rules.

One entry per event, its id the event id, so posting is idempotent: events whose entry
is already in the journal post nothing. Lines post amounts in the transaction currency
and, through the dated rate table, in the base currency; each side is rounded to the
cent and the base-currency difference this leaves goes to the rounding account, so
every entry balances in both currencies. Amounts a source's own totals do not explain
(e.g. an order whose total is not gross - discount + tax + shipping) go to the suspense
account, counted in the step's summary for finance to clear. All of it is polars on
whole frames; nothing loops over rows.
"""

from __future__ import annotations

from dataclasses import dataclass

import polars as pl

from oms_hub.finance.config import AMOUNT_FIELDS, Postings
from oms_hub.finance.periods import posting_dates
from oms_hub.quality.contracts.base import MONEY_DTYPE

RATE_DTYPE = pl.Decimal(18, 8)
RATES_SCHEMA = {"currency": pl.String, "valid_from": pl.Date, "rate": RATE_DTYPE}
_SUSPENSE_LINE = 900
_ROUNDING_LINE = 950


@dataclass(frozen=True)
class Posted:
    """New journal lines, and the events that could not post (with the reason)."""

    lines: pl.DataFrame
    unposted: pl.DataFrame


def _with_rates(events: pl.DataFrame, rates: pl.DataFrame, base: str) -> pl.DataFrame:
    """Attach the rate in force on each event's day (base currency: 1)."""
    rates = rates.cast(RATES_SCHEMA).sort("valid_from")  # type: ignore[arg-type]
    joined = events.sort("occurred_on").join_asof(
        rates,
        left_on="occurred_on",
        right_on="valid_from",
        by="currency",
        strategy="backward",
        check_sortedness=False,
    )
    return joined.with_columns(
        fx_rate=pl.when(pl.col("currency") == base)
        .then(pl.lit(1).cast(RATE_DTYPE))
        .otherwise(pl.col("rate"))
    ).drop("valid_from", "rate")


def post_events(
    events: pl.DataFrame,
    postings: Postings,
    *,
    rates: pl.DataFrame | None = None,
    closed: set[str] | frozenset[str] = frozenset(),
    already_posted: pl.Series | None = None,
) -> Posted:
    """The journal lines of every event not yet posted."""
    base = postings.base_currency
    if already_posted is not None and already_posted.len():
        events = events.filter(~pl.col("event_id").is_in(already_posted.implode()))
    rates = rates if rates is not None else pl.DataFrame(schema=RATES_SCHEMA)
    rated = _with_rates(events, rates, base)
    no_rule = ~pl.col("event").is_in(list(postings.events))
    no_rate = pl.col("fx_rate").is_null()
    unposted = rated.filter(no_rule | no_rate).select(
        "event_id",
        "source",
        "landed_file",
        "locator",
        error_code=pl.when(no_rule).then(pl.lit("no_posting_rule")).otherwise(pl.lit("no_fx_rate")),
        error=pl.when(no_rule)
        .then(pl.format("no posting rule for event '{}'", pl.col("event")))
        .otherwise(
            pl.format(
                "no {} -> {} rate on or before {}",
                pl.col("currency"),
                pl.lit(base),
                pl.col("occurred_on"),
            )
        ),
    )
    ok = rated.filter(~(no_rule | no_rate))
    rules = postings.rules_frame()
    head = ["event_id", "event", "source_ref", "occurred_on", "currency", "memo", "fx_rate"]
    lineage = ["source", "landed_file", "locator"]
    long = ok.unpivot(
        index=[*head, *lineage], on=list(AMOUNT_FIELDS), variable_name="field", value_name="value"
    ).filter(pl.col("value").is_not_null() & (pl.col("value") != 0))
    lines = long.join(rules, on=["event", "field"], how="inner").with_columns(
        signed=pl.when(pl.col("side") == "debit")
        .then(pl.col("value"))
        .otherwise(-pl.col("value"))
        .cast(MONEY_DTYPE),
        memo=pl.coalesce(pl.col("rule_memo"), pl.col("memo")),
    )
    keep = [*head, *lineage, "journal", "rule_line", "account", "signed"]
    lines = lines.select(keep)
    entry_head = ok.select(*head, *lineage).join(
        rules.select("event", "journal").unique("event"), on="event"
    )
    # Suspense: what the event's own amounts leave unbalanced in its currency.
    off = lines.group_by("event_id").agg(diff=pl.col("signed").sum())
    suspense = (
        entry_head.join(off, on="event_id")
        .filter(pl.col("diff") != 0)
        .with_columns(
            rule_line=pl.lit(_SUSPENSE_LINE, pl.Int32),
            account=pl.lit(postings.suspense_account),
            signed=(-pl.col("diff")).cast(MONEY_DTYPE),
            memo=pl.lit("unexplained by the source's totals"),
        )
        .select(keep)
    )
    lines = pl.concat([lines, suspense]).with_columns(
        signed_base=(pl.col("signed") * pl.col("fx_rate")).round(2).cast(MONEY_DTYPE)
    )
    # Rounding: the base-currency cents lost converting each line separately.
    off_base = lines.group_by("event_id").agg(diff=pl.col("signed_base").sum())
    rounding = (
        entry_head.join(off_base, on="event_id")
        .filter(pl.col("diff") != 0)
        .with_columns(
            rule_line=pl.lit(_ROUNDING_LINE, pl.Int32),
            account=pl.lit(postings.rounding_account),
            signed=pl.lit(0).cast(MONEY_DTYPE),
            signed_base=(-pl.col("diff")).cast(MONEY_DTYPE),
            memo=pl.lit("currency rounding"),
        )
        .select([*keep, "signed_base"])
    )
    lines = pl.concat([lines, rounding])
    dates = posting_dates(lines["occurred_on"], set(closed))
    zero = pl.lit(0).cast(MONEY_DTYPE)
    out = (
        lines.join(dates, on="occurred_on", how="left")
        .join(postings.accounts_frame().select("account", "account_name"), on="account", how="left")
        .sort("event_id", "rule_line")
        .with_columns(
            line_number=pl.int_range(1, pl.len() + 1, dtype=pl.Int32).over("event_id"),
            period=pl.col("posted_on").dt.strftime("%Y-%m"),
            debit=pl.max_horizontal(pl.col("signed"), zero).cast(MONEY_DTYPE),
            credit=pl.max_horizontal(-pl.col("signed"), zero).cast(MONEY_DTYPE),
            debit_base=pl.max_horizontal(pl.col("signed_base"), zero).cast(MONEY_DTYPE),
            credit_base=pl.max_horizontal(-pl.col("signed_base"), zero).cast(MONEY_DTYPE),
            base_currency=pl.lit(base),
        )
        .rename({"event_id": "entry_id", "occurred_on": "event_date", "event": "source_event"})
    )
    return Posted(lines=out, unposted=unposted)


def unbalanced_entries(journal: pl.DataFrame) -> pl.DataFrame:
    """Entries whose debits and credits differ, in either currency (should be none)."""
    return (
        journal.group_by("entry_id")
        .agg(
            tx=pl.col("debit").sum() - pl.col("credit").sum(),
            base=pl.col("debit_base").sum() - pl.col("credit_base").sum(),
        )
        .filter((pl.col("tx") != 0) | (pl.col("base") != 0))
    )


def trial_balance(journal: pl.DataFrame, postings: Postings) -> pl.DataFrame:
    """Per period x account: base-currency debits, credits and the net balance."""
    return (
        journal.group_by("period", "account")
        .agg(
            debit=pl.col("debit_base").sum().cast(MONEY_DTYPE),
            credit=pl.col("credit_base").sum().cast(MONEY_DTYPE),
        )
        .join(postings.accounts_frame(), on="account", how="left")
        .with_columns(
            balance=(pl.col("debit") - pl.col("credit")).cast(MONEY_DTYPE),
            currency=pl.lit(postings.base_currency),
        )
        .sort("period", "account")
    )
