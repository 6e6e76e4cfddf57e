"""Tokenize X12 and EDIFACT interchanges into a frame of segments, set-wise.

An interchange is one long string; splitting it into segments and elements is done by
polars string kernels over the whole payload (split on the segment terminator, explode,
split on the element separator), never by a Python loop over segments. The result is a
``Segments`` frame with one row per segment: its 1-based position in the file, its tag
and its elements (a list whose item 0 is the tag, so ``element(2)`` is ``BEG02``).

Separators are read from the interchange itself: X12 takes the element separator from
the fourth character of ``ISA``, the component separator from ``ISA16`` and the segment
terminator from the character after it (line breaks after terminators are tolerated);
EDIFACT takes them from the ``UNA`` service string advice, or the defaults. EDIFACT's
release character is honoured by swapping released characters for private-use
placeholders before splitting and restoring them in every value read.

Card numbers typed into free text are masked here, element by element, before any
value is read, so nothing downstream (staged rows, quarantine excerpts) ever sees one.
"""

from __future__ import annotations

from dataclasses import dataclass

import polars as pl

from oms_hub.quality.card_numbers import CANDIDATE, card_number_mask, mask_text

#: Placeholders for released (escaped) characters: release, terminator, element, component.
_PLACEHOLDERS = ("\ue000", "\ue001", "\ue002", "\ue003")


class EdiSyntaxError(ValueError):
    """The payload is not an interchange whose separators can be read."""


@dataclass(frozen=True)
class Separators:
    """The service characters of one interchange."""

    element: str
    component: str
    segment: str
    release: str | None = None
    decimal: str = "."


@dataclass(frozen=True)
class Segments:
    """One row per segment: ``seg`` (1-based), ``tag``, ``el`` (list, item 0 = tag)."""

    syntax: str  # "x12" or "edifact"
    frame: pl.DataFrame
    separators: Separators
    has_card_number: pl.Series  # per segment

    def restore(self, expr: pl.Expr) -> pl.Expr:
        """Undo release-character escaping in a value read from an element/component."""
        seps = self.separators
        if seps.release is None:
            return expr
        originals = (seps.release, seps.segment, seps.element, seps.component)
        for placeholder, original in zip(_PLACEHOLDERS, originals, strict=True):
            expr = expr.str.replace_all(placeholder, original, literal=True)
        return expr


def element(n: int) -> pl.Expr:
    """Element ``n`` of the segment (``BEG03`` is ``element(3)``), null when absent or empty."""
    value = pl.col("el").list.get(n, null_on_oob=True)
    return pl.when(value.str.len_bytes() > 0).then(value)


def component(n: int, k: int, sep: str) -> pl.Expr:
    """Component ``k`` (1-based) of element ``n``, null when absent or empty."""
    value = element(n).str.split(sep).list.get(k - 1, null_on_oob=True)
    return pl.when(value.str.len_bytes() > 0).then(value)


def decode(payload: bytes) -> str:
    """Text of an interchange: UTF-8, else Latin-1 (which never fails)."""
    try:
        return payload.decode("utf-8-sig")
    except UnicodeDecodeError:
        return payload.decode("latin-1")


def sniff(payload: bytes) -> str | None:
    """``"x12"``, ``"edifact"`` or None, from the first characters."""
    head = payload[:16].lstrip(b"\xef\xbb\xbf \t\r\n")
    if head.startswith(b"ISA"):
        return "x12"
    if head.startswith((b"UNA", b"UNB")):
        return "edifact"
    return None


def x12_separators(text: str) -> Separators:
    """Read the separators from the ISA segment (tolerating unpadded ISA fields)."""
    if not text.startswith("ISA") or len(text) < 4:
        raise EdiSyntaxError("an X12 interchange starts with an ISA segment")
    sep = text[3]
    if sep.isalnum() or sep in " \t\r\n":
        raise EdiSyntaxError(f"ISA element separator {sep!r} is a letter, digit or blank")
    # ISA has 16 elements: the component separator is ISA16, the terminator follows it.
    position = 3
    for _ in range(15):
        position = text.find(sep, position + 1)
        if position < 0:
            raise EdiSyntaxError("the ISA segment has fewer than 16 elements")
    if position + 2 >= len(text):
        raise EdiSyntaxError("the interchange ends inside the ISA segment")
    component, terminator = text[position + 1], text[position + 2]
    if terminator.isalnum() or terminator in (sep, component) or terminator == " ":
        raise EdiSyntaxError(f"ISA segment terminator {terminator!r} is not usable")
    if component.isalnum() or component == sep:
        raise EdiSyntaxError(f"ISA16 component separator {component!r} is not usable")
    return Separators(element=sep, component=component, segment=terminator)


