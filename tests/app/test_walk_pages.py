"""Walking between pages as a lecture does: no page's state may break, reset or leak into another's.

Each page owns its keys and URL names (``ui.kit.Page``: ``reg_n``, ``bin_n``, ...), and keeps its controls
and its dragged handles for a return visit.
"""

from __future__ import annotations

import itertools

import pytest
from streamlit.testing.v1 import AppTest

import losses
from charts.style import format_metric as fmt
from scenes.regression import Scene
from tests.app.helpers import APP, metrics

REG, BIN, MC = "views/regression.py", "views/binary.py", "views/multiclass.py"
SCORE, CAT, HOME = "views/score.py", "views/catalogue.py", "views/home.py"
LEARN, CUSTOM, LECTURE = "views/learn.py", "views/custom.py", "views/lecture.py"
ALL_PAGES = [HOME, REG, BIN, MC, SCORE, CAT, LEARN, CUSTOM, LECTURE]


def _go(at: AppTest, page: str) -> AppTest:
    at.switch_page(page).run(timeout=30)
    assert not at.exception, f"{page}: {[e.value for e in at.exception]}"
    assert "None" not in str(dict(at.query_params)), dict(at.query_params)
    return at


def _start() -> AppTest:
    at = AppTest.from_file(APP, default_timeout=30)
    at.run()
    return at


def test_thirty_points_on_regression_then_binary_then_back():
    """The reported sequence: Regression with 30 points -> Binary raised 'value 30 > max_value 16'."""
    at = _go(_start(), REG)
    at.slider(key="reg_n").set_value(30).run()
    _go(at, BIN)
    assert at.slider(key="bin_n").value == 8  # Binary's own default, not Regression's 30
    assert set(metrics(at)) >= {"hinge", "BCE on p"}  # its losses, all of them, as by default
    _go(at, REG)
    assert at.slider(key="reg_n").value == 30  # Regression as it was left
    _go(at, BIN)
    assert at.slider(key="bin_n").value == 8


def test_alpha_at_its_lower_bound_on_regression_does_not_reach_binary():
    at = _go(_start(), REG)
    at.multiselect(key="reg_losses").set_value(["general_robust"]).run()
    at.slider(key="reg_alpha").set_value(-5.25).run()
    _go(at, BIN)
    assert at.slider(key="bin_alpha").value == losses.get("binary_focal").param("alpha").default
    _go(at, REG)
    assert at.slider(key="reg_alpha").value == -5.25
    assert at.multiselect(key="reg_losses").value == ["general_robust"]


def test_regression_keeps_its_losses_dragged_points_and_delta_across_a_visit():
    at = _go(_start(), REG)
    at.multiselect(key="reg_losses").set_value(["mse", "huber"]).run()
    at.slider(key="reg_delta").set_value(2.5).run()
    preds = [0.5 * i for i in range(8)]
    at.session_state["reg_free"] = {"positions": preds}
    at.run()
    before = metrics(at)
    _, y = Scene().points()
    assert before["Huber"] == fmt(losses.get("huber").cost(y, preds, delta=2.5))
    for page in (BIN, MC, SCORE, CAT, HOME, LEARN, CUSTOM, LECTURE):
        _go(at, page)
    _go(at, REG)
    assert at.multiselect(key="reg_losses").value == ["mse", "huber"]
    assert at.slider(key="reg_delta").value == 2.5
    assert {k: metrics(at)[k] for k in before} == before  # the same predictions, so the same numbers


def test_binary_keeps_its_scores_and_choices_across_a_visit():
    at = _go(_start(), BIN)
    at.slider(key="bin_n").set_value(16).run()
    at.segmented_control(key="bin_labels").set_value("-1/+1").run()
    at.session_state["bin_s"] = {"positions": [6.0] * 8 + [-6.0] * 8}
    at.run()
    before = metrics(at)
    _go(at, REG)
    _go(at, BIN)
    assert at.slider(key="bin_n").value == 16 and at.segmented_control(key="bin_labels").value == "-1/+1"
    assert metrics(at) == before


def test_multiclass_keeps_its_logits_across_a_visit():
    at = _go(_start(), MC)
    at.slider(key="mc_k").set_value(10).run()
    at.session_state["mc_z"] = {"positions": [6.0] + [-6.0] * 9}
    at.run()
    before = metrics(at)
    _go(at, BIN)
    _go(at, MC)
    assert at.slider(key="mc_k").value == 10
    assert metrics(at) == before


#: Each page's sliders set to a bound (max first, then min), by key.
BOUNDS = {
    REG: {"reg_n": (30, 3), "reg_seed": (999, 0)},
    BIN: {"bin_n": (16, 4), "bin_seed": (999, 0), "bin_x0": (8.0, -8.0)},
    MC: {"mc_k": (10, 3), "mc_T": (5.0, 0.1), "mc_eps": (0.5, 0.0)},
}


@pytest.mark.parametrize("order", list(itertools.permutations([REG, BIN, MC])) + [ALL_PAGES[::-1]])
@pytest.mark.parametrize("bound", [0, 1], ids=["max", "min"])
def test_any_order_with_controls_at_their_bounds(order, bound):
    at = _start()
    set_to: dict[str, object] = {}
    for page in order:
        _go(at, page)
        for key, ends in BOUNDS.get(page, {}).items():
            at.slider(key=key).set_value(ends[bound]).run()
            assert not at.exception, (page, key)
            set_to[key] = ends[bound]
    for page in [*order, *order[::-1]]:  # every page again, in both directions: each as it was left
        _go(at, page)
        for key in BOUNDS.get(page, {}):
            assert at.slider(key=key).value == set_to[key], (page, key)


def test_a_bad_links_warnings_can_be_closed_and_stay_closed():
    at = AppTest.from_file(APP, default_timeout=30)
    at.query_params["reg_n"] = "abc"
    at.run()
    _go(at, REG)
    assert any("points (“abc”)" in w.value for w in at.warning)
    at.button(key="reg_close_warnings").click().run()
    assert not at.warning
    at.slider(key="reg_seed").set_value(3).run()  # an interaction later: still closed
    assert not at.warning
    _go(at, BIN)
    _go(at, REG)
    assert not at.warning


def test_focal_parameters_only_while_focal_is_shown():
    at = _go(_start(), BIN)
    assert at.slider(key="bin_gamma") and at.slider(key="bin_alpha")
    at.multiselect(key="bin_losses").set_value(["hinge", "logistic"]).run()
    keys = {s.key for s in at.slider}
    assert "bin_gamma" not in keys and "bin_alpha" not in keys
