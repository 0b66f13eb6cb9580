"""The API documentation at /docs: Swagger UI served from this server, never from a CDN.

FastAPI's built-in /docs loads Swagger UI from a CDN (a blank page offline, and third-party code in a page
that holds the session) and starts it with an inline script, which our Content-Security-Policy forbids. Here the
page (``static/docs.html``) and its start-up script (``static/docs.js``) are ours, and Swagger UI's own files come
from the ``swagger-ui-bundle`` package.
"""

from __future__ import annotations

from importlib.resources import files
from importlib.resources.abc import Traversable
from pathlib import Path

from fastapi import APIRouter, HTTPException
from fastapi.responses import FileResponse, Response

STATIC = Path(__file__).resolve().parent.parent / "static"
# the only Swagger UI files the page needs; nothing else of the package is served
ASSETS = {"swagger-ui-bundle.js": "text/javascript; charset=utf-8", "swagger-ui.css": "text/css; charset=utf-8"}

router = APIRouter(include_in_schema=False)


def swagger_ui_dir() -> Traversable:
    """The folder of Swagger UI's files inside the ``swagger-ui-bundle`` package (``vendor/swagger-ui-<version>``)."""
    vendor = files("swagger_ui_bundle") / "vendor"
    found = sorted((d for d in vendor.iterdir() if d.is_dir() and d.name.startswith("swagger-ui-")),
                   key=lambda d: d.name)  # fmt: skip
    if not found:
        raise RuntimeError("swagger-ui-bundle 安装不完整：缺少 vendor/swagger-ui-*")
    return found[-1]


@router.get("/docs")
def docs_page() -> FileResponse:
    return FileResponse(STATIC / "docs.html", media_type="text/html; charset=utf-8")


@router.get("/docs/assets/{name}")
def docs_asset(name: str) -> Response:
    if name not in ASSETS:
        raise HTTPException(404, f"没有这个文档资源：{name}")
    return Response((swagger_ui_dir() / name).read_bytes(), media_type=ASSETS[name],
                    headers={"Cache-Control": "public, max-age=86400"})  # fmt: skip
