"""Programs as data: parse a program description (a YAML mapping) into a :class:`Program`.

The parser takes already-loaded data plus the name of where it came from, so errors can say
``program.yaml: agreements[1].term.start: …`` without this module opening files. The format is
documented in ``docs/programs.md``.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from datetime import date, timedelta
from typing import Any

import yaml

from docgen.errors import ProgramError
from docgen.forms import load_schemas
from docgen.forms.schema import ValueType
from docgen.model import (
    AgreementKind,
    Bureau,
    GroupPolicy,
    PartyTerms,
    Program,
    ReportEvery,
    Reporting,
    ReportRule,
    Side,
    Signatories,
    Stage,
    Target,
    TargetMeasure,
    TargetPeriod,
    TargetScope,
    Task,
    Term,
    anniversary,
    whole_years,
)
from docgen.naming import PROGRAM_KEY_RULE, TEMPLATE_NAME_RULE, is_program_key, template_stem

_SIDES = {
    "supporting": Side.SUPPORTING,
    "支援": Side.SUPPORTING,
    "supported": Side.SUPPORTED,
    "受援": Side.SUPPORTED,
}
# Bundled agreement templates whose seal block names the schools' party organisations: the default
# `signatories` of a kind that uses one (a program file may say otherwise).
PARTY_SIGNED_TEMPLATES = frozenset({"party_building"})
_HOLDERS = {"parties", "schools", "bureaus", "bureau_offices", "supporting_region_bureaus"}
# The school name table's file (docgen/school_names.py): a plain .csv name beside program.yaml, no folder.
_SCHOOL_NAMES_FILE = re.compile(r"[^./\\\x00-\x1f][^/\\\x00-\x1f]{0,95}\.csv")


def _key(parent: str, name: str) -> str:
    """The key path of ``name`` under ``parent`` (``agreements[1].term.start``; ``issued_on`` at the root)."""
    return f"{parent}.{name}" if parent else name


class _Reader:
    """Typed access to one program document; every failure is a :class:`ProgramError` naming its key."""

    def __init__(self, source: str) -> None:
        self.source = source

    def fail(self, key: str, message: str) -> ProgramError:
        return ProgramError(message, source=self.source, key=key)

    def mapping(self, data: Any, key: str) -> Mapping[str, Any]:
        if not isinstance(data, Mapping):
            raise self.fail(key, f"应为键值对（mapping），实际为 {type(data).__name__}")
        return data

    def items(self, data: Mapping[str, Any], name: str, key: str = "") -> list[Any] | tuple[Any, ...]:
        """The list under ``name`` (empty when absent); a scalar or mapping there is an error, not a crash."""
        value = data.get(name)
        if value is None or value == "":
            return []
        if not isinstance(value, list | tuple):
            raise self.fail(_key(key, name), f"应为列表，实际为 {value!r}")
        return value

    def text(self, data: Mapping[str, Any], name: str, key: str, *, required: bool = True) -> str:
        value = data.get(name)
        if value is None or value == "":
            if required:
                raise self.fail(_key(key, name), "缺少必填项")
            return ""
        if not isinstance(value, str | int):
            raise self.fail(_key(key, name), f"应为文字，实际为 {value!r}")
        return str(value)

    def date(self, data: Mapping[str, Any], name: str, key: str) -> date | None:
        value = data.get(name)
        if value is None or value == "":
            return None
        if isinstance(value, date):
            return value
        try:
            return date.fromisoformat(str(value))
        except ValueError:
            raise self.fail(_key(key, name), f"日期应写作 2019-04-01，实际为 {value!r}") from None

    def integer(self, data: Mapping[str, Any], name: str, key: str, default: int | None = None) -> int | None:
        value = data.get(name, default)
        if value is None:
            return None
        if isinstance(value, bool) or not isinstance(value, int):
            raise self.fail(_key(key, name), f"应为整数，实际为 {value!r}")
        return value


def _term_length(
    r: _Reader, key: str, years: int | None, start: date | None, end: date | None
) -> tuple[int | None, date | None]:
    """为期N年 and the dates never disagree: with both dates the length is derived from them (a term that is
    not a whole number of years prints no 为期N年), and a ``years`` that says otherwise is an error; with
    ``years`` and a start the end is derived (the day before the N-th anniversary)."""
    if start and end:
        derived = whole_years(start, end)
        if years is not None and years != derived:
            length = f"{derived}年" if derived else "不是整年数"
            raise r.fail(
                f"{key}.years",
                f"为期{years}年与日期 {start}—{end}（{length}）不符：删去 years（由日期推算）或改正日期",
            )
        return derived, end
    if start and years is not None:
        return years, anniversary(start, years) - timedelta(days=1)
    if end and years is not None:
        raise r.fail(f"{key}.start", "给了结束日期和年数，缺少开始日期")
    return years, end


def _party_terms(r: _Reader, root: Mapping[str, Any]) -> PartyTerms:
    """``party_terms:`` — the notice's words for the two sides; each key falls back to the default."""
    raw = r.mapping(root.get("party_terms") or {}, "party_terms")
    unknown = sorted(set(raw) - {"supporting", "supported", "first", "second"})
    if unknown:
        raise r.fail("party_terms", f"未知的键 {unknown}，可选 supporting、supported、first、second")
    default = PartyTerms()
    return PartyTerms(
        **{
            name: r.text(raw, name, "party_terms", required=False) or getattr(default, name)
            for name in ("supporting", "supported", "first", "second")
        }
    )


