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

NOT_OURS: dict[str, list[GenericTruth]] = {
    LIUZHOU.title: [COUNTY_PAIRS, SPECIAL_PAIRS],
    JIANSHI.title: [TRAINING_READ],
}
"""Per notice, its generic tables in order; the 柳州 notice's 高中 table is :data:`HIGH_SCHOOL_PAIRS`."""
