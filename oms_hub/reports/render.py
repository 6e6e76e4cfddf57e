"""Write report files people open without SQL: a spreadsheet and an HTML page with charts.

Charts are inline SVG drawn here, so the HTML page is one self-contained file that
opens offline, in an e-mail attachment or on a shared drive.
"""

from __future__ import annotations

import html
import os
import uuid
from collections.abc import Sequence
from decimal import Decimal
from pathlib import Path

import polars as pl

PALETTE = ["#1f77b4", "#ff7f0e", "#2ca02c", "#d62728", "#9467bd", "#8c564b"]


def _atomic_write_bytes(target: Path, payload: bytes) -> None:
    target.parent.mkdir(parents=True, exist_ok=True)
    tmp = target.parent / f".{target.name}.{uuid.uuid4().hex}.tmp"
    tmp.write_bytes(payload)
    os.replace(tmp, target)


def write_xlsx(frame: pl.DataFrame, target: Path, *, sheet: str) -> Path:
    """Write a frame as a formatted spreadsheet (money as numbers with 2 decimals)."""
    target.parent.mkdir(parents=True, exist_ok=True)
    tmp = target.parent / f".{target.name}.{uuid.uuid4().hex}.xlsx"
    money = [c for c, t in frame.schema.items() if isinstance(t, pl.Decimal)]
    frame.write_excel(
        tmp,
        worksheet=sheet,
        autofit=True,
        float_precision=2,
        column_formats=dict.fromkeys(money, "#,##0.00"),
        freeze_panes=(1, 0),
    )
    os.replace(tmp, target)
    return target


def line_chart_svg(
    frame: pl.DataFrame,
    *,
    x: str,
    y: str,
    series: str,
    title: str,
    width: int = 860,
    height: int = 300,
) -> str:
    """A small multi-series line chart as an SVG string (x is a date column)."""
    pad_l, pad_r, pad_t, pad_b = 70, 150, 30, 40
    data = frame.select(x, y, series).with_columns(pl.col(y).cast(pl.Float64)).sort(x)
    if data.is_empty():
        return f"<p>No data for {html.escape(title)}.</p>"
    xs = data.get_column(x).unique().sort().to_list()
    ymax = max(float(data.get_column(y).max() or 0), 1.0)
    ymin = min(float(data.get_column(y).min() or 0), 0.0)
    plot_w, plot_h = width - pad_l - pad_r, height - pad_t - pad_b

    def px(i: int) -> float:
        return pad_l + (plot_w * i / max(len(xs) - 1, 1))

    def py(v: float) -> float:
        return pad_t + plot_h * (1 - (v - ymin) / (ymax - ymin))

    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="{height}" '
        f'role="img" aria-label="{html.escape(title)}">',
        f'<text x="{pad_l}" y="18" font-weight="bold">{html.escape(title)}</text>',
    ]
    for k in range(5):
        v = ymin + (ymax - ymin) * k / 4
        parts.append(
            f'<line x1="{pad_l}" x2="{pad_l + plot_w}" y1="{py(v):.1f}" y2="{py(v):.1f}" '
            'stroke="#ddd"/>'
        )
        parts.append(
            f'<text x="{pad_l - 6}" y="{py(v) + 4:.1f}" text-anchor="end" '
            f'font-size="11">{v:,.0f}</text>'
        )
    step = max(1, -(-len(xs) // 8))  # at most ~8 labels, never overlapping
    for i in range(0, len(xs), step):
        label = xs[i].strftime("%b %d") if hasattr(xs[i], "strftime") else str(xs[i])
        parts.append(
            f'<text x="{px(i):.1f}" y="{height - 18}" text-anchor="middle" '
            f'font-size="11">{html.escape(label)}</text>'
        )
    index = {d: i for i, d in enumerate(xs)}
    for n, (name, group) in enumerate(data.group_by(series, maintain_order=True)):
        colour = PALETTE[n % len(PALETTE)]
        points = " ".join(
            f"{px(index[d]):.1f},{py(v):.1f}"
            for d, v in zip(group.get_column(x), group.get_column(y), strict=True)
        )
        parts.append(
            f'<polyline fill="none" stroke="{colour}" stroke-width="2" points="{points}"/>'
        )
        parts.append(
            f'<text x="{pad_l + plot_w + 10}" y="{pad_t + 16 * n + 10}" '
            f'fill="{colour}" font-size="12">{html.escape(str(name[0]))}</text>'
        )
    parts.append("</svg>")
    return "".join(parts)


def _cell(value: object) -> str:
    """Readable cell text: thousands separators, money with two decimals."""
    if value is None:
        return ""
    if isinstance(value, Decimal):
        return f"{value:,.2f}"
    if isinstance(value, int) and not isinstance(value, bool):
        return f"{value:,}"
    return str(value)


def html_table(frame: pl.DataFrame, *, max_rows: int = 500) -> str:
    """An HTML table of (the first ``max_rows`` of) a frame."""
    head = "".join(f"<th>{html.escape(c)}</th>" for c in frame.columns)
    body = []
    for row in frame.head(max_rows).iter_rows():  # bounded: at most max_rows rows
        cells = "".join(f"<td>{html.escape(_cell(v))}</td>" for v in row)
        body.append(f"<tr>{cells}</tr>")
    more = (
        f"<p>{frame.height - max_rows} more rows in the spreadsheet.</p>"
        if frame.height > max_rows
        else ""
    )
    return f"<table><thead><tr>{head}</tr></thead><tbody>{''.join(body)}</tbody></table>{more}"


def write_html_page(target: Path, *, title: str, sections: Sequence[tuple[str, str]]) -> Path:
    """Write a self-contained HTML page from (heading, html) sections."""
    style = (
        "body{font-family:system-ui,sans-serif;margin:2em;color:#222}"
        "table{border-collapse:collapse;font-size:13px}"
        "td,th{border:1px solid #ccc;padding:3px 8px;text-align:right}"
        "th{background:#f3f3f3}"
    )
    body = "".join(f"<h2>{html.escape(h)}</h2>{content}" for h, content in sections)
    page = (
        f"<!doctype html><html><head><meta charset='utf-8'><title>{html.escape(title)}</title>"
        f"<style>{style}</style></head><body><h1>{html.escape(title)}</h1>{body}</body></html>"
    )
    _atomic_write_bytes(target, page.encode("utf-8"))
    return target
