"""Regression explorer: drag predictions or targets, add outliers, watch L1/L2/Huber and friends respond.

Load the scene → controls → compute → render. The losses offered are the registry's (``losses.names(page=
"regression")``), their parameters' sliders come from ``spec.params``; the scene, its link and its Undo
history from ``scenes.regression``, the numbers from the core; the figures from ``charts.regression``;
controls, URL and metrics from ``ui.kit``.
"""

from __future__ import annotations

import numpy as np
import streamlit as st

import losses
from charts import regression as charts
from charts.style import color_of
from components.drag_points import display_decimals, drag_points, get_drag_values, reset_drag_points
from losses.fitting import LineFit, fit_line, fittable
from scenes import live
from scenes import regression as sc
from scenes.own import title
from ui import kit, own_loss, present

OPTIONS = losses.names(page="regression")
DEFAULT_LOSSES = ["mse", "mae", "huber"]
MODES = {"free": "Free points", "line": "Fit a line"}
DRAGS = ("Predictions", "Targets")
FREE_KEY, LINE_KEY, TARGETS_KEY = "reg_free", "reg_line", "reg_targets"  # widget keys, not state names
LIVE_KEYS = {k: f"reg_{k}" for k in ("metrics_row", "shares", "curves", "influence")}  # what a drag previews
state = st.session_state
page = kit.Page("reg")


def _edit() -> sc.Edit:
    scene = sc.Scene(state.reg_kind, int(state.get("reg_n", sc.N_DEFAULT)), int(state.get("reg_seed", 0)),
                     tuple(state.reg_outliers), state.reg_ys)  # fmt: skip
    return sc.Edit(scene, state.reg_preds, state.reg_ends)


def _apply(edit: sc.Edit, sizes: bool = False, shown: str | None = None) -> None:
    """Show ``edit`` (with its n and seed too, for Undo); the drag chart starts again from it (unless it
    comes from the chart ``shown``)."""
    s = edit.scene
    state.reg_kind, state.reg_outliers, state.reg_ys = s.kind, s.outliers, s.targets
    state.reg_preds, state.reg_ends, state.reg_shown = edit.preds, edit.line, shown
    if sizes:
        state.reg_n, state.reg_seed = s.n, s.seed


# ---- load the scene: from the link on the first visit; as it was left on a return ---------------------
if page.first:
    edit, warnings = sc.read_link(page.url)
    page.warn(warnings)
    _apply(edit)
    state.reg_history, state.reg_now = [], None
elif page.returned:  # the drag widgets start again from where the handles were left
    state.reg_shown, state.reg_restore = None, dict(state.get(page.key("_kept"), {}))
elif "reg_restore" in state:  # browser Back reset the controls to the link's: put them back as left
    state.update(state.pop("reg_restore"))


def _new_points() -> None:
    """n or seed changed: a new scene (outliers kept), its targets and predictions as generated."""
    _apply(sc.Edit(sc.Scene(state.reg_kind, state.reg_n, state.reg_seed, state.reg_outliers)))


def _classic(at: float) -> None:
    state.reg_mode = MODES["free"]
    _apply(sc.classic(state.reg_n, state.reg_seed, at))


def _undo() -> None:
    state.reg_now = state.reg_history.pop()
    _apply(state.reg_now, sizes=True)
    state.reg_undone = True  # the whole page reruns: n, seed and the outliers' buttons may change


def _param_controls(names: list[str]) -> dict[str, dict[str, float]]:
    """The registry's sliders (ui.kit), but δ's default is the page's (sc.DELTA_DEFAULT) and a number input
    beside it takes an exact value."""
    own = [n for n in names if [p.name for p in losses.get(n).params] == ["delta"]]
    if any(p.name == "delta" for n in names if n not in own for p in losses.get(n).params):
        own = []  # a loss with δ and other parameters: the kit's slider for all
    params = page.param_controls([n for n in names if n not in own])
    if own:
        p = losses.get(own[0]).param("delta")
        low, high, step = p.ui_range()
        who = ", ".join(losses.get(n).short for n in own)
        delta = page.slider("delta", f"{p.shown_as} ({who})", low, high, sc.DELTA_DEFAULT, step,
                            help=p.meaning)  # fmt: skip
        if state.get("reg_delta_exact") != delta:
            state.reg_delta_exact = delta
        st.number_input(f"{p.shown_as}, exactly", low, high, step=0.01, format="%.2f", key="reg_delta_exact",
                        on_change=lambda: state.update(reg_delta=state.reg_delta_exact))  # fmt: skip
        params.update({n: {"delta": float(delta)} for n in own})
    return {n: params[n] for n in names}


# ---- controls ---------------------------------------------------------------------------------------
st.title("Regression losses")
st.caption("Drag a prediction or a target (or focus it and use the arrow keys), add an outlier, and watch "
           "every loss, its gradient and each point's share of it respond.")  # fmt: skip
