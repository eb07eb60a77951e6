"""``--engine dask`` on a ``LocalCluster(n_workers=2, processes=True)`` equals the local engine (to 1e-12,
relative) on every loss, per file and per group, and names the same rows in its messages.

Skipped only when the scale extra is not installed (``pip install -r requirements-scale.txt``); ``.ci/run``
installs it. The files are small and split into many partitions (a tiny block size), so the tree reduction
has several levels; one cluster serves the module, and one test lets the command line start and stop its
own.
"""

from __future__ import annotations

import contextlib
import gzip
import json
import logging
import math
import time

import numpy as np
import pandas as pd
import pytest

from tests.scoring.scale import require_scale

_WHAT = "the Dask engine needs the scale extra"
distributed = require_scale("distributed", _WHAT)
require_scale("dask.dataframe", _WHAT)
pa = require_scale("pyarrow", _WHAT)
pq = require_scale("pyarrow.parquet", _WHAT)

from scoring import dataset, engine_dask  # noqa: E402
from scoring.cli import main  # noqa: E402

N = 1_800
BLOCK = 2_000  # bytes: every CSV is several partitions


def _frames() -> dict[str, tuple[pd.DataFrame, dict]]:
    rng = np.random.default_rng(23)
    y = rng.gamma(2.0, 2.0, N)
    p = rng.uniform(0, 1, N).round(5)
    t = (rng.uniform(0, 1, N) < p).astype(int)
    z = rng.normal(0, 2, (N, 3)).round(4)
    q = np.exp(z) / np.exp(z).sum(1, keepdims=True)
    soft = rng.dirichlet(np.ones(3), N).round(6)
    soft[:, 2] = 1 - soft[:, 0] - soft[:, 1]
    g = rng.choice(["a", "b", "c"], N)
    lab = rng.integers(0, 3, N)
    return {
        "regression": (pd.DataFrame({"y_true": y.round(4), "g": g,
                                     "y_pred": (y + rng.normal(0, 1, N)).round(4).clip(0.01)}), {}),
        "binary_probabilities": (pd.DataFrame({"y_true": t, "y_prob": p, "g": g}), {}),
        "binary_strings_logits": (pd.DataFrame({"truth": np.array(["no", "yes"])[t],
                                                "logit": rng.normal(0, 3, N).round(4), "g": g}),
                                  {"positive": "yes", "pred_kind": "logits"}),
        "multiclass_probabilities": (pd.DataFrame({"label": lab, **{f"prob_{j}": q[:, j] for j in range(3)},
                                                   "g": g}), {}),
        "multiclass_logits": (pd.DataFrame({"y_true": lab, **{f"logit_{j}": z[:, j] for j in range(3)},
                                            "g": g}), {"pred_kind": "logits"}),
        "multiclass_distributions": (pd.DataFrame({**{f"true_{j}": soft[:, j] for j in range(3)},
                                                   **{f"p_{j}": q[:, j] for j in range(3)}, "g": g}), {}),
    }  # fmt: skip


FRAMES = _frames()


@pytest.fixture(scope="module")
def cluster():
    with distributed.LocalCluster(n_workers=2, processes=True, threads_per_worker=1, dashboard_address=":0",
                                  silence_logs=logging.ERROR) as c:  # fmt: skip
        yield c


def _dataset(frame: pd.DataFrame, folder, detect_kw):
    """The rows as CSV (several byte blocks), gzip CSV (one partition), Parquet (a partition per row group)
    and Arrow IPC (a partition per record batch)."""
    folder.mkdir()
    (folder / "a.csv").write_text(frame.iloc[:700].to_csv(index=False))
    (folder / "b.csv.gz").write_bytes(gzip.compress(frame.iloc[700:1000].to_csv(index=False).encode()))
    pq.write_table(pa.Table.from_pandas(frame.iloc[1000:1500], preserve_index=False), folder / "c.parquet",
                   row_group_size=100)  # fmt: skip
    table = pa.Table.from_pandas(frame.iloc[1500:], preserve_index=False)
    with pa.OSFile(str(folder / "d.arrow"), "wb") as sink, pa.ipc.new_file(sink, table.schema) as w:
        w.write_table(table, max_chunksize=90)
    return dataset.open_dataset([folder], detect_kw=detect_kw)


def _costs(summary: dict) -> dict:
    return {n: v["cost"] for n, v in summary["losses"].items()}


def _same(a: dict, b: dict) -> None:
    assert a.keys() == b.keys() and len(a) >= 2
    for k in a:
        assert math.isclose(a[k], b[k], rel_tol=1e-12, abs_tol=1e-300), k


