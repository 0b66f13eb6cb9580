"""What reading a returned form produces: typed values with confidence and provenance.

Two layers, both plain data:

* :class:`ReadDocument` — what an extractor saw, before any meaning: tables as cells (merged cells with
  their spans), the text lines outside tables, identity codes found (QR code, printed code, docx custom
  property), each with a confidence and the place it was read from. Every extractor (docx, PDF, image)
  returns one; nothing else differs between input kinds.
* :class:`Extraction` — the ReadDocument interpreted against a form schema (``docgen.forms``): fields by
  the schema's key (the printed label kept for display), table rows by column, values normalised (dates,
  phones, counts, amounts), a status per form. ``Extraction.to_json()`` is the stable shape
  ``docgen extract --json`` prints (docs/extraction.md); ``Extraction.from_json()`` reads it back, so the
  service works on the same typed data as the domain (``from_json(e.to_json()) == e``).
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import date
from enum import StrEnum
from typing import Any

from docgen.forms.schema import ValueType

BBox = tuple[float, float, float, float]  # x0, y0, x1, y1 in page points (PDF) or pixels (image)


def union_box(boxes: Iterable[BBox | None]) -> BBox | None:
    """The smallest box holding every given box; None when none is given."""
    given = [b for b in boxes if b is not None]
    if not given:
        return None
    return (min(b[0] for b in given), min(b[1] for b in given), max(b[2] for b in given), max(b[3] for b in given))


class InputKind(StrEnum):
    """What a returned file is, decided by its content (not its name); it selects the reading pipeline."""

    DOCX = "docx"
    PDF = "pdf"  # born-digital PDF with a usable text layer
    SCAN = "scan"  # image-only PDF, or a PDF whose text layer is unusable
    IMAGE = "image"  # PNG, JPEG, TIFF photo or scan

    @property
    def label(self) -> str:
        """The kind in a clerk's words (Word 文件, 扫描 PDF …)."""
        return INPUT_KIND_TEXT[self]

    @property
    def is_picture(self) -> bool:
        """Read from pixels (a scan, a photo): what the page shows is all there is — a page or a row may be
        out of the frame — where a Word file or a PDF from Word is read whole."""
        return self in (InputKind.SCAN, InputKind.IMAGE)


class FormStatus(StrEnum):
    """The verdict on a returned form; the CLI's exit code follows it (0, 1, 2)."""

    COMPLETE = "complete"
    NEEDS_REVIEW = "needs_review"
    UNREADABLE = "unreadable"

    @property
    def label(self) -> str:
        """The verdict in a clerk's words (完整, 待审核, 无法读取): the CLI prints it, the web UI shows it."""
        return FORM_STATUS_TEXT[self]


INPUT_KIND_TEXT: Mapping[InputKind, str] = {
    InputKind.DOCX: "Word 文件",
    InputKind.PDF: "PDF",
    InputKind.SCAN: "扫描 PDF",
    InputKind.IMAGE: "图片（扫描或照片）",
}
FORM_STATUS_TEXT: Mapping[FormStatus, str] = {
    FormStatus.COMPLETE: "完整",
    FormStatus.NEEDS_REVIEW: "待审核",
    FormStatus.UNREADABLE: "无法读取",
}


