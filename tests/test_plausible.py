"""Values read surely but implausible on their form are reviewed (issue 12: no wrong value unflagged)."""

from __future__ import annotations

from datetime import date

from docgen.extraction import FormStatus, InputKind
from docgen.forms import load_schemas
from docgen.forms.schema import ValueType
from docgen.interpret import interpret
from docgen.plausible import FormContext, doubts
from tests.test_interpret import STATS_HEADER, STATS_LINES, document, messages, stats_row, table

REPLY_TITLE = "联络员和分管领导回执"
REPLY_HEAD = "学校：彭州市西郊小学    填报日期：2019年3月15日"


def reply(liaison: list[str], leader: list[str], head: str = REPLY_HEAD):  # type: ignore[no-untyped-def]
    rows = [["", "姓名", "职务", "联系电话"], ["联络员", *liaison], ["分管领导", *leader]]
    return interpret(document(table(rows), lines=[REPLY_TITLE, head]))


def test_a_plausible_reply_slip_stays_complete() -> None:
    e = reply(["泽旺拉姆", "教导主任", "13812345678"], ["李 四", "副校长", "0837-6822345"])
    assert e.status is FormStatus.COMPLETE, messages(e)


def test_one_cell_read_as_two_fields_is_reviewed() -> None:
    # the 职务 cell holds the word 职务: taken for a label, 职务 took the phone beside it — every score 1.0
    e = reply(["张三", "职务", "13812345678"], ["李四", "副校长", "0837-6822345"])
    for key in ("liaison_title", "liaison_phone"):
        assert "shared_source" in e.fields[key].flags and e.fields[key].confidence < 0.9
    assert e.fields["leader_title"].flags == ()
    assert e.status is FormStatus.NEEDS_REVIEW
    assert "「联络员职务」：同一处文字被读作多个栏目的值" in messages(e)


def test_a_header_merged_into_a_table_value_is_reviewed() -> None:
    # a photo where the ruling under 活动名称 faded: the header's words run into the first row's value
    rows = [STATS_HEADER, stats_row(1, activity="活动名称教研活动"), stats_row(2)]
    e = interpret(document(table(rows), lines=STATS_LINES))
    first, second = e.tables[0].rows
    activity = e.tables[0].columns.index("活动名称")
    assert "value_is_label" in first[activity].flags and first[activity].confidence < 0.9
    assert second[activity].flags == ()
    assert e.status is FormStatus.NEEDS_REVIEW
    assert "第1行「活动名称」：内容像是表格标签" in messages(e)


def test_a_header_merged_into_a_value_is_reviewed() -> None:
    schema = load_schemas()["activity_stats"]
    form = FormContext.of(schema, 2019)
    assert "value_is_label" in doubts(ValueType.TEXT, "活动名称教研活动", "活动名称教研活动", form)
    assert doubts(ValueType.TEXT, "教研活动", "教研活动", form) == ()
    assert doubts(ValueType.SCHOOL, "彭州市帮扶学校（待定）", "彭州市帮扶学校（待定）", form) == ()


def test_a_school_or_name_starting_with_a_short_label_is_reviewed() -> None:
    # a photo where the ruling under the 回执's header row hid under the seal: 姓名 ran into 王青措, and the
    # school field, its own label misread, took that cell at 0.99
    schema = load_schemas()["liaison_reply"]
    form = FormContext.of(schema, 2019)
    assert "value_is_label" in doubts(ValueType.SCHOOL, "姓名王青措", "姓名王青措", form)
    assert "value_is_label" in doubts(ValueType.NAME, "职务王青措", "职务王青措", form)
    assert doubts(ValueType.SCHOOL, "黑水县色尔古寄宿制小学校", "黑水县色尔古寄宿制小学校", form) == ()
    assert doubts(ValueType.NAME, "王青措", "王青措", form) == ()
    # a free text may start with a short label: 学校操场 as a 活动地点 (学校 names 填报单位 on the 统计表)
    stats = FormContext.of(load_schemas()["activity_stats"], 2019)
    assert doubts(ValueType.TEXT, "学校操场", "学校操场", stats) == ()
    assert "value_is_label" in doubts(ValueType.SCHOOL, "学校操场", "学校操场", stats)


def test_a_name_cut_to_one_character_is_reviewed() -> None:
    e = reply(["泽", "教导主任", "13812345678"], ["李四", "副校长", "0837-6822345"])
    assert "name_too_short" in e.fields["liaison_name"].flags
    assert e.status is FormStatus.NEEDS_REVIEW
    form = FormContext()
    assert doubts(ValueType.NAME, "张三、李", "张三、李", form) == ("name_too_short",)
    assert doubts(ValueType.NAME, "李 云", "李云", form) == ()  # one name spaced out, not two


