"""The multi-class explorer in a real browser: raise a logit with the keyboard or the mouse and compare the
cross-entropy metrics with the core's value for the bars' positions (aria-valuenow)."""

from __future__ import annotations

import numpy as np

import losses
from charts.style import format_metric as fmt
from losses.multiclass import softmax
from scenes import multiclass as sc
from tests.browser import handle_positions as positions
from tests.browser import metric, open_page_with, wait_for_metric
from tests.e2e.conftest import assert_no_exception, screenshot, wait_idle

BARS = '.st-key-mc_z [role="slider"]'
DOG = sc.names(4).index("dog")


def ce(z: np.ndarray, true: int = DOG, T: float = 1.0) -> str:
    return fmt(losses.get("softmax_cross_entropy").cost([true], (np.asarray(z) / T)[None, :]))


def open_multiclass(page, url: str, query: str = ""):
    open_page_with(page, f"{url}/multiclass{query}", BARS)


def test_arrow_up_on_a_bar_updates_the_cross_entropy(page, app_url):
    open_multiclass(page, app_url)
    z = positions(page, BARS)
    np.testing.assert_allclose(z, sc.default_logits(4))
    assert metric(page, "softmax CE (logits)") == ce(z)
    bar = page.locator(f'{BARS}[aria-label="logit dog"]')
    bar.focus()
    for _ in range(5):
        bar.press("ArrowUp")
    wait_idle(page)
    after = positions(page, BARS)
    assert after[DOG] > z[DOG]
    want = ce(after)
    wait_for_metric(page, "softmax CE (logits)", want)
    q = softmax(after[None, :])
    y = np.eye(4)[[DOG]]
    assert metric(page, "CE (one-hot)") == fmt(losses.get("categorical_cross_entropy").cost(y, q))
    assert metric(page, "sparse CE") == want
    assert "mc_logits=" in page.url
    assert_no_exception(page)


def test_dragging_a_bar_with_the_mouse(page, app_url):
    open_multiclass(page, app_url, "?mc_T=2")
    bar = page.locator(f'{BARS}[aria-label="logit cat"]')
    bar.scroll_into_view_if_needed()
    box = bar.bounding_box()
    cx, cy = box["x"] + box["width"] / 2, box["y"] + box["height"] / 2
    page.mouse.move(cx, cy)
    page.mouse.down()
    for k in range(1, 11):
        page.mouse.move(cx, cy + 10 * k)
    page.mouse.up()
    wait_idle(page)
    after = positions(page, BARS)
    assert after[0] < sc.default_logits(4)[0]
    wait_for_metric(page, "softmax CE (logits)", ce(after, T=2.0))


def test_screenshots_light_and_dark(page, dark_page, app_url):
    for pg, name in ((page, "multiclass"), (dark_page, "multiclass_dark")):
        open_multiclass(pg, app_url)
        pg.wait_for_timeout(800)  # let plotly draw
        screenshot(pg, name)
        screenshot(pg, name + "_full", full=True)
        assert_no_exception(pg)
