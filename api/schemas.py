"""Response (and request) models of the HTTP API; OpenAPI at /docs shows them."""

from __future__ import annotations

import re
from collections.abc import Mapping
from datetime import UTC, datetime
from functools import cache
from typing import Annotated, Any, Final, Literal

from pydantic import AfterValidator, BaseModel, ConfigDict, Field, PlainSerializer, WithJsonSchema, computed_field

from api.services import batches, uploads
from api.services.accounts import TOKEN_DAYS_DEFAULT, TOKEN_DAYS_MAX, Role
from api.services.batches import BatchStatus
from api.services.uploads import MISMATCH_NOTICE, UploadStatus
from docgen.extraction import FORM_STATUS_TEXT, INPUT_KIND_TEXT, FormStatus, InputKind
from docgen.forms import load_schemas
from docgen.values import FLAG_TEXT

_SURROGATE = re.compile(r"[\ud800-\udfff]")


def no_surrogates(text: str) -> str:
    """Refuse a lone UTF-16 surrogate (``"\\ud800"`` in JSON): it cannot be stored or sent back as UTF-8."""
    if _SURROGATE.search(text):
        raise ValueError("文本含有无效字符（孤立的 UTF-16 代理项），请检查输入")
    return text


# Every text a request body may carry is one of these: bounded, and valid Unicode.
ShortText = Annotated[str, Field(max_length=500), AfterValidator(no_surrogates)]
LongText = Annotated[str, Field(max_length=20_000), AfterValidator(no_surrogates)]
YamlText = Annotated[str, Field(max_length=1_000_000), AfterValidator(no_surrogates)]  # a program.yaml


def utc_iso(value: datetime) -> str:
    """``value`` as ISO 8601 in UTC with its offset (``2026-11-29T09:38:52Z``). The database keeps naive UTC
    (``api.models.utcnow``), so a naive value is UTC; an aware one is converted."""
    aware = value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)
    return aware.isoformat().replace("+00:00", "Z")


# Every time a response carries: an OpenAPI "date-time" (RFC 3339 needs the offset), never a naive local-looking
# string. Response models use this type, not ``datetime``.
UtcDateTime = Annotated[
    datetime,
    PlainSerializer(utc_iso, return_type=str, when_used="json"),
    WithJsonSchema({"type": "string", "format": "date-time"}),
]


# ------------------------------------------------------------------------------------------ vocabulary
# Every code a response can carry (a status, a role, a form kind) has its Chinese words ONCE: here for the
# service's own codes, in the domain where it already names them (record status, input kind, value flags, form
# titles). ``GET /api/vocabulary`` serves them all; the web UI shows nothing else. A field holding such a code
# says which vocabulary entry labels it (OpenAPI ``x-vocabulary``), and its type lists the codes (``enum``).

REJECTED: Final = "rejected"
"""The status of a file the upload request refused (it has no upload row; ``error`` says why)."""
ReceivedCode = UploadStatus | Literal["rejected"]  # a file of an upload request: its upload's status, or refused
TemplateSourceCode = Literal["builtin", "uploaded"]

UPLOAD_STATUS_TEXT: Mapping[ReceivedCode, str] = {
    UploadStatus.RECEIVED: "已接收",
    UploadStatus.PROCESSING: "识别中",
    UploadStatus.DONE: "已识别",
    UploadStatus.FAILED: "识别失败",
    REJECTED: "未接收",
}
BATCH_STATUS_TEXT: Mapping[BatchStatus, str] = {
    BatchStatus.QUEUED: "排队中",
    BatchStatus.RUNNING: "生成中",
    BatchStatus.DONE: "已完成",
    BatchStatus.FAILED: "失败",
    BatchStatus.CANCELLED: "已取消",
}
ROLE_TEXT: Mapping[Role, str] = {Role.ADMIN: "管理员", Role.SCHOOL: "学校联络员", Role.READONLY: "只读"}
TEMPLATE_SOURCE_TEXT: Mapping[TemplateSourceCode, str] = {"builtin": "内置模板", "uploaded": "上传的模板"}


def labelled_by(vocabulary: str) -> Any:
    """Field metadata: the /api/vocabulary entry that has this field's codes in words (``x-vocabulary``)."""
    return Field(json_schema_extra={"x-vocabulary": vocabulary})


