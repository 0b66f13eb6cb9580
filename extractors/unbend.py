"""A photographed sheet's bend undone by its own rulings.

Straightening a photo by the sheet's outline (:mod:`extractors.preprocess`) maps its four corners right, but a
sheet that curls or a lens that bulges bends every line between them: on a phone photo of a 回执 the ruling
under the header row bowed 10–35 px across the table, the grid read one straight row where the header and the
first row lay, and the two merged (``姓名王青措``). A table's rulings are straight on paper, so how each one
bends on the page *is* the bend there: each long ruling is traced as a smooth curve; the page is turned so
that the horizontal ones lie level on average (levelling a tilted ruling by moving columns up and down would
shear the page and leave its verticals tilted), then they are pulled straight — between two of them the page
moves in proportion, above the first and below the last as the nearest one does — and then, on the result,
the vertical ones. A page whose rulings are already straight within a pixel or two is left exactly as it is.

:class:`Bend` keeps where every pixel of the unbent page came from, so that boxes read on it are shown at the
right place on the photo (:meth:`Bend.source_box`).
"""

from __future__ import annotations

import math
from dataclasses import dataclass, replace
from typing import cast

import cv2
import numpy as np
import numpy.typing as npt

from extractors.preprocess import U8, PreparedPage, binarise, u8

F32 = npt.NDArray[np.float32]


@dataclass(frozen=True)
class UnbendSettings:
    """Tunables, relative to the page: a ruling traced is at least ``min_span`` of the page's width (height)."""

    min_span: float = 0.3
    kernel_frac: float = 1 / 90  # the straight piece a ruling is opened with (short: a bent ruling slants)
    max_thick: float = 0.012  # a traced ruling is at most this thick in each column (of the page's height)
    min_bend: float = 2.5  # px: a page whose rulings bend less than this is left as it is
    max_residual: float = 2.0  # px: a curve fits its ruling this well (median), or it is no ruling
    degree: int = 3
    max_slant: float = 0.07  # a traced line rises at most this much per px from end to end (4°)


@dataclass(frozen=True)
class Bend:
    """Where each pixel ``(y, x)`` of the unbent page lies on the page before: ``map_x[y, x]``, ``map_y[y, x]``."""

    map_x: F32
    map_y: F32

    def source_point(self, x: float, y: float) -> tuple[float, float]:
        """The point of the page before that ``(x, y)`` on the unbent page came from."""
        h, w = self.map_x.shape
        xi, yi = min(max(round(x), 0), w - 1), min(max(round(y), 0), h - 1)
        return float(self.map_x[yi, xi]), float(self.map_y[yi, xi])

    def page_point(self, x: float, y: float) -> tuple[float, float]:
        """Where the point ``(x, y)`` of the page before lies on the unbent page (the map inverted by a few
        steps of fixed-point iteration: the bend is smooth and small)."""
        qx, qy = x, y
        for _ in range(4):
            sx, sy = self.source_point(qx, qy)
            qx, qy = qx + (x - sx), qy + (y - sy)
        return qx, qy

    def page_points(self, points: U8) -> U8:
        """``points`` (an integer polygon on the page before) where they lie on the unbent page."""
        flat = np.asarray(points, dtype=np.float64).reshape(-1, 2)
        moved = np.array([self.page_point(float(x), float(y)) for x, y in flat])
        return cast(U8, moved.round().astype(np.int32).reshape(np.shape(points)))  # int32, as _map_points gives

    def source_box(self, box: tuple[float, float, float, float]) -> tuple[float, float, float, float]:
        """``box`` on the unbent page as the bounding box, on the page before, of its corners and side middles."""
        x0, y0, x1, y1 = box
        xm, ym = (x0 + x1) / 2, (y0 + y1) / 2
        pts = [
            self.source_point(x, y)
            for x, y in ((x0, y0), (xm, y0), (x1, y0), (x1, ym), (x1, y1), (xm, y1), (x0, y1), (x0, ym))
        ]
        xs, ys = [p[0] for p in pts], [p[1] for p in pts]
        return min(xs), min(ys), max(xs), max(ys)


Curve = tuple[npt.NDArray[np.float64], int, int]
"""A traced ruling: the polynomial ``y(x)`` and the first and last column it spans (:func:`_curves`)."""


