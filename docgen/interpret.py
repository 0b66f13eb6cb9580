"""Interpreting what an extractor read: :class:`ReadDocument` in, :class:`Extraction` out.

    extraction = interpret(read_docx(data, "统计表.docx"))
    extraction.status, extraction.fields["填报时间"].normalized, extraction.tables[0].rows

Pure and deterministic: no I/O, no OCR. The steps, each a small function below:

1. **Which form.** A docgen identity code (``DG1:…``) decides; several that disagree are a problem. Without
   one, a title line (``彭州·黑水“校校结对”教育交流活动情况统计表`` — spaces, quotes, program prefix and
   ``附件3`` ignored) names the form; without a title, the schema whose columns (or field labels) best match
   what was read. Unknown: ``form`` is None and every table comes out as a generic table (columns = its
   header row as read).
2. **Fields** by label: a label cell and the cell to its right (below, when the right one is a label too, or
   in a label row above a value row), a row label × a column label (``联络员`` × ``姓名`` → 联络员姓名), and
   text lines and cell text read by :mod:`docgen.line_fields` (``标签：值`` several on a line, values below
   labels or running on, OCR boxes of one row). Labels compare without spaces, colons, bracketed notes
   ``（可另附名单）`` and full/half-width differences. A label found twice with different values is a problem,
   and so is every schema field not found.
3. **The table.** The header row is the row (among the first six) that matches most schema columns, so
   title rows above it are skipped; columns are mapped by label, whatever their order; a header label that
   fits several columns (``联系人及电话`` after each school column) goes to the column whose preceding schema
   column lies nearest to its left. Below the header: blank rows dropped, a repeated header (next page)
   skipped, the footer row (``备注：…``) read as the field 备注, merged cells repeated in every row they cover,
   tables that continue the table on the next page concatenated. Unknown columns are reported and kept in an
   extra table after the schema table, row-aligned; a missing required column is a problem.
4. **Values** via :mod:`docgen.values`; confidence = read confidence × normalisation factor. Every value
   below ``review_threshold`` and every empty required value is a :class:`Problem` naming field and row.
5. **Status:** UNREADABLE when nothing usable was read, else :func:`docgen.review.status_of` (NEEDS_REVIEW
   when there is any problem or unsure value, else COMPLETE). The extractor's own problems are carried over.

Fields come out keyed by the schema's field key (``unit``, ``filled_on``) with the printed label kept in
``Extraction.labels``; schema tables carry their column keys (``Table.keys``).
"""

from __future__ import annotations

import logging
import re
import unicodedata
from collections import Counter
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from datetime import date
from itertools import pairwise
from typing import TypeVar

from docgen.extraction import (
    Cell,
    Extraction,
    FormIdentity,
    FormStatus,
    Problem,
    Provenance,
    ReadDocument,
    ReadTable,
    Table,
    TextLine,
    Value,
)
from docgen.forms.schema import ColumnSpec, FieldSpec, FormSchema, TableSpec, ValueType, load_schemas
from docgen.labels import label_key, remembered
from docgen.line_fields import AMBIGUOUS, FormLabels, fields_in_lines, is_lone_date, resolve_label
from docgen.line_table import table_from_lines
from docgen.plausible import DOUBT_FACTOR, FormContext, doubts, sequence_doubts
from docgen.printed import unprinted
from docgen.review import reasons_text, status_of, where_text
from docgen.tables import HEADER_SCAN_ROWS, entity, generic_header, generic_type, may_name, schema_mismatch
from docgen.values import (
    GUESSED,
    SURE,
    default_unit_for,
    is_blank,
    join_lines,
    join_wrapped,
    kept_text,
    normalize,
    squashed,
)

log = logging.getLogger(__name__)
T = TypeVar("T")

FOOTER_FIELD = "备注"
"""The field a table's merged footer row (``备注：…``) is read into (its printed label)."""

FOOTER_KEY = "remarks"
"""The key of that field (the schema's own 备注 field, when it has one, has this key too)."""

_FILING_DATE_LABELS = ("填报时间", "填报日期", "填表日期", "填表时间", "日期")

# ----------------------------------------------------------------------------------------------- labels

_ATTACHMENT = re.compile(r"^附件\d*[:：]?")


@remembered
def _title_key(text: str) -> str:
    """A title as compared: :func:`label_key` plus ``附件3`` dropped (quotes are already gone)."""
    return _ATTACHMENT.sub("", label_key(text))


class _Labels:
    """Label keys of some specs → the specs' indexes (a key may belong to several specs)."""

    def __init__(self, specs: Sequence[FieldSpec | ColumnSpec]) -> None:
        self.exact: dict[str, list[int]] = {}
        self.primary: set[tuple[str, int]] = set()
        for i, spec in enumerate(specs):
            for n, label in enumerate(spec.labels):
                key = label_key(label)
                if key and i not in self.exact.setdefault(key, []):
                    self.exact[key].append(i)
                if n == 0:
                    self.primary.add((key, i))

    def match(self, text: str) -> list[tuple[int, int]]:
        """``(score, spec index)`` for every spec ``text`` may label: 3 its label, 2 a synonym, 1 containment."""
        key = label_key(text)
        if not key:
            return []
        if key in self.exact:
            return [(3 if (key, i) in self.primary else 2, i) for i in self.exact[key]]
        out: dict[int, int] = {}
        for label, specs in self.exact.items():
            if len(label) >= 2 and len(key) <= 3 * len(label) and (label in key or (len(key) >= 3 and key in label)):
                for i in specs:
                    out[i] = 1
        return [(score, i) for i, score in out.items()]

    def exact_match(self, text: str) -> list[int]:
        return list(self.exact.get(label_key(text), []))


# ------------------------------------------------------------------------------------------ grid helpers


@dataclass(frozen=True)
class _Group:
    """A run of grid positions in one row covered by the same cell (or by nothing)."""

    c0: int
    c1: int  # inclusive
    cell: Cell | None

    @property
    def text(self) -> str:
        return self.cell.text if self.cell is not None else ""


def _groups(row: Sequence[Cell | None]) -> list[_Group]:
    out: list[_Group] = []
    for k, cell in enumerate(row):
        if out and out[-1].cell is not None and cell is out[-1].cell:
            out[-1] = _Group(out[-1].c0, k, cell)
        else:
            out.append(_Group(k, k, cell))
    return out


def _cells_in(row: Sequence[Cell | None], c0: int, c1: int) -> list[Cell]:
    seen: set[tuple[int, int]] = set()
    out: list[Cell] = []
    for cell in row[c0 : c1 + 1]:
        if cell is not None and (cell.row, cell.col) not in seen:
            seen.add((cell.row, cell.col))
            out.append(cell)
    return out


