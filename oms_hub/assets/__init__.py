"""Dagster wiring: thin assets grouped by domain. No business rule lives here."""
