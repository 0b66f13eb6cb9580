"""A form's table rebuilt from where its text lines lie, when no ruling was found (docgen/line_table.py):
invented OCR lines of a photographed 统计表 and 安排表 whose rulings were lost, interpreted by the schemas."""

from __future__ import annotations

from docgen.extraction import InputKind, Provenance, ReadDocument, TextLine
from docgen.interpret import interpret
from docgen.line_table import REBUILT_CONFIDENCE, STRADDLE_CONFIDENCE

# x ranges of a 统计表's columns on a photo (px): 序号, 活动名称, 派出人员, 活动时间, 活动地点, 活动安排, 受援人次,
# 资金、物品, 取得效果, 备注
COLS = [(100, 140), (160, 260), (280, 380), (400, 500), (520, 640), (660, 760), (780, 850), (870, 990),
        (1010, 1200), (1220, 1290)]


def _line(text: str, col: int, top: float, conf: float = 0.99, x1: float | None = None) -> TextLine:
    x0 = COLS[col][0]
    right = x1 if x1 is not None else x0 + min(COLS[col][1] - x0, 18 * len(text))
    return TextLine(text, conf, Provenance(1, (float(x0), top, float(right), top + 20)))


def _stats_lines() -> list[TextLine]:
    lines = [
        TextLine("彭州·黑水“校校结对”教育交流活动情况统计表", 0.99, Provenance(1, (300.0, 40.0, 900.0, 70.0))),
        TextLine("填报单位：彭州市西郊小学", 0.99, Provenance(1, (100.0, 100.0, 420.0, 120.0))),
        TextLine("填报时间：2019年6月11日", 0.99, Provenance(1, (900.0, 100.0, 1200.0, 120.0))),
    ]
    header = ["序号", "活动名称", "派出人员", "活动时间", "活动地点", "活动安排", "受援人次", "资金、物品", "取得效果",
              "备注"]
    lines += [_line(text, k, 150.0) for k, text in enumerate(header)]
    rows = [
        # (top, {column: text}) — row 1's 派出人员 wraps over two lines, its 取得效果 too
        (190.0, {0: "1", 1: "送教下乡", 2: "张三、李四、", 3: "2019年4月23日", 4: "黑水县中学", 5: "听课评课",
                 6: "约300人次", 7: "资金2万元", 8: "效果良好，促进", 9: "照片另附"}),
        (215.0, {2: "王五", 8: "了交流"}),
        (250.0, {0: "2", 1: "专题讲座", 2: "周敏", 3: "2019年5月8日", 4: "芦花小学", 5: "讲座", 6: "120人次",
                 7: "图书500册", 8: "效果良好"}),
    ]
    for top, cells in rows:
        lines += [_line(text, k, top) for k, text in cells.items()]
    lines.append(TextLine("备注：活动结束后一周内上报", 0.99, Provenance(1, (100.0, 300.0, 700.0, 320.0))))
    return lines


def test_a_stats_table_without_rulings_is_rebuilt_from_its_lines_and_never_sure() -> None:
    """No table was read, only lines: the header row names the columns, numbers in 序号 start the rows, a
    wrapped cell's second line stays in its cell; the fields above stay fields. Every cell placed by
    position is reviewed, and the record says why."""
    read = ReadDocument("photo.jpg", InputKind.IMAGE, 1, lines=tuple(_stats_lines()))
    got = interpret(read)
    assert got.form == "activity_stats"
    table = got.tables[0]
    rows = [{k: v.raw for k, v in zip(table.keys, row, strict=True)} for row in table.rows]
    assert [r["serial"] for r in rows] == ["1", "2"]
    assert rows[0]["staff"].replace("\n", "") == "张三、李四、王五"
    assert rows[0]["effect"].replace("\n", "") == "效果良好，促进了交流"
    assert rows[1]["funds_goods"] == "图书500册" and rows[1]["remarks"] == ""
    assert rows[0]["when"] == "2019年4月23日" and rows[1]["where"] == "芦花小学"
    assert all(v.confidence <= REBUILT_CONFIDENCE for row in table.rows for v in row if v.raw)
    assert got.fields["unit"].raw == "彭州市西郊小学"
    assert got.fields["filled_on"].raw == "2019年6月11日"
    assert any("按文字位置重建" in p.message for p in got.problems)
    assert got.status.value == "needs_review"


def test_text_reaching_over_a_column_boundary_is_doubted_more() -> None:
    """Two neighbouring cells read as one piece (the blank between them was narrow): the piece goes to the
    column its middle lies in, at most STRADDLE_CONFIDENCE sure."""
    lines = _stats_lines()
    merged = _line("黑水县中学听课评课", 4, 190.0, x1=760.0)
    lines = [ln for ln in lines if ln.text not in ("黑水县中学", "听课评课")] + [merged]
    got = interpret(ReadDocument("photo.jpg", InputKind.IMAGE, 1, lines=tuple(lines)))
    row = dict(zip(got.tables[0].keys, got.tables[0].rows[0], strict=True))
    placed = [v for v in row.values() if v.raw == "黑水县中学听课评课"]
    assert len(placed) == 1 and placed[0].confidence <= STRADDLE_CONFIDENCE


ARRANGEMENT_COLUMNS = [(100, 300), (320, 520), (540, 740), (760, 960)]  # an unruled 安排表's four columns (px)


