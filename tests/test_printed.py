"""Text printed on the blank form is never a returned value: the 统计表's footer 备注（the program's filing
instruction) is read as 备注 only for what a school added to it — in a Word return and with OCR's slips."""

from __future__ import annotations

from pathlib import Path

import pytest

from docgen.extract import extract
from docgen.files import load_program
from docgen.forms import load_schemas
from docgen.forms.generate import filled_context, form_context, printed_texts, render_form
from docgen.model import PairGroup, Program, School
from docgen.printed import unprinted
from docgen.render.docx import CompiledTemplate
from extractors.docx import read_docx

ROOT = Path(__file__).resolve().parent.parent
FORMS = ROOT / "docgen" / "templates" / "forms"
PAIR = PairGroup(3, (School("彭州市西郊小学"),), (School("黑水县芦花完全小学校"),))
INSTRUCTION = (
    "活动结束后，一周内上报活动材料和活动情况统计表至党委办和人事科，并将电子邮件发送至彭州教育政工人事群共享。"
)


@pytest.fixture(scope="module")
def pengzhou() -> Program:
    return load_program(ROOT / "samples" / "pengzhou_heishui" / "program.yaml")


def test_the_printed_sentences_of_a_program_include_the_statistics_footer(pengzhou: Program) -> None:
    printed = printed_texts(pengzhou, load_schemas())
    assert INSTRUCTION in printed["activity_stats"]
    assert all(len(t) >= 10 for texts in printed.values() for t in texts)


def test_unprinted_keeps_only_what_a_person_added() -> None:
    assert unprinted(INSTRUCTION, [INSTRUCTION]) == ""
    assert unprinted(f"{INSTRUCTION}另：5月活动延期至6月", [INSTRUCTION]) == "另：5月活动延期至6月"
    assert unprinted("本校5月活动延期", [INSTRUCTION]) == "本校5月活动延期"  # nothing printed in it: all kept
    # OCR: half-width punctuation, a misread character (料 → 科), a line break — still the printed sentence
    ocr = INSTRUCTION.replace("，", ",").replace("材料", "材科").replace("并将", "\n并将")
    assert unprinted(ocr, [INSTRUCTION]) == ""
    assert unprinted("已按要求上报 " + ocr, [INSTRUCTION]) == "已按要求上报"
    assert unprinted("共享", [INSTRUCTION]) == "共享"  # two characters are no evidence of the sentence


def _stats(pengzhou: Program, footer_extra: str = "") -> bytes:
    schema = load_schemas()["activity_stats"]
    template = CompiledTemplate.compile((FORMS / "activity_stats.docx").read_bytes(), "activity_stats.docx")
    context = form_context(pengzhou, PAIR, schema, None)
    row = {"serial": "1", "activity": "送教下乡", "when": "2019年4月11日", "beneficiaries": "120人次"}
    filled = filled_context(context, schema, {"filled_on": "2019年5月6日"}, [row])
    if footer_extra:
        filled["instructions"] = {**filled["instructions"], "report_after": INSTRUCTION + footer_extra}
    return render_form(template, schema, filled)


def test_a_returned_statistics_table_has_no_remark_from_its_printed_footer(pengzhou: Program) -> None:
    printed = printed_texts(pengzhou, load_schemas())
    reader = lambda data, name: read_docx(data, name)  # noqa: E731
    before = extract(_stats(pengzhou), "03_统计表.docx", reader=reader)  # what a reader without the program sees
    assert before.fields["remarks"].raw == INSTRUCTION
    read = extract(_stats(pengzhou), "03_统计表.docx", reader=reader, printed=printed)
    assert read.form == "activity_stats" and "remarks" not in read.fields
    assert [v.raw for v in read.tables[0].rows[0]][1] == "送教下乡"
    added = extract(_stats(pengzhou, "。本月两次活动合并上报"), "03_统计表.docx", reader=reader, printed=printed)
    assert added.fields["remarks"].raw == "本月两次活动合并上报"
