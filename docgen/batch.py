"""One document, or every document of a program: plan, render, convert — the one pipeline.

* :func:`plan_batch` lists the jobs: one per (pair group, agreement kind) and, with ``with_forms``, one per
  (pair group, form) or, for per-school forms such as the 回执, one per school of the group.
  :func:`plan_document` finds one of them again (regenerating a single document).
* :func:`render_document` renders one planned document: its .docx and, given a
  :class:`~docgen.render.pdf.PdfConverter`, its PDF. It never raises for a bad document: the
  :class:`DocumentResult` carries the files (bytes, pages, sha256) or the :class:`~docgen.errors.DocgenError`.
* :func:`render_documents` is the same for many jobs; it converts in windows (one converter call per template
  per window, so LibreOffice can merge them) and skips jobs already done (resume by fingerprint).
  ``render_document`` is this with one job.
* :func:`generate_batch` is the batch service the CLI and the API call: it feeds ``render_documents`` into a
  :class:`BatchSink` one document at a time, so memory stays flat however many pairs there are, reports
  progress (a callback that may raise to cancel) and records failures instead of stopping. Given a
  :class:`BatchPart` it runs one chunk of the plan (:func:`split_plan`): several workers then make one batch.
"""

from __future__ import annotations

import dataclasses
import json
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass, field, replace
from enum import StrEnum
from functools import cached_property
from hashlib import sha256
from typing import Any, Protocol

from docgen.context import agreement_context
from docgen.errors import ConversionError, DocgenError, PlanChanged, ProgramError, TextMismatch
from docgen.extraction import FormIdentity
from docgen.forms import FormPer, load_schemas
from docgen.forms.generate import KIND_PREFIX, FormKind, form_context, identity_for, render_form, school_index
from docgen.layout import PdfPage
from docgen.model import AgreementKind, PairGroup, Program, Roster, School
from docgen.naming import document_stem, form_stem, group_folder
from docgen.proof import FindingKind, ProofReport, UnreadableDocument, proofread
from docgen.render.converter import CheckingConverter, ConversionResult, DocumentCheck, PdfConverter
from docgen.render.docx import CompiledTemplate
from docgen.school_names import draft_reasons

DocumentKind = AgreementKind | FormKind  # what a job makes: an agreement, or a blank form
# The first window when someone watches the batch on a screen (the service): 12 documents, then 24, 48 … up to
# ``window``, so the first PDFs are there within seconds. Each window is one more LibreOffice load per template,
# which costs throughput (−13 % at 300 pairs, docs/benchmarks.md): `docgen generate` starts at the full window.
FIRST_WINDOW = 12


@dataclass(frozen=True)
class DocumentJob:
    """One document to make: a pair group under an agreement kind or form, and where it goes in the archive.

    ``school`` is set for forms made per school (one 回执 per school of the group; a 2:1 group's 备案表 and 统计表
    per supporting school) and None otherwise.
    ``draft_reasons`` is set for an agreement a party cannot sign yet (its name is abbreviated, a placeholder
    or missing: :func:`docgen.school_names.draft_reasons`): the document prints fill-in blanks and is a draft.
    """

    group: PairGroup
    kind: DocumentKind
    folder: str
    stem: str
    school: School | None = None
    draft_reasons: tuple[str, ...] = ()

    @property
    def draft(self) -> bool:
        """Whether the document is a draft (``docgen generate --final`` refuses a batch with one)."""
        return bool(self.draft_reasons)

    @property
    def document_kind(self) -> str:
        """The kind, told apart per school for per-school forms: ``form:liaison_reply#2``."""
        if self.school is None:
            return self.kind.key
        return f"{self.kind.key}#{school_index(self.group, self.school)}"

    @property
    def title(self) -> str:
        """What the document is, for lists: ``联络员和分管领导回执（黑水县中学）`` for a per-school form."""
        return self.kind.title if self.school is None else f"{self.kind.title}（{self.school.name}）"

    @property
    def label(self) -> str:
        """The document in words, for people (失败清单.csv, the CLI summary, a batch's error):
        ``03 联络员和分管领导回执（黑水县中学）`` — never the :attr:`key` code."""
        return f"{self.group.label} {self.title}"

    @property
    def key(self) -> str:
        """``03/party_building``, ``03.2/form:liaison_reply``: the job's identity in journals, resumes and failures."""
        if self.school is None:
            return f"{self.group.label}/{self.kind.key}"
        return f"{self.group.label}.{school_index(self.group, self.school)}/{self.kind.key}"

    def file_name(self, fmt: str) -> str:
        """``<pair folder>/<stem>.<fmt>``: the document's name in the archive and in the output folder."""
        return f"{self.folder}/{self.stem}.{fmt}"


