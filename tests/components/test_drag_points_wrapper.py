"""drag_points without a browser: argument validation, normalisation, the state
machine that decides whose positions win, and the wrapper under AppTest."""

from __future__ import annotations

import itertools
import json
import math

import numpy as np
import pytest
from streamlit.testing.v1 import AppTest

from components.drag_points._spec import (
    DragPointsError,
    display_decimals,
    normalize,
    parse_state,
    resolve,
)

BASE = dict(x_range=(0, 10), y_range=(-5, 5))


def pts(*ys, x0=1.0):
    return [{"x": x0 + i, "y": y} for i, y in enumerate(ys)]


# --------------------------------------------------------------------------
# normalize
# --------------------------------------------------------------------------


def test_normalize_fills_defaults_and_casts_to_float():
    spec = normalize(
        handles=[{"x": np.int64(1), "y": np.float32(2.5), "label": "prediction 1"}, {"x": 2, "y": 3}],
        targets=pts(1, 2),
        **BASE,
    )
    assert spec.handles == [
        {"x": 1.0, "y": 2.5, "label": "prediction 1", "color": None},
        {"x": 2.0, "y": 3.0, "label": "handle 2", "color": None},
    ]
    assert all(type(h["x"]) is float and type(h["y"]) is float for h in spec.handles)
    assert spec.targets[1] == {"x": 2.0, "y": 2.0, "label": "target 2"}
    assert (spec.connect, spec.mode, spec.step, spec.height) == ("residuals", "points", 0.1, 380)
    assert spec.x_range == (0.0, 10.0) and spec.y_range == (-5.0, 5.0)
    assert spec.decimals == 2


def test_handles_are_clamped_to_y_range_targets_are_not():
    spec = normalize(handles=pts(-9, 9), targets=pts(-9, 9), **BASE)
    assert spec.handle_ys == [-5.0, 5.0]
    assert [t["y"] for t in spec.targets] == [-9.0, 9.0]


def test_to_data_is_json_ready():
    import json

    spec = normalize(handles=pts(1, 2), x_ticks=[(0, "cat"), {"value": 1, "label": "dog"}], **BASE)
    data = spec.to_data([1.5, 2.5], "tok")
    assert json.loads(json.dumps(data)) == data
    assert data["values"] == [1.5, 2.5] and data["rev"] == "tok"
    assert data["x_ticks"] == [{"value": 0.0, "label": "cat"}, {"value": 1.0, "label": "dog"}]


def test_line_and_bars_modes():
    spec = normalize(handles=pts(0, 1), targets=pts(1, 2, 3), connect="line", **BASE)
    assert spec.connect == "line" and len(spec.targets) == 3
    spec = normalize(handles=pts(0, 1, 2), connect="none", mode="bars", **BASE)
    assert spec.mode == "bars"


def test_extra_lines_styles_and_y_limit():
    spec = normalize(
        handles=pts(-9, 9), **BASE, y_limit=(-100, 100), handle_style="hollow", target_style="filled",
        lines=[{"slope": np.float64(0.5), "intercept": 1, "color": "#2ca02c", "label": "best under MSE"},
               {"slope": -1, "intercept": 0, "dash": "dash"}],
    )  # fmt: skip
    assert spec.handle_ys == [-9.0, 9.0]  # clamped to y_limit, not to the shown y_range
    assert spec.limits == (-100.0, 100.0) and spec.y_range == (-5.0, 5.0)
    assert spec.lines == [
        {"slope": 0.5, "intercept": 1.0, "color": "#2ca02c", "label": "best under MSE", "dash": "solid"},
        {"slope": -1.0, "intercept": 0.0, "color": None, "label": "", "dash": "dash"},
    ]
    data = spec.to_data([1.0, 2.0], "tok")
    assert data["y_limit"] == [-100.0, 100.0] and data["lines"] == spec.lines
    assert (data["handle_style"], data["target_style"]) == ("hollow", "filled")
    plain = normalize(handles=pts(-9, 9), **BASE)
    assert plain.limits == plain.y_range and plain.to_data([0, 0], "t")["y_limit"] == [-5.0, 5.0]
    assert plain.lines == [] and (plain.handle_style, plain.target_style) == ("filled", "hollow")


