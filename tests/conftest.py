"""Shared fixtures: a small generated world, and that world built by a real Dagster run.

Building costs a few seconds, so it happens once per session; tests that change a home
copy it first (``copy_home``) so they never disturb each other.
"""

from __future__ import annotations

import os
import shutil
import warnings
from pathlib import Path

import pytest

os.environ.setdefault("GX_ANALYTICS_ENABLED", "false")
os.environ.pop("DAGSTER_HOME", None)  # tests use ephemeral Dagster instances
warnings.filterwarnings("ignore")

from oms_hub.home import Home  # noqa: E402
from oms_hub.pipeline import run_pipeline  # noqa: E402
from oms_hub.world import generate_world  # noqa: E402

REPO = Path(__file__).resolve().parents[1]
SMALL_WORLD = {"orders": 2_500, "days": 6, "seed": 11}


@pytest.fixture(scope="session")
def world_home(tmp_path_factory: pytest.TempPathFactory) -> Home:
    """A generated sample world, landed but not processed (do not modify: copy it)."""
    root = tmp_path_factory.mktemp("world")
    generate_world(root, **SMALL_WORLD)
    return Home(root)


@pytest.fixture(scope="session")
def built_home(tmp_path_factory: pytest.TempPathFactory, world_home: Home) -> Home:
    """The small world after a full pipeline run through Dagster (do not modify: copy it)."""
    root = tmp_path_factory.mktemp("built")
    shutil.copytree(world_home.root, root, dirs_exist_ok=True)
    home = Home(root)
    report = run_pipeline(home)
    assert all(report.checks.values()), report.checks
    return home


@pytest.fixture
def copy_home(tmp_path: Path):
    """Copy a home into this test's temp folder and return the copy."""

    def _copy(home: Home) -> Home:
        target = tmp_path / "home"
        shutil.copytree(home.root, target)
        return Home(target)

    return _copy
