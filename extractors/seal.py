"""Round seals in grey scans and photocopies: found by their ring, kept out of the table rulings, and
remembered so that whatever was read under them is reviewed.

A red seal is turned to paper by colour before this (``extractors.preprocess.stamp_free_gray``); in a grey
scan or a photocopy the same seal is grey or black, and colour cannot tell it from the text (measured: the
ink of a grey seal and the anti-aliased text it covers overlap in grey level, so lifting it by level thins
the strokes under it). Its ring still can: a circle about 4 cm across that nothing else on a form is. The
ring is taken out of the ink used to find the table (rulings crossing it kept), so that it neither joins
the title to the table nor adds rulings; and since text read under a seal may be cut short or mixed with
the seal's own characters, :meth:`Seal.touches` tells the reader to cap its confidence at
:data:`SEAL_CONFIDENCE` (never 0.99 for a name half under a seal).
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, replace

import cv2
import numpy as np
import numpy.typing as npt

from extractors.grid import line_masks
from extractors.ocr import OcrEngine
from extractors.preprocess import u8

U8 = npt.NDArray[np.uint8]

SEAL_CONFIDENCE = 0.8  # the most a value read under a seal is trusted (below the 0.9 review threshold)
_SEAL_WORD = re.compile(r"[\u4e00-\u9fff]{0,4}专用章|[公用]?章")


def ring_arc(ink: U8, x0: int, y0: int, seals: Sequence[Seal]) -> bool:
    """Is ``ink`` (a line crop's ink, its top-left at ``(x0, y0)`` on the page) a piece of a seal's ring: all of
    it on one circle round a seal's centre, no wider than the ring's stroke?

    :func:`ring_alone` keeps a ring's stroke wherever something dark lies beside it, so that a character
    crossing the ring keeps its strokes; an arc with a star's point or a stroke beside it then stays, and read
    as a line of its own it became a ``4`` before ``教研活动``. A glyph's ink spreads over its height across the
    circle; the ring's lies within its stroke."""
    ys, xs = np.nonzero(ink)
    if xs.size < 10:
        return False
    for z in seals:
        d = np.hypot(xs + x0 - z.x, ys + y0 - z.y)
        lo, mid, hi = np.percentile(d, [5, 50, 95])
        if 0.8 * z.r <= mid <= 1.15 * z.r and hi - lo <= 0.08 * z.r:
            return True
    return False


def seal_word(text: str, box: tuple[float, float, float, float], seals: Sequence[Seal]) -> bool:
    """Is ``text``, read in ``box`` (x0, y0, x1, y1), a seal's own word (``专用章``, ``公章``, a ``用章`` cut
    short) lying inside one of ``seals``? A seal often carries such a word across under its star; in a grey
    scan it is as black as the form's print, and a cell under it read ``专用章`` as a line of its value."""
    if _SEAL_WORD.fullmatch(text.strip()) is None:
        return False
    cx, cy = (box[0] + box[2]) / 2, (box[1] + box[3]) / 2
    return any((cx - z.x) ** 2 + (cy - z.y) ** 2 <= (0.9 * z.r) ** 2 for z in seals)


@dataclass(frozen=True)
class Seal:
    """A seal's disc in page pixels."""

    x: float
    y: float
    r: float

    def touches(self, box: tuple[float, float, float, float]) -> bool:
        """Does the disc overlap the rectangle ``box`` (x0, y0, x1, y1)?"""
        x0, y0, x1, y1 = box
        nx, ny = min(max(self.x, x0), x1), min(max(self.y, y0), y1)
        return bool((nx - self.x) ** 2 + (ny - self.y) ** 2 <= self.r ** 2)


@dataclass(frozen=True)
class SealSettings:
    """Tunables, relative to the page's short side ``S`` (A4 at 200 dpi: S ≈ 1654 px, a 4 cm seal r ≈ 0.1 S)."""

    work_scale: float = 0.25  # the circle search runs at this scale
    min_r: float = 0.05
    max_r: float = 0.16
    perfectness: float = 0.75  # HOUGH_GRADIENT_ALT's circle quality (0–1): only clean rings
    ring: tuple[float, float] = (0.86, 1.06)  # the ring's band, as fractions of the radius
    ring_piece: float = 0.6  # a line piece with more of its ink than this on a ring's band is the ring
    name_band: tuple[float, float] = (0.86, 0.5)  # where a seal's name runs inside its ring (outer, inner)
    # the readings of the name: (outer, inner, printed text lifted out) — a seal's name sits closer to its
    # ring or further in; on 51 grey scans these two found 19 of the 20 names four readings found, at half the cost
    name_reads: tuple[tuple[float, float, bool], ...] = ((0.86, 0.5, False), (0.92, 0.55, True))
    lift: int = 30  # ink this much darker than the ring's is printed text
    name_arc: tuple[float, float] = (140.0, 400.0)  # its arc, degrees clockwise from 3 o'clock (over the top)


def find_seals(gray: U8, s: SealSettings = SealSettings()) -> list[Seal]:
    """Seal rings on a flattened grey page (255 = paper), largest first."""
    small = u8(cv2.resize(gray, None, fx=s.work_scale, fy=s.work_scale, interpolation=cv2.INTER_AREA))
    short = min(small.shape)
    found = cv2.HoughCircles(u8(cv2.GaussianBlur(small, (3, 3), 0)), cv2.HOUGH_GRADIENT_ALT, 1.5, short * 0.2,
                             param1=150, param2=s.perfectness, minRadius=int(short * s.min_r),
                             maxRadius=int(short * s.max_r))
    if found is None:
        return []
    seals = [Seal(float(x) / s.work_scale, float(y) / s.work_scale, float(r) / s.work_scale)
             for x, y, r in np.asarray(found, dtype=np.float64).reshape(-1, 3)]
    return sorted(seals, key=lambda z: -z.r)


def _disc(shape: tuple[int, ...], seal: Seal, r0: float, r1: float) -> npt.NDArray[np.bool_]:
    yy, xx = np.ogrid[: shape[0], : shape[1]]
    d2 = (xx - seal.x) ** 2 + (yy - seal.y) ** 2
    return np.asarray((d2 >= (seal.r * r0) ** 2) & (d2 <= (seal.r * r1) ** 2))


def _fit_circle(xs: npt.NDArray[np.float64], ys: npt.NDArray[np.float64]) -> tuple[float, float, float] | None:
    """Least-squares circle through points (Kåsa): centre and radius, or None when they fit no circle."""
    if xs.size < 20:
        return None
    a = np.column_stack([xs, ys, np.ones_like(xs)])
    (d, e, f), *_ = np.linalg.lstsq(a, -(xs * xs + ys * ys), rcond=None)
    cx, cy = -d / 2, -e / 2
    r2 = cx * cx + cy * cy - f
    return (float(cx), float(cy), float(np.sqrt(r2))) if r2 > 0 else None


def ring_alone(gray: U8, seals: Sequence[Seal], rules: U8 | None = None, s: SealSettings = SealSettings()) -> U8:
    """Where the seals' rings run with nothing else crossing them (255), to be turned to paper before text
    is read.

    Rulings cut a ring into arcs, one per cell it crosses, and an arc beside a name was read as its first
    stroke (``1何秀英``; ``1联络员`` then named no row and the row was lost). The ring is fitted on the page
    (centre and radius refined from its dark pixels, its stroke width from how many directions are dark at
    each radius); along each direction the ring's stroke is taken out only when nothing dark lies just inside
    or just outside it, so a character that touches or crosses the ring keeps every stroke. ``rules`` (the
    table's rulings, taken out of the text anyway) cross nothing: the ring beside a ruling goes too.
    """
    out = np.zeros_like(gray)
    h, w = gray.shape[:2]
    for seal in seals:
        reach = int(seal.r * 1.3)
        x0, y0, x1, y1 = max(0, int(seal.x) - reach), max(0, int(seal.y) - reach), \
            min(w, int(seal.x) + reach + 1), min(h, int(seal.y) + reach + 1)
        if x1 - x0 < 8 or y1 - y0 < 8:
            continue
        region = gray[y0:y1, x0:x1]
        paper = float(np.percentile(region, 75))
        dark = region < paper - 40  # a photocopied seal's ring is grey, well below the paper
        if rules is not None:
            dark &= rules[y0:y1, x0:x1] == 0
        yy, xx = np.nonzero(dark)
        cx, cy, r = seal.x - x0, seal.y - y0, seal.r
        for window in (0.1, 0.05):  # the circle search's centre is found at ¼ size: refine it on the ring
            near = np.abs(np.hypot(xx - cx, yy - cy) - r) < window * r
            fit = _fit_circle(xx[near].astype(np.float64), yy[near].astype(np.float64))
            if fit is None or abs(fit[2] - seal.r) > 0.15 * seal.r:
                break
            cx, cy, r = fit
        size = int(r * 1.25)
        turns = max(64, int(2 * np.pi * size))  # one direction per pixel of the outer edge
        theta = np.linspace(0, 2 * np.pi, turns, endpoint=False, dtype=np.float32)[:, None]
        rho = np.arange(size, dtype=np.float32)[None, :]
        polar = cv2.remap(u8(dark) * 255, cx + rho * np.cos(theta), cy + rho * np.sin(theta), cv2.INTER_NEAREST,
                          borderMode=cv2.BORDER_CONSTANT, borderValue=0) > 0  # rows: directions, cols: radius
        share = polar.mean(axis=0)
        lo, hi = int(r * 0.85), min(size - 1, int(r * 1.12))
        if hi <= lo:
            continue
        peak = lo + int(np.argmax(share[lo:hi]))
        if share[peak] < 0.35:  # no ring drawn round most of the disc: nothing to take out
            continue
        ra, rb = peak, peak
        while ra > lo and share[ra - 1] >= share[peak] / 2:
            ra -= 1
        while rb < hi and share[rb + 1] >= share[peak] / 2:
            rb += 1
        flank = max(4, rb - ra + 1)
        a0, b0 = max(0, ra - 2), min(size, rb + 3)
        inside = polar[:, max(0, a0 - flank):a0].any(axis=1)
        outside = polar[:, b0:min(size, b0 + flank)].any(axis=1)
        present = polar[:, a0:b0].any(axis=1)
        crossed = present & (inside | outside)
        # a stroke's edge beside a crossing lies on the ring with nothing beyond it: a ring's width either
        # side of every crossing stays, so what crosses keeps its whole body (a 校 lost its corner and read 穆)
        margin = max(2, round((b0 - a0) * turns / (2 * np.pi * r)))
        near = np.zeros_like(crossed)
        for k in range(-margin, margin + 1):
            near |= np.roll(crossed, k)
        alone = present & ~near
        ys, xs = np.mgrid[0:y1 - y0, 0:x1 - x0].astype(np.float32)
        dist = np.hypot(xs - cx, ys - cy)
        way = (np.round(np.arctan2(ys - cy, xs - cx) % (2 * np.pi) / (2 * np.pi) * turns).astype(np.int64)) % turns
        take = (dist >= a0 - 0.5) & (dist < b0 + 0.5) & alone[way]
        out[y0:y1, x0:x1][take] = 255
    return out


def name_strip(gray: U8, seal: Seal, s: SealSettings = SealSettings()) -> U8:
    """The band inside a seal's ring where its owner's name runs (``彭州市丽春镇小学`` over the star), unrolled
    into one straight line of text, left to right, the characters upright (their tops face the ring), at
    the size they have on the page — to be read like any line.

    Text printed under the seal crosses the band and comes out bent: it is read as noise around the name,
    never as the name itself.
    """
    outer, inner = seal.r * s.name_band[0], seal.r * s.name_band[1]
    a0, a1 = np.deg2rad(s.name_arc[0]), np.deg2rad(s.name_arc[1])
    rho = np.linspace(outer, inner, max(8, round(outer - inner)), dtype=np.float32)[:, None]
    theta = np.linspace(a0, a1, max(16, round((outer + inner) / 2 * (a1 - a0))), dtype=np.float32)[None, :]
    mx = (seal.x + rho * np.cos(theta)).astype(np.float32)
    my = (seal.y + rho * np.sin(theta)).astype(np.float32)
    return u8(cv2.remap(gray, mx, my, cv2.INTER_LINEAR, borderMode=cv2.BORDER_CONSTANT, borderValue=255))


def _ring_level(gray: U8, seal: Seal) -> float | None:
    """The grey level of a seal's ring (its dark pixels' median), or None when no ring is dark enough."""
    reach = int(seal.r * 1.1)
    y0, x0 = max(0, int(seal.y) - reach), max(0, int(seal.x) - reach)
    region = gray[y0:int(seal.y) + reach + 1, x0:int(seal.x) + reach + 1]
    if region.size == 0:
        return None
    yy, xx = np.ogrid[: region.shape[0], : region.shape[1]]
    d = np.hypot(xx + x0 - seal.x, yy + y0 - seal.y)
    band = region[(d >= seal.r * 0.92) & (d <= seal.r * 1.04)]
    dark = band[band < float(np.percentile(region, 75)) - 40]
    return float(np.median(dark)) if dark.size >= 20 else None


def read_seal_names(gray: U8, seals: Sequence[Seal], engine: OcrEngine, s: SealSettings = SealSettings()) -> list[str]:
    """What each seal's name band (:func:`name_strip`) reads, once per ``s.name_reads``: a band nearer the
    ring or further in, as it is or with the ink darker than the ring's lifted out (text printed under a grey
    seal, bent across its name); every non-blank reading, in one recogniser batch."""
    strips: list[U8] = []
    for z in seals:
        level = _ring_level(gray, z)
        for outer, inner, lift in s.name_reads:
            strip = name_strip(gray, z, replace(s, name_band=(outer, inner)))
            if lift and level is not None:
                strip = strip.copy()
                strip[strip < level - s.lift] = 255
            strips.append(strip)
    read = engine.recognize_lines(strips) if strips else []
    return [text.strip() for text, _ in read if text.strip()]


def _off_ring(mask: U8, rings: npt.NDArray[np.bool_], share: float) -> U8:
    """``mask`` (line pieces of one direction) without the pieces that have more than ``share`` of their ink on
    ``rings``."""
    n, labels, stats, _ = cv2.connectedComponentsWithStats(mask, connectivity=8)
    on_ring = np.bincount(labels[rings & (mask > 0)].ravel(), minlength=n)
    ring_pieces = [k for k in range(1, n) if on_ring[k] > share * stats[k, cv2.CC_STAT_AREA]]
    if not ring_pieces:
        return mask
    out = mask.copy()
    out[np.isin(labels, ring_pieces)] = 0
    return out


def ring_free_ink(ink: U8, seals: Sequence[Seal], s: SealSettings = SealSettings()) -> U8:
    """``ink`` without the seals' rings (rulings that cross a ring are kept), so that a ring touching the
    table neither joins the title to it nor adds rulings.

    A line piece lying mostly on a ring's band is the ring itself — its stretch at 3 or 9 o'clock is upright
    for the height of a header row, its top and bottom level for a cell's width — not a ruling: a ruling
    crosses the band and runs on beyond it. Kept, such a stretch split the header cells it stood in, and the
    table gained two columns that no other row has (序 | 号, so page 2's rows no longer continued it)."""
    if not seals:
        return ink
    rings = np.zeros(ink.shape, dtype=bool)
    for seal in seals:
        rings |= _disc(ink.shape, seal, *s.ring)
    # upright and level pieces apart: a ring's stretch touching the table's top ruling is still a piece of its own
    pieces = [_off_ring(mask, rings, s.ring_piece) for mask in line_masks(ink)]
    rules = cv2.dilate(cv2.bitwise_or(*pieces), np.ones((3, 3), np.uint8)) > 0
    out = ink.copy()
    out[rings & ~rules] = 0
    return out
