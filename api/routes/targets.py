"""A program's targets against its records, and its periodic reports as official documents."""

from __future__ import annotations

from datetime import date
from typing import Annotated, Literal

from fastapi import APIRouter, HTTPException, Path, Query
from fastapi.responses import Response
from pydantic import BaseModel, Field

from api.deps import CurrentUser, IdPath, ServicesDep, SessionDep
from api.models import beijing_today
from api.routes.programs import attachment
from api.services import programs
from api.services import targets as service

router = APIRouter(prefix="/api", tags=["targets"])


class SpanOut(BaseModel):
    start: date
    end: date
    label: str = Field(description="期间的说法，如 2019年春季学期、项目期内")


class PairCountOut(BaseModel):
    pair: str
    supporting: str
    supported: str
    done: int
    quantity: int | None = Field(description="本结对的目标数（按结对计的目标），否则为空")
    reached: bool | None


class TargetOut(BaseModel):
    key: str
    title: str
    unit: str = Field(description="计量单位：人次、人、次……")
    quantity: int | None = Field(description="全项目的目标数（按结对计的目标为各结对之和）；通知未规定数量时为空")
    per_pair: int | None = Field(description="按结对计的目标：每个结对的数量；全项目目标为空")
    span: SpanOut
    done: int
    percent: int | None
    reached: bool | None
    pairs_reached: int
    note: str = Field(description="通知原文中的数量说法，如 2—3名、100人以上")
    source: str = Field(description="出处（通知的章节）")
    parts: list[str] = Field(description="由哪些目标合成（如 两地教师交流 = 支教 + 跟岗）")
    pairs: list[PairCountOut]


class ReportPartOut(BaseModel):
    part: int
    label: str


class ReportOut(BaseModel):
    key: str
    title: str
    due: str = Field(description="报送时间的说法，如 每月19日前报送；通知未规定时为空")
    parts: list[ReportPartOut]
    year: int = Field(description="默认的年份（截至日期所在年）")
    part: int = Field(description="默认的月份或半年（截至日期所在期）")


class TargetsOut(BaseModel):
    as_of: date
    pairs: int = Field(description="计入的结对数（学校账号：本校的结对）")
    targets: list[TargetOut]
    reports: list[ReportOut]

ReportKey = Annotated[str, Path(pattern=r"^[a-z0-9_]{1,50}$", description="报告种类（如 monthly、half_year）")]


@router.get("/programs/{program_id}/targets")
def targets(
    program_id: IdPath,
    user: CurrentUser,
    session: SessionDep,
    as_of: Annotated[
        date | None,
        # bounded: a semester of 9999-12-31 would end in the year 10000, which no date can hold
        Query(
            ge=date(1900, 1, 1), le=date(2999, 12, 31), description="截至日期（默认北京时间今天；项目期外取项目期末）"
        ),
    ] = None,
) -> TargetsOut:
    """每项量化目标：目标数、已完成数、百分比，按结对分列（学校账号只见本校的结对）；以及本项目的定期报告。"""
    program = programs.get_program(session, user, program_id)
    when = as_of or _default_day(programs.domain(program).period_end)
    return TargetsOut.model_validate(service.targets(session, user, program, when))


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
