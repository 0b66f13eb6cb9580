"""Blank forms per pair: pre-filled, official format, and each carries its identity three times — a QR code,
the printed ``表单识别码`` line and the docx custom property ``docgen-identity`` — so a returned copy is routed
without a person. The PDF test converts three forms in one merged LibreOffice load and decodes each QR code
from its own page."""

from __future__ import annotations

import shutil
import zipfile
from pathlib import Path

import cv2
import numpy as np
import pypdfium2
import pytest
from lxml import etree
from typer.testing import CliRunner

from cli.main import app
from docgen.batch import generate_batch, load_templates, plan_batch
from docgen.errors import ProgramError, TemplateError
from docgen.extraction import FormIdentity
from docgen.files import load_program, template_reader
from docgen.forms import load_schemas
from docgen.forms.generate import QR_PART, form_context, identity_for, qr_png, render_form
from docgen.model import PairGroup, Program, Roster, School
from docgen.output import DirectorySink
from docgen.program import parse_program_yaml
from docgen.render.docx import CompiledTemplate
from docgen.roster import read_roster
from extractors.image import qr_text
from testkit import docx_inspect as di

ROOT = Path(__file__).resolve().parent.parent
SAMPLES = ROOT / "samples"
FORMS = ROOT / "docgen" / "templates" / "forms"
W = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"
runner = CliRunner()

XIJIAO = School("彭州市西郊小学")
JIUCHI = School("彭州市九尺镇小学")
LUHUA = School("黑水县芦花完全小学校")
PAIR_3 = PairGroup(3, (XIJIAO, JIUCHI), (LUHUA,))  # 彭州市西郊小学、九尺镇小学与黑水县芦花完全小学校结对


@pytest.fixture(scope="module")
def pengzhou() -> Program:
    return load_program(SAMPLES / "pengzhou_heishui" / "program.yaml")


@pytest.fixture(scope="module")
def liuzhou() -> Program:
    return load_program(SAMPLES / "liuzhou_high_schools" / "program.yaml")


def _render(program: Program, group: PairGroup, kind: str, out: Path, school: School | None = None) -> Path:
    schema = load_schemas()[kind]
    template = CompiledTemplate.compile((FORMS / f"{kind}.docx").read_bytes(), f"{kind}.docx")
    out.write_bytes(render_form(template, schema, form_context(program, group, schema, school)))
    return out


def _gray(png: bytes) -> np.ndarray:
    image = cv2.imdecode(np.frombuffer(png, np.uint8), cv2.IMREAD_GRAYSCALE)
    assert image is not None
    return image


def _decode(image: np.ndarray) -> str:
    return qr_text(image)


def _qr_in_docx(path: Path) -> str:
    with zipfile.ZipFile(path) as z:
        png = z.read(QR_PART)
    return _decode(_gray(png))


def _custom_identity(path: Path) -> str | None:
    root = di.part(path, "docProps/custom.xml")
    assert root is not None
    ns = {
        "cp": "http://schemas.openxmlformats.org/officeDocument/2006/custom-properties",
        "vt": "http://schemas.openxmlformats.org/officeDocument/2006/docPropsVTypes",
    }
    value = root.find("cp:property[@name='docgen-identity']/vt:lpwstr", ns)
    return value.text if value is not None else None


def _header_text(path: Path) -> str:
    rels = di.part(path, "word/_rels/document.xml.rels")
    assert rels is not None
    headers = [r.get("Target") for r in rels if r.get("Type", "").endswith("/header")]
    assert len(headers) == 2  # odd and even pages: the official format uses different odd/even footers
    return "\n".join("".join(di.text_nodes(path, f"word/{h}")) for h in headers)


# --- one form, one pair ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("kind", "school", "code", "title"),
    [
        # 03 is 2:1: each supporting school gets its own 备案表 and 统计表, numbered like its 回执
        ("filing", XIJIAO, "DG1:pengzhou-heishui-2019:03.1:filing:1", "彭州·黑水“校校结对”教育交流活动备案表"),
        (
            "activity_stats",
            JIUCHI,
            "DG1:pengzhou-heishui-2019:03.2:activity_stats:1",
            "彭州·黑水“校校结对”教育交流活动情况统计表",
        ),
        (
            "liaison_reply",
            JIUCHI,
            "DG1:pengzhou-heishui-2019:03.2:liaison_reply:1",
            "彭州·黑水“校校结对”联络员和分管领导回执",
        ),
    ],
)
def test_each_pengzhou_form_is_prefilled_and_carries_its_identity_three_times(
    pengzhou: Program, tmp_path: Path, kind: str, school: School | None, code: str, title: str
) -> None:
    path = _render(pengzhou, PAIR_3, kind, tmp_path / f"{kind}.docx", school)
    body = di.text(path)
    assert title in body.replace("\n", "")
    assert school is not None
    label = {"filing": "单位：", "activity_stats": "填报单位：", "liaison_reply": "学校（盖章）："}[kind]
    assert f"{label}{school.name}" in body  # the form is that school's own
    other = XIJIAO if school is JIUCHI else JIUCHI
    assert other.name not in body
    assert f"表单识别码：{code}" in _header_text(path).replace("\n", "")
    assert _custom_identity(path) == code
    assert _qr_in_docx(path) == code
    assert FormIdentity.parse(code) == identity_for(pengzhou, PAIR_3, load_schemas()[kind], school)


