"""Parse stock files under ``landing/inventory/`` (pure: bytes in, frames out).

Two row shapes come out:

* **movements** (opening balances, supplier receipts, transfer events): ``kind``,
  ``location_id``, ``sku``, signed ``quantity`` (what the event does to that location's
  on hand), ``moved_at`` (UTC), ``reference`` and ``counterpart_location_id``;
* **counts** (POS stock-count exports from stores, WMS on-hand snapshots from
  warehouses): ``location_id``, ``sku``, ``counted_qty``, ``counted_at`` (UTC) and
  ``count_source``.

Every row is checked (required fields, whole non-negative quantities, parseable times);
a row that fails goes to quarantine naming the column and value, the rest load.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import PurePosixPath

import polars as pl

from oms_hub.connectors.common.csv_records import ROW, ragged_rule, read_csv_records
from oms_hub.connectors.common.result import ParseResult, quarantine_rows
from oms_hub.connectors.common.values import parse_int
from oms_hub.quality.card_numbers import mask_card_numbers

SOURCE = "inventory"

#: File-name prefixes of each stream under landing/inventory/.
KINDS = {
    "opening": "opening-balances",
    "receipts": "receipts",
    "transfers": "transfers",
    "store_counts": "pos-stock-count",
    "wms_snapshots": "wms-snapshot",
}

MOVEMENT_SCHEMA = {
    "kind": pl.String,
    "location_id": pl.String,
    "sku": pl.String,
    "quantity": pl.Int32,
    "moved_at": pl.Datetime("us", "UTC"),
    "reference": pl.String,
    "counterpart_location_id": pl.String,
}
COUNT_SCHEMA = {
    "location_id": pl.String,
    "sku": pl.String,
    "counted_qty": pl.Int32,
    "counted_at": pl.Datetime("us", "UTC"),
    "count_source": pl.String,
}
_LINEAGE = ["source", "landed_file", "locator", "version_key"]


def stock_file_kind(landed_file: str) -> str | None:
    """Which stream a file under landing/inventory/ belongs to, from its name."""
    name = PurePosixPath(landed_file).name.lower()
    if not name.endswith(".csv"):
        return None
    for kind, prefix in KINDS.items():
        if name.startswith(prefix):
            return kind
    return None


def _utc_iso(text: pl.Expr) -> pl.Expr:
    """``2026-10-07T06:00:00Z`` -> UTC datetime, else null."""
    return text.str.strip_chars().str.to_datetime(
        "%Y-%m-%dT%H:%M:%SZ", strict=False, time_zone="UTC"
    )


def _with_offset(text: pl.Expr) -> pl.Expr:
    """``2026-10-04 08:00:00 -04:00`` (local time and its UTC offset) -> UTC, else null."""
    return (
        text.str.strip_chars()
        .str.to_datetime("%Y-%m-%d %H:%M:%S %:z", strict=False)
        .dt.convert_time_zone("UTC")
    )


Rule = tuple[str, pl.Expr, pl.Expr]


def _required(columns: list[str]) -> list[Rule]:
    return [
        (
            "missing_field",
            pl.col(c).is_null() | (pl.col(c).str.strip_chars() == ""),
            pl.lit(f"required field '{c}' is empty"),
        )
        for c in columns
    ]


def _bad_value(code: str, column: str, parsed: str, what: str) -> Rule:
    return (
        code,
        pl.col(column).is_not_null() & pl.col(parsed).is_null(),
        pl.format(f"{column} '{{}}' is not {what}", pl.col(column)),
    )


def _parse(
    payload: bytes,
    landed_file: str,
    *,
    columns: list[str],
    typed: dict[str, pl.Expr],
    rules: Callable[[], list[Rule]],
    out: dict[str, pl.Expr],
    version_key: pl.Expr,
    schema: dict[str, pl.DataType],
) -> ParseResult:
    """Read, mask, type and check a stock CSV; split good rows from quarantined ones."""
    raw, header = read_csv_records(payload, required=columns)
    raw, _ = mask_card_numbers(raw, header)
    frame = raw.with_columns(**typed)
    checks = [ragged_rule(len(header)), *rules()]
    checked = frame.with_columns(
        error_code=pl.coalesce(
            [pl.when(c.fill_null(False)).then(pl.lit(code)) for code, c, _ in checks]
        ),
        error=pl.concat_str(
            [pl.when(c.fill_null(False)).then(m) for _, c, m in checks],
            separator="; ",
            ignore_nulls=True,
        ),
        locator=pl.format("row {}", pl.col(ROW)),
    )
    bad = checked.filter(pl.col("error_code").is_not_null()).with_columns(
        excerpt=pl.concat_str([pl.col(c).fill_null("") for c in header], separator=",")
    )
    good = checked.filter(pl.col("error_code").is_null())
    staged = good.select(
        *[expr.cast(schema[name]).alias(name) for name, expr in out.items()],
        pl.lit(SOURCE).alias("source"),
        pl.lit(landed_file).alias("landed_file"),
        "locator",
        version_key.alias("version_key"),
    )
    if staged.is_empty():
        staged = pl.DataFrame(schema={**schema, **dict.fromkeys(_LINEAGE, pl.String)})
    return ParseResult(
        staged=staged,
        quarantine=quarantine_rows(bad, source=SOURCE, landed_file=landed_file, stage="parse"),
        records=raw.height,
    )


def _quantity_rules(column: str, *, allow_zero: bool) -> list[Rule]:
    low = pl.col("_qty") < (0 if allow_zero else 1)
    return [
        _bad_value("bad_quantity", column, "_qty", "a whole number"),
        (
            "bad_quantity",
            pl.col("_qty").is_not_null() & low,
            pl.format(f"{column} '{{}}' must be {'>= 0' if allow_zero else '> 0'}", pl.col(column)),
        ),
    ]


def parse_opening_balances(payload: bytes, *, landed_file: str) -> ParseResult:
    """``location_id,sku,on_hand,as_of``: the stock ledger's opening balance per SKU x location."""
    cols = ["location_id", "sku", "on_hand", "as_of"]
    return _parse(
        payload,
        landed_file,
        columns=cols,
        typed={"_qty": parse_int(pl.col("on_hand")), "_at": _utc_iso(pl.col("as_of"))},
        rules=lambda: [
            *_required(cols),
            *_quantity_rules("on_hand", allow_zero=True),
            _bad_value("bad_timestamp", "as_of", "_at", "a UTC time (YYYY-MM-DDTHH:MM:SSZ)"),
        ],
        out={
            "kind": pl.lit("opening"),
            "location_id": pl.col("location_id").str.strip_chars(),
            "sku": pl.col("sku").str.strip_chars(),
            "quantity": pl.col("_qty"),
            "moved_at": pl.col("_at"),
            "reference": pl.lit(None, pl.String),
            "counterpart_location_id": pl.lit(None, pl.String),
        },
        version_key=pl.format("opening:{}:{}", pl.col("location_id"), pl.col("sku")),
        schema=MOVEMENT_SCHEMA,
    )


