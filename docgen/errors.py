"""The one error tree of docgen.

Every error names where the problem is (file, row or field, value) so that a bureau clerk can fix the
input without reading a traceback. ``DocgenError`` is the base; catch it at the edges (CLI, API).
"""

from __future__ import annotations


class DocgenError(Exception):
    """Base of every error docgen raises on purpose."""


class RosterError(DocgenError):
    """A roster row (or line of notice prose) that cannot become a pair group.

    ``source`` is the file name, ``row`` the 1-based spreadsheet row or text line, ``field`` the column
    header (Chinese, as the user wrote it) and ``value`` the offending cell text.
    """

    def __init__(
        self,
        message: str,
        *,
        source: str | None = None,
        row: int | None = None,
        field: str | None = None,
        value: str | None = None,
    ) -> None:
        self.message = message
        self.source = source
        self.row = row
        self.field = field
        self.value = value
        super().__init__(self.describe())

    def describe(self) -> str:
        """``roster.xlsx 第7行 “受援学校”：message（值：'…'）`` — where first, then what, then the value."""
        where = []
        if self.source:
            where.append(self.source)
        if self.row is not None:
            where.append(f"第{self.row}行")
        if self.field:
            where.append(f"“{self.field}”")
        prefix = " ".join(where)
        shown = f"（值：{self.value!r}）" if self.value is not None else ""
        return f"{prefix}：{self.message}{shown}" if prefix else f"{self.message}{shown}"


class SchoolNamesError(RosterError):
    """A row of a program's school name table (``schools.csv`` or the service's table) that is not valid:
    ``row`` is the row as Excel numbers it, ``field`` the column (全称 / 简称 / 党组织名称)."""


class RosterErrors(DocgenError):
    """Several row errors found in one roster; all are reported at once, nothing is imported."""

    def __init__(self, errors: list[RosterError]) -> None:
        self.errors = errors
        lines = "\n".join(f"  - {e.describe()}" for e in errors)
        super().__init__(f"花名册有 {len(errors)} 处错误，未导入：\n{lines}")


class ProgramError(DocgenError):
    """A program file that is not valid: names the file and the key path (e.g. ``agreements[1].term``)."""

    def __init__(self, message: str, *, source: str | None = None, key: str | None = None) -> None:
        self.message = message
        self.source = source
        self.key = key
        where = ":".join(p for p in (source, key) if p)
        super().__init__(f"{where}: {message}" if where else message)


class TemplateError(DocgenError):
    """A .docx template that cannot render: names the template, the variable or tag, and where it is."""

    def __init__(
        self, message: str, *, template: str | None = None, variable: str | None = None, where: str | None = None
    ) -> None:
        self.message = message
        self.template = template
        self.variable = variable
        self.where = where
        parts = [p for p in (template, f"变量 {variable}" if variable else None, where) if p]
        super().__init__(f"{'，'.join(parts)}：{message}" if parts else message)


class ConversionError(DocgenError):
    """LibreOffice could not turn a document into PDF (crash, hang past its time limit, bad input)."""


class TextMismatch(ConversionError):
    """The PDF does not hold the text of the .docx it was made from (a character LibreOffice did not draw)."""


class PlanChanged(DocgenError):
    """A part of a batch was to run on a plan that is no longer the program's (its roster, program or school
    names changed after the batch was split into chunks): the part's documents would not be the batch's."""


class UnreadableDocument(DocgenError):
    """A returned form that cannot be read at all: not the format it claims, encrypted, damaged or hostile.

    ``reason`` is a short Chinese phrase a clerk can act on (e.g. ``文件已加密``, ``不是有效的 Word 文档``,
    ``压缩比异常``); ``source`` is the file name; ``input_kind`` what the content was recognised as (None:
    not recognised). :func:`docgen.extract.extract` turns this error into an ``Extraction`` with status
    ``UNREADABLE`` and the reason in its problems; it never escapes a batch.
    """

    def __init__(self, reason: str, *, source: str | None = None, input_kind: str | None = None) -> None:
        self.reason = reason
        self.source = source
        self.input_kind = input_kind
        super().__init__(reason)

    def __str__(self) -> str:
        return f"{self.source}：{self.reason}" if self.source else self.reason

    def __reduce__(self) -> tuple[type[UnreadableDocument], tuple[str], dict[str, str | None]]:
        # Keyword-only arguments would be lost by Exception's default pickling (errors cross process bounds).
        return (type(self), (self.reason,), {"source": self.source, "input_kind": self.input_kind})


class ReviewError(DocgenError):
    """A correction that names no value of the record: a malformed path (``BadPath``) or a field, table, row
    or column the record does not have (``NoSuchValue``). The message is Chinese and names the path."""


class BadPath(ReviewError):
    """The correction path is not ``fields/<键或标签>`` nor ``tables/<表>/rows/<行>/<列>``."""


class NoSuchValue(ReviewError):
    """The path is well formed but the record has no such field, table, row or column."""
