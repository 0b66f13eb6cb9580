"""The self-made test corpus: the project's own blank forms, filled the ways schools fill them, with truth.

    python -m testkit.corpus --out /tmp/corpus --n 20        # materialise: every input file + <file>.truth.json

    from testkit.corpus import build_corpus
    cases = build_corpus(n=4, kinds=("docx", "pdf", "scan200"))   # list[Case], deterministic for a seed

A *source* is one filled form, made in one of the fill styles:

* ``word``         the blank form docx (docgen's own template rendered for a pair, or — until that exists —
                   one built here after the seed's layout) with its blank cells filled by editing the XML
                   the way Word does (the paragraph mark's run properties become the run's), some rows
                   left blank, long 取得效果 that wrap, sometimes two paragraphs in a cell, the 备注 footer
                   added to;
* ``word_merged``  as ``word``, with the 活动时间 cells of two adjacent rows merged vertically (truth: the
                   text in both rows);
* ``word_extra``   as ``word``, with rows added beyond the blank form's 12;
* ``clerk``        retyped by a clerk in a new document: other table style and widths, columns reordered,
                   synonym headers (时间, 受益人次, 地点…), an extra 联系电话 column, more rows than the form;
* ``filing`` / ``liaison_reply``  the 备案表 and 回执 key–value forms filled the Word way (only when their
                   templates exist in ``templates/forms/``).

Each source becomes one case per *input kind*: ``docx``; ``pdf`` (LibreOffice export, one pool for the
whole corpus); ``scan300`` / ``scan200`` (rasterised with pypdfium2 and degraded: red stamp across cells,
pen signature, skew up to ±3°, blur, noise, JPEG q 60–80); ``photo`` (stamp, signature, phone-photo
perspective on a desk, uneven light, JPEG); ``scan_pdf`` (degraded pages wrapped in an image-only PDF).
A form that runs to several pages is photographed page by page (``.p1``, ``.p2``: each page's truth is the
rows printed on it).

Truth: ``{"form", "identity", "fields": {label: text}, "tables": [{"columns": [...], "rows": [[...]]}],
"meta": {...}}`` — columns are the schema's labels in schema order; a merged cell's text is in every row it
covers; ``meta`` records the style, the degradations and merged spans. Degradations come from
``testkit/scan_fixtures.py`` (pure image functions).
"""

from __future__ import annotations

import argparse
import copy
import io
import json
import random
import re
import sys
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from docx import Document
from docx.document import Document as DocxDocument
from docx.enum.table import WD_TABLE_ALIGNMENT
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import Mm
from docx.table import Table, _Cell
from docx.text.paragraph import Paragraph

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:  # run as a script or with -m from elsewhere
    sys.path.insert(0, str(ROOT))

from docgen.forms import FormSchema, load_schemas  # noqa: E402
from docgen.render.cjk import cjk_run, set_cjk_font  # noqa: E402
from testkit import scan_fixtures as sf  # noqa: E402
from testkit.accuracy import header_to_label, norm, table_from_grid  # noqa: E402

SAMPLE_PROGRAM = ROOT / "samples" / "pengzhou_heishui" / "program.yaml"
SAMPLE_ROSTER = ROOT / "samples" / "pengzhou_heishui" / "roster.txt"
FORM_TEMPLATES = ROOT / "docgen" / "templates" / "forms"

IMAGE_KINDS = ("scan300", "scan200", "photo", "scan_pdf")
ALL_KINDS = ("docx", "pdf", "scan300", "scan200", "photo", "scan_pdf")
TABLE_STYLES = ("word", "word_merged", "word_extra", "clerk")

Image8 = sf.Image8


@dataclass(frozen=True)
class Case:
    """One input file of the corpus and what a perfect reader returns for it."""

    name: str  # file name, e.g. 003_word_merged.scan200.jpg
    data: bytes
    input_kind: str  # one of ALL_KINDS
    style: str
    truth: dict[str, Any]
    pages: int = 1

    @property
    def source(self) -> str:
        return self.name.split(".", 1)[0]


@dataclass
class _Source:
    """One filled form before export."""

    key: str
    style: str
    docx: bytes
    truth: dict[str, Any]
    pdf: bytes | None = None
    pages: int = 0
    seed: int = 0
    extra: dict[str, Any] = field(default_factory=dict)


# ============================================================================================ sample values

_SURNAMES = (
    "张王李刘陈杨赵黄周吴徐孙胡朱高林何郭马罗梁宋郑谢韩唐冯于董萧程曹袁邓许傅沈曾彭吕苏卢蒋蔡贾丁魏薛叶阎"
    "余潘杜戴夏钟汪田任姜范方石姚谭廖邹熊金陆郝孔白崔康毛邱秦江史顾侯邵孟龙万段雷钱汤尹黎易常武乔贺赖龚文"
)
_GIVEN = (
    "伟芳娜敏静丽强磊军洋勇艳杰娟涛明超秀霞平刚桂英华玉兰萍红建文辉力永健世广志义兴良海山仁波宁贵福生龙元"
    "全国胜学祥才发武新利清飞彬富顺信子杰涛昌成康星光天达安岩中茂进林有坚和彪博诚先敬震振壮会思群豪心邦承"
    "乐绍功松善厚庆磊民友裕河哲江超浩亮政谦亨奇固之轮翰朗伯宏言若鸣朋斌梁栋维启克伦翔旭鹏泽晨辰士以建家致"
    "树炎德行时泰盛雄琛钧冠策腾楠榕风航弘"
)
_ACTIVITIES = ("送教下乡", "联合教研", "党建共建活动", "校长互访交流", "名师示范课", "校本培训指导", "远程同步课堂",
               "捐资助学", "学生手拉手交流", "班主任工作经验交流", "同课异构", "学校管理工作交流", "主题党日活动")
