"""What every page repeats, written once: page-scoped state, controls bound to the link and kept across
visits, the link's warnings, metrics with the change since the last interaction, charts, and the notes on
the losses a page shows.

**One namespacing rule.** A page has a prefix (``Page("reg")``); every control's key, and so its URL name,
is ``<prefix>_<name>`` (``reg_n``, ``bin_n``), so no page can read, break or reset another page's controls.
Streamlit drops a widget's state when its page is left; a page keeps its controls' values under its own
key and puts them back when the visitor returns, so a page looks as it was left.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping, Sequence
from typing import Any

import plotly.graph_objects as go
import streamlit as st

import losses
from charts.style import FONT_SIZE, format_metric
from scenes import stories
from scenes.text import quote
from scenes.url import check_choice, check_float, check_int

state = st.session_state
_CURRENT = "_kit_page"  # the prefix of the page that ran last
CURRENT_PAGE = _CURRENT  # (read by ui.present)
CHART_CONFIG = {"displayModeBar": False}
PRESENT_KEY = "present"  # presenter view (ui.present): the toggle's key and URL name
DRAFT_KEY = "lecture_draft"  # the story a lecturer is building: a list of scenes.stories.Step
LECTURE_RUNNING = "lecture_running"  # set while the Lecture page runs a step's page (ui.present)
PRESENTER_SCALE = 1.6  # chart fonts and markers in presenter view


class Page:
    """One page's state: its prefix, its controls (key -> default), the link's warnings, the visit."""

    def __init__(self, prefix: str) -> None:
        self.prefix = prefix
        seen = self.key("_seen")
        #: the first run of this page in this session: read the link
        self.first = seen not in state
        #: back from another page: widget states were dropped and come back from what was kept
        self.returned = not self.first and state.get(_CURRENT) != prefix
        state[_CURRENT], state[seen] = prefix, True
        self.defaults: dict[str, Any] = {}
        self._show: dict[str, Callable[[Any], str | list[str]]] = {}
        self._warnings: list[str] = []
        for key, value in state.get(self.key("_kept"), {}).items():
            if key not in state:
                state[key] = value

    def key(self, name: str) -> str:
        """The page-scoped key (and URL name) of ``name``."""
        return f"{self.prefix}_{name}"

    # -- the link ------------------------------------------------------------------------------------
    def url(self, name: str) -> str | None:
        """The link's value of this page's ``name`` (only on the first run: later the page owns it)."""
        return st.query_params.get(self.key(name)) if self.first else None

    def url_all(self, name: str) -> list[str]:
        return st.query_params.get_all(self.key(name)) if self.first else []

    def warn(self, messages: Iterable[str]) -> None:
        """Warnings about the link, shown (with a close button) by ``show_warnings``."""
        self._warnings += list(messages)

    def warnings_here(self) -> None:
        """Where the link's warnings appear (filled by ``done``, once every control has checked the link)."""
        self._slot = st.container()

    def _show_warnings(self) -> None:
        key = self.key("_warnings")
        if self.first:
            state[key] = self._warnings
        shown = state.get(key, [])
        if not shown:
            return
        with self._slot.container(key=self.key("link_warnings")):
            for message in shown:
                st.warning(message)
            st.button("Close these warnings", key=self.key("close_warnings"), on_click=state.pop,
                      args=(key, None), icon=":material/close:")  # fmt: skip

    def sync_url(self, values: Mapping[str, str | None]) -> None:
        """Write the scene's own URL parameters (prefixed); None removes one."""
        q = st.query_params
        for name, value in values.items():
            key = self.key(name)
            if value is None:
                q.pop(key, None)
            elif q.get(key) != value:
                q[key] = value

    # -- controls: bound to the link, kept across visits, reset to their defaults --------------------------
    def _control(self, name: str, default: Any, seed: Callable[[], Any] | None = None,
                 show: Callable[[Any], str | list[str]] = str) -> str:  # fmt: skip
        """Register a control. ``show`` writes its value as the link does. In a lecture step the link is
        not bound (a story sets it; ui.present), so the step's value is put in place here: ``seed()``
        reads it from the link (None if unusable)."""
        key = self.key(name)
        self.defaults[key] = default
        self._show[key] = show
        if seed is not None and state.get(LECTURE_RUNNING) and key not in state:
            value = seed()
            if value is not None:
                state[key] = value
        return key

    @property
    def _bind(self) -> str | None:
        return None if state.get(LECTURE_RUNNING) else "query-params"

    def _seed(self, name: str, parse: Callable[[str], Any]) -> Callable[[], Any]:
        def seed() -> Any:
            text = self.url(name)
            try:
                return None if text is None else parse(text)
            except ValueError:
                return None
        return seed

    def slider(self, name: str, label: str, low: float, high: float, default: float,
               step: float | None = None, **kw: Any) -> Any:  # fmt: skip
        """A slider bound to the link; an unusable value in the link is reported (and the default used)."""
        whole = isinstance(default, int) and not isinstance(default, bool)
        check = check_int if whole else check_float
        warnings = check(self.url(name), low, high, label.lower())
        key = self._control(name, default, None if warnings else self._seed(name, int if whole else float),
                            str if whole else _number)  # fmt: skip
        self.warn(warnings)
        return st.slider(label, low, high, default, step, key=key, bind=self._bind, **kw)

    def number(self, name: str, label: str, low: float, high: float, default: float, **kw: Any) -> float:
        warnings = check_float(self.url(name), low, high, label.lower())
        key = self._control(name, default, None if warnings else self._seed(name, float), _number)
        self.warn(warnings)
        return st.number_input(label, low, high, default, key=key, bind=self._bind, **kw)

    def toggle(self, name: str, label: str, default: bool = False, **kw: Any) -> bool:
        warnings = check_choice(self.url(name), ("true", "false"), label.lower())
        key = self._control(name, default, None if warnings else self._seed(name, lambda t: t == "true"),
                            lambda v: "true" if v else "false")  # fmt: skip
        self.warn(warnings)
        return st.toggle(label, default, key=key, bind=self._bind, **kw)

    def _one_of(self, name: str, label: str, options: Sequence[str], default: str,
                format_func: Callable[[str], str]) -> str:  # fmt: skip
        """Register a choice among ``options`` whose URL value is the option as shown; check the link's."""
        shown = {format_func(o): o for o in options}
        warnings = check_choice(self.url(name), list(shown), label.lower())
        key = self._control(name, default, None if warnings else self._seed(name, shown.__getitem__),
                            format_func)  # fmt: skip
        self.warn(warnings)
        return key

    def choice(self, name: str, label: str, options: Sequence[str], default: str,
               format_func: Callable[[str], str] = str, **kw: Any) -> str:  # fmt: skip
        """A segmented control whose URL value is the option's text as shown (readable in a link)."""
        key = self._one_of(name, label, options, default, format_func)
        chosen = st.segmented_control(label, options, default=default, key=key, bind=self._bind,
                                      format_func=format_func, **kw)  # fmt: skip
        return chosen or default

    def select(self, name: str, label: str, options: Sequence[str], default: str,
               format_func: Callable[[str], str] = str, **kw: Any) -> str:  # fmt: skip
        """A select box whose URL value is the option as shown (``format_func``)."""
        key = self._one_of(name, label, options, default, format_func)
        return st.selectbox(label, options, index=list(options).index(default), key=key, bind=self._bind,
                            format_func=format_func, **kw)  # fmt: skip

    def loss_select(self, name: str, label: str, options: Sequence[str],
                    default: Sequence[str]) -> list[str]:  # fmt: skip
        """A multiselect of losses, shown (and put in the link) by their short labels."""
        by_label = {losses.get(n).short: n for n in options}
        given = self.url_all(name)
        bad = [v for v in given if v not in by_label]
        if bad:
            names = ", ".join(map(quote, bad[:3]))
            self.warn([f"The link names unknown losses ({names}); they are ignored."])
        chosen_in_link = [by_label[v] for v in given if v in by_label]
        key = self._control(name, list(default), lambda: chosen_in_link or None,
                            lambda v: [losses.get(n).short for n in v])  # fmt: skip
        chosen = st.multiselect(label, list(options), default=list(default), key=key, bind=self._bind,
                                format_func=lambda n: losses.get(n).short)  # fmt: skip
        return [n for n in chosen if n in options]

    def param_controls(self, names: Sequence[str]) -> dict[str, dict[str, float]]:
        """One slider per parameter name the losses ``names`` take (shared: δ of Huber and pseudo-Huber),
        from the registry's ranges; a closed infinite end is a toggle. Returns each loss's parameters."""
        by_param: dict[str, list[str]] = {}
        for n in names:
            for p in losses.get(n).params:
                by_param.setdefault(p.name, []).append(n)
        value: dict[str, float] = {}
        for pname, users in by_param.items():
            p = losses.get(users[0]).param(pname)
            low, high, step = p.ui_range()
            who = ", ".join(losses.get(n).short for n in users)
            at_limit = False
            if p.limit_name and not p.low_open and p.low == float("-inf"):
                at_limit = self.toggle(f"{pname}_limit", f"{p.shown_as} = −∞ ({p.limit_name})")
            v = self.slider(pname, f"{p.shown_as} ({who})", low, high, p.default, step, help=p.meaning,
                            disabled=at_limit)  # fmt: skip
            value[pname] = float("-inf") if at_limit else float(v)
        return {n: {p.name: value[p.name] for p in losses.get(n).params} for n in names}

    def reset(self, then: Callable[[], None] | None = None) -> None:
        """Every control back to its default (set, not dropped: a dropped bound widget reads the link)."""
        for key, value in self.defaults.items():
            state[key] = list(value) if isinstance(value, list) else value
        state.pop(self.key("_kept"), None)
        state.pop(self.key("_warnings"), None)
        if then is not None:
            then()

    def reset_button(self, then: Callable[[], None] | None = None) -> None:
        st.button("Reset everything", key=self.key("reset"), on_click=self.reset, args=(then,),
                  icon=":material/restart_alt:", width="stretch")  # fmt: skip

    def done(self) -> None:
        """End of the page: show the link's warnings, keep the controls' values for a return visit, and
        offer to add the scene to a lecture story."""
        if hasattr(self, "_slot"):
            self._show_warnings()
        page_name = next((name for name, p in stories.PAGES.items() if p == self.prefix), None)
        if page_name is not None and not state.get(LECTURE_RUNNING):
            self._story_draft_controls(page_name)
        kept = state.get(self.key("_kept"), {})
        kept.update({key: state[key] for key in self.defaults if key in state})
        state[self.key("_kept")] = kept
        if presenting():  # the scene, its key chart and the totals on one screen
            from ui import present  # (ui.present imports this module)

            css = present.layout_css()
            if css:
                st.html(css)

    def link_state(self) -> dict[str, str | list[str]]:
        """The page as a link would give it: its scene's parameters and every control not at its default."""
        q = st.query_params
        scene = [k for k in q if k.startswith(self.prefix + "_") and k not in self.defaults]
        out: dict[str, str | list[str]] = {k: q.get_all(k) if len(q.get_all(k)) > 1 else q[k] for k in scene}
        for key, default in self.defaults.items():
            if key in state and state[key] != default:
                out[key] = self._show[key](state[key])
        return out

    def _story_draft_controls(self, page_name: str) -> None:
        """"Add this scene to a story": the scene as it is now, as a step of the story being built."""
        with st.sidebar.expander("Lecture: add this scene to a story"):
            caption_key = self.key("story_caption")
            st.text_area("Caption (about 40 words)", key=caption_key, max_chars=400)
            st.button("Add this scene to a story", key=self.key("story_add"), icon=":material/add:",
                      on_click=self._add_to_story, args=(page_name, caption_key))  # fmt: skip

    def _add_to_story(self, page_name: str, caption_key: str) -> None:
        step = stories.Step(page_name, self.link_state(), str(state.get(caption_key, "")).strip())
        state.setdefault(DRAFT_KEY, []).append(step)
        st.toast(f"Added as step {len(state[DRAFT_KEY])} of your story (see the Lecture page).")

    # -- numbers ---------------------------------------------------------------------------------------
    def changes(self, values: Mapping[str, float | str], name: str = "metrics") -> dict[str, float | None]:
        """The change of each value since the last interaction that changed any (kept until the next)."""
        vk, dk = self.key(f"_{name}_values"), self.key(f"_{name}_deltas")
        prev, deltas = state.get(vk, {}), state.get(dk, {})
        if prev and any(prev.get(n) != v for n, v in values.items()):
            deltas = {
                n: v - prev[n] if isinstance(v, float) and isinstance(prev.get(n), float) else None
                for n, v in values.items()
            }
        state[vk], state[dk] = dict(values), deltas
        return deltas

    def metrics(self, values: Mapping[str, float | str], titles: Mapping[str, str], *,
                helps: Mapping[str, str] | None = None, name: str = "metrics") -> None:  # fmt: skip
        """The values as metrics with their change, side by side, wrapping so no value is ever cut off."""
        deltas = self.changes(values, name)
        with st.container(horizontal=True, gap="medium", key=self.key(f"{name}_row")):
            for n, v in values.items():
                metric(titles[n], v, deltas.get(n), (helps or {}).get(n))


