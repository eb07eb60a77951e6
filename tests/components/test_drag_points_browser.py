"""drag_points in a real browser: headless Debian Chromium against the demo app (demo_app.py)
(light theme here; the dark theme has its own module and server). Screenshots: bench/shots.py."""

from __future__ import annotations

import json
import re

import pytest

from tests.browser import IDLE, screenshot
from tests.components.conftest import open_demo

pytestmark = pytest.mark.e2e

# Fixtures `browser` and `demo_url` (one server per module) come from conftest.py.
ISO = '[data-testid="stBidiComponentIsolated"]'


@pytest.fixture
def page(browser, demo_url):
    from playwright.sync_api import expect

    page, errors = open_demo(browser, demo_url, color_scheme="light")
    expect(page.locator('[role="slider"]')).to_have_count(10, timeout=15_000)
    yield page
    page.context.close()
    assert not errors, errors


def out(page, key: str) -> list[float]:
    return json.loads(page.locator(f".st-key-out_{key} [data-testid='stText']").inner_text())


def wait_for_output_change(page, key: str, old: list[float]) -> list[float]:
    from playwright.sync_api import expect

    expect(page.locator(f".st-key-out_{key} [data-testid='stText']")).not_to_have_text(json.dumps(old))
    page.wait_for_selector(IDLE)
    return out(page, key)


def slider(page, label: str, key: str | None = None):
    scope = f".st-key-{key} " if key else ""
    return page.locator(f'{scope}[role="slider"][aria-label="{label}"]')


def centre(locator) -> tuple[float, float]:
    """Viewport centre of an element (scrolled into view: page.mouse only reaches the viewport)."""
    locator.scroll_into_view_if_needed()
    box = locator.bounding_box()
    assert box is not None
    return box["x"] + box["width"] / 2, box["y"] + box["height"] / 2


def test_mounts_in_an_open_shadow_root_with_accessible_sliders(page):
    assert page.locator(ISO).count() == 3
    for key, n in (("reg", 5), ("line", 2), ("logits", 3)):
        assert page.locator(f".st-key-{key} {ISO} [role='slider']").count() == n
    # not an iframe: the sliders live in an open shadow root of the app page
    assert page.locator("iframe").count() == 0
    assert page.evaluate(
        f"() => [...document.querySelectorAll('{ISO}')]"
        ".every(e => e.shadowRoot && e.shadowRoot.mode === 'open')"
    )
    h = slider(page, "prediction 3")
    assert h.get_attribute("tabindex") == "0"
    assert h.get_attribute("aria-valuenow") == "2.00"
    assert h.get_attribute("aria-valuemin") == "-1"
    assert h.get_attribute("aria-valuemax") == "6"
    assert out(page, "reg") == [2.0] * 5
    assert out(page, "logits") == [2.0, -1.0, 0.5]


def test_mouse_drag_sends_on_pointer_up_only(page):
    h = slider(page, "prediction 3")
    before = out(page, "reg")
    x, y = centre(h)
    # grabbing off-centre and letting go neither moves the handle nor sends
    page.mouse.move(x + 5, y + 6)
    page.mouse.down()
    page.mouse.up()
    assert h.get_attribute("aria-valuenow") == "2.00"
    page.mouse.move(x, y)
    page.mouse.down()
    for k in range(1, 9):
        page.mouse.move(x, y - 10 * k)
    # live feedback while dragging, but nothing sent yet (no rerun per move)
    live = float(h.get_attribute("aria-valuenow"))
    assert live > 2.5
    assert page.locator(IDLE).count() == 1
    assert out(page, "reg") == before
    page.mouse.up()
    after = wait_for_output_change(page, "reg", before)
    assert after[:2] == before[:2] and after[3:] == before[3:]
    assert after[2] == pytest.approx(float(h.get_attribute("aria-valuenow")), abs=0.005)
    assert after[2] == pytest.approx(live, abs=0.005)
    assert after[2] != round(after[2], 2)  # the full float, not the rounded label


def test_keyboard_moves_by_step_and_keeps_focus(page):
    from playwright.sync_api import expect

    h = slider(page, "prediction 2")
    h.focus()
    before = out(page, "reg")
    page.keyboard.press("ArrowUp")
    after = wait_for_output_change(page, "reg", before)
    assert after[1] == pytest.approx(before[1] + 0.1)
    assert h.get_attribute("aria-valuenow") == "2.10"
    # focus survives the rerun, so the next key goes to the same handle
    page.keyboard.press("Shift+ArrowDown")
    after2 = wait_for_output_change(page, "reg", after)
    assert after2[1] == pytest.approx(after[1] - 1.0)
    # a burst of presses faster than the reruns: none is lost
    for _ in range(5):
        page.keyboard.press("ArrowUp")
    expect(h).to_have_attribute("aria-valuenow", f"{after2[1] + 0.5:.2f}")
    page.wait_for_timeout(300)
    page.wait_for_selector(IDLE)
    expect(page.locator(".st-key-out_reg [data-testid='stText']")).to_have_text(
        re.compile(r"^\[2\.0, 1\.6\d*, 2\.0, 2\.0, 2\.0\]$")
    )
    after2 = out(page, "reg")
    assert after2[1] == pytest.approx(1.6)
    page.keyboard.press("End")
    after3 = wait_for_output_change(page, "reg", after2)
    assert after3[1] == 6.0
    page.keyboard.press("Home")
    assert wait_for_output_change(page, "reg", after3)[1] == -1.0


