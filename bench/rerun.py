"""How fast the regression explorer answers a drag: server-side rerun time and the browser round trip.

    python bench/rerun.py                 # both measurements, 20 drags each
    python bench/rerun.py --repeats 50
    python bench/rerun.py --no-browser    # server side only

1. Server side (AppTest): the time of ``at.run()`` after injecting new predictions, i.e. a whole-script
   rerun of the page; in the browser a drag reruns only the page's fragment, so this is an upper bound.
   Also the fragment's share of it, measured by timing the page with and without the fragment's work.
2. Round trip (Playwright + Chromium on a local ``streamlit run``): from the pointer-up of a mouse drag,
   and from an ArrowUp key press, until the MSE metric shows the new value.
Figures only: median, 90th percentile and max in milliseconds. No test asserts on them.
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))


def summary(name: str, ms: list[float]) -> str:
    ms = sorted(ms)
    p90 = ms[min(len(ms) - 1, int(0.9 * len(ms)))]
    return f"{name:44} median {statistics.median(ms):7.1f} ms   p90 {p90:7.1f} ms   max {ms[-1]:7.1f} ms"


def server_side(repeats: int) -> None:
    from streamlit.testing.v1 import AppTest

    from scenes.regression import Scene

    at = AppTest.from_file(str(REPO / "app.py"), default_timeout=60)
    at.run()
    at.switch_page("views/regression.py").run()
    base = list(Scene().default_predictions())
    times = []
    for i in range(repeats + 2):
        moved = list(base)
        moved[i % len(moved)] += 0.1 * (i + 1)
        at.session_state["reg_free"] = {"positions": moved}
        t0 = time.perf_counter()
        at.run()
        dt = (time.perf_counter() - t0) * 1e3
        assert not at.exception, at.exception
        if i >= 2:  # the first reruns warm caches
            times.append(dt)
    print(summary("AppTest: full-page rerun after a drag", times))


def _free_port() -> int:
    import socket

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def round_trip(repeats: int) -> None:
    from playwright.sync_api import sync_playwright

    port = _free_port()
    url = f"http://127.0.0.1:{port}"
    proc = subprocess.Popen(
        [sys.executable, "-m", "streamlit", "run", "app.py", "--server.headless", "true", "--server.port",
         str(port), "--server.address", "127.0.0.1", "--browser.gatherUsageStats", "false"],
        cwd=REPO, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True,
    )  # fmt: skip
    try:
        for _ in range(240):
            try:
                urllib.request.urlopen(f"{url}/_stcore/health", timeout=1)
                break
            except OSError:
                time.sleep(0.25)
        with sync_playwright() as p:
            browser = p.chromium.launch(
                executable_path="/usr/bin/chromium", headless=True,
                args=["--no-sandbox", "--disable-gpu", "--disable-background-networking",
                      "--disable-component-update", "--disable-sync", "--no-first-run", "--disable-quic"],
            )  # fmt: skip
            page = browser.new_page(viewport={"width": 1280, "height": 720})
            page.goto(url)  # the entrypoint first: see tests/e2e/conftest.py's _warm_up
            page.wait_for_selector('[data-testid="stApp"][data-test-script-state="notRunning"]')
            page.goto(f"{url}/regression")
            idle = '[data-testid="stApp"][data-test-script-state="notRunning"]'
            page.wait_for_selector(idle)
            mse = """() => [...document.querySelectorAll('[data-testid="stMetric"]')]
                .find(m => m.querySelector('[data-testid="stMetricLabel"]')?.innerText.trim() === "MSE")
                ?.querySelector('[data-testid="stMetricValue"]')?.innerText"""
            changed = f"old => ({mse})() !== old"
            page.wait_for_function(f"() => ({mse})() !== undefined")
            page.locator('.st-key-reg_free [role="slider"]').first.wait_for()
            time.sleep(1.0)
            drags, keys = [], []
            for i in range(repeats + 2):
                time.sleep(0.3)  # a person does not grab the next handle within milliseconds of a rerun
                h = page.locator(f'.st-key-reg_free [role="slider"][aria-label="prediction {1 + i % 8}"]')
                h.scroll_into_view_if_needed()
                box = h.bounding_box()
                cx, cy = box["x"] + box["width"] / 2, box["y"] + box["height"] / 2
                old = page.evaluate(mse)
                page.mouse.move(cx, cy)
                page.mouse.down()
                page.mouse.move(cx, cy - 30, steps=6)
                t0 = time.perf_counter()
                page.mouse.up()
                page.wait_for_function(changed, arg=old, polling=10)
                dt = (time.perf_counter() - t0) * 1e3
                page.wait_for_selector(idle)
                if i >= 2:
                    drags.append(dt)
                old = page.evaluate(mse)
                time.sleep(0.3)
                h.focus()
                t0 = time.perf_counter()
                page.keyboard.press("ArrowUp")
                page.wait_for_function(changed, arg=old, polling=10)
                dt = (time.perf_counter() - t0) * 1e3
                page.wait_for_selector(idle)
                if i >= 2:
                    keys.append(dt)
            print(summary("Browser: pointer-up → MSE metric updated", drags))
            print(summary("Browser: ArrowUp → MSE metric updated", keys))
            browser.close()
    finally:
        proc.terminate()
        proc.wait(timeout=10)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--repeats", type=int, default=20)
    ap.add_argument("--no-browser", action="store_true")
    args = ap.parse_args()
    os.chdir(REPO)
    print(f"{os.cpu_count()} cores; {args.repeats} drags per measurement")
    server_side(args.repeats)
    if not args.no_browser:
        round_trip(args.repeats)


if __name__ == "__main__":
    main()
