"""Settlement files for the generated world's own web and marketplace payments.

``generate_world`` hands what its pages show to ``web_settlement_world``, which settles
it in each processor's native format:

* Shopify charges and refunds: a Shopify Payments payout-transactions file (by order name);
* WooCommerce ones: Stripe balance history for card checkouts, a PayPal STL file for the
  checkouts paid with PayPal (``web_api.woo_paid_with_paypal``), each with daily payouts;
* Amazon orders shipped within the world (``ApiWorldWriter.amazon_shipments``): bi-weekly
  Amazon settlement reports (flat file V2), one file per 14-day settlement window, the
  amounts per order line (Principal, Tax, Shipping, Commission, FBA fee per unit), an
  order with lines shipped on two days posted on two days (sometimes in two reports).

Faults finance must catch are injected at small rates (amount mismatches, fee variances,
missing settlements, chargebacks, plus settlements nobody expected), and the mess real
files have is there without being a fault: fees from the processors' own price list
(``settlements.PRICE_LIST``: half-up rounding, Amazon referral fees per item on price +
shipping, FBA fees by a size tier the hub does not know), refunds whose Stripe row lost
the shop's order metadata or whose PayPal line has no invoice id (so they match only by
amount and date), orders settled over two days. The truth
(``truth/web_settlement_truth.csv``) is the status each expected payment and each planted
stray should get in ``finance.payment_reconciliation``. Own random streams
(``seeds.SETTLEMENTS_WEB``): no other file of the world changes. Vectorized.
"""

from __future__ import annotations

import datetime
from pathlib import Path

import numpy as np
import polars as pl

from oms_hub.world.seeds import SETTLEMENTS_WEB, rng_for
from oms_hub.world.settlements import (
    AMAZON_V2_HEADER,
    INJECT,
    SOURCE,
    UNEXPECTED_SHARE,
    SettlementWorld,
    _fee_cents,
    _money_text,
    _paypal,
    _settled,
    _shopify,
    _stripe,
)

#: processor -> file written under ``landing/settlements/`` and its writer.
FILES = {
    "shopify_payments": ("shopify_payments/payout_transactions-world.csv", _shopify),
    "stripe": ("stripe/balance_history-world.csv", _stripe),
    "paypal": ("paypal/STL-world.01.001.CSV", _paypal),
}
TRUTH_FILE = "web_settlement_truth.csv"
#: Amazon's FBA fulfilment fee per unit by size tier (cents); a SKU's tier is a hash.
FBA_TIER_CENTS = (322, 386, 475, 540)
AMAZON_WINDOW_DAYS = 14
#: Share (per cent) of matched refunds whose settlement row carries no order reference.
UNREFERENCED_PCT = 20
#: Share (per cent) of multi-line Amazon orders whose later lines post a day later.
SPLIT_PCT = 30
PAYOUT_LAG_DAYS = 2


def _plan(payments: pl.DataFrame, rng: np.random.Generator) -> pl.DataFrame:
    """The payments with the fault each one gets (same shape as the standalone plan)."""
    n = payments.height
    fault_draw = rng.random(n)
    delta = rng.integers(1, 500, n) * np.where(rng.random(n) < 0.5, -1, 1)
    fee_delta = rng.integers(50, 300, n)
    edges = np.cumsum(list(INJECT.values()))
    faults = np.array([*INJECT, "matched"], dtype=object)[
        np.searchsorted(edges, fault_draw, side="right")
    ]
    refund = pl.col("kind") == "refund"
    return (
        payments.sort("processor", "order_ref", "kind")
        .with_columns(
            i=pl.int_range(0, pl.len(), dtype=pl.Int64),
            refund=refund,
            status=pl.Series(faults, dtype=pl.String),
            delta=pl.Series(delta, dtype=pl.Int64),
            fee_delta=pl.Series(fee_delta, dtype=pl.Int64),
        )
        .with_columns(
            # A chargeback only happens to a charge; a refund drawn for one is just matched.
            status=pl.when((pl.col("status") == "chargeback") & refund)
            .then(pl.lit("matched"))
            .otherwise("status"),
            fee_cents=pl.when(refund)
            .then(pl.lit(0, pl.Int64))
            .otherwise(_fee_cents(pl.col("processor"), pl.col("cents"))),
        )
    )


