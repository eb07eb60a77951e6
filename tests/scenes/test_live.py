"""scenes.live: the tables the drag widget previews from are the core's numbers, and interpolating them the
way the widget does (cubic Hermite, drag_points.js ``lookup``) gives the core's values between the nodes."""

from __future__ import annotations

import json

import numpy as np
import pytest

import losses
from scenes import binary as bsc
from scenes import live
from scenes import multiclass as msc
from scenes import regression as rsc
from scenes.own import Own

KEYS = {k: k for k in ("metrics_row", "shares", "curves", "influence", "margin", "margin_slope", "bce",
                       "sce")}  # fmt: skip


def lookup(t: dict, x: float) -> tuple[float, float]:
    """drag_points.js ``lookup``, as the oracle for the tables' accuracy."""
    xs = np.array(t["x"], dtype=float)
    f = np.array([np.nan if v is None else v for v in t["f"]])
    df = np.array([np.nan if v is None else v for v in t["df"]]) if "df" in t else None
    j = int(np.searchsorted(xs, x, side="left"))
    if xs[j] == x or j == 0:
        return f[j], (df[j] if df is not None else np.nan)
    a, h = j - 1, xs[j] - xs[j - 1]
    u = (x - xs[a]) / h
    d0, d1 = (df[a], df[j]) if df is not None else (np.nan, np.nan)
    value = f[a] + (f[j] - f[a]) * u
    if t.get("h") and np.isfinite(d0) and np.isfinite(d1):
        value = ((2 * u**3 - 3 * u**2 + 1) * f[a] + (u**3 - 2 * u**2 + u) * h * d0
                 + (3 * u**2 - 2 * u**3) * f[j] + (u**3 - u**2) * h * d1)  # fmt: skip
    return value, d0 + (d1 - d0) * u


def regression(what="free", names=("mse", "mae", "huber", "log_cosh", "rmse", "msle")):
    x, y = rsc.Scene().points()
    preds = np.array(rsc.Scene().default_predictions())
    params = {n: ({"delta": 1.0} if n == "huber" else {}) for n in names}
    drawn = [n for n in names if rsc.on_residual_axis(n)]
    pv = live.regression(what, params, x, y, preds, rsc.X_RANGE, limit=rsc.ABS_LIMIT, keys=KEYS, drawn=drawn,
                         shared=names, decimals=2)  # fmt: skip
    return pv, y, preds


def test_the_payload_is_json_without_nan_and_its_parts_are_consistent():
    pv, y, _ = regression()
    data = pv.data()
    json.dumps(data, allow_nan=False)  # NaN would be invalid JSON: undefined points are null
    assert [L["metric"] for L in data["losses"]] == list(range(6))
    assert {t for L in data["losses"] for t, _, _ in L["units"]} <= set(data["tables"])
    assert len(data["units"]) == len(y) and data["decimals"] == 2


@pytest.mark.parametrize("name", ["mse", "mae", "huber", "log_cosh"])
def test_residual_tables_interpolate_to_the_core(name):
    pv, _, _ = regression()
    t = pv.tables[f"r:{name}"]
    spec, kw = losses.get(name), ({"delta": 1.0} if name == "huber" else {})
    r = np.random.default_rng(1).uniform(-30, 30, 400)
    got = np.array([lookup(t, v) for v in r])
    want_f = spec.per_sample(np.zeros_like(r), r, **kw)
    want_d = spec.per_sample_derivative(np.zeros_like(r), r, **kw)
    np.testing.assert_allclose(got[:, 0], want_f, rtol=2e-3, atol=2e-4)
    np.testing.assert_allclose(got[:, 1], want_d, rtol=2e-2, atol=2e-2)
    if name in ("mse", "mae", "huber"):  # piecewise polynomials of degree <= 2, kinks at nodes: exact
        np.testing.assert_allclose(got[:, 0], want_f, rtol=1e-7, atol=1e-9)


def test_a_kink_is_a_double_node_with_each_sides_slope():
    t = regression()[0].tables["r:mae"]
    at = [i for i, v in enumerate(t["x"]) if v == 0.0]
    assert len(at) == 2 and [t["df"][i] for i in at] == [-1.0, 1.0]


def test_units_map_the_handles_to_the_residual_in_each_mode():
    free, y, preds = regression("free")
    assert free.units[0] == {"h": [[0, 1.0]], "o": -y[0], "pre": None}
    targets, _, _ = regression("targets")
    assert targets.units[2] == {"h": [[2, -1.0]], "o": preds[2], "pre": None}
    line, _, _ = regression("line")
    (k0, c0), (k1, c1) = line.units[0]["h"]
    assert (k0, k1) == (0, 1) and c0 + c1 == pytest.approx(1.0)


