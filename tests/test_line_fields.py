"""Forms written without a table: ``标签：值`` lines (several per line), labels above their values, values running
onto the next line, OCR boxes of one row, vertical key–value tables — read into exact records, every gap a problem.

Hand-built ReadDocuments: the lines every reader gives (docx paragraphs, PDF text lines, OCR boxes), so the
rules are tested apart from any reader (tests/test_line_layouts.py reads real files).
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date

import pytest

from docgen.extraction import Cell, Extraction, FormStatus, InputKind, Provenance, ReadDocument, ReadTable, TextLine
from docgen.forms import load_schemas
from docgen.forms.schema import ValueType
from docgen.interpret import interpret
from docgen.line_fields import visual_rows

REPLY_TITLE = "联络员和分管领导回执"


def lines_doc(*lines: str | TextLine, kind: InputKind = InputKind.DOCX) -> ReadDocument:
    text = tuple(line if isinstance(line, TextLine) else TextLine(line) for line in lines)
    return ReadDocument("returned.docx", kind, 1, (), text)


def record(e: Extraction) -> dict[str, str]:
    """The fields as read (raw text), by key."""
    return {key: v.raw for key, v in e.fields.items()}


def problems(e: Extraction) -> list[tuple[str | None, str]]:
    return [(p.key, p.message) for p in e.problems]


# ------------------------------------------------------------------------------------ label：value lines


def test_several_labels_on_one_line_each_get_their_own_value() -> None:
    e = interpret(lines_doc(
        REPLY_TITLE,
        "学校：彭州市西郊小学",
        "联络员姓名：泽旺拉姆    职务：教导主任    联系电话：139 0837 2264",
        "分管领导：王军 职务:副校长 电话：0837-6822345",
        "填报日期：2019年3月15日",
    ))
    assert e.form == "liaison_reply"
    assert record(e) == {
        "school": "彭州市西郊小学", "liaison_name": "泽旺拉姆", "liaison_title": "教导主任",
        "liaison_phone": "139 0837 2264", "leader_name": "王军", "leader_title": "副校长",
        "leader_phone": "0837-6822345", "filled_on": "2019年3月15日",
    }
    assert e.fields["liaison_phone"].normalized == "13908372264"
    assert e.problems == () and e.status is FormStatus.COMPLETE


def test_a_row_heading_line_qualifies_the_short_labels_below_it() -> None:
    e = interpret(lines_doc(
        REPLY_TITLE, "学校 ：彭州市西郊小学          填报日期:2019.3.15",
        "联络员", "姓  名：泽旺拉姆，职务：教导主任，电话：13908372264",
        "分管领导", "姓名：王军　　职务：副校长　　手机：13812345678",
    ))
    assert record(e) == {
        "school": "彭州市西郊小学", "filled_on": "2019.3.15", "liaison_name": "泽旺拉姆", "liaison_title": "教导主任",
        "liaison_phone": "13908372264", "leader_name": "王军", "leader_title": "副校长",
        "leader_phone": "13812345678",
    }
    assert e.status is FormStatus.COMPLETE, problems(e)


def test_a_label_that_could_name_two_fields_is_flagged_not_guessed_as_certain() -> None:
    e = interpret(lines_doc(
        REPLY_TITLE, "学校：彭州市西郊小学", "填报日期：2019年3月15日",
        "联络员姓名：泽旺拉姆", "联络员电话：13908372264", "分管领导姓名：王军",
        "职务：副校长",  # 联络员职务 or 分管领导职务? Nothing on the line says
        "分管领导电话：13812345678",
    ))
    value = e.fields["liaison_title"]
    assert value.raw == "副校长"
    assert "label_ambiguous" in value.flags and value.confidence < 0.9
    assert "leader_title" not in e.fields
    assert problems(e) == [
        ("leader_title", "「分管领导职务」：未找到"),
        ("liaison_title", "「联络员职务」：标签可能对应多个栏目，按上下文推定（“副校长”，置信度 0.85）"),
    ]
    assert e.status is FormStatus.NEEDS_REVIEW


def test_every_absent_field_is_a_problem_with_its_label() -> None:
    e = interpret(lines_doc(REPLY_TITLE, "联络员姓名：泽旺拉姆    联系电话：139 0837 2264"))
    assert record(e) == {"liaison_name": "泽旺拉姆", "liaison_phone": "139 0837 2264"}
    assert problems(e) == [
        ("school", "「学校」：未找到"),
        ("liaison_title", "「联络员职务」：未找到"),
        ("leader_name", "「分管领导姓名」：未找到（必填）"),
        ("leader_title", "「分管领导职务」：未找到"),
        ("leader_phone", "「分管领导电话」：未找到"),
        ("filled_on", "「填报日期」：未找到"),
    ]
    assert e.status is FormStatus.NEEDS_REVIEW


def test_a_colon_inside_a_value_does_not_start_a_label() -> None:
    e = interpret(lines_doc(
        "教育交流活动备案表", "单位：彭州市西郊小学    2019年4月20日",
        "带队人员姓名：王强  职务：副校长  联系电话：13812345678",
        "前往地点：黑水县芦花完全小学校", "外出事由（项目）：送教下乡，另：捐赠图书",
        "外出时间：2019年4月23日上午9:30    返回时间：2019年4月26日",
        "参加人员：张三、李四", "单位负责人意见：同意", "区片分管领导意见：同意", "局主要领导意见：同意", "备注：无",
    ))
    assert record(e)["purpose"] == "送教下乡，另：捐赠图书"
    assert record(e)["departs_on"] == "2019年4月23日上午9:30"
    assert e.fields["departs_on"].normalized == date(2019, 4, 23)
    assert e.fields["filled_on"].normalized == date(2019, 4, 20)
    assert e.status is FormStatus.COMPLETE, problems(e)


def test_an_unknown_label_ends_the_value_before_it() -> None:
    e = interpret(lines_doc(REPLY_TITLE, "联络员姓名：泽旺拉姆 邮箱：zwlm@example.com 联系电话：13908372264"))
    assert record(e) == {"liaison_name": "泽旺拉姆", "liaison_phone": "13908372264"}


# --------------------------------------------------------------------------- values below and running on


def test_a_colon_read_as_a_semicolon_after_a_label_still_opens_its_value() -> None:
    # OCR reads a pale ： as ；: ``单位；彭州市通济镇蓝天小学`` (seed 21's image-only 备案表) lost its 单位
    e = interpret(lines_doc(
        REPLY_TITLE,
        "学校；彭州市西郊小学",
        "联络员姓名：泽旺拉姆    联络员职务；教导主任    联系电话：139 0837 2264",
        "分管领导姓名：王军、李四；张五",  # a list inside a value keeps its semicolon
    ))
    got = record(e)
    assert got["school"] == "彭州市西郊小学" and got["liaison_title"] == "教导主任"
    assert got["liaison_name"] == "泽旺拉姆" and got["leader_name"] == "王军、李四；张五"


def test_a_value_on_the_line_below_its_label() -> None:
    e = interpret(lines_doc(
        "教育交流活动备案表", "单位：彭州市西郊小学    2019年4月20日",
        "带队人员姓名", "王强", "联系电话：", "13812345678",
        "参加人员（可另附名单）：", "张三、李四、王五、", "赵六、钱七",
    ))
    assert record(e)["leader"] == "王强"
    assert record(e)["leader_phone"] == "13812345678"
    assert record(e)["participants"] == "张三、李四、王五、\n赵六、钱七"
    assert e.fields["participants"].normalized == "张三、李四、王五、赵六、钱七"


def test_a_row_of_labels_above_a_row_of_values() -> None:
    e = interpret(lines_doc("教育交流活动备案表", "带队人员姓名    职务    联系电话", "王强    副校长    13812345678"))
    assert {k: record(e)[k] for k in ("leader", "leader_title", "leader_phone")} == {
        "leader": "王强", "leader_title": "副校长", "leader_phone": "13812345678"}
    assert not any(f in e.fields["leader"].flags for f in ("label_guessed", "label_ambiguous"))


def test_a_second_phone_number_on_the_next_line_continues_the_phone() -> None:
    e = interpret(lines_doc(REPLY_TITLE, "联络员姓名：泽旺拉姆", "联络员电话：13908372264、", "0837-6822345",
                            "分管领导姓名：王军"))
    assert e.fields["liaison_phone"].normalized == "13908372264、08376822345"


def test_printed_form_text_is_not_read_as_a_value() -> None:
    note = "说明：此回执请于2019年3月20日前报人事科，联系电话6822345。"
    e = interpret(
        lines_doc(REPLY_TITLE, "学校：彭州市西郊小学", "联络员姓名：泽旺拉姆    职务：教导主任",
                  "联系电话：139 0837 2264", "请于2019年3月20日前报人事科", "分管领导姓名：王军"),
        printed={"liaison_reply": ["请于2019年3月20日前报人事科"], "filing": [note]},
    )
    assert record(e)["liaison_phone"] == "139 0837 2264"
    assert e.fields["liaison_phone"].normalized == "13908372264"


def test_a_remark_in_brackets_below_the_last_value_is_not_part_of_it() -> None:
    e = interpret(lines_doc("教育交流活动备案表", "备注：无", "（盖章）"))
    assert record(e)["remarks"] == "无"


# --------------------------------------------------------------------------------- OCR boxes of one row


def ocr(text: str, x0: float, y0: float, x1: float, y1: float, conf: float = 0.97) -> TextLine:
    return TextLine(text, conf, Provenance(page=1, bbox=(x0, y0, x1, y1)))


def test_ocr_boxes_of_one_row_are_read_left_to_right_as_one_line() -> None:
    lines = [
        ocr(REPLY_TITLE, 500, 100, 1100, 150),
        ocr("职务：教导主任", 700, 300, 950, 340),  # the engine returned the row's boxes out of order
        ocr("联络员姓名：", 100, 302, 330, 338),
        ocr("泽旺拉姆", 340, 300, 480, 341, conf=0.71),
        ocr("联系电话：13908372264", 1000, 301, 1400, 339),
        ocr("分管领导姓名：王军", 100, 400, 420, 440),
    ]
    assert visual_rows(lines) == [[0], [2, 3, 1, 4], [5]]
    e = interpret(lines_doc(*lines, kind=InputKind.IMAGE))
    assert record(e) == {"liaison_name": "泽旺拉姆", "liaison_title": "教导主任", "liaison_phone": "13908372264",
                         "leader_name": "王军"}
    name = e.fields["liaison_name"]
    assert name.confidence == 0.71 and "low_confidence" in name.flags
    assert name.where == Provenance(page=1, bbox=(340, 300, 480, 341))
    assert e.fields["liaison_title"].where.bbox == (700, 300, 950, 340)


def test_a_turned_page_s_rows_are_judged_as_read_upright_not_on_the_file() -> None:
    # a page scanned turned 270°: on the file its lines stand side by side (one tall box each, overlapping
    # in height), read upright they are one above the other; the boxes handed on stay on the file
    def turned(text: str, upright: tuple[float, float, float, float]) -> TextLine:
        x0, y0, x1, y1 = upright
        on_file = (2339 - y1, x0, 2339 - y0, x1)
        return TextLine(text, 0.99, Provenance(page=1, bbox=on_file, upright=upright))

    lines = [turned("DG1:pz2019:P01:liaison_reply:1", (100, 80, 600, 110)),
             turned(REPLY_TITLE, (500, 150, 1100, 200)),
             turned("学校（盖章）：定陶县清华园学校", (100, 260, 640, 300)),
             turned("填报日期：2016年03月11日", (900, 1000, 1300, 1040))]
    on_file = visual_rows([TextLine(t.text, t.confidence, Provenance(1, t.where.bbox)) for t in lines])
    assert on_file != [[0], [1], [2], [3]]  # the old mistake: the file's boxes run lines into one row
    assert visual_rows(lines) == [[0], [1], [2], [3]]
    e = interpret(lines_doc(*lines, kind=InputKind.IMAGE))
    assert e.fields["school"].raw == "定陶县清华园学校"
    assert e.fields["school"].where.bbox == lines[2].where.bbox


def test_a_line_far_below_does_not_continue_a_value() -> None:
    lines = [ocr("教育交流活动备案表", 500, 100, 1100, 150), ocr("参加人员：张三、李四", 100, 300, 500, 340),
             ocr("王五", 100, 345, 180, 385), ocr("附：活动方案", 100, 700, 400, 740), ocr("五月", 100, 900, 200, 940)]
    e = interpret(lines_doc(*lines, kind=InputKind.IMAGE))
    assert record(e)["participants"] == "张三、李四\n王五"
    assert e.fields["participants"].where.bbox == (100, 300, 500, 385)


# -------------------------------------------------------------------------------- key–value tables


def kv_table(rows: Sequence[Sequence[str]]) -> ReadTable:
    cells = tuple(Cell(text, r, c) for r, row in enumerate(rows) for c, text in enumerate(row))
    return ReadTable(cells, len(rows), max(len(r) for r in rows))


def test_a_key_value_table_with_short_labels_read_in_their_row() -> None:
    t = kv_table([["联络员姓名", "泽旺拉姆", "职务", "教导主任", "电话", "13908372264"],
                  ["分管领导", "王军", "职务", "副校长", "电话", "13812345678"]])
    e = interpret(ReadDocument("r.docx", InputKind.DOCX, 1, (t,),
                               (TextLine(REPLY_TITLE), TextLine("学校：彭州市西郊小学  填报日期：2019年3月15日"))))
    assert record(e) == {
        "school": "彭州市西郊小学", "filled_on": "2019年3月15日", "liaison_name": "泽旺拉姆",
        "liaison_title": "教导主任", "liaison_phone": "13908372264", "leader_name": "王军", "leader_title": "副校长",
        "leader_phone": "13812345678",
    }
    assert e.status is FormStatus.COMPLETE, problems(e)


def test_a_label_row_above_a_value_row_whose_right_cell_is_empty() -> None:
    t = kv_table([["联络员姓名", "联络员职务", "联络员电话", ""], ["泽旺拉姆", "教导主任", "13908372264", ""]])
    e = interpret(ReadDocument("r.docx", InputKind.DOCX, 1, (t,), (TextLine(REPLY_TITLE),)))
    assert {k: record(e)[k] for k in ("liaison_name", "liaison_title", "liaison_phone")} == {
        "liaison_name": "泽旺拉姆", "liaison_title": "教导主任", "liaison_phone": "13908372264"}


def test_a_label_cut_by_the_end_of_the_line_is_joined_again() -> None:
    lines = [ocr("普通高中“市—县”结对帮扶安排表", 200, 60, 520, 80, conf=1.0),
             ocr("填报单位：柳州市第一中学、融安县长安初级中学 填报日", 90, 100, 520, 114, conf=1.0),
             ocr("期：2016年9月12日", 90, 118, 220, 132, conf=1.0)]  # a PDF's lines: the label wrapped
    e = interpret(ReadDocument("r.pdf", InputKind.PDF, 1, (), tuple(lines)))
    assert e.form == "arrangement"
    assert record(e) == {"unit": "柳州市第一中学、融安县长安初级中学", "filled_on": "2016年9月12日"}


# ------------------------------------------------------------------------------------- every schema

SAMPLE = {ValueType.NAME: "王强", ValueType.PHONE: "138 1234 5678", ValueType.DATE: "2019年4月23日",
          ValueType.SCHOOL: "彭州市西郊小学", ValueType.TEXT: "同意"}
SEPARATORS = ("    ", "　　", "\t", "，")


@pytest.mark.parametrize("kind", sorted(load_schemas()))
@pytest.mark.parametrize("labels", ["printed", "synonym"])
def test_every_schema_reads_its_fields_written_as_lines(kind: str, labels: str) -> None:
    """Each form's own fields, three to a line, by printed label or first synonym, ``：`` and ``:``, odd gaps."""
    schema = load_schemas()[kind]
    pairs = [f"{spec.printed_label if labels == 'printed' or not spec.synonyms else spec.synonyms[0]}"
             f"{'：:'[n % 2]}{SAMPLE[spec.type]}" for n, spec in enumerate(schema.fields)]
    lines = [schema.title] + [SEPARATORS[n % 4].join(pairs[n : n + 3]) for n in range(0, len(pairs), 3)]
    e = interpret(lines_doc(*lines))
    assert e.form == kind
    assert record(e) == {spec.key: SAMPLE[spec.type] for spec in schema.fields}, lines
    assert [p.message for p in e.problems if p.key is not None] == []


