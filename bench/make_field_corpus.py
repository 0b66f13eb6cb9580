"""A field corpus of returned forms, made apart from the reader (issue 12, item 7).

    .venv/bin/python bench/make_field_corpus.py --out bench/corpus_field [--seed 12] [--forms 40]

What it does, in the order a school and its equipment do it:

1. asks the product for the blank forms it sends out (``docgen forms`` on the 彭州·黑水, 柳州 普通高中 and
   菏泽 samples; 菏泽's program lists no forms, so a copy of its program.yaml asks for 安排表 and 回执);
2. fills them the ways schools fill Word forms (python-docx): dates as ``2019年3月14日`` / ``2019.3.14`` /
   ``3月14日`` / ``2019-3-14`` / typed into the printed ``年 月 日`` blanks, phones with spaces and dashes,
   landlines with area codes, multi-line cells, rows added and deleted, column widths changed, values in
   楷体/仿宋/宋体 at 10–16 pt, optional fields left empty — or retypes the form in a new document
   (``标签：值`` lines, several on a line; a table typed anew with the school's own column order);
3. exports each to PDF with LibreOffice (headless) and rasterises it (pdftoppm);
4. degrades the pages as devices do: a clean 300-dpi scan; a 200-dpi grey-paper, low-contrast, JPEG
   q 50–75 scan, skewed 0.5–2°, with a round seal (red, or black/grey as a photocopy) over the school name;
   a phone photo (perspective, a shadowed corner and uneven light, desk clutter round the sheet, curl /
   barrel, ~1600 px); a page turned 90/180/270°; scans wrapped in an image-only PDF.

Every file gets ``<name>.expected.json`` beside it (the values typed, by the schema's keys) and one
``manifest.json`` lists every file with its input kind and degradations. The truth is what this script
typed, never what a reader returned. Everything random comes from ``random.Random(seed)`` /
``numpy.random.default_rng(seed)``: the same seed gives byte-identical images, image PDFs, expected files
and manifest; the DOCX (zip dates) and LibreOffice's PDFs (timestamps, ids) differ in bytes, not in content.
"""

from __future__ import annotations

import argparse
import copy
import io
import json
import math
import random
import re
import shutil
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, ClassVar

import cv2
import numpy as np
from docx import Document
from docx.enum.text import WD_BREAK
from docx.oxml.ns import qn
from docx.shared import Mm, Pt
from docx.table import Table, _Cell
from docx.text.paragraph import Paragraph
from PIL import Image, ImageDraw, ImageFont

ROOT = Path(__file__).resolve().parent.parent
PYTHON = sys.executable

# Input kinds the bench reports on (manifest ``kind``).
KINDS = ("docx", "retyped", "pdf", "scan300", "grey200", "photo", "rotated", "imagepdf")
IMAGE_KINDS = ("scan300", "grey200", "photo", "rotated", "imagepdf")

# Fonts schools type in; the names are what fontconfig has here (楷体 = FandolKai / AR PL UKai, 仿宋 =
# FandolFang, 宋体 = FandolSong / Noto Serif CJK). A docx naming 楷体_GB2312 would fall back to DejaVu on this
# machine, which is not what a school's printer shows.
TYPED_FONTS = {
    "楷体": ["FandolKai", "AR PL UKai CN"],
    "仿宋": ["FandolFang"],
    "宋体": ["FandolSong", "Noto Serif CJK SC"],
}
SEAL_FONT = "/usr/share/fonts/opentype/noto/NotoSerifCJK-Bold.ttc"

# People: the 菏泽 notice's 负责人 (samples/heze/roster.xlsx) and names of the kind 黑水 (Tibetan, Qiang) and
# 彭州 schools carry. Phones are made up (valid shapes, no real subscriber intended).
HEZE_NAMES = ["李爱华", "郭宝忠", "赵广雷", "倪卫东", "杨汝增", "谢里永", "徐显成", "李洪学", "李 云", "赵 瑞",
              "祝宗义", "李敬岚", "张体振", "李春生", "曹务成", "秦朝华", "刘正稳", "尹怀波", "盛广善", "郝登强",
              "杨冠旗"]
HEISHUI_NAMES = ["泽旺拉姆", "扎西尼玛", "格绒卓玛", "尔玛依娜", "杨金花", "王青措", "余木初", "龙周", "斯郎泽仁",
                 "卓玛措", "罗尔甲", "马晓琴", "苏郎甲楚", "何秀英", "阿木让", "王 军"]
PENGZHOU_NAMES = ["王建华", "刘晓燕", "陈志强", "张 丽", "周敏", "钟国平", "罗文静", "唐小兵", "曾德明", "黄雪梅",
                  "邓红", "欧阳娜娜", "蒋成林", "廖春燕", "杜 勇", "谢婷婷", "雷鸣", "付小琴", "彭建军", "赖永红"]
LIUZHOU_NAMES = ["韦桂芳", "覃建新", "蓝海燕", "潘志勇", "莫小玲", "吴永福", "梁秋萍", "黄国强", "廖振华", "石春兰"]
TITLES = ["校长", "副校长", "教导主任", "德育主任", "办公室主任", "教科室主任", "总务主任", "党支部书记", "工会主席",
          "教研组长", "团委书记", "副园长", "政教处主任", "教务处副主任"]
MOBILE_PREFIXES = ["139", "138", "136", "135", "158", "182", "187", "133", "180", "189", "151", "177"]


@dataclass
class Value:
    """One value a school typed: the text on the page, its type and, for dates, the date it means."""

    text: str
    type: str = "text"
    norm: Any = None

    def to_json(self) -> dict[str, Any]:
        out: dict[str, Any] = {"text": self.text, "type": self.type}
        if self.norm is not None:
            out["norm"] = self.norm
        return out


@dataclass
class Filled:
    """A filled form: the DOCX written and the truth typed into it."""

    ident: str
    form: str
    docx: Path
    retyped: bool
    fields: dict[str, Value]
    table_keys: list[str] = field(default_factory=list)
    table_types: dict[str, str] = field(default_factory=dict)
    rows: list[dict[str, Value]] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    school: str = ""

    def expected(self) -> dict[str, Any]:
        out: dict[str, Any] = {
            "form": self.form,
            "fields": {k: v.to_json() for k, v in self.fields.items()},
            "table": None,
        }
        if self.table_keys:
            out["table"] = {
                "keys": self.table_keys,
                "rows": [{k: r[k].to_json() for k in self.table_keys if k in r} for r in self.rows],
            }
        return out


# --------------------------------------------------------------------------------------------------- values


def mobile(rng: random.Random) -> str:
    return rng.choice(MOBILE_PREFIXES) + "".join(rng.choice("0123456789") for _ in range(8))


def phone_text(rng: random.Random, area: str) -> tuple[str, str]:
    """A phone as a school writes it, and its digits."""
    style = rng.random()
    if style < 0.12:
        local = rng.choice("2345678") + "".join(rng.choice("0123456789") for _ in range(6 if area != "028" else 7))
        shape = rng.choice(["{a}-{l}", "({a}){l}", "{a} {l}"])
        return shape.format(a=area, l=local), area + local
    m = mobile(rng)
    shape = rng.choice(["plain", "plain", "3-4-4 space", "3-4-4 dash", "3 8 space"])
    if shape == "3-4-4 space":
        return f"{m[:3]} {m[3:7]} {m[7:]}", m
    if shape == "3-4-4 dash":
        return f"{m[:3]}-{m[3:7]}-{m[7:]}", m
    if shape == "3 8 space":
        return f"{m[:3]} {m[3:]}", m
    return m, m


def date_text(rng: random.Random, y: int, m: int, d: int, *, allow_yearless: bool = True) -> str:
    shapes = ["{y}年{m}月{d}日", "{y}.{m}.{d}", "{y}-{m}-{d}", "{y}年{m:02d}月{d:02d}日", "{y}/{m:02d}/{d:02d}"]
    if allow_yearless:
        shapes.append("{m}月{d}日")
    return rng.choice(shapes).format(y=y, m=m, d=d)


