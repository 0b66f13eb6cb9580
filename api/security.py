"""Browser-facing protections: the session and CSRF cookies, the CSRF guard and the security headers.

CSRF (docs/security.md, "CSRF and headers"): a request that changes something (any method but GET, HEAD,
OPTIONS, TRACE) and is authenticated by the session cookie must

* come from this site: its ``Origin`` header (else its ``Referer``) names this server's own origin (scheme +
  Host) or one of ``Settings.trusted_origins``; a request with neither header is refused;
* carry the CSRF token in the ``X-CSRF-Token`` header: ``HMAC-SHA256(secret, "csrf:" + session token)``, so it
  is bound to the session and cannot be forged without the app secret. The server hands it to the page's
  JavaScript in the ``docgen_csrf`` cookie (not HttpOnly); it checks the header against the HMAC, never
  against that cookie, so a cookie planted by a sibling site proves nothing ("signed double submit").

Login has no session yet: it needs no token, but a login carrying a foreign ``Origin``/``Referer`` is refused
(login CSRF). Requests with ``Authorization: Bearer`` are exempt: a browser never adds that header to a
cross-site request on its own, and such a request is never authenticated by the cookie (``api.deps``).
"""

from __future__ import annotations

import hashlib
import hmac
from collections.abc import Callable, Iterable
from urllib.parse import urlsplit

from fastapi.responses import JSONResponse
from starlette.datastructures import MutableHeaders
from starlette.requests import HTTPConnection
from starlette.responses import Response
from starlette.types import ASGIApp, Message, Receive, Scope, Send

SESSION_COOKIE = "docgen_session"  # HttpOnly: the session token
CSRF_COOKIE = "docgen_csrf"  # readable by the page's JavaScript: the CSRF token to echo in CSRF_HEADER
CSRF_HEADER = "X-CSRF-Token"
SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS", "TRACE"})
LOGIN_PATHS = frozenset({"/api/auth/login"})
# Phone upload links (api.routes.phone): the link in the path is the credential and no cookie is read, so a
# session cookie the browser happens to hold neither authorises nor needs guarding there.
COOKIELESS_PREFIXES = ("/api/links/",)

# default-src 'self' with no 'unsafe-inline' anywhere: scripts and styles only from our own files. Images may
# also be data: URLs (Swagger UI's stylesheet draws its icons with them; an image cannot run code).
CONTENT_SECURITY_POLICY = (
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self'; "
    "object-src 'none'; base-uri 'none'; frame-ancestors 'none'; form-action 'self'"
)
SECURITY_HEADERS = {
    "Content-Security-Policy": CONTENT_SECURITY_POLICY,
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "same-origin",
    "X-Frame-Options": "DENY",
}


def csrf_token(secret: str, session_token: str) -> str:
    """The CSRF token of a session: hex ``HMAC-SHA256(secret, "csrf:" + session_token)``."""
    return hmac.new(secret.encode(), b"csrf:" + session_token.encode(), hashlib.sha256).hexdigest()


def set_session_cookies(response: Response, token: str, *, secret: str, secure: bool, max_age: int) -> None:
    """Set the session cookie (HttpOnly) and its CSRF token cookie (readable by the page) on ``response``.

    Both are ``SameSite=Strict``: the UI is one page that calls its own origin, so nothing is lost when another
    site's link or form does not carry them (with Lax a cross-site top-level GET would; none of ours needs it).
    """
    for name, value, httponly in ((SESSION_COOKIE, token, True), (CSRF_COOKIE, csrf_token(secret, token), False)):
        response.set_cookie(
            name, value, max_age=max_age, path="/", secure=secure, httponly=httponly, samesite="strict"
        )


def clear_session_cookies(response: Response) -> None:
    """Expire both cookies (logout)."""
    for name in (SESSION_COOKIE, CSRF_COOKIE):
        response.delete_cookie(name, path="/", samesite="strict")


def origin_of(url: str) -> str | None:
    """``scheme://host[:port]`` of an http(s) URL, lower case, default port dropped; None for anything else."""
    try:
        parts = urlsplit(url.strip())
        port = parts.port
    except ValueError:
        return None
    host = parts.hostname
    if parts.scheme not in ("http", "https") or not host:
        return None
    netloc = f"[{host}]" if ":" in host else host
    if port is not None and port != {"http": 80, "https": 443}[parts.scheme]:
        netloc += f":{port}"
    return f"{parts.scheme}://{netloc}"


def _refuse(detail: str) -> JSONResponse:
    return JSONResponse({"detail": detail}, status_code=403)


