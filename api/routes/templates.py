"""Templates: list the built-in and uploaded ones, upload a new one, download one (admins only)."""

from __future__ import annotations

from typing import Annotated
from urllib.parse import quote

from fastapi import APIRouter, File, Form, UploadFile
from fastapi.responses import Response

from api.deps import AdminUser, ServicesDep, SessionDep
from api.routes.uploads import limits
from api.schemas import TemplateOut
from api.services import templates
from api.services.errors import ServiceError, TooLarge
from api.services.filetypes import safe_name
from docgen.errors import DocgenError

router = APIRouter(prefix="/api", tags=["templates"])
DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"


@router.get("/templates")
def list_templates(user: AdminUser, session: SessionDep, services: ServicesDep) -> list[TemplateOut]:
    """Built-in templates, then the uploaded ones (name, title, who uploaded it and when)."""
    found = templates.list_templates(session, user, services.settings.templates_dir)
    return [TemplateOut.model_validate(t) for t in found]


@router.post(
    "/templates",
    status_code=201,
    responses={409: {"description": "名称已被使用"}, 422: {"description": "模板未通过检查"}},
)
def upload_template(
    user: AdminUser,
    session: SessionDep,
    services: ServicesDep,
    file: Annotated[UploadFile, File(description="Word 模板（.docx）")],
    name: Annotated[str, Form(description="模板名称：小写字母、数字、- 和 _（如 dongguan_1plus1）")],
    title: Annotated[str, Form(description="说明（可选；默认取文档标题）")] = "",
) -> TemplateOut:
    """Check and keep a template; 422 lists the findings of the template check when it fails."""
    cap = services.settings.max_upload_bytes
    data = file.file.read(cap + 1)
    file_name = safe_name(file.filename, "模板.docx")
    try:
        if len(data) > cap:
            raise TooLarge(f"{file_name}：文件超过上限 {cap >> 20} MB")
        row = templates.upload(
            session,
            services.blobs,
            user,
            name,
            data,
            title=title,
            limits=limits(services),
            templates=services.settings.templates_dir,
            file_name=file_name,
        )
    except (ServiceError, DocgenError) as exc:
        session.rollback()
        templates.audit_refusal(session, user, name, file_name, exc)
        session.commit()
        raise
    session.commit()
    return TemplateOut.model_validate(templates.uploaded_info(row))


@router.get("/templates/{name}/download", response_class=Response, responses={200: {"content": {DOCX: {}}}})
def download_template(name: str, user: AdminUser, session: SessionDep, services: ServicesDep) -> Response:
    data = templates.download(session, services.blobs, user, name, services.settings.templates_dir)
    file_name = f"{name.removesuffix('.docx')}.docx"
    return Response(
        data, media_type=DOCX, headers={"Content-Disposition": f"attachment; filename*=UTF-8''{quote(file_name)}"}
    )
