"""``docgen schools``: the program's school name table (全称、简称、党组织名称) — what is still abbreviated, and
adding a full name.

``docgen schools ROSTER --program program.yaml [--json]`` lists the roster's names that look abbreviated
and that the table does not resolve (exit 0: none, 1: some); ``docgen schools add --program program.yaml
--full 柳州市第一中学 --short 市一中 [--party-org …]`` adds an entry to the program's ``schools.csv``
(creating it). The table is read and written here, at the edge; parsing and every rule are in
:mod:`docgen.school_names`. Only the file the program names, in the program's own folder, is ever opened.
"""

from __future__ import annotations

import json
import os
import sys
from dataclasses import replace
from pathlib import Path
from typing import Annotated, Any

import typer
from typer.core import TyperGroup

from cli.common import ExistingFile, err, fail, load_roster
from docgen.errors import DocgenError, SchoolNamesError
from docgen.files import PROGRAM_FILE, load_program, program_for_roster
from docgen.model import Program
from docgen.school_names import (
    SCHOOLS_FILE,
    SchoolNames,
    add_school_name,
    missing_party_orgs,
    name_problems,
    parse_school_names_csv,
    school_name_entry,
    school_names_csv,
    signing_name,
    unresolved_names,
)


class _SchoolsGroup(TyperGroup):
    """``docgen schools ROSTER …`` is ``docgen schools check ROSTER …``: a first argument that is not a
    subcommand (nor ``--help``) names the roster."""

    def parse_args(self, ctx: Any, args: list[str]) -> list[str]:  # typer vendors click: its Context is private
        if args and args[0] not in self.commands and args[0] not in ("--help", "-h"):
            args = ["check", *args]
        return super().parse_args(ctx, args)


app = typer.Typer(
    cls=_SchoolsGroup,
    help="学校全称表：列出花名册中像简称、尚无全称的校名（docgen schools 花名册 --program …），或添加全称（add）。",
    no_args_is_help=True,
)


def table_path(program: Program, program_dir: Path) -> Path:
    """The program's table file: the name program.yaml gives (``school_names:``), else ``schools.csv`` — always
    inside the program's own folder (the name was checked to be a plain file name when the program was read)."""
    return program_dir / (program.school_names_file or SCHOOLS_FILE)


def read_school_names(program: Program, program_dir: Path | None, *, creating: bool = False) -> SchoolNames:
    """The program's table from its folder; an empty table when there is none (the default program, or no
    ``schools.csv`` and program.yaml names none). A file program.yaml names must exist (unless ``creating``:
    ``schools add`` makes it); a symlink is refused.
    UTF-8 (with or without BOM) or, as Excel saves CSV on Chinese Windows, GB18030."""
    if program_dir is None:
        return SchoolNames()
    path = table_path(program, program_dir)
    if path.is_symlink():
        raise SchoolNamesError("学校全称表不能是符号链接", source=path.name)
    if not path.is_file():
        if program.school_names_file and not creating:
            raise SchoolNamesError("program.yaml 的 school_names 指向的文件不存在", source=path.name)
        return SchoolNames()
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise SchoolNamesError(f"无法读取：{exc.strerror}", source=path.name) from None
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        try:
            text = data.decode("gb18030")
        except UnicodeDecodeError:
            raise SchoolNamesError("不是 UTF-8 或 GBK 编码的 CSV 文件", source=path.name) from None
    return parse_school_names_csv(text, source=path.name)


def with_school_names(program: Program, program_dir: Path | None) -> Program:
    """``program`` with its table attached (what ``docgen generate`` renders with)."""
    return replace(program, school_names=read_school_names(program, program_dir))


def program_school_names(roster: Path, program: Path | None) -> SchoolNames | None:
    """The school name table of the program ``--program`` names or found beside ``roster`` (``None`` when
    neither exists: the built-in default program has no table)."""
    if program is None and not (roster.parent / PROGRAM_FILE).is_file():
        return None
    return _program(roster, program).school_names


