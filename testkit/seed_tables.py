"""The seed notices' own tables, printed as the notices print them: material docgen did not make.

    data = notice_docx(LIUZHOU)                    # python-docx, merged cells as Word merges them
    pdf = convert(data, ".docx", "pdf")            # testkit.office (LibreOffice)

The text of every table is copied from ``/work/shared/seeds`` (issue 12, item 3):

* :data:`LIUZHOU` — 柳教基〔2016〕68号 (seed 001): the 县区 pairs (帮扶县区 | 受援县区), the 高中 pairs that
  became docgen's own 安排表 (帮扶学校 | 联系人及电话 | 受援学校 | 联系人及电话) and the 特殊教育 table, whose
  two-row header puts 帮扶牵头指导学校 (merged down) beside 县级结对帮扶安排 (merged across) over
  帮扶学校 / 受援学校, with 柳州市特殊教育学校 merged down its three rows.
* :data:`JIANSHI` — 建始县 2019 (seed 002): the training plan with typographic spaces in its headers
  (``对 象``, ``责 任 股 室``).
* :data:`HEZE` — 山东省教育厅 2016 (seed 003): the 菏泽 school list, 21 rows with 负责人 and 联系电话
  (``曹 县``, ``李 云`` spaced as printed).

What a reader must give back is written out at the end (:data:`NOT_OURS`, :data:`HIGH_SCHOOL_PAIRS`).
A :class:`SeedTable` is rows of text plus its merges (``(row, col) → (rowspan, colspan)``); a merged cell's
text sits at its top-left position, the positions it covers are ``""`` in ``rows``.
"""

from __future__ import annotations

import io
from collections.abc import Mapping
from dataclasses import dataclass, field

from docx import Document

from docgen.render.cjk import cjk_run

FONT = "宋体"

GenericTruth = tuple[tuple[str, ...], list[list[str]]]


@dataclass(frozen=True)
class SeedTable:
    """One printed table: the line printed above it, its rows (text at a merge's top-left) and its merges."""

    intro: str
    rows: tuple[tuple[str, ...], ...]
    merges: Mapping[tuple[int, int], tuple[int, int]] = field(default_factory=dict)


@dataclass(frozen=True)
class SeedNotice:
    """A notice reduced to its title, the tables and the sentences around them."""

    title: str
    tables: tuple[SeedTable, ...]


COUNTIES = SeedTable(
    "4．“市—县”级的帮扶安排由帮扶县（区）与受援县（区）双方沟通协商确定。对口帮扶县（区）安排表如下：",
    (
        ("帮扶县区", "受援县区"),
        ("城中区", "融安县"),
        ("鱼峰区（含柳东新区、阳和工作新区）", "融水县"),
        ("柳南区", "三江县"),
        ("柳北区", "鹿寨县"),
        ("柳江区", "柳城县"),
    ),
)

HIGH_SCHOOLS = SeedTable(
    "（三）建立普通高中的结对帮扶。由市局统筹安排市区内优质高中分别对口帮扶贫困县普通高中。",
    (
        ("帮扶学校", "联系人及电话", "受援学校", "联系人及电话"),
        ("柳州高中", "", "融水中学", ""),
        ("柳铁一中", "", "三江高中", ""),
        ("市一中", "", "三江民族高中", ""),
        ("市二中", "", "融水民族高中", ""),
        ("市铁二中", "", "柳城实验高中", ""),
        ("市三中", "", "柳江实验高中", ""),
        ("钢一中", "", "融安二中", ""),
        ("市民族高中", "", "鹿寨中学", ""),
        ("市六中", "", "柳城中学", ""),
        ("市九中", "", "鹿寨实验高中", ""),
        ("柳江中学", "", "融安高中", ""),
    ),
)

SPECIAL_EDUCATION = SeedTable(
    "（四）建立特殊教育的结对帮扶。结合本市实际，由柳州市特殊教育学校总牵头帮扶，各县特殊教育学校之间结对帮扶。",
    (
        ("帮扶牵头指导学校", "县级结对帮扶安排", ""),
        ("", "帮扶学校", "受援学校"),
        ("柳州市特殊教育学校", "柳江县特殊教育学校", "融安县特殊教育学校"),
        ("", "鹿寨县特殊教育学校", "柳城县特殊教育学校"),
        ("", "融水县特殊教育学校", "三江县特殊教育学校"),
    ),
    {(0, 0): (2, 1), (0, 1): (1, 2), (2, 0): (3, 1)},
)

