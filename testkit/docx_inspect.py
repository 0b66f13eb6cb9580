"""Read the layout of a .docx straight from its XML (zipfile + lxml), for tests.

python-docx answers many of these questions too, but it hides what we want to pin down: which attributes
are really in the file (``w:eastAsia`` on a run, ``w:firstLineChars``, the docGrid), so a test can say
exactly what Word and LibreOffice will read. Lengths are returned as the raw integers of the XML (twips,
half-points, 1/4096 pt).
"""

from __future__ import annotations

import zipfile
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path

from lxml import etree

W = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"
R = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
NS = {"w": W, "r": R}
CORE_NS = {
    "cp": "http://schemas.openxmlformats.org/package/2006/metadata/core-properties",
    "dc": "http://purl.org/dc/elements/1.1/",
    "dcterms": "http://purl.org/dc/terms/",
}


def _w(name: str) -> str:
    return f"{{{W}}}{name}"


def _int(value: str | None) -> int | None:
    return int(value) if value is not None else None


@cache
def _parts(path: Path, stamp: float) -> dict[str, bytes]:
    with zipfile.ZipFile(path) as z:
        return {name: z.read(name) for name in z.namelist() if name.endswith((".xml", ".rels"))}


def part(path: Path | str, name: str) -> etree._Element | None:
    """The parsed XML of part ``name`` (``word/document.xml``), or None when the package lacks it."""
    path = Path(path)
    blob = _parts(path, path.stat().st_mtime).get(name)
    return etree.fromstring(blob) if blob is not None else None


def _require(path: Path | str, name: str) -> etree._Element:
    root = part(path, name)
    if root is None:
        raise AssertionError(f"{path}: no part {name}")
    return root


def _sect_pr(path: Path | str) -> etree._Element:
    sect = _require(path, "word/document.xml").find("w:body/w:sectPr", NS)
    if sect is None:
        raise AssertionError(f"{path}: the body has no final w:sectPr")
    return sect


# --- page set-up ---------------------------------------------------------------------------------------


def page_setup(path: Path | str) -> dict[str, int | None]:
    """Page size and margins in twips: width, height, top, bottom, left, right, header, footer, gutter."""
    sect = _sect_pr(path)
    size = sect.find("w:pgSz", NS)
    margins = sect.find("w:pgMar", NS)
    result = {"width": _int(size.get(_w("w"))), "height": _int(size.get(_w("h")))}
    for key in ("top", "bottom", "left", "right", "header", "footer", "gutter"):
        result[key] = _int(margins.get(_w(key)))
    return result


def doc_grid(path: Path | str) -> dict[str, str | None]:
    """The section's ``w:docGrid`` attributes: type, linePitch, charSpace (as strings, None if absent)."""
    grid = _sect_pr(path).find("w:docGrid", NS)
    if grid is None:
        return {"type": None, "linePitch": None, "charSpace": None}
    return {key: grid.get(_w(key)) for key in ("type", "linePitch", "charSpace")}


def settings(path: Path | str) -> dict[str, object]:
    """The settings the official format needs: even/odd footers and the East Asian theme language."""
    root = _require(path, "word/settings.xml")
    theme_lang = root.find("w:themeFontLang", NS)
    return {
        "even_and_odd_headers": root.find("w:evenAndOddHeaders", NS) is not None,
        "theme_font_lang_east_asia": theme_lang.get(_w("eastAsia")) if theme_lang is not None else None,
    }


# --- runs, paragraphs and styles -----------------------------------------------------------------------


@dataclass(frozen=True)
class RunInfo:
    """One ``w:r`` with the properties set directly on it (not inherited)."""

    text: str
    paragraph_style: str | None
    char_style: str | None
    fonts: dict[str, str]  # ascii / hAnsi / eastAsia / cs → name
    size: int | None  # half-points
    lang: dict[str, str]  # val / eastAsia / bidi
    is_field_code: bool = False


@dataclass(frozen=True)
class ParagraphInfo:
    style: str | None
    text: str
    jc: str | None
    ind: dict[str, str] = field(default_factory=dict)
    runs: tuple[RunInfo, ...] = ()


def _attrs(element: etree._Element | None) -> dict[str, str]:
    if element is None:
        return {}
    return {etree.QName(k).localname: v for k, v in element.attrib.items()}


def _run_info(run: etree._Element, paragraph_style: str | None) -> RunInfo:
    rpr = run.find("w:rPr", NS)
    fonts = _attrs(rpr.find("w:rFonts", NS)) if rpr is not None else {}
    fonts.pop("hint", None)
    size = rpr.find("w:sz", NS) if rpr is not None else None
    rstyle = rpr.find("w:rStyle", NS) if rpr is not None else None
    text = "".join(t.text or "" for t in run.iter(_w("t")))
    return RunInfo(
        text=text,
        paragraph_style=paragraph_style,
        char_style=rstyle.get(_w("val")) if rstyle is not None else None,
        fonts=fonts,
        size=_int(size.get(_w("val"))) if size is not None else None,
        lang=_attrs(rpr.find("w:lang", NS)) if rpr is not None else {},
        is_field_code=run.find("w:instrText", NS) is not None or run.find("w:fldChar", NS) is not None,
    )


