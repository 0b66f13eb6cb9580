"""A second holdout corpus of pairing rosters, made the ways clerks make and send them (issue 9).

    python -m testkit.roster_holdout2 tests/rosters_holdout2          # write every file (.xls/.ods/.pdf: LibreOffice)
    python -m testkit.roster_holdout2 tests/rosters_holdout2 --check  # do the reproducible files match? (exit 1)

Every file is built from plain data (the pairs, contacts and bad rows below) and its ``<file>.expected.json``
is written from the same data — never from what a parser returns. The school names of 彭州·黑水 (seed 000),
柳州 (seed 001) and the 菏泽 helped schools with their 负责人 and phones (seed 003) are the seeds' own; every
other school, person and phone number is made up in the seed's style (see ``tests/rosters_holdout2/README.md``).

.xlsx, .docx, .csv and .txt reproduce byte for byte (fixed zip times and document dates); .xls, .ods and .pdf
are converted by LibreOffice (:func:`testkit.office.convert`) and are compared by content.
"""

from __future__ import annotations

import argparse
import datetime as dt
import hashlib
import io
import json
import random
import re
import sys
import zipfile
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import docx
import openpyxl
from docx.enum.section import WD_ORIENT
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import Cm, Pt
from openpyxl.styles import Alignment, Font
from openpyxl.worksheet.datavalidation import DataValidation
from openpyxl.worksheet.worksheet import Worksheet

Stage = str | list[str] | None

# ---------------------------------------------------------------------------------------------------------
# Made-up people and phone numbers: a pure function of a key, so every run gives the same ones.

_SURNAMES = (
    "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘蒋蔡余杜叶程苏"
    "魏吕丁沈姚卢姜崔谭陆汪范金廖贾夏韦方白邹孟熊秦邱江尹薛段雷侯龙史陶黎贺顾毛郝龚邵严覃莫向汤"
)
_GIVEN = "伟芳娜英敏静丽强磊军洋勇艳杰娟涛明超兰霞平刚华红梅玉燕春晓东文婷雪丹建国庆永德志海林琳斌鹏"
_MOBILE_HEADS = ("138", "139", "135", "158", "159", "187", "136", "152", "188", "180", "177", "199", "151", "137")


def _digest(key: str) -> int:
    return int.from_bytes(hashlib.sha256(key.encode("utf-8")).digest()[:12], "big")


def person(key: str) -> str:
    """A made-up Chinese name (two or three characters) for ``key``."""
    h = _digest("person:" + key)
    name = _SURNAMES[h % len(_SURNAMES)] + _GIVEN[(h >> 8) % len(_GIVEN)]
    if (h >> 16) % 3:
        name += _GIVEN[(h >> 24) % len(_GIVEN)]
    return name


def mobile(key: str) -> str:
    """A made-up mobile number (``1[3-9]`` + 9 digits) for ``key``."""
    h = _digest("mobile:" + key)
    return _MOBILE_HEADS[h % len(_MOBILE_HEADS)] + f"{(h >> 8) % 10**8:08d}"


def landline(key: str, area: str) -> str:
    """A made-up landline ``area-local``; the local part has 8 digits for 028/0571/0769, else 7."""
    h = _digest("landline:" + key)
    width = 8 if area in ("028", "0571", "0769") else 7
    return f"{area}-{2 + h % 7}{(h >> 8) % 10 ** (width - 1):0{width - 1}d}"


# ---------------------------------------------------------------------------------------------------------
# The pairs, by seed.

#: Seed 000 (彭州·黑水), its own 14 pairing lines: supporting side as written, full supported name.
PENGZHOU: tuple[tuple[tuple[str, ...], str], ...] = (
    (("成都石室白马中学",), "黑水县中学"),
    (("彭州市隆丰镇初级中学",), "黑水县初级中学"),
    (("彭州市西郊小学", "彭州市九尺镇小学"), "黑水县芦花完全小学校"),
    (("彭州市清平小学",), "黑水县扎窝中心校"),
    (("彭州市濛阳七一竹瓦九年制学校",), "黑水县七一维古小学"),
    (("彭州市丽春镇小学",), "黑水县知木林寄宿制小学校"),
    (("彭州市通济镇蓝天小学",), "黑水县红岩寄宿制小学校"),
    (("彭州市升平镇博爱小学",), "黑水县色尔古寄宿制小学校"),
    (("彭州市军乐镇小学",), "黑水县沙石多中心小学"),
    (("彭州市致和镇小学",), "黑水县木苏乡中心小学"),
    (("彭州市利安小学",), "黑水县木卡龙中心小学"),
    (("彭州市隆丰镇小学",), "黑水县晴朗乡中心小学"),
    (("彭州市濛阳小学",), "黑水县石碉楼小学"),
    (("彭州市机关幼儿园",), "黑水县城关幼儿园"),
)

#: Seed 001 (柳州), its 普通高中 table.
LIUZHOU_HIGH: tuple[tuple[str, str], ...] = (
    ("柳州高中", "融水中学"), ("柳铁一中", "三江高中"), ("市一中", "三江民族高中"), ("市二中", "融水民族高中"),
    ("市铁二中", "柳城实验高中"), ("市三中", "柳江实验高中"), ("钢一中", "融安二中"), ("市民族高中", "鹿寨中学"),
    ("市六中", "柳城中学"), ("市九中", "鹿寨实验高中"), ("柳江中学", "融安高中"),
)

#: Seed 001 (柳州), its 特殊教育 table and lead school.
LIUZHOU_LEAD = "柳州市特殊教育学校"
LIUZHOU_SPECIAL: tuple[tuple[str, str], ...] = (
    ("柳江县特殊教育学校", "融安县特殊教育学校"), ("鹿寨县特殊教育学校", "柳城县特殊教育学校"),
    ("融水县特殊教育学校", "三江县特殊教育学校"),
)

#: Made up in seed 001's style: 学前教育 "县—乡" pairs (real county and town names, invented kindergartens).
LIUZHOU_KINDERGARTENS: tuple[tuple[str, tuple[str, ...]], ...] = (
    ("融安县幼儿园", ("融安县浮石镇中心幼儿园", "融安县泗顶镇中心幼儿园", "融安县大将镇中心幼儿园")),
    ("鹿寨县第一幼儿园", ("鹿寨县中渡镇中心幼儿园", "鹿寨县寨沙镇中心幼儿园")),
    ("柳城县幼儿园", ("柳城县大埔镇中心幼儿园", "柳城县龙头镇中心幼儿园", "柳城县太平镇中心幼儿园")),
    ("三江侗族自治县幼儿园", ("三江侗族自治县丹洲镇中心幼儿园",)),
)

