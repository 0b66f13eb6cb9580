"""Read a returned .docx form into a :class:`~docgen.extraction.ReadDocument`.

    doc = read_docx(data, "统计表.docx")
    doc.tables[0].grid()[2][1].text

``word/document.xml`` is walked with lxml (python-docx's ``row.cells`` repeats merged cells and loses
content controls). What is read, and how:

* **Body order.** Paragraphs become :class:`TextLine`\\ s (one per visual line: a ``w:br`` splits a paragraph
  into lines; empty lines are dropped), tables become :class:`ReadTable`\\ s; both in document order.
  Content controls (``w:sdt``) and custom XML are unwrapped at block, row, cell and run level.
* **Tables** are laid on the grid Word uses: ``w:gridBefore``/``w:gridAfter`` shift a row (those positions
  stay uncovered, ``None`` in ``grid()``), ``w:gridSpan`` is the colspan, ``w:vMerge`` restart/continue the
  rowspan (a continue cell's text, normally empty, is appended to the merged cell so nothing is lost),
  legacy ``w:hMerge`` continue widens the cell to its left. Every grid cell is a :class:`Cell`, empty or not
  (blank rows of a 统计表 matter). Cell text: paragraphs joined with ``\\n``, stripped.
* **Nested tables** are read as their own ``ReadTable`` (numbered after their parent, in document order) *and*
  their text stays in the parent cell (cells of a nested row joined by a space, rows by ``\\n``), so an
  interpreter that only looks at the parent still sees the values.
* **Runs:** ``w:t`` text, ``w:tab`` → space, ``w:br``/``w:cr`` → newline, ``w:noBreakHyphen`` → ``-``;
  insertions (``w:ins``, ``w:moveTo``) kept, deletions (``w:del``, ``w:moveFrom``) dropped, field codes
  (``w:instrText``) skipped while field results are kept, hidden runs (``w:vanish``) dropped.
  ``mc:AlternateContent`` is read once (its Choice, else its Fallback).
* **Text boxes** (``w:txbxContent``, DrawingML or VML) are read as lines (and tables) right after the
  paragraph that anchors them.
* **Identity:** the custom property ``docgen-identity`` (docProps/custom.xml) first, then every
  ``DG1:…:…:…:N`` code in the text (lines, cells, headers and footers), de-duplicated.
* **Provenance:** ``ref`` — ``"表1 第3行 第2列"`` for cells (1-based, grid positions), ``"第5段"`` for lines
  (``"页眉"``/``"页脚"`` for those parts). Confidence is 1.0 throughout.

Safety (untrusted uploads): at most 2000 zip members, 200 MB uncompressed in total and a compression ratio of
100 per large member, checked against the headers *and* while reading (headers can lie); encrypted members,
a DOCTYPE anywhere in a part we parse (OOXML has none; it is how entity attacks start), and a main document
whose XML does not parse are refused; a damaged header, footer or properties part is skipped with a problem
(``word/footer1.xml 已损坏，已跳过（正文照常读取）``) and the body is read. Every refusal is an
:class:`~docgen.errors.UnreadableDocument` with a Chinese reason; nothing else escapes for a damaged file (no
``KeyError``, no ``BadZipFile``).
"""

from __future__ import annotations

import io
import posixpath
import re
import zipfile
import zlib
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field

from lxml import etree

from docgen.errors import UnreadableDocument
from docgen.extraction import Cell, InputKind, Provenance, ReadDocument, ReadTable, TextLine

__all__ = ["MAX_MEMBERS", "MAX_RATIO", "MAX_UNCOMPRESSED", "find_identity_codes", "read_docx"]

MAX_MEMBERS = 2000
MAX_UNCOMPRESSED = 200 * 1024 * 1024
MAX_RATIO = 100
_RATIO_MIN_SIZE = 1024 * 1024  # small parts compress far better than 100:1 legitimately (repeated XML)

W = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"
MC = "http://schemas.openxmlformats.org/markup-compatibility/2006"
REL = "http://schemas.openxmlformats.org/package/2006/relationships"
OFFICE_DOC = "http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument"
CUSTOM_PROPS = "http://schemas.openxmlformats.org/officeDocument/2006/custom-properties"
IDENTITY_PROPERTY = "docgen-identity"

