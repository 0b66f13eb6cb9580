"""Proofreading a generated document the way a bureau clerk would, before it is sent. Pure functions.

:func:`proofread` takes a document's .docx bytes and its PDF pages (:class:`~docgen.layout.PdfPage`, read
at the edge by ``docgen.render.pdf_text``) and returns :class:`Finding` s:

* ``text``        — text in the .docx that the PDF lacks, or the other way round (:func:`compare_text`);
* ``placeholder`` — ``xxx``, ``****``, ``{{``, ``待定``, ``某某``, runs of ``_`` outside fill-in blanks;
* ``party``       — a party name that is generic or a placeholder (:func:`looks_generic_party_name`);
* ``grid``        — a character outside the 156 mm text block, a body line holding fewer characters than
  the 28-character grid allows (and no 避头尾 rule explains it), a body line off the 22-line pitch;
* ``seal``        — the last page holds only the seal block, split from the text it closes;
* ``title``       — the title wraps inside a word;
* ``blank``       — a fill-in blank (``____年____月____日``, ``__________``) broken across lines
  (:func:`blank_split_findings`);
plus the page count. The batch runs it on every document it converts; ``docgen proof`` on a ZIP or folder.
"""

from __future__ import annotations

import itertools
import re
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from enum import StrEnum
from functools import cached_property
from io import BytesIO
from zipfile import BadZipFile, ZipFile

from lxml import etree

from docgen.chinese import FILL_IN_BLANK
from docgen.layout import (
    BODY_SIZE_PT,
    CHARS_PER_LINE,
    LINE_PITCH_PT,
    LINES_PER_PAGE,
    MM,
    TEXT_LEFT_MM,
    TEXT_WIDTH_MM,
    PdfChar,
    PdfPage,
)
from docgen.school_names import BLANK, looks_abbreviated

W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"


class FindingKind(StrEnum):
    """What a finding is about (the JSON ``kind``)."""

    TEXT = "text"
    PLACEHOLDER = "placeholder"
    PARTY = "party"
    GRID = "grid"
    SEAL = "seal"
    TITLE = "title"
    BLANK = "blank"


KIND_LABELS = {
    FindingKind.TEXT: "DOCX 与 PDF 文字不一致",
    FindingKind.PLACEHOLDER: "占位符或未填空白",
    FindingKind.PARTY: "单位名称不完整",
    FindingKind.GRID: "不在 28 字 × 22 行版心网格上",
    FindingKind.SEAL: "落款与正文分页",
    FindingKind.TITLE: "标题在词中断行",
    FindingKind.BLANK: "填写空白跨行断开",
}


@dataclass(frozen=True)
class Finding:
    """One thing a clerk would send back: its kind, the page (None: the whole document) and what is wrong."""

    kind: FindingKind
    message: str
    page: int | None = None

    def describe(self) -> str:
        """``第 2 页：版心外有字符“，”`` — the Chinese line of the text report."""
        where = f"第 {self.page} 页：" if self.page is not None else ""
        return f"{KIND_LABELS[self.kind]}｜{where}{self.message}"


@dataclass(frozen=True)
class ProofReport:
    """One document's proofreading: its name, pages, findings and whether it is a draft flagged as such."""

    document: str
    pages: int
    findings: tuple[Finding, ...] = ()
    draft: bool = False

    @property
    def ok(self) -> bool:
        """No findings (a flagged draft's fill-in blanks are not findings)."""
        return not self.findings

    def summary(self) -> str:
        """``无`` or ``占位符或未填空白 2；不在 28 字 × 22 行版心网格上 1`` — one manifest cell."""
        counts = Counter(f.kind for f in self.findings)
        parts = (["草稿"] if self.draft else []) + [f"{KIND_LABELS[k]} {n}" for k, n in counts.items()]
        return "；".join(parts) or "无"

    def as_json(self) -> dict[str, object]:
        """The JSON shape of ``docgen proof --json`` (one object per document)."""
        return {
            "document": self.document,
            "pages": self.pages,
            "draft": self.draft,
            "ok": self.ok,
            "findings": [
                {"kind": f.kind.value, "label": KIND_LABELS[f.kind], "page": f.page, "message": f.message}
                for f in self.findings
            ],
        }


