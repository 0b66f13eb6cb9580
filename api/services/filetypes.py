"""Which files the service accepts where (policy over :mod:`extractors.detect`), and safe labels for names.

What a file *is* is decided by its bytes in :func:`extractors.detect.detect`; this module only says which of
those kinds the upload endpoint takes and how a refusal is worded.
"""

from __future__ import annotations

import re
import unicodedata
from pathlib import PurePosixPath, PureWindowsPath

from docgen.extraction import InputKind
from docgen.naming import safe_component
from extractors.detect import EMPTY, KINDS, FileKind, detect

FORM_TYPES: tuple[str, ...] = tuple(kind.value for kind, (_, reader) in KINDS.items() if reader is not None)
"""The stored types a returned form may have (the detector's kinds that a reader reads)."""

IMAGE_TYPES: frozenset[str] = frozenset(k.value for k, (_, reader) in KINDS.items() if reader is InputKind.IMAGE)
"""The stored types that are pictures (their pixel count is checked before they are stored)."""

UPLOAD_TYPES: frozenset[str] = frozenset({*FORM_TYPES, FileKind.ZIP.value})
"""What the upload endpoint accepts: a returned form, or a ZIP of them (expanded member by member)."""

ACCEPTED_NAMES = "docx、pdf、jpg、png、tif 或 zip"


def upload_type(data: bytes, *, in_zip: bool = False) -> tuple[str | None, str]:
    """``(type, description)`` of an uploaded file: its stored type (:data:`UPLOAD_TYPES`) and Chinese name,
    or ``None`` and the reason it is refused. The kind comes from :func:`extractors.detect.detect`; this is
    only the service's policy: an Excel workbook belongs to the roster import, a ZIP inside a ZIP is not
    expanded, anything else that no reader reads is named for what it is.
    """
    found = detect(data)
    if found.kind is FileKind.XLSX:
        return None, "这是 Excel 工作簿，不是回传的表单；花名册请在“导入花名册”处上传"
    if found.kind is FileKind.ZIP and in_zip:
        return None, "压缩包中嵌套的压缩包不处理，请解压后上传"
    if found.kind.value in UPLOAD_TYPES:
        return found.kind.value, found.what
    if found.what == EMPTY:
        return None, "文件为空"
    if found.encrypted:
        return None, "文件已加密（设置了打开密码），请取消密码后另存为 .docx 再上传"
    return None, f"文件内容是{found.what}，不是可读取的表单：请上传 {ACCEPTED_NAMES}"


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
