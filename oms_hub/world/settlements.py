"""Sample settlement files for Stripe, Shopify Payments, Amazon (V2) and PayPal (STL).

A standalone world for settlement reconciliation: ``settlement_world`` draws expected
payments and refunds across the four processors (its own random stream, so no other
channel's files change), writes what each processor would settle in its native format,
and injects what finance must catch: amount mismatches, fee variances, missing and
unexpected settlements, chargebacks. The truth (``settlement_truth.csv``) gives the
status every expected payment and every planted settlement should get. Vectorized:
numpy draws, polars formats.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import polars as pl

from oms_hub.finance.reconcile import EXPECTED_SCHEMA
from oms_hub.world.seeds import SETTLEMENTS, rng_for

#: Amazon settlement report flat file V2 columns, in the order Seller Central writes them.
AMAZON_V2_HEADER = [
    "settlement-id",
    "settlement-start-date",
    "settlement-end-date",
    "deposit-date",
    "total-amount",
    "currency",
    "transaction-type",
    "order-id",
    "merchant-order-id",
    "adjustment-id",
    "shipment-id",
    "marketplace-name",
    "amount-type",
    "amount-description",
    "amount",
    "fulfillment-id",
    "posted-date",
    "posted-date-time",
    "order-item-code",
    "merchant-order-item-id",
    "merchant-adjustment-item-id",
    "sku",
    "quantity-purchased",
    "promotion-id",
]

SOURCE = "settlements"
PROCESSORS = ("stripe", "shopify_payments", "amazon", "paypal")
#: Share of expected payments given each fault (mutually exclusive).
INJECT = {
    "amount_mismatch": 0.02,
    "fee_variance": 0.02,
    "missing_settlement": 0.02,
    "chargeback": 0.01,
}
UNEXPECTED_SHARE = 0.01
#: What the world's processors really charge per charge: (rate in basis points, fixed
#: cents), rounded half up as processors do. The world's own price list: the hub's
#: reconciler judges fees against its configured schedule (finance/default_fees.yaml),
#: never against these numbers.
PRICE_LIST: dict[str, tuple[int, int]] = {
    "stripe": (290, 30),
    "shopify_payments": (290, 30),
    "paypal": (349, 49),
    "amazon": (1500, 0),
}


@dataclass(frozen=True)
class SettlementWorld:
    """Expected payments, the settlement files (name -> bytes) and the truth."""

    expected: pl.DataFrame
    files: dict[str, bytes]
    truth: pl.DataFrame


def _money_text(cents: pl.Expr) -> pl.Expr:
    """Integer cents -> '-12.34' text (exact, no float)."""
    mag = cents.abs()
    text = pl.format("{}.{}", mag // 100, (mag % 100).cast(pl.String).str.zfill(2))
    return pl.when(cents < 0).then(pl.format("-{}", text)).otherwise(text)


def _fee_cents(processor: pl.Expr, cents: pl.Expr) -> pl.Expr:
    """The processor's fee in cents by ``PRICE_LIST``, rounded half up (integer maths)."""
    bp = processor.replace_strict({k: v[0] for k, v in PRICE_LIST.items()}, return_dtype=pl.Int64)
    fixed = processor.replace_strict(
        {k: v[1] for k, v in PRICE_LIST.items()}, return_dtype=pl.Int64
    )
    return (cents * bp + 5_000) // 10_000 + fixed


