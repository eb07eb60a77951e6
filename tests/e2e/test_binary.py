"""The binary classification explorer in a real browser: drag a score with the mouse, press a key, switch the
label convention, and compare every metric with the core's value for the handles' positions (aria-valuenow).
"""

from __future__ import annotations

import numpy as np

import losses
from charts.style import format_metric as fmt
from losses.binary import sigmoid
from scenes.binary import Scene
from tests.browser import handle_positions, metric, open_page_with, wait_for_metric
from tests.e2e.conftest import assert_no_exception, screenshot, wait_idle

HANDLES = '.st-key-bin_s [role="slider"]'


def positions(page, selector: str = HANDLES) -> np.ndarray:
    return handle_positions(page, selector)


def core(scores: np.ndarray, scene: Scene | None = None) -> dict[str, str]:
    y = (scene or Scene()).labels01()
    return {
        "BCE on p": fmt(losses.get("binary_cross_entropy").cost(y, sigmoid(scores))),
        "hinge": fmt(losses.get("hinge").cost(y, scores)),
        "logistic": fmt(losses.get("logistic").cost(y, scores)),
    }


def open_binary(page, url: str, query: str = ""):
    open_page_with(page, f"{url}/binary{query}", HANDLES)


def test_dragging_a_score_updates_bce_and_hinge_to_the_cores_values(page, app_url):
    open_binary(page, app_url)
    before = positions(page)
    np.testing.assert_allclose(before, Scene().default_scores())
    for label, value in core(before).items():
        assert metric(page, label) == value, label
    # sample 2 is rain but scored -2.64: drag it up, across the boundary
    h = page.locator(f'{HANDLES}[aria-label="sample 2 (rain)"]')
    h.scroll_into_view_if_needed()
    box = h.bounding_box()
    cx, cy = box["x"] + box["width"] / 2, box["y"] + box["height"] / 2
    page.mouse.move(cx, cy)
    page.mouse.down()
    for k in range(1, 13):
        page.mouse.move(cx, cy - 10 * k)
    page.mouse.up()
    wait_idle(page)
    after = positions(page)
    assert after[1] > before[1] + 1.0, (before, after)
    want = core(after)
    wait_for_metric(page, "hinge", want["hinge"])
    for label, value in want.items():
        assert metric(page, label) == value, label
    assert "bin_scores=" in page.url  # the dragged scene is in the link
    assert_no_exception(page)


def test_arrow_keys_move_a_score_and_the_link_restores_it(page, app_url):
    open_binary(page, app_url)
    h = page.locator(f'{HANDLES}[aria-label="sample 1 (no rain)"]')
    h.focus()
    h.press("Shift+ArrowDown")  # -0.61 → -1.61
    wait_idle(page)
    after = positions(page)
    assert after[0] == -1.61
    wait_for_metric(page, "hinge", core(after)["hinge"])
    url = page.url
    open_binary(page, url.split("/binary", 1)[0], "?" + url.split("?", 1)[1])
    np.testing.assert_allclose(positions(page), after)
    assert metric(page, "hinge") == core(after)["hinge"]


def test_screenshots_light_and_dark(page, dark_page, app_url):
    for pg, name in ((page, "binary"), (dark_page, "binary_dark")):
        open_binary(pg, app_url)
        pg.wait_for_timeout(800)  # let plotly draw
        screenshot(pg, name)
        screenshot(pg, name + "_full", full=True)
        assert_no_exception(pg)
    # the label-convention view with the core's refusal
    open_binary(page, app_url, "?bin_labels=-1/%2B1")
    assert page.get_by_text("LabelError").count() >= 1
    assert_no_exception(page)
