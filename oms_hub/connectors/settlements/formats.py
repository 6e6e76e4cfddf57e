"""Which parser reads a landed settlement file: by its folder under landing/settlements/."""

from __future__ import annotations

from collections.abc import Callable

from oms_hub.connectors.common.result import ParseResult
from oms_hub.connectors.settlements import amazon_v2, paypal_stl, shopify_payments, stripe
from oms_hub.connectors.settlements.common import unreadable

#: landing/settlements/<folder>/... -> parser
PARSERS: dict[str, Callable[[bytes, str], ParseResult]] = {
    "stripe": stripe.parse,
    "shopify_payments": shopify_payments.parse,
    "amazon": amazon_v2.parse,
    "paypal": paypal_stl.parse,
}


def parse_settlement_file(payload: bytes, landed_file: str) -> ParseResult:
    """Parse a file by the processor folder it was landed in."""
    parts = landed_file.replace("\\", "/").split("/")
    folder = next((p for p in parts if p in PARSERS), None)
    if folder is None:
        return unreadable(
            stripe.SOURCE,
            landed_file,
            f"no settlement parser for this folder; expected one of {', '.join(PARSERS)}",
        )
    return PARSERS[folder](payload, landed_file)
