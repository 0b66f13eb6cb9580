"""Fields written as text lines, not in a table: ``标签：值`` and labels with their values below.

Schools retype a form in a new document, and a photo without ruling lines falls back to text lines; either
way the reader gives lines (:class:`docgen.extraction.TextLine`: docx paragraphs, PDF text lines, OCR text
boxes), and this module turns them into field values:

    联络员姓名：泽旺拉姆    职务：教导主任    联系电话：139 0837 2264
    → 联络员姓名 “泽旺拉姆”, 联络员职务 “教导主任”, 联络员电话 “139 0837 2264”

* **Visual rows.** OCR boxes (and any lines with boxes) on one page are one row, left to right, when each
  shares a text band with its horizontal neighbour — an OCR engine may return ``联络员姓名：泽旺拉姆`` and
  ``职务：教导主任`` as two boxes, and a photo's rows slant.
* **Several labels on a row.** A label ends at a colon (``：`` or ``:``, not ``9:30``); it starts where the
  text before the colon ends in one of the form's labels (spaces inside allowed: ``职  务``), else at the last
  word boundary. A short label that only ends a form label (``职务`` of 联络员职务 / 分管领导职务) is read in
  its row's context: the label before it on the row (``联络员姓名``), or a row-heading line above
  (``联络员``). When the context cannot decide, the value is kept under the first and marked
  :data:`AMBIGUOUS` — a value that could belong to two labels is never certain. An unknown label (``邮箱：``)
  after a space ends the value before it; a colon inside a word (``另：5月…``) does not, nor one after the
  first words of a value (``外出事由：送教下乡：语文…``). A label that ends
  the row without its colon (``…，联系电话``) is a label, and one cut by the line's end (``…填报日`` |
  ``期：…``) is joined again. A known label opening a chunk with ``；`` after it is a label too (OCR reads a
  pale ``：`` as ``；``: ``单位；彭州市…``).
* **Values below labels.** A label alone on its row (``参加人员（可另附名单）：`` or a bare ``联络员姓名``), or a
  row of bare labels, takes the next row that has no label: one chunk per label, in order.
* **A grid written as text** (the 回执 without ruling lines): column headings ``姓名  职务  联系电话`` over rows
  headed by a label (``联络员  张三  教导主任  138…``): row label × heading names each field, values placed under
  the nearest heading (boxes) or in order.
* **Values that run on.** A row without any label continues the last value on the row above when that
  field takes free text (a list of names after ``、``, a second phone number, a date range cut at ``至``).
* **Printed text is not a value.** Rows that are the blank form's printed sentences
  (:func:`docgen.printed.unprinted`) never become or continue a value.
* **A date after a value**, unlabelled (``单位：XX学校　　2019年4月23日``, the 备案表's header), is the filing date.

Pure: no I/O. The label *matching* rule is the caller's (``docgen.interpret``'s, one rule in one place): it
is passed in as :class:`FormLabels.match`.
"""

from __future__ import annotations

import functools
import itertools
import re
from collections.abc import Callable, Collection, Iterable, Mapping, Sequence
from dataclasses import dataclass, field

from docgen.extraction import BBox, Provenance, TextLine, union_box
from docgen.forms.schema import ValueType
from docgen.labels import label_key
from docgen.printed import unprinted
from docgen.values import is_blank

__all__ = ["AMBIGUOUS", "FormLabels", "LineHit", "fields_in_lines", "is_lone_date", "resolve_label", "trailing_date",
           "visual_rows"]

AMBIGUOUS = "label_ambiguous"
"""The flag of a value whose label fits several fields (``职务`` on a line of its own)."""

Match = Callable[[str], Sequence[tuple[int, int]]]
"""``text → [(score, field index)]``: 3 the field's label, 2 a synonym, 1 a looser match (interpret's rule)."""

_COLON = re.compile(r"(?<!\d)[:：﹕∶](?!//)|(?<=\d)[：﹕∶]|(?<=\d):(?!\d)")
_BOUNDARY = re.compile(r"[\s，,；;。、]+")
_WIDE_GAP = re.compile(r"\s{2,}|\t|\u3000")
_PUNCT_BOUNDARY = re.compile(r"[，,；;。、]")  # a label never spans these
_LABEL_LIKE = re.compile(r"^[\u3400-\u9fff（）()]{2,10}$")
_NOTE = r"\s*(?:[(（][^)）]*[)）])?\s*"
# a line read less sure than this may have lost a colon under a seal or a blot (the review threshold)
UNSURE = 0.9
_LIST_END = re.compile(r"[、，,；;/]\s*$")
_DATE_CUT = re.compile(r"[年月]\s*$")
_RANGE_END = re.compile(r"(?:—|–|-|~|～|至|到)\s*$")
_PHONE_ROW = re.compile(r"^[\d\s\-—()（）、,，;；/+转]+$")
_NAMES_ROW = re.compile(r"^[\u3400-\u9fff·\s、，,；;]+$")
# the last word of a row, after a separator
_LAST_WORD = re.compile(r"(?:[，,；;]|\s{2,}|\t|\u3000)\s*([^\s，,；;:：]{2,10})\s*$")
_ASIDE = re.compile(r"^[(（][^)）]*[)）]$")
_STRAY_MARK = re.compile(r"^[A-Za-z]{1,2}$")
_CJK_LAST = re.compile(r"[\u3400-\u9fff]$")
_ROW_SEPARATOR = "    "  # between the boxes of one visual row: a wide gap, as on the page

