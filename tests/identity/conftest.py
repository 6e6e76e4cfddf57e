"""Labelled identity sets shared by the identity tests (generated once per session)."""

from __future__ import annotations

import polars as pl
import pytest

from oms_hub.world.identities import generate_identities


@pytest.fixture(scope="session")
def labelled() -> pl.DataFrame:
    """3,000 synthetic identities with ``person_id`` truth."""
    return generate_identities(3_000, seed=5)


def identities_only(frame: pl.DataFrame) -> pl.DataFrame:
    """The frame without its truth column (what the engine sees)."""
    return frame.drop("person_id", "record_id")
