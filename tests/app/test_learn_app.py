"""The learning page, run headless with AppTest: every control, the link (hostile values fall back to the
defaults with a warning), a divergent learning rate, and numbers that are the core's (losses.descent and
losses.fitting)."""

from __future__ import annotations

import json

import pytest
from streamlit.testing.v1 import AppTest

import losses
from charts.style import format_metric as fmt
from losses.descent import descend
from losses.fitting import fit_line
from scenes import learn as sc
from scenes.regression import Scene
from tests.app import helpers
from tests.app.helpers import metrics

PAGE = "views/learn.py"
CLS = {"learn_part": "Classification"}


def open_page(query: dict[str, str | list[str]] | None = None) -> AppTest:
    return helpers.open_page(PAGE, query)


def line_cost(name: str, scene: Scene | None = None, *, lr: float = 0.02, steps: int = sc.STEPS_DEFAULT,
              optimizer: str = "gd", batch: int | None = None, seed: int = 0, **params) -> str:  # fmt: skip
    x, y = (scene or Scene()).points()
    run = descend(name, x, y, lr=lr, steps=steps, init=sc.REG_START, optimizer=optimizer, batch=batch,
                  seed=seed, **params)  # fmt: skip
    return fmt(run.cost[-1])


def class_cost(name: str, two: sc.TwoClass | None = None, *, lr: float = 0.2, steps: int = sc.STEPS_DEFAULT,
               start: str = "weak", optimizer: str = "gd", **params) -> str:  # fmt: skip
    X, t = (two or sc.TwoClass()).points()
    run = descend(name, X, t, model="logistic", lr=lr, steps=steps, init=sc.START_WEIGHTS[start],
                  optimizer=optimizer, **params)  # fmt: skip
    return fmt(run.cost[-1])


def chart(at: AppTest, key: str) -> dict:
    """The figure of the plotly chart with this key, as the browser receives it."""
    for el in at.get("plotly_chart"):
        if el.proto.id.endswith(key) or key in el.proto.id:
            return json.loads(el.proto.spec)
    raise AssertionError(f"no chart {key}: {[el.proto.id for el in at.get('plotly_chart')]}")


def sentence(at: AppTest) -> str:
    return next(m.value for m in at.markdown if m.value.startswith("After "))


# ---- regression ---------------------------------------------------------------------------------------
def test_default_page_trains_mse_mae_and_huber_and_says_where_they_end():
    at = open_page()
    shown = metrics(at)
    assert shown == {"MSE at the end": line_cost("mse"), "MAE at the end": line_cost("mae"),
                     "Huber at the end": line_cost("huber", delta=1.0)}  # fmt: skip
    x, y = Scene().points()
    fit = fit_line("mse", x, y)
    assert f"the least-squares line: {sc.line_text(fit.slope, fit.intercept)}" in sentence(at)
    fig = chart(at, "learn_lines")
    assert len(fig["frames"]) == len(sc.frame_steps(sc.STEPS_DEFAULT))
    assert fig["layout"]["updatemenus"][0]["buttons"][0]["label"] == "▶ Play"
    assert not at.warning and not at.exception


def test_an_outlier_drags_the_mse_line_and_the_numbers_agree_with_the_fits():
    at = open_page()
    at.button(key="learn_add_outlier").click().run()
    scene = Scene().with_outlier()
    assert metrics(at)["MSE at the end"] == line_cost("mse", scene)
    x, y = scene.points()
    best = {"mse": "the least-squares line", "mae": "its best line", "huber": "its best line"}
    for name, label in best.items():
        fit = fit_line(name, x, y)
        assert f"({label}: {sc.line_text(fit.slope, fit.intercept)})" in sentence(at), name
    (ox, oy), = scene.outliers
    l1, l2 = fit_line("mae", x, y), fit_line("mse", x, y)
    assert abs(l2.slope * ox + l2.intercept - oy) < abs(l1.slope * ox + l1.intercept - oy) - 1.0  # L1 holds
    at.button(key="learn_remove_outliers").click().run()
    assert metrics(at)["MSE at the end"] == line_cost("mse")


