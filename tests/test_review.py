"""Review in the domain: a person's correction (``docgen.review.correct``) and the one status rule."""

from __future__ import annotations

from dataclasses import replace
from datetime import date

import pytest

from docgen.errors import BadPath, NoSuchValue
from docgen.extraction import Extraction, FormStatus, InputKind, Problem, Table, Value
from docgen.forms import ValueType, load_schemas
from docgen.interpret import interpret
from docgen.review import correct, status_of, with_schema_keys
from tests.test_interpret import (
    FILING_VALUES,
    STATS_HEADER,
    STATS_LINES,
    STATS_TITLE,
    document,
    filing_table,
    stats_row,
    table,
)

STATS = load_schemas()["activity_stats"]
FILING = load_schemas()["filing"]
WHEN = STATS_HEADER.index("活动时间")


def stats_without_a_year() -> Extraction:
    """A 统计表 whose dates carry no year anywhere (no filing date, no other date): both wait for review."""
    rows = [STATS_HEADER, stats_row(1, when="4月中旬"), stats_row(2, "同课异构", when="4月23日")]
    e = interpret(document(table(rows), lines=[STATS_TITLE, "填报单位：彭州市西郊小学    填报时间：    年  月  日"]))
    assert e.form == "activity_stats" and e.status is FormStatus.NEEDS_REVIEW
    assert {(p.key, p.row) for p in e.problems} == {("when", 1), ("when", 2)}, [p.message for p in e.problems]
    return e


def filing(values: dict[str, str]) -> Extraction:
    lines = ["彭州·黑水“校校结对”教育交流活动备案表", "单位：彭州市西郊小学  2019年4月20日"]
    return interpret(document(filing_table(values), lines=lines))


# --------------------------------------------------------------------------------------------- correct


def test_typing_what_the_school_wrote_in_a_2019_program_completes_the_record() -> None:
    e = stats_without_a_year()
    first = correct(e, f"tables/0/rows/0/{WHEN}", "2019年4月中旬", schema=STATS, context_year=2019)
    cell = first.tables[0].rows[0][WHEN]
    assert cell.normalized == {"year": 2019, "month": 4}  # still a partial date: what was written
    assert cell.confidence == 1.0 and "corrected" in cell.flags and "indeterminate_date" in cell.flags
    assert [(p.key, p.row) for p in first.problems] == [("when", 2)]
    assert first.status is FormStatus.NEEDS_REVIEW  # row 2 is still unsure

    done = correct(first, f"tables/0/rows/1/{WHEN}", "4月23日", schema=STATS, context_year=2019)
    assert done.tables[0].rows[1][WHEN].normalized == date(2019, 4, 23)
    assert done.tables[0].rows[1][WHEN].confidence == 1.0
    assert done.problems == () and done.status is FormStatus.COMPLETE


def test_a_month_without_a_year_in_a_program_without_a_year_stays_flagged() -> None:
    e = correct(stats_without_a_year(), f"tables/0/rows/0/{WHEN}", "4月中旬", schema=STATS, context_year=None)
    [problem] = [p for p in e.problems if p.row == 1]
    assert problem.key == "when" and "日期缺少年份" in problem.message and "4月中旬" in problem.message
    assert e.tables[0].rows[0][WHEN].confidence < 0.9


def test_an_invalid_phone_stays_needs_review_with_the_reason_in_chinese() -> None:
    e = filing(FILING_VALUES)
    assert e.status is FormStatus.COMPLETE
    bad = correct(e, "fields/leader_phone", "12345", schema=FILING, context_year=2019)
    assert bad.status is FormStatus.NEEDS_REVIEW
    [problem] = bad.problems
    assert (problem.key, problem.field, problem.row) == ("leader_phone", "联系电话", None)
    assert problem.message == "「联系电话」：电话号码无效（“12345”，修改后仍无效）"
    value = bad.fields["leader_phone"]
    assert value.raw == "12345" and "corrected" in value.flags and value.confidence < 0.9

    fixed = correct(bad, "fields/联系电话", "0837-6822345", schema=FILING, context_year=2019)  # by its label too
    assert fixed.fields["leader_phone"].normalized == "08376822345"
    assert fixed.problems == () and fixed.status is FormStatus.COMPLETE


def test_clearing_a_required_field_is_a_problem_and_filling_a_missing_one_removes_it() -> None:
    e = filing(FILING_VALUES)
    cleared = correct(e, "fields/leader", "  ", schema=FILING, context_year=2019)
    assert [p.message for p in cleared.problems] == ["「带队人员姓名」：必填项未填写（修改后仍为空）"]
    missing = filing({k: v for k, v in FILING_VALUES.items() if k != "外出时间"})
    assert any(p.key == "departs_on" for p in missing.problems)
    added = correct(missing, "fields/departs_on", "2019年4月23日", schema=FILING, context_year=2019)
    assert added.fields["departs_on"].normalized == date(2019, 4, 23)
    assert not any(p.key == "departs_on" for p in added.problems)


