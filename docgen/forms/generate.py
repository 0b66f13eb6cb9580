"""Blank forms per pair: what a form template sees, the form's identity and its QR code.

A blank form is generated like an agreement (one compiled template, rendered per pair), but it also carries
its identity — ``DG1:<program>:<pair>:<form>:<version>`` — three times: as a QR code (the package part
``word/media/qr.png``, replaced per document), as the printed line ``表单识别码：…`` in the page header, and
as the docx custom property ``docgen-identity``. A copy that comes back is routed by whichever survives.

The template (``docgen/templates/forms/<kind>.docx``) is a Word file a clerk edits: title, the lines above
the table and the notes. The table itself is built from the form's schema at render time
(:func:`render_form`, ``docgen/render/form_table.py``), so each column is defined once. The instructions
(where to file, by when) come from the program (:func:`instructions`). Variables: ``docs/forms.md``.

Pure functions except :func:`qr_png` (which only computes bytes).
"""

from __future__ import annotations

import io
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import qrcode
from markupsafe import Markup
from qrcode.constants import ERROR_CORRECT_M

from docgen.chinese import cn_count, format_date, join_names
from docgen.context import school_context
from docgen.extraction import FormIdentity
from docgen.forms.schema import FormPer, FormSchema, PageOrientation
from docgen.model import PairGroup, Program, School
from docgen.render.docx import CompiledTemplate
from docgen.render.form_table import form_table, lookup
from docgen.titles import own_stages_only, title_lines

QR_PART = "word/media/qr.png"  # the package part every form template holds its QR placeholder in
IDENTITY_PROPERTY = "docgen-identity"  # the docx custom property holding the code
KIND_PREFIX = "form:"  # batch kind keys of forms, so they never collide with agreement keys
# Printed above the identity code when the QR code is a phone upload link (docgen.upload_links).
UPLOAD_HINT = "手机扫码上传（扫右侧二维码）"

# Well-known table column keys that are pre-filled with the group's school pairs (one row per 1:1 pair).
_PAIR_COLUMNS = ("supporting", "supporting_contact", "supported", "supported_contact")


@dataclass(frozen=True)
class FormKind:
    """A blank form as a kind of document of the batch: its schema, and the template it is printed from."""

    schema: FormSchema

    @property
    def key(self) -> str:
        """``form:filing`` — the key of the form's template and jobs in a batch."""
        return f"{KIND_PREFIX}{self.schema.kind}"

    @property
    def title(self) -> str:
        return self.schema.title

    @property
    def template(self) -> str:
        """The built-in template's name (``forms/filing``): blank forms never come from an uploaded template."""
        return f"forms/{self.schema.kind}.docx"

    @property
    def per(self) -> FormPer:
        return self.schema.per

    def schools(self, group: PairGroup) -> tuple[School | None, ...]:
        """Whom ``group``'s copies are for: None for the group itself (one form), else one school each — every
        school for the 回执, each supporting school for the 备案表 and 统计表 of a group with several."""
        if self.per is FormPer.SCHOOL:
            return group.schools
        if self.per is FormPer.SUPPORTING_SCHOOL and len(group.supporting) > 1:
            return group.supporting
        return (None,)


def school_index(group: PairGroup, school: School) -> int:
    """1-based position of ``school`` in the group (supporting schools first); ValueError when absent."""
    for i, s in enumerate(group.schools, start=1):
        if s == school:
            return i
    raise ValueError(f"{school.name} is not a school of pair {group.label}")


def identity_for(program: Program, group: PairGroup, schema: FormSchema, school: School | None = None) -> FormIdentity:
    """The identity of ``schema``'s blank form for ``group``; per-school forms get the pair label plus the
    school's position in the group (``03.2`` = the second school of pair 03)."""
    pair = group.label if school is None else f"{group.label}.{school_index(group, school)}"
    return FormIdentity(program.key, pair, schema.kind, schema.version)


# Characters of 2号 (22 pt) title a line holds, with one to spare: 156 mm holds 20.1 in theory, and a title that
# fills the line to the last character is where LibreOffice breaks on its own (a quote mark set wider).
TITLE_CHARS = {PageOrientation.PORTRAIT: 19, PageOrientation.LANDSCAPE: 30}


def heading(program: Program, schema: FormSchema) -> str:
    """The printed title: the program's form heading (``forms_heading``, else its name, with stage words of
    other stages dropped) + form title, without repeating words the heading already has
    (``彭州·黑水“校校结对”`` + ``教育交流活动情况统计表``; ``柳州市普通高中结对帮扶`` + ``结对帮扶安排表`` →
    ``柳州市普通高中结对帮扶安排表``)."""
    stages = (program.default_stage,) if program.default_stage is not None else ()
    name = program.forms_heading or own_stages_only(program.name, stages)
    title = schema.title
    for n in range(len(title) - 1, 1, -1):
        if title[:n] in name:
            title = title[n:]
            break
    return f"{name}{title}"


