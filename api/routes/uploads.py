"""Returned forms: upload (one or many files, ZIPs allowed), list, status, and page crops for review."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, File, HTTPException, Query, UploadFile
from fastapi.responses import JSONResponse, Response

from api.deps import CurrentUser, IdPath, IdQuery, ServicesDep, SessionDep
from api.models import Upload
from api.schemas import REJECTED, UploadOut, UploadReceived, UploadState
from api.services import programs, uploads
from api.services.uploads import UploadStatus
from docgen.extraction import FormStatus

router = APIRouter(prefix="/api", tags=["uploads"])


def upload_out(session: SessionDep, u: Upload) -> UploadOut:
    """An upload as the API shows it, with the id of its record once read."""
    out = UploadOut.model_validate(u)
    record = uploads.record_of(session, u)
    out.record_id = record.id if record else None
    out.record_status = FormStatus(record.status) if record else None
    out.via_link = u.link is not None
    return out


def limits(services: ServicesDep) -> uploads.Limits:
    """The upload limits of the running settings."""
    s = services.settings
    return uploads.Limits(
        s.max_upload_bytes,
        s.zip_max_members,
        s.zip_max_total_bytes,
        s.zip_max_ratio,
        s.image_max_pixels,
        queued_per_user=s.max_queued_uploads_per_user,
    )


_REFUSED: dict[int | str, dict[str, Any]] = {
    413: {"description": "单个文件：文件过大；每个文件的原因见 files"},
    415: {"description": "单个文件：文件类型不支持（按内容判断）；每个文件的原因见 files"},
    429: {"description": "排队识别的文件已达每个账号的上限（max_queued_uploads_per_user）：Retry-After 秒后再上传"},
    422: {"description": "没有一个文件被接收（原因各异，或压缩包无效）：detail 与 files 列出每个文件的原因"},
    503: {"description": "文件存储暂时无法访问：本次上传未被接收，什么也没有保存，请稍后重新上传（Retry-After）"},
}


@router.post("/programs/{program_id}/uploads", status_code=202, response_model=list[UploadReceived], responses=_REFUSED)
def upload_files(
    program_id: IdPath,
    user: CurrentUser,
    session: SessionDep,
    services: ServicesDep,
    files: Annotated[list[UploadFile], File(description="一个或多个文件：docx、pdf、jpg、png、tif 或 zip")],
) -> JSONResponse:
    """Each file gets its own outcome: 202 with every file's entry when at least one was accepted (a refused
    file is ``status: "rejected"`` with ``error``); when none was, 413/415/422 with ``detail`` and ``files``.

    A plain (threadpool) route: hashing, blob writes and the commit must not hold the event loop.
    """
    program = programs.get_program(session, user, program_id)
    cap = services.settings.max_upload_bytes
    incoming = []
    for f in files:
        data = f.file.read(cap + 1)  # never more than the limit in memory; f.size is the real size
        incoming.append(uploads.Incoming(f.filename or "", data, f.size))
    results = uploads.receive(session, services.blobs, program, user, incoming, limits(services))
    accepted = any(r.upload is not None for r in results)
    if services.dispatch:
        services.dispatch.uploads_queued(uploads.queued_ids(results))
    body = [
        UploadReceived(
            id=r.upload.id if r.upload else None,
            name=r.name,
            sha256=r.upload.sha256 if r.upload else None,
            status=UploadStatus(r.upload.status) if r.upload else REJECTED,
            duplicate=r.duplicate,
            error=r.error,
            archive=r.archive,
        ).model_dump()
        for r in results
    ]
    if accepted:
        return JSONResponse(body, status_code=202)
    refused = [r for r in results if r.http_status is not None]
    statuses = {r.http_status for r in refused}
    status = statuses.pop() if len(statuses) == 1 else 422
    if len(refused) == 1:
        detail = refused[0].error or "文件未接收"
    else:
        detail = f"{len(refused)} 个文件都未接收：" + "；".join(r.error or r.name for r in refused)
    retry = {"Retry-After": str(uploads.QUEUE_FULL_RETRY_SECONDS)} if status == 429 else None
    return JSONResponse({"detail": detail, "files": body}, status_code=status or 422, headers=retry)


@router.get("/uploads")
def list_uploads(
    user: CurrentUser,
    session: SessionDep,
    program: IdQuery = None,
    status: UploadState | None = None,
    excluded: Annotated[bool | None, Query(description="true 只列已排除的，false 只列计入的；不填：全部")] = None,
) -> list[UploadOut]:
    scope = programs.get_program(session, user, program) if program is not None else None
    return [upload_out(session, u) for u in uploads.list_uploads(session, user, scope, status, excluded=excluded)]


@router.get("/uploads/{upload_id}")
def get_upload(upload_id: IdPath, user: CurrentUser, session: SessionDep) -> UploadOut:
    return upload_out(session, uploads.get_upload(session, user, upload_id))


@router.get(
    "/uploads/{upload_id}/crop",
    response_class=Response,
    responses={200: {"content": {"image/png": {}}}, 503: {"description": "截图任务已满，请稍后重试"}},
)
def crop(
    upload_id: IdPath,
    user: CurrentUser,
    session: SessionDep,
    services: ServicesDep,
    x0: float,
    y0: float,
    x1: float,
    y1: float,
    page: Annotated[int, Query(ge=1, le=100_000)] = 1,
) -> Response:
    """PNG of one box of the stored file, for the review screen: ``x0 y0 x1 y1`` are a value's
    ``where.bbox`` as the extractors report it — in the ORIGINAL file's coordinates (image pixels, EXIF
    orientation applied; PDF points, origin top-left, for any PDF, scanned or not; docs/ocr.md "Boxes").
    The box is widened by a small margin so the value's surroundings show; the child clamps it to the page.
    A box whose output passes ``crop_max_pixels`` is 422; when ``crop_concurrency`` crops are rendering and
    ``crop_queue`` more wait, the request is 503 (retry shortly). Rendered crops are cached (``crop_cache_bytes``).
    """
    import math  # (kept inside: this function is the only user)

    if not all(math.isfinite(v) for v in (x0, y0, x1, y1)) or x1 <= x0 or y1 <= y0:
        raise HTTPException(422, "裁剪区域无效（需要 x0 < x1、y0 < y1）")
    upload = uploads.get_upload(session, user, upload_id)
    # 20 % of the short side, at least ≈ 1 mm (3 pt in a PDF, 8 px in an image of ≈ 200 dpi)
    pad = max(0.2 * min(x1 - x0, y1 - y0), 3.0 if upload.detected_type == "pdf" else 8.0)
    assert services.crops is not None
    png = services.crops.render(
        services.blobs, upload, page, (max(0.0, x0 - pad), max(0.0, y0 - pad), x1 + pad, y1 + pad)
    )
    return Response(png, media_type="image/png", headers={"Cache-Control": "private, max-age=3600"})
