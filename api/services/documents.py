"""Generated documents: list, fetch, and regenerate one after its pair's data changed."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from sqlalchemy import select
from sqlalchemy.orm import Session

from api.blobs import BlobStore
from api.models import Document, Program, User
from api.services import audit, programs, rosters
from api.services import templates as template_store
from api.services.accounts import require_admin
from api.services.batches import save_document
from api.services.errors import Conflict, Invalid, NotFound
from docgen.batch import PdfConverterLike, fingerprint, job_context, plan_batch, render_job
from docgen.errors import DocgenError
from docgen.model import Roster
from docgen.render.docx import CompiledTemplate


def list_documents(session: Session, user: User, program: Program, pair: str | None = None) -> list[Document]:
    """The program's documents the user may see, optionally of one pair."""
    query = select(Document).where(Document.program_id == program.id).order_by(Document.pair_label, Document.kind)
    if pair:
        query = query.where(Document.pair_label == pair)
    visible = rosters.visible_labels(session, program, user)
    return [d for d in session.scalars(query) if visible is None or d.pair_label in visible]


def get_document(session: Session, user: User, document_id: int) -> Document:
    """A document of a pair the user may see; 404 otherwise."""
    doc = session.get(Document, document_id)
    if doc is None:
        raise NotFound(f"文书 {document_id} 不存在")
    program = programs.get_program(session, user, doc.program_id)
    rosters.require_pair_visible(session, program, user, doc.pair_label, f"文书 {document_id} ")
    return doc


def sibling(session: Session, doc: Document, fmt: str) -> Document:
    """The same (pair, kind) in another format."""
    if doc.format == fmt:
        return doc
    other = session.scalar(
        select(Document).where(
            Document.program_id == doc.program_id,
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
    converter: Callable[[], PdfConverterLike] | None,
) -> list[Document]:
    """Render this (pair, kind) again from the program's template and the pair's current data.

    Every format the document has is redone (PDF through the converter pool); returns the updated rows.
    """
    require_admin(user)
    program_row = session.get(Program, doc.program_id)
    assert program_row is not None
    program = programs.domain(program_row)
    roster = rosters.roster_of(session, program_row)
    group = next((g for g in roster.units(program.group_policy) if g.label == doc.pair_label), None)
    if group is None:
        raise Conflict(f"结对 {doc.pair_label} 已不在当前花名册中，无法重新生成")
    try:
        jobs = plan_batch(program, Roster((group,)), with_forms=bool(program.forms))
        job = next((j for j in jobs if j.document_kind == doc.kind), None)
        if job is None:
            raise Conflict(f"文书 {doc.id}（{doc.pair_label} {doc.kind}）已不在本项目的协议和表单中，无法重新生成")
        compiled = CompiledTemplate.compile(
            template_store.reader(session, blobs, templates)(job.kind.template), job.kind.template
        )
        context = job_context(program, job)
        docx = render_job(compiled, job, context)
    except DocgenError as exc:
        what = f"文书 {doc.id}（{doc.pair_label} {doc.kind}）"
        raise Invalid(f"{what}重新生成失败：{exc}", [{"message": str(exc)}]) from None
    formats = {
        d.format
        for d in session.scalars(
            select(Document).where(
                Document.program_id == doc.program_id, Document.pair_label == doc.pair_label, Document.kind == doc.kind
            )
        )
    }
    with_pdf = "pdf" in formats
    fp = fingerprint(compiled, context, with_pdf)
    stem = f"{job.folder}/{job.stem}"
    outputs: list[tuple[str, bytes, int | None]] = [("docx", docx, None)]
    if with_pdf:
        if converter is None:
            raise Conflict(f"{stem}.pdf：PDF 转换服务不可用")
        [result] = converter().convert_many([(f"{stem}.docx", docx)])
        if result.pdf is None:
            raise Conflict(f"{stem}.pdf：PDF 转换失败（{result.error}）")
        outputs.append(("pdf", result.pdf, result.pages))
    out = []
    for fmt, data, pages in outputs:
        key = blobs.put(data)
        out.append(
            save_document(
                session,
                program_row.id,
                group.label,
                job.document_kind,
                job.title,
                fmt,
                f"{stem}.{fmt}",
                key,
                key.rsplit("/", 1)[-1],
                len(data),
                pages,
                fp,
                None,
            )
        )
    audit.record(session, user, "document.regenerate", f"document:{doc.id}", pair=doc.pair_label, kind=doc.kind)
    return out
