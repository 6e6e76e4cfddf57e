"""Settlement parsers (four native formats), the reconciler, and the settlement world."""

from __future__ import annotations

from decimal import Decimal

import polars as pl

from oms_hub.connectors.settlements import amazon_v2, paypal_stl, shopify_payments, stripe
from oms_hub.connectors.settlements.formats import parse_settlement_file
from oms_hub.finance.reconcile import EXPECTED_SCHEMA, reconcile
from oms_hub.world.settlements import settlement_world

D = Decimal

STRIPE = b"""id,Type,Source,Amount,Fee,Net,Currency,Created (UTC),Description,order_id (metadata)
txn_1,charge,ch_1,100.00,3.20,96.80,usd,2026-01-02 10:00,Payment,W-1
txn_2,refund,re_1,-20.00,0.00,-20.00,usd,2026-01-03 10:00,Refund,W-1
txn_3,adjustment,dp_1,-50.00,15.00,-65.00,usd,2026-01-04 10:00,Chargeback withdrawal for ch_2,W-2
txn_4,charge,ch_3,1O.00,0.59,9.41,usd,2026-01-04 10:00,Payment,W-3
txn_5,charge,ch_4,10.00,0.59,9.00,usd,2026-01-04 10:00,Payment,W-4
txn_6,mystery,x_1,1.00,0.00,1.00,usd,2026-01-04 10:00,Card 4111 1111 1111 1111,W-5
"""


def test_stripe_rows_stage_or_quarantine_with_a_reason() -> None:
    result = stripe.parse(STRIPE, "landing/settlements/stripe/a.csv")
    assert result.records == result.staged.height + result.rejected == 6
    assert result.staged["kind"].to_list() == ["charge", "refund", "chargeback"]
    assert result.staged["gross"].to_list() == [D("100.00"), D("-20.00"), D("-50.00")]
    assert result.staged["net"].to_list() == [D("96.80"), D("-20.00"), D("-65.00")]
    assert result.staged["currency"].unique().to_list() == ["USD"]
    reasons = dict(zip(result.quarantine["locator"], result.quarantine["error_code"], strict=True))
    assert reasons == {"row 4": "bad_amount", "row 5": "net_mismatch", "row 6": "unknown_type"}
    # the card number in the description never reaches the quarantine excerpt unmasked
    assert "4111 1111 1111 1111" not in " ".join(result.quarantine["excerpt"])


def test_shopify_payments_types_and_signs() -> None:
    payload = (
        b"Transaction Date,Type,Order,Payout Status,Payout ID,Amount,Fee,Net,Currency\n"
        b"2026-01-02 10:00:00 -0500,charge,#1001,paid,1,50.00,1.75,48.25,USD\n"
        b"2026-01-03 10:00:00 -0500,chargeback won,#1000,paid,1,30.00,-15.00,45.00,USD\n"
        b"2026-01-03 10:00:00 -0500,charge,#1002,paid,1,50.00,1.75,48.25,\n"
    )
    result = shopify_payments.parse(payload, "landing/settlements/shopify_payments/p.csv")
    assert result.staged["kind"].to_list() == ["charge", "chargeback_reversal"]
    assert result.staged["processor_ref"].to_list() == ["#1001", "#1000"]
    assert result.quarantine["error_code"].to_list() == ["bad_currency"]
    assert result.records == 3


def test_amazon_v2_sums_amount_rows_per_transaction() -> None:
    head = "\t".join([*amazon_v2.REQUIRED, "sku"])
    rows = [
        "S1\tUSD\t\t\t\t\t\t\t",  # the settlement summary row
        "S1\tUSD\tOrder\t111-1\tItemPrice\tPrincipal\t40.00\t2026-01-02\tA",
        "S1\tUSD\tOrder\t111-1\tItemPrice\tTax\t3.20\t2026-01-02\tA",
        "S1\tUSD\tOrder\t111-1\tItemFees\tCommission\t-6.00\t2026-01-02\tA",
        "S1\tUSD\tRefund\t111-1\tItemPrice\tPrincipal\t-10.00\t2026-01-05\tA",
        "S1\tUSD\tOrder\t111-2\tItemPrice\tPrincipal\tabc\t2026-01-02\tB",
    ]
    payload = ("\n".join([head, *rows]) + "\n").encode()
    result = amazon_v2.parse(payload, "landing/settlements/amazon/s.txt")
    staged = result.staged.sort("kind")
    assert staged["kind"].to_list() == ["charge", "refund"]
    assert staged["gross"].to_list() == [D("43.20"), D("-10.00")]
    assert staged["fee"].to_list() == [D("6.00"), D("0.00")]
    assert staged.filter(pl.col("kind") == "charge")["locator"][0] == "rows 2-4"
    assert result.quarantine["error_code"].to_list() == ["bad_amount"]
    assert result.records == result.staged.height + result.rejected == 3


