"""Read a born-digital PDF (one with a usable text layer) into a :class:`~docgen.extraction.ReadDocument`.

    doc = read_pdf(data, "统计表.pdf")      # raises NeedsOcr when the text layer is unusable

pdfplumber runs in a child process (``extractors._sandbox``) with a time and a memory limit: it can loop
forever on a PDF whose references form a cycle, and a bomb must not take the caller down. Only plain,
picklable results cross back.

What is read:

* **Tables** — ``page.find_tables()`` with the lattice (ruling lines) strategy. pdfplumber reports a merged
  cell once, as one rectangle; the grid is rebuilt from the rectangles themselves: every distinct cell edge
  (within 2 pt) is a grid line, so a cell's row/column and its rowspan/colspan follow from which grid lines it
  starts and ends on. A "table" of a single cell (a frame or page border) is not a table.
* **Cell text** — characters are assigned to the cell that contains their centre, grouped into visual lines
  and joined in reading order: a space inside a line where the gap is wider than a quarter of the font size;
  lines joined with ``""`` when either side is CJK (``2019年4月`` + ``23日`` → ``2019年4月23日``) or when the
  previous line was full (a long token broken by the cell width: ``DG1:pz2`` + ``019`` → ``DG1:pz2019``),
  otherwise with a space (a Latin word wrap).
* **Lines** — characters outside every table, grouped the same way, are :class:`TextLine`\\ s in reading
  order (page, then top to bottom, then left to right).
* **Coordinates** — ``bbox`` is ``(x0, top, x1, bottom)`` in PDF points with the origin at the top-left of
  the page (pdfplumber's convention; the image reader uses the same orientation in pixels). ``ref`` names
  the place too (``"第1页 表1 第3行 第2列"``).
* **Identity** — every ``DG1:…:…:…:N`` code in the text (lines and cells).
* **Not computed** — what no value needs: a character's attributes beyond its text, box and size
  (:data:`CHAR_KEYS`; pdfplumber makes two dozen), and a Type1 font program's own encoding unless a character's
  code is missing from the font's ``ToUnicode`` map (:class:`_FontProgramEncoding`). Each was 10–15 % of a
  one-page form's parse (issue 12, item 6: a digital PDF in a warm worker ≤ 50 ms CPU).

When the text layer cannot be trusted — ``(cid:NN)`` glyphs (a CJK font without a ToUnicode map), mostly
replacement or private-use characters, or a page with images or drawings but no text at all — ``read_pdf``
raises :class:`NeedsOcr` (with the reason in Chinese) and ``extractors.read`` hands the file to the scan
reader. One unusable page routes the whole file: a returned form is a few pages, and OCR reads born-digital
pages well.

An encrypted PDF that needs a password, a damaged one, one with more than ``MAX_PAGES`` pages, or one that
exhausts the time or memory limit is an :class:`~docgen.errors.UnreadableDocument` — always with one Chinese
line, whatever the parser raised (:func:`refusal`): a ``RecursionError`` (a page tree or an object nested
thousands deep), a reference loop (objects that only point at each other: pdfminer would follow them forever,
so :func:`_guard_reference_loops` stops a chain at its first repeat), any pdfminer error. A PDF that needs
only an *owner* password (printing or editing restricted, an empty user password) is read like any other.
A damaged cross-reference table is rebuilt by pdfminer (it scans for ``N 0 obj``); when that finds no page,
or pdfminer cannot decrypt an owner-password-only file, pdfium rewrites it (:func:`repaired`) and it is
read again.

Each page is read on its own: a page the parser fails on is a problem of the document (``第2页无法读取（…），
已跳过``) and the other pages keep their tables and lines; only a file where no page could be read is refused.
"""

from __future__ import annotations

import bisect
import io
import itertools
import unicodedata
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from docgen.errors import UnreadableDocument
from docgen.extraction import BBox, Cell, InputKind, Provenance, ReadDocument, ReadTable, TextLine
from extractors._sandbox import Limits, SandboxError, exception_chain, run_limited
from extractors.docx import find_identity_codes

__all__ = ["DEFAULT_LIMITS", "MAX_PAGES", "NeedsOcr", "ReferenceLoop", "parse_pdf", "read_pdf", "refusal", "repaired"]

