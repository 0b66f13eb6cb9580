"""Phone upload links: the page a form's QR code opens, what the link is for, and the upload through it.

No account, no cookie: the link in the path is the only credential (:mod:`docgen.upload_links`), checked
on every request; a refused link is 403 with the reason in words. The routes answer nothing but the slot's
own description and the receipt of the files sent for it.
"""

from __future__ import annotations

from datetime import date
from pathlib import Path as FsPath
from typing import Annotated, Any

from fastapi import APIRouter, File, Path, UploadFile
from fastapi.responses import FileResponse, JSONResponse, Response
from pydantic import BaseModel

from api.deps import CurrentUser, IdPath, ServicesDep, SessionDep
from api.models import utcnow
from api.routes.uploads import limits
from api.schemas import REJECTED, UploadReceived
from api.services import phone_links, programs, uploads
from api.services.uploads import UploadStatus

router = APIRouter(tags=["phone"])
PAGE = FsPath(__file__).resolve().parent.parent / "static" / "phone.html"

CodePath = Annotated[str, Path(max_length=200, description="表单识别码（DG1:…）")]
TokenPath = Annotated[str, Path(max_length=100, description="链接的签名部分")]
_REFUSED: dict[int | str, dict[str, Any]] = {403: {"description": "链接无效、被改动或已过期（detail 说明原因）"}}


class LinkSlot(BaseModel):
    """What a phone upload link is for (and nothing else)."""

    program: str
    pair_label: str
    supporting: list[str]
    supported: list[str]
    school: str
    form_title: str
    expires: date


class LinkReceipt(BaseModel):
    """The receipt of files sent through a link: each file's outcome and one sentence for the person."""

    slot: LinkSlot
    files: list[UploadReceived]
    receipt: str


class LinkSettings(BaseModel):
    """Whether the blank forms generated now carry phone upload links, and until when those work."""

    enabled: bool
    expires: date | None


def _slot_out(s: phone_links.Slot) -> LinkSlot:
    return LinkSlot(
        program=s.program.name,
        pair_label=s.pair_label,
        supporting=list(s.supporting),
        supported=list(s.supported),
        school=s.school,
        form_title=s.form_title,
        expires=s.link.expires,
    )


@router.get("/m/{code}/{token}", include_in_schema=False, response_model=None)
def phone_page(code: CodePath, token: TokenPath) -> Response:
    """The mobile upload page (static; its script asks /api/links/… what the link is for)."""
    del code, token  # read by the page's script from its own address
    return FileResponse(PAGE, media_type="text/html; charset=utf-8")


@router.get("/api/programs/{program_id}/upload-links")
def upload_links(program_id: IdPath, user: CurrentUser, session: SessionDep, services: ServicesDep) -> LinkSettings:
    """For the 批量生成 screen: do the program's blank forms get phone upload links now (``public_base_url``),
    and until which day would links made today work."""
    program = programs.get_program(session, user, program_id)
    expires = phone_links.validity(services.settings, program)
    return LinkSettings(enabled=expires is not None, expires=expires)


@router.get("/api/links/{code}/{token}", responses=_REFUSED)
def link_slot(code: CodePath, token: TokenPath, session: SessionDep, services: ServicesDep) -> LinkSlot:
    """Which program, pair and form a phone upload link is for; 403 with the reason when it is not valid."""
    return _slot_out(phone_links.slot(session, services.secret, code, token))


@router.post("/api/links/{code}/{token}/uploads", status_code=202, response_model=LinkReceipt, responses=_REFUSED)
def link_upload(
    code: CodePath,
    token: TokenPath,
    session: SessionDep,
    services: ServicesDep,
    files: Annotated[list[UploadFile], File(description="照片或文件：jpg、png、pdf、docx，或 zip")],
) -> JSONResponse:
    """Files for the link's slot, checked and queued like any upload of the program (202 with a receipt);
    when no file was accepted, the status of the refusal (413/415/422/429) with the receipt."""
    cap = services.settings.max_upload_bytes
    incoming = [uploads.Incoming(f.filename or "", f.file.read(cap + 1), f.size) for f in files]
    granted, results = phone_links.receive(session, services.blobs, services.secret, code, token, incoming,
                                           limits(services))
    accepted = [r for r in results if r.upload is not None]
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
        )
        for r in results
    ]
    slot = _slot_out(granted)
    where = f"{slot.program} 结对 {slot.pair_label} 的{slot.form_title}" + (f"（{slot.school}）" if slot.school else "")
    refused = len(results) - len(accepted)
    if accepted:
        stamp = utcnow().strftime("%Y-%m-%d %H:%M")
        text = f"已收到 {len(accepted)} 个文件，作为{where}交教育局识别（{stamp} UTC）"
        if refused:
            text += f"；另有 {refused} 个文件未接收，原因见下"
        receipt = LinkReceipt(slot=slot, files=body, receipt=text)
        return JSONResponse(receipt.model_dump(mode="json"), status_code=202)
    statuses = {r.http_status for r in results if r.http_status is not None}
    status = statuses.pop() if len(statuses) == 1 else 422
    why = "；".join(r.error or r.name for r in results)
    receipt = LinkReceipt(slot=slot, files=body, receipt=f"没有文件被接收（{where}）：{why}")
    return JSONResponse({"detail": receipt.receipt, **receipt.model_dump(mode="json")}, status_code=status or 422)
