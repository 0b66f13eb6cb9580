"""Scans as schools send them: pages turned 90° or 180°, grey low-contrast JPEGs with a black seal over the
school name, tables drawn without an outer border, and a reading step that fails.

Inputs are made here: the 统计表 of ``testkit.scan_fixtures`` (python-docx → LibreOffice → 200 dpi) turned
and degraded by this module's own code, and a border-less table rendered the same way. Real RapidOCR reads
each page once (module-scoped fixtures).
"""

from __future__ import annotations

import io
from collections.abc import Sequence
from typing import cast

import cv2
import numpy as np
import numpy.typing as npt
import pytest
from docx import Document
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from PIL import Image

from docgen.extract import extract
from docgen.extraction import ReadDocument, ReadTable
from docgen.render.cjk import cjk_run
from extractors.grid import find_grids
from extractors.image import decode_qr, qr_turn, read_image, text_turn
from extractors.ocr import OcrEngine, default_engine
from extractors.preprocess import binarise
from extractors.read import read
from extractors.seal import SEAL_CONFIDENCE
from testkit import scan_fixtures as sf
from testkit.office import convert

pytestmark = pytest.mark.slow  # LibreOffice renders and OCR

U8 = npt.NDArray[np.uint8]


def texts(table: ReadTable) -> list[list[str]]:
    return [[c.text if c is not None else "<merged>" for c in row] for row in table.grid()]


def one_table(doc: ReadDocument) -> ReadTable:
    assert len(doc.tables) == 1, doc.problems
    return doc.tables[0]


def png(img: U8) -> bytes:
    return sf.encode(np.ascontiguousarray(img), "PNG")


@pytest.fixture(scope="module")
def clean() -> U8:
    return sf.clean_page(200)


@pytest.fixture(scope="module")
def no_qr(clean: U8) -> U8:
    """The page with its QR code painted over: only the text tells which way up it is."""
    gray = cv2.cvtColor(clean, cv2.COLOR_RGB2GRAY)
    _, polys = decode_qr(gray)
    assert polys
    x, y, w, h = cv2.boundingRect(polys[0])
    out = clean.copy()
    out[max(0, y - 20):y + h + 20, max(0, x - 20):x + w + 20] = 255
    assert not decode_qr(cv2.cvtColor(out, cv2.COLOR_RGB2GRAY))[0]
    return out


@pytest.fixture(scope="module")
def upright(clean: U8) -> ReadDocument:
    return read_image(png(clean), "upright.png")


# --------------------------------------------------------------------------------------------- orientation


def test_the_qr_code_tells_how_the_page_is_turned(clean: U8) -> None:
    gray = cv2.cvtColor(clean, cv2.COLOR_RGB2GRAY)
    for k in range(4):
        _, polys = decode_qr(np.ascontiguousarray(np.rot90(gray, k)))
        assert polys and qr_turn(polys[0]) == (-k) % 4, k


