"""Parse a landed EDI file (X12 or EDIFACT) into staged documents and rejects.

One record per transaction set (X12) or message (EDIFACT); an interchange with no
readable set, or a file that is not an interchange at all, is one rejected record.
A set is rejected when its interchange or group envelope is broken, or when its own
envelope or content is: the reason names the numbers that disagree. A re-sent
interchange (same sender and control number) carries the same ``version_key`` as the
first one, so it is loaded once and the older copy counted as superseded.
"""

from __future__ import annotations

import polars as pl

from oms_hub.connectors.common.result import ParseResult, quarantine_rows
from oms_hub.connectors.edi.edifact import EdifactAnalysis, analyze_edifact
from oms_hub.connectors.edi.segments import EdiSyntaxError, Segments, sniff
from oms_hub.connectors.edi.shapes import STAGED_SCHEMA, fmt
from oms_hub.connectors.edi.x12 import X12Analysis, analyze_x12

SOURCE = "edi"


def _reasons(errors: pl.DataFrame) -> pl.DataFrame:
    return errors.group_by("doc").agg(
        _code=pl.col("error_code").first(), _error=pl.col("error").str.join("; ")
    )


def _excerpts(segments: Segments, docs: pl.DataFrame) -> pl.DataFrame:
    """The first segments of each listed doc, re-joined with the file's separators."""
    seps = segments.separators
    starts = docs.select("doc", seg="first_seg").sort("seg")
    return (
        segments.frame.sort("seg")
        .with_columns(s=pl.col("el").list.join(seps.element))
        .join_asof(starts, on="seg", strategy="backward")
        .join(docs.select("doc", "last_seg"), on="doc")
        .filter(pl.col("seg") <= pl.col("last_seg"))
        .group_by("doc")
        .agg(excerpt=segments.restore(pl.col("s").sort_by("seg").head(8).str.join(seps.segment)))
    )


def _finish(staged: pl.DataFrame, rejected: pl.DataFrame, *, landed_file: str) -> ParseResult:
    if staged.is_empty() and rejected.is_empty():
        rejected = pl.DataFrame(
            {
                "locator": ["file"],
                "error_code": ["not_an_interchange"],
                "error": ["no interchange header (ISA / UNB) was found"],
                "excerpt": [None],
            },
            schema_overrides={"excerpt": pl.String},
        )
    flagged = staged.filter(pl.col("has_card_number")).select(
        "locator",
        error_code=pl.lit("card_number_masked"),
        error=pl.lit("a card number was found in a text field and masked before loading"),
        excerpt=pl.col("document_number"),
    )
    quarantine = pl.concat(
        [
            quarantine_rows(rejected, source=SOURCE, landed_file=landed_file, stage="parse"),
            quarantine_rows(
                flagged, source=SOURCE, landed_file=landed_file, stage="parse", action="flagged"
            ),
        ]
    )
    return ParseResult(
        staged=staged, quarantine=quarantine, records=staged.height + rejected.height
    )


def _unreadable(landed_file: str, message: str, excerpt: str) -> ParseResult:
    frame = pl.DataFrame(
        {
            "locator": ["file"],
            "error_code": ["not_an_interchange"],
            "error": [message],
            "excerpt": [excerpt],
        }
    )
    return ParseResult(
        staged=pl.DataFrame(schema=STAGED_SCHEMA),
        quarantine=quarantine_rows(frame, source=SOURCE, landed_file=landed_file, stage="parse"),
        records=1,
    )


def _x12_result(a: X12Analysis, landed_file: str) -> ParseResult:
    sets = a.sets.join(a.documents.drop("set_type"), on="doc", how="left")
    reasons = _reasons(a.errors)
    sets = sets.join(reasons, on="doc", how="left").with_columns(
        locator=fmt(
            "segments {}-{} (ST {} in ISA {})",
            pl.col("first_seg"),
            pl.col("last_seg"),
            pl.col("control").fill_null("-"),
            pl.col("interchange_control").fill_null("-"),
        ),
        error_code=pl.when(pl.col("interchange_problem").is_not_null())
        .then(pl.lit("envelope_error"))
        .when(pl.col("group_problem").is_not_null())
        .then(pl.lit("envelope_error"))
        .otherwise(pl.col("_code")),
        error=pl.when(pl.col("interchange_problem").is_not_null())
        .then(fmt("interchange: {}", pl.col("interchange_problem")))
        .when(pl.col("group_problem").is_not_null())
        .then(fmt("group: {}", pl.col("group_problem")))
        .otherwise(pl.col("_error")),
    )
    bad = sets.filter(pl.col("error_code").is_not_null())
    bad = bad.join(_excerpts(a.segments, bad), on="doc", how="left")
    # An interchange without any set still answers for itself.
    empty = a.interchanges.join(a.sets.select("isa").unique(), on="isa", how="anti").select(
        locator=fmt("segment {} (ISA {})", pl.col("isa_seg"), pl.col("control")),
        error_code=pl.lit("envelope_error"),
        error=pl.when(pl.col("problem").is_not_null())
        .then(fmt("interchange: {}", pl.col("problem")))
        .otherwise(pl.lit("interchange holds no transaction set")),
        excerpt=pl.col("control"),
    )
    rejected = pl.concat([bad.select("locator", "error_code", "error", "excerpt"), empty])
    good = sets.filter(pl.col("error_code").is_null())
    time_text = pl.col("_time_text").str.pad_end(4, "0").str.slice(0, 4)
    staged = good.select(
        source=pl.lit(SOURCE),
        landed_file=pl.lit(landed_file),
        locator="locator",
        # An order is one record per sender and PO number (a re-sent interchange or a
        # revised PO supersedes the earlier copy), a shipping advice one per sender and
        # shipment id (a corrected 945 replaces the first); others per envelope numbers.
        version_key=pl.when(pl.col("set_type") == "850")
        .then(fmt("order:{}:{}", "sender_id", "document_number"))
        .when(pl.col("set_type") == "945")
        .then(fmt("shipment:{}:{}", "sender_id", "_w06_shipment"))
        .otherwise(
            fmt(
                "x12:{}:{}:{}:{}",
                *[
                    pl.col(c).fill_null("")
                    for c in ("sender_id", "interchange_control", "group_control", "control")
                ],
            )
        ),
        syntax=pl.lit("x12"),
        document_type="set_type",
        sender_id="sender_id",
        receiver_id="receiver_id",
        interchange_control="interchange_control",
        group_control="group_control",
        set_control="control",
        syntax_version="syntax_version",
        document_number="document_number",
        document_purpose="document_purpose",
        document_date="document_date",
        document_at=pl.col("document_date")
        .cast(pl.Datetime("us"))
        .dt.offset_by(
            pl.when(time_text.str.contains(r"^\d{4}$"))
            .then(fmt("{}h{}m", time_text.str.slice(0, 2), time_text.str.slice(2, 2)))
            .otherwise(pl.lit("0h"))
        )
        .dt.replace_time_zone("UTC"),
        currency="currency",
        warehouse_id="warehouse_id",
        carrier="carrier",
        declared_line_count="declared_line_count",
        declared_quantity_total="declared_quantity_total",
        declared_amount="declared_amount",
        parties="parties",
        references="references",
        charges="charges",
        lines="lines",
        has_card_number="has_card_number",
    ).cast(dict(STAGED_SCHEMA))
    return _finish(staged, rejected, landed_file=landed_file)


