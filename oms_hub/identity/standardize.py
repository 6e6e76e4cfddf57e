"""Standardization: turn each source identity's free text into comparable values.

Everything here is a polars expression over whole columns (no Python per row). The
output keeps one row per input identity, in input order, with the raw values replaced
by canonical ones:

* names: accents folded, lower case, punctuation and titles/suffixes dropped, a
  nickname mapped to its formal name (``first_canon``), a phonetic code (Soundex);
* emails: trimmed, lower case, Gmail dots and ``+tags`` removed; marketplace relay
  addresses (Amazon, eBay, Apple private relay, Walmart…) are no email (they say
  nothing about the person's own address, so they never meet another channel's email or
  feed survivorship) but are kept apart as ``relay``: a marketplace gives one buyer the
  same relay address on every order to the same seller, so two identities with the
  same relay address are that marketplace's same buyer; placeholders are null;
* phones: E.164 (``+15551234567``) using the record's country (else the default);
* addresses: common abbreviations (street -> st), unit designators (apt, suite, # ->
  unit), house number and street name split out; postal codes upper case without
  spaces, US ZIP+4 cut to five digits;
* companies: legal suffixes (inc, llc, gmbh…) and punctuation dropped;
* payment card: brand (``Visa``, ``MasterCard``, ``AMEX``…) to one code and the last
  four digits, as ``visa:4242``; the number itself never comes this far.
"""

from __future__ import annotations

import polars as pl

from oms_hub.identity.nicknames import NICKNAMES

#: The generic "source identity" frame any channel feeds (every column may be null).
SOURCE_COLUMNS: dict[str, pl.DataType] = {
    "source": pl.String(),
    "source_customer_id": pl.String(),
    "first_name": pl.String(),
    "last_name": pl.String(),
    "email": pl.String(),
    "phone": pl.String(),
    "address_line1": pl.String(),
    "address_line2": pl.String(),
    "city": pl.String(),
    "region": pl.String(),
    "postal_code": pl.String(),
    "country": pl.String(),
    "birth_date": pl.String(),
    "company": pl.String(),
    "card_brand": pl.String(),  # the brand of the card the identity pays with most
    "card_last4": pl.String(),  # and its last four digits (never more of the number)
    "cards": pl.String(),  # every card it paid with: "Visa 4242; MasterCard 0044"
    # store customers: the postal code of the store they buy at most (its trade area)
    "store_postal_code": pl.String(),
    "seen_at": pl.Datetime("us", "UTC"),  # latest sighting (survivorship: most recent wins)
    "first_seen_at": pl.Datetime("us", "UTC"),  # earliest sighting, if known
    "landed_file": pl.String,  # lineage of the latest sighting
    "locator": pl.String,
}

#: Relay domains: an address there forwards to whoever placed one order.
RELAY_EMAIL = (
    r"@(marketplace\.amazon\.[a-z.]+|[a-z0-9.-]*\.?relay\.[a-z.]+|privaterelay\.appleid\.com"
    r"|members\.ebay\.[a-z.]+|relay\.walmart\.com|messaging\.(?:etsy|ebay)\.[a-z.]+)$"
)
#: Placeholder addresses people type to get past a form.
_JUNK_EMAIL = r"^(none|na|n/a|noemail|no-email|test|x+)@|@(example\.(com|org|net)|test\.com)$"

_TITLES = r"\b(mr|mrs|ms|miss|dr|prof|sir|madam|mx)\b"
_SUFFIXES = r"\b(jr|sr|ii|iii|iv|phd|md|esq)\b"

#: Street words and unit designators, long form -> USPS abbreviation.
ADDRESS_WORDS: dict[str, str] = {
    "street": "st", "str": "st", "avenue": "ave", "av": "ave", "road": "rd",
    "boulevard": "blvd", "drive": "dr", "lane": "ln", "court": "ct", "place": "pl",
    "terrace": "ter", "highway": "hwy", "parkway": "pkwy", "circle": "cir",
    "square": "sq", "crescent": "cres", "close": "cl", "way": "wy", "trail": "trl",
    "north": "n", "south": "s", "east": "e", "west": "w", "mount": "mt", "saint": "st",
    "apartment": "unit", "apt": "unit", "suite": "unit", "ste": "unit", "flat": "unit",
    "unit": "unit", "no": "unit", "number": "unit", "floor": "fl", "building": "bldg",
    "po box": "pobox", "p o box": "pobox", "post office box": "pobox",
}  # fmt: skip

