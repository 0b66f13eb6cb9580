"""docgen/render/cjk.py: the one helper that gives a python-docx run a Chinese font (python-docx's
``font.name`` alone leaves ``w:eastAsia`` unset, so Chinese text would keep another face)."""

from __future__ import annotations

import io

from docx import Document
from docx.oxml import OxmlElement
from docx.oxml.ns import qn

from docgen.render.cjk import cjk_run, set_cjk_font


def _children(rpr: object) -> list[str]:
    return [child.tag.split("}")[1] for child in rpr]  # type: ignore[attr-defined]


def test_a_chinese_run_names_its_face_for_every_script_and_survives_a_save() -> None:
    doc = Document()
    cjk_run(doc.add_paragraph(), "彭州市濛阳小学 2019", "仿宋_GB2312", size=16, bold=True)
    buf = io.BytesIO()
    doc.save(buf)
    run = Document(io.BytesIO(buf.getvalue())).paragraphs[0].runs[0]
    rpr = run._r.rPr
    fonts = rpr.find(qn("w:rFonts"))
    assert {slot: fonts.get(qn(f"w:{slot}")) for slot in ("ascii", "hAnsi", "eastAsia")} == dict.fromkeys(
        ("ascii", "hAnsi", "eastAsia"), "仿宋_GB2312"
    )
    assert rpr.find(qn("w:lang")).get(qn("w:eastAsia")) == "zh-CN"
    assert rpr.find(qn("w:lang")).get(qn("w:val")) is None  # Latin text keeps the document's language
    assert run.text == "彭州市濛阳小学 2019" and run.font.size.pt == 16 and run.font.bold is True


def test_existing_run_properties_are_kept_in_schema_order() -> None:
    """A paragraph mark's ``w:rPr`` that already has a colour and a language: nothing is duplicated or misplaced
    (Word refuses a document whose ``w:rFonts`` comes after ``w:color``)."""
    rpr = OxmlElement("w:rPr")
    color = OxmlElement("w:color")
    color.set(qn("w:val"), "FF0000")
    given = OxmlElement("w:lang")
    given.set(qn("w:val"), "en-US")
    rpr.append(color)
    rpr.append(given)
    set_cjk_font(rpr, "黑体", size=10.5)
    set_cjk_font(rpr, "黑体", size=10.5)  # twice: still one of each
    assert _children(rpr) == ["rFonts", "color", "sz", "lang"]
    assert rpr.find(qn("w:sz")).get(qn("w:val")) == "21"  # half-points
    lang = rpr.find(qn("w:lang"))
    assert (lang.get(qn("w:val")), lang.get(qn("w:eastAsia"))) == ("en-US", "zh-CN")