#: Text sizes a viewer can choose (the whole page scales: Streamlit sizes its text in rem).
TEXT_SIZES = {"Normal": 100, "Large": 125, "Larger": 150}


def text_size_control() -> None:
    """A "Text size" choice in the sidebar, on every page (the theme is in the app's menu, top right)."""
    with st.sidebar:
        size = st.segmented_control("Text size", list(TEXT_SIZES), default="Normal", key="app_text",
                                    bind="query-params") or "Normal"  # fmt: skip
    if TEXT_SIZES[size] != 100:
        st.html(f"<style>html {{ font-size: {TEXT_SIZES[size]}%; }}</style>")


def _number(v: float) -> str:
    return f"{v:g}"


def presenting() -> bool:
    return bool(state.get(PRESENT_KEY))


def _scale_sizes(node: Any, parent: str, k: float) -> None:
    """Multiply every font and marker size in a figure's JSON by ``k`` (presenter view)."""
    if isinstance(node, dict):
        for key, value in node.items():
            if key == "size" and parent in ("font", "tickfont", "textfont", "marker") and \
                    isinstance(value, (int, float)):  # fmt: skip
                node[key] = value * k
            else:
                _scale_sizes(value, key, k)
    elif isinstance(node, list):
        for value in node:
            _scale_sizes(value, parent, k)


