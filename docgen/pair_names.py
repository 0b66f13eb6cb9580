"""A school's name read unsure, confirmed by the pair the form was printed for.

    confirmed_by_pair(extraction, ("彭州市西郊小学", "黑水县芦花完全小学校"), threshold)
    confirmed_by_pair(extraction, schools_of(roster.units(program.group_policy), extraction.identity, program.key))

The service files a returned form under its pair by the identity code printed on it
(:func:`api.services.uploads.file_pair`) and then knows which schools the form is about. A school's name
read below the review threshold for no other reason than the reader's own doubt — a seal stamped over it, a
grey scan — that spells one of the pair's schools whole is a second reading from outside the page, as the
seal's ring text is (:func:`docgen.interpret.named_by_seal`), and as sure (:data:`~docgen.interpret.SEAL_NAMED`).

Only the pair's own schools count, never the program's others: a name read short under a seal can be
another real school (``牡丹区第二中学`` for ``牡丹区第二十二中学``); it matches neither of the pair's two and keeps its
doubt. So does a value with any flag beside ``low_confidence`` (a label read as a value, printed text, a
name taken from the seal because none was read): those doubts are not about the reading of the characters.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import replace

from docgen.extraction import Extraction, FormIdentity, Problem, Value
from docgen.forms.schema import ValueType
from docgen.interpret import SEAL_NAMED
from docgen.model import PairGroup, owns_label
from docgen.review import status_of
from docgen.values import SURE, squashed

_ONLY_DOUBT = "low_confidence"


def confirmed_by_pair(extraction: Extraction, schools: Iterable[str], threshold: float = SURE) -> Extraction:
    """``extraction`` with every school's name read unsure that spells one of ``schools`` whole made sure, the
    problems about those values dropped and the status decided again (:func:`~docgen.review.status_of`).
    Unchanged (the same object) when no value is confirmed."""
    names = {n for n in (squashed(s) for s in schools) if n}
    if not names:
        return extraction

    def confirm(value: Value) -> Value:
        if (value.type is not ValueType.SCHOOL or value.confidence >= threshold
                or not set(value.flags) <= {_ONLY_DOUBT} or squashed(value.raw) not in names):  # fmt: skip
            return value
        flags = tuple(f for f in value.flags if f != _ONLY_DOUBT)
        return replace(value, confidence=max(value.confidence, SEAL_NAMED), flags=flags)

    confirmed: set[tuple[str | None, str, int | None]] = set()  # (key, label, 1-based row) of each value made sure
    fields = {}
    for key, value in extraction.fields.items():
        fields[key] = confirm(value)
        if fields[key] is not value:
            confirmed.add((key, extraction.label(key), None))
    tables = []
    for table in extraction.tables:
        rows = []
        for r, row in enumerate(table.rows, start=1):
            new = tuple(confirm(v) for v in row)
            for c in (c for c, (old, now) in enumerate(zip(row, new, strict=True)) if old is not now):
                confirmed.add((table.keys[c] if table.keys else None, table.columns[c], r))
            rows.append(new)
        tables.append(replace(table, rows=tuple(rows)))
    if not confirmed:
        return extraction

    def about_confirmed(p: Problem) -> bool:
        return any(p.row == row and (p.key == key if key is not None else p.field == label)
                   for key, label, row in confirmed)  # fmt: skip

    out = replace(extraction, fields=fields, tables=tuple(tables),
                  problems=tuple(p for p in extraction.problems if not about_confirmed(p)))  # fmt: skip
    return replace(out, status=status_of(out, threshold))


def schools_of(units: Iterable[PairGroup], identity: FormIdentity | None, program_key: str) -> tuple[str, ...]:
    """The names of the schools of the pair ``identity`` names, by its printed label among ``units`` (the
    roster's units under the program's group policy, as the forms were printed; a per-school 回执's ``05.1`` is
    pair 05's, :func:`~docgen.model.owns_label`); none when the code names another program or a label the
    roster has not. The service files by its stored pairs instead
    (:func:`api.services.uploads.file_pair`: a label printed before a re-import means the schools it was then)."""
    if identity is None or identity.program != program_key:
        return ()
    # a per-school form's 05.1, a split unit's 05-2: the pair that owns the label, the longest label winning
    owners = [u for u in units if owns_label(u.label, identity.pair)]
    if not owners:
        return ()
    unit = max(owners, key=lambda u: len(u.label))
    return tuple(s.name for s in (*unit.supporting, *unit.supported))
