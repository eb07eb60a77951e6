"""``drag_points``: an SVG chart with draggable, accessible handles.

A Streamlit Custom Components v2 widget (``st.components.v2.component``):
inline HTML/CSS/JS shipped in this folder, no build step, no CDN.

Usage::

    from components.drag_points import drag_points, reset_drag_points

    preds = drag_points(
        key="reg_preds",
        handles=[{"x": x, "y": p, "label": f"prediction {i + 1}"} for i, (x, p) in enumerate(zip(xs, p0))],
        targets=[{"x": x, "y": y} for x, y in zip(xs, ys)],
        x_range=(0, 10), y_range=(-5, 15), step=0.1,
    )
    st.button("Reset", on_click=reset_drag_points, args=("reg_preds",))

State
-----
``handles[i]["y"]`` are the *Python-side* positions; the return value is the
*current* positions (list of floats, one per handle, clamped to ``y_range``):

* Until the user moves a handle, the return value is the handles' ``y``.
* After a drag (sent on pointer-up) or a key press (sent at once) the script
  reruns and the return value is the user's positions -- as long as the
  handles Python passes stay the same.
* Python-side changes win: if the handles' ``y`` values (or their number)
  differ from the previous run, the return value is the new handles and the
  browser moves its handles there.  To move them back to handles that did not
  change (a "Reset" to fixed defaults) call :func:`reset_drag_points` -- in a
  button callback or in the script before the widget.
* Pages may either pass fixed defaults (the widget keeps the user's
  positions), or feed the returned values back as the next run's handles; an
  echo of the user's own positions is recognised and does not reset anything.

How: the wrapper sends ``values`` plus a revision token ``rev`` in ``data``.
The browser keeps its local positions while ``rev`` stays the same and drops
them for ``data.values`` when ``rev`` changes.  It stores ``{"y": [...],
"rev": rev}`` as the component state ``positions``, so
``st.session_state[key]["positions"]["y"]`` holds the user's floats.  Positions
made against an older token are ignored.  Bookkeeping (the handles passed
last run and the current token) lives in ``st.session_state[_meta_key(key)]``.

Tests and scenes can inject positions: ``st.session_state[key] = {"positions":
[1.0, 2.0]}`` (a bare list, or ``{"y": [...]}`` without ``rev``) before the
widget runs; it is adopted like a user edit.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Mapping, Sequence
from pathlib import Path
from typing import Any

import streamlit as st

from components.drag_points._spec import (
    CONNECT_MODES,
    DASHES,
    DRAW_MODES,
    STYLES,
    DragPointsError,
    DragPointsSpec,
    display_decimals,
    normalize,
    resolve,
)

__all__ = [
    "CONNECT_MODES",
    "DASHES",
    "DRAW_MODES",
    "STYLES",
    "COMPONENT_NAME",
    "DragPointsError",
    "DragPointsSpec",
    "display_decimals",
    "drag_points",
    "get_drag_values",
    "peek_drag_values",
    "normalize",
    "reset_drag_points",
]

_HERE = Path(__file__).parent
COMPONENT_NAME = "lossx_drag_points"
# The component's one state key (JS: setStateValue("positions", ...)). Not "value": Streamlit 1.67
# treats a state of exactly {"value": {...}} as a legacy wrapper when diffing for callbacks, so
# on_value_change would never fire for a dict-valued "value".
STATE_NAME = "positions"
_HTML = '<div class="dp-root" data-testid="dragPointsRoot"></div>'

# Registered ONCE, at import time. Registering inside drag_points() would
# re-register on every rerun.  The JS/CSS contain newlines, so Streamlit treats
# them as inline content, not as asset paths.
#
# Two elements per chart: the library (the widget's code and stylesheet, and the chart's live-preview
# tables), identical from run to run, so Streamlit's message cache sends it once and the browser does not
# re-run it; and the chart itself, whose element carries only its data and a 0.6 KB loader.
_CSS = (_HERE / "drag_points.css").read_text(encoding="utf-8")
_library = st.components.v2.component(
    f"{COMPONENT_NAME}_library",
    html="<div hidden></div>",
    js=f"const CSS = {json.dumps(_CSS)};\n" + (_HERE / "drag_points.js").read_text(encoding="utf-8"),
)
_mount = st.components.v2.component(
    COMPONENT_NAME,
    html=_HTML,
    js=(_HERE / "drag_points_stub.js").read_text(encoding="utf-8"),
)


def _meta_key(key: str) -> str:
    return f"_drag_points_meta__{key}"


def _raw_state(key: str) -> Any:
    """The component's stored ``positions`` (or a value injected into session_state)."""
    try:
        stored = st.session_state[key]
    except KeyError:
        return None
    if isinstance(stored, dict):
        return stored.get(STATE_NAME)
    return stored


def _noop() -> None:
    """A state key only reaches Python when it has an on_<name>_change callback."""


