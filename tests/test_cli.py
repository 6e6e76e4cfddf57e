"""The command line: help everywhere, one-line errors, and the contract checker on a demo."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

import pytest

from oms_hub.cli import main

REPO = Path(__file__).resolve().parents[1]
CHECKER = REPO.parent / "shared" / "check-contracts.py"


@pytest.mark.parametrize(
    "command", [[], ["demo"], ["generate"], ["run"], ["docs"], ["close-period"], ["compact"]]
)
def test_every_command_has_help(command: list[str], capsys) -> None:
    with pytest.raises(SystemExit) as exit_info:
        main([*command, "--help"])
    assert exit_info.value.code == 0
    assert "usage: oms-hub" in capsys.readouterr().out


def test_run_on_an_empty_home_is_one_clear_line(tmp_path, capsys) -> None:
    code = main(["run", "--home", str(tmp_path / "nothing")])
    err = capsys.readouterr().err.strip().splitlines()
    assert code == 2
    assert len(err) == 1
    assert err[0].startswith("oms-hub: error: nothing landed")


def test_bad_option_value_is_rejected(capsys) -> None:
    with pytest.raises(SystemExit) as exit_info:
        main(["generate", "--orders", "lots"])
    assert exit_info.value.code == 2
    assert "not a whole number" in capsys.readouterr().err


def test_demo_end_to_end_passes_the_shared_contract_check(tmp_path) -> None:
    """The console script as a user runs it, then ../shared/check-contracts.py on the result."""
    home = tmp_path / "wh"
    exe = Path(sys.executable).with_name("oms-hub")
    done = subprocess.run(
        [str(exe), "demo", "--home", str(home), "--orders", "1500", "--days", "4"],
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert done.returncode == 0, done.stderr[-2000:]
    assert "marts.rpt_channel_sales_daily" in done.stdout
    passed, total = re.search(r"asset checks: (\d+)/(\d+) passed", done.stdout).groups()
    assert passed == total
    assert int(total) >= 6
    assert (home / "reports" / "channel_sales_daily.html").stat().st_size > 1000
    assert "trial balance (USD, all periods):" in done.stdout
    assert re.search(r"  total +[\d,]+\.\d\d +[\d,]+\.\d\d +0\.00\n", done.stdout)
    assert (home / "reports" / "channel_sales_daily.xlsx").stat().st_size > 1000
    # The sample bank answered the invoices: lockbox files landed and a second run applied them.
    assert "lockbox files" in done.stderr
    assert any((home / "landing" / "lockbox").iterdir())
    import duckdb

    con = duckdb.connect(str(home / "oms.duckdb"), read_only=True)
    receipts = con.execute("select count(*) from finance.ar_receipts").fetchone()[0]
    unaccounted = con.execute("select sum(abs(unaccounted)) from ops.load_audit").fetchone()[0]
    con.close()
    assert receipts > 0
    assert unaccounted == 0
    assert CHECKER.exists(), f"contract checker expected at {CHECKER}"
    check = subprocess.run(
        [sys.executable, str(CHECKER), str(home)], capture_output=True, text=True
    )
    assert check.returncode == 0, check.stdout
    for table in (
        "core.orders",
        "core.order_lines",
        "core.products",
        "core.locations",
        "core.returns",
        "marts.rpt_channel_sales_daily",
        "ops.quarantine",
    ):
        assert f"ok: {table}" in check.stdout


def test_close_period_is_recorded_once(tmp_path, capsys) -> None:
    assert main(["close-period", "--home", str(tmp_path), "2026-01"]) == 0
    assert "closed 2026-01" in capsys.readouterr().out
    assert main(["close-period", "--home", str(tmp_path), "2026-01"]) == 0
    assert "already closed" in capsys.readouterr().out
    assert main(["close-period", "--home", str(tmp_path), "2026-13"]) != 0
    assert "period must be YYYY-MM" in capsys.readouterr().err


def test_duckdb_cli_reads_the_catalog(tmp_path) -> None:
    """Analysts use the `duckdb` shell (a release behind the Python package) read-only."""
    from oms_hub.home import Home
    from oms_hub.quality.contracts import contract
    from oms_hub.storage.catalog import publish_catalog
    from oms_hub.storage.lake import Lake

    home = Home(tmp_path)
    Lake(home).write("core.products", contract("core.products").empty())
    publish_catalog(home)
    shell = Path(sys.executable).with_name("duckdb")
    done = subprocess.run(
        [str(shell), "-readonly", str(home.catalog), "-c", "select count(*) from core.products"],
        capture_output=True,
        text=True,
    )
    assert done.returncode == 0, done.stderr
    assert "0" in done.stdout


@pytest.mark.parametrize(
    ("select", "message"),
    [("key:nope/*", "matches no asset"), ("bad syntax ((", "invalid --select")],
)
def test_bad_selection_is_one_clear_line(built_home, select: str, message: str, capsys) -> None:
    code = main(["run", "--home", str(built_home.root), "--select", select])
    err = capsys.readouterr().err.strip().splitlines()
    assert code == 2
    assert message in err[-1]
    assert err[-1].startswith("oms-hub: error:")
