"""What the Chromium tests of the web UI share: the browser (Debian's Chromium through Playwright), a
``docgen serve`` with its admin, the two screen sizes, where screenshots go, and the calls a test makes beside
the browser (a write with the session's CSRF token, an account's first password change).

Screenshots go to a temporary directory unless ``DOCGEN_UI_SCREENSHOTS`` names one (a path relative to the
repository, e.g. ``DOCGEN_UI_SCREENSHOTS=docs/ui`` to refresh the screenshots docs/ui.md shows): a test run never
writes into the source tree on its own.
"""

from __future__ import annotations

import base64
import contextlib
import json
import os
import tempfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from api.security import CSRF_COOKIE, CSRF_HEADER
from tests.live_server import docgen_serve

ROOT = Path(__file__).resolve().parent.parent
CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
# every Chromium test: slow (a browser and a real server), skipped only without Debian's Chromium
# (``apt-get install chromium``; never ``playwright install`` — there is no internet)
BROWSER_MARKS = [
    pytest.mark.slow,
    pytest.mark.skipif(not CHROMIUM.exists(), reason="Debian's Chromium (/usr/bin/chromium) is not installed"),
]
ADMIN = ("admin", "lantern-river-4821")  # the password rule refuses one containing "admin"
DESKTOP = {"width": 1366, "height": 768}
PHONE = {"width": 390, "height": 844}
TIMEOUT_MS = 60_000
SCREENSHOTS_ENV = "DOCGEN_UI_SCREENSHOTS"
NO_OVERFLOW = "() => document.documentElement.scrollWidth <= window.innerWidth"


def screenshot_dir() -> Path:
    """Where screenshots go: ``$DOCGEN_UI_SCREENSHOTS`` (relative to the repository) or a temporary directory."""
    chosen = os.environ.get(SCREENSHOTS_ENV)
    folder = ROOT / chosen if chosen else Path(tempfile.gettempdir()) / "docgen-ui-screenshots"
    folder.mkdir(parents=True, exist_ok=True)
    return folder


def shot(page: Any, name: str, *, full: bool = True) -> Path:
    """A screenshot of ``page`` as ``<name>.png`` in :func:`screenshot_dir`; returns its path."""
    path = screenshot_dir() / f"{name}.png"
    page.screenshot(path=str(path), full_page=full)
    return path


@contextlib.contextmanager
def serve(
    tmp_path_factory: pytest.TempPathFactory, name: str, env: dict[str, str] | None = None, port: int | None = None
) -> Iterator[str]:
    """``docgen serve`` on a fresh data dir (SQLite) with :data:`ADMIN` as its admin; yields its base URL."""
    data = tmp_path_factory.mktemp(name)
    full = {"DOCGEN_ADMIN_USERNAME": ADMIN[0], "DOCGEN_ADMIN_PASSWORD": ADMIN[1], **(env or {})}
    with docgen_serve(data, full, port) as base:
        yield base


def write(request: Any, base: str, method: str, path: str, **kwargs: Any) -> Any:
    """A write with the session cookie of ``request``'s context (a Playwright APIRequestContext), carrying the
    CSRF token as the web UI does; asserts it succeeded and returns its JSON."""
    token = next(c["value"] for c in request.storage_state()["cookies"] if c["name"] == CSRF_COOKIE)
    headers = {"Origin": base, CSRF_HEADER: token, **kwargs.pop("headers", {})}
    res = request.fetch(base + path, method=method, headers=headers, **kwargs)
    assert res.ok, f"{method} {path} → {res.status}: {res.text()}"
    return res.json()


def api_session(request: Any, base: str, user: tuple[str, str] = ADMIN) -> Any:
    """Sign ``request`` (a Playwright APIRequestContext) in as ``user``; returns it."""
    res = request.post(f"{base}/api/auth/login", data=json.dumps({"username": user[0], "password": user[1]}),
                       headers={"Content-Type": "application/json", "Origin": base})  # fmt: skip
    assert res.ok, res.text()
    return request


