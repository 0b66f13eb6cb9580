"""Proofreading (docgen.proof) and the render-time grid (docgen.render.grid), without LibreOffice.

Pages are built from characters placed where LibreOffice places them (3号 仿宋 at a 15.79 pt pitch on the
156 mm text block, 28.95 pt between lines); what LibreOffice really does is measured in
tests/test_grid_pdf.py.
"""

from __future__ import annotations

import io
import json
import re
import zipfile
from collections.abc import Iterable
from pathlib import Path

import pytest
from typer.testing import CliRunner

from cli.main import app as cli
from docgen.batch import BatchReport, generate_batch
from docgen.layout import MM, PdfChar, PdfPage
from docgen.model import PairGroup, Program, Roster, School
from docgen.output import DirectorySink
from docgen.proof import (
    CELL_PT,
    TEXT_X0,
    TEXT_X1,
    FindingKind,
    blank_split_findings,
    compare_text,
    docx_text,
    grid_findings,
    looks_generic_party_name,
    placeholder_findings,
    proofread,
    seal_findings,
    title_findings,
)
from docgen.render.converter import ConversionResult
from docgen.render.docx import CompiledTemplate
from docgen.render.grid import body_tracking, normalise_document, normalise_styles

ROOT = Path(__file__).resolve().parent.parent
TEMPLATES = ROOT / "docgen" / "templates"
A4 = (210 * MM, 297 * MM)
TOP = 37 * MM + 12  # first baseline on the page


def line(text: str, baseline: float, *, x0: float = TEXT_X0, pitch: float = CELL_PT, size: float = 16) -> list[PdfChar]:
    """Characters of ``text`` set left to right from ``x0`` (digits half as wide), on ``baseline``."""
    out, x = [], x0
    for ch in text:
        width = size / 2 if ch.isascii() else size
        out.append(PdfChar(ch, x, x + width, baseline - size * 0.88, baseline + size * 0.12, size, baseline))
        x += pitch if not ch.isascii() else width - 0.25
    return out


def page(*lines: list[PdfChar], number: int = 1, size: tuple[float, float] = A4) -> PdfPage:
    return PdfPage(number, size[0], size[1], tuple(c for chars in lines for c in chars))


def justified(text: str, baseline: float, x0: float = TEXT_X0) -> list[PdfChar]:
    """A full line: ``text`` spread to the right edge of the text block, as justification does."""
    pitch = (TEXT_X1 - x0 - 16) / (len(text) - 1)
    return line(text, baseline, x0=x0, pitch=pitch)


A28 = "一二三四五六七八九十" * 2 + "一二三四五六七八"


# --- text: nothing lost between DOCX and PDF ---------------------------------------------------------------


def test_a_character_the_pdf_lacks_is_named_with_its_paragraph() -> None:
    paragraphs = ["甲方：彭州市教育局党办、黑水县教育局党办", "乙方：黑水县中学"]
    pdf = [["甲方：彭州市教育局党办黑水县教育局党办", "乙方：黑水县中学"]]
    result = compare_text(paragraphs, pdf)
    assert not result.same
    assert (result.missing, result.extra) == ("、", "")
    assert result.describe() == "PDF 缺少“、”（段落“甲方：彭州市教育局党办、黑水县教育局党办”）"


def test_order_whitespace_and_page_furniture_do_not_count_as_differences() -> None:
    paragraphs = ["甲方（盖章）", "乙方（盖章）", "2019年 3月"]
    # side-by-side seal blocks come out interleaved; a header (identity code) repeats on every page
    pdf = [["表单识别码：DG1:x", "甲方（盖章）乙方（盖章）"], ["表单识别码：DG1:x", "2019年3月"]]
    assert compare_text(paragraphs, pdf, furniture=["表单识别码：DG1:x", "— 1 —"]).same


def test_a_character_the_pdf_adds_is_a_difference_too() -> None:
    result = compare_text(["本协议一式四份"], [["本协议一式四份份"]])
    assert (result.missing, result.extra) == ("", "份")


def _docx(body: str, header: str = "") -> bytes:
    w = 'xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main"'
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as zf:
        zf.writestr("word/document.xml", f"<w:document {w}><w:body>{body}</w:body></w:document>")
        if header:
            zf.writestr("word/header1.xml", f"<w:hdr {w}>{header}</w:hdr>")
    return buf.getvalue()


