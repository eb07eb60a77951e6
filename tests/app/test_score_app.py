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


# -- issue 9: the page's choices in the link, its defects fixed at their cause -----------------------------
def open_link(**query) -> AppTest:
    at = AppTest.from_file(APP, default_timeout=60)
    for k, v in query.items():
        at.query_params[k] = v
    at.run()
    at.switch_page(PAGE).run()
    assert not at.exception, [e.value for e in at.exception]
    return at


def test_a_link_restores_the_example_loss_tab_parameter_and_log_axis():
    at = open_link(score_example="rain_tomorrow.csv", score_focus="Hinge loss", score_tab="Charts",
                   score_log="true", score_param_binary_focal_gamma="3")  # fmt: skip
    assert not at.warning, [w.value for w in at.warning]
    assert at.selectbox(key="score_focus").value == "hinge"
    assert at.session_state["score_tab"] == "Charts"
    assert at.toggle(key="score_log").value is True
    assert at.number_input(key="score_param_binary_focal_gamma").value == 3.0
    path = ROOT / "examples" / "rain_tomorrow.csv"
    fmt, det = scoring.inspect(path)
    want = scoring.score(path, fmt, det, params={"binary_focal.gamma": 3.0}).costs["binary_focal"]
    shown = {m.label: m.value for m in at.metric}
    assert math.isclose(float(shown["Binary focal loss"]), want, rel_tol=1e-5)


@pytest.mark.parametrize(
    ("query", "what"),
    [
        ({"score_example": "nope.csv"}, "example file"),
        ({"score_focus": "Nope"}, "loss for the table and the charts"),
        ({"score_tab": "Plots"}, "tab"),
        ({"score_source": "Somewhere"}, "data"),
        ({"score_param_huber_delta": "-2"}, "δ (huber)"),
    ],
)
def test_a_bad_value_in_a_link_is_reported_not_ignored(query, what):
    at = open_link(**query)
    shown = [w.value for w in at.warning]
    assert any(f"The link's {what}" in w for w in shown), shown
    assert at.metric  # and the page still scores with the default


def test_no_internal_loss_name_on_the_page():
    at = open_page()
    labels = [n.label for n in at.number_input]
    assert "δ (Huber)" in labels and not any(":" in lab or "delta" in lab for lab in labels)
    shown = " ".join([*(c.value for c in at.caption), *(t.value for t in at.text)])
    assert "Mean squared error (L2)" in shown and "largest mse" not in shown
    assert "Poisson negative log-likelihood (no constant; can be < 0)" in {m.label for m in at.metric}
    assert "Mean Poisson deviance" in {m.label for m in at.metric}


def test_a_skipped_loss_is_reported_by_its_title():
    at = open_page()
    at.segmented_control(key="score_source").set_value("upload").run()
    data = b"y_true,y_pred\n1.5,2.25\n2.5,3.0\n3.5,-4.0\n4.5,5.0\n"
    at.file_uploader(key="score_upload").set_value(("neg.csv", data, "text/csv")).run()
    assert not at.exception
    infos = [i.value for i in at.info]
    assert any(v.startswith("Mean squared logarithmic error needs") for v in infos), infos


def test_the_table_has_no_rmse_column_and_says_why():
    at = open_page()
    (table,) = at.dataframe
    columns = list(table.value.columns)
    assert "mse" in columns and "rmse" not in columns
    assert any("RMSE has no column" in c.value for c in at.caption)
    assert "rmse" not in at.selectbox(key="score_focus").options


def test_rows_summing_to_1_3_are_offered_normalisation():
    """Read as probabilities (the 1.2 is above 1), they were told to choose logits; now: normalise."""
    at = open_page()
    at.segmented_control(key="score_source").set_value("upload").run()
    data = b"label,prob_a,prob_b\na,0.5,0.5\nb,0.2,0.8\na,1.2,0.1\n"
    at.file_uploader(key="score_upload").set_value(("sums.csv", data, "text/csv")).run()
    at.selectbox(key="score_pred_kind").set_value("probabilities").run()
    assert not at.exception
    assert at.error and "sum to 1.3" in at.error[0].value.replace("\\", "")
    fix = next(r for r in at.radio if r.key.startswith("score_fix_rows_"))
    fix.set_value("normalise").run()
    assert not at.exception and not at.error and at.metric


