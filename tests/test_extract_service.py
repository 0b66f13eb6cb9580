"""The extract service in the domain (``docgen.extract``) with fake readers, and the returned 安排表 → roster rule.

No file is read here: the reader is a function handed in, which is the point of the service taking one.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from dataclasses import replace

import pytest

from docgen.errors import RosterError, RosterErrors, UnreadableDocument
from docgen.extract import extract
from docgen.extraction import Cell, FormStatus, InputKind, ReadDocument, ReadTable, TextLine
from docgen.forms import load_schemas
from docgen.roster.form import roster_from_form, with_roster_headers

STATS_HEADER = ("序号", "活动时间", "活动地点", "活动内容", "参加人员", "人次", "资金、物品")


def table(rows: Sequence[tuple[str, ...]]) -> ReadTable:
    cells = tuple(Cell(text, r, c) for r, row in enumerate(rows) for c, text in enumerate(row))
    return ReadTable(cells, len(rows), max(len(r) for r in rows))


def stats_document(source: str, confidence: float = 1.0) -> ReadDocument:
    rows = [STATS_HEADER, ("1", "2019年4月23日", "彭州市濛阳小学", "教研", "张三", "12人次", "无")]
    t = table(rows)
    t = replace(t, cells=tuple(replace(c, confidence=confidence) for c in t.cells))
    head = "填报单位：彭州市濛阳小学  填报时间：2019年5月20日"
    lines = (TextLine("“校校结对”教育交流活动情况统计表"), TextLine(head))
    return ReadDocument(source, InputKind.DOCX, 1, (t,), lines)


def test_the_service_reads_with_the_reader_it_is_given_and_interprets_the_result() -> None:
    seen: list[tuple[bytes, str]] = []

    def reader(data: bytes, name: str) -> ReadDocument:
        seen.append((data, name))
        return stats_document(name)

    result = extract(b"bytes", "统计表.docx", reader=reader)
    assert seen == [(b"bytes", "统计表.docx")]
    assert (result.source, result.form, result.input_kind) == ("统计表.docx", "activity_stats", InputKind.DOCX)
    read_back = dict(zip(result.tables[0].columns, (v.raw for v in result.tables[0].rows[0]), strict=True))
    assert (read_back["活动时间"], read_back["活动地点"]) == ("2019年4月23日", "彭州市濛阳小学")


def test_the_review_threshold_and_the_schemas_are_the_callers() -> None:
    def reader(data: bytes, name: str) -> ReadDocument:
        return stats_document(name, confidence=0.95)

    lenient = extract(b"", "统计表.docx", reader=reader, threshold=0.9)
    strict = extract(b"", "统计表.docx", reader=reader, threshold=0.99)
    assert (lenient.status, lenient.problems) == (FormStatus.COMPLETE, ())
    assert strict.status is FormStatus.NEEDS_REVIEW
    assert "第1行「活动时间」：识别置信度低（“2019年4月23日”，置信度 0.95）" in [p.message for p in strict.problems]
    unknown = extract(b"", "统计表.docx", reader=reader, schemas={})
    assert unknown.form is None  # no schema offered: nothing to recognise it as


def test_a_file_the_reader_refuses_is_an_unreadable_extraction_labelled_by_content() -> None:
    def reader(data: bytes, name: str) -> ReadDocument:
        raise UnreadableDocument("文件已加密", source=name, input_kind=InputKind.PDF)

    result = extract(b"x", "统计表.docx", reader=reader)
    assert (result.status, result.input_kind) == (FormStatus.UNREADABLE, InputKind.PDF)
    assert [p.message for p in result.problems] == ["文件已加密"]


def test_content_not_recognised_is_labelled_by_what_the_name_promises() -> None:
    def reader(data: bytes, name: str) -> ReadDocument:
        raise UnreadableDocument("文件内容不是 图片（看起来是 纯文本文件）", source=name)

    assert extract(b"x", "照片.JPG", reader=reader).input_kind is InputKind.IMAGE
    assert extract(b"x", "无后缀", reader=reader).input_kind is InputKind.PDF


def test_a_reader_bug_is_logged_and_becomes_unreadable_not_an_exception(caplog: pytest.LogCaptureFixture) -> None:
    def reader(data: bytes, name: str) -> ReadDocument:
        raise KeyError("w:tbl")

    with caplog.at_level(logging.ERROR, logger="docgen.extract"):
        result = extract(b"x", "统计表.docx", reader=reader)
    assert result.status is FormStatus.UNREADABLE and result.input_kind is InputKind.DOCX
    assert [p.message for p in result.problems] == ["读取失败（内部错误 KeyError），请人工处理"]
    assert "统计表.docx" in caplog.text and "KeyError" in caplog.text


def test_the_bundled_schemas_are_read_only_and_shared() -> None:
    schemas = load_schemas()
    assert schemas is load_schemas()
    with pytest.raises(TypeError):
        schemas["arrangement"] = schemas["filing"]  # type: ignore[index]
    with pytest.raises(AttributeError):
        schemas["filing"].title = "改过的标题"  # type: ignore[misc]
    assert load_schemas()["filing"].title != "改过的标题"


# ------------------------------------------------------------------------------ returned 安排表 → roster


def arrangement(header: tuple[str, ...], *rows: tuple[str, ...], title: bool = True) -> ReadDocument:
    grid = [("柳州市普通高中“市—县”结对帮扶安排表", "", "", "")] if title else []
    return ReadDocument("安排表.pdf", InputKind.PDF, 1, (table([*grid, header, *rows]),))


def test_schema_synonyms_the_roster_does_not_know_name_the_columns() -> None:
    # 帮扶单位 / 受援单位 are synonyms only in docgen/forms/arrangement.yaml; the contact columns repeat
    doc = arrangement(
        ("帮扶单位", "联系人及电话", "受援单位", "联系人及电话"),
        ("柳州高中", "张三 13807721234", "融水中学", "李四 0772-5123456"),
        ("柳铁一中", "", "三江高中", ""),
    )
    roster = roster_from_form(doc)
    assert [([s.name for s in g.supporting], [s.name for s in g.supported]) for g in roster.groups] == [
        (["柳州高中"], ["融水中学"]),
        (["柳铁一中"], ["三江高中"]),
    ]
    first = roster.groups[0]
    assert (first.supporting[0].contact, first.supporting[0].phone) == ("张三", "13807721234")
    assert (first.supported[0].contact, first.supported[0].phone) == ("李四", "0772-5123456")
    assert roster.source == "安排表.pdf"


def test_only_the_header_row_is_renamed_and_an_ambiguous_label_is_left_as_written() -> None:
    rows = [("帮扶单位", "联系人及电话", "受援单位", "学段"), ("帮扶单位", "x", "y", "z")]
    renamed = with_roster_headers(rows, load_schemas()["arrangement"])
    assert renamed == [["支援学校", "联系人及电话", "受援学校", "学段"], ["帮扶单位", "x", "y", "z"]]


def test_a_returned_form_with_a_bad_phone_fails_like_a_spreadsheet() -> None:
    doc = arrangement(("帮扶学校", "帮扶学校联系人", "受援学校", "联系电话"), ("柳州高中", "张三", "融水中学", "12345"))
    with pytest.raises(RosterErrors) as caught:
        roster_from_form(doc)
    [error] = caught.value.errors
    assert (error.row, error.field, error.value) == (3, "联系电话", "12345")


def test_a_document_without_a_table_names_the_file() -> None:
    with pytest.raises(RosterError) as caught:
        roster_from_form(ReadDocument("回函.docx", InputKind.DOCX, 1, (), (TextLine("没有表格的回函"),)))
    assert caught.value.source == "回函.docx" and "没有表格" in str(caught.value)
