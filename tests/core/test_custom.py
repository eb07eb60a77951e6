"""Custom losses (losses.custom): values against hand-written numpy, derivatives against finite differences,
the built-ins re-typed as formulas against the registry, hostile formulas refused fast with nothing run,
the generated numeric code, errors at rows, parameters and the properties checked on a grid."""

from __future__ import annotations

import ast
import builtins
import functools
import inspect
import os
import subprocess
import sys
import time
import warnings

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import losses
from losses.custom import (
    MAX_LENGTH,
    CustomLoss,
    FormulaError,
    FormulaValueError,
    _numeric,
    check_properties,
    custom,
    declare,
    format_params,
    parse_params,
)
from losses.validation import BLOCK
from tests.core.hostile_formulas import HOSTILE, MARKER


@functools.cache
def spec(formula: str, kind: str = "regression", labels: str = "01", params: str = "") -> CustomLoss:
    return custom(formula, kind=kind, labels=labels, params=parse_params(params))


RNG = np.random.default_rng(13)
Y = RNG.normal(0.0, 2.0, 200)
YHAT = Y + RNG.normal(0.0, 3.0, 200)
R = YHAT - Y
LABELS01 = RNG.integers(0, 2, 200).astype(float)
PM1 = 2.0 * LABELS01 - 1.0
S = RNG.normal(0.0, 3.0, 200)
P = RNG.uniform(0.01, 0.99, 200)


# ---- values against hand-written numpy ------------------------------------------------------------
REGRESSION_VALUES = [
    ("log(1 + r**2)", lambda y, yh, r: np.log1p(r**2)),
    ("abs(r)**1.5", lambda y, yh, r: np.abs(r) ** 1.5),
    ("sqrt(1 + r**2) - 1", lambda y, yh, r: np.sqrt(1 + r**2) - 1),
    ("1 - exp(-r**2/2)", lambda y, yh, r: 1 - np.exp(-(r**2) / 2)),
    ("where(r > 0, 2*r, -r)", lambda y, yh, r: np.where(r > 0, 2 * r, -r)),
    ("tanh(r)**2 + sin(r)**2 * cos(r)", lambda y, yh, r: np.tanh(r) ** 2 + np.sin(r) ** 2 * np.cos(r)),
    ("max(r, 0)**2 + min(r, 0)**2/4", lambda y, yh, r: np.maximum(r, 0) ** 2 + np.minimum(r, 0) ** 2 / 4),
    ("log1p(abs(r)) + expm1(-abs(r)/10)", lambda y, yh, r: np.log1p(np.abs(r)) + np.expm1(-np.abs(r) / 10)),
    ("(yhat - y)**2/(1 + y**2)", lambda y, yh, r: (yh - y) ** 2 / (1 + y**2)),
    ("sign(r)*r + pi*r**2 + e", lambda y, yh, r: np.sign(r) * r + np.pi * r**2 + np.e),
    ("where(abs(r) < 1 and y > 0, r**2, 0.5*abs(r))",
     lambda y, yh, r: np.where((np.abs(r) < 1) & (y > 0), r**2, 0.5 * np.abs(r))),
    ("sigmoid(r) + softplus(-r)", lambda y, yh, r: 1 / (1 + np.exp(-r)) + np.log1p(np.exp(-r))),
]  # fmt: skip


@pytest.mark.parametrize(("formula", "reference"), REGRESSION_VALUES, ids=[f for f, _ in REGRESSION_VALUES])
def test_regression_formulas_match_hand_written_numpy(formula, reference):
    expected = reference(Y, YHAT, R)
    np.testing.assert_allclose(spec(formula).per_sample(Y, YHAT), expected, rtol=1e-12, atol=1e-12)
    assert spec(formula).cost(Y, YHAT) == pytest.approx(float(np.mean(reference(Y, YHAT, R))), rel=1e-12)