def test_an_error_title_is_not_repeated_in_its_message():
    at = open_page()
    at.segmented_control(key="score_source").set_value("upload").run()
    at.file_uploader(key="score_upload").set_value(("empty.csv", b"", "text/csv")).run()
    assert not at.exception
    (shown,) = [e.value for e in at.error]
    assert shown.startswith("**The file is empty.**") and shown.count("empty") == 1, shown


def test_the_page_takes_the_probabilities_from_the_result():
    """Not recomputed on the page (issue 8): no sigmoid, softmax or row normalisation in views/score.py."""
    source = (ROOT / PAGE).read_text(encoding="utf-8")
    for name in ("sigmoid", "softmax(", "normalise_rows", ".sum(axis"):
        assert name not in source, name
    assert len(source.splitlines()) <= 250


def test_the_choices_survive_a_visit_elsewhere_and_reset_puts_them_back():
    at = open_page()
    at.selectbox(key="score_example").set_value("rain_tomorrow.csv").run()
    at.selectbox(key="score_focus").set_value("hinge").run()
    at.toggle(key="score_log").set_value(True).run()
    at.number_input(key="score_param_binary_focal_gamma").set_value(3.0).run()
    at.switch_page("views/regression.py").run()
    at.switch_page(PAGE).run()
    assert not at.exception and not at.warning
    assert at.selectbox(key="score_example").value == "rain_tomorrow.csv"
    assert at.selectbox(key="score_focus").value == "hinge" and at.toggle(key="score_log").value is True
    assert at.number_input(key="score_param_binary_focal_gamma").value == 3.0
    at.button(key="score_reset").click().run()
    assert not at.exception
    assert at.selectbox(key="score_example").value == "regression_outliers.csv"
    assert at.selectbox(key="score_focus").value == "mse" and at.toggle(key="score_log").value is False


def _upload(at: AppTest, name: str, data: bytes) -> AppTest:
    at.segmented_control(key="score_source").set_value("upload").run()
    at.file_uploader(key="score_upload").set_value((name, data, "text/csv")).run()
    assert not at.exception, [e.value for e in at.exception]
    return at


def test_named_columns_beside_class_columns_score_and_no_loss_is_an_error_not_a_traceback():
    """y_true,y_pred,c1,c2 (issue 15): the named columns are scored (the class columns were taken as targets,
    every loss skipped, and the page showed KeyError: None with a traceback); a file where no loss applies is
    an st.error saying why."""
    at = _upload(open_page(), "c.csv", b"y_true,y_pred,c1,c2\n1,1.5,3,4\n2,2.5,5,6\n3,2,1,1\n")
    assert not at.error and "Mean squared error (L2)" in {m.label for m in at.metric}
    at = _upload(open_page(), "t.csv", b"true_a,true_b,p_a,p_b\n1,1,0.5,0.5\n0,1,0.2,0.8\n1,0,0.6,0.4\n")
    assert len(at.error) == 1 and not at.metric
    assert at.error[0].value.startswith("**No loss applies to this file.**")
    assert "row 1 of column" in at.error[0].value.replace("\\", "")


