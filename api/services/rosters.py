"""Roster import: a spreadsheet, csv, the notice text — or a returned 安排表 (docx/pdf) — becomes the pairs."""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Select, select
from sqlalchemy.orm import Session

from api.models import Document, Pair, PairLabel, PairSchool, Program, Record, User, utcnow
from api.sandbox import ChildFailed, run_child
from api.services import audit
from api.services.accounts import Role, require_admin
from api.services.errors import Invalid
from api.services.filetypes import safe_name
from docgen.errors import RosterError
from docgen.model import (
    GroupPolicy,
    Level,
    PairGroup,
    Roster,
    School,
    Stage,
    owner,
    owner_labels,
    relabel,
)
from docgen.roster.result import ColumnOverrides, RosterProblem, TableMapping
from docgen.roster_diff import group_keys
from docgen.school_names import SchoolNames, name_problems
from extractors.roster import import_roster as read_roster_file

MAX_REPORTED_ERRORS = 200
"""A roster with more problems reports the first this many and the total (a 5,000-row mistake is one list)."""
MAX_TEXT = 300
"""Each reported message and value is cut to this many characters."""


def _cut(text: str | None) -> str | None:
    return text if text is None or len(text) <= MAX_TEXT else text[: MAX_TEXT - 1] + "…"


def _error_json(e: RosterError) -> dict[str, Any]:
    """A file-level error in the shape of a problem (``kind`` ``unreadable``: the whole file)."""
    return {
        "kind": "unreadable",
        "severity": "error",
        "message": _cut(e.message),
        "source": _cut(e.source) or "",
        "sheet": "",
        "row": e.row,
        "column": _cut(e.field) or "",
        "value": _cut(e.value) or "",
    }


def _problem_json(p: RosterProblem) -> dict[str, Any]:
    raw = p.as_json()
    return {k: _cut(v) if isinstance(v, str) else v for k, v in raw.items()}


def _table_json(t: TableMapping) -> dict[str, Any]:
    return {
        "table": t.table,
        "header_rows": list(t.header_rows),
        "columns": [{"index": c.index, "header": _cut(c.header) or "", "role": c.role} for c in t.columns],
        "used": t.used,
        "reason": t.reason,
    }


def _group_json(g: PairGroup) -> dict[str, Any]:
    return {
        "number": g.number,
        "label": g.label,
        "supporting": [s.as_dict() for s in g.supporting],
        "supported": [s.as_dict() for s in g.supported],
        "level": g.level.value if g.level else None,
        "stage": g.stage.value if g.stage else None,
        "stages": [st.value for st in g.stages],
        "coordinator": g.coordinator,
        "source": g.source,
    }


def _group_from_json(raw: dict[str, Any]) -> PairGroup:
    return PairGroup(
        number=int(raw["number"]),
        supporting=tuple(_school(s) for s in raw["supporting"]),
        supported=tuple(_school(s) for s in raw["supported"]),
        level=Level(raw["level"]) if raw.get("level") else None,
        stage=Stage(raw["stage"]) if raw.get("stage") else None,
        stages=tuple(Stage(st) for st in raw.get("stages") or ()),
        source=str(raw.get("source") or ""),
        label=str(raw.get("label") or ""),
        coordinator=str(raw.get("coordinator") or ""),
    )


def parse_local(data: bytes, name: str, overrides: ColumnOverrides | None = None) -> dict[str, Any]:
    """Parse a roster in THIS process (the sandbox child runs it) with a person's column ``overrides``.

    ``{"groups", "problems" (the first MAX_REPORTED_ERRORS), "problem_count", "tables", "source"}`` when the
    file reads — whatever its bad rows — else ``{"unreadable": why, "problems": [that error]}``. Any roster
    file, a returned 安排表 (docx/pdf/scan) included: :func:`extractors.roster.import_roster`.
    """
    try:
        result = read_roster_file(data, name, overrides=overrides)
    except RosterError as exc:
        return {"unreadable": _cut(exc.describe()), "problems": [_error_json(exc)]}
    return {
        "groups": [_group_json(g) for g in result.roster.groups],
        "problems": [_problem_json(p) for p in result.problems[:MAX_REPORTED_ERRORS]],
        "problem_count": len(result.problems),
        "tables": [_table_json(t) for t in result.tables],
        "source": result.roster.source or name,
    }


class UnreadableRoster(Invalid):
    """The file gives no roster at all (``errors``: that one problem, kind ``unreadable``)."""


