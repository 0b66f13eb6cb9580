"""The collection board rule (``docgen.collection``): pairs × forms × returned records × today → states."""

from __future__ import annotations

from dataclasses import replace
from datetime import date

from docgen.collection import (
    STATE_TEXT,
    Returned,
    SlotState,
    board,
    counts,
    due_date,
    expected_slots,
    same_form,
)
from docgen.extraction import Extraction, FormIdentity, FormStatus, InputKind, Table, Value
from docgen.forms import ValueType
from docgen.model import PairGroup, Program, School, Task

PROGRAM = Program(
    key="pz", name="彭州·黑水校校结对", bureaus=(), agreements=(), period_start=date(2019, 3, 14),
    forms=("filing", "activity_stats", "liaison_reply"),
    tasks=(
        Task("liaison_report", "确定联络员和分管领导并报人事科", due=date(2019, 3, 20), form="liaison_reply"),
        Task("teaching_exchange", "互派教师开展教研交流活动", due=date(2019, 11, 30), min_per_year=1),
        Task("filing_optional", "自选项目备案", due=date(2019, 4, 1), optional=True, form="filing"),
    ),
)
XIJIAO = School("彭州市西郊小学", contact="王老师", phone="13800000001")
JIUCHI = School("彭州市九尺镇小学", contact="李老师", phone="13800000002")
LUHUA = School("黑水县芦花完全小学校", contact="扎西", phone="13800000003")
QINGPING = School("彭州市清平小学", contact="陈老师", phone="13800000004")
ZHAWO = School("黑水县扎窝中心校", contact="", phone="")
PAIRS = (
    PairGroup(1, (QINGPING,), (ZHAWO,)),  # 01: 1:1
    PairGroup(3, (XIJIAO, JIUCHI), (LUHUA,)),  # 03: a 2:1 group
)
BEFORE_DUE = date(2019, 3, 19)
AFTER_DUE = date(2019, 3, 21)


def cell(rows, unit: str, form: str):  # type: ignore[no-untyped-def]
    row = next(r for r in rows if r.unit == unit)
    return next(c for c in row.cells if c.form == form)


def test_the_slots_are_the_copies_the_batch_prints_one_per_school_for_the_reply_and_per_supporting_school_in_a_group():
    slots = expected_slots(PROGRAM, PAIRS)
    labels = [(s.label, s.form) for s in slots]
    assert labels == [
        ("01", "filing"), ("01", "activity_stats"), ("01.1", "liaison_reply"), ("01.2", "liaison_reply"),
        ("03.1", "filing"), ("03.2", "filing"), ("03.1", "activity_stats"), ("03.2", "activity_stats"),
        ("03.1", "liaison_reply"), ("03.2", "liaison_reply"), ("03.3", "liaison_reply"),
    ]
    # whom to phone: the school itself for its own copy; the helping side for the forms it fills
    reply = next(s for s in slots if s.label == "03.3")
    assert reply.schools == (LUHUA,) and reply.due == date(2019, 3, 20)
    assert next(s for s in slots if s.label == "01" and s.form == "filing").schools == (QINGPING,)


def test_a_form_nothing_came_back_for_is_missing_before_its_due_date_and_late_after_it():
    before = board(PROGRAM, PAIRS, [], today=BEFORE_DUE)
    after = board(PROGRAM, PAIRS, [], today=AFTER_DUE)
    assert cell(before, "01", "liaison_reply").state is SlotState.MISSING
    assert cell(after, "01", "liaison_reply").state is SlotState.LATE
    # on the due day itself it is not late yet
    assert cell(board(PROGRAM, PAIRS, [], today=date(2019, 3, 20)), "01", "liaison_reply").state is SlotState.MISSING


