"""The "Your own loss" page in a real browser: type a formula, see its cost and properties, share a link.

Every number is compared with what the core computes for the same formula on the same scene.
"""

from __future__ import annotations

import re
from urllib.parse import quote

import losses
from charts.style import format_metric as fmt
from scenes.regression import Scene
from tests.e2e.conftest import assert_no_exception, open_app, screenshot, wait_idle

BOX = ".st-key-cust_f input"


def metric(page, label: str) -> str:
    box = page.locator('[data-testid="stMetric"]').filter(
        has=page.locator('[data-testid="stMetricLabel"]', has_text=re.compile(f"^{re.escape(label)}$"))
    )
    return box.locator('[data-testid="stMetricValue"]').inner_text().strip()


def core(formula: str) -> str:
    _, y = Scene().points()
    return fmt(losses.custom(formula).cost(y, Scene().default_predictions()))


def open_custom(page, app_url: str, query: str = ""):
    open_app(page, f"{app_url}/custom{query}")
    page.locator(BOX).wait_for()
    assert_no_exception(page)


def type_formula(page, formula: str) -> None:
    page.locator(BOX).fill(formula)
    page.locator(BOX).press("Enter")
    wait_idle(page)


def test_typing_a_formula_shows_its_cost_and_properties(page, app_url):
    open_custom(page, app_url)
    assert metric(page, "your loss") == core("log(1 + r**2)")
    type_formula(page, "abs(r)**1.5")
    page.wait_for_function(
        """expected => [...document.querySelectorAll('[data-testid="stMetric"]')].some(m =>
             m.querySelector('[data-testid="stMetricLabel"]')?.innerText.trim() === 'your loss' &&
             m.querySelector('[data-testid="stMetricValue"]')?.innerText.trim() === expected)""",
        arg=core("abs(r)**1.5"),
        timeout=15_000,
    )
    assert page.get_by_text(re.compile("Convex: yes")).count() == 1
    assert "abs(r)**1.5" in page.url.replace("%2A", "*").replace("%28", "(").replace("%29", ")")
    assert_no_exception(page)


def test_a_refused_formula_shows_why_and_nothing_runs(page, app_url):
    open_custom(page, app_url)
    type_formula(page, "__import__('os').system('x')")
    alert = page.locator('[data-testid="stAlert"]').filter(has_text="Not a usable formula")
    alert.wait_for()
    assert "listed functions" in alert.inner_text()
    assert page.locator('[data-testid="stMetric"]').count() == 0
    assert_no_exception(page)


def test_a_link_shares_the_loss_and_a_bad_link_is_a_warning(page, app_url):
    open_custom(page, app_url, "?cust_f=" + quote("where(r > 0, 2*r**2, r**2)"))
    assert page.locator(BOX).input_value() == "where(r > 0, 2*r**2, r**2)"
    assert metric(page, "your loss") == core("where(r > 0, 2*r**2, r**2)")
    assert page.get_by_text(re.compile("Symmetric: no")).count() == 1
    open_custom(page, app_url, "?cust_f=" + quote("r.__class__"))
    page.get_by_text(re.compile("could not be used")).first.wait_for()
    assert page.locator(BOX).input_value() == "log(1 + r**2)"


def test_screenshots_light_and_dark(page, dark_page, app_url):
    for pg, name in ((page, "custom"), (dark_page, "custom_dark")):
        open_custom(pg, app_url)
        pg.locator('[data-testid="stPlotlyChart"]').first.wait_for()
        screenshot(pg, name)
        screenshot(pg, name + "_full", full=True)
    open_custom(page, app_url, "?cust_kind=binary")
    page.locator('[data-testid="stPlotlyChart"]').first.wait_for()
    screenshot(page, "custom_binary_full", full=True)
