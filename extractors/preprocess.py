"""Page clean-up before grid finding and OCR: small pure functions, image in → image out.

The chain :func:`prepare_page` runs, in order::

    rgb ─ find_page_outline → straighten    (phone photo: sheet on a desk, shadowed, curled → flat A4 page)
        ─ stamp_free_gray                   (red seal → paper; dark strokes under it kept)
        ─ flatten_light                     (shadow / uneven light → white paper by background division)
        ─ estimate_skew → rotate            (±5°, from the table's long lines; text box as fallback)
        ─ binarise                          (ink = 255, for line finding and ink density)

Arrays are ``uint8``; colour images are RGB (not OpenCV's BGR). Sizes and kernels are relative to the
page so 150–300 dpi inputs behave alike.

Geometry: the chain keeps the 3×3 homography ``PreparedPage.to_page`` (shrink, then perspective warp, then
deskew rotation) from the pixels of the RGB page it was given to the pixels of the prepared page. Grids and
OCR work in the prepared page; :func:`map_box` takes their boxes back through the inverse so the reader can
report boxes in the coordinates of the file that was uploaded (docs/ocr.md, "Boxes").
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Any

import cv2
import numpy as np
import numpy.typing as npt

U8 = npt.NDArray[np.uint8]

F64 = npt.NDArray[np.float64]

A4_RATIO = math.sqrt(2.0)
PHOTO_LONG_SIDE = 1700  # px: a photographed sheet is straightened to at least this (≈ 145 dpi for A4). On the
# field corpus's photos 1300 px read as many values right (94 %) with 15 % less CPU, but OCR was unsure of
# more of them (review share 42 % against 31 %) and thin rulings in a shadow broke up more often.
MAX_SKEW_DEG = 5.0


def u8(a: Any) -> U8:
    """``a`` as a ``uint8`` array (no copy when it already is one): OpenCV's stubs type results loosely."""
    return np.asarray(a, dtype=np.uint8)


def _identity() -> F64:
    return np.eye(3, dtype=np.float64)


@dataclass(frozen=True)
class PreparedPage:
    """One page ready for reading: ``gray`` (stamp-free, flattened, deskewed) and its ink mask ``ink``.

    ``to_page`` maps pixel coordinates of the RGB page given to :func:`prepare_page` to pixel coordinates of
    ``gray`` (homogeneous 3×3: shrink, perspective warp, deskew); invert it to go back (:func:`map_box`).
    """

    gray: U8
    ink: U8  # 255 where ink
    skew_deg: float  # rotation that was undone (counter-clockwise positive)
    flattened: bool  # a photographed page was found and perspective-corrected
    to_page: F64 = field(default_factory=_identity)
    doubtful_geometry: bool = False  # the sheet's outline was ragged or strongly bent: rows may be mixed


# ------------------------------------------------------------------------------------------- geometry


def scale_matrix(sx: float, sy: float) -> F64:
    """3×3 matrix of a scaling by ``sx`` horizontally and ``sy`` vertically."""
    return np.array([[sx, 0.0, 0.0], [0.0, sy, 0.0], [0.0, 0.0, 1.0]], dtype=np.float64)


def map_box(matrix: F64, box: tuple[float, float, float, float],
            bounds: tuple[float, float] | None = None) -> tuple[float, float, float, float]:
    """Axis-aligned bounding box of ``box``'s four corners sent through the 3×3 ``matrix``.

    With ``bounds`` ``(width, height)`` the result is clamped to ``[0, width] × [0, height]``.
    """
    x0, y0, x1, y1 = box
    pts = np.array([[x0, y0, 1.0], [x1, y0, 1.0], [x1, y1, 1.0], [x0, y1, 1.0]], dtype=np.float64) @ matrix.T
    xs, ys = pts[:, 0] / pts[:, 2], pts[:, 1] / pts[:, 2]
    ox0, oy0, ox1, oy1 = float(xs.min()), float(ys.min()), float(xs.max()), float(ys.max())
    if bounds is not None:
        w, h = bounds
        ox0, ox1 = min(max(ox0, 0.0), w), min(max(ox1, 0.0), w)
        oy0, oy1 = min(max(oy0, 0.0), h), min(max(oy1, 0.0), h)
    return ox0, oy0, ox1, oy1


# ------------------------------------------------------------------------------------------- page finding


