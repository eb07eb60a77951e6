"""The regression explorer, run headless with AppTest: every number on the page is the core's number."""

from __future__ import annotations

import json
import math

import numpy as np
import pytest
from streamlit.testing.v1 import AppTest

import losses
from charts.style import format_metric as fmt
from losses.custom import parse_params
from losses.fitting import fit_line
from scenes.regression import DELTA_DEFAULT, Scene, line_predictions
from tests.app import helpers
from tests.app.helpers import metrics

PAGE = "views/regression.py"


def open_page(query: dict[str, str | list[str]] | None = None) -> AppTest:
    return helpers.open_page(PAGE, query)


def expected(name: str, preds, scene: Scene | None = None, **params) -> str:
    """The core's cost, with the page's δ (DELTA_DEFAULT) unless another is given."""
    if "delta" in {p.name for p in losses.get(name).params}:
        params.setdefault("delta", DELTA_DEFAULT)
    scene = scene or Scene()
    _, y = scene.points()
    return fmt(losses.get(name).cost(y, preds, **params))


def test_default_page_shows_the_core_costs_for_the_default_scene():
    at = open_page()
    preds = Scene().default_predictions()
    shown = metrics(at)
    assert shown["MSE"] == expected("mse", preds)
    assert shown["MAE"] == expected("mae", preds)
    assert shown["Huber"] == expected("huber", preds, delta=DELTA_DEFAULT)
    assert len(at.latex) == 3  # one formula per selected loss


def test_injected_predictions_update_every_metric():
    at = open_page()
    preds = [0.5 * i for i in range(8)]
    at.session_state["reg_free"] = {"positions": preds}
    at.run()
    assert not at.exception
    shown = metrics(at)
    for label, name in (("MSE", "mse"), ("MAE", "mae"), ("Huber", "huber")):
        assert shown[label] == expected(name, preds), label
    # the metric delta reports the change since the last interaction
    deltas = {m.label: m.delta for m in at.metric}
    before = losses.get("mse").cost(Scene().points()[1], Scene().default_predictions())
    assert deltas["MSE"] == fmt(losses.get("mse").cost(Scene().points()[1], preds) - before)


def test_changing_delta_changes_the_huber_metric_only():
    at = open_page()
    mse_before = metrics(at)["MSE"]
    at.slider(key="reg_delta").set_value(0.3).run()
    preds = Scene().default_predictions()
    assert metrics(at)["Huber"] == expected("huber", preds, delta=0.3)
    assert metrics(at)["MSE"] == mse_before


def test_changing_tau_and_alpha_changes_their_metrics():
    at = open_page()
    at.multiselect(key="reg_losses").set_value(["quantile", "general_robust"]).run()
    at.slider(key="reg_tau").set_value(0.9).run()
    at.slider(key="reg_alpha").set_value(-2.0).run()
    at.slider(key="reg_scale").set_value(0.5).run()
    preds = Scene().default_predictions()
    shown = metrics(at)
    assert shown["quantile"] == expected("quantile", preds, tau=0.9)
    assert shown["general robust"] == expected("general_robust", preds, alpha=-2.0, scale=0.5)
    at.toggle(key="reg_alpha_limit").set_value(True).run()
    assert metrics(at)["general robust"] == expected("general_robust", preds, alpha=-math.inf, scale=0.5)


def test_adding_an_outlier_shows_its_share_in_a_sentence():
    at = open_page()
    at.button(key="reg_add_outlier").click().run()
    assert not at.exception
    scene = Scene().with_outlier()
    preds = scene.default_predictions()
    shown = metrics(at)
    assert shown["MSE"] == expected("mse", preds, scene)
    sentence = next(m.value for m in at.markdown if "makes up" in m.value)
    _, y = scene.points()
    per = losses.get("mse").per_sample(y, preds)
    assert sentence.startswith(f"Outlier 1 makes up {100 * per[-1] / per.sum():.0f}% of the MSE")
    at.button(key="reg_remove_outliers").click().run()
    assert metrics(at)["MSE"] == expected("mse", Scene().default_predictions())


