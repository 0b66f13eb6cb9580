"""Read photos, scans and image-only PDFs of returned forms into a :class:`~docgen.extraction.ReadDocument`.

    read_image(data, name)         PNG / JPEG / TIFF (every TIFF page), any Pillow mode, EXIF rotation kept
    read_scanned_pdf(data, name)   each page rendered with pypdfium2 at 200 dpi

Per page (each step a small function; see ``extractors.preprocess`` and ``extractors.grid``)::

    decode → 8-bit RGB → page finding / perspective → stamp-free gray → flat light → deskew → ink mask
           → rulings → tables (blank rows, merged cells) → cell interiors → text-line bands → batched OCR
           → ink outside tables → detected + read lines → TextLines
           → QR code (full page, then 2× corners) + printed ``表单识别码：DG1:…`` → identity_codes

Boxes (``Provenance.bbox``, ``ReadTable.bbox``) are in the coordinates of the ORIGINAL page, so a consumer
can crop the stored file directly: pixels of the decoded image (EXIF orientation applied, one TIFF frame per
page) for images; PDF points (1/72 in, origin top-left, as pdfplumber and the born-digital reader) for
image-only PDFs. The reader works on a straightened page (shrunk, perspective-warped, deskewed); each box is
taken back through the inverse of that page's transform (:class:`SourceFrame`): the four corners of the
rectangle, then their axis-aligned bounding box, clamped to the page. Cells that hold no ink are ``""`` with
confidence 1.0; a cell with ink that reads as nothing gets a low confidence instead, never 1.0.
Hostile input is refused with :class:`~docgen.errors.UnreadableDocument` (too many pixels or pages,
undecodable data). PDFs from outside should be opened in a child process with limits (NOTES: pdfium can
abort the process); that isolation belongs to the caller.
"""

from __future__ import annotations

import io
import logging
import math
import re
import warnings
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field, replace
from functools import partial
from itertools import pairwise
from typing import TypeVar

import cv2
import numpy as np
import numpy.typing as npt
from PIL import Image, ImageOps, UnidentifiedImageError

from docgen.errors import UnreadableDocument
from docgen.extraction import BBox, Cell, InputKind, Provenance, ReadDocument, ReadTable, TextLine
from docgen.upload_links import identity_in
from docgen.values import SURE
from extractors.grid import Grid, GridCell, faint_rulings, find_grids, line_masks, squarely_ruled
from extractors.ocr import OcrEngine, dash_between_numbers, default_engine
from extractors.preprocess import (
    F64,
    PreparedPage,
    binarise,
    flatten_light,
    map_box,
    prepare_page,
    scale_matrix,
    u8,
)
from extractors.seal import (
    SEAL_CONFIDENCE,
    Seal,
    find_seals,
    read_seal_names,
    ring_alone,
    ring_arc,
    ring_free_ink,
    seal_word,
)
from extractors.unbend import Bend, find_bend, unbend_page

log = logging.getLogger(__name__)

U8 = npt.NDArray[np.uint8]

MAX_PIXELS = 60_000_000  # per page; a 600 dpi A3 scan is 70 MP, an A4 at 300 dpi 8.7 MP
MAX_PAGES = 50
PDF_DPI = 200
IDENTITY_RE = re.compile(r"DG1[:：][\w.-]+[:：][\w.-]+[:：]\w+[:：]\d+")


# --------------------------------------------------------------------------------------------- decoding


def to_rgb8(im: Image.Image) -> U8:
    """Any Pillow image as 8-bit RGB: 16/32-bit and float gray scaled down, CMYK and palette converted,
    transparency composited on white (NOTES: RapidOCR reads nothing from CMYK or 16-bit input)."""
    if im.mode.startswith("I") or im.mode == "F":
        a = np.asarray(im, dtype=np.float64)
        if im.mode == "F" and a.size and float(a.max()) <= 1.0:
            a = a * 255.0
        elif im.mode != "F" and a.size and float(a.max()) > 255:
            a = a / 257.0
        g = np.clip(a, 0, 255).astype(np.uint8)
        return np.ascontiguousarray(np.repeat(g[..., None], 3, axis=2))
    if im.mode in ("RGBA", "LA", "PA") or (im.mode == "P" and "transparency" in im.info):
        rgba = im.convert("RGBA")
        white = Image.new("RGBA", rgba.size, (255, 255, 255, 255))
        return np.asarray(Image.alpha_composite(white, rgba).convert("RGB"), dtype=np.uint8)
    return np.asarray(im.convert("RGB"), dtype=np.uint8)


MIN_SIDE = 200  # a page smaller than this (px) cannot hold a readable table


def _check_pixels(w: int, h: int, source: str) -> None:
    """Refuse pages too large to hold in memory safely or too small to read."""
    if w * h > MAX_PIXELS:
        limit = MAX_PIXELS // 1_000_000
        raise UnreadableDocument(f"图像过大（{w}×{h} 像素，超过 {limit} 百万像素上限）", source=source)
    if min(w, h) < MIN_SIDE:
        raise UnreadableDocument(f"图像过小（{w}×{h} 像素），无法识别表格", source=source)


def decode_image(data: bytes, source: str) -> list[U8]:
    """Every page (TIFF frame) of an image file as RGB, EXIF orientation applied; refuses bombs."""
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            with Image.open(io.BytesIO(data)) as im:
                n = int(getattr(im, "n_frames", 1))
                if n > MAX_PAGES:
                    raise UnreadableDocument(f"图像页数过多（{n} 页，上限 {MAX_PAGES}）", source=source)
                pages = []
                for i in range(n):
                    im.seek(i)
                    _check_pixels(im.width, im.height, source)
                    frame = ImageOps.exif_transpose(im) or im
                    pages.append(to_rgb8(frame))
                return pages
    except (Image.DecompressionBombError, Image.DecompressionBombWarning):
        raise UnreadableDocument("图像像素过多（疑似解压炸弹），已拒绝", source=source) from None
    except UnidentifiedImageError:
        raise UnreadableDocument("不是可识别的图像文件", source=source) from None
    except (OSError, ValueError, SyntaxError, EOFError) as e:
        raise UnreadableDocument(f"图像文件已损坏（{type(e).__name__}）", source=source) from None


def render_pdf(data: bytes, source: str, dpi: int = PDF_DPI) -> list[U8]:
    """Every page of a PDF rendered at ``dpi`` (lowered for huge pages so no page exceeds MAX_PIXELS)."""
    return [rgb for rgb, _ in render_pdf_scaled(data, source, dpi)]


def render_pdf_scaled(data: bytes, source: str, dpi: int = PDF_DPI) -> list[tuple[U8, float]]:
    """Like :func:`render_pdf`, with each page's render scale (pixels per PDF point, ``dpi / 72`` unless the
    page is huge): pixel ÷ scale is the page point, origin top-left."""
    import pypdfium2 as pdfium

    try:
        doc = pdfium.PdfDocument(data)
    except pdfium.PdfiumError as e:
        raise UnreadableDocument(f"不是可读的 PDF（{e}）", source=source) from None
    try:
        n = len(doc)
        if n > MAX_PAGES:
            raise UnreadableDocument(f"PDF 页数过多（{n} 页，上限 {MAX_PAGES}）", source=source)
        pages = []
        for i in range(n):
            page = doc[i]
            w_pt, h_pt = page.get_size()
            scale = dpi / 72
            if w_pt * h_pt * scale * scale > MAX_PIXELS:
                scale = (MAX_PIXELS / max(w_pt * h_pt, 1.0)) ** 0.5
            pages.append((np.asarray(page.render(scale=scale).to_pil().convert("RGB"), dtype=np.uint8), scale))
        return pages
    except pdfium.PdfiumError as e:  # a page that opens but does not render: damaged, not a reader bug
        raise UnreadableDocument(f"不是可读的 PDF（{e}）", source=source) from None
    finally:
        doc.close()


# --------------------------------------------------------------------------------------------- geometry


