"""A returned 安排表 (docx, PDF, scan or photo, already read) becomes a roster: THE form → roster path.

    roster = roster_from_form(read_document)          # a docgen.extraction.ReadDocument

The document's largest table is the roster. Its header row is found with the arrangement form's schema
(``docgen/forms/arrangement.yaml``: each column's label and synonyms, compared by
:func:`docgen.labels.label_key`), and each header cell that names exactly one schema column is renamed to the
roster header of that column (:data:`ROSTER_HEADERS`); a cell that fits several columns (the 安排表 prints
联系人及电话 after each school column) is left as written, and the roster's own rule gives it to the nearest
school column on its left. The rows then go through :func:`docgen.roster.importer.parse_roster_rows`, so a
returned form is checked exactly like a spreadsheet (its columns the schema does not know — 学段, 层级 — are
read by their roster headers). Pure: the reading (and OCR) happened before.
"""

from __future__ import annotations

from collections.abc import Sequence

from docgen.errors import RosterError
from docgen.extraction import ReadDocument, ReadTable
from docgen.forms import FormSchema, load_schemas
from docgen.labels import label_key
from docgen.model import Roster
from docgen.roster.importer import parse_roster_rows
from docgen.tables import HEADER_SCAN_ROWS

ARRANGEMENT = "arrangement"
"""The kind of the form schema whose columns name a returned 安排表's headers."""

ROSTER_HEADERS: dict[str, str] = {
    "supporting": "支援学校",
    "supporting_contact": "支援学校联系人及电话",
    "supported": "受援学校",
    "supported_contact": "受援学校联系人及电话",
}
"""The arrangement schema's column keys → the roster header (``docgen.roster.HEADERS``) each one fills."""

def table_texts(table: ReadTable) -> list[list[str]]:
    """A read table as rows of cell texts, a merged cell repeated at every grid position it covers."""
    return [[c.text if c is not None else "" for c in row] for row in table.grid()]


def roster_from_form(document: ReadDocument, *, schema: FormSchema | None = None) -> Roster:
    """A roster from a returned 安排表 already read; see the module docstring.

    ``schema``: the form schema whose columns name the headers (default: the bundled ``arrangement``).
    Raises :class:`~docgen.errors.RosterError` naming the file when it has no table, and the roster's own
    errors otherwise (:func:`~docgen.roster.importer.parse_roster_rows`).
    """
    schema = schema if schema is not None else load_schemas()[ARRANGEMENT]
    tables = [table_texts(t) for t in document.tables]
    if not tables:
        raise RosterError("文件中没有表格，无法作为花名册导入", source=document.source)
    largest = max(tables, key=len)
    return parse_roster_rows(with_roster_headers(largest, schema), source=document.source)


def with_roster_headers(rows: Sequence[Sequence[str]], schema: FormSchema) -> list[list[str]]:
    """``rows`` with the header row's cells that name one schema column renamed to its roster header.

    The header row is the first of the table's first rows (as many as a form's:
    :data:`docgen.tables.HEADER_SCAN_ROWS`) that names every required column of the
    schema's table; without one the rows come back unchanged (the roster's header search then says which
    headers it found).
    """
    out = [list(row) for row in rows]
    columns = schema.table.columns if schema.table is not None else ()
    keys_by_label: dict[str, list[str]] = {}
    for column in columns:
        for label in column.labels:
            keys = keys_by_label.setdefault(label_key(label), [])
            if column.key not in keys:
                keys.append(column.key)
    required = {c.key for c in columns if c.required}
    for row in out[:HEADER_SCAN_ROWS]:
        named = {i: keys_by_label.get(label_key(text), []) for i, text in enumerate(row)}
        if not required or not required <= {k for keys in named.values() for k in keys}:
            continue
        for i, keys in named.items():
            if len(keys) == 1 and keys[0] in ROSTER_HEADERS:
                row[i] = ROSTER_HEADERS[keys[0]]
        break
    return out
