"""Build the blank-form templates in ``docgen/templates/forms/`` in the official document format (GB/T 9704-2012).

    .venv/bin/python tools/build_templates.py [OUTPUT_DIR]

One function per form (``filing``, ``activity_stats``, ``liaison_reply``, ``arrangement``); everything they
share — page set-up, styles, page numbers, fonts on every run — lives in :class:`OfficialDocument`. The
agreement templates are no longer built here: since issue 10 the .docx files in ``docgen/templates/`` are
their source, edited in Word (``docs/templates.md``); ``tools/migrations/agreements_to_word.py`` wrote them
once with this module's ``OfficialDocument``. The form templates are docxtpl (Jinja) documents: their
variables come from ``docgen.forms.generate.form_context`` and are documented in ``docs/forms.md``.

The output is deterministic: fixed core-property dates, no random ids, zip entries with a fixed time
stamp, so rebuilding gives byte-identical files and ``git diff`` shows only real changes.
"""

from __future__ import annotations

import io
import sys
import zipfile
from collections.abc import Callable, Iterable
from datetime import UTC, datetime
from pathlib import Path

from docx import Document
from docx.document import Document as DocxDocument
from docx.opc.constants import RELATIONSHIP_TYPE as RT
from docx.oxml import parse_xml
from docx.oxml.ns import nsdecls, qn
from lxml import etree

ROOT = Path(__file__).resolve().parent.parent
TEMPLATES = ROOT / "docgen" / "templates"

# --- the official format (GB/T 9704-2012) -------------------------------------------------------------

FONT_TITLE = "方正小标宋简体"  # 2号 title
FONT_BODY = "仿宋_GB2312"  # 3号 body
FONT_H1 = "黑体"  # 一、 headings
FONT_H2 = "楷体_GB2312"  # （一） headings
FONT_PAGE = "宋体"  # 4号 page numbers
FONT_LATIN = "Times New Roman"  # ASCII digits and letters in the body

SIZE_TITLE = 44  # half-points: 2号 = 22 pt
SIZE_BODY = 32  # 3号 = 16 pt
SIZE_PAGE = 28  # 4号 = 14 pt

# Page and text block, in twips (1 mm = 56.7 twips): A4, 版心 156 × 225 mm.
PAGE_W, PAGE_H = 11906, 16838
MARGIN_TOP, MARGIN_BOTTOM = 2098, 1984  # 37 mm, 35 mm
MARGIN_LEFT, MARGIN_RIGHT = 1588, 1474  # 28 mm (binding side), 26 mm
HEADER_DIST = 851  # 15 mm
FOOTER_DIST = 1304  # 23 mm: the page number sits ~7 mm below the text block
LINE_PITCH = 579  # 28.95 pt: 22 lines in 225 mm
# 28 characters in 156 mm: pitch 15.79 pt = 16 pt + charSpace/4096 pt.
CHAR_SPACE = round((156 / 25.4 * 72 / 28 - SIZE_BODY / 2) * 4096)  # -848
# LibreOffice puts a character wider than the grid pitch (16 pt > 15.79 pt) into two grid cells, so a
# snapped 3号 line holds 14 characters there. Paragraphs therefore opt out of the character grid
# (w:snapToGrid 0) and 16 pt runs are condensed by 0.25 pt (w:spacing -5, in 1/20 pt): 28 × 15.75 pt fits
# 156 mm in Word and LibreOffice alike; exact 28.95 pt line spacing keeps the 22 lines.
TRACKING_BODY = -5

CORE_DATE = datetime(2019, 3, 14, tzinfo=UTC)  # fixed, so rebuilds are byte-identical
ZIP_DATE = (2019, 3, 14, 0, 0, 0)

CN_INDEX = '"一二三四五六七八九十"[loop.index0]'  # Jinja: （一）（二）… for loop items

# Fonts Word should know about: GB2312 charset (86) and the face Word substitutes when one is missing.
FONT_TABLE = {
    FONT_TITLE: ("宋体", "roman", "variable"),
    FONT_BODY: ("仿宋", "modern", "fixed"),
    FONT_H1: ("SimHei", "modern", "fixed"),
    FONT_H2: ("楷体", "modern", "fixed"),
    FONT_PAGE: ("SimSun", "auto", "variable"),
}


# --- XML helpers ---------------------------------------------------------------------------------------


def _rpr_xml(font: str, size: int, *, latin: str | None = None) -> str:
    """Run properties with every font slot set: ``font`` for East Asian text (and ambiguous characters such
    as “”—, via ``w:hint``), ``latin`` (default: ``font``) for ASCII. East Asian text is tagged zh-CN;
    Latin text stays en-US, because with ``w:val="zh-CN"`` LibreOffice breaks lines inside numbers
    (``077|2-1234567``). 3号 runs are condensed to the 28-characters line (see ``TRACKING_BODY``)."""
    latin = latin or font
    tracking = f'<w:spacing w:val="{TRACKING_BODY}"/>' if size == SIZE_BODY else ""
    return (
        f'<w:rFonts w:ascii="{latin}" w:eastAsia="{font}" w:hAnsi="{latin}" w:cs="{latin}"'
        ' w:hint="eastAsia"/>'
        f'{tracking}<w:sz w:val="{size}"/><w:szCs w:val="{size}"/>'
        '<w:lang w:val="en-US" w:eastAsia="zh-CN" w:bidi="ar-SA"/>'
    )


