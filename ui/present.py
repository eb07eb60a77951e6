"""Presenter view and lecture stories: the Streamlit side of ``scenes.stories``.

- ``controls()`` (from app.py, on every page): the "Presenter view" toggle (``?present=1`` in a link) and
  the text size; presenter view collapses the sidebar, sets body text to 24 px and metric values to 48 px
  at any viewport, and ``ui.kit.plotly`` scales chart fonts and markers to match.
- ``open_step(...)``: puts a story step's scene in place, exactly as a link to its page would, by clearing
  that page's state and rerunning with the step's link parameters.
("Add this scene to a story" is on every explorer page: ``ui.kit.Page.done``.)
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path

import streamlit as st

from scenes import stories
from scenes.text import plain
from ui import kit

state = st.session_state
PRESENT_KEY = kit.PRESENT_KEY  # the toggle's key, so also its URL name: ?present=1
DRAFT_KEY = kit.DRAFT_KEY
VIEWS = Path(__file__).resolve().parents[1] / "views"
#: Presenter view: rem-sized text follows the root size (body 1rem = 24 px, metric values 2rem = 48 px);
#: the header is shortened and the gaps tightened so a scene fills a 1280x720 screen (see ``layout_css``).
PRESENTER_CSS = """<style>
html { font-size: 24px !important; }
[data-testid="stCaptionContainer"], [data-testid="stCaptionContainer"] p { font-size: 1rem !important; }
[data-testid="stHeader"], [data-testid="stToolbar"] { height: 60px !important; min-height: 0 !important; }
[data-testid="stMainBlockContainer"] { padding: 64px 2rem 12px; max-width: 100%; }
[data-testid="stMainBlockContainer"] > [data-testid="stVerticalBlock"], .st-key-lecture_page,
[data-testid="stMainBlockContainer"] [data-testid="stColumn"] > [data-testid="stVerticalBlock"] {
  gap: 0.75rem; }
[class*="_metrics_row"] { gap: 0.5rem 1.25rem !important; }
/* a metric: its value 2rem = 48 px; its change beside its label, so a change does not make it taller */
[data-testid="stMetric"] > div:has([data-testid="stMetricDelta"]) { display: grid;
  grid-template-columns: auto auto; justify-content: start; column-gap: 0.5rem; align-items: center; }
[data-testid="stMetricValue"] { font-size: 2rem; line-height: 1.15; grid-column: 1 / -1; grid-row: 2; }
[data-testid="stMetricValue"] > div { overflow: visible; }
[data-testid="stMetricDelta"] { grid-column: 2; grid-row: 1; }
.stButton button p, .stDownloadButton button p { font-size: 1rem; }
[data-testid="stMetricLabel"] { min-height: 0; height: auto; }
/* a story step's bar: one line of smaller text (the lecturer's, not the hall's); long titles end in … */
.st-key-lecture_bar p { font-size: 0.8rem !important; }
.st-key-lecture_bar button { min-height: 0; padding: 0.15rem 0.6rem; }
@media (min-width: 1100px) {  /* zoomed in, the bar wraps instead */
  .st-key-lecture_bar { flex-wrap: nowrap; }
  .st-key-lecture_bar [data-testid="stElementContainer"]:has([data-testid="stMarkdown"]) {
    min-width: 0; flex-shrink: 1; }
  .st-key-lecture_bar [data-testid="stMarkdown"] p {
    white-space: nowrap; overflow: hidden; text-overflow: ellipsis; } }
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
    state.pop(STEP_KEY, None)  # a story's step is laid out only while the Lecture page runs it (and reruns)
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


# ---- presenter view: the scene, its key chart and the totals on one screen ---------------------------
#: The screen presenter view is laid out for, and what takes its height (px, with 24 px text).
SCREEN = 720
TOP, BOTTOM, GAP = 64, 12, 18  # the (shortened) header and its gap; the margin at the bottom; between blocks
LINE, LINE_CHARS = 39, 88  # a line of body text; the characters of a caption's line across the page
BAR = 48  # a story step's bar of buttons
STEP_KEY = "present_step"  # (page prefix, key chart, px above the scene): the Lecture page's step
_T = '[data-testid="{}"]'.format
WRAP, ROW, COL, BLOCK, EL = (_T(t) for t in ("stLayoutWrapper", "stHorizontalBlock", "stColumn",
                                             "stVerticalBlock", "stElementContainer"))  # fmt: skip


