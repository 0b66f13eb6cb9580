"""The school name table: which names look abbreviated, how a roster name resolves to a full name and party
organisation, and what documents print — full names, or a draft with fill-in blanks that --final refuses."""

from __future__ import annotations

import csv
import dataclasses
import io
import json
import shutil
import zipfile
from pathlib import Path

import pytest
from typer.testing import CliRunner

from cli.main import app
from docgen.context import agreement_context
from docgen.errors import ProgramError, SchoolNamesError
from docgen.files import load_program
from docgen.model import PairGroup, School, Signatories, pair_key
from docgen.program import parse_program_yaml
from docgen.roster.result import ProblemKind
from docgen.school_names import (
    BLANK,
    SchoolName,
    abbreviation_reason,
    add_school_name,
    build_school_names,
    is_placeholder,
    looks_abbreviated,
    name_problems,
    parse_school_names_csv,
    school_names_csv,
    signing_name,
)
from extractors.roster import load_roster
from testkit.docx_text import docx_text

ROOT = Path(__file__).resolve().parent.parent
SAMPLES = ROOT / "samples"
ROSTERS = Path(__file__).resolve().parent / "rosters"
runner = CliRunner()

# What the seed rosters (the corpus in tests/rosters and the samples) write as short names or placeholders:
# the 柳州 high-school table (seed 001) and the 菏泽 helping schools the sample leaves undecided (seed 003).
SEED_SHORT_NAMES = {
    "市一中", "市二中", "市三中", "市六中", "市九中", "市铁二中", "钢一中", "柳铁一中", "融安二中", "市民族高中",
    "柳州高中", "三江高中", "融安高中", "柳城中学", "柳江中学", "融水中学", "鹿寨中学",
}  # fmt: skip
HEZE_CITIES = ("济南", "青岛", "淄博", "东营", "烟台", "潍坊", "济宁", "泰安", "威海", "日照", "莱芜")


def _seed_names() -> set[str]:
    names: set[str] = set()
    for expected in ROSTERS.glob("*.expected.json"):
        for group in json.loads(expected.read_text("utf-8"))["groups"]:
            names.update(group["supporting"], group["supported"])
    for sample in ("pengzhou_heishui/roster.txt", "liuzhou_high_schools/roster.csv",
                   "liuzhou_special_education/roster.xlsx", "heze/roster.xlsx"):  # fmt: skip
        path = SAMPLES / sample
        for group in load_roster(path.read_bytes(), path.name).groups:
            names.update(s.name for s in group.schools)
            if group.coordinator:
                names.add(group.coordinator)
    return names


def test_the_rule_flags_exactly_the_short_names_and_placeholders_of_the_seed_rosters() -> None:
    names = _seed_names()
    assert len(names) > 150  # every school of the five seeds' rosters, not a sample of them
    flagged = {n for n in names if looks_abbreviated(n)}
    placeholders = {n for n in flagged if "（待定）" in n}
    assert flagged - placeholders == SEED_SHORT_NAMES
    assert placeholders == {f"{c}市帮扶初中（待定）" for c in HEZE_CITIES} | {
        f"{c}市帮扶高中（待定）" for c in HEZE_CITIES if c not in ("日照", "莱芜")
    }
    # and therefore none of the seeds' full names, with or without an administrative area
    seed_full_names = (
        "成都石室白马中学", "黑水县芦花完全小学校", "彭州市濛阳七一竹瓦九年制学校", "潍坊第一中学",
        "淄博实验中学", "柳城实验高中", "开发区广州路中学", "柳州市特殊教育学校", "东莞市南城阳光实验中学",
    )  # fmt: skip
    for full in seed_full_names:
        assert full in names and abbreviation_reason(full) == "", full


