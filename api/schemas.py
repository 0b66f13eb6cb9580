"""Response (and request) models of the HTTP API; OpenAPI at /docs shows them."""

from __future__ import annotations

import re
from collections.abc import Mapping
from datetime import UTC, date, datetime
from functools import cache
from typing import Annotated, Any, Final, Literal

from pydantic import AfterValidator, BaseModel, ConfigDict, Field, PlainSerializer, WithJsonSchema, computed_field

from api.services import batches, uploads
from api.services.accounts import TOKEN_DAYS_DEFAULT, TOKEN_DAYS_MAX, Role
from api.services.batches import BatchStatus
from api.services.uploads import UploadStatus, notice_of
from docgen.collection import STATE_TEXT as COLLECTION_STATE_TEXT
from docgen.collection import SlotState
from docgen.extraction import FORM_STATUS_TEXT, INPUT_KIND_TEXT, FormStatus, InputKind
from docgen.forms import load_schemas
from docgen.program_setup import (
    COPY_HOLDER_TEXT,
    GROUP_POLICY_TEXT,
    REPORT_EVERY_TEXT,
    SIDE_TEXT,
    SIGNATORIES_TEXT,
    TARGET_MEASURE_TEXT,
    TARGET_PERIOD_TEXT,
    TARGET_SCOPE_TEXT,
)
from docgen.roster.result import COLUMN_ROLES, ProblemKind
from docgen.school_names import MAX_ENTRIES, MAX_NAME_LENGTH
from docgen.values import FLAG_TEXT, with_shown

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

UNREADABLE: Final = "unreadable"
"""The kind of a roster problem that is the whole file (it cannot be read): refused, 422."""
RosterProblemCode = ProblemKind | Literal["unreadable"]
RosterSeverityCode = Literal["error", "warning", "note"]
RosterChangeCode = Literal["added", "restored", "changed", "unchanged"]
ROSTER_PROBLEM_TEXT: Mapping[RosterProblemCode, str] = {
    ProblemKind.EMPTY: "学校名称为空",
    ProblemKind.SAME_SCHOOL: "同一学校在两方",
    ProblemKind.DUPLICATE: "结对重复",
    ProblemKind.PLACEHOLDER: "模板占位符未填写",
    ProblemKind.REPEATED_IN_CELL: "同一格中学校重复",
    ProblemKind.COUNT_MISMATCH: "联系人与学校数目不符",
    ProblemKind.UNREADABLE_LINE: "无法识别的结对语句",
    ProblemKind.INCONSISTENT: "同组各行不一致",
    ProblemKind.PHONE: "电话号码格式有误",
    ProblemKind.UNKNOWN_STAGE: "未知学段",
    ProblemKind.UNKNOWN_LEVEL: "未知层级",
    ProblemKind.ABBREVIATED: "校名可能是简称",
    ProblemKind.CHECK_MAPPING: "请核对列的对应关系",
    ProblemKind.IGNORED: "已忽略的行",
    UNREADABLE: "文件无法读取",
}
ROSTER_SEVERITY_TEXT: Mapping[RosterSeverityCode, str] = {
    "error": "错误（该行不导入）",
    "warning": "提醒（该行照常导入）",
    "note": "说明（该行已忽略）",
}
ROSTER_CHANGE_TEXT: Mapping[RosterChangeCode, str] = {
    "added": "新增",
    "restored": "恢复（曾被移除）",
    "changed": "变更",
    "unchanged": "不变",
}


def labelled_by(vocabulary: str) -> Any:
    """Field metadata: the /api/vocabulary entry that has this field's codes in words (``x-vocabulary``)."""
    return Field(json_schema_extra={"x-vocabulary": vocabulary})