def iso(y: int, m: int, d: int) -> str:
    return f"{y:04d}-{m:02d}-{d:02d}"


def random_day(rng: random.Random, y: int, months: tuple[int, int]) -> tuple[int, int, int]:
    m = rng.randint(*months)
    return y, m, rng.randint(1, 28)


# ----------------------------------------------------------------------------------------------- docx helpers


def style_run(run: Any, font: str, size: float) -> None:
    run.font.name = font
    run.font.size = Pt(size)
    rpr = run._element.get_or_add_rPr()
    rfonts = rpr.find(qn("w:rFonts"))
    if rfonts is None:
        rfonts = rpr.makeelement(qn("w:rFonts"), {})
        rpr.insert(0, rfonts)
    for attr in ("w:ascii", "w:hAnsi", "w:eastAsia", "w:cs"):
        rfonts.set(qn(attr), font)


def set_cell(cell: _Cell, text: str, font: str, size: float, *, breaks: str = "paragraph") -> None:
    """Type ``text`` into a cell, replacing what is there; ``\\n`` becomes Enter or Shift+Enter."""
    paras = cell.paragraphs
    first = paras[0]
    for p in paras[1:]:
        p._element.getparent().remove(p._element)
    for r in list(first.runs):
        r._element.getparent().remove(r._element)
    lines = text.split("\n")
    if breaks == "paragraph":
        for i, line in enumerate(lines):
            p = first if i == 0 else _clone_paragraph(first)
            style_run(p.add_run(line), font, size)
    else:
        for i, line in enumerate(lines):
            run = first.add_run(line)
            style_run(run, font, size)
            if i < len(lines) - 1:
                run.add_break(WD_BREAK.LINE)
    # An exact line height set by the template would clip a bigger typed font: Word users see this and
    # set the line spacing back to single, which is what they send.
    for p in cell.paragraphs:
        spacing = p._element.find(qn("w:pPr") + "/" + qn("w:spacing"))
        if spacing is not None and spacing.get(qn("w:lineRule")) == "exact" and size > 10.5:
            spacing.set(qn("w:lineRule"), "auto")
            spacing.set(qn("w:line"), "240")


def _clone_paragraph(p: Paragraph) -> Paragraph:
    new = copy.deepcopy(p._element)
    for r in new.findall(qn("w:r")):
        new.remove(r)
    p._element.getparent().append(new)
    return Paragraph(new, p._parent)


def rewrite_paragraph(p: Paragraph, parts: list[tuple[str, str | None, float | None]]) -> None:
    """Replace a paragraph's runs by ``parts`` (text, font or None = printed font, size)."""
    base = p.runs[0] if p.runs else None
    base_font = (base.font.name if base is not None else None) or "FandolSong"
    base_size = base.font.size.pt if base is not None and base.font.size is not None else 14.0
    for r in list(p.runs):
        r._element.getparent().remove(r._element)
    for text, font, size in parts:
        style_run(p.add_run(text), font or base_font, size or base_size)


def find_paragraph(doc: Any, needle: str) -> Paragraph | None:
    for p in doc.paragraphs:
        if needle in p.text:
            return p  # type: ignore[no-any-return]
    return None


def change_widths(table: Table, rng: random.Random) -> None:
    """Drag column borders as a school does: widths change, the total stays roughly the same."""
    ncols = len(table.columns)
    factors = [rng.uniform(0.7, 1.4) for _ in range(ncols)]
    mean = sum(factors) / ncols
    for row in table.rows:
        seen: set[int] = set()
        for ci, cell in enumerate(row.cells):
            if id(cell._tc) in seen:
                continue
            seen.add(id(cell._tc))
            tcw = cell._tc.tcPr.find(qn("w:tcW")) if cell._tc.tcPr is not None else None
            if tcw is not None and tcw.get(qn("w:type")) == "dxa":
                tcw.set(qn("w:w"), str(int(int(tcw.get(qn("w:w"))) * factors[ci] / mean)))
    grid = table._tbl.tblGrid
    for ci, col in enumerate(grid.findall(qn("w:gridCol"))):
        w = col.get(qn("w:w"))
        if w is not None and ci < ncols:
            col.set(qn("w:w"), str(int(int(w) * factors[ci] / mean)))


def delete_row(table: Table, index: int) -> None:
    tr = table.rows[index]._tr
    tr.getparent().remove(tr)


def add_row_after(table: Table, index: int) -> None:
    tr = table.rows[index]._tr
    new = copy.deepcopy(tr)
    for t in new.iter(qn("w:t")):
        t.text = ""
    tr.addnext(new)


def fresh_document(font: str, size: float, landscape: bool = False) -> Any:
    doc = Document()
    sec = doc.sections[0]
    sec.page_width, sec.page_height = (Mm(297), Mm(210)) if landscape else (Mm(210), Mm(297))
    for side in ("left_margin", "right_margin"):
        setattr(sec, side, Mm(20))
    sec.top_margin = sec.bottom_margin = Mm(22)
    normal = doc.styles["Normal"]
    normal.font.name = font
    normal.font.size = Pt(size)
    normal.element.get_or_add_rPr().get_or_add_rFonts().set(qn("w:eastAsia"), font)
    return doc


def add_line(doc: Any, text: str, font: str, size: float, *, bold: bool = False, center: bool = False) -> None:
    p = doc.add_paragraph()
    run = p.add_run(text)
    style_run(run, font, size)
    run.bold = bold
    if center:
        p.alignment = 1


# --------------------------------------------------------------------------------------------- the schools


@dataclass
class Blank:
    form: str
    path: Path
    school: str      # the school the form is for (pre-filled 单位 / 学校)
    program: str     # pengzhou / liuzhou / heze
    pair: tuple[str, str] = ("", "")


def make_blanks(work: Path) -> list[Blank]:
    """The blank forms, from the product's own `docgen forms` (DOCX only)."""
    out: list[Blank] = []
    jobs: list[tuple[str, Path, Path]] = []
    heze_dir = work / "heze_program"
    heze_dir.mkdir(parents=True, exist_ok=True)
    text = (ROOT / "samples/heze/program.yaml").read_text(encoding="utf-8")
    (heze_dir / "program.yaml").write_text(text.rstrip("\n") + "\nforms: [arrangement, liaison_reply]\n",
                                           encoding="utf-8")
    jobs.append(("pengzhou", ROOT / "samples/pengzhou_heishui/roster.txt",
                 ROOT / "samples/pengzhou_heishui/program.yaml"))
    jobs.append(("liuzhou", ROOT / "samples/liuzhou_high_schools/roster.csv",
                 ROOT / "samples/liuzhou_high_schools/program.yaml"))
    jobs.append(("heze", ROOT / "samples/heze/roster.xlsx", heze_dir / "program.yaml"))
    for program, roster, prog in jobs:
        dest = work / f"blank_{program}"
        if not (dest / "documents").is_dir():
            subprocess.run([PYTHON, "-m", "cli.main", "forms", str(roster), "--program", str(prog),
                            "--out", str(dest), "--no-pdf"], cwd=ROOT, check=True, capture_output=True,
                           env={"PYTHONPATH": str(ROOT), "PATH": "/usr/bin:/bin:/usr/local/bin",
                                "HOME": str(work)})
        for f in sorted((dest / "documents").rglob("*.docx")):
            form = {"教育交流活动备案表": "filing", "教育交流活动情况统计表": "activity_stats",
                    "联络员和分管领导回执": "liaison_reply", "结对帮扶安排表": "arrangement"}
            kind = next((v for k, v in form.items() if k in f.name), None)
            if kind is None:
                continue
            school = f.stem.split("_", 2)[2]
            pair = ("", "")
            if "—" in f.parent.name:
                a, b = f.parent.name.split("_", 1)[1].split("—", 1)
                pair = (a, b)
            out.append(Blank(kind, f, prefilled_unit(f) or school, program, pair))
    return out


def prefilled_unit(path: Path) -> str:
    """The school or county docgen printed after 单位： / 学校（盖章）： on the blank form."""
    for p in Document(str(path)).paragraphs:
        m = re.search(r"(?:单位|学校（盖章）)：([^\t]+)", p.text)
        if m:
            return m.group(1).strip()
    return ""


