"""Roster import: names, cells, prose, spreadsheets, the samples, and every validation error."""

from __future__ import annotations

import dataclasses
import io
from collections.abc import Sequence
from pathlib import Path

import pytest
from openpyxl import Workbook

from docgen.errors import RosterError, RosterErrors
from docgen.model import Level, PairGroup, School, Side, Stage
from docgen.roster import (
    HEADERS,
    admin_prefix,
    infer_stage,
    inherit_prefix,
    is_phone,
    parse_level,
    parse_notice_text,
    parse_roster_rows,
    parse_stage,
    read_roster,
)
from docgen.roster.contacts import Person, parse_contacts
from docgen.roster.headers import Role, classify
from extractors.roster import import_roster
from testkit.shared import shared_path

ROOT = Path(__file__).resolve().parent.parent
SAMPLES = ROOT / "samples"

PENGZHOU_PAIRS = [
    (["成都石室白马中学"], ["黑水县中学"]),
    (["彭州市隆丰镇初级中学"], ["黑水县初级中学"]),
    (["彭州市西郊小学", "彭州市九尺镇小学"], ["黑水县芦花完全小学校"]),
    (["彭州市清平小学"], ["黑水县扎窝中心校"]),
    (["彭州市濛阳七一竹瓦九年制学校"], ["黑水县七一维古小学"]),
    (["彭州市丽春镇小学"], ["黑水县知木林寄宿制小学校"]),
    (["彭州市通济镇蓝天小学"], ["黑水县红岩寄宿制小学校"]),
    (["彭州市升平镇博爱小学"], ["黑水县色尔古寄宿制小学校"]),
    (["彭州市军乐镇小学"], ["黑水县沙石多中心小学"]),
    (["彭州市致和镇小学"], ["黑水县木苏乡中心小学"]),
    (["彭州市利安小学"], ["黑水县木卡龙中心小学"]),
    (["彭州市隆丰镇小学"], ["黑水县晴朗乡中心小学"]),
    (["彭州市濛阳小学"], ["黑水县石碉楼小学"]),
    (["彭州市机关幼儿园"], ["黑水县城关幼儿园"]),
]

LIUZHOU_HIGH_PAIRS = [
    ("柳州高中", "融水中学"),
    ("柳铁一中", "三江高中"),
    ("市一中", "三江民族高中"),
    ("市二中", "融水民族高中"),
    ("市铁二中", "柳城实验高中"),
    ("市三中", "柳江实验高中"),
    ("钢一中", "融安二中"),
    ("市民族高中", "鹿寨中学"),
    ("市六中", "柳城中学"),
    ("市九中", "鹿寨实验高中"),
    ("柳江中学", "融安高中"),
]


def pairs(groups: Sequence[PairGroup]) -> list[tuple[list[str], list[str]]]:
    return [([s.name for s in g.supporting], [s.name for s in g.supported]) for g in groups]


def xlsx(rows: Sequence[Sequence[object]]) -> bytes:
    wb = Workbook()
    ws = wb.active
    assert ws is not None
    for row in rows:
        ws.append(list(row))
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()


def csv_bytes(lines: Sequence[str], encoding: str = "utf-8") -> bytes:
    return ("\n".join(lines) + "\n").encode(encoding)


def errors_of(excinfo: pytest.ExceptionInfo[RosterErrors]) -> list[RosterError]:
    return excinfo.value.errors


# --- names ------------------------------------------------------------------------------------------------


def test_a_later_name_without_prefix_inherits_the_first_names_prefix() -> None:
    assert inherit_prefix(["彭州市西郊小学", "九尺镇小学"]) == ("彭州市西郊小学", "彭州市九尺镇小学")


def test_a_name_with_its_own_prefix_is_not_prefixed_twice() -> None:
    assert inherit_prefix(["彭州市西郊小学", "彭州市隆丰镇小学", "黑水县中学"]) == (
        "彭州市西郊小学",
        "彭州市隆丰镇小学",
        "黑水县中学",
    )


