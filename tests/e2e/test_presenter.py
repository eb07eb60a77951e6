"""Presenter view in Chromium at 1280x720, light and dark: on each explorer (``?present=1``) and in story
steps, the scene's drag chart, the key chart and the totals are all on the first screen (element boxes
inside the viewport, no scrolling), the drag chart fills the height beside the key chart, body text is at
least 24 px and metric values at least 48 px, and no value is cut off, also at 150% zoom."""

from __future__ import annotations

import pytest

from tests.e2e.conftest import assert_no_exception, open_app, screenshot, wait_idle

W, H = 1280, 720
#: name, link, the drag chart's key (None: the step's scene has none), the key chart's selector, the totals
CASES = [
    ("regression", "/regression?present=1", "reg_free", ".st-key-reg_curves", ".st-key-reg_metrics_row"),
    ("binary", "/binary?present=1", "bin_s", ".st-key-bin_margin", ".st-key-bin_metrics_row"),
    ("multiclass", "/multiclass?present=1", "mc_z", ".st-key-mc_probs", "first4"),
    ("step_outlier", "/lecture?story=1_one_outlier&step=3&present=1", "reg_free", ".st-key-reg_shares",
     ".st-key-reg_metrics_row"),
    ("step_huber", "/lecture?story=2_huber_delta&step=4&present=1", "reg_free", ".st-key-reg_curves",
     ".st-key-reg_metrics_row"),
    ("step_margin", "/lecture?story=4_hinge_and_cross_entropy&step=3&present=1", "bin_s",
     ".st-key-bin_margin_slope", ".st-key-bin_metrics_row"),
    ("step_softmax", "/lecture?story=6_multiclass&step=2&present=1", "mc_z", ".st-key-mc_probs", "first4"),
    ("step_sigmoid", "/lecture?story=5_sigmoid_squared_error&step=3&present=1", None, ".st-key-bin_vanishing",
     "all"),
    ("step_batch", "/lecture?story=3_loss_and_cost&step=2&present=1", None, '[class*="st-key-mc_batch_"]',
     "all"),
]  # fmt: skip

MEASURE = """([drag, key, totals]) => {
  const shown = el => el && el.getClientRects().length > 0;
  const box = el => { const r = el.getBoundingClientRect();
                      return {top: r.top, bottom: r.bottom, left: r.left, right: r.right}; };
  const px = el => parseFloat(getComputedStyle(el).fontSize);
  const metrics = [...document.querySelectorAll('[data-testid="stMetric"]')].filter(shown);
  const inTotals = totals === 'all' ? metrics : totals === 'first4' ? metrics.slice(0, 4)
                 : metrics.filter(m => m.closest(totals));
  const value = m => m.querySelector('[data-testid="stMetricValue"]');
  // body text: the step's caption, else the key chart's heading (the first screen's paragraphs)
  const body = document.querySelector('.st-key-lecture_caption p')
            || [...document.querySelectorAll('[data-testid="stMain"] [data-testid="stMarkdown"] p')]
                 .find(p => shown(p) && px(p) > 0 && !p.closest('.st-key-lecture_bar'));
  const main = document.querySelector('[data-testid="stMain"]');
  return {
    drag: drag ? (el => shown(el) ? box(el) : null)(document.querySelector('.st-key-' + drag)) : undefined,
    key: (el => shown(el) ? box(el) : null)(document.querySelector(key)),
    totals: inTotals.map(m => ({label: m.querySelector('[data-testid="stMetricLabel"]').innerText,
                                ...box(m), px: px(value(m)),
                                cut: value(m).scrollWidth > value(m).clientWidth + 1})),
    body: body ? px(body) : 0,
    scrolled: main.scrollTop,
    sidebar: document.querySelector('[data-testid="stSidebar"]')?.getAttribute('aria-expanded'),
  };
}"""


def _open(browser, app_url, link, scheme, zoom=1.0):
    context = browser.new_context(viewport={"width": round(W / zoom), "height": round(H / zoom)},
                                  device_scale_factor=zoom, color_scheme=scheme)  # fmt: skip
    page = context.new_page()
    page.set_default_timeout(30_000)
    open_app(page, app_url + link)
    page.locator('[data-testid="stMetricValue"]').first.wait_for(state="attached")
    wait_idle(page)
    page.wait_for_timeout(1000)  # Plotly and the drag chart draw after the run
    return page


def _inside(name, what, b):
    assert b is not None, f"{name}: the {what} is not shown"
    assert b["top"] >= 0 and b["bottom"] <= H and b["right"] <= W, f"{name}: the {what} is off screen: {b}"


@pytest.mark.parametrize("scheme", ["light", "dark"])
@pytest.mark.parametrize("name,link,drag,key,totals", CASES, ids=[c[0] for c in CASES])
def test_the_scene_its_key_chart_and_the_totals_fill_one_screen(browser, app_url, name, link, drag, key,
                                                                totals, scheme):  # fmt: skip
    page = _open(browser, app_url, link, scheme)
    try:
        assert_no_exception(page)
        m = page.evaluate(MEASURE, [drag, key, totals])
        shot = screenshot(page, f"presenter_{name}_{scheme}")
        print(f"{name} ({scheme}): body {m['body']} px; drag {m['drag'] and round(m['drag']['bottom'])}, "
              f"key {round(m['key']['bottom']) if m['key'] else None}, totals "
              f"{max((round(t['bottom']) for t in m['totals']), default=None)} (bottoms, px); "
              f"values {min((t['px'] for t in m['totals']), default=None)} px; {shot}")  # fmt: skip
        assert m["sidebar"] != "true", f"{name}: the sidebar should be collapsed in presenter view"
        assert m["scrolled"] == 0
        assert m["body"] >= 24, f"{name}: body text {m['body']} px"
        _inside(name, "key chart", m["key"])
        if drag is not None:
            _inside(name, "drag chart", m["drag"])
            # the drag chart is sized to the screen (present.height) beside the key chart, not left short
            assert m["drag"]["bottom"] >= m["key"]["bottom"] - 40, (name, m["drag"], m["key"])
        assert m["totals"], f"{name}: no totals shown"
        for t in m["totals"]:
            _inside(name, f"total {t['label']!r}", t)
            assert t["px"] >= 48 and not t["cut"], (name, t)
    finally:
        page.context.close()


@pytest.mark.parametrize("link", ["/regression?present=1", "/binary?present=1",
                                  "/lecture?story=1_one_outlier&step=3&present=1"])  # fmt: skip
def test_at_150_percent_zoom_no_value_is_cut_off(browser, app_url, link):
    """Zoomed in, the page flows as usual and scrolls; every total is whole and within the page's width."""
    page = _open(browser, app_url, link, "light", zoom=1.5)
    try:
        assert_no_exception(page)
        m = page.evaluate(MEASURE, [None, "body", "all"])
        width = page.evaluate("innerWidth")
        assert m["totals"]
        for t in m["totals"]:
            assert not t["cut"] and t["right"] <= width and t["px"] >= 48, t
        screenshot(page, "presenter_zoom150_" + link.strip("/").split("?")[0])
    finally:
        page.context.close()
