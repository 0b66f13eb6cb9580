"""One-off migration (issue 10, item 7): write the agreement templates once, after which the .docx files in
``docgen/templates/`` are the source and are edited in Word or WPS (``docs/templates.md``).

    .venv/bin/python tools/migrations/agreements_to_word.py [OUTPUT_DIR]

Run on 2026-11-29 to move the agreement wording out of ``tools/build_templates.py`` and to give each program
its own notice's content: ``party_building.docx`` (彭州, seed 000 附件1), ``five_year.docx`` (柳州, seed 001),
``three_year.docx`` (东莞 “1+1”, seed 004) and ``heze_three_year.docx`` (菏泽, seed 003), with seal blocks in a
borderless table (two parties side by side, more in a grid of 78 mm cells). Running it again overwrites what
a clerk changed in Word since: do not, except to start over. It borrows the page set-up and styles of
``OfficialDocument`` from ``tools/build_templates.py`` (which still builds the blank forms).
"""

from __future__ import annotations

import sys
from collections.abc import Callable
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import build_templates as bt  # a script beside this one, not a package
from docx.oxml import parse_xml
from docx.oxml.ns import nsdecls

ROOT = Path(__file__).resolve().parents[2]
TEMPLATES = ROOT / "docgen" / "templates"
BLANK = "__________"
# A signature blank in a 78 mm seal cell: 负责人签名： + 8 underscores is 192 pt in LibreOffice (its underscore
# is 12.2 pt wide) of the cell's 218 pt, so the blank never wraps; ten would.
SIGN_BLANK = "________"
CITE = "{% if program.citation %}根据{{ program.citation }}，{% endif %}"
ALL = "{{ all_parties }}"
A, B = "{{ party_a.label }}", "{{ party_b.label }}"
COPIES = "本协议一式{{ copies.count_cn }}份，{{ copies.text }}。"
SEAL_COLUMN = bt.TEXT_W // 2  # 78 mm: a 42 mm seal and its name beside the other party's


def _seal_paragraph(text: str, *, keep_next: bool = True) -> str:
    """A paragraph of a seal cell: 3号 仿宋, no indent, kept with the next so the block stays together."""
    keep = "<w:keepNext/>" if keep_next else ""
    run = (
        f"<w:r><w:rPr>{bt._rpr_xml(bt.FONT_BODY, bt.SIZE_BODY, latin=bt.FONT_LATIN)}</w:rPr>"
        f'<w:t xml:space="preserve">{bt._escape(text)}</w:t></w:r>'
        if text
        else ""
    )
    return (
        f'<w:p><w:pPr><w:pStyle w:val="Signature"/>{keep}'
        f"<w:rPr>{bt._rpr_xml(bt.FONT_BODY, bt.SIZE_BODY, latin=bt.FONT_LATIN)}</w:rPr></w:pPr>{run}</w:p>"
    )


def _seal_cell(lines: list[str], width: int) -> str:
    paragraphs = "".join(_seal_paragraph(line) for line in lines)
    return f'<w:tc><w:tcPr><w:tcW w:w="{width}" w:type="dxa"/></w:tcPr>{paragraphs}</w:tc>'


def _tag_row(statement: str) -> str:
    return (
        "<w:tr><w:trPr><w:cantSplit/></w:trPr>"
        + _seal_cell([f"{{%tr {statement} %}}"], SEAL_COLUMN)
        + _seal_cell([""], SEAL_COLUMN)
        + "</w:tr>"
    )


def seal_table(doc: bt.OfficialDocument, rows: str, cell: Callable[[str], list[str]]) -> None:
    """A borderless two-column table, one row per two seals (``rows``: a context list of ``{left, right}``);
    ``cell(side)`` gives the lines of one cell, in which ``c`` is ``row.left`` or ``row.right``. Rows never
    split across pages and every paragraph keeps with the next, so the block stays with the closing clause."""
    nil = "".join(f'<w:{s} w:val="nil"/>' for s in ("top", "left", "bottom", "right", "insideH", "insideV"))
    body_row = (
        "<w:tr><w:trPr><w:cantSplit/></w:trPr>"
        + _seal_cell(cell("row.left"), SEAL_COLUMN)
        + _seal_cell(cell("row.right"), SEAL_COLUMN)
        + "</w:tr>"
    )
    doc.body.insert(
        len(doc.body) - 1,
        parse_xml(
            f"<w:tbl {nsdecls('w')}><w:tblPr>"
            f'<w:tblW w:w="{2 * SEAL_COLUMN}" w:type="dxa"/><w:jc w:val="center"/>'
            f'<w:tblBorders>{nil}</w:tblBorders><w:tblLayout w:type="fixed"/>'
            '<w:tblCellMar><w:left w:w="0" w:type="dxa"/><w:right w:w="113" w:type="dxa"/></w:tblCellMar>'
            '<w:tblLook w:val="0000" w:firstRow="0" w:lastRow="0" w:firstColumn="0" w:lastColumn="0"'
            ' w:noHBand="1" w:noVBand="1"/></w:tblPr>'
            f'<w:tblGrid><w:gridCol w:w="{SEAL_COLUMN}"/><w:gridCol w:w="{SEAL_COLUMN}"/></w:tblGrid>'
            + _tag_row(f"for row in {rows}")
            + body_row
            + _tag_row("endfor")
            + "</w:tbl>"
        ),
    )