def test_a_first_name_without_prefix_passes_nothing_on() -> None:
    assert inherit_prefix(["成都石室白马中学", "九尺镇小学"]) == ("成都石室白马中学", "九尺镇小学")
    assert inherit_prefix(["黑水县芦花完全小学校", "扎窝中心校"]) == (
        "黑水县芦花完全小学校",
        "黑水县扎窝中心校",
    )
    assert inherit_prefix([]) == ()


@pytest.mark.parametrize(
    ("name", "prefix"),
    [
        ("彭州市西郊小学", "彭州市"),
        ("黑水县芦花完全小学校", "黑水县"),
        ("成都石室白马中学", ""),
        ("九尺镇小学", ""),
        ("曹县第一中学", "曹县"),
        ("牡丹区第二十二中学", "牡丹区"),
        ("开发区广州路中学", "开发区"),
        ("四川省阿坝藏族羌族自治州黑水县中学", "四川省阿坝藏族羌族自治州黑水县"),
        ("广西壮族自治区柳州市特殊教育学校", "广西壮族自治区柳州市"),
        ("彭州市城区小学", "彭州市"),
        ("金沙社区小学", ""),
        ("柳州高中", ""),
        ("市一中", ""),
    ],
)
def test_admin_prefix(name: str, prefix: str) -> None:
    assert admin_prefix(name) == prefix


@pytest.mark.parametrize(
    ("name", "stage"),
    [
        ("彭州市机关幼儿园", Stage.PRESCHOOL),
        ("彭州市西郊小学", Stage.COMPULSORY),
        ("彭州市隆丰镇初级中学", Stage.COMPULSORY),
        ("彭州市濛阳七一竹瓦九年制学校", Stage.COMPULSORY),
        ("柳州市特殊教育学校", Stage.SPECIAL),
        ("三江民族高中", Stage.HIGH_SCHOOL),
        ("巨野县高级中学", Stage.HIGH_SCHOOL),
        ("黑水县中学", None),
        ("成都石室白马中学", None),
        ("黑水县扎窝中心校", None),
        ("彭州市实验小学附属幼儿园", None),
    ],
)
def test_stage_is_inferred_only_when_the_name_is_unambiguous(name: str, stage: Stage | None) -> None:
    assert infer_stage(name) == stage


# --- cell values ------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "stage"),
    [
        ("幼儿园", Stage.PRESCHOOL),
        ("学前", Stage.PRESCHOOL),
        ("学前教育", Stage.PRESCHOOL),
        ("小学", Stage.COMPULSORY),
        ("初中", Stage.COMPULSORY),
        ("九年制", Stage.COMPULSORY),
        ("义务教育", Stage.COMPULSORY),
        ("高中", Stage.HIGH_SCHOOL),
        ("普高", Stage.HIGH_SCHOOL),
        (" 普通高中 ", Stage.HIGH_SCHOOL),
        ("特教", Stage.SPECIAL),
        ("特殊教育", Stage.SPECIAL),
        ("大学", None),
    ],
)
def test_parse_stage(text: str, stage: Stage | None) -> None:
    assert parse_stage(text) == stage


@pytest.mark.parametrize(
    ("text", "level"),
    [
        ("市–县", Level.CITY_COUNTY),
        ("市-县", Level.CITY_COUNTY),
        ("市—县", Level.CITY_COUNTY),
        ("市县", Level.CITY_COUNTY),
        ("“市—县”级", Level.CITY_COUNTY),
        ("县－乡", Level.COUNTY_TOWN),
        ("乡—村", Level.TOWN_VILLAGE),
        ("省—市", None),
    ],
)
def test_parse_level(text: str, level: Level | None) -> None:
    assert parse_level(text) == level


@pytest.mark.parametrize(
    "text",
    [
        "13812345678",
        "138 1234 5678",
        "138-1234-5678",
        "0531-81916516",
        "053181916516",
        "(0772)2815945",
        "2815945",
        "0772-2815945转8021",
        "0772-2815945-8021",
        "+8613812345678",
    ],
)
def test_valid_phone_numbers(text: str) -> None:
    assert is_phone(text)


