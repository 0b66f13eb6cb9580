"""The official page (GB/T 9704-2012) as numbers, and a PDF's text as positioned characters. Pure data.

One place for the grid every check and the render-time normalisation use: A4, 版心 156 × 225 mm starting
28 mm from the left and 37 mm from the top, 3号 (16 pt) body text, 22 lines × 28 characters.

A :class:`PdfPage` is what a PDF reader at the edge (``docgen.render.pdf_text``) gives back: its text, and
runs of characters (a line or a piece of one in one font, or a single character) with their boxes in PDF
points, origin top-left (pdfplumber's convention), so the checks in :mod:`docgen.proof` need no PDF library.
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
class PdfRun:
    """Characters drawn side by side in one font on one baseline (a reader may give single characters):
    their text, box and baseline (points, origin top-left) and font size."""

    text: str
    x0: float
    x1: float
    top: float
    bottom: float
    size: float
    baseline: float

    @property
    def ems(self) -> float:
        """Natural width in characters of the grid: 1 for a Chinese character or full-width sign, ½ for
        an ASCII digit or letter (Times New Roman); a run of ASCII only is measured, since a fallback face
        may draw it wider (``_`` in FandolSong is ¾ em)."""
        if self.text.isascii():
            return max(0.5 * len(self.text), (self.x1 - self.x0) / self.size if self.size > 0 else 0.0)
        return sum(0.5 if ch.isascii() else 1.0 for ch in self.text)


PdfChar = PdfRun  # a run of one character


@dataclass(frozen=True)
class PdfPage:
    """One page: its number (1-based), size in points, its text line by line (``lines``, as the reader
    found them) and its runs of characters with their positions."""

    number: int
    width: float
    height: float
    chars: tuple[PdfRun, ...]
    lines: tuple[str, ...] = ()

    @property
    def portrait_a4(self) -> bool:
        """An A4 portrait page: the only kind the 28 × 22 grid applies to (forms may be landscape)."""
        return abs(self.width - 210 * MM) < 3 and abs(self.height - 297 * MM) < 3

    def text(self) -> str:
        """Every character on the page (its lines joined)."""
        return "".join(self.lines) if self.lines else "".join(c.text for c in self.chars)