def test_the_docx_text_leaves_out_hidden_runs_and_keeps_header_text_apart() -> None:
    body = (
        "<w:p><w:r><w:t>甲方：</w:t></w:r><w:r><w:rPr><w:vanish/></w:rPr><w:t>隐藏</w:t></w:r>"
        "<w:r><w:t>西郊小学</w:t></w:r></w:p><w:tbl><w:tr><w:tc><w:p><w:r><w:t>表格</w:t></w:r></w:p></w:tc></w:tr></w:tbl>"
    )
    text = docx_text(_docx(body, "<w:p><w:r><w:t>表单识别码：DG1</w:t></w:r></w:p>"))
    assert text.paragraphs == ("甲方：西郊小学", "表格")
    assert text.furniture == ("表单识别码：DG1",)


# --- placeholders, blanks, party names ------------------------------------------------------------------


def test_placeholders_and_stray_blanks_are_found_and_designated_blanks_are_not() -> None:
    found = placeholder_findings(
        [
            "甲方：xxx学校",
            "联系电话：****",
            "乙方：{{ party_b.name }}",
            "负责人签名：__________",
            "____年____月____日",
            "联系人：__________，联系电话：__________",
            "__________（盖章）",
            "每学期开展____次活动",
        ],
        blanks_allowed=False,
    )
    assert [f.message for f in found] == [
        "“xxx”在“甲方：xxx学校”",
        "“****”在“联系电话：****”",
        "“{{”在“乙方：{{ party_b.name }}”",
        "“}}”在“乙方：{{ party_b.name }}”",
        "未填空白“____”在“每学期开展____次活动”",
    ]
    assert all(f.kind is FindingKind.PLACEHOLDER for f in found)
    assert placeholder_findings(["每学期开展____次活动"], blanks_allowed=True) == []


@pytest.mark.parametrize(
    ("name", "generic"),
    [
        ("济南市帮扶初中（待定）", True),
        ("xxx中学", True),
        ("某某小学", True),
        ("学校", True),
        ("彭州市西郊小学", False),
        ("中共彭州市濛阳小学支部委员会", False),
    ],
)
def test_generic_party_names(name: str, generic: bool) -> None:
    assert looks_generic_party_name(name) is generic


# --- the grid ----------------------------------------------------------------------------------------------

PITCH = 579 / 20


def test_a_full_page_of_28_character_lines_on_the_22_line_pitch_has_no_finding() -> None:
    lines = [justified(A28, TOP + i * PITCH) for i in range(22)]
    assert grid_findings([page(*lines)]) == []


def test_a_27_character_line_whose_next_character_would_fit_is_off_the_grid() -> None:
    # LibreOffice 7.4 with Word's character grid: 27 characters spread over the line, the 28th moved down
    short = justified(A28[:27], TOP)
    rest = line("的作用", TOP + PITCH)
    [finding] = grid_findings([page(short, rest)])
    assert finding.kind is FindingKind.GRID and finding.page == 1
    assert finding.message.startswith("本行排 27 字，版心可排 28 字，下行首字“的”本可排入")


def test_a_short_line_is_allowed_where_a_line_start_rule_keeps_the_next_character_down() -> None:
    # moving “化” up would start the next line with “。” (避头): 27 characters is right
    short = justified(A28[:27], TOP)
    assert grid_findings([page(short, line("化。", TOP + PITCH))]) == []
    # an indented first line has room for 26 only
    indented = justified(A28[:26], TOP, x0=TEXT_X0 + 2 * CELL_PT)
    assert grid_findings([page(indented, line("的作用", TOP + PITCH))]) == []
    # a line with a fill-in blank reaches the edge with fewer ems (an underscore is narrower than a cell)
    text = "甲方" + "_" * 12 + "联系人：" + "_" * 10 + "，联"
    step = (TEXT_X1 - TEXT_X0 - 16) / (len(text) - 1)
    blank = [
        PdfChar(ch, TEXT_X0 + i * step, TEXT_X0 + i * step + (8 if ch.isascii() else 16), TOP - 14, TOP + 2, 16, TOP)
        for i, ch in enumerate(text)
    ]
    assert grid_findings([page(blank, line("系电话", TOP + PITCH))]) == []


def test_a_character_hanging_past_the_text_block_is_found() -> None:
    hanging = [*justified(A28, TOP), *line("，", TOP, x0=TEXT_X1)]
    [finding] = grid_findings([page(hanging)])
    assert finding.message == "版心外有字符“，”"