_SUPPORTED = ("黑水县芦花完全小学校", "黑水县扎窝中心校", "黑水县七一维古小学", "黑水县知木林寄宿制小学校",
              "黑水县红岩寄宿制小学校", "黑水县色尔古寄宿制小学校", "黑水县沙石多中心小学", "黑水县木苏乡中心小学")
_SUPPORTING = ("彭州市西郊小学", "彭州市九尺镇小学", "彭州市清平小学", "彭州市濛阳七一竹瓦九年制学校",
               "彭州市丽春镇小学", "彭州市通济镇蓝天小学", "彭州市濛阳小学", "彭州市军乐镇小学")
_PLANS = ("示范课2节、专题讲座1场", "集体备课、评课议课", "座谈交流", "主题党日活动", "听课评课、教研座谈",
          "送课3节", "管理经验交流会", "学生结对联谊", "教师培训2场")
_GOODS = ("资金2万元", "图书500册", "资金5000元、文具200套", "无", "", "体育器材一批", "图书300册、书包100个",
          "资金1.5万元", "电脑5台", "")
_EFFECTS_SHORT = ("良好", "效果显著", "达成共识", "反响良好", "受到师生好评")
_EFFECT_PARTS = ("通过示范课和专题讲座，受援学校教师在课堂教学设计、信息技术融合等方面得到具体指导",
                 "教研氛围明显增强，双方约定下学期继续开展同课异构活动",
                 "双方就学校管理、教师培养和校园文化建设深入交流，形成了下一阶段帮扶工作清单",
                 "受援学校青年教师参与积极，课后反思质量提高，备课组活动更加规范",
                 "捐赠物资已全部登记入库并发放到班级，学生阅读兴趣明显提高",
                 "两校党组织共同开展主题党日，党员教师互相交流，增进了民族团结和两地情谊")
_REMARKS = ("", "", "", "已上报简报", "附照片12张", "附签到表", "资金已入账")
_FOOTER_ADD = ("附：活动照片12张、签到表3份。", "资金物品印证材料另附。", "")


def _name(rng: random.Random) -> str:
    return rng.choice(_SURNAMES) + "".join(rng.choice(_GIVEN) for _ in range(rng.choice((1, 2, 2))))


def _staff(rng: random.Random) -> str:
    k = rng.choice((1, 1, 2, 3))
    names = "、".join(_name(rng) for _ in range(k))
    return names + (f"等{rng.randint(4, 9)}人" if rng.random() < 0.15 else "")


def _when(rng: random.Random) -> str:
    y, m, d = 2019, rng.randint(3, 11), rng.randint(1, 25)
    return rng.choice((
        f"{y}年{m}月{d}日",
        f"{y}.{m}.{d}",
        f"{y}-{m}-{d}—{m}-{d + rng.randint(1, 3)}",
        f"{y}年{m}月{d}日-{d + rng.randint(1, 3)}日",
        f"{y}/{m}/{d}",
        f"{y}年{m}月{d}日",
    ))


def _count(rng: random.Random) -> str:
    n = rng.choice((16, 45, 60, 120, 150, 200, 300, 36))
    return rng.choice((f"{n}人次", f"约{n}人次", f"{n}人次", f"{n}人"))


def _effect(rng: random.Random, long: bool) -> str:
    if not long:
        return rng.choice(_EFFECTS_SHORT)
    a, b = rng.sample(_EFFECT_PARTS, 2)
    return f"{a}，{b}。"


def activity_row(rng: random.Random, *, long_effect: bool) -> dict[str, str]:
    """One realistic 统计表 row by column key."""
    supported = rng.choice(_SUPPORTED)
    return {
        "activity": rng.choice(_ACTIVITIES),
        "staff": _staff(rng),
        "when": _when(rng),
        "where": rng.choice((supported, supported, rng.choice(_SUPPORTING))),
        "plan": rng.choice(_PLANS),
        "beneficiaries": _count(rng),
        "funds_goods": rng.choice(_GOODS),
        "effect": _effect(rng, long_effect),
        "remarks": rng.choice(_REMARKS),
    }


def _date_filled(rng: random.Random) -> str:
    return f"2019年{rng.randint(5, 12)}月{rng.randint(1, 28)}日"


def _phone(rng: random.Random) -> str:
    return "1" + rng.choice("3589") + "".join(str(rng.randint(0, 9)) for _ in range(9))


# ============================================================================================ docx helpers


def _add_text(paragraph: Paragraph, text: str, face: str = "仿宋_GB2312", size: float = 12, bold: bool = False) -> None:
    cjk_run(paragraph, text, face, size=size, bold=bold)


def _unique_cells(row: Any) -> list[_Cell]:
    """The row's cells once each (python-docx repeats a merged cell at every grid position)."""
    out: list[_Cell] = []
    seen: set[Any] = set()
    for c in row.cells:
        if c._tc not in seen:
            seen.add(c._tc)
            out.append(c)
    return out