#: Seed 003 (菏泽): 县市区, 学段, helped school, 负责人, phone — the seed's own list (负责人 without padding).
HEZE: tuple[tuple[str, str, str, str, str], ...] = (
    ("牡丹区", "初中", "牡丹区第二十二中学", "李爱华", "15965809758"),
    ("牡丹区", "初中", "牡丹区吴店镇中心中学", "郭宝忠", "13563878299"),
    ("曹县", "高中", "曹县第一中学", "赵广雷", "15865105666"),
    ("曹县", "初中", "曹县第一初级中学", "倪卫东", "13869786596"),
    ("定陶县", "高中", "定陶县第一中学", "杨汝增", "13505300556"),
    ("定陶县", "初中", "定陶县清华园学校", "谢里永", "18265058899"),
    ("成武县", "高中", "成武县第一中学", "徐显成", "13905306295"),
    ("成武县", "高中", "成武县第二中学", "李洪学", "15552392688"),
    ("成武县", "初中", "成武县实验中学", "李云", "18661510166"),
    ("单县", "高中", "单县第二中学", "赵瑞", "15288710666"),
    ("单县", "初中", "单县开发区实验中学", "祝宗义", "13953074373"),
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

#: Made up in seed 003's style: the helping school of each 菏泽 school, from the cities the seed names
#: (9 high schools, 11 cities' junior schools; 济南 helps the twelfth 初中).
_HEZE_HIGH_HELPERS = (
    "济南市历城区第七中学", "青岛市即墨区第三中学", "淄博市临淄区第二中学", "东营市河口区第一中学",
    "烟台市福山区高级中学",
    "潍坊市寒亭区第一中学", "济宁市兖州区第二中学", "泰安市岱岳区第三中学", "威海市文登区第二中学",
)
_HEZE_JUNIOR_HELPERS = (
    "济南市槐荫区实验初级中学", "青岛市城阳区第七初级中学", "淄博市张店区第五中学", "东营市东营区实验中学",
    "烟台市芝罘区第三初级中学", "潍坊市奎文区新华中学", "济宁市任城区第十五中学", "泰安市泰山区东岳中学",
    "威海市环翠区第四中学", "日照市东港区第六中学", "莱芜市莱城区实验初级中学", "济南市天桥区泺口实验中学",
)


def heze_helper(index: int) -> str:
    """The (made-up) helping school of :data:`HEZE` entry ``index``."""
    stage = HEZE[index][1]
    same = [i for i, row in enumerate(HEZE) if row[1] == stage]
    helpers = _HEZE_HIGH_HELPERS if stage == "高中" else _HEZE_JUNIOR_HELPERS
    return helpers[same.index(index)]


#: Made up in seed 002's style (滨江区 28 schools with 建始县 28; real town names, invented schools):
#: (滨江 school, 建始 school, 学段 word).
_BINJIANG_WORDS = ("闻涛", "江晖", "丹枫", "浦沿", "长河", "西兴", "缤纷", "钱塘", "滨文", "星澜")
_JIANSHI_TOWNS = ("业州镇", "高坪镇", "红岩寺镇", "景阳镇", "官店镇", "花坪镇", "长梁镇", "茅田乡", "龙坪乡", "三里乡")
_KINDS = (("小学", "中心小学", "小学"), ("初级中学", "初级中学", "初中"), ("幼儿园", "中心幼儿园", "幼儿园"))
BINJIANG: tuple[tuple[str, str, str], ...] = tuple(
    (f"杭州市滨江区{word}{helper_kind}", f"建始县{town}{helped_kind}", stage_word)
    for helper_kind, helped_kind, stage_word in _KINDS
    for word, town in zip(_BINJIANG_WORDS, _JIANSHI_TOWNS, strict=True)
)[:28]

#: Made up in seed 004's style (东莞 "1+1" 初中: real 镇街, invented schools): (支援 镇街, school, 受援 镇街, school).
DONGGUAN: tuple[tuple[str, str, str, str], ...] = (
    ("东城街道", "东莞市东城初级中学", "谢岗镇", "东莞市谢岗镇中学"),
    ("南城街道", "东莞市南城阳光初级中学", "洪梅镇", "东莞市洪梅中学"),
    ("莞城街道", "东莞市莞城英华学校", "望牛墩镇", "东莞市望牛墩中学"),
    ("万江街道", "东莞市万江第二中学", "麻涌镇", "东莞市麻涌第一中学"),
    ("松山湖", "东莞市松山湖实验中学", "沙田镇", "东莞市沙田第二中学"),
    ("虎门镇", "东莞市虎门第五中学", "石排镇", "东莞市石排中学"),
    ("长安镇", "东莞市长安实验中学", "桥头镇", "东莞市桥头中学"),
    ("常平镇", "东莞市常平中学（初中部）", "横沥镇", "东莞市横沥中学"),
)

STAGE_OF = {"幼儿园": "学前教育", "小学": "义务教育", "初中": "义务教育", "高中": "普通高中", "特教": "特殊教育"}


# ---------------------------------------------------------------------------------------------------------
# The expected result, built beside each file.


@dataclass
class Expected:
    """One file's ``<file>.expected.json``, filled while the file is written."""

    file: str
    notes: str
    groups: list[dict[str, Any]] = field(default_factory=list)
    errors: list[dict[str, Any]] = field(default_factory=list)

    def group(self, supporting: Sequence[str], supported: Sequence[str], stage: Stage,
              contacts: Sequence[dict[str, Any]] = (), coordinator: str | None = None) -> None:
        """Add one pairing the file states."""
        g: dict[str, Any] = {"supporting": list(supporting), "supported": list(supported), "stage": stage,
                             "contacts": list(contacts)}
        if coordinator:
            g["coordinator"] = coordinator
        self.groups.append(g)

    def error(self, row: int, kind: str, **where: Any) -> None:
        """Add one bad row (``table`` / ``sheet`` in ``where`` when it matters)."""
        self.errors.append({"row": row, "kind": kind, **where})

    def to_json(self) -> str:
        """The expected result as committed (UTF-8, indented, keys in schema order)."""
        data = {"file": self.file, "groups": self.groups, "errors": self.errors, "notes": self.notes}
        return json.dumps(data, ensure_ascii=False, indent=2) + "\n"


def contact(school: str, name: str, phones: Sequence[str] = (), title: str = "") -> dict[str, Any]:
    """One expected contact (``title`` only when the file gives one)."""
    c: dict[str, Any] = {"school": school, "name": name, "phones": list(phones)}
    if title:
        c["title"] = title
    return c


# ---------------------------------------------------------------------------------------------------------
# Writers with fixed dates, so a rerun gives the same bytes.

_FIXED_TIME = (2019, 4, 23, 8, 0, 0)
_W3CDTF = re.compile(rb"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(?:\.\d+)?Z")


def _fixed_zip(data: bytes) -> bytes:
    """``data`` (an OOXML zip) rewritten with fixed member times and fixed document dates."""
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(data)) as src, zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as dst:
        for info in src.infolist():
            body = src.read(info.filename)
            if info.filename == "docProps/core.xml":
                body = _W3CDTF.sub(b"2019-04-23T08:00:00Z", body)
            member = zipfile.ZipInfo(info.filename, date_time=_FIXED_TIME)
            member.compress_type = zipfile.ZIP_DEFLATED
            member.external_attr = 0o600 << 16
            dst.writestr(member, body)
    return out.getvalue()