@pytest.mark.parametrize(
    ("kwargs", "match"),
    [
        (dict(handles=[]), "handles must be a non-empty list"),
        (dict(handles="abc"), "handles must be a list"),
        (dict(handles=[{"x": 1}]), r"handles\[0\] must be a dict with keys x and y"),
        (dict(handles=[(1, 2)]), r"handles\[0\] must be a dict"),
        (dict(handles=[{"x": 1, "y": 2, "size": 3}]), r"Remove \['size'\]"),
        (dict(handles=[{"x": 1, "y": float("nan")}]), r"handles\[0\].y must be a finite number"),
        (dict(handles=[{"x": 1, "y": True}]), r"handles\[0\].y must be a finite number"),
        (dict(handles=[{"x": "1", "y": 1}]), r"handles\[0\].x must be a finite number"),
        (dict(handles=[{"x": 1, "y": 1, "label": 3}]), r"handles\[0\].label must be a string"),
        (dict(handles=[{"x": 1, "y": 1, "color": "<b>"}]), r"handles\[0\].color must be a CSS colour"),
        (dict(targets=pts(1, 2, 3)), "targets must be as many as handles"),
        (dict(targets=[{"y": 1}, {"x": 1, "y": 1}]), r"targets\[0\] must be a dict"),
        (dict(connect="lines"), "connect must be one of"),
        (dict(mode="bar"), "mode must be one of"),
        (dict(connect="line", handles=pts(1, 2, 3)), "exactly 2 handles"),
        (dict(connect="line", handles=[{"x": 1, "y": 0}, {"x": 1, "y": 1}]), "different x"),
        (dict(x_range=(1, 1)), "x_range must be a .low, high. pair with low < high"),
        (dict(y_range=(5, -5)), "y_range must be a .low, high. pair with low < high"),
        (dict(y_range=(0, 1, 2)), "y_range must be a .low, high. pair of numbers"),
        (dict(y_range="0,1"), "y_range must be a .low, high. pair of numbers"),
        (dict(x_range=(0, math.inf)), r"x_range\[1\] must be a finite number"),
        (dict(step=0), "step must be > 0"),
        (dict(step=11), "step must be > 0 and at most the y_range width"),
        (dict(step="0.1"), "step must be a finite number"),
        (dict(height=50), "height must be between"),
        (dict(height=300.5), "height must be a whole number"),
        (dict(height=True), "height must be a whole number"),
        (dict(x_label=None), None),
        (dict(y_label=1), "y_label must be a string"),
        (dict(x_ticks=["cat"]), r"x_ticks\[0\] must be a \{value, label\} dict"),
        (dict(lines=[{"slope": 1}]), r"lines\[0\] must be a dict with keys slope and intercept"),
        (dict(lines={"slope": 1, "intercept": 0}), "lines must be a list"),
        (dict(lines=[{"slope": 1, "intercept": 0, "width": 2}]), r"Remove \['width'\]"),
        (dict(lines=[{"slope": math.nan, "intercept": 0}]), r"lines\[0\].slope must be a finite number"),
        (dict(lines=[{"slope": 1, "intercept": 0, "dash": "dotted"}]), r"lines\[0\].dash must be one of"),
        (dict(lines=[{"slope": 1, "intercept": 0, "color": "url(x)>"}]), r"lines\[0\].color must be a CSS"),
        (dict(handle_style="ring"), "handle_style must be one of"),
        (dict(target_style=None), "target_style must be one of"),
        (dict(y_limit=(-1, 1)), "y_limit must be a .low, high. pair that holds y_range"),
        (dict(y_limit=(0, math.inf)), r"y_limit\[1\] must be a finite number"),
    ],
)
def test_bad_arguments_raise_clear_value_errors(kwargs, match):
    args = dict(handles=pts(1, 2), targets=pts(1, 2), **BASE)
    args.update(kwargs)
    if match is None:
        normalize(**args)  # accepted
        return
    with pytest.raises(DragPointsError, match=match) as info:
        normalize(**args)
    assert isinstance(info.value, ValueError)
    assert "received" in str(info.value)


