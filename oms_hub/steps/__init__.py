"""Steps: the I/O around the pure logic, one function per asset, free of Dagster.

A step reads its inputs from the lake, calls pure domain functions, writes its outputs
atomically, and returns a summary dict (row counts, rejects, timings) that the Dagster
asset reports as metadata and the CLI prints. Tests and benchmarks call steps directly.
"""

from collections.abc import Callable

#: progress(message, done, total) — long steps call it as they advance.
Progress = Callable[[str, int, int], None]


def no_progress(message: str, done: int, total: int) -> None:
    """Default progress sink: say nothing."""


__all__ = ["Progress", "no_progress"]
