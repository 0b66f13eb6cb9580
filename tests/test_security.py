"""Attacks on the service from a browser's neighbourhood, each performed against the real app and refused.

* CSRF: a write made with the session cookie needs this site's ``Origin`` (else ``Referer``) and the session's
  token in ``X-CSRF-Token``; login refuses a foreign Origin; bearer-token calls are exempt.
* Security headers on every answer; ``Cache-Control: no-store`` under /api.
* /docs works offline: Swagger UI's files come from this server.
* A chunked body over ``max_request_bytes`` gets 413 from a real uvicorn server.

The browser tests run Debian's Chromium through Playwright, like tests/test_ui_e2e.py.
"""

from __future__ import annotations

import contextlib
import http.client
import http.server
import json
import re
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import pytest

from api.security import CONTENT_SECURITY_POLICY, CSRF_COOKIE, CSRF_HEADER, SESSION_COOKIE, csrf_token
from api.settings import Settings
from tests.api_fixtures import (
    ADMIN_PASSWORD,
    PENGZHOU,
    TestClient,
    create_pengzhou,
    login_client,
    make_settings,
    running_client,
)
from tests.live_server import docgen_serve

ORIGIN = "http://testserver"  # the TestClient's own origin
PROGRAM_YAML = (PENGZHOU / "program.yaml").read_text("utf-8")
PROGRAM_JSON = json.dumps({"yaml": PROGRAM_YAML})
STATIC = Path(__file__).resolve().parent.parent / "api" / "static"


@pytest.fixture
def settings(tmp_path: Path) -> Settings:
    """The CSRF rules do not depend on the database: SQLite only."""
    return make_settings(tmp_path / "data", f"sqlite:///{tmp_path / 'docgen.db'}")


@pytest.fixture
def admin(settings: Settings) -> Iterator[TestClient]:
    """The web UI's admin: same Origin and the CSRF token on every write (tests.api_fixtures.browser_like)."""
    with running_client(settings) as client:
        yield client


def cookie_only(admin: TestClient) -> TestClient:
    """Another browser tab's view of the admin's session: the same cookies, and no header added to any call."""
    other = TestClient(admin.app)
    creds = {"username": "admin", "password": ADMIN_PASSWORD}
    r = other.post("/api/auth/login", json=creds, headers={"Origin": ORIGIN})
    assert r.status_code == 200, r.text
    return other


def program_keys(client: TestClient) -> list[str]:
    r = client.get("/api/programs")
    assert r.status_code == 200, r.text
    return [p["key"] for p in r.json()]


def batch_events(client: TestClient) -> list[dict[str, Any]]:
    events: list[dict[str, Any]] = client.get("/api/audit", params={"action": "batch.create"}).json()
    return events


# ------------------------------------------------------------------------------------------ CSRF: plain HTTP

# what a page of another site can send without CORS: the three "simple" body types
SIMPLE_BODIES: dict[str, dict[str, Any]] = {
    "text/plain": {"content": PROGRAM_JSON, "headers": {"Content-Type": "text/plain"}},
    "urlencoded": {"data": {"yaml": PROGRAM_YAML}},
    "multipart": {"files": {"file": ("program.yaml", PROGRAM_YAML.encode())}},
}


def post_simple(client: TestClient, path: str, body: str, headers: dict[str, str]) -> Any:
    """POST one of :data:`SIMPLE_BODIES` with ``headers`` added."""
    kwargs = dict(SIMPLE_BODIES[body])
    return client.post(path, headers={**kwargs.pop("headers", {}), **headers}, **kwargs)


@pytest.mark.parametrize("body", list(SIMPLE_BODIES))
def test_a_write_with_the_session_cookie_and_no_csrf_token_is_refused(admin: TestClient, body: str) -> None:
    victim = cookie_only(admin)
    r = post_simple(victim, "/api/programs", body, {"Origin": ORIGIN})
    assert r.status_code == 403, r.text
    assert "CSRF" in r.json()["detail"] and CSRF_HEADER in r.json()["detail"]
    assert program_keys(admin) == []
    # the same body with the token goes through: the refusal above is the guard's, not a bad body
    if body != "urlencoded":  # (the route reads JSON or multipart; a form field is not one of them)
        token = victim.cookies[CSRF_COOKIE]
        ok = post_simple(victim, "/api/programs", body, {"Origin": ORIGIN, CSRF_HEADER: token})
        assert ok.status_code == 201, ok.text
        assert program_keys(admin) == ["pengzhou-heishui-2019"]


