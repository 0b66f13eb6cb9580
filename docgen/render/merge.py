"""Many documents per LibreOffice load: merge .docx packages into one, split the PDF back.

Loading a document is most of LibreOffice's cost, so the converter pool merges a chunk of documents rendered
from the same template into one package, converts it once, and cuts the PDF at each document's first page:

    merged = merge_documents([a, b, c])          # one .docx, one section (or more) per document
    pdf = convert(merged, bookmarks=True)        # Writer bookmarks become PDF named destinations
    starts = document_starts(pdf, 3)             # first page index of each document
    parts = split_pdf(pdf, starts)               # one PDF per document

Each document ends with a section break (``w:type nextPage``) whose ``w:pgNumType w:start="1"`` restarts page
numbering, and starts with a bookmark ``docgenDocStartNNNNN`` that survives into the PDF.

Pure functions on bytes (the PDF is read and cut with pdfium). ``merge_documents`` raises ``MergeError`` when
the packages differ in a part it cannot merge (styles, numbering definitions, settings, footnotes...): the
caller then converts one by one.
"""

from __future__ import annotations

import copy
import ctypes
import io
import itertools
import posixpath
import re
import struct
import zipfile
import zlib
from collections.abc import Iterator, MutableMapping, Sequence

import pypdfium2 as pdfium
import pypdfium2.raw as pdfium_c
from lxml import etree

from docgen.errors import DocgenError
from docgen.render.pdf_text import PDFIUM_LOCK

W = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"
R = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
WP = "http://schemas.openxmlformats.org/drawingml/2006/wordprocessingDrawing"
PR = "http://schemas.openxmlformats.org/package/2006/relationships"
CT = "http://schemas.openxmlformats.org/package/2006/content-types"
HYPERLINK = "http://schemas.openxmlformats.org/officeDocument/2006/relationships/hyperlink"

MARKER_PREFIX = "docgenDocStart"  # letters and digits only: LibreOffice escapes "_" in PDF names
DOCUMENT = "word/document.xml"
NUMBERING = "word/numbering.xml"
# Parts every document has once; they must be identical across the merged documents.
SINGLETON_TYPES = frozenset(
    {
        "styles",
        "numbering",
        "settings",
        "webSettings",
        "fontTable",
        "theme",
        "footnotes",
        "endnotes",
        "comments",
        "stylesWithEffects",
        "customXml",
        "glossaryDocument",
    }
)
# Attributes in the r: namespace that hold relationship ids.
REL_ATTRS = ("id", "embed", "link", "pict", "dm", "lo", "qs", "cs")
_REL_ATTR_VALUES = etree.XPath(
    f"descendant-or-self::*/@*[namespace-uri() = '{R}' and ("
    + " or ".join(f"local-name() = '{a}'" for a in REL_ATTRS)
    + ")]"
)


class MergeError(DocgenError):
    """The documents cannot be merged into one package (they do not come from the same template)."""


def _w(tag: str) -> str:
    return f"{{{W}}}{tag}"


def _parse(data: bytes) -> etree._Element:
    parser = etree.XMLParser(resolve_entities=False, no_network=True, huge_tree=True)
    return etree.fromstring(data, parser)


def _rels_name(part: str) -> str:
    folder, name = posixpath.split(part)
    return posixpath.join(folder, "_rels", name + ".rels")


def _resolve(source_part: str, target: str) -> str:
    if target.startswith("/"):
        return target.lstrip("/")
    return posixpath.normpath(posixpath.join(posixpath.dirname(source_part), target))