def test_the_arrangement_form_prefills_both_schools_and_known_contacts(liuzhou: Program, tmp_path: Path) -> None:
    group = PairGroup(3, (School("市一中", contact="张老师", phone="13800001111"),), (School("三江民族高中"),))
    path = _render(liuzhou, group, "arrangement", tmp_path / "a.docx")
    rows = [[c.text for c in row] for row in _table_rows(path)]
    assert rows[0] == ["帮扶学校", "联系人及电话", "受援学校", "联系人及电话"]  # the seed's repeated label, as printed
    assert rows[1] == ["市一中", "张老师 13800001111", "三江民族高中", ""]
    assert len(rows) == 1 + 6 and all(cell == "" for row in rows[2:] for cell in row)  # blank_rows: 6
    text = di.text(path)
    # the program's own stage only (no 幼儿园 on a high-school form), on one line: nothing to break inside
    assert "柳州市普通高中结对帮扶安排表" in text and "幼儿园" not in text
    title = next(p for p in di.paragraphs(path) if p.style == "DocTitle")
    assert title.text == "柳州市普通高中结对帮扶安排表"
    # the deadline and address the notice gives for returning the 安排表 (program task plan_submitted)
    assert "2.请于2016年9月15日前报市教育局基础教育科，同时将电子版发送至lzjjk2007@163.com。" in text
    assert _qr_in_docx(path) == "DG1:liuzhou-high-2016:03:arrangement:1"


class _Cell:
    def __init__(self, tc: etree._Element) -> None:
        self.tc = tc
        self.text = "".join(t.text or "" for t in tc.iter(f"{{{W}}}t"))
        span = tc.find(f"{{{W}}}tcPr/{{{W}}}gridSpan")
        self.span = int(span.get(f"{{{W}}}val")) if span is not None else 1
        merge = tc.find(f"{{{W}}}tcPr/{{{W}}}vMerge")
        self.vmerge = None if merge is None else merge.get(f"{{{W}}}val", "continue")


def _table_rows(path: Path) -> list[list[_Cell]]:
    root = di.part(path, "word/document.xml")
    assert root is not None
    table = root.find(f"{{{W}}}body/{{{W}}}tbl")
    assert table is not None
    return [[_Cell(tc) for tc in tr.iterfind(f"{{{W}}}tc")] for tr in table.iterfind(f"{{{W}}}tr")]


def test_the_filing_form_reproduces_the_vertically_merged_label(pengzhou: Program, tmp_path: Path) -> None:
    rows = _table_rows(_render(pengzhou, PAIR_3, "filing", tmp_path / "f.docx", XIJIAO))
    assert [r[0].vmerge for r in rows[:8]] == ["restart"] + ["continue"] * 7
    assert rows[0][0].text == "援藏活动情况"
    assert [r[1].text for r in rows[:8]] == [
        "带队人员姓名",
        "职  务",
        "联系电话",
        "前往地点",
        "外出事由（项目）",
        "外出时间",
        "返回时间",
        "参加人员（可另附名单）",
    ]
    assert [(r[0].text, r[0].span) for r in rows[8:]] == [
        ("单位负责人意见", 2),
        ("区片分管领导意见", 2),
        ("局主要领导意见", 2),
        ("备  注", 2),
    ]


def test_the_statistics_table_has_ten_columns_ten_blank_rows_and_a_merged_footer(
    pengzhou: Program, tmp_path: Path
) -> None:
    rows = _table_rows(_render(pengzhou, PAIR_3, "activity_stats", tmp_path / "s.docx", JIUCHI))
    assert [c.text for c in rows[0]][:2] == ["序号", "活动名称"] and len(rows[0]) == 10
    body = rows[1:-1]
    assert len(body) == 10 and all(len(r) == 10 and not any(c.text for c in r) for r in body)
    footer = rows[-1]
    assert footer[0].text == "备注：" and sum(c.span for c in footer) == 10 and len(footer) == 2
    # 附件3's 备注, verbatim: where the 统计表 goes, from the program's reporting data
    assert footer[1].text == (
        "活动结束后，一周内上报活动材料和活动情况统计表至党委办和人事科，并将电子邮件发送至彭州教育政工人事群共享。"
    )


