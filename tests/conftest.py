"""Shared test setup: a deterministic hypothesis profile and the optional PyTorch reference."""

from __future__ import annotations

import os
from typing import Any

import pytest
from hypothesis import HealthCheck, settings

settings.register_profile(
    "d2lad", max_examples=30, deadline=None, derandomize=True, database=None, print_blob=True,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "d2lad"))


def pytest_configure(config: pytest.Config) -> None:
    # hypothesis imports libcst to suggest a patch for each failing example, and libcst's
    # imports warn
    config.addinivalue_line("filterwarnings", "ignore::DeprecationWarning:libcst")


@pytest.fixture
def torch() -> Any:
    """PyTorch, the reference d2lad imitates; the test is skipped where it is not installed."""
    return pytest.importorskip("torch")