class _Parts(MutableMapping[str, bytes]):
    """A package's parts by name, inflated on first use. Most parts of a merged document are only compared
    with the first document's (styles, settings, theme, fonts…) or not read at all; a part stored with the
    same compressed bytes is the same part, so :meth:`same` compares those without inflating them (docgen's
    renderer stores a template's static parts compressed once, so they match byte for byte)."""

    def __init__(self, data: bytes, index: int) -> None:
        self._data = data
        self._index = index
        try:
            self._zip = zipfile.ZipFile(io.BytesIO(data))
            self._stored = {i.filename: i for i in self._zip.infolist() if not i.is_dir()}
        except (zipfile.BadZipFile, RuntimeError, ValueError) as exc:
            raise MergeError(f"document {index}: not a readable .docx package ({exc})") from exc
        self._names = dict.fromkeys(self._stored)
        self._inflated: dict[str, bytes] = {}

    def __getitem__(self, name: str) -> bytes:
        if name in self._inflated:
            return self._inflated[name]
        info = self._stored[name]  # KeyError: no such part
        try:
            data = self._zip.read(info)
        except (zipfile.BadZipFile, RuntimeError, ValueError, zlib.error) as exc:
            raise MergeError(f"document {self._index}: part {name} cannot be read ({exc})") from exc
        self._inflated[name] = data
        return data

    def __setitem__(self, name: str, data: bytes) -> None:
        self._stored.pop(name, None)  # replaced: its stored bytes are no longer the part
        self._inflated[name] = data
        self._names[name] = None

    def __delitem__(self, name: str) -> None:
        del self._names[name]
        self._stored.pop(name, None)
        self._inflated.pop(name, None)

    def __iter__(self) -> Iterator[str]:
        return iter(self._names)

    def __len__(self) -> int:
        return len(self._names)

    def __contains__(self, name: object) -> bool:
        return name in self._names

    def _raw(self, name: str) -> tuple[int, int, bytes] | None:
        """(compression, CRC, compressed bytes) of a part as stored; None once replaced or when absent."""
        info = self._stored.get(name)
        if info is None:
            return None
        at = info.header_offset
        name_length, extra_length = struct.unpack("<HH", self._data[at + 26 : at + 30])
        start = at + 30 + name_length + extra_length
        return info.compress_type, info.CRC, self._data[start : start + info.compress_size]

    def same(self, name: str, other: _Parts, other_name: str | None = None) -> bool:
        """Whether part ``name`` here equals ``other_name`` (default: the same name) of ``other``; both absent
        counts as equal."""
        other_name = other_name or name
        mine, theirs = self._raw(name), other._raw(other_name)
        if mine is not None and mine == theirs:
            return True
        return self.get(name) == other.get(other_name)


class _Package:
    """A docx as a mapping of part names to bytes (:class:`_Parts`), with the document parsed."""

    def __init__(self, data: bytes, index: int) -> None:
        self.parts = _Parts(data, index)
        if DOCUMENT not in self.parts:
            raise MergeError(f"document {index}: no {DOCUMENT}")
        self.index = index
        self.document = _parse(self.parts[DOCUMENT])
        self.rels = self.load_rels(DOCUMENT)

    def load_rels(self, part: str) -> etree._Element:
        name = _rels_name(part)
        if name in self.parts:
            return _parse(self.parts[name])
        return etree.Element(f"{{{PR}}}Relationships", nsmap={None: PR})


