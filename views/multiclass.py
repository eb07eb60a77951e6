"""Multi-class explorer: drag each class's logit, see softmax, cross-entropy (one-hot, smoothed, sparse, from
logits), KL in both directions, the gradient q − y, and a small batch where loss and cost part ways.

Load the scene → controls → compute → render. Numbers from ``losses`` (through ``scenes.multiclass``),
figures from ``charts.classification``, controls and metrics from ``ui.kit``. Any other multi-class loss in
the registry is shown on the same sample under "More losses".
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
from components.drag_points import drag_points, peek_drag_values, reset_drag_points
from scenes import multiclass as sc
from ui import kit, present

SHOWN = ("categorical_cross_entropy", "sparse_categorical_cross_entropy", "softmax_cross_entropy",
         "kl_divergence")  # fmt: skip
CE, SPARSE, SOFTMAX_CE, KL = (losses.get(n) for n in SHOWN)
MORE = [n for n in losses.names(page="multiclass") if n not in SHOWN]
Z_KEY = "mc_z"  # the logits' drag widget
LIVE_METRICS = {n: f"mc_m_{n}" for n in ("ce", "ce_eps", "sparse", "softmax_ce", "kl_pq", "kl_qp")}
LIVE_BARS = {"mc_probs": "q", "mc_pq": "Q (prediction)"}  # charts (and their trace) of q, previewed
EPS_DEFAULT = 0.1  # label smoothing shown by default (the core's default, 0, would show nothing)

state = st.session_state
page = kit.Page("mc")


# ---- load the scene: from the link on the first visit; as it was left on a return ---------------------
if page.first:
    k_link = sc.parse_k(page.url("k"))
    z, w1 = sc.parse_logits(page.url("logits"), k_link)
    p, w2 = sc.parse_target(page.url("target"), k_link)
    batch, w3 = sc.parse_batch(page.url("batch"), k_link)
    state.mc_base_z, state.mc_base_p, state.mc_base_batch = z, p, batch
    page.warn(w1 + w2 + w3)
elif page.returned:  # the handles and tables start again from where they were left
    state.mc_base_z, state.mc_base_p = state.get("mc_last_z"), state.get("mc_last_p")
    state.mc_base_batch = state.get("mc_last_batch")


def _reset_scene() -> None:
    for name in ("mc_base_z", "mc_base_p", "mc_base_batch", "mc_last_z", "mc_last_p", "mc_last_batch"):
        state[name] = None
    state.mc_version = state.get("mc_version", 0) + 1  # fresh table editors
    reset_drag_points(Z_KEY)


def _reset_logits() -> None:
    state.mc_base_z = state.mc_last_z = None
    reset_drag_points(Z_KEY)


# ---- controls ---------------------------------------------------------------------------------------
st.title("Multi-class classification losses")
st.caption("Drag a class's bar to set its logit (or focus it and use the arrow keys). Softmax turns the "
           "logits into probabilities; every loss below compares them with the true class.")  # fmt: skip
with st.sidebar:
    st.subheader("Scene")
    k = page.slider("k", "Classes", sc.K_MIN, sc.K_MAX, sc.K_DEFAULT, on_change=_reset_scene)
    names = sc.names(k)
    true_name = page.select("true", "True class", names, sc.TRUE_DEFAULT)
    true = names.index(true_name) if true_name in names else names.index(sc.TRUE_DEFAULT)
    temperature = page.slider("T", "Temperature T", *sc.T_RANGE, 1.0, 0.1, help="Softmax of z / T.")
    eps = page.slider("eps", "Label smoothing ε", 0.0, 0.5, EPS_DEFAULT, 0.05)
    st.button("Reset logits", key="mc_reset_logits", on_click=_reset_logits, width="stretch")
    page.reset_button(then=_reset_scene)
    PARAMS = page.param_controls(MORE)
page.warnings_here()
version = state.get("mc_version", 0)


def _p_base() -> list[float]:
    base = state.mc_base_p  # the link's P, or the default (e.g. a link whose k disagreed with its P)
    return base if base is not None and len(base) == k else sc.default_target(k, 1)


def _target_editor() -> tuple[np.ndarray, list[float]]:
    """One editable row: the target P. Returns P as a distribution and the row as typed."""
    base = _p_base()
    cell = st.column_config.NumberColumn(min_value=0.0, max_value=1.0, step=0.01)
    edited = st.data_editor(pd.DataFrame([base], columns=names), key=f"mc_P_{k}_{version}", hide_index=True,
                            column_config=dict.fromkeys(names, cell))
    typed = [float(v) if v is not None and not pd.isna(v) else math.nan for v in edited.iloc[0].tolist()]
    p, why = sc.normalise(typed)
    if p is None:
        st.warning(f"{why} Using the default target instead.")
        typed = sc.default_target(k, 1)
        p, why = sc.normalise(typed)
    if why:
        st.caption(why)
    state.mc_last_p = typed
    return p, typed


def _batch_editor() -> tuple[np.ndarray, np.ndarray, int]:
    """The batch table (logits per class, true class): the complete rows, and how many were left out."""
    if state.mc_base_batch is not None and state.mc_base_batch[0].shape[1] == k:
        z0, y0 = state.mc_base_batch
    else:  # no batch in the link, or one for another number of classes
        z0, y0 = sc.default_batch(k)
    df = pd.DataFrame(z0, columns=names)
    df.insert(0, "true class", [names[int(i)] for i in y0])
    lo, hi = sc.B_RANGE
    number = st.column_config.NumberColumn(min_value=lo, max_value=hi, step=0.1, required=True)
    choose = st.column_config.SelectboxColumn(options=names, required=True)
    edited = st.data_editor(df, key=f"mc_batch_{k}_{version}", hide_index=True, num_rows="dynamic",
                            column_config={"true class": choose, **dict.fromkeys(names, number)})
    edited = edited.head(sc.BATCH_MAX)
    complete = edited.dropna()
    complete = complete[complete["true class"].isin(names)]
    labels = np.array([names.index(v) for v in complete["true class"]], dtype=int)
    return complete[names].to_numpy(dtype=float), labels, len(edited) - len(complete)


def _bars(series: dict, styles: dict, key: str, **kw) -> None:
    kit.plotly(charts.class_bars(names, series, styles=styles, **kw), key)


# ---- the scene, totals and charts: one fragment, so a drag reruns only this ----------------------
@st.fragment
def explorer() -> None:
    base = state.mc_base_z
    if base is None or len(base) != k:
        base = sc.default_logits(k)
    left, right = st.columns(2, gap="medium")
    with left:
        st.markdown("**Logits z** (drag a bar)")
        handles = [{"x": i + 1, "y": v, "label": f"logit {n}", "color": color_of("label_1") if i == true
                    else None} for i, (n, v) in enumerate(zip(names, base, strict=True))]  # fmt: skip
        ticks = [{"value": i + 1, "label": n} for i, n in enumerate(names)]
        z = np.array(sc.quantize(peek_drag_values(Z_KEY, base, sc.Z_RANGE)))  # as the chart will return
        p_now, _ = sc.normalise(sc.edited_row(_p_base(), names, state.get(f"mc_P_{k}_{version}")))  # P below
        live = sc.preview(z, true, temperature, eps, sc.default_target(k, 1) if p_now is None else p_now,
                          metrics=LIVE_METRICS, bars=LIVE_BARS)  # fmt: skip
        drag_points(key=Z_KEY, handles=handles, mode="bars", connect="none", x_range=(0.4, k + 0.6),
                    y_range=sc.Z_RANGE, step=0.1, height=present.height(320), y_label="logit z",
                    x_ticks=ticks, live=live)  # fmt: skip
    state.mc_last_z = list(z)
    zt = (z / temperature)[None, :]  # the logits softmax sees
    q = losses.softmax(zt)
    with right:
        st.markdown(f"**Softmax probabilities q = losses.softmax(z / T)**, T = {temperature:g}")
        _bars({"q": q[0]}, {"q": "probability"}, "mc_probs", y_title="probability", true_class=true,
              y_range=(0.0, 1.12), height=320)  # fmt: skip
    st.caption(f"The true class, **{names[true]}**, is orange. A higher T flattens the probabilities; a "
               "lower T sharpens them towards the largest logit.")  # fmt: skip
    page.sync_url({"logits": sc.format_values(z) if list(z) != sc.default_logits(k) else None})

    y, lab = sc.one_hot(true, k), np.array([true])
    values = {"ce": CE.cost(y, q), "ce_eps": CE.cost(y, q, label_smoothing=eps),
              "sparse": SPARSE.cost(lab, q), "softmax_ce": SOFTMAX_CE.cost(lab, zt)}  # fmt: skip
    st.subheader("Cross-entropy, four ways")
    slots = dict(zip(values, (c.empty() for c in st.columns(4)), strict=True))
    st.markdown(sc.sparse_note(float(q[0, true]), _fmt(values["sparse"]), true, names[true]))
    st.caption(f"With label smoothing the target is ỹ = y(1 − ε) + ε/k: {1 - eps + eps / k:.3f} on "
               f"{names[true]}, {eps / k:.3f} on each other class. Its minimum is no longer 0, and it stops "
               "pushing q all the way to 1.")  # fmt: skip

    grad = SOFTMAX_CE.per_sample_derivative(lab, zt)[0]
    grad_eps = SOFTMAX_CE.per_sample_derivative(lab, zt, label_smoothing=eps)[0]
    smoothed = f"smoothed (ε = {eps:g}): q − ỹ"
    c1, c2 = st.columns(2, gap="medium")
    with c1:
        st.markdown("**Gradient with respect to each logit: q − y**")
        _bars({"one-hot: q − y": grad, smoothed: grad_eps},
              {"one-hot: q − y": "softmax_cross_entropy", smoothed: "smoothed"}, "mc_grad",
              y_title="∂ℓ/∂(z/T)", true_class=true, y_range=(-1.15, 1.15), height=340,
              decimals=2)  # fmt: skip
        st.caption("Gradient descent moves each logit against its bar: the true class up, every other class "
                   "down, each in proportion to the probability it wrongly holds. The bars sum to 0. With "
                   "respect to z itself the gradient is (q − y) / T.")  # fmt: skip
    with c2:
        st.markdown("**Target P** (edit a cell) **against the prediction Q = q**")
        p, typed = _target_editor()
        _bars({"P (target)": p, "Q (prediction)": q[0]},
              {"P (target)": "target", "Q (prediction)": "probability"}, "mc_pq", y_title="probability",
              y_range=(0.0, 1.15), height=280, decimals=2)  # fmt: skip
    typed_p = None if typed == sc.default_target(k, 1) else sc.format_values(typed, sc.P_DECIMALS)
    page.sync_url({"target": typed_p})
    P = p[None, :]
    values["kl_pq"], values["kl_qp"] = KL.cost(P, q), KL.cost(q, P)
    entropy, cross = CE.cost(P, P), CE.cost(P, q)  # H(P) = CE(P, P)

    st.subheader("KL divergence is not symmetric")
    c = st.columns([1, 1, 2])
    slots["kl_pq"], slots["kl_qp"] = c[0].empty(), c[1].empty()
    with c[2]:
        st.markdown(
            f"KL(P‖Q) = {_fmt(values['kl_pq'])} but KL(Q‖P) = {_fmt(values['kl_qp'])}. KL(P‖Q) weighs each "
            "class by P: it punishes Q for missing what P expects. KL(Q‖P) weighs by Q: it punishes Q for "
            f"putting mass where P has little. Also KL(P‖Q) = CE(P, Q) − H(P) = {_fmt(cross)} − "
            f"{_fmt(entropy)}, so in Q it has the gradient of cross-entropy."
        )
        if np.any(p == 0):
            st.caption("P has a zero: KL(Q‖P) divides by it, so the core clips P at machine epsilon and "
                       "the value becomes huge. Give every class a little mass to see a finite "
                       "divergence.")  # fmt: skip

    st.subheader("A batch: the loss is per sample, the cost is the mean")
    c1, c2 = st.columns([3, 2], gap="medium")
    with c1:
        st.markdown("Logits of a few samples and their true class (edit cells, add or delete rows).")
        bz, blab, dropped = _batch_editor()
        if dropped:
            st.caption(f"{dropped} incomplete row(s) left out until every cell is filled.")
    with c2:
        slots["batch"] = st.empty()
        if len(blab):
            state.mc_last_batch = (bz, blab)
            page.sync_url({"batch": None if sc.is_default_batch(bz, blab, k) else sc.format_batch(bz, blab)})
            table, values["batch"], sentence = sc.batch_rows(bz, blab, names, _fmt)
            four = st.column_config.NumberColumn(format="%.4f")
            st.dataframe(pd.DataFrame(table), hide_index=True, key="mc_batch_losses",
                         column_config={"q of the true class": four, "loss ℓ (CE)": four})  # fmt: skip
            st.markdown(sentence)
            st.caption("Softmax cross-entropy on these logits as typed (temperature 1).")
        else:
            st.info("Add a complete row to see each sample's loss and their mean, the cost.")

    if MORE:
        st.subheader("More losses on this sample")
        more = {n: sc.on_sample(n, true, k, zt, q, **PARAMS.get(n, {})) for n in MORE}
        page.metrics(more, {n: losses.get(n).short for n in MORE},
                     helps={n: losses.get(n).summary for n in MORE}, name="more")  # fmt: skip

    # the change since the last interaction, for every metric above at once
    deltas = page.changes(values)
    titles = {"ce": "CE (one-hot)", "ce_eps": f"CE (smoothed, ε = {eps:g})", "sparse": "sparse CE",
              "softmax_ce": "softmax CE (logits)", "kl_pq": "KL(P‖Q)", "kl_qp": "KL(Q‖P)",
              "batch": f"cost J (mean of {len(blab)})"}  # fmt: skip
    helps = {"ce": CE.summary, "sparse": SPARSE.summary, "softmax_ce": SOFTMAX_CE.summary}
    for name, value in values.items():
        with slots[name].container(key=f"mc_m_{name}"):  # keyed: the drag widget previews it
            kit.metric(titles[name], value, deltas.get(name), helps.get(name))


explorer()
kit.loss_notes([*SHOWN, *MORE])
page.done()