MAX_PAGES = 300
DEFAULT_LIMITS = Limits(seconds=60.0, memory_bytes=1536 << 20)
TABLE_SETTINGS: dict[str, Any] = {"vertical_strategy": "lines", "horizontal_strategy": "lines"}
GRID_TOLERANCE = 2.0  # points: cell edges closer than this are one grid line
CID_SHARE = 0.10  # more than this share of (cid:NN) glyphs on a page: text layer unusable
BAD_SHARE = 0.30  # more than this share of U+FFFD / private-use characters: unusable


class NeedsOcr(Exception):
    """The PDF has no usable text layer; ``reason`` says why (Chinese). Read it as a scan instead."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


SANDBOX_REASONS = {
    "timeout": "PDF 解析超时（文件结构异常，可能含循环引用），已放弃",
    "memory": "PDF 解析内存超限（可能是压缩炸弹），已放弃",
    "crashed": "PDF 解析进程异常退出（文件已损坏或含恶意结构）",
}
"""Why a PDF is refused when the sandboxed child did not answer (:class:`SandboxError` ``reason``)."""


def read_pdf(data: bytes, name: str, *, limits: Limits | None = None) -> ReadDocument:
    """Read a PDF with a text layer in a sandboxed child; see the module docstring for what it raises."""
    try:
        return run_limited(parse_pdf, data, name, limits=limits or DEFAULT_LIMITS)
    except SandboxError as exc:
        raise UnreadableDocument(SANDBOX_REASONS[exc.reason], source=name) from None
    except (UnreadableDocument, NeedsOcr):
        raise
    except Exception as exc:  # parse_pdf translates what it knows; this is the last line of defence
        raise UnreadableDocument(refusal(exc), source=name) from None


class ReferenceLoop(Exception):
    """Objects of the PDF refer to each other in a loop (``4 0 obj 6 0 R``, ``6 0 obj 4 0 R``)."""


def refusal(exc: BaseException, damaged: str = "") -> str:
    """One Chinese line for a parser failure, whatever exception (or wrapped exception) it was; ``damaged``
    when it is none of the known traps."""
    seen = exception_chain(exc)
    if any(isinstance(e, ReferenceLoop) for e in seen):
        return "PDF 含循环引用（对象互相指向），已拒绝"
    if any(isinstance(e, RecursionError) for e in seen):
        return "PDF 结构嵌套过深或含循环引用，已拒绝"
    if any(isinstance(e, MemoryError) for e in seen):
        return SANDBOX_REASONS["memory"]
    return damaged or DAMAGED


# ------------------------------------------------------------------------------------------ in the child


def parse_pdf(data: bytes, name: str) -> ReadDocument:
    """The reading itself, unsandboxed: call it only in a child process (``read_pdf`` does).

    Raises :class:`NeedsOcr`, ``MemoryError`` (the sandbox reports it) or :class:`UnreadableDocument` with
    one Chinese line; nothing else.
    """
    _guard_reference_loops()
    _defer_font_program_encodings()
    try:
        try:
            return _parse_pdf(data, name)
        except UnreadableDocument as first:
            if first.reason not in REPAIRABLE:
                raise
            fixed = repaired(data)  # pdfium rebuilds the xref and drops an owner-only password
            if fixed is None:
                raise
            try:
                return _parse_pdf(fixed, name)
            except UnreadableDocument:
                raise first from None
    except (UnreadableDocument, NeedsOcr, MemoryError):
        raise
    except Exception as exc:
        raise UnreadableDocument(refusal(exc), source=name) from None


ENCRYPTED = "PDF 已加密（需要密码）"
DAMAGED = "不是有效的 PDF（文件结构损坏）"
DAMAGED_PAGES = "不是有效的 PDF（页面目录损坏）"
NO_PAGES = "PDF 没有页面"
REPAIRABLE = (ENCRYPTED, DAMAGED, DAMAGED_PAGES, NO_PAGES)
"""Refusals worth a second try on pdfium's rewrite of the file (never the traps: loops, nesting, bombs)."""


