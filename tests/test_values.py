"""Normalising what clerks write: one table per value type, edge cases included."""

from __future__ import annotations

from datetime import date
from typing import Any

import pytest

from docgen.extraction import Normalized
from docgen.forms import ValueType
from docgen.values import (
    SURE,
    cn_to_int,
    fix_ocr_digits,
    is_blank,
    join_lines,
    kept_text,
    normalize,
    normalize_count,
    normalize_date,
    normalize_integer,
    normalize_money_goods,
    normalize_name,
    normalize_phone,
    normalize_school,
    normalize_text,
    restore_date_separator,
    shown,
)

D = date


def rng(a: date, b: date) -> dict[str, date]:
    return {"start": a, "end": b}


# ------------------------------------------------------------------------------------------- dates

CERTAIN_DATES: list[tuple[str, Normalized]] = [
    ("2019年4月23日", D(2019, 4, 23)),
    ("2019年04月23日", D(2019, 4, 23)),
    ("2019 年 4 月 23 日", D(2019, 4, 23)),
    ("2019.4.23", D(2019, 4, 23)),
    ("2019-4-23", D(2019, 4, 23)),
    ("2019/04/23", D(2019, 4, 23)),
    ("２０１９年４月２３日", D(2019, 4, 23)),
    ("二〇一九年四月二十三日", D(2019, 4, 23)),
    ("2019年4月23日（星期二）上午", D(2019, 4, 23)),
    ("2019年3月28日\n", D(2019, 3, 28)),
    ("2019年4月23日—26日", rng(D(2019, 4, 23), D(2019, 4, 26))),
    ("2019年4月23日-26日", rng(D(2019, 4, 23), D(2019, 4, 26))),
    ("2019.4.23-4.26", rng(D(2019, 4, 23), D(2019, 4, 26))),
    ("2019-4-23-4-26", rng(D(2019, 4, 23), D(2019, 4, 26))),
    ("2019年4月23日至5月2日", rng(D(2019, 4, 23), D(2019, 5, 2))),
    ("2019年4月23日~2019年4月26日", rng(D(2019, 4, 23), D(2019, 4, 26))),
    ("2019年12月30日至2020年1月3日", rng(D(2019, 12, 30), D(2020, 1, 3))),
    ("2019年4月23日—23日", D(2019, 4, 23)),
]


@pytest.mark.parametrize("text, expected", CERTAIN_DATES)
def test_dates_and_ranges_clerks_write_are_normalised_with_certainty(text: str, expected: Normalized) -> None:
    got = normalize_date(text)
    assert got.normalized == expected
    assert got.factor >= SURE
    assert got.flags == ()


UNCERTAIN_DATES: list[tuple[str, int | None, Normalized, str]] = [
    ("19.4.23", None, D(2019, 4, 23), "two_digit_year"),
    ("2O19.4.23", None, D(2019, 4, 23), "ocr_corrected"),
    ("2019.4.2l", None, D(2019, 4, 21), "ocr_corrected"),
    ("4月23日", None, {"month": 4, "day": 23}, "year_missing"),
    ("4.23", None, {"month": 4, "day": 23}, "year_missing"),
    ("4月中旬", None, {"month": 4}, "indeterminate_date"),
    ("4月中旬", 2019, {"year": 2019, "month": 4}, "indeterminate_date"),
    ("9月上旬起每周二", None, {"month": 9}, "indeterminate_date"),
    ("2019年春季", None, {"year": 2019}, "indeterminate_date"),
    ("2019年4月", None, {"year": 2019, "month": 4}, "indeterminate_date"),
    ("待定", None, None, "indeterminate_date"),
    ("2019.2.30", None, None, "invalid_date"),
    ("2019年13月1日", None, None, "invalid_date"),
    ("2019.4.26-4.23", None, None, "invalid_range"),
    ("abc", None, None, "invalid_date"),
    ("1919.4.23", None, D(1919, 4, 23), "implausible_year"),
]


@pytest.mark.parametrize("text, year, expected, flag", UNCERTAIN_DATES)
def test_dates_that_are_guessed_partial_or_invalid_are_flagged_and_never_certain(
    text: str, year: int | None, expected: Normalized, flag: str
) -> None:
    got = normalize_date(text, context_year=year)
    assert got.normalized == expected
    assert flag in got.flags
    assert got.factor < SURE


def test_a_year_less_date_takes_the_context_year() -> None:
    got = normalize_date("4月23日", context_year=2019)
    assert got.normalized == D(2019, 4, 23)
    assert got.flags == ("year_inferred",)
    assert got.factor >= SURE
    assert normalize_date("4月23日至26日", context_year=2019).normalized == rng(D(2019, 4, 23), D(2019, 4, 26))