def test_a_line_off_the_pitch_is_found_and_landscape_forms_are_not_judged() -> None:
    lines = [justified(A28, TOP), line("第二行", TOP + PITCH + 6)]
    [finding] = grid_findings([page(*lines)])
    assert finding.message.startswith("行距 34.9 磅不在 28.95 磅（每页 22 行）的网格上")
    landscape = page(*lines, size=(297 * MM, 210 * MM))
    assert grid_findings([landscape]) == []


def test_the_seal_block_alone_on_the_last_page_is_found() -> None:
    first = page(justified(A28, TOP), line("本协议自签订之日起生效。", TOP + PITCH))
    seal_only = page(line("甲方：彭州市西郊小学（盖章）", TOP), line("2019年3月28日", TOP + PITCH), number=2)
    [finding] = seal_findings([first, seal_only])
    assert (finding.kind, finding.page) == (FindingKind.SEAL, 2)
    with_text = page(line("本协议自签订之日起生效。", TOP), line("甲方：彭州市西郊小学（盖章）", TOP + PITCH), number=2)
    assert seal_findings([first, with_text]) == []


def test_a_title_broken_inside_a_word_is_found() -> None:
    title = [line("柳州市中小学（幼儿园）结对帮扶（普通高", TOP, size=22), line("中）安排表", TOP + PITCH, size=22)]
    [finding] = title_findings([page(*title)], "柳州市中小学（幼儿园）结对帮扶（普通高中）安排表")
    assert finding.kind is FindingKind.TITLE and "通高|中）" in finding.message
    good = [line("柳州市中小学结对帮扶工作", TOP, size=22), line("协议书", TOP + PITCH, size=22)]
    assert title_findings([page(*good)], "柳州市中小学结对帮扶工作协议书") == []


def test_a_fill_in_blank_broken_across_lines_is_found_and_two_blanks_on_two_lines_are_not() -> None:
    paragraphs = ["本协议自____年____月____日起生效。", "联系人：__________。"]
    split = page(line("本协议自____年____", TOP), line("月____日起生效。", TOP + PITCH))
    [finding] = blank_split_findings(paragraphs, [split])
    assert (finding.kind, finding.page) == (FindingKind.BLANK, 1)
    assert "断在“____年____|月____日”" in finding.message
    inside_a_run = page(line("联系人：______", TOP), line("____。", TOP + PITCH))
    assert [f.kind for f in blank_split_findings(paragraphs, [inside_a_run])] == [FindingKind.BLANK]
    across_pages = [page(line("本协议自____", TOP)), page(line("年____月____日起生效。", TOP), number=2)]
    assert [f.page for f in blank_split_findings(paragraphs, across_pages)] == [1]
    whole = page(line("本协议", TOP), line("自____年____月____日起生效。", TOP + PITCH))
    assert blank_split_findings(paragraphs, [whole]) == []
    # a seal block: the signature blank above the date blank are two blanks of the .docx, not one split
    seal = ["负责人签名：________", "____年____月____日"]
    two = page(line("负责人签名：________", TOP), line("____年____月____日", TOP + PITCH))
    assert blank_split_findings(seal, [two]) == []
    docx = _docx(f"<w:p><w:r><w:t>{paragraphs[0]}</w:t></w:r></w:p>")
    assert proofread("x.pdf", docx, [split]).summary() == "填写空白跨行断开 1"


def test_proofread_puts_every_check_together_and_flags_a_draft() -> None:
    docx = _docx(
        "<w:p><w:r><w:t>学校党建共建协议书</w:t></w:r></w:p><w:p><w:r><w:t>__________（盖章）</w:t></w:r></w:p>"
    )
    pages = [page(line("学校党建共建协议书", TOP, size=22), line("__________（盖章）", TOP + PITCH))]
    report = proofread("01.pdf", docx, pages, parties=["彭州市西郊小学"])
    assert report.ok and report.draft and report.pages == 1
    assert report.summary() == "草稿"
    short = [page(line("学校党建共建协议", TOP, size=22))]
    # a draft's party names are why it is a draft: not findings again
    assert proofread("01.pdf", docx, short, parties=["某某小学"]).summary() == "草稿；DOCX 与 PDF 文字不一致 1"
    lost = proofread("01.pdf", docx, short, parties=["某某小学"], draft=False)
    assert [f.kind for f in lost.findings] == [FindingKind.TEXT, FindingKind.PARTY]
    assert lost.summary() == "DOCX 与 PDF 文字不一致 1；单位名称不完整 1"
    first = lost.as_json()["findings"]
    assert isinstance(first, list) and first[0]["kind"] == "text" and first[0]["page"] is None
    assert first[0]["message"] == "PDF 缺少“__________书盖章（）”（段落“学校党建共建协议书”“__________（盖章）”）"