def _row_blank(row: Sequence[Cell | None]) -> bool:
    return all(cell is None or is_blank(cell.text) for cell in row)


@dataclass(frozen=True)
class _Raw:
    """Text as read before normalising: the text, the reading confidence and where."""

    text: str
    confidence: float = 1.0
    where: Provenance = field(default_factory=Provenance)


def _raw_of(cells: Sequence[Cell]) -> _Raw:
    texts = [c.text.strip() for c in cells if not is_blank(c.text)]
    if not texts:  # a lone `/` or `—` is what the school wrote: blank for most types, "none" for money
        texts = [t for c in cells if (t := c.text.strip())][:1]
    if not cells:
        return _Raw("")
    return _Raw("\n".join(texts), min(c.confidence for c in cells), cells[0].where)


# ------------------------------------------------------------------------------------------------ form


def _identity(read: ReadDocument) -> tuple[FormIdentity | None, list[Problem]]:
    found: list[FormIdentity] = []
    problems: list[Problem] = []
    for code in read.identity_codes:
        parsed = FormIdentity.parse(code)
        if parsed is None:
            if code.strip().upper().startswith(FormIdentity.PREFIX):
                problems.append(Problem(f"识别码无法解析：{code.strip()}"))
        elif parsed not in found:
            found.append(parsed)
    if len(found) > 1:
        problems.append(Problem("文件中有多个不一致的识别码：" + "、".join(i.code for i in found) + "；按第一个处理"))
    return (found[0] if found else None), problems


def _title_candidates(read: ReadDocument) -> Iterable[str]:
    for line in read.lines:
        yield line.text
    for table in read.tables:  # a title row inside the table
        for row in table.grid()[:2]:
            for cell in _cells_in(row, 0, len(row) - 1):
                yield cell.text


def _by_title(read: ReadDocument, schemas: Mapping[str, FormSchema]) -> str | None:
    best: tuple[int, str] | None = None
    for text in _title_candidates(read):
        key = _title_key(text)
        if not key or len(key) > 60:
            continue
        for kind, schema in schemas.items():
            for title in schema.titles:
                t = _title_key(title)
                if t and t in key and (best is None or len(t) > best[0]):
                    best = (len(t), kind)
    return best[1] if best else None


def _by_header(read: ReadDocument, schemas: Mapping[str, FormSchema]) -> str | None:
    best: tuple[float, str] | None = None
    for kind, schema in schemas.items():
        score = 0.0
        if schema.table is not None:
            for table in read.tables:
                match = _find_header(table, schema.table, recognising=True)
                if match is not None:
                    score = max(score, len(match.columns) / len(schema.table.columns))
        elif schema.fields:
            labels = _Labels(schema.fields)
            hit: set[int] = set()
            for table in read.tables:
                for cell in table.cells:
                    hit.update(labels.exact_match(cell.text))
            score = len(hit) / len(schema.fields) if len(hit) >= 3 else 0.0
            score = score + 0.2 if score >= 0.3 else 0.0  # a key–value form fills fewer label cells than a table
        if score >= 0.5 and (best is None or score > best[0]):
            best = (score, kind)
    return best[1] if best else None


# ----------------------------------------------------------------------------------------------- table


@dataclass(frozen=True)
class _HeaderMatch:
    row: int
    columns: dict[int, _Group]  # spec index → header group
    unknown: tuple[_Group, ...]  # header groups with text that no column claims


def _assign(groups: Sequence[_Group], labels: _Labels, specs: Sequence[ColumnSpec]) -> dict[int, _Group]:
    """Header groups → specs, best score first; a label fitting several specs goes to the spec whose
    preceding schema column was matched nearest to its left (联系人及电话 after 帮扶学校 / 受援学校)."""
    candidates: dict[int, list[tuple[int, int]]] = {}  # group index → (score, spec)
    for gi, g in enumerate(groups):
        if g.cell is not None and not is_blank(g.text):  # 帮扶县区 never fills 帮扶学校: docgen.tables.may_name
            candidates[gi] = [(sc, s) for sc, s in labels.match(g.text) if may_name(g.text, specs[s])]
    taken: dict[int, int] = {}  # spec → group index
    done: set[int] = set()
    for score in (3, 2, 1):
        for gi in sorted(candidates):
            if gi in done:
                continue
            options = [s for sc, s in candidates[gi] if sc == score and s not in taken]
            if not options:
                continue
            if len(options) > 1:
                anchored = [(taken[s - 1], s) for s in options if s - 1 in taken and taken[s - 1] < gi]
                options = [max(anchored)[1]] if anchored else options
            taken[options[0]] = gi
            done.add(gi)
    for gi, g in enumerate(groups):  # a header misread by one character (a seal or a shadow over 活动名称)
        if gi in done or g.cell is None or is_blank(g.text):
            continue
        near = [s for s in range(len(specs)) if s not in taken and may_name(g.text, specs[s])
                and any(_one_char_off(label_key(g.text), label_key(label)) for label in specs[s].labels)]
        if len(near) == 1:
            taken[near[0]] = gi
            done.add(gi)
    # headers read unsure (a seal over 派出人员: 派出大责用章, or nothing) in a run of one or two between columns
    # that were named, as many as the schema's columns left between those two: those columns, in order
    anchors = sorted((gi, s) for s, gi in taken.items())
    for (g0, s0), (g1, s1) in pairwise([(-1, -1), *anchors, (len(groups), len(specs))]):
        run = range(g0 + 1, g1)
        if not 1 <= len(run) <= 2 or g1 - g0 != s1 - s0 or (g0, g1) == (-1, len(groups)) \
                or any(s in taken for s in range(s0 + 1, s1)):
            continue
        unsure = [groups[gi].cell for gi in run]
        if all(c is not None and c.confidence < SURE and may_name(c.text, specs[s0 + gi - g0])
               for gi, c in zip(run, unsure, strict=True)):
            for gi in run:
                taken[s0 + gi - g0] = gi
    # a repeated label resolved by order may have beaten its anchor: re-pair by anchors when possible
    return {s: groups[gi] for s, gi in sorted(taken.items())}


def _one_char_off(read: str, label: str) -> bool:
    """``read`` is ``label`` (four characters or more) with exactly one character misread."""
    return len(read) == len(label) >= 4 and sum(a != b for a, b in zip(read, label, strict=True)) == 1