def _unreference(settled: pl.DataFrame, plan: pl.DataFrame) -> pl.DataFrame:
    """Drop the order reference of some matched refunds (Stripe metadata, PayPal invoice)."""
    status = plan.select("i", _status="status")
    drop = (
        pl.col("processor").is_in(["stripe", "paypal"])
        & (pl.col("kind") == "refund")
        & (pl.col("_status") == "matched")
        & ((pl.col("i") * 2_654_435_761) % 100 < UNREFERENCED_PCT)
    )
    return (
        settled.join(status, on="i", how="left")
        .with_columns(order_ref=pl.when(drop.fill_null(False)).then(None).otherwise("order_ref"))
        .drop("_status")
    )


def _payouts(settled: pl.DataFrame) -> pl.DataFrame:
    """What Stripe and PayPal paid out to the bank: a day's net, ``PAYOUT_LAG_DAYS`` later.

    (Shopify's payout-transactions export lists a payout's transactions, not the payout.)
    """
    day = pl.col("date")
    return (
        settled.filter(pl.col("processor").is_in(["stripe", "paypal"]))
        .group_by("processor", "date")
        .agg(net=(pl.col("gross_cents") - pl.col("fee_cents")).sum())
        .filter(pl.col("net") > 0)
        .select(
            i=10_000_000 + (day - pl.lit(datetime.date(2000, 1, 1))).dt.total_days(),
            processor="processor",
            kind=pl.lit("payout"),
            order_ref=pl.lit(None, pl.String),
            processor_ref=pl.when(pl.col("processor") == "stripe")
            .then(pl.format("po_{}", day.dt.strftime("%Y%m%d")))
            .otherwise(pl.format("9PW{}", day.dt.strftime("%Y%m%d"))),
            gross_cents=-pl.col("net"),
            fee_cents=pl.lit(0, pl.Int64),
            date=day + pl.duration(days=PAYOUT_LAG_DAYS),
        )
    )


# --- Amazon ----------------------------------------------------------------------------


def _amazon_plan(shipments: pl.DataFrame, rng: np.random.Generator) -> pl.DataFrame:
    """One expected charge per shipped Amazon order (its total), with its fault."""
    orders = (
        shipments.group_by("order_ref")
        .agg(
            cents=(pl.col("gross_cents") + pl.col("tax_cents") + pl.col("ship_cents")).sum(),
            units=pl.col("quantity").sum(),
            date=pl.col("shipped_on").min(),
        )
        .select(
            processor=pl.lit("amazon"),
            order_ref="order_ref",
            processor_ref="order_ref",
            kind=pl.lit("charge"),
            cents="cents",
            date="date",
            units="units",
        )
    )
    return _plan(orders, rng)


def _amazon_amounts(plan: pl.DataFrame, shipments: pl.DataFrame) -> pl.DataFrame:
    """The amount rows Amazon reports for the planned orders, chargebacks included."""
    # stable arithmetic on the ids (not pl.hash, which may change between polars versions)
    order_no = pl.col("order_ref").str.slice(4, 7).cast(pl.Int64, strict=False).fill_null(0)
    split = ((order_no * 2_654_435_761) % 100 < SPLIT_PCT) & (pl.col("line_number") > 1)
    lines = (
        shipments.join(
            plan.filter(pl.col("status") != "missing_settlement").select(
                "order_ref", "i", "status", "delta", "units"
            ),
            on="order_ref",
        )
        .with_columns(
            posted=pl.col("shipped_on") + pl.duration(days=split.cast(pl.Int64)),
            principal=pl.col("gross_cents")
            + pl.when((pl.col("status") == "amount_mismatch") & (pl.col("line_number") == 1))
            .then("delta")
            .otherwise(0),
            tier=pl.col("sku").str.extract(r"(\d+)").cast(pl.Int64, strict=False).fill_null(0)
            * 7_919
            % len(FBA_TIER_CENTS),
        )
        .with_columns(
            fba_fee=pl.when("fba")
            .then(
                pl.col("tier").replace_strict(
                    dict(enumerate(FBA_TIER_CENTS)), return_dtype=pl.Int64
                )
                * pl.col("quantity")
            )
            .otherwise(0),
            commission=((pl.col("gross_cents") + pl.col("ship_cents")) * 1_500 + 5_000) // 10_000,
            # a fee the price list does not have: a weight fee charged by mistake
            extra_fee=pl.when((pl.col("status") == "fee_variance") & (pl.col("line_number") == 1))
            .then(500 + 250 * pl.col("units"))
            .otherwise(0),
        )
    )
    keep = ["i", "order_ref", "posted", "sku", "quantity", "line_number"]

    def amount(seq: int, atype: str, adesc: str, cents: pl.Expr) -> pl.DataFrame:
        """One amount row per shipped line (``Order`` transactions)."""
        return lines.select(
            *keep,
            ttype=pl.lit("Order"),
            seq=pl.lit(seq),
            atype=pl.lit(atype),
            adesc=pl.lit(adesc),
            cents=cents,
        )

    rows = pl.concat(
        [
            amount(0, "ItemPrice", "Principal", pl.col("principal")),
            amount(1, "ItemPrice", "Tax", pl.col("tax_cents")),
            amount(2, "ItemPrice", "Shipping", pl.col("ship_cents")),
            amount(3, "ItemFees", "Commission", -pl.col("commission")),
            amount(4, "ItemFees", "FBAPerUnitFulfillmentFee", -pl.col("fba_fee")),
            amount(5, "ItemFees", "FBAWeightBasedFee", -pl.col("extra_fee")),
        ]
    ).filter((pl.col("cents") != 0) | (pl.col("seq") == 0))
    backs = (
        plan.filter(pl.col("status") == "chargeback")
        .join(
            shipments.group_by("order_ref").agg(posted=pl.col("shipped_on").max()), on="order_ref"
        )
        .select(
            "i",
            "order_ref",
            posted=pl.col("posted") + pl.duration(days=3),
            sku=pl.lit(""),
            quantity=pl.lit(0, pl.Int64),
            line_number=pl.lit(0, pl.Int64),
            ttype=pl.lit("A-to-z Guarantee Claim"),
            seq=pl.lit(0),
            atype=pl.lit("ItemPrice"),
            adesc=pl.lit("Principal"),
            cents=-pl.col("cents"),
        )
    )
    return pl.concat([rows, backs], how="vertical_relaxed")


