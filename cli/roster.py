"""``docgen roster``: read a roster, validate it, list its pair groups (or print them as JSON)."""

from __future__ import annotations

import json
import sys
from typing import Annotated, Any

import typer

from cli.common import ExistingFile, fail, load_roster
from docgen.chinese import join_names
from docgen.errors import DocgenError
from docgen.model import Roster


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


def roster(
    file: ExistingFile,
    as_json: Annotated[bool, typer.Option("--json", help="以 JSON 输出结对组")] = False,
) -> None:
    """读取花名册（xlsx、csv 或通知原文），校验并列出结对组。"""
    try:
        parsed = load_roster(file)
    except DocgenError as exc:
        raise fail(exc) from None
    if as_json:
        sys.stdout.write(json.dumps(roster_json(parsed), ensure_ascii=False, indent=2) + "\n")
        return
    for g in parsed.groups:
        sides = f"{join_names(s.name for s in g.supporting)} → {join_names(s.name for s in g.supported)}"
        extra = " ".join(x for x in (g.level.value if g.level else "", g.effective_stage or "") if x)
        typer.echo(f"{g.label}  {sides}  {extra}".rstrip())
    typer.echo(f"共 {len(parsed.groups)} 个结对组")
