"""PDF conversion through real LibreOffice: fonts, 濛, merge/split, time-outs, no stray processes."""

from __future__ import annotations

import io
import os
import shutil
from collections.abc import Iterator
from typing import Any

import pdfplumber
import psutil
import pytest
from docx import Document
from docx.enum.text import WD_ALIGN_PARAGRAPH
from pypdf import PdfReader
from pypdf.generic import DictionaryObject

from docgen.errors import ConversionError
from docgen.render.cjk import cjk_run
from docgen.render.converter import CheckingConverter, ConversionResult
from docgen.render.merge import document_starts, merge_documents, split_pdf
from docgen.render.pdf import ConverterPool, LibreOfficeConverter

pytestmark = [pytest.mark.slow, pytest.mark.skipif(shutil.which("soffice") is None, reason="LibreOffice not installed")]

SCHOOL = "彭州市濛阳七一竹瓦九年制学校"
CLAUSE = (
    "双方本着平等互利、共同发展的原则，在教育教学管理、教师专业发展、课程建设与学生交流等方面开展深入合作。"
)


def agreement(tag: str, clauses: int = 6) -> bytes:
    """A small agreement: 方正小标宋简体 title, 黑体 heading, 仿宋_GB2312 body naming a school with 濛."""
    d = Document()
    p = d.add_paragraph()
    p.alignment = WD_ALIGN_PARAGRAPH.CENTER
    cjk_run(p, "学校结对帮扶协议书", "方正小标宋简体", size=22)
    cjk_run(d.add_paragraph(), "一、帮扶内容", "黑体", size=16)
    for k in range(clauses):
        cjk_run(
            d.add_paragraph(),
            f"{tag}第{k + 1}条 {SCHOOL}与成都市实验小学结成帮扶对子。{CLAUSE}",
            "仿宋_GB2312",
            size=16,
        )
    buf = io.BytesIO()
    d.save(buf)
    return buf.getvalue()


def pdf_text(pdf: bytes) -> str:
    with pdfplumber.open(io.BytesIO(pdf)) as doc:
        return "".join((page.extract_text() or "") for page in doc.pages).replace("\n", "").replace(" ", "")


def pdf_fonts(pdf: bytes) -> dict[str, bool]:
    """BaseFont name (subset tag removed) -> embedded, for every font on every page (like `pdffonts`)."""
    fonts: dict[str, bool] = {}
    for page in PdfReader(io.BytesIO(pdf)).pages:
        resources = page.get("/Resources")
        font_dict = resources.get_object().get("/Font") if resources is not None else None
        if font_dict is None:
            continue
        for ref in font_dict.get_object().values():
            font: DictionaryObject = ref.get_object()
            descriptor_owner = font
            if font.get("/Subtype") == "/Type0":
                descriptor_owner = font["/DescendantFonts"][0].get_object()
            descriptor = descriptor_owner.get("/FontDescriptor")
            embedded = descriptor is not None and any(
                k in descriptor.get_object() for k in ("/FontFile", "/FontFile2", "/FontFile3")
            )
            name = str(font["/BaseFont"]).lstrip("/")
            fonts[name.split("+", 1)[-1]] = embedded
    return fonts


def group_alive(pgid: int) -> list[psutil.Process]:
    alive = []
    for proc in psutil.process_iter(["pid", "status"]):
        try:
            if proc.info["status"] != psutil.STATUS_ZOMBIE and os.getpgid(proc.pid) == pgid:
                alive.append(proc)
        except (ProcessLookupError, psutil.Error):
            continue
    return alive


@pytest.fixture(scope="module")
def converter() -> Iterator[LibreOfficeConverter]:
    with LibreOfficeConverter(timeout=60) as conv:
        yield conv


def test_body_title_and_heading_use_the_mapped_free_fonts_all_embedded(
    converter: LibreOfficeConverter,
) -> None:
    result = converter.convert("甲.docx", agreement("甲"))
    assert result.ok, result.error
    assert result.pdf is not None and result.pages >= 1
    fonts = pdf_fonts(result.pdf)
    assert all(fonts.values()), f"not embedded: {[n for n, e in fonts.items() if not e]}"
    assert any(n.startswith("FandolFang") for n in fonts), fonts  # 仿宋_GB2312 body
    assert any("SerifCJK" in n and "SemiBold" in n for n in fonts), fonts  # 方正小标宋简体 title
    assert any("SansCJK" in n or "FandolHei" in n for n in fonts), fonts  # 黑体 heading
    # No Japanese face. (Noto CJK .ttc faces share one CFF table named "...CJKjp-..." in every face; the SC
    # shapes come from the zh-CN language tag, see docs/pdf.md. So "JP" is checked in upper case only.)
    assert not any("JP" in n for n in fonts), fonts


def test_meng_reaches_the_pdf_text_drawn_with_an_embedded_fallback_font(
    converter: LibreOfficeConverter,
) -> None:
    result = converter.convert("濛.docx", agreement("乙"))
    assert result.pdf is not None, result.error
    assert SCHOOL in pdf_text(result.pdf)
    embedded = pdf_fonts(result.pdf)
    with pdfplumber.open(io.BytesIO(result.pdf)) as doc:
        meng = [c for page in doc.pages for c in page.chars if c["text"] == "濛"]
    assert meng
    for char in meng:
        name = char["fontname"].split("+", 1)[-1]
        assert embedded.get(name) is True, char["fontname"]
        assert not name.startswith("FandolFang")  # FandolFang has no 濛: the fallback drew it


