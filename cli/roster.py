"""``docgen roster``: import a roster, list its pair groups and every problem (or print them as JSON)."""

from __future__ import annotations

import json
import sys
from dataclasses import replace
from pathlib import Path
from typing import Annotated, Any

import typer

from cli.common import ExistingFile, ProgramFile, fail, import_roster_file
from docgen.chinese import join_names
from docgen.errors import DocgenError, RosterError
from docgen.model import Roster
from docgen.roster.result import ProblemKind, RosterImport, RosterProblem
from docgen.school_names import SchoolNames, name_problems

EXIT_CLEAN, EXIT_PROBLEMS, EXIT_UNREADABLE = 0, 1, 2
"""``docgen roster`` exit codes: every row imported; imported with problems (or refused by ``--strict``); the
file could not be read."""


def roster_json(roster: Roster) -> list[dict[str, Any]]:
    """The groups as ``docgen roster --json`` prints them; scripts depend on it (docs/roster.md)."""
    return [
        {
            "number": g.number,
            "supporting": [s.name for s in g.supporting],
            "supported": [s.name for s in g.supported],
            "level": g.level.value if g.level else None,
            "stage": g.effective_stage.value if g.effective_stage else None,
            "stages": [s.value for s in g.effective_stages],
            "coordinator": g.coordinator or None,
            "schools": [s.as_dict() for s in g.schools],
            "source": g.source,
        }
        for g in roster.groups
    ]


def import_json(result: RosterImport, *, strict: bool = False) -> dict[str, Any]:
    """``{"groups", "errors", "warnings", "tables"}``: the one object ``docgen roster --json`` prints.

    ``errors`` are the rows left out, ``warnings`` the rows imported with a problem and the notes about rows
    recognised and ignored (``severity`` tells them apart). ``strict`` with any problem: no groups."""
    refused = strict and _has_problems(result)
    return {
        "groups": [] if refused else roster_json(result.roster),
        "errors": [p.as_json() for p in result.errors],
        "warnings": [p.as_json() for p in result.warnings],
        "tables": [
            {
                "table": t.table,
                "header_rows": list(t.header_rows),
                "used": t.used,
                "reason": t.reason,
                "columns": [{"index": c.index, "header": c.header, "role": c.role} for c in t.columns],
            }
            for t in result.tables
        ],
    }


NOT_ROW_PROBLEMS = frozenset({ProblemKind.IGNORED, ProblemKind.ABBREVIATED})
"""Warnings that say nothing wrong of the file's rows: notes about rows left out, and names the program's
school name table does not resolve yet (``docgen schools`` exits 1 for those). They change neither the exit
code nor ``--strict``."""


def _has_problems(result: RosterImport) -> bool:
    return any(p.kind not in NOT_ROW_PROBLEMS for p in result.problems)


def _file_error(exc: DocgenError) -> dict[str, Any]:
    source = exc.source if isinstance(exc, RosterError) else ""
    message = exc.message if isinstance(exc, RosterError) else str(exc)
    return {"kind": "unreadable", "severity": "error", "message": message, "source": source or "", "sheet": "",
            "row": None, "column": "", "value": "", "table": None}  # fmt: skip


def roster(
    file: ExistingFile,
    as_json: Annotated[bool, typer.Option("--json", help="以 JSON 输出结对组、错误、提醒和表头识别结果")] = False,
    strict: Annotated[bool, typer.Option("--strict", help="有任何问题行就不导入整个文件")] = False,
    program: ProgramFile = None,
) -> None:
    """读取花名册（xlsx、xls、ods、csv、txt、通知原文、Word 或 PDF 表格），列出结对组和每一处问题。

    校名像简称、且项目的学校全称表（--program，或花名册旁的 program.yaml）里没有全称的，列为提醒。
    退出码：0 全部导入；1 有问题行（有效的行已导入；--strict 时整份不导入）；2 文件无法读取。
    """
    names = _school_names(file, program)
    try:
        result = import_roster_file(file)
        result = replace(result, problems=result.problems + name_problems(result.roster, names))
    except DocgenError as exc:
        if as_json:
            sys.stdout.write(json.dumps({"groups": [], "errors": [_file_error(exc)], "warnings": [], "tables": []},
                                        ensure_ascii=False, indent=2) + "\n")  # fmt: skip
        else:
            typer.echo(f"错误 {exc}", err=True)
        raise typer.Exit(EXIT_UNREADABLE) from None
    problems = _has_problems(result)
    refused = strict and problems
    if as_json:
        sys.stdout.write(json.dumps(import_json(result, strict=strict), ensure_ascii=False, indent=2) + "\n")
    else:
        _print_text(result, refused)
    if problems:
        raise typer.Exit(EXIT_PROBLEMS)


def _school_names(roster_file: Path, program: Path | None) -> SchoolNames | None:
    """The school name table of the program given by ``--program`` or found beside the roster (``None``
    without one). A broken ``--program`` ends the command (exit 2); a broken program.yaml that was only found
    beside the roster is passed over (the roster is what was asked for)."""
    from cli.schools import program_school_names

    try:
        return program_school_names(roster_file, program)
    except DocgenError as exc:
        if program is not None:
            raise fail(exc) from None
        return None


def _print_text(result: RosterImport, refused: bool) -> None:
    groups = result.roster.groups
    if refused:
        typer.echo("有问题行，按 --strict 整份未导入。")
    else:
        for g in groups:
            sides = f"{join_names(s.name for s in g.supporting)} → {join_names(s.name for s in g.supported)}"
            stage = "、".join(s.value for s in g.effective_stages)
            extra = " ".join(x for x in (g.level.value if g.level else "", stage) if x)
            lead = f"  牵头：{g.coordinator}" if g.coordinator else ""
            typer.echo(f"{g.label}  {sides}  {extra}{lead}".rstrip())
        typer.echo(f"共 {len(groups)} 个结对组")
    sections: tuple[tuple[str, tuple[RosterProblem, ...]], ...] = (
        ("未导入的行（错误）", result.errors),
        ("已导入但需核对（提醒）", tuple(p for p in result.warnings if p.kind is not ProblemKind.IGNORED)),
        ("已识别并跳过（说明）", tuple(p for p in result.warnings if p.kind is ProblemKind.IGNORED)),
    )
    for title, problems in sections:
        if problems:
            typer.echo(f"{title}：{len(problems)} 处")
            for p in problems:
                typer.echo(f"  - {p.describe()}")
