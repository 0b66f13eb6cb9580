"""Targets and periodic reports (``docgen.targets``, ``docgen.reports``): returned 统计表 rows summed per pair and
for the program against the notice's numbers; the monthly and half-year reports with who has not reported."""

from __future__ import annotations

from datetime import date, datetime
from pathlib import Path

import pytest

from docgen.errors import ProgramError
from docgen.extraction import Extraction
from docgen.files import load_program
from docgen.interpret import interpret
from docgen.ledger import ReturnedForm
from docgen.model import PairGroup, School, TargetMeasure, TargetPeriod, TargetScope
from docgen.program import parse_program_yaml
from docgen.proof import docx_paragraphs
from docgen.render.docx import CompiledTemplate
from docgen.reports import (
    REPORT_TEMPLATE,
    Reported,
    build_report,
    find_rule,
    render_report,
    report_context,
    report_span,
)
from docgen.targets import describe, people, progress, semester_of
from tests.test_interpret import STATS_HEADER, STATS_TITLE, document, table

ROOT = Path(__file__).resolve().parent.parent
SAMPLE = ROOT / "samples" / "jianshi_binjiang"
JIANSHI = load_program(SAMPLE / "program.yaml")
PAIRS = (
    PairGroup(1, (School("杭州市滨江区第一小学"),), (School("建始县业州镇第一小学"),)),
    PairGroup(2, (School("杭州市滨江区实验中学"),), (School("建始县民族中学"),)),
    PairGroup(3, (School("杭州市滨江区江南实验学校"),), (School("建始县花坪镇中心小学"),)),
)


def row(n: int, activity: str, staff: str, when: str, beneficiaries: str = "") -> list[str]:
    return [str(n), activity, staff, when, "建始县", "", beneficiaries, "", "效果良好", ""]


def stats(*rows: list[str]) -> Extraction:
    e = interpret(document(table([STATS_HEADER, *rows]), lines=[STATS_TITLE, "填报单位：建始县民族中学"]))
    assert e.form == "activity_stats"
    return e


RETURNED = [
    ReturnedForm("01", stats(
        row(1, "专题讲座", "张三、李四", "2019年5月12日"),          # 支教 2 人次, the pair's 支教活动
        row(2, "跟岗培训", "建始县教师12人", "2019年5月20日"),      # 跟岗 12 人
        row(3, "爱心助学", "王五", "2019年6月1日", "30人"),        # 资助学生 30 人; 支教 no
    ), received=date(2019, 5, 18)),
    ReturnedForm("02", stats(
        row(1, "干部挂职支教", "赵六等3人", "2019年4月2日"),        # 支教 3 人次 and 挂职 3 人
        row(2, "跟岗培训", "钱七", "2019年9月3日"),                # autumn: not in the spring semester
    ), received=date(2019, 5, 25)),
    ReturnedForm(None, stats(row(1, "专题讲座", "孙八", "2019年5月3日"))),  # filed under no pair: nobody's
]


def test_the_jianshi_sample_carries_the_notices_targets_and_reports() -> None:
    targets = {t.key: t for t in JIANSHI.targets}
    assert {k: (t.quantity, t.unit) for k, t in targets.items()} == {
        "teacher_exchange": (250, "人"), "teaching_visits": (100, "人次"), "shadow_training": (150, "人"),
        "cadres": (6, "人"), "students_aided": (100, "人"), "pair_teaching": (1, "次"),
    }
    assert targets["teacher_exchange"].parts == ("teaching_visits", "shadow_training")
    pair = targets["pair_teaching"]
    assert (pair.per, pair.period, pair.measure) == (TargetScope.PAIR, TargetPeriod.SEMESTER, TargetMeasure.ROWS)
    monthly = find_rule(JIANSHI, "monthly")
    assert (monthly.due_day, monthly.rollup_day, monthly.rollup_to) == (19, 20, ("县扶贫办", "滨江区教育局"))
    # 附件1 and 附件2 are the task list, with the notice's months as due dates
    titles = {t.key: (t.title, t.due) for t in JIANSHI.tasks}
    assert titles["shadow_1"] == ("跟岗培训：幼儿园园长25人（人事股、教育股）", date(2019, 3, 31))
    assert sum(1 for k in titles if k.startswith("shadow_")) == 6
    assert sum(1 for k in titles if k.startswith("expert_")) == 5


