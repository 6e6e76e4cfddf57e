"""Property: a mutated interchange never crashes the parser; every record is accounted for."""

from __future__ import annotations

import polars as pl
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from oms_hub.connectors.edi import parse_edi
from tests.connectors.edi.samples import (
    edifact_orders,
    x12_846,
    x12_850,
    x12_945,
    x12_interchange,
)

SEEDS = [
    x12_interchange([("PO", [x12_850("A"), x12_850("B", set_control="0002")])]),
    x12_interchange([("IB", [x12_846()])], element="|", component="^", terminator="~\r\n"),
    x12_interchange([("SW", [x12_945(), x12_945("edi:X:PO-2", "SH-2", set_control="0002")])]),
    edifact_orders(),
    edifact_orders(una="UNA:+,? '", decimal=","),
]
SPECIAL = [
    *list("*~|^:+'?>\n\r ,.0123456789AZ"),
    "ISA",
    "SE",
    "ST",
    "GE",
    "UNT",
    "UNZ",
    "\x00",
    "é",
]


@st.composite
def mutated(draw: st.DrawFn) -> bytes:
    data = bytearray(draw(st.sampled_from(SEEDS)))
    for _ in range(draw(st.integers(1, 6))):
        if not data:
            break
        at = draw(st.integers(0, len(data) - 1))
        op = draw(st.sampled_from(["delete", "insert", "replace", "truncate", "duplicate"]))
        if op == "delete":
            del data[at : at + draw(st.integers(1, 12))]
        elif op == "insert":
            data[at:at] = draw(st.sampled_from(SPECIAL)).encode()
        elif op == "replace":
            data[at] = draw(st.integers(0, 255))
        elif op == "truncate":
            del data[at:]
        else:
            end = min(len(data), at + draw(st.integers(1, 60)))
            data[at:at] = data[at:end]
    return bytes(data)


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(mutated())
def test_mutated_interchanges_are_accepted_or_rejected_with_a_reason(payload: bytes) -> None:
    result = parse_edi(payload, landed_file="edi/fuzz.edi")
    assert result.records >= 1
    assert result.records == result.staged.height + result.rejected
    rejected = result.quarantine.filter(pl.col("action") == "rejected")
    assert rejected.get_column("error").null_count() == 0
    assert (rejected.get_column("error").str.len_chars() >= 10).all()
    assert rejected.get_column("error_code").null_count() == 0
    assert result.staged.get_column("locator").null_count() == 0
    assert result.staged.get_column("version_key").null_count() == 0
