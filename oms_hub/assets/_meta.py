"""Turn a step's summary dict into Dagster metadata."""

from typing import Any

import dagster as dg


def to_metadata(summary: dict[str, Any]) -> dict[str, Any]:
    """Numbers stay numbers (so the UI can plot them); everything else becomes JSON/text."""
    out: dict[str, Any] = {}
    for key, value in summary.items():
        if isinstance(value, bool) or not isinstance(value, int | float | str):
            out[key] = (
                dg.MetadataValue.json(value) if isinstance(value, dict | list) else str(value)
            )
        else:
            out[key] = value
    return out