def test_the_liuzhou_samples_carry_the_five_kinds_of_assistance_per_semester() -> None:
    for folder in ("liuzhou_high_schools", "liuzhou_special_education"):
        program = load_program(ROOT / "samples" / folder / "program.yaml")
        kinds = [p["name"] for p in program.agreement("five_year").params["assistance"]]
        by_title = {t.title: t for t in program.targets}
        assert {t.title.split("：")[0] for t in program.targets} == set(kinds), folder
        assert all(t.per is TargetScope.PAIR and t.period is TargetPeriod.SEMESTER for t in program.targets)
        # the quantities the notice states, and none for the two kinds it gives no number
        assert {t.title: t.quantity for t in program.targets} == {
            "管理帮扶：受援学校选派骨干到帮扶学校挂职锻炼": 2,
            "管理帮扶：帮扶学校选派骨干到受援学校指导": 2,
            "教师发展帮扶：帮扶学校安排优秀教师到受援学校送教": 2,
            "教师发展帮扶：受援学校组织教师到帮扶学校听课、学习或研讨": 2,
            "办学条件帮扶：改善办学条件、“手拉手”活动": None,
            "教育教学帮扶：联合教研活动": 2,
            "困境学生帮扶：关爱和帮助困境儿童": None,
        }, folder
        assert by_title["管理帮扶：受援学校选派骨干到帮扶学校挂职锻炼"].note == "每学期2—3名"


def test_progress_sums_rows_per_pair_and_for_the_program() -> None:
    result = {p.target.key: p for p in progress(JIANSHI, PAIRS, RETURNED, as_of=date(2019, 6, 30))}
    visits = result["teaching_visits"]
    assert [(c.pair, c.done) for c in visits.pairs] == [("01", 2), ("02", 3), ("03", 0)]
    assert (visits.done, visits.quantity, visits.percent, visits.reached) == (5, 100, 5, False)
    assert result["shadow_training"].done == 12  # 12 stated; 钱七 (3 September) is after the day asked
    assert result["teacher_exchange"].done == 17  # the two parts added
    later = {p.target.key: p for p in progress(JIANSHI, PAIRS, RETURNED, as_of=date(2019, 12, 31))}
    assert later["shadow_training"].done == 13  # a whole-year target counts the autumn too
    assert result["cadres"].done == 3
    assert result["students_aided"].done == 30
    pair = result["pair_teaching"]
    assert pair.span.label == "2019年春季学期"
    assert [(c.pair, c.done, c.reached) for c in pair.pairs] == [("01", 1, True), ("02", 1, True), ("03", 0, False)]
    assert (pair.quantity, pair.pairs_reached, pair.reached) == (3, 2, False)
    assert describe(pair) == (
        "结对学校赴建始开展支教活动：目标每个结对2019年春季学期1次（每学期一次），截至2019年6月30日，3个结对中2个已完成，合计2次。"
    )
    assert describe(visits) == "滨江教师支教建始：目标100人次，截至2019年6月30日完成5人次（5%）。"


def test_rows_after_the_day_asked_or_outside_the_semester_do_not_count() -> None:
    early = {p.target.key: p for p in progress(JIANSHI, PAIRS, RETURNED, as_of=date(2019, 5, 1))}
    assert early["teaching_visits"].done == 3  # only 赵六等3人 (4月2日) by 1 May
    autumn = {p.target.key: p for p in progress(JIANSHI, PAIRS, RETURNED, as_of=date(2019, 10, 1))}
    assert autumn["pair_teaching"].span.label == "2019年秋季学期" and autumn["pair_teaching"].done == 0


def test_semesters_and_people() -> None:
    assert semester_of(date(2019, 3, 1)).label == "2019年春季学期"
    assert (semester_of(date(2020, 2, 29)).start, semester_of(date(2020, 2, 29)).end) == (
        date(2019, 9, 1), date(2020, 2, 29))
    cells = stats(row(1, "a", "张三、李四 王五", "2019年5月1日"), row(2, "b", "教师５名", "2019年5月1日"),
                  row(3, "c", "", "2019年5月1日")).tables[0].rows
    assert [people(r[2]) for r in cells] == [3, 5, 0]