@pytest.mark.parametrize("text", ["1381234567", "12812345678", "138123456789", "12345", "电话", "0531-123"])
def test_malformed_phone_numbers(text: str) -> None:
    assert not is_phone(text)


def test_a_combined_contact_cell_splits_into_name_and_phone() -> None:
    assert parse_contacts("张三 13812345678") == (Person("张三", "", ("13812345678",)),)
    assert parse_contacts("张三：0772-2815945") == (Person("张三", "", ("0772-2815945",)),)
    assert parse_contacts("张三") == (Person("张三"),)
    assert parse_contacts("") == ()


def test_headers_match_ignoring_spaces_and_width() -> None:
    assert classify("支 援 学 校") == (Role.SCHOOL, Side.SUPPORTING)
    assert classify("受援学校联系人：") == classify("受援学校联系人") == (Role.CONTACT, Side.SUPPORTED)
    assert classify("学段（小学/初中）") == (Role.STAGE, None)
    assert classify("学段(小学/初中)") == (Role.STAGE, None)
    assert classify("联系人及电话") == (Role.CONTACT, None)
    assert classify("备注") is None
    assert "帮扶学校" in HEADERS["支援学校"] and "乙方" in HEADERS["受援学校"]


# --- notice prose -----------------------------------------------------------------------------------------


def test_the_whole_seed_notice_gives_exactly_the_fourteen_groups() -> None:
    seed = next(shared_path("seeds").glob("000_*.txt"), None)
    assert seed is not None, "shared/seeds has no 000_*.txt (the 彭州·黑水 notice)"
    roster = read_roster(seed.read_bytes(), seed.name)
    assert pairs(roster.groups) == PENGZHOU_PAIRS
    third = roster.groups[2]
    assert third.number == 3
    assert third.source == f"{seed.name}:21"
    assert [s.stage for s in third.schools] == [Stage.COMPULSORY] * 3


def test_notice_sample_gives_the_fourteen_groups_numbered_from_one() -> None:
    roster = read_roster((SAMPLES / "pengzhou_heishui" / "roster.txt").read_bytes(), "roster.txt")
    assert pairs(roster.groups) == PENGZHOU_PAIRS
    assert [g.number for g in roster.groups] == list(range(1, 15))
    assert roster.groups[0].source == "roster.txt:1"
    assert roster.groups[0].effective_stage is None  # 成都石室白马中学 / 黑水县中学: plain 中学
    assert roster.groups[13].effective_stage is Stage.PRESCHOOL


def test_prose_grammar_variants() -> None:
    text = "\n".join(
        [
            "调整后的结对学校名单如下：",
            "1.甲县第一小学与乙县第一小学结对；",
            "（2）甲县第二小学、第三小学与乙县第二小学结对帮扶。",
            "3、甲县第四小学与乙县第三小学、乙县第四小学结对;",
            "(4) 甲县第五小学与乙县第五小学结对",
            "（五）甲县第六小学与乙县第六小学结对帮扶；",
            "各结对学校要确定一名联络员。",
            "为完善黑水与彭州学校共享优质教育资源的机制，就结对工作通知如下。",
        ]
    )
    roster = parse_notice_text(text, source="n.txt")
    assert pairs(roster.groups) == [
        (["甲县第一小学"], ["乙县第一小学"]),
        (["甲县第二小学", "甲县第三小学"], ["乙县第二小学"]),
        (["甲县第四小学"], ["乙县第三小学", "乙县第四小学"]),
        (["甲县第五小学"], ["乙县第五小学"]),
        (["甲县第六小学"], ["乙县第六小学"]),
    ]
    assert [g.source for g in roster.groups] == ["n.txt:2", "n.txt:3", "n.txt:4", "n.txt:5", "n.txt:6"]


def test_an_unreadable_pairing_line_is_an_error_with_its_line_number() -> None:
    text = "甲县第一小学与乙县第一小学结对；\n甲县第二小学，乙县第二小学与丙县小学结对；\n"
    with pytest.raises(RosterErrors) as excinfo:
        parse_notice_text(text, source="n.txt")
    [error] = errors_of(excinfo)
    assert (error.source, error.row, error.field) == ("n.txt", 2, "结对句")
    assert error.value == "甲县第二小学，乙县第二小学与丙县小学结对；"
    assert "n.txt 第2行 “结对句”：无法识别的结对句" in str(excinfo.value)