def at(text: str, k: int, top: float) -> TextLine:
    """A line of ``text`` read in column ``k`` of :data:`ARRANGEMENT_COLUMNS` at height ``top``."""
    x0 = float(ARRANGEMENT_COLUMNS[k][0])
    return TextLine(text, 0.98, Provenance(1, (x0, top, x0 + 18 * len(text), top + 20)))


def test_an_arrangement_without_rulings_starts_a_row_at_each_school() -> None:
    """No 序号: a row starts with text in the first column; a 填报日期 line under the table ends it."""
    lines = [TextLine("结对帮扶安排表", 0.99, Provenance(1, (400.0, 40.0, 600.0, 70.0))),
             TextLine("填报单位：鹿寨实验高中", 0.99, Provenance(1, (100.0, 100.0, 400.0, 120.0)))]
    lines += [at(t, k, 150.0) for k, t in enumerate(["帮扶学校", "联系人及电话", "受援学校", "联系人及电话"])]
    lines += [at("柳州高级中学", 0, 190.0), at("韦桂芳13907720001", 1, 190.0), at("鹿寨实验高中", 2, 190.0),
              at("覃建新13907720002", 3, 190.0)]
    lines += [at("柳州铁一中学", 0, 230.0), at("蓝海燕13907720003", 1, 230.0), at("鹿寨中学", 2, 230.0),
              at("潘志勇13907720004", 3, 230.0)]
    lines.append(TextLine("填报日期：2019年8月20日", 0.99, Provenance(1, (100.0, 280.0, 400.0, 300.0))))
    got = interpret(ReadDocument("photo.jpg", InputKind.IMAGE, 1, lines=tuple(lines)))
    assert got.form == "arrangement"
    rows = [{k: v.raw for k, v in zip(got.tables[0].keys, row, strict=True)} for row in got.tables[0].rows]
    assert [r["supporting"] for r in rows] == ["柳州高级中学", "柳州铁一中学"]
    assert [r["supported"] for r in rows] == ["鹿寨实验高中", "鹿寨中学"]
    assert rows[1]["supported_contact"] == "潘志勇13907720004"
    assert got.fields["filled_on"].raw == "2019年8月20日"


def test_a_label_centred_beside_a_two_line_value_takes_both_lines() -> None:
    """Read as lines (no rulings found), a 备案表's 外出事由（项目） cell is centred on its two-line value: its
    row comes after the value's first line. That line is the 事由's, not more of the 前往地点 above."""

    def at(text: str, x0: float, top: float, x1: float) -> TextLine:
        return TextLine(text, 0.98, Provenance(1, (x0, top, x1, top + 20)))

    lines = (at("教育交流活动备案表", 300, 20, 600),
             at("前往地点", 100, 100, 180), at("黑水县扎窝中心校", 300, 100, 460),
             at("骨干教师示范课及教学研讨", 300, 130, 540),
             at("外出事由（项目）", 100, 145, 250),
             at("校园文化建设交流", 300, 160, 460),
             at("外出时间", 100, 200, 180), at("2019/11/12", 300, 200, 400))
    got = interpret(ReadDocument("photo.jpg", InputKind.IMAGE, 1, lines=lines))
    assert got.form == "filing"
    assert got.fields["destination"].raw == "黑水县扎窝中心校"
    assert got.fields["purpose"].raw == "骨干教师示范课及教学研讨\n校园文化建设交流"
    assert got.fields["departs_on"].raw == "2019/11/12"


def test_a_school_name_wrapped_inside_its_bracket_stays_one_row() -> None:
    """No 序号: ``威海市帮扶初中（待`` | ``定）`` in the first column is one school's name wrapped in its cell
    (the bracket opened above closes below), not a second row holding only ``定）``."""
    lines = [TextLine("结对帮扶安排表", 0.99, Provenance(1, (400.0, 40.0, 600.0, 70.0))),
             TextLine("填报单位：鄄城县吉山镇吉山中学", 0.99, Provenance(1, (100.0, 100.0, 400.0, 120.0)))]
    lines += [at(t, k, 150.0) for k, t in enumerate(["帮扶学校", "帮扶学校联系人及电话", "受援学校",
                                                     "受援学校联系人及电话"])]
    lines += [at("威海市帮扶初中（待", 0, 190.0), at("李 云 136 17514331", 1, 190.0),
              at("鄄城县吉山镇吉山中学", 2, 190.0), at("赵广雷13892816781", 3, 190.0), at("定）", 0, 212.0)]
    lines += [at("威海市第二中学", 0, 250.0), at("王明13800000000", 1, 250.0), at("鄄城县第一中学", 2, 250.0),
              at("张华13900000000", 3, 250.0)]
    lines.append(TextLine("填报日期：2016/08/09", 0.99, Provenance(1, (100.0, 300.0, 400.0, 320.0))))
    got = interpret(ReadDocument("photo.jpg", InputKind.IMAGE, 1, lines=tuple(lines)))
    rows = [{k: v.raw for k, v in zip(got.tables[0].keys, row, strict=True)} for row in got.tables[0].rows]
    assert [r["supporting"].replace("\n", "") for r in rows] == ["威海市帮扶初中（待定）", "威海市第二中学"]
    assert rows[1]["supported_contact"] == "张华13900000000"
