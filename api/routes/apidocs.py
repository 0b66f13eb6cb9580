"""The API documentation at /docs: Swagger UI served from this server, never from a CDN.

FastAPI's built-in /docs loads Swagger UI from a CDN (a blank page offline, and third-party code in a page
that holds the session) and starts it with an inline script, which our Content-Security-Policy forbids. Here the
page (``static/docs.html``) and its start-up script (``static/docs.js``) are ours, and Swagger UI 5's own two
files come from the ``fastapi-offline`` package (we use its files only, not its code). Swagger UI 4 (the
``swagger-ui-bundle`` package) cannot show FastAPI's OpenAPI 3.1 documents.
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
    """The folder holding Swagger UI's ``swagger-ui-bundle.js`` and ``swagger-ui.css``."""
    return files("fastapi_offline") / "static"


@router.get("/docs")
def docs_page() -> FileResponse:
    return FileResponse(STATIC / "docs.html", media_type="text/html; charset=utf-8")


@router.get("/docs/assets/{name}")
def docs_asset(name: str) -> Response:
    if name not in ASSETS:
        raise HTTPException(404, f"没有这个文档资源：{name}")
    return Response((swagger_ui_dir() / name).read_bytes(), media_type=ASSETS[name],
                    headers={"Cache-Control": "public, max-age=86400"})  # fmt: skip
