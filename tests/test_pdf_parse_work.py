"""Issue 12 (6): a digital PDF read in a warm worker does only the work its values need — and reads the same.

The PDF parse skips what it never reads (a Type1 font program's encoding when the font's ToUnicode map
has the character; pdfplumber's two dozen attributes of every character), and the warm reader's server
computes the schemas' label keys and patterns once (:func:`docgen.interpret.prepare`) instead of every
child. Each test checks both halves: the work is not done, and the values are what the full work gives.
"""

from __future__ import annotations

import io
from typing import Any

import pdfplumber
import pytest
from pdfminer.layout import LTChar
from pdfminer.pdffont import Type1FontHeaderParser
from pdfplumber.page import Page

from docgen.extraction import InputKind, Provenance, ReadDocument, TextLine
from docgen.forms import load_schemas
from docgen.interpret import interpret, prepare
from docgen.labels import SHORT_TEXT, label_key, remembered
from docgen.line_fields import _compiled
from extractors.pdf import CHAR_KEYS, _page_chars, parse_pdf
from testkit.hostile_pdf import pdf_of_objects


def _stream(data: bytes, extra: bytes = b"") -> bytes:
    return b"<< /Length %d%s >>\nstream\n" % (len(data), extra) + data + b"\nendstream"


# A Type1 font program's cleartext part, as a subset font starts: its own encoding maps code 65 to the glyph
# /C and 66 to /D (the eexec part, the glyphs, is irrelevant to text and left out).
FONT_PROGRAM = (
    b"%!PS-AdobeFont-1.0: TestSubset 001.000\n"
    b"/FontName /ABCDEF+TestSubset def\n"
    b"/Encoding 256 array\n0 1 255 {1 index exch /.notdef put} for\n"
    b"dup 65 /C put\ndup 66 /D put\nreadonly def\n"
    b"currentdict end\ncurrentfile eexec\n"
)
# its ToUnicode map knows code 65 only (甲); 66 is left to the program's encoding
TO_UNICODE = (
    b"/CIDInit /ProcSet findresource begin 12 dict begin begincmap\n"
    b"/CMapName /Test-UCS def /CMapType 2 def\n"
    b"1 begincodespacerange <00> <FF> endcodespacerange\n"
    b"1 beginbfchar <41> <7532> endbfchar\n"
    b"endcmap CMapName currentdict /CMap defineresource pop end end\n"
)


def type1_pdf(text: bytes) -> bytes:
    """One page showing the codes ``text`` in an embedded Type1 subset font without /Encoding."""
    content = b"BT /F1 12 Tf 72 760 Td (%s) Tj ET" % text
    return pdf_of_objects({
        1: b"<< /Type /Catalog /Pages 2 0 R >>",
        2: b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        3: b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Resources << /Font << /F1 4 0 R >> >>"
           b" /Contents 5 0 R >>",
        4: b"<< /Type /Font /Subtype /Type1 /BaseFont /ABCDEF+TestSubset /FirstChar 65 /LastChar 66"
           b" /Widths [600 600] /FontDescriptor 6 0 R /ToUnicode 7 0 R >>",
        5: _stream(content),
        6: b"<< /Type /FontDescriptor /FontName /ABCDEF+TestSubset /Flags 4 /FontBBox [0 -200 1000 800]"
           b" /ItalicAngle 0 /Ascent 800 /Descent -200 /CapHeight 700 /StemV 80 /FontFile 8 0 R >>",
        7: _stream(TO_UNICODE),
        8: _stream(FONT_PROGRAM, b" /Length1 %d /Length2 0 /Length3 0" % len(FONT_PROGRAM)),
    })  # fmt: skip


@pytest.fixture
def header_reads(monkeypatch: pytest.MonkeyPatch) -> list[int]:
    """Counts the keywords pdfminer's Type1 header parser handles: nonzero once a font program was parsed."""
    seen: list[int] = []
    handle = Type1FontHeaderParser.do_keyword

    def counting(self: Type1FontHeaderParser, pos: int, token: Any) -> None:
        seen.append(pos)
        handle(self, pos, token)

    monkeypatch.setattr(Type1FontHeaderParser, "do_keyword", counting)
    return seen


# parse_pdf runs in this process here (read_pdf would run it in a child, out of reach of the counter)


def test_a_type1_font_program_is_not_parsed_when_its_tounicode_map_has_every_character(
    header_reads: list[int],
) -> None:
    doc = parse_pdf(type1_pdf(b"AA"), "subset.pdf")
    assert [line.text for line in doc.lines] == ["甲甲"]
    assert header_reads == []


