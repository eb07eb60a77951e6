"""Binary classification scenes: labelled samples with a classifier score each, and their URL form.

A scene is ``Scene(n, seed)``: ``n`` samples, about half of them positive ("rain", label 1), each with a
score s (a logit). Scores are the only thing a user drags; they live beside the scene, in the URL as ``s``.
Everything here is pure and deterministic, so a link restores exactly what was on screen, and a hostile
URL yields the defaults plus the warnings to show.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from scenes.regression import check_choice, check_float, check_int  # noqa: F401  (one set of URL checks)
from scenes.text import quote

N_MIN, N_MAX, N_DEFAULT = 4, 16, 8
SEED_MAX = 999
S_RANGE = (-6.0, 6.0)  # scores a user can drag to (and a URL may carry)
P_RANGE = (0.0, 1.0)  # the probability axis
P_CLIP = 0.0025  # σ(±6) ≈ 0.0025 / 0.9975: probabilities are kept inside the score range
DECIMALS = 2  # scores are kept to this many decimals, so a URL holds them exactly
CLASS_NAMES = ("no rain", "rain")  # label 0, label 1
CONVENTIONS = ("0/1", "-1/+1")  # the labels' convention (URL values and labels of the control)
#: Colours of the two labels (colour-blind safe pair: blue / orange), by label 0/1.
LABEL_COLORS = ("#1f77b4", "#e6550d")


@dataclass(frozen=True)
class Scene:
    n: int = N_DEFAULT
    seed: int = 0

    def _rng(self) -> np.random.Generator:
        # offset so that seed 0 gives a teaching scene: mostly right, one confident mistake, one near miss
        return np.random.default_rng(self.seed + 3)

    def labels01(self) -> np.ndarray:
        """Labels in the 0/1 convention (1 = "rain"): half the samples positive, in a seeded order."""
        rng = self._rng()
        y = np.zeros(self.n)
        y[rng.permutation(self.n)[: self.n // 2]] = 1.0
        return y

    def default_scores(self) -> np.ndarray:
        """Scores whose margins t·s scatter around 1: most samples right, some wrong."""
        rng = self._rng()
        rng.permutation(self.n)  # the labels' draw: keep the two streams independent of n's parity
        t = 2.0 * self.labels01() - 1.0
        m = np.clip(rng.normal(1.0, 1.8, self.n), -4.5, 4.5)
        return np.array(quantize(t * m))

    def names(self) -> list[str]:
        """One accessible name per sample, with its class: "sample 3 (rain)"."""
        return [f"sample {i + 1} ({CLASS_NAMES[int(v)]})" for i, v in enumerate(self.labels01())]


def quantize(values) -> list[float]:
    """Rounded to ``DECIMALS``, inside the score range, with no negative zero."""
    lo, hi = S_RANGE
    return [round(min(max(float(v), lo), hi), DECIMALS) + 0.0 for v in values]


def in_convention(labels01: np.ndarray, convention: str) -> np.ndarray:
    """The labels as the scene gives them to the losses: 0/1, or -1/+1 (0 → -1)."""
    y = np.asarray(labels01, dtype=float)
    return 2.0 * y - 1.0 if convention == CONVENTIONS[1] else y


def as_01(labels: np.ndarray) -> np.ndarray:
    """0/1 labels from either convention (-1 → 0): what cross-entropy needs."""
    y = np.asarray(labels, dtype=float)
    return np.where(y > 0, 1.0, 0.0)


def as_pm1(labels: np.ndarray) -> np.ndarray:
    """-1/+1 labels from either convention (0 → -1): the t of the margin m = t·s."""
    y = np.asarray(labels, dtype=float)
    return np.where(y > 0, 1.0, -1.0)


def margins(labels: np.ndarray, scores: np.ndarray) -> np.ndarray:
    """m = t·s with t = ±1: positive when the sample is on its right side."""
    return as_pm1(labels) * np.asarray(scores, dtype=float)


def logit(p) -> np.ndarray:
    """The score whose sigmoid is p (log-odds), for probabilities dragged on the probability axis.

    Not a loss: the inverse of ``losses.binary.sigmoid``, used only to turn a dragged p back into a score.
    p is kept inside [P_CLIP, 1 - P_CLIP], so the score stays in S_RANGE.
    """
    q = np.clip(np.asarray(p, dtype=float), P_CLIP, 1.0 - P_CLIP)
    return np.log(q) - np.log1p(-q)


# ---- URL form --------------------------------------------------------------------------------------
def format_values(values) -> str:
    return ",".join(f"{v:.{DECIMALS}f}".rstrip("0").rstrip(".") or "0" for v in values)


def parse_scores(text: str | None, count: int) -> tuple[list[float] | None, list[str]]:
    """``count`` comma-separated scores in S_RANGE, or None with a warning saying why they were ignored."""
    if text is None or text == "":
        return None, []
    lo, hi = S_RANGE
    try:
        values = [float(v) for v in text.split(",")]
    except ValueError:
        values = None
    if values is None or not all(math.isfinite(v) for v in values):
        return None, [f"The link's scores ({quote(text)}) are not all numbers; showing the defaults instead."]
    if len(values) != count:
        return None, [f"The link has {len(values)} scores for {count} samples; showing the defaults instead."]
    if not all(lo <= v <= hi for v in values):
        return None, [
            f"The link's scores must lie in [{lo:g}, {hi:g}]; showing the defaults instead "
            "(drag a score to the edge of the chart for a confident prediction)."
        ]
    return quantize(values), []
