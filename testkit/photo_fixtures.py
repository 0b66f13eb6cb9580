"""Phone photos of our returned forms, made in code: the tests' own inputs for the photo reader (issue 12).

    page = rendered_liaison_reply()          # docgen's blank 回执, filled with :data:`LIAISON_VALUES`, 200 dpi
    shot = photograph(page, seed=3)          # the sheet on a cluttered desk, as a phone sees it

:func:`photograph` does what a phone does to a sheet lying on a desk: the sheet curls (its middle rises, so
the top and bottom edges bow), the lens bends straight lines a little (barrel), the camera looks at it
askew (perspective), a hand or the phone shades one corner, light falls unevenly, objects lie around and
partly under the sheet, and the result is a ~1600 px JPEG. It also returns where the sheet's corners landed,
so a test can check the outline found without OCR.
"""

from __future__ import annotations

import io
import random
from dataclasses import dataclass

import cv2
import numpy as np
import numpy.typing as npt
from docx import Document
from PIL import Image

from testkit import scan_fixtures as sf

Image8 = npt.NDArray[np.uint8]

LIAISON_VALUES = {
    "联络员姓名": "泽旺拉姆",
    "联络员职务": "教导主任",
    "联络员电话": "139 0837 2264",
    "分管领导姓名": "李明华",
    "分管领导职务": "副校长",
    "分管领导电话": "138-1234-5678",
}
"""What the school types into the 回执's grid, by field label."""


def liaison_reply_docx() -> tuple[bytes, dict[str, str]]:
    """docgen's blank 回执 for a fixed sample school, filled with :data:`LIAISON_VALUES` the Word way;
    returns the docx and every value on it by field label (the pre-filled 学校 included)."""
    from docgen.forms import load_schemas
    from testkit.corpus import _fill_field_cells, docgen_blank

    schema = load_schemas()["liaison_reply"]
    blank = docgen_blank(schema, random.Random(12))
    assert blank is not None, "templates/forms/liaison_reply.docx is missing"
    data, _, prefilled = blank
    doc = Document(io.BytesIO(data))
    written = _fill_field_cells(doc, schema, dict(LIAISON_VALUES))
    assert written == LIAISON_VALUES, written
    buf = io.BytesIO()
    doc.save(buf)
    return buf.getvalue(), {**prefilled, **written}


def rendered_liaison_reply(dpi: int = 200) -> tuple[Image8, dict[str, str]]:
    """The filled 回执's first page rendered by LibreOffice at ``dpi``, and its values by label."""
    docx, values = liaison_reply_docx()
    return sf.rasterise_pdf(sf.docx_to_pdf(docx), dpi)[0], values


@dataclass(frozen=True)
class Photo:
    """A photographed sheet: the JPEG-decoded RGB photo and where the sheet's corners are (TL, TR, BR, BL)."""

    rgb: Image8
    corners: npt.NDArray[np.float32]


def _curl(page: Image8, bow: float, barrel: float) -> Image8:
    """The sheet's middle lifted (top and bottom edges bow by ``bow`` of the height) and a lens barrel of
    strength ``barrel`` — both bend rulings; the paper's outline bends with them."""
    h, w = page.shape[:2]
    yy, xx = np.mgrid[0:h, 0:w].astype(np.float32)
    u, v = xx / (w - 1) * 2 - 1, yy / (h - 1) * 2 - 1
    dy = bow * h * (1 - u * u) * v  # top edge up, bottom edge down in the middle: the sheet rises there
    r2 = u * u + v * v
    k = 1 + barrel * r2
    mx = ((u / k) + 1) * (w - 1) / 2
    my = ((v / k) + 1) * (h - 1) / 2 - dy
    pad = 40
    big = cv2.copyMakeBorder(page, pad, pad, pad, pad, cv2.BORDER_CONSTANT, value=(0, 0, 0))
    return np.asarray(cv2.remap(big, mx + pad, my + pad, cv2.INTER_LINEAR, borderMode=cv2.BORDER_CONSTANT,
                                borderValue=(0, 0, 0)), dtype=np.uint8)


def _desk(w: int, h: int, rng: np.random.Generator) -> Image8:
    """A wood-grain desk with clutter: a coloured folder, a pen, a mug's rim, a sticky note."""
    base = np.array(rng.choice([(150, 120, 90), (95, 92, 88), (175, 165, 150)]), dtype=np.float32)
    grain = np.sin(np.linspace(0, 60, h))[:, None] * 12 + rng.normal(0, 6, (h, w))
    desk = np.clip(base[None, None, :] + grain[..., None], 0, 255).astype(np.uint8)
    desk = np.asarray(cv2.GaussianBlur(desk, (0, 0), 1.2), dtype=np.uint8)
    folder = (int(w * 0.02), int(h * 0.55), int(w * 0.3), int(h * 0.95))
    cv2.rectangle(desk, folder[:2], folder[2:], (40, 90, 170), -1)
    cv2.line(desk, (int(w * 0.7), int(h * 0.02)), (int(w * 0.98), int(h * 0.2)), (20, 20, 20), 9)
    cv2.circle(desk, (int(w * 0.9), int(h * 0.9)), int(min(w, h) * 0.09), (200, 40, 40), 14)
    cv2.rectangle(desk, (int(w * 0.78), int(h * 0.35)), (int(w * 0.99), int(h * 0.5)), (240, 230, 90), -1)
    return desk