@dataclass(frozen=True)
class Scene:
    """What presenter view puts on one screen of an explorer page: its drag chart, a key chart, the totals.

    The explorer's block (the page's fragment) becomes a grid; its rows and columns are dissolved into it
    (``display: contents``) so that the three are placed side by side; everything else follows below, and
    its captions and buttons are hidden."""

    drag: tuple[str, ...]  # the drag chart's keys (the page shows one of them)
    key: str  # the key chart when a story's step names none
    totals: str  # the block of the totals, among the explorer's blocks (a CSS selector)
    columns: str  # grid-template-columns
    areas: str  # grid-template-areas, of "drag", "key" and "totals"
    below: int = 0  # px under the charts (a strip of totals)
    drag_heading: bool = False  # the drag chart has a line of heading above it, in its column
    #: key charts shown as a section of their own instead (the scene is elsewhere): their px above the
    #: chart's row, and the CSS selector of what a story's step names (an editor's key ends in its version)
    sections: dict[str, tuple[int, str]] = field(default_factory=dict)
    section_css: str = ""  # more CSS for a section


SCENES = {
    "reg": Scene(("reg_free", "reg_line", "reg_targets"), "reg_curves", f"{COL}:has(.st-key-reg_metrics_row)",
                 "minmax(0, 1fr) minmax(0, 1fr) 11rem", '"drag key totals"'),  # fmt: skip
    "bin": Scene(("bin_s", "bin_p"), "bin_margin", f"{COL}:has(.st-key-bin_metrics_row)",
                 "minmax(0, 0.8fr) minmax(0, 1.2fr) 15.5rem", '"drag key totals"',
                 sections={"bin_vanishing": (110, ".st-key-bin_vanishing")}),  # fmt: skip
    "mc": Scene(("mc_z",), "mc_probs", f"{WRAP}:nth-child(1 of :has([data-testid='stMetric']))",
                "minmax(0, 1fr) minmax(0, 1fr)", '"drag key" "totals totals"', below=132,
                drag_heading=True, sections={"mc_batch": (0, '[class*="st-key-mc_batch_"]')},
                # the batch's two tables side by side, every column in view (95%: 23 px text)
                section_css=f'{ROW}:has([class*="st-key-mc_batch_"]) {{ zoom: 0.95; }} {ROW}:has('
                f'[class*="st-key-mc_batch_"]) > {COL}:first-child {{ flex: 0 0 57%; }}'),  # fmt: skip
}


def _scene() -> tuple[str, Scene, str, int] | None:
    """The page shown (its prefix), its Scene, the key chart and the px above the scene; None if not one."""
    prefix = state.get(kit.CURRENT_PAGE)
    step = state.get(STEP_KEY)
    if step is not None and step[0] == prefix:
        key, above = step[1], step[2]
    else:
        key, above = "", 0
    scene = SCENES.get(prefix)
    if scene is None:
        return None
    return prefix, scene, key or scene.key, above


def _room() -> int:
    found = _scene()
    above, below = (found[3], found[1].below + GAP) if found else (0, 0)
    return max(240, SCREEN - TOP - BOTTOM - above - below)


def height(normal: int) -> int:
    """A drag chart's height: ``normal``, or in presenter view on an explorer what fills a 1280x720 screen
    beside its key chart and the totals (``height=present.height(420)``)."""
    found = _scene() if presenting() else None
    if found is None:
        return normal
    return _room() - (LINE + GAP if found[1].drag_heading else 0)


def key_chart(key: str) -> bool:
    """Whether ``key`` is the chart presenter view shows beside the drag chart (sized by ``layout_css``)."""
    found = _scene() if presenting() else None
    return found is not None and found[2] == key


