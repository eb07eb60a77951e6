"""Time building every figure in ``charts/`` for typical inputs, and print a table.

    python bench/charts.py                    # median of 50 builds per figure
    python bench/charts.py --repeats 200
    python bench/charts.py --rows 100000      # a larger file on the scoring page (default 200 rows)
    python bench/charts.py --charts /tmp/old  # import ``charts`` from another folder (an older copy)

Inputs are the sizes the pages use: 6 losses on a 401-point grid with 8 marked samples (regression), 6
margin losses on a 301-point grid with 10 samples (binary), 4 classes (multi-class) and a scored file of
``--rows`` rows. Only building the ``go.Figure`` is timed, not serialising it. Figures only; no test
asserts on them.
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import time
from collections.abc import Callable

import numpy as np

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
LOSSES = ("mse", "mae", "huber", "pseudo_huber", "log_cosh", "quantile")
MARGIN_LOSSES = ("zero_one", "hinge", "squared_hinge", "logistic", "exponential", "modified_huber")


def median_time(fn: Callable[[], object], repeats: int) -> float:
    fn()  # warm up (first-use imports and validator caches)
    times = []
    for _ in range(repeats):
        t0 = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t0)
    return statistics.median(times)


def cases(rows: int) -> dict[str, Callable[[], object]]:
    """Figure name -> a call that builds it from inputs made here once."""
    from charts import classification, regression, scoring

    rng = np.random.default_rng(0)

    # regression explorer
    grid = np.linspace(-6, 6, 401)
    labels = [f"point {i + 1}" for i in range(7)] + ["outlier 1"]
    resid = rng.normal(0, 2, 8)
    titles = {n: n.replace("_", " ") for n in LOSSES}
    curves = {n: (grid, np.abs(grid) ** (1 + i / 5)) for i, n in enumerate(LOSSES)}
    points = {n: (resid, np.abs(resid) ** (1 + i / 5)) for i, n in enumerate(LOSSES)}
    shares = {n: rng.dirichlet(np.ones(8)) for n in LOSSES}
    x, y = rng.uniform(0, 10, 8), rng.uniform(0, 10, 8)
    lines = {n: (0.5 + i / 10, 1.0) for i, n in enumerate(LOSSES)}

    # binary explorer
    m_grid = np.linspace(-6, 6, 301)
    m = rng.normal(0.5, 2, 10)
    names = [f"sample {i + 1}" for i in range(10)]
    value_lines = [
        classification.Line(m_grid, np.maximum(0, 1 - m_grid), n, n, group=n) for n in MARGIN_LOSSES
    ]
    value_marks = [
        classification.Marks(m, np.maximum(0, 1 - m), names, n, m <= 0, group=n, title=n)
        for n in MARGIN_LOSSES
    ]
    s_grid = np.linspace(-8, 8, 321)
    sig = 1 / (1 + np.exp(-s_grid))

    # multi-class explorer
    classes = ["cat", "dog", "bird", "fish"]
    q = rng.dirichlet(np.ones(4))

    # scoring page
    t = rng.normal(300, 80, rows)
    p = t + rng.normal(0, 20, rows)
    per = (t - p) ** 2
    row_ids = np.arange(1, rows + 1)
    worst = scoring.worst_rows(per, 10)
    prob = rng.uniform(0, 1, rows)
    hit = rng.uniform(0, 1, rows) < prob
    bce = -np.log(np.where(hit, prob, 1 - prob).clip(1e-12))

    return {
        "regression.curves_with_points": lambda: regression.curves_with_points(
            curves, points, titles, point_labels=labels, x_title="residual r", y_title="loss ℓ(r)"
        ),
        "regression.share_bars": lambda: regression.share_bars(labels, shares, titles),
        "regression.best_lines": lambda: regression.best_lines(
            x, y, labels, lines, titles, user_line=(1.0, 0.0), x_range=(0, 10), y_range=(0, 10)
        ),
        "classification.curves (margin)": lambda: classification.curves(
            value_lines, value_marks, x_title="margin m = t·s", y_title="loss ℓ", x_range=(-6, 6),
            y_range=(-0.2, 4), wrong_below=0.0, margin_at=1.0, height=440, hover_x="m",
        ),
        "classification.gradient_comparison": lambda: classification.gradient_comparison(
            s_grid, sig - 1, -2 * (1 - sig) * sig * (1 - sig), at=-4.0, ce_at=-0.98, squared_at=-0.03,
            x_range=(-8, 8),
        ),
        "classification.class_bars (1 series)": lambda: classification.class_bars(
            classes, {"q": q}, styles={"q": "probability"}, y_title="probability", true_class=1,
            y_range=(0, 1.12),
        ),
        "classification.class_bars (2 series)": lambda: classification.class_bars(
            classes, {"P": np.full(4, 0.25), "Q": q}, styles={"P": "target", "Q": "probability"},
            y_title="probability", y_range=(0, 1.15), decimals=2,
        ),
        "scoring.loss_histogram": lambda: scoring.loss_histogram(per, loss="mse", title="MSE"),
        "scoring.predicted_vs_actual": lambda: scoring.predicted_vs_actual(
            t, p, row_ids, worst, names=("actual_price_k", "predicted_price_k")
        ),
        "scoring.residual_plot": lambda: scoring.residual_plot(
            t, p, row_ids, worst, names=("actual_price_k", "predicted_price_k")
        ),
        "scoring.calibration_plot": lambda: scoring.calibration_plot(prob, hit, what="class rain"),
        "scoring.loss_vs_probability": lambda: scoring.loss_vs_probability(
            prob, bce, hit.astype(int), row_ids, loss="binary_cross_entropy", title="BCE",
            class_names=["dry", "rain"], what="class rain",
        ),
    }  # fmt: skip


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--repeats", type=int, default=50)
    ap.add_argument("--rows", type=int, default=200, help="rows of the scored file (scoring page)")
    ap.add_argument("--charts", default=ROOT, help="folder holding the charts package to time")
    args = ap.parse_args()
    sys.path.insert(0, ROOT)
    sys.path.insert(0, os.path.abspath(args.charts))
    import plotly

    import charts

    print(f"plotly {plotly.__version__}, charts from {os.path.dirname(charts.__file__)}")
    print(f"median of {args.repeats} builds, scoring file of {args.rows:,} rows\n")
    print(f"{'figure':40} {'ms':>8}")
    total = 0.0
    for name, build in cases(args.rows).items():
        dt = median_time(build, args.repeats)
        total += dt
        print(f"{name:40} {dt * 1e3:8.2f}")
    print(f"{'all of the above':40} {total * 1e3:8.2f}")


if __name__ == "__main__":
    main()
