"""Roster import: a spreadsheet, csv, the notice text — or a returned 安排表 (docx/pdf) — becomes the pairs."""

from __future__ import annotations

import json
from collections import Counter
from collections.abc import Iterable
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from api.models import Document, Pair, PairLabel, Program, Record, User, utcnow
from api.sandbox import ChildFailed, run_child
from api.services import audit
from api.services.accounts import pair_visible, require_admin
from api.services.errors import Invalid
from api.services.filetypes import safe_name
from docgen.errors import RosterError, RosterErrors
from docgen.model import GroupPolicy, Level, PairGroup, Roster, School, Stage, owns_label, relabel
from extractors.roster import load_roster

MAX_REPORTED_ERRORS = 200
"""A roster with more row errors reports the first this many and the total (a 5,000-row mistake is one list)."""
MAX_TEXT = 300
"""Each reported message and value is cut to this many characters."""


def _cut(text: str | None) -> str | None:
    return text if text is None or len(text) <= MAX_TEXT else text[: MAX_TEXT - 1] + "…"


def _error_json(e: RosterError) -> dict[str, Any]:
    return {
        "source": _cut(e.source),
        "row": e.row,
        "field": _cut(e.field),
        "value": _cut(e.value),
        "message": _cut(e.message),
    }


def _group_json(g: PairGroup) -> dict[str, Any]:
    return {
        "number": g.number,
        "label": g.label,
        "supporting": [s.as_dict() for s in g.supporting],
        "supported": [s.as_dict() for s in g.supported],
        "level": g.level.value if g.level else None,
        "stage": g.stage.value if g.stage else None,
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
        source=str(raw.get("source") or ""),
        label=str(raw.get("label") or ""),
        coordinator=str(raw.get("coordinator") or ""),
    )


def parse_local(data: bytes, name: str) -> dict[str, Any]:
    """Parse a roster in THIS process (the sandbox child runs it): ``{"groups", "source"}`` when it reads,
    else ``{"errors": [first MAX_REPORTED_ERRORS], "total": n}`` (with ``detail`` for a file-level error).
    Any roster file, a returned 安排表 (docx/pdf/scan) included: :func:`extractors.roster.load_roster`.
    """
    try:
        roster = load_roster(data, name)
    except RosterErrors as exc:
        return {"errors": [_error_json(e) for e in exc.errors[:MAX_REPORTED_ERRORS]], "total": len(exc.errors)}
    except RosterError as exc:
        return {"errors": [_error_json(exc)], "total": 1, "detail": _cut(exc.describe())}
    return {"groups": [_group_json(g) for g in roster.groups], "source": roster.source}


def parse(data: bytes, name: str, *, timeout: float = 60, memory: int = 1 << 30) -> Roster:
    """A roster from an upload's bytes, parsed in a time- and memory-limited child (``api.sandbox``).

    :class:`Invalid` carries the first :data:`MAX_REPORTED_ERRORS` row errors and ``error_count``; a file
    that runs the child out of time or memory is :class:`Invalid` too, naming the file, never a 500.
    """
    name = safe_name(name, "花名册")
    try:
        answer: dict[str, Any] = json.loads(run_child("roster", data, name, timeout=timeout, memory=memory))
    except ChildFailed as exc:
        message = f"{name}：无法读取花名册（{exc.reason}；文件可能过大或已损坏，请检查后重新上传）"
        raise Invalid(message, [{"source": name, "message": exc.reason}]) from None
    if "errors" in answer:
        errors, total = answer["errors"], int(answer["total"])
        if answer.get("detail"):
            message = str(answer["detail"])
        else:
            shown = f"（列出前 {len(errors)} 处）" if total > len(errors) else ""
            message = f"花名册有 {total} 处错误，未导入{shown}"
        refused = Invalid(message, errors)
        refused.extra["error_count"] = total
        raise refused
    return Roster(tuple(_group_from_json(g) for g in answer["groups"]), source=str(answer.get("source") or name))


def _school_json(s: School, side: str) -> dict[str, Any]:
    return {**s.as_dict(), "side": side}


def _group_keys(groups: tuple[PairGroup, ...]) -> list[str]:
    """Each group's :attr:`PairGroup.key`; a second group with the same schools gets ``#2`` (and so on)."""
    seen: Counter[str] = Counter()
    out = []
    for g in groups:
        seen[g.key] += 1
        out.append(g.key if seen[g.key] == 1 else f"{g.key}#{seen[g.key]}")
    return out


def owner(pairs: Iterable[Pair], label: str) -> Pair | None:
    """The pair among ``pairs`` that ``label`` belongs to (:func:`docgen.model.owns_label`; the longest
    label wins)."""
    best: Pair | None = None
    for p in pairs:
        if owns_label(p.label, label) and (best is None or len(p.label) > len(best.label)):
            best = p
    return best


def import_roster(session: Session, program: Program, roster: Roster, by: User) -> list[Pair]:
    """Make ``roster``'s groups the program's current pairs (labels follow the program's group policy).

    A group is matched to a stored pair by its schools (:attr:`PairGroup.key`), never by its number: the
    stored pair keeps its id — and so its records and documents — and takes the new label, which its
    records and documents take too. A stored pair the roster no longer lists is marked removed, not
    deleted. Returns the current pairs.
    """
    require_admin(by)
    stored = {p.key: p for p in session.scalars(select(Pair).where(Pair.program_id == program.id))}
    pairs, moved = [], []
    for g, key in zip(roster.groups, _group_keys(roster.groups), strict=True):
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
        "roster.import",
        f"program:{program.id}",
        source=roster.source,
        pairs=len(pairs),
        relabelled={old: p.label for p, old in moved},
        removed=sorted(p.label for p in removed),
    )
    return pairs


def _school(raw: dict[str, Any]) -> School:
    return School(
        name=raw["name"],
        region=raw.get("region") or "",
        stage=Stage(raw["stage"]) if raw.get("stage") else None,
        party_org=raw.get("party_org") or "",
        contact=raw.get("contact") or "",
        phone=raw.get("phone") or "",
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
    pairs = session.scalars(query.order_by(Pair.removed_at.is_not(None), Pair.number, Pair.id))
    return [p for p in pairs if user is None or pair_visible(user, p.supporting, p.supported)]


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
    if user.role != "school":
        return None
    return {p.id for p in list_pairs(session, program, user, removed=True)}


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
    current = session.scalars(select(Pair).where(Pair.program_id == program_id, Pair.removed_at.is_(None)))
    pair = owner(current, unit_label)
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
    rows = session.execute(
        select(PairLabel.label, Pair).join(Pair, Pair.id == PairLabel.pair_id).where(PairLabel.program_id == program.id)
    ).all()
    mine = [(label, pair) for label, pair in rows if owns_label(label, printed)]
    if mine:
        longest = max(len(label) for label, _ in mine)
        out: dict[int, tuple[Pair, str]] = {}
        for label, pair in mine:
            if len(label) == longest:
                out[pair.id] = (pair, relabel(printed, label, pair.label))
        return list(out.values())
    holder = owner(list_pairs(session, program), printed)
    return [(holder, printed)] if holder is not None else []
