"""Binary classification explorer: drag each sample's score, watch hinge, cross-entropy and friends respond.

Thin page: widgets and state here; numbers from ``losses``; the scene from ``scenes.binary``; figures from
``charts.classification``; the drag widget from ``components.drag_points``.
"""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import streamlit as st

import losses
from charts import classification as charts
from charts.style import color_of
from charts.style import format_metric as _fmt
from components.drag_points import drag_points, reset_drag_points
from losses.binary import sigmoid
from scenes import binary as sc
from scenes.text import quote

MARGIN_LOSSES = [
    "zero_one",
    "hinge",
    "squared_hinge",
    "logistic",
    "exponential",
    "modified_huber",
    "binary_focal",
]
# Short labels: metric titles, legends, and the multiselect's options (so also its URL values).
SHORT = {
    "zero_one": "0-1",
    "hinge": "hinge",
    "squared_hinge": "squared hinge",
    "logistic": "logistic",
    "exponential": "exponential",
    "modified_huber": "modified Huber",
    "binary_focal": "focal",
    "binary_cross_entropy": "BCE on p",
    "sigmoid_cross_entropy": "sigmoid CE on s",
}
NEEDS_01 = ("binary_cross_entropy", "sigmoid_cross_entropy", "binary_focal")  # y_true kind labels01
S_KEY, P_KEY = "bin_s", "bin_p"  # drag widgets: scores, or probabilities
Q_SCORES = "s"  # URL key of the scores (the controls' keys are bound by Streamlit itself)
M_LIMIT = 6.5  # margin axis: scores are in ±6
X0_DEFAULT = -5.0
LOSS_TOP, SLOPE_BOTTOM = 6.0, -4.5  # fixed axes, so a drag moves the points, not the scale
FOCAL = losses.get("binary_focal")

state = st.session_state


# ---- URL → state (once per visit), with warnings for anything unusable -------------------------------
def _load_from_url() -> None:
    q = st.query_params
    warn: list[str] = []
    warn += sc.check_int(q.get("n"), sc.N_MIN, sc.N_MAX, "number of samples")
    warn += sc.check_int(q.get("seed"), 0, sc.SEED_MAX, "seed")
    warn += sc.check_choice(q.get("labels"), sc.CONVENTIONS, "label convention")
    warn += sc.check_choice(q.get("prob"), ("true", "false"), "probability toggle")
    warn += sc.check_float(q.get("gamma"), 0.0, 5.0, "focal γ")
    warn += sc.check_float(q.get("alpha"), 0.0, 1.0, "focal α")
    warn += sc.check_float(q.get("x0"), -8.0, 8.0, "chosen logit")
    bad = [v for v in q.get_all("losses") if v not in SHORT.values()]  # the URL holds the labels
    if bad:
        warn.append(f"The link names unknown losses ({', '.join(map(quote, bad[:3]))}); they are ignored.")
    try:
        n = int(q.get("n", sc.N_DEFAULT))
        n = n if sc.N_MIN <= n <= sc.N_MAX else sc.N_DEFAULT
    except ValueError:
        n = sc.N_DEFAULT
    scores, w = sc.parse_scores(q.get(Q_SCORES), n)
    state.bin_base = scores
    state.bin_warnings = warn + w


if "bin_base" not in state:
    _load_from_url()


def _scene() -> sc.Scene:
    return sc.Scene(int(state.get("n", sc.N_DEFAULT)), int(state.get("seed", 0)))


# ---- callbacks --------------------------------------------------------------------------------------
def _reset_scores() -> None:
    state.bin_base = None
    state.pop("bin_last", None)
    reset_drag_points(S_KEY)
    reset_drag_points(P_KEY)


def _rebase() -> None:
    """Switching between the score and probability axes: both widgets start from the current scores."""
    last = state.get("bin_last")
    state.bin_base = list(last) if last is not None else None
    reset_drag_points(S_KEY)
    reset_drag_points(P_KEY)