def test_starting_a_batch_without_the_token_is_refused_and_starts_nothing(admin: TestClient) -> None:
    program_id = create_pengzhou(admin)
    victim = cookie_only(admin)
    for kwargs in ({}, {"content": '{"pdf": false}', "headers": {"Content-Type": "text/plain"}}):
        headers = {"Origin": ORIGIN, **kwargs.pop("headers", {})}
        r = victim.post(f"/api/programs/{program_id}/batches", headers=headers, **kwargs)
        assert r.status_code == 403, r.text
    assert batch_events(admin) == []
    assert admin.get("/api/batches/1").status_code == 404


@pytest.mark.parametrize("method", ["POST", "PUT", "PATCH", "DELETE"])
def test_every_unsafe_method_needs_the_token(admin: TestClient, method: str) -> None:
    r = cookie_only(admin).request(method, "/api/programs", headers={"Origin": ORIGIN}, content=PROGRAM_JSON)
    assert r.status_code == 403 and "CSRF" in r.json()["detail"], r.text


@pytest.mark.parametrize(
    ("headers", "named"),
    [
        ({"Origin": "http://127.0.0.1:9999"}, "Origin: http://127.0.0.1:9999"),
        ({"Origin": "http://testserver.evil.example"}, "Origin: http://testserver.evil.example"),
        ({"Origin": "https://testserver"}, "Origin: https://testserver"),  # another scheme is another origin
        ({"Origin": "null"}, "Origin: null"),  # a sandboxed frame or a no-referrer page
        ({"Referer": "http://localhost:8000/attack.html"}, "Referer: http://localhost:8000/attack.html"),
        ({}, "Origin 与 Referer"),  # neither header: refused too
    ],
)
def test_a_write_from_another_origin_is_refused_even_with_the_right_token(
    admin: TestClient, headers: dict[str, str], named: str
) -> None:
    victim = cookie_only(admin)
    headers = {**headers, CSRF_HEADER: victim.cookies[CSRF_COOKIE], "Content-Type": "application/json"}
    r = victim.post("/api/programs", headers=headers, content=PROGRAM_JSON)
    assert r.status_code == 403, r.text
    assert named in r.json()["detail"]
    assert program_keys(admin) == []


def test_a_same_origin_referer_stands_for_a_missing_origin(admin: TestClient) -> None:
    victim = cookie_only(admin)
    headers = {"Referer": f"{ORIGIN}/#/programs", CSRF_HEADER: victim.cookies[CSRF_COOKIE]}
    r = victim.post("/api/programs", headers=headers, json={"yaml": PROGRAM_YAML})
    assert r.status_code == 201, r.text


def test_a_forged_token_or_another_sessions_token_is_refused(admin: TestClient) -> None:
    victim = cookie_only(admin)
    real = victim.cookies[CSRF_COOKIE]
    others = cookie_only(admin).cookies[CSRF_COOKIE]  # the same user's other session
    assert others != real
    forged = [
        "0" * 64,
        real[:-1] + ("0" if real[-1] != "0" else "1"),
        others,
        csrf_token("guessed-secret", victim.cookies[SESSION_COOKIE]),  # right session, wrong key
        real + " ",
    ]
    for token in forged:
        r = victim.post("/api/programs", headers={"Origin": ORIGIN, CSRF_HEADER: token}, json={"yaml": PROGRAM_YAML})
        assert r.status_code == 403, (token, r.text)
        assert "不符" in r.json()["detail"]
    # a cookie planted by a sibling site, echoed in the header, proves nothing either
    victim.cookies.set(CSRF_COOKIE, "planted", domain="testserver.local")
    r = victim.post("/api/programs", headers={"Origin": ORIGIN, CSRF_HEADER: "planted"}, json={"yaml": PROGRAM_YAML})
    assert r.status_code == 403
    assert program_keys(admin) == []


def test_login_from_another_origin_is_refused_and_sets_no_cookie(settings: Settings) -> None:
    with running_client(settings, login=None) as client:
        creds = {"username": "admin", "password": ADMIN_PASSWORD}
        for headers in ({"Origin": "http://127.0.0.1:9999"}, {"Origin": "null"}, {"Referer": "http://evil.example/"}):
            r = client.post("/api/auth/login", json=creds, headers=headers)
            assert r.status_code == 403 and "不是本站" in r.json()["detail"], r.text
            assert "set-cookie" not in r.headers
        assert client.get("/api/me").status_code == 401
        ok = client.post("/api/auth/login", json=creds, headers={"Origin": ORIGIN})
        assert ok.status_code == 200 and client.get("/api/me").json()["username"] == "admin"


