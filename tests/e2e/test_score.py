"""The scoring page in Chromium: upload a real file, the metrics equal the CLI's, the report downloads and
parses, a junk file shows its message. Screenshots land in the shots folder (see conftest.screenshot)."""

from __future__ import annotations

import csv
import io
import json
import subprocess
import sys
from pathlib import Path

import losses
from tests.e2e.conftest import assert_no_exception, open_app, screenshot, wait_idle

ROOT = Path(__file__).resolve().parents[2]
FIX = ROOT / "tests" / "scoring" / "fixtures"


def _upload(page, path: Path) -> None:
    page.locator(".st-key-score_source").get_by_text("Upload a file").click()
    wait_idle(page)
    page.locator('.st-key-score_upload input[type="file"]').set_input_files(str(path))
    wait_idle(page)


def _metrics(page) -> dict[str, str]:
    out = {}
    for m in page.locator('[data-testid="stMetric"]').all():
        label = m.locator('[data-testid="stMetricLabel"]').inner_text().strip()
        out[label] = m.locator('[data-testid="stMetricValue"]').inner_text().strip()
    return out


def _upload_scores_like_the_cli(page, app_url, path: Path) -> dict:
    """Upload ``path`` on the Score page, check its metrics show the CLI's costs, return the CLI's losses."""
    open_app(page, f"{app_url}/score")
    _upload(page, path)
    assert_no_exception(page)
    shown = _metrics(page)
    cli = subprocess.run([sys.executable, "-m", "scoring", str(path), "--format", "json"], cwd=ROOT,
                         capture_output=True, text=True, check=True)  # fmt: skip
    want = json.loads(cli.stdout)["losses"]
    assert len(shown) == len(want)
    for name, entry in want.items():
        assert float(shown[losses.get(name).title]) == float(f"{entry['cost']:.6g}"), name
    return want


def test_upload_scores_like_the_cli_and_downloads_a_report(page, app_url):
    want = _upload_scores_like_the_cli(page, app_url, FIX / "binary_strings.csv")
    screenshot(page, "score_upload_binary")
    with page.expect_download() as info:
        page.locator(".st-key-score_download_csv button").click()
    text = Path(info.value.path()).read_text(encoding="utf-8")
    rows = list(csv.DictReader(io.StringIO(text)))
    assert len(rows) == 12 and "binary_cross_entropy" in rows[0]
    assert (
        abs(sum(float(r["binary_cross_entropy"]) for r in rows) / 12 - want["binary_cross_entropy"]["cost"])
        < 1e-9
    )


def test_a_parquet_upload_scores_like_the_cli(page, app_url, tmp_path):
    import pandas as pd  # to_parquet needs pyarrow, which streamlit itself depends on: no skip

    path = tmp_path / "rain.parquet"
    pd.read_csv(ROOT / "examples" / "rain_tomorrow.csv").to_parquet(path)
    want = _upload_scores_like_the_cli(page, app_url, path)
    assert "binary_cross_entropy" in want
    assert "rain.parquet" in page.locator('[data-testid="stMain"]').inner_text()
    screenshot(page, "score_upload_parquet")


def test_example_files_render_their_charts(page, app_url):
    for example in ("regression_outliers.csv", "species_multiclass.csv"):
        open_app(page, f"{app_url}/score")
        _upload(page, ROOT / "examples" / example)
        assert_no_exception(page)
        page.get_by_role("tab", name="Charts").click()
        wait_idle(page)
        page.wait_for_selector(".js-plotly-plot")
        screenshot(page, f"score_{Path(example).stem}")


def test_junk_upload_shows_the_message(page, app_url):
    open_app(page, f"{app_url}/score")
    _upload(page, FIX / "binary_junk.csv")
    assert_no_exception(page)
    alert = page.locator('[data-testid="stAlertContentError"]')
    assert "not a CSV text file" in alert.first.inner_text()
    screenshot(page, "score_junk")


# -- issue 9: the choices are in the link; charts readable at 150% ------------------------------------------
def _choose(page, key: str, option: str) -> None:
    """Pick an option of a selectbox (the first click right after a rerun may not open its list: retry)."""
    from playwright.sync_api import TimeoutError as PlaywrightTimeout

    box = page.locator(f".st-key-{key}").get_by_role("combobox")
    wanted = page.get_by_role("option", name=option, exact=True)
    for _ in range(3):
        box.click()
        try:
            wanted.wait_for(timeout=2000)
            break
        except PlaywrightTimeout:
            page.keyboard.press("Escape")
    wanted.click()
    wait_idle(page)