@dataclass(frozen=True)
class PageOutline:
    """The sheet of paper in a photo: its corners and how far each side bows (curl, lens barrel).

    ``corners`` are TL, TR, BR, BL in photo pixels. ``bows[i]`` is how far the middle of side ``i`` (top,
    right, bottom, left) lies outside the straight line between its corners, in photo pixels (negative:
    inside). ``stray`` is the share of the outline's points that fit none of the four sides (an object
    overlapping the sheet, a shadow eaten into it): the larger, the less the straightening can be trusted.
    """

    corners: npt.NDArray[np.float32]
    bows: tuple[float, float, float, float]
    stray: float
    found: bool = True  # False: a sheet on a desk was seen, but no four-sided outline could be fitted

    @property
    def doubtful(self) -> bool:
        """Whether the page cannot be straightened with confidence: no four sides found, or an outline too
        ragged or too bent for the straightened rows to be trusted as is."""
        return (not self.found or self.stray > MAX_STRAY
                or max(abs(b) for b in self.bows) > MAX_BOW * self.long_side
                or self.squareness > MAX_CORNER_SLANT)

    @property
    def squareness(self) -> float:
        """How far the corner least like a right angle is from one, in degrees. A sheet photographed as
        phones are held keeps its corners within ≈ 15° of square; a quadrilateral with a corner much further
        off is not the sheet but the sheet with a corner cut off (a deep shadow or an object the desk's flood
        took in along a slanting edge)."""
        c = self.corners.astype(np.float64)
        worst = 0.0
        for k in range(4):
            a, b = c[(k - 1) % 4] - c[k], c[(k + 1) % 4] - c[k]
            cos = float(a @ b) / ((float(np.linalg.norm(a)) * float(np.linalg.norm(b))) or 1.0)
            worst = max(worst, abs(math.degrees(math.acos(min(1.0, max(-1.0, cos)))) - 90.0))
        return worst

    @property
    def long_side(self) -> float:
        tl, tr, br, bl = self.corners
        return float(max(np.linalg.norm(tr - tl), np.linalg.norm(bl - tl), np.linalg.norm(br - bl),
                         np.linalg.norm(br - tr)))


MIN_EDGE_CONTRAST = 20.0  # CIELAB units across the sheet's border: less is paper on both sides (a scan)
MAX_STRAY = 0.12  # of the outline's points off every side
MAX_CORNER_SLANT = 20.0  # degrees off square at the worst corner (PageOutline.squareness; corpus photos: ≤ 11)
MAX_BOW = 0.06  # of the page's long side: beyond that the quadratic side model is a guess (corpus photos: ≤ 4 %)
_OUTLINE_SIDE = 480  # px: the page is looked for at this size (fast; the outline is refined by fitting)