@dataclass(frozen=True)
class Provenance:
    """Where a value was read: a page and box for PDFs and images, a cell reference for docx.

    ``bbox`` is always in the coordinates of the ORIGINAL file, so it can be cut from the stored file as is:
    PDF points with the origin top-left for any PDF (text layer or scanned), pixels of the decoded image
    (EXIF orientation applied) for images — never of a straightened/deskewed working copy (docs/ocr.md).

    ``upright`` is the same box on the page as the reader read it — turned upright, straightened — in that
    working copy's pixels, for layout only (:attr:`layout_box`); it is not part of the JSON and not compared.
    """

    page: int | None = None  # 1-based
    bbox: BBox | None = None
    ref: str | None = None  # e.g. "表1 第3行 第2列" for docx
    upright: BBox | None = field(default=None, compare=False)

    @property
    def layout_box(self) -> BBox | None:
        """The box that rows, columns and what lies beside or below what are judged by: on a page the reader
        turned, "left of" and "one row" hold upright, not on the original (a page turned 90° has its lines
        side by side there, one above the other as read)."""
        return self.upright if self.upright is not None else self.bbox

    def to_json(self) -> dict[str, Any]:
        return {"page": self.page, "bbox": list(self.bbox) if self.bbox else None, "ref": self.ref}

    @classmethod
    def from_json(cls, data: Mapping[str, Any] | None) -> Provenance:
        """The provenance :meth:`to_json` wrote (None or ``{}``: nowhere known)."""
        data = data or {}
        bbox = data.get("bbox")
        box: BBox | None = (bbox[0], bbox[1], bbox[2], bbox[3]) if bbox else None
        return cls(page=data.get("page"), bbox=box, ref=data.get("ref"))


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
    lines_before: int | None = None  # how many of the document's lines come before it (docx: body order)

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
    seal_names: tuple[str, ...] = ()  # what the round seals' own text reads (a school's seal: its name)
    # per page, its width and height in the units of Provenance.layout_box, where the reader knows the sheet's
    # edges (a scan, a photo whose sheet outline was found); None where it does not, () for digital files
    page_sizes: tuple[tuple[float, float] | None, ...] = ()


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

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> FormIdentity:
        """The identity :meth:`to_json` wrote (``code`` is derived, not read)."""
        return cls(str(data["program"]), str(data["pair"]), str(data["form"]), int(data["version"]))


Normalized = str | int | float | date | Mapping[str, Any] | None


@dataclass(frozen=True)
class Value:
    """One extracted value: the text as read, its normalised form, and how sure we are.

    ``normalized`` is a date for a determinate date, ``{"start", "end"}`` for a range, digits for a phone,
    ``{"amount", "unit"}`` for counts and money, and None when the text could not be normalised (then
    ``flags`` says why, e.g. ``"indeterminate_date"``). ``confidence`` combines reading and normalising,
    kept to 3 decimals (what JSON carries, so a value read back is the same value); anything below the
    review threshold is listed in the extraction's problems. ``type`` is the value type it was normalised
    as (None when unknown, e.g. a value from an older record).
    """

    raw: str
    normalized: Normalized
    confidence: float
    where: Provenance = field(default_factory=Provenance)
    flags: tuple[str, ...] = ()
    type: ValueType | None = None

    def __post_init__(self) -> None:
        object.__setattr__(self, "confidence", round(float(self.confidence), 3))

    def to_json(self) -> dict[str, Any]:
        return {
            "value": self.raw,
            "normalized": _json_value(self.normalized),
            "confidence": self.confidence,
            "flags": list(self.flags),
            "where": self.where.to_json(),
            "type": self.type.value if self.type else None,
        }

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> Value:
        """The value :meth:`to_json` wrote. Dates come back as dates for date values (and, for a value of
        unknown type, for text in exactly the ISO form ``to_json`` writes)."""
        kind = ValueType(data["type"]) if data.get("type") else None
        dates = kind is ValueType.DATE or kind is None
        return cls(
            raw=str(data.get("value") or ""),
            normalized=_from_json_value(data.get("normalized"), dates),
            confidence=float(data.get("confidence", 1.0)),
            where=Provenance.from_json(data.get("where")),
            flags=tuple(data.get("flags") or ()),
            type=kind,
        )


def _json_value(v: Normalized) -> Any:
    if isinstance(v, date):
        return v.isoformat()
    if isinstance(v, Mapping):
        return {k: _json_value(x) for k, x in v.items()}
    return v


_ISO_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")


def _from_json_value(v: Any, dates: bool) -> Any:
    if dates and isinstance(v, str) and _ISO_DATE.match(v):
        try:
            return date.fromisoformat(v)
        except ValueError:
            return v
    if isinstance(v, Mapping):
        return {k: _from_json_value(x, dates) for k, x in v.items()}
    return v


