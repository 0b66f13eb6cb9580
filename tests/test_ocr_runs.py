"""Recogniser runs (issue 12, speed): every crop is read at its own width, whatever else is read with it.

RapidOCR's loop padded eight crops in width order to the widest of them, and the padding is read: a cell's
reading depended on the long line beside it in the run, and the run cost eight long lines' work.
"""

from __future__ import annotations

import numpy as np
from PIL import Image, ImageDraw, ImageFont

from extractors.image import OutsideSettings, _one_line, read_outside_text, text_bands
from extractors.ocr import MIN_WH_RATIO, REC_BATCH, default_engine, input_width, plan_runs
from extractors.preprocess import PreparedPage, binarise
from extractors.seal import Seal
from testkit.scan_fixtures import DetectionsKept, red_stamp

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


def test_only_the_row_that_is_not_one_line_goes_to_the_detector() -> None:
    # a seal's ring joins the title's last line to the line below it: that row alone is detected, and the
    # title lines above it in the same block are read by the recogniser (the whole block was detected: 0.6–0.8 s
    # of a 200-dpi grey scan)
    glyph = 48
    im = Image.new("L", (900, 300), 255)
    draw, font = ImageDraw.Draw(im), ImageFont.truetype(SANS, glyph)
    for y, text in ((10, "支持菏泽教育发展结对帮扶"), (66, "联络员和分管领导回执"), (122, "学校盖章威海市"),
                    (190, "联络员姓名张三")):
        draw.text((20, y), text, fill=0, font=font)
    draw.ellipse((560, 142, 720, 262), outline=0, width=4)  # a seal's ring beside the two lines, joining them
    gray = np.asarray(im, dtype=np.uint8)
    ink = np.where(gray < 128, 255, 0).astype(np.uint8)
    # one block of ink (as the page's reader cuts it), in three rows: the ring joins the last two lines
    assert len(text_bands(ink, gap=max(4, 900 // 60), min_h=6)) == 1
    rows = text_bands(ink, gap=1, min_h=6)
    assert len(rows) == 3 and rows[2][1] - rows[2][0] > 80
    page = PreparedPage(gray=gray, ink=ink, skew_deg=0.0, flattened=False)
    engine = DetectionsKept()
    lines = read_outside_text(page, [], [], engine, 1)
    assert [line.text for line in lines] == ["支持菏泽教育发展结对帮扶", "联络员和分管领导回执", "学校盖章威海市",
                                             "联络员姓名张三"]
    assert len(engine.detected) == 1
    crop = engine.detected[0]
    block = rows[2][1] - rows[0][0]
    assert crop.shape[0] < block  # the joined row and its margin (188 px), not the whole block and its (356)
    assert (crop[:20] == 255).all()  # the margin is blank: the title's last line is not read twice, cut


def test_a_seal_s_own_lettering_is_no_line_of_the_page() -> None:
    # a photocopied (grey) seal over the title and the 学校（盖章） line: the detector reads the lettering bent round
    # its ring as a tall box of its own, unsure (here 寶 at 0.07; on a grey scan 新市监区, which stood left of
    # the school's name in its row and was taken for it). Only the page's lines come back, the wide title too.
    im = Image.new("RGB", (1200, 520), (255, 255, 255))
    draw, font = ImageDraw.Draw(im), ImageFont.truetype(SANS, 44)
    page_lines = ["支持菏泽教育发展结对帮扶", "联络员和分管领导回执", "学校（盖章）：东营市帮扶初中（待定）",
                  "联络员姓名：张三"]
    for y, text in zip((20, 90, 250, 420), page_lines, strict=True):
        draw.text((40, y), text, fill=(0, 0, 0), font=font)
    rgb = red_stamp(np.asarray(im), (0.45, 0.43), 0.12, text="东营市帮扶初中（待定）", ink_rgb=(90, 90, 90))
    gray = np.asarray(Image.fromarray(rgb).convert("L"), dtype=np.uint8)
    page = PreparedPage(gray=gray, ink=binarise(gray), skew_deg=0.0, flattened=False)
    seal = Seal(x=540.0, y=224.0, r=144.0)
    engine = DetectionsKept()
    lines = read_outside_text(page, [], [], engine, 1, seals=[seal])
    assert len(engine.detected) == 1  # the seal's rows went to the detector, which found the lettering
    assert [line.text for line in lines] == page_lines
    school = lines[2]
    assert school.confidence <= 0.8  # under the seal: read, never sure
