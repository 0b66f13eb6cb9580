"""Build the agreement templates in ``docgen/templates/`` in the official document format (GB/T 9704-2012).

    .venv/bin/python tools/build_templates.py [OUTPUT_DIR]

One function per template (``party_building``, ``five_year``, ``three_year``); everything they share —
page set-up, styles, page numbers, fonts on every run — lives in :class:`OfficialDocument`. The templates
are docxtpl (Jinja) documents: every variable comes from :func:`docgen.context.agreement_context` and is
documented in ``docs/templates.md``. (The blank-form templates in ``docgen/templates/forms/`` are Word files
now, their tables built from the form schemas at render time: see ``tools/migrations/form_templates_2026_11.py``.)

The output is deterministic: fixed core-property dates, no random ids, zip entries with a fixed time
stamp, so rebuilding gives byte-identical files and ``git diff`` shows only real changes.
"""

from __future__ import annotations

import io
import sys
import zipfile
from collections.abc import Iterable
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
YEAR_NAMES = '["第一年","第二年","第三年","第四年","第五年"][loop.index0]'
BLANK = "__________"

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


# --- shared blocks -------------------------------------------------------------------------------------


def _program_reference(work: str) -> str:
    """``彭州·黑水“校校结对”工作安排（彭教育人事发〔2019〕8号）`` — the 文号 only when the program has one."""
    return (
        f"{{{{ program.name }}}}{work}"
        "{% if program.document_number %}（{{ program.document_number }}）{% endif %}"
    )


def _school_signatures(doc: OfficialDocument, side: str, seal_line: str, sign_line: str) -> None:
    """A seal line and a signature line for each school ``s`` of ``side`` (party_a/party_b), then room for
    the seal. A loop, because a group can have two or three schools."""
    doc.tag(f"for s in {side}.schools")
    doc.signature(seal_line)
    doc.signature(sign_line)
    doc.blank("Signature")
    doc.tag("endfor")


def _numbered(doc: OfficialDocument, items: str) -> None:
    """``1．text。`` per item of ``items`` (a list of strings); a trailing 。 in the data is not doubled."""
    doc.tag(f"for item in {items}")
    doc.body_text("{{ loop.index }}．{{ item }}" + _full_stop("item"))
    doc.tag("endfor")


def _full_stop(name: str) -> str:
    """A 。 after list item ``name`` unless the data already ends with one. (Subscript, not a method call:
    ``docgen template check`` reads ``x.rstrip`` as a variable.)"""
    return f'{{% if {name}[-1:] != "。" %}}。{{% endif %}}'


def _copies_sentence() -> str:
    return "本协议一式{{ copies.count_cn }}份，{{ copies.text }}。"


# --- the templates -------------------------------------------------------------------------------------


def party_building() -> OfficialDocument:
    """学校党建共建协议书 after 附件1 of 彭教育人事发〔2019〕8号 (seed 000), with the place names dropped."""
    doc = OfficialDocument("学校党建共建协议书")
    doc.title("{{ title }}")
    doc.flush("甲方：{{ party_a.party_orgs }}")
    doc.flush("乙方：{{ party_b.party_orgs }}")
    doc.blank()
    doc.body_text(
        "为全面贯彻党的十九大精神，深入落实习近平新时代中国特色社会主义思想，切实发挥党建引领在教育对口支援"
        "工作中的作用，努力形成互带互动、优势互补、资源共享、共同发展的基层党建工作新格局，引领结对学校高质量"
        f"发展。根据{_program_reference('工作安排')}，经甲、乙双方协商，签订如下结对共建协议："
    )
    doc.h1("一、结对共建形式和内容")
    doc.body_text(
        "1．组织建设互促。拓展和完善基层党组织功能，充分发挥结对双方党组织的自身优势，定期交流党建工作经验，"
        "共享党建工作信息，加强基层组织建设，提高党建工作水平。"
    )
    doc.body_text(
        "2．党员干部互动。根据需要，双方定期召开座谈会，上党课，双方邀请党员参与对方单位党建活动，进一步发挥"
        "党员的先锋模范作用。"
    )
    doc.body_text(
        "3．党建载体互用。甲、乙双方要利用本单位的党建资源，定期共同开展党建活动，相互交流党员教育管理工作经验，"
        "提升党建工作整体水平。"
    )
    doc.body_text(
        "4．结对帮扶互助。甲、乙双方要根据实际，结合党员志愿服务等工作，每年为师生办1—2件实事、好事。"
    )
    doc.h1("二、结对共建活动重点")
    doc.body_text(
        "围绕“四个一”开展共建：共同为师生群众办一件实事，共同上一次党课，共同进行一次联合组织生活会，共同进行"
        "一次民情民意访谈。"
    )
    doc.h1("三、共建期限")
    doc.body_text(
        "本协议有效时间暂定为{{ term.years_cn }}年，自{{ term.start }}至{{ term.end }}止，"
        "如需延长或续签协议，双方另行协商决定。"
    )
    doc.h1("四、协议份数")
    doc.body_text(_copies_sentence(), keep_next=True)
    doc.blank(keep_next=True)
    for side in ("party_a", "party_b"):
        _school_signatures(doc, side, "结对基层党组织：{{ s.party_org }}（盖章）", f"负责人签名：{BLANK}")
    doc.sign_date("{{ sign_date }}")
    return doc


