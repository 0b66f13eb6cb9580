"""Finding and reading the files a batch needs: program files and templates (an edge module)."""

from __future__ import annotations

import os
from collections.abc import Callable
from pathlib import Path

from docgen.errors import ProgramError, TemplateError
from docgen.model import Program
from docgen.program import parse_program_yaml

PROGRAM_FILE = "program.yaml"


def templates_dir() -> Path:
    """``$DOCGEN_TEMPLATES`` or the ``templates/`` folder of this checkout."""
    env = os.environ.get("DOCGEN_TEMPLATES")
    return Path(env) if env else Path(__file__).resolve().parent.parent / "templates"


def load_program(path: Path) -> Program:
    """Read and parse a program file; an unreadable file is a :class:`ProgramError` naming its path."""
    try:
        text = path.read_text("utf-8")
    except OSError as exc:
        raise ProgramError(f"无法读取项目文件：{exc.strerror}", source=str(path)) from None
    return parse_program_yaml(text, source=path.name)


def program_for_roster(roster: Path, program: Path | None) -> tuple[Program, Path]:
    """The program to use and the folder its relative template names resolve against.

    An explicit ``--program`` wins; then ``program.yaml`` beside the roster; then the built-in
    default program (both agreement kinds, dates left blank).
    """
    if program is not None:
        return load_program(program), program.parent
    beside = roster.parent / PROGRAM_FILE
    if beside.is_file():
        return load_program(beside), beside.parent
    default = templates_dir() / "default_program.yaml"
    return load_program(default), default.parent


def template_reader(program_dir: Path) -> Callable[[str], bytes]:
    """Read a template by the name a program gives: beside the program first, then ``templates/``."""

    def read(name: str) -> bytes:
        for folder in (program_dir, templates_dir()):
            candidate = folder / name
            if candidate.is_file():
                return candidate.read_bytes()
        raise TemplateError(f"找不到模板文件（已查找 {program_dir} 与 {templates_dir()}）", template=name)

    return read