@pytest.mark.parametrize(
    ("name", "reason"),
    [
        ("市一中", "像是简称（“X一中”式），不是学校全称"),
        ("钢一中", "像是简称（“X一中”式），不是学校全称"),
        ("柳铁一中", "像是简称（“X一中”式），不是学校全称"),
        ("成都7中", "像是简称（“X一中”式），不是学校全称"),
        ("市民族高中", "以“市”开头，缺少地名，像是简称"),
        ("柳州高中", "名称很短且没有行政区划，像是简称"),
        ("xxx中学", "含占位符“xxx”"),
        ("xxx镇中心小学", "含占位符“xxx”"),  # seed 004
        ("*******", "含占位符“*******”"),  # seed 004
        ("某某学校", "含占位符“某某”"),
        ("济南市帮扶初中（待定）", "含占位符“待定”"),
        ("济南市帮扶初中", "是泛称，不是学校名称"),
        ("受援学校", "是泛称，不是学校名称"),
        ("市一中党支部", "像是简称（“X一中”式），不是学校全称"),
        ("", "没有名称"),
        ("柳州市第一中学", ""),
        ("成都石室白马中学", ""),
        ("黑水县芦花完全小学校", ""),
        ("成都石室白马中学党组织", ""),  # a party organisation named after its school is a name
        ("中共柳州市第一中学委员会", ""),
        ("中共彭州市西郊小学支部委员会", ""),  # the 彭州 sample's own party organisation
        ("中共市一中支部委员会", "像是简称（“X一中”式），不是学校全称"),
    ],
)
def test_abbreviation_reason(name: str, reason: str) -> None:
    assert abbreviation_reason(name) == reason


def test_placeholders_are_told_apart_from_short_names() -> None:
    assert is_placeholder("xxx中学") and is_placeholder("济南市帮扶初中（待定）") and is_placeholder("*****")
    assert not is_placeholder("市一中") and not is_placeholder("柳州市第一中学")


TABLE_CSV = (
    "\ufeff全称,简称,党组织名称\r\n"
    "柳州市第一中学,市一中、柳州一中,中共柳州市第一中学委员会\r\n"
    "\r\n"
    "柳州市钢一中学,钢一中,\r\n"
)


def test_a_roster_name_resolves_by_short_or_full_name_ignoring_spaces_and_width() -> None:
    table = parse_school_names_csv(TABLE_CSV)
    assert len(table) == 2
    for spelling in ("市一中", "市\u3000一中", " 柳州一中", "柳州市第一中学", "柳州市第一中学"):
        entry = table.resolve(spelling)
        assert entry is not None and entry.full_name == "柳州市第一中学", spelling
    assert table.resolve("市二中") is None
    one = signing_name(School("市一中"), table)
    assert (one.name, one.party_org, one.problem, one.resolved) == (
        "柳州市第一中学", "中共柳州市第一中学委员会", "", True
    )
    steel = signing_name(School("钢一中", party_org="钢一中党总支"), table)
    assert (steel.name, steel.party_org, steel.problem) == ("柳州市钢一中学", BLANK, "")
    assert steel.party_problem == "“钢一中”的党组织名称“钢一中党总支”像是简称（“X一中”式），不是学校全称"
    # the school can sign; only a document its party organisation signs is a draft
    assert steel.problems(Signatories.SCHOOLS) == ()
    assert steel.problems(Signatories.PARTY_ORGS) == (steel.party_problem,)
    two = signing_name(School("市二中"), table)
    assert (two.name, two.party_org) == (BLANK, BLANK)
    assert two.problem == "“市二中”像是简称（“X一中”式），不是学校全称，学校全称表中没有它的全称"
    # a clerk confirms a short-looking name is the real one, and names its party organisation after it
    confirmed = build_school_names([SchoolName("鹿寨中学", (), "中共鹿寨中学委员会")])
    unconfirmed = signing_name(School("鹿寨中学"), None)
    assert unconfirmed.problem == "“鹿寨中学”名称很短且没有行政区划，像是简称，学校全称表中没有它的全称"
    yes = signing_name(School("鹿寨中学"), confirmed)
    assert (yes.name, yes.party_org, yes.problem) == ("鹿寨中学", "中共鹿寨中学委员会", "")
    plain = signing_name(School("黑水县中学"), None)  # nobody named its party organisation: none is invented
    assert (plain.name, plain.party_org, plain.problem) == ("黑水县中学", BLANK, "")
    assert plain.party_problem == "“黑水县中学”没有党组织名称（如“中共黑水县中学支部委员会”），请在学校全称表中填写"


