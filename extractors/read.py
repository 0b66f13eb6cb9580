"""The reader dispatch: one file's bytes → :class:`~docgen.extraction.ReadDocument`, by content.

    doc = read(data, "统计表.pdf")                    # the bundled OCR engine for scans, loaded on first use
    doc = read(data, "照片.jpg", ocr=FakeEngine(...))  # any :class:`~extractors.ocr.OcrEngine`

The kind comes from :func:`extractors.detect.detect` (magic bytes, never the name): docx →
:func:`extractors.docx.read_docx`; PDF → :func:`extractors.pdf.read_pdf`, or the scan reader when the text
layer is unusable (the reason is added to the document's problems); PNG/JPEG/TIFF →
:func:`extractors.image.read_image`. Anything else raises :class:`~docgen.errors.UnreadableDocument` naming
what the file looks like: an .exe renamed .pdf gives ``文件内容不是 PDF（看起来是 Windows 可执行文件）``.
Every ``UnreadableDocument`` raised here carries the ``input_kind`` the content was recognised as (None when
it was not), so the UNREADABLE result is labelled by content.

This is the ``reader`` that :func:`docgen.extract.extract` takes.
"""

from __future__ import annotations

import dataclasses
import importlib
from types import ModuleType
from typing import TYPE_CHECKING

from docgen.errors import UnreadableDocument
from docgen.extract import expected_kind
from docgen.extraction import InputKind, ReadDocument
from extractors.detect import detect

if TYPE_CHECKING:  # extractors.ocr imports OpenCV; a docx or born-digital PDF never needs it
    from extractors.ocr import OcrEngine

__all__ = ["MAX_INPUT_BYTES", "read"]

MAX_INPUT_BYTES = 100 * 1024 * 1024
"""A file larger than this is not read (the service refuses smaller ones earlier, by its own setting)."""


def read(data: bytes, name: str, *, ocr: OcrEngine | None = None) -> ReadDocument:
    """Read one file by its content; raises UnreadableDocument with a Chinese reason when it cannot.

    ``ocr``: the engine for scans and photos (None: the bundled RapidOCR engine, loaded on first use).
    """
    found = detect(data)
    try:
        return _read(data, name, found.input_kind, found.what, found.encrypted, ocr)
    except UnreadableDocument as exc:
        if exc.input_kind is None and found.input_kind is not None:
            exc.input_kind = found.input_kind
        raise


def _read(
    data: bytes, name: str, kind: InputKind | None, what: str, encrypted: bool, ocr: OcrEngine | None
) -> ReadDocument:
    if len(data) > MAX_INPUT_BYTES:
        raise UnreadableDocument(f"文件过大（{len(data) // (1024 * 1024)} MB，上限 100 MB）", source=name)
    if kind is InputKind.DOCX:
        from extractors.docx import read_docx

        return read_docx(data, name)
    if kind is InputKind.PDF:
        from extractors.pdf import NeedsOcr, read_pdf

        try:
            return read_pdf(data, name)
        except NeedsOcr as why:
            scanned: ReadDocument = _image_reader().read_scanned_pdf(data, name, ocr)
            return dataclasses.replace(scanned, problems=(f"{why.reason}，已按扫描件识别", *scanned.problems))
    if kind is InputKind.IMAGE:
        image: ReadDocument = _image_reader().read_image(data, name, ocr)
        return image
    if encrypted:
        raise UnreadableDocument("文件已加密（设置了打开密码，请取消密码后重新提交）", source=name)
    promised = expected_kind(name)
    expected = promised[1] if promised else "可识别的表格文件（docx、PDF 或图片）"
    raise UnreadableDocument(f"文件内容不是 {expected}（看起来是 {what}）", source=name)


def _image_reader() -> ModuleType:
    """``extractors.image``, imported on first use (it loads numpy, OpenCV and the OCR engine)."""
    return importlib.import_module("extractors.image")

