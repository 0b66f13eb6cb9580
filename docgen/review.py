"""Review: the status rule, and a person correcting one value of an extraction.

    status_of(extraction, threshold)                      # THE rule, interpret uses it too
    correct(extraction, "tables/0/rows/1/3", "2019年4月中旬", schema=schema, context_year=2019)

Pure functions over :class:`~docgen.extraction.Extraction`; no I/O. The service keeps who and when.

A value is named by a path into the extraction's JSON:

* ``fields/<key>`` — a field by its schema key (``fields/filled_on``); its printed label or a synonym
  (``fields/填报时间``) is accepted too;
* ``tables/<t>/rows/<r>/<c>`` — a table cell, all 0-based.

A corrected value is normalised as the schema's value type for that field or column, with the program's
year completing year-less dates. When it validates it is *certain* (confidence 1: a person read the
original and typed it) — ``2019年4月中旬`` is what the school wrote and stays a partial date, but it is
no longer a doubt. When it does not validate (``123`` as a phone, ``2019.2.30``, a required value left
empty) it stays flagged, and a :class:`~docgen.extraction.Problem` says why in Chinese.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from dataclasses import dataclass, replace

from docgen.errors import BadPath, NoSuchValue
from docgen.extraction import Extraction, FormStatus, Problem, Provenance, Table, Value
from docgen.forms.schema import ColumnSpec, FieldSpec, FormSchema, ValueType
from docgen.values import FLAG_TEXT, SURE, Normal, default_unit_for, is_blank, normalize

CORRECTED = "corrected"
"""The flag of a value a person typed."""

INVALID_FLAGS = frozenset({
    "invalid_date", "invalid_range", "year_missing", "implausible_year", "invalid_phone", "invalid_count",
    "invalid_money", "invalid_integer",
})
"""Flags that mean a text is not a value of its type. Other flags (an indeterminate date such as 4月中旬, an
approximate count, a summed count) describe what was written: from a person they are not doubts."""


# ---------------------------------------------------------------------------------------------- status


def values_of(extraction: Extraction) -> Iterator[Value]:
    """Every value of ``extraction``: its fields, then every table cell."""
    yield from extraction.fields.values()
    for table in extraction.tables:
        for row in table.rows:
            yield from row


def status_of(extraction: Extraction, threshold: float = SURE) -> FormStatus:
    """The review status: UNREADABLE stays when nothing was read (no field, no table); NEEDS_REVIEW when any
    problem remains or any value is less sure than ``threshold``; else COMPLETE."""
    if extraction.status is FormStatus.UNREADABLE and not extraction.fields and not extraction.tables:
        return FormStatus.UNREADABLE
    if extraction.problems or any(v.confidence < threshold for v in values_of(extraction)):
        return FormStatus.NEEDS_REVIEW
    return FormStatus.COMPLETE


# ------------------------------------------------------------------------------------ problem wording


def where_text(label: str, row: int | None) -> str:
    """``第3行「活动时间」`` for a table cell, ``「填报单位」`` for a field."""
    return f"第{row}行「{label}」" if row is not None else f"「{label}」"


def reasons_text(flags: Sequence[str]) -> str:
    """The flags in a reviewer's words (``电话号码无效；识别置信度低``); ``置信度低`` when none says more."""
    words = [FLAG_TEXT.get(f, f) for f in flags if f not in ("approximate", CORRECTED)]
    return "；".join(words) if words else "置信度低"


def invalid_reason(kind: ValueType, normal: Normal, text: str, *, required: bool = False) -> str | None:
    """Why ``text`` (normalised to ``normal`` as ``kind``) is not a valid value, in Chinese; None when it is.

    Empty is valid unless ``required``. A date must at least tell its year (``4月中旬`` without a program
    year is not enough to file)."""
    if is_blank(text):
        return "必填项未填写" if required else None
    bad = [f for f in normal.flags if f in INVALID_FLAGS]
    if bad:
        return reasons_text(bad)
    if normal.normalized is None:
        return f"无法识别为{_TYPE_WORDS.get(kind, '有效的值')}"
    if kind is ValueType.DATE and isinstance(normal.normalized, dict) and "year" not in normal.normalized \
            and "start" not in normal.normalized:
        return FLAG_TEXT["year_missing"]
    return None


_TYPE_WORDS = {
    ValueType.DATE: "日期", ValueType.PHONE: "电话号码", ValueType.COUNT: "人数/人次",
    ValueType.MONEY_GOODS: "资金、物品", ValueType.INTEGER: "序号",
}


