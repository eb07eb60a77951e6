"""The binary classification explorer, run headless with AppTest: every number on the page is the core's."""

from __future__ import annotations

import json

import numpy as np
import pytest
from streamlit.testing.v1 import AppTest

import losses
from charts.style import format_metric as fmt
from losses.binary import sigmoid
from scenes.binary import Scene, logit, quantize
from tests.app import helpers
from tests.app.helpers import metrics

PAGE = "views/binary.py"


def open_page(query: dict[str, str | list[str]] | None = None) -> AppTest:
    return helpers.open_page(PAGE, query)


def expected(scores, scene: Scene | None = None, *, pm1: bool = False, gamma=2.0, alpha=0.25) -> dict:
    """Every metric the page shows, computed with the core the way a user would call it."""
    scene = scene or Scene()
    y01 = scene.labels01()
    y_pm = 2 * y01 - 1
    y_margin = y_pm if pm1 else y01  # margin losses take either convention
    s = np.asarray(scores, dtype=float)
    return {
        "BCE on p": fmt(losses.get("binary_cross_entropy").cost(y01, sigmoid(s))),
        "sigmoid CE on s": fmt(losses.get("sigmoid_cross_entropy").cost(y01, s)),
        "error rate (0-1)": fmt(losses.get("zero_one").cost(y_margin, s)),
        "hinge": fmt(losses.get("hinge").cost(y_margin, s)),
        "squared hinge": fmt(losses.get("squared_hinge").cost(y_margin, s)),
        "logistic": fmt(losses.get("logistic").cost(y_margin, s)),
        "exponential": fmt(losses.get("exponential").cost(y_margin, s)),
        "modified Huber": fmt(losses.get("modified_huber").cost(y_margin, s)),
        "focal": fmt(losses.get("binary_focal").cost(y01, s, gamma=gamma, alpha=alpha)),
    }


def assert_metrics(at: AppTest, want: dict) -> None:
    shown = metrics(at)
    for label, value in want.items():
        assert shown[label] == value, label


def test_default_page_shows_the_core_costs():
    at = open_page()
    assert_metrics(at, expected(Scene().default_scores()))
    assert not at.warning
    # one formula per loss on the page: BCE, sigmoid CE and the seven margin losses
    assert len(at.latex) == 9


def test_injected_scores_update_every_metric_and_the_url():
    at = open_page()
    scores = [3.0, -2.5, 0.5, -0.4, 1.2, -6.0, 6.0, 0.0]
    at.session_state["bin_s"] = {"positions": scores}
    at.run()
    assert not at.exception
    assert_metrics(at, expected(scores))
    assert at.query_params["bin_scores"] == "3,-2.5,0.5,-0.4,1.2,-6,6,0"
    # the delta is the change since the last interaction
    deltas = {m.label: m.delta for m in at.metric}
    before = losses.get("hinge").cost(Scene().labels01(), Scene().default_scores())
    assert deltas["hinge"] == fmt(losses.get("hinge").cost(Scene().labels01(), scores) - before)


def test_label_convention_changes_what_the_losses_receive_not_the_numbers():
    at = open_page()
    at.segmented_control(key="bin_labels").set_value("-1/+1").run()
    assert not at.exception
    scores = Scene().default_scores()
    assert_metrics(at, expected(scores, pm1=True))
    # the core's refusal of -1/+1 labels for cross-entropy is shown, in its own words
    assert any("LabelError" in m.value and "Map -1 to 0" in m.value for m in at.markdown)
    at.segmented_control(key="bin_labels").set_value("0/1").run()
    assert any("reads **0 as −1**" in m.value for m in at.markdown)
    assert_metrics(at, expected(scores))


