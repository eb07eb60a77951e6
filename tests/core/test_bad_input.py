"""Every bad input raises its LossInputError subclass, naming the argument, the row and the value."""

from __future__ import annotations

import math

import numpy as np
import pytest

import losses
from losses import (
    EmptyInputError,
    LabelError,
    LossInputError,
    NonFiniteError,
    NonNumericError,
    ParameterError,
    RangeError,
    RowSumError,
    ShapeError,
    UnknownLossError,
)
from tests.core.support import sample


def _raises(exc, fn, *words):
    with pytest.raises(exc) as info:
        fn()
    assert isinstance(info.value, ValueError)
    msg = str(info.value)
    for w in words:
        assert w in msg, f"{w!r} not in {msg!r}"
    return info.value


@pytest.mark.parametrize("name", losses.names())
def test_empty_input_is_rejected(name):
    spec = losses.get(name)
    empty = np.zeros((0, 3)) if spec.y_true in ("distributions",) else []
    pred = np.zeros((0, 3)) if spec.y_pred in ("distributions", "class_logits", "class_scores") else []
    _raises(EmptyInputError, lambda: spec.cost(empty, pred), "empty")


@pytest.mark.parametrize("name", losses.names())
def test_nan_and_inf_are_rejected_with_their_row(name):
    spec = losses.get(name)
    t, p = sample(spec, np.random.default_rng(0), 6, 3)
    for bad in (math.nan, math.inf, -math.inf):
        pb = p.copy()
        pb[4] = bad
        err = _raises(NonFiniteError, lambda pb=pb: spec.cost(t, pb), "y_pred", "row 4")
        assert err.row == 4 and err.argument == "y_pred"
        tb = t.copy()
        tb[2] = bad
        _raises(NonFiniteError, lambda tb=tb: spec.per_sample(tb, p), "y_true", "row 2")


@pytest.mark.parametrize("name", losses.names())
def test_length_mismatch_is_rejected(name):
    spec = losses.get(name)
    t, p = sample(spec, np.random.default_rng(0), 6, 3)
    _raises(ShapeError, lambda: spec.cost(t, p[:5]), "6 and 5 samples")


@pytest.mark.parametrize("name", losses.names(category="regression") + losses.names(category="binary"))
def test_two_dimensional_input_to_a_one_dimensional_loss_is_rejected(name):
    _raises(ShapeError, lambda: losses.get(name).cost(np.ones((3, 2)), np.ones((3, 2))), "shape")


def test_scalar_input_is_rejected():
    _raises(ShapeError, lambda: losses.get("mse").cost(1.0, 2.0), "scalar")


def test_ragged_lists_are_rejected():
    _raises(
        ShapeError,
        lambda: losses.get("categorical_cross_entropy").cost([[1, 0], [1]], [[1, 0], [1, 0]]),
        "rectangular",
    )


def test_class_count_mismatch_is_rejected():
    _raises(
        ShapeError, lambda: losses.get("kl_divergence").cost([[1, 0, 0]], [[0.5, 0.5]]), "3 and 2 columns"
    )


def test_strings_are_rejected_with_their_row():
    err = _raises(
        NonNumericError, lambda: losses.get("mse").cost([1, 2, 3], ["1", "2", "x"]), "y_pred", "'x'"
    )
    assert err.row == 2


def test_probabilities_out_of_range_suggest_logits():
    err = _raises(
        RangeError,
        lambda: losses.get("binary_cross_entropy").cost([1, 0, 1], [0.2, 1.3, 0.5]),
        "y_pred",
        "probabilities in [0, 1]",
        "row 1",
        "1.3",
        "sigmoid_cross_entropy",
    )
    assert err.row == 1
    _raises(RangeError, lambda: losses.get("binary_cross_entropy").cost([1], [-0.1]), "row 0")


@pytest.mark.parametrize("name", ["binary_cross_entropy", "sigmoid_cross_entropy", "binary_focal"])
def test_labels_outside_0_1_are_rejected(name):
    _raises(
        LabelError, lambda: losses.get(name).cost([1, 0, -1], [0.5, 0.5, 0.5]), "y_true", "0 or 1", "row 2"
    )
    _raises(LabelError, lambda: losses.get(name).cost([1, 0.5], [0.5, 0.5]), "row 1")


@pytest.mark.parametrize("name", [n for n in losses.names() if losses.get(n).y_true == "labels_pm1"])
def test_margin_losses_reject_other_labels_and_mixed_conventions(name):
    spec = losses.get(name)
    _raises(LabelError, lambda: spec.cost([1, 2], [0.5, 0.5]), "y_true", "row 1", "2")
    _raises(LabelError, lambda: spec.cost([1, 0, -1], [0.5, 0.5, 0.5]), "mixes", "0/1", "-1/+1")


