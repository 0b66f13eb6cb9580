"""Roster bytes → rows or text: xlsx (openpyxl, read-only), csv/tsv and plain text in UTF-8 or GBK.

The edge of the roster package: it takes the bytes and name of an upload and hands rows to
:mod:`docgen.roster.tabular` or text to :mod:`docgen.roster.notice`. Whatever a broken file makes the
libraries raise becomes a :class:`RosterError` naming the file.
"""

from __future__ import annotations

import codecs
import csv
import io
import zipfile
from pathlib import PurePath

from docgen.errors import RosterError
from docgen.model import Roster
from docgen.roster.notice import parse_notice_text
from docgen.roster.tabular import find_layout, parse_roster_rows

MAX_UNZIPPED_BYTES = 50 * 1024 * 1024
"""An xlsx whose parts unzip to more than this is refused (a zip bomb, or not a roster)."""
MAX_SHARED_STRINGS = 100_000
"""Distinct texts in the workbook's shared-string table (openpyxl reads it whole, ≈ 80,000 a second)."""
MAX_ROWS = 50_000
"""Rows read from one workbook before it is refused (gaps count: ``<row r="1000000">`` is a million rows)."""
MAX_CELLS = 1_000_000
"""Cells read from one workbook (every row's width, blanks included) before it is refused: a roster of a few
thousand pairs has tens of thousands; a sheet of a million rows, or one cell at column XFD per row, is not one."""

_ZIP_MAGIC = b"PK\x03\x04"
_OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"  # .xls (Excel 97–2003) and password-protected .xlsx


def decode_text(data: bytes, *, source: str) -> str:
    """Text in UTF-8 (with or without BOM), UTF-16 with BOM (Excel's “Unicode text”), or GBK/GB18030."""
    if data.startswith(codecs.BOM_UTF8):
        data = data[len(codecs.BOM_UTF8) :]
    elif data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        try:
            return data.decode("utf-16")
        except UnicodeDecodeError as exc:
            raise RosterError(f"UTF-16 文本无法解码：{exc.reason}", source=source) from None
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        pass
    try:
        return data.decode("gb18030")
    except UnicodeDecodeError:
        raise RosterError("无法识别文件编码：请存为 UTF-8 或 GBK 编码的文本", source=source) from None


def csv_rows(text: str) -> list[list[str]]:
    """Rows of a csv text; tab-separated when the first lines have more tabs than commas."""
    head = "\n".join(text.splitlines()[:20])
    delimiter = "\t" if head.count("\t") > head.count(",") else ","
    return [list(r) for r in csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)]


def _count_shared_strings(archive: zipfile.ZipFile) -> int:
    """About how many ``<si>`` entries the shared-string parts hold, counted on the streamed bytes.

    Each entry has an opening and a closing tag ending in ``si>`` (``<si>``/``</si>``, or ``x:si>`` with a
    prefix); text containing ``si>`` would only make the count higher, never hide a bomb.
    """
    tags = 0
    for info in archive.infolist():
        if "sharedstrings" not in info.filename.lower():
            continue
        tail = b""
        with archive.open(info) as part:
            while block := part.read(1 << 20):
                chunk = tail + block
                tags += chunk.count(b"si>") - tail.count(b"si>")
                tail = chunk[-2:]
    return tags // 2


def xlsx_sheets(data: bytes, *, source: str) -> list[list[list[object]]]:
    """The rows of every worksheet, each starting at spreadsheet row 1 (gaps filled with empty rows)."""
    from openpyxl import load_workbook

    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            if sum(info.file_size for info in archive.infolist()) > MAX_UNZIPPED_BYTES:
                raise RosterError("xlsx 文件解压后过大，拒绝读取", source=source)
            if _count_shared_strings(archive) > MAX_SHARED_STRINGS:
                raise RosterError(
                    f"xlsx 文件中的文字条目超过 {MAX_SHARED_STRINGS:,} 个，不像花名册，拒绝读取", source=source
                )
        workbook = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except RosterError:
        raise
    except Exception as exc:  # a corrupt upload can make zipfile/openpyxl/lxml raise almost anything
        raise RosterError(f"不是有效的 xlsx 文件（{type(exc).__name__}: {exc}）", source=source) from exc
    sheets: list[list[list[object]]] = []
    cells = 0
    try:
        for sheet in workbook.worksheets:
            if not hasattr(sheet, "reset_dimensions"):
                continue  # a chartsheet
            sheet.reset_dimensions()  # trust the cells, not the <dimension> some writers get wrong
            rows: list[list[object]] = []
            for row in sheet.iter_rows(min_row=1, values_only=True):
                cells += len(row)
                if cells > MAX_CELLS or len(rows) >= MAX_ROWS:
                    raise RosterError(
                        f"工作表“{sheet.title[:40]}”过大（超过 {MAX_ROWS:,} 行或 {MAX_CELLS:,} 个单元格），"
                        "不像花名册，拒绝读取",
                        source=source,
                    )
                rows.append(list(row))
            sheets.append(rows)
    except RosterError:
        raise
    except Exception as exc:  # the sheet XML is parsed lazily, so corruption may only show here
        raise RosterError(f"xlsx 文件已损坏（{type(exc).__name__}: {exc}）", source=source) from exc
    finally:
        workbook.close()
    return sheets


def _has_layout(rows: list[list[object]], source: str) -> bool:
    try:
        find_layout(rows, source=source)
    except RosterError:
        return False
    return True


def read_roster(data: bytes, filename: str) -> Roster:
    """A roster from an uploaded file's bytes; ``filename`` picks the format and names errors.

    * xlsx (content starting with the zip signature ``PK``, whatever the name): the first worksheet with a
      recognised header row;
    * ``.csv`` / ``.tsv``: a table (UTF-8, UTF-8 with BOM, GBK; comma or tab);
    * ``.txt`` and anything else: a tab-separated table when its header is recognised, otherwise notice
      prose (:func:`~docgen.roster.notice.parse_notice_text`).

    Raises :class:`RosterError` for an empty, unreadable or header-less file and
    :class:`~docgen.errors.RosterErrors` listing every bad row.
    """
    source = PurePath(filename).name or filename
    suffix = PurePath(filename).suffix.lower()
    if not data.strip():
        raise RosterError("文件为空", source=source)
    if data.startswith(_OLE_MAGIC):
        raise RosterError(
            "这是旧版 .xls 或加密的 Excel 文件：请在 Excel 中另存为 .xlsx（不设密码）", source=source
        )
    if data.startswith(_ZIP_MAGIC):
        sheets = xlsx_sheets(data, source=source)
        nonblank = [rows for rows in sheets if any(v not in (None, "") for row in rows for v in row)]
        if not nonblank:
            raise RosterError("文件为空：工作表中没有任何内容", source=source)
        chosen = next((rows for rows in nonblank if _has_layout(rows, source)), nonblank[0])
        return parse_roster_rows(chosen, source=source)
    if suffix in (".xlsx", ".xlsm"):
        raise RosterError("不是有效的 xlsx 文件（文件内容不是 Excel 工作簿）", source=source)
    text = decode_text(data, source=source)
    if not text.strip():
        raise RosterError("文件为空", source=source)
    if suffix in (".csv", ".tsv"):
        return parse_roster_rows(csv_rows(text), source=source)
    if "\t" in text:
        rows: list[list[object]] = [list(r) for r in csv_rows(text)]
        if _has_layout(rows, source):
            return parse_roster_rows(rows, source=source)
    return parse_notice_text(text, source=source)
