"""How fast the learning page recomputes and re-renders: 3 losses × 500 steps on 30 points, server-side.

    python bench/learn.py                 # 15 reruns, each with a new learning rate (no cache hit)
    python bench/learn.py --repeats 40

1. The page (AppTest): the time of ``at.run()`` after moving the learning-rate slider, i.e. a whole-script
   rerun of /learn with MSE, MAE and Huber trained for 500 steps on the 30-point scene with an outlier,
   every run and figure rebuilt (each rerun uses a learning rate not seen before, so nothing is cached).
2. Its parts, called directly: the three runs (``losses.descent``), the three best lines (``losses.fitting``),
   the cost surface and its level lines, building the figures, and serialising them (what Streamlit sends).
Figures only (median, 90th percentile, max in milliseconds); the target is 300 ms. No test asserts on them.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

NAMES = ("mse", "mae", "huber")
N, STEPS = 30, 500


def summary(name: str, ms: list[float]) -> str:
    ms = sorted(ms)
    p90 = ms[min(len(ms) - 1, int(0.9 * len(ms)))]
    return f"{name:52} median {statistics.median(ms):7.1f} ms   p90 {p90:7.1f} ms   max {ms[-1]:7.1f} ms"


def page(repeats: int) -> list[float]:
    from streamlit.testing.v1 import AppTest

    at = AppTest.from_file(str(REPO / "app.py"), default_timeout=60)
    at.query_params["learn_n"] = str(N)
    at.query_params["learn_out"] = "5:30"
    at.query_params["learn_steps"] = str(STEPS)
    at.run()
    at.switch_page("views/learn.py").run()
    assert not at.exception, at.exception
    times = []
    for i in range(repeats + 2):
        at.slider(key="learn_lr").set_value(round(-1.75 - 0.1 * (i % 20) - 0.01 * (i // 20), 2))
        t0 = time.perf_counter()
        at.run()
        dt = (time.perf_counter() - t0) * 1e3
        assert not at.exception, at.exception
        if i >= 2:  # the first reruns warm imports and caches of unrelated parts
            times.append(dt)
    return times


def parts(repeats: int) -> dict[str, list[float]]:
    import plotly.io as pio

    import losses
    from charts import learn as charts
    from losses.fitting import fit_line
    from scenes import learn as sc
    from scenes import regression as reg

    scene = reg.Scene(n=N, outliers=((5.0, 30.0),))
    x, y = scene.points()
    params = {n: losses.get(n).defaults() for n in NAMES}
    titles = {n: losses.get(n).short for n in NAMES}
    out: dict[str, list[float]] = {k: [] for k in ("runs", "fits", "surface", "figures", "serialise")}
    for i in range(repeats):
        training = sc.Training(lr=0.02 - 1e-5 * i, steps=STEPS)
        t0 = time.perf_counter()
        runs = sc.train(NAMES, x, y, params, training, model="line", init=sc.REG_START)
        t1 = time.perf_counter()
        fits = {n: fit_line(n, x, y, **params[n]) for n in NAMES}
        t2 = time.perf_counter()
        w, b, z = sc.surface("mse", x, y, {}, sc.surface_box(runs, fits))
        levels = sc.contours(w, b, z)
        t3 = time.perf_counter()
        steps = sc.frame_steps(STEPS)
        frames = {n: sc.held(runs[n], steps) for n in NAMES}
        paths = {n: r.weights for n, r in runs.items()}
        best = {n: (f.slope, f.intercept) for n, f in fits.items()}
        figs = [
            charts.learning_lines(x, y, scene.labels(), frames, steps, titles, surface=(w, b, levels),
                                  surface_title="MSE", paths=paths, best=best, x_range=reg.X_RANGE,
                                  y_range=reg.y_range(y)),
            charts.cost_curves({n: r.cost for n, r in runs.items()}, {n: f.cost for n, f in fits.items()},
                               titles),
        ]  # fmt: skip
        t4 = time.perf_counter()
        size = sum(len(pio.to_json(f, validate=False)) for f in figs)
        t5 = time.perf_counter()
        for key, dt in zip(out, (t1 - t0, t2 - t1, t3 - t2, t4 - t3, t5 - t4), strict=True):
            out[key].append(dt * 1e3)
    out[f"(the two figures: {size / 1e3:.0f} kB of JSON)"] = []
    return out


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--repeats", type=int, default=15)
    args = ap.parse_args()
    print(f"/learn, {len(NAMES)} losses x {STEPS} steps x {N} points (target: 300 ms)")
    print(summary("AppTest: full-page rerun after a new learning rate", page(args.repeats)))
    for name, ms in parts(args.repeats).items():
        print(summary(f"  {name}", ms) if ms else f"  {name}")


if __name__ == "__main__":
    main()
