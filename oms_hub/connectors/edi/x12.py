"""X12: envelopes (ISA/GS/ST), 850 purchase orders, 846 inventory advice, 945 shipping advice.

``analyze_x12`` reads a whole payload set-wise: every segment gets the interchange,
group and transaction set it belongs to by cumulative sums over the segment tags, the
envelope checks are joins and comparisons between header and trailer rows, and the
850/846/945 fields are read with list/str expressions over all sets at once. The result
feeds both the staged documents and the 997 acknowledgements, so what is rejected and
what is acknowledged as rejected are the same decision.

Envelope checks (each failure names the numbers): ISA13 = IEA02, IEA01 = number of
groups, GS06 = GE02, GE01 = number of sets, ST02 = SE02, SE01 = number of segments in
the set, every header has its trailer, no segment outside a set.
"""

from __future__ import annotations

from dataclasses import dataclass

import polars as pl

from oms_hub.connectors.edi.segments import Segments, component, element, tokenize_x12
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
    no_errors,
    parse_ccyymmdd,
    parse_decimal,
)

ENVELOPE_TAGS = ("ISA", "IEA", "GS", "GE")
SUPPORTED_SETS = ("850", "846", "945")


@dataclass(frozen=True)
class X12Analysis:
    """Everything read from one X12 payload.

    ``sets``: one row per transaction set (``doc`` id, envelope numbers, position).
    ``groups`` / ``interchanges``: one row per GS / ISA with their failure, if any.
    ``documents``: the 850/846/945 fields per set (joined to ``sets`` by ``doc``).
    ``errors``: set-level problems (``ERROR_SCHEMA``), envelope and content alike.
    """

    segments: Segments
    interchanges: pl.DataFrame
    groups: pl.DataFrame
    sets: pl.DataFrame
    documents: pl.DataFrame
    errors: pl.DataFrame


def _positions(frame: pl.DataFrame) -> pl.DataFrame:
    tag = pl.col("tag")
    placed = frame.with_columns(
        isa=(tag == "ISA").cum_sum().cast(pl.Int64),
        gs=(tag == "GS").cum_sum().cast(pl.Int64),
        doc=(tag == "ST").cum_sum().cast(pl.Int64),
    )
    se_seen = (tag == "SE").cast(pl.Int64).cum_sum().over("doc") - (tag == "SE").cast(pl.Int64)
    return placed.with_columns(
        in_set=(pl.col("doc") > 0) & (se_seen == 0) & ~tag.is_in(list(ENVELOPE_TAGS))
    )


def _interchanges(seg: pl.DataFrame) -> pl.DataFrame:
    isa = seg.filter(pl.col("tag") == "ISA").select(
        "isa",
        isa_seg="seg",
        n_elements=pl.col("el").list.len(),
        sender_qualifier=element(5).str.strip_chars(),
        sender_id=element(6).str.strip_chars(),
        receiver_qualifier=element(7).str.strip_chars(),
        receiver_id=element(8).str.strip_chars(),
        isa_date=element(9),
        isa_time=element(10),
        isa_version=element(12),
        control=element(13).str.strip_chars(),
    )
    iea = (
        seg.filter(pl.col("tag") == "IEA")
        .group_by("isa")
        .agg(
            iea_count=pl.len(),
            iea01=element(1).first().str.strip_chars(),
            iea02=element(2).first().str.strip_chars(),
        )
    )
    groups = seg.filter(pl.col("tag") == "GS").group_by("isa").agg(n_groups=pl.len())
    junk = (
        seg.filter(~pl.col("in_set") & ~pl.col("tag").is_in([*ENVELOPE_TAGS, "ST", "SE"]))
        .group_by("isa")
        .agg(junk=pl.len(), junk_tag=pl.col("tag").first(), junk_seg=pl.col("seg").first())
    )
    out = (
        isa.join(iea, on="isa", how="left")
        .join(groups, on="isa", how="left")
        .join(junk, on="isa", how="left")
        .with_columns(pl.col("n_groups", "junk", "iea_count").fill_null(0))
    )
    problem = (
        pl.when(pl.col("n_elements") != 17)
        .then(fmt("ISA has {} elements, expected 16", pl.col("n_elements") - 1))
        .when(pl.col("control").is_null() | ~pl.col("control").str.contains(r"^\d{1,9}$"))
        .then(fmt("ISA13 control number '{}' is not numeric", pl.col("control")))
        .when(pl.col("sender_id").is_null())
        .then(pl.lit("ISA06 sender id is empty"))
        .when(pl.col("iea_count") == 0)
        .then(fmt("interchange {} has no IEA trailer", pl.col("control")))
        .when(pl.col("iea_count") > 1)
        .then(fmt("interchange {} has {} IEA trailers", pl.col("control"), pl.col("iea_count")))
        .when(pl.col("iea02") != pl.col("control"))
        .then(fmt("IEA02 {} does not match ISA13 {}", pl.col("iea02"), pl.col("control")))
        .when(pl.col("iea01") != pl.col("n_groups").cast(pl.String))
        .then(
            fmt("IEA01 says {} groups, the interchange has {}", pl.col("iea01"), pl.col("n_groups"))
        )
        .when(pl.col("junk") > 0)
        .then(
            fmt(
                "{} segment(s) outside any transaction set (first: {} at segment {})",
                pl.col("junk"),
                pl.col("junk_tag"),
                pl.col("junk_seg"),
            )
        )
    )
    return out.with_columns(problem=problem)


