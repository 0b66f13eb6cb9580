"""Write the xlsx rosters under ``samples/`` so they are reproducible and reviewable as code.

Run ``.venv/bin/python tools/make_samples.py`` from the repository root. The text samples
(``pengzhou_heishui/roster.txt``, ``liuzhou_high_schools/roster.csv``) are kept by hand; the 彭州 xlsx is
derived from the txt by plain string splitting (not by docgen's parser, which the tests check against it).
Output is byte-for-byte stable: fixed document dates and zip timestamps. ``samples/README.md`` explains
every sample.
"""

from __future__ import annotations

import io
import re
import sys
import zipfile
from datetime import datetime
from pathlib import Path

from openpyxl import Workbook
from openpyxl.styles import Alignment, Font
from openpyxl.worksheet.worksheet import Worksheet

ROOT = Path(__file__).resolve().parent.parent
SAMPLES = ROOT / "samples"
FIXED = datetime(2026, 1, 1)

# 菏泽被帮扶学校名单 (seed 003): 序号, 县市区, 学段, 学校名称, 负责人, 联系电话 — verbatim, with the
# justify spaces of the notice's table (曹 县, 李 云).
HEZE_SCHOOLS: tuple[tuple[int, str, str, str, str, str], ...] = (
    (1, "牡丹区", "初中", "牡丹区第二十二中学", "李爱华", "15965809758"),
    (2, "牡丹区", "初中", "牡丹区吴店镇中心中学", "郭宝忠", "13563878299"),
    (3, "曹 县", "高中", "曹县第一中学", "赵广雷", "15865105666"),
    (4, "曹 县", "初中", "曹县第一初级中学", "倪卫东", "13869786596"),
    (5, "定陶县", "高中", "定陶县第一中学", "杨汝增", "13505300556"),
    (6, "定陶县", "初中", "定陶县清华园学校", "谢里永", "18265058899"),
    (7, "成武县", "高中", "成武县第一中学", "徐显成", "13905306295"),
    (8, "成武县", "高中", "成武县第二中学", "李洪学", "15552392688"),
    (9, "成武县", "初中", "成武县实验中学", "李 云", "18661510166"),
    (10, "单 县", "高中", "单县第二中学", "赵 瑞", "15288710666"),
    (11, "单 县", "初中", "单县开发区实验中学", "祝宗义", "13953074373"),
    (12, "巨野县", "高中", "巨野县第一中学", "李敬岚", "18705306000"),
    (13, "巨野县", "初中", "巨野县高级中学", "张体振", "13508903920"),
    (14, "郓城县", "高中", "郓城县第一中学", "李春生", "13705305986"),
    (15, "郓城县", "初中", "郓城县第一初级中学", "曹务成", "13181591001"),
    (16, "鄄城县", "高中", "鄄城县第一中学", "秦朝华", "18205309879"),
    (17, "鄄城县", "初中", "鄄城县吉山镇吉山中学", "刘正稳", "13573076489"),
    (18, "东明县", "高中", "东明县第一中学", "尹怀波", "13905305087"),
    (19, "东明县", "初中", "东明县第一初级中学", "盛广善", "13505306378"),
    (20, "开发区", "初中", "开发区广州路中学", "郝登强", "18888396668"),
    (21, "高新区", "初中", "高新区吕陵镇初级中学", "杨冠旗", "13406001040"),
)
# The notice: these 11 cities each pick one helping 初中, the first nine also one helping 高中. It names no
# helping school, so each side is a placeholder; supported schools are given to cities in list order, and the
# twelfth 初中 goes to 济南 as a second supported school of 济南's 初中 group (see samples/README.md).
JUNIOR_CITIES = ("济南", "青岛", "淄博", "东营", "烟台", "潍坊", "济宁", "泰安", "威海", "日照", "莱芜")
SENIOR_CITIES = JUNIOR_CITIES[:9]

# 柳州 特殊教育 (seed 001): 柳州市特殊教育学校 leads three county pairs.
LIUZHOU_SPECIAL = (
    ("柳江县特殊教育学校", "融安县特殊教育学校"),
    ("鹿寨县特殊教育学校", "柳城县特殊教育学校"),
    ("融水县特殊教育学校", "三江县特殊教育学校"),
)

BOLD = Font(bold=True)
TITLE = Font(bold=True, size=14)


def _title(ws: Worksheet, text: str, width: int) -> None:
    ws.append([text])
    ws.merge_cells(start_row=ws.max_row, start_column=1, end_row=ws.max_row, end_column=width)
    ws.cell(ws.max_row, 1).font = TITLE
    ws.cell(ws.max_row, 1).alignment = Alignment(horizontal="center")


def _header(ws: Worksheet, headers: list[str]) -> None:
    ws.append(headers)
    for cell in ws[ws.max_row]:
        cell.font = BOLD


def _widths(ws: Worksheet, widths: dict[str, int]) -> None:
    for column, width in widths.items():
        ws.column_dimensions[column].width = width


