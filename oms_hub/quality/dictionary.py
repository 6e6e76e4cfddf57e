"""Render the data dictionary (docs/data-dictionary.md) from the table contracts."""

from __future__ import annotations

from oms_hub.quality.contracts import TABLES


def render_markdown() -> str:
    """The whole dictionary as Markdown; ``tests`` check the committed copy is current."""
    out = [
        "# Data dictionary",
        "",
        "Generated from `oms_hub/quality/contracts/` by `oms-hub docs`; do not edit by hand.",
        "The same descriptions are on every column in `oms.duckdb` (`COMMENT ON`) and in",
        "`select * from ops.data_dictionary`.",
        "",
        "Conventions: money is `DECIMAL(18,2)` with a `currency` column beside it; timestamps are",
        "UTC; `source`, `landed_file` and `locator` say where each row came from.",
        "",
    ]
    for contract in TABLES.values():
        layout = contract.layout or (
            "one file per UTC day (`day=YYYY-MM-DD/`)"
            if contract.partitioned_by_day
            else "one file"
        )
        out += [
            f"## `{contract.name}`",
            "",
            contract.description,
            f"Stored at `lake/{contract.name.replace('.', '/')}/`, {layout}.",
            "",
            "| column | type | null | description |",
            "|---|---|---|---|",
        ]
        for name, dtype, desc, nullable in contract.columns():
            out.append(f"| `{name}` | {dtype} | {'yes' if nullable else 'no'} | {desc} |")
        out.append("")
    return "\n".join(out)
