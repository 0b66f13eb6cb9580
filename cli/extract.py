"""``docgen extract``: read one returned form (docx, PDF, scan or photo); the exit code is its status."""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Annotated

import typer

from cli.common import ExistingFile, fail, load_roster

_EXIT_CODE = {"complete": 0, "needs_review": 1, "unreadable": 2}


def extract(
    file: ExistingFile,
    as_json: Annotated[bool, typer.Option("--json", help="以 JSON 输出（格式见 docs/extraction.md）")] = False,
    program: Annotated[
        Path | None,
        typer.Option(
            "--program", exists=True, dir_okay=False, help="项目文件（默认：文件旁的 program.yaml，否则内置默认项目）"
        ),
    ] = None,
    roster: Annotated[
        Path | None,
        typer.Option(
            "--roster", exists=True, dir_okay=False,
            help="花名册：表单识别码指明的结对学校名称用来核对识别不确定的校名（盖章处等）",
        ),
    ] = None,
) -> None:
    """读取交回的表格（docx、PDF、扫描件或照片）。退出码：0 完整，1 待审核，2 无法读取。"""
    from docgen.errors import DocgenError
    from docgen.extract import extract as extract_file
    from docgen.files import program_for_roster
    from docgen.forms import load_schemas
    from docgen.forms.generate import printed_texts
    from docgen.pair_names import checked_by_pair, schools_of
    from extractors import read  # OCR models load only for this command

    # the program's blank forms print instructions (the 统计表's 备注): they are not values the school wrote
    chosen, _ = program_for_roster(file, program)
    printed = printed_texts(chosen, load_schemas())
    units = None
    if roster is not None:  # read first: a roster that cannot be used fails before the slow reading
        try:
            units = load_roster(roster).units(chosen.group_policy)
        except DocgenError as exc:
            raise fail(exc) from None
    result = extract_file(file.read_bytes(), file.name, reader=read, printed=printed)
    if units is not None:  # a school's name read unsure under a seal, read again from the roster
        result = checked_by_pair(result, schools_of(units, result.identity, chosen.key))
    if as_json:
        sys.stdout.write(json.dumps(result.to_json(), ensure_ascii=False, indent=2) + "\n")
    else:
        from docgen.forms import load_schemas

        schema = load_schemas().get(result.form or "")
        # words, never codes: the input kind's label and the form's title
        typer.echo(f"文件：{result.source}（{result.input_kind.label}，{result.pages} 页）")
        typer.echo(f"表格：{schema.title if schema is not None else (result.form or '未识别')}")
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
