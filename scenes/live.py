"""What the browser needs to follow a drag live, without a loss formula of its own.

While a handle moves, the drag widget (components/drag_points) previews every number and mark that depends
on it: the totals, each point's share bars, its marks on the loss and derivative curves. It only *looks up*:
the core's per-sample value and derivative of each loss tabulated over the quantity a handle moves (the
residual r, the margin m), the scalar finish of a cost that is not a plain mean (RMSE's square root), and a
linear map from the handles to each sample's argument. It interpolates (cubic Hermite where the table holds
the derivative of the tabulated value, else linear), re-sums, and after pointer-up the server's exact values
replace the preview.

Two parts, sent apart by the widget: the tables (the same across drags of one scene, so Streamlit's message
cache sends them once) and the rest (the samples' maps and exact values, a few numbers per sample).
"""

from __future__ import annotations

import math
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np

import losses
from losses.custom import CustomLoss
from scenes.own import Own, resolve, uses

Fn = Callable[[np.ndarray], np.ndarray]
#: Significant digits kept in a table: far below what a preview shows, and a third of the bytes of repr().
DIGITS = 9
#: Nodes of a table over an unbounded quantity (sinh-spaced: dense near 0, sparse far out).
NODES = 241


def _json(values: np.ndarray, digits: int = DIGITS) -> list[float | None]:
    """Floats with ``digits`` significant digits; not-finite values (a loss undefined there) as None."""
    out: list[float | None] = []
    for v in np.asarray(values, dtype=float).tolist():
        out.append(float(f"{v:.{digits}g}") if math.isfinite(v) else None)
    return out


