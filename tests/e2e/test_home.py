"""The home page loads cleanly, in both themes, and every page link on it reaches its page."""

from urllib.parse import urlparse

from tests.e2e.conftest import assert_no_exception, open_app, screenshot, wait_idle

LINKS = '[data-testid="stMain"] [data-testid="stPageLink"] a'
NAV_LINKS = '[data-testid="stSidebarNav"] [data-testid="stSidebarNavLink"]'


def _luminance(css_rgb: str) -> float:
    r, g, b = (float(v) for v in css_rgb[css_rgb.index("(") + 1 : css_rgb.index(")")].split(",")[:3])
    return (0.2126 * r + 0.7152 * g + 0.0722 * b) / 255


def _background(page) -> str:
    return page.locator('[data-testid="stApp"]').evaluate("el => getComputedStyle(el).backgroundColor")


def test_home_loads_without_exception(page, app_url):
    open_app(page, app_url)
    assert page.get_by_role("heading", name="Loss Explorer").is_visible()
    assert_no_exception(page)
    assert page.locator(LINKS).count() >= 1
    assert _luminance(_background(page)) > 0.8, "light theme expected for a light colour scheme"
    screenshot(page, "home")


def test_home_follows_a_dark_colour_scheme(dark_page, app_url):
    open_app(dark_page, app_url)
    assert_no_exception(dark_page)
    assert _luminance(_background(dark_page)) < 0.2, "dark theme expected for a dark colour scheme"
    screenshot(dark_page, "home_dark")


def test_every_page_link_reaches_its_page(page, app_url):
    open_app(page, app_url)
    # (the href attribute as written, where it resolves to)
    links = page.locator(LINKS).evaluate_all("els => els.map(e => [e.getAttribute('href'), e.href])")
    assert links, "the home page links no pages"
    for href, resolved in links:
        target = urlparse(resolved).path
        assert target not in ("", "/"), f"a page link on home points to home itself ({href!r})"
        open_app(page, app_url)
        page.locator(f'{LINKS}[href="{href}"]').click()
        page.wait_for_url(lambda url, t=target: urlparse(url).path == t)
        wait_idle(page)
        assert_no_exception(page)
        assert page.locator('[data-testid="stMain"] h1').count(), f"{target} shows no title"
        screenshot(page, "page" + target.replace("/", "_"))


def test_sidebar_lists_only_the_navigation_pages(page, app_url):
    """st.navigation is the only navigation: each page appears once, with its title."""
    open_app(page, app_url)
    # inner text starts with the icon's ligature name ("home"), then the title
    labels = [text.strip().splitlines()[-1] for text in page.locator(NAV_LINKS).all_inner_texts()]
    assert labels[0] == "Home" and "All losses" in labels, labels
    assert len(labels) == len(set(labels)), labels
    assert not {"app", "home", "catalogue"} & set(labels), f"views/ listed as a v1 app: {labels}"


def test_deep_link_on_a_cold_server_runs_through_app_py(page, start_server):
    """A prepared link as a fresh server's first request still goes through app.py.

    Streamlit runs a folder named pages/ beside the entrypoint as a v1 multipage app until st.navigation has
    run once per server process; our pages live in views/ so that never happens.
    """
    url = start_server()
    open_app(page, f"{url}/catalogue")
    assert_no_exception(page)
    labels = [t.strip().splitlines()[-1] for t in page.locator(NAV_LINKS).all_inner_texts()]
    assert labels[0] == "Home" and "All losses" in labels, labels