def test_python_side_reset_moves_the_handle_back(page):
    h = slider(page, "prediction 4")
    h.focus()
    before = out(page, "reg")
    page.keyboard.press("ArrowDown")
    moved = wait_for_output_change(page, "reg", before)
    assert moved != [2.0] * 5
    page.locator(".st-key-reset_reg button").click()
    reset = wait_for_output_change(page, "reg", moved)
    assert reset == [2.0] * 5
    for i in range(1, 6):
        assert slider(page, f"prediction {i}").get_attribute("aria-valuenow") == "2.00"
    # and the widget is live again after the reset
    h.focus()
    page.keyboard.press("ArrowUp")
    assert wait_for_output_change(page, "reg", reset)[3] == pytest.approx(2.1)


def test_bars_mode_drag_a_bar_and_keys(page):
    h = slider(page, "logit dog")
    before = out(page, "logits")
    h.focus()
    page.keyboard.press("ArrowUp")
    after = wait_for_output_change(page, "logits", before)
    assert after == pytest.approx([2.0, -0.5, 0.5])
    # drag the handle on top of the "bird" bar down below zero
    bird = slider(page, "logit bird")
    x, y = centre(bird)
    page.mouse.move(x, y)
    page.mouse.down()
    page.mouse.move(x, y + 60, steps=4)
    page.mouse.up()
    after2 = wait_for_output_change(page, "logits", after)
    assert after2[2] < 0.5
    assert after2[2] == pytest.approx(float(bird.get_attribute("aria-valuenow")), abs=0.005)
    # pressing on a bar's body sets its top to the pointer
    bar = page.locator('.st-key-logits .dp-bar[data-handle="logit cat"]')
    bx, by = centre(bar)
    page.mouse.click(bx, by + 10)  # just below the middle of the cat bar (0..2)
    after3 = wait_for_output_change(page, "logits", after2)
    assert 0.2 < after3[0] < 1.0 and after3[1:] == after2[1:]


def test_line_mode_and_on_change_once_per_drag(page):
    h = slider(page, "line end")
    h.focus()
    before = out(page, "line")
    assert out(page, "line_cb") == [0, None]
    page.keyboard.press("PageDown")
    after = wait_for_output_change(page, "line", before)
    assert after == pytest.approx([1.0, 3.0])
    # the callback ran once and get_drag_values() saw the new positions
    assert out(page, "line_cb") == [1, after]
    x, y = centre(slider(page, "line start"))
    page.mouse.move(x, y)
    page.mouse.down()
    page.mouse.move(x, y - 40, steps=10)
    page.mouse.up()
    after2 = wait_for_output_change(page, "line", after)
    assert after2[0] > 1.0 and after2[1] == after[1]
    assert out(page, "line_cb") == [2, after2]  # ten moves, one send


def test_python_side_change_of_handle_count(page):
    from playwright.sync_api import expect

    slider(page, "prediction 1", key="reg").focus()
    before = out(page, "reg")
    page.keyboard.press("ArrowUp")
    moved = wait_for_output_change(page, "reg", before)
    page.locator(".st-key-six label").click()
    six = wait_for_output_change(page, "reg", moved)
    assert six == [2.0] * 6  # Python-side change wins over the user's edit
    expect(page.locator('.st-key-reg [role="slider"]')).to_have_count(6)
    assert slider(page, "prediction 1", key="reg").get_attribute("aria-valuenow") == "2.00"
    slider(page, "prediction 6", key="reg").focus()
    page.keyboard.press("Home")
    assert wait_for_output_change(page, "reg", six)[5] == -1.0


def test_screenshot_app_dark_palette(browser, demo_url):
    """The app's config defines [theme.dark]; a dark-scheme browser gets it."""
    from playwright.sync_api import expect

    page, errors = open_demo(browser, demo_url, color_scheme="dark")
    try:
        handle = slider(page, "prediction 2", key="reg")
        expect(handle).to_have_attribute("aria-valuenow", "2.00", timeout=15_000)
        fill = handle.evaluate("el => getComputedStyle(el.getRootNode().querySelector('.dp-target')).fill")
        assert fill == "rgb(17, 20, 24)"  # the app's dark backgroundColor #111418
        handle.focus()
        screenshot(page, "drag_points_appdark_top")
    finally:
        page.context.close()
    assert not errors, errors