def test_a_reply_grid_photographed_without_ruling_lines_is_read_by_row_and_column() -> None:
    lines = [
        ocr(REPLY_TITLE, 500, 100, 1100, 150),
        ocr("学校：彭州市西郊小学", 100, 200, 500, 240), ocr("填报日期：2019年3月15日", 800, 200, 1200, 240),
        ocr("姓名", 420, 300, 500, 340), ocr("职务", 720, 300, 800, 340), ocr("联系电话", 1020, 300, 1160, 340),
        ocr("联络员", 100, 400, 210, 440), ocr("泽旺拉姆", 400, 400, 540, 440), ocr("教导主任", 690, 400, 830, 440),
        ocr("13908372264", 990, 400, 1200, 440),
        ocr("分管领导", 100, 500, 240, 540), ocr("王军", 420, 500, 500, 540),  # 职务 left empty
        ocr("0837-6822345", 990, 500, 1200, 540),
    ]
    e = interpret(lines_doc(*lines, kind=InputKind.IMAGE))
    assert record(e) == {
        "school": "彭州市西郊小学", "filled_on": "2019年3月15日", "liaison_name": "泽旺拉姆",
        "liaison_title": "教导主任", "liaison_phone": "13908372264", "leader_name": "王军", "leader_title": "",
        "leader_phone": "0837-6822345",
    }
    assert e.fields["liaison_title"].where.bbox == (690, 400, 830, 440)


