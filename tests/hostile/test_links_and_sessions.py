"""Hostile links and concurrent sessions.

Links: every page opened with every one of its link parameters (its widgets' keys, and the names the view
reads from the link: reg_, bin_, mc_, cat_, score_, learn_, cust_, the lecture's story and step) set to the
same hostile value, one run per page and value: no exception, hostile text shown escaped (no link, no HTML,
no bare URL), and the process's memory flat across a second round (within 20 MB).

Sessions: two sessions uploading different files each see their own numbers, before and after the other's
upload; one session's bad file leaves the other scoring.
"""

from __future__ import annotations

import gc
import re
from pathlib import Path

import numpy as np
import pytest
from streamlit.testing.v1 import AppTest

import scoring

ROOT = Path(__file__).resolve().parents[2]
APP = str(ROOT / "app.py")
PAGES = {
    "views/home.py": "",
    "views/catalogue.py": "cat_",
    "views/regression.py": "reg_",
    "views/binary.py": "bin_",
    "views/multiclass.py": "mc_",
    "views/score.py": "score_",
    "views/learn.py": "learn_",
    "views/custom.py": "cust_",
    "views/lecture.py": "lecture_",
}
EXTRA = {"views/lecture.py": ["story", "step"], "views/home.py": []}
HOSTILE = [
    "https://evil.example/login",
    "[login](https://evil.example)",
    "<script>alert(1)</script>",
    "javascript:alert(1)",
    "www.evil.example",
    "admin@evil.example",
    "1e400",
    "-1e400",
    "nan",
    "-0",
    "",
    " ",
    "\u202e\x00x",
    "9" * 5000,
    "../../../etc/passwd",
    '=HYPERLINK("http://evil.example")',
    "🙂" * 50,
    "1,2,3",
    "[[1,2],[3]]",
    "%00%0d%0a",
]
MB = 2**20


def _rss() -> int:
    with open("/proc/self/status", encoding="ascii") as f:
        return next(int(line.split()[1]) * 1024 for line in f if line.startswith("VmRSS"))


def _keys(node, out: set) -> set:
    key = getattr(node, "key", None)
    if isinstance(key, str):
        out.add(key)
    children = getattr(node, "children", None)
    for child in children.values() if isinstance(children, dict) else children or []:
        _keys(child, out)
    return out


def _link_names(page: str, prefix: str) -> list[str]:
    """The page's link parameters: its widgets' keys and the names its source reads with page.url/url_all."""
    at = AppTest.from_file(APP, default_timeout=60)
    at.run()
    at.switch_page(page).run()
    names = {k for k in _keys(at._tree, set()) if prefix and k.startswith(prefix)}
    source = (ROOT / page).read_text(encoding="utf-8")
    names |= {prefix + n for n in re.findall(r'page\.(?:url|url_all|key)\("([a-z_0-9]+)"', source)}
    return sorted(names | set(EXTRA.get(page, [])) | {"present"})


@pytest.fixture(scope="module")
def link_names() -> dict[str, list[str]]:
    return {page: _link_names(page, prefix) for page, prefix in PAGES.items()}


def _open(page: str, names: list[str], value: str) -> AppTest:
    at = AppTest.from_file(APP, default_timeout=60)
    for name in names:
        at.query_params[name] = value
    at.run()
    at.switch_page(page).run()
    return at


def _check_inert(at: AppTest, value: str) -> None:
    assert not at.exception, [e.value for e in at.exception]
    for element in [*at.warning, *at.error, *at.info, *at.caption, *at.markdown]:
        text = element.value
        assert not re.search(r"(?<!\\)<script", text) and "](https://evil" not in text, text
        assert "://evil" not in text and "www.evil" not in text and "admin@evil" not in text, text


def _round(link_names) -> int:
    runs = 0
    for page, names in link_names.items():
        for value in HOSTILE:
            _check_inert(_open(page, names, value), value)
            runs += 1
    return runs


def test_every_page_takes_hostile_values_for_every_link_parameter_and_memory_stays_flat(link_names):
    """The second round measures memory: caches, imports and first-run state settle in the first."""
    assert sum(len(v) for v in link_names.values()) > 80  # every page's parameters, not a few
    assert _round(link_names) == len(PAGES) * len(HOSTILE)
    gc.collect()
    before = _rss()
    _round(link_names)
    gc.collect()
    grown = (_rss() - before) / MB
    assert grown < 20, (
        f"{grown:.1f} MB more after a second round of {len(PAGES) * len(HOSTILE)} hostile links"
    )


# -- sessions ----------------------------------------------------------------------------------------------
def _file(seed: int) -> bytes:
    rng = np.random.default_rng(seed)
    t = np.round(rng.normal(10, 3, 200), 4)
    p = np.round(t + rng.normal(0, 1 + seed, 200), 4)
    return ("y_true,y_pred\n" + "".join(f"{a},{b}\n" for a, b in zip(t, p, strict=True))).encode()


def _session() -> AppTest:
    at = AppTest.from_file(APP, default_timeout=60)
    at.run()
    at.switch_page("views/score.py").run()
    at.segmented_control(key="score_source").set_value("upload").run()
    return at


def _mse(at: AppTest) -> str:
    assert not at.exception, [e.value for e in at.exception]
    return {m.label: m.value for m in at.metric}["Mean squared error (L2)"]


def test_two_sessions_never_see_each_others_upload_and_one_error_leaves_the_other_working():
    a, b = _session(), _session()
    want = {}
    for seed in (1, 2):
        data = _file(seed)
        fmt, det = scoring.inspect(data)
        want[seed] = f"{scoring.score(data, fmt, det).costs['mse']:.6g}"
    assert want[1] != want[2]
    a.file_uploader(key="score_upload").set_value(("a.csv", _file(1), "text/csv")).run()
    b.file_uploader(key="score_upload").set_value(("b.csv", _file(2), "text/csv")).run()
    assert _mse(a) == want[1] and _mse(b) == want[2]
    a.run()
    b.run()
    assert _mse(a) == want[1] and _mse(b) == want[2]  # reruns: each session's own result, not the last one
    a.file_uploader(key="score_upload").set_value(
        ("junk.csv", b"\x89PNG\r\n\x1a\n" + bytes(300), "text/csv")
    ).run()
    assert not a.exception and a.error and not a.metric
    b.run()
    assert _mse(b) == want[2] and not b.error
    a.file_uploader(key="score_upload").set_value(("a.csv", _file(1), "text/csv")).run()
    assert _mse(a) == want[1]