def _xlsx_bytes(wb: openpyxl.Workbook) -> bytes:
    wb.properties.creator = "WPS Office"
    wb.properties.created = dt.datetime(2019, 4, 23, 8, 0, 0)
    wb.properties.modified = dt.datetime(2019, 4, 23, 8, 0, 0)
    buf = io.BytesIO()
    wb.save(buf)
    return _fixed_zip(buf.getvalue())


def _docx_bytes(document: Any) -> bytes:
    props = document.core_properties
    props.author = "Administrator"
    props.created = dt.datetime(2019, 4, 23, 8, 0, 0)
    props.modified = dt.datetime(2019, 4, 23, 8, 0, 0)
    props.last_modified_by = "Administrator"
    props.revision = 1
    buf = io.BytesIO()
    document.save(buf)
    return _fixed_zip(buf.getvalue())


def _new_document() -> Any:
    document = docx.Document()
    style = document.styles["Normal"]
    style.font.name = "宋体"
    style.font.size = Pt(11)
    style.element.rPr.rFonts.set(qn("w:eastAsia"), "宋体")
    return document


def _title_row(ws: Worksheet, row: int, text: str, last_col: int) -> None:
    ws.cell(row, 1, text).font = Font(bold=True, size=14)
    ws.cell(row, 1).alignment = Alignment(horizontal="center")
    ws.merge_cells(start_row=row, start_column=1, end_row=row, end_column=last_col)


def _put_row(ws: Worksheet, row: int, values: Sequence[Any]) -> None:
    for col, value in enumerate(values, start=1):
        if value is not None and value != "":
            ws.cell(row, col, value)


def _stage_of_school(name: str) -> str:
    return "学前教育" if name.endswith("幼儿园") else "义务教育"


# ---------------------------------------------------------------------------------------------------------
# The files.


def f01_binjiang_wjx() -> tuple[bytes, Expected]:
    """问卷星 export, one row per submission; a clerk put the survey's title above the header."""
    exp = Expected("01_binjiang_wjx_export.xlsx",
                   "问卷星『按选项文本导出』：一行一份答卷，提交时间顺序而非名单顺序；区教育局文员在表头上插入了一行问"
                   "卷标题『滨江区结对帮扶学校联络员信息登记（由滨江区各帮扶学校填写）』。标题说明填写人是滨江区的帮扶"
                   "学校，所以『您所在的学校』= 支援方，『结对学校名称』= 受援方，联系人/职务/手机号属于支援方学校（职"
                   "务为 title）。表头『1、您所在的学校』等带问卷星题号且不在 docs/roster.md 的表头表里。28 对中 20 所"
                   "学校交了答卷，其中一所学校点了两次提交（内容完全相同），较晚那一行是 duplicate。文件不写学段：stag"
                   "e 为 null。")
    rng = random.Random(20190424)
    chosen = rng.sample(range(len(BINJIANG)), 20)
    titles = ("教务主任", "副校长", "教科室主任", "办公室主任", "德育主任", "校长助理")
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "Sheet1"
    header = ["序号", "提交答卷时间", "所用时间", "来源", "来源详情", "来自IP", "1、您所在的学校", "2、结对学校名称",
              "3、联系人姓名", "4、职务", "5、手机号"]
    _title_row(ws, 1, "滨江区结对帮扶学校联络员信息登记（由滨江区各帮扶学校填写）", len(header))
    _put_row(ws, 2, header)
    submissions = [*chosen[:13], chosen[5], *chosen[13:]]
    when = dt.datetime(2019, 4, 24, 8, 12, 5)
    seen: set[int] = set()
    for n, index in enumerate(submissions, start=1):
        helper, helped, _ = BINJIANG[index]
        when += dt.timedelta(minutes=3 + rng.randrange(90), seconds=rng.randrange(60))
        name, title, phone = person(helper), titles[_digest(helper) % len(titles)], mobile(helper)
        row = 2 + n
        _put_row(ws, row, [n, when.strftime("%Y/%m/%d %H:%M:%S"), f"{60 + rng.randrange(200)}秒",
                           "微信", "N/A", f"115.236.{rng.randrange(256)}.{rng.randrange(256)}(浙江-杭州)",
                           helper, helped, name, title, phone])
        if index in seen:
            exp.error(row, "duplicate")
            continue
        seen.add(index)
        exp.group([helper], [helped], None, [contact(helper, name, [phone], title)])
    for letter, width in zip("ABCDEFGHIJK", (6, 20, 9, 6, 9, 26, 26, 26, 12, 12, 14), strict=True):
        ws.column_dimensions[letter].width = width
    return _xlsx_bytes(wb), exp


def f02_heze_tencent() -> tuple[bytes, Expected]:
    """腾讯文档收集表 export, filled in by the helped 菏泽 schools; title row says who filled it."""
    exp = Expected("02_heze_tencent_form.xlsx",
                   "腾讯文档收集表导出（表头：提交者/提交时间/您所在的学校/学段/结对学校名称/联系人姓名/手机号），第1"
                   "行是收集表标题『菏泽市被帮扶学校结对信息收集表（请被帮扶学校填写）』：所以『您所在的学校』= 受援方"
                   "（菏泽的学校），『结对学校名称』= 支援方，联系人和手机号属于受援方。这些表头都不在 docs/roster.md "
                   "的表头表里。受援学校、负责人、手机号是种子 003 的原文（负责人去掉了对齐空格：网上表单里本人输入『"
                   "李云』）；支援学校是按种子列出的城市编造的。提交顺序被打乱。学段列『初中/高中』。提交者是微信昵称"
                   "，不是联系人。")
    rng = random.Random(20160503)
    order = list(range(len(HEZE)))
    rng.shuffle(order)
    nicknames = ("晴天", "山东老师", "A-教务处", "平安是福", "静待花开", "阳光", "老刘", "菏泽教育人", "Sunny",
                 "知足常乐", "一米阳光", "追梦人", "守望", "小雨", "行者", "岁月静好", "宁静致远", "海阔天空", "春风",
                 "微笑", "向日葵")
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "收集结果"
    header = ["提交者", "提交时间", "您所在的学校", "学段", "结对学校名称", "联系人姓名", "手机号"]
    _title_row(ws, 1, "菏泽市被帮扶学校结对信息收集表（请被帮扶学校填写）", len(header))
    _put_row(ws, 2, header)
    when = dt.datetime(2016, 5, 9, 9, 30, 0)
    for n, index in enumerate(order):
        _county, stage_word, school, head, phone = HEZE[index]
        helper = heze_helper(index)
        when += dt.timedelta(minutes=7 + rng.randrange(120))
        _put_row(ws, 3 + n, [nicknames[n], when.strftime("%Y-%m-%d %H:%M"), school, stage_word, helper, head, phone])
        exp.group([helper], [school], STAGE_OF[stage_word], [contact(school, head, [phone])])
    return _xlsx_bytes(wb), exp