def test_a_table_survives_its_own_csv_and_adding_merges_short_names() -> None:
    table = parse_school_names_csv(TABLE_CSV)
    assert parse_school_names_csv(school_names_csv(table)) == table
    more = add_school_name(table, SchoolName("柳州市第一中学", ("一中",)))
    entry = more.resolve("一中")
    assert entry is not None and entry.short_names == ("市一中", "柳州一中", "一中")
    assert entry.party_org == "中共柳州市第一中学委员会"
    text = school_names_csv(more)
    assert text.startswith(
        "\ufeff全称,简称,党组织名称\r\n柳州市第一中学,市一中、柳州一中、一中,中共柳州市第一中学委员会\r\n"
    )


@pytest.mark.parametrize(
    ("text", "row", "field", "message"),
    [
        ("名称,简称\n", 1, None, "表头应为 全称,简称,党组织名称"),
        ("全称,简称\n市一中,钢一中\n", 2, "全称", "全称像是简称（“X一中”式），不是学校全称"),
        ("全称,简称\nxxx中学,\n", 2, "全称", "全称含占位符“xxx”"),
        ("全称,简称\n,市一中\n", 2, "全称", "缺少学校全称"),
        ("全称,简称\n市民族高中,\n", 2, "全称", "全称以“市”开头，缺少地名，像是简称"),
        ("全称,简称\n济南市帮扶初中,\n", 2, "全称", "全称是泛称，不是学校名称"),
        (
            "全称,简称\n\n柳州市第一中学,市一中\n\n柳州市第二中学,市一中\n",
            5,
            "简称",
            "“市一中”已在第3行指“柳州市第一中学”，同一名称不能指两所学校",
        ),
        ("全称,简称\n柳州市第一中学,\n柳州市第一中学,一中\n", 3, "全称", "全称重复（第2行已有）"),
        ("全称,简称,党组织名称\n柳州市第一中学,,xxx党委\n", 2, "党组织名称", "党组织名称含占位符“xxx”"),
    ],
)
def test_a_bad_table_names_its_row_and_column(text: str, row: int, field: str | None, message: str) -> None:
    with pytest.raises(SchoolNamesError) as caught:
        parse_school_names_csv(text, source="schools.csv")
    assert (caught.value.source, caught.value.row, caught.value.field, caught.value.message) == (
        "schools.csv", row, field, message
    )


def test_name_problems_mark_unresolved_short_names_as_abbreviated_warnings() -> None:
    path = SAMPLES / "liuzhou_high_schools" / "roster.csv"
    roster = load_roster(path.read_bytes(), path.name)
    problems = name_problems(roster, None)
    assert {p.value for p in problems} == SEED_SHORT_NAMES
    assert all(p.kind is ProblemKind.ABBREVIATED and not p.is_error for p in problems)
    first = problems[0]
    assert (first.source, first.row, first.column, first.value) == ("roster.csv", 2, "支援学校", "柳州高中")
    assert first.describe() == (
        "roster.csv 第2行 “支援学校”：名称很短且没有行政区划，像是简称：请在学校全称表中填写它的全称，"
        "否则协议书为草稿（值：'柳州高中'）"
    )
    table = build_school_names([SchoolName("柳州市第一中学", ("市一中",))])
    assert {p.value for p in name_problems(roster, table)} == SEED_SHORT_NAMES - {"市一中"}


def _group(*names: str, supported: int = 1) -> PairGroup:
    schools = tuple(School(n) for n in names)
    return PairGroup(1, schools[:-supported], schools[-supported:])


