"""What a file is, decided by its bytes (never by its name): THE file-kind detector.

    found = detect(data)
    found.kind          # FileKind.DOCX, .PDF, .PNG, .JPEG, .TIFF, .XLSX, .PPTX, .ZIP, or .OTHER
    found.what          # Chinese: what the bytes look like ("Word 文档", "Windows 可执行文件", "空文件")
    found.input_kind    # the reader that reads it (InputKind.DOCX/PDF/IMAGE), or None: no returned form

One table, :data:`KINDS`, says for each kind its Chinese name and which reader takes it; the signatures of
the files that are no form (executables, archives, legacy Office, …) are in :data:`SIGNATURES`. Which kinds
are *accepted* where (upload, roster import) is the caller's policy (``api.services.filetypes``), not here.
"""

from __future__ import annotations

import io
import zipfile
from dataclasses import dataclass
from enum import StrEnum

from docgen.extraction import InputKind

__all__ = ["KINDS", "SIGNATURES", "Detected", "FileKind", "detect"]


class FileKind(StrEnum):
    """A file kind by content; the value is the type name the service stores (``Upload.detected_type``)."""

    DOCX = "docx"
    PDF = "pdf"
    PNG = "png"
    JPEG = "jpeg"
    TIFF = "tiff"
    XLSX = "xlsx"
    PPTX = "pptx"
    ZIP = "zip"
    OTHER = "other"  # anything else: :attr:`Detected.what` says what it looks like


KINDS: dict[FileKind, tuple[str, InputKind | None]] = {
    FileKind.DOCX: ("Word 文档", InputKind.DOCX),
    FileKind.PDF: ("PDF", InputKind.PDF),
    FileKind.PNG: ("PNG 图片", InputKind.IMAGE),
    FileKind.JPEG: ("JPEG 图片", InputKind.IMAGE),
    FileKind.TIFF: ("TIFF 图片", InputKind.IMAGE),
    FileKind.XLSX: ("Excel 工作簿", None),
    FileKind.PPTX: ("PowerPoint 演示文稿", None),
    FileKind.ZIP: ("ZIP 压缩包", None),
}
"""Each recognised kind: its Chinese name and the reader (:class:`InputKind`) that reads it as a form."""

_MAGIC: tuple[tuple[bytes, FileKind], ...] = (
    (b"\x89PNG\r\n\x1a\n", FileKind.PNG),
    (b"\xff\xd8\xff", FileKind.JPEG),
    (b"II*\x00", FileKind.TIFF),
    (b"MM\x00*", FileKind.TIFF),
)

SIGNATURES: tuple[tuple[bytes, str], ...] = (
    (b"MZ", "Windows 可执行文件"),
    (b"\x7fELF", "Linux 可执行文件"),
    (b"\xcf\xfa\xed\xfe", "macOS 可执行文件"),
    (b"\xca\xfe\xba\xbe", "macOS/Java 可执行文件"),
    (b"#!", "脚本文件"),
    (b"GIF8", "GIF 图片（请转为 PNG 或 JPEG）"),
    (b"BM", "BMP 图片（请转为 PNG 或 JPEG）"),
    (b"{\\rtf", "RTF 文档（请另存为 .docx）"),
    (b"Rar!", "RAR 压缩包"),
    (b"7z\xbc\xaf\x27\x1c", "7z 压缩包"),
    (b"\x1f\x8b", "gzip 压缩文件"),
    (b"%!PS", "PostScript 文件"),
)
"""Files that are no form, by their first bytes, with what they are called in messages."""

EMPTY = "空文件"
BROKEN_ZIP = "损坏的 ZIP 压缩包"
ENCRYPTED_OFFICE = "已加密的 Office 文档"
LEGACY_OFFICE = "旧版 Office 文档（.doc/.xls，请另存为 .docx）"
_OLE = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"  # Compound File: .doc/.xls, and every password-protected .docx/.xlsx
_ZIP = (b"PK\x03\x04", b"PK\x05\x06")
_MAX_ZIP_NAMES = 5000


@dataclass(frozen=True)
class Detected:
    """What :func:`detect` found: the kind, what it looks like in Chinese, and whether it is encrypted."""

    kind: FileKind
    what: str
    encrypted: bool = False

    @property
    def input_kind(self) -> InputKind | None:
        """The reader for this file as a returned form; None when it is no form (xlsx, zip, exe, …)."""
        return KINDS[self.kind][1] if self.kind in KINDS else None


def _known(kind: FileKind) -> Detected:
    return Detected(kind, KINDS[kind][0])


def detect(data: bytes) -> Detected:
    """The kind of ``data`` by content. A PDF may have junk before ``%PDF-`` (within the first KB, as
    readers allow); an Office zip is told apart by its parts (``word/``, ``xl/``, ``ppt/``)."""
    head = data[:1024]
    if head.startswith(_ZIP):
        return _zip_kind(data)
    if b"%PDF-" in head:
        return _known(FileKind.PDF)
    for magic, kind in _MAGIC:
        if head.startswith(magic):
            return _known(kind)
    return Detected(FileKind.OTHER, _describe(data), encrypted=_is_encrypted_office(data))


def _zip_kind(data: bytes) -> Detected:
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as zf:
            names = set(zf.namelist()[:_MAX_ZIP_NAMES])
    except (zipfile.BadZipFile, ValueError, OSError, EOFError):
        return Detected(FileKind.OTHER, BROKEN_ZIP)
    if any(n.startswith("xl/") for n in names):
        return _known(FileKind.XLSX)
    if any(n.startswith("ppt/") for n in names):
        return _known(FileKind.PPTX)
    # "[Content_Types].xml" without word/: a damaged docx, which the docx reader names precisely
    if any(n.startswith("word/") for n in names) or "[Content_Types].xml" in names:
        return _known(FileKind.DOCX)
    return _known(FileKind.ZIP)


def _is_encrypted_office(data: bytes) -> bool:
    window = data[: 1 << 20]
    return data.startswith(_OLE) and (
        "EncryptionInfo".encode("utf-16-le") in window or b"EncryptionInfo" in window
    )


def _describe(data: bytes) -> str:
    """What bytes that are no form look like, in Chinese."""
    if not data:
        return EMPTY
    if data.startswith(_OLE):
        return ENCRYPTED_OFFICE if _is_encrypted_office(data) else LEGACY_OFFICE
    if data[:4] == b"RIFF" and data[8:12] == b"WEBP":
        return "WebP 图片（请转为 PNG 或 JPEG）"
    for magic, what in SIGNATURES:
        if data.startswith(magic):
            return what
    head = data[:512].lstrip().lower()
    if head.startswith((b"<!doctype html", b"<html")):
        return "HTML 网页"
    if head.startswith(b"<?xml"):
        return "XML 文件"
    try:
        data[:4096].decode("utf-8")
    except UnicodeDecodeError:
        return "未知格式的二进制文件"
    return "纯文本文件"