_ADDRESS_FROM = [f" {long} " for long in ADDRESS_WORDS]
_ADDRESS_TO = [f" {short} " for short in ADDRESS_WORDS.values()]

_COMPANY_SUFFIXES = (
    r"\b(inc|incorporated|llc|l l c|ltd|limited|corp|corporation|co|company|gmbh|ag|plc|sa"
    r"|sarl|bv|nv|pty|pte|lp|llp|the)\b"
)

#: Country -> international calling code (a national number's leading 0 is dropped).
CALLING_CODES: dict[str, str] = {
    "US": "1", "CA": "1", "GB": "44", "UK": "44", "AU": "61", "NZ": "64", "IE": "353",
    "DE": "49", "FR": "33", "ES": "34", "IT": "39", "NL": "31", "BE": "32", "AT": "43",
    "CH": "41", "SE": "46", "NO": "47", "DK": "45", "FI": "358", "PL": "48", "PT": "351",
    "MX": "52", "BR": "55", "IN": "91", "JP": "81", "CN": "86", "SG": "65",
}  # fmt: skip

_COUNTRY_NAMES: dict[str, str] = {
    "usa": "US", "united states": "US", "united states of america": "US", "us": "US",
    "canada": "CA", "united kingdom": "GB", "uk": "GB", "great britain": "GB",
    "england": "GB", "australia": "AU", "germany": "DE", "deutschland": "DE",
    "france": "FR", "mexico": "MX", "ireland": "IE", "new zealand": "NZ",
}  # fmt: skip


def fold(expr: pl.Expr) -> pl.Expr:
    """Lower case, accents folded to ASCII (``Zoë`` -> ``zoe``), outer spaces trimmed."""
    return (
        expr.str.normalize("NFKD")
        .str.replace_all(r"\p{M}", "")
        .str.replace_all("ß", "ss")
        .str.to_lowercase()
        .str.strip_chars()
    )


def _null_if_empty(expr: pl.Expr) -> pl.Expr:
    return pl.when(expr.str.len_chars() > 0).then(expr)


def clean_name(expr: pl.Expr) -> pl.Expr:
    """A name part as letters only: ``"O'Neil, Jr."`` -> ``"oneil"``."""
    text = fold(expr).str.replace_all(r"[.,]", " ")
    text = text.str.replace_all(_TITLES, " ").str.replace_all(_SUFFIXES, " ")
    return _null_if_empty(text.str.replace_all(r"[^a-z]", ""))


def first_token(expr: pl.Expr) -> pl.Expr:
    """The first word of a given-name field (``"Mary Ann"`` -> ``"mary"``; initials kept)."""
    text = fold(expr).str.replace_all(r"[.,]", " ").str.replace_all(_TITLES, " ")
    text = text.str.replace_all(r"[^a-z\s-]", "").str.strip_chars()
    return _null_if_empty(text.str.extract(r"^([a-z]+)", 1).fill_null(""))


def canonical_first(expr: pl.Expr) -> pl.Expr:
    """Nickname -> formal name (``bob`` -> ``robert``); unknown names unchanged."""
    return expr.replace(NICKNAMES)


def soundex(expr: pl.Expr) -> pl.Expr:
    """American Soundex of a letters-only lower-case string, vectorized.

    Letters map to digit classes, runs of a class collapse (``h``/``w`` do not separate
    a run, vowels do), the first letter is kept and the code is padded to four.

    >>> pl.select(soundex(pl.lit("robert"))).item(), pl.select(soundex(pl.lit("rupert"))).item()
    ('r163', 'r163')
    """
    first = expr.str.slice(0, 1)
    rest = expr.str.slice(1).str.replace_all("[hw]", "")
    coded = pl.concat_str([first, rest])
    for pattern, digit in (
        ("[bfpv]", "1"),
        ("[cgjkqsxz]", "2"),
        ("[dt]", "3"),
        ("l", "4"),
        ("[mn]", "5"),
        ("r", "6"),
        ("[aeiouy]", "0"),
    ):
        coded = coded.str.replace_all(pattern, digit)
    for digit in "0123456":
        coded = coded.str.replace_all(f"{digit}+", digit)
    tail = coded.str.slice(1).str.replace_all("0", "")
    code = pl.concat_str([first, tail, pl.lit("000")]).str.slice(0, 4)
    return pl.when(expr.str.len_chars() > 0).then(code)


