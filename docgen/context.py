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
    signing = signing or SigningName(school.name, school.name, school.party_org)
    return {
        "name": signing.name,
        "roster_name": school.name,
        "region": school.region,
        "stage": school.stage.value if school.stage else "",
        "party_org": signing.party_org,
        "contact": school.contact,
        "phone": school.phone,
    }


def _party(schools: tuple[School, ...], table: SchoolNames | None, label: str, role: str) -> dict[str, Any]:
    signing = [signing_name(s, table) for s in schools]
    return {
        "label": label,  # 甲方 / 乙方 (program.party_terms.first / second)
        "role": role,  # 支援学校 / 帮扶学校 / … (program.party_terms.supporting / supported)
        "schools": [school_context(s, n) for s, n in zip(schools, signing, strict=True)],
        "names": join_names(n.name for n in signing),
        "party_orgs": join_names(n.party_org for n in signing),
        "contacts": join_names(f"{s.contact} {s.phone}".strip() for s in schools),
        "count": len(schools),
    }


def _parties(group: PairGroup, table: SchoolNames | None, kind: AgreementKind) -> dict[str, Any]:
    """How the agreement speaks of all its parties, and whether it is a draft (a party cannot sign yet)."""
    count = len(group.schools)
    word = party_word(count)
    reasons = list(draft_reasons(group.schools, table, kind.signatories))  # what the batch marks it with, too
    return {
        "count": count,
        "word": word,  # 双方 / 三方 / 各方
        "sides": "甲、乙双方" if count <= 2 else f"结对{word}",  # 经甲、乙双方协商 / 经结对三方协商
        "draft": bool(reasons),
        "draft_reasons": reasons,
    }


def citation(program: Program) -> str:
    """``彭州市教育局《关于进一步加强“校校结对工作”的通知》（彭教育人事发〔2019〕8号）`` — what the preamble cites
    after 根据; empty without a notice title. Book-title marks inside the title become 〈〉, as a title in 《》
    must write them."""
    if not program.notice_title:
        return ""
    title = program.notice_title.replace("《", "〈").replace("》", "〉")
    number = f"（{program.document_number}）" if program.document_number else ""
    return f"{program.issuer}《{title}》{number}"


# The empty seat of an odd last row: every key a seal cell may print, all empty (derived from school_context,
# so a key added there is never missing here).
_EMPTY_SEAL: dict[str, str] = {key: "" for key in [*school_context(School("-")), "label", "role"]}


def _seal_rows(cells: list[dict[str, str]]) -> list[dict[str, dict[str, str]]]:
    """Seal blocks two to a row (``row.left`` / ``row.right``), so two parties sign side by side and more
    fill a grid of 78 mm cells (a seal is 38–42 mm); an odd last row has an empty right cell."""
    rows = []
    for i in range(0, len(cells), 2):
        right = cells[i + 1] if i + 1 < len(cells) else _EMPTY_SEAL
        rows.append({"left": cells[i], "right": right})
    return rows


def _copies(program: Program, group: PairGroup, kind: AgreementKind) -> dict[str, Any]:
    """一式N份 and who keeps each copy, counted from the actual group and the program's bureaus.

    The bureaus that keep a copy form one phrase (``济南市教育局、菏泽市教育局各留一份备案``), wherever their
    holders stand in ``copy_holders``: ``bureaus`` (each bureau's party office), ``bureau_offices`` (the bureau
    itself) and ``supporting_region_bureaus`` (``<地区>教育局`` of each supporting school's region: 菏泽's
    helping schools come from eleven cities, whose bureaus — not the province — file their agreements)."""
    count = 0
    phrases: list[str] = []
    keepers: list[str] = []
    keepers_at: int | None = None
    everyone = party_word(len(group.schools))
    for holder in kind.copy_holders:
        if holder == "parties":
            count += len(group.schools)
            phrases.append(f"{everyone}党组织各一份")
        elif holder == "schools":
            count += len(group.schools)
            phrases.append(f"{everyone}学校各一份")
        else:
            if holder == "bureaus":
                names = [b.party_office_or_default for b in program.copy_keepers]
            elif holder == "bureau_offices":
                names = [b.name for b in program.copy_keepers]  # an issuing province files none
            else:  # supporting_region_bureaus
                names = [f"{s.region}教育局" for s in group.supporting if s.region]
            new = [n for n in dict.fromkeys(names) if n not in keepers]
            if new and keepers_at is None:
                keepers_at = len(phrases)
            keepers += new
    if keepers:
        count += len(keepers)
        phrase = f"{join_names(keepers)}{'各留' if len(keepers) > 1 else '留存'}一份备案"
        phrases.insert(keepers_at if keepers_at is not None else len(phrases), phrase)
    return {"count": count, "count_cn": cn_count(count), "text": "，".join(phrases)}


def agreement_context(program: Program, group: PairGroup, kind: AgreementKind) -> dict[str, Any]:
    """Everything one agreement of ``kind`` for ``group`` may print. Pure; no I/O."""
    stage = group.effective_stage or program.default_stage
    focus_by_stage: dict[str, str] = dict(kind.params.get("stage_focus", {}))
    supporting_bureaus = program.bureaus_on(Side.SUPPORTING)
    supported_bureaus = program.bureaus_on(Side.SUPPORTED)
    terms = program.party_terms
    party_a = _party(group.supporting, program.school_names, terms.first, terms.supporting)
    party_b = _party(group.supported, program.school_names, terms.second, terms.supported)
    seals = [
        {**school, "label": party["label"], "role": party["role"]}
        for party in (party_a, party_b)
        for school in party["schools"]
    ]
    years = kind.term.years
    return {
        "title": kind.title,
        "kind": kind.key,
        "program": {
            "key": program.key,
            "name": program.name,
            "document_number": program.document_number,
            "issuer": program.issuer,
            "notice_title": program.notice_title,
            "citation": citation(program),
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
        "parties": _parties(group, program.school_names, kind),
        "all_parties": party_word(len(group.schools)),  # 双方 / 三方 / 各方
        "seal_rows": _seal_rows(seals),
        "bureau_seal_rows": _seal_rows(
            [{**_EMPTY_SEAL, "name": b.name, "party_org": b.party_office_or_default} for b in program.bureaus]
        ),
        "term": {
            "years": years or 0,  # 0: not a whole number of years, or not stated — print no 为期N年
            "years_cn": cn_number(years) if years else "",
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