def f03_binjiang_exchange() -> tuple[bytes, Expected]:
    """WPS teacher-exchange roster: 派出学校/接收学校, frozen panes, drop-down validation on 学段."""
    exp = Expected("03_binjiang_jianshi_exchange.xlsx",
                   "WPS 表格做的支教教师派出安排表：标题『滨江区赴建始县结对学校支教教师派出安排表』+ 填报单位行，表头"
                   "在第3行：序号/派出学校/联络人/联系电话/接收学校/联络人/联系电话/学段/派出人数/备注。支教是滨江派教"
                   "师到建始，所以派出学校 = 支援方，接收学校 = 受援方；每个『联络人/联系电话』属于它左边的学校。『派"
                   "出学校』『接收学校』『联络人』不在 docs/roster.md 的表头表里。冻结窗格在 C4，学段列和派出人数列有"
                   "数据有效性（下拉：幼儿园、小学、初中、高中）。末行『注：…』是脚注。")
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "派出安排"
    header = ["序号", "派出学校", "联络人", "联系电话", "接收学校", "联络人", "联系电话", "学段", "派出人数", "备注"]
    _title_row(ws, 1, "滨江区赴建始县结对学校支教教师派出安排表", len(header))
    ws.cell(2, 1, "填报单位：滨江区教育局（盖章）                                填报时间：2019年4月26日")
    ws.merge_cells(start_row=2, start_column=1, end_row=2, end_column=len(header))
    _put_row(ws, 3, header)
    picks = [0, 1, 2, 3, 4, 10, 11, 12, 13, 20, 21, 22, 5, 14]
    for n, index in enumerate(picks, start=1):
        helper, helped, stage_word = BINJIANG[index]
        h_name, h_phone = person("派出" + helper), mobile("派出" + helper)
        r_name = person("接收" + helped)
        r_phone = landline(helped, "0718") if n % 3 == 0 else mobile("接收" + helped)
        row = 3 + n
        _put_row(ws, row, [n, helper, h_name, h_phone, helped, r_name, r_phone, stage_word, 1 + n % 3,
                           "一学期" if n % 2 else "一学年"])
        exp.group([helper], [helped], STAGE_OF[stage_word],
                  [contact(helper, h_name, [h_phone]), contact(helped, r_name, [r_phone])])
    foot = 3 + len(picks) + 1
    ws.cell(foot, 1, "注：派出人数以实际到岗为准，请各校于5月10日前报送派出教师名单。")
    ws.merge_cells(start_row=foot, start_column=1, end_row=foot, end_column=len(header))
    ws.freeze_panes = "C4"
    stages = DataValidation(type="list", formula1='"幼儿园,小学,初中,高中"', allow_blank=True)
    stages.add("H4:H200")
    counts = DataValidation(type="whole", operator="between", formula1="1", formula2="10")
    counts.add("I4:I200")
    ws.add_data_validation(stages)
    ws.add_data_validation(counts)
    for letter, width in zip("ABCDEFGHIJ", (6, 28, 10, 14, 28, 10, 14, 8, 10, 10), strict=True):
        ws.column_dimensions[letter].width = width
    return _xlsx_bytes(wb), exp


def f04_liuzhou_aid() -> tuple[bytes, Expected]:
    """柳州's 普通高中 table retyped in WPS with 援助学校/受援单位 headers; contacts 'name（title）'."""
    exp = Expected("04_liuzhou_highschool_aid.xlsx",
                   "种子 001 的普通高中结对表，文员在 WPS 里重打：表头『援助学校』『受援单位』（不在 docs/roster.md 的"
                   "表头表里），每所学校后面一列联系人（写作『姓名（职务）』，职务为 title）和一列联系电话（固话 0772-"
                   "…、手机，或两者用『、』隔开）。学段由标题『柳州市普通高中“市—县”结对帮扶安排表』给出：普通高中。末"
                   "行是教育局的联系人『张凤举、白克荣 2815945』（种子原文），不属于任何学校。学校简称（市一中等）按原"
                   "样，不展开。")
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "高中"
    header = ["序号", "援助学校", "联系人", "联系电话", "受援单位", "联系人", "联系电话", "备注"]
    _title_row(ws, 1, "柳州市普通高中“市—县”结对帮扶安排表", len(header))
    _put_row(ws, 2, header)
    titles = ("副校长", "校长", "教务处主任", "办公室主任")
    for n, (helper, helped) in enumerate(LIUZHOU_HIGH, start=1):
        row = 2 + n
        h_name, h_title = person("援助" + helper), titles[n % len(titles)]
        r_name, r_title = person("受援" + helped), titles[(n + 1) % len(titles)]
        h_phones = [landline(helper, "0772"), mobile(helper)] if n in (1, 6) else [mobile(helper)]
        r_phones = [landline(helped, "0772")] if n % 4 == 0 else [mobile(helped)]
        _put_row(ws, row, [n, helper, f"{h_name}（{h_title}）", "、".join(h_phones), helped, f"{r_name}（{r_title}）",
                           "、".join(r_phones), ""])
        exp.group([helper], [helped], "普通高中",
                  [contact(helper, h_name, h_phones, h_title), contact(helped, r_name, r_phones, r_title)])
    ws.cell(3 + len(LIUZHOU_HIGH) + 1, 1, "市教育局联系人：张凤举、白克荣，联系电话：2815945")
    return _xlsx_bytes(wb), exp


def f05_liuzhou_blocks() -> tuple[bytes, Expected]:
    """One helper per block: a merged heading row 帮扶学校：X, then its helped kindergartens as rows."""
    exp = Expected("05_liuzhou_kindergarten_blocks.xlsx",
                   "学前教育『县—乡』级一对多安排表（柳州的县和乡镇名是真的，幼儿园是编造的）：表头只有 序号/受援幼儿"
                   "园/园长/联系电话/备注，帮扶方写在各段上方一行合并的段标题『帮扶学校：X』里，下面几行是它帮扶的乡镇"
                   "中心幼儿园，段与段之间空一行。决定：一个段标题画出的是一所帮扶园对它下面全部受援园——一个 1:N 组（"
                   "如同一个帮扶学校单元格向下合并过这些行；标题也写明『一对多』）；只有一行的段是 1:1。园长和电话属于"
                   "该行的受援园，title 为『园长』（列名给出）。学段由标题给出：学前教育。『受援幼儿园』『园长』不在 d"
                   "ocs/roster.md 的表头表里。")
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "县—乡"
    header = ["序号", "受援幼儿园", "园长", "联系电话", "备注"]
    _title_row(ws, 1, "柳州市学前教育“县—乡”级结对帮扶安排表（一对多）", len(header))
    _put_row(ws, 2, header)
    row = 3
    for helper, helped_list in LIUZHOU_KINDERGARTENS:
        ws.cell(row, 1, f"帮扶学校：{helper}").font = Font(bold=True)
        ws.merge_cells(start_row=row, start_column=1, end_row=row, end_column=len(header))
        row += 1
        contacts = []
        for n, helped in enumerate(helped_list, start=1):
            name, phone = person("园长" + helped), mobile(helped)
            _put_row(ws, row, [n, helped, name, phone, ""])
            contacts.append(contact(helped, name, [phone], "园长"))
            row += 1
        exp.group([helper], list(helped_list), "学前教育", contacts)
        row += 1
    ws.column_dimensions["B"].width = 34
    return _xlsx_bytes(wb), exp


