"""The HTTP application: ``create_app(settings)``; ``docgen serve`` runs it under uvicorn.

Startup (lifespan): migrate the database (``alembic upgrade head``), create the admin named by
``DOCGEN_ADMIN_USERNAME``/``DOCGEN_ADMIN_PASSWORD`` when set and missing, re-queue interrupted work and start
the worker threads — or, with ``DOCGEN_BROKER_URL``, only connect to the broker that ``docgen worker``
processes take the work from (:mod:`api.tasks`). Shutdown: stop the worker, close the PDF converters (started
only when first needed).
"""

from __future__ import annotations

import json
import logging
import shutil
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any

from fastapi import FastAPI, HTTPException, Request
from fastapi.encoders import jsonable_encoder
from fastapi.exceptions import RequestValidationError
from fastapi.responses import FileResponse, JSONResponse, Response
from fastapi.staticfiles import StaticFiles
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from api import datadir
from api.blobs import BlobNotFound, BlobStoreUnavailable, blob_store_of
from api.db import Database, migrate
from api.deps import Services
from api.routes import accounts as accounts_routes
from api.routes import (
    admin,
    apidocs,
    auth,
    collection,
    phone,
    programs,
    records,
    school_names,
    setup,
    targets,
    templates,
    uploads,
    vocabulary,
)
from api.sandbox import set_child_env
from api.security import CsrfGuard, SecurityHeaders
from api.services import accounts
from api.services.crops import CropLimits, Crops
from api.services.errors import Invalid, ServiceError
from api.services.passwords import PasswordHasherGate
from api.services.throttle import ThrottlePolicy
from api.settings import Settings, get_settings
from api.worker import Converters, Worker
from docgen.errors import DocgenError

STATIC = Path(__file__).resolve().parent / "static"
log = logging.getLogger("docgen.api")


class SafeJSONResponse(JSONResponse):
    """JSON that never fails to encode: a lone surrogate echoed from a request (an error naming the bad input)
    becomes ``?`` instead of a ``UnicodeEncodeError`` and a 500."""

    def render(self, content: Any) -> bytes:
        text = json.dumps(content, ensure_ascii=False, allow_nan=False, indent=None, separators=(",", ":"))
        return text.encode("utf-8", "replace")


class BodyLimit:
    """Refuse a request body past ``limit`` bytes with 413 — by Content-Length at once, else while it streams.

    While it streams (``Transfer-Encoding: chunked``) the refusal is raised from ``receive`` inside the app, as
    an ``HTTPException(413)``: FastAPI turns any other error met while parsing a body into a 400.
    """

    def __init__(self, app: ASGIApp, limit: int) -> None:
        self.app = app
        self.limit = limit

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        headers = dict(scope.get("headers") or [])
        declared = headers.get(b"content-length")
        if declared is not None and declared.isdigit() and int(declared) > self.limit:
            await self._refuse(send)
            return
        seen = 0
        started = False

        async def limited() -> Message:
            nonlocal seen
            message = await receive()
            if message["type"] == "http.request":
                seen += len(message.get("body", b""))
                if seen > self.limit:
                    raise _TooLarge(self.limit)
            return message

        async def tracking_send(message: Message) -> None:
            nonlocal started
            started = started or message["type"] == "http.response.start"
            await send(message)

        try:
            await self.app(scope, limited, tracking_send)
        except _TooLarge:
            if not started:
                await self._refuse(send)

    async def _refuse(self, send: Send) -> None:
        response = JSONResponse({"detail": _TooLarge(self.limit).detail}, status_code=413)
        await response({"type": "http"}, _no_receive, send)


class _TooLarge(HTTPException):
    def __init__(self, limit: int) -> None:
        size = f"{limit >> 20} MB" if limit >= 1 << 20 else f"{limit} 字节"
        super().__init__(413, f"请求体超过上限 {size}")


async def _no_receive() -> Message:
    return {"type": "http.disconnect"}


def build_services(settings: Settings) -> Services:
    """The service container for ``settings``: data folder (made private, stale scratch files removed — see
    :mod:`api.datadir`), blob store, database, PDF converters, secret."""
    dirs = datadir.prepare(settings.data_dir)
    # onnxruntime writes ~/.cache/Microsoft/… unless XDG_CACHE_HOME says otherwise. (Not TMPDIR: the
    # children's multiprocessing sockets need a short path, and a deep data dir is past AF_UNIX's 108 bytes.)
    set_child_env(XDG_CACHE_HOME=str(dirs.cache))
    url = settings.resolved_database_url()
    if url.startswith("sqlite:///") and not url.endswith(":memory:"):
        datadir.private_file(Path(url.removeprefix("sqlite:///")))  # 0600 before SQLite creates it 0644
    blobs = blob_store_of(settings)
    crop_limits = CropLimits(
        timeout=settings.crop_timeout_seconds,
        memory=settings.crop_memory_bytes,
        max_image_pixels=settings.image_max_pixels,
        max_crop_pixels=settings.crop_max_pixels,
    )
    return Services(
        settings,
        Database(url, pool_size=settings.database_pool_size, max_overflow=settings.database_max_overflow),
        blobs,
        Converters(settings, dirs.tmp),
        secret=settings.resolved_secret(),
        dirs=dirs,
        crops=Crops(
            crop_limits,
            running=settings.crop_concurrency,
            waiting=settings.crop_queue,
            cache_bytes=settings.crop_cache_bytes,
        ),
        hasher=PasswordHasherGate(settings.password_hash_concurrency, settings.password_hash_queue),
        throttle=ThrottlePolicy.from_settings(settings),
    )


