"""The collection board (回收情况), the missing list for the phone round, and the clerk's hold on what counts:
the original of an upload (page images, the file), excluding an upload, filing a record by hand, unlinking a
copy."""

from __future__ import annotations

from typing import Annotated
from urllib.parse import quote

from fastapi import APIRouter, Query
from fastapi.responses import Response

from api.deps import AdminUser, CurrentUser, IdPath, ServicesDep, SessionDep
from api.routes.programs import attachment
from api.routes.uploads import upload_out
from api.schemas import (
    BoardCell,
    BoardForm,
    BoardOut,
    BoardRowOut,
    BoardSchool,
    BoardSlot,
    CollectionInfo,
    CollectionState,
    ExcludeIn,
    FileIn,
    RecordOut,
    UploadOut,
)
from api.services import collection, programs, records, uploads
from docgen.collection import Row, counts, due_date
from docgen.model import School

router = APIRouter(prefix="/api", tags=["collection"])


def _school(s: School) -> BoardSchool:
    return BoardSchool(name=s.name, contact=s.contact, phone=s.phone)


def _row(row: Row, pair_id: int) -> BoardRowOut:
    return BoardRowOut(
        unit=row.unit,
        pair_id=pair_id,
        supporting=[s.name for s in row.supporting],
        supported=[s.name for s in row.supported],
        cells=[
            BoardCell(
                form=c.form,
                state=c.state,
                done=c.done,
                expected=c.expected,
                slots=[
                    BoardSlot(
                        label=s.slot.label,
                        state=s.state,
                        returned=s.returned,
                        returned_late=s.returned_late,
                        due=s.slot.due,
                        schools=[_school(x) for x in s.slot.schools],
                    )
                    for s in c.slots
                ],
            )
            for c in row.cells
        ],
    )


@router.get("/programs/{program_id}/board")
def get_board(
    program_id: IdPath,
    user: CurrentUser,
    session: SessionDep,
    state: Annotated[CollectionState | None, Query(description="只列出有这种状态的结对")] = None,
    open_only: Annotated[bool, Query(alias="open", description="只列出有未回收或逾期表格的结对")] = False,
) -> BoardOut:
    """Per pair and per form kind the program sends: returned (complete / needs review), missing, late — by
    Beijing's date — with whom to phone for what is missing. A school account gets its own pairs' rows only;
    the counts per form are over the rows it gets."""
    program = programs.get_program(session, user, program_id)
    found = collection.board(session, user, program)
    domain = programs.domain(program)
    rows = collection.only(found.rows, "open" if open_only else None)
    if state is not None:
        rows = [r for r in rows if r.has(state)]
    forms = []
    for c in counts(found.rows, domain.forms):
        task = domain.task_for_form(c.form)
        forms.append(BoardForm(
            form=c.form, due=due_date(domain, c.form), task=task.title if task else "", expected=c.expected,
            counts=dict(c.by_state),
        ))
    return BoardOut(today=found.today, forms=forms, rows=[_row(r, found.pair_ids[r.unit]) for r in rows])


@router.get("/programs/{program_id}/board/missing")
def missing_list(program_id: IdPath, user: CurrentUser, session: SessionDep) -> Response:
    """The copies not returned (missing or late) with each school's contact and phone, as xlsx for the phone
    round (a school account: its own pairs' only)."""
    program = programs.get_program(session, user, program_id)
    found = collection.board(session, user, program)
    data = collection.missing_xlsx(found)
    return attachment(data, f"{program.key}-未回收-{found.today.isoformat()}.xlsx", "xlsx")


# --- the original of an upload ------------------------------------------------------------------------


@router.get(
    "/uploads/{upload_id}/page",
    response_class=Response,
    responses={200: {"content": {"image/png": {}}}, 503: {"description": "页面图像任务已满，请稍后重试"}},
)
def page_image(
    upload_id: IdPath,
    user: CurrentUser,
    session: SessionDep,
    services: ServicesDep,
    page: Annotated[int, Query(ge=1, le=10_000)] = 1,
) -> Response:
    """A whole page of the stored PDF or image as PNG (at most ``crop_max_pixels``), for the original viewer;
    a Word file has no page image (422: download it with ``/original``)."""
    upload = uploads.get_upload(session, user, upload_id)
    assert services.crops is not None
    png = services.crops.page(services.blobs, upload, page)
    return Response(png, media_type="image/png", headers={"Cache-Control": "private, max-age=3600"})


@router.get("/uploads/{upload_id}/original", response_class=Response)
def original_file(upload_id: IdPath, user: CurrentUser, session: SessionDep, services: ServicesDep) -> Response:
    """The file as it was uploaded (a download: never shown inline), named as it was (a label, not a path)."""
    upload = uploads.get_upload(session, user, upload_id)
    return Response(
        services.blobs.read(upload.blob_key),
        media_type="application/octet-stream",
        headers={
            "Content-Disposition": f"attachment; filename*=UTF-8''{quote(upload.original_name)}",
        },
    )


@router.post("/uploads/{upload_id}/exclude")
def exclude_upload(upload_id: IdPath, body: ExcludeIn, user: AdminUser, session: SessionDep) -> UploadOut:
    """Keep the upload but count it in neither the 台账 nor the board (admins); undone with ``/include``."""
    upload = collection.exclude(session, user, uploads.get_upload(session, user, upload_id), body.reason)
    session.commit()
    return upload_out(session, upload)


@router.post("/uploads/{upload_id}/include")
def include_upload(upload_id: IdPath, user: AdminUser, session: SessionDep) -> UploadOut:
    """Undo an exclusion: the upload's record counts again (admins)."""
    upload = collection.include(session, user, uploads.get_upload(session, user, upload_id))
    session.commit()
    return upload_out(session, upload)


# --- a record's place on the board --------------------------------------------------------------------


@router.get("/records/{record_id}/collection")
def record_collection(record_id: IdPath, user: CurrentUser, session: SessionDep) -> CollectionInfo:
    """How the record counts (its upload excluded? a copy of another record? its own copies) and its original."""
    record = records.get_record(session, user, record_id)
    return CollectionInfo.model_validate(collection.collection_info(session, record))


@router.post("/records/{record_id}/file")
def file_record(record_id: IdPath, body: FileIn, user: AdminUser, session: SessionDep) -> RecordOut:
    """Say by hand which form the record is and under which pair it goes (admins): for a file nothing
    recognised, after looking at the original. Either may be left out."""
    record = records.get_record(session, user, record_id)
    if body.form:
        collection.set_form(session, user, record, body.form)
    if body.pair:
        uploads.assign(session, user, record, body.pair)
    session.flush()
    if record.duplicate_of is None:
        collection.link_copy(session, record)
    session.commit()
    return RecordOut.model_validate(record)


@router.post("/records/{record_id}/unlink")
def unlink_record(record_id: IdPath, user: AdminUser, session: SessionDep) -> RecordOut:
    """The record is not another copy of the record it was linked to: it counts on its own (admins)."""
    record = collection.unlink(session, user, records.get_record(session, user, record_id))
    session.commit()
    return RecordOut.model_validate(record)