def _find_header(table: ReadTable, spec: TableSpec, *, recognising: bool = False) -> _HeaderMatch | None:
    """The header row matching most of ``spec``'s columns, among the rows whose headers mean them
    (:func:`docgen.tables.schema_mismatch`; ``recognising``: the form is known by these headers alone)."""
    labels = _Labels(spec.columns)
    grid = table.grid()
    best: _HeaderMatch | None = None
    for r, row in enumerate(grid[:HEADER_SCAN_ROWS]):
        groups = _groups(row)
        columns = _assign(groups, labels, spec.columns)
        if best is not None and len(columns) <= len(best.columns):
            continue
        claimed = {(g.c0, g.c1) for g in columns.values()}
        unknown = tuple(
            g for g in groups if g.cell is not None and not is_blank(g.text) and (g.c0, g.c1) not in claimed
        )
        if schema_mismatch({i: g.text for i, g in columns.items()}, [g.text for g in unknown], spec,
                           recognising=recognising):
            continue
        best = _HeaderMatch(r, columns, unknown)
    if best is None or len(best.columns) < min(2, len(spec.columns)):
        return None
    if len(best.columns) < 0.3 * len(spec.columns) or len(best.unknown) > len(best.columns):
        return None
    return best


def _is_repeated_header(row: Sequence[Cell | None], match: _HeaderMatch, labels: _Labels) -> bool:
    hits = 0
    for spec_index, g in match.columns.items():
        cells = _cells_in(row, g.c0, g.c1)
        if cells and any(s == spec_index for _, s in labels.match(cells[0].text)):
            hits += 1
    return hits >= max(2, (len(match.columns) + 1) // 2)


def _footer_text(row: Sequence[Cell | None], footer_keys: Sequence[str]) -> _Raw | None:
    """The footer row's text after its label (``备注：…``), or None when ``row`` is not a footer row."""
    cells = [c for c in _cells_in(row, 0, len(row) - 1) if not is_blank(c.text)]
    if not cells or not footer_keys:
        return None
    first = unicodedata.normalize("NFKC", cells[0].text).strip()
    compact = re.sub(r"\s+", "", first)
    for key in footer_keys:
        if compact.startswith(key):
            rest = compact[len(key) :]
            texts = ([rest] if rest else []) + [c.text.strip() for c in cells[1:]]
            anchor = cells[1] if len(cells) > 1 and not rest else cells[0]
            return _Raw("\n".join(texts), min(c.confidence for c in cells), anchor.where)
    return None


@dataclass
class _TableRead:
    """The schema table's rows (raw, per spec), unknown columns' rows, and the footer."""

    rows: list[list[_Raw]] = field(default_factory=list)
    extra_columns: list[str] = field(default_factory=list)
    extra_rows: list[list[_Raw]] = field(default_factory=list)
    footer: _Raw | None = None
    used: set[int] = field(default_factory=set)  # read table indexes consumed
    header_rows: dict[int, int] = field(default_factory=dict)  # table index → header row
    matched: set[int] = field(default_factory=set)  # spec indexes found in some header
    open_row: bool = False  # the last grid row seen was read as a row (not blank): a page may have cut it


def _read_schema_table(read: ReadDocument, spec: TableSpec) -> _TableRead:
    labels = _Labels(spec.columns)
    footer_keys = [squashed(f) for f in spec.footer_labels]
    out = _TableRead()
    current: _HeaderMatch | None = None
    previous: int | None = None
    for ti, table in enumerate(read.tables):
        match = _find_header(table, spec)
        start = 0
        # the schema table going on onto the next page (its header printed again there, or not)
        follows = current is not None and previous == ti - 1 and table.n_cols == read.tables[previous].n_cols \
            and _later_page(table, read.tables[previous])
        if match is not None:
            current, start = match, match.row + 1
            out.header_rows[ti] = match.row
            out.matched.update(match.columns)
        elif not follows or current is None:
            continue  # not the schema table, nor its continuation on the next page
        out.used.add(ti)
        previous = ti
        for name in (join_lines(g.text) for g in current.unknown):
            if name not in out.extra_columns:
                out.extra_columns.append(name)
        ended = _read_rows(table.grid()[start:], current, labels, spec, footer_keys, out, continued=follows)
        if ended:
            current = None
    return out


def _with_line_table(read: ReadDocument, spec: TableSpec, problems: list[Problem]) -> ReadDocument:
    """``read`` with the form's table rebuilt from its text lines (:mod:`docgen.line_table`) when no table
    read has the form's header but some line row does; the lines it took are no longer lines."""
    labels = _Labels(spec.columns)

    def names(text: str) -> set[int]:
        return {i for _, i in labels.match(text) if may_name(text, spec.columns[i])}

    serial = next((i for i, c in enumerate(spec.columns) if c.type is ValueType.INTEGER), None)
    footer_keys = [squashed(f) for f in spec.footer_labels]
    rebuilt = table_from_lines(read.lines, names, len(spec.columns), serial, footer_keys)
    if rebuilt is None:
        return read
    problems.append(Problem("未找到表格线，表格按文字位置重建，行列可能错位，请对照原图逐项核对"))
    return replace(read, tables=(*read.tables, rebuilt.table),
                   lines=tuple(line for i, line in enumerate(read.lines) if i not in rebuilt.used))


def _later_page(table: ReadTable, previous: ReadTable) -> bool:
    """``table`` starts a later page than ``previous``: only then can it continue it (a table beside ours on
    the same page, or any table of a docx, where a table is never cut by a page, is a table of its own)."""
    return table.page is not None and previous.page is not None and table.page > previous.page


def _read_rows(
    grid: Sequence[Sequence[Cell | None]],
    match: _HeaderMatch,
    labels: _Labels,
    spec: TableSpec,
    footer_keys: Sequence[str],
    out: _TableRead,
    *,
    continued: bool = False,
) -> bool:
    """Append the data rows of ``grid`` (the rows below a header); True when the footer row ended the table.

    ``continued``: ``grid`` is the table's continuation on the next page, and its first row may be the rest of
    the row the page cut (:func:`_split_row_rest`), which is joined to the row before instead."""
    integer_specs = {i for i, c in enumerate(spec.columns) if c.type is ValueType.INTEGER}
    first = continued
    for row in grid:
        was_open, out.open_row = out.open_row, False
        if _row_blank(row):
            continue
        if first:
            first = False
            if was_open and _split_row_rest(row, match, spec, integer_specs, out):
                out.open_row = True
                continue
        footer = _footer_text(row, footer_keys)
        if footer is not None:
            out.footer = footer if out.footer is None else out.footer
            return True
        if _is_repeated_header(row, match, labels):
            continue
        values = [
            _raw_of(_cells_in(row, g.c0, g.c1)) if (g := match.columns.get(i)) is not None else _Raw("")
            for i in range(len(spec.columns))
        ]
        if all(is_blank(v.text) for i, v in enumerate(values) if i not in integer_specs) and not any(
            not is_blank(c.text) for g in match.unknown for c in _cells_in(row, g.c0, g.c1)
        ):
            continue  # only a pre-printed 序号
        out.rows.append(values)
        out.open_row = True
        extra = {join_lines(g.text): _raw_of(_cells_in(row, g.c0, g.c1)) for g in match.unknown}
        out.extra_rows.append([extra.get(name, _Raw("")) for name in out.extra_columns])
    return False


def _split_row_rest(
    row: Sequence[Cell | None], match: _HeaderMatch, spec: TableSpec, integer_specs: set[int], out: _TableRead
) -> bool:
    """Join ``row`` — the first row of a table's continuation on the next page — to the last row read when
    it is the rest of that row, cut by the page break (Word and LibreOffice let a row break across pages):
    the 序号 the last row has is blank here, and every cell holding text here held text above, its wrapped
    lines going on (``提升了教师课堂教学能`` | ``力``). A row of its own would be numbered, or fill a cell
    the row above left blank. True when joined."""
    if not out.rows or not integer_specs or any(match.columns.get(i) is None for i in integer_specs):
        return False
    last = out.rows[-1]
    if any(is_blank(last[i].text) for i in integer_specs):
        return False
    values = [_raw_of(_cells_in(row, g.c0, g.c1)) if (g := match.columns.get(i)) is not None else _Raw("")
              for i in range(len(spec.columns))]
    filled = [i for i, v in enumerate(values) if not is_blank(v.text)]
    if not filled or any(i in integer_specs or is_blank(last[i].text) for i in filled):
        return False
    if any(not is_blank(c.text) for g in match.unknown for c in _cells_in(row, g.c0, g.c1)):
        return False  # text in a column the form does not have: not the rest of a row we can join
    for i in filled:
        above = last[i]
        last[i] = _Raw(join_wrapped(above.text, values[i].text), min(above.confidence, values[i].confidence),
                       above.where)
    return True


# ---------------------------------------------------------------------------------------------- fields


@dataclass(frozen=True)
class _Hit:
    spec: int
    raw: _Raw
    source: tuple[object, ...]
    guessed: bool = False
    others: tuple[int, ...] = ()  # other fields its label may name (docgen.line_fields: ambiguous)


@dataclass
class _FieldFinder:
    schema: FormSchema
    extra_labels: Mapping[str, str]  # footer labels → the field they fill (备注：)
    printed: Sequence[str] = ()  # the blank form's printed sentences: never a value
    hits: list[_Hit] = field(default_factory=list)
    extra_hits: dict[str, list[_Raw]] = field(default_factory=dict)

    def __post_init__(self) -> None:
        self.labels = _Labels(self.schema.fields)
        self.date_field = next(
            (
                i
                for i, f in enumerate(self.schema.fields)
                if f.type is ValueType.DATE and any(label_key(lb) in _FILING_DATE_LABELS for lb in f.labels)
            ),
            None,
        )
        self.form = FormLabels([f.labels for f in self.schema.fields], [f.type for f in self.schema.fields],
                               self.labels.match, date_field=self.date_field, extra=self.extra_labels,
                               printed=self.printed, titles=self.schema.titles)

    def lines(self, lines: Sequence[TextLine], source: tuple[object, ...], breaks: Iterable[int] = ()) -> bool:
        """Fields written in text lines (:mod:`docgen.line_fields`); True when any was found."""
        found = fields_in_lines(lines, self.form, source, breaks=set(breaks))
        for hit in found:
            raw = _Raw(hit.text, hit.confidence, hit.where)
            if hit.extra is not None:
                self.extra_hits.setdefault(hit.extra, []).append(raw)
            elif hit.spec is not None:
                self.hits.append(_Hit(hit.spec, raw, hit.source, hit.guessed, hit.others))
        return bool(found)

    def line(self, text: str, confidence: float, where: Provenance, source: tuple[object, ...]) -> bool:
        """Fields written in one cell's text, its lines as text lines; True when any was found."""
        return self.lines([TextLine(t, confidence, where) for t in text.splitlines() if t.strip()], source)

    def table(self, ti: int, table: ReadTable, rows: range) -> bool:
        """Label cells and their value cells in ``rows`` of a table; True when any field was found there."""
        grid = table.grid()
        before = len(self.hits)
        taken: set[tuple[int, int]] = set()  # cells read as a label's value: never a label themselves
        named: dict[tuple[int, int, int], int] = {}  # (row, first col, last col) of a label cell → its field
        unsure: list[tuple[int, _Group]] = []  # cells read unsure that named no field
        for r in rows:
            context: list[int] = []  # fields labelled earlier in the row: 职务 after 联络员姓名 is 联络员职务
            for g in _groups(grid[r]):
                cell = g.cell
                if cell is None or cell.row != r or is_blank(cell.text) or (cell.row, cell.col) in taken:
                    continue
                specs = self.labels.exact_match(cell.text)
                others: tuple[int, ...] = ()
                if not specs and context and (variants := self.form.variants(cell.text)):
                    spec, others = resolve_label(variants, context, self.form)
                    specs = [spec]
                if not specs:
                    found = self.line(cell.text, cell.confidence, cell.where, ("cell", ti, r, g.c0))
                    if not found and cell.confidence < SURE:
                        unsure.append((r, g))
                    continue
                named[(r, g.c0, g.c1)] = specs[0]
                context.append(specs[0])
                value = self._value_cell(grid, r, g)
                if value is not None:
                    taken.add((value.row, value.col))
                raw = _raw_of([value]) if value is not None else _Raw("", cell.confidence, cell.where)
                source = ("cell", ti, value.row, value.col) if value is not None else ("label", ti, r, g.c0)
                self.hits.append(_Hit(specs[0], raw, source, others=others))
        for r, g in unsure:
            self._label_between(ti, grid, r, g, named, taken)
        self._grid_labels(ti, grid, rows)
        return len(self.hits) > before

    def _label_between(self, ti: int, grid: Sequence[Sequence[Cell | None]], r: int, g: _Group,
                       named: Mapping[tuple[int, int, int], int], taken: set[tuple[int, int]]) -> None:
        """A label cell read unsure and naming nothing (``职冬``, ``4ハハ``: a seal's ring across 职务) right
        under or over a label cell of the same columns: the form prints its labels in the schema's order, so it
        names the field after the one above it or before the one below it (both, when both are there, must
        agree), when that field was found nowhere else. Its value is a guess: flagged for review."""
        above = named.get((r - 1, g.c0, g.c1))
        below = named.get((r + (g.cell.rowspan if g.cell is not None else 1), g.c0, g.c1))
        guesses = {k for k in ((above + 1) if above is not None else None,
                               (below - 1) if below is not None else None) if k is not None}
        if len(guesses) != 1:
            return
        spec = guesses.pop()
        if not 0 <= spec < len(self.schema.fields) or any(h.spec == spec for h in self.hits):
            return
        # one label, one value: a row label of a row × column grid (联络员 | 姓名 | 职务 | 电话) names no one field
        if len([c for c in _cells_in(grid[r], g.c1 + 1, len(grid[r]) - 1) if c.row == r and not is_blank(c.text)]) != 1:
            return
        value = self._value_cell(grid, r, g)
        if value is None or is_blank(value.text) or (value.row, value.col) in taken:
            return
        taken.add((value.row, value.col))
        self.hits.append(_Hit(spec, _raw_of([value]), ("cell", ti, value.row, value.col), guessed=True))

    def _is_label(self, cell: Cell | None) -> bool:
        return cell is not None and bool(self.labels.exact_match(cell.text) or self.form.variants(cell.text))

    def _names_a_field(self, cell: Cell | None) -> bool:
        """A label by the match rule or the end of one (``职务`` of 联络员职务); not a word that only sits
        inside a label: ``校长`` typed as the 职务 is not the label 校长意见 (a synonym of 单位负责人意见)."""
        return cell is not None and bool(self.labels.exact_match(cell.text) or self.form.options(cell.text))

    def _value_cell(self, grid: Sequence[Sequence[Cell | None]], r: int, g: _Group) -> Cell | None:
        """The cell right of a label; the one below it when the right one is a label too, or when the row holds
        only labels and the row below none (a label row above a value row)."""
        row = grid[r]
        right = row[g.c1 + 1] if g.c1 + 1 < len(row) else None
        below_row = r + (g.cell.rowspan if g.cell is not None else 1)
        below = grid[below_row][g.c0] if below_row < len(grid) else None
        if right is not None and not self._names_a_field(right) and not (
            is_blank(right.text) and below is not None and self._label_row_above_values(grid, r)
        ):
            return right
        if below is not None and not self._is_label(below):
            return below
        return None

    def _label_row_above_values(self, grid: Sequence[Sequence[Cell | None]], r: int) -> bool:
        filled = [c for c in _cells_in(grid[r], 0, len(grid[r]) - 1) if not is_blank(c.text)]
        if len(filled) < 2 or not all(self._is_label(c) for c in filled) or r + 1 >= len(grid):
            return False
        below = [c for c in _cells_in(grid[r + 1], 0, len(grid[r + 1]) - 1) if not is_blank(c.text)]
        return bool(below) and not any(self._is_label(c) for c in below)

    def _grid_labels(self, ti: int, grid: Sequence[Sequence[Cell | None]], rows: range) -> None:
        """Row label × column label (``联络员`` × ``姓名`` → 联络员姓名) for fields not found otherwise."""
        if len(grid) < 2 or not grid[0] or len(grid[0]) < 2:
            return
        found = {h.spec for h in self.hits}
        top = grid[0]
        for r in rows:
            if r == 0:
                continue
            left = grid[r][0]
            if left is None or is_blank(left.text):
                continue
            for k in range(1, len(grid[r])):
                cell, head = grid[r][k], top[k]
                if cell is None or head is None or cell.col != k or cell.row != r or head is left:
                    continue
                specs = [s for s in self.labels.exact_match(label_key(left.text) + label_key(head.text))
                         if s not in found]
                if specs:
                    self.hits.append(_Hit(specs[0], _raw_of([cell]), ("cell", ti, r, k)))
                    found.add(specs[0])

    def lone_date(self, line: TextLine, source: tuple[object, ...]) -> None:
        """A line that is only a date (below the table), for the filing date when no label names it."""
        if self.date_field is None or any(h.spec == self.date_field for h in self.hits):
            return
        if is_lone_date(line.text):
            self.hits.append(_Hit(self.date_field, _Raw(line.text.strip(), line.confidence, line.where), source, True))


def _find_fields(
    read: ReadDocument, schema: FormSchema, table_read: _TableRead | None, printed: Sequence[str] = ()
) -> tuple[_FieldFinder, set[int]]:
    finder = _FieldFinder(schema, _footer_labels(schema), printed)
    finder.lines(read.lines, ("line",), breaks=(t.lines_before for t in read.tables if t.lines_before is not None))
    used: set[int] = set()
    for ti, table in enumerate(read.tables):
        if table_read is not None and ti in table_read.used:
            header = table_read.header_rows.get(ti, 0)
            finder.table(ti, table, range(header))  # rows above the header: 单位：… 填报时间：…
        elif finder.table(ti, table, range(table.n_rows)):
            used.add(ti)
    for n, line in enumerate(read.lines):
        finder.lone_date(line, ("line", n))
    return finder, used


def _footer_labels(schema: FormSchema) -> dict[str, str]:
    """The keys of the labels of ``schema``'s table footer (``备注：``) → the field they fill."""
    if schema.table is None:
        return {}
    return {label_key(f): FOOTER_FIELD for f in schema.table.footer_labels}


# ---------------------------------------------------------------------------------------------- values


@dataclass
class _Builder:
    threshold: float
    context_year: int | None
    problems: list[Problem] = field(default_factory=list)
    form: FormContext = field(default_factory=FormContext)
    seal_names: Sequence[str] = ()

    def value(
        self, raw: _Raw, kind: ValueType, label: str, *, key: str | None = None, row: int | None = None,
        required: bool = False, default_unit: str | None = None, guessed: bool = False,
        guess_flag: str = "label_guessed", doubt: str | None = None,
    ) -> Value:
        if kind is ValueType.SCHOOL and raw.confidence < SEAL_NAMED and named_by_seal(raw.text, self.seal_names):
            raw = replace(raw, confidence=SEAL_NAMED)
        normal = normalize(kind, raw.text, context_year=self.context_year, default_unit=default_unit)
        doubted = (*doubts(kind, raw.text, normal.normalized, self.form), *((doubt,) if doubt else ()))
        flags = [*normal.flags, *doubted]
        if raw.confidence < self.threshold:
            flags.append("low_confidence")
        if guessed:
            flags.append(guess_flag)
        text = kept_text(kind, raw.text, normal)
        confidence = raw.confidence * normal.factor * (GUESSED if guessed else 1.0) \
            * (DOUBT_FACTOR if doubted else 1.0)
        value = Value(text, normal.normalized, confidence, raw.where, tuple(flags), kind)
        confidence = value.confidence  # as stored (3 decimals), so status_of decides the same way
        where = where_text(label, row)
        if is_blank(text):
            if required:
                self.problems.append(Problem(f"{where}：必填项未填写", label, row, key))
            elif confidence < self.threshold:
                self.problems.append(
                    Problem(f"{where}：{reasons_text(flags)}，置信度 {confidence:.2f}", label, row, key)
                )
        elif confidence < self.threshold:
            self.problems.append(
                Problem(f"{where}：{reasons_text(flags)}（“{text}”，置信度 {confidence:.2f}）", label, row, key)
            )
        return value


_YEAR = re.compile(r"((?:19|20)\d{2})\s*(?:年|[./-]\s*\d{1,2}\s*[./-])")


def _majority_year(read: ReadDocument) -> int | None:
    years: Counter[int] = Counter()
    for text in [*(line.text for line in read.lines), *(c.text for t in read.tables for c in t.cells)]:
        years.update(int(y) for y in _YEAR.findall(unicodedata.normalize("NFKC", text)))
    return years.most_common(1)[0][0] if years else None


def seal_school(seal_names: Sequence[str]) -> str | None:
    """The school the page's seals name, when they agree on one: the name most of their readings give (each
    seal's ring is read twice), of four characters or more. None when two names tie or none is read."""
    counts = Counter(name for n in seal_names if len(name := squashed(n)) >= 4 and _CJK_CHAR.search(name))
    ranked = counts.most_common(2)
    if not ranked or (len(ranked) == 2 and ranked[0][1] == ranked[1][1]):
        return None
    return ranked[0][0]


SEAL_NAMED = 0.95
"""How sure a school's name read under a seal is when the seal's own text spells it the same."""

_CJK_CHAR = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff]")