def write_cell(cell: _Cell, text: str, *, paragraphs: Sequence[str] | None = None) -> None:
    """Type ``text`` into an empty cell as Word does: the first paragraph's mark formatting (``w:pPr/w:rPr``)
    becomes the run's; a second paragraph copies the first's properties."""
    texts = list(paragraphs) if paragraphs else [text]
    first = cell.paragraphs[0]
    ppr = first._p.pPr
    mark = ppr.find(qn("w:rPr")) if ppr is not None else None
    if mark is None and first.runs and first.runs[0]._r.rPr is not None:  # an emptied template run
        mark = first.runs[0]._r.rPr
    for r in list(first.runs):
        r._r.getparent().remove(r._r)
    for p in cell.paragraphs[1:]:
        p._p.getparent().remove(p._p)
    para = first
    for i, t in enumerate(texts):
        if i:
            new_p = copy.deepcopy(first._p)
            for r in new_p.findall(qn("w:r")):
                new_p.remove(r)
            para._p.addnext(new_p)
            para = Paragraph(new_p, first._parent)
        run = para.add_run(t)
        if mark is not None:
            rpr = copy.deepcopy(mark)
            rpr.tag = qn("w:rPr")
            run._r.insert(0, rpr)
        else:
            set_cjk_font(run._r.get_or_add_rPr(), "仿宋_GB2312")


def _cell_text(cell: _Cell) -> str:
    return "".join(p.text for p in cell.paragraphs)


# ============================================================================================ blank forms


def _sample_pair(rng: random.Random) -> tuple[Any, Any]:
    from docgen.files import load_program
    from docgen.roster import read_roster

    program = load_program(SAMPLE_PROGRAM)
    roster = read_roster(SAMPLE_ROSTER.read_bytes(), SAMPLE_ROSTER.name)
    groups = list(roster.units(program.group_policy))
    return program, rng.choice(groups)


def docgen_blank(schema: FormSchema, rng: random.Random) -> tuple[bytes, str, dict[str, str]] | None:
    """The blank form docgen generates for a random sample pair: (docx, identity code, pre-filled fields by
    label). None while ``templates/forms/<kind>.docx`` or ``docgen.forms.generate`` is not there yet."""
    path = FORM_TEMPLATES / f"{schema.kind}.docx"
    if not path.exists():
        return None
    try:
        from docgen.forms.generate import FormKind, form_context, identity_for, render_form
    except ImportError:
        return None
    from docgen.render.docx import CompiledTemplate

    program, group = _sample_pair(rng)
    school = rng.choice(FormKind(schema).schools(group))  # whom the batch prints it for: the group, or a school
    ctx = form_context(program, group, schema, school)
    identity = identity_for(program, group, schema, school)
    template = CompiledTemplate.compile(path.read_bytes(), path.name)
    docx = render_form(template, schema, ctx)
    prefilled = {f.label: ctx["fields"].get(f.key, "") for f in schema.fields if ctx["fields"].get(f.key)}
    return docx, identity.code, prefilled


_STATS_TITLE = "彭州·黑水“校校结对”教育交流活动情况统计表"
_STATS_HEADERS = ("序号", "活动名称", "派出人员", "活动时间", "活动地点", "活动安排", "受援人次",
                  "开展项目涉及到的资金、物品(资金、物品需有印证材料)", "取得效果", "备注")
_STATS_WIDTHS = (11, 24, 24, 28, 30, 28, 18, 34, 47, 23)
_STATS_FOOTER = (
    "备注：活动结束后，一周内上报活动材料和活动情况统计表至党委办和人事科，并将电子邮件发送至彭州教育政工"
    "人事群共享。"
)


def seed_blank_activity_stats(blank_rows: int = 12) -> bytes:
    """附件3 after the seed's layout (landscape A4, 10 columns, blank rows, merged 备注 footer) — the stand-in
    until docgen's own ``templates/forms/activity_stats.docx`` exists. Blank cells carry paragraph-mark
    formatting (仿宋_GB2312 10.5 pt), as a form made in Word does."""
    doc = sf.landscape_a4(15, 15, 12)
    p = doc.add_paragraph()
    _add_text(p, "附件3", "黑体", 12)
    p = doc.add_paragraph()
    p.alignment = WD_ALIGN_PARAGRAPH.CENTER
    _add_text(p, _STATS_TITLE, "方正小标宋简体", 18)
    p = doc.add_paragraph()
    _add_text(p, "填报单位：　　　　　　　　　　　　　　　　　　　　　　　　　　填报时间：　　年　　月　　日", size=12)
    tbl = doc.add_table(rows=blank_rows + 2, cols=len(_STATS_HEADERS))
    tbl.style = "Table Grid"
    tbl.alignment = WD_TABLE_ALIGNMENT.CENTER
    for r, row in enumerate(tbl.rows):
        row.height = Mm(9)
        for c, cell in enumerate(row.cells):
            cell.width = Mm(_STATS_WIDTHS[c])
            para = cell.paragraphs[0]
            para.alignment = WD_ALIGN_PARAGRAPH.CENTER
            if r == 0:
                _add_text(para, _STATS_HEADERS[c], "黑体", 10.5)
            else:
                ppr = para._p.get_or_add_pPr()
                mark = OxmlElement("w:rPr")
                ppr.append(mark)
                set_cjk_font(mark, "仿宋_GB2312", size=10.5)
    foot = tbl.rows[-1]
    merged = foot.cells[0].merge(foot.cells[-1])
    for extra in merged.paragraphs[1:]:
        extra._p.getparent().remove(extra._p)
    merged.paragraphs[0].alignment = WD_ALIGN_PARAGRAPH.LEFT
    _add_text(merged.paragraphs[0], _STATS_FOOTER, "仿宋_GB2312", 10.5)
    p = doc.add_paragraph()
    _add_text(p, "填表人：　　　　　　　　　　审核人：", size=12)
    buf = io.BytesIO()
    doc.save(buf)
    return buf.getvalue()


