"""drag_points under `--theme.base dark` (its own server: the theme is a CLI flag).

The server runs without the app's .streamlit/config.toml: its [theme.light] /
[theme.dark] sections follow the browser's colour scheme and would override the
flag. The app's own dark palette is checked in test_drag_points_browser.py."""

from __future__ import annotations

import pytest

from tests.browser import IDLE, screenshot, shots_dir
from tests.components.conftest import open_demo

pytestmark = pytest.mark.e2e

# Read by the `demo_url` fixture in conftest.py.
STREAMLIT_ARGS = ["--theme.base", "dark"]
APP_CONFIG = False

LUMINANCE_JS = """(el) => {
  const lum = (css) => {
    const m = css.match(/[\\d.]+/g).map(Number);
    return (0.2126 * m[0] + 0.7152 * m[1] + 0.0722 * m[2]) / 255;
  };
  const root = el.getRootNode();
  const target = root.querySelector('.dp-target');
  const tick = root.querySelector('.dp-tick');
  return {
    targetFill: lum(getComputedStyle(target).fill),
    targetStroke: lum(getComputedStyle(target).stroke),
    tickFill: lum(getComputedStyle(tick).fill),
    page: lum(getComputedStyle(document.querySelector('[data-testid="stApp"]')).backgroundColor),
  };
}"""


def test_dark_theme_colours_and_screenshot(browser, demo_url):
    from playwright.sync_api import expect

    page, errors = open_demo(browser, demo_url)
    try:
        handle = page.locator('.st-key-reg [role="slider"][aria-label="prediction 2"]')
        expect(handle).to_have_attribute("aria-valuenow", "2.00", timeout=15_000)
        lum = handle.evaluate(LUMINANCE_JS)
        assert lum["page"] < 0.2, lum  # the app really is dark
        assert lum["targetFill"] < 0.2 and lum["targetStroke"] > 0.7 and lum["tickFill"] > 0.7, lum
        handle.focus()
        page.keyboard.press("ArrowUp")
        page.wait_for_timeout(300)
        page.wait_for_selector(IDLE)
        screenshot(page, "drag_points_dark_top")
        page.locator(".st-key-logits").screenshot(path=str(shots_dir() / "drag_points_dark_bars.png"))
    finally:
        page.context.close()
    assert not errors, errors