def names_for(program: str, school: str) -> list[str]:
    if program == "heze":
        return HEZE_NAMES
    if program == "liuzhou":
        return LIUZHOU_NAMES
    return HEISHUI_NAMES if school.startswith("黑水") else PENGZHOU_NAMES


def area_for(program: str, school: str) -> str:
    if program == "heze":
        return "0530"
    if program == "liuzhou":
        return "0772"
    return "0837" if school.startswith("黑水") else "028"


# ------------------------------------------------------------------------------------------------ filling


class Filler:
    """Fills one blank form; ``rng`` decides every choice a school makes."""

    def __init__(self, rng: random.Random, blank: Blank, ident: str, out: Path) -> None:
        self.rng = rng
        self.blank = blank
        self.ident = ident
        self.out = out
        family = rng.choice(list(TYPED_FONTS))
        self.font = rng.choice(TYPED_FONTS[family])
        self.size = rng.choice([10.5, 12, 12, 14, 14, 16]) if blank.form != "activity_stats" else rng.choice(
            [9, 10, 10.5, 12])
        self.notes = [f"font {family}({self.font}) {self.size}pt"]
        self.year = 2019 if blank.program == "pengzhou" else 2016
        self.names = list(names_for(blank.program, blank.school))
        rng.shuffle(self.names)

    def person(self) -> str:
        return self.names.pop() if self.names else "王芳"

    def date(self, months: tuple[int, int], *, yearless: bool = True) -> Value:
        y, m, d = random_day(self.rng, self.year, months)
        return Value(date_text(self.rng, y, m, d, allow_yearless=yearless), "date", iso(y, m, d))

    def phone(self) -> Value:
        text, _digits = phone_text(self.rng, area_for(self.blank.program, self.blank.school))
        return Value(text, "phone")

    def header_date(self, doc: Any, label_prefix: str, value: Value) -> None:
        """Fill the printed ``年  月  日`` after a label (or the lone date of the 备案表 header)."""
        p = find_paragraph(doc, "年  月  日")
        if p is None:
            raise RuntimeError(f"{self.blank.path.name}: no date blank")
        text = p.text
        head, _ = text.split("年  月  日", 1)
        head = head.rstrip(" ")
        y, m, d = (int(x) for x in value.norm.split("-"))
        if self.rng.random() < 0.3:
            # typed into the blanks: "2019 年 3 月 14 日"
            value.text = f"{y} 年 {m} 月 {d} 日"
        rewrite_paragraph(p, [(head, None, None), (value.text, self.font, self.size)])

    def save(self, doc: Any) -> Path:
        path = self.out / f"{self.ident}.docx"
        doc.save(str(path))
        return path

    # ---- 回执
    def liaison(self, retype: bool) -> Filled:
        rng = self.rng
        f: dict[str, Value] = {"school": Value(self.blank.school, "school")}
        f["liaison_name"] = Value(self.person(), "name")
        f["liaison_title"] = Value(rng.choice(TITLES), "text")
        f["liaison_phone"] = self.phone()
        f["leader_name"] = Value(self.person(), "name")
        f["leader_title"] = Value(rng.choice(["校长", "副校长", "党支部书记", "副园长", "园长"]), "text")
        f["leader_phone"] = self.phone() if rng.random() < 0.75 else Value("", "phone")
        f["filled_on"] = self.date((3, 3), yearless=False)
        if f["leader_phone"].text == "":
            self.notes.append("optional leader_phone empty")
        if retype:
            return self._liaison_retyped(f)
        doc = Document(str(self.blank.path))
        t = doc.tables[0]
        for ri, keys in ((1, ("liaison_name", "liaison_title", "liaison_phone")),
                         (2, ("leader_name", "leader_title", "leader_phone"))):
            for ci, k in enumerate(keys, start=1):
                text = f[k].text
                if k.endswith("_phone") and text and rng.random() < 0.25 and "-" not in text and "(" not in text:
                    # an office number under the mobile, on its own line
                    extra, _ = phone_text(rng, area_for(self.blank.program, self.blank.school))
                    if extra != text:
                        text = f"{text}\n{extra}"
                        f[k] = Value(text, "phone")
                        self.notes.append(f"{k} two numbers on two lines")
                set_cell(t.rows[ri].cells[ci], text, self.font, self.size,
                         breaks=rng.choice(["paragraph", "line"]))
        if rng.random() < 0.4:
            change_widths(t, rng)
            self.notes.append("column widths changed")
        self.header_date(doc, "填报日期", f["filled_on"])
        return Filled(self.ident, "liaison_reply", self.save(doc), False, f, notes=self.notes,
                      school=self.blank.school)

    def _liaison_retyped(self, f: dict[str, Value]) -> Filled:
        rng = self.rng
        doc = fresh_document(self.font, self.size)
        add_line(doc, "联络员和分管领导回执", self.font, self.size + 4, bold=True, center=True)
        sep = rng.choice(["    ", "　　", "  ", "，"])
        add_line(doc, f"学校：{f['school'].text}", self.font, self.size)
        lp = f["leader_phone"].text
        add_line(doc, f"联络员姓名：{f['liaison_name'].text}{sep}职务：{f['liaison_title'].text}{sep}"
                      f"联系电话：{f['liaison_phone'].text}", self.font, self.size)
        add_line(doc, f"分管领导姓名：{f['leader_name'].text}{sep}职务：{f['leader_title'].text}{sep}"
                      f"联系电话：{lp}", self.font, self.size)
        add_line(doc, f"填报日期：{f['filled_on'].text}", self.font, self.size)
        self.notes.append(f"retyped as lines, separator {sep!r}")
        return Filled(self.ident, "liaison_reply", self.save(doc), True, f, notes=self.notes,
                      school=self.blank.school)

    # ---- 备案表
    def filing(self, retype: bool) -> Filled:
        rng = self.rng
        other = self.blank.pair[1] or "黑水县中学"
        dep_m = rng.randint(4, 11)
        dep_d = rng.randint(1, 24)
        ret_d = dep_d + rng.randint(2, 5)
        f: dict[str, Value] = {"unit": Value(self.blank.school, "school")}
        f["filled_on"] = self.date((3, dep_m), yearless=False)
        f["leader"] = Value(self.person(), "name")
        f["leader_title"] = Value(rng.choice(TITLES), "text")
        f["leader_phone"] = self.phone()
        f["destination"] = Value(rng.choice([other, f"阿坝州{other}", f"黑水县{other.removeprefix('黑水县')}"]),
                                 "text")
        f["purpose"] = Value(rng.choice([
            "送教下乡：语文、数学同课异构及专题讲座",
            "开展“校校结对”教研交流活动",
            "送课到校，听课评课，班主任工作经验交流",
            "捐赠图书及体育器材，开展手拉手活动",
            "骨干教师示范课及教学研讨\n校园文化建设交流",
        ]), "text")
        if "\n" in f["purpose"].text:
            self.notes.append("multi-line purpose")
        dep = Value(date_text(rng, self.year, dep_m, dep_d), "date", iso(self.year, dep_m, dep_d))
        ret = Value(date_text(rng, self.year, dep_m, ret_d), "date", iso(self.year, dep_m, ret_d))
        f["departs_on"] = dep
        f["returns_on"] = ret if rng.random() < 0.85 else Value("", "date")
        people = [self.person() for _ in range(rng.randint(2, 6))]
        sep = rng.choice(["、", "、", "，", " ", "\n"])
        f["participants"] = Value(sep.join(people), "text")
        f["unit_opinion"] = Value(rng.choice(["同意", "", "同意前往", ""]), "text")
        f["remarks"] = Value(rng.choice(["", "", "乘坐学校公务用车", "活动方案另附"]), "text")
        if retype:
            return self._filing_retyped(f)
        doc = Document(str(self.blank.path))
        t = doc.tables[0]
        order = ["leader", "leader_title", "leader_phone", "destination", "purpose", "departs_on", "returns_on",
                 "participants", "unit_opinion", None, None, "remarks"]
        for ri, k in enumerate(order):
            if k is None or not f[k].text:
                continue
            set_cell(t.rows[ri].cells[2], f[k].text, self.font, self.size,
                     breaks=rng.choice(["paragraph", "line"]))
        if rng.random() < 0.4:
            change_widths(t, rng)
            self.notes.append("column widths changed")
        p = find_paragraph(doc, "年  月  日")
        assert p is not None
        y, m, d = (int(x) for x in f["filled_on"].norm.split("-"))
        if rng.random() < 0.3:
            f["filled_on"].text = f"{y} 年 {m} 月 {d} 日"
        head = p.text.split("年  月  日")[0].rstrip(" \t")
        rewrite_paragraph(p, [(head, None, None), ("\t", None, None), (f["filled_on"].text, self.font, self.size)])
        # District and bureau opinions are written later by others: not the school's values.
        return Filled(self.ident, "filing", self.save(doc), False, f, notes=self.notes, school=self.blank.school)

    def _filing_retyped(self, f: dict[str, Value]) -> Filled:
        rng = self.rng
        doc = fresh_document(self.font, self.size)
        add_line(doc, "教育交流活动备案表", self.font, self.size + 4, bold=True, center=True)
        add_line(doc, f"单位：{f['unit'].text}　　填报日期：{f['filled_on'].text}", self.font, self.size)
        labels = [("带队人员姓名", "leader"), ("职务", "leader_title"), ("联系电话", "leader_phone"),
                  ("前往地点", "destination"), ("外出事由（项目）", "purpose"), ("外出时间", "departs_on"),
                  ("返回时间", "returns_on"), ("参加人员", "participants"), ("单位负责人意见", "unit_opinion"),
                  ("备注", "remarks")]
        two_on_line = rng.random() < 0.5
        i = 0
        while i < len(labels):
            label, key = labels[i]
            text = f[key].text.replace("\n", "；")
            f[key].text = text
            if two_on_line and key in ("leader", "departs_on") and i + 1 < len(labels):
                label2, key2 = labels[i + 1]
                add_line(doc, f"{label}：{text}      {label2}：{f[key2].text}", self.font, self.size)
                i += 2
                continue
            add_line(doc, f"{label}：{text}", self.font, self.size)
            i += 1
        self.notes.append("retyped as lines" + (", two per line" if two_on_line else ""))
        return Filled(self.ident, "filing", self.save(doc), True, f, notes=self.notes, school=self.blank.school)

    # ---- 统计表
    STATS_KEYS: ClassVar[list[str]] = ["serial", "activity", "staff", "when", "where", "plan", "beneficiaries",
                                       "funds_goods", "effect", "remarks"]
    STATS_TYPES: ClassVar[dict[str, str]] = {"serial": "integer", "when": "date", "beneficiaries": "count",
                                             "funds_goods": "money_goods"}

    def stats_row(self, n: int) -> dict[str, Value]:
        rng = self.rng
        other = self.blank.pair[1] or "黑水县芦花完全小学校"
        m = rng.randint(3, 12)
        d = rng.randint(1, 25)
        y = self.year
        if rng.random() < 0.3:
            d2 = d + rng.randint(1, 3)
            when = Value(rng.choice([f"{y}年{m}月{d}日—{d2}日", f"{y}.{m}.{d}-{m}.{d2}", f"{m}月{d}日-{d2}日"]),
                         "date", {"start": iso(y, m, d), "end": iso(y, m, d2)})
        else:
            when = Value(date_text(rng, y, m, d), "date", iso(y, m, d))
        staff = [self.person() for _ in range(rng.randint(1, 4))]
        self.names.extend(staff)  # the same teachers go again
        rng.shuffle(self.names)
        staff_sep = rng.choice(["、", "、", "\n", "，"])
        row = {
            "serial": Value(str(n), "integer"),
            "activity": Value(rng.choice(["送教下乡", "同课异构", "专题讲座", "跟岗学习", "教研活动", "捐赠图书",
                                          "学生手拉手", "课堂教学展示", "班主任工作交流", "远程同步课堂"]), "text"),
            "staff": Value(staff_sep.join(staff), "text"),
            "when": when,
            "where": Value(rng.choice([other, self.blank.school, f"{other}多功能厅"]), "text"),
            "plan": Value(rng.choice(["听课、评课", "听课\n评课", "上示范课2节，座谈交流", "专题讲座1场",
                                      "跟班学习一周", "赠书仪式及阅读分享会"]), "text"),
            "beneficiaries": Value(rng.choice(["120人次", "约300人次", "45", "80人", "教师20人", "200余人次",
                                               "60人次"]), "count"),
            "funds_goods": Value(rng.choice(["无", "/", "资金2万元", "图书500册", "资金1万元、图书300册",
                                             "电脑10台，价值5万元", "体育器材一批", ""]), "money_goods"),
            "effect": Value(rng.choice(["效果良好", "受到受援学校师生好评", "提升了教师课堂教学能力",
                                        "学生阅读兴趣明显提高", "促进了两校教师专业交流"]), "text"),
            "remarks": Value(rng.choice(["", "", "", "另附简报", "照片另附"]), "text"),
        }
        return row

    def stats(self, retype: bool) -> Filled:
        rng = self.rng
        f: dict[str, Value] = {"unit": Value(self.blank.school, "school"),
                               "filled_on": self.date((6, 12), yearless=False)}
        n_rows = rng.choice([2, 3, 4, 5, 6, 8, 10, 12])
        rows = [self.stats_row(i + 1) for i in range(n_rows)]
        if retype:
            return self._stats_retyped(f, rows)
        doc = Document(str(self.blank.path))
        t = doc.tables[0]
        blank_rows = len(t.rows) - 2  # header + footer
        if n_rows > blank_rows:
            for _ in range(n_rows - blank_rows):
                add_row_after(t, blank_rows)
            self.notes.append(f"{n_rows - blank_rows} rows added")
        elif rng.random() < 0.6 and n_rows < blank_rows:
            drop = rng.randint(1, blank_rows - n_rows)
            for _ in range(drop):
                delete_row(t, n_rows + 1)
            self.notes.append(f"{drop} blank rows deleted")
        for i, row in enumerate(rows):
            cells = t.rows[i + 1].cells
            for ci, k in enumerate(self.STATS_KEYS):
                if row[k].text:
                    set_cell(cells[ci], row[k].text, self.font, self.size, breaks=rng.choice(["paragraph", "line"]))
        if rng.random() < 0.5:
            change_widths(t, rng)
            self.notes.append("column widths changed")
        self.header_date(doc, "填报时间", f["filled_on"])
        return Filled(self.ident, "activity_stats", self.save(doc), False, f, list(self.STATS_KEYS),
                      dict(self.STATS_TYPES), rows, self.notes, self.blank.school)

    def _stats_retyped(self, f: dict[str, Value], rows: list[dict[str, Value]]) -> Filled:
        """A new document with the school's own table: shorter labels, 活动时间 before 派出人员, no footer."""
        doc = fresh_document(self.font, self.size, landscape=True)
        add_line(doc, "教育交流活动情况统计表", self.font, self.size + 6, bold=True, center=True)
        add_line(doc, f"填报单位：{f['unit'].text}        填报时间：{f['filled_on'].text}", self.font, self.size + 1)
        cols = [("序号", "serial"), ("活动名称", "activity"), ("时间", "when"), ("派出人员", "staff"),
                ("地点", "where"), ("活动安排", "plan"), ("受援人次", "beneficiaries"),
                ("资金、物品", "funds_goods"), ("取得效果", "effect"), ("备注", "remarks")]
        t = doc.add_table(rows=1 + len(rows), cols=len(cols))
        t.style = "Table Grid"
        for ci, (label, _k) in enumerate(cols):
            set_cell(t.rows[0].cells[ci], label, self.font, self.size)
        for ri, row in enumerate(rows, start=1):
            for ci, (_label, k) in enumerate(cols):
                if row[k].text:
                    set_cell(t.rows[ri].cells[ci], row[k].text, self.font, self.size)
        self.notes.append("retyped: new table, own column order and labels")
        return Filled(self.ident, "activity_stats", self.save(doc), True, f, list(self.STATS_KEYS),
                      dict(self.STATS_TYPES), rows, self.notes, self.blank.school)

    # ---- 安排表
    ARR_KEYS: ClassVar[list[str]] = ["supporting", "supporting_contact", "supported", "supported_contact"]
    ARR_TYPES: ClassVar[dict[str, str]] = {"supporting": "school", "supported": "school",
                                           "supporting_contact": "contact", "supported_contact": "contact"}

    def contact(self) -> Value:
        name = self.person()
        ph, _ = phone_text(self.rng, area_for(self.blank.program, self.blank.school))
        sep = self.rng.choice([" ", "  ", "\n", "，", ""])
        return Value(f"{name}{sep}{ph}", "contact")

    def arrangement(self, retype: bool) -> Filled:
        rng = self.rng
        first = Document(str(self.blank.path)).tables[0].rows[1].cells
        sup, rec = first[0].text.strip(), first[2].text.strip()
        f: dict[str, Value] = {"unit": Value(self.blank.school, "school"),
                               "filled_on": self.date((8, 9), yearless=False)}
        rows = [{"supporting": Value(sup, "school"), "supporting_contact": self.contact(),
                 "supported": Value(rec, "school"), "supported_contact": self.contact()}]
        if self.blank.program == "heze" and sup.startswith("济南市帮扶初中"):
            rows.append({"supporting": Value(sup, "school"), "supporting_contact": rows[0]["supporting_contact"],
                         "supported": Value("高新区吕陵镇初级中学", "school"),
                         "supported_contact": Value("杨冠旗 13406001040", "contact")})
            self.notes.append("second supported school added (1:2 group)")
        if retype:
            doc = fresh_document(self.font, self.size)
            add_line(doc, "结对帮扶安排表", self.font, self.size + 4, bold=True, center=True)
            add_line(doc, f"填报单位：{f['unit'].text}", self.font, self.size)
            t = doc.add_table(rows=1 + len(rows), cols=4)
            t.style = "Table Grid"
            for ci, label in enumerate(["帮扶学校", "帮扶学校联系人及电话", "受援学校", "受援学校联系人及电话"]):
                set_cell(t.rows[0].cells[ci], label, self.font, self.size)
            for ri, row in enumerate(rows, start=1):
                for ci, k in enumerate(self.ARR_KEYS):
                    set_cell(t.rows[ri].cells[ci], row[k].text, self.font, self.size)
            add_line(doc, f"填报日期：{f['filled_on'].text}", self.font, self.size)
            self.notes.append("retyped: new table with spelled-out contact headers")
            return Filled(self.ident, "arrangement", self.save(doc), True, f, list(self.ARR_KEYS),
                          dict(self.ARR_TYPES), rows, self.notes, self.blank.school)
        doc = Document(str(self.blank.path))
        t = doc.tables[0]
        if len(rows) > 1:
            # the second pair goes into the first blank row
            pass
        for ri, row in enumerate(rows, start=1):
            for ci, k in enumerate(self.ARR_KEYS):
                cell = t.rows[ri].cells[ci]
                if k in ("supporting", "supported") and cell.text.strip() == row[k].text:
                    continue  # pre-filled by docgen
                set_cell(cell, row[k].text, self.font, self.size, breaks=rng.choice(["paragraph", "line"]))
        if rng.random() < 0.5:
            for _ in range(rng.randint(1, len(t.rows) - 1 - len(rows))):
                delete_row(t, len(t.rows) - 1)
            self.notes.append("blank rows deleted")
        if rng.random() < 0.4:
            change_widths(t, rng)
            self.notes.append("column widths changed")
        self.header_date(doc, "填报日期", f["filled_on"])
        return Filled(self.ident, "arrangement", self.save(doc), False, f, list(self.ARR_KEYS),
                      dict(self.ARR_TYPES), rows, self.notes, self.blank.school)


