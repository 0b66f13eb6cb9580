"""Interpreting hand-built ReadDocuments: which form, fields by label, the table, values, problems, status."""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from datetime import date

import pytest

from docgen.extraction import (
    Cell,
    Extraction,
    FormStatus,
    InputKind,
    Provenance,
    ReadDocument,
    ReadTable,
    Table,
    TextLine,
)
from docgen.forms import load_schemas
from docgen.interpret import interpret
from docgen.labels import label_key

Spans = Mapping[tuple[int, int], tuple[int, int]]

STATS_HEADER = [
    "序号", "活动名称", "派出人员", "活动时间", "活动地点", "活动安排", "受援人次",
    "开展项目涉及到的资金、物品(资金、物品需有印证材料)", "取得效果", "备注",
]
STATS_TITLE = "附件3          彭州·黑水“校校结对”教育交流活动情况统计表"
STATS_HEAD = "填报单位：彭州市西郊小学        填报时间：2019年5月20日"
STATS_LINES = [STATS_TITLE, STATS_HEAD]  # a real 统计表 prints both fields above its table: none is absent
FILING_HEAD = "单位：彭州市西郊小学                    2019年4月20日"
FOOTER_NOTE = "活动结束后，一周内上报活动材料和活动情况统计表至党委办和人事科"


def table(
    rows: Sequence[Sequence[str]],
    *,
    spans: Spans | None = None,
    confidence: Mapping[tuple[int, int], float] | None = None,
    page: int | None = None,
    number: int = 1,
) -> ReadTable:
    """A ReadTable from rows of text; ``spans[(r, c)] = (rowspan, colspan)`` merges, covered positions ignored."""
    spans = spans or {}
    confidence = confidence or {}
    covered: set[tuple[int, int]] = set()
    cells: list[Cell] = []
    for r, row in enumerate(rows):
        for c, text in enumerate(row):
            if (r, c) in covered:
                continue
            rowspan, colspan = spans.get((r, c), (1, 1))
            covered.update((rr, cc) for rr in range(r, r + rowspan) for cc in range(c, c + colspan))
            where = Provenance(page=page, ref=f"表{number} 第{r + 1}行 第{c + 1}列")
            cells.append(Cell(text, r, c, rowspan, colspan, confidence.get((r, c), 1.0), where))
    return ReadTable(tuple(cells), len(rows), max(len(r) for r in rows), page=page)


def document(
    *tables: ReadTable,
    lines: Sequence[str | TextLine] = (),
    codes: Sequence[str] = (),
    kind: InputKind = InputKind.DOCX,
    problems: Sequence[str] = (),
) -> ReadDocument:
    text_lines = tuple(TextLine(line) if isinstance(line, str) else line for line in lines)
    return ReadDocument("returned.docx", kind, 1, tables, text_lines, tuple(codes), tuple(problems))


def stats_row(n: int, activity: str = "送教下乡", when: str = "2019年4月23日—26日", people: str = "120人次",
              funds: str = "资金2万元、图书500册") -> list[str]:
    return [str(n), activity, "张三、李四", when, "黑水县中学", "听课评课", people, funds, "效果良好", ""]


def column(t: Table, label: str) -> list[str]:
    k = t.columns.index(label)
    return [row[k].raw for row in t.rows]


def messages(e: Extraction) -> str:
    return "\n".join(p.message for p in e.problems)


# ------------------------------------------------------------------------------------------ 统计表


def perfect_stats() -> ReadDocument:
    rows = [STATS_HEADER, stats_row(1), stats_row(2, "同课异构", "2019.5.10", "约300人次", "无")]
    rows += [[""] * 10 for _ in range(10)]
    rows.append(["备注：", FOOTER_NOTE] + [""] * 8)
    spans = {(len(rows) - 1, 1): (1, 9)}
    return document(table(rows, spans=spans),
                    lines=[STATS_TITLE, "填报单位：彭州市西郊小学        填报时间：2019年5月20日"])


