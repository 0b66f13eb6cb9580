"""The messy roster corpus: pairing rosters made the ways clerks make them, each with the truth it holds.

    python -m testkit.roster_corpus tests/rosters           # write every file + <file>.expected.json
    python -m testkit.roster_corpus tests/rosters --check   # compare with what is there, write nothing

    from testkit.roster_corpus import build_corpus
    cases = build_corpus(deterministic_only=True)            # list[RosterCase]; bytes + expected result

Every file is built from the seed notices' real school names (``../shared/seeds``; where a seed gives only
a count — 建始·滨江's 28 pairs, the schools that help 菏泽, 东莞's 1+1 list — the names are made up in the
seed's style and the notes say so). The *truth* of each file (its ``expected.json``) is written from the
data the file was made from, in the file's own terms: the groups the file states, the rows it gets wrong.
It is never read back from an importer. The decisions (what a lead school is, how a prefix is inherited,
what a bad row still gives) are in ``tests/rosters/README.md``.

xlsx and docx files are written with fixed zip timestamps and document dates, csv/txt are plain bytes: all
of these reproduce byte for byte. ``.xls``, ``.ods`` and ``.pdf`` come from LibreOffice, which stamps its
own dates, so they are compared by content only (``deterministic=False``).
"""

from __future__ import annotations

import argparse
import io
import json
import re
import sys
import zipfile
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from docx import Document
from docx.oxml.ns import qn
from docx.shared import Pt
from openpyxl import Workbook
from openpyxl.styles import Alignment, Font
from openpyxl.worksheet.worksheet import Worksheet

from testkit.office import convert
from testkit.shared import SHARED

#: Every kind of bad row the corpus contains (``errors[].kind`` in an expected file).
ERROR_KINDS = ("empty", "same_school", "duplicate", "phone", "unknown_stage", "placeholder")

#: 学段 words as files write them → the program's four stages (docgen.model.Stage values).
STAGE_WORDS = {"幼儿园": "学前教育", "小学": "义务教育", "初中": "义务教育", "高中": "普通高中", "特教": "特殊教育"}

_FIXED_ZIP_TIME = (2019, 3, 14, 8, 0, 0)
_FIXED_ISO = b"2019-03-14T08:00:00Z"


# ---------------------------------------------------------------------------------------------------- truth


@dataclass(frozen=True)
class Contact:
    """A person the file names for a school, and every phone number written for them (as written)."""

    school: str
    name: str
    phones: tuple[str, ...] = ()
    title: str = ""

    def as_json(self) -> dict[str, Any]:
        out: dict[str, Any] = {"school": self.school, "name": self.name, "phones": list(self.phones)}
        if self.title:
            out["title"] = self.title
        return out


@dataclass(frozen=True)
class Group:
    """One pairing the file states: supporting schools → supported schools (full names), 1:1, 1:N or N:1."""

    supporting: tuple[str, ...]
    supported: tuple[str, ...]
    stages: tuple[str, ...] = ()  # canonical stages the file gives for the group, in its order; () = not said
    contacts: tuple[Contact, ...] = ()
    coordinator: str = ""  # 牵头指导学校: named by the file, not a party to the pairing

    def as_json(self) -> dict[str, Any]:
        stage: str | list[str] | None = None
        if len(self.stages) == 1:
            stage = self.stages[0]
        elif self.stages:
            stage = list(self.stages)
        out: dict[str, Any] = {
            "supporting": list(self.supporting),
            "supported": list(self.supported),
            "stage": stage,
            "contacts": [c.as_json() for c in self.contacts],
        }
        if self.coordinator:
            out["coordinator"] = self.coordinator
        return out


@dataclass(frozen=True)
class BadRow:
    """A row the file gets wrong, where the user sees it: spreadsheet row (or text line), docx table number."""

    row: int
    kind: str
    table: int | None = None
    sheet: str = ""

    def as_json(self) -> dict[str, Any]:
        out: dict[str, Any] = {"row": self.row, "kind": self.kind}
        if self.table is not None:
            out["table"] = self.table
        if self.sheet:
            out["sheet"] = self.sheet
        return out


@dataclass(frozen=True)
class RosterCase:
    """One corpus file: its name, bytes and the truth written from what it says."""

    name: str
    data: bytes
    groups: tuple[Group, ...]
    errors: tuple[BadRow, ...] = ()
    notes: str = ""
    deterministic: bool = True

    def expected(self) -> dict[str, Any]:
        """The ``<name>.expected.json`` document (format in tests/rosters/README.md)."""
        return {
            "file": self.name,
            "groups": [g.as_json() for g in self.groups],
            "errors": [e.as_json() for e in self.errors],
            "notes": self.notes,
        }


def expected_bytes(case: RosterCase) -> bytes:
    """The expected JSON as committed (UTF-8, indented, trailing newline)."""
    return (json.dumps(case.expected(), ensure_ascii=False, indent=2) + "\n").encode("utf-8")


# ------------------------------------------------------------------------------------------ people & phones

_SURNAMES = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何罗高林韦覃蓝莫"
_GIVEN = ("国强", "丽华", "建军", "海燕", "志刚", "秀英", "文斌", "春梅", "永红", "小军", "德明", "晓东", "玉兰",
          "家富", "红霞", "立新", "光辉", "素芬", "宏伟", "翠萍")  # fmt: skip
_TITLES = ("校长", "副校长", "办公室主任", "教导主任", "德育主任", "工会主席", "园长", "副园长")


