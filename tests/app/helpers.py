"""Shared by the AppTest tests: open a page through app.py (as a user does) and read its metrics."""

from __future__ import annotations

from pathlib import Path

from streamlit.testing.v1 import AppTest

APP = str(Path(__file__).resolve().parents[2] / "app.py")


def open_page(page: str, query: dict[str, str | list[str]] | None = None) -> AppTest:
    """Run app.py with ``query`` as the URL's query string, switch to ``page``, and fail on any exception."""
    at = AppTest.from_file(APP, default_timeout=30)
    for k, v in (query or {}).items():
        at.query_params[k] = v
    at.run()
    at.switch_page(page).run()
    assert not at.exception, [e.value for e in at.exception]
    return at


def metrics(at: AppTest) -> dict[str, str]:
    """Every st.metric on the page, label -> shown value."""
    return {m.label: m.value for m in at.metric}