def test_a_reply_grid_typed_with_tabs_is_read_in_order() -> None:
    e = interpret(lines_doc(REPLY_TITLE, "学校：彭州市西郊小学\t填报日期：2019年3月15日", "\t姓名\t职务\t联系电话",
                            "联络员\t泽旺拉姆\t教导主任\t139 0837 2264", "分管领导\t王军\t副校长\t0837-6822345"))
    assert record(e) == {
        "school": "彭州市西郊小学", "filled_on": "2019年3月15日", "liaison_name": "泽旺拉姆",
        "liaison_title": "教导主任", "liaison_phone": "139 0837 2264", "leader_name": "王军", "leader_title": "副校长",
        "leader_phone": "0837-6822345",
    }
    assert e.status is FormStatus.COMPLETE, problems(e)


def test_a_date_below_the_unit_in_one_cell_is_the_filing_date() -> None:
    t = kv_table([["单位：彭州市西郊小学\n2019年4月20日"], ["带队人员姓名", "王强"]])
    e = interpret(ReadDocument("r.docx", InputKind.DOCX, 1, (t,), (TextLine("教育交流活动备案表"),)))
    assert record(e)["unit"] == "彭州市西郊小学" and record(e)["filled_on"] == "2019年4月20日"
    assert e.fields["filled_on"].flags == ()