def test_the_cookies_session_http_only_token_readable_both_strict(settings: Settings) -> None:
    with running_client(settings, login=None) as client:
        r = client.post("/api/auth/login", json={"username": "admin", "password": ADMIN_PASSWORD},
                        headers={"Origin": ORIGIN})  # fmt: skip
        cookies = {c.split("=", 1)[0]: c.lower() for c in r.headers.get_list("set-cookie")}
        assert set(cookies) == {SESSION_COOKIE, CSRF_COOKIE}
        assert "httponly" in cookies[SESSION_COOKIE] and "httponly" not in cookies[CSRF_COOKIE]
        assert all("samesite=strict" in c and "path=/" in c for c in cookies.values())
        assert client.cookies[CSRF_COOKIE] == csrf_token("test-secret", client.cookies[SESSION_COOKIE])
        # logout (a write: it needs the token too) expires both
        assert client.post("/api/auth/logout", headers={"Origin": ORIGIN}).status_code == 403
        out = client.post("/api/auth/logout", headers={"Origin": ORIGIN, CSRF_HEADER: client.cookies[CSRF_COOKIE]})
        assert out.status_code == 204
        assert not client.cookies.get(SESSION_COOKIE) and not client.cookies.get(CSRF_COOKIE)


def test_a_session_without_its_token_cookie_gets_one_on_its_next_call(admin: TestClient) -> None:
    bare = TestClient(admin.app)
    bare.cookies.set(SESSION_COOKIE, admin.cookies[SESSION_COOKIE], domain="testserver.local")
    r = bare.get("/api/me")
    assert r.status_code == 200
    assert bare.cookies[CSRF_COOKIE] == admin.cookies[CSRF_COOKIE]
    assert bare.get("/api/me").headers.get("set-cookie") is None  # only when missing or wrong


def test_bearer_token_calls_need_no_csrf_token_and_never_use_the_cookie(admin: TestClient) -> None:
    token = admin.post("/api/tokens", json={"name": "script"}).json()["token"]
    script = TestClient(admin.app)  # a script: no cookie, no Origin, no CSRF header
    bearer = {"Authorization": f"Bearer {token}"}
    created = script.post("/api/programs", headers=bearer, json={"yaml": PROGRAM_YAML})
    assert created.status_code == 201, created.text
    program_id = created.json()["id"]
    roster = script.post(f"/api/programs/{program_id}/roster", headers=bearer,
                         files={"file": ("roster.txt", (PENGZHOU / "roster.txt").read_bytes())})  # fmt: skip
    assert roster.status_code == 200, roster.text
    batch = script.post(f"/api/programs/{program_id}/batches", headers=bearer, json={"pdf": False})
    assert batch.status_code == 202, batch.text
    # whatever Origin it claims (the token is the proof, not the page)
    other = script.post("/api/programs", headers={**bearer, "Origin": "http://evil.example"}, json={"yaml": "key: x"})
    assert other.status_code != 403, other.text
    # a wrong bearer token next to a valid session cookie is a 401: the exemption cannot be used to skip the token
    victim = cookie_only(admin)
    r = victim.post("/api/programs", headers={"Authorization": "Bearer wrong", "Origin": ORIGIN},
                    json={"yaml": PROGRAM_YAML.replace("pengzhou-heishui-2019", "sneaky")})  # fmt: skip
    assert r.status_code == 401, r.text
    assert "sneaky" not in program_keys(admin)


def test_a_second_users_client_from_the_fixtures_sends_the_token_too(admin: TestClient) -> None:
    """tests.api_fixtures.login_client gives a second user the web UI's headers (Origin + token)."""
    program_id = create_pengzhou(admin)
    r = admin.post("/api/users", json={"username": "school", "password": "orchid-lantern-73", "role": "school",
                                       "school_name": "黑水县扎窝中心校", "programs": [program_id]})  # fmt: skip
    assert r.status_code == 201, r.text
    school = login_client(admin, "school", "orchid-lantern-73")
    assert school.post("/api/tokens", json={"name": "s"}).status_code == 201