def _groups(seg: pl.DataFrame) -> pl.DataFrame:
    gs = seg.filter(pl.col("tag") == "GS").select(
        "gs",
        "isa",
        gs_seg="seg",
        functional_id=element(1),
        app_sender=element(2),
        app_receiver=element(3),
        gs_date=element(4),
        gs_time=element(5),
        control=element(6),
        version=element(8),
    )
    ge = (
        seg.filter(pl.col("tag") == "GE")
        .group_by("gs")
        .agg(ge_count=pl.len(), ge01=element(1).first(), ge02=element(2).first())
    )
    sets = seg.filter(pl.col("tag") == "ST").group_by("gs").agg(n_sets=pl.len())
    out = (
        gs.join(ge, on="gs", how="left")
        .join(sets, on="gs", how="left")
        .with_columns(pl.col("n_sets", "ge_count").fill_null(0))
    )
    problem_code = (
        pl.when(pl.col("ge_count") != 1)
        .then(pl.lit("3"))
        .when(pl.col("ge02") != pl.col("control"))
        .then(pl.lit("4"))
        .when(pl.col("ge01") != pl.col("n_sets").cast(pl.String))
        .then(pl.lit("5"))
    )
    problem = (
        pl.when(pl.col("ge_count") == 0)
        .then(fmt("group {} has no GE trailer", pl.col("control")))
        .when(pl.col("ge_count") > 1)
        .then(fmt("group {} has {} GE trailers", pl.col("control"), pl.col("ge_count")))
        .when(pl.col("ge02") != pl.col("control"))
        .then(fmt("GE02 {} does not match GS06 {}", pl.col("ge02"), pl.col("control")))
        .when(pl.col("ge01") != pl.col("n_sets").cast(pl.String))
        .then(fmt("GE01 says {} sets, the group has {}", pl.col("ge01"), pl.col("n_sets")))
    )
    return out.with_columns(problem=problem, problem_code=problem_code)


