"""The bundled agreement templates — Word files a clerk edits, not the output of a generator — and the documents
rendered from them keep the official format (GB/T 9704-2012): these tests check properties of the files
(page, margins, fonts, page numbers, language, styles, seal blocks, the variables they use), never byte
identity, so a clerk's edit in Word or WPS passes as long as the format holds.

Layout is read from the XML (``testkit/docx_inspect.py``), so these tests need neither Word nor LibreOffice.
What the rendered agreements say is in ``tests/test_agreements_content.py``.
"""

from __future__ import annotations

import dataclasses
import io
from pathlib import Path
from typing import Any

import pytest
from docx import Document
from lxml import etree

from docgen.context import agreement_context
from docgen.model import PairGroup, Program, School
from docgen.program import parse_program_yaml
from docgen.render.docx import CompiledTemplate
from docgen.school_names import BLANK
from docgen.template_check import check_template
from testkit import docx_inspect as di

ROOT = Path(__file__).resolve().parent.parent
TEMPLATES = ROOT / "docgen" / "templates"
SAMPLES = ROOT / "samples"
TEMPLATE_NAMES = ("party_building.docx", "five_year.docx", "three_year.docx", "heze_three_year.docx")
MM = 1440 / 25.4  # twips per millimetre

CHINESE_FONTS = {"方正小标宋简体", "仿宋_GB2312", "黑体", "楷体_GB2312", "宋体"}
FONT_OF_STYLE = {
    "DocTitle": "方正小标宋简体",
    "Body": "仿宋_GB2312",
    "BodyFlush": "仿宋_GB2312",
    "Heading1CN": "黑体",
    "Heading2CN": "楷体_GB2312",
    "Signature": "仿宋_GB2312",
    "SignDate": "仿宋_GB2312",
}
SIZE_OF_STYLE = {"DocTitle": 44, "PageNumber": 28}  # the rest: 3号 = 32 half-points


def _program(sample: str) -> Program:
    path = SAMPLES / sample / "program.yaml"
    return parse_program_yaml(path.read_text(encoding="utf-8"), source=str(path))


def render_agreement(program: Program, group: PairGroup, kind_key: str, out: Path, **kind_changes: Any) -> Path:
    """Render one agreement the way a batch does (``CompiledTemplate``: sandboxed Jinja, autoescape)."""
    kind = program.agreement(kind_key)
    if kind_changes:
        kind = dataclasses.replace(kind, **kind_changes)
    template = CompiledTemplate.compile((TEMPLATES / kind.template).read_bytes(), kind.template)
    out.write_bytes(template.render(agreement_context(program, group, kind)))
    return out


# Pair 3 of the 彭州 notice: two supporting schools with one supported school (a 2:1 group).
# 黑水县芦花完全小学校 has no party organisation name: the 2:1 agreement prints a blank for it and is a draft.
PENGZHOU_3 = PairGroup(
    3,
    (
        School("彭州市西郊小学", party_org="中共彭州市西郊小学支部委员会"),
        School("彭州市九尺镇小学", party_org="中共彭州市九尺镇小学支部委员会"),
    ),
    (School("黑水县芦花完全小学校"),),
)
PENGZHOU_4 = PairGroup(
    4,
    (School("彭州市清平小学", party_org="中共彭州市清平小学支部委员会"),),
    (School("黑水县扎窝中心校", party_org="中共黑水县扎窝中心校总支部委员会"),),
)
LIUZHOU_SPECIAL = PairGroup(
    1,
    (School("柳江县特殊教育学校", contact="韦老师", phone="0772-7212345"),),
    (School("融安县特殊教育学校"),),
    coordinator="柳州市特殊教育学校",
)
HEZE = PairGroup(2, (School("济南市历下实验中学", region="济南市"),), (School("曹县第一中学", region="曹县"),))
DONGGUAN = PairGroup(1, (School("东莞市莞城实验初级中学"),), (School("东莞市谢岗镇第二初级中学"),))


