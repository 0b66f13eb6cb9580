"""``docgen report``: a periodic report (monthly 工作进展, half-year 总结) from the returned forms, as DOCX + PDF.

The rules are the domain's (docgen/reports.py, docgen/targets.py); this reads the roster, the program and the
returned forms (``docgen extract --json`` output, or the forms themselves), and writes the report. A form
counts for the pair its identity code names, and arrived on the day its file was last modified.
"""

from __future__ import annotations

import json
import re
from datetime import date
from pathlib import Path
from typing import Annotated

import typer

from cli.common import ExistingFile, ProgramFile, TemplatesDir, err, fail, load_roster
from docgen.errors import DocgenError, ProgramError
from docgen.extraction import Extraction
from docgen.files import program_for_roster, template_reader
from docgen.ledger import ReturnedForm
from docgen.render.docx import CompiledTemplate
from docgen.reports import REPORT_TEMPLATE, Reported, build_report, find_rule, render_report, report_span

_PERIOD = re.compile(r"(\d{4})-(?:(\d{1,2})|H([12]))")


def _period(text: str) -> tuple[int, int]:
    """``2019-05`` (a month) or ``2019-H1`` (a half-year) → (year, part); exit 2 otherwise."""
    m = _PERIOD.fullmatch(text.strip())
    if m is None:
        err.print(f"[red]错误[/red] --period 应写作 2019-05（月）或 2019-H1（上半年）/2019-H2，实际为 {text!r}")
        raise typer.Exit(2)
    return int(m.group(1)), int(m.group(2) or m.group(3))


def _returned(path: Path) -> ReturnedForm:
    """One returned form: a ``docgen extract --json`` file, or the form itself (read now)."""
    if path.suffix.lower() == ".json":
        try:
            extraction = Extraction.from_json(json.loads(path.read_text("utf-8")))
        except (ValueError, KeyError) as exc:
            err.print(f"[red]错误[/red] {path.name}：不是 docgen extract --json 的输出（{exc}）", highlight=False)
            raise typer.Exit(2) from None
    else:
        from docgen.extract import extract
        from extractors import read  # OCR models load only when a form itself is given

        extraction = extract(path.read_bytes(), path.name, reader=read)
    pair = extraction.identity.pair if extraction.identity else None
    return ReturnedForm(pair, extraction, date.fromtimestamp(path.stat().st_mtime))


def report(
    roster_file: ExistingFile,
    returned: Annotated[list[Path], typer.Argument(exists=True, dir_okay=False, help="交回的表格或其 JSON")],
    period: Annotated[str, typer.Option("--period", help="期间：2019-05（月）或 2019-H1 / 2019-H2（半年）")],
    out: Annotated[Path, typer.Option("--out", help="输出目录")],
    kind: Annotated[str, typer.Option("--kind", help="报告种类：monthly（每月）或 half_year（半年）")] = "monthly",
    program: ProgramFile = None,
    no_pdf: Annotated[bool, typer.Option("--no-pdf", help="只生成 DOCX")] = False,
    templates_dir: TemplatesDir = None,
) -> None:
    """由交回的统计表生成定期报告（每月工作进展、半年工作总结）：报送情况、开展的活动、目标完成情况。"""
    year, part = _period(period)
    try:
        roster = load_roster(roster_file)
        prog, program_dir = program_for_roster(roster_file, program, templates_dir)
        rule = find_rule(prog, kind)
        span = report_span(rule, year, part)
        template = CompiledTemplate.compile(
            template_reader(program_dir, builtin=templates_dir)(REPORT_TEMPLATE), REPORT_TEMPLATE
        )
    except ValueError as exc:
        raise fail(ProgramError(str(exc), key="--period")) from None
    except DocgenError as exc:
        raise fail(exc) from None
    forms = [_returned(path) for path in returned]
    built = build_report(prog, rule, roster.units(prog.group_policy), forms, span)
    converter = None
    try:
        if not no_pdf:
            from docgen.render.pdf import ConverterPool

            converter = ConverterPool(workers=1)
        rendered = render_report(prog, built, template, converter=converter)
    except DocgenError as exc:
        raise fail(exc) from None
    finally:
        if converter is not None:
            converter.close()
    out.mkdir(parents=True, exist_ok=True)
    (out / f"{rendered.name}.docx").write_bytes(rendered.docx)
    if rendered.pdf is not None:
        (out / f"{rendered.name}.pdf").write_bytes(rendered.pdf)
    counts = [len(built.with_status(s)) for s in Reported]
    typer.echo(f"报告：{rendered.name}（{out}）")
    typer.echo(f"结对 {len(built.pairs)} 个：按时报送 {counts[0]}，逾期报送 {counts[1]}，未报送 {counts[2]}；"
               f"活动 {len(built.activities)} 项")
    typer.echo("校对：无问题" if not rendered.proof.findings else f"校对：{rendered.proof.summary()}")
    raise typer.Exit(0 if rendered.proof.ok else 1)
