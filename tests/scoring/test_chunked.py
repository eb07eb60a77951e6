"""Chunked scoring equals whole-file scoring (to 1e-12 relative) for every applicable loss."""

# ruff: noqa: B905

from __future__ import annotations

import csv
import io
import math

import numpy as np
import pytest

import losses
import scoring

N = 401  # with chunks of 7 rows: 58 chunks, the last one partial


def _csv(header, rows) -> bytes:
    buf = io.StringIO()
    w = csv.writer(buf, lineterminator="\n")
    w.writerow(header)
    w.writerows(rows)
    return buf.getvalue().encode()


def _files() -> dict[str, bytes]:
    rng = np.random.default_rng(7)
    y = rng.gamma(2.0, 2.0, N)  # positive: msle and poisson apply too
    out = {
        "regression": _csv(
            ["y_true", "y_pred"], zip(y.round(4), (y + rng.normal(0, 1, N)).clip(0.01).round(4))
        )
    }
    p = rng.uniform(0, 1, N).round(4)
    t = (rng.uniform(0, 1, N) < p).astype(int)
    out["binary_probabilities"] = _csv(["id", "y_true", "y_prob"], zip(range(1000, 1000 + N), t, p))
    out["binary_pm1_scores"] = _csv(["label", "score"], zip(2 * t - 1, rng.normal(0, 3, N).round(4)))
    names = np.array(["no", "yes"])
    out["binary_strings_logits"] = _csv(["truth", "logit_yes"], zip(names[t], rng.normal(0, 3, N).round(4)))
    k = 4
    z = rng.normal(0, 2, (N, k)).round(4)
    q = np.exp(z) / np.exp(z).sum(1, keepdims=True)
    lab = rng.integers(0, k, N)
    cls = np.array(["a", "b", "c", "d"])
    out["multiclass_probabilities"] = _csv(
        ["label"] + [f"prob_{c}" for c in cls], [[cls[i], *r] for i, r in zip(lab, q.tolist())]
    )
    out["multiclass_logits"] = _csv(
        ["y_true"] + [f"logit_{j}" for j in range(k)], [[i, *r] for i, r in zip(lab, z.tolist())]
    )
    soft = rng.dirichlet(np.ones(k), N)
    out["multiclass_distributions"] = _csv(
        [f"true_{c}" for c in cls] + [f"p_{c}" for c in cls],
        [[*a, *b] for a, b in zip(soft.tolist(), q.tolist())],
    )
    out["multiclass_distributions_logits"] = _csv(
        [f"true_{c}" for c in cls] + [f"logit_{c}" for c in cls],
        [[*a, *b] for a, b in zip(soft.tolist(), z.tolist())],
    )
    return out


FILES = _files()


@pytest.mark.parametrize("name", sorted(FILES))
def test_chunked_equals_whole(name):
    data = FILES[name]
    fmt, det = scoring.inspect(data)
    whole = scoring.score(data, fmt, det, chunksize=10**9)
    chunked = scoring.score(data, fmt, det, chunksize=7)
    assert not whole.skipped and not chunked.skipped
    assert whole.rows_scored == chunked.rows_scored == N
    assert set(whole.costs) == {p.name for p in scoring.plans(det)} and len(whole.costs) >= 2
    for loss, cost in whole.costs.items():
        assert math.isclose(chunked.costs[loss], cost, rel_tol=1e-12, abs_tol=1e-300), loss


@pytest.mark.parametrize("name", sorted(FILES))
def test_per_row_values_add_up_to_the_totals(name):
    data = FILES[name]
    fmt, det = scoring.inspect(data)
    result = scoring.score(data, fmt, det, chunksize=13, per_row=True)
    assert len(result.per_row) == N and result.per_row["row"].tolist() == list(range(1, N + 1))
    for loss, (total, count) in result.totals.items():
        assert count == N
        assert math.isclose(result.per_row[loss].sum(), total, rel_tol=1e-9), loss


