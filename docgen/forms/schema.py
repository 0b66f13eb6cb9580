"""Form schema types and their YAML loader (see docs/forms.md for the format)."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from enum import StrEnum
from functools import cache
from importlib import resources
from types import MappingProxyType
from typing import Any

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


@dataclass(frozen=True)
class _Labelled:
    """What fields and columns share: a key, the printed label and the labels schools write instead."""

    key: str
    label: str
    synonyms: tuple[str, ...] = ()
    type: ValueType = ValueType.TEXT
    required: bool = False

    @property
    def labels(self) -> tuple[str, ...]:
        """The label and its synonyms, the label first."""
        return (self.label, *self.synonyms)


@dataclass(frozen=True)
class FieldSpec(_Labelled):
    """A key–value field: a label cell (or ``label：value`` line) followed by its value."""

    prefill: str | None = None  # context path docgen fills in when it generates the blank form


@dataclass(frozen=True)
class ColumnSpec(_Labelled):
    """A column of the form's table, found by its header label or a synonym."""


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
    per_school: bool = False  # 回执: one per school rather than one per pair
    source: str = ""  # the notice it comes from

    @property
    def titles(self) -> tuple[str, ...]:
        return (self.title, *self.title_synonyms)


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
                prefill=f.get("prefill"),
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
                    )
                    for i, c in enumerate(t["columns"])
                ),
                blank_rows=int(t.get("blank_rows", 10)),
                footer_labels=_texts(t.get("footer_labels")),
            )
        return FormSchema(
            kind=str(data["kind"]),
            title=str(data["title"]),
            version=int(data.get("version", 1)),
            title_synonyms=_texts(data.get("title_synonyms")),
            fields=fields,
            table=table,
            per_school=bool(data.get("per_school", False)),
            source=str(data.get("source", "")),
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
