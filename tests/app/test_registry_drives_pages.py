"""A loss added to the core alone shows up everywhere: its explorer page, its charts' legends, the catalogue,
the scoring page and the CLI. The fixture registers throw-away losses (one per category) and removes them.
"""

from __future__ import annotations

import json

import numpy as np
import pytest

import losses
import scoring.cli
from charts.style import format_metric as fmt
from losses.spec import LossSpec, Param, Properties
from scenes import binary as bin_sc
from scenes import multiclass as mc_sc
from scenes.regression import Scene
from tests.app import helpers
from tests.app.helpers import metrics

_PROPS = Properties(convex=True, symmetric=True, robust=False, smooth=True)


def _spec(name: str, label: str, category: str, y_true: str, y_pred: str, value, derivative,
          **kw) -> LossSpec:  # fmt: skip
    return LossSpec(name=name, label=label, title=f"Throw-away {label}", category=category,
                    formula=r"\ell = 0",
                    y_true=y_true, y_pred=y_pred, value=value, derivative=derivative, properties=_PROPS,
                    summary=f"A test loss ({label}).", good="tests", bad="nothing else", **kw)  # fmt: skip


QUARTIC = _spec(
    "zz_quartic", "quartic", "regression", "values", "values",
    lambda t, p, *, k: k * (p - t) ** 4, lambda t, p, *, k: 4 * k * (p - t) ** 3,
    params=(Param("k", 1.0, 0.0, 100.0, "a scale", "k", ui_low=0.5, ui_high=3.0, step=0.5, glyph="k"),),
)  # fmt: skip
BRIER = _spec(
    "zz_brier", "Brier", "binary", "labels01", "probabilities",
    lambda t, p: (p - t) ** 2, lambda t, p: 2 * (p - t),
)  # fmt: skip
MC_BRIER = _spec(
    "zz_mc_brier", "multi-class Brier", "multiclass", "distributions", "distributions",
    lambda t, q: ((q - t) ** 2).sum(axis=1), lambda t, q: 2 * (q - t),
)  # fmt: skip


@pytest.fixture
def throwaway(monkeypatch):
    """Three new losses in the registry for one test (monkeypatch removes them afterwards)."""
    for spec in (QUARTIC, BRIER, MC_BRIER):
        monkeypatch.setitem(losses._REGISTRY, spec.name, spec)
    yield
    assert "zz_quartic" in losses.names()  # still there until monkeypatch undoes it


def _legends(at) -> set[str]:
    return {t.get("name") for el in at.get("plotly_chart") for t in json.loads(el.proto.spec)["data"]}


def test_a_new_regression_loss_is_offered_plotted_and_scored_on_its_page(throwaway):
    at = helpers.open_page("views/regression.py")
    assert "quartic" in at.multiselect(key="reg_losses").options  # offered, by its short label
    at.multiselect(key="reg_losses").set_value(["mse", "zz_quartic"]).run()
    at.slider(key="reg_k").set_value(2.0).run()  # its parameter's slider, from its Param
    assert not at.exception
    scene = Scene()
    _, y = scene.points()
    want = fmt(QUARTIC.cost(y, scene.default_predictions(), k=2.0))
    assert metrics(at)["quartic"] == want
    assert "quartic" in _legends(at)


def test_a_new_binary_loss_is_a_margin_loss_on_its_page(throwaway):
    at = helpers.open_page("views/binary.py")
    assert not at.exception
    scene = bin_sc.Scene()
    p = 1 / (1 + np.exp(-scene.default_scores()))  # BRIER takes probabilities: the page gives it σ(s)
    assert metrics(at)["Brier"] == fmt(BRIER.cost(scene.labels01(), p))
    assert "Brier" in _legends(at)


def test_a_new_multiclass_loss_is_shown_on_the_sample(throwaway):
    at = helpers.open_page("views/multiclass.py")
    assert not at.exception
    z = np.array(mc_sc.default_logits(4))
    q = np.exp(z) / np.exp(z).sum()
    want = fmt(MC_BRIER.cost(mc_sc.one_hot(1, 4), q[None, :]))  # the default true class is "dog", class 1
    assert metrics(at)["multi-class Brier"] == want


def test_a_new_loss_has_a_card_in_the_catalogue(throwaway):
    at = helpers.open_page("views/catalogue.py")
    assert any("Throw-away quartic" in h.value for h in at.subheader)


def test_a_new_loss_is_scored_by_the_cli_and_the_score_page(throwaway, capsys, tmp_path):
    path = tmp_path / "preds.csv"
    path.write_text("y_true,y_pred\n1,1.5\n2,1.0\n3,3.25\n")
    assert scoring.cli.main([str(path), "--format", "json"]) == 0
    reported = json.loads(capsys.readouterr().out)["losses"]
    want = QUARTIC.cost([1, 2, 3], [1.5, 1.0, 3.25])
    assert reported["zz_quartic"]["cost"] == pytest.approx(want, rel=1e-12)
    at = helpers.open_page("views/score.py", {"score_example": "regression_outliers.csv"})
    assert "Throw-away quartic" in metrics(at)
