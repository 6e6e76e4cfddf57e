"""The general ledger of the sample world, built by a real Dagster run, checked to the cent."""

from __future__ import annotations

import csv
from decimal import Decimal

import duckdb
import polars as pl

from oms_hub.finance.config import load_postings
from oms_hub.home import Home
from oms_hub.pipeline import run_pipeline
from oms_hub.quality.card_numbers import card_number_mask
from oms_hub.storage.lake import Lake

POSTINGS = load_postings()


def query(home: Home, sql: str) -> pl.DataFrame:
    con = duckdb.connect(str(home.catalog), read_only=True)
    try:
        return pl.from_arrow(con.sql(sql).to_arrow_table())
    finally:
        con.close()


def _one(home: Home, sql: str) -> Decimal:
    value = query(home, sql).item()
    return Decimal(0) if value is None else Decimal(value)


def test_every_journal_entry_balances_in_both_currencies(built_home: Home) -> None:
    off = query(
        built_home,
        """select entry_id from finance.gl_journal group by entry_id
           having sum(debit) <> sum(credit) or sum(debit_base) <> sum(credit_base)""",
    )
    assert off.height == 0
    counts = query(
        built_home,
        "select count(*) as lines, count(distinct entry_id) as entries from finance.gl_journal",
    )
    assert counts["entries"][0] > 1000


def test_revenue_tax_and_discounts_reconcile_to_the_orders(built_home: Home) -> None:
    orders = query(
        built_home,
        """select sum(gross_amount) g, sum(discount_amount) d, sum(tax_amount) t,
                  sum(coalesce(shipping_amount, 0)) s, sum(coalesce(charge_amount, 0)) c,
                  sum(total) total, count(*) n
           from core.orders where status <> 'cancelled'""",
    ).row(0)
    gl = query(
        built_home,
        """select account, sum(debit) dr, sum(credit) cr from finance.gl_journal
           where source_event in ('sale', 'b2b_invoice') group by account""",
    )
    by = {a: (Decimal(dr), Decimal(cr)) for a, dr, cr in gl.rows()}
    g, d, t, s, c, total, n = orders
    assert n > 0
    assert by["4000"][1] == g
    assert by["4100"][0] == d
    assert by["2100"][1] == t
    assert by.get("4200", (0, Decimal(0)))[1] == s
    assert by.get("4300", (0, Decimal(0)))[1] == c
    assert by["1100"][0] + by.get("1200", (Decimal(0), 0))[0] == total
    assert POSTINGS.suspense_account not in by  # every order's total is explained
    entries = _one(
        built_home,
        "select count(distinct entry_id) from finance.gl_journal "
        "where source_event in ('sale', 'b2b_invoice')",
    )
    assert entries == n  # exactly one entry per order


def test_refunds_and_tax_reversal_reconcile_to_the_returns(built_home: Home) -> None:
    refund, tax, n = query(
        built_home, "select sum(refund_amount), sum(tax_refund), count(*) from core.returns"
    ).row(0)
    assert n > 0
    assert _one(
        built_home,
        "select sum(debit) from finance.gl_journal where source_event='refund' and account='4500'",
    ) == Decimal(refund)
    assert _one(
        built_home,
        "select sum(debit) from finance.gl_journal where source_event='refund' and account='2100'",
    ) == Decimal(tax)
    assert _one(
        built_home,
        "select count(distinct entry_id) from finance.gl_journal where source_event='refund'",
    ) == Decimal(n)


def test_cost_of_goods_follows_the_stock_ledger_at_catalog_cost(built_home: Home) -> None:
    expected = _one(
        built_home,
        """select sum(abs(m.quantity) * p.cost) from core.inventory_movements m
           join core.products p using (sku) where m.kind = 'sale'""",
    )
    assert expected > 0
    assert (
        _one(
            built_home,
            "select sum(debit) from finance.gl_journal "
            "where source_event='shipment' and account='5000'",
        )
        == expected
    )


def test_inventory_account_equals_the_stock_ledger_at_cost(built_home: Home) -> None:
    stock = _one(
        built_home,
        """select sum(m.quantity * p.cost) from core.inventory_movements m join core.products p
           using (sku) where m.kind in ('opening', 'receipt', 'sale', 'return_restock')""",
    )
    assert stock > 0
    assert (
        _one(
            built_home,
            "select sum(debit) - sum(credit) from finance.gl_journal where account = '1300'",
        )
        == stock
    )


