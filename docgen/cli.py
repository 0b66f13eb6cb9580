"""``docgen`` on the command line: a thin translation of the services into arguments and exit codes."""

from __future__ import annotations

import json
import os
import sys
import time
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.console import Console
from rich.progress import (
    BarColumn,
    MofNCompleteColumn,
    Progress,
    TextColumn,
    TimeElapsedColumn,
    TimeRemainingColumn,
)

from docgen.batch import generate_batch, load_templates
from docgen.chinese import join_names
from docgen.context import agreement_context
from docgen.errors import DocgenError, ProgramError
from docgen.extraction import InputKind
from docgen.files import program_for_roster, template_reader
from docgen.model import Program, Roster
from docgen.output import DirectorySink
from docgen.render.docx import CompiledTemplate
from docgen.roster import read_roster
from docgen.template_check import SAMPLE_GROUP, check_template

app = typer.Typer(help="docgen：学校结对帮扶文书生成（花名册 → 协议书 DOCX + PDF）", no_args_is_help=True)
template_app = typer.Typer(help="模板工具", no_args_is_help=True)
app.add_typer(template_app, name="template")

err = Console(stderr=True)
ExistingFile = Annotated[Path, typer.Argument(exists=True, dir_okay=False, readable=True)]
TemplatesDir = Annotated[
    Path | None,
    typer.Option(
        "--templates", exists=True, file_okay=False, help="内置模板目录（默认使用 docgen 自带的模板）"
    ),
]


def _fail(exc: DocgenError) -> typer.Exit:
    """Print ``exc`` (it names the file, row or key) and give the exit for a bad input."""
    err.print(f"[red]错误[/red] {exc}", highlight=False)
    return typer.Exit(2)


def _load_roster(path: Path) -> Roster:
    """xlsx, csv or the notice text — or a returned 安排表 as docx, PDF, scan or photo."""
    data = path.read_bytes()
    from extractors import detect_kind

    if isinstance(detect_kind(data), InputKind):
        from extractors import read_roster_form

        return read_roster_form(data, path.name)
    return read_roster(data, path.name)


def roster_json(roster: Roster) -> list[dict[str, Any]]:
    """The shape ``docgen roster --json`` prints; scripts depend on it (docs/roster.md)."""
    return [
        {
            "number": g.number,
            "supporting": [s.name for s in g.supporting],
            "supported": [s.name for s in g.supported],
            "level": g.level.value if g.level else None,
            "stage": g.effective_stage.value if g.effective_stage else None,
            "coordinator": g.coordinator or None,
            "schools": [s.as_dict() for s in g.schools],
            "source": g.source,
        }
        for g in roster.groups
    ]


@app.command()
def roster(
    file: ExistingFile,
    as_json: Annotated[bool, typer.Option("--json", help="以 JSON 输出结对组")] = False,
) -> None:
    """读取花名册（xlsx、csv 或通知原文），校验并列出结对组。"""
    try:
        parsed = _load_roster(file)
    except DocgenError as exc:
        raise _fail(exc) from None
    if as_json:
        sys.stdout.write(json.dumps(roster_json(parsed), ensure_ascii=False, indent=2) + "\n")
        return
    for g in parsed.groups:
        sides = f"{join_names(s.name for s in g.supporting)} → {join_names(s.name for s in g.supported)}"
        extra = " ".join(x for x in (g.level.value if g.level else "", g.effective_stage or "") if x)
        typer.echo(f"{g.label}  {sides}  {extra}".rstrip())
    typer.echo(f"共 {len(parsed.groups)} 个结对组")


@app.command()
def generate(
    roster_file: ExistingFile,
    out: Annotated[Path, typer.Option("--out", help="输出目录（重复运行会续做未完成的文书）")],
    program: Annotated[
        Path | None, typer.Option("--program", exists=True, dir_okay=False, help="项目文件 program.yaml")
    ] = None,
    no_pdf: Annotated[bool, typer.Option("--no-pdf", help="只生成 DOCX")] = False,
    no_forms: Annotated[bool, typer.Option("--no-forms", help="不生成空白表单（只生成协议）")] = False,
    kind: Annotated[list[str] | None, typer.Option("--kind", help="只生成某种协议（可重复）")] = None,
    workers: Annotated[int, typer.Option(help="LibreOffice 转换进程数")] = 2,
    templates_dir: TemplatesDir = None,
) -> None:
    """为每个结对组生成每种协议和项目列出的空白表单（DOCX + PDF），打包为 ZIP 并附清单。"""
    parsed, prog, templates = _batch_inputs(roster_file, program, templates_dir)
    sink = _sink(out, prog.key)
    _run_batch(prog, parsed, templates, sink, no_pdf, workers, kinds=kind, with_forms=not no_forms)