@pytest.mark.parametrize("task", sorted(FRAMES))
def test_dask_equals_the_local_engine_on_every_loss(cluster, tmp_path, task):
    frame, detect_kw = FRAMES[task]
    ds = _dataset(frame, tmp_path / "preds", detect_kw)
    local = dataset.score_dataset(ds, group_by="g", by_file=True)
    far = dataset.score_dataset(ds, group_by="g", by_file=True, engine="dask",
                                scheduler=cluster.scheduler_address, blocksize=BLOCK)  # fmt: skip
    assert len(far.result.totals) == len(local.result.totals)
    _same(far.result.costs, local.result.costs)
    assert (far.result.rows_read, far.result.rows_scored) == (local.result.rows_read, N)
    pairs = [*zip(far.files, local.files, strict=True), *zip(far.groups, local.groups, strict=True)]
    for mine, theirs in pairs:
        assert (mine.label, mine.rows_scored) == (theirs.label, theirs.rows_scored)
        _same(mine.costs, theirs.costs)
    assert len(far.result.fmt.notes) == len(local.result.fmt.notes)


def test_partitions_and_the_tree(cluster, tmp_path):
    frame, kw = FRAMES["regression"]
    ds = _dataset(frame, tmp_path / "preds", kw)
    spec = dataset.block_spec(ds.det, columns=ds.fmt.columns)
    counts = [len(engine_dask.partitions(s, spec, BLOCK)) for s in ds.sources]
    assert counts[0] >= 5 and counts[1:] == [1, 5, 4]  # byte blocks, one gzip, row groups, record batches
    assert sum(counts) > engine_dask.SPLIT_EVERY  # a tree of at least two levels


def test_the_command_line_on_a_scheduler(cluster, tmp_path, capsys):
    frame, _kw = FRAMES["binary_probabilities"]
    ds_dir = tmp_path / "preds"
    _dataset(frame, ds_dir, {})
    runs = []
    dask = ["--engine", "dask", "--scheduler", cluster.scheduler_address, "--blocksize", str(BLOCK)]
    for extra in ([], dask):
        assert main([str(ds_dir), "--group-by", "g", "--format", "json", *extra]) == 0
        runs.append(json.loads(capsys.readouterr().out))
    local, far = runs
    assert far["dataset"]["engine"] == "dask" and far["rows_scored"] == N
    _same(_costs(far), _costs(local))


def test_messages_name_the_same_rows_as_the_local_engine(cluster, tmp_path, capsys):
    frame, _kw = FRAMES["regression"]
    cases = {
        "a cell that is not a number": lambda f: f.astype({"y_pred": object}).assign(
            y_pred=lambda d: d["y_pred"].where(d.index != 1234, "oops")),
        "missing values": lambda f: f.assign(y_true=f["y_true"].where(~f.index.isin([977, 1301]))),
        "a loss outside its domain": lambda f: f.assign(y_pred=f["y_pred"].where(f.index != 1100, -3.0)),
    }  # fmt: skip
    for name, change in cases.items():
        path = tmp_path / f"{name.replace(' ', '_')}.csv"
        path.write_text(change(frame).to_csv(index=False))
        outs = []
        dask = ["--engine", "dask", "--scheduler", cluster.scheduler_address, "--blocksize", "5000"]
        for extra in ([], dask):
            code = main([str(path), "--format", "json", "--group-by", "g", *extra])
            out, err = capsys.readouterr()
            outs.append((code, err, json.loads(out)["skipped"] if code == 0 else None))
        assert outs[0] == outs[1], name
        rows = ("Row 1235", "row 978", "row 1101")
        assert any(r in str(outs[0]) for r in rows), (name, outs[0])


def test_the_command_line_starts_and_stops_a_local_cluster(tmp_path, capsys):
    psutil = require_scale("psutil", "distributed installs psutil")
    frame, _kw = FRAMES["regression"]
    path = tmp_path / "r.csv"
    path.write_text(frame.to_csv(index=False))
    before = {p.pid for p in psutil.Process().children(recursive=True)}
    assert main([str(path), "--engine", "dask", "--format", "json", "--loss", "mse", "huber"]) == 0
    far = json.loads(capsys.readouterr().out)
    assert main([str(path), "--format", "json", "--loss", "mse", "huber"]) == 0
    local = json.loads(capsys.readouterr().out)
    _same(_costs(far), _costs(local))
    def left():
        out = []
        for p in psutil.Process().children(recursive=True):
            with contextlib.suppress(psutil.NoSuchProcess):
                helper = any(h in " ".join(p.cmdline()) for h in ("resource_tracker", "forkserver"))
                if p.pid not in before and p.status() != psutil.STATUS_ZOMBIE and not helper:
                    out.append(p)  # multiprocessing's own helpers stay for the life of this process
        return out

    deadline = time.monotonic() + 10  # the cluster is closed on return; its processes may take a moment
    while left() and time.monotonic() < deadline:
        time.sleep(0.2)
    assert not left(), left()


