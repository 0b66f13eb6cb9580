"""Page crops for the review screen, with their cost bounded: a gate, a pixel cap and a cache.

Rendering a crop decodes a page image in a sandbox child (``api.sandbox`` mode ``crop``), which can take
hundreds of MB for a large scan. So:

* a :class:`~api.services.gate.Gate` lets ``crop_concurrency`` crops render at once and ``crop_queue`` more
  wait; a request past that gets :class:`~api.services.errors.Busy` (503) at once instead of another child;
* a requested box whose output would exceed ``crop_max_pixels`` is :class:`Invalid` (422) before any work,
  and a PDF renders only the box (never the whole page), at :data:`api.sandbox.CROP_PDF_SCALE`;
* :class:`ByteCache` keeps rendered PNGs by (upload sha256, page, box), bounded in bytes, so the review
  screen asking for the same box again costs nothing.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from dataclasses import dataclass

from api.blobs import BlobStore
from api.models import Upload
from api.sandbox import CROP_PDF_SCALE, ChildFailed, run_child
from api.services.errors import Busy, Invalid
from api.services.gate import Gate

Box = tuple[float, float, float, float]


class ByteCache:
    """A thread-safe LRU of byte strings, bounded by their total size (an entry larger than the bound is not kept)."""

    def __init__(self, max_bytes: int) -> None:
        self.max_bytes = max_bytes
        self._items: OrderedDict[tuple[object, ...], bytes] = OrderedDict()
        self._size = 0
        self._lock = threading.Lock()

    def get(self, key: tuple[object, ...]) -> bytes | None:
        """The cached bytes of ``key`` (now most recently used), or None."""
        with self._lock:
            value = self._items.get(key)
            if value is not None:
                self._items.move_to_end(key)
            return value

    def put(self, key: tuple[object, ...], value: bytes) -> None:
        """Keep ``value`` under ``key``, dropping the least recently used entries past the bound."""
        if len(value) > self.max_bytes:
            return
        with self._lock:
            old = self._items.pop(key, None)
            self._size -= len(old) if old is not None else 0
            self._items[key] = value
            self._size += len(value)
            while self._size > self.max_bytes:
                _, dropped = self._items.popitem(last=False)
                self._size -= len(dropped)


@dataclass(frozen=True)
class CropLimits:
    timeout: float = 20.0
    memory: int = 1536 << 20
    max_image_pixels: int = 100_000_000
    max_crop_pixels: int = 4_000_000


class Crops:
    """Renders crops of stored uploads within :class:`CropLimits`, through a :class:`Gate` and a :class:`ByteCache`."""

    def __init__(self, limits: CropLimits, *, running: int, waiting: int, cache_bytes: int) -> None:
        self.limits = limits
        self.gate = Gate(running, waiting)
        self.cache = ByteCache(cache_bytes)

    def render(self, blobs: BlobStore, upload: Upload, page: int, box: Box) -> bytes:
        """A PNG of ``box`` on ``page`` (PDF points or image pixels, top-left origin) of a stored PDF or image."""
        if upload.detected_type not in ("pdf", "png", "jpeg", "tiff"):
            raise Invalid(f"{upload.original_name}：{upload.detected_type} 文件没有页面图像可裁剪", [{"field": "page"}])
        scale = CROP_PDF_SCALE if upload.detected_type == "pdf" else 1.0
        pixels = (box[2] - box[0]) * (box[3] - box[1]) * scale * scale
        if pixels > self.limits.max_crop_pixels:
            raise Invalid(
                f"裁剪区域过大：约 {pixels / 1e6:.1f} 百万像素，上限 {self.limits.max_crop_pixels / 1e6:.1f} 百万像素",
                [{"field": "x1"}],
            )
        key = (upload.sha256, page, *(round(v, 2) for v in box))
        cached = self.cache.get(key)
        if cached is not None:
            return cached
        args = [str(page), *(str(v) for v in box), str(self.limits.max_image_pixels)]
        return self._render(blobs, upload, key, args, what="截图", failed=f"无法裁剪第 {page} 页")

    def page(self, blobs: BlobStore, upload: Upload, page: int) -> bytes:
        """A PNG of a whole page of a stored PDF or image for the original viewer, at most ``max_crop_pixels``
        (a PDF page at up to :data:`CROP_PDF_SCALE`, a photo shrunk): the crop child with the page as its box,
        through the same gate and cache."""
        if upload.detected_type not in ("pdf", "png", "jpeg", "tiff"):
            raise Invalid(f"{upload.original_name}：{upload.detected_type} 文件没有页面图像", [{"field": "page"}])
        fit = self.limits.max_crop_pixels
        key = (upload.sha256, page, "page", fit)
        cached = self.cache.get(key)
        if cached is not None:
            return cached
        whole = str(float(1 << 30))  # the child clamps the box to the page
        args = [str(page), "0", "0", whole, whole, str(self.limits.max_image_pixels), str(fit)]
        return self._render(blobs, upload, key, args, what="页面图像", failed=f"无法显示第 {page} 页")

    def _render(
        self, blobs: BlobStore, upload: Upload, key: tuple[object, ...], args: list[str], *, what: str, failed: str
    ) -> bytes:
        """The crop child's PNG for ``args``, through the gate (``what`` names it when the gate is full or late)
        and into the cache under ``key``; a child that fails is :class:`Invalid` with ``failed`` and its reason."""
        with self.gate.enter(
            self.limits.timeout,
            full=lambda: Busy(f"正在生成的{what}过多，请稍后再试"),
            late=lambda: Busy(f"{what}排队超时，请稍后再试"),
        ):
            try:
                png = run_child(
                    "crop",
                    blobs.read(upload.blob_key),
                    upload.original_name,
                    args,
                    timeout=self.limits.timeout,
                    memory=self.limits.memory,
                )
            except ChildFailed as exc:
                raise Invalid(f"{upload.original_name}：{failed}（{exc}）", [{"field": "page"}]) from None
        self.cache.put(key, png)
        return png
