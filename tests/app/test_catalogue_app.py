"""The "All losses" page, run headless with AppTest: one card and formula per loss, filtered by category."""

from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

import losses

APP = str(Path(__file__).resolve().parents[2] / "app.py")
FILTER_KEY = "cat_category"


def _formulas(at: AppTest) -> list[str]:
    """The LaTeX source of every st.latex element (AppTest shows it wrapped in $$ ... $$)."""
    return [el.value.strip().removeprefix("$$").removesuffix("$$").strip() for el in at.latex]


@pytest.fixture
def catalogue() -> AppTest:
    at = AppTest.from_file(APP).run()
    at.switch_page("views/catalogue.py").run(timeout=30)
    assert not at.exception, [e.value for e in at.exception]
    return at


def test_shows_one_formula_per_loss(catalogue):
    formulas = _formulas(catalogue)
    assert len(formulas) == len(losses.names())
    assert formulas == [losses.get(name).formula for name in losses.names()]


def test_every_loss_has_a_card_with_its_metadata(catalogue):
    markdown = "\n".join(el.value for el in catalogue.markdown)
    for name in losses.names():
        spec = losses.get(name)
        assert spec.summary in markdown, name
        assert losses.KINDS[spec.y_true] in markdown, name
        for param in spec.params:
            assert param.describe_range() in markdown, f"{name}.{param.name}"
        for text in spec.equivalents.values():
            if text:
                assert text.split()[0] in markdown, f"{name}: {text}"


@pytest.mark.parametrize("category", losses.CATEGORIES)
def test_category_filter_narrows_the_list(catalogue, category):
    catalogue.segmented_control(key=FILTER_KEY).set_value(category).run()
    assert not catalogue.exception
    expected = losses.names(category=category)
    assert 0 < len(expected) < len(losses.names())
    assert _formulas(catalogue) == [losses.get(n).formula for n in expected]


def test_category_filter_is_read_from_the_url():
    at = AppTest.from_file(APP)
    at.query_params[FILTER_KEY] = "Regression"  # a bound widget's URL value is its option label
    at.run()
    at.switch_page("views/catalogue.py").run(timeout=30)
    assert not at.exception
    assert len(at.latex) == len(losses.names(category="regression"))