def test_a_perfect_statistics_table_is_complete_with_typed_values() -> None:
    e = interpret(perfect_stats())
    assert e.form == "activity_stats"
    assert e.status is FormStatus.COMPLETE, messages(e)
    assert e.problems == ()
    assert e.fields["unit"].normalized == "彭州市西郊小学"
    assert e.fields["filled_on"].normalized == date(2019, 5, 20)
    (t,) = e.tables
    assert t.columns == tuple(c.label for c in load_schemas()["activity_stats"].table.columns)  # type: ignore[union-attr]
    assert len(t.rows) == 2
    first = dict(zip(t.columns, t.rows[0], strict=True))
    assert first["序号"].normalized == 1
    assert first["活动时间"].normalized == {"start": date(2019, 4, 23), "end": date(2019, 4, 26)}
    assert first["受援人次"].normalized == {"amount": 120, "unit": "人次", "approximate": False}
    assert first["开展项目涉及到的资金、物品"].normalized == {"items": [
        {"kind": "资金", "amount": 20000, "unit": "元"}, {"kind": "图书", "amount": 500, "unit": "册"}]}
    assert first["活动名称"].where.ref == "表1 第2行 第2列"
    second = dict(zip(t.columns, t.rows[1], strict=True))
    assert second["受援人次"].flags == ("approximate",)
    assert second["受援人次"].confidence == 1.0
    assert second["开展项目涉及到的资金、物品"].normalized == {"items": []}


def test_the_footer_row_becomes_the_field_备注_and_not_a_row() -> None:
    e = interpret(perfect_stats())
    assert e.fields["remarks"].raw == FOOTER_NOTE
    assert all(row[0].raw != "备注：" for row in e.tables[0].rows)


def test_blank_rows_and_rows_with_only_a_preprinted_serial_are_dropped() -> None:
    rows = [STATS_HEADER, [""] * 10, stats_row(1), ["2"] + [""] * 9, [" ", "", "_", "", "/", "", "", "", "", ""]]
    e = interpret(document(table(rows), lines=STATS_LINES))
    assert [r[0].raw for r in e.tables[0].rows] == ["1"]


def test_the_json_shape_is_stable_and_serialisable() -> None:
    out = interpret(perfect_stats()).to_json()
    assert set(out) == {"source", "input_kind", "form", "identity", "fields", "tables", "status", "problems", "pages"}
    value = out["tables"][0]["values"][0][3]
    assert value == {"value": "2019年4月23日—26日", "normalized": {"start": "2019-04-23", "end": "2019-04-26"},
                     "confidence": 1.0, "flags": [], "where": {"page": None, "bbox": None, "ref": "表1 第2行 第4列"},
                     "type": "date"}
    assert out["tables"][0]["keys"][3] == "when" and out["tables"][0]["columns"][3] == "活动时间"
    assert out["fields"]["unit"]["label"] == "填报单位" and out["fields"]["unit"]["type"] == "school"
    json.dumps(out, ensure_ascii=False)


def test_a_retyped_table_with_moved_synonym_and_extra_columns_maps_by_label() -> None:
    header = ["活动名称", "序号", "时间", "地点", "派出教师", "受益人次", "资金、物品", "成效", "联系电话", "活动安排"]
    rows = [header]
    for n in range(1, 16):  # more rows than the 12 the blank form prints
        rows.append([f"送教{n}", str(n), f"2019年4月{n}日", "黑水", "张三", f"{n * 10}人次", "无", "好",
                     "13812345678", "听课\n评课"])
    e = interpret(document(table(rows), lines=["校校结对教育交流活动情况统计表"]))
    assert e.form == "activity_stats"
    main, extra = e.tables
    assert len(main.rows) == 15
    assert column(main, "活动名称")[:2] == ["送教1", "送教2"]
    assert column(main, "序号")[:2] == ["1", "2"]
    assert main.rows[2][main.columns.index("活动时间")].normalized == date(2019, 4, 3)
    assert main.rows[2][main.columns.index("受援人次")].normalized == {"amount": 30, "unit": "人次",
                                                                       "approximate": False}
    plan = main.rows[0][main.columns.index("活动安排")]
    assert plan.raw == "听课\n评课" and plan.normalized == "听课评课"
    assert column(main, "备注") == [""] * 15  # a column the school left out is empty, not invented
    assert extra.columns == ("联系电话",)
    assert extra.rows[0][0].raw == "13812345678"
    assert e.status is FormStatus.NEEDS_REVIEW
    assert "联系电话" in messages(e)


def test_a_title_row_inside_the_table_above_the_header_is_skipped() -> None:
    rows = [["彭州·黑水“校校结对”教育交流活动情况统计表"] + [""] * 9, STATS_HEADER, stats_row(1)]
    e = interpret(document(table(rows, spans={(0, 0): (1, 10)})))
    assert e.form == "activity_stats"
    assert [r[1].raw for r in e.tables[0].rows] == ["送教下乡"]


