"""Serve a bigger hall: K Streamlit replicas of app.py on loopback ports behind Debian's nginx.

    python deploy/serve.py run --replicas 2 --port 8080 --address 0.0.0.0   # until Ctrl-C, then stops all
    python deploy/serve.py start --replicas 2 --port 8080 --address 0.0.0.0 # in the background
    python deploy/serve.py check --port 8080        # one session per replica through the proxy: open + drag
    python deploy/serve.py status --port 8080
    python deploy/serve.py stop --port 8080

nginx (``apt-get install -y nginx``; its own service is not used) runs with a configuration written into
the run directory (default ``<tmp>/lossx-hall-<port>``) and:

* keeps each browser on one replica (a Streamlit session, its uploads and media live in one process;
  a websocket that drops reconnects to the same session): ``--sticky cookie`` (default) hashes a
  ``lossx_replica`` cookie that nginx sets on the first response, so students behind one NAT or on one
  Wi-Fi /24 still spread over the replicas; ``--sticky ip`` hashes the client's whole address instead
  (not ``ip_hash``, which hashes only the first three octets: a hall on one /24 would all land on one);
* proxies the websocket ``/_stcore/stream`` (Upgrade, an hour's read timeout) and keeps ``Host``, so
  Streamlit's origin and XSRF checks pass; every replica gets the same ``server.cookieSecret``;
* serves Streamlit's frontend (``/static/``, 26 MB, the Plotly chunk alone 4.7 MB) itself, from a copy
  (``<tmp>/lossx-www-<streamlit version>``, built once) with a ``.gz`` beside every compressible file
  (``gzip_static``; Streamlit sends them uncompressed), and gzips what it proxies (``gzip_proxied any``);
* adds ``X-Lossx-Replica: <upstream address>`` to proxied responses (which replica served you).

Each replica is ``streamlit run app.py`` on 127.0.0.1 with the repository's .streamlit/config.toml plus
``--server.enableWebsocketCompression true`` (permessage-deflate: a drag's 105 KB arrive as 32 KB; off
with ``--no-ws-compression``) and ``--global.minCachedMessageSize 1000`` (an unchanged element of 1 KB
or more is sent as a reference to the browser's copy).
One replica per core: each is one Python process, bound to one core by the GIL. Replicas on other
machines: ``start --no-proxy --address <lan ip>`` there, ``--upstream <ip:port>`` (repeatable) here.

Processes are stopped by the PIDs recorded in the run directory, nothing else.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import gzip
import json
import os
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
from dataclasses import dataclass, field
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
NGINX = shutil.which("nginx") or "/usr/sbin/nginx"
MIME_TYPES = Path("/etc/nginx/mime.types")
COOKIE = "lossx_replica"
COMPRESSIBLE = {".js", ".mjs", ".css", ".html", ".json", ".svg", ".txt", ".map", ".ttf", ".otf", ".wasm"}
REPLICA_FLAGS = ["--global.minCachedMessageSize", "1000"]
START_TIMEOUT_S = 120


class DeployError(RuntimeError):
    pass


def free_port(address: str = "127.0.0.1") -> int:
    with socket.socket() as s:
        s.bind((address, 0))
        return s.getsockname()[1]


def nginx_missing() -> str | None:
    """Why nginx cannot be used here, or None."""
    return None if Path(NGINX).exists() else "nginx is not installed (apt-get install -y nginx)"


# ---- the frontend, pre-compressed ------------------------------------------------------------------
def static_copy(root: Path | None = None) -> Path:
    """Streamlit's frontend copied to ``root`` (default ``<tmp>/lossx-www-<streamlit version>``) with a .gz
    beside each compressible file, built once per installed Streamlit and reused. Returns the nginx root
    (``/static/...`` is under it)."""
    import streamlit
    from streamlit import file_util

    src = Path(file_util.get_static_dir())
    root = Path(root or Path(tempfile.gettempdir()) / f"lossx-www-{streamlit.__version__}")
    stamp = f"{streamlit.__version__} {src}"
    if (root / ".streamlit-version").exists() and (root / ".streamlit-version").read_text() == stamp:
        return root
    building = root.with_name(f"{root.name}.building-{os.getpid()}")
    shutil.rmtree(building, ignore_errors=True)
    shutil.copytree(src, building)
    for path in building.rglob("*"):
        if path.is_file() and path.suffix in COMPRESSIBLE and path.stat().st_size >= 1024:
            data = path.read_bytes()
            packed = gzip.compress(data, compresslevel=9, mtime=0)
            if len(packed) < len(data):
                gz = path.with_name(path.name + ".gz")
                gz.write_bytes(packed)
                st = path.stat()
                os.utime(gz, (st.st_atime, st.st_mtime))
    for d in [building, *(p for p in building.rglob("*") if p.is_dir())]:
        d.chmod(0o755)  # nginx's workers run as nobody when the master is root
    (building / ".streamlit-version").write_text(stamp)
    shutil.rmtree(root, ignore_errors=True)
    try:
        building.rename(root)
    except OSError:  # another start built it meanwhile
        shutil.rmtree(building, ignore_errors=True)
    return root


def _readable_by_workers(path: Path) -> None:
    """As root, nginx's workers run as nobody: every folder above ``path`` must let others through."""
    if os.geteuid() != 0:
        return
    for d in [path, *path.parents]:
        if not d.stat().st_mode & 0o001:
            raise DeployError(f"{d} is not searchable by others (mode {d.stat().st_mode & 0o777:o}), so "
                              f"nginx's workers (user nobody) cannot reach {path}: use a --run-dir under "
                              "/tmp, or chmod o+x it")  # fmt: skip


