"""Browser fixtures for the drag_points tests: the demo app (demo_app.py) served per test module, and the
run's one headless Debian Chromium (harness: tests/browser.py; never `playwright install`).

    browser     session: Playwright Chromium, shared with tests/e2e
    demo_url    module: base URL of ``streamlit run tests/components/demo_app.py``. A module may set
                STREAMLIT_ARGS (e.g. ["--theme.base", "dark"]) and APP_CONFIG = False to run without the
                app's .streamlit/config.toml (whose [theme.light]/[theme.dark] would override the flag).
    open_demo(browser, url, **context_args) -> (page, errors)   a plain helper, see below
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.browser import IDLE, REPO_ROOT, browser_fixture, new_page, streamlit_server  # noqa: F401

DEMO = Path(__file__).resolve().with_name("demo_app.py")


@pytest.fixture(scope="module")
def demo_url(browser, request: pytest.FixtureRequest, tmp_path_factory) -> Iterator[str]:
    """One demo server per test module (its theme flags differ), stopped when the module is done."""
    args = getattr(request.module, "STREAMLIT_ARGS", [])
    # cwd=the repository: the app's .streamlit/config.toml (its light and dark themes) applies.
    # cwd=this folder: Streamlit's built-in themes, so --theme.base works.
    cwd = REPO_ROOT if getattr(request.module, "APP_CONFIG", True) else DEMO.parent
    with streamlit_server(DEMO, *args, cwd=cwd, log_dir=tmp_path_factory.mktemp("demo_server")) as url:
        yield url


def open_demo(browser, url: str, **context_args):
    """The demo in a fresh page, once it has run; returns (page, errors), ``errors`` collecting the page's
    uncaught JavaScript errors from the start. Close it with ``page.context.close()``."""
    page = new_page(browser, **context_args)
    errors: list[str] = []
    page.on("pageerror", lambda e: errors.append(str(e)))
    page.goto(url)
    page.wait_for_selector(IDLE)
    return page, errors
