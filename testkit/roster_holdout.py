"""A HOLDOUT corpus of messy pairing rosters: files the importer's authors did not tune against.

    python -m testkit.roster_holdout tests/rosters_holdout            # (re)write every file + expected result
    python -m testkit.roster_holdout tests/rosters_holdout --check    # do the reproducible files match?

Built independently of ``tests/rosters`` and its generator, from how clerks make and send rosters in
Excel, WPS, LibreOffice and Word, with the schools of the seed notices in ``../shared/seeds`` (柳州 001,
菏泽 003 as the seeds give them; 建始·滨江 002 and 东莞 004 made up in the seeds' style). Every
``<file>.expected.json`` is written here from the same :class:`Group` data the file is written from —
never from an importer's output. Format and decisions: ``tests/rosters/README.md`` (binding) and
``tests/rosters_holdout/README.md`` (what this corpus adds).

``.xls``, ``.ods`` and ``.pdf`` come from LibreOffice (:func:`testkit.office.convert`) and differ by a few
stamped bytes each run; every other file (and every expected result) reproduces byte for byte.
"""

from __future__ import annotations

import argparse
import csv
import io
import json
import random
import re
import sys
import zipfile
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any

from docx import Document
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from openpyxl import Workbook
from openpyxl.styles import Alignment, Border, Font, Side
from openpyxl.worksheet.worksheet import Worksheet

from testkit.office import convert
from testkit.shared import SHARED

#: The program's stages and the words that name them (tests/rosters/README.md, ``stage``).
STAGE_WORDS: dict[str, str] = {
    "幼儿园": "学前教育", "学前": "学前教育", "学前教育": "学前教育",
    "小学": "义务教育", "初中": "义务教育", "义务教育": "义务教育", "九年一贯制": "义务教育",
    "高中": "普通高中", "普通高中": "普通高中",
    "特教": "特殊教育", "特殊教育": "特殊教育",
}  # fmt: skip
STAGES = frozenset(STAGE_WORDS.values())
#: The kinds of bad row (tests/rosters/README.md, ``errors``).
ERROR_KINDS = frozenset({"empty", "same_school", "duplicate", "phone", "unknown_stage", "placeholder"})

FIXED_TIME = datetime(2019, 4, 23, 9, 30, 0)
ZIP_TIME = (2019, 4, 23, 9, 30, 0)
SEEDS = SHARED / "seeds"

Stage = str | tuple[str, ...] | None


# ------------------------------------------------------------------------------------------------ the data


@dataclass(frozen=True)
class Person:
    """A contact as the file writes them: name, phones exactly as typed, title when the file gives one."""

    name: str
    phones: tuple[str, ...] = ()
    title: str = ""


@dataclass(frozen=True)
class Group:
    """One pairing the file states, with full school names (prefixes completed, no whitespace)."""

    supporting: tuple[str, ...]
    supported: tuple[str, ...]
    stage: Stage = None
    people: tuple[tuple[str, Person], ...] = ()  # (school, person), supporting side first
    coordinator: str = ""

    def person(self, school: str) -> Person | None:
        """The contact given for ``school`` in this group, if any."""
        return next((p for s, p in self.people if s == school), None)


@dataclass
class Case:
    """One corpus file: its bytes, what it states, and what a clerk did to make it."""

    name: str
    data: bytes
    groups: list[Group]
    notes: str
    errors: list[dict[str, Any]] = field(default_factory=list)
    reproducible: bool = True
    did: str = ""  # the README table's "what the clerk did"


def expected_of(case: Case) -> dict[str, Any]:
    """The ``<file>.expected.json`` object of ``case`` (schema: tests/rosters/README.md)."""
    groups = []
    for g in case.groups:
        item: dict[str, Any] = {
            "supporting": list(g.supporting),
            "supported": list(g.supported),
            "stage": list(g.stage) if isinstance(g.stage, tuple) else g.stage,
            "contacts": [
                {"school": s, "name": p.name, "phones": list(p.phones), **({"title": p.title} if p.title else {})}
                for s, p in g.people
            ],
        }
        if g.coordinator:
            item["coordinator"] = g.coordinator
        groups.append(item)
    return {"file": case.name, "groups": groups, "errors": case.errors, "notes": case.notes}


def expected_bytes(case: Case) -> bytes:
    """The expected result as committed: UTF-8 JSON, one space indent, trailing newline."""
    return (json.dumps(expected_of(case), ensure_ascii=False, indent=1) + "\n").encode("utf-8")


# ------------------------------------------------------------------------------------- people and phones

SURNAMES = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐韦覃蒙廖莫谭田向邓彭"
GIVEN = "建华国平志强丽萍秀英玉兰海燕春梅文军立新晓东红霞永明德胜桂芳小勇光辉俊杰秋菊少华金凤"
MOBILE_PREFIXES = ("138", "139", "135", "136", "137", "150", "151", "152", "158", "159", "182", "187", "188",
                   "133", "153", "180", "189", "177", "199")  # fmt: skip


class People:
    """Deterministic made-up people and numbers for one file (the seed of ``random.Random`` is the file)."""

    def __init__(self, seed: str) -> None:
        self.rng = random.Random(seed)
        self.used: set[str] = set()

    def name(self) -> str:
        """A two- or three-character name not yet used in this file."""
        while True:
            given = "".join(self.rng.choice(GIVEN) for _ in range(self.rng.choice((1, 2, 2))))
            name = self.rng.choice(SURNAMES) + given
            if name not in self.used:
                self.used.add(name)
                return name

    def mobile(self, style: str = "plain") -> str:
        """An 11-digit mobile: ``plain`` 13907721234, ``dashed`` 139-0772-1234, ``spaced`` 139 0772 1234."""
        digits = self.rng.choice(MOBILE_PREFIXES) + "".join(self.rng.choice("0123456789") for _ in range(8))
        if style == "dashed":
            return f"{digits[:3]}-{digits[3:7]}-{digits[7:]}"
        if style == "spaced":
            return f"{digits[:3]} {digits[3:7]} {digits[7:]}"
        return digits

    def landline(self, area: str, style: str = "dash") -> str:
        """A landline of ``area``: ``dash`` 0772-7212345, ``paren`` (0772)7212345, ``ext`` 0772—7212345转8001."""
        # big cities (杭州, 东莞, 济南, 青岛) have eight-digit local numbers, the others seven
        size = 8 if area in ("0571", "0769", "0531", "0532") else 7
        local = self.rng.choice("2345678") + "".join(self.rng.choice("0123456789") for _ in range(size - 1))
        if style == "paren":
            return f"({area}){local}"
        if style == "ext":
            return f"{area}—{local}转80{self.rng.choice('0123456789')}{self.rng.choice('0123456789')}"
        return f"{area}-{local}"


# ------------------------------------------------------------------------------------- seeds and schools


def seed_text(prefix: str) -> str:
    """The text of seed notice ``prefix`` (``001``) from ``../shared/seeds``."""
    (path,) = sorted(SEEDS.glob(f"{prefix}_*.txt"))
    return path.read_text("utf-8")


def from_seed(prefix: str, names: Sequence[str]) -> list[str]:
    """``names``, after checking that seed ``prefix`` writes every one of them (the seed is the source)."""
    text = seed_text(prefix)
    missing = [n for n in names if n not in text]
    if missing:
        raise ValueError(f"seed {prefix} does not name {missing}")
    return list(names)


#: Seed 001 (柳州), （三） 普通高中 table: helper → helped, exactly as the notice writes them.
LIUZHOU_HIGH = list(zip(
    from_seed("001", ["柳州高中", "柳铁一中", "市一中", "市二中", "市铁二中", "市三中", "钢一中", "市民族高中",
                      "市六中", "市九中", "柳江中学"]),
    from_seed("001", ["融水中学", "三江高中", "三江民族高中", "融水民族高中", "柳城实验高中", "柳江实验高中",
                      "融安二中", "鹿寨中学", "柳城中学", "鹿寨实验高中", "融安高中"]), strict=True))  # fmt: skip
#: Seed 001, （四） 特殊教育 table: lead school, then helper → helped.
LIUZHOU_SPECIAL_LEAD = from_seed("001", ["柳州市特殊教育学校"])[0]
LIUZHOU_SPECIAL = list(zip(
    from_seed("001", ["柳江县特殊教育学校", "鹿寨县特殊教育学校", "融水县特殊教育学校"]),
    from_seed("001", ["融安县特殊教育学校", "柳城县特殊教育学校", "三江县特殊教育学校"]), strict=True))  # fmt: skip


@dataclass(frozen=True)
class HezeSchool:
    """One row of seed 003's 菏泽被帮扶学校名单, as the seed writes it (``曹 县``, ``李 云``)."""

    county: str
    stage: str
    name: str
    head: str
    phone: str