def _reset_all() -> None:
    # set, not pop: a popped bound widget would read its old value back from the URL
    defaults = {
        "n": sc.N_DEFAULT,
        "seed": 0,
        "prob": False,
        "labels": sc.CONVENTIONS[0],
        "losses": list(MARGIN_LOSSES),
        "gamma": FOCAL.param("gamma").default,
        "alpha": FOCAL.param("alpha").default,
        "x0": X0_DEFAULT,
    }
    for key, value in defaults.items():
        state[key] = value
    _reset_scores()
    state.bin_warnings = []


# ---- controls -----------------------------------------------------------------------------------------
st.title("Binary classification losses")
st.caption(
    "Each sample has a label (rain or no rain) and a classifier score s. Drag a score (or focus it and "
    "use the arrow keys) and watch hinge, cross-entropy and the other losses respond."
)
for message in state.get("bin_warnings", []):
    st.warning(message)

with st.sidebar:
    st.subheader("Scene")
    st.slider(
        "Samples", sc.N_MIN, sc.N_MAX, sc.N_DEFAULT, key="n", bind="query-params", on_change=_reset_scores
    )
    # a slider, not an int number_input: Streamlit 1.67 crashes on ?seed=inf for the latter
    st.slider("Seed", 0, sc.SEED_MAX, 0, key="seed", bind="query-params", on_change=_reset_scores)
    as_prob = st.toggle("Drag probabilities p = σ(s)", key="prob", bind="query-params", on_change=_rebase)
    convention = (
        st.segmented_control(
            "Labels given as",
            sc.CONVENTIONS,
            default=sc.CONVENTIONS[0],
            key="labels",
            bind="query-params",
            help="Cross-entropy wants 0/1; hinge-type losses want -1/+1 and read 0 as -1.",
        )
        or sc.CONVENTIONS[0]
    )
    st.button("Reset scores", key="bin_reset_scores", on_click=_reset_scores, width="stretch")
    st.button(
        "Reset everything",
        key="bin_reset",
        on_click=_reset_all,
        icon=":material/restart_alt:",
        width="stretch",
    )

    st.subheader("Losses")
    selected = st.multiselect(
        "Against the margin",
        MARGIN_LOSSES,
        default=MARGIN_LOSSES,
        key="losses",
        bind="query-params",
        format_func=SHORT.get,
    ) or ["hinge"]
    gamma_p, alpha_p = FOCAL.param("gamma"), FOCAL.param("alpha")
    gamma = st.slider("γ (focal)", 0.0, 5.0, gamma_p.default, 0.5, key="gamma", bind="query-params")
    alpha = st.slider("α (focal)", 0.0, 1.0, alpha_p.default, 0.05, key="alpha", bind="query-params")

PARAMS = {"binary_focal": {"gamma": float(gamma), "alpha": float(alpha)}}
scene = _scene()
labels01 = scene.labels01()
y_given = sc.in_convention(labels01, convention)  # what the scene hands to every loss
y01 = sc.as_01(y_given)  # what cross-entropy and focal need (-1 → 0)
names = scene.names()


def _y_for(name: str) -> np.ndarray:
    """The labels a loss receives: as given, or mapped -1 → 0 for the 0/1-only losses."""
    return y01 if name in NEEDS_01 else y_given


def _params(name: str) -> tuple:
    return tuple(sorted(PARAMS.get(name, {}).items()))


def _cost(name: str, scores: np.ndarray) -> float:
    spec = losses.get(name)
    pred = sigmoid(scores) if name == "binary_cross_entropy" else scores
    return spec.cost(_y_for(name), pred, **PARAMS.get(name, {}))


# ---- cached pure computations ---------------------------------------------------------------------
@st.cache_data(max_entries=256, show_spinner=False)
def _margin_curve(name: str, params: tuple, kind: str, label01: int) -> tuple[np.ndarray, np.ndarray]:
    """Loss (or dℓ/dm) against the margin m for a sample of label ``label01``: m = t·s, so s = t·m."""
    spec = losses.get(name)
    m = np.linspace(-M_LIMIT, M_LIMIT, 521)
    t_pm = 1.0 if label01 == 1 else -1.0
    y = np.full_like(m, float(label01) if name in NEEDS_01 else t_pm)
    s = t_pm * m
    if kind == "value":
        return m, spec.per_sample(y, s, **dict(params))
    return m, t_pm * spec.per_sample_derivative(y, s, **dict(params))  # dℓ/dm = t · dℓ/ds


