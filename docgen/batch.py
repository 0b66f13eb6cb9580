"""Generate every agreement (and blank form) of every pair group: the batch service.

``generate_batch`` is the one entry point the CLI and the API call. It plans one job per
(pair group, agreement kind) — and, with ``with_forms``, one per (pair group, form) or, for per-school
forms such as the 回执, one per school of the group — skips jobs the sink already holds with the same
fingerprint (resume), renders DOCX, converts to PDF in windows through a :class:`~docgen.render.pdf.PdfConverter`, and
hands every finished document to the sink at once, so memory stays flat however many pairs there are.
A document that fails is reported and the batch goes on.
"""

from __future__ import annotations

import dataclasses
import json
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from hashlib import sha256
from typing import Any, Protocol

from docgen.context import agreement_context
from docgen.errors import DocgenError, ProgramError
from docgen.forms import load_schemas
from docgen.forms.generate import FormKind, form_context, form_media, school_index
from docgen.model import AgreementKind, PairGroup, Program, Roster, School
from docgen.naming import document_stem, form_stem, group_folder
from docgen.render.docx import CompiledTemplate


class ConversionResultLike(Protocol):
    """One converted document: ``pdf`` and ``pages`` when it worked, ``error`` (the reason) when not."""

    @property
    def name(self) -> str: ...
    @property
    def pdf(self) -> bytes | None: ...
    @property
    def pages(self) -> int: ...
    @property
    def error(self) -> str | None: ...


class PdfConverterLike(Protocol):
    """Turns named .docx documents into PDF, one result per item in order (``ConverterPool``)."""

    def convert_many(self, items: Sequence[tuple[str, bytes]]) -> Sequence[ConversionResultLike]: ...


DocumentKind = AgreementKind | FormKind  # what a job makes: an agreement, or a blank form


@dataclass(frozen=True)
class DocumentJob:
    """One document to make: a pair group under an agreement kind or form, and where it goes in the archive.

    ``school`` is set for per-school forms (one 回执 per school of the group) and None otherwise.
    """

    group: PairGroup
    kind: DocumentKind
    folder: str
    stem: str
    school: School | None = None

    @property
    def document_kind(self) -> str:
        """The kind, told apart per school for per-school forms: ``form:liaison_reply#2``."""
        if self.school is None:
            return self.kind.key
        return f"{self.kind.key}#{school_index(self.group, self.school)}"

    @property
    def title(self) -> str:
        """What the document is, for lists: ``联络员回执（黑水县中学）`` for a per-school form."""
        return self.kind.title if self.school is None else f"{self.kind.title}（{self.school.name}）"

    @property
    def key(self) -> str:
        """``03/party_building``, ``03.2/form:liaison_reply``: the job's identity in journals, resumes and failures."""
        if self.school is None:
            return f"{self.group.label}/{self.kind.key}"
        return f"{self.group.label}.{school_index(self.group, self.school)}/{self.kind.key}"


@dataclass(frozen=True)
class DocumentResult:
    """A finished (or failed) document. ``pdf``/``pages`` are ``None`` when PDF was not asked for."""

    job: DocumentJob
    fingerprint: str
    docx: bytes | None
    pdf: bytes | None = None
    pages: int | None = None
    error: str | None = None

    @property
    def ok(self) -> bool:
        return self.error is None


class BatchSink(Protocol):
    """Where finished documents go (a directory + ZIP for the CLI, object storage for the service)."""

    def is_done(self, job: DocumentJob, fingerprint: str) -> bool: ...

    def record(self, result: DocumentResult) -> None: ...

    def finish(self, jobs: Sequence[DocumentJob], report: BatchReport) -> str: ...


@dataclass
class BatchReport:
    """What a batch did: counts and the failures with their reasons."""

    planned: int = 0
    generated: int = 0
    skipped: int = 0
    failures: list[tuple[str, str]] = field(default_factory=list)  # (job key, reason)
    archive: str = ""

    @property
    def ok(self) -> bool:
        return not self.failures


def form_kinds(program: Program, forms: Sequence[str] | None = None) -> list[FormKind]:
    """The program's blank forms (``forms`` selects some of them by kind), as batch kinds."""
    schemas = load_schemas()
    chosen = list(forms) if forms is not None else list(program.forms)
    unknown = [f for f in chosen if f not in program.forms]
    if unknown:
        known = "、".join(program.forms) or "无"
        raise ProgramError(f"本项目没有表单种类 {unknown}（本项目有：{known}）", source=program.key, key="forms")
    return [FormKind(schemas[f]) for f in chosen]


def _form_jobs(group: PairGroup, folder: str, kind: FormKind) -> list[DocumentJob]:
    """One job per group, or for a per-school form (the 回执) one per school of the group."""
    if not kind.per_school:
        return [DocumentJob(group, kind, folder, form_stem(group, kind.title))]
    return [DocumentJob(group, kind, folder, form_stem(group, kind.title, school), school) for school in group.schools]


def plan_batch(
    program: Program,
    roster: Roster,
    kinds: Sequence[str] | None = None,
    *,
    with_forms: bool = False,
    forms: Sequence[str] | None = None,
) -> list[DocumentJob]:
    """Every (group, kind) job in roster order, honouring the program's group policy.

    ``kinds`` selects agreement kinds (all by default; an empty list: none). With ``with_forms`` each group
    also gets the program's blank forms (``forms`` selects some), after its agreements.
    """
    selected = [program.agreement(k) for k in kinds] if kinds is not None else list(program.agreements)
    blank_forms = form_kinds(program, forms) if with_forms else []
    jobs = []
    for group in roster.units(program.group_policy):
        folder = group_folder(group)
        jobs += [DocumentJob(group, kind, folder, document_stem(group, kind)) for kind in selected]
        for form in blank_forms:
            jobs += _form_jobs(group, folder, form)
    return _unique_names(jobs)


