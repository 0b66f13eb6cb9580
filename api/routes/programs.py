"""Programs, their roster and pairs, batches, documents, the 台账 and the record export."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date
from typing import IO, Annotated, Literal
from urllib.parse import quote

from fastapi import APIRouter, HTTPException, Path, Query, Request
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import FileResponse, Response, StreamingResponse
from pydantic import ValidationError
from sqlalchemy import select

from api.blobs import BlobNotFound, LocalBlobStore
from api.deps import CurrentUser, IdPath, QueryText, ServicesDep, SessionDep, regenerator
from api.models import BatchJob, Document, Program, RosterPreview, beijing_today
from api.schemas import (
    BatchIn,
    BatchOut,
    ConfirmIn,
    DocumentOut,
    PairOut,
    PreviewIn,
    ProgramDetail,
    ProgramIn,
    ProgramOut,
    RosterOut,
    RosterPreviewOut,
    RosterProblemOut,
)
from api.services import (
    accounts,
    batches,
    documents,
    programs,
    records,
    regeneration,
    roster_preview,
    rosters,
    school_names,
    targets,
)
from api.services.batches import BatchStatus
from api.services.errors import rendering_failed
from api.services.filetypes import safe_name
from api.services.roster_preview import Overrides
from docgen import program_file
from docgen.errors import ConversionError, ProgramError

router = APIRouter(prefix="/api", tags=["programs"])

MEDIA = {
    "docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    "pdf": "application/pdf",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "csv": "text/csv; charset=utf-8",
    "zip": "application/zip",
    "png": "image/png",
}


def attachment(data: bytes, name: str, fmt: str) -> Response:
    """``data`` as a download named ``name`` (RFC 5987 UTF-8 file name)."""
    return Response(
        data,
        media_type=MEDIA[fmt],
        headers={"Content-Disposition": f"attachment; filename*=UTF-8''{quote(name)}"},
    )


async def _program_yaml(request: Request, cap: int) -> str:
    """The program.yaml text of a multipart ``file`` (at most ``cap`` bytes, else 413) or of JSON ``{yaml}``."""
    content_type = request.headers.get("content-type", "")
    if content_type.startswith("multipart/form-data"):
        async with request.form() as form:
            upload = form.get("file")
            if upload is None or isinstance(upload, str):
                raise HTTPException(422, "请以 multipart 字段 file 上传 program.yaml")
            data = await upload.read(cap + 1)  # never more than the limit in memory
            name = safe_name(upload.filename, "program.yaml")
        if len(data) > cap:
            raise HTTPException(413, f"{name}：文件超过上限 {cap >> 20} MB")
    else:
        try:
            body = ProgramIn.model_validate_json(await request.body())
        except ValidationError as exc:
            why = "；".join(str(e["msg"]) for e in exc.errors()[:3])
            raise HTTPException(422, f'请求体应为 JSON {{"yaml": "…"}} 或 multipart 文件 file（{why}）') from None
        return body.yaml
    try:
        return program_file.decode_program_file(data, name)  # UTF-8, or GBK as Notepad saves it
    except ProgramError as exc:
        raise HTTPException(422, f"{name}：{exc.message}") from None


@router.get("/programs")
def list_programs(
    user: CurrentUser,
    session: SessionDep,
    archived: Annotated[bool, Query(description="为 true 时也列出已归档的项目")] = False,
) -> list[ProgramOut]:
    return [ProgramOut.model_validate(p) for p in programs.list_programs(session, user, archived=archived)]


@router.post(
    "/programs",
    status_code=201,
    openapi_extra={
        "requestBody": {
            "content": {
                "application/json": {"schema": {"$ref": "#/components/schemas/ProgramIn"}},
                "multipart/form-data": {
                    "schema": {"type": "object", "properties": {"file": {"type": "string", "format": "binary"}}}
                },
            }
        }
    },
)
async def create_program(request: Request, user: CurrentUser, session: SessionDep, services: ServicesDep) -> ProgramOut:
    text = await _program_yaml(request, services.settings.max_upload_bytes)
    # parsing and checking every template with the program's data is CPU work: not on the event loop
    program = await run_in_threadpool(
        programs.create_program, session, text, user, services.blobs, templates_dir=services.settings.templates_dir
    )
    session.commit()
    return ProgramOut.model_validate(program)


@router.get("/programs/{program_id}")
def get_program(program_id: IdPath, user: CurrentUser, session: SessionDep) -> ProgramDetail:
    row = programs.get_program(session, user, program_id)
    domain = programs.domain(row)
    return ProgramDetail(
        id=row.id,
        key=row.key,
        name=row.name,
        created_at=row.created_at,
        archived=row.archived,
        yaml_text=row.yaml_text,
        pairs=len(rosters.list_pairs(session, row, user)),
        agreements=[{"key": k.key, "title": k.title, "template": k.template} for k in domain.agreements],
        tasks=[
            {
                "key": t.key,
                "title": t.title,
                "due": t.due.isoformat() if t.due else None,
                "min_per_year": t.min_per_year,
                "optional": t.optional,
            }
            for t in domain.tasks
        ],
    )


ROSTER_FILE_HINT = "请以 multipart 字段 file 上传花名册（xlsx、csv、txt，或回传的安排表 docx/pdf）"
ROSTER_FORM = {
    "requestBody": {
        "content": {
            "multipart/form-data": {
                "schema": {
                    "type": "object",
                    "required": ["file"],
                    "properties": {
                        "file": {"type": "string", "format": "binary", "description": "花名册文件"},
                        "overrides": {
                            "type": "string",
                            "description": "人工列映射（JSON 文本）：{表的标识: {列序号: 角色}}，可省略",
                        },
                    },
                }
            }
        },
        "required": True,
    }
}
PreviewIdPath = Annotated[str, Path(min_length=16, max_length=64, pattern=r"^[A-Za-z0-9_-]+$", description="预览编号")]


async def _roster_upload(request: Request, services: ServicesDep) -> tuple[str, bytes, str | None]:
    """The multipart roster upload: its file's name and bytes (413 past the limit) and the ``overrides`` text."""
    cap = services.settings.max_upload_bytes
    async with request.form() as form:
        upload = form.get("file")
        if upload is None or isinstance(upload, str):
            raise HTTPException(422, ROSTER_FILE_HINT)
        data = await upload.read(cap + 1)
        name = safe_name(upload.filename, "花名册")
        overrides = form.get("overrides")
        if overrides is not None and not isinstance(overrides, str):
            raise HTTPException(422, "列映射 overrides 应为 JSON 文本字段，而不是文件")
    if len(data) > cap:
        raise HTTPException(413, f"{name}：文件超过上限 {cap >> 20} MB")
    return name, data, overrides