def parse_program(data: Any, *, source: str = "program") -> Program:
    """Build a :class:`Program` from decoded YAML/JSON data; :class:`ProgramError` names the key."""
    r = _Reader(source)
    root = r.mapping(data, "")

    bureaus = []
    for i, raw in enumerate(r.items(root, "bureaus")):
        key = f"bureaus[{i}]"
        b = r.mapping(raw, key)
        side_text = r.text(b, "side", key)
        if side_text not in _SIDES:
            raise r.fail(f"{key}.side", f"应为 supporting/支援 或 supported/受援，实际为 {side_text!r}")
        keeps_copy = b.get("keeps_copy", True)
        if not isinstance(keeps_copy, bool):
            raise r.fail(f"{key}.keeps_copy", f"应为 true 或 false，实际为 {keeps_copy!r}")
        bureaus.append(
            Bureau(
                r.text(b, "name", key),
                _SIDES[side_text],
                r.text(b, "party_office", key, required=False),
                keeps_copy=keeps_copy,
            )
        )

    agreements = []
    raw_agreements = r.items(root, "agreements")
    if not raw_agreements:
        raise r.fail("agreements", "至少需要一种协议（agreements）")
    for i, raw in enumerate(raw_agreements):
        key = f"agreements[{i}]"
        a = r.mapping(raw, key)
        t = r.mapping(a.get("term") or {}, f"{key}.term")
        years = r.integer(t, "years", f"{key}.term")
        if years is not None and not 1 <= years < 100:  # printed in Chinese numerals (为期五年): cn_number's range
            raise r.fail(f"{key}.term.years", f"应为 1–99 的整数，实际为 {years}")
        start, end = r.date(t, "start", f"{key}.term"), r.date(t, "end", f"{key}.term")
        if start and end and end <= start:
            raise r.fail(f"{key}.term", f"结束日期 {end} 早于开始日期 {start}")
        years, end = _term_length(r, f"{key}.term", years, start, end)
        holders = tuple(r.items(a, "copy_holders", key)) or ("parties", "bureaus")
        unknown = [h for h in holders if not isinstance(h, str) or h not in _HOLDERS]
        if unknown:
            raise r.fail(f"{key}.copy_holders", f"未知的持有方 {unknown}，可选 {sorted(_HOLDERS)}")
        params = r.mapping(a.get("params") or {}, f"{key}.params")
        template = r.text(a, "template", key)
        if template_stem(template) is None:
            # A path is not echoed: the answer must read the same whatever the path names on the server.
            shown = "一个路径" if any(c in template for c in "/\\\x00") else repr(template)
            raise r.fail(f"{key}.template", f"{TEMPLATE_NAME_RULE}；实际为 {shown}")
        # A program file written before `signatories` existed: the bundled party-building agreement is
        # signed by party organisations (its seal block prints them), so its blanks must make it a draft.
        default = Signatories.PARTY_ORGS if template_stem(template) in PARTY_SIGNED_TEMPLATES else Signatories.SCHOOLS
        signatories_text = str(a.get("signatories") or default.value)
        try:
            signatories = Signatories(signatories_text)
        except ValueError:
            choices = "schools（学校签署）或 party_orgs（党组织签署）"
            raise r.fail(f"{key}.signatories", f"应为 {choices}，实际为 {signatories_text!r}") from None
        agreements.append(
            AgreementKind(
                key=r.text(a, "key", key),
                title=r.text(a, "title", key),
                template=template,
                term=Term(years=years, start=start, end=end),
                copy_holders=holders,
                params=dict(params),
                signatories=signatories,
            )
        )
    keys = [a.key for a in agreements]
    if len(set(keys)) != len(keys):
        raise r.fail("agreements", f"协议 key 重复：{keys}")

    tasks = []
    for i, raw in enumerate(r.items(root, "tasks")):
        key = f"tasks[{i}]"
        t = r.mapping(raw, key)
        tasks.append(
            Task(
                key=r.text(t, "key", key),
                title=r.text(t, "title", key),
                due=r.date(t, "due", key),
                min_per_year=r.integer(t, "min_per_year", key),
                optional=bool(t.get("optional", False)),
                recipient=r.text(t, "to", key, required=False),
                form=r.text(t, "form", key, required=False),
            )
        )

    policy_text = str(root.get("group_policy", GroupPolicy.JOINT.value))
    try:
        policy = GroupPolicy(policy_text)
    except ValueError:
        raise r.fail("group_policy", f"应为 joint 或 split，实际为 {policy_text!r}") from None
    stage_text = root.get("default_stage")
    try:
        default_stage = Stage(stage_text) if stage_text else None
    except ValueError:
        raise r.fail("default_stage", f"未知学段 {stage_text!r}，可选 {[s.value for s in Stage]}") from None

    raw_forms = root.get("forms") or []
    if not isinstance(raw_forms, list) or not all(isinstance(f, str) for f in raw_forms):
        raise r.fail("forms", f"应为表单种类的列表（如 [filing, activity_stats]），实际为 {raw_forms!r}")
    known_forms = load_schemas()
    for i, form in enumerate(raw_forms):
        if form not in known_forms:
            raise r.fail(f"forms[{i}]", f"未知的表单种类 {form!r}，可选 {sorted(known_forms)}")
    if len(set(raw_forms)) != len(raw_forms):
        raise r.fail("forms", f"表单种类重复：{raw_forms}")
    for i, task in enumerate(tasks):
        if task.form and task.form not in raw_forms:
            raise r.fail(f"tasks[{i}].form", f"本项目不下发表单 {task.form!r}（forms 中有：{raw_forms}）")

    program_key = r.text(root, "key", "")
    if not is_program_key(program_key):
        raise r.fail("key", f"{PROGRAM_KEY_RULE}；实际为 {program_key!r}")

    school_names_file = r.text(root, "school_names", "", required=False)
    if school_names_file and not _SCHOOL_NAMES_FILE.fullmatch(school_names_file):
        # a file beside program.yaml, never a path: the answer does not echo one
        shown = "一个路径" if any(c in school_names_file for c in "/\\\x00") else repr(school_names_file)
        raise r.fail("school_names", f"应为 program.yaml 同目录下的 .csv 文件名（如 schools.csv），实际为 {shown}")

    return Program(
        key=program_key,
        name=r.text(root, "name", ""),
        bureaus=tuple(bureaus),
        agreements=tuple(agreements),
        tasks=tuple(tasks),
        document_number=r.text(root, "document_number", "", required=False),
        issuer=r.text(root, "issuer", "", required=False),
        notice_title=r.text(root, "notice_title", "", required=False),
        party_terms=_party_terms(r, root),
        issued_on=r.date(root, "issued_on", ""),
        period_start=r.date(root, "period_start", ""),
        period_end=r.date(root, "period_end", ""),
        group_policy=policy,
        default_stage=default_stage,
        forms=tuple(raw_forms),
        school_names_file=school_names_file,
        reporting=_reporting(r, root),
        forms_heading=r.text(root, "forms_heading", "", required=False),
        targets=_targets(r, root),
        reports=_reports(r, root),
    )