def test_binary_and_multiclass_formulas_match_hand_written_numpy():
    weighted = spec("-(y*log(p) + (1-y)*log(1-p))*(1 + 2*y)", "binary")
    assert (weighted.y_true, weighted.y_pred) == ("labels01", "probabilities")
    expected = -(LABELS01 * np.log(P) + (1 - LABELS01) * np.log(1 - P)) * (1 + 2 * LABELS01)
    np.testing.assert_allclose(weighted.per_sample(LABELS01, P), expected, rtol=1e-12)
    logistic = spec("softplus(-y*s)", "binary", "pm1")
    assert (logistic.y_true, logistic.y_pred) == ("labels_pm1", "scores")
    np.testing.assert_allclose(logistic.per_sample(PM1, S), np.logaddexp(0, -PM1 * S), rtol=1e-12)
    np.testing.assert_allclose(logistic.per_sample(LABELS01, S), np.logaddexp(0, -PM1 * S), rtol=1e-12)
    both = spec("(1 - p)**2 * softplus(-s)", "binary")  # s and p: p is σ(s)
    assert both.y_pred == "logits"
    np.testing.assert_allclose(both.per_sample(LABELS01, S),
                               (1 - 1 / (1 + np.exp(-S))) ** 2 * np.logaddexp(0, -S), rtol=1e-12)  # fmt: skip
    q = RNG.dirichlet(np.ones(4), 50)
    labels = RNG.integers(0, 4, 50).astype(float)
    py = q[np.arange(50), labels.astype(int)]
    focal = spec("(1 - p)**2 * -log(p) + 0*k", "multiclass")
    assert (focal.y_true, focal.y_pred) == ("class_labels", "distributions")
    np.testing.assert_allclose(focal.per_sample(labels, q), (1 - py) ** 2 * -np.log(py), rtol=1e-12)
    np.testing.assert_allclose(spec("log(k) - log(p)", "multiclass").per_sample(labels, q),
                               np.log(4) - np.log(py), rtol=1e-12)  # fmt: skip
    grad = focal.per_sample_derivative(labels, q)
    assert grad.shape == q.shape and np.count_nonzero(grad[np.arange(50), labels.astype(int)] == 0) == 0
    assert np.count_nonzero(grad) == 50  # only the true class's column moves the loss


# ---- derivatives against central finite differences ------------------------------------------------
SMOOTH_REGRESSION = ["log(1 + r**2)", "abs(r)**2.5", "sqrt(1 + r**2) - 1", "1 - exp(-r**2/2)",
                     "tanh(r)**2 + sin(r)*cos(r)", "(yhat - y)**2/(1 + y**2)", "softplus(r) + sigmoid(2*r)",
                     "log1p(r**2) * expm1(r/5)", "yhat**2 - 2*y*yhat + y**2",
                     "delta**2*(sqrt(1 + (r/delta)**2) - 1)",
                     "r**-2 * 0 + r**4/(1 + abs(y))"]  # fmt: skip
H = 1e-6


def _fd(fn, t, p):
    return (fn(t, p + H) - fn(t, p - H)) / (2 * H)


@settings(max_examples=60, deadline=None)
@given(st.sampled_from(SMOOTH_REGRESSION), st.floats(-3, 3), st.floats(-3, 3))
def test_regression_derivatives_match_finite_differences(formula, y, yhat):
    loss = spec(formula)
    t, p = np.array([y]), np.array([yhat])
    if formula.startswith("r**-2") and abs(yhat - y) < 1e-3:
        return
    np.testing.assert_allclose(loss.derivative(t, p, **loss.defaults()),
                               _fd(lambda a, b: loss.value(a, b, **loss.defaults()), t, p),
                               rtol=1e-5, atol=1e-6)  # fmt: skip


SMOOTH_BINARY = [("-(y*log(p) + (1-y)*log(1-p))*(1 + 2*y)", "01"), ("softplus(-y*s)", "pm1"),
                 ("(1 - sigmoid(y*s))**2", "pm1"), ("(1 - p)**2 * softplus(-s) + y*p", "01"),
                 ("exp(-y*s/2)", "pm1")]  # fmt: skip


@settings(max_examples=60, deadline=None)
@given(st.sampled_from(SMOOTH_BINARY), st.sampled_from([0.0, 1.0]), st.floats(-4, 4))
def test_binary_derivatives_match_finite_differences(case, label, score):
    formula, labels = case
    loss = spec(formula, "binary", labels)
    t = np.array([label if labels == "01" else 2 * label - 1])
    x = np.array([1 / (1 + np.exp(-score)) if loss.y_pred == "probabilities" else score])
    np.testing.assert_allclose(loss.derivative(t, x), _fd(loss.value, t, x), rtol=1e-5, atol=1e-6)