@pytest.mark.parametrize("text", ["", "   ", "____年____月____日", "年  月  日", "/", "—"])
def test_a_blank_date_is_none_without_flags(text: str) -> None:
    assert normalize_date(text) == (None, 1.0, ())


# A separator thin enough for the recogniser to drop (``/`` ``.`` ``—`` in a photo): put back when only one
# reading is a valid date, and the value stays flagged.
LOST_SEPARATORS: list[tuple[str, str, Normalized]] = [
    ("2019/0410", "2019/04/10", D(2019, 4, 10)),
    ("2019/1203", "2019/12/03", D(2019, 12, 3)),
    ("2018.0927", "2018.09.27", D(2018, 9, 27)),
    ("2019-415", "2019-4-15", D(2019, 4, 15)),  # 41/5 is no month: one reading
    ("201904/10", "2019/04/10", D(2019, 4, 10)),
    ("20190410", "2019.04.10", D(2019, 4, 10)),
    ("2019年5月18日21日", "2019年5月18日—21日", rng(D(2019, 5, 18), D(2019, 5, 21))),
    ("2019年5月30日6月2日", "2019年5月30日—6月2日", rng(D(2019, 5, 30), D(2019, 6, 2))),
]


@pytest.mark.parametrize("text, restored, expected", LOST_SEPARATORS)
def test_a_date_whose_separator_was_lost_is_restored_and_stays_flagged(
    text: str, restored: str, expected: Normalized
) -> None:
    assert restore_date_separator(text) == restored
    got = normalize(ValueType.DATE, text)
    assert got.normalized == expected
    assert "separator_restored" in got.flags
    assert got.factor < SURE
    assert kept_text(ValueType.DATE, text, got) == restored  # the record shows what the value was read as


@pytest.mark.parametrize("text", [
    "2019/123",  # 1/23 or 12/3
    "2019.0230",  # no 30 February
    "2019年5月21日18日",  # the second day before the first: no range
    "2019/04/10",  # nothing lost
    "2019年5月18日—21日",
    "13812345678",
])
def test_a_date_separator_is_not_restored_when_the_reading_is_not_unique(text: str) -> None:
    assert restore_date_separator(text) is None
    assert "separator_restored" not in normalize(ValueType.DATE, text).flags
    assert kept_text(ValueType.DATE, f" {text} ", normalize(ValueType.DATE, text)) == text


# ------------------------------------------------------------------------------------------ phones

PHONES = [
    ("13812345678", "13812345678"),
    ("138 1234 5678", "13812345678"),
    ("138-1234-5678", "13812345678"),
    ("+86 13812345678", "13812345678"),
    ("１３８１２３４５６７８", "13812345678"),
    ("0772-2815945", "07722815945"),
    ("0772 2815945", "07722815945"),
    ("(0531)81916516", "053181916516"),
    ("（0531）81916516", "053181916516"),
    ("2815945", "2815945"),
    ("0772-2815945转8021", "07722815945转8021"),
    ("0772-2815945-8021", "07722815945转8021"),
    ("13812345678、13912345678", "13812345678、13912345678"),
    ("13812345678/0772-2815945", "13812345678、07722815945"),
    ("13812345678，13912345678", "13812345678、13912345678"),
    ("13812345678 13912345678", "13812345678、13912345678"),
    ("手机：13812345678", "13812345678"),
    ("张三 13812345678", "13812345678"),
    # two numbers with nothing between them (a cell's two lines read as one run): parted at a mobile's 11 digits
    ("18061287948139 7090 5373", "18061287948、13970905373"),
    ("1806128794813970905373", "18061287948、13970905373"),
    ("13558952548(0530)6860395", "13558952548、05306860395"),
    ("139 6391 832113590452308", "13963918321、13590452308"),
    ("(0530)289450513812345678", "05302894505、13812345678"),
]


@pytest.mark.parametrize("text", ["2381234567813812345678", "13812345678123", "13812345678转8021"])
def test_a_run_that_parts_into_anything_but_numbers_stays_invalid(text: str) -> None:
    got = normalize_phone(text)
    assert got.normalized is None and "invalid_phone" in got.flags


@pytest.mark.parametrize("text, expected", PHONES)
def test_phone_numbers_are_digits_with_spaces_and_dashes_stripped(text: str, expected: str) -> None:
    assert normalize_phone(text) == (expected, 1.0, ())


@pytest.mark.parametrize("text", ["12345", "138123456789", "23812345678", "电话", "0772-28"])
def test_an_invalid_phone_is_none_and_flagged(text: str) -> None:
    got = normalize_phone(text)
    assert got.normalized is None
    assert "invalid_phone" in got.flags
    assert got.factor < SURE


def test_valid_numbers_beside_an_invalid_one_are_kept_but_flagged() -> None:
    got = normalize_phone("13812345678、12345")
    assert got.normalized == "13812345678"
    assert "invalid_phone" in got.flags and got.factor < SURE


