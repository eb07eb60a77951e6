"""Regression explorer: drag predictions, add outliers, watch L1/L2/Huber and friends respond.

Thin page: widgets and state here; numbers from ``losses``; scene data from ``scenes.regression``; figures
from ``charts.regression``; the drag widget from ``components.drag_points``.
"""

from __future__ import annotations

import math

import numpy as np
import streamlit as st

import losses
from charts import regression as charts
from charts.style import format_metric as _fmt
from components.drag_points import display_decimals, drag_points, reset_drag_points
from losses.fitting import LineFit, fit_line
from scenes import regression as sc
from scenes.text import quote

LOSS_OPTIONS = [
    "mse",
    "rmse",
    "mae",
    "msle",
    "huber",
    "pseudo_huber",
    "log_cosh",
    "quantile",
    "general_robust",
]
DEFAULT_LOSSES = ["mse", "mae", "huber"]
# Short labels: metric titles, chart legends, and the multiselect's options (so also its URL values).
SHORT = {
    "mse": "MSE",
    "rmse": "RMSE",
    "mae": "MAE",
    "msle": "MSLE",
    "huber": "Huber",
    "pseudo_huber": "pseudo-Huber",
    "log_cosh": "log-cosh",
    "quantile": "quantile",
    "general_robust": "general robust",
}
NAMED_ALPHA = {2.0: "L2", 1.0: "Charbonnier (pseudo-Huber)", 0.0: "Cauchy", -2.0: "Geman-McClure"}
MODE_LABELS = {"free": "Free points", "line": "Fit a line"}
#: Every control's default, by its key (which is also its URL parameter).
CONTROL_DEFAULTS = {
    "n": sc.N_DEFAULT,
    "seed": 0,
    "mode": MODE_LABELS["free"],
    "mag": sc.MAGNITUDE_DEFAULT,
    "losses": DEFAULT_LOSSES,
    "delta": 1.0,
    "tau": 0.5,
    "welsch": False,
    "alpha": 1.0,
    "scale": 1.0,
}
FREE_KEY, LINE_KEY = "reg_free", "reg_line"
# URL keys of the scene (the controls' keys are bound to the URL by Streamlit itself)
Q_KIND, Q_PREDS, Q_LINE, Q_OUT = "scene", "p", "line", "out"

state = st.session_state


# ---- URL → state (once per visit), with warnings for anything unusable -------------------------------
def _load_from_url() -> None:
    q = st.query_params
    warn: list[str] = []
    warn += sc.check_int(q.get("n"), sc.N_MIN, sc.N_MAX, "number of points")
    warn += sc.check_int(q.get("seed"), 0, sc.SEED_MAX, "seed")
    warn += sc.check_choice(q.get("mode"), list(MODE_LABELS.values()), "mode")
    for name, p in (
        ("delta", losses.get("huber").param("delta")),
        ("tau", losses.get("quantile").param("tau")),
    ):
        warn += sc.check_float(q.get(name), max(p.low, 0.01), 10.0 if name == "delta" else 0.99, name)
    warn += sc.check_float(q.get("alpha"), -10.0, 4.0, "alpha")
    warn += sc.check_float(q.get("scale"), 0.1, 10.0, "scale")
    warn += sc.check_float(q.get("mag"), 1.0, 100.0, "outlier magnitude")
    bad_losses = [v for v in q.get_all("losses") if v not in SHORT.values()]  # the URL holds the labels
    if bad_losses:
        warn.append(
            f"The link names unknown losses ({', '.join(map(quote, bad_losses[:3]))}); they are ignored."
        )
    kind = q.get(Q_KIND, "trend")
    warn += sc.check_choice(kind, sc.KINDS, "scene")
    kind = kind if kind in sc.KINDS else "trend"
    outliers, w = sc.parse_outliers(q.get(Q_OUT))
    warn += w
    try:
        n = int(q.get("n", sc.N_DEFAULT))
        n = n if sc.N_MIN <= n <= sc.N_MAX else sc.N_DEFAULT
    except ValueError:
        n = sc.N_DEFAULT
    preds, w = sc.parse_values(q.get(Q_PREDS), n + len(outliers), "predictions")
    warn += w
    line, w = sc.parse_values(q.get(Q_LINE), 2, "line ends")
    warn += w
    state.reg_kind, state.reg_outliers = kind, outliers
    state.reg_base_preds, state.reg_base_line = preds, line
    state.reg_warnings = warn


