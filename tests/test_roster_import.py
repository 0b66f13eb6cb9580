"""The roster importer (issue 9): one test per rule, exact values (docs/roster.md, *Import*)."""

from __future__ import annotations

import io
import json
import zipfile
from pathlib import Path

import pytest
from docx import Document
from openpyxl import Workbook
from typer.testing import CliRunner

from cli.main import app
from docgen.errors import RosterError
from docgen.model import Stage
from docgen.roster.contacts import Person, parse_contacts
from docgen.roster.files import file_tables, sniff_delimiter
from docgen.roster.grid import Grid, Merge
from docgen.roster.headers import Role, classify
from docgen.roster.importer import import_grids, parse_stages
from docgen.roster.names import inherit_prefix, split_names
from docgen.roster.result import ProblemKind, RosterImport
from extractors.roster import import_roster

CORPUS = Path(__file__).resolve().parent / "rosters"
runner = CliRunner()


def pairs(result: RosterImport) -> list[tuple[list[str], list[str]]]:
    return [([s.name for s in g.supporting], [s.name for s in g.supported]) for g in result.roster.groups]


def kinds(result: RosterImport) -> list[tuple[int | None, str]]:
    return [(p.row, p.kind.value) for p in result.problems]


def xlsx(rows: list[list[object]], merges: tuple[str, ...] = (), title: str = "名单") -> bytes:
    wb = Workbook()
    ws = wb.active
    assert ws is not None
    ws.title = title
    for row in rows:
        ws.append(row)
    for ref in merges:
        ws.merge_cells(ref)
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()


# ------------------------------------------------------------------------------------------- merged cells


def test_a_school_cell_merged_down_ties_its_rows_into_one_group_both_ways() -> None:
    data = xlsx(
        [
            ["支援学校", "支援学校联系人", "受援学校", "受援学校联系人"],
            ["甲市第一中学", "王一", "乙县第一中学", "李一"],
            [None, None, "乙县第二中学", "李二"],
            ["甲市第一小学", "王二", "乙县第一小学", "李三"],
            ["甲市第二小学", "王三", None, None],
            ["甲市第三中学", "王四", "乙县第三中学", "李四"],
        ],
        merges=("A2:A3", "B2:B3", "C4:C5", "D4:D5"),
    )
    result = import_roster(data, "名单.xlsx")
    assert pairs(result) == [
        (["甲市第一中学"], ["乙县第一中学", "乙县第二中学"]),
        (["甲市第一小学", "甲市第二小学"], ["乙县第一小学"]),
        (["甲市第三中学"], ["乙县第三中学"]),
    ]
    assert result.problems == ()
    second = result.roster.groups[1]
    assert [(s.name, s.contact) for s in second.schools] == [
        ("甲市第一小学", "王二"), ("甲市第二小学", "王三"), ("乙县第一小学", "李三")
    ]  # fmt: skip


def test_a_lead_school_merged_over_pairs_is_their_coordinator_not_a_party() -> None:
    grid = Grid(
        "特教",
        [
            ["柳州市特殊教育结对帮扶安排表", "", ""],
            ["帮扶牵头指导学校", "县级结对帮扶安排", ""],
            ["", "帮扶学校", "受援学校"],
            ["柳州市特殊教育学校", "柳江县特殊教育学校", "融安县特殊教育学校"],
            ["", "鹿寨县特殊教育学校", "柳城县特殊教育学校"],
        ],
        merges=[Merge(0, 0, 0, 2), Merge(1, 0, 2, 0), Merge(1, 1, 1, 2), Merge(3, 0, 4, 0)],
    )
    result = import_grids([grid], source="特教.xlsx")
    assert pairs(result) == [(["柳江县特殊教育学校"], ["融安县特殊教育学校"]),
                             (["鹿寨县特殊教育学校"], ["柳城县特殊教育学校"])]  # fmt: skip
    assert [g.coordinator for g in result.roster.groups] == ["柳州市特殊教育学校"] * 2
    assert [g.stages for g in result.roster.groups] == [(Stage.SPECIAL,)] * 2  # from the title
    assert [(c.header, c.role) for c in result.tables[0].columns] == [
        ("帮扶牵头指导学校", "coordinator"), ("帮扶学校", "supporting.school"), ("受援学校", "supported.school")
    ]  # fmt: skip
    assert result.tables[0].header_rows == (3,)


# ---------------------------------------------------------------------------------------------- headers


