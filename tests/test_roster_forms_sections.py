"""Roster rules for three kinds of file clerks circulate (docs/roster.md): an online form's export (one row per
submission, the respondent's own school and its partner), section blocks (``帮扶学校：X`` over the rows X
helps), and school names that differ only by bracket width, a stamp note or a full stop. Every input here is
written for the rule it tests (甲市/丙县 are made-up places)."""

from __future__ import annotations

import pytest

from docgen.model import Side, pair_key, school_key
from docgen.roster.grid import Grid, Merge
from docgen.roster.headers import Role, classify, respondent_side
from docgen.roster.importer import import_grids, section_row
from docgen.roster.names import clean_name
from docgen.roster.result import ProblemKind, RosterImport


def pairs(result: RosterImport) -> list[tuple[list[str], list[str]]]:
    return [([s.name for s in g.supporting], [s.name for s in g.supported]) for g in result.roster.groups]


def kinds(result: RosterImport) -> list[tuple[int | None, ProblemKind]]:
    return [(p.row, p.kind) for p in result.problems]


# ------------------------------------------------------------------------------------------- online forms

FORM_HEADER = ["序号", "提交时间", "提交者", "来源", "来自IP", "1、您所在的学校", "2、结对学校名称", "3、联系人姓名",
               "4、职务", "5、手机号"]  # fmt: skip


def _form(title: str, *answers: tuple[str, str, str, str, str]) -> Grid:
    rows = [[title] + [""] * 9, FORM_HEADER]
    for n, (own, partner, person, title_, phone) in enumerate(answers, start=1):
        meta = [str(n), f"2020/03/0{n} 10:00", "微信用户", "手机", "10.0.0.1"]
        rows.append([*meta, own, partner, person, title_, phone])
    return Grid("收集结果", rows, merges=[Merge(0, 0, 0, 9)] if title else [])


@pytest.mark.parametrize(
    ("text", "side"),
    [
        ("甲市结对信息登记（由甲市各帮扶学校填写）", Side.SUPPORTING),
        ("请支援学校于3月1日前填报", Side.SUPPORTING),
        ("丙县结对信息收集表（请被帮扶学校填写）", Side.SUPPORTED),
        ("结对学校联络员（受援学校填报）", Side.SUPPORTED),
        ("甲市丙县结对帮扶学校名单", None),  # names the program, says nothing of who fills it in
    ],
)
def test_who_fills_a_form_in_is_read_from_its_title(text: str, side: Side | None) -> None:
    assert respondent_side([text]) is side


def test_contradicting_form_titles_decide_nothing() -> None:
    assert respondent_side(["请帮扶学校填写", "请受援学校填写"]) is None


@pytest.mark.parametrize("header", ["1、您所在的学校", "您所在学校", "本校名称", "Q3. 所在学校"])
def test_a_form_question_for_the_respondents_school(header: str) -> None:
    assert classify(header) == (Role.OWN_SCHOOL, None)


def test_a_form_filled_by_helping_schools() -> None:
    grid = _form("甲市结对帮扶学校联络员登记（由甲市各帮扶学校填写）",
                 ("甲市第一小学", "丙县第二小学", "王一", "副校长", "13812345678"),
                 ("甲市第三中学", "丙县第四中学", "李二", "教务主任", "13912345678"),
                 ("甲市第一小学", "丙县第二小学", "王一", "副校长", "13812345678"))  # fmt: skip
    result = import_grids([grid], source="问卷.xlsx")
    assert pairs(result) == [(["甲市第一小学"], ["丙县第二小学"]), (["甲市第三中学"], ["丙县第四中学"])]
    helper = result.roster.groups[0].supporting[0]
    assert (helper.contact, helper.phone, helper.title) == ("王一", "13812345678", "副校长")  # the respondent's
    assert result.roster.groups[0].supported[0].contact == ""
    assert kinds(result) == [(5, ProblemKind.DUPLICATE)]  # the second submission of one pair
    roles = {c.header: c.role for c in result.tables[0].columns}
    assert roles["提交时间"] == roles["提交者"] == roles["来自IP"] == "extra"
    assert (roles["1、您所在的学校"], roles["2、结对学校名称"]) == ("supporting.school", "supported.school")