def _reporting(r: _Reader, root: Mapping[str, Any]) -> Reporting:
    """``reporting:`` — where schools file forms (see :class:`docgen.model.Reporting`); absent: all empty."""
    raw = r.mapping(root.get("reporting") or {}, "reporting")
    known = {f for f in Reporting.__dataclass_fields__}
    unknown = sorted(str(k) for k in raw if k not in known)
    if unknown:
        raise r.fail("reporting", f"未知的项 {unknown}，可选 {sorted(known)}")

    def offices(name: str) -> tuple[str, ...]:
        items = r.items(raw, name, "reporting")
        if not all(isinstance(o, str) and o for o in items):
            raise r.fail(f"reporting.{name}", f"应为科室名称的列表（如 [人事科, 党委办]），实际为 {items!r}")
        return tuple(items)

    def text(name: str) -> str:
        return r.text(raw, name, "reporting", required=False)

    return Reporting(
        activity=text("activity"),
        activity_label=text("activity_label"),
        filing_offices=offices("filing_offices"),
        report_offices=offices("report_offices"),
        report_within=text("report_within"),
        email_group=text("email_group"),
        email=text("email"),
        staff=text("staff"),
    )


_TARGET_KEYS = {
    "key", "title", "unit", "quantity", "per", "period", "form", "measure", "column", "match", "parts", "note",
    "source",
}
_SCOPES = {
    "program": TargetScope.PROGRAM, "项目": TargetScope.PROGRAM, "pair": TargetScope.PAIR, "结对": TargetScope.PAIR,
}
_PERIODS = {
    "program": TargetPeriod.WHOLE, "项目期": TargetPeriod.WHOLE,
    "year": TargetPeriod.YEAR, "每年": TargetPeriod.YEAR,
    "semester": TargetPeriod.SEMESTER, "每学期": TargetPeriod.SEMESTER,
}
_MEASURES = {
    "rows": TargetMeasure.ROWS, "活动次数": TargetMeasure.ROWS,
    "people": TargetMeasure.PEOPLE, "人数": TargetMeasure.PEOPLE,
    "sum": TargetMeasure.SUM, "合计": TargetMeasure.SUM,
}


