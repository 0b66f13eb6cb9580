"""What reading a returned form produces: typed values with confidence and provenance.

Two layers, both plain data:

* :class:`ReadDocument` — what an extractor saw, before any meaning: tables as cells (merged cells with
  their spans), the text lines outside tables, identity codes found (QR code, printed code, docx custom
  property), each with a confidence and the place it was read from. Every extractor (docx, PDF, image)
  returns one; nothing else differs between input kinds.
* :class:`Extraction` — the ReadDocument interpreted against a form schema (``docgen.forms``): fields by
  label, table rows by column, values normalised (dates, phones, counts, amounts), a status per form.
  ``Extraction.to_json()`` is the stable shape ``docgen extract --json`` prints (docs/extraction.md).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date
from enum import StrEnum
from typing import Any

BBox = tuple[float, float, float, float]  # x0, y0, x1, y1 in page points (PDF) or pixels (image)


class InputKind(StrEnum):
    """What a returned file is, decided by its content (not its name); it selects the reading pipeline."""

    DOCX = "docx"
    PDF = "pdf"  # born-digital PDF with a usable text layer
    SCAN = "scan"  # image-only PDF, or a PDF whose text layer is unusable
    IMAGE = "image"  # PNG, JPEG, TIFF photo or scan


class FormStatus(StrEnum):
    """The verdict on a returned form; the CLI's exit code follows it (0, 1, 2)."""

    COMPLETE = "complete"
    NEEDS_REVIEW = "needs_review"
    UNREADABLE = "unreadable"


@dataclass(frozen=True)
class Provenance:
    """Where a value was read: a page and box for PDFs and images, a cell reference for docx.

    ``bbox`` is always in the coordinates of the ORIGINAL file, so it can be cut from the stored file as is:
    PDF points with the origin top-left for any PDF (text layer or scanned), pixels of the decoded image
    (EXIF orientation applied) for images — never of a straightened/deskewed working copy (docs/ocr.md).
    """

    page: int | None = None  # 1-based
    bbox: BBox | None = None
    ref: str | None = None  # e.g. "表1 第3行 第2列" for docx

    def to_json(self) -> dict[str, Any]:
        return {"page": self.page, "bbox": list(self.bbox) if self.bbox else None, "ref": self.ref}


@dataclass(frozen=True)
class Cell:
    """One table cell as read. Merged cells appear once, with their spans."""

    text: str
    row: int  # 0-based grid row
    col: int  # 0-based grid column
    rowspan: int = 1
    colspan: int = 1
    confidence: float = 1.0  # 1.0 for text read from a docx or a PDF text layer
    where: Provenance = field(default_factory=Provenance)


@dataclass(frozen=True)
class ReadTable:
    """A table as read: a grid of ``n_rows`` × ``n_cols`` covered by cells (merged ones span)."""

    cells: tuple[Cell, ...]
    n_rows: int
    n_cols: int
    page: int | None = None
    bbox: BBox | None = None

    def grid(self) -> list[list[Cell | None]]:
        """Row-major grid; a merged cell stands in every position it covers (None where nothing was read)."""
        out: list[list[Cell | None]] = [[None] * self.n_cols for _ in range(self.n_rows)]
        for c in self.cells:
            for r in range(c.row, min(c.row + c.rowspan, self.n_rows)):
                for k in range(c.col, min(c.col + c.colspan, self.n_cols)):
                    out[r][k] = c
        return out


@dataclass(frozen=True)
class TextLine:
    """A line of text outside any table (单位：…, 填报时间：…, a title, a printed identity code)."""

    text: str
    confidence: float = 1.0
    where: Provenance = field(default_factory=Provenance)


@dataclass(frozen=True)
class ReadDocument:
    """Everything one extractor read from one file, in reading order; no interpretation yet."""

    source: str
    input_kind: InputKind
    pages: int
    tables: tuple[ReadTable, ...] = ()
    lines: tuple[TextLine, ...] = ()
    identity_codes: tuple[str, ...] = ()  # raw codes found (QR payload, custom property, printed code)
    problems: tuple[str, ...] = ()  # what the extractor could not do (a page unreadable, OCR fell back…)