# -- issue 15: memory held after uploads, and the server's upload limit ------------------------------------
def test_uploads_of_different_files_do_not_pile_up_in_memory():
    """Each upload's per-row values were kept in a global cache of 8 (~30 MB per 5 MB file here, 2.8 GB for
    three 50 MB uploads on a server, held after the sessions closed): now one result per session. Measured
    with tracemalloc (numpy's and pandas' buffers included), so the allocator's own caching does not count."""
    import gc
    import io
    import tracemalloc

    import numpy as np

    def make(seed: int) -> bytes:
        rng = np.random.default_rng(seed)
        t = rng.normal(size=200_000)
        buf = io.BytesIO()
        np.savetxt(buf, np.column_stack([t, t + rng.normal(size=t.size)]), fmt="%.6f", delimiter=",",
                   header="y_true,y_pred", comments="")  # fmt: skip
        return buf.getvalue()

    files = [make(seed) for seed in range(6)]
    at = _upload(open_page(), "warm.csv", files[0])
    gc.collect()
    tracemalloc.start()
    try:
        base = tracemalloc.get_traced_memory()[0]
        for i, data in enumerate(files[1:]):
            at.file_uploader(key="score_upload").set_value((f"f{i}.csv", data, "text/csv")).run()
            assert not at.exception and at.metric
        gc.collect()
        grown = (tracemalloc.get_traced_memory()[0] - base) / 2**20
    finally:
        tracemalloc.stop()
    assert grown < 40, f"{grown:.0f} MB more held after 5 uploads"


def test_the_servers_upload_limit_is_the_pages():
    import ast
    import tomllib

    config = tomllib.loads((ROOT / ".streamlit" / "config.toml").read_text(encoding="utf-8"))
    tree = ast.parse((ROOT / PAGE).read_text(encoding="utf-8"))
    limit = next(n.value.value for n in tree.body
                 if isinstance(n, ast.Assign) and n.targets[0].id == "LIMIT_MB")  # fmt: skip
    assert config["server"]["maxUploadSize"] == limit


# -- issue 13: a loss of your own, scored beside the built-ins -----------------------------------------------
def _own(example: str = "regression_outliers.csv", **query: str) -> AppTest:
    from tests.app import helpers

    return helpers.open_page(PAGE, {"score_example": example, **query})


def _columns(example: str):
    import pandas as pd

    df = pd.read_csv(ROOT / "examples" / example)
    if example.startswith("rain"):
        return (df["rain_tomorrow"] == "rain").to_numpy(float), df["prob_rain"].to_numpy(float)
    return df["actual_price_k"].to_numpy(float), df["predicted_price_k"].to_numpy(float)


def test_a_formula_in_the_link_is_scored_beside_the_built_ins_with_the_cores_number():
    import losses

    at = _own(score_own_f="log(1 + r**2)")
    shown = {m.label: m.value for m in at.metric}
    cost = losses.custom("log(1 + r**2)").cost(*_columns("regression_outliers.csv"))
    assert shown["Your loss"] == f"{cost:.6g}" and "Huber loss" in shown
    assert at.text_input(key="score_own_f").value == "log(1 + r**2)" and not at.error
    assert any(r"\log" in x.value for x in at.latex)  # its LaTeX, from SymPy
    assert at.selectbox(key="score_focus").options[-1] == "Your loss"  # beside the built-ins, by its title
    at.selectbox(key="score_focus").set_value("custom").run()  # its rows in the table and the charts
    assert not at.exception
    assert "custom" in at.dataframe[0].value.columns


def test_typing_a_formula_scores_it_and_puts_it_in_the_link():
    at = _own()
    assert "Your loss" not in {m.label for m in at.metric}  # an empty box is no loss, and no message
    assert not at.error
    at.text_input(key="score_own_f").set_value("r**2").run()
    assert not at.exception
    shown = {m.label: m.value for m in at.metric}
    assert shown["Your loss"] == shown["Mean squared error (L2)"]  # MSE re-typed
    assert at.query_params["score_own_f"] in ("r**2", ["r**2"])
    at.text_input(key="score_own_f").set_value("abs(r)").run()
    shown = {m.label: m.value for m in at.metric}
    assert shown["Your loss"] == shown["Mean absolute error (L1)"]


