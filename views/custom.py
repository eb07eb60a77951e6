"""Your own loss: type a formula, see its curve and derivative beside the built-ins, its cost and properties.

Controls (the formula box: ``ui.own_loss``, shared with the Score page) → numbers on the explorers' default
scenes (``scenes.custom``) → charts. The formula, its parameters and every choice are in the link, so a
link shares the loss; a formula in a link that cannot be used is reported and the default shown.
"""

from __future__ import annotations

import numpy as np
import streamlit as st

import losses
from charts import classification as ccharts
from charts import regression as rcharts
from losses.custom import check_properties
from scenes import binary as bsc
from scenes import custom as sc
from scenes import regression as rsc
from scenes.text import plain
from ui import kit, own_loss

page = kit.Page("cust")
M_LIMIT = 6.5  # the binary page's margin axis


def _new_kind() -> None:
    kind = st.session_state[page.key("kind")] or "regression"
    own_loss.set_formula(page, sc.DEFAULT_FORMULA[kind], prefix="")


# ---- controls ---------------------------------------------------------------------------------------
st.title("Your own loss")
st.caption("Type a loss as a formula. It is parsed safely (never run as Python), differentiated "
           "symbolically, and drawn and scored beside the built-in losses.")  # fmt: skip
with st.sidebar:
    st.subheader("Your loss")
    kind = page.choice("kind", "Kind", list(sc.KIND_LABELS), "regression", format_func=sc.KIND_LABELS.get,
                       on_change=_new_kind)  # fmt: skip
    st.subheader("Beside")
    compare = page.loss_select(f"cmp_{kind}", "Built-in losses", sc.options(kind), sc.COMPARE[kind])
    PARAMS = page.param_controls(compare)
    page.reset_button()
page.warnings_here()

# the box's names are the page's own (cust_f, cust_params, cust_labels, cust_p_<name>), as links have them
spec = own_loss.controls(page, kind, prefix="", name="yours", default=sc.DEFAULT_FORMULA[kind],
                         label="Formula")  # fmt: skip
with st.container(horizontal=True, vertical_alignment="center", key="cust_examples"):
    st.caption("Try:", width="content")
    for i, (title, f, lab, decl) in enumerate(sc.EXAMPLES[kind]):
        st.button(title, key=f"cust_ex_{kind}_{i}", on_click=own_loss.set_formula, args=(page, f, decl, lab),
                  kwargs={"prefix": ""}, type="tertiary")  # fmt: skip
if spec is None:
    page.done()
    st.stop()

st.success(f"A {sc.KIND_LABELS[kind]} loss; the prediction it takes is {losses.KINDS[spec.y_pred]}.",
           icon=":material/check_circle:")  # fmt: skip
kw = spec.defaults()  # the sliders' values
params = tuple(sorted(kw.items()))
titles = {sc.STYLE: "your loss", **{n: losses.get(n).short for n in compare}}

# ---- its numbers on the explorer's default scene --------------------------------------------------------
numbers = sc.ON_SCENE[kind](spec, kw, compare, PARAMS)
st.markdown(f"**Cost on {sc.SCENE_NAMES[kind]}** (the mean over its points)")
page.metrics({n: "undefined" if c is None else c for n, c in numbers.costs.items()}, titles,
             helps={sc.STYLE: numbers.why or spec.summary})  # fmt: skip
if numbers.why:
    st.warning(plain(numbers.why))


def _builtin(name: str) -> tuple:
    return tuple(sorted(PARAMS.get(name, {}).items()))


def _points(ys: np.ndarray) -> np.ndarray:
    """A scene's points on a curve: NaN (not drawn) where the loss is undefined."""
    return np.where(np.isfinite(ys), ys, np.nan)


# ---- curves beside the built-ins -----------------------------------------------------------------------
c1, c2 = st.columns(2)
if kind == "regression":
    r_max = rsc.nice_ceiling(max(3.0, 1.15 * float(np.nanmax(np.abs(numbers.x)))))
    for col, what, y_title, key in ((c1, "value", "loss ℓ(r)", "cust_curve"),
                                    (c2, "slope", "dℓ/dŷ", "cust_slope")):  # fmt: skip
        curves = {sc.STYLE: sc.residual_curve(spec, params, r_max, what)}
        curves |= {n: rsc.residual_curve(n, _builtin(n), r_max, what) for n in compare}
        pts = numbers.values if what == "value" else numbers.slopes
        with col:
            st.markdown("**Loss against the residual r = ŷ − y**" if what == "value" else
                        "**Influence: the derivative dℓ/dŷ**")  # fmt: skip
            marks = {n: (numbers.x, _points(v)) for n, v in pts.items()}
            kit.plotly(rcharts.curves_with_points(curves, marks, titles, point_labels=numbers.names,
                                                  x_title="residual r", y_title=y_title), key)  # fmt: skip
    if {"y", "yhat"} & {s.name for s in spec.expression.free_symbols}:
        st.caption("Your formula uses y or ŷ itself, not only r: its curve is drawn for y = 0, so the "
                   "scene's points need not lie on it.")  # fmt: skip
