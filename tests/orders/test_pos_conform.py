"""POS conform: return ids stay unique when conform runs one UTC day at a time."""

from __future__ import annotations

import polars as pl

from oms_hub.orders.pos_conform import conform_pos
from tests.connectors.test_square_items import export, parse

PRODUCTS = pl.DataFrame({"sku": ["SKU-000001"]})
LOCATIONS = pl.DataFrame({"name": ["Brooklyn"], "location_id": ["S01"], "currency": ["USD"]})


def test_two_refunds_of_one_sale_on_one_local_day_but_two_utc_days_get_distinct_ids() -> None:
    refund = {"Event Type": "Refund", "Qty": "-1", "Gross Sales": "-$10.00",
              "Discounts": "$0.00", "Net Sales": "-$10.00", "Tax": "-$0.80"}  # fmt: skip
    staged = parse(
        export(
            {"Time": "12:00:00"},
            {**refund, "Time": "19:00:00"},  # 23:00 UTC on Oct 1
            {**refund, "Time": "23:30:00"},  # 03:30 UTC on Oct 2, same local day
        )
    ).staged
    assert staged.height == 3
    by_utc_day = [
        staged.filter(pl.col("event_at").dt.date() == day)
        for day in staged["event_at"].dt.date().unique().sort()
    ]
    assert len(by_utc_day) == 2
    ids = pl.concat([conform_pos(day, PRODUCTS, LOCATIONS).returns for day in by_utc_day])[
        "return_id"
    ]
    assert ids.len() == 2
    assert ids.n_unique() == 2, ids.to_list()
    # Re-conforming the same day gives the same ids (stable across re-runs).
    again = conform_pos(by_utc_day[1], PRODUCTS, LOCATIONS).returns["return_id"]
    assert again.to_list() == [ids[1]]
