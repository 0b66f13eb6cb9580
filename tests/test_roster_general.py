"""Roster rules that hold for rosters in general, not for one file (docs/roster.md): the header grammar, sides
stated by the sheet's own text, summary tables, the prose wordings, number-first contact cells, placeholders
and the name warnings of ``docgen roster``. Every input here is written for the rule it tests."""

from __future__ import annotations

import io
import json
import shutil
from pathlib import Path

import pytest
from openpyxl import Workbook
from typer.testing import CliRunner

from cli.main import app
from docgen.model import Side, Stage
from docgen.roster.contacts import Person, parse_contacts
from docgen.roster.grid import Grid, Merge
from docgen.roster.headers import Role, classify, region_of, stated_side
from docgen.roster.importer import import_grids
from docgen.roster.notice import is_description, is_pairing_line, parse_pairing_line
from docgen.roster.result import ProblemKind, RosterImport
from docgen.school_names import is_placeholder, unfilled_reason
from extractors.roster import import_roster

SAMPLES = Path(__file__).resolve().parent.parent / "samples"
runner = CliRunner()


def pairs(result: RosterImport) -> list[tuple[list[str], list[str]]]:
    return [([s.name for s in g.supporting], [s.name for s in g.supported]) for g in result.roster.groups]


# ------------------------------------------------------------------------------------------ header grammar


@pytest.mark.parametrize(
    ("header", "role", "side"),
    [
        ("甲市帮扶学校", Role.SCHOOL, Side.SUPPORTING),  # region + side word + noun
        ("甲省乙市对口帮扶学校", Role.SCHOOL, Side.SUPPORTING),  # two units, 对口帮扶 (the longest side word)
        ("丙县受援学校", Role.SCHOOL, Side.SUPPORTED),
        ("丙县被帮扶学校名称", Role.SCHOOL, Side.SUPPORTED),  # 被帮扶 ends with 帮扶: the longest word wins
        ("派出学校", Role.SCHOOL, Side.SUPPORTING),
        ("接收学校", Role.SCHOOL, Side.SUPPORTED),
        ("接受帮扶单位", Role.SCHOOL, Side.SUPPORTED),
        ("帮扶幼儿园", Role.SCHOOL, Side.SUPPORTING),
        ("受援园", Role.SCHOOL, Side.SUPPORTED),
        ("甲市学校（帮扶）", Role.SCHOOL, Side.SUPPORTING),  # region + noun, the side in the note
        ("丙县学校（受援方）", Role.SCHOOL, Side.SUPPORTED),
        ("甲市结对学校", Role.NEUTRAL_SCHOOL, None),  # region only: the side comes from elsewhere
        ("丙县学校", Role.NEUTRAL_SCHOOL, None),
        ("帮扶对象", Role.SCHOOL, Side.SUPPORTED),  # the object of 帮扶 is the helped side
        ("援助对象", Role.SCHOOL, Side.SUPPORTED),
    ],
)
def test_a_school_header_is_region_side_word_and_school_noun(header: str, role: Role, side: Side | None) -> None:
    assert classify(header) == (role, side)


@pytest.mark.parametrize("header", ["填报单位", "帮扶学校（所）", "受援学校(个)", "联合学校", "学校类型"])
def test_headers_that_are_not_school_columns(header: str) -> None:
    # 填报单位: 填报 is no region; （所）/（个）: a count in a summary table; 联合 is no side word
    assert classify(header) is None


def test_a_lead_school_header_stays_the_lead_school() -> None:
    assert classify("牵头指导学校") == (Role.COORDINATOR, None)


def test_region_of_a_school_header() -> None:
    assert [region_of(h) for h in ("甲市结对学校", "丙县学校（受援）", "甲市", "帮扶学校", "联系人")] == [
        "甲市", "丙县", "甲市", "", ""
    ]  # fmt: skip


# -------------------------------------------------------------------------------- sides stated by the text


@pytest.mark.parametrize(
    ("text", "side"),
    [
        ("甲市学校为帮扶学校，丙县学校为受援学校", Side.SUPPORTING),
        ("丙县学校为受援学校", Side.SUPPORTING),  # the other region alone says it too
        ("甲市学校为被帮扶学校", Side.SUPPORTED),
        ("甲市对口支援丙县学校名单", Side.SUPPORTING),
        ("丙县教育局帮扶甲市学校", Side.SUPPORTED),  # the region named first helps
        ("甲市对丙县结对帮扶学校名单", Side.SUPPORTING),
        ("甲市受丙县帮扶学校名单", Side.SUPPORTED),
        ("甲市·丙县学校结对帮扶名单", None),  # names both, states no direction
        ("甲市与丙县学校结对帮扶", None),
        ("结对学校名单", None),
    ],
)
def test_the_side_a_sheet_states_for_two_regions(text: str, side: Side | None) -> None:
    assert stated_side([text], "甲市", "丙县") == side