if "reg_kind" not in state:
    _load_from_url()


# ---- callbacks (buttons change the scene before the next run) ----------------------------------------
def _scene() -> sc.Scene:
    return sc.Scene(
        state.reg_kind,
        int(state.get("n", sc.N_DEFAULT)),
        int(state.get("seed", 0)),
        tuple(state.reg_outliers),
    )


def _reset_predictions() -> None:
    state.reg_base_preds, state.reg_base_line = None, None
    reset_drag_points(FREE_KEY)
    reset_drag_points(LINE_KEY)


def _add_outlier() -> None:
    state.reg_outliers = _scene().with_outlier(float(state.get("mag", sc.MAGNITUDE_DEFAULT))).outliers
    _reset_predictions()


def _remove_outliers() -> None:
    state.reg_outliers = ()
    _reset_predictions()


def _classic(at: float) -> None:
    state.reg_kind, state.reg_outliers, state["mode"] = "classic", (), MODE_LABELS["free"]
    preds = _scene().default_predictions()
    preds[len(preds) // 2] = at
    _reset_predictions()
    state.reg_base_preds = sc.quantize(preds)


def _reset_all() -> None:
    # Set the defaults rather than dropping the keys: a URL-bound widget whose key is dropped reads its
    # value back from the link.
    for key, value in CONTROL_DEFAULTS.items():
        state[key] = list(value) if isinstance(value, list) else value
    state.reg_kind, state.reg_outliers = "trend", ()
    _reset_predictions()
    state.reg_warnings = []


# ---- controls -----------------------------------------------------------------------------------------
st.title("Regression losses")
st.caption(
    "Drag a prediction (or focus it and use the arrow keys), add an outlier, and watch every loss, "
    "its gradient and each point's share of it respond."
)
for message in state.get("reg_warnings", []):
    st.warning(message)

with st.sidebar:
    st.subheader("Scene")
    st.slider(
        "Points",
        sc.N_MIN,
        sc.N_MAX,
        CONTROL_DEFAULTS["n"],
        key="n",
        bind="query-params",
        on_change=_reset_predictions,
    )
    st.slider(  # a slider, not an int number_input: Streamlit 1.67 crashes on ?seed=inf for the latter
        "Seed",
        0,
        sc.SEED_MAX,
        CONTROL_DEFAULTS["seed"],
        key="seed",
        bind="query-params",
        on_change=_reset_predictions,
    )
    mode_label = st.segmented_control(  # the URL holds the label (mode=Fit+a+line): readable in a link
        "Predictions",
        list(MODE_LABELS.values()),
        default=CONTROL_DEFAULTS["mode"],
        key="mode",
        bind="query-params",
    )
    mode = "line" if mode_label == MODE_LABELS["line"] else "free"
    st.number_input(
        "Outlier magnitude (× the data's spread)",
        1.0,
        100.0,
        CONTROL_DEFAULTS["mag"],
        step=1.0,
        key="mag",
        bind="query-params",
    )
    c1, c2 = st.columns(2)
    c1.button(
        "Add outlier",
        key="reg_add_outlier",
        on_click=_add_outlier,
        disabled=len(state.reg_outliers) >= sc.MAX_OUTLIERS,
        width="stretch",
    )
    c2.button(
        "Remove all",
        key="reg_remove_outliers",
        help="Remove every outlier",
        on_click=_remove_outliers,
        disabled=not state.reg_outliers,
        width="stretch",
    )
    st.caption("Textbook example: targets near 1, one prediction far off.")
    c1, c2 = st.columns(2)
    c1.button("One at 10", key="reg_classic_10", on_click=_classic, args=(10.0,), width="stretch")
    c2.button("One at 1000", key="reg_classic_1000", on_click=_classic, args=(1000.0,), width="stretch")
    st.button(
        "Reset everything",
        key="reg_reset",
        on_click=_reset_all,
        icon=":material/restart_alt:",
        width="stretch",
    )

    st.subheader("Losses")
    selected = (
        st.multiselect(
            "Show",
            LOSS_OPTIONS,
            default=CONTROL_DEFAULTS["losses"],
            key="losses",
            bind="query-params",
            format_func=SHORT.get,
        )
        or DEFAULT_LOSSES[:1]
    )
    # a parameter's control appears with the first selected loss that uses it
    delta = tau = alpha = scale = None
    welsch = False
    if {"huber", "pseudo_huber"} & set(selected):
        delta = st.slider(
            "δ (Huber, pseudo-Huber)",
            0.05,
            10.0,
            CONTROL_DEFAULTS["delta"],
            0.05,
            key="delta",
            bind="query-params",
        )
    if "quantile" in selected:
        tau = st.slider(
            "τ (quantile)", 0.01, 0.99, CONTROL_DEFAULTS["tau"], 0.01, key="tau", bind="query-params"
        )
    if "general_robust" in selected:
        welsch = st.toggle("α = −∞ (Welsch)", key="welsch", bind="query-params")
        alpha = st.slider(
            "α (general robust)",
            -10.0,
            4.0,
            CONTROL_DEFAULTS["alpha"],
            0.25,
            key="alpha",
            bind="query-params",
            disabled=welsch,
        )
        scale = st.slider(
            "scale c (general robust)",
            0.1,
            10.0,
            CONTROL_DEFAULTS["scale"],
            0.1,
            key="scale",
            bind="query-params",
        )

alpha = -math.inf if welsch else alpha
PARAMS = {
    "huber": {"delta": delta},
    "pseudo_huber": {"delta": delta},
    "quantile": {"tau": tau},
    "general_robust": {"alpha": alpha, "scale": scale},
}
if "general_robust" in selected:
    case = "Welsch" if welsch else NAMED_ALPHA.get(alpha, "")
    st.sidebar.caption(f"α = {'−∞' if welsch else f'{alpha:g}'}{': ' + case if case else ''}.")

scene = _scene()
x, y = scene.points()
labels = scene.labels()


# ---- cached pure computations ---------------------------------------------------------------------
@st.cache_data(max_entries=256, show_spinner=False)
def _curve(name: str, params: tuple, r_max: float, kind: str) -> tuple[np.ndarray, np.ndarray]:
    spec = losses.get(name)
    grid = np.linspace(-r_max, r_max, 401)
    zeros = np.zeros_like(grid)
    kw = dict(params)
    if kind == "value":
        return grid, spec.per_sample(zeros, grid, **kw)
    return grid, spec.per_sample_derivative(zeros, grid, **kw)


@st.cache_data(max_entries=256, show_spinner=False)
def _best_line(name: str, xs: tuple, ys: tuple, params: tuple) -> LineFit:
    return fit_line(name, np.array(xs), np.array(ys), **dict(params))


def _params(name: str) -> tuple:
    return tuple(sorted(PARAMS.get(name, {}).items()))


def _cost(name: str, preds: np.ndarray) -> float | str:
    try:
        return losses.get(name).cost(y, preds, **PARAMS.get(name, {}))
    except losses.RangeError:
        return "undefined"


def _sync_url(preds: list[float] | None, line: list[float] | None) -> None:
    q = st.query_params
    values = {
        Q_KIND: None if scene.kind == "trend" else scene.kind,
        Q_OUT: sc.format_outliers(scene.outliers) or None,
        Q_PREDS: sc.format_values(preds) if preds is not None else None,
        Q_LINE: sc.format_values(line) if line is not None else None,
    }
    for k, v in values.items():
        if v is None:
            q.pop(k, None)
        elif q.get(k) != v:
            q[k] = v


# ---- the scene, totals and charts: one fragment, so a drag reruns only this ----------------------
@st.fragment
def explorer() -> None:
    default_preds = scene.default_predictions()
    titles = {n: SHORT[n] for n in selected}
    base_preds = state.reg_base_preds if state.reg_base_preds is not None else list(default_preds)
    base_line = state.reg_base_line if state.reg_base_line is not None else list(scene.default_line())
    if len(base_preds) != len(x):  # the scene changed under a stale base
        base_preds = list(default_preds)
    lo, hi = sc.X_RANGE
    last = state.get("reg_last_preds")
    seen = [y, base_preds] + ([np.asarray(last)] if last is not None and len(last) == len(x) else [])
    y_lo, y_hi = sc.y_range(*seen)
    step = 10 ** math.floor(math.log10((y_hi - y_lo) / 100))
    decimals = display_decimals(step)  # a moved handle is kept to what it shows, so a URL restores it exactly
    targets = [{"x": float(a), "y": float(b), "label": lab} for a, b, lab in zip(x, y, labels, strict=True)]

    axes = dict(targets=targets, x_range=(lo, hi), y_range=(y_lo, y_hi), step=step, height=400, x_label="x",
                y_label="y")  # fmt: skip
    left, right = st.columns([2, 1], gap="medium")
    with left:
        if mode == "line":
            handles = [
                {"x": lo, "y": base_line[0], "label": "line start"},
                {"x": hi, "y": base_line[1], "label": "line end"},
            ]
            ends = sc.snap_moved(
                drag_points(key=LINE_KEY, connect="line", handles=handles, **axes), base_line, decimals
            )
            preds, slope, intercept = sc.line_predictions(x, (ends[0], ends[1]))
            st.caption(
                f"Your line: ŷ = {slope:.3f}·x + {intercept:.3f}. Drag its ends, or focus one and use ↑/↓."
            )
            url_preds, url_line = None, (ends if ends != list(scene.default_line()) else None)
        else:
            handles = [
                {"x": float(a), "y": float(b), "label": f"prediction {i + 1}"}
                for i, (a, b) in enumerate(zip(x, base_preds, strict=True))
            ]
            moved = drag_points(key=FREE_KEY, connect="residuals", handles=handles, **axes)
            preds = np.array(sc.snap_moved(moved, base_preds, decimals))
            st.caption(
                "Hollow circles are the targets y; filled handles are the predictions ŷ. "
                "Drag a handle, or focus it (Tab) and use ↑/↓ (Shift: ×10)."
            )
            url_preds = list(preds) if list(preds) != list(default_preds) else None
            url_line = None
    state.reg_last_preds = list(preds)
    _sync_url(url_preds, url_line)

    costs = {name: _cost(name, preds) for name in selected}
    prev = state.get("reg_costs", {})
    deltas = state.get("reg_deltas", {})
    if prev and any(prev.get(n) != costs[n] for n in costs):
        deltas = {
            n: (costs[n] - prev[n])
            if isinstance(costs[n], float) and isinstance(prev.get(n), float)
            else None
            for n in costs
        }
    state.reg_costs, state.reg_deltas = costs, deltas
    with right:
        st.markdown("**Totals** (cost = mean over the points)")
        cols = st.columns(2)
        for i, name in enumerate(selected):
            c = costs[name]
            with cols[i % 2]:
                if isinstance(c, str):
                    st.metric(
                        SHORT[name],
                        "undefined",
                        help="MSLE takes log(1 + value): a target or "
                        "prediction is ≤ −1, where it is not defined.",
                    )
                else:
                    d = deltas.get(name)
                    st.metric(SHORT[name], _fmt(c), delta=None if not d else _fmt(d), delta_color="inverse")

    if mode == "line":
        fits = [n for n in selected if n != "msle"]
        fitted = {n: _best_line(n, tuple(x), tuple(y), _params(n)) for n in fits}
        lines = {n: (f.slope, f.intercept) for n, f in fitted.items()}
        unsure = [SHORT[n] for n, f in fitted.items() if not f.converged]
        if unsure:
            st.warning(
                f"The fit under {', '.join(unsure)} stopped before it converged: its line is the best "
                "found, not certainly the best there is (a non-convex loss can have several minima)."
            )
        st.markdown("**The line each loss would choose**")
        st.plotly_chart(
            charts.best_lines(
                x,
                y,
                labels,
                lines,
                titles,
                user_line=(slope, intercept),
                x_range=(lo, hi),
                y_range=(y_lo, y_hi),
            ),
            key="reg_best_lines",
            config={"displayModeBar": False},
        )
        st.caption(
            "L2 in closed form; L1 and quantile exactly (the best line through two points); the others "
            "by reweighted least squares refined by Newton steps."
        )

    # each point's share of each loss
    per_sample = {}
    for name in selected:
        try:
            per_sample[name] = losses.get(name).per_sample(y, preds, **PARAMS.get(name, {}))
        except losses.RangeError:
            continue
    share = {n: sc.shares(v) for n, v in per_sample.items()}
    st.markdown("**Each point's share of the total**")
    st.plotly_chart(
        charts.share_bars(labels, share, titles), key="reg_shares", config={"displayModeBar": False}
    )
    st.markdown(sc.share_sentence(labels, share, titles), help="Computed from the per-point losses above.")

    # curves against the residual r = ŷ − y
    resid = preds - y
    r_max = sc.nice_ceiling(max(3.0, 1.15 * float(np.abs(resid).max())))
    curve_names = [n for n in selected if n not in ("rmse", "msle")]
    value_curves = {n: _curve(n, _params(n), r_max, "value") for n in curve_names}
    slope_curves = {n: _curve(n, _params(n), r_max, "slope") for n in curve_names}
    marks = {n: (resid, per_sample[n]) for n in curve_names}
    infl = {
        n: (resid, losses.get(n).per_sample_derivative(y, preds, **PARAMS.get(n, {}))) for n in curve_names
    }
    c1, c2 = st.columns(2)
    with c1:
        st.markdown("**Loss against the residual r = ŷ − y**")
        st.plotly_chart(
            charts.curves_with_points(
                value_curves, marks, titles, point_labels=labels, x_title="residual r", y_title="loss ℓ(r)"
            ),
            key="reg_curves",
            config={"displayModeBar": False},
        )
    with c2:
        st.markdown("**Influence: the derivative dℓ/dŷ**")
        st.plotly_chart(
            charts.curves_with_points(
                slope_curves, infl, titles, point_labels=labels, x_title="residual r", y_title="dℓ/dŷ"
            ),
            key="reg_influence",
            config={"displayModeBar": False},
        )
    left_out = [SHORT[n] for n in selected if n in ("rmse", "msle")]
    if left_out:
        st.caption(
            f"Not drawn against the residual: {', '.join(left_out)} (RMSE is the square root of the "
            "MSE, not a per-point loss; MSLE depends on the target itself, not only on ŷ − y)."
        )
    st.caption(
        "Huber's and pseudo-Huber's influence levels off at ±δ, log-cosh's at ±1: a far point pulls "
        "no harder than a near one. L2's grows without bound."
    )


explorer()

# ---- what each loss is good and bad at -----------------------------------------------------------
st.subheader("The losses on this page")
for name in selected:
    spec = losses.get(name)
    with st.expander(spec.title, expanded=len(selected) <= 3):
        st.latex(spec.formula)
        st.markdown(f"{spec.summary}  \n**Good:** {spec.good}  \n**Bad:** {spec.bad}")
        if name == "general_robust":
            st.caption(
                "Special cases: α = 2 → ½(r/c)² (L2); α = 1 → √((r/c)² + 1) − 1 (Charbonnier); α = 0 → "
                "log(½(r/c)² + 1) (Cauchy); α = −2 → 2(r/c)²/((r/c)² + 4) (Geman-McClure); α → −∞ → "
                "1 − exp(−½(r/c)²) (Welsch)."
            )