# ------------------------------------------------------------------------------------------ headers

EXPECTED_HEADERS = {
    "content-security-policy": CONTENT_SECURITY_POLICY,
    "x-content-type-options": "nosniff",
    "referrer-policy": "same-origin",
    "x-frame-options": "DENY",
}


def test_every_answer_has_the_security_headers_and_api_answers_are_not_stored(admin: TestClient) -> None:
    program_id = create_pengzhou(admin)
    answers = {
        "/": admin.get("/"),
        "/static/app.js": admin.get("/static/app.js"),
        "/docs": admin.get("/docs"),
        "/openapi.json": admin.get("/openapi.json"),
        "/nothing-here": admin.get("/nothing-here"),
        "/api/programs": admin.get("/api/programs"),
        "/api/me (401)": TestClient(admin.app).get("/api/me"),
        "/api/programs (403)": cookie_only(admin).post("/api/programs", headers={"Origin": ORIGIN}, json={}),
        "export download": admin.get(f"/api/programs/{program_id}/records/export", params={"format": "csv"}),
        "ledger download": admin.get(f"/api/programs/{program_id}/ledger"),
    }
    for name, r in answers.items():
        for header, value in EXPECTED_HEADERS.items():
            assert r.headers.get(header) == value, (name, header, r.headers.get(header))
        if name.startswith(("/api", "export", "ledger")):
            assert r.headers.get("cache-control") == "no-store", (name, r.status_code, r.headers.get("cache-control"))
    assert answers["/"].status_code == 200 and answers["/nothing-here"].status_code == 404
    assert answers["export download"].status_code == 200, answers["export download"].text
    assert "attachment" in answers["export download"].headers["content-disposition"]
    for directive in ("default-src 'self'", "frame-ancestors 'none'", "object-src 'none'", "base-uri 'none'"):
        assert directive in CONTENT_SECURITY_POLICY
    assert "unsafe-inline" not in CONTENT_SECURITY_POLICY and "unsafe-eval" not in CONTENT_SECURITY_POLICY


@pytest.mark.parametrize("page", ["index.html", "docs.html"])
def test_our_pages_have_no_inline_script_style_or_handler(page: str) -> None:
    text = (STATIC / page).read_text("utf-8")
    scripts = re.findall(r"<script\b([^>]*)>(.*?)</script>", text, flags=re.S | re.I)
    assert scripts and all("src=" in attrs and not body.strip() for attrs, body in scripts), scripts
    assert not re.search(r"<style\b", text, re.I)
    assert not re.search(r"\s(style|on[a-z]+)\s*=", text, re.I)
    assert not re.search(r"javascript:", text, re.I)


# ------------------------------------------------------------------------------------------ /docs offline


def test_docs_load_nothing_from_another_site_and_every_asset_is_here(admin: TestClient) -> None:
    page = admin.get("/docs")
    assert page.status_code == 200 and page.headers["content-type"].startswith("text/html")
    refs = re.findall(r'<(?:script|link)\b[^>]*\b(?:src|href)="([^"]+)"', page.text)
    assert refs.count("data:,") == 1  # the empty icon: no /favicon.ico request (and its 404 in the console)
    refs.remove("data:,")
    assert len(refs) >= 3, refs  # Swagger UI's css and js, our start-up script
    assert not [r for r in refs if re.match(r"(https?:)?//", r)], refs
    for ref in refs:
        asset = admin.get(ref)
        assert asset.status_code == 200, ref
        assert len(asset.content) > 100, ref
        kind = "css" if ref.endswith(".css") else "javascript"
        assert kind in asset.headers["content-type"], (ref, asset.headers["content-type"])
    assert "SwaggerUIBundle" in admin.get("/docs/assets/swagger-ui-bundle.js").text
    assert admin.get("/docs/assets/index.html").status_code == 404  # only the two files the page needs
    assert admin.get("/docs/assets/..%2F..%2F__init__.py").status_code == 404
    assert admin.get("/redoc").status_code == 404  # FastAPI's CDN pages are off
    assert "/api/programs" in admin.get("/openapi.json").json()["paths"]


# ------------------------------------------------------------------------------------------ chunked bodies