@st.cache_data(max_entries=64, show_spinner=False)
def _ce_curves(label01: int) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """BCE against p and sigmoid cross-entropy against the logit s, for one label."""
    p = np.linspace(0.001, 0.999, 500)
    s = np.linspace(-M_LIMIT, M_LIMIT, 521)
    bce = losses.get("binary_cross_entropy").per_sample(np.full_like(p, label01), p)
    sce = losses.get("sigmoid_cross_entropy").per_sample(np.full_like(s, label01), s)
    return p, bce, s, sce


@st.cache_data(max_entries=8, show_spinner=False)
def _gradients(s: tuple[float, ...]) -> tuple[np.ndarray, np.ndarray]:
    """dℓ/ds for a positive sample: cross-entropy on the logit, and squared error after the sigmoid.

    The second by the chain rule: the core's MSE derivative with respect to p, times dp/ds = σ(s)(1 - σ(s)).
    """
    x = np.asarray(s, dtype=float)
    ones = np.ones_like(x)
    ce = losses.get("sigmoid_cross_entropy").per_sample_derivative(ones, x)
    p = sigmoid(x)
    squared = losses.get("mse").per_sample_derivative(ones, p) * (p * (1.0 - p))
    return ce, squared


def _sync_url(scores: list[float]) -> None:
    q = st.query_params
    value = sc.format_values(scores) if scores != list(scene.default_scores()) else None
    if value is None:
        q.pop(Q_SCORES, None)
    elif q.get(Q_SCORES) != value:
        q[Q_SCORES] = value