class Status(StrEnum):
    """What became of one planned document."""

    GENERATED = "generated"  # rendered (and converted) now
    SKIPPED = "skipped"  # resume: the sink already holds it with the same fingerprint
    FAILED = "failed"  # ``DocumentResult.error`` says why


@dataclass(frozen=True)
class RenderedFile:
    """One file of a finished document: its name in the archive, format, bytes, pages (PDF only), sha256."""

    name: str
    format: str  # "docx" or "pdf"
    data: bytes
    pages: int | None
    sha256: str


@dataclass(frozen=True)
class DocumentResult:
    """One planned document's outcome.

    Generated: ``docx`` holds the .docx, and ``pdf``/``pages`` the PDF when a converter was given (``None``
    otherwise). Skipped (resume): no bytes. Failed: ``error`` is the :class:`~docgen.errors.DocgenError` —
    a :class:`~docgen.errors.TemplateError` naming the template and variable, a
    :class:`~docgen.errors.ConversionError` for the PDF, … — and ``files`` is empty.
    """

    job: DocumentJob
    fingerprint: str
    docx: bytes | None = None
    pdf: bytes | None = None
    pages: int | None = None
    error: DocgenError | None = None
    skipped: bool = False
    proof: ProofReport | None = None  # the proofreading of a generated document (docgen.proof)

    @property
    def ok(self) -> bool:
        """Not failed (generated or skipped)."""
        return self.error is None

    @property
    def status(self) -> Status:
        if self.error is not None:
            return Status.FAILED
        return Status.SKIPPED if self.skipped else Status.GENERATED

    @property
    def reason(self) -> str:
        """Why it failed, for failure lists ('' when it did not)."""
        return "" if self.error is None else str(self.error)

    @cached_property
    def files(self) -> tuple[RenderedFile, ...]:
        """The files to store, in archive order (.docx then .pdf), each with its sha256; none unless generated."""
        if self.status is not Status.GENERATED or self.docx is None:
            return ()
        outputs: list[tuple[str, bytes, int | None]] = [("docx", self.docx, None)]
        if self.pdf is not None:
            outputs.append(("pdf", self.pdf, self.pages))
        return tuple(
            RenderedFile(self.job.file_name(fmt), fmt, data, pages, sha256(data).hexdigest())
            for fmt, data, pages in outputs
        )


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
    failures: list[tuple[str, str]] = field(default_factory=list)  # (DocumentJob.label, reason)
    archive: str = ""
    drafts: int = 0  # documents planned as drafts (a party cannot sign yet); generated all the same
    proofread: int = 0  # generated documents proofread (docgen.proof)
    findings: list[tuple[str, str]] = field(default_factory=list)  # (DocumentJob.label, proof summary) with findings

    @property
    def ok(self) -> bool:
        return not self.failures

    def proof_summary(self) -> str:
        """``校对 71 份：71 份无问题，0 份有问题，草稿 0 份`` ('' when nothing was proofread): the line the
        CLI prints and the service shows for the batch."""
        if not self.proofread:
            return ""
        with_findings = len(self.findings)
        return (
            f"校对 {self.proofread} 份：{self.proofread - with_findings} 份无问题，{with_findings} 份有问题，"
            f"草稿 {self.drafts} 份"
        )


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
    """One job per group, or one per school the form is for (:meth:`FormKind.schools`: every school for the
    回执, each supporting school of a 2:1 group for the 备案表 and 统计表)."""
    return [
        DocumentJob(group, kind, folder, form_stem(group, kind.title, school), school) for school in kind.schools(group)
    ]


def _group_jobs(
    program: Program, group: PairGroup, agreements: Sequence[AgreementKind], blank_forms: Sequence[FormKind]
) -> list[DocumentJob]:
    """One group's jobs: its agreements, then its blank forms (per school for the per-school ones). An
    agreement is a draft while a party's name cannot be signed (for one signed by party organisations, while a
    party organisation's name cannot); a blank form, which schools fill, never is."""
    folder = group_folder(group)
    table = program.school_names
    jobs = [
        DocumentJob(
            group, kind, folder, document_stem(group, kind), None, draft_reasons(group.schools, table, kind.signatories)
        )
        for kind in agreements
    ]
    for form in blank_forms:
        jobs += _form_jobs(group, folder, form)
    return _unique_names(jobs)


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
    units = roster.units(program.group_policy)
    return [job for group in units for job in _group_jobs(program, group, selected, blank_forms)]