@pytest.mark.parametrize(("step", "decimals"), [(1, 1), (0.5, 2), (0.1, 2), (0.05, 3), (0.01, 3), (10, 0)])
def test_display_decimals(step, decimals):
    assert display_decimals(step) == decimals


# --------------------------------------------------------------------------
# parse_state / resolve
# --------------------------------------------------------------------------


def test_parse_state_accepts_browser_and_injected_forms():
    yr = (-5.0, 5.0)
    assert parse_state({"y": [1, 2.5], "rev": "t"}, 2, yr) == ([1.0, 2.5], "t")
    assert parse_state({"y": [1, 2.5]}, 2, yr) == ([1.0, 2.5], None)
    assert parse_state([1, 9], 2, yr) == ([1.0, 5.0], None)  # clamped
    for bad in (None, {}, [1], [1, "2"], [1, True], [1, float("nan")], "12", {"y": "12", "rev": "t"}):
        assert parse_state(bad, 2, yr) == (None, None), bad


def tokens():
    counter = itertools.count(1)
    return lambda: f"t{next(counter)}"


YR = (-5.0, 5.0)


def test_first_run_returns_handles_with_a_fresh_token():
    r = resolve([1.0, 2.0], None, None, YR, tokens())
    assert r.values == [1.0, 2.0] and r.rev == "t1"
    assert r.meta == {"src": [1.0, 2.0], "rev": "t1", "inj": None}


def test_user_edit_made_against_current_token_wins():
    make = tokens()
    r0 = resolve([1.0, 2.0], None, None, YR, make)
    r1 = resolve([1.0, 2.0], {"y": [1.0, 3.3], "rev": r0.rev}, r0.meta, YR, make)
    assert r1.values == [1.0, 3.3] and r1.rev == r0.rev
    # and it stays on later reruns
    r2 = resolve([1.0, 2.0], {"y": [1.0, 3.3], "rev": r0.rev}, r1.meta, YR, make)
    assert r2.values == [1.0, 3.3] and r2.rev == r0.rev


def test_python_side_change_wins_and_issues_a_new_token():
    make = tokens()
    r0 = resolve([1.0, 2.0], None, None, YR, make)
    user = {"y": [1.0, 3.3], "rev": r0.rev}
    r1 = resolve([0.0, 0.0], user, r0.meta, YR, make)
    assert r1.values == [0.0, 0.0] and r1.rev != r0.rev
    # the old user state is stale from now on
    r2 = resolve([0.0, 0.0], user, r1.meta, YR, make)
    assert r2.values == [0.0, 0.0] and r2.rev == r1.rev
    # going back to the first handles does not resurrect the stale edit
    r3 = resolve([1.0, 2.0], user, r2.meta, YR, make)
    assert r3.values == [1.0, 2.0] and r3.rev not in (r0.rev, r1.rev)


def test_changed_number_of_handles_is_a_python_side_change():
    make = tokens()
    r0 = resolve([1.0, 2.0], None, None, YR, make)
    r1 = resolve([1.0, 2.0, 3.0], {"y": [1.0, 3.3], "rev": r0.rev}, r0.meta, YR, make)
    assert r1.values == [1.0, 2.0, 3.0] and r1.rev != r0.rev


