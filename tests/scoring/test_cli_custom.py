"""``python -m scoring FILE --custom NAME=FORMULA``: a user's own loss beside the built-ins, in every output.

Runs ``scoring.cli.main`` in this process (the ``cli`` fixture of test_cli.py). Every number is checked
against the core itself: the same formula through ``losses.custom`` on the file's columns read by pandas,
and formulas re-typing a built-in against the built-in's reported cost (to 1e-12).
"""

from __future__ import annotations

import csv
import json
import math
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

import losses
from losses.custom import parse_params
from tests.scoring import test_cli

cli = test_cli.cli  # the fixture: ``cli(*args) -> Run`` in this process

ROOT = Path(__file__).resolve().parents[2]
REG = ROOT / "examples" / "regression_outliers.csv"
BIN = ROOT / "examples" / "rain_tomorrow.csv"
MC = ROOT / "examples" / "species_multiclass.csv"


def _reg_columns() -> tuple[np.ndarray, np.ndarray]:
    df = pd.read_csv(REG)
    return df["actual_price_k"].to_numpy(float), df["predicted_price_k"].to_numpy(float)


def _json(proc) -> dict:
    assert proc.returncode == 0, proc.stderr
    return json.loads(proc.stdout)


def _refused(proc, *needles: str) -> None:
    """Exit 2, one clear message on stderr (no traceback), nothing on stdout."""
    assert proc.returncode == 2, (proc.stdout, proc.stderr)
    assert proc.stderr.startswith("error: ") and "Traceback" not in proc.stderr
    assert proc.stdout == ""
    for needle in needles:
        assert needle in proc.stderr, proc.stderr


def test_a_custom_loss_equals_the_same_formula_through_the_core(cli):
    data = _json(cli(REG, "--format", "json", "--custom", "cauchy=log(1 + r**2)",
                     "--custom", "l15=abs(r)**1.5"))  # fmt: skip
    y, q = _reg_columns()
    for name, formula in (("cauchy", "log(1 + r**2)"), ("l15", "abs(r)**1.5")):
        got = data["losses"][name]
        assert got["cost"] == losses.custom(formula, name=name).cost(y, q)
        assert got["count"] == len(y) and got["formula"] == formula
    assert "mse" in data["losses"] and list(data["losses"])[-2:] == ["cauchy", "l15"]  # beside, after


@pytest.mark.parametrize("chunk", ["7", "1000000"])
def test_built_ins_retyped_as_formulas_give_the_built_ins_cost(cli, chunk):
    proc = cli(REG, "--format", "json", "--chunk-rows", chunk, "--custom", "sq=r**2", "--custom", "ab=abs(r)",
               "--custom", "hub=where(abs(r) <= delta, r**2/2, delta*(abs(r) - delta/2))",
               "--param", "delta=2")  # fmt: skip
    got = {n: v["cost"] for n, v in _json(proc)["losses"].items()}
    assert math.isclose(got["sq"], got["mse"], rel_tol=1e-12, abs_tol=0)
    assert math.isclose(got["ab"], got["mae"], rel_tol=1e-12, abs_tol=0)
    assert math.isclose(got["hub"], got["huber"], rel_tol=1e-12, abs_tol=0)  # --param delta: both
    assert got["sq"] != got["ab"]


def test_binary_formulas_on_their_labels_equal_the_built_ins(cli):
    data = _json(cli(BIN, "--format", "json", "--custom", "hinge2=max(0, 1 - y*s)", "--custom-labels", "pm1"))
    assert math.isclose(data["losses"]["hinge2"]["cost"], data["losses"]["hinge"]["cost"], rel_tol=1e-12)
    assert data["losses"]["hinge2"]["note"].startswith("on the log-odds")  # scores from probabilities
    data = _json(cli(BIN, "--format", "json", "--custom", "sqp=(y - p)**2"))
    df = pd.read_csv(BIN)
    y, p = (df["rain_tomorrow"] == "rain").to_numpy(float), df["prob_rain"].to_numpy(float)
    assert data["losses"]["sqp"]["cost"] == losses.custom("(y - p)**2", kind="binary").cost(y, p)


def test_a_multiclass_formula_on_the_true_class(cli):
    data = _json(cli(MC, "--format", "json", "--custom", "nll=-log(p)"))
    got = data["losses"]
    assert math.isclose(got["nll"]["cost"], got["sparse_categorical_cross_entropy"]["cost"], rel_tol=1e-12)


def test_declared_parameters_take_their_default_and_param(cli):
    formula, declared = "c**2*log(1 + (r/c)**2)", "c = 1 in [0.1, 5]"
    y, q = _reg_columns()
    spec = losses.custom(formula, name="scaled", params=parse_params(declared))
    data = _json(cli(REG, "--format", "json", "--custom", f"scaled={formula}; {declared}"))
    scaled = data["losses"]["scaled"]
    assert scaled["cost"] == spec.cost(y, q) and scaled["params"] == {"c": 1}
    data = _json(cli(REG, "--format", "json", "--custom", f"scaled={formula}; {declared}",
                     "--param", "scaled.c=2.5"))  # fmt: skip
    assert data["losses"]["scaled"]["cost"] == spec.cost(y, q, c=2.5)
    proc = cli(REG, "--custom", f"scaled={formula}; {declared}", "--param", "scaled.c=9")
    _refused(proc, "9")  # outside the declared range: the core's message


