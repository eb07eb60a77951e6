"""Presenter view and lecture stories: the Streamlit side of ``scenes.stories``.

- ``controls()`` (from app.py, on every page): the "Presenter view" toggle (``?present=1`` in a link) and
  the text size; presenter view collapses the sidebar, sets body text to 24 px and metric values to 54 px
  at any viewport, and ``ui.kit.plotly`` scales chart fonts and markers to match.
- ``open_step(...)``: puts a story step's scene in place, exactly as a link to its page would, by clearing
  that page's state and rerunning with the step's link parameters.
("Add this scene to a story" is on every explorer page: ``ui.kit.Page.done``.)
"""

from __future__ import annotations

import re
from pathlib import Path

import streamlit as st

from scenes import stories
from scenes.text import plain
from ui import kit

state = st.session_state
PRESENT_KEY = kit.PRESENT_KEY  # the toggle's key, so also its URL name: ?present=1
DRAFT_KEY = kit.DRAFT_KEY
VIEWS = Path(__file__).resolve().parents[1] / "views"
#: Presenter view: rem-sized text follows the root size (body 1rem = 24 px, metric values 2.25rem = 54 px).
PRESENTER_CSS = """<style>
html { font-size: 24px !important; }
[data-testid="stCaptionContainer"], [data-testid="stCaptionContainer"] p { font-size: 1rem !important; }
[data-testid="stMainBlockContainer"] { padding-top: 3.5rem; padding-left: 2rem; padding-right: 2rem;
  max-width: 100%; }
.stButton button p, .stDownloadButton button p { font-size: 1rem; }
/* a story step: its page's own title and introduction give way to the step's caption */
.st-key-lecture_page [data-testid="stElementContainer"]:has(h1),
.st-key-lecture_page [data-testid="stElementContainer"]:has(h1) + [data-testid="stElementContainer"] {
  display: none; }
</style>"""


def presenting() -> bool:
    return kit.presenting()


def page_config(icon: str) -> None:
    """The app's page config; a link with ?present=1 opens with the sidebar collapsed."""
    asked = st.query_params.get("present") in ("1", "true") or bool(state.get(PRESENT_KEY))
    st.set_page_config(page_title="Loss Explorer", page_icon=icon, layout="wide",
                       initial_sidebar_state="collapsed" if asked else "auto")  # fmt: skip


def controls() -> None:
    """Presenter view and text size, in the sidebar of every page."""
    if PRESENT_KEY not in state and st.query_params.get("present") in ("1", "true"):
        state[PRESENT_KEY] = True  # "?present=1" as the links spell it
    with st.sidebar:
        st.toggle("Presenter view", key=PRESENT_KEY, bind="query-params",
                  help="Large text and charts for a hall; the sidebar can stay closed.")  # fmt: skip
    if presenting():
        st.html(PRESENTER_CSS)
    else:
        kit.text_size_control()


# ---- stories ------------------------------------------------------------------------------------------
def caption(text: str) -> str:
    """A caption as inert Markdown: every mark escaped except **bold**; no link, image or HTML survives."""
    return re.sub(r"\\\*\\\*(.+?)\\\*\\\*", r"**\1**", plain(text))


def forget(prefix: str) -> None:
    """Drop every state of the page with this prefix, as if it had never been opened in this session."""
    mine = (prefix + "_", f"_drag_points_meta__{prefix}_")  # its keys, and its drag widgets' bookkeeping
    for key in [k for k in state if isinstance(k, str) and k.startswith(mine)]:
        del state[key]


def open_step(story_name: str, number: int, step: stories.Step) -> None:
    """Show ``step`` as its page would from a link: clear that page's state, rerun with its parameters."""
    state["lecture_at"] = (story_name, number)
    forget(stories.PAGES[step.page])
    params: dict[str, str | list[str]] = {"story": story_name, "step": str(number), **step.state}
    st.switch_page("views/lecture.py", query_params=params)
