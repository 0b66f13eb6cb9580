"""Deterministic scan/photo fixtures of a 统计表 (附件3) for OCR tests and the accuracy corpus.

Two halves:

* :func:`build_form_docx` → :func:`docx_to_pdf` → :func:`rasterise_pdf` makes a clean 200 dpi page of a
  统计表-like form (landscape A4, 10 columns with the seed's headers, filled rows, blank rows, a merged
  备注 footer, a QR code and the printed 表单识别码). :data:`EXPECTED` is its ground truth.
* Degradations are pure functions ``image in → image out`` (RGB ``uint8`` arrays; a ``seed`` where random):
  :func:`rotate`, :func:`blur`, :func:`add_noise`, :func:`jpeg`, :func:`red_stamp`, :func:`signature`,
  :func:`uneven_light`, :func:`phone_photo`. :data:`VARIANTS` chains them into the named variants the tests
  and the benchmark use; :func:`make_variants` applies them.

Nothing here touches the network; LibreOffice runs with its own throw-away profile.
"""

from __future__ import annotations

import io
import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

import cv2
import numpy as np
import numpy.typing as npt
import pypdfium2 as pdfium
import qrcode
from docx import Document
from docx.enum.section import WD_ORIENT
from docx.enum.table import WD_ROW_HEIGHT_RULE, WD_TABLE_ALIGNMENT
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.shared import Mm, Pt
from PIL import Image, ImageDraw, ImageFont

from docgen.render.cjk import cjk_run
from extractors.ocr import OcrEngine, OcrLine, default_engine
from testkit.office import convert

Image8 = np.ndarray  # H×W×3 uint8, RGB

IDENTITY = "DG1:pz2019:P03:activity_stats:1"
TITLE = "彭州·黑水“校校结对”教育交流活动情况统计表"
UNIT_LINE = "单位：彭州市西郊小学"
DATE_LINE = "填报时间：2019年10月8日"
HEADERS = (
    "序号", "活动名称", "派出人员", "活动时间", "活动地点", "活动安排", "受援人次",
    "开展项目涉及到的资金、物品（资金、物品需有印证材料）", "取得效果", "备注",
)
COL_WIDTHS_MM = (12, 26, 24, 30, 34, 26, 20, 36, 22, 37)
ROWS: tuple[tuple[str, ...], ...] = (
    ("1", "送教下乡", "张伟、李娜", "2019年4月23日", "黑水县芦花完全小学校", "示范课2节", "120人次",
     "图书300册", "良好", "电话13981234567"),
    ("2", "教研交流", "王芳", "2019年5月8日", "黑水县扎窝中心校", "集体备课", "45人次", "资金2000元", "显著",
     ""),
    ("3", "校长互访", "刘强", "2019年6月12日", "彭州市西郊小学", "管理座谈", "16人次", "无", "达成共识",
     "13800138000"),
    ("4", "党建共建", "陈静、赵磊", "2019年9月3日", "黑水县芦花完全小学校", "主题党日", "60人次", "文具200套",
     "良好", ""),
    ("", "", "", "", "", "", "", "", "", ""),
    ("", "", "", "", "", "", "", "", "", ""),
)
FOOTER = "备注：此表于活动结束后一周内报送人事科。"
SIGNER_LINE = "填表人："


@dataclass(frozen=True)
class Expected:
    """Ground truth of the generated page: the table as a grid of texts, the footer, the lines outside."""

    headers: tuple[str, ...] = HEADERS
    rows: tuple[tuple[str, ...], ...] = ROWS
    footer: str = FOOTER
    identity: str = IDENTITY
    n_rows: int = 1 + len(ROWS) + 1  # header, data rows (incl. blank), merged footer
    n_cols: int = len(HEADERS)


EXPECTED = Expected()


# --------------------------------------------------------------------------------------------- the form


def _cjk(paragraph: Any, text: str, size: float, bold: bool = False, face: str = "Noto Serif CJK SC") -> None:
    cjk_run(paragraph, text, face, size=size, bold=bold)


def qr_png(payload: str, box_size: int = 6) -> bytes:
    """A QR code (error correction M) of ``payload`` as PNG bytes."""
    q = qrcode.QRCode(error_correction=qrcode.constants.ERROR_CORRECT_M, box_size=box_size, border=2)
    q.add_data(payload)
    q.make(fit=True)
    buf = io.BytesIO()
    q.make_image(fill_color="black", back_color="white").save(buf, format="PNG")
    return buf.getvalue()


