"""The one browser harness: a Streamlit server runner, Debian's Chromium, the screenshot folder, page helpers.

Used by tests/e2e/conftest.py (the app), tests/components/conftest.py (the drag_points demo app) and
bench/shots.py (screenshots only). Plain functions work outside pytest too; the fixtures are imported into
each conftest that needs them (``from tests.browser import browser_fixture``: a fixture named by its
``name=``, so the import does not shadow the tests' ``browser`` argument).

    require_browser()                        skip without Chromium/Playwright; fail if LOSSX_REQUIRE_BROWSER=1
    streamlit_server(script, *args, ...)     context manager: ``streamlit run`` on a free port -> its base URL
    launch_chromium(playwright)              /usr/bin/chromium, headless, with CHROMIUM_ARGS
    new_page(browser, **context_args)        a page in a fresh 1280x720 context
    shots_dir() / screenshot(page, name)     PNGs under $LOSSX_SHOTS, default <tempdir>/lossx_shots
    wait_idle(page) / open_app(page, url)    wait until the script has (re)run
    assert_no_exception(page)                fail with the text of any exception the page shows

Fixtures: ``browser`` (session; one Chromium per pytest run, however many conftests import the fixture)
and ``start_server`` (session; a factory ``start_server(*streamlit_args, script="app.py") -> url``).
"""

from __future__ import annotations

import contextlib
import os
import socket
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pytest

REPO_ROOT = Path(__file__).resolve().parents[1]
CHROMIUM = Path("/usr/bin/chromium")
#: Flags for a sandbox without network: no background requests, no GPU, no first-run UI.
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--disable-quic",
]
VIEWPORT = {"width": 1280, "height": 720}
#: The app has finished its (re)run.
IDLE = '[data-testid="stApp"][data-test-script-state="notRunning"]'
CONNECTED = '[data-testid="stApp"][data-test-connection-state="CONNECTED"]'
#: A placeholder the frontend shows while an element's code is still loading (a lazy React chunk).
SKELETON = '[data-testid="stSkeleton"]'
SERVER_START_TIMEOUT_S = 60


# -- skip or fail -----------------------------------------------------------------------------------
def browser_missing() -> str | None:
    """Why the browser tests cannot run here, or None."""
    if not CHROMIUM.exists():
        return f"{CHROMIUM} not found (install it: apt-get update && apt-get install -y chromium)"
    try:
        import playwright.sync_api  # noqa: F401
    except ImportError:
        return "the playwright package is not installed (pip install -r requirements-dev.txt)"
    return None


def require_browser() -> None:
    """Skip without Chromium or Playwright; fail instead when LOSSX_REQUIRE_BROWSER=1 (CI)."""
    reason = browser_missing()
    if reason is None:
        return
    if os.environ.get("LOSSX_REQUIRE_BROWSER") == "1":
        pytest.fail(f"browser tests required (LOSSX_REQUIRE_BROWSER=1) but {reason}", pytrace=False)
    pytest.skip(f"browser tests skipped: {reason}")


# -- the server -------------------------------------------------------------------------------------
def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@contextlib.contextmanager
def streamlit_server(
    script: str | Path = "app.py", *streamlit_args: str, cwd: Path = REPO_ROOT, log_dir: Path | None = None
) -> Iterator[str]:
    """Run ``streamlit run script`` on a free port; yield its base URL once healthy; stop it by its own PID.

    ``cwd`` decides which ``.streamlit/config.toml`` applies: the repository's (the app's light and dark
    themes, which follow the browser's colour scheme and override ``--theme.base``) or none. The repository
    is on PYTHONPATH, so a script outside it imports ``components``, ``losses`` etc. The output goes to
    ``log_dir/streamlit-<port>.log``; if the server dies or is not healthy in time, the call fails with it.
    """
    port = free_port()
    url = f"http://127.0.0.1:{port}"
    log_dir = Path(log_dir or tempfile.mkdtemp(prefix="lossx_server_"))
    log_path = log_dir / f"streamlit-{port}.log"
    cmd = [
        sys.executable, "-m", "streamlit", "run", str(script),
        "--server.headless", "true",
        "--server.port", str(port),
        "--server.address", "127.0.0.1",
        "--browser.gatherUsageStats", "false",
        "--server.fileWatcherType", "none",
        *streamlit_args,
    ]  # fmt: skip
    path = os.pathsep.join(p for p in (str(REPO_ROOT), os.environ.get("PYTHONPATH")) if p)
    env = {**os.environ, "PYTHONUNBUFFERED": "1", "PYTHONPATH": path}
    with open(log_path, "wb") as log:
        # Own session: a Ctrl-C in the terminal reaches pytest only, which then stops the server.
        proc = subprocess.Popen(
            cmd, cwd=cwd, stdout=log, stderr=subprocess.STDOUT, env=env, start_new_session=True
        )
    try:
        _wait_healthy(proc, url, log_path)
        yield url
    finally:
        proc.terminate()  # this process only, by its PID
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


@pytest.fixture(scope="session", name="start_server")
def start_server_fixture(tmp_path_factory: pytest.TempPathFactory):
    """Factory: ``start_server(*streamlit_args, script="app.py", cwd=REPO_ROOT) -> url``, each on its own
    port, all stopped at the end of the session."""
    with contextlib.ExitStack() as stack:

        def start(*streamlit_args: str, script: str | Path = "app.py", cwd: Path = REPO_ROOT) -> str:
            log_dir = tmp_path_factory.mktemp("server")
            return stack.enter_context(streamlit_server(script, *streamlit_args, cwd=cwd, log_dir=log_dir))

        yield start