def test_a_date_years_away_from_the_filing_is_reviewed() -> None:
    # 2019 misread as 2016 in the table, the filing date says 2019
    rows = [["", "姓名", "职务", "联系电话"], ["联络员", "张三", "教导主任", "13812345678"],
            ["分管领导", "李四", "副校长", "0837-6822345"]]
    e = interpret(document(table(rows), lines=[REPLY_TITLE, "学校：彭州市西郊小学    填报日期：2016年3月15日"],),
                  context_year=2019)
    assert e.fields["filled_on"].normalized == date(2016, 3, 15)
    assert "year_out_of_period" in e.fields["filled_on"].flags
    assert e.status is FormStatus.NEEDS_REVIEW
    form = FormContext(year=2019)
    assert doubts(ValueType.DATE, "2018年12月3日", date(2018, 12, 3), form) == ()  # a school year spans two
    assert doubts(ValueType.DATE, "2019.3.1—2021.3.1",
                  {"start": date(2019, 3, 1), "end": date(2021, 3, 1)}, form) == ("year_out_of_period",)


def test_a_value_holding_the_title_or_the_identity_code_is_reviewed() -> None:
    # a page turned 270° whose text lines ran together: 学校 swallowed the title and the printed code
    head = "学校：黑水县晴朗乡中心小学    联络员和分管领导回执    DG1:pz:p12:liaison_reply:1"
    rows = [["", "姓名", "职务", "联系电话"], ["联络员", "张三", "教导主任", "13812345678"],
            ["分管领导", "李四", "副校长", "0837-6822345"]]
    e = interpret(document(table(rows), lines=[head, "填报日期：2019年3月15日"]))
    assert e.form == "liaison_reply"
    school = e.fields["school"]
    assert "holds_printed_text" in school.flags and school.confidence < 0.9, school
    assert e.status is FormStatus.NEEDS_REVIEW
    form = FormContext.of(load_schemas()["liaison_reply"], 2019, ["请于3月20日前报人事科"])
    assert doubts(ValueType.TEXT, "同意。请于3月20日前报人事科", None, form) == ("holds_printed_text",)
    assert doubts(ValueType.SCHOOL, "黑水县晴朗乡中心小学", None, form) == ()


def test_a_landline_with_a_digit_dropped_is_no_phone() -> None:
    from docgen.values import normalize_phone

    assert normalize_phone("0837-6822345").normalized == "08376822345"
    assert normalize_phone("010-62345678").normalized == "01062345678"
    assert normalize_phone("0772-28159450").normalized == "077228159450"
    for dropped in ("0837-682234", "010-6234567", "028-8765432"):  # 4+6, 3+7, 3+7
        assert "invalid_phone" in normalize_phone(dropped).flags, dropped


def test_a_row_number_off_the_count_is_reviewed() -> None:
    from docgen.plausible import sequence_doubts

    # 序号 1 read as 7: every character sure, the count of the other rows says otherwise
    rows = [STATS_HEADER, stats_row(7), stats_row(2), stats_row(3)]
    e = interpret(document(table(rows), lines=STATS_LINES))
    serial = e.tables[0].columns.index("序号")
    flags = [row[serial].flags for row in e.tables[0].rows]
    assert flags == [("out_of_sequence",), (), ()]
    assert "第1行「序号」：序号与前后行不连续" in messages(e)
    assert sequence_doubts(["1", "2", "3", "4"]) == {}
    assert sequence_doubts(["3", "4", "5"]) == {}  # a continued table counts on from its first page
    assert sequence_doubts(["1", "2", "4", "5"]) == {}  # no majority: a row deleted and not renumbered
    assert sequence_doubts(["1", "7"]) == {}  # too few to tell
    assert sequence_doubts(["1", "2", "", "9", "5"]) == {2: ("sequence_gap", 3), 3: ("out_of_sequence", 4)}
    assert sequence_doubts(["", "", "", "1"]) == {}  # one number: no count to keep


def test_a_filled_row_without_its_number_gets_the_counted_one_for_review() -> None:
    # a grey scan: the 5 of row 5 in strokes too faint to read, the row's other cells read surely
    rows = [STATS_HEADER, *(stats_row(n) for n in range(1, 5)), ["", *stats_row(5)[1:]], stats_row(6)]
    e = interpret(document(table(rows), lines=STATS_LINES, kind=InputKind.SCAN))
    serial = e.tables[0].columns.index("序号")
    fifth = e.tables[0].rows[4][serial]
    # the number the count puts there is proposed, never sure: a reviewer confirms it
    assert fifth.raw == "5" and fifth.normalized == 5 and "sequence_gap" in fifth.flags and fifth.confidence < 0.9
    assert all(row[serial].flags == () for k, row in enumerate(e.tables[0].rows) if k != 4)
    assert e.status is FormStatus.NEEDS_REVIEW
    assert "第5行「序号」：序号未识别到，已按其他行的编号推定" in messages(e)
