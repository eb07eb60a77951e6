"""Many files as one dataset: merged partial sums equal the concatenated file, ``--by-file`` equals each file
alone, ``--group-by`` equals each group's rows alone; bad datasets exit 2 with a message and no report.

Fixtures are written here: a frame split into shards (CSV, compressed CSV and Parquet mixed), and the same
rows concatenated into one CSV, scored through the command line (``scoring.cli.main``, JSON output).
"""

from __future__ import annotations

import gzip
import itertools
import json
import math
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

import scoring
from scoring import dataset
from scoring.cli import main
from tests.scoring.scale import require_scale

pa = require_scale("pyarrow", "Parquet needs pyarrow")
pq = require_scale("pyarrow.parquet", "Parquet needs pyarrow")

N = 2_400


def _frames() -> dict[str, tuple[pd.DataFrame, list[str]]]:
    """Each task's rows, a group column (``g``) in each, and the options that fix its task and columns."""
    rng = np.random.default_rng(41)
    y = rng.gamma(2.0, 2.0, N)
    p = rng.uniform(0, 1, N).round(6)
    t = (rng.uniform(0, 1, N) < p).astype(int)
    z = rng.normal(0, 2, (N, 3)).round(5)
    return {
        "regression": (pd.DataFrame({"y_true": y.round(4), "g": rng.choice(["m1", "m2", "m3"], N),
                                     "y_pred": (y + rng.normal(0, 1, N)).round(4).clip(0.01)}),
                       ["--task", "regression", "--y-true", "y_true", "--y-pred", "y_pred"]),
        "binary": (pd.DataFrame({"y_true": t, "y_prob": p, "g": rng.integers(2020, 2024, N)}),
                   ["--task", "binary", "--y-true", "y_true", "--y-pred", "y_prob", "--positive", "1"]),
        "multiclass": (pd.DataFrame({"label": rng.integers(0, 3, N), "logit_0": z[:, 0], "logit_1": z[:, 1],
                                     "logit_2": z[:, 2], "g": rng.choice(["x", "y"], N)}),
                       ["--task", "multiclass", "--y-true", "label", "--pred-kind", "logits",
                        "--y-pred", "logit_0", "logit_1", "logit_2"]),
    }  # fmt: skip


FRAMES = _frames()


def _write(frame: pd.DataFrame, path: Path) -> Path:
    if path.suffix == ".parquet":
        pq.write_table(pa.Table.from_pandas(frame, preserve_index=False), path, row_group_size=250)
    elif path.suffix == ".gz":
        path.write_bytes(gzip.compress(frame.to_csv(index=False).encode()))
    else:
        frame.to_csv(path, index=False)
    return path


def _shards(frame: pd.DataFrame, folder: Path) -> list[Path]:
    """The rows in four files of uneven sizes and three formats (named so that they sort in row order)."""
    folder.mkdir(parents=True, exist_ok=True)
    cuts = [0, 300, 1100, 1101, N]
    names = ["part-0.csv", "part-1.parquet", "part-2.csv.gz", "part-3.parquet"]
    spans = itertools.pairwise(cuts)
    return [_write(frame.iloc[a:b], folder / n) for (a, b), n in zip(spans, names, strict=True)]


def _json(cli_args, capsys) -> dict:
    capsys.readouterr()
    code = main([str(a) for a in cli_args] + ["--format", "json"])
    out, err = capsys.readouterr()
    assert code == 0, err
    return json.loads(out)


def _assert_same(got: dict, want: dict, rel=1e-12) -> None:
    """Two reports' losses (``summary()['losses']`` or a breakdown line's) have the same costs and counts."""
    assert set(got) == set(want) and len(want) >= 2
    for name, w in want.items():
        assert got[name]["count"] == w["count"], name
        assert math.isclose(got[name]["cost"], w["cost"], rel_tol=rel, abs_tol=1e-300), name


@pytest.mark.parametrize("task", sorted(FRAMES))
def test_a_folder_of_shards_equals_the_concatenated_file(tmp_path, capsys, task):
    frame, opts = FRAMES[task]
    _shards(frame, tmp_path / "preds")
    (tmp_path / "preds" / "_SUCCESS").write_text("")  # what Spark leaves: not data
    (tmp_path / "preds" / ".part-0.csv.crc").write_bytes(b"\x00crc")
    whole = _write(frame, tmp_path / "whole.csv")
    want = _json([whole, *opts], capsys)
    for named in ([tmp_path / "preds"], [str(tmp_path / "preds" / "part-*")],
                  sorted((tmp_path / "preds").glob("part-*"))):  # a folder, a glob, the shell's expansion
        got = _json([*named, *opts], capsys)
        assert got["rows_scored"] == want["rows_scored"] == N
        assert got["dataset"]["files"] == 4
        _assert_same(got["losses"], want["losses"])