def test_a_code_the_tounicode_map_lacks_is_read_from_the_font_programs_own_encoding(
    header_reads: list[int],
) -> None:
    doc = parse_pdf(type1_pdf(b"AB"), "subset.pdf")
    assert [line.text for line in doc.lines] == ["甲D"]  # 66 → /D, as pdfminer reads it when it parses at load
    assert header_reads  # parsed, once it was needed


# ------------------------------------------------------------------------------------------ characters

TABLE_PAGE = pdf_of_objects({
    1: b"<< /Type /Catalog /Pages 2 0 R >>",
    2: b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
    # a media box whose origin is not 0 0: pdfplumber shifts x and measures top from the box's top
    3: b"<< /Type /Page /Parent 2 0 R /MediaBox [30 40 625 882] /Resources << /Font << /F1 9 0 R >>"
       b" /XObject << /X0 6 0 R >> >> /Contents 5 0 R >>",
    5: _stream(b"1 w 100 600 200 40 re S 200 600 m 200 640 l S "
               b"BT /F1 11 Tf 110 615 Td (Name) Tj ET BT /F1 9 Tf 210 615 Td (Zhang San) Tj ET /X0 Do"),
    # text inside a form XObject: pdfminer puts it in a figure, pdfplumber lists it among the page's chars
    6: _stream(b"BT /F1 10 Tf 0 0 Td (in a figure) Tj ET",
               b" /Type /XObject /Subtype /Form /BBox [0 0 200 50] /Matrix [1 0 0 1 120 500]"
               b" /Resources << /Font << /F1 9 0 R >> >>"),
    9: b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>",
})  # fmt: skip


def test_page_chars_are_pdfplumbers_characters_with_only_the_keys_read(monkeypatch: pytest.MonkeyPatch) -> None:
    with pdfplumber.open(io.BytesIO(TABLE_PAGE)) as pdf:
        full = pdf.pages[0]
        expected = [{k: c[k] for k in CHAR_KEYS} for c in full.chars]
        rects, lines, edges = full.rects, full.lines, full.edges
    processed: list[str] = []
    process = Page.process_object

    def spy(self: Page, obj: Any) -> Any:
        processed.append(type(obj).__name__)
        return process(self, obj)

    monkeypatch.setattr(Page, "process_object", spy)
    with pdfplumber.open(io.BytesIO(TABLE_PAGE)) as pdf:
        page = pdf.pages[0]
        chars = _page_chars(page)
        assert [{k: c[k] for k in CHAR_KEYS} for c in chars] == expected
        assert "".join(c["text"] for c in chars) == "NameZhang Sanin a figure"
        assert expected[0]["x0"] == pytest.approx(110.0)  # where it was drawn: the box's origin shifts back
        # the rulings are pdfplumber's own objects, and its table finder sees them
        assert (page.rects, page.lines, page.edges) == (rects, lines, edges)
        assert page.chars == chars
    assert processed and LTChar.__name__ not in processed  # no character went through pdfplumber's dict


# -------------------------------------------------------------------------------------- interpretation


def test_after_prepare_interpreting_a_form_compiles_no_label_pattern_and_reads_the_same() -> None:
    schemas = load_schemas()
    doc = ReadDocument("回执.pdf", InputKind.PDF, 1, lines=tuple(
        TextLine(text, 1.0, Provenance(page=1)) for text in
        ("联络员和分管领导回执", "学校：彭州市西郊小学", "联络员姓名：张三", "联络员电话：13800000000")
    ))  # fmt: skip
    _compiled.cache_clear()
    cold = interpret(doc, schemas)
    assert _compiled.cache_info().misses > 0  # the patterns of the 回执's labels, compiled for this read
    _compiled.cache_clear()
    prepare(schemas)
    compiled = _compiled.cache_info().misses
    warm = interpret(doc, schemas)
    assert _compiled.cache_info().misses == compiled  # nothing left to compile in a forked child
    assert warm == cold
    assert warm.form == "liaison_reply" and warm.fields["school"].normalized == "彭州市西郊小学"



def test_remembered_computes_a_short_text_once_and_a_long_one_every_time() -> None:
    calls: list[str] = []

    def upper(text: str) -> str:
        calls.append(text)
        return text.upper()

    key = remembered(upper)
    short, long = "ab", "x" * (SHORT_TEXT + 1)
    assert [key(short), key(short), key(long), key(long)] == ["AB", "AB", long.upper(), long.upper()]
    assert calls == [short, long, long]  # a long cell of a hostile file is not kept in the process
    assert label_key("参加人员(可另附名单）") == label_key("参加人员(可另附名单）") == "参加人员"