def f06_dongguan_two_row_header() -> tuple[bytes, Expected]:
    """东莞 1+1: 学校名称 twice, told apart only by 支援学校/受援学校 merged above them."""
    exp = Expected("06_dongguan_two_row_header.xlsx",
                   "东莞『1+1』初中结对名单（镇街是真的，学校是编造的）。两行表头：第3行『支援学校』合并在 B3:E3、『受"
                   "援学校』合并在 F3:I3，序号和备注向下合并；第4行两次出现 镇街/学校名称/校长/联系电话——两个『学校名"
                   "称』列只靠上一行区分。校长是联系人（title『校长』），联系电话是该校校长的办公电话（0769-…）。学段"
                   "由标题『东莞市初中学校…』给出：义务教育。")
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "1+1名单"
    _title_row(ws, 1, "东莞市初中学校“1+1”结对帮扶学校名单", 10)
    ws.cell(3, 1, "序号")
    ws.merge_cells("A3:A4")
    ws.cell(3, 2, "支援学校")
    ws.merge_cells("B3:E3")
    ws.cell(3, 6, "受援学校")
    ws.merge_cells("F3:I3")
    ws.cell(3, 10, "备注")
    ws.merge_cells("J3:J4")
    for col, text in enumerate(["镇街", "学校名称", "校长", "联系电话"] * 2, start=2):
        ws.cell(4, col, text)
    for n, (h_town, helper, r_town, helped) in enumerate(DONGGUAN, start=1):
        h_name, r_name = person("校长" + helper), person("校长" + helped)
        h_phone, r_phone = landline(helper, "0769"), landline(helped, "0769")
        _put_row(ws, 4 + n, [n, h_town, helper, h_name, h_phone, r_town, helped, r_name, r_phone, ""])
        exp.group([helper], [helped], "义务教育",
                  [contact(helper, h_name, [h_phone], "校长"), contact(helped, r_name, [r_phone], "校长")])
    return _xlsx_bytes(wb), exp


def f07_pengzhou_xls_source() -> tuple[bytes, Expected]:
    """彭州·黑水 联络员 list, saved as .xls: phones as text typed with a leading apostrophe, a date column."""
    exp = Expected("07_pengzhou_contacts.xls",
                   "种子 000 要求『各结对学校要确定一名联络员』：彭州教育局人事科汇总的联络员名单，另存为 Excel 97-200"
                   "3 .xls。标题行、表头 序号/支援学校/联络员/联系电话/受援学校/联络员/联系电话/结对时间（『联络员』不"
                   "在 docs/roster.md 的表头表里，按其左边最近的学校列归属）。电话都是以撇号输入的文本（'138…），固话 "
                   "028-/0837-；结对时间是真正的日期单元格（2019年3月14日）。2:1 那一行：支援学校格『彭州市西郊小学、"
                   "九尺镇小学』（后者继承『彭州市』），联络员『甲、乙』和电话『a、b』一校一项。文件不写学段：stage 为"
                   " null。末行『填报人…』是脚注。")
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "联络员"
    header = ["序号", "支援学校", "联络员", "联系电话", "受援学校", "联络员", "联系电话", "结对时间"]
    _title_row(ws, 1, "彭州·黑水“校校结对”学校联络员名单", len(header))
    _put_row(ws, 2, header)
    for n, (helpers, helped) in enumerate(PENGZHOU, start=1):
        row = 2 + n
        h_names = [person("联络员" + h) for h in helpers]
        h_phones = [landline(h, "028") if n % 5 == 0 else mobile("联络员" + h) for h in helpers]
        r_name = person("联络员" + helped)
        r_phone = landline(helped, "0837") if n % 3 == 0 else mobile("联络员" + helped)
        cell_helpers = helpers[0] + "".join("、" + h.removeprefix("彭州市") for h in helpers[1:])
        values = [n, cell_helpers, "、".join(h_names), "、".join(h_phones), helped, r_name, r_phone,
                  dt.datetime(2019, 3, 14)]
        _put_row(ws, row, values)
        for col in (4, 7):
            ws.cell(row, col).quotePrefix = True
        ws.cell(row, 8).number_format = "yyyy年m月d日"
        exp.group(list(helpers), [helped], None,
                  [*(contact(h, nm, [ph]) for h, nm, ph in zip(helpers, h_names, h_phones, strict=True)),
                   contact(helped, r_name, [r_phone])])
    ws.cell(3 + len(PENGZHOU) + 1, 1, "填报人：人事科  联系电话：028-83872025")
    for letter, width in zip("ABCDEFGH", (6, 34, 14, 16, 30, 10, 16, 16), strict=True):
        ws.column_dimensions[letter].width = width
    return _xlsx_bytes(wb), exp


def _binjiang_sections() -> list[tuple[str, list[int]]]:
    by_word: dict[str, list[int]] = {}
    for index, (_, _, word) in enumerate(BINJIANG):
        by_word.setdefault(word, []).append(index)
    return [(word, by_word[word]) for word in ("幼儿园", "小学", "初中") if word in by_word]