def test_a_two_row_header_gives_each_sub_column_its_side() -> None:
    grid = Grid(
        "Sheet",
        [
            ["序号", "支援学校", "", "", "受援学校", "", "", "学段"],
            ["", "学校名称", "联系人", "办公电话", "学校名称", "联系人", "手机", ""],
            ["1", "山东省实验中学", "张素芬", "0531-8807070", "曹县第一中学", "赵广雷", "15865105666", "高中"],
        ],
        merges=[Merge(0, 0, 1, 0), Merge(0, 1, 0, 3), Merge(0, 4, 0, 6), Merge(0, 7, 1, 7)],
    )
    result = import_grids([grid], source="a.xlsx")
    assert pairs(result) == [(["山东省实验中学"], ["曹县第一中学"])]
    a, b = result.roster.groups[0].schools
    assert (a.contact, a.phone, b.contact, b.phone) == ("张素芬", "0531-8807070", "赵广雷", "15865105666")
    assert result.tables[0].header_rows == (1, 2)
    assert [c.role for c in result.tables[0].columns] == [
        "serial", "supporting.school", "supporting.contact_phone", "supporting.phone",
        "supported.school", "supported.contact_phone", "supported.phone", "stage",
    ]  # fmt: skip


@pytest.mark.parametrize(
    ("header", "role", "side"),
    [
        ("帮扶学校", Role.SCHOOL, "支援"),
        ("被帮扶学校", Role.SCHOOL, "受援"),  # contains 帮扶学校
        ("被帮扶\n学校", Role.SCHOOL, "受援"),  # Alt+Enter
        ("帮扶方", Role.SCHOOL, "支援"),
        ("受援方", Role.SCHOOL, "受援"),
        ("甲方（支援学校）", Role.SCHOOL, "支援"),
        ("乙方", Role.SCHOOL, "受援"),
        ("结对学校（帮扶方）", Role.SCHOOL, "支援"),
        ("结对学校（受援）", Role.SCHOOL, "受援"),
        ("支援学校（滨江区）", Role.SCHOOL, "支援"),
        ("乙方联络员", Role.CONTACT, "受援"),
        ("被帮扶学校联系人", Role.CONTACT, "受援"),
        ("帮扶县区", Role.COUNTY, "支援"),
        ("帮扶牵头指导学校", Role.COORDINATOR, None),
        ("联系人\n及电话", Role.CONTACT, None),
        ("学校名称", Role.NEUTRAL_SCHOOL, None),
    ],
)
def test_header_synonyms(header: str, role: Role, side: str | None) -> None:
    found = classify(header)
    assert found is not None
    assert (found[0], found[1].value if found[1] else None) == (role, side)


def test_a_plain_school_name_column_is_the_side_the_other_school_column_is_not() -> None:
    grid = Grid("Sheet", [["菏泽被帮扶学校名单及帮扶学校"], ["序号", "学校名称", "负责人", "帮扶学校"],
                          ["1", "曹县第一中学", "赵广雷 15865105666", "山东省实验中学"]])  # fmt: skip
    result = import_grids([grid], source="list.xlsx")
    assert pairs(result) == [(["山东省实验中学"], ["曹县第一中学"])]
    helped = result.roster.groups[0].supported[0]
    assert (helped.contact, helped.phone) == ("赵广雷", "15865105666")


def test_table_not_at_a1_with_alt_enter_headers_and_extra_columns_kept_in_the_mapping() -> None:
    rows: list[list[object]] = [["附件2"], [None, None, "柳州市普通高中结对帮扶安排表"], [],
                                [None, None, "序\n号", "帮扶\n学校", "被帮扶\n学校", "帮扶内容"],
                                [None, None, 1, "柳州高中", "融水中学", "管理帮扶"]]  # fmt: skip
    result = import_roster(xlsx(rows), "表.xlsx")
    assert pairs(result) == [(["柳州高中"], ["融水中学"])]
    assert result.roster.groups[0].stages == (Stage.HIGH_SCHOOL,)
    assert [(c.index, c.header, c.role) for c in result.tables[0].columns] == [
        (2, "序 号", "serial"), (3, "帮扶 学校", "supporting.school"), (4, "被帮扶 学校", "supported.school"),
        (5, "帮扶内容", "extra"),
    ]  # fmt: skip


# ------------------------------------------------------------------------------- rows: footers, sections


