"""Shared test settings."""

from __future__ import annotations

import os

from hypothesis import HealthCheck, settings

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