def _sets(seg: pl.DataFrame) -> tuple[pl.DataFrame, pl.DataFrame]:
    members = seg.filter(pl.col("in_set") | ((pl.col("tag") == "SE") & (pl.col("doc") > 0)))
    sets = (
        members.group_by("doc")
        .agg(
            isa=pl.col("isa").first(),
            gs=pl.col("gs").first(),
            first_seg=pl.col("seg").min(),
            last_seg=pl.col("seg").max(),
            n_segments=pl.len(),
            set_type=pl.col("el").first().list.get(1, null_on_oob=True),
            control=pl.col("el").first().list.get(2, null_on_oob=True),
            se_count=(pl.col("tag") == "SE").sum(),
            se01=pl.col("el").filter(pl.col("tag") == "SE").first().list.get(1, null_on_oob=True),
            se02=pl.col("el").filter(pl.col("tag") == "SE").first().list.get(2, null_on_oob=True),
        )
        .sort("doc")
    )
    errors = pl.concat(
        [
            errors_where(
                sets,
                pl.col("se_count") == 0,
                code="envelope_error",
                message=fmt("transaction set {} has no SE trailer", pl.col("control")),
                ack_code="2",
            ),
            errors_where(
                sets,
                (pl.col("se_count") > 0) & (pl.col("se02") != pl.col("control")),
                code="envelope_error",
                message=fmt("SE02 {} does not match ST02 {}", pl.col("se02"), pl.col("control")),
                ack_code="3",
            ),
            errors_where(
                sets,
                (pl.col("se_count") > 0) & (pl.col("se01") != pl.col("n_segments").cast(pl.String)),
                code="envelope_error",
                message=fmt(
                    "SE01 says {} segments, the set has {}", pl.col("se01"), pl.col("n_segments")
                ),
                ack_code="4",
            ),
            errors_where(
                sets,
                ~pl.col("set_type").is_in(list(SUPPORTED_SETS)),
                code="unsupported_document",
                message=fmt(
                    "transaction set type '{}' is not read (850, 846 and 945 are)",
                    pl.col("set_type"),
                ),
                ack_code="1",
            ),
        ]
    )
    return sets, errors


def _pairs(frame: pl.DataFrame, key: str, start: int) -> pl.DataFrame:
    """Qualifier/value pairs from element ``start`` on (PO106/PO107, LIN02/LIN03 ...)."""
    long = (
        frame.select(key, "doc", v=pl.col("el").list.slice(start))
        .with_columns(i=pl.int_ranges(pl.col("v").list.len()))
        .explode("v", "i")
        .filter(pl.col("v").is_not_null())
    )
    quals = long.filter(pl.col("i") % 2 == 0).select(key, "doc", "i", qualifier="v")
    values = long.filter(pl.col("i") % 2 == 1).select(key, "doc", i=pl.col("i") - 1, value="v")
    return (
        quals.join(values, on=[key, "doc", "i"], how="left")
        .filter((pl.col("qualifier") != "") & (pl.col("value").fill_null("") != ""))
        .sort(key, "i")
        .group_by(key, "doc", maintain_order=True)
        .agg(item_ids=pl.struct("qualifier", "value").cast(PAIR))
    )


def _first(seg: pl.DataFrame, tag: str, **columns: pl.Expr) -> pl.DataFrame:
    return (
        seg.filter(pl.col("tag") == tag)
        .unique("doc", keep="first", maintain_order=True)
        .select("doc", **columns)
    )


def _parties(seg: pl.DataFrame, comp: str) -> pl.DataFrame:
    header = seg.filter(pl.col("n1") > 0)
    n1 = header.filter(pl.col("tag") == "N1").select(
        "doc",
        "n1",
        role=element(1),
        name=element(2),
        id_qualifier=element(3),
        party_id=element(4),
    )
    extra = header.group_by("doc", "n1").agg(
        name2=element(1).filter(pl.col("tag") == "N2").first(),
        address=pl.concat_str([element(1), element(2)], separator=", ", ignore_nulls=True)
        .filter(pl.col("tag") == "N3")
        .first(),
        city=element(1).filter(pl.col("tag") == "N4").first(),
        region=element(2).filter(pl.col("tag") == "N4").first(),
        postal_code=element(3).filter(pl.col("tag") == "N4").first(),
        country=element(4).filter(pl.col("tag") == "N4").first(),
    )
    return (
        n1.join(extra, on=["doc", "n1"], how="left")
        .with_columns(name=pl.concat_str(["name", "name2"], separator=" ", ignore_nulls=True))
        .sort("doc", "n1")
        .group_by("doc", maintain_order=True)
        .agg(parties=pl.struct(*[f.name for f in PARTY.fields]).cast(PARTY))
    )


