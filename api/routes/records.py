"""Records: list and filter, one record, corrections, and the regenerated typed form."""

from __future__ import annotations

from typing import Literal

from fastapi import APIRouter
from fastapi.responses import Response

from api.deps import AdminUser, CurrentUser, IdPath, IdQuery, QueryText, ServicesDep, SessionDep
from api.models import Record
from api.routes.programs import attachment
from api.schemas import AssignIn, CorrectionIn, CorrectionOut, RecordOut, RecordStatus
from api.services import programs, records, regeneration, uploads

router = APIRouter(prefix="/api", tags=["records"])


def _out(record: Record, services: ServicesDep) -> RecordOut:
    """The record with the review threshold it is judged by (the UI flags values with it, no constant)."""
    return RecordOut.model_validate(record).model_copy(
        update={"review_threshold": services.settings.review_threshold}
    )


@router.get("/records")
def list_records(
    user: CurrentUser,
    session: SessionDep,
    services: ServicesDep,
    program: IdQuery = None,
    pair: QueryText = None,
    form: QueryText = None,
    status: RecordStatus | None = None,
    mismatch: bool | None = None,
) -> list[RecordOut]:
    """``mismatch=true``: the records held because a school's form named a pair not its own."""
    scope = programs.get_program(session, user, program) if program is not None else None
    found = records.list_records(session, user, program=scope, pair=pair, form=form, status=status, mismatch=mismatch)
    return [_out(r, services) for r in found]


@router.get("/records/{record_id}")
def get_record(record_id: IdPath, user: CurrentUser, session: SessionDep, services: ServicesDep) -> RecordOut:
    return _out(records.get_record(session, user, record_id), services)


@router.patch("/records/{record_id}")
def correct_record(
    record_id: IdPath, body: CorrectionIn, user: CurrentUser, session: SessionDep, services: ServicesDep
) -> RecordOut:
    record = records.get_record(session, user, record_id)
    record, _ = records.correct(
        session, user, record, body.path, body.value, threshold=services.settings.review_threshold
    )
    session.commit()
    return _out(record, services)


@router.post("/records/{record_id}/pair")
def assign_record(record_id: IdPath, body: AssignIn, user: AdminUser, session: SessionDep) -> RecordOut:
    """File the record under a pair of its program (admins): how an identity mismatch is resolved."""
    record = uploads.assign(session, user, records.get_record(session, user, record_id), body.pair)
    session.commit()
    return RecordOut.model_validate(record)


@router.get("/records/{record_id}/corrections")
def list_corrections(record_id: IdPath, user: CurrentUser, session: SessionDep) -> list[CorrectionOut]:
    record = records.get_record(session, user, record_id)
    return [CorrectionOut.model_validate(c) for c in records.list_corrections(session, record)]


@router.get("/records/{record_id}/document")
def record_document(
    record_id: IdPath,
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
