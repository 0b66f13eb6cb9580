"""The collection board (回收情况): which returned forms each pair owes, has sent, and is late with.

    slots = expected_slots(program, units)                     # what the program sends out and expects back
    rows = board(program, units, [Returned("03", "activity_stats", FormStatus.COMPLETE, date(2019, 5, 6))],
                 today=date(2019, 6, 1))
    rows[0].cells[0].state                                     # SlotState.COMPLETE

and, for two uploads of one form (a Word file and a scan of it):

    same_form(word_extraction, scan_extraction)               # True: one record, the other linked to it

Pure: no I/O, no database, no clock — ``today`` is passed in (the service passes Beijing's date). The one
place the states of a pair's forms are decided; the API and the web UI only translate them.

A *slot* is one copy of a blank form the program expects back from a pair: one per (pair unit, form kind),
or one per school for a per-school form (the 回执: ``03.1``, ``03.2``; a 2:1 group's 备案表 and 统计表 per
supporting school) — exactly the copies :func:`docgen.batch.plan_batch` prints (:meth:`FormKind.schools`).
A slot is *late* when nothing came back for it and the program's task for that form
(:meth:`Program.task_for_form`) is due before ``today``; a form no task gives a due date to, or an optional
task's, is never late.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from difflib import SequenceMatcher
from enum import StrEnum

from docgen.extraction import Extraction, FormStatus, Value
from docgen.forms import FormSchema, load_schemas
from docgen.forms.generate import FormKind, school_index
from docgen.forms.schema import FormPer
from docgen.model import PairGroup, Program, School
from docgen.values import is_blank


class SlotState(StrEnum):
    """Where one expected copy of a form stands."""

    COMPLETE = "complete"  # returned, every value read with certainty (or corrected)
    NEEDS_REVIEW = "needs_review"  # returned, a value waits for a person (or nothing could be read)
    MISSING = "missing"  # not returned, not yet due (or no due date)
    LATE = "late"  # not returned and its due date has passed

    @property
    def label(self) -> str:
        return STATE_TEXT[self]

    @property
    def returned(self) -> bool:
        return self in (SlotState.COMPLETE, SlotState.NEEDS_REVIEW)


STATE_TEXT: Mapping[SlotState, str] = {
    SlotState.COMPLETE: "已回收（完整）",
    SlotState.NEEDS_REVIEW: "已回收（待审核）",
    SlotState.MISSING: "未回收",
    SlotState.LATE: "逾期未交",
}

# the worst state of a cell shows first: something to chase, then something to check
_ORDER = (SlotState.LATE, SlotState.MISSING, SlotState.NEEDS_REVIEW, SlotState.COMPLETE)


@dataclass(frozen=True)
class Slot:
    """One copy of a blank form a pair unit is expected to return.

    ``label`` is what the copy's identity code prints (``03``, or ``03.2`` for the second school of pair 03);
    ``schools`` are whom to phone while it is missing (the school itself for a per-school form, the
    supporting schools for a form the helping side fills, else every school of the pair).
    """

    unit: str
    form: str
    label: str
    school: School | None
    schools: tuple[School, ...]
    due: date | None


@dataclass(frozen=True)
class Returned:
    """One counted returned form: the label it was filed under (``03``, ``03.2``), its form kind, the status
    of what was read, and the day it arrived (None when unknown: never counted as returned late)."""

    label: str
    form: str
    status: FormStatus
    received_on: date | None = None


@dataclass(frozen=True)
class SlotResult:
    """A slot and what came back for it."""

    slot: Slot
    state: SlotState
    returned: int  # copies counted for it (a 统计表 may come back once per activity)
    returned_late: bool  # the first copy arrived after the due date


@dataclass(frozen=True)
class Cell:
    """One form kind of one pair unit: its slots and the state the board shows (the worst of them)."""

    form: str
    slots: tuple[SlotResult, ...]

    @property
    def state(self) -> SlotState:
        states = {s.state for s in self.slots}
        return next(s for s in _ORDER if s in states)

    @property
    def expected(self) -> int:
        return len(self.slots)

    @property
    def done(self) -> int:
        """How many of the slots have something back."""
        return sum(1 for s in self.slots if s.state.returned)


@dataclass(frozen=True)
class Row:
    """One pair unit's line of the board: a cell per form kind the program sends, in the program's order."""

    unit: str
    supporting: tuple[School, ...]
    supported: tuple[School, ...]
    cells: tuple[Cell, ...]

    def has(self, state: SlotState) -> bool:
        return any(s.state is state for c in self.cells for s in c.slots)

    @property
    def open_slots(self) -> tuple[SlotResult, ...]:
        """The slots with nothing back (missing or late), for the phone round."""
        return tuple(s for c in self.cells for s in c.slots if not s.state.returned)


def _responsible(group: PairGroup, kind: FormKind, school: School | None) -> tuple[School, ...]:
    if school is not None:
        return (school,)
    if kind.per is FormPer.SUPPORTING_SCHOOL:
        return group.supporting
    return group.schools


def due_date(program: Program, form: str) -> date | None:
    """When ``form`` is due back: the due date of the program's task that returns it; None for a form no task
    dates, or an optional task's (it is never late)."""
    task = program.task_for_form(form)
    if task is None or task.optional:
        return None
    return task.due