def test_the_context_prints_full_names_and_counts_the_parties() -> None:
    program = load_program(SAMPLES / "liuzhou_high_schools" / "program.yaml")
    table = build_school_names([SchoolName("柳州市第一中学", ("市一中",), "中共柳州市第一中学委员会")])
    group = _group("市一中", "三江民族高中")
    kind = program.agreement("five_year")
    ctx = agreement_context(dataclasses.replace(program, school_names=table), group, kind)
    assert ctx["party_a"]["names"] == "柳州市第一中学"
    assert ctx["party_a"]["schools"][0]["roster_name"] == "市一中"
    assert ctx["party_a"]["party_orgs"] == "中共柳州市第一中学委员会"
    assert ctx["pair"]["summary"] == "柳州市第一中学与三江民族高中结对"
    assert ctx["parties"] == {"count": 2, "word": "双方", "sides": "甲、乙双方", "draft": False, "draft_reasons": []}
    # the pair's identity stays the roster's: filling the table later never moves a record
    assert group.key == pair_key(["市一中"], ["三江民族高中"])
    three = agreement_context(program, _group("彭州市西郊小学", "彭州市九尺镇小学", "黑水县芦花完全小学校"), kind)
    assert (three["parties"]["word"], three["parties"]["sides"]) == ("三方", "结对三方")
    four = agreement_context(program, _group("甲县第一小学", "乙县第一小学", "丙县第一小学", "丁县第一小学"), kind)
    assert four["parties"]["word"] == "各方"
    draft = agreement_context(program, group, kind)
    assert draft["party_a"]["names"] == BLANK and draft["parties"]["draft"] is True
    assert draft["parties"]["draft_reasons"] == [
        "“市一中”像是简称（“X一中”式），不是学校全称，学校全称表中没有它的全称"
    ]


def test_a_three_party_agreement_says_三方_not_双方(tmp_path: Path) -> None:
    out = tmp_path / "out"
    roster = str(SAMPLES / "pengzhou_heishui" / "roster.txt")
    result = runner.invoke(app, ["generate", roster, "--out", str(out), "--no-pdf", "--no-forms"])
    assert result.exit_code == 0, result.output
    archive = zipfile.ZipFile(out / "pengzhou-heishui-2019.zip")
    names = archive.namelist()
    three = docx_text(archive.read(next(n for n in names if n.startswith("03_") and n.endswith(".docx"))))
    assert "经结对三方协商" in three and "充分发挥结对三方党组织" in three and "三方另行协商决定" in three
    assert "双方" not in three
    one = docx_text(archive.read(next(n for n in names if n.startswith("04_") and n.endswith(".docx"))))
    assert "经甲、乙双方协商" in one and "三方" not in one
    # seed 000's roster names no party organisation: every agreement is a draft, flagged, with a blank to fill
    manifest = json.loads(archive.read("manifest.json"))
    assert len(manifest) == 14 and {row["draft"] for row in manifest} == {True}
    assert f"结对基层党组织：\n{BLANK}\n（盖章）" in one and "党组织：\n彭州市清平小学党组织" not in one
    assert "草稿 14 份协议的当事方校名或党组织名称尚未填全" in result.stderr


def _program_folder(tmp_path: Path, table: str = "") -> tuple[Path, Path]:
    """A folder with the built-in default program (a 学校党建共建协议书 signed by party organisations and a
    结对帮扶协议 signed by schools), a one-pair roster and, when given, a ``schools.csv``."""
    folder = tmp_path / "program"
    folder.mkdir()
    shutil.copy(ROOT / "docgen" / "templates" / "default_program.yaml", folder / "program.yaml")
    (folder / "roster.csv").write_text("支援学校,受援学校\n成都石室白马中学,黑水县中学\n", "utf-8")
    if table:
        (folder / "schools.csv").write_text(table, "utf-8")
    return folder, folder / "roster.csv"


MISSING_BAIMA = "“成都石室白马中学”没有党组织名称（如“中共成都石室白马中学支部委员会”），请在学校全称表中填写"


