"""Roster bytes → rows or text: xlsx (openpyxl, read-only), csv/tsv and plain text in UTF-8 or GBK.

The edge of the roster package: it takes the bytes and name of an upload and hands rows to
:mod:`docgen.roster.importer` as tables (:class:`~docgen.roster.grid.Grid`) or lines. Whatever a broken file makes the
libraries raise becomes a :class:`RosterError` naming the file.
"""

from __future__ import annotations

import codecs
import csv
import io
import re
import zipfile
from pathlib import PurePath

from docgen.errors import RosterError
from docgen.model import Roster
from docgen.roster.grid import Grid, Merge, cell_text

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
    zeros_even, zeros_odd = data[0:4000:2].count(0), data[1:4000:2].count(0)
    if zeros_even + zeros_odd and len(data) % 2 == 0:  # no text has NUL bytes: UTF-16 saved without a BOM
        try:
            return data.decode("utf-16-le" if zeros_odd > zeros_even else "utf-16-be")
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


def source_name(filename: str) -> str:
    """The file's own name, as problems and pair sources show it: the last part of a path, ``/`` or ``\\``
    (a browser on Windows may send ``C:\\…\\名单.xlsx``)."""
    return filename.replace("\\", "/").rsplit("/", 1)[-1] or filename


def read_roster(data: bytes, filename: str) -> Roster:
    """The roster of a spreadsheet, csv or notice text when every row is right (the strict import).

    Raises :class:`RosterError` for an empty, unreadable or header-less file and
    :class:`~docgen.errors.RosterErrors` listing every problem otherwise. The import that keeps the valid
    rows is :func:`docgen.roster.importer.import_grids` (``extractors.roster.import_roster`` for any file).
    """
    from docgen.roster.importer import import_grids, strict_roster

    source = source_name(filename)
    grids, prose = file_tables(data, filename)
    return strict_roster(import_grids(grids, source=source, prose=prose), grids)


# ------------------------------------------------------------------ every format → tables (the new importer)

_ODS_MIMETYPE = b"application/vnd.oasis.opendocument.spreadsheet"
MAX_MERGES = 20_000
"""Merged ranges read from one sheet; more is not a roster (and each one costs the importer)."""
_MERGE_REF = re.compile(rb"<(?:\w+:)?mergeCell\b[^>]*?\bref=\"([A-Z]{1,3})(\d{1,7}):([A-Z]{1,3})(\d{1,7})\"")


def _col_index(letters: bytes) -> int:
    n = 0
    for ch in letters:
        n = n * 26 + (ch - 64)
    return n - 1


def _xlsx_merges(archive: zipfile.ZipFile, part: str, *, source: str) -> list[Merge]:
    """The ``<mergeCell ref="A1:F1">`` ranges of one worksheet part, streamed (read-only openpyxl has none)."""
    merges: list[Merge] = []
    try:
        info = archive.getinfo(part.lstrip("/"))
    except KeyError:
        return merges
    tail = b""
    with archive.open(info) as stream:
        while block := stream.read(1 << 20):
            chunk = tail + block
            cut = chunk.rfind(b"<")
            for m in _MERGE_REF.finditer(chunk, 0, cut if cut > 0 else len(chunk)):
                merges.append(Merge(int(m.group(2)) - 1, _col_index(m.group(1)), int(m.group(4)) - 1,
                                    _col_index(m.group(3))))  # fmt: skip
                if len(merges) > MAX_MERGES:
                    raise RosterError(f"工作表中合并单元格超过 {MAX_MERGES:,} 处，不像花名册，拒绝读取", source=source)
            tail = chunk[cut:] if cut > 0 else b""
    return merges


def xlsx_grids(data: bytes, *, source: str) -> list[Grid]:
    """Every worksheet of an xlsx as a :class:`Grid` (values read-only, merged ranges from the sheet XML)."""
    from openpyxl import load_workbook

    sheets = xlsx_sheets(data, source=source)
    workbook = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    try:
        parts = [(ws.title, getattr(ws, "_worksheet_path", "")) for ws in workbook.worksheets
                 if hasattr(ws, "reset_dimensions")]  # fmt: skip
    finally:
        workbook.close()
    grids = []
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        for (title, part), rows in zip(parts, sheets, strict=False):
            merges = _xlsx_merges(archive, part, source=source) if part else []
            grids.append(Grid(title, [[cell_text(v) for v in row] for row in rows], merges=merges, sheet=title,
                              context=[title]))  # fmt: skip
    return _name_sheets(grids)


