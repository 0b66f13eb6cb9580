"""Reading scans and photos of the 统计表: grid, cell text, stamps, QR code, odd image modes, hostile input.

The form is generated once per session (python-docx → LibreOffice → 200 dpi raster, ``testkit/scan_fixtures``)
and degraded deterministically; real RapidOCR reads each variant once.
"""

from __future__ import annotations

import io
import struct
import zlib
from pathlib import Path

import cv2
import numpy as np
import numpy.typing as npt
import pypdfium2 as pdfium
import pytest
from PIL import Image

from docgen.errors import UnreadableDocument
from docgen.extraction import BBox, InputKind, ReadDocument, ReadTable
from extractors.grid import find_grids
from extractors.image import decode_image, read_image, read_scanned_pdf
from extractors.ocr import default_engine, normalize_punctuation
from testkit import scan_fixtures as sf

pytestmark = pytest.mark.slow  # OCR of rendered scans (LibreOffice + RapidOCR)

U8 = npt.NDArray[np.uint8]
EXPECTED_GRID = [list(sf.EXPECTED.headers), *[list(r) for r in sf.EXPECTED.rows]]


@pytest.fixture(scope="session")
def clean() -> U8:
    return sf.clean_page(200)


@pytest.fixture(scope="session")
def variants(clean: U8) -> dict[str, U8]:
    return sf.make_variants(clean)


@pytest.fixture(scope="session")
def results(variants: dict[str, U8]) -> dict[str, ReadDocument]:
    return {name: read_image(sf.encode(img, "PNG"), f"{name}.png") for name, img in variants.items()}


def wrong_cells(table: ReadTable) -> list[str]:
    grid = table.grid()
    out = []
    for r, row in enumerate(EXPECTED_GRID):
        for c, want in enumerate(row):
            cell = grid[r][c] if r < table.n_rows and c < table.n_cols else None
            got = None if cell is None else cell.text
            if got != want:
                out.append(f"({r},{c}) want {want!r} got {got!r} conf {cell.confidence if cell else None}")
    return out


def only_table(doc: ReadDocument) -> ReadTable:
    assert len(doc.tables) == 1, doc.problems
    return doc.tables[0]


@pytest.mark.parametrize("variant", list(sf.VARIANTS))
def test_grid_keeps_blank_rows_and_the_merged_footer(results: dict[str, ReadDocument], variant: str) -> None:
    table = only_table(results[variant])
    assert (table.n_rows, table.n_cols) == (sf.EXPECTED.n_rows, sf.EXPECTED.n_cols)
    grid = table.grid()
    footer = grid[-1][0]
    assert footer is not None and (footer.row, footer.col, footer.rowspan, footer.colspan) == (7, 0, 1, 10)
    assert footer.text == sf.EXPECTED.footer
    for r in (5, 6):  # the blank rows are there, blank and sure of it
        assert [(c.text, c.confidence) for c in grid[r] if c] == [("", 1.0)] * 10
    assert len(table.cells) == 7 * 10 + 1


@pytest.mark.parametrize("variant", list(sf.VARIANTS))
def test_at_least_95_percent_of_cells_read_exactly(results: dict[str, ReadDocument], variant: str) -> None:
    wrong = wrong_cells(only_table(results[variant]))
    total = sum(len(r) for r in EXPECTED_GRID)
    assert len(wrong) <= total * 0.05, "\n".join(wrong)


def _stamped_cells(clean_doc: ReadDocument, clean: U8) -> list[tuple[int, int]]:
    h, w = clean.shape[:2]
    cx, cy, rad = sf._STAMP[0] * w, sf._STAMP[1] * h, 0.07 * w
    out = []
    for cell in only_table(clean_doc).cells:
        assert cell.where.bbox is not None
        x0, y0, x1, y1 = cell.where.bbox
        nx, ny = min(max(cx, x0), x1), min(max(cy, y0), y1)
        if (nx - cx) ** 2 + (ny - cy) ** 2 <= rad**2:
            out.append((cell.row, cell.col))
    return out


@pytest.mark.parametrize("variant", ["scan_rot-2.5_stamp_sign", "photo"])
def test_values_under_the_red_stamp_are_right_or_unsure(
    results: dict[str, ReadDocument], clean: U8, variant: str
) -> None:
    stamped = _stamped_cells(results["clean"], clean)
    assert len(stamped) >= 4
    grid = only_table(results[variant]).grid()
    bad = []
    for r, c in stamped:
        cell = grid[r][c]
        assert cell is not None
        if cell.text != EXPECTED_GRID[r][c] and cell.confidence >= 0.9:
            bad.append(f"({r},{c}) {cell.text!r} conf {cell.confidence}")
    assert not bad, "wrong with high confidence under the stamp: " + "; ".join(bad)