def blank_form(schema: FormSchema, rng: random.Random) -> tuple[bytes, str | None, dict[str, str]] | None:
    """The blank form for ``schema``: docgen's own when it exists, else the seed stand-in (统计表 only)."""
    made = docgen_blank(schema, rng)
    if made is not None:
        return made
    if schema.kind == "activity_stats":
        return seed_blank_activity_stats(schema.table.blank_rows if schema.table else 12), None, {}
    return None


# ============================================================================================ filling forms


def _schema_columns(schema: FormSchema) -> list[tuple[str, tuple[str, ...]]]:
    assert schema.table is not None
    return [(c.label, c.synonyms) for c in schema.table.columns]


def _find_form_table(doc: DocxDocument, schema: FormSchema) -> tuple[Table, int, list[str | None]] | None:
    """The table holding the schema's columns, its header row index and the label of each grid column."""
    cols = _schema_columns(schema)
    for tbl in doc.tables:
        for r, row in enumerate(tbl.rows[:4]):
            labels = [header_to_label(_cell_text(c), cols) for c in row.cells]
            if sum(1 for x in labels if x) >= 3:
                return tbl, r, labels
    return None


def _is_footer(row: Any, schema: FormSchema) -> bool:
    assert schema.table is not None
    text = norm(_cell_text(row.cells[0]))
    return any(text.startswith(norm(f)) for f in schema.table.footer_labels) or len(_unique_cells(row)) == 1


_BLANK_DATE = re.compile(r"([\s　]*)年[\s　]+月[\s　]+日")
_BLANK_VALUE = re.compile(r"^[\s_　年月日（）()盖章]*$")


def _fill_field_lines(doc: DocxDocument, schema: FormSchema, values: dict[str, str]) -> dict[str, str]:
    """Fill ``label：____`` placeholders in paragraphs (body, headers, table cells) with ``values`` (by field
    label); returns the field texts as they now stand (pre-filled ones included)."""
    out: dict[str, str] = {}
    names = sorted(((n, f.label) for f in schema.fields for n in f.labels), key=lambda x: -len(x[0]))
    pattern = re.compile("(" + "|".join(re.escape(n) for n, _ in names) + ")[：:]")
    label_of = dict(names)

    def paragraphs() -> Iterable[Paragraph]:
        yield from doc.paragraphs
        for sec in doc.sections:
            yield from sec.header.paragraphs
        for tbl in doc.tables:
            for row in tbl.rows:
                for cell in _unique_cells(row):
                    yield from cell.paragraphs

    dates = [f.label for f in schema.fields if f.type.value == "date"]
    for para in paragraphs():
        text = para.text
        for m in reversed(list(_BLANK_DATE.finditer(text))):  # 年 月 日 printed without a label
            before = text[: m.start()].rstrip()
            free = [d for d in dates if d in values and d not in out]
            if free and before and not before.endswith(("：", ":")):
                gap = "\t" if "\t" in m.group(1) else "　　"
                text = text[: m.start()] + gap + values[free[0]] + text[m.end() :]
                out[free[0]] = values[free[0]]
        if text != para.text and para.runs:
            para.runs[0].text = text
            for r in para.runs[1:]:
                r._r.getparent().remove(r._r)
        hits = list(pattern.finditer(text))
        if not hits or not para.runs:
            continue
        pieces, pos, changed = [], 0, False
        for i, m in enumerate(hits):
            end = hits[i + 1].start() if i + 1 < len(hits) else len(text)
            label = label_of[m.group(1)]
            segment = text[m.end() : end]
            pieces.append(text[pos : m.end()])
            if _BLANK_VALUE.match(segment) and label in values:
                gap = "　　　　" if i + 1 < len(hits) else ""
                pieces.append(values[label] + gap)
                out[label] = values[label]
                changed = True
            else:
                pieces.append(segment)
                if not _BLANK_VALUE.match(segment):  # pre-filled: the value ends at a tab or a wide gap
                    out[label] = re.split(r"\t|[ 　]{2,}", segment.strip(" 　\t"))[0]
            pos = end
        if changed:
            runs = para.runs
            runs[0].text = "".join(pieces) + text[pos:]
            for r in runs[1:]:
                r._r.getparent().remove(r._r)
    return out


def _fill_field_cells(doc: DocxDocument, schema: FormSchema, values: dict[str, str]) -> dict[str, str]:
    """Key–value tables: a label cell (a field label or synonym) followed by its value cell; grid tables whose
    row label + column header make a field label (联络员 + 姓名 → 联络员姓名)."""
    out: dict[str, str] = {}
    by_name = {norm(n): f.label for f in schema.fields for n in f.labels}
    for tbl in doc.tables:
        header = [norm(_cell_text(c)) for c in tbl.rows[0].cells] if tbl.rows else []
        for row in tbl.rows:
            cells = row.cells
            uniq = _unique_cells(row)
            for i, cell in enumerate(uniq[:-1]):
                label = by_name.get(norm(_cell_text(cell)).rstrip("：:"))
                nxt = uniq[i + 1]
                if label and label not in out and norm(nxt.text) == "" and label in values:
                    write_cell(nxt, values[label])
                    out[label] = values[label]
                elif label and label not in out and norm(nxt.text) and not by_name.get(norm(nxt.text)):
                    out[label] = nxt.text
            row_label = norm(_cell_text(cells[0]))
            for k, cell in enumerate(cells[1:], start=1):
                label = by_name.get(row_label + (header[k] if k < len(header) else ""))
                if label and label not in out and label in values and norm(cell.text) == "":
                    write_cell(cell, values[label])
                    out[label] = values[label]
    return out