def test_a_slanted_photo_keeps_each_row_of_the_grid_apart() -> None:
    """Perspective: each box of a row sits ~16 px lower than the one left of it, so a row's ends do not share
    a band, and the next row's first box is level with this row's last."""
    lines = [
        ocr(REPLY_TITLE, 300, 380, 900, 430), ocr("学校：彭州市西郊小学", 295, 449, 650, 512),
        ocr("姓名", 521, 507, 580, 548), ocr("职务", 687, 523, 748, 567), ocr("联系电话", 818, 539, 914, 588),
        ocr("联络员", 343, 553, 421, 598), ocr("泽旺拉姆", 515, 570, 584, 612), ocr("教导主任", 676, 585, 761, 628),
        ocr("139 08372264", 812, 604, 921, 647),
        ocr("分管领导", 330, 626, 429, 672), ocr("王军", 512, 643, 584, 685), ocr("副校长", 692, 661, 744, 702),
        ocr("填报日期：2019年3月15日", 728, 763, 941, 826),
    ]
    assert visual_rows(lines)[1:5] == [[1], [2, 3, 4], [5, 6, 7, 8], [9, 10, 11]]
    e = interpret(lines_doc(*lines, kind=InputKind.IMAGE))
    assert record(e) == {
        "school": "彭州市西郊小学", "liaison_name": "泽旺拉姆", "liaison_title": "教导主任",
        "liaison_phone": "139 08372264", "leader_name": "王军", "leader_title": "副校长", "leader_phone": "",
        "filled_on": "2019年3月15日",
    }
    assert problems(e) == []  # the optional phone's cell was found, empty


