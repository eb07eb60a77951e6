"""The scoring page under AppTest: each bundled example, the fixes it offers, and a bad file's message."""

from __future__ import annotations

import math
from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

import scoring
from scenes.text import plain

ROOT = Path(__file__).resolve().parents[2]
APP = str(ROOT / "app.py")
PAGE = "views/score.py"


def open_page(example: str | None = None) -> AppTest:
    at = AppTest.from_file(APP, default_timeout=60)
    if example:
        at.query_params["score_example"] = example
    at.run()
    at.switch_page(PAGE).run()
    assert not at.exception, [e.value for e in at.exception]
    return at


@pytest.mark.parametrize(
    "example", ["regression_outliers.csv", "rain_tomorrow.csv", "species_multiclass.csv"]
)
def test_each_example_shows_the_cores_numbers(example):
    at = open_page()
    at.selectbox(key="score_example").set_value(example).run()
    assert not at.exception and not at.error
    path = ROOT / "examples" / example
    fmt, det = scoring.inspect(path)
    costs = scoring.score(path, fmt, det).costs
    shown = {m.label: m.value for m in at.metric}
    assert len(shown) == len(costs)
    import losses

    for name, cost in costs.items():
        assert math.isclose(float(shown[losses.get(name).title]), cost, rel_tol=1e-5), name
    assert at.selectbox(key="score_focus").value in costs


def test_a_link_naming_an_example_file_opens_that_example():
    at = open_page("rain_tomorrow.csv")
    assert at.selectbox(key="score_example").value == "rain_tomorrow.csv"
    assert "Binary cross-entropy" in {m.label for m in at.metric}


def test_messy_example_offers_to_drop_missing_rows():
    at = open_page()
    at.selectbox(key="score_example").set_value("messy.csv").run()
    assert not at.exception
    assert at.error and "2 rows of 40" in at.error[0].value
    drop = next(c for c in at.checkbox if c.key.startswith("score_drop_missing_"))  # keyed by the file
    drop.check().run()
    assert not at.exception and not at.error
    assert len(at.metric) == 11  # every regression loss (10, and the Poisson deviance added since)


def test_changing_a_parameter_changes_huber():
    at = open_page()
    before = {m.label: m.value for m in at.metric}["Huber loss"]
    at.number_input(key="score_param_huber_delta").set_value(5.0).run()
    assert not at.exception
    after = {m.label: m.value for m in at.metric}["Huber loss"]
    assert before != after


def test_forcing_the_task_is_checked():
    at = open_page()
    at.selectbox(key="score_example").set_value("rain_tomorrow.csv").run()
    at.selectbox(key="score_task").set_value("regression").run()
    assert not at.exception
    assert at.error and "'rain' is not a number" in at.error[0].value.replace("\\", "")


def test_a_bad_upload_shows_an_error_not_an_exception():
    """A binary file uploaded through the page's own st.file_uploader (Streamlit 1.67's AppTest drives
    it): the reader's message as an st.error, escaped (scenes.text.plain), no metrics, no traceback."""
    at = open_page()
    at.segmented_control(key="score_source").set_value("upload").run()
    assert not at.exception
    path = ROOT / "tests" / "scoring" / "fixtures" / "binary_junk.csv"
    data = path.read_bytes()
    at.file_uploader(key="score_upload").set_value((path.name, data, "text/csv")).run()
    assert not at.exception, [e.value for e in at.exception]
    with pytest.raises(scoring.ScoringError) as info:
        scoring.sniff(data)
    assert info.value.kind == "binary"
    assert len(at.error) == 1 and not at.metric
    shown = at.error[0].value
    assert shown.startswith(f"**{info.value.title}.**") and plain(str(info.value)) in shown
