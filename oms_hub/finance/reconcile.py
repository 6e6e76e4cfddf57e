"""Settlement reconciliation: every expected payment and refund against what settled.

Expected money (from ``core.payments`` and, for Amazon, the shipped orders; any frame of
the ``EXPECTED_SCHEMA`` shape) is matched to parsed settlement rows on processor +
processor reference + kind. Real files do not always carry the reference the hub knows,
so two fallbacks follow:

1. by order: same processor, order reference and kind, when exactly one reference
   settled for it (a WooCommerce refund names no processor id; the settlement names the
   order);
2. by amount and date: same processor, kind and amount, settled within ``WINDOW_DAYS``
   of the day the hub saw the payment, paired one to one in date order among the
   settlements nobody claimed (the settlement names neither the hub's reference nor the
   order, e.g. a Stripe refund without the shop's metadata).

``matched_by`` says which rule matched. Chargebacks are found by the order reference
they name. Each expected payment, and each settlement nobody expected, gets one status:

* ``chargeback``: the customer's bank took the payment back (difference = minus that);
* ``missing_settlement``: expected, never settled;
* ``amount_mismatch``: settled for a different amount, or in another currency;
* ``fee_variance``: the amount is right but the fee is further from the fee schedule
  (``oms_hub/finance/default_fees.yaml``, a home's ``config/settlement-fees.yaml``) than
  its tolerance;
* ``unexpected_settlement``: settled, never expected;
* ``matched``.
"""

from __future__ import annotations

import polars as pl

from oms_hub.finance.fees import FeeSchedule, load_fees
from oms_hub.quality.contracts.base import MONEY_DTYPE

STATUSES = (
    "matched",
    "missing_settlement",
    "amount_mismatch",
    "fee_variance",
    "unexpected_settlement",
    "chargeback",
)
#: Days after (and before) the hub's payment day a settlement may be dated and still
#: match by amount alone: processors settle card payments in 1-7 days, Amazon bi-weekly.
WINDOW_DAYS = (-2, 16)
EXPECTED_SCHEMA = {
    "order_id": pl.String,
    "processor": pl.String,
    "processor_ref": pl.String,
    "order_ref": pl.String,
    "kind": pl.String,
    "expected_amount": MONEY_DTYPE,
    "currency": pl.String,
}
#: Optional expected columns (null when a source cannot say): the payment's day (for the
#: amount-and-date fallback), its tax (fee schedules that exclude tax) and the units the
#: processor fulfilled itself (per-unit fees such as Amazon FBA).
OPTIONAL_SCHEMA = {
    "expected_on": pl.Date,
    "tax_amount": MONEY_DTYPE,
    "fulfilled_units": pl.Int64,
}


def with_optional(expected: pl.LazyFrame) -> pl.LazyFrame:
    """The expected frame with every optional column (null where a source gave none)."""
    have = expected.collect_schema().names()
    return expected.with_columns(
        [pl.lit(None, dtype).alias(n) for n, dtype in OPTIONAL_SCHEMA.items() if n not in have]
    )


def expected_fee(exp: pl.LazyFrame, schedule: FeeSchedule) -> pl.LazyFrame:
    """Add ``expected_fee`` and ``fee_tolerance`` from the schedule (refunds: no fee)."""
    zero = pl.lit(0).cast(MONEY_DTYPE)
    units = pl.col("fulfilled_units").fill_null(0)
    base = pl.col("expected_amount") - pl.when(pl.col("rate_on") == "pre_tax").then(
        pl.col("tax_amount").fill_null(zero)
    ).otherwise(zero)
    fee = (
        (base * pl.col("rate")).round(2).cast(MONEY_DTYPE)
        + pl.col("fixed")
        + pl.col("per_unit") * units
    )
    charge = pl.col("kind") == "charge"
    return (
        exp.join(schedule.frame().lazy(), on="processor", how="left")
        .with_columns(
            expected_fee=pl.when(charge & pl.col("rate").is_not_null())
            .then(fee)
            .otherwise(zero)
            .cast(MONEY_DTYPE),
            fee_tolerance=(
                pl.col("tolerance").fill_null(pl.lit("0.01").cast(MONEY_DTYPE))
                + pl.when(charge)
                .then(pl.col("tolerance_per_unit").fill_null(zero) * units)
                .otherwise(zero)
            ).cast(MONEY_DTYPE),
        )
        .drop(*(c for c in schedule.frame().columns if c != "processor"))
    )