def _amazon_strays(
    n_orders: int, rng: np.random.Generator, start: datetime.date, days: int
) -> pl.DataFrame:
    """Orders Amazon settles that the hub never saw (another seller account's, a test)."""
    n = max(1, int(n_orders * UNEXPECTED_SHARE))
    cents = rng.integers(800, 20_000, n)
    day = rng.integers(0, days, n)
    ids = rng.integers(0, 10_000_000, n)
    frame = pl.DataFrame({"k": np.arange(n), "cents": cents, "day": day, "id": ids}).with_columns(
        order_ref=pl.format(
            "114-{}-{}",
            (pl.col("k") + 9_000_000).cast(pl.String),
            pl.col("id").cast(pl.String).str.zfill(7),
        ),
        posted=pl.lit(start) + pl.duration(days=pl.col("day")),
    )
    base = {
        "i": pl.lit(-1, pl.Int64),
        "order_ref": pl.col("order_ref"),
        "posted": pl.col("posted"),
        "sku": pl.lit("UNKNOWN"),
        "quantity": pl.lit(1, pl.Int64),
        "line_number": pl.lit(1, pl.Int64),
        "ttype": pl.lit("Order"),
    }
    principal = frame.select(
        **base, seq=pl.lit(0), atype=pl.lit("ItemPrice"), adesc=pl.lit("Principal"), cents="cents"
    )
    fee = frame.select(
        **base,
        seq=pl.lit(3),
        atype=pl.lit("ItemFees"),
        adesc=pl.lit("Commission"),
        cents=-((pl.col("cents") * 1_500 + 5_000) // 10_000),
    )
    return pl.concat([principal, fee])


def _amazon_report(rows: pl.DataFrame, settlement_id: str, start: datetime.date) -> bytes:
    """One settlement report (flat file V2): the summary row, then the amount rows."""
    end = start + datetime.timedelta(days=AMAZON_WINDOW_DAYS)
    deposit = end + datetime.timedelta(days=1)
    total = int(rows["cents"].sum())
    summary = pl.DataFrame(
        [
            [
                settlement_id,
                f"{start}T00:00:00+00:00",
                f"{end}T00:00:00+00:00",
                f"{deposit}T07:00:00+00:00",
                None,
                "USD",
            ]
            + [""] * 18
        ],
        schema=AMAZON_V2_HEADER,
        orient="row",
    ).with_columns(**{"total-amount": _money_text(pl.lit(total, pl.Int64))})
    fixed = {
        "settlement-id": pl.lit(settlement_id),
        "currency": pl.lit("USD"),
        "transaction-type": pl.col("ttype"),
        "order-id": pl.col("order_ref"),
        "merchant-order-id": pl.lit(""),
        "shipment-id": pl.format("D{}", pl.col("posted").dt.strftime("%Y%m%d")),
        "marketplace-name": pl.lit("Amazon.com"),
        "amount-type": pl.col("atype"),
        "amount-description": pl.col("adesc"),
        "amount": _money_text(pl.col("cents")),
        "fulfillment-id": pl.lit("AFN"),
        "posted-date": pl.col("posted").dt.strftime("%Y-%m-%d"),
        "posted-date-time": pl.col("posted").dt.strftime("%Y-%m-%dT16:20:00+00:00"),
        "order-item-code": pl.when(pl.col("line_number") > 0).then(
            pl.format("{}{}", pl.col("order_ref").str.replace_all("-", ""), pl.col("line_number"))
        ),
        "sku": pl.col("sku"),
        "quantity-purchased": pl.when(pl.col("seq") == 0).then(pl.col("quantity").cast(pl.String)),
    }
    body = rows.sort("posted", "order_ref", "ttype", "line_number", "seq").select(
        [fixed.get(h, pl.lit("")).fill_null("").alias(h) for h in AMAZON_V2_HEADER]
    )
    return pl.concat([summary, body]).write_csv(separator="\t", quote_style="never").encode()


def _amazon_files(amounts: pl.DataFrame, start: datetime.date, seed: int) -> dict[str, bytes]:
    """One report per 14-day settlement window that has amounts."""
    window = (pl.col("posted") - pl.lit(start)).dt.total_days() // AMAZON_WINDOW_DAYS
    framed = amounts.with_columns(window=window)
    files = {}
    for (w,), rows in framed.partition_by("window", as_dict=True, maintain_order=True).items():
        settlement_id = f"{2_000_000_000 + seed * 1_000 + int(w)}"
        window_start = start + datetime.timedelta(days=int(w) * AMAZON_WINDOW_DAYS)
        files[f"amazon/settlement-{settlement_id}.txt"] = _amazon_report(
            rows, settlement_id, window_start
        )
    return dict(sorted(files.items()))


# --- the world -------------------------------------------------------------------------


def web_settlement_world(
    payments: pl.DataFrame,
    *,
    seed: int,
    start: datetime.date,
    days: int,
    shipments: pl.DataFrame | None = None,
) -> SettlementWorld:
    """Settle ``payments`` (processor, order_ref, processor_ref, kind, cents, date) and the
    shipped Amazon order lines ``shipments`` (``ApiWorldWriter.amazon_shipments``)."""
    present = tuple(p for p in FILES if p in set(payments["processor"].to_list()))
    plan = _plan(payments, rng_for(seed, SETTLEMENTS_WEB))
    truth_parts = [plan.select("processor", "order_ref", "kind", "status")]
    files: dict[str, bytes] = {}
    if present:
        settled = _settled(plan, rng_for(seed, SETTLEMENTS_WEB, 1), start, days, present)
        settled = _unreference(settled, plan)
        truth_parts.append(
            settled.filter(pl.col("i") >= plan.height).select(
                "processor", "order_ref", "kind", status=pl.lit("unexpected_settlement")
            )
        )
        money = pl.concat([settled, _payouts(settled)]).sort("date", "i", "kind")
        files |= {
            name: write(money.filter(pl.col("processor") == processor))
            for processor, (name, write) in FILES.items()
            if processor in present
        }
    if shipments is not None and shipments.height:
        amazon = _amazon_plan(shipments, rng_for(seed, SETTLEMENTS_WEB, 2))
        strays = _amazon_strays(amazon.height, rng_for(seed, SETTLEMENTS_WEB, 3), start, days)
        amounts = pl.concat([_amazon_amounts(amazon, shipments), strays], how="vertical_relaxed")
        files |= _amazon_files(amounts, start, seed)
        truth_parts += [
            amazon.select("processor", "order_ref", "kind", "status"),
            strays.select("order_ref")
            .unique()
            .select(
                processor=pl.lit("amazon"),
                order_ref="order_ref",
                kind=pl.lit("charge"),
                status=pl.lit("unexpected_settlement"),
            ),
        ]
        plan = pl.concat([plan, amazon], how="diagonal_relaxed")
    truth = pl.concat(truth_parts).sort("processor", "order_ref", "kind")
    return SettlementWorld(expected=plan, files=files, truth=truth)


def write_web_settlements(root: Path, world: SettlementWorld) -> list[str]:
    """Write the files under ``landing/settlements/`` and the truth under ``truth/``."""
    written = []
    for name, payload in world.files.items():
        path = root / "landing" / SOURCE / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(payload)
        written.append(f"{SOURCE}/{name}")
    (root / "truth").mkdir(parents=True, exist_ok=True)
    world.truth.write_csv(root / "truth" / TRUTH_FILE)
    return written
