"""``oms-hub``: the command line.

Every command has ``--help``; long work prints progress to stderr; an error is one line
on stderr and a non-zero exit code (``--debug`` shows the traceback).
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import sys
import time
import warnings
from collections.abc import Sequence
from pathlib import Path

EXIT_USAGE = 2
EXIT_FAILED = 1


class CliError(Exception):
    """An error the user can fix; printed as one line."""


def _say(message: str) -> None:
    print(f"[{time.strftime('%H:%M:%S')}] {message}", file=sys.stderr, flush=True)


def _progress(step: str, done: int, total: int) -> None:
    if total and (done == total or done % max(1, total // 10) == 0):
        _say(f"{step}: {done}/{total}")


def _positive_int(text: str) -> int:
    try:
        value = int(text.replace("_", ""))
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a whole number: {text!r}") from None
    if value < 1:
        raise argparse.ArgumentTypeError(f"must be at least 1, got {value}")
    return value


def _date(text: str) -> dt.date:
    try:
        return dt.date.fromisoformat(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a date (YYYY-MM-DD): {text!r}") from None


def _home(args: argparse.Namespace):
    from oms_hub.home import Home

    return Home.from_env(args.home)


def _add_home(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--home", metavar="DIR", help="hub home folder (default: $OMS_HUB_HOME or ./warehouse)"
    )


def _add_world(parser: argparse.ArgumentParser, orders: int) -> None:
    parser.add_argument(
        "--orders",
        type=_positive_int,
        default=orders,
        help=f"orders to generate over all days (default {orders:,}; ~2.5 lines each)",
    )
    parser.add_argument(
        "--api-orders",
        type=int,
        default=None,
        metavar="N",
        help="Shopify + WooCommerce + Amazon orders on top of the POS ones "
        "(default: a quarter of --orders; 0 for a POS-only world)",
    )
    parser.add_argument("--days", type=_positive_int, default=30, help="trading days (default 30)")
    parser.add_argument("--seed", type=int, default=7, help="world seed (default 7)")
    parser.add_argument(
        "--start",
        type=_date,
        default=dt.date(2026, 10, 1),
        help="first trading day, YYYY-MM-DD (default 2026-10-01)",
    )
    parser.add_argument(
        "--edi-orders",
        type=int,
        default=None,
        metavar="N",
        help="B2B purchase orders sent over EDI (default: 1%% of --orders; 0 for none)",
    )


def cmd_generate(args: argparse.Namespace) -> int:
    """Write the sample world into landing/ with its ground truth beside it."""
    from oms_hub.world import WorldConflictError, generate_world

    home = _home(args)
    _say(f"generating {args.orders:,} orders over {args.days} days into {home.landing}")
    started = time.perf_counter()
    try:
        summary = generate_world(
            home.root,
            orders=args.orders,
            api_orders=args.orders // 4 if args.api_orders is None else max(args.api_orders, 0),
            days=args.days,
            seed=args.seed,
            start=args.start,
            progress=_progress,
            edi_orders=args.orders // 100 if args.edi_orders is None else max(args.edi_orders, 0),
        )
    except WorldConflictError as error:
        raise CliError(f"{error} (use another --home, or delete {home.landing})") from None
    seconds = time.perf_counter() - started
    print(
        f"sample world: {summary.orders:,} orders, {summary.order_lines:,} order lines, "
        f"{summary.refund_lines:,} refund lines, {summary.products:,} products, "
        f"{summary.locations} locations, {summary.edi_orders:,} EDI purchase orders, "
        f"{summary.files_written} files "
        f"in {seconds:.1f}s ({summary.order_lines / max(seconds, 1e-9):,.0f} lines/s)"
    )
    if summary.api_orders:
        print(
            "API channels: "
            + ", ".join(f"{n:,} {source} orders" for source, n in summary.api_orders.items())
            + " (pages as the APIs return them)"
        )
    if summary.settlement_files:
        print(
            f"settlements: {summary.settlement_files} processor files (Shopify Payments, "
            "Stripe, PayPal, Amazon) settling the web and marketplace payments "
            "(landing/settlements/)"
        )
    print(f"landing: {summary.landing}")
    print(f"truth:   {summary.truth}  (for scoring; never loaded into the warehouse)")
    return 0


def cmd_run(args: argparse.Namespace) -> int:
    """Materialize the pipeline over what is landed."""
    from oms_hub.pipeline import PipelineError, run_pipeline

    home = _home(args)
    if not home.landing.is_dir():
        raise CliError(
            f"nothing landed: {home.landing} does not exist "
            "(run `oms-hub generate` or drop files into landing/<source>/)"
        )
    try:
        report = run_pipeline(home, select=args.select, first=args.first, last=args.last, say=_say)
    except PipelineError as error:
        raise CliError(str(error)) from None
    _print_run(report)
    failed = [name for name, ok in report.checks.items() if not ok]
    if failed:
        print(f"FAILED checks: {', '.join(failed)}", file=sys.stderr)
        return EXIT_FAILED
    return 0


def _print_run(report) -> None:
    if report.days:
        print(f"days built: {report.days[0]} .. {report.days[1]}")
    for phase, seconds in report.seconds.items():
        print(f"{phase}: {seconds:.1f}s")
    passed = sum(report.checks.values())
    print(f"asset checks: {passed}/{len(report.checks)} passed")


def _edi_summary(home) -> None:
    """EDI extras that are files, not tables: acknowledgements, the 846 and 945 streams."""
    import polars as pl

    from oms_hub.steps.edi import advice_path, shipments_path

    acks = sorted((home.outbox / "edi").glob("[!.]*")) if (home.outbox / "edi").is_dir() else []
    advice = advice_path(home)
    if not acks and not advice.exists():
        return
    print("\nedi:")
    print(
        f"  acknowledgements: {len(acks)} in {home.outbox / 'edi'} (997 for X12, CONTRL for EDIFACT)"
    )
    if advice.exists():
        rows = pl.scan_parquet(advice).select(pl.len(), pl.col("location_id").n_unique()).collect()
        print(
            f"  inventory advice (846): {rows.item(0, 0):,} SKU x warehouse counts "
            f"at {rows.item(0, 1)} warehouses in {advice}"
        )
    shipped = shipments_path(home)
    if shipped.exists():
        ship = (
            pl.scan_parquet(shipped)
            .select(pl.col("shipment_id").n_unique(), pl.col("order_id").n_unique(), pl.len())
            .collect()
        )
        print(
            f"  shipments (945): {ship.item(0, 0):,} shipments of {ship.item(0, 1):,} orders "
            f"({ship.item(0, 2):,} lines) out of the DCs; invoiced on the first ship day"
        )


def _summary(home) -> None:
    import duckdb

    con = duckdb.connect(str(home.catalog), read_only=True)
    try:
        tables = con.execute(
            "select schema_name || '.' || view_name from duckdb_views() "
            "where not internal and schema_name in ('core','finance','marts','ops') order by 1"
        ).fetchall()
        print("\nwarehouse tables:")
        for (name,) in tables:
            rows = con.execute(f"select count(*) from {name}").fetchone()[0]
            print(f"  {name:<36} {rows:>12,} rows")
        sales = con.execute(
            "select channel, sum(orders), sum(net_sales) from marts.rpt_channel_sales_daily "
            "group by 1 order by 1"
        ).fetchall()
        for channel, orders, net in sales:
            print(f"  net sales {channel}: {net:,} over {orders:,} orders")
        quarantined = con.execute(
            "select action, error_code, count(*) from ops.quarantine group by all order by 3 desc"
        ).fetchall()
        print("quarantine: " + (", ".join(f"{c} {n} ({a})" for a, c, n in quarantined) or "empty"))
        _trial_balance_summary(con)
    finally:
        con.close()
    _edi_summary(home)
    print("\nreports:")
    for path in sorted(home.reports.glob("*")):
        print(f"  {path / 'index.html' if path.is_dir() else path}")
    print("\nlook at it:")
    shell = Path(sys.executable).with_name("duckdb")
    shell_cmd = str(shell) if shell.exists() else "duckdb"
    print(f'  {shell_cmd} -readonly {home.catalog} "select * from marts.rpt_channel_sales_daily"')
    print("  select * from ops.data_dictionary;   -- what every column means")
    print(
        "  make dagster   # the Dagster UI (dagster dev -w workspace.yaml) on http://127.0.0.1:3000"
    )


def _trial_balance_summary(con) -> None:
    """Print the ledger's trial balance over all periods (base currency)."""
    rows = con.execute(
        "select account, any_value(account_name), sum(debit), sum(credit), sum(balance), "
        "any_value(currency) from finance.trial_balance group by account order by account"
    ).fetchall()
    if not rows:
        return
    print(f"\ntrial balance ({rows[0][5]}, all periods):")
    print(f"  {'account':<32} {'debit':>16} {'credit':>16} {'balance':>16}")
    for account, name, debit, credit, balance, _ in rows:
        print(f"  {account + ' ' + name:<32} {debit:>16,} {credit:>16,} {balance:>16,}")
    debit = sum(r[2] for r in rows)
    credit = sum(r[3] for r in rows)
    print(f"  {'total':<32} {debit:>16,} {credit:>16,} {debit - credit:>16,}")


