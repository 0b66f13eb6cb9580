"""Records: list and filter, one record, corrections, and the regenerated typed form."""

from __future__ import annotations

from typing import Literal

from fastapi import APIRouter
from fastapi.responses import Response

from api.deps import CurrentUser, ServicesDep, SessionDep
from api.routes.programs import attachment
from api.schemas import CorrectionIn, CorrectionOut, RecordOut
from api.services import programs, records, regeneration

router = APIRouter(prefix="/api", tags=["records"])


@router.get("/records")
def list_records(
    user: CurrentUser,
    session: SessionDep,
    program: int | None = None,
    pair: str | None = None,
    form: str | None = None,
    status: Literal["complete", "needs_review", "unreadable"] | None = None,
) -> list[RecordOut]:
    scope = programs.get_program(session, user, program) if program is not None else None
    found = records.list_records(session, user, program=scope, pair=pair, form=form, status=status)
    return [RecordOut.model_validate(r) for r in found]


@router.get("/records/{record_id}")
def get_record(record_id: int, user: CurrentUser, session: SessionDep) -> RecordOut:
    return RecordOut.model_validate(records.get_record(session, user, record_id))


@router.patch("/records/{record_id}")
def correct_record(
    record_id: int, body: CorrectionIn, user: CurrentUser, session: SessionDep, services: ServicesDep
) -> RecordOut:
    record = records.get_record(session, user, record_id)
    record, _ = records.correct(
        session, user, record, body.path, body.value, threshold=services.settings.review_threshold
    )
    session.commit()
    return RecordOut.model_validate(record)


@router.get("/records/{record_id}/corrections")
def list_corrections(record_id: int, user: CurrentUser, session: SessionDep) -> list[CorrectionOut]:
    record = records.get_record(session, user, record_id)
    return [CorrectionOut.model_validate(c) for c in records.list_corrections(session, record)]


@router.get("/records/{record_id}/document")
def record_document(
    record_id: int,
    user: CurrentUser,
    session: SessionDep,
    services: ServicesDep,
    format: Literal["docx", "pdf"] = "docx",
) -> Response:
    record = records.get_record(session, user, record_id)
    converter = services.converters if format == "pdf" else None
    result = regeneration.record_form(session, record, services.settings.templates_dir, converter=converter)
    [file] = [f for f in result.files if f.format == format]
    name = f"记录{record.id}_{record.pair_label}_{result.job.kind.title}.{format}"
    return attachment(file.data, name, format)
