"""A school's round seal over its own name on a grey scan (issue 12): the seal's ring text names the school,
so a name read under the seal that the seal spells the same is sure. Invented inputs: a seal drawn with its
name round the top of the ring, and the lines an OCR engine gives for a stamped 备案表.
"""

from __future__ import annotations

import math

import numpy as np
import pytest
from PIL import Image, ImageDraw, ImageFont

from docgen.extraction import Cell, InputKind, Provenance, ReadDocument, ReadTable, TextLine
from docgen.interpret import SEAL_NAMED, interpret, named_by_seal
from extractors.ocr import default_engine
from extractors.seal import Seal, name_strip, read_seal_names

SANS = "/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc"


def _filing(unit: str, confidence: float, seal_names: tuple[str, ...]) -> ReadDocument:
    rows = (("彭州·黑水“校校结对”教育交流活动备案表", (300, 200, 1300, 260), 1.0),
            (f"单位：{unit}", (150, 320, 900, 380), confidence),
            ("2019年6月9日", (1200, 320, 1500, 380), 1.0))
    return ReadDocument("备案表.jpg", InputKind.IMAGE, 1, (), tuple(
        TextLine(t, confidence=c, where=Provenance(page=1, bbox=b)) for t, b, c in rows), seal_names=seal_names)


def test_a_school_name_under_a_seal_that_spells_it_the_same_is_sure() -> None:
    seal = ("彭州市丽春镇小学",)
    assert interpret(_filing("彭州市丽春镇小学", 0.8, ())).fields["unit"].confidence < 0.9
    named = interpret(_filing("彭州市丽春镇小学", 0.8, seal)).fields["unit"]
    assert named.raw == "彭州市丽春镇小学" and named.confidence == SEAL_NAMED
    # the seal's text read with noise round it (the bent text printed under it) still names it
    assert interpret(_filing("彭州市丽春镇小学", 0.8, ("X彭州市丽春镇小学)",))).fields["unit"].confidence >= 0.9


@pytest.mark.parametrize("read_as", ["彭州市丽春镇小", "丽春镇小学", "州市丽春镇小学", "彭州市丽春镇中学", "彭州"])
def test_a_name_read_short_or_wrong_under_a_seal_stays_unsure(read_as: str) -> None:
    # a piece of the seal's name is no whole name: cut short under the seal, it must be looked at
    unit = interpret(_filing(read_as, 0.8, ("彭州市丽春镇小学",))).fields["unit"]
    assert unit.raw == read_as and unit.confidence < 0.9


def test_only_a_whole_name_in_the_seals_text_counts() -> None:
    assert named_by_seal("彭州市利安小学", ["彭州市利安小学"])
    assert named_by_seal("彭州市 利安小学", ["ㄟ彭州市利安小学", "三江高中"])
    assert not named_by_seal("彭州市利安小", ["彭州市利安小学"])
    assert not named_by_seal("利安小学", ["彭州市利安小学"])
    assert not named_by_seal("东营市帮扶高中（待定）", ["东营市帮扶高中"])
    assert not named_by_seal("三江高中", [])


def _seal_page(name: str, printed: str) -> tuple[np.ndarray, Seal]:
    """Grey paper with a grey seal (r = 150 px, as a 38 mm seal at 200 dpi): ring, ``name`` round its top
    with each character's top to the ring, and a darker printed line crossing the seal below its centre."""
    img = Image.new("L", (900, 700), 250)
    draw = ImageDraw.Draw(img)
    cx, cy, r = 420, 330, 150
    draw.ellipse((cx - r, cy - r, cx + r, cy + r), outline=150, width=9)
    font = ImageFont.truetype(SANS, 36)
    n = len(name)
    for i, ch in enumerate(name):
        theta = math.radians(200 + 140 * i / (n - 1))  # clockwise from 3 o'clock, over the top
        glyph = Image.new("L", (48, 48), 0)
        ImageDraw.Draw(glyph).text((6, 0), ch, fill=255, font=font)
        glyph = glyph.rotate(270 - math.degrees(theta), resample=Image.Resampling.BICUBIC)
        gx, gy = cx + 0.7 * r * math.cos(theta), cy + 0.7 * r * math.sin(theta)
        img.paste(150, (round(gx - 24), round(gy - 24)), glyph)
    draw.text((250, 350), printed, fill=60, font=ImageFont.truetype(SANS, 34))
    return np.asarray(img, dtype=np.uint8), Seal(float(cx), float(cy), float(r))


