"""A table header misread by one character (a seal or a shadow over it in a photo) still names its column:
invented tables as the reader returns them, interpreted by the bundled schemas."""

from __future__ import annotations

from docgen.extraction import Cell, InputKind, ReadDocument, ReadTable, TextLine
from docgen.interpret import interpret


def _table(rows: list[list[str]]) -> ReadTable:
    cells = tuple(Cell(text, r, c, confidence=0.99) for r, row in enumerate(rows) for c, text in enumerate(row))
    return ReadTable(cells, len(rows), len(rows[0]), page=1)


def test_a_stats_header_misread_by_one_character_keeps_its_column() -> None:
    """``活动名布`` under a seal is 活动名称: the activity of every row is read, not set aside as a column the
    form does not have."""
    header = ["序号", "活动名布", "派出人员", "活动时间", "活动地点", "活动安排", "受援人次", "资金、物品", "取得效果",
              "备注"]
    rows = [header, ["1", "送教下乡", "张三", "2019年4月23日", "黑水县中学", "听课", "30人次", "无", "良好", ""],
            ["2", "专题讲座", "李四", "2019年5月8日", "芦花小学", "讲座", "20人次", "无", "良好", ""]]
    read = ReadDocument("photo.jpg", InputKind.IMAGE, 1, tables=(_table(rows),),
                        lines=(TextLine("教育交流活动情况统计表"),))
    got = interpret(read)
    table = got.tables[0]
    activity = table.keys.index("activity")
    assert [row[activity].raw for row in table.rows] == ["送教下乡", "专题讲座"]
    assert not any("表单没有的列" in p.message for p in got.problems)


def test_a_school_header_misread_is_not_a_third_school_column() -> None:
    """``帮株学校`` is 帮扶学校 misread, not a third school column that would make the table another one."""
    rows = [["帮株学校", "帮扶学校联系人及电话", "受援学校", "受援学校联系人及电话"],
            ["市一中", "韦桂芳 18966078888", "三江民族高中", "莫小玲 133-4660-4702"]]
    read = ReadDocument("photo.jpg", InputKind.IMAGE, 1, tables=(_table(rows),),
                        lines=(TextLine("结对帮扶安排表"),))
    got = interpret(read)
    assert got.form == "arrangement"
    row = dict(zip(got.tables[0].keys, got.tables[0].rows[0], strict=True))
    assert row["supporting"].raw == "市一中" and row["supported"].raw == "三江民族高中"


def test_two_characters_off_is_another_column() -> None:
    """``活动地址`` over ``活动时间``'s place is not read as 活动时间: only one misread character is forgiven."""
    header = ["序号", "活动名称", "派出人员", "活动日子", "活动地点"]
    rows = [header, ["1", "送教下乡", "张三", "2019年4月23日", "黑水县中学"]]
    read = ReadDocument("photo.jpg", InputKind.IMAGE, 1, tables=(_table(rows),),
                        lines=(TextLine("教育交流活动情况统计表"),))
    got = interpret(read)
    when = got.tables[0].keys.index("when")
    assert got.tables[0].rows[0][when].raw == ""


def _stats(header: list[tuple[str, float]]) -> ReadDocument:
    """A 统计表 whose header cells are read with the given confidences, two rows of values under them."""
    values = [["1", "送教下乡", "张三", "2019年4月23日", "黑水县中学", "听课", "30人次", "无", "良好", ""],
              ["2", "专题讲座", "李四", "2019年5月8日", "芦花小学", "讲座", "20人次", "无", "良好", ""]]
    cells = [Cell(text, 0, c, confidence=conf) for c, (text, conf) in enumerate(header)]
    cells += [Cell(text, r, c, confidence=0.99) for r, row in enumerate(values, start=1) for c, text in enumerate(row)]
    table = ReadTable(tuple(cells), 3, len(header), page=1)
    return ReadDocument("scan.jpg", InputKind.IMAGE, 1, tables=(table,), lines=(TextLine("教育交流活动情况统计表"),))


_HEADER = ["序号", "活动名称", "派出人员", "活动时间", "活动地点", "活动安排", "受援人次", "资金、物品", "取得效果",
           "备注"]


def _column(doc: ReadDocument, key: str) -> list[str]:
    table = interpret(doc).tables[0]
    return [row[table.keys.index(key)].raw for row in table.rows]


def test_a_header_garbled_under_a_seal_is_the_one_column_left_between_its_neighbours() -> None:
    """Seed 58's grey 统计表: a seal's 专用章 over 派出人员 read ``派出大责用章`` (0.53); every row's staff was set
    aside as a column the form does not have. Read unsure, between 活动名称 and 活动时间, it is 派出人员."""
    header = [(t, 0.99) for t in _HEADER]
    header[2] = ("派出大责用章", 0.53)
    assert _column(_stats(header), "staff") == ["张三", "李四"]
    # two in a row: 活动称 with a character lost and 派出人员 read as nothing, both unsure
    header[1], header[2] = ("活动称", 0.6), ("", 0.5)
    doc = _stats(header)
    assert _column(doc, "activity") == ["送教下乡", "专题讲座"] and _column(doc, "staff") == ["张三", "李四"]
    assert not any("表单没有的列" in p.message for p in interpret(doc).problems)


def test_a_garbled_header_read_sure_or_not_fitting_the_gap_names_no_column() -> None:
    header = [(t, 0.99) for t in _HEADER]
    header[2] = ("派出大责用章", 0.99)  # read sure: it says what it says
    assert _column(_stats(header), "staff") == ["", ""]
    header = [(t, 0.99) for t in _HEADER]
    header[2], header[3] = ("派出大责用章", 0.5), ("活动日子", 0.99)  # two columns left, one unsure header
    doc = _stats(header)
    assert _column(doc, "staff") == ["", ""] and _column(doc, "when") == ["", ""]