def _name_sheets(grids: list[Grid]) -> list[Grid]:
    """Problems name the sheet only when the workbook has several with content."""
    filled = [g for g in grids if any(v.strip() for row in g.rows for v in row)]
    for g in grids:
        g.sheet = g.table if len(filled) > 1 else ""
    return grids


def _ods_merges(data: bytes, *, source: str) -> dict[str, list[Merge]]:
    """Merged ranges of every table of an .ods (``table:number-rows-spanned`` / ``-columns-spanned`` in
    content.xml; python-calamine gives none for ods). Repeats are counted, never expanded."""
    from lxml import etree

    t = "urn:oasis:names:tc:opendocument:xmlns:table:1.0"
    out: dict[str, list[Merge]] = {}
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
    except (zipfile.BadZipFile, ValueError, OSError) as exc:
        raise RosterError(f"不是有效的 ods 文件（{type(exc).__name__}: {exc}）", source=source) from None
    with archive:
        if sum(info.file_size for info in archive.infolist()) > MAX_UNZIPPED_BYTES:
            raise RosterError("ods 文件解压后过大，拒绝读取", source=source)
        try:
            stream = archive.open("content.xml")
        except KeyError:
            raise RosterError("不是有效的 ods 文件（缺少 content.xml）", source=source) from None
        with stream:
            name, row, col = "", -1, 0
            parser = etree.iterparse(stream, events=("start", "end"), resolve_entities=False, no_network=True,
                                     huge_tree=False, load_dtd=False)  # fmt: skip
            try:
                for event, el in parser:
                    tag = el.tag
                    if event == "start" and tag == f"{{{t}}}table":
                        name, row = el.get(f"{{{t}}}name", ""), -1
                        out.setdefault(name, [])
                    elif event == "start" and tag == f"{{{t}}}table-row":
                        row, col = row + 1, 0
                    elif event == "end" and tag == f"{{{t}}}table-row":
                        row += int(el.get(f"{{{t}}}number-rows-repeated", "1") or 1) - 1
                        el.clear()
                    elif event == "end" and tag in (f"{{{t}}}table-cell", f"{{{t}}}covered-table-cell"):
                        rows = int(el.get(f"{{{t}}}number-rows-spanned", "1") or 1)
                        cols = int(el.get(f"{{{t}}}number-columns-spanned", "1") or 1)
                        if rows > 1 or cols > 1:
                            out[name].append(Merge(row, col, row + rows - 1, col + cols - 1))
                            if len(out[name]) > MAX_MERGES:
                                raise RosterError("工作表中合并单元格过多，不像花名册，拒绝读取", source=source)
                        col += int(el.get(f"{{{t}}}number-columns-repeated", "1") or 1)
                        el.clear()
            except etree.XMLSyntaxError as exc:
                raise RosterError(f"ods 文件已损坏（{exc}）", source=source) from None
    return out


def calamine_grids(data: bytes, *, source: str, ods: bool) -> list[Grid]:
    """Every sheet of a legacy .xls or an .ods, read by python-calamine (merged ranges: its own for xls,
    content.xml for ods)."""
    from python_calamine import CalamineWorkbook

    kind = "ods" if ods else "xls"
    merges_by_name = _ods_merges(data, source=source) if ods else {}
    try:
        workbook = CalamineWorkbook.from_filelike(io.BytesIO(data))
        names = list(workbook.sheet_names)
    except Exception as exc:  # calamine raises its own errors for a damaged or encrypted workbook
        reason = (f"无法读取这个 .{kind} 文件（可能已损坏或加密：{type(exc).__name__}）" if ods else
                  f"无法读取这个旧版 .xls 文件（可能已损坏或加密：{type(exc).__name__}）：请在 Excel 中另存为 .xlsx")
        raise RosterError(reason, source=source) from None
    grids = []
    for name in names:
        try:
            sheet = workbook.get_sheet_by_name(name)
            height, width = sheet.total_height, sheet.total_width
            if height > MAX_ROWS or height * width > MAX_CELLS:
                raise RosterError(f"工作表“{name[:40]}”过大（超过 {MAX_ROWS:,} 行或 {MAX_CELLS:,} 个单元格），"
                                  "不像花名册，拒绝读取", source=source)  # fmt: skip
            values = sheet.to_python(skip_empty_area=False)
            merges = merges_by_name.get(name, []) if ods else [
                Merge(a[0], a[1], b[0], b[1]) for a, b in (getattr(sheet, "merged_cell_ranges", None) or [])
            ]
        except RosterError:
            raise
        except Exception as exc:
            raise RosterError(f".{kind} 文件已损坏（{type(exc).__name__}）", source=source) from None
        rows = [[cell_text(v) for v in row] for row in values]
        grids.append(Grid(name, rows, merges=merges, sheet=name, context=[name]))
    return _name_sheets(grids)