RecordStatus = Annotated[FormStatus, labelled_by("record_status")]
UploadState = Annotated[UploadStatus, labelled_by("upload_status")]
ReceivedState = Annotated[ReceivedCode, labelled_by("upload_status")]
BatchState = Annotated[BatchStatus, labelled_by("batch_status")]
UserRole = Annotated[Role, labelled_by("role")]
TemplateSource = Annotated[TemplateSourceCode, labelled_by("template_source")]
RosterProblemKind = Annotated[RosterProblemCode, labelled_by("roster_problem")]
RosterSeverity = Annotated[RosterSeverityCode, labelled_by("roster_severity")]
RosterChange = Annotated[RosterChangeCode, labelled_by("roster_change")]
# a column's role and a changed field come with their words in the answer itself (RoleOut, ColumnOut.label,
# PairChangeOut.label): their words are column headings, not codes a clerk must never see
ColumnRole = str  # a key of docgen.roster.result.COLUMN_ROLES
ChangeField = str  # a key of docgen.roster_diff.FIELD_TEXT
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
    roster_problem: dict[RosterProblemCode, str] = Field(description="花名册问题种类（kind）的含义")
    roster_severity: dict[RosterSeverityCode, str] = Field(description="花名册问题的严重程度")
    roster_change: dict[RosterChangeCode, str] = Field(description="预览中每组与当前结对相比的变化")
    bureau_side: dict[str, str] = Field(description="项目设置：教育局所在一方（bureaus[].side）")
    copy_holder: dict[str, str] = Field(description="项目设置：协议持有方（agreements[].copy_holders）")
    signatories: dict[str, str] = Field(description="项目设置：协议由谁签署（agreements[].signatories）")
    group_policy: dict[str, str] = Field(description="项目设置：多校结对的协议方式（group_policy）")
    target_scope: dict[str, str] = Field(description="项目设置：目标按每组结对还是全项目（targets[].per）")
    target_period: dict[str, str] = Field(description="项目设置：目标的期间（targets[].period）")
    target_measure: dict[str, str] = Field(description="项目设置：目标的计数方式（targets[].measure）")
    report_every: dict[str, str] = Field(description="项目设置：定期报告的频率（reports[].every）")
    collection_state: dict[SlotState, str] = Field(description="回收情况：每份应交表格的状态")


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
        roster_problem=dict(ROSTER_PROBLEM_TEXT),
        roster_severity=dict(ROSTER_SEVERITY_TEXT),
        roster_change=dict(ROSTER_CHANGE_TEXT),
        bureau_side=dict(SIDE_TEXT),
        copy_holder=dict(COPY_HOLDER_TEXT),
        signatories=dict(SIGNATORIES_TEXT),
        group_policy=dict(GROUP_POLICY_TEXT),
        target_scope=dict(TARGET_SCOPE_TEXT),
        target_period=dict(TARGET_PERIOD_TEXT),
        target_measure=dict(TARGET_MEASURE_TEXT),
        report_every=dict(REPORT_EVERY_TEXT),
        collection_state=dict(COLLECTION_STATE_TEXT),
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
    last_login_at: UtcDateTime | None = Field(None, description="最近一次登录（从审计日志；只在账号列表中给出）")
    must_change_password: bool = Field(
        False, description="密码是管理员设的（新建或重置）：用户应改成自己的（只在 /api/me 与登录时给出）"
    )


class UserIn(BaseModel):
    username: Username
    password: Password | None = Field(None, description="不填则生成一次性密码，只在响应中显示这一次")
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
    archived: bool = Field(False, description="已归档：默认不在列表中，只能查看")


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


class RosterProblemOut(BaseModel):
    """One problem of a roster file, tied to its row (docgen.roster.result.RosterProblem)."""

    kind: RosterProblemKind = Field(description="问题种类（中文见 /api/vocabulary 的 roster_problem）")
    severity: RosterSeverity = Field(
        description="error：该行不导入；warning：该行照常导入；note：说明（如已忽略的表尾行）"
    )
    message: str = Field(description="原因（中文）")
    source: str = Field("", description="文件名")
    sheet: str = Field("", description="工作表或表格（如 表2）")
    row: int | None = Field(None, description="行号（与 Excel 中显示的一致）；整份文件的问题为空")
    column: str = Field("", description="列标题（按文件原样）")
    value: str = Field("", description="单元格的值")


class RosterOut(BaseModel):
    """A roster import by script: the program's pairs now, and every problem of the file (rows with an error
    were not imported; warnings were)."""

    pairs: list[PairOut]
    problems: list[RosterProblemOut] = Field([], description="文件中的问题（最多列出前 200 处）")
    problem_count: int = Field(0, description="问题总数")


class RoleOut(BaseModel):
    role: ColumnRole = Field(description="角色代码")
    label: str = Field(description="角色的中文名称（下拉选项）")


