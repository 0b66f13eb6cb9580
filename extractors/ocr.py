"""OCR behind a small protocol, so it can be pooled, swapped, or faked in tests.

:class:`OcrEngine` has two calls: ``recognize`` (detect and read every text line of an image) and
``recognize_lines`` (read images that are each already one line — the cheap path for table cells, batched).
:class:`RapidOcrV6Engine` implements it with RapidOCR 3 and the PP-OCRv6 small models that ship inside the
``rapidocr`` wheel (no download ever). PP-OCRv6 replaced the PP-OCRv4 models of ``rapidocr_onnxruntime``: on
the scan corpus it misread 濛 (→蒙/濠) and 入 (→人) with high confidence where v6 reads them right.
Confidence is the weakest character, and a line whose decoder columns show a hole (a dropped 一 or 、) is
marked unsure (:func:`missing_character_suspected`). :func:`default_engine` returns one per process.

Every text returned is passed through :func:`normalize_punctuation`: RapidOCR reads full-width Chinese
punctuation as half-width (``();:,``); it is put back where it touches Chinese text.
"""

from __future__ import annotations

import re
import threading
from collections.abc import Sequence
from typing import Any, Protocol

import cv2
import numpy as np
import numpy.typing as npt

BBox = tuple[float, float, float, float]
OcrLine = tuple[str, float, BBox]  # text, confidence 0–1, box in the pixels of the image given


class OcrEngine(Protocol):
    """What the image extractor needs from an OCR engine. Images are ``uint8`` gray or RGB arrays."""

    def recognize(self, image: npt.NDArray[np.uint8]) -> list[OcrLine]:
        """Every text line found in ``image``, top to bottom, left to right."""
        ...

    def recognize_lines(self, images: Sequence[npt.NDArray[np.uint8]]) -> list[tuple[str, float]]:
        """Read each image as one single line of text; one ``(text, confidence)`` per image, in order."""
        ...


_CJK = r"\u3000-\u303f\u3400-\u4dbf\u4e00-\u9fff\uff00-\uffef"
_FULL = {"(": "（", ")": "）", ":": "：", ";": "；", ",": "，"}
_PAREN = re.compile(rf"\(([^()]*[{_CJK}][^()]*)\)")
_AFTER_CJK = re.compile(rf"(?<=[{_CJK}])[:;,]")
_OPEN_BEFORE_CJK = re.compile(rf"\((?=[{_CJK}])")
_CLOSE_AFTER_CJK = re.compile(rf"(?<=[{_CJK}])\)")


# 一 between a number (or a day, month) and a number is a dash: the recogniser reads the dash of a range
# (``16日—19日``, ``11.14—11.17``) as the character 一, which has the same single bar; no word puts 一 there
_DASH_READ_AS_ONE = re.compile(r"(?<=\d)([日月号]?)一(?=\d)")


def dash_between_numbers(text: str) -> str:
    """``16日一19日`` → ``16日—19日``: a 一 between numbers is a range's dash (also where a cell's two lines
    were joined: ``2019年11月16日`` | ``一19日``)."""
    return _DASH_READ_AS_ONE.sub(r"\1—", text)


def normalize_punctuation(text: str) -> str:
    """Half-width ``( ) : ; ,`` → full-width where they belong to Chinese text; others untouched; a dash read
    as 一 between numbers put back (``16日一19日`` → ``16日—19日``).

    ``(资金)`` → ``（资金）``, ``单位:`` → ``单位：``; ``DG1:pz:P03`` and ``10:30`` keep their colons.
    """
    text = _PAREN.sub(r"（\1）", dash_between_numbers(text))
    text = _OPEN_BEFORE_CJK.sub("（", text)
    text = _CLOSE_AFTER_CJK.sub("）", text)
    return _AFTER_CJK.sub(lambda m: _FULL[m.group(0)], text)