# --- the .docx text ------------------------------------------------------------------------------------


class UnreadableDocument(ValueError):
    """The .docx cannot be read (not a ZIP, no word/document.xml, broken XML)."""


_FURNITURE_PART = re.compile(r"^word/(header|footer)\d*\.xml$")


@dataclass(frozen=True)
class DocxText:
    """A .docx's printed text: the body's paragraphs (table cells included) and the page furniture (header
    and footer paragraphs, printed on every page)."""

    paragraphs: tuple[str, ...]
    furniture: tuple[str, ...] = ()


def docx_text(docx: bytes) -> DocxText:
    """The visible text of every paragraph of the body and of the headers and footers, in order.

    Hidden runs (``w:vanish``), deleted text and field instructions are not printed, so they are not text.
    Raises :class:`UnreadableDocument`.
    """
    try:
        with ZipFile(BytesIO(docx)) as package:
            body = _paragraphs(package.read("word/document.xml"))
            furniture = [
                t for name in package.namelist() if _FURNITURE_PART.match(name) for t in _paragraphs(package.read(name))
            ]
    except (BadZipFile, KeyError, etree.XMLSyntaxError, ValueError) as exc:
        raise UnreadableDocument(f"无法读取 DOCX：{exc}") from None
    return DocxText(tuple(body), tuple(dict.fromkeys(t for t in furniture if t.strip())))


def docx_paragraphs(docx: bytes) -> list[str]:
    """The visible text of every body paragraph (:func:`docx_text` without the furniture)."""
    return list(docx_text(docx).paragraphs)


_NS = {"w": W[1:-1]}
# The printed text of a paragraph without text boxes (nearly all): its runs' w:t, hidden runs left out.
_VISIBLE_TEXT = etree.XPath(".//w:r[not(w:rPr/w:vanish)]/w:t/text()", namespaces=_NS, smart_strings=False)
_WITH_TEXT_BOX = etree.XPath("//w:p[.//w:txbxContent]", namespaces=_NS)


def _paragraphs(xml: bytes) -> list[str]:
    parser = etree.XMLParser(resolve_entities=False, no_network=True, huge_tree=False)
    root = etree.fromstring(xml, parser)
    out: list[str] = []
    boxed = set(_WITH_TEXT_BOX(root))
    for p in root.iter(f"{W}p"):
        if p not in boxed:
            out.append("".join(_VISIBLE_TEXT(p)))
            continue
        text: list[str] = []  # a paragraph holding a text box: the box's paragraphs are their own
        for run in p.iter(f"{W}r"):
            if _nearest_paragraph(run) is not p:
                continue  # a text box's paragraph inside this one: counted as its own paragraph
            rpr = run.find(f"{W}rPr")
            if rpr is not None and rpr.find(f"{W}vanish") is not None:
                continue
            text.extend(t.text or "" for t in run.findall(f"{W}t"))
        out.append("".join(text))
    return out


def _nearest_paragraph(node: etree._Element) -> etree._Element | None:
    parent = node.getparent()
    while parent is not None and parent.tag != f"{W}p":
        parent = parent.getparent()
    return parent


# --- PDF lines ---------------------------------------------------------------------------------------------

_PAGE_NUMBER = re.compile(r"^[—\-–]\s*\d+\s*[—\-–]$")
_PAGE_FIELD = re.compile(r"[—\-–]\s*\d+\s*[—\-–]")  # a footer's “— 1 —” (the PAGE field's cached result)
_SPACE = re.compile(r"\s+")