@dataclass(frozen=True)
class FormIdentity:
    """Which program, pair, form kind and template version a returned copy belongs to.

    Encoded as ``DG1:<program>:<pair>:<form>:<version>`` in the QR code, the printed code and the docx
    custom property ``docgen-identity``.
    """

    program: str
    pair: str
    form: str
    version: int

    PREFIX = "DG1"

    @property
    def code(self) -> str:
        return f"{self.PREFIX}:{self.program}:{self.pair}:{self.form}:{self.version}"

    @classmethod
    def parse(cls, code: str) -> FormIdentity | None:
        """The identity in ``code``, or None when it is not a well-formed docgen code."""
        parts = code.strip().split(":")
        if len(parts) != 5 or parts[0] != cls.PREFIX or not all(parts[1:4]) or not parts[4].isdigit():
            return None
        return cls(parts[1], parts[2], parts[3], int(parts[4]))

    def to_json(self) -> dict[str, Any]:
        return {"program": self.program, "pair": self.pair, "form": self.form, "version": self.version,
                "code": self.code}


Normalized = str | int | float | date | Mapping[str, Any] | None


@dataclass(frozen=True)
class Value:
    """One extracted value: the text as read, its normalised form, and how sure we are.

    ``normalized`` is a date for a determinate date, ``{"start", "end"}`` for a range, digits for a phone,
    ``{"amount", "unit"}`` for counts and money, and None when the text could not be normalised (then
    ``flags`` says why, e.g. ``"indeterminate_date"``). ``confidence`` combines reading and normalising;
    anything below the review threshold is listed in the extraction's problems.
    """

    raw: str
    normalized: Normalized
    confidence: float
    where: Provenance = field(default_factory=Provenance)
    flags: tuple[str, ...] = ()

    def to_json(self) -> dict[str, Any]:
        return {
            "value": self.raw,
            "normalized": _json_value(self.normalized),
            "confidence": round(self.confidence, 3),
            "flags": list(self.flags),
            "where": self.where.to_json(),
        }


def _json_value(v: Normalized) -> Any:
    if isinstance(v, date):
        return v.isoformat()
    if isinstance(v, Mapping):
        return {k: _json_value(x) for k, x in v.items()}
    return v


@dataclass(frozen=True)
class Table:
    """A table mapped onto a schema: ``columns`` are the schema's labels; every row has one value per column.

    A merged cell's text is repeated in every row it covers (its confidence and provenance too).
    """

    columns: tuple[str, ...]
    rows: tuple[tuple[Value, ...], ...]

    def to_json(self) -> dict[str, Any]:
        return {
            "columns": list(self.columns),
            "rows": [[v.raw for v in row] for row in self.rows],
            "values": [[v.to_json() for v in row] for row in self.rows],
        }


@dataclass(frozen=True)
class Problem:
    """Why a form needs review or is unreadable: which value (if any), and what is wrong."""

    message: str
    field: str | None = None
    row: int | None = None  # 1-based table row, when the problem is in a table

    def to_json(self) -> dict[str, Any]:
        return {"field": self.field, "row": self.row, "message": self.message}


@dataclass(frozen=True)
class Extraction:
    """The result of reading one returned form. See module docstring for the layers."""

    source: str
    input_kind: InputKind
    form: str | None  # the form schema's kind, None when not recognised
    identity: FormIdentity | None
    fields: Mapping[str, Value]  # by the schema's label (Chinese, as printed on the form)
    tables: tuple[Table, ...]
    status: FormStatus
    problems: tuple[Problem, ...] = ()
    pages: int = 1

    def to_json(self) -> dict[str, Any]:
        """The stable JSON shape of ``docgen extract --json`` (documented in docs/extraction.md)."""
        return {
            "source": self.source,
            "input_kind": self.input_kind.value,
            "form": self.form,
            "identity": self.identity.to_json() if self.identity else None,
            "fields": {label: v.to_json() for label, v in self.fields.items()},
            "tables": [t.to_json() for t in self.tables],
            "status": self.status.value,
            "problems": [p.to_json() for p in self.problems],
            "pages": self.pages,
        }