def test_a_label_ending_the_line_without_its_colon_is_not_part_of_the_value_before_it() -> None:
    e = interpret(lines_doc(REPLY_TITLE, "分管领导姓名：王军，职务：党支部书记，联系电话"))
    assert record(e)["leader_title"] == "党支部书记"
    assert record(e)["leader_phone"] == ""


def test_a_row_of_headings_is_never_read_as_a_label_and_its_value() -> None:
    """姓名 | 职务 | 联系 (a heading cut short by OCR): none of them is the value of the one before it."""
    e = interpret(lines_doc(REPLY_TITLE, "姓名    职务    联系", "填报日期：2016年3月11日"))
    assert record(e) == {"filled_on": "2016年3月11日"}


def test_a_box_far_to_the_right_is_not_part_of_a_school_name() -> None:
    lines = [ocr("教育交流活动情况统计表", 1128, 251, 1810, 336), ocr("填报单位：彭州市西郊小学", 203, 347, 940, 415),
             ocr("开展项目涉及到的", 1253, 380, 1462, 426)]
    e = interpret(lines_doc(*lines, kind=InputKind.IMAGE))
    assert record(e)["unit"] == "彭州市西郊小学"


def test_a_colon_in_the_value_after_a_bare_label_stays_in_the_value() -> None:
    lines = [ocr("教育交流活动备案表", 449, 402, 718, 467),
             ocr("送教下乡：语文、数学同课异构及专题", 496, 618, 854, 690),
             ocr("外出事由（项目）", 345, 627, 488, 679), ocr("讲座", 500, 651, 555, 688)]
    e = interpret(lines_doc(*lines, kind=InputKind.IMAGE))
    assert record(e)["purpose"] == "送教下乡：语文、数学同课异构及专题\n讲座"