def test_a_merged_date_cell_is_repeated_in_every_row_it_covers() -> None:
    rows = [STATS_HEADER, stats_row(1, when="2019年4月23日"), stats_row(2, when=""), stats_row(3, when="2019.5.6")]
    e = interpret(document(table(rows, spans={(1, 3): (2, 1)}), lines=STATS_LINES))
    when = [r[3] for r in e.tables[0].rows]
    assert [v.normalized for v in when] == [date(2019, 4, 23), date(2019, 4, 23), date(2019, 5, 6)]
    assert when[0].where == when[1].where
    assert e.status is FormStatus.COMPLETE, messages(e)


def test_a_low_confidence_ocr_cell_is_flagged_with_field_and_row() -> None:
    rows = [STATS_HEADER, stats_row(1), stats_row(2, people="150人次")]
    e = interpret(document(table(rows, confidence={(2, 6): 0.62}), lines=STATS_LINES, kind=InputKind.SCAN))
    value = e.tables[0].rows[1][6]
    assert value.confidence < 0.9
    assert "low_confidence" in value.flags
    assert e.status is FormStatus.NEEDS_REVIEW
    (problem,) = e.problems
    assert (problem.field, problem.row) == ("受援人次", 2)
    assert "置信度" in problem.message


def test_values_that_fail_normalisation_never_look_certain() -> None:
    rows = [STATS_HEADER, stats_row(1, when="2019.2.30"), stats_row(2, when="4月中旬"), stats_row(3, people="很多")]
    e = interpret(document(table(rows), lines=STATS_LINES))
    t = e.tables[0]
    assert t.rows[0][3].normalized is None and "invalid_date" in t.rows[0][3].flags
    assert "indeterminate_date" in t.rows[1][3].flags
    assert t.rows[2][6].normalized is None
    assert all(v.confidence < 0.9 for v in (t.rows[0][3], t.rows[1][3], t.rows[2][6]))
    assert {(p.field, p.row) for p in e.problems} == {("活动时间", 1), ("活动时间", 2), ("受援人次", 3)}
    assert "日期无效" in messages(e)


def test_a_year_less_date_takes_the_year_of_the_filing_date() -> None:
    rows = [STATS_HEADER, stats_row(1, when="4月23日")]
    e = interpret(document(table(rows), lines=[STATS_TITLE, "填报时间：2019年5月20日"]))
    value = e.tables[0].rows[0][3]
    assert value.normalized == date(2019, 4, 23)
    assert "year_inferred" in value.flags


def test_an_empty_required_cell_in_a_filled_row_is_a_problem() -> None:
    rows = [STATS_HEADER, stats_row(1, activity="")]
    e = interpret(document(table(rows), lines=STATS_LINES))
    assert [(p.field, p.row) for p in e.problems] == [("活动名称", 1)]


def test_a_missing_required_column_is_a_problem() -> None:
    header = ["序号", "活动名称", "派出人员", "活动地点", "受援人次"]
    rows = [header, ["1", "送教", "张三", "黑水", "20人"]]
    e = interpret(document(table(rows), lines=STATS_LINES))
    assert "缺少必填列「活动时间」" in messages(e)
    assert e.tables[0].rows[0][3].confidence == 0.0


def test_rows_split_across_pages_are_concatenated_and_a_repeated_header_skipped() -> None:
    page1 = table([STATS_HEADER, stats_row(1), stats_row(2)], page=1)
    page2 = table([STATS_HEADER, stats_row(3), ["备注：", FOOTER_NOTE] + [""] * 8], page=2,
                  spans={(2, 1): (1, 9)})
    page3_no_header = table([stats_row(4)], page=3)
    e = interpret(document(page1, table([stats_row(5)], page=2), lines=STATS_LINES))
    assert column(e.tables[0], "序号") == ["1", "2", "5"]
    e = interpret(document(page1, page2, lines=STATS_LINES))
    assert column(e.tables[0], "序号") == ["1", "2", "3"]
    assert e.fields["remarks"].raw == FOOTER_NOTE
    assert len(e.tables) == 1
    e = interpret(document(page1, page3_no_header, lines=STATS_LINES))
    assert column(e.tables[0], "序号") == ["1", "2", "4"]