def test_footers_are_notes_sections_set_the_stage_and_blank_rows_separate() -> None:
    grid = Grid(
        "结对名单",
        [
            ["序号", "支援学校", "受援学校"],
            ["小学", "", ""],
            ["1", "甲市第一小学", "乙县第一小学"],
            ["", "", ""],
            ["（二）建立普通高中的结对帮扶", "", ""],
            ["2", "甲市第一中学", "乙县第一中学"],
            ["合计", "2所", "2所"],
            ["填报单位（盖章）：乙县教育局   填报人：谢明华   联系电话：0718-3222415", "", ""],
            ["注：学段按受援学校填写。", "", ""],
        ],
    )
    result = import_grids([grid], source="a.xlsx")
    assert pairs(result) == [(["甲市第一小学"], ["乙县第一小学"]), (["甲市第一中学"], ["乙县第一中学"])]
    assert [g.stages for g in result.roster.groups] == [(Stage.COMPULSORY,), (Stage.HIGH_SCHOOL,)]
    assert kinds(result) == [(7, "ignored"), (8, "ignored"), (9, "ignored")]
    assert result.errors == ()
    assert "0718-3222415" not in {s.phone for g in result.roster.groups for s in g.schools}


def test_a_cover_sheet_is_looked_at_and_not_used() -> None:
    wb = Workbook()
    cover = wb.active
    assert cover is not None
    cover.title = "填表说明"
    cover.append(["1. 每对结对学校填一行。"])
    sheet = wb.create_sheet("结对名单")
    sheet.append(["支援学校", "受援学校"])
    sheet.append(["甲市第一小学", "乙县第一小学"])
    out = io.BytesIO()
    wb.save(out)
    result = import_roster(out.getvalue(), "名单.xlsx")
    assert pairs(result) == [(["甲市第一小学"], ["乙县第一小学"])]
    assert [(t.table, t.used) for t in result.tables] == [("填表说明", False), ("结对名单", True)]


# ------------------------------------------------------------------------------------------------ cells


def test_several_schools_in_one_cell_with_prefix_inheritance() -> None:
    assert split_names("杭州市滨江区长河小学；西兴小学；") == ["杭州市滨江区长河小学", "西兴小学"]
    assert split_names("彭州市第一中学（含初中部、高中部）、九尺镇小学") == [
        "彭州市第一中学（含初中部、高中部）", "九尺镇小学"
    ]  # fmt: skip
    assert split_names("杭州市滨江区江南实验学校\n高新实验学校") == ["杭州市滨江区江南实验学校", "高新实验学校"]
    assert split_names("建始县官店镇\u00a0中心小学/杭州市\u3000滨江区丹枫实验小学") == [
        "建始县官店镇中心小学", "杭州市滨江区丹枫实验小学"
    ]  # fmt: skip
    assert inherit_prefix(["建始县业州镇第一小学", "第二小学"]) == ("建始县业州镇第一小学", "建始县业州镇第二小学")
    assert inherit_prefix(["建始县业州镇初级中学", "高坪镇初级中学"]) == (
        "建始县业州镇初级中学", "建始县高坪镇初级中学"
    )  # fmt: skip
    assert inherit_prefix(["市一中", "市二中"]) == ("市一中", "市二中")


@pytest.mark.parametrize(
    ("text", "people"),
    [
        ("罗永红（副校长）\n028-88346411\n15202670357", [Person("罗永红", "副校长", ("028-88346411", "15202670357"))]),
        ("吴海燕 校长 0772-8485680 15102979198", [Person("吴海燕", "校长", ("0772-8485680", "15102979198"))]),
        ("周德明\u3000副校长\u30000772-8489251、18902987117",
         [Person("周德明", "副校长", ("0772-8489251", "18902987117"))]),
        ("杨文斌 工会主席\n办公室：028-89846231\n手机：15205996337",
         [Person("杨文斌", "工会主席", ("028-89846231", "15205996337"))]),
        ("王秀英（校长）0772- 8628520 13903295958", [Person("王秀英", "校长", ("0772-8628520", "13903295958"))]),
        ("王小军，13906336854、李光辉，13806344773",
         [Person("王小军", "", ("13906336854",)), Person("李光辉", "", ("13806344773",))]),
        ("0837-9989071", [Person("", "", ("0837-9989071",))]),
        ("韦家富 1520571125", [Person("韦家富", "", ("1520571125",), ("1520571125",))]),
    ],
)  # fmt: skip
def test_contact_cells_split_into_name_title_and_every_phone(text: str, people: list[Person]) -> None:
    assert list(parse_contacts(text)) == people


def test_stage_lists() -> None:
    assert parse_stages("高中、初中") == ((Stage.HIGH_SCHOOL, Stage.COMPULSORY), [])
    assert parse_stages("小学、初中") == ((Stage.COMPULSORY,), [])
    assert parse_stages("职高") == ((), ["职高"])


