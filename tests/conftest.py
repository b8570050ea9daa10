"""Shared test settings, the import path of ``builders`` and the fixtures several folders use."""

from __future__ import annotations

import os
import sys
from pathlib import Path

import pytest
from hypothesis import HealthCheck, settings

# Test files live in folders that mirror the package; the helpers they share are in
# tests/builders.py, imported as ``from builders import ...`` from any folder.
sys.path.insert(0, str(Path(__file__).resolve().parent))

from builders import BLENDED  # noqa: E402

from blendsim import load_scenario  # noqa: E402

# Deterministic property tests: the same examples on every run (CI and laptops alike).
settings.register_profile(
    "blendsim", derandomize=True, deadline=None, max_examples=60,
    suppress_health_check=[HealthCheck.too_slow],
)
settings.register_profile(
    "ci", derandomize=True, deadline=None, max_examples=150,
    suppress_health_check=[HealthCheck.too_slow],
)
settings.load_profile("ci" if os.environ.get("CI") else "blendsim")


@pytest.fixture(scope="module")
def blended():
    """The blended bank of scenarios/bank_blended.toml (tests/experiment, tests/cli)."""
    return load_scenario(BLENDED)
