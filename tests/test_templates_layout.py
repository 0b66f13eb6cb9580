"""The bundled templates and the documents rendered from them keep the official format (GB/T 9704-2012)
and print what the agreement context says.

Layout is read from the XML (``testkit/docx_inspect.py``), so these tests need neither Word nor LibreOffice;
one test at the end converts to PDF when ``soffice`` is installed and counts pages.
"""

from __future__ import annotations

import dataclasses
import importlib.util
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from docxtpl import DocxTemplate

from docgen.context import agreement_context
from docgen.model import PairGroup, Program, School, Term
from docgen.program import parse_program_yaml
from docgen.render.docx import sandboxed_environment
from testkit import docx_inspect as di

ROOT = Path(__file__).resolve().parent.parent
TEMPLATES = ROOT / "docgen" / "templates"
SAMPLES = ROOT / "samples"
TEMPLATE_NAMES = ("party_building.docx", "five_year.docx", "three_year.docx")

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


def _render(program: Program, group: PairGroup, kind_key: str, out: Path, **kind_changes: Any) -> Path:
    kind = program.agreement(kind_key)
    if kind_changes:
        kind = dataclasses.replace(kind, **kind_changes)
    template = DocxTemplate(str(TEMPLATES / kind.template))
    template.render(agreement_context(program, group, kind), jinja_env=sandboxed_environment(), autoescape=True)
    template.save(str(out))
    return out


# Pair 3 of the 彭州 notice: two supporting schools with one supported school (a 2:1 group).
PENGZHOU_3 = PairGroup(
    3,
    (School("彭州市西郊小学", party_org="中共彭州市西郊小学支部委员会"), School("彭州市九尺镇小学")),
    (School("黑水县芦花完全小学校"),),
)
PENGZHOU_4 = PairGroup(4, (School("彭州市清平小学"),), (School("黑水县扎窝中心校"),))
LIUZHOU_SPECIAL = PairGroup(
    1,
    (School("柳江县特殊教育学校", contact="韦老师", phone="0772-7212345"),),
    (School("融安县特殊教育学校"),),
    coordinator="柳州市特殊教育学校",
)
LIUZHOU_HIGH = PairGroup(1, (School("柳州高中"),), (School("融水中学"),))
HEZE = PairGroup(2, (School("济南市历下实验小学"),), (School("菏泽市牡丹区第一小学"),))


@pytest.fixture(scope="module")
def rendered(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    out = tmp_path_factory.mktemp("rendered")
    pengzhou = _program("pengzhou_heishui")
    special = _program("liuzhou_special_education")
    return {
        "party_building_2to1": _render(pengzhou, PENGZHOU_3, "party_building", out / "pb_3.docx"),
        "party_building_1to1": _render(pengzhou, PENGZHOU_4, "party_building", out / "pb_4.docx"),
        "party_building_no_dates": _render(
            pengzhou, PENGZHOU_4, "party_building", out / "pb_blank.docx", term=Term(years=1)
        ),
        "five_year_special": _render(special, LIUZHOU_SPECIAL, "five_year", out / "fy_special.docx"),
        "five_year_high": _render(
            _program("liuzhou_high_schools"), LIUZHOU_HIGH, "five_year", out / "fy_high.docx"
        ),
        "three_year": _render(_program("heze"), HEZE, "three_year", out / "ty.docx"),
    }


def _all_documents(rendered: dict[str, Path]) -> list[Path]:
    return [TEMPLATES / name for name in TEMPLATE_NAMES] + list(rendered.values())


# --- the official format, in every template and every rendered document -------------------------------


def test_every_document_is_a4_with_the_official_margins(rendered: dict[str, Path]) -> None:
    for path in _all_documents(rendered):
        setup = di.page_setup(path)
        assert (setup["width"], setup["height"]) == (11906, 16838), path.name
        assert (setup["top"], setup["bottom"], setup["left"], setup["right"]) == (2098, 1984, 1588, 1474)
        # 版心 156 × 225 mm
        assert abs((11906 - 1588 - 1474) / 56.693 - 156) < 0.5
        assert abs((16838 - 2098 - 1984) / 56.693 - 225) < 0.5
        assert setup["footer"] == 1304 and setup["gutter"] == 0


def test_every_document_has_a_grid_of_22_lines_by_28_characters(rendered: dict[str, Path]) -> None:
    for path in _all_documents(rendered):
        grid = di.doc_grid(path)
        assert grid == {"type": "linesAndChars", "linePitch": "579", "charSpace": "-848"}, path.name
        char_pitch_pt = 16 + int(grid["charSpace"]) / 4096
        assert int(156 / 25.4 * 72 / char_pitch_pt) == 28
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
        "three_year.docx": "结对帮扶协议书",
    }
    for name, title in titles.items():
        core = di.core_properties(TEMPLATES / name)
        assert core["dc:title"] == title
        assert core["dc:language"] == "zh-CN"
        assert core["dcterms:created"].startswith("2019-03-14")


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


