"""What every browser test shares: Debian's Chromium, its flags, the skip-or-fail rule, a free port.

Used by tests/e2e/conftest.py (the app) and tests/components/conftest.py (widget demo scripts).
"""

from __future__ import annotations

import os
import socket
from pathlib import Path

import pytest

CHROMIUM = Path("/usr/bin/chromium")
#: Flags for a sandbox without network: no background requests, no GPU, no first-run UI.
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--disable-quic",
]
#: The app has finished its (re)run.
IDLE = '[data-testid="stApp"][data-test-script-state="notRunning"]'


def browser_missing() -> str | None:
    """Why the browser tests cannot run here, or None."""
    if not CHROMIUM.exists():
        return f"{CHROMIUM} not found (install it: apt-get update && apt-get install -y chromium)"
    try:
        import playwright.sync_api  # noqa: F401
    except ImportError:
        return "the playwright package is not installed (pip install -r requirements-dev.txt)"
    return None


def require_browser() -> None:
    """Skip without Chromium or Playwright; fail instead when LOSSX_REQUIRE_BROWSER=1 (CI)."""
    reason = browser_missing()
    if reason is None:
        return
    if os.environ.get("LOSSX_REQUIRE_BROWSER") == "1":
        pytest.fail(f"browser tests required (LOSSX_REQUIRE_BROWSER=1) but {reason}", pytrace=False)
    pytest.skip(f"browser tests skipped: {reason}")


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]
