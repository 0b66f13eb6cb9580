"""OCR behind a small protocol, so it can be pooled, swapped, or faked in tests.

:class:`OcrEngine` has two calls: ``recognize`` (detect and read every text line of an image) and
``recognize_lines`` (read images that are each already one line — the cheap path for table cells, batched).
:class:`RapidOcrEngine` implements it with ``rapidocr_onnxruntime`` (PP-OCRv4, models inside the wheel; no
download ever). :func:`default_engine` returns one per process, created on first use.

Every text returned is passed through :func:`normalize_punctuation`: RapidOCR reads full-width Chinese
punctuation as half-width (``();:,``); it is put back where it touches Chinese text.
"""

from __future__ import annotations

import re
import threading
from collections.abc import Sequence
from typing import Any, Protocol

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


def normalize_punctuation(text: str) -> str:
    """Half-width ``( ) : ; ,`` → full-width where they belong to Chinese text; others untouched.

    ``(资金)`` → ``（资金）``, ``单位:`` → ``单位：``; ``DG1:pz:P03`` and ``10:30`` keep their colons.
    """
    text = _PAREN.sub(r"（\1）", text)
    text = _OPEN_BEFORE_CJK.sub("（", text)
    text = _CLOSE_AFTER_CJK.sub("）", text)
    return _AFTER_CJK.sub(lambda m: _FULL[m.group(0)], text)


def _to_bgr(image: npt.NDArray[np.uint8]) -> npt.NDArray[np.uint8]:
    if image.ndim == 2:
        return np.ascontiguousarray(np.repeat(image[..., None], 3, axis=2))
    return np.ascontiguousarray(image[..., ::-1])


class RapidOcrEngine:
    """:class:`OcrEngine` on RapidOCR (PP-OCRv4 det + rec, onnxruntime, ``threads`` intra-op threads).

    No angle classifier: pages are deskewed before OCR. Detection keeps the image's size up to
    ``det_max_side`` px (RapidOCR's default *enlarges* small images to 736 px on the short side, which makes
    strips and cells slow).
    """

    def __init__(self, threads: int = 2, det_max_side: int = 2048, rec_batch: int = 6) -> None:
        from rapidocr_onnxruntime import RapidOCR  # heavy import, only when an engine is made

        self._ocr: Any = RapidOCR(
            intra_op_num_threads=threads, inter_op_num_threads=1, use_cls=False,
            det_limit_type="max", det_limit_side_len=det_max_side, max_side_len=max(det_max_side, 2000),
            rec_batch_num=rec_batch,
        )
        self._lock = threading.Lock()  # one onnxruntime session, one caller at a time

    def recognize(self, image: npt.NDArray[np.uint8]) -> list[OcrLine]:
        with self._lock:
            result, _ = self._ocr(_to_bgr(image), use_cls=False)
        out: list[OcrLine] = []
        for box, text, score in result or []:
            pts = np.asarray(box, dtype=np.float64)
            bbox = (float(pts[:, 0].min()), float(pts[:, 1].min()), float(pts[:, 0].max()), float(pts[:, 1].max()))
            out.append((normalize_punctuation(str(text)), float(score), bbox))
        return out

    def recognize_lines(self, images: Sequence[npt.NDArray[np.uint8]]) -> list[tuple[str, float]]:
        if not images:
            return []
        with self._lock:
            res, _ = self._ocr.text_rec([_to_bgr(i) for i in images])
        return [(normalize_punctuation(str(t)), float(s)) for t, s in res]


_engine: RapidOcrEngine | None = None
_engine_lock = threading.Lock()


def default_engine() -> RapidOcrEngine:
    """The process's one :class:`RapidOcrEngine` (2 threads), created on first call (≈ 0.5 s)."""
    global _engine
    with _engine_lock:
        if _engine is None:
            _engine = RapidOcrEngine()
        return _engine