def test_merge_then_split_gives_each_document_its_own_pages_and_text(converter: LibreOfficeConverter) -> None:
    tags = ["甲方", "乙方", "丙方", "丁方"]
    docs = [agreement(t, clauses=n) for t, n in zip(tags, [14, 2, 25, 7], strict=True)]
    one_by_one = [converter.convert(t, d) for t, d in zip(tags, docs, strict=True)]
    merged = converter.convert_merged(list(zip(tags, docs, strict=True)))
    assert [r.pages for r in merged] == [r.pages for r in one_by_one]
    assert sum(r.pages for r in merged) > len(tags)  # several multi-page documents
    for own, result in zip(tags, merged, strict=True):
        assert result.pdf is not None
        text = pdf_text(result.pdf)
        assert f"{own}第1条" in text
        assert not any(f"{other}第1条" in text for other in tags if other != own)


def test_split_pdf_cuts_at_the_exported_bookmarks(converter: LibreOfficeConverter, tmp_path: Any) -> None:
    docs = [agreement("一", 10), agreement("二", 1)]
    src, dst = tmp_path / "m.docx", tmp_path / "m.pdf"
    src.write_bytes(merge_documents(docs))
    converter.convert_file(src, dst, bookmarks=True)
    pdf = dst.read_bytes()
    starts = document_starts(pdf, 2)
    parts = split_pdf(pdf, starts)
    assert starts[0] == 0 and len(parts) == 2
    assert sum(len(PdfReader(io.BytesIO(p)).pages) for p in parts) == len(PdfReader(io.BytesIO(pdf)).pages)


def test_a_request_past_its_time_limit_fails_restarts_and_the_next_document_converts() -> None:
    with LibreOfficeConverter(timeout=60) as conv:
        conv.start()
        first_group = conv.pgid
        assert first_group is not None
        slow = conv.convert("慢.docx", agreement("慢", 30), time_limit=0.001)
        assert not slow.ok and slow.pdf is None
        assert "time limit" in (slow.error or "")
        assert conv.restarts == 1
        assert group_alive(first_group) == []
        after = conv.convert("快.docx", agreement("快"))
        assert after.ok, after.error
        assert "快第1条" in pdf_text(after.pdf or b"")


def test_pool_keeps_order_fails_a_bad_document_alone_and_close_leaves_no_process() -> None:
    items = [
        ("a", agreement("子")),
        ("bad", b"PK\x03\x04 not really a docx"),
        ("c", agreement("丑")),
        ("d", agreement("寅")),
    ]
    pool = ConverterPool(workers=2, timeout=60, chunk_size=40)
    try:
        results = pool.convert_many(items)
        groups = [c.pgid for c in pool.converters if c.pgid is not None]
    finally:
        pool.close()
    assert [r.name for r in results] == ["a", "bad", "c", "d"]
    assert [r.ok for r in results] == [True, False, True, True]
    assert "寅第1条" in pdf_text(results[3].pdf or b"")
    assert groups
    for pgid in groups:
        assert group_alive(pgid) == []
    profiles = [str(c.profile_dir) for c in pool.converters]
    for proc in psutil.process_iter(["cmdline"]):
        cmdline = " ".join(proc.info["cmdline"] or [])
        assert not any(p in cmdline for p in profiles), cmdline


def test_a_pool_checks_each_converted_document_with_its_text_and_raises_what_the_check_raises() -> None:
    """The batch proofreads in the pool's reader thread (``convert_many_checked``): every document that
    converted is checked once, with the text read from its own PDF; a bad one is not; a failing check is
    the caller's exception, not a lost one."""
    bad = b"PK\x03\x04 not really a docx"
    items = [("a", agreement("子")), ("bad", bad), ("c", agreement("丑")), ("d", agreement("寅"))]
    seen: dict[int, tuple[str, str]] = {}

    def record(i: int, result: ConversionResult) -> None:
        seen[i] = (result.name, "".join("".join(page.text().split()) for page in result.layout or ()))

    def fail(i: int, result: ConversionResult) -> None:
        raise RuntimeError(f"检查失败：{result.name}")

    with ConverterPool(workers=2, timeout=60) as pool:
        assert isinstance(pool, CheckingConverter)
        results = pool.convert_many_checked(items, record)
        with pytest.raises(RuntimeError, match="检查失败：a"):
            pool.convert_many_checked(items[:1], fail)
    assert [r.ok for r in results] == [True, False, True, True]
    assert sorted(seen) == [0, 2, 3]
    assert [seen[i][0] for i in (0, 2, 3)] == ["a", "c", "d"]
    assert "子第1条" in seen[0][1] and "寅第1条" in seen[3][1] and "子第1条" not in seen[3][1]


def test_missing_libreoffice_is_a_conversion_error_that_says_what_to_do(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("PATH", "/nonexistent")
    with pytest.raises(ConversionError, match="make setup"):
        LibreOfficeConverter()