def landscape_a4(side: float, top: float, bottom: float) -> Any:
    """A new Word document on landscape A4 with these margins (mm), as the returned 统计表 forms are laid out."""
    doc = Document()
    sec = doc.sections[0]
    sec.orientation = WD_ORIENT.LANDSCAPE
    sec.page_width, sec.page_height = Mm(297), Mm(210)
    sec.left_margin = sec.right_margin = Mm(side)
    sec.top_margin, sec.bottom_margin = Mm(top), Mm(bottom)
    return doc


def build_form_docx(expected: Expected = EXPECTED) -> bytes:
    """The 统计表 as .docx bytes (landscape A4): title, QR + printed code, 单位/填报时间, the table, 填表人."""
    doc = landscape_a4(15, 12, 12)

    head = doc.add_table(rows=1, cols=2)
    left, right = head.rows[0].cells
    left.width, right.width = Mm(232), Mm(35)
    p = left.paragraphs[0]
    p.alignment = WD_ALIGN_PARAGRAPH.CENTER
    p.paragraph_format.space_before = Pt(18)
    _cjk(p, TITLE, 16, bold=True, face="Noto Sans CJK SC")
    p = right.paragraphs[0]
    p.alignment = WD_ALIGN_PARAGRAPH.RIGHT
    p.add_run().add_picture(io.BytesIO(qr_png(expected.identity)), width=Mm(24))

    p = doc.add_paragraph()
    _cjk(p, f"{UNIT_LINE}　　　　　　　　　　　　　　　　{DATE_LINE}", 11)

    tbl = doc.add_table(rows=expected.n_rows, cols=expected.n_cols)
    tbl.style = "Table Grid"
    tbl.alignment = WD_TABLE_ALIGNMENT.CENTER
    grid = [expected.headers, *expected.rows]
    for r, values in enumerate(grid):
        row = tbl.rows[r]
        row.height = Mm(15 if r == 0 else 12)
        row.height_rule = WD_ROW_HEIGHT_RULE.AT_LEAST
        for c, text in enumerate(values):
            cell = row.cells[c]
            cell.width = Mm(COL_WIDTHS_MM[c])
            para = cell.paragraphs[0]
            para.alignment = WD_ALIGN_PARAGRAPH.CENTER
            if text:
                _cjk(para, text, 10.5, bold=(r == 0))
    foot = tbl.rows[-1]
    foot.height = Mm(14)
    merged = foot.cells[0].merge(foot.cells[-1])
    _cjk(merged.paragraphs[0], expected.footer, 10.5)

    p = doc.add_paragraph()
    p.paragraph_format.space_before = Pt(8)
    _cjk(p, f"{SIGNER_LINE}　　　　　　　　　　　　　　　　　　　　　　　表单识别码：{expected.identity}", 10.5)
    buf = io.BytesIO()
    doc.save(buf)
    return buf.getvalue()


def docx_to_pdf(docx: bytes, timeout: float = 120.0) -> bytes:
    """Convert with ``soffice --headless --convert-to pdf`` in a throw-away profile (time-boxed)."""
    return convert(docx, ".docx", "pdf", timeout=timeout)


def rasterise_pdf(pdf: bytes, dpi: int = 200) -> list[Image8]:
    """Every page of ``pdf`` rendered with pypdfium2 at ``dpi`` as RGB arrays."""
    doc = pdfium.PdfDocument(pdf)
    try:
        return [np.asarray(doc[i].render(scale=dpi / 72).to_pil().convert("RGB")) for i in range(len(doc))]
    finally:
        doc.close()


PDF_JPEG_QUALITY = 85


def images_to_pdf(pages: list[Image8], dpi: int = 200) -> bytes:
    """An image-only PDF (one JPEG per page at :data:`PDF_JPEG_QUALITY`), as a scanner would make it."""
    pil = [Image.fromarray(p) for p in pages]
    buf = io.BytesIO()
    pil[0].save(buf, format="PDF", save_all=True, append_images=pil[1:], resolution=dpi, quality=PDF_JPEG_QUALITY)
    return buf.getvalue()