def five_year() -> OfficialDocument:
    """2016—2020年结对帮扶协议 after 柳教基〔2016〕68号 (seed 001): the five kinds of assistance."""
    doc = OfficialDocument("结对帮扶协议")
    doc.title("{{ title }}")
    doc.flush("帮扶学校（甲方）：{{ party_a.names }}")
    doc.flush("受援学校（乙方）：{{ party_b.names }}")
    doc.blank()
    doc.body_text(
        f"为深入贯彻脱贫攻坚教育帮扶工作部署，根据{_program_reference('工作要求')}，按照以优补差、以强带弱、共同"
        "发展的原则，进一步缩小城乡、区域、校际教育差距，经甲、乙双方协商，签订本协议。"
    )
    doc.h1("一、协议期限")
    doc.body_text("本协议为期{{ term.years_cn }}年，自{{ term.start }}起至{{ term.end }}止。")
    doc.h1("二、帮扶重点")
    doc.body_text(
        "{% if pair.stage %}双方结对属{{ pair.stage }}学段，{% endif %}帮扶重点是{{ stage_focus }}。双方按照"
        "“一对帮扶一精准方案”“一问题一对策”的原则，商定帮扶工作内容，制定具体的结对帮扶方案，确保帮扶到校、"
        "帮扶到师、帮扶到生。"
    )
    doc.h1("三、帮扶内容")
    doc.tag("for a in params.assistance")
    doc.h2(f"（{{{{ {CN_INDEX} }}}}）{{{{ a.name }}}}")
    doc.body_text("{{ a.text }}")
    doc.tag("endfor")
    doc.h1("四、双方责任")
    doc.body_text(
        "1．甲方把帮扶工作列入学校年度工作计划，明确分管领导和联络员，落实帮扶人员、时间和措施，按本协议开展"
        "帮扶活动。"
    )
    doc.body_text(
        "2．乙方主动提出帮扶需求，认真组织干部教师参加帮扶活动，为甲方人员开展工作提供便利，及时总结帮扶成效。"
    )
    doc.body_text(
        "3．双方建立定期互访和沟通机制，留存活动过程资料，每学年总结一次帮扶工作，接受教育行政部门的检查指导"
        "和考核。"
    )
    doc.h1("五、联系人")
    doc.tag("for s in party_a.schools")
    doc.body_text(
        '甲方{{ s.name }}联系人：{{ s.contact or "__________" }}，联系电话：{{ s.phone or "__________" }}。'
    )
    doc.tag("endfor")
    doc.tag("for s in party_b.schools")
    doc.body_text(
        '乙方{{ s.name }}联系人：{{ s.contact or "__________" }}，联系电话：{{ s.phone or "__________" }}。'
    )
    doc.tag("endfor")
    doc.tag("if pair.coordinator")
    doc.body_text("{{ pair.coordinator }}为本结对的牵头指导学校，负责指导双方制定帮扶方案、落实帮扶工作。")
    doc.tag("endif")
    doc.h1("六、其他")
    doc.body_text(
        "本协议未尽事宜由双方协商解决。" + _copies_sentence() + "本协议自双方签字盖章之日起生效。",
        keep_next=True,
    )
    doc.blank(keep_next=True)
    _school_signatures(doc, "party_a", "甲方（帮扶学校）：{{ s.name }}（盖章）", f"校长签字：{BLANK}")
    _school_signatures(doc, "party_b", "乙方（受援学校）：{{ s.name }}（盖章）", f"校长签字：{BLANK}")
    doc.tag("for b in program.bureaus")
    doc.signature("备案单位：{{ b.name }}（盖章）")
    doc.blank("Signature")
    doc.tag("endfor")
    doc.sign_date("{{ sign_date }}")
    return doc