def test_text_without_pairing_lines_is_an_error() -> None:
    with pytest.raises(RosterError, match="没有任何结对"):
        read_roster("各中小学：\n现通知如下。\n".encode(), "notice.txt")


# --- the samples ------------------------------------------------------------------------------------------


def _without_source(groups: Sequence[PairGroup]) -> list[PairGroup]:
    return [dataclasses.replace(g, source="") for g in groups]


def test_pengzhou_txt_and_xlsx_samples_give_identical_groups() -> None:
    folder = SAMPLES / "pengzhou_heishui"
    from_txt = read_roster((folder / "roster.txt").read_bytes(), "roster.txt")
    from_xlsx = read_roster((folder / "roster.xlsx").read_bytes(), "roster.xlsx")
    assert _without_source(from_txt.groups) == _without_source(from_xlsx.groups)
    assert from_xlsx.groups[0].source == "roster.xlsx:4"  # title, blank row, header, then data
    assert from_xlsx.groups[2].supporting == (
        School("彭州市西郊小学", stage=Stage.COMPULSORY),
        School("彭州市九尺镇小学", stage=Stage.COMPULSORY),
    )


def test_liuzhou_high_school_sample_has_eleven_city_county_pairs() -> None:
    roster = read_roster((SAMPLES / "liuzhou_high_schools" / "roster.csv").read_bytes(), "roster.csv")
    assert [(g.supporting[0].name, g.supported[0].name) for g in roster.groups] == LIUZHOU_HIGH_PAIRS
    assert {(g.level, g.stage) for g in roster.groups} == {(Level.CITY_COUNTY, Stage.HIGH_SCHOOL)}
    assert all(s.contact == "" and s.phone == "" for g in roster.groups for s in g.schools)
    assert roster.groups[10].source == "roster.csv:12"


def test_dongguan_sample_has_three_one_plus_one_pairs_of_junior_high_schools() -> None:
    roster = read_roster((SAMPLES / "dongguan_1plus1" / "roster.csv").read_bytes(), "roster.csv")
    assert pairs(roster.groups) == [
        (["东莞市莞城实验初级中学"], ["东莞市谢岗镇第二初级中学"]),
        (["东莞市南城阳光初级中学"], ["东莞市洪梅镇第二初级中学"]),
        (["东莞市东城实验初级中学"], ["东莞市麻涌镇第三初级中学"]),
    ]
    assert {g.stage for g in roster.groups} == {Stage.COMPULSORY}
    assert all(s.contact == "" and s.phone == "" for g in roster.groups for s in g.schools)
    assert [g.source for g in roster.groups] == ["roster.csv:2", "roster.csv:3", "roster.csv:4"]


def test_jianshi_sample_has_28_numbered_placeholder_pairs() -> None:
    """Seed 002 pairs 28 滨江区 schools with 28 建始县 schools without naming one: 28 numbered placeholders."""
    roster = read_roster((SAMPLES / "jianshi_binjiang" / "roster.csv").read_bytes(), "roster.csv")
    assert pairs(roster.groups) == [
        ([f"滨江区第{i:02d}号结对学校"], [f"建始县第{i:02d}号结对学校"]) for i in range(1, 29)
    ]
    assert {(s.region, s.contact, s.phone) for g in roster.groups for s in g.supporting} == {("杭州市滨江区", "", "")}
    assert {(s.region, s.contact, s.phone) for g in roster.groups for s in g.supported} == {("建始县", "", "")}
    assert roster.groups[27].source == "roster.csv:29"