def drag_points(
    *,
    key: str,
    handles: Sequence[dict[str, Any]],
    targets: Sequence[dict[str, Any]] = (),
    connect: str = "residuals",
    mode: str = "points",
    x_range: Sequence[float],
    y_range: Sequence[float],
    step: float = 0.1,
    height: int = 380,
    x_label: str = "",
    y_label: str = "",
    x_ticks: Sequence[dict[str, Any]] | None = None,
    lines: Sequence[dict[str, Any]] = (),
    handle_style: str = "filled",
    target_style: str = "hollow",
    y_limit: Sequence[float] | None = None,
    on_change: Callable[[], None] | None = None,
    live: Mapping[str, Any] | None = None,
) -> list[float]:
    """Draw the chart and return the current handle positions (``y`` floats).

    Parameters
    ----------
    key : str
        Required, stable widget key; ``st.session_state[key]["positions"]["y"]``
        holds the user's positions.
    handles : list of dict
        ``{"x", "y", "label"?, "color"?}``: the draggable points. ``label`` is
        the slider's aria-label (default ``"handle i"``); ``color`` a CSS
        colour, or None for the theme's primary colour. ``y`` is clamped to
        ``y_range``.
    targets : list of dict
        ``{"x", "y", "label"?}``: the true values, drawn as hollow circles.
    connect : {"residuals", "line", "none"}
        ``"residuals"``: a segment from ``targets[i]`` to ``handles[i]`` (same
        lengths). ``"line"``: exactly 2 handles define a line across the x
        range, with a residual from every target to it. ``"none"``.
    mode : {"points", "bars"}
        ``"bars"``: each handle is the top of a bar from y=0 (logits per class).
    x_range, y_range : (low, high)
        Axis limits.
    step : float
        Arrow-key step (Shift: 10x; PageUp/PageDown: 10x; Home/End: range ends).
    height : int
        Chart height in pixels (160-2000).
    x_label, y_label : str
        Axis titles.
    x_ticks : list of {"value", "label"} or None
        Categorical x ticks (class names); None for numeric ticks. Labels that
        would run together are rotated, then thinned (every label stays in its
        tick's tooltip).
    lines : list of dict
        ``{"slope", "intercept", "color"?, "label"?, "dash"?}``: extra straight
        lines y = slope * x + intercept drawn across the chart (not draggable),
        e.g. the best line under each loss; labelled ones get a legend entry
        above the plot. ``dash`` is one of ``DASHES`` ("solid", "dash", "dot",
        "dashdot").
    handle_style, target_style : {"filled", "hollow"}
        How handles and targets are drawn (default: filled handles, hollow
        targets). Drag the targets themselves with ``handle_style="hollow"``
        and the predictions passed as ``targets`` with ``target_style="filled"``.
        Targets are drawn over the handles (they never catch the pointer), so a
        target under a handle stays visible.
    y_limit : (low, high) or None
        How far a handle may be moved. When it is wider than ``y_range``, the
        axis grows while a handle is pushed past its top or bottom (with the
        mouse or the keys). None: ``y_range``, the axis is fixed.
    on_change : callable or None
        Called (before the rerun) when the user moves a handle; read the new
        positions with :func:`get_drag_values`.
    live : mapping or None
        What the browser needs to preview the page's numbers and marks while a
        handle moves (``scenes.live.Preview.data()``): the
        tables (sent with the cached library element, so once per scene) and
        the samples' maps, exact values, metrics and chart traces to update.

    Returns
    -------
    list of float
        One value per handle: the user's positions, or the handles' ``y``
        (clamped to ``y_limit``).

    Raises
    ------
    DragPointsError
        (a ``ValueError``) for any bad argument.
    """
    if not isinstance(key, str) or not key:
        raise DragPointsError(
            f"drag_points: key must be a non-empty string; received {key!r}. "
            "Give every drag chart a stable key, e.g. key='regression_preds'."
        )
    if on_change is not None and not callable(on_change):
        raise DragPointsError(f"drag_points: on_change must be callable or None; received {on_change!r}.")
    spec = normalize(
        handles=handles,
        targets=targets,
        connect=connect,
        mode=mode,
        x_range=x_range,
        y_range=y_range,
        step=step,
        height=height,
        x_label=x_label,
        y_label=y_label,
        x_ticks=x_ticks,
        lines=lines,
        handle_style=handle_style,
        target_style=target_style,
        y_limit=y_limit,
    )
    meta_key = _meta_key(key)
    res = resolve(spec.handle_ys, _raw_state(key), st.session_state.get(meta_key), spec.limits)
    st.session_state[meta_key] = {**res.meta, "y_range": list(spec.limits)}
    data = spec.to_data(res.values, res.rev)
    live = dict(live or {})
    tables = live.pop("tables", {})
    if live:
        data["live"] = {**live, "tables": key}
    with st.container(gap=None, key=f"{key}_box"):
        _library(key=f"{key}_library", data={"name": key, "tables": tables})
        _mount(key=key, data=data, height=spec.height, on_positions_change=on_change or _noop)
    return list(res.values)


def reset_drag_points(key: str) -> None:
    """Move the handles of ``key`` back to the positions Python passes next run.

    Safe in a callback (``st.button("Reset", on_click=reset_drag_points,
    args=(key,))``) or in the script before the widget is drawn.
    """
    meta = st.session_state.get(_meta_key(key))
    if isinstance(meta, dict):
        st.session_state[_meta_key(key)] = {**meta, "src": None}


def peek_drag_values(key: str, ys: Sequence[float], y_limit: Sequence[float]) -> list[float]:
    """What ``drag_points(key=key, ...)`` with handles at ``ys`` (and this ``y_limit``) will return in this
    run, before it is drawn: a page can compute with the user's move first and draw the chart later."""
    lo, hi = float(y_limit[0]), float(y_limit[1])
    handle_ys = [min(max(float(v), lo), hi) for v in ys]
    return list(resolve(handle_ys, _raw_state(key), st.session_state.get(_meta_key(key)), (lo, hi)).values)


def get_drag_values(key: str) -> list[float] | None:
    """The current positions of ``key`` as the next run will see them.

    Meant for ``on_change`` callbacks; None before the widget first ran.
    """
    meta = st.session_state.get(_meta_key(key))
    if not isinstance(meta, dict) or meta.get("src") is None:
        return None
    y_range = tuple(meta.get("y_range") or (float("-inf"), float("inf")))
    return resolve(meta["src"], _raw_state(key), meta, y_range).values  # type: ignore[arg-type]