def test_every_regression_control():
    at = open_page()
    at.slider(key="learn_n").set_value(12).run()
    at.slider(key="learn_seed").set_value(5).run()
    scene = Scene(n=12, seed=5)
    assert metrics(at)["MAE at the end"] == line_cost("mae", scene)
    at.number_input(key="learn_mag").set_value(20.0).run()
    at.button(key="learn_add_outlier").click().run()
    scene = scene.with_outlier(20.0)
    at.multiselect(key="learn_losses").set_value(["mse", "huber", "quantile", "general_robust"]).run()
    at.slider(key="learn_delta").set_value(2.0).run()
    at.slider(key="learn_tau").set_value(0.8).run()
    at.slider(key="learn_alpha").set_value(-2.0).run()
    at.slider(key="learn_scale").set_value(2.0).run()
    at.slider(key="learn_lr").set_value(-2.5).run()
    at.slider(key="learn_steps").set_value(200).run()
    at.segmented_control(key="learn_opt").set_value("adam").run()
    assert not at.exception
    kw = dict(lr=sc.learning_rate(-2.5), steps=200, optimizer="adam")
    shown = metrics(at)
    assert shown["Huber at the end"] == line_cost("huber", scene, delta=2.0, **kw)
    assert shown["quantile at the end"] == line_cost("quantile", scene, tau=0.8, **kw)
    robust = line_cost("general_robust", scene, alpha=-2.0, scale=2.0, **kw)
    assert shown["general robust at the end"] == robust
    at.toggle(key="learn_alpha_limit").set_value(True).run()
    assert metrics(at)["general robust at the end"] == line_cost("general_robust", scene, alpha=-float("inf"),
                                                                 scale=2.0, **kw)  # fmt: skip
    at.toggle(key="learn_sgd").set_value(True).run()
    at.slider(key="learn_batch").set_value(5).run()
    at.slider(key="learn_sgd_seed").set_value(9).run()
    assert metrics(at)["MSE at the end"] == line_cost("mse", scene, batch=5, seed=9, **kw)
    at.selectbox(key="learn_surface").set_value("Huber").run()
    assert "Cost surface of Huber" in json.dumps(chart(at, "learn_lines")["layout"]["annotations"])
    at.toggle(key="learn_log").set_value(True).run()
    assert chart(at, "learn_costs")["layout"]["yaxis"]["type"] == "log"
    assert not at.exception


def test_the_link_restores_the_run():
    scene = Scene(n=10, seed=2).with_outlier()
    (ox, oy), = scene.outliers
    at = open_page({"learn_n": "10", "learn_seed": "2", "learn_out": f"{ox}:{oy}", "learn_lr": "-2.0",
                    "learn_steps": "300", "learn_opt": "Momentum",
                    "learn_losses": ["MSE", "MAE"]})  # fmt: skip
    assert not at.warning
    kw = dict(lr=0.01, steps=300, optimizer="momentum")
    assert metrics(at) == {"MSE at the end": line_cost("mse", scene, **kw),
                           "MAE at the end": line_cost("mae", scene, **kw)}  # fmt: skip


def test_a_divergent_learning_rate_warns_and_the_charts_still_render():
    at = open_page()
    at.slider(key="learn_lr").set_value(-1.0).run()  # 0.1: plain gradient descent on MSE blows up
    assert not at.exception
    assert any("Diverged: MSE at step" in w.value for w in at.warning)
    x, y = Scene().points()
    run = descend("mse", x, y, lr=0.1, steps=sc.STEPS_DEFAULT)
    assert run.diverged and f"the MSE run diverged at step {run.diverged_at}" in sentence(at)
    fig = chart(at, "learn_lines")
    assert fig["frames"] and "NaN" not in json.dumps(fig["frames"])  # frames are plain numbers: all finite
    costs = chart(at, "learn_costs")
    assert costs["data"][0]["name"] == "MSE"
    assert metrics(at)["MSE at the end"] == fmt(run.cost[-1])  # the last cost before the blow-up


@pytest.mark.parametrize(
    "query",
    [
        {"learn_lr": "abc"},
        {"learn_lr": "nan"},
        {"learn_lr": "1e9"},
        {"learn_steps": "1e9"},
        {"learn_steps": "-5"},
        {"learn_opt": "<script>"},
        {"learn_batch": "0"},
        {"learn_sgd": "maybe"},
        {"learn_sgd_seed": "inf"},
        {"learn_n": "100000"},
        {"learn_seed": "-inf"},
        {"learn_out": "junk"},
        {"learn_out": "1:1e300"},
        {"learn_mag": "NaN"},
        {"learn_delta": "-1"},
        {"learn_losses": ["MSE", "evil"]},
        {"learn_surface": "nope"},
        {"learn_log": "2"},
        {"learn_part": "Everything"},
    ],
)
def test_hostile_link_values_fall_back_to_the_defaults_with_a_warning(query):
    at = open_page(query)
    assert not at.exception
    assert at.warning, f"no warning for {query}"
    assert metrics(at)["MSE at the end"] == line_cost("mse")


def test_an_outlier_at_a_million_does_not_crash():
    """MSE's curvature does not depend on y: a stable rate stays stable, however far the outlier is."""
    at = open_page({"learn_out": "5:1000000"})
    assert not at.exception and not at.warning
    scene = Scene(outliers=((5.0, 1e6),))
    assert metrics(at)["MSE at the end"] == line_cost("mse", scene)
    assert metrics(at)["MAE at the end"] == line_cost("mae", scene)