class _Merger:
    def __init__(self, base: _Package) -> None:
        self.base = base
        self.body = base.document.find(_w("body"))
        if self.body is None:
            raise MergeError("document 0: no w:body")
        self.content_types = _parse(base.parts["[Content_Types].xml"])
        self.rel_ids = {r.get("Id", "") for r in base.rels}
        self.numbering = _parse(base.parts[NUMBERING]) if NUMBERING in base.parts else None
        self.next_bookmark = 1 + max(
            (_int(e.get(_w("id"))) for e in base.document.iter(_w("bookmarkStart"), _w("bookmarkEnd"))),
            default=0,
        )
        self.next_docpr = 1 + max(
            (_int(e.get("id")) for e in base.document.iter(f"{{{WP}}}docPr")), default=0
        )
        self.next_num = 1 + max(
            (_int(n.get(_w("numId"))) for n in self.numbering.iter(_w("num")))
            if self.numbering is not None
            else (),
            default=0,
        )

    # -- relationships and parts -------------------------------------------------------------------
    def fresh_rel_id(self) -> str:
        n = len(self.rel_ids) + 1
        while f"rIdM{n}" in self.rel_ids:
            n += 1
        rid = f"rIdM{n}"
        self.rel_ids.add(rid)
        return rid

    def fresh_part_name(self, name: str) -> str:
        stem, ext = posixpath.splitext(name)
        n = 1
        while f"{stem}_m{n}{ext}" in self.base.parts:
            n += 1
        return f"{stem}_m{n}{ext}"

    def import_part(self, pkg: _Package, name: str, seen: dict[str, str]) -> str:
        """Bring part ``name`` of ``pkg`` into the base package; return its name there."""
        if name in seen:
            return seen[name]
        if name not in pkg.parts:
            raise MergeError(f"document {pkg.index}: relationship to missing part {name}")
        rels_name = _rels_name(name)
        if pkg.parts.same(name, self.base.parts) and pkg.parts.same(rels_name, self.base.parts):
            seen[name] = name
            return name
        new = self.fresh_part_name(name)
        seen[name] = new
        self.base.parts[new] = pkg.parts[name]
        self.copy_content_type(pkg, name, new)
        if rels_name in pkg.parts:
            rels = _parse(pkg.parts[rels_name])
            for rel in rels:
                if rel.get("TargetMode") == "External":
                    continue
                target = _resolve(name, rel.get("Target", ""))
                imported = self.import_part(pkg, target, seen)
                rel.set("Target", "/" + imported)
            self.base.parts[_rels_name(new)] = etree.tostring(rels, xml_declaration=True, encoding="UTF-8")
        return new

    def copy_content_type(self, pkg: _Package, old: str, new: str) -> None:
        src_ct = _parse(pkg.parts["[Content_Types].xml"])
        for o in src_ct.iter(f"{{{CT}}}Override"):
            if o.get("PartName") == "/" + old:
                e = etree.SubElement(self.content_types, f"{{{CT}}}Override")
                e.set("PartName", "/" + new)
                e.set("ContentType", o.get("ContentType", ""))
                return
        ext = posixpath.splitext(new)[1].lstrip(".").lower()
        defaults = {d.get("Extension", "").lower() for d in self.content_types.iter(f"{{{CT}}}Default")}
        if ext in defaults:
            return
        for d in src_ct.iter(f"{{{CT}}}Default"):
            if d.get("Extension", "").lower() == ext:
                self.content_types.insert(0, copy.deepcopy(d))
                return
        raise MergeError(f"document {pkg.index}: no content type for {old}")

    def map_relationships(self, pkg: _Package) -> dict[str, str]:
        """Old relationship id in ``pkg`` -> id in the base package (adding relationships as needed)."""
        base_by_id = {r.get("Id"): r for r in self.base.rels}
        mapping: dict[str, str] = {}
        seen: dict[str, str] = {}
        for rel in pkg.rels:
            rid, rtype = rel.get("Id", ""), rel.get("Type", "")
            kind = rtype.rsplit("/", 1)[-1]
            external = rel.get("TargetMode") == "External"
            if kind in SINGLETON_TYPES:
                target = _resolve(DOCUMENT, rel.get("Target", ""))
                if kind == "numbering" and self.numbering is not None:
                    if not pkg.parts.same(target, self.base.parts, NUMBERING) and not _same_abstract_numbering(
                        self.base.parts.get(NUMBERING), pkg.parts.get(target)
                    ):
                        raise MergeError(
                            f"document {pkg.index}: numbering definitions differ from document 0"
                        )
                elif not pkg.parts.same(target, self.base.parts):
                    raise MergeError(f"document {pkg.index}: part {target} differs from document 0")
                continue
            same = base_by_id.get(rid)
            if (
                same is not None
                and same.get("Type") == rtype
                and same.get("Target") == rel.get("Target")
                and same.get("TargetMode") == rel.get("TargetMode")
                and (external or self.base.parts.get(_resolve(DOCUMENT, same.get("Target", ""))) is not None)
            ):
                if external:
                    mapping[rid] = rid
                    continue
                target = _resolve(DOCUMENT, rel.get("Target", ""))
                if self.import_part(pkg, target, seen) == target:
                    mapping[rid] = rid
                    continue
            new_rel = etree.SubElement(self.base.rels, f"{{{PR}}}Relationship")
            new_id = self.fresh_rel_id()
            new_rel.set("Id", new_id)
            new_rel.set("Type", rtype)
            if external:
                new_rel.set("Target", rel.get("Target", ""))
                new_rel.set("TargetMode", "External")
            else:
                target = _resolve(DOCUMENT, rel.get("Target", ""))
                new_rel.set("Target", "/" + self.import_part(pkg, target, seen))
            mapping[rid] = new_id
        return mapping

    # -- body --------------------------------------------------------------------------------------
    def renumber(self, elements: list[etree._Element], pkg: _Package) -> None:
        # bookmark ids: keep start/end pairs together
        ids: dict[str, str] = {}
        for el in elements:
            for bm in el.iter(_w("bookmarkStart"), _w("bookmarkEnd")):
                old = bm.get(_w("id"), "")
                if old not in ids:
                    ids[old] = str(self.next_bookmark)
                    self.next_bookmark += 1
                bm.set(_w("id"), ids[old])
            for dp in el.iter(f"{{{WP}}}docPr"):
                dp.set("id", str(self.next_docpr))
                self.next_docpr += 1

    def restart_lists(self, elements: list[etree._Element]) -> None:
        """Give the appended document its own list instances, so its numbering starts again at 1."""
        if self.numbering is None:
            return
        nums = {n.get(_w("numId")): n for n in self.numbering.iter(_w("num"))}
        new_ids: dict[str, str] = {}
        for el in elements:
            for ref in el.iter(_w("numId")):
                old = ref.get(_w("val"), "")
                if old == "0" or old not in nums:
                    continue
                if old not in new_ids:
                    clone = copy.deepcopy(nums[old])
                    new_id = str(self.next_num)
                    self.next_num += 1
                    clone.set(_w("numId"), new_id)
                    abstract = clone.find(_w("abstractNumId"))
                    has_override = {o.get(_w("ilvl")) for o in clone.findall(_w("lvlOverride"))}
                    starts = _abstract_starts(
                        self.numbering, abstract.get(_w("val")) if abstract is not None else None
                    )
                    for lvl, start in starts.items():
                        if lvl in has_override:
                            continue
                        o = etree.SubElement(clone, _w("lvlOverride"))
                        o.set(_w("ilvl"), lvl)
                        etree.SubElement(o, _w("startOverride")).set(_w("val"), start)
                    self.numbering.append(clone)
                    new_ids[old] = new_id
                ref.set(_w("val"), new_ids[old])

    def append(self, pkg: _Package) -> None:
        body = pkg.document.find(_w("body"))
        if body is None:
            raise MergeError(f"document {pkg.index}: no w:body")
        mapping = self.map_relationships(pkg)
        elements = list(body)  # moved, not copied: the package is not used after it is appended
        for el in elements:
            # One XPath for the r: attributes instead of eight look-ups on every node (most of the merge's
            # time in the batch's process when it was a Python loop).
            for value in _REL_ATTR_VALUES(el):
                if value not in mapping:
                    raise MergeError(f"document {pkg.index}: unknown relationship id {value}")
                value.getparent().set(value.attrname, mapping[value])
        self.renumber(elements, pkg)
        self.restart_lists(elements)
        final = self.body[-1] if len(self.body) and self.body[-1].tag == _w("sectPr") else None
        for el in elements:
            if final is not None:
                final.addprevious(el)
            else:
                self.body.append(el)