# ---- the scene, totals and curves: one fragment, so a drag reruns only this --------------------------
@st.fragment
def explorer() -> None:
    default = list(scene.default_scores())
    base = state.bin_base if state.bin_base is not None and len(state.bin_base) == scene.n else default
    colors = [color_of(f"label_{int(v)}") for v in labels01]
    ticks = [{"value": i + 1, "label": str(i + 1)} for i in range(scene.n)]
    common = {
        "targets": [],
        "connect": "none",
        "x_range": (0.4, scene.n + 0.6),
        "height": 380,
        "x_label": "sample",
        "x_ticks": ticks,
    }
    left, right = st.columns([3, 2], gap="medium")
    with left:
        if as_prob:
            handle_p = [round(float(v), 4) for v in sigmoid(np.array(base))]
            dragged = drag_points(
                key=P_KEY,
                handles=[
                    {"x": i + 1, "y": p, "label": nm, "color": c}
                    for i, (p, nm, c) in enumerate(zip(handle_p, names, colors, strict=True))
                ],
                y_range=sc.P_RANGE,
                step=0.01,
                y_label="probability of rain p = σ(s)",
                **common,
            )
            # untouched handles keep their exact score; a moved one becomes the score of its probability
            scores = [
                b if v == h else sc.quantize([sc.logit(v)])[0]
                for v, h, b in zip(dragged, handle_p, base, strict=True)
            ]
        else:
            scores = sc.quantize(
                drag_points(
                    key=S_KEY,
                    handles=[
                        {"x": i + 1, "y": s, "label": nm, "color": c}
                        for i, (s, nm, c) in enumerate(zip(base, names, colors, strict=True))
                    ],
                    y_range=sc.S_RANGE,
                    step=0.1,
                    y_label="score s (logit)",
                    **common,
                )
            )
        st.caption(
            ":orange[**Orange: rain**] (label 1), :blue[**blue: no rain**] (label 0). "
            + (
                "A sample is classified as rain when p > 0.5. "
                if as_prob
                else "A sample is classified as rain when s > 0. "
            )
            + "Drag a handle, or focus it (Tab) and use ↑/↓ (Shift: ×10)."
        )
    state.bin_last = scores
    _sync_url(scores)
    s = np.array(scores)

    shown = ["binary_cross_entropy", "sigmoid_cross_entropy", *[n for n in MARGIN_LOSSES if n in selected]]
    costs = {n: _cost(n, s) for n in shown}
    prev = state.get("bin_costs", {})
    deltas = state.get("bin_deltas", {})
    if prev and any(prev.get(n) != costs[n] for n in costs):
        deltas = {n: costs[n] - prev[n] if n in prev else None for n in costs}
    state.bin_costs, state.bin_deltas = costs, deltas
    with right:
        st.markdown("**Totals** (cost = mean over the samples)")
        cols = st.columns(2)
        for i, name in enumerate(shown):
            d = deltas.get(name)
            title = "error rate (0-1)" if name == "zero_one" else SHORT[name]
            with cols[i % 2]:
                st.metric(
                    title,
                    _fmt(costs[name]),
                    delta=None if not d else _fmt(d),
                    delta_color="inverse",
                    help=losses.get(name).summary,
                )
        st.caption(
            "BCE on p = σ(s), sigmoid CE on s and the logistic loss on the margin are one number "
            "written three ways."
        )

    m = sc.margins(y_given, s)
    wrong = m <= 0
    lim = min(M_LIMIT, max(3.0, math.ceil(float(np.abs(m).max())) + 0.5))
    x_range = (-lim, lim)
    value_lines, slope_lines, value_marks, slope_marks = [], [], [], []
    for name in [n for n in MARGIN_LOSSES if n in selected]:
        kw = _params(name)
        spec = losses.get(name)
        per = spec.per_sample(_y_for(name), s, **PARAMS.get(name, {}))
        slope = sc.as_pm1(y_given) * spec.per_sample_derivative(_y_for(name), s, **PARAMS.get(name, {}))
        # focal weighs the two labels differently (α): one curve per label unless α = ½
        split = name == "binary_focal" and alpha != 0.5
        for lab in (1, 0) if split else (1,):
            suffix = f" ({sc.CLASS_NAMES[lab]})" if split else ""
            dash = "dot" if split and lab == 0 else None
            vx, vy = _margin_curve(name, kw, "value", lab)
            gx, gy = _margin_curve(name, kw, "slope", lab)
            value_lines.append(charts.Line(vx, vy, SHORT[name] + suffix, name, dash, group=name))
            slope_lines.append(charts.Line(gx, gy, SHORT[name] + suffix, name, dash, group=name))
        value_marks.append(charts.Marks(m, per, names, name, wrong, group=name, title=SHORT[name]))
        slope_marks.append(charts.Marks(m, slope, names, name, wrong, group=name, title=SHORT[name]))
    off_chart = [
        f"{SHORT[mk.style]} {mk.y[i]:,.1f} ({mk.names[i]})"
        for mk in value_marks
        for i in range(len(mk.y))
        if mk.y[i] > LOSS_TOP
    ]

    st.subheader("Against the margin m = t·s")
    st.caption(
        "t = +1 for rain and −1 for no rain, so m > 0 means the right side of the boundary and m ≥ 1 "
        "means right with room to spare. Crosses mark misclassified samples (m ≤ 0, shaded); the dotted "
        "line is m = 1."
    )
    c1, c2 = st.columns(2)
    with c1:
        st.markdown("**Loss ℓ(m)**")
        st.plotly_chart(
            charts.curves(
                value_lines,
                value_marks,
                x_title="margin m = t·s",
                y_title="loss ℓ",
                x_range=x_range,
                y_range=(-0.2, LOSS_TOP),
                wrong_below=0.0,
                height=440,
                margin_at=1.0,
                hover_x="m",
            ),
            key="bin_margin",
            config={"displayModeBar": False},
        )
    with c2:
        st.markdown("**Derivative dℓ/dm: how hard each sample still pushes**")
        st.plotly_chart(
            charts.curves(
                slope_lines,
                slope_marks,
                x_title="margin m = t·s",
                y_title="dℓ/dm",
                x_range=x_range,
                y_range=(SLOPE_BOTTOM, 0.5),
                wrong_below=0.0,
                height=440,
                margin_at=1.0,
                hover_x="m",
            ),
            key="bin_margin_slope",
            config={"displayModeBar": False},
        )
    if off_chart:
        st.caption("Above the chart: " + "; ".join(off_chart) + ".")
    past = int(np.sum(m >= 1.0))
    st.markdown(
        f"**{past} of {scene.n}** samples are past the margin (m ≥ 1): hinge and squared hinge give them "
        "zero loss and zero gradient, so they stop moving the classifier. The logistic loss (cross-entropy) "
        "still pushes them a little: its slope −σ(−m) shrinks but never reaches zero. "
        f"**{int(wrong.sum())}** misclassified: the 0-1 loss counts them but its slope is zero, so it "
        "cannot be trained by gradient descent."
    )

    # ---- probability view ------------------------------------------------------------------------------
    st.subheader("Cross-entropy against the probability and the logit")
    p = sigmoid(s)
    bce = losses.get("binary_cross_entropy").per_sample(y01, p)
    sce = losses.get("sigmoid_cross_entropy").per_sample(y01, s)
    p_lines, s_lines = [], []
    for lab in (1, 0):
        px, py, sx, sy = _ce_curves(lab)
        title = f"t = {lab} ({sc.CLASS_NAMES[lab]})"
        p_lines.append(charts.Line(px, py, title, f"label_{lab}"))
        s_lines.append(charts.Line(sx, sy, title, f"label_{lab}"))
    p_marks, s_marks = [], []
    for lab in (1, 0):
        sel = labels01 == lab
        sel_names = [nm for nm, k in zip(names, sel, strict=True) if k]
        p_marks.append(charts.Marks(p[sel], bce[sel], sel_names, f"label_{lab}", wrong[sel], title="BCE"))
        s_marks.append(charts.Marks(s[sel], sce[sel], sel_names, f"label_{lab}", wrong[sel], title="CE"))
    y_ce = 6.5  # BCE of a sample at s = ±6 is about 6
    c1, c2 = st.columns(2)
    with c1:
        st.markdown("**Binary cross-entropy against p = σ(s)**")
        st.plotly_chart(
            charts.curves(
                p_lines,
                p_marks,
                x_title="p (probability of rain)",
                y_title="BCE",
                x_range=(0.0, 1.0),
                y_range=(-0.2, y_ce),
                hover_x="p",
            ),
            key="bin_bce",
            config={"displayModeBar": False},
        )
    with c2:
        st.markdown("**Sigmoid cross-entropy against the logit s**")
        st.plotly_chart(
            charts.curves(
                s_lines,
                s_marks,
                x_title="logit s",
                y_title="sigmoid CE",
                x_range=(-M_LIMIT, M_LIMIT),
                y_range=(-0.2, y_ce),
                hover_x="s",
            ),
            key="bin_sce",
            config={"displayModeBar": False},
        )
    st.caption(
        "The same samples on both: BCE at p = σ(s) equals sigmoid cross-entropy at s. A confident mistake "
        "(p near 0 for rain) costs −log p, which grows without bound; on the logit axis it becomes a "
        "straight line."
    )

    # ---- label conventions ----------------------------------------------------------------------------
    st.subheader("Label conventions")
    t_pm = sc.as_pm1(y_given)
    table = pd.DataFrame(
        {
            "sample": [f"{i + 1}" for i in range(scene.n)],
            "class": [sc.CLASS_NAMES[int(v)] for v in labels01],
            f"label ({convention})": [
                f"{v:+.0f}" if convention != sc.CONVENTIONS[0] else f"{v:.0f}" for v in y_given
            ],
            "t for hinge": [f"{v:+.0f}" for v in t_pm],
            "y for CE": [f"{v:.0f}" for v in y01],
            "score s": s,
            "p = σ(s)": p,
            "margin m": m,
            "hinge": losses.get("hinge").per_sample(y_given, s),
            "BCE": bce,
        }
    )
    if convention == sc.CONVENTIONS[0]:
        as_given = losses.get("hinge").cost(y_given, s)
        as_pm = losses.get("hinge").cost(t_pm, s)
        st.markdown(
            f"The scene gives labels as **0/1**. Hinge reads **0 as −1** before it forms the margin "
            f"(as Keras does): hinge with the 0/1 labels is **{_fmt(as_given)}**, with −1/+1 labels "
            f"**{_fmt(as_pm)}**, the same number."
        )
    else:
        try:
            losses.get("binary_cross_entropy").cost(y_given, sigmoid(s))
            message = ""
        except losses.LabelError as err:
            message = str(err)
        st.markdown(
            "The scene gives labels as **−1/+1**: what hinge-type losses use directly. Cross-entropy "
            "needs 0/1; handed −1/+1 labels, the core refuses:"
        )
        st.markdown(f"> `LabelError`: {message}")
        st.markdown("So this page maps **−1 → 0** for BCE, sigmoid CE and focal (the column *y for CE*).")
    st.caption("Either way the numbers above do not change: a convention is a spelling, not a model.")
    st.dataframe(
        table,
        hide_index=True,
        key="bin_table",
        column_config={
            k: st.column_config.NumberColumn(format="%.4f")
            for k in ("score s", "p = σ(s)", "margin m", "hinge", "BCE")
        },
    )