def three_year() -> OfficialDocument:
    """Three-year “1+1” 帮扶协议书 after the 东莞 plan (seed 004): goals, yearly goals, duties,
    frequencies."""
    doc = OfficialDocument("结对帮扶协议书")
    doc.title("{{ title }}")
    doc.flush("支援学校（甲方）：{{ party_a.names }}")
    doc.flush("受援学校（乙方）：{{ party_b.names }}")
    doc.blank()
    doc.body_text(
        f"为落实{_program_reference('工作部署')}，发挥优质教育资源的辐射和带动作用，帮助受援学校提高管理水平和"
        "教育教学质量，推进教育均衡发展，明确双方的责任和义务，经甲、乙双方协商，签订本协议。"
    )
    doc.h1("一、帮扶期限")
    doc.body_text("帮扶期限为{{ term.years_cn }}年，自{{ term.start }}起至{{ term.end }}止。")
    doc.h1("二、总体目标")
    doc.body_text("{{ params.overall_goal }}")
    doc.h1("三、预期目标")
    doc.body_text("到帮扶期满，甲方帮助乙方实现以下目标：")
    _numbered(doc, "params.targets")
    doc.h1("四、分年度目标")
    doc.tag("for g in params.yearly_goals")
    doc.paragraph(
        "Body",
        [(f"{{{{ {YEAR_NAMES} }}}}：", "Heading2CNChar"), ("{{ g }}" + _full_stop("g"), None)],
        font=FONT_BODY,
        size=SIZE_BODY,
        latin=FONT_LATIN,
    )
    doc.tag("endfor")
    doc.h1("五、主要任务")
    doc.tag("for d in params.duties")
    doc.h2(f"（{{{{ {CN_INDEX} }}}}）{{{{ d.name }}}}")
    doc.body_text("{{ d.text }}")
    doc.tag("endfor")
    doc.h1("六、帮扶频次")
    _numbered(doc, "params.frequencies")
    doc.h1("七、双方责任")
    doc.body_text(
        "1．甲方按照本协议任务要求制定帮扶工作方案，明确帮扶的目标、内容、方式、步骤以及人员和时间安排，"
        "组织行政人员、骨干教师诊断乙方存在的问题，提出具体帮扶措施。"
    )
    doc.body_text(
        "2．乙方结合实际与甲方共同确定帮扶计划，积极组织干部教师参与帮扶活动，为甲方派出人员提供工作和生活便利。"
    )
    doc.body_text(
        "3．双方建立互访制度，加强沟通，共同研究解决帮扶中的困难和问题，每年年底总结帮扶工作，接受考核评估。"
    )
    doc.h1("八、其他")
    doc.body_text(
        "本协议未尽事宜由双方协商解决。" + _copies_sentence() + "本协议自双方签字盖章之日起生效。",
        keep_next=True,
    )
    doc.blank(keep_next=True)
    _school_signatures(doc, "party_a", "甲方（支援学校）：{{ s.name }}（盖章）", f"校长签字：{BLANK}")
    _school_signatures(doc, "party_b", "乙方（受援学校）：{{ s.name }}（盖章）", f"校长签字：{BLANK}")
    doc.sign_date("{{ sign_date }}")
    return doc


BUILDERS = {
    "party_building.docx": party_building,
    "five_year.docx": five_year,
    "three_year.docx": three_year,
}

def build_all(out_dir: Path = TEMPLATES) -> list[Path]:
    out_dir.mkdir(parents=True, exist_ok=True)
    written = []
    for name, build in BUILDERS.items():
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
