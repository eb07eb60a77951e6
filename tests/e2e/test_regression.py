"""The regression explorer in a real browser: drag with the mouse, press keys, add an outlier, share a link.

Every assertion compares what the page shows with what the core computes for the handles' positions
(read from their aria-valuenow), so the UI, the widget and the core must agree.
"""

from __future__ import annotations

import re

import numpy as np
import pytest

import losses
from charts.style import format_metric as fmt
from losses.fitting import fit_line
from scenes.regression import DELTA_DEFAULT, Scene
from tests.e2e.conftest import assert_no_exception, new_page, open_app, screenshot, wait_idle

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


# ---- issue 9: best lines on the drag chart, targets, outliers, Undo, the growing axis, δ, Back -------
OUTLIER = Scene().with_outlier()
LINE_LINK = f"?reg_mode=Fit+a+line&reg_out={OUTLIER.outliers[0][0]:g}:{OUTLIER.outliers[0][1]:g}"


def sliders(page, key: str) -> dict[str, float]:
    """Every drag handle of the chart ``key``: aria-label -> value."""
    pairs = page.locator(f'.st-key-{key} [role="slider"]').evaluate_all(
        "els => els.map(e => [e.getAttribute('aria-label'), e.getAttribute('aria-valuenow')])"
    )
    return {label: float(v) for label, v in pairs}


def press_drag(page, locator, to_y: float, hold_ms: int = 0) -> None:
    """Press on a handle, move it to the viewport's ``to_y`` (hold there) and release; wait for the rerun."""
    locator.scroll_into_view_if_needed()
    box = locator.bounding_box()
    cx, cy = box["x"] + box["width"] / 2, box["y"] + box["height"] / 2
    page.mouse.move(cx, cy)
    page.mouse.down()
    page.mouse.move(cx, to_y, steps=6)
    if hold_ms:
        page.wait_for_timeout(hold_ms)
    page.mouse.up()
    wait_idle(page)


def choose(page, key: str, option: str) -> None:
    """Pick ``option`` of a segmented control."""
    page.locator(f".st-key-{key} button", has_text=re.compile(f"^{re.escape(option)}$")).click()
    wait_idle(page)


def test_each_losss_best_line_is_drawn_on_the_drag_chart_with_its_slope_and_intercept(page, app_url):
    open_app(page, f"{app_url}/regression{LINE_LINK}")
    page.locator('.st-key-reg_line [role="slider"]').first.wait_for()
    assert_no_exception(page)
    x, y = OUTLIER.points()
    fits = {t: fit_line(n, x, y, **({"delta": DELTA_DEFAULT} if n == "huber" else {}))
            for n, t in (("mse", "MSE"), ("mae", "MAE"), ("huber", "Huber"))}  # fmt: skip
    # data coordinates of the SVG from the two line handles: x = 0 and 10, y from aria-valuenow
    ends = page.locator('.st-key-reg_line [role="slider"]')
    (px0, py0), (px1, py1) = [
        tuple(map(float, re.findall(r"[-\d.]+", ends.nth(i).get_attribute("transform")))) for i in range(2)
    ]
    (v0, v1) = (float(ends.nth(i).get_attribute("aria-valuenow")) for i in range(2))
    lines = page.locator(".st-key-reg_line .dp-extra-line")
    assert lines.count() == 3
    legend = page.locator(".st-key-reg_line .dp-legend").all_text_contents()
    assert legend == ["best under MSE", "best under MAE", "best under Huber"]
    end = {}
    for i in range(3):
        ln, label = lines.nth(i), legend[i]
        xa = 10 * (float(ln.get_attribute("x1")) - px0) / (px1 - px0)
        xb = 10 * (float(ln.get_attribute("x2")) - px0) / (px1 - px0)
        ya = v0 + (float(ln.get_attribute("y1")) - py0) * (v1 - v0) / (py1 - py0)
        yb = v0 + (float(ln.get_attribute("y2")) - py0) * (v1 - v0) / (py1 - py0)
        fit = fits[label.removeprefix("best under ")]
        assert (yb - ya) / (xb - xa) == pytest.approx(fit.slope, abs=2e-3), label
        assert ya - (yb - ya) / (xb - xa) * xa == pytest.approx(fit.intercept, abs=2e-2), label
        end[label] = yb
    # at first sight: Huber's line between L2's and L1's, clearly apart at the right end
    assert end["best under MSE"] - end["best under Huber"] > 1.0
    assert end["best under Huber"] - end["best under MAE"] > 1.0
    table = page.locator(".st-key-reg_best_lines").inner_text()
    assert f"{fits['Huber'].slope:.3f}" in table and f"{fits['MSE'].intercept:.3f}" in table
    screenshot(page, "regression_best_lines_on_the_drag_chart")