def test_a_party_building_agreement_without_a_party_organisation_name_is_a_draft_a_school_agreement_is_not(
    tmp_path: Path,
) -> None:
    """Defect (issue 10): 成都石室白马中学党组织 — a description invented for a party organisation nobody named —
    was printed in the seal block as if it were a name, and the agreement was not a draft."""
    _, roster = _program_folder(tmp_path)
    out = tmp_path / "out"
    result = runner.invoke(app, ["generate", str(roster), "--out", str(out), "--no-pdf", "--no-forms"])
    assert result.exit_code == 0, result.output
    archive = zipfile.ZipFile(next(out.glob("*.zip")))
    by_kind = {row["kind"]: row for row in json.loads(archive.read("manifest.json"))}
    party = by_kind["party_building"]
    assert party["draft"] is True
    assert party["draft_reasons"] == [
        MISSING_BAIMA, "“黑水县中学”没有党组织名称（如“中共黑水县中学支部委员会”），请在学校全称表中填写"
    ]
    text = docx_text(archive.read(party["file"]))
    assert "党组织名称" not in text and "成都石室白马中学党组织" not in text
    assert f"甲方：{BLANK}" in text and f"结对基层党组织：\n{BLANK}\n（盖章）" in text
    # the 结对帮扶协议 is signed by the schools: their names are real, their party organisations do not matter
    five = by_kind["five_year"]
    assert five["draft"] is False and five["draft_reasons"] == []
    assert "成都石室白马中学" in docx_text(archive.read(five["file"]))
    refused = runner.invoke(app, ["generate", str(roster), "--out", str(tmp_path / "final"), "--no-pdf", "--final"])
    assert refused.exit_code == 2 and f"01/party_building 学校党建共建协议书：{MISSING_BAIMA}" in refused.stderr
    assert "01/five_year" not in refused.stderr


def test_schools_lists_the_party_organisations_a_party_building_program_still_needs(tmp_path: Path) -> None:
    pengzhou = SAMPLES / "pengzhou_heishui"
    listed = runner.invoke(app, ["schools", str(pengzhou / "roster.txt"), "--json"])
    assert listed.exit_code == 1, listed.output
    report = json.loads(listed.stdout)
    assert report["unresolved"] == [] and len(report["missing_party_orgs"]) == 29
    assert report["missing_party_orgs"][0] == {"name": "成都石室白马中学", "reason": MISSING_BAIMA}
    # the schools sign 柳州's agreements: their party organisations are not asked for
    special = SAMPLES / "liuzhou_special_education"
    plain = runner.invoke(app, ["schools", str(next(special.glob("roster.*"))), "--json"])
    assert plain.exit_code == 0, plain.output
    assert json.loads(plain.stdout)["missing_party_orgs"] == []


def test_a_party_organisation_named_in_the_table_signs_the_party_building_agreement(tmp_path: Path) -> None:
    table = (
        "全称,简称,党组织名称\n成都石室白马中学,,中共成都石室白马中学支部委员会\n"
        "黑水县中学,,中共黑水县中学总支部委员会\n"
    )
    _, roster = _program_folder(tmp_path, table)
    out = tmp_path / "out"
    result = runner.invoke(app, ["generate", str(roster), "--out", str(out), "--no-pdf", "--no-forms", "--final"])
    assert result.exit_code == 0, result.output
    archive = zipfile.ZipFile(next(out.glob("*.zip")))
    rows = json.loads(archive.read("manifest.json"))
    assert [(row["kind"], row["draft"]) for row in rows] == [("party_building", False), ("five_year", False)]
    text = docx_text(archive.read(rows[0]["file"]))
    assert "甲方：中共成都石室白马中学支部委员会" in text and "乙方：中共黑水县中学总支部委员会" in text
    assert "结对基层党组织：\n中共成都石室白马中学支部委员会\n（盖章）" in text and BLANK not in text


def _liuzhou_copy(tmp_path: Path) -> Path:
    folder = tmp_path / "liuzhou"
    shutil.copytree(SAMPLES / "liuzhou_high_schools", folder)
    return folder