def test_the_pages_choices_go_into_the_link_and_come_back_from_it(page, app_url, browser):
    open_app(page, f"{app_url}/score")
    _choose(page, "score_example", "rain_tomorrow.csv")
    _choose(page, "score_focus", "Hinge loss")
    page.get_by_role("tab", name="Charts").click()
    wait_idle(page)
    page.locator(".st-key-score_log label").click()
    wait_idle(page)
    url = page.url
    for part in ("score_example=rain_tomorrow.csv", "score_focus=Hinge", "score_tab=Charts",
                 "score_log=true"):  # fmt: skip
        assert part in url, url
    other = browser.new_context(viewport={"width": 1280, "height": 720}).new_page()
    try:
        open_app(other, url)
        assert_no_exception(other)
        assert other.locator(".st-key-score_focus").get_by_role("combobox").input_value() == "Hinge loss"
        assert other.get_by_role("tab", name="Charts").get_attribute("aria-selected") == "true"
        assert other.locator('.st-key-score_log input[type="checkbox"]').is_checked()
        from playwright.sync_api import expect

        expect(other.locator(".js-plotly-plot")).to_have_count(3)  # histogram, calibration, loss vs p
    finally:
        other.context.close()


def test_a_bad_example_in_a_link_is_reported(page, app_url):
    open_app(page, f"{app_url}/score?score_example=nope.csv")
    warning = page.locator('[data-testid="stAlertContentWarning"]').first
    assert "example file" in warning.inner_text() and "nope.csv" in warning.inner_text()
    assert_no_exception(page)


_TITLES_INSIDE = """plot => {
    const svg = plot.querySelector('svg.main-svg').getBoundingClientRect();
    return [...plot.querySelectorAll('.g-xtitle text, .g-ytitle text')].filter(t => {
        const b = t.getBoundingClientRect();
        return b.left < svg.left - 1 || b.right > svg.right + 1
            || b.top < svg.top - 1 || b.bottom > svg.bottom + 1;
    }).map(t => t.textContent);
}"""
_LABEL_BOXES = """plot => [...plot.querySelectorAll('.scatterlayer .textpoint text')].map(t => {
    const b = t.getBoundingClientRect(); return [t.textContent, b.left, b.top, b.right, b.bottom];
})"""


def test_charts_at_150_percent_keep_their_titles_and_labels_apart(browser, app_url):
    context = browser.new_context(viewport={"width": round(1280 / 1.5), "height": round(720 / 1.5)},
                                  device_scale_factor=1.5)  # fmt: skip
    page = context.new_page()
    try:
        for example in ("regression_outliers.csv", "rain_tomorrow.csv", "species_multiclass.csv"):
            open_app(page, f"{app_url}/score?score_example={example}&score_tab=Charts")
            assert_no_exception(page)
            plots = page.locator(".js-plotly-plot")
            plots.first.wait_for()
            page.wait_for_timeout(300)
            for plot in plots.all():
                assert not plot.evaluate(_TITLES_INSIDE), f"{example}: an axis title is clipped"
                boxes = plot.evaluate(_LABEL_BOXES)
                for i, a in enumerate(boxes):
                    for b in boxes[:i]:
                        apart = a[3] <= b[1] or b[3] <= a[1] or a[4] <= b[2] or b[4] <= a[2]
                        assert apart, f"{example}: labels {a[0]} and {b[0]} overlap"
            screenshot(page, f"score_charts_150_{Path(example).stem}", full=True)
    finally:
        context.close()


# -- issue 15: hostile text is shown as text -----------------------------------------------------------------
def test_a_bare_url_or_email_in_a_link_or_a_file_is_not_a_link(page, app_url, tmp_path):
    """GFM autolinks bare URLs after the Markdown is parsed, so escaping alone left them clickable."""
    for query in ("score_example=https://evil.example/login", "score_example=www.evil.example",
                  "score_focus=admin@evil.example"):  # fmt: skip
        open_app(page, f"{app_url}/score?{query}")
        assert_no_exception(page)
        warning = page.locator('[data-testid="stAlertContentWarning"]').first
        warning.wait_for()
        assert "evil" in warning.inner_text()
        assert warning.locator("a").count() == 0, warning.inner_html()
    path = tmp_path / "links.csv"
    path.write_text("y_true,y_pred\nhttps://evil.example/a,1\nwww.evil.example,2\nx@evil.example,3\n",
                    encoding="utf-8")  # fmt: skip
    open_app(page, f"{app_url}/score")
    _upload(page, path)
    assert_no_exception(page)
    alert = page.locator('[data-testid="stAlertContentError"]').first
    assert "evil" in alert.inner_text() and alert.locator("a").count() == 0, alert.inner_html()
    assert page.locator('[data-testid="stMain"] a[href*="evil"]').count() == 0


