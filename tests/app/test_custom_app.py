"""The "Your own loss" page, run headless with AppTest: every number on it is the core's number."""

from __future__ import annotations

import numpy as np
from streamlit.testing.v1 import AppTest

import losses
from charts.style import format_metric as fmt
from losses.custom import parse_params
from scenes import binary as bsc
from scenes import custom as sc
from scenes.regression import Scene
from tests.app import helpers
from tests.app.helpers import metrics

PAGE = "views/custom.py"


def open_page(query: dict[str, str | list[str]] | None = None) -> AppTest:
    return helpers.open_page(PAGE, query)


def _cost(formula: str, declarations: str = "", **params) -> str:
    _, y = Scene().points()
    spec = losses.custom(formula, params=parse_params(declarations))
    return fmt(spec.cost(y, Scene().default_predictions(), **params))


def test_default_page_shows_the_formula_its_cost_beside_mse_and_huber_and_its_properties():
    at = open_page()
    assert at.text_input(key="cust_f").value == "log(1 + r**2)"
    shown = metrics(at)
    _, y = Scene().points()
    preds = Scene().default_predictions()
    assert shown["your loss"] == _cost("log(1 + r**2)")
    assert shown["MSE"] == fmt(losses.get("mse").cost(y, preds))
    assert shown["Huber"] == fmt(losses.get("huber").cost(y, preds, delta=1.0))
    assert any(r"\log" in x.value for x in at.latex)
    assert any(r"\frac{\partial \ell}{\partial \hat y}" in x.value for x in at.latex)
    text = " ".join(m.value for m in at.markdown)
    assert "Non-negative:** yes" in text and "Convex:** no" in text and "Symmetric:** yes" in text
    assert not at.error


def test_typing_a_formula_updates_latex_metric_and_properties():
    at = open_page()
    at.text_input(key="cust_f").set_value("abs(r)**1.5").run()
    assert not at.exception
    assert metrics(at)["your loss"] == _cost("abs(r)**1.5")
    assert any(r"\left|{r}\right|^{1.5}" in x.value or "frac{3}{2}" in x.value for x in at.latex)
    assert "Convex:** yes" in " ".join(m.value for m in at.markdown)


def test_a_bad_formula_shows_the_refusal_and_where_and_no_chart():
    at = open_page()
    at.text_input(key="cust_f").set_value("log(1 + r^2)").run()
    assert not at.exception
    assert at.error and "column 10" in at.error[0].value
    assert at.code and at.code[0].value.endswith("^") and "log(1 + r^2)" in at.code[0].value
    assert "your loss" not in metrics(at)
    at.text_input(key="cust_f").set_value("__import__('os').system('x')").run()
    assert not at.exception and "listed functions" in at.error[0].value


def test_declared_parameters_get_sliders():
    at = open_page()
    at.text_input(key="cust_params").set_value("c = 1 in [0.1, 5]").run()
    at.text_input(key="cust_f").set_value("c**2*log(1 + (r/c)**2)").run()
    assert not at.exception
    at.slider(key="cust_p_c").set_value(2.0).run()
    assert metrics(at)["your loss"] == _cost("c**2*log(1 + (r/c)**2)", "c = 1 in [0.1, 5]", c=2.0)
    at.text_input(key="cust_f").set_value("delta*abs(r)").run()  # delta needs no declaring
    at.slider(key="cust_p_delta").set_value(2.0).run()
    assert metrics(at)["your loss"] == _cost("delta*abs(r)", delta=2.0)


def test_an_example_button_fills_the_box():
    at = open_page()
    at.button(key="cust_ex_regression_3").click().run()
    assert at.text_input(key="cust_f").value == sc.EXAMPLES["regression"][3][1]
    assert "Symmetric:** no" in " ".join(m.value for m in at.markdown)


def test_a_link_restores_a_binary_loss_with_its_labels():
    at = open_page({"cust_kind": "binary", "cust_labels": "−1/+1", "cust_f": "max(0, 1 - y*s)"})
    assert not at.warning
    shown = metrics(at)
    y, s = bsc.Scene().labels01(), bsc.Scene().default_scores()
    assert shown["your loss"] == fmt(losses.get("hinge").cost(y, s)) == shown["hinge"]
    assert shown["BCE on p"] == fmt(bsc.cost("binary_cross_entropy", y, s))


def test_the_kind_changes_the_formula_variables_and_comparisons():
    at = open_page()
    at.segmented_control(key="cust_kind").set_value("multiclass").run()
    assert not at.exception
    assert at.text_input(key="cust_f").value == sc.DEFAULT_FORMULA["multiclass"]
    shown = metrics(at)
    assert "your loss" in shown and losses.get("sparse_categorical_cross_entropy").short in shown
    at.segmented_control(key="cust_kind").set_value("binary").run()
    assert not at.exception and at.text_input(key="cust_f").value == sc.DEFAULT_FORMULA["binary"]
    y, s = bsc.Scene().labels01(), bsc.Scene().default_scores()
    weighted = losses.custom(sc.DEFAULT_FORMULA["binary"], kind="binary")
    assert metrics(at)["your loss"] == fmt(weighted.cost(y, losses.sigmoid(s)))


