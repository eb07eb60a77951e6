"""The command line: exit 0 and the numbers on good files, 2 and a message on bad.

``scoring.cli.main(argv)`` runs in this process (its stdout and stderr captured); one smoke test runs
``python -m scoring`` as a subprocess, for the module entry point and its exit code.
"""

from __future__ import annotations

import csv
import json
import math
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

import pytest

import scoring
from scoring.cli import main

ROOT = Path(__file__).resolve().parents[2]
FIX = Path(__file__).parent / "fixtures"
EXAMPLES = sorted((ROOT / "examples").glob("*.csv"))


@dataclass
class Run:
    """What a shell sees of a run: the same three fields as subprocess.CompletedProcess."""

    returncode: int
    stdout: str
    stderr: str


@pytest.fixture
def cli(capsys):
    """``cli(*args) -> Run``: ``python -m scoring *args`` in-process. argparse's usage errors and --help
    end in SystemExit, whose code is the exit status; any other exception fails the test (a traceback)."""

    def run(*args: str | Path) -> Run:
        capsys.readouterr()  # only this run's output
        try:
            code = main([str(a) for a in args])
        except SystemExit as exc:
            code = exc.code if isinstance(exc.code, int) else (0 if exc.code is None else 1)
        out, err = capsys.readouterr()
        return Run(code, out, err)

    return run


def test_python_dash_m_scoring_as_a_subprocess():
    """The entry point a shell uses: scoring/__main__.py passes main()'s exit code to the process."""

    def shell(*args: str | Path) -> subprocess.CompletedProcess:
        cmd = [sys.executable, "-m", "scoring", *map(str, args)]
        return subprocess.run(cmd, cwd=ROOT, capture_output=True, text=True, timeout=120)

    good = shell(FIX / "binary_strings.csv", "--format", "json")
    assert good.returncode == 0, good.stderr
    assert json.loads(good.stdout)["task"] == "binary"
    bad = shell(FIX / "empty.csv")
    assert bad.returncode == 2 and bad.stderr.startswith("error: ") and "empty" in bad.stderr
    assert "Traceback" not in bad.stderr and bad.stdout == ""


@pytest.mark.parametrize("path", EXAMPLES, ids=lambda p: p.name)
def test_examples_score(cli, path):
    proc = cli(path, *(["--drop-missing"] if path.name.startswith("messy") else []))
    assert proc.returncode == 0, proc.stderr
    assert "Detected:" in proc.stdout and "Traceback" not in proc.stderr


def test_json_matches_the_library(cli):
    path = FIX / "binary_strings.csv"
    proc = cli(path, "--format", "json")
    assert proc.returncode == 0, proc.stderr
    summary = json.loads(proc.stdout)
    fmt, det = scoring.inspect(path)
    costs = scoring.score(path, fmt, det).costs
    assert summary["task"] == "binary" and summary["detection"]["y_true"] == ["rain_tomorrow"]
    for name, cost in costs.items():
        assert math.isclose(summary["losses"][name]["cost"], cost, rel_tol=1e-15)


def test_overrides_losses_params_and_csv_output(cli):
    proc = cli(
        FIX / "regression_header.csv", "--loss", "huber", "mse", "--param", "delta=0.1", "--format", "csv"
    )
    assert proc.returncode == 0, proc.stderr
    rows = list(csv.DictReader(proc.stdout.splitlines()))
    assert [r["loss"] for r in rows] == ["huber", "mse"]
    fmt, det = scoring.inspect(FIX / "regression_header.csv")
    want = scoring.score(FIX / "regression_header.csv", fmt, det, loss_names=["huber"], params={"delta": 0.1})
    assert float(rows[0]["cost"]) == want.costs["huber"]


def test_forced_task_and_columns(cli):
    proc = cli(FIX / "binary_01_probabilities.csv", "--task", "regression", "--y-true", "y_true",
               "--y-pred", "y_prob", "--quiet")  # fmt: skip
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.splitlines()[0].startswith("loss") and "mse" in proc.stdout


