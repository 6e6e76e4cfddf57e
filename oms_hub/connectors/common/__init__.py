"""Helpers every format parser shares: text-to-value parsing and the parse result."""

from oms_hub.connectors.common.csv_records import read_csv_records
from oms_hub.connectors.common.result import ParseResult, quarantine_rows
from oms_hub.connectors.common.values import parse_money, parse_us_or_iso_date

__all__ = [
    "ParseResult",
    "parse_money",
    "parse_us_or_iso_date",
    "quarantine_rows",
    "read_csv_records",
]