@pytest.mark.parametrize("task", sorted(FRAMES))
def test_by_file_equals_each_file_alone(tmp_path, capsys, task):
    frame, opts = FRAMES[task]
    shards = _shards(frame, tmp_path / "preds")
    got = _json([tmp_path / "preds", "--by-file", *opts], capsys)
    assert [f["key"] for f in got["files"]] == [str(s) for s in shards]
    for line, shard in zip(got["files"], shards, strict=True):
        alone = _json([shard, *opts], capsys)
        assert line["rows_scored"] == alone["rows_scored"]
        _assert_same(line["losses"], alone["losses"])


@pytest.mark.parametrize("task", sorted(FRAMES))
def test_group_by_equals_each_groups_rows_alone(tmp_path, capsys, task):
    frame, opts = FRAMES[task]
    shards = _shards(frame, tmp_path / "preds")
    for named in ([shards[1]], [tmp_path / "preds"]):  # one file, and a dataset
        got = _json([*named, "--group-by", "g", *opts], capsys)
        rows = frame.iloc[300:1100] if named[0] == shards[1] else frame
        groups = {g["label"]: g for g in got["groups"]["groups"]}
        assert sorted(groups) == sorted(str(v) for v in rows["g"].unique())
        assert sum(g["rows_scored"] for g in groups.values()) == len(rows)
        for key, part in rows.groupby("g"):
            alone = _json([_write(part, tmp_path / f"group_{key}.csv"), *opts], capsys)
            assert groups[str(key)]["rows_scored"] == len(part)
            _assert_same(groups[str(key)]["losses"], alone["losses"])


def test_group_by_the_label_gives_per_class_costs_and_rmse_is_finished_per_group(tmp_path, capsys):
    frame, opts = FRAMES["regression"]
    path = _write(frame, tmp_path / "r.csv")
    got = _json([path, "--group-by", "g", "--loss", "mse", "rmse"], capsys)
    for g in got["groups"]["groups"]:
        mse, rmse = g["losses"]["mse"]["cost"], g["losses"]["rmse"]["cost"]
        assert math.isclose(rmse, math.sqrt(mse), rel_tol=1e-12)
    frame, opts = FRAMES["binary"]
    got = _json([_write(frame, tmp_path / "b.csv"), "--group-by", "y_true", *opts], capsys)
    assert [g["label"] for g in got["groups"]["groups"]] == ["0", "1"]


def test_the_table_and_csv_outputs(tmp_path, capsys):
    frame, opts = FRAMES["regression"]
    _shards(frame, tmp_path / "preds")
    assert main([str(tmp_path / "preds"), "--by-file", "--group-by", "g", "--loss", "mse", "mae", *opts]) == 0
    out = capsys.readouterr().out
    assert "Dataset: 4 files" in out and "By file:" in out and "By g (3 groups):" in out
    assert "part-2.csv.gz" in out and "m3" in out
    assert main([str(tmp_path / "preds"), "--group-by", "g", "--loss", "mse", "--format", "csv", *opts]) == 0
    lines = capsys.readouterr().out.splitlines()
    assert lines[0] == "by,key,loss,cost,sum,count" and lines[1].startswith("all,,mse,")
    assert [ln.split(",")[1] for ln in lines[2:]] == ["m1", "m2", "m3"]


def test_partials_merge_in_any_order_and_tree():
    frame, opts = FRAMES["binary"]
    data = frame.to_csv(index=False).encode()
    fmt, det = scoring.inspect(data, task="binary", y_true=["y_true"], y_pred=["y_prob"], positive="1")
    spec = dataset.block_spec(det, group_by="g", columns=fmt.columns)
    blocks = [dataset.score_block(frame.iloc[a : a + 97], a + 1, spec, (0, i))
              for i, a in enumerate(range(0, N, 97))]  # fmt: skip
    left = dataset.merge_all(blocks)
    rng = np.random.default_rng(0)
    shuffled = [blocks[i] for i in rng.permutation(len(blocks))]
    tree = dataset.merge_all([dataset.merge_all(shuffled[i : i + 3]) for i in range(0, len(shuffled), 3)])
    whole = scoring.score(data, fmt, det)
    for merged in (left, tree):
        assert merged.rows_scored == N and merged.blocks.keys() == left.blocks.keys()
        for name, (s, c) in whole.totals.items():
            assert merged.counts[name] == c and math.isclose(merged.sums[name], s, rel_tol=1e-12), name
        assert {k: g.rows for k, g in merged.groups.items()} == {k: g.rows for k, g in left.groups.items()}


def test_empty_shards_are_left_out(tmp_path, capsys):
    frame, opts = FRAMES["regression"]
    _shards(frame, tmp_path / "preds")
    (tmp_path / "preds" / "part-4.csv").write_text("y_true,y_pred,g\n")  # a shard with no rows
    got = _json([tmp_path / "preds", *opts], capsys)
    assert got["rows_scored"] == N and got["dataset"]["files"] == 5
    assert any("1 file(s) with no rows left out" in n for n in got["format"]["notes"])