def _if_named(side: str, text: str) -> str:
    """``text`` only in a cell that has a party (the right cell of an odd last row stays empty)."""
    return f"{{% if {side}.name %}}{text}{{% endif %}}"


def school_seal(sign: str) -> Callable[[str], list[str]]:
    """A school's seal cell: 甲方（帮扶学校）： / the school / （盖章） / room for a 42 mm seal / ``sign``. The name
    has a line of its own, so a long name wraps without tearing （盖章） apart."""

    def cell(c: str) -> list[str]:
        return [
            _if_named(c, f"{{{{ {c}.label }}}}（{{{{ {c}.role }}}}）："),
            f"{{{{ {c}.name }}}}",
            _if_named(c, "（盖章）"),
            "",
            "",
            _if_named(c, sign),
        ]

    return cell


def party_seal(c: str) -> list[str]:
    """The seed's seal line for a party organisation: 结对基层党组织：…（盖章）, 负责人签名：____."""
    return [
        _if_named(c, "结对基层党组织："),
        f"{{{{ {c}.party_org }}}}",
        _if_named(c, "（盖章）"),
        "",
        "",
        _if_named(c, f"负责人签名：{SIGN_BLANK}"),
    ]


def bureau_seal(c: str) -> list[str]:
    return [_if_named(c, "备案单位："), f"{{{{ {c}.name }}}}", _if_named(c, "（盖章）"), "", ""]


def _close(doc: bt.OfficialDocument, text: str) -> None:
    """The closing clause, kept on the page of the seal blocks."""
    doc.body_text(text, keep_next=True)
    doc.blank(keep_next=True)


def _parties(doc: bt.OfficialDocument, names: str = "names") -> None:
    doc.flush(f"{{{{ party_a.role }}}}（{A}）：{{{{ party_a.{names} }}}}")
    doc.flush(f"{{{{ party_b.role }}}}（{B}）：{{{{ party_b.{names} }}}}")
    doc.blank()


def _term_sentence(subject: str) -> str:
    return (
        f"{subject}{{% if term.years %}}为期{{{{ term.years_cn }}}}年，{{% endif %}}"
        "自{{ term.start }}起至{{ term.end }}止。"
    )


# --- the templates -------------------------------------------------------------------------------------


def party_building() -> bt.OfficialDocument:
    """学校党建共建协议书 after 附件1 of 彭教育人事发〔2019〕8号 (seed 000)."""
    doc = bt.OfficialDocument("学校党建共建协议书")
    doc.title("{{ title }}")
    doc.flush(f"{A}：{{{{ party_a.party_orgs }}}}")
    doc.flush(f"{B}：{{{{ party_b.party_orgs }}}}")
    doc.blank()
    doc.body_text(
        "为全面贯彻党的十九大精神，深入落实习近平新时代中国特色社会主义思想，切实发挥党建引领在教育对口支援"
        "工作中的作用，努力形成互带互动、优势互补、资源共享、共同发展的基层党建工作新格局，引领结对学校高质量"
        f"发展。{CITE}经结对{ALL}协商，签订如下结对共建协议："
    )
    doc.h1("一、结对共建形式和内容")
    doc.body_text(
        f"1．组织建设互促。拓展和完善基层党组织功能，充分发挥结对{ALL}党组织的自身优势，定期交流党建工作经验，"
        "共享党建工作信息，加强基层组织建设，提高党建工作水平。"
    )
    doc.body_text(
        f"2．党员干部互动。根据需要，{ALL}定期召开座谈会，上党课，{ALL}邀请党员参与对方单位党建活动，进一步发挥"
        "党员的先锋模范作用。"
    )
    doc.body_text(
        f"3．党建载体互用。结对{ALL}要利用本单位的党建资源，定期共同开展党建活动，相互交流党员教育管理工作经验，"
        "提升党建工作整体水平。"
    )
    doc.body_text(f"4．结对帮扶互助。结对{ALL}要根据实际，结合党员志愿服务等工作，每年为师生办1—2件实事、好事。")
    doc.h1("二、结对共建活动重点")
    doc.body_text(
        "围绕“四个一”开展共建：共同为师生群众办一件实事，共同上一次党课，共同进行一次联合组织生活会，共同进行"
        "一次民情民意访谈。"
    )
    doc.body_text(
        "三、本协议有效时间{% if term.years %}暂定为{{ term.years_cn }}年，{% endif %}"
        f"自{{{{ term.start }}}}至{{{{ term.end }}}}止，如需延长或续签协议，{ALL}另行协商决定。"
    )
    _close(doc, "四、" + COPIES)
    seal_table(doc, "seal_rows", party_seal)
    doc.sign_date("{{ sign_date }}")
    return doc