with st.sidebar:
    st.subheader("Scene")
    page.slider("n", "Points", sc.N_MIN, sc.N_MAX, sc.N_DEFAULT, on_change=_new_points)
    # a slider, not an int number_input: Streamlit 1.67 crashes on ?seed=inf for the latter
    page.slider("seed", "Seed", 0, sc.SEED_MAX, 0, on_change=_new_points)
    mode_label = page.choice("mode", "Predictions", list(MODES.values()), MODES["free"])
    mode = "line" if mode_label == MODES["line"] else "free"
    drag = page.choice("drag", "Drag", list(DRAGS), DRAGS[0], help="Move the predictions, or the targets y "
                       "(an outlier is a target too)")  # fmt: skip
    page.number("mag", "Outlier magnitude (× the data's spread)", 1.0, 100.0, sc.MAGNITUDE_DEFAULT, step=1.0)
    c1, c2 = st.columns(2)
    c1.button("Add outlier", key="reg_add_outlier", width="stretch", disabled=len(state.reg_outliers) >= sc.
              MAX_OUTLIERS, on_click=lambda: _apply(_edit().with_outlier(float(state.reg_mag))))  # fmt: skip
    c2.button("Remove all", key="reg_remove_outliers", help="Remove every outlier", width="stretch",
              disabled=not state.reg_outliers,
              on_click=lambda: _apply(_edit().without_outliers()))  # fmt: skip
    with st.container(horizontal=True, key="reg_outlier_buttons") if state.reg_outliers else st.empty():
        for i in range(len(state.reg_outliers)):
            st.button(f"Outlier {i + 1}", key=f"reg_delete_outlier_{i + 1}", icon=":material/close:",
                      help=f"Delete outlier {i + 1} (drag the targets to move it)",
                      on_click=lambda i=i: _apply(_edit().without_outlier(i)))  # fmt: skip
    st.caption("Textbook example: targets near 1, one prediction far off.")
    c1, c2 = st.columns(2)
    c1.button("One at 10", key="reg_classic_10", on_click=_classic, args=(10.0,), width="stretch")
    c2.button("One at 1000", key="reg_classic_1000", on_click=_classic, args=(1000.0,), width="stretch")
    page.reset_button(then=lambda: _apply(sc.Edit(sc.Scene())))
    st.subheader("Losses")
    selected = page.loss_select("losses", "Show", OPTIONS, DEFAULT_LOSSES) or DEFAULT_LOSSES[:1]
    PARAMS = _param_controls(selected)
    own, selected, PARAMS = own_loss.on_explorer(page, "regression", selected, PARAMS)
    if "general_robust" in selected:
        st.caption(sc.robust_case(PARAMS["general_robust"]["alpha"]))
page.warnings_here()
if page.returned and any(state.get(k) != v for k, v in state.pop("reg_restore").items()):
    state.reg_restore = state[page.key("_kept")]
    st.rerun()
titles = {n: title(n, own) for n in selected}


def _params(name: str) -> tuple:
    return tuple(sorted(PARAMS.get(name, {}).items()))


curve = st.cache_data(max_entries=256, show_spinner=False)(sc.residual_curve)


@st.cache_data(max_entries=64, show_spinner=False)
def preview(what: str, params: tuple, x: tuple, y: tuple, shown: tuple, drawn: tuple, shared: tuple,
            decimals: int, labels: tuple, presenting: bool, own) -> dict:  # fmt: skip
    """What the drag chart needs to draw the curves' marks and move them, the totals and the share bars."""
    return live.regression(what, {n: dict(p) for n, p in params}, x, y, shown, sc.X_RANGE, own=own,
                           limit=sc.ABS_LIMIT, drawn=drawn, shared=shared, keys=LIVE_KEYS, decimals=decimals,
                           labels=labels, color=color_of, scale=kit.PRESENTER_SCALE if presenting else 1.0,
                           ).data()  # fmt: skip


@st.cache_data(max_entries=256, show_spinner=False)
def _fit(name: str, xs: tuple, ys: tuple, params: tuple) -> LineFit:
    return fit_line(name, np.array(xs), np.array(ys), **dict(params))


