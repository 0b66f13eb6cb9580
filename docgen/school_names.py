"""A program's school name table, and the names parties sign with.

Rosters name schools the way clerks speak of them — ``市一中``, ``钢一中``, ``柳铁一中`` — or leave a template's
placeholder in (``xxx中学``, ``*******``, ``济南市帮扶初中（待定）``). An agreement must name each party by its
full legal name and its party organisation's name. A program therefore keeps a table
(:class:`SchoolNames`): each entry a full name, the short names rosters use for it and, optionally, the name
of its party organisation. Clerks keep it as ``schools.csv`` beside ``program.yaml`` (columns
``全称,简称,党组织名称``; several short names separated by ``、``), the service keeps it per program.

Three rules live here and nowhere else (documented in ``docs/school-names.md``):

* :func:`placeholder_reason` — a template's placeholder left in a name (``xxx``, ``***``, ``某某``, ``待定``);
* :func:`abbreviation_reason` (and :func:`looks_abbreviated`) — a name that looks like a short name or a
  description rather than a school's legal name;
* :func:`signing_name` — what a school is called in a document: resolved through the table, or a fill-in
  blank and the reason the document is a draft.

Pair identity (:func:`docgen.model.pair_key`) stays built from the roster's names: filling the table later
changes what documents print, never which pair a record belongs to.

Pure: parsing takes text, serialising returns text; files are read and written at the edges (``cli/``,
``api/``).
"""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field

from docgen.errors import SchoolNamesError
from docgen.model import Roster, School, Signatories, school_key
from docgen.roster.names import admin_prefix, clean_name
from docgen.roster.result import ProblemKind, RosterProblem

SCHOOLS_FILE = "schools.csv"
"""The table's file name beside ``program.yaml`` when the program does not name another."""

COLUMNS = ("全称", "简称", "党组织名称")
"""The columns of ``schools.csv``, in order."""

SHORT_NAME_SEPARATOR = "、"
MAX_NAME_LENGTH = 100
MAX_ENTRIES = 5000
"""At most this many entries in one table (a province-size program has a few thousand schools)."""

BLANK = "_" * 12
"""The fill-in blank printed for a party whose name cannot be signed (the templates' own blanks are ten
underscores). One run of ASCII underscores: ``_`` is line-break class AL (Unicode UAX #14), and no line
breaker — LibreOffice's ICU, Word — breaks between two AL characters, so the blank never splits across
lines; a full-width ``＿`` (class ID) would."""

PARTY_SUFFIXES = (
    "党组织", "党总支部", "党总支", "党支部", "党委", "党组", "总支部委员会", "支部委员会", "委员会",
)  # fmt: skip
PARTY_PREFIXES = ("中国共产党", "中共")
"""How a party organisation's name starts and ends (``中共柳州市第一中学委员会``, ``…党支部``); the school part
between is checked like a school name."""

# --- the rules ----------------------------------------------------------------------------------------------

# Placeholders as templates and notices leave them (seed 004: ``xxx``, ``*******``): runs of x/X/×/* (half or
# full width), an x before the name's words (x中学), 某某/某校/a name starting with 某, circles for missing
# characters, blanks to write on (``____``), 待定/待填/待补, ellipses, question marks, a name of dashes only.
_PLACEHOLDER = re.compile(
    r"[xX×✕ｘＸ＊*]{2,}|[xXｘＸ]+(?=[\u4e00-\u9fff])|某某|某校|^某|[○〇□◯]{2,}|[_＿]{2,}|待定|待填|待补|…|\.\.\.|[?？]"
    r"|^[-－—─\s]+$"
)
# Descriptions instead of names: a role word and a kind of school (帮扶初中, 受援学校, 结对小学), or 本校/我校.
_GENERIC = re.compile(
    r"(?:帮扶|被帮扶|受援|支援|结对|对口|牵头)(?:学校|小学|初中|中学|高中|幼儿园|单位|校)$|^(?:本校|我校|该校|学校)$"
)
# X一中 / 钢一中 / 柳铁一中 / 融安二中 / 成都7中: a numbered 中 without 学 is always the short form of 第N中学.
_NUMBERED = re.compile(r"(?:[一二三四五六七八九十]+|[0-9０-９]+)中$")
# 市民族高中, 市六中, 县二小, 区实验小学: a name that starts with a bare 市/县/区/镇/乡 leans on a place the
# reader must know. (A named place always comes first in a legal name: 柳州市…, 黑水县….)
_BARE_PLACE = re.compile(r"^[市县区镇乡](?![场委政])")
SHORT_WITHOUT_PLACE = 4
"""A name of at most this many characters with no administrative area (柳州高中, 鹿寨中学) is taken for a short
name; the shortest full names in the seeds without an area are six characters (潍坊第一中学, 淄博实验中学)."""
SHORT_REASON = "名称很短且没有行政区划，像是简称"
_TRAILING_NOTE = re.compile(r"[（(][^（）()]*[）)]$")