def heading_lines(program: Program, schema: FormSchema) -> tuple[str, ...]:
    """:func:`heading` as printed lines, broken between words (:func:`docgen.titles.title_lines`)."""
    return title_lines(heading(program, schema), schema.title_words, TITLE_CHARS[schema.layout.page])


def _offices(offices: tuple[str, ...]) -> str:
    """``人事科和党委办``; three or more: ``A、B和C``."""
    if len(offices) <= 1:
        return "".join(offices)
    return f"{'、'.join(offices[:-1])}和{offices[-1]}"


def _report_after(program: Program, materials: str) -> str:
    """活动结束后，一周内上报<materials>和活动情况统计表至党委办和人事科，并将电子邮件发送至…共享。"""
    r = program.reporting
    to = f"至{_offices(r.report_offices)}" if r.report_offices else ""
    sentence = f"活动结束后，{r.report_within}上报{materials}和活动情况统计表{to}"
    if r.email_group:
        sentence += f"，并将电子邮件发送至{r.email_group}共享"
    elif r.email:
        sentence += f"，同时将电子版发送至{r.email}"
    return sentence + "。"


def instructions(program: Program, schema: FormSchema) -> dict[str, str]:
    """What a form's notes say, from the program (its ``reporting`` and the task that returns this form).

    ``activity`` (援藏支教), ``activity_label`` (援藏活动情况), ``filing`` (the 备案 sentence: 一式两份, to
    whom), ``report_after`` (the 统计表's 备注), ``staff`` (彭州干部教师), ``deadline`` (于2019年3月20日前报
    人事科) with ``due``/``recipient``/``email``. Missing data prints nothing: never another program's office.
    """
    r = program.reporting
    activity = r.activity or "结对交流"
    filing = f"履行{activity}活动备案手续"
    if r.filing_offices:
        filing += (
            f"，此表一式{cn_count(len(r.filing_offices))}份，活动前将此表和活动方案"
            f"{'分别' if len(r.filing_offices) > 1 else ''}交{_offices(r.filing_offices)}备案"
        )
    filing += "。" + _report_after(program, "活动简报")
    task = program.task_for_form(schema.kind)
    due = task.due if task is not None else None
    recipient = task.recipient if task is not None else ""
    deadline = ""
    if due is not None:
        deadline = f"于{format_date(due)}前报{recipient or '送'}"
    elif recipient:
        deadline = f"报{recipient}"
    if deadline and r.email:
        deadline += f"，同时将电子版发送至{r.email}"
    return {
        "activity": activity,
        "activity_label": r.activity_label or f"{activity}活动情况",
        "filing": filing,
        "report_after": _report_after(program, "活动材料"),
        "staff": r.staff or "干部教师",
        "deadline": deadline,
        "due": format_date(due) if due is not None else "",
        "recipient": recipient,
        "email": r.email,
        "email_group": r.email_group,
    }


def printed_texts(program: Program, schemas: Mapping[str, FormSchema]) -> dict[str, tuple[str, ...]]:
    """Per form kind, the sentences the program's blank form prints besides its labels — the notes
    (:func:`instructions`: filing, deadline, the report-after sentence) and the table's footer (``备注：…``,
    ``layout.footer_from``). A returned form carries them too: :func:`docgen.interpret.interpret` takes them
    away (:func:`docgen.printed.unprinted`) so that printed text is never read as a value."""
    out: dict[str, tuple[str, ...]] = {}
    for kind, schema in schemas.items():
        notes = instructions(program, schema)
        texts = {notes[k] for k in ("filing", "report_after", "deadline")}
        if schema.layout.footer_from:
            texts.add(lookup({"instructions": notes}, schema.layout.footer_from))
        out[kind] = tuple(sorted(t for t in texts if t))
    return out


def _party(schools: tuple[School, ...]) -> dict[str, Any]:
    return {
        "schools": [school_context(s) for s in schools],
        "names": join_names(s.name for s in schools),
        "contacts": join_names(_contact(s) for s in schools if _contact(s)),
    }


def _contact(school: School) -> str:
    return f"{school.contact} {school.phone}".strip()


def _table(group: PairGroup, schema: FormSchema) -> dict[str, Any] | None:
    if schema.table is None:
        return None
    keys = [c.key for c in schema.table.columns]
    rows: list[dict[str, str]] = []
    if any(k in _PAIR_COLUMNS for k in keys):
        for unit in group.split():
            a, b = unit.supporting[0], unit.supported[0]
            known = {
                "supporting": a.name,
                "supporting_contact": _contact(a),
                "supported": b.name,
                "supported_contact": _contact(b),
            }
            rows.append({k: known.get(k, "") for k in keys})
    rows += [dict.fromkeys(keys, "") for _ in range(max(0, schema.table.blank_rows - len(rows)))]
    return {"columns": [{"key": c.key, "label": c.label} for c in schema.table.columns], "rows": rows}


