"""Multi-class scenes: k named classes, one sample's logits, a target distribution P, and a small batch.

Everything here is pure and deterministic; the URL form of each piece is parsed with warnings, so a link
restores exactly what was on screen and a hostile link yields the defaults plus what to tell the user.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence

import numpy as np

import losses
from losses import softmax
from scenes.text import quote
from scenes.url import check_choice, check_float, check_int  # noqa: F401  (one set of URL checks)

K_MIN, K_MAX, K_DEFAULT = 3, 10, 4
Z_RANGE = (-6.0, 6.0)  # logits a user can drag to (and a URL may carry)
DECIMALS = 2  # logits are kept to this many decimals, so a URL holds them exactly
P_DECIMALS = 3  # the target distribution P
NAMES = ("cat", "dog", "bird", "fish", "horse", "frog", "deer", "ship", "truck", "plane")
TRUE_DEFAULT = "dog"  # the default true class: the model's favourite (cat) is wrong
_LOGITS = (2.0, 1.0, 0.2, -0.5, -1.0, 0.5, -1.5, 1.5, -2.0, 0.0)
BATCH_ROWS, BATCH_MAX = 4, 12
T_RANGE = (0.1, 5.0)
B_RANGE = (-100.0, 100.0)  # batch logits typed in the table (and carried by a URL)


def parse_k(text: str | None) -> int:
    """The number of classes a link gives, or the default when it is absent or unusable."""
    try:
        k = int(text if text is not None else K_DEFAULT)
    except ValueError:
        return K_DEFAULT
    return k if K_MIN <= k <= K_MAX else K_DEFAULT


def names(k: int) -> list[str]:
    return list(NAMES[:k])


def default_logits(k: int) -> list[float]:
    return list(_LOGITS[:k])


def default_target(k: int, true: int) -> list[float]:
    """A soft target P: 0.7 on the true class, the rest shared evenly (rounded, then made to sum to 1)."""
    rest = round(0.3 / (k - 1), P_DECIMALS)
    p = [rest] * k
    p[true] = round(1.0 - rest * (k - 1), P_DECIMALS)
    return p


def normalise(p) -> tuple[np.ndarray | None, str]:
    """P as a distribution: non-negative, divided by its sum; None and the reason when it cannot be one."""
    a = np.asarray(p, dtype=float)
    if a.ndim != 1 or not np.all(np.isfinite(a)):
        return None, "Every entry of P must be a number."
    if np.any(a < 0):
        return None, "P cannot have negative entries."
    if a.max() > 1e300:
        return None, "P's entries must be below 1e300."
    total = float(a.sum())
    if total <= 0:
        return None, "P needs at least one positive entry."
    if abs(total - 1.0) > 1e-9:
        why = f"P summed to {total:.4g}; it is divided by that sum so that it is a distribution."
        return losses.normalise_rows(a[None, :])[0], why
    return a, ""


def one_hot(true: int, k: int) -> np.ndarray:
    """The one-hot target row for class ``true`` (shape (1, k))."""
    return losses.one_hot(np.array([true]), k)


def default_batch(k: int, seed: int = 0, rows: int = BATCH_ROWS) -> tuple[np.ndarray, np.ndarray]:
    """A few samples' logits (rows, k) and true labels (rows,): some confident and right, one badly wrong."""
    rng = np.random.default_rng(seed + 11)
    labels = rng.integers(0, k, rows)
    z = np.round(rng.normal(0.0, 1.0, (rows, k)), 1)
    z[np.arange(rows), labels] += np.round(np.linspace(3.0, -1.0, rows), 1)  # from confident to wrong
    return np.round(z, 1) + 0.0, labels.astype(int)


def quantize(values, decimals: int = DECIMALS, limits: tuple[float, float] = Z_RANGE) -> list[float]:
    lo, hi = limits
    return [round(min(max(float(v), lo), hi), decimals) + 0.0 for v in values]


# ---- URL form --------------------------------------------------------------------------------------
def format_values(values, decimals: int = DECIMALS) -> str:
    return ",".join(f"{v:.{decimals}f}".rstrip("0").rstrip(".") or "0" for v in values)


def _floats(text: str) -> list[float] | None:
    try:
        values = [float(v) for v in text.split(",")]
    except ValueError:
        return None
    return values if all(math.isfinite(v) for v in values) else None