def placeholder_reason(name: str) -> str:
    """Why ``name`` is a placeholder rather than a name (``'含占位符“xxx”'``), else ``''``."""
    match = _PLACEHOLDER.search(name)
    return f"含占位符“{match.group(0)}”" if match else ""


def is_placeholder(name: str) -> bool:
    """Whether ``name`` holds a template's placeholder (``xxx中学``, ``*******``, ``（待定）``)."""
    return bool(placeholder_reason(name))


PENDING_MARKS = ("待定", "待填", "待补")
"""Placeholders that mark a school still to be decided (菏泽's ``济南市帮扶初中（待定）``): the pair is real and
imports (its helped school needs its records); documents naming it are drafts until the name is known."""


def unfilled_reason(name: str) -> str:
    """Why ``name`` is a template's slot never filled in (``xxx中学``, ``**学校``, ``某某小学``, ``____``), else
    ``''`` — every placeholder of :func:`placeholder_reason` except a :data:`PENDING_MARKS` mark alone. The roster
    importer drops such a row (``placeholder``); a pending name imports with an ``abbreviated`` warning."""
    rest = name
    for mark in PENDING_MARKS:
        rest = rest.replace(mark, "")
    return placeholder_reason(rest)


def abbreviation_reason(name: str) -> str:
    """Why ``name`` cannot be signed as a school's legal name, in Chinese; ``''`` when it looks like one.

    In order: empty; a placeholder (:func:`placeholder_reason`); a description (``帮扶初中``, ``受援学校``);
    a numbered short form (``市一中``, ``钢一中``, ``柳铁一中``, ``融安二中``); a name that starts with a bare
    ``市``/``县``/``区``/``镇``/``乡`` (``市民族高中``, ``市六中``); a name of at most
    :data:`SHORT_WITHOUT_PLACE` characters with no administrative area (``柳州高中``). A party organisation's
    name (``柳州市第一中学党委``) is judged by its school part. A trailing note in brackets is ignored for the
    last three rules (``济南市帮扶初中（待定）`` is a description and a placeholder).
    """
    text = clean_name(name)
    if not text:
        return "没有名称"
    placeholder = placeholder_reason(text)
    if placeholder:
        return placeholder
    for prefix in PARTY_PREFIXES:
        if text.startswith(prefix) and len(text) > len(prefix):
            text = text[len(prefix) :]
            break
    for suffix in PARTY_SUFFIXES:
        if text.endswith(suffix) and len(text) > len(suffix):
            text = text[: -len(suffix)]
            break
    core = _TRAILING_NOTE.sub("", text) or text
    if _GENERIC.search(core):
        return "是泛称，不是学校名称"
    if _NUMBERED.search(core):
        return "像是简称（“X一中”式），不是学校全称"
    if _BARE_PLACE.match(core):
        return f"以“{core[0]}”开头，缺少地名，像是简称"
    if len(core) <= SHORT_WITHOUT_PLACE and not admin_prefix(core):
        return SHORT_REASON
    return ""


def looks_abbreviated(name: str) -> bool:
    """Whether ``name`` looks like a short name, placeholder or description (:func:`abbreviation_reason`)."""
    return bool(abbreviation_reason(name))


# --- the table ----------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class SchoolName:
    """One school of the table: its full legal name, the short names rosters use, its party organisation."""

    full_name: str
    short_names: tuple[str, ...] = ()
    party_org: str = ""

    def as_dict(self) -> dict[str, object]:
        """The entry as the API and ``docgen schools --json`` show it."""
        return {"full_name": self.full_name, "short_names": list(self.short_names), "party_org": self.party_org}


