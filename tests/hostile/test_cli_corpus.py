"""Every file of the hostile corpus through the command line, in this process (``scoring.cli.main``), with a
per-row report asked for and a time limit: the right numbers (numpy's), or exit 2 with a message naming what
the case says. Never a traceback, a hang, a partial or overwritten report, or a formula a spreadsheet runs."""

from __future__ import annotations

import csv
import json
import os
import re
import shutil

import pytest

import losses
from scoring.cli import main
from scoring.errors import KINDS
from tests.hostile import make_corpus

CASES = make_corpus.cases()
EARLIER = "an earlier report, which a failed run must leave alone\n"
LIMIT_S = 20.0
_FORMULA = re.compile(r"^[=+\-@\t\r]")


def _strict_json(text: str):
    def refuse(name):
        raise ValueError(f"not JSON: {name}")

    return json.loads(text, parse_constant=refuse)


def _unneutralised(report_text: str) -> list[str]:
    """Cells a spreadsheet would run as a formula: starting with = + - @ tab CR, and not a plain number."""
    bad = []
    for row in csv.reader(report_text.splitlines()):
        for cell in row:
            if _FORMULA.match(cell):
                try:
                    float(cell)
                except ValueError:
                    bad.append(cell)
    return bad


def _check_costs(case, summary) -> list[str]:
    wrong = []
    for name, want in case.costs.items():
        got = summary["losses"].get(name, {}).get("cost", "absent")
        if want == float("inf"):
            if got is not None or not any(name in n and "infinity" in n for n in summary["notes"]):
                wrong.append(f"{name}: {got!r}, not null with a note")
        elif got == "absent" or got is None or abs(got - want) > 1e-9 * abs(want) + 1e-12:
            wrong.append(f"{name}: {got!r}, not {want!r}")
    return wrong


@pytest.mark.parametrize("case", CASES, ids=lambda c: c.name)
def test_the_command_line_on_the_corpus(case, corpus, tally, time_limit, capsys, tmp_path):
    root, _cases = corpus
    path = root / case.file
    report = tmp_path / "report.csv"
    if case.special == "per_row_onto_input":
        path = tmp_path / case.file  # a copy: the corpus file stays as it is for the page's run
        shutil.copy(root / case.file, path)
        report = path
    elif case.special == "per_row_hard_link":
        path = tmp_path / case.file
        shutil.copy(root / case.file, path)
        report = tmp_path / "link.csv"
        os.link(path, report)
    else:
        report.write_text(EARLIER, encoding="utf-8")
    before = path.read_bytes() if case.special.startswith("per_row") else None
    args = [str(path), *case.args, "--format", "json", "--per-row", str(report)]

    capsys.readouterr()
    try:
        with time_limit(LIMIT_S):
            code = main(args)
    except make_corpus_hung() as exc:
        tally.record("command line", case.name, "hang")
        pytest.fail(f"hung: {exc}")
    except BaseException as exc:  # noqa: BLE001 - any exception out of main is a traceback to a user
        tally.record("command line", case.name, "traceback")
        raise AssertionError(f"a traceback: {type(exc).__name__}: {exc}") from exc
    out, err = capsys.readouterr()
    left = sorted(p.name for p in tmp_path.iterdir() if p.name not in (case.file, "report.csv", "link.csv"))

    if case.expect == "ok":
        summary = _strict_json(out) if code == 0 else None
        wrong = [f"exit {code}: {err.strip()}"] if code != 0 else _check_costs(case, summary)
        if not wrong and summary["rows_scored"] != case.rows:
            wrong.append(f"{summary['rows_scored']} rows scored, not {case.rows}")
        text = report.read_text(encoding="utf-8") if not wrong else ""
        if not wrong and len(list(csv.DictReader(text.splitlines()))) != case.rows:
            wrong.append("the report has the wrong number of rows")
        if not wrong and (bad := _unneutralised(text)):
            tally.record("command line", case.name, "formula")
            pytest.fail(f"formulas a spreadsheet would run: {bad[:5]}")
        if not wrong:
            wrong += [f"the report lacks {n!r}" for n in case.needles if n not in text]
        tally.record("command line", case.name, "wrong" if wrong else "right answer")
        assert not wrong, wrong
        return

    titles = [KINDS[k] for k in case.kinds]
    clean = code == 2 and out == "" and err.startswith("error: ") and "Traceback" not in err
    named = any(t in err for t in titles) and all(n in err for n in case.needles)
    if before is not None:
        partial = path.read_bytes() != before  # the input itself must survive
    else:
        partial = report.read_text(encoding="utf-8") != EARLIER or bool(left)
    if partial:
        tally.record("command line", case.name, "partial file")
        pytest.fail(f"a partial or overwritten file: {left or report}")
    tally.record("command line", case.name, "clean refusal" if clean and named else "wrong")
    assert clean and named, f"exit {code}; want {titles} naming {case.needles}; got: {err.strip()}"


def make_corpus_hung():
    from tests.hostile.conftest import Hung

    return Hung


def test_every_loss_title_the_page_shows_is_known():
    """The page's metrics are looked up by the core's titles: every loss a case names has one."""
    for case in CASES:
        for name in case.costs:
            assert losses.get(name).title
