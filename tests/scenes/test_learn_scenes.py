"""The learning page's data shaping (scenes/learn.py): runs, frames, the cost surface and its level lines,
the two-class scene, boundaries, margins and the sentences, checked against the core directly."""

from __future__ import annotations

import numpy as np
import pytest

import losses
from losses.descent import cost_surface, descend
from losses.fitting import fit_line
from scenes import learn as sc
from scenes.regression import Scene

SCENE = Scene().with_outlier()
X, Y = SCENE.points()
TRAINING = sc.Training(lr=0.02, steps=120)


def _runs(names=("mse", "mae", "huber"), training=TRAINING):
    params = {n: losses.get(n).defaults() for n in names}
    return sc.train(names, X, Y, params, training, model="line", init=sc.REG_START)


def test_learning_rate_of_the_log_slider():
    assert sc.learning_rate(-1.7) == 0.02
    assert sc.learning_rate(-4.0) == 1e-4
    assert sc.learning_rate(1.0) == 10.0
    assert sc.learning_rate(-0.7) == 0.2


def test_train_is_one_descend_per_loss_with_the_same_settings():
    training = sc.Training(lr=0.01, steps=30, optimizer="adam", batch=3, seed=5)
    runs = _runs(training=training)
    assert list(runs) == ["mse", "mae", "huber"]
    direct = descend("huber", X, Y, lr=0.01, steps=30, optimizer="adam", batch=3, seed=5, init=(0, 0),
                     delta=1.0)  # fmt: skip
    np.testing.assert_array_equal(runs["huber"].weights, direct.weights)


@pytest.mark.parametrize("steps", [10, 79, 500, 1000])
def test_frame_steps_start_at_zero_end_at_the_last_and_stay_few(steps):
    f = sc.frame_steps(steps)
    assert f[0] == 0 and f[-1] == steps and len(f) <= sc.FRAMES
    assert np.all(np.diff(f) > 0)
    if steps + 1 <= sc.FRAMES:
        np.testing.assert_array_equal(f, np.arange(steps + 1))
    else:
        assert np.diff(f)[0] <= np.diff(f)[-1]  # denser at the start, where the weights move most


def test_a_diverged_run_is_held_at_its_last_finite_weights():
    run = descend("mse", X, Y, lr=1.0, steps=50)
    assert run.diverged
    w = sc.held(run, np.array([0, 1, 50]))
    np.testing.assert_array_equal(w[0], run.weights[0])
    np.testing.assert_array_equal(w[-1], run.weights[-1])
    note = sc.diverged_note({"mse": run}, {"mse": "MSE"})
    assert f"MSE at step {run.diverged_at}" in note and "learning rate of 1" in note
    assert sc.diverged_note(_runs(), {"mse": "MSE", "mae": "MAE", "huber": "Huber"}) == ""


def test_the_surface_box_holds_the_start_every_path_and_every_best_line():
    runs = _runs()
    fits = {n: fit_line(n, X, Y) for n in runs}
    (w0, w1), (b0, b1) = sc.surface_box(runs, fits)
    for r in runs.values():
        assert w0 < r.weights[:, 0].min() and r.weights[:, 0].max() < w1
        assert b0 < r.weights[:, 1].min() and r.weights[:, 1].max() < b1
    for f in fits.values():
        assert w0 < f.slope < w1 and b0 < f.intercept < b1
    assert w0 < sc.REG_START[0] < w1 and b0 < sc.REG_START[1] < b1
    gone = descend("mse", X, Y, lr=1.0, steps=50)
    kept = {k: runs[k] for k in ("mae", "huber")}
    assert sc.surface_box({**runs, "mse": gone}, fits) == sc.surface_box(kept, fits)  # the blow-up left out


def test_the_surface_is_the_cores_and_its_level_lines_lie_on_their_levels():
    box = ((0.0, 2.0), (-1.0, 4.0))
    w, b, z = sc.surface("mse", X, Y, {}, box, size=31)
    np.testing.assert_array_equal(z, cost_surface("mse", X, Y, w, b))
    levels = sc.contour_levels(z)
    assert len(levels) == sc.CONTOUR_LEVELS and np.all(np.diff(np.log10(levels)) > 0)
    assert z.min() < levels[0] and levels[-1] < z.max()
    for level, lx, ly in sc.contours(w, b, z)[::4]:
        ends = ~np.isnan(lx)
        assert np.isnan(lx[2::3]).all() and ends.sum() > 0  # segments: two ends and a gap
        pairs = zip(lx[ends], ly[ends], strict=True)
        exact = np.array([losses.get("mse").cost(Y, a * X + c) for a, c in pairs])
        # linear interpolation along a cell's edge of a smooth bowl: close to the level, not on it
        np.testing.assert_allclose(exact, level, rtol=0.02)


def test_level_lines_of_a_plane_are_exact_and_a_flat_surface_has_none():
    w, b = np.linspace(-1.0, 1.0, 11), np.linspace(-1.0, 1.0, 9)
    ww, bb = np.meshgrid(w, b)
    lx, ly = sc.contour_lines(w, b, ww + bb, 0.3)
    ends = ~np.isnan(lx)
    np.testing.assert_allclose(lx[ends] + ly[ends], 0.3, atol=1e-12)
    assert sc.contour_levels(np.ones((3, 3))).size == 0


