"""A PDF's characters with their boxes, read with pdfium (pypdfium2): the edge the proof checks stand on.

For PDFs docgen made itself (LibreOffice output); a PDF from elsewhere is read by ``docgen proof`` in a
child process with limits (``cli/proof.py``), because pdfium can abort on a hostile file (docs/security.md).
pdfium, not pdfplumber: ≈ 1.7 ms a document when a merged chunk is read at once, against ≈ 30 ms
(measured on a 2-page agreement) — the batch reads every PDF it makes.
"""

from __future__ import annotations

import ctypes
from collections.abc import Sequence

import pypdfium2 as pdfium
import pypdfium2.raw as pdfium_c

from docgen.layout import PdfChar, PdfPage


def read_pages(pdf: bytes, starts: Sequence[int] = (0,)) -> list[list[PdfPage]]:
    """The pages of ``pdf`` as :class:`PdfPage` lists, cut before each page index in ``starts`` (0-based,
    increasing; default: one list of every page). Page numbers restart at 1 in each list, so a merged chunk
    cut at its documents' first pages reads as those documents. Whitespace and control characters are
    dropped."""
    doc = pdfium.PdfDocument(pdf)
    try:
        wanted = list(zip(starts, [*starts[1:], len(doc)], strict=True))
        out: list[list[PdfPage]] = []
        for start, stop in wanted:
            out.append([_read_page(doc, index, index - start + 1) for index in range(start, stop)])
        return out
    finally:
        doc.close()


def _read_page(doc: pdfium.PdfDocument, index: int, number: int) -> PdfPage:
    page = doc[index]
    try:
        width, height = page.get_size()
        textpage = page.get_textpage()
        try:
            raw = textpage.raw
            box = pdfium_c.FS_RECTF()
            origin_x, origin_y = ctypes.c_double(), ctypes.c_double()
            chars: list[PdfChar] = []
            for i in range(pdfium_c.FPDFText_CountChars(raw)):
                code = pdfium_c.FPDFText_GetUnicode(raw, i)
                if code <= 0x20 or code in (0xFFFE, 0xFFFF) or pdfium_c.FPDFText_IsGenerated(raw, i) == 1:
                    continue
                # The loose box spans the glyph's advance and the font's ascent/descent: what a line holds.
                pdfium_c.FPDFText_GetLooseCharBox(raw, i, ctypes.byref(box))
                # The origin is on the baseline: lines of different faces (黑体 headings, 仿宋 body) compare.
                pdfium_c.FPDFText_GetCharOrigin(raw, i, ctypes.byref(origin_x), ctypes.byref(origin_y))
                chars.append(
                    PdfChar(
                        chr(code),
                        box.left,
                        box.right,
                        height - box.top,
                        height - box.bottom,
                        pdfium_c.FPDFText_GetFontSize(raw, i),
                        height - origin_y.value,
                    )
                )
        finally:
            textpage.close()
        return PdfPage(number, width, height, tuple(chars))
    finally:
        page.close()
