"""The live drag in a real browser: while the mouse is held down and moves, the totals, the share bars and the
marks on the curves follow it (the widget's preview from the core's tables, scenes/live.py); after release the
page shows the core's exact values for where the handles are; a chart whose data did not change is not drawn
again; keys still update everything.
"""

from __future__ import annotations

from urllib.parse import parse_qs, urlparse

import numpy as np

import losses
from charts.style import format_metric as fmt
from scenes import binary as bsc
from scenes import multiclass as msc
from scenes.regression import Scene
from tests.e2e.conftest import assert_no_exception, open_app, wait_idle
from tests.e2e.test_regression import core, positions

METRICS = """([row]) => [...document.querySelectorAll(`.st-key-${row} [data-testid="stMetricValue"]`)]
  .map((e) => e.innerText.replace('\\u200b', '').trim())"""
#: What the preview left on the page: texts still ending in its mark (U+200B), deltas it hid.
LEFT_OVER = """() => [...document.querySelectorAll('[data-testid="stMetric"]')].flatMap((m) => [
  ...(m.innerText.includes('\\u200b') ? [`${m.innerText.trim()} (preview text)`] : []),
  ...[...m.querySelectorAll('[data-testid="stMetricDelta"]')].filter((d) => d.style.visibility === 'hidden')
    .map(() => `${m.innerText.split('\\n')[0]} (delta hidden)`)])"""
BARS = """() => [...document.querySelectorAll('.st-key-reg_shares .lossx-bar')]
  .map(r => [r.dataset.loss, Number(r.dataset.unit), Number(r.dataset.share)])"""
MARKS = """([key]) => [...document.querySelectorAll(`.st-key-${key} .lossx-marks .lossx-mark`)]
  .map(p => p.getAttribute('transform'))"""
#: Each mark of ``loss`` on chart ``key`` in the chart's data coordinates (through Plotly's own axes).
MARKS_AT = r"""([key, loss]) => {
  const gd = document.querySelector(`.st-key-${key} .js-plotly-plot`), xa = gd._fullLayout.xaxis,
    ya = gd._fullLayout.yaxis;
  return [...gd.querySelectorAll(`.lossx-mark[data-loss="${loss}"]`)].map((g) => {
    const [, px, py] = /translate\(([-\d.e]+),([-\d.e]+)\)/.exec(g.getAttribute('transform')).map(Number);
    return [Number(g.dataset.unit), xa.p2c(px - xa._offset), ya.p2c(py - ya._offset)];
  });
}"""
#: Counts Plotly.react calls per chart key (window.Plotly is the app's own Plotly).
COUNT_REACTS = """() => {
  window.__reacts = {};
  if (window.Plotly.react.__counted) return;
  const orig = window.Plotly.react;
  window.Plotly.react = function (gd, ...rest) {
    const host = gd && gd.closest && gd.closest('[class*="st-key-"]');
    const key = host ? [...host.classList].find((c) => c.startsWith('st-key-')).slice(7) : '?';
    window.__reacts[key] = (window.__reacts[key] || 0) + 1;
    return orig.call(this, gd, ...rest);
  };
  window.Plotly.react.__counted = true;
}"""


def hold_and_move(page, slider, dy: float, steps: int = 8):
    """Press on ``slider`` and move the pointer dy pixels in steps, without releasing."""
    slider.scroll_into_view_if_needed()
    box = slider.bounding_box()
    x, y = box["x"] + box["width"] / 2, box["y"] + box["height"] / 2
    page.mouse.move(x, y)
    page.mouse.down()
    for k in range(steps):
        page.mouse.move(x, y + dy * (k + 1) / steps)
        page.wait_for_timeout(30)


def test_regression_totals_bars_and_marks_follow_the_pointer_before_release(page, app_url):
    open_app(page, f"{app_url}/regression")
    page.locator(".st-key-reg_curves .lossx-mark").first.wait_for()
    row = ["reg_metrics_row"]
    # at rest the marks over the curves sit at each point's residual and its exact loss / derivative
    x, y = Scene().points()
    r = positions(page) - y
    for key, fn in (("reg_curves", "per_sample"), ("reg_influence", "per_sample_derivative")):
        marks = sorted(page.evaluate(MARKS_AT, [key, "mse"]))
        assert [u for u, _, _ in marks] == list(range(len(y)))
        np.testing.assert_allclose([mx for _, mx, _ in marks], r, atol=0.02)  # within a pixel's worth
        want = getattr(losses.get("mse"), fn)(y, r + y)
        np.testing.assert_allclose([my for _, _, my in marks], want, atol=0.1)
    rest, bars, marks = page.evaluate(METRICS, row), page.evaluate(BARS), page.evaluate(MARKS, ["reg_curves"])
    # at rest the bars are each point's share of each total, from the core's per-point losses
    for name in ("mse", "mae"):
        per = losses.get(name).per_sample(y, positions(page))
        got = sorted((u, v) for n, u, v in bars if n == name)
        np.testing.assert_allclose([v for _, v in got], np.round(100 * per / per.sum(), 1), atol=0.051)
    assert rest == [core(n, positions(page)) for n in ("mse", "mae", "huber")]

    hold_and_move(page, page.locator('.st-key-reg_free [role="slider"]').first, -90)
    during = page.evaluate(METRICS, row)
    assert all(a != b for a, b in zip(during, rest, strict=True)), (rest, during)  # every total moved
    assert page.evaluate(BARS) != bars and page.evaluate(MARKS, ["reg_curves"]) != marks
    # the preview is the core's number for where the handle is now, to the digits shown (MAE's last digit
    # may differ: |r| is interpolated between table nodes)
    now = positions(page)
    assert during[0] == core("mse", now) and during[2] == core("huber", now)
    assert abs(float(during[1]) - float(core("mae", now))) <= 2e-4

    page.mouse.up()
    wait_idle(page)
    page.wait_for_timeout(300)
    assert page.evaluate(LEFT_OVER) == []
    final = positions(page)
    assert page.evaluate(METRICS, row) == [core(n, final) for n in ("mse", "mae", "huber")]
    assert_no_exception(page)