_TRAILING_DATE = re.compile(
    r"(?:^|\s+)(?P<date>(?:\d{2,4}|[_＿]*)\s*年\s*(?:\d{1,2}|[_＿]*)\s*月\s*(?:\d{1,2}|[_＿]*)\s*[日号]"
    r"|\d{4}\s*[./-]\s*\d{1,2}\s*[./-]\s*\d{1,2})\s*$"
)


def trailing_date(text: str) -> tuple[str, str | None]:
    """``("XX学校", "2019年4月23日")`` for ``XX学校　　2019年4月23日`` (a date after the value, unlabelled);
    ``(text, None)`` when no date ends it. A printed blank ``年  月  日`` counts (the form's blank date)."""
    m = _TRAILING_DATE.search(text)
    if m is None:
        return text, None
    return text[: m.start()].strip(), m.group("date")


def is_lone_date(text: str) -> bool:
    """A line that is nothing but a written date (``2019年3月14日``)."""
    m = _TRAILING_DATE.fullmatch(text.strip())
    return bool(m and not is_blank(m.group("date")) and re.search(r"\d", m.group("date")))


class FormLabels:
    """What reading lines needs to know of a form.

    ``labels[i]`` and ``types[i]``: field ``i``'s labels (printed label first) and value type; ``match`` the
    label rule; ``date_field`` the filing-date field (an unlabelled date after a value fills it), if any;
    ``extra`` labels of values kept apart (label key → name: the table's footer ``备注：``); ``printed`` the
    blank form's printed sentences (never a value)."""

    def __init__(self, labels: Sequence[Sequence[str]], types: Sequence[ValueType], match: Match, *,
                 date_field: int | None = None, extra: Mapping[str, str] | None = None,
                 printed: Sequence[str] = (), titles: Sequence[str] = ()) -> None:
        self.types = tuple(types)
        self.match = match
        self.date_field = date_field
        self.extra = dict(extra or {})
        self.printed = tuple(printed)
        self.titles = tuple(k for t in titles if (k := label_key(t)))
        self.keys = tuple(tuple(k for lb in ls if (k := label_key(lb))) for ls in labels)
        every = sorted({k for ks in self.keys for k in ks} | set(self.extra), key=len, reverse=True)
        # a known label ending the text before a colon (spaces inside it and a bracketed note allowed)
        self.label_end = _alternatives(every, "", rf"{_NOTE}$")
        # a known label (≥ 3 characters) opening a chunk, a space and no colon after it: OCR drops colons
        self.label_start = _alternatives([k for k in every if len(k) >= 3], "^", rf"{_NOTE}(?=\s)")
        # ... or any known label with a bracketed note, the value right after it: a seal pressed where the form
        # says （盖章） hides the colon after it (``学校（盖章）威海市…``), and the bracket still ends the label
        self.label_noted = _alternatives(every, "^", r"\s*[(（][^)）]*[)）](?=[^\s:：﹕∶])")
        # ... or any known label glued to its value, on a line read unsure (a seal or a blot over the colon:
        # ``单位彭州市清平小学``); longest label first, so 单位负责人意见同意 is not 单位 + 负责人意见同意
        self.label_glued = _alternatives(every, "^", rf"{_NOTE}(?=[^\s:：﹕∶])")
        # ... or any known label opening a chunk with a semicolon after it: OCR reads a pale ： as ；
        # (``单位；彭州市通济镇蓝天小学``), which elsewhere only ever separates a list's items
        self.label_semicolon = _alternatives(every, r"(?:^|(?<=\s\s)|(?<=\t|\u3000))", rf"{_NOTE}(?=[；;]\s*\S)")

    def in_title(self, text: str) -> bool:
        """Is ``text`` (two characters or more) part of the form's title?"""
        key = label_key(text)
        return len(key) >= 2 and any(key in t for t in self.titles)

    # ---- label lookup

    def options(self, text: str) -> list[int]:
        """The fields a label text may name, best first: the match rule's best score; else the fields with a
        label ending in it (``职务`` → 联络员职务, 分管领导职务)."""
        key = label_key(text)
        if not key:
            return []
        if key in self.extra:
            return []
        found = list(self.match(key))
        if found:
            best = max(score for score, _ in found)
            return _unique(i for score, i in found if score == best)
        if len(key) < 2:
            return []
        return [i for i, ks in enumerate(self.keys) if any(k.endswith(key) and k != key for k in ks)]

    def variants(self, text: str) -> list[int]:
        """The fields whose label ``text`` is a part of (``职务``, ``联系电话`` of 联络员联系电话), when it looks like a
        label (2–10 CJK characters, no digits) — never a text that holds a label and more (a title, a value)."""
        key = label_key(text)
        if not _LABEL_LIKE.match(key):
            return []
        found = [i for i in self.options(key) if any(key in k for k in self.keys[i])]
        return found or [i for i, ks in enumerate(self.keys) if any(key in k and key != k for k in ks)]

    def exact(self, text: str) -> list[int]:
        """Fields ``text`` is a label of (score 2 or 3 under the match rule)."""
        return _unique(i for score, i in self.match(label_key(text)) if score >= 2)

    def prefix_score(self, spec: int, context: int) -> int:
        """How much field ``spec``'s labels share with field ``context``'s at their start (联络员职务 and
        联络员姓名 share 联络员): how a row's earlier label qualifies a short label after it."""
        if spec == context:
            return 100
        return max((_common_prefix(a, b) for a in self.keys[spec] for b in self.keys[context]), default=0)