@dataclass(frozen=True)
class PdfLine:
    """Characters of one visual line (same baseline band), left to right."""

    chars: tuple[PdfChar, ...]

    @cached_property
    def text(self) -> str:
        return "".join(c.text for c in self.chars)

    @cached_property
    def baseline(self) -> float:
        """The most common baseline of the line's characters (a superscript does not move the line)."""
        baselines = [round(c.baseline, 1) for c in self.chars]
        # Counter.most_common's answer (the first seen among equals) without a Counter: a line has few runs,
        # and the batch asks this of every line it proofreads.
        return max(dict.fromkeys(baselines), key=baselines.count)

    @cached_property
    def size(self) -> float:
        return max(c.size for c in self.chars)

    @property
    def x0(self) -> float:
        return self.chars[0].x0

    @property
    def x1(self) -> float:
        return self.chars[-1].x1


def page_lines(page: PdfPage) -> list[PdfLine]:
    """The page's characters grouped into lines (baselines within a third of the font size), top to
    bottom. Characters side by side in two columns (seal blocks, table cells) share a line."""
    rows: list[list[PdfChar]] = []
    for c in sorted(page.chars, key=lambda c: c.baseline):
        if rows and abs(c.baseline - rows[-1][0].baseline) <= max(c.size, rows[-1][0].size) / 3:
            rows[-1].append(c)
        else:
            rows.append([c])
    return [PdfLine(tuple(sorted(row, key=lambda c: c.x0))) for row in rows]


def pdf_page_texts(pages: Sequence[PdfPage]) -> list[list[str]]:
    """Each page's line texts, without the page-number furniture ``— N —``."""
    return _by_page(pages, pdf_text_lines(pages))


def _by_page(pages: Sequence[PdfPage], lines: Iterable[tuple[int, str]]) -> list[list[str]]:
    by_page: dict[int, list[str]] = {page.number: [] for page in pages}
    for number, text in lines:
        by_page[number].append(text)
    return list(by_page.values())


def pdf_text_lines(pages: Sequence[PdfPage]) -> list[tuple[int, str]]:
    """(page, text) of every line — the reader's own lines when it gave them, else the runs grouped by
    baseline — without the page-number furniture ``— N —``."""
    out = []
    for page in pages:
        texts = page.lines or tuple(line.text for line in page_lines(page))
        for raw in texts:
            text = _SPACE.sub("", raw)
            if text and not _PAGE_NUMBER.match(text):
                out.append((page.number, text))
    return out


# --- 1. text: nothing lost between DOCX and PDF ---------------------------------------------------------


@dataclass(frozen=True)
class TextComparison:
    """Characters the PDF lacks (``missing``) or has in excess (``extra``), each with the paragraphs
    (DOCX) or lines (PDF) they occur in. Empty both: the same text."""

    missing: str = ""
    extra: str = ""
    where_missing: tuple[str, ...] = field(default=())
    where_extra: tuple[str, ...] = field(default=())

    @property
    def same(self) -> bool:
        return not self.missing and not self.extra

    def describe(self) -> str:
        """``PDF 缺少“、”（段落“甲方：彭州市教育局党办、黑水县…”）`` — one Chinese sentence."""
        parts = []
        if self.missing:
            parts.append(f"PDF 缺少“{self.missing}”（段落“{'”“'.join(self.where_missing)}”）")
        if self.extra:
            parts.append(f"PDF 多出“{self.extra}”（行“{'”“'.join(self.where_extra)}”）")
        return "；".join(parts)


def _normalise(text: str) -> str:
    return _SPACE.sub("", text)


