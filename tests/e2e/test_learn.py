"""The learning page in a real browser: Play runs the frames in the page (the step slider advances and the
lines move, with no rerun of the script), Pause stops them, and both parts read at 1280x720, light and dark.
"""

from __future__ import annotations

import base64

import numpy as np

from scenes import learn as sc
from tests.e2e.conftest import assert_no_exception, open_app, screenshot, wait_idle

LINES = ".st-key-learn_lines .js-plotly-plot"
BOUNDARIES = ".st-key-learn_c_boundaries .js-plotly-plot"
#: The figure's state in the browser: the slider's step, each named trace's x, y (the first trace of a name: a
#: loss's line, not its path on the surface), and the drawn SVG paths.
STATE = """gd => ({
    active: gd._fullLayout.sliders[0].active,
    frames: gd._transitionData._frames.length,
    x: Object.fromEntries(gd._fullData.filter(t => t.name).reverse().map(t => [t.name, Array.from(t.x)])),
    y: Object.fromEntries(gd._fullData.filter(t => t.name).reverse().map(t => [t.name, Array.from(t.y)])),
    text: gd._fullData.find(t => t.name === 'step').text[0],
    paths: Array.from(gd.querySelectorAll('.scatterlayer .trace .js-line')).map(p => p.getAttribute('d')),
})"""


def _open(page, url: str, selector: str):
    open_app(page, url)
    plot = page.locator(selector)
    plot.wait_for()
    plot.scroll_into_view_if_needed()
    page.wait_for_function("sel => document.querySelector(sel)?._fullLayout?.sliders", arg=selector)
    assert_no_exception(page)
    return plot


def _play(page, selector: str, *, past: int) -> None:
    """Press the chart's Play and wait until its slider has passed frame ``past``."""
    page.locator(selector).locator("xpath=..").locator(".updatemenu-button", has_text="Play").click()
    page.wait_for_function("([sel, k]) => document.querySelector(sel)._fullLayout.sliders[0].active > k",
                           arg=[selector, past], timeout=15_000)  # fmt: skip


#: Counts the script's runs from now on (the app's run state turning to "running").
WATCH_RUNS = """() => { const app = document.querySelector('[data-testid="stApp"]'); window.__runs = 0;
  new MutationObserver(() => { if (app.dataset.testScriptState === 'running') window.__runs++; })
    .observe(app, {attributes: true}); }"""


def _array(value) -> np.ndarray:
    """A Plotly array as the browser holds it: a list, or a typed array {dtype, bdata} (base64)."""
    if isinstance(value, dict):
        dtype = np.dtype(value["dtype"]).newbyteorder("<")
        return np.frombuffer(base64.b64decode(value["bdata"]), dtype=dtype)
    return np.asarray(value, dtype=float)


def test_play_advances_the_step_slider_and_moves_the_lines_in_the_browser(page, app_url):
    plot = _open(page, f"{app_url}/learn?learn_out=5:30", LINES)
    before = plot.evaluate(STATE)
    steps = sc.frame_steps(sc.STEPS_DEFAULT)
    assert before["active"] == 0 and before["frames"] == len(steps) and before["text"] == "step 0"
    assert before["y"]["MSE"] == [0.0, 0.0]  # the flat start line y = 0
    screenshot(page, "learn_before_play")
    page.evaluate(WATCH_RUNS)
    _play(page, LINES, past=10)
    during = plot.evaluate(STATE)
    assert during["active"] > 10 and during["text"] != "step 0"
    assert during["y"]["MSE"] != before["y"]["MSE"] and during["y"]["MAE"] != before["y"]["MAE"]
    assert during["paths"] != before["paths"]  # the drawn SVG lines moved, not only the data
    # playback ends on the last frame: the lines are then the figure's last frame, the trained lines
    page.wait_for_function("([sel, k]) => document.querySelector(sel)._fullLayout.sliders[0].active === k",
                           arg=[LINES, len(steps) - 1], timeout=20_000)  # fmt: skip
    end = plot.evaluate(STATE)
    last = plot.evaluate("gd => gd._transitionData._frames.at(-1).data[0].y")  # the MSE line's, as sent
    np.testing.assert_allclose(end["y"]["MSE"], _array(last))
    assert end["text"] == f"step {sc.STEPS_DEFAULT}"
    mse_end = end["y"]["MSE"]
    assert mse_end[1] - mse_end[0] > 0  # the line rose from flat toward the data and the outlier
    assert page.evaluate("() => window.__runs") == 0  # every frame played in the browser: no rerun
    wait_idle(page)
    assert_no_exception(page)
    screenshot(page, "learn_after_play")


def test_pause_stops_the_frames(page, app_url):
    plot = _open(page, f"{app_url}/learn", LINES)
    _play(page, LINES, past=3)
    page.locator(".updatemenu-button", has_text="Pause").first.click()
    page.wait_for_timeout(300)
    paused = plot.evaluate(STATE)["active"]
    page.wait_for_timeout(800)
    assert plot.evaluate(STATE)["active"] == paused < len(sc.frame_steps(sc.STEPS_DEFAULT)) - 1


def test_the_step_slider_jumps_to_a_step(page, app_url):
    plot = _open(page, f"{app_url}/learn", LINES)
    rail = plot.locator(".slider-rail-rect").first
    box = rail.bounding_box()
    page.mouse.click(box["x"] + 0.6 * box["width"], box["y"] + box["height"] / 2)
    page.wait_for_timeout(300)
    state = plot.evaluate(STATE)
    assert state["active"] > 0 and state["text"] != "step 0"


def test_classification_plays_its_boundaries(page, app_url):
    plot = _open(page, f"{app_url}/learn?learn_part=Classification", BOUNDARIES)
    before = plot.evaluate(STATE)
    assert set(before["y"]) >= {"hinge", "sigmoid CE on s", "MSE on σ(s)"}
    _play(page, BOUNDARIES, past=10)
    after = plot.evaluate(STATE)
    for name in ("hinge", "sigmoid CE on s"):
        assert (after["x"][name], after["y"][name]) != (before["x"][name], before["y"][name]), name
    screenshot(page, "learn_classification_playing")
    page.locator(".st-key-learn_c_margins").scroll_into_view_if_needed()
    page.wait_for_timeout(300)
    screenshot(page, "learn_classification_margins")


def test_dark_theme_both_parts(dark_page, app_url):
    _open(dark_page, f"{app_url}/learn?learn_out=5:30", LINES)
    _play(dark_page, LINES, past=20)
    screenshot(dark_page, "learn_dark_playing")
    _open(dark_page, f"{app_url}/learn?learn_part=Classification&learn_c_start=Confidently+wrong", BOUNDARIES)
    screenshot(dark_page, "learn_dark_classification")


def test_a_divergent_learning_rate_in_the_link_warns_and_still_plays(page, app_url):
    _open(page, f"{app_url}/learn?learn_lr=-1", LINES)
    assert page.locator('[data-testid="stAlert"]', has_text="Diverged: MSE").count() == 1
    _play(page, LINES, past=5)
    screenshot(page, "learn_diverged")