IDENTITY_RE = re.compile(r"DG1:[^\s:：]+:[^\s:：]+:[^\s:：]+:\d+")
_DOCTYPE_RE = re.compile(rb"<!DOCTYPE", re.IGNORECASE)


def _w(tag: str) -> str:
    return f"{{{W}}}{tag}"


_P, _TBL, _TR, _TC, _SDT, _SDT_CONTENT, _CUSTOM_XML = (
    _w(t) for t in ("p", "tbl", "tr", "tc", "sdt", "sdtContent", "customXml")
)
_TXBX = _w("txbxContent")
_ALT, _CHOICE, _FALLBACK = f"{{{MC}}}AlternateContent", f"{{{MC}}}Choice", f"{{{MC}}}Fallback"
# Containers whose children are read as if they stood in the container's place.
_TRANSPARENT = {_CUSTOM_XML, _w("smartTag"), _w("hyperlink"), _w("fldSimple"), _w("ins"), _w("moveTo"),
                _w("dir"), _w("bdo")}
_DROPPED = {_w("del"), _w("moveFrom"), _w("pPr"), _w("rPr"), _w("tcPr"), _w("trPr"), _w("tblPr"),
            _w("tblGrid"), _w("sdtPr"), _w("sdtEndPr"), _w("sectPr"), _w("proofErr"), _w("bookmarkStart"),
            _w("bookmarkEnd"), _w("commentRangeStart"), _w("commentRangeEnd")}


def find_identity_codes(texts: Iterable[str]) -> list[str]:
    """Every ``DG1:…`` code in ``texts``, in order of first appearance."""
    seen: dict[str, None] = {}
    for text in texts:
        for m in IDENTITY_RE.finditer(text):
            seen.setdefault(m.group(0), None)
    return list(seen)


# --------------------------------------------------------------------------------------------- package


class _Package:
    """The zip, with limits enforced on every read; members by name."""

    def __init__(self, data: bytes, source: str) -> None:
        self.source = source
        try:
            self.zip = zipfile.ZipFile(io.BytesIO(data))
            infos = self.zip.infolist()
        except (zipfile.BadZipFile, zipfile.LargeZipFile, ValueError, OSError, EOFError):
            raise self.error("不是有效的 Word 文档（ZIP 结构损坏）") from None
        if len(infos) > MAX_MEMBERS:
            raise self.error(f"压缩包成员过多（{len(infos)} 个，上限 {MAX_MEMBERS}），已拒绝")
        total = sum(i.file_size for i in infos)
        if total > MAX_UNCOMPRESSED:
            raise self.error(f"压缩比异常：解压后 {total // (1024 * 1024)} MB，超过上限 200 MB，已拒绝")
        for info in infos:
            if info.flag_bits & 0x1:
                raise self.error("文件已加密")
            if info.file_size > _RATIO_MIN_SIZE and info.file_size > MAX_RATIO * max(info.compress_size, 1):
                raise self.error(f"压缩比异常（{info.filename} 超过 {MAX_RATIO} 倍），已拒绝")
        self.names = {i.filename for i in infos}
        self.budget = MAX_UNCOMPRESSED

    def error(self, reason: str) -> UnreadableDocument:
        return UnreadableDocument(reason, source=self.source)

    def read(self, name: str) -> bytes | None:
        """The member's bytes (None when absent); reading stops at the budget, whatever the header says."""
        if name not in self.names:
            return None
        info = self.zip.getinfo(name)
        limit = min(self.budget, max(info.compress_size, 1) * MAX_RATIO, MAX_UNCOMPRESSED)
        limit = max(limit, min(_RATIO_MIN_SIZE, self.budget))
        try:
            with self.zip.open(info) as fh:
                data = fh.read(limit + 1)
        except RuntimeError:  # zipfile's way of saying "encrypted"
            raise self.error("文件已加密") from None
        except (zipfile.BadZipFile, OSError, EOFError, ValueError, zlib.error):
            raise DamagedPart(f"不是有效的 Word 文档（{name} 已损坏）", source=self.source) from None
        if len(data) > limit:
            raise self.error(f"压缩比异常（{name} 解压后超出上限），已拒绝")
        self.budget -= len(data)
        return data

    def xml(self, name: str) -> etree._Element | None:
        data = self.read(name)
        if data is None:
            return None
        return parse_xml(data, name, self.source)

    def main_part(self) -> str:
        """The office document part named by ``_rels/.rels`` (normally ``word/document.xml``)."""
        rels = self.xml("_rels/.rels")
        if rels is not None:
            for rel in rels.iter(f"{{{REL}}}Relationship"):
                if rel.get("Type") == OFFICE_DOC and rel.get("TargetMode") != "External":
                    target: str = posixpath.normpath(str(rel.get("Target", "")).lstrip("/"))
                    if target in self.names:
                        return target
        if "word/document.xml" in self.names:
            return "word/document.xml"
        raise self.error("不是有效的 Word 文档（缺少 word/document.xml）")


