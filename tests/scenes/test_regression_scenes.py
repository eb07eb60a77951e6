"""The regression scenes (scenes/regression.py): deterministic scenes, targets and outliers that move, the
Undo history, the link's round trip (and its hostile forms), the share sentence, the core's numbers.
"""

from __future__ import annotations

import math

import numpy as np
import pytest

import losses
from losses.fitting import fit_line
from scenes import regression as sc
from scenes.regression import Edit, Scene


# ---- the scene ---------------------------------------------------------------------------------------
@pytest.mark.parametrize("kind", sc.KINDS)
@pytest.mark.parametrize("n", [sc.N_MIN, sc.N_DEFAULT, sc.N_MAX])
def test_scene_is_deterministic_and_rounded_to_what_a_link_holds(kind, n):
    a, b = Scene(kind, n, 7), Scene(kind, n, 7)
    np.testing.assert_array_equal(a.points()[1], b.points()[1])
    x, y = a.points()
    assert len(x) == len(y) == n == len(a.labels()) == len(a.target_labels())
    np.testing.assert_array_equal(y, np.round(y, sc.DECIMALS))
    assert sc.X_RANGE[0] < x.min() and x.max() < sc.X_RANGE[1]
    assert Scene(kind, n, 8).points()[1].tolist() != y.tolist()


def test_moved_targets_replace_the_generated_ones_and_outliers_move_with_theirs():
    scene = Scene().with_outlier()
    ys = list(scene.points()[1])
    assert scene.with_targets(ys) == scene  # unchanged: targets stay None, outliers as they were
    assert scene.with_targets(ys).targets is None
    ys[2], ys[-1] = 9.5, 40.0
    moved = scene.with_targets(ys)
    assert moved.targets is not None and moved.targets[2] == 9.5 and len(moved.targets) == scene.n
    assert moved.outliers == ((scene.outliers[0][0], 40.0),)  # the outlier moved; its x did not
    np.testing.assert_array_equal(moved.points()[1], ys)
    np.testing.assert_array_equal(moved.points()[0], scene.points()[0])
    with pytest.raises(ValueError, match="3 targets for 9 points"):
        scene.with_targets([1, 2, 3])
    # a targets tuple of the wrong length (a stale scene) is ignored, not half-used
    assert Scene(targets=(1.0, 2.0)).points()[1].tolist() == Scene().points()[1].tolist()


def test_outliers_go_far_from_the_centre_first_and_each_can_be_deleted():
    scene = Scene()
    for _ in range(sc.MAX_OUTLIERS + 2):
        scene = scene.with_outlier()
    assert [x for x, _ in scene.outliers] == list(sc.OUTLIER_XS)  # at most MAX_OUTLIERS, each x once
    x, y = sc.OUTLIER_XS[0], scene.outliers[0][1]
    assert y == round(float(Scene().trend(np.array([x]))[0]) + sc.MAGNITUDE_DEFAULT * Scene().spread(), 2)
    assert scene.labels()[-1] == "outlier 5" and scene.target_labels()[0] == "target 1"
    fewer = scene.without_outlier(1)
    assert fewer.outliers == scene.outliers[:1] + scene.outliers[2:]
    assert fewer.with_outlier().outliers[-1][0] == sc.OUTLIER_XS[1]  # the freed x is used again
    assert scene.without_outliers().outliers == ()


def test_line_predictions_and_the_default_line_lie_on_the_trend():
    scene = Scene()
    x, _ = scene.points()
    preds, slope, intercept = sc.line_predictions(x, scene.default_line())
    assert slope == pytest.approx(sc.TREND_SLOPE) and intercept == pytest.approx(sc.TREND_INTERCEPT)
    np.testing.assert_allclose(preds, scene.default_predictions(), atol=0.01)


def test_the_default_outlier_and_delta_show_huber_between_l2_and_l1():
    """Item 5 of issue 9: with one outlier and the page's δ, each loss's best line is visibly different and
    Huber's lies between L2's (pulled towards the outlier) and L1's; at the core's δ = 1 it sat on L1's."""
    x, y = Scene().with_outlier().points()
    at_end = {}
    for name, kw in (("mse", {}), ("huber", {"delta": sc.DELTA_DEFAULT}), ("mae", {}),
                     ("huber_1", {"delta": 1.0})):  # fmt: skip
        fit = fit_line(name.split("_")[0], x, y, **kw)
        at_end[name] = fit.slope * sc.X_RANGE[1] + fit.intercept
    lo, hi = sc.y_range(y)
    visible = 0.05 * (hi - lo)  # ~15 px on the page's chart
    assert at_end["mse"] - at_end["huber"] > visible and at_end["huber"] - at_end["mae"] > visible
    assert at_end["huber_1"] - at_end["mae"] < 0.5 * visible  # why the default changed