@app.command()
def forms(
    roster_file: ExistingFile,
    out: Annotated[Path, typer.Option("--out", help="输出目录（重复运行会续做未完成的表单）")],
    program: Annotated[
        Path | None, typer.Option("--program", exists=True, dir_okay=False, help="项目文件 program.yaml")
    ] = None,
    form: Annotated[list[str] | None, typer.Option("--form", help="只生成某种表单（可重复）")] = None,
    no_pdf: Annotated[bool, typer.Option("--no-pdf", help="只生成 DOCX")] = False,
    workers: Annotated[int, typer.Option(help="LibreOffice 转换进程数")] = 2,
    templates_dir: TemplatesDir = None,
) -> None:
    """只生成空白表单：每个结对组（回执为每所学校）一份，预填校名，带二维码和表单识别码。"""
    parsed, prog, templates = _batch_inputs(roster_file, program, templates_dir, forms_required=True)
    sink = _sink(out, f"{prog.key}-forms")
    _run_batch(prog, parsed, templates, sink, no_pdf, workers, kinds=[], with_forms=True, forms=form)


def _batch_inputs(
    roster_file: Path, program: Path | None, templates_dir: Path | None, *, forms_required: bool = False
) -> tuple[Roster, Program, dict[str, CompiledTemplate]]:
    """The roster, its program and the compiled templates; any problem ends the command with exit 2."""
    try:
        parsed = _load_roster(roster_file)
        prog, program_dir = program_for_roster(roster_file, program, templates_dir)
        if forms_required and not prog.forms:
            message = "本项目没有列出要下发的表单（在 program.yaml 中写 forms: [filing, …]）"
            raise ProgramError(message, source=prog.key, key="forms")
        templates = load_templates(prog, template_reader(program_dir, builtin=templates_dir))
    except DocgenError as exc:
        raise _fail(exc) from None
    return parsed, prog, templates


def _sink(out: Path, archive_name: str) -> DirectorySink:
    """The output directory as a sink; one that cannot be created (a file in the way, no permission) exits 2."""
    try:
        return DirectorySink(out, archive_name)
    except OSError as exc:
        err.print(f"[red]错误[/red] 无法使用输出目录 {out}：{exc.strerror or exc}", highlight=False)
        raise typer.Exit(2) from None


def _run_batch(
    prog: Program,
    parsed: Roster,
    templates: dict[str, CompiledTemplate],
    sink: DirectorySink,
    no_pdf: bool,
    workers: int,
    **selection: Any,
) -> None:
    """Run one batch with a progress bar; print the summary and the ZIP; exit 1 when a document failed."""
    started = time.perf_counter()
    columns = (
        TextColumn("生成文书"),
        BarColumn(),
        MofNCompleteColumn(),
        TextColumn("{task.fields[rate]}"),
        TimeElapsedColumn(),
        TextColumn("剩余"),
        TimeRemainingColumn(),
    )
    with sink, Progress(*columns, console=err, transient=False) as progress:  # sink: its journal is closed
        task = progress.add_task("batch", total=None, rate="")

        def on_progress(done: int, total: int) -> None:
            elapsed = max(time.perf_counter() - started, 1e-6)
            progress.update(task, completed=done, total=total, rate=f"{done / elapsed:.1f} 份/秒")

        try:
            if no_pdf:
                report = generate_batch(prog, parsed, templates, sink, on_progress=on_progress, **selection)
            else:
                from docgen.render.pdf import ConverterPool

                with ConverterPool(workers=workers) as pool:
                    report = generate_batch(
                        prog, parsed, templates, sink, converter=pool, on_progress=on_progress, **selection
                    )
        except DocgenError as exc:
            raise _fail(exc) from None
    err.print(
        f"计划 {report.planned} 份，新生成 {report.generated} 份，沿用上次 {report.skipped} 份，"
        f"失败 {len(report.failures)} 份，用时 {time.perf_counter() - started:.1f} 秒",
        highlight=False,
    )
    for key, reason in report.failures:
        err.print(f"[red]失败[/red] {key}: {reason}", highlight=False)
    typer.echo(f"ZIP: {report.archive}")
    if report.failures:
        raise typer.Exit(1)