def test_dragging_a_target_with_the_mouse_moves_it_and_the_link_keeps_it(page, app_url, browser):
    open_regression(page, app_url)
    choose(page, "reg_drag", "Targets")
    target = page.locator('.st-key-reg_targets [role="slider"][aria-label="target 3"]')
    target.wait_for()
    before = sliders(page, "reg_targets")
    box = target.bounding_box()
    press_drag(page, target, box["y"] + box["height"] / 2 - 70)
    after = sliders(page, "reg_targets")
    assert after["target 3"] > before["target 3"] + 1.0
    assert {k: v for k, v in after.items() if k != "target 3"} == {k: v for k, v in before.items()
                                                                     if k != "target 3"}  # fmt: skip
    moved = Scene().with_targets(list(after.values()))
    preds = Scene().default_predictions()
    wait_for_metric(page, "MSE", core("mse", preds, moved))
    assert metric(page, "Huber") == core("huber", preds, moved)
    assert "reg_y=" in page.url and "reg_drag=Targets" in page.url
    other = browser.new_page(viewport={"width": 1280, "height": 720})
    try:
        open_app(other, page.url)
        other.locator('.st-key-reg_targets [role="slider"]').first.wait_for()
        assert sliders(other, "reg_targets") == after
        wait_for_metric(other, "MSE", core("mse", preds, moved))
    finally:
        other.close()


def test_an_outlier_is_moved_by_its_target_and_deleted_on_its_own(page, app_url):
    open_regression(page, app_url)
    for _ in range(2):
        page.locator(".st-key-reg_add_outlier button").click()
        wait_idle(page)
    two = Scene().with_outlier().with_outlier()
    wait_for_metric(page, "MSE", core("mse", two.default_predictions(), two))
    choose(page, "reg_drag", "Targets")
    outlier = page.locator('.st-key-reg_targets [role="slider"][aria-label="outlier 2"]')
    outlier.focus()
    page.keyboard.press("Shift+ArrowDown")
    wait_idle(page)
    ys = list(sliders(page, "reg_targets").values())
    assert ys[-1] < two.outliers[1][1] - 0.5  # Shift: ten steps down
    moved = two.with_targets(ys)
    wait_for_metric(page, "MSE", core("mse", two.default_predictions(), moved))
    page.locator(".st-key-reg_delete_outlier_1 button:visible").click()
    wait_idle(page)
    assert_no_exception(page)
    left = moved.without_outlier(0)
    assert list(sliders(page, "reg_targets")) == left.target_labels()
    wait_for_metric(page, "MSE", core("mse", left.default_predictions(), left))
    assert page.locator(".st-key-reg_delete_outlier_2").count() == 0