def parse_receipts(payload: bytes, *, landed_file: str) -> ParseResult:
    """``receipt_id,po_number,location_id,sku,quantity,received_at``: supplier deliveries."""
    cols = ["receipt_id", "po_number", "location_id", "sku", "quantity", "received_at"]
    return _parse(
        payload,
        landed_file,
        columns=cols,
        typed={"_qty": parse_int(pl.col("quantity")), "_at": _utc_iso(pl.col("received_at"))},
        rules=lambda: [
            *_required(["receipt_id", "location_id", "sku", "quantity", "received_at"]),
            *_quantity_rules("quantity", allow_zero=False),
            _bad_value("bad_timestamp", "received_at", "_at", "a UTC time"),
        ],
        out={
            "kind": pl.lit("receipt"),
            "location_id": pl.col("location_id").str.strip_chars(),
            "sku": pl.col("sku").str.strip_chars(),
            "quantity": pl.col("_qty"),
            "moved_at": pl.col("_at"),
            "reference": pl.col("receipt_id").str.strip_chars(),
            "counterpart_location_id": pl.lit(None, pl.String),
        },
        version_key=pl.format("receipt:{}", pl.col("receipt_id")),
        schema=MOVEMENT_SCHEMA,
    )


def parse_transfers(payload: bytes, *, landed_file: str) -> ParseResult:
    """Transfer events: ``shipped`` takes stock out of the sender, ``received`` puts it in."""
    cols = [
        "transfer_id",
        "event",
        "from_location_id",
        "to_location_id",
        "sku",
        "quantity",
        "event_at",
    ]
    event = pl.col("event").str.strip_chars().str.to_lowercase()
    shipped = event == "shipped"
    return _parse(
        payload,
        landed_file,
        columns=cols,
        typed={"_qty": parse_int(pl.col("quantity")), "_at": _utc_iso(pl.col("event_at"))},
        rules=lambda: [
            *_required(cols),
            (
                "bad_event",
                pl.col("event").is_not_null() & ~event.is_in(["shipped", "received"]),
                pl.format("event '{}' is not 'shipped' or 'received'", pl.col("event")),
            ),
            *_quantity_rules("quantity", allow_zero=False),
            _bad_value("bad_timestamp", "event_at", "_at", "a UTC time"),
        ],
        out={
            "kind": pl.when(shipped).then(pl.lit("transfer_out")).otherwise(pl.lit("transfer_in")),
            "location_id": pl.when(shipped)
            .then(pl.col("from_location_id"))
            .otherwise(pl.col("to_location_id"))
            .str.strip_chars(),
            "sku": pl.col("sku").str.strip_chars(),
            "quantity": pl.when(shipped).then(-pl.col("_qty")).otherwise(pl.col("_qty")),
            "moved_at": pl.col("_at"),
            "reference": pl.col("transfer_id").str.strip_chars(),
            "counterpart_location_id": pl.when(shipped)
            .then(pl.col("to_location_id"))
            .otherwise(pl.col("from_location_id"))
            .str.strip_chars(),
        },
        version_key=pl.format("transfer:{}:{}", pl.col("transfer_id"), event),
        schema=MOVEMENT_SCHEMA,
    )