@settings(max_examples=40, deadline=None)
@given(st.floats(0.05, 0.95), st.integers(0, 2))
def test_multiclass_derivative_matches_finite_differences(p_true, label):
    loss = spec("(1 - p)**2 * -log(p) + p/k", "multiclass")
    q = np.full((1, 3), (1 - p_true) / 2)
    q[0, label] = p_true
    t = np.array([float(label)])
    bump = np.zeros_like(q)
    bump[0, label] = H
    fd = (loss.value(t, q + bump) - loss.value(t, q - bump)) / (2 * H)
    np.testing.assert_allclose(loss.derivative(t, q)[0, label], fd[0], rtol=1e-5, atol=1e-6)


# ---- the built-ins re-typed ------------------------------------------------------------------------
RETYPED = [
    ("mse", "r**2", "regression", "01", {}),
    ("mae", "abs(r)", "regression", "01", {}),
    ("huber", "where(abs(r) <= delta, r**2/2, delta*(abs(r) - delta/2))", "regression", "01", {"delta": 1.7}),
    ("log_cosh", "abs(r) + log1p(exp(-2*abs(r))) - log(2)", "regression", "01", {}),
    ("pseudo_huber", "delta**2*(sqrt(1 + (r/delta)**2) - 1)", "regression", "01", {"delta": 0.6}),
    ("quantile", "where(r < 0, -tau*r, (1 - tau)*r)", "regression", "01", {"tau": 0.8}),
    ("binary_cross_entropy", "-(y*log(p) + (1-y)*log(1-p))", "binary", "01", {}),
    ("sigmoid_cross_entropy", "softplus(s) - y*s", "binary", "01", {}),
    ("hinge", "max(0, 1 - y*s)", "binary", "pm1", {}),
    ("squared_hinge", "max(0, 1 - y*s)**2", "binary", "pm1", {}),
    ("sparse_categorical_cross_entropy", "-log(p)", "multiclass", "01", {}),
]


def _inputs(name: str):
    builtin = losses.get(name)
    if builtin.category == "regression":
        return Y, YHAT
    if builtin.category == "multiclass":
        q = RNG.dirichlet(np.ones(3), 200)
        return RNG.integers(0, 3, 200).astype(float), q
    t = PM1 if builtin.y_true == "labels_pm1" else LABELS01
    return t, P if builtin.y_pred == "probabilities" else S


@pytest.mark.parametrize(("name", "formula", "kind", "labels", "params"), RETYPED,
                         ids=[c[0] for c in RETYPED])  # fmt: skip
def test_builtins_retyped_as_formulas_equal_the_registry(name, formula, kind, labels, params):
    mine, builtin = spec(formula, kind, labels), losses.get(name)
    assert (mine.y_true, mine.y_pred) == (builtin.y_true, builtin.y_pred)
    t, p = _inputs(name)
    np.testing.assert_allclose(mine.per_sample(t, p, **params), builtin.per_sample(t, p, **params),
                               rtol=1e-12, atol=1e-12)  # fmt: skip
    np.testing.assert_allclose(mine.per_sample_derivative(t, p, **params),
                               builtin.per_sample_derivative(t, p, **params), rtol=1e-12, atol=1e-12)
    assert mine.cost(t, p, **params) == pytest.approx(builtin.cost(t, p, **params), rel=1e-12, abs=1e-12)
    assert mine.properties.convex == builtin.properties.convex
    assert mine.properties.nonnegative


# ---- hostile formulas --------------------------------------------------------------------------------
#: Modules that SymPy and numpy import inside functions: computation only, nothing that reaches the system.
COMPUTING = {"sympy", "mpmath", "numpy", "losses", "collections", "functools", "itertools", "math",
             "operator", "typing", "numbers", "fractions", "decimal", "re", "types", "abc", "warnings",
             "copy",
             "keyword"}