def _alternatives(keys: Sequence[str], before: str, after: str) -> re.Pattern[str] | None:
    """A pattern for any of ``keys`` (spaces allowed between its characters), or None for no keys."""
    return _compiled(tuple(keys), before, after)


@functools.lru_cache(maxsize=256)  # a form's labels give the same patterns for every file: compiled once
def _compiled(keys: tuple[str, ...], before: str, after: str) -> re.Pattern[str] | None:
    if not keys:
        return None
    alts = "|".join(r"\s*".join(re.escape(ch) for ch in k) for k in keys)
    return re.compile(f"{before}(?:{alts}){after}", re.IGNORECASE)


def _unique(items: Iterable[int]) -> list[int]:
    out: list[int] = []
    for i in items:
        if i not in out:
            out.append(i)
    return out


def _common_prefix(a: str, b: str) -> int:
    n = 0
    for x, y in zip(a, b, strict=False):
        if x != y:
            break
        n += 1
    return n


@dataclass(frozen=True)
class LineHit:
    """One value found in lines: for field ``spec`` (an index into :attr:`FormLabels.labels`), or for the
    extra label ``extra``. ``others``: the other fields its label may name (ambiguous when not empty);
    ``guessed``: the value was placed by position only (a date after a value, chunks under labels that do not
    line up). ``source`` identifies the place (deduplicates the same hit read twice)."""

    spec: int | None
    text: str
    confidence: float
    where: Provenance
    source: tuple[object, ...]
    extra: str | None = None
    others: tuple[int, ...] = ()
    guessed: bool = False


# ------------------------------------------------------------------------------------------- visual rows


@dataclass(frozen=True)
class _Piece:
    """Part of a row: a line (or OCR box) as read, its place in the row's text."""

    line: TextLine
    index: int
    start: int
    end: int


@dataclass(frozen=True)
class _Row:
    text: str
    pieces: tuple[_Piece, ...]

    def span(self, a: int, b: int) -> tuple[float, Provenance]:
        """Reading confidence and place of the text ``[a, b)`` of this row."""
        covered = [p for p in self.pieces if p.start < b and p.end > a] or [self.pieces[0]]
        return min(p.line.confidence for p in covered), _where(p.line.where for p in covered)

    @property
    def box(self) -> BBox | None:
        return self.pieces[0].line.where.layout_box


def _where(places: Iterable[Provenance]) -> Provenance:
    places = list(places)
    first = places[0]
    same_page = [p for p in places if p.page == first.page]
    if len(same_page) < 2 or first.bbox is None:
        return first
    return Provenance(first.page, union_box(p.bbox for p in same_page), first.ref,
                      union_box(p.upright for p in same_page))


def _same_band(a: BBox, b: BBox) -> bool:
    """Two boxes on one text row: their vertical extents overlap by half the smaller height, side by side."""
    overlap = min(a[3], b[3]) - max(a[1], b[1])
    height = min(a[3] - a[1], b[3] - b[1])
    side_by_side = min(a[2], b[2]) - max(a[0], b[0]) < 0.25 * min(a[2] - a[0], b[2] - b[0])
    return height > 0 and overlap >= 0.5 * height and side_by_side


def _gap(a: BBox, b: BBox) -> float:
    """The horizontal distance between two boxes (0 when they overlap)."""
    return max(0.0, max(a[0], b[0]) - min(a[2], b[2]))