async def _parse(
    services: ServicesDep,
    session: SessionDep,
    program: Program,
    data: bytes,
    name: str,
    overrides: roster_preview.Overrides | None = None,
) -> rosters.Parsed:
    """The roster file parsed in the sandbox, with an ``abbreviated`` warning for each school name that looks
    abbreviated and that the program's school name table does not resolve (docs/school-names.md)."""
    s = services.settings
    # parsing runs in a limited child process for up to roster_timeout_seconds: not on the event loop
    parsed = await run_in_threadpool(
        rosters.parse, data, name, overrides=overrides, timeout=s.roster_timeout_seconds, memory=s.roster_memory_bytes
    )
    return rosters.with_name_problems(parsed, school_names.table_of(session, program.id))


@router.post("/programs/{program_id}/roster", openapi_extra=ROSTER_FORM)
async def import_roster(
    program_id: IdPath,
    request: Request,
    user: CurrentUser,
    session: SessionDep,
    services: ServicesDep,
    strict: Annotated[bool, Query(description="为 true 时，文件有任何错误或提醒都不导入（422 列出全部问题）")] = False,
) -> RosterOut:
    """Import a roster file at once (scripts; the web UI previews first): its valid groups become the
    program's pairs, matched to the stored ones by their schools (admins only; docs/service.md, "Pairs keep
    their schools"); rows with an error are left out and every problem is in the answer. 422 when the file
    cannot be read, gives no group at all, or — ``strict`` — has any problem."""
    program = programs.get_program(session, user, program_id)
    accounts.require_admin(user)
    programs.require_active(program)  # before the body is read and parsed, not after
    name, data, overrides_text = await _roster_upload(request, services)
    overrides = roster_preview.parse_overrides_text(overrides_text)
    parsed = await _parse(services, session, program, data, name, overrides)
    roster_preview.check_against(overrides, parsed.tables)
    rosters.refuse(parsed, strict=strict)
    pairs = rosters.import_roster(session, program, parsed.roster, user, problems=parsed.problem_count)
    session.commit()
    return RosterOut(
        pairs=[PairOut.model_validate(p) for p in pairs],
        problems=[RosterProblemOut.model_validate(p) for p in parsed.problems],
        problem_count=parsed.problem_count,
    )