RecordStatus = Annotated[FormStatus, labelled_by("record_status")]
UploadState = Annotated[UploadStatus, labelled_by("upload_status")]
ReceivedState = Annotated[ReceivedCode, labelled_by("upload_status")]
BatchState = Annotated[BatchStatus, labelled_by("batch_status")]
UserRole = Annotated[Role, labelled_by("role")]
TemplateSource = Annotated[TemplateSourceCode, labelled_by("template_source")]
FormKind = Annotated[str, labelled_by("form")]  # docgen/forms/<kind>.yaml: data, so not an enum here


class VocabularyOut(BaseModel):
    """Every code the API returns, with the words a clerk reads (``{code: 中文}`` per vocabulary)."""

    record_status: dict[FormStatus, str]
    upload_status: dict[ReceivedCode, str]
    batch_status: dict[BatchStatus, str]
    role: dict[Role, str]
    form: dict[str, str] = Field(description="表单种类 → 表单标题（docgen/forms/*.yaml 的 title）")
    input_kind: dict[InputKind, str] = Field(description="记录 extraction.input_kind 的含义")
    value_flag: dict[str, str] = Field(description="记录中每个值的 flags 的含义")
    template_source: dict[TemplateSourceCode, str]


@cache
def vocabulary() -> VocabularyOut:
    """The vocabulary /api/vocabulary serves (built once: the form schemas are read from the package)."""
    return VocabularyOut(
        record_status=dict(FORM_STATUS_TEXT),
        upload_status=dict(UPLOAD_STATUS_TEXT),
        batch_status=dict(BATCH_STATUS_TEXT),
        role=dict(ROLE_TEXT),
        form={kind: schema.title for kind, schema in load_schemas().items()},
        input_kind=dict(INPUT_KIND_TEXT),
        value_flag=dict(FLAG_TEXT),
        template_source=dict(TEMPLATE_SOURCE_TEXT),
    )


class Orm(BaseModel):
    model_config = ConfigDict(from_attributes=True)


# Length caps on every text field of the account endpoints (422 past them): nothing unbounded reaches a
# hash, the database or the audit log. The finer rules (username 1–64 characters after NFKC, password
# 10 characters … 1,024 UTF-8 bytes) are checked by the service with Chinese messages.
NAME_CAP = 200  # a username as typed (the rule allows 64 after NFKC; full-width forms may be longer)
PASSWORD_CAP = 1024  # characters; the rule's limit is 1,024 bytes
SCHOOL_CAP = 200  # users.school_name
TOKEN_NAME_CAP = 100

Username = Annotated[str, Field(max_length=NAME_CAP)]
Password = Annotated[str, Field(max_length=PASSWORD_CAP)]


class LoginIn(BaseModel):
    username: Username
    password: Password


class UserOut(Orm):
    id: int
    username: str
    role: UserRole
    school_name: str | None
    program_ids: list[int] = []
    active: bool = True
    created_at: UtcDateTime | None = None
    password_changed_at: UtcDateTime | None = None


class UserIn(BaseModel):
    username: Username
    password: Password
    role: UserRole
    school_name: Annotated[str, Field(max_length=SCHOOL_CAP)] | None = None
    programs: Annotated[list[int], Field(max_length=1000)] = []


class UserPatch(BaseModel):
    """An admin's change to a user: deactivate/reactivate, or set a new password (both end its sessions)."""

    active: bool | None = None
    password: Password | None = None


class PasswordChangeIn(BaseModel):
    old_password: Password
    new_password: Password


class TokenIn(BaseModel):
    name: Annotated[str, Field(max_length=TOKEN_NAME_CAP)] = ""
    expires_days: Annotated[int, Field(ge=1, le=TOKEN_DAYS_MAX)] = TOKEN_DAYS_DEFAULT


class TokenOut(BaseModel):
    id: int
    token: str = Field(description="只显示这一次；脚本以 Authorization: Bearer <token> 发送")
    expires_at: UtcDateTime


class TokenInfo(Orm):
    """An API token as listed: never its secret."""

    id: int
    user_id: int
    name: str
    created_at: UtcDateTime
    last_used_at: UtcDateTime | None
    expires_at: UtcDateTime


class ProgramIn(BaseModel):
    yaml: YamlText