def f08_jianshi_mac_csv() -> tuple[bytes, Expected]:
    """建始's 28 pairs as CSV, UTF-8 with BOM and lines ended by CR only; blank rows between sections."""
    exp = Expected("08_jianshi_mac_cr.csv",
                   "滨江·建始 28 对（种子 002 只给出『28 所学校与 28 所学校』，学校是编造的，乡镇名是真的），建始县教"
                   "育局汇总，在 Mac 上另存：UTF-8 带 BOM，每行只以 CR（\\r）结束。第1行标题（后面一串空逗号），第2行"
                   "表头 序号/支援学校/受援学校/学段/受援学校联系人/受援学校联系电话；幼儿园、小学、初中三段之间各隔一"
                   "行空行（全是逗号）；末行『填报人：谢明华』『联系电话：0718-…』是脚注（谢明华是种子 002 的签名人）"
                   "，不属于任何学校。行号按 CR 数。")
    lines = ["滨江区·建始县结对帮扶学校名单（建始县汇总）,,,,,",
             "序号,支援学校,受援学校,学段,受援学校联系人,受援学校联系电话"]
    n = 0
    for s, (word, indexes) in enumerate(_binjiang_sections()):
        if s:
            lines.append(",,,,,")
        for index in indexes:
            helper, helped, _ = BINJIANG[index]
            n += 1
            name, phone = person("建始" + helped), mobile("建始" + helped)
            lines.append(f"{n},{helper},{helped},{word},{name},{phone}")
            exp.group([helper], [helped], STAGE_OF[word], [contact(helped, name, [phone])])
    lines.append("填报人：谢明华,,,联系电话：0718-3322801,,")
    return ("\ufeff" + "\r".join(lines) + "\r").encode("utf-8"), exp


def f09_dongguan_mixed_csv() -> tuple[bytes, Expected]:
    """东莞 1+1 as CSV with CRLF then LF lines (rows pasted in from another editor), and bad rows."""
    exp = Expected("09_dongguan_mixed_eol.csv",
                   "东莞『1+1』名单的 CSV（UTF-8 无 BOM）：前 6 行以 CRLF 结束，后面的行是从另一个编辑器粘进来的，以 L"
                   "F 结束。表头 支援学校/支援学校联系人/支援学校联系电话/受援学校/受援学校联系人/受援学校联系电话，无"
                   "标题，不写学段（stage 为 null）。坏行：第7行受援学校是模板占位『XX学校』（placeholder）；第9行支援"
                   "学校为空（empty）；第11行『东莞市常平中学(初中部)』与第8行『东莞市常平中学（初中部）』只差括号的全"
                   "角/半角——决定：同一所学校，所以是 duplicate（期望名用第8行的写法）；第12行受援学校联系电话『237596"
                   "01188』有 11 位却不以 1 开头（phone），这一对仍然导入，号码照原样保留。")
    header = "支援学校,支援学校联系人,支援学校联系电话,受援学校,受援学校联系人,受援学校联系电话"
    rows: list[str] = [header]

    def pair_row(i: int, *, helper: str | None = None, helped: str | None = None, r_phone: str | None = None) -> str:
        _, h, _, r = DONGGUAN[i]
        h_name, h_phone = person("联系人" + h), mobile("联系人" + h)
        r_name, phone = person("联系人" + r), r_phone or mobile("联系人" + r)
        return (f"{h if helper is None else helper},{h_name},{h_phone},{r if helped is None else helped},"
                f"{r_name},{phone}")

    def expect(i: int, r_phone: str | None = None) -> None:
        _, h, _, r = DONGGUAN[i]
        exp.group([h], [r], None, [contact(h, person("联系人" + h), [mobile("联系人" + h)]),
                                   contact(r, person("联系人" + r), [r_phone or mobile("联系人" + r)])])

    for i in range(5):                                  # lines 2-6
        rows.append(pair_row(i))
        expect(i)
    rows.append(pair_row(5, helped="XX学校"))           # line 7: placeholder
    exp.error(7, "placeholder")
    rows.append(pair_row(7))                            # line 8: 常平中学（初中部）
    expect(7)
    rows.append(pair_row(6, helper=""))                 # line 9: empty
    exp.error(9, "empty")
    rows.append(pair_row(5))                            # line 10: the real pair of line 7
    expect(5)
    rows.append(pair_row(7, helper="东莞市常平中学(初中部)"))  # line 11: duplicate of line 8
    exp.error(11, "duplicate")
    rows.append(pair_row(6, r_phone="23759601188"))      # line 12: phone
    expect(6, "23759601188")
    exp.error(12, "phone")
    text = "".join(line + ("\r\n" if n <= 6 else "\n") for n, line in enumerate(rows, start=1))
    return text.encode("utf-8"), exp


def _set_cell(cell: Any, lines: Sequence[str]) -> None:
    cell.text = lines[0] if lines else ""
    for line in lines[1:]:
        cell.add_paragraph(line)


def f10_pengzhou_stages_docx() -> tuple[bytes, Expected]:
    """Word: two rosters, one per stage, each under its own heading; a 2:1 written as two lines in one cell."""
    exp = Expected("10_pengzhou_stages.docx",
                   "彭州·黑水的结对名单打进 Word，按学段分成两张表，各有标题：『一、义务教育阶段结对学校』（12 对）和"
                   "『二、学前教育阶段结对学校』（1 对），表头 序号/支援学校/受援学校/备注。种子的第一对（成都石室白马"
                   "中学—黑水县中学）这份文件没有列。2:1 那一组的支援学校格里是两个段落『彭州市西郊小学』『九尺镇小学"
                   "』（同一格中换行；后者继承『彭州市』）。学段由各表上方的标题给出。")
    document = _new_document()
    document.add_heading("彭州·黑水“校校结对”学校名单（按学段）", level=1)
    document.add_paragraph("根据彭教育人事发〔2019〕8号文件，调整后的结对学校名单如下。")
    sections = [("一、义务教育阶段结对学校", "义务教育", PENGZHOU[1:13]),
                ("二、学前教育阶段结对学校", "学前教育", PENGZHOU[13:])]
    for heading, stage, pairs in sections:
        document.add_heading(heading, level=2)
        table = document.add_table(rows=1, cols=4)
        table.style = "Table Grid"
        for cell, text in zip(table.rows[0].cells, ("序号", "支援学校", "受援学校", "备注"), strict=True):
            cell.text = text
        for n, (helpers, helped) in enumerate(pairs, start=1):
            cells = table.add_row().cells
            cells[0].text = str(n)
            _set_cell(cells[1], [helpers[0], *(h.removeprefix("彭州市") for h in helpers[1:])])
            cells[2].text = helped
            cells[3].text = "两校共同帮扶" if len(helpers) > 1 else ""
            exp.group(list(helpers), [helped], stage)
    document.add_paragraph("彭州市教育局人事科　2019年3月14日")
    return _docx_bytes(document), exp