def heze_list() -> list[HezeSchool]:
    """The 21 rows of seed 003's list of helped schools, read from the seed."""
    rows = []
    for line in seed_text("003").splitlines():
        cells = line.split("\t")
        if len(cells) == 6 and cells[0].isdigit():
            rows.append(HezeSchool(cells[1], cells[2], cells[3], cells[4], cells[5]))
    if len(rows) != 21:
        raise ValueError(f"seed 003: expected 21 schools in the list, read {len(rows)}")
    return rows


#: Seed 003 names the helping *cities* only (9 help a 高中, 11 a 初中); the schools are made up in its style.
HEZE_HIGH_HELPERS = ["济南市历城区第一中学", "青岛市第十五中学", "淄博市临淄区第一中学", "东营市胜利第三中学",
                     "烟台市牟平区第一中学", "潍坊市坊子区第一中学", "济宁市兖州区第一中学", "泰安市岱岳区第一中学",
                     "威海市文登区第二中学"]  # fmt: skip
HEZE_JUNIOR_HELPERS = ["济南市历下区燕山学校", "青岛市崂山区第二中学", "淄博市张店区第八中学", "东营市东营区实验中学",
                       "烟台市芝罘区第十四中学", "潍坊市奎文区实验初级中学", "济宁市任城区实验初级中学",
                       "泰安市泰山区迎春学校", "威海市环翠区实验中学", "日照市东港区第一初级中学",
                       "莱芜市钢城区实验学校"]  # fmt: skip
HEZE_AREA = {"济南": "0531", "青岛": "0532", "淄博": "0533", "东营": "0546", "烟台": "0535", "潍坊": "0536",
             "济宁": "0537", "泰安": "0538", "威海": "0631", "日照": "0633", "莱芜": "0634"}  # fmt: skip


def nospace(text: str) -> str:
    """A name as the expected result holds it: no whitespace of any kind (README, whitespace decision)."""
    return re.sub(r"[\s\u3000\u00a0]+", "", text)


def heze_pairs() -> tuple[list[tuple[str, HezeSchool]], list[tuple[str, HezeSchool]]]:
    """(高中 pairs, 初中 pairs): a made-up helper for each of seed 003's helped schools, in the seed's order."""
    schools = heze_list()
    high = [s for s in schools if s.stage == "高中"]
    junior = [s for s in schools if s.stage == "初中"]
    return list(zip(HEZE_HIGH_HELPERS, high, strict=True)), list(zip(HEZE_JUNIOR_HELPERS, junior, strict=False))


#: 建始县 (seed 002) with 滨江区: seed 002 gives only "28 所学校与 28 所学校"; the schools are made up in its style
#: with real town names (业州镇, 高坪镇 …). (滨江 helper, 建始 helped, stage word).
JIANSHI = [
    ("杭州市滨江区西兴实验小学", "建始县业州镇第三小学", "小学"),
    ("杭州市滨江区长河小学", "建始县高坪镇中心小学", "小学"),
    ("杭州市滨江区浦沿小学", "建始县红岩寺镇中心小学", "小学"),
    ("杭州市滨江区缤纷小学", "建始县景阳镇中心小学", "小学"),
    ("杭州市滨江区江晖小学", "建始县官店镇中心小学", "小学"),
    ("杭州市滨江区丹枫实验小学", "建始县花坪镇民族小学", "小学"),
    ("杭州市滨江区闻涛实验学校", "建始县长梁乡中心小学", "小学"),
    ("杭州市滨江区东冠小学", "建始县茅田乡中心小学", "小学"),
    ("杭州市滨江区钱塘实验小学", "建始县龙坪乡中心小学", "小学"),
    ("杭州市滨江区彩虹小学", "建始县三里乡中心小学", "小学"),
    ("杭州市滨江区长河初级中学", "建始县高坪镇初级中学", "初中"),
    ("杭州市滨江区浦沿中学", "建始县红岩寺镇初级中学", "初中"),
    ("杭州市滨江区西兴中学", "建始县景阳镇民族中学", "初中"),
    ("杭州市滨江区江南实验学校", "建始县业州镇民族初级中学", "初中"),
    ("杭州市滨江区育才中学", "建始县官店镇初级中学", "初中"),
    ("杭州市滨江区滨和中学", "建始县花坪镇初级中学", "初中"),
    ("杭州市滨江区江边幼儿园", "建始县业州镇幼儿园", "幼儿园"),
    ("杭州市滨江区春波幼儿园", "建始县高坪镇中心幼儿园", "幼儿园"),
    ("杭州市滨江区星辰幼儿园", "建始县红岩寺镇中心幼儿园", "幼儿园"),
]

#: 东莞 (seed 004) "1+1": its list is a template; schools made up with real 镇街 names. (helper, helped).
DONGGUAN = [
    ("东莞市东城初级中学", "东莞市谢岗镇初级中学", "东城街道", "谢岗镇"),
    ("东莞市南城阳光中学", "东莞市清溪镇第二初级中学", "南城街道", "清溪镇"),
    ("东莞市莞城英华学校", "东莞市洪梅镇初级中学", "莞城街道", "洪梅镇"),
    ("东莞市长安实验中学", "东莞市望牛墩镇初级中学", "长安镇", "望牛墩镇"),
    ("东莞市虎门外语学校", "东莞市麻涌镇第二中学", "虎门镇", "麻涌镇"),
    ("东莞市厚街湖景中学", "东莞市沙田镇第一初级中学", "厚街镇", "沙田镇"),
    ("东莞市塘厦初级中学", "东莞市樟木头镇中学", "塘厦镇", "樟木头镇"),
    ("东莞市常平实验中学", "东莞市桥头镇第三初级中学", "常平镇", "桥头镇"),
    ("东莞市石龙第三中学", "东莞市企石镇初级中学", "石龙镇", "企石镇"),
    ("东莞市大朗镇第一中学", "东莞市中堂镇初级中学", "大朗镇", "中堂镇"),
]

#: 柳州's counties (seed 001 names the counties); their county-town and township schools are made up.
RONGSHUI = [
    ("融水苗族自治县第一小学", "融水苗族自治县和睦镇中心小学", "小学"),
    ("融水苗族自治县第二小学", "融水苗族自治县三防镇中心小学", "小学"),
    ("融水苗族自治县民族实验小学", "融水苗族自治县怀宝镇中心小学", "小学"),
    ("融水苗族自治县第二中学", "融水苗族自治县大浪镇初级中学", "初中"),
    ("融水苗族自治县实验幼儿园", "融水苗族自治县永乐镇中心幼儿园", "幼儿园"),
]
SANJIANG = [
    ("三江侗族自治县古宜镇中心小学", "三江侗族自治县八江镇中心小学", "小学"),
    ("三江侗族自治县民族实验学校", "三江侗族自治县林溪镇初级中学", "初中"),
    ("三江侗族自治县斗江镇中学", "三江侗族自治县良口乡初级中学", "初中"),
    ("三江侗族自治县机关幼儿园", "三江侗族自治县独峒镇中心幼儿园", "幼儿园"),
]
LUZHAI = [
    ("鹿寨县第一小学", "鹿寨县黄冕镇中心小学", "小学"),
    ("鹿寨县第二小学", "鹿寨县四排镇中心小学", "小学"),
    ("鹿寨县实验初级中学", "鹿寨县平山镇初级中学", "初中"),
    ("鹿寨县第二初级中学", "鹿寨县拉沟乡初级中学", "初中"),
]


# ---------------------------------------------------------------------------------------- file helpers


def fixed_zip(data: bytes) -> bytes:
    """``data`` (a zip) rewritten with every entry stamped :data:`ZIP_TIME`, so the bytes reproduce."""
    src = zipfile.ZipFile(io.BytesIO(data))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as dst:
        for info in src.infolist():
            fixed = zipfile.ZipInfo(info.filename, ZIP_TIME)
            fixed.compress_type = zipfile.ZIP_STORED if info.filename == "mimetype" else zipfile.ZIP_DEFLATED
            fixed.external_attr = 0o600 << 16
            body = src.read(info.filename)
            if info.filename == "docProps/core.xml":  # openpyxl stamps the save time here, whatever was set
                body = re.sub(rb"(<dcterms:modified[^>]*>)[^<]*", rb"\g<1>2019-04-23T09:30:00Z", body)
            dst.writestr(fixed, body)
    return out.getvalue()


def new_workbook() -> tuple[Workbook, Worksheet]:
    """A workbook stamped like one saved by a bureau PC (fixed author and dates)."""
    wb = Workbook()
    wb.properties.creator = "Administrator"
    wb.properties.lastModifiedBy = "Administrator"
    wb.properties.created = FIXED_TIME
    wb.properties.modified = FIXED_TIME
    ws = wb.active
    assert ws is not None
    return wb, ws


def save_workbook(wb: Workbook) -> bytes:
    """The workbook's bytes, reproducible."""
    out = io.BytesIO()
    wb.save(out)
    return fixed_zip(out.getvalue())