@dataclass(frozen=True)
class Parsed:
    """A roster file as the sandboxed child read it: its groups, its problems (the first
    :data:`MAX_REPORTED_ERRORS`, ``problem_count`` in all) and the tables with their column mapping."""

    roster: Roster
    problems: list[dict[str, Any]]
    problem_count: int
    tables: list[dict[str, Any]]
    raw: dict[str, Any]  # the child's answer as JSON (kept with a preview)

    @property
    def refusing(self) -> list[dict[str, Any]]:
        """Problems that refuse a file under ``strict``: errors and warnings (a note about an ignored
        footer row is not a problem of the data)."""
        return [p for p in self.problems if p["severity"] != "note"]


def parsed_from_json(answer: dict[str, Any]) -> Parsed:
    """:class:`Parsed` of a child's answer (or of one kept with a preview)."""
    roster = Roster(tuple(_group_from_json(g) for g in answer["groups"]), source=str(answer.get("source") or ""))
    problems = list(answer.get("problems") or [])
    count = int(answer.get("problem_count", len(problems)))
    return Parsed(roster, problems, count, list(answer.get("tables") or []), answer)


def overrides_json(overrides: ColumnOverrides) -> dict[str, dict[str, str]]:
    """``overrides`` as JSON keeps them (column indexes as strings): for the sandboxed child and a stored preview."""
    return {t: {str(i): r for i, r in sorted(cols.items())} for t, cols in overrides.items()}


def with_name_problems(parsed: Parsed, table: SchoolNames) -> Parsed:
    """``parsed`` with an ``abbreviated`` warning for every school name the program's ``table`` does not resolve
    (:func:`docgen.school_names.name_problems`), kept in its JSON too (a preview stores that)."""
    extra = [_problem_json(p) for p in name_problems(parsed.roster, table)]
    if not extra:
        return parsed
    problems = (parsed.problems + extra)[:MAX_REPORTED_ERRORS]
    return parsed_from_json({**parsed.raw, "problems": problems, "problem_count": parsed.problem_count + len(extra)})


def parse(
    data: bytes,
    name: str,
    *,
    overrides: ColumnOverrides | None = None,
    timeout: float = 60,
    memory: int = 1 << 30,
) -> Parsed:
    """A roster from an upload's bytes, parsed in a time- and memory-limited child (``api.sandbox``) with a
    person's column ``overrides``: every readable group and every problem, as :class:`Parsed`.

    A file that cannot be read at all — or runs the child out of time or memory — is :class:`Invalid`
    naming the file, never a 500.
    """
    name = safe_name(name, "花名册")
    args = [json.dumps(overrides_json(overrides or {}), ensure_ascii=False)]
    try:
        answer: dict[str, Any] = json.loads(run_child("roster", data, name, args, timeout=timeout, memory=memory))
    except ChildFailed as exc:
        message = f"{name}：无法读取花名册（{exc.reason}；文件可能过大或已损坏，请检查后重新上传）"
        raise Invalid(message, [{"source": name, "message": exc.reason}]) from None
    return answered(answer)


def answered(answer: dict[str, Any]) -> Parsed:
    """:class:`Parsed` of the child's answer (:func:`parse_local`), or :class:`UnreadableRoster` (422)."""
    if "unreadable" in answer:
        refused = UnreadableRoster(str(answer["unreadable"]), list(answer["problems"]))
        refused.extra["error_count"] = len(answer["problems"])
        raise refused
    return parsed_from_json(answer)


def refuse(parsed: Parsed, *, strict: bool) -> None:
    """:class:`Invalid` (422, with every problem listed) when ``parsed`` must not be imported: it has no group
    at all (a file of bad rows never empties a program), or — ``strict`` — it has any error or warning."""
    if parsed.roster.groups and not (strict and parsed.refusing):
        return
    total = parsed.problem_count
    shown = f"（列出前 {len(parsed.problems)} 处）" if total > len(parsed.problems) else ""
    if total:
        message = f"花名册有 {total} 处错误，未导入{shown}"
    else:
        message = f"{parsed.roster.source or '花名册'}：没有读到任何结对，未导入"
    refused = Invalid(message, parsed.problems)
    refused.extra["error_count"] = total
    raise refused


def _school_json(s: School, side: str) -> dict[str, Any]:
    return {**s.as_dict(), "side": side}


