"""drag_points in a real browser: headless Debian Chromium against the demo app (demo_app.py)
(light theme here; the dark theme has its own module and server). Screenshots: bench/shots.py."""

from __future__ import annotations

import itertools
import json
import math
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
    # each chart and its library element (the widget's code and tables, sent once and cached)
    assert page.locator(ISO).count() == 6
    for key, n in (("reg", 5), ("line", 2), ("logits", 3)):
        assert page.locator(f".st-key-{key} {ISO}").count() == 1
        assert page.locator(f".st-key-{key}_library {ISO}").count() == 1
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


def check(page, label: str) -> None:
    """Tick one of the demo's checkboxes and wait for the rerun."""
    page.get_by_text(label, exact=True).click()
    page.wait_for_timeout(200)
    page.wait_for_selector(IDLE)


def translate(locator) -> tuple[float, float]:
    """A handle's position in the SVG (its transform)."""
    m = re.match(r"translate\(([-\d.e]+) ([-\d.e]+)\)", locator.get_attribute("transform"))
    assert m, locator.get_attribute("transform")
    return float(m.group(1)), float(m.group(2))


def test_extra_lines_are_drawn_with_their_slope_intercept_dash_and_a_legend(page):
    from playwright.sync_api import expect

    check(page, "Best lines")
    lines = page.locator(".st-key-line .dp-extra-line")
    expect(lines).to_have_count(2)
    # pixel -> data from the two line handles: (0.5, 1.0) and (5.5, 4.0)
    (px0, py0), (px1, py1) = translate(slider(page, "line start")), translate(slider(page, "line end"))

    def data(px: float, py: float) -> tuple[float, float]:
        return 0.5 + (px - px0) * 5.0 / (px1 - px0), 1.0 + (py - py0) * 3.0 / (py1 - py0)

    for i, (slope, intercept) in enumerate(((0.5, 1.0), (-0.25, 4.0))):
        ln = lines.nth(i)  # the order Python passed them in
        a = data(float(ln.get_attribute("x1")), float(ln.get_attribute("y1")))
        b = data(float(ln.get_attribute("x2")), float(ln.get_attribute("y2")))
        assert (b[1] - a[1]) / (b[0] - a[0]) == pytest.approx(slope, abs=1e-3)
        assert a[1] - slope * a[0] == pytest.approx(intercept, abs=1e-3)
        assert float(ln.get_attribute("data-slope")) == slope
    assert lines.nth(0).get_attribute("stroke-dasharray") == "9 6"
    assert lines.nth(1).get_attribute("stroke-dasharray") is None
    legend = page.locator(".st-key-line .dp-legend")
    assert legend.all_text_contents() == ["best under A", "best under B"]
    # the legend sits above the plot, not over it
    frame = page.locator(".st-key-line .dp-frame").bounding_box()
    assert all(legend.nth(i).bounding_box()["y"] + legend.nth(i).bounding_box()["height"] <= frame["y"]
               for i in range(2))  # fmt: skip
    # the user's line still drags
    h = slider(page, "line end")
    h.focus()
    before = out(page, "line")
    page.keyboard.press("ArrowUp")
    assert wait_for_output_change(page, "line", before)[1] == pytest.approx(4.1)


def _boxes_overlap(a: dict, b: dict) -> bool:
    return not (a["x"] + a["width"] <= b["x"] or b["x"] + b["width"] <= a["x"]
                or a["y"] + a["height"] <= b["y"] or b["y"] + b["height"] <= a["y"])  # fmt: skip