def compare_text(
    paragraphs: Sequence[str], pdf_pages: Sequence[Sequence[str]], furniture: Sequence[str] = ()
) -> TextComparison:
    """Compare the .docx body paragraphs with the PDF's lines, page by page (page numbers already left out),
    ignoring order and whitespace: every character printed as often as the .docx has it.

    ``furniture`` (header and footer paragraphs, their page numbers left out) is taken off each page
    where it is printed. Order-insensitive on purpose: side-by-side seal blocks and table cells come out
    of a PDF interleaved.
    """
    docx = Counter(_normalise("".join(paragraphs)))
    per_page = Counter(_normalise("".join(_PAGE_FIELD.sub("", t) for t in furniture)))
    if per_page:
        pdf: Counter[str] = Counter()
        for lines in pdf_pages:
            pdf += Counter(_normalise("".join(lines))) - per_page
    else:  # nothing printed on every page (the usual case): one count over every page
        pdf = Counter(_normalise("".join(line for lines in pdf_pages for line in lines)))
    pdf_lines = [line for lines in pdf_pages for line in lines]
    missing, extra = docx - pdf, pdf - docx
    if not missing and not extra:
        return TextComparison()
    return TextComparison(
        "".join(sorted(missing.elements())),
        "".join(sorted(extra.elements())),
        _excerpts(paragraphs, missing),
        _excerpts(pdf_lines, extra),
    )


def _excerpts(texts: Iterable[str], chars: Counter[str]) -> tuple[str, ...]:
    found = []
    for text in texts:
        if chars and any(c in text for c in chars):
            found.append(text if len(text) <= 30 else text[:29] + "…")
        if len(found) == 3:
            break
    return tuple(found)


# --- 2. placeholders and blanks -------------------------------------------------------------------------

_PLACEHOLDERS = re.compile(r"[xX×Ｘｘ]{3,}|\*{3,}|＊{2,}|\{\{|\}\}|\{%|%\}|待定|某某")
# Fill-in blanks a document is meant to have: a signature or date to write by hand, and a draft's party
# blank before （盖章） (a draft is flagged as such). Any other run of "_" is a blank left by mistake.
_DESIGNATED_BLANKS = re.compile(
    r"(?:签名|签字|签章|日期|时间|联系人|联系电话|电话|手机)[：:]\s*_{3,}"
    r"|_{2,}\s*年\s*_{2,}\s*月\s*_{2,}\s*日"
    r"|_{3,}\s*[（(](?:盖章|签章)[)）]"
)
_BLANK_RUN = re.compile(r"_{3,}")
DRAFT_BLANK = re.compile(r"_{3,}\s*[（(](?:盖章|签章)[)）]")


def placeholder_findings(paragraphs: Sequence[str], *, blanks_allowed: bool) -> list[Finding]:
    """Placeholders left in the text, and runs of ``_`` outside designated fill-in blanks (any run is
    allowed when ``blanks_allowed``: a blank form is made of them)."""
    found: list[Finding] = []
    for text in paragraphs:
        for match in _PLACEHOLDERS.finditer(text):
            found.append(Finding(FindingKind.PLACEHOLDER, f"“{match.group(0)}”在“{_excerpt(text)}”"))
        if blanks_allowed:
            continue
        rest = _DESIGNATED_BLANKS.sub("", text)
        for match in _BLANK_RUN.finditer(rest):
            found.append(Finding(FindingKind.PLACEHOLDER, f"未填空白“{match.group(0)}”在“{_excerpt(text)}”"))
    return found


def _excerpt(text: str) -> str:
    return text if len(text) <= 30 else text[:29] + "…"


# --- 3. party names -------------------------------------------------------------------------------------


def looks_generic_party_name(name: str) -> bool:
    """A party name that cannot sign: a placeholder (``（待定）``, ``xxx``, ``某某``) or a bare generic name.

    The proof's question, answered by the one rule for names that cannot sign
    (:func:`docgen.school_names.looks_abbreviated`: placeholders, descriptions, short names such as 市一中).
    """
    return looks_abbreviated(name.strip())


