"""Rosters in: spreadsheets, csv and a notice's own prose become a :class:`~docgen.model.Roster`.

Modules, from the outside in:

* ``files`` — bytes and a file name → rows or text (xlsx via openpyxl, csv/txt in UTF-8 or GBK);
* ``tabular`` — the Chinese header layout (:data:`HEADERS`), header-row search, row → entry;
* ``notice`` — the prose grammar ``A、B与C结对；``;
* ``validate`` — entries → numbered pair groups, with the cross-row checks;
* ``names`` and ``values`` — pure rules for names (prefix inheritance, stage from a name) and cells
  (学段, 层级; phone numbers by :func:`docgen.values.is_phone`).

Every problem is a :class:`~docgen.errors.RosterError` naming file, row, header and value; row problems are
collected and raised together as :class:`~docgen.errors.RosterErrors`. See ``docs/roster.md``.
"""

from docgen.roster.files import read_roster
from docgen.roster.names import admin_prefix, infer_stage, inherit_prefix
from docgen.roster.notice import parse_notice_text
from docgen.roster.tabular import HEADERS, parse_roster_rows
from docgen.roster.values import parse_level, parse_stage
from docgen.values import is_phone

__all__ = [
    "HEADERS",
    "admin_prefix",
    "infer_stage",
    "inherit_prefix",
    "is_phone",
    "parse_level",
    "parse_notice_text",
    "parse_roster_rows",
    "parse_stage",
    "read_roster",
]
