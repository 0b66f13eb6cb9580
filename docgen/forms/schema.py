"""Form schema types and their YAML loader (see docs/forms.md for the format)."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from enum import StrEnum
from functools import cache
from importlib import resources
from types import MappingProxyType
from typing import Any, TypeVar

import yaml

from docgen.errors import ProgramError


class ValueType(StrEnum):
    """How a value is normalised (docgen.values)."""

    TEXT = "text"
    NAME = "name"  # a person's name
    DATE = "date"  # a date, a range, or a date-ish phrase (4月中旬) kept as text with a flag
    PHONE = "phone"  # mobile or landline, several allowed
    COUNT = "count"  # 120人次, 约300人次, 5人
    MONEY_GOODS = "money_goods"  # 资金2万元, 图书500册
    SCHOOL = "school"
    INTEGER = "integer"  # 序号


class FormPer(StrEnum):
    """How many copies of a blank form a pair group gets."""

    PAIR = "pair"  # one per group
    SCHOOL = "school"  # one per school of the group (the 回执)
    # One per supporting school: a 2:1 group's two schools each file their own 备案表 and 统计表. A group with
    # one supporting school gets one form under the group's label, as PAIR does.
    SUPPORTING_SCHOOL = "supporting_school"


class PageOrientation(StrEnum):
    PORTRAIT = "portrait"
    LANDSCAPE = "landscape"


@dataclass(frozen=True)
class _Labelled:
    """What fields and columns share: a key, the printed label and the labels schools write instead."""

    key: str
    label: str
    synonyms: tuple[str, ...] = ()
    type: ValueType = ValueType.TEXT
    required: bool = False
    printed: str = ""  # the label exactly as the notice prints it (职  务), when it differs from ``label``

    @property
    def labels(self) -> tuple[str, ...]:
        """The label and its synonyms, the label first."""
        return (self.label, *self.synonyms)

    @property
    def printed_label(self) -> str:
        """What the blank form prints: ``printed``, else ``label``."""
        return self.printed or self.label


@dataclass(frozen=True)
class FieldSpec(_Labelled):
    """A key–value field: a label cell (or ``label：value`` line) followed by its value."""

    prefill: str | None = None  # context path docgen fills in when it generates the blank form
    height: float | None = None  # mm: the row's least height in a key–value table; None: the layout's row_height


@dataclass(frozen=True)
class ColumnSpec(_Labelled):
    """A column of the form's table, found by its header label or a synonym; ``width`` is its share of the
    table's width (mm at the form's text width; scaled when the widths do not add up to it)."""

    width: float = 20.0


@dataclass(frozen=True)
class FieldGroup:
    """Rows of a key–value table: ``fields`` in order, under one vertically merged label (``label``, or the
    context value at ``label_from`` — the program's own word, 援藏活动情况) or, with neither, each field's
    label spanning both label columns."""

    fields: tuple[str, ...]
    label: str = ""
    label_from: str = ""


@dataclass(frozen=True)
class GridRow:
    """A row of a grid table (回执): its label and the fields under the grid's column headings."""

    label: str
    fields: tuple[str, ...]


@dataclass(frozen=True)
class FormLayout:
    """How the form's table is printed (``docgen/render/form_table.py`` builds it at render time, so every
    column and field is defined once, here). Sizes in pt, lengths in mm.

    One of three tables: the schema's ``table`` (a header row and one row per entry), ``groups`` (key–value
    rows, label cells on the left) or ``grid_rows`` × ``grid_columns`` (the 回执). ``above`` are fields the
    template prints above the table (单位, 填报时间), not in it. ``footer_from`` is a context path whose
    text fills a merged last row after ``footer_label`` (备注：…).
    """

    page: PageOrientation = PageOrientation.PORTRAIT
    size: float = 14.0
    row_height: float = 10.0
    header_height: float = 0.0
    above: tuple[str, ...] = ()
    groups: tuple[FieldGroup, ...] = ()
    label_widths: tuple[float, ...] = (40.0,)
    grid_columns: tuple[str, ...] = ()
    grid_rows: tuple[GridRow, ...] = ()
    footer_label: str = ""
    footer_from: str = ""
    footer_height: float = 9.0


@dataclass(frozen=True)
class TableSpec:
    """The repeating table of a form. ``blank_rows`` is how many empty rows the blank form prints;
    ``footer_labels`` start a merged footer row (备注：…) that is not a data row."""

    columns: tuple[ColumnSpec, ...]
    blank_rows: int = 10
    footer_labels: tuple[str, ...] = ()


@dataclass(frozen=True)
class FormSchema:
    """One form: its title (and the titles schools retype it as), fields and table."""

    kind: str
    title: str
    version: int
    title_synonyms: tuple[str, ...] = ()
    fields: tuple[FieldSpec, ...] = ()
    table: TableSpec | None = None
    per: FormPer = FormPer.PAIR
    source: str = ""  # the notice it comes from
    title_words: tuple[str, ...] = ()  # words of the title a line break must not split (GB/T 9704 回行)
    layout: FormLayout = field(default_factory=FormLayout)

    @property
    def titles(self) -> tuple[str, ...]:
        return (self.title, *self.title_synonyms)

    @property
    def per_school(self) -> bool:
        """One blank form per school of the group (the 回执)."""
        return self.per is FormPer.SCHOOL

    def field_spec(self, key: str) -> FieldSpec:
        """The field ``key``; KeyError naming the form otherwise."""
        for f in self.fields:
            if f.key == key:
                return f
        raise KeyError(f"{self.kind}: no field {key!r}")


def _texts(value: Any) -> tuple[str, ...]:
    if value is None:
        return ()
    if isinstance(value, str):
        return (value,)
    return tuple(str(v) for v in value)


def _type(raw: Any, where: str, source: str) -> ValueType:
    try:
        return ValueType(raw or "text")
    except ValueError:
        known = [t.value for t in ValueType]
        raise ProgramError(f"未知的值类型 {raw!r}，可选 {known}", source=source, key=where) from None


def _number(raw: Any, default: float, where: str, source: str) -> float:
    if raw is None:
        return default
    if isinstance(raw, bool) or not isinstance(raw, int | float) or raw <= 0:
        raise ProgramError(f"应为正数，实际为 {raw!r}", source=source, key=where)
    return float(raw)


_E = TypeVar("_E", bound=StrEnum)


def _enum(cls: type[_E], raw: Any, default: _E, where: str, source: str) -> _E:
    if raw is None:
        return default
    try:
        return cls(raw)
    except ValueError:
        raise ProgramError(f"应为 {[e.value for e in cls]} 之一，实际为 {raw!r}", source=source, key=where) from None


def _layout(data: Mapping[str, Any], fields: tuple[FieldSpec, ...], source: str) -> FormLayout:
    """The ``layout:`` block; every field it names must be one of the schema's fields."""
    known = {f.key for f in fields}

    def keys(raw: Any, where: str) -> tuple[str, ...]:
        out = _texts(raw)
        missing = [k for k in out if k not in known]
        if missing:
            raise ProgramError(f"没有这些字段：{missing}", source=source, key=where)
        return out

    groups = tuple(
        FieldGroup(keys(g.get("fields"), f"layout.groups[{i}].fields"), str(g.get("label", "")),
                   str(g.get("label_from", "")))
        for i, g in enumerate(data.get("groups") or [])
    )
    grid_rows = tuple(
        GridRow(str(g["label"]), keys(g.get("fields"), f"layout.grid_rows[{i}].fields"))
        for i, g in enumerate(data.get("grid_rows") or [])
    )
    grid_columns = _texts(data.get("grid_columns"))
    if any(len(r.fields) != len(grid_columns) for r in grid_rows):
        raise ProgramError("每行字段数应与 grid_columns 相同", source=source, key="layout.grid_rows")
    return FormLayout(
        page=_enum(PageOrientation, data.get("page"), PageOrientation.PORTRAIT, "layout.page", source),
        size=_number(data.get("size"), 14.0, "layout.size", source),
        row_height=_number(data.get("row_height"), 10.0, "layout.row_height", source),
        header_height=float(data.get("header_height") or 0.0),
        above=keys(data.get("above"), "layout.above"),
        groups=groups,
        label_widths=tuple(
            _number(w, 40.0, "layout.label_widths", source) for w in (data.get("label_widths") or [40.0])
        ),
        grid_columns=grid_columns,
        grid_rows=grid_rows,
        footer_label=str(data.get("footer_label", "")),
        footer_from=str(data.get("footer_from", "")),
        footer_height=_number(data.get("footer_height"), 9.0, "layout.footer_height", source),
    )


def parse_schema(data: Mapping[str, Any], *, source: str) -> FormSchema:
    """A :class:`FormSchema` from decoded YAML; errors name the file and key."""
    try:
        fields = tuple(
            FieldSpec(
                key=str(f["key"]),
                label=str(f["label"]),
                synonyms=_texts(f.get("synonyms")),
                type=_type(f.get("type"), f"fields[{i}].type", source),
                required=bool(f.get("required", False)),
                printed=str(f.get("printed", "")),
                prefill=f.get("prefill"),
                height=_number(f.get("height"), 0.0, f"fields[{i}].height", source) or None,
            )
            for i, f in enumerate(data.get("fields") or [])
        )
        table = None
        if data.get("table"):
            t = data["table"]
            table = TableSpec(
                columns=tuple(
                    ColumnSpec(
                        key=str(c["key"]),
                        label=str(c["label"]),
                        synonyms=_texts(c.get("synonyms")),
                        type=_type(c.get("type"), f"table.columns[{i}].type", source),
                        required=bool(c.get("required", False)),
                        printed=str(c.get("printed", "")),
                        width=_number(c.get("width"), 20.0, f"table.columns[{i}].width", source),
                    )
                    for i, c in enumerate(t["columns"])
                ),
                blank_rows=int(t.get("blank_rows", 10)),
                footer_labels=_texts(t.get("footer_labels")),
            )
        legacy = FormPer.SCHOOL if data.get("per_school") else FormPer.PAIR  # per_school: true (version 1 files)
        return FormSchema(
            kind=str(data["kind"]),
            title=str(data["title"]),
            version=int(data.get("version", 1)),
            title_synonyms=_texts(data.get("title_synonyms")),
            fields=fields,
            table=table,
            per=_enum(FormPer, data.get("per"), legacy, "per", source),
            source=str(data.get("source", "")),
            title_words=_texts(data.get("title_words")),
            layout=_layout(data.get("layout") or {}, fields, source),
        )
    except KeyError as exc:
        raise ProgramError(f"缺少必填项 {exc.args[0]}", source=source) from None


@cache
def load_schemas() -> Mapping[str, FormSchema]:
    """The bundled form schemas by kind (``docgen/forms/*.yaml``), parsed once.

    Read-only (a :class:`types.MappingProxyType` of frozen schemas): every caller shares it, so none can
    change what the others see. Copy it (``dict(load_schemas())``) to build another set.
    """
    out: dict[str, FormSchema] = {}
    for entry in sorted(resources.files(__package__).iterdir(), key=lambda e: e.name):
        if entry.name.endswith(".yaml"):
            schema = parse_schema(yaml.safe_load(entry.read_text("utf-8")), source=entry.name)
            out[schema.kind] = schema
    return MappingProxyType(out)
