"""Small python-docx building helpers shared by the tests and the benches."""

from __future__ import annotations

from typing import Any

from docx.oxml.ns import qn
from docx.shared import Pt


def styled_run(paragraph: Any, text: str, font: str, size: float) -> None:
    """Add a run in ``font`` with ``w:eastAsia`` set and zh-CN East Asian language (python-docx sets neither)."""
    run = paragraph.add_run(text)
    run.font.name = font
    run.font.size = Pt(size)
    rpr = run._r.get_or_add_rPr()
    rpr.find(qn("w:rFonts")).set(qn("w:eastAsia"), font)
    rpr.append(rpr.makeelement(qn("w:lang"), {qn("w:val"): "en-US", qn("w:eastAsia"): "zh-CN"}))