def person(i: int) -> str:
    """A made-up contact name, different for every ``i`` below 480."""
    return _SURNAMES[i % len(_SURNAMES)] + _GIVEN[(i * 7 + i // len(_SURNAMES)) % len(_GIVEN)]


def title(i: int) -> str:
    """A made-up job title."""
    return _TITLES[i % len(_TITLES)]


_MOBILE_PREFIXES = ("139", "138", "135", "158", "187", "152", "182", "136", "151", "189", "177", "199")


def mobile(i: int) -> str:
    """A made-up, well-formed mobile number (11 digits, a real operator prefix)."""
    return f"{_MOBILE_PREFIXES[i % len(_MOBILE_PREFIXES)]}{(i * 7919 + 2345678) % 100_000_000:08d}"


def landline(area: str, i: int) -> str:
    """A made-up landline with area code: 8 digits after a three-digit code (028, 0571), else 7."""
    digits = 8 if len(area) == 3 else 7
    return f"{area}-{(i * 3571 + 8_200_000) % 10**digits:0{digits}d}".replace("-0", "-8", 1)


# ------------------------------------------------------------------------------------------------ the seeds

#: 000 彭州·黑水: the 14 pairing lines, full names (九尺镇小学 inherits 彭州市 from the name before it).
PENGZHOU: tuple[tuple[tuple[str, ...], str, tuple[str, ...]], ...] = (
    (("成都石室白马中学",), "黑水县中学", ("高中", "初中")),
    (("彭州市隆丰镇初级中学",), "黑水县初级中学", ("初中",)),
    (("彭州市西郊小学", "彭州市九尺镇小学"), "黑水县芦花完全小学校", ("小学",)),
    (("彭州市清平小学",), "黑水县扎窝中心校", ("小学",)),
    (("彭州市濛阳七一竹瓦九年制学校",), "黑水县七一维古小学", ("小学", "初中")),
    (("彭州市丽春镇小学",), "黑水县知木林寄宿制小学校", ("小学",)),
    (("彭州市通济镇蓝天小学",), "黑水县红岩寄宿制小学校", ("小学",)),
    (("彭州市升平镇博爱小学",), "黑水县色尔古寄宿制小学校", ("小学",)),
    (("彭州市军乐镇小学",), "黑水县沙石多中心小学", ("小学",)),
    (("彭州市致和镇小学",), "黑水县木苏乡中心小学", ("小学",)),
    (("彭州市利安小学",), "黑水县木卡龙中心小学", ("小学",)),
    (("彭州市隆丰镇小学",), "黑水县晴朗乡中心小学", ("小学",)),
    (("彭州市濛阳小学",), "黑水县石碉楼小学", ("小学",)),
    (("彭州市机关幼儿园",), "黑水县城关幼儿园", ("幼儿园",)),
)

#: 001 柳州: 普通高中 “市—县” pairs, names exactly as the table writes them (市一中 stays 市一中).
LIUZHOU_HIGH = (
    ("柳州高中", "融水中学"), ("柳铁一中", "三江高中"), ("市一中", "三江民族高中"), ("市二中", "融水民族高中"),
    ("市铁二中", "柳城实验高中"), ("市三中", "柳江实验高中"), ("钢一中", "融安二中"), ("市民族高中", "鹿寨中学"),
    ("市六中", "柳城中学"), ("市九中", "鹿寨实验高中"), ("柳江中学", "融安高中"),
)  # fmt: skip
#: 001 柳州: special education, three county pairs under one lead school (牵头指导学校, not a party).
LIUZHOU_LEAD = "柳州市特殊教育学校"
LIUZHOU_SPECIAL = (
    ("柳江县特殊教育学校", "融安县特殊教育学校"),
    ("鹿寨县特殊教育学校", "柳城县特殊教育学校"),
    ("融水县特殊教育学校", "三江县特殊教育学校"),
)
#: 001 柳州: county (bureau) pairs — NOT schools; a roster reader must not take them for school pairs.
LIUZHOU_COUNTIES = (
    ("城中区", "融安县"), ("鱼峰区（含柳东新区、阳和工作新区）", "融水县"), ("柳南区", "三江县"),
    ("柳北区", "鹿寨县"), ("柳江区", "柳城县"),
)  # fmt: skip

_BJ = "杭州市滨江区"
#: 002 建始·滨江: the seed says 28 滨江 schools pair with 28 建始 schools but names none; these names are
#: made up after the two districts' real towns (业州镇, 高坪镇, 花坪镇 …). (supporting, supported, 学段).
JIANSHI: tuple[tuple[str, str, str], ...] = tuple(
    [(f"{_BJ}{a}幼儿园", f"建始县{b}", "幼儿园") for a, b in (
        ("闻涛", "机关幼儿园"), ("江南", "高坪镇中心幼儿园"), ("长河", "红岩寺镇中心幼儿园"),
        ("浦沿", "景阳镇中心幼儿园"))]
    + [(f"{_BJ}{a}", f"建始县{b}", "小学") for a, b in (
        ("闻涛小学", "业州镇第一小学"), ("浦沿小学", "业州镇第二小学"), ("西兴小学", "实验小学"),
        ("长河小学", "高坪镇中心小学"), ("钱塘实验小学", "花坪镇民族中心小学"), ("滨文小学", "三里乡中心小学"),
        ("丹枫实验小学", "官店镇中心小学"), ("江晖小学", "长梁镇中心小学"), ("星澜小学", "茅田乡中心小学"),
        ("东冠小学", "龙坪乡中心小学"), ("缤纷小学", "景阳镇中心小学"), ("海威小学", "红岩寺镇中心小学"))]
    + [(f"{_BJ}{a}", f"建始县{b}", "初中") for a, b in (
        ("闻涛中学", "民族实验中学"), ("浦沿中学", "业州镇初级中学"), ("西兴中学", "高坪镇初级中学"),
        ("滨和中学", "花坪镇初级中学"), ("江南实验学校", "三里乡初级中学"), ("高新实验学校", "官店镇初级中学"),
        ("育才中学", "景阳镇初级中学"), ("钱塘外语学校", "长梁镇初级中学"))]
    + [(a, f"建始县{b}", "高中") for a, b in (
        ("杭州第二中学滨江校区", "第一中学"), (f"{_BJ}江南高级中学", "第二中学"),
        (f"{_BJ}闻涛高级中学", "民族中学"), (f"{_BJ}钱塘高级中学", "高坪高级中学"))]
)  # fmt: skip

#: 003 菏泽: the seed's list of helped schools (县市区 as printed, 学段, name, 负责人 as printed, phone).
HEZE: tuple[tuple[str, str, str, str, str], ...] = (
    ("牡丹区", "初中", "牡丹区第二十二中学", "李爱华", "15965809758"),
    ("牡丹区", "初中", "牡丹区吴店镇中心中学", "郭宝忠", "13563878299"),
    ("曹 县", "高中", "曹县第一中学", "赵广雷", "15865105666"),
    ("曹 县", "初中", "曹县第一初级中学", "倪卫东", "13869786596"),
    ("定陶县", "高中", "定陶县第一中学", "杨汝增", "13505300556"),
    ("定陶县", "初中", "定陶县清华园学校", "谢里永", "18265058899"),
    ("成武县", "高中", "成武县第一中学", "徐显成", "13905306295"),
    ("成武县", "高中", "成武县第二中学", "李洪学", "15552392688"),
    ("成武县", "初中", "成武县实验中学", "李 云", "18661510166"),
    ("单 县", "高中", "单县第二中学", "赵 瑞", "15288710666"),
    ("单 县", "初中", "单县开发区实验中学", "祝宗义", "13953074373"),
    ("巨野县", "高中", "巨野县第一中学", "李敬岚", "18705306000"),
    ("巨野县", "初中", "巨野县高级中学", "张体振", "13508903920"),
    ("郓城县", "高中", "郓城县第一中学", "李春生", "13705305986"),
    ("郓城县", "初中", "郓城县第一初级中学", "曹务成", "13181591001"),
    ("鄄城县", "高中", "鄄城县第一中学", "秦朝华", "18205309879"),
    ("鄄城县", "初中", "鄄城县吉山镇吉山中学", "刘正稳", "13573076489"),
    ("东明县", "高中", "东明县第一中学", "尹怀波", "13905305087"),
    ("东明县", "初中", "东明县第一初级中学", "盛广善", "13505306378"),
    ("开发区", "初中", "开发区广州路中学", "郝登强", "18888396668"),
    ("高新区", "初中", "高新区吕陵镇初级中学", "杨冠旗", "13406001040"),
)
#: The helping schools of the 11 cities (made up: the seed names only the cities). Index-aligned with HEZE;
#: 莱芜's one 初中 helps the last two (开发区, 高新区) — the seed's "一对多".
_HEZE_HIGH_HELPERS = ("山东省实验中学", "青岛第二中学", "淄博实验中学", "东营市胜利第一中学", "烟台第二中学",
                      "潍坊第一中学", "济宁市第一中学", "泰安第一中学", "威海市第一中学")  # fmt: skip
_HEZE_MID_HELPERS = ("济南市第十二中学", "青岛市第五十九中学", "淄博市张店区实验中学", "东营市实验中学",
                     "烟台市芝罘区双语实验学校", "潍坊市奎文区实验初级中学", "济宁市第十三中学",
                     "泰安市泰山区实验学校", "威海市第二中学", "日照市新营中学", "莱芜市实验中学")  # fmt: skip


def heze_helpers() -> list[str]:
    """The helping school of every HEZE row, in row order (the last two rows share 莱芜市实验中学)."""
    high, mid = iter(_HEZE_HIGH_HELPERS), iter(_HEZE_MID_HELPERS)
    out = [next(high) if stage == "高中" else next(mid) for _, stage, *_ in HEZE[:-1]]
    return [*out, out[-1]]


def _nospace(text: str) -> str:
    return re.sub(r"[\s\u3000\u00a0]+", "", text)


def canonical_stages(words: Sequence[str]) -> tuple[str, ...]:
    """The program stages 学段 words name, each once, in order (``小学、初中`` → ``义务教育``)."""
    out: list[str] = []
    for w in words:
        stage = STAGE_WORDS[w]
        if stage not in out:
            out.append(stage)
    return tuple(out)


# --------------------------------------------------------------------------------------------- file writers


def stable_zip(data: bytes) -> bytes:
    """``data`` (an OOXML zip) rewritten with fixed entry times and document dates: reproducible bytes."""
    src = zipfile.ZipFile(io.BytesIO(data))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as dst:
        for info in src.infolist():
            body = src.read(info.filename)
            if info.filename == "docProps/core.xml":
                body = re.sub(rb"(<dcterms:(?:created|modified)[^>]*>)[^<]*", rb"\g<1>" + _FIXED_ISO, body)
            entry = zipfile.ZipInfo(info.filename, date_time=_FIXED_ZIP_TIME)
            entry.compress_type = zipfile.ZIP_DEFLATED
            entry.external_attr = 0o600 << 16
            dst.writestr(entry, body)
    return out.getvalue()


def xlsx_bytes(wb: Workbook) -> bytes:
    """The workbook saved, with reproducible bytes."""
    buf = io.BytesIO()
    wb.save(buf)
    return stable_zip(buf.getvalue())


def docx_bytes(doc: Any) -> bytes:
    """The python-docx document saved, with reproducible bytes."""
    buf = io.BytesIO()
    doc.save(buf)
    return stable_zip(buf.getvalue())


def _wrap(ws: Worksheet) -> None:
    """Wrap text everywhere, as a clerk does after typing Alt+Enter; set a CJK font."""
    for row in ws.iter_rows():
        for cell in row:
            if cell.value is not None:
                cell.alignment = Alignment(wrap_text=True, vertical="center")
                cell.font = Font(name="宋体", size=11)


def _title(ws: Worksheet, text: str, width: int, row: int = 1, col: int = 1) -> None:
    ws.cell(row=row, column=col, value=text).font = Font(name="方正小标宋简体", size=16)
    ws.merge_cells(start_row=row, start_column=col, end_row=row, end_column=col + width - 1)


def _new_doc() -> Any:
    doc = Document()
    doc.core_properties.author = "人事科"
    doc.core_properties.last_modified_by = "人事科"
    style = doc.styles["Normal"]
    style.font.name = "仿宋_GB2312"
    style.element.rPr.rFonts.set(qn("w:eastAsia"), "仿宋_GB2312")
    style.font.size = Pt(16)
    return doc


def _cell_lines(cell: Any, lines: Sequence[str]) -> None:
    """A docx table cell holding ``lines`` as separate paragraphs (Enter pressed inside the cell)."""
    cell.text = lines[0] if lines else ""
    for line in lines[1:]:
        cell.add_paragraph(line)


def csv_text(rows: Sequence[Sequence[str]], sep: str = ",", newline: str = "\r\n") -> str:
    """Rows as Excel writes delimited text: a cell with the separator, a quote or a line break is quoted."""
    out = []
    for row in rows:
        cells = []
        for value in row:
            if any(ch in value for ch in (sep, '"', "\n", "\r")):
                value = '"' + value.replace('"', '""') + '"'
            cells.append(value)
        out.append(sep.join(cells))
    return newline.join(out) + newline


# ----------------------------------------------------------------------------------------- contact helpers


@dataclass
class People:
    """Hands out made-up contacts in a fixed order, so every file gets the same people each run."""

    start: int
    area_supporting: str
    area_supported: str
    _next: int = field(default=0, init=False)

    def take(self, school: str, supporting: bool) -> tuple[Contact, str, str, str]:
        """A contact for ``school`` (with title, landline and mobile) and its name, landline, mobile."""
        i = self.start + self._next
        self._next += 1
        area = self.area_supporting if supporting else self.area_supported
        name, tel, mob = person(i), landline(area, i), mobile(i)
        return Contact(school, name, (tel, mob), title(i)), name, tel, mob


# ---------------------------------------------------------------------------------------------- the files
# Each builder returns one RosterCase. Rows of errors are counted where Excel shows them.


def seed_text(name: str) -> str:
    """A seed notice's text (``../shared/seeds/<name>``)."""
    path = SHARED / "seeds" / name
    if not path.exists():
        raise FileNotFoundError(f"{path} is missing: the corpus is made from the seed notices in shared/seeds")
    return path.read_text(encoding="utf-8")


def _pengzhou_groups(stages: bool = False, contacts: dict[str, Contact] | None = None) -> tuple[Group, ...]:
    out = []
    for sup, dst, words in PENGZHOU:
        cs = tuple(contacts[s] for s in (*sup, dst) if contacts and s in contacts)
        out.append(Group(sup, (dst,), canonical_stages(words) if stages else (), cs))
    return tuple(out)


def _liuzhou_high_groups(stage: bool, contacts: dict[str, Contact] | None = None) -> list[Group]:
    return [
        Group((a,), (b,), ("普通高中",) if stage else (),
              tuple(contacts[s] for s in (a, b) if contacts and s in contacts))
        for a, b in LIUZHOU_HIGH
    ]  # fmt: skip


def _liuzhou_special_groups() -> list[Group]:
    return [Group((a,), (b,), ("特殊教育",), coordinator=LIUZHOU_LEAD) for a, b in LIUZHOU_SPECIAL]


def pengzhou_notice_txt() -> RosterCase:
    """Seed 000 as the clerk saves it from the bureau's site: the whole notice, pairing lines in prose."""
    text = seed_text("000_9a4dcc2d0c6779fe.txt")
    return RosterCase(
        "01_pengzhou_notice.txt", text.encode("utf-8"), _pengzhou_groups(),
        notes="Seed 000 verbatim (UTF-8). 14 pairing lines; line 3 is 2:1 and 九尺镇小学 inherits 彭州市. "
              "The prose gives no 学段 and no contacts. Headings and task lists are not pairs.",
    )  # fmt: skip


def pengzhou_notice_runs_docx() -> RosterCase:
    """Seed 000 typed into Word: numbered pairing lines, names split over runs by later edits."""
    doc = _new_doc()
    doc.add_paragraph("彭州市教育局")
    doc.add_paragraph("关于进一步加强“校校结对工作”的通知")
    doc.add_paragraph("一、调整结对学校")
    doc.add_paragraph("调整后的对口帮扶结对学校名单如下：")
    for n, (sup, dst, _) in enumerate(PENGZHOU, start=1):
        left = sup[0] + ("、" + sup[1].removeprefix("彭州市") if len(sup) > 1 else "")
        line = f"{n}．{left}与{dst}结对" + ("。" if n == len(PENGZHOU) else "；")
        p = doc.add_paragraph()
        # Word splits runs where a clerk corrected a character or pasted: cut inside the names.
        cuts = sorted({3 + n % 4, len(line) // 2, len(line) - 4})
        prev = 0
        for k, cut in enumerate([*cuts, len(line)]):
            run = p.add_run(line[prev:cut])
            run.bold = k == 1 and n % 3 == 0
            if k == 2:
                run.font.name = "宋体"
                run._element.rPr.rFonts.set(qn("w:eastAsia"), "宋体")
            prev = cut
    doc.add_paragraph("二、明确“校校结对工作”任务清单")
    doc.add_paragraph("（一）党建共建。结对学校党组织签订党建结对共建协议书。")
    return RosterCase(
        "02_pengzhou_notice_runs.docx", docx_bytes(doc), _pengzhou_groups(),
        notes="Word file with seed 000's pairing lines, numbered 1．…14．, each line cut into 4 runs inside "
              "the school names (bold / font changes). Line 3: 彭州市西郊小学、九尺镇小学 (prefix inherited).",
    )  # fmt: skip


def _pengzhou_sheet(
    ws: Worksheet, people: People, header: Sequence[str], contact_cell: Callable[[str, str, str, str], str],
    merged_group: bool, first_row: int,
) -> tuple[dict[str, Contact], int]:
    """彭州 pairs as rows from ``first_row``: one row per supporting school, the 2:1 group's 受援 cell merged."""
    contacts: dict[str, Contact] = {}
    for c, h in enumerate(header, start=1):
        ws.cell(row=first_row, column=c, value=h)
    r = first_row + 1
    for n, (sup, dst, words) in enumerate(PENGZHOU, start=1):
        c_dst, *dst_parts = people.take(dst, False)
        contacts[dst] = c_dst
        top = r
        for s in sup:
            c_sup, *sup_parts = people.take(s, True)
            contacts[s] = c_sup
            values = [str(n), s, contact_cell(c_sup.title, *sup_parts), dst, contact_cell(c_dst.title, *dst_parts),
                      "、".join(words)]  # fmt: skip
            for c, v in enumerate(values, start=1):
                if r == top or c in (2, 3):
                    ws.cell(row=r, column=c, value=v)
            r += 1
        if merged_group and r - top > 1:
            for c in (1, 4, 5, 6):
                ws.merge_cells(start_row=top, start_column=c, end_row=r - 1, end_column=c)
    return contacts, r


def pengzhou_merged_xlsx() -> RosterCase:
    """彭州's list as 人事科 keeps it: merged title, a 2:1 group whose 受援 cells are merged over two rows."""
    wb = Workbook()
    ws = wb.active
    ws.title = "结对名单"
    _title(ws, "彭州·黑水“校校结对”学校名单", 6)
    ws.cell(row=2, column=1, value="填报单位：彭州市教育局人事科　　　　　　　　2019年3月14日")
    ws.merge_cells("A2:F2")
    people = People(0, "028", "0837")
    contacts, r = _pengzhou_sheet(
        ws, people, ["序号", "支援学校", "联络员及电话", "受援学校", "联络员及电话", "学段"],
        lambda t, name, tel, mob: f"{name} {mob}", True, 3,
    )
    contacts = {k: Contact(c.school, c.name, (c.phones[1],)) for k, c in contacts.items()}
    ws.cell(row=r + 1, column=1, value="注：九年制学校学段填“小学、初中”。")
    ws.cell(row=r + 2, column=1, value="合计：14组，15所支援学校，14所受援学校。")
    _wrap(ws)
    return RosterCase(
        "03_pengzhou_merged.xlsx", xlsx_bytes(wb), _pengzhou_groups(True, contacts),
        notes="Merged title (A1:F1) and 填报单位 row; header on row 3; group 3 is two rows (6–7) whose 序号, "
              "受援学校, its 联络员 and 学段 cells are merged vertically: one 2:1 group. 联络员及电话 = name + "
              "mobile. 学段 '高中、初中' (row 4) names two stages. Footer 注/合计 rows are not pairs.",
    )  # fmt: skip


def pengzhou_contacts_xls() -> RosterCase:
    """The same list sent as an old .xls, 甲方/乙方 headers, contact cells on several lines (Alt+Enter)."""
    wb = Workbook()
    ws = wb.active
    ws.title = "Sheet1"
    _title(ws, "“校校结对”学校联络员及分管领导汇总表", 6)
    people = People(40, "028", "0837")
    contacts, _ = _pengzhou_sheet(
        ws, people, ["序号", "甲方（支援学校）", "甲方联络员", "乙方（受援学校）", "乙方联络员", "学段"],
        lambda t, name, tel, mob: f"{name}（{t}）\n{tel}\n{mob}", True, 2,
    )
    _wrap(ws)
    data = convert(xlsx_bytes(wb), ".xlsx", "xls:MS Excel 97")
    return RosterCase(
        "04_pengzhou_contacts.xls", data, _pengzhou_groups(True, contacts), deterministic=False,
        notes="Legacy .xls (BIFF8, LibreOffice export). Headers 甲方（支援学校）/乙方（受援学校）. Each contact "
              "cell: name（title）, landline, mobile on three lines. Group 3 = rows 5–6 merged on the 乙方 side.",
    )  # fmt: skip


def liuzhou_highschool_xlsx() -> RosterCase:
    """柳州's high-school table typed into Excel, starting at B3, contacts with title, landline and mobile."""
    wb = Workbook()
    ws = wb.active
    ws.title = "高中结对"
    _title(ws, "柳州市普通高中“市—县”结对帮扶安排表", 4, row=1, col=2)
    header = ["帮扶学校", "联系人及电话", "受援学校", "联系人及电话"]
    for c, h in enumerate(header, start=2):
        ws.cell(row=3, column=c, value=h)
    people = People(80, "0772", "0772")
    contacts: dict[str, Contact] = {}
    for r, (a, b) in enumerate(LIUZHOU_HIGH, start=4):
        ca, na, ta, ma = people.take(a, True)
        cb, nb, tb, mb = people.take(b, False)
        contacts[a], contacts[b] = ca, cb
        ws.cell(row=r, column=2, value=a)
        ws.cell(row=r, column=3, value=f"{na} {ca.title} {ta} {ma}")
        ws.cell(row=r, column=4, value=b)
        ws.cell(row=r, column=5, value=f"{nb}　{cb.title}　{tb}、{mb}")
    _wrap(ws)
    return RosterCase(
        "05_liuzhou_highschool.xlsx", xlsx_bytes(wb), tuple(_liuzhou_high_groups(True, contacts)),
        notes="Seed 001's 普通高中 table; table starts at B3 under a merged title that names the stage "
              "(普通高中). Contact cell = name, title, landline, mobile on one line (spaces, ideographic "
              "spaces or 、). Names exactly as the notice writes them (市一中 is not expanded).",
    )  # fmt: skip


def liuzhou_special_xlsx() -> RosterCase:
    """柳州's special-education table: a lead-school column merged down, a two-row header."""
    wb = Workbook()
    ws = wb.active
    ws.title = "特教"
    _title(ws, "柳州市特殊教育结对帮扶安排表", 4)
    ws["A2"], ws["B2"], ws["D2"] = "帮扶牵头指导学校", "县级结对帮扶安排", "备注"
    ws.merge_cells("A2:A3")
    ws.merge_cells("B2:C2")
    ws.merge_cells("D2:D3")
    ws["B3"], ws["C3"] = "帮扶学校", "受援学校"
    for r, (a, b) in enumerate(LIUZHOU_SPECIAL, start=4):
        ws.cell(row=r, column=2, value=a)
        ws.cell(row=r, column=3, value=b)
    ws["A4"] = LIUZHOU_LEAD
    ws.merge_cells("A4:A6")
    ws["D4"] = "市特教学校总牵头"
    _wrap(ws)
    return RosterCase(
        "06_liuzhou_special.xlsx", xlsx_bytes(wb), tuple(_liuzhou_special_groups()),
        notes="Two-row header: 帮扶牵头指导学校 (A2:A3 merged) | 县级结对帮扶安排 over 帮扶学校/受援学校. "
              "A4:A6 merged: 柳州市特殊教育学校 is the lead school (coordinator) of all three pairs, not a "
              "party: 3 groups 1:1, not one 1:3 group. Stage from the title: 特殊教育.",
    )  # fmt: skip


def _docx_table(doc: Any, rows: Sequence[Sequence[str | Sequence[str]]]) -> Any:
    table = doc.add_table(rows=len(rows), cols=len(rows[0]))
    table.style = "Table Grid"
    for r, row in enumerate(rows):
        for c, value in enumerate(row):
            _cell_lines(table.cell(r, c), [value] if isinstance(value, str) else list(value))
    return table


def _liuzhou_plan_doc(contacts: dict[str, Contact] | None, people: People | None) -> Any:
    doc = _new_doc()
    doc.add_paragraph("柳州市中小学（幼儿园）结对帮扶工作方案")
    doc.add_paragraph("4．“市—县”级的帮扶安排由帮扶县（区）与受援县（区）双方沟通协商确定。对口帮扶县（区）安排表如下：")
    _docx_table(doc, [["帮扶县区", "受援县区"], *[[a, b] for a, b in LIUZHOU_COUNTIES]])
    doc.add_paragraph("（三）建立普通高中的结对帮扶。由市局统筹安排市区内优质高中分别对口帮扶贫困县普通高中，"
                      "建立“市—县”结对帮扶，具体安排表如下：")  # fmt: skip
    rows: list[list[str | Sequence[str]]] = [["帮扶学校", "联系人及电话", "受援学校", "联系人及电话"]]
    for a, b in LIUZHOU_HIGH:
        if contacts is not None and people is not None:
            ca, na, ta, ma = people.take(a, True)
            cb, nb, tb, mb = people.take(b, False)
            contacts[a], contacts[b] = ca, cb
            rows.append([a, (f"{na}（{ca.title}）", ta, ma), b, (f"{nb}（{cb.title}）", tb, mb)])
        else:
            rows.append([a, "", b, ""])
    _docx_table(doc, rows)
    doc.add_paragraph("（四）建立特殊教育的结对帮扶。结合本市实际，由柳州市特殊教育学校总牵头帮扶，各县特殊教育学校"
                      "之间开展结对帮扶，具体安排表如下：")  # fmt: skip
    special: list[list[str | Sequence[str]]] = [["帮扶牵头指导学校", "县级结对帮扶安排", ""],
                                                ["", "帮扶学校", "受援学校"]]  # fmt: skip
    special += [[LIUZHOU_LEAD if i == 0 else "", a, b] for i, (a, b) in enumerate(LIUZHOU_SPECIAL)]
    t = _docx_table(doc, special)
    t.cell(0, 1).merge(t.cell(0, 2)).text = "县级结对帮扶安排"
    t.cell(0, 0).merge(t.cell(1, 0)).text = "帮扶牵头指导学校"
    t.cell(2, 0).merge(t.cell(4, 0)).text = LIUZHOU_LEAD
    doc.add_paragraph("三、结对帮扶工作的主要内容")
    return doc


def liuzhou_plan_docx() -> RosterCase:
    """柳州's 工作方案 as a Word file: three tables, the first of county bureaus (not a school roster)."""
    doc = _liuzhou_plan_doc(None, None)
    return RosterCase(
        "07_liuzhou_plan.docx", docx_bytes(doc),
        tuple(_liuzhou_high_groups(True) + _liuzhou_special_groups()),
        notes="Three tables in one Word file. Table 1 pairs county bureaus (帮扶县区/受援县区: 城中区→融安县 …): "
              "NOT schools, gives no groups. Table 2: 11 普通高中 pairs, contact columns empty as in the seed. "
              "Table 3: two-row header, lead school merged over the three special-education pairs "
              "(coordinator, not a party). Stages from the paragraphs above each table.",
    )  # fmt: skip


def liuzhou_plan_pdf() -> RosterCase:
    """The same plan with contacts filled, exported to PDF (born digital, text layer)."""
    contacts: dict[str, Contact] = {}
    doc = _liuzhou_plan_doc(contacts, People(120, "0772", "0772"))
    data = convert(docx_bytes(doc), ".docx", "pdf")
    return RosterCase(
        "08_liuzhou_plan.pdf", data, tuple(_liuzhou_high_groups(True, contacts) + _liuzhou_special_groups()),
        deterministic=False,
        notes="Digital PDF (LibreOffice export of a Word file like 07, contacts filled: name（title）, "
              "landline, mobile as three paragraphs per cell). County table again not a school roster.",
    )  # fmt: skip


def _jianshi_rows(people: People) -> tuple[list[Group], list[tuple[str, str, str, Contact, Contact]]]:
    groups, rows = [], []
    for a, b, word in JIANSHI:
        ca = people.take(a, True)[0]
        cb = people.take(b, False)[0]
        groups.append(Group((a,), (b,), canonical_stages([word]), (ca, cb)))
        rows.append((a, b, word, ca, cb))
    return groups, rows


def mobile_only(groups: Sequence[Group]) -> tuple[Group, ...]:
    """``groups`` with each contact keeping only its mobile (for files that give no landline)."""
    return tuple(
        Group(g.supporting, g.supported, g.stages, tuple(Contact(c.school, c.name, (c.phones[1],)) for c in g.contacts))
        for g in groups
    )


def jianshi_xlsx() -> RosterCase:
    """建始's 28 pairs: a 填表说明 cover sheet, stage sections split by blank rows, footer rows."""
    wb = Workbook()
    cover = wb.active
    cover.title = "填表说明"
    for r, line in enumerate(("填表说明：", "1. 每对结对学校填一行，学校名称请填全称。", "2. 联系电话请填手机号码。",
                              "3. 请于每月19日前报局扶贫办。"), start=1):  # fmt: skip
        cover.cell(row=r, column=1, value=line)
    ws = wb.create_sheet("结对名单")
    _title(ws, "滨江区·建始县学校结对帮扶名单（2019年）", 7)
    ws["A2"] = "（滨江区学校为支援学校，建始县学校为受援学校）"
    ws.merge_cells("A2:H2")
    header = ["序号", "支援学校（滨江区）", "联系人", "联系电话", "受援学校（建始县）", "联系人", "联系电话", "学段"]
    for c, h in enumerate(header, start=1):
        ws.cell(row=3, column=c, value=h)
    groups, rows = _jianshi_rows(People(200, "0571", "0718"))
    r, prev = 4, ""
    for n, (a, b, word, ca, cb) in enumerate(rows, start=1):
        if prev and word != prev:
            r += 1  # a blank row between stage sections
        prev = word
        # phones typed as numbers, as clerks do
        values: list[object] = [n, a, ca.name, int(ca.phones[1]), b, cb.name, int(cb.phones[1]), word]
        for c, v in enumerate(values, start=1):
            ws.cell(row=r, column=c, value=v)
        r += 1
    ws.cell(row=r, column=1, value="合计")
    ws.cell(row=r, column=2, value="28所")
    ws.cell(row=r, column=5, value="28所")
    ws.cell(row=r + 2, column=1, value="填报单位（盖章）：建始县教育局　　　填报人：谢明华　　　联系电话：0718-3222415")
    ws.cell(row=r + 3, column=1, value="注：1.学段按受援学校填写；2.此表同时报滨江区教育局。")
    _wrap(ws)
    return RosterCase(
        "09_jianshi_binjiang.xlsx", xlsx_bytes(wb), mobile_only(groups),
        notes="Made-up names (seed 002 gives only '28 所 … 28 所'). First sheet is a 填表说明 cover; the roster "
              "is on sheet 结对名单: merged title, a note row, header on row 3 with two plain 联系人/联系电话 "
              "pairs (each belongs to the school column on its left), blank rows between stage sections, "
              "phones stored as numbers, footer rows 合计 / 填报单位 (with the clerk's own phone) / 注 — "
              "the footer's person and phone are not a school's contact.",
    )  # fmt: skip


def jianshi_ods() -> RosterCase:
    """The same 28 pairs saved from WPS/LibreOffice as .ods, headers 帮扶方/受援方, no contacts."""
    wb = Workbook()
    ws = wb.active
    ws.title = "工作表1"
    for c, h in enumerate(["帮扶方", "受援方", "学段", "备注"], start=1):
        ws.cell(row=1, column=c, value=h)
    groups = []
    for r, (a, b, word) in enumerate(JIANSHI, start=2):
        ws.cell(row=r, column=1, value=a)
        ws.cell(row=r, column=2, value=b)
        ws.cell(row=r, column=3, value=word)
        groups.append(Group((a,), (b,), canonical_stages([word])))
    ws.cell(row=len(JIANSHI) + 2, column=4, value="以上为2019年调整后名单")
    data = convert(xlsx_bytes(wb), ".xlsx", "ods")
    return RosterCase(
        "10_jianshi_binjiang.ods", data, tuple(groups), deterministic=False,
        notes="OpenDocument spreadsheet (LibreOffice export). Header synonyms 帮扶方/受援方 at A1; a last row "
              "with only a 备注 cell is a note, not a pair.",
    )  # fmt: skip


def _jianshi_csv_rows(contact: Callable[[Contact], str]) -> tuple[list[list[str]], list[Group]]:
    rows = [["建始·滨江结对学校名单", "", "", "", "", ""],
            ["序号", "支援学校", "支援学校联系人", "受援学校", "受援学校联系人", "学段"]]  # fmt: skip
    groups, _ = _jianshi_rows(People(300, "0571", "0718"))
    for n, ((a, b, word), g) in enumerate(zip(JIANSHI, groups, strict=True), start=1):
        rows.append([str(n), a, contact(g.contacts[0]), b, contact(g.contacts[1]), word])
    return rows, groups


def jianshi_csv_bom() -> RosterCase:
    """Excel's 'CSV UTF-8' of the list: a BOM, CRLF, the title row kept with its empty commas."""
    def contact(c: Contact) -> str:
        return f"{c.name} {c.phones[1]}"

    rows, groups = _jianshi_csv_rows(contact)
    data = "\ufeff" + csv_text(rows)
    return RosterCase(
        "11_jianshi_utf8_bom.csv", data.encode("utf-8"), mobile_only(groups),
        notes="CSV UTF-8 with BOM, CRLF. Row 1 is the sheet's title followed by empty cells; header on row 2. "
              "联系人 cells are 'name mobile'.",
    )  # fmt: skip


def jianshi_csv_gbk() -> RosterCase:
    """Excel's plain 'CSV (逗号分隔)' on Chinese Windows: GBK; contact cells with commas and line breaks."""
    def contact(c: Contact) -> str:
        return f"{c.name}，{c.title}\n{c.phones[0]}\n{c.phones[1]}"

    rows, groups = _jianshi_csv_rows(contact)
    rows[1] = ["序号", "帮扶学校", "帮扶学校联系人", "被帮扶学校", "被帮扶学校联系人", "学段"]
    return RosterCase(
        "12_jianshi_gbk.csv", csv_text(rows).encode("gbk"), tuple(groups),
        notes="GBK (cp936) CSV. Headers 帮扶学校/被帮扶学校. Contact cells are quoted: 'name，title' then "
              "landline and mobile on their own lines inside the quotes.",
    )  # fmt: skip


def pengzhou_unicode_txt() -> RosterCase:
    """Excel's 'Unicode 文本': UTF-16LE with BOM, tab-separated; the 2:1 group in one cell with a trailing ；."""
    rows = [["序号", "支援学校", "受援学校", "学段", "联系人"]]
    people = People(360, "028", "0837")
    groups = []
    for n, (sup, dst, words) in enumerate(PENGZHOU, start=1):
        c = people.take(dst, False)[0]
        cell = "、".join([sup[0], *(s.removeprefix("彭州市") for s in sup[1:])])
        if len(sup) > 1:
            cell += "；"
        rows.append([str(n), cell, dst, "、".join(words), f"{c.name}\n{c.phones[1]}"])
        groups.append(Group(sup, (dst,), canonical_stages(words), (Contact(dst, c.name, (c.phones[1],)),)))
    text = "\ufeff" + csv_text(rows, sep="\t")
    return RosterCase(
        "13_pengzhou_unicode.txt", text.encode("utf-16-le"), tuple(groups),
        notes="UTF-16LE with BOM, tab-separated, CRLF (Excel 'Unicode 文本'). Row 4: '彭州市西郊小学、九尺镇小学；' "
              "(trailing ；; 九尺镇小学 inherits 彭州市). 联系人 is the 受援学校's liaison: name and mobile on two "
              "lines inside quotes.",
    )  # fmt: skip


def _heze_contacts() -> dict[str, Contact]:
    return {name: Contact(name, _nospace(head), (phone,)) for _, _, name, head, phone in HEZE}


def heze_list_xlsx() -> RosterCase:
    """菏泽's list as the notice prints it, a 支援学校 column added; 莱芜's school merged over its two rows."""
    wb = Workbook()
    ws = wb.active
    _title(ws, "菏泽被帮扶学校名单及帮扶学校", 7)
    for c, h in enumerate(["序号", "县市区", "学段", "学校名称", "负责人", "联系电话", "帮扶学校"], start=1):
        ws.cell(row=2, column=c, value=h)
    helpers = heze_helpers()
    contacts = _heze_contacts()
    for i, ((county, stage, name, head, phone), helper) in enumerate(zip(HEZE, helpers, strict=True)):
        r = i + 3
        for c, v in enumerate([i + 1, county, stage, name, head, int(phone)], start=1):
            ws.cell(row=r, column=c, value=v)
        if i < len(HEZE) - 1:
            ws.cell(row=r, column=7, value=helper)
    ws.merge_cells(start_row=len(HEZE) + 1, start_column=7, end_row=len(HEZE) + 2, end_column=7)
    ws.cell(row=len(HEZE) + 4, column=1, value="注：开发区、高新区学校由莱芜市实验中学一校帮扶两校。")
    _wrap(ws)
    groups = [Group((h,), (n,), canonical_stages([s]), (contacts[n],)) for (_, s, n, _, _), h in
              zip(HEZE[:-2], helpers, strict=False)]  # fmt: skip
    groups.append(Group((helpers[-1],), (HEZE[-2][2], HEZE[-1][2]), ("义务教育",), (contacts[HEZE[-2][2]],
                                                                                  contacts[HEZE[-1][2]])))  # fmt: skip
    return RosterCase(
        "14_heze_list.xlsx", xlsx_bytes(wb), tuple(groups),
        notes="Seed 003's list (学校名称 = the helped school; 负责人/联系电话 belong to it) plus a 帮扶学校 column "
              "(helping schools made up: the seed names only the cities). Justified cells as printed: '曹 县', "
              "'李 云', '赵 瑞'. Phones stored as numbers. G22:G23 merged: 莱芜市实验中学 helps two schools, one "
              "1:2 group. Header says 学校名称, not 受援学校: the side comes from the title and the 帮扶学校 column.",
    )  # fmt: skip


def heze_semicolon_csv() -> RosterCase:
    """A European-locale Excel's CSV: ';'-separated, UTF-8 without BOM, headers 甲方/乙方."""
    rows = [["序号", "甲方", "乙方", "学段", "乙方负责人", "乙方电话"]]
    helpers = heze_helpers()
    contacts = _heze_contacts()
    groups = []
    for i, ((_, stage, name, head, phone), helper) in enumerate(zip(HEZE, helpers, strict=True), start=1):
        rows.append([str(i), helper, name, stage, head, phone])
        groups.append(Group((helper,), (name,), canonical_stages([stage]), (contacts[name],)))
    return RosterCase(
        "15_heze_semicolon.csv", csv_text(rows, sep=";", newline="\n").encode("utf-8"), tuple(groups),
        notes="';'-separated, UTF-8, LF. Rows 21 and 22 share 甲方 莱芜市实验中学 but are separate rows with no "
              "merge and no 组号: two 1:1 groups. '李 云' keeps its justified space in the file.",
    )  # fmt: skip


def heze_stages_xlsx() -> RosterCase:
    """菏泽's high schools with 学段 lists ('高中、初中') and a 负责人及电话 cell; 结对学校 as the helper header."""
    wb = Workbook()
    ws = wb.active
    ws.title = "高中"
    for c, h in enumerate(["被帮扶学校", "学段", "负责人及电话", "结对学校（帮扶方）"], start=1):
        ws.cell(row=1, column=c, value=h)
    helpers = heze_helpers()
    groups = []
    r = 2
    for (_, stage, name, head, phone), helper in zip(HEZE, helpers, strict=True):
        if stage != "高中":
            continue
        words = ("高中", "初中") if name.endswith("第一中学") else ("高中",)
        for c, v in enumerate([name, "、".join(words), f"{_nospace(head)}  {phone}", helper], start=1):
            ws.cell(row=r, column=c, value=v)
        groups.append(Group((helper,), (name,), canonical_stages(words), (Contact(name, _nospace(head), (phone,)),)))
        r += 1
    _wrap(ws)
    return RosterCase(
        "16_heze_stages.xlsx", xlsx_bytes(wb), tuple(groups),
        notes="The 9 菏泽 high schools, helped school first. 学段 '高中、初中' for the 完全中学 (两个学段), "
              "'高中' otherwise. Helper column headed 结对学校（帮扶方）.",
    )  # fmt: skip


DONGGUAN = (("东华初级中学", "清溪中学", "清溪镇"), ("南城阳光实验中学", "谢岗中学", "谢岗镇"),
            ("长安实验中学", "洪梅中学", "洪梅镇"), ("虎门捷胜中学", "望牛墩中学", "望牛墩镇"),
            ("松山湖实验中学", "麻涌中学", "麻涌镇"), ("东城初级中学", "xxx中学", "xxx镇"))  # fmt: skip


def dongguan_docx() -> RosterCase:
    """东莞's 1+1 list as a Word table; one row still holds the template's 'xxx' placeholder."""
    doc = _new_doc()
    doc.add_paragraph("东莞市初中学校“1+1”结对帮扶学校名单")
    rows: list[list[str | Sequence[str]]] = [["序号", "支援学校", "受援学校", "受援学校所在镇街", "备注"]]
    groups = []
    for n, (a, b, town) in enumerate(DONGGUAN, start=1):
        rows.append([str(n), f"东莞市{a}", f"东莞市{b}", town, "三年（2024—2026）" if n == 1 else ""])
        if "xxx" not in b:
            groups.append(Group((f"东莞市{a}",), (f"东莞市{b}",), ("义务教育",)))
    _docx_table(doc, rows)
    doc.add_paragraph("（此表由市教育局基教科填写）")
    return RosterCase(
        "17_dongguan_1plus1.docx", docx_bytes(doc), tuple(groups),
        errors=(BadRow(7, "placeholder", table=1),),
        notes="Seed 004's '1+1' program (names made up in its style). Stage from the title (初中 → 义务教育). "
              "Table row 7 (counting the header as row 1) still says 东莞市xxx中学: a template placeholder, "
              "not a school — reported, not imported.",
    )  # fmt: skip


def pengzhou_bad_xlsx() -> RosterCase:
    """彭州's list with the mistakes clerks make; the valid rows must still import."""
    wb = Workbook()
    ws = wb.active
    ws.title = "名单"
    _title(ws, "校校结对学校名单（修改稿）", 6)
    for c, h in enumerate(["序号", "支援学校", "受援学校", "学段", "受援学校联系人", "联系电话"], start=1):
        ws.cell(row=2, column=c, value=h)
    people = People(420, "028", "0837")
    groups: list[Group] = []
    errors: list[BadRow] = []
    r = 3
    for n, (sup, dst, words) in enumerate(PENGZHOU, start=1):
        contact = people.take(dst, False)[0]
        phone = contact.phones[1]
        stage_cell = "、".join(words)
        stages = canonical_stages(words)
        if n == 6:
            phone = phone[:-1]  # ten digits: one lost while typing
            errors.append(BadRow(r, "phone"))
        if n == 9:
            stage_cell, stages = "职高", ()
            errors.append(BadRow(r, "unknown_stage"))
        for col, v in enumerate([str(n), "、".join(sup), dst, stage_cell, contact.name, phone], start=1):
            ws.cell(row=r, column=col, value=v)
        groups.append(Group(sup, (dst,), stages, (Contact(dst, contact.name, (phone,)),)))
        r += 1
        if n == 4:  # a pair whose 受援学校 was never filled in
            for col, v in enumerate(["5", "彭州市天彭镇小学", "", "小学", "", ""], start=1):
                ws.cell(row=r, column=col, value=v or None)
            errors.append(BadRow(r, "empty"))
            r += 1
        if n == 10:  # the same school typed on both sides
            for col, v in enumerate(["12", "彭州市致和镇小学", "彭州市致和镇小学", "小学"], start=1):
                ws.cell(row=r, column=col, value=v)
            errors.append(BadRow(r, "same_school"))
            r += 1
    # a pair pasted twice at the bottom, the second copy with a stray space
    for col, v in enumerate(["17", "彭州市濛阳小学", "黑水县 石碉楼小学", "小学"], start=1):
        ws.cell(row=r, column=col, value=v)
    errors.append(BadRow(r, "duplicate"))
    _wrap(ws)
    at = {e.kind: e.row for e in errors}
    return RosterCase(
        "18_pengzhou_bad_rows.xlsx", xlsx_bytes(wb), tuple(groups), tuple(errors),
        notes=f"彭州's 14 pairs plus bad rows: an empty 受援学校 (row {at['empty']}: 彭州市天彭镇小学 has no partner — "
              f"no group), the same school on both sides (row {at['same_school']} — no group), a ten-digit phone "
              f"(row {at['phone']}: the pair is real and stays, its phone is kept as written and reported), "
              f"学段 '职高' (row {at['unknown_stage']}: the pair stays, stage unknown), and group 13 pasted "
              f"again at the bottom with a space inside the name (row {at['duplicate']}: duplicate, imported "
              "once). Group 3's cell is '彭州市西郊小学、彭州市九尺镇小学'.",
    )  # fmt: skip


def heze_bad_csv() -> RosterCase:
    """菏泽's pairs as UTF-8 CSV with bad rows: placeholder, short phone, empty side, whitespace duplicate."""
    rows = [["序号", "帮扶学校", "被帮扶学校", "学段", "负责人", "联系电话"]]
    helpers = heze_helpers()
    groups: list[Group] = []
    errors: list[BadRow] = []
    for i, ((_, stage, name, head, phone), helper) in enumerate(zip(HEZE[:12], helpers, strict=False), start=1):
        if i == 5:
            phone = "0530-5612"
            errors.append(BadRow(len(rows) + 1, "phone"))
        rows.append([str(i), helper, name, stage, head, phone])
        groups.append(Group((helper,), (name,), canonical_stages([stage]), (Contact(name, _nospace(head), (phone,)),)))
        if i == 3:
            rows.append(["", "", "曹县第一初级中学", "初中", "", ""])
            errors.append(BadRow(len(rows), "empty"))
        if i == 8:
            rows.append(["9", "xxx学校", "成武县实验中学", "初中", "李 云", "18661510166"])
            errors.append(BadRow(len(rows), "placeholder"))
    rows.append(["13", helpers[2], "曹 县第一中学", "高中", "赵广雷", "15865105666"])
    errors.append(BadRow(len(rows), "duplicate"))
    at = {e.kind: e.row for e in errors}
    return RosterCase(
        "19_heze_bad_rows.csv", csv_text(rows).encode("utf-8"), tuple(groups), tuple(errors),
        notes=f"UTF-8 (no BOM) CSV of 12 菏泽 pairs with bad rows: row {at['empty']} has no 帮扶学校 (empty; no "
              f"group), row {at['phone']}'s phone 0530-5612 is too short (pair kept, phone kept as written, "
              f"reported), row {at['placeholder']}'s 帮扶学校 is the template placeholder 'xxx学校' (no group), "
              f"row {at['duplicate']} repeats row 4's pair with '曹 县第一中学' (duplicate).",
    )  # fmt: skip


def multi_in_cell_xlsx() -> RosterCase:
    """Several schools in one cell: 、，；/ and Alt+Enter, short names after the first, odd spaces."""
    wb = Workbook()
    ws = wb.active
    for c, h in enumerate(["支援学校", "受援学校", "学段", "备注"], start=1):
        ws.cell(row=1, column=c, value=h)
    rows = [
        ("杭州市滨江区闻涛小学、浦沿小学", "建始县高坪镇中心小学", "小学",
         (f"{_BJ}闻涛小学", f"{_BJ}浦沿小学"), ("建始县高坪镇中心小学",)),
        ("杭州市滨江区长河小学；西兴小学；", "建始县三里乡中心小学", "小学",
         (f"{_BJ}长河小学", f"{_BJ}西兴小学"), ("建始县三里乡中心小学",)),
        ("杭州市滨江区江南实验学校\n高新实验学校", "建始县民族实验中学", "初中",
         (f"{_BJ}江南实验学校", f"{_BJ}高新实验学校"), ("建始县民族实验中学",)),
        ("杭州市滨江区钱塘实验小学", "建始县花坪镇民族中心小学/三里乡中心小学", "小学",
         (f"{_BJ}钱塘实验小学",), ("建始县花坪镇民族中心小学", "建始县三里乡中心小学")),
        ("杭州市滨江区滨文小学", "建始县业州镇第一小学，第二小学", "小学",
         (f"{_BJ}滨文小学",), ("建始县业州镇第一小学", "建始县业州镇第二小学")),
        ("杭州市\u3000滨江区丹枫实验小学", "建始县官店镇\u00a0中心小学", "小学",
         (f"{_BJ}丹枫实验小学",), ("建始县官店镇中心小学",)),
        ("杭州市滨江区闻涛幼儿园、长河幼儿园、浦沿幼儿园", "建始县机关幼儿园", "幼儿园",
         (f"{_BJ}闻涛幼儿园", f"{_BJ}长河幼儿园", f"{_BJ}浦沿幼儿园"), ("建始县机关幼儿园",)),
        ("杭州市滨江区闻涛中学", "建始县业州镇初级中学、高坪镇初级中学\n花坪镇初级中学", "初中",
         (f"{_BJ}闻涛中学",), ("建始县业州镇初级中学", "建始县高坪镇初级中学", "建始县花坪镇初级中学")),
    ]  # fmt: skip
    groups = []
    for r, (a, b, word, sup, dst) in enumerate(rows, start=2):
        ws.cell(row=r, column=1, value=a)
        ws.cell(row=r, column=2, value=b)
        ws.cell(row=r, column=3, value=word)
        groups.append(Group(sup, dst, canonical_stages([word])))
    ws.cell(row=3, column=4, value="两校联合帮扶")
    _wrap(ws)
    return RosterCase(
        "20_multi_in_cell.xlsx", xlsx_bytes(wb), tuple(groups),
        notes="Made-up 建始·滨江 groups, several schools per cell separated by 、 ； / ， or Alt+Enter, with a "
              "trailing ；. Later names inherit the first name's administrative prefix down to the level they "
              "lack: '浦沿小学' → 杭州市滨江区浦沿小学, '高坪镇初级中学' → 建始县高坪镇初级中学, and '第二小学' (no "
              "unit at all) → 建始县业州镇第二小学 (the whole chain, town included). Row 7 has an ideographic "
              "space and a no-break space inside names (dropped).",
    )  # fmt: skip


def header_linebreaks_xlsx() -> RosterCase:
    """Headers typed with Alt+Enter, 帮扶学校/被帮扶学校 synonyms, the table at C5, extra columns."""
    wb = Workbook()
    ws = wb.active
    ws["A1"] = "附件2"
    _title(ws, "柳州市普通高中结对帮扶安排表", 7, row=2, col=3)
    ws["C3"] = "（各县区、局属高中于9月15日前报基础教育科）"
    header = ["序\n号", "帮扶\n学校", "联系人\n及电话", "被帮扶\n学校", "联系人\n及电话", "帮扶内容", "签约\n日期"]
    for c, h in enumerate(header, start=3):
        ws.cell(row=5, column=c, value=h)
    people = People(150, "0772", "0772")
    contacts: dict[str, Contact] = {}
    for i, (a, b) in enumerate(LIUZHOU_HIGH):
        _, na, _, ma = people.take(a, True)
        _, nb, _, mb = people.take(b, False)
        contacts[a] = Contact(a, na, (ma,))
        contacts[b] = Contact(b, nb, (mb,))
        values = [str(i + 1), a, f"{na}/{ma}", b, f"{nb}/{mb}", "管理帮扶、教师发展帮扶", "2016年9月28日"]
        for c, v in enumerate(values, start=3):
            ws.cell(row=6 + i, column=c, value=v)
    _wrap(ws)
    return RosterCase(
        "21_header_linebreaks.xlsx", xlsx_bytes(wb), tuple(_liuzhou_high_groups(True, contacts)),
        notes="Seed 001's high-school pairs. A1 '附件2', merged title at C2, a note at C3; header at C5 with "
              "line breaks inside cells ('帮扶\\n学校', '被帮扶\\n学校', '联系人\\n及电话'); contact cells "
              "'name/mobile'; extra columns 帮扶内容 and 签约日期 are not schools.",
    )  # fmt: skip


def two_row_header_xlsx() -> RosterCase:
    """支援学校 / 受援学校 each merged over 学校名称 | 联系人 | 联系电话 (菏泽 high schools)."""
    wb = Workbook()
    ws = wb.active
    ws["A1"], ws["B1"], ws["E1"], ws["H1"] = "序号", "支援学校", "受援学校", "学段"
    ws.merge_cells("A1:A2")
    ws.merge_cells("B1:D1")
    ws.merge_cells("E1:G1")
    ws.merge_cells("H1:H2")
    for c, h in enumerate(["学校名称", "联系人", "联系电话", "学校名称", "联系人", "联系电话"], start=2):
        ws.cell(row=2, column=c, value=h)
    people = People(170, "0531", "0530")
    helpers = heze_helpers()
    groups = []
    r = 3
    for (_, stage, name, head, phone), helper in zip(HEZE, helpers, strict=True):
        if stage != "高中":
            continue
        _, na, ta, _ = people.take(helper, True)
        values = [str(r - 2), helper, na, ta, name, head, phone, stage]
        for c, v in enumerate(values, start=1):
            ws.cell(row=r, column=c, value=v)
        groups.append(Group((helper,), (name,), ("普通高中",),
                            (Contact(helper, na, (ta,)), Contact(name, _nospace(head), (phone,)))))  # fmt: skip
        r += 1
    _wrap(ws)
    return RosterCase(
        "22_two_row_header.xlsx", xlsx_bytes(wb), tuple(groups),
        notes="Two-row header: 支援学校 (B1:D1) and 受援学校 (E1:G1) merged over 学校名称/联系人/联系电话; 序号 and "
              "学段 merged down (A1:A2, H1:H2). The 支援 side's phone is a landline with area code.",
    )  # fmt: skip


def two_row_header_xls() -> RosterCase:
    """A two-row header with five sub-columns per side, saved as legacy .xls (建始's high schools + 初中)."""
    wb = Workbook()
    ws = wb.active
    _title(ws, "建始县结对学校联络员名册", 12)
    ws["A2"], ws["B2"], ws["G2"], ws["L2"] = "序号", "支援学校", "受援学校", "学段"
    ws.merge_cells("A2:A3")
    ws.merge_cells("B2:F2")
    ws.merge_cells("G2:K2")
    ws.merge_cells("L2:L3")
    sub = ["学校名称", "联系人", "职务", "手机", "办公电话"]
    for c, h in enumerate(sub + sub, start=2):
        ws.cell(row=3, column=c, value=h)
    people = People(190, "0571", "0718")
    groups = []
    for i, (a, b, word) in enumerate(JIANSHI[16:], start=1):
        ca, na, ta, ma = people.take(a, True)
        cb, nb, tb, mb = people.take(b, False)
        values = [str(i), a, na, ca.title, ma, ta, b, nb, cb.title, mb, tb, word]
        for c, v in enumerate(values, start=1):
            ws.cell(row=3 + i, column=c, value=v)
        groups.append(Group((a,), (b,), canonical_stages([word]),
                            (Contact(a, na, (ma, ta), ca.title), Contact(b, nb, (mb, tb), cb.title))))  # fmt: skip
    _wrap(ws)
    return RosterCase(
        "23_two_row_header.xls", convert(xlsx_bytes(wb), ".xlsx", "xls:MS Excel 97"), tuple(groups),
        deterministic=False,
        notes="Legacy .xls. Merged title; two-row header, each side merged over 学校名称/联系人/职务/手机/办公电话 "
              "(contact = name + title, phones = mobile then landline). 12 建始·滨江 初中/高中 pairs (made-up "
              "names).",
    )  # fmt: skip


def contacts_multiline_docx() -> RosterCase:
    """彭州's list of 联络员 and 分管领导 in a Word table: a contact per cell, lines as paragraphs."""
    doc = _new_doc()
    doc.add_paragraph("彭州·黑水“校校结对”联络员及分管领导名单")
    rows: list[list[str | Sequence[str]]] = [["结对学校（支援）", "联络员", "结对学校（受援）", "联络员"]]
    people = People(460, "028", "0837")
    groups = []
    for sup, dst, _ in PENGZHOU:
        cd, nd, td, md = people.take(dst, False)
        sup_contacts = []
        for k, s in enumerate(sup):
            cs, ns, ts, ms = people.take(s, True)
            sup_contacts.append(cs)
            cell: list[str] = [f"{ns} {cs.title}", f"办公室：{ts}", f"手机：{ms}"]
            if k == 0:
                rows.append([s, cell, dst, [f"{nd} {cd.title}", f"办公室：{td}", f"手机：{md}"]])
            else:
                rows.append([s, cell, "", ""])
        groups.append(Group(sup, (dst,), (), (*sup_contacts, cd)))
    table = _docx_table(doc, rows)
    # group 3: the 受援 school and its liaison cells are merged over its two rows (rows 3 and 4 of the table)
    table.cell(3, 2).merge(table.cell(4, 2))
    table.cell(3, 3).merge(table.cell(4, 3))
    return RosterCase(
        "24_contacts_multiline.docx", docx_bytes(doc), tuple(groups),
        notes="Word table, headers 结对学校（支援）/结对学校（受援）, each 联络员 cell three paragraphs: 'name title', "
              "'办公室：landline', '手机：mobile'. Group 3's 受援 cells merged over its two supporting rows (2:1). "
              "No 学段 in the file.",
    )  # fmt: skip


def quoted_csv() -> RosterCase:
    """A CSV a script wrote: quoted cells holding commas, quotes and line breaks, one school list per cell."""
    rows = [["支援学校", "受援学校", "支援学校联系人", "受援学校联系电话", "备注"]]
    people = People(500, "028", "0837")
    groups = []
    for sup, dst, _ in PENGZHOU:
        cs = [people.take(s, True)[0] for s in sup]
        cd = people.take(dst, False)[0]
        rows.append(["\n".join(sup), dst, "、".join(f"{c.name}，{c.phones[1]}" for c in cs), cd.phones[0],
                     '含"互联网+"帮扶' if len(sup) > 1 else ""])  # fmt: skip
        contacts = tuple(Contact(c.school, c.name, (c.phones[1],)) for c in cs)
        groups.append(Group(sup, (dst,), (), (*contacts, Contact(dst, "", (cd.phones[0],)))))
    return RosterCase(
        "25_quoted.csv", csv_text(rows, newline="\n").encode("utf-8"), tuple(groups),
        notes="UTF-8 CSV, LF. Every 支援 cell and contact cell with a comma, quote or line break is quoted. "
              "Group 3 (row 4): two schools on two lines in one quoted cell, contacts 'name，mobile' for each in "
              "the same order separated by 、; 备注 with a doubled quote. 受援 side: a phone without a name "
              "(contact name '').",
    )  # fmt: skip


def liuzhou_notice_txt() -> RosterCase:
    """Seed 001 as text: the tables come out one cell per line, county table first."""
    text = seed_text("001_87613898c2fa54f0.txt")
    return RosterCase(
        "26_liuzhou_notice.txt", text.encode("utf-8"),
        tuple(_liuzhou_high_groups(True) + _liuzhou_special_groups()),
        notes="Seed 001 verbatim: tables as tab-indented cells one per line. The county table (帮扶县区/受援县区) "
              "pairs bureaus, not schools: no groups. 11 普通高中 pairs, then 3 特殊教育 pairs under the lead "
              "school 柳州市特殊教育学校 (coordinator, not a party). Stages from the section headings.",
    )  # fmt: skip


def merged_groups_xlsx() -> RosterCase:
    """1:3 and 3:1 groups drawn with merged cells, each school's contact on its own row."""
    wb = Workbook()
    ws = wb.active
    for c, h in enumerate(["支援学校", "支援学校联系人", "受援学校", "受援学校联系人", "联系电话"], start=1):
        ws.cell(row=1, column=c, value=h)
    people = People(540, "0571", "0718")
    plan = [  # (supporting, supported): 1:3, 3:1, 1:1
        ((f"{_BJ}闻涛中学",), ("建始县业州镇初级中学", "建始县高坪镇初级中学", "建始县花坪镇初级中学")),
        ((f"{_BJ}闻涛小学", f"{_BJ}浦沿小学", f"{_BJ}西兴小学"), ("建始县实验小学",)),
        ((f"{_BJ}滨和中学",), ("建始县三里乡初级中学",)),
    ]
    groups = []
    r = 2
    for sup, dst in plan:
        height = max(len(sup), len(dst))
        contacts = []
        for k in range(height):
            if k < len(sup):
                _, n, _, m = people.take(sup[k], True)
                ws.cell(row=r + k, column=1, value=sup[k])
                ws.cell(row=r + k, column=2, value=n)
                contacts.append(Contact(sup[k], n, ()))
            if k < len(dst):
                _, n, _, m = people.take(dst[k], False)
                ws.cell(row=r + k, column=3, value=dst[k])
                ws.cell(row=r + k, column=4, value=n)
                ws.cell(row=r + k, column=5, value=m)
                contacts.append(Contact(dst[k], n, (m,)))
        if len(sup) == 1 and height > 1:
            ws.merge_cells(start_row=r, start_column=1, end_row=r + height - 1, end_column=1)
            ws.merge_cells(start_row=r, start_column=2, end_row=r + height - 1, end_column=2)
        if len(dst) == 1 and height > 1:
            for col in (3, 4, 5):
                ws.merge_cells(start_row=r, start_column=col, end_row=r + height - 1, end_column=col)
        groups.append(Group(sup, dst, (), tuple(contacts)))
        r += height
    _wrap(ws)
    return RosterCase(
        "27_merged_groups.xlsx", xlsx_bytes(wb), tuple(groups),
        notes="Rows 2–4: 支援学校 and its 联系人 merged over three rows, one 受援学校 per row → one 1:3 group. Rows "
              "5–7: three 支援学校, 受援学校 and its contact merged → one 3:1 group. Row 8: 1:1. The merge is "
              "the only thing that makes the groups. Plain 联系电话 (E) follows the 受援 side.",
    )  # fmt: skip


BUILDERS: tuple[Callable[[], RosterCase], ...] = (
    pengzhou_notice_txt, pengzhou_notice_runs_docx, pengzhou_merged_xlsx, pengzhou_contacts_xls,
    liuzhou_highschool_xlsx, liuzhou_special_xlsx, liuzhou_plan_docx, liuzhou_plan_pdf, jianshi_xlsx, jianshi_ods,
    jianshi_csv_bom, jianshi_csv_gbk, pengzhou_unicode_txt, heze_list_xlsx, heze_semicolon_csv, heze_stages_xlsx,
    dongguan_docx, pengzhou_bad_xlsx, heze_bad_csv, multi_in_cell_xlsx, header_linebreaks_xlsx,
    two_row_header_xlsx, two_row_header_xls, contacts_multiline_docx, quoted_csv, liuzhou_notice_txt,
    merged_groups_xlsx,
)  # fmt: skip

#: The builders whose output does not depend on LibreOffice (and so reproduces byte for byte).
NON_DETERMINISTIC = frozenset({pengzhou_contacts_xls, liuzhou_plan_pdf, jianshi_ods, two_row_header_xls})


def build_corpus(deterministic_only: bool = False) -> list[RosterCase]:
    """Every corpus case, in file-name order; without LibreOffice's files when ``deterministic_only``."""
    chosen = [b for b in BUILDERS if not (deterministic_only and b in NON_DETERMINISTIC)]
    return sorted((b() for b in chosen), key=lambda c: c.name)


def write_corpus(out: Path, cases: Sequence[RosterCase]) -> None:
    """Write each case's file and ``<file>.expected.json`` into ``out``."""
    out.mkdir(parents=True, exist_ok=True)
    for case in cases:
        (out / case.name).write_bytes(case.data)
        (out / f"{case.name}.expected.json").write_bytes(expected_bytes(case))


def main(argv: Sequence[str] | None = None) -> int:
    """CLI: write the corpus, or with ``--check`` report which committed files differ."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("out", type=Path, help="folder, e.g. tests/rosters")
    parser.add_argument("--check", action="store_true", help="compare the reproducible files, write nothing")
    args = parser.parse_args(argv)
    if args.check:
        differ = [c.name for c in build_corpus(deterministic_only=True)
                  if (args.out / c.name).read_bytes() != c.data
                  or (args.out / f"{c.name}.expected.json").read_bytes() != expected_bytes(c)]  # fmt: skip
        for name in differ:
            print(f"differs: {name}")
        return 1 if differ else 0
    cases = build_corpus()
    write_corpus(args.out, cases)
    print(f"{len(cases)} files written to {args.out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
