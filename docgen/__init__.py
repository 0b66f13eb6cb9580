"""docgen: agreements and forms for school-pairing programs (学校结对帮扶).

The entry points::

    from docgen import read_roster, parse_program_yaml, generate_batch, load_templates

``generate_batch(program, roster, templates, sink, converter=...)`` makes every agreement for every pair
group; the CLI (the ``cli`` package beside ``api``) is a thin translation of it.
``render_document(program, job, template, converter=...)`` makes one (``job`` from ``plan_batch`` or
``plan_document``) and returns a typed ``DocumentResult``.
"""

from docgen.batch import (
    BatchReport,
    DocumentJob,
    DocumentResult,
    RenderedFile,
    Status,
    generate_batch,
    load_templates,
    plan_batch,
    plan_document,
    render_document,
    render_documents,
)
from docgen.errors import ConversionError, DocgenError, ProgramError, RosterError, RosterErrors, TemplateError
from docgen.model import AgreementKind, Bureau, GroupPolicy, Level, PairGroup, Program, Roster, School, Side, Stage
from docgen.program import parse_program, parse_program_yaml
from docgen.roster import read_roster

__all__ = [
    "AgreementKind",
    "BatchReport",
    "Bureau",
    "ConversionError",
    "DocgenError",
    "DocumentJob",
    "DocumentResult",
    "GroupPolicy",
    "Level",
    "PairGroup",
    "Program",
    "ProgramError",
    "RenderedFile",
    "Roster",
    "RosterError",
    "RosterErrors",
    "School",
    "Side",
    "Stage",
    "Status",
    "TemplateError",
    "generate_batch",
    "load_templates",
    "parse_program",
    "parse_program_yaml",
    "plan_batch",
    "plan_document",
    "read_roster",
    "render_document",
    "render_documents",
]