def email(expr: pl.Expr) -> pl.Expr:
    """Identifying email or null (relay and placeholder addresses are null)."""
    text = expr.str.strip_chars().str.to_lowercase().str.replace_all(r"^mailto:", "")
    valid = text.str.contains(r"^[^@\s]+@[^@\s]+\.[a-z]{2,}$")
    local = text.str.extract(r"^([^@]+)@", 1)
    domain = text.str.extract(r"@(.+)$", 1).str.replace(r"^googlemail\.com$", "gmail.com")
    local = local.str.replace(r"\+.*$", "")
    local = pl.when(domain == "gmail.com").then(local.str.replace_all(r"\.", "")).otherwise(local)
    normal = pl.concat_str([local, pl.lit("@"), domain])
    identifying = valid & ~text.str.contains(RELAY_EMAIL) & ~text.str.contains(_JUNK_EMAIL)
    return pl.when(identifying).then(normal)


def first_from_email(first: pl.Expr, last: pl.Expr, email_: pl.Expr) -> pl.Expr:
    """The given name an initial stands for, read from the identity's own email; else null.

    A card name or a receipt often gives only an initial ("K. Frokrimo") while the same
    profile's email is ``kelros.frokrimo285@…`` or ``kelrosfrokrimo@…``: the local part,
    less trailing digits and separators, is the given name followed by the surname. When
    it ends with the surname and what precedes it (two letters or more) starts with the
    initial, that is the given name. The comparison uses it only to tell an initial's
    "Kelros" from another record's "Karen" (``compare.LEVELS["first"]``); the initial
    itself stays what was typed, so that m, learned on pairs sharing an email, still
    describes the initials of identities without one.
    """
    local = email_.str.extract(r"^([^@]+)@", 1).str.replace(r"[0-9]+$", "")
    local = local.str.replace_all(r"[._-]", "")
    head = local.str.slice(0, local.str.len_chars() - last.str.len_chars())
    spelled = (
        (first.str.len_chars() == 1)
        & local.str.ends_with(last)
        & (head.str.len_chars() >= 2)
        & head.str.starts_with(first)
    )
    return pl.when(spelled.fill_null(False)).then(head)


#: Card brand spellings (letters only, lower case) -> one code.
CARD_BRANDS: dict[str, str] = {
    "visa": "visa", "visaelectron": "visa", "mastercard": "mastercard", "mc": "mastercard",
    "master": "mastercard", "americanexpress": "amex", "amex": "amex", "discover": "discover",
    "discovernetwork": "discover", "jcb": "jcb", "dinersclub": "diners", "diners": "diners",
    "unionpay": "unionpay", "chinaunionpay": "unionpay", "maestro": "maestro",
}  # fmt: skip


def card(brand: pl.Expr, last4: pl.Expr) -> pl.Expr:
    """``<brand code>:<last four>`` of the identity's card, else null.

    Square exports ``Card Brand`` / ``PAN Suffix``, Shopify ``CardPaymentDetails.company``
    / a masked ``number``: both say which card paid, never the number. A brand alone or
    anything but exactly four digits is no evidence (null).
    """
    code = fold(brand).str.replace_all(r"[^a-z]", "")
    code = code.replace(CARD_BRANDS)
    digits = last4.cast(pl.String).str.strip_chars()
    ok = digits.str.contains(r"^[0-9]{4}$") & (code.str.len_chars() > 0)
    return pl.when(ok.fill_null(False)).then(pl.concat_str([code, pl.lit(":"), digits]))


def card_list(main: pl.Expr, cards: pl.Expr) -> pl.Expr:
    """Every card code of an identity (``card`` codes of ``cards`` text, and the main one).

    ``cards`` is ``Brand 1234`` items separated by ``;`` (the brand may have spaces:
    ``American Express 1005``); an item that is not a brand and four digits is skipped.
    """
    items = cards.str.split(";").list.eval(
        card(
            pl.element().str.strip_chars().str.replace(r"\s*[0-9]{4}$", ""),
            pl.element().str.strip_chars().str.extract(r"([0-9]{4})$", 1),
        )
    )
    listed = pl.concat_list(pl.when(main.is_not_null()).then(main), items.fill_null([]))
    return listed.list.drop_nulls().list.unique().list.sort()


