"""The seed notices' tables as PDF (LibreOffice export of the Word file) and as a 200-dpi scan of that PDF:
the same generic tables as from Word (tests/test_tables.py), our 安排表 still read by its schema."""

from __future__ import annotations

import io
import re

import pypdfium2 as pdfium
import pytest

from docgen.interpret import interpret
from extractors import read
from testkit.office import convert_many
from testkit.seed_tables import (
    COUNTY_PAIRS,
    HEZE,
    HEZE_READ,
    JIANSHI,
    LIUZHOU,
    LIUZHOU_NOT_OURS,
    SPECIAL_PAIRS,
    TRAINING_READ,
    notice_docx,
)
from tests.test_tables import assert_liuzhou, texts

pytestmark = pytest.mark.slow  # LibreOffice export (one start for all notices) and OCR of one page


@pytest.fixture(scope="module")
def pdfs() -> dict[str, bytes]:
    """Each notice as LibreOffice exports it, by title."""
    notices = (LIUZHOU, JIANSHI, HEZE, LIUZHOU_NOT_OURS)
    out = convert_many([(notice_docx(n), ".docx") for n in notices], "pdf")
    return {n.title: data for n, data in zip(notices, out, strict=True)}


def test_the_seed_notices_as_pdf_keep_their_tables_and_our_arrangement_table_its_schema(
    pdfs: dict[str, bytes],
) -> None:
    assert_liuzhou(interpret(read(pdfs[LIUZHOU.title], "柳州方案.pdf")))
    e = interpret(read(pdfs[JIANSHI.title], "建始计划.pdf"))
    assert e.form is None
    (t,) = e.tables
    assert texts(t) == TRAINING_READ
    (t,) = interpret(read(pdfs[HEZE.title], "菏泽名单.pdf")).tables
    # a PDF's text layer has no space character between two Chinese characters set apart (曹 县 → 曹县)
    columns, rows = HEZE_READ
    assert texts(t) == (columns, [[re.sub(r"(?<=[\u4e00-\u9fff]) (?=[\u4e00-\u9fff])", "", v) for v in row]
                                  for row in rows])
    assert [row[1].raw for row in t.rows[2:4]] == ["曹县", "曹县"]


def test_a_200_dpi_scan_of_the_notice_gives_the_same_tables(pdfs: dict[str, bytes]) -> None:
    pdf = pdfium.PdfDocument(pdfs[LIUZHOU_NOT_OURS.title])
    assert len(pdf) == 1
    page = pdf[0].render(scale=200 / 72).to_pil().convert("L")  # a grey office scan of the printed page
    out = io.BytesIO()
    page.save(out, "PNG")
    e = interpret(read(out.getvalue(), "柳州方案扫描.png"))
    assert e.form is None
    assert [texts(t) for t in e.tables] == [COUNTY_PAIRS, SPECIAL_PAIRS]