def test_the_rest_of_a_row_the_page_cut_is_joined_to_its_row_not_read_as_a_row() -> None:
    """Word and LibreOffice break a tall row across pages: the next page's table starts with the rest of the
    cells that wrapped — no 序号 of its own. It was a row of its own (取得效果 = 力), the row above cut short
    (提升了教师课堂教学能) and sure of it."""
    cut = stats_row(2)
    cut[8] = "提升了教师课堂教学能"
    page1 = table([STATS_HEADER, stats_row(1), cut], page=1)
    rest = ["", "", "", "", "", "", "", "", "力", ""]
    e = interpret(document(page1, table([rest, stats_row(3)], page=2), lines=STATS_LINES))
    assert column(e.tables[0], "序号") == ["1", "2", "3"]
    assert column(e.tables[0], "取得效果") == ["效果良好", "提升了教师课堂教学能力", "效果良好"]
    assert e.tables[0].rows[1][8].confidence == 1.0
    assert e.status is FormStatus.COMPLETE, messages(e)
    # after blank numbered rows the page cut no row: an unnumbered first row there is a row of its own
    ended_blank = table([STATS_HEADER, stats_row(1), cut, ["3"] + [""] * 9], page=1)
    e = interpret(document(ended_blank, table([rest, stats_row(4)], page=2), lines=STATS_LINES))
    assert column(e.tables[0], "取得效果") == ["效果良好", "提升了教师课堂教学能", "力", "效果良好"]
    # the same with the header printed again at the top of the next page
    e = interpret(document(page1, table([STATS_HEADER, rest, stats_row(3)], page=2), lines=STATS_LINES))
    assert column(e.tables[0], "取得效果") == ["效果良好", "提升了教师课堂教学能力", "效果良好"]
    # a row typed without a 序号, filling a cell its neighbour above left blank, stays a row (and is reviewed)
    own = ["", "捐赠图书", "", "", "", "", "", "", "", "另附简报"]
    e = interpret(document(page1, table([own, stats_row(3)], page=2), lines=STATS_LINES))
    assert column(e.tables[0], "活动名称") == ["送教下乡", "送教下乡", "捐赠图书", "送教下乡"]
    assert column(e.tables[0], "取得效果")[1] == "提升了教师课堂教学能"


def test_a_header_repeated_inside_the_same_table_is_skipped() -> None:
    rows = [STATS_HEADER, stats_row(1), STATS_HEADER, stats_row(2)]
    e = interpret(document(table(rows), lines=STATS_LINES))
    assert column(e.tables[0], "序号") == ["1", "2"]


# ------------------------------------------------------------------------------------------ 备案表

FILING_LABELS = ["带队人员姓名", "职  务", "联系电话", "前往地点", "外出事由（项目）", "外出时间", "返回时间",
                 "参加人员(可另附名单）"]


def filing_table(values: Mapping[str, str], phone_label: str = "联系电话") -> ReadTable:
    """The 备案表 of seed 000: 援藏活动情况 merged down the first column of 8 rows, then rows spanning both."""
    rows: list[list[str]] = []
    for n, label in enumerate(FILING_LABELS):
        label = phone_label if label == "联系电话" else label
        rows.append(["援\n藏\n活\n动\n情\n况" if n == 0 else "", label, values.get(label_key(label), "")])
    for label in ["单位负责人意见", "区片分管领导意见", "局主要领导意见", "备  注"]:
        rows.append([label, "", values.get(label_key(label), "")])
    spans: dict[tuple[int, int], tuple[int, int]] = {(0, 0): (8, 1)}
    spans.update({(r, 0): (1, 2) for r in range(8, 12)})
    return table(rows, spans=spans)


FILING_VALUES = {
    "带队人员姓名": "王 强", "职务": "副校长", "联系电话": "138 1234 5678", "前往地点": "黑水县芦花完全小学校",
    "外出事由": "送教下乡", "外出时间": "2019年4月23日", "返回时间": "4月26日", "参加人员": "张三、李四、王五",
    "单位负责人意见": "同意", "备注": "无",
}