# ---- the scene, totals and charts: one fragment, so a drag reruns only this ----------------------
@st.fragment
def explorer() -> None:
    if state.pop("reg_undone", False):
        st.rerun()
    what = "targets" if drag == DRAGS[1] else mode  # whose handles the chart moves
    key, edit = {"free": FREE_KEY, "line": LINE_KEY, "targets": TARGETS_KEY}[what], _edit()
    if state.get("reg_shown") != key or len(state.get("reg_base") or ()) != len(edit.values(what)):
        state.reg_base, state.reg_shown = edit.values(what), key  # the chart's handles start from the scene
        reset_drag_points(key)
    base, pending = state.reg_base, get_drag_values(key)  # the user's move, read before the chart is drawn
    pending = pending if pending is not None and len(pending) == len(base) else base
    y_lo, y_hi, step = sc.drag_y_range(*(edit.values(w) for w in ("targets", "free", "line")), base, pending)
    edit = edit.move(what, sc.snap_moved(pending, base, display_decimals(step)))  # as shown: a link holds it
    _apply(edit, shown=key)
    state.reg_history, state.reg_now = sc.record(state.reg_history, state.get("reg_now"), edit), edit
    page.sync_url(sc.link_values(edit))

    scene, (x, y), ends = edit.scene, edit.scene.points(), edit.values("line")
    labels, (line_preds, slope, intercept) = scene.labels(), sc.line_predictions(x, (ends[0], ends[1]))
    shown = line_preds if mode == "line" else np.array(edit.values("free"))
    fits = {n: _fit(n, tuple(x), tuple(y), _params(n)) for n in selected
            if n in OPTIONS and fittable(n) and mode == "line"}  # fmt: skip
    best = [{"slope": f.slope, "intercept": f.intercept, "color": color_of(n), "dash": "dash",
             "label": f"best under {titles[n]}"} for n, f in fits.items()]  # fmt: skip
    mine = [{"slope": slope, "intercept": intercept, "color": "var(--st-primary-color)",
             "label": "your line"}] if mode == "line" else []  # fmt: skip
    chart = sc.drag_chart(what, scene, base, shown, (mine if what == "targets" else []) + best)
    ev = sc.evaluate(selected, y, shown, PARAMS, own)
    drawn = [n for n in selected if sc.on_residual_axis(n, own) and n in ev.per_sample]
    live = preview(what, tuple((n, _params(n)) for n in selected), tuple(x), tuple(y), tuple(shown),
                   tuple(drawn), tuple(ev.per_sample), display_decimals(step), tuple(labels),
                   kit.presenting(), own)  # fmt: skip
    left, right = st.columns([2, 1], gap="medium")
    with left:
        drag_points(key=key, x_range=sc.X_RANGE, y_range=(y_lo, y_hi), y_limit=sc.Y_LIMIT, step=step,
                    height=present.height(420), x_label="x", y_label="y", live=live, **chart)  # fmt: skip
        if mode == "line":
            rows = [(b["label"], b["slope"], b["intercept"]) for b in mine + best]
            st.container(key="reg_best_lines").markdown(sc.line_table(rows), help="L2 in closed form; L1 and "
                "quantile exactly (the best line through two points); the others by reweighted least squares "
                "refined by Newton steps.")  # fmt: skip
        st.caption(sc.HOW[what] + (f" Your line: ŷ = {slope:.3f}·x + {intercept:.3f}; dashed: the line each "
                                "loss would choose." if mode == "line" else ""))  # fmt: skip
        st.button("Undo", key="reg_undo", icon=":material/undo:", on_click=_undo,
                  disabled=not state.reg_history,
                  help="Undo the last change to the predictions, the targets or the outliers")  # fmt: skip

    with right:
        st.markdown("**Totals** (cost = mean over the points)")
        page.metrics({n: "undefined" if c is None else c for n, c in ev.costs.items()}, titles,
                     helps=ev.problems)  # fmt: skip
        own_loss.report(ev.problems)
    unsure = [titles[n] for n, f in fits.items() if not f.converged]
    if unsure:
        st.warning(f"The fit under {', '.join(unsure)} stopped before it converged: its line is the best "
                   "found, not certainly the best there is (a non-convex loss can have several minima).")

    share = {n: sc.shares(v) for n, v in ev.per_sample.items()}
    st.markdown("**Each point's share of the total**")
    kit.plotly(charts.share_bars(labels, share, titles, drawn_by_widget=True), "reg_shares")
    st.markdown(sc.share_sentence(labels, share, titles), help="Computed from the per-point losses above.")

    r_max = sc.nice_ceiling(max(3.0, 1.15 * float(np.abs(shown - y).max())))
    views = (("value", "**Loss against the residual r = ŷ − y**", "loss ℓ(r)", "reg_curves"),
             ("slope", "**Influence: the derivative dℓ/dŷ**", "dℓ/dŷ", "reg_influence"))  # fmt: skip
    for column, (kind, heading, y_title, key) in zip(st.columns(2), views, strict=True):
        column.markdown(heading)
        with column:  # the curves only: the drag widget draws the points on them (and moves them with a drag)
            curves = {n: curve(n, _params(n), r_max, kind, own) for n in drawn}
            kit.plotly(charts.curves_with_points(curves, {}, titles, point_labels=labels,
                                                 x_title="residual r", y_title=y_title), key)  # fmt: skip
    left_out = [sc.why_not_on_residual_axis(n, own) for n in selected if not sc.on_residual_axis(n, own)]
    if left_out:
        st.caption(f"Not drawn against the residual: {'; '.join(left_out)}.")
    st.caption("Huber's and pseudo-Huber's influence levels off at ±δ, log-cosh's at ±1: a far point pulls "
               "no harder than a near one. L2's grows without bound.")  # fmt: skip


explorer()
kit.loss_notes([n for n in selected if n in OPTIONS], expanded=len(selected) <= 3,
               extra={"general_robust": sc.ROBUST_CASES})  # fmt: skip
page.done()
