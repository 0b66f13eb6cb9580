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

from collections.abc import Sequence
from dataclasses import dataclass

import cv2
import numpy as np
import numpy.typing as npt

from extractors.grid import line_masks
from extractors.preprocess import u8

U8 = npt.NDArray[np.uint8]

SEAL_CONFIDENCE = 0.8  # the most a value read under a seal is trusted (below the 0.9 review threshold)


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


def ring_free_ink(ink: U8, seals: Sequence[Seal], s: SealSettings = SealSettings()) -> U8:
    """``ink`` without the seals' rings (rulings that cross a ring are kept), so that a ring touching the
    table neither joins the title to it nor adds rulings."""
    if not seals:
        return ink
    hor, ver = line_masks(ink)
    rules = cv2.dilate(cv2.bitwise_or(hor, ver), np.ones((3, 3), np.uint8)) > 0
    rings = np.zeros(ink.shape, dtype=bool)
    for seal in seals:
        rings |= _disc(ink.shape, seal, *s.ring)
    out = ink.copy()
    out[rings & ~rules] = 0
    return out