def test_a_filing_form_reads_its_key_value_layout_and_ignores_the_vertical_group_label() -> None:
    read = document(filing_table(FILING_VALUES), lines=[
        "附件2", "彭州·黑水“校校结对”教育交流活动备案表", "单位：彭州市西郊小学                    2019年4月20日",
        "说明：1.此表用于学校自行联系组织的援藏支教活动。",
    ])
    e = interpret(read)
    assert e.form == "filing"
    f = {e.label(key): v.normalized for key, v in e.fields.items()}
    assert f["单位"] == "彭州市西郊小学"
    assert f["填报日期"] == date(2019, 4, 20)
    assert f["带队人员姓名"] == "王强"
    assert f["职务"] == "副校长"
    assert f["联系电话"] == "13812345678"
    assert f["外出事由（项目）"] == "送教下乡"
    assert f["外出时间"] == date(2019, 4, 23)
    assert f["返回时间"] == date(2019, 4, 26)  # year from the filing date
    assert f["参加人员"] == "张三、李四、王五"
    assert f["备注"] == "无"
    assert f["区片分管领导意见"] is None
    assert e.fields["leader"].where.ref == "表1 第1行 第3列"
    assert not any("援藏" in label for label in e.fields)
    assert e.tables == ()  # the key–value table was read as fields
    assert e.status is FormStatus.COMPLETE, messages(e)


def test_a_filing_form_with_a_synonym_label_and_a_blank_printed_date() -> None:
    values = {**FILING_VALUES, "电话": "0837-6822345"}
    blank_header = "单位：                                   年  月  日"
    read = document(filing_table(values, phone_label="电话"), lines=["教育交流活动备案表", blank_header])
    e = interpret(read)
    assert e.fields["leader_phone"].normalized == "08376822345"
    assert e.fields["unit"].normalized is None
    assert e.fields["filled_on"].normalized is None
    assert e.status is FormStatus.COMPLETE, messages(e)


def test_an_empty_required_field_is_a_problem() -> None:
    values = {k: v for k, v in FILING_VALUES.items() if k != "带队人员姓名"}
    e = interpret(document(filing_table(values), lines=["教育交流活动备案表", FILING_HEAD]))
    assert e.status is FormStatus.NEEDS_REVIEW
    assert [p.field for p in e.problems] == ["带队人员姓名"]


def test_a_label_found_twice_with_different_values_is_a_problem() -> None:
    e = interpret(document(filing_table(FILING_VALUES),
                           lines=["教育交流活动备案表", FILING_HEAD, "单位：彭州市九尺镇小学"]))
    assert [p.field for p in e.problems] == ["单位"]
    assert e.fields["unit"].raw == "彭州市西郊小学"


def test_a_value_that_is_a_word_inside_a_label_is_the_value_not_a_label() -> None:
    """校长 typed as the 职务 sits inside 校长意见 (a synonym of 单位负责人意见): it was taken for that label, so
    职务 came out empty without a problem and 单位负责人意见 took the phone number below it."""
    values = {**FILING_VALUES, "职务": "校长"}
    e = interpret(document(filing_table(values), lines=["教育交流活动备案表", FILING_HEAD]))
    assert e.fields["leader_title"].raw == "校长"
    assert e.fields["leader_phone"].normalized == "13812345678"
    assert e.fields["unit_opinion"].raw == "同意"
    assert e.status is FormStatus.COMPLETE, messages(e)


def test_a_vertical_key_value_layout_reads_the_value_below_the_label() -> None:
    rows = [["带队人员姓名", "职务", "联系电话"], ["王强", "副校长", "13812345678"],
            ["外出事由（项目）", "外出时间", "前往地点"], ["送教", "2019.4.23", "黑水"]]
    e = interpret(document(table(rows), lines=["教育交流活动备案表"]))
    assert e.fields["leader_title"].raw == "副校长"
    assert e.fields["departs_on"].normalized == date(2019, 4, 23)


def test_the_form_is_recognised_by_its_labels_when_there_is_no_title() -> None:
    e = interpret(document(filing_table(FILING_VALUES)))
    assert e.form == "filing"


# --------------------------------------------------------------------------------------- identity


def test_the_identity_code_decides_the_form() -> None:
    rows = [["帮扶学校", "联系人及电话", "受援学校", "联系人及电话"],
            ["柳州高中", "韦一 13812345678", "融水中学", "覃二"]]
    e = interpret(document(table(rows), codes=["DG1:liuzhou2016:p07:arrangement:1"]))
    assert e.form == "arrangement"
    assert e.identity is not None and (e.identity.program, e.identity.pair) == ("liuzhou2016", "p07")
    assert e.to_json()["identity"]["code"] == "DG1:liuzhou2016:p07:arrangement:1"


def test_disagreeing_identity_codes_are_a_problem() -> None:
    e = interpret(perfect_stats_with_codes("DG1:p:a:activity_stats:1", "DG1:p:b:activity_stats:1"))
    assert e.identity is not None and e.identity.pair == "a"
    assert e.status is FormStatus.NEEDS_REVIEW
    assert "不一致" in messages(e)


