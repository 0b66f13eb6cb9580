"""The 台账 rule (``docgen.ledger``): pairs, returned forms and the program's tasks → one row per pair."""

from __future__ import annotations

import dataclasses
from datetime import date

from docgen.extraction import Extraction, FormStatus, InputKind, Table, Value
from docgen.forms import ValueType
from docgen.interpret import interpret
from docgen.ledger import LEDGER_HEADER, LedgerRow, ReturnedForm, TaskCell, TaskState, ledger_header, ledger_rows
from docgen.model import PairGroup, Program, School, Task
from tests.test_interpret import STATS_HEADER, STATS_TITLE, document, stats_row, table

PROGRAM = Program(
    key="pz", name="彭州·黑水校校结对", bureaus=(), agreements=(), period_start=date(2019, 3, 14),
    tasks=(
        Task("liaison_report", "确定联络员和分管领导并报人事科", due=date(2019, 3, 20)),
        Task("teaching_exchange", "互派教师开展教研交流活动", due=date(2019, 11, 30), min_per_year=2),
        Task("optional_projects", "自选项目", optional=True),
    ),
)
PAIRS = (
    PairGroup(1, (School("彭州市西郊小学"),), (School("黑水县芦花小学"),)),
    PairGroup(2, (School("彭州市清平小学"), School("彭州市白鹿小学")), (School("黑水县中学"),)),
    PairGroup(3, (School("彭州市七一小学"),), (School("黑水县色尔古小学"),)),
)


def stats(*rows: list[str]) -> Extraction:
    lines = [STATS_TITLE, "填报单位：彭州市西郊小学  填报时间：2019年6月1日"]
    e = interpret(document(table([STATS_HEADER, *rows]), lines=lines))
    assert e.form == "activity_stats"
    return e


def keyed_only(activity: str, when: date) -> Extraction:
    """A 统计表 whose column labels are nothing the schema prints: only the keys say which column is which."""
    cells = (Value("1", 1, 1.0), Value(activity, activity, 1.0),
             Value(when.isoformat(), when, 1.0, type=ValueType.DATE))
    table = Table(("No.", "项目", "日子"), (cells,), ("serial", "activity", "when"))
    return Extraction("retyped.docx", InputKind.DOCX, "activity_stats", None, {}, (table,), FormStatus.COMPLETE)


def test_ledger_rows_count_activities_and_give_each_task_its_own_cell() -> None:
    returned = [
        ReturnedForm("01", stats(stats_row(1, when="2019年4月23日—26日"), stats_row(2, "同课异构", when="2019.5.10"))),
        ReturnedForm("01", stats(stats_row(1, "联合教研", when="4月中旬"))),  # a partial date: counted, not dated
        ReturnedForm("02.1", keyed_only("送教下乡", date(2019, 9, 2))),  # a split pair's form counts for pair 02
        ReturnedForm(None, stats(stats_row(1))),  # no pair: nobody's
    ]
    rows = ledger_rows(PROGRAM, PAIRS, returned, as_of=date(2019, 12, 1))
    done, late, optional = TaskState.DONE, TaskState.OVERDUE, TaskState.OPTIONAL
    assert rows == [
        LedgerRow("01", "彭州市西郊小学", "黑水县芦花小学", 2, 3, date(2019, 5, 10),
                  (TaskCell(done), TaskCell(done, 3, 2), TaskCell(done))),
        LedgerRow("02", "彭州市清平小学、彭州市白鹿小学", "黑水县中学", 1, 1, date(2019, 9, 2),
                  (TaskCell(done), TaskCell(late, 1, 2), TaskCell(done))),
        LedgerRow("03", "彭州市七一小学", "黑水县色尔古小学", 0, 0, None,
                  (TaskCell(late), TaskCell(late, 0, 2), TaskCell(optional))),
    ]  # fmt: skip
    assert ledger_header(PROGRAM) == [*LEDGER_HEADER, "确定联络员和分管领导并报人事科（2019年3月20日前）",
                                      "互派教师开展教研交流活动（2019年11月30日前）", "自选项目"]  # fmt: skip
    assert rows[0].cells() == ["01", "彭州市西郊小学", "黑水县芦花小学", 2, 3, "2019年5月10日",
                               "已完成", "已完成（3/2次）", "已完成"]  # fmt: skip
    assert rows[2].cells()[6:] == ["逾期", "逾期（0/2次）", "自选"]
    assert rows[2].overdue == (0, 1)
    assert all(len(r.cells()) == len(ledger_header(PROGRAM)) for r in rows)


def test_nothing_is_overdue_before_its_due_date_and_a_row_without_an_activity_is_none() -> None:
    unnamed = ["2", "", "张三", "2019年5月1日", "", "", "", "", "", ""]
    form = stats(stats_row(1, "送教下乡", when="2019年4月23日"), unnamed)
    assert len(form.tables[0].rows) == 2
    returned = [ReturnedForm("03", form)]
    [first, _, third] = ledger_rows(PROGRAM, PAIRS, returned, as_of=date(2019, 3, 20))
    assert (third.forms, third.activities, third.last_activity, third.overdue) == (1, 1, date(2019, 4, 23), ())
    assert first.cells()[6:] == ["未到期", "未到期（0/2次）", "自选"]


def test_a_returned_form_that_could_not_be_read_still_counts_as_returned() -> None:
    [first, *_] = ledger_rows(PROGRAM, PAIRS, [ReturnedForm("01", None)], as_of=date(2019, 4, 1))
    assert (first.forms, first.activities, first.overdue) == (1, 0, ())


def test_a_task_that_returns_a_form_is_done_only_when_that_form_came_back() -> None:
    program = dataclasses.replace(PROGRAM, tasks=(Task("liaison", "报联络员", due=date(2019, 3, 20),
                                                       form="liaison_reply"),))  # fmt: skip
    [first, *_] = ledger_rows(program, PAIRS, [ReturnedForm("01", stats(stats_row(1)))], as_of=date(2019, 4, 1))
    assert first.cells()[6:] == ["逾期"]  # a 统计表 is not the 回执 this task asks for
    reply = dataclasses.replace(stats(stats_row(1)), form="liaison_reply")
    [first, *_] = ledger_rows(program, PAIRS, [ReturnedForm("01.2", reply)], as_of=date(2019, 4, 1))
    assert first.cells()[6:] == ["已完成"]
