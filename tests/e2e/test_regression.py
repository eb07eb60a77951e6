"""The regression explorer in a real browser: drag with the mouse, press keys, add an outlier, share a link.

Every assertion compares what the page shows with what the core computes for the handles' positions
(read from their aria-valuenow), so the UI, the widget and the core must agree.
"""

from __future__ import annotations

import re

import numpy as np

import losses
from charts.style import format_metric as fmt
from scenes.regression import DELTA_DEFAULT, Scene
from tests.e2e.conftest import assert_no_exception, open_app, screenshot, wait_idle

HANDLES = '.st-key-reg_free [role="slider"]'


def handle(page, i: int):
    return page.locator(f'.st-key-reg_free [role="slider"][aria-label="prediction {i}"]')


def drag(page, i: int, dy: float) -> None:
    """Press on handle i, move it dy pixels (negative: up) and release; wait for the rerun."""
    h = handle(page, i)
    h.scroll_into_view_if_needed()
    box = h.bounding_box()
    cx, cy = box["x"] + box["width"] / 2, box["y"] + box["height"] / 2
    page.mouse.move(cx, cy)
    page.mouse.down()
    page.mouse.move(cx, cy + dy, steps=6)
    page.mouse.up()
    wait_idle(page)


def positions(page) -> np.ndarray:
    return np.array(
        [
            float(v)
            for v in page.locator(HANDLES).evaluate_all(
                "els => els.map(e => e.getAttribute('aria-valuenow'))"
            )
        ]
    )


def metric(page, label: str) -> str:
    box = page.locator('[data-testid="stMetric"]').filter(
        has=page.locator('[data-testid="stMetricLabel"]', has_text=re.compile(f"^{re.escape(label)}$"))
    )
    return box.locator('[data-testid="stMetricValue"]').inner_text().strip()


def core(name: str, preds: np.ndarray, scene: Scene | None = None, **params) -> str:
    if "delta" in {p.name for p in losses.get(name).params}:
        params.setdefault("delta", DELTA_DEFAULT)  # the page's δ
    _, y = (scene or Scene()).points()
    return fmt(losses.get(name).cost(y, preds, **params))


def open_regression(page, app_url: str, query: str = ""):
    open_app(page, f"{app_url}/regression{query}")
    page.locator(HANDLES).first.wait_for()
    assert_no_exception(page)


def wait_for_metric(page, label: str, expected: str) -> None:
    page.wait_for_function(
        """([label, expected]) => [...document.querySelectorAll('[data-testid="stMetric"]')].some(m =>
             m.querySelector('[data-testid="stMetricLabel"]')?.innerText.trim() === label &&
             m.querySelector('[data-testid="stMetricValue"]')?.innerText.trim() === expected)""",
        arg=[label, expected],
        timeout=15_000,
    )


def test_dragging_a_prediction_with_the_mouse_updates_the_metrics(page, app_url):
    open_regression(page, app_url)
    before = positions(page)
    assert metric(page, "MSE") == core("mse", before)
    drag(page, 3, -80)
    after = positions(page)
    assert after[2] > before[2] + 1.0 and np.array_equal(np.delete(after, 2), np.delete(before, 2))
    wait_for_metric(page, "MSE", core("mse", after))
    assert metric(page, "MAE") == core("mae", after)
    assert metric(page, "Huber") == core("huber", after)
    assert_no_exception(page)
    screenshot(page, "regression_after_drag")


def test_arrow_up_on_a_focused_handle_moves_it_by_one_step(page, app_url):
    open_regression(page, app_url)
    before = positions(page)
    h = handle(page, 5)
    h.focus()
    page.keyboard.press("ArrowUp")
    wait_idle(page)
    after = positions(page)
    assert after[4] == round(before[4] + 0.1, 2)
    wait_for_metric(page, "MSE", core("mse", after))
    page.keyboard.press("Shift+ArrowDown")  # focus stays on the handle across the rerun
    wait_idle(page)
    after2 = positions(page)
    assert after2[4] == round(after[4] - 1.0, 2)
    wait_for_metric(page, "MSE", core("mse", after2))


def test_adding_an_outlier_shows_its_share_bar_and_sentence(page, app_url):
    open_regression(page, app_url)
    page.locator(".st-key-reg_add_outlier button").click()
    wait_idle(page)
    page.locator('[aria-label="prediction 9"]').wait_for()
    assert_no_exception(page)
    shares = page.locator(".st-key-reg_shares")
    shares.scroll_into_view_if_needed()
    assert "outlier 1" in shares.inner_text()
    scene = Scene().with_outlier()
    wait_for_metric(page, "MSE", core("mse", scene.default_predictions(), scene))
    assert page.get_by_text(re.compile(r"^Outlier 1 makes up \d+% of the MSE but")).is_visible()
    screenshot(page, "regression_outlier", full=True)


def test_a_copied_link_restores_the_same_metrics(page, app_url, browser):
    open_regression(page, app_url)
    page.locator(".st-key-reg_add_outlier button").click()
    wait_idle(page)
    h = handle(page, 2)
    h.focus()
    for _ in range(3):
        page.keyboard.press("ArrowUp")
        wait_idle(page)
    preds = positions(page)
    scene = Scene().with_outlier()
    expected = {label: core(name, preds, scene) for label, name in (("MSE", "mse"), ("MAE", "mae"))}
    wait_for_metric(page, "MSE", expected["MSE"])
    url = page.url
    assert "reg_p=" in url and "reg_out=" in url
    other = browser.new_page(viewport={"width": 1280, "height": 720})
    try:
        open_regression(other, url.split("/regression")[0], "?" + url.split("?", 1)[1])
        assert np.array_equal(positions(other), preds)
        for label, value in expected.items():
            wait_for_metric(other, label, value)
        assert other.locator('[data-testid="stAlert"]').count() == 0
    finally:
        other.close()


def test_fit_a_line_mode_shows_the_best_lines(page, app_url):
    open_app(page, f"{app_url}/regression?reg_mode=Fit+a+line&reg_out=6.11:31.35")
    page.locator('.st-key-reg_line [role="slider"]').first.wait_for()
    assert_no_exception(page)
    lines = page.locator(".st-key-reg_best_lines")
    lines.scroll_into_view_if_needed()
    text = lines.inner_text()
    assert "best under MSE" in text and "best under MAE" in text
    screenshot(page, "regression_line_mode", full=True)


def test_dark_theme_screenshot(dark_page, app_url):
    open_regression(dark_page, app_url, "?reg_out=6.11:31.35")
    screenshot(dark_page, "regression_dark", full=True)
    assert_no_exception(dark_page)


def test_the_focused_handles_value_tooltip_does_not_block_its_neighbour(page, app_url):
    """Regression: the tooltip of a focused handle sat over the next handle and swallowed its drag."""
    open_regression(page, app_url)
    drag(page, 4, -30)
    handle(page, 4).focus()
    page.keyboard.press("ArrowUp")
    wait_idle(page)
    before = positions(page)
    drag(page, 5, -40)  # 5 is up and to the right of 4, where 4's tooltip is drawn
    after = positions(page)
    assert after[4] > before[4] + 0.5
    wait_for_metric(page, "MSE", core("mse", after))