def visual_rows(lines: Sequence[TextLine]) -> list[list[int]]:
    """Indexes of ``lines`` grouped into visual rows, in reading order, each left to right: lines with boxes
    on one page and one text band are one row (OCR returns a row's words as several boxes); a line without a
    box (docx) is a row of its own."""
    rows: list[list[int]] = []
    for i, line in enumerate(lines):
        box = line.where.layout_box
        if box is not None:
            for row in reversed(rows[-6:]):  # a box joins one of the last few rows (OCR reads band by band)
                first = lines[row[0]].where
                if first.layout_box is None or first.page != line.where.page:
                    continue
                # its horizontal neighbour in the row decides: a photo's rows slant, so a row's two ends
                # need not share a band
                near = min(row, key=lambda j: _gap(lines[j].where.layout_box or box, box))
                if _same_band(lines[near].where.layout_box or box, box):
                    row.append(i)
                    break
            else:
                rows.append([i])
        else:
            rows.append([i])
    for row in rows:
        row.sort(key=lambda j: (lines[j].where.layout_box or (0.0, 0.0, 0.0, 0.0))[0])
    return rows


def _make_row(lines: Sequence[TextLine], indexes: Sequence[int]) -> _Row:
    text = ""
    pieces: list[_Piece] = []
    for j in indexes:
        if text:
            text += _ROW_SEPARATOR
        piece = lines[j].text.strip()
        pieces.append(_Piece(lines[j], j, len(text), len(text) + len(piece)))
        text += piece
    return _Row(text, tuple(pieces))


# ------------------------------------------------------------------------------------ labels in one row


@dataclass(frozen=True)
class _Label:
    start: int  # where the label starts in the row
    end: int  # where its value starts (after the colon)
    specs: tuple[int, ...]  # fields it may name, best first; empty for an unknown or extra label
    extra: str | None = None
    colon: bool = True
    heading: bool = False  # only a part of a label, without colon: a column heading, not followed by a value


def _labels_in(row: str, form: FormLabels, read: _Row | None = None) -> list[_Label]:
    """Every label on a row, left to right (``read``: the row's lines, whose reading confidence lets a label
    whose colon a seal hid open a value)."""
    out: list[_Label] = []
    value_start = 0
    if form.label_semicolon is not None:  # the same length: every place in the row stays where it was
        for m in form.label_semicolon.finditer(row):
            row = row[: m.end()] + "：" + row[m.end() + 1 :]
    for m in _COLON.finditer(row):
        before = row[value_start : m.start()]
        found = _label_before(before, form, after_label=bool(out))
        if found is None:
            continue  # a colon inside a value
        offset, specs, extra = found
        out.append(_Label(value_start + offset, m.end(), tuple(specs), extra))
        value_start = m.end()
    if out:  # a label ending the row, its colon lost (OCR) or never typed: …，联系电话
        last = _LAST_WORD.search(row, out[-1].end)
        if last is not None and (specs := form.exact(last.group(1)) or form.variants(last.group(1))):
            out.append(_Label(last.start(1), len(row), tuple(specs)))
    return _with_colonless(row, out, form, read)


def _label_before(text: str, form: FormLabels, after_label: bool = False) -> tuple[int, list[int], str | None] | None:
    """The label ending ``text`` (the text before a colon): its start, fields and extra name; None when the
    colon is not a label's. ``after_label``: ``text`` starts right after a label's colon."""
    pattern = form.label_end
    m = pattern.search(text) if pattern is not None else None
    if m is not None:
        key = label_key(m.group(0))
        if key in form.extra:
            return m.start(), [], form.extra[key]
        specs = form.exact(key) or form.options(key)
        return m.start(), specs, None
    segment_start = max((m.end() for m in _PUNCT_BOUNDARY.finditer(text.rstrip())), default=0)
    tokens = [(m.start() + segment_start, m.group(0)) for m in re.finditer(r"\S+", text[segment_start:])]
    if not tokens:
        return None
    # words ending the text, joined from the right — across one space, or any gap between single characters
    # (a label spaced out: 职  务, 联 系 电 话): a label of the form's beats a shorter variant of one (职务 of
    # 联络员职务); the shortest variant keeps value words out
    exact: tuple[int, list[int]] | None = None
    variant: tuple[int, list[int]] | None = None
    for j in range(len(tokens) - 1, max(-1, len(tokens) - 5), -1):
        if j < len(tokens) - 1:
            (a, left), (b, right) = tokens[j], tokens[j + 1]
            if text[a + len(left) : b] != " " and not (len(left) == 1 and len(right) == 1):
                break
        words = "".join(t for _, t in tokens[j:])
        if (specs := form.exact(words)) and _LABEL_LIKE.match(label_key(words)):
            exact = (tokens[j][0], specs)
        elif variant is None and (specs := form.variants(words)):
            variant = (tokens[j][0], specs)
    found = exact if exact is not None else variant
    if found is not None:
        return found[0], found[1], None
    token_start, token = tokens[-1]
    key = label_key(token)
    for n in range(len(key) - 1, 1, -1):  # a label glued to the value before it (泽旺拉姆职务：)
        if (specs := form.variants(key[-n:])) and key[-n:] in token:
            return token_start + token.rfind(key[-n:]), specs, None
    spaced = token_start == 0 or text[token_start - 1].isspace() or _BOUNDARY.match(text[token_start - 1])
    if form.exact(text[:token_start]):
        return None  # right after a bare label (外出事由    送教下乡：语文…): a colon in its value
    if after_label and not _WIDE_GAP.search(text[:token_start]) and not text[:token_start].strip():
        return None  # first words after a label's colon (外出事由（项目）：送教下乡：语文…): a colon in its value
    if _LABEL_LIKE.match(key) and spaced:
        return token_start, [], None  # a label the form does not have: it ends the value before it
    return None