@template_app.command("check")
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
        group = _load_roster(roster_file).groups[0] if roster_file is not None else SAMPLE_GROUP
        result = check_template(compiled, agreement_context(prog, group, chosen))
    except DocgenError as exc:
        raise _fail(exc) from None
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


_EXIT_CODE = {"complete": 0, "needs_review": 1, "unreadable": 2}


@app.command()
def extract(
    file: ExistingFile,
    as_json: Annotated[bool, typer.Option("--json", help="以 JSON 输出（格式见 docs/extraction.md）")] = False,
) -> None:
    """读取交回的表格（docx、PDF、扫描件或照片）。退出码：0 完整，1 待审核，2 无法读取。"""
    from extractors import extract as extract_file

    result = extract_file(file)
    if as_json:
        sys.stdout.write(json.dumps(result.to_json(), ensure_ascii=False, indent=2) + "\n")
    else:
        typer.echo(f"文件：{result.source}（{result.input_kind.value}，{result.pages} 页）")
        typer.echo(f"表格：{result.form or '未识别'}")
        typer.echo(f"识别码：{result.identity.code if result.identity else '无'}")
        typer.echo(f"状态：{result.status.label}")
        for key, value in result.fields.items():
            typer.echo(f"  {result.label(key)}：{value.raw}")
        for t in result.tables:
            typer.echo(f"明细 {len(t.rows)} 行：{' | '.join(t.columns)}")
            for k, row in enumerate(t.rows, start=1):
                shown = " | ".join(v.raw.replace("\n", " ") for v in row)
                typer.echo(f"  {k}. {shown}")
        for problem in result.problems:
            where = " ".join(x for x in (problem.field, f"第{problem.row}行" if problem.row else None) if x)
            typer.echo(f"问题：{where + '：' if where else ''}{problem.message}")
    raise typer.Exit(_EXIT_CODE[result.status.value])


@app.command()
def serve(
    host: Annotated[str, typer.Option(help="监听地址")] = "127.0.0.1",
    port: Annotated[int, typer.Option(help="端口")] = 8000,
    data: Annotated[
        Path | None, typer.Option("--data", help="数据目录（数据库、文件存储）；默认 DOCGEN_DATA_DIR 或 ./var")
    ] = None,
    create_admin: Annotated[
        str | None, typer.Option("--create-admin", help="先创建这个管理员账号（交互输入密码），再启动服务")
    ] = None,
) -> None:
    """启动 HTTP 服务（API 文档 /docs，网页界面 /）。"""
    import uvicorn

    from api.app import create_app
    from api.settings import Settings

    settings = Settings(data_dir=data) if data is not None else Settings()
    os.umask(0o077)  # the database, blobs, secret and scratch files of the service are its own (docs/security.md)
    if create_admin:
        from api.db import Database, migrate
        from api.services.accounts import ensure_admin
        from api.services.errors import Invalid
        from api.services.passwords import PasswordHasherGate

        password = typer.prompt(f"管理员 {create_admin} 的密码", hide_input=True, confirmation_prompt=True)
        db = Database(settings.resolved_database_url())
        migrate(db.engine)
        try:
            with db.session() as s:
                ensure_admin(s, create_admin, password, hasher=PasswordHasherGate())
        except Invalid as exc:
            typer.echo(f"错误：{exc.message}", err=True)  # the password rule (or the username rule), in Chinese
            raise typer.Exit(2) from None
        finally:
            db.dispose()
        typer.echo(f"管理员 {create_admin} 已就绪")
    uvicorn.run(create_app(settings), host=host, port=port, log_level="info")


def main() -> None:  # pragma: no cover - console entry
    app()