def metric(title: str, value: float | str, delta: float | None = None, help: str | None = None) -> None:
    """One metric: the shared number format, its change (lower is better for a loss), sized to its text."""
    if isinstance(value, str):
        st.metric(title, value, help=help, width="content")
        return
    st.metric(title, format_metric(value), delta=None if not delta else format_metric(delta),
              delta_color="inverse", help=help, width="content")  # fmt: skip


def plotly(fig: go.Figure, key: str) -> None:
    """A Plotly chart with the app's shared configuration (no mode bar in front of a hall); in presenter
    view its fonts and markers are scaled to the larger text."""
    if presenting():
        from ui import present  # (ui.present imports this module)

        spec = fig.to_plotly_json()
        spec["layout"].setdefault("font", {}).setdefault("size", FONT_SIZE)
        _scale_sizes(spec, "", PRESENTER_SCALE)
        if present.key_chart(key):  # the chart beside the drag chart fills the height its block is given
            spec["layout"].pop("height", None)
            st.plotly_chart(spec, key=key, config=CHART_CONFIG, height="stretch")
            return
        st.plotly_chart(spec, key=key, config=CHART_CONFIG)
        return
    st.plotly_chart(fig, key=key, config=CHART_CONFIG)


def loss_notes(names: Iterable[str], *, expanded: bool = False,
               extra: Mapping[str, str] | None = None) -> None:  # fmt: skip
    """"The losses on this page": each one's formula and what it is good and bad at, from the registry."""
    st.subheader("The losses on this page")
    for name in names:
        spec = losses.get(name)
        with st.expander(spec.title, expanded=expanded):
            st.latex(spec.formula)
            st.markdown(f"{spec.summary}  \n**Good:** {spec.good}  \n**Bad:** {spec.bad}")
            if extra and name in extra:
                st.caption(extra[name])
