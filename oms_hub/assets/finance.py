"""Finance: the general-ledger journal, trial balance and closed periods (thin wiring)."""

import dagster as dg

from oms_hub.assets._meta import to_metadata
from oms_hub.assets.resources import HubHome
from oms_hub.assets.staging import staging_key
from oms_hub.finance.posting import unbalanced_entries
from oms_hub.sources import LOCKBOX, SETTLEMENTS
from oms_hub.steps.finance import JOURNAL, build_ledger, build_settlements
from oms_hub.steps.receivables import build_receivables
from oms_hub.storage.lake import Lake

_DEPS = [
    ["core", "orders"],
    ["core", "returns"],
    ["core", "inventory_movements"],
    ["core", "products"],
    ["finance", "settlements"],
    ["finance", "ar_receipts"],
    ["finance", "ar_invoices"],
]
_SETTLEMENT_DEPS = [staging_key(SETTLEMENTS.folder), ["core", "payments"], ["core", "orders"]]


@dg.multi_asset(
    specs=[
        dg.AssetSpec(
            ["finance", "settlements"],
            description="Processor settlement rows (Stripe, Shopify Payments, Amazon, PayPal).",
            deps=_SETTLEMENT_DEPS,
            kinds={"parquet"},
        ),
        dg.AssetSpec(
            ["finance", "payment_reconciliation"],
            description="Each expected payment against what settled: status and difference.",
            deps=_SETTLEMENT_DEPS,
            kinds={"parquet"},
        ),
    ],
    group_name="finance",
)
def settlements(hub: HubHome):
    """Latest settlement rows; reconcile every expected payment and refund."""
    summary = build_settlements(hub.home())
    meta = to_metadata(summary)
    yield dg.MaterializeResult(
        asset_key=["finance", "settlements"],
        metadata={**meta, "dagster/row_count": summary["settlement_rows"]},
    )
    yield dg.MaterializeResult(
        asset_key=["finance", "payment_reconciliation"],
        metadata={**meta, "dagster/row_count": summary["reconciliation_rows"]},
    )


_AR_DEPS = [
    staging_key(LOCKBOX.folder),
    ["core", "orders"],
    ["core", "order_lines"],
    ["core", "inventory_movements"],
]


@dg.multi_asset(
    specs=[
        dg.AssetSpec(["finance", key], description=text, deps=_AR_DEPS, kinds={"parquet"})
        for key, text in (
            ("ar_invoices", "B2B invoices on shipment; an X12 810 each in outbox/edi/."),
            ("ar_receipts", "Lockbox receipts applied to invoices."),
            ("ar_aging", "Open B2B invoices: balance and age bucket at the as-of date."),
        )
    ],
    group_name="finance",
)
def receivables(hub: HubHome):
    """Invoice shipped EDI orders, load receipts, age the open invoices."""
    summary = build_receivables(hub.home())
    meta = to_metadata(summary)
    for key, rows in (
        ("ar_invoices", "invoices"),
        ("ar_receipts", "receipts"),
        ("ar_aging", "open_invoices"),
    ):
        yield dg.MaterializeResult(
            asset_key=["finance", key], metadata={**meta, "dagster/row_count": summary[rows]}
        )


@dg.multi_asset(
    specs=[
        dg.AssetSpec(
            ["finance", "gl_journal"],
            description="One balanced journal entry per business event (append-only).",
            deps=_DEPS,
            kinds={"parquet"},
        ),
        dg.AssetSpec(
            ["finance", "trial_balance"],
            description="Trial balance per period and account, base currency; exports.",
            deps=_DEPS,
            kinds={"parquet"},
        ),
        dg.AssetSpec(
            ["finance", "periods"],
            description="Closed accounting periods and when they were closed.",
            deps=_DEPS,
            kinds={"parquet"},
        ),
    ],
    group_name="finance",
)
def general_ledger(hub: HubHome):
    """Post new events under the posting rules; rewrite trial balance and exports."""
    summary = build_ledger(hub.home())
    meta = to_metadata(summary)
    for key, rows in (
        ("gl_journal", "journal_lines"),
        ("trial_balance", None),
        ("periods", "closed_periods"),
    ):
        extra = {"dagster/row_count": summary[rows]} if rows else {}
        yield dg.MaterializeResult(asset_key=["finance", key], metadata={**meta, **extra})


@dg.asset_check(
    asset=["finance", "gl_journal"],
    blocking=True,
    description="Every journal entry balances in its currency and in the base currency.",
)
def journal_entries_balance(hub: HubHome) -> dg.AssetCheckResult:
    """Debits = credits per entry, both currencies."""
    lake = Lake(hub.home())
    bad = unbalanced_entries(lake.read(JOURNAL)) if lake.has_data(JOURNAL) else None
    count = 0 if bad is None else bad.height
    return dg.AssetCheckResult(
        passed=count == 0,
        metadata={"unbalanced_entries": count},
        description=None if count == 0 else f"{count} entries do not balance",
    )


defs = dg.Definitions(
    assets=[settlements, receivables, general_ledger], asset_checks=[journal_entries_balance]
)
