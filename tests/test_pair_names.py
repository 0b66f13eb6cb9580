"""A school's name read unsure under its seal, confirmed by the pair the form was filed under
(docgen/pair_names.py; the service applies it in api.services.uploads.read_claimed)."""

from __future__ import annotations

import json
from dataclasses import replace
from pathlib import Path

import pytest
from typer.testing import CliRunner

from cli.common import import_roster_file
from cli.main import app
from docgen.extract import extract
from docgen.extraction import Extraction, FormIdentity, FormStatus, InputKind, TextLine
from docgen.files import load_program
from docgen.interpret import interpret
from docgen.model import PairGroup, Program
from docgen.pair_names import checked_by_pair, checked_within, schools_of
from testkit.forms import PENGZHOU, stats_docx
from tests.test_interpret import STATS_HEADER, STATS_TITLE, document, stats_row, table

PAIR = ("彭州市西郊小学", "黑水县芦花完全小学校")
SEAL_CAP = 0.8  # what the image reader trusts a line read under a seal (extractors.seal.SEAL_CONFIDENCE)


def stats_scan(unit_line: str, confidence: float = SEAL_CAP, rows: int = 2) -> Extraction:
    """A grey scan of a 统计表 whose 填报单位 line lay under the school's seal: read right, but trusted less."""
    grid = [STATS_HEADER, *(stats_row(n) for n in range(1, rows + 1))]
    lines: list[str | TextLine] = [STATS_TITLE, "填报时间：2019年5月20日", TextLine(unit_line, confidence)]
    return interpret(document(table(grid), lines=lines, kind=InputKind.SCAN))


def test_a_name_under_the_seal_that_spells_one_of_the_pair_s_schools_is_sure() -> None:
    read = stats_scan("填报单位：彭州市西郊小学")
    assert read.status is FormStatus.NEEDS_REVIEW and read.fields["unit"].confidence < 0.9  # as read
    assert any(p.key == "unit" for p in read.problems)

    e = checked_by_pair(read, PAIR)
    unit = e.fields["unit"]
    assert (unit.raw, unit.confidence, unit.flags) == ("彭州市西郊小学", 0.95, ())
    assert not any(p.key == "unit" for p in e.problems)
    assert e.status is FormStatus.COMPLETE
    assert e.tables == read.tables and e.fields["filled_on"] == read.fields["filled_on"]


def test_a_short_name_the_roster_gives_is_confirmed_as_it_is() -> None:
    # 柳州's roster calls a school 市三中: three characters, and the pair's own name for it
    e = checked_by_pair(stats_scan("填报单位：市三中"), ("市三中", "柳江实验高中"))
    assert e.fields["unit"].confidence == 0.95 and e.status is FormStatus.COMPLETE


@pytest.mark.parametrize(("unit_line", "pair"), [
    ("填报单位：牡丹区第二中学", ("牡丹区第二十二中学", "曹县第一中学")),  # short, and another real school's name
    ("填报单位：彭州市西郊小学", ("彭州市隆丰镇小学", "黑水县芦花完全小学校")),  # a school, not this pair's
    ("填报单位：彭州市西郊小学", ()),  # filed under no pair
])
def test_a_name_the_pair_does_not_spell_whole_keeps_its_doubt(unit_line: str, pair: tuple[str, ...]) -> None:
    read = stats_scan(unit_line)
    e = checked_by_pair(read, pair)
    assert e is read
    assert e.fields["unit"].confidence < 0.9 and e.status is FormStatus.NEEDS_REVIEW


def test_a_name_cut_short_under_the_seal_is_doubted_as_a_piece_of_the_pair_s_name() -> None:
    e = checked_by_pair(stats_scan("填报单位：彭州市西郊小"), PAIR)
    unit = e.fields["unit"]
    assert "part_of_pair_name" in unit.flags and unit.confidence < 0.9 and e.status is FormStatus.NEEDS_REVIEW
    assert any("「彭州市西郊小学」" in p.message for p in e.problems if p.key == "unit")


def test_only_the_reading_s_doubt_is_lifted_never_another() -> None:
    # a school's name doubted for more than its reading (here: taken from the seal, none read) is not confirmed
    read = stats_scan("填报单位：彭州市西郊小学", confidence=0.5)
    doubted = read.fields["unit"]
    with_flag = replace(read, fields={**read.fields, "unit": replace(doubted, flags=(*doubted.flags, "from_seal"))})
    assert checked_by_pair(with_flag, PAIR) is with_flag
    # the low reading itself (0.5 here) is lifted as far as a second reading makes it sure, no further
    assert checked_by_pair(read, PAIR).fields["unit"].confidence == 0.95


