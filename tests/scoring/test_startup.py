"""Start-up: the command line's options and --help import neither pandas nor the scorer (issue 14: 0.49 s of
imports, pandas 0.3 s of it); they are imported when a file is read."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import scoring
import scoring.chunked

ROOT = Path(__file__).resolve().parents[2]


def test_importing_the_command_line_leaves_pandas_for_later():
    code = ("import sys, scoring.cli; heavy = [m for m in ('pandas', 'scoring.chunked', 'pyarrow') "
            "if m in sys.modules]; print(heavy)")  # fmt: skip
    out = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]", out.stdout + out.stderr


def test_the_light_names_are_the_scorers():
    assert scoring.FIXES == scoring.chunked.FIXES
    assert scoring.Result is scoring.chunked.Result and scoring.plans is scoring.chunked.plans
    fmt, det = scoring.inspect(b"y_true,y_pred\n1,1.5\n2,2\n")
    assert scoring.score(b"y_true,y_pred\n1,1.5\n2,2\n", fmt, det).costs["mse"] == 0.125