def _int(value: str | None) -> int:
    try:
        return int(value or 0)
    except ValueError:
        return 0


def _abstract_starts(numbering: etree._Element, abstract_id: str | None) -> dict[str, str]:
    for a in numbering.iter(_w("abstractNum")):
        if a.get(_w("abstractNumId")) == abstract_id:
            out = {}
            for lvl in a.findall(_w("lvl")):
                start = lvl.find(_w("start"))
                out[lvl.get(_w("ilvl"), "0")] = start.get(_w("val"), "1") if start is not None else "1"
            return out
    return {}


def _same_abstract_numbering(a: bytes | None, b: bytes | None) -> bool:
    if a == b:
        return True
    if a is None or b is None:
        return False
    xa, xb = _parse(a), _parse(b)
    return [etree.tostring(e) for e in xa.iter(_w("abstractNum"))] == [
        etree.tostring(e) for e in xb.iter(_w("abstractNum"))
    ] and [etree.tostring(e) for e in xa.iter(_w("num"))] == [etree.tostring(e) for e in xb.iter(_w("num"))]


def _prepare(pkg: _Package, marker: str, last: bool) -> None:
    """Mark the document's start and make its last section a page-numbering restart."""
    body = pkg.document.find(_w("body"))
    if body is None:
        raise MergeError(f"document {pkg.index}: no w:body")
    final = body[-1] if len(body) and body[-1].tag == _w("sectPr") else None
    if final is None:
        final = etree.SubElement(body, _w("sectPr"))
    # The first section of the document restarts page numbering at 1 and begins on a new page.
    first_sect = next((s for s in body.iter(_w("sectPr"))), final)
    _restart(first_sect)
    _restart(final)
    # Marker bookmark in the first paragraph (possibly inside a table).
    first_p = next(body.iter(_w("p")), None)
    if first_p is None:
        first_p = etree.Element(_w("p"))
        body.insert(0, first_p)
    ppr = first_p.find(_w("pPr"))
    start = etree.Element(_w("bookmarkStart"))
    start.set(_w("id"), "0")
    start.set(_w("name"), marker)
    end = etree.Element(_w("bookmarkEnd"))
    end.set(_w("id"), "0")
    pos = 0 if ppr is None else list(first_p).index(ppr) + 1
    first_p.insert(pos, end)
    first_p.insert(pos, start)
    # Give the bookmark an id of its own, above any the document uses.
    top = 1 + max(
        (_int(e.get(_w("id"))) for e in body.iter(_w("bookmarkStart"), _w("bookmarkEnd"))), default=0
    )
    start.set(_w("id"), str(top))
    end.set(_w("id"), str(top))
    if last:
        return
    # Section break: the body-level sectPr moves into the last paragraph (one is added after a table).
    body.remove(final)
    last_el = body[-1] if len(body) else None
    if last_el is None or last_el.tag != _w("p") or last_el.find(f"{_w('pPr')}/{_w('sectPr')}") is not None:
        last_el = etree.SubElement(body, _w("p"))
    ppr = last_el.find(_w("pPr"))
    if ppr is None:
        ppr = etree.Element(_w("pPr"))
        last_el.insert(0, ppr)
    ppr.append(final)  # w:sectPr comes last in w:pPr except w:pPrChange
    change = ppr.find(_w("pPrChange"))
    if change is not None:
        ppr.remove(change)
        ppr.append(change)


