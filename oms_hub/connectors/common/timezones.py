"""Time-zone names as sources print them, and local-to-UTC conversion."""

from __future__ import annotations

import polars as pl

#: Rails / ActiveSupport names (what Square and Shopify exports print) -> IANA zones.
RAILS_ZONES: dict[str, str] = {
    "Eastern Time (US & Canada)": "America/New_York",
    "Central Time (US & Canada)": "America/Chicago",
    "Mountain Time (US & Canada)": "America/Denver",
    "Pacific Time (US & Canada)": "America/Los_Angeles",
    "Arizona": "America/Phoenix",
    "Alaska": "America/Juneau",
    "Hawaii": "Pacific/Honolulu",
    "Atlantic Time (Canada)": "America/Halifax",
    "Newfoundland": "America/St_Johns",
    "Indiana (East)": "America/Indiana/Indianapolis",
    "Saskatchewan": "America/Regina",
    "Mexico City": "America/Mexico_City",
    "London": "Europe/London",
    "Dublin": "Europe/Dublin",
    "Edinburgh": "Europe/London",
    "Lisbon": "Europe/Lisbon",
    "Amsterdam": "Europe/Amsterdam",
    "Berlin": "Europe/Berlin",
    "Paris": "Europe/Paris",
    "Madrid": "Europe/Madrid",
    "Rome": "Europe/Rome",
    "Stockholm": "Europe/Stockholm",
    "Sydney": "Australia/Sydney",
    "Melbourne": "Australia/Melbourne",
    "Brisbane": "Australia/Brisbane",
    "Perth": "Australia/Perth",
    "Auckland": "Pacific/Auckland",
    "Tokyo": "Asia/Tokyo",
    "UTC": "UTC",
}


def iana_zone(name: pl.Expr) -> pl.Expr:
    """Map a Rails zone name (or an IANA name already) to IANA; unknown -> null."""
    known_iana = sorted(set(RAILS_ZONES.values()))
    stripped = name.str.strip_chars()
    return pl.coalesce(
        stripped.replace_strict(RAILS_ZONES, default=None, return_dtype=pl.String),
        pl.when(stripped.is_in(known_iana)).then(stripped),
    )


def local_to_utc(frame: pl.DataFrame, *, local: str, zone: str, out: str) -> pl.DataFrame:
    """Convert naive local datetimes in ``local`` (zone per row in ``zone``) to UTC ``out``.

    Works zone by zone (a handful of zones, never row by row). Ambiguous wall times
    (the repeated hour in autumn) take the earlier instant; times that do not exist
    (the skipped hour in spring) become null so the caller can reject them.
    """
    utc = pl.Datetime("us", "UTC")
    zones = [z for z in frame.get_column(zone).unique().to_list() if z is not None]
    converted = pl.lit(None, dtype=utc)
    for z in sorted(zones):
        converted = (
            pl.when(pl.col(zone) == z)
            .then(
                pl.col(local)
                .dt.replace_time_zone(z, ambiguous="earliest", non_existent="null")
                .dt.convert_time_zone("UTC")
            )
            .otherwise(converted)
        )
    return frame.with_columns(converted.cast(utc).alias(out))