def _preview_out(
    session: SessionDep, program: Program, preview: RosterPreview, parsed: rosters.Parsed, overrides: Overrides
) -> RosterPreviewOut:
    return RosterPreviewOut.model_validate(roster_preview.answer(session, program, preview, parsed, overrides))


@router.post("/programs/{program_id}/roster/preview", openapi_extra=ROSTER_FORM)
async def preview_roster(
    program_id: IdPath, request: Request, user: CurrentUser, session: SessionDep, services: ServicesDep
) -> RosterPreviewOut:
    """Read a roster file without importing it: its tables and their column mapping, the groups with their
    rows, every problem, and what importing it would change (admins only). The file is kept for this user
    and program under ``preview_id`` until confirmed, cancelled or expired."""
    program = programs.get_program(session, user, program_id)
    accounts.require_admin(user)
    programs.require_active(program)
    name, data, overrides_text = await _roster_upload(request, services)
    overrides = roster_preview.parse_overrides_text(overrides_text)
    parsed = await _parse(services, session, program, data, name, overrides)
    preview = roster_preview.create(session, program, user, name, data, parsed, overrides)
    out = _preview_out(session, program, preview, parsed, overrides)
    session.commit()
    return out


@router.post("/programs/{program_id}/roster/preview/{preview_id}")
async def repreview_roster(
    program_id: IdPath, preview_id: PreviewIdPath, body: PreviewIn, user: CurrentUser, session: SessionDep,
    services: ServicesDep,
) -> RosterPreviewOut:  # fmt: skip
    """Read the kept file again with another column mapping (``overrides``; ``{}`` goes back to the detected
    one). ``overrides: null`` answers the preview as it stands."""
    program = programs.get_program(session, user, program_id)
    preview = roster_preview.get(session, program, user, preview_id)
    if body.overrides is None:
        overrides = roster_preview.stored_overrides(preview)
        return _preview_out(session, program, preview, roster_preview.stored_parse(preview), overrides)
    overrides = roster_preview.check_overrides(body.overrides)
    stored = roster_preview.stored_parse(preview)
    roster_preview.check_against(overrides, stored.tables)  # before parsing again
    try:
        parsed = await _parse(services, session, program, preview.data, preview.name, overrides)
    except rosters.UnreadableRoster as exc:  # e.g. half-way through swapping two columns: shown, not refused
        parsed = roster_preview.unreadable_under(stored, overrides, exc)
    roster_preview.reparse(session, preview, parsed, overrides)
    out = _preview_out(session, program, preview, parsed, overrides)
    session.commit()
    return out


@router.delete("/programs/{program_id}/roster/preview/{preview_id}", status_code=204)
def cancel_roster_preview(
    program_id: IdPath, preview_id: PreviewIdPath, user: CurrentUser, session: SessionDep
) -> None:
    """Drop a preview and its file (取消): nothing is imported."""
    program = programs.get_program(session, user, program_id)
    roster_preview.cancel(session, roster_preview.get(session, program, user, preview_id))
    session.commit()


