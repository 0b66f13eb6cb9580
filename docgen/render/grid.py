"""Render-time normalisation that makes LibreOffice set the official grid: 28 characters × 22 lines.

Applied once per template, when it is compiled (:meth:`docgen.render.docx.CompiledTemplate.compile`), to
``word/document.xml`` and ``word/styles.xml`` — whatever a clerk did to the template in Word or WPS. Each
rule was measured on LibreOffice 7.4 by converting and reading the PDF (see docs/pdf.md, “The grid”):

* **Section grid ``linesAndChars`` → ``lines``, 22 lines a page.** Word's character grid (``w:charSpace``)
  compresses 3号 text to 28 characters a line; LibreOffice instead spreads it (27 characters on a 156 mm line), or with
  paragraphs snapped to the grid puts each 16 pt character into two 15.79 pt cells (14 a line). A 28th
  character that does not fit — a ``、`` before a line end — was *not drawn at all* in 13 of 14 彭州
  agreements. With a lines-only grid characters are set by their width, and on a portrait page the line
  pitch is the text height / 22 (579 twips on the 225 mm 版心) whatever the template said; a landscape
  page (a wide form) keeps its own pitch.
* **Tracking on 3号 runs.** So that 28 characters fit the text width without the character grid, 16 pt
  runs (in styles and in the document) are condensed to ``floor((width / 28 − 16 pt) × 20)`` twentieths of
  a point (−5, i.e. 15.75 pt, on the 156 mm 版心); a run already condensed further keeps its value.
* **No hanging punctuation.** LibreOffice lets ``，。、`` hang past the right edge of the text block. It
  reads ``w:overflowPunct`` *inverted* (``1`` turns hanging off; measured: ``0`` or no element hangs, ``1``
  does not) — and ``1`` is also Word's default, so Word is unchanged. Every ``w:overflowPunct`` becomes
  ``1`` and the document defaults get one. Line-start/line-end rules (避头尾, ``w:kinsoku``) stay on: an
  explicit ``w:kinsoku w:val="0"`` is removed, so a character that does not fit moves to the next line
  with the one before it instead of leaving the block.
* **East Asian text is zh-CN.** Every ``w:lang``'s ``w:eastAsia`` becomes ``zh-CN`` and the run defaults get
  one. The converter keeps fill-in blanks (``____年__月__日``, ``__________``) whole through zh-CN's
  line-start/line-end lists (``uno_bridge.keep_blanks_whole``), and LibreOffice picks those lists by the
  text's language: a template saved by Word or python-docx with ``w:eastAsia="en-US"`` (their default), or
  one tagged ``zh-TW``/``ja-JP``, had its blanks broken at line ends (measured: ``自____年__|月__日起``;
  ``“_________|_”``). GB/T 9704 documents are simplified Chinese anyway: zh-CN also gives the SC glyph forms
  and is the fast path of conversion (NOTES: ``en-US`` converts 2.4–4.4× slower).
LibreOffice also puts about a quarter em between Chinese and Latin letters or digits (``选派2—3名``), and does
not read Word's switches for it (``w:autoSpaceDE``/``w:autoSpaceDN``); turning it off through UNO made every
load about 25 % slower (each style change lays the document out again), so it stays, as in Word by default,
and the proof checks count it (:func:`docgen.proof.grid_findings`).
"""

from __future__ import annotations

import math
import re

from docgen.layout import CHARS_PER_LINE, LINES_PER_PAGE

BODY_HALF_POINTS = 32  # 3号 in w:sz units
_TWIPS_PER_PT = 20

_DOC_GRID = re.compile(r"<w:docGrid\b[^>]*/>")
_ATTR = re.compile(r'\bw:(\w+)="([^"]*)"')
_PG_SZ = re.compile(r"<w:pgSz\b[^>]*/>")
_PG_MAR = re.compile(r"<w:pgMar\b[^>]*/>")
_RPR = re.compile(r"<w:rPr>(.*?)</w:rPr>", re.S)
_BODY_SZ = re.compile(rf'<w:sz w:val="{BODY_HALF_POINTS}"\s*/>')
_RUN_SPACING = re.compile(r'<w:spacing w:val="(-?\d+)"\s*/>')
# rPr children that come after w:spacing in the schema (CT_RPr order).
_AFTER_SPACING = re.compile(
    r"<w:(w|kern|position|sz|szCs|highlight|u|effect|bdr|shd|fitText|vertAlign|rtl|cs|em|lang|eastAsianLayout"
    r"|specVanish|oMath)\b"
)
_OVERFLOW = re.compile(r"<w:overflowPunct\b[^>]*/>")
_KINSOKU_OFF = re.compile(r'<w:kinsoku w:val="(?:0|false|off)"\s*/>')
_PPR_DEFAULT = re.compile(
    r"<w:pPrDefault>\s*<w:pPr>(.*?)</w:pPr>\s*</w:pPrDefault>|<w:pPrDefault\s*/>|<w:pPrDefault>\s*</w:pPrDefault>"
    r"|<w:pPrDefault>\s*<w:pPr\s*/>\s*</w:pPrDefault>",
    re.S,
)
# pPr children that come after w:overflowPunct in the schema (CT_PPrBase order).
_AFTER_OVERFLOW = re.compile(
    r"<w:(topLinePunct|autoSpaceDE|autoSpaceDN|bidi|adjustRightInd|snapToGrid|spacing|ind|contextualSpacing"
    r"|mirrorIndents|suppressOverlap|jc|textDirection|textAlignment|textboxTightWrap|outlineLvl|divId|cnfStyle"
    r"|rPr|sectPr|pPrChange)\b"
)