def _plan(n: int, seed: int, start: datetime.date, days: int) -> pl.DataFrame:
    rng = rng_for(seed, SETTLEMENTS)
    processor = rng.integers(0, len(PROCESSORS), n)
    cents = rng.integers(500, 50_000, n)
    refund = rng.random(n) < 0.08
    day = rng.integers(0, days, n)
    fault_draw = rng.random(n)
    delta = rng.integers(1, 500, n) * np.where(rng.random(n) < 0.5, -1, 1)
    fee_delta = rng.integers(50, 300, n)
    edges = np.cumsum(list(INJECT.values()))
    fault_idx = np.searchsorted(edges, fault_draw, side="right")
    faults = np.array([*INJECT, "matched"], dtype=object)[fault_idx]
    plan = pl.DataFrame(
        {
            "i": np.arange(n),
            "processor": np.array(PROCESSORS, dtype=object)[processor],
            "cents": cents,
            "refund": refund,
            "day": day,
            "fault": faults,
            "delta": delta,
            "fee_delta": fee_delta,
        }
    ).with_columns(
        kind=pl.when("refund").then(pl.lit("refund")).otherwise(pl.lit("charge")),
        status=pl.col("fault").cast(pl.String),
        date=pl.lit(start) + pl.duration(days=pl.col("day")),
    )
    # A chargeback only happens to a charge; a refund drawn for one is just matched.
    plan = plan.with_columns(
        status=pl.when((pl.col("status") == "chargeback") & pl.col("refund"))
        .then(pl.lit("matched"))
        .otherwise("status")
    )
    return plan.with_columns(
        order_ref=pl.format(
            "{}-{}", pl.col("processor").str.slice(0, 2).str.to_uppercase(), 100000 + pl.col("i")
        ),
        processor_ref=pl.when(pl.col("processor") == "stripe")
        .then(
            pl.format(
                "{}_{}", pl.when("refund").then(pl.lit("re")).otherwise(pl.lit("ch")), pl.col("i")
            )
        )
        .when(pl.col("processor") == "paypal")
        .then(
            pl.format(
                "PP{}{}",
                pl.when("refund").then(pl.lit("R")).otherwise(pl.lit("C")),
                7000000 + pl.col("i"),
            )
        )
        .otherwise(
            pl.format(
                "{}-{}",
                pl.col("processor").str.slice(0, 2).str.to_uppercase(),
                100000 + pl.col("i"),
            )
        ),
        fee_cents=pl.when("refund")
        .then(0)
        .otherwise(_fee_cents(pl.col("processor"), pl.col("cents"))),
    )


def _settled(
    plan: pl.DataFrame,
    rng: np.random.Generator,
    start: datetime.date,
    days: int,
    processors: tuple[str, ...] = PROCESSORS,
) -> pl.DataFrame:
    """What processors settle: one row per settled payment (+ chargebacks, + strays).

    Strays (settlements nobody expected) go to ``processors``.
    """
    sign = pl.when(pl.col("refund")).then(-1).otherwise(1)
    paid = plan.filter(pl.col("status") != "missing_settlement").with_columns(
        gross_cents=sign
        * (
            pl.col("cents")
            + pl.when(pl.col("status") == "amount_mismatch").then("delta").otherwise(0)
        ),
        fee_cents=pl.col("fee_cents")
        + pl.when(pl.col("status") == "fee_variance").then("fee_delta").otherwise(0),
        kind=pl.col("kind"),
    )
    backs = plan.filter(pl.col("status") == "chargeback").with_columns(
        gross_cents=-pl.col("cents"),
        fee_cents=pl.lit(1500, pl.Int64),
        kind=pl.lit("chargeback"),
        date=pl.col("date") + pl.duration(days=1),
    )
    n_stray = max(1, int(plan.height * UNEXPECTED_SHARE))
    stray = (
        pl.DataFrame(
            {
                "i": plan.height + np.arange(n_stray),
                "processor": np.array(processors, dtype=object)[
                    rng.integers(0, len(processors), n_stray)
                ],
                "cents": rng.integers(500, 50_000, n_stray),
                "day": rng.integers(0, days, n_stray),
            }
        )
        .with_columns(
            refund=pl.lit(False),
            kind=pl.lit("charge"),
            status=pl.lit("unexpected_settlement"),
            date=pl.lit(start) + pl.duration(days=pl.col("day")),
            order_ref=pl.format(
                "{}-X{}", pl.col("processor").str.slice(0, 2).str.to_uppercase(), pl.col("i")
            ),
            processor_ref=pl.when(pl.col("processor") == "stripe")
            .then(pl.format("ch_x{}", pl.col("i")))
            .when(pl.col("processor") == "paypal")
            .then(pl.format("PPX{}", 7000000 + pl.col("i")))
            .otherwise(
                pl.format(
                    "{}-X{}", pl.col("processor").str.slice(0, 2).str.to_uppercase(), pl.col("i")
                )
            ),
        )
        .with_columns(
            gross_cents=pl.col("cents"), fee_cents=_fee_cents(pl.col("processor"), pl.col("cents"))
        )
    )
    cols = [
        "i",
        "processor",
        "kind",
        "order_ref",
        "processor_ref",
        "gross_cents",
        "fee_cents",
        "date",
    ]
    return pl.concat([paid.select(cols), backs.select(cols), stray.select(cols)]).sort(
        "date", "i", "kind"
    )