def fill_all(blanks: list[Blank], n: int, rng: random.Random, out: Path) -> list[Filled]:
    by_form: dict[str, list[Blank]] = {}
    for b in blanks:
        by_form.setdefault(b.form, []).append(b)
    plan = {"liaison_reply": round(n * 0.3), "filing": round(n * 0.25), "activity_stats": round(n * 0.25)}
    plan["arrangement"] = n - sum(plan.values())
    filled: list[Filled] = []
    i = 0
    for form, count in plan.items():
        pool = by_form[form][:]
        rng.shuffle(pool)
        retyped = set(rng.sample(range(count), max(1, round(count * 0.2))))
        for j in range(count):
            blank = pool[j % len(pool)]
            i += 1
            ident = f"f{i:02d}_{form}"
            filler = Filler(rng, blank, ident, out)
            retype = j in retyped
            made = {"liaison_reply": filler.liaison, "filing": filler.filing, "activity_stats": filler.stats,
                    "arrangement": filler.arrangement}[form](retype)
            made.notes.insert(0, f"blank: {blank.path.name}")
            filled.append(made)
    return filled


# ------------------------------------------------------------------------------------------ PDF and pages


def to_pdf(docxs: list[Path], outdir: Path, work: Path) -> None:
    profile = work / "lo_profile"
    subprocess.run(["soffice", f"-env:UserInstallation=file://{profile}", "--headless", "--convert-to", "pdf",
                    "--outdir", str(outdir), *map(str, docxs)], check=True, capture_output=True, timeout=900)