def sinh_nodes(limit: float, width: float, count: int = NODES, extra: Iterable[float] = ()) -> np.ndarray:
    """``count`` nodes over [−limit, limit], spaced like width·sinh(t) with t uniform (0 is a node), plus
    the ``extra`` points (a loss's kinks: ±δ) — sorted, duplicates removed."""
    top = math.asinh(limit / width)
    t = np.linspace(-top, top, count | 1)  # odd: t = 0, so r = 0 (L1's kink) is a node
    nodes = width * np.sinh(t)
    nodes[len(nodes) // 2] = 0.0
    pts = [v for v in extra if math.isfinite(v) and -limit < v < limit]
    return np.unique(np.concatenate([nodes, np.asarray(pts, dtype=float)]))


def table(value: Fn, slope: Fn | None, nodes: np.ndarray, *, jump_at: Sequence[float] = (),
          grid: str | None = None, digits: int = DIGITS) -> dict[str, Any]:  # fmt: skip
    """``value`` (and ``slope``, its derivative in the node variable, for Hermite interpolation; None: linear)
    at ``nodes``. A point of ``jump_at`` (a kink: L1's at r = 0; a step: the 0-1 loss's at m = 0) appears
    twice, evaluated just left and just right of it, so the browser never interpolates across it and each
    side has its own slope. ``grid``: the name of a table with the same nodes, whose ``x`` this one shares
    (fewer bytes for many tables over one grid); ``digits``: significant digits kept."""
    x = np.asarray(nodes, dtype=float)
    for j in jump_at:
        x = np.sort(np.concatenate([x[x != j], [j, j]]))
    right = np.zeros(len(x), dtype=bool)
    right[1:] = x[1:] == x[:-1]  # the second copy of a jump point
    left = np.zeros(len(x), dtype=bool)
    left[:-1] = right[1:]
    at = np.where(right, np.nextafter(x, np.inf), np.where(left, np.nextafter(x, -np.inf), x))
    with np.errstate(all="ignore"):
        f = np.asarray(value(at), dtype=float)
        out: dict[str, Any] = {"x": grid or _json(x), "f": _json(f, digits)}
        if slope is not None:
            out["df"] = _json(np.asarray(slope(at), dtype=float), digits)
    return out


def _safe(fn: Callable[[], np.ndarray], size: int) -> np.ndarray:
    """The core's values, or NaN where it refuses (a loss undefined on part of a table: MSLE at ŷ ≤ −1)."""
    try:
        return fn()
    except losses.LossInputError:
        return np.full(size, np.nan)


def pointwise(spec: losses.LossSpec, params: Mapping[str, float], y: float, over: str) -> tuple[Fn, Fn]:
    """The per-sample loss and its derivative dℓ/dŷ as functions of one variable: the prediction ŷ at the
    target ``y`` (``over="yhat"``), or the target at the prediction ``y`` (``over="y"``). Points where the
    loss is undefined are NaN."""

    if isinstance(spec, CustomLoss):  # a formula: NaN where it is undefined, the rest tabulated
        fns = (lambda t, p, **kw: spec.on_grid(t, p, **kw)[0], lambda t, p, **kw: spec.on_grid(t, p, **kw)[1])
    else:
        fns = (spec.per_sample, spec.per_sample_derivative)

    def value(v: np.ndarray) -> np.ndarray:
        return _grid(fns[0], v)

    def slope(v: np.ndarray) -> np.ndarray:
        return _grid(fns[1], v)

    def _grid(fn, v: np.ndarray) -> np.ndarray:
        v = np.asarray(v, dtype=float)
        fixed = np.full_like(v, y)
        t, p = (fixed, v) if over == "yhat" else (v, fixed)
        out = np.full(len(v), np.nan)
        ok = np.ones(len(v), dtype=bool)
        if spec.y_true == "values_gt_m1":  # the core refuses a block with a value ≤ −1: tabulate the rest
            ok = (t > -1) & (p > -1)
        if ok.any():
            out[ok] = _safe(lambda: fn(t[ok], p[ok], **params), int(ok.sum()))
        return out

    return value, slope


def finish_table(spec: losses.LossSpec, top: float) -> dict[str, Any] | None:
    """A cost's finish (RMSE's √ of the mean) over [0, top] on log-spaced nodes, with its slope; None for
    a plain mean."""
    if spec.finish is None:
        return None
    top = max(float(top), 1.0)
    nodes = np.concatenate([[0.0], np.geomspace(1e-12, top * 1.01, 400)])
    fin, fslope = spec.finish, spec.finish_slope

    def value(m: np.ndarray) -> np.ndarray:
        return np.array([fin(float(v)) for v in m])

    def slope(m: np.ndarray) -> np.ndarray | None:
        return np.array([fslope(float(v)) if v > 0 else 0.0 for v in m]) if fslope else None

    return table(value, slope if fslope else None, nodes)


@dataclass
class Preview:
    """The preview of one drag chart: tables by name, each sample's argument as a linear map of the handles,
    each loss's table per sample, the metrics and the chart traces to update."""

    tables: dict[str, dict[str, Any]] = field(default_factory=dict)
    units: list[dict[str, Any]] = field(default_factory=list)
    losses: list[dict[str, Any]] = field(default_factory=list)
    series: list[dict[str, Any]] = field(default_factory=list)
    metrics: str | None = None
    #: The decimals the server rounds a moved handle to (the preview uses the same value), or None.
    decimals: int | None = None
    #: Each sample's argument now (its residual, its margin), exactly; and its name (the marks' tooltips).
    args: list[float | None] = field(default_factory=list)
    labels: list[str] = field(default_factory=list)
    #: The marks' size relative to the charts' (presenter view: 1.6).
    scale: float = 1.0

    def unit(self, handles: Sequence[tuple[int, float]], offset: float, pre: str | None = None) -> None:
        """A sample whose argument is offset + Σ c·(handle k's value, through table ``pre`` if given)."""
        self.units.append({"h": [[int(k), float(c)] for k, c in handles], "o": float(offset), "pre": pre})

    def loss(self, name: str, per_unit: Sequence[tuple[str, float, float]], exact: Sequence[float],
             slope: Sequence[float] | None = None, finish: str | None = None,
             metric: int | None = None) -> None:  # fmt: skip
        """Loss ``name``: for each sample the table it is read from at scale·argument + shift, its exact
        per-sample values and slopes (the derivative the charts show) now, the finish table (or None) and
        the index of its metric in the row."""
        self.losses.append({"name": name, "units": [[t, float(a), float(b)] for t, a, b in per_unit],
                            "exact": _json(np.asarray(exact, dtype=float)),
                            "exact_d": None if slope is None else _json(np.asarray(slope, dtype=float)),
                            "finish": finish, "metric": metric})  # fmt: skip

    def marks(self, chart: str, loss: str, y: str, units: Sequence[int], color: str, *,
              x: Sequence[str] | None = None, wrong_at: float | None = None) -> None:  # fmt: skip
        """Marks the widget draws over Plotly chart ``chart`` (its figure holds the static curves only, so a
        drag never redraws it): one per sample of ``units``, at y = the loss's value ("f") or derivative
        ("df") and x = the sample's argument (or the value of table ``x[sample]``), in ``color``; drawn as a
        cross while the argument is ≤ ``wrong_at`` (a misclassified sample)."""
        self.series.append({"chart": chart, "loss": loss, "y": y, "units": [int(u) for u in units],
                            "x": None if x is None else list(x), "color": color, "wrong_at": wrong_at,
                            "kind": "scatter"})  # fmt: skip

    def bars(self, chart: str, tag: str, loss: str) -> None:
        """The bars of chart ``chart`` whose trace ``meta`` is ``{"live": tag, "ids": [sample, ...]}``
        (charts.style.live_meta) follow each sample's share of the loss's total (in %) during a drag."""
        self.series.append({"chart": chart, "tag": tag, "loss": loss, "y": "share", "kind": "bar"})

    def data(self) -> dict[str, Any]:
        """For ``drag_points(live=...)``: the tables (it sends them with its cached library element) and the
        rest (with the chart, every run)."""
        return {"tables": self.tables, "units": self.units, "losses": self.losses, "series": self.series,
                "metrics": self.metrics, "decimals": self.decimals, "args": self.args, "labels": self.labels,
                "scale": self.scale}  # fmt: skip


def _kinks(params: Mapping[str, float]) -> list[float]:
    """Where a loss may bend (±δ, ±c): extra table nodes, so its pieces meet at a node."""
    out = []
    for v in params.values():
        if math.isfinite(v) and v > 0:
            out += [v, -v]
    return out


def regression(what: str, params: Mapping[str, Mapping[str, float]], x: Sequence[float], y: Sequence[float],
               preds: Sequence[float], handle_x: Sequence[float], *, limit: float, keys: Mapping[str, str],
               drawn: Sequence[str], shared: Sequence[str], decimals: int | None = None,
               labels: Sequence[str] = (), color: Callable[[str], str] = lambda n: "gray", scale: float = 1.0,
               own: Own | None = None) -> Preview:  # fmt: skip
    """The regression explorer's preview of the losses ``params`` (name → its parameters, in the order of
    the metrics). ``what``: the handles are the predictions ("free"), the line's two ends at ``handle_x``
    ("line") or the targets ("targets"); ``limit``: how far a handle can go; ``keys``: the metrics row and
    the charts ("metrics_row", "shares", "curves", "influence"); ``drawn``: the losses with marks on the
    residual curves; ``shared``: those in the share bars; ``decimals``: what a moved handle is rounded to;
    ``labels``, ``color`` and ``scale``: the marks' names, each loss's colour and their size; ``own``: the
    page's loss of the user's own (one of ``params``, by its name)."""
    pv = Preview(metrics=keys["metrics_row"], decimals=decimals, labels=list(labels), scale=scale)
    x, y, preds = (np.asarray(v, dtype=float) for v in (x, y, preds))
    n = len(y)
    pv.args = _json(preds - y)
    for i in range(n):
        if what == "free":
            pv.unit([(i, 1.0)], -y[i])
        elif what == "line":
            lam = (x[i] - handle_x[0]) / (handle_x[1] - handle_x[0])
            pv.unit([(0, 1.0 - lam), (1, lam)], -y[i])
        else:
            pv.unit([(i, -1.0)], preds[i])
    r_limit = 2 * limit + 1.0
    for k, (name, kw) in enumerate(params.items()):
        spec, kw = resolve(name, own), dict(kw)
        if spec.y_true == spec.y_pred == "values" and not uses(spec, "y", "yhat"):  # r alone: one table
            tab = f"r:{name}"
            value, slope = pointwise(spec, kw, 0.0, "yhat")
            nodes, kinks = sinh_nodes(r_limit, 1.0), [0.0, *_kinks(kw)]
            pv.tables[tab] = table(value, slope, nodes, jump_at=kinks) | {"h": True}
            per_unit = [(tab, 1.0, 0.0)] * n
        else:  # one table per sample, over its prediction (or its target, when the targets move)
            per_unit = []
            for i in range(n):
                tab = f"u{i}:{name}"
                over = "y" if what == "targets" else "yhat"
                value, slope = pointwise(spec, kw, preds[i] if over == "y" else y[i], over)
                pv.tables[tab] = table(value, slope, sinh_nodes(limit, 1.0)) | {"h": over == "yhat"}
                per_unit.append((tab, -1.0, preds[i]) if over == "y" else (tab, 1.0, y[i]))
        exact = _safe(lambda spec=spec, kw=kw: spec.per_sample(y, preds, **kw), n)
        slope = _safe(lambda spec=spec, kw=kw: spec.per_sample_derivative(y, preds, **kw), n)
        finish = None
        if spec.finish is not None:
            top = max(v for t in {p[0] for p in per_unit} for v in pv.tables[t]["f"] if v is not None)
            finish = f"finish:{name}"
            pv.tables[finish] = finish_table(spec, top) | {"h": spec.finish_slope is not None}
        pv.loss(name, per_unit, exact, slope, finish=finish, metric=k)
    for name in shared:
        pv.bars(keys["shares"], name, name)
    for name in drawn:
        pv.marks(keys["curves"], name, "f", range(n), color(name))
        pv.marks(keys["influence"], name, "df", range(n), color(name))
    return pv


def binary(params: Mapping[str, Mapping[str, float]], labels: Sequence[float], scores: Sequence[float], *,
           as_prob: bool, keys: Mapping[str, str], marked: Sequence[str], labels_shown: Sequence[str] = (),
           color: Callable[[str], str] = lambda n: "gray", scale: float = 1.0,
           own: Own | None = None) -> Preview:  # fmt: skip
    """The binary explorer's preview of the losses ``params`` (name → parameters, in the order of the
    metrics) on samples with ``labels`` (in the page's convention) and ``scores``; the handles are the scores,
    or the probabilities σ(s) when ``as_prob``. Each loss is tabulated against the margin m = t·s for each
    label; ``marked``: the losses marked on the margin charts (``keys``: "metrics_row", "margin",
    "margin_slope", and the cross-entropy charts "bce" (against p) and "sce" (against s)); ``own``: the
    page's loss of the user's own (one of ``params``, by its name)."""
    from scenes import binary as bsc  # scenes.binary's on_scores: a loss on probabilities gets p = σ(s)

    labels, scores = np.asarray(labels, dtype=float), np.asarray(scores, dtype=float)
    t = bsc.as_pm1(labels)
    lab01 = (t > 0).astype(int)
    given = {int(k): float(labels[lab01 == k][0]) for k in (0, 1) if (lab01 == k).any()}
    pv = Preview(metrics=keys["metrics_row"], decimals=None if as_prob else bsc.DECIMALS,
                 labels=list(labels_shown), scale=scale, args=_json(t * scores))  # fmt: skip
    lo, hi = bsc.S_RANGE
    m = np.linspace(lo, hi, int(round((hi - lo) / 0.05)) + 1)  # a node every 0.05: m = 0 and m = 1 among them
    if as_prob:
        pv.tables["logit"] = {"x": _json(losses.sigmoid(m)), "f": _json(m)}
    for i, ti in enumerate(t):
        pv.unit([(i, float(ti))], 0.0, pre="logit" if as_prob else None)
    for lab in given:
        sign = 1.0 if lab == 1 else -1.0
        pv.tables[f"p{lab}"] = table(lambda v, sign=sign: losses.sigmoid(sign * v), None, m)
        pv.tables[f"s{lab}"] = table(lambda v, sign=sign: sign * v, None, m)
    for k, (name, kw) in enumerate(params.items()):
        for lab, y in given.items():
            sign = 1.0 if lab == 1 else -1.0

            def value(v, name=name, kw=kw, y=y, sign=sign):
                return bsc.on_scores(name, np.full(len(v), y), sign * v, own, **kw)[0]

            def slope(v, name=name, kw=kw, y=y, sign=sign):
                return sign * bsc.on_scores(name, np.full(len(v), y), sign * v, own, **kw)[1]

            pv.tables[f"m{lab}:{name}"] = table(value, slope, m, jump_at=(0.0,)) | {"h": True}
        exact, slope = bsc.on_scores(name, labels, scores, own, **kw)
        pv.loss(name, [(f"m{lab}:{name}", 1.0, 0.0) for lab in lab01], exact, t * slope, metric=k)
    everyone = range(len(t))
    for name in marked:
        pv.marks(keys["margin"], name, "f", everyone, color(name), wrong_at=0.0)
        pv.marks(keys["margin_slope"], name, "df", everyone, color(name), wrong_at=0.0)
    for lab in given:
        at = np.flatnonzero(lab01 == lab)
        pv.marks(keys["bce"], "binary_cross_entropy", "f", at, color(f"label_{lab}"), x=[f"p{lab}"] * len(t),
                 wrong_at=0.0)  # fmt: skip
        pv.marks(keys["sce"], "sigmoid_cross_entropy", "f", at, color(f"label_{lab}"), x=[f"s{lab}"] * len(t),
                 wrong_at=0.0)  # fmt: skip
    return pv