# --- the render-time grid normalisation --------------------------------------------------------------------


def _parts(name: str) -> tuple[str, str]:
    with zipfile.ZipFile(TEMPLATES / name) as zf:
        return zf.read("word/document.xml").decode(), zf.read("word/styles.xml").decode()


@pytest.mark.parametrize("name", ["party_building.docx", "five_year.docx", "three_year.docx"])
def test_every_agreement_template_is_put_on_a_lines_only_grid_without_hanging_punctuation(name: str) -> None:
    document, styles = _parts(name)
    doc = normalise_document(document)
    assert re.findall(r"<w:docGrid[^>]*/>", doc) == ['<w:docGrid w:type="lines" w:linePitch="579"/>']
    out = normalise_styles(styles, document)
    defaults = re.search(r"<w:pPrDefault><w:pPr>(.*?)</w:pPr></w:pPrDefault>", out)
    assert defaults is not None
    assert defaults.group(1).startswith('<w:overflowPunct w:val="1"/>')
    # every 3号 run property condensed to the 28-character line (−0.25 pt)
    for rpr in re.findall(r"<w:rPr>(.*?)</w:rPr>", doc + out):
        if '<w:sz w:val="32"/>' in rpr:
            assert '<w:spacing w:val="-5"/>' in rpr, rpr


def test_a_template_from_word_with_a_character_grid_gets_the_tracking_the_grid_asked_for() -> None:
    # What Word writes for 文档网格 “指定行和字符网格” 22 × 28: no tracking, the grid does it (in Word).
    document = (
        '<w:document xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main"><w:body>'
        '<w:p><w:pPr><w:overflowPunct w:val="0"/><w:kinsoku w:val="0"/></w:pPr><w:r><w:rPr><w:sz w:val="32"/></w:rPr>'
        "<w:t>正文</w:t></w:r></w:p><w:sectPr>"
        '<w:pgSz w:w="11906" w:h="16838"/><w:pgMar w:top="2098" w:right="1474" w:bottom="1984" w:left="1588"'
        ' w:header="851" w:footer="1304" w:gutter="0"/>'
        '<w:docGrid w:type="linesAndChars" w:linePitch="312" w:charSpace="-848"/></w:sectPr></w:body></w:document>'
    )
    out = normalise_document(document)
    assert '<w:rPr><w:spacing w:val="-5"/><w:sz w:val="32"/></w:rPr>' in out
    assert '<w:docGrid w:type="lines" w:linePitch="579"/>' in out  # 22 lines, whatever the template said
    assert '<w:overflowPunct w:val="1"/>' in out and "kinsoku" not in out
    assert body_tracking(11906 - 1588 - 1474) == -5
    assert body_tracking(16838 - 1588 - 1474) == 0  # a landscape line holds 28 without condensing