def f11_binjiang_pdf_source() -> tuple[bytes, Expected]:
    """滨江·建始 28 pairs in a Word table long enough to cross a page, header row repeated; → PDF."""
    exp = Expected("11_binjiang_jianshi.pdf",
                   "滨江·建始 28 对（学校编造，乡镇名真实）做成 Word 表格后『另存为 PDF』：表格跨页，表头行设为『在各"
                   "页顶端以标题行形式重复出现』，所以第二页顶上又有一行 序号/帮扶学校/联系人及电话/受援学校/联系人及"
                   "电话/学段。联系人及电话格里是两行：姓名、手机号。学段列 幼儿园/小学/初中。A4 横向；行不跨页断开；"
                   "表格前后各有一段正文。")
    document = _new_document()
    section = document.sections[0]
    section.orientation = WD_ORIENT.LANDSCAPE
    section.page_width, section.page_height = Cm(29.7), Cm(21.0)
    section.left_margin = section.right_margin = Cm(2.0)
    document.add_heading("滨江区·建始县结对帮扶学校名单", level=1)
    document.add_paragraph("根据《滨江区·建始县2019年东西部扶贫协作工作计划》，进一步巩固滨江区28所学校与建始县28所学校之间的"
                           "结对帮扶关系。各结对学校名单及联系人如下：")
    table = document.add_table(rows=1, cols=6)
    table.style = "Table Grid"
    header = ("序号", "帮扶学校", "联系人及电话", "受援学校", "联系人及电话", "学段")
    for cell, text in zip(table.rows[0].cells, header, strict=True):
        cell.text = text
    tr_pr = table.rows[0]._tr.get_or_add_trPr()
    repeat = OxmlElement("w:tblHeader")
    repeat.set(qn("w:val"), "true")
    tr_pr.append(repeat)
    for n, (helper, helped, word) in enumerate(BINJIANG, start=1):
        cells = table.add_row().cells
        h_name, h_phone = person("pdf" + helper), mobile("pdf" + helper)
        r_name, r_phone = person("pdf" + helped), mobile("pdf" + helped)
        cells[0].text = str(n)
        cells[1].text = helper
        _set_cell(cells[2], [h_name, h_phone])
        cells[3].text = helped
        _set_cell(cells[4], [r_name, r_phone])
        cells[5].text = word
        exp.group([helper], [helped], STAGE_OF[word],
                  [contact(helper, h_name, [h_phone]), contact(helped, r_name, [r_phone])])
    widths = (Cm(1.4), Cm(6.8), Cm(3.6), Cm(6.8), Cm(3.6), Cm(2.0))
    table.autofit = False
    for column, width in zip(table.columns, widths, strict=True):
        column.width = width
    for row in table.rows:
        row._tr.get_or_add_trPr().append(OxmlElement("w:cantSplit"))  # a row is never cut by the page break
        for cell, width in zip(row.cells, widths, strict=True):
            cell.width = width
    document.add_paragraph("请各结对学校于每学期初商定当年活动方案，报两地教育局备案。")
    return _docx_bytes(document), exp


def f12_heze_utf16be() -> tuple[bytes, Expected]:
    """菏泽's list with a helper column, as tab-separated UTF-16BE text (a Java/Mac tool's 'Unicode')."""
    exp = Expected("12_heze_utf16be.txt",
                   "种子 003 的附件『菏泽被帮扶学校名单』加一列『帮扶学校』，用某个工具导出为 UTF-16BE（带 BOM FE FF）"
                   "、制表符分隔、CRLF 的文本。第1行标题『菏泽被帮扶学校名单』，第2行表头 序号/县市区/学段/学校名称/负"
                   "责人/联系电话/帮扶学校：学校名称 = 受援方（标题说被帮扶学校；README 的决定），负责人和电话属于它。"
                   "县市区与负责人保留种子的对齐空格（『曹 县』『李 云』『赵 瑞』），期望的人名去掉空格。学段 初中/高"
                   "中。帮扶学校是编造的。")
    lines = ["菏泽被帮扶学校名单", "序号\t县市区\t学段\t学校名称\t负责人\t联系电话\t帮扶学校"]
    for n, (county, word, school, head, phone) in enumerate(HEZE, start=1):
        written_county = f"{county[0]} {county[1]}" if len(county) == 2 else county
        written_head = f"{head[0]} {head[1]}" if len(head) == 2 else head
        helper = heze_helper(n - 1)
        lines.append(f"{n}\t{written_county}\t{word}\t{school}\t{written_head}\t{phone}\t{helper}")
        exp.group([helper], [school], STAGE_OF[word], [contact(school, head, [phone])])
    return ("\ufeff" + "\r\n".join(lines) + "\r\n").encode("utf-16-be"), exp


def f13_heze_bad_rows() -> tuple[bytes, Expected]:
    """The 菏泽 high schools with every kind of bad row, and valid rows with odd-but-fine cells."""
    exp = Expected("13_heze_bad_rows.xlsx",
                   "菏泽高中结对名单（受援学校、负责人、电话是种子 003 的；帮扶学校编造）。表头第2行：序号/帮扶学校/被"
                   "帮扶学校/学段/被帮扶学校负责人/被帮扶学校联系电话。奇怪但有效的格（决定）：第3行『　曹县 第一中学 "
                   "』开头是全角空格（U+3000），中间一个半角空格，末尾一个半角空格——空白不属于名字；第4行『定陶县第一中学。』句末的『。』不属于名字"
                   "；第11行『东明县第一中学（盖章）』——『（盖章）』是模板上的盖章提示，不属于名字。坏行：第6行电话『2"
                   "5552392688』11 位但不以 1 开头（phone，这一对仍导入，号码照写保留）；第7行帮扶学校为空（empty）；"
                   "第8行学段『职业高中』（unknown_stage，这一对仍导入，stage null）；第9行两边都是『郓城县第一中学』"
                   "（same_school）；第10行帮扶学校是『某某中学』（placeholder）；第12行『淄博市临淄区第二中学(东校区)"
                   "』与第5行『淄博市临淄区第二中学（东校区）』只差括号全/半角——决定：同一所学校，duplicate。")
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "高中"
    header = ["序号", "帮扶学校", "被帮扶学校", "学段", "被帮扶学校负责人", "被帮扶学校联系电话"]
    _title_row(ws, 1, "支持菏泽教育发展结对帮扶学校名单（高中）", len(header))
    _put_row(ws, 2, header)
    high = [i for i, row in enumerate(HEZE) if row[1] == "高中"]
    zibo = "淄博市临淄区第二中学（东校区）"

    def seed(i: int) -> tuple[str, str, str]:
        return HEZE[i][2], HEZE[i][3], HEZE[i][4]

    specs: list[tuple[str, str, str, str, str, str | None, str | None]] = []
    # (帮扶学校 as written, 被帮扶 as written, 学段, 负责人, phone, expected helped name or None, error kind or None)
    s, h, p = seed(high[0])
    specs.append((heze_helper(high[0]), "\u3000曹县 第一中学 ", "高中", h, p, s, None))          # row 3
    s, h, p = seed(high[1])
    specs.append((heze_helper(high[1]), s + "。", "高中", h, p, s, None))                       # row 4
    s, h, p = seed(high[2])
    specs.append((zibo, s, "高中", h, p, s, None))                                            # row 5
    s, h, _ = seed(high[3])
    specs.append((heze_helper(high[3]), s, "高中", h, "25552392688", s, "phone"))             # row 6
    s, h, p = seed(high[4])
    specs.append(("", s, "高中", h, p, None, "empty"))                                        # row 7
    s, h, p = seed(high[5])
    specs.append((heze_helper(high[5]), s, "职业高中", h, p, s, "unknown_stage"))              # row 8
    s, h, p = seed(high[6])
    specs.append((s, s, "高中", h, p, None, "same_school"))                                   # row 9
    s, h, p = seed(high[7])
    specs.append(("某某中学", s, "高中", h, p, None, "placeholder"))                           # row 10
    s, h, p = seed(high[8])
    specs.append((heze_helper(high[8]), s + "（盖章）", "高中", h, p, s, None))                 # row 11
    s, h, p = seed(high[2])
    specs.append(("淄博市临淄区第二中学(东校区)", s, "高中", h, p, None, "duplicate"))          # row 12
    for n, (helper, helped, word, head, phone, want, kind) in enumerate(specs, start=1):
        row = 2 + n
        _put_row(ws, row, [n, helper, helped, word, head, phone])
        if kind:
            exp.error(row, kind)
        if want is not None:
            full_helper = zibo if helper == zibo else helper
            stage = STAGE_OF.get(word)
            exp.group([full_helper], [want], stage, [contact(want, head, [phone])])
    for letter, width in zip("ABCDEF", (6, 30, 30, 10, 16, 18), strict=True):
        ws.column_dimensions[letter].width = width
    return _xlsx_bytes(wb), exp