def form_context(
    program: Program, group: PairGroup, schema: FormSchema, school: School | None = None, *, upload_url: str = ""
) -> dict[str, Any]:
    """Everything a blank form template may print for ``group`` (and ``school`` for per-school forms).

    ``fields.<key>`` holds each field's pre-filled value (the schema's ``prefill`` path resolved in this
    context, '' when the field has none); ``table.rows`` the table's rows (school pairs for the well-known
    columns ``supporting``/``supported``/…, then blank rows up to ``blank_rows``); ``instructions`` what the
    notes say, from the program (:func:`instructions`); ``title`` the title's lines (:func:`heading_lines`)
    joined by a line break. The table itself is built at render time (:func:`render_form`). Pure; no I/O.

    ``upload_url``: the slot's phone upload link (:mod:`docgen.upload_links`), '' for none. With one, the QR
    code holds the link (which still carries the identity code) and ``upload.hint`` prints above the code.
    """
    identity = identity_for(program, group, schema, school)
    stage = group.effective_stage or program.default_stage
    # The school a form is for: its own (回执, a 2:1 group's 备案表), or a 1:1 group's one supporting school.
    unit = school
    if unit is None and schema.per is FormPer.SUPPORTING_SCHOOL and len(group.supporting) == 1:
        unit = group.supporting[0]
    context: dict[str, Any] = {
        # lines joined by a line break: the renderer prints them as the title's lines (titles.title_lines)
        "title": "\n".join(heading_lines(program, schema)),
        "form": {
            "kind": schema.kind,
            "title": schema.title,
            "version": schema.version,
            "per_school": schema.per_school,
            "per": schema.per.value,
            "source": schema.source,
        },
        "instructions": instructions(program, schema),
        "program": {
            "key": program.key,
            "name": program.name,
            "document_number": program.document_number,
            "issued_on": format_date(program.issued_on),
        },
        "pair": {
            "number": group.number,
            "label": group.label,
            "level": group.level.value if group.level else "",
            "stage": stage.value if stage else "",
            "summary": f"{join_names(s.name for s in group.supporting)}与"
            f"{join_names(s.name for s in group.supported)}结对",
        },
        "party_a": _party(group.supporting),
        "party_b": _party(group.supported),
        "school": school_context(unit) if unit is not None else {},
        "identity": identity.to_json(),
        "upload": {"url": upload_url, "hint": UPLOAD_HINT if upload_url else ""},
        "table": _table(group, schema),
    }
    context["fields"] = {f.key: lookup(context, f.prefill) if f.prefill else "" for f in schema.fields}
    context["filled"] = False
    return context


def filled_context(
    context: Mapping[str, Any],
    schema: FormSchema,
    fields: Mapping[str, str],
    rows: Sequence[Mapping[str, str]],
) -> dict[str, Any]:
    """A blank form's context (:func:`form_context`) filled with the values of a returned copy: each
    non-empty value of ``fields`` replaces the pre-filled one; ``rows`` replace the table's rows (forms
    without a table ignore them). A filled form is a finished document: no blank rows are added, and the
    template prints a date blank only where no date was read (``filled`` is true). Pure."""
    out = dict(context)
    out["fields"] = {**context["fields"], **{k: v for k, v in fields.items() if v}}
    out["filled"] = True
    if schema.table is not None:
        out["table"] = {**(context["table"] or {}), "rows": [dict(r) for r in rows]}
    return out


def render_form(template: CompiledTemplate, schema: FormSchema, context: Mapping[str, Any]) -> bytes:
    """One form's .docx: ``template`` rendered with ``context``, the schema's table built for it in place of
    ``{{p form_table }}`` (:func:`docgen.render.form_table.form_table`, values escaped there) and the form's
    own QR code: its phone upload link when it has one (``upload.url``), else its identity code."""
    table = Markup(form_table(schema, context))
    payload = (context.get("upload") or {}).get("url") or context["identity"]["code"]
    return template.render({**context, "form_table": table}, media=form_media(payload))


def qr_png(code: str) -> bytes:
    """The QR code of ``code`` as a PNG: error correction M, 10 px modules, 4-module quiet zone, 1-bit.

    Deterministic: the same code gives the same bytes (PIL writes no time stamp), so re-rendered forms keep
    their fingerprints and resumed batches stay byte-identical.
    """
    qr = qrcode.QRCode(error_correction=ERROR_CORRECT_M, box_size=10, border=4)
    qr.add_data(code)
    qr.make(fit=True)
    image = qr.make_image(fill_color="black", back_color="white")
    buffer = io.BytesIO()
    image.save(buffer, format="PNG")
    return buffer.getvalue()


def form_media(identity: FormIdentity | str) -> dict[str, bytes]:
    """The package parts to replace when rendering a form for ``identity`` (the QR image)."""
    code = identity if isinstance(identity, str) else identity.code
    return {QR_PART: qr_png(code)}