def cmd_close_period(args: argparse.Namespace) -> int:
    """Close an accounting month: later events for it post in the first open month."""
    from oms_hub.finance.periods import PERIOD, close_period

    if not PERIOD.match(args.period):
        raise CliError(f"period must be YYYY-MM, got {args.period!r}")
    home = _home(args)
    if close_period(home, args.period):
        print(f"closed {args.period} (recorded in {home.state / 'finance' / 'periods.yaml'})")
    else:
        print(f"{args.period} was already closed")
    return 0


def cmd_demo(args: argparse.Namespace) -> int:
    """Generate a sample world (if none is landed), run everything, print what was built."""
    home = _home(args)
    if (home.truth / "world.json").exists():
        _say(f"a sample world is already landed in {home.landing}; reusing it")
    else:
        cmd_generate(args)
    args.select, args.first, args.last = None, None, None
    code = cmd_run(args)
    if code == 0 and _land_lockbox_receipts(home, seed=args.seed):
        # The sample bank pays the invoices the first run issued; only the new files are
        # parsed and only finance is rebuilt.
        args.select = _AFTER_LOCKBOX
        code = cmd_run(args)
    _summary(home)
    return code


#: What a new lockbox file changes: the landing scan, its staging, finance, audit, catalog.
_AFTER_LOCKBOX = (
    "key:ops/landed_files or key:staging/lockbox_receipts or group:finance "
    "or key:ops/load_audit or key:warehouse/oms_duckdb"
)