@pytest.fixture
def nothing_runs(monkeypatch):
    """eval/exec/open/os.system raise, and every import is recorded, while a hostile formula is tried."""
    custom("log(1 + r**2) + where(r > 0, max(r, 1), sigmoid(r))")  # SymPy loaded before the clock starts
    imported: list[str] = []
    real_import = builtins.__import__

    def record(name, globals=None, locals=None, fromlist=(), level=0):
        if level == 0:
            imported.append(name)
        return real_import(name, globals, locals, fromlist, level)

    def refuse(*args, **kwargs):
        raise AssertionError(f"a hostile formula ran something: {args!r}")

    monkeypatch.setattr(builtins, "__import__", record)
    for fn in ("eval", "exec", "open", "breakpoint", "compile_"):
        if hasattr(builtins, fn):
            monkeypatch.setattr(builtins, fn, refuse)
    monkeypatch.setattr(os, "system", refuse)
    monkeypatch.setattr(os, "popen", refuse)
    monkeypatch.setattr(subprocess, "Popen", refuse)
    return imported


def test_at_least_thirty_hostile_formulas_are_listed():
    assert len(HOSTILE) >= 30
    assert len({f for f, _ in HOSTILE}) == len(HOSTILE)


@pytest.mark.parametrize(("formula", "fragment"), HOSTILE, ids=[repr(f[:40]) for f, _ in HOSTILE])
def test_hostile_formulas_are_refused_fast_and_nothing_runs(formula, fragment, nothing_runs):
    nothing_runs.clear()
    start = time.perf_counter()
    try:
        custom(formula)
        error = None
    except FormulaError as e:
        error = e
    elapsed = time.perf_counter() - start
    imported = list(nothing_runs)
    assert error is not None, f"accepted: {formula!r}"
    assert elapsed < 0.05, f"{elapsed * 1000:.1f} ms"
    message = str(error)
    assert isinstance(error, ValueError)
    assert fragment.lower() in message.lower(), message
    assert len(message) < 400 and "Traceback" not in message
    outside = [m for m in imported if m.split(".")[0] not in COMPUTING]
    assert not outside, outside
    assert not os.path.exists(MARKER)


def test_a_refusal_names_its_column():
    with pytest.raises(FormulaError, match="column 10") as info:
        custom("log(1 + r^2)")  # 1 + r^2 is (1 + r)^2: the ^ is refused, where it is
    assert info.value.column == 10
    with pytest.raises(FormulaError, match="column 2") as info:
        custom("r.__class__")
    with pytest.raises(FormulaError, match="column 5") as info:
        custom("r + \u0435xp(r)")
    assert info.value.column == 5
    with pytest.raises(FormulaError, match="Did you mean sqrt"):
        custom("sqr(r)")
    with pytest.raises(FormulaError, match="declare"):
        custom("log(1 + (r/c)**2)")


def test_the_length_limit_is_the_documented_one():
    ok = "r" + " " * (MAX_LENGTH - 1)
    assert custom(ok).cost([0.0], [2.0]) == 2.0
    with pytest.raises(FormulaError, match="characters"):
        custom(ok + " ")


# ---- the numeric code: numpy only -------------------------------------------------------------------
def test_generated_code_uses_only_numpy_and_the_stable_helpers():
    loss = spec("max(0, 1 - y*s) + abs(s)*sigmoid(s) + where(s > 0 and y > 0, softplus(s), log1p(s**2)) "
                "+ min(s, 2, y) + sign(s) + expm1(s/100) + pi + e + 123456789012345*s", "binary", "pm1")
    symbols = sorted(loss.expression.free_symbols | loss.slope.free_symbols, key=str)
    for expr in (loss.expression, loss.slope):
        source = inspect.getsource(_numeric(symbols, expr))
        tree = ast.parse(source)
        args = {a.arg for a in tree.body[0].args.args}
        names = {n.id for n in ast.walk(tree) if isinstance(n, ast.Name)} - args
        assert names <= {"numpy", "lossx_sigmoid", "lossx_softplus"}, (names, source)
        assert all(a.startswith("Dummy_") for a in args), args  # no name of the user's reaches the code
        attrs = {n.value.id for n in ast.walk(tree) if isinstance(n, ast.Attribute) and isinstance(n.value,
                                                                                                   ast.Name)}
        assert attrs <= {"numpy"}