def import_roster(
    session: Session, program: Program, roster: Roster, by: User, *, action: str = "roster.import", **detail: Any
) -> list[Pair]:
    """Make ``roster``'s groups the program's current pairs (labels follow the program's group policy).

    A group is matched to a stored pair by its schools (:attr:`PairGroup.key`), never by its number: the
    stored pair keeps its id — and so its records and documents — and takes the new label, which its
    records and documents take too. A stored pair the roster no longer lists is marked removed, not
    deleted. Returns the current pairs. The audit event is ``action`` with ``detail`` added.
    """
    require_admin(by)
    stored = {p.key: p for p in session.scalars(select(Pair).where(Pair.program_id == program.id))}
    pairs, moved = [], []
    for g, key in zip(roster.groups, group_keys(roster.groups), strict=True):
        pair = stored.pop(key, None)
        if pair is None:
            pair = Pair(program_id=program.id, key=key, label=g.label)
            session.add(pair)
        elif pair.label != g.label:
            moved.append((pair, pair.label))
        pair.number, pair.label, pair.removed_at = g.number, g.label, None
        pair.supporting = [s.name for s in g.supporting]
        pair.supported = [s.name for s in g.supported]
        pair.schools = [_school_json(s, "supporting") for s in g.supporting] + [
            _school_json(s, "supported") for s in g.supported
        ]
        pair.level = g.level.value if g.level else None
        pair.stage = g.stage.value if g.stage else None
        pair.coordinator, pair.source = g.coordinator, g.source
        pairs.append(pair)
    removed = [p for p in stored.values() if p.removed_at is None]
    for p in removed:
        p.removed_at = utcnow()
    session.flush()
    _index_schools(session, program, pairs)
    for pair, old in moved:
        for row in [
            *session.scalars(select(Record).where(Record.pair_id == pair.id)),
            *session.scalars(select(Document).where(Document.pair_id == pair.id)),
        ]:
            if row.pair_label is not None:
                row.pair_label = relabel(row.pair_label, old, pair.label)
    session.flush()
    audit.record(
        session,
        by,
        action,
        f"program:{program.id}",
        **detail,
        source=roster.source,
        pairs=len(pairs),
        relabelled={old: p.label for p, old in moved},
        removed=sorted(p.label for p in removed),
    )
    return pairs


def _index_schools(session: Session, program: Program, pairs: list[Pair]) -> None:
    """Make the program's :class:`~api.models.PairSchool` rows of ``pairs`` their schools' names now (a
    removed pair keeps its rows: its records stay its schools')."""
    names = {(p.id, name) for p in pairs for name in (*p.supporting, *p.supported)}
    ids = {p.id for p in pairs}
    for row in session.scalars(select(PairSchool).where(PairSchool.program_id == program.id)):
        if row.pair_id in ids and (row.pair_id, row.name) not in names:
            session.delete(row)
        names.discard((row.pair_id, row.name))
    session.add_all(PairSchool(program_id=program.id, pair_id=pid, name=name) for pid, name in sorted(names))
    session.flush()


def _school(raw: dict[str, Any]) -> School:
    return School(
        name=raw["name"],
        region=raw.get("region") or "",
        stage=Stage(raw["stage"]) if raw.get("stage") else None,
        party_org=raw.get("party_org") or "",
        contact=raw.get("contact") or "",
        phone=raw.get("phone") or "",
        title=raw.get("title") or "",
    )


def group(pair: Pair) -> PairGroup:
    """The docgen :class:`PairGroup` of a stored pair."""
    return PairGroup(
        number=pair.number,
        supporting=tuple(_school(s) for s in pair.schools if s["side"] == "supporting"),
        supported=tuple(_school(s) for s in pair.schools if s["side"] == "supported"),
        level=Level(pair.level) if pair.level else None,
        stage=Stage(pair.stage) if pair.stage else None,
        source=pair.source,
        label=pair.label,
        coordinator=pair.coordinator,
    )


def list_pairs(session: Session, program: Program, user: User | None = None, *, removed: bool = False) -> list[Pair]:
    """The program's current pairs by number (``removed``: the removed ones too, after them); with ``user``,
    only those it may see."""
    query = select(Pair).where(Pair.program_id == program.id)
    if not removed:
        query = query.where(Pair.removed_at.is_(None))
    if user is not None and user.role == Role.SCHOOL:
        query = query.where(Pair.id.in_(_school_pairs(program, user)))
    return list(session.scalars(query.order_by(Pair.removed_at.is_not(None), Pair.number, Pair.id)))