def _choice(
    r: _Reader, raw: Mapping[str, Any], name: str, key: str, table: Mapping[str, Any], default: Any
) -> Any:
    """One of ``table``'s values by its English or Chinese name (``default`` when absent)."""
    text = r.text(raw, name, key, required=False)
    if not text:
        return default
    if text not in table:
        raise r.fail(_key(key, name), f"应为 {'、'.join(table)} 之一，实际为 {text!r}")
    return table[text]


def _words(r: _Reader, raw: Mapping[str, Any], name: str, key: str) -> tuple[str, ...]:
    items = r.items(raw, name, key)
    if not all(isinstance(w, str) and w.strip() for w in items):
        raise r.fail(_key(key, name), f"应为词语的列表（如 [支教, 送教]），实际为 {items!r}")
    return tuple(w.strip() for w in items)


def _targets(r: _Reader, root: Mapping[str, Any]) -> tuple[Target, ...]:
    """``targets:`` — the program's quantitative targets (:class:`docgen.model.Target`), each checked against
    the form it counts: the form must be known, the column one of its table's, a ``sum`` column a count."""
    schemas = load_schemas()
    out: list[Target] = []
    for i, raw_target in enumerate(r.items(root, "targets")):
        key = f"targets[{i}]"
        t = r.mapping(raw_target, key)
        unknown = sorted(str(k) for k in t if k not in _TARGET_KEYS)
        if unknown:
            raise r.fail(key, f"未知的项 {unknown}，可选 {sorted(_TARGET_KEYS)}")
        quantity = r.integer(t, "quantity", key)
        if quantity is not None and quantity < 1:
            raise r.fail(f"{key}.quantity", f"应为正整数，实际为 {quantity}")
        form = r.text(t, "form", key, required=False) or "activity_stats"
        schema = schemas.get(form)
        if schema is None or schema.table is None:
            tabled = sorted(k for k, s in schemas.items() if s.table is not None)
            raise r.fail(f"{key}.form", f"未知或没有表格的表单种类 {form!r}，可选 {tabled}")
        measure = _choice(r, t, "measure", key, _MEASURES, TargetMeasure.ROWS)
        column = r.text(t, "column", key, required=False)
        columns = {c.key: c for c in schema.table.columns}
        if measure is not TargetMeasure.ROWS:
            if not column:
                shown = sorted(columns)
                raise r.fail(f"{key}.column", f"按 {measure.value} 计数须指明列（{schema.title}的列：{shown}）")
            if column not in columns:
                raise r.fail(f"{key}.column", f"{schema.title}没有列 {column!r}，可选 {sorted(columns)}")
            if measure is TargetMeasure.SUM and columns[column].type is not ValueType.COUNT:
                raise r.fail(f"{key}.column", f"合计（sum）须用人数、人次类的列，{columns[column].label}不是")
        out.append(
            Target(
                key=r.text(t, "key", key),
                title=r.text(t, "title", key),
                unit=r.text(t, "unit", key),
                quantity=quantity,
                per=_choice(r, t, "per", key, _SCOPES, TargetScope.PROGRAM),
                period=_choice(r, t, "period", key, _PERIODS, TargetPeriod.WHOLE),
                form=form,
                measure=measure,
                column=column,
                match=_words(r, t, "match", key),
                parts=_words(r, t, "parts", key),
                note=r.text(t, "note", key, required=False),
                source=r.text(t, "source", key, required=False),
            )
        )
    keys = [t.key for t in out]
    if len(set(keys)) != len(keys):
        raise r.fail("targets", f"目标 key 重复：{keys}")
    for i, target in enumerate(out):
        for part in target.parts:
            if part == target.key or part not in keys:
                raise r.fail(f"targets[{i}].parts", f"{part!r} 不是本项目的另一个目标（有：{keys}）")
            if out[keys.index(part)].parts:
                raise r.fail(f"targets[{i}].parts", f"{part!r} 本身由其他目标合成，不能再合成")
    return tuple(out)


