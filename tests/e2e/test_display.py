"""What a viewer can set from the page itself: light or dark (the app's menu) and a larger text size."""

from __future__ import annotations

from tests.e2e.conftest import assert_no_exception, open_app, wait_idle


def _luminance(page) -> float:
    rgb = page.locator('[data-testid="stApp"]').evaluate("el => getComputedStyle(el).backgroundColor")
    r, g, b = (float(v) for v in rgb[rgb.index("(") + 1 : rgb.index(")")].split(",")[:3])
    return (0.2126 * r + 0.7152 * g + 0.0722 * b) / 255


def _root_font_px(page) -> float:
    return page.evaluate("() => parseFloat(getComputedStyle(document.documentElement).fontSize)")


def test_the_menu_switches_between_light_and_dark(page, app_url):
    open_app(page, f"{app_url}/regression")
    assert _luminance(page) > 0.8
    page.locator('[data-testid="stMainMenuButton"]').click()
    page.locator('[data-testid="stMainMenuList"]').wait_for()
    page.locator('[data-testid="stMainMenuItem-theme-Dark"]').click()  # the menu's theme switcher
    page.wait_for_timeout(300)
    assert _luminance(page) < 0.2
    assert page.locator('[data-testid="stToolbarActions"]').get_by_text("Deploy").count() == 0


def test_a_larger_text_size_holds_across_pages(page, app_url):
    open_app(page, f"{app_url}/regression")
    normal = _root_font_px(page)
    page.locator(".st-key-app_text").get_by_text("Larger", exact=True).click()
    wait_idle(page)
    assert _root_font_px(page) == 1.5 * normal
    page.locator('[data-testid="stSidebarNavLink"]', has_text="Binary classification").click()
    wait_idle(page)
    assert_no_exception(page)
    assert _root_font_px(page) == 1.5 * normal
