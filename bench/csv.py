"""Benchmark the command-line scorer against the read floors: CSV, Parquet and the Dask engine.

    python bench/csv.py                          # 1e7 rows, regression and binary, quiet and loaded
    python bench/csv.py --rows 1e6 --no-load     # a quick look
    python bench/csv.py --rows 1e7 5e7 --tasks regression --no-dask   # memory flat in the file size?

Floors, measured in the same run: ``pandas.read_csv`` (C engine) of the needed columns alone, and
``pyarrow.parquet.read_table`` of the needed columns alone. ``scorer`` is the command line's path
(``scoring.cli.run``: sniff, detect, read in chunks, score every applicable loss, JSON out) on the CSV, on
the same rows as Parquet (row groups of 1M rows), and with ``--engine dask`` on a ``LocalCluster`` of two
single-threaded worker processes started once for the run (its start-up is printed apart; the peak memory of
a Dask row is the client's, the workers' is not counted; once started, the cluster scores a 3-row file, so
that its workers' first-task imports count in its start-up, as a running cluster's have been paid).
``scoring alone`` is the local engine's work on the rows already in memory (read from the Parquet file and
detected before the clock starts; cells to arrays, checks, every loss, chunk by chunk): no reader can make a
run faster than that on one scoring thread, so it bounds the ratios to the floors from below (its peak
memory holds every chunk, read before the clock: not the scorer's).
``loaded`` rows run while another process keeps one core busy (a busy loop started and stopped here). Each
measurement runs in a fresh Python process that reports its wall time (imports excluded: pandas, pyarrow,
the scorer, and dask and distributed for a Dask row), its CPU time and its peak RSS. Start-up:
``python -m scoring --help`` and ``import scoring.cli``, best of five. Numbers are printed, never
asserted. Files are written once to $LOSSX_BENCH_DIR (default $TMPDIR/lossx_bench) and reused.

Aims (issue 14), on a 2-core machine, 1e7 rows: regression CSV <= 1.2x the CSV floor, binary CSV <= 1.5x,
also loaded; Parquet <= 2x the Parquet floor; peak memory of 1e7 and 5e7 rows within 10%; Dask within 1.5x
of the local engine on the same files; start-up <= 0.3 s.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
DIR = Path(os.environ.get("LOSSX_BENCH_DIR") or Path(tempfile.gettempdir()) / "lossx_bench")
GEN_CHUNK = 1_000_000
COLUMNS = {"regression": ["y_true", "y_pred"], "binary": ["y_true", "y_prob"]}

_MEASURE = r"""
import json, os, sys, time
sys.path.insert(0, {root!r})
mode, path, cols = sys.argv[1], sys.argv[2], sys.argv[3].split(",")
extra = sys.argv[4:]
import pandas as pd
import pyarrow.parquet as pq
if mode != "parquet_floor":
    import scoring.cli
    if "--engine" in extra:  # the client's imports, as the local engine's are: not the run's time
        import dask.dataframe, distributed
if mode == "scoring_only":  # the file detected and its chunks read (by the scorer's reader) before the clock
    from scoring import chunked, dataset, reader
    ds = dataset.open_dataset([path])
    spec = dataset.block_spec(ds.det, columns=ds.fmt.columns)
    chunks = list(reader.iter_chunks(path, ds.fmt, usecols=spec.usecols, chunksize=reader.CHUNK_ROWS,
                                     prefetch=False, text=chunked.text_columns(ds.det)))
t0, c0 = time.perf_counter(), os.times()
if mode == "scoring_only":  # dataset._score_local's loop, no reading: skipped losses not computed again
    total = dataset.Partial()
    for i, (first, frame, _frac) in enumerate(chunks):
        total.merge(dataset.score_block(frame, first, spec, (0, i), skip=frozenset(total.skipped)))
elif mode == "csv_floor":
    pd.read_csv(path, usecols=cols, engine="c")
elif mode == "parquet_floor":
    pq.read_table(path, columns=cols)
else:
    import io, contextlib
    with contextlib.redirect_stdout(io.StringIO()):
        rc = scoring.cli.run([path, "--format", "json", "--quiet", *extra])
    assert rc == 0
