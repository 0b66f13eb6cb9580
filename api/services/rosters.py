"""Roster import: a spreadsheet, csv, the notice text — or a returned 安排表 (docx/pdf) — becomes the pairs."""

from __future__ import annotations

import json
from typing import Any

from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from api.models import Pair, Program, User
from api.sandbox import ChildFailed, run_child
from api.services import audit
from api.services.accounts import pair_visible, require_admin
from api.services.errors import Invalid
from api.services.filetypes import safe_name
from docgen.errors import RosterError, RosterErrors
from docgen.model import GroupPolicy, Level, PairGroup, Roster, School, Stage
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


def import_roster(session: Session, program: Program, roster: Roster, by: User) -> list[Pair]:
    """Replace the program's pairs with ``roster``'s groups (labels follow the program's group policy)."""
    require_admin(by)
    session.execute(delete(Pair).where(Pair.program_id == program.id))
    pairs = []
    for g in roster.groups:
        pair = Pair(
            program_id=program.id,
            number=g.number,
            label=g.label,
            supporting=[s.name for s in g.supporting],
            supported=[s.name for s in g.supported],
            schools=[_school_json(s, "supporting") for s in g.supporting]
            + [_school_json(s, "supported") for s in g.supported],
            level=g.level.value if g.level else None,
            stage=g.stage.value if g.stage else None,
            coordinator=g.coordinator,
            source=g.source,
        )
        session.add(pair)
        pairs.append(pair)
    session.flush()
    audit.record(session, by, "roster.import", f"program:{program.id}", source=roster.source, pairs=len(pairs))
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


def list_pairs(session: Session, program: Program, user: User | None = None) -> list[Pair]:
    """The program's pairs by number; with ``user``, only those it may see."""
    pairs = session.scalars(select(Pair).where(Pair.program_id == program.id).order_by(Pair.number))
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


def visible_labels(session: Session, program: Program, user: User) -> set[str] | None:
    """The pair labels ``user`` may see in ``program``; None means all of them."""
    if user.role != "school":
        return None
    labels: set[str] = set()
    for p in list_pairs(session, program, user):
        labels.add(p.label)
        labels.update(f"{p.label}-{i}" for i in range(1, len(p.supporting) * len(p.supported) + 1))
    return labels


def base_label(label: str) -> str:
    """The pair a record label belongs to: a per-school form's ``03.2`` (2nd school of pair 03) is pair ``03``."""
    return label.split(".")[0]


def label_visible(labels: set[str] | None, label: str | None) -> bool:
    """Whether a record or document labelled ``label`` is within ``labels`` (:func:`visible_labels`; None = all)."""
    if labels is None:
        return True
    return label is not None and (label in labels or base_label(label) in labels)