def plan_document(program: Program, group: PairGroup, document_kind: str) -> DocumentJob | None:
    """The job of one document of ``group`` exactly as the batch plans it (same folder, name and kind:
    ``party_building``, ``form:liaison_reply#2``); None when the program has no such agreement or form."""
    jobs = _group_jobs(program, group, program.agreements, form_kinds(program))
    job = next((job for job in jobs if job.document_kind == document_kind), None)
    if job is None and document_kind.startswith(KIND_PREFIX) and "#" not in document_kind:
        # A form coded for the whole group (``03``) of a group whose supporting schools now each get their own
        # (``03.1``, ``03.2``): printed before that, or typed so. It is regenerated as what it is, the group's.
        kind = next((k for k in form_kinds(program) if k.key == document_kind), None)
        if kind is not None and kind.per is FormPer.SUPPORTING_SCHOOL:
            job = DocumentJob(group, kind, group_folder(group), form_stem(group, kind.title))
    return job


def plan_digest(jobs: Sequence[DocumentJob]) -> str:
    """The plan's identity: every job's key and archive name, in order. Two workers planning the same batch
    get the same digest exactly when they would make the same documents under the same names."""
    lines = "\n".join(f"{job.key}\t{job.folder}/{job.stem}\t{'|'.join(job.draft_reasons)}" for job in jobs)
    return sha256(lines.encode()).hexdigest()


@dataclass(frozen=True)
class BatchPart:
    """One chunk of a batch: the jobs ``start`` to ``stop`` (indexes into the plan, stop excluded) of the plan
    whose :func:`plan_digest` is ``plan`` — the plan as it was when the batch was split."""

    start: int
    stop: int
    plan: str

    def jobs(self, planned: Sequence[DocumentJob]) -> list[DocumentJob]:
        """This part's jobs of ``planned``; :class:`~docgen.errors.PlanChanged` when that is not the plan the
        batch was split on (a chunk run after the roster changed would make other documents than its batch's)."""
        if plan_digest(planned) != self.plan:
            raise PlanChanged("批量生成开始后，名单、项目或学校全称已修改：本批次的分块与现在的计划不一致，请重新生成")
        return list(planned[self.start : self.stop])


def split_plan(jobs: Sequence[DocumentJob], pairs: int) -> list[range]:
    """The plan cut into chunks of ``pairs`` pair groups each (the last may be smaller), as index ranges that
    cover it in order; a group's documents are never split between two chunks."""
    ranges: list[range] = []
    start, groups, previous = 0, 0, None
    for i, job in enumerate(jobs):
        if job.group.label != previous:
            if groups == pairs:
                ranges.append(range(start, i))
                start, groups = i, 0
            groups += 1
            previous = job.group.label
    if start < len(jobs):
        ranges.append(range(start, len(jobs)))
    return ranges


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
    return {kind.key: load_template(kind, read) for kind in kinds}


def load_template(kind: DocumentKind, read: Callable[[str], bytes]) -> CompiledTemplate:
    """Compile one kind's template (regenerating one document needs only its own); see :func:`load_templates`."""
    return CompiledTemplate.compile(read(kind.template), kind.template)


UploadLinks = Callable[[FormIdentity], str]  # a blank form's identity -> its phone upload link ('' for none)


def job_context(program: Program, job: DocumentJob, links: UploadLinks | None = None) -> dict[str, Any]:
    """What the job's template sees: an agreement's context, or a blank form's (with its identity and, when
    ``links`` gives one, its phone upload link: :mod:`docgen.upload_links`)."""
    if isinstance(job.kind, FormKind):
        url = links(identity_for(program, job.group, job.kind.schema, job.school)) if links is not None else ""
        return form_context(program, job.group, job.kind.schema, job.school, upload_url=url)
    return agreement_context(program, job.group, job.kind)


def render_job(template: CompiledTemplate, job: DocumentJob, context: Mapping[str, Any]) -> bytes:
    """A job's .docx; a form gets its table built from its schema and its own QR code (the image replaced)."""
    if isinstance(job.kind, FormKind):
        return render_form(template, job.kind.schema, context)
    return template.render(context)


