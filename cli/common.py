"""What every command shares: the error console, the exit for a bad input, argument types, reading a roster."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console

from docgen.errors import DocgenError
from docgen.model import Roster

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


def load_roster(path: Path) -> Roster:
    """xlsx, csv or the notice text — or a returned 安排表 as docx, PDF, scan or photo."""
    from extractors.roster import load_roster as load  # OCR and PDF libraries load only when a form is read

    return load(path.read_bytes(), path.name)