def test_reset_restores_the_defaults():
    at = open_page({"learn_lr": "-3", "learn_steps": "100"})
    at.button(key="learn_add_outlier").click().run()
    at.button(key="learn_reset").click().run()
    assert not at.exception
    assert metrics(at)["MSE at the end"] == line_cost("mse")


# ---- classification -----------------------------------------------------------------------------------
def test_classification_defaults_hinge_cross_entropy_and_squared_error_after_sigmoid():
    at = open_page(CLS)
    assert metrics(at) == {"hinge at the end": class_cost("hinge"),
                           "sigmoid CE on s at the end": class_cost("sigmoid_cross_entropy"),
                           "MSE on σ(s) at the end": class_cost("mse")}  # fmt: skip
    text = sentence(at)
    assert "**hinge** has" in text and "The outlier's margin:" in text
    fig = chart(at, "learn_c_boundaries")
    assert [d["name"] for d in fig["data"]][-4:] == ["hinge", "sigmoid CE on s", "MSE on σ(s)", "step"]
    assert len(chart(at, "learn_c_margins")["data"]) == 3 * len(sc.TwoClass().points()[1])
    assert not at.warning and not at.exception


def test_every_classification_control():
    at = open_page(CLS)
    at.number_input(key="learn_c_ox").set_value(1.0).run()
    at.number_input(key="learn_c_oy").set_value(-3.0).run()
    at.slider(key="learn_c_seed").set_value(4).run()
    two = sc.TwoClass("outlier", 4, (1.0, -3.0))
    assert metrics(at)["hinge at the end"] == class_cost("hinge", two)
    at.segmented_control(key="learn_c_start").set_value("wrong").run()
    at.multiselect(key="learn_c_losses").set_value(["binary_focal", "exponential"]).run()
    at.slider(key="learn_c_gamma").set_value(1.0).run()
    at.slider(key="learn_c_alpha").set_value(0.5).run()
    at.slider(key="learn_c_lr").set_value(-1.0).run()
    at.slider(key="learn_c_steps").set_value(100).run()
    at.segmented_control(key="learn_c_opt").set_value("momentum").run()
    assert not at.exception
    kw = dict(lr=0.1, steps=100, start="wrong", optimizer="momentum")
    shown = metrics(at)
    assert shown["focal at the end"] == class_cost("binary_focal", two, gamma=1.0, alpha=0.5, **kw)
    assert shown["exponential at the end"] == class_cost("exponential", two, **kw)
    at.toggle(key="learn_c_sgd").set_value(True).run()
    at.slider(key="learn_c_batch").set_value(6).run()
    at.slider(key="learn_c_sgd_seed").set_value(3).run()
    X, t = two.points()
    run = descend("exponential", X, t, model="logistic", lr=0.1, steps=100, init=sc.START_WEIGHTS["wrong"],
                  optimizer="momentum", batch=6, seed=3)  # fmt: skip
    assert metrics(at)["exponential at the end"] == fmt(run.cost[-1])
    at.toggle(key="learn_c_log").set_value(True).run()
    assert chart(at, "learn_c_costs")["layout"]["yaxis"]["type"] == "log"
    at.segmented_control(key="learn_c_preset").set_value("separable").run()
    assert "outlier" not in sentence(at)
    at.button(key="learn_c_reset").click().run()
    assert not at.exception and metrics(at)["hinge at the end"] == class_cost("hinge")


@pytest.mark.parametrize(
    "query",
    [{"learn_c_preset": "zzz"}, {"learn_c_ox": "inf"}, {"learn_c_lr": "nan"}, {"learn_c_start": "x"},
     {"learn_c_losses": ["hinge", "evil"]}, {"learn_c_batch": "-1"}, {"learn_c_steps": "abc"}],
)  # fmt: skip
def test_hostile_classification_link_values_fall_back_with_a_warning(query):
    at = open_page(CLS | query)
    assert not at.exception
    assert at.warning, f"no warning for {query}"
    assert metrics(at)["hinge at the end"] == class_cost("hinge")


def test_the_two_parts_keep_their_own_alpha():
    """General robust's α (in [−10, 4]) and focal's (in [0, 1]) are two controls: neither breaks the other."""
    at = open_page({"learn_losses": ["general robust"]})
    at.slider(key="learn_alpha").set_value(-5.0).run()
    at.segmented_control(key="learn_part").set_value("Classification").run()
    at.multiselect(key="learn_c_losses").set_value(["binary_focal"]).run()
    assert at.slider(key="learn_c_alpha").value == losses.get("binary_focal").param("alpha").default
    at.segmented_control(key="learn_part").set_value("Regression").run()
    assert not at.exception and at.slider(key="learn_alpha").value == -5.0
