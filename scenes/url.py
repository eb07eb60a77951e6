"""Checks of a link's values: each returns the warnings to show (empty when the value is usable or absent).

A bound control whose link value is unusable falls back to its default; these say so, with the value quoted
inertly (``scenes.text.quote``).
"""

from __future__ import annotations

from scenes.text import quote


def check_int(text: str | None, lo: int, hi: int, what: str) -> list[str]:
    """A warning when a URL's integer is unusable (the bound widget then falls back to its default)."""
    if text is None:
        return []
    try:
        v = int(text)
        if lo <= v <= hi:
            return []
    except ValueError:
        pass
    return [f"The link's {what} ({quote(text)}) must be a whole number from {lo} to {hi}; using the default."]


def check_choice(text: str | None, options, what: str) -> list[str]:
    if text is None or text in options:
        return []
    return [
        f"The link's {what} ({quote(text)}) is not one of {', '.join(map(str, options))}; using the default."
    ]


def check_float(text: str | None, lo: float, hi: float, what: str) -> list[str]:
    if text is None:
        return []
    try:
        v = float(text)
        if lo <= v <= hi:
            return []
    except ValueError:
        pass
    return [f"The link's {what} ({quote(text)}) must be a number from {lo:g} to {hi:g}; using the default."]