def test_table_csv_and_per_row_report_show_it_beside_the_built_ins(cli, tmp_path):
    proc = cli(REG, "--custom", "cauchy=log(1 + r**2)")
    assert proc.returncode == 0, proc.stderr
    assert "cauchy" in proc.stdout and "custom: cauchy = log(1 + r**2)" in proc.stdout
    proc = cli(REG, "--format", "csv", "--custom", "cauchy=log(1 + r**2)")
    rows = {r["loss"]: r for r in csv.DictReader(proc.stdout.splitlines())}
    y, q = _reg_columns()
    cauchy = losses.custom("log(1 + r**2)", name="cauchy")
    assert float(rows["cauchy"]["cost"]) == cauchy.cost(y, q) and "mse" in rows
    out = tmp_path / "rows.csv"
    proc = cli(REG, "--per-row", out, "--custom", "cauchy=log(1 + r**2)", "--quiet")
    assert proc.returncode == 0, proc.stderr
    report = pd.read_csv(out)
    assert "mse" in report.columns
    np.testing.assert_allclose(report["cauchy"], cauchy.per_sample(y, q), rtol=1e-15)


def test_a_custom_loss_named_like_an_input_column_leaves_the_column_in_the_report(cli, tmp_path):
    out = tmp_path / "rows.csv"
    proc = cli(REG, "--per-row", out, "--custom", "actual_price_k=abs(r)", "--quiet")
    assert proc.returncode == 0, proc.stderr
    report = pd.read_csv(out)
    y, _ = _reg_columns()
    np.testing.assert_array_equal(report["actual_price_k"], report["mae"])  # the loss's column
    np.testing.assert_array_equal(report["input actual_price_k"], y)  # the input's, renamed


def test_loss_can_name_the_custom_ones(cli):
    data = _json(cli(REG, "--format", "json", "--loss", "mae", "cauchy", "--custom", "cauchy=log(1 + r**2)"))
    assert list(data["losses"]) == ["mae", "cauchy"]
    data = _json(cli(REG, "--format", "json", "--loss", "cauchy", "--custom", "cauchy=log(1 + r**2)"))
    assert list(data["losses"]) == ["cauchy"]


def test_a_formula_undefined_on_a_row_names_the_row(cli, tmp_path):
    src = tmp_path / "neg.csv"
    src.write_text("y_true,y_pred\n1.5,2\n2.25,2.5\n1,0.5\n3.5,4\n")  # r = -0.5 in data row 3
    proc = cli(src, "--custom", "lg=log(r)", "--chunk-rows", "2")
    assert proc.returncode == 0, proc.stderr
    assert "skipped lg: The value of lg is not finite at row 3 (y = 1, ŷ = 0.5, r = -0.5)" in proc.stdout
    proc = cli(src, "--custom", "lg=log(r)", "--format", "csv")
    assert proc.returncode == 0 and "lg" not in proc.stdout and "note: lg was not scored" in proc.stderr
    assert "row 3" in proc.stderr
    _refused(cli(src, "--custom", "lg=log(r)", "--loss", "lg"), "row 3", "No loss applies")


@pytest.mark.parametrize(
    ("option", "needles"),
    [
        ("cauchy=log(1 + r**2", ["--custom cauchy", "column 4", "never closed", "  log(1 + r**2\n     ^"]),
        ("x=-log(p)", ["--custom x", "regression file", "r, y, yhat", "'p'"]),
        ("mse=r**2", ["--custom mse", "built-in loss"]),
        ("row=abs(r)", ["--custom row", "per-row report"]),
        ("Big=r**2", ["--custom Big", "not allowed"]),
        ("a=c*r**2; c = 2 in [0, 1]", ["--custom a", "default in [low, high]", "after a ';'"]),
        ("a=c*r**2; c in 0..1", ["--custom a", "Could not read the parameter declaration"]),
        ("a=__import__('os').system('touch /tmp/lossx_pwned')", ["--custom a", "Only the listed functions"]),
        ("a=r.__class__", ["--custom a", "ttribute"]),
        ("a=9**9**9", ["--custom a", "power tower"]),
        ("a=", ["--custom a", "empty"]),
    ],
)
def test_a_bad_custom_is_exit_2_naming_the_option_and_leaves_no_report(cli, tmp_path, option, needles):
    out = tmp_path / "rows.csv"
    _refused(cli(REG, "--custom", option, "--per-row", out), *needles)
    assert list(tmp_path.iterdir()) == []  # no report, not even a partial one
    assert not Path("/tmp/lossx_pwned").exists()