def test_an_ocr_confusion_inside_a_phone_number_is_fixed_and_reviewed() -> None:
    got = normalize_phone("l38l2345678")
    assert got.normalized == "13812345678"
    assert got.flags == ("ocr_corrected",) and got.factor < SURE


# ------------------------------------------------------------------------------------------ counts


def count(amount: int, unit: str | None, approximate: bool = False) -> dict[str, Any]:
    return {"amount": amount, "unit": unit, "approximate": approximate}


COUNTS: list[tuple[str, Normalized, tuple[str, ...]]] = [
    ("120人次", count(120, "人次"), ()),
    ("约300人次", count(300, "人次", True), ("approximate",)),
    ("300余人次", count(300, "人次", True), ("approximate",)),
    ("300人次左右", count(300, "人次", True), ("approximate",)),
    ("5人", count(5, "人"), ()),
    ("3名", count(3, "人"), ()),
    ("二十人", count(20, "人"), ()),
    ("一百二十人次", count(120, "人次"), ()),
    ("1.2万人次", count(12000, "人次"), ()),
    ("45", count(45, "人次"), ()),
    ("无", count(0, "人次"), ()),
]


@pytest.mark.parametrize("text, expected, flags", COUNTS)
def test_counts_are_an_amount_a_unit_and_whether_approximate(
    text: str, expected: Normalized, flags: tuple[str, ...]
) -> None:
    assert normalize_count(text, default_unit="人次") == (expected, 1.0, flags)


def test_a_count_range_or_several_counts_are_kept_but_reviewed() -> None:
    got = normalize_count("200-300人次")
    assert got.normalized == {"amount": 200, "max": 300, "unit": "人次", "approximate": True}
    assert "count_range" in got.flags and got.factor < SURE
    got = normalize_count("教师20人、学生100人")
    assert got.normalized == count(120, "人")
    assert "summed" in got.flags and got.factor < SURE


@pytest.mark.parametrize("text", ["很多", "20人、3场", "2.5人"])
def test_an_unreadable_count_is_none_and_flagged(text: str) -> None:
    got = normalize_count(text)
    assert got.normalized is None and "invalid_count" in got.flags and got.factor < SURE


# ------------------------------------------------------------------------------------------- money


def item(kind: str, amount: float, unit: str, **extra: Any) -> dict[str, Any]:
    return {"kind": kind, "amount": amount, "unit": unit, **extra}


MONEY: list[tuple[str, list[dict[str, Any]]]] = [
    ("资金2万元", [item("资金", 20000, "元")]),
    ("2.5万元", [item("资金", 25000, "元")]),
    ("3000元", [item("资金", 3000, "元")]),
    ("￥5000", [item("资金", 5000, "元")]),
    ("图书500册", [item("图书", 500, "册")]),
    ("捐赠图书500册", [item("图书", 500, "册")]),
    ("500册图书", [item("图书", 500, "册")]),
    ("资金2万元、图书500册", [item("资金", 20000, "元"), item("图书", 500, "册")]),
    ("电脑10台，价值5万元", [item("电脑", 10, "台", value=50000)]),
    ("经费1.5万元；文具100套", [item("经费", 15000, "元"), item("文具", 100, "套")]),
    ("无", []),
    ("/", []),
    ("—", []),
]


@pytest.mark.parametrize("text, items", MONEY)
def test_money_and_goods_are_items_in_their_base_unit(text: str, items: list[dict[str, Any]]) -> None:
    assert normalize_money_goods(text) == ({"items": items}, 1.0, ())


def test_money_edge_cases() -> None:
    assert normalize_money_goods("") == (None, 1.0, ())
    approx = normalize_money_goods("约2万元")
    assert approx.normalized == {"items": [item("资金", 20000, "元")]} and approx.flags == ("approximate",)
    partial = normalize_money_goods("资金2万元，另有一些文具")
    assert partial.normalized == {"items": [item("资金", 20000, "元")]}
    assert "unparsed_text" in partial.flags and partial.factor < SURE
    failed = normalize_money_goods("若干")
    assert failed.normalized is None and "invalid_money" in failed.flags and failed.factor < SURE


# --------------------------------------------------------------------------- integer, name, school, text


@pytest.mark.parametrize("text, expected", [("1", 1), ("01", 1), ("1.", 1), ("（1）", 1), ("一", 1), ("十二", 12),
                                            ("１２", 12)])
def test_serial_numbers(text: str, expected: int) -> None:
    assert normalize_integer(text) == (expected, 1.0, ())


def test_a_serial_that_is_not_a_number_is_flagged() -> None:
    got = normalize_integer("甲")
    assert got.normalized is None and got.flags == ("invalid_integer",) and got.factor < SURE
    assert normalize_integer("l") .normalized is None