def _with_colonless(row: str, labels: list[_Label], form: FormLabels, read: _Row | None = None) -> list[_Label]:
    """Chunks (between wide gaps) that open with a known label and no colon (OCR drops colons), or that are a
    bare label, added as labels; for chunks not inside a value already found. A label glued to its value
    opens it only where ``read`` says the chunk was read unsure (its value then stays unsure too)."""
    pattern = form.label_start
    out = list(labels)
    pos = 0
    for chunk in re.split(r"(\s{2,}|\t|\u3000+)", row):
        a, b = pos, pos + len(chunk)
        pos = b
        text = chunk.strip()
        if not text or any(lb.start <= a < _value_end(labels, k, len(row)) or a <= lb.start < b
                           for k, lb in enumerate(labels)):
            continue
        bare = form.exact(text)
        if bare and label_key(text):
            out.append(_Label(a, b, tuple(bare), colon=False))
            continue
        if part := form.variants(text):  # 职务, 联系电话 alone: a heading, never followed by its value
            out.append(_Label(a, b, tuple(part), colon=False, heading=True))
            continue
        m = pattern.match(text) if pattern is not None else None
        if m is None and form.label_noted is not None:
            m = form.label_noted.match(text)
        if m is None and form.label_glued is not None and read is not None and read.span(a, b)[0] < UNSURE:
            m = form.label_glued.match(text)
            if m is not None and form.in_title(text[m.end():]):
                m = None  # the form's title under a seal: 联络员和分管领导回执 is no 联络员 named 和分管领导回执
        if m is not None and m.end() < len(text):
            specs = form.exact(m.group(0))
            if specs:
                out.append(_Label(a, a + m.end(), tuple(specs), colon=False))
    out.sort(key=lambda lb: lb.start)
    return out


def _value_end(labels: Sequence[_Label], k: int, n: int) -> int:
    return labels[k + 1].start if k + 1 < len(labels) else n


# ------------------------------------------------------------------------------------------- the lines


@dataclass
class _Open:
    """The last value on the rows read so far, which the next row may continue."""

    hit: LineHit
    texts: list[str]
    pieces: list[Provenance]
    confidence: float
    bottom: float | None
    height: float | None


@dataclass
class _State:
    form: FormLabels
    prefix: tuple[object, ...]
    hits: list[LineHit] = field(default_factory=list)
    pending: list[tuple[_Label, tuple[int, ...]]] = field(default_factory=list)  # labels waiting for a value
    context: list[int] = field(default_factory=list)  # fields named by the row-heading line above
    open: _Open | None = None
    unfilled: list[LineHit] = field(default_factory=list)  # ``label：`` with nothing after it (yet)
    columns: list[_Chunk] = field(default_factory=list)  # the column headings of a grid written as text


def fields_in_lines(lines: Sequence[TextLine], form: FormLabels, prefix: tuple[object, ...] = ("line",), *,
                    breaks: Collection[int] = ()) -> list[LineHit]:
    """The field values written in ``lines`` (rows of one document or one cell, in reading order).
    ``breaks``: indexes of lines that something else (a table) stands before — no value runs on across it."""
    state = _State(form, prefix)
    for indexes in _labels_first(lines, visual_rows(lines), form):
        row = _make_row(lines, _without_title(lines, indexes, form))
        if not row.text.strip():
            continue
        if any(j in breaks for j in indexes) or _is_printed(row.text, form):
            _close(state)
            state.pending, state.context = [], []
            _unfilled(state)
            if _is_printed(row.text, form):
                continue
        if _grid_row(state, row):
            continue
        labels = _wrapped_label(state, row) + _labels_in(row.text, form, row)
        if not labels:
            _no_label_row(state, row)
            continue
        _close(state)
        _label_row(state, row, labels)
    _close(state)
    _unfilled(state)
    return state.hits


def _is_title(text: str, form: FormLabels) -> bool:
    """Is ``text`` the form's title, or a line of it that names the form (``教育交流活动备案表`` under a program's
    heading): part of a title and holding a whole one (a synonym counts), three characters or more — never a
    value that only shares words with it (``教育交流活动``)."""
    key = label_key(text)
    return len(key) >= 3 and form.in_title(key) and any(t in key for t in form.titles)


