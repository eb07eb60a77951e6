"""Modules imported on first use, so that ``import scoring.cli`` (and ``python -m scoring --help``) does not
pay for pandas: 0.3 s of a 0.5 s start-up, before any file is read.

>>> pd = later("pandas", globals(), "pd")   # at module level, in place of ``import pandas as pd``
"""

from __future__ import annotations

import importlib
from typing import Any


class later:  # noqa: N801 - used like the module it stands for
    """Stands for module ``name``; the first attribute looked up imports it and puts the module itself in
    ``namespace[alias]`` (the importing module's globals), so later lookups cost nothing."""

    def __init__(self, name: str, namespace: dict[str, Any], alias: str):
        self._name, self._namespace, self._alias = name, namespace, alias

    def __getattr__(self, attr: str) -> Any:
        module = importlib.import_module(self._name)
        self._namespace[self._alias] = module
        return getattr(module, attr)

    def __repr__(self) -> str:
        return f"<{self._name}, imported on first use>"