def test_special_education_sample_names_the_coordinator_of_every_pair() -> None:
    roster = read_roster((SAMPLES / "liuzhou_special_education" / "roster.xlsx").read_bytes(), "roster.xlsx")
    assert pairs(roster.groups) == [
        (["柳江县特殊教育学校"], ["融安县特殊教育学校"]),
        (["鹿寨县特殊教育学校"], ["柳城县特殊教育学校"]),
        (["融水县特殊教育学校"], ["三江县特殊教育学校"]),
    ]
    assert [g.coordinator for g in roster.groups] == ["柳州市特殊教育学校"] * 3
    assert {(g.level, g.stage) for g in roster.groups} == {(Level.CITY_COUNTY, Stage.SPECIAL)}
    assert [g.source for g in roster.groups] == ["roster.xlsx:4", "roster.xlsx:5", "roster.xlsx:6"]


def test_heze_sample_has_21_supported_schools_with_phones_and_one_group_of_two() -> None:
    roster = read_roster((SAMPLES / "heze" / "roster.xlsx").read_bytes(), "roster.xlsx")
    supported = [s for g in roster.groups for s in g.supported]
    assert len(supported) == 21 and len(roster.groups) == 20
    assert all(is_phone(s.phone) and s.contact for s in supported)
    [jinan] = [g for g in roster.groups if len(g.supported) == 2]
    assert jinan.number == 1
    assert jinan.supporting == (School("济南市帮扶初中（待定）", region="济南市", stage=Stage.COMPULSORY),)
    assert jinan.supported == (
        School("牡丹区第二十二中学", "牡丹区", Stage.COMPULSORY, contact="李爱华", phone="15965809758"),
        School("高新区吕陵镇初级中学", "高新区", Stage.COMPULSORY, contact="杨冠旗", phone="13406001040"),
    )
    caoxian = roster.groups[2]
    assert caoxian.supported == (
        School("曹县第一中学", "曹县", Stage.HIGH_SCHOOL, contact="赵广雷", phone="15865105666"),
    )
    assert caoxian.stage is Stage.HIGH_SCHOOL
    names = {s.name: s for s in supported}
    assert names["成武县实验中学"].contact == "李云"  # “李 云” in the notice's justified table
    assert names["巨野县高级中学"].stage is Stage.COMPULSORY  # the 学段 column wins over the name
    helpers = [g.supporting[0].name for g in roster.groups]
    assert helpers.count("济南市帮扶高中（待定）") == 1 and "莱芜市帮扶初中（待定）" in helpers
    assert "莱芜市帮扶高中（待定）" not in helpers


# --- tabular layout ---------------------------------------------------------------------------------------


def test_header_may_be_below_a_title_row() -> None:
    data = xlsx(
        [
            ["某县结对帮扶安排表"],
            [],
            ["帮扶学校", "被帮扶学校", "学段"],
            ["甲县第一小学", "乙县第一小学", "小学"],
        ]
    )
    roster = read_roster(data, "安排表.xlsx")
    assert pairs(roster.groups) == [(["甲县第一小学"], ["乙县第一小学"])]
    assert roster.groups[0].source == "安排表.xlsx:4"
    assert roster.groups[0].stage is Stage.COMPULSORY


def test_gbk_csv_is_read() -> None:
    data = csv_bytes(["结对安排表,,", "支援学校,受援学校,层级", "甲市第一中学,乙县第一中学,市-县"], "gbk")
    roster = read_roster(data, "roster.csv")
    assert pairs(roster.groups) == [(["甲市第一中学"], ["乙县第一中学"])]
    assert roster.groups[0].level is Level.CITY_COUNTY
    assert roster.groups[0].source == "roster.csv:3"


def test_a_plain_column_belongs_to_the_school_column_on_its_left() -> None:
    data = csv_bytes(
        [
            "帮扶学校,联系人及电话,受援学校,联系人及电话,党组织名称",
            "甲市第一中学,张三 13812345678,乙县第一中学,李四 0772-2815945,乙县第一中学党支部",
        ]
    )
    [group] = read_roster(data, "r.csv").groups
    assert group.supporting == (School("甲市第一中学", contact="张三", phone="13812345678"),)
    assert group.supported == (
        School("乙县第一中学", party_org="乙县第一中学党支部", contact="李四", phone="0772-2815945"),
    )