class DamagedPart(UnreadableDocument):
    """A package part that cannot be unpacked or parsed (not a trap: those stay :class:`UnreadableDocument`).
    Fatal for the main document; a header, footer or property part is skipped with a problem instead."""


def _secondary(package: _Package, part: str, problems: list[str]) -> etree._Element | None:
    """A part the form can do without (header, footer, document properties): damaged, it is a problem of
    the document and the body is still read; a trap in it (DOCTYPE, bomb, encryption) still refuses the file."""
    try:
        return package.xml(part)
    except DamagedPart:
        problems.append(f"{part} 已损坏，已跳过（正文照常读取）")
        return None


def parse_xml(data: bytes, part: str, source: str) -> etree._Element:
    """Parse one package part safely: no DTD, no entities, no network, no huge trees."""
    if _DOCTYPE_RE.search(data):
        raise UnreadableDocument(f"文档含 DOCTYPE 声明（{part}；可能是 XML 实体攻击），已拒绝", source=source)
    parser = etree.XMLParser(
        resolve_entities=False, no_network=True, huge_tree=False, load_dtd=False, dtd_validation=False
    )
    try:
        return etree.fromstring(data, parser)
    except etree.XMLSyntaxError:
        raise DamagedPart(f"不是有效的 Word 文档（{part} 的 XML 已损坏）", source=source) from None


# --------------------------------------------------------------------------------------------- text


def _children(el: etree._Element) -> Iterator[etree._Element]:
    """Children with content controls, custom XML and AlternateContent unwrapped (at any level)."""
    for child in el:
        tag = child.tag
        if not isinstance(tag, str):  # comments, processing instructions
            continue
        if tag == _SDT:
            content = child.find(_SDT_CONTENT)
            if content is not None:
                yield from _children(content)
        elif tag == _CUSTOM_XML:
            yield from _children(child)
        elif tag == _ALT:
            chosen = child.find(_CHOICE)
            if chosen is None:
                chosen = child.find(_FALLBACK)
            if chosen is not None:
                yield from _children(chosen)
        else:
            yield child


def _is_hidden(run: etree._Element) -> bool:
    rpr = run.find(_w("rPr"))
    if rpr is None:
        return False
    vanish = rpr.find(_w("vanish"))
    return vanish is not None and vanish.get(_w("val"), "true") not in ("0", "false", "off")


def _inline_text(el: etree._Element, out: list[str], boxes: list[etree._Element]) -> None:
    """Append the visible text of a paragraph (or part of one) to ``out``; collect text boxes in ``boxes``."""
    for child in _children(el):
        tag = child.tag
        if tag in _DROPPED:
            continue
        if tag == _w("r"):
            if _is_hidden(child):
                continue
            _run_text(child, out, boxes)
        elif tag == _TXBX:
            boxes.append(child)
        else:
            _inline_text(child, out, boxes)


def _run_text(run: etree._Element, out: list[str], boxes: list[etree._Element]) -> None:
    for child in _children(run):
        tag = child.tag
        if tag == _w("t"):
            out.append(child.text or "")
        elif tag in (_w("tab"), _w("ptab")):
            out.append(" ")
        elif tag in (_w("br"), _w("cr")):
            out.append("\n")
        elif tag == _w("noBreakHyphen"):
            out.append("-")
        elif tag in (_w("instrText"), _w("delText"), _w("delInstrText"), _w("rPr")):
            continue
        else:  # w:drawing, w:pict, w:object …: only text boxes inside carry text
            boxes.extend(_outer_boxes(child))


def _outer_boxes(el: etree._Element) -> Iterator[etree._Element]:
    """Text boxes under ``el``, not descending into them (a box in a box is read with its parent)."""
    for child in el:
        if child.tag == _TXBX:
            yield child
        elif child.tag == _FALLBACK:  # mc:Fallback repeats the Choice as VML
            continue
        elif isinstance(child.tag, str):
            yield from _outer_boxes(child)


