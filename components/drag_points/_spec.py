"""Pure-Python core of the ``drag_points`` widget (no Streamlit import).

Two jobs, both unit-testable without a browser:

* :func:`normalize` validates the wrapper's arguments at the boundary and
  returns a JSON-ready :class:`DragPointsSpec` (canonical floats, clamped
  handles, defaults filled in).  Bad input raises :class:`DragPointsError`
  (a ``ValueError``) naming the argument, what was expected, what was
  received and a fix.
* :func:`resolve` decides which handle positions are current — the ones
  Python passed or the ones the user dragged to — and which revision token
  the browser should see (see "State" in ``__init__.py``).
"""

from __future__ import annotations

import math
import re
import secrets
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

CONNECT_MODES = ("residuals", "line", "none")
DRAW_MODES = ("points", "bars")
#: How handles and targets look: "filled" dots (predictions) or "hollow" rings (targets).
STYLES = ("filled", "hollow")
#: Dash patterns of the extra ``lines`` (Plotly's names, so a loss keeps its dash from charts.style).
DASHES = ("solid", "dash", "dot", "dashdot")
MIN_HEIGHT, MAX_HEIGHT = 160, 2000

# A CSS colour we are willing to hand to the browser: "#1f77b4", "red",
# "rgb(31 119 180 / 80%)", "hsl(...)", "var(--st-red-color)".  The browser
# ignores anything it cannot parse; this only keeps markup-ish text out.
_COLOR_RE = re.compile(r"^[#A-Za-z0-9(),.%\s/_-]{1,64}$")


class DragPointsError(ValueError):
    """Bad argument to :func:`components.drag_points.drag_points`."""


def _err(arg: str, expected: str, received: Any, fix: str = "") -> DragPointsError:
    text = repr(received)
    if len(text) > 80:
        text = text[:77] + "..."
    msg = f"drag_points: {arg} must be {expected}; received {text}."
    if fix:
        msg += f" {fix}"
    return DragPointsError(msg)


def _finite(value: Any, arg: str) -> float:
    """A finite float from an int/float/numpy scalar; bools and strings rejected."""
    if isinstance(value, bool) or isinstance(value, (str, bytes)):
        raise _err(arg, "a finite number", value)
    try:
        out = float(value)
    except (TypeError, ValueError):
        raise _err(arg, "a finite number", value) from None
    if not math.isfinite(out):
        raise _err(arg, "a finite number", value, "Replace NaN/inf before plotting.")
    return out


def _range(value: Any, arg: str) -> tuple[float, float]:
    if isinstance(value, (str, bytes, Mapping)):
        raise _err(arg, "a (low, high) pair of numbers", value)
    try:
        value = list(value)  # tuples, lists, numpy arrays
    except TypeError:
        raise _err(arg, "a (low, high) pair of numbers", value) from None
    if len(value) != 2:
        raise _err(arg, "a (low, high) pair of numbers", value)
    lo, hi = _finite(value[0], f"{arg}[0]"), _finite(value[1], f"{arg}[1]")
    if not lo < hi:
        raise _err(arg, "a (low, high) pair with low < high", value, "Swap the ends.")
    return lo, hi


def _items(value: Any, arg: str) -> list[Any]:
    if value is None:
        return []
    if isinstance(value, (str, bytes, Mapping)):
        raise _err(arg, "a list of {x, y, ...} dicts", value)
    try:
        return list(value)
    except TypeError:
        raise _err(arg, "a list of {x, y, ...} dicts", value) from None


def _label(value: Any, arg: str, default: str) -> str:
    if value is None:
        return default
    if not isinstance(value, str):
        raise _err(arg, "a string or None", value)
    return value


def _color(value: Any, arg: str) -> str | None:
    if value is None or value == "":
        return None
    if not isinstance(value, str) or not _COLOR_RE.match(value):
        raise _err(
            arg,
            "a CSS colour string (e.g. '#1f77b4', 'crimson') or None",
            value,
            "Use None for the theme's primary colour.",
        )
    return value.strip()


def clamp(value: float, lo: float, hi: float) -> float:
    return min(max(value, lo), hi)


def display_decimals(step: float) -> int:
    """Decimals shown for a value edited with ``step`` (one more than the step has)."""
    return int(min(6, max(0, math.ceil(-math.log10(step)) + 1)))