def test_a_group_with_two_stages_keeps_both_and_stage_is_the_first() -> None:
    result = import_grids([Grid("s", [["支援学校", "受援学校", "学段"], ["甲市第一中学", "乙县中学", "高中、初中"]])],
                          source="a.csv")  # fmt: skip
    group = result.roster.groups[0]
    assert (group.stages, group.stage, group.effective_stages) == (
        (Stage.HIGH_SCHOOL, Stage.COMPULSORY), Stage.HIGH_SCHOOL, (Stage.HIGH_SCHOOL, Stage.COMPULSORY)
    )  # fmt: skip


# ------------------------------------------------------------------------------------ partial import


def test_bad_rows_are_reported_with_their_kind_and_the_valid_rows_import() -> None:
    text = (
        "序号,帮扶学校,被帮扶学校,学段,负责人,联系电话\n"
        "1,济南市第十二中学,牡丹区第二十二中学,初中,李爱华,15965809758\n"
        ",,曹县第一初级中学,初中,,\n"
        "2,青岛第二中学,定陶县第一中学,高中,杨汝增,0530-5612\n"
        "3,xxx学校,成武县实验中学,初中,李 云,18661510166\n"
        "4,甲县第一中学,甲县第一中学,高中,,\n"
        "5,济南市第十二中学,牡丹区第二十二中学,职高,,\n"
        "6,山东省实验中学,曹 县第一中学,大学,赵广雷,15865105666\n"
    )
    result = import_roster(text.encode("utf-8"), "名单.csv")
    assert pairs(result) == [
        (["济南市第十二中学"], ["牡丹区第二十二中学"]), (["青岛第二中学"], ["定陶县第一中学"]),
        (["山东省实验中学"], ["曹县第一中学"]),
    ]  # fmt: skip
    assert kinds(result) == [(3, "empty"), (4, "phone"), (5, "placeholder"), (6, "same_school"),
                             (7, "unknown_stage"), (7, "duplicate"), (8, "unknown_stage")]  # fmt: skip
    assert [p.row for p in result.errors] == [3, 5, 6, 7]
    second = result.roster.groups[1].supported[0]
    assert second.phone == "0530-5612"  # kept as written
    third = result.roster.groups[2]
    assert (third.stage, third.supported[0].contact) == (None, "赵广雷")
    empty = result.errors[0]
    assert (empty.source, empty.row, empty.column, empty.kind) == ("名单.csv", 3, "帮扶学校", ProblemKind.EMPTY)


# ---------------------------------------------------------------------------------------------- formats


@pytest.mark.parametrize("encoding", ["utf-8", "utf-8-sig", "gbk", "gb18030", "utf-16"])
def test_text_encodings(encoding: str) -> None:
    text = "支援学校,受援学校,受援学校联系人\r\n彭州市西郊小学,黑水县芦花完全小学校,\"陈永红，\n18702377354\"\r\n"
    result = import_roster(text.encode(encoding), "名单.csv")
    assert pairs(result) == [(["彭州市西郊小学"], ["黑水县芦花完全小学校"])]
    helped = result.roster.groups[0].supported[0]
    assert (helped.contact, helped.phone) == ("陈永红", "18702377354")


def test_separators_are_sniffed_with_quoted_separators_inside_cells() -> None:
    assert sniff_delimiter("序号;甲方;乙方\n1;甲校;乙校\n") == ";"
    assert sniff_delimiter("a\tb\tc\n1\t2\t3\n") == "\t"
    assert sniff_delimiter('支援学校,受援学校\n"甲,乙",丙\n') == ","
    grids, _ = file_tables("序号;甲方;乙方\n1;济南市第十二中学;\"牡丹区第二十二中学\"\n".encode(), "a.csv")
    assert grids[0].rows == [["序号", "甲方", "乙方"], ["1", "济南市第十二中学", "牡丹区第二十二中学"]]


def test_a_quoted_record_is_numbered_by_the_line_it_starts_on() -> None:
    text = '支援学校,受援学校\n"甲市第一小学\n甲市第二小学",乙县小学\n丙,\n'
    result = import_roster(text.encode(), "a.csv")
    assert pairs(result) == [(["甲市第一小学", "甲市第二小学"], ["乙县小学"])]
    assert kinds(result) == [(4, "empty")]


def test_legacy_xls_merges_come_from_calamine() -> None:
    grids, _ = file_tables((CORPUS / "04_pengzhou_contacts.xls").read_bytes(), "04.xls")
    assert Merge(4, 3, 5, 3) in grids[0].merges  # 乙方 D5:D6
    result = import_roster((CORPUS / "04_pengzhou_contacts.xls").read_bytes(), "04.xls")
    third = result.roster.groups[2]
    assert ([s.name for s in third.supporting], [s.name for s in third.supported]) == (
        ["彭州市西郊小学", "彭州市九尺镇小学"], ["黑水县芦花完全小学校"]
    )  # fmt: skip
    assert (third.supporting[1].contact, third.supporting[1].title, third.supporting[1].phone) == (
        "蓝海燕", "园长", "028-88364266、17702709952"
    )  # fmt: skip