def test_another_unsure_value_keeps_the_record_in_review() -> None:
    read = stats_scan("填报单位：彭州市西郊小学")
    row = list(read.tables[0].rows[0])
    row[1] = replace(row[1], confidence=0.6, flags=("low_confidence",))
    unsure = replace(read, tables=(replace(read.tables[0], rows=(tuple(row), *read.tables[0].rows[1:])),))
    e = checked_by_pair(unsure, PAIR)
    assert e.fields["unit"].confidence == 0.95
    assert e.status is FormStatus.NEEDS_REVIEW  # the activity name read at 0.6 still waits for a person


def test_a_name_read_sure_as_a_piece_of_the_pair_s_school_is_doubted() -> None:
    # a character lost at the cell's edge: 江高中, sure of itself, is a piece of the pair's 三江高中
    read = stats_scan("填报单位：江高中", confidence=0.99)
    assert read.status is FormStatus.COMPLETE
    e = checked_by_pair(read, ("三江高中", "柳州高中"))
    unit = e.fields["unit"]
    assert unit.raw == "江高中" and "part_of_pair_name" in unit.flags and unit.confidence < 0.9
    assert [p.message for p in e.problems if p.key == "unit"] == [
        "「填报单位」：校名只是结对学校「三江高中」名称的一部分，可能漏识别了字（“江高中”，置信度 0.59）"]
    assert e.status is FormStatus.NEEDS_REVIEW
    assert checked_by_pair(e, ("三江高中", "柳州高中")) == e  # checked twice: one flag, one problem


@pytest.mark.parametrize("unit_line", [
    "填报单位：西郊小学",  # the name without its place (彭州市): how a school shortens its own name
    "填报单位：彭州市西郊小学",  # the name itself
    "填报单位：彭州市东郊小学",  # another name, no piece of the pair's: the reading is what it is
])
def test_a_short_name_or_another_name_read_sure_is_left_as_read(unit_line: str) -> None:
    read = stats_scan(unit_line, confidence=0.99)
    assert checked_by_pair(read, PAIR) is read


@pytest.mark.parametrize(("read_as", "school"), [
    ("社丹区吴店镇中心中学", "牡丹区吴店镇中心中学"),  # one character read as another under a black seal
    ("青岛市帮扶初（待定）", "青岛市帮扶初中（待定）"),  # one lost inside the name (the roster's brackets)
])
def test_a_name_read_unsure_one_character_off_the_pair_s_school_is_filled_in_and_stays_in_review(
        read_as: str, school: str) -> None:
    read = stats_scan(f"填报单位：{read_as}")
    e = checked_by_pair(read, (school, "曹县第一中学"))
    unit = e.fields["unit"]
    assert (unit.raw, unit.normalized) == (school, school)
    assert unit.confidence == read.fields["unit"].confidence < 0.9
    assert unit.flags == ("low_confidence", "one_character_off_pair_name")
    assert [p.message for p in e.problems if p.key == "unit"] == [
        f"「填报单位」：识别为“{read_as}”，与结对学校「{school}」只差一字，已按结对学校名称填入，请核对（置信度 0.80）"]
    assert e.status is FormStatus.NEEDS_REVIEW
    assert checked_by_pair(e, (school, "曹县第一中学")) == e  # checked twice: filled in once, one problem


@pytest.mark.parametrize(("confidence", "pair"), [
    (0.99, ("彭州市西郊小学", "黑水县芦花完全小学校")),  # read sure: another name is what it is (东郊 ≠ 西郊)
    (SEAL_CAP, ("彭州市西郊小学", "彭州市南郊小学")),  # one off both of the pair's names: which is unknown
    (SEAL_CAP, ("彭州市北郊中学", "黑水县芦花完全小学校")),  # two characters off: no misreading of one
])
def test_a_name_one_off_read_sure_one_off_two_names_or_further_off_is_left_as_read(
        confidence: float, pair: tuple[str, str]) -> None:
    read = stats_scan("填报单位：彭州市东郊小学", confidence=confidence)
    assert checked_by_pair(read, pair) is read


# ------------------------------------------------------------------------- the pair a code names (CLI, bench)


def pengzhou_units() -> tuple[Program, tuple[PairGroup, ...]]:
    program = load_program(PENGZHOU / "program.yaml")
    return program, import_roster_file(PENGZHOU / "roster.txt").roster.units(program.group_policy)