def above(caption: str) -> int:
    """The px a story step's bar and caption take above its page's scene."""
    lines = -(-len(caption) // LINE_CHARS) if caption else 0
    return BAR + GAP + lines * LINE + (GAP if lines else 0)


def selector(key: str, prefix: str) -> str:
    """The CSS selector of what a story's step emphasises on the page with ``prefix``: an element's key, or
    a section's own selector."""
    scene = SCENES.get(prefix)
    section = scene.sections.get(key) if scene else None
    return section[1] if section else f".st-key-{key}"


def layout_css() -> str:
    """Presenter view's CSS for the explorer page shown: its drag chart, key chart and totals side by side
    on one screen at a wide viewport (zoomed in, the page flows as usual and scrolls); a key chart that is
    a section of its own (``Scene.sections``) is shown alone instead."""
    found = _scene() if presenting() else None
    if found is None:
        return ""
    prefix, scene, key, _ = found
    main, k = '[data-testid="stMainBlockContainer"]', selector(key, prefix)
    drag = ", ".join(f".st-key-{d}" for d in scene.drag)
    frag = f"{BLOCK}:has(> {WRAP} > {ROW} > {COL} :is({drag}))"  # the explorer's block (the page's fragment)
    drag_col = f"{frag} > {WRAP} > {ROW} > {COL}:has(:is({drag}))"
    cell_list = [f"{frag} > *", f"{frag} > {WRAP} > {ROW} > {COL}", f"{drag_col} > {BLOCK} > *"]  # grid items
    chart_col = f"{main} {COL}:has(> {BLOCK} > {k} [data-testid='stPlotlyChart'])"  # the key chart's column
    common = f"""{main} {EL}:has(h1), {main} {EL}:has(h1) + {EL} {{ display: none; }}
{main} {EL}:has([data-testid="stCaptionContainer"]), {frag} {EL}:has([data-testid="stButton"])
  {{ display: none; }}
{chart_col} > {BLOCK} > {k} {{ flex: 1 1 0; min-height: 0; }}
{main} {BLOCK} > {k}:has([data-testid='stPlotlyChart']) {{ height: {_room()}px; }}"""
    if key in scene.sections:  # the section alone: its row, and the controls just above it
        return f"""<style>
{common}
{chart_col} > {BLOCK} {{ height: {_room() - scene.sections[key][0]}px; }}
{main} {WRAP}:has(> {BLOCK} > {WRAP} > {ROW} > {COL} :is({drag})):not(:has({k})) {{ display: none; }}
{frag} > *:not(:has({k})) {{ display: none; }}
{main} {EL}:has([data-testid="stHeading"]) {{ display: none; }}
{main} {COL}:has({k}) ~ {COL} {EL}:has([data-testid="stMarkdown"]) {{ display: none; }}
{scene.section_css}
</style>"""  # fmt: skip
    drag_cell = drag_col if scene.drag_heading else f"{drag_col} > {BLOCK} > :is({drag}, :has({drag}))"
    open_drag = "" if scene.drag_heading else f", {drag_col}, {drag_col} > {BLOCK}"
    key_cell = ", ".join(f"{c}:is({k}, :has({k}))" for c in cell_list)
    heading = f"{scene.totals} > {BLOCK} > {EL}:has([data-testid='stMarkdown'])"  # "Totals (cost = ...)"
    # the scene's rows fill the screen, so what follows starts below it, not half in view at its foot
    rows = f"minmax({_room()}px, auto)" + (f" minmax({scene.below}px, auto)" if scene.below else "")
    return f"""<style>
{common}
{chart_col} > {BLOCK} {{ height: {_room()}px; }}
@media (min-width: 1100px) {{
  {frag} {{ display: grid; grid-template-columns: {scene.columns}; grid-template-areas: {scene.areas};
    grid-template-rows: {rows}; column-gap: 1.5rem; row-gap: {GAP}px; align-items: start; }}
  {frag} > {WRAP}:not({scene.totals}), {frag} > {WRAP}:not({scene.totals}) > {ROW}{open_drag}
    {{ display: contents; }}
  {", ".join(cell_list)} {{ grid-column: 1 / -1; width: auto; }}
  {drag_cell} {{ grid-area: drag !important; }}
  {key_cell} {{ grid-area: key !important; }}
  {frag} {scene.totals} {{ grid-area: totals !important; }}
  {frag} {heading} p {{ font-size: 0 !important; }}
  {frag} {heading} p strong {{ font-size: 1rem; }}
}}
</style>"""  # fmt: skip