def test_an_identity_that_contradicts_the_title_is_a_problem() -> None:
    e = interpret(perfect_stats_with_codes("DG1:p:a:filing:1"))
    assert e.form == "filing"
    assert "识别码" in messages(e)


def perfect_stats_with_codes(*codes: str) -> ReadDocument:
    read = perfect_stats()
    return ReadDocument(read.source, read.input_kind, read.pages, read.tables, read.lines, codes)


def test_a_serial_column_headed_序_is_the_序号() -> None:
    # clerks head the column 序 as often as 序号; on a grey scan a seal over 序号 leaves 序 too
    rows = [["序", *STATS_HEADER[1:]], stats_row(1), stats_row(2)]
    e = interpret(document(table(rows), lines=STATS_LINES))
    assert column(e.tables[0], "序号") == ["1", "2"]
    assert "表单没有的列" not in messages(e)


def photographed_stats(*, footer: bool, kind: InputKind = InputKind.IMAGE, code: bool = True) -> ReadDocument:
    """A picture of our printed 统计表 (its code read) with its table filled to the page's foot: the footer row
    (``备注：…``) there, or not (page 1 of two photographed alone)."""
    rows = [STATS_HEADER, *(stats_row(n) for n in range(1, 9))]
    spans: dict[tuple[int, int], tuple[int, int]] = {}
    if footer:
        rows.append(["备注：", FOOTER_NOTE] + [""] * 8)
        spans[(len(rows) - 1, 1)] = (1, 9)
    codes = ["DG1:pengzhou-heishui-2019:14:activity_stats:1"] if code else []
    return document(table(rows, spans=spans, page=1), lines=STATS_LINES, codes=codes, kind=kind)


def test_a_picture_of_our_form_without_its_footer_row_may_be_missing_a_page() -> None:
    e = interpret(photographed_stats(footer=False))
    assert e.status is FormStatus.NEEDS_REVIEW
    cut = [p for p in e.problems if "末尾的「备注」行未找到" in p.message]
    assert len(cut) == 1 and cut[0].key is None and cut[0].row is None  # the whole form: rows may be missing
    assert "缺少后续页面" in cut[0].message
    assert len(e.tables[0].rows) == 8  # the rows read are kept


@pytest.mark.parametrize(("footer", "kind", "code"), [
    (True, InputKind.IMAGE, True),  # the footer row read: the table ended on this page
    (False, InputKind.DOCX, True),  # a Word file is read whole: a page cannot be missing
    (False, InputKind.PDF, True),
    (False, InputKind.SCAN, False),  # no code: retyped, or another office's table, which may never have had it
])
def test_the_footer_row_is_only_missed_on_a_picture_of_our_printed_form(footer: bool, kind: InputKind,
                                                                        code: bool) -> None:
    e = interpret(photographed_stats(footer=footer, kind=kind, code=code))
    assert "末尾" not in messages(e)


def stats_at_foot(*, bottom: float, sheet: tuple[float, float] | None = (2339.0, 1654.0),
                  below: Sequence[str] = ("-1-",), footer: bool = False,
                  kind: InputKind = InputKind.IMAGE) -> ReadDocument:
    """A picture of a retyped 统计表 (no code) whose table's last row ends at ``bottom`` (a share of the sheet's
    height), with ``below`` printed under it; boxes as read upright (``Provenance.upright``)."""
    rows = [STATS_HEADER, *(stats_row(n) for n in range(1, 9))]
    if footer:
        rows.append(["备注：", FOOTER_NOTE] + [""] * 8)
    height = 1654.0
    top, step = 0.2 * height, (bottom - 0.2) * height / len(rows)
    cells = []
    for r, row in enumerate(rows):
        y0, y1 = top + r * step, top + (r + 1) * step
        for c, text in enumerate(row):
            box = (100.0 + 200 * c, y0, 300.0 + 200 * c, y1)
            cells.append(Cell(text, r, c, where=Provenance(page=1, bbox=box, upright=box)))
    y = top + len(rows) * step + 20
    lines = [*(TextLine(t, 1.0, Provenance(page=1, bbox=(100, 40, 900, 80), upright=(100, 40, 900, 80)))
               for t in STATS_LINES),
             *(TextLine(t, 1.0, Provenance(page=1, bbox=(1100, y, 1200, y + 30), upright=(1100, y, 1200, y + 30)))
               for t in below)]
    grid = ReadTable(tuple(cells), len(rows), 10, page=1)
    return ReadDocument("photo.jpg", kind, 1, (grid,), tuple(lines), page_sizes=(sheet,))