def parse_store_counts(payload: bytes, *, landed_file: str) -> ParseResult:
    """POS stock-count export: ``Location ID,SKU,Item Name,Counted Qty,Counted At,Count Type``.

    ``Counted At`` is store-local time with its UTC offset (``2026-10-04 08:00:00 -04:00``).
    """
    cols = ["Location ID", "SKU", "Counted Qty", "Counted At"]
    return _parse(
        payload,
        landed_file,
        columns=cols,
        typed={
            "_qty": parse_int(pl.col("Counted Qty")),
            "_at": _with_offset(pl.col("Counted At")),
        },
        rules=lambda: [
            *_required(cols),
            *_quantity_rules("Counted Qty", allow_zero=True),
            _bad_value("bad_timestamp", "Counted At", "_at", "a local time with offset (+HH:MM)"),
        ],
        out={
            "location_id": pl.col("Location ID").str.strip_chars(),
            "sku": pl.col("SKU").str.strip_chars(),
            "counted_qty": pl.col("_qty"),
            "counted_at": pl.col("_at"),
            "count_source": pl.lit("pos_stock_count"),
        },
        version_key=pl.format(
            "count:{}:{}:{}", pl.col("Location ID"), pl.col("SKU"), pl.col("_at")
        ),
        schema=COUNT_SCHEMA,
    )


def parse_wms_snapshot(payload: bytes, *, landed_file: str) -> ParseResult:
    """WMS on-hand snapshot: ``WHSE_ID,ITEM_NO,QTY_ON_HAND,SNAPSHOT_UTC``."""
    cols = ["WHSE_ID", "ITEM_NO", "QTY_ON_HAND", "SNAPSHOT_UTC"]
    return _parse(
        payload,
        landed_file,
        columns=cols,
        typed={
            "_qty": parse_int(pl.col("QTY_ON_HAND")),
            "_at": _utc_iso(pl.col("SNAPSHOT_UTC")),
        },
        rules=lambda: [
            *_required(cols),
            *_quantity_rules("QTY_ON_HAND", allow_zero=True),
            _bad_value("bad_timestamp", "SNAPSHOT_UTC", "_at", "a UTC time"),
        ],
        out={
            "location_id": pl.col("WHSE_ID").str.strip_chars(),
            "sku": pl.col("ITEM_NO").str.strip_chars(),
            "counted_qty": pl.col("_qty"),
            "counted_at": pl.col("_at"),
            "count_source": pl.lit("wms_snapshot"),
        },
        version_key=pl.format(
            "count:{}:{}:{}", pl.col("WHSE_ID"), pl.col("ITEM_NO"), pl.col("_at")
        ),
        schema=COUNT_SCHEMA,
    )
