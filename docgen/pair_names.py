"""A school's name checked against the pair the form was printed for: read unsure but whole, made sure; read as
a piece of the name, doubted.

    checked_by_pair(extraction, ("彭州市西郊小学", "黑水县芦花完全小学校"), threshold)
    checked_by_pair(extraction, schools_of(roster.units(program.group_policy), extraction.identity, program.key))

The service files a returned form under its pair by the identity code printed on it
(:func:`api.services.uploads.file_pair`) and then knows which schools the form is about — a second reading of
their names from outside the page:

* A school's name read below the review threshold for no other reason than the reader's own doubt — a seal
  stamped over it, a grey scan — that spells one of the pair's schools whole is as sure as when the seal's
  ring text spells it (:func:`docgen.interpret.named_by_seal`, :data:`~docgen.interpret.SEAL_NAMED`). A value
  with any other flag (a label read as a value, printed text, a name taken from the seal because none was
  read) keeps its doubt: those doubts are not about the reading of the characters.
* A school's name read as only a piece of one of the pair's names — a character lost at a cell's
  edge (``江高中`` of ``三江高中``) — is doubted (flag ``part_of_pair_name``), unless the piece is the name
  without its place (``西郊小学`` of ``彭州市西郊小学``), which is how schools shorten their own names.
* A school's name read unsure one character off one of the pair's names — one character read as another
  (``社丹区…`` for ``牡丹区…`` under a black seal) or lost inside (``青岛市帮扶初（待定）``) — is filled in as the
  pair's school: the form was printed for that pair, and the reviewer, who must still look (flag
  ``one_character_off_pair_name``), is shown what was read. A name read sure is what it is (``彭州市东郊小学``
  is not made 西郊), and so is a name one character off both of the pair's.

Only the pair's own schools count, never the program's others: a name read short under a seal can be another
real school (``牡丹区第二中学`` for ``牡丹区第二十二中学``); it matches neither of the pair's names whole.

The form is a second reading of itself, too (:func:`checked_within`, in :func:`docgen.extract.extract` for
every caller): an 安排表 names its 受援学校 in 填报单位 and again in its row, and a name read sure in one place
checks the other — the same two rules, a piece kept to one or two characters lost (the other place may name a
longer school whose short name this is). It works where no pair is known: the code unread (a grey copy), the
CLI without a roster.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable
from dataclasses import replace

from docgen.extraction import Extraction, FormIdentity, Problem, Table, Value
from docgen.forms.schema import ValueType
from docgen.interpret import SEAL_NAMED
from docgen.model import PairGroup, owner
from docgen.plausible import DOUBT_FACTOR
from docgen.review import is_about, status_of, where_text
from docgen.values import SURE, normalize_school, squashed

_ONLY_DOUBT = "low_confidence"
PART_OF_PAIR_NAME = "part_of_pair_name"
"""The flag of a school's name read as a piece of one of its pair's schools' names, or of the same school's name
read elsewhere on the form (characters lost)."""
ONE_CHARACTER_OFF_PAIR_NAME = "one_character_off_pair_name"
"""The flag of a school's name read unsure one character off one of its pair's schools' names, and filled in
as that name (the reading is in the problem)."""

# 四川省, 彭州市, 黑水县, 成都市武侯区, 通济镇 …: what a school's short name leaves out, from its start
_PLACES = re.compile(r".{1,10}[省市县区州盟旗镇乡]")


def checked_by_pair(extraction: Extraction, schools: Iterable[str], threshold: float = SURE) -> Extraction:
    """``extraction`` checked against the names of its pair's ``schools``: a school's name read unsure that
    spells one of them whole is made sure and its problem dropped; a school's name read as a piece of one of
    them (a character lost at a cell's edge or under a seal: ``江高中`` of ``三江高中``), unless the piece is the
    name without its place (``西郊小学`` of ``彭州市西郊小学``, how schools shorten their names), is doubted
    (flag ``part_of_pair_name``) with a problem naming the whole name. A name read unsure that is one
    character off one of them (:func:`_one_character_off`: ``社丹区…`` for ``牡丹区…`` under a black seal) is
    filled in as the pair's school and stays in review (flag ``one_character_off_pair_name``), the reading
    named in the problem. The status is decided again (:func:`~docgen.review.status_of`). Unchanged (the same
    object) when no value changes."""
    spelled = {n: s.strip() for s in schools if (n := squashed(s))}
    if not spelled:
        return extraction
    names = set(spelled)
    return _checked(extraction, lambda _place: names, _whole_name, "结对学校", threshold, spelled)


def checked_within(extraction: Extraction, threshold: float = SURE) -> Extraction:
    """``extraction``'s school names checked against each other: a form may name a school twice (an 安排表's
    填报单位 and its row's 受援学校), and the two places are read apart. A name read unsure that spells another
    one read sure whole is made sure; a name that is a piece of another one read sure, short by one or two
    characters that are not its place (``江高中`` of ``三江高中``, read at 0.99 where the form's code was not
    read, so no pair was known), is doubted (``part_of_pair_name``). A piece that names a place (``黑水县`` of
    ``黑水县中学``: a 县区 in a 单位 field) is no school's name cut short.
    """
    sure: list[tuple[Place, str]] = []
    for place, value in _school_values(extraction):
        if value.confidence >= threshold and not value.flags and (text := squashed(value.raw)):
            sure.append((place, text))
    if not sure:
        return extraction
    return _checked(extraction, lambda place: {t for p, t in sure if p != place}, _lost_characters, "本表另一处",
                    threshold)


Place = tuple[str, int | None]
"""Where a value stands on the form: ``(field key, None)``, or ``("<table>:<column>", row)``."""


def _cell_place(t: int, table: Table, c: int, r: int) -> Place:
    return f"{t}:{table.keys[c] if table.keys else c}", r


def _school_values(extraction: Extraction) -> list[tuple[Place, Value]]:
    """Every school-typed value of ``extraction`` with its place."""
    out: list[tuple[Place, Value]] = []
    for key, value in extraction.fields.items():
        if value.type is ValueType.SCHOOL:
            out.append(((key, None), value))
    for t, table in enumerate(extraction.tables):
        for r, row in enumerate(table.rows, start=1):
            for c, value in enumerate(row):
                if value.type is ValueType.SCHOOL:
                    out.append((_cell_place(t, table, c, r), value))
    return out


def _checked(extraction: Extraction, names_for: Callable[[Place], set[str]],
             piece_of: Callable[[str, set[str]], str | None], whose: str, threshold: float,
             spelled: dict[str, str] | None = None) -> Extraction:
    """The check of :func:`checked_by_pair` and :func:`checked_within`: each school-typed value against
    ``names_for(its place)``, a piece found by ``piece_of``; ``whose`` names the names in the problem. With
    ``spelled`` (squashed name → as the roster spells it), a name read unsure one character off one of them
    is filled in as that name."""
    changed: dict[tuple[str | None, str, int | None], tuple[Value, str | None]] = {}  # → (new value, whole name)
    corrected: dict[tuple[str | None, str, int | None], str] = {}  # → what was read

    def check(value: Value, key: str | None, label: str, row: int | None, place: Place) -> Value:
        if value.type is not ValueType.SCHOOL:
            return value
        names = names_for(place)
        if not names:
            return value
        text = squashed(value.raw)
        if text in names:
            if value.confidence >= threshold or not set(value.flags) <= {_ONLY_DOUBT}:
                return value
            flags = tuple(f for f in value.flags if f != _ONLY_DOUBT)
            new = replace(value, confidence=max(value.confidence, SEAL_NAMED), flags=flags)
            changed[(key, label, row)] = (new, None)
            return new
        whole = piece_of(text, names)
        if whole is None and spelled is not None and value.confidence < threshold \
                and set(value.flags) <= {_ONLY_DOUBT} and (near := _one_character_off(text, names)) is not None:
            name = spelled[near]
            new = replace(value, raw=name, normalized=normalize_school(name).normalized,
                          flags=(*value.flags, ONE_CHARACTER_OFF_PAIR_NAME))
            changed[(key, label, row)] = (new, name)
            corrected[(key, label, row)] = value.raw
            return new
        if whole is None or PART_OF_PAIR_NAME in value.flags:
            return value
        new = replace(value, confidence=value.confidence * DOUBT_FACTOR, flags=(*value.flags, PART_OF_PAIR_NAME))
        changed[(key, label, row)] = (new, whole)
        return new

    fields = {key: check(value, key, extraction.label(key), None, (key, None))
              for key, value in extraction.fields.items()}
    tables = []
    for t, table in enumerate(extraction.tables):
        rows = tuple(
            tuple(check(v, table.keys[c] if table.keys else None, table.columns[c], r, _cell_place(t, table, c, r))
                  for c, v in enumerate(row))
            for r, row in enumerate(table.rows, start=1)
        )
        tables.append(replace(table, rows=rows))
    if not changed:
        return extraction

    confirmed = [place for place, (_, whole) in changed.items() if whole is None]

    problems = [p for p in extraction.problems
                if not any(p.row == row and is_about(p, key, {label}) for key, label, row in confirmed)]  # fmt: skip
    for (key, label, row), (value, whole) in changed.items():
        if (key, label, row) in corrected:
            problems = [p for p in problems if not (p.row == row and is_about(p, key, {label}))]
            problems.append(Problem(
                f"{where_text(label, row)}：识别为“{corrected[(key, label, row)]}”，与{whose}「{whole}」只差一字，"
                f"已按{whose}名称填入，请核对（置信度 {value.confidence:.2f}）", label, row, key))
        elif whole is not None:
            problems.append(Problem(
                f"{where_text(label, row)}：校名只是{whose}「{whole}」名称的一部分，可能漏识别了字"
                f"（“{value.raw}”，置信度 {value.confidence:.2f}）", label, row, key))
    out = replace(extraction, fields=fields, tables=tuple(tables), problems=tuple(problems))
    return replace(out, status=status_of(out, threshold))


def _one_character_off(text: str, names: set[str]) -> str | None:
    """The one name of ``names`` (four characters or more) that ``text`` misses by one character — read as
    another (``社丹区吴店镇中心中学`` for ``牡丹区吴店镇中心中学``) or lost inside it (``青岛市帮扶初（待定）``) —
    or None when none or several do. A character lost at either end is :func:`_whole_name`'s piece."""
    near = [n for n in names if len(n) >= 4 and (
        (len(n) == len(text) and sum(a != b for a, b in zip(n, text, strict=True)) == 1)
        or (len(n) == len(text) + 1 and any(n[:i] + n[i + 1:] == text for i in range(1, len(n) - 1))))]
    return near[0] if len(near) == 1 else None


def _lost_characters(text: str, names: set[str]) -> str | None:
    """The name ``text`` is a piece of when it is short of it by one or two characters that are not its place,
    and is no place itself (:func:`_whole_name`'s rule, kept to a character or two lost: another name read on
    the same form may be a longer school's whose own short name ``text`` is)."""
    if _PLACES.fullmatch(text):  # a place and nothing else (黑水县): a 县区 in a 单位 field, no school
        return None
    return _whole_name(text, {n for n in names if 0 < len(n) - len(text) <= 2})


def _whole_name(text: str, names: set[str]) -> str | None:
    """The pair's school name ``text`` (squashed, two characters or more) is a piece of, when what is missing is
    more than the name's place: None for a name of its own or the name without its place."""
    if len(text) < 2:
        return None
    for name in sorted(names):
        at = name.find(text)
        if at < 0:
            continue
        before, after = name[:at], name[at + len(text):]
        if not after and _PLACES.fullmatch(before):
            continue
        return name
    return None


def schools_of(units: Iterable[PairGroup], identity: FormIdentity | None, program_key: str) -> tuple[str, ...]:
    """The names of the schools of the pair ``identity`` names, by its printed label among ``units`` (the
    roster's units under the program's group policy, as the forms were printed; a per-school 回执's ``05.1`` is
    pair 05's, :func:`~docgen.model.owner`); none when the code names another program or a label the
    roster has not. The service files by its stored pairs instead
    (:func:`api.services.uploads.file_pair`: a label printed before a re-import means the schools it was then)."""
    if identity is None or identity.program != program_key:
        return ()
    unit = owner(units, identity.pair)  # a per-school form's 05.1, a split unit's 05-2
    return tuple(s.name for s in (*unit.supporting, *unit.supported)) if unit is not None else ()