@pytest.mark.parametrize("text, expected", [
    ("李 云", "李云"), ("赵  瑞", "赵瑞"), ("李　云", "李云"), (" 王小明 ", "王小明"), ("张三、李四", "张三、李四"),
    ("欧阳 娜娜", "欧阳 娜娜"),  # four characters: may be two names, left as written
])
def test_names_lose_the_spaces_clerks_put_inside_short_names(text: str, expected: str) -> None:
    assert normalize_name(text) == (expected, 1.0, ())


def test_a_name_with_digits_is_suspicious() -> None:
    got = normalize_name("张3")
    assert got.flags == ("suspicious_name",) and got.factor < SURE


@pytest.mark.parametrize("text, expected", [
    ("曹 县第一中学", "曹县第一中学"), ("彭州市\n西郊小学", "彭州市西郊小学"),
    ("鱼峰区(含柳东新区)", "鱼峰区（含柳东新区）"), ("柳州市第１中学", "柳州市第1中学"),
])
def test_school_names_are_compacted(text: str, expected: str) -> None:
    assert normalize_school(text).normalized == expected


@pytest.mark.parametrize("text, expected", [
    ("活动结束后，一周内\n上报活动材料", "活动结束后，一周内上报活动材料"),
    ("Hello\nworld", "Hello world"),
    ("听课\nPPT", "听课PPT"),
    ("  效果良好  ", "效果良好"),
    ("ＡＢＣ，好", "ABC，好"),
])
def test_text_is_stripped_and_wrapped_lines_joined(text: str, expected: str) -> None:
    assert normalize_text(text) == (expected, 1.0, ())


# ------------------------------------------------------------------------------------------ helpers


@pytest.mark.parametrize("text, expected", [("二十", 20), ("一百二十", 120), ("两千零五", 2005), ("三万", 30000),
                                            ("十", 10), ("一", 1), ("abc", None), ("", None)])
def test_chinese_numerals(text: str, expected: int | None) -> None:
    assert cn_to_int(text) == expected


def test_ocr_fixes_touch_only_letters_next_to_digits() -> None:
    assert fix_ocr_digits("2O19") == ("2019", True)
    assert fix_ocr_digits("2OO9") == ("2009", True)
    assert fix_ocr_digits("Office 2019") == ("Office 2019", False)


def test_blank_and_line_joining_helpers() -> None:
    assert is_blank("  ") and is_blank("____") and is_blank("年  月  日") and is_blank(None)
    assert not is_blank("无")
    assert join_lines("援\n藏\n活\n动") == "援藏活动"


@pytest.mark.parametrize("kind, text, expected", [
    (ValueType.DATE, "2019.4.23", D(2019, 4, 23)),
    (ValueType.PHONE, "138 1234 5678", "13812345678"),
    (ValueType.COUNT, "5人", count(5, "人")),
    (ValueType.MONEY_GOODS, "3000元", {"items": [item("资金", 3000, "元")]}),
    (ValueType.INTEGER, "3", 3),
    (ValueType.NAME, "李 云", "李云"),
    (ValueType.SCHOOL, "曹 县", "曹县"),
    (ValueType.TEXT, "a\nb", "a b"),
    (ValueType.DATE, "2019年4月\n23日", D(2019, 4, 23)),  # a wrapped cell
])
def test_normalize_dispatches_on_the_value_type(kind: ValueType, text: str, expected: Normalized) -> None:
    assert normalize(kind, text).normalized == expected


@pytest.mark.parametrize(
    ("kind", "text", "words"),
    [
        (ValueType.DATE, "2019.4.23", "2019年4月23日"),
        (ValueType.DATE, "2019年4月18日至20日", "2019年4月18日至4月20日"),
        (ValueType.DATE, "2019年12月30日至2020年1月2日", "2019年12月30日至2020年1月2日"),
        (ValueType.COUNT, "约45人次", "约45人次"),
        (ValueType.COUNT, "1200人次", "1,200人次"),
        (ValueType.MONEY_GOODS, "资金2万元，图书500册", "资金 20,000元、图书 500册"),
        (ValueType.INTEGER, "一", "1"),
        (ValueType.PHONE, "138-1234-5678", "13812345678"),
    ],
)
def test_a_normalised_value_is_shown_as_a_person_reads_it(kind: ValueType, text: str, words: str) -> None:
    n = normalize(kind, text, context_year=2019)
    assert shown(kind, _json(n.normalized)) == words  # from the record's JSON, as the API and the export read it
    assert shown(kind, n.normalized) == words


def _json(v: Any) -> Any:
    from docgen.extraction import _json_value

    return _json_value(v)


def test_nothing_normalised_or_no_type_shows_nothing() -> None:
    assert shown(ValueType.DATE, None) == "" and shown(None, "2019-04-23") == "" and shown("bogus", 1) == ""