class ColumnOut(BaseModel):
    index: int = Field(description="列序号（从 0 开始）")
    header: str = Field(description="列标题（按文件原样）")
    role: ColumnRole = Field(description="识别（或人工指定）的角色")
    label: str = Field(description="角色的中文名称")
    overridden: bool = Field(False, description="角色由人工指定（overrides），而非自动识别")


class TableOut(BaseModel):
    table: str = Field(description="表的标识：工作表名，或 Word 文件中的“表2”；修改列映射时用它")
    header_rows: list[int] = Field(description="表头所在的行")
    columns: list[ColumnOut]
    used: bool = Field(True, description="是否按花名册读取了这张表（封面、县区对照表等不读取）")
    reason: str = Field("", description="未读取的原因")


class PreviewSchool(BaseModel):
    name: str
    region: str = ""
    stage: str | None = None
    party_org: str = ""
    contact: str = ""
    phone: str = ""
    title: str = ""


class PreviewGroup(BaseModel):
    """A group as the file gives it, with the row it came from and what importing it would do."""

    number: int
    label: str = Field(description="导入后的结对序号")
    key: str = Field(description="结对的稳定标识（由双方学校决定，与序号无关）")
    row: int | None = Field(None, description="来源行号")
    source: str = Field("", description="来源（文件:行）")
    supporting: list[PreviewSchool]
    supported: list[PreviewSchool]
    level: str | None
    stage: str | None
    stages: list[str] = Field(default_factory=list, description="文件写明的全部学段（如 高中、初中 → 两个）")
    coordinator: str = ""
    status: RosterChange = Field(description="与当前结对相比：新增、恢复、变更或不变")


class PairChangeOut(BaseModel):
    field: ChangeField = Field(description="变更的字段")
    label: str = Field(description="字段的中文名称")
    school: str = Field("", description="所属学校（结对本身的字段为空）")
    before: str
    after: str


class DiffPair(BaseModel):
    key: str
    label: str = Field(description="结对序号（移除的结对为其原序号）")
    supporting: list[str]
    supported: list[str]
    restored: bool = Field(False, description="新增的这组曾被移除，导入后恢复（记录与文书仍归它）")
    previous_label: str | None = Field(None, description="当前的序号")
    changes: list[PairChangeOut] = []


class RosterDiffOut(BaseModel):
    added: list[DiffPair] = Field(description="新增的结对")
    removed: list[DiffPair] = Field(description="将移除的结对（记录与文书保留，标为已移出花名册）")
    changed: list[DiffPair] = Field(
        description="双方学校相同、其他信息（联系人、电话、学段、层级、牵头学校）变更的结对"
    )
    relabelled: list[DiffPair] = Field(description="序号变化的结对（记录与文书随学校，不随序号）")


class PreviewCounts(BaseModel):
    groups: int = Field(description="可导入的组数")
    error_rows: int = Field(description="有错误、不导入的行数")
    errors: int
    warnings: int = Field(description="提醒条数（该行照常导入）")
    notes: int
    problems: int = Field(description="问题总数")
    current: int = Field(description="项目当前的结对数")
    added: int
    restored: int
    removed: int
    changed: int
    unchanged: int
    relabelled: int


class RosterPreviewOut(BaseModel):
    """What importing a roster file would do; nothing is imported until ``POST …/roster/confirm``."""

    preview_id: str = Field(description="预览编号：重新识别与确认导入时使用；仅本人、本项目可用，过期作废")
    expires_at: UtcDateTime
    file_name: str
    size: int
    sha256: str
    source: str
    roles: list[RoleOut] = Field(description="列可选的角色（下拉选项）")
    tables: list[TableOut] = Field(description="文件中的表及其列映射")
    overrides: dict[str, dict[str, str]] = Field(description="生效的人工列映射：{表: {列序号: 角色}}")
    groups: list[PreviewGroup] = Field(description="可导入的各组（有错误的行不在其中，见 problems）")
    problems: list[RosterProblemOut] = Field(description="问题（最多列出前 200 处；counts.problems 为总数）")
    counts: PreviewCounts
    diff: RosterDiffOut
    diff_token: str = Field(description="确认导入时原样送回：预览之后结对或列映射有变化时，确认将被拒绝（409）")