def test_a_path_that_names_nothing_is_refused_with_the_path_in_the_message() -> None:
    e = stats_without_a_year()
    with pytest.raises(BadPath, match="tables/0/x"):
        correct(e, "tables/0/x", "1", schema=STATS, context_year=2019)
    with pytest.raises(NoSuchValue, match="第 3 行"):
        correct(e, "tables/0/rows/2/0", "1", schema=STATS, context_year=2019)
    with pytest.raises(NoSuchValue, match="不存在的字段"):
        correct(e, "fields/不存在的字段", "1", schema=STATS, context_year=2019)


def test_the_threshold_given_is_the_one_the_status_follows() -> None:
    e = filing({**FILING_VALUES, "返回时间": "2019年4月26日"})  # every value read for sure
    done = correct(e, "fields/leader_title", "校长", schema=FILING, context_year=2019, threshold=0.99)
    assert done.status is FormStatus.COMPLETE  # a valid correction is certain at any threshold
    unsure = replace(done, fields={**done.fields, "unit": replace(done.fields["unit"], confidence=0.95)})
    assert correct(unsure, "fields/leader_title", "校长", schema=FILING, context_year=2019,
                   threshold=0.99).status is FormStatus.NEEDS_REVIEW


# ---------------------------------------------------------------------------------------------- status


def one_value(confidence: float, problems: tuple[Problem, ...] = ()) -> Extraction:
    value = Value("张三", "张三", confidence, type=ValueType.NAME)
    return Extraction("f.docx", InputKind.DOCX, "filing", None, {"leader": value}, (), FormStatus.COMPLETE, problems)


@pytest.mark.parametrize(("confidence", "threshold", "status"), [
    (0.9, 0.9, FormStatus.COMPLETE),  # at the threshold: sure enough
    (0.899, 0.9, FormStatus.NEEDS_REVIEW),
    (0.9, 0.95, FormStatus.NEEDS_REVIEW),
    (0.85, 0.85, FormStatus.COMPLETE),
])
def test_status_at_the_threshold_boundary(confidence: float, threshold: float, status: FormStatus) -> None:
    assert status_of(one_value(confidence), threshold) is status


def test_any_problem_means_review_and_nothing_read_stays_unreadable() -> None:
    assert status_of(one_value(1.0, (Problem("识别码无法解析：DG1:x"),)), 0.9) is FormStatus.NEEDS_REVIEW
    nothing = Extraction("x.pdf", InputKind.PDF, None, None, {}, (), FormStatus.UNREADABLE, (Problem("文件已加密"),))
    assert status_of(nothing, 0.9) is FormStatus.UNREADABLE
    cell = Value("1", 1, 0.95, type=ValueType.INTEGER)
    assert status_of(replace(nothing, tables=(Table(("序号",), ((cell,),)),), problems=()), 0.9) is FormStatus.COMPLETE


def test_interpret_decides_status_by_the_same_rule() -> None:
    rows = [STATS_HEADER, stats_row(1)]
    for threshold in (0.5, 0.9, 0.99):
        read = document(table(rows, confidence={(1, 1): 0.95}), lines=STATS_LINES)
        e = interpret(read, review_threshold=threshold)
        assert e.status is status_of(e, threshold)
        assert (e.status is FormStatus.COMPLETE) == (threshold <= 0.95)


# ------------------------------------------------------------------------------------- older records


def test_a_record_stored_with_fields_by_label_is_rekeyed_and_can_be_corrected() -> None:
    new = stats_without_a_year()
    old_json = new.to_json()
    old_json["fields"] = {v.pop("label"): v for v in old_json["fields"].values()}
    for t in old_json["tables"]:
        t.pop("keys")
    for p in old_json["problems"]:
        p.pop("key")
    legacy = with_schema_keys(Extraction.from_json(old_json), STATS)
    assert legacy.fields.keys() == new.fields.keys() and legacy.label("unit") == "填报单位"
    assert legacy.tables[0].keys == new.tables[0].keys
    assert [p.key for p in legacy.problems] == [p.key for p in new.problems]
    done = correct(legacy, f"tables/0/rows/0/{WHEN}", "2019年4月中旬", schema=STATS, context_year=2019)
    assert not any(p.row == 1 for p in done.problems)
