"""What a template sees: the data of one pair group under one agreement kind, as plain dicts.

This is the contract between data and templates. ``docgen template check`` compares a template's
variables against :func:`agreement_context` of a sample group, so keep every key documented in
``docs/templates.md``.
"""

from __future__ import annotations

from typing import Any

from docgen.chinese import cn_count, cn_number, format_date, join_names
from docgen.model import AgreementKind, PairGroup, Program, School, Side


def school_context(school: School) -> dict[str, str]:
    """One school as templates see it (``party_a.schools[]``): defaults filled, stage as text."""
    return {
        "name": school.name,
        "region": school.region,
        "stage": school.stage.value if school.stage else "",
        "party_org": school.party_org_or_default,
        "contact": school.contact,
        "phone": school.phone,
    }


def _party(schools: tuple[School, ...]) -> dict[str, Any]:
    return {
        "schools": [school_context(s) for s in schools],
        "names": join_names(s.name for s in schools),
        "party_orgs": join_names(s.party_org_or_default for s in schools),
        "contacts": join_names(f"{s.contact} {s.phone}".strip() for s in schools),
        "count": len(schools),
    }


def _copies(program: Program, group: PairGroup, kind: AgreementKind) -> dict[str, Any]:
    """一式N份 and who keeps each copy, counted from the actual group and the program's bureaus."""
    count = 0
    phrases: list[str] = []
    two_sided = len(group.schools) == 2
    for holder in kind.copy_holders:
        if holder == "parties":
            count += len(group.schools)
            phrases.append("双方党组织各一份" if two_sided else "结对各方党组织各一份")
        elif holder == "schools":
            count += len(group.schools)
            phrases.append("双方学校各一份" if two_sided else "结对各方学校各一份")
        elif holder in ("bureaus", "bureau_offices") and program.copy_keepers:
            # bureaus: each bureau's party office keeps a copy; bureau_offices: the bureau itself, by name.
            # Only bureaus that keep copies (an issuing province above the pairs files none).
            keeping = program.copy_keepers
            count += len(keeping)
            keepers = join_names(b.party_office_or_default if holder == "bureaus" else b.name for b in keeping)
            phrases.append(f"{keepers}{'各留' if len(keeping) > 1 else '留存'}一份备案")
    return {"count": count, "count_cn": cn_count(count), "text": "，".join(phrases)}


def agreement_context(program: Program, group: PairGroup, kind: AgreementKind) -> dict[str, Any]:
    """Everything one agreement of ``kind`` for ``group`` may print. Pure; no I/O."""
    stage = group.effective_stage or program.default_stage
    focus_by_stage: dict[str, str] = dict(kind.params.get("stage_focus", {}))
    supporting_bureaus = program.bureaus_on(Side.SUPPORTING)
    supported_bureaus = program.bureaus_on(Side.SUPPORTED)
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
            "summary": f"{join_names(s.name for s in group.supporting)}与"
            f"{join_names(s.name for s in group.supported)}结对",
        },
        "party_a": _party(group.supporting),
        "party_b": _party(group.supported),
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
