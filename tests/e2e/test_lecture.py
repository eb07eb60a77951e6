"""The Lecture page in Chromium: a clicker's keys step the story, a reload lands on the same step, and
presenter view is readable from the back of a hall (computed font sizes at 1280x720)."""

from __future__ import annotations

import re

from tests.e2e.conftest import assert_no_exception, open_app, screenshot, wait_idle

STORY = "1_one_outlier"


def _counter(page) -> str:
    text = page.locator(".st-key-lecture_bar").inner_text()
    return re.search(r"step (\d+) / (\d+)", text).group(1)


def _metric(page, label: str) -> str:
    box = page.locator('[data-testid="stMetric"]', has_text=label).first
    return box.locator('[data-testid="stMetricValue"]').inner_text()


def _press(page, key: str) -> None:
    page.evaluate("() => document.activeElement && document.activeElement.blur()")  # not on a handle
    page.keyboard.press(key)
    page.wait_for_timeout(300)
    wait_idle(page)


def test_clicker_keys_step_the_story_and_a_reload_stays(page, app_url):
    open_app(page, f"{app_url}/lecture?story={STORY}&step=1")
    assert _counter(page) == "1"
    first = _metric(page, "MSE")
    _press(page, "ArrowRight")
    assert _counter(page) == "2"
    second = _metric(page, "MSE")
    assert second != first
    _press(page, "PageDown")
    assert _counter(page) == "3" and _metric(page, "MSE") != second
    assert "step=3" in page.url
    page.reload()
    wait_idle(page)
    assert _counter(page) == "3"
    _press(page, "PageUp")
    assert _counter(page) == "2" and _metric(page, "MSE") == second
    _press(page, "ArrowLeft")
    assert _counter(page) == "1"
    assert_no_exception(page)


def test_presenter_view_is_readable_in_a_hall(browser, app_url):
    for scheme in ("light", "dark"):
        context = browser.new_context(viewport={"width": 1280, "height": 720}, color_scheme=scheme)
        page = context.new_page()
        try:
            open_app(page, f"{app_url}/lecture?story={STORY}&step=3&present=1")
            page.locator('[data-testid="stMetricValue"]').first.wait_for()
            page.wait_for_timeout(800)  # let plotly draw
            sizes = page.evaluate("""() => {
                const px = el => el ? parseFloat(getComputedStyle(el).fontSize) : 0;
                const main = document.querySelector('[data-testid="stMain"]');
                // body text: the step's caption (the bar above it is the lecturer's, in smaller text)
                return {body: px(main.querySelector('.st-key-lecture_caption [data-testid="stMarkdown"] p')),
                        metric: px(document.querySelector('[data-testid="stMetricValue"]')),
                        sidebar: document.querySelector('[data-testid="stSidebar"]')
                                 ?.getAttribute('aria-expanded')};
            }""")
            assert sizes["body"] >= 24 and sizes["metric"] >= 48, sizes
            assert sizes["sidebar"] != "true", "the sidebar should start collapsed in presenter view"
            assert_no_exception(page)
            screenshot(page, f"lecture_presenter_{scheme}")
            print(f"presenter view ({scheme}): body {sizes['body']} px, metric value {sizes['metric']} px")
        finally:
            context.close()


def test_dragging_inside_a_step_then_back_to_the_prepared_scene(page, app_url):
    open_app(page, f"{app_url}/lecture?story={STORY}&step=2")
    prepared = _metric(page, "MSE")
    handle = page.locator('.st-key-reg_free [role="slider"][aria-label="prediction 5"]')
    handle.focus()
    page.keyboard.press("Shift+ArrowDown")  # a key a drag uses: the story must not move
    wait_idle(page)
    assert _counter(page) == "2"
    assert _metric(page, "MSE") != prepared
    page.locator(".st-key-lecture_restore button").click()
    wait_idle(page)
    assert _counter(page) == "2" and _metric(page, "MSE") == prepared
