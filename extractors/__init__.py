"""Reading returned forms: one extractor per input kind, one result type.

    from extractors import extract
    result = extract(path)            # -> docgen.extraction.Extraction
    print(result.to_json())

``extract`` decides the input kind by content (not by extension), runs the matching reader
(``extractors.docx``, ``extractors.pdf``, ``extractors.image``) to get a ``ReadDocument`` and
interprets it against the bundled form schemas (``docgen.interpret``).

* ``read(data, name)`` → :class:`~docgen.extraction.ReadDocument`, or raises
  :class:`~docgen.errors.UnreadableDocument` with a Chinese reason. Kinds by magic bytes: ``PK`` with a Word
  main part → docx; ``%PDF`` → PDF, or the scan reader when the text layer is unusable (the reason is added
  to the document's problems); PNG/JPEG/TIFF → image. Anything else is named in the error: an .exe renamed
  .pdf gives ``文件内容不是 PDF（看起来是 Windows 可执行文件）``.
* ``extract(source, name=None)`` → :class:`~docgen.extraction.Extraction`; never raises for a bad file: an
  unreadable one comes back with status ``UNREADABLE`` and the reason in ``problems`` (batch callers rely on
  this). ``source`` is a path or the file's bytes (then ``name`` names it in messages).
"""

from __future__ import annotations

import dataclasses
import importlib
import logging
from pathlib import Path
from types import ModuleType

from docgen.errors import RosterError, UnreadableDocument
from docgen.extraction import Extraction, FormStatus, InputKind, Problem, ReadDocument
from docgen.model import Roster
from docgen.roster import parse_roster_rows
from docgen.values import SURE

__all__ = ["MAX_INPUT_BYTES", "UnreadableDocument", "detect_kind", "extract", "read", "read_roster_form", "table_rows"]

log = logging.getLogger(__name__)

MAX_INPUT_BYTES = 100 * 1024 * 1024

_EXPECTED = {  # what the name promises, for "文件内容不是 …"
    ".pdf": "PDF",
    ".docx": "Word 文档",
    ".doc": "Word 文档",
    ".png": "图片",
    ".jpg": "图片",
    ".jpeg": "图片",
    ".tif": "图片",
    ".tiff": "图片",
}
_KIND_BY_SUFFIX = {".pdf": InputKind.PDF, ".docx": InputKind.DOCX, ".doc": InputKind.DOCX, ".png": InputKind.IMAGE,
                   ".jpg": InputKind.IMAGE, ".jpeg": InputKind.IMAGE, ".tif": InputKind.IMAGE,
                   ".tiff": InputKind.IMAGE}


def detect_kind(data: bytes) -> InputKind | str:
    """The input kind by content, or a Chinese description of what the bytes look like instead."""
    head = data[:1024]
    if head.startswith((b"PK\x03\x04", b"PK\x05\x06")):
        names = _zip_names(data)
        if names is None:
            return "损坏的 ZIP 压缩包"
        if any(n.startswith("xl/") for n in names):
            return "Excel 工作簿"
        if any(n.startswith("ppt/") for n in names):
            return "PowerPoint 演示文稿"
        if any(n.startswith("word/") for n in names) or "[Content_Types].xml" in names:
            return InputKind.DOCX
        return "ZIP 压缩包"
    if b"%PDF-" in head:
        return InputKind.PDF
    if head.startswith(b"\x89PNG\r\n\x1a\n") or head.startswith(b"\xff\xd8\xff"):
        return InputKind.IMAGE
    if head.startswith((b"II*\x00", b"MM\x00*")):
        return InputKind.IMAGE
    return _describe(data)


def _zip_names(data: bytes) -> set[str] | None:
    import io
    import zipfile

    try:
        with zipfile.ZipFile(io.BytesIO(data)) as zf:
            return set(zf.namelist()[:5000])
    except (zipfile.BadZipFile, ValueError, OSError, EOFError):
        return None


_ENCRYPTED = "已加密"
_SIGNATURES: tuple[tuple[bytes, str], ...] = (
    (b"MZ", "Windows 可执行文件"),
    (b"\x7fELF", "Linux 可执行文件"),
    (b"\xcf\xfa\xed\xfe", "macOS 可执行文件"),
    (b"GIF8", "GIF 图片（请转为 PNG 或 JPEG）"),
    (b"BM", "BMP 图片（请转为 PNG 或 JPEG）"),
    (b"{\\rtf", "RTF 文档（请另存为 .docx）"),
    (b"Rar!", "RAR 压缩包"),
    (b"7z\xbc\xaf\x27\x1c", "7z 压缩包"),
    (b"\x1f\x8b", "gzip 压缩文件"),
    (b"%!PS", "PostScript 文件"),
)


