"""Writing files so a reader never sees half of one: write a hidden temp file, then rename."""

from __future__ import annotations

import shutil
from pathlib import Path

import polars as pl


def _tmp(path: Path) -> Path:
    return path.with_name(f".{path.name}.tmp")


def write_csv(frame: pl.DataFrame, path: Path) -> Path:
    """Write ``frame`` as UTF-8 CSV (header, ``,``, ``\\n``, quotes only where needed)."""
    tmp = _tmp(path)
    frame.write_csv(tmp, line_terminator="\n", quote_style="necessary")
    tmp.replace(path)
    return path


def copy_file(source: Path, target: Path) -> Path:
    """Byte-identical copy of ``source`` at ``target``."""
    tmp = _tmp(target)
    shutil.copyfile(source, tmp)
    tmp.replace(target)
    return target
