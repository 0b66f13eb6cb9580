"""What a template sees: the data of one pair group under one agreement kind, as plain dicts.

This is the contract between data and templates. ``docgen template check`` compares a template's
variables against :func:`agreement_context` of a sample group, so keep every key documented in
``docs/templates.md``.
"""

from __future__ import annotations

from typing import Any

from docgen.chinese import cn_count, cn_number, format_date, join_names
from docgen.model import AgreementKind, PairGroup, Program, School, Side
from docgen.school_names import SchoolNames, SigningName, draft_reasons, party_word, signing_name


def school_context(school: School, signing: SigningName | None = None) -> dict[str, str]:
    """One school as templates see it (``party_a.schools[]``): defaults filled, stage as text.

    ``name`` and ``party_org`` are the names it signs with (:func:`docgen.school_names.signing_name`: the full
    name from the program's table, or a fill-in blank while the name is abbreviated); ``roster_name`` is the
    roster's own spelling. Without ``signing`` (blank forms, which schools fill in themselves) both are the
    roster's."""
    signing = signing or SigningName(school.name, school.name, school.party_org_or_default)
    return {
        "name": signing.name,
        "roster_name": school.name,
        "region": school.region,
        "stage": school.stage.value if school.stage else "",
        "party_org": signing.party_org,
        "contact": school.contact,
        "phone": school.phone,
    }


def _party(schools: tuple[School, ...], table: SchoolNames | None) -> dict[str, Any]:
    signing = [signing_name(s, table) for s in schools]
    return {
        "schools": [school_context(s, n) for s, n in zip(schools, signing, strict=True)],
        "names": join_names(n.name for n in signing),
        "party_orgs": join_names(n.party_org for n in signing),
        "contacts": join_names(f"{s.contact} {s.phone}".strip() for s in schools),
        "count": len(schools),
    }


def _parties(group: PairGroup, table: SchoolNames | None) -> dict[str, Any]:
    """How the agreement speaks of all its parties, and whether it is a draft (a party cannot sign yet)."""
    count = len(group.schools)
    word = party_word(count)
    reasons = list(draft_reasons(group.schools, table))  # what the batch marks the document with, too
    return {
        "count": count,
        "word": word,  # 双方 / 三方 / 各方
        "sides": "甲、乙双方" if count <= 2 else f"结对{word}",  # 经甲、乙双方协商 / 经结对三方协商
        "draft": bool(reasons),
        "draft_reasons": reasons,
    }


def _copies(program: Program, group: PairGroup, kind: AgreementKind) -> dict[str, Any]:
    """一式N份 and who keeps each copy, counted from the actual group and the program's bureaus."""
    count = 0
    phrases: list[str] = []
    word = party_word(len(group.schools))
    for holder in kind.copy_holders:
        if holder == "parties":
            count += len(group.schools)
            phrases.append(f"{word}党组织各一份" if word == "双方" else f"结对{word}党组织各一份")
        elif holder == "schools":
            count += len(group.schools)
            phrases.append(f"{word}学校各一份" if word == "双方" else f"结对{word}学校各一份")
        elif holder in ("bureaus", "bureau_offices") and program.bureaus:
            # bureaus: each bureau's party office keeps a copy; bureau_offices: the bureau itself, by name.
            count += len(program.bureaus)
            keepers = join_names(b.party_office_or_default if holder == "bureaus" else b.name for b in program.bureaus)
            phrases.append(f"{keepers}{'各留' if len(program.bureaus) > 1 else '留存'}一份备案")
    return {"count": count, "count_cn": cn_count(count), "text": "，".join(phrases)}


def agreement_context(program: Program, group: PairGroup, kind: AgreementKind) -> dict[str, Any]:
    """Everything one agreement of ``kind`` for ``group`` may print. Pure; no I/O."""
    stage = group.effective_stage or program.default_stage
    focus_by_stage: dict[str, str] = dict(kind.params.get("stage_focus", {}))
    supporting_bureaus = program.bureaus_on(Side.SUPPORTING)
    supported_bureaus = program.bureaus_on(Side.SUPPORTED)
    party_a, party_b = _party(group.supporting, program.school_names), _party(group.supported, program.school_names)
    return {
        "title": kind.title,
        "kind": kind.key,
        "program": {
            "key": program.key,
            "name": program.name,
            "document_number": program.document_number,
            "issued_on": format_date(program.issued_on),
            "bureaus": [
                {"name": b.name, "party_office": b.party_office_or_default, "side": b.side.value}
                for b in program.bureaus
            ],
            "supporting_bureau": join_names(b.name for b in supporting_bureaus),
            "supported_bureau": join_names(b.name for b in supported_bureaus),
            "bureau_names": join_names(b.name for b in program.bureaus),
        },
        "pair": {
            "number": group.number,
            "label": group.label,
            "level": group.level.value if group.level else "",
            "stage": stage.value if stage else "",
            "coordinator": group.coordinator,
            "summary": f"{party_a['names']}与{party_b['names']}结对",
        },
        "party_a": party_a,
        "party_b": party_b,
        "parties": _parties(group, program.school_names),
        "term": {
            "years": kind.term.years,
            "years_cn": cn_number(kind.term.years),
            "start": format_date(kind.term.start),
            "end": format_date(kind.term.end),
            "start_year": str(kind.term.start.year) if kind.term.start else "____",
            "end_year": str(kind.term.end.year) if kind.term.end else "____",
            "known": kind.term.start is not None and kind.term.end is not None,
        },
        "copies": _copies(program, group, kind),
        "sign_date": format_date(None),
        "stage_focus": focus_by_stage.get(stage.value if stage else "", focus_by_stage.get("default", "")),
        "params": dict(kind.params),
    }
