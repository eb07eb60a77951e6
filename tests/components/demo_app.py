"""drag_points demo for the browser tests: ``streamlit run tests/components/demo_app.py``.

Served by tests/components/conftest.py (the ``demo_url`` fixture) and bench/shots.py. Three widgets, each
with its positions echoed as JSON in ``.st-key-out_<key>``: ``reg`` (points; "Six points" adds one),
``line`` (a line with an on_change callback) and ``logits`` (bars).
"""

import json

import streamlit as st

from components.drag_points import drag_points, get_drag_values, reset_drag_points

st.set_page_config(page_title="drag_points demo", layout="wide")

six = st.checkbox("Six points", key="six")
XS = [1, 2, 3, 4, 5] + ([5.5] if six else [])
YS = [1.0, 2.5, 2.0, 4.0, 3.5] + ([0.5] if six else [])

vals = drag_points(
    key="reg",
    handles=[{"x": x, "y": 2.0, "label": f"prediction {i + 1}"} for i, x in enumerate(XS)],
    targets=[{"x": x, "y": y, "label": f"y{i + 1}"} for i, (x, y) in enumerate(zip(XS, YS, strict=True))],
    x_range=(0, 6),
    y_range=(-1, 6),
    step=0.1,
    height=360,
    x_label="x",
    y_label="y and prediction",
)
with st.container(key="out_reg"):
    st.text(json.dumps(vals))
st.button("Reset", key="reset_reg", on_click=reset_drag_points, args=("reg",))


def line_changed():
    st.session_state["line_changes"] = st.session_state.get("line_changes", 0) + 1
    st.session_state["line_seen_in_callback"] = get_drag_values("line")


line = drag_points(
    key="line",
    on_change=line_changed,
    handles=[{"x": 0.5, "y": 1.0, "label": "line start"}, {"x": 5.5, "y": 4.0, "label": "line end"}],
    targets=[{"x": x, "y": y} for x, y in zip(XS, YS, strict=True)],
    connect="line",
    x_range=(0, 6),
    y_range=(-1, 6),
    height=300,
    x_label="x",
    y_label="y",
)
with st.container(key="out_line"):
    st.text(json.dumps(line))
with st.container(key="out_line_cb"):
    seen = st.session_state.get("line_seen_in_callback")
    st.text(json.dumps([st.session_state.get("line_changes", 0), seen]))

CLASSES = ["cat", "dog", "bird"]
COLORS = [None, "var(--st-red-color)", "#2ca02c"]
logits = drag_points(
    key="logits",
    mode="bars",
    connect="none",
    handles=[
        {"x": i, "y": v, "label": f"logit {c}", "color": col}
        for i, (c, v, col) in enumerate(zip(CLASSES, [2.0, -1.0, 0.5], COLORS, strict=True))
    ],
    x_range=(-0.5, 2.5),
    y_range=(-5, 5),
    step=0.5,
    height=300,
    x_ticks=[{"value": i, "label": c} for i, c in enumerate(CLASSES)],
    y_label="logit",
)
with st.container(key="out_logits"):
    st.text(json.dumps(logits))