@router.post("/programs/{program_id}/roster/confirm")
async def confirm_roster(
    program_id: IdPath, body: ConfirmIn, user: CurrentUser, session: SessionDep, services: ServicesDep
) -> RosterOut:
    """Import a previewed roster (``confirm: true``, with the preview's ``diff_token``): its valid groups become
    the program's pairs (by their schools, as ``POST …/roster``). 409 when the program's pairs or the mapping
    changed since the preview; 404 for a preview that is not this user's, not this program's, or expired."""
    program = programs.get_program(session, user, program_id)
    accounts.require_admin(user)
    programs.require_active(program)
    if not body.confirm:
        raise HTTPException(422, "请以 confirm: true 确认导入")
    preview = roster_preview.get(session, program, user, body.preview_id)
    kept = roster_preview.stored_overrides(preview)
    overrides = kept if body.overrides is None else roster_preview.check_overrides(body.overrides)
    roster_preview.check_against(overrides, roster_preview.stored_parse(preview).tables)
    if roster_preview.same_overrides(overrides, kept):
        parsed = roster_preview.stored_parse(preview)
    else:
        parsed = await _parse(services, session, program, preview.data, preview.name, overrides)
    pairs = roster_preview.confirm(session, program, user, preview, parsed, overrides, body.diff_token, services.blobs)
    session.commit()
    return RosterOut(
        pairs=[PairOut.model_validate(p) for p in pairs],
        problems=[RosterProblemOut.model_validate(p) for p in parsed.problems],
        problem_count=parsed.problem_count,
    )


@router.get("/programs/{program_id}/pairs")
def list_pairs(program_id: IdPath, user: CurrentUser, session: SessionDep) -> list[PairOut]:
    program = programs.get_program(session, user, program_id)
    return [PairOut.model_validate(p) for p in rosters.list_pairs(session, program, user)]


# --- batches ------------------------------------------------------------------------------------------


def batch_out(job: BatchJob) -> BatchOut:
    """A batch job as the API shows it, with its ETA."""
    return BatchOut(
        id=job.id,
        program_id=job.program_id,
        status=BatchStatus(job.status),
        done=job.done,
        total=job.total,
        rendered=job.rendered,
        converted=job.converted,
        progress=batches.progress(job),
        failed=job.failed,
        with_pdf=job.with_pdf,
        eta_seconds=batches.eta_seconds(job),
        error=job.error,
        proof=job.proof,
        created_at=job.created_at,
        started_at=job.started_at,
        updated_at=job.updated_at,
    )


@router.post("/programs/{program_id}/batches", status_code=202)
def create_batch(
    program_id: IdPath, user: CurrentUser, session: SessionDep, services: ServicesDep, body: BatchIn | None = None
) -> BatchOut:
    program = programs.get_program(session, user, program_id)
    job = batches.enqueue(session, program, user, with_pdf=bool(body and body.pdf))
    session.commit()
    if services.dispatch:
        services.dispatch.batch_queued(job.id)
    return batch_out(job)


@router.get("/programs/{program_id}/batches")
def list_batches(program_id: IdPath, user: CurrentUser, session: SessionDep) -> list[BatchOut]:
    """Every batch of the program, newest first, with its status, counts, times and whether its ZIP is ready."""
    program = programs.get_program(session, user, program_id)
    return [batch_out(job) for job in batches.list_jobs(session, user, program)]


@router.get("/batches/{job_id}")
def get_batch(job_id: IdPath, user: CurrentUser, session: SessionDep) -> BatchOut:
    return batch_out(batches.get_job(session, user, job_id))


@router.post("/batches/{job_id}/cancel")
def cancel_batch(job_id: IdPath, user: CurrentUser, session: SessionDep) -> BatchOut:
    job = batches.cancel(session, user, batches.get_job(session, user, job_id))
    session.commit()
    return batch_out(job)