def test_a_region_is_found_by_its_last_unit_with_or_without_its_ending() -> None:
    assert stated_side(["滨江学校为帮扶学校"], "杭州市滨江区", "恩施州建始县") is Side.SUPPORTING
    assert stated_side(["建始县学校为帮扶学校"], "杭州市滨江区", "恩施州建始县") is Side.SUPPORTED


def test_contradicting_statements_decide_nothing() -> None:
    assert stated_side(["甲市帮扶丙县", "丙县帮扶甲市"], "甲市", "丙县") is None


def _region_grid(title: str) -> Grid:
    rows = [[title, "", ""], ["序号", "丙县结对学校", "甲市结对学校"], ["1", "丙县第一小学", "甲市第二小学"]]
    return Grid("名单", rows, merges=[Merge(0, 0, 0, 2)])


def test_columns_named_by_region_take_their_sides_from_the_title() -> None:
    result = import_grids([_region_grid("甲市学校对口支援丙县学校名单")], source="名单.xlsx")
    assert pairs(result) == [(["甲市第二小学"], ["丙县第一小学"])]
    assert result.problems == ()
    assert [c.role for c in result.tables[0].columns] == ["serial", "supported.school", "supporting.school"]


def test_columns_named_by_region_take_their_sides_from_a_cover_sheet() -> None:
    wb = Workbook()
    cover = wb.active
    assert cover is not None
    cover.title = "填表说明"
    cover.append(["1．丙县学校为受援学校，请填写全称。"])
    sheet = wb.create_sheet("名单")
    sheet.append(["丙县结对学校", "联系人", "甲市结对学校", "联系人"])
    sheet.append(["丙县第一小学", "王五 13912345678", "甲市第二小学", "李四 13812345678"])
    out = io.BytesIO()
    wb.save(out)
    result = import_roster(out.getvalue(), "名单.xlsx")
    assert pairs(result) == [(["甲市第二小学"], ["丙县第一小学"])]
    helper = result.roster.groups[0].supporting[0]
    assert (helper.contact, helper.phone) == ("李四", "13812345678")  # the contact column flips with its school


def test_a_band_over_a_two_row_header_names_the_region() -> None:
    rows = [["甲市帮扶丙县学校名单", "", "", ""], ["丙县", "", "甲市", ""],
            ["学校名称", "联系人", "学校名称", "联系人"], ["丙县第一小学", "王五", "甲市第二小学", "李四"]]  # fmt: skip
    grid = Grid("名单", rows, merges=[Merge(0, 0, 0, 3), Merge(1, 0, 1, 1), Merge(1, 2, 1, 3)])
    result = import_grids([grid], source="名单.xlsx")
    assert pairs(result) == [(["甲市第二小学"], ["丙县第一小学"])]
    assert result.problems == ()


def test_unstated_sides_import_left_as_supporting_and_ask_the_clerk_to_check() -> None:
    result = import_grids([_region_grid("结对学校名单")], source="名单.xlsx")
    assert pairs(result) == [(["丙县第一小学"], ["甲市第二小学"])]  # imported, not refused
    (problem,) = result.problems
    assert (problem.kind, problem.is_error, problem.row, problem.value) == (
        ProblemKind.CHECK_MAPPING, False, 2, "“丙县结对学校”为支援学校、“甲市结对学校”为受援学校"
    )  # fmt: skip
    assert problem.message.startswith("表头没有写明哪一方是支援学校：已按“丙县结对学校”为支援学校")
    fixed = import_grids([_region_grid("结对学校名单")], source="名单.xlsx",
                         overrides={"名单": {1: "supported.school", 2: "supporting.school"}})  # fmt: skip
    assert pairs(fixed) == [(["甲市第二小学"], ["丙县第一小学"])]


def test_a_summary_table_counting_schools_is_not_a_roster() -> None:
    grid = Grid("汇总", [["县区", "帮扶学校（所）", "受援学校（所）"], ["丙县", "5", "6"], ["合计", "5", "6"]])
    result = import_grids([grid], source="名单.xlsx")
    assert (result.roster.groups, result.problems) == ((), ())
    assert [t.used for t in result.tables] == [False]


# ------------------------------------------------------------------------------------- tables as clerks make