elif kind == "binary":
    value_lines, slope_lines = [], []
    split = sc.splits_by_label(spec, params, M_LIMIT)
    for lab in (1, 0) if split else (1,):
        suffix, dash = (f" ({bsc.CLASS_NAMES[lab]})", "dot" if lab == 0 else None) if split else ("", None)
        m, v, g = sc.margin_curve(spec, params, lab, M_LIMIT)
        value_lines.append(ccharts.Line(m, v, titles[sc.STYLE] + suffix, sc.STYLE, dash, group=sc.STYLE))
        slope_lines.append(ccharts.Line(m, g, titles[sc.STYLE] + suffix, sc.STYLE, dash, group=sc.STYLE))
    for n in compare:
        m, v, g = bsc.margin_curve(n, _builtin(n), 1, M_LIMIT)
        value_lines.append(ccharts.Line(m, v, titles[n], n, group=n))
        slope_lines.append(ccharts.Line(m, g, titles[n], n, group=n))
    wrong = numbers.x <= 0
    for col, lines, pts, y_title, key in ((c1, value_lines, numbers.values, "loss ℓ", "cust_margin"),
                                          (c2, slope_lines, numbers.slopes, "dℓ/dm",
                                           "cust_margin_slope")):  # fmt: skip
        marks = [ccharts.Marks(numbers.x, _points(v), numbers.names, n, wrong, group=n, title=titles[n])
                 for n, v in pts.items()]  # fmt: skip
        top = float(np.nanmax([np.nanmax(ln.y) for ln in lines]))
        y_range = (-0.2, min(6.0, max(1.0, top))) if key == "cust_margin" else None
        with col:
            st.markdown("**Loss against the margin m = t·s**" if key == "cust_margin" else
                        "**Derivative dℓ/dm**")  # fmt: skip
            kit.plotly(ccharts.curves(lines, marks, x_title="margin m = t·s", y_title=y_title,
                                      x_range=(-M_LIMIT, M_LIMIT), y_range=y_range, wrong_below=0.0,
                                      margin_at=1.0, hover_x="m"), key)  # fmt: skip
    st.caption("t = +1 for rain, −1 for no rain; crosses are misclassified samples (m ≤ 0, shaded). "
               "Built-ins are drawn for a rain sample." + (" Your loss depends on the label too: one curve "
                                                           "per label." if split else ""))  # fmt: skip
else:
    value_lines, slope_lines = [], []
    for name in (sc.STYLE, *compare):
        p, v, g = (sc.probability_curve(spec, params) if name == sc.STYLE else
                   sc.builtin_probability_curve(name))  # fmt: skip
        value_lines.append(ccharts.Line(p, v, titles[name], name, group=name))
        slope_lines.append(ccharts.Line(p, g, titles[name], name, group=name))
    for col, lines, pts, y_title, key in ((c1, value_lines, numbers.values, "loss ℓ", "cust_p"),
                                          (c2, slope_lines, numbers.slopes, "dℓ/dp", "cust_p_slope")):
        marks = [ccharts.Marks(numbers.x, _points(v), numbers.names, n, group=n, title=titles[n])
                 for n, v in pts.items()]  # fmt: skip
        with col:
            st.markdown(f"**{'Loss' if key == 'cust_p' else 'Derivative'} against p, the true class's "
                        "probability**")  # fmt: skip
            y_range = (-0.2, 6.0) if key == "cust_p" else (-10.0, 1.0)
            kit.plotly(ccharts.curves(lines, marks, x_title="p (true class)", y_title=y_title, x_range=(0, 1),
                                      y_range=y_range, hover_x="p"), key)  # fmt: skip

# ---- properties, checked numerically ---------------------------------------------------------------------
st.subheader("Its properties, checked on a grid")
limit = r_max if kind == "regression" else M_LIMIT if kind == "binary" else None
checks = check_properties(spec, kw, limit=None if limit is None else min(limit, 50.0))
icon = {True: ":material/check:", False: ":material/close:", None: ":material/help:"}
for check in checks:
    st.markdown(f"{icon[check.holds]} **{check.name.capitalize()}:** {plain(check.detail)}")
st.caption("Checked numerically at the current parameters on the plotted range (not proved): a loss can "
           "behave differently beyond it.")  # fmt: skip
page.done()
