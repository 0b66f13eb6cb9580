"""Program set-up from the web UI: the form's defaults, create/edit from the form, copy, export, rename,
archive and delete (admins; docs/ui.md "新建项目")."""

from __future__ import annotations

from typing import Annotated, Any
from urllib.parse import quote

from fastapi import APIRouter, Query
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import Response
from pydantic import BaseModel, Field

from api.deps import AdminUser, CurrentUser, IdPath, ServicesDep, SessionDep
from api.schemas import ProgramOut
from api.services import accounts, programs, setup

router = APIRouter(prefix="/api", tags=["program set-up"])

# A program file's mapping (docs/programs.md) as JSON: what the 新建项目 form sends.
ProgramData = Annotated[
    dict[str, Any], Field(description="项目设置（与 program.yaml 相同的结构，日期写作 2019-04-01）")
]


class ProgramDataIn(BaseModel):
    program: ProgramData


class ProgramDataOut(BaseModel):
    program: ProgramData
    archived: bool
    key_locked: bool = Field(description="已生成文书或收到回收表：项目代号已印在表单上，不能再改")
    copy_key: str = Field(description="“复制为新项目”时建议的新代号（未被使用）")


class SetupDefaultsOut(BaseModel):
    program: ProgramData = Field(description="新项目的初始设置（第一个模板的默认值，建议的代号）")
    templates: list[dict[str, Any]] = Field(description="可选模板：name, source, title, defaults{agreement, program}")
    stages: list[str] = Field(description="可选的默认学段")
    measure_columns: dict[str, str] = Field(description="目标计数方式 → 统计表中所数的列（按活动次数：无）")
    target_form: str = Field(description="目标默认计数的表单种类（统计表）")


class KeyOut(BaseModel):
    key: str


class RenameIn(BaseModel):
    name: Annotated[str, Field(min_length=1, max_length=200, description="新的项目名称")]


class ArchiveIn(BaseModel):
    archived: bool = Field(description="true 归档，false 取消归档")


class ContentsOut(BaseModel):
    """What deleting the program removes."""

    name: str
    key: str
    pairs: int
    documents: int
    batches: int
    uploads: int
    records: int
    corrections: int
    school_names: int
    files: int = Field(description="只属于本项目的存储文件（上传原件、生成的文书和压缩包、花名册）份数：随项目删除")


@router.get("/program-setup")
def setup_defaults(user: AdminUser, session: SessionDep, services: ServicesDep) -> SetupDefaultsOut:
    """The 新建项目 form's starting point: a new program, every template with its defaults, the stages."""
    return SetupDefaultsOut.model_validate(setup.defaults(session, user, services.settings.templates_dir))


@router.get("/program-setup/key")
def suggest_key(
    user: AdminUser, session: SessionDep, year: Annotated[int | None, Query(ge=1900, le=2200)] = None
) -> KeyOut:
    """A program key no program has yet (``xm2019-1``)."""
    return KeyOut(key=setup.suggested_key(session, user, year))


@router.post("/program-setup", status_code=201, responses={409: {"description": "项目代号已被使用"}})
async def create_from_form(
    body: ProgramDataIn, user: CurrentUser, session: SessionDep, services: ServicesDep
) -> ProgramOut:
    """Create a program from the form's JSON (admins): the same rules and errors as a program file."""
    accounts.require_admin(user)
    # checking every template with the program's data is CPU work: not on the event loop
    program = await run_in_threadpool(
        setup.create, session, user, body.program, services.blobs, services.settings.templates_dir
    )
    session.commit()
    return ProgramOut.model_validate(program)


@router.get("/programs/{program_id}/setup")
def program_data(program_id: IdPath, user: CurrentUser, session: SessionDep) -> ProgramDataOut:
    """The program as the form edits it (admins): for 编辑 and 复制为新项目."""
    program = programs.get_program(session, user, program_id)
    return ProgramDataOut.model_validate(setup.data(session, user, program))


@router.put("/programs/{program_id}/setup", responses={409: {"description": "已归档，或代号不能再改/已被使用"}})
async def update_from_form(
    program_id: IdPath, body: ProgramDataIn, user: CurrentUser, session: SessionDep, services: ServicesDep
) -> ProgramOut:
    """Replace the program's settings with the form's (admins)."""
    program = programs.get_program(session, user, program_id)
    accounts.require_admin(user)
    await run_in_threadpool(
        setup.update, session, user, program, body.program, services.blobs, services.settings.templates_dir
    )
    session.commit()
    return ProgramOut.model_validate(program)


@router.post("/programs/{program_id}/rename")
def rename(program_id: IdPath, body: RenameIn, user: CurrentUser, session: SessionDep) -> ProgramOut:
    program = programs.get_program(session, user, program_id)
    setup.rename(session, user, program, body.name)
    session.commit()
    return ProgramOut.model_validate(program)


@router.post("/programs/{program_id}/archive")
def archive(program_id: IdPath, body: ArchiveIn, user: CurrentUser, session: SessionDep) -> ProgramOut:
    """Archive (hidden from the list by default, read-only) or restore the program (admins)."""
    program = programs.get_program(session, user, program_id)
    setup.archive(session, user, program, body.archived)
    session.commit()
    return ProgramOut.model_validate(program)


@router.get("/programs/{program_id}/file", response_class=Response, responses={200: {"content": {"text/yaml": {}}}})
def export_file(program_id: IdPath, user: CurrentUser, session: SessionDep) -> Response:
    """The program file (program.yaml, UTF-8) as stored: what was imported, or what the form made (admins)."""
    program = programs.get_program(session, user, program_id)
    accounts.require_admin(user)
    return Response(
        program.yaml_text.encode("utf-8"),
        media_type="text/yaml; charset=utf-8",
        headers={"Content-Disposition": f"attachment; filename*=UTF-8''{quote(f'{program.key}-program.yaml')}"},
    )


def _contents_out(program_name: str, key: str, counts: setup.Contents) -> ContentsOut:
    return ContentsOut(name=program_name, key=key, **vars(counts))


@router.get("/programs/{program_id}/deletion")
def deletion_preview(program_id: IdPath, user: CurrentUser, session: SessionDep) -> ContentsOut:
    """What deleting the program would remove (admins): shown before the clerk confirms."""
    program = programs.get_program(session, user, program_id)
    accounts.require_admin(user)
    return _contents_out(program.name, program.key, setup.contents(session, program))


@router.delete("/programs/{program_id}")
def delete_program(
    program_id: IdPath,
    user: CurrentUser,
    session: SessionDep,
    services: ServicesDep,
    confirm: Annotated[str, Query(max_length=64, description="确认：项目代号（界面在列出将删除的内容后发送）")] = "",
) -> ContentsOut:
    """Delete the program with its pairs, documents, uploads and records (admins; ``confirm`` = its key)."""
    program = programs.get_program(session, user, program_id)
    name, key = program.name, program.key
    counts, files = setup.remove(session, user, program, confirm)
    session.commit()
    setup.remove_files(session, services.blobs, files)
    return _contents_out(name, key, counts)