def _documents(
    seg: pl.DataFrame, sets: pl.DataFrame, comp: str
) -> tuple[pl.DataFrame, pl.DataFrame]:
    body = (
        seg.filter(pl.col("in_set"))
        .join(sets.select("doc", "first_seg", "set_type"), on="doc")
        .with_columns(pos=pl.col("seg") - pl.col("first_seg") + 1)
        .with_columns(
            item=pl.col("tag").is_in(["PO1", "LIN", "W12"]).cum_sum().over("doc").cast(pl.Int32),
        )
        .with_columns(
            n1=pl.when(pl.col("item") == 0)
            .then((pl.col("tag") == "N1").cum_sum().over("doc"))
            .otherwise(0)
        )
    )
    header = body.filter(pl.col("item") == 0)

    beg = _first(
        header,
        "BEG",
        beg_pos="pos",
        document_purpose=element(1),
        document_number=element(3),
        _date_text=element(5),
    )
    bia = _first(header, "BIA", bia_pos="pos", _bia_number=element(3), _bia_date=element(4))
    # 945: W06 depositor order number (our order id), ship date, shipment id, buyer's PO.
    w06 = _first(
        header,
        "W06",
        w06_pos="pos",
        _w06_order=element(2),
        _w06_date=element(3),
        _w06_shipment=element(4),
        _w06_po=element(6),
    )
    g62 = (
        header.filter((pl.col("tag") == "G62") & element(1).is_in(["11", "10"]))
        .unique("doc", keep="first", maintain_order=True)
        .select("doc", _ship_date=element(2), _ship_time=element(4))
    )
    w03 = _first(body, "W03", w03_pos="pos", _w03_units=element(1))
    w27 = _first(body, "W27", _w27_carrier=pl.coalesce(element(3), element(2)))
    cur = _first(header, "CUR", currency=element(2))
    td5 = _first(body, "TD5", _td5_carrier=pl.coalesce(element(5), element(3)))
    ctt = _first(
        body,
        "CTT",
        ctt_pos="pos",
        _ctt01=element(1),
        _ctt02=element(2),
    )
    dtm = (
        header.filter(pl.col("tag") == "DTM")
        .select("doc", q=element(1), d=element(2), t=element(3))
        .group_by("doc", maintain_order=True)
        .agg(
            _advice_date=pl.col("d").filter(pl.col("q").is_in(["405", "007", "097"])).first(),
            _advice_time=pl.col("t").filter(pl.col("q").is_in(["405", "007", "097"])).first(),
            _dtm_date=pl.col("d").first(),
            _dtm_time=pl.col("t").first(),
        )
    )
    refs = (
        header.filter(pl.col("tag") == "REF")
        .select("doc", qualifier=element(1), value=pl.coalesce(element(2), element(3)))
        .group_by("doc", maintain_order=True)
        .agg(references=pl.struct("qualifier", "value").cast(PAIR))
    )
    sac = body.filter(pl.col("tag") == "SAC").select(
        "doc",
        "pos",
        indicator=element(1),
        code=element(2),
        _amount_text=element(5),
        line=pl.col("item"),
    )
    # SAC05 is an N2 field: implied two decimals ("1500" is 15.00).
    sac = sac.with_columns(
        amount=pl.when(pl.col("_amount_text").str.contains(r"^-?\d{1,16}$"))
        .then(pl.col("_amount_text").cast(pl.Decimal(18, 0), strict=False).cast(AMOUNT_DTYPE) / 100)
        .cast(AMOUNT_DTYPE)
    )
    charges = (
        sac.filter(pl.col("amount").is_not_null())
        .group_by("doc", maintain_order=True)
        .agg(charges=pl.struct("indicator", "code", "amount", "line").cast(CHARGE))
    )
    parties = _parties(body, comp)
    warehouse = (
        header.filter((pl.col("tag") == "N1") & element(1).is_in(["WH", "SF", "SN", "ST", "RL"]))
        .with_columns(
            # 945: SF (ship-from) is the warehouse; its N1*ST is the buyer's store.
            _wh_rank=element(1).replace_strict(
                {"WH": 0, "SF": 1, "SN": 2, "RL": 3, "ST": 4}, default=9
            )
        )
        .sort("doc", "_wh_rank")
        .unique("doc", keep="first", maintain_order=True)
        .select("doc", warehouse_id=pl.coalesce(element(4), element(2)))
    )

    # Lines: PO1 (850) or LIN + QTY (846), with their PID description.
    po1 = body.filter(pl.col("tag") == "PO1").select(
        "doc",
        "item",
        "pos",
        source_line_id=element(1),
        _qty_text=element(2),
        uom=element(3),
        _price_text=element(4),
        el="el",
    )
    po1_ids = _pairs(po1.select("item", "doc", "el"), "item", 6)
    lin = body.filter(pl.col("tag") == "LIN").select(
        "doc", "item", "pos", source_line_id=element(1), el="el"
    )
    lin_ids = _pairs(lin.select("item", "doc", "el"), "item", 2)
    qty = body.filter((pl.col("tag") == "QTY") & (pl.col("item") > 0)).select(
        "doc",
        "item",
        qty_pos="pos",
        quantity_qualifier=element(1),
        _qty_text=element(2),
        uom=component(3, 1, comp),
    )
    # 945 W12: 02 ordered, 03 shipped, 05 unit, 06 UPC, 07/08 a qualified item id.
    w12 = body.filter(pl.col("tag") == "W12").select(
        "doc",
        "item",
        "pos",
        source_line_id=pl.col("item").cast(pl.String),
        quantity_qualifier=element(1),
        _qty_text=element(3),
        uom=element(5),
        _upc=element(6),
        _q7=element(7),
        _v8=element(8),
    )
    w12_ids = w12.select(
        "doc",
        "item",
        pairs=pl.concat_list(
            pl.when(pl.col("_upc").is_not_null()).then(
                pl.struct(qualifier=pl.lit("UP"), value=pl.col("_upc"))
            ),
            pl.when(pl.col("_q7").is_not_null() & pl.col("_v8").is_not_null()).then(
                pl.struct(qualifier=pl.col("_q7"), value=pl.col("_v8"))
            ),
        ).list.drop_nulls(),
    ).select("doc", "item", item_ids=pl.col("pairs").cast(pl.List(PAIR)))
    pid = (
        body.filter((pl.col("tag") == "PID") & (pl.col("item") > 0))
        .group_by("doc", "item", maintain_order=True)
        .agg(description=element(5).drop_nulls().str.join(" "))
    )
    lines_850 = (
        po1.join(po1_ids, on=["item", "doc"], how="left")
        .join(pid, on=["doc", "item"], how="left")
        .with_columns(
            quantity=parse_decimal(pl.col("_qty_text"), QTY_DTYPE),
            unit_price=parse_decimal(pl.col("_price_text"), PRICE_DTYPE),
            quantity_qualifier=pl.lit(None, dtype=pl.String),
        )
        .with_columns(
            line_amount=(pl.col("quantity") * pl.col("unit_price")).round(2).cast(AMOUNT_DTYPE)
        )
    )
    lines_846 = (
        lin.join(lin_ids, on=["item", "doc"], how="left")
        .join(pid, on=["doc", "item"], how="left")
        .join(qty, on=["doc", "item"], how="left")
        .with_columns(
            quantity=parse_decimal(pl.col("_qty_text"), QTY_DTYPE),
            unit_price=pl.lit(None, dtype=PRICE_DTYPE),
            line_amount=pl.lit(None, dtype=AMOUNT_DTYPE),
        )
    )
    lines_945 = w12.join(w12_ids, on=["doc", "item"], how="left").with_columns(
        quantity=parse_decimal(pl.col("_qty_text"), QTY_DTYPE),
        unit_price=pl.lit(None, dtype=PRICE_DTYPE),
        line_amount=pl.lit(None, dtype=AMOUNT_DTYPE),
        description=pl.lit(None, dtype=pl.String),
    )
    line_cols = [n for n in [f.name for f in LINE.fields] if n != "line_number"]
    all_lines = pl.concat(
        [
            lines_850.select("doc", "item", "pos", "_qty_text", "_price_text", *line_cols),
            lines_846.select(
                "doc",
                "item",
                "_qty_text",
                *line_cols,
                pos=pl.coalesce("qty_pos", "pos"),
                _price_text=pl.lit(None, dtype=pl.String),
            ),
            lines_945.select(
                "doc",
                "item",
                "pos",
                "_qty_text",
                *line_cols,
                _price_text=pl.lit(None, dtype=pl.String),
            ),
        ],
        how="diagonal_relaxed",
    ).with_columns(
        line_number=pl.col("item"),
        item_ids=pl.col("item_ids").fill_null(pl.lit([], dtype=pl.List(PAIR))),
    )
    lines = (
        all_lines.sort("doc", "item", "pos")
        .group_by("doc", maintain_order=True)
        .agg(lines=pl.struct(*[f.name for f in LINE.fields]).cast(LINE))
    )
    stats = all_lines.group_by("doc").agg(
        _n_items=pl.col("item").n_unique(), _qty_total=pl.col("quantity").sum()
    )

    docs = (
        sets.select("doc", "set_type")
        .join(beg, on="doc", how="left")
        .join(bia, on="doc", how="left")
        .join(w06, on="doc", how="left")
        .join(g62, on="doc", how="left")
        .join(w03, on="doc", how="left")
        .join(w27, on="doc", how="left")
        .join(cur, on="doc", how="left")
        .join(td5, on="doc", how="left")
        .join(ctt, on="doc", how="left")
        .join(dtm, on="doc", how="left")
        .join(refs, on="doc", how="left")
        .join(charges, on="doc", how="left")
        .join(parties, on="doc", how="left")
        .join(warehouse, on="doc", how="left")
        .join(lines, on="doc", how="left")
        .join(stats, on="doc", how="left")
        .with_columns(
            pl.col("_n_items").fill_null(0),
            document_number=pl.coalesce("document_number", "_bia_number", "_w06_order"),
            document_date=pl.when(pl.col("set_type") == "850")
            .then(parse_ccyymmdd(pl.col("_date_text")))
            .when(pl.col("set_type") == "945")
            .then(parse_ccyymmdd(pl.coalesce("_ship_date", "_w06_date")))
            .otherwise(parse_ccyymmdd(pl.coalesce("_advice_date", "_bia_date", "_dtm_date"))),
            _time_text=pl.when(pl.col("set_type") == "846")
            .then(pl.coalesce("_advice_time", "_dtm_time"))
            .when(pl.col("set_type") == "945")
            .then(pl.col("_ship_time")),
            carrier=pl.coalesce("_td5_carrier", "_w27_carrier"),
            # 945: the shipment id (SI) and the buyer's PO (PO) travel as references.
            references=pl.when(pl.col("set_type") == "945")
            .then(
                pl.concat_list(
                    pl.col("references").fill_null(pl.lit([], dtype=pl.List(PAIR))),
                    pl.when(pl.col("_w06_shipment").is_not_null())
                    .then(pl.struct(qualifier=pl.lit("SI"), value=pl.col("_w06_shipment")))
                    .cast(PAIR),
                    pl.when(pl.col("_w06_po").is_not_null())
                    .then(pl.struct(qualifier=pl.lit("PO"), value=pl.col("_w06_po")))
                    .cast(PAIR),
                ).list.drop_nulls()
            )
            .otherwise(pl.col("references")),
            declared_line_count=pl.col("_ctt01").cast(pl.Int64, strict=False),
            declared_quantity_total=pl.when(pl.col("set_type") == "945")
            .then(parse_decimal(pl.col("_w03_units"), QTY_DTYPE))
            .otherwise(parse_decimal(pl.col("_ctt02"), QTY_DTYPE)),
            declared_amount=pl.lit(None, dtype=AMOUNT_DTYPE),
        )
    )
    return docs, _content_errors(docs, all_lines, sac)