def _to_bgr(image: npt.NDArray[np.uint8]) -> npt.NDArray[np.uint8]:
    if image.ndim == 2:
        return np.ascontiguousarray(np.repeat(image[..., None], 3, axis=2))
    return np.ascontiguousarray(image[..., ::-1])


MISSING_CHARACTER_CONFIDENCE = 0.6
REC_BATCH = 8  # line crops per recogniser run (all of one input width, see plan_runs)
# A crop is read at least 320 × 48 (RapidOCR's own floor): narrower inputs are cheaper, but the recogniser was
# trained on that width and misreads lone short glyphs without it (a ``1`` read as ``A`` at 144 × 48).
MIN_WH_RATIO = 320 / 48
REC_HEIGHT = 48  # the recogniser's input height: every crop is scaled to it


def input_width(ratio: float) -> int:
    """The recogniser's input width for a crop of width/height ``ratio`` read on its own: its own width at
    ``REC_HEIGHT``, at least the floor (RapidOCR's ``resize_norm_img`` with the crop's own ratio)."""
    return int(REC_HEIGHT * max(MIN_WH_RATIO, ratio))


def plan_runs(ratios: Sequence[float], cap: int = REC_BATCH) -> list[list[int]]:
    """Recogniser runs for crops of these width/height ratios: at most ``cap`` crops each, every crop of a run
    with the same :func:`input_width`, so each is padded exactly as when read alone.

    RapidOCR's loop ran eight crops at a time in width order and padded all eight to the widest: a short
    cell beside a long line was read as a 16:1 image, and the work was eight times the long line (on a
    回执 scan 183 width units for 126 of crops). The padding is also read — the backbone's channel
    attention pools over the whole width — so a crop's reading depended on its neighbours in the run. Here
    the short crops (most cells: all below the floor, so all 320 wide) share runs, and a longer crop runs
    with those of its own width or alone. Returns lists of indices into ``ratios``, narrowest run first."""
    by_width: dict[int, list[int]] = {}
    for i in sorted(range(len(ratios)), key=lambda i: ratios[i]):
        by_width.setdefault(input_width(ratios[i]), []).append(i)
    return [group[k:k + cap] for _, group in sorted(by_width.items()) for k in range(0, len(group), cap)]
END_SLACK = 0.25


PADDING = 0.6  # the most of a line's height two side-by-side boxes of the detector overlap (its margins)