def test_a_name_given_twice_is_refused(cli):
    _refused(cli(REG, "--custom", "a=r**2", "--custom", "a=abs(r)"), "--custom a is given twice")
    _refused(cli(REG, "--custom", "r**2", "--custom", "abs(r)"), "--custom custom is given twice")


def test_an_unnamed_formula_is_called_custom(cli):
    data = _json(cli(REG, "--format", "json", "--custom", "where(r == 0, 0, r**2)"))  # '==' is not a name
    assert math.isclose(data["losses"]["custom"]["cost"], data["losses"]["mse"]["cost"], rel_tol=1e-12)


def test_a_binary_formula_needs_the_binary_variables(cli):
    _refused(cli(BIN, "--custom", "a=r**2"), "--custom a (binary file; its formulas use y, s, p)", "'r'")


def _two_files(tmp_path: Path) -> tuple[Path, Path, pd.DataFrame]:
    df = pd.read_csv(REG)
    a, b = tmp_path / "a.csv", tmp_path / "b.csv"
    df.iloc[:120].to_csv(a, index=False)
    df.iloc[120:].to_csv(b, index=False)
    return a, b, df


def test_several_files_by_file_and_by_group_score_the_custom_loss_as_one_file_would(cli, tmp_path):
    a, b, df = _two_files(tmp_path)
    cauchy = losses.custom("log(1 + r**2)", name="cauchy")
    y, q = df["actual_price_k"].to_numpy(float), df["predicted_price_k"].to_numpy(float)
    group = (df["area_m2"] > 80).map({True: "big", False: "small"})
    df.assign(size=group).iloc[:120].to_csv(a, index=False)
    df.assign(size=group).iloc[120:].to_csv(b, index=False)
    data = _json(cli(a, b, "--by-file", "--group-by", "size", "--format", "json",
                     "--custom", "cauchy=log(1 + r**2)", "--custom", "sq=r**2"))  # fmt: skip
    assert math.isclose(data["losses"]["cauchy"]["cost"], cauchy.cost(y, q), rel_tol=1e-12)
    assert math.isclose(data["losses"]["sq"]["cost"], data["losses"]["mse"]["cost"], rel_tol=1e-12)
    for f, rows in zip(data["files"], (slice(0, 120), slice(120, None)), strict=True):
        assert math.isclose(f["losses"]["cauchy"]["cost"], cauchy.cost(y[rows], q[rows]), rel_tol=1e-12)
    for g in data["groups"]["groups"]:
        mask = (group == g["label"]).to_numpy()
        assert math.isclose(g["losses"]["cauchy"]["cost"], cauchy.cost(y[mask], q[mask]), rel_tol=1e-12)
    proc = cli(a, b, "--by-file", "--group-by", "size", "--custom", "cauchy=log(1 + r**2)", "--quiet")
    assert proc.returncode == 0, proc.stderr
    assert "By file:" in proc.stdout and proc.stdout.count("cauchy") == 3  # the table and both breakdowns
    proc = cli(a, b, "--group-by", "size", "--format", "csv", "--custom", "cauchy=log(1 + r**2)")
    lines = [r for r in csv.reader(proc.stdout.splitlines()) if r[2:3] == ["cauchy"]]
    assert [r[:2] for r in lines] == [["all", ""], ["size", "big"], ["size", "small"]]


def test_a_bad_custom_with_a_dataset_is_exit_2_naming_the_option(cli, tmp_path):
    a, b, _ = _two_files(tmp_path)
    _refused(cli(a, b, "--custom", "x=-log(p)"), "--custom x (regression file")
    _refused(cli(a, b, "--custom", "a=r", "--custom", "a=r**2"), "--custom a is given twice")


def test_the_dask_engine_scores_the_custom_loss_too(cli, tmp_path):
    pytest.importorskip("distributed", reason="the Dask engine: pip install -r requirements-scale.txt")
    a, b, df = _two_files(tmp_path)
    y, q = df["actual_price_k"].to_numpy(float), df["predicted_price_k"].to_numpy(float)
    data = _json(cli(a, b, "--engine", "dask", "--by-file", "--format", "json", "--quiet",
                     "--custom", "cauchy=log(1 + r**2)", "--custom", "lg=log(r)"))  # fmt: skip
    cauchy = losses.custom("log(1 + r**2)", name="cauchy")  # shipped to the workers as its spec
    assert math.isclose(data["losses"]["cauchy"]["cost"], cauchy.cost(y, q), rel_tol=1e-12)
    assert math.isclose(data["files"][1]["losses"]["cauchy"]["cost"], cauchy.cost(y[120:], q[120:]),
                        rel_tol=1e-12)  # fmt: skip
    assert "a.csv: The value of lg is not finite at row 3" in data["skipped"]["lg"]


def test_help_documents_the_option(cli):
    proc = cli("--help")
    assert proc.returncode == 0
    text = " ".join(proc.stdout.split())
    assert "--custom NAME=FORMULA" in text and "declare others after a ';'" in text
    assert "--custom-labels" in text