def named_by_seal(text: str, seal_names: Sequence[str]) -> bool:
    """Does a seal's own text (:attr:`~docgen.extraction.ReadDocument.seal_names`) spell the school name
    ``text``, whole?

    A school stamps its return with its seal, over its own name as often as not, and the seal's ring text is
    that name: two readings of the name from different ink. Text read under a seal may be cut short or mixed
    with the seal's characters (the reader trusts it less), but a whole name the seal spells the same was
    read right. Whole: four characters or more, and not a piece of a longer name in the seal's text (no
    Chinese character right before or after it there: ``利安小`` is not ``彭州市利安小学``).
    """
    want = squashed(text)
    if len(want) < 4:
        return False
    for name in seal_names:
        have = squashed(name)
        at = have.find(want)
        while at >= 0:
            before, after = have[at - 1:at], have[at + len(want):at + len(want) + 1]
            if not _CJK_CHAR.match(before) and not _CJK_CHAR.match(after):
                return True
            at = have.find(want, at + 1)
    return False


# --------------------------------------------------------------------------------------- generic tables

def _generic_tables(read: ReadDocument, indexes: Iterable[int], builder: _Builder) -> list[Table]:
    """Tables no schema claims, with their own header (:func:`docgen.tables.generic_header`: header rows
    joined ``上/下``, merged cells filled), typed by header words (:func:`docgen.tables.generic_type`). A
    table that continues the previous one — same header, or the next page with no header row (its first row
    has digits) — is concatenated to it."""
    out: list[Table] = []
    columns: tuple[str, ...] | None = None
    rows: list[tuple[Value, ...]] = []
    repeated: list[str] = []  # the header's bottom row as read: printed again on the next page, it is skipped
    prev: ReadTable | None = None
    prev_index = -2
    for ti in indexes:
        table = read.tables[ti]
        grid = table.grid()
        header = generic_header(grid)
        if header is None:
            continue
        names = header.names
        start = header.last + 1
        continues = columns is not None and prev is not None and prev_index == ti - 1 and len(names) == len(columns)
        if continues and names != columns:
            next_page = table.page is not None and prev is not None and prev.page is not None \
                and table.page == prev.page + 1
            if next_page and any(re.search(r"\d", n) for n in names):
                start = header.first  # no header on this page: the first row is data
            else:
                continues = False
        if not continues or columns is None:
            if columns is not None:
                out.append(Table(columns, tuple(rows)))
            columns, rows = names, []
            repeated = [_raw_of(_cells_in(grid[header.last], c.c0, c.c1)).text for c in header.columns]
        kinds = [generic_type(c) for c in columns]
        for r in range(start, len(grid)):
            cells = [_raw_of(_cells_in(grid[r], c.c0, c.c1)) for c in header.columns]
            if _row_blank(grid[r]) or [c.text for c in cells] == repeated:
                continue  # a blank row, or the header printed again (next page)
            n = len(rows) + 1
            rows.append(tuple(builder.value(raw, kinds[k], columns[k] or f"第{k + 1}列", row=n)
                              for k, raw in enumerate(cells)))
        prev, prev_index = table, ti
    if columns is not None:
        out.append(Table(columns, tuple(rows)))
    return out