def test_regression_matches_the_core_on_the_whole_arrays():
    data = FILES["regression"]
    fmt, det = scoring.inspect(data)
    result = scoring.score(data, fmt, det, chunksize=7, params={"delta": 0.7, "tau": 0.2})
    frame = np.loadtxt(io.BytesIO(data), delimiter=",", skiprows=1)
    t, p = frame[:, 0], frame[:, 1]
    for name in losses.names("regression"):
        spec = losses.get(name)
        kw = {k: v for k, v in {"delta": 0.7, "tau": 0.2}.items() if any(q.name == k for q in spec.params)}
        assert math.isclose(result.costs[name], spec.cost(t, p, **kw), rel_tol=1e-12), name


def test_binary_labels_are_mapped_once_for_the_whole_file():
    # -1/+1 in one chunk and only +1 in others: the core never sees a 0/1 vs -1/+1 mix
    data = FILES["binary_pm1_scores"]
    fmt, det = scoring.inspect(data)
    result = scoring.score(data, fmt, det, chunksize=1)
    frame = np.loadtxt(io.BytesIO(data), delimiter=",", skiprows=1)
    assert math.isclose(
        result.costs["hinge"], losses.get("hinge").cost(frame[:, 0], frame[:, 1]), rel_tol=1e-12
    )


def test_rmse_is_finished_after_merging():
    data = FILES["regression"]
    fmt, det = scoring.inspect(data)
    r = scoring.score(data, fmt, det, chunksize=5, loss_names=["mse", "rmse"])
    assert math.isclose(r.costs["rmse"], math.sqrt(r.costs["mse"]), rel_tol=1e-12)


def test_a_loss_outside_its_domain_is_skipped_with_the_row():
    data = b"y_true,y_pred\n1,2\n2,3\n3,-4\n4,5\n"
    fmt, det = scoring.inspect(data)
    r = scoring.score(data, fmt, det, chunksize=2)
    assert "msle" in r.skipped and "row 3" in r.skipped["msle"] and "'y_pred'" in r.skipped["msle"]
    assert "mse" in r.costs


def test_parameters_are_checked():
    data = FILES["regression"]
    fmt, det = scoring.inspect(data)
    with pytest.raises(scoring.ScoringError) as info:
        scoring.score(data, fmt, det, params={"delta": -1})
    assert info.value.kind == "loss" and "delta" in str(info.value)
    with pytest.raises(scoring.ScoringError):
        scoring.score(data, fmt, det, params={"gamma": 2})
    r = scoring.score(data, fmt, det, params={"huber.delta": 3.0})
    assert r.params["huber"]["delta"] == 3.0 and r.params["pseudo_huber"]["delta"] == 1.0


