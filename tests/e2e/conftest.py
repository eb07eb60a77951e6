"""Browser tests: the running app in headless Chromium, driven by Playwright.

Fixtures (request them by name in tests under tests/e2e/):
    app_url        session: base URL of ``streamlit run app.py``, e.g. "http://127.0.0.1:43121" (no trailing
                   slash); a page is f"{app_url}/catalogue". The server has served "/" once before it is
                   handed out (see ``_warm_up``).
    start_server   session: a factory ``start_server(*streamlit_args) -> url`` for another server (own port,
                   stopped at the end of the session), e.g. a cold one for deep-link tests.
    browser        session: Playwright Chromium (/usr/bin/chromium, headless).
    page           function: a fresh page in a new 1280x720 context, light colour scheme; closed after.
    dark_page      function: the same with a dark colour scheme; the app follows it, because
                   .streamlit/config.toml defines [theme.light] and [theme.dark] and forces no base.

Helpers, plain functions: ``from tests.e2e.conftest import open_app, wait_idle, screenshot``
    open_app(page, url) -> page            go to url and wait until the app has run
    wait_idle(page, timeout_ms=30000)      wait until the script has finished its (re)run
    screenshot(page, name, *, full=False)  PNG under $LOSSX_SHOTS or <tmp>/lossx_shots; returns its Path
    assert_no_exception(page)              fail with the text of any st.exception on the page

Every test in this folder is marked ``e2e`` (``-m e2e`` / ``-m "not e2e"``). Without /usr/bin/chromium or
the playwright package the tests are skipped, unless LOSSX_REQUIRE_BROWSER=1: then they fail.
"""

from __future__ import annotations

import contextlib
import os
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.browser import CHROMIUM, CHROMIUM_ARGS, IDLE, free_port, require_browser

REPO_ROOT = Path(__file__).resolve().parents[2]
VIEWPORT = {"width": 1280, "height": 720}
SHOT_DIR = Path(os.environ.get("LOSSX_SHOTS") or Path(tempfile.gettempdir()) / "lossx_shots")
SERVER_START_TIMEOUT_S = 60
CONNECTED = '[data-testid="stApp"][data-test-connection-state="CONNECTED"]'
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


# -- the server -------------------------------------------------------------------------------------
def _start_server(log_dir: Path, *extra_args: str) -> Iterator[str]:
    """Run ``streamlit run app.py`` on a free port; yield its base URL; stop it by its own PID."""
    port = free_port()
    url = f"http://127.0.0.1:{port}"
    log_path = log_dir / f"streamlit-{port}.log"
    cmd = [
        sys.executable, "-m", "streamlit", "run", "app.py",
        "--server.headless", "true",
        "--server.port", str(port),
        "--server.address", "127.0.0.1",
        "--browser.gatherUsageStats", "false",
        "--server.fileWatcherType", "none",
        *extra_args,
    ]  # fmt: skip
    env = {**os.environ, "PYTHONUNBUFFERED": "1"}
    with open(log_path, "wb") as log:
        # Own process group/session: a Ctrl-C in the terminal reaches pytest, which then stops the server.
        proc = subprocess.Popen(
            cmd, cwd=REPO_ROOT, stdout=log, stderr=subprocess.STDOUT, env=env, start_new_session=True
        )
    try:
        _wait_healthy(proc, url, log_path)
        yield url
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait(timeout=10)


def _wait_healthy(proc: subprocess.Popen, url: str, log_path: Path) -> None:
    deadline = time.monotonic() + SERVER_START_TIMEOUT_S
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            pytest.fail(
                f"streamlit exited with code {proc.returncode} before it was healthy; its output:\n"
                f"{log_path.read_text(errors='replace')}",
                pytrace=False,
            )
        try:
            with urllib.request.urlopen(f"{url}/_stcore/health", timeout=2) as r:
                if r.status == 200:
                    return
        except (urllib.error.URLError, ConnectionError, TimeoutError):
            pass
        time.sleep(0.25)
    pytest.fail(
        f"streamlit was not healthy at {url}/_stcore/health within {SERVER_START_TIMEOUT_S} s; its output:\n"
        f"{log_path.read_text(errors='replace')}",
        pytrace=False,
    )