def rasterise(pdf: Path, dpi: int, work: Path) -> list[np.ndarray]:
    """Pages as 8-bit grey arrays (a scanner's grey mode)."""
    prefix = work / f"r_{pdf.stem}_{dpi}"
    subprocess.run(["pdftoppm", "-r", str(dpi), "-gray", "-png", str(pdf), str(prefix)], check=True)
    pages = sorted(work.glob(f"r_{pdf.stem}_{dpi}-*.png"))
    out = [np.array(Image.open(p).convert("L")) for p in pages]
    for p in pages:
        p.unlink()
    return out


def word_boxes(pdf: Path, dpi: int) -> list[tuple[str, float, float, float, float, int]]:
    """Words with boxes in pixels at ``dpi`` (pdftotext -bbox), to put a seal where a school stamps."""
    html = subprocess.run(["pdftotext", "-bbox", str(pdf), "-"], check=True, capture_output=True).stdout.decode()
    out = []
    page = 0
    for line in html.splitlines():
        if "<page " in line:
            page += 1
        m = re.search(r'xMin="([\d.]+)" yMin="([\d.]+)" xMax="([\d.]+)" yMax="([\d.]+)">(.*)</word>', line)
        if m:
            k = dpi / 72
            out.append((m.group(5), float(m.group(1)) * k, float(m.group(2)) * k, float(m.group(3)) * k,
                        float(m.group(4)) * k, page))
    return out


def on_first_page(f: Filled, pdf: Path) -> Filled:
    """``f`` as a photo of its first page shows it: without the values printed only on later pages.

    A phone photo is of page 1 alone; until the sixth session its expected file still held the rows of page
    2, so every such photo counted them as missing — a measure of the corpus, not of the reader. Conservative
    both ways: a table row goes only when it comes after the last row found on page 1 *and* is found on a
    later page (rows run in order), a field only when page 1 lacks it and a later page has it; the typed text
    is compared with the PDF's, whitespace removed.
    """
    import pdfplumber

    def squash(s: str) -> str:
        return re.sub(r"\s+", "", s)

    with pdfplumber.open(pdf) as doc:
        pages = [(squash(pg.extract_text() or ""),
                  [[squash(c or "") for c in row] for t in pg.extract_tables() for row in t]) for pg in doc.pages]
    first, later = pages[0], pages[1:]

    def on(page: tuple[str, list[list[str]]], v: Value) -> bool:
        t = squash(v.text)
        return t in page[0] or any(t in c for row in page[1] for c in row)

    def row_on(page: tuple[str, list[list[str]]], r: dict[str, Value]) -> bool:
        typed = [squash(v.text) for v in r.values() if v.text.strip()]
        return any(sum(t in row for t in typed) >= 0.8 * len(typed) for row in page[1])  # other rows share some

    out = copy.deepcopy(f)
    out.fields = {k: v for k, v in f.fields.items()
                  if not v.text.strip() or on(first, v) or not any(on(pg, v) for pg in later)}
    last = max((i for i, r in enumerate(f.rows) if row_on(first, r)), default=-1)
    out.rows = [r for i, r in enumerate(f.rows) if i <= last or not any(row_on(pg, r) for pg in later)]
    return out


