"""Custom templates: variables checked before anything renders; broken tags named with their place."""

from __future__ import annotations

import io

import pytest
from docx import Document

from docgen.context import agreement_context
from docgen.errors import TemplateError
from docgen.model import PairGroup, Program, School
from docgen.render.docx import CompiledTemplate
from docgen.template_check import check_template

GROUP = PairGroup(3, (School("彭州市西郊小学"), School("彭州市九尺镇小学")), (School("黑水县芦花完全小学校"),))


def make_docx(*paragraphs: str) -> bytes:
    doc = Document()
    for text in paragraphs:
        doc.add_paragraph(text)
    buf = io.BytesIO()
    doc.save(buf)
    return buf.getvalue()


def test_lists_what_the_data_lacks_with_its_paragraph(pengzhou_program: Program) -> None:
    tpl = CompiledTemplate.compile(
        make_docx("甲方：{{ party_a.party_orgs }}", "校长：{{ party_a.principal }}", "{{ pair.number }}"),
        "custom.docx",
    )
    result = check_template(tpl, agreement_context(pengzhou_program, GROUP, pengzhou_program.agreements[0]))
    assert not result.ok
    assert [v.path for v in result.missing] == ["party_a.principal"]
    assert "校长：" in result.missing[0].where and "word/document.xml" in result.missing[0].where
    assert "party_b.names" in result.unused and "term.start" in result.unused
    assert "party_a.party_orgs" not in result.unused and "pair.number" not in result.unused


def test_loop_variables_resolve_to_list_items(pengzhou_program: Program) -> None:
    tpl = CompiledTemplate.compile(
        make_docx("{%p for s in party_a.schools %}", "{{ s.party_org }} {{ s.headmaster }}", "{%p endfor %}"),
        "loop.docx",
    )
    result = check_template(tpl, agreement_context(pengzhou_program, GROUP, pengzhou_program.agreements[0]))
    assert [v.path for v in result.missing] == ["party_a.schools[].headmaster"]
    assert "party_a.schools[].name" in result.unused


def test_bundled_templates_use_only_what_their_programs_offer(
    pengzhou_program: Program, pengzhou_templates: dict[str, CompiledTemplate]
) -> None:
    for kind in pengzhou_program.agreements:
        result = check_template(pengzhou_templates[kind.key], agreement_context(pengzhou_program, GROUP, kind))
        assert result.ok, result.missing


def test_broken_tag_fails_at_compile_with_the_paragraph() -> None:
    with pytest.raises(TemplateError) as info:
        CompiledTemplate.compile(make_docx("正文", "甲方：{{ party_a.names }", "落款"), "bad.docx")
    message = str(info.value)
    assert "bad.docx" in message and "甲方：" in message


def test_unclosed_block_fails_at_compile() -> None:
    with pytest.raises(TemplateError, match=r"bad-for\.docx"):
        CompiledTemplate.compile(make_docx("{%p for s in party_a.schools %}", "{{ s.name }}"), "bad-for.docx")


def test_not_a_docx_is_a_template_error() -> None:
    with pytest.raises(TemplateError, match=r"不是有效的 \.docx"):
        CompiledTemplate.compile(b"plain text", "notes.docx")


def test_render_of_missing_value_names_variable_and_template(pengzhou_program: Program) -> None:
    tpl = CompiledTemplate.compile(make_docx("{{ party_a.principal }}"), "custom.docx")
    with pytest.raises(TemplateError) as info:
        tpl.render(agreement_context(pengzhou_program, GROUP, pengzhou_program.agreements[0]))
    assert "principal" in str(info.value) and "custom.docx" in str(info.value)


def test_values_are_escaped_and_line_breaks_kept(pengzhou_program: Program) -> None:
    from testkit.docx_text import docx_paragraphs

    tpl = CompiledTemplate.compile(make_docx("{{ party_a.names }}"), "t.docx")
    odd = PairGroup(1, (School("A&B<学校>"),), (School("C"),))
    out = tpl.render(agreement_context(pengzhou_program, odd, pengzhou_program.agreements[0]))
    assert "A&B<学校>" in docx_paragraphs(out)