def _renumber(rows: list[list[str]], columns: list[str]) -> None:
    if "序号" in columns:
        k = columns.index("序号")
        n = 0
        for r in rows:
            if any(v for c, v in zip(columns, r, strict=True) if c != "序号"):
                n += 1
                r[k] = str(n)


def fill_word_table_form(blank: bytes, schema: FormSchema, rng: random.Random, style: str,
                         prefilled: dict[str, str]) -> tuple[bytes, dict[str, Any]]:
    """Fill the 统计表's blank cells the Word way; returns (docx, truth without form/identity)."""
    assert schema.table is not None
    doc = Document(io.BytesIO(blank))
    found = _find_form_table(doc, schema)
    if found is None:
        raise ValueError(f"no {schema.kind} table in the blank form")
    tbl, head, grid_labels = found
    columns = [c.label for c in schema.table.columns]
    body = [row for row in tbl.rows[head + 1 :]]
    footer_row = next((r for r in body if _is_footer(r, schema)), None)
    data_rows = [r for r in body if r is not footer_row]
    if style == "word_extra":  # rows added beyond the blank form's count, copied from its last data row
        last = data_rows[-1]
        for _ in range(rng.randint(2, 4)):
            tr = copy.deepcopy(last._tr)
            last._tr.addnext(tr)
        data_rows = [r for r in tbl.rows[head + 1 :] if not _is_footer(r, schema)]
    n = len(data_rows)
    filled_count = {"word": rng.randint(4, 6), "word_merged": rng.randint(4, 6), "word_extra": n}[style]
    filled_idx = list(range(filled_count))
    if style != "word_extra" and rng.random() < 0.5 and filled_count < n - 1:  # a blank row left mid-table
        gap = rng.randint(1, filled_count - 1)
        filled_idx = [i if i < gap else i + 1 for i in filled_idx]
    long_rows = set(rng.sample(filled_idx, k=min(rng.randint(1, 2), len(filled_idx))))
    truth_rows: list[list[str]] = [[""] * len(columns) for _ in range(n)]
    serial_col = grid_labels.index("序号") if "序号" in grid_labels else None
    for i, row in enumerate(data_rows):
        cells = row.cells
        if serial_col is not None and norm(cells[serial_col].text):  # the form prints 序号
            truth_rows[i][columns.index("序号")] = norm(cells[serial_col].text)
        if i not in filled_idx:
            continue
        values = activity_row(rng, long_effect=i in long_rows)
        values["serial"] = str(filled_idx.index(i) + 1)
        for k, cell in enumerate(cells):
            label = grid_labels[k]
            if label is None or (k > 0 and cells[k - 1]._tc is cell._tc):
                continue
            key = schema.table.columns[columns.index(label)].key
            text = values.get(key, "")
            if norm(cell.text):  # pre-printed (序号): keep
                truth_rows[i][columns.index(label)] = norm(cell.text)
                continue
            if not text:
                continue
            split = None
            if key == "effect" and len(text) > 40 and rng.random() < 0.4:  # Enter pressed mid-cell
                cut = text.index("，") + 1
                split = [text[:cut], text[cut:]]
            write_cell(cell, text, paragraphs=split)
            truth_rows[i][columns.index(label)] = text
    merged: list[dict[str, Any]] = []
    if style == "word_merged":
        when_col = grid_labels.index("活动时间")
        i = next(j for j in filled_idx if j + 1 in filled_idx)  # near the top: stays on page 1
        top, below = data_rows[i].cells[when_col], data_rows[i + 1].cells[when_col]
        write_cell(below, "")
        for p in below.paragraphs:
            for r in p.runs:
                r._r.getparent().remove(r._r)
        m = top.merge(below)
        for p in m.paragraphs[1:]:
            if not p.text:
                p._p.getparent().remove(p._p)
        text = truth_rows[i][columns.index("活动时间")]
        truth_rows[i + 1][columns.index("活动时间")] = text
        merged.append({"column": "活动时间", "rows": 2, "text": text})
    if footer_row is not None:
        add = rng.choice(_FOOTER_ADD)
        if add:
            cell = _unique_cells(footer_row)[-1]
            para = cell.add_paragraph()
            src = cell.paragraphs[0].runs
            run = para.add_run(add)
            if src and src[0]._r.rPr is not None:
                run._r.insert(0, copy.deepcopy(src[0]._r.rPr))
    field_values = {}
    for f in schema.fields:
        if f.label in prefilled:
            continue
        if f.type.value == "date":
            field_values[f.label] = _date_filled(rng)
        elif f.type.value == "school":
            field_values[f.label] = rng.choice(_SUPPORTING)
    fields = {**prefilled, **_fill_field_cells(doc, schema, field_values),
              **_fill_field_lines(doc, schema, field_values)}
    rows = [r for r in truth_rows if any(v for c, v in zip(columns, r, strict=True) if c != "序号")]
    buf = io.BytesIO()
    doc.save(buf)
    return buf.getvalue(), {"fields": {k: norm(v) for k, v in fields.items() if norm(v)},
                            "tables": [{"columns": columns, "rows": rows}],
                            "meta": {"style": style, "merged": merged}}


_CLERK_ORDER = ("serial", "activity", "when", "where", "staff", "plan", "beneficiaries", "funds_goods",
                "phone", "effect", "remarks")
_CLERK_HEADERS = {"serial": "序号", "activity": "活动名称", "when": "时间", "where": "地点", "staff": "参加人员",
                  "plan": "活动安排", "beneficiaries": "受益人次", "funds_goods": "资金、物品", "phone": "联系电话",
                  "effect": "成效", "remarks": "备注"}