def test_a_form_filled_by_helped_schools() -> None:
    answer = ("丙县第二小学", "甲市第一小学", "赵三", "校长", "13712345678")
    grid = _form("丙县结对信息收集表（请被帮扶学校填写）", answer)
    result = import_grids([grid], source="收集表.xlsx")
    assert pairs(result) == [(["甲市第一小学"], ["丙县第二小学"])]
    helped = result.roster.groups[0].supported[0]
    assert (helped.contact, helped.phone, helped.title) == ("赵三", "13712345678", "校长")
    assert result.problems == ()


def test_a_form_whose_title_says_nothing_imports_by_position_and_asks_the_clerk() -> None:
    result = import_grids([_form("", ("丙县第二小学", "甲市第一小学", "赵三", "校长", "13712345678"))],
                          source="收集表.xlsx")  # fmt: skip
    assert pairs(result) == [(["丙县第二小学"], ["甲市第一小学"])]  # imported, not refused
    (problem,) = result.problems
    assert (problem.kind, problem.is_error, problem.value) == (
        ProblemKind.CHECK_MAPPING, False, "“1、您所在的学校”为支援学校、“2、结对学校名称”为受援学校"
    )  # fmt: skip
    fixed = import_grids([_form("", ("丙县第二小学", "甲市第一小学", "赵三", "校长", "13712345678"))],
                         source="收集表.xlsx", overrides={"收集结果": {5: "supported.school", 6: "supporting.school"}})
    assert pairs(fixed) == [(["甲市第一小学"], ["丙县第二小学"])]


# ----------------------------------------------------------------------------------------- section blocks


@pytest.mark.parametrize(
    ("cells", "found"),
    [
        (["帮扶学校：甲市实验幼儿园", "", ""], (Side.SUPPORTING, "甲市实验幼儿园")),
        (["支援学校:甲市第一小学"], (Side.SUPPORTING, "甲市第一小学")),
        (["甲市第一小学（帮扶）", "甲市第一小学（帮扶）"], (Side.SUPPORTING, "甲市第一小学")),  # merged across
        (["受援学校：丙县第二小学"], (Side.SUPPORTED, "丙县第二小学")),
        (["填报单位：甲市教育局"], None),
        (["联系人：王一"], None),
        (["甲市第一小学", "丙县第二小学"], None),
        (["帮扶学校："], None),
    ],
)
def test_a_section_row_names_one_side_and_its_school(cells: list[str], found: tuple[Side, str] | None) -> None:
    assert section_row(cells) == found


def test_section_blocks_are_one_group_each() -> None:
    rows = [["甲市学前教育结对帮扶安排（一对多）", "", "", ""],
            ["序号", "受援幼儿园", "园长", "联系电话"],
            ["帮扶学校：甲市实验幼儿园", "", "", ""],
            ["1", "丙县东镇幼儿园", "王一", "13812345678"],
            ["2", "丙县西镇幼儿园", "李二", "13912345678"],
            ["", "", "", ""],
            ["甲市第二幼儿园（帮扶）", "", "", ""],
            ["1", "丙县南镇幼儿园", "赵三", "13712345678"],
            ["注：每所帮扶园负责本组受援园", "", "", ""]]  # fmt: skip
    grid = Grid("县乡", rows, merges=[Merge(0, 0, 0, 3), Merge(2, 0, 2, 3), Merge(6, 0, 6, 3), Merge(8, 0, 8, 3)])
    result = import_grids([grid], source="分段.xlsx")
    assert pairs(result) == [(["甲市实验幼儿园"], ["丙县东镇幼儿园", "丙县西镇幼儿园"]),
                             (["甲市第二幼儿园"], ["丙县南镇幼儿园"])]  # fmt: skip
    first = result.roster.groups[0]
    assert [(s.contact, s.phone) for s in first.supported] == [("王一", "13812345678"), ("李二", "13912345678")]
    assert first.source == "分段.xlsx:4"
    assert [p.kind for p in result.problems] == [ProblemKind.IGNORED]  # the 注 footer, nothing else
    assert [c.role for c in result.tables[0].columns][-1] == "supporting.school"  # the section's column


