"""Regression explorer: drag predictions, add outliers, watch L1/L2/Huber and friends respond.

Load the scene → controls → compute → render. The losses offered are the registry's (``losses.names(page=
"regression")``), their parameters' sliders come from ``spec.params``; the numbers from ``scenes.regression``
(the core's); the figures from ``charts.regression``; controls, URL and metrics from ``ui.kit``.
"""

from __future__ import annotations

import math

import numpy as np
import streamlit as st

import losses
from charts import regression as charts
from components.drag_points import display_decimals, drag_points, reset_drag_points
from losses.fitting import LineFit, fit_line, fittable
from scenes import regression as sc
from ui import kit

OPTIONS = losses.names(page="regression")
DEFAULT_LOSSES = ["mse", "mae", "huber"]
NAMED_ALPHA = {2.0: "L2", 1.0: "Charbonnier (pseudo-Huber)", 0.0: "Cauchy", -2.0: "Geman-McClure"}
MODES = {"free": "Free points", "line": "Fit a line"}
FREE_KEY, LINE_KEY = "reg_free", "reg_line"  # the drag widgets
ROBUST_CASES = (
    "Special cases: α = 2 → ½(r/c)² (L2); α = 1 → √((r/c)² + 1) − 1 (Charbonnier); α = 0 → log(½(r/c)² + 1) "
    "(Cauchy); α = −2 → 2(r/c)²/((r/c)² + 4) (Geman-McClure); α → −∞ → 1 − exp(−½(r/c)²) (Welsch)."
)

state = st.session_state
page = kit.Page("reg")

# ---- load the scene: from the link on the first visit; as it was left on a return ---------------------
if page.first:
    kind = page.url("scene") or "trend"
    page.warn(sc.check_choice(kind, sc.KINDS, "scene"))
    outliers, w = sc.parse_outliers(page.url("out"))
    try:
        n = int(page.url("n") or sc.N_DEFAULT)
        n = n if sc.N_MIN <= n <= sc.N_MAX else sc.N_DEFAULT
    except ValueError:
        n = sc.N_DEFAULT
    preds, w2 = sc.parse_values(page.url("p"), n + len(outliers), "predictions")
    line, w3 = sc.parse_values(page.url("ends"), 2, "line ends")
    page.warn(w + w2 + w3)
    state.reg_kind, state.reg_outliers = kind if kind in sc.KINDS else "trend", outliers
    state.reg_base_preds, state.reg_base_line = preds, line
elif page.returned:  # the drag widgets start again from where the handles were left
    state.reg_base_preds, state.reg_base_line = state.get("reg_last_free"), state.get("reg_last_line")


def _scene() -> sc.Scene:
    return sc.Scene(state.reg_kind, int(state.get("reg_n", sc.N_DEFAULT)), int(state.get("reg_seed", 0)),
                    tuple(state.reg_outliers))  # fmt: skip


def _reset_predictions() -> None:
    for name in ("reg_base_preds", "reg_base_line", "reg_last_preds", "reg_last_free", "reg_last_line"):
        state[name] = None
    reset_drag_points(FREE_KEY)
    reset_drag_points(LINE_KEY)


def _add_outlier() -> None:
    state.reg_outliers = _scene().with_outlier(float(state.get("reg_mag", sc.MAGNITUDE_DEFAULT))).outliers
    _reset_predictions()


def _remove_outliers() -> None:
    state.reg_outliers = ()
    _reset_predictions()