# -------------------------------------------------------------------------------------------- interpret


def interpret(
    read: ReadDocument,
    schemas: Mapping[str, FormSchema] | None = None,
    *,
    review_threshold: float = SURE,
    context_year: int | None = None,
    printed: Mapping[str, Sequence[str]] | None = None,
) -> Extraction:
    """Interpret ``read`` against ``schemas`` (default: the bundled ones, :func:`docgen.forms.load_schemas`).

    ``context_year`` completes year-less dates (``4月23日``); without it the form's filing date, else the
    year most dates in the document carry, is used. ``printed``: per form kind, the sentences the blank form
    prints (:func:`docgen.forms.generate.printed_texts` of the program): they are not values — a footer
    ``备注：`` holding only them gives no 备注, one with more gives only what was added.
    """
    schemas = load_schemas() if schemas is None else schemas
    problems: list[Problem] = [Problem(p) for p in read.problems]
    if not _anything_read(read):
        if not problems:
            problems.append(Problem("未读取到任何文字或表格"))
        return Extraction(read.source, read.input_kind, None, None, {}, (), FormStatus.UNREADABLE,
                          tuple(problems), read.pages)

    identity, id_problems = _identity(read)
    problems += id_problems
    kind = _which_form(read, schemas, identity, problems)
    schema = schemas.get(kind) if kind else None
    builder = _Builder(review_threshold, context_year, seal_names=read.seal_names)

    fields: dict[str, Value] = {}
    labels: dict[str, str] = {}
    tables: list[Table] = []
    used: set[int] = set()
    if schema is not None:
        spec = schema.table
        if spec is not None and not any(_find_header(t, spec) is not None for t in read.tables):
            as_read, table_spec = read, spec
            read = _stage("明细表格", problems, lambda: _with_line_table(as_read, table_spec, problems), read)
        table_read = None
        if spec is not None:
            table_read = _stage("明细表格", problems, lambda: _read_schema_table(read, spec), None)
        finder, field_tables = _find_fields(read, schema, table_read, (printed or {}).get(schema.kind, ()))
        used |= field_tables
        if builder.context_year is None:
            builder.context_year = _filing_year(finder, schema) or _majority_year(read)
        builder.form = FormContext.of(schema, builder.context_year, (printed or {}).get(schema.kind, ()))
        fields, labels = _build_fields(schema, finder, table_read, builder, problems,
                                       (printed or {}).get(schema.kind, ()))
        if spec is not None and table_read is not None:
            used |= table_read.used
            read_table = table_read
            last_cut = _stage("明细表格", problems, lambda: at_page_foot(read, read_table), False)
            tables += _stage("明细表格", problems,
                             lambda: _build_table(spec, read_table, builder, problems, last_cut=last_cut), [])
            if _cut_short(read, schema, identity, table_read, finder):
                problems.append(Problem(CUT_SHORT.format(label=schema.layout.footer_label.rstrip("：:"))))
    else:
        if builder.context_year is None:
            builder.context_year = _majority_year(read)
        if schemas:
            problems.append(Problem("未能识别表单类型（无识别码、标题或表头可对应）；表格按原样输出"))
    others = [i for i in range(len(read.tables)) if i not in used]
    tables += _stage("其他表格", problems, lambda: _generic_tables(read, others, builder), [])
    problems += builder.problems
    out = Extraction(read.source, read.input_kind, kind, identity, fields, tuple(tables), FormStatus.NEEDS_REVIEW,
                     tuple(problems), read.pages, labels)
    return replace(out, status=status_of(out, review_threshold))