c1 = os.times()
# VmHWM, not ru_maxrss: that one keeps the parent's size at the fork (Linux carries it across exec)
peak = next(int(ln.split()[1]) for ln in open("/proc/self/status") if ln.startswith("VmHWM:")) / 1024
print(json.dumps({{"seconds": time.perf_counter() - t0, "cpu": c1.user + c1.system - c0.user - c0.system,
                  "peak_mb": peak}}))
"""


def _columns(task: str, rows: int, rng: np.random.Generator) -> tuple[np.ndarray, np.ndarray]:
    if task == "regression":
        t = rng.normal(10.0, 3.0, rows)
        return t.round(6), (t + rng.standard_t(3, rows)).round(6)
    p = rng.uniform(0.0, 1.0, rows)
    return (rng.uniform(0.0, 1.0, rows) < p).astype(np.int64), p.round(6)


def generate(task: str, rows: int) -> tuple[Path, Path]:
    """A CSV and a Parquet file of the same ``rows`` rows (header y_true,y_pred or y_true,y_prob)."""
    import pyarrow as pa
    import pyarrow.csv as pacsv
    import pyarrow.parquet as pq

    DIR.mkdir(parents=True, exist_ok=True)
    csv_path, pq_path = DIR / f"{task}_{rows}.csv", DIR / f"{task}_{rows}.parquet"
    if not (csv_path.exists() and csv_path.stat().st_size):
        rng = np.random.default_rng(rows)
        tmp = csv_path.with_suffix(".part")
        names = COLUMNS[task]
        with pa.OSFile(str(tmp), "wb") as sink:
            writer = None
            for start in range(0, rows, GEN_CHUNK):
                t, p = _columns(task, min(GEN_CHUNK, rows - start), rng)
                table = pa.table({names[0]: t, names[1]: p})
                if writer is None:
                    writer = pacsv.CSVWriter(sink, table.schema)
                writer.write_table(table)
            writer.close()
        tmp.rename(csv_path)
    if not (pq_path.exists() and pq_path.stat().st_size):
        tmp = pq_path.with_suffix(".part")
        pq.write_table(pacsv.read_csv(csv_path), tmp, row_group_size=1 << 20)
        tmp.rename(pq_path)
    return csv_path, pq_path


def measure(mode: str, path: Path, cols: list[str], extra: list[str], repeat: int) -> dict:
    code = _MEASURE.format(root=str(ROOT))
    best = None
    for _ in range(repeat):
        proc = subprocess.run([sys.executable, "-c", code, mode, str(path), ",".join(cols), *extra],
                              capture_output=True, text=True, cwd=ROOT)  # fmt: skip
        if proc.returncode != 0:
            raise SystemExit(f"{mode} failed on {path}:\n{proc.stderr}")
        got = json.loads(proc.stdout.strip().splitlines()[-1])
        best = got if best is None or got["seconds"] < best["seconds"] else best
    return best


def startup(repeat: int = 5) -> dict[str, float]:
    out = {}
    for label, args in (("python -m scoring --help", ["-m", "scoring", "--help"]),
                        ("import scoring.cli", ["-c", "import scoring.cli"])):  # fmt: skip
        times = []
        for _ in range(repeat):
            t0 = time.perf_counter()
            subprocess.run([sys.executable, *args], cwd=ROOT, capture_output=True, check=True)
            times.append(time.perf_counter() - t0)
        out[label] = min(times)
    return out


@contextlib.contextmanager
def busy_core(on: bool):
    """Another process keeping one core busy (a busy loop), stopped by its own handle."""
    if not on:
        yield
        return
    spinner = subprocess.Popen([sys.executable, "-c", "while True: pass"])
    try:
        time.sleep(0.5)
        yield
    finally:
        spinner.kill()
        spinner.wait()


_CLUSTER = r"""
import contextlib, io, logging, os, sys, tempfile, time
from distributed import LocalCluster
t0 = time.perf_counter()
with LocalCluster(n_workers=2, threads_per_worker=1, processes=True, dashboard_address=":0",
                  silence_logs=logging.ERROR) as cluster:
    import scoring.cli  # the workers score a 3-row file once: their first task's imports, as a running
    with tempfile.TemporaryDirectory() as tmp:  # cluster's workers have them (part of the start-up)
        tiny = os.path.join(tmp, "tiny.csv")
        with open(tiny, "w") as fh:
            fh.write("y_true,y_pred\n1,1.5\n2,2\n3,2.5\n")
        with contextlib.redirect_stdout(io.StringIO()):
            scoring.cli.run([tiny, "--quiet", "--engine", "dask", "--scheduler", cluster.scheduler_address])
    print(cluster.scheduler_address, time.perf_counter() - t0, flush=True)
    sys.stdin.read()  # until the bench closes it