def put(ws: Worksheet, row: int, values: Sequence[object], col: int = 1) -> None:
    """Write ``values`` across ``row`` from column ``col`` (``None`` leaves a cell empty)."""
    for i, value in enumerate(values):
        if value is not None:
            ws.cell(row=row, column=col + i, value=value)


def title_row(ws: Worksheet, row: int, text: str, width: int, size: int = 14) -> None:
    """A bold title merged across ``width`` columns, as clerks center a table's title."""
    ws.cell(row=row, column=1, value=text).font = Font(name="宋体", size=size, bold=True)
    ws.cell(row=row, column=1).alignment = Alignment(horizontal="center", vertical="center", wrap_text=True)
    ws.merge_cells(start_row=row, start_column=1, end_row=row, end_column=width)


def csv_text(rows: Sequence[Sequence[object]], delimiter: str = ",") -> str:
    """Rows as Excel/WPS write a CSV: CRLF, quoting only where needed."""
    out = io.StringIO()
    csv.writer(out, delimiter=delimiter, lineterminator="\r\n").writerows(
        [["" if v is None else str(v) for v in row] for row in rows]
    )
    return out.getvalue()


def new_document() -> Any:
    """A Word document with fixed core properties and a CJK default font (python-docx's own sets none)."""
    doc = Document()
    props = doc.core_properties
    props.author = "Administrator"
    props.last_modified_by = "Administrator"
    props.created = FIXED_TIME
    props.modified = FIXED_TIME
    props.revision = 1
    style = doc.styles["Normal"]
    style.font.name = "仿宋"
    style.element.rPr.rFonts.set(qn("w:eastAsia"), "仿宋")
    return doc


def save_document(doc: Any) -> bytes:
    """The document's bytes, reproducible."""
    out = io.BytesIO()
    doc.save(out)
    return fixed_zip(out.getvalue())


def group(sup: str | Sequence[str], dst: str | Sequence[str], stage_word: str | None = None,
          people: Sequence[tuple[str, Person]] = (), coordinator: str = "", stage: Stage = None) -> Group:
    """A :class:`Group` from names as written (whitespace dropped) and a 学段 word as written."""
    sups = (sup,) if isinstance(sup, str) else tuple(sup)
    dsts = (dst,) if isinstance(dst, str) else tuple(dst)
    if stage is None and stage_word is not None:
        stage = STAGE_WORDS.get(stage_word)
    return Group(tuple(nospace(s) for s in sups), tuple(nospace(s) for s in dsts), stage,
                 tuple((nospace(s), p) for s, p in people), coordinator)  # fmt: skip


# ------------------------------------------------------------------------------------------------ files


def h01_liuzhou_wps_2level() -> Case:
    """WPS xlsx, seed 001's high-school pairs, 2-level merged header 校名/负责人/手机号码, phones as numbers."""
    name = "h01_liuzhou_wps_2level.xlsx"
    pp = People(name)
    wb, ws = new_workbook()
    ws.title = "Sheet1"
    title_row(ws, 1, "柳州市普通高中“市—县”结对帮扶学校及负责人名单", 8)
    put(ws, 2, ["序号", "帮扶学校", None, None, "受援学校", None, None, "备注"])
    put(ws, 3, [None, "校名", "负责人", "手机号码", "校名", "负责人", "手机号码", None])
    ws.merge_cells("A2:A3")
    ws.merge_cells("B2:D2")
    ws.merge_cells("E2:G2")
    ws.merge_cells("H2:H3")
    groups = []
    for i, (helper, helped) in enumerate(LIUZHOU_HIGH):
        row = 4 + i
        a, b = pp.name(), pp.name()
        # The clerk pasted some numbers from a phone book (typed as text with dashes); WPS turned the others
        # into numbers (stored as numbers, shown without separators).
        pa = pp.mobile("dashed" if i % 3 == 1 else "plain")
        pb = pp.mobile("plain")
        ca: object = pa if "-" in pa else int(pa)
        ws.cell(row=row, column=1, value=float(i + 1)).number_format = "0"
        put(ws, row, [helper, a, ca, helped, b, int(pb)], col=2)
        ws.cell(row=row, column=4).number_format = "0"
        ws.cell(row=row, column=7).number_format = "0"
        if i == 6:
            ws.cell(row=row, column=8, value="2016年9月调整")
        groups.append(group(helper, helped, stage="普通高中", people=[(helper, Person(a, (pa,))),
                                                                   (helped, Person(b, (pb,)))]))  # fmt: skip
    foot = 4 + len(LIUZHOU_HIGH) + 1
    ws.cell(row=foot, column=1, value="填报单位：柳州市教育局基础教育科　　　填报人：白克荣　　联系电话：2815945")
    ws.merge_cells(start_row=foot, start_column=1, end_row=foot, end_column=8)
    ws.freeze_panes = "A4"
    return Case(name, save_workbook(wb), groups,
                "Seed 001's 普通高中 table (its own school names, 市一中 stays 市一中) in a WPS-style sheet: merged "
                "title (states 普通高中 → stage of every pair), 序号 A2:A3 merged, 帮扶学校 B2:D2 and 受援学校 E2:G2 "
                "merged over 校名/负责人/手机号码, 备注 H2:H3. 序号 and most mobiles stored as numbers (number "
                "format 0), every third helper mobile typed as text 138-0771-2345. The footer row (填报单位/填报人/"
                "联系电话 2815945, the seed's own contact) belongs to no school. Contacts are made up.",
                did="WPS two-level merged header 帮扶学校/受援学校 over 校名/负责人/手机号码; phones as numbers and "
                    "as 139-0772-1234; footer 填报人")  # fmt: skip


def h02_jianshi_instructions() -> Case:
    """Header on row 8 after a merged instruction block; columns named by region; merged 学段 and 序号."""
    name = "h02_jianshi_instructions.xlsx"
    pp = People(name)
    wb, ws = new_workbook()
    ws.title = "结对学校名单"
    title_row(ws, 1, "滨江区·建始县学校结对帮扶名单（2019年）", 8, 16)
    ws.cell(row=2, column=1, value=(
        "填表说明：\n"
        "1．滨江区学校为帮扶学校，建始县学校为受援学校，请按学段分别填写；\n"
        "2．一所学校结对多所学校的，请合并单元格，不要重复填写学校名称；\n"
        "3．联系人为学校分管领导或联络员，联系电话请填写手机号码或办公电话（含区号）；\n"
        "4．学校名称请填写全称，与公章一致；\n"
        "5．请于3月20日前报县教育局扶贫办，电子版发送至工作群。"))  # fmt: skip
    ws.cell(row=2, column=1).alignment = Alignment(wrap_text=True, vertical="top")
    ws.merge_cells("A2:H7")
    put(ws, 8, ["序号", "学段", "滨江区结对学校", "联系人", "联系电话", "建始县结对学校", "联系人", "联系电话"])
    groups: list[Group] = []
    row = 9
    number = 1
    # (stage word, [(helper, [helped …])]); the second 小学 helper takes two schools (cells merged).
    sections = [
        ("小学", [(JIANSHI[0][0], [JIANSHI[0][1]]), (JIANSHI[1][0], [JIANSHI[1][1], JIANSHI[7][1]]),
                  (JIANSHI[2][0], [JIANSHI[2][1]]), (JIANSHI[3][0], [JIANSHI[3][1]])]),
        ("初中", [(JIANSHI[10][0], [JIANSHI[10][1]]), (JIANSHI[11][0], [JIANSHI[11][1], JIANSHI[15][1]]),
                  (JIANSHI[12][0], [JIANSHI[12][1]])]),
        ("幼儿园", [(JIANSHI[16][0], [JIANSHI[16][1]]), (JIANSHI[17][0], [JIANSHI[17][1]])]),
    ]  # fmt: skip
    for word, pairs in sections:
        first = row
        for helper, helped in pairs:
            top = row
            a = pp.name()
            pa = pp.landline("0571", "ext") if number % 3 == 0 else pp.mobile()
            people = [(helper, Person(a, (pa,)))]
            ws.cell(row=row, column=1, value=number)
            put(ws, row, [helper, a, pa], col=3)
            for school in helped:
                b = pp.name()
                pb = pp.landline("0718", "paren") if row % 4 == 0 else pp.mobile()
                put(ws, row, [school, b, pb], col=6)
                people.append((school, Person(b, (pb,))))
                row += 1
            if row - top > 1:  # one helper over several helped: 序号, school, contact, phone merged down
                for col in (1, 3, 4, 5):
                    ws.merge_cells(start_row=top, start_column=col, end_row=row - 1, end_column=col)
            groups.append(group(helper, helped, word, people))
            number += 1
        ws.cell(row=first, column=2, value=word)
        ws.merge_cells(start_row=first, start_column=2, end_row=row - 1, end_column=2)
    ws.cell(row=row + 1, column=1, value="建始县教育局扶贫办　　2019年3月")
    return Case(name, save_workbook(wb), groups,
                "Names made up in seed 002's style (real towns). Title row 1, a 填表说明 block merged over A2:H7 "
                "(it says 滨江区 schools help, 建始县 schools are helped), header on row 8 naming the columns by "
                "region (滨江区结对学校 / 建始县结对学校), never by role. 学段 merged down over each section "
                "(小学 → 义务教育, 初中 → 义务教育, 幼儿园 → 学前教育). Two 1:2 groups drawn by merging the helper's "
                "序号, school, 联系人 and 联系电话 cells over two rows; each helped school has its own contact. "
                "Phones: mobiles, (0718)xxxxxxx, 0571—xxxxxxx转80xx. Footer line after a blank row.",
                did="header on row 8 under a merged 填表说明 block; columns 滨江区结对学校/建始县结对学校; 学段 and "
                    "序号 merged; two 1:2 groups by merged cells")  # fmt: skip


