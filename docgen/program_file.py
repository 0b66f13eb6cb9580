"""A program as a file and as a form: the one serializer (Program → the mapping ``docgen.program`` reads),
the program file's text (UTF-8 or GBK), and every loader error in a clerk's words.

``docgen.program.parse_program`` stays the one validator: the web form sends the same mapping a
``program.yaml`` holds (as JSON), and an export is :func:`dump_program_yaml` of the parsed program, so
``parse_program(program_data(p)) == p`` for every program (tests/test_program_file.py checks every sample).
"""

from __future__ import annotations

import re
from dataclasses import MISSING, fields
from enum import Enum
from typing import Any

import yaml

from docgen.errors import ProgramError
from docgen.model import GroupPolicy, PartyTerms, Program, Reporting, ReportRule, Side, Signatories, Target
from docgen.program import _Loader, parse_program_yaml

# The side codes the loader reads (docgen.program._SIDES also takes 支援/受援); written as the English code.
SIDE_CODES = {Side.SUPPORTING: "supporting", Side.SUPPORTED: "supported"}

# ---------------------------------------------------------------------------------------------- serializer


def _term(kind_term: Any) -> dict[str, Any]:
    out: dict[str, Any] = {}
    if kind_term.years is not None:
        out["years"] = kind_term.years
    if kind_term.start is not None:
        out["start"] = kind_term.start
    if kind_term.end is not None:
        out["end"] = kind_term.end
    return out