@dataclass(frozen=True)
class Table:
    """A table mapped onto a schema: ``columns`` are the schema's labels (for display), ``keys`` the schema's
    column keys in the same order (what code looks columns up by); every row has one value per column.

    ``keys`` is empty for a table no schema claims (columns as read) and for the extra columns a school
    added. A merged cell's text is repeated in every row it covers (its confidence and provenance too).
    """

    columns: tuple[str, ...]
    rows: tuple[tuple[Value, ...], ...]
    keys: tuple[str, ...] = ()

    def column(self, key: str) -> int | None:
        """The index of the column with schema key ``key``, or None when this table has no such column."""
        return self.keys.index(key) if key in self.keys else None

    def to_json(self) -> dict[str, Any]:
        return {
            "columns": list(self.columns),
            "keys": list(self.keys),
            "rows": [[v.raw for v in row] for row in self.rows],
            "values": [[v.to_json() for v in row] for row in self.rows],
        }

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> Table:
        """The table :meth:`to_json` wrote (``rows`` is derived from ``values``, not read)."""
        return cls(
            columns=tuple(str(c) for c in data.get("columns") or ()),
            rows=tuple(tuple(Value.from_json(v) for v in row) for row in data.get("values") or ()),
            keys=tuple(str(k) for k in data.get("keys") or ()),
        )


@dataclass(frozen=True)
class Problem:
    """Why a form needs review or is unreadable: which value (if any), and what is wrong.

    ``field`` is the printed label (what a reviewer reads), ``key`` the schema key of that field or column
    (what code matches on; None for a problem about the whole form or a column no schema knows).
    """

    message: str
    field: str | None = None
    row: int | None = None  # 1-based table row, when the problem is in a table
    key: str | None = None

    def to_json(self) -> dict[str, Any]:
        return {"field": self.field, "row": self.row, "message": self.message, "key": self.key}

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> Problem:
        """The problem :meth:`to_json` wrote."""
        return cls(str(data.get("message") or ""), data.get("field"), data.get("row"), data.get("key"))


@dataclass(frozen=True)
class Extraction:
    """The result of reading one returned form. See module docstring for the layers."""

    source: str
    input_kind: InputKind
    form: str | None  # the form schema's kind, None when not recognised
    identity: FormIdentity | None
    fields: Mapping[str, Value]  # by the schema's field key (``unit``, ``filled_on``)
    tables: tuple[Table, ...]
    status: FormStatus
    problems: tuple[Problem, ...] = ()
    pages: int = 1
    labels: Mapping[str, str] = field(default_factory=dict)  # field key → the label printed on the form

    def label(self, key: str) -> str:
        """The printed label of field ``key`` (the key itself when none is known)."""
        return self.labels.get(key, key)

    def to_json(self) -> dict[str, Any]:
        """The stable JSON shape of ``docgen extract --json`` (documented in docs/extraction.md); each field
        carries its ``label``."""
        return {
            "source": self.source,
            "input_kind": self.input_kind.value,
            "form": self.form,
            "identity": self.identity.to_json() if self.identity else None,
            "fields": {key: {"label": self.label(key), **v.to_json()} for key, v in self.fields.items()},
            "tables": [t.to_json() for t in self.tables],
            "status": self.status.value,
            "problems": [p.to_json() for p in self.problems],
            "pages": self.pages,
        }

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> Extraction:
        """The extraction :meth:`to_json` wrote (a record's stored JSON). Raises KeyError/ValueError on JSON
        of another shape."""
        fields = data.get("fields") or {}
        identity = data.get("identity")
        return cls(
            source=str(data.get("source") or ""),
            input_kind=InputKind(data["input_kind"]),
            form=data.get("form"),
            identity=FormIdentity.from_json(identity) if identity else None,
            fields={str(k): Value.from_json(v) for k, v in fields.items()},
            tables=tuple(Table.from_json(t) for t in data.get("tables") or ()),
            status=FormStatus(data["status"]),
            problems=tuple(Problem.from_json(p) for p in data.get("problems") or ()),
            pages=int(data.get("pages", 1)),
            labels={str(k): str(v["label"]) for k, v in fields.items() if v.get("label") and v["label"] != k},
        )