def is_relay_email(expr: pl.Expr) -> pl.Expr:
    """True for marketplace relay addresses (they hide the person's own address)."""
    return expr.str.strip_chars().str.to_lowercase().str.contains(RELAY_EMAIL).fill_null(False)


def relay_email(expr: pl.Expr) -> pl.Expr:
    """The marketplace relay address (trimmed, lower case), else null.

    Amazon's ``BuyerInfo.BuyerEmail`` is an anonymized address that stays the same for
    one buyer across that buyer's orders to one seller (so do eBay's and Walmart's
    relays), so equal relay addresses identify the same buyer of the same marketplace.
    They can only ever equal each other, never a real address: the comparison uses
    them for an exact match only (``compare.LEVELS["email"]``), never for typos,
    name parts or the golden record's email.
    """
    text = expr.str.strip_chars().str.to_lowercase().str.replace_all(r"^mailto:", "")
    relay = text.str.contains(r"^[^@\s]+@[^@\s]+\.[a-z]{2,}$") & text.str.contains(RELAY_EMAIL)
    return pl.when(relay).then(text)


def country_code(expr: pl.Expr, default: str) -> pl.Expr:
    """ISO alpha-2 country from a code or a common English name; default when absent."""
    text = fold(expr).str.replace_all(r"[.]", "")
    named = text.replace_strict(_COUNTRY_NAMES, default=None, return_dtype=pl.String)
    code = pl.when(text.str.len_chars() == 2).then(text.str.to_uppercase()).otherwise(named)
    return code.fill_null(default)


def phone(expr: pl.Expr, country: pl.Expr) -> pl.Expr:
    """E.164 phone (``+15551234567``) or null when it cannot be a phone number.

    Extensions are dropped; ``00`` is read as ``+``; a national number gets the calling
    code of the record's country (its trunk ``0`` removed).
    """
    text = expr.str.to_lowercase().str.replace(r"(x|ext\.?|extension)\s*\d+\s*$", "")
    plus = text.str.strip_chars().str.starts_with("+")
    digits = text.str.replace_all(r"\D", "")
    intl = plus | digits.str.starts_with("00")
    digits = (
        pl.when(~plus & digits.str.starts_with("00")).then(digits.str.slice(2)).otherwise(digits)
    )
    cc = country.replace_strict(CALLING_CODES, default="1", return_dtype=pl.String)
    nanp = cc == "1"
    national = (
        pl.when(nanp & (digits.str.len_chars() == 11) & digits.str.starts_with("1"))
        .then(digits)
        .when(nanp)
        .then(pl.concat_str([pl.lit("1"), digits]))
        .otherwise(pl.concat_str([cc, digits.str.replace(r"^0", "")]))
    )
    number = pl.when(intl).then(digits).otherwise(national)
    ok = number.str.len_chars().is_between(8, 15) & (digits.str.len_chars() >= 7)
    ok = ok & ~(nanp & ~intl & (digits.str.len_chars() < 10))
    return pl.when(ok).then(pl.concat_str([pl.lit("+"), number]))


def address(line1: pl.Expr, line2: pl.Expr) -> pl.Expr:
    """Both address lines as one canonical string (``12 north main street apt 4`` ->
    ``12 n main st unit 4``)."""
    text = pl.concat_str([line1.fill_null(""), line2.fill_null("")], separator=" ")
    text = fold(text).str.replace_all(r"#\s*", " unit ")
    text = text.str.replace_all(r"[^a-z0-9 ]", " ").str.replace_all(r"\s+", " ")
    text = pl.concat_str([pl.lit(" "), text.str.replace_all(" ", "  "), pl.lit(" ")])
    # words are now separated by two spaces, so " street " matches as a whole word and
    # two neighbouring words can both be replaced in the one pass
    text = text.str.replace_many(_ADDRESS_FROM, _ADDRESS_TO).str.replace_all(r"\s+", " ")
    text = text.str.replace_all(r"(unit )+", "unit ").str.strip_chars()
    # "unit 3 10 downing st" -> "10 downing st unit 3": the house number leads
    text = text.str.replace(r"^unit (\S+) (\d.*)$", "${2} unit ${1}")
    return _null_if_empty(text)