def test_the_pair_a_code_names_is_found_by_its_printed_label() -> None:
    program, units = pengzhou_units()
    code = FormIdentity.parse(f"DG1:{program.key}:03:activity_stats:1")
    # 彭州市西郊小学、九尺镇小学与黑水县芦花完全小学校结对 (the roster's third line): one pair, three schools
    names = schools_of(units, code, program.key)
    assert len(names) == 3 and {"彭州市西郊小学", "黑水县芦花完全小学校"} <= set(names)
    # a 回执 is printed for each school of the pair: 03.2 is pair 03's second school's, and pair 03's
    assert schools_of(units, FormIdentity.parse(f"DG1:{program.key}:03.2:liaison_reply:1"), program.key) == names
    assert schools_of(units, FormIdentity.parse("DG1:heze-2016:03:arrangement:1"), program.key) == ()
    assert schools_of(units, FormIdentity.parse(f"DG1:{program.key}:99:activity_stats:1"), program.key) == ()
    assert schools_of(units, None, program.key) == ()


def test_docgen_extract_checks_names_against_a_roster_and_refuses_an_unusable_one(tmp_path: Path) -> None:
    form = tmp_path / "统计表.docx"
    form.write_bytes(stats_docx("03"))
    good = CliRunner().invoke(app, ["extract", str(form), "--json", "--roster", str(PENGZHOU / "roster.txt")])
    assert good.exit_code == 0, good.output  # a Word file's names are sure already: nothing to confirm
    assert json.loads(good.stdout)["fields"]["unit"]["value"] == "彭州市西郊小学"
    empty = tmp_path / "名单.csv"
    empty.write_text("支援学校,受援学校\n", encoding="utf-8")
    bad = CliRunner().invoke(app, ["extract", str(form), "--roster", str(empty)])
    assert bad.exit_code == 2 and "没有任何结对" in bad.output, bad.output


# ------------------------------------------------------------------ the form as a second reading of itself

ARRANGEMENT_TITLE = "柳州市普通高中“市—县”结对帮扶安排表"
ARRANGEMENT_HEADER = ["帮扶学校", "联系人及电话", "受援学校", "联系人及电话"]


def arrangement_scan(unit_line: str, supported: str = "三江高中", confidence: float = 0.99) -> Extraction:
    """A grey copy of an 安排表 whose code was not read: its 填报单位 line (read at ``confidence``) names the
    受援学校 its row names again."""
    grid = [ARRANGEMENT_HEADER, ["柳铁一中", "覃建新 13683122302", supported, "石春兰 13376623414"]]
    lines: list[str | TextLine] = [ARRANGEMENT_TITLE, TextLine(unit_line, confidence), "填报日期：2016.8.20"]
    return interpret(document(table(grid), lines=lines, kind=InputKind.SCAN))


def test_a_name_short_of_the_same_name_read_elsewhere_on_the_form_is_doubted() -> None:
    # 江高中 read sure (0.99) where the seal's edge took 三: the row names 三江高中 whole, the code names no pair
    read = arrangement_scan("填报单位：江高中")
    assert read.identity is None and read.fields["unit"].confidence >= 0.9  # nothing doubted it while read
    e = checked_within(read)
    unit = e.fields["unit"]
    assert "part_of_pair_name" in unit.flags and unit.confidence < 0.9
    assert any("本表另一处「三江高中」" in p.message for p in e.problems if p.key == "unit"), e.problems
    assert e.status is FormStatus.NEEDS_REVIEW
    assert e.tables == read.tables  # the row's name, read sure, is left as it is


def test_extract_checks_the_form_against_itself() -> None:
    doc = document(table([ARRANGEMENT_HEADER, ["柳铁一中", "覃建新 13683122302", "三江高中", "石春兰 13376623414"]]),
                   lines=[ARRANGEMENT_TITLE, TextLine("填报单位：江高中", 0.99), "填报日期：2016.8.20"],
                   kind=InputKind.SCAN)
    e = extract(b"", "安排表.pdf", reader=lambda _data, _name: doc)
    assert "part_of_pair_name" in e.fields["unit"].flags


def test_a_name_read_unsure_that_the_form_spells_whole_elsewhere_is_sure() -> None:
    read = arrangement_scan("填报单位：三江高中", confidence=SEAL_CAP)
    assert read.fields["unit"].confidence < 0.9
    e = checked_within(read)
    assert e.fields["unit"].confidence == 0.95 and not any(p.key == "unit" for p in e.problems)


@pytest.mark.parametrize(("unit_line", "supported"), [
    ("填报单位：三江县", "三江县高中"),  # a 县区 in the 单位 field: a place, not a school cut short
    ("填报单位：实验高中", "柳州市第二实验高中"),  # a short name of a longer school: more than two characters apart
    ("填报单位：三江高中", "三江高中"),  # the same name twice
])
def test_a_place_a_short_name_or_the_same_name_is_left_alone(unit_line: str, supported: str) -> None:
    read = arrangement_scan(unit_line, supported)
    assert checked_within(read) is read
