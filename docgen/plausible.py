"""Does a value look like a value of its field? Checks that catch a misread which no score shows.

A value can be read with every character sure and still be wrong: a header cell merged into the cell
below (``活动名称教研活动``), a label read where the value should be (``职务`` as a name), a name cut short
under a seal (``泽``), a year misread by one stroke (2019 → 2016). The normalisers (:mod:`docgen.values`)
judge a value alone; these checks judge it against the form it is on — its labels, the year the form
was filled in. Each doubt is a flag with a factor below :data:`~docgen.values.SURE`, so the value is
reviewed and the form's status follows from :func:`docgen.review.status_of` as for any unsure value.
Pure: no I/O, the same answer for the same input.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date

from docgen.extraction import Normalized
from docgen.forms.schema import ColumnSpec, FieldSpec, FormSchema, ValueType
from docgen.labels import label_key
from docgen.values import PARTIAL, is_blank, normalize_integer

__all__ = ["FormContext", "doubts", "sequence_doubts"]

PRINTED_MIN = 6  # a title or printed sentence this long inside a value is not the school's writing
PREFIX_MIN = 3  # a value starting with a label this long (or longer) has a header cell merged into it
# … or, for a school, a person or a phone number, with any label of two or more: no school or name starts with
# 姓名 or 职务 (a free text may well start with a short label: 学校操场 for 活动地点, where 学校 is a label)
PREFIX_MIN_NAMED = 2
NAMED = frozenset({ValueType.SCHOOL, ValueType.NAME, ValueType.PHONE})
YEAR_SLACK = 1  # a school year spans two calendar years: dates a year before or after the filing are normal

_SEPARATORS = re.compile(r"[\s、，,；;/／和及]+")
_CODE = re.compile(r"DG1\s*[:：]")
_CJK = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff]")


@dataclass(frozen=True)
class FormContext:
    """What a value is checked against: the label keys printed on its form, and the year it was filled in."""

    labels: frozenset[str] = frozenset()
    year: int | None = None
    printed: frozenset[str] = frozenset()  # keys of the form's titles and printed sentences

    @classmethod
    def of(cls, schema: FormSchema | None, year: int | None, printed: Iterable[str] = ()) -> FormContext:
        """The labels of ``schema`` (fields, columns, footer and grid headings, with synonyms and printed
        forms); its title (not the shorter synonyms, which a sentence may quote) and the sentences the blank
        form prints (``printed``) as what no value holds."""
        if schema is None:
            return cls(frozenset(), year)
        sentences = frozenset(k for k in map(label_key, (schema.title, *printed)) if len(k) >= PRINTED_MIN)
        texts: list[str] = []
        specs: Iterable[FieldSpec | ColumnSpec] = (*schema.fields, *(schema.table.columns if schema.table else ()))
        for spec in specs:
            texts += [*spec.labels, spec.printed_label]
        if schema.table is not None:
            texts += schema.table.footer_labels
        # a grid's printed headings (the 回执's 姓名 / 职务 / 联系电话 over 联络员 / 分管领导) are labels too
        texts += [*schema.layout.grid_columns, *(row.label for row in schema.layout.grid_rows)]
        return cls(frozenset(k for k in map(label_key, texts) if len(k) >= 2), year, sentences)


def doubts(kind: ValueType, text: str, normalized: Normalized, form: FormContext) -> tuple[str, ...]:
    """The flags of what makes ``text`` (read for a field or column of type ``kind``) implausible on its form:

    * ``value_is_label`` — the value is one of the form's labels, or starts with one of ≥ 3 characters
      (≥ 2 for a school, a name or a phone) followed by more (a header cell merged into the value cell);
    * ``holds_printed_text`` — the value holds the form's title, a sentence the blank form prints or a
      docgen identity code (text lines of the page run together into one value);
    * ``name_too_short`` — a person's name of one Chinese character (a name cut short);
    * ``year_out_of_period`` — a date more than a year away from the year the form was filled in.
    """
    if is_blank(text):
        return ()
    out: list[str] = []
    key = label_key(text)
    shortest = PREFIX_MIN_NAMED if kind in NAMED else PREFIX_MIN
    if key in form.labels or any(len(lab) >= shortest and key.startswith(lab) and len(key) > len(lab)
                                 for lab in form.labels):
        out.append("value_is_label")
    if _CODE.search(text) or any(p in key for p in form.printed):
        out.append("holds_printed_text")
    name = normalized if isinstance(normalized, str) else text  # 李 云 is one name (李云), not two
    if kind is ValueType.NAME and any(len(p) == 1 and _CJK.match(p) for p in _SEPARATORS.split(name.strip()) if p):
        out.append("name_too_short")
    if kind is ValueType.DATE and form.year is not None and any(
            abs(y - form.year) > YEAR_SLACK for y in _years(normalized)):
        out.append("year_out_of_period")
    return tuple(out)


def sequence_doubts(texts: Sequence[str]) -> dict[int, tuple[str, int]]:
    """The rows (0-based) of a numbered column (序号) that break the count the other rows keep, with the flag
    they get and the number the count puts there: the numbers of most rows are their row's place plus one
    offset; a row off it (a 1 read as 7) is ``out_of_sequence``, and a filled row whose number is blank (a 5
    in strokes too faint to read) is ``sequence_gap``. Needs at least 3 numbered rows, more than half of them
    agreeing."""
    offsets: dict[int, int] = {}
    for n, text in enumerate(texts):
        number = normalize_integer(text).normalized
        if isinstance(number, int):
            offsets[n] = number - n
    if len(offsets) < 3:
        return {}
    common, count = Counter(offsets.values()).most_common(1)[0]
    if count * 2 <= len(offsets):
        return {}
    out = {n: ("out_of_sequence", n + common) for n, d in offsets.items() if d != common}
    out.update({n: ("sequence_gap", n + common) for n, text in enumerate(texts) if is_blank(text)})
    return out


DOUBT_FACTOR = PARTIAL
"""The factor a doubted value's confidence is multiplied by (reviewed whatever its reading score)."""


def _years(normalized: Normalized) -> list[int]:
    if isinstance(normalized, date):
        return [normalized.year]
    if isinstance(normalized, dict):
        return [v.year for v in normalized.values() if isinstance(v, date)] + \
            [v for k, v in normalized.items() if k == "year" and isinstance(v, int)]
    return []