def test_a_scheduler_that_does_not_answer(tmp_path, capsys, monkeypatch):
    monkeypatch.setattr(engine_dask, "CONNECT_TIMEOUT", 1)
    path = tmp_path / "r.csv"
    path.write_text(FRAMES["regression"][0].to_csv(index=False))
    report = tmp_path / "out.csv"
    assert main([str(path), "--engine", "dask", "--scheduler", "tcp://127.0.0.1:9"]) == 2
    err = capsys.readouterr().err
    assert err.startswith("error: The Dask engine failed: Could not connect to the Dask scheduler at tcp://127.0.0.1:9")
    assert main([str(path), "--engine", "dask", "--per-row", str(report)]) == 2
    assert "--per-row" in capsys.readouterr().err and not report.exists()


def test_progress_counts_partitions_on_a_terminal(cluster, tmp_path, monkeypatch, capsys):
    import io
    import sys

    class Tty(io.StringIO):
        def isatty(self) -> bool:
            return True

    frame, _kw = FRAMES["regression"]
    _dataset(frame, tmp_path / "preds", {})
    tty = Tty()
    monkeypatch.setattr(sys, "stderr", tty)
    args = [str(tmp_path / "preds"), "--engine", "dask", "--scheduler", cluster.scheduler_address,
            "--blocksize", str(BLOCK), "--loss", "mse"]  # fmt: skip
    assert main(args) == 0
    shown = tty.getvalue()
    assert "partitions" in shown and shown.endswith("\r\x1b[K"), shown
    assert "mse" in capsys.readouterr().out


def test_a_row_with_more_fields_is_refused_not_dropped(cluster, tmp_path, capsys):
    """Beyond what the client reads, within a partition and as a partition's first row (pandas only warns
    there): exit 2 from the workers, not a wrong MSE."""
    from dask.bytes import read_bytes

    rng = np.random.default_rng(8)
    n, block = 100_000, 150_000
    big = pd.DataFrame({"y_true": rng.normal(size=n).round(4), "y_pred": rng.normal(size=n).round(4)})
    path = tmp_path / "big.csv"
    big.to_csv(path, index=False)
    text = path.read_bytes()
    ninth = read_bytes(str(path), delimiter=b"\n", blocksize=block, sample=False)[1][0][8].compute()
    first_of_block = text.index(ninth)  # Dask's 9th partition starts with this row
    within = text.index(b"\n", first_of_block + 5000) + 1
    assert first_of_block > 4 * 2**18  # past what the client reads for its sample (256 KB at a time)
    for at in (first_of_block, within):
        end = text.index(b"\n", at)
        path.write_bytes(text[:end] + b",9" + text[end:])
        dask = ["--engine", "dask", "--scheduler", cluster.scheduler_address, "--blocksize", str(block)]
        assert main([str(path), *dask]) == 2
        err = capsys.readouterr().err
        assert err.startswith("error: ") and "Dask could not read partition 9" in err, err
        assert main([str(path)]) == 2 and "fields" in capsys.readouterr().err  # the local engine: the row


def test_group_by_a_date_or_a_time_of_a_parquet_file(cluster, tmp_path):
    frame, _kw = FRAMES["regression"]
    days = pd.date_range("2024-01-30", periods=3).date
    table = pa.Table.from_pandas(frame.drop(columns="g"), preserve_index=False).append_column(
        "day", pa.array(np.array(days)[np.arange(N) % 3], pa.date32())).append_column(
        "at", pa.array(pd.to_datetime(np.array(days)[np.arange(N) % 3]) + pd.Timedelta(hours=6)))
    (tmp_path / "preds").mkdir()
    pq.write_table(table, tmp_path / "preds" / "p.parquet", row_group_size=300)
    ds = dataset.open_dataset([tmp_path / "preds"])
    for col in ("day", "at"):
        local = dataset.score_dataset(ds, group_by=col)
        far = dataset.score_dataset(ds, group_by=col, engine="dask", scheduler=cluster.scheduler_address)
        assert [g.label for g in far.groups] == [g.label for g in local.groups]
        assert local.groups[0].label == ("2024-01-30" if col == "day" else "2024-01-30 06:00:00.000000")
        for mine, theirs in zip(far.groups, local.groups, strict=True):
            _same(mine.costs, theirs.costs)