OVERRIDES_SCHEMA: dict[str, Any] = {
    "type": "object",
    "description": "人工列映射：{表的标识: {列序号（从 0 开始）: 角色}}；角色见预览答复的 roles",
    "additionalProperties": {"type": "object", "additionalProperties": {"type": "string", "enum": list(COLUMN_ROLES)}},
    "maxProperties": 50,
}
Overrides = Annotated[Any, WithJsonSchema(OVERRIDES_SCHEMA)]  # checked by api.services.roster_preview


class PreviewIn(BaseModel):
    overrides: Overrides = None


class ConfirmIn(BaseModel):
    preview_id: Annotated[str, Field(max_length=64, description="预览编号")]
    overrides: Overrides = None
    diff_token: Annotated[str, Field(max_length=64, description="预览答复中的 diff_token")]
    confirm: bool = Field(description="必须为 true：确认按预览导入")


class BatchIn(BaseModel):
    pdf: bool = False


class BatchOut(BaseModel):
    id: int
    program_id: int
    status: BatchState
    done: int
    total: int = Field(description="计划生成的文书份数（开始生成前即已算出）")
    rendered: int = Field(0, description="已生成 DOCX 的份数（逐份更新）")
    converted: int = Field(0, description="已转换 PDF 的份数")
    progress: float = Field(0.0, description="进度 0–1（逐份推进）")
    failed: int
    with_pdf: bool
    eta_seconds: float | None
    error: str | None
    proof: str | None = Field(None, description="校对结果（每份文书的详情见文书列表的 proof）")
    created_at: UtcDateTime
    started_at: UtcDateTime | None = None
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
    draft: bool = Field(
        False,
        description="草稿：生成时有当事方校名（党组织签署的协议：或党组织名称）为简称、占位符或缺失，名称处为待填空白",
    )
    draft_reasons: str = Field("", description="草稿原因（哪所学校、为什么），以“；”分隔")


# --- the school name table (docgen/school_names.py) ---------------------------------------------------------

# A bound before anything is parsed; the rule itself (length, placeholders, …, Chinese messages naming the
# entry) is docgen.school_names.school_name_entry.
SchoolNameText = Annotated[str, Field(max_length=2 * MAX_NAME_LENGTH), AfterValidator(no_surrogates)]


class SchoolNameIn(BaseModel):
    full_name: SchoolNameText = Field(description="学校全称（协议书署名用），如 柳州市第一中学")
    short_names: Annotated[list[SchoolNameText], Field(max_length=50)] = Field(
        default_factory=list, description="花名册中的简称，如 [\"市一中\"]"
    )
    party_org: SchoolNameText = Field(
        "", description="党组织名称，如 中共柳州市第一中学委员会；空则由党组织签署的协议为草稿，名称处留空待填"
    )


class SchoolNamesIn(BaseModel):
    entries: Annotated[list[SchoolNameIn], Field(max_length=MAX_ENTRIES)]


class SchoolNameOut(BaseModel):
    full_name: str
    short_names: list[str]
    party_org: str


class UnresolvedName(BaseModel):
    name: str = Field(description="花名册中的校名")
    reason: str = Field(description="为什么不能直接署名（简称、占位符、泛称；或没有党组织名称）")


class SchoolNamesOut(BaseModel):
    entries: list[SchoolNameOut]
    unresolved: list[UnresolvedName] = Field(description="当前花名册中像简称、且表中尚无全称的校名")
    missing_party_orgs: list[UnresolvedName] = Field(
        default_factory=list,
        description="由党组织签署协议的项目中，尚无党组织名称且不在表中的学校（在表中的，在其条目里填写）",
    )


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
    via_link: bool = Field(False, description="经手机扫码上传链接提交（无账号）")
    excluded: bool = Field(False, description="已排除：保留并记入审计，但不计入台账和回收情况")
    excluded_at: UtcDateTime | None = Field(None, description="排除时间")
    excluded_by: str = Field("", description="排除人（用户名）")
    exclude_reason: str = Field("", description="排除原因")

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
    extraction: Annotated[
        dict[str, Any],
        AfterValidator(with_shown),
        Field(description="读取结果（Extraction.to_json）；每个值另带 shown：规范化值按人读的写法"),
    ]
    duplicate_of: int | None = Field(
        None, description="本记录是该记录的另一份副本（同一表格的另一种格式），不重复计入台账和回收情况"
    )
    created_at: UtcDateTime
    updated_at: UtcDateTime
    review_threshold: float | None = Field(
        default=None, description="低于此可信度的值需人工核对（服务设置 review_threshold，界面据此标出待核对的值）"
    )

    @computed_field  # type: ignore[prop-decorator]
    @property
    def notice(self) -> str | None:
        """身份不符，待管理员处理 while the record is held for an identity mismatch; 属于另一个项目… for a form whose
        identity names another program."""
        return notice_of(self.mismatch, self.extraction.get("problems") or [])


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