def test_a_template_whose_east_asian_text_is_not_tagged_zh_cn_is_tagged_zh_cn() -> None:
    """The converter keeps fill-in blanks whole through zh-CN's line-start/line-end lists: Word's (English UI)
    and python-docx's default ``w:eastAsia="en-US"``, or ``zh-TW``, let LibreOffice break them."""
    ns = 'xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main"'
    document = (
        f'<w:document {ns}><w:body><w:p><w:r><w:rPr><w:lang w:val="en-US" w:eastAsia="zh-TW"/></w:rPr>'
        '<w:t>自____年____月____日起</w:t></w:r><w:r><w:rPr><w:lang w:val="en-US"/></w:rPr><w:t>A</w:t></w:r>'
        "</w:p></w:body></w:document>"
    )
    out = normalise_document(document)
    assert re.findall(r"<w:lang[^>]*/>", out) == [
        '<w:lang w:eastAsia="zh-CN" w:val="en-US"/>',
        '<w:lang w:val="en-US"/>',
    ]
    word = (
        f'<w:styles {ns}><w:docDefaults><w:rPrDefault><w:rPr><w:sz w:val="21"/>'
        '<w:lang w:val="en-US" w:eastAsia="en-US" w:bidi="ar-SA"/></w:rPr></w:rPrDefault></w:docDefaults>'
        '<w:style w:styleId="a"><w:rPr><w:lang w:eastAsia="ja-JP"/></w:rPr></w:style></w:styles>'
    )
    assert re.findall(r"<w:lang[^>]*/>", normalise_styles(word, document)) == [
        '<w:lang w:eastAsia="zh-CN" w:val="en-US" w:bidi="ar-SA"/>',
        '<w:lang w:eastAsia="zh-CN"/>',
    ]
    # no language in the defaults at all: they get one, in schema order (w:lang after w:sz, before w:pPrDefault)
    bare = f'<w:styles {ns}><w:docDefaults><w:rPrDefault><w:rPr><w:sz w:val="21"/></w:rPr></w:rPrDefault>'
    out = normalise_styles(bare + "</w:docDefaults></w:styles>", document)
    assert '<w:rPr><w:sz w:val="21"/><w:lang w:eastAsia="zh-CN"/></w:rPr></w:rPrDefault><w:pPrDefault>' in out
    assert normalise_styles(f"<w:styles {ns}></w:styles>", document).startswith(
        f'<w:styles {ns}><w:docDefaults><w:rPrDefault><w:rPr><w:lang w:eastAsia="zh-CN"/></w:rPr></w:rPrDefault>'
    )
    # empty defaults written as <w:rPr/> and <w:pPr/> are filled, not doubled by a second w:rPrDefault/w:pPrDefault
    empty = normalise_styles(
        f"<w:styles {ns}><w:docDefaults><w:rPrDefault><w:rPr/></w:rPrDefault><w:pPrDefault><w:pPr/></w:pPrDefault>"
        "</w:docDefaults></w:styles>", document,
    )
    assert empty.count("<w:rPrDefault>") == 1 and empty.count("<w:pPrDefault>") == 1, empty
    assert '<w:rPrDefault><w:rPr><w:lang w:eastAsia="zh-CN"/></w:rPr></w:rPrDefault>' in empty
    # the bundled templates are tagged zh-CN already: their XML stays as it was
    for name in ("party_building.docx", "five_year.docx", "three_year.docx", "heze_three_year.docx"):
        bundled_document, bundled_styles = _parts(name)
        assert re.findall(r"<w:lang[^>]*/>", normalise_document(bundled_document)) == re.findall(
            r"<w:lang[^>]*/>", bundled_document
        )
        assert re.findall(r"<w:lang[^>]*/>", normalise_styles(bundled_styles, bundled_document)) == re.findall(
            r"<w:lang[^>]*/>", bundled_styles
        )


def test_the_bundled_templates_keep_what_the_grid_is_derived_from() -> None:
    """The normalisation derives tracking and line pitch from the section: A4 portrait with the official
    margins, and 3号 body text. A template that loses them loses the 28 × 22 grid."""
    for name in ("party_building.docx", "five_year.docx", "three_year.docx"):
        document, styles = _parts(name)
        assert re.search(r'<w:pgSz w:w="11906" w:h="16838"/>', document), name
        margins = re.search(r"<w:pgMar ([^>]*)/>", document)
        assert margins is not None
        attrs = dict(re.findall(r'w:(\w+)="(\d+)"', margins.group(1)))
        assert (attrs["top"], attrs["bottom"], attrs["left"], attrs["right"]) == ("2098", "1984", "1588", "1474"), name
        body = re.search(r'<w:style [^>]*w:styleId="Body".*?</w:style>', styles, re.S)
        assert body is not None and '<w:sz w:val="32"/>' in body.group(0), name


def test_compiling_a_template_normalises_it_once_and_renders_the_normalised_document() -> None:
    template = CompiledTemplate.compile((TEMPLATES / "party_building.docx").read_bytes(), "party_building.docx")
    with zipfile.ZipFile(TEMPLATES / "party_building.docx") as zf:
        assert "linesAndChars" in zf.read("word/document.xml").decode()  # the clerk's file is untouched
    styles = template._static["word/styles.xml"].compressed
    assert b'<w:overflowPunct w:val="1"/>' in zipfile_member_inflate(styles)