_LANG = re.compile(r"<w:lang\b[^>]*/>")
_EAST_ASIA = re.compile(r'\s*\bw:eastAsia="[^"]*"')
_RPR_DEFAULT = re.compile(
    r"<w:rPrDefault>\s*<w:rPr>(.*?)</w:rPr>\s*</w:rPrDefault>|<w:rPrDefault\s*/>|<w:rPrDefault>\s*</w:rPrDefault>"
    r"|<w:rPrDefault>\s*<w:rPr\s*/>\s*</w:rPrDefault>",
    re.S,
)
# rPr children that come after w:lang in the schema (CT_RPr order).
_AFTER_LANG = re.compile(r"<w:(eastAsianLayout|specVanish|oMath)\b")
EAST_ASIAN_LANGUAGE = "zh-CN"

# Paragraph defaults every document gets.
_DEFAULTS = '<w:overflowPunct w:val="1"/>'

GB_TEXT_WIDTH_TWIPS = 11906 - 1588 - 1474  # A4 minus 订口 28 mm and 26 mm: the 156 mm 版心


def _attrs(element: str) -> dict[str, str]:
    return dict(_ATTR.findall(element))


def text_width_twips(document_xml: str) -> int:
    """The text width of the document's (last, i.e. body) section, in twips; GB/T 9704's if it says none."""
    sizes, margins = _PG_SZ.findall(document_xml), _PG_MAR.findall(document_xml)
    if not sizes or not margins:
        return GB_TEXT_WIDTH_TWIPS
    size, margin = _attrs(sizes[-1]), _attrs(margins[-1])
    try:
        return int(size["w"]) - int(margin.get("left", 0)) - int(margin.get("right", 0)) - int(margin.get("gutter", 0))
    except (KeyError, ValueError):
        return GB_TEXT_WIDTH_TWIPS


def body_tracking(width_twips: int) -> int:
    """Character spacing (1/20 pt) that fits 28 3号 characters on a line ``width_twips`` wide (−5 on 156 mm).
    0 when they fit anyway."""
    pitch = width_twips / CHARS_PER_LINE
    return min(0, math.floor(pitch - BODY_HALF_POINTS / 2 * _TWIPS_PER_PT))


def official_line_pitch(document_xml: str) -> int | None:
    """Twips between lines so 22 fit the text height of a portrait section (579 on A4 with the official
    margins); None for a landscape section or one that states no page."""
    sizes, margins = _PG_SZ.findall(document_xml), _PG_MAR.findall(document_xml)
    if not sizes or not margins:
        return None
    size, margin = _attrs(sizes[-1]), _attrs(margins[-1])
    try:
        width, height = int(size["w"]), int(size["h"])
        text_height = height - abs(int(margin.get("top", 0))) - abs(int(margin.get("bottom", 0)))
    except (KeyError, ValueError):
        return None
    if width > height or text_height <= 0:
        return None
    return text_height // LINES_PER_PAGE


def _lines_only_grid(match: re.Match[str], pitch: int | None) -> str:
    attrs = _attrs(match.group(0))
    line_pitch = pitch or attrs.get("linePitch")
    if attrs.get("type") not in ("linesAndChars", "snapToChars") and pitch is None:
        return match.group(0)
    return f'<w:docGrid w:type="lines" w:linePitch="{line_pitch}"/>' if line_pitch else '<w:docGrid w:type="lines"/>'


def _track_body_runs(xml: str, tracking: int) -> str:
    if tracking == 0:
        return xml

    def fix(match: re.Match[str]) -> str:
        inner = match.group(1)
        if not _BODY_SZ.search(inner):
            return match.group(0)
        spacing = _RUN_SPACING.search(inner)
        if spacing is not None:
            if int(spacing.group(1)) <= tracking:
                return match.group(0)
            inner = inner[: spacing.start()] + inner[spacing.end() :]
        element = f'<w:spacing w:val="{tracking}"/>'
        after = _AFTER_SPACING.search(inner)
        at = after.start() if after is not None else len(inner)
        return f"<w:rPr>{inner[:at]}{element}{inner[at:]}</w:rPr>"

    return _RPR.sub(fix, xml)


