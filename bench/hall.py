"""A lecture hall on one server: N simulated students, each a raw websocket client of ``streamlit run
app.py`` (deploy/client.py speaks the browser's protocol), dragging a prediction every ~2 s.

    python bench/hall.py                          # N = 1, 10, 25, 50 on /regression, 20 drags each
    python bench/hall.py --sessions 1 10 --drags 10 --variants gc nogc
    python bench/hall.py --variants gc nogc freeze --sessions 1 --soak 300   # RSS over many reruns
    python bench/hall.py --replicas 2 --variants deflate  # K replicas behind nginx (deploy/serve.py)
    python bench/hall.py --bytes                  # bytes per drag on the three explorers, and what they are
    python bench/hall.py --first-visit            # a first visit's download, direct and behind nginx

Each (variant, N) gets a fresh server on a free loopback port (stopped by its own PID), or with
``--replicas K`` a fresh deploy/serve.py hall (K replicas behind nginx, RSS and CPU summed over the
replicas, each session with its own sticky cookie) on top of its own flags: the N sessions
open the page (a few at a time), then each drags handle i by ±0.3 every ``--interval`` s (±20 %, random
phase) until it has made ``--drags`` drags or ``--max-seconds`` have passed. A drag is what the drag
component's JS sends on pointer-up: its state ``{"positions": {"y", "rev"}}`` as a rerun of the page's
fragment; its latency is BackMsg sent -> ``script_finished`` received. RSS is the server process's
(``/proc/<pid>/status``): after the pages are open, and the peak while dragging. Server CPU is its user +
system time over the dragging phase, as a share of one core. Bytes per drag: the ForwardMsgs' protobuf
payload (what the browser decodes) and what came over the socket.

Variants (server flags; ``default`` is whatever .streamlit/config.toml says):
    gc       --runner.postScriptGC true     Streamlit's default: gc.collect(2) after every run
    nogc     --runner.postScriptGC false
    freeze   postScriptGC true, but gc.freeze() after importing Streamlit, numpy, pandas, plotly and the
             app's packages (the launcher does it before the server starts)
    deflate  nogc + --server.enableWebsocketCompression true (permessage-deflate)

Loopback only, bounded in count and time; figures only, no test asserts on them.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import json
import os
import random
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from deploy.client import Run, Session, drag  # noqa: E402

#: Each explorer's URL path and the key of the drag widget shown by default.
PAGES = {"regression": "reg_free", "binary": "bin_s", "multiclass": "mc_z"}
VARIANTS = {
    "default": [],
    "gc": ["--runner.postScriptGC", "true"],
    "nogc": ["--runner.postScriptGC", "false"],
    "freeze": ["--runner.postScriptGC", "true"],
    "deflate": ["--runner.postScriptGC", "false", "--server.enableWebsocketCompression", "true"],
}
FREEZE_LAUNCHER = """
import gc, sys
import numpy, pandas, pyarrow, plotly.graph_objects, plotly.io
import streamlit, streamlit.web.cli, streamlit.web.bootstrap, streamlit.runtime
import losses, losses.fitting, charts.regression, charts.classification, scenes.regression, scenes.binary
import scenes.multiclass
gc.collect()
gc.freeze()
sys.argv = ["streamlit", *sys.argv[1:]]
streamlit.web.cli.main(prog_name="streamlit")
"""
STEP = 0.3  # how far a drag moves a handle


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def rss_mb(pids: int | list[int]) -> float:
    """Resident memory of the server process (or the sum over replicas), MB."""
    total = 0.0
    for pid in [pids] if isinstance(pids, int) else pids:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                total += int(line.split()[1]) / 1024
    return total


def cpu_seconds(pids: int | list[int]) -> float:
    total = 0.0
    for pid in [pids] if isinstance(pids, int) else pids:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        total += (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")
    return total


@contextlib.contextmanager
def proxied(variant: str, extra: list[str], replicas: int) -> Iterator[tuple[str, list[int]]]:
    """deploy/serve.py's hall: ``replicas`` replicas with the variant's flags behind nginx; yields (url,
    the replicas' PIDs)."""
    if variant == "freeze":
        raise SystemExit("--replicas: the freeze variant needs its launcher; use gc, nogc or deflate")
    from deploy import serve

    run_dir = Path(tempfile.mkdtemp(prefix="lossx-hall-bench-"))
    try:
        own = [*VARIANTS[variant], *extra]
        with serve.Hall(replicas=replicas, port=free_port(), run_dir=run_dir, streamlit_args=own,
                        ws_compression=variant == "deflate") as h:  # deploy/'s default: on  # fmt: skip
            yield h.url, [pid for name, pid in h.pids.items() if name.startswith("replica")]
    finally:
        import shutil

        shutil.rmtree(run_dir, ignore_errors=True)


def load_average() -> str:
    return " ".join(f"{v:.2f}" for v in os.getloadavg())


@contextlib.contextmanager
def server(variant: str, extra: list[str]) -> Iterator[tuple[str, int]]:
    """``streamlit run app.py`` on a free loopback port with the variant's flags: yields (url, pid)."""
    port = free_port()
    url = f"http://127.0.0.1:{port}"
    args = ["run", "app.py", "--server.headless", "true", "--server.port", str(port), "--server.address",
            "127.0.0.1", "--browser.gatherUsageStats", "false", *VARIANTS[variant], *extra]  # fmt: skip
    cmd = [sys.executable, "-c", FREEZE_LAUNCHER, *args] if variant == "freeze" else [
        sys.executable, "-m", "streamlit", *args]  # fmt: skip
    log = tempfile.TemporaryFile()
    proc = subprocess.Popen(cmd, cwd=REPO, stdout=log, stderr=subprocess.STDOUT, start_new_session=True)
    try:
        deadline = time.monotonic() + 90
        while True:
            if proc.poll() is not None or time.monotonic() > deadline:
                log.seek(0)
                raise RuntimeError(f"streamlit did not start ({cmd}):\n{log.read().decode(errors='replace')}")
            try:
                urllib.request.urlopen(f"{url}/_stcore/health", timeout=1).close()
                break
            except OSError:
                time.sleep(0.25)
        yield url, proc.pid
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=15)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()
        log.close()


