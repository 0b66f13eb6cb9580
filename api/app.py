"""The HTTP application: ``create_app(settings)``; ``docgen serve`` runs it under uvicorn.

Startup (lifespan): migrate the database (``alembic upgrade head``), create the admin named by
``DOCGEN_ADMIN_USERNAME``/``DOCGEN_ADMIN_PASSWORD`` when set and missing, re-queue interrupted work and start
the worker threads. Shutdown: stop the worker, close the PDF converters (started only when first needed).
"""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any

from fastapi import FastAPI, Request
from fastapi.responses import FileResponse, JSONResponse, Response
from fastapi.staticfiles import StaticFiles
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from api.blobs import BlobNotFound, open_blob_store
from api.db import Database, migrate
from api.deps import Services
from api.routes import admin, auth, programs, records, uploads
from api.services import accounts
from api.services.errors import Invalid, ServiceError
from api.services.passwords import PasswordHasherGate
from api.services.throttle import ThrottlePolicy
from api.settings import Settings, get_settings
from api.worker import Converters, Worker
from docgen.errors import DocgenError

STATIC = Path(__file__).resolve().parent / "static"
log = logging.getLogger("docgen.api")


class BodyLimit:
    """Refuse a request body past ``limit`` bytes with 413 — by Content-Length at once, else while it streams."""

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
                    raise _TooLarge
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
        response = JSONResponse({"detail": f"请求体超过上限 {self.limit >> 20} MB"}, status_code=413)
        await response({"type": "http"}, _no_receive, send)


class _TooLarge(Exception):
    pass


async def _no_receive() -> Message:
    return {"type": "http.disconnect"}


def build_services(settings: Settings) -> Services:
    """The service container for ``settings``: data folder, blob store, database, PDF converters, secret."""
    settings.data_dir.mkdir(parents=True, exist_ok=True)
    blobs = open_blob_store(
        settings.resolved_blob_store(),
        endpoint_url=settings.s3_endpoint_url,
        region=settings.s3_region,
        access_key_id=settings.s3_access_key_id,
        secret_access_key=settings.s3_secret_access_key,
    )
    return Services(
        settings,
        Database(settings.resolved_database_url()),
        blobs,
        Converters(settings),
        secret=settings.resolved_secret(),
        hasher=PasswordHasherGate(settings.password_hash_concurrency, settings.password_hash_queue),
        throttle=ThrottlePolicy.from_settings(settings),
    )


def create_app(settings: Settings | None = None) -> FastAPI:
    """The FastAPI app: lifespan (migrate, admin, worker), error mapping, routers, /static, body limit."""
    settings = settings or get_settings()

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        services = build_services(settings)
        migrate(services.db.engine)
        if settings.admin_password:
            try:
                with services.db.session() as s:
                    accounts.ensure_admin(s, settings.admin_username, settings.admin_password, hasher=services.hasher)
            except Invalid as exc:
                services.db.dispose()  # the service does not start: close its pooled connections
                raise Invalid(f"DOCGEN_ADMIN_USERNAME/DOCGEN_ADMIN_PASSWORD 不可用：{exc.message}") from None
        if settings.start_worker:
            services.worker = Worker(settings, services.db, services.blobs, services.converters)
            services.worker.start()
        app.state.services = services
        try:
            yield
        finally:
            if services.worker:
                services.worker.stop()
            services.converters.close()
            services.db.dispose()

    app = FastAPI(
        title="docgen 学校结对帮扶文书服务",
        description="花名册导入、批量生成协议、回传表单识别、人工校对、重新生成正式文书。",
        version="0.1.0",
        lifespan=lifespan,
    )

    @app.exception_handler(ServiceError)
    async def service_error(_: Request, exc: ServiceError) -> JSONResponse:
        return JSONResponse({"detail": exc.message, **exc.extra}, status_code=exc.status, headers=exc.headers or None)

    @app.exception_handler(DocgenError)
    async def docgen_error(_: Request, exc: DocgenError) -> JSONResponse:
        return JSONResponse({"detail": str(exc)}, status_code=422)

    @app.exception_handler(BlobNotFound)
    async def blob_missing(_: Request, exc: BlobNotFound) -> JSONResponse:
        log.error("blob missing: %s", exc)
        return JSONResponse({"detail": "文件内容在存储中缺失，请联系管理员"}, status_code=410)

    for module in (auth, programs, uploads, records, admin):
        app.include_router(module.router)

    if STATIC.is_dir():
        app.mount("/static", StaticFiles(directory=STATIC), name="static")

    @app.get("/", include_in_schema=False, response_model=None)
    def index() -> Response:
        page = STATIC / "index.html"
        if page.is_file():
            return FileResponse(page, media_type="text/html; charset=utf-8")
        return JSONResponse({"detail": "界面尚未安装；API 文档见 /docs"}, status_code=404)

    app.add_middleware(BodyLimit, limit=settings.max_request_bytes)
    return app


def app_factory() -> Any:
    """For ``uvicorn --factory api.app:app_factory`` (settings from the environment)."""
    return create_app()