def test_a_bad_formula_in_a_link_is_a_warning_and_the_default_is_shown():
    at = open_page({"cust_f": "r.__class__"})
    assert at.warning and "could not be used" in at.warning[0].value
    assert at.text_input(key="cust_f").value == "log(1 + r**2)"
    assert metrics(at)["your loss"] == _cost("log(1 + r**2)")


def test_a_formula_undefined_on_the_scene_says_why_instead_of_a_number():
    at = open_page()
    at.text_input(key="cust_f").set_value("log(r)").run()
    assert not at.exception
    assert metrics(at)["your loss"] == "undefined"
    assert any("not finite at row" in w.value for w in at.warning)
    assert np.isfinite(float(metrics(at)["MSE"]))


def test_the_link_carries_the_formula_and_its_parameters_and_restores_them():
    at = open_page()
    at.text_input(key="cust_params").set_value("c = 1 in [0.1, 5]").run()
    at.text_input(key="cust_f").set_value("c**2*log(1 + (r/c)**2)").run()
    at.slider(key="cust_p_c").set_value(2.5).run()
    raw = {k: at.query_params[k] for k in ("cust_f", "cust_params")}
    query = {k: v[0] if isinstance(v, list) else v for k, v in raw.items()}
    assert query == {"cust_f": "c**2*log(1 + (r/c)**2)", "cust_params": "c = 1 in [0.1, 5]"}
    shared = open_page({**query, "cust_p_c": "2.5"})  # a bound slider's value is in the link as it is
    assert shared.text_input(key="cust_f").value == "c**2*log(1 + (r/c)**2)"
    assert shared.slider(key="cust_p_c").value == 2.5
    assert metrics(shared)["your loss"] == _cost("c**2*log(1 + (r/c)**2)", "c = 1 in [0.1, 5]", c=2.5)
    assert not shared.warning


def test_redeclaring_a_parameter_narrower_puts_its_slider_back_in_range():
    at = open_page()
    at.text_input(key="cust_params").set_value("c = 1 in [0.1, 5]").run()
    at.text_input(key="cust_f").set_value("c**2*log(1 + (r/c)**2)").run()
    at.slider(key="cust_p_c").set_value(4.0).run()
    at.text_input(key="cust_params").set_value("c = 0.5 in [0.1, 1]").run()  # 4 is outside it now
    assert not at.exception
    assert at.slider(key="cust_p_c").value == 0.5
    assert metrics(at)["your loss"] == _cost("c**2*log(1 + (r/c)**2)", "c = 0.5 in [0.1, 1]", c=0.5)


def _two_boxes_in_a_sidebar() -> None:
    """A page as an explorer would call ui.own_loss: in the sidebar, twice under different prefixes."""
    import streamlit as st

    from ui import kit, own_loss

    page = kit.Page("t")
    with st.sidebar:
        first = own_loss.controls(page, "regression")
        second = own_loss.controls(page, "binary", prefix="two_", default="softplus(-(2*y - 1)*s)")
    st.text(f"{first.source if first else None} | {second.source if second else None}")
    st.text(f"{second.y_pred if second else None}")
    page.done()


def test_the_box_works_in_a_sidebar_under_page_scoped_names():
    at = AppTest.from_function(_two_boxes_in_a_sidebar, default_timeout=30)
    at.query_params["t_own_f"] = "abs(r)**1.5"
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    assert {t.key for t in at.sidebar.text_input} == {"t_own_f", "t_own_params", "t_two_f", "t_two_params"}
    assert at.sidebar.segmented_control(key="t_two_labels").value == "01"  # a binary box offers the labels
    assert at.text[0].value == "abs(r)**1.5 | softplus(-(2*y - 1)*s)"
    assert at.text[1].value == "logits"
    at.sidebar.text_input(key="t_own_f").set_value("log(").run()
    assert not at.exception and "Not a usable formula" in at.sidebar.error[0].value
    assert at.text[0].value == "None | softplus(-(2*y - 1)*s)"
    at.sidebar.text_input(key="t_own_params").set_value("c = 2 in [1, 3]").run()
    at.sidebar.text_input(key="t_own_f").set_value("c*abs(r)").run()
    assert at.sidebar.slider(key="t_own_p_c").value == 2.0
    assert at.query_params["t_own_f"] in ("c*abs(r)", ["c*abs(r)"])