def _parse_pdf(data: bytes, name: str) -> ReadDocument:
    import pdfplumber
    from pdfminer.pdfdocument import PDFEncryptionError, PDFPasswordIncorrect

    try:
        pdf = pdfplumber.open(io.BytesIO(data))
    except MemoryError:
        raise
    except Exception as exc:  # pdfplumber wraps pdfminer's errors; look at the cause
        causes = (exc, exc.__cause__, *exc.args)  # PdfminerException carries pdfminer's error in args
        if any(isinstance(c, PDFPasswordIncorrect | PDFEncryptionError) for c in causes):
            raise UnreadableDocument(ENCRYPTED, source=name) from None
        raise UnreadableDocument(refusal(exc), source=name) from None
    with pdf:
        try:
            n_pages = len(pdf.pages)
        except MemoryError:
            raise
        except Exception as exc:
            raise UnreadableDocument(refusal(exc, DAMAGED_PAGES), source=name) from None
        if n_pages > MAX_PAGES:
            raise UnreadableDocument(f"PDF 页数异常（{n_pages} 页，上限 {MAX_PAGES}），已拒绝", source=name)
        if n_pages == 0:
            raise UnreadableDocument(NO_PAGES, source=name)
        tables: list[ReadTable] = []
        lines: list[TextLine] = []
        skipped: list[tuple[int, str]] = []
        for number, page in enumerate(pdf.pages, start=1):
            try:
                page_tables, page_lines = _read_page(page, number, len(tables))
            except (NeedsOcr, MemoryError):
                raise
            except Exception as exc:  # this page only: the others keep what they hold
                skipped.append((number, refusal(exc)))
                continue
            finally:
                page.flush_cache()
            tables.extend(page_tables)
            lines.extend(page_lines)
    if len(skipped) == n_pages:
        raise UnreadableDocument(skipped[0][1], source=name)
    codes = find_identity_codes([line.text for line in lines] + [c.text for t in tables for c in t.cells])
    return ReadDocument(
        source=name, input_kind=InputKind.PDF, pages=n_pages, tables=tuple(tables), lines=tuple(lines),
        identity_codes=tuple(codes), problems=tuple(f"第{n}页无法读取（{why}），已跳过" for n, why in skipped),
    )


def _read_page(page: Any, number: int, before: int) -> tuple[list[ReadTable], list[TextLine]]:
    """One page's tables (numbered after the ``before`` tables of earlier pages) and its lines."""
    chars = _page_chars(page)
    _check_text_layer(page, chars, number)
    page_tables, outside = _page_tables(page, chars, number, before)
    return page_tables, [TextLine(text, 1.0, Provenance(page=number, bbox=box)) for text, box in _lines(outside)]


CHAR_KEYS = ("text", "x0", "x1", "top", "bottom", "size")
"""What this reader reads of a character: pdfplumber's values of these keys, nothing else."""


def _page_chars(page: Any) -> list[dict[str, Any]]:
    """The page's characters with only :data:`CHAR_KEYS`; its other objects (rulings, images) are made by
    pdfplumber as before and left in ``page.objects``, where its table finder and ``page.rects`` look.

    pdfplumber turns every character into a dict of some 25 attributes (font, matrix, colours, colour
    spaces, marked content), each resolved recursively (``Page.process_object``): ≈ 15 % of a one-page
    form's parse, for keys never read here. The keys kept are computed as it computes them: the same
    objects in the same order (the page's layout, figures' contents in place), ``top``/``bottom`` from the
    top of the page and ``x0``/``x1`` shifted by the media box's origin, the text as pdfminer decoded it
    (``pdfplumber.open`` without ``unicode_norm``)."""
    from pdfminer.layout import LTChar, LTContainer

    height = page.height
    mb_x0, mb_top = page.mediabox[:2]
    objects: dict[str, list[dict[str, Any]]] = {}
    chars: list[dict[str, Any]] = []
    for obj in _layout_items(page.layout._objs, LTContainer):
        if isinstance(obj, LTChar):
            x0, x1 = obj.x0, obj.x1
            if mb_x0 != 0:
                x0, x1 = x0 + mb_x0, x1 + mb_x0
            chars.append({"object_type": "char", "text": obj.get_text(), "x0": x0, "x1": x1,
                          "top": (height - obj.y1) + mb_top, "bottom": (height - obj.y0) + mb_top,
                          "size": obj.size})
        else:
            item = page.process_object(obj)
            if item["object_type"] != "anno":
                objects.setdefault(item["object_type"], []).append(item)
    if chars:
        objects["char"] = chars
    page._objects = objects  # pdfplumber's cache of page.objects (Page.flush_cache clears it)
    return list(chars)


