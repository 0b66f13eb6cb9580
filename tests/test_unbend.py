"""A photographed sheet's bend undone by its rulings (extractors/unbend.py), on tables drawn here and bent by
known fields: a sheet lying on a curved surface (every row bowing the same way), turned a little past what
the deskew saw, with the lens pulling the columns — no OCR, only the geometry the grid is found from."""

from __future__ import annotations

import itertools
import math

import cv2
import numpy as np
import numpy.typing as npt
import pytest

from extractors.grid import find_grids
from extractors.preprocess import binarise
from extractors.unbend import find_bend, unbent

U8 = npt.NDArray[np.uint8]
W, H = 1200, 1700
ROWS = [420, 500, 580, 660, 740, 820]  # a header and four rows, as a 回执 or a short 统计表
COLS = [150, 330, 560, 800, 1050]


def _table() -> U8:
    """A white page with a ruled table, a title above it and a line of text in each cell."""
    page = np.full((H, W), 255, np.uint8)
    for y in ROWS:
        cv2.line(page, (COLS[0], y), (COLS[-1], y), 0, 3)
    for x in COLS:
        cv2.line(page, (x, ROWS[0]), (x, ROWS[-1]), 0, 3)
    cv2.putText(page, "TITLE OF THE FORM", (330, 300), cv2.FONT_HERSHEY_SIMPLEX, 1.6, 0, 4)
    for r0, r1 in itertools.pairwise(ROWS):
        for c0 in COLS[:-1]:
            cv2.putText(page, "ab12", (c0 + 30, (r0 + r1) // 2 + 10), cv2.FONT_HERSHEY_SIMPLEX, 0.9, 0, 2)
    cv2.rectangle(page, (600, 1000), (640, 1040), 0, -1)  # a mark to find again after unbending
    return page


def _bent(page: U8, bow: float, turn_deg: float, pull: float) -> tuple[U8, npt.NDArray[np.float32],
                                                                        npt.NDArray[np.float32]]:
    """``page`` bent: every row bows by ``bow`` of the height (a sine across the width), the page turned by
    ``turn_deg`` and the columns pulled outwards by ``pull`` of the width towards the top and bottom. Returns
    the bent page and the maps it was sampled with."""
    yy, xx = np.mgrid[0:H, 0:W].astype(np.float64)
    u, v = xx / W - 0.5, yy / H - 0.5
    t = math.radians(turn_deg)
    sx = W / 2 + (xx - W / 2) * math.cos(t) - (yy - H / 2) * math.sin(t)
    sy = H / 2 + (xx - W / 2) * math.sin(t) + (yy - H / 2) * math.cos(t)
    sy = sy + bow * H * np.sin(np.pi * xx / W)
    sx = sx + pull * W * u * (v * v * 4)
    mx, my = sx.astype(np.float32), sy.astype(np.float32)
    out = np.asarray(cv2.remap(page, mx, my, cv2.INTER_LINEAR, borderMode=cv2.BORDER_CONSTANT, borderValue=255),
                     dtype=np.uint8)
    return out, mx, my


def _ruling_spread(ink: U8, near: int, horizontal: bool, window: int = 30) -> float:
    """How far (px) the ruling within ``window`` px of ``near`` wanders across the table: max − min of its
    centre, on the long straight pieces of the ink alone (the cells' text is no ruling)."""
    kernel = (25, 1) if horizontal else (1, 25)
    lines = cv2.morphologyEx(ink, cv2.MORPH_OPEN, cv2.getStructuringElement(cv2.MORPH_RECT, kernel))
    places = []
    span = range(COLS[0] + 40, COLS[-1] - 40, 20) if horizontal else range(ROWS[0] + 20, ROWS[-1] - 20, 10)
    for at in span:
        line = lines[near - window:near + window, at] if horizontal else lines[at, near - window:near + window]
        on = np.flatnonzero(line > 0)
        if on.size:
            places.append(float(on.mean()))
    return max(places) - min(places)


@pytest.mark.parametrize(("bow", "turn", "pull"), [(0.015, 0.0, 0.0), (0.02, 1.5, 0.02), (-0.012, -2.0, 0.01)])
def test_a_bent_table_is_pulled_straight_and_its_rows_found(bow: float, turn: float, pull: float) -> None:
    bent, _, _ = _bent(_table(), bow, turn, pull)
    ink = binarise(bent)
    # bent, the rulings wander by more than a thin ruling's band: a blurred photo's grid loses them there
    assert max(_ruling_spread(ink, y + round(bow * H * 0.6), horizontal=True, window=38) for y in ROWS) > 10
    bend = find_bend(ink)
    assert bend is not None
    straight = binarise(unbent(bent, bend))
    after, _ = find_grids(straight)
    assert len(after) == 1 and (after[0].n_rows, after[0].n_cols) == (len(ROWS) - 1, len(COLS) - 1), after
    for y in after[0].ys:
        assert _ruling_spread(straight, y, horizontal=True) <= 4, y
    for x in after[0].xs:
        assert _ruling_spread(straight, x, horizontal=False) <= 4, x


def test_a_straight_page_is_left_as_it_is() -> None:
    page = _table()
    assert find_bend(binarise(page)) is None
    cv2.line(page, (0, 60), (400, 145), 0, 8)  # a pen lying across the sheet: a long line, no ruling
    assert find_bend(binarise(page)) is None


def test_a_box_read_on_the_unbent_page_is_shown_where_it_lies_on_the_photo() -> None:
    bent, _, _ = _bent(_table(), 0.02, 1.5, 0.02)
    bend = find_bend(binarise(bent))
    assert bend is not None
    straight = binarise(unbent(bent, bend))
    ys, xs = np.nonzero(straight[950:1100, 550:700])  # the mark, on the unbent page
    box = (float(xs.min() + 550), float(ys.min() + 950), float(xs.max() + 551), float(ys.max() + 951))
    on_photo = bend.source_box(box)
    ink = binarise(bent)
    mys, mxs = np.nonzero(ink[900:1150, 500:750])  # the mark on the bent page
    mark = (mxs.min() + 500, mys.min() + 900, mxs.max() + 501, mys.max() + 901)
    assert all(abs(a - b) <= 3 for a, b in zip(on_photo, mark, strict=True)), (on_photo, mark)
    # and back: a point of the photo lands where the unbent page has it
    cx, cy = (mark[0] + mark[2]) / 2, (mark[1] + mark[3]) / 2
    px, py = bend.page_point(cx, cy)
    assert abs(px - (box[0] + box[2]) / 2) <= 2 and abs(py - (box[1] + box[3]) / 2) <= 2
