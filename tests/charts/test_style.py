"""The shared style: colours, the metric format, the one layout helper, and what every figure inherits."""

from __future__ import annotations

import inspect
import re
from pathlib import Path

import plotly.graph_objects as go
import pytest

from charts import classification, regression, scoring, style
from charts.style import FONT_SIZE
from tests.charts.examples import FIGURES

MODULES = (regression, classification, scoring)


def test_colors_and_dashes():
    assert style.color_of("mse") == style.color_of("rmse") == "#1f77b4"
    assert style.color_of("hinge") == "#d62728"
    # an unknown name gets a fixed colour from the fallback palette (the same on every run)
    assert style.color_of("not_a_loss") == style.color_of("not_a_loss")
    assert style.color_of("not_a_loss") in style._FALLBACK
    assert style.dash_of("zero_one") == "dot"
    assert style.dash_of("rmse") == "dash"
    assert style.dash_of("mse") == "solid"


@pytest.mark.parametrize(
    ("value", "shown"),
    [
        (0.0, "0.0000"),
        (1.23456, "1.2346"),
        (-2.5, "-2.5000"),
        (12345.6, "1.235e+04"),
        (float("inf"), "∞"),
        (float("-inf"), "-∞"),
        (float("nan"), "NaN"),
    ],
)
def test_format_metric(value, shown):
    assert style.format_metric(value) == shown


def test_layout_sets_sizes_margins_and_automargin():
    lay = style.layout(x_title="x title", y_title="y title", height=321)
    assert lay["height"] == 321
    assert lay["margin"] == {"l": 10, "r": 10, "t": 30, "b": 10}
    assert lay["font"] == {"size": FONT_SIZE}
    assert lay["legend"]["font"] == {"size": FONT_SIZE - 1}
    assert lay["legend"]["orientation"] == "h"
    assert lay["hovermode"] == "closest"
    for axis, title in (("xaxis", "x title"), ("yaxis", "y title")):
        assert lay[axis]["title"] == {"text": title, "font": {"size": FONT_SIZE}}
        assert lay[axis]["tickfont"] == {"size": FONT_SIZE - 1}
        assert lay[axis]["automargin"] is True
        assert lay[axis]["zeroline"] is True


def test_layout_merges_axes_and_extra_keys():
    lay = style.layout(
        x_title="a", y_title="b", height=300, top=44, xaxis={"range": [0, 1]}, yaxis={"type": "log"},
        barmode="group", shapes=[{"type": "line"}],
    )  # fmt: skip
    assert lay["margin"]["t"] == 44
    assert lay["xaxis"]["range"] == [0, 1] and lay["xaxis"]["automargin"] is True
    assert lay["yaxis"]["type"] == "log" and lay["yaxis"]["title"]["text"] == "b"
    assert "range" not in lay["yaxis"]
    assert lay["barmode"] == "group"
    assert lay["shapes"] == [{"type": "line"}]
    # the two axes are separate dicts: changing one does not change the other
    lay["xaxis"]["tickfont"]["size"] = 99
    assert lay["yaxis"]["tickfont"]["size"] == FONT_SIZE - 1


def test_every_public_builder_has_an_example():
    public = {
        f"{m.__name__.split('.')[-1]}.{name}"
        for m in MODULES
        for name, fn in vars(m).items()
        if inspect.isfunction(fn) and fn.__module__ == m.__name__ and not name.startswith("_")
        and inspect.signature(fn).return_annotation in (go.Figure, "go.Figure")
    }  # fmt: skip
    assert public == set(FIGURES)


@pytest.mark.parametrize("name", list(FIGURES))
def test_every_figure_uses_the_shared_layout(name):
    fig = FIGURES[name]()
    assert isinstance(fig, go.Figure)
    assert fig.layout.font.size == FONT_SIZE
    assert fig.layout.legend.font.size == FONT_SIZE - 1
    assert fig.layout.margin.l == 10 and fig.layout.margin.b == 10
    for axis in (fig.layout.xaxis, fig.layout.yaxis):
        assert axis.automargin is True  # Streamlit's template leaves it off: titles would be clipped
        assert axis.tickfont.size == FONT_SIZE - 1
        assert axis.title.font.size == FONT_SIZE


@pytest.mark.parametrize("module", MODULES, ids=lambda m: m.__name__)
def test_figures_are_built_in_one_call(module):
    """One construction style: plain dicts in ``go.Figure(data=..., layout=...)``, no step-by-step updates."""
    source = Path(module.__file__).read_text(encoding="utf-8")
    calls = re.findall(r"\.(add_\w+|update_\w+|for_each_\w+)\(", source)
    assert calls == []
    assert "def _layout(fig" not in source
