"""Ruled tables from an ink mask: small pure functions, pdfplumber ``table.py`` style.

    ink ─ line_masks → (horizontal, vertical)     morphology opening, kernels relative to the page
        ─ table_regions                           connected rulings large enough to be a table
        ─ line_positions                          every ruling's centre, partial rulings included
        ─ grid_cells                              one cell per rectangle; missing internal rulings merge
                                                  neighbours (rowspan / colspan) — unless the grey page
                                                  shows the ruling there (faint_line)

Rows come from the rulings, not from text, so blank rows left for later and a merged footer row are kept.
All coordinates are pixels of the page the mask came from.
"""

from __future__ import annotations

from dataclasses import dataclass

import cv2
import numpy as np
import numpy.typing as npt

from extractors.preprocess import u8

U8 = npt.NDArray[np.uint8]
Box = tuple[int, int, int, int]  # x0, y0, x1, y1


@dataclass(frozen=True)
class GridCell:
    row: int
    col: int
    rowspan: int
    colspan: int
    box: Box  # between the centres of its rulings


@dataclass(frozen=True)
class Grid:
    """One table: ruling positions (``ys`` has n_rows + 1 entries, ``xs`` n_cols + 1) and its cells."""

    box: Box
    ys: tuple[int, ...]
    xs: tuple[int, ...]
    cells: tuple[GridCell, ...]
    faint: tuple[Box, ...] = ()  # pieces of rulings seen only on the grey page (:func:`faint_line`)

    @property
    def n_rows(self) -> int:
        return len(self.ys) - 1

    @property
    def n_cols(self) -> int:
        return len(self.xs) - 1


@dataclass(frozen=True)
class GridSettings:
    """Tunables, relative to the page: ``line_frac`` of width/height is the shortest ruling kept."""

    line_frac: float = 1 / 40
    min_table_frac: float = 0.15  # a table is at least this fraction of page width and of page height / 4
    merge_tol_frac: float = 1 / 250  # rulings closer than this (of the page's long side) are one
    coverage: float = 0.6  # a separator exists when this fraction of its span is ruled
    join: float = 0.85  # a ruling joins two others when it rules this fraction of the span between them
    edge_run: float = 0.25  # rulings this long (of the table's size) that pass the outer ones mark an open edge
    faint_depth: int = 12  # grey levels a faint ruling lies below the paper around it (photos: :func:`faint_rulings`)
    faint_flank: float = 0.12  # ... and at most this share of the bands along its sides is dark (text is more)
    # a separator the ink lost in one row (column) while the same ruling is in the ink elsewhere: faint_line
    weak_rows: float = 0.5  # the ruling is in the ink in at least this share of the other rows (columns)
    weak_depth: float = 16.0  # grey levels the line lies below the paper on both its sides (mean over a few px)
    weak_cover: float = 0.5  # ... along this share of the cell's side, and a quarter of each end quarter
    weak_cross: float = 0.15  # ink running across the line's place over more than this share: a real merge
    weak_drift: int = 3  # px the line may lie off the ruling's place in the rows where the ink has it