def max_upload_mb() -> int:
    """The app's ``server.maxUploadSize`` (.streamlit/config.toml; Streamlit's default 200): nginx lets
    uploads that large through and leaves the refusal of larger ones to the replica."""
    import tomllib

    try:
        conf = tomllib.loads((REPO / ".streamlit" / "config.toml").read_text(encoding="utf-8"))
    except (OSError, tomllib.TOMLDecodeError):
        return 200
    return int(conf.get("server", {}).get("maxUploadSize", 200))


def nginx_conf(run_dir: Path, www: Path, listen: str, upstreams: list[str], sticky: str) -> str:
    key = "$remote_addr" if sticky == "ip" else "$lossx_key"
    servers = "\n".join(f"        server {u} max_fails=0;" for u in upstreams)
    types = f"include {MIME_TYPES};" if MIME_TYPES.exists() else (
        "types { text/html html; text/css css; application/javascript js mjs; application/json json; "
        "image/svg+xml svg; image/png png; font/woff2 woff2; font/woff woff; font/ttf ttf; }")  # fmt: skip
    tmp = run_dir / "tmp"
    return f"""# written by deploy/serve.py; nginx -p {run_dir} -c {run_dir / "nginx.conf"}
worker_processes auto;
daemon off;
pid {run_dir / "nginx.pid"};
error_log {run_dir / "error.log"} warn;
events {{ worker_connections 4096; }}

http {{
    {types}
    default_type application/octet-stream;
    log_format lossx '$remote_addr [$time_local] "$request" $status $body_bytes_sent -> $upstream_addr';
    access_log {run_dir / "access.log"} lossx;
    client_body_temp_path {tmp}/body;
    proxy_temp_path {tmp}/proxy;
    proxy_max_temp_file_size 0;  # large answers (a per-row report) stream through, never via a temp file
    fastcgi_temp_path {tmp}/fastcgi;
    uwsgi_temp_path {tmp}/uwsgi;
    scgi_temp_path {tmp}/scgi;
    sendfile on;
    tcp_nopush on;
    client_max_body_size {max_upload_mb() + 1}m;  # the app's server.maxUploadSize, and a little

    gzip on;
    gzip_comp_level 5;
    gzip_min_length 1024;
    gzip_proxied any;
    gzip_vary on;
    gzip_types text/css text/plain text/javascript application/javascript application/json
               application/manifest+json image/svg+xml;

    map $http_upgrade $connection_upgrade {{ default upgrade; "" close; }}
    # sticky sessions: the cookie's value, or (first visit) this request's id, which becomes the cookie
    map $cookie_{COOKIE} $lossx_key {{ "" $request_id; default $cookie_{COOKIE}; }}
    map $cookie_{COOKIE} $lossx_set_cookie {{
        "" "{COOKIE}=$request_id; Path=/; SameSite=Lax; HttpOnly";
        default "";
    }}

    upstream lossx {{
        hash {key} consistent;
{servers}
        keepalive 16;
    }}

    server {{
        listen {listen};
        add_header X-Lossx-Replica $upstream_addr always;
        {"add_header Set-Cookie $lossx_set_cookie always;" if sticky == "cookie" else ""}

        location /static/ {{
            root {www};
            gzip_static on;
            add_header Cache-Control "public, max-age=31536000, immutable";
        }}

        location = /_stcore/stream {{
            proxy_pass http://lossx;
            proxy_http_version 1.1;
            proxy_set_header Upgrade $http_upgrade;
            proxy_set_header Connection $connection_upgrade;
            proxy_set_header Host $http_host;
            proxy_set_header X-Forwarded-For $proxy_add_x_forwarded_for;
            proxy_read_timeout 1h;
            proxy_send_timeout 1h;
            proxy_buffering off;
        }}

        location / {{
            proxy_pass http://lossx;
            proxy_http_version 1.1;
            proxy_set_header Connection "";
            proxy_set_header Host $http_host;
            proxy_set_header X-Forwarded-For $proxy_add_x_forwarded_for;
            proxy_read_timeout 10m;
            proxy_request_buffering off;
        }}
    }}
}}
"""