def test_a_bad_formula_is_a_clear_message_with_its_column_and_the_built_ins_stay():
    at = _own()
    at.text_input(key="score_own_f").set_value("log(1 + r^2)").run()
    assert not at.exception
    assert len(at.error) == 1 and "column 10" in at.error[0].value and "Write powers with" in plain_text(at)
    assert at.code[0].value == "log(1 + r^2)\n         ^"
    shown = {m.label for m in at.metric}
    assert "Your loss" not in shown and "Mean squared error (L2)" in shown
    at.text_input(key="score_own_f").set_value("__import__('os').system('x')").run()
    assert not at.exception and "listed functions" in at.error[0].value


def plain_text(at: AppTest) -> str:
    return " ".join(e.value for e in at.error).replace("\\", "")


def test_the_formula_follows_the_files_task():
    at = _own("rain_tomorrow.csv", score_own_f="r**2")  # a regression formula on a binary file
    assert at.warning and "could not be used" in at.warning[0].value
    assert "Your loss" not in {m.label for m in at.metric}
    at.text_input(key="score_own_f").set_value("(y - p)**2").run()
    import losses

    cost = losses.custom("(y - p)**2", kind="binary").cost(*_columns("rain_tomorrow.csv"))
    assert {m.label: m.value for m in at.metric}["Your loss"] == f"{cost:.6g}"
    at.segmented_control(key="score_own_labels").set_value("pm1").run()
    at.text_input(key="score_own_f").set_value("max(0, 1 - y*s)").run()
    shown = {m.label: m.value for m in at.metric}
    assert shown["Your loss"] == shown["Hinge loss"]


def test_declared_parameters_get_sliders_scored_at_their_value():
    import losses
    from losses.custom import parse_params

    formula, declared = "c**2*log(1 + (r/c)**2)", "c = 1 in [0.1, 5]"
    at = _own(score_own_f=formula, score_own_params=declared, score_own_p_c="2.5")
    assert at.slider(key="score_own_p_c").value == 2.5
    spec = losses.custom(formula, params=parse_params(declared))
    cost = spec.cost(*_columns("regression_outliers.csv"), c=2.5)
    assert {m.label: m.value for m in at.metric}["Your loss"] == f"{cost:.6g}"
    at.slider(key="score_own_p_c").set_value(1.0).run()
    cost = spec.cost(*_columns("regression_outliers.csv"), c=1.0)
    assert {m.label: m.value for m in at.metric}["Your loss"] == f"{cost:.6g}"
    at.text_input(key="score_own_params").set_value("c = 0.5 in [0.1, 0.9]").run()  # 1.0 is out of it now
    assert not at.exception and at.slider(key="score_own_p_c").value == 0.5


def test_a_formula_undefined_on_a_row_names_the_row():
    at = _own(score_own_f="log(r)")
    assert not at.exception
    assert "Your loss" not in {m.label for m in at.metric}
    notes = " ".join(i.value for i in at.info).replace("\\", "")
    assert "The value of custom is not finite at row 3 (y = 229, ŷ = 223, r = -6)" in notes


def test_your_formula_survives_a_visit_elsewhere_and_reset_empties_it():
    at = _own()
    at.text_input(key="score_own_params").set_value("c = 1 in [0.1, 5]").run()
    at.text_input(key="score_own_f").set_value("c*abs(r)").run()
    at.slider(key="score_own_p_c").set_value(2.0).run()
    before = {m.label: m.value for m in at.metric}["Your loss"]
    at.switch_page("views/catalogue.py").run()
    at.switch_page(PAGE).run()
    assert not at.exception and not at.warning
    assert at.text_input(key="score_own_f").value == "c*abs(r)"
    assert at.slider(key="score_own_p_c").value == 2.0
    assert {m.label: m.value for m in at.metric}["Your loss"] == before
    at.button(key="score_reset").click().run()
    assert not at.exception and at.text_input(key="score_own_f").value == ""
    assert "Your loss" not in {m.label for m in at.metric} and "score_own_f" not in at.query_params
