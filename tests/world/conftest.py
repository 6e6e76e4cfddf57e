"""Session fixtures for the world tests: one small generated world, read back once."""

from __future__ import annotations

import polars as pl
import pytest
from world_helpers import World, build, read_pos


@pytest.fixture(scope="session")
def world(tmp_path_factory: pytest.TempPathFactory) -> World:
    """3,000 orders over 8 days: every injected kind, refunds, a duplicate file."""
    return build(tmp_path_factory.mktemp("world"), orders=3_000, days=8, seed=11)


@pytest.fixture(scope="session")
def pos_rows(world: World) -> pl.DataFrame:
    return read_pos(world.landing)


@pytest.fixture(scope="session")
def products(world: World) -> pl.DataFrame:
    return pl.read_csv(world.landing / "catalog" / "products.csv", infer_schema=False)


@pytest.fixture(scope="session")
def locations(world: World) -> pl.DataFrame:
    return pl.read_csv(world.landing / "catalog" / "locations.csv", infer_schema=False)


@pytest.fixture(scope="session")
def injected(world: World) -> pl.DataFrame:
    return pl.read_csv(world.truth / "pos_injected.csv", schema_overrides={"row_number": pl.Int64})