# ---- edits, Undo, and the values the handles show ------------------------------------------------------
def test_edit_values_and_moves_for_each_kind_of_handle():
    edit = Edit(Scene().with_outlier())
    assert edit.values("free") == list(edit.scene.default_predictions())
    assert edit.values("line") == list(edit.scene.default_line())
    assert edit.values("targets") == list(edit.scene.points()[1])
    preds = edit.values("free")
    preds[0] = 7.0
    assert edit.move("free", preds).preds == tuple(preds)
    assert edit.move("free", edit.values("free")).preds is None  # back at the default: not in the link
    assert edit.move("line", [0.0, 5.0]).line == (0.0, 5.0)
    ys = edit.values("targets")
    ys[-1] = 50.0
    assert edit.move("targets", ys).scene.outliers[0][1] == 50.0


def test_outlier_edits_keep_the_predictions_the_user_moved():
    edit = Edit(Scene(), preds=tuple([3.0] * sc.N_DEFAULT))
    more = edit.with_outlier()
    assert more.preds is not None and more.preds[: sc.N_DEFAULT] == edit.preds
    assert more.preds[-1] == pytest.approx(more.scene.default_predictions()[-1])  # its own is on the trend
    two = more.with_outlier()
    assert len(two.preds) == sc.N_DEFAULT + 2
    assert two.without_outlier(0).preds == two.preds[: sc.N_DEFAULT] + two.preds[-1:]
    assert two.without_outliers().preds == edit.preds
    assert Edit(Scene()).with_outlier().preds is None  # defaults stay defaults


def test_record_keeps_each_change_once_and_at_most_the_limit():
    a, b = Edit(Scene()), Edit(Scene().with_outlier())
    assert sc.record([], None, a) == []  # the first view is no change
    assert sc.record([], a, a) == []  # a rerun without a change
    assert sc.record([], a, b) == [a]
    history: list[Edit] = []
    for i in range(sc.HISTORY_LIMIT + 10):
        history = sc.record(history, Edit(Scene(seed=i)), Edit(Scene(seed=i + 1)))
    assert len(history) == sc.HISTORY_LIMIT and history[-1] == Edit(Scene(seed=sc.HISTORY_LIMIT + 9))


def test_moved_current_and_snap_moved():
    assert sc.moved(None, [1.0, 2.0]) is None
    assert sc.moved([1.0], [1.0, 2.0]) is None  # the wrong length: a stale value
    assert sc.moved([1.0, 2.0], [1.0, 2.0]) is None
    assert sc.moved([1, 3], [1.0, 2.0]) == (1.0, 3.0)
    assert sc.current([1.0], [1.0, 2.0]) == [1.0, 2.0] and sc.current((5, 6), [1.0, 2.0]) == [5.0, 6.0]
    assert sc.snap_moved([1.23456, 2.0], [1.0, 2.0], 2) == [1.23, 2.0]
    assert sc.snap_moved([1.0 / 3, 2.0], [1.0 / 3, 2.0], 2) == [1.0 / 3, 2.0]  # untouched: exactly as given
    assert sc.quantize([1.005, 2.5]) == [round(1.005, 2), 2.5]


def test_classic_scene_has_one_prediction_far_off():
    edit = sc.classic(8, 0, 1000.0)
    assert edit.scene.kind == "classic" and edit.preds[4] == 1000.0
    others = [i for i in range(8) if i != 4]
    assert [edit.preds[i] for i in others] == list(edit.scene.default_predictions()[others])


# ---- the drag chart --------------------------------------------------------------------------------------
def test_drag_chart_for_each_kind_of_handle():
    scene = Scene().with_outlier()
    x, y = scene.points()
    preds = list(scene.default_predictions())
    free = sc.drag_chart("free", scene, preds, preds, [])
    assert free["connect"] == "residuals" and free["handles"][8] == {"x": 9.0, "y": preds[8],
                                                                      "label": "prediction 9"}  # fmt: skip
    assert [t["y"] for t in free["targets"]] == list(y) and free["targets"][8]["label"] == "outlier 1"
    line = sc.drag_chart("line", scene, [1.0, 9.0], preds, [{"slope": 1.0, "intercept": 0.0}])
    assert line["connect"] == "line" and [h["x"] for h in line["handles"]] == list(sc.X_RANGE)
    assert line["lines"] == [{"slope": 1.0, "intercept": 0.0}]
    targets = sc.drag_chart("targets", scene, list(y), preds, [])
    assert (targets["handle_style"], targets["target_style"]) == ("hollow", "filled")
    assert [h["label"] for h in targets["handles"]][-2:] == ["target 8", "outlier 1"]
    assert [t["y"] for t in targets["targets"]] == preds
    assert sc.marks([1, 2], [3, 4], ["a", "b"]) == [{"x": 1.0, "y": 3.0, "label": "a"},
                                                    {"x": 2.0, "y": 4.0, "label": "b"}]  # fmt: skip