_CLERK_WIDTHS = (10, 24, 30, 34, 26, 26, 18, 26, 28, 38, 17)


def clerk_retyped(schema: FormSchema, rng: random.Random, rows_n: int | None = None) -> tuple[bytes, dict[str, Any]]:
    """A clerk retyping the 统计表: new document, other fonts and widths, reordered columns, synonym headers,
    an extra 联系电话 column, more rows than the blank form."""
    assert schema.table is not None
    columns = [c.label for c in schema.table.columns]
    key_label = {c.key: c.label for c in schema.table.columns}
    n = rows_n or 13
    doc = sf.landscape_a4(12, 10, 10)
    p = doc.add_paragraph()
    p.alignment = WD_ALIGN_PARAGRAPH.CENTER
    _add_text(p, "2019年校校结对教育交流活动情况统计表", "黑体", 15, bold=True)
    unit, filled = rng.choice(_SUPPORTING), _date_filled(rng)
    p = doc.add_paragraph()
    _add_text(p, f"单位：{unit}　　　　　　　　　　　　　　　　　　填报日期：{filled}", "宋体", 10.5)
    tbl = doc.add_table(rows=n + 1, cols=len(_CLERK_ORDER))
    tbl.style = "Table Grid"
    truth_rows: list[list[str]] = []
    for c, key in enumerate(_CLERK_ORDER):
        cell = tbl.rows[0].cells[c]
        cell.width = Mm(_CLERK_WIDTHS[c])
        shd = OxmlElement("w:shd")
        shd.set(qn("w:val"), "clear")
        shd.set(qn("w:fill"), "D9D9D9")
        cell._tc.get_or_add_tcPr().append(shd)
        _add_text(cell.paragraphs[0], _CLERK_HEADERS[key], "宋体", 9, bold=True)
    for r in range(1, n + 1):
        values = activity_row(rng, long_effect=r == 13 and rng.random() < 0.5)
        values["serial"] = str(r)
        values["phone"] = _phone(rng)
        truth = [""] * len(columns)
        for c, key in enumerate(_CLERK_ORDER):
            cell = tbl.rows[r].cells[c]
            cell.width = Mm(_CLERK_WIDTHS[c])
            if values[key]:
                _add_text(cell.paragraphs[0], values[key], "宋体", 9)
            if key in key_label:
                truth[columns.index(key_label[key])] = values[key]
        truth_rows.append(truth)
    buf = io.BytesIO()
    doc.save(buf)
    fields = {schema.fields[0].label: unit, schema.fields[1].label: filled}
    return buf.getvalue(), {"fields": fields, "tables": [{"columns": columns, "rows": truth_rows}],
                            "meta": {"style": "clerk", "merged": []}}


def _kv_values(schema: FormSchema, rng: random.Random) -> dict[str, str]:
    out: dict[str, str] = {}
    for f in schema.fields:
        t = f.type.value
        if t == "name":
            out[f.label] = _name(rng)
        elif t == "phone":
            out[f.label] = _phone(rng)
        elif t == "date":
            out[f.label] = rng.choice((_date_filled(rng), f"2019.{rng.randint(3, 11)}.{rng.randint(1, 28)}"))
        elif t == "school":
            out[f.label] = rng.choice(_SUPPORTING)
        elif "意见" in f.label:
            out[f.label] = rng.choice(("同意", "同意。", "同意前往", ""))
        elif "职务" in f.label:
            out[f.label] = rng.choice(("副校长", "教导主任", "党支部书记", "教科室主任", "校长"))
        elif "地点" in f.label:
            out[f.label] = rng.choice(_SUPPORTED)
        elif "事由" in f.label:
            out[f.label] = rng.choice(_ACTIVITIES)
        elif "人员" in f.label:
            out[f.label] = "、".join(_name(rng) for _ in range(rng.randint(2, 5)))
        else:
            out[f.label] = rng.choice(("", "无", "自驾前往"))
    return out


def fill_word_kv_form(blank: bytes, schema: FormSchema, rng: random.Random,
                      prefilled: dict[str, str]) -> tuple[bytes, dict[str, Any]]:
    """Fill a key–value form (备案表, 回执) the Word way."""
    doc = Document(io.BytesIO(blank))
    values = {k: v for k, v in _kv_values(schema, rng).items() if k not in prefilled and v}
    fields = {**prefilled, **_fill_field_cells(doc, schema, values), **_fill_field_lines(doc, schema, values)}
    buf = io.BytesIO()
    doc.save(buf)
    return buf.getvalue(), {"fields": {k: norm(v) for k, v in fields.items() if norm(v)}, "tables": [],
                            "meta": {"style": schema.kind, "merged": []}}


# ============================================================================================ sources


def make_source(index: int, style: str, seed: int) -> _Source | None:
    """One filled form in ``style`` (None when its blank form does not exist yet)."""
    rng = random.Random(f"{seed}:{index}:{style}")
    schemas = load_schemas()
    kind = style if style in ("filing", "liaison_reply") else "activity_stats"
    schema = schemas.get(kind)
    if schema is None:
        return None
    identity: str | None = None
    if style == "clerk":
        docx, truth = clerk_retyped(schema, rng)
    else:
        blank = blank_form(schema, rng) if style in TABLE_STYLES else docgen_blank(schema, rng)
        if blank is None:
            return None
        data, identity, prefilled = blank
        if schema.table is not None:
            docx, truth = fill_word_table_form(data, schema, rng, style, prefilled)
        else:
            docx, truth = fill_word_kv_form(data, schema, rng, prefilled)
    truth = {"form": schema.kind, "identity": identity, **truth}
    return _Source(f"{index:03d}_{style}", style, docx, truth, seed=rng.randrange(1 << 30))