def _county_sheet(ws: Worksheet, county: str, pairs: Sequence[tuple[str, str, str]], pp: People,
                  extra: Callable[[Worksheet, int], int] | None = None) -> list[Group]:
    """One county's sheet of the same template: title, header row 2, one pair per row from row 3."""
    title_row(ws, 1, f"{county}“县—乡”级中小学（幼儿园）结对帮扶安排表", 8)
    put(ws, 2, ["序号", "学段", "帮扶学校", "帮扶学校联系人", "联系电话", "受援学校", "受援学校联系人", "联系电话"])
    groups = []
    for i, (helper, helped, word) in enumerate(pairs):
        a, b = pp.name(), pp.name()
        pa, pb = pp.landline("0772", "dash"), pp.mobile()
        put(ws, 3 + i, [i + 1, word, helper, a, pa, helped, b, pb])
        groups.append(group(helper, helped, word, [(helper, Person(a, (pa,))), (helped, Person(b, (pb,)))]))
    return groups


def h03_liuzhou_counties() -> Case:
    """One sheet per county (all valid), a 汇总 pivot sheet first; one bad row on the 鹿寨县 sheet."""
    name = "h03_liuzhou_counties.xlsx"
    pp = People(name)
    wb, summary = new_workbook()
    summary.title = "汇总"
    groups: list[Group] = []
    counts = []
    for county, pairs in (("融水苗族自治县", RONGSHUI), ("三江侗族自治县", SANJIANG), ("鹿寨县", LUZHAI)):
        ws = wb.create_sheet(county.replace("苗族自治县", "县").replace("侗族自治县", "县"))
        got = _county_sheet(ws, county, pairs, pp)
        groups += got
        counts.append((county, len(got), len({g.supporting for g in got}), len({g.supported for g in got})))
    # 鹿寨县: a 1:2 row (two helped schools in one cell, the second inheriting 鹿寨县) and a bad row.
    ws = wb["鹿寨县"]
    row = 3 + len(LUZHAI)
    a, b1, b2 = pp.name(), pp.name(), pp.name()
    pa, pb1, pb2 = pp.landline("0772", "dash"), pp.mobile(), pp.mobile()
    put(ws, row, [row - 2, "小学", "鹿寨县实验小学", a, pa, "鹿寨县中渡镇中心小学、寨沙镇中心小学", f"{b1}、{b2}",
                  f"{pb1}、{pb2}"])  # fmt: skip
    groups.append(group("鹿寨县实验小学", ["鹿寨县中渡镇中心小学", "鹿寨县寨沙镇中心小学"], "小学",
                        [("鹿寨县实验小学", Person(a, (pa,))), ("鹿寨县中渡镇中心小学", Person(b1, (pb1,))),
                         ("鹿寨县寨沙镇中心小学", Person(b2, (pb2,)))]))  # fmt: skip
    bad = row + 1
    put(ws, bad, [bad - 2, "初中", "鹿寨县实验初级中学", pp.name(), pp.landline("0772"), "鹿寨县实验初级中学",
                  pp.name(), pp.mobile()])  # fmt: skip
    errors: list[dict[str, Any]] = [{"row": bad, "kind": "same_school", "sheet": "鹿寨县"}]
    counts[-1] = ("鹿寨县", counts[-1][1] + 1, counts[-1][2] + 1, counts[-1][3] + 2)
    title_row(summary, 1, "各县“县—乡”级结对帮扶情况汇总表", 5)
    put(summary, 2, ["县区", "结对组数", "帮扶学校（所）", "受援学校（所）", "备注"])
    for i, (county, n, sup, dst) in enumerate(counts):
        put(summary, 3 + i, [county, n, sup, dst])
    total = 3 + len(counts)
    put(summary, total, ["合计", f"=SUM(B3:B{total - 1})", f"=SUM(C3:C{total - 1})", f"=SUM(D3:D{total - 1})"])
    return Case(name, save_workbook(wb), groups,
                "Made-up county-town and township schools of seed 001's counties. Sheets in order: 汇总 (a pivot: "
                "县区 | 结对组数 | 帮扶学校（所） | 受援学校（所）, numbers and a 合计 row with formulas — a summary, "
                "neither groups nor errors), then 融水县, 三江县, 鹿寨县: the same template on every sheet (title, "
                "header row 2), all valid, groups expected from every sheet in sheet order. 学段 per row (小学/初中 → "
                "义务教育, 幼儿园 → 学前教育). 鹿寨县 row 7 holds two helped schools in one cell, the second "
                "inheriting 鹿寨县, with 联系人/联系电话 listed in the same order; row 8 names the same school on both "
                "sides (same_school on sheet 鹿寨县).",
                errors=errors,
                did="one sheet per county, all valid, after a 汇总 pivot sheet (not pairs); a 1:2 cell; one "
                    "same_school row")  # fmt: skip


def h04_heze_phones() -> Case:
    """菏泽 high schools (seed 003's names, heads and mobiles) with helpers' office phones in every format."""
    name = "h04_heze_phones.xlsx"
    pp = People(name)
    high, _ = heze_pairs()
    wb, ws = new_workbook()
    ws.title = "高中"
    title_row(ws, 1, "支持菏泽教育发展结对帮扶学校对接表（高中）", 9)
    put(ws, 2, ["序号", "帮扶市", "帮扶学校", "联系人", "办公电话", "手机", "被帮扶学校", "负责人", "联系电话"])
    styles = ("paren", "ext", "dash")
    groups = []
    for i, (helper, helped) in enumerate(high):
        city = helper[:2]
        a = pp.name()
        office = pp.landline(HEZE_AREA[city], styles[i % 3])
        mobile = pp.mobile("dashed" if i % 2 else "spaced")
        # The seed's head and mobile; the clerk wrote every other helped mobile 158-6510-5666 as well.
        written = helped.phone if i % 2 else f"{helped.phone[:3]}-{helped.phone[3:7]}-{helped.phone[7:]}"
        put(ws, 3 + i, [i + 1, f"{city}市", helper, a, office, mobile, helped.name, helped.head, written])
        groups.append(group(helper, helped.name, stage="普通高中",
                            people=[(helper, Person(a, (office, mobile))),
                                    (helped.name, Person(nospace(helped.head), (written,)))]))  # fmt: skip
    return Case(name, save_workbook(wb), groups,
                "Seed 003's nine 高中 (names, 负责人 and mobiles as the seed gives them; 曹 县/单 县 appear only "
                "in the seed's 县市区 column, not here); the helping cities are the seed's, their schools, contacts "
                "and numbers made up. Title says 高中 → 普通高中. Each helper contact has two phones in two columns "
                "(办公电话, 手机): landlines written (0531)xxxxxxx, 0532—xxxxxxx转80xx, 0533-xxxxxxx and mobiles "
                "139-0531-2345 or 139 0531 2345 — all valid numbers, kept as written. Headers 被帮扶学校/负责人.",
                did="phones written (0531)8812345, 0532—8591234转8001, 139-0531-2345, 139 0531 2345; two phone "
                    "columns for one contact")  # fmt: skip


