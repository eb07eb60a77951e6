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
    page.locator(".st-key-score_source").get_by_text("Upload a CSV").click()
    wait_idle(page)
    page.locator('.st-key-score_upload input[type="file"]').set_input_files(str(path))
    wait_idle(page)


def _metrics(page) -> dict[str, str]:
    out = {}
    for m in page.locator('[data-testid="stMetric"]').all():
        label = m.locator('[data-testid="stMetricLabel"]').inner_text().strip()
        out[label] = m.locator('[data-testid="stMetricValue"]').inner_text().strip()
    return out


def test_upload_scores_like_the_cli_and_downloads_a_report(page, app_url):
    open_app(page, f"{app_url}/score")
    path = FIX / "binary_strings.csv"
    _upload(page, path)
    assert_no_exception(page)
    shown = _metrics(page)
    cli = subprocess.run([sys.executable, "-m", "scoring", str(path), "--format", "json"], cwd=ROOT,
                         capture_output=True, text=True, check=True)  # fmt: skip
    want = json.loads(cli.stdout)["losses"]
    assert len(shown) == len(want)
    for name, entry in want.items():
        assert float(shown[losses.get(name).title]) == float(f"{entry['cost']:.6g}"), name
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