def f14_liuzhou_special_ods_source() -> tuple[bytes, Expected]:
    """柳州's special-education table with its lead school merged down, saved as .ods."""
    exp = Expected("14_liuzhou_special.ods",
                   "种子 001 的特殊教育结对表，文员加了联系人后存为 OpenDocument 表格（.ods）。表头第2行：帮扶牵头指导"
                   "学校/帮扶学校/联系人/联系电话/受援学校/联系人/联系电话；A3:A5 合并写『柳州市特殊教育学校』——它是 c"
                   "oordinator，不是结对一方（README 的决定），三对县特校各是 1:1。联系人写作『姓名（职务）』。学段由"
                   "标题『…特殊教育结对帮扶安排表』给出。")
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "特殊教育"
    header = ["帮扶牵头指导学校", "帮扶学校", "联系人", "联系电话", "受援学校", "联系人", "联系电话"]
    _title_row(ws, 1, "柳州市特殊教育“市—县”结对帮扶安排表", len(header))
    _put_row(ws, 2, header)
    ws.cell(3, 1, LIUZHOU_LEAD)
    ws.merge_cells(start_row=3, start_column=1, end_row=2 + len(LIUZHOU_SPECIAL), end_column=1)
    ws.cell(3, 1).alignment = Alignment(vertical="center", wrap_text=True)
    for n, (helper, helped) in enumerate(LIUZHOU_SPECIAL, start=1):
        row = 2 + n
        h_name, r_name = person("特教" + helper), person("特教" + helped)
        h_phone, r_phone = mobile("特教" + helper), landline(helped, "0772")
        _put_row(ws, row, [None, helper, f"{h_name}（副校长）", h_phone, helped, f"{r_name}（校长）", r_phone])
        exp.group([helper], [helped], "特殊教育",
                  [contact(helper, h_name, [h_phone], "副校长"), contact(helped, r_name, [r_phone], "校长")],
                  coordinator=LIUZHOU_LEAD)
    return _xlsx_bytes(wb), exp


# ---------------------------------------------------------------------------------------------------------
# The corpus.

#: name → (builder, LibreOffice conversion of the builder's output: (source suffix, target filter) or None).
FILES: dict[str, tuple[Callable[[], tuple[bytes, Expected]], tuple[str, str] | None]] = {
    "01_binjiang_wjx_export.xlsx": (f01_binjiang_wjx, None),
    "02_heze_tencent_form.xlsx": (f02_heze_tencent, None),
    "03_binjiang_jianshi_exchange.xlsx": (f03_binjiang_exchange, None),
    "04_liuzhou_highschool_aid.xlsx": (f04_liuzhou_aid, None),
    "05_liuzhou_kindergarten_blocks.xlsx": (f05_liuzhou_blocks, None),
    "06_dongguan_two_row_header.xlsx": (f06_dongguan_two_row_header, None),
    "07_pengzhou_contacts.xls": (f07_pengzhou_xls_source, (".xlsx", "xls:MS Excel 97")),
    "08_jianshi_mac_cr.csv": (f08_jianshi_mac_csv, None),
    "09_dongguan_mixed_eol.csv": (f09_dongguan_mixed_csv, None),
    "10_pengzhou_stages.docx": (f10_pengzhou_stages_docx, None),
    "11_binjiang_jianshi.pdf": (f11_binjiang_pdf_source, (".docx", "pdf:writer_pdf_Export")),
    "12_heze_utf16be.txt": (f12_heze_utf16be, None),
    "13_heze_bad_rows.xlsx": (f13_heze_bad_rows, None),
    "14_liuzhou_special.ods": (f14_liuzhou_special_ods_source, (".xlsx", "ods")),
}


def expected(name: str) -> dict[str, Any]:
    """The expected result of corpus file ``name``, as a dict (from the data, no file read)."""
    result: dict[str, Any] = json.loads(FILES[name][0]()[1].to_json())
    return result


def build(name: str, convert: bool = True) -> tuple[bytes, str]:
    """File ``name`` and its expected JSON text; ``convert=False`` gives the pre-LibreOffice source instead."""
    builder, conversion = FILES[name]
    data, exp = builder()
    if conversion is not None and convert:
        from testkit.office import convert as office_convert

        data = office_convert(data, *conversion)
    return data, exp.to_json()


def write(target: Path) -> list[str]:
    """Write every file and expected result into ``target``; the names written."""
    target.mkdir(parents=True, exist_ok=True)
    for name in FILES:
        data, exp_json = build(name)
        (target / name).write_bytes(data)
        (target / f"{name}.expected.json").write_text(exp_json, "utf-8")
    return list(FILES)


def check(target: Path) -> list[str]:
    """Reproducible files (and every expected result) that differ from what the generator makes now."""
    differ = []
    for name, (_, conversion) in FILES.items():
        data, exp_json = build(name, convert=False)
        if (target / f"{name}.expected.json").read_text("utf-8") != exp_json:
            differ.append(f"{name}.expected.json")
        if conversion is None and (target / name).read_bytes() != data:
            differ.append(name)
    return differ


def main(argv: Sequence[str] | None = None) -> int:
    """Command line: write the corpus, or ``--check`` it."""
    parser = argparse.ArgumentParser(description="the second holdout roster corpus")
    parser.add_argument("target", type=Path)
    parser.add_argument("--check", action="store_true")
    args = parser.parse_args(argv)
    if args.check:
        differ = check(args.target)
        for name in differ:
            print(f"differs: {name}")
        return 1 if differ else 0
    for name in write(args.target):
        print(name)
    return 0


if __name__ == "__main__":
    sys.exit(main())
