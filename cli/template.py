"""``docgen template check``: what a template needs against what the data offers, before any rendering."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from cli.common import ExistingFile, TemplatesDir, fail, load_roster
from docgen.context import agreement_context
from docgen.errors import DocgenError
from docgen.files import program_for_roster
from docgen.render.docx import CompiledTemplate
from docgen.template_check import SAMPLE_GROUP, check_template

app = typer.Typer(help="模板工具", no_args_is_help=True)


@app.command("check")
def template_check(
    file: ExistingFile,
    program: Annotated[
        Path | None, typer.Option("--program", exists=True, dir_okay=False, help="用这个项目的数据核对")
    ] = None,
    roster_file: Annotated[
        Path | None, typer.Option("--roster", exists=True, dir_okay=False, help="用这个花名册的第一组核对")
    ] = None,
    kind: Annotated[str | None, typer.Option("--kind", help="协议种类（默认按模板文件名匹配）")] = None,
    templates_dir: TemplatesDir = None,
) -> None:
    """渲染前检查模板：列出数据中缺少的变量、不安全的写法和数据提供但模板未用的变量。"""
    try:
        compiled = CompiledTemplate.compile(file.read_bytes(), file.name)
        prog, _ = program_for_roster(roster_file or file, program, templates_dir)
        chosen = (
            prog.agreement(kind)
            if kind
            else next((k for k in prog.agreements if k.template.removesuffix(".docx") == file.stem), prog.agreements[0])
        )
        group = load_roster(roster_file).groups[0] if roster_file is not None else SAMPLE_GROUP
        result = check_template(compiled, agreement_context(prog, group, chosen))
    except DocgenError as exc:
        raise fail(exc) from None
    typer.echo(f"模板 {file.name}：使用 {len(result.used)} 个变量（按“{chosen.title}”的数据核对）")
    if result.missing:
        typer.echo("数据中缺少（渲染会失败）：")
        for v in result.missing:
            typer.echo(f"  {v.path}    位置：{v.where}")
    else:
        typer.echo("数据中缺少：无")
    for v in result.unsafe:
        typer.echo(f"不安全（访问内部属性 {v.path}，渲染会被拒绝）    位置：{v.where}")
    typer.echo("数据提供但模板未使用：")
    for path in result.unused:
        typer.echo(f"  {path}")
    if not result.ok:
        raise typer.Exit(1)