def pct(ms: list[float], q: float) -> float:
    if not ms:
        return float("nan")
    s = sorted(ms)
    return s[min(len(s) - 1, int(q * len(s)))]


@dataclass
class Hall:
    variant: str
    n: int
    latencies: list[float] = field(default_factory=list)  # ms per drag
    loads: list[float] = field(default_factory=list)  # ms per first page run
    payload: list[int] = field(default_factory=list)
    wire: list[int] = field(default_factory=list)
    rss_open: float = 0.0
    rss_peak: float = 0.0
    rss_end: float = 0.0
    cpu_share: float = 0.0
    seconds: float = 0.0
    errors: list[str] = field(default_factory=list)
    load_avg: str = ""

    def row(self) -> str:
        kb = statistics.mean(self.payload) / 1024 if self.payload else float("nan")
        wkb = statistics.mean(self.wire) / 1024 if self.wire else float("nan")
        return (f"{self.variant:8} {self.n:3} {len(self.latencies):5} {pct(self.latencies, 0.5):8.0f} "
                f"{pct(self.latencies, 0.9):8.0f} {max(self.latencies, default=float('nan')):8.0f} "
                f"{pct(self.loads, 0.5):8.0f} {self.rss_open:8.0f} {self.rss_peak:8.0f} {kb:7.1f} {wkb:7.1f} "
                f"{100 * self.cpu_share:5.0f}%  {self.load_avg}"
                + (f"  {len(self.errors)} errors: {self.errors[0][:80]}" if self.errors else ""))  # fmt: skip


HEADER = (f"{'variant':8} {'N':>3} {'drags':>5} {'p50 ms':>8} {'p90 ms':>8} {'max ms':>8} {'open ms':>8} "
          f"{'RSS open':>8} {'RSS peak':>8} {'KB/drag':>7} {'wire KB':>7} {'CPU':>6}  load avg (1/5/15 min) "
          "at the end")  # fmt: skip


async def hall(url: str, pid: int | list[int], h: Hall, page: str, drags: int, interval: float,
               max_seconds: float) -> None:  # fmt: skip
    key = PAGES[page]
    # behind the proxy each student has its own sticky cookie, as each browser gets one
    sessions = [Session(url, page, timeout=120, headers={"Cookie": f"lossx_replica=student{j}"})
                for j in range(h.n)]  # fmt: skip
    gate = asyncio.Semaphore(4)  # open the pages a few at a time, as students arriving do

    async def open_one(s: Session) -> None:
        async with gate:
            await s.connect()
            h.loads.append((await s.run()).seconds * 1e3)

    await asyncio.gather(*(open_one(s) for s in sessions))
    h.rss_open = h.rss_peak = rss_mb(pid)
    cpu0, t0 = cpu_seconds(pid), time.monotonic()
    deadline = t0 + max_seconds

    async def student(j: int, s: Session) -> None:
        rng = random.Random(j)
        await asyncio.sleep(rng.uniform(0, interval))
        next_at = time.monotonic()
        for k in range(drags):
            if time.monotonic() > deadline:
                return
            try:
                r: Run = await drag(s, key, j + k, STEP if k % 2 == 0 else -STEP)
            except Exception as e:  # noqa: BLE001 - reported in the table, the others go on
                h.errors.append(f"{type(e).__name__}: {e}")
                return
            h.latencies.append(r.seconds * 1e3)
            h.payload.append(r.payload_bytes)
            h.wire.append(r.wire_bytes)
            next_at += interval * rng.uniform(0.8, 1.2)
            await asyncio.sleep(max(0.0, next_at - time.monotonic()))

    async def sample() -> None:
        while True:
            h.rss_peak = max(h.rss_peak, rss_mb(pid))
            await asyncio.sleep(0.5)

    sampler = asyncio.create_task(sample())
    try:
        await asyncio.wait_for(asyncio.gather(*(student(j, s) for j, s in enumerate(sessions))),
                               max_seconds + 150)  # fmt: skip
    finally:
        sampler.cancel()
        h.seconds = time.monotonic() - t0
        h.cpu_share = (cpu_seconds(pid) - cpu0) / h.seconds
        h.rss_end = rss_mb(pid)
        h.rss_peak = max(h.rss_peak, h.rss_end)
        h.load_avg = load_average()
        await asyncio.gather(*(s.close() for s in sessions), return_exceptions=True)


