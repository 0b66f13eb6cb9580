"""Tables that are not ours stay as they are (issue 12 item 3): when a schema applies, and a generic table's
header, on grids and on the seed notices' tables read from Word (the PDF and the scan: test_seed_tables.py)."""

from __future__ import annotations

import pytest

from docgen.extraction import Extraction, FormStatus, InputKind, ReadDocument, Table, TextLine
from docgen.forms import load_schemas
from docgen.interpret import interpret
from docgen.tables import Entity, entity, generic_header, may_name, schema_mismatch
from extractors.docx import read_docx
from testkit.seed_tables import (
    COUNTIES,
    COUNTY_PAIRS,
    HEZE,
    HEZE_READ,
    HIGH_SCHOOL_PAIRS,
    HIGH_SCHOOLS,
    JIANSHI,
    LIUZHOU,
    SPECIAL_EDUCATION,
    SPECIAL_PAIRS,
    TRAINING_READ,
    SeedTable,
    notice_docx,
)
from tests.test_interpret import table

ARRANGEMENT = load_schemas()["arrangement"]
assert ARRANGEMENT.table is not None
ARRANGEMENT_TABLE = ARRANGEMENT.table

def texts(t: Table) -> tuple[tuple[str, ...], list[list[str]]]:
    """A table's columns and its rows as read."""
    return t.columns, [[v.raw for v in row] for row in t.rows]


def seed_read(seed: SeedTable, *lines: str) -> ReadDocument:
    """``seed`` as a reader gives it back: one table with the notice's merges, the notice's lines above it."""
    return ReadDocument("通知.docx", InputKind.DOCX, 1, (table(seed.rows, spans=dict(seed.merges)),),
                        tuple(TextLine(line) for line in lines))


def assert_liuzhou(e: Extraction) -> None:
    """The 柳州 notice (seed 001) read: its 高中 table is our 安排表 (it is where the form comes from); the
    县区 table and the 特殊教育 table stay as printed, after it in the notice's order."""
    assert e.form == "arrangement"
    schema, counties, special = e.tables
    assert schema.keys == ("supporting", "supporting_contact", "supported", "supported_contact")
    assert [[row[0].raw, row[2].raw] for row in schema.rows] == HIGH_SCHOOL_PAIRS
    assert all(row[1].raw == row[3].raw == "" for row in schema.rows)
    assert texts(counties) == COUNTY_PAIRS and counties.keys == ()
    assert texts(special) == SPECIAL_PAIRS and special.keys == ()


# --------------------------------------------------------------------------------------- the rule, pure


@pytest.mark.parametrize(("label", "kind"), [
    ("帮扶县区", Entity.AREA), ("受援县（区）", Entity.AREA), ("县市区", Entity.AREA),
    ("帮扶学校所在县区", Entity.AREA),
    ("帮扶学校", Entity.SCHOOL), ("学校名称", Entity.SCHOOL), ("帮扶幼儿园", Entity.SCHOOL),
    ("县级结对帮扶安排/帮扶学校", Entity.SCHOOL), ("校区", Entity.SCHOOL),
    ("联系人及电话", None), ("帮扶单位", None), ("学段", None), ("名称", None),
])
def test_what_a_header_names_is_its_last_word(label: str, kind: Entity | None) -> None:
    assert entity(label) is kind


def test_a_county_header_never_fills_a_school_column_whatever_the_synonyms_say() -> None:
    supporting, contact = ARRANGEMENT_TABLE.columns[0], ARRANGEMENT_TABLE.columns[1]
    assert not may_name("帮扶县区", supporting)
    assert not may_name("帮扶学校所在县区", supporting)
    assert may_name("帮扶学校名称", supporting) and may_name("帮扶单位", supporting)
    assert may_name("联系人", contact)
    assert schema_mismatch({0: "帮扶县区", 2: "受援学校"}, [], ARRANGEMENT_TABLE) \
        == "表头「帮扶县区」指县区，不是「帮扶学校」"


def test_a_third_school_column_makes_it_another_table_and_recognising_needs_every_required_column() -> None:
    assert schema_mismatch({0: "帮扶学校", 2: "受援学校"}, ["帮扶牵头指导学校"], ARRANGEMENT_TABLE) \
        == "表头「帮扶牵头指导学校」是表单没有的学校列"
    assert schema_mismatch({0: "帮扶学校", 2: "受援学校"}, ["学段", "序号"], ARRANGEMENT_TABLE) is None
    # a form known by its code or title: a missing column is a problem, not another table
    assert schema_mismatch({0: "帮扶学校"}, [], ARRANGEMENT_TABLE) is None
    assert schema_mismatch({0: "帮扶学校"}, [], ARRANGEMENT_TABLE, recognising=True) == "缺少「受援学校」"
    assert schema_mismatch({1: "联系人"}, ["帮扶县区"], ARRANGEMENT_TABLE) == "缺少「帮扶学校」、「受援学校」"


def test_no_bundled_schema_has_a_synonym_naming_another_thing_than_its_column() -> None:
    contradictions = [
        (schema.kind, column.label, synonym)
        for schema in load_schemas().values() if schema.table is not None
        for column in schema.table.columns for synonym in column.synonyms if not may_name(synonym, column)
    ]
    assert contradictions == []


def test_a_two_row_header_is_one_header_whose_columns_join_top_and_bottom() -> None:
    grid = table(SPECIAL_EDUCATION.rows, spans=dict(SPECIAL_EDUCATION.merges)).grid()
    header = generic_header(grid)
    assert header is not None and (header.first, header.last) == (0, 1)
    assert header.names == SPECIAL_PAIRS[0]
    assert [(c.c0, c.c1) for c in header.columns] == [(0, 0), (1, 1), (2, 2)]


