"""The official page (GB/T 9704-2012) as numbers, and a PDF's text as positioned characters. Pure data.

One place for the grid every check and the render-time normalisation use: A4, 版心 156 × 225 mm starting
28 mm from the left and 37 mm from the top, 3号 (16 pt) body text, 22 lines × 28 characters.

A :class:`PdfPage` is what a PDF reader at the edge (``docgen.render.pdf_text``) gives back: characters with
their boxes in PDF points, origin top-left (pdfplumber's convention), so the checks in
:mod:`docgen.proof` need no PDF library.
"""

from __future__ import annotations

from dataclasses import dataclass

MM = 72 / 25.4  # PDF points per millimetre
CHARS_PER_LINE = 28
LINES_PER_PAGE = 22
BODY_SIZE_PT = 16.0  # 3号
TEXT_LEFT_MM, TEXT_WIDTH_MM = 28.0, 156.0
TEXT_TOP_MM, TEXT_HEIGHT_MM = 37.0, 225.0
# 22 lines in 225 mm, in whole twips as a template states it (w:linePitch 579): 28.95 pt
LINE_PITCH_PT = int(TEXT_HEIGHT_MM / 25.4 * 1440 / LINES_PER_PAGE) / 20


@dataclass(frozen=True)
class PdfChar:
    """One drawn character: its text, box and baseline (points, origin top-left) and font size."""

    text: str
    x0: float
    x1: float
    top: float
    bottom: float
    size: float
    baseline: float


@dataclass(frozen=True)
class PdfPage:
    """One page: its number (1-based), size in points and characters in reading order."""

    number: int
    width: float
    height: float
    chars: tuple[PdfChar, ...]

    @property
    def portrait_a4(self) -> bool:
        """An A4 portrait page: the only kind the 28 × 22 grid applies to (forms may be landscape)."""
        return abs(self.width - 210 * MM) < 3 and abs(self.height - 297 * MM) < 3

    def text(self) -> str:
        """Every character on the page, in order."""
        return "".join(c.text for c in self.chars)
