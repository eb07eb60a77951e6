"""Screenshots for a person to look at; they are written, never compared (tests assert what a user sees).

    python bench/shots.py        # PNGs under $LOSSX_SHOTS (default: <tempdir>/lossx_shots)

- drag_points_light_top.png, _line.png, _bars.png: the drag_points demo (tests/components/demo_app.py) in
  the app's light theme, after an ArrowUp on a handle (its value tooltip shown) and with a bar focused.

The tests write the other shots beside their assertions (tests/e2e/, tests/components/). Uses the tests'
harness (tests/browser.py): Debian's /usr/bin/chromium, a Streamlit server on a free port.
"""

from __future__ import annotations

import sys
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from tests.browser import (  # noqa: E402 - after the path insert
    IDLE,
    browser_missing,
    launch_chromium,
    new_page,
    screenshot,
    shots_dir,
    streamlit_server,
)

DEMO = REPO / "tests" / "components" / "demo_app.py"


def drag_points_light(browser) -> list[Path]:
    from playwright.sync_api import expect

    with streamlit_server(DEMO) as url:
        page = new_page(browser, color_scheme="light")
        try:
            page.goto(url)
            page.wait_for_selector(IDLE)
            expect(page.locator('[role="slider"]')).to_have_count(10, timeout=15_000)
            page.locator('[role="slider"][aria-label="prediction 3"]').focus()
            page.keyboard.press("ArrowUp")
            page.wait_for_timeout(300)
            page.wait_for_selector(IDLE)
            paths = [screenshot(page, "drag_points_light_top")]
            paths.append(shots_dir() / "drag_points_light_line.png")
            page.locator(".st-key-line").screenshot(path=str(paths[-1]))
            page.locator('[role="slider"][aria-label="logit cat"]').focus()
            paths.append(shots_dir() / "drag_points_light_bars.png")
            page.locator(".st-key-logits").screenshot(path=str(paths[-1]))
            return paths
        finally:
            page.context.close()


def main() -> int:
    reason = browser_missing()
    if reason:
        print(f"cannot take screenshots: {reason}", file=sys.stderr)
        return 1
    from playwright.sync_api import sync_playwright

    with sync_playwright() as pw:
        browser = launch_chromium(pw)
        try:
            for path in drag_points_light(browser):
                print(path)
        finally:
            browser.close()
    return 0


if __name__ == "__main__":
    sys.exit(main())