@dataclass(frozen=True)
class DragPointsSpec:
    """Validated, canonical arguments; ``to_data()`` is what the browser gets."""

    handles: list[dict[str, Any]]
    targets: list[dict[str, Any]]
    connect: str
    mode: str
    x_range: tuple[float, float]
    y_range: tuple[float, float]
    step: float
    height: int
    x_label: str = ""
    y_label: str = ""
    x_ticks: list[dict[str, Any]] | None = None
    decimals: int = field(default=2)
    lines: list[dict[str, Any]] = field(default_factory=list)
    handle_style: str = "filled"
    target_style: str = "hollow"
    #: How far a handle may go (the axis grows up to here when one is pushed past its end).
    y_limit: tuple[float, float] | None = None

    @property
    def limits(self) -> tuple[float, float]:
        return self.y_limit or self.y_range

    @property
    def handle_ys(self) -> list[float]:
        return [h["y"] for h in self.handles]

    def to_data(self, values: Sequence[float], rev: str) -> dict[str, Any]:
        return {
            "handles": self.handles,
            "values": [float(v) for v in values],
            "rev": rev,
            "targets": self.targets,
            "connect": self.connect,
            "mode": self.mode,
            "x_range": list(self.x_range),
            "y_range": list(self.y_range),
            "step": self.step,
            "height": self.height,
            "x_label": self.x_label,
            "y_label": self.y_label,
            "x_ticks": self.x_ticks,
            "decimals": self.decimals,
            "lines": self.lines,
            "handle_style": self.handle_style,
            "target_style": self.target_style,
            "y_limit": list(self.limits),
        }