def _layout_items(items: Iterable[Any], container: type[Any]) -> Iterable[Any]:
    """The layout's objects, a container's (a form XObject's figure) in its place: what pdfplumber's
    ``Page.iter_layout_objects`` walks when there are no layout parameters."""
    for obj in items:
        if isinstance(obj, container):
            yield from _layout_items(obj._objs, container)
        else:
            yield obj


def repaired(data: bytes) -> bytes | None:
    """``data`` rewritten by pdfium, or None when pdfium cannot open it (a user password, no PDF at all) or
    finds no page either. pdfium rebuilds a broken cross-reference table and opens a PDF that has only an
    owner password (printing or editing restricted; the user password is empty), which it saves without
    the encryption. Runs in the sandboxed child only: pdfium may abort on a bomb."""
    import pypdfium2 as pdfium
    import pypdfium2.raw as pdfium_c

    try:
        document = pdfium.PdfDocument(data)
    except pdfium.PdfiumError:
        return None
    try:
        if not 0 < len(document) <= MAX_PAGES:
            return None
        out = io.BytesIO()
        document.save(out, flags=pdfium_c.FPDF_REMOVE_SECURITY)
        return out.getvalue()
    finally:
        document.close()


_GUARDED = False


def _guard_reference_loops() -> None:
    """Make pdfminer raise :class:`ReferenceLoop` on an object that is only a reference leading back to
    itself (``resolve1`` would follow it forever). Installed once, in the sandboxed child only."""
    global _GUARDED
    if _GUARDED:
        return
    from pdfminer.pdfdocument import PDFDocument
    from pdfminer.pdfexceptions import PDFObjectNotFound
    from pdfminer.pdftypes import PDFObjRef

    getobj = PDFDocument.getobj

    def guarded(self: PDFDocument, objid: int) -> object:
        obj = getobj(self, objid)
        seen = {objid}
        target = obj
        while isinstance(target, PDFObjRef):  # a reference to a reference: follow the chain once
            if target.objid in seen or len(seen) > 64:
                raise ReferenceLoop(f"object {objid}")
            seen.add(target.objid)
            try:
                target = getobj(self, target.objid)
            except PDFObjectNotFound:  # a dangling end: resolve1 gives its default, as before
                break
        return obj

    PDFDocument.getobj = guarded  # type: ignore[method-assign]
    _GUARDED = True


class _FontProgramEncoding(dict[int, str]):
    """A Type1 font program's own encoding, parsed on the first lookup instead of when the font is loaded.

    pdfminer parses the cleartext header of every embedded Type1 font (``FontFile``) that has no
    ``/Encoding`` — LibreOffice's CJK font subsets, in every form it exports — with its PostScript parser:
    ≈ 1 ms a font, 2–3 ms of a one-page form's 25 ms parse. The text comes from the font's ``ToUnicode``
    map first (pdfminer's ``to_unichr``); this encoding is only looked at for a code the map lacks, which a
    LibreOffice subset never has. Parsed then, it gives the same characters; a header the parser fails on
    raises the same exception at every lookup (the page is skipped, as when the font failed to load), and
    one never looked at costs nothing (the page is read from its ``ToUnicode`` map)."""

    def __init__(self, parse: Callable[[], dict[int, str]]) -> None:
        super().__init__()
        self._parse: Callable[[], dict[int, str]] | None = parse
        self._failed: BaseException | None = None

    def __getitem__(self, cid: int) -> str:
        if self._parse is not None:
            parse, self._parse = self._parse, None
            try:
                self.update(parse())
            except Exception as exc:
                self._failed = exc
        if self._failed is not None:
            raise self._failed
        return dict.__getitem__(self, cid)


_DEFERRED = False