def parse_logits(text: str | None, k: int) -> tuple[list[float] | None, list[str]]:
    if not text:
        return None, []
    values = _floats(text)
    lo, hi = Z_RANGE
    if values is None:
        return None, [f"The link's logits ({quote(text)}) are not all numbers; showing the defaults instead."]
    if len(values) != k:
        return None, [f"The link has {len(values)} logits for {k} classes; showing the defaults instead."]
    if not all(lo <= v <= hi for v in values):
        return None, [f"The link's logits must lie in [{lo:g}, {hi:g}]; showing the defaults instead."]
    return quantize(values), []


def parse_target(text: str | None, k: int) -> tuple[list[float] | None, list[str]]:
    if not text:
        return None, []
    values = _floats(text)
    if values is None or len(values) != k:
        return None, [
            f"The link's target P ({quote(text)}) is not {k} numbers; showing the default target instead."
        ]
    rounded = [round(float(v), P_DECIMALS) for v in values]  # what the editor will hold: check that
    p, why = normalise(rounded)
    if p is None:
        return None, [f"The link's target P cannot be used: {why} Showing the default target instead."]
    return rounded, []


def format_batch(z: np.ndarray, labels: np.ndarray) -> str:
    """Rows as ``z1,z2,...,zk:label`` joined by ``;`` (label: the class index)."""
    return ";".join(f"{format_values(row)}:{int(lab)}" for row, lab in zip(z, labels, strict=True))


def parse_batch(text: str | None, k: int) -> tuple[tuple[np.ndarray, np.ndarray] | None, list[str]]:
    if not text:
        return None, []
    warn = [f"The link's batch ({quote(text)}) could not be read; showing the default batch instead."]
    rows, labels = [], []
    items = text.split(";")
    if len(items) > BATCH_MAX:
        return None, [f"The link's batch has {len(items)} rows; at most {BATCH_MAX} are allowed."]
    for item in items:
        head, sep, lab = item.partition(":")
        values = _floats(head)
        # isdecimal and isascii, not isdigit: "²" is a digit to Python but not an int
        if (
            not sep
            or values is None
            or len(values) != k
            or not (lab.isascii() and lab.isdecimal())
            or int(lab) >= k
        ):
            return None, warn
        lo, hi = B_RANGE
        if not all(lo <= v <= hi for v in values):
            return None, warn
        rows.append(quantize(values, limits=B_RANGE))
        labels.append(int(lab))
    return (np.array(rows, dtype=float), np.array(labels, dtype=int)), []


# ---- the numbers a page shows, from the core ---------------------------------------------------------
def is_default_batch(z: np.ndarray, labels: np.ndarray, k: int) -> bool:
    dz, dl = default_batch(k)
    return z.shape == dz.shape and bool(np.array_equal(z, dz)) and bool(np.array_equal(labels, dl))


def on_sample(name: str, true: int, k: int, zt: np.ndarray, q: np.ndarray, **params: float) -> float:
    """A loss's cost on the one sample: its target as the loss takes it (the class index, or the one-hot row)
    and its prediction (the probabilities q, or the logits z/T)."""
    spec = losses.get(name)
    target = np.array([true]) if spec.y_true == "class_labels" else one_hot(true, k)
    return spec.cost(target, q if spec.y_pred == "distributions" else zt, **params)


def batch_rows(z: np.ndarray, labels: np.ndarray, names_: list[str], fmt) -> tuple[dict, float, str]:
    """The batch's table (each row's true class, q of it and its softmax CE), the cost, and the sentence
    saying what the cost is and which row dominates it (numbers from the core's softmax_cross_entropy)."""
    spec = losses.get("softmax_cross_entropy")
    per_row = spec.per_sample(labels, z)
    cost = spec.cost(labels, z)
    q_true = softmax(z)[np.arange(len(labels)), labels]
    table = {"row": np.arange(1, len(labels) + 1), "true class": [names_[i] for i in labels],
             "q of the true class": q_true, "loss ℓ (CE)": per_row}  # fmt: skip
    total, n = float(per_row.sum()), len(per_row)
    worst = int(np.argmax(per_row))
    share = 100 * per_row[worst] / total if total > 0 else 0.0
    sentence = (
        f"Cost J = (1/{n}) Σ ℓᵢ = {fmt(total)} / {n} = **{fmt(cost)}**. Training lowers J, the mean; row "
        f"{worst + 1} alone makes up {share:.0f}% of it."
    )
    return table, cost, sentence