def create_app(settings: Settings | None = None) -> FastAPI:
    """The FastAPI app: lifespan (migrate, admin, worker), error mapping, routers, /static, /docs, body limit,
    CSRF guard and security headers (``api.security``)."""
    settings = settings or get_settings()

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        services = build_services(settings)
        try:
            services.blobs.check()  # a wrong bucket or endpoint stops the start, not the first upload
        except BlobStoreUnavailable as exc:
            services.db.dispose()
            raise BlobStoreUnavailable(f"文件存储不可用，服务未启动：{exc.message}") from None
        migrate(services.db.engine)
        if settings.admin_password:
            try:
                with services.db.session() as s:
                    accounts.ensure_admin(s, settings.admin_username, settings.admin_password, hasher=services.hasher)
            except Invalid as exc:
                services.db.dispose()  # the service does not start: close its pooled connections
                raise Invalid(f"DOCGEN_ADMIN_USERNAME/DOCGEN_ADMIN_PASSWORD 不可用：{exc.message}") from None
        celery = None
        if settings.broker_url:  # workers elsewhere run the jobs (api.tasks): only announce them
            from api.tasks import CeleryDispatch

            services.dispatch = celery = CeleryDispatch(settings.broker_url)
        elif settings.start_worker:
            services.worker = Worker(settings, services.db, services.blobs, services.converters)
            services.worker.start()
            services.dispatch = services.worker
        app.state.services = services
        try:
            yield
        finally:
            if services.worker:
                services.worker.stop()
            if celery is not None:
                celery.close()
            services.converters.close()
            services.db.dispose()
            if services.dirs is not None:
                shutil.rmtree(services.dirs.tmp, ignore_errors=True)

    app = FastAPI(
        default_response_class=SafeJSONResponse,
        title="docgen 学校结对帮扶文书服务",
        description="花名册导入、批量生成协议、回传表单识别、人工校对、重新生成正式文书。",
        version="0.1.0",
        lifespan=lifespan,
        docs_url=None,  # FastAPI's /docs and /redoc load their code from a CDN: ours is api.routes.apidocs
        redoc_url=None,
    )

    @app.exception_handler(ServiceError)
    async def service_error(_: Request, exc: ServiceError) -> JSONResponse:
        return SafeJSONResponse(
            {"detail": exc.message, **exc.extra}, status_code=exc.status, headers=exc.headers or None
        )

    @app.exception_handler(DocgenError)
    async def docgen_error(_: Request, exc: DocgenError) -> JSONResponse:
        return SafeJSONResponse({"detail": str(exc)}, status_code=422)

    @app.exception_handler(RequestValidationError)
    async def invalid_request(_: Request, exc: RequestValidationError) -> JSONResponse:
        # FastAPI's own handler, but its echo of the input may hold lone surrogates or megabytes of text
        errors = [{**e, "input": _short(e.get("input"))} for e in exc.errors()[:50]]
        return SafeJSONResponse({"detail": jsonable_encoder(errors)}, status_code=422)

    @app.exception_handler(RecursionError)
    async def too_deep(_: Request, exc: RecursionError) -> JSONResponse:
        # json / YAML parsers recurse per nesting level: 100,000 "[" is bad input, not a server fault
        log.warning("request too deeply nested: %s", exc)
        return SafeJSONResponse({"detail": "请求内容嵌套层数过深，无法处理"}, status_code=422)

    @app.exception_handler(BlobNotFound)
    async def blob_missing(_: Request, exc: BlobNotFound) -> JSONResponse:
        log.error("blob missing: %s", exc)
        return JSONResponse({"detail": "文件内容在存储中缺失，请联系管理员"}, status_code=410)

    @app.exception_handler(BlobStoreUnavailable)
    async def store_down(_: Request, exc: BlobStoreUnavailable) -> JSONResponse:
        # the request's session was never committed: nothing of it is kept (an upload is not received)
        log.error("blob store unavailable: %s", exc)
        detail = "文件存储暂时无法访问，本次操作未完成（没有保存任何内容），请稍后重试"
        return JSONResponse({"detail": detail}, status_code=503, headers={"Retry-After": "30"})

    routers = (auth, accounts_routes, programs, setup, school_names, uploads, records, collection, templates, targets,
               admin, vocabulary, apidocs, phone)
    for module in routers:
        app.include_router(module.router)

    if STATIC.is_dir():
        app.mount("/static", StaticFiles(directory=STATIC), name="static")

    @app.get("/", include_in_schema=False, response_model=None)
    def index() -> Response:
        page = STATIC / "index.html"
        if page.is_file():
            return FileResponse(page, media_type="text/html; charset=utf-8")
        return JSONResponse({"detail": "界面尚未安装；API 文档见 /docs"}, status_code=404)

    # the last added runs first: headers on every answer (a 403 or 413 too), then CSRF, then the body limit
    app.add_middleware(BodyLimit, limit=settings.max_request_bytes)
    app.add_middleware(
        CsrfGuard,
        secret=lambda: app.state.services.secret,
        trusted_origins=settings.trusted_origins,
        cookie_secure=settings.cookie_secure,
        max_age=settings.session_days * 86400,
    )
    app.add_middleware(SecurityHeaders)
    return app


def _short(value: Any) -> Any:
    """An echoed input as the error shows it: text cut to 200 characters, containers left out."""
    if isinstance(value, str):
        return value[:200]
    if isinstance(value, (int, float, bool)) or value is None:
        return value
    return f"<{type(value).__name__}>"


def app_factory() -> Any:
    """For ``uvicorn --factory api.app:app_factory`` (settings from the environment)."""
    return create_app()
