"""A program's targets against its records, and its periodic reports as official documents."""

from __future__ import annotations

from datetime import date
from typing import Annotated, Any, Literal

from fastapi import APIRouter, HTTPException, Path, Query
from fastapi.responses import Response

from api.deps import CurrentUser, IdPath, ServicesDep, SessionDep
from api.models import beijing_today
from api.routes.programs import attachment
from api.services import programs
from api.services import targets as service

router = APIRouter(prefix="/api", tags=["targets"])

ReportKey = Annotated[str, Path(pattern=r"^[a-z0-9_]{1,50}$", description="报告种类（如 monthly、half_year）")]


@router.get("/programs/{program_id}/targets")
def targets(
    program_id: IdPath,
    user: CurrentUser,
    session: SessionDep,
    as_of: Annotated[date | None, Query(description="截至日期（默认北京时间今天；项目期外取项目期末）")] = None,
) -> dict[str, Any]:
    """每项量化目标：目标数、已完成数、百分比，按结对分列（学校账号只见本校的结对）；以及本项目的定期报告。"""
    program = programs.get_program(session, user, program_id)
    when = as_of or _default_day(programs.domain(program).period_end)
    return service.targets(session, user, program, when)


def _default_day(period_end: date | None) -> date:
    """Today in Beijing, or the program's last day once it is over (a finished program shows its result)."""
    today = beijing_today()
    return min(today, period_end) if period_end else today


@router.get("/programs/{program_id}/reports/{key}")
def report(
    program_id: IdPath,
    key: ReportKey,
    user: CurrentUser,
    session: SessionDep,
    services: ServicesDep,
    year: Annotated[int, Query(ge=2000, le=2100, description="年份")],
    part: Annotated[int, Query(ge=1, le=12, description="月份（1–12）；半年报告：1 上半年，2 下半年")],
    format: Literal["docx", "pdf"] = "docx",
) -> Response:
    """定期报告（如每月工作进展、半年工作总结）：由回传记录生成的公文，列出未报送和逾期报送的结对。"""
    program = programs.get_program(session, user, program_id)
    if user.role == "school":
        raise HTTPException(404, f"项目 {program_id} 的报告不存在")
    converter = services.converters if format == "pdf" else None
    rendered = service.report(session, program, key, year, part, services.settings.templates_dir, converter=converter)
    data = rendered.pdf if format == "pdf" and rendered.pdf is not None else rendered.docx
    return attachment(data, f"{rendered.name}.{format}", format)
