"""Page clean-up before grid finding and OCR: small pure functions, image in → image out.

The chain :func:`prepare_page` runs, in order::

    rgb ─ find_page_quad → warp_page        (phone photo: paper on a desk → flat page, A4 aspect)
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


def find_page_quad(rgb: U8, min_area: float = 0.2, max_area: float = 0.97) -> npt.NDArray[np.float32] | None:
    """The four corners (TL, TR, BR, BL, in pixels) of the sheet of paper in a photo, or None.

    Looks for the largest bright convex quadrilateral; None when the paper fills the frame (a scan) or no
    clear quadrilateral covers between ``min_area`` and ``max_area`` of the image.
    """
    h, w = rgb.shape[:2]
    scale = 800.0 / max(h, w)
    small = u8(cv2.resize(rgb, (round(w * scale), round(h * scale)), interpolation=cv2.INTER_AREA))
    gray = u8(cv2.cvtColor(small, cv2.COLOR_RGB2GRAY))
    gray = u8(cv2.GaussianBlur(gray, (5, 5), 0))
    _, bright = cv2.threshold(gray, 0, 255, cv2.THRESH_BINARY + cv2.THRESH_OTSU)
    bright = u8(cv2.morphologyEx(bright, cv2.MORPH_CLOSE, np.ones((9, 9), np.uint8)))
    contours, _ = cv2.findContours(bright, cv2.RETR_EXTERNAL, cv2.CHAIN_APPROX_SIMPLE)
    if not contours:
        return None
    biggest = max(contours, key=cv2.contourArea)
    area = cv2.contourArea(biggest) / float(gray.shape[0] * gray.shape[1])
    if not min_area <= area <= max_area:
        return None
    hull = cv2.convexHull(biggest)
    quad = cv2.approxPolyDP(hull, 0.02 * cv2.arcLength(hull, True), True)
    if len(quad) != 4:
        return None
    return order_corners(quad.reshape(4, 2).astype(np.float32) / scale)


def order_corners(pts: npt.NDArray[np.float32]) -> npt.NDArray[np.float32]:
    """Corners ordered top-left, top-right, bottom-right, bottom-left."""
    s = pts.sum(axis=1)
    d = np.diff(pts, axis=1).ravel()
    out = np.array([pts[np.argmin(s)], pts[np.argmin(d)], pts[np.argmax(s)], pts[np.argmax(d)]], dtype=np.float32)
    return out


def warp_page(rgb: U8, quad: npt.NDArray[np.float32]) -> U8:
    """The paper inside ``quad`` warped flat to A4 proportions (landscape if the quad is wider than tall)."""
    m, size = page_warp(quad)
    return u8(cv2.warpPerspective(rgb, m, size, flags=cv2.INTER_CUBIC, borderMode=cv2.BORDER_REPLICATE))


def page_warp(quad: npt.NDArray[np.float32]) -> tuple[F64, tuple[int, int]]:
    """The homography :func:`warp_page` applies for ``quad`` (photo pixels → flat page) and the flat size."""
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


def estimate_skew(ink: U8, max_deg: float = MAX_SKEW_DEG) -> float:
    """Counter-clockwise rotation of the page content in degrees, within ±``max_deg``.

    From long straight lines (table rulings, found with HoughLinesP at half size); when there are none, from
    the minimum-area rectangle around the text. 0.0 when neither gives an angle in range.
    """
    h, w = ink.shape
    small = u8(cv2.resize(ink, (w // 2, h // 2), interpolation=cv2.INTER_AREA))
    small = u8(cv2.threshold(small, 100, 255, cv2.THRESH_BINARY)[1])
    lines = cv2.HoughLinesP(small, 1, np.pi / 720, threshold=120, minLineLength=w // 8, maxLineGap=8)
    angles: list[float] = []
    weights: list[float] = []
    if lines is not None:
        for x0, y0, x1, y1 in np.asarray(lines).reshape(-1, 4):  # OpenCV 5: (N, 4); 4.x: (N, 1, 4)
            dx, dy = float(x1 - x0), float(y1 - y0)
            a = math.degrees(math.atan2(dy, dx))
            if abs(a) > 90 - max_deg:  # near vertical: measure against the vertical
                a = a - math.copysign(90.0, a)
            elif abs(a) > max_deg:
                continue
            angles.append(-a)  # image y grows downwards: a line rising to the right is a CCW rotation
            weights.append(math.hypot(dx, dy))
    if len(angles) >= 3:
        order = np.argsort(angles)
        cum = np.cumsum(np.asarray(weights)[order])
        return float(np.asarray(angles)[order][np.searchsorted(cum, cum[-1] / 2)])  # weighted median
    pts = cv2.findNonZero(small)
    if pts is None or len(pts) < 50:
        return 0.0
    (_, _), (rw, rh), a = cv2.minAreaRect(pts)
    a = float(a)
    if rw < rh:
        a -= 90.0
    a = (a + 45.0) % 90.0 - 45.0
    return -a if abs(a) <= max_deg else 0.0


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
    quad = find_page_quad(rgb)
    if quad is not None:
        m, size = page_warp(quad)
        rgb = u8(cv2.warpPerspective(rgb, m, size, flags=cv2.INTER_CUBIC, borderMode=cv2.BORDER_REPLICATE))
        to_page = m @ to_page
    gray = flatten_light(stamp_free_gray(rgb))
    skew = estimate_skew(binarise(gray))
    to_page = rotation_matrix(gray.shape[1], gray.shape[0], -skew) @ to_page
    gray = rotate(gray, -skew)
    return PreparedPage(gray=gray, ink=binarise(gray), skew_deg=skew, flattened=quad is not None,
                        to_page=to_page)