def party_findings(parties: Sequence[str]) -> list[Finding]:
    """One finding per party name that :func:`looks_generic_party_name`."""
    return [
        Finding(FindingKind.PARTY, f"“{name}”不是可以签章的完整名称")
        for name in parties
        if looks_generic_party_name(name)
    ]


# --- 4. the grid -------------------------------------------------------------------------------------

TEXT_X0 = TEXT_LEFT_MM * MM
TEXT_X1 = (TEXT_LEFT_MM + TEXT_WIDTH_MM) * MM
_EDGE_TOLERANCE = 0.5  # points: rounding in the PDF, far below a character (16 pt)
# 避头: may not start a line; 避尾: may not end one (GB/T 15834 / the usual 禁则 lists).
NO_LINE_START = set("，。、；：？！）］｝〕】》〉」』”’…—·％%‰℃,.;:?!)]}")
NO_LINE_END = set("（［｛〔【《〈「『“‘([{")


def _is_body_line(line: PdfLine) -> bool:
    return abs(line.size - BODY_SIZE_PT) < 0.6


# LibreOffice puts about a quarter em between Chinese and Latin letters or digits (measured: 3.9 pt at 3号
# around ``2—3`` in ``选派2—3名``); docgen leaves it on, as Word does by default (docgen.render.grid).
ASIAN_LATIN_SPACE = 0.25


def _ems(runs: Iterable[PdfChar]) -> float:
    """Natural width in grid characters: 1 for a Chinese character or full-width sign, ½ for ASCII, plus
    the space LibreOffice adds where Chinese meets Latin letters or digits."""
    text = "".join(run.text for run in runs)
    boundaries = len(_ASIAN_LATIN.findall(text)) if _LATIN.search(text) else 0
    return sum(run.ems for run in runs) + ASIAN_LATIN_SPACE * boundaries


# A Latin letter or digit (ASCII), and a Chinese character or CJK/full-width sign (an em dash or ·, shared
# with Latin text, is neither); a boundary is where one meets the other.
_LATIN = re.compile("[A-Za-z0-9]")
_CJK = "[\u3000-\u9fff\uff00-\uffef]"
_ASIAN_LATIN = re.compile(f"(?<=[A-Za-z0-9])(?={_CJK})|(?<={_CJK})(?=[A-Za-z0-9])")


def _ideograph(text: str) -> bool:
    return "\u4e00" <= text <= "\u9fff" or "\u3400" <= text <= "\u4dbf"


CELL_PT = TEXT_WIDTH_MM * MM / CHARS_PER_LINE  # one grid cell: 15.79 pt


def grid_findings(pages: Sequence[PdfPage], *, body_grid: bool = True) -> list[Finding]:
    """Characters outside the text block on A4 portrait pages; with ``body_grid`` (agreements, not forms
    with tables) also 3号 lines that hold fewer characters than the 28-character line allows although the
    next line's first character (or word) would fit and no 避头尾 rule keeps it there, and 3号 lines off
    the 28.95 pt pitch of 22 lines a page."""
    found: list[Finding] = []
    for page in pages:
        if not page.portrait_a4:
            continue
        outside = [c.text for c in page.chars if c.x0 < TEXT_X0 - _EDGE_TOLERANCE or c.x1 > TEXT_X1 + _EDGE_TOLERANCE]
        if outside:
            found.append(Finding(FindingKind.GRID, f"版心外有字符“{''.join(outside)}”", page.number))
        if not body_grid:
            continue
        lines = [line for line in page_lines(page) if _is_body_line(line) and not _PAGE_NUMBER.match(line.text)]
        found += _short_lines(page.number, lines)
        found += _off_pitch(page.number, lines)
    return found