def _stripe(rows: pl.DataFrame) -> bytes:
    out = rows.select(
        id=pl.format("txn_{}_{}", pl.col("i"), pl.col("kind")),
        Type=pl.when(pl.col("kind") == "chargeback").then(pl.lit("adjustment")).otherwise("kind"),
        Source=pl.when(pl.col("kind") == "chargeback")
        .then(pl.format("dp_{}", "i"))
        .otherwise("processor_ref"),
        Amount=_money_text(pl.col("gross_cents")),
        Fee=_money_text(pl.col("fee_cents")),
        Net=_money_text(pl.col("gross_cents") - pl.col("fee_cents")),
        Currency=pl.lit("usd"),
        **{"Created (UTC)": pl.format("{} 14:03", pl.col("date"))},
        Description=pl.when(pl.col("kind") == "chargeback")
        .then(pl.format("Chargeback withdrawal for {}", "processor_ref"))
        .when(pl.col("kind") == "payout")
        .then(pl.lit("STRIPE PAYOUT"))
        .when(pl.col("order_ref").is_null())
        .then(pl.lit("Payment"))
        .otherwise(pl.format("Payment for order {}", "order_ref")),
        **{"order_id (metadata)": pl.col("order_ref")},
        Transfer=pl.format("po_{}", pl.col("date").dt.strftime("%Y%m%d")),
    )
    return out.write_csv().encode()


def _shopify(rows: pl.DataFrame) -> bytes:
    out = rows.select(
        **{"Transaction Date": pl.format("{} 10:00:00 -0500", "date")},
        Type=pl.col("kind"),
        Order=pl.col("processor_ref"),
        **{"Payout Status": pl.lit("paid")},
        **{"Payout ID": pl.col("date").dt.strftime("%Y%m%d")},
        Amount=_money_text(pl.col("gross_cents")),
        Fee=_money_text(pl.col("fee_cents")),
        Net=_money_text(pl.col("gross_cents") - pl.col("fee_cents")),
        Currency=pl.lit("USD"),
    )
    return out.write_csv().encode()


def _amazon(rows: pl.DataFrame, start: datetime.date, days: int) -> bytes:
    ttype = (
        pl.when(pl.col("kind") == "charge")
        .then(pl.lit("Order"))
        .when(pl.col("kind") == "refund")
        .then(pl.lit("Refund"))
        .otherwise(pl.lit("Chargeback Refund"))
    )
    base = rows.with_columns(ttype=ttype, posted=pl.format("{}T08:00:00+00:00", "date"))
    principal = base.select(
        "i",
        "ttype",
        "posted",
        "processor_ref",
        seq=pl.lit(0),
        atype=pl.lit("ItemPrice"),
        adesc=pl.lit("Principal"),
        cents=pl.col("gross_cents"),
    )
    fees = base.filter(pl.col("fee_cents") != 0).select(
        "i",
        "ttype",
        "posted",
        "processor_ref",
        seq=pl.lit(1),
        atype=pl.lit("ItemFees"),
        adesc=pl.lit("Commission"),
        cents=-pl.col("fee_cents"),
    )
    lines = pl.concat([principal, fees]).sort("i", "ttype", "seq")
    settlement_id = "11223344556"
    total = int(rows["gross_cents"].sum() - rows["fee_cents"].sum())
    end = start + datetime.timedelta(days=days)
    summary = pl.DataFrame(
        [
            [
                settlement_id,
                f"{start}T00:00:00+00:00",
                f"{end}T00:00:00+00:00",
                f"{end}T12:00:00+00:00",
                f"{total // 100}.{abs(total) % 100:02d}"
                if total >= 0
                else f"-{abs(total) // 100}.{abs(total) % 100:02d}",
                "USD",
            ]
            + [""] * 18
        ],
        schema=AMAZON_V2_HEADER,
        orient="row",
    )
    fixed = {
        "settlement-id": pl.lit(settlement_id),
        "currency": pl.lit("USD"),
        "transaction-type": pl.col("ttype"),
        "order-id": pl.col("processor_ref"),
        "marketplace-name": pl.lit("Amazon.com"),
        "amount-type": pl.col("atype"),
        "amount-description": pl.col("adesc"),
        "amount": _money_text(pl.col("cents")),
        "fulfillment-id": pl.lit("MFN"),
        "posted-date": pl.col("posted").str.slice(0, 10),
        "posted-date-time": pl.col("posted"),
    }
    body = lines.select([fixed.get(h, pl.lit("")).alias(h) for h in AMAZON_V2_HEADER])
    return pl.concat([summary, body]).write_csv(separator="\t", quote_style="never").encode()