def test_regression_keys_update_everything_and_unchanged_charts_are_not_drawn_again(page, app_url):
    open_app(page, f"{app_url}/regression")
    page.locator(".st-key-reg_curves .lossx-mark").first.wait_for()
    page.wait_for_timeout(500)
    page.evaluate(COUNT_REACTS)
    first = page.locator('.st-key-reg_free [role="slider"]').first
    first.focus()
    page.keyboard.press("ArrowUp")
    wait_idle(page)
    page.wait_for_timeout(500)
    assert page.evaluate(METRICS, ["reg_metrics_row"]) == [core(n, positions(page)) for n in ("mse", "mae",
                                                                                               "huber")]
    # the figures did not change (the widget moves the marks and bars over them): none is drawn again
    assert page.evaluate("() => window.__reacts") == {}

    # dragging the targets instead changes no number and no chart: none of the three is drawn again
    page.evaluate(COUNT_REACTS)
    page.locator(".st-key-reg_drag button", has_text="Targets").click()
    wait_idle(page)
    page.locator('.st-key-reg_targets [role="slider"]').first.wait_for()
    page.wait_for_timeout(800)
    assert page.evaluate("() => window.__reacts") == {}


def test_after_each_key_press_the_page_shows_the_servers_numbers_and_deltas(page, app_url):
    """The preview hides a metric's delta and writes its own text; once the server has answered each press,
    both are the server's again (the deltas stayed hidden from the second press on)."""
    open_app(page, f"{app_url}/regression")
    page.locator(".st-key-reg_curves .lossx-mark").first.wait_for()
    for _ in range(3):
        page.locator('.st-key-reg_free [role="slider"]').nth(1).press("ArrowUp")
        wait_idle(page)
        page.wait_for_timeout(300)
        assert page.evaluate(LEFT_OVER) == []
        raw = page.locator('.st-key-reg_metrics_row [data-testid="stMetricValue"]').all_inner_texts()
        assert raw == [core(n, positions(page)) for n in ("mse", "mae", "huber")]
    deltas = page.locator('.st-key-reg_metrics_row [data-testid="stMetricDelta"]')
    assert deltas.count() == 3 and all(d.is_visible() for d in deltas.all())
    assert_no_exception(page)


def test_binary_totals_and_margin_marks_follow_the_pointer_before_release(page, app_url):
    open_app(page, f"{app_url}/binary")
    page.locator(".st-key-bin_margin .lossx-mark").first.wait_for()
    row = ["bin_metrics_row"]
    rest, marks = page.evaluate(METRICS, row), page.evaluate(MARKS, ["bin_margin"])
    hold_and_move(page, page.locator('.st-key-bin_s [role="slider"]').first, 60)
    during = page.evaluate(METRICS, row)
    assert during[0] != rest[0] and page.evaluate(MARKS, ["bin_margin"]) != marks
    page.mouse.up()
    wait_idle(page)
    page.wait_for_timeout(300)
    assert page.evaluate(LEFT_OVER) == []
    # the scores the server now holds are in the link (to their 2 decimals): the totals are the core's
    scores = np.array([float(v) for v in parse_qs(urlparse(page.url).query)["bin_scores"][0].split(",")])
    scene = bsc.Scene()
    y = bsc.in_convention(scene.labels01(), bsc.CONVENTIONS[0])
    assert page.evaluate(METRICS, row)[0] == fmt(bsc.cost("binary_cross_entropy", y, scores))
    assert_no_exception(page)


def test_multiclass_totals_and_probability_bars_follow_the_pointer_before_release(page, app_url):
    open_app(page, f"{app_url}/multiclass")
    page.locator(".st-key-mc_probs .barlayer .point path").first.wait_for()
    ce = ["mc_m_ce"]
    bars = """() => [...document.querySelectorAll('.st-key-mc_probs .barlayer .point path')]
      .map(p => p.getAttribute('d'))"""
    rest, rest_bars = page.evaluate(METRICS, ce), page.evaluate(bars)
    hold_and_move(page, page.locator('.st-key-mc_z [role="slider"]').first, -60)
    during, during_bars = page.evaluate(METRICS, ce), page.evaluate(bars)
    assert during != rest and during_bars != rest_bars
    page.mouse.up()
    wait_idle(page)
    page.wait_for_timeout(300)
    assert page.evaluate(LEFT_OVER) == []
    z = np.array([float(v) for v in parse_qs(urlparse(page.url).query)["mc_logits"][0].split(",")])
    true = msc.names(len(z)).index(msc.TRUE_DEFAULT)
    want = losses.get("categorical_cross_entropy").cost(np.eye(len(z))[[true]], losses.softmax(z[None, :]))
    final = page.evaluate(METRICS, ce)
    assert final == [fmt(want)]
    assert abs(float(during[0]) - want) < 1e-3  # the preview was the core's number, to a table's accuracy
    assert_no_exception(page)
