"""Templates a program may name: the built-in ones and the ones admins uploaded (table ``templates``).

A program's ``template:`` is a *name* (``docgen.naming.TEMPLATE_NAME``), resolved by :func:`reader` against
the built-in templates (docgen's package data, or ``Settings.templates_dir``) and then this table — never
against a path, and never against the returned forms of ``uploads`` (another table). An uploaded template
is checked before it is kept: it must be a Word document, compile, read no ``_`` attribute, and use only
variables the agreement context offers (``params.*`` excepted: those belong to the program that names it,
and are checked when that program is created). Every upload — accepted or refused — is audited.
"""

from __future__ import annotations

import io
import zipfile
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Final, Literal

from lxml import etree
from sqlalchemy import select
from sqlalchemy.orm import Session

from api.blobs import BlobStore
from api.models import Template, User
from api.services import audit
from api.services import uploads as upload_checks
from api.services.accounts import can_manage, require_admin
from api.services.errors import Conflict, Invalid, NotFound, ServiceError, UnsupportedType
from docgen.context import agreement_context
from docgen.errors import DocgenError, TemplateError
from docgen.files import builtin_names, builtin_templates, default_program, template_reader
from docgen.model import AgreementKind
from docgen.naming import TEMPLATE_NAME_RULE, TEMPLATE_SUFFIX, template_stem
from docgen.render.docx import CompiledTemplate
from docgen.template_check import SAMPLE_GROUP, check_template

BUILTIN: Final = "builtin"
UPLOADED: Final = "uploaded"
_DC = "{http://purl.org/dc/elements/1.1/}"


@dataclass(frozen=True)
class TemplateInfo:
    """One template as ``GET /api/templates`` lists it."""

    name: str
    source: Literal["builtin", "uploaded"]
    title: str
    size: int
    uploaded_by: str | None = None
    created_at: datetime | None = None


def reader(
    session: Session,
    blobs: BlobStore,
    templates: Path | None,
    *,
    user: User | None = None,
    program_id: int | None = None,
) -> Callable[[str], bytes]:
    """Template bytes by name: built-in first, then uploaded (see :func:`docgen.files.template_reader`).

    With ``user``, only the uploaded templates that user may see (:func:`visible`): what an admin names or
    downloads. With ``program_id`` (the batch and regeneration of a program whose templates were checked, with
    its admin, when it was set up): the template of that name an admin of the program uploaded — names are
    unique per bureau, so two bureaus may each have one.
    """

    def uploaded(stem: str) -> bytes | None:
        rows = list(session.scalars(select(Template).where(Template.name == stem).order_by(Template.id)))
        if user is not None:
            rows = [r for r in rows if visible(session, user, r)]
        elif program_id is not None and len(rows) > 1:
            rows = [r for r in rows if _uploaded_for(session, r, program_id)]
        return blobs.read(rows[0].blob_key) if rows else None

    return template_reader(builtin=templates, uploaded=uploaded)


def visible(session: Session, user: User, row: Template) -> bool:
    """Whether ``user`` may see the uploaded template ``row``: its own, or one a fellow admin of its bureau
    uploaded (an admin it manages, :func:`~api.services.accounts.can_manage`: they share a program).

    Another bureau's templates are not listed, not downloadable and cannot be named by a program (404, as for
    a missing one): a bureau's template may carry its own text. One whose uploader was deleted is seen by no one.
    """
    uploader = session.get(User, row.uploaded_by) if row.uploaded_by is not None else None
    return uploader is not None and can_manage(user, uploader)


def _uploaded_for(session: Session, row: Template, program_id: int) -> bool:
    """Whether ``row``'s uploader is an admin of the program (so the template is its bureau's)."""
    uploader = session.get(User, row.uploaded_by) if row.uploaded_by is not None else None
    return uploader is not None and any(p.id == program_id for p in uploader.programs)


def _title(data: bytes) -> str:
    """The ``dc:title`` of a .docx's core properties ('' when it has none)."""
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as z:
            core = etree.fromstring(z.read("docProps/core.xml"), etree.XMLParser(resolve_entities=False))
    except (KeyError, zipfile.BadZipFile, etree.XMLSyntaxError):
        return ""
    node = core.find(f"{_DC}title")
    return (node.text or "").strip() if node is not None else ""