def test_section_blocks_of_the_helped_side_with_the_header_under_the_first_one() -> None:
    rows = [["受援学校：丙县第二小学", ""], ["学校名称", "联系人"], ["甲市第一小学", "王一"], ["甲市第三小学", "李二"],
            ["受援学校：丙县第四小学", ""], ["学校名称", "联系人"], ["甲市第五小学", "赵三"]]  # fmt: skip
    result = import_grids([Grid("名单", rows)], source="分段.xlsx")
    assert pairs(result) == [(["甲市第一小学", "甲市第三小学"], ["丙县第二小学"]), (["甲市第五小学"], ["丙县第四小学"])]
    assert result.roster.groups[0].supporting[1].contact == "李二"
    assert result.problems == ()


def test_a_table_with_both_school_columns_is_not_read_as_section_blocks() -> None:
    rows = [["支援学校", "受援学校"], ["帮扶学校：甲市第一小学", ""], ["甲市第一小学", "丙县第二小学"]]
    result = import_grids([Grid("名单", rows)], source="名单.xlsx")
    assert pairs(result) == [(["甲市第一小学"], ["丙县第二小学"])]


# ------------------------------------------------------------------------------------------- name identity


@pytest.mark.parametrize(
    ("written", "kept"),
    [
        ("甲市第一中学(初中部)", "甲市第一中学（初中部）"),  # half-width brackets written full width
        ("甲市第一中学（初中部）", "甲市第一中学（初中部）"),
        ("丙县第二中学。", "丙县第二中学"),  # sentence punctuation
        ("丙县第二中学（盖章）", "丙县第二中学"),  # the template's "stamp here"
        ("丙县第二中学(公章)。", "丙县第二中学"),
        ("丙县第二中学（东校区）", "丙县第二中学（东校区）"),  # a real part of the name stays
        ("丙县(A1)中学", "丙县(A1)中学"),  # brackets around no Chinese note stay as typed
    ],
)
def test_a_name_is_kept_as_chinese_writes_it(written: str, kept: str) -> None:
    assert clean_name(written) == kept


def test_bracket_width_is_one_school_for_keys() -> None:
    assert school_key("甲市第一中学(初中部)") == school_key("甲市第一中学（初中部）")
    half = pair_key(["甲市第一中学(初中部)"], ["丙县第二中学"])
    assert half == pair_key(["甲市第一中学（初中部）"], ["丙县第二中学"])


def test_a_pair_differing_only_by_bracket_width_is_a_duplicate() -> None:
    rows = [["支援学校", "受援学校", "受援学校联系电话"],
            ["甲市第一中学（初中部）", "丙县第二中学", "13812345678"],
            ["甲市第五中学", "丙县第六中学（盖章）", "13912345678"],
            ["甲市第一中学(初中部)", "丙县第二中学。", "13812345678"]]  # fmt: skip
    result = import_grids([Grid("名单", rows)], source="名单.xlsx")
    assert pairs(result) == [(["甲市第一中学（初中部）"], ["丙县第二中学"]), (["甲市第五中学"], ["丙县第六中学"])]
    assert kinds(result) == [(4, ProblemKind.DUPLICATE)]


def test_a_stamp_row_below_the_table_is_still_a_footer() -> None:
    rows = [["支援学校", "受援学校"], ["甲市第一小学", "丙县第二小学"], ["填报学校（盖章）", "填报学校（盖章）"]]
    result = import_grids([Grid("名单", rows, merges=[Merge(2, 0, 2, 1)])], source="名单.xlsx")
    assert pairs(result) == [(["甲市第一小学"], ["丙县第二小学"])]
    assert [p.kind for p in result.problems] == [ProblemKind.IGNORED]