def normalize(
    *,
    handles: Any,
    targets: Any = (),
    connect: str = "residuals",
    mode: str = "points",
    x_range: Any,
    y_range: Any,
    step: Any = 0.1,
    height: Any = 380,
    x_label: Any = "",
    y_label: Any = "",
    x_ticks: Any = None,
    lines: Any = (),
    handle_style: str = "filled",
    target_style: str = "hollow",
    y_limit: Any = None,
) -> DragPointsSpec:
    """Validate the widget's arguments and return them in canonical form.

    Handle ``y`` values are clamped into ``y_limit`` (default: ``y_range``; the
    browser clamps drags the same way); target values are kept as given (the
    chart clips them).

    >>> spec = normalize(handles=[{"x": 0, "y": 9}], targets=[{"x": 0, "y": 1}],
    ...                  x_range=(-1, 1), y_range=(0, 5))
    >>> spec.handle_ys, spec.handles[0]["label"]
    ([5.0], 'handle 1')
    """
    x_lo_hi = _range(x_range, "x_range")
    y_lo, y_hi = _range(y_range, "y_range")

    if connect not in CONNECT_MODES:
        raise _err("connect", f"one of {CONNECT_MODES}", connect)
    if mode not in DRAW_MODES:
        raise _err("mode", f"one of {DRAW_MODES}", mode)

    limit = None if y_limit is None else _range(y_limit, "y_limit")
    if limit is not None and not (limit[0] <= y_lo and y_hi <= limit[1]):
        raise _err("y_limit", f"a (low, high) pair that holds y_range ({y_lo:g}, {y_hi:g})", y_limit,
                   "Widen y_limit or leave it None.")  # fmt: skip
    c_lo, c_hi = limit or (y_lo, y_hi)
    for arg, value in (("handle_style", handle_style), ("target_style", target_style)):
        if value not in STYLES:
            raise _err(arg, f"one of {STYLES}", value)

    step_f = _finite(step, "step")
    if step_f <= 0 or step_f > (y_hi - y_lo):
        raise _err("step", f"> 0 and at most the y_range width ({y_hi - y_lo:g})", step)

    if isinstance(height, bool) or not isinstance(height, int | float) or height != int(height):
        raise _err("height", "a whole number of pixels", height)
    if not MIN_HEIGHT <= int(height) <= MAX_HEIGHT:
        raise _err("height", f"between {MIN_HEIGHT} and {MAX_HEIGHT} pixels", height)

    out_handles: list[dict[str, Any]] = []
    raw_handles = _items(handles, "handles")
    if not raw_handles:
        raise _err("handles", "a non-empty list of {x, y, label?, color?} dicts", handles)
    for i, h in enumerate(raw_handles):
        if not isinstance(h, Mapping) or "x" not in h or "y" not in h:
            raise _err(f"handles[{i}]", "a dict with keys x and y (label, color optional)", h)
        unknown = set(h) - {"x", "y", "label", "color"}
        if unknown:
            raise _err(
                f"handles[{i}]", "a dict with keys x, y, label, color", h, f"Remove {sorted(unknown)}."
            )
        out_handles.append(
            {
                "x": _finite(h["x"], f"handles[{i}].x"),
                "y": clamp(_finite(h["y"], f"handles[{i}].y"), c_lo, c_hi),
                "label": _label(h.get("label"), f"handles[{i}].label", f"handle {i + 1}"),
                "color": _color(h.get("color"), f"handles[{i}].color"),
            }
        )

    out_targets: list[dict[str, Any]] = []
    for i, t in enumerate(_items(targets, "targets")):
        if not isinstance(t, Mapping) or "x" not in t or "y" not in t:
            raise _err(f"targets[{i}]", "a dict with keys x and y (label optional)", t)
        unknown = set(t) - {"x", "y", "label"}
        if unknown:
            raise _err(f"targets[{i}]", "a dict with keys x, y, label", t, f"Remove {sorted(unknown)}.")
        out_targets.append(
            {
                "x": _finite(t["x"], f"targets[{i}].x"),
                "y": _finite(t["y"], f"targets[{i}].y"),
                "label": _label(t.get("label"), f"targets[{i}].label", f"target {i + 1}"),
            }
        )

    if connect == "residuals" and out_targets and len(out_targets) != len(out_handles):
        raise _err(
            "targets",
            f"as many as handles ({len(out_handles)}) when connect='residuals'",
            f"{len(out_targets)} targets",
            "Pass one target per handle, or connect='none'.",
        )
    if connect == "line":
        if len(out_handles) != 2:
            raise _err("handles", "exactly 2 handles when connect='line'", f"{len(out_handles)} handles")
        if out_handles[0]["x"] == out_handles[1]["x"]:
            raise _err(
                "handles",
                "2 handles with different x when connect='line'",
                [h["x"] for h in out_handles],
                "Move one handle along x.",
            )

    ticks: list[dict[str, Any]] | None = None
    if x_ticks is not None:
        ticks = []
        for i, t in enumerate(_items(x_ticks, "x_ticks")):
            if isinstance(t, Mapping) and "value" in t and "label" in t:
                value, label = t["value"], t["label"]
            elif isinstance(t, Sequence) and not isinstance(t, str) and len(t) == 2:
                value, label = t
            else:
                raise _err(f"x_ticks[{i}]", "a {value, label} dict or (value, label) pair", t)
            ticks.append(
                {
                    "value": _finite(value, f"x_ticks[{i}].value"),
                    "label": _label(label, f"x_ticks[{i}].label", ""),
                }
            )

    out_lines: list[dict[str, Any]] = []
    for i, ln in enumerate(_items(lines, "lines")):
        if not isinstance(ln, Mapping) or "slope" not in ln or "intercept" not in ln:
            raise _err(f"lines[{i}]", "a dict with keys slope and intercept (color, label, dash optional)",
                       ln)  # fmt: skip
        unknown = set(ln) - {"slope", "intercept", "color", "label", "dash"}
        if unknown:
            raise _err(f"lines[{i}]", "a dict with keys slope, intercept, color, label, dash", ln,
                       f"Remove {sorted(unknown)}.")  # fmt: skip
        dash = ln.get("dash") or "solid"
        if dash not in DASHES:
            raise _err(f"lines[{i}].dash", f"one of {DASHES}", dash)
        out_lines.append(
            {
                "slope": _finite(ln["slope"], f"lines[{i}].slope"),
                "intercept": _finite(ln["intercept"], f"lines[{i}].intercept"),
                "color": _color(ln.get("color"), f"lines[{i}].color"),
                "label": _label(ln.get("label"), f"lines[{i}].label", ""),
                "dash": dash,
            }
        )

    return DragPointsSpec(
        handles=out_handles,
        targets=out_targets,
        connect=connect,
        mode=mode,
        x_range=x_lo_hi,
        y_range=(y_lo, y_hi),
        step=step_f,
        height=int(height),
        x_label=_label(x_label, "x_label", ""),
        y_label=_label(y_label, "y_label", ""),
        x_ticks=ticks,
        decimals=display_decimals(step_f),
        lines=out_lines,
        handle_style=handle_style,
        target_style=target_style,
        y_limit=limit,
    )