# -- which losses a file gets, and in what form -------------------------------------------------------
# Copied from the plans of the code that named the losses (before the rule moved to LossSpec.same_as), for
# every task x prediction kind x true kind x row fix: the rule on the specs' kinds gives these exactly.
_LOG_ODDS = "on the log-odds log(p / (1 - p)) of the probabilities"
_SOFTMAX = "on the softmax of the logits"
REGRESSION = (
    ("mse", "values", "values"),
    ("rmse", "values", "values"),
    ("mae", "values", "values"),
    ("msle", "values", "values"),
    ("huber", "values", "values"),
    ("pseudo_huber", "values", "values"),
    ("log_cosh", "values", "values"),
    ("quantile", "values", "values"),
    ("poisson", "values", "values"),
    ("poisson_deviance", "values", "values"),  # added to the core after the copy
    ("general_robust", "values", "values"),
)
BINARY_LOGITS = (
    ("sigmoid_cross_entropy", "labels01", "logits"),
    ("binary_focal", "labels01", "logits"),
    ("hinge", "labels_pm1", "logits"),
    ("squared_hinge", "labels_pm1", "logits"),
    ("logistic", "labels_pm1", "logits"),
    ("exponential", "labels_pm1", "logits"),
    ("modified_huber", "labels_pm1", "logits"),
    ("zero_one", "labels_pm1", "logits"),
)
BINARY_PROBABILITIES = (
    ("binary_cross_entropy", "labels01", "probabilities"),
    ("binary_focal", "labels01", "log_odds", _LOG_ODDS),
    ("hinge", "labels_pm1", "log_odds", _LOG_ODDS),
    ("squared_hinge", "labels_pm1", "log_odds", _LOG_ODDS),
    ("logistic", "labels_pm1", "log_odds", _LOG_ODDS),
    ("exponential", "labels_pm1", "log_odds", _LOG_ODDS),
    ("modified_huber", "labels_pm1", "log_odds", _LOG_ODDS),
    ("zero_one", "labels_pm1", "log_odds", _LOG_ODDS),
)
MULTICLASS_TARGETS_LOGITS = (
    ("categorical_cross_entropy", "distributions", "softmax", _SOFTMAX),
    ("kl_divergence", "distributions", "softmax", _SOFTMAX),
    ("categorical_hinge", "distributions", "class_logits"),
)
MULTICLASS_LABELS_LOGITS = (
    ("softmax_cross_entropy", "class_labels", "class_logits"),
    ("categorical_hinge", "onehot", "class_logits"),
)
MULTICLASS_TARGETS_PROBABILITIES = (
    ("categorical_cross_entropy", "distributions", "probs"),
    ("kl_divergence", "distributions", "probs"),
    ("categorical_hinge", "distributions", "probs"),
)
MULTICLASS_LABELS_PROBABILITIES = (
    ("categorical_cross_entropy", "onehot", "probs"),
    ("sparse_categorical_cross_entropy", "class_labels", "probs"),
    ("categorical_hinge", "onehot", "probs"),
)
EXPECTED_PLANS = {
    ("regression", "values", "values", None): REGRESSION,
    ("regression", "values", "values", "normalise"): REGRESSION,
    ("regression", "values", "values", "softmax"): REGRESSION,
    ("regression", "values", "labels", None): REGRESSION,
    ("regression", "values", "labels", "normalise"): REGRESSION,
    ("regression", "values", "labels", "softmax"): REGRESSION,
    ("regression", "values", "distributions", None): REGRESSION,
    ("regression", "values", "distributions", "normalise"): REGRESSION,
    ("regression", "values", "distributions", "softmax"): REGRESSION,
    ("regression", "probabilities", "values", None): REGRESSION,
    ("regression", "probabilities", "values", "normalise"): REGRESSION,
    ("regression", "probabilities", "values", "softmax"): REGRESSION,
    ("regression", "probabilities", "labels", None): REGRESSION,
    ("regression", "probabilities", "labels", "normalise"): REGRESSION,
    ("regression", "probabilities", "labels", "softmax"): REGRESSION,
    ("regression", "probabilities", "distributions", None): REGRESSION,
    ("regression", "probabilities", "distributions", "normalise"): REGRESSION,
    ("regression", "probabilities", "distributions", "softmax"): REGRESSION,
    ("regression", "logits", "values", None): REGRESSION,
    ("regression", "logits", "values", "normalise"): REGRESSION,
    ("regression", "logits", "values", "softmax"): REGRESSION,
    ("regression", "logits", "labels", None): REGRESSION,
    ("regression", "logits", "labels", "normalise"): REGRESSION,
    ("regression", "logits", "labels", "softmax"): REGRESSION,
    ("regression", "logits", "distributions", None): REGRESSION,
    ("regression", "logits", "distributions", "normalise"): REGRESSION,
    ("regression", "logits", "distributions", "softmax"): REGRESSION,
    ("binary", "values", "values", None): BINARY_LOGITS,
    ("binary", "values", "values", "normalise"): BINARY_LOGITS,
    ("binary", "values", "values", "softmax"): BINARY_LOGITS,
    ("binary", "values", "labels", None): BINARY_LOGITS,
    ("binary", "values", "labels", "normalise"): BINARY_LOGITS,
    ("binary", "values", "labels", "softmax"): BINARY_LOGITS,
    ("binary", "values", "distributions", None): BINARY_LOGITS,
    ("binary", "values", "distributions", "normalise"): BINARY_LOGITS,
    ("binary", "values", "distributions", "softmax"): BINARY_LOGITS,
    ("binary", "logits", "values", None): BINARY_LOGITS,
    ("binary", "logits", "values", "normalise"): BINARY_LOGITS,
    ("binary", "logits", "values", "softmax"): BINARY_LOGITS,
    ("binary", "logits", "labels", None): BINARY_LOGITS,
    ("binary", "logits", "labels", "normalise"): BINARY_LOGITS,
    ("binary", "logits", "labels", "softmax"): BINARY_LOGITS,
    ("binary", "logits", "distributions", None): BINARY_LOGITS,
    ("binary", "logits", "distributions", "normalise"): BINARY_LOGITS,
    ("binary", "logits", "distributions", "softmax"): BINARY_LOGITS,
    ("binary", "probabilities", "values", None): BINARY_PROBABILITIES,
    ("binary", "probabilities", "values", "normalise"): BINARY_PROBABILITIES,
    ("binary", "probabilities", "values", "softmax"): BINARY_PROBABILITIES,
    ("binary", "probabilities", "labels", None): BINARY_PROBABILITIES,
    ("binary", "probabilities", "labels", "normalise"): BINARY_PROBABILITIES,
    ("binary", "probabilities", "labels", "softmax"): BINARY_PROBABILITIES,
    ("binary", "probabilities", "distributions", None): BINARY_PROBABILITIES,
    ("binary", "probabilities", "distributions", "normalise"): BINARY_PROBABILITIES,
    ("binary", "probabilities", "distributions", "softmax"): BINARY_PROBABILITIES,
    ("multiclass", "values", "values", None): MULTICLASS_TARGETS_LOGITS,
    ("multiclass", "values", "values", "normalise"): MULTICLASS_TARGETS_LOGITS,
    ("multiclass", "values", "values", "softmax"): MULTICLASS_TARGETS_LOGITS,
    ("multiclass", "values", "distributions", None): MULTICLASS_TARGETS_LOGITS,
    ("multiclass", "values", "distributions", "normalise"): MULTICLASS_TARGETS_LOGITS,
    ("multiclass", "values", "distributions", "softmax"): MULTICLASS_TARGETS_LOGITS,
    ("multiclass", "probabilities", "values", "softmax"): MULTICLASS_TARGETS_LOGITS,
    ("multiclass", "probabilities", "distributions", "softmax"): MULTICLASS_TARGETS_LOGITS,
    ("multiclass", "logits", "values", None): MULTICLASS_TARGETS_LOGITS,
    ("multiclass", "logits", "values", "normalise"): MULTICLASS_TARGETS_LOGITS,
    ("multiclass", "logits", "values", "softmax"): MULTICLASS_TARGETS_LOGITS,
    ("multiclass", "logits", "distributions", None): MULTICLASS_TARGETS_LOGITS,
    ("multiclass", "logits", "distributions", "normalise"): MULTICLASS_TARGETS_LOGITS,
    ("multiclass", "logits", "distributions", "softmax"): MULTICLASS_TARGETS_LOGITS,
    ("multiclass", "values", "labels", None): MULTICLASS_LABELS_LOGITS,
    ("multiclass", "values", "labels", "normalise"): MULTICLASS_LABELS_LOGITS,
    ("multiclass", "values", "labels", "softmax"): MULTICLASS_LABELS_LOGITS,
    ("multiclass", "probabilities", "labels", "softmax"): MULTICLASS_LABELS_LOGITS,
    ("multiclass", "logits", "labels", None): MULTICLASS_LABELS_LOGITS,
    ("multiclass", "logits", "labels", "normalise"): MULTICLASS_LABELS_LOGITS,
    ("multiclass", "logits", "labels", "softmax"): MULTICLASS_LABELS_LOGITS,
    ("multiclass", "probabilities", "values", None): MULTICLASS_TARGETS_PROBABILITIES,
    ("multiclass", "probabilities", "values", "normalise"): MULTICLASS_TARGETS_PROBABILITIES,
    ("multiclass", "probabilities", "distributions", None): MULTICLASS_TARGETS_PROBABILITIES,
    ("multiclass", "probabilities", "distributions", "normalise"): MULTICLASS_TARGETS_PROBABILITIES,
    ("multiclass", "probabilities", "labels", None): MULTICLASS_LABELS_PROBABILITIES,
    ("multiclass", "probabilities", "labels", "normalise"): MULTICLASS_LABELS_PROBABILITIES,
}