def pengzhou() -> Workbook:
    """The 14 pairing lines of seed 000 as a table; a cell keeps ``彭州市西郊小学、九尺镇小学`` as written."""
    wb = Workbook()
    ws = wb.active
    assert ws is not None
    ws.title = "结对名单"
    headers = [
        "序号",
        "支援学校",
        "受援学校",
        "学段",
        "支援学校党组织名称",
        "受援学校党组织名称",
        "支援学校联系人",
        "支援学校联系电话",
        "受援学校联系人",
        "受援学校联系电话",
    ]
    _title(ws, "彭州·黑水“校校结对”结对学校名单（彭教育人事发〔2019〕8号）", len(headers))
    ws.append([])
    _header(ws, headers)
    lines = (SAMPLES / "pengzhou_heishui" / "roster.txt").read_text(encoding="utf-8").splitlines()
    for i, line in enumerate(lines, start=1):
        helping, helped = re.sub(r"结对[；。]$", "", line.strip()).split("与", 1)
        ws.append([i, helping, helped])
    _widths(ws, {"B": 34, "C": 30, "D": 10, "E": 22, "F": 22, "G": 14, "H": 16, "I": 14, "J": 16})
    return wb


def liuzhou_special() -> Workbook:
    """The special-education table as the notice draws it: a two-row header, the lead school merged down."""
    wb = Workbook()
    ws = wb.active
    assert ws is not None
    ws.title = "特殊教育"
    _title(ws, "柳州市特殊教育结对帮扶安排表", 5)
    ws.append(["帮扶牵头指导学校", "县级结对帮扶安排", None, "层级", "学段"])
    ws.append([None, "帮扶学校", "受援学校", None, None])
    for row in (2, 3):
        for cell in ws[row]:
            cell.font = BOLD
    ws.merge_cells("B2:C2")
    for column in "ADE":
        ws.merge_cells(f"{column}2:{column}3")
    first = ws.max_row + 1
    for i, (helping, helped) in enumerate(LIUZHOU_SPECIAL):
        ws.append(["柳州市特殊教育学校" if i == 0 else None, helping, helped, "市—县", "特殊教育"])
    ws.merge_cells(f"A{first}:A{ws.max_row}")
    ws.cell(first, 1).alignment = Alignment(vertical="center")
    _widths(ws, {"A": 22, "B": 22, "C": 22, "D": 8, "E": 10})
    return wb


def heze() -> Workbook:
    """The 21 supported schools of seed 003 with placeholder helping schools named after the cities."""
    wb = Workbook()
    ws = wb.active
    assert ws is not None
    ws.title = "菏泽被帮扶学校"
    headers = ["组号", "序号", "县市区", "学段", "受援学校", "负责人", "联系电话", "支援学校", "支援学校地区"]
    _title(
        ws, "支持菏泽教育发展结对帮扶学校名单（鲁教基函〔2016〕7号附件，帮扶学校待各市确定）", len(headers)
    )
    _header(ws, headers)
    juniors = iter(JUNIOR_CITIES + JUNIOR_CITIES[:1])
    seniors = iter(SENIOR_CITIES)
    group_of: dict[str, int] = {}
    for serial, county, stage, school, head, phone in HEZE_SCHOOLS:
        city = next(juniors) if stage == "初中" else next(seniors)
        helping = f"{city}市帮扶{stage}（待定）"
        group = group_of.setdefault(helping, len(group_of) + 1)
        ws.append([group, serial, county, stage, school, head, phone, helping, f"{city}市"])
    _widths(ws, {"C": 10, "E": 24, "F": 10, "G": 14, "H": 24, "I": 12})
    return wb


def stable_xlsx(wb: Workbook) -> bytes:
    """The workbook's bytes with fixed document dates and zip timestamps, so reruns change nothing."""
    wb.properties.created = FIXED
    raw = io.BytesIO()
    wb.save(raw)
    out = io.BytesIO()
    with zipfile.ZipFile(raw) as src, zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as dst:
        for info in src.infolist():
            data = src.read(info.filename)
            if info.filename == "docProps/core.xml":
                data = re.sub(rb"(<dcterms:modified[^>]*>)[^<]*", rb"\g<1>2026-01-01T00:00:00Z", data)
            dst.writestr(
                zipfile.ZipInfo(info.filename, date_time=(2026, 1, 1, 0, 0, 0)),
                data,
                compress_type=zipfile.ZIP_DEFLATED,
            )
    return out.getvalue()


def main() -> int:
    targets = {
        SAMPLES / "pengzhou_heishui" / "roster.xlsx": pengzhou(),
        SAMPLES / "liuzhou_special_education" / "roster.xlsx": liuzhou_special(),
        SAMPLES / "heze" / "roster.xlsx": heze(),
    }
    for path, wb in targets.items():
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(stable_xlsx(wb))
        print(path.relative_to(ROOT))
    return 0


if __name__ == "__main__":
    sys.exit(main())
