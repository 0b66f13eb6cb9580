"""Phone photos whose layout the reader has to work out without help: the page's direction judged on the
straightened sheet. Invented pages and a fake OCR engine (:class:`testkit.scan_fixtures.FakeEngine`): the
geometry is real, the reading is not needed."""

from __future__ import annotations

import cv2
import numpy as np
import numpy.typing as npt

from extractors.grid import faint_rulings
from extractors.image import read_image
from testkit import photo_fixtures as pf
from testkit import scan_fixtures as sf

U8 = npt.NDArray[np.uint8]


def _label_column_sheet() -> U8:
    """A portrait sheet written as a retyped 备案表 is: short ``label: value`` lines stacked down the left."""
    page = np.full((2339, 1654, 3), 250, np.uint8)
    for i in range(14):
        cv2.putText(page, f"LABEL {i}: THE VALUE WRITTEN OUT {i}", (180, 300 + i * 110), cv2.FONT_HERSHEY_SIMPLEX, 1.6,
                    (20, 20, 20), 3)
    return page


def _askew_on_a_desk(sheet: U8) -> U8:
    """``sheet`` photographed from its left (891 × 1261 px): its top and bottom edges fall 10° to the right,
    its left and right edges lean 4°; a light grained desk round it, a book's spine beside it."""
    h, w = sheet.shape[:2]
    rng = np.random.default_rng(5)
    grain = cv2.GaussianBlur(rng.normal(0, 1, (1261, 891)).astype(np.float32), (0, 0), sigmaX=6, sigmaY=0.5)
    desk = np.array([185, 180, 170], np.float32) + grain[..., None] * 100  # a light desk, streaked along its grain
    src = np.array([[0, 0], [w, 0], [w, h], [0, h]], np.float32)
    dst = np.array([[138, 251], [708, 147], [737, 1042], [199, 1154]], np.float32)
    m = cv2.getPerspectiveTransform(src, dst)
    warped = cv2.warpPerspective(sheet, m, (891, 1261)).astype(np.float32)
    mask = cv2.warpPerspective(np.full((h, w), 255, np.uint8), m, (891, 1261))[..., None] / 255.0
    photo = np.clip(desk * (1 - mask) + warped * mask, 0, 255).astype(np.uint8)
    for y in range(300, 900, 16):  # a book's spine beside the sheet: a title running down, glyph by glyph
        cv2.rectangle(photo, (40, y), (52, y + 12), (40, 40, 40), -1)
    return photo


def test_a_sheet_seen_askew_is_not_turned_a_quarter() -> None:
    """A sheet photographed askew: its lines slant too much to count as lines before it is straightened, and
    a book's title running down its spine beside the sheet looks like a line of text. Judged on the straightened
    sheet, the page stays upright: every text line read is wider than tall where it lies in the photo."""
    photo = _askew_on_a_desk(_label_column_sheet())
    doc = read_image(sf.encode(photo, "PNG"), "askew.png", engine=sf.FakeEngine())
    boxes = [line.where.bbox for line in doc.lines if line.where.bbox is not None]
    assert len(boxes) >= 10
    assert all(x1 - x0 > 2 * (y1 - y0) for x0, y0, x1, y1 in boxes), boxes


def _faint_table_sheet() -> U8:
    """A portrait sheet with a 6 × 4 table ruled in thin light grey (a 0.5 pt ruling, a faded print), text in
    its cells."""
    page = np.full((2339, 1654, 3), 250, np.uint8)
    xs, ys = [150, 450, 850, 1200, 1500], [400, 520, 640, 760, 880, 1000, 1120]
    for x in xs:
        cv2.line(page, (x, ys[0]), (x, ys[-1]), (185, 185, 185), 2)
    for y in ys:
        cv2.line(page, (xs[0], y), (xs[-1], y), (185, 185, 185), 2)
    for r in range(6):
        for c in range(4):
            cv2.putText(page, f"V{r}{c}", (xs[c] + 30, ys[r] + 75), cv2.FONT_HERSHEY_SIMPLEX, 1.4, (30, 30, 30), 3)
    return page


