"""The app's entrypoint and home page, run headless with AppTest."""

import ast
from pathlib import Path

from streamlit.testing.v1 import AppTest

ROOT = Path(__file__).resolve().parents[2]


def _navigation_pages() -> list[str]:
    """The page files listed in app.py's PAGES, in order (read from the source: app.py only routes)."""
    tree = ast.parse((ROOT / "app.py").read_text())
    return [
        node.args[0].value
        for node in ast.walk(tree)
        if isinstance(node, ast.Call)
        and getattr(node.func, "attr", None) == "Page"
        and node.args
        and isinstance(node.args[0], ast.Constant)
    ]


def test_app_runs_and_opens_home():
    at = AppTest.from_file(str(ROOT / "app.py")).run()
    assert not at.exception
    assert at.title[0].value == "Loss Explorer"


def test_home_links_every_other_page():
    at = AppTest.from_file(str(ROOT / "app.py")).run()
    pages = _navigation_pages()
    assert pages[0] == "views/home.py", "home must stay the first (default) page"
    linked = {link.proto.page for link in at.page_link}
    missing = [p for p in pages[1:] if Path(p).stem not in linked]
    assert not missing, f"add these pages to LINKS in views/home.py: {missing} (linked: {sorted(linked)})"


def test_every_navigation_page_runs():
    for path in _navigation_pages():
        at = AppTest.from_file(str(ROOT / "app.py")).run()
        at.switch_page(path).run(timeout=30)
        assert not at.exception, f"{path}: {[e.value for e in at.exception]}"
        assert at.title, f"{path} has no title"
