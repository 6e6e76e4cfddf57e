"""Where a benchmark's figures go: one JSON line appended per result (importable beside
the scripts, like ``stopwatch``)."""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any


def command(script: str, argv: list[str] | None) -> str:
    """The command line that produced a result, as recorded with it."""
    return " ".join([f"benchmarks/{script}", *(argv or sys.argv[1:])])


def record(figures: dict[str, Any], out: Path, *, indent: int | None = None) -> None:
    """Append ``figures`` to the JSON-lines file ``out`` and print them."""
    out.parent.mkdir(parents=True, exist_ok=True)
    with out.open("a") as fh:
        fh.write(json.dumps(figures) + "\n")
    print(json.dumps(figures, indent=indent), flush=True)
