"""The classification scenes: deterministic, and their URL forms round-trip or fall back with a warning."""

from __future__ import annotations

import numpy as np
import pytest

from losses.binary import sigmoid
from scenes import binary as bs
from scenes import multiclass as ms


@pytest.mark.parametrize("n", [bs.N_MIN, bs.N_DEFAULT, bs.N_MAX])
def test_binary_scene_is_deterministic_balanced_and_in_range(n):
    a, b = bs.Scene(n, 5), bs.Scene(n, 5)
    np.testing.assert_array_equal(a.labels01(), b.labels01())
    np.testing.assert_array_equal(a.default_scores(), b.default_scores())
    assert a.labels01().sum() == n // 2
    lo, hi = bs.S_RANGE
    assert np.all((a.default_scores() >= lo) & (a.default_scores() <= hi))
    assert len(a.names()) == n


def test_default_binary_scene_teaches_something():
    s = bs.Scene()
    m = bs.margins(s.labels01(), s.default_scores())
    assert (m <= 0).sum() >= 1 and (m >= 1).sum() >= 1 and ((m > 0) & (m < 1)).sum() >= 1


def test_conventions_and_logit():
    y = np.array([0.0, 1.0, 1.0])
    np.testing.assert_array_equal(bs.in_convention(y, "-1/+1"), [-1, 1, 1])
    np.testing.assert_array_equal(bs.as_01(bs.in_convention(y, "-1/+1")), y)
    np.testing.assert_array_equal(bs.as_pm1(y), [-1, 1, 1])
    p = np.array([0.1, 0.5, 0.9])
    np.testing.assert_allclose(sigmoid(bs.logit(p)), p)
    assert abs(bs.logit([1.0])[0]) <= bs.S_RANGE[1]


def test_binary_scores_round_trip_and_hostile_input():
    scores = bs.Scene().default_scores()
    assert bs.parse_scores(bs.format_values(scores), len(scores)) == (list(scores), [])
    for text in ("a,b", "1,2", "nan," * 7 + "1", "99," * 7 + "1"):
        value, warn = bs.parse_scores(text, 8)
        assert value is None and warn


def test_multiclass_pieces_round_trip():
    z, lab = ms.default_batch(5)
    assert z.shape == (ms.BATCH_ROWS, 5) and lab.max() < 5
    parsed, warn = ms.parse_batch(ms.format_batch(z, lab), 5)
    assert not warn
    np.testing.assert_array_equal(parsed[0], z)
    np.testing.assert_array_equal(parsed[1], lab)
    assert ms.parse_logits(ms.format_values(ms.default_logits(4)), 4) == (ms.default_logits(4), [])
    for k in range(ms.K_MIN, ms.K_MAX + 1):
        p = ms.default_target(k, 1)
        assert abs(sum(p) - 1) < 1e-9 and p[1] == max(p)


@pytest.mark.parametrize("text", ["", "1,2", "-1,1,1", "0,0,0", "x,y,z"])
def test_target_parsing(text):
    value, warn = ms.parse_target(text, 3)
    assert value is None
    assert bool(warn) == bool(text)


def test_normalise_says_what_it_did():
    p, why = ms.normalise([1, 1, 2])
    np.testing.assert_allclose(p, [0.25, 0.25, 0.5])
    assert "divided" in why
    p, why = ms.normalise([0.5, 0.5])
    np.testing.assert_allclose(p, [0.5, 0.5])
    assert why == ""
    assert ms.normalise([np.nan, 1])[0] is None
