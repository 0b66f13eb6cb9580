"""Returned forms as a school types them, built with python-docx: shared by the API tests and the service bench."""

from __future__ import annotations

import io
from pathlib import Path

from docx import Document

ROOT = Path(__file__).resolve().parent.parent
PENGZHOU = ROOT / "samples" / "pengzhou_heishui"

STATS_HEADER = [
    "序号",
    "活动名称",
    "派出人员",
    "活动时间",
    "活动地点",
    "活动安排",
    "受援人次",
    "开展项目涉及到的资金、物品",
    "取得效果",
    "备注",
]


def stats_docx(
    pair: str = "03",
    unit: str = "彭州市西郊小学",
    activities: tuple[str, ...] = ("送教下乡",),
    program: str = "pengzhou-heishui-2019",
    dates: tuple[str, ...] = (),
) -> bytes:
    """A returned 活动情况统计表 as a school would type it in Word, with the printed identity code; ``dates``
    replaces the 活动时间 of the first rows (default ``2019年4月11日``, ``…12日`` …)."""
    doc = Document()
    doc.add_paragraph("彭州·黑水“校校结对”教育交流活动情况统计表")
    doc.add_paragraph(f"表单识别码：DG1:{program}:{pair}:activity_stats:1")
    doc.add_paragraph(f"填报单位：{unit}        填报时间：2019年5月6日")
    table = doc.add_table(rows=1 + len(activities), cols=len(STATS_HEADER))
    for i, h in enumerate(STATS_HEADER):
        table.rows[0].cells[i].text = h
    for r, name in enumerate(activities, start=1):
        row = [
            str(r),
            name,
            "张三",
            dates[r - 1] if r <= len(dates) else f"2019年4月{10 + r}日",
            "黑水县芦花完全小学校",
            "示范课",
            "120人次",
            "图书500册",
            "良好",
            "",
        ]
        for i, v in enumerate(row):
            table.rows[r].cells[i].text = v
    out = io.BytesIO()
    doc.save(out)
    return out.getvalue()