def test_the_title_sharing_a_band_with_the_line_under_it_is_not_part_of_its_value() -> None:
    """A bowed or turned photo: the title's second line, centred, sits level with the 单位 line under it (their
    boxes share half their height), and the two were one row — the title read as the end of the school's
    name. A box that only shares words with the title (教育交流活动, an activity's name) is kept."""
    lines = [ocr("彭州·黑水“校校结对”", 420, 40, 760, 90),
             ocr("教育交流活动备案表", 430, 100, 750, 150),
             ocr("单位：彭州市西郊小学", 120, 125, 400, 165),
             ocr("填报日期：2019年6月16日", 800, 128, 1100, 168),
             ocr("外出事由（项目）：", 120, 200, 380, 240), ocr("教育交流活动", 400, 200, 600, 240)]
    assert visual_rows(lines)[1] == [2, 1, 3]  # one row, as the reader groups the boxes
    e = interpret(lines_doc(*lines, kind=InputKind.IMAGE))
    assert record(e)["unit"] == "彭州市西郊小学"
    assert record(e)["filled_on"] == "2019年6月16日"
    assert record(e)["purpose"] == "教育交流活动"
    assert "holds_printed_text" not in e.fields["unit"].flags


def test_a_lone_latin_letter_below_a_chinese_value_does_not_continue_it() -> None:
    """A seal's arc (or a tick) under a value, read as ``S``: no Chinese 职务 wraps into one Latin letter."""
    lines = [ocr("教育交流活动备案表", 430, 40, 750, 90),
             ocr("带队人员姓名：刘晓燕    职务：教务处副主任", 120, 200, 800, 240),
             ocr("S", 300, 246, 318, 280, conf=0.62),
             ocr("联系电话：133-5845-2976", 120, 290, 500, 330)]
    e = interpret(lines_doc(*lines, kind=InputKind.IMAGE))
    assert record(e)["leader_title"] == "教务处副主任"
    assert record(e)["leader_phone"] == "133-5845-2976"


@pytest.mark.parametrize("purpose_line", ["外出事由（项目）：送教下乡：语文、数学同课异构及专题讲座",
                                          "外出事由（项目）： 送教下乡：语文、数学同课异构及专题讲座"])
def test_a_value_opening_with_words_and_a_colon_keeps_them(purpose_line: str) -> None:
    """``送教下乡：`` right after the label's colon is the value's first words, not a label the form lacks that
    leaves 外出事由 empty; an unknown label after a wide gap still ends the value before it."""
    e = interpret(lines_doc("教育交流活动备案表", "单位：彭州市西郊小学", purpose_line, "备注：    邮箱：a@b.cn"))
    assert record(e)["purpose"] == "送教下乡：语文、数学同课异构及专题讲座"
    assert record(e).get("remarks", "") == ""
