"""The hostile corpus (tests/hostile/make_corpus.py), built once per session, and the suite's counts.

Fixtures:
    corpus        session: ``(directory, {name: Case})``, the files written by ``make_corpus.build``
    tally         session: a ``Tally`` the runners record every file's outcome in
    time_limit    function: ``with time_limit(seconds):`` raises ``Hung`` when the block takes longer

At the end of the run the counts are printed (files, right answers, clean refusals, tracebacks, hangs,
partial or overwritten reports) for the command line and the Score page.
"""

from __future__ import annotations

import contextlib
import signal
from collections import Counter
from dataclasses import dataclass, field

import pytest

from tests.hostile import make_corpus

OUTCOMES = ("right answer", "clean refusal", "wrong", "traceback", "hang", "partial file", "formula")


class Hung(Exception):
    """A file took longer than its time limit."""


@dataclass
class Tally:
    counts: dict[str, Counter] = field(default_factory=dict)
    files: dict[str, set] = field(default_factory=dict)

    def record(self, where: str, case: str, outcome: str) -> None:
        assert outcome in OUTCOMES, outcome
        self.counts.setdefault(where, Counter())[outcome] += 1
        self.files.setdefault(where, set()).add(case)


_TALLY = pytest.StashKey[Tally]()


@pytest.fixture(scope="session")
def corpus(tmp_path_factory):
    root = tmp_path_factory.mktemp("hostile_corpus")
    return root, {c.name: c for c in make_corpus.build(root)}


@pytest.fixture(scope="session")
def tally(request) -> Tally:
    return request.config.stash.setdefault(_TALLY, Tally())


@pytest.fixture
def time_limit():
    @contextlib.contextmanager
    def limit(seconds: float):
        def hung(_sig, _frame):
            raise Hung(f"over {seconds} s")

        old = signal.signal(signal.SIGALRM, hung)
        signal.setitimer(signal.ITIMER_REAL, seconds)
        try:
            yield
        finally:
            signal.setitimer(signal.ITIMER_REAL, 0)
            signal.signal(signal.SIGALRM, old)

    return limit


def pytest_terminal_summary(terminalreporter, exitstatus, config):
    tally = config.stash.get(_TALLY, None)
    if tally is None or not tally.counts:
        return
    terminalreporter.section("hostile corpus")
    for where, counts in sorted(tally.counts.items()):
        terminalreporter.write_line(
            f"{where}: {len(tally.files[where])} files, {counts['right answer']} right answers, "
            f"{counts['clean refusal']} clean refusals, {counts['wrong']} wrong, "
            f"{counts['traceback']} tracebacks, "
            f"{counts['hang']} hangs, {counts['partial file']} partial or overwritten files, "
            f"{counts['formula']} unneutralised formulas"
        )
