"""Browser helpers for the drag_points tests: a Streamlit server per module and
headless Debian Chromium through Playwright (never `playwright install`)."""

from __future__ import annotations

import os
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.browser import CHROMIUM, CHROMIUM_ARGS, free_port, require_browser

REPO = Path(__file__).resolve().parents[2]
SHOTS = Path("/tmp/lossx_shots")


class StreamlitServer:
    """`streamlit run script` on a free port; stopped by its own PID."""

    def __init__(self, script: Path, extra_args: list[str] | None = None, *, app_config: bool = True) -> None:
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.log_path = script.with_name(f"streamlit-{self.port}.log")
        env = {**os.environ, "PYTHONPATH": os.pathsep.join([str(REPO), os.environ.get("PYTHONPATH", "")])}
        cmd = [
            sys.executable, "-m", "streamlit", "run", str(script),
            "--server.headless", "true",
            "--server.port", str(self.port),
            "--server.address", "127.0.0.1",
            "--browser.gatherUsageStats", "false",
            *(extra_args or []),
        ]  # fmt: skip
        self._log = open(self.log_path, "wb")  # noqa: SIM115 - closed in stop()
        # cwd=REPO: the app's .streamlit/config.toml (its light and dark themes) applies; its
        # [theme.light]/[theme.dark] follow the browser's colour scheme and override --theme.base.
        # cwd=the script's folder: Streamlit's built-in themes, so --theme.base works.
        cwd = REPO if app_config else script.parent
        self.proc = subprocess.Popen(cmd, cwd=cwd, env=env, stdout=self._log, stderr=subprocess.STDOUT)

    def wait_healthy(self, timeout: float = 60.0) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise RuntimeError(f"streamlit exited early:\n{self.log_path.read_text()}")
            try:
                with urllib.request.urlopen(f"{self.url}/_stcore/health", timeout=2) as r:
                    if r.status == 200:
                        return
            except OSError:
                pass
            time.sleep(0.25)
        raise RuntimeError(f"streamlit not healthy after {timeout}s:\n{self.log_path.read_text()}")

    def stop(self) -> None:
        if self.proc.poll() is None:
            self.proc.terminate()  # this process only, by its PID
            try:
                self.proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait(timeout=5)
        self._log.close()


def serve(
    script: Path, extra_args: list[str] | None = None, *, app_config: bool = True
) -> Iterator[StreamlitServer]:
    server = StreamlitServer(script, extra_args, app_config=app_config)
    try:
        server.wait_healthy()
        yield server
    finally:
        server.stop()


@pytest.fixture(scope="module")
def chromium():
    require_browser()
    from playwright.sync_api import sync_playwright

    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS, headless=True)
        try:
            yield browser
        finally:
            browser.close()


@pytest.fixture(scope="module")
def server(chromium, demo_script, request):
    """One demo server per test module.

    A module may set STREAMLIT_ARGS (e.g. a theme) and APP_CONFIG = False to run
    without the app's .streamlit/config.toml.
    """
    yield from serve(
        demo_script,
        list(getattr(request.module, "STREAMLIT_ARGS", [])),
        app_config=getattr(request.module, "APP_CONFIG", True),
    )


@pytest.fixture(scope="module")
def shots_dir() -> Path:
    SHOTS.mkdir(parents=True, exist_ok=True)
    return SHOTS


DEMO_APP = '''
"""drag_points demo for the browser tests (written by tests/components/conftest.py)."""
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
    targets=[{"x": x, "y": y, "label": f"y{i + 1}"} for i, (x, y) in enumerate(zip(XS, YS))],
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
    targets=[{"x": x, "y": y} for x, y in zip(XS, YS)],
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
        for i, (c, v, col) in enumerate(zip(CLASSES, [2.0, -1.0, 0.5], COLORS))
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
'''


@pytest.fixture(scope="module")
def demo_script(tmp_path_factory) -> Path:
    path = tmp_path_factory.mktemp("drag_points_demo") / "demo_app.py"
    path.write_text(DEMO_APP, encoding="utf-8")
    return path