def test_line_table():
    table = sc.line_table([("your line", 0.8, 1.0), ("best under MSE", 1.4972, -0.8991)])
    assert table.splitlines() == [
        "| line | slope | intercept |",
        "|---|--:|--:|",
        "| your line | 0.800 | 1.000 |",
        "| best under MSE | 1.497 | -0.899 |",
    ]


def test_drag_y_range_holds_every_value_and_stays_within_the_limit():
    y = np.array([1.0, 2.0, 3.0])
    lo, hi, step = sc.drag_y_range(y, [0.5, 40.0], [-7.0])
    assert lo <= -7.0 and hi >= 40.0 and step == pytest.approx(0.1)
    assert sc.drag_y_range(y) == (-2, 11, 0.1)  # at least the trend's usual span, with a margin
    lo, hi, step = sc.drag_y_range(np.array([1e6, -1e6]))
    assert (lo, hi) == sc.Y_LIMIT and step == 10_000


# ---- shares ----------------------------------------------------------------------------------------------
LABELS = ["point 1", "point 2", "outlier 1"]
TITLES = {"mse": "MSE", "mae": "MAE", "huber": "Huber"}


def test_shares():
    np.testing.assert_allclose(sc.shares(np.array([1.0, 3.0])), [0.25, 0.75])
    np.testing.assert_array_equal(sc.shares(np.zeros(3)), np.zeros(3))


@pytest.mark.parametrize(
    ("shares", "sentence"),
    [
        ({"mse": [0.005, 0.005, 0.99], "mae": [0.07, 0.07, 0.86]},
         "Outlier 1 makes up 99% of the MSE but 86% of the MAE (an even share would be 33%)."),
        ({"mse": [0.005, 0.005, 0.99], "mae": [0.07, 0.07, 0.86], "huber": [0.1, 0.1, 0.8]},
         "Outlier 1 makes up 99% of the MSE but 86% of the MAE and 80% of the Huber (an even share would be "
         "33%)."),
        # one point with all of every loss: not "100% of the MSE but 100% of the MAE"
        ({"mse": [0.0, 0.0, 1.0], "mae": [0.0, 0.0, 1.0]},
         "Outlier 1 makes up all of every loss shown: every other prediction is exact."),
        ({"mse": [0.0, 0.0, 1.0]}, "Outlier 1 makes up all of the MSE: every other prediction is exact."),
        # equal shares are said to be alike, never set against each other
        ({"mse": [0.3, 0.3, 0.4], "mae": [0.3, 0.3, 0.4]},
         "Outlier 1 makes up 40% of the MSE and the MAE alike (an even share would be 33%)."),
        ({"mse": [0.3, 0.3, 0.4], "mae": [0.3, 0.3, 0.4], "huber": [0.1, 0.1, 0.8]},
         "Outlier 1 makes up 40% of the MSE and the MAE but 80% of the Huber (an even share would be 33%)."),
        ({"mse": [0.3, 0.3, 0.4]}, "Outlier 1 makes up 40% of the MSE (an even share would be 33%)."),
        ({"mse": [0.0, 0.0, 0.0], "mae": [0.0, 0.0, 0.0]},
         "Every prediction is exact: every loss is zero, so no point has a share of it."),
        ({}, ""),
    ],
)  # fmt: skip
def test_share_sentence_is_true_and_never_contradicts_itself(shares, sentence):
    assert sc.share_sentence(LABELS, {n: np.array(v) for n, v in shares.items()}, TITLES) == sentence


def test_share_sentence_without_outliers_names_the_point_with_the_largest_share():
    text = sc.share_sentence(["point 1", "point 2"], {"mse": np.array([0.2, 0.8])}, TITLES)
    assert text == "Point 2 makes up 80% of the MSE (an even share would be 50%)."


