"""Acknowledgements: a 997 for every inbound X12 functional group, a CONTRL per EDIFACT
interchange. Pure: the same analysis the parser staged from goes in, documents come out,
so an acknowledgement says exactly what was loaded and what was rejected.

997 (one ST per inbound group, in a GS*FA group carrying the inbound GS08 version):
AK1 names the group, AK2 each set, AK3/AK4 the segment/element that failed, AK5 the
set's verdict (A accepted, R rejected, with a reason code), AK9 the group's (A, P
partially accepted, R) with counts. CONTRL: UCI for the interchange, UCM per message,
UCS/UCD for the failing segment/element.

Outbound control numbers are derived from the inbound file's hash, so regenerating an
acknowledgement gives the same bytes (idempotent re-runs).
"""

from __future__ import annotations

from dataclasses import dataclass

import polars as pl

from oms_hub.connectors.edi.edifact import EdifactAnalysis, analyze_edifact
from oms_hub.connectors.edi.segments import EdiSyntaxError, sniff
from oms_hub.connectors.edi.x12 import X12Analysis, analyze_x12


@dataclass(frozen=True)
class Acknowledgement:
    """One outbound document: file name, bytes, and what it answers."""

    name: str
    payload: bytes
    kind: str  # "997" or "CONTRL"
    partner_id: str
    accepted: int
    rejected: int


def _control(digest: str, n: int) -> str:
    return f"{(int(digest[:8], 16) + n) % 1_000_000_000:09d}"


def _safe(text: str | None) -> str:
    return "".join(ch for ch in (text or "") if ch.isalnum() or ch in "-_") or "unknown"


def _set_lines(a: X12Analysis) -> pl.DataFrame:
    """Per set: the AK2..AK5 segments as one text (joined with the segment terminator '~')."""
    err = a.errors.join(a.sets.select("doc", "gs"), on="doc")
    ak34 = (
        err.filter(pl.col("seg_tag").is_not_null())
        .sort("doc", "seg_pos", nulls_last=True)
        .with_columns(
            text=pl.format(
                "AK3*{}*{}**{}",
                pl.col("seg_tag"),
                pl.col("seg_pos").fill_null(0),
                pl.when(pl.col("element").is_not_null()).then(pl.lit("8")).otherwise("ack_code"),
            )
            + pl.when(pl.col("element").is_not_null())
            .then(pl.format("~AK4*{}**{}", pl.col("element"), pl.col("ack_code")))
            .otherwise(pl.lit(""))
        )
        .group_by("doc", maintain_order=True)
        .agg(ak34=pl.col("text").head(10).str.join("~"))
    )
    set_codes = err.group_by("doc").agg(
        code=pl.col("ack_code").filter(pl.col("seg_tag").is_null()).first().fill_null(pl.lit("5")),
        n_err=pl.len(),
    )
    return (
        a.sets.select("doc", "gs", "set_type", "control")
        .join(ak34, on="doc", how="left")
        .join(set_codes, on="doc", how="left")
        .with_columns(accepted=pl.col("n_err").is_null())
        .with_columns(
            text=pl.concat_str(
                [
                    pl.format(
                        "AK2*{}*{}",
                        pl.col("set_type").fill_null(""),
                        pl.col("control").fill_null(""),
                    ),
                    pl.col("ak34"),
                    pl.when(pl.col("accepted"))
                    .then(pl.lit("AK5*A"))
                    .otherwise(pl.format("AK5*R*{}", pl.col("code"))),
                ],
                separator="~",
                ignore_nulls=True,
            )
        )
        .sort("doc")
    )