def test_a_table_ruled_faintly_is_still_a_table_in_a_photo() -> None:
    """Photographed, the light rulings blur to a grey the ink threshold keeps only in dashes; they are found
    on the grey page, so the table keeps its 6 rows and 4 columns instead of falling apart into lines."""
    shot = pf.photograph(_faint_table_sheet(), seed=2)
    doc = read_image(sf.encode(shot.rgb, "PNG"), "faint.png", engine=sf.FakeEngine())
    shapes = [(t.n_rows, t.n_cols) for t in doc.tables]
    assert shapes == [(6, 4)], shapes


def test_faint_rulings_are_not_made_of_a_line_of_blurred_text() -> None:
    """A line of dense blurred text chains its glyphs' strokes at one height into a long dark run; a faint
    ruling is one long thin run with paper beside it: only the ruling is taken."""
    gray = np.full((1200, 1700), 245, np.uint8)
    cv2.line(gray, (100, 300), (1600, 300), 200, 2)  # a faint ruling
    rng = np.random.default_rng(3)
    for i in range(60):  # glyphs 20 px wide, 3 px apart: a middle stroke each, the others at their own heights
        x, y = 100 + i * 23, 500
        cv2.rectangle(gray, (x, y + 9), (x + 19, y + 10), 40, -1)
        for dy in (int(rng.integers(0, 4)), int(rng.integers(15, 19))):
            cv2.rectangle(gray, (x + int(rng.integers(0, 5)), y + dy), (x + 19 - int(rng.integers(0, 5)), y + dy + 1),
                          40, -1)
        cv2.rectangle(gray, (x + 9, y), (x + 10, y + 19), 40, -1)
    gray = np.asarray(cv2.GaussianBlur(gray, (0, 0), 1.3), dtype=np.uint8)
    found = faint_rulings(gray)
    assert found[295:306, 200:1500].any(axis=0).mean() > 0.9
    assert not found[490:530].any()


def _one_band_table_sheet() -> U8:
    """A portrait sheet with a small table whose inner rulings were lost but one: its frame and a single
    vertical, around two rows of four columns of text (a 安排表's header and its row)."""
    page = np.full((2339, 1654, 3), 250, np.uint8)
    cv2.rectangle(page, (150, 400), (1500, 600), (30, 30, 30), 3)
    cv2.line(page, (825, 400), (825, 600), (30, 30, 30), 3)
    for r in range(2):
        for c in range(4):
            cv2.putText(page, f"T{r}{c}", (190 + c * 330, 470 + r * 80), cv2.FONT_HERSHEY_SIMPLEX, 1.4, (30, 30, 30), 3)
    cv2.putText(page, "DATE: 2016 08 09", (150, 680), cv2.FONT_HERSHEY_SIMPLEX, 1.4, (30, 30, 30), 3)
    return page


def test_a_table_of_one_band_in_a_photo_is_read_as_lines() -> None:
    """Photographed, a table that kept only its frame and one vertical is a grid of one row and two cells:
    read as cells, each would hold two columns of two rows run together. Read as lines, each column's text
    is a piece of its own, where it lies (the interpreter rebuilds the table from them)."""
    shot = pf.photograph(_one_band_table_sheet(), seed=2)
    doc = read_image(sf.encode(shot.rgb, "PNG"), "band.png", engine=sf.FakeEngine())
    assert doc.tables == ()
    boxes = [line.where.bbox for line in doc.lines if line.where.bbox is not None]
    # each column's text of a row is a piece of its own (the fake engine reads a detected block as one box)
    pieces = [b for b in boxes if b[2] - b[0] > 2 * (b[3] - b[1]) and b[2] - b[0] < 100]
    assert len(pieces) >= 4, boxes
    assert len({round(b[0], -1) for b in pieces}) >= 4
