"""What the 新建项目 form starts from: defaults per agreement template, a new program's skeleton, a free key.

Data, not rules: each built-in template's defaults are what its notice's program uses (docs/programs.md and
samples/*/program.yaml) without that notice's own names, dates or figures — the clerk types those. A
template uploaded by a bureau gets the generic defaults. Everything here is in the shape ``program.yaml``
holds (docgen.program reads it), so the form and the file are one format.
"""

from __future__ import annotations

import re
from collections.abc import Collection, Mapping
from copy import deepcopy
from typing import Any

from docgen.files import default_program
from docgen.model import ReportEvery, Signatories, Target, TargetMeasure, TargetPeriod, TargetScope
from docgen.naming import is_program_key
from docgen.program_file import plain

# template stem → {agreement: the agreement kind, program: what the program around it usually has}
TEMPLATE_DEFAULTS: Mapping[str, Mapping[str, Any]] = {
    "party_building": {  # 彭州·黑水 (seed 000): 附件1 学校党建共建协议书, one year, 一式四份
        "agreement": {
            "key": "party_building",
            "title": "学校党建共建协议书",
            "template": "party_building.docx",
            "term": {"years": 1},
            "copy_holders": ["parties", "bureaus"],
            "signatories": "party_orgs",  # 结对基层党组织（盖章）: the party organisations sign
        },
        "program": {
            "party_terms": {"supporting": "支援学校", "supported": "受援学校", "first": "甲方", "second": "乙方"},
            "forms": ["filing", "activity_stats", "liaison_reply"],
            "tasks": [
                {"key": "agreement", "title": "签订学校党建共建协议书"},
                {"key": "liaison_report", "title": "确定联络员和分管领导并上报", "form": "liaison_reply"},
                {"key": "teaching_exchange", "title": "互派教师开展教研交流活动", "min_per_year": 1},
            ],
        },
    },
    "five_year": {  # 柳州 (seed 001): 结对帮扶协议 with the five kinds of assistance and each stage's focus
        "agreement": {
            "key": "five_year",
            "title": "结对帮扶协议",
            "template": "five_year.docx",
            "term": {"years": 5},
            "copy_holders": ["schools", "bureau_offices"],
        },
        "program": {
            "party_terms": {"supporting": "帮扶学校", "supported": "受援学校", "first": "甲方", "second": "乙方"},
            "forms": ["arrangement"],
            "tasks": [
                {"key": "plan_submitted", "title": "结对帮扶工作方案（含帮扶安排表）上报", "form": "arrangement"},
                {"key": "agreement", "title": "签订结对帮扶协议"},
            ],
        },
    },
    "three_year": {  # 东莞 “1+1” (seed 004): three years, the plan's wording is the template's text
        "agreement": {
            "key": "three_year",
            "title": "结对帮扶协议书",
            "template": "three_year.docx",
            "term": {"years": 3},
            "copy_holders": ["schools", "bureau_offices"],
        },
        "program": {
            "party_terms": {"supporting": "支援学校", "supported": "受援学校", "first": "甲方", "second": "乙方"},
            "forms": [],
            "tasks": [{"key": "agreement", "title": "结对学校签订帮扶协议"}],
        },
    },
    "heze_three_year": {  # 菏泽 (seed 003): each helping city's bureau files its own schools' agreements
        "agreement": {
            "key": "three_year",
            "title": "结对帮扶协议书",
            "template": "heze_three_year.docx",
            "term": {"years": 3},
            "copy_holders": ["schools", "supporting_region_bureaus", "bureau_offices"],
        },
        "program": {
            "party_terms": {"supporting": "帮扶学校", "supported": "被帮扶学校", "first": "甲方", "second": "乙方"},
            "forms": [],
            "tasks": [{"key": "school_list", "title": "帮扶学校名单及工作方案上报"}],
        },
    },
}

GENERIC: Mapping[str, Any] = {
    "agreement": {
        "key": "agreement",
        "title": "结对帮扶协议书",
        "term": {"years": 1},
        "copy_holders": ["schools", "bureaus"],
    },
    "program": {
        "party_terms": {"supporting": "支援学校", "supported": "受援学校", "first": "甲方", "second": "乙方"},
        "forms": [],
        "tasks": [{"key": "agreement", "title": "签订结对帮扶协议"}],
    },
}