def test_a_plain_column_left_of_every_school_belongs_to_the_first_school_column() -> None:
    data = csv_bytes(["县市区,受援学校,支援学校", "曹 县,曹县第一中学,济南市帮扶高中（待定）"])
    [group] = read_roster(data, "r.csv").groups
    assert group.supported[0].region == "曹县" and group.supporting[0].region == ""


def test_several_schools_in_one_cell_with_one_value_each() -> None:
    data = csv_bytes(
        [
            "支援学校,支援学校联系人,支援学校联系电话,受援学校",
            '"彭州市西郊小学、九尺镇小学",王一、王二,13812345678、13912345678,黑水县芦花完全小学校',
        ]
    )
    [group] = read_roster(data, "r.csv").groups
    assert [(s.name, s.contact, s.phone) for s in group.supporting] == [
        ("彭州市西郊小学", "王一", "13812345678"),
        ("彭州市九尺镇小学", "王二", "13912345678"),
    ]


def test_rows_with_the_same_group_number_form_one_group() -> None:
    data = csv_bytes(
        [
            "组号,支援学校,受援学校",
            "1,甲市第一中学,乙县第一中学",
            "2,甲市第二中学,乙县第二中学",
            "1,甲市第一中学,乙县第三中学",
        ]
    )
    roster = read_roster(data, "r.csv")
    assert pairs(roster.groups) == [
        (["甲市第一中学"], ["乙县第一中学", "乙县第三中学"]),
        (["甲市第二中学"], ["乙县第二中学"]),
    ]


def test_xlsx_numbers_and_blank_rows() -> None:
    data = xlsx(
        [
            ["支援学校", "受援学校", "受援学校联系电话"],
            [],
            ["甲市第一中学", "乙县第一中学", 13812345678],
            [None],
        ]
    )
    [group] = read_roster(data, "r.xlsx").groups
    assert group.supported[0].phone == "13812345678"
    assert group.source == "r.xlsx:3"


def test_a_tab_separated_txt_is_read_as_a_table() -> None:
    data = "甲方\t乙方\n甲市第一中学\t乙县第一中学\n".encode()
    assert pairs(read_roster(data, "paste.txt").groups) == [(["甲市第一中学"], ["乙县第一中学"])]


def test_parse_roster_rows_accepts_rows_directly() -> None:
    roster = parse_roster_rows(
        [["支援学校", "受援学校"], ["甲市第一中学", "乙县第一中学"]], source="mem", first_row=5
    )
    assert roster.groups[0].source == "mem:6" and roster.source == "mem"


# --- validation errors ------------------------------------------------------------------------------------


def test_a_duplicate_pair_names_both_rows() -> None:
    data = csv_bytes(
        [
            "支援学校,受援学校",
            "甲市第一中学,乙县第一中学",
            "甲市第二中学,乙县第二中学",
            "甲市第一中学,乙县第一中学",
        ]
    )
    with pytest.raises(RosterErrors) as excinfo:
        read_roster(data, "r.csv")
    [error] = errors_of(excinfo)
    assert (error.source, error.row, error.field, error.value) == ("r.csv", 4, "受援学校", "乙县第一中学")
    assert str(error) == (
        "r.csv 第4行 “受援学校”：结对重复：第2行和第4行都是“甲市第一中学”支援“乙县第一中学”"
        "（值：'乙县第一中学'）"
    )


def test_a_school_on_both_sides_is_an_error() -> None:
    data = csv_bytes(["帮扶学校,被帮扶学校", "甲市第一中学,甲市第一中学"])
    with pytest.raises(RosterErrors) as excinfo:
        read_roster(data, "r.csv")
    [error] = errors_of(excinfo)
    assert (error.row, error.field, error.value) == (2, "被帮扶学校", "甲市第一中学")
    assert "既是支援学校又是受援学校" in error.message


def test_an_empty_school_name_is_an_error() -> None:
    data = csv_bytes(["支援学校,受援学校,学段", "甲市第一中学,,初中"])
    with pytest.raises(RosterErrors) as excinfo:
        read_roster(data, "r.csv")
    [error] = errors_of(excinfo)
    assert (error.row, error.field, error.value) == (2, "受援学校", "")
    assert str(error) == "r.csv 第2行 “受援学校”：受援学校为空（值：''）"