def _fill_missing_refs(expected: pl.LazyFrame, money: pl.LazyFrame) -> pl.LazyFrame:
    """Give an expected payment without a processor reference the settlement's one.

    Some sources do not say a transaction's processor id (a WooCommerce refund carries
    none): such a payment matches the settlement of the same processor, order reference
    and kind, when exactly one reference settled for that order and kind.
    """
    keys = ["processor", "order_ref", "kind"]
    refs = (
        money.filter(pl.col("order_ref").is_not_null())
        .group_by(keys)
        .agg(_ref=pl.col("processor_ref").first(), _refs=pl.col("processor_ref").n_unique())
        .filter(pl.col("_refs") == 1)
        .drop("_refs")
    )
    return (
        expected.join(refs, on=keys, how="left")
        .with_columns(
            matched_by=pl.when(pl.col("processor_ref").is_not_null())
            .then(pl.lit("reference"))
            .when(pl.col("_ref").is_not_null())
            .then(pl.lit("order")),
            processor_ref=pl.coalesce("processor_ref", "_ref"),
        )
        .drop("_ref")
    )


def _fill_by_amount_and_day(exp: pl.LazyFrame, got: pl.LazyFrame) -> pl.LazyFrame:
    """Match what is still without a reference by processor, kind, amount and date window.

    Only settlements no expected payment claims by reference are candidates. Payments of
    the same processor, kind and amount pair one to one in date order (the first
    expected with the first settled, ...), and a pair counts only when the settlement is
    dated within ``WINDOW_DAYS`` of the payment. Equal amounts carry no evidence of which
    order is which, so such a pairing can swap references between two orders; their
    statuses are right either way.
    """
    keys = ["processor", "processor_ref", "kind"]
    group = ["processor", "kind", "expected_amount"]
    claimed = exp.filter(pl.col("processor_ref").is_not_null()).select(keys).unique()
    free = (
        got.join(claimed, on=keys, how="anti")
        .select(
            "processor",
            "kind",
            _cand=pl.col("processor_ref"),
            expected_amount=pl.col("settled_amount"),
            _day=pl.col("settled_on"),
        )
        .sort("_day", "_cand", nulls_last=True)
        .with_columns(_rank=pl.int_range(pl.len()).over(group))
    )
    exp = exp.with_row_index("_row")
    lo, hi = WINDOW_DAYS
    pairs = (
        exp.filter(pl.col("processor_ref").is_null() & pl.col("expected_on").is_not_null())
        .select("_row", *group, "expected_on")
        .sort("expected_on", "_row")
        .with_columns(_rank=pl.int_range(pl.len()).over(group))
        .join(free, on=[*group, "_rank"], how="inner")
        .filter(
            pl.col("_day").is_between(
                pl.col("expected_on") + pl.duration(days=lo),
                pl.col("expected_on") + pl.duration(days=hi),
            )
        )
        .select("_row", "_cand")
    )
    return (
        exp.join(pairs, on="_row", how="left")
        .with_columns(
            matched_by=pl.when(pl.col("_cand").is_not_null())
            .then(pl.lit("amount_date"))
            .otherwise("matched_by"),
            processor_ref=pl.coalesce("processor_ref", "_cand"),
        )
        .drop("_row", "_cand")
    )