def test_textbook_example_at_1000():
    at = open_page()
    at.button(key="reg_classic_1000").click().run()
    assert not at.exception
    scene = Scene(kind="classic")
    preds = scene.default_predictions()
    preds[len(preds) // 2] = 1000.0
    assert metrics(at)["MSE"] == expected("mse", preds, scene)
    assert metrics(at)["MAE"] == expected("mae", preds, scene)


def test_msle_is_undefined_not_an_error_for_values_at_or_below_minus_one():
    at = open_page()
    at.multiselect(key="reg_losses").set_value(["mse", "msle"]).run()
    preds = list(Scene().default_predictions())
    preds[0] = -1.5
    at.session_state["reg_free"] = {"positions": preds}
    at.run()
    assert not at.exception and not at.error
    assert metrics(at)["MSLE"] == "undefined"
    assert metrics(at)["MSE"] == expected("mse", preds)


def test_line_mode_predicts_with_the_line_and_draws_the_best_lines():
    at = open_page()
    at.segmented_control(key="reg_mode").set_value("Fit a line").run()
    assert not at.exception
    scene = Scene()
    x, _ = scene.points()
    at.session_state["reg_line"] = {"positions": [0.0, 5.0]}
    at.run()
    preds, slope, intercept = line_predictions(x, (0.0, 5.0))
    assert metrics(at)["MSE"] == expected("mse", preds)
    assert any("ŷ = 0.500·x + 0.000" in c.value for c in at.caption)


def test_query_string_restores_the_scene():
    scene = Scene(n=5, seed=3).with_outlier()
    x, _ = scene.points()
    preds = [1, 2, 3, 4, 5, 6.5]
    at = open_page(
        {
            "reg_n": "5",
            "reg_seed": "3",
            "reg_out": f"{scene.outliers[0][0]}:{scene.outliers[0][1]}",
            "reg_p": ",".join(map(str, preds)),
            "reg_losses": ["MSE", "Huber"],
            "reg_delta": "2.5",
        }
    )
    assert not at.warning
    shown = metrics(at)
    assert shown["MSE"] == expected("mse", preds, scene)
    assert shown["Huber"] == expected("huber", preds, scene, delta=2.5)
    assert set(shown) == {"MSE", "Huber"}


@pytest.mark.parametrize(
    "query",
    [
        {"reg_n": "abc"},
        {"reg_seed": "inf"},
        {"reg_seed": "1e400"},
        {"reg_n": "-inf"},
        {"reg_n": "100000"},
        {"reg_seed": "-5"},
        {"reg_p": "1,2,nan,4,5,6,7,8"},
        {"reg_p": "1,2"},
        {"reg_out": "junk"},
        {"reg_out": "1:1e300"},
        {"reg_mode": "<script>"},
        {"reg_delta": "NaN"},
        {"reg_scene": "1000"},
        {"reg_losses": ["MSE", "evil"]},
        {"reg_p": "1e309,0,0,0,0,0,0,0"},
    ],
)
def test_hostile_query_string_falls_back_with_a_warning(query):
    at = open_page(query)
    assert not at.exception
    assert at.warning, f"no warning for {query}"
    preds = Scene().default_predictions()
    assert metrics(at)["MSE"] == expected("mse", preds)


def test_extremes_do_not_crash():
    at = open_page({"reg_n": "30"})
    at.session_state["reg_free"] = {"positions": [1e6] + [0.0] * 29}
    at.run()
    assert not at.exception
    at = open_page({"reg_n": "3"})
    at.slider(key="reg_delta").set_value(0.05).run()
    assert not at.exception
    for alpha in (2.0, 1.0, 0.0, -2.0):
        at.multiselect(key="reg_losses").set_value(["general_robust"]).run()
        at.slider(key="reg_alpha").set_value(alpha).run()
        assert not at.exception, alpha


def test_an_outlier_at_a_million_does_not_crash_either_mode():
    for mode in ("Free points", "Fit a line"):
        at = open_page(
            {"reg_out": "5:1000000", "reg_mode": mode,
             "reg_losses": ["MSE", "MAE", "Huber", "general robust"]}
        )
        assert not at.exception and not at.warning
        scene = Scene(outliers=((5.0, 1e6),))
        assert metrics(at)["MSE"] == expected("mse", scene.default_predictions(), scene)


def test_reset_restores_the_defaults():
    at = open_page()
    at.slider(key="reg_delta").set_value(3.0).run()
    at.button(key="reg_add_outlier").click().run()
    at.button(key="reg_reset").click().run()
    assert not at.exception
    preds = Scene().default_predictions()
    assert metrics(at)["Huber"] == expected("huber", preds, delta=DELTA_DEFAULT)
    assert np.isclose(
        float(metrics(at)["MSE"]), losses.get("mse").cost(Scene().points()[1], preds), atol=1e-4
    )


def test_reset_restores_the_defaults_of_controls_set_by_the_link():
    """URL-bound controls must not read their old value back from the link after a reset."""
    at = open_page({"reg_n": "5", "reg_seed": "4", "reg_delta": "2.5", "reg_losses": ["MSE", "Huber"],
                    "reg_mode": "Fit a line"})
    at.button(key="reg_reset").click().run()
    assert not at.exception
    preds = Scene().default_predictions()
    shown = metrics(at)
    assert set(shown) == {"MSE", "MAE", "Huber"}
    assert shown["Huber"] == expected("huber", preds, delta=DELTA_DEFAULT)
    assert shown["MSE"] == expected("mse", preds)
    assert at.slider(key="reg_n").value == 8 and at.slider(key="reg_seed").value == 0


# ---- issue 9: δ, the best lines on the drag chart, targets, outliers, Undo, the growing axis ---------------
def drag_chart(at: AppTest) -> tuple[str, dict]:
    """The page's one drag chart: its key and the data it was given (the component is an UnknownElement)."""
    (chart,) = [c for c in at.get("bidi_component") if not c.key.endswith("_library")]
    return chart.key, json.loads(chart.proto.json)


def test_delta_defaults_to_the_pages_value_and_takes_an_exact_number():
    at = open_page()
    assert at.slider(key="reg_delta").value == DELTA_DEFAULT
    assert at.number_input(key="reg_delta_exact").value == DELTA_DEFAULT
    assert at.slider(key="reg_delta").max == 20.0  # the whole sweep from L1-like to L2-like on the scene
    at.number_input(key="reg_delta_exact").set_value(2.37).run()
    preds = Scene().default_predictions()
    assert at.slider(key="reg_delta").value == 2.37  # the slider follows the exact value...
    assert metrics(at)["Huber"] == expected("huber", preds, delta=2.37)
    at.slider(key="reg_delta").set_value(7.5).run()
    assert at.number_input(key="reg_delta_exact").value == 7.5  # ...and the number follows the slider
    assert metrics(at)["Huber"] == expected("huber", preds, delta=7.5)
    at.multiselect(key="reg_losses").set_value(["mse", "pseudo_huber"]).run()  # δ is shared with pseudo-Huber
    assert metrics(at)["pseudo-Huber"] == expected("pseudo_huber", preds, delta=7.5)


def test_line_mode_draws_each_losss_best_line_on_the_drag_chart_with_its_numbers():
    at = open_page({"reg_mode": "Fit a line", "reg_out": "9:23.55"})
    scene = Scene(outliers=((9.0, 23.55),))
    x, y = scene.points()
    fits = {n: fit_line(n, x, y, **({"delta": DELTA_DEFAULT} if n == "huber" else {})) for n in ("mse", "mae",
                                                                                                  "huber")}
    key, data = drag_chart(at)
    assert key == "reg_line"
    drawn = {ln["label"]: (ln["slope"], ln["intercept"]) for ln in data["lines"]}
    assert drawn == {f"best under {t}": (fits[n].slope, fits[n].intercept)
                     for n, t in (("mse", "MSE"), ("mae", "MAE"), ("huber", "Huber"))}  # fmt: skip
    # the textbook contrast at first sight: Huber's line between L2's and L1's
    assert fits["mse"].slope > fits["huber"].slope > fits["mae"].slope
    table = next(m.value for m in at.markdown if m.value.startswith("| line | slope | intercept |"))
    for n, t in (("mse", "MSE"), ("mae", "MAE"), ("huber", "Huber")):
        assert f"| best under {t} | {fits[n].slope:.3f} | {fits[n].intercept:.3f} |" in table
    assert "| your line | 0.800 | 1.000 |" in table
    at.segmented_control(key="reg_mode").set_value("Free points").run()
    assert drag_chart(at)[1]["lines"] == []  # free points: no lines to fit


def test_dragging_targets_moves_points_and_outliers_and_the_link_holds_them():
    at = open_page({"reg_out": "9:23.55"})
    at.segmented_control(key="reg_drag").set_value("Targets").run()
    key, data = drag_chart(at)
    assert key == "reg_targets" and data["handle_style"] == "hollow" and data["target_style"] == "filled"
    scene = Scene(outliers=((9.0, 23.55),))
    ys = list(scene.points()[1])
    assert [h["y"] for h in data["handles"]] == ys
    assert [h["label"] for h in data["handles"]][-2:] == ["target 8", "outlier 1"]
    ys[0], ys[-1] = 4.0, 12.5  # a target and the outlier, moved
    at.session_state["reg_targets"] = {"positions": ys}
    at.run()
    assert not at.exception
    preds = scene.default_predictions()
    moved = scene.with_targets(ys)
    assert metrics(at)["MSE"] == expected("mse", preds, moved)
    assert metrics(at)["Huber"] == expected("huber", preds, moved)
    shared = link(at)
    assert shared["reg_out"] == "9:12.5" and shared["reg_y"].split(",")[0] == "4"
    again = open_page(shared)  # the link restores it in a new session
    assert not again.warning
    assert metrics(again)["MSE"] == expected("mse", preds, moved)


def test_deleting_one_outlier_keeps_the_others():
    at = open_page()
    at.button(key="reg_add_outlier").click().run()
    at.button(key="reg_add_outlier").click().run()
    two = Scene().with_outlier().with_outlier()
    assert metrics(at)["MSE"] == expected("mse", two.default_predictions(), two)
    at.button(key="reg_delete_outlier_1").click().run()
    assert not at.exception
    left = two.without_outlier(0)
    assert left.outliers == ((sc_x(two, 1), two.outliers[1][1]),)
    assert metrics(at)["MSE"] == expected("mse", left.default_predictions(), left)
    assert not [b for b in at.button if b.key == "reg_delete_outlier_2"]  # one outlier, one button
    assert link(at)["reg_out"] == f"{sc_x(two, 1):g}:{two.outliers[1][1]:g}"


def sc_x(scene: Scene, i: int) -> float:
    return scene.outliers[i][0]


def link(at: AppTest) -> dict[str, str]:
    """The page's link parameters, one value each (AppTest gives a str or a one-item list)."""
    return {k: v if isinstance(v, str) else v[0] for k in at.query_params for v in [at.query_params[k]]}


def test_undo_restores_predictions_targets_outliers_and_the_scene_size():
    at = open_page()
    assert at.button(key="reg_undo").disabled  # nothing to undo yet
    default = metrics(at)["MSE"]
    preds = [0.5 * i for i in range(8)]
    at.session_state["reg_free"] = {"positions": preds}
    at.run()
    assert metrics(at)["MSE"] == expected("mse", preds) and not at.button(key="reg_undo").disabled
    at.button(key="reg_add_outlier").click().run()
    with_outlier = metrics(at)["MSE"]
    at.button(key="reg_delete_outlier_1").click().run()
    at.slider(key="reg_n").set_value(12).run()
    assert len(drag_chart(at)[1]["handles"]) == 12
    at.button(key="reg_undo").click().run()  # the size comes back, and the scene it had
    assert at.slider(key="reg_n").value == 8 and len(drag_chart(at)[1]["handles"]) == 8
    at.button(key="reg_undo").click().run()  # the deleted outlier comes back
    assert metrics(at)["MSE"] == with_outlier
    at.button(key="reg_undo").click().run()  # the outlier goes
    assert metrics(at)["MSE"] == expected("mse", preds)
    at.button(key="reg_undo").click().run()  # the drag is undone
    assert metrics(at)["MSE"] == default
    assert [h["y"] for h in drag_chart(at)[1]["handles"]] == list(Scene().default_predictions())
    assert at.button(key="reg_undo").disabled
    assert not at.exception


def test_undo_a_moved_target():
    at = open_page()
    at.segmented_control(key="reg_drag").set_value("Targets").run()
    ys = list(Scene().points()[1])
    ys[3] = 9.0
    at.session_state["reg_targets"] = {"positions": ys}
    at.run()
    assert metrics(at)["MSE"] == expected("mse", Scene().default_predictions(), Scene().with_targets(ys))
    at.button(key="reg_undo").click().run()
    assert metrics(at)["MSE"] == expected("mse", Scene().default_predictions())
    assert "reg_y" not in at.query_params


def test_the_drag_axis_grows_to_hold_a_handle_pushed_past_its_top():
    at = open_page()
    _, data = drag_chart(at)
    top = data["y_range"][1]
    assert data["y_limit"] == [-1e6, 1e6]  # the browser lets a handle go past the top, up to here
    preds = list(Scene().default_predictions())
    preds[2] = top + 25.0
    at.session_state["reg_free"] = {"positions": preds}
    at.run()
    assert metrics(at)["MSE"] == expected("mse", preds)  # not clamped to the old top
    _, data = drag_chart(at)
    assert data["y_range"][1] >= top + 25.0 and data["values"][2] == top + 25.0


def test_modes_keep_what_was_dragged_in_the_other():
    at = open_page()
    preds = [1.0 + i for i in range(8)]
    at.session_state["reg_free"] = {"positions": preds}
    at.run()
    at.segmented_control(key="reg_mode").set_value("Fit a line").run()
    at.session_state["reg_line"] = {"positions": [0.0, 5.0]}
    at.run()
    at.segmented_control(key="reg_mode").set_value("Free points").run()
    assert metrics(at)["MSE"] == expected("mse", preds)
    assert [h["y"] for h in drag_chart(at)[1]["handles"]] == preds
    at.segmented_control(key="reg_mode").set_value("Fit a line").run()
    assert [h["y"] for h in drag_chart(at)[1]["handles"]] == [0.0, 5.0]


def test_one_point_with_every_loss_is_said_plainly():
    at = open_page()
    at.button(key="reg_classic_10").click().run()
    # the classic targets are near 1, not exactly 1: the other points keep a little of every loss
    sentence = next(m.value for m in at.markdown if "makes up" in m.value)
    assert "100% of the MSE but 100%" not in sentence
    at.session_state["reg_free"] = {"positions": list(Scene(kind="classic").points()[1][:4]) + [10.0]
                                    + list(Scene(kind="classic").points()[1][5:])}  # fmt: skip
    at.run()
    sentence = next(m.value for m in at.markdown if "makes up" in m.value)
    assert sentence == "Point 5 makes up all of every loss shown: every other prediction is exact."


# ---- issue 13: a loss of your own beside the built-ins ---------------------------------------------------
def plotly(at: AppTest, key: str) -> dict:
    """The figure of the plotly chart with this key, as the browser receives it."""
    (el,) = [el for el in at.get("plotly_chart") if el.proto.id.endswith(key)]
    return json.loads(el.proto.spec)


def live_losses(at: AppTest) -> list[str]:
    """The losses the drag chart's live preview moves during a drag (its metrics, in order)."""
    return [L["name"] for L in drag_chart(at)[1]["live"]["losses"]]


def test_your_own_formula_is_scored_drawn_shared_and_put_in_the_link():
    at = open_page()
    assert "your loss" not in metrics(at)
    at.text_input(key="reg_own_f").set_value("log(1 + r**2)").run()
    assert not at.exception
    _, y = Scene().points()
    preds = Scene().default_predictions()
    want = losses.custom("log(1 + r**2)").cost(y, preds)
    assert metrics(at)["your loss"] == fmt(want)
    assert metrics(at)["MSE"] == expected("mse", preds)  # the built-ins stay as they were
    for key in ("reg_curves", "reg_influence"):  # its curve and its derivative, beside the built-ins'
        traces = {t.get("name"): t for t in plotly(at, key)["data"]}
        assert {"MSE", "MAE", "Huber", "your loss"} <= set(traces)
    assert "your loss" in {t.get("name") for t in plotly(at, "reg_shares")["data"]}
    sentence = next(m.value for m in at.markdown if "makes up" in m.value)
    assert "% of your loss" in sentence and "the your" not in sentence
    assert any("log" in x.value for x in at.latex)  # its LaTeX
    assert live_losses(at) == ["mse", "mae", "huber", "custom"]  # a drag previews it too
    assert link(at)["reg_own_f"] == "log(1 + r**2)"
    moved = [0.5 * i for i in range(8)]
    at.session_state["reg_free"] = {"positions": moved}
    at.run()
    assert metrics(at)["your loss"] == fmt(losses.custom("log(1 + r**2)").cost(y, moved))


def test_a_link_with_a_formula_restores_it_and_its_parameters():
    at = open_page({"reg_own_f": "c**2*log(1 + (r/c)**2)", "reg_own_params": "c = 2 in [0.1, 5]"})
    assert at.text_input(key="reg_own_f").value == "c**2*log(1 + (r/c)**2)"
    _, y = Scene().points()
    preds = Scene().default_predictions()
    spec = losses.custom("c**2*log(1 + (r/c)**2)", params=parse_params("c = 2 in [0.1, 5]"))
    assert metrics(at)["your loss"] == fmt(spec.cost(y, preds, c=2.0))
    at.slider(key="reg_own_p_c").set_value(0.5).run()
    assert metrics(at)["your loss"] == fmt(spec.cost(y, preds, c=0.5))


def test_a_bad_formula_is_a_message_and_no_loss():
    at = open_page()
    at.text_input(key="reg_own_f").set_value("__import__('os').system('x')").run()
    assert not at.exception
    assert any("Not a usable formula" in e.value for e in at.error)
    assert "your loss" not in metrics(at) and live_losses(at) == ["mse", "mae", "huber"]
    bad = open_page({"reg_own_f": "r.__class__"})  # a link's: a warning, the box empty
    assert any("could not be used" in w.value for w in bad.warning)
    assert "your loss" not in metrics(bad)


def test_a_formula_undefined_on_the_scene_says_so_instead_of_raising():
    at = open_page()
    at.text_input(key="reg_own_f").set_value("log(r)").run()  # r ≤ 0 at some points
    assert not at.exception
    assert metrics(at)["your loss"] == "undefined"
    assert any("no value on this scene" in w.value and "row" in w.value for w in at.warning)
    assert metrics(at)["MSE"] == expected("mse", Scene().default_predictions())
    traces = {t.get("name") for t in plotly(at, "reg_curves")["data"]}
    assert "your loss" not in traces  # no per-point values: no curve... and no crash


def test_a_formula_of_the_target_itself_is_scored_but_not_drawn_against_r():
    at = open_page()
    at.text_input(key="reg_own_f").set_value("r**2 / (1 + y**2)").run()
    assert not at.exception
    _, y = Scene().points()
    preds = Scene().default_predictions()
    assert metrics(at)["your loss"] == fmt(losses.custom("r**2 / (1 + y**2)").cost(y, preds))
    assert "your loss" not in {t.get("name") for t in plotly(at, "reg_curves")["data"]}
    assert any("your loss depends on the target itself" in c.value for c in at.caption)


def test_your_formula_is_kept_across_a_visit_to_another_page_and_reset_clears_it():
    at = open_page()
    at.text_input(key="reg_own_f").set_value("abs(r)**1.5").run()
    at.switch_page("views/binary.py").run()
    at.switch_page(PAGE).run()
    assert not at.exception
    (_, y), preds = Scene().points(), Scene().default_predictions()
    assert metrics(at)["your loss"] == fmt(losses.custom("abs(r)**1.5").cost(y, preds))
    assert link(at)["reg_own_f"] == "abs(r)**1.5"
    at.button(key="reg_reset").click().run()
    assert "your loss" not in metrics(at) and "reg_own_f" not in link(at)