def test_a_malformed_phone_is_an_error_naming_the_bad_number() -> None:
    data = csv_bytes(
        ["支援学校,受援学校,受援学校联系电话", "甲市第一中学,乙县第一中学,13812345678/1381234567"]
    )
    with pytest.raises(RosterErrors) as excinfo:
        read_roster(data, "r.csv")
    [error] = errors_of(excinfo)
    assert (error.row, error.field, error.value) == (2, "受援学校联系电话", "13812345678/1381234567")
    assert "“1381234567”不是手机号或固定电话" in error.message


def test_several_valid_numbers_in_one_cell_are_fine() -> None:
    data = csv_bytes(
        ["支援学校,受援学校,联系电话", "甲市第一中学,乙县第一中学,13812345678、0772-2815945/2815945"]
    )
    [group] = read_roster(data, "r.csv").groups
    assert group.supported[0].phone == "13812345678、0772-2815945/2815945"


def test_unknown_stage_and_level_are_errors() -> None:
    data = csv_bytes(["支援学校,受援学校,学段,结对层级", "甲市第一中学,乙县第一中学,大学,省-市"])
    with pytest.raises(RosterErrors) as excinfo:
        read_roster(data, "r.csv")
    stage, level = errors_of(excinfo)
    assert (stage.row, stage.field, stage.value) == (2, "学段", "大学")
    assert stage.message.startswith("未知学段")
    assert (level.row, level.field, level.value) == (2, "结对层级", "省-市")
    assert level.message.startswith("未知层级")


def test_every_row_error_is_reported_at_once() -> None:
    data = csv_bytes(
        [
            "支援学校,受援学校,学段,受援学校联系电话",
            "甲市第一中学,乙县第一中学,初中,12345",
            "甲市第二中学,,初中,",
            "甲市第三中学,乙县第三中学,研究生,",
            "甲市第一中学,乙县第一中学,初中,",
        ]
    )
    with pytest.raises(RosterErrors) as excinfo:
        read_roster(data, "r.csv")
    assert [(e.row, e.field) for e in errors_of(excinfo)] == [
        (2, "受援学校联系电话"),
        (3, "受援学校"),
        (4, "学段"),
        (5, "受援学校"),
    ]
    assert str(excinfo.value).startswith("花名册有 4 处错误，未导入：")


def test_rows_of_one_group_must_agree() -> None:
    data = csv_bytes(
        [
            "组号,支援学校,受援学校,学段",
            "1,甲市第一中学,乙县第一中学,初中",
            "1,甲市第一中学,乙县第二中学,高中",
        ]
    )
    with pytest.raises(RosterErrors) as excinfo:
        read_roster(data, "r.csv")
    [error] = errors_of(excinfo)
    assert (error.row, error.field, error.value) == (3, "学段", "普通高中")
    assert "与同组第2行不一致" in error.message


def test_a_count_mismatch_between_schools_and_contacts_is_an_error() -> None:
    data = csv_bytes(
        ["支援学校,支援学校联系人,受援学校", '"甲市第一中学、第二中学",王一、王二、王三,乙县第一中学']
    )
    with pytest.raises(RosterErrors) as excinfo:
        read_roster(data, "r.csv")
    [error] = errors_of(excinfo)
    assert (error.row, error.field, error.value) == (2, "支援学校联系人", "王一、王二、王三")


def test_an_unrecognised_header_names_what_was_found_and_what_is_expected() -> None:
    data = csv_bytes(["序号,县市区,学段,学校名称", "1,牡丹区,初中,牡丹区第二十二中学"])
    with pytest.raises(RosterError) as excinfo:
        read_roster(data, "list.csv")
    message = str(excinfo.value)
    assert message.startswith("list.csv：无法识别表头")
    assert excinfo.value.value == "序号｜县市区｜学段｜学校名称"
    assert message.endswith("找到的第一行见“值”（值：'序号｜县市区｜学段｜学校名称'）")
    assert "“支援学校”（或 帮扶学校、甲方）和“受援学校”（或 被帮扶学校、乙方）" in message