def _land_lockbox_receipts(home, *, seed: int) -> bool:
    """Land the sample world's bank lockbox files for the hub's invoices (once)."""
    from oms_hub.storage.lake import Lake
    from oms_hub.world.lockbox import write_lockbox_world

    lake = Lake(home)
    folder = home.landing / "lockbox"
    if not lake.has_data("finance.ar_invoices") or (folder.is_dir() and any(folder.iterdir())):
        return False
    invoices = lake.read("finance.ar_invoices")
    if invoices.is_empty():
        return False
    files = write_lockbox_world(home.root, invoices, seed=seed)
    _say(f"the sample bank paid part of {invoices.height} invoices: {len(files)} lockbox files")
    return True


def cmd_docs(args: argparse.Namespace) -> int:
    """Write the data dictionary (Markdown) generated from the table contracts."""
    from oms_hub.quality.dictionary import render_markdown

    target = Path(args.out)
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_text(render_markdown(), encoding="utf-8")
    print(f"wrote {target}")
    return 0


def cmd_compact(args: argparse.Namespace) -> int:
    """Merge the small staged batches of every stream (or the named ones) now.

    Staging merges a stream's small batches by itself once it has many; this does it at
    once, e.g. after upgrading a lake staged one file per landed file. Safe while readers
    run; waits for a staging run of the same stream to finish.
    """
    from oms_hub.sources import STAGED_SOURCES, STREAMS
    from oms_hub.steps.staging import compact

    home = _home(args)
    unknown = [s for s in args.streams if s not in STREAMS]
    if unknown:
        raise CliError(f"unknown stream {unknown[0]!r} (one of: {', '.join(STREAMS)})")
    for spec in [STREAMS[s] for s in args.streams] or list(STAGED_SOURCES):
        summary = compact(home, spec, _progress)
        print(
            f"{spec.folder}: merged {summary['compacted_batches']:,} small batches into "
            f"{summary['merged_batches']:,}; {summary['live_batches']:,} batches now "
            f"({summary['seconds']:.1f}s)"
        )
    return 0


