"""Every file of the hostile corpus uploaded to the Score page (AppTest, through its own st.file_uploader):
the right numbers in the metrics (numpy's, to the 6 digits shown), or one st.error naming what the case
says. Never an exception on the page or a hang; the per-row download (the page's ``scoring.to_csv_bytes`` of
the same result) holds no formula a spreadsheet would run."""

from __future__ import annotations

import math
from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

import losses
from scoring import present, to_csv_bytes
from scoring.errors import KINDS
from tests.hostile import make_corpus
from tests.hostile.test_cli_corpus import _unneutralised

APP = str(Path(__file__).resolve().parents[2] / "app.py")
CASES = [c for c in make_corpus.cases() if c.page != "skip"]
LIMIT_S = 30


def _plain(text: str) -> str:
    """Markdown as a person reads it: escapes and word joiners gone (scenes.text.plain adds them)."""
    return text.replace("\\", "").replace("\u2060", "")


@pytest.fixture(scope="module")
def app():
    at = AppTest.from_file(APP, default_timeout=LIMIT_S)
    at.run()
    at.switch_page("views/score.py").run()
    at.segmented_control(key="score_source").set_value("upload").run()
    assert not at.exception
    return at


@pytest.mark.parametrize("case", CASES, ids=lambda c: c.name)
def test_the_score_page_on_the_corpus(case, corpus, tally, app):
    root, _cases = corpus
    data = (root / case.file).read_bytes()
    try:
        app.file_uploader(key="score_upload").set_value((case.file, data, "text/csv")).run()
    except RuntimeError as exc:  # AppTest's timeout
        tally.record("Score page", case.name, "hang")
        pytest.fail(f"hung: {exc}")
    if app.exception:
        tally.record("Score page", case.name, "traceback")
        pytest.fail(f"an exception on the page: {[e.value for e in app.exception]}")
    errors = [_plain(e.value) for e in app.error]
    expect = "refuse" if case.page == "refuse" else case.expect
    kinds = case.page_kinds or case.kinds

    if expect == "ok":
        shown = {m.label: m.value for m in app.metric}
        wrong = list(errors)
        for name, want in case.costs.items():
            got = shown.get(losses.get(name).title)
            if got is None:
                wrong.append(f"no metric for {name}")
            elif math.isinf(want):
                wrong += [] if got == "inf" else [f"{name}: {got}, not inf"]
            elif not math.isclose(float(got), want, rel_tol=1e-5):
                wrong.append(f"{name}: {got}, not {want:.6g}")
        if not wrong:
            info = present.inspect(
                data, {**present.format_choices(*(present.AUTO,) * 4), **present.UNFORCED}, 50 * 2**20
            )
            scored = present.score_file(
                data, info["fmt"], info["det"], {"params": {}, "drop_missing": False, "fix_rows": None}
            )
            report = to_csv_bytes(scored["result"].report).decode("utf-8")
            if bad := _unneutralised(report):
                tally.record("Score page", case.name, "formula")
                pytest.fail(f"formulas in the download: {bad[:5]}")
        tally.record("Score page", case.name, "wrong" if wrong else "right answer")
        assert not wrong, wrong
        return

    titles = [KINDS[k] for k in kinds]
    ok = (
        len(errors) >= 1
        and not app.metric
        and any(errors[0].startswith(f"**{t}.**") for t in titles)
        and all(n in errors[0] for n in (case.needles if case.page == "same" else ()))
    )
    tally.record("Score page", case.name, "clean refusal" if ok else "wrong")
    assert ok, f"want {titles} naming {case.needles}; got errors {errors}, metrics {len(app.metric)}"