def h05_jianshi_helper_rows() -> Case:
    """1:N and N:1 written as one filled row followed by rows whose school cell is empty, NOT merged."""
    name = "h05_jianshi_helper_rows.xlsx"
    pp = People(name)
    wb, ws = new_workbook()
    ws.title = "Sheet1"
    put(ws, 1, ["帮扶学校", "受援学校", "学段", "受援学校联系人", "联系电话", "备注"])
    rows: list[tuple[str, str, str]] = [
        (JIANSHI[4][0], JIANSHI[4][1], "小学"),
        (JIANSHI[5][0], JIANSHI[5][1], "小学"),
        (JIANSHI[6][0], JIANSHI[6][1], "小学"),  # the clerk's 1:3 starts here …
        ("", JIANSHI[8][1], "小学"),
        ("", JIANSHI[9][1], "小学"),
        (JIANSHI[13][0], JIANSHI[13][1], "初中"),
        (JIANSHI[14][0], JIANSHI[14][1], "初中"),  # … and a 2:1 here
        (JIANSHI[15][0], "", "初中"),
        (JIANSHI[18][0], JIANSHI[18][1], "幼儿园"),
    ]
    groups: list[Group] = []
    errors: list[dict[str, Any]] = []
    for i, (helper, helped, word) in enumerate(rows):
        row = 2 + i
        who, phone = pp.name(), pp.mobile()
        put(ws, row, [helper or None, helped or None, word, who, phone])
        if not helper or not helped:
            errors.append({"row": row, "kind": "empty"})
            continue
        groups.append(group(helper, helped, word, [(helped, Person(who, (phone,)))]))
    ws.cell(row=4, column=6, value="共帮扶3所学校")
    return Case(name, save_workbook(wb), groups,
                "Names made up in seed 002's style. Row 4 names a helper and its first helped school; rows 5–6 leave "
                "帮扶学校 EMPTY (not merged) — the clerk means one 1:3 group (备注 says 共帮扶3所学校). Row 8 names a "
                "helper and the helped school; row 9 names a second helper and leaves 受援学校 empty (meaning 2:1). "
                "Decision (tests/rosters/README.md: a group is bigger than 1:1 only by what the file draws — a "
                "merge, several names in one cell, a 组号 — and a row with an empty side gives no group): rows 4 "
                "and 8 are 1:1 groups, rows 5, 6 and 9 are `empty` errors, so the clerk is told and can merge the "
                "cells or fill them in. 受援学校联系人/联系电话 are the helped school's.",
                errors=errors,
                did="1:3 and 2:1 written as one full row then rows with the shared school cell EMPTY, not merged "
                    "(→ 1:1 + empty errors)")  # fmt: skip


def h06_dongguan_hidden_cols() -> Case:
    """Hidden empty columns, autofilter, frozen panes; title says 初中; 镇街 columns beside each school."""
    name = "h06_dongguan_hidden_cols.xlsx"
    pp = People(name)
    wb, ws = new_workbook()
    ws.title = "结对名单"
    title_row(ws, 1, "东莞市初中学校“1+1”结对帮扶名单", 11)
    ws.cell(row=2, column=1, value="填报单位（盖章）：东莞市教育局基础教育科　　　　　　　　2024年4月")
    ws.merge_cells("A2:K2")
    put(ws, 3, ["序号", "镇街", "支援学校", "支援学校党组织名称", "校长", "联系电话", None, "镇街", "受援学校", "校长",
                "联系电话"])  # fmt: skip
    groups = []
    for i, (helper, helped, town_a, town_b) in enumerate(DONGGUAN):
        a, b = pp.name(), pp.name()
        pa = pp.landline("0769", "dash")
        pb = pp.mobile()
        put(ws, 4 + i, [i + 1, town_a, helper, None, a, pa, None, town_b, helped, b, pb])
        groups.append(group(helper, helped, stage="义务教育", people=[(helper, Person(a, (pa,), "校长")),
                                                                   (helped, Person(b, (pb,), "校长"))]))  # fmt: skip
    for col in ("D", "G"):  # the template's 党组织 column and a spare column: empty, hidden
        ws.column_dimensions[col].hidden = True
    ws.auto_filter.ref = f"A3:K{3 + len(DONGGUAN)}"
    ws.freeze_panes = "A4"
    return Case(name, save_workbook(wb), groups,
                "Seed 004's 1+1 program; its list is a template, so the schools are made up with real 镇街 names. "
                "Title says 初中 → 义务教育. Row 2 is a 填报单位 line, header on row 3 with an autofilter; columns D "
                "(支援学校党组织名称, header only) and G (no header) are empty and hidden. The contact columns are "
                "headed 校长, so each contact's title is 校长.",
                did="hidden empty columns (one with a header, one without), autofilter, 填报单位 line above the "
                    "header, contacts headed 校长")  # fmt: skip


def h07_jianshi_wps_gbk_semicolon() -> Case:
    """WPS 'CSV' in GBK with ';', a title row, a 2:1 in one cell, a quoted cell holding ';'."""
    name = "h07_jianshi_wps_gbk_semicolon.csv"
    pp = People(name)
    rows: list[list[object]] = [["滨江区·建始县结对学校名单", "", "", "", "", "", "", ""],
                                ["序号", "帮扶学校", "联系人", "联系电话", "受援学校", "联系人", "联系电话", "学段"]]
    groups = []
    picks = [JIANSHI[i] for i in (0, 2, 3, 5, 11, 12, 17)]
    for i, (helper, helped, word) in enumerate(picks):
        a, b = pp.name(), pp.name()
        pa = pp.mobile()
        pb = pp.landline("0718", "paren")
        phones_b: tuple[str, ...] = (pb,)
        cell_b = pb
        if i == 2:  # the clerk typed office and mobile into one cell, separated by ';'
            second = pp.mobile()
            phones_b = (pb, second)
            cell_b = f"{pb};{second}"
        rows.append([i + 1, helper, a, pa, helped, b, cell_b, word])
        groups.append(group(helper, helped, word, [(helper, Person(a, (pa,))), (helped, Person(b, phones_b))]))
    # 2:1 in one cell: the second helper written short, inheriting 杭州市滨江区 (a name without any unit).
    a1, a2, b = pp.name(), pp.name(), pp.name()
    pa1, pa2, pb = pp.mobile(), pp.mobile(), pp.mobile()
    rows.append([len(picks) + 1, "杭州市滨江区钱塘实验小学、彩虹小学", f"{a1}、{a2}", f"{pa1}、{pa2}",
                 "建始县长梁乡中心小学", b, pb, "小学"])  # fmt: skip
    groups.append(group(["杭州市滨江区钱塘实验小学", "杭州市滨江区彩虹小学"], "建始县长梁乡中心小学", "小学",
                        [("杭州市滨江区钱塘实验小学", Person(a1, (pa1,))), ("杭州市滨江区彩虹小学", Person(a2, (pa2,))),
                         ("建始县长梁乡中心小学", Person(b, (pb,)))]))  # fmt: skip
    data = csv_text(rows, ";").encode("gbk")
    return Case(name, data, groups,
                "Names made up in seed 002's style. WPS 'CSV' from a European-locale list separator: GBK, ';', CRLF, "
                "the merged title exported as a first row of empty fields. Row 5 (line 5) has the helped school's "
                "office and mobile in one cell joined by ';', so the field is quoted. The last row is 2:1 in one "
                "cell: 杭州市滨江区钱塘实验小学、彩虹小学 (彩虹小学 has no unit, inherits 杭州市滨江区), contacts and "
                "phones listed in the same order. Helped landlines written (0718)xxxxxxx.",
                did="WPS csv, GBK, ';' separator, title row, quoted cell with ';', a 2:1 cell with prefix "
                    "inheritance")  # fmt: skip


def h08_heze_tab_gbk() -> Case:
    """Excel 'Text (Tab delimited)' on a Chinese PC: GBK, tabs, the seed's 初中 list beside made-up helpers."""
    name = "h08_heze_tab_gbk.txt"
    pp = People(name)
    _, junior = heze_pairs()
    lines = ["\t".join(["菏泽市被帮扶学校（初中）与帮扶学校对接表", *[""] * 9]),
             "\t".join(["序号", "县市区", "学段", "学校名称", "负责人", "联系电话", "帮扶城市", "帮扶学校",
                        "帮扶学校联系人", "联系电话"])]  # fmt: skip
    groups = []
    for i, (helper, helped) in enumerate(junior):
        a = pp.name()
        pa = pp.landline(HEZE_AREA[helper[:2]], "dash")
        lines.append("\t".join([str(i + 1), helped.county, helped.stage, helped.name, helped.head, helped.phone,
                                f"{helper[:2]}市", helper, a, pa]))  # fmt: skip
        groups.append(group(helper, helped.name, helped.stage,
                            [(helper, Person(a, (pa,))), (helped.name, Person(nospace(helped.head), (helped.phone,)))]))
    lines.append("\t".join(["注：高新区吕陵镇初级中学帮扶学校另行确定。", *[""] * 9]))
    data = ("\r\n".join(lines) + "\r\n").encode("gbk")
    unpaired = [s for s in heze_list() if s.stage == "初中"][len(junior):]
    assert [s.name for s in unpaired] == ["高新区吕陵镇初级中学"], unpaired
    return Case(name, data, groups,
                "Seed 003's 初中 rows (县市区 `曹 县`/`单 县`, 负责人 `李 云` as the seed writes them; names compared "
                "without spaces) with one made-up helper school per helping city (the seed names 11 cities for 12 "
                "初中). Excel 'Text (Tab delimited)' on a Chinese PC: GBK, CRLF, the merged title exported as a row "
                "with trailing tabs. 学校名称 is the helped school (the title says 被帮扶学校), 帮扶学校 the helper; "
                "负责人/联系电话 after 学校名称 are the helped school's, 帮扶学校联系人/联系电话 the helper's. "
                "学段 初中 → 义务教育. The last line is a 注 (the 12th school's helper is still to be decided): no "
                "group, no error.",
                did="Excel tab-delimited text in GBK; 学校名称 = helped school; a trailing 注 line")  # fmt: skip