def five_year() -> bt.OfficialDocument:
    """2016—2020年结对帮扶协议 after 柳教基〔2016〕68号 (seed 001): the five kinds of assistance (params)."""
    doc = bt.OfficialDocument("结对帮扶协议")
    doc.title("{{ title }}")
    _parties(doc)
    doc.body_text(
        f"为深入贯彻脱贫攻坚教育帮扶工作部署，{CITE}按照以优补差、以强带弱、共同发展的原则，进一步缩小城乡、"
        f"区域、校际教育差距，经{ALL}协商，签订本协议。"
    )
    doc.h1("一、协议期限")
    doc.body_text(_term_sentence("本协议"))
    doc.h1("二、帮扶重点")
    doc.body_text(
        f"{{% if pair.stage %}}{ALL}结对属{{{{ pair.stage }}}}学段，{{% endif %}}帮扶重点是{{{{ stage_focus }}}}。"
        f"{ALL}按照“一对帮扶一精准方案”“一问题一对策”的原则，商定帮扶工作内容，制定具体的结对帮扶方案，确保"
        "帮扶到校、帮扶到师、帮扶到生。"
    )
    doc.h1("三、帮扶内容")
    doc.tag("for a in params.assistance")
    doc.h2(f"（{{{{ {bt.CN_INDEX} }}}}）{{{{ a.name }}}}")
    doc.body_text("{{ a.text }}")
    doc.tag("endfor")
    doc.h1(f"四、{ALL}责任")
    doc.body_text(
        f"1．{A}把帮扶工作列入学校年度工作计划，明确分管领导和联络员，落实帮扶人员、时间和措施，按本协议开展帮扶活动。"
    )
    doc.body_text(
        f"2．{B}主动提出帮扶需求，认真组织干部教师参加帮扶活动，为{A}人员开展工作提供便利，及时总结帮扶成效。"
    )
    doc.body_text(
        f"3．{ALL}建立定期互访和沟通机制，留存活动过程资料，每学年总结一次帮扶工作，接受教育行政部门的检查指导和考核。"
    )
    doc.h1("五、联系人")
    for side, label in (("party_a", A), ("party_b", B)):
        doc.tag(f"for s in {side}.schools")
        contact, phone = f'{{{{ s.contact or "{BLANK}" }}}}', f'{{{{ s.phone or "{BLANK}" }}}}'
        doc.body_text(f"{label}{{{{ s.name }}}}联系人：{contact}，联系电话：{phone}。")
        doc.tag("endfor")
    doc.tag("if pair.coordinator")
    doc.body_text(f"{{{{ pair.coordinator }}}}为本结对的牵头指导学校，负责指导{ALL}制定帮扶方案、落实帮扶工作。")
    doc.tag("endif")
    doc.h1("六、其他")
    _close(doc, f"本协议未尽事宜由{ALL}协商解决。{COPIES}本协议自{ALL}签字盖章之日起生效。")
    seal_table(doc, "seal_rows", school_seal(f"校长签字：{SIGN_BLANK}"))
    seal_table(doc, "bureau_seal_rows", bureau_seal)
    doc.sign_date("{{ sign_date }}")
    return doc