def test_the_name_strip_unrolls_the_seals_top_arc_left_to_right() -> None:
    gray, seal = _seal_page("甲乙丙丁戊己", "")
    strip = name_strip(gray, seal)
    assert strip.shape[1] > 3 * strip.shape[0]  # one long line
    dark = np.flatnonzero((strip < 200).any(axis=0))
    # the name runs from about 200° to 340° of the 140°–400° arc: the middle of the strip, not its ends
    w = strip.shape[1]
    assert 0.15 * w < dark[0] < 0.35 * w and 0.65 * w < dark[-1] < 0.85 * w


@pytest.mark.slow
def test_a_seals_name_is_read_round_its_ring_under_the_printed_text() -> None:
    gray, seal = _seal_page("彭州市西郊小学", "单位：彭州市西郊小学")
    names = read_seal_names(gray, [seal], default_engine())
    assert any(named_by_seal("彭州市西郊小学", [t]) for t in names), names


# ------------------------------------------------------------------------------- a seal's ring across a row label

_ROWS = (("带队人员姓名", "张丽"), ("职务", "总务主任"), ("联系电话", "177 9340 8306"),
         ("前往地点", "黑水县知木林小学"), ("外出事由（项目）", "送教下乡"), ("外出时间", "2019-11-22"),
         ("返回时间", "2019年11月24日"),
         ("参加人员（可另附名单）", "赖永红，蒋成林"))


def _filing_table(labels: dict[int, tuple[str, float]]) -> ReadDocument:
    """The 备案表's table as read, the row labels of ``labels`` (row → text, confidence) read otherwise."""
    cells = [Cell("援藏活动情况", 0, 0, rowspan=len(_ROWS))]
    for r, (label, value) in enumerate(_ROWS):
        text, conf = labels.get(r, (label, 1.0))
        cells += [Cell(text, r, 1, confidence=conf), Cell(value, r, 2)]
    table = ReadTable(tuple(cells), len(_ROWS), 3)
    lines = (TextLine("彭州·黑水“校校结对”教育交流活动备案表", 1.0, Provenance(page=1, bbox=(300, 200, 1300, 260))),
             TextLine("单位：彭州市丽春镇小学", 1.0, Provenance(page=1, bbox=(150, 320, 900, 380))))
    return ReadDocument("备案表.jpg", InputKind.IMAGE, 1, (table,), lines)


@pytest.mark.parametrize(("row", "read_as", "key", "value"), [
    (1, "专用职多", "leader_title", "总务主任"),  # the seal's 专用 beside it, 务 crossed by the ring
    (1, "4ハハ", "leader_title", "总务主任"),  # nothing of it left
    (0, "7带队人员姓名", "leader", "张丽"),  # the first row: only the row below tells
    (3, "前往地", "destination", "黑水县知木林小学"),
])
def test_a_row_label_read_unsure_into_nothing_is_named_by_the_labels_round_it(
        row: int, read_as: str, key: str, value: str) -> None:
    e = interpret(_filing_table({row: (read_as, 0.6)}))
    assert e.fields[key].raw == value
    assert e.fields[key].confidence < 0.9  # a guess: looked at
    assert e.fields["leader_phone"].raw == "177 9340 8306" and e.fields["leader_phone"].confidence >= 0.9


def test_a_row_label_read_sure_or_out_of_order_names_nothing() -> None:
    # read sure, an unknown label is the school's own row, not a misread one
    assert "leader_title" not in interpret(_filing_table({1: ("职冬", 0.99)})).fields
    # the rows round it disagree (a row left out: between 带队人员姓名 and 前往地点 lie two fields): no guess
    e = interpret(_filing_table({1: ("职冬", 0.6), 2: ("前往地点", 1.0)}))
    assert "leader_title" not in e.fields and "leader_phone" not in e.fields


def test_an_unreadable_row_label_of_a_row_by_column_grid_names_nothing() -> None:
    # the 回执's 联络员 row read into nothing under the seal: 分管领导 below names 分管领导姓名, but the row holds
    # a name, a title and a phone — no one field before 分管领导姓名 (联络员电话) is its value
    rows = (("", "姓名", "职务", "联系电话"), ("@ハ", "杨汝增", "工会主席", "(0530)8756900"),
            ("分管领导", "张体振", "副校长", "13905301234"))
    cells = tuple(Cell(t, r, k, confidence=0.6 if t == "@ハ" else 1.0)
                  for r, row in enumerate(rows) for k, t in enumerate(row))
    lines = (TextLine("联络员和分管领导回执", 1.0, Provenance(page=1, bbox=(400, 300, 1100, 370))),
             TextLine("学校：东明县第一初级中学", 1.0, Provenance(page=1, bbox=(196, 546, 966, 628))))
    e = interpret(ReadDocument("回执.jpg", InputKind.IMAGE, 1, (ReadTable(cells, 3, 4),), lines))
    assert e.form == "liaison_reply"
    assert e.fields["leader_name"].raw == "张体振"
    assert "liaison_phone" not in e.fields and "liaison_title" not in e.fields