# --- rendering: one document, or many -------------------------------------------------------------------

DoneCheck = Callable[[DocumentJob, str], bool]  # (job, fingerprint) -> already stored as it would be now


def _render_docx(
    program: Program,
    job: DocumentJob,
    template: CompiledTemplate,
    *,
    with_pdf: bool,
    context: Mapping[str, Any] | None = None,
    is_done: DoneCheck | None = None,
    links: UploadLinks | None = None,
) -> DocumentResult:
    """Step one of every document: its context and fingerprint, then — unless already done — its .docx."""
    try:
        ctx = job_context(program, job, links) if context is None else context
        fp = fingerprint(template, ctx, with_pdf)
        if is_done is not None and is_done(job, fp):
            return DocumentResult(job, fp, skipped=True)
        return DocumentResult(job, fp, render_job(template, job, ctx))
    except DocgenError as exc:
        return DocumentResult(job, "", error=exc)


def _proofread(result: DocumentResult, layout: Sequence[PdfPage] | None) -> DocumentResult:
    """Step three: the proofreading of a generated document (``layout``: its PDF, None without one). Text
    the PDF lacks (or adds) fails the document: a PDF that does not say what the .docx says is not sent."""
    if result.status is not Status.GENERATED or result.docx is None:
        return result
    job = result.job
    try:
        # The plan already judged the party names with the program's school name table (job.draft): the
        # proof takes that verdict rather than judging the roster's spelling of a name the table resolved.
        report = proofread(
            job.file_name("pdf" if layout is not None else "docx"),
            result.docx,
            layout,
            is_form=isinstance(job.kind, FormKind),
            draft=job.draft,
        )
    except UnreadableDocument as exc:
        return replace(result, error=ConversionError(f"校对时无法读取文书：{exc}"))
    lost = [f for f in report.findings if f.kind is FindingKind.TEXT]
    if lost:
        return replace(result, error=TextMismatch(f"PDF 与 DOCX 文字不一致：{lost[0].message}"), proof=report)
    return replace(result, proof=report)


Layout = tuple[PdfPage, ...] | None  # a converted document's PDF text, when the converter read it


def _convert(results: Sequence[DocumentResult], converter: PdfConverter) -> list[DocumentResult]:
    """Step two: PDF for the rendered documents among ``results`` (others pass through), in order, each
    proofread against its .docx (:func:`_proofread`) when the converter read the PDF's text."""
    return _proofread_all(*_convert_only(results, converter))


def _proofread_all(results: Sequence[DocumentResult], layouts: Sequence[Layout]) -> list[DocumentResult]:
    return [r if layout is None else _proofread(r, layout) for r, layout in zip(results, layouts, strict=True)]


def _convert_only(
    results: Sequence[DocumentResult], converter: PdfConverter
) -> tuple[list[DocumentResult], list[Layout]]:
    """:func:`_convert` without the proofreading: the results with their PDFs, and each one's PDF text.

    One converter call per template: the pool merges documents of one template into one LibreOffice load.
    A :class:`~docgen.render.converter.CheckingConverter` (the LibreOffice pool) proofreads each document
    itself as soon as it has read its PDF, while it converts the next ones: those come back proofread, with
    no layout left to check.
    """
    out = list(results)
    layouts: list[Layout] = [None] * len(out)
    by_template: dict[str, list[tuple[int, bytes]]] = {}
    for i, result in enumerate(results):
        if result.status is Status.GENERATED and result.docx is not None:
            by_template.setdefault(result.job.kind.key, []).append((i, result.docx))
    for items in by_template.values():
        named = [(out[i].job.key, docx) for i, docx in items]
        proofread_now: dict[int, DocumentResult] = {}
        if isinstance(converter, CheckingConverter):
            converted = converter.convert_many_checked(named, _proof_check(items, out, proofread_now))
        else:
            converted = converter.convert_many(named)
        for (i, _), pdf in zip(items, converted, strict=True):
            if pdf.pdf is None:
                out[i] = replace(out[i], error=ConversionError(f"PDF 转换失败：{pdf.error}"))
            elif i in proofread_now:
                out[i] = proofread_now[i]
            else:
                out[i] = _with_pdf(out[i], pdf)
                layouts[i] = pdf.layout
    return out, layouts


