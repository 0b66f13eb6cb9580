"""A pale ``/`` written for "none" that the ink mask misses is read from the grey page, and reviewed (issue 12:
a phone photo's pale ballpoint slash came back as a blank cell at full confidence)."""

from __future__ import annotations

import cv2
import numpy as np
import pytest

from extractors.image import faint_slash

GLYPH = 20  # px: a line of text in the cell


def paper(seed: int = 0, h: int = 60, w: int = 140) -> np.ndarray:
    """A blank cell of a photographed page: paper at 245 with JPEG-like grain."""
    rng = np.random.default_rng(seed)
    return np.clip(rng.normal(245, 3, (h, w)), 0, 255).astype(np.uint8)


def with_stroke(cell: np.ndarray, p0: tuple[int, int], p1: tuple[int, int], grey: int = 205,
                width: int = 2) -> np.ndarray:
    out = cell.copy()
    cv2.line(out, p0, p1, grey, width)
    return out


def test_a_pale_slash_alone_in_a_cell_is_found() -> None:
    assert faint_slash(with_stroke(paper(), (62, 45), (74, 15)), GLYPH)  # ≈ 22° from the vertical


@pytest.mark.parametrize("cell", [
    paper(1),  # blank paper, its grain
    with_stroke(paper(2), (70, 45), (70, 15)),  # an upright stroke: a 1 or a ruling's remnant
    with_stroke(paper(3), (40, 30), (100, 30)),  # a level stroke: a dash or a ruling
    with_stroke(paper(4), (64, 36), (68, 28)),  # too short for a slash: a speck
    with_stroke(with_stroke(paper(5), (30, 45), (42, 15)), (90, 45), (102, 15)),  # two marks: not one slash
    with_stroke(paper(6), (62, 45), (74, 15), grey=236),  # fainter than paper grain allows
], ids=["paper", "upright", "level", "short", "two", "too-faint"])
def test_other_cells_hold_no_slash(cell: np.ndarray) -> None:
    assert not faint_slash(cell, GLYPH)


def test_a_shadow_edge_across_the_cell_is_not_a_slash() -> None:
    cell = paper(7)
    ys, xs = np.mgrid[0:cell.shape[0], 0:cell.shape[1]]
    cell = np.where(xs + 0.4 * ys > 90, np.clip(cell.astype(int) - 40, 0, 255), cell).astype(np.uint8)
    assert not faint_slash(cell, GLYPH)