def take_over(base: str, username: str, password: str) -> None:
    """What the user of an account an admin made does first on 我的账号: replace the admin's password — here by
    way of another one and back, so the test keeps the password it knows (the API answers nothing else until
    then, and refuses a "change" to the same password)."""
    with httpx.Client(base_url=base, headers={"Origin": base}, timeout=60) as http:
        r = http.post("/api/auth/login", json={"username": username, "password": password})
        assert r.status_code == 200, r.text
        between = f"{password}-between"
        for old, new in ((password, between), (between, password)):
            r = http.post("/api/auth/password", json={"old_password": old, "new_password": new},
                          headers={CSRF_HEADER: http.cookies[CSRF_COOKIE]})  # fmt: skip
            assert r.status_code == 200, r.text
        assert r.json()["must_change_password"] is False


def login(page: Any, base: str, user: tuple[str, str]) -> None:
    """Sign in on 登录 and wait until the header names the user."""
    page.goto(f"{base}/#/login")
    page.get_by_test_id("login-username").fill(user[0])
    page.get_by_test_id("login-password").fill(user[1])
    page.get_by_test_id("login-submit").click()
    page.get_by_test_id("user-name").filter(has_text=user[0]).wait_for()


def overflow(page: Any) -> int:
    """How many CSS pixels the page is wider than its window (0: no horizontal scrolling)."""
    extra: int = page.evaluate("() => document.documentElement.scrollWidth - window.innerWidth")
    return max(0, extra)


def no_overflow(page: Any, where: str = "") -> None:
    """Assert the page does not scroll sideways."""
    wide = page.evaluate("() => [document.documentElement.scrollWidth, window.innerWidth]")
    assert wide[0] <= wide[1], f"{where or page.url}: the page is {wide[0]} px wide in a {wide[1]} px window"


def drop_files(page: Any, testid: str, files: list[tuple[str, bytes]]) -> None:
    """Drop ``files`` on the element as a user dragging them from the file manager would (a DataTransfer)."""
    payload = [{"name": n, "b64": base64.b64encode(b).decode()} for n, b in files]
    page.get_by_test_id(testid).evaluate(
        """(zone, files) => {
            const dt = new DataTransfer();
            for (const f of files) {
                const bytes = Uint8Array.from(atob(f.b64), (c) => c.charCodeAt(0));
                dt.items.add(new File([bytes], f.name));
            }
            for (const type of ['dragenter', 'dragover', 'drop']) {
                zone.dispatchEvent(new DragEvent(type, {bubbles: true, cancelable: true, dataTransfer: dt}));
            }
        }""",
        payload,
    )


def write_headers(page: Any, base: str) -> dict[str, str]:
    """What the web UI adds to a write made with the session cookie: its Origin and the CSRF token."""
    token = next(c["value"] for c in page.context.cookies(base) if c["name"] == CSRF_COOKIE)
    return {"Origin": base, CSRF_HEADER: token}


def api_json(page: Any, method: str, url: str, data: Any = None) -> Any:
    """A call with the browser's own session cookie (for setup steps that have no screen, e.g. user accounts)."""
    headers = {"Content-Type": "application/json"} if data is not None else {}
    if method not in ("GET", "HEAD"):
        headers.update(write_headers(page, url.split("/api/", 1)[0]))
    res = page.request.fetch(url, method=method, data=json.dumps(data) if data is not None else None,
                             headers=headers or None)  # fmt: skip
    assert res.ok, f"{method} {url} → {res.status}: {res.text()}"
    return res.json()


def watch_console(page: Any) -> list[str]:
    """Every console message and page error of ``page`` from now on (to assert none is a CSP violation)."""
    seen: list[str] = []
    page.on("console", lambda m: seen.append(f"{m.type}: {m.text}"))
    page.on("pageerror", lambda e: seen.append(f"pageerror: {e}"))
    return seen


def csp_violations(messages: list[str]) -> list[str]:
    return [m for m in messages if "content security policy" in m.lower()]