def available_styles() -> list[str]:
    """Table styles always; 备案表 and 回执 once docgen's templates for them exist."""
    extra = [k for k in ("filing", "liaison_reply") if (FORM_TEMPLATES / f"{k}.docx").exists()]
    return [*TABLE_STYLES, *extra]


# ============================================================================================ images


def _degrade_scan(page: Image8, rng: random.Random, *, first_page: bool) -> tuple[Image8, list[str], int]:
    img, steps = page, []
    if first_page:
        cx, cy, r = rng.uniform(0.5, 0.85), rng.uniform(0.35, 0.7), rng.uniform(0.055, 0.075)
        img = sf.red_stamp(img, (cx, cy), r, text=rng.choice(_SUPPORTING), seed=rng.randrange(1000))
        steps.append(f"stamp@{cx:.2f},{cy:.2f}")
        img = sf.signature(img, (rng.uniform(0.08, 0.2), rng.uniform(0.9, 0.95)), 0.1, seed=rng.randrange(1000))
        steps.append("signature")
    angle = rng.uniform(-3.0, 3.0)
    img = sf.rotate(img, angle)
    sigma = rng.uniform(0.5, 1.0)
    img = sf.blur(img, sigma)
    noise = rng.uniform(3.0, 8.0)
    img = sf.add_noise(img, noise, rng.randrange(1000))
    q = rng.randint(60, 80)
    steps += [f"skew{angle:+.1f}", f"blur{sigma:.1f}", f"noise{noise:.0f}", f"jpeg{q}"]
    return img, steps, q


def _degrade_photo(page: Image8, rng: random.Random) -> tuple[Image8, list[str], int]:
    cx, cy = rng.uniform(0.5, 0.85), rng.uniform(0.35, 0.7)
    img = sf.red_stamp(page, (cx, cy), rng.uniform(0.055, 0.075), text=rng.choice(_SUPPORTING),
                       seed=rng.randrange(1000))
    img = sf.signature(img, (rng.uniform(0.08, 0.2), rng.uniform(0.9, 0.95)), 0.1, seed=rng.randrange(1000))
    img = sf.phone_photo(img, seed=rng.randrange(1000))
    img = sf.uneven_light(img, rng.uniform(0.2, 0.35))
    img = sf.blur(img, rng.uniform(0.5, 0.8))
    img = sf.add_noise(img, rng.uniform(3.0, 6.0), rng.randrange(1000))
    q = rng.randint(70, 85)
    return img, [f"stamp@{cx:.2f},{cy:.2f}", "signature", "perspective", "uneven_light", "blur", "noise",
                 f"jpeg{q}"], q


def rows_by_page(pdf: bytes, truth: dict[str, Any]) -> list[int] | None:
    """The 0-based page of each truth row of the PDF's form table (None when a row cannot be placed, e.g. a
    retyped table that continues on the next page without its header). Read with pdfplumber, which gets
    every cell of LibreOffice PDFs right (docs in /work/shared/NOTES.md), matching 活动名称 + 派出人员."""
    import pdfplumber

    schema = load_schemas()[truth["form"]]
    tables = truth.get("tables") or []
    if not tables:
        return []
    cols = _schema_columns(schema)
    labels = tables[0]["columns"]
    pages: list[list[list[str]]] = []
    with pdfplumber.open(io.BytesIO(pdf)) as doc:
        for page in doc.pages:
            rows: list[list[str]] = []
            for grid in page.extract_tables():
                t = table_from_grid(grid, cols)
                if t:
                    rows += t["rows"]
            pages.append(rows)

    def whole(want: list[str], got: list[str]) -> bool:  # every cell there ('' = under a merged cell)
        return all(norm(w) == g or (not g and k == labels.index("活动时间")) for k, (w, g) in
                   enumerate(zip(want, got, strict=True)))

    out, p = [], 0
    for row in tables[0]["rows"]:
        while p < len(pages) and not any(whole(row, r) for r in pages[p]):
            p += 1
        if p == len(pages):
            return None  # a row broken across pages: no page shows it whole
        out.append(p)
    return out


def _page_truth(truth: dict[str, Any], placement: list[int], page: int) -> dict[str, Any]:
    tables = truth.get("tables") or []
    out = {**truth, "fields": truth["fields"] if page == 0 else {}}
    if tables:
        rows = [r for r, p in zip(tables[0]["rows"], placement, strict=True) if p == page]
        out["tables"] = [{**tables[0], "rows": rows}, *tables[1:]]
    return out