def _cell_text(cell: Any, lines: Sequence[str], bold: bool = False) -> None:
    """Replace a Word cell's text by ``lines``, one paragraph each."""
    cell.text = ""
    first = cell.paragraphs[0]
    for i, line in enumerate(lines):
        par = first if i == 0 else cell.add_paragraph()
        run = par.add_run(line)
        run.bold = bold


def _set_header_repeat(row: Any) -> None:
    """Mark a Word table row as a header row (w:tblHeader), as 'repeat as header row' does."""
    tr_pr = row._tr.get_or_add_trPr()
    tr_pr.append(OxmlElement("w:tblHeader"))


def h09_jianshi_word_table() -> Case:
    """A Word table: merged title row inside the table, stage section rows, header typed again on page 2."""
    name = "h09_jianshi_word_table.docx"
    pp = People(name)
    doc = new_document()
    doc.add_paragraph("附件1")
    header = ["序号", "滨江区学校（帮扶）", "联系人及电话", "建始县学校（受援）", "联系人及电话"]
    sections = [("一、小学", "小学", JIANSHI[:10]), ("二、初中", "初中", JIANSHI[10:16]),
                ("三、幼儿园", "幼儿园", JIANSHI[16:])]  # fmt: skip
    table = doc.add_table(rows=0, cols=5)
    table.style = "Table Grid"
    title = table.add_row()
    merged = title.cells[0].merge(title.cells[4])
    _cell_text(merged, ["2019年滨江区·建始县学校结对名单"], bold=True)
    head = table.add_row()
    for cell, text in zip(head.cells, header, strict=True):
        _cell_text(cell, [text], bold=True)
    _set_header_repeat(title)
    groups = []
    number = 0
    for heading, word, pairs in sections:
        row = table.add_row()
        _cell_text(row.cells[0].merge(row.cells[4]), [heading], bold=True)
        for helper, helped, _ in pairs:
            number += 1
            if number == 15:  # where the table runs onto page 2 the clerk typed the header row again
                again = table.add_row()
                for cell, text in zip(again.cells, header, strict=True):
                    _cell_text(cell, [text], bold=True)
            a, b = pp.name(), pp.name()
            pa = pp.mobile()
            pb_land, pb_mob = pp.landline("0718", "dash"), pp.mobile()
            row = table.add_row()
            _cell_text(row.cells[0], [str(number)])
            _cell_text(row.cells[1], [helper])
            _cell_text(row.cells[2], [f"{a} {pa}"])
            _cell_text(row.cells[3], [helped])
            _cell_text(row.cells[4], [b, pb_land, pb_mob])  # name, office, mobile on three lines
            groups.append(group(helper, helped, word, [(helper, Person(a, (pa,))),
                                                       (helped, Person(b, (pb_land, pb_mob)))]))  # fmt: skip
    doc.add_paragraph("")
    doc.add_paragraph("建始县教育局扶贫办联系人：向丽萍　联系电话：0718-3212345")
    return Case(name, save_document(doc), groups,
                "Names made up in seed 002's style. One Word table: row 1 is a title merged across all five columns "
                "(inside the table), row 2 the header (滨江区学校（帮扶） | 联系人及电话 | 建始县学校（受援） | "
                "联系人及电话), then section rows merged across the table (一、小学 / 二、初中 / 三、幼儿园: the stage "
                "of the pairs below them, like a section heading) and the pairs. Before pair 15 the clerk typed the "
                "header row again (where the table breaks onto page 2): a header, neither group nor error. Helper "
                "contact `name mobile` on one line; helped contact name, office and mobile as three paragraphs. "
                "The contact line under the table belongs to no school.",
                did="Word table with a merged title row inside it, merged stage section rows, the header row "
                    "typed again mid-table (page 2)")  # fmt: skip


def h10_jianshi_prose() -> Case:
    """Word prose pairing lines as clerks write them other than 'A与B结对' (seed 004 writes 'A 帮扶B')."""
    name = "h10_jianshi_prose.docx"
    doc = new_document()
    doc.add_paragraph("滨江区·建始县2019年学校结对帮扶安排").runs[0].bold = True
    doc.add_paragraph("各镇中心学校、县直校（园）：")
    doc.add_paragraph("根据《滨江区·建始县2019年东西部扶贫协作工作计划》，经两地教育局协商，现将2019年学校结对帮扶"
                      "安排通知如下。")  # fmt: skip
    doc.add_paragraph("一、结对学校")
    # (line as written, supporting, supported); every name here is written in full except where noted.
    lines: list[tuple[str, list[str], list[str]]] = [
        (f"1．{JIANSHI[0][0]}对口帮扶{JIANSHI[0][1]}；", [JIANSHI[0][0]], [JIANSHI[0][1]]),
        (f"2．由{JIANSHI[10][0]}帮扶{JIANSHI[10][1]}；", [JIANSHI[10][0]], [JIANSHI[10][1]]),
        (f"3．{JIANSHI[2][0]}——{JIANSHI[2][1]}", [JIANSHI[2][0]], [JIANSHI[2][1]]),
        (f"4．{JIANSHI[16][0]}结对帮扶{JIANSHI[16][1]}；", [JIANSHI[16][0]], [JIANSHI[16][1]]),
        ("5．杭州市滨江区闻涛实验学校对口帮扶建始县花坪镇民族小学、长梁乡中心小学；",
         ["杭州市滨江区闻涛实验学校"], ["建始县花坪镇民族小学", "建始县长梁乡中心小学"]),
        (f"6．{JIANSHI[3][0]} 帮扶 {JIANSHI[3][1]}", [JIANSHI[3][0]], [JIANSHI[3][1]]),
        (f"7．{JIANSHI[12][0]}与{JIANSHI[12][1]}结对。", [JIANSHI[12][0]], [JIANSHI[12][1]]),
    ]
    for text, _, _ in lines:
        par = doc.add_paragraph()
        # Word splits text into runs where the clerk edited: cut each line inside its first name.
        cut = text.index("区") + 2 if "区" in text else 3
        par.add_run(text[:cut])
        par.add_run(text[cut:])
    doc.add_paragraph("二、工作要求")
    doc.add_paragraph("（一）帮扶学校每学期到受援学校开展一次学术报告、专题讲座或优质课展示等支教活动。")
    doc.add_paragraph("（二）滨江区结对学校与建始县结对学校每月互通一次工作情况，结对帮扶工作纳入年度考评。")
    doc.add_paragraph("联系人：向丽萍，联系电话：0718-3212345。")
    doc.add_paragraph("建始县教育局")
    doc.add_paragraph("2019年4月23日")
    groups = [group(s, d) for _, s, d in lines]
    return Case(name, save_document(doc), groups,
                "Names made up in seed 002's style. A Word notice whose pairing lines are written as clerks write "
                "them besides `A与B结对`: `A对口帮扶B；`, `由A帮扶B；`, `A——B` (a dash list), `A结对帮扶B；`, `A对口"
                "帮扶B、C；` (1:2, 长梁乡中心小学 inherits 建始县), `A 帮扶 B` (seed 004 writes `北台中心小学 帮扶岸上"
                "小学`), and one `A与B结对。`. Only the last is in the documented prose grammar (docs/roster.md: "
                "`A与B结对`); the others are not — they are here because notices write them. Lines are numbered "
                "`1．` and cut into two runs inside the first name. Body lines under 二、工作要求 mention 帮扶学校/受援"
                "学校/结对 but are not pairs; the contact line belongs to no school. No stage is stated.",
                did="Word prose: `A对口帮扶B`, `由A帮扶B`, `A——B`, `A结对帮扶B`, `A 帮扶 B` (seed 004), one "
                    "`A与B结对。`; body text with 帮扶 words")  # fmt: skip


