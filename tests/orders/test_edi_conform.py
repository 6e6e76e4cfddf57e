"""EDI purchase orders -> core.orders / core.order_lines: partners, item resolution, money."""

from __future__ import annotations

from decimal import Decimal

import polars as pl

from oms_hub.connectors.edi import parse_edi
from oms_hub.connectors.edi.partners import parse_partners
from oms_hub.orders.edi_conform import conform_edi_orders
from tests.connectors.edi.samples import edifact_orders, x12_850, x12_interchange

PARTNERS = parse_partners(
    """
partners:
  - {id: BUYER1, name: Buyer One, customer_account: B1, currency: USD,
     item_qualifiers: [VN, UP, BP], buyer_parts: {B-77: SKU-2}}
  - {id: "5412345000013", name: Europa, customer_account: EU, currency: EUR}
"""
)
PRODUCTS = pl.DataFrame(
    {
        "sku": ["SKU-1", "SKU-2", "SKU-3"],
        "upc": ["012345678905", "036000291452", "000862141404"],
    }
)


def _staged(payload: bytes) -> pl.DataFrame:
    result = parse_edi(payload, landed_file="edi/t")
    assert result.rejected == 0
    return result.staged


def test_x12_order_with_sku_and_buyer_part_and_charges() -> None:
    po = x12_850()
    po.insert(-3, "SAC*C*D240***2500")  # header? no: after the last PO1 -> a line charge
    po.insert(9, "SAC*A*C310***1000")  # header allowance (before the first PO1)
    po[-1] = f"SE*{len(po)}*0001"
    out = conform_edi_orders(_staged(x12_interchange([("PO", [po])])), PRODUCTS, PARTNERS)
    assert out.quarantine.is_empty()
    order = out.orders.row(0, named=True)
    assert order["order_id"] == "edi:BUYER1:PO-1001"
    assert order["channel"] == "edi"
    assert order["source_customer_id"] == "B1"
    assert order["customer_name"] == "Acme Stores"
    assert order["gross_amount"] == Decimal("137.00")  # 10 x 12.50 + 3 x 4
    assert order["discount_amount"] == Decimal("10.00")
    assert order["charge_amount"] == Decimal("25.00")
    assert order["total"] == Decimal("152.00")
    lines = out.order_lines.sort("line_number")
    assert lines.get_column("sku").to_list() == ["SKU-1", "SKU-2"]  # VN, then buyer part B-77
    assert lines.get_column("locator").unique().to_list() == [order["locator"]]
    assert lines.get_column("line_total").to_list() == [Decimal("125.00"), Decimal("12.00")]


def test_unknown_item_rejects_the_order_with_its_identifiers() -> None:
    po = x12_850(lines=(("1", "2", "VN", "NOPE-1"), ("3", "4", "BP", "B-77")))
    out = conform_edi_orders(_staged(x12_interchange([("PO", [po])])), PRODUCTS, PARTNERS)
    assert out.orders.is_empty()
    assert out.order_lines.is_empty()
    row = out.quarantine.row(0, named=True)
    assert row["error_code"] == "unknown_sku"
    assert "line 1: no SKU for item VN NOPE-1" in row["error"]
    assert row["stage"] == "conform"


def test_unknown_partner_is_rejected() -> None:
    staged = _staged(x12_interchange([("PO", [x12_850()])], sender="STRANGER"))
    out = conform_edi_orders(staged, PRODUCTS, PARTNERS)
    assert out.orders.is_empty()
    assert out.quarantine.get_column("error").to_list() == [
        "sender 'STRANGER' is not a configured trading partner"
    ]


def test_edifact_gtin13_resolves_to_upc_and_currency_is_kept() -> None:
    payload = edifact_orders(lines=(("0036000291452", "4", "12.50"),))
    out = conform_edi_orders(_staged(payload), PRODUCTS, PARTNERS)
    assert out.quarantine.is_empty()
    order = out.orders.row(0, named=True)
    assert (order["currency"], order["total"]) == ("EUR", Decimal("50.00"))
    assert out.order_lines.get_column("sku").to_list() == ["SKU-2"]


def test_fractional_quantity_rejects_the_order() -> None:
    po = x12_850(lines=(("2.5", "2", "VN", "SKU-1"),))
    po[-2] = "CTT*1*2.5"
    out = conform_edi_orders(_staged(x12_interchange([("PO", [po])])), PRODUCTS, PARTNERS)
    assert out.orders.is_empty()
    assert out.quarantine.get_column("error_code").to_list() == ["bad_quantity"]