@dataclass(frozen=True)
class SourceFrame:
    """How boxes on the prepared (straightened) page become boxes on the original page.

    ``to_source`` maps prepared-page pixels to original units (image pixels, or PDF points); ``size`` is the
    original page's width and height in those units (boxes are clamped to it). The default is the identity.
    """

    to_source: F64 = field(default_factory=lambda: np.eye(3, dtype=np.float64))
    size: tuple[float, float] | None = None
    bend: Bend | None = None  # the sheet's bend undone after straightening (:mod:`extractors.unbend`)

    @classmethod
    def of(cls, page: PreparedPage, rgb_shape: tuple[int, ...], px_per_unit: float = 1.0,
           turned: F64 | None = None, bend: Bend | None = None) -> SourceFrame:
        """The frame of ``page``, prepared from an RGB page of ``rgb_shape`` rendered at ``px_per_unit``;
        ``turned`` is the quarter turn (:func:`turn_matrix`) applied to that page before preparing it, ``bend``
        the bend undone on it after."""
        to_page = page.to_page @ (turned if turned is not None else np.eye(3)) @ scale_matrix(px_per_unit,
                                                                                                px_per_unit)
        to_source = np.asarray(np.linalg.inv(to_page), dtype=np.float64)
        return cls(to_source, (rgb_shape[1] / px_per_unit, rgb_shape[0] / px_per_unit), bend)

    def box(self, box: tuple[float, float, float, float]) -> BBox:
        """``box`` (prepared-page pixels) as the bounding box of its corners on the original, 0.1 unit."""
        x0, y0, x1, y1 = map_box(self.to_source, self.bend.source_box(box) if self.bend else box, self.size)
        return round(x0, 1), round(y0, 1), round(x1, 1), round(y1, 1)

    def where(self, page_no: int, box: tuple[float, float, float, float]) -> Provenance:
        """Where ``box`` (prepared-page pixels) was read: on the original (:meth:`box`), and as read for
        layout (``Provenance.upright``)."""
        x0, y0, x1, y1 = box
        return Provenance(page=page_no, bbox=self.box(box), upright=(float(x0), float(y0), float(x1), float(y1)))


# --------------------------------------------------------------------------------------------- cells


@dataclass(frozen=True)
class CellSettings:
    """Tunables, relative to the page's long side ``L`` (≈ 2339 px at 200 dpi A4)."""

    inset: float = 1 / 600  # px skipped inside each ruling
    speck: float = 1 / 400  # ink components smaller than (L·speck)² px are noise
    min_ink: float = 1 / 350  # a cell with less than (L·min_ink)² px of ink is blank
    tall_band: float = 1.7  # a text band taller than this × the page's median band is two lines: detect

    def pixels(self, long_side: int) -> tuple[int, int, int]:
        """``(inset, speck, min_ink)`` in pixels on a page whose long side is ``long_side``."""
        return (max(3, round(long_side * self.inset)), max(4, round((long_side * self.speck) ** 2)),
                max(20, round((long_side * self.min_ink) ** 2)))


def text_ink_of(ink: U8, rules: U8) -> tuple[U8, U8]:
    """``(wide_rules, text_ink)``: the rulings widened past their anti-aliased edges, and the ink without them —
    what a cell's text is read from."""
    wide_rules = u8(cv2.dilate(rules, np.ones((5, 5), np.uint8)))
    return wide_rules, u8(cv2.bitwise_and(ink, cv2.bitwise_not(wide_rules)))


@dataclass
class _Band:
    cell: int
    y0: int
    y1: int
    x0: int
    x1: int


_CLOSE3 = np.ones((3, 3), np.uint8)


def _components_filtered(ink: U8, min_area: int) -> U8:
    n, labels, stats, _ = cv2.connectedComponentsWithStats(ink, connectivity=8)
    if n <= 1:
        return ink
    keep = np.zeros(n, dtype=bool)
    keep[1:] = stats[1:, cv2.CC_STAT_AREA] >= min_area
    out: U8 = (keep[labels] * 255).astype(np.uint8)
    return out


def text_bands(ink: U8, gap: int, min_h: int) -> list[tuple[int, int, int, int]]:
    """Text lines in a cell's ink as ``(y0, y1, x0, x1)``: rows with ink, runs joined over gaps ≤ ``gap``."""
    rows = np.flatnonzero(ink.any(axis=1))
    if rows.size == 0:
        return []
    runs: list[list[int]] = [[int(rows[0]), int(rows[0])]]
    for y in rows[1:]:
        if int(y) - runs[-1][1] <= gap + 1:
            runs[-1][1] = int(y)
        else:
            runs.append([int(y), int(y)])
    out = []
    for y0, y1 in runs:
        if y1 - y0 + 1 < min_h:
            continue
        cols = np.flatnonzero(ink[y0:y1 + 1].any(axis=0))
        out.append((y0, y1 + 1, int(cols[0]), int(cols[-1]) + 1))
    return out


_UPRIGHT_BARS = {"1", "l", "I", "|", "丨", "!"}


def leans_like_a_slash(ink: U8) -> bool:
    """Is this ink one stroke rising to the right at 12–40° from the vertical — a ``/``?

    Clerks write ``/`` in a cell for "none"; alone in a cell, blurred and grey, the recogniser reads it as
    ``1`` (or ``l``, ``|``). A ``1``'s stem is upright (its flag and foot are short): a stroke fitted through
    all its ink stays within a few degrees of the vertical.
    """
    pts = cv2.findNonZero(ink)
    if pts is None or len(pts) < 10:
        return False
    (_, _), (w, h), _ = cv2.minAreaRect(pts)
    if max(w, h) < 3 * max(1.0, min(w, h)):
        return False  # not one thin stroke
    vx, vy, _, _ = (float(v) for v in np.asarray(cv2.fitLine(pts, cv2.DIST_L2, 0, 0.01, 0.01)).ravel())
    lean = math.degrees(math.atan2(abs(vx), abs(vy)))
    return 12.0 <= lean <= 40.0 and vx * vy < 0  # image y grows down: rising to the right


FAINT_DEPTH = 24  # grey levels below a blank cell's paper that a pale pencil or ballpoint stroke still reaches
FAINT_SLASH_CONFIDENCE = 0.5
"""A ``/`` seen only on the grey page (too pale for the ink mask) is read, and always reviewed."""
PALE_LINE_CONFIDENCE = 0.6
"""A cell with a line too pale for the ink mask beside what was read (:func:`faint_lines`) is trusted at most
this: its value may be a line short. Read, such lines also caught a ruling's or a seal's pale ink as glyphs, so
they are not read — the reviewer looks."""


def faint_marks(cell_gray: U8) -> U8:
    """What on a cell's grey is darker than its paper by :data:`FAINT_DEPTH`: marks too pale for the ink mask
    (:func:`faint_slash`, :func:`faint_lines`)."""
    paper = float(np.median(cell_gray))
    return u8((cell_gray < paper - FAINT_DEPTH).astype(np.uint8) * 255)


def faint_slash(cell_gray: U8, glyph: int) -> bool:
    """Does a cell that the ink mask found blank hold one pale stroke leaning like a ``/``?

    On a phone photo a ``/`` written in a pale ballpoint falls under the binarisation threshold: the cell
    reads as blank at full confidence, and the "none" the school wrote is lost without a flag. Only a single
    thin, leaning stroke at least ``glyph`` px long counts — the mark clerks write for "none"; specks, the
    paper's texture and a shadow's soft edge are neither thin nor leaning."""
    if cell_gray.size == 0:
        return False
    dark = faint_marks(cell_gray)
    n, labels, stats, _ = cv2.connectedComponentsWithStats(dark, connectivity=8)
    strokes = [k for k in range(1, n) if max(stats[k, cv2.CC_STAT_WIDTH], stats[k, cv2.CC_STAT_HEIGHT]) >= glyph]
    if len(strokes) != 1 or np.count_nonzero(dark) > 2 * int(stats[strokes[0], cv2.CC_STAT_AREA]):
        return False  # several marks, or one among much other grey: not a lone slash
    return leans_like_a_slash(u8((labels == strokes[0]).astype(np.uint8) * 255))


_CJK_CLASS = r"[\u3000-\u303f\u3400-\u9fff\uff00-\uffef]"
_CJK_SPACE = re.compile(rf"(?<={_CJK_CLASS})\s+|\s+(?={_CJK_CLASS})")