@router.get(
    "/batches/{job_id}/download", response_class=Response, responses={200: {"content": {"application/zip": {}}}}
)
def download_batch(job_id: IdPath, user: CurrentUser, session: SessionDep, services: ServicesDep) -> Response:
    job = batches.get_job(session, user, job_id)
    key = batches.archive_key(job)
    program = programs.get_program(session, user, job.program_id)
    name = f"{programs.domain(program).key}.zip"
    if isinstance(services.blobs, LocalBlobStore):
        path = services.blobs.path(key)
        if not path.is_file():  # 410 now, not a failure half-way through the response
            raise BlobNotFound(key)
        return FileResponse(path, media_type=MEDIA["zip"], filename=name)
    return StreamingResponse(
        _chunks(services.blobs.open(key)),
        media_type=MEDIA["zip"],
        headers={"Content-Disposition": f"attachment; filename*=UTF-8''{quote(name)}"},
    )


def _chunks(stream: IO[bytes]) -> Iterator[bytes]:
    try:
        while chunk := stream.read(1 << 20):
            yield chunk
    finally:
        stream.close()


# --- documents ----------------------------------------------------------------------------------------


@router.get("/programs/{program_id}/documents")
def list_documents(
    program_id: IdPath, user: CurrentUser, session: SessionDep, pair: QueryText = None
) -> list[DocumentOut]:
    program = programs.get_program(session, user, program_id)
    return [DocumentOut.model_validate(d) for d in documents.list_documents(session, user, program, pair)]


@router.get("/documents/{document_id}/download")
def download_document(
    document_id: IdPath,
    user: CurrentUser,
    session: SessionDep,
    services: ServicesDep,
    format: Literal["docx", "pdf"] = "docx",
) -> Response:
    doc = documents.sibling(session, documents.get_document(session, user, document_id), format)
    return attachment(services.blobs.read(doc.blob_key), doc.file_name.rsplit("/", 1)[-1], doc.format)


@router.post("/documents/{document_id}/regenerate")
def regenerate_document(
    document_id: IdPath, user: CurrentUser, session: SessionDep, services: ServicesDep
) -> list[DocumentOut]:
    documents.get_document(session, user, document_id)  # 404 before any work
    session.commit()  # the job writes in its own transaction (here, or on a worker through the broker)
    ids = regenerator(services).regenerate(document_id, user.id)
    query = select(Document).where(Document.id.in_(ids)).order_by(Document.format)
    return [DocumentOut.model_validate(d) for d in session.scalars(query.execution_options(populate_existing=True))]


# --- exports ------------------------------------------------------------------------------------------


@router.get("/programs/{program_id}/records/export")
def export_records(
    program_id: IdPath, user: CurrentUser, session: SessionDep, format: Literal["xlsx", "csv"] = "xlsx"
) -> Response:
    program = programs.get_program(session, user, program_id)
    data = records.export(records.list_records(session, user, program=program), format)
    return attachment(data, f"{program.key}-记录.{format}", format)


@router.get("/programs/{program_id}/ledger")
def ledger(
    program_id: IdPath,
    user: CurrentUser,
    session: SessionDep,
    services: ServicesDep,
    format: Literal["xlsx", "docx", "pdf"] = "xlsx",
    as_of: Annotated[date | None, Query(description="截至日期（默认北京时间今天）")] = None,
) -> Response:
    program = programs.get_program(session, user, program_id)
    if user.role == "school":
        raise HTTPException(404, f"项目 {program_id} 的台账不存在")
    when = as_of or beijing_today()
    rows = regeneration.ledger_rows(session, program, when)
    goals = targets.program_progress(session, program, when)
    name = f"{program.key}-台账.{format}"
    if format == "xlsx":
        return attachment(regeneration.ledger_xlsx(program, rows, when, goals), name, "xlsx")
    docx = regeneration.ledger_docx(program, rows, when, goals)
    if format == "docx":
        return attachment(docx, name, "docx")
    return attachment(_pdf(services, name, docx), name, "pdf")


def _pdf(services: ServicesDep, name: str, docx: bytes) -> bytes:
    """A generated .docx (the 台账) as PDF through the service's converter; a failed conversion is 500."""
    [result] = services.converters.convert_many([(name.replace(".pdf", ".docx"), docx)])
    if result.pdf is None:
        raise rendering_failed(name, ConversionError(f"PDF 转换失败（{result.error}）"))
    return result.pdf
