"""Journal exports finance loads into its ledger, and the trial balance, as files.

- ``gl_journal.csv``: generic journal (date, journal, line, account, debit, credit,
  memo), base currency; ``journal`` is the entry id so each entry's lines group.
- ``trial_balance.csv``: per period x account, base-currency debit, credit, balance.
- ``xero/manual_journals_NNN.csv``: Xero's manual-journal import template
  (Narration, Date dd/mm/yyyy, Description, AccountCode, TaxRate, Amount: positive
  debit, negative credit). Xero imports at most 300 lines a file, so files are cut at
  entry boundaries below that. TaxRate is ``Tax Exempt``: tax is already on its own
  account line.
- ``quickbooks.iif``: QuickBooks Desktop IIF general journal (TRNS/SPL/ENDTRNS blocks,
  dates MM/DD/YYYY, amounts positive debit, negative credit).
- ``business_central_gen_journal.csv``: Business Central General Journal lines
  (Posting Date, Document Type, Document No., Account Type, Account No., Description,
  Debit Amount, Credit Amount), ready for a configuration-package or Excel import.

Every writer is polars over the whole journal; files are written atomically.
"""

from __future__ import annotations

import os
import uuid
from pathlib import Path

import polars as pl

XERO_MAX_LINES = 300


def _atomic_csv(frame: pl.DataFrame, target: Path, **options: object) -> Path:
    target.parent.mkdir(parents=True, exist_ok=True)
    tmp = target.parent / f".{target.name}.{uuid.uuid4().hex}.tmp"
    try:
        frame.write_csv(tmp, **options)  # type: ignore[arg-type]
        os.replace(tmp, target)
    finally:
        tmp.unlink(missing_ok=True)
    return target


def _atomic_text(text: str, target: Path) -> Path:
    target.parent.mkdir(parents=True, exist_ok=True)
    tmp = target.parent / f".{target.name}.{uuid.uuid4().hex}.tmp"
    try:
        tmp.write_text(text, encoding="utf-8", newline="")
        os.replace(tmp, target)
    finally:
        tmp.unlink(missing_ok=True)
    return target


def _ordered(journal: pl.DataFrame) -> pl.DataFrame:
    return journal.sort("posted_on", "entry_id", "line_number")


def _signed_base() -> pl.Expr:
    return (pl.col("debit_base") - pl.col("credit_base")).cast(pl.Decimal(18, 2))


def generic_journal(journal: pl.DataFrame) -> pl.DataFrame:
    """date, journal, line, account, debit, credit, memo (base currency)."""
    return _ordered(journal).select(
        date=pl.col("posted_on").dt.strftime("%Y-%m-%d"),
        journal=pl.col("entry_id"),
        line=pl.col("line_number"),
        account=pl.col("account"),
        debit=pl.col("debit_base"),
        credit=pl.col("credit_base"),
        memo=pl.coalesce(pl.col("memo"), pl.lit("")),
    )


def xero_manual_journal(journal: pl.DataFrame) -> pl.DataFrame:
    """Xero manual-journal rows with a ``file_no`` (0-based) cutting at entry boundaries."""
    rows = _ordered(journal).filter((pl.col("debit_base") != 0) | (pl.col("credit_base") != 0))
    sizes = (
        rows.group_by("entry_id", maintain_order=True)
        .len()
        .with_columns(end=pl.col("len").cum_sum())
    )
    # Greedy would need a loop; entries are small (<= ~10 lines), so cutting on
    # cumulative lines // (limit - largest entry) keeps every file under the limit.
    room = max(XERO_MAX_LINES - int(sizes["len"].max() or 0), 1)
    sizes = sizes.with_columns(file_no=((pl.col("end") - pl.col("len")) // room).cast(pl.Int32))
    return rows.join(sizes.select("entry_id", "file_no"), on="entry_id").select(
        "file_no",
        Narration=pl.col("entry_id"),
        Date=pl.col("posted_on").dt.strftime("%d/%m/%Y"),
        Description=pl.coalesce(pl.col("memo"), pl.col("account_name")),
        AccountCode=pl.col("account"),
        TaxRate=pl.lit("Tax Exempt"),
        Amount=_signed_base(),
    )


def quickbooks_iif(journal: pl.DataFrame) -> str:
    """A QuickBooks Desktop IIF general-journal file for the whole journal."""
    header = (
        "!TRNS\tTRNSID\tTRNSTYPE\tDATE\tACCNT\tAMOUNT\tDOCNUM\tMEMO\n"
        "!SPL\tSPLID\tTRNSTYPE\tDATE\tACCNT\tAMOUNT\tDOCNUM\tMEMO\n"
        "!ENDTRNS\n"
    )
    rows = _ordered(journal).filter((pl.col("debit_base") != 0) | (pl.col("credit_base") != 0))
    clean = pl.coalesce(pl.col("memo"), pl.lit("")).str.replace_all(r"[\t\r\n]", " ")
    body = rows.with_columns(
        first=pl.int_range(pl.len()).over("entry_id") == 0,
        last=pl.int_range(pl.len()).over("entry_id") == pl.len().over("entry_id") - 1,
    ).select(
        text=pl.concat_str(
            [
                pl.when(pl.col("first")).then(pl.lit("TRNS")).otherwise(pl.lit("SPL")),
                pl.lit(""),
                pl.lit("GENERAL JOURNAL"),
                pl.col("posted_on").dt.strftime("%m/%d/%Y"),
                pl.col("account"),
                _signed_base().cast(pl.String),
                pl.col("entry_id"),
                clean,
            ],
            separator="\t",
        )
        + pl.when(pl.col("last")).then(pl.lit("\nENDTRNS")).otherwise(pl.lit(""))
    )
    lines = body["text"].to_list()
    return header + ("\n".join(lines) + "\n" if lines else "")


def business_central_lines(journal: pl.DataFrame) -> pl.DataFrame:
    """Business Central General Journal lines (G/L Account lines, base currency)."""
    return _ordered(journal).select(
        **{
            "Posting Date": pl.col("posted_on").dt.strftime("%Y-%m-%d"),
            "Document Type": pl.lit(""),
            "Document No.": pl.col("entry_id"),
            "Line No.": pl.col("line_number") * 10000,
            "Account Type": pl.lit("G/L Account"),
            "Account No.": pl.col("account"),
            "Description": pl.coalesce(pl.col("memo"), pl.col("account_name")).str.slice(0, 100),
            "Debit Amount": pl.col("debit_base"),
            "Credit Amount": pl.col("credit_base"),
        }
    )


def write_exports(journal: pl.DataFrame, trial_balance: pl.DataFrame, reports: Path) -> list[Path]:
    """Write every export under ``reports/finance/``; return the files written."""
    out = reports / "finance"
    written = [
        _atomic_csv(generic_journal(journal), out / "gl_journal.csv"),
        _atomic_csv(trial_balance, out / "trial_balance.csv"),
        _atomic_text(quickbooks_iif(journal), out / "quickbooks.iif"),
        _atomic_csv(business_central_lines(journal), out / "business_central_gen_journal.csv"),
    ]
    xero = xero_manual_journal(journal)
    xero_dir = out / "xero"
    if xero_dir.exists():
        for old in xero_dir.glob("manual_journals_*.csv"):
            old.unlink()
    for (file_no,), part in sorted(xero.partition_by("file_no", as_dict=True).items()):
        written.append(
            _atomic_csv(part.drop("file_no"), xero_dir / f"manual_journals_{file_no:03d}.csv")
        )
    return written
