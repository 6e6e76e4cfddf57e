"""EDIFACT: envelopes (UNB/UNH) and ORDERS messages (directory D96A and later).

The same set-wise approach as X12: segments are assigned to their interchange and
message by cumulative sums, envelope trailers are compared with their headers
(UNT01 = segments in the message, UNT02 = UNH01, UNZ01 = messages, UNZ02 = UNB05), and
ORDERS fields are read with expressions over every message at once. Values read as text
pass through ``Segments.restore`` (release character); numbers accept a decimal comma.
"""

from __future__ import annotations

from dataclasses import dataclass

import polars as pl

from oms_hub.connectors.edi.segments import Segments, component, element, tokenize_edifact
from oms_hub.connectors.edi.shapes import (
    AMOUNT_DTYPE,
    CHARGE,
    ERROR_SCHEMA,
    LINE,
    PAIR,
    PARTY,
    PRICE_DTYPE,
    QTY_DTYPE,
    errors_where,
    fmt,
    parse_ccyymmdd,
)
from oms_hub.connectors.edi.shapes import parse_decimal as _decimal

SERVICE_TAGS = ("UNB", "UNZ", "UNG", "UNE")


@dataclass(frozen=True)
class EdifactAnalysis:
    """Everything read from one EDIFACT payload (see ``X12Analysis``)."""

    segments: Segments
    interchanges: pl.DataFrame
    messages: pl.DataFrame
    documents: pl.DataFrame
    errors: pl.DataFrame


def _supported_version(version: pl.Expr, release: pl.Expr) -> pl.Expr:
    year = release.str.slice(0, 2).cast(pl.Int32, strict=False)
    return (version == "D") & ((year >= 96) | (year < 90))


