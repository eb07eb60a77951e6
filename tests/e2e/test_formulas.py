"""Every loss's formula on the catalogue page renders with KaTeX, without a parse error."""

import losses
from tests.e2e.conftest import assert_no_exception, open_app, screenshot, wait_idle


def test_every_formula_renders(page, app_url):
    open_app(page, f"{app_url}/catalogue")
    assert_no_exception(page)
    n = len(losses.names())
    cards = page.locator('[class*="st-key-loss-"]')
    assert cards.count() == n
    # One formula per loss (parameter symbols in the tables add more .katex elements).
    assert page.locator(".katex").count() >= n
    errors = page.locator(".katex-error")
    assert errors.count() == 0, f"KaTeX could not parse: {errors.all_inner_texts()}"
    for name in losses.names():
        card = page.locator(f".st-key-loss-{name}")
        assert card.locator(".katex").count() >= 1, f"{name} shows no formula"
    screenshot(page, "catalogue")
    screenshot(page, "catalogue_full", full=True)


def test_category_filter_is_bound_to_the_url(page, app_url):
    """A shared link restores the filter (the URL holds the option's label, as Streamlit binds it)."""
    open_app(page, f"{app_url}/catalogue?cat_category=Binary")
    assert_no_exception(page)
    assert page.locator('[class*="st-key-loss-"]').count() == len(losses.names(category="binary"))
    assert page.locator(".katex-error").count() == 0
    screenshot(page, "catalogue_binary")
    page.locator(".st-key-cat_category").get_by_role("radio", name="Multiclass").click()
    page.wait_for_url("**/catalogue?cat_category=Multiclass")
    wait_idle(page)
    assert page.locator('[class*="st-key-loss-"]').count() == len(losses.names(category="multiclass"))