# --------------------------------------------------------------------------
# State: which positions are current?
# --------------------------------------------------------------------------


def parse_state(raw: Any, n: int, y_range: tuple[float, float]) -> tuple[list[float] | None, str | None]:
    """Read the component's stored state value.

    The browser stores ``{"y": [floats], "rev": token}``.  A bare list of
    numbers, or a dict without ``rev``, is accepted too: that is a value put
    into ``st.session_state`` from Python (AppTest, a loaded scene).
    Returns ``(values, rev)``; values is None when missing or unusable
    (wrong length, not numbers) — then Python's handles are used.
    """
    rev: str | None = None
    ys = raw
    if isinstance(raw, Mapping):
        ys = raw.get("y")
        rev_raw = raw.get("rev")
        rev = rev_raw if isinstance(rev_raw, str) else None
    if isinstance(ys, (str, bytes, Mapping)) or not isinstance(ys, Sequence):
        return None, None
    if len(ys) != n:
        return None, None
    out: list[float] = []
    for v in ys:
        if isinstance(v, bool) or not isinstance(v, int | float) or not math.isfinite(v):
            return None, None
        out.append(clamp(float(v), *y_range))
    return out, rev


def _close(a: Sequence[float], b: Sequence[float]) -> bool:
    if len(a) != len(b):
        return False
    return all(math.isclose(x, y, rel_tol=1e-12, abs_tol=1e-12) for x, y in zip(a, b, strict=True))


def new_token() -> str:
    return secrets.token_hex(6)


@dataclass(frozen=True)
class Resolution:
    values: list[float]  # what the wrapper returns and the browser shows
    rev: str  # token sent to the browser; a new one makes it reset
    meta: dict[str, Any]  # to store for the next run


def resolve(
    handle_ys: Sequence[float],
    raw_state: Any,
    meta: Mapping[str, Any] | None,
    y_range: tuple[float, float],
    make_token: Callable[[], str] = new_token,
) -> Resolution:
    """Decide the current positions.  Python-side changes win.

    ``meta`` is what the previous run stored: ``{"src": handle_ys passed
    then (None after a reset), "rev": token shown then, "inj": an adopted
    injected value}``.

    * Python passed different handles than last run (or a reset was asked
      for): return the new handles and a new token, so the browser drops its
      local positions -- unless the new handles equal what the user already
      holds (a page feeding the returned values back): keep the token so a
      keypress in flight is not lost.
    * Same handles as last run: the user's stored positions win if they were
      made against the current token; positions from an older token are stale
      and ignored; positions without a token were injected from Python and
      win (with a new token, once, so the browser redraws them).
    """
    src = [float(v) for v in handle_ys]
    values, state_rev = parse_state(raw_state, len(src), y_range)
    injected = values is not None and state_rev is None

    if meta is None:
        # First render in this session; a value already in session_state
        # (injected before the first run) is honoured.
        rev = make_token()
        if values is not None:
            return Resolution(values, rev, {"src": src, "rev": rev, "inj": values if injected else None})
        return Resolution(src, rev, {"src": src, "rev": rev, "inj": None})

    old_rev = meta.get("rev")
    if meta.get("src") != src:
        if values is not None and state_rev == old_rev and _close(values, src):
            return Resolution(src, old_rev, {"src": src, "rev": old_rev, "inj": None})
        rev = make_token()
        return Resolution(src, rev, {"src": src, "rev": rev, "inj": None})

    if values is None:
        return Resolution(src, old_rev, dict(meta))
    if injected:
        if meta.get("inj") == values:
            return Resolution(values, old_rev, dict(meta))
        rev = make_token()
        return Resolution(values, rev, {"src": src, "rev": rev, "inj": values})
    if state_rev == old_rev:
        return Resolution(values, old_rev, {"src": src, "rev": old_rev, "inj": None})
    return Resolution(src, old_rev, dict(meta))  # stale: made before a Python-side change