def prepare(schemas: Mapping[str, FormSchema] | None = None) -> None:
    """Compute now what interpreting any form of ``schemas`` (default: the bundled ones) computes from the
    schemas alone and keeps for the process: the keys of their titles, labels and headers, what each header
    names (:func:`docgen.tables.entity`), the patterns that find their labels in lines. The warm reader's
    server calls it once (:mod:`api.sandbox_warm`), so that every child forked from it starts with them
    instead of computing them for its one file (1–4 ms a read). Results do not depend on it."""
    schemas = load_schemas() if schemas is None else schemas
    for schema in schemas.values():
        for title in schema.titles:
            _title_key(title)
        _FieldFinder(schema, _footer_labels(schema))
        if schema.table is not None:
            _Labels(schema.table.columns)
            for column in schema.table.columns:
                entity(column.label)


def _stage(what: str, problems: list[Problem], run: Callable[[], T], fallback: T) -> T:
    """``run()``; when it fails (an interpreter bug), ``fallback`` and a problem naming the part: one part of
    a form the interpreter trips on must not make the fields and tables it did read unreadable."""
    try:
        return run()
    except Exception as exc:
        log.error("interpreting %s failed: %s: %s", what, type(exc).__name__, exc, exc_info=True)
        problems.append(Problem(f"{what}解读出错（内部错误 {type(exc).__name__}），该部分请人工核对"))
        return fallback