def _no_hanging_punctuation(xml: str) -> str:
    xml = _OVERFLOW.sub('<w:overflowPunct w:val="1"/>', xml)
    return _KINSOKU_OFF.sub("", xml)


def _default_no_hanging(styles_xml: str) -> str:
    def fix(match: re.Match[str]) -> str:
        inner = match.group(1) or ""
        inner = _OVERFLOW.sub("", match.group(1) or "")
        after = _AFTER_OVERFLOW.search(inner)
        at = after.start() if after is not None else len(inner)
        inner = f"{inner[:at]}{_DEFAULTS}{inner[at:]}"
        return f"<w:pPrDefault><w:pPr>{inner}</w:pPr></w:pPrDefault>"

    if _PPR_DEFAULT.search(styles_xml):
        return _PPR_DEFAULT.sub(fix, styles_xml, count=1)
    # No paragraph defaults at all: w:pPrDefault follows w:rPrDefault, so it goes last.
    return _add_doc_default(styles_xml, f"<w:pPrDefault><w:pPr>{_DEFAULTS}</w:pPr></w:pPrDefault>", first=False)


def _add_doc_default(styles_xml: str, element: str, *, first: bool) -> str:
    """``element`` as the first (``first``) or last child of w:docDefaults, which is created when missing."""
    if first and "<w:docDefaults>" in styles_xml:
        return styles_xml.replace("<w:docDefaults>", "<w:docDefaults>" + element, 1)
    if not first and "</w:docDefaults>" in styles_xml:
        return styles_xml.replace("</w:docDefaults>", element + "</w:docDefaults>", 1)
    return re.sub(r"(<w:styles\b[^>]*>)", rf"\1<w:docDefaults>{element}</w:docDefaults>", styles_xml, count=1)


def _chinese_lang(match: re.Match[str]) -> str:
    if f'w:eastAsia="{EAST_ASIAN_LANGUAGE}"' in match.group(0):
        return match.group(0)
    element = _EAST_ASIA.sub("", match.group(0))
    return element.replace("<w:lang", f'<w:lang w:eastAsia="{EAST_ASIAN_LANGUAGE}"', 1)


def _east_asian_text_is_chinese(xml: str) -> str:
    """Every ``w:lang`` element that names an East Asian language names zh-CN (a ``w:lang`` without one
    inherits it from the styles, which get the same treatment, and the run defaults)."""
    return _LANG.sub(lambda m: _chinese_lang(m) if _EAST_ASIA.search(m.group(0)) else m.group(0), xml)


def _default_chinese(styles_xml: str) -> str:
    lang = f'<w:lang w:eastAsia="{EAST_ASIAN_LANGUAGE}"/>'

    def fix(match: re.Match[str]) -> str:
        inner = match.group(1) or ""
        found = _LANG.search(inner)
        if found is not None:
            inner = inner[: found.start()] + _chinese_lang(found) + inner[found.end() :]
        else:
            after = _AFTER_LANG.search(inner)
            at = after.start() if after is not None else len(inner)
            inner = f"{inner[:at]}{lang}{inner[at:]}"
        return f"<w:rPrDefault><w:rPr>{inner}</w:rPr></w:rPrDefault>"

    if _RPR_DEFAULT.search(styles_xml):
        return _RPR_DEFAULT.sub(fix, styles_xml, count=1)
    # No run defaults at all: w:rPrDefault is the first child of w:docDefaults.
    return _add_doc_default(styles_xml, f"<w:rPrDefault><w:rPr>{lang}</w:rPr></w:rPrDefault>", first=True)


def normalise_document(document_xml: str) -> str:
    """``word/document.xml`` on the official grid (the rules in the module docstring)."""
    tracking = body_tracking(text_width_twips(document_xml))
    pitch = official_line_pitch(document_xml)
    xml = _DOC_GRID.sub(lambda m: _lines_only_grid(m, pitch), document_xml)
    xml = _track_body_runs(xml, tracking)
    return _east_asian_text_is_chinese(_no_hanging_punctuation(xml))


def normalise_styles(styles_xml: str, document_xml: str) -> str:
    """``word/styles.xml`` on the official grid; ``document_xml`` gives the text width."""
    tracking = body_tracking(text_width_twips(document_xml))
    xml = _track_body_runs(styles_xml, tracking)
    xml = _east_asian_text_is_chinese(_no_hanging_punctuation(xml))
    return _default_chinese(_default_no_hanging(xml))