def test_per_row_report(cli, tmp_path):
    out = tmp_path / "rows.csv"
    proc = cli(FIX / "extra_columns.csv", "--per-row", out, "--loss", "mae")
    assert proc.returncode == 0, proc.stderr
    rows = list(csv.DictReader(out.open(encoding="utf-8")))
    assert len(rows) == 12 and set(rows[0]) == {"row", "id", "actual", "prediction", "mae"}
    assert rows[0]["row"] == "1" and float(rows[0]["mae"]) >= 0


def test_drop_missing_and_fix_rows(cli):
    assert cli(FIX / "missing.csv", "--drop-missing").returncode == 0
    assert cli(FIX / "row_sum.csv", "--fix-rows", "normalise").returncode == 0
    assert cli(FIX / "row_sum.csv", "--fix-rows", "softmax").returncode == 0


BAD = {
    "empty.csv": "empty",
    "header_only.csv": "no data rows",
    "binary_junk.csv": "not a CSV",
    "one_column.csv": "only one column",
    "non_numeric.csv": "Row 3, column 'y_pred': 'abc' is not a number",
    "missing.csv": "--drop-missing",
    "probabilities_out_of_range.csv": "Row 7, column 'y_prob' is 1.3",
    "row_sum.csv": "--fix-rows",
    "bad_labels.csv": "3 different labels",
    "ragged.csv": "Row 3 (line 4) has 3 fields, more than the header's 2",
}


@pytest.mark.parametrize("name", sorted(BAD))
def test_bad_input_exits_2_with_a_message(cli, name):
    proc = cli(FIX / name)
    assert proc.returncode == 2
    assert proc.stderr.startswith("error: ") and BAD[name] in proc.stderr
    assert "Traceback" not in proc.stderr and proc.stdout == ""


@pytest.mark.parametrize(
    "args, needle",
    [
        (["--loss", "nope"], "Could not interpret loss name"),
        (["--loss", "hinge"], "does not apply"),
        (["--param", "delta=-1"], "delta"),
        (["--param", "delta"], "NAME=VALUE"),
        (["--y-true", "missing_col"], "no column 'missing_col'"),
    ],
)
def test_bad_choices_exit_2(cli, args, needle):
    proc = cli(FIX / "regression_header.csv", *args)
    assert proc.returncode == 2 and needle in proc.stderr, proc.stderr


def test_missing_file_and_usage_errors_exit_2(cli, tmp_path):
    proc = cli(tmp_path / "nope.csv")
    assert proc.returncode == 2 and "Could not" in proc.stderr
    assert cli().returncode == 2  # argparse: the file is required


# -- issue 15: the per-row report never destroys the input or an earlier report ----------------------------
def _last_row_bad(tmp_path: Path, rows: int = 30_000) -> Path:
    path = tmp_path / "late.csv"
    path.write_text("y_true,y_pred\n" + "1.5,2\n" * rows + "1.5,abc\n", encoding="utf-8")
    return path


@pytest.mark.parametrize("how", ["same path", "hard link", "symlink", "relative path"])
def test_per_row_onto_the_input_is_refused_and_the_input_survives(cli, tmp_path, monkeypatch, how):
    src = tmp_path / "x.csv"
    src.write_bytes((FIX / "regression_header.csv").read_bytes())
    before = src.read_bytes()
    out = src
    if how == "hard link":
        out = tmp_path / "link.csv"
        out.hardlink_to(src)
    elif how == "symlink":
        out = tmp_path / "sym.csv"
        out.symlink_to(src)
    elif how == "relative path":
        monkeypatch.chdir(tmp_path)
        out = Path("./x.csv")
    proc = cli(src, "--per-row", out)
    assert proc.returncode == 2 and "is the input file" in proc.stderr, proc.stderr
    assert src.read_bytes() == before and "Traceback" not in proc.stderr