_EVERY = {
    "month": ReportEvery.MONTH, "每月": ReportEvery.MONTH,
    "half_year": ReportEvery.HALF_YEAR, "每半年": ReportEvery.HALF_YEAR,
}
_REPORT_KEYS = {"key", "title", "every", "due_day", "rollup_day", "reporters", "receiver", "rollup_to", "source"}


def _reports(r: _Reader, root: Mapping[str, Any]) -> tuple[ReportRule, ...]:
    """``reports:`` — the periodic reports the notice requires (:class:`docgen.model.ReportRule`)."""
    out: list[ReportRule] = []
    for i, raw_report in enumerate(r.items(root, "reports")):
        key = f"reports[{i}]"
        t = r.mapping(raw_report, key)
        unknown = sorted(str(k) for k in t if k not in _REPORT_KEYS)
        if unknown:
            raise r.fail(key, f"未知的项 {unknown}，可选 {sorted(_REPORT_KEYS)}")
        days = {}
        for name in ("due_day", "rollup_day"):
            day = r.integer(t, name, key)
            if day is not None and not 1 <= day <= 28:
                # every month has a 28th: a rule that says 30日 would have no day in February
                raise r.fail(f"{key}.{name}", f"应为 1–28 的日期，实际为 {day}")
            days[name] = day
        every = _choice(r, t, "every", key, _EVERY, None)
        if every is None:
            raise r.fail(f"{key}.every", "缺少必填项（month/每月 或 half_year/每半年）")
        out.append(
            ReportRule(
                key=r.text(t, "key", key),
                title=r.text(t, "title", key),
                every=every,
                due_day=days["due_day"],
                rollup_day=days["rollup_day"],
                reporters=r.text(t, "reporters", key, required=False),
                receiver=r.text(t, "receiver", key, required=False),
                rollup_to=_words(r, t, "rollup_to", key),
                source=r.text(t, "source", key, required=False),
            )
        )
    keys = [t.key for t in out]
    if len(set(keys)) != len(keys):
        raise r.fail("reports", f"报告 key 重复：{keys}")
    return tuple(out)