def test_reset_forces_handles_even_if_unchanged():
    make = tokens()
    r0 = resolve([1.0, 2.0], None, None, YR, make)
    user = {"y": [4.0, 4.0], "rev": r0.rev}
    r1 = resolve([1.0, 2.0], user, r0.meta, YR, make)
    assert r1.values == [4.0, 4.0]
    reset_meta = {**r1.meta, "src": None}  # what reset_drag_points() stores
    r2 = resolve([1.0, 2.0], user, reset_meta, YR, make)
    assert r2.values == [1.0, 2.0] and r2.rev != r1.rev
    # a new edit against the new token is accepted again
    r3 = resolve([1.0, 2.0], {"y": [0.5, 0.5], "rev": r2.rev}, r2.meta, YR, make)
    assert r3.values == [0.5, 0.5]


def test_feeding_values_back_is_an_echo_not_a_reset():
    """A page that passes the returned values as next run's handles keeps its token,
    so a key press already in flight (made against that token) still counts."""
    make = tokens()
    r0 = resolve([1.0, 2.0], None, None, YR, make)
    r1 = resolve([1.0, 2.0], {"y": [1.0, 2.1], "rev": r0.rev}, r0.meta, YR, make)
    echo = resolve(r1.values, {"y": [1.0, 2.1], "rev": r0.rev}, r1.meta, YR, make)
    assert echo.values == [1.0, 2.1] and echo.rev == r0.rev
    in_flight = resolve(echo.values, {"y": [1.0, 2.2], "rev": r0.rev}, echo.meta, YR, make)
    assert in_flight.values == [1.0, 2.2]


def test_injected_state_is_adopted_once_and_then_edited():
    make = tokens()
    r0 = resolve([1.0, 2.0], None, None, YR, make)
    r1 = resolve([1.0, 2.0], [3.0, 4.0], r0.meta, YR, make)
    assert r1.values == [3.0, 4.0] and r1.rev != r0.rev  # browser must redraw
    r2 = resolve([1.0, 2.0], [3.0, 4.0], r1.meta, YR, make)
    assert r2.rev == r1.rev  # stable on later reruns
    r3 = resolve([1.0, 2.0], {"y": [3.0, 4.5], "rev": r2.rev}, r2.meta, YR, make)
    assert r3.values == [3.0, 4.5]
    # injecting the same value again is a new injection
    r4 = resolve([1.0, 2.0], [3.0, 4.0], r3.meta, YR, make)
    assert r4.values == [3.0, 4.0] and r4.rev != r3.rev


def test_injected_before_first_run_is_honoured():
    r = resolve([1.0, 2.0], {"y": [0.0, -1.0]}, None, YR, tokens())
    assert r.values == [0.0, -1.0]


def test_unusable_state_falls_back_to_handles():
    make = tokens()
    r0 = resolve([1.0, 2.0], None, None, YR, make)
    r1 = resolve([1.0, 2.0], {"y": [1.0], "rev": r0.rev}, r0.meta, YR, make)
    assert r1.values == [1.0, 2.0] and r1.rev == r0.rev


# --------------------------------------------------------------------------
# The wrapper under AppTest (the component shows up as an UnknownElement)
# --------------------------------------------------------------------------


def _app():
    import streamlit as st

    from components.drag_points import drag_points, reset_drag_points

    if st.session_state.get("n3"):
        handles = [{"x": 1, "y": 0.5}, {"x": 2, "y": 1.5}, {"x": 3, "y": 2.5}]
    else:
        handles = [{"x": 1, "y": 1.0, "label": "prediction 1"}, {"x": 2, "y": 2.0, "label": "prediction 2"}]
    if st.button("Reset", key="reset"):
        reset_drag_points("dp")
    vals = drag_points(
        key="dp",
        handles=handles,
        targets=[{"x": h["x"], "y": 0.0} for h in handles],
        x_range=(0, 4),
        y_range=(-3, 3),
    )
    st.session_state["out"] = vals


def _out(at):
    return repr(at.session_state["out"])