# ---- the link ---------------------------------------------------------------------------------------------
def test_a_link_round_trips_everything_the_user_did():
    scene = Scene(n=5).with_outlier().with_outlier()
    ys = list(scene.points()[1])
    ys[1], ys[-1] = 7.25, -3.5
    edit = Edit(scene.with_targets(ys), preds=(1.0, 2.0, 3.0, 4.0, 5.0, 6.5, 7.0), line=(0.5, 9.75))
    values = sc.link_values(edit)
    assert values["y"] is not None and values["out"].endswith(":-3.5")
    link = {"n": "5", **{k: v for k, v in values.items() if v is not None}}
    back, warnings = sc.read_link(link.get)
    assert warnings == [] and back == edit


def test_a_link_at_the_defaults_is_empty():
    assert set(sc.link_values(Edit()).values()) == {None}
    edit, warnings = sc.read_link({}.get)
    assert edit == Edit() and warnings == []
    assert sc.link_values(Edit(Scene("classic")))["scene"] == "classic"


@pytest.mark.parametrize(
    ("link", "what"),
    [
        ({"y": "1,2"}, "targets"),
        ({"y": "1,2,3,4,5,6,7,nan"}, "targets"),
        ({"p": "1,2,inf,4,5,6,7,8"}, "predictions"),
        ({"ends": "1"}, "line ends"),
        ({"out": "junk"}, "outliers"),
        ({"out": "11:5"}, "outliers"),
        ({"out": ";".join(f"{i}:1" for i in range(6))}, "outliers"),
        ({"scene": "<b>"}, "scene"),
    ],
)
def test_a_hostile_link_falls_back_to_the_default_of_what_it_broke_with_a_warning(link, what):
    edit, warnings = sc.read_link(link.get)
    assert len(warnings) == 1 and what in warnings[0], warnings
    assert edit == Edit()


def test_parse_and_format():
    assert sc.parse_n("12") == 12 and sc.parse_n("x") == sc.parse_n("999") == sc.parse_n(None) == sc.N_DEFAULT
    assert sc.parse_values("1,2.5", 2, "things") == ([1.0, 2.5], [])
    assert sc.parse_values(None, 2, "things") == (None, []) and sc.parse_values("", 2, "x") == (None, [])
    assert sc.parse_values("1e7,1", 2, "things")[0] is None  # beyond ABS_LIMIT
    assert sc.format_values([1.0, 2.5, -0.25, 3.14159]) == "1,2.5,-0.25,3.14"
    assert sc.parse_outliers("9:23.55;1:5") == (((9.0, 23.55), (1.0, 5.0)), [])
    assert sc.format_outliers(((9.0, 23.55), (1.0, 5.0))) == "9:23.55;1:5"
    assert sc.parse_outliers(None) == ((), [])


# ---- the numbers, from the core ---------------------------------------------------------------------------
def test_evaluate_gives_the_cores_numbers_and_undefined_instead_of_an_error():
    scene = Scene().with_outlier()
    _, y = scene.points()
    preds = scene.default_predictions()
    ev = sc.evaluate(["mse", "huber", "msle"], y, preds, {"huber": {"delta": 2.0}})
    assert ev.costs["mse"] == losses.get("mse").cost(y, preds)
    assert ev.costs["huber"] == losses.get("huber").cost(y, preds, delta=2.0)
    np.testing.assert_array_equal(ev.per_sample["huber"], losses.get("huber").per_sample(y, preds, delta=2.0))
    np.testing.assert_array_equal(ev.derivative["mse"], losses.get("mse").per_sample_derivative(y, preds))
    bad = preds.copy()
    bad[0] = -1.5
    ev = sc.evaluate(["msle", "mae"], y, bad, {})
    assert ev.costs["msle"] is None and "msle" not in ev.per_sample and ev.costs["mae"] is not None


def test_residual_axis_and_curves():
    assert sc.on_residual_axis("mse") and sc.on_residual_axis("huber")
    assert not sc.on_residual_axis("rmse")  # a mean first, then a root
    assert "mean of the points" in sc.why_not_on_residual_axis("rmse")
    r, v = sc.residual_curve("huber", (("delta", 2.0),), 5.0, "value")
    assert r[0] == -5.0 and r[-1] == 5.0 and len(r) == 201 and 0.0 in r
    np.testing.assert_array_equal(v, losses.get("huber").per_sample(np.zeros_like(r), r, delta=2.0))
    _, d = sc.residual_curve("mae", (), 5.0, "slope")
    assert d[0] == -1.0 and d[-1] == 1.0


def test_nice_ceiling():
    assert [sc.nice_ceiling(v) for v in (0.7, 1.0, 1.2, 2.2, 3.0, 7.0, 12.0)] == [1, 1, 2, 2.5, 5, 10, 20]
    assert math.isclose(sc.nice_ceiling(0.031), 0.05)