@pytest.mark.parametrize(
    ("kind", "landscape"),
    [("filing", False), ("activity_stats", True), ("liaison_reply", False), ("arrangement", False)],
)
def test_form_templates_keep_the_official_format(kind: str, landscape: bool) -> None:
    path = FORMS / f"{kind}.docx"
    page = di.page_setup(path)
    assert (page["width"], page["height"]) == ((16838, 11906) if landscape else (11906, 16838))
    # 37 mm top; the landscape 统计表 30 mm (its header from 8 mm), so a filled one keeps to one page
    assert page["left"] == 1588 and page["right"] == 1474 and page["top"] == (1701 if landscape else 2098)
    assert set(di.footers(path)) == {"default", "even"}  # — 1 — page numbers as in the agreements
    root = di.part(path, "word/document.xml")
    assert root is not None
    for part_name in ("word/document.xml", "word/header1.xml", "word/header2.xml"):
        xml = di.part(path, part_name)
        assert xml is not None, part_name
        for run in xml.iter(f"{{{W}}}r"):
            if run.find(f"{{{W}}}t") is None:
                continue
            fonts = run.find(f"{{{W}}}rPr/{{{W}}}rFonts")
            lang = run.find(f"{{{W}}}rPr/{{{W}}}lang")
            assert fonts is not None and fonts.get(f"{{{W}}}eastAsia"), (part_name, etree.tostring(run)[:200])
            assert lang is not None and lang.get(f"{{{W}}}eastAsia") == "zh-CN"
    title = next(p for p in di.paragraphs(path) if p.style == "DocTitle")
    assert title.text == "{{ title }}" and title.runs[0].fonts.get("eastAsia") == "方正小标宋简体"
    code_runs = [r for r in di.runs(path, "word/header1.xml") if "identity.code" in r.text]
    assert code_runs and code_runs[0].fonts.get("ascii") == "Courier New" and code_runs[0].size == 24  # 小四
    with zipfile.ZipFile(path) as z:
        types = z.read("[Content_Types].xml").decode()
        assert "/docProps/custom.xml" in types and "custom-properties+xml" in types
        assert "docProps/custom.xml" in z.read("_rels/.rels").decode()
        width = _gray(z.read(QR_PART)).shape[1]
        assert width > 200


# --- identity and QR --------------------------------------------------------------------------------------


def test_per_school_identities_number_the_schools_of_the_group(pengzhou: Program) -> None:
    schema = load_schemas()["liaison_reply"]
    codes = [identity_for(pengzhou, PAIR_3, schema, s).code for s in PAIR_3.schools]
    assert codes == [f"DG1:pengzhou-heishui-2019:03.{i}:liaison_reply:1" for i in (1, 2, 3)]
    parsed = FormIdentity.parse(codes[1])
    assert parsed is not None and parsed.pair == "03.2" and parsed.form == "liaison_reply"
    with pytest.raises(ValueError, match="not a school"):
        identity_for(pengzhou, PAIR_3, schema, School("别的学校"))


def test_qr_png_is_deterministic_and_decodes() -> None:
    code = "DG1:pengzhou-heishui-2019:03-2:filing:1"
    assert qr_png(code) == qr_png(code) and qr_png(code) != qr_png(code + "0")
    assert _decode(_gray(qr_png(code))) == code


def test_render_media_replaces_only_parts_the_template_has(pengzhou: Program) -> None:
    template = CompiledTemplate.compile((FORMS / "filing.docx").read_bytes(), "filing.docx")
    context = form_context(pengzhou, PAIR_3, load_schemas()["filing"])
    with pytest.raises(TemplateError, match=r"word/media/nope\.png"):
        template.render({**context, "form_table": ""}, media={"word/media/nope.png": b""})


def test_a_program_naming_an_unknown_form_is_an_error() -> None:
    text = (
        "key: k\nname: n\nagreements: [{key: a, title: t, template: party_building.docx}]\nforms: [filing, receipt]\n"
    )
    with pytest.raises(ProgramError, match="receipt"):
        parse_program_yaml(text, source="p.yaml")


# --- the batch --------------------------------------------------------------------------------------------


def _pengzhou_roster() -> Roster:
    return read_roster((SAMPLES / "pengzhou_heishui" / "roster.txt").read_bytes(), "roster.txt")