def test_ods_merges_come_from_content_xml() -> None:
    data = (CORPUS / "10_jianshi_binjiang.ods").read_bytes()
    grids, _ = file_tables(data, "10.ods")
    assert grids[0].rows[0] == ["帮扶方", "受援方", "学段", "备注"]
    result = import_roster(data, "10.ods")
    assert len(result.roster.groups) == 28
    assert [p.kind for p in result.problems] == [ProblemKind.IGNORED]


def test_a_word_file_with_a_county_table_and_two_school_tables() -> None:
    doc = Document()
    doc.add_paragraph("对口帮扶县（区）安排表如下：")
    county = doc.add_table(rows=2, cols=2)
    for cell, text in zip(county.rows[0].cells + county.rows[1].cells, ["帮扶县区", "受援县区", "城中区", "融安县"],
                          strict=True):  # fmt: skip
        cell.text = text
    doc.add_paragraph("（三）建立普通高中的结对帮扶，具体安排表如下：")
    schools = doc.add_table(rows=3, cols=2)
    texts = ["帮扶学校", "受援学校", "柳州高中", "融水中学", "xxx中学", "三江高中"]
    for cell, text in zip(schools.rows[0].cells + schools.rows[1].cells + schools.rows[2].cells, texts, strict=True):
        cell.text = text
    doc.add_paragraph("（四）建立特殊教育的结对帮扶：")
    special = doc.add_table(rows=4, cols=3)
    texts = ["帮扶牵头指导学校", "帮扶学校", "受援学校",
             "柳州市特殊教育学校", "柳江县特殊教育学校", "融安县特殊教育学校",
             "", "鹿寨县特殊教育学校", "柳城县特殊教育学校",
             "", "融水县特殊教育学校", "三江县特殊教育学校"]  # fmt: skip
    for cell, text in zip([c for row in special.rows for c in row.cells], texts, strict=True):
        cell.text = text
    special.cell(1, 0).merge(special.cell(3, 0))
    out = io.BytesIO()
    doc.save(out)
    result = import_roster(out.getvalue(), "方案.docx")
    assert pairs(result) == [(["柳州高中"], ["融水中学"]), (["柳江县特殊教育学校"], ["融安县特殊教育学校"]),
                             (["鹿寨县特殊教育学校"], ["柳城县特殊教育学校"]),
                             (["融水县特殊教育学校"], ["三江县特殊教育学校"])]  # fmt: skip
    assert [g.stages for g in result.roster.groups] == [(Stage.HIGH_SCHOOL,)] + [(Stage.SPECIAL,)] * 3
    assert {g.coordinator for g in result.roster.groups[1:]} == {"柳州市特殊教育学校"}
    assert [(t.table, t.used, t.reason) for t in result.tables] == [
        ("表1", False, "这是县区之间的结对安排，不是学校名单，未导入"), ("表2", True, ""), ("表3", True, "")
    ]  # fmt: skip
    (problem,) = result.problems
    assert (problem.kind, problem.table, problem.row, problem.value) == (ProblemKind.PLACEHOLDER, 2, 3, "xxx中学")
    assert problem.describe() == "方案.docx 表2 第3行 “帮扶学校”：模板里的占位学校名没有改成真实校名（值：'xxx中学'）"


def test_a_word_file_with_pairing_prose_in_split_runs() -> None:
    doc = Document()
    doc.add_paragraph("调整后的结对学校名单如下：")
    p = doc.add_paragraph("3．彭州市西郊")
    p.add_run("小学、九尺镇")
    p.add_run("小学与黑水县芦花完全小学校结对；")
    out = io.BytesIO()
    doc.save(out)
    result = import_roster(out.getvalue(), "通知.docx")
    assert pairs(result) == [(["彭州市西郊小学", "彭州市九尺镇小学"], ["黑水县芦花完全小学校"])]


def test_a_digital_pdf_table_across_pages() -> None:
    result = import_roster((CORPUS / "08_liuzhou_plan.pdf").read_bytes(), "08.pdf")
    assert len(result.roster.groups) == 14
    third = result.roster.groups[2]  # its phone is cut by the page break: 187033276 | 34
    assert (third.supporting[0].name, third.supporting[0].phone) == ("市一中", "0772-8642804、18703327634")
    assert [t.used for t in result.tables] == [False, True, True]