@pytest.mark.parametrize(
    ("targets", "key", "fragment"),
    [
        ("- {key: a, title: t, unit: 人, form: nosuch}", "targets[0].form", "未知或没有表格的表单种类"),
        ("- {key: a, title: t, unit: 人, measure: people}", "targets[0].column", "须指明列"),
        ("- {key: a, title: t, unit: 人, measure: sum, column: staff}", "targets[0].column", "不是"),
        ("- {key: a, title: t, unit: 人, measure: people, column: nosuch}", "targets[0].column", "没有列"),
        ("- {key: a, title: t, unit: 人, quantity: 0}", "targets[0].quantity", "正整数"),
        ("- {key: a, title: t, unit: 人, per: school}", "targets[0].per", "之一"),
        ("- {key: a, title: t, unit: 人, parts: [b]}", "targets[0].parts", "不是本项目的另一个目标"),
        ("- {key: a, title: t, unit: 人, amount: 3}", "targets[0]", "未知的项"),
        ("- {key: a, title: t}", "targets[0].unit", "缺少必填项"),
    ],
)
def test_target_errors_name_the_key(targets: str, key: str, fragment: str) -> None:
    text = "key: k\nname: n\nagreements:\n  - {key: a, title: t, template: x.docx}\ntargets:\n  " + targets + "\n"
    with pytest.raises(ProgramError) as info:
        parse_program_yaml(text, source="p.yaml")
    assert info.value.key == key and fragment in str(info.value)


def test_report_errors_name_the_key() -> None:
    text = (
        "key: k\nname: n\nagreements:\n  - {key: a, title: t, template: x.docx}\n"
        "reports:\n  - {key: m, title: t, every: month, due_day: 31}\n"
    )
    with pytest.raises(ProgramError, match="1–28") as info:
        parse_program_yaml(text, source="p.yaml")
    assert info.value.key == "reports[0].due_day"
    with pytest.raises(ProgramError, match="没有报告 'weekly'"):
        find_rule(JIANSHI, "weekly")
    with pytest.raises(ValueError, match="1–12"):
        report_span(find_rule(JIANSHI, "monthly"), 2019, 13)


def test_the_monthly_report_says_who_reported_late_and_who_did_not() -> None:
    rule = find_rule(JIANSHI, "monthly")
    report = build_report(JIANSHI, rule, PAIRS, RETURNED, report_span(rule, 2019, 5))
    assert [(p.pair, p.status) for p in report.pairs] == [
        ("01", Reported.ON_TIME), ("02", Reported.LATE), ("03", Reported.MISSING)]
    assert report.due == date(2019, 5, 19) and report.dated == date(2019, 5, 20)
    context = report_context(JIANSHI, report)
    assert context["summary"] == (
        "本期应报送的结对3个，按时报送1个，逾期报送1个，未报送1个（报送截止日期：2019年5月19日）。")
    assert context["missing"] == ["03（杭州市滨江区江南实验学校—建始县花坪镇中心小学）"]
    assert context["late"] == ["02（杭州市滨江区实验中学—建始县民族中学），2019年5月25日报送"]
    # May's activities only, in date order (the unfiled form's 孙八 is nobody's)
    assert context["activities"] == [
        "5月12日，结对01开展“专题讲座”，派出人员：张三、李四。",
        "5月20日，结对01开展“跟岗培训”，派出人员：建始县教师12人。",
    ]
    assert context["receivers"] == "县扶贫办、滨江区教育局"


def test_the_report_renders_from_the_word_template_with_every_section() -> None:
    rule = find_rule(JIANSHI, "half_year")
    report = build_report(JIANSHI, rule, PAIRS, RETURNED, report_span(rule, 2019, 1))
    template = CompiledTemplate.compile((ROOT / "docgen" / "templates" / REPORT_TEMPLATE).read_bytes(), REPORT_TEMPLATE)
    rendered = render_report(JIANSHI, report, template)
    text = "\n".join(docx_paragraphs(rendered.docx))
    assert rendered.name == "东西部教育扶贫协作工作总结（2019年上半年）"
    for expected in (
        "东西部教育扶贫协作工作总结", "（2019年上半年）",
        "根据建始县教育局《建始县教育局2019年东西部扶贫协作工作方案》要求，现将建始·滨江东西部教育扶贫协作2019年上半年工作情况报告如下。",
        "一、报送情况", "按时报送2个，逾期报送0个，未报送1个（报送截止日期：2019年6月30日）",
        "未报送：03（杭州市滨江区江南实验学校—建始县花坪镇中心小学）。",
        "4月2日，结对02开展“干部挂职支教”，派出人员：赵六等3人。",
        "6月1日，结对01开展“爱心助学”，派出人员：王五，受援人次：30人。",
        "1．两地教师交流：目标250人（250名），截至2019年6月30日完成17人（6%）。",
        "5．资助建始县特困家庭学生：目标100人（100人以上），截至2019年6月30日完成30人（30%）。",
        "建始县教育局\n2019年6月30日",
    ):
        assert expected in text, expected
    assert "逾期报送：" not in text and "{{" not in text and "{%" not in text
    assert rendered.proof.ok, rendered.proof.summary()