def plain(value: Any) -> Any:
    """``params`` as plain YAML data (mappings and tuples become dicts and lists)."""
    if isinstance(value, dict) or hasattr(value, "items"):
        return {str(k): plain(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [plain(v) for v in value]
    return value


def program_data(program: Program) -> dict[str, Any]:
    """The mapping a ``program.yaml`` holds for ``program`` (dates as :class:`datetime.date`), in the order the
    samples write it; what equals the loader's default is left out. ``parse_program`` of it gives ``program``."""
    out: dict[str, Any] = {"key": program.key, "name": program.name}
    for name in ("document_number", "issuer", "notice_title"):
        if getattr(program, name):
            out[name] = getattr(program, name)
    for name in ("issued_on", "period_start", "period_end"):
        if getattr(program, name) is not None:
            out[name] = getattr(program, name)
    if program.party_terms != PartyTerms():
        out["party_terms"] = {f.name: getattr(program.party_terms, f.name) for f in fields(PartyTerms)}
    if program.group_policy is not GroupPolicy.JOINT:
        out["group_policy"] = program.group_policy.value
    if program.default_stage is not None:
        out["default_stage"] = program.default_stage.value
    if program.school_names_file:
        out["school_names"] = program.school_names_file
    bureaus = []
    for b in program.bureaus:
        item: dict[str, Any] = {"name": b.name, "side": SIDE_CODES[b.side]}
        if b.party_office:
            item["party_office"] = b.party_office
        if not b.keeps_copy:
            item["keeps_copy"] = False
        bureaus.append(item)
    out["bureaus"] = bureaus
    agreements = []
    for kind in program.agreements:
        a: dict[str, Any] = {"key": kind.key, "title": kind.title, "template": kind.template}
        term = _term(kind.term)
        if term:
            a["term"] = term
        a["copy_holders"] = list(kind.copy_holders)
        if kind.signatories is not Signatories.SCHOOLS:
            a["signatories"] = kind.signatories.value
        if kind.params:
            a["params"] = plain(kind.params)
        agreements.append(a)
    out["agreements"] = agreements
    if program.forms:
        out["forms"] = list(program.forms)
    if program.forms_heading:
        out["forms_heading"] = program.forms_heading
    reporting: dict[str, Any] = {}
    for f in fields(Reporting):
        value = getattr(program.reporting, f.name)
        if value:
            reporting[f.name] = list(value) if isinstance(value, tuple) else value
    if reporting:
        out["reporting"] = reporting
    tasks = []
    for t in program.tasks:
        task: dict[str, Any] = {"key": t.key, "title": t.title}
        if t.due is not None:
            task["due"] = t.due
        if t.min_per_year is not None:
            task["min_per_year"] = t.min_per_year
        if t.optional:
            task["optional"] = True
        if t.recipient:
            task["to"] = t.recipient
        if t.form:
            task["form"] = t.form
        tasks.append(task)
    if tasks:
        out["tasks"] = tasks
    if program.targets:
        out["targets"] = [_entry(target) for target in program.targets]
    if program.reports:
        out["reports"] = [_entry(report) for report in program.reports]
    return out


def _entry(item: Target | ReportRule) -> dict[str, Any]:
    """A target or report rule as its ``program.yaml`` entry: every field that differs from its default, enums
    as their codes and tuples as lists (the loader reads both back: docgen.program._targets, _reports)."""
    out: dict[str, Any] = {}
    for f in fields(item):
        value = getattr(item, f.name)
        if f.default is not MISSING and value == f.default:
            continue
        if isinstance(value, Enum):
            value = value.value
        out[f.name] = list(value) if isinstance(value, tuple) else value
    return out


def json_data(program: Program) -> dict[str, Any]:
    """:func:`program_data` with dates as ``YYYY-MM-DD`` text: what the web form edits (JSON has no dates)."""
    out: dict[str, Any] = _iso(program_data(program))
    return out


def _iso(value: Any) -> Any:
    if isinstance(value, dict):
        return {k: _iso(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_iso(v) for v in value]
    return value.isoformat() if hasattr(value, "isoformat") else value


class _Dumper(yaml.SafeDumper):
    """Block style, Chinese as itself, no line folding: a clerk can open the file in Notepad and read it."""


def _str(dumper: yaml.SafeDumper, value: str) -> yaml.Node:
    return dumper.represent_scalar("tag:yaml.org,2002:str", value, style="|" if "\n" in value else None)


_Dumper.add_representer(str, _str)


def dump_program_yaml(program: Program) -> str:
    """The program file of ``program`` (UTF-8 text): ``parse_program_yaml`` of it gives ``program`` again."""
    header = f"# {program.name}（项目文件，由结对帮扶文书服务导出；格式见 docs/programs.md）\n"
    body = yaml.dump(program_data(program), Dumper=_Dumper, allow_unicode=True, sort_keys=False, width=10_000)
    return header + body


# ---------------------------------------------------------------------------------------------- reading


def decode_program_file(data: bytes, name: str = "program.yaml") -> str:
    """The text of an uploaded program file: UTF-8 (with or without BOM), else GBK/GB18030 (what Notepad
    on a Chinese Windows saves); :class:`ProgramError` when it is neither."""
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError:
        pass
    try:
        return data.decode("gb18030")
    except UnicodeDecodeError:
        raise ProgramError(
            "文件编码无法识别（应为 UTF-8 或 GBK）：请在记事本中“另存为”并选择 UTF-8 编码", source=name
        ) from None


def load_program_file(data: bytes, name: str = "program.yaml") -> Program:
    """Parse an uploaded program file (UTF-8 or GBK). Its :class:`ProgramError` names the line and the field in
    Chinese (:func:`describe`) — never the YAML parser's English."""
    text = decode_program_file(data, name)
    try:
        return parse_program_yaml(text, source=name)
    except ProgramError as exc:
        raise ProgramError(exc.message, source=name, key=where(text, exc.key)) from None


# ---------------------------------------------------------------------------------------------- words

_NAMES = {
    "key": "代号",
    "name": "名称",
    "document_number": "文号",
    "issuer": "发文单位",
    "notice_title": "通知标题",
    "issued_on": "发文日期",
    "period_start": "工作开始日期",
    "period_end": "工作结束日期",
    "party_terms": "双方称谓",
    "supporting": "支援方称谓",
    "supported": "受援方称谓",
    "first": "甲方称谓",
    "second": "乙方称谓",
    "group_policy": "多校结对的协议方式",
    "default_stage": "默认学段",
    "school_names": "学校全称表",
    "bureaus": "教育局",
    "side": "所在一方",
    "party_office": "党办名称",
    "keeps_copy": "是否留存协议",
    "agreements": "协议种类",
    "title": "标题",
    "template": "模板",
    "term": "期限",
    "years": "年数",
    "start": "开始日期",
    "end": "结束日期",
    "copy_holders": "协议持有方",
    "signatories": "签署方",
    "params": "模板参数",
    "forms": "下发表单",
    "forms_heading": "表单标题开头",
    "reporting": "报送要求",
    "activity": "活动名称",
    "activity_label": "备案表活动栏名称",
    "filing_offices": "备案科室",
    "report_offices": "上报科室",
    "report_within": "上报时限",
    "email_group": "电子邮件群",
    "email": "电子邮箱",
    "staff": "人员称呼",
    "tasks": "任务清单",
    "due": "截止日期",
    "min_per_year": "每年至少次数",
    "optional": "是否自选",
    "to": "报送对象",
    "form": "回收表单",
}
_ROOT_NAMES = {"key": "项目代号", "name": "项目名称"}
_STEP = re.compile(r"([A-Za-z_]+)(?:\[(\d+)\])?")


def field_words(key: str | None) -> str:
    """A loader key path in words: ``agreements[0].term.start`` → ``协议种类第1项 · 期限 · 开始日期``."""
    if not key:
        return ""
    words = []
    for depth, step in enumerate(key.split(".")):
        m = _STEP.fullmatch(step)
        if m is None:
            words.append(step)
            continue
        name, index = m.group(1), m.group(2)
        word = (_ROOT_NAMES if depth == 0 else {}).get(name) or _NAMES.get(name, name)
        words.append(f"{word}第{int(index) + 1}项" if index is not None else word)
    return " · ".join(words)


def _path(key: str) -> list[str | int]:
    steps: list[str | int] = []
    for step in key.split("."):
        m = _STEP.fullmatch(step)
        if m is None:
            return []
        steps.append(m.group(1))
        if m.group(2) is not None:
            steps.append(int(m.group(2)))
    return steps


def line_of(text: str, key: str) -> int | None:
    """The 1-based line of ``key`` (a loader key path) in the YAML ``text``; the deepest line found on the way
    (``agreements[0].term`` when ``term`` has no ``start``); None when the text cannot be composed."""
    try:
        node = yaml.compose(text, Loader=_Loader)
    except yaml.YAMLError:
        return None
    line = None
    for step in _path(key):
        if isinstance(node, yaml.MappingNode) and isinstance(step, str):
            found = next(((k, v) for k, v in node.value if isinstance(k, yaml.ScalarNode) and k.value == step), None)
            if found is None:
                break
            line, node = found[0].start_mark.line + 1, found[1]
        elif isinstance(node, yaml.SequenceNode) and isinstance(step, int) and step < len(node.value):
            node = node.value[step]
            line = node.start_mark.line + 1
        else:
            break
    return line


def where(text: str, key: str | None) -> str | None:
    """Where a loader error is, in words: ``第12行 · 协议种类第1项 · 期限 · 开始日期``. A YAML error's key is
    already ``第N行``."""
    if not key or key.startswith("第"):
        return key
    line = line_of(text, key)
    words = field_words(key)
    return f"第{line}行 · {words}" if line is not None else words


def describe(error: ProgramError) -> str:
    """A loader error for a clerk: ``协议种类第1项 · 期限 · 开始日期：日期应写作 2019-04-01``."""
    key = error.key or ""
    shown = key if key.startswith("第") else field_words(key)
    return f"{shown}：{error.message}" if shown else error.message


__all__ = [
    "decode_program_file",
    "describe",
    "dump_program_yaml",
    "field_words",
    "json_data",
    "line_of",
    "load_program_file",
    "plain",
    "program_data",
    "where",
]