def acknowledge_x12(payload: bytes, *, digest: str) -> list[Acknowledgement]:
    """One 997 interchange per inbound interchange (one 997 set per inbound group)."""
    try:
        a = analyze_x12(payload)
    except EdiSyntaxError:
        return []  # nothing identifies the sender: the parse quarantine says why
    sets = _set_lines(a)
    per_group = sets.group_by("gs", maintain_order=True).agg(
        body=pl.col("text").str.join("~"),
        received=pl.len(),
        accepted=pl.col("accepted").sum(),
    )
    groups = a.groups.join(per_group, on="gs", how="left").join(
        a.interchanges.select("isa", isa_problem="problem"), on="isa", how="left"
    )
    out: list[Acknowledgement] = []
    for n, isa in enumerate(a.interchanges.iter_rows(named=True)):
        mine = groups.filter(pl.col("isa") == isa["isa"])
        if mine.is_empty():
            continue
        control = _control(digest, n)
        sender, receiver = isa["sender_id"] or "", isa["receiver_id"] or ""
        segs = [
            f"ISA*00*{'':10}*00*{'':10}*{isa['receiver_qualifier'] or 'ZZ'}*{receiver:<15.15}*"
            f"{isa['sender_qualifier'] or 'ZZ'}*{sender:<15.15}*{(isa['isa_date'] or '000000')[:6]}*"
            f"{(isa['isa_time'] or '0000')[:4]}*U*{(isa['isa_version'] or '00401')[:5]}*{control}*0*P*>"
        ]
        accepted_total = rejected_total = 0
        for g, group in enumerate(mine.iter_rows(named=True), start=1):
            received = group["received"] or 0
            accepted = group["accepted"] or 0
            problem_code = group["problem_code"] or ""
            if group["problem"] or group["isa_problem"]:
                verdict, accepted = "R", 0
            elif accepted == received and received:
                verdict = "A"
            elif accepted:
                verdict = "P"
            else:
                verdict = "R"
            accepted_total += accepted
            rejected_total += received - accepted
            st = [
                "ST*997*0001",
                f"AK1*{group['functional_id'] or ''}*{group['control'] or ''}",
                *([group["body"]] if group["body"] else []),
                f"AK9*{verdict}*{received}*{received}*{accepted}"
                + (f"*{problem_code}" if problem_code else ""),
            ]
            st_segments = "~".join(st).split("~")
            st_segments.append(f"SE*{len(st_segments) + 1}*0001")
            segs += [
                f"GS*FA*{group['app_receiver'] or receiver}*{group['app_sender'] or sender}*"
                f"{group['gs_date'] or ''}*{group['gs_time'] or ''}*{g}*X*{group['version'] or ''}",
                *st_segments,
                f"GE*1*{g}",
            ]
        segs.append(f"IEA*{mine.height}*{control}")
        name = f"997-{_safe(sender)}-{_safe(isa['control'])}-{digest[:8]}.x12"
        out.append(
            Acknowledgement(
                name,
                ("~\n".join(segs) + "~\n").encode(),
                "997",
                sender,
                accepted_total,
                rejected_total,
            )
        )
    return out


def _release(text: str | None) -> str:
    out = text or ""
    for ch in "?+:'":
        out = out.replace(ch, "?" + ch)
    return out


def acknowledge_edifact(payload: bytes, *, digest: str) -> list[Acknowledgement]:
    """One CONTRL per inbound EDIFACT interchange."""
    try:
        a: EdifactAnalysis = analyze_edifact(payload)
    except EdiSyntaxError:
        return []
    err = a.errors
    ucs = (
        err.filter(pl.col("seg_tag").is_not_null())
        .sort("doc", "seg_pos", nulls_last=True)
        .with_columns(
            text=pl.format("UCS+{}+{}", pl.col("seg_pos").fill_null(0), pl.col("ack_code"))
            + pl.when(pl.col("element").is_not_null())
            .then(pl.format("'UCD+{}+{}", pl.col("ack_code"), pl.col("element")))
            .otherwise(pl.lit(""))
        )
        .group_by("doc", maintain_order=True)
        .agg(ucs=pl.col("text").head(10).str.join("'"))
    )
    msgs = (
        a.messages.join(ucs, on="doc", how="left")
        .join(err.group_by("doc").agg(n_err=pl.len()), on="doc", how="left")
        .with_columns(accepted=pl.col("n_err").is_null())
        .sort("doc")
    )
    out: list[Acknowledgement] = []
    for n, unb in enumerate(a.interchanges.iter_rows(named=True)):
        mine = msgs.filter(pl.col("unb") == unb["unb"])
        interchange_ok = unb["problem"] is None
        sender, receiver = unb["sender_id"] or "", unb["receiver_id"] or ""
        body = [
            "UNH+1+CONTRL:D:3:UN",
            f"UCI+{_release(unb['control'])}+{_release(sender)}+{_release(receiver)}+"
            f"{'7' if interchange_ok else '4'}",
        ]
        accepted = 0
        for m in mine.iter_rows(named=True):
            ok = interchange_ok and m["accepted"]
            accepted += int(ok)
            body.append(f"UCM+{_release(m['control'])}+{m['_type'] or ''}+{'7' if ok else '4'}")
            if m["ucs"]:
                body += m["ucs"].split("'")
        body.append(f"UNT+{len(body) + 1}+1")
        control = _control(digest, n)
        date = (unb["unb_date"] or "000000")[:6]
        segs = [f"UNB+UNOC:3+{_release(receiver)}+{_release(sender)}+{date}:0000+{control}", *body]
        segs.append(f"UNZ+1+{control}")
        name = f"CONTRL-{_safe(sender)}-{_safe(unb['control'])}-{digest[:8]}.edi"
        out.append(
            Acknowledgement(
                name,
                ("UNA:+.? '" + "'\n".join(segs) + "'\n").encode(),
                "CONTRL",
                sender,
                accepted,
                mine.height - accepted,
            )
        )
    return out


def acknowledge(payload: bytes, *, digest: str) -> list[Acknowledgement]:
    """The acknowledgements an inbound file calls for (none for a non-interchange)."""
    syntax = sniff(payload)
    if syntax == "x12":
        return acknowledge_x12(payload, digest=digest)
    if syntax == "edifact":
        return acknowledge_edifact(payload, digest=digest)
    return []