def test_a_program_without_reports_gets_a_monthly_and_a_half_year_one_without_invented_days() -> None:
    program = load_program(ROOT / "samples" / "pengzhou_heishui" / "program.yaml")
    monthly = find_rule(program, "monthly")
    assert (monthly.title, monthly.due_day, monthly.rollup_day) == ("彭州·黑水“校校结对”工作进展情况", None, None)
    assert find_rule(program, "half_year").title == "彭州·黑水“校校结对”半年工作总结"
    report = build_report(program, monthly, PAIRS[:1], [], report_span(monthly, 2019, 4))
    assert (report.due, report.dated) == (date(2019, 4, 30), date(2019, 4, 30))


def test_a_report_with_no_activities_and_no_targets_says_so() -> None:
    program = parse_program_yaml(
        "key: k\nname: 测试项目\nissuer: 某县教育局\nagreements:\n  - {key: a, title: t, template: x.docx}\n"
        "reports:\n  - {key: m, title: 工作进展情况, every: 每月, due_day: 19}\n"
    )
    rule = find_rule(program, "m")
    report = build_report(program, rule, PAIRS[:1], [], report_span(rule, 2019, 2))
    template = CompiledTemplate.compile((ROOT / "docgen" / "templates" / REPORT_TEMPLATE).read_bytes(), REPORT_TEMPLATE)
    text = "\n".join(docx_paragraphs(render_report(program, report, template).docx))
    assert "本期回传的统计表中没有本期开展的活动。" in text and "本项目未设定量化目标。" in text
    assert "未报送：01（杭州市滨江区第一小学—建始县业州镇第一小学）。" in text
    assert "2019年2月28日" in text  # no roll-up day: dated the period's last day


@pytest.mark.slow
def test_the_report_pdf_is_proof_clean() -> None:
    from docgen.render.pdf import ConverterPool

    rule = find_rule(JIANSHI, "monthly")
    report = build_report(JIANSHI, rule, PAIRS, RETURNED, report_span(rule, 2019, 5))
    template = CompiledTemplate.compile((ROOT / "docgen" / "templates" / REPORT_TEMPLATE).read_bytes(), REPORT_TEMPLATE)
    with ConverterPool(workers=1) as pool:
        rendered = render_report(JIANSHI, report, template, converter=pool)
    assert rendered.pdf is not None and rendered.pdf.startswith(b"%PDF") and rendered.pages
    assert rendered.proof.ok and not rendered.proof.findings, rendered.proof.summary()


@pytest.mark.slow
def test_docgen_generate_on_the_jianshi_sample_is_proof_clean_with_its_drafts_flagged(tmp_path: Path) -> None:
    """The sample's first three pairs through ``docgen generate`` with PDFs (the whole roster takes 30 s and
    makes the same four documents per pair): agreements are drafts (the placeholders), nothing else is found."""
    from typer.testing import CliRunner

    from cli.main import app

    lines = (SAMPLE / "roster.csv").read_text(encoding="utf-8-sig").splitlines()
    (tmp_path / "roster.csv").write_text("\n".join(lines[:4]) + "\n", encoding="utf-8")
    (tmp_path / "program.yaml").write_bytes((SAMPLE / "program.yaml").read_bytes())
    result = CliRunner().invoke(app, ["generate", str(tmp_path / "roster.csv"), "--out", str(tmp_path / "out")])
    assert result.exit_code == 0, result.output
    assert "计划 12 份，新生成 12 份" in result.output
    assert "校对 12 份：12 份无问题，0 份有问题，草稿 3 份" in result.output