def test_a_word_table_with_a_title_row_section_rows_and_its_header_typed_again() -> None:
    rows = [["甲市·丙县学校结对名单", "", ""], ["序号", "甲市学校（帮扶）", "丙县学校（受援）"], ["一、小学", "", ""],
            ["1", "甲市第一小学", "丙县第一小学"], ["序号", "甲市学校（帮扶）", "丙县学校（受援）"],
            ["二、初中", "", ""], ["2", "甲市第一中学", "丙县第一中学"]]  # fmt: skip
    grid = Grid("表1", rows, merges=[Merge(0, 0, 0, 2), Merge(2, 0, 2, 2), Merge(5, 0, 5, 2)], word_table=1)
    result = import_grids([grid], source="名单.docx")
    assert pairs(result) == [(["甲市第一小学"], ["丙县第一小学"]), (["甲市第一中学"], ["丙县第一中学"])]
    assert [g.stages for g in result.roster.groups] == [(Stage.COMPULSORY,), (Stage.COMPULSORY,)]
    assert result.problems == ()


# ---------------------------------------------------------------------------------------------- notice prose


@pytest.mark.parametrize(
    "line",
    [
        "1．甲市第一小学对口帮扶丙县第二小学；",
        "（2）由甲市第一小学帮扶丙县第二小学。",
        "甲市第一小学结对帮扶丙县第二小学",
        "甲市第一小学 支援 丙县第二小学",
        "3、甲市第一小学——丙县第二小学",
        "甲市第一小学—丙县第二小学",
        "第4组：甲市第一小学→丙县第二小学",
        "①甲市第一小学与丙县第二小学结对（帮扶）；",
        "甲市第一小学与丙县第二小学结成帮扶对子。",
    ],
)
def test_pairing_lines_in_the_wordings_notices_use(line: str) -> None:
    assert parse_pairing_line(line) == (("甲市第一小学",), ("丙县第二小学",))


def test_a_verb_line_lists_several_schools_with_prefix_inheritance() -> None:
    assert parse_pairing_line("甲市实验小学对口帮扶丙县一小、二小；") == (("甲市实验小学",), ("丙县一小", "丙县二小"))


@pytest.mark.parametrize(
    "line",
    [
        "（一）帮扶学校每学期到受援学校开展一次专题讲座。",
        "（二）甲市结对学校与丙县结对学校每月互通一次工作情况，结对帮扶工作纳入考评。",
        "各结对学校要帮扶受援学校提高教学质量",
        "二、帮扶内容",
        "组织本校优秀教师到结对学校支教",
        "一、成立主校与教学点结对帮扶",
    ],
)
def test_body_text_with_pairing_words_is_neither_a_pair_nor_reported(line: str) -> None:
    assert parse_pairing_line(line) is None
    assert not is_pairing_line(line)


def test_descriptions_are_not_school_names() -> None:
    assert [is_description(n) for n in ("教学点", "主校", "结对学校", "薄弱学校", "丙县第二小学", "市一中")] == [
        True, True, True, True, False, False
    ]  # fmt: skip


def test_a_notice_in_verb_wording_imports_and_its_body_gives_nothing() -> None:
    text = "\n".join(["甲市·丙县学校结对帮扶安排", "一、结对学校", "1．甲市第一小学对口帮扶丙县第一小学；",
                      "2．甲市第一中学——丙县第一中学", "二、工作要求",
                      "帮扶学校每学期到受援学校送教一次。"])  # fmt: skip
    result = import_roster(text.encode(), "通知.txt")
    assert pairs(result) == [(["甲市第一小学"], ["丙县第一小学"]), (["甲市第一中学"], ["丙县第一中学"])]
    assert result.problems == ()


# ---------------------------------------------------------------------------------------------- contacts

WANG, LI = Person("王五", "", ("13912345678",)), Person("李四", "", ("13812345678",))


@pytest.mark.parametrize(
    ("text", "people"),
    [
        ("13912345678 王五", [Person("王五", "", ("13912345678",))]),
        ("13912345678 王五、13812345678 李四", [WANG, LI]),
        ("0771-2345678\n13912345678\n王五（副校长）", [Person("王五", "副校长", ("0771-2345678", "13912345678"))]),
        ("13912345678（王五）", [Person("王五", "", ("13912345678",))]),
        ("副校长 王五 13912345678", [Person("王五", "副校长", ("13912345678",))]),
        ("王五 13912345678、李四 13812345678", [WANG, LI]),
        ("13912345678", [Person("", "", ("13912345678",))]),
    ],
)
def test_contact_cells_number_first_or_name_first(text: str, people: list[Person]) -> None:
    assert list(parse_contacts(text)) == people


def test_a_number_first_cell_of_two_people_gives_each_school_its_own() -> None:
    grid = Grid("名单", [["支援学校", "支援学校联系人", "受援学校"],
                         ["甲市第一小学", "13912345678 王五", "丙县第一小学、丙县第二小学"],
                         ["甲市第二小学、甲市第三小学", "13912345678 王五、13812345678 李四",
                          "丙县第三小学"]])  # fmt: skip
    result = import_grids([grid], source="名单.xlsx")
    schools = [(s.name, s.contact, s.phone) for g in result.roster.groups for s in g.supporting]
    assert schools == [("甲市第一小学", "王五", "13912345678"), ("甲市第二小学", "王五", "13912345678"),
                       ("甲市第三小学", "李四", "13812345678")]  # fmt: skip
    assert result.problems == ()


