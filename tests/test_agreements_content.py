"""What the rendered agreements say: each program's own notice, its words for the parties, a preamble that
cites the notice, a term that agrees with its dates, 三方 for three parties (issue 10, items 1, 4, 6).

One test per defect the review found, asserting the text inside the generated DOCX; the last tests convert
two documents with LibreOffice and read the PDF (slow).
"""

from __future__ import annotations

import re
import shutil
import subprocess
from pathlib import Path

import pytest

from docgen.errors import ProgramError
from docgen.model import PairGroup, School, Term, whole_years
from docgen.program import parse_program_yaml
from docgen.school_names import BLANK
from testkit import docx_inspect as di
from testkit.shared import shared_path
from tests.test_templates_layout import (
    DONGGUAN,
    HEZE,
    LIUZHOU_SPECIAL,
    PENGZHOU_3,
    PENGZHOU_4,
    SAMPLES,
    _program,
    render_agreement,
)


@pytest.fixture(scope="module")
def rendered(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    out = tmp_path_factory.mktemp("agreements")
    pengzhou = _program("pengzhou_heishui")
    return {
        "party_building_2to1": render_agreement(pengzhou, PENGZHOU_3, "party_building", out / "pb_3.docx"),
        "party_building_1to1": render_agreement(pengzhou, PENGZHOU_4, "party_building", out / "pb_4.docx"),
        "party_building_no_dates": render_agreement(
            pengzhou, PENGZHOU_4, "party_building", out / "pb_blank.docx", term=Term(years=1)
        ),
        "five_year_special": render_agreement(
            _program("liuzhou_special_education"), LIUZHOU_SPECIAL, "five_year", out / "fy_special.docx"
        ),
        "five_year_high": render_agreement(
            _program("liuzhou_high_schools"),
            PairGroup(1, (School("柳州高中"),), (School("融水中学"),)),
            "five_year",
            out / "fy_high.docx",
        ),
        "heze": render_agreement(_program("heze"), HEZE, "three_year", out / "heze.docx"),
        "dongguan": render_agreement(_program("dongguan_1plus1"), DONGGUAN, "three_year", out / "dg.docx"),
    }


def _text(path: Path) -> str:
    return di.text(path)


def test_rendered_documents_have_no_template_syntax_left(rendered: dict[str, Path]) -> None:
    for key, path in rendered.items():
        text = _text(path)
        for marker in ("{{", "}}", "{%", "%}"):
            assert marker not in text, (key, marker)


# --- item 1: each program's own notice ------------------------------------------------------------------


def test_heze_agreement_carries_the_four_measures_of_seed_003(rendered: dict[str, Path]) -> None:
    """Defect: the 菏泽 three-year agreement was built from the 东莞 plan and had none of seed 003's measures."""
    path = rendered["heze"]
    text = _text(path)
    assert "被帮扶学校每年选派不少于2名中层以上干部、不少于5名青年骨干教师到帮扶学校学习、参与教学" in text
    assert "帮扶学校每年组织本校骨干教师到被帮扶学校开展至少1次业务研讨培训交流活动" in text
    assert "网上一体化教研和教师培训" in text
    assert "“同课异构”课堂教学比赛" in text
    headings = [p.text for p in di.paragraphs(path) if p.style == "Heading2CN"]
    assert headings == [
        "（一）建立人才双向挂职交流机制",
        "（二）定期开展业务研讨培训",
        "（三）构建网络一体化互动平台",
        "（四）积极开展特色团队交流活动",
    ]
    assert "本协议为期三年" in text


def test_heze_copies_go_to_the_two_cities_not_the_province(rendered: dict[str, Path]) -> None:
    """Defect: 菏泽 copies went to the province (the notice's issuer, no party to the agreement)."""
    text = _text(rendered["heze"])
    assert "本协议一式四份，双方学校各一份，济南市教育局、菏泽市教育局各留一份备案。" in text
    assert text.count("山东省教育厅") == 1  # in the preamble's citation only


def test_heze_agreement_has_nothing_of_the_dongguan_plan(rendered: dict[str, Path]) -> None:
    """Defect: monthly visits between schools 250–700 km apart, 片区, an exam-score target in 菏泽's agreement."""
    text = _text(rendered["heze"])
    for dongguan in ("每月", "片区", "平均分", "10分", "4次", "科研立项", "初三", "1+1", "东莞"):
        assert dongguan not in text, dongguan


def test_heze_agreement_says_bang_fu_and_bei_bang_fu_as_its_notice_does(rendered: dict[str, Path]) -> None:
    """Defect: 支援/受援 instead of the notice's 帮扶/被帮扶."""
    text = _text(rendered["heze"])
    assert "帮扶学校（甲方）：济南市历下实验中学" in text
    assert "被帮扶学校（乙方）：曹县第一中学" in text
    assert "支援" not in text and "受援" not in text


def test_party_terms_are_program_data(tmp_path: Path) -> None:
    """The same template says what the program's notice calls the sides (and its party labels)."""
    text = (SAMPLES / "heze" / "program.yaml").read_text(encoding="utf-8")
    changed = text.replace(
        "party_terms: {supporting: 帮扶学校, supported: 被帮扶学校}",
        "party_terms: {supporting: 结对学校, supported: 共建学校, first: 第一方, second: 第二方}",
    )
    assert changed != text
    program = parse_program_yaml(changed, source="program.yaml")
    rendered = _text(render_agreement(program, HEZE, "three_year", tmp_path / "t.docx"))
    assert "结对学校（第一方）：济南市历下实验中学" in rendered
    assert "共建学校（第二方）：曹县第一中学" in rendered
    assert "共建学校每年选派不少于2名中层以上干部" in rendered
    assert "被帮扶" not in rendered


def test_dongguan_agreement_carries_the_1plus1_plan_of_seed_004(rendered: dict[str, Path]) -> None:
    text = _text(rendered["dongguan"])
    assert "支援学校（甲方）：东莞市莞城实验初级中学" in text
    assert "受援学校（乙方）：东莞市谢岗镇第二初级中学" in text
    assert "培养出5名片区内以上的学科骨干教师" in text
    assert "获得3项以上的市级以上科研立项" in text
    assert "甲方校长带头参与交流，每月到乙方交流指导不少于2次" in text
    assert "每月派出优秀教师进行教育指导和研讨不少于4次，集体交流不少于2次" in text
    assert "本协议一式三份，双方学校各一份，东莞市教育局留存一份备案。" in text
    for heading in (
        "（一）学校管理工作帮扶",
        "（二）教育教学工作帮扶",
        "（三）教师专业发展帮扶",
        "（四）校园文化建设帮扶",
    ):
        assert heading in text


def test_five_year_lists_the_five_kinds_of_assistance_with_their_stage_focus(rendered: dict[str, Path]) -> None:
    path = rendered["five_year_special"]
    text = _text(path)
    assert "帮扶学校（甲方）：柳江县特殊教育学校" in text
    assert "受援学校（乙方）：融安县特殊教育学校" in text
    assert "特殊教育学段，帮扶重点是提升教育与康复水平" in text
    headings = [p.text for p in di.paragraphs(path) if p.style == "Heading2CN"]
    assert headings == [
        "（一）管理帮扶",
        "（二）教师发展帮扶",
        "（三）办学条件帮扶",
        "（四）教育教学帮扶",
        "（五）困境学生帮扶",
    ]
    assert "每学期至少安排2名以上优秀教师到受援学校送教" in text
    assert "本协议一式三份，双方学校各一份，柳州市教育局留存一份备案。" in text
    assert "甲方柳江县特殊教育学校联系人：韦老师，联系电话：0772-7212345。" in text
    assert "乙方融安县特殊教育学校联系人：__________，联系电话：__________。" in text
    assert "柳州市特殊教育学校为本结对的牵头指导学校" in text
    assert "备案单位：\n柳州市教育局\n（盖章）" in text
    assert text.count("校长签字：") == 2


def test_five_year_without_a_coordinator_leaves_the_sentence_out(rendered: dict[str, Path]) -> None:
    text = _text(rendered["five_year_high"])
    assert "牵头指导学校" not in text
    assert "普通高中学段，帮扶重点是推进课程教学改革和提高教育质量" in text


def test_party_building_follows_attachment_1_of_seed_000(rendered: dict[str, Path]) -> None:
    text = _text(rendered["party_building_1to1"])
    assert "甲方：中共彭州市清平小学支部委员会" in text
    assert "乙方：中共黑水县扎窝中心校总支部委员会" in text
    assert (
        "三、本协议有效时间暂定为一年，自2019年4月1日至2020年3月31日止，如需延长或续签协议，双方另行协商决定。" in text
    )
    assert "四、本协议一式四份，双方党组织各一份，彭州市教育局党办、黑水县教育局党办各留一份备案。" in text
    assert "结对基层党组织：\n中共彭州市清平小学支部委员会\n（盖章）" in text
    assert text.count("负责人签名：") == 2
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


def test_party_building_prints_blanks_when_the_term_has_no_dates(rendered: dict[str, Path]) -> None:
    text = _text(rendered["party_building_no_dates"])
    assert "暂定为一年，自____年____月____日至____年____月____日止" in text


QUANTITY = re.compile(r"\d+(?:—\d+)?(?:名|次|项|分|件|年)")


def foreign_quantities(text: str, seed: str) -> set[str]:
    """The quantities (``2名``, ``4次``, ``10分``, ``1—2件``) ``text`` prints that ``seed`` never writes (spaces in the
    seed ignored: ``1 项``; ``-`` and ``－`` read as ``—``)."""
    seed = seed.replace(" ", "").replace("-", "—").replace("－", "—")
    text = re.sub(r"\d{4}年\d{1,2}月\d{1,2}日|\d{4}—\d{4}年", "", text)  # dates are not quantities
    return {q for q in QUANTITY.findall(text) if q not in seed}


def test_no_program_prints_a_quantity_its_own_notice_does_not_give(rendered: dict[str, Path]) -> None:
    """Defect: 菏泽's agreement printed the 东莞 plan's figures. Every quantity an agreement prints (2名, 4次,
    10分, …) is written in its own program's seed."""
    seeds = {p.name[:3]: p.read_text(encoding="utf-8") for p in shared_path("seeds").glob("00*.txt")}
    seed_of = {
        "heze": "003",
        "dongguan": "004",
        "five_year_special": "001",
        "party_building_1to1": "000",
        "party_building_2to1": "000",
    }
    for key, seed in seed_of.items():
        text = _text(rendered[key])
        assert QUANTITY.search(text), key  # every one of these agreements prints some quantity
        assert foreign_quantities(text, seeds[seed]) == set(), key


def test_the_quantity_check_finds_another_programs_figures(rendered: dict[str, Path]) -> None:
    """The check above can fail: the 东莞 agreement measured against 菏泽's seed."""
    seed_003 = next(shared_path("seeds").glob("003*.txt")).read_text(encoding="utf-8")
    assert {"10分", "4次"} <= foreign_quantities(_text(rendered["dongguan"]), seed_003)


# --- item 6: preamble and term -------------------------------------------------------------------------


def test_preamble_cites_issuer_notice_title_and_document_number(rendered: dict[str, Path]) -> None:
    """Defect: the preamble cited the 文号 without the notice's title."""
    assert "根据彭州市教育局《关于进一步加强“校校结对工作”的通知》（彭教育人事发〔2019〕8号），" in _text(
        rendered["party_building_1to1"]
    )
    assert "根据山东省教育厅《关于开展中小学校结对帮扶工作的通知》（鲁教基函〔2016〕7号），" in _text(rendered["heze"])
    # a title inside the cited title takes 〈〉
    assert (
        "根据柳州市教育局《关于印发〈柳州市中小学（幼儿园）结对帮扶工作方案〉的通知》（柳教基〔2016〕68号），"
        in _text(rendered["five_year_special"])
    )
    # no 文号: the title alone
    assert "根据东莞市教育局《东莞市初中学校“1+1”结对帮扶行动计划实施方案》，" in _text(rendered["dongguan"])


def test_a_program_without_a_notice_title_cites_nothing(tmp_path: Path) -> None:
    text = (SAMPLES / "heze" / "program.yaml").read_text(encoding="utf-8")
    program = parse_program_yaml(text.replace("notice_title: 关于开展中小学校结对帮扶工作的通知\n", ""))
    rendered = _text(render_agreement(program, HEZE, "three_year", tmp_path / "t.docx"))
    assert "根据" not in rendered and "鲁教基函" not in rendered


def test_a_term_that_is_not_whole_years_prints_its_dates_and_no_length(rendered: dict[str, Path]) -> None:
    """Defect: 为期五年 beside 2016-09-01 – 2020-12-31 (4 years 4 months)."""
    text = _text(rendered["five_year_special"])
    assert "本协议自2016年9月1日起至2020年12月31日止。" in text
    assert "为期" not in text


def test_whole_years_counts_from_the_start_through_the_day_before_the_anniversary() -> None:
    from datetime import date

    assert whole_years(date(2019, 4, 1), date(2020, 3, 31)) == 1
    assert whole_years(date(2016, 9, 1), date(2019, 8, 31)) == 3
    assert whole_years(date(2016, 1, 1), date(2020, 12, 31)) == 5
    assert whole_years(date(2016, 9, 1), date(2020, 12, 31)) is None
    assert whole_years(date(2016, 9, 1), date(2020, 8, 31)) == 4
    assert whole_years(date(2016, 2, 29), date(2017, 2, 28)) == 1
    assert whole_years(date(2019, 4, 1), date(2019, 12, 31)) is None


def _program_text(term: str) -> str:
    return f"key: k\nname: n\nagreements:\n  - {{key: a, title: t, template: x.docx, term: {term}}}\n"


def test_a_length_that_contradicts_the_dates_is_refused_naming_the_key() -> None:
    with pytest.raises(ProgramError) as caught:
        parse_program_yaml(_program_text("{years: 5, start: 2016-09-01, end: 2020-12-31}"))
    message = str(caught.value)
    assert "agreements[0].term.years" in message and "为期5年" in message and "不是整年数" in message


def test_the_length_is_derived_from_the_dates_and_the_end_from_the_length() -> None:
    from datetime import date

    program = parse_program_yaml(_program_text("{start: 2016-09-01, end: 2019-08-31}"))
    assert program.agreements[0].term == Term(3, date(2016, 9, 1), date(2019, 8, 31))
    program = parse_program_yaml(_program_text("{years: 1, start: 2019-04-01}"))
    assert program.agreements[0].term == Term(1, date(2019, 4, 1), date(2020, 3, 31))
    program = parse_program_yaml(_program_text("{}"))
    assert program.agreements[0].term == Term(None)


def test_every_sample_term_is_consistent_with_its_dates() -> None:
    for path in sorted(SAMPLES.glob("*/program.yaml")):
        for kind in _program(path.parent.name).agreements:
            term = kind.term
            if term.start and term.end:
                assert term.years == whole_years(term.start, term.end), (path, kind.key)


# --- item 4: 双方 / 三方 by party count -------------------------------------------------------------------


def test_a_three_party_agreement_says_san_fang_never_shuang_fang(rendered: dict[str, Path]) -> None:
    """Defect: three-party agreements said 双方."""
    text = _text(rendered["party_building_2to1"])
    assert "双方" not in text
    assert "经结对三方协商" in text
    assert "三方另行协商决定" in text
    assert "四、本协议一式五份，三方党组织各一份" in text
    assert "甲方：中共彭州市西郊小学支部委员会、中共彭州市九尺镇小学支部委员会" in text
    # 黑水县芦花完全小学校's party organisation is named nowhere: a blank, never “黑水县芦花完全小学校党组织”
    assert f"乙方：{BLANK}" in text and "芦花完全小学校党组织" not in text
    for org in ("中共彭州市西郊小学支部委员会", "中共彭州市九尺镇小学支部委员会", BLANK):
        assert f"结对基层党组织：\n{org}\n（盖章）" in text
    assert text.count("负责人签名：") == 3


def test_four_parties_are_ge_fang(tmp_path: Path) -> None:
    group = PairGroup(1, (School("甲校"), School("乙校"), School("丙校")), (School("丁校"),))
    text = _text(render_agreement(_program("heze"), group, "three_year", tmp_path / "four.docx"))
    assert "经各方协商" in text and "双方" not in text and "三方" not in text
    assert text.count("（盖章）") == 4


# --- through LibreOffice -------------------------------------------------------------------------------


@pytest.mark.slow
@pytest.mark.skipif(shutil.which("soffice") is None, reason="LibreOffice (soffice) is not installed")
def test_in_the_pdf_seals_stand_side_by_side_on_the_page_of_the_closing_clause(
    rendered: dict[str, Path], tmp_path: Path
) -> None:
    import pdfplumber

    from docgen.render.pdf import FONTS_CONF

    sources = [rendered["party_building_2to1"], rendered["heze"]]
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
        env={"FONTCONFIG_FILE": str(FONTS_CONF), "PATH": "/usr/bin:/bin", "HOME": str(tmp_path)},
    )
    expected = {
        "pb_3": ("本协议一式五份", ["中共彭州市西郊", "彭州市九尺镇"]),
        "heze": ("本协议一式四份", ["济南市历下实验中学", "曹县第一中学"]),
    }
    for source in sources:
        closing, side_by_side = expected[source.stem]
        with pdfplumber.open(tmp_path / f"{source.stem}.pdf") as pdf:
            assert 2 <= len(pdf.pages) <= 4, source.name
            pages = [page.extract_text().replace(" ", "") for page in pdf.pages]
            (page_index,) = [i for i, text in enumerate(pages) if closing in text]
            page = pdf.pages[page_index]
            text = pages[page_index]
            assert text.count("（盖章）") >= 2, source.name
            assert all("（盖章）" not in other for i, other in enumerate(pages) if i != page_index), source.name
            lines = page.extract_text_lines()
            first, second = (page.search(name)[0] for name in side_by_side)
            assert abs(first["top"] - second["top"]) < 1, source.name  # one row: side by side
            assert second["x0"] - first["x0"] >= 42 / 25.4 * 72, source.name  # ≥ 42 mm apart
            # every signature blank is whole on its line
            for line in lines:
                if "签名：" in line["text"] or "签字：" in line["text"]:
                    assert line["text"].replace(" ", "").count("________") >= 1, (source.name, line["text"])


def test_unknown_party_terms_are_refused_naming_the_key() -> None:
    text = "key: k\nname: n\nparty_terms: {helper: 帮扶学校}\nagreements:\n  - {key: a, title: t, template: x.docx}\n"
    with pytest.raises(ProgramError) as caught:
        parse_program_yaml(text)
    assert "party_terms" in str(caught.value) and "helper" in str(caught.value)