def edifact_separators(text: str) -> tuple[Separators, str]:
    """Separators from ``UNA`` (or the defaults) and the text after the UNA string."""
    if text.startswith("UNA"):
        if len(text) < 9:
            raise EdiSyntaxError("the UNA service string advice is shorter than 9 characters")
        comp, elem, dec, rel, _rep, term = text[3:9]
        chars = [comp, elem, term] + ([rel] if rel != " " else [])
        if len(set(chars)) != len(chars) or any(c.isalnum() or c in " \t\r\n" for c in chars):
            raise EdiSyntaxError(f"UNA service characters {text[3:9]!r} clash or are letters")
        seps = Separators(elem, comp, term, None if rel == " " else rel, dec)
        return seps, text[9:]
    if not text.startswith("UNB"):
        raise EdiSyntaxError("an EDIFACT interchange starts with UNA or UNB")
    return Separators("+", ":", "'", "?", "."), text


def _escape(text: str, seps: Separators) -> str:
    if seps.release is None:
        return text
    rel = seps.release
    # Left to right, released release characters first: '???'' is '?' then a released "'".
    text = text.replace(rel + rel, _PLACEHOLDERS[0])
    for placeholder, char in zip(
        _PLACEHOLDERS[1:], (seps.segment, seps.element, seps.component), strict=True
    ):
        text = text.replace(rel + char, placeholder)
    return text


def _mask_segments(segments: pl.Series, seps: Separators) -> tuple[pl.Series, pl.Series]:
    """Mask card numbers element by element; returns the segments and a per-segment flag."""
    nothing = pl.Series("has_card_number", [False] * len(segments), dtype=pl.Boolean)
    if not segments.str.contains(CANDIDATE).any():
        return segments, nothing
    # A candidate may run across an element separator ('4111*1111...'): test elements.
    flags = (
        segments.str.split(seps.element)
        .list.eval(card_number_mask(pl.element()))
        .list.any()
        .fill_null(False)
        .alias("has_card_number")
    )
    if not flags.any():
        return segments, flags
    mask_char = "X" if "*" in (seps.element, seps.component, seps.segment) else "*"

    def mask_segment(segment: str) -> str:
        parts = segment.split(seps.element)
        masked = [mask_text(p) for p in parts]
        if mask_char != "*":
            masked = [
                m if m == p else m.replace("*", mask_char)
                for m, p in zip(masked, parts, strict=True)
            ]
        return seps.element.join(masked)

    fixed = segments.to_frame("s").with_columns(
        pl.when(flags)
        .then(pl.col("s").map_elements(mask_segment, return_dtype=pl.String, skip_nulls=True))
        .otherwise(pl.col("s"))
    )
    return fixed.to_series(), flags


def _split(text: str, seps: Separators, syntax: str) -> Segments:
    raw = (
        pl.Series("s", [text], dtype=pl.String)
        .str.split(seps.segment)
        .explode()
        .str.strip_chars("\r\n")
    )
    # The text after the last terminator is normally empty (or a line break).
    raw = raw.filter(raw.str.len_bytes() > 0) if raw.len() else raw
    raw, flags = _mask_segments(raw, seps)
    frame = pl.DataFrame({"s": raw}).select(
        seg=pl.int_range(1, pl.len() + 1, dtype=pl.Int64),
        el=pl.col("s").str.split(seps.element),
    )
    frame = frame.with_columns(tag=pl.col("el").list.first().str.strip_chars())
    return Segments(syntax, frame, seps, flags)


def tokenize_x12(payload: bytes) -> Segments:
    """Split an X12 payload into segments with the separators its ISA declares."""
    text = decode(payload).lstrip(" \t\r\n")
    seps = x12_separators(text)
    return _split(text.rstrip(" \t\r\n"), seps, "x12")


def tokenize_edifact(payload: bytes) -> Segments:
    """Split an EDIFACT payload (UNA optional) into segments, honouring the release char."""
    text = decode(payload).lstrip(" \t\r\n")
    seps, body = edifact_separators(text)
    return _split(_escape(body.rstrip(" \t\r\n"), seps), seps, "edifact")