def test_the_notice_text_with_one_cell_per_line_tables() -> None:
    text = ("对口帮扶县（区）安排表如下：\n\t帮扶县区\n\t受援县区\n\n\t城中区\n\t融安县\n\n"
            "（三）建立普通高中的结对帮扶。具体安排表如下：\n"
            "\t帮扶学校\n\t受援学校\n\n\t柳州高中\n\t融水中学\n\n")  # fmt: skip
    result = import_roster(text.encode(), "通知.txt")
    assert pairs(result) == [(["柳州高中"], ["融水中学"])]
    assert result.roster.groups[0].stages == (Stage.HIGH_SCHOOL,)
    assert result.roster.groups[0].source == "通知.txt:12"


def test_an_unreadable_file_raises() -> None:
    with pytest.raises(RosterError, match="文件为空"):
        import_roster(b"  ", "a.csv")
    with pytest.raises(RosterError, match=r"无法识别表头：.*（值：'序号｜县市区'）"):
        import_roster("序号,县市区\n1,曹县\n".encode(), "a.csv")
    with pytest.raises(RosterError, match="没有任何结对：这是县区之间的结对安排"):
        import_roster("帮扶县区,受援县区\n城中区,融安县\n".encode(), "a.csv")


def test_overrides_change_the_mapping() -> None:
    text = "学校甲,学校乙,备注\n甲市第一小学,乙县第一小学,王一 13812345678\n"
    with pytest.raises(RosterError):
        import_roster(text.encode(), "a.csv")
    result = import_roster(text.encode(), "a.csv", overrides={"a.csv": {0: "supporting.school",
                                                                        1: "supported.school",
                                                                        2: "supported.contact_phone"}})  # fmt: skip
    assert pairs(result) == [(["甲市第一小学"], ["乙县第一小学"])]
    assert result.roster.groups[0].supported[0].phone == "13812345678"


# -------------------------------------------------------------------------------------------------- CLI


def test_cli_json_shape_and_exit_codes(tmp_path: Path) -> None:
    clean = tmp_path / "clean.csv"
    clean.write_text("支援学校,受援学校\n甲市第一小学,乙县第一小学\n", encoding="utf-8")
    result = runner.invoke(app, ["roster", str(clean), "--json"])
    assert result.exit_code == 0
    out = json.loads(result.stdout)
    assert list(out) == ["groups", "errors", "warnings", "tables"]
    assert (out["groups"][0]["supporting"], out["groups"][0]["stages"]) == (["甲市第一小学"], ["义务教育"])
    assert out["tables"][0]["columns"][0] == {"index": 0, "header": "支援学校", "role": "supporting.school"}

    bad = tmp_path / "bad.csv"
    bad.write_text("支援学校,受援学校,受援学校联系电话\n甲市第一小学,乙县第一小学,123456\n丙小学,\n", encoding="utf-8")
    result = runner.invoke(app, ["roster", str(bad), "--json"])
    assert result.exit_code == 1
    out = json.loads(result.stdout)
    assert len(out["groups"]) == 1
    assert [(e["row"], e["kind"], e["severity"]) for e in out["errors"]] == [(3, "empty", "error")]
    assert [(w["row"], w["kind"], w["severity"]) for w in out["warnings"]] == [(2, "phone", "warning")]
    strict = runner.invoke(app, ["roster", str(bad), "--json", "--strict"])
    assert strict.exit_code == 1
    assert json.loads(strict.stdout)["groups"] == []

    broken = tmp_path / "broken.xlsx"
    broken.write_bytes(b"not a workbook")
    result = runner.invoke(app, ["roster", str(broken), "--json"])
    assert result.exit_code == 2
    out = json.loads(result.stdout)
    assert (out["groups"], out["warnings"], out["tables"]) == ([], [], [])
    assert [(e["kind"], e["source"]) for e in out["errors"]] == [("unreadable", "broken.xlsx")]


def test_generate_makes_the_valid_groups_lists_the_bad_rows_and_strict_refuses(tmp_path: Path) -> None:
    samples = Path(__file__).resolve().parent.parent / "samples" / "pengzhou_heishui"
    (tmp_path / "program.yaml").write_bytes((samples / "program.yaml").read_bytes())
    roster = tmp_path / "roster.txt"
    roster.write_text("成都石室白马中学与黑水县中学结对；\n彭州市西郊小学，九尺镇小学与黑水县芦花完全小学校结对；\n",
                      encoding="utf-8")  # fmt: skip
    result = runner.invoke(app, ["generate", str(roster), "--out", str(tmp_path / "out"), "--no-pdf", "--no-forms"])
    assert result.exit_code == 0, result.output
    assert "未导入的行：" in result.stderr
    assert "roster.txt 第2行 “结对句”：无法识别的结对句" in result.stderr
    archive = zipfile.ZipFile(tmp_path / "out" / "pengzhou-heishui-2019.zip")
    agreements = [n for n in archive.namelist() if n.endswith(".docx") and "学校党建共建协议书" in n]
    assert len(agreements) == 1 and agreements[0].startswith("01_")
    strict = runner.invoke(app, ["generate", str(roster), "--out", str(tmp_path / "out2"), "--no-pdf", "--strict"])
    assert strict.exit_code == 2
    assert "花名册有 1 处错误，未导入" in strict.stderr
    assert not (tmp_path / "out2" / "pengzhou-heishui-2019.zip").exists()