@pytest.mark.parametrize("variant", list(sf.VARIANTS))
def test_identity_from_qr_code_and_printed_code(results: dict[str, ReadDocument], variant: str) -> None:
    doc = results[variant]
    assert doc.identity_codes and doc.identity_codes[0] == sf.IDENTITY  # the QR code comes first
    assert any(sf.IDENTITY in line.text for line in doc.lines)


def test_text_outside_the_table_becomes_lines(results: dict[str, ReadDocument]) -> None:
    texts = [line.text for line in results["scan_rot-2.5_stamp_sign"].lines]
    assert sf.TITLE in texts
    assert sf.UNIT_LINE in texts
    assert sf.DATE_LINE in texts


def test_cell_provenance_is_page_and_pixel_box(results: dict[str, ReadDocument]) -> None:
    table = only_table(results["clean"])
    cell = table.grid()[1][1]
    assert cell is not None and cell.where.page == 1 and cell.where.bbox is not None
    x0, y0, x1, y1 = cell.where.bbox
    assert 0 < x0 < x1 < 2339 and 0 < y0 < y1 < 1654


# --- boxes are in the ORIGINAL file's coordinates (docs/ocr.md "Boxes"): crop the stored image, find the value

# (row, col) → text of cells to look for; 资金2000元 sits under the 受援人次/资金 headers the old boxes hit.
KNOWN_CELLS = {(2, 7): "资金2000元", (4, 1): "党建共建"}


def cell_box(doc: ReadDocument, row: int, col: int) -> BBox:
    cell = only_table(doc).grid()[row][col]
    assert cell is not None and cell.where.page == 1 and cell.where.bbox is not None
    return cell.where.bbox


def ocr_box(image: U8, box: BBox, scale: float = 1.0, margin: int = 6) -> str:
    """Real OCR of ``box`` (× ``scale``) cut from ``image`` with a small margin, clamped: all text, joined."""
    h, w = image.shape[:2]
    x0, y0, x1, y1 = (round(v * scale) for v in box)
    crop = image[max(0, y0 - margin):min(h, y1 + margin), max(0, x0 - margin):min(w, x1 + margin)]
    assert crop.size
    return "".join(text for text, _, _ in default_engine().recognize(np.ascontiguousarray(crop)))


@pytest.mark.parametrize("variant", ["scan_rot+2.5", "scan_rot-2.5_stamp_sign", "photo"])
def test_cell_box_points_at_the_value_in_the_original_image(
    results: dict[str, ReadDocument], variants: dict[str, U8], variant: str
) -> None:
    original = variants[variant]  # the degraded image exactly as uploaded, not the straightened page
    h, w = original.shape[:2]
    for (r, c), text in KNOWN_CELLS.items():
        box = cell_box(results[variant], r, c)
        assert 0 <= box[0] < box[2] <= w and 0 <= box[1] < box[3] <= h
        seen = ocr_box(original, box)
        assert text in seen, f"({r},{c}) box {box} shows {seen!r}"
        assert "受援人次" not in seen and "资金、物品" not in seen  # not the header above


def test_rotated_scan_boxes_follow_the_rotation(results: dict[str, ReadDocument], clean: U8) -> None:
    """Geometry without OCR: the clean page's box sent through the fixture's own 2.5° rotation is the box read
    from the rotated scan (within a few pixels)."""
    h, w = clean.shape[:2]
    m = cv2.getRotationMatrix2D((w / 2, h / 2), 2.5, 1.0)  # what sf.rotate(·, 2.5) did
    for r, c in [*KNOWN_CELLS, (0, 0), (7, 0)]:
        x0, y0, x1, y1 = cell_box(results["clean"], r, c)
        corners = np.array([[x0, y0, 1], [x1, y0, 1], [x1, y1, 1], [x0, y1, 1]], dtype=np.float64) @ m.T
        want = (*corners.min(axis=0), *corners.max(axis=0))
        got = cell_box(results["scan_rot+2.5"], r, c)
        assert np.allclose(got, want, atol=5), f"({r},{c}) got {got} want {want}"


@pytest.fixture(scope="session")
def photo_pdf(variants: dict[str, U8]) -> tuple[bytes, ReadDocument]:
    """The phone photo as a one-page image-only PDF (at 200 dpi) and its read (fake OCR: the grid is real)."""
    pdf = sf.images_to_pdf([variants["photo"]])
    return pdf, read_scanned_pdf(pdf, "photo.pdf", engine=sf.FakeEngine())


def render_page(pdf: bytes, scale: float) -> U8:
    doc = pdfium.PdfDocument(pdf)
    try:
        return np.asarray(doc[0].render(scale=scale).to_pil().convert("RGB"), dtype=np.uint8)
    finally:
        doc.close()


