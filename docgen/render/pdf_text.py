"""A PDF's text and positioned text runs, read with pdfium (pypdfium2): the edge the proof checks stand on.

For PDFs docgen made itself (LibreOffice output); a PDF from elsewhere is read by ``docgen proof`` in a
child process with limits (``cli/proof.py``), because pdfium can abort on a hostile file (docs/security.md).
pdfium, and its text rectangles rather than a box per character, because the batch reads every PDF it makes:
on one loaded machine a merged chunk of 42 agreements took 13.4 ms a document with a box per character,
3.3 ms with rectangles and 1.7–2.2 ms for the text alone; pdfplumber takes ≈ 30 ms a document.
"""

from __future__ import annotations

import ctypes
import re
import threading
from collections.abc import Sequence

import pypdfium2 as pdfium
import pypdfium2.raw as pdfium_c

from docgen.layout import PdfPage, PdfRun

# pdfium is not thread-safe, and the converter pool's worker threads read their chunks' PDFs: one at a time.
PDFIUM_LOCK = threading.Lock()
_CONTROL = re.compile("[\\x00-\\x1f\\ufffe\\uffff]")


def read_pages(pdf: bytes, starts: Sequence[int] = (0,)) -> list[list[PdfPage]]:
    """The pages of ``pdf`` as :class:`PdfPage` lists, cut before each page index in ``starts`` (0-based,
    increasing; default: one list of every page). Page numbers restart at 1 in each list, so a merged chunk
    cut at its documents' first pages reads as those documents. Whitespace and control characters are
    dropped."""
    with PDFIUM_LOCK:
        return _read(pdf, starts)


def _read(pdf: bytes, starts: Sequence[int]) -> list[list[PdfPage]]:
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
    """The page's text, and its runs: pdfium's text rectangles (a stretch of a line in one font), each with
    its text and the baseline and font size of its first character. A rectangle per run, not a box per
    character: a few hundred calls a page instead of thousands (the batch reads every page it makes)."""
    page = doc[index]
    try:
        width, height = page.get_size()
        textpage = page.get_textpage()
        try:
            raw = textpage.raw
            lines = tuple(
                t for t in (_CONTROL.sub("", line) for line in textpage.get_text_range().splitlines()) if t.strip()
            )
            origin_x, origin_y = ctypes.c_double(), ctypes.c_double()
            left, top, right, bottom = (ctypes.c_double() for _ in range(4))
            buffer = ctypes.create_string_buffer(2 * 512)  # UTF-16LE, ample for one line
            runs: list[PdfRun] = []
            # Raw pdfium calls with reused buffers: the helpers allocate per call, and there are thousands.
            for i in range(pdfium_c.FPDFText_CountRects(raw, 0, -1)):
                pdfium_c.FPDFText_GetRect(raw, i, left, top, right, bottom)
                x0, y1, x1, y0 = left.value, top.value, right.value, bottom.value
                length = pdfium_c.FPDFText_GetBoundedText(
                    raw, x0, y1, x1, y0, ctypes.cast(buffer, ctypes.POINTER(ctypes.c_ushort)), 512
                )
                text = _CONTROL.sub("", buffer.raw[: 2 * length].decode("utf-16-le", "ignore")).strip()
                if not text:
                    continue
                # The first character's origin is on the baseline: runs of different faces (黑体 headings,
                # 仿宋 body) compare by it, where their boxes do not.
                first = pdfium_c.FPDFText_GetCharIndexAtPos(raw, x0 + min(2.0, (x1 - x0) / 2), (y0 + y1) / 2, 3, 3)
                if first >= 0:
                    pdfium_c.FPDFText_GetCharOrigin(raw, first, origin_x, origin_y)
                    baseline, size = height - origin_y.value, pdfium_c.FPDFText_GetFontSize(raw, first)
                else:  # no character under the point (should not happen): the box's bottom, its height
                    baseline, size = height - y0, y1 - y0
                runs.append(PdfRun(text, x0, x1, height - y1, height - y0, size, baseline))
        finally:
            textpage.close()
        return PdfPage(number, width, height, tuple(runs), lines)
    finally:
        page.close()