def test_gamma_and_alpha_change_the_focal_metric_only():
    at = open_page()
    hinge_before = metrics(at)["hinge"]
    at.slider(key="bin_gamma").set_value(0.0).run()
    at.slider(key="bin_alpha").set_value(0.5).run()
    scores = Scene().default_scores()
    assert metrics(at)["focal"] == expected(scores, gamma=0.0, alpha=0.5)["focal"]
    assert metrics(at)["hinge"] == hinge_before
    # γ = 0, α = ½: focal is half the cross-entropy
    ce = losses.get("sigmoid_cross_entropy").cost(Scene().labels01(), scores)
    assert metrics(at)["focal"] == fmt(ce / 2)


def test_probability_axis_turns_a_dragged_p_into_its_score():
    at = open_page()
    at.toggle(key="bin_prob").set_value(True).run()
    assert not at.exception
    base = Scene().default_scores()
    assert_metrics(at, expected(base))  # switching the axis changes nothing
    ps = [round(float(v), 4) for v in sigmoid(base)]
    ps[1] = 0.9  # sample 2 (rain, confidently wrong) dragged to p = 0.9
    at.session_state["bin_p"] = {"positions": ps}
    at.run()
    scores = list(base)
    scores[1] = quantize([logit(0.9)])[0]
    assert_metrics(at, expected(scores))
    # back on the score axis the scores are kept
    at.toggle(key="bin_prob").set_value(False).run()
    assert_metrics(at, expected(scores))


def test_the_vanishing_gradient_numbers_are_the_cores():
    at = open_page({"bin_x0": "-6"})
    shown = metrics(at)
    x = np.array([-6.0])
    ce = losses.get("sigmoid_cross_entropy").per_sample_derivative([1.0], x)[0]
    p = sigmoid(x)
    sq = (losses.get("mse").per_sample_derivative([1.0], p) * p * (1 - p))[0]
    assert shown["cross-entropy: dℓ/ds"] == f"{ce:.4f}"
    assert shown["squared error after σ: dℓ/ds"] == f"{sq:.4f}"
    assert any(f"{ce / sq:,.0f}× smaller" in m.value for m in at.markdown)


def test_query_string_restores_the_scene():
    scene = Scene(n=5, seed=3)
    scores = [1.0, -2.0, 0.5, 4.0, -0.25]
    at = open_page(
        {
            "bin_n": "5",
            "bin_seed": "3",
            "bin_scores": ",".join(map(str, scores)),
            "bin_labels": "-1/+1",
            "bin_losses": ["hinge", "logistic"],
            "bin_gamma": "1",
        }
    )
    assert not at.warning
    shown = metrics(at)
    want = expected(scores, scene, pm1=True, gamma=1.0)
    assert {k: shown[k] for k in ("hinge", "logistic", "BCE on p")} == {
        k: want[k] for k in ("hinge", "logistic", "BCE on p")
    }
    assert set(shown) >= {"hinge", "logistic"} and "exponential" not in shown


@pytest.mark.parametrize(
    "query",
    [
        {"bin_n": "abc"},
        {"bin_n": "1000"},
        {"bin_seed": "-1"},
        {"bin_seed": "inf"},
        {"bin_seed": "-1e400"},
        {"bin_scores": "1,2,nan,4,5,6,7,8"},
        {"bin_scores": "1,2"},
        {"bin_scores": "1e309,0,0,0,0,0,0,0"},
        {"bin_scores": "100,0,0,0,0,0,0,0"},
        {"bin_labels": "<script>"},
        {"bin_prob": "maybe"},
        {"bin_gamma": "NaN"},
        {"bin_alpha": "7"},
        {"bin_x0": "inf"},
        {"bin_losses": ["hinge", "evil"]},
    ],
)
def test_hostile_query_string_falls_back_with_a_warning(query):
    at = open_page(query)
    assert not at.exception
    assert at.warning, f"no warning for {query}"
    assert metrics(at)["hinge"] == expected(Scene().default_scores())["hinge"]