def test_a_qr_code_is_found_where_it_lies_in_any_corner_or_mid_page(clean: U8) -> None:
    # corners are searched first (they are a tenth of the page); a code elsewhere is still found on the
    # whole page, and every polygon is where the code is on the page, not in the corner's crop
    gray = cv2.cvtColor(clean, cv2.COLOR_RGB2GRAY)
    want, polys = decode_qr(gray)
    x, y, w, h = cv2.boundingRect(polys[0])
    code = gray[y - 12:y + h + 12, x - 12:x + w + 12]
    ph, pw = gray.shape
    ch, cw = code.shape
    for top, left in ((30, 40), (30, pw - cw - 40), (ph - ch - 30, 40), (ph - ch - 30, pw - cw - 40),
                      ((ph - ch) // 2, (pw - cw) // 2)):
        page = np.full_like(gray, 255)
        page[top:top + ch, left:left + cw] = code
        found, where = decode_qr(page)
        assert found == want, (top, left)
        bx, by, _, _ = cv2.boundingRect(where[0])
        assert abs(bx - (left + 12)) <= 3 and abs(by - (top + 12)) <= 3, (top, left, bx, by)


def test_the_text_tells_how_the_page_is_turned_without_a_qr_code(no_qr: U8) -> None:
    gray = cv2.cvtColor(no_qr, cv2.COLOR_RGB2GRAY)
    assert [text_turn(np.ascontiguousarray(np.rot90(gray, k)), default_engine()) for k in range(4)] == [0, 3, 2, 1]


def test_a_page_upside_down_without_qr_code_reads_like_the_upright_page(upright: ReadDocument, no_qr: U8) -> None:
    turned = read_image(png(np.rot90(no_qr, 2)), "turned180.png")
    assert texts(one_table(turned)) == texts(one_table(upright))
    assert one_table(upright).grid()[1][1] is not None and texts(one_table(upright))[1][:4] == list(sf.ROWS[0][:4])
    assert sf.IDENTITY in turned.identity_codes  # from the printed code, the QR code being gone
    assert {sf.TITLE, sf.UNIT_LINE} <= {line.text for line in turned.lines}


def test_a_page_turned_90_degrees_reads_like_the_upright_page(upright: ReadDocument, clean: U8) -> None:
    turned_img = np.ascontiguousarray(np.rot90(clean, 1))  # scanned sideways: portrait file, landscape form
    turned = read_image(png(turned_img), "turned90.png")
    assert texts(one_table(turned)) == texts(one_table(upright))
    assert turned.identity_codes[0] == sf.IDENTITY
    # boxes are in the file as uploaded (portrait): the 资金2000元 cell is where the turned image has it
    cell = one_table(turned).grid()[2][7]
    assert cell is not None and cell.text == "资金2000元" and cell.where.bbox is not None
    x0, y0, x1, y1 = (round(v) for v in cell.where.bbox)
    h, w = turned_img.shape[:2]
    assert 0 <= x0 < x1 <= w and 0 <= y0 < y1 <= h and (y1 - y0) > (x1 - x0)  # a tall box: the cell lies on its side
    crop = np.ascontiguousarray(np.rot90(turned_img[y0:y1, x0:x1], -1))
    assert "资金2000元" in "".join(t for t, _, _ in default_engine().recognize(crop))


def test_a_turned_page_s_fields_are_read_as_upright(clean: U8) -> None:
    # the boxes stay on the file as uploaded, where a page turned a quarter has its lines side by side: the
    # title, the 单位 line and the printed code were once one "row", and the 单位 field held all three
    # (seed 9's 回执 turned 270°); a page turned 180° had its labels right of their values
    want = {k: v.raw for k, v in extract(png(clean), "upright.png", reader=read).fields.items()}
    assert want["unit"] == sf.UNIT_LINE.split("：")[1] and want["filled_on"]
    for k in (1, 2, 3):
        got = extract(png(np.ascontiguousarray(np.rot90(clean, k))), f"turned{k}.png", reader=read)
        assert {key: v.raw for key, v in got.fields.items()} == want, k


class _ScoredEngine:
    """Reads every crop as 字 with the scores given, in order: what the recogniser made of a sparse page's
    longest lines, upright then turned over (seed 12's 安排表 upside down, as measured)."""

    def __init__(self, scores: list[float]) -> None:
        self.scores = scores

    def recognize_lines(self, images: Sequence[U8]) -> list[tuple[str, float]]:
        assert len(images) == len(self.scores)
        return [("字", score) for score in self.scores]


def test_a_sparse_page_upside_down_is_turned_though_none_of_its_readings_is_sure(no_qr: U8) -> None:
    # a 安排表 of one row has few long lines, and some are table cells the recogniser reads poorly both ways:
    # as it stands 0.26 on the mean, turned over 0.71 — below the 0.75 asked of one clear reading, but far
    # ahead; two poor readings (0.3 and 0.4) still decide nothing
    gray = np.ascontiguousarray(np.rot90(cv2.cvtColor(no_qr, cv2.COLOR_RGB2GRAY), 2), dtype=np.uint8)
    as_is, over = [0.07, 0.27, 0.17, 0.21, 0.21, 0.6], [0.19, 0.21, 0.83, 1.0, 1.0, 1.0]
    assert text_turn(gray, cast(OcrEngine, _ScoredEngine(as_is + over))) == 2
    assert text_turn(gray, cast(OcrEngine, _ScoredEngine([0.3] * 6 + [0.4] * 6))) == 0


# --------------------------------------------------------------------------------------------- grey scan, black seal


def grey_scan_with_black_seal(clean: U8, unit_box: tuple[float, float, float, float]) -> bytes:
    """A photocopied return: a black seal over the school name, grey paper (≈195) and grey ink (≈80),
    turned 1.2°, slight noise, saved as a grey JPEG at quality 55 (200 dpi)."""
    h, w = clean.shape[:2]
    x0, y0, x1, y1 = unit_box
    centre = ((x0 + 0.75 * (x1 - x0)) / w, (y0 + y1) / 2 / h)  # over 西郊小学
    stamped = sf.red_stamp(clean, centre, 0.07, seed=11, ink_rgb=(45, 45, 45))
    gray = cv2.cvtColor(stamped, cv2.COLOR_RGB2GRAY).astype(np.float32)
    gray = 80.0 + gray / 255.0 * (195.0 - 80.0)
    m = cv2.getRotationMatrix2D((w / 2, h / 2), 1.2, 1.0)
    gray = cv2.warpAffine(gray, m, (w, h), flags=cv2.INTER_LINEAR, borderValue=195.0)
    gray += np.random.default_rng(5).normal(0.0, 4.0, gray.shape).astype(np.float32)
    buf = io.BytesIO()
    Image.fromarray(np.clip(gray, 0, 255).astype(np.uint8), mode="L").save(buf, format="JPEG", quality=55)
    return buf.getvalue()


@pytest.fixture(scope="module")
def grey_sealed(clean: U8, upright: ReadDocument) -> ReadDocument:
    unit = [line for line in upright.lines if line.text == sf.UNIT_LINE]
    assert unit and unit[0].where.bbox is not None
    return read_image(grey_scan_with_black_seal(clean, unit[0].where.bbox), "grey_seal.jpg")


def test_grey_jpeg_with_a_black_seal_keeps_its_table(grey_sealed: ReadDocument) -> None:
    table = one_table(grey_sealed)
    assert (table.n_rows, table.n_cols, len(table.cells)) == (8, 10, 71)
    want = [list(sf.HEADERS), *[list(r) for r in sf.ROWS]]
    got = texts(table)
    grid = table.grid()
    wrong = [(r, c, got[r][c]) for r in range(len(want)) for c in range(10) if got[r][c] != want[r][c]]
    assert len(wrong) <= 2, wrong  # ≥ 97 % of the 70 cells exactly
    unsure = [(r, c) for r, c, _ in wrong if (cell := grid[r][c]) is not None and cell.confidence < 0.9]
    assert unsure == [(r, c) for r, c, _ in wrong]  # and none of the rest looks certain
    assert sf.IDENTITY in grey_sealed.identity_codes


def test_the_school_name_under_a_black_seal_is_read_but_never_certain(grey_sealed: ReadDocument) -> None:
    unit = [line for line in grey_sealed.lines if line.text.startswith("单位")]
    assert unit, [line.text for line in grey_sealed.lines]  # the seal did not erase the line
    assert all(line.confidence <= SEAL_CONFIDENCE for line in unit)
    assert sf.DATE_LINE in {line.text for line in grey_sealed.lines}  # beside the seal: read as usual


# --------------------------------------------------------------------------------------------- border-less table

BORDERLESS = (
    ("学校", "联系人", "电话"),
    ("彭州市西郊小学", "张伟", "13981234567"),
    ("黑水县扎窝中心校", "李娜", "13800138000"),
    ("彭州市濛阳小学", "王芳", "13512345678"),
)


def borderless_docx() -> bytes:
    """A table with inner rulings only (Word's "inside borders"), as a clerk retypes a list."""
    doc = Document()
    table = doc.add_table(rows=len(BORDERLESS), cols=3)
    borders = OxmlElement("w:tblBorders")
    for edge in ("top", "left", "bottom", "right", "insideH", "insideV"):
        el = OxmlElement(f"w:{edge}")
        inner = edge.startswith("inside")
        el.set(qn("w:val"), "single" if inner else "nil")
        if inner:
            el.set(qn("w:sz"), "8")
            el.set(qn("w:color"), "000000")
        borders.append(el)
    table._tbl.tblPr.append(borders)
    for r, row in enumerate(BORDERLESS):
        for c, text in enumerate(row):
            cjk_run(table.rows[r].cells[c].paragraphs[0], text, "Noto Serif CJK SC", size=12)
    buf = io.BytesIO()
    doc.save(buf)
    return buf.getvalue()


@pytest.fixture(scope="module")
def borderless_page() -> U8:
    return sf.rasterise_pdf(convert(borderless_docx(), ".docx", "pdf"), 200)[0]


def test_a_table_without_outer_border_is_found_from_its_inner_rulings(borderless_page: U8) -> None:
    gray = cv2.cvtColor(borderless_page, cv2.COLOR_RGB2GRAY)
    grids, _ = find_grids(binarise(gray))
    assert [(g.n_rows, g.n_cols, len(g.cells)) for g in grids] == [(4, 3, 12)]
    doc = read_image(sf.encode(borderless_page, "JPEG", quality=85), "borderless.jpg")
    assert texts(one_table(doc)) == [list(r) for r in BORDERLESS]


# --------------------------------------------------------------------------------------------- a step fails


def test_a_failing_step_costs_only_that_step(clean: U8, monkeypatch: pytest.MonkeyPatch) -> None:
    """A bug in one step (here the seal finder, made to fail: a fault no real input should cause) is reported
    and skipped; the QR code, the table and the lines of the page are still read."""
    import extractors.image

    def broken(gray: U8) -> list[object]:
        raise RuntimeError("seal finder failed")

    monkeypatch.setattr(extractors.image, "find_seals", broken)
    doc = read_image(png(clean), "seal_finder_down.png", engine=sf.FakeEngine())
    assert [(t.n_rows, t.n_cols) for t in doc.tables] == [(8, 10)]
    assert doc.lines and {line.text for line in doc.lines} == {"字"}
    assert doc.identity_codes == (sf.IDENTITY,)
    assert doc.problems == ("第1页：印章检测出错（RuntimeError），已跳过该步骤，请核对",)
