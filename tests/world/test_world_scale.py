from __future__ import annotations

import datetime
import json
import subprocess
import sys
from pathlib import Path

import pytest
from world_helpers import build

from oms_hub.world import WorldConflictError, generate_world


def test_sizes_scale_with_orders(tmp_path: Path) -> None:
    small = build(tmp_path / "s", orders=1_000, days=5, seed=1).summary
    large = build(tmp_path / "l", orders=4_000, days=5, seed=1).summary
    assert small.orders == 1_000
    assert large.orders == 4_000
    assert 3.6 < large.order_lines / small.order_lines < 4.4
    assert 2.3 < small.order_lines / small.orders < 2.8
    assert small.products == 100  # clamp(1000 // 20, 100, 5000)
    assert large.products == 200
    assert small.files_written == large.files_written == 12 * 5 + 1 + 2
    lines = sum(
        p.read_bytes().count(b"\n") - 1
        for p in (tmp_path / "l" / "landing" / "pos").glob("*.csv")
        if "reexport" not in p.name
    )
    assert lines == large.order_lines + large.refund_lines


def test_progress_is_reported_per_day(tmp_path: Path) -> None:
    calls: list[tuple[str, int, int]] = []
    generate_world(tmp_path, orders=200, days=3, progress=lambda *a: calls.append(a))
    assert ("pos", 1, 3) in calls
    assert ("pos", 3, 3) in calls
    assert calls[-1] == ("truth", 1, 1)
    done = [c[1] for c in calls if c[0] == "pos"]
    assert done == sorted(done)


def test_empty_and_tiny_worlds(tmp_path: Path) -> None:
    empty = build(tmp_path / "e", orders=0, days=2).summary
    assert empty.order_lines == 0
    assert empty.files_written == 12 * 2 + 1 + 2
    tiny = build(tmp_path / "t", orders=7, days=2).summary
    assert tiny.orders == 7


def test_refuses_to_mix_worlds(tmp_path: Path) -> None:
    generate_world(tmp_path, orders=100, days=2)
    with pytest.raises(WorldConflictError, match="would not write"):
        generate_world(tmp_path, orders=100, days=2, start=datetime.date(2026, 11, 1))


@pytest.mark.parametrize(
    "kwargs", [{"orders": -1}, {"days": 0}, {"orders": 1.5}, {"start": "2026-10-01"}]
)
def test_bad_arguments(tmp_path: Path, kwargs: dict[str, object]) -> None:
    with pytest.raises(ValueError, match="must be"):
        generate_world(tmp_path, **kwargs)  # type: ignore[arg-type]


def test_every_kind_even_when_orders_are_thin(tmp_path: Path) -> None:
    summary = build(tmp_path, orders=1_000, days=60, seed=9).summary
    assert all(n >= 1 for n in summary.injected.values()), summary.injected


@pytest.mark.slow
def test_million_lines_fast_and_small(tmp_path: Path) -> None:
    """~1 M order lines: well over 100 k lines/s and far below 2 GB (run with -m slow)."""
    script = (
        "import json, sys, time, resource\n"
        "from pathlib import Path\n"
        "from oms_hub.world import generate_world\n"
        "t = time.perf_counter()\n"
        "s = generate_world(Path(sys.argv[1]), orders=400_000, days=30)\n"
        "dt = time.perf_counter() - t\n"
        "rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024\n"
        "print(json.dumps({'lines': s.order_lines + s.refund_lines, 'secs': dt, 'rss': rss}))\n"
    )
    out = subprocess.run(
        [sys.executable, "-c", script, str(tmp_path)], check=True, capture_output=True, text=True
    )
    result = json.loads(out.stdout)
    assert result["lines"] > 1_000_000
    assert result["lines"] / result["secs"] > 100_000
    assert result["rss"] < 1_000_000_000
