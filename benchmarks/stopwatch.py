"""Named wall-clock timings for the world benchmarks (importable beside the scripts)."""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Any


class Stopwatch:
    """Call ``watch(name, fn, *args)``: runs ``fn``, keeps its seconds in ``seconds``."""

    def __init__(self, digits: int = 2) -> None:
        self.digits = digits
        self.seconds: dict[str, float] = {}

    def __call__(self, name: str, fn: Callable[..., Any], *args: Any) -> Any:
        started = time.perf_counter()
        out = fn(*args)
        self.seconds[name] = round(time.perf_counter() - started, self.digits)
        return out
