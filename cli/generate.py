"""``docgen generate`` and ``docgen forms``: a roster in, agreements and blank forms (DOCX + PDF, ZIP) out.

Both are one call of ``docgen.batch.generate_batch`` into a ``DirectorySink``; this module only reads the
inputs, shows progress and turns the report into an exit code (0 all done, 1 a document failed, 2 bad input).
"""

from __future__ import annotations

import time
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.progress import (
    BarColumn,
    MofNCompleteColumn,
    Progress,
    TextColumn,
    TimeElapsedColumn,
    TimeRemainingColumn,
)

from cli.common import ExistingFile, ProgramFile, TemplatesDir, err, fail, load_roster
from cli.schools import with_school_names
from docgen.batch import generate_batch, load_templates, plan_batch
from docgen.errors import DocgenError, ProgramError
from docgen.files import program_for_roster, template_reader
from docgen.model import Program, Roster
from docgen.output import DirectorySink
from docgen.render.docx import CompiledTemplate

NoPdf = Annotated[bool, typer.Option("--no-pdf", help="只生成 DOCX")]
Workers = Annotated[int, typer.Option(help="LibreOffice 转换进程数")]
Strict = Annotated[
    bool, typer.Option("--strict", help="花名册有任何问题行就不生成（默认：只为有效的结对组生成，并列出问题）")
]


def generate(
    roster_file: ExistingFile,
    out: Annotated[Path, typer.Option("--out", help="输出目录（重复运行会续做未完成的文书）")],
    program: ProgramFile = None,
    no_pdf: NoPdf = False,
    no_forms: Annotated[bool, typer.Option("--no-forms", help="不生成空白表单（只生成协议）")] = False,
    kind: Annotated[list[str] | None, typer.Option("--kind", help="只生成某种协议（可重复）")] = None,
    workers: Workers = 2,
    templates_dir: TemplatesDir = None,
    final: Annotated[
        bool,
        typer.Option("--final", help="正式稿：有任何草稿（校名或党组织名称为简称、占位符或缺失）则不生成，退出码 2"),
    ] = False,
    strict: Strict = False,
) -> None:
    """为每个结对组生成每种协议和项目列出的空白表单（DOCX + PDF），打包为 ZIP 并附清单。"""
    parsed, prog, templates = _batch_inputs(roster_file, program, templates_dir, strict=strict)
    if final:
        _refuse_drafts(prog, parsed, kind, with_forms=not no_forms)
    sink = _sink(out, prog.key)
    _run_batch(prog, parsed, templates, sink, no_pdf, workers, kinds=kind, with_forms=not no_forms)


def _refuse_drafts(prog: Program, parsed: Roster, kinds: list[str] | None, *, with_forms: bool) -> None:
    """``--final``: a batch with a draft is refused whole, before anything is written (exit 2)."""
    try:
        drafts = [job for job in plan_batch(prog, parsed, kinds, with_forms=with_forms) if job.draft]
    except DocgenError as exc:
        raise fail(exc) from None
    if not drafts:
        return
    err.print(
        f"[red]错误[/red] 有 {len(drafts)} 份协议是草稿（当事方的校名或党组织名称为简称、占位符或缺失），"
        "--final 不生成任何文件：",
        highlight=False,
        soft_wrap=True,
    )
    for job in drafts:
        err.print(f"  {job.key} {job.title}：{'；'.join(job.draft_reasons)}", highlight=False, soft_wrap=True)
    hint = (
        "请用 docgen schools add --program program.yaml --full 全称 --short 简称 --party-org 党组织名称 "
        "补全后再生成。"
    )
    err.print(hint, highlight=False, soft_wrap=True)
    raise typer.Exit(2)


def forms(
    roster_file: ExistingFile,
    out: Annotated[Path, typer.Option("--out", help="输出目录（重复运行会续做未完成的表单）")],
    program: ProgramFile = None,
    form: Annotated[list[str] | None, typer.Option("--form", help="只生成某种表单（可重复）")] = None,
    no_pdf: NoPdf = False,
    workers: Workers = 2,
    templates_dir: TemplatesDir = None,
    strict: Strict = False,
) -> None:
    """只生成空白表单：每个结对组（回执为每所学校）一份，预填校名，带二维码和表单识别码。"""
    parsed, prog, templates = _batch_inputs(roster_file, program, templates_dir, forms_required=True, strict=strict)
    sink = _sink(out, f"{prog.key}-forms")
    _run_batch(prog, parsed, templates, sink, no_pdf, workers, kinds=[], with_forms=True, forms=form)


def _batch_inputs(
    roster_file: Path,
    program: Path | None,
    templates_dir: Path | None,
    *,
    forms_required: bool = False,
    strict: bool = False,
) -> tuple[Roster, Program, dict[str, CompiledTemplate]]:
    """The roster's valid groups (its bad rows listed on stderr; ``strict``: any problem refuses the file), its
    program and the compiled templates; a problem with any of them ends the command with exit 2."""
    try:
        parsed = load_roster(roster_file, strict=strict)
        prog, program_dir = program_for_roster(roster_file, program, templates_dir)
        prog = with_school_names(prog, program_dir)
        if forms_required and not prog.forms:
            message = "本项目没有列出要下发的表单（在 program.yaml 中写 forms: [filing, …]）"
            raise ProgramError(message, source=prog.key, key="forms")
        templates = load_templates(prog, template_reader(program_dir, builtin=templates_dir))
    except DocgenError as exc:
        raise fail(exc) from None
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
            raise fail(exc) from None
    err.print(
        f"计划 {report.planned} 份，新生成 {report.generated} 份，沿用上次 {report.skipped} 份，"
        f"失败 {len(report.failures)} 份，用时 {time.perf_counter() - started:.1f} 秒",
        highlight=False,
    )
    for key, reason in report.failures:
        err.print(f"[red]失败[/red] {key}: {reason}", highlight=False)
    if report.drafts:
        drafts = (
            f"[yellow]草稿[/yellow] {report.drafts} 份协议的当事方校名或党组织名称尚未填全（见 清单.csv 的“草稿”列）"
        )
        err.print(drafts, highlight=False, soft_wrap=True)
    if report.proofread:
        err.print(f"{report.proof_summary()}（清单“校对”列；详情：docgen proof ZIP）", highlight=False)
    for key, summary in report.findings:
        err.print(f"[yellow]校对[/yellow] {key}: {summary}", highlight=False)
    typer.echo(f"ZIP: {report.archive}")
    if report.failures:
        raise typer.Exit(1)