def test_importing_losses_does_not_import_sympy():
    code = "import losses, sys; assert 'sympy' not in sys.modules; print(losses.custom)"
    subprocess.run([sys.executable, "-c", code], check=True, capture_output=True)


# ---- a spec like every other --------------------------------------------------------------------------
def test_the_spec_is_a_lossspec_that_is_not_registered():
    loss = custom("log(1 + r**2)", name="cauchy")
    assert isinstance(loss, losses.LossSpec) and loss.category == "regression" and loss.name == "cauchy"
    assert "cauchy" not in losses.names() and not loss.shown_on("regression")
    total, count = loss.total(Y, YHAT)
    assert loss.finish_cost(total, count) == pytest.approx(loss.cost(Y, YHAT))
    np.testing.assert_allclose(loss.gradient(Y, YHAT), 2 * R / (1 + R**2) / len(Y), rtol=1e-12)
    assert loss.formula == r"\ell = \log{\left(r^{2} + 1 \right)}"
    assert r"\hat{y}" in custom("(yhat - y)**2").formula
    assert r"\delta" in custom("delta*abs(r)").formula


def test_blocks_and_rows_beyond_the_first_block():
    n = 2 * BLOCK + 100
    y, yhat = np.zeros(n), np.linspace(0, 3, n)
    loss = spec("log(1 + r**2)")
    assert loss.cost(y, yhat) == pytest.approx(float(np.mean(np.log1p(yhat**2))), rel=1e-12)
    np.testing.assert_allclose(loss.gradient(y, yhat), 2 * yhat / (1 + yhat**2) / n, rtol=1e-12)
    bad = BLOCK + 17
    yhat[bad] = -2.0
    with pytest.raises(FormulaValueError, match=f"row {bad} ") as info:
        spec("log(yhat + 1)").cost(y, yhat)
    assert info.value.row == bad and isinstance(info.value, losses.RangeError)


def test_non_finite_values_and_derivatives_are_errors_naming_the_row_never_nan_or_a_warning():
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        at_row_2 = r"value of custom is not finite at row 2 \(y = 0, ŷ = -1"
        with pytest.raises(FormulaValueError, match=at_row_2):
            spec("log(yhat + 1)").per_sample([0.0, 0.0, 0.0], [1.0, 0.5, -1.0])
        with pytest.raises(FormulaValueError, match="derivative of custom is not finite at row 1"):
            spec("sqrt(abs(r))").gradient([0.0, 0.0], [1.0, 0.0])
        with pytest.raises(FormulaValueError, match="row 0"):
            spec("exp(r)").cost([0.0], [1000.0])
        with pytest.raises(FormulaValueError, match="row 1"):
            spec("-(y*log(p) + (1-y)*log(1-p))", "binary").cost([1.0, 0.0], [0.5, 0.0])
        assert spec("where(r == 0, 0, 1/r)").per_sample([0.0, 0.0], [0.0, 2.0]).tolist() == [0.0, 0.5]
    assert np.isnan(spec("log(yhat + 1)").on_grid(np.zeros(1), np.array([-2.0]))[0][0])  # plots get a gap


def test_input_kinds_are_validated_as_for_the_builtins():
    with pytest.raises(losses.RangeError, match="probabilities"):
        spec("-log(p)", "binary").cost([1.0], [1.5])
    with pytest.raises(losses.LabelError):
        spec("-log(p)", "binary").cost([-1.0], [0.5])
    with pytest.raises(losses.ShapeError):
        spec("r**2").cost([1.0, 2.0], [1.0])