def _curves(ink: U8, s: UnbendSettings) -> list[Curve]:
    """The long horizontal rulings of ``ink`` as polynomials ``y(x)`` with the columns they span."""
    h, w = ink.shape
    k = max(9, int(w * s.kernel_frac))
    pieces = cv2.morphologyEx(ink, cv2.MORPH_OPEN, cv2.getStructuringElement(cv2.MORPH_RECT, (k, 1)))
    # a slanting ruling opens into steps one or two px apart: join them into one band
    joined = cv2.morphologyEx(pieces, cv2.MORPH_CLOSE, cv2.getStructuringElement(cv2.MORPH_RECT, (k, 5)))
    n, labels, stats, _ = cv2.connectedComponentsWithStats(joined, connectivity=8)
    thick = max(4, int(h * s.max_thick))
    out = []
    for i in range(1, n):
        x, y, bw, bh = (int(v) for v in stats[i, :4])
        if bw < w * s.min_span:
            continue
        sub = (labels[y : y + bh, x : x + bw] == i) & (pieces[y : y + bh, x : x + bw] > 0)
        cols = np.flatnonzero(sub.any(axis=0))
        if cols.size < bw * 0.6:
            continue
        counts = sub[:, cols].sum(axis=0)
        keep = counts <= thick  # a column where text touches the ruling is no measure of where it runs
        cols, counts = cols[keep], counts[keep]
        if cols.size < bw * 0.5:
            continue
        rows = np.arange(bh, dtype=np.float64)[:, None]
        centre = (sub[:, cols] * rows).sum(axis=0) / counts + y
        xs = (cols + x).astype(np.float64)
        coef = np.polyfit(xs, centre, s.degree)
        resid = np.abs(np.polyval(coef, xs) - centre)
        good = resid <= max(2.0, 3 * float(np.median(resid)))
        if good.sum() < cols.size * 0.5:
            continue
        coef = np.polyfit(xs[good], centre[good], s.degree)
        if float(np.median(np.abs(np.polyval(coef, xs[good]) - centre[good]))) > s.max_residual:
            continue
        a, b = int(xs[good].min()), int(xs[good].max())
        if abs(np.polyval(coef, b) - np.polyval(coef, a)) > s.max_slant * (b - a):
            continue  # the page was deskewed: a line this steep is no ruling of it (a pen, the desk's edge)
        out.append((coef, a, b))
    return out


def _rows_map(curves: list[Curve], shape: tuple[int, int], s: UnbendSettings) -> F32 | None:
    """``map_y`` that pulls the horizontal rulings ``curves`` of a page of ``shape`` straight, or None when they
    are straight."""
    h, w = shape
    if not curves:
        return None
    xs = np.arange(w, dtype=np.float64)
    traced = []
    for coef, a, b in curves:
        along = np.polyval(coef, np.clip(xs, a, b))  # beyond its ends a ruling bends no further
        line = np.polyval(np.polyfit([a, b], [np.polyval(coef, a), np.polyval(coef, b)], 1), np.clip(xs, a, b))
        traced.append((float(np.polyval(coef, min(max(w / 2, a), b))), along, float(np.abs(along - line).max())))
    if max(t[2] for t in traced) < s.min_bend:
        return None
    traced.sort(key=lambda t: t[0])
    kept = [traced[0]]
    for t in traced[1:]:  # two traces that cross or touch are one ruling twice, or a ruling and text
        if np.all(t[1] - kept[-1][1] > 3):
            kept.append(t)
    targets = np.array([t[0] for t in kept])
    bent = np.stack([t[1] for t in kept])  # (k, w): where ruling i runs in column x
    ys = np.arange(h, dtype=np.float64)
    i = np.clip(np.searchsorted(targets, ys) - 1, 0, len(kept) - 1)  # the ruling above (or the first)
    j = np.minimum(i + 1, len(kept) - 1)
    span = targets[j] - targets[i]
    frac = np.where(span > 0, (ys - targets[i]) / np.where(span > 0, span, 1), 0.0)
    above = ys < targets[0]
    below = ys >= targets[-1]
    frac = np.where(above | below, 0.0, frac)
    src = bent[i] + frac[:, None] * (bent[j] - bent[i])
    src = np.where(above[:, None], ys[:, None] + bent[0] - targets[0], src)
    src = np.where(below[:, None], ys[:, None] + bent[-1] - targets[-1], src)
    return np.asarray(src, dtype=np.float32)


