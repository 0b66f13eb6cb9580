"""A roster from any file a user hands in: THE bytes → roster path of the CLI and the service.

    roster = load_roster(data, "安排表.pdf")     # docgen.model.Roster, or RosterError(s)

A returned 安排表 (docx, PDF, scan or photo, told by content: :func:`extractors.detect.detect`) is read by
:func:`extractors.read.read` and turned into a roster by :func:`docgen.roster.form.roster_from_form` (its
headers named through the arrangement form schema); anything else — xlsx, csv, the notice text — goes to
:func:`docgen.roster.read_roster`.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from docgen.errors import RosterError, UnreadableDocument
from docgen.model import Roster
from docgen.roster import read_roster
from docgen.roster.form import roster_from_form
from extractors.detect import detect
from extractors.read import read

if TYPE_CHECKING:
    from extractors.ocr import OcrEngine

__all__ = ["load_roster"]


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
