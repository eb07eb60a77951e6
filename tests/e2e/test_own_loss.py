"""The explorers' "Your own loss" box in a real browser: type a formula on /regression and see its total
beside the built-ins, the core's number for the scene; a drag moves it live like theirs; a link shares it.
"""

from __future__ import annotations

from urllib.parse import quote

import losses
from charts.style import format_metric as fmt
from scenes.regression import Scene
from tests.e2e.conftest import assert_no_exception, open_app, screenshot, wait_idle
from tests.e2e.test_live_drag import METRICS, hold_and_move
from tests.e2e.test_regression import core, positions

BOX = ".st-key-reg_own_f input"
FORMULA = "log(1 + r**2)"
ROW = ["reg_metrics_row"]


def own(formula: str, preds) -> str:
    """The core's cost of the formula on the default scene at these predictions, as the page shows it."""
    _, y = Scene().points()
    return fmt(losses.custom(formula).cost(y, preds))


def totals(page) -> list[str]:
    return page.evaluate(METRICS, ROW)


def wait_totals(page, want: list[str]) -> None:
    page.wait_for_function(f"([row, want]) => JSON.stringify(({METRICS})([row])) === JSON.stringify(want)",
                           arg=[ROW[0], want], timeout=15_000)  # fmt: skip


def test_typing_a_formula_on_regression_shows_its_total_and_a_drag_moves_it(page, app_url):
    open_app(page, f"{app_url}/regression")
    page.locator(".st-key-reg_curves .lossx-mark").first.wait_for()
    # the sidebar's expander, closed while the box is empty
    page.get_by_test_id("stSidebarUserContent").get_by_text("Your own loss").click()
    page.locator(BOX).fill(FORMULA)
    page.locator(BOX).press("Enter")
    wait_idle(page)
    preds = positions(page)
    wait_totals(page, [core(n, preds) for n in ("mse", "mae", "huber")] + [own(FORMULA, preds)])
    assert page.locator('[data-testid="stMetricLabel"]', has_text="your loss").count() == 1
    assert "reg_own_f=" in page.url and "log" in page.url
    page.locator('.st-key-reg_curves .lossx-mark[data-loss="custom"]').first.wait_for()  # marks on its curve
    screenshot(page, "regression_own_loss", full=True)
    rest = totals(page)

    hold_and_move(page, page.locator('.st-key-reg_free [role="slider"]').first, -90)
    during = totals(page)
    assert during[3] != rest[3], (rest, during)  # its total follows the pointer like the built-ins'
    assert abs(float(during[3]) - float(own(FORMULA, positions(page)))) <= 2e-4
    page.mouse.up()
    wait_idle(page)
    page.wait_for_timeout(300)
    final = positions(page)
    wait_totals(page, [core(n, final) for n in ("mse", "mae", "huber")] + [own(FORMULA, final)])
    assert_no_exception(page)


def test_a_link_with_a_formula_opens_with_it_and_an_undefined_one_says_why(page, app_url):
    open_app(page, f"{app_url}/regression?reg_own_f=" + quote("abs(r)**1.5"))
    page.locator(BOX).wait_for()
    assert page.locator(BOX).input_value() == "abs(r)**1.5"
    wait_totals(page, [core(n, Scene().default_predictions()) for n in ("mse", "mae", "huber")]
                + [own("abs(r)**1.5", Scene().default_predictions())])  # fmt: skip
    page.locator(BOX).fill("log(r)")
    page.locator(BOX).press("Enter")
    wait_idle(page)
    page.get_by_text("Your loss has no value on this scene.").wait_for()
    assert totals(page)[3] == "undefined"
    assert_no_exception(page)