def analyze_edifact(payload: bytes) -> EdifactAnalysis:
    """Tokenize, check envelopes and read every ORDERS message of a payload."""
    segments = tokenize_edifact(payload)
    comp = segments.separators.component
    r = segments.restore

    def c(n: int, k: int) -> pl.Expr:
        return r(component(n, k, comp))

    tag = pl.col("tag")
    seg = segments.frame.with_columns(
        unb=(tag == "UNB").cum_sum().cast(pl.Int64),
        doc=(tag == "UNH").cum_sum().cast(pl.Int64),
    )
    unt_seen = (tag == "UNT").cast(pl.Int64).cum_sum().over("doc") - (tag == "UNT").cast(pl.Int64)
    seg = seg.with_columns(
        in_msg=(pl.col("doc") > 0) & (unt_seen == 0) & ~tag.is_in(list(SERVICE_TAGS))
    )

    unb = seg.filter(tag == "UNB").select(
        "unb",
        unb_seg="seg",
        sender_id=c(2, 1),
        receiver_id=c(3, 1),
        unb_date=c(4, 1),
        control=r(element(5)),
    )
    unz = (
        seg.filter(tag == "UNZ")
        .group_by("unb")
        .agg(unz_count=pl.len(), unz01=element(1).first(), unz02=r(element(2)).first())
    )
    n_msgs = seg.filter(tag == "UNH").group_by("unb").agg(n_messages=pl.len())
    junk = (
        seg.filter(~pl.col("in_msg") & ~tag.is_in([*SERVICE_TAGS, "UNH", "UNT"]))
        .group_by("unb")
        .agg(junk=pl.len(), junk_tag=pl.col("tag").first(), junk_seg=pl.col("seg").first())
    )
    interchanges = (
        unb.join(unz, on="unb", how="left")
        .join(n_msgs, on="unb", how="left")
        .join(junk, on="unb", how="left")
        .with_columns(pl.col("unz_count", "n_messages", "junk").fill_null(0))
    )
    interchanges = interchanges.with_columns(
        problem=pl.when(pl.col("control").is_null())
        .then(pl.lit("UNB05 interchange control reference is empty"))
        .when(pl.col("sender_id").is_null())
        .then(pl.lit("UNB02 sender identification is empty"))
        .when(pl.col("unz_count") == 0)
        .then(fmt("interchange {} has no UNZ trailer", pl.col("control")))
        .when(pl.col("unz_count") > 1)
        .then(fmt("interchange {} has {} UNZ trailers", pl.col("control"), pl.col("unz_count")))
        .when(pl.col("unz02") != pl.col("control"))
        .then(fmt("UNZ02 {} does not match UNB05 {}", pl.col("unz02"), pl.col("control")))
        .when(pl.col("unz01") != pl.col("n_messages").cast(pl.String))
        .then(
            fmt(
                "UNZ01 says {} messages, the interchange has {}",
                pl.col("unz01"),
                pl.col("n_messages"),
            )
        )
        .when(pl.col("junk") > 0)
        .then(
            fmt(
                "{} segment(s) outside any message (first: {} at segment {})",
                pl.col("junk"),
                pl.col("junk_tag"),
                pl.col("junk_seg"),
            )
        )
    )

    members = seg.filter(pl.col("in_msg") | ((tag == "UNT") & (pl.col("doc") > 0)))
    unt = pl.col("el").filter(tag == "UNT").first()
    head = pl.col("el").first()
    messages = (
        members.group_by("doc")
        .agg(
            unb=pl.col("unb").first(),
            first_seg=pl.col("seg").min(),
            last_seg=pl.col("seg").max(),
            n_segments=pl.len(),
            control=head.list.get(1, null_on_oob=True),
            _type=head.list.get(2, null_on_oob=True),
            unt_count=(tag == "UNT").sum(),
            unt01=unt.list.get(1, null_on_oob=True),
            unt02=unt.list.get(2, null_on_oob=True),
        )
        .with_columns(
            control=r(pl.col("control")),
            unt02=r(pl.col("unt02")),
            message_type=pl.col("_type").str.split(comp).list.get(0, null_on_oob=True),
            _version=pl.col("_type").str.split(comp).list.get(1, null_on_oob=True),
            _release=pl.col("_type").str.split(comp).list.get(2, null_on_oob=True),
        )
        .with_columns(
            syntax_version=pl.concat_str("_version", "_release"),
        )
        .sort("doc")
    )
    flagged = (
        seg.with_columns(_flag=segments.has_card_number)
        .filter(pl.col("_flag") & pl.col("in_msg"))
        .select("doc")
        .unique()
        .with_columns(has_card_number=pl.lit(True))
    )
    messages = (
        messages.join(flagged, on="doc", how="left")
        .with_columns(pl.col("has_card_number").fill_null(False))
        .join(
            interchanges.select(
                "unb",
                "sender_id",
                "receiver_id",
                interchange_control="control",
                interchange_problem="problem",
            ),
            on="unb",
            how="left",
        )
    )
    envelope_errors = pl.concat(
        [
            errors_where(
                messages,
                pl.col("unt_count") == 0,
                code="envelope_error",
                message=fmt("message {} has no UNT trailer", pl.col("control")),
                seg_tag=pl.lit("UNT"),
                ack_code="13",
            ),
            errors_where(
                messages,
                (pl.col("unt_count") > 0) & (pl.col("unt02") != pl.col("control")),
                code="envelope_error",
                message=fmt("UNT02 {} does not match UNH01 {}", pl.col("unt02"), pl.col("control")),
                seg_tag=pl.lit("UNT"),
                seg_pos=pl.col("n_segments"),
                element=2,
                ack_code="12",
            ),
            errors_where(
                messages,
                (pl.col("unt_count") > 0)
                & (pl.col("unt01") != pl.col("n_segments").cast(pl.String)),
                code="envelope_error",
                message=fmt(
                    "UNT01 says {} segments, the message has {}",
                    pl.col("unt01"),
                    pl.col("n_segments"),
                ),
                seg_tag=pl.lit("UNT"),
                seg_pos=pl.col("n_segments"),
                element=1,
                ack_code="12",
            ),
            errors_where(
                messages,
                (pl.col("message_type") != "ORDERS")
                | ~_supported_version(pl.col("_version"), pl.col("_release")).fill_null(False),
                code="unsupported_document",
                message=fmt(
                    "message type '{}' is not read (ORDERS D96A and later are)", pl.col("_type")
                ),
                seg_tag=pl.lit("UNH"),
                seg_pos=pl.lit(1),
                element=2,
                ack_code="12",
            ),
        ]
    )

    body = (
        seg.filter(pl.col("in_msg"))
        .join(messages.select("doc", "first_seg"), on="doc")
        .with_columns(pos=pl.col("seg") - pl.col("first_seg") + 1)
        .with_columns(
            _summary=(tag == "UNS").cum_sum().over("doc") > 0,
            _item=(tag == "LIN").cum_sum().over("doc").cast(pl.Int32),
        )
        .with_columns(item=pl.when(pl.col("_summary")).then(0).otherwise(pl.col("_item")))
    )
    header = body.filter(pl.col("item") == 0)

    def first(frame: pl.DataFrame, t: str, condition: pl.Expr | None = None, **cols: pl.Expr):
        rows = frame.filter(tag == t)
        if condition is not None:
            rows = rows.filter(condition)
        return rows.unique("doc", keep="first", maintain_order=True).select("doc", **cols)

    bgm = first(
        header,
        "BGM",
        bgm_pos="pos",
        _doc_code=c(1, 1),
        document_number=pl.coalesce(c(2, 1), r(element(2))),
        document_purpose=c(3, 1),
    )
    dtm = first(
        header,
        "DTM",
        component(1, 1, comp).is_in(["137", "4"]),
        dtm_pos="pos",
        _date_text=c(1, 2),
        _date_format=c(1, 3),
    )
    cux = first(header, "CUX", currency=c(1, 2))
    cnt = first(body, "CNT", component(1, 1, comp) == "2", cnt_pos="pos", _cnt=c(1, 2))
    moa_total = (
        header.filter((tag == "MOA") & component(1, 1, comp).is_in(["79", "86"]))
        .with_columns(_rank=component(1, 1, comp).replace_strict({"79": 0, "86": 1}, default=2))
        .sort("doc", "_rank")
        .unique("doc", keep="first", maintain_order=True)
        .select("doc", moa_pos="pos", _moa_text=c(1, 2), _moa_code=c(1, 1))
    )
    refs = (
        header.filter(tag == "RFF")
        .select("doc", qualifier=c(1, 1), value=c(1, 2))
        .group_by("doc", maintain_order=True)
        .agg(references=pl.struct("qualifier", "value").cast(PAIR))
    )
    parties = (
        header.filter(tag == "NAD")
        .select(
            "doc",
            role=c(1, 1),
            id_qualifier=c(2, 3),
            party_id=c(2, 1),
            name=pl.coalesce(
                pl.concat_str([c(4, 1), c(4, 2)], separator=" ", ignore_nulls=True), c(3, 1)
            ),
            address=pl.concat_str([c(5, 1), c(5, 2)], separator=", ", ignore_nulls=True),
            city=r(element(6)),
            region=r(element(7)),
            postal_code=r(element(8)),
            country=r(element(9)),
        )
        .with_columns(
            pl.when(pl.col(n).str.len_bytes() > 0).then(pl.col(n)).alias(n)
            for n in ("name", "address")
        )
        .group_by("doc", maintain_order=True)
        .agg(parties=pl.struct(*[f.name for f in PARTY.fields]).cast(PARTY))
    )

    lines_body = body.filter(pl.col("item") > 0)
    lin = lines_body.filter(tag == "LIN").select(
        "doc",
        "item",
        "pos",
        source_line_id=r(element(1)),
        _lin_id=c(3, 1),
        _lin_type=c(3, 2),
    )
    pia = (
        lines_body.filter(tag == "PIA")
        .select("doc", "item", "pos", v=pl.col("el").list.slice(2))
        .explode("v")
        .filter(pl.col("v").str.len_bytes() > 0)
        .select(
            "doc",
            "item",
            "pos",
            value=r(pl.col("v").str.split(comp).list.get(0, null_on_oob=True)),
            qualifier=pl.col("v").str.split(comp).list.get(1, null_on_oob=True),
        )
    )
    ids = (
        pl.concat(
            [
                lin.select("doc", "item", "pos", qualifier="_lin_type", value="_lin_id"),
                pia.select("doc", "item", "pos", "qualifier", "value"),
            ]
        )
        .filter(pl.col("value").is_not_null() & (pl.col("value") != ""))
        .with_columns(pl.col("qualifier").fill_null(""))
        .sort("doc", "item", "pos")
        .group_by("doc", "item", maintain_order=True)
        .agg(item_ids=pl.struct("qualifier", "value").cast(PAIR))
    )
    qty = (
        lines_body.filter((tag == "QTY") & component(1, 1, comp).is_in(["21", "1"]))
        .unique(["doc", "item"], keep="first", maintain_order=True)
        .select("doc", "item", qty_pos="pos", _qty_text=c(1, 2), uom=c(1, 3))
    )
    pri = (
        lines_body.filter((tag == "PRI") & component(1, 1, comp).is_in(["AAA", "AAB", "INF"]))
        .with_columns(_rank=component(1, 1, comp).replace_strict({"AAA": 0, "AAB": 1}, default=2))
        .sort("doc", "item", "_rank")
        .unique(["doc", "item"], keep="first", maintain_order=True)
        .select("doc", "item", pri_pos="pos", _price_text=c(1, 2))
    )
    moa_line = (
        lines_body.filter((tag == "MOA") & (component(1, 1, comp) == "203"))
        .unique(["doc", "item"], keep="first", maintain_order=True)
        .select("doc", "item", moa_line_pos="pos", _line_moa=c(1, 2))
    )
    imd = (
        lines_body.filter(tag == "IMD")
        .group_by("doc", "item", maintain_order=True)
        .agg(description=pl.coalesce(c(3, 4), c(3, 1)).drop_nulls().str.join(" "))
    )
    lines = (
        lin.join(ids, on=["doc", "item"], how="left")
        .join(qty, on=["doc", "item"], how="left")
        .join(pri, on=["doc", "item"], how="left")
        .join(moa_line, on=["doc", "item"], how="left")
        .join(imd, on=["doc", "item"], how="left")
        .with_columns(
            quantity=_decimal(pl.col("_qty_text"), QTY_DTYPE),
            unit_price=_decimal(pl.col("_price_text"), PRICE_DTYPE),
            _stated_amount=_decimal(pl.col("_line_moa"), AMOUNT_DTYPE),
            quantity_qualifier=pl.lit(None, dtype=pl.String),
            line_number=pl.col("item"),
            item_ids=pl.col("item_ids").fill_null(pl.lit([], dtype=pl.List(PAIR))),
        )
        .with_columns(
            line_amount=(pl.col("quantity") * pl.col("unit_price")).round(2).cast(AMOUNT_DTYPE)
        )
    )
    nested = (
        lines.sort("doc", "item")
        .group_by("doc", maintain_order=True)
        .agg(lines=pl.struct(*[f.name for f in LINE.fields]).cast(LINE))
    )
    stats = lines.group_by("doc").agg(_n_items=pl.len(), _amount_total=pl.col("line_amount").sum())
    documents = (
        messages.select("doc")
        .join(bgm, on="doc", how="left")
        .join(dtm, on="doc", how="left")
        .join(cux, on="doc", how="left")
        .join(cnt, on="doc", how="left")
        .join(moa_total, on="doc", how="left")
        .join(refs, on="doc", how="left")
        .join(parties, on="doc", how="left")
        .join(nested, on="doc", how="left")
        .join(stats, on="doc", how="left")
        .with_columns(
            pl.col("_n_items").fill_null(0),
            document_date=parse_ccyymmdd(pl.col("_date_text").str.slice(0, 8)),
            declared_line_count=pl.col("_cnt").cast(pl.Int64, strict=False),
            declared_amount=_decimal(pl.col("_moa_text"), AMOUNT_DTYPE),
            charges=pl.lit(None, dtype=pl.List(CHARGE)),
        )
    )
    is_orders = pl.col("doc").is_in(
        messages.filter(pl.col("message_type") == "ORDERS").get_column("doc").implode()
    )
    content_errors = pl.concat(
        [
            errors_where(
                documents,
                is_orders & pl.col("bgm_pos").is_null(),
                code="missing_segment",
                message=pl.lit("ORDERS has no BGM segment"),
                seg_tag=pl.lit("BGM"),
                seg_pos=pl.lit(2),
                ack_code="13",
            ),
            errors_where(
                documents,
                is_orders & pl.col("bgm_pos").is_not_null() & pl.col("document_number").is_null(),
                code="missing_field",
                message=pl.lit("BGM02 order number is empty"),
                seg_tag=pl.lit("BGM"),
                seg_pos=pl.col("bgm_pos"),
                element=2,
                ack_code="13",
            ),
            errors_where(
                documents,
                is_orders & pl.col("document_date").is_null(),
                code="bad_date",
                message=fmt(
                    "DTM+137 order date '{}' is missing or not CCYYMMDD", pl.col("_date_text")
                ),
                seg_tag=pl.lit("DTM"),
                seg_pos=pl.col("dtm_pos").fill_null(3),
                element=1,
                ack_code="12",
            ),
            errors_where(
                documents,
                is_orders & (pl.col("_n_items") == 0),
                code="missing_segment",
                message=pl.lit("ORDERS has no LIN line"),
                seg_tag=pl.lit("LIN"),
                seg_pos=pl.lit(3),
                ack_code="13",
            ),
            errors_where(
                documents,
                pl.col("cnt_pos").is_not_null()
                & (pl.col("declared_line_count") != pl.col("_n_items")),
                code="count_mismatch",
                message=fmt(
                    "CNT+2 says {} lines, the message has {}", pl.col("_cnt"), pl.col("_n_items")
                ),
                seg_tag=pl.lit("CNT"),
                seg_pos=pl.col("cnt_pos"),
                element=1,
                ack_code="12",
            ),
            errors_where(
                documents,
                pl.col("moa_pos").is_not_null()
                & (
                    pl.col("declared_amount").is_null()
                    | (pl.col("declared_amount") != pl.col("_amount_total"))
                ),
                code="total_mismatch",
                message=fmt(
                    "MOA+{} total '{}' is not the sum of the line amounts {}",
                    pl.col("_moa_code"),
                    pl.col("_moa_text"),
                    pl.col("_amount_total"),
                ),
                seg_tag=pl.lit("MOA"),
                seg_pos=pl.col("moa_pos"),
                element=1,
                ack_code="12",
            ),
            errors_where(
                lines,
                pl.col("quantity").is_null() | (pl.col("quantity") <= 0),
                code="bad_quantity",
                message=fmt(
                    "line {} QTY+21 '{}' is missing or not a positive number",
                    pl.col("item"),
                    pl.col("_qty_text"),
                ),
                seg_tag=pl.lit("QTY"),
                seg_pos=pl.col("qty_pos").fill_null(pl.col("pos")),
                element=1,
                ack_code="12",
            ),
            errors_where(
                lines,
                pl.col("unit_price").is_null(),
                code="bad_price",
                message=fmt(
                    "line {} PRI price '{}' is missing or not a number",
                    pl.col("item"),
                    pl.col("_price_text"),
                ),
                seg_tag=pl.lit("PRI"),
                seg_pos=pl.col("pri_pos").fill_null(pl.col("pos")),
                element=1,
                ack_code="12",
            ),
            errors_where(
                lines,
                pl.col("_line_moa").is_not_null()
                & (
                    pl.col("_stated_amount").is_null()
                    | (pl.col("_stated_amount") != pl.col("line_amount"))
                ),
                code="total_mismatch",
                message=fmt(
                    "line {} MOA+203 '{}' is not quantity x price {}",
                    pl.col("item"),
                    pl.col("_line_moa"),
                    pl.col("line_amount"),
                ),
                seg_tag=pl.lit("MOA"),
                seg_pos=pl.col("moa_line_pos"),
                element=1,
                ack_code="12",
            ),
        ]
    )
    errors = pl.concat([envelope_errors, content_errors]).cast(dict(ERROR_SCHEMA))
    documents = documents.select(
        "doc",
        "document_number",
        "document_purpose",
        "document_date",
        "currency",
        "declared_line_count",
        "declared_amount",
        "parties",
        "references",
        "charges",
        "lines",
    )
    return EdifactAnalysis(segments, interchanges, messages, documents, errors)


__all__ = ["EdifactAnalysis", "analyze_edifact"]