def test_trial_balance_is_published_and_nets_to_zero(built_home: Home) -> None:
    tb = query(built_home, "select period, sum(balance) b from finance.trial_balance group by 1")
    assert tb.height >= 1
    assert all(Decimal(b) == 0 for b in tb["b"])


def test_a_second_run_posts_nothing_new(built_home: Home, copy_home) -> None:
    home = copy_home(built_home)
    lake = Lake(home)
    before = lake.read("finance.gl_journal")
    report = run_pipeline(home, select="group:finance")
    assert all(report.checks.values()), report.checks
    after = lake.read("finance.gl_journal")
    assert after.height == before.height > 0
    assert after.equals(before)


def test_exports_have_the_layouts_their_tools_document(built_home: Home) -> None:
    out = built_home.reports / "finance"
    with (out / "gl_journal.csv").open(newline="") as f:
        rows = list(csv.DictReader(f))
    assert list(rows[0]) == ["date", "journal", "line", "account", "debit", "credit", "memo"]
    assert sum(Decimal(r["debit"]) for r in rows) == sum(Decimal(r["credit"]) for r in rows) > 0

    xero_files = sorted((out / "xero").glob("manual_journals_*.csv"))
    assert xero_files
    xero = pl.concat([pl.read_csv(p, infer_schema=False) for p in xero_files])
    assert xero.columns == ["Narration", "Date", "Description", "AccountCode", "TaxRate", "Amount"]
    for path in xero_files:  # Xero imports at most 300 lines a file
        assert sum(1 for _ in path.open()) - 1 <= 300
    per_journal = xero.group_by("Narration").agg(
        pl.col("Amount").str.to_decimal(scale=2).sum().alias("net"), pl.col("Date").n_unique()
    )
    assert (per_journal["net"] == 0).all()
    assert (per_journal["Date"] == 1).all()
    assert xero["Date"].str.contains(r"^\d{2}/\d{2}/\d{4}$").all()

    iif = (out / "quickbooks.iif").read_text().splitlines()
    assert iif[:3] == [
        "!TRNS\tTRNSID\tTRNSTYPE\tDATE\tACCNT\tAMOUNT\tDOCNUM\tMEMO",
        "!SPL\tSPLID\tTRNSTYPE\tDATE\tACCNT\tAMOUNT\tDOCNUM\tMEMO",
        "!ENDTRNS",
    ]
    kinds = [line.split("\t", 1)[0] for line in iif[3:]]
    assert kinds.count("TRNS") == kinds.count("ENDTRNS") > 0
    net, open_block = Decimal(0), False
    for line in iif[3:]:  # each TRNS..ENDTRNS block sums to zero
        fields = line.split("\t")
        if fields[0] == "TRNS":
            assert not open_block
            open_block, net = True, Decimal(fields[5])
        elif fields[0] == "SPL":
            net += Decimal(fields[5])
        else:
            assert open_block
            assert net == 0
            open_block = False

    bc = pl.read_csv(out / "business_central_gen_journal.csv", infer_schema=False)
    assert bc.columns[:6] == [
        "Posting Date",
        "Document Type",
        "Document No.",
        "Line No.",
        "Account Type",
        "Account No.",
    ]
    assert set(bc["Account Type"]) == {"G/L Account"}


def test_no_card_number_anywhere_in_the_warehouse(built_home: Home) -> None:
    planted = pl.read_csv(built_home.truth / "pos_injected.csv", infer_schema=False).filter(
        pl.col("kind") == "card_number_in_notes"
    )
    assert planted.height > 0  # the world did plant card numbers in the raw files
    raw = "\n".join(
        p.read_text(errors="replace") for p in (built_home.landing / "pos").rglob("*.csv")
    )
    assert pl.select(card_number_mask(pl.lit(raw))).item()  # and the detector sees them there
    columns = query(
        built_home,
        """select table_schema, table_name, column_name from information_schema.columns
           where data_type = 'VARCHAR' and table_schema in ('core', 'finance', 'marts', 'ops')""",
    )
    assert columns.height > 50
    hits = []
    for (schema, table), cols in columns.group_by(
        "table_schema", "table_name", maintain_order=True
    ):
        names = ", ".join(f'"{c}"' for c in cols["column_name"])
        frame = query(built_home, f"select {names} from {schema}.{table}")
        if frame.height:
            found = frame.select(
                pl.any_horizontal([card_number_mask(pl.col(c)) for c in frame.columns])
            ).to_series()
            if found.any():
                hits.append(f"{schema}.{table}")
    assert hits == []