def _edifact_result(a: EdifactAnalysis, landed_file: str) -> ParseResult:
    docs = a.messages.join(a.documents, on="doc", how="left").join(
        _reasons(a.errors), on="doc", how="left"
    )
    docs = docs.with_columns(
        locator=fmt(
            "segments {}-{} (UNH {} in UNB {})",
            pl.col("first_seg"),
            pl.col("last_seg"),
            pl.col("control").fill_null("-"),
            pl.col("interchange_control").fill_null("-"),
        ),
        interchange_problem=pl.when(pl.col("unb") == 0)
        .then(pl.lit("message is not inside a UNB interchange"))
        .otherwise(pl.col("interchange_problem")),
    ).with_columns(
        error_code=pl.when(pl.col("interchange_problem").is_not_null())
        .then(pl.lit("envelope_error"))
        .otherwise(pl.col("_code")),
        error=pl.when(pl.col("interchange_problem").is_not_null())
        .then(fmt("interchange: {}", pl.col("interchange_problem")))
        .otherwise(pl.col("_error")),
    )
    bad = docs.filter(pl.col("error_code").is_not_null())
    bad = bad.join(_excerpts(a.segments, bad), on="doc", how="left")
    empty = a.interchanges.join(a.messages.select("unb").unique(), on="unb", how="anti").select(
        locator=fmt("segment {} (UNB {})", pl.col("unb_seg"), pl.col("control").fill_null("-")),
        error_code=pl.lit("envelope_error"),
        error=pl.when(pl.col("problem").is_not_null())
        .then(fmt("interchange: {}", pl.col("problem")))
        .otherwise(pl.lit("interchange holds no message")),
        excerpt=pl.col("control"),
    )
    rejected = pl.concat([bad.select("locator", "error_code", "error", "excerpt"), empty])
    good = docs.filter(pl.col("error_code").is_null())
    staged = good.select(
        source=pl.lit(SOURCE),
        landed_file=pl.lit(landed_file),
        locator="locator",
        version_key=fmt("order:{}:{}", "sender_id", "document_number"),
        syntax=pl.lit("edifact"),
        document_type="message_type",
        sender_id="sender_id",
        receiver_id="receiver_id",
        interchange_control="interchange_control",
        group_control=pl.lit(None, dtype=pl.String),
        set_control="control",
        syntax_version="syntax_version",
        document_number="document_number",
        document_purpose="document_purpose",
        document_date="document_date",
        document_at=pl.col("document_date").cast(pl.Datetime("us")).dt.replace_time_zone("UTC"),
        currency="currency",
        warehouse_id=pl.lit(None, dtype=pl.String),
        carrier=pl.lit(None, dtype=pl.String),
        declared_line_count="declared_line_count",
        declared_quantity_total=pl.lit(None),
        declared_amount="declared_amount",
        parties="parties",
        references="references",
        charges="charges",
        lines="lines",
        has_card_number="has_card_number",
    ).cast(dict(STAGED_SCHEMA))
    return _finish(staged, rejected, landed_file=landed_file)


def parse_edi(payload: bytes, *, landed_file: str) -> ParseResult:
    """Parse one landed EDI file, whichever syntax it is in.

    Parameters
    ----------
    payload:
        The file's bytes, exactly as landed.
    landed_file:
        Its path under ``landing/`` (lineage on every row).

    Examples
    --------
    >>> result = parse_edi(open("po.x12", "rb").read(), landed_file="edi/po.x12")
    >>> result.staged.height + result.rejected == result.records
    True
    """
    syntax = sniff(payload)
    head = payload[:120].decode("latin-1")
    if syntax is None:
        return _unreadable(
            landed_file, "the file does not start with ISA (X12) or UNA/UNB (EDIFACT)", head
        )
    try:
        if syntax == "x12":
            return _x12_result(analyze_x12(payload), landed_file)
        return _edifact_result(analyze_edifact(payload), landed_file)
    except EdiSyntaxError as error:
        return _unreadable(landed_file, f"{syntax}: {error}", head)