explorer()


# ---- the classic point about the sigmoid --------------------------------------------------------------
st.subheader("Why squared error after a sigmoid learns slowly when confidently wrong")
x0 = st.slider(
    "A rain sample's logit s (negative: confidently wrong)",
    -8.0,
    8.0,
    X0_DEFAULT,
    0.5,
    key="x0",
    bind="query-params",
)
grid = tuple(np.linspace(-8.0, 8.0, 321).round(4))
ce_grad, sq_grad = _gradients(grid)
ce_at, sq_at = (float(v[0]) for v in _gradients((float(x0),)))
p0 = float(sigmoid(np.array([x0]))[0])
c1, c2 = st.columns([3, 2], gap="medium")
with c1:
    st.plotly_chart(
        charts.gradient_comparison(
            np.array(grid), ce_grad, sq_grad, at=float(x0), ce_at=ce_at, squared_at=sq_at, x_range=(-8.0, 8.0)
        ),
        key="bin_vanishing",
        config={"displayModeBar": False},
    )
with c2:
    st.metric("p = σ(s)", f"{p0:.4f}")
    st.metric("cross-entropy: dℓ/ds", f"{ce_at:.4f}")
    st.metric("squared error after σ: dℓ/ds", f"{sq_at:.4f}")
    ratio = ce_at / sq_at if sq_at != 0 else math.inf
    if x0 < 0 and math.isfinite(ratio):
        st.markdown(
            f"At s = {x0:g} the model gives rain only p = {p0:.4f}. Cross-entropy's gradient is σ(s) − 1 = "
            f"{ce_at:.4f}: nearly the largest push there is. Squared error's is {sq_at:.4f}, "
            f"**{ratio:,.0f}× smaller**: the sigmoid's slope σ(1 − σ) has flattened, so the worse the "
            "mistake, the less it learns."
        )
    else:
        st.markdown(
            f"At s = {x0:g} the prediction is right (p = {p0:.4f}); both gradients are small. Slide s "
            "to a negative value to see a confident mistake."
        )
st.caption(
    "Cross-entropy's gradient is from the core's sigmoid_cross_entropy. Squared error's is the chain rule: "
    "the core's MSE derivative with respect to p, 2(p − 1), times the sigmoid's derivative σ(s)(1 − σ(s)) "
    "(from losses.binary.sigmoid)."
)

# ---- what each loss is good and bad at -----------------------------------------------------------
st.subheader("The losses on this page")
for name in ["binary_cross_entropy", "sigmoid_cross_entropy", *[n for n in MARGIN_LOSSES if n in selected]]:
    spec = losses.get(name)
    with st.expander(spec.title, expanded=False):
        st.latex(spec.formula)
        st.markdown(f"{spec.summary}  \n**Good:** {spec.good}  \n**Bad:** {spec.bad}")