def _anything_read(read: ReadDocument) -> bool:
    return any(not is_blank(line.text) for line in read.lines) or any(
        not is_blank(c.text) for t in read.tables for c in t.cells
    )


def _which_form(
    read: ReadDocument, schemas: Mapping[str, FormSchema], identity: FormIdentity | None, problems: list[Problem]
) -> str | None:
    by_title = _by_title(read, schemas)
    if identity is not None:
        if identity.form in schemas:
            if by_title is not None and by_title != identity.form:
                problems.append(Problem(
                    f"识别码表明是「{schemas[identity.form].title}」，标题却是「{schemas[by_title].title}」；按识别码处理"
                ))
            return identity.form
        problems.append(Problem(f"识别码中的表单类型 {identity.form!r} 未知；按标题或表头识别"))
    return by_title or _by_header(read, schemas)


def _filing_year(finder: _FieldFinder, schema: FormSchema) -> int | None:
    if finder.date_field is None:
        return None
    for hit in finder.hits:
        if hit.spec == finder.date_field:
            normal = normalize(ValueType.DATE, hit.raw.text)
            if isinstance(normal.normalized, date):
                return normal.normalized.year
    return None


def _build_fields(
    schema: FormSchema, finder: _FieldFinder, table_read: _TableRead | None, builder: _Builder,
    problems: list[Problem], printed: Sequence[str] = (),
) -> tuple[dict[str, Value], dict[str, str]]:
    """The fields found, by schema key, and their printed labels (the footer's ``printed`` sentences taken
    away: :func:`docgen.printed.unprinted`)."""
    by_spec: dict[int, list[_Hit]] = {}
    for hit in _placed(finder.hits):
        same = by_spec.setdefault(hit.spec, [])
        if all(h.source != hit.source for h in same):
            same.append(hit)
    out: dict[str, Value] = {}
    labels: dict[str, str] = {}
    # One cell or line piece is one field's value: read as two fields (a 职务 cell holding the word 职务 taken
    # for a label, so 职务 took the phone beside it), each of them is a guess, whatever the reading score.
    chosen = Counter(_source(h) for i in range(len(schema.fields)) for h in [_first_filled(by_spec.get(i, []))]
                     if h is not None)
    for i, spec in enumerate(schema.fields):
        hits = by_spec.get(i, [])
        filled = [h for h in hits if not is_blank(h.raw.text)]
        distinct = {re.sub(r"\s+", "", h.raw.text) for h in filled}
        if len(distinct) > 1:
            problems.append(Problem(
                f"「{spec.label}」出现{len(filled)}次，值不同：" + "、".join(f"“{h.raw.text}”" for h in filled)
                + "；取第一个", spec.label, key=spec.key))
        if not hits and spec.type is ValueType.SCHOOL and spec.prefill and (name := seal_school(builder.seal_names)):
            # the school's own seal names it where its name went unread (under that seal, as often as not)
            out[spec.key] = builder.value(_Raw(name), spec.type, spec.label, key=spec.key, required=spec.required,
                                          guessed=True, guess_flag="from_seal")
            labels[spec.key] = spec.label
            continue
        if not hits:  # every field of the form is printed on it: one not found is a gap to look at
            problems.append(Problem(f"「{spec.label}」：未找到" + ("（必填）" if spec.required else ""), spec.label,
                                    key=spec.key))
            continue
        hit = (filled or hits)[0]
        shared = filled and chosen[_source(hit)] > 1
        out[spec.key] = builder.value(hit.raw, spec.type, spec.label, key=spec.key, required=spec.required,
                                      guessed=hit.guessed or bool(hit.others),
                                      guess_flag=AMBIGUOUS if hit.others else "label_guessed",
                                      doubt="shared_source" if shared else None)
        labels[spec.key] = spec.label
    footers = [*finder.extra_hits.get(FOOTER_FIELD, [])]
    if table_read is not None and table_read.footer is not None:
        footers.insert(0, table_read.footer)
    # the footer's printed instruction is the blank form's, not the school's: only what was added is a value
    written = [replace(f, text=unprinted(f.text, printed)) for f in footers]
    written = [f for f in written if not is_blank(f.text)]
    if written and FOOTER_KEY not in out:
        out[FOOTER_KEY] = builder.value(written[0], ValueType.TEXT, FOOTER_FIELD, key=FOOTER_KEY)
        labels[FOOTER_KEY] = FOOTER_FIELD
    return out, labels