def test_extremes_and_resets_do_not_crash():
    at = open_page({"bin_n": "16"})
    at.session_state["bin_s"] = {"positions": [6.0] * 8 + [-6.0] * 8}
    at.run()
    assert not at.exception
    scores = [6.0] * 8 + [-6.0] * 8
    assert_metrics(at, expected(scores, Scene(n=16)))
    at.multiselect(key="bin_losses").set_value([]).run()  # nothing selected: hinge alone
    assert not at.exception and "hinge" in metrics(at)
    at.button(key="bin_reset").click().run()
    assert not at.exception
    assert_metrics(at, expected(Scene().default_scores()))


# ---- issue 13: a loss of your own beside the built-ins ---------------------------------------------------
def figure(at: AppTest, key: str) -> dict:
    """The figure of the plotly chart with this key, as the browser receives it."""
    (el,) = [el for el in at.get("plotly_chart") if el.proto.id.endswith(key)]
    return json.loads(el.proto.spec)


def preview(at: AppTest) -> dict:
    """The drag chart's live preview (what a drag moves: the metrics, the marks on the margin charts)."""
    (chart,) = [c for c in at.get("bidi_component") if not c.key.endswith("_library")]
    return json.loads(chart.proto.json)["live"]


LOGISTIC = "softplus(-s*(2*y - 1))"


def test_your_own_formula_is_scored_drawn_previewed_and_put_in_the_link():
    at = open_page()
    assert "your loss" not in metrics(at)
    at.text_input(key="bin_own_f").set_value(LOGISTIC).run()
    assert not at.exception
    y01, s = Scene().labels01(), np.array(Scene().default_scores())
    want = losses.custom(LOGISTIC, kind="binary").cost(y01, s)
    assert metrics(at)["your loss"] == fmt(want)
    assert metrics(at)["your loss"] == metrics(at)["logistic"]  # the logistic loss, re-typed
    for key in ("bin_margin", "bin_margin_slope"):  # dashed: its colour may be a built-in's (hinge's red)
        dashes = {t.get("name"): t["line"]["dash"] for t in figure(at, key)["data"] if "line" in t}
        assert dashes["your loss"] == "dash" and dashes["hinge"] != "dash"
    live = preview(at)
    assert live["losses"][-1]["name"] == "custom" and live["losses"][-1]["units"][0][0].endswith(":custom")
    assert {m["loss"] for m in live["series"] if m["chart"] == "bin_margin"} >= {"hinge", "custom"}
    assert at.query_params["bin_own_f"] in (LOGISTIC, [LOGISTIC])
    moved = [2.0, -1.0, 0.5, 3.0, -2.5, 1.0, 0.0, -0.5][: Scene().n]
    at.session_state["bin_s"] = {"positions": moved}
    at.run()
    assert metrics(at)["your loss"] == fmt(losses.custom(LOGISTIC, kind="binary").cost(y01, moved))


def test_a_formula_on_probabilities_with_pm1_labels_from_a_link():
    formula = "where(y > 0, -log(p), -log(1 - p))"
    at = open_page({"bin_own_f": formula, "bin_own_labels": "−1/+1", "bin_labels": "-1/+1"})
    assert at.text_input(key="bin_own_f").value == formula
    y01, s = Scene().labels01(), np.array(Scene().default_scores())
    spec = losses.custom(formula, kind="binary", labels="pm1")
    assert spec.y_pred == "probabilities"
    assert metrics(at)["your loss"] == fmt(spec.cost(2 * y01 - 1, sigmoid(s)))
    assert metrics(at)["your loss"] == metrics(at)["BCE on p"]


def test_a_bad_or_undefined_formula_is_a_message_never_a_traceback():
    at = open_page()
    at.text_input(key="bin_own_f").set_value("().__class__").run()
    assert not at.exception and any("Not a usable formula" in e.value for e in at.error)
    assert "your loss" not in metrics(at)
    at.text_input(key="bin_own_f").set_value("log(s)").run()  # some scores are ≤ 0
    assert not at.exception
    assert metrics(at)["your loss"] == "undefined"
    assert any("no value on this scene" in w.value for w in at.warning)
    assert metrics(at)["hinge"] == expected(Scene().default_scores())["hinge"]