def test_schools_add_then_generate_prints_the_full_name_and_marks_the_rest_drafts(tmp_path: Path) -> None:
    folder = _liuzhou_copy(tmp_path)
    (folder / "schools.csv").unlink()  # `schools add` creates it
    program = str(folder / "program.yaml")
    added = runner.invoke(app, ["schools", "add", "--program", program, "--full", "柳州市第一中学", "--short", "市一中",
                                "--party-org", "中共柳州市第一中学委员会"])  # fmt: skip
    assert added.exit_code == 0, added.output
    assert "已写入 schools.csv：柳州市第一中学（简称：市一中）" in added.stdout
    assert (folder / "schools.csv").read_bytes() == (
        "\ufeff全称,简称,党组织名称\r\n柳州市第一中学,市一中,中共柳州市第一中学委员会\r\n".encode()
    )
    listed = runner.invoke(app, ["schools", str(folder / "roster.csv"), "--program", program, "--json"])
    assert listed.exit_code == 1
    report = json.loads(listed.stdout)
    assert {u["name"] for u in report["unresolved"]} == SEED_SHORT_NAMES - {"市一中"}
    assert report["resolved"] == [
        {"name": "市一中", "full_name": "柳州市第一中学", "party_org": "中共柳州市第一中学委员会"}
    ]

    out = tmp_path / "out"
    result = runner.invoke(app, ["generate", str(folder / "roster.csv"), "--out", str(out), "--no-pdf", "--no-forms"])
    assert result.exit_code == 0, result.output
    assert "草稿 10 份协议的当事方校名或党组织名称尚未填全" in result.stderr
    archive = zipfile.ZipFile(out / "liuzhou-high-2016.zip")
    names = archive.namelist()
    mine = docx_text(archive.read(next(n for n in names if n.startswith("03_") and n.endswith(".docx"))))
    assert "帮扶学校（甲方）：柳州市第一中学" in mine and "甲方（帮扶学校）：\n柳州市第一中学\n（盖章）" in mine
    assert "市一中" not in mine
    steel = docx_text(archive.read(next(n for n in names if n.startswith("07_") and n.endswith(".docx"))))
    assert f"甲方（帮扶学校）：\n{BLANK}\n（盖章）" in steel and "钢一中" not in steel
    assert f"乙方（受援学校）：\n{BLANK}\n（盖章）" in steel  # 融安二中 is a short name too
    manifest = json.loads(archive.read("manifest.json"))
    by_pair = {row["pair"]: row for row in manifest}
    assert by_pair["03"]["draft"] is False and by_pair["03"]["draft_reasons"] == []
    assert by_pair["07"]["draft"] is True
    assert by_pair["07"]["draft_reasons"] == [
        "“钢一中”像是简称（“X一中”式），不是学校全称，学校全称表中没有它的全称",
        "“融安二中”像是简称（“X一中”式），不是学校全称，学校全称表中没有它的全称",
    ]
    rows = list(csv.reader(io.StringIO(archive.read("清单.csv").decode("utf-8-sig"))))
    assert rows[0][-3:] == ["草稿", "草稿原因", "校对"]
    row_07 = next(r for r in rows if r[0] == "07")
    assert row_07[-3] == "草稿" and "“钢一中”像是简称" in row_07[-2] and row_07[-1].startswith("草稿")
    assert next(r for r in rows if r[0] == "03")[-3:] == ["", "", "无"]


def test_final_refuses_a_batch_with_drafts_and_writes_nothing(tmp_path: Path) -> None:
    folder = _liuzhou_copy(tmp_path)
    out = tmp_path / "out"
    result = runner.invoke(app, ["generate", str(folder / "roster.csv"), "--out", str(out), "--no-pdf", "--final"])
    assert result.exit_code == 2
    assert "有 11 份协议是草稿" in result.stderr and "--final 不生成任何文件" in result.stderr
    assert "07/five_year 2016—2020年结对帮扶协议：“钢一中”像是简称" in result.stderr
    assert not out.exists()