def reconcile(
    expected: pl.DataFrame,
    settled: pl.DataFrame,
    *,
    schedule: FeeSchedule | None = None,
) -> pl.DataFrame:
    """One row per expected payment and per unexpected settlement, with its status."""
    schedule = load_fees() if schedule is None else schedule
    keys = ["processor", "processor_ref", "kind"]
    money = settled.lazy().filter(pl.col("kind").is_in(["charge", "refund"]))
    if "settled_on" not in settled.columns:
        money = money.with_columns(settled_on=pl.lit(None, pl.Date))
    got = money.group_by(keys).agg(
        settled_amount=pl.col("gross").abs().sum().cast(MONEY_DTYPE),
        fee=pl.col("fee").sum().cast(MONEY_DTYPE),
        settled_order_ref=pl.col("order_ref").drop_nulls().first(),
        settled_currency=pl.col("currency").first().str.to_uppercase(),
        settled_on=pl.col("settled_on").min(),
    )
    # collected: the fallback below numbers the rows, and a lazy join keeps no row order
    exp = _fill_missing_refs(with_optional(expected.lazy()), money).collect().lazy()
    exp = expected_fee(_fill_by_amount_and_day(exp, got), schedule)
    backs = (
        settled.lazy()
        .filter(pl.col("kind") == "chargeback")
        .group_by("processor", "order_ref")
        .agg(chargeback_amount=pl.col("gross").abs().sum().cast(MONEY_DTYPE))
    )
    joined = exp.join(got, on=keys, how="full", coalesce=True).with_columns(
        order_ref=pl.coalesce("order_ref", "settled_order_ref"),
        currency=pl.coalesce("currency", "settled_currency"),
        matched_by=pl.when(pl.col("settled_amount").is_not_null()).then("matched_by"),
    )
    joined = joined.join(
        backs.with_columns(kind=pl.lit("charge")), on=["processor", "order_ref", "kind"], how="left"
    )
    # Chargebacks on orders with no charge at all, expected or settled.
    stray_backs = backs.join(
        joined.filter(pl.col("kind") == "charge").select("processor", "order_ref"),
        on=["processor", "order_ref"],
        how="anti",
    ).select(
        "processor",
        "order_ref",
        processor_ref=pl.lit(None, pl.String),
        kind=pl.lit("chargeback"),
        chargeback_amount="chargeback_amount",
    )
    rows = pl.concat([joined, stray_backs], how="diagonal_relaxed")
    fee_off = (pl.col("fee") - pl.col("expected_fee")).abs() > pl.col("fee_tolerance")
    other_currency = pl.col("settled_currency").is_not_null() & (
        pl.col("settled_currency") != pl.col("currency").str.to_uppercase()
    )
    status = (
        pl.when(pl.col("chargeback_amount").is_not_null())
        .then(pl.lit("chargeback"))
        .when(pl.col("expected_amount").is_null())
        .then(pl.lit("unexpected_settlement"))
        .when(pl.col("settled_amount").is_null())
        .then(pl.lit("missing_settlement"))
        .when((pl.col("settled_amount") != pl.col("expected_amount")) | other_currency)
        .then(pl.lit("amount_mismatch"))
        .when(fee_off)
        .then(pl.lit("fee_variance"))
        .otherwise(pl.lit("matched"))
    )
    zero = pl.lit(0).cast(MONEY_DTYPE)
    difference = (
        pl.when(pl.col("chargeback_amount").is_not_null())
        .then(-pl.col("chargeback_amount"))
        .when(status == "fee_variance")
        .then(pl.col("expected_fee") - pl.col("fee"))
        .otherwise(pl.coalesce("settled_amount", zero) - pl.coalesce("expected_amount", zero))
    )
    return (
        rows.with_columns(status=status, difference=difference.cast(MONEY_DTYPE))
        .select(
            "order_id",
            "processor",
            "processor_ref",
            "order_ref",
            "kind",
            "expected_amount",
            "settled_amount",
            "fee",
            "expected_fee",
            "status",
            "difference",
            "currency",
            "matched_by",
        )
        .sort("processor", "order_ref", "processor_ref", "kind", nulls_last=True)
        .collect()
    )