def _paragraph_text(p: etree._Element) -> tuple[str, list[etree._Element]]:
    out: list[str] = []
    boxes: list[etree._Element] = []
    _inline_text(p, out, boxes)
    return "".join(out), boxes


class _Reader:
    def __init__(self, source: str) -> None:
        self.source = source
        self.tables: list[ReadTable] = []
        self.lines: list[TextLine] = []
        self.paragraphs = 0

    # Block containers: body, cell, text box. Lines outside tables go to self.lines; tables to self.tables.
    def block(self, container: etree._Element, part_ref: str | None = None) -> None:
        for child in _children(container):
            if child.tag == _P:
                self.paragraph(child, part_ref)
            elif child.tag == _TBL:
                self.table(child)

    def paragraph(self, p: etree._Element, part_ref: str | None) -> None:
        self.paragraphs += 1
        text, boxes = _paragraph_text(p)
        ref = part_ref or f"第{self.paragraphs}段"
        for line in text.split("\n"):
            if line.strip():
                self.lines.append(TextLine(line.strip(), 1.0, Provenance(ref=ref)))
        for box in boxes:
            self.block(box, part_ref=f"{ref} 文本框")

    def table(self, tbl: etree._Element, parent: str | None = None) -> str:
        """Read ``tbl`` (and its nested tables) into self.tables; return its text for a parent cell."""
        index = len(self.tables)
        lines_before = len(self.lines)
        self.tables.append(ReadTable((), 0, 0))  # placeholder keeps parents before their nested tables
        number = index + 1
        label = f"表{number}" if parent is None else f"表{number}（嵌于{parent}）"
        grid_cols = len(tbl.findall(f"{_w('tblGrid')}/{_w('gridCol')}"))
        builder = _GridBuilder()
        for r, tr in enumerate(c for c in _children(tbl) if c.tag == _TR):
            builder.start_row(r, _int_val(tr.find(_w("trPr")), "gridBefore"))
            for tc in (c for c in _children(tr) if c.tag == _TC):
                tcpr = tc.find(_w("tcPr"))
                span = max(1, _int_val(tcpr, "gridSpan", 1))
                vmerge = _merge_val(tcpr, "vMerge")
                hmerge = _merge_val(tcpr, "hMerge")
                text = self.cell_text(tc, f"表{number} 第{r + 1}行")
                builder.add(text, span, vmerge, hmerge)
            builder.end_row()
        cells = []
        for b in builder.cells:
            ref = f"{label} 第{b.row + 1}行 第{b.col + 1}列"
            cells.append(Cell("\n".join(t for t in b.texts if t).strip(), b.row, b.col, b.rowspan, b.colspan, 1.0,
                              Provenance(ref=ref)))
        n_cols = max(grid_cols, builder.width)
        self.tables[index] = ReadTable(tuple(cells), builder.rows, n_cols, lines_before=lines_before)
        return "\n".join(
            " ".join(c.text for c in sorted(row_cells, key=lambda c: c.col) if c.text)
            for row_cells in _by_row(cells, builder.rows)
        ).strip()

    def cell_text(self, tc: etree._Element, where: str) -> str:
        parts: list[str] = []
        for child in _children(tc):
            if child.tag == _P:
                text, boxes = _paragraph_text(child)
                parts.append(text)
                for box in boxes:  # a text box inside a cell: its text belongs to the cell
                    sub = _Reader(self.source)
                    sub.block(box)
                    parts.extend(line.text for line in sub.lines)
            elif child.tag == _TBL:
                parts.append(self.table(child, parent=where))
        return "\n".join(p.strip() for p in "\n".join(parts).split("\n")).strip()


def _by_row(cells: list[Cell], rows: int) -> list[list[Cell]]:
    out: list[list[Cell]] = [[] for _ in range(rows)]
    for c in cells:
        out[c.row].append(c)
    return out


def _int_val(parent: etree._Element | None, tag: str, default: int = 0) -> int:
    el = parent.find(_w(tag)) if parent is not None else None
    if el is None:
        return default
    try:
        return max(0, min(int(el.get(_w("val"), default)), 1000))
    except ValueError:
        return default