def _describe(data: bytes) -> str:
    if not data:
        return "空文件"
    if data.startswith(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"):
        if "EncryptionInfo".encode("utf-16-le") in data[:1 << 20] or b"EncryptionInfo" in data[:1 << 20]:
            return _ENCRYPTED + "的 Office 文档"
        return "旧版 Office 文档（.doc/.xls，请另存为 .docx）"
    if data[:4] == b"RIFF" and data[8:12] == b"WEBP":
        return "WebP 图片（请转为 PNG 或 JPEG）"
    for magic, what in _SIGNATURES:
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


def read(data: bytes, name: str) -> ReadDocument:
    """Read one uploaded file by its content; raises UnreadableDocument with a Chinese reason when it cannot."""
    if len(data) > MAX_INPUT_BYTES:
        raise UnreadableDocument(f"文件过大（{len(data) // (1024 * 1024)} MB，上限 100 MB）", source=name)
    kind = detect_kind(data)
    if kind is InputKind.DOCX:
        from extractors.docx import read_docx

        return read_docx(data, name)
    if kind is InputKind.PDF:
        from extractors.pdf import NeedsOcr, read_pdf

        try:
            return read_pdf(data, name)
        except NeedsOcr as why:
            scanned: ReadDocument = _image_reader().read_scanned_pdf(data, name)
            return dataclasses.replace(scanned, problems=(f"{why.reason}，已按扫描件识别", *scanned.problems))
    if kind is InputKind.IMAGE:
        image: ReadDocument = _image_reader().read_image(data, name)
        return image
    if kind.startswith(_ENCRYPTED):
        raise UnreadableDocument("文件已加密（设置了打开密码，请取消密码后重新提交）", source=name)
    expected = _EXPECTED.get(Path(name).suffix.lower(), "可识别的表格文件（docx、PDF 或图片）")
    raise UnreadableDocument(f"文件内容不是 {expected}（看起来是 {kind}）", source=name)


def _image_reader() -> ModuleType:
    """``extractors.image``, imported on first use (it loads the OCR engine)."""
    return importlib.import_module("extractors.image")


def extract(source: str | Path | bytes, name: str | None = None, *, review_threshold: float = SURE) -> Extraction:
    """Read and interpret one returned form; an unreadable file becomes an UNREADABLE Extraction.

    ``review_threshold``: values less sure than this wait for review (the service passes its setting)."""
    if isinstance(source, bytes):
        data = source
        name = name or "upload"
    else:
        path = Path(source)
        name = name or path.name
        try:
            data = path.read_bytes()
        except OSError as exc:
            return _unreadable(name, b"", f"无法读取文件：{exc.strerror or exc}")
    from docgen.interpret import interpret

    try:
        result: Extraction = interpret(read(data, name), review_threshold=review_threshold)
    except UnreadableDocument as exc:
        return _unreadable(name, data, exc.reason)
    except Exception as exc:  # a reader or interpreter bug on a hostile file must not end a batch; log it
        log.exception("reading %s failed", name)
        return _unreadable(name, data, f"读取失败（内部错误 {type(exc).__name__}），请人工处理")
    return result


def _unreadable(name: str, data: bytes, reason: str) -> Extraction:
    """The UNREADABLE result for ``name``; the input kind from its content when recognisable, else its suffix."""
    kind = detect_kind(data) if data else None
    if not isinstance(kind, InputKind):
        kind = _KIND_BY_SUFFIX.get(Path(name).suffix.lower(), InputKind.PDF)
    return Extraction(
        source=name,
        input_kind=kind,
        form=None,
        identity=None,
        fields={},
        tables=(),
        status=FormStatus.UNREADABLE,
        problems=(Problem(reason),),
        pages=0,
    )


def table_rows(document: ReadDocument) -> list[list[list[str]]]:
    """Every table of ``document`` as rows of cell texts, a merged cell repeated in each row it covers."""
    return [[[c.text if c is not None else "" for c in row] for row in table.grid()] for table in document.tables]


def read_roster_form(data: bytes, name: str) -> Roster:
    """A roster from a returned 安排表 — docx, PDF, scan or photo: its largest table, read by header.

    Raises :class:`~docgen.errors.RosterError` naming the file when there is no table, and the roster's
    own row errors otherwise (``docgen.roster``).
    """
    tables = table_rows(read(data, name))
    if not tables:
        raise RosterError("文件中没有表格，无法作为花名册导入", source=name)
    largest: list[list[str]] = max(tables, key=lambda rows: len(rows))
    return parse_roster_rows(largest, source=name)