def _tilt_map(curves: list[Curve], shape: tuple[int, int], s: UnbendSettings) -> tuple[F32, F32] | None:
    """The turn that lays the horizontal rulings ``curves`` of a page of ``shape`` level on average, as a map, or
    None when they lie level already. A bent page is turned first: pulling a tilted ruling level by moving
    columns up and down would shear the page, and its vertical rulings would stay tilted (and be lost to the
    grid)."""
    h, w = shape
    if not curves:
        return None
    spans = np.array([b - a for _, a, b in curves], dtype=np.float64)
    slopes = np.array([(np.polyval(c, b) - np.polyval(c, a)) / max(b - a, 1) for c, a, b in curves])
    order = np.argsort(slopes)  # the weighted median: one stray line does not turn the page
    cumulative = np.cumsum(spans[order])
    slope = float(slopes[order][np.searchsorted(cumulative, cumulative[-1] / 2)])
    if abs(slope) * w / 2 < s.min_bend:
        return None
    sin, cos = math.sin(math.atan(slope)), math.cos(math.atan(slope))
    gx, gy = np.meshgrid(np.arange(w, dtype=np.float64) - w / 2, np.arange(h, dtype=np.float64) - h / 2)
    return (np.asarray(w / 2 + gx * cos - gy * sin, dtype=np.float32),
            np.asarray(h / 2 + gx * sin + gy * cos, dtype=np.float32))


def find_bend(ink: U8, s: UnbendSettings = UnbendSettings()) -> Bend | None:
    """The bend of a page by its rulings, or None when they run straight already: turned so that its
    horizontal rulings lie level on average, those pulled straight, then its vertical ones on the result."""
    h, w = ink.shape
    grid_x, grid_y = np.meshgrid(np.arange(w, dtype=np.float32), np.arange(h, dtype=np.float32))
    total: tuple[F32, F32] | None = None

    def then(step: tuple[F32, F32]) -> None:
        nonlocal total
        if total is None:
            total = step
        else:  # a pixel of the result comes from ``step`` on the page so far, which came from ``total`` there
            total = (np.asarray(cv2.remap(total[0], step[0], step[1], cv2.INTER_LINEAR,
                                          borderMode=cv2.BORDER_REPLICATE), dtype=np.float32),
                     np.asarray(cv2.remap(total[1], step[0], step[1], cv2.INTER_LINEAR,
                                          borderMode=cv2.BORDER_REPLICATE), dtype=np.float32))

    def moved() -> U8:  # the rulings as the steps so far leave them
        assert total is not None
        return u8(cv2.remap(ink, total[0], total[1], cv2.INTER_NEAREST, borderMode=cv2.BORDER_CONSTANT,
                            borderValue=0))

    page = ink
    curves = _curves(page, s)
    tilt = _tilt_map(curves, (h, w), s)
    if tilt is not None:
        then(tilt)
        page = moved()
        curves = _curves(page, s)  # traced again on the turned page
    rows = _rows_map(curves, (h, w), s)
    if rows is not None:
        then((grid_x, rows))
        page = moved()
    cols_t = _rows_map(_curves(np.ascontiguousarray(page.T), s), (w, h), s)
    if cols_t is not None:
        then((np.ascontiguousarray(cols_t.T), grid_y))  # in this step x moves, y stays
    if total is None:
        return None
    return Bend(map_x=total[0], map_y=total[1])


def unbent(gray: U8, bend: Bend) -> U8:
    """``gray`` with ``bend`` undone (paper white where the page had nothing to give)."""
    return u8(
        cv2.remap(gray, bend.map_x, bend.map_y, cv2.INTER_LINEAR, borderMode=cv2.BORDER_CONSTANT, borderValue=255)
    )


def unbend_page(page: PreparedPage, bend: Bend) -> PreparedPage:
    """``page`` with ``bend`` undone, its ink binarised again from the unbent grey."""
    gray = unbent(page.gray, bend)
    return replace(page, gray=gray, ink=binarise(gray))