# --- the 账号 screen (api/routes/accounts.py) ----------------------------------------------------------------


class UserCreated(UserOut):
    """A new account; ``password`` is the one-time password the service generated (only when none was given)."""

    password: str | None = Field(None, description="生成的一次性密码：只显示这一次")


class PasswordResetOut(BaseModel):
    """A password reset by an admin: the account and its new one-time password (shown this once)."""

    user: UserOut
    password: str = Field(description="新的一次性密码：只显示这一次，请转交本人，登录后修改")


class SchoolOut(BaseModel):
    """A school of the admin's programs (from their rosters' current pairs): a school account's school."""

    name: str
    program_ids: list[int]
    program_names: list[str]

# --- the collection board (docgen/collection.py, api/services/collection.py) ---------------------------------

CollectionState = Annotated[SlotState, labelled_by("collection_state")]


class BoardSchool(BaseModel):
    name: str
    contact: str = Field(description="联系人（花名册）")
    phone: str = Field(description="联系电话（花名册）")


class BoardSlot(BaseModel):
    label: str = Field(description="这份表格的识别码结对号：03，或按学校分发的 03.2")
    state: CollectionState
    returned: int = Field(description="已计入的回收份数（同一表格的另一格式副本不重复计数）")
    returned_late: bool = Field(description="第一份在截止日期之后才收到")
    due: date | None
    schools: list[BoardSchool] = Field(description="未交时应联系的学校")


class BoardCell(BaseModel):
    form: FormKind
    state: CollectionState = Field(description="本格中最需要处理的状态")
    done: int
    expected: int
    slots: list[BoardSlot]


class BoardRowOut(BaseModel):
    unit: str = Field(description="结对序号（分拆的结对为 03-1）")
    pair_id: int
    supporting: list[str]
    supported: list[str]
    cells: list[BoardCell]


class BoardForm(BaseModel):
    form: FormKind
    due: date | None = Field(description="截止日期（项目任务清单中回收此表的任务；无则不算逾期）")
    task: str = Field(description="回收此表的任务")
    expected: int
    counts: dict[SlotState, int] = Field(description="各状态的份数（键见 /api/vocabulary 的 collection_state）")


class BoardOut(BaseModel):
    today: date = Field(description="按此日期（北京时间）判断逾期")
    forms: list[BoardForm]
    rows: list[BoardRowOut]


class ExcludeIn(BaseModel):
    reason: Annotated[ShortText, Field(description="排除原因（记入审计日志）")] = ""


class FileIn(BaseModel):
    form: FormKind | None = Field(None, description="表格种类（本项目下发的表格之一）")
    pair: str | None = Field(None, max_length=50, description="结对序号（如 03，按学校的回执如 03.2）")


class CopyOut(BaseModel):
    record_id: int
    upload_id: int
    name: str
    type: str


class CollectionInfo(BaseModel):
    """How a record counts on the board and in the 台账, and its original file."""

    record_id: int
    upload_id: int
    name: str = Field(description="原件文件名")
    type: str = Field(description="原件类型（docx pdf png jpeg tiff）")
    pages: int
    excluded: bool = Field(description="上传文件已被排除：保留，但不计入台账和回收情况")
    excluded_by: str
    exclude_reason: str
    excluded_at: UtcDateTime | None
    duplicate_of: int | None = Field(description="本记录是该记录的另一份副本（同一表格的另一种格式），不重复计数")
    duplicate_of_name: str | None
    copies: list[CopyOut] = Field(description="作为本记录副本链接的其他上传")