def _chunked_post(base: str, path: str, chunks: list[bytes], headers: dict[str, str]) -> tuple[int, str]:
    parts = urlsplit(base)
    conn = http.client.HTTPConnection(parts.hostname or "", parts.port, timeout=30)
    try:
        conn.request("POST", path, body=iter(chunks), headers=headers, encode_chunked=True)
        r = conn.getresponse()
        return r.status, r.read().decode()
    finally:
        conn.close()


def _call(base: str, method: str, path: str, body: bytes | None = None, headers: dict[str, str] | None = None
          ) -> tuple[int, str]:  # fmt: skip
    parts = urlsplit(base)
    conn = http.client.HTTPConnection(parts.hostname or "", parts.port, timeout=30)
    try:
        conn.request(method, path, body=body, headers=headers or {})
        r = conn.getresponse()
        return r.status, r.read().decode()
    finally:
        conn.close()


def test_a_chunked_body_over_the_limit_gets_413_from_a_real_server(tmp_path: Path) -> None:
    limit = 8192  # above the 彭州 program file (≈ 5 KB as JSON), below the padded bodies
    env = {"DOCGEN_MAX_REQUEST_BYTES": str(limit), "DOCGEN_ADMIN_PASSWORD": ADMIN_PASSWORD}
    with docgen_serve(tmp_path, env) as base:
        login = json.dumps({"username": "admin", "password": ADMIN_PASSWORD}).encode()
        json_headers = {"Content-Type": "application/json", "Origin": base}
        # under the limit, chunked: an ordinary answer
        assert _chunked_post(base, "/api/auth/login", [login[:10], login[10:]], json_headers)[0] == 200
        # over it, before any authentication: 413 (was 400 "There was an error parsing the body")
        padded = [b'{"username": "admin", ', b" " * 5000, b" " * 5000, b'"password": "x"}']
        status, body = _chunked_post(base, "/api/auth/login", padded, json_headers)
        assert status == 413, body
        assert json.loads(body)["detail"] == f"请求体超过上限 {limit} 字节"
        # an authenticated JSON and multipart upload over the limit
        status, token = _token_for(base, login)
        assert status == 201
        bearer = {"Authorization": f"Bearer {token}"}
        big_yaml = json.dumps({"yaml": "# " + "x" * 6000 + "\n" + PROGRAM_YAML}).encode()
        assert len(big_yaml) > limit
        status, body = _chunked_post(base, "/api/programs", [big_yaml[:2000], big_yaml[2000:]],
                                     {**bearer, "Content-Type": "application/json"})  # fmt: skip
        assert status == 413, body
        boundary = "docgen-boundary"
        multipart = (f"--{boundary}\r\nContent-Disposition: form-data; name=\"file\"; filename=\"program.yaml\"\r\n\r\n"
                     + "# " + "y" * 10000 + "\n" + PROGRAM_YAML + f"\r\n--{boundary}--\r\n").encode()  # fmt: skip
        pieces = [multipart[i : i + 1000] for i in range(0, len(multipart), 1000)]
        multipart_type = {"Content-Type": f"multipart/form-data; boundary={boundary}"}
        status, body = _chunked_post(base, "/api/programs", pieces, {**bearer, **multipart_type})
        assert status == 413, body
        # nothing was created and the server is healthy: the same upload under the limit works
        status, body = _call(base, "GET", "/api/programs", headers=bearer)
        assert status == 200 and json.loads(body) == [], body
        small = json.dumps({"yaml": PROGRAM_YAML}).encode()
        assert len(small) < limit
        status, body = _chunked_post(base, "/api/programs", [small[:500], small[500:]],
                                     {**bearer, "Content-Type": "application/json"})  # fmt: skip
        assert status == 201, body
        assert _call(base, "GET", "/")[0] == 200


def _token_for(base: str, login: bytes) -> tuple[int, str]:
    """Log in (cookie) and create an API token as the web UI would; returns (status, token)."""
    parts = urlsplit(base)
    conn = http.client.HTTPConnection(parts.hostname or "", parts.port, timeout=30)
    try:
        headers = {"Content-Type": "application/json", "Origin": base}
        conn.request("POST", "/api/auth/login", body=login, headers=headers)
        r = conn.getresponse()
        r.read()
        jar = {c.split("=", 1)[0]: c.split("=", 1)[1].split(";", 1)[0] for c in r.headers.get_all("set-cookie") or []}
        conn.request("POST", "/api/tokens", body=b'{"name": "t"}', headers={
            "Content-Type": "application/json", "Origin": base, CSRF_HEADER: jar[CSRF_COOKIE],
            "Cookie": "; ".join(f"{k}={v}" for k, v in jar.items())})  # fmt: skip
        t = conn.getresponse()
        return t.status, json.loads(t.read())["token"]
    finally:
        conn.close()


