"""Blank forms per pair: what a form template sees, the form's identity and its QR code.

A blank form is generated like an agreement (one compiled template, rendered per pair), but it also carries
its identity — ``DG1:<program>:<pair>:<form>:<version>`` — three times: as a QR code (the package part
``word/media/qr.png``, replaced per document), as the printed line ``表单识别码：…`` in the page header, and
as the docx custom property ``docgen-identity``. A copy that comes back is routed by whichever survives.

Pure functions except :func:`qr_png` (which only computes bytes). Templates: package data
``docgen/templates/forms/<kind>.docx``, built by ``tools/build_templates.py``; the variables are documented
in ``docs/forms.md``.
"""

from __future__ import annotations

import io
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import qrcode
from qrcode.constants import ERROR_CORRECT_M

from docgen.chinese import format_date, join_names
from docgen.context import school_context
from docgen.extraction import FormIdentity
from docgen.forms.schema import FormSchema
from docgen.model import PairGroup, Program, School

QR_PART = "word/media/qr.png"  # the package part every form template holds its QR placeholder in
IDENTITY_PROPERTY = "docgen-identity"  # the docx custom property holding the code
KIND_PREFIX = "form:"  # batch kind keys of forms, so they never collide with agreement keys

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
    def per_school(self) -> bool:
        return self.schema.per_school


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


def heading(program: Program, schema: FormSchema) -> str:
    """The printed title: program name + form title, without repeating words the program name already has
    (``彭州·黑水“校校结对”`` + ``教育交流活动情况统计表``; ``…结对帮扶（普通高中）`` + ``结对帮扶安排表`` →
    ``…结对帮扶（普通高中）安排表``)."""
    title = schema.title
    for n in range(len(title) - 1, 1, -1):
        if title[:n] in program.name:
            title = title[n:]
            break
    return f"{program.name}{title}"


def _party(schools: tuple[School, ...]) -> dict[str, Any]:
    return {
        "schools": [school_context(s) for s in schools],
        "names": join_names(s.name for s in schools),
        "contacts": join_names(_contact(s) for s in schools if _contact(s)),
    }


def _contact(school: School) -> str:
    return f"{school.contact} {school.phone}".strip()


def _lookup(context: Mapping[str, Any], path: str) -> str:
    """The value at dotted ``path`` of ``context`` as text ('' when any step is missing)."""
    value: Any = context
    for step in path.split("."):
        if not isinstance(value, Mapping) or step not in value:
            return ""
        value = value[step]
    return "" if value is None else str(value)


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
    program: Program, group: PairGroup, schema: FormSchema, school: School | None = None
) -> dict[str, Any]:
    """Everything a blank form template may print for ``group`` (and ``school`` for per-school forms).

    ``fields.<key>`` holds each field's pre-filled value (the schema's ``prefill`` path resolved in this
    context, '' when the field has none); ``table.rows`` the table's rows (school pairs for the well-known
    columns ``supporting``/``supported``/…, then blank rows up to ``blank_rows``). Pure; no I/O.
    """
    identity = identity_for(program, group, schema, school)
    stage = group.effective_stage or program.default_stage
    context: dict[str, Any] = {
        "title": heading(program, schema),
        "form": {
            "kind": schema.kind,
            "title": schema.title,
            "version": schema.version,
            "per_school": schema.per_school,
            "source": schema.source,
        },
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
        "school": school_context(school) if school is not None else {},
        "identity": identity.to_json(),
        "table": _table(group, schema),
    }
    context["fields"] = {f.key: _lookup(context, f.prefill) if f.prefill else "" for f in schema.fields}
    return context


def filled_context(
    context: Mapping[str, Any],
    schema: FormSchema,
    fields: Mapping[str, str],
    rows: Sequence[Mapping[str, str]],
) -> dict[str, Any]:
    """A blank form's context (:func:`form_context`) filled with the values of a returned copy: each
    non-empty value of ``fields`` replaces the pre-filled one; ``rows`` replace the table's rows, padded with
    blank rows up to the schema's ``blank_rows`` (forms without a table ignore them). Pure."""
    out = dict(context)
    out["fields"] = {**context["fields"], **{k: v for k, v in fields.items() if v}}
    if schema.table is not None:
        blank = dict.fromkeys((c.key for c in schema.table.columns), "")
        padding = [dict(blank) for _ in range(max(0, schema.table.blank_rows - len(rows)))]
        out["table"] = {**(context["table"] or {}), "rows": [dict(r) for r in rows] + padding}
    return out


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
