"""Returned forms: upload (one or many files, ZIPs allowed), list, status, and page crops for review."""

from __future__ import annotations

from typing import Annotated, Literal

from fastapi import APIRouter, File, HTTPException, Query, UploadFile
from fastapi.responses import JSONResponse, Response

from api.deps import CurrentUser, ServicesDep, SessionDep
from api.models import Upload
from api.schemas import UploadOut, UploadReceived
from api.services import programs, uploads
from api.services.filetypes import safe_name

router = APIRouter(prefix="/api", tags=["uploads"])


def upload_out(session: SessionDep, u: Upload) -> UploadOut:
    out = UploadOut.model_validate(u)
    record = uploads.record_of(session, u)
    out.record_id = record.id if record else None
    return out


def limits(services: ServicesDep) -> uploads.Limits:
    s = services.settings
    return uploads.Limits(
        s.max_upload_bytes, s.zip_max_members, s.zip_max_total_bytes, s.zip_max_ratio, s.image_max_pixels
    )


@router.post("/programs/{program_id}/uploads", status_code=202, response_model=list[UploadReceived])
async def upload_files(
    program_id: int,
    user: CurrentUser,
    session: SessionDep,
    services: ServicesDep,
    files: Annotated[list[UploadFile], File(description="一个或多个文件：docx、pdf、jpg、png、tif 或 zip")],
) -> JSONResponse:
    program = programs.get_program(session, user, program_id)
    cap = services.settings.max_upload_bytes
    received: list[tuple[str, bytes]] = []
    for f in files:
        data = await f.read(cap + 1)  # never more than the limit in memory
        if len(data) > cap:
            raise HTTPException(413, f"{safe_name(f.filename)}：文件超过上限 {cap >> 20} MB")
        received.append((f.filename or "", data))
    results = uploads.receive(session, services.blobs, program, user, received, limits(services))
    session.commit()
    if services.worker:
        services.worker.wake()
    body = [
        UploadReceived(
            id=r.upload.id if r.upload else None,
            name=r.name,
            sha256=r.upload.sha256 if r.upload else None,
            status=r.upload.status if r.upload else "rejected",
            duplicate=r.duplicate,
            error=r.error,
            archive=r.archive,
        ).model_dump()
        for r in results
    ]
    return JSONResponse(body, status_code=202)


@router.get("/uploads")
def list_uploads(
    user: CurrentUser,
    session: SessionDep,
    program: int | None = None,
    status: Literal["received", "processing", "done", "failed"] | None = None,
) -> list[UploadOut]:
    scope = programs.get_program(session, user, program) if program is not None else None
    return [upload_out(session, u) for u in uploads.list_uploads(session, user, scope, status)]


@router.get("/uploads/{upload_id}")
def get_upload(upload_id: int, user: CurrentUser, session: SessionDep) -> UploadOut:
    return upload_out(session, uploads.get_upload(session, user, upload_id))


@router.get("/uploads/{upload_id}/crop", response_class=Response, responses={200: {"content": {"image/png": {}}}})
def crop(
    upload_id: int,
    user: CurrentUser,
    session: SessionDep,
    services: ServicesDep,
    x0: float,
    y0: float,
    x1: float,
    y1: float,
    page: Annotated[int, Query(ge=1)] = 1,
) -> Response:
    upload = uploads.get_upload(session, user, upload_id)
    s = services.settings
    png = uploads.crop(
        services.blobs,
        upload,
        page,
        (x0, y0, x1, y1),
        timeout=s.crop_timeout_seconds,
        memory=s.extract_memory_bytes,
        max_pixels=s.image_max_pixels,
    )
    return Response(png, media_type="image/png")