def _unique_names(jobs: list[DocumentJob]) -> list[DocumentJob]:
    """Two documents never share a file name: names are sanitised school names and titles, so ``..`` and
    ``...`` (or ``a/b`` and ``a_b``) can meet; a repeated name gets ``_2``, ``_3`` … instead of overwriting."""
    seen: set[tuple[str, str]] = set()
    out = []
    for job in jobs:
        stem, n = job.stem, 1
        while (job.folder, stem) in seen:
            n += 1
            stem = f"{job.stem}_{n}"
        seen.add((job.folder, stem))
        out.append(job if stem == job.stem else dataclasses.replace(job, stem=stem))
    return out


def fingerprint(template: CompiledTemplate, context: Mapping[str, Any], with_pdf: bool) -> str:
    """Changes whenever the template, the pair's data or the output formats change."""
    payload = json.dumps(context, ensure_ascii=False, sort_keys=True, default=str)
    return sha256(f"{template.digest}\n{with_pdf}\n{payload}".encode()).hexdigest()


def load_templates(program: Program, read: Callable[[str], bytes]) -> dict[str, CompiledTemplate]:
    """Compile each agreement kind's and each form's template once (forms under ``form:<kind>``);
    ``read`` maps a template file name (``party_building.docx``, ``forms/filing.docx``) to its bytes."""
    kinds: list[DocumentKind] = [*program.agreements, *form_kinds(program)]
    return {kind.key: CompiledTemplate.compile(read(kind.template), kind.template) for kind in kinds}


def job_context(program: Program, job: DocumentJob) -> dict[str, Any]:
    """What the job's template sees: an agreement's context, or a blank form's (with its identity)."""
    if isinstance(job.kind, FormKind):
        return form_context(program, job.group, job.kind.schema, job.school)
    return agreement_context(program, job.group, job.kind)


def render_job(template: CompiledTemplate, job: DocumentJob, context: Mapping[str, Any]) -> bytes:
    """A job's .docx; a form gets its own QR code (the image part replaced)."""
    if isinstance(job.kind, FormKind):
        return template.render(context, media=form_media(context["identity"]["code"]))
    return template.render(context)


ProgressCallback = Callable[[int, int], None]  # (documents handled so far, documents planned)


def generate_batch(
    program: Program,
    roster: Roster,
    templates: Mapping[str, CompiledTemplate],
    sink: BatchSink,
    *,
    converter: PdfConverterLike | None = None,
    kinds: Sequence[str] | None = None,
    with_forms: bool = False,
    forms: Sequence[str] | None = None,
    window: int = 240,
    on_progress: ProgressCallback | None = None,
) -> BatchReport:
    """Render every agreement for every group into ``sink``; PDF too when a converter is given.

    ``with_forms`` adds the program's blank forms (``forms`` selects some; ``kinds=[]`` then gives forms
    only); ``templates`` must then hold them too (:func:`load_templates` compiles them). Re-running with the
    same sink skips documents whose fingerprint is unchanged. Returns a report;
    the archive location is whatever ``sink.finish`` returns.
    """
    jobs = plan_batch(program, roster, kinds, with_forms=with_forms, forms=forms)
    report = BatchReport(planned=len(jobs))
    with_pdf = converter is not None
    handled = 0

    def advance(n: int) -> None:
        nonlocal handled
        handled += n
        if on_progress:
            on_progress(handled, len(jobs))

    pending: list[tuple[DocumentJob, str, bytes]] = []
    for job in jobs:
        template = templates[job.kind.key]
        try:
            context = job_context(program, job)
            fp = fingerprint(template, context, with_pdf)
            if sink.is_done(job, fp):
                report.skipped += 1
                advance(1)
                continue
            docx = render_job(template, job, context)
        except DocgenError as exc:
            _fail(report, sink, DocumentResult(job, "", None, error=str(exc)))
            advance(1)
            continue
        if converter is None:
            sink.record(DocumentResult(job, fp, docx))
            report.generated += 1
            advance(1)
            continue
        pending.append((job, fp, docx))
        if len(pending) >= window:
            advance(_convert(pending, converter, sink, report))
            pending = []
    if pending and converter is not None:
        advance(_convert(pending, converter, sink, report))
    report.archive = sink.finish(jobs, report)
    return report


def _fail(report: BatchReport, sink: BatchSink, result: DocumentResult) -> None:
    report.failures.append((result.job.key, result.error or "未知错误"))
    sink.record(result)


def _convert(
    pending: list[tuple[DocumentJob, str, bytes]],
    converter: PdfConverterLike,
    sink: BatchSink,
    report: BatchReport,
) -> int:
    """Convert a window of documents, one converter call per template (merging needs one template)."""
    for kind_key in dict.fromkeys(job.kind.key for job, _, _ in pending):
        batch = [(job, fp, docx) for job, fp, docx in pending if job.kind.key == kind_key]
        results = converter.convert_many([(job.key, docx) for job, _, docx in batch])
        for (job, fp, docx), converted in zip(batch, results, strict=True):
            if converted.pdf is None:
                _fail(report, sink, DocumentResult(job, fp, docx, error=f"PDF 转换失败：{converted.error}"))
            else:
                sink.record(DocumentResult(job, fp, docx, converted.pdf, converted.pages))
                report.generated += 1
    return len(pending)