def test_paypal_stl_minor_units_and_record_types() -> None:
    payload = (
        b'"RH","2026/01/31",A,"M1",011\r\n"FH",01\r\n"SH","x","y","M1",""\r\n'
        b'"CH","Transaction ID","Invoice ID","PayPal Reference ID","Transaction Event Code",'
        b'"Transaction Completion Date","Transaction  Debit or Credit",'
        b'"Gross Transaction Amount","Gross Transaction Currency","Fee Debit or Credit",'
        b'"Fee Amount"\r\n'
        b'"SB","T1","INV1","","T0006","2026/01/02 09:00:00 -0800","CR","12345","USD","DR","480"\r\n'
        b'"SB","T2","INV1","T1","T1201","2026/01/09 09:00:00 -0800","DR","12345","USD","DR","2000"\r\n'
        b'"SB","T3","INV2","","T9999","2026/01/09 09:00:00 -0800","CR","100","USD","DR","0"\r\n'
        b'"SF",3\r\n"FF",1\r\n'
    )
    result = paypal_stl.parse(payload, "landing/settlements/paypal/STL.CSV")
    assert result.staged["kind"].to_list() == ["charge", "chargeback"]
    assert result.staged["gross"].to_list() == [D("123.45"), D("-123.45")]
    assert result.staged["fee"].to_list() == [D("4.80"), D("20.00")]
    assert result.staged["processor_ref"].to_list() == ["T1", "T1"]  # chargeback -> original
    assert result.staged["locator"].to_list() == ["line 5", "line 6"]
    assert result.quarantine["error_code"].to_list() == ["unknown_type"]


def test_an_unreadable_file_is_one_quarantine_row() -> None:
    result = parse_settlement_file(b"hello\n", "landing/settlements/stripe/x.csv")
    assert result.records == result.rejected == 1
    assert result.quarantine["error_code"].to_list() == ["unreadable_file"]
    other = parse_settlement_file(b"a,b\n", "landing/settlements/venmo/x.csv")
    assert "no settlement parser" in other.quarantine["error"][0]


def test_reconcile_gives_each_payment_one_status_and_the_difference() -> None:
    expected = pl.DataFrame(
        [
            ("web:1", "stripe", "ch_1", "W-1", "charge", "100.00", "USD"),  # matched
            ("web:2", "stripe", "ch_2", "W-2", "charge", "100.00", "USD"),  # short paid
            ("web:3", "stripe", "ch_3", "W-3", "charge", "100.00", "USD"),  # fee too high
            ("web:4", "stripe", "ch_4", "W-4", "charge", "100.00", "USD"),  # never settled
            ("web:5", "stripe", "ch_5", "W-5", "charge", "100.00", "USD"),  # charged back
            ("web:1", "stripe", "re_1", "W-1", "refund", "20.00", "USD"),  # matched refund
        ],
        schema=list(EXPECTED_SCHEMA),
        orient="row",
    ).cast(EXPECTED_SCHEMA)  # type: ignore[arg-type]

    def row(ref, order, kind, gross, fee):
        return ("stripe", ref, order, kind, D(gross), D(fee), "USD")

    settled = pl.DataFrame(
        [
            row("ch_1", "W-1", "charge", "100.00", "3.20"),
            row("ch_2", "W-2", "charge", "99.00", "3.17"),
            row("ch_3", "W-3", "charge", "100.00", "4.20"),
            row("ch_5", "W-5", "charge", "100.00", "3.20"),
            row("dp_5", "W-5", "chargeback", "-100.00", "15.00"),
            row("re_1", "W-1", "refund", "-20.00", "0.00"),
            row("ch_9", "W-9", "charge", "10.00", "0.59"),  # nobody expected it
        ],
        schema={
            "processor": pl.String,
            "processor_ref": pl.String,
            "order_ref": pl.String,
            "kind": pl.String,
            "gross": pl.Decimal(18, 2),
            "fee": pl.Decimal(18, 2),
            "currency": pl.String,
        },
        orient="row",
    )
    out = reconcile(expected, settled)
    got = {(r["processor_ref"], r["kind"]): (r["status"], r["difference"]) for r in out.to_dicts()}
    assert got == {
        ("ch_1", "charge"): ("matched", D("0.00")),
        ("ch_2", "charge"): ("amount_mismatch", D("-1.00")),
        ("ch_3", "charge"): ("fee_variance", D("-1.00")),
        ("ch_4", "charge"): ("missing_settlement", D("-100.00")),
        ("ch_5", "charge"): ("chargeback", D("-100.00")),
        ("re_1", "refund"): ("matched", D("0.00")),
        ("ch_9", "charge"): ("unexpected_settlement", D("10.00")),
    }


def test_settlement_world_is_deterministic_and_scored_above_target() -> None:
    from benchmarks.settlement_bench import score

    first = settlement_world(3000, seed=5)
    assert first.files == settlement_world(3000, seed=5).files
    assert first.files != settlement_world(3000, seed=6).files
    staged = pl.concat([parse_settlement_file(p, n).staged for n, p in first.files.items()])
    per_status, accuracy = score(first.truth, reconcile(first.expected, staged))
    assert set(per_status["status"]) == {
        "matched",
        "missing_settlement",
        "amount_mismatch",
        "fee_variance",
        "unexpected_settlement",
        "chargeback",
    }
    assert accuracy >= 0.99


def test_a_chargeback_is_reported_once_whether_or_not_its_charge_was_expected() -> None:
    expected = pl.DataFrame(schema=EXPECTED_SCHEMA)
    settled = pl.DataFrame(
        {
            "processor": ["paypal", "paypal", "paypal"],
            "processor_ref": ["T1", "T1", "T7"],
            "order_ref": ["INV1", "INV1", "INV7"],
            "kind": ["charge", "chargeback", "chargeback"],
            "gross": [D("10.00"), D("-10.00"), D("-5.00")],
            "fee": [D("0.84"), D("20.00"), D("20.00")],
            "currency": ["USD"] * 3,
        },
        schema_overrides={"gross": pl.Decimal(18, 2), "fee": pl.Decimal(18, 2)},
    )
    out = reconcile(expected, settled)
    assert sorted(zip(out["order_ref"], out["kind"], out["status"], strict=True)) == [
        ("INV1", "charge", "chargeback"),
        ("INV7", "chargeback", "chargeback"),
    ]