# --------------------------------------------------------------------------------------------- paths


@dataclass(frozen=True)
class _Target:
    """The value a path names: a field (``row`` None) or a cell, with what the schema says about it."""

    key: str | None  # schema key (None: a column no schema knows)
    label: str
    kind: ValueType
    required: bool
    table: int | None = None
    row: int | None = None  # 0-based row index for a cell
    column: int | None = None
    old: Value | None = None


def _parts(path: str) -> tuple[str, ...]:
    parts = tuple(p for p in (path.split("/") if "/" in path else path.split(".")) if p != "")
    if len(parts) == 2 and parts[0] == "fields":
        return parts
    if len(parts) == 5 and parts[0] == "tables" and parts[2] == "rows" and all(
        p.isdigit() for p in (parts[1], parts[3], parts[4])
    ):
        return parts
    raise BadPath(f"路径 {path!r} 无效：应为 fields/<键或标签> 或 tables/<表>/rows/<行>/<列>（从 0 开始）")


def canonical_path(path: str) -> str:
    """``path`` with ``/`` separators (``fields.填报单位`` → ``fields/填报单位``); :class:`BadPath` when malformed."""
    return "/".join(_parts(path))


def _field_spec(schema: FormSchema | None, name: str) -> FieldSpec | None:
    if schema is None:
        return None
    return next((f for f in schema.fields if f.key == name), None) or next(
        (f for f in schema.fields if name in f.labels), None
    )


def _column_spec(schema: FormSchema | None, table: Table, c: int) -> ColumnSpec | None:
    if schema is None or schema.table is None:
        return None
    if table.keys:
        key = table.keys[c] if c < len(table.keys) else None
        return next((s for s in schema.table.columns if s.key == key), None)
    label = table.columns[c]
    return next((s for s in schema.table.columns if label in s.labels or label == s.key), None)


def _target(extraction: Extraction, path: str, schema: FormSchema | None) -> _Target:
    parts = _parts(path)
    if parts[0] == "fields":
        name = parts[1]
        spec = _field_spec(schema, name)
        if spec is not None:
            return _Target(spec.key, spec.label, spec.type, spec.required, old=extraction.fields.get(spec.key))
        key = name if name in extraction.fields else next(
            (k for k in extraction.fields if extraction.label(k) == name), None
        )
        if key is None:
            raise NoSuchValue(f"没有字段“{name}”")
        old = extraction.fields[key]
        return _Target(key, extraction.label(key), old.type or ValueType.TEXT, False, old=old)
    t, r, c = int(parts[1]), int(parts[3]), int(parts[4])
    if t >= len(extraction.tables):
        raise NoSuchValue(f"没有第 {t + 1} 个表格")
    table = extraction.tables[t]
    if r >= len(table.rows) or c >= len(table.columns) or c >= len(table.rows[r]):
        raise NoSuchValue(f"表格 {t + 1} 没有第 {r + 1} 行第 {c + 1} 列")
    old = table.rows[r][c]
    column = _column_spec(schema, table, c)
    if column is not None:
        return _Target(column.key, column.label, column.type, column.required, t, r, c, old)
    return _Target(None, table.columns[c], old.type or ValueType.TEXT, False, t, r, c, old)


def value_at(extraction: Extraction, path: str, *, schema: FormSchema | None) -> Value | None:
    """The value ``path`` names (None for a schema field the form left out); raises like :func:`correct`."""
    return _target(extraction, path, schema).old


# ------------------------------------------------------------------------------------------- correct