def zipfile_member_inflate(data: bytes) -> bytes:
    import zlib

    return zlib.decompress(data, -15)


# --- the batch and the CLI -----------------------------------------------------------------------------------


class LosingPdf:
    """A converter whose PDFs lose the first 、 of every document (as LibreOffice 7.4 did)."""

    def convert_many(self, items: Iterable[tuple[str, bytes]]) -> list[ConversionResult]:
        out = []
        for name, docx in items:
            text = "".join(docx_text(docx).paragraphs).replace("、", "", 1)
            layout = (page(*[line(text[i : i + 28], TOP + k * PITCH) for k, i in enumerate(range(0, len(text), 28))]),)
            out.append(ConversionResult(name, b"%PDF-1.7", 1, layout=layout))
        return out

    def close(self) -> None:
        pass


def test_a_pdf_that_lost_text_fails_its_document_in_the_batch(
    pengzhou_program: Program, pengzhou_templates: dict[str, CompiledTemplate], tmp_path: Path
) -> None:
    roster = Roster((PairGroup(1, (School("彭州市西郊小学"),), (School("黑水县芦花完全小学校"),)),), source="t")
    report: BatchReport = generate_batch(
        pengzhou_program, roster, pengzhou_templates, DirectorySink(tmp_path, "x"), converter=LosingPdf()
    )
    [(key, reason)] = report.failures
    assert key == "01 学校党建共建协议书"  # the document in words, not its key
    assert reason.startswith("PDF 与 DOCX 文字不一致：PDF 缺少“、”")
    assert report.generated == 0
    failures = (tmp_path / "失败清单.csv").read_text(encoding="utf-8-sig")
    assert "01 学校党建共建协议书,PDF 与 DOCX 文字不一致：PDF 缺少“、”" in failures


def test_docgen_proof_reads_a_batch_folder_and_reports_in_chinese_and_json(tmp_path: Path) -> None:
    runner = CliRunner()
    docs = tmp_path / "documents" / "01_甲—乙"
    docs.mkdir(parents=True)
    (docs / "01_协议.docx").write_bytes(
        _docx("<w:p><w:r><w:t>甲方：某某小学（盖章）____年____月____日</w:t></w:r></w:p>")
    )
    (tmp_path / "manifest.json").write_text(
        json.dumps(
            [{"file": "01_甲—乙/01_协议.docx", "kind": "party_building", "supporting": "某某小学",
              "supported": "黑水县中学"}]
        ),
        encoding="utf-8",
    )
    text = runner.invoke(cli, ["proof", str(tmp_path)])
    assert text.exit_code == 1, text.output
    assert "01_甲—乙/01_协议.docx：0 页，2 处问题" in text.output
    assert "占位符或未填空白｜“某某”在“甲方：某某小学（盖章）____年____月____日”" in text.output
    assert "单位名称不完整｜“某某小学”不是可以签章的完整名称" in text.output
    js = runner.invoke(cli, ["proof", str(tmp_path), "--json"])
    body = json.loads(js.stdout)
    assert body["summary"] == {
        "documents": 1,
        "ok": 0,
        "with_findings": 1,
        "drafts": 0,
        "findings": 2,
        "unreadable": 0,
        "pages": 0,
    }
    assert [f["kind"] for f in body["documents"][0]["findings"]] == ["placeholder", "party"]


def test_docgen_proof_exits_0_on_a_clean_batch_and_2_on_unreadable_input(tmp_path: Path) -> None:
    runner = CliRunner()
    (tmp_path / "01_协议.docx").write_bytes(_docx("<w:p><w:r><w:t>本协议一式四份。</w:t></w:r></w:p>"))
    ok = runner.invoke(cli, ["proof", str(tmp_path)])
    assert ok.exit_code == 0, ok.output
    assert "校对 1 份文书（0 页）：1 份无问题，0 份有问题（共 0 处），草稿 0 份，无法读取 0 份" in ok.output
    bad = tmp_path / "bad.zip"
    bad.write_bytes(b"not a zip")
    result = runner.invoke(cli, ["proof", str(bad)])
    assert result.exit_code == 2
    assert "不是可读的 ZIP 文件" in result.output.replace("\n", "")
    (tmp_path / "02_坏.docx").write_bytes(b"PK broken")
    broken = runner.invoke(cli, ["proof", str(tmp_path)])
    assert broken.exit_code == 2 and "02_坏.docx：无法读取" in broken.output
