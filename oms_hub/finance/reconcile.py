"""Settlement reconciliation: every expected payment and refund against what settled.

Expected money (from ``core.payments``, or any frame of the same shape) is matched to
parsed settlement rows on processor + processor reference + kind; chargebacks are found
by the order reference they name. Each expected payment, and each settlement nobody
expected, gets one status:

* ``chargeback``: the customer's bank took the payment back (difference = minus that);
* ``missing_settlement``: expected, never settled;
* ``amount_mismatch``: settled for a different amount;
* ``fee_variance``: the amount is right but the fee is not what the schedule says;
* ``unexpected_settlement``: settled, never expected;
* ``matched``.

The fee schedule (percent + fixed per processor; refunds free) is data; a contract
change is a dict entry, not code.
"""

from __future__ import annotations

from decimal import Decimal

import polars as pl

from oms_hub.quality.contracts.base import MONEY_DTYPE

STATUSES = (
    "matched",
    "missing_settlement",
    "amount_mismatch",
    "fee_variance",
    "unexpected_settlement",
    "chargeback",
)
#: processor -> (rate, fixed fee per charge). Refunds carry no fee.
FEE_SCHEDULE: dict[str, tuple[Decimal, Decimal]] = {
    "stripe": (Decimal("0.029"), Decimal("0.30")),
    "shopify_payments": (Decimal("0.029"), Decimal("0.30")),
    "paypal": (Decimal("0.0349"), Decimal("0.49")),
    "amazon": (Decimal("0.15"), Decimal("0.00")),
}
FEE_TOLERANCE = Decimal("0.01")
EXPECTED_SCHEMA = {
    "order_id": pl.String,
    "processor": pl.String,
    "processor_ref": pl.String,
    "order_ref": pl.String,
    "kind": pl.String,
    "expected_amount": MONEY_DTYPE,
    "currency": pl.String,
}


def expected_fee(schedule: dict[str, tuple[Decimal, Decimal]]) -> pl.Expr:
    """Fee the schedule says a payment should cost (0 for refunds or unknown processors)."""
    rate = pl.col("processor").replace_strict(
        {k: v[0] for k, v in schedule.items()}, default=Decimal(0), return_dtype=pl.Decimal(18, 6)
    )
    fixed = pl.col("processor").replace_strict(
        {k: v[1] for k, v in schedule.items()}, default=Decimal(0), return_dtype=MONEY_DTYPE
    )
    fee = (pl.col("expected_amount") * rate + fixed).round(2).cast(MONEY_DTYPE)
    return pl.when(pl.col("kind") == "charge").then(fee).otherwise(pl.lit(0).cast(MONEY_DTYPE))


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
        .with_columns(processor_ref=pl.coalesce("processor_ref", "_ref"))
        .drop("_ref")
    )


def reconcile(
    expected: pl.DataFrame,
    settled: pl.DataFrame,
    *,
    schedule: dict[str, tuple[Decimal, Decimal]] | None = None,
) -> pl.DataFrame:
    """One row per expected payment and per unexpected settlement, with its status."""
    schedule = FEE_SCHEDULE if schedule is None else schedule
    keys = ["processor", "processor_ref", "kind"]
    money = settled.lazy().filter(pl.col("kind").is_in(["charge", "refund"]))
    exp = _fill_missing_refs(expected.lazy(), money).with_columns(
        expected_fee=expected_fee(schedule)
    )
    got = money.group_by(keys).agg(
        settled_amount=pl.col("gross").abs().sum().cast(MONEY_DTYPE),
        fee=pl.col("fee").sum().cast(MONEY_DTYPE),
        settled_order_ref=pl.col("order_ref").first(),
        settled_currency=pl.col("currency").first(),
    )
    backs = (
        settled.lazy()
        .filter(pl.col("kind") == "chargeback")
        .group_by("processor", "order_ref")
        .agg(chargeback_amount=pl.col("gross").abs().sum().cast(MONEY_DTYPE))
    )
    joined = exp.join(got, on=keys, how="full", coalesce=True).with_columns(
        order_ref=pl.coalesce("order_ref", "settled_order_ref"),
        currency=pl.coalesce("currency", "settled_currency"),
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
    fee_off = (pl.col("fee") - pl.col("expected_fee")).abs() > FEE_TOLERANCE
    status = (
        pl.when(pl.col("chargeback_amount").is_not_null())
        .then(pl.lit("chargeback"))
        .when(pl.col("expected_amount").is_null())
        .then(pl.lit("unexpected_settlement"))
        .when(pl.col("settled_amount").is_null())
        .then(pl.lit("missing_settlement"))
        .when(pl.col("settled_amount") != pl.col("expected_amount"))
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
        )
        .sort("processor", "order_ref", "processor_ref", "kind", nulls_last=True)
        .collect()
    )