@pytest.mark.parametrize("key", sorted(EXPECTED_PLANS, key=repr))
def test_plans_for_every_detection_are_unchanged(key):
    task, pred_kind, true_kind, fix = key
    det = scoring.Detection(task, ("t",), ("p",), pred_kind, true_kind)
    got = [(p.name, p.true_form, p.pred_form, p.note) for p in scoring.plans(det, fix)]
    want = [(*row, "")[:4] for row in EXPECTED_PLANS[key]]
    assert got == want


def test_every_detection_is_listed():
    kinds = ("values", "probabilities", "logits")
    combos = {
        (task, pk, tk, fix)
        for task in scoring.TASKS
        for pk in kinds
        for tk in ("values", "labels", "distributions")
        for fix in (None, "normalise", "softmax")
    }
    assert set(EXPECTED_PLANS) == combos


def test_every_registered_loss_is_scored_on_some_file():
    planned = {p[0] for rows in EXPECTED_PLANS.values() for p in rows}
    assert planned == set(losses.names())


# -- a loss registered in the core alone is scored: no name of a loss in scoring/ ---------------------------
_PROPS = losses.Properties(convex=True, symmetric=True, robust=False, smooth=True)


def _throwaway(name: str, category: str, y_true: str, y_pred: str, value, derivative) -> losses.LossSpec:
    return losses.LossSpec(
        name=name, title=f"Throw-away {name}", category=category, formula=r"\ell = 0", y_true=y_true,
        y_pred=y_pred, value=value, derivative=derivative, properties=_PROPS, summary="A test loss.",
        good="tests", bad="nothing else",
    )  # fmt: skip


