"""Binary classification explorer: drag each sample's score, watch hinge, cross-entropy and friends respond.

Load the scene → controls → compute → render. The losses against the margin are the registry's (``losses.
names(page="binary")``); cross-entropy is always shown, on p and on s; the numbers come from
``scenes.binary`` (the core's), figures from ``charts.classification``, controls and metrics from ``ui.kit``.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import streamlit as st

import losses
from charts import classification as charts
from charts.style import color_of
from charts.style import format_metric as _fmt
from components.drag_points import drag_points, get_drag_values, reset_drag_points
from scenes import binary as sc
from scenes import live
from scenes.own import NAME, TITLE
from ui import kit, own_loss, present

CROSS_ENTROPY = ("binary_cross_entropy", "sigmoid_cross_entropy")  # always shown: the page's second chart
OPTIONS = [n for n in losses.names(page="binary") if n not in CROSS_ENTROPY]
TITLES = {n: losses.get(n).short for n in losses.names(page="binary")} | {"zero_one": "error rate (0-1)"}
TITLES[NAME] = TITLE  # the user's own loss (the sidebar's "Your own loss")
S_KEY, P_KEY = "bin_s", "bin_p"  # drag widgets: scores, or probabilities
LIVE_KEYS = {k: f"bin_{k}" for k in ("metrics_row", "margin", "margin_slope", "bce", "sce")}  # drag previews
M_LIMIT = 6.5  # margin axis: scores are in ±6
LOSS_TOP, SLOPE_BOTTOM, CE_TOP = 6.0, -4.5, 6.5  # fixed axes, so a drag moves the points, not the scale

state = st.session_state
page = kit.Page("bin")

# ---- load the scene: from the link on the first visit; as it was left on a return ---------------------
if page.first:
    try:
        n = int(page.url("n") or sc.N_DEFAULT)
        n = n if sc.N_MIN <= n <= sc.N_MAX else sc.N_DEFAULT
    except ValueError:
        n = sc.N_DEFAULT
    state.bin_base, warnings = sc.parse_scores(page.url("scores"), n)
    page.warn(warnings)
elif page.returned:
    state.bin_base = state.get("bin_last")


def _reset_scores() -> None:
    state.bin_base = state.bin_last = None
    reset_drag_points(S_KEY)
    reset_drag_points(P_KEY)


def _rebase() -> None:
    """Switching between the score and probability axes: both widgets start from the current scores."""
    state.bin_base = state.get("bin_last")
    reset_drag_points(S_KEY)
    reset_drag_points(P_KEY)


# ---- controls ---------------------------------------------------------------------------------------
st.title("Binary classification losses")
st.caption(
    "Each sample has a label (rain or no rain) and a classifier score s. Drag a score (or focus it and "
    "use the arrow keys) and watch hinge, cross-entropy and the other losses respond."
)
with st.sidebar:
    st.subheader("Scene")
    page.slider("n", "Samples", sc.N_MIN, sc.N_MAX, sc.N_DEFAULT, on_change=_reset_scores)
    page.slider("seed", "Seed", 0, sc.SEED_MAX, 0, on_change=_reset_scores)  # not a number_input: ?seed=inf
    as_prob = page.toggle("prob", "Drag probabilities p = σ(s)", on_change=_rebase)
    convention = page.choice("labels", "Labels given as", sc.CONVENTIONS, sc.CONVENTIONS[0],
                             help="Cross-entropy wants 0/1; hinge-type losses want -1/+1 and read 0 as -1.")
    st.button("Reset scores", key="bin_reset_scores", on_click=_reset_scores, width="stretch")
    page.reset_button(then=_reset_scores)
    st.subheader("Losses")
    selected = page.loss_select("losses", "Against the margin", OPTIONS, OPTIONS) or ["hinge"]
    PARAMS = page.param_controls(selected)
    own, selected, PARAMS = own_loss.on_explorer(page, "binary", selected, PARAMS)
page.warnings_here()

scene = sc.Scene(int(state.get("bin_n", sc.N_DEFAULT)), int(state.get("bin_seed", 0)))
labels01 = scene.labels01()
y_given = sc.in_convention(labels01, convention)  # what the scene hands to every loss
names = scene.names()


def _params(name: str) -> tuple:
    return tuple(sorted(PARAMS.get(name, {}).items()))


margin_curve = st.cache_data(max_entries=256, show_spinner=False)(sc.margin_curve)
splits = st.cache_data(max_entries=256, show_spinner=False)(sc.splits_by_label)
gradients = st.cache_data(max_entries=8, show_spinner=False)(sc.sigmoid_gradients)
ce_curves = st.cache_data(max_entries=8, show_spinner=False)(sc.cross_entropy_curves)


@st.cache_data(max_entries=64, show_spinner=False)
def preview(params: tuple, labels: tuple, scores: tuple, as_prob: bool, marked: tuple, names: tuple,
            presenting: bool, own) -> dict:  # fmt: skip
    """What the drag chart needs to draw the samples on the four curves and move them, and the totals."""
    return live.binary({n: dict(p) for n, p in params}, labels, scores, as_prob=as_prob, keys=LIVE_KEYS,
                       marked=marked, labels_shown=names, color=color_of,
                       scale=kit.PRESENTER_SCALE if presenting else 1.0, own=own).data()  # fmt: skip


def _margin_chart(lines, y_title: str, y_range, key: str, x_range) -> None:
    fig = charts.curves(lines, x_title="margin m = t·s", y_title=y_title, x_range=x_range,
                        y_range=y_range, wrong_below=0.0, height=440, margin_at=1.0, hover_x="m")
    kit.plotly(fig, key)


# ---- the scene, totals and curves: one fragment, so a drag reruns only this --------------------------
@st.fragment
def explorer() -> None:
    shown = [*CROSS_ENTROPY, *selected]
    base = state.bin_base
    if base is None or len(base) != scene.n:
        base = list(scene.default_scores())
    colors = [color_of(f"label_{int(v)}") for v in labels01]
    ticks = [{"value": i + 1, "label": str(i + 1)} for i in range(scene.n)]
    common = {"targets": [], "connect": "none", "x_range": (0.4, scene.n + 0.6),
              "height": present.height(380), "x_label": "sample", "x_ticks": ticks}  # fmt: skip
    left, right = st.columns([3, 2], gap="medium")
    key = P_KEY if as_prob else S_KEY
    shown_y = [round(float(v), 4) for v in losses.sigmoid(np.array(base))] if as_prob else base
    handles = [{"x": i + 1, "y": v, "label": nm, "color": c}
               for i, (v, nm, c) in enumerate(zip(shown_y, names, colors, strict=True))]  # fmt: skip
    pending = get_drag_values(key)  # the user's move, read before the chart is drawn (for its preview)
    ok = pending is not None and len(pending) == len(base)
    scores = sc.scores_of(pending if ok else shown_y, shown_y, base, as_prob)
    live = preview(tuple((n, _params(n)) for n in shown), tuple(y_given), tuple(scores), as_prob,
                   tuple(selected), tuple(names), kit.presenting(), own)  # fmt: skip
    with left:
        axis = dict(y_range=sc.P_RANGE, step=0.01, y_label="probability of rain p = σ(s)") if as_prob else \
            dict(y_range=sc.S_RANGE, step=0.1, y_label="score s (logit)")  # fmt: skip
        dragged = drag_points(key=key, handles=handles, live=live, **axis, **common)
        if dragged != pending:  # the widget started again from Python's handles
            scores = sc.scores_of(dragged, shown_y, base, as_prob)
        rule = "p > 0.5" if as_prob else "s > 0"
        st.caption(f":orange[**Orange: rain**] (label 1), :blue[**blue: no rain**] (label 0). A sample is "
                   f"classified as rain when {rule}. Drag a handle, or focus it (Tab) and use ↑/↓ "
                   "(Shift: ×10).")  # fmt: skip
    state.bin_last = scores
    page.sync_url({"scores": sc.format_values(scores) if scores != list(scene.default_scores()) else None})
    s = np.array(scores)

    with right:
        st.markdown("**Totals** (cost = mean over the samples)")
        values, helps = sc.totals(shown, y_given, s, PARAMS, own)
        page.metrics(values, TITLES, helps=helps)
        own_loss.report({n: helps[n] for n, v in values.items() if v == "undefined"})
        st.caption("BCE on p = σ(s), sigmoid CE on s and the logistic loss on the margin are one number "
                   "written three ways.")  # fmt: skip

    m = sc.margins(y_given, s)
    lim = M_LIMIT  # a fixed axis: a drag moves the marks, never the scale (so the charts are not redrawn)
    value_lines, slope_lines, off_chart = [], [], []  # curves only: the drag widget draws the samples on them
    for name in selected:
        title = TITLES[name]
        split = splits(name, _params(name), M_LIMIT, own)  # a curve per label where the label matters (focal)
        for lab in (1, 0) if split else (1,):
            suffix, dash = (f" ({sc.CLASS_NAMES[lab]})", "dot" if lab == 0 else None) if split else ("", None)
            dash = dash or ("dash" if name == NAME else None)  # yours dashed: set apart from the built-ins
            mx, vy, gy = margin_curve(name, _params(name), lab, M_LIMIT, own)
            value_lines.append(charts.Line(mx, vy, title + suffix, name, dash, group=name))
            slope_lines.append(charts.Line(mx, gy, title + suffix, name, dash, group=name))
        per, _ = sc.on_scores(name, y_given, s, own, **PARAMS.get(name, {}))
        off_chart += [f"{title} {v:,.1f} ({nm})" for v, nm in zip(per, names, strict=True) if v > LOSS_TOP]

    st.subheader("Against the margin m = t·s")
    st.caption(sc.MARGIN_NOTE)
    c1, c2 = st.columns(2)
    with c1:
        st.markdown("**Loss ℓ(m)**")
        _margin_chart(value_lines, "loss ℓ", (-0.2, LOSS_TOP), "bin_margin", (-lim, lim))
    with c2:
        st.markdown("**Derivative dℓ/dm: how hard each sample still pushes**")
        _margin_chart(slope_lines, "dℓ/dm", (SLOPE_BOTTOM, 0.5), "bin_margin_slope", (-lim, lim))
    if off_chart:
        st.caption("Above the chart: " + "; ".join(off_chart) + ".")
    st.markdown(sc.margin_note(m))

    st.subheader("Cross-entropy against the probability and the logit")
    p_lines, s_lines = [], []
    for lab in (1, 0):
        px, py, sx, sy = ce_curves(lab, M_LIMIT)
        title = f"t = {lab} ({sc.CLASS_NAMES[lab]})"
        p_lines.append(charts.Line(px, py, title, f"label_{lab}"))
        s_lines.append(charts.Line(sx, sy, title, f"label_{lab}"))
    c1, c2 = st.columns(2)
    with c1:
        st.markdown("**Binary cross-entropy against p = σ(s)**")
        fig = charts.curves(p_lines, x_title="p (probability of rain)", y_title="BCE",
                            x_range=(0.0, 1.0), y_range=(-0.2, CE_TOP), hover_x="p")
        kit.plotly(fig, "bin_bce")
    with c2:
        st.markdown("**Sigmoid cross-entropy against the logit s**")
        fig = charts.curves(s_lines, x_title="logit s", y_title="sigmoid CE",
                            x_range=(-M_LIMIT, M_LIMIT), y_range=(-0.2, CE_TOP), hover_x="s")
        kit.plotly(fig, "bin_sce")
    st.caption(sc.CE_NOTE)

    st.subheader("Label conventions")
    for paragraph in sc.convention_notes(convention, y_given, s, _fmt):
        st.markdown(paragraph)
    st.caption("Either way the numbers above do not change: a convention is a spelling, not a model.")
    table = pd.DataFrame(sc.conventions_table(labels01, y_given, convention, s))
    st.dataframe(table, hide_index=True, key="bin_table",
                 column_config={k: st.column_config.NumberColumn(format="%.4f")
                                for k in ("score s", "p = σ(s)", "margin m", "hinge", "BCE")})  # fmt: skip


explorer()

st.subheader("Why squared error after a sigmoid learns slowly when confidently wrong")
x0 = page.slider("x0", "A rain sample's logit s (negative: confidently wrong)", -8.0, 8.0, -5.0, 0.5)
grid = tuple(np.linspace(-8.0, 8.0, 321).round(4))
ce_grad, sq_grad = gradients(grid)
ce_at, sq_at = (float(v[0]) for v in gradients((float(x0),)))
p0 = float(losses.sigmoid(np.array([x0]))[0])
c1, c2 = st.columns([3, 2], gap="medium")
with c1:
    fig = charts.gradient_comparison(np.array(grid), ce_grad, sq_grad, at=float(x0), ce_at=ce_at,
                                     squared_at=sq_at, x_range=(-8.0, 8.0))
    kit.plotly(fig, "bin_vanishing")
with c2:
    st.metric("p = σ(s)", f"{p0:.4f}")
    st.metric("cross-entropy: dℓ/ds", f"{ce_at:.4f}")
    st.metric("squared error after σ: dℓ/ds", f"{sq_at:.4f}")
    st.markdown(sc.vanishing_note(float(x0), ce_at, sq_at))
st.caption("Cross-entropy's gradient is from the core's sigmoid_cross_entropy. Squared error's is the chain "
           "rule: the core's MSE derivative with respect to p, 2(p − 1), times the sigmoid's derivative "
           "σ(s)(1 − σ(s)) (from losses.sigmoid).")  # fmt: skip

kit.loss_notes([*CROSS_ENTROPY, *(n for n in selected if n in OPTIONS)])
page.done()