def _classic(at: float) -> None:
    state.reg_kind, state.reg_outliers, state.reg_mode = "classic", (), MODES["free"]
    preds = _scene().default_predictions()
    preds[len(preds) // 2] = at
    _reset_predictions()
    state.reg_base_preds = sc.quantize(preds)


def _reset_scene() -> None:
    state.reg_kind, state.reg_outliers = "trend", ()
    _reset_predictions()


# ---- controls ---------------------------------------------------------------------------------------
st.title("Regression losses")
st.caption(
    "Drag a prediction (or focus it and use the arrow keys), add an outlier, and watch every loss, "
    "its gradient and each point's share of it respond."
)
with st.sidebar:
    st.subheader("Scene")
    page.slider("n", "Points", sc.N_MIN, sc.N_MAX, sc.N_DEFAULT, on_change=_reset_predictions)
    # a slider, not an int number_input: Streamlit 1.67 crashes on ?seed=inf for the latter
    page.slider("seed", "Seed", 0, sc.SEED_MAX, 0, on_change=_reset_predictions)
    mode_label = page.choice("mode", "Predictions", list(MODES.values()), MODES["free"])
    mode = "line" if mode_label == MODES["line"] else "free"
    page.number("mag", "Outlier magnitude (× the data's spread)", 1.0, 100.0, sc.MAGNITUDE_DEFAULT, step=1.0)
    c1, c2 = st.columns(2)
    c1.button("Add outlier", key="reg_add_outlier", on_click=_add_outlier,
              disabled=len(state.reg_outliers) >= sc.MAX_OUTLIERS, width="stretch")  # fmt: skip
    c2.button("Remove all", key="reg_remove_outliers", help="Remove every outlier", on_click=_remove_outliers,
              disabled=not state.reg_outliers, width="stretch")  # fmt: skip
    st.caption("Textbook example: targets near 1, one prediction far off.")
    c1, c2 = st.columns(2)
    c1.button("One at 10", key="reg_classic_10", on_click=_classic, args=(10.0,), width="stretch")
    c2.button("One at 1000", key="reg_classic_1000", on_click=_classic, args=(1000.0,), width="stretch")
    page.reset_button(then=_reset_scene)
    st.subheader("Losses")
    selected = page.loss_select("losses", "Show", OPTIONS, DEFAULT_LOSSES) or DEFAULT_LOSSES[:1]
    PARAMS = page.param_controls(selected)
    if "general_robust" in selected:
        alpha = PARAMS["general_robust"]["alpha"]
        case = "Welsch" if alpha == -math.inf else NAMED_ALPHA.get(alpha, "")
        st.caption(f"α = {'−∞' if alpha == -math.inf else f'{alpha:g}'}{': ' + case if case else ''}.")
page.warnings_here()

scene = _scene()
x, y = scene.points()
labels = scene.labels()
titles = {n: losses.get(n).short for n in selected}


def _params(name: str) -> tuple:
    return tuple(sorted(PARAMS.get(name, {}).items()))


curve = st.cache_data(max_entries=256, show_spinner=False)(sc.residual_curve)


@st.cache_data(max_entries=256, show_spinner=False)
def _best_line(name: str, xs: tuple, ys: tuple, params: tuple) -> LineFit:
    return fit_line(name, np.array(xs), np.array(ys), **dict(params))


# ---- the scene, totals and charts: one fragment, so a drag reruns only this ----------------------
@st.fragment
def explorer() -> None:
    default_preds = scene.default_predictions()
    base_preds = state.reg_base_preds if state.reg_base_preds is not None else list(default_preds)
    base_line = state.reg_base_line if state.reg_base_line is not None else list(scene.default_line())
    if len(base_preds) != len(x):  # the scene changed under a stale base
        base_preds = list(default_preds)
    last = state.get("reg_last_preds")
    seen = [base_preds] + ([last] if last is not None and len(last) == len(x) else [])
    y_lo, y_hi, step = sc.drag_y_range(y, *seen)
    decimals = display_decimals(step)  # a moved handle is kept to what it shows, so a URL restores it exactly
    lo, hi = sc.X_RANGE
    targets = [{"x": float(a), "y": float(b), "label": lab} for a, b, lab in zip(x, y, labels, strict=True)]
    axes = dict(targets=targets, x_range=(lo, hi), y_range=(y_lo, y_hi), step=step, height=400, x_label="x",
                y_label="y")  # fmt: skip
    left, right = st.columns([2, 1], gap="medium")
    with left:
        if mode == "line":
            handles = [{"x": lo, "y": base_line[0], "label": "line start"},
                       {"x": hi, "y": base_line[1], "label": "line end"}]  # fmt: skip
            dragged = drag_points(key=LINE_KEY, connect="line", handles=handles, **axes)
            ends = sc.snap_moved(dragged, base_line, decimals)
            preds, slope, intercept = sc.line_predictions(x, (ends[0], ends[1]))
            st.caption(f"Your line: ŷ = {slope:.3f}·x + {intercept:.3f}. Drag its ends, or focus one and use "
                       "↑/↓.")  # fmt: skip
            state.reg_last_line = ends
            moved_line = ends != list(scene.default_line())
            page.sync_url({"p": None, "ends": sc.format_values(ends) if moved_line else None})
        else:
            handles = [{"x": float(a), "y": float(b), "label": f"prediction {i + 1}"}
                       for i, (a, b) in enumerate(zip(x, base_preds, strict=True))]  # fmt: skip
            moved = drag_points(key=FREE_KEY, connect="residuals", handles=handles, **axes)
            preds = np.array(sc.snap_moved(moved, base_preds, decimals))
            st.caption("Hollow circles are the targets y; filled handles are the predictions ŷ. "
                       "Drag a handle, or focus it (Tab) and use ↑/↓ (Shift: ×10).")  # fmt: skip
            state.reg_last_free = list(preds)
            changed = list(preds) != list(default_preds)
            page.sync_url({"p": sc.format_values(preds) if changed else None, "ends": None})
    state.reg_last_preds = list(preds)
    page.sync_url({"scene": None if scene.kind == "trend" else scene.kind,
                   "out": sc.format_outliers(scene.outliers) or None})  # fmt: skip

    ev = sc.evaluate(selected, y, preds, PARAMS)
    with right:
        st.markdown("**Totals** (cost = mean over the points)")
        page.metrics({n: "undefined" if c is None else c for n, c in ev.costs.items()}, titles,
                     helps={n: "Not defined here: MSLE takes log(1 + value), and a target or prediction is "
                            "≤ −1." for n, c in ev.costs.items() if c is None})  # fmt: skip

    if mode == "line":
        fitted = {n: _best_line(n, tuple(x), tuple(y), _params(n)) for n in selected if fittable(n)}
        unsure = [titles[n] for n, f in fitted.items() if not f.converged]
        if unsure:
            st.warning(f"The fit under {', '.join(unsure)} stopped before it converged: its line is the best "
                       "found, not certainly the best there is (a non-convex loss can have several minima).")
        st.markdown("**The line each loss would choose**")
        lines = {n: (f.slope, f.intercept) for n, f in fitted.items()}
        kit.plotly(charts.best_lines(x, y, labels, lines, titles, user_line=(slope, intercept),
                                     x_range=(lo, hi), y_range=(y_lo, y_hi)), "reg_best_lines")  # fmt: skip
        st.caption("L2 in closed form; L1 and quantile exactly (the best line through two points); the "
                   "others by reweighted least squares refined by Newton steps.")  # fmt: skip

    share = {n: sc.shares(v) for n, v in ev.per_sample.items()}
    st.markdown("**Each point's share of the total**")
    kit.plotly(charts.share_bars(labels, share, titles), "reg_shares")
    st.markdown(sc.share_sentence(labels, share, titles), help="Computed from the per-point losses above.")

    resid = preds - y
    r_max = sc.nice_ceiling(max(3.0, 1.15 * float(np.abs(resid).max())))
    drawn = [n for n in selected if sc.on_residual_axis(n) and n in ev.per_sample]
    c1, c2 = st.columns(2)
    with c1:
        st.markdown("**Loss against the residual r = ŷ − y**")
        kit.plotly(charts.curves_with_points({n: curve(n, _params(n), r_max, "value") for n in drawn},
                                             {n: (resid, ev.per_sample[n]) for n in drawn}, titles,
                                             point_labels=labels, x_title="residual r", y_title="loss ℓ(r)"),
                   "reg_curves")  # fmt: skip
    with c2:
        st.markdown("**Influence: the derivative dℓ/dŷ**")
        kit.plotly(charts.curves_with_points({n: curve(n, _params(n), r_max, "slope") for n in drawn},
                                             {n: (resid, ev.derivative[n]) for n in drawn}, titles,
                                             point_labels=labels, x_title="residual r", y_title="dℓ/dŷ"),
                   "reg_influence")  # fmt: skip
    left_out = [sc.why_not_on_residual_axis(n) for n in selected if not sc.on_residual_axis(n)]
    if left_out:
        st.caption(f"Not drawn against the residual: {'; '.join(left_out)}.")
    st.caption("Huber's and pseudo-Huber's influence levels off at ±δ, log-cosh's at ±1: a far point pulls "
               "no harder than a near one. L2's grows without bound.")  # fmt: skip


explorer()
kit.loss_notes(selected, expanded=len(selected) <= 3, extra={"general_robust": ROBUST_CASES})
page.done()