def _restart(sect: etree._Element) -> None:
    # Schema order inside w:sectPr: ... w:type, w:pgSz, w:pgMar, ..., w:pgNumType, w:cols ... ; LibreOffice
    # reads them in any order, so the new ones go where the schema wants them when easy.
    typ = sect.find(_w("type"))
    if typ is None:
        typ = etree.Element(_w("type"))
        refs = [
            c
            for c in sect
            if c.tag in (_w("headerReference"), _w("footerReference"), _w("footnotePr"), _w("endnotePr"))
        ]
        if refs:
            refs[-1].addnext(typ)
        else:
            sect.insert(0, typ)
    typ.set(_w("val"), "nextPage")
    num = sect.find(_w("pgNumType"))
    if num is None:
        num = etree.Element(_w("pgNumType"))
        anchor = sect.find(_w("cols"))
        if anchor is not None:
            anchor.addprevious(num)
        else:
            sect.append(num)
    num.set(_w("start"), "1")


def marker_name(index: int) -> str:
    return f"{MARKER_PREFIX}{index:05d}"


def merge_documents(docx_list: Sequence[bytes]) -> bytes:
    """Concatenate .docx packages rendered from the same template into one .docx.

    The first package is the base (styles, numbering, settings, headers...). Every other document's body is
    appended after it, with relationships (images, headers, footers, hyperlinks) re-pointed, bookmark and
    drawing ids kept unique, and list numbering restarted. Each document begins with the bookmark
    ``marker_name(i)`` and ends with a section break that restarts page numbering at 1.

    Raises ``MergeError`` when a package is unreadable or differs from the first in a part that exists once
    per document (styles, numbering definitions, settings, footnotes, comments...).
    """
    if not docx_list:
        raise MergeError("nothing to merge")
    packages = [_Package(d, i) for i, d in enumerate(docx_list)]
    for i, pkg in enumerate(packages):
        _prepare(pkg, marker_name(i), last=i == len(packages) - 1)
    merger = _Merger(packages[0])
    for pkg in packages[1:]:
        merger.append(pkg)
    base = merger.base
    base.parts[DOCUMENT] = etree.tostring(
        base.document, xml_declaration=True, encoding="UTF-8", standalone=True
    )
    base.parts[_rels_name(DOCUMENT)] = etree.tostring(base.rels, xml_declaration=True, encoding="UTF-8")
    base.parts["[Content_Types].xml"] = etree.tostring(
        merger.content_types, xml_declaration=True, encoding="UTF-8"
    )
    if merger.numbering is not None:
        base.parts[NUMBERING] = etree.tostring(merger.numbering, xml_declaration=True, encoding="UTF-8")
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as z:
        z.writestr("[Content_Types].xml", base.parts["[Content_Types].xml"])
        for name, data in base.parts.items():
            if name != "[Content_Types].xml":
                z.writestr(name, data)
    return out.getvalue()