def test_a_bad_last_row_leaves_no_partial_report_and_keeps_the_earlier_one(cli, tmp_path):
    out = tmp_path / "report.csv"
    out.write_text("an earlier report\n", encoding="utf-8")
    proc = cli(_last_row_bad(tmp_path), "--per-row", out, "--chunk-rows", "4000")
    assert proc.returncode == 2 and "Row 30001, column 'y_pred'" in proc.stderr
    assert out.read_text(encoding="utf-8") == "an earlier report\n"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["late.csv", "report.csv"]  # no temporary file left


def test_a_report_replaces_the_earlier_one_only_when_complete(cli, tmp_path):
    out = tmp_path / "report.csv"
    out.write_text("an earlier report\n", encoding="utf-8")
    proc = cli(FIX / "regression_header.csv", "--per-row", out)
    assert proc.returncode == 0, proc.stderr
    assert len(list(csv.DictReader(out.open(encoding="utf-8")))) == 12
    assert [p.name for p in tmp_path.iterdir()] == ["report.csv"]


@pytest.mark.skipif(not Path("/dev/full").exists(), reason="no /dev/full")
def test_a_full_disk_is_exit_2_with_a_message(cli):
    proc = cli(FIX / "regression_header.csv", "--per-row", "/dev/full")
    assert proc.returncode == 2 and proc.stderr.startswith("error: The report could not be written")
    assert "No space left" in proc.stderr and "Traceback" not in proc.stderr


def test_a_report_that_cannot_be_opened_is_a_write_error_not_a_parse_error(cli, tmp_path):
    proc = cli(FIX / "regression_header.csv", "--per-row", tmp_path / "no" / "such" / "dir.csv")
    assert proc.returncode == 2, proc.stderr
    assert proc.stderr.startswith("error: The report could not be written") and "parsed" not in proc.stderr
    proc = cli(FIX / "regression_header.csv", "--per-row", tmp_path)  # a directory
    assert proc.returncode == 2 and "could not be written" in proc.stderr


def test_output_that_cannot_be_written_is_exit_2(monkeypatch, capsys):
    class Full:
        def write(self, _text):
            raise OSError(28, "No space left on device")

        def flush(self):
            raise OSError(28, "No space left on device")

    monkeypatch.setattr(sys, "stdout", Full())
    code = main([str(FIX / "regression_header.csv")])
    monkeypatch.undo()
    assert code == 2 and "No space left on device" in capsys.readouterr().err


@pytest.mark.skipif(not Path("/dev/full").exists(), reason="no /dev/full")
def test_stdout_on_a_full_disk_as_a_subprocess():
    with open("/dev/full", "w") as full:
        proc = subprocess.run([sys.executable, "-m", "scoring", str(FIX / "regression_header.csv")], cwd=ROOT,
                              stdout=full, stderr=subprocess.PIPE, text=True, timeout=120)  # fmt: skip
    assert proc.returncode == 2 and "No space left on device" in proc.stderr
    assert "Traceback" not in proc.stderr and "Exception ignored" not in proc.stderr


def test_no_loss_that_applies_is_exit_2(cli, tmp_path):
    path = tmp_path / "c.csv"
    path.write_text("y_true,y_pred,c1,c2\n1,1.5,3,4\n2,2.5,5,6\n3,2,1,1\n", encoding="utf-8")
    proc = cli(path, "--y-true", "y_true", "y_pred", "--y-pred", "c1", "c2")
    assert proc.returncode == 2 and "No loss applies" in proc.stderr and proc.stdout == ""
    proc = cli(path)
    assert proc.returncode == 0 and "y_true = y_true; y_pred = y_pred" in proc.stdout


def _strict_json(text: str):
    def refuse(name):
        raise ValueError(f"not JSON: {name}")

    return json.loads(text, parse_constant=refuse)


