"""The numbers and text the classification pages show, shaped in scenes/ (numpy only): checked against the
core directly, so a page cannot show a number the core did not give."""

from __future__ import annotations

import numpy as np
import pytest

import losses
from charts.style import format_metric as fmt
from scenes import binary as bsc
from scenes import multiclass as msc

LABELS_PM = np.array([1.0, -1.0, 1.0, -1.0])
LABELS_01 = np.array([1.0, 0.0, 1.0, 0.0])
SCORES = np.array([2.0, -0.5, -3.0, 4.5])


def test_each_loss_gets_the_labels_it_takes():
    np.testing.assert_array_equal(bsc.labels_for("binary_focal", LABELS_PM), LABELS_01)
    np.testing.assert_array_equal(bsc.labels_for("hinge", LABELS_PM), LABELS_PM)
    np.testing.assert_array_equal(bsc.labels_for("hinge", LABELS_01), LABELS_01)  # hinge reads 0 as -1


@pytest.mark.parametrize("labels", [LABELS_PM, LABELS_01])
def test_a_loss_on_probabilities_is_the_same_number_on_the_scores(labels):
    """BCE of σ(s) and its slope by the chain rule equal sigmoid cross-entropy on s and its derivative."""
    v, g = bsc.on_scores("binary_cross_entropy", labels, SCORES)
    sce = losses.get("sigmoid_cross_entropy")
    np.testing.assert_allclose(v, sce.per_sample(LABELS_01, SCORES), rtol=1e-12)
    np.testing.assert_allclose(g, sce.per_sample_derivative(LABELS_01, SCORES), rtol=1e-9, atol=1e-15)
    assert bsc.cost("binary_cross_entropy", labels, SCORES) == pytest.approx(sce.cost(LABELS_01, SCORES))


@pytest.mark.parametrize("name", losses.names(page="binary"))
@pytest.mark.parametrize("label", [0, 1])
def test_margin_curves_and_their_slopes(name, label):
    params = tuple(sorted(losses.get(name).defaults().items()))
    m, value, slope = bsc.margin_curve(name, params, label, 3.0)
    assert m[0] == -3.0 and m[-1] == 3.0 and value.shape == slope.shape == m.shape
    t = 1.0 if label == 1 else -1.0
    direct, _ = bsc.on_scores(name, np.full_like(m, t), t * m, **dict(params))
    np.testing.assert_array_equal(value, direct)
    if losses.get(name).properties.smooth:  # dℓ/dm against a finite difference of the curve itself
        fd = np.gradient(value, m)
        np.testing.assert_allclose(slope[5:-5], fd[5:-5], atol=2e-3 * max(1.0, np.abs(slope).max()))


def test_only_a_loss_that_weighs_the_labels_differently_gets_two_curves():
    assert bsc.splits_by_label("binary_focal", (("alpha", 0.25), ("gamma", 2.0)), 6.5)
    assert not bsc.splits_by_label("binary_focal", (("alpha", 0.5), ("gamma", 2.0)), 6.5)
    assert not bsc.splits_by_label("hinge", (), 6.5)


def test_conventions_table_and_notes():
    table = bsc.conventions_table(LABELS_01, LABELS_PM, "-1/+1", SCORES)
    np.testing.assert_array_equal(table["margin m"], LABELS_PM * SCORES)
    assert table["label (-1/+1)"] == ["+1", "-1", "+1", "-1"] and table["y for CE"] == ["1", "0", "1", "0"]
    np.testing.assert_allclose(table["hinge"], losses.get("hinge").per_sample(LABELS_PM, SCORES))
    same = bsc.convention_notes("0/1", LABELS_01, SCORES, fmt)
    assert len(same) == 1 and same[0].count(fmt(losses.get("hinge").cost(LABELS_PM, SCORES))) == 2
    refused = bsc.convention_notes("-1/+1", LABELS_PM, SCORES, fmt)
    assert refused[1].startswith("> `LabelError`: ") and "0" in refused[1] and len(refused[1]) > 30


def test_vanishing_note_says_how_many_times_smaller():
    ce, sq = bsc.sigmoid_gradients((-5.0,))
    note = bsc.vanishing_note(-5.0, float(ce[0]), float(sq[0]))
    assert f"{float(ce[0]) / float(sq[0]):,.0f}× smaller" in note
    ce, sq = bsc.sigmoid_gradients((2.0,))
    assert "prediction is right" in bsc.vanishing_note(2.0, float(ce[0]), float(sq[0]))


def test_probability_axis_ends_where_the_scores_end():
    lo, hi = bsc.P_RANGE
    s_lo, s_hi = bsc.S_RANGE
    # the axis ends are the probabilities of scores within 0.02 of the score range's ends ...
    assert abs(bsc.logit(lo) - s_lo) < 0.02 and abs(bsc.logit(hi) - s_hi) < 0.02
    # ... and a handle there shows (3 decimals) the probability the losses then use
    used = losses.sigmoid(np.array(bsc.quantize([bsc.logit(hi)])))[0]
    assert f"{used:.3f}" == f"{hi:.3f}"


# ---- multi-class ---------------------------------------------------------------------------------------
def test_the_sample_view_gives_each_loss_its_own_inputs():
    z = np.array([[2.0, 1.0, 0.2, -0.5]])
    q = losses.softmax(z)
    sparse = msc.on_sample("sparse_categorical_cross_entropy", 1, 4, z, q)
    assert sparse == pytest.approx(-np.log(q[0, 1]), rel=1e-12)
    assert msc.on_sample("categorical_cross_entropy", 1, 4, z, q) == pytest.approx(sparse, rel=1e-12)
    assert msc.on_sample("softmax_cross_entropy", 1, 4, z, q) == pytest.approx(sparse, rel=1e-12)
    want = losses.get("categorical_hinge").cost(msc.one_hot(1, 4), z)
    assert msc.on_sample("categorical_hinge", 1, 4, z, q) == want


def test_batch_rows_cost_and_sentence():
    z, labels = msc.default_batch(4)
    table, cost, sentence = msc.batch_rows(z, labels, msc.names(4), fmt)
    spec = losses.get("softmax_cross_entropy")
    assert cost == spec.cost(labels, z)
    np.testing.assert_allclose(table["loss ℓ (CE)"], spec.per_sample(labels, z))
    worst = int(np.argmax(table["loss ℓ (CE)"]))
    assert f"row {worst + 1} alone" in sentence and f"**{fmt(cost)}**" in sentence
    assert msc.is_default_batch(z, labels, 4) and not msc.is_default_batch(z + 1, labels, 4)


@pytest.mark.parametrize(("text", "k"), [(None, 4), ("7", 7), ("abc", 4), ("11", 4), ("2", 4), ("10", 10)])
def test_parse_k(text, k):
    assert msc.parse_k(text) == k