def paper_region(rgb: U8) -> tuple[U8, float, float]:
    """Mask (255 = paper) of the sheet in a photo at a small working size, that size's scale, and how much
    the colour changes across the mask's border (CIELAB distance of the medians just inside and outside).

    A marker-controlled watershed on the colour gradient: the middle of the frame is paper, the frame's
    edge is desk, and the two floods meet on the strongest edge between them — the sheet's border. A
    shadow darkens paper gradually (a weak gradient), so it does not stop the paper's flood the way a
    brightness threshold is stopped; objects on the desk are islands in the desk's flood.

    On a scan both floods are paper and meet on some ruling: white on both sides, a contrast near 0 (a
    sheet on a desk: 55–180 on the field corpus's photos).
    """
    h, w = rgb.shape[:2]
    scale = _OUTLINE_SIDE / max(h, w)
    small = u8(cv2.resize(rgb, (max(8, round(w * scale)), max(8, round(h * scale))), interpolation=cv2.INTER_AREA))
    small = u8(cv2.medianBlur(small, 5))  # wood grain, JPEG blocks and print are finer than the sheet's edge
    lab = np.asarray(cv2.cvtColor(small, cv2.COLOR_RGB2LAB), dtype=np.float32)
    grad = np.zeros(lab.shape[:2], np.float32)
    for c, weight in ((0, 1.0), (1, 2.0), (2, 2.0)):  # a colour change counts more than a brightness one
        gx = cv2.Sobel(lab[..., c], cv2.CV_32F, 1, 0, ksize=3)
        gy = cv2.Sobel(lab[..., c], cv2.CV_32F, 0, 1, ksize=3)
        # np.hypot, not cv2.magnitude: OpenCV's result differed in its last bits from call to call on the same
        # input (by where its output buffer happened to lie), and a pixel at a whole grey level's edge then
        # moved the sheet's outline — the same photo read two ways within one process
        grad = np.maximum(grad, np.hypot(gx, gy, dtype=np.float32) * weight)
    g8 = np.clip(grad / 4.0, 0, 255).astype(np.uint8)
    sh, sw = g8.shape
    markers = np.zeros((sh, sw), np.int32)
    markers[1:3, :] = markers[-3:-1, :] = 1  # OpenCV's watershed owns the outermost pixel ring
    markers[:, 1:3] = markers[:, -3:-1] = 1
    cy, cx = sh // 2, sw // 2
    markers[cy - sh // 10:cy + sh // 10 + 1, cx - sw // 10:cx + sw // 10 + 1] = 2
    labels = cv2.watershed(np.ascontiguousarray(np.repeat(g8[..., None], 3, axis=2)), markers)
    mask: U8 = (np.asarray(labels) == 2).astype(np.uint8) * 255
    ring = np.ones((9, 9), np.uint8)
    inner = (mask > 0) & (np.asarray(cv2.erode(mask, ring)) == 0)
    outer = (mask == 0) & (np.asarray(cv2.dilate(mask, ring)) > 0)
    if not inner.any() or not outer.any():
        return mask, scale, 0.0
    contrast = float(np.linalg.norm(np.median(lab[inner], axis=0) - np.median(lab[outer], axis=0)))
    return mask, scale, contrast


def _side_points(contour: npt.NDArray[np.float64], a: int, b: int) -> npt.NDArray[np.float64]:
    """Contour points from index ``a`` to ``b`` going forward (wrapping)."""
    if a <= b:
        return contour[a:b + 1]
    return np.concatenate([contour[a:], contour[:b + 1]])


def _fit_side(pts: npt.NDArray[np.float64], p0: npt.NDArray[np.float64], p1: npt.NDArray[np.float64],
              tol: float) -> tuple[npt.NDArray[np.float64], int]:
    """A side as ``v = c0 + c1·u + c2·u²`` in the frame of the chord ``p0 → p1`` (u along, v to its left).

    Trimmed least squares: points farther than ``tol`` from the first fit (an object over the edge, a
    shadow bite) are dropped before the second. Returns the coefficients and how many points were dropped.
    """
    d = p1 - p0
    length = float(np.linalg.norm(d)) or 1.0
    ex = d / length
    ey = np.array([-ex[1], ex[0]])
    rel = pts - p0
    u, v = rel @ ex, rel @ ey
    keep = (u > 0.05 * length) & (u < 0.95 * length)
    inl = keep & (np.abs(v) < 2.5 * tol)  # the chord first: what sticks out far never pulls the fit
    if inl.sum() < 6:
        return np.zeros(3), int(keep.sum())
    coef = np.polyfit(u[inl], v[inl], 2)
    for _ in range(2):
        nxt = keep & (np.abs(np.polyval(coef, u) - v) < tol)
        if nxt.sum() < 6:
            break
        coef = np.polyfit(u[nxt], v[nxt], 2)
    res = np.abs(np.polyval(coef, u) - v)
    return coef, int((keep & (res >= tol)).sum())


def _line_quad(contour: npt.NDArray[np.float64], tol: float) -> npt.NDArray[np.float64] | None:
    """Four corners from the four straight runs that hold most of the border, or None.

    Candidate lines are chords over 5 % of the border (local tangents); the one with most border points
    within ``tol`` wins, its points are taken away, and so on four times. Something lying across the
    sheet's edge or a desk object the flood took in adds a short run, never one of the four longest.
    """
    n = len(contour)
    k = max(3, n // 20)
    starts = np.arange(0, n, max(1, n // 300))
    a, b = contour[starts], contour[(starts + k) % n]
    d = b - a
    length = np.linalg.norm(d, axis=1)
    ok = length > k * 0.7  # a straight stretch, not a corner
    a, d = a[ok], d[ok] / length[ok, None]
    normal = np.stack([-d[:, 1], d[:, 0]], axis=1)
    offset = (normal * a).sum(axis=1)
    dist = np.abs(contour @ normal.T - offset[None, :])  # points × candidates
    free = np.ones(n, dtype=bool)
    lines: list[tuple[npt.NDArray[np.float64], float]] = []
    for _ in range(4):
        score = ((dist < tol) & free[:, None]).sum(axis=0)
        for ln, off in lines:  # not the same side again
            same = (np.abs((normal * ln).sum(axis=1)) > math.cos(math.radians(20))) & (
                np.abs(offset - off * np.sign((normal * ln).sum(axis=1))) < 8 * tol)
            score[same] = -1
        best = int(np.argmax(score))
        if score[best] < 0.05 * n:
            return None
        lines.append((normal[best], float(offset[best])))
        free &= dist[:, best] >= 2.5 * tol
    # two families of roughly parallel lines
    first = lines[0][0]
    par = [i for i in range(1, 4) if abs(float(lines[i][0] @ first)) > math.cos(math.radians(30))]
    if len(par) != 1:
        return None
    pairs = ([0, par[0]], [i for i in range(1, 4) if i != par[0]])
    if abs(float(lines[pairs[1][0]][0] @ lines[pairs[1][1]][0])) < math.cos(math.radians(30)):
        return None
    pts = []
    for i in pairs[0]:
        for j in pairs[1]:
            m = np.array([lines[i][0], lines[j][0]])
            if abs(float(np.linalg.det(m))) < 0.3:
                return None
            pts.append(np.linalg.solve(m, np.array([lines[i][1], lines[j][1]])))
    quad = np.asarray(pts, dtype=np.float64)
    return order_corners(quad.astype(np.float32)).astype(np.float64)


def find_page_outline(rgb: U8, min_area: float = 0.15, max_area: float = 0.95) -> PageOutline | None:
    """The sheet of paper in a photo (:class:`PageOutline`), or None for a scan.

    The paper region (:func:`paper_region`) gives a first quadrilateral (its convex hull simplified to
    four corners); each side is then fitted to the region's border as a gentle curve, ignoring what
    sticks out, and the corners are where neighbouring sides meet. None when the region covers more than
    ``max_area`` of the frame or the colour barely changes across its border (the paper fills the frame: a
    scan, whose floods meet on a ruling). A region that stands out from the desk but is smaller than
    ``min_area`` or has no four-sided outline gives an outline with ``found=False``: the photo is read
    as it is, and its geometry is doubtful.
    """
    mask, scale, contrast = paper_region(rgb)
    if contrast < MIN_EDGE_CONTRAST:
        return None
    h, w = rgb.shape[:2]
    frame = np.array([[0, 0], [w - 1, 0], [w - 1, h - 1], [0, h - 1]], dtype=np.float32)
    unclear = PageOutline(corners=frame, bows=(0.0, 0.0, 0.0, 0.0), stray=1.0, found=False)
    contours, _ = cv2.findContours(mask, cv2.RETR_EXTERNAL, cv2.CHAIN_APPROX_NONE)
    if not contours:
        return unclear
    biggest = max(contours, key=cv2.contourArea)
    area = cv2.contourArea(biggest) / float(mask.shape[0] * mask.shape[1])
    if area > max_area:  # the flood reached the frame's edge: the sheet fills the photo (a scan)
        return None
    if area < min_area:
        return unclear
    contour = biggest.reshape(-1, 2).astype(np.float64)
    tol = max(2.0, 0.012 * max(mask.shape))
    candidates = [q for q in (_line_quad(contour, tol), _hull_quad(biggest, contour)) if q is not None]
    fitted = [o for q in candidates
              if cv2.contourArea(q.astype(np.float32)) >= 0.5 * cv2.contourArea(biggest)
              and (o := _fit_outline(contour, q, tol, scale)) is not None]
    if not fitted:
        return unclear
    return min(fitted, key=lambda o: o.stray)


def _hull_quad(biggest: Any, contour: npt.NDArray[np.float64]) -> npt.NDArray[np.float64]:
    """Four corners of the region's convex hull (simplified until four remain; else its extreme points)."""
    hull = cv2.convexHull(biggest)
    for eps in (0.02, 0.03, 0.045, 0.06, 0.08):
        approx = cv2.approxPolyDP(hull, eps * cv2.arcLength(hull, True), True)
        if len(approx) == 4:
            return order_corners(approx.reshape(4, 2).astype(np.float32)).astype(np.float64)
        if len(approx) < 4:
            break
    s, dd = contour.sum(axis=1), np.diff(contour, axis=1).ravel()
    quad = contour[[np.argmin(s), np.argmin(dd), np.argmax(s), np.argmax(dd)]]
    return order_corners(quad.astype(np.float32)).astype(np.float64)


def _fit_outline(contour: npt.NDArray[np.float64], corners: npt.NDArray[np.float64], tol: float,
                 scale: float) -> PageOutline | None:
    """The four sides between ``corners`` fitted to the border (working pixels) → outline in photo pixels."""
    idx = [int(np.argmin(np.linalg.norm(contour - c, axis=1))) for c in corners]
    if len(set(idx)) < 4:
        return None
    if not (idx[0] < idx[1] < idx[2] or idx[1] < idx[2] < idx[0] or idx[2] < idx[0] < idx[1]):
        contour = contour[::-1].copy()  # make the border run TL → TR → BR → BL like the corners
        idx = [len(contour) - 1 - i for i in idx]
    fits = []
    stray = 0
    for k in range(4):
        p0, p1 = corners[k], corners[(k + 1) % 4]
        coef, dropped = _fit_side(_side_points(contour, idx[k], idx[(k + 1) % 4]), p0, p1, tol)
        fits.append((p0, p1, coef))
        stray += dropped
    refined = [_meet(fits[(k - 1) % 4], fits[k], corners[k]) for k in range(4)]
    bows: list[float] = []
    for k in range(4):
        a, b = refined[k], refined[(k + 1) % 4]
        mid = _on_side(fits[k], 0.5 * (a + b))
        d = b - a
        n = np.array([d[1], -d[0]]) / (float(np.linalg.norm(d)) or 1.0)  # outward for TL→TR→BR→BL
        bows.append(float((mid - 0.5 * (a + b)) @ n) / scale)
    out = (np.asarray(refined, dtype=np.float64) / scale).astype(np.float32)
    return PageOutline(corners=out, bows=(bows[0], bows[1], bows[2], bows[3]), stray=stray / max(len(contour), 1))


def _on_side(fit: tuple[Any, Any, Any], p: npt.NDArray[np.float64]) -> npt.NDArray[np.float64]:
    """The point of the fitted side at the same position along its chord as ``p``."""
    p0, p1, coef = fit
    d = p1 - p0
    length = float(np.linalg.norm(d)) or 1.0
    ex = d / length
    ey = np.array([-ex[1], ex[0]])
    u = float((p - p0) @ ex)
    return np.asarray(p0 + ex * u + ey * float(np.polyval(coef, u)), dtype=np.float64)


def _meet(before: tuple[Any, Any, Any], after: tuple[Any, Any, Any], start: npt.NDArray[np.float64]
          ) -> npt.NDArray[np.float64]:
    """Where two neighbouring fitted sides cross, from ``start`` by alternate projection (sides cross at
    nearly a right angle, so a few steps converge)."""
    p = start
    for _ in range(8):
        p = _on_side(after, _on_side(before, p))
    return p if float(np.linalg.norm(p - start)) < 0.1 * float(np.linalg.norm(after[1] - after[0])) else start


def order_corners(pts: npt.NDArray[np.float32]) -> npt.NDArray[np.float32]:
    """Corners ordered top-left, top-right, bottom-right, bottom-left."""
    s = pts.sum(axis=1)
    d = np.diff(pts, axis=1).ravel()
    out = np.array([pts[np.argmin(s)], pts[np.argmin(d)], pts[np.argmax(s)], pts[np.argmax(d)]], dtype=np.float32)
    return out


def page_warp(quad: npt.NDArray[np.float32]) -> tuple[F64, tuple[int, int]]:
    """The homography that takes ``quad`` (photo pixels) to a flat A4-proportioned page, and that page's size."""
    tl, tr, br, bl = quad
    width = (np.linalg.norm(tr - tl) + np.linalg.norm(br - bl)) / 2
    height = (np.linalg.norm(bl - tl) + np.linalg.norm(br - tr)) / 2
    long_side = float(max(width, height))
    if width >= height:
        out_w, out_h = round(long_side), round(long_side / A4_RATIO)
    else:
        out_w, out_h = round(long_side / A4_RATIO), round(long_side)
    dst = np.array([[0, 0], [out_w - 1, 0], [out_w - 1, out_h - 1], [0, out_h - 1]], dtype=np.float32)
    m = np.asarray(cv2.getPerspectiveTransform(quad, dst), dtype=np.float64)
    return m, (out_w, out_h)


def straighten(rgb: U8, outline: PageOutline, min_long_side: int = 0) -> tuple[U8, F64]:
    """The sheet inside ``outline`` flat, at A4 proportions, and the homography photo → flat page.

    Perspective is undone exactly by the homography of the four corners; the sides' bows (a curled sheet,
    a wide-angle lens) are undone by shifting every point by the bows of the four sides, each fading
    towards the opposite side (a Coons patch on the homography), so a ruling that sagged with the paper
    comes out straight. The returned homography leaves the bows out: it maps boxes back within a bow's
    width. Pages measuring less than ``min_long_side`` px are enlarged to it.
    """
    m, (w, h) = page_warp(outline.corners)
    if max(w, h) < min_long_side:
        k = min_long_side / max(w, h)
        w, h = round(w * k), round(h * k)
        m = scale_matrix(k, k) @ m
    inv = np.linalg.inv(m)
    # The map is smooth: compute it on a coarse lattice and let resize interpolate (×50 less arithmetic).
    step = 8
    cw, ch = w // step + 2, h // step + 2
    off = (step - 1) / 2  # resize puts lattice point i at pixel i·step + (step − 1)/2
    gx, gy = np.meshgrid(np.arange(cw, dtype=np.float64) * step + off, np.arange(ch, dtype=np.float64) * step + off)
    den = inv[2, 0] * gx + inv[2, 1] * gy + inv[2, 2]
    px = (inv[0, 0] * gx + inv[0, 1] * gy + inv[0, 2]) / den
    py = (inv[1, 0] * gx + inv[1, 1] * gy + inv[1, 2]) / den
    if any(abs(b) >= 1.0 for b in outline.bows):
        u, v = np.clip(gx / max(w - 1, 1), 0, 1), np.clip(gy / max(h - 1, 1), 0, 1)
        c = outline.corners.astype(np.float64)
        fade = ((1 - v) * 4 * u * (1 - u), u * 4 * v * (1 - v), v * 4 * u * (1 - u), (1 - u) * 4 * v * (1 - v))
        for k in range(4):
            d = c[(k + 1) % 4] - c[k]
            n = np.array([d[1], -d[0]]) / (float(np.linalg.norm(d)) or 1.0)  # outward
            px += fade[k] * outline.bows[k] * n[0]
            py += fade[k] * outline.bows[k] * n[1]
    full = (cw * step, ch * step)
    mx = np.asarray(cv2.resize(px.astype(np.float32), full, interpolation=cv2.INTER_LINEAR))[:h, :w]
    my = np.asarray(cv2.resize(py.astype(np.float32), full, interpolation=cv2.INTER_LINEAR))[:h, :w]
    flat = u8(cv2.remap(rgb, np.ascontiguousarray(mx), np.ascontiguousarray(my), cv2.INTER_LINEAR,
                        borderMode=cv2.BORDER_REPLICATE))
    return flat, m


# ------------------------------------------------------------------------------------------- colour and light


def red_mask(rgb: U8, dominance: int = 40) -> U8:
    """255 where the red channel dominates green and blue by ``dominance`` (seal ink, red pen)."""
    r = rgb[..., 0].astype(np.int16)
    gb = np.maximum(rgb[..., 1], rgb[..., 2]).astype(np.int16)
    mask: U8 = ((r - gb) > dominance).astype(np.uint8) * 255
    return mask


def stamp_free_gray(rgb: U8) -> U8:
    """Gray page with red seal ink turned to paper while dark strokes under the seal stay dark.

    Red ink barely absorbs red light, so where red dominates the red channel alone (brightened by 1/0.85 for
    the ink's own absorption) is the page as it was before stamping: paper light, black text dark.
    Everywhere else the usual luminance is kept.
    """
    gray = u8(cv2.cvtColor(rgb, cv2.COLOR_RGB2GRAY))
    mask = red_mask(rgb) > 0
    if not mask.any():
        return gray
    mask = u8(cv2.dilate(mask.astype(np.uint8), np.ones((3, 3), np.uint8))) > 0
    red = np.minimum(rgb[..., 0].astype(np.float32) / 0.85, 255).astype(np.uint8)
    out: U8 = np.where(mask, red, gray).astype(np.uint8)
    return out


def flatten_light(gray: U8) -> U8:
    """Divide by the paper's estimated brightness (max filter at 1/4 size, blurred): shadows → white paper."""
    h, w = gray.shape
    small = u8(cv2.resize(gray, (max(1, w // 4), max(1, h // 4)), interpolation=cv2.INTER_AREA))
    k = max(5, (min(h, w) // 4) // 40) | 1  # wider than any stroke, a line of text or a ruling
    bg = u8(cv2.dilate(small, cv2.getStructuringElement(cv2.MORPH_RECT, (k, k))))
    bg = u8(cv2.medianBlur(bg, k))
    bg = u8(cv2.GaussianBlur(bg, (0, 0), k / 2))
    bg = u8(cv2.resize(bg, (w, h), interpolation=cv2.INTER_LINEAR))
    out = u8(cv2.divide(gray, np.maximum(bg, 1), scale=255))
    return out


def binarise(gray: U8) -> U8:
    """Ink mask (255 = ink) of a flattened page: darker than Otsu's threshold (kept within 110–200) AND
    darker than its neighbourhood.

    The second test keeps shaded cells out of the ink: a header row filled grey (a clerk's retyped form)
    would otherwise turn into one black bar that swallows the rulings and the text inside it, and the
    table would lose its header. A ruling or a stroke crossing the shade is still darker than the shade.
    """
    t, _ = cv2.threshold(gray, 0, 255, cv2.THRESH_BINARY_INV + cv2.THRESH_OTSU)
    t = min(max(t, 110.0), 200.0)
    _, dark = cv2.threshold(gray, t, 255, cv2.THRESH_BINARY_INV)
    block = max(15, (max(gray.shape) // 60) | 1)
    local = cv2.adaptiveThreshold(gray, 255, cv2.ADAPTIVE_THRESH_MEAN_C, cv2.THRESH_BINARY_INV, block, 12)
    return u8(cv2.bitwise_and(dark, local))


# ------------------------------------------------------------------------------------------- skew


def _centreline(ink: U8, x0: int, y0: int, x1: int, y1: int, reach: int = 3) -> tuple[float, float, float, float]:
    """The segment ``(x0, y0)``–``(x1, y1)`` that HoughLinesP found, fitted to the middle of the ink within
    ``reach`` px of it (least squares on each column's, or row's, ink centre): its end points follow the
    transform's angle bins, the fitted line follows the ruling."""
    h, w = ink.shape
    along_x = abs(x1 - x0) >= abs(y1 - y0)
    if (x1 < x0) if along_x else (y1 < y0):
        x0, y0, x1, y1 = x1, y1, x0, y0
    t = np.arange(x0, x1 + 1) if along_x else np.arange(y0, y1 + 1)
    guess = (y0 + (t - x0) * ((y1 - y0) / max(x1 - x0, 1)) if along_x
             else x0 + (t - y0) * ((x1 - x0) / max(y1 - y0, 1)))
    across = np.clip(np.rint(guess).astype(np.intp)[:, None] + np.arange(-reach, reach + 1)[None, :], 0,
                     (h if along_x else w) - 1)
    on = (ink[across, t[:, None]] if along_x else ink[t[:, None], across]) > 0
    n = on.sum(axis=1)
    if np.count_nonzero(n) < 2:
        return float(x0), float(y0), float(x1), float(y1)
    centre = (across * on).sum(axis=1)[n > 0] / n[n > 0]
    slope, at0 = np.polyfit(t[n > 0].astype(np.float64), centre, 1)
    a, b = float(t[0]), float(t[-1])
    ends = (a, slope * a + at0, b, slope * b + at0)
    return ends if along_x else (ends[1], ends[0], ends[3], ends[2])


def _lines_of_text_angle(ink: U8, max_deg: float, step: float = 0.05) -> float:
    """The angle (counter-clockwise, degrees, within ±``max_deg``) at which the ink's rows are sharpest: the
    text's lines, on a page without rulings. Each ink pixel is projected across the page at the angle, and
    the angle whose projection piles the ink into the fewest rows (the largest sum of squared row counts)
    wins — first in 0.5° steps, then in ``step`` around the best. 0.0 on a page with almost no ink."""
    pts = cv2.findNonZero(ink)
    if pts is None or len(pts) < 50:
        return 0.0
    xy = pts.reshape(-1, 2).astype(np.float64)
    if len(xy) > 60_000:  # as sharp from a sample, and a text-heavy page holds 300,000
        xy = xy[np.random.default_rng(0).choice(len(xy), 60_000, replace=False)]
    x, y = xy[:, 0], xy[:, 1]

    def sharpness(deg: float) -> float:
        v = y + x * math.tan(math.radians(deg))  # a line risen by deg to the right lands on one row
        rows = np.bincount(np.rint(v - v.min()).astype(np.intp))
        return float(np.dot(rows, rows))

    coarse = np.arange(-max_deg, max_deg + 1e-9, 0.5)
    best = float(coarse[int(np.argmax([sharpness(a) for a in coarse]))])
    fine = np.arange(max(-max_deg, best - 0.5), min(max_deg, best + 0.5) + 1e-9, step)
    return float(fine[int(np.argmax([sharpness(a) for a in fine]))])


def estimate_skew(ink: U8, max_deg: float = MAX_SKEW_DEG) -> float:
    """Counter-clockwise rotation of the page content in degrees, within ±``max_deg``.

    From long straight lines (table rulings, found with HoughLinesP at half size in 0.5° bins, each then
    fitted to its ink by :func:`_centreline`): three or more, or fewer that together run half the page's
    width (a short table on a sparse page, where the probabilistic transform may return only two of its
    rulings). On 20 grey scans of seeds 5 and 12 skewed by a known angle, the mean error was 0.11° (max
    0.49°) with 0.25° bins and the segments' end points, and is 0.03° (max 0.05°) with 0.5° bins fitted, in
    half the time. When there are no such lines (a form retyped as lines of text), the angle is the one at
    which the text's lines are sharpest (:func:`_lines_of_text_angle`). On the two grey scans of seeds 5
    and 47 that have none it reads -1.2° for -1.2° and 1.75° for 1.7°, where the minimum-area rectangle round
    the ink it replaces read -1.69° and gave up (0.0°); run on all six retyped grey scans of those seeds, it
    is within 0.05° of each.
    """
    h, w = ink.shape
    small = u8(cv2.resize(ink, (w // 2, h // 2), interpolation=cv2.INTER_AREA))
    small = u8(cv2.threshold(small, 100, 255, cv2.THRESH_BINARY)[1])
    lines = cv2.HoughLinesP(small, 1, np.pi / 360, threshold=120, minLineLength=w // 8, maxLineGap=8)
    angles: list[float] = []
    weights: list[float] = []
    if lines is not None:
        for seg in np.asarray(lines).reshape(-1, 4):  # OpenCV 5: (N, 4); 4.x: (N, 1, 4)
            x0, y0, x1, y1 = _centreline(small, *(int(v) for v in seg))
            dx, dy = x1 - x0, y1 - y0
            a = math.degrees(math.atan2(dy, dx))
            if abs(a) > 90 - max_deg:  # near vertical: measure against the vertical
                a = a - math.copysign(90.0, a)
            elif abs(a) > max_deg:
                continue
            angles.append(-a)  # image y grows downwards: a line rising to the right is a CCW rotation
            weights.append(math.hypot(dx, dy))
    if len(angles) >= 3 or sum(weights) >= w / 4:  # w / 4 at half size: half the page's width
        order = np.argsort(angles)
        cum = np.cumsum(np.asarray(weights)[order])
        return float(np.asarray(angles)[order][np.searchsorted(cum, cum[-1] / 2)])  # weighted median
    return _lines_of_text_angle(small, max_deg)


def rotation_matrix(width: int, height: int, degrees: float) -> F64:
    """3×3 matrix of what :func:`rotate` does to a ``width`` × ``height`` image (identity below 0.05°)."""
    if abs(degrees) < 0.05:
        return _identity()
    m = np.eye(3, dtype=np.float64)
    m[:2] = cv2.getRotationMatrix2D((width / 2, height / 2), degrees, 1.0)
    return m


def rotate(img: U8, degrees: float, fill: int = 255) -> U8:
    """Rotate about the centre by ``degrees`` (counter-clockwise positive), same size, corners ``fill``."""
    if abs(degrees) < 0.05:
        return img
    h, w = img.shape[:2]
    m = rotation_matrix(w, h, degrees)[:2]
    border = (fill, fill, fill) if img.ndim == 3 else fill
    out = u8(cv2.warpAffine(img, m, (w, h), flags=cv2.INTER_CUBIC, borderValue=border))
    return out


# ------------------------------------------------------------------------------------------- the chain


def prepare_page(rgb: U8, max_long_side: int = 2480) -> PreparedPage:
    """Run the whole chain on one RGB page. Pages above ``max_long_side`` px (≈ 210 dpi for A4) shrink first:
    on the scan corpus 300-dpi pages read as well at that size as at full size, in 2.7 s instead of 4.2 s."""
    h, w = rgb.shape[:2]
    to_page = _identity()
    if max(h, w) > max_long_side:
        s = max_long_side / max(h, w)
        rgb = u8(cv2.resize(rgb, (round(w * s), round(h * s)), interpolation=cv2.INTER_AREA))
        to_page = scale_matrix(rgb.shape[1] / w, rgb.shape[0] / h)
    outline = find_page_outline(rgb)
    if outline is not None and outline.found:
        rgb, m = straighten(rgb, outline, PHOTO_LONG_SIDE)
        to_page = m @ to_page
    gray = flatten_light(stamp_free_gray(rgb))
    skew = estimate_skew(binarise(gray))
    to_page = rotation_matrix(gray.shape[1], gray.shape[0], -skew) @ to_page
    gray = rotate(gray, -skew)
    return PreparedPage(gray=gray, ink=binarise(gray), skew_deg=skew,
                        flattened=outline is not None and outline.found,
                        to_page=to_page, doubtful_geometry=outline is not None and outline.doubtful)