def test_a_note_merged_across_the_row_is_a_note_and_a_sheet_name_can_name_the_stage() -> None:
    data = xlsx(
        [["序号", "支援学校", "受援学校"], ["一、幼儿园（2所）"], [1, "甲市第一幼儿园", "乙县第一幼儿园"],
         ["填表日期：2019年3月14日"], [2, "甲市第二中学", "乙县第二中学"]],
        merges=("A2:C2", "A4:C4"),
        title="高中",
    )  # fmt: skip
    result = import_roster(data, "名单.xlsx")
    assert pairs(result) == [(["甲市第一幼儿园"], ["乙县第一幼儿园"]), (["甲市第二中学"], ["乙县第二中学"])]
    assert [g.stages for g in result.roster.groups] == [(Stage.PRESCHOOL,), (Stage.PRESCHOOL,)]
    assert kinds(result) == [(4, "ignored")]
    plain = import_roster(xlsx([["支援学校", "受援学校"], ["甲市第二中学", "乙县第二中学"]], title="高中"), "b.xlsx")
    assert plain.roster.groups[0].stages == (Stage.HIGH_SCHOOL,)


def test_a_mobile_written_with_spaces_is_one_number() -> None:
    assert parse_contacts("张三 138 1234 5678") == (Person("张三", "", ("13812345678",)),)


def test_ditto_repeats_the_cell_above_as_its_own_group_and_nothing_is_no_contact() -> None:
    grid = Grid("s", [["支援学校", "受援学校", "学段", "受援学校联系人"],
                      ["甲市第一中学", "乙县第一中学", "初中", "无"],
                      ["同上", "乙县第二中学", "〃", "李四 13812345678"]])  # fmt: skip
    result = import_grids([grid], source="a.xlsx")
    assert pairs(result) == [(["甲市第一中学"], ["乙县第一中学"]), (["甲市第一中学"], ["乙县第二中学"])]
    assert [g.stages for g in result.roster.groups] == [(Stage.COMPULSORY,)] * 2
    assert [g.supported[0].contact for g in result.roster.groups] == ["", "李四"]


def test_utf16_without_a_bom() -> None:
    text = "支援学校\t受援学校\r\n甲市第一中学\t乙县第一中学\r\n"
    result = import_roster(text.encode("utf-16-le"), "名单.txt")
    assert pairs(result) == [(["甲市第一中学"], ["乙县第一中学"])]


def ods(rows_xml: str) -> bytes:
    """A minimal OpenDocument spreadsheet: one table ``名单`` with the given ``<table:table-row>`` elements."""
    content = (
        '<?xml version="1.0" encoding="UTF-8"?>'
        '<office:document-content xmlns:office="urn:oasis:names:tc:opendocument:xmlns:office:1.0" '
        'xmlns:table="urn:oasis:names:tc:opendocument:xmlns:table:1.0" '
        'xmlns:text="urn:oasis:names:tc:opendocument:xmlns:text:1.0" office:version="1.2">'
        f'<office:body><office:spreadsheet><table:table table:name="名单">{rows_xml}</table:table>'
        "</office:spreadsheet></office:body></office:document-content>"
    )
    manifest = (
        '<?xml version="1.0" encoding="UTF-8"?>'
        '<manifest:manifest xmlns:manifest="urn:oasis:names:tc:opendocument:xmlns:manifest:1.0" manifest:version="1.2">'
        '<manifest:file-entry manifest:full-path="/" '
        'manifest:media-type="application/vnd.oasis.opendocument.spreadsheet"/>'
        '<manifest:file-entry manifest:full-path="content.xml" manifest:media-type="text/xml"/>'
        "</manifest:manifest>"
    )
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as archive:
        archive.writestr(zipfile.ZipInfo("mimetype"), "application/vnd.oasis.opendocument.spreadsheet")
        archive.writestr("content.xml", content)
        archive.writestr("META-INF/manifest.xml", manifest)
    return out.getvalue()