def cmd_simulate_rules(args: argparse.Namespace) -> int:
    """Replay online orders under another allocation rules file, beside the rules in force."""
    from oms_hub.allocation.rules import RulesError
    from oms_hub.steps.allocation import NothingToReplay, simulate_rules

    try:
        figures, note = simulate_rules(
            _home(args),
            Path(args.rules),
            first=args.first,
            last=args.last,
            sample=args.sample,
            seed=args.seed,
        )
    except (RulesError, NothingToReplay) as error:
        raise CliError(str(error)) from None
    print(note)
    width = max(len(c) for c in figures.columns[1:]) + 2
    print(f"  {'':<20}" + "".join(f"{c:>{width}}" for c in figures.columns[1:]))
    for row in figures.iter_rows():
        print(f"  {row[0]:<20}" + "".join(f"{v:>{width}}" for v in row[1:]))
    return 0


def cmd_dedupe(args: argparse.Namespace) -> int:
    """Resolve a CSV/Parquet file of identities into customer keys (record_id, customer_key).

    Columns: record_id (required) and any of first_name, last_name, email, phone,
    address_line1, address_line2, city, region, postal_code, country, birth_date.
    """
    from oms_hub.identity import IdentityConfigError, IdentityInputError, load_config
    from oms_hub.identity.dedupe import DedupeError, dedupe_file

    started = time.perf_counter()
    try:
        config = load_config(args.config)
        if args.threshold is not None:
            config = config.with_(match_threshold=args.threshold)
        result = dedupe_file(Path(args.input), Path(args.out), config=config, say=_say)
    except (DedupeError, IdentityConfigError, IdentityInputError) as error:
        raise CliError(str(error)) from None
    stats = result.stats
    print(
        f"{int(stats['identities']):,} records -> {result.customers.height:,} customers "
        f"({int(stats['pairs']):,} candidate pairs, {int(stats['links']):,} links) "
        f"in {time.perf_counter() - started:.1f}s"
    )
    print(f"wrote {args.out}")
    return 0