def _ppr_xml(
    *,
    jc: str = "both",
    first_line_chars: int = 0,
    left_chars: int = 0,
    right_chars: int = 0,
    keep_next: bool = False,
    outline: int | None = None,
    line: int | None = LINE_PITCH,
    char_twips: int = SIZE_BODY * 10,
) -> str:
    """Paragraph properties in schema order. Indents are in hundredths of a character (200 = two
    characters), with the twips equivalent (``char_twips`` per character; 320 at 16 pt) for readers that
    ignore ``*Chars``. ``line``: exact line spacing in twips, ``None`` for single spacing."""
    ind = ""
    if first_line_chars or left_chars or right_chars:
        ind = (
            f'<w:ind w:left="{left_chars * char_twips // 100}" w:leftChars="{left_chars}"'
            f' w:right="{right_chars * char_twips // 100}" w:rightChars="{right_chars}"'
        )
        if first_line_chars:
            ind += (
                f' w:firstLine="{first_line_chars * char_twips // 100}" w:firstLineChars="{first_line_chars}"'
            )
        ind += "/>"
    spacing = f' w:line="{line}" w:lineRule="exact"' if line is not None else ""
    return (
        ("<w:keepNext/>" if keep_next else "")
        + '<w:widowControl w:val="0"/><w:snapToGrid w:val="0"/>'
        + f'<w:spacing w:before="0" w:after="0"{spacing}/>'
        + ind
        + f'<w:jc w:val="{jc}"/>'
        + (f'<w:outlineLvl w:val="{outline}"/>' if outline is not None else "")
    )


# Paragraph styles: (id, name, Chinese alias, font, size, latin, paragraph properties).
_BODY_LATIN = FONT_LATIN
PARAGRAPH_STYLES: list[tuple[str, str, str, str, int, str | None, str]] = [
    ("DocTitle", "DocTitle", "公文标题", FONT_TITLE, SIZE_TITLE, None, _ppr_xml(jc="center", keep_next=True)),
    ("Body", "Body", "公文正文", FONT_BODY, SIZE_BODY, _BODY_LATIN, _ppr_xml(first_line_chars=200)),
    ("BodyFlush", "BodyFlush", "正文顶格", FONT_BODY, SIZE_BODY, _BODY_LATIN, _ppr_xml()),
    (
        "Heading1CN",
        "Heading1CN",
        "一级标题",
        FONT_H1,
        SIZE_BODY,
        None,
        _ppr_xml(first_line_chars=200, keep_next=True, outline=0),
    ),
    (
        "Heading2CN",
        "Heading2CN",
        "二级标题",
        FONT_H2,
        SIZE_BODY,
        None,
        _ppr_xml(first_line_chars=200, keep_next=True, outline=1),
    ),
    (
        "Signature",
        "Signature",
        "落款",
        FONT_BODY,
        SIZE_BODY,
        _BODY_LATIN,
        _ppr_xml(jc="left", keep_next=True),
    ),
    (
        "SignDate",
        "SignDate",
        "落款日期",
        FONT_BODY,
        SIZE_BODY,
        _BODY_LATIN,
        _ppr_xml(jc="right", right_chars=400),
    ),
    ("PageNumber", "PageNumber", "页码", FONT_PAGE, SIZE_PAGE, None, _ppr_xml(jc="center", line=None)),
]


def _style_xml(
    style_id: str, name: str, alias: str, font: str, size: int, latin: str | None, ppr: str
) -> str:
    return (
        f'<w:style {nsdecls("w")} w:type="paragraph" w:customStyle="1" w:styleId="{style_id}">'
        f'<w:name w:val="{name}"/><w:aliases w:val="{alias}"/><w:basedOn w:val="Normal"/>'
        f'<w:next w:val="{"Body" if style_id != "PageNumber" else "PageNumber"}"/><w:qFormat/>'
        f"<w:pPr>{ppr}</w:pPr><w:rPr>{_rpr_xml(font, size, latin=latin)}</w:rPr></w:style>"
    )


def _char_style_xml(style_id: str, name: str, alias: str, font: str) -> str:
    return (
        f'<w:style {nsdecls("w")} w:type="character" w:customStyle="1" w:styleId="{style_id}">'
        f'<w:name w:val="{name}"/><w:aliases w:val="{alias}"/><w:qFormat/>'
        f"<w:rPr>{_rpr_xml(font, SIZE_BODY)}</w:rPr></w:style>"
    )


