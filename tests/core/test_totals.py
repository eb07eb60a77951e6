"""Losses sharing their input checks (``losses.SharedChecks``, ``losses.totals``) give exactly what each loss
gives alone: the same bits, the same errors (type, message, argument, row), in any order and on inputs of
many blocks."""

from __future__ import annotations

import numpy as np
import pytest

import losses
from losses.validation import BLOCK
from tests.core.support import sample_kind

N = 3 * BLOCK + 17  # four blocks, the last one short


def _inputs(rng: np.random.Generator, k: int = 4) -> dict[str, np.ndarray]:
    """One array per input kind (and role), so that losses of the same kinds share them."""
    arrays = {}
    for spec in map(losses.get, losses.names()):
        for kind, role in ((spec.y_true, "y_true"), (spec.y_pred, "y_pred")):
            arrays.setdefault((kind, role), sample_kind(kind, rng, N, k, role=role))
    return arrays


def _args(spec, arrays):
    return arrays[(spec.y_true, "y_true")], arrays[(spec.y_pred, "y_pred")]


def _outcome(fn):
    try:
        return ("ok", fn())
    except losses.LossInputError as e:
        return (type(e), str(e), e.argument, getattr(e, "row", None))


def _same(a, b):
    if a[0] == "ok" and b[0] == "ok":
        x, y = a[1], b[1]
        if isinstance(x, np.ndarray):
            assert x.tobytes() == y.tobytes()
        else:
            assert x == y and (x[0] == x[0]) == (y[0] == y[0])
    else:
        assert a == b


def test_every_loss_shared_equals_alone_bit_for_bit():
    rng = np.random.default_rng(14)
    arrays = _inputs(rng)
    shared = losses.SharedChecks()
    specs = [losses.get(n) for n in losses.names()]
    for spec in specs + specs[::-1]:  # the second pass hits the kept checks of every block
        t, p = _args(spec, arrays)
        params = spec.defaults()
        alone = spec.total(t, p, **params)
        assert shared.total(spec, t, p, **params) == alone
        assert shared.per_sample(spec, t, p, **params).tobytes() == spec.per_sample(t, p, **params).tobytes()


def test_totals_is_each_total():
    rng = np.random.default_rng(1)
    t = rng.integers(0, 2, N).astype(float)
    p = rng.uniform(0.01, 0.99, N)
    specs = [losses.get("binary_cross_entropy"), losses.get("binary_focal")]
    params = {"binary_focal": {"gamma": 1.5}}
    got = losses.totals(specs, t, p, params)
    # focal takes logits: any real value; probabilities are valid logits
    assert got == [specs[0].total(t, p), specs[1].total(t, p, gamma=1.5)]


def _bad_cases():
    """(name, y_true kind's array, y_pred array) with a bad value in a later block."""
    rng = np.random.default_rng(7)
    labels = rng.integers(0, 2, N).astype(float)
    pm1 = 2.0 * labels - 1.0
    probs = rng.uniform(0.01, 0.99, N)
    scores = rng.normal(0.0, 3.0, N)
    values = rng.normal(0.0, 2.0, N)
    cases = {}
    nan_scores = scores.copy()
    nan_scores[2 * BLOCK + 5] = np.nan
    cases["nan_pred_block_3"] = (pm1, nan_scores)
    bad_label = pm1.copy()
    bad_label[BLOCK + 3] = 2.0
    cases["label_2_block_2"] = (bad_label, scores)
    mixed = labels.copy()  # 0/1 in the first blocks, then a -1: the mix is seen in block 3
    mixed[2 * BLOCK + 1] = -1.0
    cases["mixed_conventions"] = (mixed, scores)
    zero_after_pm1 = pm1.copy()  # -1/+1 first, then a 0
    zero_after_pm1[3 * BLOCK + 2] = 0.0
    cases["zero_after_pm1"] = (zero_after_pm1, scores)
    over = probs.copy()
    over[BLOCK + 9] = 1.3
    cases["probability_1_3"] = (labels, over)
    inf_true = values.copy()
    inf_true[3 * BLOCK + 16] = np.inf
    cases["inf_true_last_row"] = (inf_true, values)
    low = values.copy()
    low[2 * BLOCK] = -1.0
    cases["msle_minus_1"] = (np.abs(values), low)
    return cases