def _luzhai_kindergarten_xlsx(pp: People) -> tuple[bytes, list[Group]]:
    """The xlsx the PDF is printed from: 鹿寨县 县—乡 学前教育 pairs, landscape, fit to page."""
    wb, ws = new_workbook()
    ws.title = "学前教育"
    title_row(ws, 1, "鹿寨县“县—乡”级学前教育结对帮扶安排表", 7)
    put(ws, 2, ["序号", "帮扶幼儿园", "联系人", "联系电话", "受援幼儿园", "联系人", "联系电话"])
    pairs = [("鹿寨县机关幼儿园", "鹿寨县中渡镇中心幼儿园"), ("鹿寨县第二幼儿园", "鹿寨县寨沙镇中心幼儿园"),
             ("鹿寨县实验幼儿园", "鹿寨县平山镇中心幼儿园"), ("鹿寨县城南幼儿园", "鹿寨县黄冕镇中心幼儿园"),
             ("鹿寨县鹿寨镇中心幼儿园", "鹿寨县四排镇中心幼儿园"), ("鹿寨县江口幼儿园", "鹿寨县拉沟乡中心幼儿园")]
    groups = []
    for i, (helper, helped) in enumerate(pairs):
        a, b = pp.name(), pp.name()
        pa, pb = pp.landline("0772", "dash"), pp.mobile()
        put(ws, 3 + i, [i + 1, helper, a, pa, helped, b, pb])
        groups.append(group(helper, helped, stage="学前教育",
                            people=[(helper, Person(a, (pa,))), (helped, Person(b, (pb,)))]))  # fmt: skip
    thin = Side(style="thin")
    for row in ws.iter_rows(min_row=2, max_row=2 + len(pairs), max_col=7):
        for cell in row:
            cell.border = Border(left=thin, right=thin, top=thin, bottom=thin)
    for col, width in zip("ABCDEFG", (6, 26, 10, 16, 28, 10, 16), strict=True):
        ws.column_dimensions[col].width = width
    ws.page_setup.orientation = "landscape"
    ws.page_setup.fitToWidth = 1
    ws.sheet_properties.pageSetUpPr.fitToPage = True
    return save_workbook(wb), groups


def h11_luzhai_pdf(office: bool = True) -> Case:
    """A PDF exported from an xlsx (LibreOffice): 鹿寨县 kindergartens, headers 帮扶幼儿园/受援幼儿园."""
    name = "h11_luzhai_kindergarten.pdf"
    xlsx, groups = _luzhai_kindergarten_xlsx(People(name))
    return Case(name, convert(xlsx, ".xlsx", "pdf") if office else xlsx, groups,
                "Made-up kindergartens of seed 001's 鹿寨县; the xlsx (title, grid lines, landscape, fit to width) "
                "exported to a digital PDF by LibreOffice. Headers 帮扶幼儿园/受援幼儿园 (a kindergarten list names "
                "its columns so). Title says 学前教育.",
                reproducible=False,
                did="digital PDF exported from an xlsx; headers 帮扶幼儿园/受援幼儿园")  # fmt: skip


def h12_sanjiang_ods(office: bool = True) -> Case:
    """An .ods saved by LibreOffice with merged cells: a 1:3 helper merge and a 2:1 helped merge."""
    name = "h12_sanjiang_merged.ods"
    pp = People(name)
    wb, ws = new_workbook()
    ws.title = "乡村结对"
    title_row(ws, 1, "三江侗族自治县“乡—村”级小学结对帮扶安排表", 6)
    ws.cell(row=2, column=1, value="（小学）")
    put(ws, 3, ["学段", "帮扶学校", "帮扶学校联系人", "受援学校", "受援学校联系人", "受援学校联系电话"])
    blocks: list[tuple[list[str], list[str]]] = [
        (["三江侗族自治县古宜镇中心小学"], ["三江侗族自治县古宜镇寨准村小学", "三江侗族自治县古宜镇大寨村小学",
                                           "三江侗族自治县古宜镇龙吉村小学"]),
        (["三江侗族自治县八江镇中心小学", "三江侗族自治县林溪镇中心小学"], ["三江侗族自治县八江镇布央村小学"]),
        (["三江侗族自治县独峒镇中心小学"], ["三江侗族自治县独峒镇干冲村小学"]),
        (["三江侗族自治县良口乡中心小学"], ["三江侗族自治县良口乡和里村小学"]),
    ]  # fmt: skip
    groups = []
    row = 4
    for helpers, helped in blocks:
        top = row
        people: list[tuple[str, Person]] = []
        n = max(len(helpers), len(helped))
        for k in range(n):
            ws.cell(row=row + k, column=1, value="小学" if k == 0 else None)
        for k, school in enumerate(helpers):
            a = pp.name()
            put(ws, row + k, [school, a], col=2)
            people.append((school, Person(a)))
        for k, school in enumerate(helped):
            b, pb = pp.name(), pp.mobile()
            put(ws, row + k, [school, b, pb], col=4)
            people.append((school, Person(b, (pb,))))
        row += n
        if n > 1:
            ws.merge_cells(start_row=top, start_column=1, end_row=row - 1, end_column=1)
            cols = (2, 3) if len(helpers) == 1 else (4, 5, 6)
            for col in cols:
                ws.merge_cells(start_row=top, start_column=col, end_row=row - 1, end_column=col)
        groups.append(group(helpers, helped, "小学", people))
    ods = convert(save_workbook(wb), ".xlsx", "ods") if office else save_workbook(wb)
    return Case(name, ods, groups,
                "Made-up schools of seed 001's 三江县 (real town names, invented 村小). Saved by LibreOffice as .ods. "
                "Title row, a `（小学）` line, header row 3. Rows 4–6: the helper and its contact merged over three "
                "rows, each 村小 with its own contact → one 1:3 group. Rows 7–8: two helpers on their own rows, the "
                "helped school and its contact merged over both → one 2:1 group. 学段 merged over each group: 小学 "
                "→ 义务教育. Helper contacts have no phone.",
                reproducible=False,
                did=".ods from LibreOffice; a 1:3 and a 2:1 drawn by merged cells; merged 学段")  # fmt: skip


def h13_heze_bad_rows() -> Case:
    """Every kind of bad row among valid 菏泽 rows."""
    name = "h13_heze_bad_rows.xlsx"
    pp = People(name)
    high, junior = heze_pairs()
    wb, ws = new_workbook()
    ws.title = "Sheet1"
    title_row(ws, 1, "支持菏泽教育发展结对帮扶学校名单（汇总）", 8)
    put(ws, 2, ["序号", "学段", "帮扶学校", "联系人", "联系电话", "被帮扶学校", "负责人", "联系电话"])
    groups: list[Group] = []
    errors: list[dict[str, Any]] = []
    row = 3

    def add(word: str, helper: str, helped: str, head: str, phone: str, kind: str | None = None,
            helper_phone: str | None = None, counts: bool = True) -> None:
        nonlocal row
        a = pp.name()
        pa = helper_phone or pp.mobile()
        put(ws, row, [row - 2, word, helper or None, a, pa, helped or None, head or None, phone or None])
        if kind:
            errors.append({"row": row, "kind": kind})
        if counts:
            stage = None if kind == "unknown_stage" else STAGE_WORDS[word]
            groups.append(group(helper, helped, stage=stage, people=[(helper, Person(a, (pa,))),
                                                                    (helped, Person(nospace(head), (phone,)))]))
        row += 1

    for helper, s in high[:4]:
        add("高中", helper, s.name, s.head, s.phone)
    add("高中", high[4][0], "", "", "", kind="empty", counts=False)
    add("高中", high[5][0], high[5][0], "", "", kind="same_school", counts=False)
    add("高中", high[6][0], high[6][1].name, high[6][1].head, high[6][1].phone, kind="phone",
        helper_phone="1386530123")  # ten digits: the clerk dropped one
    for helper, s in junior[:3]:
        add("初中", helper, s.name, s.head, s.phone)
    # the same pair as the second 初中 row again, the helper typed with an ideographic space inside
    dup_helper, dup = junior[1]
    add("初中", dup_helper.replace("区", "区\u3000", 1), dup.name, dup.head, dup.phone, kind="duplicate", counts=False)
    add("中职", junior[3][0], junior[3][1].name, junior[3][1].head, junior[3][1].phone, kind="unknown_stage")
    add("初中", "**学校", junior[4][1].name, junior[4][1].head, junior[4][1].phone, kind="placeholder", counts=False)
    add("初中", junior[5][0], junior[5][1].name, junior[5][1].head, junior[5][1].phone)
    return Case(name, save_workbook(wb), groups,
                "Seed 003's helped schools, heads and mobiles; helpers made up. Bad rows: 7 empty 被帮扶学校 (empty); "
                "8 the same school on both sides (same_school); 9 a helper phone of ten digits 1386530123 (phone — "
                "the pair still imports, the number kept as written); 13 the pair of row 11 again with U+3000 "
                "inside the helper's name (duplicate); 14 学段 中职 (unknown_stage — the pair imports with stage "
                "null); 15 the helper cell still `**学校` (placeholder; seed 004 writes `*******小学`). Rows 3–6, 10–"
                "12 and 16 are valid.",
                errors=errors,
                did="one bad row of each kind: empty, same_school, ten-digit phone, duplicate with U+3000 inside, "
                    "中职, `**学校`")  # fmt: skip


