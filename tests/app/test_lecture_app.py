"""The Lecture page with AppTest: every built-in story's every step opens cleanly, stepping moves the
link, a lecturer's own story is built on a page, downloaded and uploaded again."""

from __future__ import annotations

import pytest
from streamlit.testing.v1 import AppTest

import losses
from charts.style import format_metric as fmt
from scenes import stories
from scenes.regression import Scene
from tests.app import helpers
from tests.app.helpers import APP, metrics

LECTURE = "views/lecture.py"
BUILTIN = stories.builtin()


def _open(query: dict | None = None) -> AppTest:
    return helpers.open_page(LECTURE, query)


def _keyed_ids(node) -> set[str]:
    """The '-<key>' ends of every element's and block's id on the page."""
    out = set()
    for child in getattr(node, "children", {}).values():
        proto_id = getattr(getattr(child, "proto", None), "id", "") or ""
        if "-" in proto_id:
            out.add("-" + proto_id.split("-", 2)[-1])
        out |= _keyed_ids(child)
    return out


def _clean(at: AppTest, where: str) -> None:
    assert not at.exception, (where, [e.value for e in at.exception])
    assert not at.warning, (where, [w.value for w in at.warning])
    assert not at.error, (where, [e.value for e in at.error])


def test_the_page_lists_every_story():
    at = _open()
    shown = "\n".join(m.value for m in at.markdown)
    for story in BUILTIN.values():
        assert str(len(story.steps)) + " steps" in shown
    assert len([b for b in at.button if b.key and b.key.startswith("lecture_open_")]) == len(BUILTIN)


@pytest.mark.parametrize("name", list(BUILTIN))
def test_every_step_of_every_story_renders_without_exception_or_warning(name):
    at = _open()
    at.button(key=f"lecture_open_{name}").click().run()
    story = BUILTIN[name]
    for number in range(1, len(story.steps) + 1):
        _clean(at, f"{name} step {number}")
        assert at.query_params["story"] == [name] or at.query_params["story"] == name
        assert str(at.query_params["step"]).strip("[]'") == str(number)
        assert any(f"step **{number} / {len(story.steps)}**" in m.value for m in at.markdown)
        emphasise = story.steps[number - 1].emphasise
        if emphasise:  # the chart (or block) the step points at is on its page (an editor's key: + version)
            ids = _keyed_ids(at._tree)
            assert any(i == "-" + emphasise or i.startswith(f"-{emphasise}_") for i in ids), emphasise
        if number < len(story.steps):
            at.button(key="lecture_next").click().run()
    at.button(key="lecture_prev").click().run()
    assert str(at.query_params["step"]).strip("[]'") == str(len(story.steps) - 1)


def test_a_link_to_a_step_shows_that_steps_numbers():
    at = _open({"story": "1_one_outlier", "step": "3"})
    _clean(at, "link")
    _, y = Scene(kind="classic").points()
    assert metrics(at)["MSE"] == fmt(losses.get("mse").cost(y, [1, 1, 1, 1, 1000, 1, 1, 1]))


def test_back_to_the_prepared_scene_after_dragging():
    at = _open({"story": "1_one_outlier", "step": "2"})
    before = metrics(at)["MSE"]
    at.session_state["reg_free"] = {"positions": [1.0] * 8}
    at.run()
    assert metrics(at)["MSE"] != before
    at.button(key="lecture_restore").click().run()
    assert metrics(at)["MSE"] == before


def test_a_bad_story_or_step_in_a_link_is_said():
    at = _open({"story": "nope"})
    assert any("no story called" in w.value for w in at.warning)
    at = _open({"story": "1_one_outlier", "step": "99"})
    assert any("must be 1 to 5" in w.value for w in at.warning)


def test_build_download_and_upload_your_own_story():
    at = AppTest.from_file(APP, default_timeout=30).run()
    at.switch_page("views/regression.py").run()
    at.slider(key="reg_n").set_value(5).run()
    at.text_area(key="reg_story_caption").input("Five points.").run()
    at.button(key="reg_story_add").click().run()
    at.switch_page("views/binary.py").run()
    at.button(key="bin_story_add").click().run()
    at.switch_page(LECTURE).run()
    assert not at.exception
    draft = at.session_state["lecture_draft"]
    assert [s.page for s in draft] == ["regression", "binary"] and draft[0].state["reg_n"] == "5"
    at.button(key="lecture_down_0").click().run()  # reorder
    assert [s.page for s in at.session_state["lecture_draft"]] == ["binary", "regression"]
    story = stories.Story("Mine", "A story built in Loss Explorer.", tuple(at.session_state["lecture_draft"]))
    text = stories.dumps(story)
    assert stories.parse(text) == (story, [])
    at.file_uploader(key="lecture_upload").set_value(("mine.toml", text.encode(), "application/toml")).run()
    assert not at.exception and any("2 step(s) ready" in s.value for s in at.success)
    at.button(key="lecture_present_upload").click().run()
    _clean(at, "uploaded step 1")
    at.button(key="lecture_next").click().run()
    _clean(at, "uploaded step 2")
    assert at.slider(key="reg_n").value == 5


def test_a_bad_story_file_is_explained_and_its_good_steps_open():
    text = ('title = "x"\n[[steps]]\npage = "regression"\ncaption = "ok"\n'
            '[[steps]]\npage = "nowhere"\ncaption = "bad"\n')  # fmt: skip
    at = _open()
    at.file_uploader(key="lecture_upload").set_value(("x.toml", text.encode(), "application/toml")).run()
    assert any("Step 2: page must be one of" in w.value.replace("\\", "") for w in at.warning)  # shown inert
    assert any("1 step(s) ready" in s.value for s in at.success)
    at.file_uploader(key="lecture_upload").set_value(("x.toml", b"\x00" * 100, "application/toml")).run()
    assert at.error and not at.exception


def test_captions_keep_bold_and_nothing_else():
    from ui.present import caption

    shown = caption("**L2** grows [fast](https://evil.example) <b>x</b> www.evil.example")
    assert shown.startswith("**L2** grows \\[fast\\]\\(https\\:\u2060")
    assert "<b>" not in shown and "\\<b\\>" in shown and "www\u2060" in shown


def test_presenter_view_lays_a_step_out_under_its_bar_and_caption():
    from ui import present

    at = _open({"story": "1_one_outlier", "step": "3", "present": "1"})
    _clean(at, "presenter step")
    step = BUILTIN["1_one_outlier"].steps[2]
    assert at.session_state["present_step"] == ("reg", "reg_shares", present.above(step.caption))
    css = "\n".join(h.proto.body for h in at.get("html"))
    assert "grid-template-areas" in css and ".st-key-reg_shares" in css
    assert present.above("") < present.above("word " * 20) < present.above("word " * 40)
    assert present.selector("mc_batch", "mc") == '[class*="st-key-mc_batch_"]'
    assert present.selector("reg_curves", "reg") == ".st-key-reg_curves"


def test_a_story_cannot_write_css_through_its_emphasis():
    text = 'title = "x"\n[[steps]]\npage = "regression"\ncaption = "c"\nemphasise = "x{} body{display:none"\n'
    story, problems = stories.parse(text)
    assert story is None and any("emphasise" in p for p in problems)