def expected_slots(
    program: Program, units: Sequence[PairGroup], schemas: Mapping[str, FormSchema] | None = None
) -> list[Slot]:
    """Every copy of every blank form the program sends out, per unit in order, forms in the program's order."""
    schemas = schemas if schemas is not None else load_schemas()
    out = []
    for group in units:
        for form in program.forms:
            kind = FormKind(schemas[form])
            due = due_date(program, form)
            for school in kind.schools(group):
                label = group.label if school is None else f"{group.label}.{school_index(group, school)}"
                out.append(Slot(group.label, form, label, school, _responsible(group, kind, school), due))
    return out


def _unit_of(label: str) -> str:
    return label.split(".")[0]


def board(
    program: Program,
    units: Sequence[PairGroup],
    returned: Sequence[Returned],
    *,
    today: date,
    schemas: Mapping[str, FormSchema] | None = None,
) -> list[Row]:
    """One row per unit (in the order given) with a cell per form kind of the program.

    A returned form fills the slot its label names (``03.2``); one filed under the unit's label alone
    (``03``) for a per-school form, or under a label no slot has, fills the first of the unit's slots of that
    form nothing else filled, and — every slot filled — adds to the first one's count. Forms of another unit,
    or of a kind the program does not send, count nowhere. A slot is COMPLETE when all that came back for it
    is complete, NEEDS_REVIEW when any copy waits for a person (or could not be read), LATE when nothing came
    back and its due date is before ``today``, else MISSING.
    """
    slots = expected_slots(program, units, schemas)
    by_slot: dict[tuple[str, str], list[Returned]] = {(s.label, s.form): [] for s in slots}
    leftovers: list[Returned] = []
    for r in returned:
        if (r.label, r.form) in by_slot:
            by_slot[(r.label, r.form)].append(r)
        else:
            leftovers.append(r)
    for r in leftovers:
        mine = [s for s in slots if s.unit == _unit_of(r.label) and s.form == r.form]
        if not mine:
            continue
        empty = next((s for s in mine if not by_slot[(s.label, s.form)]), mine[0])
        by_slot[(empty.label, empty.form)].append(r)

    rows = []
    for group in units:
        cells = []
        for form in program.forms:
            results = []
            for slot in (s for s in slots if s.unit == group.label and s.form == form):
                got = by_slot[(slot.label, slot.form)]
                results.append(_result(slot, got, today))
            cells.append(Cell(form, tuple(results)))
        rows.append(Row(group.label, group.supporting, group.supported, tuple(cells)))
    return rows