# --------------------------------------------------------------------------------------------- degradations


def rotate(img: Image8, degrees: float) -> Image8:
    """Rotate about the centre (counter-clockwise for positive degrees), keeping the size; corners white."""
    h, w = img.shape[:2]
    m = cv2.getRotationMatrix2D((w / 2, h / 2), degrees, 1.0)
    return cv2.warpAffine(img, m, (w, h), flags=cv2.INTER_LINEAR, borderValue=(255, 255, 255))


def blur(img: Image8, sigma: float = 0.9) -> Image8:
    """Gaussian blur (a slightly out-of-focus scanner)."""
    return cv2.GaussianBlur(img, (0, 0), sigma)


def add_noise(img: Image8, sigma: float = 8.0, seed: int = 0) -> Image8:
    """Additive Gaussian noise, clipped to 0–255."""
    rng = np.random.default_rng(seed)
    noisy = img.astype(np.float32) + rng.normal(0.0, sigma, img.shape).astype(np.float32)
    return np.clip(noisy, 0, 255).astype(np.uint8)


def jpeg(img: Image8, quality: int = 60) -> Image8:
    """Round-trip through JPEG at ``quality`` (blocking and ringing artefacts)."""
    ok, enc = cv2.imencode(".jpg", cv2.cvtColor(img, cv2.COLOR_RGB2BGR), [cv2.IMWRITE_JPEG_QUALITY, quality])
    assert ok
    dec = cv2.imdecode(enc, cv2.IMREAD_COLOR)
    assert dec is not None
    return np.asarray(cv2.cvtColor(dec, cv2.COLOR_BGR2RGB), dtype=np.uint8)


def _font(size: int) -> ImageFont.FreeTypeFont:
    return ImageFont.truetype("/usr/share/fonts/opentype/noto/NotoSansCJK-Bold.ttc", size)