@pytest.mark.slow
def test_the_batch_puts_agreements_and_forms_in_each_pair_folder(pengzhou: Program, tmp_path: Path) -> None:
    roster = _pengzhou_roster()
    templates = load_templates(pengzhou, template_reader(SAMPLES / "pengzhou_heishui"))
    assert len(plan_batch(pengzhou, roster)) == 14  # forms only when asked for
    report = generate_batch(pengzhou, roster, templates, DirectorySink(tmp_path, pengzhou.key), with_forms=True)
    schools = sum(len(g.schools) for g in roster.groups)
    # agreement per pair; 备案表, 统计表 per supporting school (two more for the 2:1 group 03); 回执 per school
    assert report.ok and report.generated == 14 * 3 + 2 + schools
    names = zipfile.ZipFile(report.archive).namelist()
    folder = "03_彭州市西郊小学等2校—黑水县芦花完全小学校/"
    assert sorted(n.removeprefix(folder) for n in names if n.startswith(folder)) == sorted(
        [
            "03_学校党建共建协议书_彭州市西郊小学等2校—黑水县芦花完全小学校.docx",
            "03_教育交流活动备案表_彭州市西郊小学.docx",
            "03_教育交流活动备案表_彭州市九尺镇小学.docx",
            "03_教育交流活动情况统计表_彭州市西郊小学.docx",
            "03_教育交流活动情况统计表_彭州市九尺镇小学.docx",
            "03_联络员和分管领导回执_彭州市西郊小学.docx",
            "03_联络员和分管领导回执_彭州市九尺镇小学.docx",
            "03_联络员和分管领导回执_黑水县芦花完全小学校.docx",
        ]
    )
    assert sum("联络员和分管领导回执" in n for n in names) == schools == 29
    manifest = (tmp_path / "清单.csv").read_text("utf-8-sig")
    # the kind in words (a clerk opens it in Excel); manifest.json keeps the code
    assert ",联络员和分管领导回执," in manifest and "form:" not in manifest
    again = generate_batch(pengzhou, roster, templates, DirectorySink(tmp_path, pengzhou.key), with_forms=True)
    assert again.skipped == report.generated  # forms resume like agreements (fingerprint includes the identity)


@pytest.mark.slow
def test_cli_no_forms_and_the_forms_command(tmp_path: Path) -> None:
    roster = str(SAMPLES / "pengzhou_heishui" / "roster.txt")
    result = runner.invoke(app, ["generate", roster, "--out", str(tmp_path / "a"), "--no-pdf", "--no-forms"])
    assert result.exit_code == 0, result.output
    docs = [n for n in zipfile.ZipFile(tmp_path / "a" / "pengzhou-heishui-2019.zip").namelist() if n.endswith(".docx")]
    assert len(docs) == 14

    result = runner.invoke(app, ["forms", roster, "--out", str(tmp_path / "f"), "--no-pdf", "--form", "liaison_reply"])
    assert result.exit_code == 0, result.output
    archive = zipfile.ZipFile(tmp_path / "f" / "pengzhou-heishui-2019-forms.zip")
    docs = [n for n in archive.namelist() if n.endswith(".docx")]
    assert len(docs) == 29 and all("联络员和分管领导回执" in n for n in docs)

    bad = runner.invoke(app, ["forms", roster, "--out", str(tmp_path / "g"), "--no-pdf", "--form", "arrangement"])
    assert bad.exit_code == 2 and "arrangement" in bad.stderr


# --- PDF: three forms in one merged load, each QR decodes from its own page ---------------------------------


@pytest.mark.slow
@pytest.mark.skipif(shutil.which("soffice") is None, reason="LibreOffice not installed")
def test_three_forms_merged_into_one_pdf_load_keep_their_own_qr_codes(pengzhou: Program, tmp_path: Path) -> None:
    from docgen.render.pdf import LibreOfficeConverter

    roster = _pengzhou_roster()
    items, codes = [], []
    for kind, group in (("filing", roster.groups[0]), ("filing", roster.groups[1]), ("filing", roster.groups[12])):
        path = _render(pengzhou, group, kind, tmp_path / f"{group.label}.docx")
        items.append((path.name, path.read_bytes()))
        codes.append(f"DG1:pengzhou-heishui-2019:{group.label}:filing:1")
    stats = _render(pengzhou, roster.groups[1], "activity_stats", tmp_path / "stats.docx")
    with LibreOfficeConverter(timeout=90) as converter:
        results = converter.convert_merged(items)  # raises instead of falling back to one by one
        stats_pdf = converter.convert("stats.docx", stats.read_bytes())
    assert [r.pages for r in results] == [1, 1, 1]
    for result, code in zip(results, codes, strict=True):
        assert result.pdf is not None
        page = pypdfium2.PdfDocument(result.pdf)[0]
        assert code in page.get_textpage().get_text_range().replace("\r\n", "").replace("\n", "")
        image = np.array(page.render(scale=200 / 72).to_pil().convert("L"))
        assert _decode(image) == code
    assert stats_pdf.pages == 1 and stats_pdf.pdf is not None  # the landscape 统计表 fits one page
    page = pypdfium2.PdfDocument(stats_pdf.pdf)[0]
    assert page.get_size()[0] > page.get_size()[1]
    assert _decode(np.array(page.render(scale=200 / 72).to_pil().convert("L"))) == codes[1].replace(
        "filing", "activity_stats"
    )