def test_a_repeated_header_reads_the_first_column_and_shows_the_second_as_extra() -> None:
    # Issue 9 replaced the refusal ("表头重复"): the preview shows the mapping and the clerk may change it.
    data = csv_bytes(["支援学校,受援学校,学段,学段", "甲市第一中学,乙县第一中学,初中,高中"])
    assert read_roster(data, "r.csv").groups[0].stages == (Stage.COMPULSORY,)
    result = import_roster(data, "r.csv")
    assert [c.role for c in result.tables[0].columns] == ["supporting.school", "supported.school", "stage", "extra"]


@pytest.mark.parametrize(
    ("data", "name", "message"),
    [
        (b"", "r.csv", "r.csv：文件为空"),
        (b"  \n\n", "r.txt", "r.txt：文件为空"),
        (xlsx([]), "r.xlsx", "r.xlsx：文件为空：工作表中没有任何内容"),
        (csv_bytes(["支援学校,受援学校", ",,"]), "r.csv", "r.csv：没有任何结对"),
    ],
)
def test_an_empty_file_is_an_error(data: bytes, name: str, message: str) -> None:
    with pytest.raises(RosterError) as excinfo:
        read_roster(data, name)
    assert str(excinfo.value).startswith(message)


def test_a_corrupt_xlsx_is_an_error_naming_the_file() -> None:
    data = xlsx([["支援学校", "受援学校"]])
    with pytest.raises(RosterError, match=r"^坏的\.xlsx：不是有效的 xlsx 文件") as excinfo:
        read_roster(data[: len(data) // 2], "坏的.xlsx")
    assert excinfo.value.source == "坏的.xlsx"
    with pytest.raises(RosterError, match="不是有效的 xlsx 文件"):
        read_roster("支援学校,受援学校".encode(), "roster.xlsx")
    with pytest.raises(RosterError, match=r"旧版 \.xls"):
        read_roster(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 100, "old.xls")


def test_the_first_worksheet_with_a_header_is_read() -> None:
    wb = Workbook()
    notes = wb.active
    assert notes is not None
    notes.title = "填表说明"
    notes.append(["请在“结对名单”表中填写"])
    pairs_sheet = wb.create_sheet("结对名单")
    pairs_sheet.append(["甲方", "乙方"])
    pairs_sheet.append(["甲市第一中学", "乙县第一中学"])
    out = io.BytesIO()
    wb.save(out)
    roster = read_roster(out.getvalue(), "r.xlsx")
    assert pairs(roster.groups) == [(["甲市第一中学"], ["乙县第一中学"])]


def test_a_pair_key_is_its_schools_whatever_their_order_width_or_spacing() -> None:
    from docgen.model import pair_key

    key = pair_key(["彭州市西郊小学", "九尺镇小学"], ["黑水县芦花完全小学校"])
    assert pair_key(["九尺镇小学", " 彭州市西郊 小学"], ["黑水县芦花完全小学校"]) == key
    assert pair_key(["西郊小学"], ["芦花小学（一）"]) == pair_key(["西郊小学"], ["芦花小学(一)"])  # full/half width
    assert pair_key(["西郊小学"], ["芦花小学"]) != pair_key(["西郊小学"], ["芦花小学", "红岩小学"])
    assert pair_key(["黑水县芦花完全小学校"], ["彭州市西郊小学", "九尺镇小学"]) != key  # the sides matter
    assert len(key) == 32 and PairGroup(3, (School("甲"),), (School("乙"),)).key == pair_key(["甲"], ["乙"])


def test_a_label_belongs_to_its_pair_and_moves_with_it() -> None:
    from docgen.model import owns_label, relabel

    assert all(owns_label("05", x) for x in ("05", "05-2", "05.1", "05-2.1"))
    assert not any(owns_label("05", x) for x in ("050", "15", "0", "06.5"))
    assert [relabel(x, "05", "06") for x in ("05", "05-2", "05.1", "050", "07")] == ["06", "06-2", "06.1", "050", "07"]