def three_year() -> bt.OfficialDocument:
    """东莞市初中学校“1+1”结对帮扶协议书 after the 东莞 plan (seed 004): its goals, tasks and frequencies."""
    doc = bt.OfficialDocument("“1+1”结对帮扶协议书")
    doc.title("{{ title }}")
    _parties(doc)
    doc.body_text(
        f"{CITE}为发挥优质教育资源的辐射和带动作用，帮助{{{{ party_b.role }}}}提高管理水平和教育教学质量，推进初中"
        f"教育均衡发展，明确{ALL}的责任和义务，经{ALL}协商，签订本协议。"
    )
    doc.h1("一、帮扶期限")
    doc.body_text(_term_sentence("本协议"))
    doc.h1("二、总体目标")
    doc.body_text(
        "{{ party_a.role }}在帮扶期内帮助{{ party_b.role }}完善管理制度、提升管理水平、强化师资队伍、提高课堂效益、"
        "活跃教育科研、优化校风学风。"
    )
    doc.h1("三、预期目标")
    doc.body_text("到帮扶期满，帮助{{ party_b.role }}实现以下目标：")
    for i, target in enumerate(
        (
            "建立起一套较为完整、细致、科学的学校管理制度。",
            "培养出5名片区内以上的学科骨干教师。",
            "获得3项以上的市级以上科研立项。",
            "学生在市以上各类比赛获奖人次有所增加。",
            "初三毕业生学业考试平均分与全市平均分的差距比现在缩小10分以上。",
        ),
        start=1,
    ):
        doc.body_text(f"{i}．{target}")
    doc.h1("四、分年度目标")
    doc.body_text(
        "第一年：考察交流，了解{{ party_b.role }}基本情况，商定帮扶方案，全面铺开帮扶活动；年底开展考核评估，"
        "总结第一年度的帮扶工作。"
    )
    doc.body_text("第二年、第三年：按帮扶方案深入开展帮扶工作，每年年底开展考核评估和经验总结。")
    doc.body_text("帮扶计划和方案于每年度5月10日前交市教育局备案。")
    doc.h1("五、主要任务")
    duties = (
        (
            "（一）学校管理工作帮扶",
            f"{A}帮助{B}树立正确的办学思想和先进的办学理念，健全和完善各项管理制度，规范学校日常工作管理；找准"
            f"学校发展定位，理清发展思路，制定中长期发展目标和发展规划；{ALL}每年开展校风、教风、学风建设以及"
            "班级管理、心理健康教育、安全教育等方面工作的交流与学习，可互派行政领导，科、级组长到对方学校交流"
            "沟通和跟岗学习。",
        ),
        (
            "（二）教育教学工作帮扶",
            f"指导和帮助{B}按规定开齐课程、开足课时，规范教学工作常规管理，建立健全教学档案；定期开展集体备课、"
            "随班听课、示范课、说课、评课、同课异构、专题讲座和课题研究等教育教学研讨活动；帮助和指导"
            f"{B}利用现代教育技术提高课堂教学的效率和水平，加强实验室、功能室、图书室的建设和实验教学指导。",
        ),
        (
            "（三）教师专业发展帮扶",
            f"帮助{B}制定教师队伍建设发展规划、培训计划和工作措施，对{B}教师每年全员培训一次以上；开展师德师风"
            f"建设；{A}每学期组织优秀教师、骨干教师到{B}开展上示范课、公开课、研讨会、集体备课等形式多样的指导，"
            "采取与青年教师师徒结对等方式提高教师素质，必要时可选派青年教师跟岗学习。",
        ),
        (
            "（四）校园文化建设帮扶",
            f"帮助{B}加强校风、学风建设；共同开展共青团、少先队手拉手等团队活动；{A}举办艺术节、科技节、体育节和"
            f"读书节等活动时，适当组织{B}师生参与；帮助{B}规划校园布局，开展校园文化活动。",
        ),
    )
    for heading, text in duties:
        doc.h2(heading)
        doc.body_text(text)
    doc.h1("六、帮扶频次")
    doc.body_text(f"1．{A}校长带头参与交流，每月到{B}交流指导不少于2次。")
    doc.body_text(f"2．{A}每月派出优秀教师进行教育指导和研讨不少于4次，集体交流不少于2次。")
    doc.h1(f"七、{ALL}责任")
    doc.body_text(
        f"1．{A}按照本协议任务要求制定帮扶工作方案，明确帮扶的目标、内容、方式、步骤以及人员和时间安排，"
        f"组织行政人员、骨干教师诊断{B}存在的问题，提出具体帮扶措施。"
    )
    doc.body_text(
        f"2．{B}结合实际与{A}共同确定帮扶计划，积极组织干部教师参与帮扶活动，为{A}派出人员提供工作和生活便利。"
    )
    doc.body_text(
        f"3．{ALL}建立互访制度，加强沟通，共同研究解决帮扶中的困难和问题，每年年底总结帮扶工作，接受考核评估。"
    )
    doc.h1("八、其他")
    _close(doc, f"本协议未尽事宜由{ALL}协商解决。{COPIES}本协议自{ALL}签字盖章之日起生效。")
    seal_table(doc, "seal_rows", school_seal(f"校长签字：{SIGN_BLANK}"))
    doc.sign_date("{{ sign_date }}")
    return doc