def test_templates_use_only_variables_of_the_agreement_context() -> None:
    program = _program("pengzhou_heishui")
    context = agreement_context(program, PENGZHOU_3, program.agreement("party_building"))
    for name in TEMPLATE_NAMES:
        missing = DocxTemplate(str(TEMPLATES / name)).get_undeclared_template_variables(context=context)
        assert missing == set(), (name, missing)


def test_templates_are_up_to_date_with_the_build_script(tmp_path: Path) -> None:
    spec = importlib.util.spec_from_file_location("build_templates", ROOT / "tools" / "build_templates.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules["build_templates"] = module
    try:
        spec.loader.exec_module(module)
        module.build_all(tmp_path)
    finally:
        del sys.modules["build_templates"]
    for name in TEMPLATE_NAMES:
        assert (tmp_path / name).read_bytes() == (TEMPLATES / name).read_bytes(), (
            f"templates/{name} differs from a fresh build: run tools/build_templates.py"
        )


# --- what the rendered agreements say ------------------------------------------------------------------


def test_rendered_documents_have_no_template_syntax_left(rendered: dict[str, Path]) -> None:
    for key, path in rendered.items():
        text = di.text(path)
        for marker in ("{{", "}}", "{%", "%}"):
            assert marker not in text, (key, marker)


def test_party_building_names_both_party_organisations_and_the_term(rendered: dict[str, Path]) -> None:
    text = di.text(rendered["party_building_1to1"])
    assert "甲方：彭州市清平小学党组织" in text
    assert "乙方：黑水县扎窝中心校党组织" in text
    assert "自2019年4月1日至2020年3月31日止" in text
    assert "暂定为一年" in text
    assert "本协议一式四份，双方党组织各一份，彭州市教育局党办、黑水县教育局党办各留一份备案。" in text
    assert "结对基层党组织：彭州市清平小学党组织（盖章）" in text
    assert text.count("负责人签名：__________") == 2
    assert text.rstrip().endswith("____年____月____日")
    for section in (
        "一、结对共建形式和内容",
        "二、结对共建活动重点",
        "组织建设互促",
        "党员干部互动",
        "党建载体互用",
        "结对帮扶互助",
        "“四个一”",
    ):
        assert section in text


def test_party_building_for_a_two_to_one_group_has_five_copies_and_three_signatures(
    rendered: dict[str, Path],
) -> None:
    text = di.text(rendered["party_building_2to1"])
    assert "甲方：中共彭州市西郊小学支部委员会、彭州市九尺镇小学党组织" in text
    assert "本协议一式五份，结对各方党组织各一份" in text
    for org in ("中共彭州市西郊小学支部委员会", "彭州市九尺镇小学党组织", "黑水县芦花完全小学校党组织"):
        assert f"结对基层党组织：{org}（盖章）" in text
    assert text.count("负责人签名：") == 3


def test_party_building_prints_blanks_when_the_term_has_no_dates(rendered: dict[str, Path]) -> None:
    text = di.text(rendered["party_building_no_dates"])
    assert "自____年____月____日至____年____月____日止" in text


def test_five_year_lists_the_five_kinds_of_assistance_with_their_stage_focus(
    rendered: dict[str, Path],
) -> None:
    path = rendered["five_year_special"]
    text = di.text(path)
    assert "帮扶学校（甲方）：柳江县特殊教育学校" in text
    assert "受援学校（乙方）：融安县特殊教育学校" in text
    assert "柳教基〔2016〕68号" in text
    assert "本协议为期五年，自2016年9月1日起至2020年12月31日止" in text
    assert "特殊教育学段，帮扶重点是提升教育与康复水平" in text
    headings = [p.text for p in di.paragraphs(path) if p.style == "Heading2CN"]
    assert headings == [
        "（一）管理帮扶",
        "（二）教师发展帮扶",
        "（三）办学条件帮扶",
        "（四）教育教学帮扶",
        "（五）困境学生帮扶",
    ]
    assert "本协议一式三份，双方学校各一份，柳州市教育局留存一份备案。" in text
    assert "甲方柳江县特殊教育学校联系人：韦老师，联系电话：0772-7212345。" in text
    assert "乙方融安县特殊教育学校联系人：__________，联系电话：__________。" in text
    assert "柳州市特殊教育学校为本结对的牵头指导学校" in text
    assert "备案单位：柳州市教育局（盖章）" in text
    assert text.count("校长签字：__________") == 2


def test_five_year_without_a_coordinator_leaves_the_sentence_out(rendered: dict[str, Path]) -> None:
    text = di.text(rendered["five_year_high"])
    assert "牵头指导学校" not in text
    assert "普通高中学段，帮扶重点是推进课程教学改革和提高教育质量" in text


def test_three_year_prints_goals_by_year_duties_and_frequencies(rendered: dict[str, Path]) -> None:
    path = rendered["three_year"]
    text = di.text(path)
    assert "支援学校（甲方）：济南市历下实验小学" in text
    assert "帮扶期限为三年，自____年____月____日起至____年____月____日止" in text
    assert "用3年时间帮助受援学校完善管理制度" in text
    assert "1．帮助受援学校建立起一套较为完整、细致、科学的学校管理制度。" in text
    assert "5．受援学校毕业生学业考试平均分与全市平均分的差距缩小10分以上。" in text
    for year in ("第一年：", "第二年：", "第三年："):
        assert year in text
    headings = [p.text for p in di.paragraphs(path) if p.style == "Heading2CN"]
    assert headings == [
        "（一）学校管理工作帮扶",
        "（二）教育教学工作帮扶",
        "（三）教师专业发展帮扶",
        "（四）校园文化建设帮扶",
    ]
    assert "2．支援学校每月派出优秀教师进行教育指导和研讨不少于4次，集体交流不少于2次。" in text
    # the province issues the program but keeps no copy (samples/heze: keeps_copy: false)
    assert "本协议一式三份，双方学校各一份，菏泽市教育局留存一份备案。" in text
    assert "山东省教育厅" not in text


# --- through LibreOffice -------------------------------------------------------------------------------


@pytest.mark.slow
@pytest.mark.skipif(shutil.which("soffice") is None, reason="LibreOffice (soffice) is not installed")
def test_rendered_agreements_fit_on_two_to_four_pages(rendered: dict[str, Path], tmp_path: Path) -> None:
    from pypdf import PdfReader

    sources = [rendered[k] for k in ("party_building_2to1", "five_year_special", "three_year")]
    subprocess.run(
        [
            "soffice",
            f"-env:UserInstallation=file://{tmp_path / 'profile'}",
            "--headless",
            "--convert-to",
            "pdf",
            "--outdir",
            str(tmp_path),
            *map(str, sources),
        ],
        check=True,
        capture_output=True,
        timeout=240,
    )
    for source in sources:
        reader = PdfReader(tmp_path / f"{source.stem}.pdf")
        assert 2 <= len(reader.pages) <= 4, (source.name, len(reader.pages))
        first_page = reader.pages[0].extract_text().replace(" ", "").replace("\n", "")
        assert "甲方" in first_page, source.name


def test_three_year_does_not_double_a_full_stop_the_data_already_has(tmp_path: Path) -> None:
    program = _program("heze")
    kind = program.agreement("three_year")
    params = {**kind.params, "targets": ["培养骨干教师。", "提高质量"]}
    path = _render(program, HEZE, "three_year", tmp_path / "ty.docx", params=params)
    text = di.text(path)
    assert "1．培养骨干教师。\n" in text and "2．提高质量。\n" in text