def h14_dongguan_only_bad() -> Case:
    """A 镇街's returned form where no row is a valid pair."""
    name = "h14_dongguan_only_bad.xlsx"
    pp = People(name)
    wb, ws = new_workbook()
    ws.title = "Sheet1"
    title_row(ws, 1, "东莞市初中学校“1+1”结对帮扶名单（清溪镇填报）", 6)
    put(ws, 2, ["序号", "支援学校", "受援学校", "联系人", "联系电话", "备注"])
    rows = [
        ("东莞市清溪中学", None, "受援学校待定", "empty"),
        ("东莞市清溪镇第三中学", None, None, "empty"),
        ("东莞市xxx中学", "东莞市清溪镇第二初级中学", None, "placeholder"),
        ("东莞市清溪镇第二初级中学", "东莞市清溪镇第二初级中学", "复制时填错", "same_school"),
    ]
    errors = []
    for i, (helper, helped, note, kind) in enumerate(rows):
        put(ws, 3 + i, [i + 1, helper, helped, pp.name(), pp.mobile(), note])
        errors.append({"row": 3 + i, "kind": kind})
    return Case(name, save_workbook(wb), [],
                "Seed 004's 1+1 template as one 镇街 returned it (schools made up): no row is a pair. Rows 3–4 have "
                "no 受援学校 yet (empty; 备注 says 待定 on row 3), row 5 still has the template's `东莞市xxx中学` "
                "(placeholder), row 6 names one school on both sides (same_school). Expected: no groups, four "
                "errors.",
                errors=errors,
                did="a returned template with ONLY bad rows (two empty, a placeholder, a same_school)")  # fmt: skip


def h15_liuzhou_system_export() -> Case:
    """A CSV exported by a reporting system: numbers with '.0', a datetime column, no BOM."""
    name = "h15_liuzhou_system_export.csv"
    pp = People(name)
    # seed 001's county pairs (城中区→融安县 …) with made-up schools on each side
    pairs = [("城中区", "柳州市城中区第二实验小学", "融安县", "融安县长安镇中心小学", "小学"),
             ("鱼峰区", "柳州市鱼峰区荣军路小学", "融水县", "融水苗族自治县安太乡中心小学", "小学"),
             ("柳南区", "柳州市柳南区第一中学", "三江县", "三江侗族自治县丹洲镇初级中学", "初中"),
             ("柳北区", "柳州市柳北区雅儒中学", "鹿寨县", "鹿寨县中渡镇初级中学", "初中"),
             ("柳江区", "柳州市柳江区拉堡镇中心小学", "柳城县", "柳城县大埔镇中心小学", "小学"),
             ("城中区", "柳州市城中区公园路幼儿园", "融安县", "融安县长安镇中心幼儿园", "幼儿园")]  # fmt: skip
    rows: list[list[object]] = [["序号", "帮扶县区", "帮扶学校", "帮扶学校联系人", "帮扶学校联系电话", "受援县区",
                                 "受援学校", "受援学校联系人", "受援学校联系电话", "学段", "填报时间"]]  # fmt: skip
    groups = []
    for i, (area_a, helper, area_b, helped, word) in enumerate(pairs):
        a, b = pp.name(), pp.name()
        pa, pb = pp.mobile(), pp.mobile()
        rows.append([f"{i + 1}.0", area_a, helper, a, f"{pa}.0", area_b, helped, b, f"{pb}.0", word,
                     f"2016-09-{20 + i} 00:00:00"])  # fmt: skip
        groups.append(group(helper, helped, word, [(helper, Person(a, (pa,))), (helped, Person(b, (pb,)))]))
    return Case(name, csv_text(rows).encode("utf-8"), groups,
                "Seed 001's county pairing (城中区→融安县, 鱼峰区→融水县, 柳南区→三江县, 柳北区→鹿寨县, 柳江区→柳城县) "
                "with made-up schools; exported by a reporting system (UTF-8 without BOM, comma, CRLF). Numbers "
                "went through a float column: 序号 `1.0`, phones `13907721234.0`. Decision: `.0` is a number "
                "format, not part of the number — expected phones are the 11 digits (not a `phone` error); the "
                "bench compares phone digits, so `139…1234.0` kept whole would not count as kept. 填报时间 is an "
                "extra column. 学段 per row.",
                did="system export: `1.0` and `13907721234.0`, a datetime column, UTF-8 without BOM")  # fmt: skip


def h16_liuzhou_special_xls(office: bool = True) -> Case:
    """Legacy .xls: seed 001's special-education pairs, lead school column on the RIGHT, merged down."""
    name = "h16_liuzhou_special.xls"
    pp = People(name)
    wb, ws = new_workbook()
    ws.title = "特教"
    title_row(ws, 1, "柳州市特殊教育学校结对帮扶安排表", 5)
    put(ws, 2, ["帮扶学校", "联系人及电话", "受援学校", "联系人及电话", "牵头指导学校"])
    groups = []
    for i, (helper, helped) in enumerate(LIUZHOU_SPECIAL):
        a, b = pp.name(), pp.name()
        land, mob = pp.landline("0772", "paren"), pp.mobile()
        pb = pp.mobile()
        put(ws, 3 + i, [helper, f"{a}（校长） {land} {mob}", helped, f"{b} {pb}"])
        groups.append(group(helper, helped, stage="特殊教育", coordinator=LIUZHOU_SPECIAL_LEAD,
                            people=[(helper, Person(a, (land, mob), "校长")), (helped, Person(b, (pb,)))]))
    ws.cell(row=3, column=5, value=LIUZHOU_SPECIAL_LEAD)
    ws.merge_cells(start_row=3, start_column=5, end_row=2 + len(LIUZHOU_SPECIAL), end_column=5)
    xls = convert(save_workbook(wb), ".xlsx", "xls:MS Excel 97") if office else save_workbook(wb)
    return Case(name, xls, groups,
                "Seed 001's special-education pairs with their lead school 柳州市特殊教育学校 — here in the LAST "
                "column (牵头指导学校), merged over the three pairs: the coordinator of each 1:1 group, not a party. "
                "Title says 特殊教育. 联系人及电话 cells: helpers `name（校长） (0772)xxxxxxx mobile` (title 校长, two "
                "phones), helped `name mobile`. Saved as legacy .xls (Excel 97) by LibreOffice. Contacts made up.",
                reproducible=False,
                did="legacy .xls; lead-school column on the right, merged; `name（校长） (0772)7212345 139…` "
                    "cells")  # fmt: skip


def build_corpus(deterministic_only: bool = False) -> list[Case]:
    """Every holdout file. ``deterministic_only``: LibreOffice is not run; its three cases then carry the
    xlsx they are converted from as ``data`` (``reproducible`` is False), their expected results unchanged."""
    makers: list[Callable[[], Case]] = [
        h01_liuzhou_wps_2level, h02_jianshi_instructions, h03_liuzhou_counties, h04_heze_phones,
        h05_jianshi_helper_rows, h06_dongguan_hidden_cols, h07_jianshi_wps_gbk_semicolon, h08_heze_tab_gbk,
        h09_jianshi_word_table, h10_jianshi_prose, h13_heze_bad_rows, h14_dongguan_only_bad,
        h15_liuzhou_system_export,
    ]  # fmt: skip
    office = not deterministic_only
    makers += [lambda: h11_luzhai_pdf(office), lambda: h12_sanjiang_ods(office),
               lambda: h16_liuzhou_special_xls(office)]  # fmt: skip
    return sorted((make() for make in makers), key=lambda c: c.name)


def write_corpus(directory: Path, cases: Sequence[Case]) -> None:
    """Write every case and its expected result into ``directory``."""
    directory.mkdir(parents=True, exist_ok=True)
    for case in cases:
        (directory / case.name).write_bytes(case.data)
        (directory / f"{case.name}.expected.json").write_bytes(expected_bytes(case))


def check_corpus(directory: Path) -> list[str]:
    """The reproducible files (and all expected results) that differ from what the generator makes."""
    bad = []
    for case in build_corpus(deterministic_only=True):
        if case.reproducible and (directory / case.name).read_bytes() != case.data:
            bad.append(case.name)
        if (directory / f"{case.name}.expected.json").read_bytes() != expected_bytes(case):
            bad.append(f"{case.name}.expected.json")
    return bad


def main(argv: Sequence[str] | None = None) -> int:
    """CLI: write the corpus, or ``--check`` it."""
    parser = argparse.ArgumentParser(description="Write the holdout roster corpus")
    parser.add_argument("directory", type=Path)
    parser.add_argument("--check", action="store_true", help="exit 1 when a reproducible file differs")
    args = parser.parse_args(argv)
    if args.check:
        bad = check_corpus(args.directory)
        for name in bad:
            print(f"differs: {name}")
        return 1 if bad else 0
    cases = build_corpus()
    write_corpus(args.directory, cases)
    for case in cases:
        print(f"{case.name}: {len(case.groups)} groups, {len(case.errors)} bad rows")
    return 0


if __name__ == "__main__":
    sys.exit(main())