class ProgramOut(Orm):
    id: int
    key: str
    name: str
    created_at: UtcDateTime


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
    removed: bool = Field(False, description="已不在当前花名册中（重新导入时删去；其记录与文书保留）")


class RosterOut(BaseModel):
    pairs: list[PairOut]


class BatchIn(BaseModel):
    pdf: bool = False


class BatchOut(BaseModel):
    id: int
    program_id: int
    status: BatchState
    done: int
    total: int
    failed: int
    with_pdf: bool
    eta_seconds: float | None
    error: str | None
    proof: str | None = Field(None, description="校对结果（每份文书的详情见文书列表的 proof）")
    created_at: UtcDateTime
    updated_at: UtcDateTime

    @computed_field  # type: ignore[prop-decorator]
    @property
    def finished(self) -> bool:
        """The job has ended (done, failed or cancelled): nothing more will change."""
        return self.status in batches.FINISHED

    @computed_field  # type: ignore[prop-decorator]
    @property
    def archive_ready(self) -> bool:
        """The ZIP of the batch can be downloaded (/api/batches/{id}/download)."""
        return self.status == BatchStatus.DONE


class DocumentOut(Orm):
    id: int
    program_id: int
    pair_label: str
    pair_removed: bool = Field(False, description="所属结对已不在当前花名册中（文书保留，序号可能已另作他用）")
    kind: str
    title: str
    format: str
    file_name: str
    sha256: str
    size: int
    pages: int | None
    proof: str = Field("", description="校对结果：无、草稿，或按类别的问题数（docgen proof）")
    updated_at: UtcDateTime


class UploadOut(Orm):
    id: int
    program_id: int
    parent_id: int | None
    original_name: str
    sha256: str
    size: int
    detected_type: str
    status: UploadState
    error: str | None
    created_at: UtcDateTime
    record_id: int | None = None
    # the verdict on what was read (完整 / 待审核 / 无法读取): an upload 已识别 may still be unreadable
    record_status: RecordStatus | None = None

    @computed_field  # type: ignore[prop-decorator]
    @property
    def finished(self) -> bool:
        """Reading has ended (done or failed); until then the upload is waiting or being read."""
        return self.status in uploads.FINISHED


class UploadReceived(BaseModel):
    id: int | None
    name: str
    sha256: str | None
    status: ReceivedState
    duplicate: bool
    error: str | None = None
    archive: str | None = None


class RecordOut(Orm):
    id: int
    upload_id: int
    program_id: int
    pair_label: str | None
    pair_removed: bool = Field(
        False, description="所属结对已不在当前花名册中：记录仍归原结对学校，结对序号可能已另作他用"
    )
    form: FormKind | None
    status: RecordStatus
    mismatch: str | None = Field(
        None, description="表单识别码（项目:结对）不属于上传学校时的识别码；此时记录不归入任何结对，待管理员处理"
    )
    extraction: dict[str, Any]
    created_at: UtcDateTime
    updated_at: UtcDateTime
    review_threshold: float | None = Field(
        default=None, description="低于此可信度的值需人工核对（服务设置 review_threshold，界面据此标出待核对的值）"
    )

    @computed_field  # type: ignore[prop-decorator]
    @property
    def notice(self) -> str | None:
        """身份不符，待管理员处理 while the record is held for an identity mismatch."""
        return MISMATCH_NOTICE if self.mismatch else None


class AssignIn(BaseModel):
    pair: str = Field(description="结对序号（如 03），记录归入该结对")


class CorrectionIn(BaseModel):
    path: Annotated[ShortText, Field(description="fields/<标签> 或 tables/<表>/rows/<行>/<列>（从 0 开始）")]
    value: LongText


class CorrectionOut(Orm):
    id: int
    record_id: int
    path: str
    old_value: str | None
    new_value: str
    username: str
    at: UtcDateTime


class AuditOut(Orm):
    id: int
    username: str
    action: str
    target: str
    program_id: int | None
    at: UtcDateTime
    detail: dict[str, Any]


class TemplateOut(Orm):
    """A template a program may name: ``source`` is ``builtin`` or ``uploaded``."""

    name: str
    source: TemplateSource
    title: str
    size: int
    uploaded_by: str | None = None
    created_at: UtcDateTime | None = None