# -- the browser ------------------------------------------------------------------------------------
def launch_chromium(playwright):
    """Debian's Chromium, headless, with the sandbox flags (never Playwright's own download)."""
    return playwright.chromium.launch(executable_path=str(CHROMIUM), headless=True, args=CHROMIUM_ARGS)


_BROWSER_KEY = pytest.StashKey[object]()


@pytest.fixture(scope="session", name="browser")
def browser_fixture(request: pytest.FixtureRequest):
    """The run's one Chromium. Kept in the pytest config, not in the fixture: each conftest that imports
    this fixture gets its own copy of it, and a second ``sync_playwright()`` while one runs is an error."""
    require_browser()
    config = request.config
    if _BROWSER_KEY not in config.stash:
        from playwright.sync_api import sync_playwright

        pw = sync_playwright().start()
        try:
            launched = launch_chromium(pw)
        except BaseException:
            pw.stop()
            raise

        def close() -> None:
            try:
                launched.close()
            finally:
                pw.stop()

        config.add_cleanup(close)
        config.stash[_BROWSER_KEY] = launched
    return config.stash[_BROWSER_KEY]


def new_page(browser, **context_args):
    """A page in a fresh context (no cookies, no stored theme), 1280x720 unless ``viewport`` is given.
    Close it with ``page.context.close()``."""
    context = browser.new_context(**{"viewport": VIEWPORT, **context_args})
    page = context.new_page()
    page.set_default_timeout(30_000)
    return page


# -- screenshots ------------------------------------------------------------------------------------
def shots_dir() -> Path:
    """Where screenshots go: $LOSSX_SHOTS, default <tempdir>/lossx_shots (created)."""
    path = Path(os.environ.get("LOSSX_SHOTS") or Path(tempfile.gettempdir()) / "lossx_shots")
    path.mkdir(parents=True, exist_ok=True)
    return path


def screenshot(page, name: str, *, full: bool = False) -> Path:
    """Save a screenshot as <shots>/<name>.png and return its path.

    ``full=False``: the viewport, as a visitor sees it. ``full=True``: the whole page; Streamlit scrolls
    inside ``stMain``, not the document, so the viewport is stretched to the content's height for the shot.
    """
    path = shots_dir() / f"{name}.png"
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


# -- waiting and checking ---------------------------------------------------------------------------
def wait_idle(page, timeout_ms: float = 30_000) -> None:
    """Wait until the app's script has finished running (after a load or an interaction).

    An interaction starts a rerun a moment after the event, so the run state is sampled twice around a
    short pause: this does not return in the gap between a click and the rerun it triggers. After a
    load, the frontend can still show skeletons for a second once the run has finished (buttons and
    charts are lazy chunks): a key pressed then has no button to reach, so this waits them out too.
    """
    page.wait_for_selector(CONNECTED, timeout=timeout_ms)
    page.wait_for_selector(IDLE, timeout=timeout_ms)
    page.wait_for_timeout(150)
    page.wait_for_selector(IDLE, timeout=timeout_ms)
    page.wait_for_selector(SKELETON, state="detached", timeout=timeout_ms)


def open_app(page, url: str, timeout_ms: float = 30_000):
    """Go to ``url`` (e.g. f"{app_url}/catalogue?category=binary") and wait until the app has run."""
    page.goto(url)
    page.wait_for_selector('[data-testid="stAppViewContainer"]', timeout=timeout_ms)
    wait_idle(page, timeout_ms)
    return page


def assert_no_exception(page) -> None:
    """Fail with the shown text if the app displays an exception (st.exception or an uncaught error)."""
    shown = page.locator('[data-testid="stException"]')
    if shown.count():
        pytest.fail(f"the app shows an exception on {page.url}:\n{shown.first.inner_text()}", pytrace=False)


# -- reading what the app shows ----------------------------------------------------------------------
def handle_positions(page, selector: str):
    """The drag handles' values (aria-valuenow) under ``selector``, as a float array."""
    import numpy as np

    values = page.locator(selector).evaluate_all("els => els.map(e => e.getAttribute('aria-valuenow'))")
    return np.array([float(v) for v in values])


def metric(page, label: str) -> str:
    """The shown value of the st.metric whose label is exactly ``label``."""
    import re

    box = page.locator('[data-testid="stMetric"]').filter(
        has=page.locator('[data-testid="stMetricLabel"]', has_text=re.compile(f"^{re.escape(label)}$"))
    )
    return box.first.locator('[data-testid="stMetricValue"]').inner_text().strip()


def wait_for_metric(page, label: str, expected: str, timeout_ms: float = 15_000) -> None:
    """Wait until the metric ``label`` shows ``expected`` (a rerun has landed); if it never does, fail
    with what the page shows instead (every metric's text, exactly, and the link)."""
    from playwright.sync_api import TimeoutError as PlaywrightTimeout

    try:
        page.wait_for_function(
            """([label, expected]) => [...document.querySelectorAll('[data-testid="stMetric"]')].some(m =>
                 m.querySelector('[data-testid="stMetricLabel"]')?.innerText.trim() === label &&
                 m.querySelector('[data-testid="stMetricValue"]')?.innerText.trim() === expected)""",
            arg=[label, expected],
            timeout=timeout_ms,
        )
    except PlaywrightTimeout:
        shown = page.locator('[data-testid="stMetric"]').all_inner_texts()
        pytest.fail(f"{label!r} never showed {expected!r} on {page.url}; the metrics show {shown!r}",
                    pytrace=False)


def open_page_with(page, url: str, ready: str):
    """Open ``url``, wait until the app has run and ``ready`` (a selector) is there; no exception shown."""
    open_app(page, url)
    page.locator(ready).first.wait_for()
    assert_no_exception(page)
    return page
