"""Program files: parsed into typed data; mistakes named by file and key."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest

from docgen.chinese import cn_number, format_date
from docgen.errors import ProgramError
from docgen.files import load_program
from docgen.model import GroupPolicy, Side, Signatories, Stage
from docgen.naming import safe_component
from docgen.program import parse_program_yaml

SAMPLES = Path(__file__).resolve().parent.parent / "samples"


def test_pengzhou_program_carries_its_notice_data() -> None:
    p = load_program(SAMPLES / "pengzhou_heishui" / "program.yaml")
    assert p.document_number == "彭教育人事发〔2019〕8号" and p.issued_on == date(2019, 3, 14)
    assert [b.name for b in p.bureaus_on(Side.SUPPORTING)] == ["彭州市教育局"]
    assert p.group_policy is GroupPolicy.JOINT
    kind = p.agreement("party_building")
    assert (kind.term.start, kind.term.end) == (date(2019, 4, 1), date(2020, 3, 31))
    assert {t.key: t.due for t in p.tasks}["party_building_agreement"] == date(2019, 3, 31)
    assert kind.signatories is Signatories.PARTY_ORGS  # 附件1's seal block: 结对基层党组织（盖章）


def test_agreements_are_signed_by_the_schools_unless_the_program_says_party_organisations() -> None:
    signed = {
        (path.parent.name, kind.key): kind.signatories
        for path in sorted(SAMPLES.glob("*/program.yaml"))
        for kind in load_program(path).agreements
    }
    assert {key for key, who in signed.items() if who is Signatories.PARTY_ORGS} == {
        ("pengzhou_heishui", "party_building")
    }


def test_every_sample_program_parses() -> None:
    programs = [load_program(f) for f in sorted(SAMPLES.glob("*/program.yaml"))]
    assert len(programs) == 6
    liuzhou = next(p for p in programs if p.key == "liuzhou-high-2016")
    assert liuzhou.default_stage is Stage.HIGH_SCHOOL
    assert len(liuzhou.agreement("five_year").params["assistance"]) == 5


@pytest.mark.parametrize(
    ("text", "key", "fragment"),
    [
        ("key: k\nname: n\n", "agreements", "至少需要一种协议"),
        (
            "key: k\nname: n\nagreements:\n  - {key: a, title: t, template: x.docx, term: {start: 2019-13-01}}\n",
            "agreements[0].term.start",
            "日期应写作",
        ),
        (
            "key: k\nname: n\nagreements:\n  - {key: a, title: t, template: x.docx, "
            "term: {start: 2020-01-01, end: 2019-01-01}}\n",
            "agreements[0].term",
            "早于",
        ),
        (
            "key: k\nname: n\nbureaus: [{name: b, side: left}]\nagreements: []\n",
            "bureaus[0].side",
            "supporting",
        ),
        (
            "key: k\nname: n\ngroup_policy: each\nagreements:\n  - {key: a, title: t, template: x.docx}\n",
            "group_policy",
            "joint 或 split",
        ),
        ("key: k\nagreements:\n  - {key: a, title: t, template: x.docx}\n", "name", "缺少必填项"),
        (
            "key: k\nname: n\nagreements:\n  - {key: a, title: t, template: x.docx, signatories: 党委}\n",
            "agreements[0].signatories",
            "party_orgs（党组织签署）",
        ),
    ],
)
def test_program_errors_name_the_key(text: str, key: str, fragment: str) -> None:
    with pytest.raises(ProgramError) as info:
        parse_program_yaml(text, source="p.yaml")
    assert info.value.key == key and fragment in str(info.value) and "p.yaml" in str(info.value)


def test_yaml_syntax_error_names_the_line() -> None:
    with pytest.raises(ProgramError, match="第2行"):
        parse_program_yaml("key: k\nname: [unclosed\n", source="p.yaml")


def test_dates_print_the_official_way() -> None:
    assert format_date(date(2019, 3, 14)) == "2019年3月14日"
    assert format_date(None) == "____年____月____日"
    assert [cn_number(n) for n in (3, 4, 5, 10, 12, 21)] == ["三", "四", "五", "十", "十二", "二十一"]


@pytest.mark.parametrize(
    ("raw", "safe"),
    [
        ("03_A/B:C*?", "03_A_B_C__"),
        ("CON", "_CON"),
        ("学校. ", "学校"),
        ("a" * 100, "a" * 80),
    ],
)
def test_file_names_are_safe_on_windows(raw: str, safe: str) -> None:
    assert safe_component(raw) == safe


def test_a_program_file_without_signatories_signs_the_bundled_party_building_agreement_as_party_orgs() -> None:
    """Program files stored before ``signatories`` existed: their 党建共建协议书 (whose seal block names the
    party organisations) must still become a draft while a party organisation has no name."""
    text = (SAMPLES / "pengzhou_heishui" / "program.yaml").read_text(encoding="utf-8")
    without = "\n".join(line for line in text.splitlines() if "signatories" not in line)
    assert "signatories" not in without
    kind = parse_program_yaml(without).agreements[0]
    assert kind.template == "party_building.docx" and kind.signatories is Signatories.PARTY_ORGS
    other = without.replace("template: party_building.docx", "template: five_year.docx")
    assert parse_program_yaml(other).agreements[0].signatories is Signatories.SCHOOLS
