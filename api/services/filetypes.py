"""What a file is, decided by its bytes (never by its name), and safe labels for uploaded names."""

from __future__ import annotations

import io
import re
import unicodedata
import zipfile
from pathlib import PurePosixPath, PureWindowsPath

from docgen.naming import safe_component

FORM_TYPES = ("docx", "pdf", "png", "jpeg", "tiff")

_EXECUTABLE = {
    b"MZ": "Windows 可执行文件（.exe/.dll）",
    b"\x7fELF": "Linux 可执行文件（ELF）",
    b"\xca\xfe\xba\xbe": "macOS/Java 可执行文件",
    b"\xcf\xfa\xed\xfe": "macOS 可执行文件（Mach-O）",
    b"#!": "脚本文件",
}


def detect(data: bytes) -> tuple[str | None, str]:
    """``(type, description)``; type is one of docx pdf png jpeg tiff zip xlsx, or None with the reason."""
    head = data[:8]
    if data.startswith(b"%PDF-"):
        return "pdf", "PDF"
    if data.startswith(b"\x89PNG\r\n\x1a\n"):
        return "png", "PNG 图片"
    if data.startswith(b"\xff\xd8\xff"):
        return "jpeg", "JPEG 图片"
    if head[:4] in (b"II*\x00", b"MM\x00*"):
        return "tiff", "TIFF 图片"
    if data.startswith(b"PK\x03\x04") or data.startswith(b"PK\x05\x06"):
        try:
            with zipfile.ZipFile(io.BytesIO(data)) as z:
                names = set(z.namelist())
        except (zipfile.BadZipFile, ValueError, OSError):
            return None, "压缩包已损坏，无法打开"
        if "word/document.xml" in names:
            return "docx", "Word 文档"
        if "xl/workbook.xml" in names:
            return "xlsx", "Excel 工作簿"
        return "zip", "ZIP 压缩包"
    if data.startswith(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"):
        return None, "旧版 Office 文件（.doc/.xls）或加密的 Office 文件：请另存为 .docx 后上传"
    for magic, what in _EXECUTABLE.items():
        if data.startswith(magic):
            return None, f"文件内容是{what}，不是表格文件"
    if not data:
        return None, "文件为空"
    return None, "无法识别的文件类型：请上传 docx、pdf、jpg、png、tif 或 zip"


_CONTROL = re.compile(r"[\x00-\x1f\x7f\ud800-\udfff]")  # control characters and lone surrogates


def safe_name(name: str | None, fallback: str = "未命名文件") -> str:
    """A label for an uploaded file name: no folders, no control characters, at most 120 characters.

    It is only ever shown and stored; files are stored under their content hash.
    """
    text = unicodedata.normalize("NFC", name or "")
    text = PureWindowsPath(PurePosixPath(text.replace("\\", "/")).name).name
    text = _CONTROL.sub("", text).strip()
    if text in ("", ".", ".."):
        return fallback
    return safe_component(text, limit=120)