def heze_three_year() -> bt.OfficialDocument:
    """支持菏泽教育发展结对帮扶协议书 after 鲁教基函〔2016〕7号 (seed 003): its four measures and quantities."""
    doc = bt.OfficialDocument("支持菏泽教育发展结对帮扶协议书")
    doc.title("{{ title }}")
    _parties(doc)
    doc.body_text(
        "为贯彻落实省委、省政府《关于贯彻落实中央扶贫开发工作部署坚决打赢脱贫攻坚战的意见》和省委组织部等九部门"
        f"《关于支持菏泽人才发展的若干政策》精神，{CITE}做好支持菏泽教育发展结对帮扶工作，经{ALL}协商，签订本协议。"
    )
    doc.h1("一、帮扶期限")
    doc.body_text(_term_sentence("本协议"))
    doc.h1("二、帮扶目标")
    doc.body_text("提升{{ party_b.role }}教学质量和办学水平，提升教师队伍专业素质，提升人才培养质量。")
    doc.h1("三、帮扶方式")
    doc.body_text(
        "结对帮扶主要采取教师（校长）双向挂职交流、教学研讨培训、课题联合研究、共建网络教育资源、学生活动交流等"
        f"方式开展，具体帮扶方式由{ALL}协商确定。"
    )
    doc.h1("四、主要措施")
    measures = (
        (
            "（一）建立人才双向挂职交流机制",
            "{{ party_a.role }}选派优秀管理干部、骨干教师到{{ party_b.role }}挂职支教。{{ party_b.role }}每年选派"
            "不少于2名中层以上干部、不少于5名青年骨干教师到{{ party_a.role }}学习、参与教学。"
            f"{ALL}教师建立师徒传帮带关系，增强{{{{ party_b.role }}}}青年教师的专业发展动力，提高教育教学质量。",
        ),
        (
            "（二）定期开展业务研讨培训",
            "{{ party_a.role }}每年组织本校骨干教师到{{ party_b.role }}开展至少1次业务研讨培训交流活动，包括授课、"
            "教学研讨、管理和教学经验分享、学生之间的互访等，推动{{ party_b.role }}在学校管理、教育教学、教师培养"
            "培训等方面与{{ party_a.role }}同步发展。",
        ),
        (
            "（三）构建网络一体化互动平台",
            "充分利用网络信息技术，采取优质课程资源网上共建共享、网上相互听评课、网上一体化教研和教师培训、网上共办"
            f"学生德育活动、网上教师业务实时交流等方式开展交流活动，实现{ALL}无缝对接和学校资源的动态实时共享。",
        ),
        (
            "（四）积极开展特色团队交流活动",
            f"结合{ALL}教学实际，定期组织开展教师之间“同课异构”课堂教学比赛、学生之间“寒暑假综合实践活动”、"
            "学校之间文化节、艺术节、运动会等活动，在活动中交流、进步、共建，共同提高师生整体素质。",
        ),
    )
    for heading, text in measures:
        doc.h2(heading)
        doc.body_text(text)
    doc.h1(f"五、{ALL}责任")
    doc.body_text(
        f"1．{A}把帮扶工作列入学校年度工作计划，明确分管领导和联络员，落实挂职、研讨培训和交流活动的人员与时间。"
    )
    doc.body_text(f"2．{B}按本协议选派干部、教师到{A}学习，为{A}派出人员开展工作提供便利。")
    doc.body_text(f"3．{ALL}留存活动过程资料，每年总结一次帮扶工作，接受教育行政部门的检查指导和考核。")
    doc.h1("六、其他")
    _close(doc, f"本协议未尽事宜由{ALL}协商解决。{COPIES}本协议自{ALL}签字盖章之日起生效。")
    seal_table(doc, "seal_rows", school_seal(f"校长签字：{SIGN_BLANK}"))
    doc.sign_date("{{ sign_date }}")
    return doc


BUILDERS: dict[str, Callable[[], bt.OfficialDocument]] = {
    "party_building.docx": party_building,
    "five_year.docx": five_year,
    "three_year.docx": three_year,
    "heze_three_year.docx": heze_three_year,
}


def main(argv: list[str]) -> int:
    out_dir = Path(argv[1]) if len(argv) > 1 else TEMPLATES
    for name, build in BUILDERS.items():
        doc = build()
        doc.doc.core_properties.comments = "协议模板：在 Word 或 WPS 中直接修改；变量见 docs/templates.md"
        doc.save(out_dir / name)
        print(out_dir / name)
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv))