def _defer_font_program_encodings() -> None:
    """Make pdfminer parse a Type1 font program's encoding only when a character needs it
    (:class:`_FontProgramEncoding`). Installed once, in the sandboxed child only, like the loop guard."""
    global _DEFERRED
    if _DEFERRED:
        return
    from pdfminer.pdffont import Type1FontHeaderParser

    get_encoding = Type1FontHeaderParser.get_encoding

    def deferred(self: Type1FontHeaderParser) -> dict[int, str]:
        return _FontProgramEncoding(lambda: get_encoding(self))

    Type1FontHeaderParser.get_encoding = deferred  # type: ignore[method-assign]
    _DEFERRED = True


def _check_text_layer(page: Any, chars: Sequence[dict[str, Any]], number: int) -> None:
    texts = [c["text"] for c in chars if c["text"].strip()]
    if not texts:
        if page.images or page.curves or page.rects or page.lines:
            raise NeedsOcr(f"第{number}页没有文字层（只有图像或图形）")
        return
    cid = sum(1 for t in texts if t.startswith("(cid:"))
    if cid > CID_SHARE * len(texts):
        raise NeedsOcr(f"第{number}页文字无法解码（{cid} 个 (cid:NN) 字形，字体缺少 ToUnicode 映射）")
    bad = sum(1 for t in texts if any(ch == "\ufffd" or 0xE000 <= ord(ch) <= 0xF8FF for ch in t))
    if bad > BAD_SHARE * len(texts):
        raise NeedsOcr(f"第{number}页文字层多为乱码（{bad}/{len(texts)} 个替换或私用区字符）")


# ------------------------------------------------------------------------------------------ tables


def _page_tables(
    page: Any, chars: list[dict[str, Any]], number: int, before: int
) -> tuple[list[ReadTable], list[dict[str, Any]]]:
    """The page's tables, and the characters outside all of them."""
    found = [t for t in page.find_tables(TABLE_SETTINGS) if len(t.cells) >= 2]
    out: list[ReadTable] = []
    remaining = chars
    for t in found:
        x0, top, x1, bottom = t.bbox
        inside = [c for c in remaining if x0 <= _cx(c) <= x1 and top <= _cy(c) <= bottom]
        remaining = [c for c in remaining if not (x0 <= _cx(c) <= x1 and top <= _cy(c) <= bottom)]
        out.append(table_from_rects(t.cells, inside, page=number, index=before + len(out) + 1))
    return out, remaining


def _cx(c: dict[str, Any]) -> float:
    return (float(c["x0"]) + float(c["x1"])) / 2


def _cy(c: dict[str, Any]) -> float:
    return (float(c["top"]) + float(c["bottom"])) / 2


def grid_lines(values: Iterable[float], tolerance: float = GRID_TOLERANCE) -> list[float]:
    """Distinct coordinates: sorted values, merged when within ``tolerance`` of the previous line."""
    out: list[float] = []
    for v in sorted(values):
        if not out or v - out[-1] > tolerance:
            out.append(v)
    return out


def _index(lines: list[float], v: float) -> int:
    """Index of the grid line nearest to ``v``."""
    i = bisect.bisect_left(lines, v)
    if i == 0:
        return 0
    if i == len(lines):
        return len(lines) - 1
    return i if lines[i] - v < v - lines[i - 1] else i - 1


@dataclass
class _Slot:
    row: int
    col: int
    rowspan: int
    colspan: int
    bbox: BBox
    chars: list[dict[str, Any]]