def _school_pairs(program: Program, user: User) -> Select[int]:
    """The ids of ``program``'s pairs that school account ``user``'s school is on, either side, removed ones
    included: the one rule of what a school sees, looked up by name (:class:`~api.models.PairSchool`)."""
    return select(PairSchool.pair_id).where(PairSchool.program_id == program.id, PairSchool.name == user.school_name)


def roster_of(session: Session, program: Program) -> Roster:
    """The program's stored pairs as a docgen :class:`Roster`; :class:`Invalid` when none."""
    pairs = list_pairs(session, program)
    if not pairs:
        raise Invalid(f"项目“{program.name}”还没有导入花名册", [{"message": "没有结对"}])
    return Roster(tuple(group(p) for p in pairs), source=f"program:{program.id}")


def unit(session: Session, program: Program, policy: GroupPolicy, label: str) -> PairGroup | None:
    """The pair group labelled ``label`` as batches under ``policy`` plan it (``02-1`` when split); None when
    the current roster has none. :class:`Invalid` when the program has no roster."""
    return next((g for g in roster_of(session, program).units(policy) if g.label == label), None)


def visible_pairs(session: Session, program: Program, user: User) -> set[int] | None:
    """The ids of the pairs ``user`` may see in ``program`` — by school: the pairs its school is on, removed
    ones included (their records stay the school's); None means all of them."""
    if user.role != Role.SCHOOL:
        return None
    return set(session.scalars(_school_pairs(program, user)))


def pair_visible_to(visible: set[int] | None, pair_id: int | None) -> bool:
    """Whether a record or document of pair ``pair_id`` is within ``visible`` (:func:`visible_pairs`)."""
    return visible is None or (pair_id is not None and pair_id in visible)


def current_ids(session: Session, program: Program) -> set[int]:
    """The ids of the program's current (not removed) pairs."""
    query = select(Pair.id).where(Pair.program_id == program.id, Pair.removed_at.is_(None))
    return set(session.scalars(query))


def issue(session: Session, program_id: int, unit_label: str) -> Pair | None:
    """The current pair a document labelled ``unit_label`` is generated for, noting that its label was
    printed for it (:class:`~api.models.PairLabel`, so the form's code resolves after a re-import)."""
    pair = owner(_current_owners(session, program_id, unit_label), unit_label)
    if pair is None:
        return None
    row = session.scalar(
        select(PairLabel).where(
            PairLabel.program_id == program_id, PairLabel.label == pair.label, PairLabel.pair_id == pair.id
        )
    )
    if row is None:
        session.add(PairLabel(program_id=program_id, label=pair.label, pair_id=pair.id))
    else:
        row.last_at = utcnow()
    return pair


def printed_pairs(session: Session, program: Program, printed: str) -> list[tuple[Pair, str]]:
    """Whose form a printed pair label (``05``, ``05-2``, ``05.1``) can be, each with the label it has now.

    The pairs documents were generated for under that label (:func:`issue`) — a form printed as 05 before a
    re-import is the schools 05 was then, whatever 05 is now; several when the label was printed for
    different schools in turn. A label never printed by the service: the current pair with that label.
    """
    mine = session.execute(
        select(PairLabel.label, Pair)
        .join(Pair, Pair.id == PairLabel.pair_id)
        .where(PairLabel.program_id == program.id, PairLabel.label.in_(owner_labels(printed)))
    ).all()
    if mine:
        longest = max(len(label) for label, _ in mine)
        out: dict[int, tuple[Pair, str]] = {}
        for label, pair in mine:
            if len(label) == longest:
                out[pair.id] = (pair, relabel(printed, label, pair.label))
        return list(out.values())
    holder = owner(_current_owners(session, program.id, printed), printed)
    return [(holder, printed)] if holder is not None else []


def _current_owners(session: Session, program_id: int, label: str) -> list[Pair]:
    """The program's current pairs whose label can own ``label`` (:func:`~docgen.model.owner_labels`): a
    document's or a returned form's pair is looked up by these few labels — a 10,000-pair program must not
    read every pair per document generated or per form read."""
    candidates = Pair.label.in_(owner_labels(label))
    query = select(Pair).where(Pair.program_id == program_id, Pair.removed_at.is_(None), candidates)
    return list(session.scalars(query))