# -------------------------------------------------------------------------------------------- placeholders


@pytest.mark.parametrize(
    "name", ["XX中学", "xxx镇小学", "ｘｘ小学", "**学校", "某某小学", "某小学", "____", "＿＿小学", "—", "乙县？？小学"]
)
def test_every_common_placeholder_shape_drops_its_row(name: str) -> None:
    assert is_placeholder(name) and unfilled_reason(name)
    grid = Grid("名单", [["支援学校", "受援学校"], [name, "丙县第一小学"], ["甲市第一小学", "丙县第二小学"]])
    result = import_grids([grid], source="名单.xlsx")
    assert pairs(result) == [(["甲市第一小学"], ["丙县第二小学"])]
    assert [(p.row, p.kind) for p in result.problems] == [(2, ProblemKind.PLACEHOLDER)]


def test_a_school_still_to_be_decided_imports_and_is_a_placeholder_for_the_documents() -> None:
    name = "甲市帮扶初中（待定）"
    assert is_placeholder(name) and not unfilled_reason(name)  # documents: draft; the importer: a real pair
    grid = Grid("名单", [["支援学校", "受援学校"], [name, "丙县第一中学"]])
    result = import_grids([grid], source="名单.xlsx")
    assert pairs(result) == [([name], ["丙县第一中学"])]
    assert result.problems == ()


def test_real_names_are_not_placeholders() -> None:
    names = ("甲市第一小学", "丙县实验学校（初中部）", "甲市第十一中学", "丙县乡村小学")
    assert not any(is_placeholder(n) for n in names)


# --------------------------------------------------------------------------------------------------- the CLI


def test_docgen_roster_lists_names_the_programs_table_does_not_resolve(tmp_path: Path) -> None:
    folder = tmp_path / "program"
    shutil.copytree(SAMPLES / "liuzhou_high_schools", folder)
    (folder / "schools.csv").write_text("全称,简称,党组织名称\n柳州市第一中学,市一中,\n", encoding="utf-8-sig")
    roster = folder / "名单.csv"
    roster.write_text("帮扶学校,受援学校\n市一中,融水中学\n市二中,柳州市融水苗族自治县第二中学\n", encoding="utf-8")
    result = runner.invoke(app, ["roster", str(roster), "--json"])
    assert result.exit_code == 0, result.output  # a name warning is not a problem of the file's rows
    out = json.loads(result.stdout)
    assert list(out) == ["groups", "errors", "warnings", "tables"]
    assert len(out["groups"]) == 2
    assert [(w["kind"], w["value"]) for w in out["warnings"]] == [
        ("abbreviated", "融水中学"), ("abbreviated", "市二中")
    ]  # fmt: skip

    elsewhere = tmp_path / "名单.csv"
    shutil.copy(roster, elsewhere)  # no program beside it: no table resolves 市一中
    alone = json.loads(runner.invoke(app, ["roster", str(elsewhere), "--json"]).stdout)
    assert {w["value"] for w in alone["warnings"]} == {"市一中", "融水中学", "市二中"}
    given = json.loads(runner.invoke(app, ["roster", str(elsewhere), "--json", "--program",
                                           str(folder / "program.yaml")]).stdout)  # fmt: skip
    assert {w["value"] for w in given["warnings"]} == {"融水中学", "市二中"}


@pytest.mark.parametrize(("band", "side"), [("甲市（帮扶）", Side.SUPPORTING), ("丙县受援", Side.SUPPORTED),
                                            ("帮扶方", Side.SUPPORTING), ("甲市", None)])  # fmt: skip
def test_the_band_over_a_two_row_header_gives_its_side(band: str, side: Side | None) -> None:
    from docgen.roster.headers import band_side

    assert band_side(band) == side


def test_a_two_row_header_whose_bands_give_the_sides_in_notes() -> None:
    rows = [["丙县（受援）", "", "甲市（帮扶）", ""], ["学校名称", "联系人", "学校名称", "联系人"],
            ["丙县第一小学", "王五", "甲市第二小学", "李四"]]  # fmt: skip
    grid = Grid("名单", rows, merges=[Merge(0, 0, 0, 1), Merge(0, 2, 0, 3)])
    result = import_grids([grid], source="名单.xlsx")
    assert pairs(result) == [(["甲市第二小学"], ["丙县第一小学"])]
    assert result.problems == ()
    assert result.tables[0].header_rows == (1, 2)