def _cell(text: str = "", rows: int = 1, repeat: int = 1) -> str:
    attrs = (f' table:number-rows-spanned="{rows}"' if rows > 1 else "") + (
        f' table:number-columns-repeated="{repeat}"' if repeat > 1 else "")  # fmt: skip
    if not text:
        return f"<table:table-cell{attrs}/>"
    return f'<table:table-cell office:value-type="string"{attrs}><text:p>{text}</text:p></table:table-cell>'


def test_ods_merged_ranges_are_read_from_content_xml_and_tie_groups() -> None:
    row = "<table:table-row>{}</table:table-row>".format
    data = ods(
        row(_cell("支援学校") + _cell("受援学校"))
        + '<table:table-row table:number-rows-repeated="2">' + _cell(repeat=2) + "</table:table-row>"
        + row(_cell("甲市第一中学", rows=2) + _cell("乙县第一中学"))
        + row("<table:covered-table-cell/>" + _cell("乙县第二中学"))
    )  # fmt: skip
    grids, _ = file_tables(data, "m.ods")
    assert grids[0].merges == [Merge(3, 0, 4, 0)]
    result = import_roster(data, "m.ods")
    assert pairs(result) == [(["甲市第一中学"], ["乙县第一中学", "乙县第二中学"])]
    assert result.roster.groups[0].source == "m.ods:4"


def test_a_pairing_line_wrapped_over_two_lines_is_read_whole() -> None:
    text = ("调整后的名单如下：\n3．彭州市西郊小学、九尺镇小学与黑水县芦\n花完全小学校结对；\n"
            "4．彭州市清平小学与黑水县扎窝中心校结对；\n")
    result = import_roster(text.encode(), "通知.txt")
    assert pairs(result) == [(["彭州市西郊小学", "彭州市九尺镇小学"], ["黑水县芦花完全小学校"]),
                             (["彭州市清平小学"], ["黑水县扎窝中心校"])]  # fmt: skip
    assert [g.source for g in result.roster.groups] == ["通知.txt:2", "通知.txt:4"]


def test_a_second_contact_for_a_merged_school_on_another_row_is_kept() -> None:
    data = xlsx([["支援学校", "支援学校联系人", "受援学校"], ["甲市第一中学", "王一 13812345678", "乙县第一中学"],
                 [None, "王二 13912345678", "乙县第二中学"]], merges=("A2:A3",))  # fmt: skip
    (group,) = import_roster(data, "a.xlsx").roster.groups
    assert (group.supporting[0].contact, group.supporting[0].phone) == ("王一、王二", "13812345678、13912345678")


def test_merged_ranges_covering_too_many_cells_are_refused() -> None:
    grid = Grid("s", [["支援学校", "受援学校"], ["甲", "乙"]], merges=[Merge(0, 0, 1, 1)] * 250_001)
    with pytest.raises(RosterError, match="合并单元格覆盖超过 1,000,000 个单元格"):
        import_grids([grid], source="a.xlsx")


def test_a_title_saying_zhongxiaoxue_names_no_stage() -> None:
    grid = Grid("s", [["彭州市中小学结对帮扶名单"], ["支援学校", "受援学校"], ["甲市第一中学", "乙县第一中学"]])
    assert import_grids([grid], source="a.xlsx").roster.groups[0].stages == ()


@pytest.mark.parametrize(
    ("data", "name", "message"),
    [
        ("支援学校,受援学校\n".encode(), "h.csv", "h.csv：没有任何结对：文件中找不到结对行或数据行"),
        (b"PK\x03\x04" + b"\0" * 26 + b"mimetypeapplication/vnd.oasis.opendocument.spreadsheet", "o.ods",
         "o.ods：不是有效的 ods 文件（BadZipFile: File is not a zip file）"),
        (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\1" * 600, "z.xls", "z.xls：无法读取这个旧版 .xls 文件"),
    ],
)  # fmt: skip
def test_files_without_a_roster_or_broken_raise_naming_the_file(data: bytes, name: str, message: str) -> None:
    with pytest.raises(RosterError) as excinfo:
        import_roster(data, name)
    assert str(excinfo.value).startswith(message)


def test_a_windows_path_as_the_file_name_names_only_the_file_everywhere() -> None:
    data = "支援学校,受援学校\n彭州市西郊小学,黑水县芦花完全小学校\n彭州市丽春镇小学,彭州市丽春镇小学\n".encode()
    result = import_roster(data, "C:\\Users\\clerk\\名单.csv")
    assert result.roster.source == "名单.csv"
    assert result.roster.groups[0].source == "名单.csv:2"
    assert [(p.source, p.row, p.kind.value) for p in result.errors] == [("名单.csv", 3, "same_school")]
