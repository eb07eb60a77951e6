"""Time every loss's cost and gradient against a one-pass read floor, and print a table.

    python bench/core.py                 # n = 1e4, 1e6, 1e7
    python bench/core.py --sizes 1e6     # one size
    python bench/core.py --repeats 7

The floor is ``np.add.reduce`` over y_true and y_pred, measured in the same run: reading both inputs once
is the least any loss must do. Ratios are time / floor (median of repeats). Multi-class losses use k = 4
columns and their floor reads the (n, 4) arrays. Figures only; no test asserts on them.
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import time

import numpy as np

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))

import losses  # noqa: E402

K = 4


def inputs(spec: losses.LossSpec, n: int, rng: np.random.Generator) -> tuple[np.ndarray, np.ndarray]:
    k = K
    kinds = {
        "values": lambda: rng.normal(0, 2, n),
        "values_gt_m1": lambda: rng.uniform(-0.5, 5, n),
        "nonneg_values": lambda: rng.poisson(3.0, n).astype(float),
        "positive_values": lambda: rng.uniform(0.1, 5, n),
        "labels01": lambda: rng.integers(0, 2, n).astype(float),
        "labels_pm1": lambda: rng.choice([-1.0, 1.0], n),
        "probabilities": lambda: rng.uniform(0.01, 0.99, n),
        "logits": lambda: rng.normal(0, 3, n),
        "scores": lambda: rng.normal(0, 3, n),
        "class_labels": lambda: rng.integers(0, k, n).astype(float),
        "distributions": lambda: (lambda q: q / q.sum(axis=1, keepdims=True))(rng.uniform(0.05, 1, (n, k))),
        "class_logits": lambda: rng.normal(0, 3, (n, k)),
        "class_scores": lambda: rng.normal(0, 3, (n, k)),
    }
    return kinds[spec.y_true](), kinds[spec.y_pred]()


def median_time(fn, repeats: int) -> float:
    fn()  # warm up
    times = []
    for _ in range(repeats):
        t0 = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t0)
    return statistics.median(times)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--sizes", nargs="*", type=float, default=[1e4, 1e6, 1e7])
    ap.add_argument("--repeats", type=int, default=5)
    ap.add_argument("--losses", nargs="*", default=None)
    args = ap.parse_args()
    rng = np.random.default_rng(0)
    names = args.losses or losses.names()
    print(f"numpy {np.__version__}, block {losses.validation.BLOCK} rows, median of {args.repeats}")
    for n in (int(s) for s in args.sizes):
        print(f"\nn = {n:.0e}")
        print(f"{'loss':34} {'floor ms':>9} {'cost ms':>9} {'cost ×':>7} {'grad ms':>9} {'grad ×':>7}")
        for name in names:
            spec = losses.get(name)
            t, p = inputs(spec, n, rng)
            floor = median_time(lambda t=t, p=p: (np.add.reduce(t, axis=None), np.add.reduce(p, axis=None)),
                                args.repeats)
            c = median_time(lambda spec=spec, t=t, p=p: spec.cost(t, p), args.repeats)
            g = median_time(lambda spec=spec, t=t, p=p: spec.gradient(t, p), args.repeats)
            ms = f"{floor * 1e3:9.2f} {c * 1e3:9.2f} {c / floor:7.1f} {g * 1e3:9.2f} {g / floor:7.1f}"
            print(f"{name:34} {ms}")
            del t, p


if __name__ == "__main__":
    main()