def _result(slot: Slot, got: Sequence[Returned], today: date) -> SlotResult:
    if not got:
        late = slot.due is not None and slot.due < today
        return SlotResult(slot, SlotState.LATE if late else SlotState.MISSING, 0, False)
    state = SlotState.COMPLETE if all(r.status is FormStatus.COMPLETE for r in got) else SlotState.NEEDS_REVIEW
    days = [r.received_on for r in got if r.received_on is not None]
    first = min(days) if days else None
    returned_late = slot.due is not None and first is not None and first > slot.due
    return SlotResult(slot, state, len(got), returned_late)


@dataclass(frozen=True)
class Counts:
    """Per form kind: how many copies are expected, and how many are in each state."""

    form: str
    expected: int
    by_state: Mapping[SlotState, int]


def counts(rows: Sequence[Row], forms: Sequence[str]) -> list[Counts]:
    """Slot counts per form kind over ``rows`` (every state present, 0 when none)."""
    out = []
    for form in forms:
        states = [s.state for r in rows for c in r.cells if c.form == form for s in c.slots]
        out.append(Counts(form, len(states), {st: states.count(st) for st in SlotState}))
    return out


# --- the same form returned twice ------------------------------------------------------------------------

TEXT_SLACK = 0.15
"""Two readings of one free-text value agree when at most this share of the longer one's characters differ (OCR
of a scan misreads a character of a long 取得效果); a text shorter than 7 characters must read the same."""

SAME_FORM = 0.9
"""Two copies are one form when at least this share of the values either has are in both and agree (OCR may miss
a faint value); a value both have that does not agree means two different forms."""


def _text(value: Value) -> str:
    return "".join(str(value.raw).split())


def _agree(a: Value, b: Value) -> bool:
    ta, tb = _text(a), _text(b)
    if ta == tb:
        return True
    if a.normalized is not None and b.normalized is not None and not isinstance(a.normalized, str):
        return a.normalized == b.normalized  # a date, a phone, a count: the same value or a different one
    longer = max(len(ta), len(tb))
    differing = (1 - SequenceMatcher(None, ta, tb, autojunk=False).ratio()) * (len(ta) + len(tb)) / 2
    return differing <= int(TEXT_SLACK * longer)


def _filled_rows(extraction: Extraction) -> list[dict[str, Value]]:
    """The table rows with anything in them, as {column key (or printed label): value}."""
    out = []
    for table in extraction.tables:
        names = table.keys if table.keys else table.columns
        for row in table.rows:
            cells = {name: v for name, v in zip(names, row, strict=False) if not is_blank(v.raw)}
            if cells:
                out.append(cells)
    return out


def same_form(a: Extraction, b: Extraction) -> bool:
    """Whether two returned copies are the same filled form (a Word file and a scan of it; a re-saved file).

    Both must be read as the same form kind with the same identity code when both have one, and list as many
    filled table rows. Then every value both have — fields by key, table cells by row and column — must agree
    (the same date, phone or count; free text read the same but for :data:`TEXT_SLACK`), and at least
    :data:`SAME_FORM` of the values either has must be in both. Copies with nothing read are not the same form:
    there is nothing to compare. (Whose pair each was filed under is the caller's to compare.) A wrong "same"
    would hide a form a school returned, so the rule leans to "different".
    """
    if a.form is None or a.form != b.form:
        return False
    if a.identity is not None and b.identity is not None and a.identity.code != b.identity.code:
        return False
    rows_a, rows_b = _filled_rows(a), _filled_rows(b)
    if len(rows_a) != len(rows_b):
        return False
    fields_a = {k: v for k, v in a.fields.items() if not is_blank(v.raw)}
    fields_b = {k: v for k, v in b.fields.items() if not is_blank(v.raw)}
    pairs = [(fields_a, fields_b), *zip(rows_a, rows_b, strict=True)]
    total = both = 0
    for one, other in pairs:
        for key in set(one) | set(other):
            total += 1
            if key in one and key in other:
                if not _agree(one[key], other[key]):
                    return False
                both += 1
    return total > 0 and both >= SAME_FORM * total
