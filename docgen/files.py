"""Finding and reading the files a batch needs: program files and templates (an edge module).

Templates are *named*, never given by path (``docs/templates.md``). A name is checked against
:data:`docgen.naming.TEMPLATE_NAME` before any folder is looked at, so ``../x``, ``/etc/passwd``, a
backslash, NUL or ``%2e%2e`` never reach the file system. The built-in templates are package data
(``docgen/templates/``, read through :mod:`importlib.resources`); another folder of built-ins is an
explicit argument (the CLI's ``--templates``, the service's ``Settings.templates_dir``), never an
environment variable read here.
"""

from __future__ import annotations

from collections.abc import Callable
from importlib.resources import files
from importlib.resources.abc import Traversable
from pathlib import Path

from docgen.errors import ProgramError, TemplateError
from docgen.model import Program
from docgen.naming import TEMPLATE_NAME_RULE, TEMPLATE_SUFFIX, template_stem
from docgen.program import parse_program_yaml

PROGRAM_FILE = "program.yaml"
DEFAULT_PROGRAM = "default_program.yaml"
FORMS_FOLDER = "forms"  # built-in blank-form templates: forms/<kind>.docx (never resolved from a program)
REPORTS_FOLDER = "reports"  # built-in periodic-report templates: reports/<name>.docx (docgen/reports.py)


def builtin_templates(folder: Path | None = None) -> Traversable:
    """The folder of built-in templates: ``folder`` when given, else docgen's package data."""
    return folder if folder is not None else files("docgen") / "templates"


def load_program(path: Path) -> Program:
    """Read and parse a program file; an unreadable file is a :class:`ProgramError` naming its path.

    Only the CLI reads program files by path (the user's own files); the service stores programs as text.
    """
    try:
        text = path.read_text("utf-8")
    except OSError as exc:
        raise ProgramError(f"无法读取项目文件：{exc.strerror}", source=str(path)) from None
    return parse_program_yaml(text, source=path.name)


def default_program(templates: Path | None = None) -> Program:
    """The built-in default program (both agreement kinds, dates left blank)."""
    text = (builtin_templates(templates) / DEFAULT_PROGRAM).read_text("utf-8")
    return parse_program_yaml(text, source=DEFAULT_PROGRAM)


def program_for_roster(
    roster: Path, program: Path | None, templates: Path | None = None
) -> tuple[Program, Path | None]:
    """The program to use and the folder of the user's own templates (beside the program file).

    An explicit ``--program`` wins; then ``program.yaml`` beside the roster; then the built-in default
    program (whose templates are all built-in: no folder of its own).
    """
    if program is not None:
        return load_program(program), program.parent
    beside = roster.parent / PROGRAM_FILE
    if beside.is_file():
        return load_program(beside), beside.parent
    return default_program(templates), None


def template_file_name(name: str) -> tuple[str, ...] | None:
    """The parts of the file a template name stands for (``("party_building.docx",)``,
    ``("forms", "filing.docx")`` for a blank form, ``("reports", …)`` for a periodic report's); None for anything
    that is not a template name."""
    folder, _, rest = name.rpartition("/")
    if folder not in ("", FORMS_FOLDER, REPORTS_FOLDER):
        return None
    stem = template_stem(rest)
    if stem is None:
        return None
    return (*([folder] if folder else []), stem + TEMPLATE_SUFFIX)


def _regular_file(folder: Traversable, parts: tuple[str, ...]) -> Traversable | None:
    """``folder/parts`` when it is a regular file inside ``folder`` — a symlink is treated as absent."""
    candidate = folder.joinpath(*parts)
    # parts hold no separator and no "..", so only a symlink could lead outside the folder
    if isinstance(folder, Path) and any(folder.joinpath(*parts[: i + 1]).is_symlink() for i in range(len(parts))):
        return None
    return candidate if candidate.is_file() else None


def not_found(name: str) -> TemplateError:
    """The one answer for a template that cannot be used: it never says where docgen looked or whether a
    file of that name exists somewhere (an invalid name and a missing one read alike to a prober)."""
    return TemplateError("找不到这个模板：请使用内置模板或管理员上传的模板的名称", template=name)


def invalid_name(name: str) -> TemplateError:
    """A template reference that is not a template name (a path, ``..``, NUL, …)."""
    return TemplateError(f"{TEMPLATE_NAME_RULE}；实际为 {name!r}")


def template_reader(
    own: Path | None = None,
    *,
    builtin: Path | None = None,
    uploaded: Callable[[str], bytes | None] | None = None,
) -> Callable[[str], bytes]:
    """Read a template by name: from ``own`` (the CLI user's folder beside program.yaml), then the built-in
    templates (``builtin`` or docgen's package data), then ``uploaded`` (the service's uploaded templates,
    looked up by stem). Blank-form templates (``forms/<kind>``) never come from ``uploaded``. A bad name is
    refused before any lookup; a missing template is :func:`not_found`."""
    folders: tuple[Traversable, ...] = (*([own] if own is not None else []), builtin_templates(builtin))

    def read(name: str) -> bytes:
        parts = template_file_name(name)
        if parts is None:
            raise invalid_name(name)
        for folder in folders:
            found = _regular_file(folder, parts)
            if found is not None:
                return found.read_bytes()
        if uploaded is not None and len(parts) == 1:
            data = uploaded(parts[0][: -len(TEMPLATE_SUFFIX)])
            if data is not None:
                return data
        raise not_found(name)

    return read


def builtin_names(templates: Path | None = None) -> list[str]:
    """The names of the built-in agreement templates (``five_year``, ``party_building``, …), sorted."""
    folder = builtin_templates(templates)
    names = []
    for entry in folder.iterdir():
        stem = entry.name[: -len(TEMPLATE_SUFFIX)] if entry.name.endswith(TEMPLATE_SUFFIX) else None
        if stem and template_stem(stem) and _regular_file(folder, (entry.name,)) is not None:
            names.append(stem)
    return sorted(names)