@pytest.fixture(scope="session")
def start_server(tmp_path_factory: pytest.TempPathFactory):
    """Factory: start ``streamlit run app.py *args`` on a free port and return its URL (stopped at exit)."""
    with contextlib.ExitStack() as stack:

        def start(*streamlit_args: str) -> str:
            servers = _start_server(tmp_path_factory.mktemp("server"), *streamlit_args)
            stack.callback(servers.close)  # runs the generator's cleanup: stop the server
            return next(servers)

        yield start


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
    context = browser.new_context(viewport=VIEWPORT)
    try:
        open_app(context.new_page(), url)
    finally:
        context.close()


# -- the browser ------------------------------------------------------------------------------------
@pytest.fixture(scope="session")
def browser():
    from playwright.sync_api import sync_playwright

    with sync_playwright() as pw:
        b = pw.chromium.launch(executable_path=str(CHROMIUM), headless=True, args=CHROMIUM_ARGS)
        try:
            yield b
        finally:
            b.close()


def _new_page(browser, **context_args):
    context = browser.new_context(viewport=VIEWPORT, **context_args)
    pg = context.new_page()
    pg.set_default_timeout(30_000)
    return context, pg


@pytest.fixture
def page(browser):
    """A fresh page (new context: no cookies or stored theme), 1280x720, light colour scheme."""
    context, pg = _new_page(browser, color_scheme="light")
    yield pg
    context.close()


@pytest.fixture
def dark_page(browser):
    """Like ``page`` but the browser prefers a dark colour scheme, so the app renders its dark theme."""
    context, pg = _new_page(browser, color_scheme="dark")
    yield pg
    context.close()


# -- helpers ----------------------------------------------------------------------------------------
def wait_idle(page, timeout_ms: float = 30_000) -> None:
    """Wait until the app's script has finished running (after a load or an interaction).

    An interaction starts a rerun a moment after the event, so the run state is sampled twice around a
    short pause: this does not return in the gap between a click and the rerun it triggers.
    """
    page.wait_for_selector(CONNECTED, timeout=timeout_ms)
    page.wait_for_selector(IDLE, timeout=timeout_ms)
    page.wait_for_timeout(150)
    page.wait_for_selector(IDLE, timeout=timeout_ms)


def open_app(page, url: str, timeout_ms: float = 30_000):
    """Go to ``url`` (e.g. f"{app_url}/catalogue?category=binary") and wait until the app has run."""
    page.goto(url)
    page.wait_for_selector('[data-testid="stAppViewContainer"]', timeout=timeout_ms)
    wait_idle(page, timeout_ms)
    return page


def screenshot(page, name: str, *, full: bool = False) -> Path:
    """Save a screenshot as <shots>/<name>.png and return its path.

    ``full=False``: the viewport, as a visitor sees it. ``full=True``: the whole page; Streamlit scrolls
    inside ``stMain``, not the document, so the viewport is stretched to the content's height for the shot.
    """
    SHOT_DIR.mkdir(parents=True, exist_ok=True)
    path = SHOT_DIR / f"{name}.png"
    if not full:
        page.screenshot(path=str(path))
        return path
    size = page.viewport_size or VIEWPORT
    height = page.locator('[data-testid="stMain"]').evaluate("el => el.scrollHeight")
    page.set_viewport_size({"width": size["width"], "height": min(max(height, size["height"]), 16_000)})
    try:
        page.wait_for_timeout(200)  # let the layout settle at the new size
        page.screenshot(path=str(path))
    finally:
        page.set_viewport_size(size)
    return path


def assert_no_exception(page) -> None:
    """Fail with the shown text if the app displays an exception (st.exception or an uncaught error)."""
    shown = page.locator('[data-testid="stException"]')
    if shown.count():
        pytest.fail(f"the app shows an exception on {page.url}:\n{shown.first.inner_text()}", pytrace=False)