LIUZHOU = SeedNotice("柳州市中小学（幼儿园）结对帮扶工作实施方案", (COUNTIES, HIGH_SCHOOLS, SPECIAL_EDUCATION))
LIUZHOU_NOT_OURS = SeedNotice("柳州市中小学（幼儿园）结对帮扶工作实施方案（摘录）", (COUNTIES, SPECIAL_EDUCATION))
"""The notice's two tables that are not docgen's forms (a short page: what the scan test reads by OCR)."""

TRAINING_PLAN = SeedTable(
    "2019年建始县赴滨江区培训计划",
    (
        ("序号", "对 象", "时 间", "人 数", "责 任 股 室"),
        ("1", "幼儿园园长", "3 月", "25", "人事股、教育股"),
        ("2", "学校管理干部", "4 月", "25", "人事股"),
        ("3", "教研员、数学教师", "5 月", "30", "人事股、教研室"),
        ("4", "后勤、基建干部", "10 月", "20", "人事股、项目办、后勤办"),
        ("5", "教研员、英语教师", "11 月", "30", "人事股、教研室"),
        ("6", "信息技术、心理健康教师", "12 月", "20", "人事股、教育股、电教站"),
    ),
)

JIANSHI = SeedNotice("建始县教育局2019年东西部扶贫协作工作计划", (TRAINING_PLAN,))

HEZE_SCHOOLS = SeedTable(
    "附件：菏泽被帮扶学校名单",
    (
        ("序号", "县市区", "学段", "学校名称", "负责人", "联系电话"),
        ("1", "牡丹区", "初中", "牡丹区第二十二中学", "李爱华", "15965809758"),
        ("2", "牡丹区", "初中", "牡丹区吴店镇中心中学", "郭宝忠", "13563878299"),
        ("3", "曹 县", "高中", "曹县第一中学", "赵广雷", "15865105666"),
        ("4", "曹 县", "初中", "曹县第一初级中学", "倪卫东", "13869786596"),
        ("5", "定陶县", "高中", "定陶县第一中学", "杨汝增", "13505300556"),
        ("6", "定陶县", "初中", "定陶县清华园学校", "谢里永", "18265058899"),
        ("7", "成武县", "高中", "成武县第一中学", "徐显成", "13905306295"),
        ("8", "成武县", "高中", "成武县第二中学", "李洪学", "15552392688"),
        ("9", "成武县", "初中", "成武县实验中学", "李 云", "18661510166"),
        ("10", "单 县", "高中", "单县第二中学", "赵 瑞", "15288710666"),
        ("11", "单 县", "初中", "单县开发区实验中学", "祝宗义", "13953074373"),
        ("12", "巨野县", "高中", "巨野县第一中学", "李敬岚", "18705306000"),
        ("13", "巨野县", "初中", "巨野县高级中学", "张体振", "13508903920"),
        ("14", "郓城县", "高中", "郓城县第一中学", "李春生", "13705305986"),
        ("15", "郓城县", "初中", "郓城县第一初级中学", "曹务成", "13181591001"),
        ("16", "鄄城县", "高中", "鄄城县第一中学", "秦朝华", "18205309879"),
        ("17", "鄄城县", "初中", "鄄城县吉山镇吉山中学", "刘正稳", "13573076489"),
        ("18", "东明县", "高中", "东明县第一中学", "尹怀波", "13905305087"),
        ("19", "东明县", "初中", "东明县第一初级中学", "盛广善", "13505306378"),
        ("20", "开发区", "初中", "开发区广州路中学", "郝登强", "18888396668"),
        ("21", "高新区", "初中", "高新区吕陵镇初级中学", "杨冠旗", "13406001040"),
    ),
)

HEZE = SeedNotice("山东省教育厅关于开展城乡义务教育学校结对帮扶和支持菏泽教育发展结对帮扶工作的通知", (HEZE_SCHOOLS,))