class _Loader(yaml.SafeLoader):
    """SafeLoader that leaves dates as text, so a bad date is our error with its key, not a crash, and refuses
    aliases (``*a``): nine nested aliases of nine items each are 387 million strings to whatever walks the data
    (an error message's ``repr`` once took 21 s and gigabytes), and a program file never needs them."""

    def compose_node(self, parent: yaml.Node | None, index: int) -> yaml.Node | None:
        if self.check_event(yaml.AliasEvent):
            raise yaml.composer.ComposerError(
                None,
                None,
                "不支持 YAML 别名（*名称），请直接写出内容",
                self.peek_event().start_mark,  # type: ignore[no-untyped-call]
            )
        return super().compose_node(parent, index)


_Loader.yaml_implicit_resolvers = {
    first: [(tag, rx) for tag, rx in resolvers if tag != "tag:yaml.org,2002:timestamp"]
    for first, resolvers in yaml.SafeLoader.yaml_implicit_resolvers.items()
}


def parse_program_yaml(text: str, *, source: str = "program.yaml") -> Program:
    """Parse the YAML text of a program file."""
    try:
        data = yaml.load(text, Loader=_Loader)
    except yaml.YAMLError as exc:
        # where the parser gave up, except at the end of the file: then where the unclosed quote or bracket began
        problem = str(getattr(exc, "problem", ""))
        ended = "end of stream" in problem or "<stream end>" in problem
        first, second = ("context_mark", "problem_mark") if ended else ("problem_mark", "context_mark")
        mark = getattr(exc, first, None) or getattr(exc, second, None)
        where = f"第{mark.line + 1}行第{mark.column + 1}列" if mark is not None else None
        raise ProgramError(f"格式有误：{yaml_problem(exc)}", source=source, key=where) from None
    return parse_program(data, source=source)


# The PyYAML problems a hand-edited program file meets, in a clerk's words (the parser's English is never shown).
_YAML_PROBLEMS = (
    ("别名", "不支持 YAML 别名（*名称），请直接写出内容"),
    ("found character '\\t'", "不能用 Tab 键缩进，请改用空格"),
    ("mapping values are not allowed", "这一行的冒号位置不对：同一行只能有一个“名称: 内容”，内容中含“: ”时请加引号"),
    ("could not find expected ':'", "缺少冒号：每一项应写作“名称: 内容”"),
    ("expected <block end>", "缩进不一致：同一层的项应对齐"),
    ("expected ',' or ']'", "方括号 [ ] 没有配对，或其中的项之间缺少逗号"),
    ("expected ',' or '}'", "花括号 { } 没有配对，或其中的项之间缺少逗号"),
    ("found unexpected end of stream", "引号或括号没有配对（文件在结束前没有闭合）"),
    ("unexpected end", "引号或括号没有配对"),
    ("found undefined alias", "不支持 YAML 别名（*名称），请直接写出内容"),
    ("expected a single document", "文件中只能有一个项目（请删去 --- 分隔线）"),
    ("found unknown escape character", "双引号中的反斜杠 \\ 用法不对：去掉反斜杠或改用单引号"),
    ("control characters are not allowed", "文件中有不可见的控制字符，请删去"),
    ("found character", "这一行有不能作为开头的字符（如 @、`、%），请给内容加引号"),
)


def yaml_problem(exc: yaml.YAMLError) -> str:
    """What a YAML syntax error means, in Chinese (the kinds a hand-edited file meets; a general hint else)."""
    text = " ".join(str(getattr(exc, name, "") or "") for name in ("context", "problem"))
    for needle, words in _YAML_PROBLEMS:
        if needle in text:
            return words
    return "请检查这一行及上一行的缩进、冒号和引号"