QUARTIC = _throwaway("zz_quartic", "regression", "values", "values", lambda t, p: (p - t) ** 4,
                     lambda t, p: 4 * (p - t) ** 3)  # fmt: skip
BRIER = _throwaway("zz_brier", "binary", "labels01", "probabilities", lambda t, p: (p - t) ** 2,
                   lambda t, p: 2 * (p - t))  # fmt: skip


def test_a_new_regression_loss_is_planned_and_scored_like_the_core(monkeypatch):
    monkeypatch.setitem(losses._REGISTRY, QUARTIC.name, QUARTIC)
    data = b"y_true,y_pred\n1,1.5\n2,1.0\n3,3.25\n-4,0\n"
    fmt, det = scoring.inspect(data)
    assert scoring.Plan("zz_quartic", "values", "values") in scoring.plans(det)
    result = scoring.score(data, fmt, det, chunksize=3, per_row=True)
    t, p = [1, 2, 3, -4], [1.5, 1.0, 3.25, 0]
    want = QUARTIC.cost(t, p)
    assert math.isclose(result.costs["zz_quartic"], want, rel_tol=1e-12) and want > 64
    assert result.per_row["zz_quartic"].tolist() == QUARTIC.per_sample(t, p).tolist()


def test_a_new_binary_loss_on_probabilities_is_scored_on_probabilities_and_on_logits(monkeypatch):
    monkeypatch.setitem(losses._REGISTRY, BRIER.name, BRIER)
    t = np.array([0.0, 1.0, 1.0, 0.0])
    p = np.array([0.1, 0.8, 0.4, 0.5])
    data = _csv(["y_true", "y_prob"], zip(t.astype(int), p))
    fmt, det = scoring.inspect(data)
    assert scoring.Plan("zz_brier", "labels01", "probabilities") in scoring.plans(det)
    assert math.isclose(scoring.score(data, fmt, det).costs["zz_brier"], BRIER.cost(t, p), rel_tol=1e-12)

    s = np.array([-2.0, 3.0, 0.5, 40.0])
    data = _csv(["y_true", "logit"], zip(t.astype(int), s))
    fmt, det = scoring.inspect(data)
    assert det.pred_kind == "logits"
    note = "on the sigmoid σ(x) of the logits"
    assert scoring.Plan("zz_brier", "labels01", "sigmoid", note) in scoring.plans(det)
    result = scoring.score(data, fmt, det, chunksize=2)
    assert math.isclose(result.costs["zz_brier"], BRIER.cost(t, losses.sigmoid(s)), rel_tol=1e-12)
    assert "zz_brier is computed on the sigmoid σ(x) of the logits." in result.notes
    assert "binary_cross_entropy" not in result.costs  # BCE's twin, sigmoid CE, takes the logits as they are