@pytest.mark.parametrize("width", [1280, 640, 420])
def test_ten_class_labels_never_run_together(browser, demo_url, width):
    """The multi-class page's k = 10: names like "automobile" are rotated, then thinned, never overlapped."""
    from playwright.sync_api import expect

    page, errors = open_demo(browser, demo_url, viewport={"width": width, "height": 900})
    try:
        check(page, "Ten classes")
        expect(page.locator('.st-key-logits [role="slider"]')).to_have_count(10)
        labels = page.locator(".st-key-logits .dp-xtick")
        boxes = [labels.nth(i).bounding_box() for i in range(labels.count())]
        assert len(boxes) >= (10 if width >= 640 else 4)
        svg = page.locator(".st-key-logits svg.dp-svg").bounding_box()
        assert all(b["y"] + b["height"] <= svg["y"] + svg["height"] for b in boxes)  # none cut off below
        rotated = labels.first.get_attribute("transform")
        assert (rotated is None) == (width >= 1280), rotated  # level where they fit, rotated where not
        if rotated is None:
            assert not any(_boxes_overlap(a, b) for a, b in itertools.combinations(boxes, 2))
        else:  # parallel rotated labels ending at their ticks: apart by (tick gap) x sin(angle) across
            angle = math.radians(abs(float(re.match(r"rotate\(([-\d.]+)", rotated).group(1))))
            xs = sorted(float(labels.nth(i).get_attribute("x")) for i in range(labels.count()))
            height = labels.first.evaluate("el => el.getBBox().height")
            assert min(b - a for a, b in itertools.pairwise(xs)) * math.sin(angle) >= 0.9 * height
        screenshot(page, f"drag_points_ten_classes_{width}")
    finally:
        page.context.close()
    assert not errors, errors


def test_the_axis_grows_when_a_handle_is_pushed_past_the_top(page):
    h = slider(page, "prediction 3")
    x, y = centre(h)
    svg = page.locator(".st-key-reg svg.dp-svg").bounding_box()
    # without y_limit the axis is fixed: the handle stops at the top
    before = out(page, "reg")
    page.mouse.move(x, y)
    page.mouse.down()
    page.mouse.move(x, svg["y"] - 30, steps=5)
    page.wait_for_timeout(400)
    page.mouse.up()
    fixed = wait_for_output_change(page, "reg", before)
    assert fixed[2] == 6.0 and h.get_attribute("aria-valuemax") == "6"
    check(page, "Grow")
    page.locator(".st-key-reset_reg button").click()
    before = wait_for_output_change(page, "reg", fixed)
    assert before == [2.0] * 5
    page.wait_for_timeout(300)  # the browser has the reset handles before the next drag starts
    x, y = centre(h)
    page.mouse.move(x, y)
    page.mouse.down()
    page.mouse.move(x, svg["y"] - 30, steps=5)
    page.wait_for_timeout(600)  # held past the top: the axis keeps growing
    grown_max = float(h.get_attribute("aria-valuemax"))
    page.mouse.up()
    grown = wait_for_output_change(page, "reg", before)
    assert grown[2] > 7.0 and grown_max > 7.0
    assert grown[2] == pytest.approx(float(h.get_attribute("aria-valuenow")), abs=0.01)
    # the keys grow it too: the handle is at the axis' top now (it holds every handle); ArrowUp goes past
    assert float(h.get_attribute("aria-valuemax")) == pytest.approx(grown[2])
    h.focus()
    page.keyboard.press("ArrowUp")
    assert wait_for_output_change(page, "reg", grown)[2] == pytest.approx(grown[2] + 0.1)
    assert float(h.get_attribute("aria-valuemax")) == pytest.approx(grown[2] + 0.1)


def test_targets_drawn_over_handles_and_hollow_handles_for_dragging_targets(page):
    # prediction 3 sits on its target (3, 2.0): the target is drawn above it and lets the pointer through
    order = page.locator(".st-key-reg .dp-svg").evaluate(
        "svg => [...svg.children].filter(e => e.tagName === 'g').map(e => e.getAttribute('class'))"
    )
    assert order.index("dp-layer dp-targets") > order.index("dp-layer dp-handles")
    target = page.locator('.st-key-reg .dp-target[data-label="y3"]')
    assert target.evaluate("el => getComputedStyle(el.parentNode).pointerEvents") == "none"
    check(page, "Drag targets")
    assert page.locator(".st-key-reg .dp-handle.dp-hollow").count() == 5
    assert page.locator(".st-key-reg .dp-target.dp-filled").count() == 5
    h = slider(page, "prediction 3")
    x, y = centre(h)
    before = out(page, "reg")
    page.mouse.move(x, y)
    page.mouse.down()
    page.mouse.move(x, y - 50, steps=4)
    page.mouse.up()
    assert wait_for_output_change(page, "reg", before)[2] > 2.5