def apart_in_rows(boxes: Sequence[tuple[int, int, int, int]]) -> list[tuple[int, int, int, int]]:
    """Detected boxes ``(x0, y0, x1, y1)`` side by side in one row, cut apart halfway through where they
    overlap.

    The detector draws each box wider than its ink, so two fields of a row overlap: ``职务：副校长`` took in
    the last strokes of ``祝宗义`` before it, and the recogniser, seeing ink before its first character,
    suspected a lost one (0.6). A box inside another, one overlapping by more than margins, one in another row
    or of another height (a seal's lettering beside the line under it) is left as it is."""
    out = [list(b) for b in boxes]
    for i, (ax0, ay0, ax1, ay1) in enumerate(boxes):
        for j in range(i + 1, len(boxes)):
            bx0, by0, bx1, by1 = boxes[j]
            if min(ay1, by1) - max(ay0, by0) < 0.5 * max(ay1 - ay0, by1 - by0):
                continue  # not one row of lines: another row, or a seal's lettering beside a line
            if min(ax1, bx1) - max(ax0, bx0) > PADDING * min(ay1 - ay0, by1 - by0):
                continue  # more than the detector's margins overlap: not two fields side by side
            if ax0 < bx0 < ax1 < bx1:  # b overlaps a's right end
                out[i][2] = min(out[i][2], (bx0 + ax1) // 2)
                out[j][0] = max(out[j][0], (bx0 + ax1) // 2)
            elif bx0 < ax0 < bx1 < ax1:  # b overlaps a's left end
                out[i][0] = max(out[i][0], (ax0 + bx1) // 2)
                out[j][2] = min(out[j][2], (ax0 + bx1) // 2)
    return [(a, b, c, d) for a, b, c, d in out]


def _width(ch: str) -> float:
    return 0.5 if ch.isascii() else 1.0


def _marked_columns(image: npt.NDArray[np.uint8]) -> npt.NDArray[np.bool_]:
    """The columns of a line crop with any mark on them, down to a faint stroke: darker than its paper by a
    quarter of the way to its darkest ink (at least 20 grey levels), once smoothed so that a sensor's or a
    JPEG's noise in a blank is no mark."""
    gray = image if image.ndim == 2 else cv2.cvtColor(image, cv2.COLOR_RGB2GRAY)
    smooth = cv2.GaussianBlur(gray, (0, 0), 0.8)
    paper, dark = np.percentile(smooth, (90, 1))
    return np.asarray((smooth < float(paper) - max(20.0, 0.25 * (float(paper) - float(dark)))).any(axis=0))


def _ink_span(image: npt.NDArray[np.uint8]) -> tuple[float, float, float] | None:
    """Left and right ink edges of a line crop and its ink height, in pixels (None when blank)."""
    gray = image if image.ndim == 2 else cv2.cvtColor(image, cv2.COLOR_RGB2GRAY)
    # Grey paper scanned with the contrast low leaves thin strokes at 130–190 even after flattening: a fixed
    # cut at 160 keeps only their darkest cores, so the glyphs look narrower than the decoder's columns and
    # every end reads as a dropped character. Halfway between the crop's darkest ink and its paper (never
    # below the old cut, which a clean black-on-white crop keeps) takes whole strokes.
    paper, dark = np.percentile(gray, (90, 1))
    ink = gray < max(min(160, int(gray.mean()) - 40), (float(paper) + float(dark)) / 2)
    cols, rows = np.flatnonzero(ink.any(axis=0)), np.flatnonzero(ink.any(axis=1))
    if cols.size == 0 or rows.size == 0:
        return None
    return float(cols[0]), float(cols[-1] + 1), float(rows[-1] + 1 - rows[0])


def missing_character_suspected(
    text: str,
    words: Sequence[Sequence[str]],
    columns: Sequence[Sequence[int]],
    slack: float = 0.6,
    *,
    ink: tuple[float, float, float] | None = None,
    crop_height: int | None = None,
    inked: npt.NDArray[np.bool_] | None = None,
) -> bool:
    """True when the recogniser skipped a character: a gap between two read characters wider than the
    characters themselves explain by more than ``slack`` of a full-width character, with ink in it.

    CTC recognisers drop thin or rare glyphs (一 in 七一, 、, 濛 in a face without it) without lowering any
    character's score, so a line can read wrong with every score near 1. The decoder's column positions
    still show the hole. Full-width characters count 1, ASCII ½; only holes between (or beyond) full-width
    characters count — runs of digits and Latin are spaced too unevenly to tell (on the scan corpus that
    rule flagged 2019.7.20 and 序号 10–13 while every one was right) — and gaps where the text has a space
    are not holes. Nor is a gap without ink, where the crop's columns ``inked`` (True where ink; at the
    crop's own scale, ``crop_height`` high) are known: the blank between two fields of a row read as one
    line (``职务：党支部书记    联系电话：…``, the recogniser writing no space) held no character to lose; a
    lost 一 or 、 leaves its ink.
    """
    chars = [c for word in words for c in word]
    cols = [int(c) for col in columns for c in col]
    if len(chars) != len(cols) or not chars:
        return False
    if ink is not None and crop_height:
        # PP-OCR's recogniser sees the crop at 48 px high and emits one column per 8 px: a column is
        # 6/H pixels of the crop. A character dropped at either end leaves ink beyond the first/last column.
        scale = 6.0 / crop_height
        left, right, ink_h = ink[0] * scale, ink[1] * scale, ink[2] * scale
        unit = ink_h * 1.1  # a full-width character is about as wide as the line is tall
        first_edge = cols[0] - unit * _width(chars[0]) / 2
        last_edge = cols[-1] + unit * _width(chars[-1]) / 2
        # A correct line's outer characters end within about 0.1 of a character of the ink; a dropped
        # 、 or 一 at either end leaves a third of a character or more (measured on the scan corpus).
        if (not chars[0].isascii() and first_edge - left > END_SLACK * unit) or (
            not chars[-1].isascii() and right - last_edge > END_SLACK * unit
        ):
            return True
    if len(chars) < 3:
        return False
    # which consecutive pairs have a space between them in the recognised text
    spaced: list[bool] = []
    pos = 0
    for i, ch in enumerate(chars):
        found = text.find(ch, pos)
        if found < 0:
            return False
        if i:
            spaced.append(" " in text[pos:found])
        pos = found + 1
    ratios, expected = [], []
    for i in range(len(chars) - 1):
        span = (_width(chars[i]) + _width(chars[i + 1])) / 2
        expected.append(span)
        ratios.append((cols[i + 1] - cols[i]) / span)
    # a hole's own gap pulls the median of two gaps halfway to it: in three characters (柳铁中 for 柳铁一中) a
    # lost one was never found; there the narrower gap is the line's spacing — when all three are ideographs
    # (a mark's column lags behind its glyph: 备注： is no hole)
    three = len(ratios) == 2 and all("\u4e00" <= c <= "\u9fff" for c in chars)
    unit = min(ratios) if three else float(np.median(ratios))
    if unit <= 0:
        return False

    def ink_between(i: int) -> bool:
        if inked is None or not crop_height:
            return True
        px = crop_height / 6.0  # crop pixels a decoder column
        x0 = round((cols[i] + unit * _width(chars[i]) / 2) * px)
        x1 = round((cols[i + 1] - unit * _width(chars[i + 1]) / 2) * px)
        # a fifth of a character of marks (a 、 is a third): the hole's ends, placed by decoder columns 1/6 of
        # the crop's height apart, may take in an edge of the characters beside it
        return x1 <= x0 or int(np.count_nonzero(inked[max(0, x0):x1])) >= max(2, round(0.2 * unit * px))

    return any(
        not spaced[i]
        and not (chars[i].isascii() or chars[i + 1].isascii())  # digit runs space unevenly
        and (cols[i + 1] - cols[i]) - unit * expected[i] > slack * unit
        and ink_between(i)
        for i in range(len(expected))
    )


# Punctuation drawn the same in full and half width: the recogniser splits its belief between the two, so a
# sure （ scores 0.6 as （ and 0.4 as ( — and normalize_punctuation makes them one mark anyway.
TWINS = (("：", ":"), ("（", "("), ("）", ")"), ("，", ","), ("；", ";"))


def twin_confidences(probs: npt.NDArray[np.float32], confs: Sequence[float], twins: dict[int, int],
                     best: npt.NDArray[np.intp] | None = None) -> list[float]:
    """Each decoded character's score, a twin mark's (:data:`TWINS`) as its own probability plus its twin's.

    ``probs`` is one line's CTC output (columns × classes, softmax); ``confs`` the decoder's scores of the
    characters it kept, in order (the first column of each run of one class, blanks out); ``twins`` maps a
    class to its twin's class; ``best`` the class of each column when the caller has it already (its
    ``argmax`` over 18 710 classes is not cheap)."""
    if best is None:
        best = probs.argmax(axis=1)
    keep = np.ones(len(best), dtype=bool)
    keep[1:] = best[1:] != best[:-1]
    keep &= best != 0  # CTC blank
    cols = np.flatnonzero(keep)
    if len(cols) != len(confs):
        return list(confs)
    out = []
    for c, col in zip(confs, cols, strict=True):
        cls = int(best[col])
        out.append(min(1.0, float(probs[col, cls] + probs[col, twins[cls]])) if cls in twins else float(c))
    return out


def line_confidence(text: str, confs: Sequence[float]) -> float:
    """The weakest character's score, leaving out a space between a Chinese character and a digit or Latin
    letter (``图书 500册``): the typesetter's CJK/Latin spacing, unsure because it is narrow, and dropped
    from the value anyway (:func:`extractors.image.join_lines`). Any other space counts."""
    if len(confs) != len(text):
        return min(confs)
    kept = [c for k, (ch, c) in enumerate(zip(text, confs, strict=True))
            if not (ch == " " and 0 < k < len(text) - 1 and _cjk_latin(text[k - 1], text[k + 1]))]
    return min(kept) if kept else min(confs)


def _cjk_latin(a: str, b: str) -> bool:
    def cjk(ch: str) -> bool:
        return bool(re.match(f"[{_CJK}]", ch))

    def latin(ch: str) -> bool:
        return ch.isascii() and ch.isalnum()

    return (cjk(a) and latin(b)) or (latin(a) and cjk(b))


class RapidOcrV6Engine:
    """:class:`OcrEngine` on RapidOCR 3 with the PP-OCRv6 small det + rec models shipped in its wheel.

    Lines are detected, then each line crop is recognised on its own so that every line's confidence is its
    weakest character (see :meth:`recognize_lines`), the same rule as the table cells.
    """

    def __init__(self, threads: int = 2, det_max_side: int = 2048) -> None:
        from rapidocr import RapidOCR  # heavy import, only when an engine is made

        self._params: dict[str, Any] = {
            "Global.use_cls": False,
            "Global.log_level": "error",
            "Global.max_side_len": max(det_max_side, 2000),
            "EngineConfig.onnxruntime.intra_op_num_threads": threads,
            "EngineConfig.onnxruntime.inter_op_num_threads": 1,
            # RapidOCR turns onnxruntime's memory arena off: every run then allocates and frees its
            # activations (tens of MB for a 48 × 320 × 8 batch); with it on, the same outputs bit for bit
            # at ≈ 12 % less CPU (measured on 184 crops of six seed-12 field corpus pages)
            "EngineConfig.onnxruntime.enable_cpu_mem_arena": True,
            "Det.limit_type": "max",
            "Det.limit_side_len": det_max_side,
            "Rec.rec_batch_num": REC_BATCH,
        }
        self._ocr: Any = RapidOCR(params=self._params)
        self._lock = threading.Lock()
        self._twin_classes: dict[int, int] | None = None

    def recognize(self, image: npt.NDArray[np.uint8]) -> list[OcrLine]:
        """Detect the lines of ``image``, then read every line crop with :meth:`recognize_lines`."""
        bgr = _to_bgr(image)
        with self._lock:
            det = self._ocr(bgr, use_det=True, use_cls=False, use_rec=False)
        boxes = [] if det.boxes is None else det.boxes
        crops, bboxes = [], []
        h, w = bgr.shape[:2]
        outer = []
        for box in boxes:
            pts = np.asarray(box, dtype=np.float64)
            outer.append((max(int(pts[:, 0].min()) - 2, 0), max(int(pts[:, 1].min()) - 2, 0),
                          min(int(pts[:, 0].max()) + 2, w), min(int(pts[:, 1].max()) + 2, h)))
        for x0, y0, x1, y1 in apart_in_rows(outer):
            if x1 - x0 < 4 or y1 - y0 < 4:
                continue
            crops.append(image[y0:y1, x0:x1])
            bboxes.append((float(x0), float(y0), float(x1), float(y1)))
        lines = self.recognize_lines(crops)
        return [(text, conf, bbox) for (text, conf), bbox in zip(lines, bboxes, strict=True) if text]

    def recognize_lines(self, images: Sequence[npt.NDArray[np.uint8]]) -> list[tuple[str, float]]:
        """Read each image as one line, in batches (no detection); confidence is the weakest character's
        score, capped at ``MISSING_CHARACTER_CONFIDENCE`` when the decoder columns suggest a dropped character.

        The recogniser gets the whole list at once, in runs of crops of one input width (:func:`plan_runs`),
        several times faster than one call per crop; every crop is scaled to 48 px high and padded on the
        right to its own :func:`input_width`, so it reads the same alone or with any others."""
        if not images:
            return []
        results = self._recognise_batched([_to_bgr(img) for img in images])
        out: list[tuple[str, float]] = []
        for img, ((text, mean), info) in zip(images, results, strict=True):
            confs = [float(c) for c in getattr(info, "confs", [])]
            conf = line_confidence(text, confs) if (text and confs) else mean
            if info is not None and text and missing_character_suspected(
                text, info.words, info.word_cols, ink=_ink_span(img), crop_height=img.shape[0],
                inked=_marked_columns(img),
            ):
                conf = min(conf, MISSING_CHARACTER_CONFIDENCE)
            out.append((normalize_punctuation(text), conf if text else 0.0))
        return out


    def _recognise_batched(self, bgr: Sequence[npt.NDArray[np.uint8]]) -> list[tuple[tuple[str, float], Any]]:
        """RapidOCR's recogniser loop in runs of one input width (:func:`plan_runs`), each crop scaled to
        ``REC_HEIGHT`` and right-padded to its own :func:`input_width` — as RapidOCR reads a crop alone —
        without its per-call image loading and config handling."""
        rec = self._ocr._load_rec_model()
        ratios = [b.shape[1] / max(1, b.shape[0]) for b in bgr]
        out: list[tuple[tuple[str, float], Any]] = [(("", 0.0), None)] * len(bgr)
        twins = self._twins(rec)
        with self._lock:
            for run in plan_runs(ratios):
                run_ratios = [ratios[i] for i in run]
                widest = max(MIN_WH_RATIO, *run_ratios)
                batch = np.concatenate([rec.resize_norm_img(bgr[i], widest)[np.newaxis, :] for i in run])
                preds = np.asarray(rec.session(batch.astype(np.float32)))
                # one argmax for the decoder and the twin marks (RapidOCR's own call takes argmax and max)
                best = preds.argmax(axis=2)
                prob = np.take_along_axis(preds, best[..., np.newaxis], axis=2)[..., 0]
                lines, words = rec.postprocess_op.decode(best, prob, True, run_ratios, widest,
                                                         remove_duplicate=True)
                for k, i in enumerate(run):
                    if words[k] is not None and getattr(words[k], "confs", None):
                        words[k].confs = twin_confidences(preds[k], words[k].confs, twins, best[k])
                    out[i] = ((str(lines[k][0]), float(lines[k][1])), words[k])
        return out

    def _twins(self, rec: Any) -> dict[int, int]:
        if self._twin_classes is None:
            chars = list(rec.postprocess_op.character)
            where = {ch: k for k, ch in enumerate(chars)}
            pairs = [(where[a], where[b]) for a, b in TWINS if a in where and b in where]
            self._twin_classes = {**dict(pairs), **{b: a for a, b in pairs}}
        return self._twin_classes


_engine: RapidOcrV6Engine | None = None
_engine_lock = threading.Lock()
_threads = 2  # onnxruntime intra-op threads of the engine made next (use_threads)


def use_threads(threads: int) -> None:
    """Read with ``threads`` threads from now on: onnxruntime's intra-op threads of the engine
    :func:`default_engine` makes next, and OpenCV's. The service decides the number
    (:func:`api.sandbox.read_threads`)."""
    global _threads
    _threads = max(1, threads)
    cv2.setNumThreads(_threads)


def default_engine() -> RapidOcrV6Engine:
    """The process's one :class:`RapidOcrV6Engine` (threads: :func:`use_threads`, 2 unless set), created on
    first call (≈ 0.5 s)."""
    global _engine
    with _engine_lock:
        if _engine is None:
            _engine = RapidOcrV6Engine(threads=_threads)
        return _engine