def test_undo_restores_the_last_change(page, app_url):
    open_regression(page, app_url)
    undo = page.locator(".st-key-reg_undo button:visible").first  # (a disabled one with help is drawn twice)
    assert undo.is_disabled()
    start = positions(page)
    drag(page, 4, -60)
    moved = positions(page)
    assert moved[3] > start[3] + 1.0
    wait_for_metric(page, "MSE", core("mse", moved))
    page.locator(".st-key-reg_add_outlier button").click()
    wait_idle(page)
    page.locator('[aria-label="prediction 9"]').wait_for()
    undo.click()  # the outlier goes
    wait_idle(page)
    page.locator('[aria-label="prediction 9"]').wait_for(state="detached")
    assert np.array_equal(positions(page), moved)
    undo.click()  # the drag is undone
    wait_idle(page)
    wait_for_metric(page, "MSE", core("mse", start))
    assert np.array_equal(positions(page), start) and undo.is_disabled()
    assert "reg_p=" not in page.url and "reg_out=" not in page.url
    assert_no_exception(page)


def test_the_drag_axis_grows_when_a_handle_is_pushed_past_its_top(page, app_url):
    open_regression(page, app_url)
    h = handle(page, 8)
    top = float(h.get_attribute("aria-valuemax"))
    chart = page.locator(".st-key-reg_free svg.dp-svg").bounding_box()
    press_drag(page, h, chart["y"] - 20, hold_ms=700)  # held above the chart: the axis keeps growing
    after = positions(page)
    assert after[7] > top + 2.0
    wait_for_metric(page, "MSE", core("mse", after))
    assert float(h.get_attribute("aria-valuemax")) > after[7]  # Python's axis holds it, with a margin
    screenshot(page, "regression_axis_grown")


def test_delta_takes_an_exact_number_and_the_slider_follows(page, app_url):
    open_regression(page, app_url)
    exact = page.locator('.st-key-reg_delta_exact input')
    exact.fill("2.37")
    exact.press("Enter")
    wait_idle(page)
    wait_for_metric(page, "Huber", core("huber", positions(page), delta=2.37))
    page.wait_for_timeout(500)
    wait_idle(page)
    slider_value = page.locator('.st-key-reg_delta input[type="range"]').first.input_value()
    assert float(slider_value) == pytest.approx(2.37)  # not snapped to the slider's step
    assert metric(page, "Huber") == core("huber", positions(page), delta=2.37)
    assert "reg_delta=2.37" in page.url


def test_browser_back_from_another_page_restores_the_mode(page, app_url):
    open_app(page, f"{app_url}/regression{LINE_LINK}")
    page.locator('.st-key-reg_line [role="slider"]').first.wait_for()
    page.locator('[data-testid="stSidebarNav"] [data-testid="stSidebarNavLink"]',
                 has_text="Binary classification").first.click()  # fmt: skip
    page.wait_for_url(re.compile(r"/binary"))
    wait_idle(page)
    page.go_back()
    page.locator('.st-key-reg_line [role="slider"]').first.wait_for()
    wait_idle(page)
    assert page.locator(".st-key-reg_free").count() == 0
    assert "reg_mode=Fit+a+line" in page.url and "reg_out=" in page.url
    assert_no_exception(page)


@pytest.mark.parametrize("scheme", ["light", "dark"])
def test_line_mode_at_150_percent_zoom_keeps_the_table_of_lines_in_its_column(browser, app_url, scheme):
    zoom = {"viewport": {"width": 853, "height": 480}, "device_scale_factor": 1.5}
    pg = new_page(browser, color_scheme=scheme, **zoom)
    try:
        open_app(pg, f"{app_url}/regression{LINE_LINK}")
        pg.locator('.st-key-reg_line [role="slider"]').first.wait_for()
        table = pg.locator(".st-key-reg_best_lines table")
        assert table.evaluate(
            "t => t.getBoundingClientRect().right <= "
            "t.closest('[data-testid=\"stColumn\"]').getBoundingClientRect().right + 1"
        )
        screenshot(pg, f"regression_line_mode_150_{scheme}")
        pg.locator(".st-key-reg_line").scroll_into_view_if_needed()
        screenshot(pg, f"regression_line_chart_150_{scheme}")
    finally:
        pg.context.close()
