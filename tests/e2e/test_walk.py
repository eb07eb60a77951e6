"""A newcomer's walk in the real browser: between pages by the sidebar, totals readable at any zoom, and
nothing fetched from anywhere but the app's own server."""

from __future__ import annotations

from urllib.parse import urlparse

import pytest

from tests.e2e.conftest import assert_no_exception, open_app, screenshot, wait_idle

NAV = '[data-testid="stSidebarNav"] [data-testid="stSidebarNavLink"]'
TITLES = {
    "regression": "Regression losses",
    "binary": "Binary classification",
    "multiclass": "Multi-class classification",
    "score": "Score your predictions",
    "catalogue": "All losses",
    "learn": "How the loss shapes learning",
    "custom": "Your own loss",
    "lecture": "Lecture",
}


def _nav(page, path: str) -> None:
    """Go to a page by its sidebar link, as a visitor does (the link keeps no query string)."""
    page.locator(NAV, has_text=TITLES[path]).first.click()
    page.wait_for_url(lambda url: urlparse(url).path == f"/{path}")
    wait_idle(page)
    assert_no_exception(page)
    assert "None" not in page.url, page.url


def _slider(page, key: str):
    """A Streamlit slider's range input (react-aria: a visually hidden <input type="range">)."""
    return page.locator(f'.st-key-{key} input[type="range"]').first


def _slider_value(page, key: str) -> str:
    return _slider(page, key).input_value()


def _metric(page, label: str) -> str:
    return page.locator('[data-testid="stMetric"]', has_text=label).first.locator(
        '[data-testid="stMetricValue"]'
    ).inner_text()


def test_regression_at_thirty_points_then_binary_and_back(page, app_url):
    open_app(page, f"{app_url}/regression")
    _slider(page, "reg_n").focus()
    page.keyboard.press("End")  # the slider's maximum, 30 points
    wait_idle(page)
    handle = page.locator('.st-key-reg_free [role="slider"][aria-label="prediction 1"]')
    handle.focus()
    page.keyboard.press("ArrowUp")
    wait_idle(page)
    mse = _metric(page, "MSE")
    assert _slider_value(page, "reg_n") == "30"
    _nav(page, "binary")
    assert _slider_value(page, "bin_n") == "8"
    assert page.locator('[data-testid="stMetric"]', has_text="hinge").count() >= 1
    _nav(page, "regression")
    assert _slider_value(page, "reg_n") == "30", "Regression lost its 30 points"
    assert _metric(page, "MSE") == mse, "Regression lost its dragged prediction"
    assert "reg_n=30" in page.url  # the link is the page's again
    _nav(page, "binary")
    assert _slider_value(page, "bin_n") == "8"
    screenshot(page, "walk_binary_after_regression")


def test_every_page_in_turn_and_back(page, app_url):
    open_app(page, app_url)
    for path in [*TITLES, *list(TITLES)[::-1]]:
        _nav(page, path)
        assert page.locator('[data-testid="stMain"] h1').first.inner_text().startswith(TITLES[path][:10])


#: Pages (with a link) whose totals are read: the textbook outlier at 1000 gives the widest numbers.
TOTALS_PAGES = [
    "regression?reg_scene=classic&reg_p=1,1,1,1,1000,1,1,1&reg_losses=MSE&reg_losses=MAE&reg_losses=Huber"
    "&reg_losses=RMSE",
    "regression?reg_n=30&reg_seed=999",
    "binary",
    "binary?bin_n=16&bin_labels=-1/%2B1",
    "multiclass?mc_k=10",
    "score",
]


@pytest.mark.parametrize("zoom", [1.0, 1.5, 2.0], ids=["100%", "150%", "200%"])
def test_no_total_is_cut_off(browser, app_url, zoom):
    """At 1280x720, zoomed (a zoomed browser lays out a viewport 1/zoom as wide at zoom x the pixels)."""
    context = browser.new_context(viewport={"width": round(1280 / zoom), "height": round(720 / zoom)},
                                  device_scale_factor=zoom)  # fmt: skip
    page = context.new_page()
    try:
        for i, path in enumerate(TOTALS_PAGES):
            open_app(page, f"{app_url}/{path}")
            values = page.locator('[data-testid="stMetricValue"]')
            values.first.wait_for()
            cut = values.evaluate_all(
                """els => els.flatMap(el => [el, ...el.querySelectorAll('*')])
                      .filter(e => e.scrollWidth > e.clientWidth + 1)
                      .map(e => e.closest('[data-testid="stMetric"]').innerText.replace(/\\n/g, ' '))"""
            )
            assert not cut, f"{path} at {zoom:.0%}: cut off: {cut}"
            screenshot(page, f"totals_{i}_{path.split('?')[0]}_{round(zoom * 100)}")
    finally:
        context.close()


def test_nothing_is_fetched_from_outside_the_app(page, app_url):
    """Offline in a hall: every request of every page goes to the app's own server."""
    own = urlparse(app_url).netloc
    requests: list[str] = []
    page.on("request", lambda r: requests.append(r.url))
    open_app(page, app_url)
    for path in TITLES:
        _nav(page, path)
    page.wait_for_timeout(500)  # late requests: icons, fonts
    outside = sorted({u for u in requests if urlparse(u).scheme in ("http", "https", "ws", "wss")
                      and urlparse(u).netloc != own})  # fmt: skip
    assert not outside, f"requests to other hosts: {outside}"
    assert len(requests) > 10  # the recorder saw the page load
