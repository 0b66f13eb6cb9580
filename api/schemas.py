"""Response (and request) models of the HTTP API; OpenAPI at /docs shows them."""

from __future__ import annotations

from datetime import datetime
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field


class Orm(BaseModel):
    model_config = ConfigDict(from_attributes=True)


class LoginIn(BaseModel):
    username: str
    password: str


class UserOut(Orm):
    id: int
    username: str
    role: str
    school_name: str | None
    program_ids: list[int] = []


class UserIn(BaseModel):
    username: str
    password: str
    role: Literal["admin", "school", "readonly"]
    school_name: str | None = None
    programs: list[int] = []


class TokenIn(BaseModel):
    name: str = ""


class TokenOut(BaseModel):
    id: int
    token: str = Field(description="只显示这一次；脚本以 Authorization: Bearer <token> 发送")


class ProgramIn(BaseModel):
    yaml: str


class ProgramOut(Orm):
    id: int
    key: str
    name: str
    created_at: datetime


class ProgramDetail(ProgramOut):
    yaml_text: str
    pairs: int
    agreements: list[dict[str, str]]
    tasks: list[dict[str, Any]]


class PairOut(Orm):
    id: int
    number: int
    label: str
    supporting: list[str]
    supported: list[str]
    schools: list[dict[str, Any]]
    level: str | None
    stage: str | None
    coordinator: str
    source: str


class RosterOut(BaseModel):
    pairs: list[PairOut]


class BatchIn(BaseModel):
    pdf: bool = False


class BatchOut(BaseModel):
    id: int
    program_id: int
    status: str
    done: int
    total: int
    failed: int
    with_pdf: bool
    eta_seconds: float | None
    error: str | None
    created_at: datetime
    updated_at: datetime


class DocumentOut(Orm):
    id: int
    program_id: int
    pair_label: str
    kind: str
    title: str
    format: str
    file_name: str
    sha256: str
    size: int
    pages: int | None
    updated_at: datetime


class UploadOut(Orm):
    id: int
    program_id: int
    parent_id: int | None
    original_name: str
    sha256: str
    size: int
    detected_type: str
    status: str
    error: str | None
    created_at: datetime
    record_id: int | None = None


class UploadReceived(BaseModel):
    id: int | None
    name: str
    sha256: str | None
    status: str
    duplicate: bool
    error: str | None = None
    archive: str | None = None


class RecordOut(Orm):
    id: int
    upload_id: int
    program_id: int
    pair_label: str | None
    form: str | None
    status: str
    extraction: dict[str, Any]
    created_at: datetime
    updated_at: datetime
    review_threshold: float | None = Field(
        default=None, description="低于此可信度的值需人工核对（服务设置 review_threshold，界面据此标出待核对的值）"
    )


class CorrectionIn(BaseModel):
    path: str = Field(description="fields/<标签> 或 tables/<表>/rows/<行>/<列>（从 0 开始）")
    value: str


class CorrectionOut(Orm):
    id: int
    record_id: int
    path: str
    old_value: str | None
    new_value: str
    username: str
    at: datetime


class AuditOut(Orm):
    id: int
    username: str
    action: str
    target: str
    at: datetime
    detail: dict[str, Any]