def _with_pdf(result: DocumentResult, pdf: ConversionResult) -> DocumentResult:
    return replace(result, pdf=pdf.pdf, pages=pdf.pages)


def _proof_check(
    items: Sequence[tuple[int, bytes]], results: Sequence[DocumentResult], into: dict[int, DocumentResult]
) -> DocumentCheck:
    """The check a :class:`CheckingConverter` runs on item ``k`` once converted: :func:`_proofread` of the
    result it came from, kept in ``into`` by the result's index."""

    def check(k: int, pdf: ConversionResult) -> None:
        i = items[k][0]
        into[i] = _proofread(_with_pdf(results[i], pdf), pdf.layout)

    return check


def render_document(
    program: Program,
    job: DocumentJob,
    template: CompiledTemplate,
    *,
    converter: PdfConverter | None = None,
    context: Mapping[str, Any] | None = None,
    links: UploadLinks | None = None,
) -> DocumentResult:
    """Render one planned document now: its .docx and, when ``converter`` is given, its PDF.

    ``job`` comes from :func:`plan_batch` or :func:`plan_document`; ``template`` is the job's compiled
    template (``load_templates(...)[job.kind.key]``). ``context`` replaces what the template sees (default:
    :func:`job_context`), e.g. a returned form filled with the values read from it. Never raises for a bad
    template or a failed conversion: the result's ``error`` is the :class:`~docgen.errors.DocgenError`.
    ``links`` gives a blank form its phone upload link (as the batch does). The same two steps as
    :func:`render_documents`, for one job.
    """
    result = _render_docx(program, job, template, with_pdf=converter is not None, context=context, links=links)
    if converter is None or not result.ok:
        return _proofread(result, None) if converter is None else result
    [converted] = _convert([result], converter)
    return converted


def render_documents(
    program: Program,
    jobs: Iterable[DocumentJob],
    templates: Mapping[str, CompiledTemplate],
    *,
    converter: PdfConverter | None = None,
    is_done: DoneCheck | None = None,
    window: int = 240,
    first_window: int | None = None,
    links: UploadLinks | None = None,
    on_rendered: Callable[[], None] | None = None,
) -> Iterator[DocumentResult]:
    """:func:`render_document` for every job, lazily: one result per job, failures included.

    ``is_done(job, fingerprint)`` true: the job is skipped (a result with ``skipped``), not rendered. With a
    converter, rendered documents wait for a window and are converted together, in another thread, while
    the next window renders; a window's results come out together, in plan order, once it is converted and
    proofread and the next window is rendered (or at the end); others come out at once. Windows start at
    ``first_window`` documents (None: ``window``) and double up to ``window``: the first documents are
    finished within seconds, later ones in large loads. ``on_rendered`` is called after each job's first step
    (.docx made, skipped or failed): progress per document while a window converts; it may raise to stop.
    """
    with_pdf = converter is not None
    pending: list[DocumentResult] = []
    size = max(1, min(window if first_window is None else first_window, window))
    # Windows are converted (and proofread: _convert) in a thread of their own while this one renders the
    # next window and hands out the previous one, so LibreOffice never waits for rendering or for the
    # caller writing results; a window's conversion starts as soon as the one before it is done.
    converting = ThreadPoolExecutor(max_workers=1, thread_name_prefix="docgen-convert")
    try:
        converted: Future[list[DocumentResult]] | None = None
        for job in jobs:
            result = _render_docx(
                program, job, templates[job.kind.key], with_pdf=with_pdf, is_done=is_done, links=links
            )
            if on_rendered is not None:
                on_rendered()
            if converter is None or result.status is not Status.GENERATED:
                yield _proofread(result, None) if converter is None else result
                continue
            pending.append(result)
            if len(pending) >= size:
                following = converting.submit(_convert, pending, converter)
                pending = []
                size = min(window, size * 2)
                if converted is not None:
                    yield from converted.result()
                converted = following
        if pending and converter is not None:
            following = converting.submit(_convert, pending, converter)
            if converted is not None:
                yield from converted.result()
            converted = following
        if converted is not None:
            yield from converted.result()
    finally:
        # A caller that stops early (a cancel) waits for the window being converted, not for the next.
        converting.shutdown(wait=True, cancel_futures=True)


ProgressCallback = Callable[[int, int], None]  # (documents handled so far, documents planned); may raise to stop


