"""A roster from any file a user hands in: THE bytes → roster path of the CLI and the service.

    roster = load_roster(data, "安排表.pdf")     # docgen.model.Roster, or RosterError(s)

A returned 安排表 (docx, PDF, scan or photo, told by content: :func:`extractors.detect.detect`) is read by
:func:`extractors.read.read` and turned into a roster by :func:`docgen.roster.form.roster_from_form` (its
headers named through the arrangement form schema); anything else — xlsx, csv, the notice text — goes to
:func:`docgen.roster.read_roster`.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from docgen.errors import RosterError, RosterErrors, UnreadableDocument
from docgen.model import Roster
from docgen.roster import read_roster
from docgen.roster.form import roster_from_form
from docgen.roster.result import ColumnOverrides, ProblemKind, RosterImport, RosterProblem
from extractors.detect import detect
from extractors.read import read

if TYPE_CHECKING:
    from extractors.ocr import OcrEngine

__all__ = ["import_roster", "load_roster"]


def load_roster(data: bytes, name: str, *, ocr: OcrEngine | None = None) -> Roster:
    """A roster from ``data`` (named ``name`` in errors); see the module docstring.

    Raises :class:`~docgen.errors.RosterError` for a file that cannot be read (a damaged or encrypted
    安排表 too, with the reader's reason) and :class:`~docgen.errors.RosterErrors` listing every bad row.
    """
    if detect(data).input_kind is None:
        return read_roster(data, name)
    try:
        document = read(data, name, ocr=ocr)
    except UnreadableDocument as exc:
        raise RosterError(exc.reason, source=name) from None
    return roster_from_form(document)


def import_roster(
    data: bytes,
    name: str,
    *,
    overrides: ColumnOverrides | None = None,
    ocr: OcrEngine | None = None,
) -> RosterImport:
    """THE roster import: every readable group of ``data`` with every problem as data (:class:`RosterImport`).

    ``overrides`` are a person's corrections to the detected column mapping (the preview). Raises
    :class:`~docgen.errors.RosterError` only for a file that cannot be read at all.

    Interim implementation (issue 9): wraps :func:`load_roster`, so a file with a bad row still imports
    nothing; the rebuilt importer replaces this body.
    """
    del overrides
    try:
        roster = load_roster(data, name, ocr=ocr)
    except RosterErrors as exc:
        return RosterImport(Roster((), source=name), tuple(_interim_problem(e) for e in exc.errors))
    return RosterImport(roster)


def _interim_problem(e: RosterError) -> RosterProblem:
    words = (("结对重复", ProblemKind.DUPLICATE), ("既是支援学校又是受援学校", ProblemKind.SAME_SCHOOL),
             ("电话号码", ProblemKind.PHONE), ("未知学段", ProblemKind.UNKNOWN_STAGE),
             ("未知层级", ProblemKind.UNKNOWN_LEVEL), ("为空", ProblemKind.EMPTY))  # fmt: skip
    kind = next((k for w, k in words if w in e.message), ProblemKind.UNREADABLE_LINE)
    return RosterProblem(kind, e.message, e.source or "", "", e.row, e.field or "", e.value or "")
