"""Recogniser runs (issue 12, speed): every crop is read at its own width, whatever else is read with it.

RapidOCR's loop padded eight crops in width order to the widest of them, and the padding is read: a cell's
reading depended on the long line beside it in the run, and the run cost eight long lines' work.
"""

from __future__ import annotations

import numpy as np
from PIL import Image, ImageDraw, ImageFont

from extractors.image import OutsideSettings, _one_line
from extractors.ocr import MIN_WH_RATIO, REC_BATCH, default_engine, input_width, plan_runs

SERIF = "/usr/share/fonts/opentype/noto/NotoSerifCJK-Regular.ttc"


def _line(text: str, glyph: int = 30) -> np.ndarray:
    im = Image.new("L", (16 + glyph * len(text), glyph + 16), 255)
    ImageDraw.Draw(im).text((8, 4), text, fill=0, font=ImageFont.truetype(SERIF, glyph))
    return np.asarray(im, dtype=np.uint8)


def test_runs_hold_crops_of_one_input_width_and_every_crop_once() -> None:
    ratios = [2.0, 30.0, 3.5, 6.0, 12.0, 1.2, 12.01, 6.5, 4.0, 5.0, 2.2, 3.3, 1.9, 2.8, 30.0, 3.0]
    runs = plan_runs(ratios)
    assert sorted(i for run in runs for i in run) == list(range(len(ratios)))
    assert all(1 <= len(run) <= REC_BATCH for run in runs)
    for run in runs:
        assert len({input_width(ratios[i]) for i in run}) == 1
    # the short crops (all read at the floor, 320 px) share runs; the two 30:1 lines run together
    short = [i for i, r in enumerate(ratios) if r < MIN_WH_RATIO]
    assert sum(1 for run in runs if input_width(ratios[run[0]]) == 320) == -(-len(short) // REC_BATCH)
    assert [1, 14] in runs
    assert [4, 6] in runs  # 12.0 and 12.01 are both 576 px wide


def test_a_cell_reads_the_same_alone_and_beside_a_long_line() -> None:
    engine = default_engine()
    cell = _line("张三")
    long = _line("说明：每所结对学校确定一名联络员和一名分管领导，具体负责结对帮扶工作")
    alone = engine.recognize_lines([cell])
    beside = engine.recognize_lines([cell, long])
    assert alone[0][0] == "张三"
    assert beside[0] == alone[0]  # text and confidence: the long line's width is not read with the cell
    assert beside[1][0].startswith("说明：每所结对学校")


SANS = "/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc"


def _row(lines: list[str], step: int, glyph: int = 56) -> tuple[np.ndarray, tuple[int, int, int, int]]:
    """Ink (255) of ``lines`` drawn ``step`` px apart, and the row of ink they make."""
    im = Image.new("L", (20 + glyph * max(map(len, lines)), 40 + glyph + step * len(lines)), 255)
    for k, text in enumerate(lines):
        ImageDraw.Draw(im).text((10, 10 + k * step), text, fill=0, font=ImageFont.truetype(SANS, glyph))
    ink = np.where(np.asarray(im) < 128, 255, 0).astype(np.uint8)
    rows, cols = np.flatnonzero(ink.any(axis=1)), np.flatnonzero(ink.any(axis=0))
    return ink, (int(rows[0]), int(rows[-1]) + 1, int(cols[0]), int(cols[-1]) + 1)


def test_a_title_of_many_small_strokes_is_one_line_and_two_touching_lines_are_not() -> None:
    # 交流活动 are mostly dots and short strokes: by the upper quartile of its parts the title measured half
    # its height and its whole block went to detection
    ink, row = _row(["教育交流活动备案表"], 0)
    assert _one_line(ink, row, OutsideSettings())
    ink, row = _row(["联络员姓名张三", "学校盖章威海市"], 52)  # no blank pixel row between the two lines
    assert row[1] - row[0] > 90
    assert not _one_line(ink, row, OutsideSettings())