def generate_batch(
    program: Program,
    roster: Roster,
    templates: Mapping[str, CompiledTemplate],
    sink: BatchSink,
    *,
    converter: PdfConverter | None = None,
    kinds: Sequence[str] | None = None,
    with_forms: bool = False,
    forms: Sequence[str] | None = None,
    window: int = 240,
    first_window: int | None = None,
    on_progress: ProgressCallback | None = None,
    on_rendered: Callable[[], None] | None = None,
    links: UploadLinks | None = None,
    part: BatchPart | None = None,
) -> BatchReport:
    """Render every agreement for every group into ``sink``; PDF too when a converter is given.

    ``with_forms`` adds the program's blank forms (``forms`` selects some; ``kinds=[]`` then gives forms
    only); ``templates`` must then hold them too (:func:`load_templates` compiles them). Re-running with the
    same sink skips documents whose fingerprint is unchanged; a document that fails is recorded and the batch
    goes on. ``on_progress`` is called once with 0 as soon as the plan is made (the number of documents is
    known before anything renders), then after every document; an exception it raises (a cancel) stops the
    batch there, before the archive. ``on_rendered`` (:func:`render_documents`) reports each .docx as it is
    made. ``links`` gives each blank form its phone upload link. ``first_window`` (:data:`FIRST_WINDOW` for a
    batch someone watches) makes the first PDFs come sooner at some throughput; None: every window is
    ``window``. Returns a report; the archive is whatever ``sink.finish`` returns.

    ``part`` runs one chunk of the plan (:func:`split_plan`; :class:`~docgen.errors.PlanChanged` when the
    plan is no longer the one split): the report, the progress and ``sink.finish`` are then the chunk's, and
    whoever split the batch puts the chunks' reports together.
    """
    jobs = plan_batch(program, roster, kinds, with_forms=with_forms, forms=forms)
    if part is not None:
        jobs = part.jobs(jobs)
    report = BatchReport(planned=len(jobs), drafts=sum(job.draft for job in jobs))
    if on_progress:
        on_progress(0, len(jobs))
    results = render_documents(
        program, jobs, templates, converter=converter, is_done=sink.is_done, window=window,
        first_window=first_window, links=links, on_rendered=on_rendered,
    )
    for handled, result in enumerate(results, start=1):
        if result.status is Status.SKIPPED:
            report.skipped += 1
        else:
            if result.status is Status.GENERATED:
                report.generated += 1
                if result.proof is not None:
                    report.proofread += 1
                    if not result.proof.ok:
                        report.findings.append((result.job.label, result.proof.summary()))
            else:
                report.failures.append((result.job.label, result.reason))
            sink.record(result)
        if on_progress:
            on_progress(handled, len(jobs))
    report.archive = sink.finish(jobs, report)
    return report


# --- progress and the time left (the service's batch view) ----------------------------------------------

RENDER_SHARE = 0.2  # of a document's time with PDF, the share of its .docx (the rest: conversion and proof)


def progress_fraction(total: int, *, rendered: int, converted: int, done: int, with_pdf: bool) -> float:
    """How far a batch is, 0–1: documents finished, and — with PDF — each .docx made counts a fifth of a
    document and each PDF made the rest, so the fraction moves per document while a window converts."""
    if total <= 0:
        return 0.0
    if not with_pdf:
        return min(1.0, max(done, rendered) / total)
    units = RENDER_SHARE * max(rendered, done) + (1 - RENDER_SHARE) * max(converted, done)
    return min(1.0, units / total)


def pace_known(*, with_pdf: bool, converted: int, done: int) -> bool:
    """Whether a batch's pace says anything yet: with PDF, only once a PDF is made. The .docx come in
    milliseconds and LibreOffice's first start stalls, so a time left from the .docx alone rose when the
    first PDFs arrived (14 s → 61 s seen on a busy machine); until then the screen says 估算中."""
    return not with_pdf or max(converted, done) > 0


def eta_seconds(elapsed_at_update: float, fraction_at_update: float, since_update: float) -> float | None:
    """Seconds left: the pace at the last progress update, counted down since then (never rising while
    nothing new is reported; it moves only when an update changes the pace). None before any progress."""
    if fraction_at_update <= 0 or elapsed_at_update <= 0:
        return None
    left = elapsed_at_update / fraction_at_update * (1 - fraction_at_update) - since_update
    return round(max(left, 0.0), 1)