def _paragraph_info(p: etree._Element) -> ParagraphInfo:
    ppr = p.find("w:pPr", NS)
    style = ppr.find("w:pStyle", NS) if ppr is not None else None
    jc = ppr.find("w:jc", NS) if ppr is not None else None
    style_name = style.get(_w("val")) if style is not None else None
    runs = tuple(_run_info(r, style_name) for r in p.iter(_w("r")))
    return ParagraphInfo(
        style=style_name,
        text="".join(r.text for r in runs),
        jc=jc.get(_w("val")) if jc is not None else None,
        ind=_attrs(ppr.find("w:ind", NS)) if ppr is not None else {},
        runs=runs,
    )


def paragraphs(path: Path | str, part_name: str = "word/document.xml") -> list[ParagraphInfo]:
    root = _require(path, part_name)
    return [_paragraph_info(p) for p in root.iter(_w("p"))]


def runs(path: Path | str, part_name: str = "word/document.xml") -> list[RunInfo]:
    return [run for p in paragraphs(path, part_name) for run in p.runs]


def text(path: Path | str) -> str:
    """The document's text, one line per paragraph."""
    return "\n".join(p.text for p in paragraphs(path))


def text_nodes(path: Path | str, part_name: str = "word/document.xml") -> list[str]:
    """The text of every ``w:t`` (where a Jinja tag split across runs would show)."""
    return [t.text or "" for t in _require(path, part_name).iter(_w("t"))]


@dataclass(frozen=True)
class StyleInfo:
    style_id: str
    type: str
    name: str | None
    based_on: str | None
    fonts: dict[str, str]
    size: int | None
    lang: dict[str, str]
    spacing: dict[str, str]
    ind: dict[str, str]
    jc: str | None
    outline_level: int | None


def styles(path: Path | str) -> dict[str, StyleInfo]:
    root = _require(path, "word/styles.xml")
    result = {}
    for style in root.iterfind("w:style", NS):
        rpr = style.find("w:rPr", NS)
        ppr = style.find("w:pPr", NS)

        def first(parent: etree._Element | None, tag: str) -> etree._Element | None:
            return parent.find(tag, NS) if parent is not None else None

        def val(element: etree._Element | None) -> str | None:
            return element.get(_w("val")) if element is not None else None

        fonts = _attrs(first(rpr, "w:rFonts"))
        fonts.pop("hint", None)
        style_id = style.get(_w("styleId"))
        result[style_id] = StyleInfo(
            style_id=style_id,
            type=style.get(_w("type")),
            name=val(style.find("w:name", NS)),
            based_on=val(style.find("w:basedOn", NS)),
            fonts=fonts,
            size=_int(val(first(rpr, "w:sz"))),
            lang=_attrs(first(rpr, "w:lang")),
            spacing=_attrs(first(ppr, "w:spacing")),
            ind=_attrs(first(ppr, "w:ind")),
            jc=val(first(ppr, "w:jc")),
            outline_level=_int(val(first(ppr, "w:outlineLvl"))),
        )
    return result


def doc_defaults(path: Path | str) -> dict[str, dict[str, str]]:
    """``w:docDefaults``: the rPr's rFonts, sz and lang attributes."""
    root = _require(path, "word/styles.xml")
    rpr = root.find("w:docDefaults/w:rPrDefault/w:rPr", NS)
    if rpr is None:
        return {"fonts": {}, "size": {}, "lang": {}}
    return {
        "fonts": _attrs(rpr.find("w:rFonts", NS)),
        "size": _attrs(rpr.find("w:sz", NS)),
        "lang": _attrs(rpr.find("w:lang", NS)),
    }


# --- footers and core properties -----------------------------------------------------------------------


@dataclass(frozen=True)
class FooterInfo:
    kind: str  # default (odd pages) / even / first
    part_name: str
    paragraphs: tuple[ParagraphInfo, ...]
    field_codes: tuple[str, ...]  # instrText of complex fields and w:instr of simple fields

    @property
    def text(self) -> str:
        return "\n".join(p.text for p in self.paragraphs)


def footers(path: Path | str) -> dict[str, FooterInfo]:
    """The footers the section references, by ``w:type``."""
    rels = _require(path, "word/_rels/document.xml.rels")
    targets = {r.get("Id"): r.get("Target") for r in rels}
    result = {}
    for ref in _sect_pr(path).iterfind("w:footerReference", NS):
        kind = ref.get(_w("type"))
        part_name = "word/" + targets[ref.get(f"{{{R}}}id")].lstrip("/").removeprefix("word/")
        root = _require(path, part_name)
        codes = [t.text or "" for t in root.iter(_w("instrText"))]
        codes += [f.get(_w("instr")) or "" for f in root.iter(_w("fldSimple"))]
        result[kind] = FooterInfo(
            kind=kind,
            part_name=part_name,
            paragraphs=tuple(_paragraph_info(p) for p in root.iter(_w("p"))),
            field_codes=tuple(c.strip() for c in codes),
        )
    return result


def core_properties(path: Path | str) -> dict[str, str]:
    root = part(path, "docProps/core.xml")
    if root is None:
        return {}
    result = {}
    for prefix, ns in CORE_NS.items():
        for child in root:
            if etree.QName(child).namespace == ns:
                result[f"{prefix}:{etree.QName(child).localname}"] = child.text or ""
    return result