def postal(expr: pl.Expr, country: pl.Expr) -> pl.Expr:
    """Postal code without spaces, upper case; US ZIP+4 -> ZIP5, lost leading zeros back."""
    text = expr.str.to_uppercase().str.replace_all(r"[^0-9A-Z]", "")
    us = country == "US"
    text = (
        pl.when(us & text.str.contains(r"^\d{9}$"))
        .then(text.str.slice(0, 5))
        .when(us & text.str.contains(r"^\d{3,4}$"))
        .then(text.str.zfill(5))
        .otherwise(text)
    )
    return _null_if_empty(text)


def postal_area(code: pl.Expr, country: pl.Expr) -> pl.Expr:
    """The area a standardized postal code lies in: a store's trade area is about this
    big. US: the 3-digit ZIP prefix (sectional center); Canada: the forward sortation area
    (first 3 characters); UK: the outward code (all but the last 3); elsewhere the code."""
    return (
        pl.when(country.is_in(["US", "CA"]) & (code.str.len_chars() >= 5))
        .then(code.str.slice(0, 3))
        .when((country == "GB") & (code.str.len_chars() >= 5))
        .then(code.str.slice(0, code.str.len_chars() - 3))
        .otherwise(code)
    )


def company(expr: pl.Expr) -> pl.Expr:
    """Company name without legal suffix or punctuation (``ACME, Inc.`` -> ``acme``)."""
    text = fold(expr).str.replace_all("&", " and ").str.replace_all(r"[^a-z0-9 ]", " ")
    text = text.str.replace_all(_COMPANY_SUFFIXES, " ").str.replace_all(r"\s+", " ")
    return _null_if_empty(text.str.strip_chars())


def birth_date(expr: pl.Expr) -> pl.Expr:
    """ISO date string (``1984-07-03``) from ISO, ``YYYYMMDD`` or US ``MM/DD/YYYY`` text."""
    text = expr.cast(pl.String).str.strip_chars()
    iso = text.str.to_date("%Y-%m-%d", strict=False)
    compact = text.str.to_date("%Y%m%d", strict=False)
    us = text.str.to_date("%m/%d/%Y", strict=False)
    return pl.coalesce(iso, compact, us).cast(pl.String)


def split_full_name(name: pl.Expr) -> tuple[pl.Expr, pl.Expr]:
    """(first, last) from one name field: ``"Smith, Ann"`` or ``"Ann B. Smith"``."""
    text = name.str.strip_chars()
    comma = text.str.contains(",")
    first = (
        pl.when(comma)
        .then(text.str.extract(r",\s*(.*)$", 1))
        .otherwise(text.str.extract(r"^(\S+)", 1))
    )
    last = (
        pl.when(comma)
        .then(text.str.extract(r"^([^,]*),", 1))
        .otherwise(text.str.extract(r"\s(\S+)$", 1))
    )
    return first, last


def ensure_columns(frame: pl.DataFrame) -> pl.DataFrame:
    """Add any missing source-identity column as null and cast every one to its type.

    Text columns are cast to string (a numeric phone or postal code keeps its digits);
    ``seen_at`` given as text is parsed as an ISO timestamp (UTC when no offset).
    """
    frame = frame.with_columns(
        pl.lit(None, dtype=t).alias(c) for c, t in SOURCE_COLUMNS.items() if c not in frame.columns
    )

    def utc(name: str) -> pl.Expr:
        dtype = frame.schema[name]
        col = pl.col(name)
        if dtype == pl.String():
            col = col.str.to_datetime(time_zone="UTC", strict=False)
        elif isinstance(dtype, pl.Datetime) and dtype.time_zone:
            col = col.dt.convert_time_zone("UTC")
        elif isinstance(dtype, pl.Datetime):
            col = col.dt.replace_time_zone("UTC")
        return col.cast(pl.Datetime("us", "UTC")).alias(name)

    return frame.with_columns(
        *[pl.col(c).cast(pl.String) for c, t in SOURCE_COLUMNS.items() if t == pl.String()],
        utc("seen_at"),
        utc("first_seen_at"),
    )