def test_a_form_without_a_due_date_or_of_an_optional_task_is_never_late():
    rows = board(PROGRAM, PAIRS, [], today=date(2030, 1, 1))
    assert due_date(PROGRAM, "activity_stats") is None  # no task returns it
    assert due_date(PROGRAM, "filing") is None  # its task is optional
    assert cell(rows, "01", "activity_stats").state is SlotState.MISSING
    assert cell(rows, "01", "filing").state is SlotState.MISSING
    assert cell(rows, "01", "liaison_reply").state is SlotState.LATE


def test_returned_forms_fill_their_own_slot_and_the_cell_shows_the_worst_state():
    returned = [
        Returned("01.1", "liaison_reply", FormStatus.COMPLETE, date(2019, 3, 18)),
        Returned("01", "activity_stats", FormStatus.NEEDS_REVIEW, date(2019, 5, 6)),
        Returned("03.2", "activity_stats", FormStatus.COMPLETE, date(2019, 5, 6)),
    ]
    rows = board(PROGRAM, PAIRS, returned, today=AFTER_DUE)
    reply = cell(rows, "01", "liaison_reply")
    assert [s.state for s in reply.slots] == [SlotState.COMPLETE, SlotState.LATE]
    assert reply.state is SlotState.LATE and (reply.done, reply.expected) == (1, 2)
    assert cell(rows, "01", "activity_stats").state is SlotState.NEEDS_REVIEW
    stats = cell(rows, "03", "activity_stats")
    assert [s.state for s in stats.slots] == [SlotState.MISSING, SlotState.COMPLETE]
    # the open slots name whom to phone: 03.1's 统计表 is 西郊's (not 九尺's, whose copy came back)
    row = next(r for r in rows if r.unit == "03")
    open_stats = [s for s in row.open_slots if s.slot.form == "activity_stats"]
    assert [s.slot.schools for s in open_stats] == [(XIJIAO,)]


def test_an_unreadable_copy_is_returned_but_needs_review_and_two_copies_of_a_slot_count_twice():
    returned = [
        Returned("01", "activity_stats", FormStatus.COMPLETE),
        Returned("01", "activity_stats", FormStatus.UNREADABLE),
    ]
    [result] = cell(board(PROGRAM, PAIRS, returned, today=AFTER_DUE), "01", "activity_stats").slots
    assert result.state is SlotState.NEEDS_REVIEW and result.returned == 2


def test_a_per_school_form_filed_under_the_pair_alone_fills_the_first_empty_slot_and_other_units_count_nowhere():
    returned = [
        Returned("01.1", "liaison_reply", FormStatus.COMPLETE),
        Returned("01", "liaison_reply", FormStatus.COMPLETE),  # no school index: the next empty copy
        Returned("07", "liaison_reply", FormStatus.COMPLETE),  # no such unit on the board
        Returned("01", "arrangement", FormStatus.COMPLETE),  # a form the program does not send
    ]
    rows = board(PROGRAM, PAIRS, returned, today=AFTER_DUE)
    reply = cell(rows, "01", "liaison_reply")
    assert [s.state for s in reply.slots] == [SlotState.COMPLETE, SlotState.COMPLETE]
    assert sum(s.returned for r in rows for c in r.cells for s in c.slots) == 2


def test_a_copy_returned_after_its_due_date_is_returned_late():
    returned = [Returned("01.1", "liaison_reply", FormStatus.COMPLETE, date(2019, 3, 25)),
                Returned("01.2", "liaison_reply", FormStatus.COMPLETE, date(2019, 3, 20))]
    slots = cell(board(PROGRAM, PAIRS, returned, today=AFTER_DUE), "01", "liaison_reply").slots
    assert [s.returned_late for s in slots] == [True, False]


def test_counts_per_form_cover_every_state():
    returned = [Returned("01.1", "liaison_reply", FormStatus.COMPLETE)]
    [filing, stats, reply] = counts(board(PROGRAM, PAIRS, returned, today=AFTER_DUE), PROGRAM.forms)
    assert (reply.form, reply.expected) == ("liaison_reply", 5)
    assert reply.by_state == {SlotState.COMPLETE: 1, SlotState.NEEDS_REVIEW: 0, SlotState.MISSING: 0,
                              SlotState.LATE: 4}
    assert filing.by_state[SlotState.MISSING] == 3 and stats.expected == 3
    assert set(STATE_TEXT) == set(SlotState)


