"""What every command shares: the error console, the exit for a bad input, argument types, reading a roster."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console

from docgen.errors import DocgenError, RosterError
from docgen.model import Roster
from docgen.roster.importer import strict_roster
from docgen.roster.result import RosterImport

err = Console(stderr=True)
ExistingFile = Annotated[Path, typer.Argument(exists=True, dir_okay=False, readable=True)]
ProgramFile = Annotated[
    Path | None, typer.Option("--program", exists=True, dir_okay=False, help="项目文件 program.yaml")
]
TemplatesDir = Annotated[
    Path | None,
    typer.Option(
        "--templates", exists=True, file_okay=False, help="内置模板目录（默认使用 docgen 自带的模板）"
    ),
]


def fail(exc: DocgenError) -> typer.Exit:
    """Print ``exc`` (it names the file, row or key) and give the exit for a bad input (2)."""
    err.print(f"[red]错误[/red] {exc}", highlight=False)
    return typer.Exit(2)


def import_roster_file(path: Path) -> RosterImport:
    """Every readable group of a roster file with every problem (xlsx/xls/ods, csv/txt, the notice text, a
    Word or PDF table, a returned 安排表); :class:`~docgen.errors.RosterError` only for an unreadable file."""
    from extractors.roster import import_roster  # OCR and PDF libraries load only when a form is read

    return import_roster(path.read_bytes(), path.name)


def print_problems(result: RosterImport) -> None:
    """The problems of an import on stderr, in Chinese: rows left out first, then warnings and notes."""
    for title, problems in (("未导入的行", result.errors), ("提醒（已导入）", result.warnings)):
        if problems:
            err.print(f"{title}：", highlight=False)
            for p in problems:
                err.print(f"  - {p.describe()}", highlight=False, markup=False, soft_wrap=True)


def load_roster(path: Path, *, strict: bool = False) -> Roster:
    """The roster the commands generate from: the valid groups of the file, its problems printed on stderr
    (``strict``: any error or warning refuses the file — :class:`~docgen.errors.RosterErrors`)."""
    result = import_roster_file(path)
    if strict:
        strict_roster(result)
    print_problems(result)
    if not result.roster.groups:
        raise RosterError("没有任何结对：文件中没有一行可以导入", source=path.name)
    return result.roster