def _short_lines(page: int, lines: Sequence[PdfLine]) -> list[Finding]:
    found = []
    for line, following in itertools.pairwise(lines):
        # Reaches the right edge (a glyph's ink ends a little before its advance; a stop's well before):
        # a justified line, not a paragraph's last.
        if line.x1 < TEXT_X1 - 0.75 * BODY_SIZE_PT:
            continue
        if following.x0 > TEXT_X0 + 0.75 * BODY_SIZE_PT:  # the next line starts a new paragraph or block
            continue
        if abs(following.baseline - line.baseline) > 1.5 * LINE_PITCH_PT:
            continue
        # Only a break between two ideographs is sure to be allowed anywhere (digits, Latin words and
        # punctuation have their own line-breaking rules): judge those, and leave the rest alone.
        text, next_text = line.text, following.text
        if not (_ideograph(next_text[0]) and _ideograph(text[-1])):
            continue
        if "_" in text:
            continue  # a fill-in blank's underscores are narrower than a cell: a full line counts short in ems
        if len(next_text) > 1 and next_text[1] in NO_LINE_START:
            continue  # moving it up would put a 避头 character at the start of the next line
        cells = round((TEXT_X1 - line.x0) / CELL_PT)  # the line's room, in grid cells (less when indented)
        used = _ems(line.chars)
        if used + 1 <= cells + 0.05:
            found.append(
                Finding(
                    FindingKind.GRID,
                    f"本行排 {used:g} 字，版心可排 {cells:d} 字，下行首字“{next_text[0]}”本可排入：“{_excerpt(text)}”",
                    page,
                )
            )
    return found


def _off_pitch(page: int, lines: Sequence[PdfLine]) -> list[Finding]:
    found = []
    for line, following in itertools.pairwise(lines):
        steps = (following.baseline - line.baseline) / LINE_PITCH_PT
        if abs(steps - round(steps)) > 0.05:
            found.append(
                Finding(
                    FindingKind.GRID,
                    f"行距 {following.baseline - line.baseline:.1f} 磅不在 {LINE_PITCH_PT:.2f} 磅"
                    f"（每页 {LINES_PER_PAGE} 行）的网格上：“{_excerpt(following.text)}”",
                    page,
                )
            )
    return found


# --- 5. seal block and title --------------------------------------------------------------------------

_SEAL_LINE = re.compile(
    r"盖章|签章|签字|签名|^(?:[甲乙丙丁]方|负责人|法定代表人|代表)[：:（(]|_{2,}\s*年|\d{4}\s*年\s*\d+\s*月\s*\d+\s*日$|^\s*年\s*月\s*日$"
)


def seal_findings(pages: Sequence[PdfPage]) -> list[Finding]:
    """The last page of a multi-page document holds nothing but the seal block (signature lines)."""
    if len(pages) < 2:
        return []
    last = pages[-1]
    lines = [t for p, t in pdf_text_lines([last]) if p == last.number]
    if lines and all(_SEAL_LINE.search(t) for t in lines):
        return [Finding(FindingKind.SEAL, "最后一页只有落款和盖章，与正文分开了", last.number)]
    return []


# Words a title may end a line after or start a line with (function words, the document's kind).
_TITLE_BREAK_AFTER = set("的和与及、，）》”")
_TITLE_BREAK_BEFORE = ("协议书", "协议", "备案表", "统计表", "情况统计表", "回执", "安排表", "通知", "（", "《")


def title_findings(pages: Sequence[PdfPage], title_paragraph: str | None) -> list[Finding]:
    """The title (the first page's largest text, above the body) wraps where no author broke it and not at
    a word boundary we can see (after 的/和/与/及 or punctuation, before the document's kind)."""
    if not pages or title_paragraph is None:
        return []
    lines = [line for line in page_lines(pages[0]) if line.size >= 20]
    if len(lines) < 2:
        return []
    found = []
    for line, following in itertools.pairwise(lines):
        if following.baseline - line.baseline > 2 * LINE_PITCH_PT:
            break
        before, after = line.text, following.text
        if before[-1] in _TITLE_BREAK_AFTER or after.startswith(_TITLE_BREAK_BEFORE):
            continue
        found.append(
            Finding(FindingKind.TITLE, f"标题断在“{before[-2:]}|{after[:2]}”：“{before}/{after}”", pages[0].number)
        )
    return found