def _content_errors(docs: pl.DataFrame, lines: pl.DataFrame, sac: pl.DataFrame) -> pl.DataFrame:
    is850 = pl.col("set_type") == "850"
    is846 = pl.col("set_type") == "846"
    is945 = pl.col("set_type") == "945"
    lines = lines.join(docs.select("doc", "set_type"), on="doc")
    return pl.concat(
        [
            errors_where(
                docs,
                is850 & pl.col("beg_pos").is_null(),
                code="missing_segment",
                message=pl.lit("850 has no BEG segment"),
                seg_tag=pl.lit("BEG"),
                seg_pos=pl.lit(2),
                ack_code="3",
            ),
            errors_where(
                docs,
                is850 & pl.col("beg_pos").is_not_null() & pl.col("document_number").is_null(),
                code="missing_field",
                message=pl.lit("BEG03 purchase order number is empty"),
                seg_tag=pl.lit("BEG"),
                seg_pos=pl.col("beg_pos"),
                element=3,
                ack_code="1",
            ),
            errors_where(
                docs,
                is850 & pl.col("beg_pos").is_not_null() & pl.col("document_date").is_null(),
                code="bad_date",
                message=fmt("BEG05 '{}' is not a CCYYMMDD date", pl.col("_date_text")),
                seg_tag=pl.lit("BEG"),
                seg_pos=pl.col("beg_pos"),
                element=5,
                ack_code="8",
            ),
            errors_where(
                docs,
                is846 & pl.col("document_date").is_null(),
                code="bad_date",
                message=pl.lit("846 has no readable advice date (DTM*405, BIA04)"),
                seg_tag=pl.lit("DTM"),
                seg_pos=pl.lit(2),
                ack_code="3",
            ),
            errors_where(
                docs,
                is945 & pl.col("w06_pos").is_null(),
                code="missing_segment",
                message=pl.lit("945 has no W06 segment"),
                seg_tag=pl.lit("W06"),
                seg_pos=pl.lit(2),
                ack_code="3",
            ),
            errors_where(
                docs,
                is945 & pl.col("w06_pos").is_not_null() & pl.col("_w06_order").is_null(),
                code="missing_field",
                message=pl.lit("W06-02 depositor order number is empty"),
                seg_tag=pl.lit("W06"),
                seg_pos=pl.col("w06_pos"),
                element=2,
                ack_code="1",
            ),
            errors_where(
                docs,
                is945 & pl.col("w06_pos").is_not_null() & pl.col("_w06_shipment").is_null(),
                code="missing_field",
                message=pl.lit("W06-04 shipment identification number is empty"),
                seg_tag=pl.lit("W06"),
                seg_pos=pl.col("w06_pos"),
                element=4,
                ack_code="1",
            ),
            errors_where(
                docs,
                is945 & pl.col("w06_pos").is_not_null() & pl.col("document_date").is_null(),
                code="bad_date",
                message=fmt(
                    "945 ship date (G62*11 or W06-03) '{}' is not a CCYYMMDD date",
                    pl.coalesce("_ship_date", "_w06_date"),
                ),
                seg_tag=pl.lit("W06"),
                seg_pos=pl.col("w06_pos"),
                element=3,
                ack_code="8",
            ),
            errors_where(
                docs,
                is945 & (pl.col("_n_items") == 0),
                code="missing_segment",
                message=pl.lit("945 has no W12 line"),
                seg_tag=pl.lit("W12"),
                seg_pos=pl.lit(3),
                ack_code="3",
            ),
            errors_where(
                docs,
                is945
                & pl.col("w03_pos").is_not_null()
                & (
                    pl.col("declared_quantity_total").is_null()
                    | (pl.col("declared_quantity_total") != pl.col("_qty_total"))
                ),
                code="count_mismatch",
                message=fmt(
                    "W03-01 says {} units shipped, the W12 lines ship {}",
                    pl.col("_w03_units"),
                    pl.col("_qty_total"),
                ),
                seg_tag=pl.lit("W03"),
                seg_pos=pl.col("w03_pos"),
                element=1,
                ack_code="7",
            ),
            errors_where(
                docs,
                is850 & (pl.col("_n_items") == 0),
                code="missing_segment",
                message=pl.lit("850 has no PO1 line"),
                seg_tag=pl.lit("PO1"),
                seg_pos=pl.lit(3),
                ack_code="3",
            ),
            errors_where(
                docs,
                is846 & (pl.col("_n_items") == 0),
                code="missing_segment",
                message=pl.lit("846 has no LIN item"),
                seg_tag=pl.lit("LIN"),
                seg_pos=pl.lit(3),
                ack_code="3",
            ),
            errors_where(
                docs,
                pl.col("ctt_pos").is_not_null()
                & (pl.col("declared_line_count") != pl.col("_n_items")),
                code="count_mismatch",
                message=fmt(
                    "CTT01 says {} lines, the set has {}", pl.col("_ctt01"), pl.col("_n_items")
                ),
                seg_tag=pl.lit("CTT"),
                seg_pos=pl.col("ctt_pos"),
                element=1,
                ack_code="7",
            ),
            errors_where(
                docs,
                is850
                & pl.col("declared_quantity_total").is_not_null()
                & (pl.col("declared_quantity_total") != pl.col("_qty_total")),
                code="count_mismatch",
                message=fmt(
                    "CTT02 hash total {} is not the sum of PO102 quantities {}",
                    pl.col("_ctt02"),
                    pl.col("_qty_total"),
                ),
                seg_tag=pl.lit("CTT"),
                seg_pos=pl.col("ctt_pos"),
                element=2,
                ack_code="7",
            ),
            errors_where(
                lines,
                (pl.col("set_type") != "945")
                & (
                    pl.col("quantity").is_null()
                    | (pl.col("quantity") < 0)
                    | ((pl.col("set_type") == "850") & (pl.col("quantity") == 0))
                ),
                code="bad_quantity",
                message=fmt(
                    "line {} quantity '{}' is not a valid quantity",
                    pl.col("item"),
                    pl.col("_qty_text"),
                ),
                seg_tag=pl.when(pl.col("set_type") == "850")
                .then(pl.lit("PO1"))
                .otherwise(pl.lit("QTY")),
                seg_pos=pl.col("pos"),
                element=2,
                ack_code="6",
            ),
            errors_where(
                lines,
                (pl.col("set_type") == "945")
                & (pl.col("quantity").is_null() | (pl.col("quantity") < 0)),
                code="bad_quantity",
                message=fmt(
                    "W12 line {} units shipped '{}' is not a valid quantity",
                    pl.col("item"),
                    pl.col("_qty_text"),
                ),
                seg_tag=pl.lit("W12"),
                seg_pos=pl.col("pos"),
                element=3,
                ack_code="6",
            ),
            errors_where(
                lines,
                (pl.col("set_type") == "945") & pl.col("item_ids").list.len().eq(0),
                code="missing_field",
                message=fmt("W12 line {} names no item (W12-06 UPC or W12-07/08)", pl.col("item")),
                seg_tag=pl.lit("W12"),
                seg_pos=pl.col("pos"),
                element=6,
                ack_code="1",
            ),
            errors_where(
                lines,
                (pl.col("set_type") == "850") & pl.col("unit_price").is_null(),
                code="bad_price",
                message=fmt(
                    "line {} unit price PO104 '{}' is not a number",
                    pl.col("item"),
                    pl.col("_price_text"),
                ),
                seg_tag=pl.lit("PO1"),
                seg_pos=pl.col("pos"),
                element=4,
                ack_code="6",
            ),
            errors_where(
                sac,
                pl.col("amount").is_null() & pl.col("_amount_text").is_not_null(),
                code="bad_money",
                message=fmt("SAC05 '{}' is not an amount", pl.col("_amount_text")),
                seg_tag=pl.lit("SAC"),
                seg_pos=pl.col("pos"),
                element=5,
                ack_code="6",
            ),
        ]
    )