# ------------------------------------------------------------------------------------------ in a real browser

ATTACK_PAGE = """<!doctype html>
<html><head><meta charset="utf-8"><title>cute cats</title></head><body>
<form id="text" method="POST" action="{victim}/api/programs" enctype="text/plain" target="sink1">
  <input type="hidden" name="{json_name}" value='"}}'>
</form>
<form id="urlencoded" method="POST" action="{victim}/api/programs" target="sink2">
  <input type="hidden" name="yaml" value="{yaml_attr}">
</form>
<form id="batch" method="POST" action="{victim}/api/programs/{program_id}/batches" target="sink3"></form>
<iframe name="sink1"></iframe><iframe name="sink2"></iframe><iframe name="sink3"></iframe>
<script>
  for (const form of document.forms) form.submit();
  const yaml = {yaml_js};
  const multipart = new FormData();
  multipart.append('file', new Blob([yaml]), 'program.yaml');
  const opts = {{method: 'POST', credentials: 'include', mode: 'no-cors'}};
  Promise.allSettled([
    fetch('{victim}/api/programs', {{...opts, headers: {{'Content-Type': 'text/plain'}},
                                     body: JSON.stringify({{yaml}})}}),
    fetch('{victim}/api/programs', {{...opts, body: multipart}}),
    fetch('{victim}/api/programs/{program_id}/batches', opts),
  ]).then(() => {{ document.title = 'sent'; }});
</script>
</body></html>
"""
ATTACK_WRITES = 6  # three forms and three fetches above


def attack_page(victim: str, program_id: int) -> str:
    """A page of another origin that makes the visitor's browser create a program and start a batch."""
    import html

    sneaky = PROGRAM_YAML.replace("pengzhou-heishui-2019", "csrf-attack")
    # text/plain form encoding sends name=value: with this name the body is the JSON {"yaml": …, "pad": "="}
    json_name = json.dumps({"yaml": sneaky})[:-1] + ', "pad": "'
    return ATTACK_PAGE.format(
        victim=victim, program_id=program_id, json_name=html.escape(json_name),
        yaml_attr=html.escape(sneaky), yaml_js=json.dumps(sneaky),
    )  # fmt: skip


@contextlib.contextmanager
def attacker_site(pages: dict[str, str]) -> Iterator[int]:
    """A plain web server on 127.0.0.1 (another port) serving ``pages``; yields its port."""

    class Handler(http.server.BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            body = pages.get(self.path.split("?", 1)[0], "").encode()
            self.send_response(200 if body else 404)
            self.send_header("Content-Type", "text/html; charset=utf-8")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *args: Any) -> None:
            pass

    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield int(server.server_address[1])
    finally:
        server.shutdown()
        server.server_close()


@pytest.fixture(scope="module")
def live(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """``docgen serve`` with an admin, for the browser tests."""
    from tests.ui_fixtures import ADMIN

    data = tmp_path_factory.mktemp("docgen-security")
    with docgen_serve(data, {"DOCGEN_ADMIN_USERNAME": ADMIN[0], "DOCGEN_ADMIN_PASSWORD": ADMIN[1]}) as base:
        yield base


@contextlib.contextmanager
def chromium() -> Iterator[Any]:
    """A fresh headless Chromium (Debian's, through Playwright); skips when it is not installed."""
    from tests.ui_fixtures import CHROMIUM, CHROMIUM_ARGS

    if not CHROMIUM.exists():
        pytest.skip("Debian's Chromium (/usr/bin/chromium) is not installed")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS, headless=True)
        try:
            yield browser
        finally:
            browser.close()


