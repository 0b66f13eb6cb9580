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
from api.services.errors import Invalid, NotFound
from api.services.filetypes import detect, safe_name
from docgen.errors import RosterError, RosterErrors
from docgen.model import GroupPolicy, Level, PairGroup, Roster, School, Stage
from docgen.roster import read_roster
from docgen.roster.tabular import parse_roster_rows


def _error_json(e: RosterError) -> dict[str, Any]:
    return {"source": e.source, "row": e.row, "field": e.field, "value": e.value, "message": e.message}


def _returned_form_rows(data: bytes, name: str, *, timeout: float, memory: int) -> list[list[object]]:
    """The rows of the largest table of a returned 安排表 (docx/pdf), read by the extractors in a child."""
    try:
        tables: list[list[list[str]]] = json.loads(run_child("tables", data, name, timeout=timeout, memory=memory))
    except ChildFailed as exc:
        raise Invalid(f"{name}：无法读取安排表（{exc}）", [{"source": name, "message": str(exc)}]) from None
    if not tables:
        raise Invalid(f"{name}：文件中没有表格", [{"source": name, "message": "文件中没有表格"}])
    return [list(r) for r in max(tables, key=len)]


def parse(data: bytes, name: str, *, timeout: float = 120, memory: int = 3 << 30) -> Roster:
    """A roster from an upload's bytes; :class:`Invalid` carries every row error."""
    name = safe_name(name, "花名册")
    kind, _ = detect(data)
    try:
        if kind in ("docx", "pdf", "png", "jpeg", "tiff"):  # a returned 安排表, typed or scanned
            return parse_roster_rows(_returned_form_rows(data, name, timeout=timeout, memory=memory), source=name)
        return read_roster(data, name)
    except RosterErrors as exc:
        raise Invalid(f"花名册有 {len(exc.errors)} 处错误，未导入", [_error_json(e) for e in exc.errors]) from None
    except RosterError as exc:
        raise Invalid(str(exc), [_error_json(exc)]) from None


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


def require_pair_visible(session: Session, program: Program, user: User, label: str | None, what: str) -> None:
    """:class:`NotFound` (``what`` 不存在) unless ``user`` may see pair ``label``."""
    labels = visible_labels(session, program, user)
    if labels is not None and (label is None or label not in labels):
        raise NotFound(f"{what}不存在")