def test_schools_add_refuses_a_short_name_as_full_name_and_a_table_outside_the_folder(tmp_path: Path) -> None:
    folder = _liuzhou_copy(tmp_path)
    program = folder / "program.yaml"
    before = (folder / "schools.csv").read_bytes()
    bad = runner.invoke(app, ["schools", "add", "--program", str(program), "--full", "钢一中"])
    assert bad.exit_code == 2
    assert "“全称”：全称像是简称（“X一中”式），不是学校全称（值：'钢一中'）" in bad.stderr
    assert (folder / "schools.csv").read_bytes() == before
    text = program.read_text("utf-8").replace("school_names: schools.csv", "school_names: ../x.csv")
    program.write_text(text, "utf-8")
    with pytest.raises(ProgramError) as caught:
        parse_program_yaml(text)
    assert caught.value.key == "school_names"
    assert caught.value.message == "应为 program.yaml 同目录下的 .csv 文件名（如 schools.csv），实际为 一个路径"
    outside = runner.invoke(app, ["schools", "add", "--program", str(program), "--full", "柳州市第一中学"])
    assert outside.exit_code == 2 and not (tmp_path / "x.csv").exists()


def test_a_gbk_table_saved_by_excel_is_read(tmp_path: Path) -> None:
    folder = _liuzhou_copy(tmp_path)
    (folder / "schools.csv").write_bytes("全称,简称\r\n柳州市第一中学,市一中\r\n".encode("gbk"))
    listed = runner.invoke(
        app, ["schools", str(folder / "roster.csv"), "--program", str(folder / "program.yaml"), "--json"]
    )
    assert json.loads(listed.stdout)["resolved"][0]["full_name"] == "柳州市第一中学"


def test_the_special_education_sample_maps_the_seeds_own_short_name() -> None:
    text = (SAMPLES / "liuzhou_special_education" / "schools.csv").read_text("utf-8-sig")
    table = parse_school_names_csv(text)
    entry = table.resolve("市特教学校")  # seed 001: “市特教学校要制定总体帮扶方案”
    assert entry is not None and entry.full_name == "柳州市特殊教育学校"
    assert len(table) == 1
    high = parse_school_names_csv((SAMPLES / "liuzhou_high_schools" / "schools.csv").read_text("utf-8-sig"))
    assert len(high) == 0  # seed 001 gives no full name for 市一中, 钢一中, …: none is invented


@pytest.mark.slow
def test_a_draft_blank_is_never_split_across_lines_in_the_pdf(tmp_path: Path) -> None:
    """The fill-in blank of a draft reaches the PDF whole, each on one line (LibreOffice, real fonts)."""
    import re

    import pdfplumber

    from docgen.batch import plan_batch, render_document
    from docgen.files import template_reader
    from docgen.render.docx import CompiledTemplate
    from docgen.render.pdf import ConverterPool

    program = load_program(SAMPLES / "liuzhou_high_schools" / "program.yaml")
    path = SAMPLES / "liuzhou_high_schools" / "roster.csv"
    roster = load_roster(path.read_bytes(), path.name)
    (job,) = [j for j in plan_batch(program, roster, ["five_year"]) if j.group.label == "07"]
    assert job.draft
    template = CompiledTemplate.compile(template_reader()(job.kind.template), job.kind.template)
    with ConverterPool(workers=1) as pool:
        result = render_document(program, job, template, converter=pool)
    assert result.ok and result.pdf is not None and result.docx is not None
    blanks_in_docx = docx_text(result.docx).count(BLANK)
    assert blanks_in_docx >= 4  # 甲方 and 乙方 in the heading, the contacts and the seal block
    with pdfplumber.open(io.BytesIO(result.pdf)) as pdf:
        lines = [line for page in pdf.pages for line in (page.extract_text() or "").splitlines()]
    runs = [len(m.group(0)) for line in lines for m in re.finditer("_+", line)]
    # every blank is a run of its own twelve underscores on one line
    assert runs.count(12) == blanks_in_docx, runs
    assert set(runs) <= {4, 8, 10, 12}, runs  # the template's own: 8 (signatures), 10 (contacts), ____年 dates
