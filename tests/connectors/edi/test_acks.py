"""997 and CONTRL generation: what was accepted and rejected, down to the element."""

from __future__ import annotations

import polars as pl

from oms_hub.connectors.edi import parse_edi
from oms_hub.connectors.edi.acks import acknowledge
from tests.connectors.edi.samples import edifact_orders, x12_846, x12_850, x12_interchange

DIGEST = "ab" * 32


def _segments(payload: bytes, terminator: str) -> list[str]:
    return [s.strip() for s in payload.decode().split(terminator) if s.strip()]


def test_997_per_group_accepts_and_uses_inbound_version() -> None:
    inbound = x12_interchange(
        [("PO", [x12_850("A"), x12_850("B", set_control="0002")]), ("IB", [x12_846("0003")])]
    )
    (ack,) = acknowledge(inbound, digest=DIGEST)
    segs = _segments(ack.payload, "~")
    assert segs[0].startswith("ISA*00*")
    assert "*OMSHUB         *ZZ*BUYER1         *" in segs[0]  # sender and receiver swapped
    assert [s for s in segs if s.startswith("GS*FA")] == [
        "GS*FA*OMSHUB*BUYER1*20261001*1200*1*X*004010",
        "GS*FA*OMSHUB*BUYER1*20261001*1200*2*X*004010",
    ]
    assert [s for s in segs if s.startswith(("AK1", "AK2", "AK5", "AK9"))] == [
        "AK1*PO*1",
        "AK2*850*0001",
        "AK5*A",
        "AK2*850*0002",
        "AK5*A",
        "AK9*A*2*2*2",
        "AK1*IB*2",
        "AK2*846*0003",
        "AK5*A",
        "AK9*A*1*1*1",
    ]
    # SE01 counts its set, GE/IEA count their contents: the 997 passes our own parser's checks.
    assert (
        parse_edi(ack.payload, landed_file="edi/ack.x12")
        .quarantine.filter(pl.col("error_code") == "envelope_error")
        .is_empty()
    )
    assert (ack.accepted, ack.rejected) == (3, 0)


def test_997_points_at_failing_segment_and_element() -> None:
    inbound = x12_interchange([("PO", [x12_850("A"), x12_850("B", set_control="0002")])]).decode()
    inbound = inbound.replace("PO1*1*10*EA*12.50", "PO1*1*ten*EA*12.50", 1)
    inbound = inbound.replace("SE*15*0002", "SE*14*0002")
    (ack,) = acknowledge(inbound.encode(), digest=DIGEST)
    segs = _segments(ack.payload, "~")
    body = [s for s in segs if s.startswith(("AK2", "AK3", "AK4", "AK5", "AK9"))]
    assert body == [
        "AK2*850*0001",
        "AK3*PO1*10**8",
        "AK4*2**6",
        "AK3*CTT*14**8",
        "AK4*2**7",
        "AK5*R*5",
        "AK2*850*0002",
        "AK5*R*4",
        "AK9*R*2*2*0",
    ]


def test_997_partial_acceptance_and_group_envelope_error() -> None:
    inbound = x12_interchange([("PO", [x12_850("A"), x12_850("B", set_control="0002")])]).decode()
    partial = inbound.replace("SE*15*0002", "SE*15*0009")
    (ack,) = acknowledge(partial.encode(), digest=DIGEST)
    assert "AK9*P*2*2*1" in ack.payload.decode()
    broken = inbound.replace("GE*2*1", "GE*2*7")
    (ack,) = acknowledge(broken.encode(), digest=DIGEST)
    assert "AK9*R*2*2*0*4" in ack.payload.decode()


def test_ack_bytes_are_deterministic() -> None:
    inbound = x12_interchange([("PO", [x12_850()])])
    assert acknowledge(inbound, digest=DIGEST) == acknowledge(inbound, digest=DIGEST)
    assert acknowledge(b"not edi", digest=DIGEST) == []


def test_contrl_accepts_and_rejects_messages() -> None:
    (ok,) = acknowledge(edifact_orders(), digest=DIGEST)
    segs = _segments(ok.payload.removeprefix(b"UNA:+.? '"), "'")
    assert segs[0].startswith("UNB+UNOC:3+OMSHUB+5412345000013+")
    assert "UCI+REF1+5412345000013+OMSHUB+7" in segs
    assert "UCM+1+ORDERS:D:96A:UN+7" in segs
    bad = edifact_orders().decode().replace("QTY+21:4:PCE", "QTY+21:x:PCE")
    (ack,) = acknowledge(bad.encode(), digest=DIGEST)
    segs = _segments(ack.payload.removeprefix(b"UNA:+.? '"), "'")
    assert "UCM+1+ORDERS:D:96A:UN+4" in segs
    assert any(s.startswith("UCS+7+12") for s in segs)
    unt = next(s for s in segs if s.startswith("UNT"))
    assert unt == f"UNT+{segs.index(unt) - 1 + 1}+1"
    (rejected,) = acknowledge(
        edifact_orders().decode().replace("UNZ+1+REF1", "UNZ+1+NOPE").encode(), digest=DIGEST
    )
    assert "UCI+REF1+5412345000013+OMSHUB+4" in rejected.payload.decode()