"""


@contextlib.contextmanager
def dask_cluster(on: bool):
    """A LocalCluster of two single-threaded worker processes, in a process of its own started from the
    repository (its workers import scoring from there), stopped when the bench closes its input."""
    if not on:
        yield None, 0.0
        return
    proc = subprocess.Popen([sys.executable, "-c", _CLUSTER], cwd=ROOT, stdin=subprocess.PIPE,
                            stdout=subprocess.PIPE, text=True)  # fmt: skip
    try:
        address, took = proc.stdout.readline().split()
        yield address, float(took)
    finally:
        proc.stdin.close()
        try:
            proc.wait(timeout=60)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()


def _load() -> str:
    return f"{os.getloadavg()[0]:.1f}"


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--rows", nargs="+", type=float, default=[1e7])
    ap.add_argument("--tasks", nargs="+", default=["regression", "binary"], choices=list(COLUMNS))
    ap.add_argument("--repeat", type=int, default=1, help="best of N runs for each time")
    ap.add_argument("--no-load", dest="load", action="store_false", help="skip the runs with a busy core")
    ap.add_argument("--no-dask", dest="dask", action="store_false", help="skip the Dask engine")
    args = ap.parse_args()
    print("start-up (best of 5): " + ", ".join(f"{k}: {v:.2f} s" for k, v in startup().items()), flush=True)
    head = (f"{'task':<11}{'rows':>12}{'what':>20}{'busy core':>10}{'s':>8}{'cpu s':>7}{'x CSV floor':>12}"
            f"{'x PQ floor':>11}{'x local':>8}{'peak MB':>9}{'load':>6}")  # fmt: skip
    with dask_cluster(args.dask) as (scheduler, took):
        if scheduler:
            print(f"Dask LocalCluster (2 workers x 1 thread) started in {took:.1f} s", flush=True)
        print(head)
        print("-" * len(head), flush=True)
        for rows in (int(r) for r in args.rows):
            for task in args.tasks:
                csv_path, pq_path = generate(task, rows)
                cols = COLUMNS[task]
                mb, pq_mb = csv_path.stat().st_size / 2**20, pq_path.stat().st_size / 2**20
                print(f"{task:<11}{rows:>12,} CSV {mb:.0f} MB, Parquet {pq_mb:.0f} MB", flush=True)
                for loaded in (False, True) if args.load else (False,):
                    with busy_core(loaded):
                        runs = {
                            "read_csv floor": measure("csv_floor", csv_path, cols, [], args.repeat),
                            "read_table floor": measure("parquet_floor", pq_path, cols, [], args.repeat),
                            "scorer CSV": measure("cli", csv_path, cols, [], args.repeat),
                            "scorer Parquet": measure("cli", pq_path, cols, [], args.repeat),
                            "scoring alone": measure("scoring_only", pq_path, cols, [], args.repeat),
                        }
                        if scheduler and not loaded:
                            dask = ["--engine", "dask", "--scheduler", scheduler]
                            runs["dask CSV"] = measure("cli", csv_path, cols, dask, args.repeat)
                            runs["dask Parquet"] = measure("cli", pq_path, cols, dask, args.repeat)
                    floor_csv = runs["read_csv floor"]["seconds"]
                    floor_pq = runs["read_table floor"]["seconds"]
                    for what, m in runs.items():
                        local = runs.get("scorer Parquet" if "Parquet" in what else "scorer CSV")
                        vs_local = f"{m['seconds'] / local['seconds']:.2f}" if what.startswith("dask") else ""
                        print(f"{task:<11}{rows:>12,}{what:>20}{'yes' if loaded else 'no':>10}"
                              f"{m['seconds']:>8.2f}{m['cpu']:>7.2f}{m['seconds'] / floor_csv:>12.2f}"
                              f"{m['seconds'] / floor_pq:>11.2f}{vs_local:>8}{m['peak_mb']:>9.0f}"
                              f"{_load():>6}", flush=True)  # fmt: skip


if __name__ == "__main__":
    main()