class OfficialDocument:
    """A python-docx document set up in the official format, with one method per kind of paragraph.

    Every run gets explicit ``w:rFonts`` (ascii/hAnsi/eastAsia/cs) and ``w:lang`` zh-CN besides its
    paragraph style, because python-docx's ``font.name`` leaves ``w:eastAsia`` alone and readers differ in
    how far they follow style inheritance. Each ``{{ … }}`` / ``{% … %}`` tag is written inside one run.
    """

    def __init__(self, title: str) -> None:
        self.doc: DocxDocument = Document()
        self.body = self.doc.element.body
        for p in list(self.body.iterchildren(qn("w:p"))):
            self.body.remove(p)
        self._drop_package_extras()
        self._setup_styles()
        self._setup_fonts()
        self._setup_settings()
        self._setup_section()
        self._setup_footers()
        self._setup_core(title)

    # --- package set-up --------------------------------------------------------------------------------

    def _drop_package_extras(self) -> None:
        """python-docx's template carries a thumbnail of an English page, Word 2010 style effects tagged
        en-US and a customXml item: unreferenced parts are not written."""
        package = self.doc.part.package
        for rid, rel in list(package.rels.items()):
            if rel.reltype == RT.THUMBNAIL:
                del package.rels[rid]
        for rid, rel in list(self.doc.part.rels.items()):
            if rel.reltype in (
                RT.CUSTOM_XML,
                "http://schemas.microsoft.com/office/2007/relationships/stylesWithEffects",
            ):
                del self.doc.part.rels[rid]

    def _setup_styles(self) -> None:
        styles = self.doc.styles.element
        body_rpr = _rpr_xml(FONT_BODY, SIZE_BODY, latin=FONT_LATIN)
        defaults = styles.find(qn("w:docDefaults"))
        defaults.getparent().replace(
            defaults,
            parse_xml(
                f"<w:docDefaults {nsdecls('w')}>"
                f"<w:rPrDefault><w:rPr>{body_rpr}</w:rPr></w:rPrDefault>"
                f'<w:pPrDefault><w:pPr><w:spacing w:after="0" w:line="{LINE_PITCH}" w:lineRule="exact"/>'
                "</w:pPr></w:pPrDefault></w:docDefaults>"
            ),
        )
        # Normal sets the grid's character pitch (16 pt + charSpace), so it must be 3号.
        normal = styles.xpath('w:style[@w:styleId="Normal"]')[0]
        for child in list(normal):
            if child.tag in (qn("w:pPr"), qn("w:rPr")):
                normal.remove(child)
        normal.append(parse_xml(f"<w:pPr {nsdecls('w')}>{_ppr_xml()}</w:pPr>"))
        normal.append(parse_xml(f"<w:rPr {nsdecls('w')}>{body_rpr}</w:rPr>"))
        for spec in PARAGRAPH_STYLES:
            styles.append(parse_xml(_style_xml(*spec)))
        styles.append(parse_xml(_char_style_xml("Heading1CNChar", "Heading1CNChar", "一级标题字符", FONT_H1)))
        styles.append(parse_xml(_char_style_xml("Heading2CNChar", "Heading2CNChar", "二级标题字符", FONT_H2)))

    def _setup_fonts(self) -> None:
        font_table = next(
            rel.target_part for rel in self.doc.part.rels.values() if rel.reltype == RT.FONT_TABLE
        )
        root = etree.fromstring(font_table.blob)
        for name, (alt, family, pitch) in FONT_TABLE.items():
            root.append(
                parse_xml(
                    f'<w:font {nsdecls("w")} w:name="{name}"><w:altName w:val="{alt}"/>'
                    f'<w:charset w:val="86"/><w:family w:val="{family}"/><w:pitch w:val="{pitch}"/></w:font>'
                )
            )
        font_table._blob = etree.tostring(root, xml_declaration=True, encoding="UTF-8", standalone=True)

    def _setup_settings(self) -> None:
        settings = self.doc.settings
        settings.odd_and_even_pages_header_footer = True  # <w:evenAndOddHeaders/>
        element = settings.element
        for tag in ("w:rsids", "w:attachedTemplate"):
            for child in element.findall(qn(tag)):
                element.remove(child)
        lang = element.find(qn("w:themeFontLang"))
        lang.set(qn("w:val"), "en-US")
        lang.set(qn("w:eastAsia"), "zh-CN")

    def _setup_section(self) -> None:
        section = self.doc.sections[0]
        sect = section._sectPr
        for tag in ("w:pgSz", "w:pgMar", "w:cols", "w:docGrid"):
            for child in sect.findall(qn(tag)):
                sect.remove(child)
        for attr in list(sect.attrib):
            del sect.attrib[attr]
        sect.append(parse_xml(f'<w:pgSz {nsdecls("w")} w:w="{PAGE_W}" w:h="{PAGE_H}"/>'))
        sect.append(
            parse_xml(
                f'<w:pgMar {nsdecls("w")} w:top="{MARGIN_TOP}" w:right="{MARGIN_RIGHT}"'
                f' w:bottom="{MARGIN_BOTTOM}" w:left="{MARGIN_LEFT}" w:header="{HEADER_DIST}"'
                f' w:footer="{FOOTER_DIST}" w:gutter="0"/>'
            )
        )
        sect.append(parse_xml(f'<w:cols {nsdecls("w")} w:space="425"/>'))
        sect.append(
            parse_xml(
                f'<w:docGrid {nsdecls("w")} w:type="linesAndChars" w:linePitch="{LINE_PITCH}"'
                f' w:charSpace="{CHAR_SPACE}"/>'
            )
        )

    def _setup_footers(self) -> None:
        """``— 1 —`` in 4号 宋体: odd pages at the right (1 character in), even pages at the left."""
        section = self.doc.sections[0]
        for footer, jc, indent in (
            (section.footer, "right", "right"),
            (section.even_page_footer, "left", "left"),
        ):
            footer.is_linked_to_previous = False
            ftr = footer._element
            for p in list(ftr.iterchildren(qn("w:p"))):
                ftr.remove(p)
            ppr = _ppr_xml(jc=jc, line=None, char_twips=SIZE_PAGE * 10, **{f"{indent}_chars": 100})
            rpr = _rpr_xml(FONT_PAGE, SIZE_PAGE)
            ftr.append(
                parse_xml(
                    f'<w:p {nsdecls("w")}><w:pPr><w:pStyle w:val="PageNumber"/>{ppr}</w:pPr>'
                    f'<w:r><w:rPr>{rpr}</w:rPr><w:t xml:space="preserve">— </w:t></w:r>'
                    f'<w:r><w:rPr>{rpr}</w:rPr><w:fldChar w:fldCharType="begin"/></w:r>'
                    f'<w:r><w:rPr>{rpr}</w:rPr><w:instrText xml:space="preserve"> PAGE </w:instrText></w:r>'
                    f'<w:r><w:rPr>{rpr}</w:rPr><w:fldChar w:fldCharType="separate"/></w:r>'
                    f"<w:r><w:rPr>{rpr}</w:rPr><w:t>1</w:t></w:r>"
                    f'<w:r><w:rPr>{rpr}</w:rPr><w:fldChar w:fldCharType="end"/></w:r>'
                    f'<w:r><w:rPr>{rpr}</w:rPr><w:t xml:space="preserve"> —</w:t></w:r></w:p>'
                )
            )

    def _setup_core(self, title: str) -> None:
        core = self.doc.core_properties
        core.title = title
        core.subject = "学校结对帮扶协议模板"
        core.author = "docgen"
        core.last_modified_by = "docgen"
        core.comments = "由 tools/build_templates.py 生成；变量见 docs/templates.md"
        core.keywords = "docxtpl"
        core.category = ""
        core.language = "zh-CN"
        core.revision = 1
        core.created = CORE_DATE
        core.modified = CORE_DATE
        core.last_printed = CORE_DATE

    # --- paragraphs ------------------------------------------------------------------------------------

    def paragraph(
        self,
        style: str,
        runs: Iterable[tuple[str, str | None]],
        *,
        font: str,
        size: int,
        latin: str | None = None,
        keep_next: bool = False,
    ) -> None:
        """Append a paragraph of ``style``; ``runs`` are (text, character style or None). ``keep_next``
        keeps it on the page of the next paragraph (the last clause with the signatures)."""
        fonts = {None: font, "Heading1CNChar": FONT_H1, "Heading2CNChar": FONT_H2}
        keep = "<w:keepNext/>" if keep_next else ""
        xml = [f'<w:p {nsdecls("w")}><w:pPr><w:pStyle w:val="{style}"/>{keep}</w:pPr>']
        for text, char_style in runs:
            rstyle = f'<w:rStyle w:val="{char_style}"/>' if char_style else ""
            run_latin = latin if char_style is None else None
            xml.append(
                f"<w:r><w:rPr>{rstyle}{_rpr_xml(fonts[char_style], size, latin=run_latin)}</w:rPr>"
                f'<w:t xml:space="preserve">{_escape(text)}</w:t></w:r>'
            )
        xml.append("</w:p>")
        self.body.insert(len(self.body) - 1, parse_xml("".join(xml)))  # before the final sectPr

    def title(self, text: str) -> None:
        self.paragraph("DocTitle", [(text, None)], font=FONT_TITLE, size=SIZE_TITLE)
        self.blank()

    def body_text(self, text: str, *, keep_next: bool = False) -> None:
        """A body paragraph: 3号 仿宋, first line indented two characters."""
        self.paragraph(
            "Body", [(text, None)], font=FONT_BODY, size=SIZE_BODY, latin=FONT_LATIN, keep_next=keep_next
        )

    def flush(self, text: str) -> None:
        """A body paragraph without indent (party lines such as 甲方：…)."""
        self.paragraph("BodyFlush", [(text, None)], font=FONT_BODY, size=SIZE_BODY, latin=FONT_LATIN)

    def h1(self, text: str) -> None:
        self.paragraph("Heading1CN", [(text, None)], font=FONT_H1, size=SIZE_BODY)

    def h2(self, text: str) -> None:
        self.paragraph("Heading2CN", [(text, None)], font=FONT_H2, size=SIZE_BODY)

    def signature(self, text: str) -> None:
        self.paragraph("Signature", [(text, None)], font=FONT_BODY, size=SIZE_BODY, latin=FONT_LATIN)

    def sign_date(self, text: str) -> None:
        self.paragraph("SignDate", [(text, None)], font=FONT_BODY, size=SIZE_BODY, latin=FONT_LATIN)

    def tag(self, statement: str) -> None:
        """A docxtpl paragraph tag (``{%p for … %}``) alone in its paragraph; the paragraph disappears."""
        self.paragraph(
            "BodyFlush", [(f"{{%p {statement} %}}", None)], font=FONT_BODY, size=SIZE_BODY, latin=FONT_LATIN
        )

    def blank(self, style: str = "BodyFlush", *, keep_next: bool = False) -> None:
        keep = "<w:keepNext/>" if keep_next else ""
        self.body.insert(
            len(self.body) - 1,
            parse_xml(
                f'<w:p {nsdecls("w")}><w:pPr><w:pStyle w:val="{style}"/>{keep}'
                f"<w:rPr>{_rpr_xml(FONT_BODY, SIZE_BODY, latin=FONT_LATIN)}</w:rPr></w:pPr></w:p>"
            ),
        )

    # --- saving ----------------------------------------------------------------------------------------

    def save(self, path: Path) -> None:
        buffer = io.BytesIO()
        self.doc.save(buffer)
        path.write_bytes(_normalized_zip(buffer.getvalue()))


