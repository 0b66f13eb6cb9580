"""Generated documents: list, fetch, and regenerate one after its pair's data changed."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from sqlalchemy import select
from sqlalchemy.orm import Session

from api.blobs import BlobStore
from api.models import Document, Program, User
from api.services import audit, programs, rosters
from api.services.accounts import require_admin
from api.services.batches import save_document
from api.services.errors import Conflict, Invalid, NotFound
from docgen.batch import PdfConverterLike, fingerprint
from docgen.context import agreement_context
from docgen.errors import DocgenError
from docgen.files import template_reader
from docgen.naming import document_stem, group_folder
from docgen.render.docx import CompiledTemplate


def list_documents(session: Session, user: User, program: Program, pair: str | None = None) -> list[Document]:
    query = select(Document).where(Document.program_id == program.id).order_by(Document.pair_label, Document.kind)
    if pair:
        query = query.where(Document.pair_label == pair)
    visible = rosters.visible_labels(session, program, user)
    return [d for d in session.scalars(query) if visible is None or d.pair_label in visible]


def get_document(session: Session, user: User, document_id: int) -> Document:
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
        kind = program.agreement(doc.kind)
        compiled = CompiledTemplate.compile(
            template_reader(programs.template_folder(templates))(kind.template), kind.template
        )
        context = agreement_context(program, group, kind)
        docx = compiled.render(context)
    except DocgenError as exc:
        raise Invalid(f"重新生成失败：{exc}", [{"message": str(exc)}]) from None
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
    stem = f"{group_folder(group)}/{document_stem(group, kind)}"
    out = [
        save_document(
            session,
            program_row.id,
            group.label,
            kind.key,
            kind.title,
            "docx",
            f"{stem}.docx",
            key := blobs.put(docx),
            key.rsplit("/", 1)[-1],
            len(docx),
            None,
            fp,
            None,
        )
    ]
    if with_pdf:
        if converter is None:
            raise Conflict("PDF 转换服务不可用")
        [result] = converter().convert_many([(f"{stem}.docx", docx)])
        if result.pdf is None:
            raise Conflict(f"PDF 转换失败：{result.error}")
        key = blobs.put(result.pdf)
        out.append(
            save_document(
                session,
                program_row.id,
                group.label,
                kind.key,
                kind.title,
                "pdf",
                f"{stem}.pdf",
                key,
                key.rsplit("/", 1)[-1],
                len(result.pdf),
                result.pages,
                fp,
                None,
            )
        )
    audit.record(session, user, "document.regenerate", f"document:{doc.id}", pair=doc.pair_label, kind=doc.kind)
    return out