def test_the_ledgers_target_section_has_a_row_per_target_and_a_column_per_target_per_pair() -> None:
    from docgen.targets import TARGET_HEADER, pair_target_header, pair_target_rows, target_rows

    rows = progress(JIANSHI, PAIRS, RETURNED, as_of=date(2019, 6, 30))
    table = target_rows(rows)
    assert len(TARGET_HEADER) == len(table[0])
    assert table[1] == ["滨江教师支教建始", "项目期内", "100人次", "5人次", "5%"]
    assert table[5] == ["结对学校赴建始开展支教活动", "2019年春季学期", "每个结对1次", "2次", "2/3 个结对达标"]
    assert pair_target_header(rows)[:3] == ("结对序号", "两地教师交流（人）", "滨江教师支教建始（人次）")
    assert pair_target_rows(rows) == [["01", 14, 2, 12, 0, 30, 1], ["02", 3, 3, 0, 3, 0, 1], ["03", 0, 0, 0, 0, 0, 0]]
    liuzhou = load_program(ROOT / "samples" / "liuzhou_high_schools" / "program.yaml")
    unmeasured = target_rows(progress(liuzhou, PAIRS, [], as_of=date(2019, 6, 30)))
    assert unmeasured[4] == ["办学条件帮扶：改善办学条件、“手拉手”活动", "2019年春季学期", "通知未规定", "0次", "—"]


def test_docgen_report_writes_the_monthly_report_from_extract_json(tmp_path: Path) -> None:
    import json
    import os

    from typer.testing import CliRunner

    from cli.main import app

    rows = [row(1, "专题讲座", "张三、李四", "2019年5月12日"), row(2, "跟岗培训", "建始县教师12人", "2019年5月20日")]
    code = "DG1:jianshi-binjiang-2019:01:activity_stats:1"
    extraction = interpret(document(table([STATS_HEADER, *rows]), lines=[STATS_TITLE], codes=[code]))
    assert extraction.identity is not None and extraction.identity.pair == "01"
    returned = tmp_path / "01.json"
    returned.write_text(json.dumps(extraction.to_json(), ensure_ascii=False, default=str), encoding="utf-8")
    arrived = datetime(2019, 5, 18, 12).timestamp()
    os.utime(returned, (arrived, arrived))
    args = ["report", str(SAMPLE / "roster.csv"), str(returned), "--period", "2019-05", "--out", str(tmp_path / "out"),
            "--no-pdf"]
    result = CliRunner().invoke(app, args)
    assert result.exit_code == 0, result.output
    assert "结对 28 个：按时报送 1，逾期报送 0，未报送 27；活动 2 项" in result.output
    assert "校对：无问题" in result.output
    docx = tmp_path / "out" / "东西部教育扶贫协作工作进展情况（2019年5月）.docx"
    text = "\n".join(docx_paragraphs(docx.read_bytes()))
    assert "5月12日，结对01开展“专题讲座”，派出人员：张三、李四。" in text
    assert "未报送：02（滨江区第02号结对学校—建始县第02号结对学校）；03（" in text
    bad = CliRunner().invoke(app, [*args[:3], "--period", "2019-5月", "--out", str(tmp_path / "x")])
    assert bad.exit_code == 2 and "--period 应写作 2019-05" in bad.output


def test_the_pengzhou_sample_measures_its_yearly_exchanges_per_pair() -> None:
    program = load_program(ROOT / "samples" / "pengzhou_heishui" / "program.yaml")
    assert [(t.title, t.quantity, t.unit, t.per, t.period, t.note) for t in program.targets] == [
        ("学校管理层互访及管理工作交流", 1, "次", TargetScope.PAIR, TargetPeriod.YEAR, "每年不少于1次"),
        ("互派教师开展教研交流活动", 1, "次", TargetScope.PAIR, TargetPeriod.YEAR, "每年不少于1次"),
    ]
    returned = [ReturnedForm("01", stats(row(1, "送教下乡", "张三", "2019年4月23日")))]
    [visits, exchange] = progress(program, PAIRS, returned, as_of=date(2019, 11, 30))
    assert (visits.done, exchange.done, exchange.pairs_reached, exchange.span.label) == (0, 1, 1, "2019年")
