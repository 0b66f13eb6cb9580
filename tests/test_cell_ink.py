"""Ink in a table cell that no read covered (issue 12): what a clerk writes lightly — a pale ``/`` for "none",
a lone serial number in a thin grey stroke, the short second line of a wrapped value — lies above the page's
ink threshold or breaks into specks, and the cell read blank and sure, or its value shorter and sure.
Invented pages: ruled tables drawn at a grey scan's levels, read by engines that say what each crop reads.
"""

from __future__ import annotations

from collections.abc import Sequence

import cv2
import numpy as np
import pytest
from PIL import Image, ImageDraw, ImageFont

from docgen.extraction import ReadTable
from extractors.grid import find_grids
from extractors.image import RESCUED_CONFIDENCE, read_cells
from extractors.ocr import default_engine
from extractors.preprocess import PreparedPage, binarise

SERIF = "/usr/share/fonts/opentype/noto/NotoSerifCJK-Regular.ttc"
PAPER = 250  # flattened grey paper
PAGE = (2339, 1654)  # A4 landscape at 200 dpi: the reader's sizes are relative to the long side
SURE = 0.9  # the review threshold


class _Reads:
    """An OcrEngine that reads the line crops, in order, as the given texts (``""`` once they run out) and
    keeps the crops it was given."""

    def __init__(self, *texts: str) -> None:
        self.texts = texts
        self.crops: list[np.ndarray] = []

    def recognize(self, image: np.ndarray) -> list[tuple[str, float, tuple[float, float, float, float]]]:
        return []

    def recognize_lines(self, images: Sequence[np.ndarray]) -> list[tuple[str, float]]:
        start = len(self.crops)
        self.crops.extend(images)
        return [(self.texts[k], 0.99) if k < len(self.texts) else ("", 0.0) for k in range(start, len(self.crops))]


def _page(draw_cells: Sequence[tuple[tuple[int, int, int, int], list[tuple[str, int, int, int, int]]]]) -> Image.Image:
    """Grey paper with ruled cells ``(box, [(text, x, y, size, ink), …])``; ``text`` ``"/"`` is drawn as a pen's
    thin slash ``size`` px tall."""
    img = Image.new("L", PAGE, PAPER)
    draw = ImageDraw.Draw(img)
    for box, texts in draw_cells:
        draw.rectangle(box, outline=40, width=3)
        for text, x, y, size, ink in texts:
            if text == "/":
                draw.line((x + size // 2, y, x, y + size), fill=ink, width=2)
            else:
                draw.text((x, y), text, fill=ink, font=ImageFont.truetype(SERIF, size))
    return img


def _read(img: Image.Image, engine: _Reads, noise: float = 3.0) -> ReadTable:
    """``img`` as a scanner leaves it (optics blur, sensor noise), its one table read with ``engine``."""
    gray = cv2.GaussianBlur(np.asarray(img, dtype=np.float32), (0, 0), 0.8)
    gray = gray + np.random.default_rng(1).normal(0, noise, gray.shape)
    gray = np.asarray(np.clip(gray, 0, 255), dtype=np.uint8)
    page = PreparedPage(gray=gray, ink=binarise(gray), skew_deg=0.0, flattened=False)
    grids, rules = find_grids(page.ink)
    assert len(grids) == 1
    return read_cells(page, grids[0], rules, engine, 1)


def _table(*cells: list[tuple[str, int, int, int, int]]) -> Image.Image:
    """One row of ruled cells 200 px wide, 120 tall, from x = 100; each cell's texts at offsets in it."""
    out = []
    for k, texts in enumerate(cells):
        x0 = 100 + 200 * k
        out.append(((x0, 300, x0 + 200, 420), [(t, x0 + dx, 300 + dy, size, ink) for t, dx, dy, size, ink in texts]))
    return _page(out)


def _cells(table: ReadTable) -> list[tuple[str, float]]:
    return [(c.text, c.confidence) for c in sorted(table.cells, key=lambda c: c.col)]


def test_a_pale_slash_alone_in_a_cell_is_read_and_never_a_sure_blank() -> None:
    # a / drawn at 195 on 250 paper (about 215 once blurred): above the ink threshold altogether, the cell read
    # '' with confidence 1.0
    img = _table([("张三", 20, 40, 30, 60)], [("/", 95, 45, 30, 195)])
    engine = _Reads("张三", "/")
    (name, _), (slash, conf) = _cells(_read(img, engine))
    assert name == "张三"
    assert len(engine.crops) == 2
    assert slash == "/" and conf <= RESCUED_CONFIDENCE


def test_a_pale_mark_that_reads_as_nothing_leaves_the_cell_flagged() -> None:
    img = _table([("张三", 20, 40, 30, 60)], [("/", 95, 45, 30, 195)])
    (_, _), (text, conf) = _cells(_read(img, _Reads("张三", "")))
    assert text == "" and conf < SURE


def test_a_pale_slash_read_as_a_one_is_a_slash() -> None:
    img = _table([("张三", 20, 40, 30, 60)], [("/", 95, 45, 30, 195)])
    assert _cells(_read(img, _Reads("张三", "1"))) == [("张三", 0.99), ("/", RESCUED_CONFIDENCE)]


def test_a_lone_serial_number_in_a_thin_grey_stroke_is_read() -> None:
    # 序号 3 written lightly in a narrow column: strokes at 195, blurred lighter, are no ink for the page
    img = _page([((100, 300, 160, 420), [("3", 120, 345, 26, 195)]),
                 ((160, 300, 500, 420), [("讲座", 190, 345, 30, 60)])])
    engine = _Reads("3", "讲座")  # crops go in cell order
    assert _cells(_read(img, engine)) == [("3", RESCUED_CONFIDENCE), ("讲座", 0.99)]


def test_the_short_pale_second_line_of_a_wrapped_value_is_read_after_the_first() -> None:
    # 200余 / 人次 in a narrow 受援人次 column, the second line written lighter: it vanished and 200余 read sure
    img = _table([("200余", 30, 20, 30, 60), ("人次", 40, 62, 30, 195)], [("张三", 20, 40, 30, 60)])
    engine = _Reads("200余", "人次", "张三")  # crops go in cell order
    assert _cells(_read(img, engine)) == [("200余人次", RESCUED_CONFIDENCE), ("张三", 0.99)]
    assert len(engine.crops) == 3


def test_a_blank_cell_on_noisy_grey_paper_stays_a_sure_blank_and_costs_no_read() -> None:
    img = _table([("张三", 20, 40, 30, 60)], [], [("李四", 20, 40, 30, 60)])
    engine = _Reads("张三", "李四")
    assert _cells(_read(img, engine, noise=6.0)) == [("张三", 0.99), ("", 1.0), ("李四", 0.99)]
    assert len(engine.crops) == 2


@pytest.mark.slow
def test_the_recogniser_reads_the_pale_marks_it_is_given() -> None:
    engine = default_engine()
    img = _table([("200余", 30, 20, 30, 60), ("人次", 40, 62, 30, 195)], [("/", 95, 45, 30, 195)],
                 [("张三", 20, 40, 30, 60)])
    (wrapped, c1), (slash, c2), (name, _) = _cells(_read(img, engine))
    assert (wrapped, slash, name) == ("200余人次", "/", "张三")
    assert max(c1, c2) <= RESCUED_CONFIDENCE
    img = _page([((100, 300, 160, 420), [("3", 120, 345, 26, 195)]),
                 ((160, 300, 500, 420), [("讲座", 190, 345, 30, 60)])])
    assert [t for t, _ in _cells(_read(img, engine))] == ["3", "讲座"]