# ---- processes -------------------------------------------------------------------------------------
def _started(pid: int) -> str:
    """When the process ``pid`` started (clock ticks since boot): with the PID, who it is. "" if gone or a
    zombie."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return ""
    return "" if fields[0] in ("Z", "X") else fields[19]


def _wait_http(url: str, proc: subprocess.Popen | None, log: Path, timeout: float = START_TIMEOUT_S) -> None:
    deadline = time.monotonic() + timeout
    while True:
        if proc is not None and proc.poll() is not None:
            raise DeployError(f"{proc.args[0]} exited with {proc.returncode} before {url} answered; "
                              f"{log}:\n{_tail(log)}")  # fmt: skip
        try:
            urllib.request.urlopen(url, timeout=2).close()
            return
        except (OSError, urllib.error.URLError):
            if time.monotonic() > deadline:
                raise DeployError(f"{url} did not answer in {timeout:.0f} s; {log}:\n{_tail(log)}") from None
            time.sleep(0.25)


def _tail(path: Path, n: int = 30) -> str:
    try:
        return "\n".join(path.read_text(errors="replace").splitlines()[-n:])
    except OSError:
        return "(no log)"


@dataclass
class Hall:
    """K replicas behind nginx; ``with Hall(replicas=2, port=8080) as h: h.url``.

    ``state.json`` in ``run_dir`` records the PIDs, so ``serve.py stop`` from another shell stops them.
    """

    replicas: int = 2
    port: int = 8080
    address: str = "127.0.0.1"
    sticky: str = "cookie"
    run_dir: Path | None = None
    upstream: list[str] = field(default_factory=list)  # replicas started elsewhere (host:port)
    proxy: bool = True
    ws_compression: bool = True  # permessage-deflate: a third of the bytes, ~5 ms more CPU per drag
    streamlit_args: list[str] = field(default_factory=list)
    replica_urls: list[str] = field(default_factory=list)
    pids: dict[str, int] = field(default_factory=dict)

    def __post_init__(self) -> None:
        self.run_dir = Path(self.run_dir or Path(tempfile.gettempdir()) / f"lossx-hall-{self.port}")

    @property
    def url(self) -> str:
        host = "127.0.0.1" if self.address in ("0.0.0.0", "::", "") else self.address
        return f"http://{host}:{self.port}"

    @property
    def state_file(self) -> Path:
        return self.run_dir / "state.json"

    def __enter__(self) -> Hall:
        self.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.stop()

    def start(self) -> None:
        if self.proxy and (why := nginx_missing()):
            raise DeployError(why)
        running = read_state(self.run_dir)
        if running and any(_started(p) == running["started"].get(n) for n, p in running["pids"].items()):
            raise DeployError(f"already running from {self.run_dir} (serve.py stop --run-dir {self.run_dir})")
        self.run_dir.mkdir(parents=True, exist_ok=True)
        self.run_dir.chmod(0o755)
        (self.run_dir / "tmp").mkdir(exist_ok=True)
        try:
            self._start_replicas()
            if self.proxy:
                self._start_nginx()
        except BaseException:
            self.stop()
            raise

    def _start_replicas(self) -> None:
        secret = secrets.token_hex(32)  # one cookieSecret: an XSRF cookie from one replica holds on any
        bind = self.address if not self.proxy else "127.0.0.1"
        procs = []
        for i in range(self.replicas):
            port = free_port(bind if bind not in ("0.0.0.0", "::") else "127.0.0.1")
            log = self.run_dir / f"replica-{i}.log"
            cmd = [sys.executable, "-m", "streamlit", "run", "app.py", "--server.headless", "true",
                   "--server.address", bind, "--server.port", str(port), "--browser.gatherUsageStats",
                   "false", *REPLICA_FLAGS, "--server.enableWebsocketCompression",
                   str(self.ws_compression).lower(), *self.streamlit_args]  # fmt: skip
            env = {**os.environ, "STREAMLIT_SERVER_COOKIE_SECRET": secret}  # not allowed as a flag
            with open(log, "ab") as out:
                proc = subprocess.Popen(cmd, cwd=REPO, stdout=out, stderr=subprocess.STDOUT, env=env,
                                        stdin=subprocess.DEVNULL, start_new_session=True)  # fmt: skip
            self.pids[f"replica-{i}"] = proc.pid
            host = "127.0.0.1" if bind in ("0.0.0.0", "::") else bind
            self.replica_urls.append(f"http://{host}:{port}")
            procs.append((proc, log))
            self._save()
        for (proc, log), url in zip(procs, self.replica_urls, strict=True):
            _wait_http(f"{url}/_stcore/health", proc, log)

    def _start_nginx(self) -> None:
        www = static_copy()
        _readable_by_workers(www)
        _readable_by_workers(self.run_dir / "tmp")
        upstreams = [u.removeprefix("http://") for u in self.replica_urls] + self.upstream
        listen = f"[{self.address}]:{self.port}" if ":" in self.address else f"{self.address}:{self.port}"
        conf = self.run_dir / "nginx.conf"
        conf.write_text(nginx_conf(self.run_dir, www, listen, upstreams, self.sticky))
        log = self.run_dir / "error.log"
        cmd = [NGINX, "-p", str(self.run_dir), "-c", str(conf), "-e", str(log)]
        test = subprocess.run([*cmd, "-t"], capture_output=True, text=True)
        if test.returncode != 0:
            raise DeployError(f"nginx rejected {conf}:\n{test.stderr}")
        with open(log, "ab") as err:
            proc = subprocess.Popen(cmd, stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=err,
                                    start_new_session=True)  # fmt: skip
        self.pids["nginx"] = proc.pid
        self._save()
        _wait_http(f"{self.url}/_stcore/health", proc, log, timeout=30)

    def _save(self) -> None:
        self.state_file.write_text(json.dumps({
            "url": self.url, "replica_urls": self.replica_urls, "pids": self.pids,
            "started": {name: _started(pid) for name, pid in self.pids.items()},
        }, indent=2))  # fmt: skip

    def stop(self) -> None:
        stop_recorded(self.run_dir)
        self.pids.clear()


def read_state(run_dir: Path) -> dict | None:
    try:
        return json.loads((Path(run_dir) / "state.json").read_text())
    except (OSError, ValueError):
        return None


def stop_recorded(run_dir: Path, timeout: float = 15.0) -> list[str]:
    """SIGTERM every process recorded in ``run_dir/state.json`` (if it is still the same process: its
    PID and start time), wait, SIGKILL what is left. Returns the names stopped."""
    state = read_state(run_dir)
    if not state:
        return []
    todo = {}
    for name, pid in state["pids"].items():
        if _started(pid) and _started(pid) == state.get("started", {}).get(name):  # never a reused PID
            with contextlib.suppress(ProcessLookupError):
                os.kill(pid, signal.SIGTERM)
            todo[name] = pid
    deadline = time.monotonic() + timeout
    for pid in todo.values():
        while _started(pid) and time.monotonic() < deadline:
            with contextlib.suppress(ChildProcessError):
                if os.waitpid(pid, os.WNOHANG)[0] == pid:
                    break
            time.sleep(0.1)
        if _started(pid):
            with contextlib.suppress(ProcessLookupError):
                os.kill(pid, signal.SIGKILL)
        with contextlib.suppress(ChildProcessError):
            os.waitpid(pid, 0)
    (Path(run_dir) / "state.json").unlink(missing_ok=True)
    return list(todo)


# ---- checking it through the proxy -----------------------------------------------------------------
def replica_of(url: str, cookie: str | None = None) -> str:
    """The replica (upstream address) nginx sends a request with this cookie to."""
    req = urllib.request.Request(f"{url}/_stcore/health", headers={"Cookie": f"{COOKIE}={cookie}"} if cookie
                                 else {})  # fmt: skip
    with urllib.request.urlopen(req, timeout=10) as r:
        return r.headers.get("X-Lossx-Replica", "")


def cookies_per_replica(url: str, want: int, tries: int = 400) -> dict[str, str]:
    """A cookie value that lands on each replica: {upstream address: cookie}, found by asking nginx."""
    found: dict[str, str] = {}
    for i in range(tries):
        value = f"probe{i}"
        found.setdefault(replica_of(url, value), value)
        if len(found) >= want:
            break
    return found


async def drive(url: str, cookie: str | None, page: str = "regression", key: str = "reg_free", *,
                origin: str | None = None) -> dict:  # fmt: skip
    """One session through the proxy: open ``page``, drag a handle, read the metrics before and after.
    ``origin``: the Origin header a browser on that page sends (Streamlit checks it against Host)."""
    sys.path.insert(0, str(REPO))
    from deploy.client import Session, drag

    headers = {"Cookie": f"{COOKIE}={cookie}"} if cookie else {}
    if origin:
        headers["Origin"] = origin
    async with Session(url, page, headers=headers, timeout=60) as s:
        first = await s.run()
        before = metrics(s)
        moved = await drag(s, key, 0, 1.0)
        return {"replica": s.handshake_headers.get("x-lossx-replica", ""), "open_ms": first.seconds * 1e3,
                "drag_ms": moved.seconds * 1e3, "before": before, "after": metrics(s),
                "session_id": s.session_id, "wire_bytes": moved.wire_bytes,
                "payload_bytes": moved.payload_bytes}  # fmt: skip


def metrics(session) -> dict[str, str]:
    shown = session.elements.values()
    return {el.metric.label: el.metric.body for el in shown if el.WhichOneof("type") == "metric"}


def check(url: str, replicas: int) -> list[dict]:
    cookies = cookies_per_replica(url, replicas)
    results = []
    for replica, cookie in sorted(cookies.items()):
        r = asyncio.run(drive(url, cookie, origin=url))
        r["routed_to"] = replica
        results.append(r)
    return results


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("command", choices=["run", "start", "stop", "status", "check"])
    ap.add_argument("--replicas", type=int, default=os.cpu_count() or 2, help="default: one per core")
    ap.add_argument("--port", type=int, default=8080, help="nginx listens here (default 8080)")
    ap.add_argument("--address", default="127.0.0.1", help="nginx's address; 0.0.0.0 for the hall's network")
    ap.add_argument("--sticky", choices=["cookie", "ip"], default="cookie")
    ap.add_argument("--run-dir", type=Path, default=None, help="default: <tmp>/lossx-hall-<port>")
    ap.add_argument("--upstream", action="append", default=[], metavar="HOST:PORT",
                    help="a replica started on another machine (start --no-proxy there)")
    ap.add_argument("--no-proxy", action="store_true", help="replicas only, on --address (no nginx)")
    ap.add_argument("--no-ws-compression", action="store_true",
                    help="no permessage-deflate (3x the bytes on the network, a little less CPU per drag)")
    ap.add_argument("streamlit_args", nargs="*", help="after --: more flags for every streamlit run")
    args = ap.parse_args()
    hall = Hall(replicas=args.replicas, port=args.port, address=args.address, sticky=args.sticky,
                run_dir=args.run_dir, upstream=args.upstream, proxy=not args.no_proxy,
                ws_compression=not args.no_ws_compression, streamlit_args=args.streamlit_args)  # fmt: skip
    if args.command == "stop":
        print("stopped:", ", ".join(stop_recorded(hall.run_dir)) or "nothing was running")
    elif args.command == "status":
        state = read_state(hall.run_dir)
        if not state:
            print(f"nothing recorded in {hall.run_dir}")
            return
        for name, pid in state["pids"].items():
            alive = _started(pid) == state["started"].get(name)
            print(f"{name:12} pid {pid:7}  {'running' if alive else 'gone'}")
        print("url:", state["url"], " replicas:", " ".join(state["replica_urls"]))
    elif args.command == "check":
        state = read_state(hall.run_dir)
        url = state["url"] if state else hall.url
        for r in check(url, len(state["replica_urls"]) if state else args.replicas):
            kb, wire = r["payload_bytes"] / 1024, r["wire_bytes"] / 1024
            print(f"{r['routed_to']:22} websocket on {r['replica']:22} open {r['open_ms']:6.0f} ms  drag "
                  f"{r['drag_ms']:5.0f} ms  {kb:.0f} KB -> {wire:.0f} KB on the wire  MSE "
                  f"{r['before'].get('MSE')} -> {r['after'].get('MSE')}")  # fmt: skip
    else:
        hall.start()
        print(f"serving {hall.url} (sticky {args.sticky}) -> {' '.join(hall.replica_urls + hall.upstream)}")
        print(f"logs and state in {hall.run_dir}")
        if args.command == "run":
            print("Ctrl-C stops everything")
            signal.signal(signal.SIGTERM, signal.default_int_handler)
            try:
                while True:
                    time.sleep(3600)
            except KeyboardInterrupt:
                pass
            finally:
                hall.stop()


if __name__ == "__main__":
    main()
