"""Benchmark the command-line scorer against pandas' own parse time, on regression and binary CSVs.

    python bench/csv.py                 # 1e5, 1e6 and 1e7 rows (generating the 1e7 files takes a while)
    python bench/csv.py --rows 1e5 1e6  # a subset

Files are written once to $TMPDIR/lossx_bench (reused afterwards). Each measurement runs in a fresh Python
process that reports its own wall time (imports excluded) and peak RSS (``resource.getrusage``):
``parse floor`` is ``pandas.read_csv(path)`` alone; ``total`` is the CLI path (``scoring.cli.run``: sniff,
detect, read in chunks, score every applicable loss). Numbers are printed, never asserted.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
DIR = Path(os.environ.get("LOSSX_BENCH_DIR") or Path(tempfile.gettempdir()) / "lossx_bench")
GEN_CHUNK = 1_000_000

_MEASURE = r"""
import json, resource, sys, time
sys.path.insert(0, {root!r})
import pandas as pd
import scoring.cli
mode, path = sys.argv[1], sys.argv[2]
t0 = time.perf_counter()
if mode == "floor":
    pd.read_csv(path)
else:
    import io, contextlib
    with contextlib.redirect_stdout(io.StringIO()):
        rc = scoring.cli.run([path, "--format", "json"])
    assert rc == 0
dt = time.perf_counter() - t0
print(json.dumps({{"seconds": dt, "peak_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024}}))
"""


def generate(task: str, rows: int) -> Path:
    """A CSV of ``rows`` rows (header y_true,y_pred or y_true,y_prob), written in chunks with numpy."""
    DIR.mkdir(parents=True, exist_ok=True)
    path = DIR / f"{task}_{rows}.csv"
    if path.exists() and path.stat().st_size > 0:
        return path
    rng = np.random.default_rng(rows)
    tmp = path.with_suffix(".part")
    with open(tmp, "w") as fh:
        fh.write("y_true,y_pred\n" if task == "regression" else "y_true,y_prob\n")
        for start in range(0, rows, GEN_CHUNK):
            n = min(GEN_CHUNK, rows - start)
            if task == "regression":
                t = rng.normal(10.0, 3.0, n)
                p = t + rng.standard_t(3, n)
                np.savetxt(fh, np.column_stack([t, p]), fmt="%.6f", delimiter=",")
            else:
                p = rng.uniform(0.0, 1.0, n)
                t = (rng.uniform(0.0, 1.0, n) < p).astype(np.float64)
                np.savetxt(fh, np.column_stack([t, p]), fmt=("%d", "%.6f"), delimiter=",")
    tmp.rename(path)
    return path


def measure(mode: str, path: Path) -> dict:
    code = _MEASURE.format(root=str(ROOT))
    proc = subprocess.run([sys.executable, "-c", code, mode, str(path)], capture_output=True, text=True)
    if proc.returncode != 0:
        raise SystemExit(f"{mode} failed on {path}:\n{proc.stderr}")
    return json.loads(proc.stdout.strip().splitlines()[-1])


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--rows", nargs="+", type=float, default=[1e5, 1e6, 1e7])
    ap.add_argument("--tasks", nargs="+", default=["regression", "binary"], choices=["regression", "binary"])
    ap.add_argument("--repeat", type=int, default=1, help="best of N runs for each time")
    args = ap.parse_args()
    head = f"{'task':<11}{'rows':>11}{'MB':>8}{'total s':>10}{'floor s':>10}{'ratio':>7}{'peak MB':>9}"
    head += f"{'floor MB':>10}"
    print(head)
    print("-" * len(head))
    for rows in (int(r) for r in args.rows):
        for task in args.tasks:
            path = generate(task, rows)
            floor = min((measure("floor", path) for _ in range(args.repeat)), key=lambda m: m["seconds"])
            total = min((measure("cli", path) for _ in range(args.repeat)), key=lambda m: m["seconds"])
            size = path.stat().st_size / 2**20
            print(
                f"{task:<11}{rows:>11,}{size:>8.0f}{total['seconds']:>10.2f}{floor['seconds']:>10.2f}"
                f"{total['seconds'] / floor['seconds']:>7.2f}"
                f"{total['peak_mb']:>9.0f}{floor['peak_mb']:>10.0f}",
                flush=True,
            )


if __name__ == "__main__":
    main()