def test_json_with_an_infinite_cost_is_valid_json_with_null_and_a_note(cli, tmp_path):
    path = tmp_path / "inf.csv"
    path.write_text("y,logit\n1,-800\n0,800\n1,3\n", encoding="utf-8")
    proc = cli(path, "--format", "json")
    assert proc.returncode == 0, proc.stderr
    summary = _strict_json(proc.stdout)  # Infinity is not JSON
    assert summary["losses"]["exponential"]["cost"] is None
    assert any("exponential" in n and "infinity" in n for n in summary["notes"]), summary["notes"]
    fmt, det = scoring.inspect(path)
    assert _strict_json(scoring.score(path, fmt, det).to_json()) == summary


# -- issue 15: odds of the command line -------------------------------------------------------------------
@pytest.fixture
def alarm():
    """Fail a test that would hang (a FIFO with no writer blocked forever) instead of hanging the suite."""
    import signal

    def hung(_sig, _frame):
        raise TimeoutError("hung")

    old = signal.signal(signal.SIGALRM, hung)
    signal.alarm(20)
    yield
    signal.alarm(0)
    signal.signal(signal.SIGALRM, old)


def test_a_fifo_or_a_device_is_refused_not_read_forever(cli, tmp_path, alarm):
    import os

    fifo = tmp_path / "pipe.csv"
    os.mkfifo(fifo)
    proc = cli(fifo)
    assert proc.returncode == 2 and "not a regular file" in proc.stderr, proc.stderr
    proc = cli("/dev/zero")
    assert proc.returncode == 2 and "not a regular file" in proc.stderr, proc.stderr
    proc = cli(tmp_path)
    assert proc.returncode == 2 and "folder" in proc.stderr, proc.stderr


@pytest.mark.parametrize("encoding", ["idna", "rot13", "base64", "no-such-codec", "utf-7"])
def test_an_encoding_that_cannot_read_the_file_is_exit_2(cli, encoding):
    proc = cli(FIX / "regression_header.csv", "--encoding", encoding)
    assert proc.returncode in (0, 2) and "Traceback" not in proc.stderr
    if proc.returncode == 2:
        assert proc.stderr.startswith("error: The file's text encoding could not be read"), proc.stderr


@pytest.mark.parametrize(
    ("codec", "named"), [("utf-32", "UTF-32"), ("utf-16", "UTF-16"), ("utf-16-le", "UTF-16"),
                         ("utf-16-be", "UTF-16"), ("utf-32-le", "UTF-32")],
)  # fmt: skip
def test_utf16_and_utf32_are_named_and_readable_when_chosen(cli, tmp_path, codec, named):
    path = tmp_path / "wide.csv"
    path.write_bytes("y_true,y_pred\n1,2\n3,4.5\n-1,0\n".encode(codec))
    proc = cli(path)
    assert proc.returncode == 2 and f"This file is {named} text" in proc.stderr, proc.stderr
    assert "NUL" not in proc.stderr
    proc = cli(path, "--encoding", codec, "--format", "json")
    assert proc.returncode == 0, proc.stderr
    assert json.loads(proc.stdout)["losses"]["mse"]["cost"] == pytest.approx((1 + 2.25 + 1) / 3)


@pytest.mark.parametrize("cells", [("45%", "12%", "80%"), ("1,000", "2,500", "3,000"),
                                   ("0x10", "0x20", "0x30"), ("$1.50", "$2.00", "$3.25")])  # fmt: skip
def test_numbers_written_as_text_are_called_that_not_class_names(cli, tmp_path, cells):
    path = tmp_path / "f.csv"
    rows = "".join(f'"{c}",{i}\n' for i, c in enumerate(cells))
    path.write_text("y_true,y_pred\n" + rows, encoding="utf-8")
    proc = cli(path)
    assert proc.returncode == 2 and "class names" not in proc.stderr, proc.stderr
    assert "numbers written as text" in proc.stderr and repr(cells[0]) in proc.stderr