def analyze_x12(payload: bytes) -> X12Analysis:
    """Tokenize, check envelopes and read every 850/846/945 set of a payload.

    Raises ``EdiSyntaxError`` only when the ISA separators cannot be read at all.
    """
    segments = tokenize_x12(payload)
    comp = segments.separators.component
    seg = _positions(segments.frame)
    interchanges = _interchanges(seg)
    groups = _groups(seg)
    sets, envelope_errors = _sets(seg)
    flagged = (
        seg.with_columns(_flag=segments.has_card_number)
        .filter(pl.col("_flag") & pl.col("in_set"))
        .select("doc")
        .unique()
        .with_columns(has_card_number=pl.lit(True))
    )
    sets = (
        sets.join(flagged, on="doc", how="left")
        .with_columns(pl.col("has_card_number").fill_null(False))
        .join(
            interchanges.select(
                "isa",
                "sender_id",
                "receiver_id",
                interchange_control="control",
                interchange_problem="problem",
            ),
            on="isa",
            how="left",
        )
        .join(
            groups.select(
                "gs",
                group_control="control",
                syntax_version="version",
                functional_id="functional_id",
                gs_date="gs_date",
                gs_time="gs_time",
                group_problem="problem",
            ),
            on="gs",
            how="left",
        )
    )
    documents, content_errors = _documents(seg, sets, comp)
    errors = pl.concat([envelope_errors, content_errors]).cast(dict(ERROR_SCHEMA))
    return X12Analysis(segments, interchanges, groups, sets, documents, errors)


__all__ = ["SUPPORTED_SETS", "X12Analysis", "analyze_x12", "no_errors"]