def template_defaults(template: str, title: str = "") -> dict[str, Any]:
    """The defaults for an agreement on ``template`` (a name, with or without ``.docx``): the built-in ones,
    else the generic ones with the template's name and ``title`` (an uploaded template's description).

    The five-year agreement's ``params`` (the five kinds of assistance and each stage's focus, without a
    notice's quantities) are the built-in default program's (docgen/templates/default_program.yaml)."""
    stem = template.removesuffix(".docx")
    if stem in TEMPLATE_DEFAULTS:
        out: dict[str, Any] = deepcopy(dict(TEMPLATE_DEFAULTS[stem]))
        builtin = {k.template.removesuffix(".docx"): k for k in default_program().agreements}
        if stem in builtin and builtin[stem].params:
            out["agreement"]["params"] = plain(builtin[stem].params)
        return out
    agreement = dict(deepcopy(GENERIC["agreement"]), template=f"{stem}.docx")
    agreement["key"] = re.sub(r"[^a-z0-9_]", "_", stem)[:64] or "agreement"
    if title:
        agreement["title"] = title
    return {"agreement": agreement, "program": deepcopy(dict(GENERIC["program"]))}


def new_program(template: str = "party_building", *, key: str = "") -> dict[str, Any]:
    """A new program's data for the form: two bureaus (支援, 受援), one agreement on ``template`` with its
    defaults, and that template's usual forms and tasks. Names, dates and 文号 are left for the clerk."""
    defaults = template_defaults(template)
    return {
        "key": key,
        "name": "",
        "bureaus": [{"name": "", "side": "supporting"}, {"name": "", "side": "supported"}],
        "agreements": [defaults["agreement"]],
        **deepcopy(defaults["program"]),
    }


def suggest_key(year: int | None, taken: Collection[str], base: str = "") -> str:
    """A program key no program has: ``base`` (an existing key, for a copy: ``…-2``) or ``xm<year>-<n>``.

    Keys are printed in file names and form identity codes, never read by people: short, unique, valid."""
    stem = base if base and is_program_key(base) else (f"xm{year}" if year else "xm")
    n = 2 if base else 1
    while f"{stem[:56]}-{n}" in taken:
        n += 1
    return f"{stem[:56]}-{n}"



# Words for the codes a program file holds (served in /api/vocabulary; the form shows these, never the codes).
SIDE_TEXT: Mapping[str, str] = {"supporting": "支援方", "supported": "受援方"}
COPY_HOLDER_TEXT: Mapping[str, str] = {
    "parties": "各校党组织各一份",
    "schools": "各校各一份",
    "bureaus": "各教育局党办各留一份备案",
    "bureau_offices": "各教育局（本身）各留一份备案",
    "supporting_region_bureaus": "支援学校所在地教育局各留一份备案",
}
SIGNATORIES_TEXT: Mapping[str, str] = {
    Signatories.SCHOOLS: "各校签署（盖学校章）",
    Signatories.PARTY_ORGS: "各校党组织签署（盖党组织章；缺党组织名称的协议为草稿）",
}
GROUP_POLICY_TEXT: Mapping[str, str] = {
    "joint": "多校结对只签一份协议（各校都是一方）",
    "split": "多校结对按每两校各签一份",
}
# The target and report choices of the form, keyed by the codes program.yaml holds (docgen.model).
TARGET_SCOPE_TEXT: Mapping[str, str] = {
    TargetScope.PAIR.value: "每组结对",
    TargetScope.PROGRAM.value: "全项目合计",
}
TARGET_PERIOD_TEXT: Mapping[str, str] = {
    TargetPeriod.YEAR.value: "每年",
    TargetPeriod.SEMESTER.value: "每学期",
    TargetPeriod.WHOLE.value: "整个项目期",
}
TARGET_MEASURE_TEXT: Mapping[str, str] = {
    TargetMeasure.ROWS.value: "按活动次数（统计表每行一次）",
    TargetMeasure.PEOPLE.value: "按人数（统计表“派出人员”）",
    TargetMeasure.SUM.value: "按人次合计（统计表“受援人次”）",
}
# the form a target counts unless it names another (docgen.model.Target.form), and the column of it each measure
# counts: the set-up form shows the measure only; a target of another form keeps its own column
TARGET_FORM = Target(key="", title="", unit="").form
MEASURE_COLUMN: Mapping[str, str] = {
    TargetMeasure.ROWS.value: "",
    TargetMeasure.PEOPLE.value: "staff",
    TargetMeasure.SUM.value: "beneficiaries",
}
REPORT_EVERY_TEXT: Mapping[str, str] = {
    ReportEvery.MONTH.value: "每月",
    ReportEvery.HALF_YEAR.value: "每半年",
}


__all__ = [
    "COPY_HOLDER_TEXT",
    "GENERIC",
    "GROUP_POLICY_TEXT",
    "MEASURE_COLUMN",
    "REPORT_EVERY_TEXT",
    "SIDE_TEXT",
    "TARGET_FORM",
    "TARGET_MEASURE_TEXT",
    "TARGET_PERIOD_TEXT",
    "TARGET_SCOPE_TEXT",
    "TEMPLATE_DEFAULTS",
    "new_program",
    "suggest_key",
    "template_defaults",
]