def test_a_new_multiclass_loss_on_logits_is_scored_on_the_log_of_probabilities(monkeypatch):
    spec = _throwaway("zz_logit_norm", "multiclass", "class_labels", "class_logits",
                      lambda t, z: (z * z).sum(axis=1), lambda t, z: 2 * z)  # fmt: skip
    monkeypatch.setitem(losses._REGISTRY, spec.name, spec)
    data = b"label,prob_a,prob_b\na,0.25,0.75\nb,0.5,0.5\nb,1,0\n"
    fmt, det = scoring.inspect(data)
    note = "on the log of the probabilities"
    assert scoring.Plan("zz_logit_norm", "class_labels", "log_probs", note) in scoring.plans(det)
    q = np.array([[0.25, 0.75], [0.5, 0.5], [1.0, losses.EPS]])  # a probability of 0 is clipped to EPS
    want = spec.cost([0, 1, 1], np.log(q))
    assert math.isclose(scoring.score(data, fmt, det).costs["zz_logit_norm"], want, rel_tol=1e-12)


def test_safe_cells():
    assert scoring.safe_cell("=SUM(A1)") == "'=SUM(A1)"
    assert scoring.safe_cell("+1+2") == "'+1+2"
    assert scoring.safe_cell("@cmd") == "'@cmd"
    assert scoring.safe_cell("\tx") == "'\tx"
    assert scoring.safe_cell("\rx") == "'\rx"
    assert scoring.safe_cell("-2-3") == "'-2-3"
    assert scoring.safe_cell("-1.5") == "-1.5"
    assert scoring.safe_cell(-1.5) == -1.5
    assert scoring.safe_cell("cat") == "cat"


def test_report_csv_neutralises_formulas_and_keeps_numbers(tmp_path):
    data = b"id,y_true,y_pred\n=HYPERLINK(1),1,-2\n@x,2,2.5\n-3,3,3\n"
    fmt, det = scoring.inspect(data)
    r = scoring.score(data, fmt, det, per_row=True)
    text = scoring.to_csv_bytes(r.per_row).decode()
    rows = list(csv.reader(io.StringIO(text)))
    assert rows[1][1] == "'=HYPERLINK(1)" and rows[2][1] == "'@x"
    assert rows[1][3] == "-2.0" or rows[1][3] == "-2"
    assert float(rows[1][rows[0].index("mse")]) == 9.0