# --- 6. fill-in blanks on one line ----------------------------------------------------------------------

_BLANK_CHARS = frozenset("_年月日")


def blank_split_findings(paragraphs: Sequence[str], pages: Sequence[PdfPage]) -> list[Finding]:
    """A fill-in blank of the .docx (:data:`~docgen.chinese.FILL_IN_BLANK`) that the PDF breaks across two
    lines: one line ends inside it and the next line goes on with the rest. Judged against the .docx's own
    blanks, so a signature line ``签字：________`` above a separate date line ``____年__月__日`` (two
    blanks, side by side in a seal block) is not taken for one blank broken in two."""
    return _blank_splits(paragraphs, pdf_text_lines(pages))


def _blank_splits(paragraphs: Sequence[str], lines: Sequence[tuple[int, str]]) -> list[Finding]:
    blanks = {m.group(0) for p in paragraphs if "__" in p for m in FILL_IN_BLANK.finditer(_normalise(p))}
    if not blanks:
        return []
    found = []
    for (page, line), (_, following) in itertools.pairwise(lines):
        if line[-1] not in _BLANK_CHARS or following[0] not in _BLANK_CHARS:
            continue
        joined, cut = line + following, len(line)
        for blank in FILL_IN_BLANK.finditer(joined):
            if blank.start() < cut < blank.end() and blank.group(0) in blanks:
                found.append(
                    Finding(
                        FindingKind.BLANK,
                        f"空白“{blank.group(0)}”断在“{joined[blank.start() : cut]}|{joined[cut : blank.end()]}”："
                        f"“{_excerpt(line)}”",
                        page,
                    )
                )
    return found


# --- the whole proof -----------------------------------------------------------------------------------


def proofread(
    document: str,
    docx: bytes,
    pages: Sequence[PdfPage] | None,
    *,
    is_form: bool = False,
    parties: Sequence[str] = (),
    draft: bool | None = None,
) -> ProofReport:
    """Every check on one document (``document``: its name in the archive). ``pages``: its PDF (None: no
    PDF was made, so only the .docx checks run). ``is_form``: a blank form — its blanks are meant to be
    filled and its tables are not on the body grid. ``parties``: the party names it was made for, when
    known (the manifest's schools; an agreement's only — a form prints the roster's names by design).
    ``draft``: whether the batch made it a draft (:func:`docgen.school_names.draft_reasons`) — its
    :data:`~docgen.school_names.BLANK` party blanks are then meant; None: told from a blank before （盖章）.
    Raises :class:`UnreadableDocument`."""
    text = docx_text(docx)
    paragraphs = list(text.paragraphs)
    findings: list[Finding] = []
    lines = pdf_text_lines(pages) if pages is not None else []
    if pages is not None:
        comparison = compare_text(paragraphs, _by_page(pages, lines), text.furniture)
        if not comparison.same:
            findings.append(Finding(FindingKind.TEXT, comparison.describe()))
    if draft is None:
        draft = any(DRAFT_BLANK.search(p) for p in paragraphs)
    # a draft's party blanks are fill-in blanks, flagged as such
    paragraphs_checked = [p.replace(BLANK, "") for p in paragraphs] if draft else paragraphs
    findings += placeholder_findings(paragraphs_checked, blanks_allowed=is_form)
    if not is_form and not draft:
        findings += party_findings(parties)
    if pages is not None:
        findings += grid_findings(pages, body_grid=not is_form)
        if not is_form:
            findings += seal_findings(pages)
        findings += title_findings(pages, next((p for p in paragraphs if p.strip()), None))
        findings += _blank_splits(paragraphs, lines)
    return ProofReport(document, len(pages) if pages is not None else 0, tuple(findings), draft)