def sniff_delimiter(text: str) -> str:
    """``,``, ``;`` or tab: the one that splits the first records into the most multi-field rows."""
    head = "\n".join(text.splitlines()[:30])
    best, score = ",", -1
    for delimiter in (",", ";", "\t"):
        rows = list(csv.reader(io.StringIO(head, newline=""), delimiter=delimiter))
        widths = [len(r) for r in rows if len(r) > 1 and any(x.strip() for x in r)]
        value = max((widths.count(w) for w in set(widths)), default=0) * 100 + len(widths)
        if value > score:
            best, score = delimiter, value
    return best


def csv_grid(text: str, *, table: str, delimiter: str | None = None) -> Grid:
    """A csv/tsv text as a grid; each record numbered by the line it starts on (quoted cells may span lines)."""
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter or sniff_delimiter(text))
    rows: list[list[str]] = []
    numbers: list[int] = []
    start = 1
    for record in reader:
        if len(rows) >= MAX_ROWS:
            raise RosterError(f"表格超过 {MAX_ROWS:,} 行，不像花名册，拒绝读取", source=table)
        rows.append(list(record))
        numbers.append(start)
        start = reader.line_num + 1
    return Grid(table, rows, numbers)


def _is_tsv(lines: list[str]) -> bool:
    return sum(1 for line in lines if re.match(r"^[^\t\s][^\t]*\t", line)) >= 2


def cell_per_line_grids(lines: list[str]) -> list[Grid]:
    """The tables a notice's text keeps one cell per line (seed 001: each cell a line starting with a tab,
    rows separated by blank lines), with the text above each table as its context."""
    grids: list[Grid] = []
    context: list[str] = []
    i = 0
    while i < len(lines):
        if not lines[i].startswith("\t"):
            if lines[i].strip():
                context.append(lines[i].strip())
            i += 1
            continue
        rows: list[list[str]] = []
        numbers: list[int] = []
        row: list[str] = []
        while i < len(lines) and (lines[i].startswith("\t") or not lines[i].strip()):
            if lines[i].startswith("\t"):
                if not row:
                    numbers.append(i + 1)
                row.append(lines[i].strip())
            elif row:
                rows.append(row)
                row = []
            i += 1
        if row:
            rows.append(row)
        grids.append(Grid(f"表{len(grids) + 1}", rows, numbers, context=context[-5:]))
        context = []
    return grids


def file_tables(data: bytes, filename: str) -> tuple[list[Grid], list[tuple[int, str]]]:
    """The tables of a spreadsheet, csv or text file, and (for text) its lines for the prose reader.

    Raises :class:`RosterError` for an empty or unreadable file (the message names the file).
    """
    source = source_name(filename)
    suffix = PurePath(source).suffix.lower()
    if not data.strip():
        raise RosterError("文件为空", source=source)
    if data.startswith(_OLE_MAGIC):
        if suffix in (".xlsx", ".xlsm"):
            raise RosterError("这是加密的 Excel 文件：请在 Excel 中取消密码后另存为 .xlsx", source=source)
        return calamine_grids(data, source=source, ods=False), []
    if data.startswith(_ZIP_MAGIC):
        if data[30:38] == b"mimetype" and data[38:38 + len(_ODS_MIMETYPE)] == _ODS_MIMETYPE:
            return calamine_grids(data, source=source, ods=True), []
        grids = xlsx_grids(data, source=source)
        if not any(v.strip() for g in grids for row in g.rows for v in row):
            raise RosterError("文件为空：工作表中没有任何内容", source=source)
        return grids, []
    if suffix in (".xlsx", ".xlsm", ".xls", ".ods"):
        raise RosterError(f"不是有效的 {suffix[1:]} 文件（文件内容不是 Excel 工作簿）", source=source)
    text = decode_text(data, source=source)
    if not text.strip():
        raise RosterError("文件为空", source=source)
    lines = text.splitlines()
    if suffix in (".csv", ".tsv"):
        return [csv_grid(text, table=source, delimiter="\t" if suffix == ".tsv" else None)], []
    grids = [csv_grid(text, table=source, delimiter="\t")] if _is_tsv(lines) else []
    grids += cell_per_line_grids(lines)
    return grids, [(i, line) for i, line in enumerate(lines, start=1)]