def table_from_rects(
    rects: Sequence[tuple[float, float, float, float]],
    chars: Sequence[dict[str, Any]],
    *,
    page: int | None = None,
    index: int = 1,
) -> ReadTable:
    """A ReadTable from cell rectangles ``(x0, top, x1, bottom)`` and the characters inside the table.

    Pure (no PDF needed): the grid lines are the distinct cell edges; each rectangle becomes one Cell with the
    spans between the grid lines it starts and ends on. Characters go to the cell containing their centre.
    """
    xs = grid_lines([r[0] for r in rects] + [r[2] for r in rects])
    ys = grid_lines([r[1] for r in rects] + [r[3] for r in rects])
    n_cols, n_rows = max(len(xs) - 1, 1), max(len(ys) - 1, 1)
    slots: list[_Slot] = []
    owner: dict[tuple[int, int], _Slot] = {}
    for r in sorted(rects, key=lambda b: (b[1], b[0])):
        c0, c1 = _index(xs, r[0]), _index(xs, r[2])
        r0, r1 = _index(ys, r[1]), _index(ys, r[3])
        if c1 <= c0 or r1 <= r0 or (r0, c0) in owner:
            continue  # degenerate or duplicate rectangle
        slot = _Slot(r0, c0, r1 - r0, c1 - c0, (float(r[0]), float(r[1]), float(r[2]), float(r[3])), [])
        slots.append(slot)
        for rr in range(r0, r1):
            for cc in range(c0, c1):
                owner.setdefault((rr, cc), slot)
    for ch in chars:
        col = bisect.bisect_right(xs, _cx(ch)) - 1
        row = bisect.bisect_right(ys, _cy(ch)) - 1
        target = owner.get((row, col))
        if target is not None:
            target.chars.append(ch)
    cells = []
    for s in sorted(slots, key=lambda s: (s.row, s.col)):
        ref = f"{f'第{page}页 ' if page else ''}表{index} 第{s.row + 1}行 第{s.col + 1}列"
        cells.append(Cell(cell_text(s.chars, s.bbox), s.row, s.col, s.rowspan, s.colspan, 1.0,
                          Provenance(page=page, bbox=s.bbox, ref=ref)))
    bbox = (xs[0], ys[0], xs[-1], ys[-1]) if xs and ys else None
    return ReadTable(tuple(cells), n_rows, n_cols, page=page, bbox=bbox)


# ------------------------------------------------------------------------------------------ text


def _is_wide(ch: str) -> bool:
    """CJK ideographs, kana, full-width forms and Chinese punctuation: joined without spaces."""
    return unicodedata.east_asian_width(ch) in ("W", "F") or ch in "“”‘’…—·"


@dataclass
class _Line:
    chars: list[dict[str, Any]]
    top: float
    bottom: float

    @property
    def x0(self) -> float:
        return float(self.chars[0]["x0"])

    @property
    def x1(self) -> float:
        return float(self.chars[-1]["x1"])

    def text(self) -> str:
        out: list[str] = []
        prev: dict[str, Any] | None = None
        for c in self.chars:
            if prev is not None and float(c["x0"]) - float(prev["x1"]) > 0.25 * float(c.get("size") or 10):
                out.append(" ")
            out.append(c["text"])
            prev = c
        return "".join(out).strip()


def _group_lines(chars: Iterable[dict[str, Any]]) -> list[_Line]:
    """Visual lines: characters whose vertical middles fall inside one line's band, left to right."""
    lines: list[_Line] = []
    for c in sorted((c for c in chars if c["text"].strip()), key=lambda c: (float(c["top"]), float(c["x0"]))):
        cy = _cy(c)
        for line in reversed(lines[-3:]):  # a character joins one of the last few open lines
            if line.top - 0.5 <= cy <= line.bottom + 0.5:
                line.chars.append(c)
                line.top = min(line.top, float(c["top"]))
                line.bottom = max(line.bottom, float(c["bottom"]))
                break
        else:
            lines.append(_Line([c], float(c["top"]), float(c["bottom"])))
    for line in lines:
        line.chars.sort(key=lambda c: float(c["x0"]))
    lines.sort(key=lambda ln: (ln.top, ln.x0))
    return lines


def _lines(chars: Iterable[dict[str, Any]]) -> list[tuple[str, BBox]]:
    out = []
    for line in _group_lines(chars):
        text = line.text()
        if text:
            out.append((text, (line.x0, line.top, line.x1, line.bottom)))
    return out


def cell_text(chars: Sequence[dict[str, Any]], bbox: BBox) -> str:
    """A cell's text in reading order, its visual lines joined as described in the module docstring."""
    lines = [ln for ln in _group_lines(chars) if ln.text()]
    if not lines:
        return ""
    pad = max(0.0, min(ln.x0 for ln in lines) - bbox[0])  # the cell's inner margin, from its fullest line
    out = lines[0].text()
    for prev, line in itertools.pairwise(lines):
        text = line.text()
        a, b = out[-1], text[0]
        if _is_wide(a) or _is_wide(b):
            joiner = ""
        else:
            first = line.chars[0]
            room = bbox[2] - pad - prev.x1  # space left at the end of the previous line
            joiner = "" if room < float(first["x1"]) - float(first["x0"]) + 0.5 else " "
        out += joiner + text
    return out
