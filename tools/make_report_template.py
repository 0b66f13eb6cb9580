"""Write docgen/templates/reports/progress_report.docx, the periodic report's Word template (run from the root).

The page, styles, fonts and `— 1 —` footers are the party-building agreement's (GB/T 9704: A4, 天头 37 mm,
订口 28 mm, 3号仿宋 on 22 × 28); only word/document.xml is new. The output is the source a clerk edits in
Word or WPS afterwards; run this again only to start over. Byte-stable (fixed ZIP dates).
"""

from __future__ import annotations

import zipfile
from pathlib import Path
from xml.sax.saxutils import escape

TEMPLATES = Path("docgen/templates")
BASE = TEMPLATES / "party_building.docx"
OUT = TEMPLATES / "reports" / "progress_report.docx"

_LANG = '<w:lang w:val="en-US" w:eastAsia="zh-CN" w:bidi="ar-SA"/>'
_BODY = (
    '<w:rFonts w:ascii="Times New Roman" w:eastAsia="仿宋_GB2312" w:hAnsi="Times New Roman" '
    'w:cs="Times New Roman" w:hint="eastAsia"/><w:spacing w:val="-5"/><w:sz w:val="32"/><w:szCs w:val="32"/>' + _LANG
)
_KAI = (
    '<w:rFonts w:ascii="Times New Roman" w:eastAsia="楷体_GB2312" w:hAnsi="Times New Roman" '
    'w:cs="Times New Roman" w:hint="eastAsia"/><w:spacing w:val="-5"/><w:sz w:val="32"/><w:szCs w:val="32"/>' + _LANG
)
_HEI = (
    '<w:rFonts w:ascii="黑体" w:eastAsia="黑体" w:hAnsi="黑体" w:cs="黑体" w:hint="eastAsia"/>'
    '<w:spacing w:val="-5"/><w:sz w:val="32"/><w:szCs w:val="32"/>' + _LANG
)
_TITLE = (
    '<w:rFonts w:ascii="方正小标宋简体" w:eastAsia="方正小标宋简体" w:hAnsi="方正小标宋简体" w:cs="方正小标宋简体" '
    'w:hint="eastAsia"/><w:sz w:val="44"/><w:szCs w:val="44"/>' + _LANG
)


def _p(style: str, text: str, rpr: str = _BODY, *, center: bool = False) -> str:
    jc = '<w:jc w:val="center"/>' if center else ""
    run = f'<w:r><w:rPr>{rpr}</w:rPr><w:t xml:space="preserve">{escape(text)}</w:t></w:r>' if text else ""
    return f'<w:p><w:pPr><w:pStyle w:val="{style}"/>{jc}<w:rPr>{rpr}</w:rPr></w:pPr>{run}</w:p>'


def body() -> str:
    """The report's paragraphs: Jinja tags over what docgen.reports.report_context gives."""
    paragraphs = [
        _p("DocTitle", "{{ title }}", _TITLE),
        _p("BodyFlush", "（{{ period }}）", _KAI, center=True),
        _p("BodyFlush", ""),
        _p("BodyFlush", "{%p if receivers %}"),
        _p("BodyFlush", "{{ receivers }}："),
        _p("BodyFlush", "{%p endif %}"),
        _p("Body", "{{ intro }}"),
        _p("Heading1CN", "一、报送情况", _HEI),
        _p("Body", "{{ summary }}"),
        _p("Body", "{%p if missing %}"),
        _p("Body", "未报送：{{ missing|join('；') }}。"),
        _p("Body", "{%p endif %}"),
        _p("Body", "{%p if late %}"),
        _p("Body", "逾期报送：{{ late|join('；') }}。"),
        _p("Body", "{%p endif %}"),
        _p("Heading1CN", "二、工作开展情况", _HEI),
        _p("Body", "{%p for a in activities %}"),
        _p("Body", "{{ a }}"),
        _p("Body", "{%p endfor %}"),
        _p("Body", "{%p if not activities %}"),
        _p("Body", "本期回传的统计表中没有本期开展的活动。"),
        _p("Body", "{%p endif %}"),
        _p("Heading1CN", "三、目标完成情况", _HEI),
        _p("Body", "{%p for t in targets %}"),
        _p("Body", "{{ t }}"),
        _p("Body", "{%p endfor %}"),
        _p("Body", "{%p if not targets %}"),
        _p("Body", "本项目未设定量化目标。"),
        _p("Body", "{%p endif %}"),
        _p("BodyFlush", ""),
        _p("SignDate", "{{ issuer }}"),
        _p("SignDate", "{{ date }}"),
    ]
    return "".join(paragraphs)


def main() -> None:
    with zipfile.ZipFile(BASE) as base:
        document = base.read("word/document.xml").decode("utf-8")
        head, rest = document.split("<w:body>", 1)
        sect = rest[rest.rindex("<w:sectPr") :]
        new_document = f"{head}<w:body>{body()}{sect}"
        with zipfile.ZipFile(OUT, "w", zipfile.ZIP_DEFLATED) as out:
            for info in base.infolist():
                data = base.read(info)
                if info.filename == "word/document.xml":
                    data = new_document.encode("utf-8")
                elif info.filename == "docProps/core.xml":
                    data = (
                        data.decode("utf-8")
                        .replace("<dc:title>学校党建共建协议书</dc:title>", "<dc:title>定期工作报告</dc:title>")
                        .replace("学校结对帮扶协议模板", "结对帮扶定期工作报告模板")
                        .replace("协议模板：", "报告模板：")
                        .encode("utf-8")
                    )
                stable = zipfile.ZipInfo(info.filename, date_time=(2026, 11, 29, 0, 0, 0))
                stable.compress_type = zipfile.ZIP_DEFLATED
                out.writestr(stable, data)
    print(OUT)


if __name__ == "__main__":
    main()