def test_a_picture_ending_in_its_table_s_last_row_at_the_page_s_foot_doubts_that_row() -> None:
    # Word breaks a row across pages: a photo of page 1 alone ends with half a row, each part sure of itself
    e = interpret(stats_at_foot(bottom=0.93))
    last = e.tables[0].rows[-1]
    assert all("cut_by_page" in v.flags and v.confidence < 0.9 for v in last)
    assert all("cut_by_page" not in v.flags for row in e.tables[0].rows[:-1] for v in row)
    assert sum("可能被分页截断" in p.message and p.row == 8 for p in e.problems) == 10  # blank 备注 too


@pytest.mark.parametrize("doc", [
    stats_at_foot(bottom=0.6),  # the table ended mid-page
    stats_at_foot(bottom=0.93, below=("填表人：张三",)),  # something follows it on the page
    stats_at_foot(bottom=0.93, footer=True),  # its footer row closes it
    stats_at_foot(bottom=0.93, sheet=None),  # a photo whose sheet's edges were not found: the foot is unknown
    stats_at_foot(bottom=0.93, kind=InputKind.PDF),  # a file from Word is read whole
])
def test_a_last_row_is_not_doubted_when_the_page_shows_the_table_ended(doc: ReadDocument) -> None:
    e = interpret(doc)
    assert not any("cut_by_page" in v.flags for row in e.tables[0].rows for v in row)


def stats_under_a_seal(seal_names: Sequence[str], unit_line: bool = False) -> ReadDocument:
    """A grey scan of a 统计表 whose 填报单位 line went unread under the school's seal (or was read)."""
    rows = [STATS_HEADER, stats_row(1), stats_row(2)]
    lines = [STATS_TITLE, "填报时间：2019年5月20日", *(["填报单位：彭州市西郊小学"] if unit_line else [])]
    doc = document(table(rows), lines=lines, kind=InputKind.SCAN)
    return ReadDocument(doc.source, doc.input_kind, doc.pages, doc.tables, doc.lines, seal_names=tuple(seal_names))


def test_a_school_name_unread_under_its_seal_is_taken_from_the_seal_and_reviewed() -> None:
    e = interpret(stats_under_a_seal(["彭州市隆丰镇小学", "彭州市隆丰镇小学"]))
    unit = e.fields["unit"]
    assert unit.raw == "彭州市隆丰镇小学" and "from_seal" in unit.flags and unit.confidence < 0.9
    assert any(p.key == "unit" and "公章" in p.message for p in e.problems)
    assert "未找到" not in messages(e)


@pytest.mark.parametrize(("seals", "unit_line"), [
    ([], False),  # no seal read: the field is missing, and says so
    (["彭州市隆丰镇小学", "彭州市西郊小学"], False),  # two seals, two names: which is the school's?
    (["彭州市隆丰镇小学"], True),  # the page names its school: the seal does not replace it
])
def test_a_seal_fills_nothing_it_cannot_tell_or_the_page_already_says(seals: list[str], unit_line: bool) -> None:
    e = interpret(stats_under_a_seal(seals, unit_line))
    assert "from_seal" not in (e.fields["unit"].flags if "unit" in e.fields else ())
    if unit_line:
        assert e.fields["unit"].raw == "彭州市西郊小学"
    else:
        assert "「填报单位」：未找到" in messages(e)


# ------------------------------------------------------------------------------------- arrangement


def test_a_repeated_contact_label_belongs_to_the_school_column_before_it() -> None:
    rows = [["受援学校", "联系人及电话", "帮扶学校", "联系人及电话"],
            ["融水中学", "覃二 13912345678", "柳州高中", "韦一 13812345678"]]
    e = interpret(document(table(rows), lines=["普通高中结对帮扶安排表"]))
    assert e.form == "arrangement"
    row = dict(zip(e.tables[0].columns, (v.raw for v in e.tables[0].rows[0]), strict=True))
    assert row == {"帮扶学校": "柳州高中", "帮扶学校联系人及电话": "韦一 13812345678",
                   "受援学校": "融水中学", "受援学校联系人及电话": "覃二 13912345678"}


