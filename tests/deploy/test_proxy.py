"""deploy/serve.py: two replicas of the app behind Debian's nginx, driven through the proxy.

Websocket clients (deploy/client.py, Streamlit's browser protocol, with the Origin header a browser sends)
and two Chromium sessions each land on their own replica and run /regression; a session stays on its
replica; the frontend comes pre-compressed from nginx. Skipped without nginx (apt-get install -y nginx)
unless LOSSX_REQUIRE_BROWSER=1, which makes it fail instead; the Chromium test also needs Chromium.
"""

from __future__ import annotations

import asyncio
import concurrent.futures
import gzip
import os
import shutil
import tempfile
import time
import urllib.request
from pathlib import Path

import pytest

from deploy import serve
from tests.browser import (  # noqa: F401 - the browser fixture
    IDLE,
    assert_no_exception,
    browser_fixture,
    metric,
    new_page,
    open_app,
)


def _require_nginx() -> None:
    reason = serve.nginx_missing()
    if reason is None:
        return
    if os.environ.get("LOSSX_REQUIRE_BROWSER") == "1":
        pytest.fail(f"the proxy test is required (LOSSX_REQUIRE_BROWSER=1) but {reason}", pytrace=False)
    pytest.skip(f"proxy test skipped: {reason}")


@pytest.fixture(scope="module")
def hall():
    _require_nginx()
    # under /tmp, not pytest's private tmp: nginx's workers (nobody, when run as root) read it
    run_dir = Path(tempfile.mkdtemp(prefix="lossx-hall-test-"))
    try:
        with serve.Hall(replicas=2, port=serve.free_port(), run_dir=run_dir) as h:
            yield h
    finally:
        shutil.rmtree(run_dir, ignore_errors=True)


@pytest.fixture(scope="module")
def pins(hall) -> dict[str, str]:
    """A sticky cookie for each replica: {replica address: cookie value}."""
    found = serve.cookies_per_replica(hall.url, 2)
    assert sorted(found) == sorted(u.removeprefix("http://") for u in hall.replica_urls), found
    return found


def test_each_replica_runs_a_session_through_the_proxy(hall, pins) -> None:
    async def both() -> list[dict]:
        return await asyncio.gather(*(serve.drive(hall.url, c, origin=hall.url) for c in pins.values()))

    # in a thread of its own: the session's Playwright (the browser fixture) keeps an event loop running
    # in this one, where asyncio.run() is refused
    with concurrent.futures.ThreadPoolExecutor(max_workers=1) as pool:
        results = pool.submit(asyncio.run, both()).result(timeout=120)
    for (replica, _), r in zip(pins.items(), results, strict=True):
        assert r["replica"] == replica  # the websocket went where the cookie pins
        assert set(r["before"]) >= {"MSE", "MAE", "Huber"}, r["before"]
        assert r["after"]["MSE"] != r["before"]["MSE"]  # the drag reran the page's fragment on that replica
        assert r["wire_bytes"] < r["payload_bytes"]  # permessage-deflate through the proxy
    assert {r["replica"] for r in results} == set(pins)
    assert results[0]["session_id"] != results[1]["session_id"]


def test_a_visit_stays_on_its_replica(hall, pins) -> None:
    for replica, cookie in pins.items():
        assert {serve.replica_of(hall.url, cookie) for _ in range(8)} == {replica}
    with urllib.request.urlopen(f"{hall.url}/regression", timeout=10) as first:  # no cookie yet
        assert first.status == 200
        served_by, set_cookie = first.headers["X-Lossx-Replica"], first.headers["Set-Cookie"]
    assert set_cookie.startswith(f"{serve.COOKIE}=") and "Path=/" in set_cookie
    cookie = set_cookie.split(";")[0].split("=", 1)[1]
    assert {serve.replica_of(hall.url, cookie) for _ in range(5)} == {served_by}


def test_the_frontend_comes_precompressed_from_nginx(hall) -> None:
    from streamlit import file_util

    folder = Path(file_util.get_static_dir()) / "static" / "js"
    js = max(folder.glob("*.js"), key=lambda p: p.stat().st_size)  # the Plotly chunk
    url = f"{hall.url}/static/js/{js.name}"
    req = urllib.request.Request(url, headers={"Accept-Encoding": "gzip"})
    with urllib.request.urlopen(req, timeout=30) as r:
        body = r.read()
        assert r.headers["Content-Encoding"] == "gzip"
        assert "X-Lossx-Replica" not in r.headers  # nginx served it, no replica was asked
        assert "immutable" in r.headers["Cache-Control"]
    assert len(body) < js.stat().st_size / 2
    assert gzip.decompress(body) == js.read_bytes()
    with urllib.request.urlopen(url, timeout=30) as r:  # a client without gzip gets the file as it is
        assert r.headers.get("Content-Encoding") is None and r.read() == js.read_bytes()


def _installed(url: str) -> Path:
    """The installed file behind a URL under /static/."""
    from streamlit import file_util

    return Path(file_util.get_static_dir()) / "static" / url.split("/static/", 1)[1]


@pytest.mark.e2e
def test_two_browsers_each_on_a_replica(hall, pins, browser) -> None:
    host = hall.url.removeprefix("http://").split(":")[0]
    log = hall.run_dir / "access.log"
    for replica, cookie in pins.items():
        seen = log.stat().st_size
        page = new_page(browser)
        page.context.add_cookies([{"name": serve.COOKIE, "value": cookie, "domain": host, "path": "/"}])
        try:
            encodings, stream = [], []
            page.on("response", lambda r, got=encodings: r.url.endswith(".js") and got.append(
                (r.url, r.headers.get("content-encoding"))))  # fmt: skip
            page.on("websocket", lambda ws, got=stream: got.append(ws.url))
            open_app(page, f"{hall.url}/regression")
            assert_no_exception(page)
            before = metric(page, "MSE")
            handle = page.locator('.st-key-reg_free [role="slider"][aria-label="prediction 2"]')
            handle.focus()
            page.keyboard.press("ArrowUp")
            page.wait_for_function(
                """([old]) => [...document.querySelectorAll('[data-testid="stMetric"]')]
                    .find(m => m.querySelector('[data-testid="stMetricLabel"]')?.innerText.trim() === "MSE")
                    ?.querySelector('[data-testid="stMetricValue"]')?.innerText !== old""",
                arg=[before],
            )
            page.wait_for_selector(IDLE)
            assert_no_exception(page)
            assert stream and stream[0].startswith(f"ws://{host}:{hall.port}/_stcore/stream")
            # every script of 1 KB and more came gzipped (the .gz beside it); smaller ones are not worth it
            plain = [u for u, e in encodings if e != "gzip" and _installed(u).stat().st_size >= 1024]
            assert len(encodings) > 10 and not plain, plain
        finally:
            page.context.close()
        # nginx logs a websocket when it closes: this browser's went to the replica its cookie pins
        deadline = time.monotonic() + 10
        while True:
            with log.open() as f:
                f.seek(seen)
                streams = [line for line in f if '"GET /_stcore/stream' in line]
            if streams or time.monotonic() > deadline:
                break
            time.sleep(0.2)
        assert streams and all('" 101 ' in line and line.rstrip().endswith(f"-> {replica}")
                               for line in streams), streams  # fmt: skip
