"""How far a scanned page is turned (``extractors.preprocess.estimate_skew``), on a sparse page: a 安排表 of one
row has two long rulings, and the rest of the page is a few short lines of text. The angle of the text's
bounding rectangle, taken when fewer than three rulings were found, was several degrees off (seed 12's 安排表
upside down: 1.8° off, then its table was not found at all). Pages drawn here, turned by a known angle."""

from __future__ import annotations

import cv2
import numpy as np
import numpy.typing as npt
import pytest
from PIL import Image, ImageDraw, ImageFont

from extractors.preprocess import binarise, estimate_skew

SERIF = "/usr/share/fonts/opentype/noto/NotoSerifCJK-Regular.ttc"


def _sparse_page(angle: float, rows: int) -> npt.NDArray[np.uint8]:
    """A 200-dpi 安排表 with ``rows`` table rows (header included), turned ``angle``° and then upside down."""
    im = Image.new("L", (1654, 2339), 250)
    d = ImageDraw.Draw(im)
    title, small = ImageFont.truetype(SERIF, 40), ImageFont.truetype(SERIF, 30)
    d.text((560, 200), "结对帮扶安排表", fill=40, font=title)
    d.text((150, 300), "填报单位：开发区广州路中学", fill=40, font=small)
    ys = [360 + 60 * k for k in range(rows + 1)]
    for y in ys:
        d.rectangle((150, y, 1500, y + 1), fill=60)
    for x in (150, 480, 820, 1160, 1500):
        d.rectangle((x, ys[0], x + 1, ys[-1]), fill=60)
    for k, y in enumerate(ys[:-1]):
        for x in (150, 480, 820, 1160):
            d.text((x + 15, y + 12), "帮扶学校" if k == 0 else "莱芜市帮扶初中", fill=40, font=small)
    d.text((1100, ys[-1] + 40), "填报日期：2016-9-20", fill=40, font=small)
    m = cv2.getRotationMatrix2D((827, 1170), angle, 1.0)
    g = cv2.warpAffine(np.asarray(im, dtype=np.uint8), m, (1654, 2339), flags=cv2.INTER_LINEAR, borderValue=250)
    return np.ascontiguousarray(np.rot90(np.asarray(g, dtype=np.uint8), 2))


@pytest.mark.parametrize("angle", [1.0, -1.5, 0.0])
@pytest.mark.parametrize("rows", [1, 3])
def test_a_sparse_page_s_skew_comes_from_its_few_rulings(angle: float, rows: int) -> None:
    assert estimate_skew(binarise(_sparse_page(angle, rows))) == pytest.approx(angle, abs=0.1)
