"""Browser tests: the running app in headless Chromium, driven by Playwright (harness: tests/browser.py).

Fixtures (request them by name in tests under tests/e2e/):
    app_url        session: base URL of ``streamlit run app.py``, e.g. "http://127.0.0.1:43121" (no trailing
                   slash); a page is f"{app_url}/catalogue". The server has served "/" once before it is
                   handed out (see ``_warm_up``).
    start_server   session: a factory ``start_server(*streamlit_args) -> url`` for another server (own port,
                   stopped at the end of the session), e.g. a cold one for deep-link tests.
    browser        session: Playwright Chromium (/usr/bin/chromium, headless), one per pytest run.
    page           function: a fresh page in a new 1280x720 context, light colour scheme; closed after.
    dark_page      function: the same with a dark colour scheme; the app follows it, because
                   .streamlit/config.toml defines [theme.light] and [theme.dark] and forces no base.

Helpers, plain functions (defined in tests/browser.py, importable from here too):
``from tests.e2e.conftest import open_app, wait_idle, screenshot, assert_no_exception``
    open_app(page, url) -> page            go to url and wait until the app has run
    wait_idle(page, timeout_ms=30000)      wait until the script has finished its (re)run
    screenshot(page, name, *, full=False)  PNG under $LOSSX_SHOTS or <tmp>/lossx_shots; returns its Path
    assert_no_exception(page)              fail with the text of any st.exception on the page

Every test in this folder is marked ``e2e`` (``-m e2e`` / ``-m "not e2e"``). Without /usr/bin/chromium or
the playwright package the tests are skipped, unless LOSSX_REQUIRE_BROWSER=1: then they fail.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.browser import (  # noqa: F401 - the fixtures browser and start_server; helpers re-exported
    assert_no_exception,
    browser_fixture,
    new_page,
    open_app,
    require_browser,
    screenshot,
    start_server_fixture,
    wait_idle,
)

HERE = Path(__file__).resolve().parent


# -- marking and skipping ---------------------------------------------------------------------------
def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Mark every test in this folder ``e2e`` (this hook sees all items, so filter by path)."""
    for item in items:
        if HERE in Path(item.path).resolve().parents:
            item.add_marker(pytest.mark.e2e)


@pytest.fixture(scope="session", autouse=True)
def _require_browser() -> None:
    """Skip the browser tests without Chromium, or fail them when LOSSX_REQUIRE_BROWSER=1 (CI)."""
    require_browser()


# -- the app ----------------------------------------------------------------------------------------
@pytest.fixture(scope="session")
def app_url(start_server, browser) -> str:
    """Base URL of the app, served for the whole session."""
    url = start_server()
    _warm_up(browser, url)
    return url


def _warm_up(browser, url: str) -> None:
    """Run the entrypoint once, so every test sees the same server state whichever page it opens first.

    Streamlit would treat a folder named pages/ beside the main script as a v1 multipage app until the
    entrypoint has called st.navigation once in the server process (why our pages live in views/; see
    test_deep_link_on_a_cold_server in test_home.py). Warming up keeps first-request effects out of timings.
    """
    pg = new_page(browser)
    try:
        open_app(pg, url)
    finally:
        pg.context.close()


# -- pages ------------------------------------------------------------------------------------------
@pytest.fixture
def page(browser):
    """A fresh page (new context: no cookies or stored theme), 1280x720, light colour scheme."""
    pg = new_page(browser, color_scheme="light")
    yield pg
    pg.context.close()


@pytest.fixture
def dark_page(browser):
    """Like ``page`` but the browser prefers a dark colour scheme, so the app renders its dark theme."""
    pg = new_page(browser, color_scheme="dark")
    yield pg
    pg.context.close()