def test_header_cells_merged_across_over_sub_headers_and_a_title_row_above() -> None:
    rows = [["2019年培训计划", "", "", ""], ["培训对象", "", "时间", ""], ["学段", "学科", "开始", "结束"],
            ["小学", "数学", "3月", "4月"]]
    header = generic_header(table(rows, spans={(0, 0): (1, 4), (1, 0): (1, 2), (1, 2): (1, 2)}).grid())
    assert header is not None and (header.first, header.last) == (1, 2)
    assert header.names == ("培训对象/学段", "培训对象/学科", "时间/开始", "时间/结束")


def test_a_label_merged_down_beside_key_value_rows_does_not_make_them_a_header() -> None:
    rows = [["援藏活动情况", "活动名称", "送教下乡"], ["", "活动时间", "2019年4月23日"], ["", "活动地点", "黑水县中学"]]
    header = generic_header(table(rows, spans={(0, 0): (3, 1)}).grid())
    assert header is not None and (header.first, header.last) == (0, 0)
    assert header.names == ("援藏活动情况", "活动名称", "送教下乡")


def test_a_header_merged_across_that_nothing_subdivides_is_one_column_read_together() -> None:
    rows = [["学校", "联系人及电话", ""], ["柳州高中", "韦一", "13812345678"]]
    e = interpret(ReadDocument("x.docx", InputKind.DOCX, 1, (table(rows, spans={(0, 1): (1, 2)}),)), {})
    (t,) = e.tables
    assert texts(t) == (("学校", "联系人及电话"), [["柳州高中", "韦一\n13812345678"]])


# ------------------------------------------------------------------------------- interpreting seed tables


def test_a_table_of_county_pairs_is_not_our_arrangement_form() -> None:
    e = interpret(seed_read(COUNTIES, COUNTIES.intro))
    assert e.form is None
    (t,) = e.tables
    assert texts(t) == COUNTY_PAIRS and t.keys == ()
    assert e.problems[0].message == "未能识别表单类型（无识别码、标题或表头可对应）；表格按原样输出"


def test_county_pairs_under_our_forms_title_are_not_its_table_and_get_no_contact_columns() -> None:
    e = interpret(seed_read(COUNTIES, "柳州市三级中小学结对帮扶安排表"))
    assert e.form == "arrangement"
    (t,) = e.tables
    assert texts(t) == COUNTY_PAIRS and t.keys == ()
    assert "未找到表格（表头与表单的列对不上）" in [p.message for p in e.problems]
    assert e.status is FormStatus.NEEDS_REVIEW


def test_county_pairs_with_contact_columns_are_not_our_table_though_their_contacts_match() -> None:
    rows = [("帮扶县区", "联系人", "受援县区", "联系人"), ("城中区", "韦一 13812345678", "融安县", "覃二 13912345678")]
    e = interpret(seed_read(SeedTable("", tuple(rows)), "结对帮扶安排表"))
    (t,) = e.tables
    assert texts(t) == (rows[0], [list(rows[1])]) and t.keys == ()


def test_a_table_beside_ours_on_the_same_page_is_its_own_table() -> None:
    ours = table(HIGH_SCHOOLS.rows[:3], page=1)
    beside = table([("市一中", "", "三江民族高中", ""), ("柳州高中", "", "融水中学", "")], page=1, number=2)
    e = interpret(ReadDocument("x.pdf", InputKind.PDF, 1, (ours, beside), (TextLine("普通高中结对帮扶安排表"),)))
    assert [[row[0].raw, row[2].raw] for row in e.tables[0].rows] == HIGH_SCHOOL_PAIRS[:2]
    assert texts(e.tables[1]) == (("市一中", "", "三江民族高中", ""), [["柳州高中", "", "融水中学", ""]])


def test_the_special_education_table_keeps_its_two_row_header_and_its_merged_lead_school() -> None:
    for lines in ((SPECIAL_EDUCATION.intro,), ("结对帮扶安排表",)):
        e = interpret(seed_read(SPECIAL_EDUCATION, *lines))
        (t,) = e.tables
        assert texts(t) == SPECIAL_PAIRS
        assert [row[0].where.ref for row in t.rows] == ["表1 第3行 第1列"] * 3  # one cell, repeated


def test_the_seed_notices_read_from_word_keep_their_tables_and_our_arrangement_table_its_schema() -> None:
    assert_liuzhou(interpret(read_docx(notice_docx(LIUZHOU), "柳州方案.docx")))
    e = interpret(read_docx(notice_docx(JIANSHI), "建始计划.docx"))
    assert e.form is None
    (t,) = e.tables
    assert texts(t) == TRAINING_READ
    assert t.rows[0][3].normalized == {"amount": 25, "unit": None, "approximate": False}  # 人数: a count
    e = interpret(read_docx(notice_docx(HEZE), "菏泽名单.docx"))
    (t,) = e.tables
    assert texts(t) == HEZE_READ
    assert [row[1].normalized for row in t.rows[2:4]] == ["曹县", "曹县"]


def test_our_high_school_arrangement_alone_still_matches_its_schema_completely() -> None:
    e = interpret(seed_read(HIGH_SCHOOLS, "普通高中结对帮扶安排表"))
    assert e.form == "arrangement"
    (t,) = e.tables
    assert [[row[0].raw, row[2].raw] for row in t.rows] == HIGH_SCHOOL_PAIRS
    # the notice prints the table alone: the returned form's 填报单位/填报日期 lines are absent, and every absent
    # field is a problem (issue 12) — nothing else is
    assert [(p.key, p.message) for p in e.problems] == [
        ("unit", "「填报单位」：未找到"), ("filled_on", "「填报日期」：未找到")]