def red_stamp(img: Image8, center: tuple[float, float], radius: float, text: str = "彭州市西郊小学",
              seed: int = 0, ink_rgb: tuple[int, int, int] = (205, 35, 45)) -> Image8:
    """A round official seal (ring, text along the arc, star) printed over the page, red unless ``ink_rgb``
    says otherwise (a photocopied seal is black or grey).

    ``center`` is relative (0–1 of width, height), ``radius`` relative to the page width. Blended by
    multiplication, like ink: black strokes under the seal stay black, white paper takes the ink's colour.
    """
    h, w = img.shape[:2]
    cx, cy, r = center[0] * w, center[1] * h, radius * w
    layer = Image.new("L", (w, h), 0)  # stamp ink coverage
    d = ImageDraw.Draw(layer)
    ring = max(3, int(r * 0.06))
    d.ellipse((cx - r, cy - r, cx + r, cy + r), outline=255, width=ring)
    # star
    pts = []
    for k in range(10):
        a = -math.pi / 2 + k * math.pi / 5
        rr = r * (0.28 if k % 2 == 0 else 0.11)
        pts.append((cx + rr * math.cos(a), cy + rr * math.sin(a)))
    d.polygon(pts, fill=255)
    # text along the upper arc
    size = int(r * 0.3)
    font = _font(size)
    n = len(text)
    span = math.radians(220)
    for i, ch in enumerate(text):
        a = -math.pi / 2 - span / 2 + span * (i + 0.5) / n
        gx, gy = cx + (r - ring - size * 0.75) * math.cos(a), cy + (r - ring - size * 0.75) * math.sin(a)
        glyph = Image.new("L", (size * 2, size * 2), 0)
        ImageDraw.Draw(glyph).text((size // 2, size // 2), ch, fill=255, font=font)
        glyph = glyph.rotate(-math.degrees(a) - 90, resample=Image.Resampling.BICUBIC)
        layer.paste(255, (int(gx - size), int(gy - size)), glyph)
    cov = np.asarray(layer, dtype=np.float32) / 255.0
    rng = np.random.default_rng(seed)  # uneven ink
    cov *= np.clip(rng.normal(0.85, 0.12, cov.shape), 0.4, 1.0).astype(np.float32)
    ink = np.array(ink_rgb, dtype=np.float32) / 255.0
    tint = 1.0 - cov[..., None] * (1.0 - ink)
    return np.clip(img.astype(np.float32) * tint, 0, 255).astype(np.uint8)


def signature(img: Image8, origin: tuple[float, float], width: float, seed: int = 0) -> Image8:
    """A pen scribble (dark blue, 3 px) starting at relative ``origin``, ``width`` relative to the page."""
    h, w = img.shape[:2]
    rng = np.random.default_rng(seed)
    x0, y0, span = origin[0] * w, origin[1] * h, width * w
    t = np.linspace(0, 1, 400)
    xs = x0 + span * t + 12 * np.sin(t * 31 + rng.uniform(0, 6))
    ys = y0 + 18 * np.sin(t * 23 + rng.uniform(0, 6)) * np.cos(t * 7) + 6 * np.sin(t * 61)
    pts = np.stack([xs, ys], axis=1).astype(np.int32).reshape(-1, 1, 2)
    out = img.copy()
    cv2.polylines(out, [pts], False, (25, 30, 90), 3, lineType=cv2.LINE_AA)
    return out


def uneven_light(img: Image8, strength: float = 0.35) -> Image8:
    """A smooth shadow: brightness falls linearly by up to ``strength`` towards the lower-right corner."""
    h, w = img.shape[:2]
    yy, xx = np.mgrid[0:h, 0:w].astype(np.float32)
    g = 1.0 - strength * (xx / w * 0.6 + yy / h * 0.4)
    out: Image8 = np.clip(img.astype(np.float32) * g[..., None], 0, 255).astype(np.uint8)
    return out


def phone_photo(img: Image8, seed: int = 0, out_long: int = 2600) -> Image8:
    """The page photographed on a dark desk: perspective-warped inside a larger textured background."""
    h, w = img.shape[:2]
    rng = np.random.default_rng(seed)
    ow, oh = out_long, int(out_long * 0.8)
    scale = 0.84 * min(ow / w, oh / h)
    pw, ph = w * scale, h * scale
    x0, y0 = (ow - pw) / 2, (oh - ph) / 2
    jit = rng.uniform(-0.035, 0.035, (4, 2)) * np.array([pw, ph])
    dst = np.array([[x0, y0], [x0 + pw, y0], [x0 + pw, y0 + ph], [x0, y0 + ph]], dtype=np.float32)
    dst = (dst + jit).astype(np.float32)
    src = np.array([[0, 0], [w, 0], [w, h], [0, h]], dtype=np.float32)
    m = cv2.getPerspectiveTransform(src, dst)
    desk = np.full((oh, ow, 3), (70, 58, 48), dtype=np.uint8)
    desk = add_noise(desk, 10.0, seed + 1)
    desk = np.asarray(cv2.GaussianBlur(desk, (0, 0), 3), dtype=np.uint8)
    page = cv2.warpPerspective(img, m, (ow, oh), flags=cv2.INTER_LINEAR)
    mask = cv2.warpPerspective(np.full((h, w), 255, np.uint8), m, (ow, oh), flags=cv2.INTER_NEAREST)
    out = np.where(mask[..., None] > 0, page, desk)
    return out.astype(np.uint8)


# --------------------------------------------------------------------------------------------- variants

Degrade = Callable[[Image8], Image8]


def _chain(*steps: Degrade) -> Degrade:
    def run(img: Image8) -> Image8:
        for s in steps:
            img = s(img)
        return img

    return run


# The stamp sits over rows 1–2 of columns 取得效果/备注 (the 13981234567 phone and the blank cell below it).
_STAMP = (0.83, 0.43)

VARIANTS: dict[str, Degrade] = {
    "clean": _chain(),
    "scan_rot+2.5": _chain(lambda i: rotate(i, 2.5), lambda i: blur(i, 0.8), lambda i: add_noise(i, 8, 1),
                           lambda i: jpeg(i, 60)),
    "scan_rot-2.5_stamp_sign": _chain(
        lambda i: red_stamp(i, _STAMP, 0.07, seed=2), lambda i: signature(i, (0.10, 0.81), 0.12, seed=3),
        lambda i: rotate(i, -2.5), lambda i: blur(i, 0.8), lambda i: add_noise(i, 8, 4), lambda i: jpeg(i, 60)),
    "photo": _chain(
        lambda i: red_stamp(i, _STAMP, 0.07, seed=5), lambda i: signature(i, (0.10, 0.81), 0.12, seed=6),
        lambda i: phone_photo(i, seed=7), lambda i: uneven_light(i, 0.35), lambda i: blur(i, 0.7),
        lambda i: add_noise(i, 6, 8), lambda i: jpeg(i, 60)),
}


def clean_page(dpi: int = 200) -> Image8:
    """The clean rendered form (first page) at ``dpi``."""
    return rasterise_pdf(docx_to_pdf(build_form_docx()), dpi)[0]


def make_variants(clean: Image8) -> dict[str, Image8]:
    """Every variant of :data:`VARIANTS` applied to ``clean``."""
    return {name: f(clean) for name, f in VARIANTS.items()}


def encode(img: Image8, fmt: str = "PNG", **params: object) -> bytes:
    """``img`` as file bytes in ``fmt`` (PNG, JPEG, TIFF …) via Pillow."""
    buf = io.BytesIO()
    Image.fromarray(img).save(buf, format=fmt, **params)
    return buf.getvalue()


# --------------------------------------------------------------------------------------------- benchmark


def cell_accuracy(table: object, expected: Expected = EXPECTED) -> tuple[int, int, list[str]]:
    """(right, total, descriptions of wrong cells) of a ReadTable against the header + data rows."""
    from docgen.extraction import ReadTable

    assert isinstance(table, ReadTable)
    grid = table.grid()
    want_rows = [list(expected.headers), *[list(r) for r in expected.rows]]
    right, wrong = 0, []
    for r, row in enumerate(want_rows):
        for c, want in enumerate(row):
            cell = grid[r][c] if r < table.n_rows and c < table.n_cols else None
            if cell is not None and cell.text == want:
                right += 1
            else:
                wrong.append(f"({r},{c}) {want!r} → {cell.text if cell else None!r}")
    return right, sum(len(r) for r in want_rows), wrong


def main(repeat: int = 3) -> None:
    """``python -m testkit.scan_fixtures``: seconds per page (wall and CPU) and cell accuracy per variant."""
    import time

    from extractors.image import read_image
    from extractors.ocr import default_engine

    t = time.perf_counter()
    default_engine()
    print(f"engine start {time.perf_counter() - t:.2f} s")
    for name, img in make_variants(clean_page(200)).items():
        data = encode(img, "PNG")
        walls, cpus = [], []
        for _ in range(repeat):
            t, c = time.perf_counter(), time.process_time()
            doc = read_image(data, name)
            walls.append(time.perf_counter() - t)
            cpus.append(time.process_time() - c)
        right, total, wrong = cell_accuracy(doc.tables[0]) if doc.tables else (0, 70, ["no table"])
        print(f"{name:26s} wall {sorted(walls)[len(walls) // 2]:.2f} s  cpu {sorted(cpus)[len(cpus) // 2]:.2f} s  "
              f"cells {right}/{total}  codes {list(doc.identity_codes)}  {'; '.join(wrong)}")


if __name__ == "__main__":
    main()


class FakeEngine:
    """An OcrEngine that reads every line as 字, sure of it: for plumbing tests of the scan reader, where the
    geometry is real and the OCR need not be."""

    def recognize(self, image: npt.NDArray[np.uint8]) -> list[OcrLine]:
        return [("字", 0.99, (0.0, 0.0, float(image.shape[1]), float(image.shape[0])))]

    def recognize_lines(self, images: Sequence[npt.NDArray[np.uint8]]) -> list[tuple[str, float]]:
        return [("字", 0.99)] * len(images)


class DetectionsKept:
    """The real engine (:func:`~extractors.ocr.default_engine`, or ``engine``), keeping every image it was asked
    to detect lines in: for tests of what goes to the detector and what does not."""

    def __init__(self, engine: OcrEngine | None = None) -> None:
        self.engine = engine if engine is not None else default_engine()
        self.detected: list[npt.NDArray[np.uint8]] = []

    def recognize(self, image: npt.NDArray[np.uint8]) -> list[OcrLine]:
        self.detected.append(image)
        return self.engine.recognize(image)

    def recognize_lines(self, images: Sequence[npt.NDArray[np.uint8]]) -> list[tuple[str, float]]:
        return self.engine.recognize_lines(images)