def _merge_val(tcpr: etree._Element | None, tag: str) -> str | None:
    """``"restart"``, ``"continue"`` or None for a ``w:vMerge``/``w:hMerge`` (no val means continue)."""
    el = tcpr.find(_w(tag)) if tcpr is not None else None
    if el is None:
        return None
    return "restart" if el.get(_w("val")) == "restart" else "continue"


@dataclass
class _CellBuilder:
    row: int
    col: int
    colspan: int
    rowspan: int = 1
    texts: list[str] = field(default_factory=list)


class _GridBuilder:
    """Places cells on the table grid: gridBefore shifts, gridSpan widens, vMerge continue lengthens."""

    def __init__(self) -> None:
        self.cells: list[_CellBuilder] = []
        self.rows = 0
        self.width = 0
        self.open: dict[int, _CellBuilder] = {}  # vertical merges that may continue, by start column
        self._row = 0
        self._col = 0
        self._continued: set[int] = set()
        self._row_cells: list[_CellBuilder] = []

    def start_row(self, r: int, before: int) -> None:
        self._row = r
        self._col = before
        self._continued = set()
        self._row_cells = []

    def add(self, text: str, span: int, vmerge: str | None, hmerge: str | None) -> None:
        col = self._col
        self._col += span
        self.width = max(self.width, self._col)
        if hmerge == "continue" and self._row_cells and self._row_cells[-1].row == self._row:
            prev = self._row_cells[-1]
            prev.colspan += span
            prev.texts.append(text)
            return
        above = self.open.get(col)
        if vmerge == "continue" and above is not None and above.row + above.rowspan == self._row:
            above.rowspan += 1
            above.texts.append(text)
            self._continued.add(col)
            self._row_cells.append(above)
            return
        cell = _CellBuilder(self._row, col, span, texts=[text])
        self.cells.append(cell)
        self._row_cells.append(cell)
        if vmerge == "restart":
            self.open[col] = cell
            self._continued.add(col)

    def end_row(self) -> None:
        self.open = {c: cell for c, cell in self.open.items() if c in self._continued}
        self.rows = self._row + 1


# --------------------------------------------------------------------------------------------- entry


def read_docx(data: bytes, name: str) -> ReadDocument:
    """Read a .docx upload; raises :class:`UnreadableDocument` (with a Chinese reason) when it cannot."""
    package = _Package(data, name)
    try:
        return _read_package(package, name)
    finally:
        package.zip.close()


def _read_package(package: _Package, name: str) -> ReadDocument:
    main = package.main_part()
    root = package.xml(main)
    body = root.find(_w("body")) if root is not None else None
    if root is None or body is None:
        raise UnreadableDocument("不是有效的 Word 文档（正文缺失）", source=name)
    reader = _Reader(name)
    reader.block(body)

    problems: list[str] = []
    extra_texts: list[str] = []  # headers and footers: only scanned for identity codes
    for part in sorted(package.names):
        if re.fullmatch(r"word/(header|footer)\d*\.xml", part):
            el = _secondary(package, part, problems)
            if el is not None:
                extra_texts.extend(t.text or "" for t in el.iter(_w("t")))

    codes: list[str] = []
    custom = _secondary(package, "docProps/custom.xml", problems)
    if custom is not None:
        for prop in custom.iter(f"{{{CUSTOM_PROPS}}}property"):
            if prop.get("name") == IDENTITY_PROPERTY:
                value = "".join(prop.itertext()).strip()
                if value:
                    codes.append(value)
    texts = [line.text for line in reader.lines]
    texts += [c.text for t in reader.tables for c in t.cells]
    texts.append("".join(extra_texts))
    for code in find_identity_codes(texts):
        if code not in codes:
            codes.append(code)

    return ReadDocument(
        source=name,
        input_kind=InputKind.DOCX,
        pages=_page_count(package, problems),
        tables=tuple(reader.tables),
        lines=tuple(reader.lines),
        identity_codes=tuple(codes),
        problems=tuple(problems),
    )


def _page_count(package: _Package, problems: list[str]) -> int:
    """Pages as Word last counted them (docProps/app.xml), else 1."""
    app = _secondary(package, "docProps/app.xml", problems)
    if app is not None:
        for el in app.iter("{*}Pages"):
            if (el.text or "").strip().isdigit():
                return max(1, int((el.text or "").strip()))
    return 1
