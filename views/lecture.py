"""Lecture: pick a story, step through it with the arrow keys or a clicker; build, download, upload your own.

A step shows the same explorer a visitor sees on its page, opened as a link to that page would open it
(``ui.present.open_step``); the lecturer can drag in it and go "Back to the prepared scene". The link is
``/lecture?story=NAME&step=K`` plus the step's own parameters, so a reload lands on the same step.
"""

from __future__ import annotations

import runpy

import streamlit as st

from scenes import stories
from scenes.text import plain, quote
from ui import kit, present

state = st.session_state
BUILTIN = stories.builtin()
OWN_KEY = "lecture_own"  # stories uploaded or built in this session, by name
DRAFT_NAME = "your-story"


def _all_stories() -> dict[str, stories.Story]:
    return {**BUILTIN, **state.get(OWN_KEY, {})}


def _goto(name: str, number: int) -> None:
    state["lecture_goto"] = (name, number)


# ---- a step of a story ---------------------------------------------------------------------------------
def _present(name: str, story: stories.Story, number: int) -> None:
    step = story.steps[number - 1]
    if state.get("lecture_at") != (name, number):  # a new step (or a link to one): put its scene in place
        present.open_step(name, number, step)
    n = len(story.steps)
    with st.container(key="lecture_bar", horizontal=True, vertical_alignment="center"):
        st.button("Previous", key="lecture_prev", on_click=_goto, args=(name, number - 1),
                  disabled=number == 1, icon=":material/arrow_back:", shortcut="Left")  # fmt: skip
        where = " · first step" if number == 1 else " · last step" if number == n else ""
        # the counter first: in presenter view a long title is the part cut short (…)
        st.markdown(f"step **{number} / {n}**{where} · **{plain(story.title)}**", width="content")
        st.button("Next", key="lecture_next", on_click=_goto, args=(name, number + 1), disabled=number == n,
                  icon=":material/arrow_forward:", shortcut="Right", type="primary")  # fmt: skip
        st.button("Back to the prepared scene", key="lecture_restore", on_click=_goto, args=(name, -number),
                  icon=":material/restart_alt:")  # fmt: skip
        st.page_link("views/lecture.py", label="All stories", icon=":material/list:")
    # the other keys a presentation clicker sends: PageDown/Space forward, PageUp back
    with st.container(key="lecture_clicker"):
        st.button("Next (PageDown)", key="lecture_next_pd", on_click=_goto, args=(name, min(n, number + 1)),
                  shortcut="PageDown")  # fmt: skip
        st.button("Next (Space)", key="lecture_next_sp", on_click=_goto, args=(name, min(n, number + 1)),
                  shortcut="Space")  # fmt: skip
        st.button("Previous (PageUp)", key="lecture_prev_pu", on_click=_goto, args=(name, max(1, number - 1)),
                  shortcut="PageUp")  # fmt: skip
    st.html("<style>.st-key-lecture_clicker { display: none; }</style>")
    for note in state.pop("lecture_notes", []):
        st.warning(note)
    if step.caption:
        st.container(key="lecture_caption").markdown(present.caption(step.caption), width="stretch")
    # presenter view lays the page out under the bar and caption, with the step's chart beside the scene
    prefix = stories.PAGES[step.page]
    state[present.STEP_KEY] = (prefix, step.emphasise, present.above(step.caption))
    if step.emphasise:  # the chart to look at: outlined
        st.html(f"<style>{present.selector(step.emphasise, prefix)} {{ outline: 4px solid #e6550d; "
                "outline-offset: 6px; border-radius: 4px; }</style>")  # fmt: skip
    state[kit.LECTURE_RUNNING] = True  # the page's controls take the step's values, unbound from the link
    try:
        with st.container(key="lecture_page"):
            runpy.run_path(str(present.VIEWS / f"{step.page}.py"), run_name="__main__")  # our own file
    finally:
        state.pop(kit.LECTURE_RUNNING, None)