def faint_lines(cell_gray: U8, found: Sequence[tuple[int, int]], min_h: int, gap: int, min_ink: int
                ) -> list[tuple[int, int, int, int]]:
    """Lines of a cell too pale for the ink mask, beside the rows ``found`` in it, as ``(y0, y1, x0, x1)`` in
    the cell (``cell_gray``: the cell's grey inside its rulings, rulings whitened).

    A wrapped value's short second line in a thin face on a low-contrast grey scan — the ``人`` of
    ``教师20 / 人``, the ``校`` of ``黑水县扎窝中心 / 校`` — reached 170–210 where the first line reached 140–160
    on paper at 246: the mask kept a few pixels a row of it, the speck filter took those, and the value came
    back sure and a character short. Marks darker than the cell's paper by :data:`FAINT_DEPTH`, away from the
    rows already found, at least ``min_h`` high and ``min_ink`` pixels, are such a line (or a ruling's or a
    seal's pale ink: :data:`PALE_LINE_CONFIDENCE`)."""
    dark = faint_marks(cell_gray)
    h = dark.shape[0]
    for y0, y1 in found:  # the found lines' own pale edges are no line of their own
        pad = max(2, (y1 - y0) // 3)
        dark[max(0, y0 - pad):min(h, y1 + pad)] = 0
    dark = u8(cv2.morphologyEx(dark, cv2.MORPH_CLOSE, _CLOSE3))
    return [(y0, y1, x0, x1) for y0, y1, x0, x1 in text_bands(dark, gap=gap, min_h=min_h)
            if int(np.count_nonzero(dark[y0:y1, x0:x1])) >= min_ink]


SMALL_GLYPH_CONFIDENCE = 0.8
"""A cell whose ink is too little for the blank test (:class:`CellSettings`) but shows a short line of
glyph-sized marks is read from them and always reviewed: the ``1`` of a serial column in a thin face on a grey
scan. The marks passed the ink mask only in pieces, so the reading rests on less than a line's ink."""


def small_glyphs(raw: U8, line_h: float) -> tuple[int, int, int, int] | None:
    """The box ``(x0, y0, x1, y1)`` in a cell of one short line of glyph-sized marks in ``raw`` (the cell's
    text ink before the speck filter), or None.

    A thin single digit on a low-contrast scan passes the ink mask in a few dozen pixels, broken into pieces
    each smaller than a speck: the cell was called blank, sure, and the ``2`` the school's form carried was
    lost without a flag. Pieces are joined over a quarter of a line; a group counts when it is as high as a
    glyph (half a line to a line and a third) and no wider than a glyph and a half, clear of the cell's edge
    (where a ruling's sliver lies). Together the groups must stay one line of at most three glyphs."""
    if not raw.any():
        return None
    k = max(3, round(0.25 * line_h))
    joined = u8(cv2.morphologyEx(raw, cv2.MORPH_CLOSE, np.ones((k, k), np.uint8)))
    n, _, stats, _ = cv2.connectedComponentsWithStats(joined, connectivity=8)
    h, w = raw.shape
    boxes = []
    for j in range(1, n):
        x, y, bw, bh = (int(v) for v in stats[j, :4])
        if not 0.5 * line_h <= bh <= 1.3 * line_h or bw > 1.5 * line_h:
            continue
        if x < 2 or y < 2 or x + bw > w - 2 or y + bh > h - 2:
            continue
        boxes.append((x, y, x + bw, y + bh))
    if not boxes:
        return None
    x0, y0 = min(b[0] for b in boxes), min(b[1] for b in boxes)
    x1, y1 = max(b[2] for b in boxes), max(b[3] for b in boxes)
    if y1 - y0 > 1.3 * line_h or x1 - x0 > 3 * line_h:
        return None
    return x0, y0, x1, y1


def join_lines(parts: Sequence[str]) -> str:
    """Lines of one cell in reading order: Chinese wraps join with nothing, Latin words with a space.

    Spaces next to Chinese characters are dropped (``文具 200套`` → ``文具200套``): they are the typesetter's
    CJK/Latin spacing that OCR reads as a blank, not text someone wrote.
    """
    out = ""
    for p in parts:
        p = _CJK_SPACE.sub("", p.strip())
        if not p:
            continue
        if out and out[-1].isascii() and out[-1].isalpha() and p[0].isascii() and p[0].isalpha():
            out += " "
        out += p
    return out


LINE_SIZED = (0.75, 1.3)  # a line cut from a band is this many times the page's median band high


def _split_lines(band: _Band, text_ink: U8, median_h: float, tall: float) -> list[_Band]:
    """A band taller than ``tall`` × ``median_h`` cut into its lines where they only touch: at the row of least
    ink near each expected gap, when that row holds at most a tenth of the band's fullest row. Lines that
    overlap more than that (a slanted photo, a descender into the next line) stay one band, for the
    detector. A lone character wrapped onto a line of its own (``学`` under ``彭州市丽春镇小``) was lost by the
    detector without a flag; cut here, it is read like any line."""
    h = band.y1 - band.y0
    if h <= tall * median_h:
        return [band]
    ink = text_ink[band.y0:band.y1, band.x0:band.x1]
    rows = np.count_nonzero(ink, axis=1)
    n = max(2, round(h / median_h))
    reach = max(2, round(median_h * 0.3))
    cuts = [0]
    for k in range(1, n):
        at = round(k * h / n)
        lo, hi = max(cuts[-1] + 1, at - reach), min(h - 1, at + reach)
        if lo >= hi:
            return [band]
        y = lo + int(np.argmin(rows[lo:hi]))
        if rows[y] > 0.1 * rows.max():
            return [band]
        cuts.append(y)
    cuts.append(h)
    parts = []
    for a, b in pairwise(cuts):
        on = np.flatnonzero(rows[a:b])
        if on.size == 0:
            continue
        y0, y1 = band.y0 + a + int(on[0]), band.y0 + a + int(on[-1]) + 1
        cols = np.flatnonzero(text_ink[y0:y1, band.x0:band.x1].any(axis=0))
        parts.append(_Band(band.cell, y0, y1, band.x0 + int(cols[0]), band.x0 + int(cols[-1]) + 1))
    if any(not LINE_SIZED[0] * median_h <= p.y1 - p.y0 <= LINE_SIZED[1] * median_h for p in parts):
        return [band]  # not lines of the page's size (a cut through a glyph): the detector decides
    return parts


def own_rulings(rules: U8, grid: Grid, band: int) -> U8:
    """``rules`` where ``grid``'s own rulings run (within ``band`` px of a row's or a column's line), nothing
    elsewhere.

    The ruling mask holds every straight stroke a little longer than a character: a 一 in a cell is one (on a
    200-dpi page a 14-pt 一 is as long as the shortest ruling kept), and whitened with the rulings it was
    lost before the recogniser saw it — ``柳铁中`` for 柳铁一中, read sure, as no hole was left to find."""
    def near(v: int) -> slice:
        return slice(max(0, v - band), v + band + 1)

    x0, y0, x1, y1 = grid.box
    across, down = slice(max(0, x0 - band), x1 + band + 1), slice(max(0, y0 - band), y1 + band + 1)
    keep = np.zeros_like(rules)
    for y in grid.ys:
        keep[near(y), across] = rules[near(y), across]
    for x in grid.xs:
        keep[down, near(x)] = rules[down, near(x)]
    return keep


def read_cells(page: PreparedPage, grid: Grid, rules: U8, engine: OcrEngine, page_no: int,
               s: CellSettings = CellSettings(), frame: SourceFrame = SourceFrame(),
               seals: Sequence[Seal] = ()) -> ReadTable:
    """OCR every cell of ``grid``: blank cells by ink density, the rest band by band in one batch.

    Boxes are reported through ``frame`` (original-page coordinates; identity by default). Text read in a
    cell under one of ``seals`` is trusted at most :data:`~extractors.seal.SEAL_CONFIDENCE`."""
    gray, long_side = page.gray, max(page.gray.shape)
    rules = own_rulings(rules, grid, max(4, long_side // 300))
    clean = gray.copy()
    clean[cv2.dilate(rules, np.ones((3, 3), np.uint8)) > 0] = 255
    wide_rules, text_ink = text_ink_of(page.ink, rules)
    # a seal's ring, cut into arcs by the rulings, is no text: an arc beside a name read as its first stroke
    arcs = ring_alone(gray, seals, wide_rules) if seals else np.zeros_like(text_ink)
    if arcs.any():
        text_ink = u8(cv2.bitwise_and(text_ink, cv2.bitwise_not(arcs)))
        clean[arcs > 0] = 255
    arc_beside: set[int] = set()  # cells with an arc taken out on their text's rows: still under the seal
    pale: set[int] = set()  # cells with a line the ink mask did not keep (faint_lines): what was read may be short
    inset, speck, min_ink = s.pixels(long_side)
    line_gap = max(1, long_side // 800)  # blank rows that part two lines of a cell

    bands: list[_Band] = []
    inks: list[int] = []
    faint: list[int] = []  # cells with too little ink for the blank test: a pale / or small glyphs looked for
    inner = [(x0 + inset, y0 + inset, x1 - inset, y1 - inset) for x0, y0, x1, y1 in (gc.box for gc in grid.cells)]
    for i, (x0, y0, x1, y1) in enumerate(inner):
        if x1 <= x0 or y1 <= y0:
            inks.append(0)
            continue
        # closed first: a thin grey stroke breaks into dots smaller than a speck, and a short second line
        # (人次 under 200余) would vanish whole while the first line reads as a sure, shorter value
        sub = _components_filtered(u8(cv2.morphologyEx(text_ink[y0:y1, x0:x1], cv2.MORPH_CLOSE, _CLOSE3)), speck)
        count = int(np.count_nonzero(sub))
        inks.append(count)
        if count < min_ink and arcs[y0:y1, x0:x1].any():
            arc_beside.add(i)  # blank once the ring was taken out: what lay on the ring is looked at, never sure
        if count < min_ink:
            faint.append(i)
            continue
        found = text_bands(sub, gap=line_gap, min_h=max(4, long_side // 300))
        if found and faint_lines(clean[y0:y1, x0:x1], [(b[0], b[1]) for b in found],
                                 min_h=max(4, round(0.5 * min(b[1] - b[0] for b in found))),
                                 gap=line_gap, min_ink=min_ink):
            pale.add(i)
        for by0, by1, bx0, bx1 in found:
            # The band's width from all text ink on its rows, specks included: a thin 一 or a 、 at either
            # end of a wrapped line can fall under the speck size, and a crop that stops at the last big
            # glyph makes the recogniser drop it without lowering any score.
            cols = np.flatnonzero(text_ink[y0 + by0:y0 + by1, x0:x1].any(axis=0))
            if cols.size:
                bx0, bx1 = min(bx0, int(cols[0])), max(bx1, int(cols[-1]) + 1)
            bands.append(_Band(i, y0 + by0, y0 + by1, x0 + bx0, x0 + bx1))
            # a piece taken for an arc may have been a stroke of the text (a dot of 氵 lying on the ring)
            pad = max(3, round((by1 - by0) * 0.2))
            if arcs[max(0, y0 + by0 - pad):y0 + by1 + pad, x0:x1].any():
                arc_beside.add(i)

    median_h = float(np.median([b.y1 - b.y0 for b in bands])) if bands else 0.0
    if median_h:
        bands = [part for b in bands for part in _split_lines(b, text_ink, median_h, s.tall_band)]
    glyph = max(8, round(0.6 * median_h)) if median_h else max(8, long_side // 120)  # a / spans most of a line
    small: set[int] = set()  # cells read from small glyphs (SMALL_GLYPH_CONFIDENCE)
    slash: set[int] = set()  # cells holding one pale / and nothing else (faint_slash)
    unsure: set[int] = set()  # cells with nothing in the ink mask but a pale glyph's shape: blank, reviewed
    for i in faint:
        x0, y0, x1, y1 = inner[i]
        if faint_slash(clean[y0:y1, x0:x1], glyph):
            slash.add(i)  # the recogniser reads a lone pale / as 7 or 1
            continue
        if not median_h:
            continue
        found_box = small_glyphs(text_ink[y0:y1, x0:x1], median_h)
        if found_box is not None:
            small.add(i)
            bands.append(_Band(i, y0 + found_box[1], y0 + found_box[3], x0 + found_box[0], x0 + found_box[2]))
        elif small_glyphs(faint_marks(clean[y0:y1, x0:x1]), median_h) is not None:
            unsure.add(i)  # a glyph's shape, all of it too pale for the mask: not read (the back page's
            # show-through looks the same), but not sure blank either
    crops: list[U8] = []
    crop_of: list[_Band] = []
    detect: set[int] = set()
    for b in bands:
        h = b.y1 - b.y0
        if median_h and h > s.tall_band * median_h:
            detect.add(b.cell)
            continue
        pv, ph = max(3, round(h * 0.2)), max(6, round(h * 0.4))
        crops.append(clean[max(0, b.y0 - pv):b.y1 + pv, max(0, b.x0 - ph):b.x1 + ph])
        crop_of.append(b)
    read = engine.recognize_lines(crops)

    per_cell: dict[int, list[tuple[int, int, str, float]]] = {}
    # where each cell's text lies: a seal is over the text or not, whatever it covers of the cell around it
    text_box: dict[int, tuple[int, int, int, int]] = {}
    for b in bands:  # with the margin its crop is read with
        pv, ph = max(3, round((b.y1 - b.y0) * 0.2)), max(6, round((b.y1 - b.y0) * 0.4))
        box = (b.x0 - ph, b.y0 - pv, b.x1 + ph, b.y1 + pv)
        x0, y0, x1, y1 = text_box.get(b.cell, box)
        text_box[b.cell] = (min(x0, box[0]), min(y0, box[1]), max(x1, box[2]), max(y1, box[3]))
    for b, (text, score) in zip(crop_of, read, strict=True):
        if seals and seal_word(text, (b.x0, b.y0, b.x1, b.y1), seals):
            continue  # the seal's own word, not a line of the cell (its cap below still applies)
        if seals and score < SURE and ring_arc(text_ink[b.y0:b.y1, b.x0:b.x1], b.x0, b.y0, seals):
            arc_beside.add(b.cell)  # a piece of the ring read unsure: no line of the cell, which stays reviewed
            continue
        if b.cell not in detect:
            per_cell.setdefault(b.cell, []).append((b.y0, b.x0, text, score))
    for i in detect:
        x0, y0, x1, y1 = inner[i]
        lines = engine.recognize(clean[y0:y1, x0:x1])
        per_cell[i] = [(round(bb[1]), round(bb[0]), t, sc) for t, sc, bb in lines
                       if not (seals and seal_word(t, (x0 + bb[0], y0 + bb[1], x0 + bb[2], y0 + bb[3]), seals))]

    cells = []
    for i, gc in enumerate(grid.cells):
        parts = sorted(per_cell.get(i, []))
        if parts:
            text = dash_between_numbers(join_lines([p[2] for p in parts]))
            conf = min(p[3] for p in parts) if text else 0.2
            if text in _UPRIGHT_BARS and i in text_box:
                x0, y0, x1, y1 = (max(0, v) for v in text_box[i])
                if leans_like_a_slash(_components_filtered(text_ink[y0:y1, x0:x1], 1 if i in small else speck)):
                    text = "/"  # the recogniser's doubt stays: a reviewer still looks
        elif i in arc_beside:
            text, conf = "", 0.5
        elif i in slash:
            text, conf = "/", FAINT_SLASH_CONFIDENCE
        elif inks[i] == 0 and i not in unsure:
            text, conf = "", 1.0
        else:  # some ink, too little to read: a mark, a stray stroke, residue
            text, conf = "", 0.5 if inks[i] < min_ink else 0.2
        if text and (i in arc_beside or any(z.touches(text_box.get(i, gc.box)) for z in seals)):
            conf = min(conf, SEAL_CONFIDENCE)
        if i in pale:
            conf = min(conf, PALE_LINE_CONFIDENCE)
        if i in small:
            conf = min(conf, SMALL_GLYPH_CONFIDENCE)
        cells.append(Cell(text=text, row=gc.row, col=gc.col, rowspan=gc.rowspan, colspan=gc.colspan,
                          confidence=round(conf, 4), where=frame.where(page_no, gc.box)))
    return ReadTable(cells=tuple(cells), n_rows=grid.n_rows, n_cols=grid.n_cols, page=page_no,
                     bbox=frame.box(grid.box))


# --------------------------------------------------------------------------------------------- QR and text


def decode_qr(gray: U8) -> tuple[list[str], list[U8]]:
    """QR payloads on the page and their corner polygons: each corner as it is, the whole page (at half size
    first when it is large), then, on a small page (a photo), each corner at 2×. A code is nearly always in
    a corner, and a corner costs a tenth of the page (a 200-dpi grey scan's code was found at half size
    never, on the whole page in 0.12–0.2 s, in its corner in 0.02–0.04 s). A polygon starts at the code's
    own top-left corner and runs clockwise in the code's frame, so it also tells how the page is turned
    (:func:`qr_turn`).

    OpenCV's classic detector misses about one clean code in 40 (it depends on the payload's module
    pattern, so one upload link decodes and the next does not); its ArUco-based detector reads those, so
    each image is tried with both before the next one.
    """
    found: list[str] = []
    polys: list[U8] = []

    def attempt(img: U8, dx: int, dy: int, scale: float) -> None:
        for det in _QR_DETECTORS:
            try:
                ok, texts, points, _ = det.detectAndDecodeMulti(img)
            except cv2.error:
                continue
            if not ok or points is None:
                continue
            for t, p in zip(texts, np.asarray(points).reshape(-1, 4, 2), strict=False):
                if t and t not in found:
                    found.append(str(t))
                    polys.append((p / scale + np.array([dx, dy])).astype(np.int32))
            if found:
                return

    h, w = gray.shape
    ch, cw = int(h * 0.4), int(w * 0.35)
    corners = ((0, w - cw), (0, 0), (h - ch, w - cw), (h - ch, 0))
    for y, x in corners:
        attempt(gray[y:y + ch, x:x + cw], x, y, 1.0)
        if found:
            return found, polys
    if max(h, w) > 2 * QR_HALF_MIN_SIDE:  # a half-size page is 4× cheaper and still holds a 2 cm code
        attempt(u8(cv2.resize(gray, (w // 2, h // 2), interpolation=cv2.INTER_AREA)), 0, 0, 0.5)
        if found:
            return found, polys
    f = min(1.0, QR_WHOLE_MAX_SIDE / max(h, w))  # a 300-dpi page as it is read (0.5–0.7 s at full size)
    whole = gray if f == 1.0 else u8(cv2.resize(gray, (round(w * f), round(h * f)), interpolation=cv2.INTER_AREA))
    attempt(whole, 0, 0, f)
    if found or max(h, w) > 2 * QR_HALF_MIN_SIDE:  # a large page's code is no bigger at 2× (and 4× dearer)
        return found, polys
    for y, x in corners:
        corner = u8(cv2.resize(gray[y:y + ch, x:x + cw], None, fx=2, fy=2, interpolation=cv2.INTER_CUBIC))
        attempt(corner, x, y, 2.0)
        if found:
            break
    return found, polys


_QR_DETECTORS = (cv2.QRCodeDetector(), cv2.QRCodeDetectorAruco())
QR_HALF_MIN_SIDE = 1000  # px: pages with a long side above twice this are first searched at half size
QR_WHOLE_MAX_SIDE = 2480  # px: the whole page is searched at most this long (as prepare_page reads it)


def qr_text(gray: U8) -> str:
    """The first QR payload in a grey image, or ``""`` (what the scan reader would take from it)."""
    found, _ = decode_qr(gray)
    return found[0] if found else ""


# --------------------------------------------------------------------------------------------- orientation


def turn_matrix(k: int, width: int, height: int) -> F64:
    """3×3 matrix of ``np.rot90(img, k)`` (``k`` quarter turns counter-clockwise) on a ``width`` × ``height``
    image: pixel coordinates before → after."""
    k %= 4
    m = np.eye(3, dtype=np.float64)
    if k == 1:
        m[:2] = [[0, 1, 0], [-1, 0, width - 1]]
    elif k == 2:
        m[:2] = [[-1, 0, width - 1], [0, -1, height - 1]]
    elif k == 3:
        m[:2] = [[0, -1, height - 1], [1, 0, 0]]
    return m


def qr_turn(poly: U8) -> int:
    """Quarter turns (counter-clockwise, for ``np.rot90``) that make upright a page whose QR code has the
    corner polygon ``poly`` (code's top-left first, then its top-right)."""
    dx, dy = (np.asarray(poly[1], dtype=np.float64) - np.asarray(poly[0], dtype=np.float64)).tolist()
    return round(math.degrees(math.atan2(dy, dx)) / 90.0) % 4


@dataclass(frozen=True)
class TurnSettings:
    """Tunables of :func:`text_turn`."""

    work_side: int = 1400  # px: the long side the ink is examined at
    min_aspect: float = 4.0  # a text line's long side is at least this × its short side
    lines: int = 6  # line crops recognised both ways up
    max_glyphs: int = 10  # of each line, about this many glyphs are read (enough to tell, and cheap)
    margin: float = 0.05  # mean confidence by which upside-down must win to turn the page
    sure: float = 0.75  # ... and upside-down must read at least this sure: two poor readings decide nothing,
    clear: float = 0.3  # ... or win by this much: a sparse page's few long lines include poor ones both ways


def _line_boxes(text_ink: U8, glyph: int, s: TurnSettings) -> list[tuple[int, int, int, int]]:
    """Boxes ``(x, y, w, h)`` of horizontal text lines: ink closed along rows by about a glyph, then the
    long flat components."""
    closed = u8(cv2.morphologyEx(text_ink, cv2.MORPH_CLOSE,
                                 cv2.getStructuringElement(cv2.MORPH_RECT, (glyph, 1))))
    n, _, stats, _ = cv2.connectedComponentsWithStats(closed, connectivity=8)
    out = []
    for i in range(1, n):
        x, y, w, h = (int(v) for v in stats[i, :4])
        if w >= s.min_aspect * h and w >= 3 * glyph and glyph // 2 <= h <= 3 * glyph:
            out.append((x, y, w, h))
    return out


def text_turn(gray: U8, engine: OcrEngine, s: TurnSettings = TurnSettings()) -> int:
    """Quarter turns (counter-clockwise, for ``np.rot90``) that make the text of ``gray`` upright.

    Lines or columns: the ink without rulings is closed along rows and along columns by about a glyph; the
    direction that makes more long flat components is the direction of the lines (Chinese glyphs are
    square, so only the line direction merges them). Up or down: a few of those lines are recognised as
    they are and turned 180°; the recogniser is sure of upright text and unsure of upside-down text.
    """
    scale = min(1.0, s.work_side / max(gray.shape))
    small = u8(cv2.resize(gray, None, fx=scale, fy=scale, interpolation=cv2.INTER_AREA)) if scale < 1 else gray
    ink = binarise(flatten_light(small))
    hor, ver = line_masks(ink)
    text = u8(cv2.bitwise_and(ink, cv2.bitwise_not(cv2.dilate(cv2.bitwise_or(hor, ver), np.ones((5, 5), np.uint8)))))
    _, _, stats, _ = cv2.connectedComponentsWithStats(text, connectivity=8)
    sizes = [max(int(st[2]), int(st[3])) for st in stats[1:] if int(st[4]) >= 6]
    if len(sizes) < 10:
        return 0
    glyph = max(3, round(float(np.percentile(sizes, 75))))
    rows = _line_boxes(text, glyph, s)
    cols = _line_boxes(np.ascontiguousarray(text.T), glyph, s)
    base = 1 if sum(b[2] for b in cols) > sum(b[2] for b in rows) else 0
    turned = np.ascontiguousarray(np.rot90(text, base))
    boxes = sorted(_line_boxes(turned, glyph, s), key=lambda b: -b[2])[: s.lines]
    if not boxes:
        return base
    page = np.ascontiguousarray(np.rot90(gray, base))
    crops = []
    for x, y, w, h in boxes:
        pad = h // 3
        x0, y0 = max(0, round((x - pad) / scale)), max(0, round((y - pad) / scale))
        x1, y1 = round((x + min(w, s.max_glyphs * h) + pad) / scale), round((y + h + pad) / scale)
        crops.append(np.ascontiguousarray(page[y0:y1, x0:x1]))
    read = engine.recognize_lines([*crops, *(np.ascontiguousarray(c[::-1, ::-1]) for c in crops)])
    up = float(np.mean([c for _, c in read[: len(crops)]]))
    down = float(np.mean([c for _, c in read[len(crops):]]))
    return base + 2 if down > up + s.margin and (down >= s.sure or down >= up + s.clear) else base


@dataclass(frozen=True)
class OutsideSettings:
    """Tunables of :func:`read_outside_text`."""

    tall_row: float = 1.6  # a row of ink taller than this × its glyphs is not one line: detect
    many_parts: int = 10  # a row of at least this many ink components measures its glyphs by the tall ones
    word_gap: float = 2.0  # a blank wider than this × the row's height splits a line into pieces (a full-width
    # colon leaves about one glyph blank after it: `单位：XX` stays one piece)
    seal_lettering: float = 2.0  # a detected box on a seal this many lines high, not much wider than high and
    # read unsure, is the seal's own lettering bent round its ring, not a line of the page


def seal_lettering(box: tuple[float, float, float, float], confidence: float, line_h: float,
                   seals: Sequence[Seal], s: OutsideSettings = OutsideSettings()) -> bool:
    """Is this detected box the lettering of one of ``seals`` rather than a line printed or written under it?

    The lettering runs round the ring, so its box is about as high as wide and several lines high, and the
    recogniser, made for straight lines, reads it unsure. Kept as a line, it sat in the row of the
    `学校（盖章）：` line under the seal, left of the value, and was taken for it (`新市监区` read for
    `东营市帮扶初中（待定）`). The seal's name is read on its own (:func:`~extractors.seal.read_seal_names`).
    A title in a large font is wide; a line read sure is kept whatever its shape."""
    x0, y0, x1, y1 = box
    h, w = y1 - y0, x1 - x0
    return (line_h > 0 and confidence < SURE and h > s.seal_lettering * line_h and w < 3 * h
            and any(z.touches(box) for z in seals))


def _one_line(ink: U8, row: tuple[int, int, int, int], s: OutsideSettings) -> bool:
    """Is this row of ink plainly one line of text: not much taller than its glyphs? Two touching lines, or
    a seal joining a title to the line below, are not.

    The glyph height is the upper quartile of the row's ink components' heights; in a row of at least
    ``many_parts`` components, the 90th percentile. A Chinese glyph is often several components (the dots
    and strokes of 交流活动 in 教育交流活动备案表 are half of them): the title row of every 备案表 measured
    31 px of "glyph" for 60 px of line and its whole block was detected (0.6–0.9 s CPU a page) instead of
    read by the recogniser. Two touching lines still measure one line's glyphs (their parts are each
    within one line), and with many parts one seal ring is no more than the top tenth. Lines that run into
    each other so far that a tenth of the parts join across both would pass as one (not seen in print)."""
    y0, y1, x0, x1 = row
    n, _, stats, _ = cv2.connectedComponentsWithStats(ink[y0:y1, x0:x1], connectivity=8)
    if n <= 1:
        return False
    heights = stats[1:, cv2.CC_STAT_HEIGHT]
    glyph = float(np.percentile(heights, 90 if len(heights) >= s.many_parts else 75))
    return (y1 - y0) <= s.tall_row * glyph


def _row_pieces(ink: U8, row: tuple[int, int, int, int], s: OutsideSettings) -> list[tuple[int, int, int, int]]:
    """One line of ink cut at wide blanks (``单位：XX      2019年4月23日`` → two pieces), as ``(y0, y1, x0, x1)``."""
    y0, y1, x0, x1 = row
    cols = np.flatnonzero(ink[y0:y1, x0:x1].any(axis=0)) + x0
    if cols.size == 0:
        return []
    max_gap = s.word_gap * (y1 - y0)
    breaks = np.flatnonzero(np.diff(cols) > max_gap) + 1
    return [(y0, y1, int(g[0]), int(g[-1]) + 1) for g in np.split(cols, breaks)]


def _detected(gray: U8, row: tuple[int, int, int, int], engine: OcrEngine) -> list[
        tuple[tuple[float, float, float, float], str, float]]:
    """The lines the detector finds in one row of ink that is not plainly one line, on the page's grey
    ``gray``, as ``(box, text, confidence)``. The crop's margin is blanked: it would show the rows above and
    below cut in half, and the detector would read them again."""
    y0, y1, x0, x1 = row
    m = max(6, (y1 - y0) // 4)
    oy, ox = max(0, y0 - m), max(0, x0 - m)
    crop = gray[oy:y1 + m, ox:x1 + m].copy()
    crop[:y0 - oy] = 255
    crop[y1 - oy:] = 255
    return [((bx0 + ox, by0 + oy, bx1 + ox, by1 + oy), text, conf)
            for text, conf, (bx0, by0, bx1, by1) in engine.recognize(crop)]


def read_outside_text(page: PreparedPage, grids: Sequence[Grid], qr_polys: Sequence[U8], engine: OcrEngine,
                      page_no: int, frame: SourceFrame = SourceFrame(), seals: Sequence[Seal] = (),
                      s: OutsideSettings = OutsideSettings()) -> list[TextLine]:
    """Read the ink outside every table and QR code (boxes through ``frame``; a line under one of ``seals``
    trusted at most :data:`~extractors.seal.SEAL_CONFIDENCE`).

    The ink is cut into blocks, the blocks into rows of ink. A row that is plainly one line
    (:func:`_one_line`) is cut into pieces that go to the recogniser in one batch with the others' — no
    detection; only a taller row (lines touching, a seal, a drawing) is detected, on its own (a seal that
    joins a title to the line below once sent the whole top of the page, code and title too, to the
    detector: 0.6–0.8 s of a grey scan's 1.9 s)."""
    ink = page.ink.copy()
    gray = page.gray.copy()
    pad = max(4, max(ink.shape) // 300)
    for g in grids:  # out of the ink and out of the image: a detected block's margin must not read the header
        x0, y0, x1, y1 = g.box
        ink[max(0, y0 - pad):y1 + pad, max(0, x0 - pad):x1 + pad] = 0
        gray[max(0, y0 - pad):y1 + pad, max(0, x0 - pad):x1 + pad] = 255
    for poly in qr_polys:
        x, y, w, h = cv2.boundingRect(poly)
        ink[max(0, y - pad):y + h + pad, max(0, x - pad):x + w + pad] = 0
        gray[max(0, y - pad):y + h + pad, max(0, x - pad):x + w + pad] = 255
    ink = _components_filtered(ink, max(4, round((max(ink.shape) / 400) ** 2)))
    min_h = max(6, max(ink.shape) // 200)
    blocks = text_bands(ink, gap=max(4, max(ink.shape) // 60), min_h=min_h)
    rows_of = [[(y0 + a, y0 + b, x0 + c, x0 + d) for a, b, c, d in text_bands(ink[y0:y1, x0:x1], gap=1, min_h=min_h)]
               for y0, y1, x0, x1 in blocks]
    found: list[tuple[tuple[float, float, float, float], str, float]] = []
    pieces: list[tuple[int, int, int, int]] = []
    for block, rows in zip(blocks, rows_of, strict=True):
        if not rows:  # ink in bits too thin to be lines of their own: the detector decides
            found.extend(_detected(gray, block, engine))
        for row in rows:
            if _one_line(ink, row, s):
                pieces.extend(_row_pieces(ink, row, s))
            else:
                found.extend(_detected(gray, row, engine))
    crops = []
    for y0, y1, x0, x1 in pieces:
        h = y1 - y0
        pv, ph = max(3, round(h * 0.2)), max(6, round(h * 0.4))
        crops.append(np.ascontiguousarray(gray[max(0, y0 - pv):y1 + pv, max(0, x0 - ph):x1 + ph]))
    if seals and pieces:
        line_h = float(np.median([y1 - y0 for y0, y1, _, _ in pieces]))
        found = [f for f in found if not seal_lettering(f[0], f[2], line_h, seals, s)]
    for (y0, y1, x0, x1), (text, conf) in zip(pieces, engine.recognize_lines(crops), strict=True):
        found.append(((float(x0), float(y0), float(x1), float(y1)), text, conf))
    found.sort(key=lambda f: (f[0][1], f[0][0]))
    lines: list[TextLine] = []
    for on_page, text, conf in found:
        if text.strip() and not (seals and seal_word(text, on_page, seals)):
            if any(z.touches(on_page) for z in seals):
                conf = min(conf, SEAL_CONFIDENCE)
            lines.append(TextLine(text=text.strip(), confidence=round(conf, 4),
                                  where=frame.where(page_no, on_page)))
    return lines


def printed_codes(lines: Sequence[TextLine]) -> list[str]:
    """``DG1:…`` codes printed on the page, OCR's ``：`` for ``:`` and stray spaces undone."""
    out = []
    for line in lines:
        for m in IDENTITY_RE.finditer(line.text.replace(" ", "")):
            code = m.group(0).replace("：", ":")
            if code not in out:
                out.append(code)
    return out


# --------------------------------------------------------------------------------------------- photo safeguards
# (issue 12: photos) A grid that is only a frame, and cells read on a page whose straightening is doubtful.

DOUBTFUL_GEOMETRY_CONFIDENCE = 0.6
"""Cells of a table on a page that could not be straightened with confidence are read at most this sure:
a row may have slid into its neighbour (two contacts swapped), and only a reviewer looking at the photo
can tell."""


def one_big_box(grid: Grid, page_shape: tuple[int, ...], max_cells: int = 2, min_share: float = 0.15) -> bool:
    """Whether ``grid`` is a frame rather than a table: at most ``max_cells`` cells over at least
    ``min_share`` of the page (a page border, or a table whose inner rulings were lost in a photo).

    Read as one cell it would give a single value of a whole form (all of a 备案表 as its 单位); left out,
    its text is read as lines with their places, which the interpreter reads as ``标签：值`` and
    label-beside-value layouts.
    """
    x0, y0, x1, y1 = grid.box
    share = (x1 - x0) * (y1 - y0) / float(page_shape[0] * page_shape[1])
    return len(grid.cells) <= max_cells and share >= min_share


def one_band(grid: Grid) -> bool:
    """Whether ``grid`` is a single row or a single column of cells: in a photo, a table whose rulings of
    one direction faded (a thin grey print, the sheet's curl) — every row's text in one cell per column, or
    every column's in one cell per row.

    No form's table is one band (a header and at least one row of values, two columns at least); read as
    cells its values would run together under one header. Left out, its text is read as lines with their
    places, from which the interpreter rebuilds the form's table (:mod:`docgen.line_table`) or reads
    ``标签：值`` lines.
    """
    return grid.n_rows == 1 or grid.n_cols == 1


def distrust(table: ReadTable, cap: float, only: set[tuple[int, int]] | None = None) -> ReadTable:
    """``table`` with every non-empty cell's confidence (or only those at ``(row, col)`` in ``only``) at most
    ``cap``."""
    cells = tuple(replace(c, confidence=min(c.confidence, cap))
                  if c.text and (only is None or (c.row, c.col) in only) else c for c in table.cells)
    return replace(table, cells=cells)


def lone_merges(table: ReadTable) -> set[tuple[int, int]]:
    """Merged cells that their neighbours contradict: a cell over several rows while the column beside it has
    a row boundary inside that span (or over several columns while the row above or below is divided there),
    as ``(row, col)``. In a photo a ruling faded in a shadow or under a seal merges two cells that were never
    merged (``序号`` + ``1`` read as ``序号1``); rows that span the whole table (a footer) are not counted.
    """
    starts_row = {(c.row, k) for c in table.cells for k in range(c.col, c.col + c.colspan)}
    starts_col = {(r, c.col) for c in table.cells for r in range(c.row, c.row + c.rowspan)}
    out: set[tuple[int, int]] = set()
    for c in table.cells:
        if c.rowspan > 1:
            beside = [k for k in (c.col - 1, c.col + c.colspan) if 0 <= k < table.n_cols]
            if any((r, k) in starts_row for k in beside for r in range(c.row + 1, c.row + c.rowspan)):
                out.add((c.row, c.col))
        if 1 < c.colspan < table.n_cols - 1:
            around = [r for r in (c.row - 1, c.row + c.rowspan) if 0 <= r < table.n_rows]
            if any((r, k) in starts_col for r in around for k in range(c.col + 1, c.col + c.colspan)):
                out.add((c.row, c.col))
    return out


def resplit(page: PreparedPage, grid: Grid, table: ReadTable, rules: U8, engine: OcrEngine, page_no: int,
            frame: SourceFrame, seals: Sequence[Seal] = ()) -> ReadTable:
    """``table`` with every merge its neighbours contradict (:func:`lone_merges`) undone: the merged cell is
    read again as the single cells the neighbouring rulings say it holds, each at most
    :data:`DOUBTFUL_GEOMETRY_CONFIDENCE` sure. A header ``活动名称时间`` over two columns would otherwise
    make the interpreter join every value below it.
    """
    lone = lone_merges(table)
    if not lone:
        return table
    pieces = [GridCell(r, k, 1, 1, (grid.xs[k], grid.ys[r], grid.xs[k + 1], grid.ys[r + 1]))
              for gc in grid.cells if (gc.row, gc.col) in lone
              for r in range(gc.row, gc.row + gc.rowspan) for k in range(gc.col, gc.col + gc.colspan)]
    reread = read_cells(page, replace(grid, cells=tuple(pieces)), rules, engine, page_no, frame=frame, seals=seals)
    kept = [c for c in table.cells if (c.row, c.col) not in lone]
    unsure: list[Cell] = []
    for merged in (c for c in table.cells if (c.row, c.col) in lone):
        parts = [c for c in reread.cells if merged.row <= c.row < merged.row + merged.rowspan
                 and merged.col <= c.col < merged.col + merged.colspan]
        if merged.text and any(not c.text for c in parts):
            # one value over several cells (a date merged down two rows in Word): the merge is real — split,
            # a piece would come back blank and sure of it
            kept.append(merged)
            continue
        unsure.extend(replace(c, confidence=min(c.confidence, DOUBTFUL_GEOMETRY_CONFIDENCE)) if c.text else c
                      for c in parts)
    return replace(table, cells=tuple(sorted((*kept, *unsure), key=lambda c: (c.row, c.col))))


def straddling_merges(page: PreparedPage, grid: Grid, table: ReadTable, rules: U8,
                      s: CellSettings = CellSettings()) -> set[tuple[int, int]]:
    """Two-cell merges their neighbours contradict (:func:`lone_merges`) that hold two texts, one on each side
    of the place of a ruling the neighbours have, with blank paper between them there, as ``(row, col)``.

    On a scan a ruling that the grey page could not restore either (:func:`~extractors.grid.faint_line`)
    leaves two values in one cell, read as one run of text — ``上示范课2120人次节`` — and sure of it. A value
    written over a real merge runs on across that place (a long name over three columns of a 备案表); one
    that stops short of it on both sides is two values. Nothing is split here: the cell is only not trusted
    (a reviewer looks at the scan)."""
    lone = lone_merges(table)
    if not lone:
        return set()
    inset, speck, min_ink = s.pixels(max(page.gray.shape))
    _, text_ink = text_ink_of(page.ink, rules)
    gap = 2 * inset  # each side of the ruling's place: more than a character's spacing, less than a cell's margin

    def inked(x0: int, y0: int, x1: int, y1: int) -> bool:
        x0, y0, x1, y1 = x0 + inset, y0 + inset, x1 - inset, y1 - inset
        return x1 > x0 and y1 > y0 and bool(np.count_nonzero(
            _components_filtered(text_ink[y0:y1, x0:x1], speck)) >= min_ink)

    def crossed(strip: U8, axis: int) -> bool:  # ink over most of the strip's width: text runs across
        return bool(strip.size) and float(strip.any(axis=axis).mean()) >= 0.5

    out: set[tuple[int, int]] = set()
    for gc in grid.cells:
        if (gc.row, gc.col) not in lone or gc.rowspan * gc.colspan != 2:
            continue  # a lost piece of ruling joins two cells; a wider merge is a footer or a long value's room
        x0, y0, x1, y1 = gc.box
        for k in range(gc.col + 1, gc.col + gc.colspan):
            x = grid.xs[k]
            if (inked(x0, y0, x, y1) and inked(x, y0, x1, y1)
                    and not crossed(text_ink[y0 + inset:y1 - inset, x - gap:x + gap + 1], 0)):
                out.add((gc.row, gc.col))
        for r in range(gc.row + 1, gc.row + gc.rowspan):
            y = grid.ys[r]
            if (inked(x0, y0, x1, y) and inked(x0, y, x1, y1)
                    and not crossed(text_ink[y - gap:y + gap + 1, x0 + inset:x1 - inset], 1)):
                out.add((gc.row, gc.col))
    return out


# --------------------------------------------------------------------------------------------- documents


T = TypeVar("T")


def _stage(what: str, page_no: int, problems: list[str], run: Callable[[], T], fallback: Callable[[], T]) -> T:
    """``run()``, or — when a step of the reader fails on this page (a bug, or input it was not made for) —
    ``fallback()`` with the failure logged and reported as a problem, so one step never costs the page."""
    try:
        return run()
    except Exception as e:
        log.exception("第%d页%s失败", page_no, what)
        problems.append(f"第{page_no}页：{what}出错（{type(e).__name__}），已跳过该步骤，请核对")
        return fallback()


def turn_page(page: PreparedPage, k: int) -> PreparedPage:
    """``page`` turned by ``k`` quarter turns (counter-clockwise, as ``np.rot90``); its ``to_page`` still maps
    the page it was prepared from."""
    if k % 4 == 0:
        return page
    h, w = page.gray.shape[:2]
    return replace(page, gray=np.ascontiguousarray(np.rot90(page.gray, k)),
                   ink=np.ascontiguousarray(np.rot90(page.ink, k)), to_page=turn_matrix(k, w, h) @ page.to_page)


def _plain_page(rgb: U8) -> PreparedPage:
    """The page as it is (gray, ink by threshold): what is read when preparing it failed."""
    gray = u8(cv2.cvtColor(rgb, cv2.COLOR_RGB2GRAY))
    return PreparedPage(gray=gray, ink=binarise(gray), skew_deg=0.0, flattened=False)


def _map_points(m: F64, poly: U8) -> U8:
    pts = np.hstack([np.asarray(poly, dtype=np.float64).reshape(-1, 2), np.ones((len(poly), 1))]) @ m.T
    return (pts[:, :2] / pts[:, 2:3]).round().astype(np.int32)


@dataclass
class _PageRead:
    tables: list[ReadTable]
    lines: list[TextLine]
    codes: list[str]
    seal_names: list[str] = field(default_factory=list)
    sheet: tuple[float, float] | None = None  # the prepared page's size, when it is the sheet and nothing else


def read_page(rgb: U8, page_no: int, engine: OcrEngine, problems: list[str], px_per_unit: float = 1.0) -> _PageRead:
    """Read one decoded RGB page: QR code → quarter turn by the QR code, prepared page (else: prepared page,
    quarter turn by its text's direction) → grids → cells → text outside them → identity codes. Each step
    degrades on its own (:func:`_stage`)."""
    h, w = rgb.shape[:2]
    gray0 = u8(cv2.cvtColor(rgb, cv2.COLOR_RGB2GRAY))
    qr, polys = _stage("二维码识别", page_no, problems, lambda: decode_qr(gray0), lambda: ([], []))
    if polys:
        k = qr_turn(polys[0])
        turned = turn_matrix(k, w, h)
        upright = np.ascontiguousarray(np.rot90(rgb, k)) if k else rgb
        page = _stage("页面预处理", page_no, problems, lambda: prepare_page(upright), lambda: _plain_page(upright))
    else:
        # the text's direction is judged on the prepared page: in a photo the sheet's lines slant with the
        # perspective (too steep to count as lines) and the desk's grain or edges count as lines instead
        turned = np.eye(3, dtype=np.float64)
        prepared = _stage("页面预处理", page_no, problems, lambda: prepare_page(rgb), lambda: _plain_page(rgb))
        k = _stage("页面方向判断", page_no, problems, lambda: text_turn(prepared.gray, engine), lambda: 0)
        page = turn_page(prepared, k)
    ruled = page.ink
    bend: Bend | None = None
    if page.flattened or page.doubtful_geometry:
        ruled = _stage("表格线检测", page_no, problems, lambda: _photo_rulings(page), lambda: page.ink)
        straight = page
        page, bend = _stage("纸张弯曲校正", page_no, problems, lambda: _unbent(straight, ruled),
                            lambda: (straight, None))
        if bend is not None:
            ruled = _stage("表格线检测", page_no, problems, lambda: _photo_rulings(page), lambda: page.ink)
    frame = SourceFrame.of(page, rgb.shape, px_per_unit, turned, bend)
    to_page = page.to_page @ turned
    page_polys = [_map_points(to_page, p) for p in polys]
    if bend is not None:  # the QR code where it lies on the unbent page
        page_polys = [bend.page_points(p) for p in page_polys]
    no_seals: list[Seal] = []
    seals = _stage("印章检测", page_no, problems, lambda: find_seals(page.gray), lambda: no_seals)
    no_names: list[str] = []
    names = _stage("印章文字识别", page_no, problems, lambda: read_seal_names(page.gray, seals, engine),
                   lambda: no_names) if seals else no_names
    grid_ink = _stage("印章检测", page_no, problems, lambda: ring_free_ink(ruled, seals), lambda: ruled)
    grids, rules = _stage("表格线检测", page_no, problems, lambda: find_grids(grid_ink, gray=page.gray),
                          lambda: ([], np.zeros_like(page.ink)))
    # a doubtful page keeps its one-band grid: read as a table, every cell of it is capped below (lines are not)
    photo = page.flattened and not page.doubtful_geometry
    grids = [g for g in grids if not one_big_box(g, page.ink.shape) and not (photo and one_band(g))]
    if not grids:
        problems.append(f"第{page_no}页：未找到表格线")
    read: list[tuple[Grid, ReadTable]] = []
    for g in grids:
        table: ReadTable | None = _stage(
            "表格识别", page_no, problems,
            partial(read_cells, page, g, rules, engine, page_no, frame=frame, seals=seals),
            lambda: None)
        if table is not None:
            read.append((g, table))
    tables = [t for _, t in read]
    if page.flattened and not page.doubtful_geometry:
        tables = _stage("合并单元格复核", page_no, problems,
                        lambda: [resplit(page, g, t, rules, engine, page_no, frame, seals) for g, t in read],
                        lambda: tables)
    elif not page.flattened:
        tables = _stage("合并单元格复核", page_no, problems,
                        lambda: [distrust(t, DOUBTFUL_GEOMETRY_CONFIDENCE, only=straddling_merges(page, g, t, rules))
                                 for g, t in read],
                        lambda: tables)
    if page.doubtful_geometry and tables:
        # a table whose every cell is closed by straight, square rulings was read where its rows really are
        square = [not one_band(g) and squarely_ruled(rules, g) for g, _ in read]
        if not all(square):
            problems.append(f"第{page_no}页：照片中纸张轮廓不清或弯曲较大，表格行列可能错位，请对照原图核对")
        tables = [t if sq else distrust(t, DOUBTFUL_GEOMETRY_CONFIDENCE) for t, sq in zip(tables, square, strict=True)]
    no_lines: list[TextLine] = []
    lines = _stage("表外文字识别", page_no, problems,
                   lambda: read_outside_text(_without(page, rules), grids, page_polys, engine, page_no, frame,
                                             seals),
                   lambda: no_lines)
    codes: list[str] = []
    # a QR code may be a phone upload link that carries the code (docgen.upload_links): the code is read from it
    for code in (*(identity_in(p) or p for p in qr), *printed_codes(lines)):
        if code not in codes:
            codes.append(code)
    # a photo whose sheet outline was not found (or not trusted) holds the desk too: where the sheet ends is unknown
    sheet = None if page.doubtful_geometry else (float(page.gray.shape[1]), float(page.gray.shape[0]))
    return _PageRead(tables, lines, codes, names, sheet)


def _unbent(page: PreparedPage, ruled: U8) -> tuple[PreparedPage, Bend | None]:
    """``page`` with the bend its rulings ``ruled`` show undone, and that bend (None, and ``page`` as it is,
    when they run straight)."""
    bend = find_bend(ruled)
    return (unbend_page(page, bend), bend) if bend is not None else (page, None)


def _photo_rulings(page: PreparedPage) -> U8:
    """A photographed page's ink with its faint rulings: light rulings blurred into dashes are rulings still."""
    return u8(cv2.bitwise_or(page.ink, faint_rulings(page.gray)))


def _without(page: PreparedPage, rules: U8) -> PreparedPage:
    """``page`` with its rulings out of the ink: a frame round the text, or one that is no table, would
    otherwise tie all its lines into one block."""
    return replace(page, ink=u8(cv2.bitwise_and(page.ink, cv2.bitwise_not(rules))))


def read_pages(pages: Sequence[U8], source: str, kind: InputKind, engine: OcrEngine | None = None,
               px_per_unit: Sequence[float] | None = None) -> ReadDocument:
    """Read already-decoded RGB pages (the shared tail of :func:`read_image` and :func:`read_scanned_pdf`).

    ``px_per_unit[i]`` is how many pixels of page ``i`` make one unit of the reported boxes: 1 for images
    (boxes in image pixels, the default), the render scale for PDF pages (boxes in PDF points)."""
    eng = engine if engine is not None else default_engine()
    tables: list[ReadTable] = []
    lines: list[TextLine] = []
    codes: list[str] = []
    problems: list[str] = []
    seal_names: list[str] = []
    sheets: list[tuple[float, float] | None] = []
    for n, rgb in enumerate(pages, start=1):
        got = read_page(rgb, n, eng, problems, px_per_unit[n - 1] if px_per_unit is not None else 1.0)
        sheets.append(got.sheet)
        tables.extend(got.tables)
        lines.extend(got.lines)
        codes.extend(c for c in got.codes if c not in codes)
        seal_names.extend(got.seal_names)
    if not codes:
        problems.append("未识别到表单识别码（二维码与印刷码均未读出）")
    return ReadDocument(source=source, input_kind=kind, pages=len(pages), tables=tuple(tables), lines=tuple(lines),
                        identity_codes=tuple(codes), problems=tuple(problems), seal_names=tuple(seal_names),
                        page_sizes=tuple(sheets))


def read_image(data: bytes, name: str, engine: OcrEngine | None = None) -> ReadDocument:
    """Read a PNG, JPEG or TIFF (all pages) of a returned form. Raises UnreadableDocument on hostile input."""
    return read_pages(decode_image(data, name), name, InputKind.IMAGE, engine)


def read_scanned_pdf(data: bytes, name: str, engine: OcrEngine | None = None) -> ReadDocument:
    """Read an image-only PDF: every page rendered at 200 dpi and read like an image; boxes in PDF points."""
    rendered = render_pdf_scaled(data, name)
    return read_pages([rgb for rgb, _ in rendered], name, InputKind.SCAN, engine, [s for _, s in rendered])