def photograph(page: Image8, seed: int = 0, long_side: int = 1600, quality: int = 80, bow: float = 0.02,
               barrel: float = 0.04) -> Photo:
    """``page`` photographed lying on a cluttered desk with a shadow over one corner (see the module); ``bow``
    and ``barrel`` as in :func:`_curl`."""
    rng = np.random.default_rng(seed)
    ph, pw = page.shape[:2]
    scale = 0.72 * long_side / max(ph, pw)
    page = np.asarray(cv2.resize(page, (round(pw * scale), round(ph * scale)), interpolation=cv2.INTER_AREA),
                      dtype=np.uint8)
    ph, pw = page.shape[:2]
    curled = _curl(page, bow=bow, barrel=barrel)
    sheet = np.asarray(cv2.cvtColor(curled, cv2.COLOR_RGB2GRAY), dtype=np.uint8) > 0
    ow, oh = (long_side, round(long_side * 0.75)) if pw > ph else (round(long_side * 0.75), long_side)
    desk = _desk(ow, oh, rng)
    ch, cw = curled.shape[:2]
    x0, y0 = (ow - cw) / 2, (oh - ch) / 2
    src = np.array([[0, 0], [cw, 0], [cw, ch], [0, ch]], dtype=np.float32)
    jit = rng.uniform(-0.05, 0.05, (4, 2)) * np.array([cw, ch])
    dst = (np.array([[x0, y0], [x0 + cw, y0], [x0 + cw, y0 + ch], [x0, y0 + ch]]) + jit).astype(np.float32)
    m = cv2.getPerspectiveTransform(src, dst)
    warped = np.asarray(cv2.warpPerspective(curled, m, (ow, oh), flags=cv2.INTER_LINEAR), dtype=np.uint8)
    mask = np.asarray(cv2.warpPerspective(sheet.astype(np.uint8) * 255, m, (ow, oh)), dtype=np.uint8) > 127
    photo = np.where(mask[..., None], warped, desk).astype(np.float32)
    pen = (int(ow * 0.05), int(oh * 0.15)), (int(ow * 0.35), int(oh * 0.2))  # a pen lying across the sheet's edge
    cv2.line(photo, pen[0], pen[1], (30, 30, 140), 8)
    yy, xx = np.mgrid[0:oh, 0:ow].astype(np.float32)
    light = 1.05 - 0.25 * (xx / ow * 0.5 + yy / oh * 0.5)  # the lamp is top-left
    corner = rng.integers(0, 4)
    cx, cy = (0 if corner in (0, 3) else ow), (0 if corner in (0, 1) else oh)
    shade = np.zeros((oh // 8, ow // 8), np.float32)  # drawn small and blurred there: a soft edge is cheap
    cv2.circle(shade, (int(cx) // 8, int(cy) // 8), int(0.55 * min(ow, oh)) // 8, 1.0, -1)
    shade = np.asarray(cv2.GaussianBlur(shade, (0, 0), 0.01 * min(ow, oh)), dtype=np.float32)
    shade = np.asarray(cv2.resize(shade, (ow, oh), interpolation=cv2.INTER_LINEAR), dtype=np.float32)
    photo *= (light * (1 - 0.5 * shade))[..., None]
    photo = np.asarray(cv2.GaussianBlur(np.clip(photo, 0, 255), (0, 0), 0.7), dtype=np.float32)
    photo += rng.normal(0, 4, photo.shape)
    out = np.clip(photo, 0, 255).astype(np.uint8)
    buf = io.BytesIO()
    Image.fromarray(out).save(buf, format="JPEG", quality=quality)
    decoded = np.asarray(Image.open(io.BytesIO(buf.getvalue())).convert("RGB"), dtype=np.uint8)
    # where the sheet's corners landed: the curled page's corners through the perspective
    ys, xs = np.nonzero(sheet)
    s, d = xs + ys, xs - ys
    pts = np.array([[xs[s.argmin()], ys[s.argmin()]], [xs[d.argmax()], ys[d.argmax()]],
                    [xs[s.argmax()], ys[s.argmax()]], [xs[d.argmin()], ys[d.argmin()]]], dtype=np.float32)
    corners = np.asarray(cv2.perspectiveTransform(pts[None], m), dtype=np.float32)[0]
    return Photo(rgb=decoded, corners=corners)


def jpeg_bytes(photo: Photo, quality: int = 90) -> bytes:
    """The photo as a JPEG file (what a phone uploads)."""
    buf = io.BytesIO()
    Image.fromarray(photo.rgb).save(buf, format="JPEG", quality=quality)
    return buf.getvalue()