# --- the same form twice ---------------------------------------------------------------------------------


def v(text: str, confidence: float = 1.0) -> Value:
    return Value(text, text, confidence)


def stats(rows: list[list[str]], *, kind: InputKind = InputKind.DOCX, unit: str = "彭州市西郊小学",
          pair: str = "03") -> Extraction:
    keys = ("serial", "activity", "when", "effect")
    table = Table(("序号", "活动名称", "活动时间", "取得效果"), tuple(tuple(v(c) for c in r) for r in rows), keys)
    return Extraction(
        source="03.docx", input_kind=kind, form="activity_stats",
        identity=FormIdentity("pz", pair, "activity_stats", 1),
        fields={"unit": v(unit), "filled_on": v("2019年5月6日")}, tables=(table,), status=FormStatus.COMPLETE,
        problems=(), pages=1,
    )


ROWS = [["1", "送教下乡", "2019年4月11日", "通过示范课和专题讲座，受援学校教师在课堂教学设计方面得到具体指导"],
        ["2", "联合教研", "2019年4月18日", "良好"], ["", "", "", ""]]


def test_a_scan_of_a_word_form_is_the_same_form_even_with_a_character_misread():
    word = stats(ROWS)
    scanned = [r[:] for r in ROWS[:2]]
    scanned[0][3] = scanned[0][3].replace("课堂", "课党")  # OCR misreads one character of a long cell
    scanned[1][2] = "2019年4月18 日"  # and spaces a date differently
    assert same_form(word, stats(scanned, kind=InputKind.SCAN))


def test_another_activity_a_different_row_count_another_pair_or_form_is_not_the_same_form():
    word = stats(ROWS)
    other = [r[:] for r in ROWS]
    other[0][1], other[0][2], other[0][3] = "校长互访", "2019年6月2日", "交流管理经验"
    other[1][1], other[1][2] = "名师示范课", "2019年6月9日"
    assert not same_form(word, stats(other))
    assert not same_form(word, stats(ROWS[:1]))
    assert not same_form(word, stats(ROWS, pair="04"))
    assert not same_form(word, replace(stats(ROWS), form="filing"))
    assert not same_form(replace(word, form=None), replace(word, form=None))


def test_one_activity_or_one_date_that_differs_makes_another_form():
    """Two 统计表 of one pair alike but for one activity's name, or one date (read as dates), are two forms."""
    word = stats(ROWS)
    renamed = [r[:] for r in ROWS]
    renamed[1][1] = "教研"
    assert not same_form(word, stats(renamed))

    def dated(day: int) -> Extraction:
        e = stats(ROWS)
        when = Value(f"2019年4月{day}日", date(2019, 4, day), 1.0, type=ValueType.DATE)
        rows = tuple(tuple(when if i == 2 else c for i, c in enumerate(r)) if n == 0 else r
                     for n, r in enumerate(e.tables[0].rows))
        return replace(e, tables=(replace(e.tables[0], rows=rows),))

    assert same_form(dated(11), dated(11)) and not same_form(dated(11), dated(12))


def test_a_scan_that_missed_one_faint_value_is_still_the_same_form_but_not_two():
    word = stats(ROWS)
    faint = [r[:] for r in ROWS]
    faint[1][3] = ""  # 良好 too faint to read
    assert same_form(word, stats(faint, kind=InputKind.SCAN))
    fainter = [r[:] for r in faint]
    fainter[1][2] = ""
    assert not same_form(word, stats(fainter, kind=InputKind.SCAN))


def test_two_copies_with_nothing_read_are_not_the_same_form():
    empty = replace(stats([]), fields={})
    assert not same_form(empty, empty)