def list_templates(session: Session, user: User, templates: Path | None) -> list[TemplateInfo]:
    """Built-in templates, then the uploaded ones ``user`` may see (:func:`visible`; admins only: templates are a
    set-up tool)."""
    require_admin(user)
    folder = builtin_templates(templates)
    out = []
    for name in builtin_names(templates):
        data = (folder / f"{name}{TEMPLATE_SUFFIX}").read_bytes()
        out.append(TemplateInfo(name, BUILTIN, _title(data), len(data)))
    rows = session.scalars(select(Template).order_by(Template.name))
    out += [uploaded_info(row) for row in rows if visible(session, user, row)]
    return out


def uploaded_info(row: Template) -> TemplateInfo:
    """An uploaded template as the API lists it."""
    return TemplateInfo(row.name, UPLOADED, row.title, row.size, row.uploaded_by_name, row.created_at)


def download(session: Session, blobs: BlobStore, user: User, name: str, templates: Path | None) -> bytes:
    """The bytes of a template (admins); 404 — the same answer — for a bad name and a missing template."""
    require_admin(user)
    try:
        return reader(session, blobs, templates, user=user)(name)
    except TemplateError:
        raise NotFound("找不到这个模板") from None


def _check_kind(templates: Path | None) -> tuple[AgreementKind, dict[str, object]]:
    program = default_program(templates)
    kind = program.agreements[0]
    return kind, agreement_context(program, SAMPLE_GROUP, kind)


def validate(
    name: str, data: bytes, limits: upload_checks.Limits, templates: Path | None
) -> tuple[str, CompiledTemplate]:
    """The stem and compiled template of an upload, or the :class:`ServiceError` that refuses it."""
    stem = template_stem(name)
    if stem is None:
        raise Invalid(f"{TEMPLATE_NAME_RULE}；实际为 {name!r}", [{"field": "name", "message": TEMPLATE_NAME_RULE}])
    if stem in builtin_names(templates):
        raise Conflict(f"模板名称 {stem} 是内置模板的名称，请换一个名称")
    label = f"{stem}{TEMPLATE_SUFFIX}"
    if upload_checks.check(label, data, limits) != "docx":
        raise UnsupportedType(f"{label}：模板应为 Word 文档（.docx）")
    upload_checks.expand_zip(label, data, limits)  # a zip bomb is refused before the template is opened
    try:
        compiled = CompiledTemplate.compile(data, label)
    except TemplateError as exc:
        raise Invalid(f"模板无法使用：{exc}", [{"where": exc.where or "", "message": exc.message}]) from None
    kind, context = _check_kind(templates)
    result = check_template(compiled, context)
    findings = [f for f in result.findings() if not f["variable"].startswith("params.")]
    if findings:
        raise Invalid(f"模板 {label} 未通过检查：{len(findings)} 处问题（按“{kind.title}”的数据核对）", findings)
    return stem, compiled


def upload(
    session: Session,
    blobs: BlobStore,
    by: User,
    name: str,
    data: bytes,
    *,
    title: str = "",
    limits: upload_checks.Limits,
    templates: Path | None,
    file_name: str = "",
) -> Template:
    """Check and keep an uploaded template (admins). 409 when the name is taken by a built-in template or one
    ``by`` may see (its bureau's, :func:`visible`); another bureau's template of the same name is no conflict
    and is never mentioned (docs/security.md).

    The caller commits; a refusal is audited by :func:`audit_refusal` in its own transaction.
    """
    require_admin(by)
    stem, _ = validate(name, data, limits, templates)
    if any(visible(session, by, row) for row in session.scalars(select(Template).where(Template.name == stem))):
        raise Conflict(f"模板 {stem} 已存在，请换一个名称")
    key = blobs.put(data)
    row = Template(
        name=stem,
        title=title.strip()[:300] or _title(data),
        blob_key=key,
        sha256=key.rsplit("/", 1)[-1],
        size=len(data),
        uploaded_by=by.id,
        uploaded_by_name=by.username,
    )
    session.add(row)
    session.flush()
    audit.record(session, by, "template.upload", f"template:{stem}", sha256=row.sha256, size=len(data), file=file_name)
    return row


def audit_refusal(session: Session, by: User, name: str, file_name: str, error: ServiceError | DocgenError) -> None:
    """Audit a refused template upload (the attempt is worth a trace even though nothing was kept)."""
    message = error.message if isinstance(error, ServiceError) else str(error)
    audit.record(session, by, "template.upload_refused", f"template:{name[:100]}", file=file_name, reason=message)
