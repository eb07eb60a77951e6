"""The multi-class explorer, run headless with AppTest: every number on the page is the core's."""

from __future__ import annotations

import numpy as np
import pytest
from streamlit.testing.v1 import AppTest

import losses
from charts.style import format_metric as fmt
from losses.multiclass import softmax
from scenes import multiclass as sc
from tests.app import helpers
from tests.app.helpers import metrics

PAGE = "views/multiclass.py"


def open_page(query: dict[str, str | list[str]] | None = None) -> AppTest:
    return helpers.open_page(PAGE, query)


def expected(z, true: int, *, k: int = 4, T: float = 1.0, eps: float = 0.1, P=None) -> dict[str, str]:
    """The metrics, computed with the core the way a user would call it."""
    zt = np.asarray(z, dtype=float)[None, :] / T
    q = softmax(zt)
    y = np.zeros((1, k))
    y[0, true] = 1.0
    p = np.asarray(P if P is not None else sc.default_target(k, 1), dtype=float)[None, :]
    p = p / p.sum()
    return {
        "CE (one-hot)": fmt(losses.get("categorical_cross_entropy").cost(y, q)),
        f"CE (smoothed, ε = {eps:g})": fmt(
            losses.get("categorical_cross_entropy").cost(y, q, label_smoothing=eps)
        ),
        "sparse CE": fmt(losses.get("sparse_categorical_cross_entropy").cost([true], q)),
        "softmax CE (logits)": fmt(losses.get("softmax_cross_entropy").cost([true], zt)),
        "KL(P‖Q)": fmt(losses.get("kl_divergence").cost(p, q)),
        "KL(Q‖P)": fmt(losses.get("kl_divergence").cost(q, p)),
    }


def assert_metrics(at: AppTest, want: dict) -> None:
    shown = metrics(at)
    for label, value in want.items():
        assert shown[label] == value, label


DOG = sc.names(4).index("dog")


@pytest.mark.parametrize(
    "query",
    [
        {"mc_k": ["4", "3"], "mc_target": "0.1,0.2,0.7"},
        {"mc_k": ["4", "3"], "mc_batch": "1,2,3:0"},
        {"mc_batch": "1,2,3,4:²"},
        {"mc_target": "1e308,1e308,1,1"},
        {"mc_target": "0.0004,0.0004,0.0004,0.0004"},
    ],
)
def test_links_that_disagree_with_themselves_fall_back_without_a_traceback(query):
    at = helpers.open_page(PAGE, query)
    assert not at.exception


def test_default_page_shows_the_core_values_and_sparse_equals_one_hot():
    at = open_page()
    want = expected(sc.default_logits(4), DOG)
    assert_metrics(at, want)
    assert want["sparse CE"] == want["CE (one-hot)"] == want["softmax CE (logits)"]
    assert any(m.value.startswith("**Sparse CE = one-hot CE.**") for m in at.markdown)
    assert len(at.latex) == 4
    z, labels = sc.default_batch(4)
    cost = losses.get("softmax_cross_entropy").cost(labels, z)
    assert metrics(at)["cost J (mean of 4)"] == fmt(cost)
    assert not at.warning


def test_injected_logits_update_the_metrics_and_the_url():
    at = open_page()
    z = [-1.0, 3.5, 0.0, 6.0]
    at.session_state["mc_z"] = {"positions": z}
    at.run()
    assert not at.exception
    assert_metrics(at, expected(z, DOG))
    assert at.query_params["mc_logits"] == "-1,3.5,0,6"
    deltas = {m.label: m.delta for m in at.metric}
    before = losses.get("softmax_cross_entropy").cost([DOG], [sc.default_logits(4)])
    after = losses.get("softmax_cross_entropy").cost([DOG], [z])
    assert deltas["softmax CE (logits)"] == fmt(after - before)