def _program(roster: Path, program: Path | None) -> Program:
    prog, program_dir = program_for_roster(roster, program)
    return with_school_names(prog, program_dir)


@app.command("check")
def check(
    roster_file: ExistingFile,
    program: Annotated[
        Path | None, typer.Option("--program", exists=True, dir_okay=False, help="项目文件 program.yaml")
    ] = None,
    as_json: Annotated[bool, typer.Option("--json", help="以 JSON 输出")] = False,
) -> None:
    """列出花名册中像简称、占位符或泛称，且学校全称表中没有全称的校名；协议由党组织签署的项目，还列出尚无党组织名称的
    学校（有则退出码 1）。"""
    try:
        parsed = load_roster(roster_file)
        prog = _program(roster_file, program)
    except DocgenError as exc:
        raise fail(exc) from None
    table = prog.school_names
    unresolved = unresolved_names(parsed, table)
    no_party = missing_party_orgs(parsed, table) if prog.signed_by_party_orgs else []
    resolved: dict[str, Any] = {}
    for group in parsed.groups:
        for school in group.schools:
            signing = signing_name(school, table)
            if signing.resolved and school.name not in resolved:
                resolved[school.name] = {
                    "name": school.name,
                    "full_name": signing.name,
                    "party_org": signing.party_org,
                }
    if as_json:
        out = {
            "unresolved": [{"name": name, "reason": reason} for name, reason in unresolved],
            "resolved": list(resolved.values()),
            "missing_party_orgs": [{"name": name, "reason": reason} for name, reason in no_party],
            "warnings": [p.as_json() for p in name_problems(parsed, table)],
        }
        sys.stdout.write(json.dumps(out, ensure_ascii=False, indent=2) + "\n")
    else:
        for name, reason in unresolved:
            typer.echo(f"{name}  {reason}")
        for item in resolved.values():
            typer.echo(f"{item['name']} → {item['full_name']}（{item['party_org']}）")
        for _, reason in no_party:
            typer.echo(reason)
        typer.echo(f"尚无全称 {len(unresolved)} 个，已有全称 {len(resolved)} 个")
        if no_party:
            typer.echo(f"尚无党组织名称 {len(no_party)} 所（本项目的协议由党组织签署）")
        if unresolved or no_party:
            typer.echo(
                "用 docgen schools add --program program.yaml --full 全称 --short 简称 --party-org 党组织名称 添加"
            )
    if unresolved or no_party:
        raise typer.Exit(1)


@app.command("add")
def add(
    program: Annotated[Path, typer.Option("--program", exists=True, dir_okay=False, help="项目文件 program.yaml")],
    full: Annotated[str, typer.Option("--full", help="学校全称，如 柳州市第一中学")],
    short: Annotated[list[str] | None, typer.Option("--short", help="简称（可重复），如 市一中")] = None,
    party_org: Annotated[str, typer.Option("--party-org", help="党组织名称，如 中共柳州市第一中学委员会")] = "",
) -> None:
    """在项目的学校全称表（program.yaml 同目录的 schools.csv）中添加或补充一所学校。"""
    try:
        prog = load_program(program)
        table = read_school_names(prog, program.parent, creating=True)
        entry = school_name_entry(full, short or (), party_org, source="命令行")
        updated = add_school_name(table, entry)
    except DocgenError as exc:
        raise fail(exc) from None
    path = table_path(prog, program.parent)
    tmp = path.with_name(f".{path.name}.tmp")
    try:
        tmp.write_bytes(school_names_csv(updated).encode("utf-8"))
        os.replace(tmp, path)  # all or nothing: Excel may have the old file open, it is never left half-written
    except OSError as exc:
        err.print(f"[red]错误[/red] 无法写入 {path.name}：{exc.strerror or exc}", highlight=False)
        raise typer.Exit(2) from None
    resolved = updated.resolve(entry.full_name)
    assert resolved is not None
    shorts = "、".join(resolved.short_names) or "无"
    typer.echo(f"已写入 {path.name}：{resolved.full_name}（简称：{shorts}）")
