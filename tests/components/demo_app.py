"""drag_points demo for the browser tests: ``streamlit run tests/components/demo_app.py``.

Served by tests/components/conftest.py (the ``demo_url`` fixture) and bench/shots.py. Three widgets, each
with its positions echoed as JSON in ``.st-key-out_<key>``: ``reg`` (points; "Six points" adds one; "Grow"
lets its axis grow to ±100; "Drag targets" draws its handles as targets and the targets as predictions),
``line`` (a line with an on_change callback; "Best lines" draws two extra lines) and ``logits`` (bars;
"Ten classes" has ten with long names).
"""

import json

import streamlit as st

from components.drag_points import drag_points, get_drag_values, reset_drag_points

st.set_page_config(page_title="drag_points demo", layout="wide")

six = st.checkbox("Six points", key="six")
grow = st.checkbox("Grow", key="grow")
as_targets = st.checkbox("Drag targets", key="as_targets")
best = st.checkbox("Best lines", key="best")
ten = st.checkbox("Ten classes", key="ten")
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
    y_limit=(-100, 100) if grow else None,
    handle_style="hollow" if as_targets else "filled",
    target_style="filled" if as_targets else "hollow",
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
    lines=[
        {"slope": 0.5, "intercept": 1.0, "color": "#2ca02c", "label": "best under A", "dash": "dash"},
        {"slope": -0.25, "intercept": 4.0, "color": "#ff7f0e", "label": "best under B"},
    ]
    if best
    else (),
)
with st.container(key="out_line"):
    st.text(json.dumps(line))
with st.container(key="out_line_cb"):
    seen = st.session_state.get("line_seen_in_callback")
    st.text(json.dumps([st.session_state.get("line_changes", 0), seen]))

CLASSES = ["cat", "dog", "bird"]
COLORS = [None, "var(--st-red-color)", "#2ca02c"]
if ten:
    CLASSES = ["airplane", "automobile", "bird", "cat", "deer", "dog", "frog", "horse", "ship", "truck"]
    COLORS = [None] * 10
logits = drag_points(
    key="logits",
    mode="bars",
    connect="none",
    handles=[
        {"x": i, "y": v, "label": f"logit {c}", "color": col}
        for i, (c, v, col) in enumerate(
            zip(CLASSES, [2.0, -1.0, 0.5] + [0.0] * (len(CLASSES) - 3), COLORS, strict=True)
        )
    ],
    x_range=(-0.5, len(CLASSES) - 0.5),
    y_range=(-5, 5),
    step=0.5,
    height=300,
    x_ticks=[{"value": i, "label": c} for i, c in enumerate(CLASSES)],
    y_label="logit",
)
with st.container(key="out_logits"):
    st.text(json.dumps(logits))