def line_masks(ink: U8, s: GridSettings = GridSettings()) -> tuple[U8, U8]:
    """Horizontal and vertical rulings: ink opened with long thin kernels, then bridged over small gaps."""
    h, w = ink.shape
    kh = max(15, int(w * s.line_frac))
    kv = max(15, int(h * s.line_frac))
    hor = u8(cv2.morphologyEx(ink, cv2.MORPH_OPEN, cv2.getStructuringElement(cv2.MORPH_RECT, (kh, 1))))
    ver = u8(cv2.morphologyEx(ink, cv2.MORPH_OPEN, cv2.getStructuringElement(cv2.MORPH_RECT, (1, kv))))
    gap = max(3, w // 400)
    hor = u8(cv2.morphologyEx(hor, cv2.MORPH_CLOSE, cv2.getStructuringElement(cv2.MORPH_RECT, (gap * 2, 3))))
    ver = u8(cv2.morphologyEx(ver, cv2.MORPH_CLOSE, cv2.getStructuringElement(cv2.MORPH_RECT, (3, gap * 2))))
    return hor, ver


def faint_rulings(gray: U8, s: GridSettings = GridSettings()) -> U8:
    """Rulings too light for the ink mask, from the grey page: a thin line a little darker than the paper
    around it (a black-hat a few pixels wide) that runs straight for as long as a ruling must, with paper
    along both its sides.

    In a phone photo a 0.5 pt ruling is blurred to one or two pixels of light grey, and under a shadow or a
    faded print the ink threshold keeps only dashes of it: the table falls apart into lines of text. Paper
    noise makes no run that long and straight; the strokes of a line of blurred text can (one glyph's stroke
    touching the next one's), but they have other strokes just above and below them, a ruling has the cell's
    blank margin.
    """
    h, w = gray.shape
    k = max(5, min(h, w) // 170) | 1  # wider than a blurred ruling, narrower than a cell
    dark = cv2.morphologyEx(gray, cv2.MORPH_BLACKHAT, np.ones((k, k), np.uint8))
    weak = u8((dark > s.faint_depth).astype(np.uint8) * 255)
    kh = max(15, int(w * s.line_frac))
    kv = max(15, int(h * s.line_frac))
    hor = u8(cv2.morphologyEx(weak, cv2.MORPH_OPEN, cv2.getStructuringElement(cv2.MORPH_RECT, (kh, 1))))
    ver = u8(cv2.morphologyEx(weak, cv2.MORPH_OPEN, cv2.getStructuringElement(cv2.MORPH_RECT, (1, kv))))
    return u8(cv2.bitwise_or(_with_blank_sides(hor, weak, k, (1, 0), 2 * kh, s),
                             _with_blank_sides(ver, weak, k, (0, 1), 2 * kv, s)))


def _with_blank_sides(runs: U8, weak: U8, k: int, along: tuple[int, int], min_length: int, s: GridSettings) -> U8:
    """The runs (components of ``runs``, lying ``along`` x or y) at least ``min_length`` long with little of
    ``weak`` on at least one of their two sides, in the band from 3 to ``k`` px away: a ruling has a cell's
    blank margin on one side at least, a chain of glyph strokes has the rest of its glyphs on both (and a
    chain along the foot of a line of text, blank below, is a few glyphs long — a faint ruling that long
    would add nothing the ink's own dashes do not already give)."""
    n, labels, stats, _ = cv2.connectedComponentsWithStats(runs, connectivity=8)
    if n <= 1:
        return runs
    dark = weak > 0
    h, w = runs.shape
    share = []
    for sign in (-1, 1):
        total = np.zeros(n, np.float64)
        busy = np.zeros(n, np.float64)
        for d in range(3, k + 1):
            dy, dx = (sign * d, 0) if along == (1, 0) else (0, sign * d)
            src = labels[max(0, -dy):h - max(0, dy), max(0, -dx):w - max(0, dx)]
            dst = dark[max(0, dy):h - max(0, -dy), max(0, dx):w - max(0, -dx)]
            on = src > 0
            total += np.bincount(src[on], minlength=n)
            busy += np.bincount(src[on], weights=dst[on].astype(np.float64), minlength=n)
        share.append(busy / np.maximum(total, 1))
    length = stats[:, cv2.CC_STAT_WIDTH] if along == (1, 0) else stats[:, cv2.CC_STAT_HEIGHT]
    keep = (np.minimum(share[0], share[1]) <= s.faint_flank) & (length >= min_length)
    keep[0] = False
    return u8(np.where(keep[labels], 255, 0).astype(np.uint8))


def faint_line(gray: U8, horizontal: bool, at: int, start: int, end: int,
               s: GridSettings = GridSettings()) -> int | None:
    """Where a thin dark line runs along ``at`` (± ``s.weak_drift`` px) from ``start`` to ``end`` on the grey
    page — a ruling the ink mask lost there — or None.

    A 0.5 pt ruling on a grey low-contrast scan sits right at the ink threshold, and next to a cell's text
    the local threshold rises with the text's darkness: the ruling survives only in dashes too short for
    :func:`line_masks`, and two cells are read as one (``上示范课2120人次节``). On the grey page it is still a
    line a pixel or three wide, darker than the paper a few px to BOTH its sides (a stroke of text crossing
    it is dark on both sides too, a glyph beside it on one side only) along most of the cell's side and
    near both its ends (a glyph's stroke is short and sits in the cell's middle, a ruling reaches the
    rulings it joins). Where ink runs across the line's place over more than ``s.weak_cross`` of it, text
    crosses it: a real merged cell, not a lost ruling.
    """
    o = 4  # px to the paper beside a ruling blurred to 3 px
    dim = gray.shape[0] if horizontal else gray.shape[1]
    lo, hi = max(0, at - s.weak_drift - o), min(dim, at + s.weak_drift + o + 1)
    start, end = max(0, start), min(gray.shape[1] if horizontal else gray.shape[0], end)
    if end - start < 8 or hi - lo < 2 * o + 1:
        return None
    strip = gray[lo:hi, start:end].T if horizontal else gray[start:end, lo:hi]
    g = np.asarray(strip, dtype=np.float32)  # along × across
    m = g.shape[1] - 2 * o
    centre = g[:, o:o + m]
    left = np.max(np.stack([g[:, o - d:o - d + m] for d in range(2, o + 1)]), axis=0)
    right = np.max(np.stack([g[:, o + d:o + d + m] for d in range(2, o + 1)]), axis=0)
    depth = np.asarray(cv2.blur(np.minimum(left, right) - centre, (1, 5)), dtype=np.float32)  # noise averages out
    line = depth >= s.weak_depth
    near = line.copy()  # the line may drift a pixel over a cell's length (what deskewing left)
    near[:, 1:] |= line[:, :-1]
    near[:, :-1] |= line[:, 1:]
    share = near.mean(axis=0)
    j = int(np.argmax(share))
    n = near.shape[0]
    quarter = max(1, n // 4)
    if (share[j] < s.weak_cover or near[:quarter, j].mean() < s.weak_cover / 2
            or near[n - quarter:, j].mean() < s.weak_cover / 2):
        return None
    paper = float(np.percentile(g, 90))
    dark = g < paper - 3 * s.weak_depth
    across = dark[:, o + j] & dark[:, j] & dark[:, 2 * o + j]
    if float(across.mean()) > s.weak_cross:
        return None
    return lo + o + j


def table_regions(hor: U8, ver: U8, s: GridSettings = GridSettings()) -> list[Box]:
    """Boxes of connected rulings that look like tables (wide and tall enough, with both directions)."""
    h, w = hor.shape
    both = u8(cv2.dilate(cv2.bitwise_or(hor, ver), np.ones((5, 5), np.uint8)))
    n, _, stats, _ = cv2.connectedComponentsWithStats(both, connectivity=8)
    out: list[Box] = []
    for i in range(1, n):
        x, y, bw, bh = (int(v) for v in stats[i, :4])
        if bw < w * s.min_table_frac or bh < h * s.min_table_frac / 4:
            continue
        if not hor[y:y + bh, x:x + bw].any() or not ver[y:y + bh, x:x + bw].any():
            continue
        out.append((x, y, x + bw, y + bh))
    return sorted(out, key=lambda b: (b[1], b[0]))


def line_positions(profile: npt.NDArray[np.float64], min_value: float, tol: int) -> list[int]:
    """Centres of the runs where ``profile`` ≥ ``min_value``; runs closer than ``tol`` are one ruling."""
    on = np.flatnonzero(profile >= min_value)
    if on.size == 0:
        return []
    groups: list[list[int]] = [[int(on[0])]]
    for i in on[1:]:
        if int(i) - groups[-1][-1] <= tol:
            groups[-1].append(int(i))
        else:
            groups.append([int(i)])
    out = []
    for g in groups:
        weights = profile[g[0]:g[-1] + 1]
        out.append(round(float(np.average(np.arange(g[0], g[-1] + 1), weights=weights + 1e-9))))
    return out


def _ruled(mask: U8, horizontal: bool, at: int, start: int, end: int, band: int, need: float) -> bool:
    """Is there a ruling along ``at`` from ``start`` to ``end`` (within ±``band`` px)?"""
    if end <= start:
        return False
    if horizontal:
        strip = mask[max(0, at - band):at + band + 1, start:end]
        covered = strip.any(axis=0)
    else:
        strip = mask[start:end, max(0, at - band):at + band + 1]
        covered = strip.any(axis=1)
    return bool(covered.mean() >= need) if covered.size else False


def _runs_at(mask: U8, horizontal: bool, at: int, band: int) -> list[tuple[int, int]]:
    """The runs ``(start, end)`` of a ruling along ``at`` (rows ``at ± band`` for a horizontal one)."""
    if horizontal:
        on = mask[max(0, at - band):at + band + 1].any(axis=0)
    else:
        on = mask[:, max(0, at - band):at + band + 1].any(axis=1)
    idx = np.flatnonzero(on)
    if idx.size == 0:
        return []
    breaks = np.flatnonzero(np.diff(idx) > band) + 1
    return [(int(g[0]), int(g[-1]) + 1) for g in np.split(idx, breaks)]


def _open_edges(mask: U8, across: list[int], along: list[int], band: int, min_gap: int, *, horizontal: bool,
                min_run: float) -> list[int]:
    """``across`` (the positions of the rulings crossing ``mask``'s) with the table's open outer edges added.

    A table drawn without an outer border (or without its top line) still has inner rulings that run to
    its edge: when most long rulings of ``mask`` (at the positions ``along``) end well beyond the first or
    last crossing ruling, that end is an edge of the table, as if it were ruled.
    """
    if not along:
        return across
    runs = [r for at in along for r in _runs_at(mask, horizontal, at, band) if r[1] - r[0] >= min_run]
    if len(runs) < 2:
        return across
    out = list(across)
    start = int(np.median([r[0] for r in runs]))
    end = int(np.median([r[1] for r in runs]))
    if not out or start < out[0] - min_gap:
        out.insert(0, start)
    if end > out[-1] + min_gap:
        out.append(end)
    return out


def _connected(hor: U8, ver: U8, xs: list[int], ys: list[int], band: int, inset: int,
               need: float) -> tuple[list[int], list[int]]:
    """Only rulings that join two others: a vertical one must rule some row from one horizontal ruling to
    the next, a horizontal one some column. Strokes of a large title, a seal's ring or a signature joined
    to the table by touching it rule no cell and would otherwise split columns and rows that are not there.
    (An open edge added by :func:`_open_edges` has no ink; it is kept as long as something joins it.)"""
    for _ in range(4):
        keep_x = [x for x in xs if len(ys) < 2 or any(
            _ruled(ver, False, x, ys[i] + inset, ys[i + 1] - inset, band, need) for i in range(len(ys) - 1))
            or (x in (xs[0], xs[-1]) and not ver[:, max(0, x - band):x + band + 1].any())]
        keep_y = [y for y in ys if len(keep_x) < 2 or any(
            _ruled(hor, True, y, keep_x[j] + inset, keep_x[j + 1] - inset, band, need)
            for j in range(len(keep_x) - 1))
            or (y in (ys[0], ys[-1]) and not hor[max(0, y - band):y + band + 1].any())]
        if keep_x == xs and keep_y == ys:
            break
        xs, ys = keep_x, keep_y
    return xs, ys


def grid_cells(hor: U8, ver: U8, box: Box, s: GridSettings = GridSettings(), gray: U8 | None = None) -> Grid | None:
    """The grid inside ``box``: rulings → row/column positions → cells, merging where a ruling is missing.

    With the grey page ``gray``, a separator missing from the ink in one row (column) while the same ruling
    is in the ink in most others is looked for on the grey page (:func:`_restore_faint`) before the cells
    merge."""
    x0, y0, x1, y1 = box
    page_long = max(hor.shape)
    tol = max(3, int(page_long * s.merge_tol_frac))
    hsub = hor[y0:y1, x0:x1]
    vsub = ver[y0:y1, x0:x1]
    min_len = max(15, int(hor.shape[1] * s.line_frac))
    ys = [y0 + y for y in line_positions(hsub.astype(bool).sum(axis=1).astype(np.float64), min_len, tol)]
    xs = [x0 + x for x in line_positions(vsub.astype(bool).sum(axis=0).astype(np.float64),
                                         max(15, int(hor.shape[0] * s.line_frac)), tol)]
    band = max(2, tol)
    inset = band + 1
    min_gap = max(3 * tol, page_long // 120)  # the narrowest row or column an open edge may add
    xs = _open_edges(hor, xs, ys, band, min_gap, horizontal=True, min_run=s.edge_run * (x1 - x0))
    ys = _open_edges(ver, ys, xs, band, min_gap, horizontal=False, min_run=s.edge_run * (y1 - y0))
    xs, ys = _connected(hor, ver, xs, ys, band, inset, s.join)
    if len(ys) < 2 or len(xs) < 2:
        return None
    n_rows, n_cols = len(ys) - 1, len(xs) - 1
    parent = list(range(n_rows * n_cols))

    def find(i: int) -> int:
        while parent[i] != i:
            parent[i] = parent[parent[i]]
            i = parent[i]
        return i

    def union(a: int, b: int) -> None:
        ra, rb = find(a), find(b)
        if ra != rb:
            parent[max(ra, rb)] = min(ra, rb)

    # ruled[i][k]: interior ruling i is in the ink along segment k (vertical: column rulings × rows;
    # horizontal: row rulings × columns)
    v_ruled = [[_ruled(ver, False, xs[c + 1], ys[r] + inset, ys[r + 1] - inset, band, s.coverage)
                for r in range(n_rows)] for c in range(n_cols - 1)]
    h_ruled = [[_ruled(hor, True, ys[r + 1], xs[c] + inset, xs[c + 1] - inset, band, s.coverage)
                for c in range(n_cols)] for r in range(n_rows - 1)]
    faint: list[Box] = []
    if gray is not None:
        faint += _restore_faint(v_ruled, gray, ver, False, xs[1:-1], ys, band, inset, s)
        faint += _restore_faint(h_ruled, gray, hor, True, ys[1:-1], xs, band, inset, s)
    for r in range(n_rows):
        for c in range(n_cols):
            if c + 1 < n_cols and not v_ruled[c][r]:
                union(r * n_cols + c, r * n_cols + c + 1)
            if r + 1 < n_rows and not h_ruled[r][c]:
                union(r * n_cols + c, (r + 1) * n_cols + c)

    spans: dict[int, list[int]] = {}
    for r in range(n_rows):
        for c in range(n_cols):
            root = find(r * n_cols + c)
            b = spans.setdefault(root, [r, c, r, c])
            b[0], b[1], b[2], b[3] = min(b[0], r), min(b[1], c), max(b[2], r), max(b[3], c)
    cells = []
    seen: set[tuple[int, int]] = set()
    for r0, c0, r1, c1 in sorted(spans.values()):
        if (r0, c0) in seen:  # a non-rectangular merge: keep its bounding rectangle once
            continue
        seen.update((r, c) for r in range(r0, r1 + 1) for c in range(c0, c1 + 1))
        cells.append(GridCell(r0, c0, r1 - r0 + 1, c1 - c0 + 1, (xs[c0], ys[r0], xs[c1 + 1], ys[r1 + 1])))
    return Grid(box=(xs[0], ys[0], xs[-1], ys[-1]), ys=tuple(ys), xs=tuple(xs), cells=tuple(cells),
                faint=tuple(faint))


def _ink_place(mask: U8, horizontal: bool, at: int, start: int, end: int, band: int) -> int:
    """Where the ruling near ``at`` lies in ``mask`` between ``start`` and ``end`` (its ink's mean position)."""
    if horizontal:
        counts = mask[max(0, at - band):at + band + 1, start:end].astype(bool).sum(axis=1)
    else:
        counts = mask[start:end, max(0, at - band):at + band + 1].astype(bool).sum(axis=0)
    if not counts.any():
        return at
    return max(0, at - band) + round(float(np.average(np.arange(counts.size), weights=counts)))


def _restore_faint(ruled: list[list[bool]], gray: U8, mask: U8, horizontal: bool, lines: list[int],
                   bounds: list[int], band: int, inset: int, s: GridSettings) -> list[Box]:
    """Mark in ``ruled`` (in place) the separators the ink lost but the grey page shows, and return their boxes.

    A ruling runs on across its table: when ruling ``i`` (at ``lines[i]``) is in the ink along at least
    ``s.weak_rows`` of its other segments (rows between ``bounds``), a segment it misses in the ink is
    looked at with :func:`faint_line`, at the place the ruling has in the ink next to it. Only where the
    ink closes both cells it would part on their other sides (the rulings ``i - 1`` and ``i + 1``, or the
    table's edge, rule that segment): then the lost piece is all that joins two single cells. A merged cell
    spans further — the 备注 footer, or a label written down a tall merged cell (援藏活动情况), whose
    characters' long strokes are thin dark lines across it just as a ruling is.

    Two lost pieces in a row (a pale column whose heading ran into its first two cells) are restored
    together, only when the grey page shows both and the ink closes the pair on its far sides: a label's
    strokes lying on both rulings of a three-row merged cell, and passing :func:`faint_line` at both, is far
    less likely than at one (tests/test_faint_rulings.py draws it).
    """
    out: list[Box] = []
    n_lines, n_seg = len(ruled), len(bounds) - 1
    ink = [row[:] for row in ruled]  # the ink's word, before anything is restored

    def runs_on(i: int, k: int) -> bool:
        others = [ink[i][q] for q in range(n_seg) if q != k]
        return bool(others) and sum(others) >= max(1.0, s.weak_rows * len(others))

    def found(i: int, k: int) -> int | None:
        near = ([q for q in (k - 1, k + 1, k - 2, k + 2) if 0 <= q < n_seg and ink[i][q]][:2]
                or [q for q in range(n_seg) if ink[i][q]][:1])
        place = round(float(np.mean([_ink_place(mask, horizontal, lines[i], bounds[q] + inset,
                                                bounds[q + 1] - inset, band) for q in near])))
        return faint_line(gray, horizontal, place, bounds[k] + inset, bounds[k + 1] - inset, s)

    def restore(i: int, k: int, pos: int) -> None:
        ruled[i][k] = True
        out.append((bounds[k], pos - 2, bounds[k + 1], pos + 3) if horizontal
                   else (pos - 2, bounds[k], pos + 3, bounds[k + 1]))

    for i in range(n_lines):
        for k in range(n_seg):
            if ink[i][k] or ruled[i][k] or not runs_on(i, k):
                continue
            closed = [ink[p][k] for p in (i - 1, i + 1) if 0 <= p < n_lines]
            if all(closed):
                if (pos := found(i, k)) is not None:
                    restore(i, k, pos)
                continue
            j = i + 1  # the second of a lost pair: i + 1, lost too, running on, closed beyond
            if (j >= n_lines or ink[j][k] or not runs_on(j, k) or (i > 0 and not ink[i - 1][k])
                    or (j + 1 < n_lines and not ink[j + 1][k])):
                continue
            if (first := found(i, k)) is not None and (second := found(j, k)) is not None:
                restore(i, k, first)
                restore(j, k, second)
    return out


def find_grids(ink: U8, s: GridSettings = GridSettings(), gray: U8 | None = None) -> tuple[list[Grid], U8]:
    """Every ruled table on the page, top to bottom, and the mask of all rulings (to erase before OCR).

    With the grey page ``gray``, rulings the ink lost in a row or column are looked for on it
    (:func:`grid_cells`); those found are in the mask too, so their dashes in the ink are no text."""
    hor, ver = line_masks(ink, s)
    grids = [g for b in table_regions(hor, ver, s) if (g := grid_cells(hor, ver, b, s, gray)) is not None]
    grids = [g for g in grids if not _strokes_in_a_row(g)]
    rules = u8(cv2.bitwise_or(hor, ver))
    for g in grids:
        for x0, y0, x1, y1 in g.faint:
            rules[y0:y1, x0:x1] = 255
    return grids, rules


def squarely_ruled(rules: U8, grid: Grid, cover: float = 0.85) -> bool:
    """Is every cell of ``grid`` closed by rulings seen along ``cover`` of each of its sides, every ruling running
    straight and square to the page (its place at either end and in the middle within an eighth of the
    narrowest row or column)?

    A photo whose sheet outline was ragged (another paper under it, a mug beside it) is straightened but
    doubted: its rows might be mixed. Rulings that close every cell and run square where the cells are read
    show that they are not; a hand or a paper over part of the table leaves sides unruled."""
    x0, y0, x1, y1 = grid.box
    step = int(min(np.diff(grid.ys).min(), np.diff(grid.xs).min()))
    band, tol = max(2, step // 4), max(2, step // 8)
    for horizontal, lines, a, b in ((True, grid.ys, x0, x1), (False, grid.xs, y0, y1)):
        reach = max(1, (b - a) // 8)
        for at in lines:
            places = [_ink_place(rules, horizontal, at, lo, lo + reach, band)
                      for lo in (a, (a + b - reach) // 2, b - reach)]
            if max(places) - min(places) > tol:
                return False
    for c in grid.cells:
        cx0, cy0, cx1, cy1 = c.box
        if not all(_ruled(rules, True, y, cx0, cx1, band, cover) for y in (cy0, cy1)) or \
                not all(_ruled(rules, False, x, cy0, cy1, band, cover) for x in (cx0, cx1)):
            return False
    return True


def _strokes_in_a_row(grid: Grid) -> bool:
    """A one-row "table" whose cells are mostly narrower than 1.5 × its height: the upright strokes of a line
    of big characters under a long stroke (a pen line across a photographed title), not a ruled table —
    a real row's cells hold words, so they are wider than they are tall."""
    if len(grid.ys) != 2:
        return False
    widths = np.diff(np.asarray(grid.xs, dtype=np.float64))
    return float(np.median(widths)) < 1.5 * (grid.ys[1] - grid.ys[0])
