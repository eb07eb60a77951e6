"""Multi-class explorer: drag each class's logit, see softmax, cross-entropy (one-hot, smoothed, sparse, from
logits), KL in both directions, the gradient p − y, and a small batch where loss and cost part ways.

Thin page: widgets and state here; numbers from ``losses``; the scene from ``scenes.multiclass``; figures
from ``charts.classification``; the drag widget from ``components.drag_points``.
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
from losses.multiclass import softmax
from scenes import multiclass as sc

Z_KEY = "mc_z"  # the logits' drag widget
Q_LOGITS, Q_TARGET, Q_BATCH = "z", "P", "b"  # URL keys of the scene (controls are bound by Streamlit)
CE, SPARSE, SOFTMAX_CE, KL = (
    losses.get("categorical_cross_entropy"),
    losses.get("sparse_categorical_cross_entropy"),
    losses.get("softmax_cross_entropy"),
    losses.get("kl_divergence"),
)
EPS_DEFAULT = 0.1

state = st.session_state


# ---- URL → state (once per visit), with warnings for anything unusable -------------------------------
def _k_from(text: str | None) -> int:
    try:
        k = int(text if text is not None else sc.K_DEFAULT)
    except ValueError:
        return sc.K_DEFAULT
    return k if sc.K_MIN <= k <= sc.K_MAX else sc.K_DEFAULT


def _load_from_url() -> None:
    q = st.query_params
    warn: list[str] = []
    warn += sc.check_int(q.get("k"), sc.K_MIN, sc.K_MAX, "number of classes")
    warn += sc.check_float(q.get("T"), *sc.T_RANGE, "temperature")
    warn += sc.check_float(q.get("eps"), 0.0, 0.5, "label smoothing ε")
    k = _k_from(q.get("k"))
    warn += sc.check_choice(q.get("true"), sc.names(k), "true class")
    z, w = sc.parse_logits(q.get(Q_LOGITS), k)
    warn += w
    p, w = sc.parse_target(q.get(Q_TARGET), k)
    warn += w
    batch, w = sc.parse_batch(q.get(Q_BATCH), k)
    warn += w
    state.mc_base_z, state.mc_base_p, state.mc_base_batch = z, p, batch
    state.mc_warnings = warn


if "mc_base_z" not in state:
    _load_from_url()


# ---- callbacks --------------------------------------------------------------------------------------
def _reset_scene() -> None:
    state.mc_base_z, state.mc_base_p, state.mc_base_batch = None, None, None
    state.mc_version = state.get("mc_version", 0) + 1  # fresh table editors
    reset_drag_points(Z_KEY)


def _reset_logits() -> None:
    state.mc_base_z = None
    reset_drag_points(Z_KEY)


def _reset_all() -> None:
    # set, not pop: a popped bound widget would read its old value back from the URL
    for key, value in {"k": sc.K_DEFAULT, "T": 1.0, "eps": EPS_DEFAULT, "true": sc.TRUE_DEFAULT}.items():
        state[key] = value
    _reset_scene()
    state.mc_warnings = []


# ---- controls -----------------------------------------------------------------------------------------
st.title("Multi-class classification losses")
st.caption(
    "Drag a class's bar to set its logit (or focus it and use the arrow keys). Softmax turns the logits into "
    "probabilities; every loss below compares them with the true class."
)
for message in state.get("mc_warnings", []):
    st.warning(message)

with st.sidebar:
    st.subheader("Scene")
    k = st.slider(
        "Classes", sc.K_MIN, sc.K_MAX, sc.K_DEFAULT, key="k", bind="query-params", on_change=_reset_scene
    )
    names = sc.names(k)
    true_name = st.selectbox(
        "True class", names, index=names.index(sc.TRUE_DEFAULT), key="true", bind="query-params"
    )
    true = names.index(true_name) if true_name in names else names.index(sc.TRUE_DEFAULT)
    temperature = st.slider(
        "Temperature T", *sc.T_RANGE, 1.0, 0.1, key="T", bind="query-params", help="Softmax of z / T."
    )
    eps = st.slider("Label smoothing ε", 0.0, 0.5, EPS_DEFAULT, 0.05, key="eps", bind="query-params")
    st.button("Reset logits", key="mc_reset_logits", on_click=_reset_logits, width="stretch")
    st.button(
        "Reset everything",
        key="mc_reset",
        on_click=_reset_all,
        icon=":material/restart_alt:",
        width="stretch",
    )

version = state.get("mc_version", 0)


def _sync_url(values: dict[str, str | None]) -> None:
    q = st.query_params
    for key, value in values.items():
        if value is None:
            q.pop(key, None)
        elif q.get(key) != value:
            q[key] = value


def _metric(label: str, value: float, deltas: dict, name: str, help: str | None = None) -> None:
    d = deltas.get(name)
    st.metric(label, _fmt(value), delta=None if not d else _fmt(d), delta_color="inverse", help=help)


def _target_editor(k_now: int) -> tuple[np.ndarray, list[float]]:
    """One editable row: the target P. Returns P as a distribution and the row as typed."""
    base = state.mc_base_p
    if base is None or len(base) != k_now:  # e.g. a link whose k disagreed with its P
        base = sc.default_target(k_now, 1)
    edited = st.data_editor(
        pd.DataFrame([base], columns=names),
        key=f"mc_P_{k_now}_{version}",
        hide_index=True,
        column_config={
            n: st.column_config.NumberColumn(min_value=0.0, max_value=1.0, step=0.01) for n in names
        },
    )
    typed = [float(v) if v is not None and not pd.isna(v) else math.nan for v in edited.iloc[0].tolist()]
    p, why = sc.normalise(typed)
    if p is None:
        st.warning(f"{why} Using the default target instead.")
        typed = sc.default_target(k_now, 1)
        p, why = sc.normalise(typed)
    if why:
        st.caption(why)
    return p, typed


def _batch_editor(k_now: int) -> tuple[np.ndarray, np.ndarray, int]:
    """The batch table (logits per class, true class): the complete rows, and how many were left out."""
    if state.mc_base_batch is not None and state.mc_base_batch[0].shape[1] == k_now:
        z0, y0 = state.mc_base_batch
    else:  # no batch in the link, or one for another number of classes
        z0, y0 = sc.default_batch(k_now)
    df = pd.DataFrame(z0, columns=names)
    df.insert(0, "true class", [names[int(i)] for i in y0])
    lo, hi = sc.B_RANGE
    edited = st.data_editor(
        df,
        key=f"mc_batch_{k_now}_{version}",
        hide_index=True,
        num_rows="dynamic",
        column_config={
            "true class": st.column_config.SelectboxColumn(options=names, required=True),
            **{
                n: st.column_config.NumberColumn(min_value=lo, max_value=hi, step=0.1, required=True)
                for n in names
            },
        },
    )
    edited = edited.head(sc.BATCH_MAX)
    complete = edited.dropna()
    complete = complete[complete["true class"].isin(names)]
    z = complete[names].to_numpy(dtype=float)
    labels = np.array([names.index(v) for v in complete["true class"]], dtype=int)
    return z, labels, len(edited) - len(complete)


# ---- the scene, totals and charts: one fragment, so a drag reruns only this ----------------------
@st.fragment
def explorer() -> None:
    base = (
        state.mc_base_z if state.mc_base_z is not None and len(state.mc_base_z) == k else sc.default_logits(k)
    )
    left, right = st.columns(2, gap="medium")
    with left:
        st.markdown("**Logits z** (drag a bar)")
        z = np.array(
            sc.quantize(
                drag_points(
                    key=Z_KEY,
                    handles=[
                        {
                            "x": i + 1,
                            "y": v,
                            "label": f"logit {n}",
                            "color": color_of("label_1") if i == true else None,
                        }
                        for i, (n, v) in enumerate(zip(names, base, strict=True))
                    ],
                    mode="bars",
                    connect="none",
                    x_range=(0.4, k + 0.6),
                    y_range=sc.Z_RANGE,
                    step=0.1,
                    height=320,
                    y_label="logit z",
                    x_ticks=[{"value": i + 1, "label": n} for i, n in enumerate(names)],
                )
            )
        )
    zt = (z / temperature)[None, :]  # the logits softmax sees
    q = softmax(zt)
    with right:
        st.markdown(f"**Softmax probabilities q = softmax(z / T)**, T = {temperature:g}")
        st.plotly_chart(
            charts.class_bars(
                names,
                {"q": q[0]},
                styles={"q": "probability"},
                y_title="probability",
                true_class=true,
                y_range=(0.0, 1.12),
                height=320,
            ),
            key="mc_probs",
            config={"displayModeBar": False},
        )
    st.caption(
        f"The true class, **{names[true]}**, is orange. A higher T flattens the probabilities; a lower T "
        "sharpens them towards the largest logit."
    )
    _sync_url({Q_LOGITS: sc.format_values(z) if list(z) != sc.default_logits(k) else None})

    y = sc.one_hot(true, k)
    lab = np.array([true])
    values = {
        "ce": CE.cost(y, q),
        "ce_eps": CE.cost(y, q, label_smoothing=eps),
        "sparse": SPARSE.cost(lab, q),
        "softmax_ce": SOFTMAX_CE.cost(lab, zt),
    }

    st.subheader("Cross-entropy, four ways")
    c = st.columns(4)
    prev = state.get("mc_values", {})
    deltas = state.get("mc_deltas", {})
    # KL and the batch join the same bookkeeping further down; deltas are computed there once for all
    with c[0]:
        ce_slot = st.empty()
    with c[1]:
        ce_eps_slot = st.empty()
    with c[2]:
        sparse_slot = st.empty()
    with c[3]:
        sce_slot = st.empty()
    q_true = float(q[0, true])
    st.markdown(
        f"**Sparse CE = one-hot CE.** Both are −log q of the true class: −log {q_true:.4f} = "
        f"{_fmt(values['sparse'])}. The sparse form takes the class index ({true}, *{names[true]}*) instead "
        "of a one-hot row; the number is the same. Softmax CE computes it from the logits directly "
        "(log-sum-exp), which stays exact even when q of the true class rounds to 0."
    )
    st.caption(
        f"With label smoothing the target is ỹ = y(1 − ε) + ε/k: {1 - eps + eps / k:.3f} on {names[true]}, "
        f"{eps / k:.3f} on each other class. Its minimum is no longer 0, and it stops pushing q all the "
        "way to 1."
    )

    grad = SOFTMAX_CE.per_sample_derivative(lab, zt)[0]
    grad_eps = SOFTMAX_CE.per_sample_derivative(lab, zt, label_smoothing=eps)[0]
    c1, c2 = st.columns(2, gap="medium")
    with c1:
        st.markdown("**Gradient with respect to each logit: q − y**")
        st.plotly_chart(
            charts.class_bars(
                names,
                {"one-hot: q − y": grad, f"smoothed (ε = {eps:g}): q − ỹ": grad_eps},
                styles={
                    "one-hot: q − y": "softmax_cross_entropy",
                    f"smoothed (ε = {eps:g}): q − ỹ": "smoothed",
                },
                y_title="∂ℓ/∂(z/T)",
                true_class=true,
                y_range=(-1.15, 1.15),
                height=340,
                decimals=2,
            ),
            key="mc_grad",
            config={"displayModeBar": False},
        )
        st.caption(
            "Gradient descent moves each logit against its bar: the true class up, every other class down, "
            "each in proportion to the probability it wrongly holds. The bars sum to 0. With respect to z "
            "itself the gradient is (q − y) / T."
        )

    # ---- KL divergence between an editable target P and the prediction Q ------------------------------
    with c2:
        st.markdown("**Target P** (edit a cell) **against the prediction Q = q**")
        p, typed = _target_editor(k)
        st.plotly_chart(
            charts.class_bars(
                names,
                {"P (target)": p, "Q (prediction)": q[0]},
                styles={"P (target)": "target", "Q (prediction)": "probability"},
                y_title="probability",
                y_range=(0.0, 1.15),
                height=280,
                decimals=2,
            ),
            key="mc_pq",
            config={"displayModeBar": False},
        )
    default_p = sc.default_target(k, 1)
    _sync_url({Q_TARGET: sc.format_values(typed, sc.P_DECIMALS) if typed != default_p else None})
    P = p[None, :]
    values["kl_pq"] = KL.cost(P, q)
    values["kl_qp"] = KL.cost(q, P)
    entropy = CE.cost(P, P)  # H(P) = CE(P, P)
    cross = CE.cost(P, q)

    st.subheader("KL divergence is not symmetric")
    c = st.columns([1, 1, 2])
    with c[0]:
        kl_pq_slot = st.empty()
    with c[1]:
        kl_qp_slot = st.empty()
    with c[2]:
        st.markdown(
            f"KL(P‖Q) = {_fmt(values['kl_pq'])} but KL(Q‖P) = {_fmt(values['kl_qp'])}. KL(P‖Q) weighs each "
            "class by P: it punishes Q for missing what P expects. KL(Q‖P) weighs by Q: it punishes Q for "
            f"putting mass where P has little. Also KL(P‖Q) = CE(P, Q) − H(P) = {_fmt(cross)} − "
            f"{_fmt(entropy)}, so in Q it has the gradient of cross-entropy."
        )
        if np.any(p == 0):
            st.caption(
                "P has a zero: KL(Q‖P) divides by it, so the core clips P at machine epsilon and the value "
                "becomes huge. Give every class a little mass to see a finite divergence."
            )

    # ---- a batch: loss per sample, cost = the mean ----------------------------------------------------
    st.subheader("A batch: the loss is per sample, the cost is the mean")
    c1, c2 = st.columns([3, 2], gap="medium")
    with c1:
        st.markdown("Logits of a few samples and their true class (edit cells, add or delete rows).")
        bz, blab, dropped = _batch_editor(k)
        if dropped:
            st.caption(f"{dropped} incomplete row(s) left out until every cell is filled.")
    if len(blab):
        _sync_url({Q_BATCH: sc.format_batch(bz, blab) if not _is_default_batch(bz, blab) else None})
        per_row = SOFTMAX_CE.per_sample(blab, bz)
        values["batch"] = SOFTMAX_CE.cost(blab, bz)
        bq = softmax(bz)[np.arange(len(blab)), blab]
        with c2:
            batch_slot = st.empty()
            st.dataframe(
                pd.DataFrame(
                    {
                        "row": np.arange(1, len(blab) + 1),
                        "true class": [names[i] for i in blab],
                        "q of the true class": bq,
                        "loss ℓ (CE)": per_row,
                    }
                ),
                hide_index=True,
                key="mc_batch_losses",
                column_config={
                    "q of the true class": st.column_config.NumberColumn(format="%.4f"),
                    "loss ℓ (CE)": st.column_config.NumberColumn(format="%.4f"),
                },
            )
            total = float(per_row.sum())
            worst = int(np.argmax(per_row))
            share = 100 * per_row[worst] / total if total > 0 else 0.0
            st.markdown(
                f"Cost J = (1/{len(blab)}) Σ ℓᵢ = {_fmt(total)} / {len(blab)} = **{_fmt(values['batch'])}**. "
                f"Training lowers J, the mean; row {worst + 1} alone makes up {share:.0f}% of it."
            )
            st.caption("Softmax cross-entropy on these logits as typed (temperature 1).")
    else:
        with c2:
            batch_slot = st.empty()
            st.info("Add a complete row to see each sample's loss and their mean, the cost.")

    # deltas since the last interaction, for every metric at once
    if prev and any(prev.get(n) != v for n, v in values.items()):
        deltas = {n: v - prev[n] if n in prev else None for n, v in values.items()}
    state.mc_values, state.mc_deltas = values, deltas
    with ce_slot.container():
        _metric("CE (one-hot)", values["ce"], deltas, "ce", CE.summary)
    with ce_eps_slot.container():
        _metric(f"CE (smoothed, ε = {eps:g})", values["ce_eps"], deltas, "ce_eps")
    with sparse_slot.container():
        _metric("sparse CE", values["sparse"], deltas, "sparse", SPARSE.summary)
    with sce_slot.container():
        _metric("softmax CE (logits)", values["softmax_ce"], deltas, "softmax_ce", SOFTMAX_CE.summary)
    with kl_pq_slot.container():
        _metric("KL(P‖Q)", values["kl_pq"], deltas, "kl_pq")
    with kl_qp_slot.container():
        _metric("KL(Q‖P)", values["kl_qp"], deltas, "kl_qp")
    if "batch" in values:
        with batch_slot.container():
            _metric(f"cost J (mean of {len(blab)})", values["batch"], deltas, "batch")


def _is_default_batch(z: np.ndarray, labels: np.ndarray) -> bool:
    dz, dl = sc.default_batch(k)
    return z.shape == dz.shape and bool(np.array_equal(z, dz)) and bool(np.array_equal(labels, dl))


explorer()

# ---- the losses' formulas and what each is good and bad at ------------------------------------------
st.subheader("The losses on this page")
for spec in (CE, SPARSE, SOFTMAX_CE, KL):
    with st.expander(spec.title, expanded=False):
        st.latex(spec.formula)
        st.markdown(f"{spec.summary}  \n**Good:** {spec.good}  \n**Bad:** {spec.bad}")
