"""Chinese text in a python-docx run: the one place that gives run properties a Chinese font.

python-docx's ``font.name`` writes ``w:ascii`` and ``w:hAnsi`` but leaves ``w:eastAsia`` alone, so Chinese
text silently keeps another font (a Latin face, or whatever the style says). :func:`set_cjk_font` sets
every slot and tags East Asian text zh-CN; the Latin language is left to the document defaults, because
LibreOffice breaks lines inside numbers when it is zh-CN too.

The built-in templates are Word files with their own styles (``docs/templates.md``); this is for documents
built in code (the 台账, test fixtures, benchmarks).
"""

from __future__ import annotations

from typing import Any

from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import Pt


def set_cjk_font(rpr: Any, face: str, *, size: float | None = None, bold: bool = False) -> None:
    """Set ``face`` for every script of run properties ``rpr`` (a ``w:rPr``: a run's or a paragraph mark's).

    ``size`` is in points (None keeps what is there); ``bold`` adds ``w:b``. The elements land in the
    order the schema requires, whatever ``rpr`` already holds.
    """
    fonts = rpr.get_or_add_rFonts()
    for slot in ("w:ascii", "w:hAnsi", "w:eastAsia"):
        fonts.set(qn(slot), face)
    if bold:
        rpr.get_or_add_b()
    if size is not None:
        rpr.sz_val = Pt(size)
    lang = rpr.find(qn("w:lang"))
    if lang is None:
        lang = OxmlElement("w:lang")
        rpr.insert_element_before(lang, "w:eastAsianLayout", "w:specVanish", "w:oMath")
    lang.set(qn("w:eastAsia"), "zh-CN")


def cjk_run(paragraph: Any, text: str, face: str, *, size: float | None = None, bold: bool = False) -> Any:
    """Add a run of ``text`` to python-docx ``paragraph`` in Chinese font ``face``; returns the run."""
    run = paragraph.add_run(text)
    set_cjk_font(run._r.get_or_add_rPr(), face, size=size, bold=bold)
    return run