def test_scanned_pdf_boxes_are_in_pdf_points(photo_pdf: tuple[bytes, ReadDocument], variants: dict[str, U8]) -> None:
    pdf, doc = photo_pdf
    h, w = variants["photo"].shape[:2]
    page_w, page_h = w * 72 / 200, h * 72 / 200  # the image was placed at 200 dpi
    table = only_table(doc)
    assert table.bbox is not None and 0 <= table.bbox[0] < table.bbox[2] <= page_w
    assert 0 <= table.bbox[1] < table.bbox[3] <= page_h
    page = render_page(pdf, 200 / 72)  # points × (dpi / 72) = pixels of the page rendered at any dpi
    box = cell_box(doc, 2, 7)
    seen = ocr_box(page, box, scale=200 / 72)
    assert "资金2000元" in seen, f"box {box} pt shows {seen!r}"


def test_crop_route_shows_the_value(
    results: dict[str, ReadDocument], variants: dict[str, U8], photo_pdf: tuple[bytes, ReadDocument], tmp_path: Path
) -> None:
    """Through the API: upload the photo (PNG) and the scanned PDF, GET the crop of 资金2000元's box, OCR it."""
    from tests.api_fixtures import create_pengzhou, make_settings, running_client

    settings = make_settings(tmp_path, f"sqlite:///{tmp_path / 'docgen.db'}", start_worker=False)
    with running_client(settings) as client:
        program_id = create_pengzhou(client)
        pdf, pdf_doc = photo_pdf
        files = [("files", ("photo.png", sf.encode(variants["photo"], "PNG"))), ("files", ("photo.pdf", pdf))]
        r = client.post(f"/api/programs/{program_id}/uploads", files=files)
        assert r.status_code == 202, r.text
        png_id, pdf_id = (u["id"] for u in r.json())
        for upload_id, doc in ((png_id, results["photo"]), (pdf_id, pdf_doc)):
            x0, y0, x1, y1 = cell_box(doc, 2, 7)
            r = client.get(f"/api/uploads/{upload_id}/crop", params={"page": 1, "x0": x0, "y0": y0, "x1": x1, "y1": y1})
            assert r.status_code == 200 and r.headers["content-type"] == "image/png", r.text
            crop = np.asarray(Image.open(io.BytesIO(r.content)).convert("RGB"), dtype=np.uint8)
            seen = "".join(t for t, _, _ in default_engine().recognize(crop))
            assert "资金2000元" in seen and "受援人次" not in seen, f"upload {upload_id} crop shows {seen!r}"
        bad = client.get(f"/api/uploads/{png_id}/crop", params={"x0": 5, "y0": 5, "x1": 5, "y1": 9})
        assert bad.status_code == 422


def test_cmyk_jpeg_is_read_like_rgb(clean: U8) -> None:
    buf = io.BytesIO()
    Image.fromarray(clean).convert("CMYK").save(buf, format="JPEG", quality=90)
    (decoded,) = decode_image(buf.getvalue(), "cmyk.jpg")
    assert decoded.dtype == np.uint8 and decoded.shape == clean.shape
    assert float(np.abs(decoded.astype(int) - clean.astype(int)).mean()) < 4
    wrong = wrong_cells(only_table(read_image(buf.getvalue(), "cmyk.jpg")))
    assert len(wrong) <= 3, "\n".join(wrong)


def test_16_bit_png_is_scaled_to_8_bit(clean: U8) -> None:
    gray8 = np.asarray(Image.fromarray(clean).convert("L"), dtype=np.uint8)
    buf = io.BytesIO()
    Image.fromarray((gray8.astype(np.uint16) * 257).astype(np.uint16)).save(buf, format="PNG")
    assert Image.open(io.BytesIO(buf.getvalue())).mode.startswith("I")
    (decoded,) = decode_image(buf.getvalue(), "gray16.png")
    # exactly the 8-bit page, in RGB: what the pipeline reads 70/70 from (test_at_least_95_percent…[clean])
    assert decoded.dtype == np.uint8 and np.array_equal(decoded[..., 0], gray8)
    assert np.array_equal(decoded[..., 0], decoded[..., 2])
    table = only_table(read_image(buf.getvalue(), "gray16.png", engine=sf.FakeEngine()))
    assert (table.n_rows, table.n_cols) == (8, 10)


def test_multi_page_tiff_gives_one_table_per_page(variants: dict[str, U8]) -> None:
    pages = [Image.fromarray(variants["clean"]), Image.fromarray(variants["scan_rot+2.5"])]
    buf = io.BytesIO()
    pages[0].save(buf, format="TIFF", save_all=True, append_images=pages[1:], compression="tiff_deflate")
    doc = read_image(buf.getvalue(), "two.tif", engine=sf.FakeEngine())
    assert doc.pages == 2
    assert [(t.page, t.n_rows, t.n_cols) for t in doc.tables] == [(1, 8, 10), (2, 8, 10)]