def test_the_regression_sentence_is_built_from_the_runs_and_the_fits():
    runs = _runs()
    fits = {n: fit_line(n, X, Y) for n in runs}
    text = sc.regression_sentence(runs, fits, {"mse": "MSE", "mae": "MAE", "huber": "Huber"}, 120)
    w, b = runs["mse"].final
    assert text.startswith(f"After 120 steps the MSE line is ŷ = {sc.line_text(w, b)}")
    assert f"(the least-squares line: {sc.line_text(fits['mse'].slope, fits['mse'].intercept)})" in text
    assert f"the MAE line is ŷ = {runs['mae'].final[0]:.2f}·x" in text
    assert f"(its best line: {fits['huber'].slope:.2f}·x" in text
    assert sc.line_text(1.234, -0.5) == "1.23·x − 0.50" and sc.line_text(-1.0, 2.0) == "-1.00·x + 2.00"
    gone = {"mse": descend("mse", X, Y, lr=1.0, steps=50)}
    assert f"the MSE run diverged at step {gone['mse'].diverged_at}" in sc.regression_sentence(
        gone, {}, {"mse": "MSE"}, 50
    )


# ---- classification ------------------------------------------------------------------------------------
@pytest.mark.parametrize("preset", list(sc.PRESETS))
def test_two_class_scenes(preset):
    two = sc.TwoClass(preset, seed=3)
    X2, t = two.points()
    X2b, _ = sc.TwoClass(preset, seed=3).points()
    np.testing.assert_array_equal(X2, X2b)  # deterministic: a link restores it
    assert set(np.unique(t)) == {0.0, 1.0} and np.all(np.abs(X2) <= sc.BOX)
    side = (X2[:, 0] + X2[:, 1]) * (2 * t - 1)
    if preset == "outlier":
        assert two.outlier_index() == len(t) - 1 and t[-1] == 1.0
        np.testing.assert_array_equal(X2[-1], sc.OUTLIER_DEFAULT)
        assert side[-1] < 0  # on the wrong side
        side = side[:-1]
    else:
        assert two.outlier_index() is None
    if preset != "overlap":
        assert side.min() > 0.5  # every cloud point at least 0.4·√2 past the diagonal (before rounding)


def test_the_outlier_can_be_moved():
    X2, _ = sc.TwoClass("outlier", outlier=(1.5, -3.0)).points()
    np.testing.assert_array_equal(X2[-1], [1.5, -3.0])


@pytest.mark.parametrize("theta", [(1.0, 1.0, 0.5), (2.0, -0.1, 1.0), (0.1, 3.0, -2.0), (-1.0, 0.0, 0.3)])
def test_the_boundary_is_where_the_score_is_zero(theta):
    xs, ys = sc.boundary(theta)
    w1, w2, b = theta
    for a, c in zip(xs, ys, strict=True):
        assert w1 * a + w2 * c + b == pytest.approx(0.0, abs=1e-12)
    assert sorted(map(abs, xs)) == [sc.BOX, sc.BOX] or sorted(map(abs, ys)) == [sc.BOX, sc.BOX]
    assert sc.boundary((0.0, 0.0, 1.0)) == ([None, None], [None, None])


def test_margins_are_the_labels_times_the_scores():
    two = sc.TwoClass("outlier")
    X2, t = two.points()
    run = descend("hinge", X2, t, model="logistic", lr=0.2, steps=20, init=sc.START_WEIGHTS["weak"])
    m = sc.margins(run, X2, t)
    k = 7
    s = X2 @ run.weights[k][:2] + run.weights[k][2]
    np.testing.assert_allclose(m[k], (2 * t - 1) * s)
    np.testing.assert_allclose(sc.margins_at(run, X2, t, np.array([0, 7, 20]))[1], m[7])


def test_the_classification_sentence_counts_from_the_margins():
    two = sc.TwoClass("outlier")
    X2, t = two.points()
    titles = {"hinge": "hinge", "mse": sc.classifier_title("mse")}
    assert titles["mse"] == "MSE on σ(s)"
    start = sc.START_WEIGHTS["weak"]
    runs = {n: descend(n, X2, t, model="logistic", lr=0.2, steps=100, init=start) for n in titles}
    text = sc.classification_sentence(runs, X2, t, titles, two.outlier_index(), 100)
    m = sc.margins(runs["hinge"], X2, t)[-1]
    assert text.startswith(f"After 100 steps **hinge** has {int((m > 0).sum())} of {len(t)} points right and "
                           f"{int((m >= 1).sum())} past the margin")  # fmt: skip
    assert f"{m[-1]:.2f} under hinge" in text
    sep = sc.TwoClass("separable")
    X3, t3 = sep.points()
    stopped = {"hinge": descend("hinge", X3, t3, model="logistic", lr=0.2, steps=300)}
    assert "has stopped (zero gradient)" in sc.classification_sentence(stopped, X3, t3, {"hinge": "hinge"},
                                                                         None, 300)  # fmt: skip