#: Nodes of the per-logit preview tables: every 0.25 over the logits' range (linear interpolation).
PREVIEW_NODES = 49


def preview(z: Sequence[float], true: int, temperature: float, eps: float, p: Sequence[float], *,
            metrics: Mapping[str, str], bars: Mapping[str, str]) -> dict:  # fmt: skip
    """What the logits' drag chart needs to preview this page while one logit moves (scenes.live): each
    number as a function of each logit, the others held where they are, tabulated by the core. ``metrics``:
    the keys of the metrics' containers by quantity ("ce", "ce_eps", "sparse", "softmax_ce", "kl_pq",
    "kl_qp"); ``bars``: the keys of the charts whose trace of that name shows q. These tables change with
    every drag (they depend on the other logits), so they travel with the chart, not with the cached
    library element."""
    from scenes.live import table  # scenes.live imports no page module: no cycle

    z, p = np.asarray(z, dtype=float), np.asarray(p, dtype=float)
    k = len(z)
    grid = np.linspace(*Z_RANGE, PREVIEW_NODES)
    y, lab = np.tile(one_hot(true, k), (len(grid), 1)), np.full(len(grid), true)
    names = ("categorical_cross_entropy", "sparse_categorical_cross_entropy", "softmax_cross_entropy",
             "kl_divergence")  # fmt: skip
    ce, sparse, softmax_ce, kl = (losses.get(n) for n in names)
    P = np.tile(p, (len(grid), 1))
    tables: dict[str, dict] = {"grid": table(lambda x: x, None, grid)}
    for h in range(k):
        zz = np.tile(z, (len(grid), 1))
        zz[:, h] = grid
        zt = zz / temperature
        q = softmax(zt)
        values = {"ce": ce.per_sample(y, q), "ce_eps": ce.per_sample(y, q, label_smoothing=eps),
                  "sparse": sparse.per_sample(lab, q), "softmax_ce": softmax_ce.per_sample(lab, zt),
                  "kl_pq": kl.per_sample(P, q), "kl_qp": kl.per_sample(q, P)}  # fmt: skip
        values |= {f"q{j}": q[:, j] for j in range(k)}
        for name, v in values.items():
            tables[f"{name}@{h}"] = table(lambda _x, v=v: v, None, grid, grid="grid", digits=6)
    quantities = [{"name": n, "metric": key} for n, key in metrics.items()]
    quantities += [{"name": f"q{j}", "metric": None} for j in range(k)]
    return {"mode": "handles", "own_tables": tables, "quantities": quantities, "decimals": DECIMALS,
            "bars": [{"chart": key, "trace": trace, "points": [f"q{j}" for j in range(k)]}
                     for key, trace in bars.items()]}  # fmt: skip


def sparse_note(q_true: float, sparse: str, true: int, true_name: str) -> str:
    """Why sparse and one-hot cross-entropy are one number (under the four CE metrics)."""
    return (
        f"**Sparse CE = one-hot CE.** Both are −log q of the true class: −log {q_true:.4f} = {sparse}. The "
        f"sparse form takes the class index ({true}, *{true_name}*) instead of a one-hot row; the number is "
        "the same. Softmax CE computes it from the logits directly (log-sum-exp), which stays exact even "
        "when q of the true class rounds to 0."
    )


def edited_row(base: Sequence[float], columns: Sequence[str], editor_state) -> list[float]:
    """The one-row table editor's values as the user has edited them (``st.data_editor`` keeps the edits in
    its state as ``{"edited_rows": {0: {column: value}}}``): what the editor will return this run, known
    before it is drawn. Cells cleared or not numbers are NaN, as the editor gives them."""
    row = [float(v) for v in base]
    edits = (editor_state or {}).get("edited_rows", {}) if isinstance(editor_state, dict) else {}
    for column, value in (edits.get(0) or edits.get("0") or {}).items():
        if column in columns:
            try:
                row[list(columns).index(column)] = math.nan if value is None else float(value)
            except (TypeError, ValueError):
                row[list(columns).index(column)] = math.nan
    return row