# ---- the list of stories, the builder and the upload ---------------------------------------------------
def _list() -> None:
    st.title("Lecture")
    st.caption("Pick a story and step through it with → and ← (or a clicker's keys: Page Down, Page Up, "
               "Space). Turn on Presenter view in the sidebar for a hall. Drag freely in any step; "
               "“Back to the prepared scene” restores it.")  # fmt: skip
    for name, story in _all_stories().items():
        with st.container(border=True, key=f"lecture_story_{name}"):
            st.markdown(f"**{plain(story.title)}** · {len(story.steps)} steps  \n{plain(story.summary)}")
            st.button("Open", key=f"lecture_open_{name}", on_click=_goto, args=(name, 1),
                      icon=":material/play_arrow:")  # fmt: skip
    _builder()
    _upload()


def _builder() -> None:
    st.subheader("Your own story")
    draft: list[stories.Step] = state.get(kit.DRAFT_KEY, [])
    if not draft:
        st.caption("On any explorer page, open “Lecture: add this scene to a story” in the sidebar and add "
                   "the scene as it is. Its steps appear here to reorder, caption and download.")  # fmt: skip
        return
    title = st.text_input("Title", value="My story", key="lecture_draft_title", max_chars=120)
    for i, step in enumerate(draft):
        with st.container(border=True, key=f"lecture_draft_step_{i}"):
            st.markdown(f"**Step {i + 1}** · {step.page} · {len(step.state)} link parameter(s)")
            text = st.text_input("Caption", value=step.caption, key=f"lecture_draft_caption_{i}_{id(step)}")
            if text != step.caption:
                draft[i] = stories.Step(step.page, step.state, text, step.emphasise)
            with st.container(horizontal=True):
                st.button("Up", key=f"lecture_up_{i}", on_click=_move, args=(i, -1), disabled=i == 0)
                st.button("Down", key=f"lecture_down_{i}", on_click=_move, args=(i, 1),
                          disabled=i == len(draft) - 1)  # fmt: skip
                st.button("Remove", key=f"lecture_remove_{i}", on_click=_move, args=(i, 0))
    story = stories.Story(title.strip() or "My story", "A story built in Loss Explorer.", tuple(draft))
    with st.container(horizontal=True):
        st.download_button("Download the story (.toml)", stories.dumps(story), file_name="story.toml",
                           mime="application/toml", key="lecture_download",
                           icon=":material/download:")  # fmt: skip
        st.button("Present it", key="lecture_present_draft", on_click=_adopt, args=(DRAFT_NAME, story),
                  icon=":material/play_arrow:")  # fmt: skip


def _move(i: int, by: int) -> None:
    draft = state[kit.DRAFT_KEY]
    step = draft.pop(i)
    if by:
        draft.insert(i + by, step)


def _adopt(name: str, story: stories.Story) -> None:
    state.setdefault(OWN_KEY, {})[name] = story
    _goto(name, 1)


def _upload() -> None:
    st.subheader("Present a story file")
    up = st.file_uploader("A story file (.toml), downloaded from here or written by hand", type=["toml"],
                          key="lecture_upload", max_upload_size=1)  # fmt: skip
    if up is None:
        return
    story, problems = stories.parse(up.getvalue())
    for problem in problems:
        st.warning(plain(problem))
    if story is None:
        st.error("Nothing in this file can be presented.", icon=":material/error:")
        return
    st.success(f"{plain(story.title)}: {len(story.steps)} step(s) ready.")
    st.button("Present it", key="lecture_present_upload", on_click=_adopt, args=("uploaded", story),
              icon=":material/play_arrow:")  # fmt: skip


# ---- the page ------------------------------------------------------------------------------------------
goto = state.pop("lecture_goto", None)
if goto is not None:  # a button asked for a step: open it (negative: the same step, prepared again)
    name, number = goto
    story = _all_stories().get(name)
    if story is not None:
        state.pop("lecture_at", None)
        present.open_step(name, abs(number), story.steps[abs(number) - 1])

q = st.query_params
name = q.get("story")
if name is None:
    state.pop("lecture_at", None)
    _list()
elif name not in _all_stories():
    st.warning(f"There is no story called {quote(name)} here (uploaded stories last only for the session).")
    state.pop("lecture_at", None)
    _list()
else:
    story = _all_stories()[name]
    try:
        number = int(q.get("step", "1"))
    except ValueError:
        number = 0
    if not 1 <= number <= len(story.steps):
        state["lecture_notes"] = [f"The link's step ({quote(q.get('step'))}) must be 1 to "
                                  f"{len(story.steps)}; showing step 1."]  # fmt: skip
        number = 1
    _present(name, story, number)