@pytest.fixture(scope="module")
def rendered(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    out = tmp_path_factory.mktemp("rendered")
    pengzhou = _program("pengzhou_heishui")
    return {
        "party_building_2to1": render_agreement(pengzhou, PENGZHOU_3, "party_building", out / "pb_3.docx"),
        "party_building_1to1": render_agreement(pengzhou, PENGZHOU_4, "party_building", out / "pb_4.docx"),
        "five_year_special": render_agreement(
            _program("liuzhou_special_education"), LIUZHOU_SPECIAL, "five_year", out / "fy.docx"
        ),
        "heze": render_agreement(_program("heze"), HEZE, "three_year", out / "heze.docx"),
        "dongguan": render_agreement(_program("dongguan_1plus1"), DONGGUAN, "three_year", out / "dg.docx"),
    }


def _all_documents(rendered: dict[str, Path]) -> list[Path]:
    return [TEMPLATES / name for name in TEMPLATE_NAMES] + list(rendered.values())


# --- the official format, in every template and every rendered document -------------------------------


def test_every_document_is_a4_with_the_official_margins(rendered: dict[str, Path]) -> None:
    for path in _all_documents(rendered):
        setup = di.page_setup(path)
        width, height = setup["width"], setup["height"]
        top, bottom, left, right = setup["top"], setup["bottom"], setup["left"], setup["right"]
        assert width and height and top and bottom and left and right, path.name
        assert (round(width / MM), round(height / MM)) == (210, 297), path.name  # A4
        assert round(top / MM) == 37 and round(left / MM) == 28, path.name  # 天头 37 mm, 订口 28 mm
        assert abs((width - left - right) / MM - 156) < 0.5, path.name  # 版心 156 × 225 mm
        assert abs((height - top - bottom) / MM - 225) < 0.5, path.name
        assert setup["gutter"] == 0, path.name


def test_every_document_has_a_grid_of_22_lines(rendered: dict[str, Path]) -> None:
    # Rendering puts every template on a lines-only grid (docgen/render/grid.py: LibreOffice spreads a
    # linesAndChars line to 27 characters and drops the 28th); 28 characters a line are measured in the PDF
    # by tests/test_grid_pdf.py.
    for path in rendered.values():
        grid = di.doc_grid(path)
        assert grid == {"type": "lines", "linePitch": "579", "charSpace": None}, path.name
        assert int((16838 - 2098 - 1984) / int(grid["linePitch"])) == 22


def test_every_document_numbers_odd_pages_right_and_even_pages_left(rendered: dict[str, Path]) -> None:
    for path in _all_documents(rendered):
        assert di.settings(path)["even_and_odd_headers"] is True, path.name
        footers = di.footers(path)
        assert set(footers) >= {"default", "even"}, path.name
        for kind, jc, indent in (("default", "right", "rightChars"), ("even", "left", "leftChars")):
            footer = footers[kind]
            assert footer.field_codes == ("PAGE",), (path.name, kind)
            (paragraph,) = footer.paragraphs
            assert paragraph.jc == jc
            assert paragraph.ind.get(indent) == "100"
            visible = "".join(r.text for r in paragraph.runs if not r.is_field_code)
            assert visible == "— 1 —"  # “— ” PAGE “ —”, the 1 being the field's cached result
            for run in paragraph.runs:
                assert run.size == 28 and run.fonts["eastAsia"] == "宋体", (path.name, kind, run)


def test_every_run_names_its_fonts_and_east_asian_language(rendered: dict[str, Path]) -> None:
    for path in _all_documents(rendered):
        footer_runs = [r for f in di.footers(path).values() for p in f.paragraphs for r in p.runs]
        for run in di.runs(path) + footer_runs:
            assert set(run.fonts) >= {"ascii", "hAnsi", "eastAsia", "cs"}, (path.name, run)
            assert run.fonts["eastAsia"] in CHINESE_FONTS, (path.name, run)
            assert run.lang.get("eastAsia") == "zh-CN", (path.name, run)
            assert run.size is not None, (path.name, run)


def test_runs_use_the_font_and_size_of_their_paragraph_style(rendered: dict[str, Path]) -> None:
    for path in _all_documents(rendered):
        for run in di.runs(path):
            if run.char_style:  # e.g. 第一年： in 楷体 inside a body paragraph
                continue
            expected = FONT_OF_STYLE.get(run.paragraph_style or "")
            assert expected is not None, (path.name, run)
            assert run.fonts["eastAsia"] == expected, (path.name, run)
            assert run.size == SIZE_OF_STYLE.get(run.paragraph_style or "", 32), (path.name, run)


def test_templates_define_editable_styles_for_the_official_format() -> None:
    for name in TEMPLATE_NAMES:
        path = TEMPLATES / name
        styles = di.styles(path)
        title, body = styles["DocTitle"], styles["Body"]
        assert title.fonts["eastAsia"] == "方正小标宋简体" and title.size == 44 and title.jc == "center"
        assert body.fonts["eastAsia"] == "仿宋_GB2312" and body.size == 32
        assert body.fonts["ascii"] == "Times New Roman"
        assert body.ind.get("firstLineChars") == "200"
        assert body.spacing.get("line") == "579" and body.spacing.get("lineRule") == "exact"
        assert styles["Heading1CN"].fonts["eastAsia"] == "黑体" and styles["Heading1CN"].outline_level == 0
        assert styles["Heading2CN"].fonts["eastAsia"] == "楷体_GB2312"
        assert styles["Heading2CN"].outline_level == 1
        assert styles["PageNumber"].fonts["eastAsia"] == "宋体" and styles["PageNumber"].size == 28
        for style in styles.values():
            if style.lang:
                assert style.lang.get("eastAsia") == "zh-CN", (name, style.style_id)
        defaults = di.doc_defaults(path)
        assert defaults["lang"]["eastAsia"] == "zh-CN"
        assert defaults["fonts"]["eastAsia"] == "仿宋_GB2312"
        assert defaults["size"]["val"] == "32"  # the grid's character pitch counts from the default size
        assert di.settings(path)["theme_font_lang_east_asia"] == "zh-CN"


def test_body_paragraphs_use_exact_28_95_point_lines() -> None:
    for name in TEMPLATE_NAMES:
        styles = di.styles(TEMPLATES / name)
        for style_id in FONT_OF_STYLE:
            assert styles[style_id].spacing.get("line") == "579", (name, style_id)
            assert styles[style_id].spacing.get("lineRule") == "exact", (name, style_id)


def test_templates_carry_their_title_and_language_in_core_properties() -> None:
    titles = {
        "party_building.docx": "学校党建共建协议书",
        "five_year.docx": "结对帮扶协议",
        "three_year.docx": "“1+1”结对帮扶协议书",
        "heze_three_year.docx": "支持菏泽教育发展结对帮扶协议书",
    }
    for name, title in titles.items():
        core = di.core_properties(TEMPLATES / name)
        assert core["dc:title"] == title
        assert core["dc:language"] == "zh-CN"


def test_templates_open_and_resave_in_python_docx_without_loss(tmp_path: Path) -> None:
    """What Word does to a clerk's file, python-docx does here: open, save. Nothing the layout tests and the
    renderer rely on may change — text, styles, section, footers — and the re-saved file renders the same."""
    program = _program("pengzhou_heishui")
    context = agreement_context(program, PENGZHOU_3, program.agreement("party_building"))
    for name in TEMPLATE_NAMES:
        original = TEMPLATES / name
        buffer = io.BytesIO()
        Document(str(original)).save(buffer)
        resaved = tmp_path / name
        resaved.write_bytes(buffer.getvalue())
        assert di.text(resaved) == di.text(original), name
        assert di.page_setup(resaved) == di.page_setup(original), name
        assert di.doc_grid(resaved) == di.doc_grid(original), name
        assert di.styles(resaved) == di.styles(original), name
        assert {k: f.paragraphs for k, f in di.footers(resaved).items()} == {
            k: f.paragraphs for k, f in di.footers(original).items()
        }, name
        assert di.runs(resaved) == di.runs(original), name
        if name == "party_building.docx":
            rendered = [
                di.text(_write(tmp_path / f"r{i}.docx", CompiledTemplate.compile(p.read_bytes(), name).render(context)))
                for i, p in enumerate((original, resaved))
            ]
            assert rendered[0] == rendered[1]


def _write(path: Path, data: bytes) -> Path:
    path.write_bytes(data)
    return path


# --- the templates as Jinja documents ------------------------------------------------------------------


def test_no_jinja_tag_is_split_across_runs() -> None:
    for name in TEMPLATE_NAMES:
        for node in di.text_nodes(TEMPLATES / name):
            assert node.count("{{") == node.count("}}"), (name, node)
            assert node.count("{%") == node.count("%}"), (name, node)
        for paragraph in di.paragraphs(TEMPLATES / name):
            if "{%p" in paragraph.text:
                assert paragraph.text.startswith("{%p") and paragraph.text.endswith("%}"), paragraph.text
                assert paragraph.text.count("{%") == 1, paragraph.text


# Which sample program uses which template (each template is checked with its own program's data).
PROGRAM_OF_TEMPLATE = {
    "party_building.docx": ("pengzhou_heishui", "party_building"),
    "five_year.docx": ("liuzhou_special_education", "five_year"),
    "three_year.docx": ("dongguan_1plus1", "three_year"),
    "heze_three_year.docx": ("heze", "three_year"),
}


def test_every_template_variable_is_known_to_the_agreement_context() -> None:
    """``docgen template check`` on every bundled template with its own program's data, for a 1:1 and a 2:1
    group: nothing missing, nothing unsafe."""
    assert set(PROGRAM_OF_TEMPLATE) == set(TEMPLATE_NAMES)
    for name, (sample, kind_key) in PROGRAM_OF_TEMPLATE.items():
        program = _program(sample)
        kind = program.agreement(kind_key)
        assert kind.template == name
        template = CompiledTemplate.compile((TEMPLATES / name).read_bytes(), name)
        for group in (PENGZHOU_4, PENGZHOU_3):
            result = check_template(template, agreement_context(program, group, kind))
            assert result.ok, (name, result.findings())
        assert template.variables(), name


def test_every_sample_program_names_a_bundled_template() -> None:
    for path in sorted(SAMPLES.glob("*/program.yaml")):
        for kind in _program(path.parent.name).agreements:
            assert (TEMPLATES / kind.template).is_file(), (path, kind.template)


# --- seal blocks ---------------------------------------------------------------------------------------


def _seal_tables(path: Path) -> list[etree._Element]:
    body = di.part(path, "word/document.xml")
    assert body is not None
    return [t for t in body.iter(f"{{{di.W}}}tbl") if "盖章" in "".join(t.itertext())]


def _rows(table: etree._Element) -> list[list[str]]:
    """Each row's cells as text (paragraphs joined by newlines)."""
    rows = []
    for tr in table.findall("w:tr", di.NS):
        rows.append(
            [
                "\n".join("".join(t.text or "" for t in p.iter(f"{{{di.W}}}t")) for p in tc.findall("w:p", di.NS))
                for tc in tr.findall("w:tc", di.NS)
            ]
        )
    return rows


def test_two_parties_sign_side_by_side_in_cells_wide_enough_for_a_seal(rendered: dict[str, Path]) -> None:
    parties = {
        "party_building_1to1": ("中共彭州市清平小学支部委员会", "中共黑水县扎窝中心校总支部委员会"),
        "five_year_special": ("甲方（帮扶学校）：\n柳江县特殊教育学校", "乙方（受援学校）：\n融安县特殊教育学校"),
        "heze": ("甲方（帮扶学校）：\n济南市历下实验中学", "乙方（被帮扶学校）：\n曹县第一中学"),
        "dongguan": ("甲方（支援学校）：\n东莞市莞城实验初级中学", "乙方（受援学校）：\n东莞市谢岗镇第二初级中学"),
    }
    for key, (party_a, party_b) in parties.items():
        tables = _seal_tables(rendered[key])
        assert tables, key
        schools = tables[0]
        widths = [int(c.get(f"{{{di.W}}}w")) for c in schools.findall("w:tblGrid/w:gridCol", di.NS)]
        assert len(widths) == 2 and all(w / MM >= 42 for w in widths), (key, widths)
        (row,) = _rows(schools)  # both parties in one row: side by side
        assert party_a in row[0] and party_b in row[1], (key, row)
        assert row[0].count("（盖章）") == 1 and row[1].count("（盖章）") == 1


def test_three_parties_sign_in_a_grid_of_two_columns(rendered: dict[str, Path]) -> None:
    (table,) = _seal_tables(rendered["party_building_2to1"])
    rows = _rows(table)
    assert len(rows) == 2
    assert "中共彭州市西郊小学支部委员会" in rows[0][0] and "中共彭州市九尺镇小学支部委员会" in rows[0][1]
    assert BLANK in rows[1][0]  # no party organisation name: a blank to fill
    assert rows[1][1].strip() == ""  # the odd seat stays empty, without a stray （盖章）
    for tc in table.iter(f"{{{di.W}}}tcW"):
        assert int(tc.get(f"{{{di.W}}}w")) / MM >= 42


def test_seal_blocks_never_split_from_the_closing_clause(rendered: dict[str, Path]) -> None:
    for key, path in rendered.items():
        body = di.part(path, "word/document.xml")
        assert body is not None
        blocks = list(body.find("w:body", di.NS))
        first_table = next(i for i, e in enumerate(blocks) if e.tag == f"{{{di.W}}}tbl")
        closing = [e for e in blocks[:first_table] if e.tag == f"{{{di.W}}}p" and "".join(e.itertext()).strip()][-1]
        assert "本协议一式" in "".join(closing.itertext()), key
        # the closing clause and every paragraph between it and the seals keep with the next paragraph
        start = blocks.index(closing)
        for p in blocks[start:first_table]:
            assert p.find("w:pPr/w:keepNext", di.NS) is not None, (key, "".join(p.itertext()))
        for table in _seal_tables(path):
            for tr in table.findall("w:tr", di.NS):
                assert tr.find("w:trPr/w:cantSplit", di.NS) is not None, key
            for p in table.iter(f"{{{di.W}}}p"):
                assert p.find("w:pPr/w:keepNext", di.NS) is not None, key


def test_signature_blanks_fit_on_one_line_of_a_seal_cell(rendered: dict[str, Path]) -> None:
    """A seal cell is 78 mm; LibreOffice draws a 3号 CJK character 15.75 pt wide and an underscore 12.2 pt
    (measured): a 签名/签字 line with its blank must fit, or the blank breaks across lines."""
    for key in ("party_building_2to1", "heze"):
        for table in _seal_tables(rendered[key]):
            width_pt = int(table.find("w:tblGrid/w:gridCol", di.NS).get(f"{{{di.W}}}w")) / 20 - 113 / 20
            for row in _rows(table):
                for cell in row:
                    for line in cell.split("\n"):
                        if "_" in line:
                            blank = line.count("_")
                            assert (len(line) - blank) * 15.75 + blank * 12.2 <= width_pt, (key, line)