def test_mixed_label_conventions_are_caught_across_blocks(monkeypatch):
    from losses import validation

    monkeypatch.setattr(validation, "BLOCK", 2)
    _raises(LabelError, lambda: losses.get("hinge").cost([1, 0, 1, 1, -1], [0.5] * 5), "mixes", "row 4")


def test_msle_rejects_values_at_or_below_minus_one():
    _raises(
        RangeError,
        lambda: losses.get("msle").cost([0.0, 1.0], [0.5, -1.0]),
        "y_pred",
        "greater than -1",
        "row 1",
    )
    _raises(RangeError, lambda: losses.get("msle").cost([-3.0], [0.5]), "y_true", "row 0")


def test_poisson_needs_positive_rates_and_nonnegative_counts():
    _raises(RangeError, lambda: losses.get("poisson").cost([1.0], [0.0]), "y_pred", "positive")
    _raises(RangeError, lambda: losses.get("poisson").cost([-1.0], [1.0]), "y_true", "non-negative")


def test_rows_not_summing_to_one_are_rejected_with_a_fix():
    err = _raises(
        RowSumError,
        lambda: losses.get("categorical_cross_entropy").cost([[1, 0], [0, 1]], [[0.5, 0.5], [0.3, 0.6]]),
        "y_pred",
        "row 1",
        "0.9",
        "Normalise",
        "softmax_cross_entropy",
    )
    assert err.row == 1
    # within the 1e-6 tolerance is fine
    losses.get("categorical_cross_entropy").cost([[1, 0]], [[0.5, 0.5 + 5e-7]])


def test_distributions_with_negative_entries_are_rejected():
    _raises(
        RangeError, lambda: losses.get("kl_divergence").cost([[1.2, -0.2]], [[0.5, 0.5]]), "y_true", "row 0"
    )


@pytest.mark.parametrize("labels", [[0, 3], [0, -1], [0, 1.5]])
def test_sparse_labels_out_of_range_or_not_integral(labels):
    q = [[0.5, 0.3, 0.2], [0.1, 0.1, 0.8]]
    _raises(
        LabelError,
        lambda: losses.get("sparse_categorical_cross_entropy").cost(labels, q),
        "y_true",
        "0..2",
        "row 1",
    )
    _raises(LabelError, lambda: losses.get("softmax_cross_entropy").cost(labels, q), "row 1")


def test_integral_float_labels_from_a_csv_are_fine():
    q = [[0.5, 0.3, 0.2], [0.1, 0.1, 0.8]]
    assert losses.get("sparse_categorical_cross_entropy").cost([0.0, 2.0], q) == pytest.approx(
        -(math.log(0.5) + math.log(0.8)) / 2
    )


@pytest.mark.parametrize(
    ("name", "param", "value", "words"),
    [
        ("huber", "delta", 0.0, ["delta", "(0, ∞)", "0"]),
        ("huber", "delta", -1.0, ["delta"]),
        ("pseudo_huber", "delta", math.nan, ["delta"]),
        ("quantile", "tau", 0.0, ["tau", "(0, 1)"]),
        ("quantile", "tau", 1.0, ["tau"]),
        ("binary_focal", "gamma", -0.5, ["gamma", "[0, 10]"]),
        ("binary_focal", "alpha", 1.5, ["alpha"]),
        ("general_robust", "scale", 0.0, ["scale"]),
        ("general_robust", "alpha", math.nan, ["alpha"]),
        ("categorical_cross_entropy", "label_smoothing", 1.2, ["label_smoothing"]),
        ("huber", "delta", "abc", ["delta", "'abc'"]),
    ],
)
def test_out_of_range_parameters_are_rejected(name, param, value, words):
    spec = losses.get(name)
    t, p = sample(spec, np.random.default_rng(0), 3, 3)
    err = _raises(ParameterError, lambda: spec.cost(t, p, **{param: value}), *words)
    assert err.argument == param


def test_unknown_parameter_lists_the_valid_ones():
    _raises(ParameterError, lambda: losses.get("huber").cost([1.0], [1.0], tau=0.3), "'tau'", "delta")
    _raises(ParameterError, lambda: losses.get("mse").cost([1.0], [1.0], delta=1.0), "none")


def test_unknown_loss_suggests_close_names():
    err = _raises(UnknownLossError, lambda: losses.get("hubber"), "hubber", "huber")
    assert isinstance(err, KeyError) and isinstance(err, LossInputError)
    _raises(UnknownLossError, lambda: losses.get("zzz"), "Known losses")


def test_unknown_category_is_rejected():
    _raises(LossInputError, lambda: losses.names(category="ranking"), "regression")


def test_error_messages_carry_a_fix_for_nan():
    _raises(NonFiniteError, lambda: losses.get("mse").cost([1.0, math.nan], [1.0, 2.0]), "Drop or fill")