def test_apptest_mounts_and_returns_defaults():
    at = AppTest.from_function(_app).run()
    assert not at.exception
    assert _out(at) == "[1.0, 2.0]"
    vals = at.session_state["out"]
    assert type(vals) is list and all(type(v) is float for v in vals)
    # the component is there, as an UnknownElement carrying our data
    # (and its library element: the widget's code and its live-preview tables, the same every run)
    comps = [e for e in at.get("bidi_component")]
    assert [c.key for c in comps] == ["dp_library", "dp"]
    assert json.loads(comps[0].proto.json) == {"name": "dp", "tables": {}}


def test_apptest_injected_state_is_returned_and_python_changes_win():
    at = AppTest.from_function(_app).run()
    at.session_state["dp"] = {"positions": [0.25, -2.5]}
    at.run()
    assert not at.exception
    assert _out(at) == "[0.25, -2.5]"
    at.run()  # survives an unrelated rerun
    assert _out(at) == "[0.25, -2.5]"
    # the browser form ({"y": ..., "rev": ...}) with the current token
    at.button(key="reset").click().run()
    assert _out(at) == "[1.0, 2.0]"
    # clamped to y_range
    at.session_state["dp"] = {"positions": {"y": [9, -9]}}
    at.run()
    assert _out(at) == "[3.0, -3.0]"
    # Python-side change (3 handles now) wins over the stored 2 values
    at.session_state["n3"] = True
    at.run()
    assert _out(at) == "[0.5, 1.5, 2.5]"


def test_apptest_y_limit_lets_positions_past_the_shown_axis():
    def app():
        import streamlit as st

        from components.drag_points import drag_points, get_drag_values

        st.session_state["pending"] = get_drag_values("dp")
        st.session_state["out"] = drag_points(key="dp", handles=[{"x": 1, "y": 1.0}], x_range=(0, 2),
                                              y_range=(-3, 3), y_limit=(-50, 50))  # fmt: skip

    at = AppTest.from_function(app).run()
    at.session_state["dp"] = {"positions": [40.0]}
    at.run()
    assert not at.exception
    assert _out(at) == "[40.0]"  # past the axis' top (3), within y_limit
    assert at.session_state["pending"] == [40.0]  # what the next run will see, before the widget runs
    at.session_state["dp"] = {"positions": [99.0]}
    at.run()
    assert _out(at) == "[50.0]"


def test_apptest_bad_argument_is_a_value_error():
    def app():
        from components.drag_points import drag_points

        drag_points(key="dp", handles=[{"x": 1, "y": 1}], x_range=(0, 1), y_range=(1, 0))

    at = AppTest.from_function(app).run()
    assert at.exception
    assert "y_range must be a (low, high) pair with low < high" in at.exception[0].message


def _peek_app():
    import streamlit as st

    from components.drag_points import drag_points, peek_drag_values

    ys = st.session_state.get("ys", [1.0, 2.0])
    st.session_state["peeked"] = peek_drag_values("dp", ys, (-5.0, 5.0))
    st.session_state["drawn"] = drag_points(key="dp", handles=[{"x": i, "y": v} for i, v in enumerate(ys)],
                                            x_range=(0, 3), y_range=(-5, 5))  # fmt: skip


def test_peek_drag_values_is_what_the_chart_returns_before_it_is_drawn():
    at = AppTest.from_function(_peek_app).run()
    assert at.session_state["peeked"] == at.session_state["drawn"] == [1.0, 2.0]
    at.session_state["dp"] = {"positions": [0.25, -2.5]}  # a user's move
    at.run()
    assert at.session_state["peeked"] == at.session_state["drawn"] == [0.25, -2.5]
    at.session_state["ys"] = [3.0, 9.0]  # Python's new handles win (clamped to the limits)
    at.run()
    assert at.session_state["peeked"] == at.session_state["drawn"] == [3.0, 5.0]