_MARKER_RE = re.compile(rf"^{MARKER_PREFIX}(\d+)$")


def document_starts(pdf_bytes: bytes, count: int) -> list[int]:
    """First page index (0-based) of each merged document, from the PDF's named destinations.

    Raises ``MergeError`` unless exactly ``count`` markers are found on strictly increasing pages.
    """
    starts, _, _ = split_merged_pdf(pdf_bytes, count, cut=False)
    return starts


def split_pdf(pdf_bytes: bytes, starts: Sequence[int]) -> list[bytes]:
    """Cut a PDF into parts; part ``i`` holds pages ``starts[i]`` up to ``starts[i+1]`` (or the end)."""
    with PDFIUM_LOCK:
        doc = pdfium.PdfDocument(pdf_bytes)
        try:
            return _cut(doc, starts)
        finally:
            doc.close()


def split_merged_pdf(pdf_bytes: bytes, count: int, *, cut: bool = True) -> tuple[list[int], list[bytes], int]:
    """:func:`document_starts` and :func:`split_pdf` in one load of the PDF: the first page of each of the
    ``count`` documents, (with ``cut``) their PDFs, and the PDF's page count.

    pdfium rather than pypdf: the batch cuts every chunk it converts, and pypdf took 2.6–3.4 ms a document
    of a 40-agreement chunk in the batch's Python process (which shares the cores with LibreOffice), pdfium
    0.3–0.45 ms for the same bytes-for-bytes text, fonts and size (docs/benchmarks.md). Raises ``MergeError``.
    """
    with PDFIUM_LOCK:
        try:
            doc = pdfium.PdfDocument(pdf_bytes)
        except pdfium.PdfiumError as exc:
            raise MergeError(f"cannot read the merged PDF: {exc}") from None
        try:
            starts = _marker_pages(doc, count)
            return starts, (_cut(doc, starts) if cut else []), len(doc)
        finally:
            doc.close()


def _marker_pages(doc: pdfium.PdfDocument, count: int) -> list[int]:
    found: dict[int, int] = {}
    size = ctypes.c_long(0)
    for i in range(pdfium_c.FPDF_CountNamedDests(doc.raw)):
        size.value = 0
        pdfium_c.FPDF_GetNamedDest(doc.raw, i, None, ctypes.byref(size))
        buffer = ctypes.create_string_buffer(max(2, size.value))
        dest = pdfium_c.FPDF_GetNamedDest(doc.raw, i, buffer, ctypes.byref(size))
        name = buffer.raw[: size.value].decode("utf-16-le", "ignore").rstrip("\x00")
        m = _MARKER_RE.match(name.lstrip("/"))
        if m and dest:
            page = pdfium_c.FPDFDest_GetDestPageIndex(doc.raw, dest)
            if page >= 0:
                found[int(m.group(1))] = page
    starts = [found[i] for i in range(count) if i in found]
    if len(found) != count or len(starts) != count:
        raise MergeError(f"expected {count} document markers in the PDF, found {len(found)}")
    if starts[0] != 0 or any(b <= a for a, b in itertools.pairwise(starts)):
        raise MergeError(f"document markers are not on increasing pages: {starts}")
    return starts


def _cut(doc: pdfium.PdfDocument, starts: Sequence[int]) -> list[bytes]:
    total = len(doc)
    parts: list[bytes] = []
    for lo, hi in itertools.pairwise([*starts, total]):
        if not 0 <= lo < hi <= total:
            raise MergeError(f"bad page range {lo}..{hi} in a PDF of {total} pages")
        part = pdfium.PdfDocument.new()
        try:
            part.import_pages(doc, list(range(lo, hi)))
            buf = io.BytesIO()
            part.save(buf)
        finally:
            part.close()
        parts.append(buf.getvalue())
    return parts
