"""Progress on long runs: a line on stderr (done, rate, ETA) only on a terminal and without --quiet, cleared
at the end; the page's bar (st.progress) gets the fraction read of Parquet and compressed files too."""

from __future__ import annotations

import io
import sys

import numpy as np
import pandas as pd
import pytest

import scoring
from scoring import progress
from scoring.cli import main


class Tty(io.StringIO):
    def isatty(self) -> bool:
        return True


def _clock(*times):
    it = iter(times)
    return lambda: next(it)


def test_the_line_says_what_is_done_the_rate_and_the_eta():
    out = io.StringIO()
    bar = progress.Progress(total_bytes=100 * 2**20, stream=out, clock=_clock(0.0, 2.0, 4.0))
    bar.update(done_bytes=25 * 2**20, rows=1_000_000)
    assert out.getvalue() == "\rscoring  25%  1,000,000 rows  25.0 of 100.0 MB  12.5 MB/s  ETA 0:06\x1b[K"
    bar.update(done_bytes=50 * 2**20, rows=2_000_000, force=True)
    want = "scoring  50%  2,000,000 rows  50.0 of 100.0 MB  12.5 MB/s  ETA 0:04"
    assert out.getvalue().endswith("\r" + want + "\x1b[K")
    bar.close()
    assert out.getvalue().endswith("\r\x1b[K")  # cleared: what follows starts on a clean line


def test_partitions_unknown_totals_and_long_runs():
    p = progress.Progress(total_parts=40, clock=_clock(0.0), stream=io.StringIO())
    p.parts, p.rows = 10, 500
    assert p.text(3700.0) == "scoring  25%  10 of 40 partitions  500 rows  0 rows/s  ETA 3:05:00"
    q = progress.Progress(clock=_clock(0.0), stream=io.StringIO())
    q.rows = 3000
    assert q.text(2.0) == "scoring  3,000 rows  1,500 rows/s"  # no total: no percentage, no ETA


def test_it_redraws_at_most_every_interval():
    out = io.StringIO()
    bar = progress.Progress(total_bytes=10, stream=out, interval=1.0, clock=_clock(0.0, 0.1, 0.5, 0.9, 1.2))
    for done in (1, 2, 3, 4):
        bar.update(done_bytes=done)
    assert out.getvalue().count("\r") == 2  # at 0.1 s and 1.2 s


def test_shown_only_on_a_terminal_and_without_quiet():
    assert progress.wanted(False, Tty())
    assert not progress.wanted(True, Tty())
    assert not progress.wanted(False, io.StringIO())
    off = progress.Progress(total_bytes=10, stream=io.StringIO(), enabled=False)
    off.update(done_bytes=5, force=True)
    off.close()
    assert off.stream.getvalue() == ""


@pytest.fixture
def csv_file(tmp_path):
    rng = np.random.default_rng(3)
    path = tmp_path / "preds.csv"
    pd.DataFrame({"y_true": rng.normal(size=5000), "y_pred": rng.normal(size=5000)}).to_csv(path, index=False)
    return path


@pytest.mark.parametrize("several", [False, True])
def test_the_command_line_on_a_terminal(csv_file, monkeypatch, capsys, several):
    tty = Tty()
    monkeypatch.setattr(sys, "stderr", tty)
    args = [str(csv_file), str(csv_file.parent)] if several else [str(csv_file)]  # a dataset, or one file
    assert main([*args, "--chunk-rows", "1000", "--loss", "mse"]) == 0
    shown = tty.getvalue()
    assert shown.startswith("\rscoring") and "MB" in shown and shown.endswith("\r\x1b[K"), shown
    if several:
        assert "rows" in shown
    tty.truncate(0)
    tty.seek(0)
    assert main([*args, "--chunk-rows", "1000", "--loss", "mse", "--quiet"]) == 0
    assert tty.getvalue() == ""
    assert "mse" in capsys.readouterr().out


def test_not_on_a_pipe(csv_file, capsys):
    assert main([str(csv_file), "--chunk-rows", "1000"]) == 0
    assert capsys.readouterr().err == ""  # pytest's stderr is not a terminal


def test_the_pages_bar_gets_fractions_of_tables_and_compressed_files(tmp_path):
    pa = pytest.importorskip("pyarrow")
    import gzip

    import pyarrow.parquet as pq

    frame = pd.DataFrame({"y_true": np.arange(10_000) * 0.5, "y_pred": np.arange(10_000) * 0.4})
    sink = io.BytesIO()
    pq.write_table(pa.Table.from_pandas(frame), sink, row_group_size=1000)
    for data in (sink.getvalue(), gzip.compress(frame.to_csv(index=False).encode() * 1)):
        fmt, det = scoring.inspect(data)
        seen = []
        scoring.score(data, fmt, det, chunksize=1000, progress=seen.append, per_row=True)
        assert seen == sorted(seen) and seen[-1] == 1.0 and len(seen) == 10