def _escape(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def _normalized_zip(data: bytes) -> bytes:
    """The same zip with a fixed time stamp on every entry (``ZipFile.writestr`` stamps the current time)."""
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(data)) as src, zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as dst:
        for info in src.infolist():
            entry = zipfile.ZipInfo(info.filename, date_time=ZIP_DATE)
            entry.compress_type = zipfile.ZIP_DEFLATED
            entry.external_attr = 0o644 << 16
            dst.writestr(entry, src.read(info.filename))
    return out.getvalue()


# --- blank forms ----------------------------------------------------------------------------------------
#
# One function per form (``filing``, ``activity_stats``, ``liaison_reply``, ``arrangement``), written to
# ``templates/forms/<kind>.docx``. A form template is an OfficialDocument plus what routes a returned copy
# home: in the page header (odd and even pages) the QR code ``word/media/qr.png`` (replaced per document by
# ``docgen.forms.generate.form_media``) and the printed line ``表单识别码：{{ identity.code }}``; in
# ``docProps/custom.xml`` the property ``docgen-identity``. Field values are ``{{ fields.<key> }}`` (the
# schema's keys, pre-filled by ``form_context``); table rows come from ``{%tr for row in table.rows %}``.

SIZE_TABLE = 28  # 4号 = 14 pt: table text of portrait forms
SIZE_SMALL = 24  # 小四 = 12 pt: the 10-column 统计表, notes, the printed identity code
FONT_CODE = "Courier New"  # the identity code: monospace, so OCR reads 0/O and 1/l apart
QR_SIZE = 20 * 36000  # 20 mm in EMU
QR_PLACEHOLDER = "DG1:template:00:{kind}:{version}"  # replaced in every generated form
TEXT_W = PAGE_W - MARGIN_LEFT - MARGIN_RIGHT  # 8844 twips = 156 mm
# Landscape A4 (GB/T 9704 allows landscape tables): the portrait margins keep their sides for binding;
# the 37 mm top leaves the header room for the 20 mm QR code.
LAND_MARGIN_BOTTOM, LAND_FOOTER = 1134, 567  # 20 mm, 10 mm
LAND_TEXT_W = PAGE_H - MARGIN_LEFT - MARGIN_RIGHT  # 13776 twips = 243 mm
CUSTOM_PROPS = (
    '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
    '<Properties xmlns="http://schemas.openxmlformats.org/officeDocument/2006/custom-properties"'
    ' xmlns:vt="http://schemas.openxmlformats.org/officeDocument/2006/docPropsVTypes">'
    '<property fmtid="{D5CDD505-2E9C-101B-9397-08002B2CF9AE}" pid="2" name="docgen-identity">'
    "<vt:lpwstr>{{ identity.code }}</vt:lpwstr></property></Properties>"
)
DATE_BLANK = "    年  月  日"