def notice_docx(notice: SeedNotice) -> bytes:
    """``notice`` as a Word file: its title, then each table after its sentence, merges done as Word does them
    (``w:gridSpan`` across, ``w:vMerge`` down); every cell's text in a CJK font, 10.5 pt."""
    doc = Document()
    cjk_run(doc.add_paragraph(), notice.title, FONT, size=16, bold=True)
    for seed in notice.tables:
        cjk_run(doc.add_paragraph(), seed.intro, FONT, size=12)
        n_cols = max(len(r) for r in seed.rows)
        table = doc.add_table(rows=len(seed.rows), cols=n_cols)
        table.style = "Table Grid"
        for (r, c), (rowspan, colspan) in seed.merges.items():
            table.cell(r, c).merge(table.cell(r + rowspan - 1, c + colspan - 1))
        covered = {(r + dr, c + dc) for (r, c), (rs, cs) in seed.merges.items()
                   for dr in range(rs) for dc in range(cs) if (dr, dc) != (0, 0)}
        for r, row in enumerate(seed.rows):
            for c, text in enumerate(row):
                if (r, c) in covered:
                    continue
                paragraph = table.cell(r, c).paragraphs[0]
                cjk_run(paragraph, text, FONT, size=10.5)
        doc.add_paragraph()
    out = io.BytesIO()
    doc.save(out)
    return out.getvalue()


# ------------------------------------------------------------------------ what a reader must give back

# The generic tables (columns, rows as read) docgen gives for the tables that are not its forms: the header
# as printed (two rows joined 上/下, spaces of letter-spacing out), a merged cell's text in each row it
# covers. Written out by hand from the seeds, not computed, so they can catch the code that computes them.
COUNTY_PAIRS: GenericTruth = (
    ("帮扶县区", "受援县区"),
    [["城中区", "融安县"], ["鱼峰区（含柳东新区、阳和工作新区）", "融水县"], ["柳南区", "三江县"],
     ["柳北区", "鹿寨县"], ["柳江区", "柳城县"]],
)
SPECIAL_PAIRS: GenericTruth = (
    ("帮扶牵头指导学校", "县级结对帮扶安排/帮扶学校", "县级结对帮扶安排/受援学校"),
    [["柳州市特殊教育学校", "柳江县特殊教育学校", "融安县特殊教育学校"],
     ["柳州市特殊教育学校", "鹿寨县特殊教育学校", "柳城县特殊教育学校"],
     ["柳州市特殊教育学校", "融水县特殊教育学校", "三江县特殊教育学校"]],
)
HIGH_SCHOOL_PAIRS: list[list[str]] = [
    ["柳州高中", "融水中学"], ["柳铁一中", "三江高中"], ["市一中", "三江民族高中"], ["市二中", "融水民族高中"],
    ["市铁二中", "柳城实验高中"], ["市三中", "柳江实验高中"], ["钢一中", "融安二中"], ["市民族高中", "鹿寨中学"],
    ["市六中", "柳城中学"], ["市九中", "鹿寨实验高中"], ["柳江中学", "融安高中"],
]
"""The 高中 table read as docgen's 安排表: 帮扶学校 and 受援学校 of each row (its contact columns are empty)."""
TRAINING_READ: GenericTruth = (
    ("序号", "对象", "时间", "人数", "责任股室"),
    [["1", "幼儿园园长", "3 月", "25", "人事股、教育股"],
     ["2", "学校管理干部", "4 月", "25", "人事股"],
     ["3", "教研员、数学教师", "5 月", "30", "人事股、教研室"],
     ["4", "后勤、基建干部", "10 月", "20", "人事股、项目办、后勤办"],
     ["5", "教研员、英语教师", "11 月", "30", "人事股、教研室"],
     ["6", "信息技术、心理健康教师", "12 月", "20", "人事股、教育股、电教站"]],
)

HEZE_READ: GenericTruth = (HEZE_SCHOOLS.rows[0], [list(row) for row in HEZE_SCHOOLS.rows[1:]])
"""The 菏泽 list is one plain header row over its rows: read as printed (``曹 县`` and ``李 云`` as typed)."""

NOT_OURS: dict[str, list[GenericTruth]] = {
    LIUZHOU.title: [COUNTY_PAIRS, SPECIAL_PAIRS],
    JIANSHI.title: [TRAINING_READ],
    HEZE.title: [HEZE_READ],
}
"""Per notice, its generic tables in order; the 柳州 notice's 高中 table is :data:`HIGH_SCHOOL_PAIRS`."""