# -- issue 15: hostile files through the browser's file input; the server's upload limit; two sessions -------
def _corpus(tmp_path, *names):
    from tests.hostile import make_corpus

    cases = {c.name: c for c in make_corpus.cases()}
    for name in names:
        (tmp_path / cases[name].file).write_bytes(cases[name].data)
    return [cases[n] for n in names]


def test_hostile_files_through_the_file_input(page, app_url, tmp_path):
    from scoring.errors import KINDS

    for case in _corpus(tmp_path, "formula_cells_and_names", "labels_12_with_prob", "extra_field_first_row",
                        "8000_columns", "encoding_utf-32"):  # fmt: skip
        open_app(page, f"{app_url}/score")
        _upload(page, tmp_path / case.file)
        assert_no_exception(page)
        if case.expect == "refuse":
            alert = page.locator('[data-testid="stAlertContentError"]').first
            text = alert.inner_text()
            assert any(KINDS[k] in text for k in case.kinds) and all(n in text for n in case.needles), text
            continue
        shown = _metrics(page)
        for name, want in case.costs.items():
            assert abs(float(shown[losses.get(name).title]) - want) <= 1e-5 * abs(want), name
        if case.name == "formula_cells_and_names":
            with page.expect_download() as info:
                page.locator(".st-key-score_download_csv button").click()
            text = Path(info.value.path()).read_text(encoding="utf-8")
            cells = [c for r in csv.reader(io.StringIO(text)) for c in r]
            assert "'=y_true" in cells and "'@pred" in cells
            runs = [c for c in cells if c[:1] in ("=", "+", "@", "\t") or (c[:1] == "-" and not _number(c))]
            assert not runs, runs


def _number(text: str) -> bool:
    try:
        float(text)
    except ValueError:
        return False
    return True


def test_the_server_refuses_an_upload_over_the_pages_limit_before_reading_it(page, app_url):
    """maxUploadSize was 200 MB while the page took 50: a 60 MB PUT was read. Now it is refused at once (413),
    for a real session with its XSRF token, taken from the page's own upload of a small file."""
    import http.client
    from urllib.parse import urlparse

    puts = []
    page.on("request", lambda r: puts.append(r) if r.method == "PUT" and "upload_file/" in r.url else None)
    open_app(page, f"{app_url}/score")
    _upload(page, FIX / "regression_header.csv")
    assert puts, "the page's upload was not seen"
    url = urlparse(puts[0].url)
    cookies = "; ".join(f"{c['name']}={c['value']}" for c in page.context.cookies())
    conn = http.client.HTTPConnection(url.hostname, url.port, timeout=10)
    try:
        conn.putrequest("PUT", url.path.rsplit("/", 1)[0] + "/hostile-file-id")
        conn.putheader("X-Xsrftoken", puts[0].headers.get("x-xsrftoken", ""))
        conn.putheader("Cookie", cookies)
        conn.putheader("Content-Type", "multipart/form-data; boundary=b")
        conn.putheader("Content-Length", str(60 * 2**20))
        conn.endheaders()
        conn.send(b"x" * 65536)  # the rest never comes: a server that reads on would wait out the timeout
        status = conn.getresponse().status
    finally:
        conn.close()
    assert status == 413


def test_two_browser_sessions_see_only_their_own_upload(browser, app_url, tmp_path):
    import numpy as np

    want = {}
    for seed in (1, 2):
        rng = np.random.default_rng(seed)
        t = np.round(rng.normal(10, 3, 100), 4)
        p = np.round(t + rng.normal(0, seed, 100), 4)
        path = tmp_path / f"s{seed}.csv"
        path.write_text("y_true,y_pred\n" + "".join(f"{a},{b}\n" for a, b in zip(t, p, strict=True)))
        want[seed] = float(f"{np.mean((p - t) ** 2):.6g}")
    pages = [browser.new_context(viewport={"width": 1280, "height": 720}).new_page() for _ in (1, 2)]
    try:
        for seed, pg in zip((1, 2), pages, strict=True):
            open_app(pg, f"{app_url}/score")
            _upload(pg, tmp_path / f"s{seed}.csv")
        for seed, pg in zip((1, 2), pages, strict=True):  # a rerun of each: still its own file's numbers
            pg.get_by_role("tab", name="Charts").click()
            wait_idle(pg)
            assert_no_exception(pg)
            assert float(_metrics(pg)["Mean squared error (L2)"]) == want[seed]
    finally:
        for pg in pages:
            pg.context.close()
