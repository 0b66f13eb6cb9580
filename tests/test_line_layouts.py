"""Forms retyped without a table, read from real files: a Word document, its LibreOffice PDF, and a 200-dpi
image of it read by OCR — each through ``extractors.read`` and ``interpret``, to exact records.

The documents are written the way a school retypes a form in a new document (python-docx, no template):
``标签：值`` lines, several on a line, spacing by spaces and tabs, 全角 and 半角 colons, 楷体, a value broken
onto the next line with Shift+Enter, a label with its value on the line below.
"""

from __future__ import annotations

import io
import re
import shutil

import numpy as np
import pytest
from docx import Document

from docgen.extraction import Extraction, FormStatus, InputKind
from docgen.interpret import interpret
from docgen.render.cjk import cjk_run
from extractors import read

REPLY = [
    "联络员和分管领导回执",
    "学校（盖章）：彭州市西郊小学                填报日期：2019年3月15日",
    "联络员姓名：泽旺拉姆    职务：教导主任    联系电话：139 0837 2264",
    "分管领导姓名:王  军\t职 务:副校长\t联系电话:0837-6822345",
]
REPLY_RECORD = {
    "school": "彭州市西郊小学", "filled_on": "2019年3月15日", "liaison_name": "泽旺拉姆", "liaison_title": "教导主任",
    "liaison_phone": "139 0837 2264", "leader_name": "王  军", "leader_title": "副校长", "leader_phone": "0837-6822345",
}

FILING = [
    "彭州·黑水“校校结对”教育交流活动备案表",
    "单位：彭州市西郊小学\t\t\t2019年4月20日",
    "带队人员姓名：王强　　职务：副校长　　联系电话：138 1234 5678",
    "前往地点：黑水县芦花完全小学校",
    "外出事由（项目）：送教下乡",
    "外出时间：2019年4月23日      返回时间：2019年4月26日",
    "参加人员（可另附名单）：",
    ("张三、李四、王五、", "赵六、钱七"),  # Shift+Enter inside one paragraph
    "单位负责人意见：同意    区片分管领导意见：同意",
    "局主要领导意见：同意",
    "备注：无",
]
FILING_RECORD = {
    "unit": "彭州市西郊小学", "filled_on": "2019年4月20日", "leader": "王强", "leader_title": "副校长",
    "leader_phone": "138 1234 5678", "destination": "黑水县芦花完全小学校", "purpose": "送教下乡",
    "departs_on": "2019年4月23日", "returns_on": "2019年4月26日", "participants": "张三、李四、王五、\n赵六、钱七",
    "unit_opinion": "同意", "district_opinion": "同意", "bureau_opinion": "同意", "remarks": "无",
}


def retyped(lines: list[str | tuple[str, ...]], size: float = 14) -> bytes:
    """A new Word document with ``lines`` as paragraphs in 楷体 (a tuple: lines joined by Shift+Enter)."""
    doc = Document()
    for line in lines:
        p = doc.add_paragraph()
        parts = (line,) if isinstance(line, str) else line
        for n, part in enumerate(parts):
            run = cjk_run(p, part, "楷体", size=size)
            if n + 1 < len(parts):
                run.add_break()
    buf = io.BytesIO()
    doc.save(buf)
    return buf.getvalue()


def record(e: Extraction) -> dict[str, str]:
    return {key: v.raw for key, v in e.fields.items()}


def squashed(fields: dict[str, str]) -> dict[str, str]:
    """Values without whitespace: PDF and OCR keep no typed spaces (a wrapped line loses one)."""
    return {key: re.sub(r"\s+", "", text) for key, text in fields.items()}


def problems(e: Extraction) -> list[str]:
    return [p.message for p in e.problems]


def test_a_retyped_reply_slip_in_word_reads_every_field() -> None:
    e = interpret(read(retyped(REPLY), "回执.docx"))
    assert e.form == "liaison_reply"
    assert record(e) == REPLY_RECORD
    assert e.fields["leader_name"].normalized == "王军"
    assert e.fields["leader_phone"].normalized == "08376822345"
    assert e.status is FormStatus.COMPLETE, problems(e)


def test_a_retyped_filing_form_in_word_reads_every_field() -> None:
    e = interpret(read(retyped(FILING), "备案表.docx"))
    assert e.form == "filing"
    assert record(e) == FILING_RECORD
    assert e.status is FormStatus.COMPLETE, problems(e)


def test_a_retyped_form_missing_lines_names_each_gap() -> None:
    e = interpret(read(retyped([line for line in FILING if not str(line).startswith(("前往", "局主要"))]), "b.docx"))
    assert record(e) == {k: v for k, v in FILING_RECORD.items() if k not in ("destination", "bureau_opinion")}
    assert [(p.key, p.message) for p in e.problems] == [
        ("destination", "「前往地点」：未找到"), ("bureau_opinion", "「局主要领导意见」：未找到")]
    assert e.status is FormStatus.NEEDS_REVIEW


@pytest.fixture(scope="module")
def filing_pdf() -> bytes:
    if shutil.which("soffice") is None:
        pytest.skip("LibreOffice (soffice) not installed")
    from testkit.office import convert

    return convert(retyped(FILING), ".docx", "pdf")


@pytest.mark.slow
def test_the_retyped_filing_form_as_pdf_reads_every_field(filing_pdf: bytes) -> None:
    doc = read(filing_pdf, "备案表.pdf")
    assert doc.input_kind is InputKind.PDF and doc.tables == ()
    e = interpret(doc)
    # the phone wrapped at the line's end (a space lost) and the names broken by Shift+Enter are two text
    # lines each: both read as one value
    assert squashed(record(e)) == squashed(FILING_RECORD)
    assert e.fields["leader_phone"].normalized == "13812345678"
    assert e.fields["participants"].where.page == 1
    assert e.status is FormStatus.COMPLETE, problems(e)


@pytest.mark.slow
def test_the_retyped_reply_slip_photographed_without_rules_is_read_by_ocr() -> None:
    if shutil.which("soffice") is None:
        pytest.skip("LibreOffice (soffice) not installed")
    from testkit.office import convert
    from testkit.scan_fixtures import encode, rasterise_pdf

    (page,) = rasterise_pdf(convert(retyped(REPLY, size=16), ".docx", "pdf"), dpi=200)
    grey = np.clip(page.astype(np.int16) * 0.9 + 12, 0, 255).astype(np.uint8)  # off-white paper, grey ink
    doc = read(encode(grey, "JPEG", quality=80), "回执.jpg")
    assert doc.input_kind is InputKind.IMAGE and doc.tables == ()
    e = interpret(doc)
    assert e.form == "liaison_reply"
    assert squashed(record(e)) == squashed(REPLY_RECORD)
    assert e.fields["liaison_phone"].normalized == "13908372264"
    assert e.fields["liaison_name"].where.page == 1 and e.fields["liaison_name"].where.bbox is not None