# ---- parameters, names, kinds ------------------------------------------------------------------------------
def test_declared_parameters_have_ranges_sliders_and_defaults():
    params = parse_params("c = 1 in [0.1, 10]; alpha = 1.5 in [0, 2]; unused = 3 in [0, 5]")
    assert format_params(params) == "c = 1 in [0.1, 10]; alpha = 1.5 in [0, 2]; unused = 3 in [0, 5]"
    loss = custom("abs(r/c)**alpha", params=params)
    assert [p.name for p in loss.params] == ["c", "alpha"]  # only those the formula uses
    alpha = loss.param("alpha")
    assert alpha.glyph == "α" and alpha.symbol == r"\alpha" and alpha.ui_range() == (0.0, 2.0, 0.02)
    assert loss.cost([0.0], [4.0], c=2.0, alpha=2.0) == 4.0
    assert loss.cost([0.0], [4.0]) == pytest.approx(4.0**1.5)
    with pytest.raises(losses.ParameterError, match="alpha"):
        loss.cost([0.0], [4.0], alpha=3.0)
    assert custom("delta*abs(r)").param("delta") == losses.get("huber").param("delta")
    assert custom("delta*abs(r)", params=[declare("delta", 2.0, 1.0, 3.0)]).defaults() == {"delta": 2.0}


@pytest.mark.parametrize("text", ["c = 1", "c = 1 in [2, 3]", "c = 1 in [3, 0]", "__c = 1 in [0, 2]",
                                  "lambda = 1 in [0, 2]", "exp = 1 in [0, 2]",
                                  "c = 1 in [0, 2]; c = 1 in [0, 2]",
                                  "c = 1e9 in [0, 2e9]", "c = 1 in [0, 2]; " * 60])  # fmt: skip
def test_bad_parameter_declarations_are_refused(text):
    with pytest.raises(FormulaError):
        parse_params(text)


def test_bad_names_kinds_and_labels_are_refused():
    for kwargs in ({"name": "mse"}, {"name": "Bad Name"}, {"name": "__x"}, {"kind": "ranking"},
                   {"labels": "yes"}, {"params": ["c"]}):  # fmt: skip
        with pytest.raises(FormulaError):
            custom("r**2", **kwargs)
    with pytest.raises(FormulaError, match="variable"):
        custom("r**2", params=[declare("yhat", 1.0, 0.0, 2.0)])
    with pytest.raises(FormulaError, match="(?i)unknown name 'r'"):
        custom("r**2", kind="binary")  # r is a regression variable


# ---- properties on a grid ---------------------------------------------------------------------------------
def _holds(loss, **params):
    return {c.name: c.holds for c in check_properties(loss, params)}


def test_properties_checked_on_a_grid():
    assert _holds(spec("r**2")) == {"non-negative": True, "zero at a perfect prediction": True,
                                    "symmetric": True, "convex": True}  # fmt: skip
    cauchy = check_properties(spec("log(1 + r**2)"))
    assert [c.holds for c in cauchy] == [True, True, True, False] and "bends down" in cauchy[3].detail
    assert _holds(spec("where(r > 0, 2*r, -r)"))["symmetric"] is False
    assert _holds(spec("r"))["non-negative"] is False
    assert _holds(spec("r**2 + 1"))["zero at a perfect prediction"] is False
    assert _holds(spec("log(yhat + 4)**2"))["defined everywhere"] is False
    hinge = {c.name: c for c in check_properties(spec("max(0, 1 - y*s)", "binary", "pm1"))}
    perfect = hinge["zero at a perfect prediction"]
    assert perfect.holds and "m ≥ 1" in perfect.detail
    assert hinge["same for both labels"].holds and hinge["convex"].holds
    assert _holds(spec("softplus(s) - y*s", "binary"))["zero at a perfect prediction"] is False
    weighted = _holds(spec("-(y*log(p) + (1-y)*log(1-p))*(1 + 2*y)", "binary"))
    assert weighted["zero at a perfect prediction"] and not weighted["same for both labels"]
    assert _holds(spec("-log(p)", "multiclass")) == {
        "non-negative": True, "zero at a perfect prediction": True, "decreasing in p": True, "convex": True
    }  # fmt: skip
    assert _holds(spec("abs(r/c)**3", params="c = 1 in [0.5, 2]"), c=2.0)["convex"] is True


def test_spec_properties_smooth_and_robust():
    assert spec("r**2").properties.smooth and not spec("r**2").properties.robust
    assert not spec("abs(r)").properties.smooth and spec("abs(r)").properties.robust
    huber = spec("where(abs(r) <= delta, r**2/2, delta*(abs(r) - delta/2))").properties
    assert huber.smooth and huber.robust and huber.convex and huber.symmetric