def _first_filled(hits: Sequence[_Hit]) -> _Hit | None:
    return next((h for h in hits if not is_blank(h.raw.text)), None)


def _source(hit: _Hit) -> tuple[object, ...]:
    """The table cell a field's value is (a line may hold several fields' values: each hit its own)."""
    return hit.source if hit.source[:1] == ("cell",) else ("hit", id(hit))


def _placed(hits: Sequence[_Hit]) -> list[_Hit]:
    """Hits whose label may name several fields go to one of those not found otherwise, when there is one
    (they stay flagged: the label alone did not decide)."""
    sure = {h.spec for h in hits if not h.others}
    out: list[_Hit] = []
    for hit in hits:
        if hit.others and hit.spec in sure:
            free = [s for s in hit.others if s not in sure]
            if free:
                hit = replace(hit, spec=free[0], others=(hit.spec, *free[1:]))
        out.append(hit)
    return out


PAGE_FOOT = 0.8
"""A table whose last row ends below this share of its sheet's height has reached the page's foot."""

_PAGE_NUMBER = re.compile(r"^[\s\-－—–]*(?:第\s*)?\d{1,3}\s*(?:页|/\s*\d{1,3})?[\s\-－—–]*$")


def at_page_foot(read: ReadDocument, table: _TableRead) -> bool:
    """Did the picture end inside the table's last row, as far as the page can tell?

    Word lets a row break across pages, so a photo of page 1 of a two-page 统计表 ends with half a row:
    `黑水县芦花` for `黑水县芦花完全小学校多功能厅`, each part sure of itself. Three signs together: the
    table's last row was read as a row (no footer row after it), it ends low on the last page
    (:data:`PAGE_FOOT` of the sheet, where the reader knows the sheet's edges: a scan, a photo whose outline
    was found), and nothing but a page number lies below it. A row that happened to end the page is doubted
    too — a look, where a cut row taken as whole is a wrong record.
    """
    if not table.open_row or not table.rows or not read.input_kind.is_picture:
        return False
    boxes = [(r.where.page, box) for r in table.rows[-1] if (box := r.where.layout_box) is not None]
    if not boxes:
        return False
    page = boxes[0][0]
    sheet = read.page_sizes[page - 1] if page == read.pages and 0 < page <= len(read.page_sizes) else None
    if sheet is None:
        return False
    bottom = max(box[3] for p, box in boxes if p == page)
    if bottom < PAGE_FOOT * sheet[1]:
        return False
    return not any(line.where.page == page and (box := line.where.layout_box) is not None and box[1] >= bottom
                   and not _PAGE_NUMBER.match(line.text) for line in read.lines)


CUT_SHORT = ("表格末尾的「{label}」行未找到：照片或扫描件可能缺少后续页面，或表格下部没有拍全，"
             "缺少的行不会出现在记录中；请核对原件是否完整")
"""A form-level problem: a picture of our printed form whose table did not end with its footer row."""


def _cut_short(read: ReadDocument, schema: FormSchema, identity: FormIdentity | None, table: _TableRead,
               finder: _FieldFinder) -> bool:
    """A picture (scan or photo) of our own printed form — its identity code read — whose table was read, but
    without the footer row (``备注：…``) that the printed form always ends its table with (the schema's
    ``layout.footer_label``), neither in the table nor as a line.

    A liaison photographs page 1 of a two-page 统计表, or the sheet's foot is outside the frame: the rows on
    the missing part are absent, and nothing else says so. Not checked: a Word file or a PDF from Word (read
    whole), and a copy without our code (retyped, or another office's table: it may never have had the row).
    A school that deleted the row before printing is told to check a copy that was complete; it costs a look,
    while a silent gap costs rows."""
    if identity is None or not schema.layout.footer_label or not table.used:
        return False
    if not read.input_kind.is_picture:
        return False
    return table.footer is None and not finder.extra_hits.get(FOOTER_FIELD)


def _build_table(spec: TableSpec, read: _TableRead, builder: _Builder, problems: list[Problem], *,
                 last_cut: bool = False) -> list[Table]:
    """The schema table's values, typed and checked; ``last_cut``: every value of the last row is doubted
    (:func:`at_page_foot`)."""
    if not read.used:
        problems.append(Problem("未找到表格（表头与表单的列对不上）", None))
        return []
    missing = [c for i, c in enumerate(spec.columns) if i not in read.matched]
    for column in missing:
        if column.required:
            problems.append(Problem(f"表格缺少必填列「{column.label}」", column.label, key=column.key))
    if read.extra_columns:
        problems.append(Problem(
            "表格中有表单没有的列：" + "、".join(f"「{c}」" for c in read.extra_columns) + "（另列于附加表格）"
        ))
    if not read.rows:
        problems.append(Problem("表格中没有填写任何一行"))
    rows: list[tuple[Value, ...]] = []
    off = {i: sequence_doubts([r[i].text for r in read.rows]) for i, c in enumerate(spec.columns)
           if c.type is ValueType.INTEGER and i in read.matched}
    for n, raw_row in enumerate(read.rows, start=1):
        row: list[Value] = []
        for i, column in enumerate(spec.columns):
            if i not in read.matched:
                flags = ("column_missing",) if column.required else ()
                row.append(Value("", None, 0.0 if column.required else 1.0, flags=flags, type=column.type))
                continue
            doubt, counted = off.get(i, {}).get(n - 1, (None, 0))
            if last_cut and n == len(read.rows):
                doubt = doubt or "cut_by_page"
            raw = raw_row[i]
            if doubt == "sequence_gap":  # the number the count puts there, for the reviewer to confirm
                raw = _Raw(str(counted), 1.0, raw.where)
            row.append(builder.value(raw, column.type, column.label, key=column.key, row=n,
                                     required=column.required, default_unit=default_unit_for(column.label),
                                     doubt=doubt))
        rows.append(tuple(row))
    out = [Table(tuple(c.label for c in spec.columns), tuple(rows), tuple(c.key for c in spec.columns))]
    if read.extra_columns:
        # rows read before a later page's header brought a new unknown column are shorter: blank there
        extra = tuple(
            tuple(builder.value(raw_row[k] if k < len(raw_row) else _Raw(""), ValueType.TEXT, name, row=n)
                  for k, name in enumerate(read.extra_columns))
            for n, raw_row in enumerate(read.extra_rows, start=1)
        )
        out.append(Table(tuple(read.extra_columns), extra))
    return out