@pytest.mark.parametrize("case", list(_bad_cases()))
def test_bad_inputs_give_each_loss_its_own_message(case):
    t, p = _bad_cases()[case]
    names = [
        n
        for n in losses.names()
        if losses.get(n).y_true not in ("class_labels", "distributions")
        and losses.get(n).y_pred not in ("distributions", "class_logits", "class_scores")
    ]
    shared = losses.SharedChecks()
    for name in names + names[::-1]:
        spec = losses.get(name)
        alone = _outcome(lambda spec=spec: spec.total(t, p))
        _same(_outcome(lambda spec=spec: shared.total(spec, t, p)), alone)
        alone_rows = _outcome(lambda spec=spec: spec.per_sample(t, p))
        _same(_outcome(lambda spec=spec: shared.per_sample(spec, t, p)), alone_rows)


def test_a_good_prefix_checked_once_still_sees_a_mix_later():
    """Labels 0/1 for one loss and the same array, with a -1 in block 3, for the next: both raise the mix."""
    labels = np.tile([0.0, 1.0], N // 2 + 1)[:N]
    mixed = labels.copy()
    mixed[2 * BLOCK + 4] = -1.0
    scores = np.linspace(-3.0, 3.0, N)
    shared = losses.SharedChecks()
    hinge, logistic = losses.get("hinge"), losses.get("logistic")
    assert shared.total(hinge, labels, scores) == hinge.total(labels, scores)
    for spec in (hinge, logistic):
        with pytest.raises(losses.LabelError) as alone:
            spec.total(mixed, scores)
        with pytest.raises(losses.LabelError) as got:
            shared.total(spec, mixed, scores)
        assert str(got.value) == str(alone.value) and "mixes" in str(got.value)
        assert got.value.row == alone.value.row >= 2 * BLOCK  # the block where the mix is seen


def test_labels_read_as_minus_one_are_the_same_bits():
    labels = np.random.default_rng(3).integers(0, 2, N).astype(float)
    scores = np.random.default_rng(4).normal(0.0, 2.0, N)
    shared = losses.SharedChecks()
    for name in ("hinge", "squared_hinge", "logistic", "exponential", "modified_huber", "zero_one"):
        spec = losses.get(name)
        assert shared.total(spec, labels, scores) == spec.total(labels, scores)
        assert shared.per_sample(spec, labels, scores).tobytes() == spec.per_sample(labels, scores).tobytes()


def test_a_custom_loss_is_computed_as_alone():
    spec = losses.custom("(yhat - y)**2", name="own")
    rng = np.random.default_rng(5)
    t, p = rng.normal(size=N), rng.normal(size=N)
    shared = losses.SharedChecks()
    assert shared.total(losses.get("mse"), t, p) == losses.get("mse").total(t, p)
    assert shared.total(spec, t, p) == spec.total(t, p)
    assert shared.per_sample(spec, t, p).tobytes() == spec.per_sample(t, p).tobytes()


_SHARING = [n for n in losses.names() if losses.get(n).terms is not None]


def test_losses_on_shared_terms_are_their_value_bit_for_bit():
    """``value`` is ``terms.value`` on ``terms.make``: a loss written once, whichever way it is called."""
    rng = np.random.default_rng(8)
    for name in _SHARING:
        spec = losses.get(name)
        t = sample_kind(spec.y_true, rng, 1000, 2, role="y_true")
        p = np.concatenate([sample_kind(spec.y_pred, rng, 990, 2, role="y_pred"), [0.0, -0.0, 709.0, -709.0,
                            746.0, -746.0, 1e300, -1e300, 5e-324, -1.0]])  # fmt: skip
        params = spec.defaults()
        with np.errstate(over="ignore"):
            alone = spec.value(t, p, **params)
            on_terms = spec.terms.value(spec.terms.make(t, p), t, p, **params)
        assert alone.tobytes() == on_terms.tobytes(), name


@pytest.mark.parametrize("rows", [N, 11 * BLOCK + 3])  # within the kept blocks, and beyond them
def test_focal_and_margin_losses_on_the_same_labels_share_the_margin_and_their_bits(rows):
    """A scorer passes its labels 0/1 to the focal loss and, as they are, to the margin losses (the core maps
    them to ±1): all compute one margin per block, and each gives what it gives alone, in either order."""
    rng = np.random.default_rng(9)
    labels = rng.integers(0, 2, rows).astype(float)
    logits = rng.normal(0.0, 4.0, rows)
    logits[::97] *= 200.0  # margins past ±709, where e^{-m} overflows
    specs = [losses.get(n) for n in _SHARING]
    for order in (specs, specs[::-1]):
        shared = losses.SharedChecks()
        for spec in order:
            params = spec.defaults()
            with np.errstate(over="ignore"):
                assert shared.total(spec, labels, logits, **params) == spec.total(labels, logits, **params)
                assert (shared.per_sample(spec, labels, logits, **params).tobytes()
                        == spec.per_sample(labels, logits, **params).tobytes())  # fmt: skip


def test_a_margin_from_labels_pm1_is_not_given_to_the_focal_loss_of_those_labels():
    """Hinge on labels ±1 keeps their margin; the focal loss on the same array must still refuse them."""
    labels = 2.0 * np.random.default_rng(10).integers(0, 2, N) - 1.0
    scores = np.random.default_rng(11).normal(size=N)
    shared = losses.SharedChecks()
    shared.total(losses.get("hinge"), labels, scores)
    focal = losses.get("binary_focal")
    got = _outcome(lambda: shared.total(focal, labels, scores))
    _same(got, _outcome(lambda: focal.total(labels, scores)))
    assert _outcome(lambda: shared.total(focal, labels, scores))[0] is losses.LabelError


def test_sigmoid_is_the_select_by_sign_bit_for_bit():
    ends = [0.0, -0.0, 745.0, -745.0, 746.0, -746.0, 1e308, -1e308, 5e-324, -5e-324]
    x = np.concatenate([np.random.default_rng(12).normal(0.0, 30.0, 10_000), ends])
    e = np.exp(-np.abs(x))
    s = 1.0 / (1.0 + e)
    assert losses.sigmoid(x).tobytes() == np.where(x >= 0, s, e * s).tobytes()


def _probabilities(rng: np.random.Generator, rows: int) -> np.ndarray:
    """Probabilities over the whole range: uniform, near 0 and near 1 on a log scale, the ends and 1/2."""
    third = rows // 3
    tiny = 10.0 ** rng.uniform(-17.0, 0.0, (2, third))
    ends = [0.0, 1.0, 0.5, 1e-15, 1.0 - 1e-15]
    q = np.concatenate([rng.uniform(0.0, 1.0, rows - 2 * third - len(ends)), tiny[0], 1.0 - tiny[1], ends])
    return rng.permutation(q)


def test_the_margin_of_log_odds_is_the_margin_and_its_terms_are_exact_to_a_few_roundings():
    """Written on the probabilities (``Margin.of_01_log_odds``, ``of_pm1_log_odds``), the margin has the same
    bits as on their log-odds, and each term is within 2.5 units of rounding (u = 2^-53, relative) of its
    exact value at that margin (computed in extended precision from q); written on m, they are off by up to
    about 64 u, the rounding of the two logs in m."""
    from losses._numeric import LogOdds
    from losses.binary import Margin

    rng = np.random.default_rng(15)
    q = _probabilities(rng, 30_000)
    t = rng.integers(0, 2, q.size).astype(float)
    lo = LogOdds(q, 1e-15)
    on_m, on_q = Margin.of_01(t, lo.x), Margin.of_01_log_odds(t, lo)
    assert on_q.m.tobytes() == on_m.m.tobytes()
    pm1 = 2.0 * t - 1.0
    assert Margin.of_pm1_log_odds(pm1, lo).m.tobytes() == Margin.of_pm1(pm1, lo.x).m.tobytes()
    qq = lo.q.astype(np.longdouble)  # 64-bit significands: the reference is exact to ~1e-19
    p_t, not_p_t = np.where(t == 1, qq, 1 - qq), np.where(t == 1, 1 - qq, qq)  # σ(m), σ(-m)
    exact = {
        "e": np.minimum(p_t, not_p_t) / np.maximum(p_t, not_p_t),
        "softplus_neg": -np.where(t == 1, np.log(qq), np.log1p(-qq)),
        "sigmoid_neg": not_p_t,
        "exp_neg": not_p_t / p_t,
    }
    for name, want in exact.items():
        for terms, units in ((on_q, 2.5), (on_m, 128)):
            got = getattr(terms, name)
            assert np.all(np.isfinite(got)), name
            err = np.abs(got.astype(np.longdouble) - want) / want
            assert float(err.max()) <= units * losses.EPS / 2, (name, float(err.max()))
    for name in ("hinge", "hinge_squared"):
        assert getattr(on_q, name).tobytes() == getattr(on_m, name).tobytes()


@pytest.mark.parametrize("rows", [N, 11 * BLOCK + 3])  # within the kept blocks, and beyond them
def test_losses_on_shared_log_odds_are_their_value_on_the_log_odds(rows):
    """A scorer gives the margin losses and the focal loss the log-odds of probabilities made by
    ``SharedChecks.log_odds``: their terms are then written on the probabilities (``OfProbabilities``), and
    each loss gives what it gives alone on ``logit(q, clip)``, to a few ulps, in either order."""
    from losses.binary import OfProbabilities

    rng = np.random.default_rng(16)
    q = _probabilities(rng, rows)
    labels = rng.integers(0, 2, rows).astype(float)
    x = losses.logit(q, clip=1e-15)
    specs = [losses.get(n) for n in _SHARING if losses.get(n).terms.of_log_odds is not None]
    assert {s.name for s in specs} >= {"binary_focal", "hinge", "logistic", "exponential", "modified_huber"}
    for order in (specs, specs[::-1]):
        shared = losses.SharedChecks()
        log_odds = shared.log_odds(q, 1e-15)
        assert log_odds.tobytes() == x.tobytes()
        for spec in order:
            params = spec.defaults()
            total, count = shared.total(spec, labels, log_odds, **params)
            alone, n = spec.total(labels, x, **params)
            assert count == n == rows and total == pytest.approx(alone, rel=1e-14, abs=0.0), spec.name
            each = shared.per_sample(spec, labels, log_odds, **params)
            np.testing.assert_allclose(each, spec.per_sample(labels, x, **params), rtol=1e-13, atol=0.0)
        kept = list(shared._kept._kept.values())
        assert kept and all(isinstance(terms, OfProbabilities) for terms in kept)


def test_log_odds_are_only_shared_with_a_clip_that_keeps_them_finite():
    with pytest.raises(ValueError, match="clip must be positive"):
        losses.SharedChecks().log_odds(np.array([0.0, 1.0]), 0.0)


def test_block_totals_equal_the_sum_of_the_rows():
    """A loss whose terms sum a block without every row's value (``Terms.total``: log-cosh) gives the sum of
    its per-sample values, to rounding, over blocks of any length."""
    rng = np.random.default_rng(15)
    arrays = _inputs(rng)
    with_total = [spec for spec in map(losses.get, losses.names()) if spec.terms and spec.terms.total]
    assert with_total
    for spec in with_total:
        t, p = _args(spec, arrays)
        for n in (1, 511, 513, N):
            total, count = spec.total(t[:n], p[:n])
            assert count == n
            assert total == pytest.approx(float(np.sum(spec.per_sample(t[:n], p[:n]))), rel=1e-14), spec.name


def test_total_and_cost_take_the_block_totals_and_a_nan_one_from_the_rows():
    """``spec.total`` and ``spec.cost`` sum ``Terms.total`` block by block; where it gives NaN, the block's
    sum is the rows' (whose NaN, if any, is explained)."""
    from dataclasses import replace

    spec = losses.get("log_cosh")
    rng = np.random.default_rng(16)
    t, p = rng.normal(size=N), rng.normal(size=N)
    blocks = range(0, N, BLOCK)
    ones = replace(spec, terms=replace(spec.terms, total=lambda terms, t, p: 1.0))
    assert ones.total(t, p) == (float(len(blocks)), N)
    assert ones.cost(t, p) == len(blocks) / N
    rows = spec.per_sample(t, p)
    nan = replace(spec, terms=replace(spec.terms, total=lambda terms, t, p: float("nan")))
    assert nan.total(t, p) == (sum(float(np.add.reduce(rows[s : s + BLOCK])) for s in blocks), N)