# ---------------------------------------------------------------------------------- unknown tables

HEZE = [
    ["序号", "县市区", "学段", "学校名称", "负责人", "联系电话"],
    ["1", "牡丹区", "初中", "牡丹区第二十二中学", "李爱华", "15965809758"],
    ["3", "曹 县", "高中", "曹县第一中学", "赵广雷", "15865105666"],
    ["9", "成武县", "初中", "成武县实验中学", "李 云", "18661510166"],
    ["10", "单 县", "高中", "单县第二中学", "赵 瑞", "1528871066"],
]


def test_a_table_docgen_never_made_comes_out_as_a_clean_generic_table() -> None:
    e = interpret(document(table(HEZE), lines=["菏泽被帮扶学校名单"]))
    assert e.form is None
    (t,) = e.tables
    assert t.columns == ("序号", "县市区", "学段", "学校名称", "负责人", "联系电话")
    assert len(t.rows) == 4
    assert [r[1].normalized for r in t.rows] == ["牡丹区", "曹县", "成武县", "单县"]
    assert [r[4].normalized for r in t.rows] == ["李爱华", "赵广雷", "李云", "赵瑞"]
    assert t.rows[0][5].normalized == "15965809758"
    assert t.rows[0][0].normalized == 1
    bad = t.rows[3][5]  # a digit short: never certain
    assert bad.normalized is None and "invalid_phone" in bad.flags and bad.confidence < 0.9
    assert ("联系电话", 4) in {(p.field, p.row) for p in e.problems}
    assert e.status is FormStatus.NEEDS_REVIEW


def test_an_unknown_table_split_over_two_pages_is_one_table() -> None:
    page1 = table(HEZE[:3], page=1)
    page2 = table(HEZE[3:4], page=2)
    e = interpret(document(page1, page2))
    (t,) = e.tables
    assert [r[0].raw for r in t.rows] == ["1", "3", "9"]


def test_without_schemas_every_table_is_generic_and_nothing_is_a_problem() -> None:
    e = interpret(document(table(HEZE[:3])), {})
    assert e.form is None
    assert e.status is FormStatus.COMPLETE


# ---------------------------------------------------------------------------------------- liaison


def test_a_reply_slip_grid_is_read_by_row_and_column_labels() -> None:
    rows = [["", "姓名", "职务", "联系电话"], ["联络员", "张三", "教导主任", "13812345678"],
            ["分管领导", "李四", "副校长", "0837-6822345"]]
    head = "学校：彭州市西郊小学    填报日期：2019年3月15日"
    e = interpret(document(table(rows), lines=["联络员和分管领导回执", head]))
    assert e.form == "liaison_reply"
    f = {e.label(key): v.normalized for key, v in e.fields.items()}
    assert f["联络员姓名"] == "张三"
    assert f["联络员职务"] == "教导主任"
    assert f["联络员电话"] == "13812345678"
    assert f["分管领导姓名"] == "李四"
    assert f["分管领导电话"] == "08376822345"
    assert e.status is FormStatus.COMPLETE, messages(e)


# ----------------------------------------------------------------------------------------- status


def test_nothing_read_is_unreadable_and_the_extractors_problems_are_kept() -> None:
    e = interpret(document(kind=InputKind.SCAN, problems=["第1页无法识别：图像过暗"]))
    assert e.status is FormStatus.UNREADABLE
    assert [p.message for p in e.problems] == ["第1页无法识别：图像过暗"]
    e = interpret(document(table([["", ""], ["", ""]])))
    assert e.status is FormStatus.UNREADABLE


def test_an_extractor_problem_on_a_readable_form_means_review() -> None:
    read = perfect_stats()
    read = ReadDocument(read.source, read.input_kind, 2, read.tables, read.lines, (), ("第2页无法识别",))
    e = interpret(read)
    assert e.status is FormStatus.NEEDS_REVIEW
    assert e.problems[0].message == "第2页无法识别"
    assert e.pages == 2


@pytest.mark.parametrize("threshold, status", [(0.5, FormStatus.COMPLETE), (0.95, FormStatus.NEEDS_REVIEW)])
def test_the_review_threshold_decides_which_values_wait_for_a_person(threshold: float, status: FormStatus) -> None:
    rows = [STATS_HEADER, stats_row(1)]
    e = interpret(document(table(rows, confidence={(1, 1): 0.8}), lines=STATS_LINES), review_threshold=threshold)
    assert e.status is status