def _without_title(lines: Sequence[TextLine], indexes: Sequence[int], form: FormLabels) -> Sequence[int]:
    """A visual row's boxes without the form's title, when the row holds more than it: in a photo the title's
    last line and the line under it (``单位：…``, left of the centred title) can share a band — the sheet
    bowed or turned — and the title would be read as the end of that line's value."""
    if len(indexes) < 2:
        return indexes
    kept = [j for j in indexes if not _is_title(lines[j].text, form)]
    return kept or indexes


def _labels_first(lines: Sequence[TextLine], rows: list[list[int]], form: FormLabels) -> list[list[int]]:
    """``rows`` with a label standing alone beside a value's lines put before them: a form's label cell
    centred on a two-line value is a row of its own halfway down that value, after its first line in reading
    order, which would otherwise run on the value above."""
    out = list(rows)
    for i in range(len(out) - 1):
        value, label = out[i], out[i + 1]
        vbox, lbox = lines[value[0]].where.layout_box, lines[label[0]].where.layout_box
        if vbox is None or lbox is None or len(label) != 1 or lbox[2] > vbox[0] or lbox[1] >= vbox[3]:
            continue  # not a label left of the row and reaching up beside it
        text = _make_row(lines, label).text.strip()
        found = _labels_in(text, form)
        if len(found) == 1 and found[0].specs and found[0].end >= len(text) and not _labels_in(
                _make_row(lines, value).text, form):
            out[i], out[i + 1] = label, value
    return out


@dataclass(frozen=True)
class _Chunk:
    """Text between wide gaps on a row: where it is in the row's text and, with boxes, its horizontal middle."""

    text: str
    start: int
    end: int
    x: float | None


def _chunks(row: _Row) -> list[_Chunk]:
    out: list[_Chunk] = []
    for m in re.finditer(r"\S+(?:[ \u00a0]\S+)*", row.text):  # runs of text, single spaces inside
        piece = next(p for p in row.pieces if p.start <= m.start() < max(p.end, p.start + 1))
        box = piece.line.where.layout_box
        x = None
        if box is not None:  # the chunk's middle, in proportion along its box
            share = ((m.start() + m.end()) / 2 - piece.start) / max(1, piece.end - piece.start)
            x = box[0] + (box[2] - box[0]) * share
        out.append(_Chunk(m.group(0), m.start(), m.end(), x))
    return out


