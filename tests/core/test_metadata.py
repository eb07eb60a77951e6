"""The metadata is complete for every registered loss: what the app shows comes from here."""

from __future__ import annotations

import math

import numpy as np
import pytest

import losses
from tests.core.support import sample

REQUIRED = {
    "mse",
    "rmse",
    "mae",
    "msle",
    "huber",
    "pseudo_huber",
    "log_cosh",
    "quantile",
    "binary_cross_entropy",
    "sigmoid_cross_entropy",
    "hinge",
    "squared_hinge",
    "categorical_cross_entropy",
    "sparse_categorical_cross_entropy",
    "kl_divergence",
    "softmax_cross_entropy",
    "general_robust",
    "binary_focal",
    "logistic",
    "exponential",
    "modified_huber",
    "zero_one",
    "poisson",
    "poisson_deviance",
    "categorical_hinge",
}


def test_every_required_loss_is_registered():
    assert REQUIRED <= set(losses.names())


def test_names_by_category_partition_the_registry():
    parts = [losses.names(category=c) for c in losses.CATEGORIES]
    assert sorted(sum(parts, [])) == sorted(losses.names())


@pytest.mark.parametrize("name", losses.names())
def test_metadata_is_complete(name):
    spec = losses.get(name)
    assert spec.name == name
    for field in ("title", "formula", "summary", "good", "bad"):
        value = getattr(spec, field)
        assert isinstance(value, str) and value.strip(), f"{name}.{field} is empty"
    assert spec.category in losses.CATEGORIES
    assert spec.y_true in losses.KINDS and spec.y_pred in losses.KINDS
    assert callable(spec.value) and callable(spec.derivative)
    props = spec.properties
    for flag in ("convex", "symmetric", "robust", "smooth", "nonnegative", "zero_at_perfect"):
        assert isinstance(getattr(props, flag), bool)
    assert set(spec.equivalents) <= set(losses.FRAMEWORKS)
    assert all(isinstance(v, str) and v for v in spec.equivalents.values())
    assert spec.value.__doc__, f"{name}'s function needs a docstring with its formula and reference"


@pytest.mark.parametrize("name", losses.names())
def test_parameters_have_defaults_inside_their_ranges(name):
    spec = losses.get(name)
    for p in spec.params:
        assert p.meaning and p.symbol
        assert p.check(p.default, name) == p.default
        assert p.low < p.high
        assert not math.isnan(p.default)


def test_parameters_named_in_the_issue_have_the_documented_defaults():
    assert losses.get("huber").defaults() == {"delta": 1.0}
    assert losses.get("pseudo_huber").defaults() == {"delta": 1.0}
    assert losses.get("quantile").defaults() == {"tau": 0.5}
    assert losses.get("categorical_cross_entropy").defaults() == {"label_smoothing": 0.0}
    assert losses.get("softmax_cross_entropy").defaults() == {"label_smoothing": 0.0}
    assert set(losses.get("general_robust").defaults()) == {"alpha", "scale"}
    assert set(losses.get("binary_focal").defaults()) == {"gamma", "alpha"}


def test_formula_braces_balance():
    """A cheap guard against broken LaTeX; the browser test renders every formula with KaTeX."""
    for name in losses.names():
        f = losses.get(name).formula.replace(r"\{", "").replace(r"\}", "")
        assert f.count("{") == f.count("}"), name
        assert f.count(r"\left") == f.count(r"\right"), name
        assert f.count(r"\begin") == f.count(r"\end"), name


# -- what the pages take from the registry --------------------------------------------------------------
@pytest.mark.parametrize("category", losses.CATEGORIES)
def test_short_labels_are_unique_within_a_page(category):
    shown = [losses.get(n).short for n in losses.names(page=category)]
    assert all(shown) and len(set(shown)) == len(shown), shown


def test_every_loss_is_shown_on_its_category_page_unless_it_says_otherwise():
    hidden = [n for n in losses.names() if not losses.get(n).shown_on(losses.get(n).category)]
    # poisson and its deviance: their predictions must be positive
    assert hidden == ["poisson", "poisson_deviance", "categorical_hinge"]
    assert losses.names(category="binary", page="binary") == losses.names(category="binary")


@pytest.mark.parametrize("name", [n for n in losses.names() if losses.get(n).params])
def test_every_parameter_has_a_finite_slider_inside_its_valid_range(name):
    spec = losses.get(name)
    for p in spec.params:
        low, high, step = p.ui_range()
        assert low < high and 0 < step <= (high - low)
        # both ends are values the loss accepts, and the default lies on the slider
        assert p.check(low, name) == low and p.check(high, name) == high
        assert low <= p.default <= high
        assert p.shown_as and len(p.shown_as) <= 3


def test_a_parameter_with_an_infinite_range_needs_its_slider_ends():
    p = losses.Param("k", 1.0, 0.0, math.inf, "a test parameter", "k")
    with pytest.raises(losses.ParameterError, match="ui_low and ui_high"):
        p.ui_range()


def test_names_by_page_checks_the_page():
    with pytest.raises(losses.LossInputError, match="page must be one of"):
        losses.names(page="nowhere")


# -- same_as: the equalities the scorer relies on to show a number once ---------------------------------
#: Changes of variable between input kinds: (kind of the twin's input, kind of this loss's input) -> function.
_CONVERT = {
    ("logits", "probabilities"): lambda a, k: losses.sigmoid(a),
    ("probabilities", "logits"): lambda a, k: losses.logit(a),
    ("class_labels", "distributions"): lambda a, k: losses.one_hot(a, k),
    ("class_logits", "distributions"): lambda a, k: losses.softmax(a),
    ("distributions", "class_logits"): lambda a, k: np.log(a),
}


def _convert(a, src: str, dst: str, k: int):
    return a if src == dst else _CONVERT[(src, dst)](a, k)


def test_same_as_names_registered_losses_of_the_same_category():
    for name in losses.names():
        spec = losses.get(name)
        for twin in spec.same_as:
            assert twin != name and losses.get(twin).category == spec.category, (name, twin)


@pytest.mark.parametrize(("name", "twin"), [(n, t) for n in losses.names() for t in losses.get(n).same_as])
@pytest.mark.parametrize("seed", range(3))
def test_same_as_gives_the_same_number_on_converted_inputs(name, twin, seed):
    """``name`` on the twin's inputs converted to its own kinds is the twin's number (at the defaults)."""
    spec, other = losses.get(name), losses.get(twin)
    k = 4
    t, p = sample(other, np.random.default_rng(seed), 40, k)
    t_in = _convert(t, other.y_true, spec.y_true, k)
    p_in = _convert(p, other.y_pred, spec.y_pred, k)
    assert math.isclose(spec.cost(t_in, p_in), other.cost(t, p), rel_tol=1e-9)
    np.testing.assert_allclose(spec.per_sample(t_in, p_in), other.per_sample(t, p), rtol=1e-9, atol=1e-12)