def test_temperature_smoothing_and_true_class_update_the_metrics():
    at = open_page()
    z = sc.default_logits(4)
    at.slider(key="mc_T").set_value(2.5).run()
    assert_metrics(at, expected(z, DOG, T=2.5))
    at.slider(key="mc_eps").set_value(0.3).run()
    assert_metrics(at, expected(z, DOG, T=2.5, eps=0.3))
    at.selectbox(key="mc_true").set_value("bird").run()
    assert_metrics(at, expected(z, 2, T=2.5, eps=0.3))
    # the true class changes the cross-entropies but not KL between P and Q
    assert metrics(at)["KL(P‖Q)"] == expected(z, DOG, T=2.5)["KL(P‖Q)"]


def test_more_classes_and_a_vanished_true_class_fall_back():
    at = open_page()
    at.slider(key="mc_k").set_value(10).run()
    at.selectbox(key="mc_true").set_value("plane").run()
    assert_metrics(at, expected(sc.default_logits(10), 9, k=10))
    at.slider(key="mc_k").set_value(3).run()  # "plane" is gone: the default true class again
    assert not at.exception
    assert at.selectbox(key="mc_true").value == "dog"
    assert_metrics(at, expected(sc.default_logits(3), 1, k=3))


def test_query_string_restores_logits_target_and_batch():
    z = [0.5, -2.0, 1.25]
    P = [0.2, 0.3, 0.5]
    at = open_page(
        {"mc_k": "3", "mc_true": "bird", "mc_T": "0.5", "mc_eps": "0", "mc_logits": "0.5,-2,1.25",
         "mc_target": "0.2,0.3,0.5",
         "mc_batch": "1,2,3:0;-1,0,5:2"}
    )  # fmt: skip
    assert not at.warning
    assert_metrics(at, expected(z, 2, k=3, T=0.5, eps=0.0, P=P))
    cost = losses.get("softmax_cross_entropy").cost([0, 2], [[1, 2, 3], [-1, 0, 5]])
    assert metrics(at)["cost J (mean of 2)"] == fmt(cost)


def test_a_target_that_does_not_sum_to_one_is_normalised_and_said_so():
    at = open_page({"mc_target": "1,1,1,1"})
    assert not at.warning
    assert_metrics(at, expected(sc.default_logits(4), DOG, P=[0.25] * 4))
    assert any("divided by that sum" in c.value for c in at.caption)


def test_a_zero_in_the_target_makes_reverse_kl_huge_not_an_error():
    at = open_page({"mc_target": "0,1,0,0"})
    assert not at.exception and not at.error
    assert_metrics(at, expected(sc.default_logits(4), DOG, P=[0, 1, 0, 0]))
    assert any("clips P at machine epsilon" in c.value for c in at.caption)


@pytest.mark.parametrize(
    "query",
    [
        {"mc_k": "abc"},
        {"mc_k": "11"},
        {"mc_T": "0"},
        {"mc_T": "nan"},
        {"mc_eps": "2"},
        {"mc_true": "<script>"},
        {"mc_logits": "1,2,3"},
        {"mc_logits": "1,2,nan,4"},
        {"mc_logits": "1e309,0,0,0"},
        {"mc_logits": "100,0,0,0"},
        {"mc_target": "-1,1,1,1"},
        {"mc_target": "0,0,0,0"},
        {"mc_target": "a,b,c,d"},
        {"mc_batch": "junk"},
        {"mc_batch": "1,2,3,4:9"},
        {"mc_batch": ";".join(["0,0,0,0:0"] * 50)},
    ],
)
def test_hostile_query_string_falls_back_with_a_warning(query):
    at = open_page(query)
    assert not at.exception
    assert at.warning, f"no warning for {query}"
    assert metrics(at)["sparse CE"] == expected(sc.default_logits(4), DOG)["sparse CE"]


def test_extreme_logits_and_resets():
    at = open_page()
    at.session_state["mc_z"] = {"positions": [-6.0, -6.0, 6.0, 6.0]}
    at.slider(key="mc_T").set_value(0.1).run()
    assert not at.exception
    want = expected([-6.0, -6.0, 6.0, 6.0], DOG, T=0.1)
    assert_metrics(at, want)
    # q of the true class is e^-120: CE on probabilities clips it, softmax CE on the logits does not
    assert float(want["softmax CE (logits)"]) > float(want["CE (one-hot)"])
    at.button(key="mc_reset").click().run()
    assert not at.exception
    assert_metrics(at, expected(sc.default_logits(4), DOG))