async def soak(url: str, pid: int, page: str, reruns: int) -> None:
    """One session, ``reruns`` drags back to back: latency and RSS every 50."""
    async with Session(url, page, timeout=120) as s:
        await s.run()
        ms: list[float] = []
        line = f"  RSS MB: open {rss_mb(pid):.0f}"
        for k in range(reruns):
            ms.append((await drag(s, PAGES[page], k, STEP if k % 2 == 0 else -STEP)).seconds * 1e3)
            if (k + 1) % 50 == 0:
                line += f", {k + 1}: {rss_mb(pid):.0f}"
        print(f"  {reruns} drags back to back: p50 {pct(ms, 0.5):.0f} ms, p90 {pct(ms, 0.9):.0f} ms")
        print(line + f"   (load avg {load_average()})")


# ---- bytes per drag: what they are -------------------------------------------------------------------
def _spec_parts(spec: dict, before: dict | None) -> dict[str, int]:
    """A Plotly spec's bytes: its template, traces identical to the previous drag's, and the rest."""
    size = lambda o: len(json.dumps(o, separators=(",", ":")))  # noqa: E731
    layout = spec.get("layout", {})
    template = size(layout.get("template", {}))
    old = [json.dumps(t, sort_keys=True) for t in (before or {}).get("data", [])]
    same = sum(size(t) for t in spec.get("data", []) if json.dumps(t, sort_keys=True) in old)
    return {"template": template, "same traces": same}


async def bytes_per_drag(url: str, page: str, drags: int) -> dict[str, float]:
    parts: dict[str, float] = {}
    async with Session(url, page, timeout=120) as s:
        await s.run()
        await drag(s, PAGES[page], 0, STEP)
        prev = {p: el.SerializeToString() for p, el in s.elements.items()}
        prev_specs = {p: json.loads(el.plotly_chart.spec) for p, el in s.elements.items()
                      if el.WhichOneof("type") == "plotly_chart"}  # fmt: skip
        for k in range(drags):
            r = await drag(s, PAGES[page], k + 1, -STEP if k % 2 == 0 else STEP)
            add = lambda name, n: parts.__setitem__(name, parts.get(name, 0) + n / drags)  # noqa: E731
            add("total", r.payload_bytes)
            add("wire", r.wire_bytes)
            for fm, n in r.messages:
                what = fm.WhichOneof("type")
                if what == "ref_hash":
                    add("refs to cached elements", n)
                    continue
                if what != "delta" or fm.delta.WhichOneof("type") != "new_element":
                    add("other messages", n)
                    continue
                path, el = tuple(fm.metadata.delta_path), fm.delta.new_element
                kind = el.WhichOneof("type")
                if prev.get(path) == el.SerializeToString():
                    add(f"unchanged {kind}", n)
                elif kind == "plotly_chart":
                    spec = json.loads(el.plotly_chart.spec)
                    got = _spec_parts(spec, prev_specs.get(path))
                    add("plotly template", got["template"])
                    add("plotly traces unchanged", got["same traces"])
                    add("plotly changed", n - got["template"] - got["same traces"])
                    prev_specs[path] = spec
                elif kind == "bidi_component":
                    bc = el.bidi_component
                    src = len(bc.js_content) + len(bc.css_content) + len(bc.html_content)
                    add("component source", src)
                    add("component data", n - src)
                else:
                    add(f"changed {kind}", n)
            prev = {p: el.SerializeToString() for p, el in s.elements.items()}
    return parts


