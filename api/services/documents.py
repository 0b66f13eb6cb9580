"""Generated documents: list, fetch, and regenerate one after its pair's data changed."""

from __future__ import annotations

from pathlib import Path

from sqlalchemy import select
from sqlalchemy.orm import Session

from api.blobs import BlobStore
from api.models import Document, Program, User
from api.services import audit, programs, rosters, school_names
from api.services import templates as template_store
from api.services.accounts import require_admin
from api.services.batches import same_pair, store_result
from api.services.errors import Conflict, NotFound, ServerFailure, rendering_failed
from docgen.batch import UploadLinks, load_template, plan_document, render_document
from docgen.errors import DocgenError
from docgen.render.converter import PdfConverter


def list_documents(session: Session, user: User, program: Program, pair: str | None = None) -> list[Document]:
    """The program's documents the user may see, optionally of one pair (a label of the current roster: a
    removed pair's documents that had the same label are not listed under it)."""
    query = select(Document).where(Document.program_id == program.id).order_by(Document.pair_label, Document.kind)
    if pair:
        query = query.where(Document.pair_label == pair, Document.pair_id.in_(rosters.current_ids(session, program)))
    visible = rosters.visible_pairs(session, program, user)
    return [d for d in session.scalars(query) if rosters.pair_visible_to(visible, d.pair_id)]


def get_document(session: Session, user: User, document_id: int) -> Document:
    """A document of a pair the user may see; 404 otherwise."""

    def visible(doc: Document, program: Program) -> bool:
        return rosters.pair_visible_to(rosters.visible_pairs(session, program, user), doc.pair_id)

    return programs.get_in_program(session, user, Document, document_id, "文书", visible)


def sibling(session: Session, doc: Document, fmt: str) -> Document:
    """The same (pair, kind) in another format."""
    if doc.format == fmt:
        return doc
    other = session.scalar(
        select(Document).where(
            Document.program_id == doc.program_id,
            same_pair(doc.pair_id),
            Document.pair_label == doc.pair_label,
            Document.kind == doc.kind,
            Document.format == fmt,
        )
    )
    if other is None:
        raise NotFound(f"文书 {doc.id} 没有 {fmt} 格式（生成时未选择 PDF？可先重新生成）")
    return other


def regenerate(
    session: Session,
    user: User,
    doc: Document,
    blobs: BlobStore,
    *,
    templates: Path | None,
    converter: PdfConverter | None,
    links: UploadLinks | None = None,
) -> list[Document]:
    """Render this (pair, kind) again from the program's template and the pair's current data, as the batch
    would (:func:`docgen.batch.render_document`); every format the document has is redone. ``links``: a blank
    form's phone upload link (:func:`api.services.phone_links.link_maker`), renewed with the form.

    Returns the updated rows. A template that does not fit is 422, a failed PDF conversion 500, both with the
    reason; nothing is stored then.
    """
    require_admin(user)
    program_row = session.get(Program, doc.program_id)
    assert program_row is not None
    programs.require_active(program_row)
    program = school_names.program_with_names(session, program_row)
    what = f"文书 {doc.id}（{doc.pair_label} {doc.kind}）"
    current = doc.pair_id is not None and doc.pair_id in rosters.current_ids(session, program_row)
    group = rosters.unit(session, program_row, program.group_policy, doc.pair_label) if current else None
    if group is None:
        raise Conflict(f"结对 {doc.pair_label} 已不在当前花名册中，{what}无法重新生成")
    job = plan_document(program, group, doc.kind)
    if job is None:
        raise Conflict(f"{what}已不在本项目的协议和表单中，无法重新生成")
    with_pdf = (
        session.scalar(
            select(Document.id).where(
                Document.program_id == doc.program_id,
                same_pair(doc.pair_id),
                Document.pair_label == doc.pair_label,
                Document.kind == doc.kind,
                Document.format == "pdf",
            )
        )
        is not None
    )
    if with_pdf and converter is None:
        raise ServerFailure(f"{what}：PDF 转换服务不可用")
    try:
        template = load_template(job.kind, template_store.reader(session, blobs, templates, program_id=program_row.id))
    except DocgenError as exc:
        raise rendering_failed(f"{what}重新生成失败", exc) from None
    result = render_document(program, job, template, converter=converter if with_pdf else None, links=links)
    if result.error is not None:
        raise rendering_failed(f"{what}重新生成失败", result.error)
    out = store_result(session, blobs, program_row.id, result, None)
    audit.record(session, user, "document.regenerate", f"document:{doc.id}", pair=doc.pair_label, kind=doc.kind)
    return out