def image_cases(src: _Source, kinds: Sequence[str], max_pages: int = 2) -> list[Case]:
    """The scan / photo cases of one source (its PDF must be set). A multi-page form is photographed page by
    page (``.p1``, ``.p2`` … up to ``max_pages``; each page's truth holds the rows printed on it, fields on
    page 1 only); ``scan_pdf`` is the whole form as one image-only PDF."""
    assert src.pdf is not None
    pdf = src.pdf  # narrowed once, for the closure below
    out: list[Case] = []
    rng = random.Random(src.seed)
    placement = rows_by_page(src.pdf, src.truth) if src.pages > 1 else [0] * sum(
        len(t["rows"]) for t in src.truth.get("tables") or [])
    page_list = list(range(min(src.pages, max_pages))) if placement is not None else []
    rendered: dict[int, list[Image8]] = {}

    def pages_at(dpi: int) -> list[Image8]:
        if dpi not in rendered:
            rendered[dpi] = sf.rasterise_pdf(pdf, dpi)
        return rendered[dpi]

    for kind in kinds:
        if kind not in IMAGE_KINDS:
            continue
        meta = dict(src.truth.get("meta") or {})
        if kind == "scan_pdf":
            pages, steps = [], []
            for i, page in enumerate(pages_at(200)):
                img, st, _ = _degrade_scan(page, rng, first_page=i == 0)
                pages.append(img)
                # images_to_pdf stores every page at its own JPEG quality, not the one the scan steps drew
                q_pdf = f"jpeg{sf.PDF_JPEG_QUALITY}"
                steps += [f"p{i + 1}:{s}" for s in (*st[:-1], q_pdf)]
            meta["degradations"] = steps
            out.append(Case(f"{src.key}.scan.pdf", sf.images_to_pdf(pages, 200), kind, src.style,
                            {**src.truth, "meta": meta}, src.pages))
            continue
        for p in page_list:
            assert placement is not None
            truth = _page_truth(src.truth, placement, p)
            suffix = f".p{p + 1}" if src.pages > 1 else ""
            if kind in ("scan300", "scan200"):
                dpi = 300 if kind == "scan300" else 200
                img, steps, q = _degrade_scan(pages_at(dpi)[p], rng, first_page=True)
                data = sf.encode(img, "JPEG", quality=q, dpi=(dpi, dpi))
            else:
                img, steps, q = _degrade_photo(pages_at(200)[p], rng)
                data = sf.encode(img, "JPEG", quality=q)
            page_meta = {**meta, "degradations": steps, "page_of_source": p + 1,
                         "merged": meta.get("merged", []) if p == 0 else []}  # merged spans sit on page 1
            out.append(Case(f"{src.key}{suffix}.{kind}.jpg", data, kind, src.style, {**truth, "meta": page_meta}))
    return out


# ============================================================================================ the corpus


def build_corpus(n: int = 8, *, seed: int = 2019, kinds: Sequence[str] = ALL_KINDS,
                 styles: Sequence[str] | None = None, pool: Any = None,
                 scan_pdf_every: int = 4, max_pages: int = 2) -> list[Case]:
    """``n`` sources (styles taken in turn), each as every input kind of ``kinds``.

    ``pool``: a ``docgen.render.pdf.ConverterPool`` to reuse (one is started and closed here otherwise; not
    needed when ``kinds`` is docx only). ``scan_pdf`` is made for every ``scan_pdf_every``-th source."""
    styles = list(styles or available_styles())
    sources = [s for i in range(n) if (s := make_source(i, styles[i % len(styles)], seed)) is not None]
    cases: list[Case] = []
    if "docx" in kinds:
        cases += [Case(f"{s.key}.docx", s.docx, "docx", s.style, s.truth) for s in sources]
    if not set(kinds) - {"docx"}:
        return cases
    _convert(sources, pool)
    for i, s in enumerate(sources):
        if s.pdf is None:
            continue
        if "pdf" in kinds:
            cases.append(Case(f"{s.key}.pdf", s.pdf, "pdf", s.style, s.truth, s.pages))
        wanted = [k for k in kinds if k != "scan_pdf" or i % scan_pdf_every == 0]
        cases += image_cases(s, wanted, max_pages)
    order = {k: i for i, k in enumerate(ALL_KINDS)}
    return sorted(cases, key=lambda c: (order[c.input_kind], c.name))


def _convert(sources: list[_Source], pool: Any) -> None:
    from docgen.render.pdf import ConverterPool

    own = pool is None
    pool = pool or ConverterPool(workers=2, chunk_size=1)
    try:
        for s, r in zip(sources, pool.convert_many([(f"{s.key}.docx", s.docx) for s in sources]), strict=True):
            if r.error is not None:
                raise RuntimeError(f"{s.key}: PDF conversion failed: {r.error}")
            s.pdf, s.pages = r.pdf, r.pages
            s.truth.setdefault("meta", {})["pages"] = r.pages
    finally:
        if own:
            pool.close()


def write_corpus(cases: Iterable[Case], out: Path) -> int:
    """Every case as ``OUT/<name>`` + ``OUT/<name>.truth.json`` (with its input kind and page count)."""
    out.mkdir(parents=True, exist_ok=True)
    count = 0
    for c in cases:
        (out / c.name).write_bytes(c.data)
        truth = {**c.truth, "meta": {**(c.truth.get("meta") or {}), "input_kind": c.input_kind,
                                     "pages": c.pages}}
        (out / f"{c.name}.truth.json").write_text(json.dumps(truth, ensure_ascii=False, indent=1), "utf-8")
        count += 1
    return count


def read_corpus(directory: Path) -> list[Case]:
    """Cases written by :func:`write_corpus`."""
    cases = []
    for t in sorted(directory.glob("*.truth.json")):
        truth = json.loads(t.read_text("utf-8"))
        name = t.name[: -len(".truth.json")]
        meta = truth.get("meta") or {}
        cases.append(Case(name, (directory / name).read_bytes(), meta["input_kind"], meta.get("style", ""), truth,
                          int(meta.get("pages", 1))))
    return cases


def main(argv: Sequence[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--out", type=Path, required=True)
    ap.add_argument("--n", type=int, default=8, help="number of filled forms (each in every input kind)")
    ap.add_argument("--seed", type=int, default=2019)
    ap.add_argument("--kinds", default=",".join(ALL_KINDS))
    args = ap.parse_args(argv)
    cases = build_corpus(args.n, seed=args.seed, kinds=[k for k in args.kinds.split(",") if k])
    count = write_corpus(cases, args.out)
    print(f"{count} files (+ truth) in {args.out}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
