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