@pytest.mark.parametrize("attacker_host", ["127.0.0.1", "localhost"])
def test_a_page_on_another_port_cannot_make_the_admins_browser_write(live: str, attacker_host: str) -> None:
    from tests.ui_fixtures import ADMIN, TIMEOUT_MS, api_json, login, watch_console, write_headers

    with chromium() as browser:
        context = browser.new_context(locale="zh-CN")
        context.set_default_timeout(TIMEOUT_MS)
        page = context.new_page()
        login(page, live, ADMIN)
        # the admin's own program (the one whose batch the attacker wants to start)
        programs = api_json(page, "GET", f"{live}/api/programs")
        if not programs:
            res = page.request.post(f"{live}/api/programs", headers=write_headers(page, live),
                                    data={"yaml": PROGRAM_YAML})  # fmt: skip
            assert res.status == 201, res.text()
            programs = api_json(page, "GET", f"{live}/api/programs")
        program_id = programs[0]["id"]
        batches_before = len(api_json(page, "GET", f"{live}/api/audit?action=batch.create"))
        programs_before = sorted(p["key"] for p in programs)

        answers: list[tuple[str, int]] = []
        context.on("response", lambda r: answers.append((r.request.method, r.status))
                   if r.url.startswith(live + "/api/") and r.request.method == "POST" else None)  # fmt: skip
        with attacker_site({"/cats.html": attack_page(live, program_id)}) as port:
            evil = context.new_page()
            console = watch_console(evil)
            evil.goto(f"http://{attacker_host}:{port}/cats.html")
            evil.wait_for_function("document.title === 'sent'")
            for _ in range(100):  # the form submissions land on their own time
                if len(answers) >= ATTACK_WRITES:
                    break
                page.wait_for_timeout(100)
            statuses = [s for _, s in answers]
        # every forged write reached the server and was refused: 403 from the guard when the browser sent the
        # cookie (same site: 127.0.0.1 on another port), 401 when SameSite=Strict kept it back (localhost)
        assert len(statuses) == ATTACK_WRITES, (answers, console)
        expected = {403} if attacker_host == "127.0.0.1" else {401, 403}
        assert set(statuses) <= expected, answers
        if attacker_host == "localhost":
            assert 401 in statuses  # the cookie was not sent at all
        # …and nothing was created
        programs_after = sorted(p["key"] for p in api_json(page, "GET", f"{live}/api/programs"))
        assert programs_after == programs_before and "csrf-attack" not in programs_after
        assert len(api_json(page, "GET", f"{live}/api/audit?action=batch.create")) == batches_before
        # the admin's own session is untouched and still writes (the token the UI sends)
        ok = page.request.post(f"{live}/api/tokens", headers=write_headers(page, live), data={"name": "after"})
        assert ok.status == 201, ok.text()
        context.close()


def test_the_ui_under_its_csp_blocks_inline_script_and_reports_it(live: str) -> None:
    """The CSP is enforced by the browser (an injected inline script does not run) and the console says so —
    the message tests/test_ui_e2e.py asserts it never sees while the UI is used."""
    from tests.ui_fixtures import ADMIN, TIMEOUT_MS, csp_violations, login, watch_console

    with chromium() as browser:
        context = browser.new_context(locale="zh-CN")
        context.set_default_timeout(TIMEOUT_MS)
        page = context.new_page()
        console = watch_console(page)
        login(page, live, ADMIN)
        page.get_by_test_id("program-form").wait_for()
        assert not csp_violations(console), console
        with page.expect_console_message(lambda m: "Content Security Policy" in m.text):
            page.evaluate("""() => {
                const s = document.createElement('script');
                s.textContent = 'window.injected = true';
                document.body.append(s);
            }""")
        assert page.evaluate("() => window.injected === undefined")
        assert csp_violations(console)
        context.close()


def test_docs_work_with_no_network_but_this_server(live: str) -> None:
    from tests.ui_fixtures import TIMEOUT_MS, csp_violations, watch_console

    with chromium() as browser:
        context = browser.new_context()
        context.set_default_timeout(TIMEOUT_MS)
        elsewhere: list[str] = []

        def only_local(route: Any) -> None:
            if urlsplit(route.request.url).hostname == "127.0.0.1":
                route.continue_()
            else:
                elsewhere.append(route.request.url)
                route.abort()

        context.route("**/*", only_local)
        page = context.new_page()
        console = watch_console(page)
        page.goto(f"{live}/docs")
        operations = page.locator(".opblock")
        operations.first.wait_for()
        paths = {p.replace("\u200b", "") for p in page.locator(".opblock-summary-path").all_inner_texts()}
        assert {"/api/programs", "/api/auth/login", "/api/records/{record_id}"} <= paths, paths
        assert operations.count() >= 20
        assert not elsewhere, elsewhere
        assert not csp_violations(console), console
        context.close()