def test_the_reader_dispatch_uses_the_ocr_engine_it_is_given(variants: dict[str, U8]) -> None:
    """``extractors.read`` picks the image reader by content (a PNG named .pdf) and reads with the injected
    engine: every non-blank cell is the fake's 字, none is real text."""
    from extractors import read

    doc = read(sf.encode(variants["clean"], "PNG"), "照片.pdf", ocr=sf.FakeEngine())
    assert doc.input_kind is InputKind.IMAGE
    read_text = "".join(c.text for t in doc.tables for c in t.cells)
    assert read_text and set(read_text) == {"字"}


def test_scanned_pdf_pages_are_rendered_and_read(variants: dict[str, U8]) -> None:
    pdf = sf.images_to_pdf([variants["scan_rot-2.5_stamp_sign"], variants["photo"]])
    doc = read_scanned_pdf(pdf, "scan.pdf", engine=sf.FakeEngine())
    assert doc.pages == 2
    assert [(t.page, t.n_rows, t.n_cols) for t in doc.tables] == [(1, 8, 10), (2, 8, 10)]
    assert doc.identity_codes[0] == sf.IDENTITY


def test_exif_orientation_is_respected(clean: U8) -> None:
    stored = Image.fromarray(np.ascontiguousarray(np.rot90(clean, 1)))  # camera held sideways
    exif = Image.Exif()
    exif[0x0112] = 6  # display needs a 90° clockwise turn
    buf = io.BytesIO()
    stored.save(buf, format="JPEG", quality=90, exif=exif.tobytes())
    doc = read_image(buf.getvalue(), "sideways.jpg", engine=sf.FakeEngine())
    assert [(t.n_rows, t.n_cols) for t in doc.tables] == [(8, 10)]


def _png_header_only(width: int, height: int) -> bytes:
    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))

    ihdr = struct.pack(">IIBBBBB", width, height, 1, 0, 0, 0, 0)
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", ihdr) + chunk(b"IDAT", zlib.compress(b"")) + chunk(b"IEND", b"")


def test_decompression_bombs_are_refused() -> None:
    buf = io.BytesIO()
    Image.new("1", (9000, 9000)).save(buf, format="PNG")  # 81 MP from a few kB: over our 60 MP limit
    assert len(buf.getvalue()) < 100_000
    with pytest.raises(UnreadableDocument, match="像素"):
        read_image(buf.getvalue(), "bomb.png", engine=sf.FakeEngine())
    with pytest.raises(UnreadableDocument, match="像素"):  # 1.6 GP claimed: Pillow's own bomb error
        read_image(_png_header_only(40000, 40000), "bomb2.png", engine=sf.FakeEngine())


def test_garbage_is_unreadable() -> None:
    with pytest.raises(UnreadableDocument):
        read_image(b"not an image at all", "x.png", engine=sf.FakeEngine())
    with pytest.raises(UnreadableDocument):
        read_scanned_pdf(b"%PDF-1.4 broken", "x.pdf", engine=sf.FakeEngine())


def test_half_width_punctuation_becomes_full_width_next_to_chinese() -> None:
    assert normalize_punctuation("单位:彭州市") == "单位：彭州市"
    assert normalize_punctuation("物品(资金、物品需有印证材料)") == "物品（资金、物品需有印证材料）"
    assert normalize_punctuation("表单识别码:DG1:pz2019:P03:x:1") == "表单识别码：DG1:pz2019:P03:x:1"
    assert normalize_punctuation("10:30 (a)") == "10:30 (a)"


def test_grid_merges_cells_where_a_ruling_is_missing() -> None:
    ink = np.zeros((600, 900), np.uint8)
    for y in (100, 200, 300, 400, 500):
        ink[y - 1:y + 2, 100:800] = 255
    ink[299:302, 100:450] = 0  # rows 1 and 2 of column 0–1 merged vertically …
    for x in (100, 450, 800):
        ink[100:500, x - 1:x + 2] = 255
    grids, _ = find_grids(ink)
    assert len(grids) == 1
    g = grids[0]
    assert (g.n_rows, g.n_cols) == (4, 2)
    assert [(c.row, c.col, c.rowspan, c.colspan) for c in g.cells if c.rowspan > 1] == [(1, 0, 2, 1)]
    assert len(g.cells) == 7


def test_a_tiny_image_is_refused_with_its_size() -> None:
    from io import BytesIO

    from PIL import Image

    from docgen.errors import UnreadableDocument
    from extractors.image import read_image

    buf = BytesIO()
    Image.new("RGB", (1, 40), "white").save(buf, "PNG")
    with pytest.raises(UnreadableDocument, match="图像过小"):
        read_image(buf.getvalue(), "tiny.png")