# -- bad datasets ------------------------------------------------------------------------------------
@pytest.fixture
def run(capsys):
    def go(*args) -> tuple[int, str]:
        capsys.readouterr()
        code = main([str(a) for a in args])
        out, err = capsys.readouterr()
        return code, err

    return go


def test_a_glob_that_matches_nothing(tmp_path, run):
    code, err = run(str(tmp_path / "nothing-*.parquet"))
    assert code == 2 and err.startswith("error: No file to score: No file matches") and "quote it" in err
    (tmp_path / "empty").mkdir()
    code, err = run(tmp_path / "empty")
    assert code == 2 and "holds no files" in err


def test_mixed_schemas_name_the_odd_file(tmp_path, run):
    frame, opts = FRAMES["regression"]
    shards = _shards(frame, tmp_path / "preds")
    _write(frame.rename(columns={"y_pred": "prediction"}).iloc[:50], tmp_path / "preds" / "part-9.csv")
    code, err = run(tmp_path / "preds")
    assert code == 2 and err.startswith("error: The files do not share their columns:")
    assert "part-9.csv" in err and "'y_pred'" in err and "'prediction'" in err and str(shards[0]) in err


def test_a_bad_cell_in_a_later_file_names_the_file_and_row(tmp_path, run):
    frame, opts = FRAMES["regression"]
    _shards(frame, tmp_path / "preds")
    bad = frame.iloc[:40].astype({"y_pred": object})
    bad.iloc[16, bad.columns.get_loc("y_pred")] = "oops"
    _write(bad, tmp_path / "preds" / "part-5.csv")
    report = tmp_path / "report.csv"
    code, err = run(tmp_path / "preds", *opts)
    assert code == 2 and "part-5.csv: Row 17, column 'y_pred': 'oops' is not a number" in err, err
    code, err = run(tmp_path / "preds", *opts, "--per-row", report)
    assert code == 2 and "--per-row" in err and not report.exists()


def test_a_truncated_parquet_among_the_files(tmp_path, run):
    frame, opts = FRAMES["regression"]
    shards = _shards(frame, tmp_path / "preds")
    data = shards[3].read_bytes()
    shards[3].write_bytes(data[: len(data) // 2])
    code, err = run(tmp_path / "preds", *opts)
    assert code == 2 and err.startswith("error: The file is damaged or cut short:")
    assert "part-3.parquet" in err


def test_missing_values_across_files_are_counted_with_the_first_file_and_row(tmp_path, run, capsys):
    frame, opts = FRAMES["regression"]
    shards = _shards(frame, tmp_path / "preds")
    holes = frame.iloc[1101:].copy()
    holes.iloc[[4, 9], 0] = np.nan
    _write(holes, shards[3])
    code, err = run(tmp_path / "preds", *opts)
    assert code == 2 and "2 rows of 2400" in err and f"row 5 of {shards[3]}, column 'y_true'" in err, err
    got = _json([tmp_path / "preds", *opts, "--drop-missing"], capsys)
    assert got["rows_scored"] == N - 2 and got["rows_dropped"] == 2


def test_options_that_do_not_fit(tmp_path, run):
    frame, opts = FRAMES["regression"]
    path = _write(frame, tmp_path / "r.csv")
    code, err = run(path, "--group-by", "nope")
    assert code == 2 and "--group-by nope: the file has no such column" in err
    code, err = run(path, "--scheduler", "tcp://127.0.0.1:1")
    assert code == 2 and "--scheduler is for --engine dask" in err
    ids = pd.concat([frame] * 5, ignore_index=True)
    code, err = run(_write(ids.assign(g=np.arange(len(ids))), tmp_path / "ids.csv"), "--group-by", "g")
    assert code == 2 and "distinct values" in err


def test_json_is_strict_for_datasets_too(tmp_path, capsys):
    """A cost beyond float64 (exponential loss of logits of -800) is null with a note, not Infinity."""
    frame = pd.DataFrame({"y_true": [1, 0, 1, 0] * 50, "logit": [-800.0, 3.0, 2.0, -1.0] * 50,
                          "g": ["a", "b"] * 100})  # fmt: skip
    path = _write(frame, tmp_path / "far.csv")
    capsys.readouterr()
    assert main([str(path), "--group-by", "g", "--format", "json", "--pred-kind", "logits"]) == 0
    text = capsys.readouterr().out
    assert "Infinity" not in text
    got = json.loads(text)
    assert got["losses"]["exponential"]["cost"] is None and any("exponential" in n for n in got["notes"])
    assert {g["label"]: g["losses"]["exponential"]["cost"] for g in got["groups"]["groups"]}["a"] is None