def _by_unique(frame: pl.DataFrame, inputs: list[str], expr: pl.Expr, name: str) -> pl.DataFrame:
    """Add column ``name`` = ``expr`` over ``inputs``, computed once per distinct input.

    Names, cities and emails repeat a lot across identities; the regex work is done on
    the distinct values and joined back.
    """
    mapped = frame.select(inputs).unique().lazy().with_columns(expr.alias(name)).collect()
    return frame.join(mapped, on=inputs, how="left", nulls_equal=True, maintain_order="left")


def standardize_identities(
    identities: pl.DataFrame, *, default_country: str = "US"
) -> pl.DataFrame:
    """Canonical, comparable values for each source identity (same row order).

    ``identities`` holds the columns of ``SOURCE_COLUMNS`` (missing ones are treated as
    null). The result has ``rid`` (0-based row number) and the standardized columns the
    blocking and comparison steps use.
    """
    frame = ensure_columns(identities).with_row_index("rid")
    frame = _by_unique(
        frame, ["country"], country_code(pl.col("country"), default_country), "_country"
    )
    frame = _by_unique(frame, ["first_name"], first_token(pl.col("first_name")), "_first")
    frame = _by_unique(frame, ["last_name"], clean_name(pl.col("last_name")), "_last")
    frame = _by_unique(frame, ["email"], email(pl.col("email")), "_email")
    frame = _by_unique(frame, ["email"], relay_email(pl.col("email")), "_relay")
    frame = _by_unique(frame, ["city"], clean_name(pl.col("city")), "_city")
    frame = _by_unique(frame, ["region"], clean_name(pl.col("region")), "_region")
    frame = _by_unique(frame, ["company"], company(pl.col("company")), "_company")
    frame = _by_unique(
        frame, ["card_brand", "card_last4"], card(pl.col("card_brand"), pl.col("card_last4")),
        "_card",
    )  # fmt: skip
    frame = _by_unique(
        frame, ["_card", "cards"], card_list(pl.col("_card"), pl.col("cards")), "_cards"
    )
    frame = _by_unique(
        frame, ["address_line1", "address_line2"],
        address(pl.col("address_line1"), pl.col("address_line2")), "_addr",
    )  # fmt: skip
    frame = _by_unique(
        frame, ["_first", "_last", "_email"],
        canonical_first(first_from_email(pl.col("_first"), pl.col("_last"), pl.col("_email"))),
        "spelled",
    )  # fmt: skip
    frame = _by_unique(frame, ["_first"], canonical_first(pl.col("_first")), "first_canon")
    frame = _by_unique(frame, ["_last"], soundex(pl.col("_last")), "last_sx")
    frame = _by_unique(frame, ["first_canon"], soundex(pl.col("first_canon")), "first_sx")
    country = pl.col("_country")
    out = frame.lazy().select(
        pl.col("rid").cast(pl.UInt32),
        pl.col("_first").alias("first"),
        pl.col("_last").alias("last"),
        pl.col("_email").alias("email"),
        pl.col("_relay").alias("relay"),
        phone(pl.col("phone"), country).alias("phone"),
        pl.col("_addr").alias("addr"),
        pl.col("_city").alias("city"),
        pl.col("_region").alias("region"),
        postal(pl.col("postal_code"), country).alias("postal"),
        postal_area(postal(pl.col("postal_code"), country), country).alias("area"),
        postal_area(postal(pl.col("store_postal_code"), country), country).alias("store_area"),
        country.alias("country"),
        birth_date(pl.col("birth_date")).alias("birth_date"),
        pl.col("_company").alias("company"),
        pl.col("seen_at"),
        "first_canon",
        "last_sx",
        pl.col("_addr").str.extract(r"^(\d+[a-z]?)\b", 1).alias("house"),
        _null_if_empty(
            pl.col("_addr")
            .str.replace(r"^\d+[a-z]?\s+", "")
            .str.replace(r"\s*unit\s+\S+$", "")
            .fill_null("")
        ).alias("street"),
        "first_sx",
        "spelled",
        pl.col("_card").alias("card"),
        pl.when(pl.col("_card").is_not_null()).then(pl.col("_cards")).alias("cards"),
    )
    # collected lazily so polars evaluates each shared sub-expression once
    return out.collect()
