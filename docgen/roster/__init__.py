"""Rosters in: every table and notice a clerk sends becomes a :class:`~docgen.roster.result.RosterImport`.

Modules, from the outside in:

* ``files`` — bytes and a file name → tables (:class:`~docgen.roster.grid.Grid`: xlsx via openpyxl with its
  merged ranges, xls/ods via python-calamine, csv/txt in UTF-8, GBK or UTF-16) and text lines;
* ``headers`` — what a header cell means (roles, synonyms, sides);
* ``importer`` — tables and pairing prose → groups and problems (merged groups, two-row headers, footers,
  sections, contact cells), the strict wrappers ``read_roster``/``parse_roster_rows``/``parse_notice_text``;
* ``notice`` — the prose grammar ``A、B与C结对；``; ``contacts`` — contact cells; ``names`` and ``values`` —
  pure rules for names (prefix inheritance, stage from a name) and cells (学段, 层级);
* ``result`` — the import as data (problems with kinds, table mappings); ``form`` — a returned 安排表.

Only an unreadable file raises (:class:`~docgen.errors.RosterError`). See ``docs/roster.md``.
"""

from docgen.roster.files import read_roster
from docgen.roster.headers import HEADERS
from docgen.roster.importer import import_grids, parse_notice_text, parse_roster_rows
from docgen.roster.names import admin_prefix, infer_stage, inherit_prefix
from docgen.roster.values import parse_level, parse_stage
from docgen.values import is_phone

__all__ = [
    "HEADERS",
    "admin_prefix",
    "import_grids",
    "infer_stage",
    "inherit_prefix",
    "is_phone",
    "parse_level",
    "parse_notice_text",
    "parse_roster_rows",
    "parse_stage",
    "read_roster",
]
