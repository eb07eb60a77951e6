"""The scale extra (requirements-scale.txt) in the scoring tests: one rule for every module that needs it."""

from __future__ import annotations

import importlib
import os

import pytest


def require_scale(name: str, what: str):
    """A module of the scale extra: skipped without it (the reason says how to install it), unless
    LOSSX_REQUIRE_SCALE=1 (CI, which installs it), where its absence fails."""
    if os.environ.get("LOSSX_REQUIRE_SCALE") == "1":
        return importlib.import_module(name)
    return pytest.importorskip(name, reason=f"{what}: pip install -r requirements-scale.txt")