def seal_anchor(boxes: list[tuple[str, float, float, float, float, int]], school: str) -> tuple[float, float]:
    """Where a school presses its seal: over its name on page 1 (else over the title)."""
    first = [b for b in boxes if b[5] == 1]
    for text, x0, y0, x1, y1, _p in first:
        if school and school[:4] in text:
            return (x0 + x1) / 2, (y0 + y1) / 2
    for text, _x0, y0, x1, y1, _p in first:
        if "单位" in text or "学校" in text:
            return x1, (y0 + y1) / 2
    _t, x0, y0, x1, y1, _p = first[0]
    return (x0 + x1) / 2, (y0 + y1) / 2


# ------------------------------------------------------------------------------------------- degradations


def seal_image(text: str, diameter: int, rng: random.Random) -> np.ndarray:
    """A round official seal (alpha mask 0–1): ring, text along the top arc, a star, a bottom line."""
    scale = 2
    size = diameter * scale
    img = Image.new("L", (size, size), 0)
    draw = ImageDraw.Draw(img)
    ring = max(3, size // 28)
    draw.ellipse([ring, ring, size - ring, size - ring], outline=255, width=ring)
    cx = cy = size / 2
    r_star = size * 0.13
    pts = []
    for k in range(10):
        ang = -math.pi / 2 + k * math.pi / 5
        rr = r_star if k % 2 == 0 else r_star * 0.4
        pts.append((cx + rr * math.cos(ang), cy + rr * math.sin(ang)))
    draw.polygon(pts, fill=255)
    font_px = int(size * 0.13)
    font = ImageFont.truetype(SEAL_FONT, font_px, index=2)
    chars = list(text)
    span = math.radians(min(250, 22 * len(chars)))
    radius = size / 2 - ring * 2.2 - font_px * 0.6
    for i, ch in enumerate(chars):
        ang = -math.pi / 2 - span / 2 + span * (i + 0.5) / len(chars)
        glyph = Image.new("L", (font_px * 2, font_px * 2), 0)
        ImageDraw.Draw(glyph).text((font_px * 0.5, font_px * 0.4), ch, font=font, fill=255)
        glyph = glyph.rotate(-math.degrees(ang) - 90, resample=Image.Resampling.BICUBIC)
        gx = cx + radius * math.cos(ang) - font_px
        gy = cy + radius * math.sin(ang) - font_px
        img.paste(255, (int(gx), int(gy)), glyph)
    bottom = rng.choice(["", "", "专用章"])
    if bottom:
        small = ImageFont.truetype(SEAL_FONT, int(font_px * 0.8), index=2)
        w = draw.textlength(bottom, font=small)
        draw.text((cx - w / 2, cy + size * 0.2), bottom, font=small, fill=255)
    img = img.resize((diameter, diameter), Image.Resampling.LANCZOS)
    mask = np.asarray(img, dtype=np.float32) / 255.0
    # ink is uneven: pressed harder on one side, gaps where the pad was dry
    h, w = mask.shape
    yy, xx = np.mgrid[0:h, 0:w]
    ang = rng.uniform(0, 2 * math.pi)
    grad = 0.65 + 0.35 * ((np.cos(ang) * (xx - w / 2) + np.sin(ang) * (yy - h / 2)) / (w / 2) + 1) / 2
    nrng = np.random.default_rng(rng.randint(0, 2**31))
    speckle = cv2.GaussianBlur(nrng.random((h, w)).astype(np.float32), (0, 0), 1.2)
    speckle = np.clip((speckle - 0.3) * 3, 0, 1)
    seal: np.ndarray = np.clip(mask * grad * (0.55 + 0.45 * speckle), 0, 1)
    return seal


def stamp(rgb: np.ndarray, at: tuple[float, float], dpi: int, school: str, colour: str,
          rng: random.Random) -> np.ndarray:
    """Press a seal (42 mm, as school seals are) centred near ``at``; red ink or a photocopy's grey."""
    d = int(42 / 25.4 * dpi)
    mask = seal_image(school[:12], d, rng)
    mask = np.asarray(Image.fromarray((mask * 255).astype(np.uint8)).rotate(rng.uniform(-25, 25)),
                      dtype=np.float32) / 255
    x = int(at[0] - d / 2 + rng.uniform(-0.15, 0.15) * d)
    y = int(at[1] - d / 2 + rng.uniform(-0.2, 0.2) * d)
    h, w = rgb.shape[:2]
    x0, y0, x1, y1 = max(0, x), max(0, y), min(w, x + d), min(h, y + d)
    if x1 <= x0 or y1 <= y0:
        return rgb
    m = mask[y0 - y:y1 - y, x0 - x:x1 - x][..., None]
    ink = np.array([205, 35, 40] if colour == "red" else ([40, 40, 40] if colour == "black" else [95, 95, 95]),
                   dtype=np.float32)
    out = rgb.astype(np.float32)
    region = out[y0:y1, x0:x1]
    # ink multiplies with paper and print: text under a seal stays visible through it
    region[:] = region * (1 - m) + (region * ink / 255.0) * m
    return np.clip(out, 0, 255).astype(np.uint8)


def skew(img: np.ndarray, degrees: float, fill: int | tuple[int, ...]) -> np.ndarray:
    h, w = img.shape[:2]
    mat = cv2.getRotationMatrix2D((w / 2, h / 2), degrees, 1.0)
    return cv2.warpAffine(img, mat, (w, h), flags=cv2.INTER_LINEAR, borderMode=cv2.BORDER_CONSTANT,
                          borderValue=fill)


def jpeg(img: np.ndarray, quality: int) -> bytes:
    buf = io.BytesIO()
    Image.fromarray(img).save(buf, "JPEG", quality=quality)
    return buf.getvalue()


def scan300(page: np.ndarray, nrng: np.random.Generator) -> np.ndarray:
    """A clean office scan: white paper, a little sensor noise, the glass's faint tilt (≤0.3°)."""
    noisy = page.astype(np.float32) + nrng.normal(0, 3, page.shape)
    out = np.clip(noisy, 0, 255).astype(np.uint8)
    return skew(out, float(nrng.uniform(-0.3, 0.3)), 255)


def grey200(page_rgb: np.ndarray, nrng: np.random.Generator, rng: random.Random) -> tuple[np.ndarray, str]:
    """Grey recycled paper scanned in grey at 200 dpi with the contrast low, then skewed."""
    g = cv2.cvtColor(page_rgb, cv2.COLOR_RGB2GRAY).astype(np.float32) / 255.0
    paper = rng.uniform(175, 210)
    ink = rng.uniform(55, 95)
    out = ink + (paper - ink) * g
    h, w = out.shape
    # paper fibre and uneven scanner lamp
    fibre = cv2.GaussianBlur(nrng.normal(0, 1, (h, w)).astype(np.float32), (0, 0), 2.5) * 6
    lamp = np.linspace(rng.uniform(-8, 0), rng.uniform(0, 8), w, dtype=np.float32)[None, :]
    out = out + fibre + lamp + nrng.normal(0, 4, (h, w))
    blurred: np.ndarray = cv2.GaussianBlur(np.clip(out, 0, 255).astype(np.uint8), (0, 0), 0.6)
    angle = rng.uniform(0.5, 2.0) * rng.choice([-1, 1])
    return skew(blurred, angle, int(paper)), f"skew {angle:+.1f}°, paper {paper:.0f}, ink {ink:.0f}"


def desk(h: int, w: int, rng: random.Random, nrng: np.random.Generator) -> np.ndarray:
    """A desk round the sheet: wood or cloth colour, grain, and things lying about."""
    base = np.array(rng.choice([(150, 110, 75), (120, 85, 60), (185, 180, 170), (90, 95, 105), (60, 55, 50)]),
                    dtype=np.float32)
    img = np.ones((h, w, 3), np.float32) * base
    # grain drawn at a quarter size and scaled up (a blur of this width at full size takes a minute)
    small = cv2.GaussianBlur(nrng.normal(0, 1, (h // 4, w // 4)).astype(np.float32), (0, 0), sigmaX=6, sigmaY=0.5)
    grain = cv2.resize(small, (w, h), interpolation=cv2.INTER_LINEAR)
    img += grain[..., None] * 25
    canvas = np.clip(img, 0, 255).astype(np.uint8)
    for _ in range(rng.randint(3, 7)):
        colour = tuple(int(c) for c in rng.choice([(30, 30, 30), (220, 220, 215), (40, 70, 160), (170, 40, 40),
                                                   (230, 200, 60), (240, 240, 240), (70, 120, 70)]))
        kind = rng.choice(["box", "pen", "mug", "paper"])
        cx, cy = rng.randint(0, w), rng.randint(0, h)
        if kind == "pen":
            ang = rng.uniform(0, math.pi)
            length = rng.randint(w // 8, w // 4)
            p1 = (int(cx - math.cos(ang) * length / 2), int(cy - math.sin(ang) * length / 2))
            p2 = (int(cx + math.cos(ang) * length / 2), int(cy + math.sin(ang) * length / 2))
            cv2.line(canvas, p1, p2, colour, max(4, w // 150))
        elif kind == "mug":
            cv2.circle(canvas, (cx, cy), rng.randint(w // 20, w // 10), colour, -1)
            cv2.circle(canvas, (cx, cy), rng.randint(w // 30, w // 14), (60, 40, 30), -1)
        else:
            rw, rh = rng.randint(w // 10, w // 3), rng.randint(h // 10, h // 3)
            box = cv2.boxPoints(((cx, cy), (rw, rh), rng.uniform(0, 90))).astype(np.int32)
            cv2.fillPoly(canvas, [box], colour)
            if kind == "paper":
                for k in range(3, rh // 12):
                    cv2.line(canvas, (cx - rw // 3, cy - rh // 2 + k * 10), (cx + rw // 4, cy - rh // 2 + k * 10),
                             (90, 90, 90), 1)
    result: np.ndarray = canvas
    return result


def photo(page_rgb: np.ndarray, rng: random.Random, nrng: np.random.Generator) -> tuple[np.ndarray, list[str]]:
    """A phone photo of the sheet on a desk: curl, perspective, uneven light, a shadow on a corner."""
    notes: list[str] = []
    ph, pw = page_rgb.shape[:2]
    # curl / barrel: the sheet bows, the lens bulges
    k = rng.uniform(0.02, 0.06)
    yy, xx = np.mgrid[0:ph, 0:pw].astype(np.float32)
    nx, ny = (xx - pw / 2) / (pw / 2), (yy - ph / 2) / (ph / 2)
    r2 = nx * nx + ny * ny
    bow = rng.uniform(0.005, 0.02) * ph
    map_x = (nx * (1 + k * r2)) * (pw / 2) + pw / 2
    map_y = (ny * (1 + k * r2)) * (ph / 2) + ph / 2 + bow * np.sin(np.pi * xx / pw)
    curled = cv2.remap(page_rgb, map_x, map_y, cv2.INTER_LINEAR, borderMode=cv2.BORDER_CONSTANT,
                       borderValue=(0, 0, 0))
    valid = cv2.remap(np.full((ph, pw), 255, np.uint8), map_x, map_y, cv2.INTER_NEAREST,
                      borderMode=cv2.BORDER_CONSTANT, borderValue=0)
    notes.append(f"barrel/curl k={k:.3f}")
    # perspective onto a desk
    margin = rng.uniform(0.08, 0.2)
    H = int(ph * (1 + 2 * margin))
    W = int(pw * (1 + 2 * margin))
    bg = desk(H, W, rng, nrng)
    ox, oy = pw * margin, ph * margin
    j = 0.06
    dst = np.array([[ox + rng.uniform(-j, j) * pw, oy + rng.uniform(-j, j) * ph],
                    [ox + pw + rng.uniform(-j, j) * pw, oy + rng.uniform(-j, j) * ph],
                    [ox + pw + rng.uniform(-j, j) * pw, oy + ph + rng.uniform(-j, j) * ph],
                    [ox + rng.uniform(-j, j) * pw, oy + ph + rng.uniform(-j, j) * ph]], np.float32)
    src = np.array([[0, 0], [pw, 0], [pw, ph], [0, ph]], np.float32)
    mat = cv2.getPerspectiveTransform(src, dst)
    warped = cv2.warpPerspective(curled, mat, (W, H))
    mask = cv2.warpPerspective(valid, mat, (W, H)).astype(np.float32)[..., None] / 255.0
    img = bg.astype(np.float32) * (1 - mask) + warped.astype(np.float32) * mask
    notes.append("perspective, desk clutter")
    # light: a warm cast, brighter toward the lamp, a soft shadow over one corner (a hand or the phone)
    yy, xx = np.mgrid[0:H, 0:W].astype(np.float32)
    ang = rng.uniform(0, 2 * math.pi)
    light = 0.8 + 0.25 * ((np.cos(ang) * (xx / W - 0.5) + np.sin(ang) * (yy / H - 0.5)) + 0.5)
    corner = rng.choice([(0, 0), (W, 0), (0, H), (W, H)])
    cx, cy = corner
    u, v = rng.uniform(0.35, 0.6), rng.uniform(0.3, 0.55)
    ex = W * u if cx == 0 else W * (1 - u)
    ey = H * v if cy == 0 else H * (1 - v)
    poly = np.array([(cx, cy), (ex, cy), (cx, ey)], np.float32)
    # the soft shadow edge is drawn at an eighth of the size and scaled up (same look, 60× faster)
    shadow = np.zeros((H // 8, W // 8), np.float32)
    cv2.fillPoly(shadow, [(poly / 8).astype(np.int32)], 1.0)
    soft: np.ndarray = cv2.resize(cv2.GaussianBlur(shadow, (0, 0), W * 0.05 / 8), (W, H),
                                  interpolation=cv2.INTER_LINEAR)
    depth = rng.uniform(0.35, 0.55)
    light = light * (1 - depth * soft)
    tint = np.array([1.0, rng.uniform(0.95, 1.0), rng.uniform(0.85, 0.95)], np.float32)
    img = img * light[..., None] * tint
    notes.append(f"corner shadow {depth:.2f} at {corner}")
    img = img + nrng.normal(0, 4, img.shape)
    img = np.clip(img, 0, 255).astype(np.uint8)
    img = cv2.GaussianBlur(img, (0, 0), rng.uniform(0.5, 1.0))
    long_side = rng.randint(1500, 1700)
    s = long_side / max(H, W)
    img = cv2.resize(img, (int(W * s), int(H * s)), interpolation=cv2.INTER_AREA)
    notes.append(f"{img.shape[1]}x{img.shape[0]} px")
    return img, notes


def image_pdf(pages: list[np.ndarray], dpi: int, quality: int) -> bytes:
    """Scans wrapped in a PDF, as a scanner's 'scan to PDF' writes them: one JPEG per page."""
    ims = [Image.open(io.BytesIO(jpeg(p, quality))) for p in pages]
    buf = io.BytesIO()
    fixed = time.gmtime(1553040000)  # 2019-03-20: the same bytes on every run
    ims[0].save(buf, "PDF", resolution=float(dpi), save_all=True, append_images=ims[1:], creationDate=fixed,
                modDate=fixed)
    return buf.getvalue()


# ------------------------------------------------------------------------------------------------ corpus


def build(out: Path, seed: int, n: int, work: Path) -> list[dict[str, Any]]:
    rng = random.Random(seed)
    nrng = np.random.default_rng(seed)
    out.mkdir(parents=True, exist_ok=True)
    docx_dir = work / "filled"
    docx_dir.mkdir(parents=True, exist_ok=True)
    blanks = make_blanks(work)
    filled = fill_all(blanks, n, rng, docx_dir)
    pdf_dir = work / "pdf"
    pdf_dir.mkdir(exist_ok=True)
    to_pdf([f.docx for f in filled], pdf_dir, work)
    manifest: list[dict[str, Any]] = []

    def emit(f: Filled, name: str, data: bytes, kind: str, degr: list[str], pages: int) -> None:
        (out / name).write_bytes(data)
        exp = f.expected()
        exp["source_form"] = f.ident
        stem = name.rsplit(".", 1)[0]
        (out / f"{stem}.expected.json").write_text(json.dumps(exp, ensure_ascii=False, indent=1) + "\n",
                                                   encoding="utf-8")
        manifest.append({"file": name, "expected": f"{stem}.expected.json", "form": f.form, "kind": kind,
                         "layout": "retyped" if f.retyped else "our_form", "pages": pages,
                         "source_form": f.ident, "filling": f.notes, "degradations": degr})

    # Two device variants per form, dealt so each image kind gets the same share.
    deck: list[str] = []
    while len(deck) < 2 * len(filled):
        batch = list(IMAGE_KINDS)
        rng.shuffle(batch)
        deck.extend(batch)
    for idx, f in enumerate(filled):
        pdf = pdf_dir / f"{f.ident}.pdf"
        npages = len(rasterise_count(pdf))
        emit(f, f"{f.ident}.docx", f.docx.read_bytes(), "retyped" if f.retyped else "docx",
             ["retyped in a new document"] if f.retyped else [], npages)
        emit(f, f"{f.ident}.pdf", pdf.read_bytes(), "pdf", ["LibreOffice export"], npages)
        kinds = deck[2 * idx:2 * idx + 2]
        if kinds[0] == kinds[1]:
            kinds[1] = next(k for k in IMAGE_KINDS if k != kinds[0])
        for kind in kinds:
            make_image_variant(f, pdf, kind, npages, rng, nrng, work, emit)
    (out / "manifest.json").write_text(json.dumps({"seed": seed, "forms": n, "files": manifest},
                                                  ensure_ascii=False, indent=1) + "\n", encoding="utf-8")
    return manifest


def rasterise_count(pdf: Path) -> list[int]:
    info = subprocess.run(["pdfinfo", str(pdf)], check=True, capture_output=True).stdout.decode()
    m = re.search(r"Pages:\s+(\d+)", info)
    return list(range(int(m.group(1)) if m else 1))


def make_image_variant(f: Filled, pdf: Path, kind: str, npages: int, rng: random.Random,
                       nrng: np.random.Generator, work: Path, emit: Any) -> None:
    degr: list[str] = []
    if kind == "scan300":
        pages = [scan300(p, nrng) for p in rasterise(pdf, 300, work)]
        degr = ["300 dpi grey scan, light noise, tilt ≤0.3°"]
        if len(pages) == 1:
            emit(f, f"{f.ident}_scan300.jpg", jpeg(pages[0], 92), kind, [*degr, "JPEG q92"], 1)
        else:
            emit(f, f"{f.ident}_scan300.pdf", image_pdf(pages, 300, 92), kind, [*degr, "multi-page → PDF"],
                 len(pages))
        return
    if kind == "grey200":
        colour = rng.choice(["red", "black", "grey"])
        boxes = word_boxes(pdf, 200)
        raw = rasterise(pdf, 200, work)
        pages = []
        for i, p in enumerate(raw):
            rgb = np.stack([p] * 3, axis=-1)
            if i == 0:
                rgb = stamp(rgb, seal_anchor(boxes, f.school), 200, f.school, colour, rng)
            g, note = grey200(rgb, nrng, rng)
            pages.append(g)
            if i == 0:
                degr.append(note)
        q = rng.randint(50, 75)
        degr = [f"200 dpi grey paper, low contrast, JPEG q{q}", f"{colour} seal over the school name", *degr]
        if len(pages) == 1:
            emit(f, f"{f.ident}_grey200.jpg", jpeg(pages[0], q), kind, degr, 1)
        else:
            emit(f, f"{f.ident}_grey200.pdf", image_pdf(pages, 200, q), kind, [*degr, "multi-page → PDF"],
                 len(pages))
        return
    if kind == "photo":
        boxes = word_boxes(pdf, 200)
        page = rasterise(pdf, 200, work)[0]
        rgb = np.stack([page] * 3, axis=-1)
        if rng.random() < 0.6:
            rgb = stamp(rgb, seal_anchor(boxes, f.school), 200, f.school, "red", rng)
            degr.append("red seal over the school name")
        img, notes = photo(rgb, rng, nrng)
        q = rng.randint(75, 90)
        degr = ["phone photo", *notes, f"JPEG q{q}", *degr]
        if npages > 1:
            degr.append(f"page 1 of {npages} only")
            f = on_first_page(f, pdf)
        emit(f, f"{f.ident}_photo.jpg", jpeg(img, q), kind, degr, 1)
        return
    if kind == "rotated":
        turn = rng.choice([90, 180, 180, 270])
        dpi = rng.choice([200, 300])
        pages = [np.ascontiguousarray(np.rot90(scan300(p, nrng), k=turn // 90))
                 for p in rasterise(pdf, dpi, work)]
        degr = [f"page turned {turn}° (counter-clockwise)", f"{dpi} dpi scan"]
        if len(pages) == 1 and rng.random() < 0.5:
            emit(f, f"{f.ident}_rot{turn}.jpg", jpeg(pages[0], 85), kind, [*degr, "JPEG q85"], 1)
        else:
            emit(f, f"{f.ident}_rot{turn}.pdf", image_pdf(pages, dpi, 85), kind, [*degr, "image-only PDF"],
                 len(pages))
        return
    if kind == "imagepdf":
        dpi = rng.choice([200, 300])
        colour = rng.choice(["red", "none"])
        boxes = word_boxes(pdf, dpi)
        pages = []
        for i, p in enumerate(rasterise(pdf, dpi, work)):
            s = scan300(p, nrng)
            if i == 0 and colour == "red":
                rgb = stamp(np.stack([s] * 3, axis=-1), seal_anchor(boxes, f.school), dpi, f.school, "red", rng)
                pages.append(rgb)
            else:
                pages.append(s)
        q = rng.randint(70, 90)
        degr = [f"{dpi} dpi scan wrapped in an image-only PDF, JPEG q{q}"]
        if colour == "red":
            degr.append("red seal over the school name")
        emit(f, f"{f.ident}_imagepdf.pdf", image_pdf(pages, dpi, q), kind, degr, len(pages))
        return
    raise ValueError(kind)


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--out", type=Path, default=ROOT / "bench/corpus_field")
    ap.add_argument("--seed", type=int, default=12)
    ap.add_argument("--forms", type=int, default=40)
    ap.add_argument("--work", type=Path, default=None, help="keep intermediate files here (default: a temp dir)")
    args = ap.parse_args(argv)
    if args.work is not None:
        args.work.mkdir(parents=True, exist_ok=True)
        manifest = build(args.out, args.seed, args.forms, args.work)
    else:
        with tempfile.TemporaryDirectory(prefix="field_corpus_") as tmp:
            manifest = build(args.out, args.seed, args.forms, Path(tmp))
    total = sum((args.out / m["file"]).stat().st_size for m in manifest)
    kinds: dict[str, int] = {}
    for m in manifest:
        kinds[m["kind"]] = kinds.get(m["kind"], 0) + 1
    print(f"{len(manifest)} files, {total / 1e6:.1f} MB in {args.out}: "
          + ", ".join(f"{k} {kinds.get(k, 0)}" for k in KINDS))
    return 0


if __name__ == "__main__":
    shutil.which("soffice") or sys.exit("LibreOffice (soffice) is needed")
    raise SystemExit(main())