def correct(
    extraction: Extraction,
    field_path: str,
    text: str,
    *,
    schema: FormSchema | None,
    context_year: int | None,
    threshold: float = SURE,
) -> Extraction:
    """``extraction`` with the value at ``field_path`` set from what a person typed, and its status again.

    ``schema`` is the extraction's form schema (None for an unrecognised form: the value keeps the type it
    was read as); ``context_year`` completes year-less dates (the program's year). The new value is flagged
    ``corrected``; when it validates (:func:`invalid_reason`) its confidence is 1, else it keeps the
    normaliser's doubt and a problem names the field, the text and why. Problems about that value from
    before are dropped. Raises :class:`~docgen.errors.BadPath` or :class:`~docgen.errors.NoSuchValue`.
    """
    target = _target(extraction, field_path, schema)
    text = text.strip()
    normal = normalize(target.kind, text, context_year=context_year, default_unit=default_unit_for(target.label))
    reason = invalid_reason(target.kind, normal, text, required=target.required)
    confidence = 1.0 if reason is None else (0.0 if is_blank(text) else normal.factor)
    where = target.old.where if target.old is not None else Provenance()  # a field the form left out
    value = Value(text, normal.normalized, confidence, where, (*normal.flags, CORRECTED), target.kind)

    row_no = target.row + 1 if target.row is not None else None
    fields, tables, labels = dict(extraction.fields), list(extraction.tables), dict(extraction.labels)
    if target.table is None:
        assert target.key is not None
        fields[target.key] = value
        if target.label != target.key:
            labels[target.key] = target.label
    else:
        assert target.row is not None and target.column is not None
        table = tables[target.table]
        rows = [list(r) for r in table.rows]
        rows[target.row][target.column] = value
        tables[target.table] = replace(table, rows=tuple(tuple(r) for r in rows))
    names = _names(schema, target)
    problems = [p for p in extraction.problems if not (p.row == row_no and is_about(p, target.key, names))]
    if reason is not None:
        shown = f"（“{text}”，修改后仍无效）" if text else "（修改后仍为空）"
        problems.append(Problem(f"{where_text(target.label, row_no)}：{reason}{shown}", target.label, row_no,
                                target.key))
    out = replace(extraction, fields=fields, tables=tuple(tables), problems=tuple(problems), labels=labels)
    return replace(out, status=status_of(out, threshold))


def _names(schema: FormSchema | None, target: _Target) -> set[str]:
    """Every label a problem about ``target`` may name (for problems recorded before problems had keys)."""
    names = {target.label}
    specs: list[FieldSpec | ColumnSpec] = []
    if schema is not None:
        specs = [*schema.fields] if target.table is None else [*(schema.table.columns if schema.table else ())]
    for spec in specs:
        if spec.key == target.key:
            names |= {spec.key, *spec.labels}
    return names


def is_about(problem: Problem, key: str | None, names: set[str]) -> bool:
    """Does ``problem`` name the value keyed ``key`` (a schema key; None for a column no schema knows) whose
    label is one of ``names``? By key where both have one, else by the printed label. The row is the caller's."""
    if problem.key is not None and key is not None:
        return problem.key == key
    return problem.field in names


# ---------------------------------------------------------------------------- records from before keys


def with_schema_keys(extraction: Extraction, schema: FormSchema | None) -> Extraction:
    """``extraction`` with fields keyed by the schema's keys and table columns and problems given their keys,
    for extractions stored before fields were keyed (fields by printed label). Keyed ones come back equal."""
    if schema is None:
        return extraction
    fields: dict[str, Value] = {}
    labels = dict(extraction.labels)
    for name, value in extraction.fields.items():
        spec = _field_spec(schema, name)
        key = spec.key if spec is not None else name
        if spec is not None and key != name:
            labels[key] = name
        fields.setdefault(key, value)
    tables = []
    columns = schema.table.columns if schema.table else ()
    for table in extraction.tables:
        if not table.keys and columns:
            specs = [next((s for s in columns if label in s.labels), None) for label in table.columns]
            if all(s is not None for s in specs):
                table = replace(table, keys=tuple(s.key for s in specs if s is not None))
        tables.append(table)
    problems = []
    for p in extraction.problems:
        if p.key is None and p.field:
            spec_f = _field_spec(schema, p.field) if p.row is None else None
            spec_c = next((s for s in columns if p.field in s.labels), None) if p.row is not None else None
            found = spec_f or spec_c
            p = replace(p, key=found.key) if found is not None else p
        problems.append(p)
    return replace(extraction, fields=fields, tables=tuple(tables), problems=tuple(problems), labels=labels)



# ------------------------------------------------------------------------------------ another program's form

FOREIGN_KEY = "identity.program"  # the Problem.key of a form whose identity names another program


def foreign_form(extraction: Extraction, claimed_program: str, threshold: float = SURE) -> Extraction:
    """``extraction`` of a form whose identity code was printed for another program (``claimed_program``): it
    counts for no pair of this one, so it carries a problem saying so and is never 完整 (:func:`status_of`)."""
    problem = Problem(
        f"表单识别码属于另一个项目（代号 {claimed_program}）：此表未计入本项目。"
        "请到该项目上传；如确属本项目，请由管理员手工归入结对",
        key=FOREIGN_KEY,
    )
    if any(p.key == FOREIGN_KEY for p in extraction.problems):
        return extraction
    out = replace(extraction, problems=(problem, *extraction.problems))
    return replace(out, status=status_of(out, threshold))