def build_parser() -> argparse.ArgumentParser:
    """The argument parser (exposed for tests and docs)."""
    parser = argparse.ArgumentParser(
        prog="oms-hub",
        description="Omnichannel order-management hub: land, parse, conform, decide, publish.",
    )
    parser.add_argument("--debug", action="store_true", help="show tracebacks on errors")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND", required=True)

    p = sub.add_parser(
        "demo", help="build a sample world and run the whole pipeline", description=cmd_demo.__doc__
    )
    _add_home(p)
    _add_world(p, orders=20_000)
    p.set_defaults(func=cmd_demo)

    p = sub.add_parser(
        "generate",
        help="write the sample world into landing/ (with truth)",
        description=cmd_generate.__doc__,
    )
    _add_home(p)
    _add_world(p, orders=20_000)
    p.set_defaults(func=cmd_generate)

    p = sub.add_parser(
        "run", help="materialize the pipeline over what is landed", description=cmd_run.__doc__
    )
    _add_home(p)
    p.add_argument(
        "--select",
        metavar="SELECTION",
        help="Dagster asset selection, e.g. 'group:reports' or 'key:core/*' (default: all)",
    )
    p.add_argument(
        "--from",
        dest="first",
        type=_date,
        metavar="DAY",
        help="first UTC day to rebuild (default: first staged day)",
    )
    p.add_argument(
        "--to",
        dest="last",
        type=_date,
        metavar="DAY",
        help="last UTC day to rebuild (default: last staged day)",
    )
    p.set_defaults(func=cmd_run)

    p = sub.add_parser(
        "dedupe",
        help="resolve a CSV/Parquet of identities into customer keys",
        description=cmd_dedupe.__doc__,
    )
    p.add_argument("input", metavar="INPUT", help="CSV or Parquet file with record_id, ...")
    p.add_argument("--out", required=True, metavar="OUTPUT", help="CSV or Parquet to write")
    p.add_argument("--config", metavar="YAML", help="identity settings (default: built-in)")
    p.add_argument(
        "--threshold",
        type=float,
        metavar="P",
        help="match probability to link (default: identity.yaml, 0.7)",
    )
    p.set_defaults(func=cmd_dedupe)

    p = sub.add_parser(
        "docs",
        help="write the data dictionary from the table contracts",
        description=cmd_docs.__doc__,
    )
    p.add_argument("--out", default="docs/data-dictionary.md", help="target file")
    p.set_defaults(func=cmd_docs)

    p = sub.add_parser(
        "simulate-rules",
        help="what-if: replay online orders under another allocation rules file",
        description=cmd_simulate_rules.__doc__,
    )
    _add_home(p)
    p.add_argument("rules", metavar="RULES.yaml", help="the allocation rules to try")
    p.add_argument("--from", dest="first", type=_date, metavar="DAY", help="first order day")
    p.add_argument("--to", dest="last", type=_date, metavar="DAY", help="last order day")
    p.add_argument(
        "--sample",
        type=_positive_int,
        default=0,
        metavar="N",
        help="replay N seeded sample online lines instead of history (no online channel yet)",
    )
    p.add_argument("--seed", type=int, default=7, help="seed of the sample lines (default 7)")
    p.set_defaults(func=cmd_simulate_rules)

    p = sub.add_parser(
        "compact",
        help="merge small staged batches (many small runs, or a lake staged file by file)",
        description=cmd_compact.__doc__,
    )
    _add_home(p)
    p.add_argument(
        "streams", nargs="*", metavar="SOURCE/STREAM", help="e.g. amazon/orders (default: all)"
    )
    p.set_defaults(func=cmd_compact)

    p = sub.add_parser(
        "close-period",
        help="close an accounting month (late events post in the next open one)",
        description=cmd_close_period.__doc__,
    )
    _add_home(p)
    p.add_argument("period", metavar="YYYY-MM", help="the month to close")
    p.set_defaults(func=cmd_close_period)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point of the ``oms-hub`` console script."""
    warnings.filterwarnings("ignore")  # Dagster beta/preview notices are not for end users
    os.environ.setdefault("GX_ANALYTICS_ENABLED", "false")
    parser = build_parser()
    args = parser.parse_args(argv)
    try:
        return int(args.func(args) or 0)
    except CliError as error:
        print(f"oms-hub: error: {error}", file=sys.stderr)
        return EXIT_USAGE
    except KeyboardInterrupt:
        print("oms-hub: interrupted", file=sys.stderr)
        return 130
    except Exception as error:
        if args.debug:
            raise
        print(
            f"oms-hub: error: {type(error).__name__}: {error} (run with --debug for the traceback)",
            file=sys.stderr,
        )
        return EXIT_FAILED


if __name__ == "__main__":
    sys.exit(main())