@dataclass(frozen=True)
class SchoolNames:
    """A program's school name table. :meth:`resolve` finds an entry by its full name or any short name,
    ignoring spaces and full-/half-width differences (:func:`docgen.model.school_key`). Build it with
    :func:`build_school_names` or :func:`parse_school_names_csv`, which validate; the constructor does not."""

    entries: tuple[SchoolName, ...] = ()
    _index: Mapping[str, SchoolName] = field(default_factory=dict, init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        index: dict[str, SchoolName] = {}
        for entry in self.entries:
            for name in (entry.full_name, *entry.short_names):
                index.setdefault(school_key(name), entry)
        object.__setattr__(self, "_index", index)

    def __len__(self) -> int:
        return len(self.entries)

    def resolve(self, name: str) -> SchoolName | None:
        """The entry whose full name or a short name is ``name``; None when the table does not know it."""
        return self._index.get(school_key(name))


def _check_text(value: str, column: str, row: int | None, source: str) -> str:
    text = clean_name(value)
    if len(text) > MAX_NAME_LENGTH:
        raise SchoolNamesError(f"超过 {MAX_NAME_LENGTH} 个字", source=source, row=row, field=column, value=text[:20])
    if any(ord(c) < 32 or c in "\x7f\u2028\u2029" for c in text):
        raise SchoolNamesError("含控制字符", source=source, row=row, field=column, value=text)
    return text


def school_name_entry(
    full_name: str, short_names: Iterable[str] = (), party_org: str = "", *, source: str = "", row: int | None = None
) -> SchoolName:
    """One validated entry: a full name that does not itself look abbreviated (it may equal the roster's
    name, which confirms that name), short names, an optional party organisation that looks like a name.
    :class:`~docgen.errors.SchoolNamesError` names the row and column otherwise."""
    full = _check_text(full_name, COLUMNS[0], row, source)
    if not full:
        raise SchoolNamesError("缺少学校全称", source=source, row=row, field=COLUMNS[0])
    reason = abbreviation_reason(full)
    if reason and reason != SHORT_REASON:  # a short name without an area may be the real one: 鹿寨中学
        raise SchoolNamesError(f"全称{reason}", source=source, row=row, field=COLUMNS[0], value=full)
    shorts: list[str] = []
    for short in short_names:
        text = _check_text(short, COLUMNS[1], row, source)
        if text and school_key(text) != school_key(full) and text not in shorts:
            shorts.append(text)
    party = _check_text(party_org, COLUMNS[2], row, source)
    if party and looks_abbreviated(party) and full not in party:
        raise SchoolNamesError(
            f"党组织名称{abbreviation_reason(party)}", source=source, row=row, field=COLUMNS[2], value=party
        )
    return SchoolName(full, tuple(shorts), party)


def build_school_names(
    entries: Iterable[SchoolName], *, source: str = "", rows: Sequence[int] | None = None
) -> SchoolNames:
    """A table from validated entries: no full name twice, no short name for two schools, no short name that
    is another school's full name, at most :data:`MAX_ENTRIES` entries. Errors number the entries by ``rows``
    (the rows of a CSV as Excel shows them), else 1, 2, …"""
    owner: dict[str, tuple[str, int]] = {}
    kept: list[SchoolName] = []
    for i, entry in enumerate(entries):
        row = rows[i] if rows is not None else i + 1
        if len(kept) >= MAX_ENTRIES:
            raise SchoolNamesError(f"超过 {MAX_ENTRIES} 所学校", source=source, row=row)
        for column, name in [(COLUMNS[0], entry.full_name)] + [(COLUMNS[1], s) for s in entry.short_names]:
            key = school_key(name)
            if key in owner and owner[key][0] != entry.full_name:
                other, other_row = owner[key]
                raise SchoolNamesError(
                    f"“{name}”已在第{other_row}行指“{other}”，同一名称不能指两所学校",
                    source=source,
                    row=row,
                    field=column,
                    value=name,
                )
            if key in owner and column == COLUMNS[0]:
                raise SchoolNamesError(
                    f"全称重复（第{owner[key][1]}行已有）", source=source, row=row, field=column, value=name
                )
            owner[key] = (entry.full_name, row)
        kept.append(entry)
    return SchoolNames(tuple(kept))


def parse_school_names_csv(text: str, *, source: str = SCHOOLS_FILE) -> SchoolNames:
    """The table in a ``schools.csv``'s text (BOM allowed; header ``全称,简称,党组织名称``; short names separated
    by ``、``, ``，`` or ``;``). Blank rows are skipped. :class:`~docgen.errors.SchoolNamesError` names the row
    (as Excel numbers it) and the column of the first bad cell."""
    rows = list(csv.reader(io.StringIO(text.lstrip("\ufeff"))))
    if not rows or not any(cell.strip() for cell in rows[0]):
        return SchoolNames()
    header = [clean_name(cell) for cell in rows[0]]
    if header[:1] != [COLUMNS[0]] or any(h not in COLUMNS for h in header if h):
        raise SchoolNamesError(
            f"表头应为 {','.join(COLUMNS)}", source=source, row=1, value=",".join(rows[0])[:60]
        )
    at = {name: header.index(name) for name in COLUMNS if name in header}
    entries: list[SchoolName] = []
    rows_of: list[int] = []
    for row, cells in enumerate(rows[1:], start=2):
        if not any(cell.strip() for cell in cells):
            continue

        def cell(column: str, cells: list[str] = cells) -> str:
            i = at.get(column)
            return cells[i] if i is not None and i < len(cells) else ""

        shorts = re.split(r"[、，,;；/\n]", cell(COLUMNS[1]))
        entries.append(school_name_entry(cell(COLUMNS[0]), shorts, cell(COLUMNS[2]), source=source, row=row))
        rows_of.append(row)
    return build_school_names(entries, source=source, rows=rows_of)


def school_names_csv(names: SchoolNames) -> str:
    """The table as ``schools.csv`` text (with a BOM, so Excel reads UTF-8; CRLF line ends as Excel writes)."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(COLUMNS)
    for entry in names.entries:
        writer.writerow([entry.full_name, SHORT_NAME_SEPARATOR.join(entry.short_names), entry.party_org])
    return "\ufeff" + out.getvalue()


def add_school_name(names: SchoolNames, entry: SchoolName) -> SchoolNames:
    """The table with ``entry`` added; an entry with the same full name is replaced by the union of both
    (short names merged, the new party organisation when given). Validated like a whole table."""
    kept, merged = [], entry
    for old in names.entries:
        if school_key(old.full_name) == school_key(entry.full_name):
            shorts = tuple(dict.fromkeys((*old.short_names, *entry.short_names)))
            merged = SchoolName(old.full_name, shorts, entry.party_org or old.party_org)
        else:
            kept.append(old)
    index = next((i for i, old in enumerate(names.entries) if old.full_name == merged.full_name), len(kept))
    kept.insert(index, merged)
    return build_school_names(kept)


# --- what documents print -------------------------------------------------------------------------------------


@dataclass(frozen=True)
class SigningName:
    """What a school is called in a document. ``problem`` is ``''`` when its name can be signed; otherwise both
    names are :data:`BLANK` and ``problem`` says why, in Chinese, naming the school as the roster wrote it.
    ``party_problem`` is the same for its party organisation alone (none given, or one that looks
    abbreviated): ``party_org`` is then :data:`BLANK`, and only a document signed by party organisations is a
    draft for it (:meth:`problems`)."""

    roster_name: str
    name: str
    party_org: str
    problem: str = ""
    resolved: bool = False  # found in the table
    party_problem: str = ""

    def problems(self, signatories: Signatories) -> tuple[str, ...]:
        """Why a document signed by ``signatories`` cannot name this school yet (empty: it can)."""
        if self.problem:
            return (self.problem,)
        if signatories is Signatories.PARTY_ORGS and self.party_problem:
            return (self.party_problem,)
        return ()


def missing_party_org_reason(name: str) -> str:
    """The reason a document signed by party organisations gives for a school whose party organisation
    nobody named (``name``: its full name)."""
    return f"“{name}”没有党组织名称（如“中共{name}支部委员会”），请在学校全称表中填写"


def signing_name(school: School, table: SchoolNames | None) -> SigningName:
    """The one rule for the names a document prints for ``school`` (the render context calls it for every
    party): the table's entry when it knows the roster's name (its full name); else the roster's name when it
    does not look abbreviated; else a blank with the reason. The party organisation is the table's, else the
    roster's — never invented (``<全称>党组织`` is a description, not a name a seal carries): none, or one
    that looks abbreviated, is a blank with its reason in ``party_problem``."""
    entry = table.resolve(school.name) if table is not None else None
    if entry is not None:
        name = entry.full_name
    else:
        reason = abbreviation_reason(school.name)
        if reason:
            shown = school.name or "（空）"
            return SigningName(school.name, BLANK, BLANK, f"“{shown}”{reason}，学校全称表中没有它的全称")
        name = school.name
    party = (entry.party_org if entry is not None else "") or school.party_org
    resolved = entry is not None
    if not party:
        return SigningName(school.name, name, BLANK, "", resolved, missing_party_org_reason(name))
    # named after its (full) school: only a placeholder can be wrong with it (中共鹿寨中学委员会 for 鹿寨中学)
    party_reason = placeholder_reason(party) if name in party else abbreviation_reason(party)
    if party_reason:
        return SigningName(
            school.name, name, BLANK, "", resolved, f"“{school.name}”的党组织名称“{party}”{party_reason}"
        )
    return SigningName(school.name, name, party, "", resolved)


def party_word(count: int) -> str:
    """How an agreement speaks of all its parties: ``双方`` for two, ``三方`` for three, ``各方`` for more."""
    return "双方" if count <= 2 else "三方" if count == 3 else "各方"


def draft_reasons(
    schools: Iterable[School], table: SchoolNames | None, signatories: Signatories = Signatories.SCHOOLS
) -> tuple[str, ...]:
    """Why a document with ``schools`` as parties, signed by ``signatories``, is a draft: one reason per school
    that cannot sign (its name; for ``party_orgs``, its party organisation's name too)."""
    return tuple(r for school in schools for r in signing_name(school, table).problems(signatories))


# --- what an import is told ---------------------------------------------------------------------------------


def _where(source: str) -> tuple[str, int | None]:
    """``roster.xlsx:7`` → (``roster.xlsx``, 7); a source without a line number → (source, None)."""
    name, _, line = source.rpartition(":")
    return (name, int(line)) if name and line.isdigit() else (source, None)


def name_problems(roster: Roster, names: SchoolNames | None) -> tuple[RosterProblem, ...]:
    """An ``abbreviated`` warning for every school of ``roster`` whose name looks abbreviated, a placeholder or
    a description (:func:`abbreviation_reason`) and that the program's table does not resolve — once per
    group and side it stands in, with the roster's file and row. The CLI and the service call it after an
    import; the row still imports (documents naming that school are drafts until the table has it)."""
    problems: list[RosterProblem] = []
    for group in roster.groups:
        source, row = _where(group.source)
        for column, schools in (("支援学校", group.supporting), ("受援学校", group.supported)):
            for school in schools:
                if names is not None and names.resolve(school.name) is not None:
                    continue
                reason = abbreviation_reason(school.name)
                if reason:
                    problems.append(
                        RosterProblem(
                            ProblemKind.ABBREVIATED,
                            f"{reason}：请在学校全称表中填写它的全称，否则协议书为草稿",
                            source=source,
                            row=row,
                            column=column,
                            value=school.name,
                        )
                    )
    return tuple(problems)


def unresolved_names(roster: Roster, names: SchoolNames | None) -> list[tuple[str, str]]:
    """The distinct roster names that documents cannot sign with yet, in roster order: (name, reason)."""
    seen: dict[str, str] = {}
    for group in roster.groups:
        for school in group.schools:
            if school.name not in seen and (names is None or names.resolve(school.name) is None):
                reason = abbreviation_reason(school.name)
                if reason:
                    seen[school.name] = reason
    return list(seen.items())


def missing_party_orgs(roster: Roster, names: SchoolNames | None) -> list[tuple[str, str]]:
    """The distinct roster names whose school can sign but whose party organisation cannot yet (none named, or
    one that looks abbreviated), and that the table does not list (a listed school's party organisation is
    filled in its own entry), in roster order: (name, reason). What an agreement signed by party
    organisations still needs (:meth:`SigningName.problems`)."""
    seen: dict[str, str] = {}
    for group in roster.groups:
        for school in group.schools:
            if school.name in seen:
                continue
            signing = signing_name(school, names)
            if not signing.problem and not signing.resolved and signing.party_problem:
                seen[school.name] = signing.party_problem
    return list(seen.items())
