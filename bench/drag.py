"""How a drag feels in Chromium: updates per second while the pointer moves, pointer-up -> every chart final.

    python bench/drag.py                      # the three explorers, 20 drags each
    python bench/drag.py --drags 30 --pages regression

A drag is: press on a handle, move it 80 px in 40 pointer moves as fast as the browser takes them, release.
- **Updates/s during the drag**: the frames in which the first total's text changed (the live preview,
  from the tables the server sent; scenes/live.py) per second while the pointer moved, and per pointer move
  (the preview draws at most once per frame).
- **Pointer-up -> final**: from the release until the app's run has finished (the drag widget has the
  server's exact values then) and every Plotly chart's last ``Plotly.react`` of that run has resolved
  (``window.Plotly.react`` is wrapped to time it), and the number of ``Plotly.react`` calls per chart.
- Whether the preview at pointer-up already showed the server's final totals (to the displayed digits).
Figures only: median and 90th percentile over the drags. No test asserts on them.
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from tests.browser import launch_chromium, new_page, open_app, streamlit_server, wait_idle  # noqa: E402

PAGES = {  # page: (drag widget key, metrics row key)
    "regression": ("reg_free", "reg_metrics_row"),
    "binary": ("bin_s", "bin_metrics_row"),
    "multiclass": ("mc_z", "mc_m_ce"),  # its first total (the metrics are keyed one by one)
}
HOOK = """([row]) => {
  window.__b = { changes: [], reacts: [], calls: {}, idle: [], moves: [] };
  if (!window.__benchMoves) {
    window.__benchMoves = true;
    document.addEventListener('pointermove', () => window.__b.moves.push(performance.now()), true);
  }
  const app = document.querySelector('[data-testid="stApp"]');
  new MutationObserver(() => {
    if (app.getAttribute('data-test-script-state') === 'notRunning') window.__b.idle.push(performance.now());
  }).observe(app, { attributes: true, attributeFilter: ['data-test-script-state'] });
  const orig = window.Plotly.react;
  if (!window.__benchWrapped) {
    window.__benchWrapped = true;
    window.Plotly.react = function (gd, ...a) {
      const host = gd && gd.closest && gd.closest('[class*="st-key-"]');
      const key = host ? [...host.classList].find((c) => c.startsWith('st-key-')).slice(7) : '?';
      window.__b.calls[key] = (window.__b.calls[key] || 0) + 1;
      const out = orig.call(this, gd, ...a);
      Promise.resolve(out).then(() => window.__b.reacts.push(performance.now()));
      return out;
    };
  }
  const el = document.querySelector(`.st-key-${row} [data-testid="stMetricValue"]`);
  new MutationObserver(() => window.__b.changes.push(performance.now()))
    .observe(el, { subtree: true, characterData: true, childList: true });
}"""
METRICS = """([row]) => [...document.querySelectorAll(`.st-key-${row} [data-testid="stMetricValue"]`)]
  .map((e) => e.innerText.replace('\\u200b', ''))"""


def pct(values: list[float], q: float) -> float:
    values = sorted(values)
    return values[min(len(values) - 1, int(q * len(values)))]


def run_page(page, url: str, name: str, drags: int) -> dict:
    key, row = PAGES[name]
    open_app(page, f"{url}/{name}")
    page.wait_for_selector(f".st-key-{key} [role=slider]")
    page.wait_for_timeout(1500)
    rates, finals, calls, agree, drawn, per_move = [], [], [], 0, set(), []
    for d in range(drags):
        page.evaluate(HOOK, [row])
        handle = page.locator(f".st-key-{key} [role=slider]").nth(d % 3)
        box = handle.bounding_box()
        x, y = box["x"] + box["width"] / 2, box["y"] + box["height"] / 2
        sign = -1 if d % 2 == 0 else 1
        page.mouse.move(x, y)
        page.mouse.down()
        t_start = page.evaluate("() => performance.now()")
        page.mouse.move(x, y + sign * 80, steps=40)  # 40 pointer moves, as fast as the browser takes them
        t_moved = page.evaluate("() => performance.now()")
        moves = page.evaluate("() => window.__b.moves.length")
        preview = page.evaluate(METRICS, [row])
        t_up = page.evaluate("() => performance.now()")
        page.mouse.up()
        wait_idle(page)
        page.wait_for_timeout(1200)
        b = page.evaluate("() => window.__b")
        # the frames (60 Hz) in which the total changed: the preview draws at most once a frame
        frames = {int(t // (1000 / 60)) for t in b["changes"] if t_start <= t <= t_moved}
        rates.append(1000.0 * len(frames) / (t_moved - t_start))
        per_move.append(len(frames) / max(1, moves))
        after = [t for t in b["reacts"] + b["idle"] if t > t_up]  # the run's end, and any chart drawn after
        if after:
            finals.append(max(after) - t_up)
        calls.append(max(b["calls"].values()) if b["calls"] else 0)
        drawn.update(b["calls"])
        final = page.evaluate(METRICS, [row])
        agree += preview == final
        if preview != final and os.environ.get("BENCH_VERBOSE"):
            print("  preview", preview, "final", final)
    return {"rates": rates, "finals": finals, "calls": calls, "agree": agree, "drags": drags, "drawn": drawn,
            "per_move": per_move}  # fmt: skip


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--drags", type=int, default=20)
    ap.add_argument("--pages", nargs="+", default=list(PAGES), choices=list(PAGES))
    args = ap.parse_args()
    from playwright.sync_api import sync_playwright

    print(f"{os.cpu_count()} cores; load average {' '.join(f'{v:.2f}' for v in os.getloadavg())}")
    with streamlit_server("app.py") as url, sync_playwright() as pw:
        browser = launch_chromium(pw)
        page = new_page(browser)
        for name in args.pages:
            r = run_page(page, url, name, args.drags)
            f = r["finals"] or [float("nan")]
            print(f"/{name:11} updates/s during the drag p50 {statistics.median(r['rates']):5.1f}  "
                  f"p10 {pct(r['rates'], 0.1):5.1f} (frames updated per pointer move "
                  f"{statistics.median(r['per_move']):.2f})   pointer-up -> every chart final p50 "
                  f"{statistics.median(f):6.0f} ms  p90 {pct(f, 0.9):6.0f} ms   Plotly.react per chart per "
                  f"drag: {max(r['calls'])} ({', '.join(sorted(r['drawn'])) or 'none'})   preview = final "
                  f"totals: {r['agree']}/{r['drags']}")  # fmt: skip
        browser.close()


if __name__ == "__main__":
    main()