def _paypal(rows: pl.DataFrame) -> bytes:
    code = (
        pl.when(pl.col("kind") == "charge")
        .then(pl.lit("T0006"))
        .when(pl.col("kind") == "refund")
        .then(pl.lit("T1107"))
        .when(pl.col("kind") == "payout")
        .then(pl.lit("T0400"))
        .otherwise(pl.lit("T1201"))
    )
    original = pl.when(pl.col("kind") == "chargeback").then("processor_ref").otherwise(pl.lit(""))
    sb = rows.select(
        line=pl.concat_str(
            [
                pl.lit('"SB"'),
                pl.format(
                    '"{}"',
                    pl.when(pl.col("kind") == "chargeback")
                    .then(pl.format("PPB{}", "i"))
                    .otherwise("processor_ref"),
                ),
                pl.format('"{}"', pl.col("order_ref").fill_null("")),
                pl.format('"{}"', original),
                pl.format('"{}"', code),
                pl.format('"{} 09:15:00 -0800"', pl.col("date").dt.strftime("%Y/%m/%d")),
                pl.format('"{} 09:15:01 -0800"', pl.col("date").dt.strftime("%Y/%m/%d")),
                pl.when(pl.col("gross_cents") < 0).then(pl.lit('"DR"')).otherwise(pl.lit('"CR"')),
                pl.format('"{}"', pl.col("gross_cents").abs()),
                pl.lit('"USD"'),
                pl.when(pl.col("fee_cents") < 0).then(pl.lit('"CR"')).otherwise(pl.lit('"DR"')),
                pl.format('"{}"', pl.col("fee_cents").abs()),
                pl.lit('"USD"'),
            ],
            separator=",",
        )
    )["line"].to_list()
    head = [
        '"RH","2026/01/31 23:59:59 -0800","A","MERCHANT1",011',
        '"FH",01',
        '"SH","2026/01/01 00:00:00 -0800","2026/01/31 23:59:59 -0800","MERCHANT1",""',
        '"CH","Transaction ID","Invoice ID","PayPal Reference ID","Transaction Event Code",'
        '"Transaction Initiation Date","Transaction Completion Date",'
        '"Transaction  Debit or Credit","Gross Transaction Amount","Gross Transaction Currency",'
        '"Fee Debit or Credit","Fee Amount","Fee Currency"',
    ]
    tail = [f'"SF",{len(sb)}', f'"SC",{len(sb)}', f'"RF",{len(sb)}', f'"RC",{len(sb)}', '"FF",1']
    return ("\r\n".join([*head, *sb, *tail]) + "\r\n").encode()


def settlement_world(
    n: int = 10_000,
    *,
    seed: int = 7,
    start: datetime.date = datetime.date(2026, 1, 1),
    days: int = 28,
) -> SettlementWorld:
    """Draw expected payments, write what settled in each processor's format, and the truth."""
    plan = _plan(n, seed, start, days)
    rng = rng_for(seed, SETTLEMENTS, 1)
    settled = _settled(plan, rng, start, days)
    expected = plan.select(
        order_id=pl.format("web:{}", "order_ref"),
        processor="processor",
        processor_ref="processor_ref",
        order_ref="order_ref",
        kind="kind",
        expected_amount=_money_text(pl.col("cents")),
        currency=pl.lit("USD"),
    ).cast(EXPECTED_SCHEMA)  # type: ignore[arg-type]
    truth = pl.concat(
        [
            plan.select("processor", "processor_ref", "order_ref", "kind", "status"),
            settled.filter(pl.col("i") >= plan.height).select(
                "processor",
                "processor_ref",
                "order_ref",
                "kind",
                status=pl.lit("unexpected_settlement"),
            ),
        ]
    )
    by = {p: settled.filter(pl.col("processor") == p) for p in PROCESSORS}
    files = {
        "stripe/balance_history.csv": _stripe(by["stripe"]),
        "shopify_payments/payout_transactions.csv": _shopify(by["shopify_payments"]),
        "amazon/settlement_11223344556.txt": _amazon(by["amazon"], start, days),
        "paypal/STL-20260131.01.001.CSV": _paypal(by["paypal"]),
    }
    return SettlementWorld(expected=expected, files=files, truth=truth)


def write_settlement_world(root: Path, world: SettlementWorld) -> list[Path]:
    """Write the files under ``landing/settlements/`` and truth under ``truth/``."""
    written = []
    for name, payload in world.files.items():
        path = root / "landing" / SOURCE / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(payload)
        written.append(path)
    (root / "truth").mkdir(parents=True, exist_ok=True)
    world.truth.write_csv(root / "truth" / "settlement_truth.csv")
    world.expected.write_csv(root / "truth" / "settlement_expected.csv")
    return written