def _cell_ppr(jc: str, size: int) -> str:
    """Table-cell paragraphs: no indent, single-ish exact spacing (1.25 × the font size)."""
    return _ppr_xml(jc=jc, line=size * 25 // 2, char_twips=size * 10)


def _runs(text: str, size: int, font: str = FONT_BODY) -> str:
    return (
        f"<w:r><w:rPr>{_rpr_xml(font, size, latin=FONT_LATIN if font == FONT_BODY else None)}</w:rPr>"
        f'<w:t xml:space="preserve">{_escape(text)}</w:t></w:r>'
        if text
        else ""
    )


def _cell(
    text: str,
    width: int,
    *,
    size: int,
    jc: str = "center",
    span: int = 1,
    vmerge: str | None = None,
    font: str = FONT_BODY,
    valign: str = "center",
) -> str:
    """One ``w:tc``; ``text`` lines (split at \\n) become paragraphs; ``vmerge``: "restart" or "continue"."""
    merge = ""
    if vmerge == "restart":
        merge = '<w:vMerge w:val="restart"/>'
    elif vmerge == "continue":
        merge = "<w:vMerge/>"
    grid = f'<w:gridSpan w:val="{span}"/>' if span > 1 else ""
    paragraphs = "".join(
        f'<w:p><w:pPr><w:pStyle w:val="BodyFlush"/>{_cell_ppr(jc, size)}'
        f"<w:rPr>{_rpr_xml(font, size)}</w:rPr></w:pPr>{_runs(line, size, font)}</w:p>"
        for line in text.split("\n")
    )
    return (
        f'<w:tc><w:tcPr><w:tcW w:w="{width}" w:type="dxa"/>{grid}{merge}<w:vAlign w:val="{valign}"/></w:tcPr>'
        f"{paragraphs}</w:tc>"
    )


def _row(cells: Iterable[str], height: int | None = None, *, header: bool = False) -> str:
    props = '<w:cantSplit/>' + (f'<w:trHeight w:val="{height}" w:hRule="atLeast"/>' if height else "")
    props += "<w:tblHeader/>" if header else ""
    return f"<w:tr><w:trPr>{props}</w:trPr>{''.join(cells)}</w:tr>"


def _tag_row(statement: str, width: int, size: int) -> str:
    """A docxtpl row tag (``{%tr for … %}``): the whole row is replaced by the tag when rendering."""
    return _row([_cell(f"{{%tr {statement} %}}", width, size=size, jc="left")])


def _table_xml(widths: list[int], rows: Iterable[str], *, borders: bool = True) -> str:
    line = '<w:{side} w:val="single" w:sz="8" w:space="0" w:color="000000"/>'
    sides = ("top", "left", "bottom", "right", "insideH", "insideV")
    border = (
        "<w:tblBorders>" + "".join(line.format(side=s) for s in sides) + "</w:tblBorders>"
        if borders
        else "<w:tblBorders>" + "".join(f'<w:{s} w:val="nil"/>' for s in sides) + "</w:tblBorders>"
    )
    return (
        f"<w:tbl {nsdecls('w')}><w:tblPr>"
        f'<w:tblW w:w="{sum(widths)}" w:type="dxa"/><w:jc w:val="center"/>{border}'
        '<w:tblLayout w:type="fixed"/>'
        '<w:tblCellMar><w:left w:w="57" w:type="dxa"/><w:right w:w="57" w:type="dxa"/></w:tblCellMar>'
        '<w:tblLook w:val="0000" w:firstRow="0" w:lastRow="0" w:firstColumn="0" w:lastColumn="0"'
        ' w:noHBand="1" w:noVBand="1"/></w:tblPr>'
        "<w:tblGrid>" + "".join(f'<w:gridCol w:w="{w}"/>' for w in widths) + "</w:tblGrid>"
        + "".join(rows)
        + "</w:tbl>"
    )


def _qr_inline(rid: str, docpr_id: int) -> str:
    return (
        f"<w:drawing {nsdecls('w', 'wp', 'a', 'pic', 'r')}>"
        '<wp:inline distT="0" distB="0" distL="0" distR="0">'
        f'<wp:extent cx="{QR_SIZE}" cy="{QR_SIZE}"/><wp:effectExtent l="0" t="0" r="0" b="0"/>'
        f'<wp:docPr id="{docpr_id}" name="docgen-identity-qr" descr="表单识别码二维码"/>'
        '<wp:cNvGraphicFramePr><a:graphicFrameLocks noChangeAspect="1"/></wp:cNvGraphicFramePr>'
        '<a:graphic><a:graphicData uri="http://schemas.openxmlformats.org/drawingml/2006/picture">'
        '<pic:pic><pic:nvPicPr><pic:cNvPr id="0" name="qr.png"/><pic:cNvPicPr/></pic:nvPicPr>'
        f'<pic:blipFill><a:blip r:embed="{rid}"/><a:stretch><a:fillRect/></a:stretch></pic:blipFill>'
        f'<pic:spPr><a:xfrm><a:off x="0" y="0"/><a:ext cx="{QR_SIZE}" cy="{QR_SIZE}"/></a:xfrm>'
        '<a:prstGeom prst="rect"><a:avLst/></a:prstGeom></pic:spPr></pic:pic>'
        "</a:graphicData></a:graphic></wp:inline></w:drawing>"
    )


class OfficialForm(OfficialDocument):
    """An OfficialDocument that is a blank form: portrait or landscape A4, identity in header and properties."""

    def __init__(self, title: str, kind: str, version: int, *, landscape: bool = False) -> None:
        super().__init__(title)
        self.kind = kind
        self.text_width = LAND_TEXT_W if landscape else TEXT_W
        if landscape:
            self._setup_landscape()
        self._setup_identity(QR_PLACEHOLDER.format(kind=kind, version=version))

    def _setup_core(self, title: str) -> None:
        super()._setup_core(title)
        self.doc.core_properties.subject = "学校结对帮扶表单模板"
        self.doc.core_properties.comments = "由 tools/build_templates.py 生成；变量见 docs/forms.md"

    def _setup_landscape(self) -> None:
        sect = self.doc.sections[0]._sectPr
        size, margins = sect.find(qn("w:pgSz")), sect.find(qn("w:pgMar"))
        size.set(qn("w:w"), str(PAGE_H))
        size.set(qn("w:h"), str(PAGE_W))
        size.set(qn("w:orient"), "landscape")
        margins.set(qn("w:bottom"), str(LAND_MARGIN_BOTTOM))
        margins.set(qn("w:footer"), str(LAND_FOOTER))

    def _setup_identity(self, placeholder_code: str) -> None:
        """QR code + printed code in the odd and even page headers; the custom property part."""
        from docx.opc.constants import CONTENT_TYPE as CT
        from docx.opc.packuri import PackURI
        from docx.opc.part import Part
        from docx.parts.image import ImagePart

        sys.path.insert(0, str(ROOT))
        from docgen.forms.generate import IDENTITY_PROPERTY, qr_png

        assert IDENTITY_PROPERTY in CUSTOM_PROPS
        package = self.doc.part.package
        image = ImagePart(PackURI("/word/media/qr.png"), "image/png", qr_png(placeholder_code), package)
        section = self.doc.sections[0]
        width = self.text_width
        widths = [width - QR_SIZE // 635 - 200, QR_SIZE // 635 + 200]  # EMU → twips (635 EMU per twip)
        for docpr_id, header in enumerate((section.header, section.even_page_header), start=1):
            header.is_linked_to_previous = False
            hdr = header._element
            for p in list(hdr.iterchildren(qn("w:p"))):
                hdr.remove(p)
            rid = header.part.relate_to(image, RT.IMAGE)
            label = _cell("表单识别码：", widths[0], size=SIZE_SMALL, jc="left", font=FONT_H1, valign="bottom")
            code_run = (
                f"<w:r><w:rPr>{_rpr_xml(FONT_H1, SIZE_SMALL, latin=FONT_CODE)}</w:rPr>"
                "<w:t>{{ identity.code }}</w:t></w:r>"
            )
            label = label.replace("</w:tc>", "").rsplit("</w:p>", 1)[0] + "</w:p>"
            label += (
                f'<w:p><w:pPr><w:pStyle w:val="BodyFlush"/>{_cell_ppr("left", SIZE_SMALL)}</w:pPr>{code_run}</w:p>'
                "</w:tc>"
            )
            qr = (
                f'<w:tc><w:tcPr><w:tcW w:w="{widths[1]}" w:type="dxa"/><w:vAlign w:val="bottom"/></w:tcPr>'
                f'<w:p><w:pPr><w:pStyle w:val="BodyFlush"/><w:widowControl w:val="0"/><w:snapToGrid w:val="0"/>'
                '<w:spacing w:before="0" w:after="0" w:line="240" w:lineRule="auto"/><w:jc w:val="right"/></w:pPr>'
                f"<w:r>{_qr_inline(rid, docpr_id)}</w:r></w:p></w:tc>"
            )
            table = _table_xml(widths, [_row([label, qr])], borders=False)
            table = table.replace('<w:tblCellMar><w:left w:w="57" w:type="dxa"/><w:right w:w="57" w:type="dxa"/>',
                                  '<w:tblCellMar><w:left w:w="0" w:type="dxa"/><w:right w:w="0" w:type="dxa"/>')
            hdr.append(parse_xml(table))
            # A header must end with a paragraph; a one-point one keeps the table at the top.
            hdr.append(
                parse_xml(
                    f'<w:p {nsdecls("w")}><w:pPr><w:pStyle w:val="BodyFlush"/><w:widowControl w:val="0"/>'
                    '<w:snapToGrid w:val="0"/><w:spacing w:before="0" w:after="0" w:line="20" w:lineRule="exact"/>'
                    f'<w:rPr>{_rpr_xml(FONT_BODY, 2)}</w:rPr></w:pPr></w:p>'
                )
            )
        custom = Part(PackURI("/docProps/custom.xml"), CT.OFC_CUSTOM_PROPERTIES, CUSTOM_PROPS.encode(), package)
        package.relate_to(custom, RT.CUSTOM_PROPERTIES)

    def append_xml(self, xml: str) -> None:
        self.body.insert(len(self.body) - 1, parse_xml(xml))

    def line(self, text: str, *, size: int = SIZE_BODY, right: str = "", jc: str = "left") -> None:
        """A flush paragraph of ``text``; ``right`` goes to a right tab stop at the end of the line."""
        tab = f'<w:tabs><w:tab w:val="right" w:pos="{self.text_width}"/></w:tabs>' if right else ""
        ppr = _ppr_xml(jc=jc, line=size * 25 // 2 if size != SIZE_BODY else LINE_PITCH, char_twips=size * 10)
        ppr = ppr.replace("<w:spacing", tab + "<w:spacing", 1)
        tab_run = f"<w:r><w:rPr>{_rpr_xml(FONT_BODY, size, latin=FONT_LATIN)}</w:rPr><w:tab/></w:r>" if right else ""
        self.append_xml(
            f'<w:p {nsdecls("w")}><w:pPr><w:pStyle w:val="BodyFlush"/>{ppr}</w:pPr>'
            f"{_runs(text, size)}{tab_run}{_runs(right, size)}</w:p>"
        )

    def notes(self, lead: str, items: list[str], size: int = SIZE_SMALL) -> None:
        """说明：1.… 2.… with the items hanging under the first."""
        for i, item in enumerate(items):
            text = (lead if i == 0 else "\u3000" * len(lead)) + item
            ppr = _ppr_xml(jc="both", line=size * 25 // 2, char_twips=size * 10)
            hang = len(lead) * 100 + 200
            ppr = ppr.replace(
                "<w:jc",
                f'<w:ind w:left="{hang * size // 10}" w:leftChars="{hang}" w:hanging="{hang * size // 10}"'
                f' w:hangingChars="{hang}"/><w:jc',
                1,
            )
            self.append_xml(f'<w:p {nsdecls("w")}><w:pPr><w:pStyle w:val="BodyFlush"/>{ppr}</w:pPr>'
                            f"{_runs(text, size)}</w:p>")

    def form_title(self) -> None:
        self.paragraph("DocTitle", [("{{ title }}", None)], font=FONT_TITLE, size=SIZE_TITLE)


def _schema(kind: str) -> tuple[str, int]:
    sys.path.insert(0, str(ROOT))
    from docgen.forms import load_schemas

    schema = load_schemas()[kind]
    return schema.title, schema.version


def filing() -> OfficialForm:
    """备案表 after 附件2 of 彭教育人事发〔2019〕8号 (seed 000): 单位 and date above a key–value table whose
    first eight rows share the vertically merged label 援藏活动情况."""
    title, version = _schema("filing")
    doc = OfficialForm(title, "filing", version)
    doc.form_title()
    doc.line("单位：{{ fields.unit }}", right=DATE_BLANK + "{{ fields.filled_on }}")
    widths = [620, 2620, TEXT_W - 620 - 2620]
    size = SIZE_TABLE
    under_label = [
        ("带队人员姓名", "leader", 567),
        ("职  务", "leader_title", 567),
        ("联系电话", "leader_phone", 567),
        ("前往地点", "destination", 567),
        ("外出事由（项目）", "purpose", 794),
        ("外出时间", "departs_on", 567),
        ("返回时间", "returns_on", 567),
        ("参加人员（可另附名单）", "participants", 1361),
    ]
    rows = []
    for i, (label, key, height) in enumerate(under_label):
        first = _cell("援\n藏\n活\n动\n情\n况" if i == 0 else "", widths[0], size=size,
                      vmerge="restart" if i == 0 else "continue")
        rows.append(_row([first, _cell(label, widths[1], size=size),
                          _cell(f"{{{{ fields.{key} }}}}", widths[2], size=size, jc="left")], height))
    for label, key, height in (
        ("单位负责人意见", "unit_opinion", 1134),
        ("区片分管领导意见", "district_opinion", 1134),
        ("局主要领导意见", "bureau_opinion", 1134),
        ("备  注", "remarks", 680),
    ):
        rows.append(_row([_cell(label, widths[0] + widths[1], size=size, span=2),
                          _cell(f"{{{{ fields.{key} }}}}", widths[2], size=size, jc="left")], height))
    doc.append_xml(_table_xml(widths, rows))
    doc.notes(
        "说明：",
        [
            "1.此表用于学校自行联系组织的结对交流活动。",
            "2.履行活动备案手续，此表一式两份，活动前将此表和活动方案分别报送备案。活动结束后，一周内上报活动"
            "简报和活动情况统计表。",
            "3.遵守活动期间的学习、生活等各项纪律，并注意自身安全。",
            "4.严格执行中央八项规定及省市有关要求，维护干部教师良好形象。",
        ],
    )
    return doc


def activity_stats() -> OfficialForm:
    """统计表 after 附件3 of 彭教育人事发〔2019〕8号 (seed 000): landscape, 10 columns, the schema's blank rows
    (12), a merged 备注 footer row."""
    title, version = _schema("activity_stats")
    doc = OfficialForm(title, "activity_stats", version, landscape=True)
    doc.form_title()
    doc.line("填报单位：{{ fields.unit }}", right="填报时间：" + DATE_BLANK + "{{ fields.filled_on }}")
    columns = [
        ("序号", "serial", 700),
        ("活动名称", "activity", 1600),
        ("派出人员", "staff", 1500),
        ("活动时间", "when", 1300),
        ("活动地点", "where", 1300),
        ("活动安排", "plan", 1800),
        ("受援人次", "beneficiaries", 900),
        ("开展项目涉及到的资金、物品(资金、物品需有印证材料)", "funds_goods", 2078),
        ("取得效果", "effect", 1700),
        ("备注", "remarks", 0),
    ]
    widths = [w for _, _, w in columns]
    widths[-1] = LAND_TEXT_W - sum(widths)
    size = SIZE_SMALL
    rows = [_row([_cell(label, w, size=size, font=FONT_H1) for (label, _, _), w in zip(columns, widths, strict=True)],
                 header=True)]
    rows.append(_tag_row("for row in table.rows", LAND_TEXT_W, size))
    cells = [_cell(f"{{{{ row.{key} }}}}", w, size=size) for (_, key, _), w in zip(columns, widths, strict=True)]
    rows.append(_row(cells, 425))
    rows.append(_tag_row("endfor", LAND_TEXT_W, size))
    rows.append(
        _row(
            [
                _cell("备注：", widths[0] + widths[1], size=size, span=2),
                _cell(
                    "活动结束后，一周内上报活动材料和活动情况统计表；开展项目涉及资金、物品的，须附印证材料。",
                    sum(widths[2:]),
                    size=size,
                    span=len(widths) - 2,
                    jc="left",
                ),
            ],
            510,
        )
    )
    doc.append_xml(_table_xml(widths, rows))
    return doc


def liaison_reply() -> OfficialForm:
    """联络员和分管领导回执 (seed 000, 三、（二）): one per school; 学校 above a 3 × 4 key–value grid."""
    title, version = _schema("liaison_reply")
    doc = OfficialForm(title, "liaison_reply", version)
    doc.form_title()
    doc.blank()
    doc.line("学校（盖章）：{{ fields.school }}")
    widths = [2044, 2000, 2000, TEXT_W - 6044]
    size = SIZE_TABLE
    rows = [_row([_cell(t, w, size=size, font=FONT_H1) for t, w in zip(("", "姓名", "职务", "联系电话"), widths,
                                                                      strict=True)], 680)]
    for label, prefix in (("联络员", "liaison"), ("分管领导", "leader")):
        rows.append(
            _row(
                [
                    _cell(label, widths[0], size=size),
                    _cell(f"{{{{ fields.{prefix}_name }}}}", widths[1], size=size),
                    _cell(f"{{{{ fields.{prefix}_title }}}}", widths[2], size=size),
                    _cell(f"{{{{ fields.{prefix}_phone }}}}", widths[3], size=size),
                ],
                1020,
            )
        )
    doc.append_xml(_table_xml(widths, rows))
    doc.blank()
    doc.line("", right="填报日期：" + DATE_BLANK + "{{ fields.filled_on }}")
    doc.blank()
    doc.notes(
        "说明：",
        [
            "1.每所结对学校确定一名联络员和一名分管领导，具体负责结对帮扶工作，每校填报一份。",
            "2.联系电话请填写手机号码；人员变动时请重新填报本回执。",
        ],
    )
    return doc


def arrangement() -> OfficialForm:
    """结对帮扶安排表 after 柳教基〔2016〕68号 (seed 001): 帮扶学校 | 联系人及电话 | 受援学校 | 联系人及电话, the
    pair's schools and known contacts pre-filled, blank rows for more."""
    title, version = _schema("arrangement")
    doc = OfficialForm(title, "arrangement", version)
    doc.form_title()
    doc.line("填报单位：{{ fields.unit }}", right="填报日期：" + DATE_BLANK + "{{ fields.filled_on }}")
    widths = [2500, 1922, 2500, TEXT_W - 6922]
    size = SIZE_TABLE
    keys = ("supporting", "supporting_contact", "supported", "supported_contact")
    labels = ("帮扶学校", "联系人及电话", "受援学校", "联系人及电话")
    rows = [_row([_cell(t, w, size=size, font=FONT_H1) for t, w in zip(labels, widths, strict=True)], 680,
                 header=True)]
    rows.append(_tag_row("for row in table.rows", TEXT_W, size))
    rows.append(_row([_cell(f"{{{{ row.{k} }}}}", w, size=size) for k, w in zip(keys, widths, strict=True)], 794))
    rows.append(_tag_row("endfor", TEXT_W, size))
    doc.append_xml(_table_xml(widths, rows))
    doc.notes("说明：", ["联系人及电话请写明姓名和手机号码；一行填写一对结对学校。"])
    return doc


FORM_BUILDERS: dict[str, Callable[[], OfficialDocument]] = {
    "forms/filing.docx": filing,
    "forms/activity_stats.docx": activity_stats,
    "forms/liaison_reply.docx": liaison_reply,
    "forms/arrangement.docx": arrangement,
}


def build_all(out_dir: Path = TEMPLATES) -> list[Path]:
    out_dir.mkdir(parents=True, exist_ok=True)
    written = []
    for name, build in FORM_BUILDERS.items():
        path = out_dir / name
        path.parent.mkdir(parents=True, exist_ok=True)
        build().save(path)
        written.append(path)
    return written


def main(argv: list[str]) -> int:
    out_dir = Path(argv[1]) if len(argv) > 1 else TEMPLATES
    for path in build_all(out_dir):
        print(path)
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv))