def test_msle_has_a_table_per_sample_undefined_below_minus_one_and_rmse_a_finish():
    pv, y, preds = regression()
    msle = next(L for L in pv.losses if L["name"] == "msle")
    tab, scale, shift = msle["units"][0]
    assert (scale, shift) == (1.0, y[0])
    t = pv.tables[tab]
    assert lookup(t, -5.0)[0] != lookup(t, -5.0)[0]  # NaN: undefined at ŷ ≤ −1
    value, _ = lookup(t, preds[0])
    assert value == pytest.approx(losses.get("msle").per_sample([y[0]], [preds[0]])[0], rel=1e-2)
    rmse = next(L for L in pv.losses if L["name"] == "rmse")
    assert lookup(pv.tables[rmse["finish"]], 2.25)[0] == pytest.approx(1.5, rel=1e-6)


def test_binary_tables_against_the_margin_keep_the_0_1_step():
    scene = bsc.Scene()
    y = bsc.in_convention(scene.labels01(), bsc.CONVENTIONS[0])
    s = np.array(scene.default_scores())
    names = ("binary_cross_entropy", "hinge", "zero_one", "binary_focal")
    params = {n: dict(losses.get(n).defaults()) for n in names}
    pv = live.binary(params, y, s, as_prob=False, keys=KEYS, marked=names[1:])
    t = pv.tables["m1:zero_one"]
    at = [i for i, v in enumerate(t["x"]) if v == 0.0]
    assert [t["f"][i] for i in at] == [1.0, 0.0] and lookup(t, 0.0)[0] == 1.0 and lookup(t, 0.01)[0] == 0.0
    for name in names:
        for lab, sign in ((1, 1.0), (0, -1.0)):
            m = np.random.default_rng(lab).uniform(-6, 6, 50)
            got = np.array([lookup(pv.tables[f"m{lab}:{name}"], v)[0] for v in m])
            yl = np.full(len(m), float(bsc.in_convention(np.array([lab]), bsc.CONVENTIONS[0])[0]))
            want = bsc.on_scores(name, yl, sign * m, **params[name])[0]
            if name == "zero_one":
                np.testing.assert_array_equal(got, want)
            else:
                np.testing.assert_allclose(got, want, rtol=1e-3, atol=1e-4)
    assert pv.data()["decimals"] == bsc.DECIMALS
    assert live.binary(params, y, s, as_prob=True, keys=KEYS, marked=()).data()["units"][0]["pre"] == "logit"


# ---- issue 13: the page's own loss, previewed like the built-ins -------------------------------------------
def own_regression(formula: str, what: str = "free"):
    own = Own(formula)
    x, y = rsc.Scene().points()
    preds = np.array(rsc.Scene().default_predictions())
    params = {"mse": {}, own.name: dict(own.spec().defaults())}
    pv = live.regression(what, params, x, y, preds, rsc.X_RANGE, limit=rsc.ABS_LIMIT, keys=KEYS, own=own,
                         drawn=[n for n in params if rsc.on_residual_axis(n, own)], shared=list(params))
    return pv, own, y, preds


def test_a_formula_of_r_has_one_residual_table_that_interpolates_to_the_core():
    pv, own, y, preds = own_regression("log(1 + r**2)")
    json.dumps(pv.data(), allow_nan=False)
    mine = next(L for L in pv.losses if L["name"] == "custom")
    assert mine["metric"] == 1 and {u[0] for u in mine["units"]} == {"r:custom"}
    np.testing.assert_allclose(mine["exact"], own.spec().per_sample(y, preds), rtol=1e-8)
    r = np.random.default_rng(2).uniform(-30, 30, 300)
    got = np.array([lookup(pv.tables["r:custom"], v) for v in r])
    np.testing.assert_allclose(got[:, 0], np.log1p(r**2), rtol=2e-3, atol=2e-4)
    np.testing.assert_allclose(got[:, 1], 2 * r / (1 + r**2), rtol=2e-2, atol=2e-2)
    assert {(s["chart"], s["loss"]) for s in pv.series} >= {("curves", "custom"), ("influence", "custom"),
                                                             ("shares", "custom")}  # fmt: skip