def _grid_row(state: _State, row: _Row) -> bool:
    """A grid written as text (the 回执 photographed without ruling lines): under column headings
    ``姓名  职务  联系电话``, a row ``联络员  张三  教导主任  138…`` — row label × column heading names each
    field. Values go to the nearest heading by position (boxes), else in order when the counts agree."""
    if not state.columns:
        return False
    chunks = _chunks(row)
    if len(chunks) < 2:
        return False
    form = state.form
    head = chunks[0].text
    specs = [form.exact(head + column.text) for column in state.columns]
    if sum(1 for s in specs if s) < max(2, len(specs) // 2 + 1):
        return False
    values = chunks[1:]
    placed: dict[int, _Chunk] = {}
    if all(c.x is not None for c in [*values, *state.columns]):
        for value in values:
            k = min(range(len(state.columns)), key=lambda i: abs((state.columns[i].x or 0.0) - (value.x or 0.0)))
            if k in placed:
                return False  # two values under one heading: not a grid row after all
            placed[k] = value
    elif len(values) == len(state.columns):
        placed = dict(enumerate(values))
    else:
        return False
    _close(state)
    _unfilled(state)
    state.pending, state.context = [], []
    for k, found in enumerate(specs):
        if not found:
            continue
        cell = placed.get(k)
        a, b = (cell.start, cell.end) if cell is not None else (chunks[0].start, chunks[0].end)
        conf, where = row.span(a, b)
        source = (*state.prefix, row.pieces[0].index, "grid", k)
        state.hits.append(LineHit(found[0], cell.text if cell is not None else "", conf, where, source))
    return True


_LABEL_TAIL = re.compile(r"^\s*([\u3400-\u9fff]{1,4})\s*[:：]")


def _wrapped_label(state: _State, row: _Row) -> list[_Label]:
    """A label cut by the line's end (``…初级中学 填报日`` | ``期：2016年9月12日``): the start of it is taken
    back from the value on the row above, and the row opens with the whole label."""
    m = _LABEL_TAIL.match(row.text)
    o = state.open
    if m is None or o is None or o.hit.spec is None or _labels_in(row.text[: m.end()], state.form):
        return []
    last = o.texts[-1].rstrip()
    for n in range(min(8, len(last)), 0, -1):  # the longest label wins (填报日期, not 日期)
        specs = state.form.exact(last[-n:] + m.group(1))
        if specs and specs != [o.hit.spec]:
            o.texts[-1] = last[:-n].rstrip()
            return [_Label(m.start(1), m.end(), tuple(specs))]
    return []


def _is_printed(text: str, form: FormLabels) -> bool:
    return bool(form.printed) and not unprinted(text, form.printed)


def resolve_label(specs: Sequence[int], context: Sequence[int], form: FormLabels) -> tuple[int, tuple[int, ...]]:
    """The field a label that may name several (``specs``) names, read after the fields ``context`` on its
    row: the one sharing most of their label's start (职务 after 联络员姓名 → 联络员职务). With no decision,
    the first, and the others it may name."""
    if len(specs) == 1:
        return specs[0], ()
    scored = [(max((form.prefix_score(s, c) for c in context), default=0), s) for s in specs]
    best = max(score for score, _ in scored)
    winners = [s for score, s in scored if score == best]
    if best > 0 and len(winners) == 1:
        return winners[0], ()
    return winners[0], tuple(s for s in specs if s != winners[0])


def _unfilled(state: _State) -> None:
    """Labels still waiting for a value below them get none: they were found, empty."""
    state.hits.extend(state.unfilled)
    state.unfilled = []


def _label_row(state: _State, row: _Row, labels: Sequence[_Label]) -> None:
    form = state.form
    _unfilled(state)
    context = list(state.context)
    pending: list[tuple[_Label, tuple[int, ...]]] = []
    heading_only = True
    for k, label in enumerate(labels):
        end = _value_end(labels, k, len(row.text))
        if k + 1 < len(labels):  # 教导主任，职务：… — the separator before the next label is not the value's
            end = label.end + len(row.text[label.end : end].rstrip().rstrip("，,；;。、").rstrip())
        value = row.text[label.end : end].strip()
        a = label.end + (len(row.text[label.end : end]) - len(row.text[label.end : end].lstrip()))
        if label.extra is not None:
            conf, where = row.span(a, end)
            _emit(state, LineHit(None, value, conf, where, (*state.prefix, row.pieces[0].index, k), extra=label.extra),
                  row)
            heading_only = False
            continue
        if not label.specs:
            heading_only = False
            continue  # a label the form does not have: its value is not ours
        spec, others = resolve_label(label.specs, context, form)
        if not others:  # only a label that is sure qualifies the ones after it
            context.append(spec)
        if label.heading or (not label.colon and not value):
            pending.append((label, (spec, *others)))
            continue
        heading_only = False
        dated = form.date_field is not None and form.types[spec] is not ValueType.DATE
        date_text, date_span = None, (a, end)
        if form.types[spec] is not ValueType.TEXT:  # a box far to the right, unlabelled, is not this value
            near = _near_end(row, a, end)
            if dated and near < end and is_lone_date(row.text[near:end]):
                # ... but a date there is the form's own (the 备案表's header date, far right on the 单位's row;
                # a seal over the name makes OCR read the two as separate boxes)
                date_text = row.text[near:end].strip()
                date_span = (near + len(row.text[near:end]) - len(row.text[near:end].lstrip()), end)
            end = near
            value = row.text[label.end : end].strip()
        if dated and date_text is None:
            value, date_text = trailing_date(value)
            date_span = (a, end)
        conf, where = row.span(a, end)
        date_conf, date_where = row.span(*date_span)
        source = (*state.prefix, row.pieces[0].index, k)
        if is_blank(value) and label is labels[-1] and date_text is None:
            pending.append((label, (spec, *others)))  # 参加人员： with the names on the next row
            state.unfilled.append(LineHit(spec, value, conf, where, source, others=others))
            continue
        _emit(state, LineHit(spec, value, conf, where, source, others=others), row)
        if date_text is not None and form.date_field is not None:
            _close(state)
            state.hits.append(LineHit(form.date_field, date_text, date_conf, date_where, (*source, "date")))
    state.pending = pending
    # a row of bare labels (联络员) qualifies the labels on the rows below it; several may head a grid's columns
    state.context = [s for _, (s, *_) in pending] if heading_only else []
    if heading_only and len(headings := _chunks(row)) >= 2:
        state.columns = headings


def _near_end(row: _Row, a: int, end: int) -> int:
    """Where the text from ``a`` stops being one value: at the first gap between boxes wider than twice the
    text's height (a school name does not jump half a page to the right)."""
    pieces = [p for p in row.pieces if p.start < end and p.end > a]
    for left, right in itertools.pairwise(pieces):
        lb, rb = left.line.where.layout_box, right.line.where.layout_box
        if lb is not None and rb is not None and rb[0] - lb[2] > 2 * max(lb[3] - lb[1], rb[3] - rb[1]):
            return min(end, left.end)
    return end


def _emit(state: _State, hit: LineHit, row: _Row) -> None:
    """``hit`` is the open value now (the rows below may continue it); the one open before is final."""
    _close(state)
    box = row.box
    state.open = _Open(hit, [hit.text], [hit.where], hit.confidence,
                       box[3] if box is not None else None, (box[3] - box[1]) if box is not None else None)


def _close(state: _State) -> None:
    """The open value is final: record it (with the rows that continued it)."""
    if state.open is None:
        return
    o = state.open
    text = "\n".join(t for t in o.texts if t)
    hit = o.hit
    where = _where(o.pieces) if len(o.pieces) > 1 else hit.where
    state.hits.append(LineHit(hit.spec, text, o.confidence, where, hit.source, hit.extra, hit.others, hit.guessed))
    state.open = None


def _no_label_row(state: _State, row: _Row) -> None:
    """A row with no label: the values of the labels above it, or more of the value on the row above."""
    form = state.form
    if state.pending:
        chunks = [c for c in _WIDE_GAP.split(row.text) if c.strip()]
        pending, unfilled = state.pending, state.unfilled
        state.pending, state.context, state.unfilled = [], [], []
        if len(pending) == 1:
            chunks = [row.text.strip()]
        lined_up = len(chunks) == len(pending)
        pos = 0
        for n, (_, (spec, *others)) in enumerate(pending):
            if n >= len(chunks):
                break
            a = row.text.find(chunks[n], pos)
            pos = a + len(chunks[n])
            conf, where = row.span(a, pos)
            source = (*state.prefix, row.pieces[0].index, "below", n)
            _emit(state, LineHit(spec, chunks[n].strip(), conf, where, source, others=tuple(others),
                                 guessed=not lined_up), row)
        filled = {spec for spec, *_ in (p[1] for p in pending[: len(chunks)])}
        state.hits.extend(h for h in unfilled if h.spec not in filled)
        return
    o = state.open
    if o is not None and is_lone_date(row.text) and form.date_field is not None and o.hit.spec is not None \
            and form.types[o.hit.spec] is not ValueType.DATE and not any(h.spec == form.date_field for h in state.hits):
        # the 单位's date on the line below it (a cell's second line, a wrapped header): the filing date — sure
        # only within one cell or paragraph
        conf, where = row.span(0, len(row.text))
        same_place = where == o.hit.where or (where.ref is not None and where.ref == o.hit.where.ref)
        _close(state)
        state.hits.append(LineHit(form.date_field, row.text.strip(), conf, where,
                                  (*state.prefix, row.pieces[0].index, "date"), guessed=not same_place))
        return
    if o is None or is_lone_date(row.text) or not _continues(o, row, form):
        _close(state)
        headings = _chunks(row)
        if len(headings) >= 2:  # perhaps column headings (姓名  职务  联系电话) over rows headed by a label
            state.columns = headings
        return
    conf, where = row.span(0, len(row.text))
    kind = ValueType.TEXT if o.hit.spec is None else form.types[o.hit.spec]
    if kind in (ValueType.PHONE, ValueType.DATE) and not _LIST_END.search(o.texts[-1]):
        o.texts[-1] += row.text.strip()  # one number or date wrapped at the line's end
    else:
        o.texts.append(row.text.strip())
    o.pieces.append(where)
    o.confidence = min(o.confidence, conf)
    if row.box is not None:
        o.bottom = row.box[3]


def _continues(o: _Open, row: _Row, form: FormLabels) -> bool:
    """Whether a label-less row goes on with the open value: close below it, and text of the value's kind."""
    box = row.box
    if box is not None and o.bottom is not None and o.height is not None and (
        o.hit.where.page != row.pieces[0].line.where.page or box[1] - o.bottom > 1.2 * o.height
    ):
        return False  # another page, or a gap wider than a line: not the same value
    text = row.text.strip()
    if _ASIDE.match(text):
        return False  # （盖章）, （签字）: a remark beside the form, not more of the value
    last = o.texts[-1]
    if _STRAY_MARK.match(text) and _CJK_LAST.search(last):
        # a Chinese value does not wrap into a lone Latin letter: a mark read as one (a seal's arc, a tick)
        return False
    kind = ValueType.TEXT if o.hit.spec is None else form.types[o.hit.spec]
    if kind is ValueType.TEXT:
        return True
    if kind is ValueType.PHONE:  # a second number, or the rest of one wrapped at the line's end
        return bool(_PHONE_ROW.match(text)) and sum(ch.isdigit() for ch in text) >= 3
    if kind is ValueType.NAME:
        return bool(_LIST_END.search(last)) and bool(_NAMES_ROW.match(text))
    if kind is ValueType.DATE:  # 2019年4月23日至 | 4月26日, or 2019年 | 3月15日 wrapped
        cut = _RANGE_END.search(last) or _DATE_CUT.search(last)
        return bool(cut) and bool(re.match(r"[\d一二三四五六七八九十〇]", text))
    return False