class CsrfGuard:
    """ASGI middleware: refuse cross-site writes (403, Chinese ``detail``); see the module docstring.

    ``secret`` is called per request (the app secret is resolved in the lifespan, after the middleware is
    built). It also re-issues the ``docgen_csrf`` cookie on any answer to a request whose session cookie has
    no matching one (a session opened before this cookie existed, or a cookie the user deleted).
    """

    def __init__(
        self,
        app: ASGIApp,
        *,
        secret: Callable[[], str],
        trusted_origins: Iterable[str] = (),
        cookie_secure: bool = False,
        max_age: int = 14 * 86400,
    ) -> None:
        self.app = app
        self.secret = secret
        self.trusted = frozenset(o for o in (origin_of(t) for t in trusted_origins) if o)
        self.cookie_secure = cookie_secure
        self.max_age = max_age

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        conn = HTTPConnection(scope)
        session = conn.cookies.get(SESSION_COOKIE)
        cookieless = conn.url.path.startswith(COOKIELESS_PREFIXES)
        if scope["method"] not in SAFE_METHODS and not _is_bearer(conn) and not cookieless:
            refusal = self._check(conn, session)
            if refusal is not None:
                await refusal(scope, receive, send)
                return
        if session is None or conn.cookies.get(CSRF_COOKIE) == csrf_token(self.secret(), session):
            await self.app(scope, receive, send)
            return

        async def reissue(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = MutableHeaders(scope=message)
                if not any(v.startswith(CSRF_COOKIE + "=") for v in headers.getlist("set-cookie")):
                    carrier = Response()
                    carrier.set_cookie(
                        CSRF_COOKIE, csrf_token(self.secret(), session), max_age=self.max_age, path="/",
                        secure=self.cookie_secure, httponly=False, samesite="strict",
                    )  # fmt: skip
                    headers.append("set-cookie", carrier.headers["set-cookie"])
            await send(message)

        await self.app(scope, receive, reissue)

    def _check(self, conn: HTTPConnection, session: str | None) -> JSONResponse | None:
        """The 403 answer for an unsafe request, or None when it may go on."""
        login = conn.url.path in LOGIN_PATHS
        if session is None and not login:
            return None  # not authenticated at all: the route answers 401
        claimed = conn.headers.get("origin")
        source = "Origin"
        if claimed is None and (referer := conn.headers.get("referer")) is not None:
            claimed, source = referer, "Referer"
        if claimed is None:
            if login:
                return None  # not a browser (browsers send Origin on every cross-site POST): nothing to forge
            return _refuse(
                "已拒绝：请求缺少来源（Origin 与 Referer 请求头都没有），无法确认来自本站页面。"
                "脚本请改用 API 令牌（Authorization: Bearer）"
            )
        own = origin_of(f"{conn.url.scheme}://{conn.headers.get('host', '')}")
        origin = origin_of(claimed)
        if origin is None or (origin != own and origin not in self.trusted):
            shown = claimed if len(claimed) <= 100 else claimed[:100] + "…"
            return _refuse(f"已拒绝：请求来源（{source}: {shown}）不是本站 {own or ''}，跨站请求不能修改数据")
        if login:
            return None
        assert session is not None
        sent = conn.headers.get(CSRF_HEADER)
        if not sent:
            return _refuse(f"已拒绝：缺少 CSRF 令牌（请求头 {CSRF_HEADER}），请刷新页面后重试")
        if not hmac.compare_digest(sent.encode(), csrf_token(self.secret(), session).encode()):
            return _refuse(f"已拒绝：CSRF 令牌（请求头 {CSRF_HEADER}）与当前登录不符，请刷新页面后重试")
        return None


def bearer_token(authorization: str | None) -> str | None:
    """The token of an ``Authorization: Bearer <token>`` header value; None for no header or another scheme."""
    if authorization and authorization.lower().startswith("bearer "):
        return authorization[7:].strip()
    return None


def _is_bearer(conn: HTTPConnection) -> bool:
    return bearer_token(conn.headers.get("authorization")) is not None


class SecurityHeaders:
    """ASGI middleware: :data:`SECURITY_HEADERS` on every answer, and ``Cache-Control: no-store`` under /api
    (session data and downloads must not stay in a shared or browser cache)."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        no_store = scope["path"] == "/api" or scope["path"].startswith("/api/")

        async def with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = MutableHeaders(scope=message)
                for name, value in SECURITY_HEADERS.items():
                    headers[name] = value
                if no_store:
                    headers["Cache-Control"] = "no-store"
            await send(message)

        await self.app(scope, receive, with_headers)