def print_bytes(results: dict[str, dict[str, float]], note: str) -> None:
    names = sorted({k for r in results.values() for k in r if k not in ("total", "wire")},
                   key=lambda k: -max(r.get(k, 0) for r in results.values()))  # fmt: skip
    pages = list(results)
    print(f"\nBytes per drag ({note}), KB (share of the payload):")
    print(f"{'':28}" + "".join(f"{p:>20}" for p in pages))
    for name in ["total", "wire", *names]:
        cells = []
        for p in pages:
            v, total = results[p].get(name, 0.0), results[p]["total"]
            cells.append(f"{v / 1024:9.1f}" + (f" ({100 * v / total:4.1f}%)" if name not in ("total", "wire")
                                                 else " " * 8))  # fmt: skip
        print(f"{name:28}" + "".join(f"{c:>20}" for c in cells))


def first_visit() -> None:
    """What a first visit to /regression downloads (Chromium, empty cache): Streamlit alone, and behind
    deploy/serve.py's nginx (gzip_static frontend, websocket permessage-deflate)."""
    from playwright.sync_api import sync_playwright

    from deploy import serve
    from tests.browser import launch_chromium, new_page, open_app

    def visit(browser, url: str) -> tuple[int, int, int]:
        page = new_page(browser)
        got: list = []
        page.on("requestfinished", lambda r: got.append(r))
        try:
            open_app(page, f"{url}/regression")
            page.wait_for_timeout(1000)
            sizes = [r.sizes() for r in got]
            body = sum(s["responseBodySize"] for s in sizes)
            headers = sum(s["responseHeadersSize"] for s in sizes)
            return len(got), body, headers
        finally:
            page.context.close()

    run_dir = Path(tempfile.mkdtemp(prefix="lossx-hall-bench-"))
    try:
        with sync_playwright() as pw, server("default", []) as (direct, _), serve.Hall(
            replicas=1, port=free_port(), run_dir=run_dir) as hall:  # fmt: skip
            browser = launch_chromium(pw)
            for name, url in (("streamlit run (direct)", direct), ("behind nginx (deploy/)", hall.url)):
                n, body, headers = visit(browser, url)
                print(f"{name:32} {n:4} requests  {body / 2**20:6.2f} MB bodies as sent  "
                      f"{headers / 1024:6.1f} KB headers")  # fmt: skip
            browser.close()
    finally:
        import shutil

        shutil.rmtree(run_dir, ignore_errors=True)
    print("(websocket frames are not in these figures)")


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--sessions", type=int, nargs="+", default=[1, 10, 25, 50], metavar="N")
    ap.add_argument("--variants", nargs="+", default=["default"], choices=list(VARIANTS))
    ap.add_argument("--page", default="regression", choices=list(PAGES))
    ap.add_argument("--drags", type=int, default=20, help="drags per session (default 20)")
    ap.add_argument("--interval", type=float, default=2.0, help="seconds between one student's drags")
    ap.add_argument("--max-seconds", type=float, default=90.0, help="stop starting drags after this")
    ap.add_argument("--replicas", type=int, default=0, metavar="K",
                    help="instead of one server: K replicas behind nginx (deploy/serve.py)")  # fmt: skip
    ap.add_argument("--soak", type=int, default=0, metavar="M", help="instead: one session, M drags in a row")
    ap.add_argument("--bytes", action="store_true", help="instead: bytes per drag on each explorer")
    ap.add_argument("--first-visit", action="store_true", help="instead: a first visit, in Chromium")
    ap.add_argument("--server-arg", action="append", default=[], metavar="FLAG",
                    help="an extra flag for streamlit run, e.g. --server-arg=--global.minCachedMessageSize=0")
    args = ap.parse_args()
    extra = [a for flag in args.server_arg for a in flag.split("=", 1)]
    print(f"{os.cpu_count()} cores; load average {load_average()} at the start")
    if args.first_visit:
        first_visit()
        return
    if args.bytes:
        for variant in args.variants:
            with server(variant, extra) as (url, _):
                results = {p: asyncio.run(bytes_per_drag(url, p, args.drags)) for p in PAGES}
            print_bytes(results, f"{variant}{' ' + ' '.join(extra) if extra else ''}; {args.drags} drags per "
                        f"page; load avg {load_average()}")  # fmt: skip
        return
    if args.soak:
        for variant in args.variants:
            print(f"{variant}:")
            with server(variant, extra) as (url, pid):
                asyncio.run(soak(url, pid, args.page, args.soak))
        return
    where = f"{args.replicas} replicas behind nginx" if args.replicas else "one server"
    print(f"{where}, /{args.page}: each session drags every {args.interval:g} s, {args.drags} drags (at most "
          f"{args.max_seconds:g} s); latency = drag sent -> script finished; RSS in MB\n")  # fmt: skip
    print(HEADER)
    for variant in args.variants:
        for n in args.sessions:
            h = Hall(variant, n)
            start = proxied(variant, extra, args.replicas) if args.replicas else server(variant, extra)
            with start as (url, pid):
                asyncio.run(hall(url, pid, h, args.page, args.drags, args.interval, args.max_seconds))
            print(h.row(), flush=True)


if __name__ == "__main__":
    main()