def test_a_formula_of_the_target_gets_a_table_per_point_and_no_curve_marks():
    pv, own, y, preds = own_regression("r**2 / (1 + y**2)")
    mine = next(L for L in pv.losses if L["name"] == "custom")
    tab, scale, shift = mine["units"][3]
    assert (tab, scale, shift) == ("u3:custom", 1.0, y[3])
    value, _ = lookup(pv.tables[tab], preds[3] + 0.37)
    assert value == pytest.approx((preds[3] + 0.37 - y[3]) ** 2 / (1 + y[3] ** 2), rel=1e-3)  # over ŷ
    assert ("curves", "custom") not in {(s["chart"], s["loss"]) for s in pv.series}


def test_a_formula_undefined_on_part_of_its_table_keeps_the_rest():
    pv, _, _, _ = own_regression("log(r)")
    t = pv.tables["r:custom"]
    assert lookup(t, -2.0)[0] != lookup(t, -2.0)[0]  # NaN (null in the payload) where log(r) is undefined
    assert lookup(t, 2.0)[0] == pytest.approx(np.log(2.0), rel=1e-4)
    json.dumps(pv.data(), allow_nan=False)


def test_binary_custom_tables_are_the_cores_on_the_margin():
    scene = bsc.Scene()
    y = bsc.in_convention(scene.labels01(), bsc.CONVENTIONS[1])  # −1/+1, read by a 0/1 formula as 0/1
    s = np.array(scene.default_scores())
    own = Own("-(y*log(p) + (1 - y)*log(1 - p))*(1 + 2*y)", "binary")
    params = {"hinge": {}, own.name: {}}
    pv = live.binary(params, y, s, as_prob=False, keys=KEYS, marked=list(params), own=own)
    mine = next(L for L in pv.losses if L["name"] == "custom")
    np.testing.assert_allclose(mine["exact"], own.spec().per_sample(bsc.as_01(y), losses.sigmoid(s)),
                               rtol=1e-8)  # fmt: skip
    for lab, sign in ((1, 1.0), (0, -1.0)):
        m = np.random.default_rng(lab).uniform(-6, 6, 50)
        got = np.array([lookup(pv.tables[f"m{lab}:custom"], v)[0] for v in m])
        want = own.spec().per_sample(np.full(len(m), float(lab)), losses.sigmoid(sign * m))
        np.testing.assert_allclose(got, want, rtol=1e-3, atol=1e-4)
    assert ("margin", "custom") in {(s["chart"], s["loss"]) for s in pv.series}


@pytest.mark.parametrize("convention", bsc.CONVENTIONS)
def test_a_margin_formula_on_pm1_labels_reads_a_0_label_as_minus_1(convention):
    scene = bsc.Scene()
    y = bsc.in_convention(scene.labels01(), convention)
    s = np.array(scene.default_scores())
    own = Own("max(0, 1 - y*s)", "binary", "pm1")  # hinge, re-typed
    value, slope = bsc.on_scores("custom", y, s, own)
    np.testing.assert_allclose(value, losses.get("hinge").per_sample(y, s), rtol=1e-12)
    np.testing.assert_allclose(slope, losses.get("hinge").per_sample_derivative(y, s), rtol=1e-12)
    assert bsc.cost("custom", y, s, own) == pytest.approx(losses.get("hinge").cost(y, s), rel=1e-12)


def test_the_multiclass_preview_knows_the_target_as_edited_before_the_editor_is_drawn():
    names = msc.names(3)
    row = msc.edited_row([0.2, 0.3, 0.5], names, {"edited_rows": {0: {names[1]: 0.6, "nope": 1.0}}})
    assert row == [0.2, 0.6, 0.5]
    assert msc.edited_row([0.2, 0.3, 0.5], names, None) == [0.2, 0.3, 0.5]
    assert np.isnan(msc.edited_row([0.2, 0.3, 0.5], names, {"edited_rows": {0: {names[0]: None}}})[0])
    z, p = [2.0, 1.0, -1.0], np.array([0.1, 0.8, 0.1])
    data = msc.preview(z, 1, 1.0, 0.1, p, metrics={"kl_pq": "m"}, bars={"probs": "q"})
    t = data["own_tables"]["kl_pq@0"]
    grid = np.array(data["own_tables"]["grid"]["x"])
    zz = np.tile(z, (len(grid), 1))
    zz[:, 0] = grid
    want = losses.get("kl_divergence").per_sample(np.tile(p, (len(grid), 1)), losses.softmax(zz))
    np.testing.assert_allclose(t["f"], want, rtol=1e-5)
    assert t["x"] == "grid" and data["decimals"] == msc.DECIMALS
